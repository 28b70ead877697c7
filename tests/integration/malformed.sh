#!/bin/bash
# Malformed frames from the kernel peer's namespace (scapy): synfin must not
# answer any of them and must count each in its drop counter; it must answer
# a valid echo request padded with 20 trailing Ethernet bytes exactly once
# (the IP total length governs, not the frame length), and still answer
# pings afterwards.
#
# Fragments on net_af_packet: DPDK's af_packet PMD joins a PACKET_FANOUT
# group with PACKET_FANOUT_FLAG_DEFRAG, so the kernel of synfin's namespace
# reassembles IPv4 fragments before synfin sees them: a lone fragment never
# reaches synfin (no reply, ip_drop_frag unchanged), and a complete
# fragmented echo request reaches it whole (one reply). On a port without
# that (a NIC, net_tap, net_memif) each fragment counts in ip_drop_frag.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

N=3				# requests sent per case

sf_test_init
sf_synfin_start --gateway "$SF_IP_PEER"
sf_synfin_wait_ready
sf_ping "warm-up: 3 pings" 3 -c 3 -i 0.2 -W 2 -w 10
sf_snapshot			# counters before the garbage

out=$(sf_peer "$SF_PY" "$SF_PKT" malformed "$SF_IF_PEER" "$SF_MAC_DUT" \
	"$SF_IP_DUT" "$SF_IP_PEER" "$N") ||
	fail "pkt.py malformed failed:"$'\n'"$out"
while IFS= read -r l; do echo "  scapy: $l"; done <<< "$out"

# "case NAME sent N replies M good G"
declare -A replies good
while read -r _ name _ sent _ r _ g; do
	[ "$sent" -eq "$N" ] || fail "case $name: sent $sent, not $N"
	replies[$name]=$r
	good[$name]=$g
done <<< "$out"

if [ "$SF_PMD" = net_af_packet ]; then
	frag_drops=0		# the kernel defragments (see above)
	frag_pair_replies=$N
else
	frag_drops=$((3 * N))	# N lone fragments, N pairs
	frag_pair_replies=0
fi

# replies: none, except to the padded echo and (af_packet) the whole
# fragmented echo, and those exactly one correct reply per request
for c in "${!replies[@]}"; do
	case $c in
	padded_valid)	want=$N ;;
	fragment_pair)	want=$frag_pair_replies ;;
	*)		want=0 ;;
	esac
	[ "${replies[$c]}" -eq "$want" ] && [ "${good[$c]}" -eq "$want" ] ||
		fail "case $c: ${replies[$c]} replies (${good[$c]} correct)" \
			"to $N requests, expected $want"
done
[ "${#replies[@]}" -eq 17 ] || fail "expected 17 cases, got ${#replies[@]}"
ok "no reply to any of the 15 malformed cases ($N requests each)"
ok "padded valid echo: $N requests, exactly $N correct replies"
ok "fragmented whole echo: $frag_pair_replies replies ($SF_PMD)"

sf_ping "3 pings after the garbage" 3 -c 3 -i 0.2 -W 2 -w 10

# counter(s) | expected rise | case
checks=(
	"ip_drop_csum|$N|bad_ip_csum"
	"eth_drop_short ip_drop_short|$N|truncated"
	"ip_drop_ihl|$N|ihl3"
	"ip_drop_version|$N|version6"
	"ip_drop_len|$N|len_gt_frame"
	"ip_drop_frag|$frag_drops|fragment_mf, fragment_pair ($SF_PMD)"
	"ip_drop_ttl|$N|ttl0"
	"eth_drop_not_us|$N|other_mac"
	"ip_drop_not_us|$N|ip_not_us"
	"ip_drop_bad_src|$N|bad_src"
	"ip_drop_proto|$N|udp_proto"
	"icmp_drop_csum|$N|icmp_bad_csum"
	"icmp_drop_type|$N|icmp_type13"
	"icmp_drop_short|$N|icmp_short"
	"eth_drop_type|$N|eth_type_ipv6"
	"icmp_tx_echo_reply|$((N + frag_pair_replies + 3))|padded_valid, fragment_pair, pings"
	"arp_drop_bad|0|all"
)
declare -A before
for row in "${checks[@]}"; do
	for k in ${row%%|*}; do
		before[$k]=$(sf_ctr_snap "$k")
	done
done

sf_synfin_stop
for row in "${checks[@]}"; do
	IFS='|' read -r keys want what <<< "$row"
	rise=0
	for k in $keys; do
		rise=$((rise + $(sf_ctr "$k") - before[$k]))
	done
	sf_check_eq "case $what: rise of ${keys// / + }" "$rise" "$want"
done
pass
