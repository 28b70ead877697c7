#!/bin/bash
# Two workers on each end, synfin's HTTP load generator against synfin's
# HTTP server over a 2-queue net_memif (queue_pairing = auto: on for memif).
# memif wires the client's queue i to the server's queue i, and the
# client's worker i opens its connections only from source ports p with
# p % 2 == i, which the server's worker i owns as well. The test asserts:
#   - both workers on both ends opened connections (the load is spread);
#   - the per-worker figures (worker<i>_*) add up to the totals;
#   - tcp_misdelivered is 0 on every worker of both ends (no segment of a
#     flow reached a worker that does not own it), errors are 0, and every
#     request got its response; the client's JSON says the same.
# It fails if the spreading breaks: a client that picks ports without
# regard to its worker makes the server's workers see flows of the other
# (tcp_misdelivered > 0), one that leaves the load on worker 0 leaves
# worker 1 with no opens.
#
# With 2 CPUs, the 4 worker lcores share them (EAL --lcores maps lcore to
# CPU): the client's worker i and the server's worker i sit on different
# CPUs, each CPU runs one worker of each process. The load is small
# (SF_MC_COUNT connections, 16 at a time) to stay within 30 s.
#
# The server's figures are read from a SIGUSR1 snapshot taken while the
# client, its job done, waits with its link up and polls nothing
# (--exit-wait). Then the server leaves first and the client after it:
# DPDK 22.11's memif may crash a process that is polling when its peer
# leaves (see memif_short_conns.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

COUNT=${SF_MC_COUNT:-2000}
CONC=${SF_MC_CONC:-16}
NW=2
PORT=80
IP_SRV=198.18.1.1
IP_CLI=198.18.1.2
MAC_SRV=02:53:46:00:03:01
MAC_CLI=02:53:46:00:03:02
RUN_S=${SF_MC_RUN_S:-25}	# the client's time limit

# memif_multicore's runs: small tables (the machine is shared).
MC_OPTS=(--set mempool.mbufs=16383 --set tcp.max_conns=4096
	--set tcp.max_timewait=8192 --set general.counters=all)

# mc_read MARKER LOG: the last counter block after MARKER into CTR (one
# awk for all the checks: on a loaded 2-CPU machine each fork counts).
declare -A CTR
SUM=0
mc_read()
{
	local n v
	CTR=()
	while read -r n v; do
		CTR[$n]=$v
	done < <(sf_counters_block "$1" "$2")
	[ "${#CTR[@]}" -gt 0 ] || fail "no '$1' block in $2"
}

# mc_sum NAME: the sum of worker<i>_NAME over the workers, in SUM.
mc_sum()
{
	local i n
	SUM=0
	for ((i = 0; i < NW; i++)); do
		n=worker${i}_$1
		SUM=$((SUM + ${CTR[$n]}))
	done
}

# mc_check_workers WHO MARKER LOG OPENS TOTAL: per-worker checks of one end.
mc_check_workers()
{
	local who=$1 opens=$4 total=$5 i c n line=''
	local names=("tcp_$opens" tcp_conns_closed rx_pkts tx_pkts
		tcp_misdelivered http_conns_opened http_responses http_errors)
	SF_SYNFIN_LOG=$3
	mc_read "$2" "$3"
	for c in "${names[@]}"; do
		for n in "$c" $(seq -f "worker%g_$c" 0 $((NW - 1))); do
			[ -n "${CTR[$n]:-}" ] || fail "$who: no counter '$n'"
		done
	done
	for ((i = 0; i < NW; i++)); do
		line+=" | worker$i:"
		for c in "${names[@]}"; do
			line+=" $c=${CTR[worker${i}_$c]}"
		done
	done
	echo "  $who${line}"
	for ((i = 0; i < NW; i++)); do
		[ "${CTR[worker${i}_tcp_$opens]}" -gt 0 ] ||
			fail "$who worker $i opened no connection (tcp_$opens 0)"
		sf_check_eq "$who worker $i tcp_misdelivered" \
			"${CTR[worker${i}_tcp_misdelivered]}" 0
		sf_check_eq "$who worker $i http_errors" \
			"${CTR[worker${i}_http_errors]}" 0
	done
	for c in "${names[@]}"; do
		mc_sum "$c"
		sf_check_eq "$who sum of worker<i>_$c = $c" "$SUM" "${CTR[$c]}"
	done
	sf_check_eq "$who tcp_$opens" "${CTR[tcp_$opens]}" "$total"
	sf_check_eq "$who http_responses" "${CTR[http_responses]}" "$total"
	sf_check_eq "$who http_errors" "${CTR[http_errors]}" 0
	sf_check_eq "$who tcp_misdelivered" "${CTR[tcp_misdelivered]}" 0
}

read -r -a cpus <<< "$("$SF_PY" -c \
	'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))')"
[ "${#cpus[@]}" -ge 2 ] || skip "needs 2 CPUs"
c0=${cpus[0]}
c1=${cpus[1]}
sf_test_init
trap sf_memif_cleanup EXIT
sock="$SF_WORKDIR/memif.sock"
srv_log="$SF_WORKDIR/server.log"
cli_log="$SF_WORKDIR/client.log"
json="$SF_WORKDIR/client.json"
t0=$(sf_now)

# The server: main lcore 0, workers 1 and 2 (queues 0 and 1).
SF_SYNFIN_PREFIX="sf-$SF_TAG-srv"
SF_SYNFIN_LOG=$srv_log
sf_memif_start "$srv_log" "$SF_SYNFIN_PREFIX" \
	"net_memif0,id=0,role=server,socket=$sock,socket-abstract=no,mac=$MAC_SRV" \
	"--lcores=0@$c1,1@$c1,2@$c0" -- "${MC_OPTS[@]}" --ip "$IP_SRV/24" --mode server --app http --port "$PORT" \
	--set general.link_wait_ms=0 --set tcp.msl_ms=1000
SF_SYNFIN_PID=$SF_BG_PID
sf_synfin_wait_ready 30
grep -q "^synfin: ready: $NW worker(s)" "$srv_log" ||
	fail "the server did not start $NW workers"
[ -S "$sock" ] || fail "the memif server made no socket at $sock"
ok "server: $NW workers, memif socket $sock"

# The client: after its job it waits, idle, for the server to leave, so
# that the server's counters are read while the memif link is still up.
SF_MEMIF_CLI_PREFIX="sf-$SF_TAG-cli"
sf_memif_start "$cli_log" "$SF_MEMIF_CLI_PREFIX" \
	"net_memif0,id=0,role=client,socket=$sock,socket-abstract=no,mac=$MAC_CLI" \
	"--lcores=0@$c0,1@$c0,2@$c1" -- "${MC_OPTS[@]}" --ip "$IP_CLI/24" --mode client --app http \
	--target "$IP_SRV:$PORT" --requests 1 --count "$COUNT" \
	--concurrency "$CONC" --exit-wait 30000 --json "$json"
SF_MEMIF_CLI_PID=$SF_BG_PID

end=$((SECONDS + RUN_S))
while ! grep -q '^synfin: waiting up to' "$cli_log"; do
	sf_alive "$SF_SYNFIN_PID" || { SF_SYNFIN_LOG=$srv_log;
		fail "the server exited while the client ran"; }
	sf_alive "$SF_MEMIF_CLI_PID" || { SF_SYNFIN_LOG=$cli_log;
		fail "the client exited before its job was done"; }
	if [ "$SECONDS" -ge "$end" ]; then
		kill -USR1 "$SF_SYNFIN_PID" "$SF_MEMIF_CLI_PID"
		sleep 1
		echo "---- server, last lines ----"; tail -n 40 "$srv_log"
		echo "---- client, last lines ----"; tail -n 40 "$cli_log"
		SF_SYNFIN_LOG=$cli_log
		fail "the client's job was not done ${RUN_S}s after its start"
	fi
	sleep 0.2
done
ok "client's job done after $(sf_since "$t0")s"
grep -q "^synfin: ready: $NW worker(s)" "$cli_log" ||
	fail "the client did not start $NW workers"

# The server's figures, while the client still holds the link.
SF_SYNFIN_LOG=$srv_log
sf_snapshot
mc_check_workers server "synfin: counters" "$srv_log" passive_opens "$COUNT"
ok "server: both workers served, per-worker sums = totals, 0 misdelivered"

# The server leaves first (SIGTERM, exit status 0); then the client,
# which polls nothing, sees its link go down and exits.
SF_SYNFIN_LOG=$srv_log
sf_synfin_stop
sf_check_eq "server tcp_misdelivered at exit" "$(sf_ctr tcp_misdelivered)" 0
sf_memif_client_exit "$cli_log"
cli_rc=$SF_MEMIF_CLI_RC
grep '^synfin: http client' "$cli_log" | sed 's/^/  /'
sf_check_eq "client's exit status" "$cli_rc" 0
grep -q '^synfin: http client: OK$' "$cli_log" ||
	fail "no 'synfin: http client: OK' line"
mc_check_workers client "synfin: final counters" "$cli_log" active_opens \
	"$COUNT"
ok "client: both workers opened, per-worker sums = totals, 0 misdelivered"

# The JSON: a per_worker array that agrees.
"$SF_PY" - "$json" "$NW" "$COUNT" <<'EOF' || fail "client's JSON ($json)"
import json, sys
r = json.load(open(sys.argv[1]))
nw, count = int(sys.argv[2]), int(sys.argv[3])
pw = r["per_worker"]
assert r["ok"] is True, "ok is not true"
assert r["workers"] == nw and len(pw) == nw, "workers"
assert r["tcp_misdelivered"] == 0, "tcp_misdelivered"
assert all(w["tcp_misdelivered"] == 0 for w in pw), "worker misdelivered"
assert all(w["tcp_active_opens"] > 0 for w in pw), "a worker opened none"
for k in ("conns_opened", "responses", "errors"):
    assert sum(w[k] for w in pw) == r["counters"][k], k
assert r["counters"]["responses"] == count, "responses"
assert r["counters"]["errors"] == 0, "errors"
print("  client JSON: " + ", ".join(
    "worker %d: %d conns, misdelivered %d" %
    (w["worker"], w["conns_opened"], w["tcp_misdelivered"]) for w in pw))
EOF
ok "client's JSON: per_worker agrees, ok:true"

pass "$COUNT connections over a 2-queue memif, $NW workers each end, 0 misdelivered, in $(sf_since "$t0")s"
