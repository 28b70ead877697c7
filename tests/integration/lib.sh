# shellcheck shell=bash
# Shared helpers of the integration tests (and of scripts/run.sh).
#
# A test sources this file, then calls sf_test_init; that makes a fresh
# topology (scripts/topo.sh) under a tag unique to the test and its PID, and
# arms a trap that always ends the processes the test started (by PID) and
# removes its namespaces. Exit codes: 0 pass, 1 fail, 77 skip (not root).
#
# Environment: SYNFIN (the executable; default build/app/synfin/synfin),
# SF_SRCDIR (the source tree), SF_EAL_MEM (EAL memory args, see deps.sh),
# SF_LCORE (the lcore synfin runs on, default 0), SF_KEEP (keep the work
# directory even on success).

SF_SRCDIR=${SF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SYNFIN=${SYNFIN:-$SF_SRCDIR/build/app/synfin/synfin}
# shellcheck disable=SC2034 # used by the tests that source this
SF_PY=/usr/bin/python3		# Debian's, the one that has scapy
SF_PMD=net_af_packet		# the DPDK driver synfin runs on, on SF_IF_DUT
# shellcheck disable=SC2034
SF_PKT="$SF_SRCDIR/tests/integration/pkt.py"

# shellcheck source=../../scripts/deps.sh
. "$SF_SRCDIR/scripts/deps.sh"
# shellcheck source=../../scripts/topo.sh
. "$SF_SRCDIR/scripts/topo.sh"

SF_NAME=${SF_NAME:-$(basename "$0" .sh)}
SF_TAG=
SF_WORKDIR=
SF_PIDS=()
SF_SYNFIN_PID=
SF_SYNFIN_LOG=
SF_SYNFIN_PREFIX=
SF_SYNFIN_RC=

# ---- messages -------------------------------------------------------------

# "  ok: what" for each check that held
ok()
{
	echo "  ok: $*"
}

sf_log_tail()
{
	if [ -n "$SF_SYNFIN_LOG" ] && [ -s "$SF_SYNFIN_LOG" ]; then
		echo "---- last lines of synfin's log ($SF_SYNFIN_LOG) ----"
		tail -n "${1:-30}" "$SF_SYNFIN_LOG"
		echo "----"
	fi
}

fail()
{
	echo "FAIL: $SF_NAME: $*" >&2
	sf_log_tail >&2
	exit 1
}

pass()
{
	echo "PASS: $SF_NAME${1:+: $1}"
	exit 0
}

skip()
{
	echo "SKIP: $SF_NAME: $*"
	exit 77
}

# sf_check_eq WHAT ACTUAL EXPECTED
sf_check_eq()
{
	if [ "$2" = "$3" ]; then
		ok "$1 = $2"
	else
		fail "$1 = $2, expected $3"
	fi
}

# sf_check_ge WHAT ACTUAL MIN
sf_check_ge()
{
	if [ "$2" -ge "$3" ]; then
		ok "$1 = $2 (>= $3)"
	else
		fail "$1 = $2, expected >= $3"
	fi
}

# ---- processes ------------------------------------------------------------

# True while PID runs (a zombie does not count).
sf_alive()
{
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# sf_kill PID [GRACE_S]: SIGTERM, wait up to GRACE_S (3), then SIGKILL.
sf_kill()
{
	local pid=$1 grace=${2:-3} i
	sf_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < grace * 10; i++)); do
		sf_alive "$pid" || return 0
		sleep 0.1
	done
	echo "$SF_NAME: pid $pid still running after ${grace}s, SIGKILL" >&2
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 20; i++)); do
		sf_alive "$pid" || return 0
		sleep 0.1
	done
}

# Remember a background PID so that the trap ends it.
sf_track()
{
	SF_PIDS+=("$1")
}

sf_cleanup()
{
	local rc=$? i
	trap - EXIT
	set +e
	for ((i = ${#SF_PIDS[@]} - 1; i >= 0; i--)); do
		sf_kill "${SF_PIDS[i]}"
		wait "${SF_PIDS[i]}" 2>/dev/null
	done
	if [ -n "$SF_SYNFIN_PREFIX" ]; then
		# only what this run's own --file-prefix named
		rm -rf "/var/run/dpdk/$SF_SYNFIN_PREFIX"
		rm -f "$SF_HUGE_DIR/${SF_SYNFIN_PREFIX}map_"*
	fi
	[ -n "$SF_TAG" ] && sf_topo_down "$SF_TAG" >/dev/null
	if [ -n "$SF_WORKDIR" ] && [ -d "$SF_WORKDIR" ]; then
		if [ "$rc" -eq 0 ] && [ -z "${SF_KEEP:-}" ]; then
			rm -rf "$SF_WORKDIR"
		else
			echo "$SF_NAME: files kept in $SF_WORKDIR" >&2
		fi
	fi
	exit "$rc"
}

# Two synfins over net_memif (memif_*.sh): the second one's EAL prefix and
# PID, which sf_memif_cleanup removes and ends before sf_cleanup (the first
# one is SF_SYNFIN_PREFIX / SF_SYNFIN_PID, as in the other tests).
SF_MEMIF_CLI_PREFIX=
SF_MEMIF_CLI_PID=

# sf_memif_cleanup: the exit trap of a memif test.
# shellcheck disable=SC2317 # run by the exit trap
sf_memif_cleanup()
{
	local rc=$?
	set +e
	if [ -n "$SF_MEMIF_CLI_PREFIX" ]; then
		[ -n "$SF_MEMIF_CLI_PID" ] && sf_kill "$SF_MEMIF_CLI_PID"
		rm -rf "/var/run/dpdk/$SF_MEMIF_CLI_PREFIX"
		rm -f "$SF_HUGE_DIR/${SF_MEMIF_CLI_PREFIX}map_"*
	fi
	[ -n "$SF_WORKDIR" ] && rm -f "$SF_WORKDIR/memif.sock"
	(exit "$rc")
	sf_cleanup
}

# sf_memif_start LOG PREFIX VDEV EAL-ARG... -- SYNFIN-OPTIONS...: one
# synfin in the dut namespace, in the background; sets SF_BG_PID.
sf_memif_start()
{
	local log=$1 prefix=$2 vdev=$3 mem eal=()
	shift 3
	while [ "$1" != -- ]; do
		eal+=("$1")
		shift
	done
	shift
	read -r -a mem <<< "$(sf_eal_mem_args)"
	local cmd=("$SYNFIN" "${eal[@]}" --no-pci "--vdev=$vdev"
		"--file-prefix=$prefix" "${mem[@]}" -- --stats-interval 0 \
		--set general.counters=all "$@")
	echo "$SF_NAME: ip netns exec $SF_NS_DUT ${cmd[*]}"
	ip netns exec "$SF_NS_DUT" "${cmd[@]}" > "$log" 2>&1 < /dev/null &
	SF_BG_PID=$!
	sf_track "$SF_BG_PID"
}

# sf_memif_client_exit LOG: after the server has left, the memif client
# SF_MEMIF_CLI_PID (run with --exit-wait, polling nothing) must see its link
# go down ("the peer left" in LOG) and exit within 10 s. Sets
# SF_MEMIF_CLI_RC, its exit status, and SF_SYNFIN_LOG to LOG.
# shellcheck disable=SC2034 # SF_MEMIF_CLI_RC: for the callers
sf_memif_client_exit()
{
	local i
	SF_SYNFIN_LOG=$1
	for ((i = 0; i < 100; i++)); do
		sf_alive "$SF_MEMIF_CLI_PID" || break
		sleep 0.1
	done
	sf_alive "$SF_MEMIF_CLI_PID" &&
		fail "the client still ran 10 s after the server left"
	SF_MEMIF_CLI_RC=0
	wait "$SF_MEMIF_CLI_PID" || SF_MEMIF_CLI_RC=$?
	SF_MEMIF_CLI_PID=
	grep -q '^synfin: the peer left$' "$1" ||
		fail "the client did not see the server leave ('the peer left')"
}

# sf_init TAG: work directory, trap, fresh topology sf-TAG-{dut,peer}.
sf_init()
{
	SF_TAG=$1
	[ -x "$SYNFIN" ] || fail "no synfin executable at $SYNFIN (build first)"
	SF_WORKDIR=$(mktemp -d "/tmp/sf-$SF_NAME.XXXXXX")
	trap sf_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	sf_topo_up "$SF_TAG" || fail "cannot create the topology"
}

# For the tests: root or skip; a tag unique to the test and its PID.
sf_test_init()
{
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
	local t
	for t in ip ethtool ping arping tcpdump timeout "$SF_PY"; do
		command -v "$t" >/dev/null || fail "missing tool: $t"
	done
	sf_init "$SF_NAME-$$"
}

# sf_peer CMD...: run CMD in the kernel peer's namespace.
sf_peer()
{
	ip netns exec "$SF_NS_PEER" "$@"
}

# ---- synfin ---------------------------------------------------------------

# sf_synfin_start [SYNFIN OPTIONS...]: start synfin in the dut namespace on
# net_af_packet, in the background, stdout and stderr to SF_SYNFIN_LOG.
sf_synfin_start()
{
	local mem
	read -r -a mem <<< "$(sf_eal_mem_args)"
	SF_SYNFIN_PREFIX="sf-$SF_TAG"
	SF_SYNFIN_LOG="$SF_WORKDIR/synfin.log"
	SF_SYNFIN_CMD=("$SYNFIN" -l "${SF_LCORE:-0}" --no-pci
		"--vdev=${SF_PMD}0,iface=$SF_IF_DUT"
		"--file-prefix=$SF_SYNFIN_PREFIX" "${mem[@]}"
		-- --ip "$SF_IP_DUT/$SF_PLEN" --stats-interval 0 \
		--set general.counters=all "$@")
	echo "$SF_NAME: ip netns exec $SF_NS_DUT ${SF_SYNFIN_CMD[*]}"
	ip netns exec "$SF_NS_DUT" "${SF_SYNFIN_CMD[@]}" \
		> "$SF_SYNFIN_LOG" 2>&1 < /dev/null &
	SF_SYNFIN_PID=$!
	sf_track "$SF_SYNFIN_PID"
}

# sf_synfin_wait_ready [TIMEOUT_S]: wait for "synfin: ready" (default 30 s).
sf_synfin_wait_ready()
{
	local timeout=${1:-30} i rc=0
	for ((i = 0; i < timeout * 10; i++)); do
		grep -q '^synfin: ready' "$SF_SYNFIN_LOG" && {
			ok "synfin ready (pid $SF_SYNFIN_PID," \
				"$(awk "BEGIN {print $i / 10}") s)"
			return 0
		}
		if ! sf_alive "$SF_SYNFIN_PID"; then
			wait "$SF_SYNFIN_PID" || rc=$?
			fail "synfin exited (status $rc) before 'synfin: ready'"
		fi
		sleep 0.1
	done
	fail "no 'synfin: ready' within ${timeout}s"
}

# sf_log_wait REGEX [TIMEOUT_S]: wait for a line of synfin's log (ERE).
sf_log_wait()
{
	local re=$1 timeout=${2:-10} i
	for ((i = 0; i < timeout * 10; i++)); do
		grep -Eq -- "$re" "$SF_SYNFIN_LOG" && return 0
		sf_alive "$SF_SYNFIN_PID" || break
		sleep 0.1
	done
	grep -Eq -- "$re" "$SF_SYNFIN_LOG"
}

# sf_synfin_stop: SIGTERM, up to 10 s, then SIGKILL; checks the exit status
# is 0 and the final counters were printed.
sf_synfin_stop()
{
	local i
	[ -n "$SF_SYNFIN_PID" ] || fail "synfin was not started"
	sf_alive "$SF_SYNFIN_PID" || fail "synfin died before SIGTERM"
	kill -TERM "$SF_SYNFIN_PID"
	for ((i = 0; i < 100; i++)); do
		sf_alive "$SF_SYNFIN_PID" || break
		sleep 0.1
	done
	if sf_alive "$SF_SYNFIN_PID"; then
		kill -KILL "$SF_SYNFIN_PID"
		wait "$SF_SYNFIN_PID" 2>/dev/null || true
		fail "synfin still running 10 s after SIGTERM (killed)"
	fi
	SF_SYNFIN_RC=0
	wait "$SF_SYNFIN_PID" || SF_SYNFIN_RC=$?
	[ "$SF_SYNFIN_RC" -eq 0 ] ||
		fail "synfin exited with status $SF_SYNFIN_RC after SIGTERM"
	grep -q '^synfin: final counters' "$SF_SYNFIN_LOG" ||
		fail "no 'synfin: final counters' block after SIGTERM"
	ok "synfin stopped by SIGTERM, exit status 0, final counters printed"
}

# sf_counters_block [MARKER [LOG]]: print the last counter block after MARKER
# ("synfin: final counters" by default) as "name value" lines.
sf_counters_block()
{
	awk -v m="${1:-synfin: final counters}" '
		$0 == m { n = 0; delete c; inb = 1; next }
		inb && /^  [A-Za-z0-9_]+ +[0-9]+$/ { c[++n] = $1 " " $2; next }
		{ inb = 0 }
		END { for (i = 1; i <= n; i++) print c[i] }
	' "${2:-$SF_SYNFIN_LOG}"
}

# sf_snapshot: SIGUSR1; waits for the new "synfin: counters" block.
sf_snapshot()
{
	local before i
	before=$(grep -c '^synfin: counters$' "$SF_SYNFIN_LOG") || true
	kill -USR1 "$SF_SYNFIN_PID"
	for ((i = 0; i < 50; i++)); do
		sleep 0.1
		[ "$(grep -c '^synfin: counters$' "$SF_SYNFIN_LOG")" -gt \
			"$before" ] && { sleep 0.3; return 0; }
	done
	fail "no 'synfin: counters' block 5 s after SIGUSR1"
}

# ---- kernel peer ----------------------------------------------------------

# sf_ping LABEL EXPECT PING-ARGS...: ping synfin from the kernel peer and
# require EXPECT replies, no loss, no duplicate, no corrupted reply. Adds the
# replies to SF_PING_REPLIES and prints the summary line. With -c and -w,
# ping sends until it has EXPECT replies: when one comes later than the
# interval (a loaded machine) it has sent one more, and that one's reply
# counts too; so at least EXPECT sent, every one answered.
SF_PING_REPLIES=0
SF_PING_SENT=0
sf_ping()
{
	local label=$1 expect=$2 out tx rx
	shift 2
	out=$(sf_peer ping "$@" "$SF_IP_DUT" 2>&1) || true
	tx=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' <<< "$out")
	rx=$(sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p' <<< "$out")
	[ -n "$tx" ] && [ -n "$rx" ] ||
		fail "$label: cannot read ping's summary:"$'\n'"$out"
	SF_PING_SENT=$((SF_PING_SENT + tx))
	SF_PING_REPLIES=$((SF_PING_REPLIES + rx))
	if [ "$tx" -lt "$expect" ] || [ "$rx" -ne "$tx" ] ||
	   grep -qE 'duplicates|errors|wrong data|corrupted' <<< "$out"; then
		fail "$label: sent $tx, received $rx, expected at least" \
			"$expect, every one answered:"$'\n'"$(tail -n 5 <<< "$out")"
	fi
	ok "$label: $tx sent, $rx replies, 0% loss" \
		"($(grep -E '^rtt' <<< "$out" | sed 's/ = /=/'))"
}

# ---- TCP tests: helpers added with the tcp_*.sh tests ----------------------

# sf_ctr NAME [MARKER]: NAME's value in the last block after MARKER (the
# final counters by default); fails if absent.
sf_ctr()
{
	local v m=${2:-synfin: final counters}
	v=$(sf_counters_block "$m" | awk -v n="$1" '$1 == n { print $2 }')
	[ -n "$v" ] || fail "no counter '$1' in synfin's '$m' block"
	echo "$v"
}

# sf_ctr_snap NAME: NAME's value in the last SIGUSR1 block.
sf_ctr_snap()
{
	sf_ctr "$1" "synfin: counters"
}

# sf_ctr_line [MARKER] NAME...: "name=value ..." of the block after MARKER
# ("final" or "snap" for short).
sf_ctr_line()
{
	local m=$1 n out=
	case $m in
	final)	m="synfin: final counters" ;;
	snap)	m="synfin: counters" ;;
	esac
	shift
	for n in "$@"; do
		out+="$n=$(sf_ctr "$n" "$m") "
	done
	echo "${out% }"
}

SF_TCP_STATES=(SYN_SENT SYN_RCVD ESTABLISHED FIN_WAIT_1 FIN_WAIT_2
	CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT)

# sf_check_tcp_states final|snap [STATE=N ...]: every tcp_state_* gauge of
# the block is N for the states named, 0 for the others.
sf_check_tcp_states()
{
	local which=$1 m s v want kv got=
	declare -A exp=()
	shift
	for kv in "$@"; do
		exp[${kv%%=*}]=${kv#*=}
	done
	[ "$which" = snap ] && m="synfin: counters" ||
		m="synfin: final counters"
	for s in "${SF_TCP_STATES[@]}"; do
		v=$(sf_ctr "tcp_state_$s" "$m")
		want=${exp[$s]:-0}
		[ "$v" = "$want" ] ||
			fail "$which counters: tcp_state_$s = $v, expected $want"
		[ "$v" = 0 ] || got+="$s=$v "
	done
	ok "$which counters: TCP states ${got:-all 0}${got:+(others 0)}"
}

# sf_wait_tcp_states TIMEOUT [STATE=N ...]: SIGUSR1 snapshots until every
# tcp_state_* gauge is N for the states named and 0 for the others; 1 if that
# is not so within TIMEOUT seconds. The last ACK of a close may be lost on an
# impaired path: the FIN's retransmission takes an RTO, so a test that checks
# the final states waits for them first.
sf_wait_tcp_states()
{
	local end=$((SECONDS + $1)) s kv ok
	declare -A exp=()
	shift
	for kv in "$@"; do
		exp[${kv%%=*}]=${kv#*=}
	done
	while :; do
		sf_snapshot
		ok=1
		for s in "${SF_TCP_STATES[@]}"; do
			[ "$(sf_ctr_snap "tcp_state_$s")" = "${exp[$s]:-0}" ] ||
				{ ok=0; break; }
		done
		[ "$ok" = 1 ] && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# sf_peer_bg OUT CMD...: run CMD in the peer's namespace in the background,
# stdout and stderr to OUT, tracked so that the trap ends it. ip netns exec
# execs CMD, so SF_BG_PID is CMD's own PID (a shell function such as sf_peer
# run with & would give a subshell's PID instead).
sf_peer_bg()
{
	local out=$1
	shift
	ip netns exec "$SF_NS_PEER" "$@" > "$out" 2>&1 < /dev/null &
	SF_BG_PID=$!
	sf_track "$SF_BG_PID"
}

# sf_wait_file_re FILE REGEX [TIMEOUT_S] [PID]: wait for a line matching
# REGEX (ERE) in FILE; gives up early if PID exits.
sf_wait_file_re()
{
	local f=$1 re=$2 timeout=${3:-10} pid=${4:-} i
	for ((i = 0; i < timeout * 10; i++)); do
		grep -Eq -- "$re" "$f" 2>/dev/null && return 0
		[ -n "$pid" ] && ! sf_alive "$pid" && break
		sleep 0.1
	done
	grep -Eq -- "$re" "$f" 2>/dev/null
}

# sf_now: seconds since the epoch (ns); sf_since T0: seconds since T0, 0.01.
sf_now()
{
	date +%s.%N
}

sf_since()
{
	awk -v a="$1" -v b="$(sf_now)" 'BEGIN { printf "%.2f", b - a }'
}

# sf_tcpdump_start NS IFACE PCAP [FILTER...]: capture in namespace NS, every
# packet written at once (-U --immediate-mode); waits until it listens.
sf_tcpdump_start()
{
	local ns=$1 ifc=$2 pcap=$3
	shift 3
	SF_TCPDUMP_ERR="$pcap.err"
	ip netns exec "$ns" tcpdump -Z root -i "$ifc" -nn -S -U \
		--immediate-mode -s 256 -B 8192 -w "$pcap" "$@" \
		> "$SF_TCPDUMP_ERR" 2>&1 < /dev/null &
	SF_TCPDUMP_PID=$!
	sf_track "$SF_TCPDUMP_PID"
	sf_wait_file_re "$SF_TCPDUMP_ERR" 'listening on' 10 \
		"$SF_TCPDUMP_PID" ||
		fail "tcpdump did not start: $(cat "$SF_TCPDUMP_ERR")"
}

# sf_tcpdump_stop: let the last packets land, SIGTERM tcpdump, and require
# that it lost none (captured = received by filter, 0 dropped by kernel).
sf_tcpdump_stop()
{
	local cap rcv drop
	sleep 0.5
	sf_kill "$SF_TCPDUMP_PID" 5
	wait "$SF_TCPDUMP_PID" 2>/dev/null || true
	cap=$(sed -nE 's/^([0-9]+) packets? captured.*/\1/p' "$SF_TCPDUMP_ERR")
	rcv=$(sed -nE 's/^([0-9]+) packets? received by filter.*/\1/p' \
		"$SF_TCPDUMP_ERR")
	drop=$(sed -nE 's/^([0-9]+) packets? dropped by kernel.*/\1/p' \
		"$SF_TCPDUMP_ERR")
	[ -n "$cap" ] && [ "$cap" = "$rcv" ] && [ "$drop" = 0 ] ||
		fail "incomplete capture: captured ${cap:-?}, received by" \
			"filter ${rcv:-?}, dropped by kernel ${drop:-?}"
	# shellcheck disable=SC2034 # for the tests: packets in the file
	SF_TCPDUMP_COUNT=$cap
}

# sf_synfin_wait_exit [TIMEOUT_S]: wait for a synfin that ends by itself (the
# echo client); SF_SYNFIN_RC is its exit status. After TIMEOUT_S (60) it is
# stopped with SIGTERM (so that it prints its counters) and the test fails.
sf_synfin_wait_exit()
{
	local timeout=${1:-60} end=$((SECONDS + ${1:-60}))
	while [ "$SECONDS" -lt "$end" ]; do
		sf_alive "$SF_SYNFIN_PID" || break
		sleep 0.1
	done
	if sf_alive "$SF_SYNFIN_PID"; then
		sf_diag_tcp "synfin still running after ${timeout}s"
		sf_kill "$SF_SYNFIN_PID" 10
		wait "$SF_SYNFIN_PID" 2>/dev/null || true
		fail "synfin still running ${timeout}s after start (stopped)"
	fi
	SF_SYNFIN_RC=0
	wait "$SF_SYNFIN_PID" || SF_SYNFIN_RC=$?
}

# The three-namespace topology of the fault tests: the kernel peer reaches
# synfin through a router namespace, where nftables drops and duplicates.
#
#   sf-TAG-peer                 sf-TAG-mid                    sf-TAG-dut
#   sf-peer 198.18.0.1/24 <--> sf-mid-p 198.18.0.254/24
#     via 198.18.0.254          sf-mid-d 198.18.1.1/24 <--> sf-dut (synfin
#                               ip_forward=1                198.18.1.2/24,
#                                                           gw 198.18.1.1)
SF_IF_MID_PEER=sf-mid-p
SF_IF_MID_DUT=sf-mid-d
SF_MAC_MID_PEER=02:53:46:00:01:01
SF_MAC_MID_DUT=02:53:46:00:01:02
SF_IP_MID_PEER=198.18.0.254
SF_IP_MID_DUT=198.18.1.1
SF_IP_DUT_ROUTED=198.18.1.2
SF_NS_MID=

# sf_topo_mid_up: after sf_test_init, replace the direct veth pair by
# peer <-> mid <-> dut (offloads off on all four ends, IPv6 off); synfin's
# address becomes SF_IP_DUT_ROUTED (sf_synfin_start uses SF_IP_DUT). The
# exit trap also removes the middle namespace.
sf_topo_mid_up()
{
	local ns dev
	SF_NS_MID="sf-$SF_TAG-mid"
	trap sf_cleanup_mid EXIT
	ip netns del "$SF_NS_MID" 2>/dev/null || true
	ip netns add "$SF_NS_MID" || fail "cannot create netns $SF_NS_MID"
	ip netns exec "$SF_NS_MID" sysctl -qw \
		net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1 ||
		fail "sysctl in $SF_NS_MID"
	ip -n "$SF_NS_MID" link set lo up
	ip -n "$SF_NS_PEER" link del "$SF_IF_PEER" ||
		fail "cannot remove the direct veth pair"
	ip -n "$SF_NS_PEER" link add "$SF_IF_PEER" address "$SF_MAC_PEER" \
		type veth peer name "$SF_IF_MID_PEER" \
		address "$SF_MAC_MID_PEER" netns "$SF_NS_MID" ||
		fail "cannot create veth $SF_IF_PEER <-> $SF_IF_MID_PEER"
	ip -n "$SF_NS_DUT" link add "$SF_IF_DUT" address "$SF_MAC_DUT" \
		type veth peer name "$SF_IF_MID_DUT" \
		address "$SF_MAC_MID_DUT" netns "$SF_NS_MID" ||
		fail "cannot create veth $SF_IF_DUT <-> $SF_IF_MID_DUT"
	for ns in "$SF_NS_PEER:$SF_IF_PEER" "$SF_NS_DUT:$SF_IF_DUT" \
		  "$SF_NS_MID:$SF_IF_MID_PEER" "$SF_NS_MID:$SF_IF_MID_DUT"; do
		dev=${ns#*:}
		ns=${ns%%:*}
		ip netns exec "$ns" ethtool -K "$dev" \
			rx off tx off tso off gso off gro off >/dev/null ||
			fail "ethtool -K $dev in $ns"
		ip -n "$ns" link set "$dev" up || fail "link up $dev in $ns"
	done
	ip -n "$SF_NS_PEER" addr add "$SF_IP_PEER/24" dev "$SF_IF_PEER" &&
	ip -n "$SF_NS_MID" addr add "$SF_IP_MID_PEER/24" \
		dev "$SF_IF_MID_PEER" &&
	ip -n "$SF_NS_MID" addr add "$SF_IP_MID_DUT/24" dev "$SF_IF_MID_DUT" &&
	ip -n "$SF_NS_PEER" route add "${SF_IP_DUT_ROUTED%.*}.0/24" \
		via "$SF_IP_MID_PEER" ||
		fail "cannot address the three-namespace topology"
	SF_IP_DUT=$SF_IP_DUT_ROUTED
	echo "topo: netns $SF_NS_MID: $SF_IF_MID_PEER" \
		"$SF_IP_MID_PEER/24 <-> $SF_NS_PEER, $SF_IF_MID_DUT" \
		"$SF_IP_MID_DUT/24 <-> $SF_NS_DUT (synfin: $SF_IP_DUT/24," \
		"gateway $SF_IP_MID_DUT), forwarding on, offloads off"
}

# Exit trap of the three-namespace tests: the middle namespace, then
# sf_cleanup with the test's exit status.
sf_cleanup_mid()
{
	local rc=$?
	set +e		# errexit still holds in a trap: (exit 1) would end it
	if [ -n "$SF_NS_MID" ] &&
	   ip netns list | awk '{print $1}' | grep -qx -- "$SF_NS_MID"; then
		ip netns del "$SF_NS_MID" && echo "topo: removed netns $SF_NS_MID"
	fi
	(exit "$rc")
	sf_cleanup
}

# sf_mid CMD...: run CMD in the middle namespace.
sf_mid()
{
	ip netns exec "$SF_NS_MID" "$@"
}

# sf_peer_xfer IN OUT STALL_S TIMEOUT_S CMD...: run CMD in the peer's
# namespace, stdin from IN, stdout to OUT (stderr to OUT.err), and watch it:
# it must end within TIMEOUT_S, and OUT must grow at least every STALL_S
# seconds while it runs (0: no stall check). On return SF_XFER is "exit",
# "stalled" or "timeout", SF_XFER_RC CMD's status (or 124), SF_XFER_S the
# seconds it ran; a stalled or late CMD has been stopped.
sf_peer_xfer()
{
	local in=$1 out=$2 stall=$3 timeout=$4 pid t0 size last=-1 moved end
	shift 4
	t0=$(sf_now)
	ip netns exec "$SF_NS_PEER" "$@" < "$in" > "$out" 2> "$out.err" &
	pid=$!
	sf_track "$pid"
	SF_XFER=timeout
	end=$((SECONDS + timeout))
	moved=$SECONDS
	while [ "$SECONDS" -lt "$end" ]; do
		sf_alive "$pid" || { SF_XFER="exit"; break; }
		sleep 0.1
		size=$(stat -c %s "$out")
		if [ "$size" != "$last" ]; then
			moved=$SECONDS
			last=$size
		elif [ "$stall" -gt 0 ] &&
		     [ $((SECONDS - moved)) -ge "$stall" ]; then
			SF_XFER=stalled
			break
		fi
	done
	# shellcheck disable=SC2034 # for the tests
	SF_XFER_RC=0
	if [ "$SF_XFER" != exit ]; then
		sf_diag_tcp "transfer $SF_XFER after $(sf_since "$t0")s" \
			"at $(stat -c %s "$out") bytes back"
		sf_kill "$pid"
		SF_XFER_RC=124
	fi
	# shellcheck disable=SC2034 # for the tests
	wait "$pid" || SF_XFER_RC=$?
	# shellcheck disable=SC2034
	SF_XFER_S=$(sf_since "$t0")
}

# sf_diag_tcp WHAT...: print what was seen: synfin's non-zero counters (a
# SIGUSR1 snapshot, if it runs) and the kernel peer's TCP sockets (ss).
sf_diag_tcp()
{
	echo "---- diagnosis: $* ----"
	if [ -n "$SF_SYNFIN_PID" ] && sf_alive "$SF_SYNFIN_PID"; then
		kill -USR1 "$SF_SYNFIN_PID"
		sleep 0.5
		echo "synfin (SIGUSR1 snapshot), non-zero counters:"
		sf_counters_block "synfin: counters" |
			awk '$2 != 0 && !/^port0_/ { printf " %s=%s", $1, $2 }'
		echo
	fi
	echo "kernel peer's TCP sockets (ss -tinoe):"
	ip netns exec "$SF_NS_PEER" ss -tinoe 2>/dev/null | sed 's/^/  /'
	echo "----"
}
