#!/bin/bash
# impair: seconds to echo the same bytes through a router that drops,
# duplicates, delays or reorders, synfin beside the Linux kernel behind the
# same router, with the same impairment, in the same run (issue 19).
#
# Topology (tests/integration/lib.sh, sf_topo_mid_up), namespaces only:
#
#   sf-TAG-peer             sf-TAG-mid (the router)        sf-TAG-dut
#   kernel 198.18.0.1  <->  198.18.0.254 | 198.18.1.1  <->  198.18.1.2:
#                           nftables or fwd_delay.py        synfin on
#                                                           net_af_packet,
#                                                           or the kernel
#
# The DUT side is either synfin or the kernel on the same veth, MAC and
# address: the kernel gets 198.18.1.2 only while synfin is stopped, so both
# stacks take exactly the same path. Offloads are off on every veth end.
#
# Each scenario, each direction, SF_BENCH_IMPAIR_MIB MiB of random data
# go each way; every byte is verified:
#   server   tcp_peer.py client in the peer namespace (it sends while it
#            reads the echo back) -> echo server on the DUT side: synfin's
#            (--app echo) or the kernel's (tcp_peer.py echo-server). The
#            echo's SHA-256 must be the data's. Time: the client's own,
#            connect to EOF.
#   client   echo client on the DUT side -> tcp_peer.py echo-server in the
#            peer namespace: synfin's (--mode client --app echo --bytes N,
#            which checks every byte: its OK line and status 0; time: its
#            own "in X s", ready to the connection's close) or the
#            kernel's (tcp_peer.py client in the DUT namespace, SHA-256;
#            time: connect to EOF).
# Per row the kernel runs first, then synfin, each with a fresh impairment
# (its counters are in the JSON per transfer).
#
# Scenarios (SF_BENCH_IMPAIR_CASES, default "loss1 loss5 loss20 dup5
# reorder"), each a row per direction:
#   lossN     nftables in the router's forward chain drops N % of the TCP
#             packets each way (numgen random mod 100 < N)
#   dupN      duplicates N % of them each way (dup to the next hop)
#   reorder   fwd_delay.py routes instead of the kernel: 10 ms each way,
#             2 % of the frames held back until 3 later ones overtook them
#             (50 ms at most); tc netem is not in these kernels
#   clean     (not by default) no impairment: the path's own speed
#
# Ratio: synfin's seconds / the kernel's (below 1: synfin is faster).
# Targets (issue 19): <= 1.5x at 5 % loss; <= 2x at 1 % and 20 % loss and
# with reordering; duplication has none.
#
# A transfer that is not done after SF_BENCH_IMPAIR_TIMEOUT s is stopped
# and reported "timeout", and the run goes on; one that ends with an error
# is "failed". Data that come back different from what was sent is a
# MISMATCH: said at once, and the run's exit status is 1 (after the table).
#
# CPUs: synfin (its lcore) and the kernel's DUT-side process run on
# SF_BENCH_CORE_SRV, the peer's processes and fwd_delay.py on
# SF_BENCH_CORE_CLI. About 3 to 5 minutes with the defaults on a 2-CPU
# VM, most of it synfin's transfers through loss (timeouts add up to
# 8 x SF_BENCH_IMPAIR_TIMEOUT).
#
# Environment (all optional):
#   SF_BENCH_IMPAIR_MIB      MiB each way per transfer (8)
#   SF_BENCH_IMPAIR_CASES    scenarios, in order (loss1 loss5 loss20 dup5
#                            reorder; also lossN, dupN for any N, clean)
#   SF_BENCH_IMPAIR_ROUNDS   rounds of every scenario (1); each cell is the
#                            median of its rounds, a timeout counting as
#                            longer than any time
#   SF_BENCH_IMPAIR_TIMEOUT  seconds per transfer (120)
#   SF_BENCH_IMPAIR_KERNEL_CC  the DUT-side kernel's congestion control
#                            (cubic, Linux's default; bbr does not back
#                            off on random loss)
#   SF_BENCH_IMPAIR_SYNFIN_CC  synfin's tcp.cc; by default the same kind
#                            as the kernel's: cubic-friendly for cubic,
#                            bbr for bbr, newreno for reno
#   SF_BENCH_IMPAIR_PEER_CC  the peer's (bbr), the same for both stacks:
#                            the peer's half of an echo then does not
#                            dominate the DUT side's (with cubic at 20 %
#                            loss it alone takes past the time limit).
#   SF_EAL_MEM               synfin's EAL memory arguments (scripts/deps.sh)
# Of lib.sh's settings below only SYNFIN, SF_BENCH_OUT, SF_BENCH_CORE_SRV,
# SF_BENCH_CORE_CLI, SF_BENCH_QUIET_PCT, SF_BENCH_QUIET_WAIT (one wait per
# scenario and round) and SF_BENCH_KEEP apply here; SF_BENCH_DURATION is
# replaced by SF_BENCH_IMPAIR_TIMEOUT.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"
# The fault topology and synfin on net_af_packet in a namespace, as the
# integration tests make them (tcp_loss.sh, tcp_reorder.sh).
# shellcheck source=../../tests/integration/lib.sh
. "$SF_SRCDIR/tests/integration/lib.sh"

MIB=${SF_BENCH_IMPAIR_MIB:-8}
CASES=${SF_BENCH_IMPAIR_CASES:-loss1 loss5 loss20 dup5 reorder}
ROUNDS=${SF_BENCH_IMPAIR_ROUNDS:-1}
TIMEOUT=${SF_BENCH_IMPAIR_TIMEOUT:-120}
KERNEL_CC=${SF_BENCH_IMPAIR_KERNEL_CC:-cubic}
PEER_CC=${SF_BENCH_IMPAIR_PEER_CC:-bbr}
case $KERNEL_CC in
bbr) SYNFIN_CC_DEFAULT=bbr ;;
reno) SYNFIN_CC_DEFAULT=newreno ;;
*) SYNFIN_CC_DEFAULT=cubic-friendly ;;
esac
SYNFIN_CC=${SF_BENCH_IMPAIR_SYNFIN_CC:-$SYNFIN_CC_DEFAULT}
BYTES=$((MIB * 1048576))
PORT_DUT=7		# the DUT side's echo server
PORT_PEER=7007		# the peer's echo server
DELAY_MS=10
REORDER_PCT=2
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"
FWD_PY="$SF_SRCDIR/tests/integration/fwd_delay.py"
NFT_TABLE=sf_impair

# Every setting is checked before anything starts.
case $SYNFIN_CC in
cubic-friendly|newreno|bbr) ;;
*)	echo "impair.sh: SF_BENCH_IMPAIR_SYNFIN_CC='$SYNFIN_CC' is not one" \
		"of cubic-friendly, newreno, bbr" >&2
	exit 2 ;;
esac
for v in MIB ROUNDS TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || {
		echo "impair.sh: SF_BENCH_IMPAIR_$v='${!v}' is not a positive" \
			"integer" >&2
		exit 2
	}
done
# A congestion control not loaded yet loads at its first setsockopt.
for v in KERNEL_CC PEER_CC; do
	[[ ${!v} =~ ^[a-z0-9_]+$ ]] || {
		echo "impair.sh: SF_BENCH_IMPAIR_$v='${!v}' is not a" \
			"congestion control's name" >&2
		exit 2
	}
done
read -r -a cases <<< "$CASES"
[ "${#cases[@]}" -gt 0 ] || { echo "impair.sh: no scenario" >&2; exit 2; }
for c in "${cases[@]}"; do
	[[ $c =~ ^(loss|dup)([1-9][0-9]?)$|^reorder$|^clean$ ]] || {
		echo "impair.sh: unknown scenario '$c' in SF_BENCH_IMPAIR_CASES" \
			"(lossN, dupN with N 1..99, reorder, clean)" >&2
		exit 2
	}
done

# case_label CASE, case_target CASE: the row's words and its ratio target.
case_label()
{
	case $1 in
	loss*)	echo "loss ${1#loss} % each way" ;;
	dup*)	echo "duplication ${1#dup} % each way" ;;
	reorder) echo "delay $DELAY_MS ms, reordering $REORDER_PCT %" ;;
	clean)	echo "no impairment" ;;
	esac
}

case_target()
{
	case $1 in
	loss5)	echo 1.5 ;;
	loss1|loss20|reorder) echo 2 ;;
	esac
}

# ---- setup ------------------------------------------------------------------
# What lib.sh's JSON says of the run: the limit per transfer, no nice
# level, no veth offloads (sf_topo_mid_up turns them off).
BENCH_DUR=$TIMEOUT
BENCH_NICE=
BENCH_VETH_OFFLOAD=off
bench_init
for t in nft ethtool sha256sum cmp "$SF_PY"; do
	command -v "$t" > /dev/null ||
		bench_die "missing tool: $t (scripts/deps.sh installs it)"
done
SYNFIN=$BENCH_BIN	# the copy: a rebuild cannot disturb the run
SF_LCORE=$BENCH_CPU_SRV
SF_WORKDIR=$BENCH_WORK
SF_TAG="bimp-$$"
MISMATCHES=0

# The exit trap: lib.sh's (integration) processes, synfin's runtime files
# and the three namespaces, then bench_cleanup (logs, work directory).
# shellcheck disable=SC2317 # run by the exit trap
impair_cleanup()
{
	local rc=$? i
	trap - EXIT
	set +e
	for ((i = ${#SF_PIDS[@]} - 1; i >= 0; i--)); do
		bench_alive "${SF_PIDS[i]}" && kill -KILL "${SF_PIDS[i]}" \
			2>/dev/null
		wait "${SF_PIDS[i]}" 2>/dev/null
	done
	if [ -n "$SF_SYNFIN_PREFIX" ]; then
		rm -rf "/var/run/dpdk/$SF_SYNFIN_PREFIX"
		rm -f "$SF_HUGE_DIR/${SF_SYNFIN_PREFIX}map_"*
	fi
	if [ -n "$SF_NS_MID" ] &&
	   ip netns list | awk '{print $1}' | grep -qx -- "$SF_NS_MID"; then
		ip netns del "$SF_NS_MID"
	fi
	sf_topo_down "$SF_TAG" > /dev/null
	(exit "$rc")
	bench_cleanup
}
trap impair_cleanup EXIT

sf_topo_up "$SF_TAG" > "$BENCH_WORK/topo.log" ||
	bench_die "cannot create the topology"
sf_topo_mid_up >> "$BENCH_WORK/topo.log"
trap impair_cleanup EXIT	# sf_topo_mid_up armed lib.sh's own
# Per socket (tcp_peer.py's SF_PEER_CC, TCP_CONGESTION): a namespace may
# only default to what the host allows every user.
bench_log "congestion control: synfin's $SYNFIN_CC, the DUT side's" \
	"kernel $KERNEL_CC, the peer's $PEER_CC (host default:" \
	"$(cat /proc/sys/net/ipv4/tcp_congestion_control))"
bench_log "topology: $SF_NS_PEER ($SF_IP_PEER) <-> $SF_NS_MID <->" \
	"$SF_NS_DUT ($SF_IP_DUT, synfin or the kernel)"

IN="$BENCH_WORK/data.in"
head -c "$BYTES" /dev/urandom > "$IN"
IN_SHA=$(sha256sum < "$IN" | cut -c1-64)

# The peer's echo server, for the client direction, for the whole run.
sf_peer_bg "$BENCH_WORK/peer-echo-server.log" env SF_PEER_CC="$PEER_CC" \
	taskset -c "$BENCH_CPU_CLI" \
	"$SF_PY" "$PEER_PY" echo-server "$SF_IP_PEER" "$PORT_PEER"
sf_wait_file_re "$BENCH_WORK/peer-echo-server.log" '^listening' 10 \
	"$SF_BG_PID" || bench_die "the peer's echo server did not start"

# ---- the kernel on the DUT side ---------------------------------------------
kernel_dut_on()
{
	ip -n "$SF_NS_DUT" addr add "$SF_IP_DUT/24" dev "$SF_IF_DUT" &&
	ip -n "$SF_NS_DUT" route add "${SF_IP_PEER%.*}.0/24" \
		via "$SF_IP_MID_DUT" ||
		bench_die "cannot give $SF_NS_DUT's kernel $SF_IP_DUT"
}

kernel_dut_off()
{
	ip -n "$SF_NS_DUT" addr flush dev "$SF_IF_DUT" ||
		bench_die "cannot take $SF_IP_DUT from $SF_NS_DUT's kernel"
}

# ns_retrans NS: the kernel's TCP RetransSegs in NS.
ns_retrans()
{
	# shellcheck disable=SC2016 # awk's own $
	ip netns exec "$1" awk '$1 == "Tcp:" && $2 ~ /^[0-9]+$/ { print $13 }' \
		/proc/net/snmp
}

# ---- impairments --------------------------------------------------------------
FWD_PID=
IMPAIR_STATS=

# impair_on CASE SEED: the router's impairment, counters at 0.
impair_on()
{
	local c=$1 rules=() p
	IMPAIR_STATS=
	if [ "$c" = reorder ]; then
		sf_mid sysctl -qw net.ipv4.ip_forward=0
		FWD_LOG="$BENCH_WORK/fwd.log"
		ip netns exec "$SF_NS_MID" taskset -c "$BENCH_CPU_CLI" \
			"$SF_PY" "$FWD_PY" "$SF_IF_MID_PEER" "$SF_IF_MID_DUT" \
			--net-a "${SF_IP_PEER%.*}.0/24" --mac-a "$SF_MAC_PEER" \
			--net-b "${SF_IP_DUT%.*}.0/24" --mac-b "$SF_MAC_DUT" \
			--delay-ms "$DELAY_MS" --reorder-pct "$REORDER_PCT" \
			--reorder-gap 3 --reorder-hold-ms 50 --seed "$2" \
			--timeout $((TIMEOUT + 120)) \
			--json "$BENCH_WORK/fwd.json" > "$FWD_LOG" 2>&1 \
			< /dev/null &
		FWD_PID=$!
		sf_track "$FWD_PID"
		bench_wait_re "$FWD_LOG" '^fwd_delay: ready' 10 "$FWD_PID" ||
			bench_die "fwd_delay.py did not start: $(cat "$FWD_LOG")"
		return 0
	fi
	sf_mid sysctl -qw net.ipv4.ip_forward=1
	sf_mid nft delete table ip "$NFT_TABLE" 2>/dev/null || true
	case $c in
	loss*)	p=${c#loss}
		rules+=("iifname \"$SF_IF_MID_PEER\" meta l4proto tcp numgen random mod 100 < $p counter drop comment \"drop-in\""
			"iifname \"$SF_IF_MID_DUT\" meta l4proto tcp numgen random mod 100 < $p counter drop comment \"drop-out\"") ;;
	dup*)	p=${c#dup}
		rules+=("iifname \"$SF_IF_MID_PEER\" meta l4proto tcp numgen random mod 100 < $p counter dup to $SF_IP_DUT device \"$SF_IF_MID_DUT\" comment \"dup-in\""
			"iifname \"$SF_IF_MID_DUT\" meta l4proto tcp numgen random mod 100 < $p counter dup to $SF_IP_PEER device \"$SF_IF_MID_PEER\" comment \"dup-out\"") ;;
	esac
	# "in": toward the DUT side, "out": toward the peer
	{
		echo "table ip $NFT_TABLE {"
		echo "  chain forward {"
		echo "    type filter hook forward priority 0; policy accept;"
		echo "    iifname \"$SF_IF_MID_PEER\" meta l4proto tcp counter comment \"fwd-in\""
		echo "    iifname \"$SF_IF_MID_DUT\" meta l4proto tcp counter comment \"fwd-out\""
		[ "${#rules[@]}" -eq 0 ] || printf '    %s\n' "${rules[@]}"
		echo "  }"
		echo "}"
	} | sf_mid nft -f - || bench_die "cannot load the nftables rules"
}

# impair_off: the impairment's counters into IMPAIR_STATS ("name=N ..."),
# then no impairment.
impair_off()
{
	local rc=0
	if [ -n "$FWD_PID" ]; then
		kill -TERM "$FWD_PID" 2>/dev/null || true
		wait "$FWD_PID" 2>/dev/null || rc=$?
		FWD_PID=
		[ "$rc" -eq 0 ] && [ -s "$BENCH_WORK/fwd.json" ] ||
			bench_die "fwd_delay.py: status $rc: $(tail -n 5 \
				"$FWD_LOG")"
		IMPAIR_STATS=$(jq -r '"forwarded=\(.forwarded)" +
			" reordered=\(.reordered) overtaken=\(.overtaken)" +
			" socket_drops=\(.socket_drops)" +
			" send_errors=\(.send_errors)"' "$BENCH_WORK/fwd.json")
		cat "$FWD_LOG" >> "$BENCH_WORK/fwd-all.log"
		rm -f "$BENCH_WORK/fwd.json" "$FWD_LOG"
		return 0
	fi
	IMPAIR_STATS=$(sf_mid nft list table ip "$NFT_TABLE" | sed -nE \
		's/.*counter packets ([0-9]+) bytes [0-9]+.*comment "([a-z-]+)".*/\2=\1/p' |
		sort | tr '\n' ' ')
	IMPAIR_STATS=${IMPAIR_STATS% }
	sf_mid nft delete table ip "$NFT_TABLE"
}

# ---- one transfer ----------------------------------------------------------------
# Each sets R_S (seconds, or empty), R_STATUS (ok, timeout, failed,
# MISMATCH), R_NOTE (what else was seen) and R_RETRANS (the DUT side's
# retransmitted segments).

# wait_bounded PID LIMIT_S: wait for PID, no fork; R_STATUS "exit" (R_RC
# its status) or "timeout" (then it got SIGTERM, SIGKILL 5 s later).
wait_bounded()
{
	local pid=$1 end=$((SECONDS + $2)) i
	R_RC=124
	R_STATUS=timeout
	while [ "$SECONDS" -lt "$end" ]; do
		bench_alive "$pid" || { R_STATUS="exit"; break; }
		bench_sleep 0.1
	done
	if [ "$R_STATUS" = timeout ]; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			bench_alive "$pid" || break
			bench_sleep 0.1
		done
		bench_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	R_RC=0
	wait "$pid" || R_RC=$?
}

# mismatch WHAT: loud, and the run fails at the end.
mismatch()
{
	R_STATUS=MISMATCH
	MISMATCHES=$((MISMATCHES + 1))
	bench_log "ERROR: BYTE MISMATCH: $*"
}

# kclient NS CPU ADDR PORT NAME: tcp_peer.py client in NS sends the data
# to ADDR:PORT and reads the echo back; checked against the data.
kclient()
{
	local ns=$1 cpu=$2 addr=$3 port=$4 name=$5 log out got sha line cc
	log="$BENCH_WORK/$name.log"
	out="$BENCH_WORK/$name.out"
	cc=$PEER_CC
	[ "$ns" = "$SF_NS_DUT" ] && cc=$KERNEL_CC
	ip netns exec "$ns" env SF_PEER_CC="$cc" taskset -c "$cpu" \
		"$SF_PY" "$PEER_PY" client \
		"$addr" "$port" "$IN" "$out" --timeout "$TIMEOUT" > "$log" \
		2>&1 < /dev/null &
	local pid=$!
	sf_track "$pid"
	wait_bounded "$pid" "$((TIMEOUT + 5))"
	got=$(stat -c %s "$out" 2>/dev/null || echo 0)
	line=$(grep -m1 '^client: sent' "$log" || true)
	R_S=$(sed -nE 's/.* bytes in ([0-9.]+) s .*/\1/p' <<< "$line")
	R_NOTE="$got of $BYTES bytes back"
	if [ "$R_STATUS" = timeout ]; then
		R_S=
	elif [ "$R_RC" -eq 0 ] && [ "$got" -eq "$BYTES" ]; then
		sha=$(sha256sum < "$out" | cut -c1-64)
		if [ "$sha" = "$IN_SHA" ]; then
			R_STATUS=ok
			R_NOTE="SHA-256 ${sha:0:16}... as sent"
		else
			mismatch "$name: SHA-256 ${sha:0:16}... of the echo," \
				"${IN_SHA:0:16}... sent ($(cmp "$IN" "$out" 2>&1 |
				head -n 1))"
		fi
	else
		R_STATUS=failed
		R_NOTE="status $R_RC, $got of $BYTES bytes back: $(tail -n 3 \
			"$log" | tr '\n' ' ')"
		R_S=
	fi
	# what did come back must be the data's beginning
	if [ "$R_STATUS" != ok ] && [ "$R_STATUS" != MISMATCH ] &&
	   [ "$got" -gt 0 ] && ! cmp -s -n "$got" "$IN" "$out"; then
		mismatch "$name: the $got bytes that came back differ from" \
			"the data ($(cmp -n "$got" "$IN" "$out" 2>&1 | head -n 1))"
	fi
	rm -f "$out"
}

# synfin_stop: SIGTERM, SIGKILL after 10 s; the log kept as NAME.
synfin_stop()
{
	local name=$1 i rc=0
	if bench_alive "$SF_SYNFIN_PID"; then
		kill -TERM "$SF_SYNFIN_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			bench_alive "$SF_SYNFIN_PID" || break
			bench_sleep 0.1
		done
		if bench_alive "$SF_SYNFIN_PID"; then
			bench_log "warning: $name: synfin still ran 10 s after" \
				"SIGTERM: SIGKILL"
			kill -KILL "$SF_SYNFIN_PID" 2>/dev/null || true
		fi
	fi
	wait "$SF_SYNFIN_PID" 2>/dev/null || rc=$?
	[ "$rc" -eq 0 ] || [ "$R_STATUS" != ok ] ||
		bench_log "warning: $name: synfin's exit status $rc"
	synfin_counters
	mv "$SF_SYNFIN_LOG" "$BENCH_WORK/$name.log"
}

# synfin_counters: R_RETRANS and a few counters into R_NOTE, from the
# final counters of synfin's log.
synfin_counters()
{
	local c
	c=$(sf_counters_block "synfin: final counters" "$SF_SYNFIN_LOG" |
		awk '$1 ~ /^tcp_(retransmits|rto_timeouts|fast_recoveries|ooo_queued|drop_ooo_full|drop_seq)$/ {
			printf "%s%s=%s", n++ ? " " : "", $1, $2 }')
	R_RETRANS=$(sed -nE 's/.*tcp_retransmits=([0-9]+).*/\1/p' <<< "$c")
	R_NOTE="$R_NOTE; ${c:-no final counters}"
}

# measure CASE DIR STACK ROUND: one transfer, impairment on, then off.
measure()
{
	local c=$1 dir=$2 stack=$3 r=$4 name r0 seed
	name="$c-$dir-$stack-r$r"
	seed=$((r * 100 + ${#c}))
	R_S='' R_STATUS='' R_NOTE='' R_RETRANS=
	case $stack-$dir in
	kernel-server)
		kernel_dut_on
		r0=$(ns_retrans "$SF_NS_DUT")
		ns_bg "$BENCH_WORK/$name-server.log" "$SF_NS_DUT" \
			env SF_PEER_CC="$KERNEL_CC" \
			taskset -c "$BENCH_CPU_SRV" "$SF_PY" "$PEER_PY" \
			echo-server "$SF_IP_DUT" "$PORT_DUT"
		local kpid=$SF_BG_PID
		sf_wait_file_re "$BENCH_WORK/$name-server.log" '^listening' \
			10 "$kpid" || bench_die "the DUT's kernel echo server" \
			"did not start"
		impair_on "$c" "$seed"
		kclient "$SF_NS_PEER" "$BENCH_CPU_CLI" "$SF_IP_DUT" \
			"$PORT_DUT" "$name"
		impair_off
		R_RETRANS=$(($(ns_retrans "$SF_NS_DUT") - r0))
		bench_kill "$kpid" 3
		kernel_dut_off ;;
	kernel-client)
		kernel_dut_on
		r0=$(ns_retrans "$SF_NS_DUT")
		impair_on "$c" "$seed"
		kclient "$SF_NS_DUT" "$BENCH_CPU_SRV" "$SF_IP_PEER" \
			"$PORT_PEER" "$name"
		impair_off
		R_RETRANS=$(($(ns_retrans "$SF_NS_DUT") - r0))
		kernel_dut_off ;;
	synfin-server)
		sf_synfin_start --mode server --app echo --port "$PORT_DUT" \
			--gateway "$SF_IP_MID_DUT" --set "tcp.cc=$SYNFIN_CC" \
			>> "$BENCH_WORK/commands.log"
		sf_synfin_wait_ready 30 >> "$BENCH_WORK/commands.log"
		impair_on "$c" "$seed"
		kclient "$SF_NS_PEER" "$BENCH_CPU_CLI" "$SF_IP_DUT" \
			"$PORT_DUT" "$name"
		impair_off
		synfin_stop "$name-synfin" ;;
	synfin-client)
		impair_on "$c" "$seed"
		sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
			--port "$PORT_PEER" --bytes "$BYTES" \
			--gateway "$SF_IP_MID_DUT" --set "tcp.cc=$SYNFIN_CC" \
			--json "$BENCH_WORK/$name-synfin.json" \
			>> "$BENCH_WORK/commands.log"
		# its own time starts at "ready": room for the EAL's start
		wait_bounded "$SF_SYNFIN_PID" "$((TIMEOUT + 15))"
		impair_off
		synfin_client_verdict "$BENCH_WORK/$name-synfin.json"
		synfin_counters
		mv "$SF_SYNFIN_LOG" "$BENCH_WORK/$name-synfin.log" ;;
	esac
	bench_log "$c, $stack as echo $dir, round $r: ${R_S:-"-"} s," \
		"$R_STATUS ($R_NOTE; retransmitted ${R_RETRANS:-?}); router:" \
		"${IMPAIR_STATS:-nothing counted}"
	jq -n --arg c "$c" --arg d "$dir" --arg st "$stack" \
		--argjson r "$r" --argjson s "$(bench_num "$R_S")" \
		--arg status "$R_STATUS" --arg note "$R_NOTE" \
		--argjson rt "$(bench_num "$R_RETRANS")" \
		--arg imp "$IMPAIR_STATS" \
		'{case: $c, direction: $d, stack: $st, round: $r, seconds: $s,
		  status: $status, note: $note, dut_retransmits: $rt,
		  router: ($imp | split(" ") | map(select(length > 0) |
			split("=") | {key: .[0], value: (.[1] | tonumber)}) |
			from_entries)}' >> "$BENCH_WORK/transfers.json"
	RES["$c|$dir|$stack"]+="${R_STATUS/#ok/$R_S} "
}

# ns_bg OUT NS CMD...: as lib.sh's sf_peer_bg, in namespace NS.
ns_bg()
{
	local out=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" > "$out" 2>&1 < /dev/null &
	SF_BG_PID=$!
	sf_track "$SF_BG_PID"
}

# synfin_client_verdict JSON: R_STATUS and R_S from synfin's echo
# client's log and its JSON results ("seconds": ready to the close).
synfin_client_verdict()
{
	local log=$SF_SYNFIN_LOG verdict mis
	verdict=$(grep -m1 '^synfin: echo client: sent' "$log" || true)
	mis=$(sed -nE 's/^synfin: echo client: err_mismatch ([0-9]+).*/\1/p' \
		"$log" | head -n 1)
	R_S=
	[ -s "$1" ] && R_S=$(jq -r '.seconds // empty' "$1")
	R_NOTE=${verdict#synfin: echo client: }
	[ -n "$R_NOTE" ] || R_NOTE="no verdict line"
	if [ -n "$mis" ] && [ "$mis" -gt 0 ]; then
		mismatch "synfin's echo client: err_mismatch $mis ($R_NOTE)"
	elif [ "$R_STATUS" = timeout ]; then
		R_S=
	elif [ "$R_RC" -eq 0 ] && grep -Eq "sent $BYTES received $BYTES\
 verified $BYTES bytes, 0 errors: OK$" <<< "$verdict"; then
		R_STATUS=ok
		# its time runs from "ready": past the limit is a timeout too
		if [ -z "$R_S" ]; then
			R_STATUS=failed
			R_NOTE="no time in the log: $R_NOTE"
		elif [ "$(bench_le "$R_S" "$TIMEOUT")" != yes ]; then
			R_STATUS=timeout
			R_S=
		fi
	else
		R_STATUS=failed
		R_NOTE="status $R_RC: $R_NOTE"
		R_S=
	fi
}

# ---- the runs ------------------------------------------------------------------
declare -A RES=()
: > "$BENCH_WORK/transfers.json"
busy=()
bench_log "${#cases[@]} scenario(s) x 2 directions x kernel and synfin x" \
	"$ROUNDS round(s), $MIB MiB each way per transfer, limit ${TIMEOUT}s"
for ((r = 1; r <= ROUNDS; r++)); do
	for c in "${cases[@]}"; do
		bench_wait_quiet "$c, round $r"
		busy+=("$BENCH_BUSY")
		for dir in server client; do
			for stack in kernel synfin; do
				measure "$c" "$dir" "$stack" "$r"
			done
		done
	done
done

# ---- results ---------------------------------------------------------------------
# cell VALUES...: the median of a cell's rounds: seconds, or timeout (a
# timeout is longer than any time), failed or MISMATCH (any round).
cell()
{
	printf '%s\n' "$@" | awk '
		$1 == "MISMATCH" { m = 1 } $1 == "failed" { f = 1 }
		$1 ~ /^[0-9.]+$/ { v[++n] = $1 } $1 == "timeout" { t++ }
		END {
			if (m) { print "MISMATCH"; exit }
			if (f) { print "failed"; exit }
			k = n + t
			# sorted, the timeouts last
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (v[j] + 0 < v[i] + 0) { x = v[i]; v[i] = v[j]; v[j] = x }
			lo = int((k + 1) / 2); hi = int(k / 2) + 1
			if (hi > n) { print "timeout"; exit }
			printf "%.3f\n", (v[lo] + v[hi]) / 2
		}'
}

isnum()
{
	[[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]
}

: > "$BENCH_WORK/bars.dat"
rows_json=()
tbl=()
for c in "${cases[@]}"; do
	for dir in server client; do
		read -r -a kv <<< "${RES["$c|$dir|kernel"]}"
		read -r -a sv <<< "${RES["$c|$dir|synfin"]}"
		k=$(cell "${kv[@]}")
		s=$(cell "${sv[@]}")
		tgt=$(case_target "$c")
		ratio=
		if isnum "$k" && isnum "$s"; then
			ratio=$(bench_ratio "$s" "$k" 2)
		fi
		if [ -z "$tgt" ]; then
			met=-
		elif [ -n "$ratio" ]; then
			met=$(bench_le "$ratio" "$tgt")
		elif isnum "$k"; then
			met="no (synfin: $s)"
		else
			met="? (kernel: $k)"
		fi
		what=$([ "$dir" = server ] && echo "echo server" ||
			echo "echo client")
		tgt_s=-
		[ -z "$tgt" ] || tgt_s="<= ${tgt}x"
		bench_row "$(case_label "$c"), $what (s for $MIB MiB each way)" \
			"$s" "$k" "$ratio" "$tgt_s" "$met"
		tbl+=("$(printf '| %s | %s | %s | %s | %s | %s | %s |' \
			"$(case_label "$c")" "$what" "$k" "$s" \
			"$([ -n "$ratio" ] && echo "${ratio}x" || echo -)" \
			"$tgt_s" "$met")")
		printf '%s %s\t%s\t%s\n' "$c" "${dir:0:3}" \
			"$(isnum "$s" && echo "$s" || echo NaN)" \
			"$(isnum "$k" && echo "$k" || echo NaN)" \
			>> "$BENCH_WORK/bars.dat"
		rows_json+=("$(jq -n --arg c "$c" --arg l "$(case_label "$c")" \
			--arg d "$dir" --arg k "$k" --arg s "$s" \
			--argjson ratio "$(bench_num "$ratio")" \
			--argjson tgt "$(bench_num "$tgt")" --arg met "$met" \
			--arg kr "${kv[*]}" --arg sr "${sv[*]}" \
			'{case: $c, label: $l, direction: $d,
			  kernel_s: ($k | tonumber? // null),
			  kernel_status: (if ($k | test("^[0-9.]+$")) then "ok"
				else $k end),
			  synfin_s: ($s | tonumber? // null),
			  synfin_status: (if ($s | test("^[0-9.]+$")) then "ok"
				else $s end),
			  ratio: $ratio, target_max_ratio: $tgt, met: $met,
			  kernel_rounds: ($kr | split(" ")),
			  synfin_rounds: ($sr | split(" "))}')")
	done
done

# shellcheck disable=SC2034 # read by bench_plot_bars
BENCH_PLOT_SYNFIN="synfin, $SYNFIN_CC (DPDK, net_af_packet)"
# shellcheck disable=SC2034
BENCH_PLOT_KERNEL="Linux kernel, $KERNEL_CC (same veth)"
bench_plot_bars "$BENCH_OUT/impair.png" \
	"Echo of $MIB MiB each way, impaired router (median of $ROUNDS; ser/cli: DUT side's role; no bar: timeout)" \
	"seconds (less is better)" "$BENCH_WORK/bars.dat" log
bench_finish "$(jq -n \
	--argjson mib "$MIB" --argjson bytes "$BYTES" \
	--argjson to "$TIMEOUT" --argjson rounds "$ROUNDS" \
	--arg cases "${cases[*]}" --argjson dm "$DELAY_MS" \
	--argjson rp "$REORDER_PCT" --arg cc "$KERNEL_CC" --arg pcc "$PEER_CC" \
	--arg scc "$SYNFIN_CC" \
	--argjson busy "$(printf '%s\n' "${busy[@]}" | jq -s .)" \
	--argjson res "$(printf '%s\n' "${rows_json[@]}" | jq -s .)" \
	--argjson tr "$(jq -s . "$BENCH_WORK/transfers.json")" \
	--argjson mm "$MISMATCHES" \
	'{config: {mib_each_way: $mib, bytes_each_way: $bytes,
		   timeout_s: $to, rounds: $rounds, cases: ($cases | split(" ")),
		   reorder_delay_ms: $dm, reorder_pct: $rp, kernel_cc: $cc, peer_cc: $pcc,
		   synfin_cc: $scc,
		   time: "client side: connect to EOF (tcp_peer.py), synfin client: its own ready-to-close time"},
	  cpu_busy_before_pct: $busy, results: $res, transfers: $tr,
	  mismatches: $mm}')"
echo
echo "### $BENCH_NAME: scenario by scenario (seconds for $MIB MiB each way," \
	"median of $ROUNDS; synfin with $SYNFIN_CC, the DUT side's kernel" \
	"with $KERNEL_CC, the peer with $PEER_CC)"
echo
echo "| scenario | synfin as | kernel s | synfin s | ratio | target | met |"
echo "|---|---|---:|---:|---:|---|---|"
printf '%s\n' "${tbl[@]}"
if [ "$MISMATCHES" -gt 0 ]; then
	bench_die "$MISMATCHES transfer(s) brought back bytes that differ" \
		"from what was sent (see above and $BENCH_OUT/impair.json)"
fi
