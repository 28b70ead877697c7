#!/bin/bash
# A blackhole longer than the retry budget: the kernel peer reaches synfin
# through the router namespace of sf_topo_mid_up; once a connection is up
# and data has flowed, an nftables rule there drops every TCP packet, both
# ways. synfin runs with a short budget (tcp.retries=4, RTO 200 ms doubling
# up to 1 s: the fifth timeout, about 3.4 s in, aborts).
#  1. kernel client (tcp_peer.py client, streaming) -> synfin's echo
#     server: the server must abort the connection with reason
#     rto-exhausted (its --trace says "CLOSED (rto-exhausted)"),
#     tcp_rto_aborts and echo_err_timeout 1, and then, while it still
#     runs, hold no connection (every tcp_state_* 0) and have every mbuf
#     back in its pool (mbuf_pool0_free = mbuf_pool0_size). With the path
#     open again, the kernel's next retransmission meets synfin's RST
#     (ECONNRESET, or EPIPE on the send after it).
#  2. synfin's echo client (64 MiB) -> kernel echo server: the same abort
#     on the client side; the client exits by itself with status 1, its
#     FAILED line and err_timeout 1; its final counters as above. Which
#     budget runs out depends on the kernel's window at the cut: open,
#     the retransmissions (rto-exhausted, tcp_rto_aborts); shut, because
#     the echo server's own sends back up behind synfin's data, the
#     zero-window probes (persist-timeout, tcp_persist_aborts). Either
#     way exactly one abort, after the same backoff.
#  3. the same client against a kernel server that never reads: once
#     its window is shut and synfin's zero-window probes are answered,
#     the blackhole; the probes then go unanswered and, after
#     tcp.retries of them, the abort is persist-timeout.
#  4. keepalive: the kernel client (tcp_peer.py hold) keeps an idle
#     connection to synfin's echo server, which probes after 1 s idle
#     every 300 ms, 3 probes: the kernel answers while the path is open;
#     blackholed, the connection is reset after the probes, reason
#     keepalive-timeout, and everything is freed as in 1.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT_SYNFIN=7
PORT_KERNEL=7007
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"
RETRY=(--set tcp.retries=4 --set tcp.rto_init_ms=200 --set tcp.rto_min_ms=200
	--set tcp.rto_max_ms=1000)
KEEPALIVE=(--set tcp.keepalive_ms=1000 --set tcp.keepalive_intvl_ms=300
	--set tcp.keepalive_probes=3)
# 200 + 400 + 800 + 1000 + 1000 ms of timeouts; room for a slow VM
ABORT_MIN_S=2
ABORT_MAX_S=15
KA_MAX_S=10		# 1 s idle + 3 x 300 ms, at most

sf_test_init
command -v nft >/dev/null || fail "missing tool: nft (nftables)"
sf_topo_mid_up

# blackhole on|off: every TCP packet forwarded by the middle is dropped.
blackhole()
{
	sf_mid nft delete table ip sf_blackhole 2>/dev/null || true
	[ "$1" = on ] || return 0
	sf_mid nft -f - <<-EOF || fail "cannot load the nftables rule"
	table ip sf_blackhole {
		chain forward {
			type filter hook forward priority 0; policy accept;
			meta l4proto tcp counter drop comment "blackhole"
		}
	}
	EOF
	BH_T0=$(sf_now)
}

# bh_count: packets the blackhole dropped so far.
bh_count()
{
	sf_mid nft list table ip sf_blackhole | sed -nE \
		's/.*counter packets ([0-9]+) .*comment "blackhole".*/\1/p'
}

# check_freed WHICH APP: no connection left, err_timeout 1, the pool full.
check_freed()
{
	local which=$1 app=$2 m free size
	[ "$which" = snap ] && m="synfin: counters" ||
		m="synfin: final counters"
	sf_check_tcp_states "$which"
	sf_check_eq "$which: ${app}_conns_open" "$(sf_ctr "${app}_conns_open" \
		"$m")" 0
	sf_check_eq "$which: ${app}_err_timeout" "$(sf_ctr "${app}_err_timeout" \
		"$m")" 1
	free=$(sf_ctr mbuf_pool0_free "$m")
	size=$(sf_ctr mbuf_pool0_size "$m")
	sf_check_eq "$which: mbuf_pool0_free (mbuf_pool0_size $size)" "$free" \
		"$size"
}

# abort_time REGEX: seconds from the blackhole to the trace line REGEX
# (waits for it up to ABORT_MAX_S); checks the bounds.
abort_time()
{
	local re=$1 max=$2 min=$3 el
	sf_log_wait "$re" "$max" ||
		{ sf_diag_tcp "no '$re' ${max}s after the blackhole";
		  fail "no trace line '$re' within ${max}s of the blackhole"; }
	el=$(sf_since "$BH_T0")
	awk -v e="$el" -v m="$min" 'BEGIN { exit !(e >= m) }' ||
		fail "closed ${el}s after the blackhole, before ${min}s"
	ok "trace: $(grep -Em1 "$re" "$SF_SYNFIN_LOG" |
		sed 's/^synfin\.trace: //'), ${el}s after the blackhole" \
		"($(bh_count) packets dropped)"
}

# check_abort snap|final: exactly one abort, of the kind the trace named
# (see 2. for why either kind can come).
ABORT_RE='ESTABLISHED -> CLOSED \| CLOSED \((rto-exhausted|persist-timeout)\)'
check_abort()
{
	local which=$1 m rto=1 persist=0
	[ "$which" = snap ] && m="synfin: counters" ||
		m="synfin: final counters"
	if grep -q 'CLOSED (persist-timeout)' "$SF_SYNFIN_LOG"; then
		rto=0 persist=1
		echo "  the kernel's window was shut at the cut: the" \
			"zero-window probes ran out"
		# tcp.retries probes, the first one counted by the RTO
		sf_check_ge "$which: tcp_window_probes" \
			"$(sf_ctr tcp_window_probes "$m")" 4
	else
		sf_check_ge "$which: tcp_rto_timeouts" \
			"$(sf_ctr tcp_rto_timeouts "$m")" 5
	fi
	sf_check_eq "$which: tcp_rto_aborts" "$(sf_ctr tcp_rto_aborts "$m")" \
		"$rto"
	sf_check_eq "$which: tcp_persist_aborts" \
		"$(sf_ctr tcp_persist_aborts "$m")" "$persist"
}

# client_aborted: synfin's echo client, cut off, aborts within the
# bounds, exits by itself with status 1 and its FAILED line, and frees all.
client_aborted()
{
	local verdict
	abort_time "$ABORT_RE" "$ABORT_MAX_S" "$ABORT_MIN_S"
	sf_synfin_wait_exit 10
	verdict=$(grep -m1 '^synfin: echo client: sent' "$SF_SYNFIN_LOG") ||
		fail "no 'synfin: echo client:' line" \
			"(exit status $SF_SYNFIN_RC)"
	echo "  $verdict"
	grep '^synfin: echo client: err_' "$SF_SYNFIN_LOG" |
		sed 's/^/  /' || true
	sf_check_eq "the client's exit status" "$SF_SYNFIN_RC" 1
	grep -q ' 1 errors: FAILED$' <<< "$verdict" ||
		fail "not the FAILED line with 1 error: $verdict"
	echo "  synfin: $(sf_ctr_line final tcp_retransmits \
		tcp_rto_timeouts tcp_window_probes tcp_rto_aborts \
		tcp_persist_aborts tcp_conns_closed echo_err_timeout \
		echo_errors mbuf_pool0_free mbuf_pool0_size)"
	check_abort final
	sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 1
	check_freed final echo
}

# client_start MODE LOG: a kernel server (tcp_peer.py MODE) on PORT_KERNEL,
# then synfin's echo client streaming 64 MiB to it; srv is its PID.
client_start()
{
	local mode=$1 log=$2
	sf_peer_bg "$log" "$SF_PY" "$PEER_PY" "$mode" "$SF_IP_PEER" \
		"$PORT_KERNEL"
	sf_wait_file_re "$log" '^listening' 10 "$SF_BG_PID" ||
		fail "kernel $mode did not start: $(cat "$log")"
	srv=$SF_BG_PID
	sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
		--port "$PORT_KERNEL" --bytes $((64 * 1024 * 1024)) \
		--gateway "$SF_IP_MID_DUT" --trace "port $PORT_KERNEL" \
		"${RETRY[@]}"
	sf_synfin_wait_ready
}

# ---- 1. server side: rto-exhausted ----------------------------------------
echo "$SF_NAME: 1. kernel client streams to synfin's echo server;" \
	"blackhole; retries=4"
sf_synfin_start --mode server --app echo --port "$PORT_SYNFIN" \
	--gateway "$SF_IP_MID_DUT" --trace "port $PORT_SYNFIN" "${RETRY[@]}"
sf_synfin_wait_ready
in="$SF_WORKDIR/stream.in"
out="$SF_WORKDIR/stream.out"
head -c $((64 * 1024 * 1024)) /dev/zero > "$in"
cli_log="$SF_WORKDIR/client.log"
sf_peer_bg "$cli_log" "$SF_PY" "$PEER_PY" client "$SF_IP_DUT" \
	"$PORT_SYNFIN" "$in" "$out" --timeout 60
cli=$SF_BG_PID
for ((i = 0; i < 200; i++)); do
	[ "$(stat -c %s "$out" 2>/dev/null || echo 0)" -ge 1048576 ] && break
	sf_alive "$cli" || fail "the kernel client ended: $(cat "$cli_log")"
	sleep 0.05
done
blackhole on
got=$(stat -c %s "$out")
[ "$got" -ge 1048576 ] || fail "only $got bytes echoed in 10 s"
ok "$got bytes echoed, then every TCP packet dropped in $SF_NS_MID"
abort_time "$ABORT_RE" \
	"$ABORT_MAX_S" "$ABORT_MIN_S"
sf_snapshot
echo "  synfin: $(sf_ctr_line snap tcp_retransmits tcp_rto_timeouts \
	tcp_window_probes tcp_rto_aborts tcp_persist_aborts tcp_conns_closed echo_err_timeout echo_errors \
	mbuf_pool0_free mbuf_pool0_size)"
check_abort snap
sf_check_eq "snap: tcp_trans_ESTABLISHED_to_CLOSED" \
	"$(sf_ctr_snap tcp_trans_ESTABLISHED_to_CLOSED)" 1
check_freed snap echo
# The path opens again: the kernel's next retransmission finds no
# connection and gets a RST (about 6 s after the blackhole with Linux's
# backoff from 200 ms).
rst0=$(sf_ctr_snap tcp_tx_rst)
blackhole off
sf_wait_file_re "$cli_log" '^client: ' 30 ||
	fail "the kernel client did not end 30 s after the path reopened"
sf_kill "$cli"
echo "  kernel $(grep -m1 '^client: sent' "$cli_log")"
grep -Eq 'reset by peer|Broken pipe' "$cli_log" ||
	fail "the kernel client did not see a reset: $(cat "$cli_log")"
sf_synfin_stop
sf_check_ge "tcp_tx_rst (to the kernel's retransmission)" \
	"$(($(sf_ctr tcp_tx_rst) - rst0))" 1
ok "the kernel client ended with ECONNRESET once the path reopened"
check_freed final echo
rm -f "$in" "$out"
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-1.log"

# ---- 2. client side: rto-exhausted ----------------------------------------
echo "$SF_NAME: 2. synfin's echo client streams to the kernel; blackhole"
client_start echo-server "$SF_WORKDIR/echo-server.log"
for ((i = 0; i < 100; i++)); do
	sf_snapshot
	[ "$(sf_ctr_snap echo_bytes_rx)" -ge 1048576 ] && break
done
blackhole on
got=$(sf_ctr_snap echo_bytes_rx)
[ "$got" -ge 1048576 ] || fail "only $got bytes echoed back"
ok "$got bytes echoed back to synfin, then the blackhole"
client_aborted
# The kernel's side of it would retransmit into the next part: closed while
# the path is still cut (its RST is dropped too).
sf_kill "$srv"
blackhole off
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-2.log"

# ---- 3. client side, the kernel's window shut: persist-timeout ------------
echo "$SF_NAME: 3. synfin's echo client streams to a kernel server that" \
	"never reads; its window shuts; blackhole"
client_start deaf-server "$SF_WORKDIR/deaf-server.log"
# Two probes answered with window 0: synfin is in persist, and the
# answers showed the probes do not spend the retry budget.
for ((i = 0; i < 100; i++)); do
	sf_snapshot
	[ "$(sf_ctr_snap tcp_window_probes)" -ge 2 ] && break
	sleep 0.1
done
blackhole on
got=$(sf_ctr_snap tcp_window_probes)
[ "$got" -ge 2 ] || fail "only $got zero-window probes before the cut"
ok "$(sf_ctr_snap echo_bytes_tx) bytes sent, the kernel's window shut," \
	"$got probes answered, then the blackhole"
client_aborted
grep -q 'CLOSED (persist-timeout)' "$SF_SYNFIN_LOG" ||
	fail "the abort was not persist-timeout: $(grep -Em1 "$ABORT_RE" \
		"$SF_SYNFIN_LOG")"
sf_kill "$srv"
blackhole off
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-3.log"

# ---- 4. keepalive-timeout -------------------------------------------------
echo "$SF_NAME: 4. idle connection to synfin's echo server, keepalive" \
	"1 s + 3 x 300 ms; blackhole"
sf_synfin_start --mode server --app echo --port "$PORT_SYNFIN" \
	--gateway "$SF_IP_MID_DUT" --trace "port $PORT_SYNFIN" \
	"${RETRY[@]}" "${KEEPALIVE[@]}"
sf_synfin_wait_ready
go="$SF_WORKDIR/go"
hold_log="$SF_WORKDIR/hold.log"
sf_peer_bg "$hold_log" "$SF_PY" "$PEER_PY" hold "$SF_IP_DUT" \
	"$PORT_SYNFIN" "$go" --timeout 60
hold=$SF_BG_PID
sf_wait_file_re "$hold_log" '^echoed 10 bytes' 10 "$hold" ||
	fail "the kernel's hold client: $(cat "$hold_log")"
ok "kernel client: $(head -n1 "$hold_log"); idle from now"
sleep 2.5
sf_snapshot
sf_check_ge "snap: tcp_keepalive_probes (answered)" \
	"$(sf_ctr_snap tcp_keepalive_probes)" 1
sf_check_tcp_states snap ESTABLISHED=1
blackhole on
# The idle second may have begun before the blackhole (probes run on
# it): the three unanswered probes, 300 ms apart, then the RST, take
# 0.9 s at least.
abort_time 'ESTABLISHED -> CLOSED \| CLOSED \(keepalive-timeout\)' \
	"$KA_MAX_S" 0.9
sf_snapshot
echo "  synfin: $(sf_ctr_line snap tcp_keepalive_probes tcp_tx_rst \
	tcp_rto_aborts echo_err_timeout echo_errors mbuf_pool0_free \
	mbuf_pool0_size)"
# the trace: exactly 3 probes since the last segment from the kernel
sf_check_eq "trace: keepalive probes unanswered before the RST" \
	"$(awk '/^synfin\.trace: [0-9.]+ in / { n = 0 }
		/^synfin\.trace: .*\| keepalive probe$/ { n++ }
		/CLOSED \(keepalive-timeout\)/ { print n + 0; exit }' \
		"$SF_SYNFIN_LOG")" 3
sf_check_eq "snap: tcp_rto_aborts" "$(sf_ctr_snap tcp_rto_aborts)" 0
check_freed snap echo
blackhole off
touch "$go"
sf_kill "$hold"
sf_synfin_stop
check_freed final echo
pass "rto-exhausted as server and client, persist-timeout, keepalive-timeout; all freed"
