#!/bin/bash
# Soak: synfin's HTTP load generator at a high connection rate for a long
# time (issue 6, part 6), against
#   memif:  synfin's own HTTP server, DPDK to DPDK over net_memif (as
#           tests/integration/memif_short_conns.sh: server on lcore 1,
#           client on lcore 0, both in the dut namespace);
#   nginx:  the kernel: nginx in the peer namespace (pinned to the last
#           CPU), over the veth, synfin's client on lcore 0 (as
#           tests/integration/http_client_nginx.sh).
# One phase after the other, each MINUTES long (the default run takes about
# 21 minutes in all): short connections, one GET
# each ("Connection: close": the server closes first), CONC at once,
# unpaced, from 32 (memif) / 64 (nginx) source addresses so that no tuple
# comes back while the server holds it in TIME_WAIT.
#
#   sudo scripts/soak.sh [--minutes N] [--asan] [--phases memif,nginx]
#                        [--interval S] [--conc N] [--out DIR]
#
#   --minutes N   load time of each phase, 1..240 (10)
#   --asan        build synfin with -Db_sanitize=address,undefined into
#                 build-asan (SF_SOAK_ASAN_BUILD) and soak that; any
#                 AddressSanitizer, LeakSanitizer or UBSan report fails
#   --phases L    which phases, comma-separated (memif,nginx)
#   --interval S  seconds between samples, 2..60 (10)
#   --conc N      connections open at once per client, 1..4096 (64)
#   --out DIR     where the logs, samples.tsv and summary.json go
#                 (default: a new /tmp/sf-soak.XXXXXX, kept)
#
# Every INTERVAL s it takes, from every synfin process (SIGUSR1): VmRSS and
# HugetlbPages (/proc/PID/status), the mbuf pool's free count, the
# connections per TCP state, the client's connections and errors; the
# connection rate is the client's http_conns_opened over the interval.
# When the load stops (the client's --duration) the client lingers 2MSL
# (tcp.msl_ms=1000: 2 s) + 3 s, and each process is sampled once more.
#
# Verdict (status 0 when all hold; a table, then summary.json):
#  - errors: the client's http_errors (and the memif server's) at most
#    SF_SOAK_ERR_PPM (default 1) per million connections;
#  - no stuck connection: after 2MSL every tcp_state_* gauge of every
#    synfin process is 0, and the kernel (nginx phase) holds no socket on
#    the port but nginx's listener and TIME-WAIT;
#  - flat memory: each process's VmRSS at the end of the load is within
#    SF_SOAK_RSS_PCT (default 5) % + 4 MiB of its VmRSS after warm-up (the
#    first sample at least 20 % of the load time, 30 s at most, in), its
#    HugetlbPages unchanged; after 2MSL its mbuf pool is full again but
#    for what the application keeps for its whole life: the HTTP server's
#    response heads (measured before the load: 12), the HTTP client's two
#    request templates (SF_SOAK_CLIENT_RESIDENT, default 2), i.e.
#    mbuf_pool0_free = mbuf_pool0_size - those;
#  - every process ran to the end (the server stops on SIGTERM with status
#    0; the client exits by itself, status 0, or 1 only for errors within
#    the tolerance);
#  - --asan: no sanitizer report in any log (ASAN_OPTIONS detect_leaks=1,
#    LSan suppressions from tests/fuzz/lsan.supp for EAL's one-time
#    allocations), and every process went through exit() with ASan on
#    (its exit statistics, atexit=1, printed: LSan's check ran).
# A server that dies during the load (e.g. DPDK 22.11's memif unmapping its
# rings under a polling lcore, see memif_short_conns.sh) fails its phase;
# the next phase still runs and the summary is still written.
# Not part of scripts/test.sh. Needs root, 2 CPUs, nginx (nginx-light).
set -euo pipefail

SF_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
MINUTES=10
ASAN=
PHASES=memif,nginx
INTERVAL=10
CONC=64
OUT=

usage()
{
	sed -n '/^#   sudo scripts\/soak.sh/,/kept)$/p' "$0" | sed 's/^# \?//'
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case $1 in
	--minutes)	MINUTES=${2:-}; shift ;;
	--asan)		ASAN=1 ;;
	--phases)	PHASES=${2:-}; shift ;;
	--interval)	INTERVAL=${2:-}; shift ;;
	--conc)		CONC=${2:-}; shift ;;
	--out)		OUT=${2:-}; shift ;;
	-h|--help)	usage 0 ;;
	*)		echo "soak: unknown option $1" >&2; usage ;;
	esac
	shift
done
in_range()
{
	[[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
		{ echo "soak: $1 $2: not $3..$4" >&2; exit 2; }
}
in_range --minutes "$MINUTES" 1 240
in_range --interval "$INTERVAL" 2 60
in_range --conc "$CONC" 1 4096
for p in ${PHASES//,/ }; do
	case $p in
	memif|nginx) ;;
	*) echo "soak: --phases: unknown phase $p" >&2; exit 2 ;;
	esac
done

ERR_PPM=${SF_SOAK_ERR_PPM:-1}
RSS_PCT=${SF_SOAK_RSS_PCT:-5}
RSS_SLACK_KB=4096
CLIENT_RESIDENT=${SF_SOAK_CLIENT_RESIDENT:-2}
MSL_MS=1000
LINGER_MS=$((2 * MSL_MS + 3000))
LOAD_S=$((MINUTES * 60))
WARM_S=$((LOAD_S / 5 < 30 ? LOAD_S / 5 : 30))
NGINX=${NGINX:-/usr/sbin/nginx}
PY=/usr/bin/python3

# ---- the executable: the build, or an ASan build of its own ---------------

if [ -n "$ASAN" ]; then
	ASAN_BUILD=${SF_SOAK_ASAN_BUILD:-$SF_SRCDIR/build-asan}
	echo "soak: ASan+UBSan build in $ASAN_BUILD"
	mkdir -p "$ASAN_BUILD"
	if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
		meson setup "$ASAN_BUILD" "$SF_SRCDIR" \
			-Db_sanitize=address,undefined -Dbuildtype=debugoptimized \
			-Dtests=disabled > "$ASAN_BUILD/soak-setup.log" 2>&1 ||
			{ tail -n 20 "$ASAN_BUILD/soak-setup.log"; exit 1; }
	fi
	ninja -C "$ASAN_BUILD" app/synfin/synfin \
		> "$ASAN_BUILD/soak-ninja.log" 2>&1 ||
		{ tail -n 30 "$ASAN_BUILD/soak-ninja.log"; exit 1; }
	SYNFIN="$ASAN_BUILD/app/synfin/synfin"
	# The EAL's one-time allocations are no leak; every report counts.
	# atexit=1: ASan's exit statistics, the sign that the process went
	# through exit() with the sanitizer on, so that LSan's leak check ran.
	export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:atexit=1"
	export LSAN_OPTIONS="suppressions=$SF_SRCDIR/tests/fuzz/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0"
fi
export SYNFIN=${SYNFIN:-$SF_SRCDIR/build/app/synfin/synfin}
export SF_SRCDIR

# shellcheck source=../tests/integration/lib.sh
. "$SF_SRCDIR/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "soak: needs root (network namespaces)" >&2
	exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "soak: needs 2 CPUs (one lcore each)" >&2
	exit 1; }
[[ ,$PHASES, != *,nginx,* ]] || command -v "$NGINX" >/dev/null ||
	{ echo "soak: no $NGINX (nginx-light) for the nginx phase" >&2; exit 1; }

# ---- processes, cleanup ---------------------------------------------------

PREFIXES=()		# the EAL file prefixes of this run
# shellcheck disable=SC2317 # run by the exit trap
soak_cleanup()
{
	local rc=$? p
	set +e
	for ((p = ${#SF_PIDS[@]} - 1; p >= 0; p--)); do
		sf_kill "${SF_PIDS[p]}"
	done
	for p in "${PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
		rm -f "$SF_HUGE_DIR/${p}map_"*
	done
	[ -n "${SF_WORKDIR:-}" ] && rm -f "$SF_WORKDIR/memif.sock"
	SF_WORKDIR=		# kept: the logs and the summary are the result
	(exit "$rc")
	sf_cleanup
}

if [ -n "$OUT" ]; then
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
fi
sf_init "soak-$$"
trap soak_cleanup EXIT
if [ -n "$OUT" ]; then
	rmdir "$SF_WORKDIR"
	SF_WORKDIR=$OUT
fi
W=$SF_WORKDIR
SAMPLES="$W/samples.tsv"
FACTS="$W/facts.tsv"
printf 'phase\tproc\tt\tinload\trss_kb\thuge_kb\tpool_free\tpool_size' \
	> "$SAMPLES"
printf '\tst_%s' "${SF_TCP_STATES[@]}" >> "$SAMPLES"
printf '\tconns\terrors\tretransmits\ttw_full\n' >> "$SAMPLES"
: > "$FACTS"
echo "soak: $MINUTES min per phase ($PHASES), sample every ${INTERVAL}s," \
	"warm-up ${WARM_S}s, $CONC connections at once; synfin: $SYNFIN;" \
	"files in $W"

# fact PHASE KEY VALUE: a line of facts.tsv for the summary.
fact()
{
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$FACTS"
}

# syn_start LOG LCORE PREFIX VDEV SYNFIN-OPTIONS...: a synfin in the dut
# namespace, in the background; sets SF_BG_PID.
syn_start()
{
	local log=$1 lcore=$2 prefix=$3 vdev=$4 mem
	shift 4
	read -r -a mem <<< "$(sf_eal_mem_args)"
	PREFIXES+=("$prefix")
	local cmd=("$SYNFIN" -l "$lcore" --no-pci "--vdev=$vdev"
		"--file-prefix=$prefix" "${mem[@]}" -- --stats-interval 0 \
		--set general.counters=all "$@")
	echo "soak: ip netns exec $SF_NS_DUT ${cmd[*]}" | tee -a "$W/commands"
	ip netns exec "$SF_NS_DUT" "${cmd[@]}" > "$log" 2>&1 < /dev/null &
	SF_BG_PID=$!
	sf_track "$SF_BG_PID"
}

# wait_ready PID LOG
wait_ready()
{
	local i
	for ((i = 0; i < 600; i++)); do
		grep -q '^synfin: ready' "$2" && return 0
		sf_alive "$1" || break
		sleep 0.1
	done
	tail -n 30 "$2"
	fail "synfin (pid $1) not ready: see $2"
}

# snap PID LOG: SIGUSR1, wait for the new counter block (5 s at most).
snap()
{
	local pid=$1 log=$2 before i
	before=$(grep -c '^synfin: counters$' "$log") || true
	kill -USR1 "$pid" 2>/dev/null || return 1
	for ((i = 0; i < 50; i++)); do
		sleep 0.1
		if [ "$(grep -c '^synfin: counters$' "$log")" -gt "$before" ]
		then
			sleep 0.2
			return 0
		fi
	done
	return 1
}

# block_vals LOG MARKER NAME...: the values of NAME... in the last block
# after MARKER, space-separated ("-" for a missing one).
block_vals()
{
	local log=$1 m=$2
	shift 2
	sf_counters_block "$m" "$log" | awk -v names="$*" '
		{ v[$1] = $2 }
		END {
			n = split(names, a, " ")
			for (i = 1; i <= n; i++)
				printf "%s%s", (a[i] in v ? v[a[i]] : "-"),
					(i < n ? "\t" : "\n")
		}'
}

STATE_NAMES=()
for s in "${SF_TCP_STATES[@]}"; do
	STATE_NAMES+=("tcp_state_$s")
done

# sample PHASE PROC PID LOG T INLOAD [MARKER]: one row of samples.tsv;
# MARKER "final" reads the final block of an exited process (no RSS).
sample()
{
	local phase=$1 proc=$2 pid=$3 log=$4 t=$5 inload=$6 m rss huge vals
	if [ "${7:-}" = final ]; then
		m="synfin: final counters"
		rss=- huge=-
	else
		m="synfin: counters"
		sf_alive "$pid" || return 1
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
		huge=$(awk '/^HugetlbPages:/ { print $2 }' "/proc/$pid/status")
		snap "$pid" "$log" || return 1
	fi
	vals=$(block_vals "$log" "$m" mbuf_pool0_free mbuf_pool0_size \
		"${STATE_NAMES[@]}" http_conns_opened http_errors \
		tcp_retransmits tcp_tw_full)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$proc" "$t" "$inload" \
		"${rss:--}" "${huge:--}" "$vals" >> "$SAMPLES"
	LAST_ROW=$(tail -n 1 "$SAMPLES")
}

# say_row: one line of what the last sample saw.
say_row()
{
	awk -F '\t' '{
		printf "  %-6s %-6s t=%4ss rss %6.1f MiB huge %4s MiB " \
			"pool %s/%s estab %s tw %s conns %s errors %s\n",
			$1, $2, $3, ($5 == "-" ? 0 : $5 / 1024),
			($6 == "-" ? "-" : int($6 / 1024)), $7, $8, $11, $17,
			$18, $19 }' <<< "$LAST_ROW"
}

# run_load PHASE CLIENT_PID CLIENT_LOG [SERVER_PID SERVER_LOG]: sample
# every INTERVAL s while the client runs (load, then its linger); the
# server once more after the client ends. Bounded: LOAD_S + 120 s.
run_load()
{
	local phase=$1 cpid=$2 clog=$3 spid=${4:-} slog=${5:-} t0 t next
	local end inload rc=0
	t0=$SECONDS
	next=$((t0 + INTERVAL))
	end=$((t0 + LOAD_S + LINGER_MS / 1000 + 120))
	while sf_alive "$cpid" && [ "$SECONDS" -lt "$end" ]; do
		if [ -n "$spid" ] && ! sf_alive "$spid"; then
			wait "$spid" || rc=$?
			fact "$phase" server_died "$rc"
			echo "soak: $phase: the server died (status $rc) while" \
				"the client ran; see $slog" >&2
			tail -n 20 "$slog" >&2
			spid=
			sf_kill "$cpid" 10
			break
		fi
		if [ "$SECONDS" -lt "$next" ]; then
			sleep 0.2
			continue
		fi
		next=$((next + INTERVAL))
		t=$((SECONDS - t0))
		inload=$([ "$t" -le "$LOAD_S" ] && echo 1 || echo 0)
		sample "$phase" client "$cpid" "$clog" "$t" "$inload" &&
			say_row
		if [ -n "$spid" ]; then
			sample "$phase" server "$spid" "$slog" "$t" "$inload" &&
				say_row
		fi
	done
	if sf_alive "$cpid"; then
		fact "$phase" client_stuck "$((SECONDS - t0))"
		echo "soak: $phase: the client still ran $((SECONDS - t0))s" \
			"after its start (load ${LOAD_S}s); stopping it" >&2
		sample "$phase" client "$cpid" "$clog" "$((SECONDS - t0))" 0 &&
			say_row
		sf_kill "$cpid" 10
	fi
	rc=0
	wait "$cpid" || rc=$?
	fact "$phase" client_status "$rc"
	fact "$phase" load_s "$((SECONDS - t0))"
	# the client's final block: printed after its linger (2MSL + 3 s)
	sample "$phase" client "$cpid" "$clog" "$((SECONDS - t0))" 0 final ||
		true
	if [ -n "$spid" ]; then
		sample "$phase" server "$spid" "$slog" "$((SECONDS - t0))" 0 &&
			say_row
	fi
	grep '^synfin: \(http client\|latency\)' "$clog" | sed 's/^/  /'
	fact "$phase" client_line "$(grep -m1 '^synfin: http client: [0-9]' \
		"$clog" || echo -)"
}

# stop_server PHASE PID LOG: SIGTERM; the exit status and final counters.
stop_server()
{
	local phase=$1 pid=$2 log=$3 i rc=0
	sf_alive "$pid" || { wait "$pid" || rc=$?; fact "$phase" \
		server_status "$rc"; return 0; }
	kill -TERM "$pid"
	for ((i = 0; i < 300; i++)); do
		sf_alive "$pid" || break
		sleep 0.1
	done
	sf_alive "$pid" && kill -KILL "$pid"
	wait "$pid" || rc=$?
	fact "$phase" server_status "$rc"
	sample "$phase" server "$pid" "$log" "-" 0 final || true
}

# ---- phase memif: synfin client -> synfin HTTP server over net_memif ------

phase_memif()
{
	local sock="$W/memif.sock" slog="$W/memif-server.log"
	local clog="$W/memif-client.log" spid cpid
	echo "soak: phase memif: ${LOAD_S}s, synfin -> synfin over net_memif"
	syn_start "$slog" 1 "sf-$SF_TAG-srv" \
		"net_memif0,id=0,role=server,socket=$sock,socket-abstract=no,mac=02:53:46:00:02:01" \
		--ip 198.18.1.1/24 --mode server --app http --port 80 \
		--body-size 100 --set general.link_wait_ms=0 \
		--set tcp.msl_ms="$MSL_MS" --set tcp.max_timewait=262144
	spid=$SF_BG_PID
	wait_ready "$spid" "$slog"
	# what the server keeps before any connection (its response heads);
	# the larger of two looks, in case one fell inside a Date refresh
	local f1 f2 size
	snap "$spid" "$slog" || fail "memif server: no counters on SIGUSR1"
	f1=$(block_vals "$slog" "synfin: counters" mbuf_pool0_free)
	snap "$spid" "$slog" || fail "memif server: no counters on SIGUSR1"
	read -r f2 size <<< "$(block_vals "$slog" "synfin: counters" \
		mbuf_pool0_free mbuf_pool0_size)"
	fact memif server_resident $((size - (f1 > f2 ? f1 : f2)))
	syn_start "$clog" 0 "sf-$SF_TAG-cli" \
		"net_memif0,id=0,role=client,socket=$sock,socket-abstract=no,mac=02:53:46:00:02:02" \
		--ip 198.18.1.2/24 --mode client --app http \
		--target 198.18.1.1:80 --requests 1 --concurrency "$CONC" \
		--duration "$LOAD_S" --linger "$LINGER_MS" \
		--source 198.18.1.16-198.18.1.47 --set tcp.msl_ms="$MSL_MS" \
		--json "$W/memif-client.json"
	cpid=$SF_BG_PID
	run_load memif "$cpid" "$clog" "$spid" "$slog"
	stop_server memif "$spid" "$slog"
	fact memif server_line "$(block_vals "$slog" "synfin: final counters" \
		http_responses http_errors tcp_passive_opens tcp_tw_full \
		tcp_tw_reused tcp_estab_resets tcp_rx_rst tcp_tx_rst \
		mbuf_alloc_fail | tr '\t' ' ')"
}

# ---- phase nginx: synfin client -> nginx (the kernel) over the veth -------

phase_nginx()
{
	local www="$W/www" conf="$W/nginx.conf" clog="$W/nginx-client.log"
	local npid cpid cpu ss_out i
	echo "soak: phase nginx: ${LOAD_S}s, synfin -> nginx over the veth"
	mkdir -p "$www" "$W/nginx-tmp"
	head -c 100 /dev/zero | tr '\0' 'x' > "$www/index.html"
	# TIME-WAIT buckets for a minute of this load (per-namespace sysctl)
	sf_peer sysctl -qw net.ipv4.tcp_max_tw_buckets=1048576 \
		net.core.somaxconn=4096 || true
	cat > "$conf" <<-EOF
	daemon off;
	master_process off;
	worker_processes 1;
	worker_rlimit_nofile 16384;
	user root;
	pid $W/nginx.pid;
	lock_file $W/nginx.lock;
	error_log $W/nginx-error.log warn;
	events {
		worker_connections 8192;
	}
	http {
		access_log off;
		client_body_temp_path $W/nginx-tmp/body;
		proxy_temp_path $W/nginx-tmp/proxy;
		fastcgi_temp_path $W/nginx-tmp/fastcgi;
		uwsgi_temp_path $W/nginx-tmp/uwsgi;
		scgi_temp_path $W/nginx-tmp/scgi;
		default_type text/html;
		server {
			listen $SF_IP_PEER:8080 backlog=4096;
			root $www;
		}
	}
	EOF
	cpu=$(($(nproc) - 1))
	sf_peer_bg "$W/nginx.out" taskset -c "$cpu" "$NGINX" \
		-e "$W/nginx-error.log" -p "$W" -c "$conf"
	npid=$SF_BG_PID
	for ((i = 0; i < 100; i++)); do
		sf_peer ss -Hltn "sport = :8080" 2>/dev/null | grep -q . && break
		sf_alive "$npid" || break
		sleep 0.1
	done
	sf_peer ss -Hltn "sport = :8080" | grep -q . ||
		fail "nginx did not listen: $(cat "$W/nginx.out" \
			"$W/nginx-error.log" 2>/dev/null)"
	SF_SYNFIN_PREFIX="sf-$SF_TAG-ngx"
	syn_start "$clog" "${SF_LCORE:-0}" "$SF_SYNFIN_PREFIX" \
		"${SF_PMD}0,iface=$SF_IF_DUT" --ip "$SF_IP_DUT/$SF_PLEN" \
		--mode client --app http --target "$SF_IP_PEER:8080" \
		--requests 1 --concurrency "$CONC" --duration "$LOAD_S" \
		--linger "$LINGER_MS" --source 198.18.0.16-198.18.0.79 \
		--set tcp.msl_ms="$MSL_MS" --json "$W/nginx-client.json"
	cpid=$SF_BG_PID
	run_load nginx "$cpid" "$clog"
	# the kernel's side, 2MSL (synfin's) after the load: only TIME-WAIT
	ss_out=$(sf_peer ss -Htan "( sport = :8080 )" | awk '
		{ n[$1]++ } END { for (s in n) printf "%s=%d ", s, n[s] }')
	fact nginx kernel_states "${ss_out:-none}"
	sf_alive "$npid" && fact nginx nginx_alive 1 || fact nginx nginx_alive 0
	fact nginx nginx_rss_kb "$(awk '/^VmRSS:/ { print $2 }' \
		"/proc/$npid/status" 2>/dev/null || echo -)"
	sf_kill "$npid"
	fact nginx nginx_errors "$(grep -Ec '\[(emerg|alert|crit)\]' \
		"$W/nginx-error.log" || true)"
}

for p in ${PHASES//,/ }; do
	case $p in
	memif)	phase_memif ;;
	nginx)	phase_nginx ;;
	esac
done

# ---- sanitizer reports ------------------------------------------------------

if [ -n "$ASAN" ]; then
	for f in "$W"/*-client.log "$W"/*-server.log; do
		[ -f "$f" ] || continue
		n=$(grep -Ec 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer|Sanitizer has encountered' \
			"$f" || true)
		fact asan "$(basename "$f" .log)" "$n"
		fact asan_exit "$(basename "$f" .log)" \
			"$(grep -c '^AddressSanitizer exit stats:' "$f" || true)"
	done
fi

# ---- the verdict: table and summary.json --------------------------------------

rc=0
SOAK_PARAMS="$MINUTES $INTERVAL $WARM_S $LOAD_S $ERR_PPM $RSS_PCT $RSS_SLACK_KB"
SOAK_PARAMS+=" $CLIENT_RESIDENT ${ASAN:-0} $PHASES ${SF_TCP_STATES[*]}"
# shellcheck disable=SC2086 # the words of SOAK_PARAMS are the arguments
"$PY" - "$SAMPLES" "$FACTS" "$W/summary.json" $SOAK_PARAMS << 'PYEOF' || rc=$?
import json, sys
samples, facts, out = sys.argv[1:4]
MINUTES, INTERVAL, WARM_S, LOAD_S = (int(x) for x in sys.argv[4:8])
ERR_PPM, RSS_PCT, RSS_SLACK_KB = (float(x) for x in sys.argv[8:11])
CLIENT_RESIDENT = int(sys.argv[11])
ASAN, PHASES = sys.argv[12] == "1", sys.argv[13].split(",")
STATES = sys.argv[14:]


def num(v):
    try:
        return int(v)
    except ValueError:
        return None

rows = []
with open(samples) as f:
    head = f.readline().rstrip("\n").split("\t")
    for line in f:
        r = dict(zip(head, line.rstrip("\n").split("\t")))
        for k in head[2:]:
            r[k] = num(r[k])
        rows.append(r)
fx = {}
with open(facts) as f:
    for line in f:
        ph, k, v = line.rstrip("\n").split("\t", 2)
        fx.setdefault(ph, {})[k] = v

checks = []
def check(phase, what, ok, detail):
    checks.append({"phase": phase, "check": what, "ok": bool(ok),
                   "detail": detail})

summary = {"minutes": MINUTES, "interval_s": INTERVAL, "warmup_s": WARM_S,
           "asan": ASAN, "tolerance": {"errors_ppm": ERR_PPM,
           "rss_pct": RSS_PCT, "rss_slack_kb": RSS_SLACK_KB}, "phases": {}}
print()
print("soak: samples (rss/huge in MiB; conn/s over the interval)")
print("%-6s %-6s %6s %4s %8s %6s %13s %6s %6s %6s %10s %9s %7s" % (
    "phase", "proc", "t_s", "load", "rss", "huge", "pool free", "estab",
    "tw", "other", "conns", "conn/s", "errors"))
for ph in PHASES:
    prs = [r for r in rows if r["phase"] == ph]
    f = fx.get(ph, {})
    P = {"samples": [], "facts": f}
    last = {}
    for r in prs:
        d = dict(r)
        if r["t"] is not None and r["proc"] == "client" and \
                r["conns"] is not None and r["rss_kb"] is not None:
            pt, pc = last.get("client", (0, 0))
            d["conn_per_s"] = round((r["conns"] - pc) / (r["t"] - pt), 1) \
                if r["t"] > pt else None
            last["client"] = (r["t"], r["conns"])
        else:
            d["conn_per_s"] = None
        P["samples"].append(d)
        other = sum(r["st_" + s] or 0 for s in STATES
                    if s not in ("ESTABLISHED", "TIME_WAIT"))
        print("%-6s %-6s %6s %4s %8s %6s %13s %6s %6s %6s %10s %9s %7s" % (
            ph, r["proc"], "end" if r["t"] is None else r["t"],
            "yes" if r["inload"] else "no",
            "-" if r["rss_kb"] is None else "%.1f" % (r["rss_kb"] / 1024),
            "-" if r["huge_kb"] is None else r["huge_kb"] // 1024,
            "%s/%s" % (r["pool_free"], r["pool_size"]),
            r["st_ESTABLISHED"], r["st_TIME_WAIT"], other,
            "-" if r["conns"] is None else r["conns"],
            "-" if d["conn_per_s"] is None else "%.0f" % d["conn_per_s"],
            "-" if r["errors"] is None else r["errors"]))
    # rates
    cl = [d for d in P["samples"] if d["proc"] == "client"]
    rates = [d["conn_per_s"] for d in cl
             if d["conn_per_s"] is not None and d["inload"] and d["t"] > INTERVAL]
    conns = max([d["conns"] or 0 for d in cl] or [0])
    errs = max([d["errors"] or 0 for d in cl] or [0])
    load_s = LOAD_S
    P["connections"] = conns
    P["conn_per_s_avg"] = round(conns / load_s, 1)
    P["conn_per_s_min"] = min(rates) if rates else None
    P["conn_per_s_max"] = max(rates) if rates else None
    P["client_errors"] = errs
    tol = conns * ERR_PPM / 1e6
    check(ph, "client errors", errs <= tol,
          "%d errors in %d connections (tolerance %.2f: %g per million)" % (
              errs, conns, tol, ERR_PPM))
    st = num(f.get("client_status", "-1"))
    check(ph, "client exit", "client_stuck" not in f and
          (st == 0 or (st == 1 and 0 < errs <= tol)),
          "status %s%s; %s" % (st, ", still running %ss after its start: "
                               "stopped" % f["client_stuck"]
                               if "client_stuck" in f else "",
                               f.get("client_line", "-")))
    if ph == "memif":
        sv = [d for d in P["samples"] if d["proc"] == "server"]
        serr = max([d["errors"] or 0 for d in sv] or [0])
        P["server_errors"] = serr
        check(ph, "server errors", serr <= tol, "%d (final: %s)" % (
            serr, f.get("server_line", "-")))
        check(ph, "server exit", f.get("server_status") == "0" and
              "server_died" not in f,
              "died during the load, status %s" % f["server_died"]
              if "server_died" in f else
              "status %s after SIGTERM" % f.get("server_status"))
    for proc in sorted({d["proc"] for d in P["samples"]}):
        ps = [d for d in P["samples"] if d["proc"] == proc]
        live = [d for d in ps if d["rss_kb"] is not None]
        inl = [d for d in live if d["inload"]]
        post = [d for d in live if not d["inload"]]
        warm = next((d for d in inl if d["t"] >= WARM_S), None)
        endl = inl[-1] if inl else None
        if warm is None or endl is None or warm is endl:
            check(ph, "%s flat memory" % proc, False,
                  "too few samples in the load")
        else:
            lim = warm["rss_kb"] * (1 + RSS_PCT / 100) + RSS_SLACK_KB
            check(ph, "%s flat memory" % proc,
                  endl["rss_kb"] <= lim and
                  endl["huge_kb"] == warm["huge_kb"],
                  "VmRSS %.1f MiB at t=%ds (warm) -> %.1f MiB at t=%ds "
                  "(end of load), %+.2f %%, limit %.1f MiB; hugetlb %d -> "
                  "%d MiB; after: %s" % (
                      warm["rss_kb"] / 1024, warm["t"],
                      endl["rss_kb"] / 1024, endl["t"],
                      (endl["rss_kb"] - warm["rss_kb"]) * 100.0 /
                      warm["rss_kb"], lim / 1024, warm["huge_kb"] // 1024,
                      endl["huge_kb"] // 1024,
                      ", ".join("%.1f MiB" % (d["rss_kb"] / 1024)
                                for d in post) or "-"))
            P.setdefault("rss_kb", {})[proc] = {
                "warm": warm["rss_kb"], "end_of_load": endl["rss_kb"],
                "after": [d["rss_kb"] for d in post],
                "min": min(d["rss_kb"] for d in inl),
                "max": max(d["rss_kb"] for d in inl)}
        # after 2MSL: the last sample of the process (final block or the
        # live one after the client's linger)
        fin = ps[-1] if ps and not ps[-1]["inload"] else None
        if fin is None:
            check(ph, "%s drained" % proc, False, "no sample after the load")
        else:
            busy = {s: fin["st_" + s] for s in STATES if fin["st_" + s]}
            check(ph, "%s no stuck connection" % proc, not busy,
                  "after 2MSL: %s" % (", ".join("%s=%d" % kv for kv in
                                                busy.items()) or
                                      "every tcp_state_* 0"))
            keep = CLIENT_RESIDENT if proc == "client" else \
                num(f.get("server_resident", "-"))
            check(ph, "%s mbuf pool full" % proc,
                  fin["pool_size"] is not None and keep is not None and
                  fin["pool_free"] == fin["pool_size"] - keep,
                  "mbuf_pool0_free %s of %s after 2MSL, %s kept by the "
                  "application for its life" % (
                      fin["pool_free"], fin["pool_size"], keep))
            P.setdefault("pool_after", {})[proc] = {
                "free": fin["pool_free"], "size": fin["pool_size"],
                "app_resident": keep}
    if ph == "nginx":
        ks = f.get("kernel_states", "none")
        bad = [kv for kv in ks.split() if kv.split("=")[0] not in
               ("TIME-WAIT", "LISTEN", "none")]
        check(ph, "kernel no stuck connection", not bad,
              "sockets on :8080 after the load: %s" % ks)
        check(ph, "nginx ran to the end", f.get("nginx_alive") == "1" and
              f.get("nginx_errors") == "0",
              "alive %s, emerg/alert/crit lines %s, VmRSS %s kB" % (
                  f.get("nginx_alive"), f.get("nginx_errors"),
                  f.get("nginx_rss_kb")))
    summary["phases"][ph] = P
if ASAN:
    a = fx.get("asan", {})
    n = sum(int(v) for v in a.values())
    check("asan", "sanitizer reports", n == 0 and a,
          ", ".join("%s: %s" % kv for kv in a.items()) or "no logs")
    e = fx.get("asan_exit", {})
    check("asan", "leak check ran at exit", e and
          all(v == "1" for v in e.values()),
          "ASan exit statistics (atexit=1) printed: " +
          ", ".join("%s: %s" % kv for kv in e.items()))
summary["checks"] = checks
summary["ok"] = all(c["ok"] for c in checks)
print()
for ph in PHASES:
    P = summary["phases"][ph]
    print("soak: %s: %d connections in %d s, %.0f conn/s on average "
          "(per interval: min %s, max %s), %d client errors" % (
              ph, P["connections"], LOAD_S, P["conn_per_s_avg"],
              P["conn_per_s_min"], P["conn_per_s_max"], P["client_errors"]))
for c in checks:
    print("  %s: %s: %s: %s" % ("ok" if c["ok"] else "FAIL", c["phase"],
                                c["check"], c["detail"]))
with open(out, "w") as fo:
    json.dump(summary, fo, indent=1)
    fo.write("\n")
print("soak: %s; summary: %s" % ("PASS" if summary["ok"] else "FAIL", out))
sys.exit(0 if summary["ok"] else 1)
PYEOF
exit "$rc"
