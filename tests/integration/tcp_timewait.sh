#!/bin/bash
# TIME_WAIT belongs to the active closer, and only to it.
#  1. synfin's echo client (--set tcp.msl_ms=4000, so TIME_WAIT would last
#     8 s) against a kernel echo server: synfin closes first. At its exit
#     its final counters hold exactly one connection, in TIME_WAIT; the
#     kernel (passive closer) is left with no socket at all, so synfin's
#     last ACK arrived. The echo client exits as soon as the close is done
#     (it does not wait out 2*MSL); part 3 watches it expire.
#  2. A kernel client against synfin's echo server: the kernel closes
#     first and holds TIME-WAIT (ss); synfin, the passive closer, holds
#     nothing (SIGUSR1 snapshot: every state 0, tcp_state_TIME_WAIT 0).
#  3. synfin's echo client again, with tcp.msl_ms=1000 and --linger 4000
#     (it stays up 4 s after the job): a snapshot right after the close
#     shows one TIME_WAIT, one after 2*MSL (plus the timer wheel's at most
#     1/8 lateness) shows none, and the record's expiry counts as the
#     connection's close.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT_KERNEL=7007
PORT_SYNFIN=7
MSL_MS=4000
BYTES=65536
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"

sf_test_init

# ---- 1. synfin closes first -----------------------------------------------
srv_log="$SF_WORKDIR/echo-server.log"
sf_peer_bg "$srv_log" "$SF_PY" "$PEER_PY" echo-server "$SF_IP_PEER" \
	"$PORT_KERNEL"
sf_wait_file_re "$srv_log" '^listening' 10 "$SF_BG_PID" ||
	fail "kernel echo server did not start: $(cat "$srv_log")"
t0=$(sf_now)
sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
	--port "$PORT_KERNEL" --bytes "$BYTES" --set "tcp.msl_ms=$MSL_MS"
sf_synfin_wait_exit 30
el=$(sf_since "$t0")
verdict=$(grep -m1 '^synfin: echo client: sent' "$SF_SYNFIN_LOG") || true
echo "  ${verdict:-no 'synfin: echo client:' line}"
sf_check_eq "echo client's exit status" "$SF_SYNFIN_RC" 0
grep -q ' 0 errors: OK$' <<< "$verdict" || fail "no OK line"
ok "synfin's echo client ran ${el}s in all, from start to exit" \
	"(2*MSL = $((2 * MSL_MS / 1000))s: it does not wait out TIME_WAIT)"
sf_check_tcp_states final TIME_WAIT=1
for c in tcp_tw_reused tcp_tw_full tcp_rx_rst tcp_tx_rst; do
	sf_check_eq "$c" "$(sf_ctr "$c")" 0
done
sf_wait_file_re "$srv_log" '^conn ' 5 ||
	fail "the kernel echo server did not finish its connection"
echo "  kernel echo server: $(grep -m1 '^conn ' "$srv_log")"
sleep 0.3
left=$(sf_peer ss -tanH 2>/dev/null |
	awk -v p=":$PORT_KERNEL" '$1 != "LISTEN" && $4 ~ p"$"')
[ -z "$left" ] ||
	fail "kernel sockets left (synfin's last ACK lost?):"$'\n'"$left"
ok "kernel side (passive closer): no socket left, not even TIME-WAIT"

# ---- 2. the kernel closes first ------------------------------------------
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-client.log"
sf_synfin_start --mode server --app echo --port "$PORT_SYNFIN" \
	--set "tcp.msl_ms=$MSL_MS"
sf_synfin_wait_ready
out=$(sf_peer timeout 20 "$SF_PY" "$PEER_PY" small "$SF_IP_DUT" \
	"$PORT_SYNFIN" timewait) || fail "kernel client: $out"
echo "  $out"
lport=$(sed -nE 's/.*local port ([0-9]+).*/\1/p' <<< "$out")
sleep 0.3
st=$(sf_peer ss -tanH 2>/dev/null | awk -v l="$SF_IP_PEER:$lport" \
	-v d="$SF_IP_DUT:$PORT_SYNFIN" '$4 == l && $5 == d { print $1 }')
sf_check_eq "kernel socket $SF_IP_PEER:$lport (active closer)" "$st" \
	TIME-WAIT
sf_snapshot
sf_check_tcp_states snap
sf_check_eq "tcp_conns_closed" "$(sf_ctr_snap tcp_conns_closed)" 1
sf_synfin_stop
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0

# ---- 3. TIME_WAIT expires after 2*MSL -------------------------------------
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-server.log"
sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
	--port "$PORT_KERNEL" --bytes "$BYTES" --set tcp.msl_ms=1000 \
	--linger 4000
sf_wait_file_re "$SF_SYNFIN_LOG" 'lingering' 20 "$SF_SYNFIN_PID" ||
	fail "the echo client did not finish: $(tail -3 "$SF_SYNFIN_LOG")"
sf_snapshot
sf_check_eq "tcp_state_TIME_WAIT right after the close" \
	"$(sf_ctr_snap tcp_state_TIME_WAIT)" 1
sf_check_eq "tcp_conns_closed while in TIME_WAIT" \
	"$(sf_ctr_snap tcp_conns_closed)" 0
sleep 2.6	# 2*MSL = 2 s; the wheel fires at most 1/8 late
sf_snapshot
sf_check_eq "tcp_state_TIME_WAIT after 2*MSL" \
	"$(sf_ctr_snap tcp_state_TIME_WAIT)" 0
sf_check_eq "tcp_conns_closed after 2*MSL" \
	"$(sf_ctr_snap tcp_conns_closed)" 1
sf_synfin_wait_exit 20
sf_check_eq "echo client's exit status" "$SF_SYNFIN_RC" 0
pass "TIME_WAIT held by the active closer only, and gone after 2*MSL"
