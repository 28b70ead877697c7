#!/bin/bash
# synfin test topology: two network namespaces joined by a veth pair.
#
#   topo.sh up [TAG]     (re)create it: down first, then up
#   topo.sh down [TAG]   remove it
#
#   netns sf-TAG-peer                         netns sf-TAG-dut
#   +----------------------------+           +-----------------------------+
#   | Linux kernel peer          |   veth    | synfin on net_af_packet     |
#   | sf-peer 198.18.0.1/24      |<--------->| sf-dut (no kernel address)  |
#   | 02:53:46:00:00:01          |           | 02:53:46:00:00:02           |
#   +----------------------------+           | synfin uses 198.18.0.2/24   |
#                                            +-----------------------------+
#
# Nothing is created in, bound to or sent from the root namespace: the veth
# pair is created directly inside the two namespaces. IPv6 is off in both so
# that only the test's own traffic crosses the link. Offloads are off on both
# ends, or af_packet sees unfinished checksums and 64 KB super-frames.
#
# Source it to get sf_topo_up/sf_topo_down and the SF_* names.

SF_IF_DUT=sf-dut
SF_IF_PEER=sf-peer
SF_MAC_DUT=02:53:46:00:00:02
SF_MAC_PEER=02:53:46:00:00:01
SF_IP_PEER=198.18.0.1		# RFC 2544 benchmarking range only
SF_IP_DUT=198.18.0.2
SF_PLEN=24

# Set SF_NS_DUT and SF_NS_PEER for TAG.
sf_topo_names()
{
	local tag=${1:-run}
	SF_NS_DUT="sf-$tag-dut"
	SF_NS_PEER="sf-$tag-peer"
}

sf_topo_down()
{
	local ns
	sf_topo_names "${1:-run}"
	for ns in "$SF_NS_DUT" "$SF_NS_PEER"; do
		if ip netns list | awk '{print $1}' | grep -qx -- "$ns"; then
			ip netns del "$ns" && echo "topo: removed netns $ns"
		fi
	done
	return 0
}

sf_topo_up()
{
	local tag=${1:-run} ns
	sf_topo_down "$tag" >/dev/null
	sf_topo_names "$tag"
	for ns in "$SF_NS_DUT" "$SF_NS_PEER"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$SF_NS_DUT" link add "$SF_IF_DUT" address "$SF_MAC_DUT" \
		type veth peer name "$SF_IF_PEER" address "$SF_MAC_PEER" \
		netns "$SF_NS_PEER" || return 1
	ip netns exec "$SF_NS_DUT" ethtool -K "$SF_IF_DUT" \
		rx off tx off tso off gso off gro off >/dev/null || return 1
	ip netns exec "$SF_NS_PEER" ethtool -K "$SF_IF_PEER" \
		rx off tx off tso off gso off gro off >/dev/null || return 1
	ip -n "$SF_NS_PEER" addr add "$SF_IP_PEER/$SF_PLEN" dev "$SF_IF_PEER" ||
		return 1
	ip -n "$SF_NS_DUT" link set "$SF_IF_DUT" up || return 1
	ip -n "$SF_NS_PEER" link set "$SF_IF_PEER" up || return 1
	echo "topo: netns $SF_NS_PEER: $SF_IF_PEER $SF_MAC_PEER" \
		"$SF_IP_PEER/$SF_PLEN (Linux kernel peer)"
	echo "topo: netns $SF_NS_DUT: $SF_IF_DUT $SF_MAC_DUT" \
		"no kernel address (synfin: $SF_IP_DUT/$SF_PLEN)"
	echo "topo: veth $SF_IF_PEER <-> $SF_IF_DUT, offloads off, IPv6 off"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	usage="usage: $0 up|down [TAG]"
	[ "$(id -u)" -eq 0 ] || { echo "topo: must run as root" >&2; exit 1; }
	case "${1:-}" in
	up)	sf_topo_up "${2:-run}" || { sf_topo_down "${2:-run}"; exit 1; } ;;
	down)	sf_topo_down "${2:-run}" ;;
	*)	echo "$usage" >&2; exit 2 ;;
	esac
fi
