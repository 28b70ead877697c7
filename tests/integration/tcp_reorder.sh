#!/bin/bash
# TCP through delay and reordering: the kernel peer reaches synfin through
# the router namespace of sf_topo_mid_up, where the kernel does not forward
# (ip_forward=0) and fwd_delay.py routes instead: every frame waits
# REORDER_DELAY_MS (default 10) ms each way, and REORDER_PCT (default 2) %
# of them are held back until 3 later frames of their direction have
# overtaken them (at most 50 ms more).
#  1. kernel client -> synfin's echo server: REORDER_SERVER_MIB (default 8)
#     MiB of random data with nc -N; the echo must be byte-identical
#     (SHA-256).
#  2. synfin's echo client -> kernel echo server (tcp_peer.py):
#     REORDER_CLIENT_MIB (default 8) MiB, verified by synfin: exit status 0
#     and its OK line.
# Each part has a forwarder of its own, and must show frames reordered and
# overtaken, and out-of-order segments queued by synfin (tcp_ooo_queued);
# afterwards synfin holds no connection (but part 2's TIME_WAIT) and has
# every mbuf back in its pool.
# Limits: REORDER_TIMEOUT (90 s) for each transfer. Printed: the
# forwarder's counts and synfin's retransmission and reordering counters.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT_SYNFIN=7
PORT_KERNEL=7007
SERVER_BYTES=$((${REORDER_SERVER_MIB:-8} * 1024 * 1024))
CLIENT_BYTES=$((${REORDER_CLIENT_MIB:-8} * 1024 * 1024))
TIMEOUT=${REORDER_TIMEOUT:-90}
DELAY_MS=${REORDER_DELAY_MS:-10}
REORDER_PCT=${REORDER_PCT:-2}
FWD_PY="$SF_SRCDIR/tests/integration/fwd_delay.py"
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"
SYNFIN_COUNTERS=(tcp_rx_segs tcp_tx_segs tcp_retransmits tcp_rto_timeouts
	tcp_fast_recoveries tcp_rexmit_lost tcp_sack_rexmit_skips
	tcp_loss_probes tcp_ooo_queued tcp_drop_ooo_full tcp_ext_pool_empty
	tcp_drop_seq
	echo_bytes_rx echo_bytes_tx echo_errors)

sf_test_init
command -v nc >/dev/null || fail "missing tool: nc (netcat-openbsd)"
sf_topo_mid_up
sf_mid sysctl -qw net.ipv4.ip_forward=0 ||
	fail "cannot turn forwarding off in $SF_NS_MID"
ok "$SF_NS_MID: kernel forwarding off, fwd_delay.py routes"

FWD_PID=
FWD_LOG=
# fwd_start PART: the forwarder in the middle, until it says ready.
fwd_start()
{
	FWD_LOG="$SF_WORKDIR/fwd-$1.log"
	ip netns exec "$SF_NS_MID" "$SF_PY" "$FWD_PY" \
		"$SF_IF_MID_PEER" "$SF_IF_MID_DUT" \
		--net-a "${SF_IP_PEER%.*}.0/24" --mac-a "$SF_MAC_PEER" \
		--net-b "${SF_IP_DUT%.*}.0/24" --mac-b "$SF_MAC_DUT" \
		--delay-ms "$DELAY_MS" --reorder-pct "$REORDER_PCT" \
		--reorder-gap 3 --reorder-hold-ms 50 --seed "$1$$" \
		--timeout $((TIMEOUT + 60)) --json "$SF_WORKDIR/fwd-$1.json" \
		> "$FWD_LOG" 2>&1 < /dev/null &
	FWD_PID=$!
	sf_track "$FWD_PID"
	sf_wait_file_re "$FWD_LOG" '^fwd_delay: ready' 10 "$FWD_PID" ||
		fail "fwd_delay.py did not start: $(cat "$FWD_LOG")"
	ok "forwarder (pid $FWD_PID): $(sed -n 's/^fwd_delay: ready: //p' \
		"$FWD_LOG" | sed 's/, timeout.*//')"
}

# fwd_stop PART: SIGTERM, print its counts; frames must have been
# reordered and overtaken.
fwd_stop()
{
	local j="$SF_WORKDIR/fwd-$1.json" v rc=0
	sf_alive "$FWD_PID" || fail "part $1: the forwarder ended early:"\
$'\n'"$(tail -n 20 "$FWD_LOG")"
	sf_kill "$FWD_PID" 5
	wait "$FWD_PID" 2>/dev/null || rc=$?
	[ "$rc" -eq 0 ] && grep -q '^fwd_delay: stopping: SIGTERM' "$FWD_LOG" ||
		fail "part $1: the forwarder's status $rc after SIGTERM:"\
$'\n'"$(tail -n 20 "$FWD_LOG")"
	grep '^fwd_delay: \(final\|  \)' "$FWD_LOG" | sed 's/^/  /'
	[ -s "$j" ] || fail "part $1: the forwarder wrote no $j:"$'\n'"$(cat \
		"$FWD_LOG")"
	for v in reordered overtaken; do
		sf_check_ge "part $1: forwarder's frames $v" \
			"$("$SF_PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$j" "$v")" 1
	done
}

# ---- 1. kernel client -> synfin's echo server ----------------------------
echo "$SF_NAME: 1. kernel client -> synfin echo server, $SERVER_BYTES" \
	"bytes, ${DELAY_MS} ms each way, ${REORDER_PCT}% reordered"
fwd_start 1
sf_synfin_start --mode server --app echo --port "$PORT_SYNFIN" \
	--gateway "$SF_IP_MID_DUT"
sf_synfin_wait_ready
in="$SF_WORKDIR/big.in"
out="$SF_WORKDIR/big.out"
head -c "$SERVER_BYTES" /dev/urandom > "$in"
sf_peer_xfer "$in" "$out" 20 "$TIMEOUT" nc -N "$SF_IP_DUT" "$PORT_SYNFIN"
got=$(stat -c %s "$out" 2>/dev/null || echo 0)
[ "$SF_XFER" = exit ] && [ "$SF_XFER_RC" -eq 0 ] ||
	fail "1: nc: $SF_XFER, status $SF_XFER_RC after ${SF_XFER_S}s" \
		"(limit ${TIMEOUT}s), $got of $SERVER_BYTES bytes echoed back"
hi=$(sha256sum < "$in" | cut -c1-64)
ho=$(sha256sum < "$out" | cut -c1-64)
[ "$hi" = "$ho" ] || fail "1: sent $SERVER_BYTES bytes, received $got," \
	"SHA-256 ${hi:0:16}... != ${ho:0:16}... (first difference:" \
	"$(cmp "$in" "$out" 2>&1 | head -n1))"
ok "$((SERVER_BYTES / 1048576)) MiB echoed intact through delay and" \
	"reordering in ${SF_XFER_S}s, $(awk -v b="$got" -v s="$SF_XFER_S" \
	'BEGIN { printf "%.2f", b / (s > 0 ? s : 1) / 1e6 }') MB/s" \
	"(SHA-256 ${hi:0:16}...)"
rm -f "$in" "$out"
fwd_stop 1
sf_synfin_stop
echo "  synfin: $(sf_ctr_line final "${SYNFIN_COUNTERS[@]}")"
sf_check_eq "echo_bytes_tx" "$(sf_ctr echo_bytes_tx)" "$SERVER_BYTES"
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0
sf_check_ge "tcp_ooo_queued (synfin saw the reordering)" \
	"$(sf_ctr tcp_ooo_queued)" 1
sf_check_tcp_states final
sf_check_eq "mbuf_pool0_free (every mbuf back)" "$(sf_ctr mbuf_pool0_free)" \
	"$(sf_ctr mbuf_pool0_size)"
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-server.log"

# ---- 2. synfin's echo client -> kernel echo server -----------------------
echo "$SF_NAME: 2. synfin echo client -> kernel echo server," \
	"$CLIENT_BYTES bytes"
fwd_start 2
srv_log="$SF_WORKDIR/echo-server.log"
sf_peer_bg "$srv_log" "$SF_PY" "$PEER_PY" echo-server "$SF_IP_PEER" \
	"$PORT_KERNEL"
sf_wait_file_re "$srv_log" '^listening' 10 "$SF_BG_PID" ||
	fail "kernel echo server did not start: $(cat "$srv_log")"
t0=$(sf_now)
sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
	--port "$PORT_KERNEL" --bytes "$CLIENT_BYTES" \
	--gateway "$SF_IP_MID_DUT"
sf_synfin_wait_exit "$TIMEOUT"
el=$(sf_since "$t0")
verdict=$(grep -m1 '^synfin: echo client: sent' "$SF_SYNFIN_LOG") ||
	fail "no 'synfin: echo client:' line (exit status $SF_SYNFIN_RC)"
echo "  $verdict"
sf_check_eq "synfin's exit status (after ${el}s)" "$SF_SYNFIN_RC" 0
grep -Eq "sent $CLIENT_BYTES received $CLIENT_BYTES verified\
 $CLIENT_BYTES bytes, 0 errors: OK$" <<< "$verdict" ||
	fail "not the OK line for $CLIENT_BYTES bytes: $verdict"
ok "$((CLIENT_BYTES / 1048576)) MiB verified by synfin's client through" \
	"delay and reordering in ${el}s, $(awk -v b="$CLIENT_BYTES" \
	-v s="$el" 'BEGIN { printf "%.2f", b / s / 1e6 }') MB/s"
fwd_stop 2
echo "  synfin: $(sf_ctr_line final "${SYNFIN_COUNTERS[@]}")"
sf_check_ge "tcp_ooo_queued (synfin saw the reordering)" \
	"$(sf_ctr tcp_ooo_queued)" 1
sf_check_tcp_states final TIME_WAIT=1
sf_check_eq "mbuf_pool0_free (every mbuf back)" "$(sf_ctr mbuf_pool0_free)" \
	"$(sf_ctr mbuf_pool0_size)"
pass "$((SERVER_BYTES / 1048576)) MiB to synfin's server,\
 $((CLIENT_BYTES / 1048576)) MiB from its client, byte-exact through\
 ${DELAY_MS} ms delay each way and ${REORDER_PCT}% reordering"
