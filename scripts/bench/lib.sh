# shellcheck shell=bash
# Shared helpers of the benchmarks (scripts/bench/*.sh, issue 7).
#
# A benchmark sources this file and calls bench_init. Every run compares
# two pairs on the same two cores, one after the other:
#
#   synfin pair   netns sfb-PID-dp: synfin server (lcore/CPU SRV) and synfin
#                 client (lcore/CPU CLI) joined by net_memif (a unix socket
#                 in the work directory), one core each
#   kernel pair   netns sfb-PID-ks: nginx, 1 worker, pinned to CPU SRV
#                 netns sfb-PID-kc: wrk -t1, pinned to CPU CLI
#                 joined by a veth pair, 198.18.0.1/24 <-> 198.18.0.2/24
#
# Every process is pinned with taskset (a DPDK process with all its
# threads: its control threads then share its one core) and runs at the
# same nice level. Everything the run starts is ended by PID and every
# namespace, socket, DPDK runtime directory and hugepage file it made is
# removed by the exit trap; hugepages it reserved are given back.
#
# Environment (all optional):
#   SYNFIN              the executable (build/app/synfin/synfin); copied into
#                       the work directory, so a rebuild cannot disturb a run
#   SF_BENCH_OUT        results directory (build/bench/YYYYmmdd-HHMMSS)
#   SF_BENCH_DURATION   seconds per measurement (10)
#   SF_BENCH_CORE_SRV   CPU of the servers: synfin server, nginx (0)
#   SF_BENCH_CORE_CLI   CPU of the clients: synfin client, wrk (1)
#   SF_BENCH_NICE       nice level of every measured process (-19; "" none).
#                       The script itself stays at its own level and, while
#                       a measurement runs, watches without forking (bash
#                       builtins only): a watcher that preempts a busy-
#                       polling process for a fork every 100 ms shows up
#                       as milliseconds in the other side's latency
#   SF_BENCH_BODY       HTTP response body bytes (128)
#   SF_BENCH_CONC       connections at once for rps (64); cps runs the
#                       kernel pair with it and with SF_BENCH_CPS_CONC
#   SF_BENCH_CPS_CONC   synfin's connections at once for cps (256)
#   SF_BENCH_QUIET_PCT  wait before a measurement until the two CPUs are at
#                       most this busy (25) ...
#   SF_BENCH_QUIET_WAIT ... for at most this many seconds (60; 0: no wait)
#   SF_BENCH_TRIES      runs of a measurement at most (3): one is repeated
#                       while other work took more than 10% of its two CPUs
#                       (synfin: its pair got < 90% of them; kernel: others
#                       ran > 10% of the time); the last run counts, and
#                       the JSON's "disturbance" says how it went
#   SF_BENCH_VETH_OFFLOAD on|off: veth TSO/GSO/GRO/checksum offloads of the
#                       kernel pair (on: the kernel's defaults)
#   SF_BENCH_KEEP       keep the work directory (logs are copied to
#                       OUT/logs/NAME either way)

SF_SRCDIR=${SF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SYNFIN=${SYNFIN:-$SF_SRCDIR/build/app/synfin/synfin}
# shellcheck source=../deps.sh
. "$SF_SRCDIR/scripts/deps.sh"
# shellcheck source=usage.sh
. "$SF_SRCDIR/scripts/bench/usage.sh"

BENCH_NAME=${BENCH_NAME:-$(basename "$0" .sh)}
BENCH_OUT=${SF_BENCH_OUT:-$SF_SRCDIR/build/bench/$(date +%Y%m%d-%H%M%S)}
BENCH_DUR=${SF_BENCH_DURATION:-10}
BENCH_CPU_SRV=${SF_BENCH_CORE_SRV:-0}
BENCH_CPU_CLI=${SF_BENCH_CORE_CLI:-1}
BENCH_NICE=${SF_BENCH_NICE--19}
# shellcheck disable=SC2034 # used by the benchmarks that source this
BENCH_BODY=${SF_BENCH_BODY:-128}
# shellcheck disable=SC2034
BENCH_CONC=${SF_BENCH_CONC:-64}
BENCH_QUIET_PCT=${SF_BENCH_QUIET_PCT:-25}
BENCH_QUIET_WAIT=${SF_BENCH_QUIET_WAIT:-60}
BENCH_VETH_OFFLOAD=${SF_BENCH_VETH_OFFLOAD:-on}
BENCH_TRIES=${SF_BENCH_TRIES:-3}
BENCH_NGINX=${NGINX:-/usr/sbin/nginx}
BENCH_WRK=${WRK:-wrk}
# shellcheck disable=SC2034
BENCH_TESTPMD=${TESTPMD:-dpdk-testpmd}

# The synfin pair over memif.
BENCH_IP_SSRV=198.18.1.1
BENCH_IP_SCLI=198.18.1.2
BENCH_MAC_SSRV=02:53:46:00:07:01
BENCH_MAC_SCLI=02:53:46:00:07:02
# The kernel pair over veth.
BENCH_IP_KSRV=198.18.0.1
BENCH_IP_KCLI=198.18.0.2
BENCH_IF_KSRV=sfb-s
BENCH_IF_KCLI=sfb-c

BENCH_TAG=
BENCH_WORK=
BENCH_BIN=
BENCH_NS_DP=
BENCH_NS_KS=
BENCH_NS_KC=
BENCH_PIDS=()
BENCH_PREFIXES=()
BENCH_HUGE_ORIG=
BENCH_ROWS=
BENCH_T0=

# ---- messages ---------------------------------------------------------------

bench_log()
{
	echo "$BENCH_NAME: $*" >&2
}

bench_die()
{
	echo "$BENCH_NAME: ERROR: $*" >&2
	exit 1
}

# ---- processes --------------------------------------------------------------

# True while PID runs (a zombie does not count). No fork.
bench_alive()
{
	local st
	[ -r "/proc/$1/stat" ] || return 1
	read -r st < "/proc/$1/stat" 2>/dev/null || return 1
	st=${st##*) }
	st=${st%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# bench_sleep SECONDS: sleep without forking (after bench_init).
bench_sleep()
{
	if [ -n "${BENCH_SLEEP_FD:-}" ]; then
		read -r -t "$1" -u "$BENCH_SLEEP_FD" _ || true
	else
		sleep "$1"
	fi
}

bench_track()
{
	BENCH_PIDS+=("$1")
}

# bench_kill PID [GRACE_S]: SIGTERM, then SIGKILL after GRACE_S (5).
bench_kill()
{
	local pid=$1 grace=${2:-5} i
	bench_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < grace * 10; i++)); do
		bench_alive "$pid" || break
		bench_sleep 0.1
	done
	if bench_alive "$pid"; then
		bench_log "pid $pid still runs ${grace}s after SIGTERM: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	return 0
}

# bench_stop_together PID...: SIGTERM to all of them in one kill(1), then
# wait (SIGKILL after 20 s).
bench_stop_together()
{
	local pids=() p i
	for p in "$@"; do
		[ -n "$p" ] && bench_alive "$p" && pids+=("$p")
	done
	if [ "${#pids[@]}" -gt 0 ]; then
		kill -CONT "${pids[@]}" 2>/dev/null || true
		kill -TERM "${pids[@]}" 2>/dev/null || true
	fi
	for ((i = 0; i < 200; i++)); do
		for p in "${pids[@]}"; do
			bench_alive "$p" && break
			p=
		done
		[ -z "${p:-}" ] && break
		bench_sleep 0.1
	done
	for p in "$@"; do
		[ -n "$p" ] || continue
		if bench_alive "$p"; then
			bench_log "pid $p still runs 20 s after SIGTERM: SIGKILL"
			kill -KILL "$p" 2>/dev/null || true
		fi
		wait "$p" 2>/dev/null || true
	done
	return 0
}

# bench_stop_memif SERVER-PID [CLIENT-PID...]: end DPDK processes joined
# by memif without the crash of DPDK 22.11's memif: the survivor of a
# peer's exit may fault, its control thread unmapping the rings while its
# lcore still polls them. So the server prints its counters (SIGUSR1) and
# is frozen (SIGSTOP); the clients end normally (SIGTERM: final counters,
# JSON results), their frozen peer cannot react; then the server, still
# frozen, is killed (SIGKILL). Its last counters are the SIGUSR1 block
# (only with BENCH_STOP_SRV_LOG, the server's log: a synfin server).
bench_stop_memif()
{
	local srv=$1 log=${BENCH_STOP_SRV_LOG:-} n0 i
	shift
	if [ -n "$srv" ] && bench_alive "$srv"; then
		if [ -n "$log" ]; then
			n0=$( { grep -c '^synfin: counters$' "$log" ||
				true; } | tail -n 1)
			kill -USR1 "$srv" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				[ "$(grep -c '^synfin: counters$' "$log")" -gt \
					"${n0:-0}" ] && break
				sleep 0.1
			done
			sleep 0.3
		fi
		kill -STOP "$srv" 2>/dev/null || true
	fi
	bench_stop_together "$@"
	if [ -n "$srv" ]; then
		bench_alive "$srv" && kill -KILL "$srv" 2>/dev/null
		wait "$srv" 2>/dev/null || true
	fi
	return 0
}

# bench_wait_re FILE REGEX TIMEOUT_S [PID]: wait for a line matching REGEX
# (ERE) in FILE; fails early if PID ends. No fork: FILE is read as it
# grows, by bash's read. BENCH_LINE is the line that matched.
# shellcheck disable=SC2034 # BENCH_LINE: for the callers
bench_wait_re()
{
	local f=$1 re=$2 timeout=$3 pid=${4:-} fd line part='' end
	end=$((SECONDS + timeout))
	while [ ! -e "$f" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		bench_sleep 0.1
	done
	exec {fd}< "$f" || return 1
	while :; do
		while IFS= read -r -u "$fd" line; do
			line=$part$line
			part=
			if [[ $line =~ $re ]]; then
				BENCH_LINE=$line
				exec {fd}<&-
				return 0
			fi
		done
		part+=$line	# a line still being written
		if [ "$SECONDS" -ge "$end" ] ||
		   { [ -n "$pid" ] && ! bench_alive "$pid"; }; then
			# what the process wrote last
			while IFS= read -r -u "$fd" line; do
				line=$part$line
				part=
				[[ $line =~ $re ]] && { BENCH_LINE=$line
					exec {fd}<&-; return 0; }
			done
			exec {fd}<&-
			return 1
		fi
		bench_sleep 0.1
	done
}

# The measured processes' prefix: taskset -c CPU [nice -n ADJ], ADJ
# taking the script's own nice level to SF_BENCH_NICE.
bench_pin()
{
	local cpu=$1
	BENCH_PIN=(taskset -c "$cpu")
	[ -n "$BENCH_NICE" ] &&
		BENCH_PIN+=(nice -n "$((BENCH_NICE - $(nice)))")
	return 0
}

# ---- setup and cleanup --------------------------------------------------------

bench_cleanup()
{
	local rc=$? i p ns
	trap - EXIT
	set +e
	# What still runs now is cut short: SIGKILL, no memif race to lose.
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
		bench_alive "${BENCH_PIDS[i]}" &&
			kill -KILL "${BENCH_PIDS[i]}" 2>/dev/null
		wait "${BENCH_PIDS[i]}" 2>/dev/null
	done
	for p in "${BENCH_PREFIXES[@]}"; do
		# only what this run's own --file-prefix named
		rm -rf "/var/run/dpdk/$p"
		rm -f "$SF_HUGE_DIR/${p}map_"* "$SF_HUGE_DIR/${p}"_*
	done
	for ns in "$BENCH_NS_DP" "$BENCH_NS_KS" "$BENCH_NS_KC"; do
		[ -n "$ns" ] || continue
		ip netns list | awk '{print $1}' | grep -qx -- "$ns" &&
			ip netns del "$ns"
	done
	bench_hugepages_restore
	if [ -n "$BENCH_WORK" ] && [ -d "$BENCH_WORK" ]; then
		mkdir -p "$BENCH_OUT/logs/$BENCH_NAME"
		find "$BENCH_WORK" -maxdepth 1 -type f \
			\( -name '*.log' -o -name '*.json' -o -name '*.txt' \
			   -o -name '*.dat' -o -name '*.conf' -o -name '*.full' \) \
			-exec cp {} "$BENCH_OUT/logs/$BENCH_NAME/" \; 2>/dev/null
		if [ -n "${SF_BENCH_KEEP:-}" ]; then
			bench_log "work directory kept: $BENCH_WORK"
		else
			rm -rf "$BENCH_WORK"
		fi
	fi
	exit "$rc"
}

# bench_init: root, tools, the work and results directories, the exit trap.
bench_init()
{
	local t
	[ "$(id -u)" -eq 0 ] || bench_die "needs root (namespaces, hugepages)"
	[ -x "$SYNFIN" ] || bench_die "no synfin at $SYNFIN (build first)"
	for t in ip taskset jq gnuplot awk "$BENCH_NGINX" "$BENCH_WRK"; do
		command -v "$t" >/dev/null ||
			bench_die "missing tool: $t (scripts/deps.sh installs it)"
	done
	[ "$(nproc)" -gt "$BENCH_CPU_SRV" ] &&
		[ "$(nproc)" -gt "$BENCH_CPU_CLI" ] ||
		bench_die "CPUs $BENCH_CPU_SRV and $BENCH_CPU_CLI needed"
	BENCH_TAG="sfb-$$"
	# bench_sleep: read -t on a pipe nobody writes, no sleep(1) to fork
	exec {BENCH_SLEEP_FD}<> <(:)
	BENCH_HZ=$(getconf CLK_TCK)
	local d n
	BENCH_KSOFTIRQD=()
	for d in /proc/[0-9]*; do
		read -r n < "$d/comm" 2>/dev/null || continue
		[ "$n" = "ksoftirqd/$BENCH_CPU_SRV" ] ||
			[ "$n" = "ksoftirqd/$BENCH_CPU_CLI" ] &&
			BENCH_KSOFTIRQD+=("${d#/proc/}")
	done
	mkdir -p "$BENCH_OUT" || bench_die "cannot create $BENCH_OUT"
	BENCH_OUT=$(cd "$BENCH_OUT" && pwd)
	BENCH_WORK=$(mktemp -d "/tmp/sfb-$BENCH_NAME.XXXXXX")
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	BENCH_BIN="$BENCH_WORK/synfin"
	cp "$SYNFIN" "$BENCH_BIN" || bench_die "cannot copy $SYNFIN"
	BENCH_ROWS="$BENCH_WORK/rows.tsv"
	: > "$BENCH_ROWS"
	BENCH_T0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	bench_log "results in $BENCH_OUT; synfin $(git -C "$SF_SRCDIR" \
		describe --always --dirty 2>/dev/null || echo '?')," \
		"CPUs $BENCH_CPU_SRV (servers) and $BENCH_CPU_CLI (clients)," \
		"${BENCH_DUR}s per measurement"
}

# bench_hugepages MIB: make sure MIB of free 2 MiB hugepages exist (plus
# 64 MiB), reserving more if needed; the exit trap gives them back.
bench_hugepages()
{
	local want=$(( ($1 + 64 + 1) / 2 )) free have
	[ -d "$SF_HUGE_SYSFS" ] || bench_die "no 2 MiB hugepage support"
	if ! sf_hugetlbfs_mounted; then
		mkdir -p "$SF_HUGE_DIR"
		mount -t hugetlbfs -o pagesize=2M nodev "$SF_HUGE_DIR" ||
			bench_die "cannot mount hugetlbfs at $SF_HUGE_DIR"
	fi
	free=$(cat "$SF_HUGE_SYSFS/free_hugepages")
	[ "$free" -ge "$want" ] && return 0
	have=$(cat "$SF_HUGE_SYSFS/nr_hugepages")
	[ -z "$BENCH_HUGE_ORIG" ] && BENCH_HUGE_ORIG=$have
	echo $((have + want - free)) > "$SF_HUGE_SYSFS/nr_hugepages" 2>/dev/null
	free=$(cat "$SF_HUGE_SYSFS/free_hugepages")
	[ "$free" -ge "$want" ] ||
		bench_die "need $want free 2 MiB hugepages, have $free"
	bench_log "hugepages: $(cat "$SF_HUGE_SYSFS/nr_hugepages") reserved" \
		"(was $BENCH_HUGE_ORIG), $free free"
}

bench_hugepages_restore()
{
	[ -n "$BENCH_HUGE_ORIG" ] || return 0
	echo "$BENCH_HUGE_ORIG" > "$SF_HUGE_SYSFS/nr_hugepages" 2>/dev/null
	BENCH_HUGE_ORIG=
}

# ---- CPU quietness ------------------------------------------------------------

# "busy total" jiffies of CPUs SRV and CLI.
bench_cpu_jiffies()
{
	awk -v a="cpu$BENCH_CPU_SRV" -v b="cpu$BENCH_CPU_CLI" '
		$1 == a || $1 == b {
			t = 0; for (i = 2; i <= NF; i++) t += $i
			busy += t - $5 - $6; tot += t
		}
		END { print busy, tot }' /proc/stat
}

# Percentage of the two CPUs busy over the last second.
bench_cpu_busy_1s()
{
	local a b
	a=$(bench_cpu_jiffies)
	sleep 1
	b=$(bench_cpu_jiffies)
	awk -v a="$a" -v b="$b" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		d = y[2] - x[2]
		printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0)
	}'
}

# bench_wait_quiet WHAT: wait (at most SF_BENCH_QUIET_WAIT s) for the two
# CPUs to be at most SF_BENCH_QUIET_PCT busy with others' work for three
# seconds in a row; sets
# BENCH_BUSY to the last reading. A measurement never waits forever: on a
# shared machine it goes on with a warning, and the reading is in the JSON.
bench_wait_quiet()
{
	local end=$((SECONDS + BENCH_QUIET_WAIT)) quiet=0
	while :; do
		BENCH_BUSY=$(bench_cpu_busy_1s)
		if [ "$BENCH_BUSY" -le "$BENCH_QUIET_PCT" ]; then
			quiet=$((quiet + 1))
			# three quiet seconds in a row (one without waiting)
			[ "$quiet" -ge 3 ] || [ "$BENCH_QUIET_WAIT" -eq 0 ] &&
				return 0
			continue
		fi
		quiet=0
		[ "$SECONDS" -ge "$end" ] && break
		sleep 1
	done
	bench_log "warning: CPUs $BENCH_CPU_SRV,$BENCH_CPU_CLI ${BENCH_BUSY}%" \
		"busy with other work before '$1' (after ${BENCH_QUIET_WAIT}s" \
		"of waiting): the result is disturbed"
	return 0
}

# ---- the synfin pair over memif -------------------------------------------------

bench_dp_ns()
{
	[ -n "$BENCH_NS_DP" ] && return 0
	BENCH_NS_DP="$BENCH_TAG-dp"
	ip netns add "$BENCH_NS_DP" || bench_die "cannot create $BENCH_NS_DP"
	ip -n "$BENCH_NS_DP" link set lo up
}

# bench_memif_vdev NAME ROLE SOCKET MAC: a net_memif devargs string.
bench_memif_vdev()
{
	echo "$1,id=0,role=$2,socket=$3,socket-abstract=no,mac=$4"
}

# bench_dpdk_start LOG CPU PREFIX VDEV [VDEV...] -- PROGRAM-ARGS...: a DPDK
# program (BENCH_PROG, default the synfin copy) pinned to CPU with lcore
# CPU, in the dp namespace, in the background. Sets BENCH_PID.
bench_dpdk_start()
{
	local log=$1 cpu=$2 prefix=$3 mem vdevs=()
	local prog=${BENCH_PROG:-$BENCH_BIN} lc
	shift 3
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		vdevs+=("--vdev=$1")
		shift
	done
	shift
	bench_dp_ns
	read -r -a mem <<< "${SF_EAL_MEM:---huge-dir $SF_HUGE_DIR --huge-unlink}"
	lc=(-l "$cpu")
	[ -n "${BENCH_LCORES:-}" ] && lc=(--lcores "$BENCH_LCORES")
	bench_pin "$cpu"
	BENCH_PREFIXES+=("$prefix")
	local cmd=("${BENCH_PIN[@]}" "$prog" "${lc[@]}" --no-pci "${vdevs[@]}"
		"--file-prefix=$prefix" "${mem[@]}" --log-level=lib.eal:warning
		-- "$@")
	echo "ip netns exec $BENCH_NS_DP ${cmd[*]}" > "$log.cmd"
	ip netns exec "$BENCH_NS_DP" "${cmd[@]}" > "$log" 2>&1 < /dev/null &
	BENCH_PID=$!
	bench_track "$BENCH_PID"
}

# ---- where the two vCPUs sit ---------------------------------------------------
# The VM's two vCPUs move between shared caches and separate dies from one
# minute to the next, and memif's speed follows (the throughput ceiling
# reads ~190 against ~40 Gbit/s). tests/bench/bench_c2c times a cache
# line's round trip between the CPUs: about 70-150 ns shared, 400-500 ns
# apart.
BENCH_C2C=${SF_BENCH_C2C_BIN:-$SF_SRCDIR/build/tests/bench/bench_c2c}
BENCH_C2C_SHARED_NS=250

# bench_c2c_probe: the round trip now, in ns (nothing without bench_c2c).
bench_c2c_probe()
{
	[ -x "$BENCH_C2C" ] || return 0
	"$BENCH_C2C" "$BENCH_CPU_SRV" "$BENCH_CPU_CLI" 100000 2> /dev/null |
		awk '{ print $2 }' || true
}

# bench_placement BEFORE_NS AFTER_NS: shared, separate, mixed (it changed
# during the run), or unknown (no probe).
bench_placement()
{
	if [ -z "$1" ] || [ -z "$2" ]; then
		echo unknown
	elif [ "$1" -lt "$BENCH_C2C_SHARED_NS" ] &&
		[ "$2" -lt "$BENCH_C2C_SHARED_NS" ]; then
		echo shared
	elif [ "$1" -ge "$BENCH_C2C_SHARED_NS" ] &&
		[ "$2" -ge "$BENCH_C2C_SHARED_NS" ]; then
		echo separate
	else
		echo mixed
	fi
}

# bench_placed CMD [ARG...]: run CMD in this shell between two probes.
# Sets BENCH_C2C_BEFORE and BENCH_C2C_AFTER (ns, empty without a probe)
# and BENCH_PLACE, their bench_placement.
# shellcheck disable=SC2034 # BENCH_PLACE: for the callers
bench_placed()
{
	BENCH_C2C_BEFORE=$(bench_c2c_probe)
	"$@"
	BENCH_C2C_AFTER=$(bench_c2c_probe)
	BENCH_PLACE=$(bench_placement "$BENCH_C2C_BEFORE" "$BENCH_C2C_AFTER")
}

# bench_synfin_ready LOG PID [TIMEOUT_S]: wait for "synfin: ready".
bench_synfin_ready()
{
	bench_wait_re "$1" '^synfin: ready' "${3:-60}" "$2" && return 0
	tail -n 20 "$1" >&2
	bench_die "synfin (pid $2) not ready; log $1"
}

# bench_synfin_srv LOG [SYNFIN-ARGS...]: the synfin server on CPU SRV,
# memif server on WORK/memif.sock, 198.18.1.1/24. Sets BENCH_SRV_PID.
bench_synfin_srv()
{
	local log=$1
	shift
	rm -f "$BENCH_WORK/memif.sock"
	bench_dpdk_start "$log" "$BENCH_CPU_SRV" "$BENCH_TAG-srv" \
		"$(bench_memif_vdev net_memif0 server "$BENCH_WORK/memif.sock" \
		   "$BENCH_MAC_SSRV")" -- \
		--ip "$BENCH_IP_SSRV/24" --mode server \
		--set general.link_wait_ms=0 "$@"
	BENCH_SRV_PID=$BENCH_PID
	bench_synfin_ready "$log" "$BENCH_SRV_PID"
}

# bench_synfin_cli LOG [SYNFIN-ARGS...]: the synfin client on CPU CLI, memif
# client of WORK/memif.sock, 198.18.1.2/24, one stats line a second.
# Sets BENCH_CLI_PID.
bench_synfin_cli()
{
	local log=$1
	shift
	bench_dpdk_start "$log" "$BENCH_CPU_CLI" "$BENCH_TAG-cli" \
		"$(bench_memif_vdev net_memif0 client "$BENCH_WORK/memif.sock" \
		   "$BENCH_MAC_SCLI")" -- \
		--ip "$BENCH_IP_SCLI/24" --mode client --stats-interval 1 \
		--set general.link_wait_ms=10000 "$@"
	BENCH_CLI_PID=$BENCH_PID
}

# bench_synfin_job SRVLOG CLILOG TIMEOUT_S: wait until the client says its
# job is done (it runs with --linger), then stop both together.
bench_synfin_job()
{
	local srvlog=$1 clilog=$2 timeout=$3
	if ! bench_wait_re "$clilog" '^synfin: [a-z]+ client done' \
		"$timeout" "$BENCH_CLI_PID"; then
		bench_log "client not done in ${timeout}s (or it died):" \
			"stopping both"
		tail -n 5 "$clilog" >&2
	fi
	bench_share_end "$BENCH_SRV_PID" "$BENCH_CLI_PID"
	BENCH_STOP_SRV_LOG=$srvlog bench_stop_memif "$BENCH_SRV_PID" \
		"$BENCH_CLI_PID"
	grep -q '^synfin: results written' "$clilog" ||
		bench_die "the client wrote no results; see $clilog, $srvlog"
}

# bench_series LOG FIELD: per-second values of the stats lines of LOG:
# FIELD is conn/s, req/s, estab, tw, rx (Mbit/s), tx (Mbit/s), open or busy
# (% of the workers' cycles in polls that moved frames).
# Prints "second value" lines.
bench_series()
{
	awk -v f="$2" '
		/^synfin: rx .* pps/ {
			n++; v = ""
			for (i = 1; i <= NF; i++) {
				if (f == "estab" && $i == "estab") v = $(i + 1)
				if (f == "tw" && $i == "tw") v = $(i + 1)
				if (f == "open" && $i == "open") v = $(i + 1)
				if ((f == "conn/s" || f == "req/s") && $i == f)
					v = $(i + 1)
				if (f == "rx" && $i == "rx") v = $(i + 3)
				if (f == "tx" && $i == "tx") v = $(i + 3)
				if (f == "busy" && $i == "busy") {
					v = $(i + 1)
					sub(/%$/, "", v)
				}
			}
			if (v != "") print n, v
		}' "$1"
}

# Median of the values (2nd column) of stdin, rows whose value is > 0,
# leaving out the first and last SKIP rows (1): ramp and wind-down.
bench_median()
{
	awk -v skip="${1:-1}" '$2 > 0 { v[++n] = $2 }
		END {
			if (n > 2 * skip) { lo = skip + 1; hi = n - skip }
			else { lo = 1; hi = n }
			for (i = lo; i <= hi; i++) print v[i]
		}' | sort -g | awk '{ v[++n] = $1 }
		END {
			if (n == 0) { print 0; exit }
			print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		}'
}

# ---- the share of the two CPUs a measured pair got ------------------------------

# bench_ticks PID...: BENCH_TICKS, their user + system clock ticks, and
# BENCH_CPU_TICKS, all ticks of CPUs SRV and CLI so far. No fork.
bench_ticks()
{
	local p a st
	BENCH_TICKS=0
	for p in "$@"; do
		read -r st < "/proc/$p/stat" 2>/dev/null || continue
		read -r -a a <<< "${st##*) }"
		BENCH_TICKS=$((BENCH_TICKS + a[11] + a[12]))
	done
	BENCH_CPU_TICKS=0
	while read -r -a a; do
		[ "${a[0]}" = "cpu$BENCH_CPU_SRV" ] ||
			[ "${a[0]}" = "cpu$BENCH_CPU_CLI" ] || continue
		BENCH_CPU_TICKS=$((BENCH_CPU_TICKS + a[1] + a[2] + a[3] + a[4] +
			a[5] + a[6] + a[7] + a[8]))
	done < /proc/stat
}

# bench_cpu_stat: BENCH_CS_BUSY (user, nice, system, steal) and
# BENCH_CS_TOTAL ticks of CPUs SRV and CLI so far. No fork.
bench_cpu_stat()
{
	local a
	BENCH_CS_BUSY=0
	BENCH_CS_TOTAL=0
	while read -r -a a; do
		[ "${a[0]}" = "cpu$BENCH_CPU_SRV" ] ||
			[ "${a[0]}" = "cpu$BENCH_CPU_CLI" ] || continue
		BENCH_CS_BUSY=$((BENCH_CS_BUSY + a[1] + a[2] + a[3] + a[8]))
		BENCH_CS_TOTAL=$((BENCH_CS_TOTAL + a[1] + a[2] + a[3] + a[4] +
			a[5] + a[6] + a[7] + a[8]))
	done < /proc/stat
}

# bench_children_ticks: BENCH_CH_TICKS, the user + system time of the
# script's reaped children in clock ticks (bash's times). No fork.
bench_children_ticks()
{
	local t u s
	# in this shell: times in a subshell would see the subshell's children
	times > "$BENCH_WORK/times.out"
	{ read -r _; read -r u s; } < "$BENCH_WORK/times.out"
	BENCH_CH_TICKS=0
	for t in "$u" "$s"; do
		[[ $t =~ ^([0-9]+)m([0-9]+)\.([0-9]+)s$ ]] || continue
		BENCH_CH_TICKS=$((BENCH_CH_TICKS + (BASH_REMATCH[1] * 60 +
			10#${BASH_REMATCH[2]}) * BENCH_HZ +
			10#${BASH_REMATCH[3]} * BENCH_HZ / 1000))
	done
}

# bench_disturb WHAT KIND VALUE TRIES: record how disturbed a measurement
# was (bench_finish puts it in the JSON's "disturbance").
bench_disturb()
{
	[ -n "$BENCH_WORK" ] || return 0
	printf '%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_WORK/disturb.tsv"
}

# bench_share_begin PID... / bench_share_end PID...: BENCH_SHARE, the
# percentage of the two CPUs' time the PIDs ran in between: about 100 for
# two busy-polling processes that had their cores to themselves; less is
# time other work took from them (the measurement is disturbed by that).
bench_share_begin()
{
	bench_ticks "$@"
	BENCH_T0_TICKS=$BENCH_TICKS
	BENCH_T0_CPU=$BENCH_CPU_TICKS
	BENCH_SHARE=
}

bench_share_end()
{
	[ -n "${BENCH_T0_CPU:-}" ] || return 0
	bench_ticks "$@"
	if [ "$BENCH_CPU_TICKS" -gt "$BENCH_T0_CPU" ]; then
		BENCH_SHARE=$(( (BENCH_TICKS - BENCH_T0_TICKS) * 100 /
			(BENCH_CPU_TICKS - BENCH_T0_CPU) ))
		[ "$BENCH_SHARE" -ge 90 ] ||
			bench_log "warning: the measured pair got only" \
				"$BENCH_SHARE% of CPUs $BENCH_CPU_SRV,$BENCH_CPU_CLI:" \
				"other work disturbed the measurement"
	fi
	BENCH_T0_CPU=
}

# ---- memory of a process -------------------------------------------------------

# bench_mem PID: "HUGETLB_BYTES RSS_ANON_BYTES" of PID: the hugepages its
# mappings hold (smaps Shared_Hugetlb + Private_Hugetlb: DPDK's heap and
# memzones) and its anonymous resident memory (malloc heap, stacks).
bench_mem()
{
	local h r
	h=$(awk '/^(Shared|Private)_Hugetlb:/ { s += $2 } END { print s * 1024 }' \
		"/proc/$1/smaps" 2>/dev/null)
	r=$(awk '/^RssAnon:/ { print $2 * 1024 }' "/proc/$1/status" 2>/dev/null)
	echo "${h:-0} ${r:-0}"
}

# ---- the kernel pair ---------------------------------------------------------

# bench_kernel_topo: namespaces ks (server) and kc (client) joined by a
# veth pair, addresses 198.18.0.1/24 and 198.18.0.2/24 (plus SF_BENCH_
# KCLI_EXTRA more client addresses 198.18.0.3..), IPv6 off. Sysctls, all
# per namespace: a long listen backlog for the server, the whole port
# range and tw_reuse for the client; offloads as SF_BENCH_VETH_OFFLOAD.
bench_kernel_topo()
{
	local ns i extra=${1:-0}
	[ -n "$BENCH_NS_KS" ] && return 0
	BENCH_NS_KS="$BENCH_TAG-ks"
	BENCH_NS_KC="$BENCH_TAG-kc"
	for ns in "$BENCH_NS_KS" "$BENCH_NS_KC"; do
		ip netns add "$ns" || bench_die "cannot create netns $ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip -n "$BENCH_NS_KS" link add "$BENCH_IF_KSRV" type veth peer name \
		"$BENCH_IF_KCLI" netns "$BENCH_NS_KC" ||
		bench_die "cannot create the veth pair"
	if [ "$BENCH_VETH_OFFLOAD" = off ]; then
		ip netns exec "$BENCH_NS_KS" ethtool -K "$BENCH_IF_KSRV" rx off \
			tx off tso off gso off gro off >/dev/null
		ip netns exec "$BENCH_NS_KC" ethtool -K "$BENCH_IF_KCLI" rx off \
			tx off tso off gso off gro off >/dev/null
	fi
	ip -n "$BENCH_NS_KS" addr add "$BENCH_IP_KSRV/24" dev "$BENCH_IF_KSRV"
	ip -n "$BENCH_NS_KC" addr add "$BENCH_IP_KCLI/24" dev "$BENCH_IF_KCLI"
	for ((i = 0; i < extra; i++)); do
		ip -n "$BENCH_NS_KC" addr add "198.18.0.$((3 + i))/24" \
			dev "$BENCH_IF_KCLI"
	done
	ip -n "$BENCH_NS_KS" link set "$BENCH_IF_KSRV" up
	ip -n "$BENCH_NS_KC" link set "$BENCH_IF_KCLI" up
	ip netns exec "$BENCH_NS_KS" sysctl -qw net.core.somaxconn=65535 \
		net.ipv4.tcp_max_syn_backlog=65535
	ip netns exec "$BENCH_NS_KC" sysctl -qw \
		net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
	# the link answers before the first measurement
	ip netns exec "$BENCH_NS_KC" ping -c 1 -W 2 "$BENCH_IP_KSRV" \
		>/dev/null || bench_die "the veth pair does not pass ping"
}

# bench_nginx_start BODY_BYTES [WORKER_CONNECTIONS]: nginx (one process, no
# master) in ks on CPU SRV serving /index.html of BODY_BYTES on port 80,
# no access log, keep-alive without limits, idle connections kept for an
# hour. Sets BENCH_NGX_PID.
bench_nginx_start()
{
	local body=$1 wc=${2:-65536} d="$BENCH_WORK/nginx" i hard
	bench_kernel_topo
	# nginx cannot raise the hard open-files limit without CAP_SYS_RESOURCE
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] && [ "$wc" -gt $((hard - 100)) ] &&
		wc=$((hard - 100))
	mkdir -p "$d/www" "$d/tmp"
	head -c "$body" /dev/zero | tr '\0' 'x' > "$d/www/index.html"
	cat > "$BENCH_WORK/nginx.conf" << EOF
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile $((wc + 64));
user root;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $BENCH_WORK/nginx-error.log error;
events {
	worker_connections $wc;
	multi_accept on;
}
http {
	access_log off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	keepalive_requests 100000000;
	keepalive_timeout 3600s;
	client_header_timeout 3600s;
	sendfile on;
	tcp_nopush on;
	open_file_cache max=16 inactive=3600s;
	default_type text/plain;
	server {
		listen $BENCH_IP_KSRV:80 backlog=65535;
		root $d/www;
		location / {
			index index.html;
		}
	}
}
EOF
	bench_pin "$BENCH_CPU_SRV"
	ip netns exec "$BENCH_NS_KS" "${BENCH_PIN[@]}" "$BENCH_NGINX" \
		-e "$BENCH_WORK/nginx-error.log" -p "$d" \
		-c "$BENCH_WORK/nginx.conf" > "$BENCH_WORK/nginx.log" 2>&1 \
		< /dev/null &
	BENCH_NGX_PID=$!
	bench_track "$BENCH_NGX_PID"
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$BENCH_NS_KS" ss -Hltn "sport = :80" | grep -q . &&
			return 0
		bench_alive "$BENCH_NGX_PID" || break
		sleep 0.1
	done
	cat "$BENCH_WORK/nginx.log" "$BENCH_WORK/nginx-error.log" >&2
	bench_die "nginx did not listen on $BENCH_IP_KSRV:80"
}

bench_nginx_stop()
{
	[ -n "${BENCH_NGX_PID:-}" ] && bench_kill "$BENCH_NGX_PID"
	BENCH_NGX_PID=
}

# bench_wrk OUT [WRK-ARGS...]: wrk -t1 in kc on CPU CLI against nginx's
# /index.html, in the foreground, output to OUT. The kernel's per-second
# passive opens of the server namespace go to OUT.opens ("second count").
bench_wrk()
{
	local out=$1 sp try cs0 cs1 n0
	shift
	for ((try = 1; ; try++)); do
		bench_pin "$BENCH_CPU_CLI"
		: > "$out.opens"
		bench_snmp_sampler "$out.opens" "$BENCH_NGX_PID" &
		sp=$!
		echo "ip netns exec $BENCH_NS_KC ${BENCH_PIN[*]} $BENCH_WRK" \
			"-t1 $* http://$BENCH_IP_KSRV/index.html" > "$out.cmd"
		bench_ticks "$BENCH_NGX_PID" "${BENCH_KSOFTIRQD[@]}"
		n0=$BENCH_TICKS
		bench_cpu_stat
		cs0="$BENCH_CS_BUSY $BENCH_CS_TOTAL"
		bench_children_ticks
		local ch0=$BENCH_CH_TICKS
		ip netns exec "$BENCH_NS_KC" "${BENCH_PIN[@]}" "$BENCH_WRK" -t1 \
			"$@" "http://$BENCH_IP_KSRV/index.html" > "$out" 2>&1 \
			< /dev/null
		bench_children_ticks
		bench_cpu_stat
		cs1="$BENCH_CS_BUSY $BENCH_CS_TOTAL"
		bench_ticks "$BENCH_NGX_PID" "${BENCH_KSOFTIRQD[@]}"
		kill "$sp" 2>/dev/null || true
		wait "$sp" 2>/dev/null || true
		grep -q '^Requests/sec:' "$out" || { cat "$out" >&2
			bench_die "wrk printed no Requests/sec"; }
		# others: the CPUs' busy time (interrupts and softirqs, the
		# pair's own network work, left out) less nginx's, wrk's and
		# the two CPUs' ksoftirqd's (softirqs deferred to a thread)
		read -r -a cs0 <<< "$cs0"
		read -r -a cs1 <<< "$cs1"
		BENCH_OTHERS=$(( (cs1[0] - cs0[0] - (BENCH_TICKS - n0) -
			(BENCH_CH_TICKS - ch0)) * 100 / (cs1[1] - cs0[1] + 1) ))
		[ "$BENCH_OTHERS" -ge 0 ] || BENCH_OTHERS=0
		bench_disturb "kernel ${out##*/}" others_pct "$BENCH_OTHERS" "$try"
		[ "$BENCH_OTHERS" -le 10 ] || [ "$try" -ge "$BENCH_TRIES" ] &&
			break
		bench_log "kernel run ${out##*/}: other work took" \
			"$BENCH_OTHERS% of the CPUs: again"
		bench_wait_quiet "${out##*/} again"
	done
}

# bench_snmp_sampler OUT PID: every second, the new passive opens and the
# TIME_WAIT sockets of PID's network namespace (the server's: nginx),
# "second opens tw" lines, until killed. Read from /proc/PID/net with
# bash's read: no fork beside the measured pair.
bench_snmp_sampler()
{
	local n=0 prev
	trap 'exit 0' TERM
	bench_snmp_read "$2"
	prev=$BENCH_OPENS
	while bench_sleep 1; do
		n=$((n + 1))
		bench_snmp_read "$2"
		echo "$n $((BENCH_OPENS - prev)) $BENCH_TW" >> "$1"
		prev=$BENCH_OPENS
	done
}

# bench_snmp_read PID: BENCH_OPENS, the Tcp PassiveOpens of PID's network
# namespace, and BENCH_TW, its TIME_WAIT sockets.
bench_snmp_read()
{
	local a i
	BENCH_OPENS=0
	BENCH_TW=0
	while read -r -a a; do
		[ "${a[0]:-}" = Tcp: ] && [[ ${a[1]} =~ ^[0-9]+$ ]] &&
			BENCH_OPENS=${a[6]}
	done < "/proc/$1/net/snmp"
	while read -r -a a; do
		[ "${a[0]:-}" = TCP: ] || continue
		for ((i = 1; i < ${#a[@]} - 1; i++)); do
			[ "${a[i]}" = tw ] && BENCH_TW=${a[i + 1]}
		done
	done < "/proc/$1/net/sockstat"
	return 0
}

# wrk's numbers: Requests/sec, Transfer/sec in bytes, latency percentiles.
bench_wrk_rps()
{
	awk '/^Requests\/sec:/ { print $2 }' "$1"
}

bench_wrk_bytes_per_s()
{
	awk '/^Transfer\/sec:/ {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
		m = 1; if (u == "KB") m = 1024; if (u == "MB") m = 1048576
		if (u == "GB") m = 1073741824
		printf "%.0f", v * m }' "$1"
}

# bench_wrk_pct OUT PCT: wrk --latency's PCT percentile in microseconds.
bench_wrk_pct()
{
	awk -v p="$2%" '$1 == p && NF == 2 {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		m = 1; if (u == "ms") m = 1000; if (u == "s") m = 1000000
		if (u == "m") m = 60000000
		printf "%.1f", v * m }' "$1"
}

bench_wrk_errors()
{
	awk '/Socket errors:/ { gsub(/,/, ""); s = $4 + $6 + $8 + $10 }
		/Non-2xx/ { n += $NF }
		END { print s + n }' "$1"
}

# ---- results ------------------------------------------------------------------

# Numbers for JSON: empty or non-numeric becomes null.
bench_num()
{
	[[ "$1" =~ ^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$ ]] && echo "$1" ||
		echo null
}

# bench_ratio A B [DIGITS]: A / B, or empty.
bench_ratio()
{
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) exit
		printf "%.*f", d, a / b }'
}

# bench_row METRIC SYNFIN KERNEL RATIO TARGET MET: one row of the table
# (MET: yes, no or "-" when there is no target).
bench_row()
{
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_ROWS"
}

# bench_ge A B: "yes" if A >= B, else "no".
bench_ge()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		print ((a != "" && a + 0 >= b + 0) ? "yes" : "no") }'
}

bench_le()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		print ((a != "" && a + 0 <= b + 0) ? "yes" : "no") }'
}

# Human numbers for the table: 1234567 -> 1,234,567; 12.345 -> 12.35.
bench_fmt()
{
	awk -v v="$1" 'BEGIN {
		if (v == "" || v == "null") { print "-"; exit }
		if (v !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) { print v; exit }
		if (v + 0 >= 1000 || v == int(v)) {
			s = sprintf("%.0f", v); o = ""
			while (length(s) > 3) {
				o = "," substr(s, length(s) - 2) o
				s = substr(s, 1, length(s) - 3)
			}
			print s o
		} else print sprintf("%.2f", v)
	}'
}

# bench_table JSON...: the markdown table of the rows of each JSON.
bench_table()
{
	echo "| bench | metric | synfin | kernel | ratio | target | met |"
	echo "|---|---|---:|---:|---:|---|---|"
	jq -r '.bench as $b | .rows[] |
		[$b, .metric, (.synfin // "" | tostring),
		 (.kernel // "" | tostring), (.ratio // "" | tostring),
		 .target, .met] | join("\u001f")' "$@" |
	while IFS=$'\x1f' read -r b m s k r t ok; do
		printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$b" "$m" \
			"$(bench_fmt "$s")" "$(bench_fmt "$k")" \
			"$([ -n "$r" ] && echo "${r}x" || echo -)" "$t" "$ok"
	done
}

# bench_finish EXTRA-JSON: write OUT/NAME.json ({bench, date, host, config
# of the run, rows, and EXTRA-JSON's keys}) and print the table.
bench_finish()
{
	local extra=${1:-'{}'} json="$BENCH_OUT/$BENCH_NAME.json" rows
	rows=$(jq -R -s 'split("\n") | map(select(length > 0) |
		split("\t") | {metric: .[0],
			synfin: (.[1] | tonumber? // null),
			kernel: (.[2] | tonumber? // null),
			ratio: (.[3] | tonumber? // null),
			target: .[4], met: .[5]})' "$BENCH_ROWS")
	local dist='{}'
	[ -s "$BENCH_WORK/disturb.tsv" ] && dist=$(jq -R -s 'split("\n") |
		map(select(length > 0) | split("\t") |
		{key: .[0], value: {(.[1]): (.[2] | tonumber? // null),
				    tries: (.[3] | tonumber)}}) | from_entries' \
		"$BENCH_WORK/disturb.tsv")
	jq -n --arg bench "$BENCH_NAME" --arg date "$BENCH_T0" \
		--argjson dist "$dist" \
		--arg kernel "$(uname -r)" \
		--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' \
			/proc/cpuinfo)" \
		--argjson ncpu "$(nproc)" \
		--argjson mem "$(awk '/^MemTotal:/ { print $2 * 1024 }' \
			/proc/meminfo)" \
		--arg rev "$(git -C "$SF_SRCDIR" describe --always --dirty \
			2>/dev/null || echo '?')" \
		--argjson srv "$BENCH_CPU_SRV" --argjson cli "$BENCH_CPU_CLI" \
		--arg nice "$BENCH_NICE" --argjson dur "$BENCH_DUR" \
		--arg offl "$BENCH_VETH_OFFLOAD" \
		--arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
		--argjson rows "$rows" --argjson extra "$extra" \
		'{bench: $bench, date: $date,
		  host: {kernel: $kernel, cpu: $cpu, cpus: $ncpu,
			 mem_bytes: $mem, loadavg_at_end: $load},
		  run: {synfin_rev: $rev, cpu_servers: $srv, cpu_clients: $cli,
			nice: $nice, seconds_per_measurement: $dur,
			veth_offloads: $offl},
		  rows: $rows, disturbance: $dist} + $extra' > "$json" ||
		bench_die "cannot write $json"
	echo
	echo "### $BENCH_NAME"
	echo
	bench_table "$json"
	echo
	echo "$BENCH_NAME: wrote $json${BENCH_PNG:+ and $BENCH_PNG}"
}

# ---- plots ----------------------------------------------------------------------

# bench_plot_bars PNG TITLE YLABEL DATA [log]: a bar chart of DATA's
# "label<TAB>synfin<TAB>kernel" rows, synfin and kernel side by side,
# values printed above the bars. The legend's two titles are
# BENCH_PLOT_SYNFIN and BENCH_PLOT_KERNEL (the memif and veth pairs).
bench_plot_bars()
{
	local png=$1 title=$2 ylabel=$3 data=$4 scale=${5:-}
	gnuplot << EOF || bench_log "gnuplot failed for $png"
set terminal pngcairo size 900,480 font "sans,10" noenhanced
set output "$png"
set title "$title"
set ylabel "$ylabel"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right
set datafile separator "\t"
$([ "$scale" = log ] && echo "set logscale y" || echo "set yrange [0:*]")
set xtics nomirror
plot "$data" using 2:xtic(1) title "${BENCH_PLOT_SYNFIN:-synfin (DPDK, memif)}" lc rgb "#1f77b4", \
     "" using 3 title "${BENCH_PLOT_KERNEL:-Linux kernel (veth)}" lc rgb "#d62728", \
     "" using (\$0 - 0.15):2:(sprintf("%.3g", \$2)) with labels offset 0,0.7 notitle, \
     "" using (\$0 + 0.15):3:(sprintf("%.3g", \$3)) with labels offset 0,0.7 notitle
EOF
	BENCH_PNG=$png
}

# bench_plot_series PNG TITLE XLABEL YLABEL [log] -- FILE TITLE [FILE TITLE...]
# [-- FILE2 TITLE2 ...]: lines of "x y" files; files after a second --
# go on the right axis (y2).
bench_plot_series()
{
	local png=$1 title=$2 xl=$3 yl=$4 scale="" plot="" axis=x1y1 f t
	local y2l=${BENCH_Y2LABEL:-}
	shift 4
	[ "$1" = log ] && { scale=log; shift; }
	shift
	while [ "$#" -gt 0 ]; do
		if [ "$1" = -- ]; then
			axis=x1y2
			shift
			continue
		fi
		f=$1 t=$2
		shift 2
		[ -s "$f" ] || continue
		plot+="${plot:+, }\"$f\" using 1:2 with linespoints axes $axis title \"$t\""
	done
	[ -n "$plot" ] || return 0
	gnuplot << EOF || bench_log "gnuplot failed for $png"
set terminal pngcairo size 900,480 font "sans,10" noenhanced
set output "$png"
set title "$title"
set xlabel "$xl"
set ylabel "$yl"
$([ -n "$y2l" ] && printf 'set y2label "%s"\nset y2tics\nset ytics nomirror' "$y2l")
set grid
set key outside bottom center horizontal
$([ "$scale" = log ] && echo "set logscale y")
plot $plot
EOF
	BENCH_PNG=$png
}

# ---- one synfin HTTP (or echo) measurement --------------------------------------

# bench_synfin_run RUN [SERVER-ARGS...] -- [CLIENT-ARGS...]: a fresh synfin
# server and client for one measurement: the server on CPU SRV, the client
# on CPU CLI with --duration SF_BENCH_DURATION and --json WORK/RUN.json. If
# the function BENCH_DURING is set, it runs (in the foreground) once the
# client is up, with the two PIDs as arguments. Sets BENCH_SRV_LOG,
# BENCH_CLI_LOG and BENCH_CLI_JSON.
bench_synfin_run()
{
	local run=$1 srv=() cli=()
	shift
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		srv+=("$1")
		shift
	done
	[ "$#" -gt 0 ] && shift
	cli=("$@")
	local try
	BENCH_SRV_LOG="$BENCH_WORK/$run-server.log"
	BENCH_CLI_LOG="$BENCH_WORK/$run-client.log"
	BENCH_CLI_JSON="$BENCH_WORK/$run.json"
	for ((try = 1; ; try++)); do
		rm -f "$BENCH_CLI_JSON"
		BENCH_SHARE=
		bench_synfin_srv "$BENCH_SRV_LOG" --stats-interval 1 "${srv[@]}"
		bench_synfin_cli "$BENCH_CLI_LOG" --duration "$BENCH_DUR" \
			--linger 3000 --json "$BENCH_CLI_JSON" "${cli[@]}"
		bench_wait_re "$BENCH_CLI_LOG" '^synfin: ready' 60 \
			"$BENCH_CLI_PID" &&
			bench_share_begin "$BENCH_SRV_PID" "$BENCH_CLI_PID"
		if [ -n "${BENCH_DURING:-}" ]; then
			"$BENCH_DURING" "$BENCH_SRV_PID" "$BENCH_CLI_PID"
		fi
		bench_synfin_job "$BENCH_SRV_LOG" "$BENCH_CLI_LOG" \
			$((BENCH_DUR + 90))
		[ -s "$BENCH_CLI_JSON" ] || bench_die "no $BENCH_CLI_JSON"
		# Which side was the limit: the share of its cycles in polls
		# that moved frames (100: saturated).
		bench_log "synfin $run: busy (median second): server" \
			"$(bench_series "$BENCH_SRV_LOG" busy | bench_median 1)%," \
			"client $(bench_series "$BENCH_CLI_LOG" busy |
				   bench_median 1)%"
		bench_disturb "synfin $run" share_pct "${BENCH_SHARE:-}" "$try"
		[ -z "${BENCH_SHARE:-}" ] || [ "$BENCH_SHARE" -ge 90 ] ||
			[ "$try" -ge "$BENCH_TRIES" ] && break
		bench_log "synfin run $run disturbed: again"
		bench_wait_quiet "$run again"
	done
}

# bench_jq FILE FILTER: one value of a JSON file (empty if null).
bench_jq()
{
	jq -r "$2 // empty" "$1"
}

# bench_perf_record CPU OUT SECONDS: sample everything that runs on CPU
# (cpu-clock, 999 Hz) for SECONDS into OUT.data, in the background (sets
# BENCH_PERF_PID); bench_perf_report reads it once the run is over. The
# profile run is not a measurement: perf itself takes a little of the CPUs.
bench_perf_record()
{
	local cpu=$1 out=$2 s=$3
	BENCH_PERF_PID=
	command -v perf >/dev/null || return 0
	# above the busy pollers, or its start takes seconds
	nice -n -20 perf record -e cpu-clock -F 999 -a -C "$cpu" \
		-o "$out.data" -- sleep "$s" > "$out.log" 2>&1 < /dev/null &
	BENCH_PERF_PID=$!
	bench_track "$BENCH_PERF_PID"
}

# bench_perf_report OUT PID: OUT gets the 10 symbols of PID with the most
# samples ("share% pid:comm DSO symbol", shares of the CPU's time) and a
# last line with PID's share and the other processes' share of the CPU;
# OUT.full the whole report.
bench_perf_report()
{
	local out=$1 pid=$2
	if [ ! -s "$out.data" ]; then
		echo "(no perf data: $(tail -n 1 "$out.log" 2>/dev/null))" > "$out"
		return 0
	fi
	perf report -i "$out.data" --stdio --no-children \
		--sort pid,dso,sym 2>/dev/null |
		sed -E -e '/^#/d' -e '/^$/d' -e 's/^ +//' -e 's/ +/ /g' \
		> "$out.full" || true
	{ awk -v p="$pid:" '$2 ~ "^" p' "$out.full" | head -n 10 || true
	  awk -v p="$pid:" '{ v = $1; sub(/%/, "", v)
		if ($2 ~ "^" p) me += v; else other += v }
		END { printf "(this CPU: pid %s %.1f%%, everything else %.1f%%)\n",
			pid, me, other }' pid="$pid" "$out.full"
	} > "$out"
	rm -f "$out.data" "$out.data.old"
}
