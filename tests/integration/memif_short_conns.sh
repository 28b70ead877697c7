#!/bin/bash
# synfin's HTTP load generator against synfin's HTTP server, DPDK to DPDK
# over net_memif (a unix socket in the work directory: no NIC, no veth is
# used; both processes run in the test's dut namespace all the same): one
# million short connections, one request each ("Connection: close", so the
# server closes first and holds TIME_WAIT). The client must exit by itself
# with status 0 and its OK line, 1,000,000 responses and no error; the
# server, stopped by SIGTERM afterwards, must have accepted and answered
# 1,000,000 connections without an error. Before that, a server set to an
# MSS the link's MTU cannot carry must refuse to start.
#
# Server on lcore 1, client on lcore 0 (SF_LCORE_SRV, SF_LCORE_CLI), each
# with its own --file-prefix. When one end of a memif connection leaves,
# DPDK 22.11's memif unmaps the rings from the other's control thread while
# that one's lcore may still be inside rte_eth_rx_burst (no quiescence; a
# SIGSEGV in eth_memif_rx reading the ring's head, seen about once in 30
# runs when the client simply exited). So the client, its job done, stops
# polling and waits for the server to leave first (--exit-wait): the test
# stops the server once the client has printed its results, and the
# client, polling nothing, then closes and exits.
# SF_MEMIF_COUNT and SF_MEMIF_CONC change the load (for trying things out;
# the test's verdict is for the defaults).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

COUNT=${SF_MEMIF_COUNT:-1000000}
CONC=${SF_MEMIF_CONC:-64}
PORT=80
IP_SRV=198.18.1.1
IP_CLI=198.18.1.2
MAC_SRV=02:53:46:00:02:01
MAC_CLI=02:53:46:00:02:02
RUN_S=${SF_MEMIF_RUN_S:-120}	# the client's time limit (about 6 s here)

# The client's prefix is removed by sf_memif_cleanup, the server's (in
# SF_SYNFIN_PREFIX) by sf_cleanup, which runs last with the test's status.

# srv_died WHEN: the server ended by itself; fail with its status.
srv_died()
{
	local rc=0 why=
	wait "$SF_SYNFIN_PID" || rc=$?
	SF_SYNFIN_PID=
	[ "$rc" -eq 139 ] && why=" (SIGSEGV; in librte_net_memif after the" &&
		why+=" client left? see the header of this test)"
	SF_SYNFIN_LOG=$srv_log
	fail "the server exited $1, status $rc$why"
}

[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (one lcore each)"
sf_test_init
trap sf_memif_cleanup EXIT
sock="$SF_WORKDIR/memif.sock"
srv_log="$SF_WORKDIR/server.log"
cli_log="$SF_WORKDIR/client.log"
json="$SF_WORKDIR/client.json"

# First a server whose MSS the link cannot carry (1461 + 40 > the MTU of
# 1500): it must refuse to start and name the key.
bad_log="$SF_WORKDIR/bad-mss.log"
sf_memif_start "$bad_log" "sf-$SF_TAG-bad" \
	"net_memif0,id=0,role=server,socket=$SF_WORKDIR/bad.sock,socket-abstract=no,mac=$MAC_SRV" \
	-l "${SF_LCORE_SRV:-1}" -- --ip "$IP_SRV/24" --mode server --app http \
	--port "$PORT" --set general.link_wait_ms=0 --set tcp.mss=1461
for i in $(seq 100); do
	sf_alive "$SF_BG_PID" || break
	sleep 0.2
done
if sf_alive "$SF_BG_PID"; then
	sf_kill "$SF_BG_PID" 10
	cat "$bad_log"
	fail "a server with tcp.mss 1461 on a 1500-byte MTU started"
fi
bad_rc=0
wait "$SF_BG_PID" || bad_rc=$?
rm -rf "/var/run/dpdk/sf-$SF_TAG-bad"
rm -f "$SF_HUGE_DIR/sf-$SF_TAG-badmap_"* "$SF_WORKDIR/bad.sock"
if [ "$bad_rc" -eq 0 ] ||
	! grep -q "\[tcp\] mss 1461 does not fit port 0's MTU 1500" "$bad_log"; then
	cat "$bad_log"
	fail "tcp.mss 1461 on a 1500-byte MTU was not refused (status $bad_rc)"
fi
ok "an MSS past the MTU is refused: $(grep -o '\[tcp\] mss.*' "$bad_log")"

# The server: its link comes up when the client connects to the socket,
# so it does not wait for it. TIME_WAIT lasts 2 s; when the table is
# full, a connection closes without it (tcp_tw_full, not an error).
SF_SYNFIN_PREFIX="sf-$SF_TAG-srv"
SF_SYNFIN_LOG=$srv_log
sf_memif_start "$srv_log" "$SF_SYNFIN_PREFIX" \
	"net_memif0,id=0,role=server,socket=$sock,socket-abstract=no,mac=$MAC_SRV" \
	-l "${SF_LCORE_SRV:-1}" -- --ip "$IP_SRV/24" --mode server --app http --port "$PORT" \
	--set general.link_wait_ms=0 --set tcp.msl_ms=1000 \
	--set tcp.max_timewait=65536
SF_SYNFIN_PID=$SF_BG_PID
sf_synfin_wait_ready 30
[ -S "$sock" ] || fail "the memif server made no socket at $sock"
ok "memif socket $sock"
# Its gratuitous ARP goes out before any client is connected: memif takes
# nothing, the frame waits 100 ms in the TX buffer and is dropped
# (tx_drop_full). The drops counted then are the baseline.
for i in 1 2 3 4 5 6 7 8 9 10; do
	sf_snapshot
	[ "$(sf_ctr_snap arp_tx_gratuitous)" -ge 1 ] &&
		[ "$(sf_ctr_snap tx_drop_full)" -ge 1 ] && break
done
drops0=$(sf_ctr_snap tx_drop_full)
ok "server before the client: $(sf_ctr_line snap arp_tx_gratuitous \
	tx_drop_full) (the link was down)"

# The client: it waits for its link (the memif connection), resolves the
# server by ARP, then runs the job and exits.
SF_MEMIF_CLI_PREFIX="sf-$SF_TAG-cli"
t0=$(sf_now)
sf_memif_start "$cli_log" "$SF_MEMIF_CLI_PREFIX" \
	"net_memif0,id=0,role=client,socket=$sock,socket-abstract=no,mac=$MAC_CLI" \
	-l "${SF_LCORE_CLI:-0}" -- --ip "$IP_CLI/24" --mode client --app http \
	--target "$IP_SRV:$PORT" --requests 1 --count "$COUNT" \
	--concurrency "$CONC" --exit-wait 30000 --json "$json"
SF_MEMIF_CLI_PID=$SF_BG_PID

# Wait for the client's results; the server must stay up all the while.
end=$((SECONDS + RUN_S))
while sf_alive "$SF_MEMIF_CLI_PID" && [ "$SECONDS" -lt "$end" ] &&
	! grep -q '^synfin: waiting up to' "$cli_log"; do
	sf_alive "$SF_SYNFIN_PID" || srv_died "while the client ran"
	sleep 0.5
done
if sf_alive "$SF_MEMIF_CLI_PID" && ! grep -q '^synfin: waiting up to' "$cli_log"; then
	kill -USR1 "$SF_SYNFIN_PID" "$SF_MEMIF_CLI_PID"
	sleep 1
	echo "---- server, last lines ----"; tail -n 60 "$srv_log"
	echo "---- client, last lines ----"; tail -n 60 "$cli_log"
	sf_kill "$SF_MEMIF_CLI_PID" 10
	SF_SYNFIN_LOG=$cli_log
	fail "the client still ran ${RUN_S}s after its start (stopped)"
fi
el=$(sf_since "$t0")

# The server leaves first (SIGTERM), its final counters read; then the
# client, which polls nothing now, sees its link go down and exits.
sf_alive "$SF_SYNFIN_PID" || srv_died "after the client's job"
SF_SYNFIN_LOG=$srv_log
sf_synfin_stop
sf_memif_client_exit "$cli_log"
cli_rc=$SF_MEMIF_CLI_RC
ok "the server left first; the client saw its link go down and exited"

# The client's verdict, summary and counters.
SF_SYNFIN_LOG=$cli_log
grep '^synfin: \(http client\|latency\)' "$cli_log" | sed 's/^/  /'
sf_check_eq "client's exit status (after ${el}s)" "$cli_rc" 0
grep -q '^synfin: http client: OK$' "$cli_log" ||
	fail "no 'synfin: http client: OK' line"
ok "client's OK line"
echo "  client: $(sf_ctr_line final http_conns_opened http_responses \
	http_errors tcp_active_opens tcp_retransmits tcp_tw_reused \
	tcp_attempt_fails)"
sf_check_eq "client http_conns_opened" "$(sf_ctr http_conns_opened)" "$COUNT"
sf_check_eq "client http_responses" "$(sf_ctr http_responses)" "$COUNT"
sf_check_eq "client http_errors" "$(sf_ctr http_errors)" 0
sf_check_eq "client tcp_active_opens" "$(sf_ctr tcp_active_opens)" "$COUNT"
sf_check_tcp_states final
grep -q '"ok":true}$' "$json" || fail "client's JSON ($json) is not ok:true"
ok "client's JSON results: ok"

# The server's final counters.
SF_SYNFIN_LOG=$srv_log
echo "  server: $(sf_ctr_line final http_conns_opened http_responses \
	http_errors tcp_passive_opens tcp_retransmits tcp_tw_full \
	tcp_tw_reused tcp_state_TIME_WAIT)"
sf_check_eq "server http_responses" "$(sf_ctr http_responses)" "$COUNT"
sf_check_eq "server http_errors" "$(sf_ctr http_errors)" 0
sf_check_eq "server tcp_passive_opens" "$(sf_ctr tcp_passive_opens)" \
	"$COUNT"
sf_check_eq "server tx_drop_full (as before the client)" \
	"$(sf_ctr tx_drop_full)" "$drops0"
for c in tcp_estab_resets tcp_tx_rst tcp_rx_rst tcp_drop_csum \
	 mbuf_alloc_fail; do
	sf_check_eq "server $c" "$(sf_ctr "$c")" 0
done
# Only TIME_WAIT records may be left (2 s each); no connection is open.
for st in "${SF_TCP_STATES[@]}"; do
	[ "$st" = TIME_WAIT ] && continue
	v=$(sf_ctr "tcp_state_$st")
	[ "$v" = 0 ] || fail "server: tcp_state_$st = $v at the end, expected 0"
done
ok "server: no connection left but TIME_WAIT" \
	"($(sf_ctr tcp_state_TIME_WAIT) records)"
rate=$(sed -nE 's/^synfin: http client: ([0-9]+) conn\/s.*/\1/p' "$cli_log")
pass "$COUNT connections over memif in ${el}s (${rate:-?} conn/s), 0 errors"
