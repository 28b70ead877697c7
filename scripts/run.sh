#!/bin/bash
# The main job, on the embedded default (no NIC needed): install what is
# missing, build, make the two-namespace topology, start synfin on
# net_af_packet, let the Linux kernel peer ping and arping it, show synfin's
# ARP resolution of the peer, stop it and show its counters. Everything it
# made is removed on any exit.
#
#   sudo scripts/run.sh             build dir: build (SF_BUILD to change)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SF_BUILD:-build}
SF_SRCDIR=$PWD
SYNFIN=$SF_SRCDIR/$BUILD/app/synfin/synfin
SF_NAME=run
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh

STEP=
step()
{
	STEP=$*
	printf '\n== %s\n' "$*"
}

# show CMD...: print the command, then run it
show()
{
	echo "\$ $*"
	"$@"
}

on_err()
{
	echo "run.sh: FAILED at step: $STEP" >&2
	sf_log_tail >&2
}
trap on_err ERR

if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: needs root (namespaces, af_packet): sudo $0" >&2
	exit 1
fi

step "1. Dependencies"
sf_deps_setup

step "2. Build ($BUILD)"
if [ ! -f "$BUILD/build.ninja" ]; then
	out=$(meson setup "$BUILD" 2>&1) || { echo "$out"; false; }
	echo "configured $BUILD"
fi
ninja -C "$BUILD"

step "3. Topology: kernel peer $SF_IP_PEER <-> synfin $SF_IP_DUT (veth)"
sf_init run

step "4. Start synfin in netns $SF_NS_DUT"
sf_synfin_start --gateway "$SF_IP_PEER"
sf_synfin_wait_ready
grep '^synfin: ready' "$SF_SYNFIN_LOG"

step "5. The kernel peer pings synfin"
show ip netns exec "$SF_NS_PEER" ping -c 3 -i 0.2 -W 2 "$SF_IP_DUT"
echo
show ip netns exec "$SF_NS_PEER" ping -c 3 -i 0.2 -W 2 -s 1400 "$SF_IP_DUT"

step "6. The kernel peer asks synfin's MAC (arping)"
show ip netns exec "$SF_NS_PEER" timeout 20 \
	arping -c 3 -I "$SF_IF_PEER" "$SF_IP_DUT"
echo
show ip netns exec "$SF_NS_PEER" ip neigh show dev "$SF_IF_PEER"

step "7. synfin resolved its gateway $SF_IP_PEER by ARP"
sf_log_wait "ARP $SF_IP_PEER is at " 10 ||
	{ echo "no 'ARP $SF_IP_PEER is at' line in synfin's log" >&2; false; }
grep -E "ARP $SF_IP_PEER is at " "$SF_SYNFIN_LOG"
echo "(the peer's MAC: $(ip netns exec "$SF_NS_PEER" \
	cat "/sys/class/net/$SF_IF_PEER/address"))"

step "8. SIGTERM; synfin's final counters"
sf_synfin_stop
echo "synfin: final counters"
sf_counters_block | awk '{ printf "  %-20s %8s%s", $1, $2, (NR % 2 ? "  " : "\n") }
	END { if (NR % 2) print "" }'

step "Done: namespaces and processes are removed on exit"
