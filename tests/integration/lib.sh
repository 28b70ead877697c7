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
		-- --ip "$SF_IP_DUT/$SF_PLEN" --stats-interval 0 "$@")
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

# sf_counters_block [MARKER]: print the last counter block after MARKER
# ("synfin: final counters" by default) as "name value" lines.
sf_counters_block()
{
	awk -v m="${1:-synfin: final counters}" '
		$0 == m { n = 0; delete c; inb = 1; next }
		inb && /^  [a-z0-9_]+ +[0-9]+$/ { c[++n] = $1 " " $2; next }
		{ inb = 0 }
		END { for (i = 1; i <= n; i++) print c[i] }
	' "$SF_SYNFIN_LOG"
}

# sf_counter NAME: NAME's value in the final block (fails if absent).
sf_counter()
{
	local v
	v=$(sf_counters_block | awk -v n="$1" '$1 == n { print $2 }')
	[ -n "$v" ] || fail "no counter '$1' in synfin's final counters"
	echo "$v"
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

# sf_counter_snap NAME: NAME's value in the last SIGUSR1 block.
sf_counter_snap()
{
	local v
	v=$(sf_counters_block "synfin: counters" |
		awk -v n="$1" '$1 == n { print $2 }')
	[ -n "$v" ] || fail "no counter '$1' in synfin's SIGUSR1 counters"
	echo "$v"
}

# ---- kernel peer ----------------------------------------------------------

# sf_ping LABEL EXPECT PING-ARGS...: ping synfin from the kernel peer and
# require EXPECT replies, no loss, no duplicate, no corrupted reply. Adds the
# replies to SF_PING_REPLIES and prints the summary line.
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
	if [ "$tx" -ne "$expect" ] || [ "$rx" -ne "$expect" ] ||
	   grep -qE 'duplicates|errors|wrong data|corrupted' <<< "$out"; then
		fail "$label: sent $tx, received $rx, expected $expect" \
			"each, no loss:"$'\n'"$(tail -n 5 <<< "$out")"
	fi
	ok "$label: $tx sent, $rx replies, 0% loss" \
		"($(grep -E '^rtt' <<< "$out" | sed 's/ = /=/'))"
}
