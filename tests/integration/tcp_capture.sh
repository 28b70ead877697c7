#!/bin/bash
# Segment by segment, from tcpdump on the kernel peer's veth (absolute
# sequence numbers), two small echo connections:
#   A. the kernel's client -> synfin's echo server: 5 bytes, read back,
#      shutdown, EOF, close (the kernel is the active closer);
#   B. synfin's echo client (--bytes 5) -> a kernel echo server (synfin is
#      the active closer).
# Each must be exactly: [S] seq=x, [S.] seq=y ack=x+1, [.] seq=x+1 ack=y+1;
# the data once each way; FIN seq=u from the active closer, its ACK ack=u+1,
# the other FIN seq=w ack=u+1 (the ACK may ride on it, or on data), and the
# last ACK seq=u+1 ack=w+1; then nothing (no retransmission, no RST).
# tcp_peer.py capcheck prints the lines annotated.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT_SYNFIN=7		# synfin's echo server
PORT_KERNEL=7007	# the kernel's echo server
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"

sf_test_init

# ---- A. kernel client -> synfin server -----------------------------------
echo "$SF_NAME: A. kernel client -> synfin echo server"
sf_synfin_start --mode server --app echo --port "$PORT_SYNFIN"
sf_synfin_wait_ready
pcap_a="$SF_WORKDIR/a-kernel-client.pcap"
sf_tcpdump_start "$SF_NS_PEER" "$SF_IF_PEER" "$pcap_a" tcp
out=$(sf_peer timeout 20 "$SF_PY" "$PEER_PY" small "$SF_IP_DUT" \
	"$PORT_SYNFIN" hello) || fail "kernel client: $out"
echo "  $out"
sf_tcpdump_stop
ok "capture A: $SF_TCPDUMP_COUNT TCP segments"
out=$(sf_peer "$SF_PY" "$PEER_PY" capcheck "$pcap_a" client 5 5) && rc=0 ||
	rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "capture A (kernel client, kernel closes first):" \
	"$(grep 'capcheck: FAIL' <<< "$out" | tr '\n' ' ')"
ok "capture A: handshake, 5 bytes each way, teardown as expected" \
	"($(sed -n 's/^capcheck: x=.*teardown: //p' <<< "$out"))"
sf_synfin_stop
sf_check_tcp_states final
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0

# ---- B. synfin client -> kernel server -----------------------------------
echo "$SF_NAME: B. synfin echo client -> kernel echo server"
srv_log="$SF_WORKDIR/echo-server.log"
sf_peer_bg "$srv_log" "$SF_PY" "$PEER_PY" echo-server "$SF_IP_PEER" \
	"$PORT_KERNEL"
sf_wait_file_re "$srv_log" '^listening' 10 "$SF_BG_PID" ||
	fail "kernel echo server did not start: $(cat "$srv_log")"
pcap_b="$SF_WORKDIR/b-synfin-client.pcap"
sf_tcpdump_start "$SF_NS_PEER" "$SF_IF_PEER" "$pcap_b" tcp
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-a.log"
sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
	--port "$PORT_KERNEL" --bytes 5
sf_synfin_wait_exit 30
verdict=$(grep -m1 '^synfin: echo client: sent' "$SF_SYNFIN_LOG") || true
echo "  ${verdict:-no 'synfin: echo client:' line}"
sf_check_eq "synfin echo client's exit status" "$SF_SYNFIN_RC" 0
sf_tcpdump_stop
ok "capture B: $SF_TCPDUMP_COUNT TCP segments"
out=$(sf_peer "$SF_PY" "$PEER_PY" capcheck "$pcap_b" client 5 5) && rc=0 ||
	rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "capture B (synfin client, synfin closes first):" \
	"$(grep 'capcheck: FAIL' <<< "$out" | tr '\n' ' ')"
ok "capture B: handshake, 5 bytes each way, teardown as expected" \
	"($(sed -n 's/^capcheck: x=.*teardown: //p' <<< "$out"))"
sf_check_tcp_states final TIME_WAIT=1
pass "both connections segment-exact"
