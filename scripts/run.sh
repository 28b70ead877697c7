#!/bin/bash
# The main job, on the embedded default (no NIC needed): install what is
# missing, build, make the two-namespace topology, start synfin on
# net_af_packet as a TCP echo server, let the Linux kernel peer ping and
# arping it, show synfin's ARP resolution of the peer, capture one TCP
# connection's handshake and teardown, stream data through it and check it
# byte for byte, run synfin as an echo client against the kernel, serve
# HTTP to the kernel's curl and wrk, and load a synfin HTTP server with
# synfin's generator over memif (200,000 short connections).
# Everything it made is removed on any exit.
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

step "4. Start synfin in netns $SF_NS_DUT (TCP echo server on port 7)"
sf_synfin_start --gateway "$SF_IP_PEER" --mode server --app echo --port 7
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

step "8. One TCP connection, captured by tcpdump on the kernel side"
pcap=$SF_WORKDIR/one.pcap
ip netns exec "$SF_NS_PEER" tcpdump -Z root -i "$SF_IF_PEER" -nn -S -U --immediate-mode \
	-w "$pcap" tcp port 7 2> "$SF_WORKDIR/tcpdump.err" &
tcpdump_pid=$!
sf_track "$tcpdump_pid"
# synfin busy-polls a core: wait until tcpdump really listens.
for _ in $(seq 100); do
	grep -q 'listening on' "$SF_WORKDIR/tcpdump.err" && break
	sleep 0.1
done
show ip netns exec "$SF_NS_PEER" sh -c \
	"printf 'hello, synfin\\n' | timeout 10 nc -N $SF_IP_DUT 7"
sleep 0.5
sf_kill "$tcpdump_pid"
echo "(absolute sequence numbers: the SYN and each FIN take one)"
tcpdump -nn -S -r "$pcap" 2> /dev/null | sed 's/^[0-9:.]* IP //'

step "9. 8 MiB through synfin's echo server, checked with SHA-256"
head -c 8388608 /dev/urandom > "$SF_WORKDIR/in.bin"
t0=$(date +%s.%N)
ip netns exec "$SF_NS_PEER" timeout 60 nc -N "$SF_IP_DUT" 7 \
	< "$SF_WORKDIR/in.bin" > "$SF_WORKDIR/out.bin"
t1=$(date +%s.%N)
sha256sum "$SF_WORKDIR/in.bin" "$SF_WORKDIR/out.bin" | sed "s|$SF_WORKDIR/||"
[ "$(sha256sum < "$SF_WORKDIR/in.bin")" = \
	"$(sha256sum < "$SF_WORKDIR/out.bin")" ] ||
	{ echo "the echo differs from what was sent" >&2; false; }
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "echoed 8 MiB intact in %.2f s\n", b - a }'

step "10. SIGTERM; synfin's final counters (non-zero ones)"
sf_synfin_stop
echo "synfin: final counters"
sf_counters_block | awk '$2 != 0' |
	awk '{ printf "  %-22s %10s%s", $1, $2, (NR % 2 ? "  " : "\n") }
	END { if (NR % 2) print "" }'

step "11. synfin as the client: 4 MiB to a kernel echo server"
ip netns exec "$SF_NS_PEER" timeout 120 /usr/bin/python3 \
	tests/integration/tcp_peer.py echo-server "$SF_IP_PEER" 7007 \
	> "$SF_WORKDIR/echo-server.log" 2>&1 &
sf_track $!
for _ in $(seq 50); do
	grep -q '^listening' "$SF_WORKDIR/echo-server.log" && break
	sleep 0.1
done
read -r -a mem <<< "$(sf_eal_mem_args)"
show ip netns exec "$SF_NS_DUT" "$SYNFIN" -l 0 --no-pci \
	"--vdev=${SF_PMD}0,iface=$SF_IF_DUT" --file-prefix=sf-run-client \
	"${mem[@]}" --log-level='synfin.*:warning' -- \
	--ip "$SF_IP_DUT/$SF_PLEN" --stats-interval 0 --mode client \
	--app echo --target "$SF_IP_PEER" --port 7007 --bytes 4194304 \
	> "$SF_WORKDIR/client.log" 2>&1
grep -E '^synfin: echo client|tcp_state_TIME_WAIT|tcp_active_opens' \
	"$SF_WORKDIR/client.log"
echo "(synfin closed first, so it holds the connection in TIME_WAIT)"

step "12. synfin as an HTTP server (1 KiB bodies): the kernel's curl and wrk"
sf_synfin_start --mode server --app http --port 80 --body-size 1024
sf_synfin_wait_ready
show ip netns exec "$SF_NS_PEER" curl -sS -D - -o /dev/null \
	"http://$SF_IP_DUT/"
show ip netns exec "$SF_NS_PEER" timeout 30 wrk -t1 -c16 -d3s --latency \
	"http://$SF_IP_DUT/"
show ip netns exec "$SF_NS_PEER" timeout 30 wrk -t1 -c16 -d3s \
	-H 'Connection: close' "http://$SF_IP_DUT/"
sf_synfin_stop
sf_counters_block | grep -E '^http_(requests|responses|status_2xx|errors|err_reset) |^tcp_(passive_opens|retransmits) '
echo "(wrk resets the connections it still holds when it stops: err_reset)"

step "13. synfin's HTTP load generator against synfin's HTTP server (memif)"
echo "(two DPDK processes joined by net_memif, one core each: 200,000"
echo " short connections, one request each; its own namespace)"
SF_MEMIF_COUNT=200000 SYNFIN=$SYNFIN bash tests/integration/memif_short_conns.sh |
	grep -E '^  (synfin: |ok: (client|server)|client: |server: )|^PASS|^FAIL'

step "Done: namespaces and processes are removed on exit"
