#!/bin/bash
# Kernel clients against synfin's echo server: 100 MiB of random data with
# nc -N (the echo must be byte-identical: SHA-256), then 1 byte, then an
# empty connection (connect and close). Afterwards synfin's counters: one
# passive open per connection, all of them closed normally (echo_errors 0),
# every byte echoed, no connection left in any state, no SYN refused.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=7
BIG=$((100 * 1024 * 1024))

sf_test_init
command -v nc >/dev/null || fail "missing tool: nc (netcat-openbsd)"
sf_synfin_start --mode server --app echo --port "$PORT"
sf_synfin_wait_ready

# echo_case LABEL BYTES LIMIT_S: nc -N sends the file, half-closes after
# the last byte and reads the echo until synfin's FIN. A transfer that makes
# no progress for 10 s, or takes over LIMIT_S, is stopped and diagnosed.
conns=0
total=0
echo_case()
{
	local label=$1 n=$2 limit=$3 in out hi ho got diff
	in="$SF_WORKDIR/${label// /_}.in"
	out="$SF_WORKDIR/${label// /_}.out"
	head -c "$n" /dev/urandom > "$in"
	sf_peer_xfer "$in" "$out" 10 "$limit" nc -N "$SF_IP_DUT" "$PORT"
	conns=$((conns + 1))
	total=$((total + n))
	got=$(stat -c %s "$out" 2>/dev/null || echo 0)
	hi=$(sha256sum < "$in" | cut -c1-64)
	ho=$(sha256sum < "$out" | cut -c1-64)
	diff=$(cmp "$in" "$out" 2>&1 | head -n1) || true
	rm -f "$in" "$out"	# 100 MiB each: not kept, even on failure
	[ "$SF_XFER" = exit ] && [ "$SF_XFER_RC" -eq 0 ] ||
		fail "$label: nc: $SF_XFER, status $SF_XFER_RC after" \
			"${SF_XFER_S}s, $got of $n bytes back"
	[ "$hi" = "$ho" ] ||
		fail "$label: sent $n bytes, received $got, SHA-256" \
			"${hi:0:16}... != ${ho:0:16}... (first difference: $diff)"
	ok "$label: $n bytes echoed intact in ${SF_XFER_S}s" \
		"(SHA-256 ${hi:0:16}...)"
}

echo_case "100 MiB" "$BIG" 60	# about 3 s on a 2-core VM
echo_case "1 byte" 1 20
echo_case "empty" 0 20

sf_synfin_stop
echo "  counters: $(sf_ctr_line final tcp_passive_opens tcp_conns_closed \
	tcp_rx_segs tcp_tx_segs tcp_retransmits tcp_ooo_queued \
	tcp_drop_ooo_full tcp_drop_table_full echo_conns_opened \
	echo_conns_closed echo_bytes_rx echo_bytes_tx echo_errors)"
sf_check_eq "tcp_passive_opens ($conns connections)" \
	"$(sf_ctr tcp_passive_opens)" "$conns"
sf_check_eq "echo_conns_opened" "$(sf_ctr echo_conns_opened)" "$conns"
sf_check_eq "echo_conns_closed" "$(sf_ctr echo_conns_closed)" "$conns"
sf_check_eq "tcp_conns_closed" "$(sf_ctr tcp_conns_closed)" "$conns"
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0
sf_check_eq "echo_bytes_rx" "$(sf_ctr echo_bytes_rx)" "$total"
sf_check_eq "echo_bytes_tx" "$(sf_ctr echo_bytes_tx)" "$total"
sf_check_tcp_states final
# 3 connections, one at a time, in a table of tcp.max_conns (65536): a
# refused SYN here costs the client a 1 s SYN retransmission
for c in tcp_drop_table_full tcp_attempt_fails tcp_estab_resets \
	 tcp_rx_rst tcp_tx_rst tcp_drop_csum tx_drop_full mbuf_alloc_fail; do
	sf_check_eq "$c" "$(sf_ctr "$c")" 0
done
pass "$conns connections, $total bytes echoed intact"
