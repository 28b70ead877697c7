#!/bin/bash
# Malformed TCP against synfin's echo server (issue 6, part 2): scapy in the
# peer's namespace (tcp_malformed.py) sends bad checksums, bad data
# offsets, bad options, tiny and huge MSS, impossible flag sets (SYN+FIN,
# SYN+RST, NULL, XMAS), LAND and broadcast/multicast sources to the
# listener and a closed port, then, inside a connection it opened itself,
# the same garbage plus segments outside the window, ACKs of unsent or
# ancient data, RST and SYN in the window (RFC 5961), out-of-range SACK
# blocks, Ethernet padding and IP fragments. Each case must get the reply
# RFC 9293 §3.10.7 and RFC 5961 call for (none, RST, ACK, challenge ACK)
# and move exactly its drop counter (SIGUSR1 snapshots around each case).
# Afterwards a kernel client's echo still works, no TCB is left and no mbuf
# allocation failed.
#
# scapy speaks from 198.18.0.3, an address of the link that the peer
# kernel does not own: the kernel drops synfin's answers to it silently
# (no socket, no forwarding), so it never resets the connections scapy
# opens and no nftables rule is needed.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=7
CLOSED=9
SRC=198.18.0.3
PY="$SF_SRCDIR/tests/integration/tcp_malformed.py"

sf_test_init
command -v nc >/dev/null || fail "missing tool: nc (netcat-openbsd)"
sf_synfin_start --mode server --app echo --port "$PORT"
sf_synfin_wait_ready

# kernel_echo LABEL: a kernel client's short echo must come back intact
kernel_echo()
{
	local got
	got=$(printf 'synfin-%s' "$1" |
		sf_peer timeout 10 nc -N "$SF_IP_DUT" "$PORT" 2>&1) || true
	[ "$got" = "synfin-$1" ] ||
		fail "$1: kernel echo returned '$got'"
	ok "$1: kernel client's echo intact"
}

kernel_echo "before the cases"

rc=0
out=$(sf_peer timeout 240 "$SF_PY" "$PY" "$SF_IF_PEER" "$SF_MAC_DUT" \
	"$SF_IP_DUT" "$SRC" "$PORT" "$CLOSED" "$SF_SYNFIN_PID" \
	"$SF_SYNFIN_LOG" "$SF_PMD" 2>&1) || rc=$?
while IFS= read -r l; do echo "  scapy: $l"; done <<< "$out"
sf_alive "$SF_SYNFIN_PID" || fail "synfin died during the cases"
[ "$rc" -eq 0 ] || fail "tcp_malformed.py: status $rc (see the cases above)"
n=$(sed -nE 's/^cases ([0-9]+) failed 0$/\1/p' <<< "$out")
[ -n "$n" ] && [ "$n" -ge 40 ] ||
	fail "tcp_malformed.py ran ${n:-no} cases, expected at least 40"
ok "$n cases: every reaction and counter as expected"

kernel_echo "after the cases"

sf_synfin_stop
sf_check_tcp_states final
sf_check_eq "mbuf_alloc_fail" "$(sf_ctr mbuf_alloc_fail)" 0
sf_check_eq "tx_drop_full" "$(sf_ctr tx_drop_full)" 0
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0
if sf_counters_block | grep -q '^mbuf_pool0_free '; then
	sf_check_eq "mbufs back in the pool (mbuf_pool0_free)" \
		"$(sf_ctr mbuf_pool0_free)" "$(sf_ctr mbuf_pool0_size)"
fi
echo "  counters: $(sf_ctr_line final tcp_drop_csum tcp_drop_doff \
	tcp_drop_opts tcp_drop_flags tcp_drop_noack tcp_drop_seq \
	tcp_drop_ack tcp_drop_rst tcp_drop_sack_block tcp_rx_mss_low \
	tcp_challenge_acks ip_drop_bad_src ip_drop_csum)"
pass
