#!/bin/bash
# ARP with the Linux kernel peer: synfin answers arping with its MAC, resolves
# its gateway (the peer), announces itself with a gratuitous ARP, and ignores
# requests for other addresses.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

sf_test_init
peer_mac=$(sf_peer cat "/sys/class/net/$SF_IF_PEER/address")
dut_mac=$(ip netns exec "$SF_NS_DUT" cat "/sys/class/net/$SF_IF_DUT/address")

# capture ARP on the peer from before synfin starts (for its gratuitous ARP);
# tcpdump writes to stdout so that the shell, not tcpdump, opens the file
pcap="$SF_WORKDIR/arp.pcap"
# ip netns exec directly (not the sf_peer function) so that $! is
# tcpdump's own PID and sf_kill ends it.
ip netns exec "$SF_NS_PEER" tcpdump -i "$SF_IF_PEER" -U -n -w - arp > "$pcap" \
	2> "$SF_WORKDIR/tcpdump.err" &
tcpdump_pid=$!
sf_track "$tcpdump_pid"
for ((i = 0; i < 50; i++)); do
	grep -q 'listening on' "$SF_WORKDIR/tcpdump.err" && break
	sleep 0.1
done
grep -q 'listening on' "$SF_WORKDIR/tcpdump.err" ||
	fail "tcpdump did not start: $(cat "$SF_WORKDIR/tcpdump.err")"

sf_synfin_start --gateway "$SF_IP_PEER"
sf_synfin_wait_ready

# 1. synfin resolves its gateway, the kernel peer
sf_log_wait "ARP $SF_IP_PEER is at $peer_mac" 10 ||
	fail "no 'ARP $SF_IP_PEER is at $peer_mac' in synfin's log"
ok "synfin logged: $(grep -m1 -o "ARP $SF_IP_PEER is at [0-9a-f:]*" \
	"$SF_SYNFIN_LOG")"

# 2. the peer's neighbour table knows synfin's MAC (from synfin's gratuitous
# ARP or its request for the gateway), before any ping or arping
neigh=$(sf_peer ip neigh show "$SF_IP_DUT" dev "$SF_IF_PEER")
if ! grep -qi "lladdr $dut_mac" <<< "$neigh"; then
	sf_peer ping -c 1 -W 2 "$SF_IP_DUT" > /dev/null || true
	neigh=$(sf_peer ip neigh show "$SF_IP_DUT" dev "$SF_IF_PEER")
	grep -qi "lladdr $dut_mac" <<< "$neigh" ||
		fail "peer neighbour table has no $SF_IP_DUT lladdr $dut_mac:" \
			"'$neigh'"
	ok "peer learned synfin's MAC after a ping: $neigh"
else
	ok "peer learned synfin's MAC from synfin's own ARP: $neigh"
fi

# 3. arping from the peer: 3 replies, all with synfin's MAC
out=$(sf_peer timeout 20 arping -c 3 -I "$SF_IF_PEER" "$SF_IP_DUT" 2>&1) ||
	true
replies=$(grep -c "reply from $SF_IP_DUT \[" <<< "$out") || true
good=$(grep -ci "reply from $SF_IP_DUT \[$dut_mac\]" <<< "$out") || true
[ "$replies" -eq 3 ] && [ "$good" -eq 3 ] ||
	fail "arping: $replies replies, $good with $dut_mac, expected 3:" \
		$'\n'"$out"
ok "arping -c 3 $SF_IP_DUT: 3 replies from $dut_mac"

# 4. a request for another address gets no reply
out=$(sf_peer timeout 20 arping -c 2 -I "$SF_IF_PEER" 198.18.0.77 2>&1) ||
	true
probes=$(sed -nE 's/^Sent ([0-9]+) probe.*/\1/p' <<< "$out")
grep -q "Received 0 response" <<< "$out" && [ -n "$probes" ] ||
	fail "arping 198.18.0.77 got an answer:"$'\n'"$out"
ok "arping -c 2 198.18.0.77: $probes requests, no reply"

sleep 0.5
sf_synfin_stop
sf_kill "$tcpdump_pid"		# tcpdump: flush the capture

# 5. counters, and the gratuitous ARP on the wire
garp=$(sf_peer "$SF_PY" "$SF_PKT" garp "$pcap" "$dut_mac" "$SF_IP_DUT")
sf_check_ge "gratuitous ARPs from $dut_mac seen by the peer" "$garp" 1
sf_check_ge arp_tx_gratuitous "$(sf_ctr arp_tx_gratuitous)" 1
sf_check_ge arp_tx_request "$(sf_ctr arp_tx_request)" 1
sf_check_ge arp_rx_reply "$(sf_ctr arp_rx_reply)" 1
sf_check_ge arp_rx_request "$(sf_ctr arp_rx_request)" 3
# arp_rx_request counts every request, arp_drop_not_us those not for us
for_us=$(($(sf_ctr arp_rx_request) - $(sf_ctr arp_drop_not_us)))
sf_check_eq "arp_tx_reply (one per request for us: $for_us)" \
	"$(sf_ctr arp_tx_reply)" "$for_us"
sf_check_eq "arp_drop_not_us (requests for 198.18.0.77)" \
	"$(sf_ctr arp_drop_not_us)" "$probes"
sf_check_eq arp_drop_bad "$(sf_ctr arp_drop_bad)" 0
pass
