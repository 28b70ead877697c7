#!/bin/bash
# Half-close: a kernel client (tcp_peer.py) hands 1 MiB to its kernel and
# calls shutdown(SHUT_WR) at once, then reads nothing for 0.5 s: synfin's
# queues and the client's receive buffer fill, so the client's FIN reaches
# synfin while synfin still holds hundreds of KiB to echo. synfin must go on
# sending in CLOSE_WAIT and close only after the last byte: the client must
# read all 1 MiB intact, then EOF. The capture on the peer's veth shows how
# many bytes synfin sent after the client's FIN (must be > 0, or the test
# did not test CLOSE_WAIT).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=7
BYTES=$((1024 * 1024))
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"

sf_test_init
sf_synfin_start --mode server --app echo --port "$PORT"
sf_synfin_wait_ready

in="$SF_WORKDIR/halfclose.in"
out="$SF_WORKDIR/halfclose.out"
head -c "$BYTES" /dev/urandom > "$in"
pcap="$SF_WORKDIR/halfclose.pcap"
sf_tcpdump_start "$SF_NS_PEER" "$SF_IF_PEER" "$pcap" tcp
sf_peer_xfer /dev/null "$SF_WORKDIR/client.log" 0 60 \
	"$SF_PY" "$PEER_PY" client "$SF_IP_DUT" "$PORT" "$in" "$out" \
	--sndbuf-force $((4 * BYTES)) --read-after-shutdown --read-delay 0.5 \
	--timeout 30
sed 's/^/  /' "$SF_WORKDIR/client.log"
[ "$SF_XFER" = exit ] && [ "$SF_XFER_RC" -eq 0 ] ||
	fail "client: $SF_XFER, status $SF_XFER_RC after ${SF_XFER_S}s," \
		"$(stat -c %s "$out" 2>/dev/null || echo 0) of $BYTES bytes back:" \
		"$(cat "$SF_WORKDIR/client.log.err" 2>/dev/null)"
sf_tcpdump_stop
hi=$(sha256sum < "$in" | cut -c1-64)
ho=$(sha256sum < "$out" | cut -c1-64)
[ "$hi" = "$ho" ] ||
	fail "sent $BYTES bytes, received $(stat -c %s "$out"), SHA-256" \
		"${hi:0:16}... != ${ho:0:16}... (first difference:" \
		"$(cmp "$in" "$out" 2>&1 | head -n1))"
ok "all $BYTES bytes echoed intact after the client's shutdown" \
	"(SHA-256 ${hi:0:16}...), then EOF"

res=$(sf_peer "$SF_PY" "$PEER_PY" after-fin "$pcap") ||
	fail "after-fin: $res"
echo "  $(grep '^after-fin:' <<< "$res")"
after=$(sed -n 's/^after_fin_bytes=//p' <<< "$res")
sf_check_ge "bytes synfin sent after the client's FIN (CLOSE_WAIT)" \
	"$after" 1

sleep 0.2
sf_snapshot
sf_check_tcp_states snap
sf_synfin_stop
echo "  counters: $(sf_ctr_line final tcp_passive_opens tcp_conns_closed \
	tcp_retransmits tcp_window_probes echo_bytes_rx echo_bytes_tx \
	echo_errors)"
sf_check_eq "tcp_passive_opens" "$(sf_ctr tcp_passive_opens)" 1
sf_check_eq "echo_conns_closed" "$(sf_ctr echo_conns_closed)" 1
sf_check_eq "echo_bytes_rx" "$(sf_ctr echo_bytes_rx)" "$BYTES"
sf_check_eq "echo_bytes_tx" "$(sf_ctr echo_bytes_tx)" "$BYTES"
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0
for c in tcp_estab_resets tcp_rx_rst tcp_tx_rst tcp_rto_aborts; do
	sf_check_eq "$c" "$(sf_ctr "$c")" 0
done
pass "$BYTES bytes after a half-close, $after of them sent in CLOSE_WAIT"
