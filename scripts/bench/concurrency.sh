#!/bin/bash
# concurrency: ramp to N established idle connections and hold them;
# report the memory each costs and the connection rate while they are held.
#
# synfin, for each N of SF_BENCH_CONC_N (default "1000000" and the larger
# of 10000000 and 4000000 that memory allows: about 800 bytes of hugepages
# per connection for both ends, with 4 GiB to spare): one synfin HTTP server (CPU SRV) with three
# memif ports, each joined to one synfin client on CPU CLI:
#   port 0  the holder: --concurrency N --requests 0 --req-rate 1 (one
#           request a second over all N: idle), opened at
#           SF_BENCH_CONC_RATE (400000) a second (paced: that ramps 1M
#           in about 2.5 s here with no retransmission; it was 50000
#           before TX frames were held back, not dropped), sources spread
#           over N / 64000 + 1 addresses; the server's "tcp estab" gauge
#           shows the ramp
#   port 1  a short-connection client (as cps.sh) for SF_BENCH_CONC_CHURN_S
#           (5) seconds BEFORE the ramp: connections/s with none held
#   port 2  the same AFTER the ramp, the holder frozen (SIGSTOP, so that
#           the one core is the churn client's): connections/s with N held
# A client that has done its job stays connected, frozen, until the end
# (a memif peer leaving could crash the server, see lib.sh).
#
# Memory per connection: (footprint holding N - footprint of a baseline
# process) / N, footprint = hugepages mapped (DPDK heap: TCBs, table, all
# preallocated from the configured capacity) + anonymous RSS; the baseline
# is the same program with the same options but a capacity of 4096
# connections (and one slot for the holder), started and measured alone
# before. So the figure is what capacity costs, table included, and the
# server's figure is the one the target speaks of; the client's includes
# its load-generator slot.
#
# Kernel: nginx (CPU SRV) and hold.py (CPU CLI) holding SF_BENCH_CONC_KERNEL_N
# (100000, or the hard open-files limit less 1000) connections over the veth; bytes per connection = growth of the
# TCP, sock_inode_cache, filp, dentry and eventpoll slabs (both ends: the
# slabs are the whole kernel's) plus nginx's and hold.py's RSS, over N;
# connections/s by wrk -H 'Connection: close' before and while holding.
#
# Targets (issue 7): >= 10,000,000 concurrent established connections on
# 24 GiB; <= 192 bytes per established idle connection, tables included.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"

if [ -n "${SF_BENCH_CONC_N:-}" ]; then
	NS=$SF_BENCH_CONC_N
else
	avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	NS=1000000
	for big in 10000000 4000000; do
		if [ $((big * 800 / 1024 + 4 * 1048576)) -le "$avail_kib" ]; then
			NS="1000000 $big"
			break
		fi
	done
fi
# The kernel pair: one fd per connection in nginx and in hold.py, so at
# most the hard RLIMIT_NOFILE less some (root cannot raise it without
# CAP_SYS_RESOURCE, which these machines drop).
KN=${SF_BENCH_CONC_KERNEL_N:-$(( $(ulimit -Hn) > 101000 ? 100000 :
	$(ulimit -Hn) - 1000 ))}
CHURN_S=${SF_BENCH_CONC_CHURN_S:-5}
RAMP_MAX=${SF_BENCH_CONC_RAMP_S:-600}
RATE=${SF_BENCH_CONC_RATE:-400000}
TWMAX=${SF_BENCH_CONC_TW:-1048576}
MSL=1000
BASE=4096
SF_PY=${SF_PY:-/usr/bin/python3}

bench_init
max_n=$(tr ' ' '\n' <<< "$NS" | sort -n | tail -n 1)
# server and holder: about 200 and 300 bytes per connection (measured), with
# room to spare, plus the TIME_WAIT ring and table of the server and slack
bench_hugepages $(((max_n * 800 + TWMAX * 200) / 1048576 + 1024))

IP_SRV=(198.18.0.1/16 198.19.0.1/24 198.19.1.1/24)
IP_CLI=(198.18.0.2/16 198.19.0.2/24 198.19.1.2/24)
srv_common=(--mode server --app http --port 80 --body-size "$BENCH_BODY"
	--set general.link_wait_ms=0 --set tcp.msl_ms="$MSL"
	--set tcp.max_timewait="$TWMAX" --set tcp.max_syn_backlog=1048576
	--set port1.ip="${IP_SRV[1]}" --set port2.ip="${IP_SRV[2]}")

# srv_vdevs TAG: the three memif server ports' devargs.
srv_vdevs()
{
	local i
	for i in 0 1 2; do
		bench_memif_vdev "net_memif$i" server "$BENCH_WORK/$1-$i.sock" \
			"02:53:46:00:0$i:01"
	done
}

# footprint_baseline ROLE LOG ARGS...: start, measure, stop; sets FP_H and
# FP_R (hugetlb and anonymous RSS bytes).
footprint_baseline()
{
	local role=$1 log=$2 cpu vd=()
	shift 2
	if [ "$role" = server ]; then
		cpu=$BENCH_CPU_SRV
		mapfile -t vd < <(srv_vdevs base)
	else
		cpu=$BENCH_CPU_CLI
		# no peer: a memif server end (a client end needs the socket)
		vd=("$(bench_memif_vdev net_memif0 server "$BENCH_WORK/none.sock" \
			02:53:46:00:00:02)")
	fi
	bench_dpdk_start "$log" "$cpu" "$BENCH_TAG-b$role" "${vd[@]}" -- "$@"
	bench_synfin_ready "$log" "$BENCH_PID" 120
	sleep 1
	read -r FP_H FP_R <<< "$(bench_mem "$BENCH_PID")"
	bench_kill "$BENCH_PID"
}

# estab LOG: the last "tcp estab" reading of a synfin log.
estab()
{
	bench_series "$1" estab | tail -n 1 | awk '{ print $2 + 0 }'
}

# churn PORTIDX LOG: a short-connection client on memif port PORTIDX for
# CHURN_S seconds; returns once it is done (it then lingers, connected;
# it is frozen). Sets CHURN_RATE, the median connections/s of its seconds.
churn()
{
	local i=$1 log=$2 pid
	bench_dpdk_start "$log" "$BENCH_CPU_CLI" "$BENCH_TAG-c$i" \
		"$(bench_memif_vdev net_memif0 client "$BENCH_WORK/run-$i.sock" \
		   "02:53:46:00:0$i:02")" -- \
		--ip "${IP_CLI[i]}" --mode client --stats-interval 1 \
		--set general.link_wait_ms=10000 --app http \
		--target "${IP_SRV[i]%/*}:80" --requests 1 \
		--concurrency "$BENCH_CONC" --duration "$CHURN_S" \
		--linger 3600000 --json "${log%.log}.json" \
		--source "${IP_CLI[i]%.*}.16-${IP_CLI[i]%.*}.31"
	pid=$BENCH_PID
	CHURN_PIDS+=("$pid")
	bench_wait_re "$log" '^synfin: http client done' $((CHURN_S + 90)) \
		"$pid" || bench_die "churn client $i not done; see $log"
	kill -STOP "$pid"
	CHURN_RATE=$(bench_series "$log" conn/s | bench_median 1)
}

rows_json='[]'
for N in $NS; do
	bench_log "---- synfin: $N connections ----"
	# a killed memif server leaves its socket file behind
	rm -f "$BENCH_WORK"/run-*.sock "$BENCH_WORK"/base-*.sock \
		"$BENCH_WORK/none.sock"
	bench_wait_quiet "synfin concurrency $N"
	nsrc=$((N / 64000 + 1))
	[ "$nsrc" -le 250 ] || bench_die "N $N needs more than 250 sources"
	srv_cap=(--set tcp.max_conns=$((N + BASE)))
	hold_common=(--ip "${IP_CLI[0]}" --mode client --stats-interval 1
		--set general.link_wait_ms=10000 --app http
		--target "${IP_SRV[0]%/*}:80" --requests 0 --req-rate 1 --rate "$RATE"
		--duration $((RAMP_MAX + 3600)) --source "198.18.1.1-198.18.1.$nsrc"
		--set tcp.max_timewait=65536 --set tcp.max_syn_backlog=1048576)

	# baselines, alone
	footprint_baseline server "$BENCH_WORK/n$N-server-base.log" \
		--ip "${IP_SRV[0]}" "${srv_common[@]}" --set tcp.max_conns=$BASE
	sb_h=$FP_H sb_r=$FP_R
	footprint_baseline client "$BENCH_WORK/n$N-holder-base.log" \
		"${hold_common[@]}" --concurrency 1 --set tcp.max_conns=$BASE \
		--set general.link_wait_ms=0
	cb_h=$FP_H cb_r=$FP_R

	# the server
	slog="$BENCH_WORK/n$N-server.log"
	mapfile -t vd < <(srv_vdevs run)
	bench_dpdk_start "$slog" "$BENCH_CPU_SRV" "$BENCH_TAG-srv" "${vd[@]}" \
		-- --ip "${IP_SRV[0]}" --stats-interval 1 "${srv_common[@]}" \
		"${srv_cap[@]}"
	spid=$BENCH_PID
	bench_synfin_ready "$slog" "$spid" 300
	CHURN_PIDS=()

	# connections/s with none held
	churn 1 "$BENCH_WORK/n$N-churn-before.log"
	c0=$CHURN_RATE
	bench_log "synfin: $c0 conn/s with none held"

	# the ramp
	hlog="$BENCH_WORK/n$N-holder.log"
	bench_dpdk_start "$hlog" "$BENCH_CPU_CLI" "$BENCH_TAG-hold" \
		"$(bench_memif_vdev net_memif0 client "$BENCH_WORK/run-0.sock" \
		   02:53:46:00:00:02)" -- "${hold_common[@]}" \
		--concurrency "$N" --set tcp.max_conns=$((N + BASE))
	hpid=$BENCH_PID
	bench_synfin_ready "$hlog" "$hpid" 300
	bench_wait_re "$hlog" 'tcp estab [1-9]' 60 "$hpid" ||
		bench_die "the holder opened nothing; see $hlog"
	# watch the server's gauge without forking (see SF_BENCH_NICE)
	t0=$EPOCHREALTIME
	end=$((SECONDS + RAMP_MAX))
	got=0
	exec {sfd}< "$slog"
	while [ "$SECONDS" -lt "$end" ]; do
		while IFS= read -r -u "$sfd" line; do
			[[ $line =~ tcp\ estab\ ([0-9]+) ]] &&
				got=${BASH_REMATCH[1]}
		done
		[ "$got" -ge "$N" ] && break
		bench_alive "$hpid" && bench_alive "$spid" || break
		bench_sleep 0.2
	done
	t1=$EPOCHREALTIME
	exec {sfd}<&-
	ramp_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	bench_series "$slog" estab | awk '$2 > 0' > "$BENCH_WORK/n$N-estab.dat"
	sleep 2
	got=$(estab "$slog")
	hold_got=$(estab "$hlog")
	ramp_rate=$(awk -v n="$got" -v s="$ramp_s" 'BEGIN {
		printf "%.0f", (s > 0 ? n / s : 0) }')
	bench_log "synfin: $got established at the server ($hold_got at the" \
		"holder) after ${ramp_s}s ($ramp_rate/s)"
	read -r s_h s_r <<< "$(bench_mem "$spid")"
	read -r c_h c_r <<< "$(bench_mem "$hpid")"
	s_bpc=$(awk -v a="$s_h" -v b="$s_r" -v c="$sb_h" -v d="$sb_r" \
		-v n="$N" 'BEGIN { printf "%.1f", (a + b - c - d) / n }')
	c_bpc=$(awk -v a="$c_h" -v b="$c_r" -v c="$cb_h" -v d="$cb_r" \
		-v n="$N" 'BEGIN { printf "%.1f", (a + b - c - d) / n }')
	bench_log "synfin: server $s_bpc B/conn (hugepages $s_h, RssAnon $s_r;" \
		"baseline $sb_h, $sb_r), holder $c_bpc B/conn"

	# connections/s with N held (the holder frozen)
	kill -STOP "$hpid"
	churn 2 "$BENCH_WORK/n$N-churn-held.log"
	c1=$CHURN_RATE
	still=$(estab "$slog")
	bench_log "synfin: $c1 conn/s with $got held; $still established after"

	BENCH_STOP_SRV_LOG=$slog bench_stop_memif "$spid" "$hpid" \
		"${CHURN_PIDS[@]}"
	rows_json=$(jq -c --argjson n "$N" --argjson got "$got" \
		--argjson still "$still" --argjson ramp "$ramp_s" \
		--argjson rr "$ramp_rate" --argjson sb "$s_bpc" \
		--argjson cb "$c_bpc" --argjson c0 "$(bench_num "$c0")" \
		--argjson c1 "$(bench_num "$c1")" \
		--argjson sh "$s_h" --argjson sr "$s_r" --argjson sbh "$sb_h" \
		--argjson sbr "$sb_r" --argjson ch "$c_h" --argjson cr "$c_r" \
		--argjson cbh "$cb_h" --argjson cbr "$cb_r" \
		--argjson busy "$BENCH_BUSY" \
		'. + [{n: $n, established: $got, established_after_churn: $still,
		  ramp_seconds: $ramp, ramp_conns_per_s: $rr,
		  server_bytes_per_conn: $sb, client_bytes_per_conn: $cb,
		  conns_per_s_none_held: $c0, conns_per_s_held: $c1,
		  server: {hugetlb: $sh, rss_anon: $sr, base_hugetlb: $sbh,
			   base_rss_anon: $sbr},
		  client: {hugetlb: $ch, rss_anon: $cr, base_hugetlb: $cbh,
			   base_rss_anon: $cbr},
		  cpu_busy_before_pct: $busy}]' <<< "$rows_json")
done

# ---- kernel: nginx + hold.py ------------------------------------------------------
bench_log "---- kernel: $KN connections ----"
nk_src=$((KN / 50000 + 1))
bench_kernel_topo "$nk_src"
bench_nginx_start "$BENCH_BODY" $((KN + 2 * BENCH_CONC + 100))
bench_wait_quiet "kernel concurrency"
kbusy=$BENCH_BUSY
bench_wrk "$BENCH_WORK/wrk-before.txt" -c "$BENCH_CONC" -d "${CHURN_S}s" \
	-H 'Connection: close'
k_c0=$(bench_wrk_rps "$BENCH_WORK/wrk-before.txt")
slab_bytes()
{
	awk '$1 == "TCP" || $1 == "sock_inode_cache" || $1 == "filp" ||
	     $1 == "dentry" || $1 == "eventpoll_epi" || $1 == "eventpoll_pwq" {
		s += $2 * $4 } END { printf "%.0f", s }' /proc/slabinfo
}
rss_b()
{
	awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}
srcs=$(for ((i = 0; i < nk_src; i++)); do echo "198.18.0.$((3 + i))"; done |
	paste -sd,)
slab0=$(slab_bytes)
ngx0=$(rss_b "$BENCH_NGX_PID")
bench_pin "$BENCH_CPU_CLI"
ip netns exec "$BENCH_NS_KC" "${BENCH_PIN[@]}" "$SF_PY" \
	"$SF_SRCDIR/scripts/bench/hold.py" "$KN" "$BENCH_IP_KSRV" 80 "$srcs" \
	> "$BENCH_WORK/hold.log" 2>&1 < /dev/null &
hold_pid=$!
bench_track "$hold_pid"
sleep 0.5
py0=$(rss_b "$hold_pid")
bench_wait_re "$BENCH_WORK/hold.log" '^held ' $((RAMP_MAX)) "$hold_pid" || {
	cat "$BENCH_WORK/hold.log" >&2; bench_die "hold.py did not hold $KN"; }
# hold.py's own clock ("held N in S s"): a ramp that ends within the
# half second above would otherwise read as a few milliseconds.
kramp=$(awk '/^held / { print $4 }' "$BENCH_WORK/hold.log")
sleep 2
k_est=$(ip netns exec "$BENCH_NS_KS" ss -Htn state established \
	'( sport = :80 )' | wc -l)
slab1=$(slab_bytes)
ngx1=$(rss_b "$BENCH_NGX_PID")
py1=$(rss_b "$hold_pid")
k_bpc=$(awk -v s0="$slab0" -v s1="$slab1" -v n0="$ngx0" -v n1="$ngx1" \
	-v p0="$py0" -v p1="$py1" -v n="$KN" 'BEGIN {
	printf "%.1f", ((s1 - s0) + (n1 - n0) + (p1 - p0)) / n }')
bench_log "kernel: $k_est established in ${kramp}s; $k_bpc B/conn, both" \
	"ends (slab +$((slab1 - slab0)), nginx RSS +$((ngx1 - ngx0))," \
	"hold.py RSS +$((py1 - py0)))"
bench_wrk "$BENCH_WORK/wrk-held.txt" -c "$BENCH_CONC" -d "${CHURN_S}s" \
	-H 'Connection: close'
k_c1=$(bench_wrk_rps "$BENCH_WORK/wrk-held.txt")
bench_log "kernel: $k_c0 conn/s with none held, $k_c1 with $KN held"
bench_kill "$hold_pid"
bench_nginx_stop

# ---- results ------------------------------------------------------------------------
k_ramp_rate=$(awk -v n="$KN" -v s="$kramp" 'BEGIN { printf "%.0f", n / s }')
for row in $(jq -r '.[] | @base64' <<< "$rows_json"); do
	r() { base64 -d <<< "$row" | jq -r "$1"; }
	n=$(r .n)
	# the 10M target speaks of the largest N run; smaller ones are steps
	if [ "$n" -eq "$max_n" ]; then
		bench_row "established idle connections held (N=$n)" \
			"$(r .established)" "$KN" "" ">= 10,000,000" \
			"$(bench_ge "$(r .established)" 10000000)"
	else
		bench_row "established idle connections held (N=$n)" \
			"$(r .established)" "$KN" "" "-" "-"
	fi
	bench_row "bytes/conn, server end, tables included (N=$n)" \
		"$(r .server_bytes_per_conn)" "" "" "<= 192" \
		"$(bench_le "$(r .server_bytes_per_conn)" 192)"
	both=$(awk -v a="$(r .server_bytes_per_conn)" \
		-v b="$(r .client_bytes_per_conn)" 'BEGIN { print a + b }')
	bench_row "bytes/conn, both ends (N=$n; kernel: N=$KN)" "$both" \
		"$k_bpc" "$(bench_ratio "$both" "$k_bpc" 3)" "-" "-"
	bench_row "ramp, new connections/s (N=$n)" "$(r .ramp_conns_per_s)" \
		"$k_ramp_rate" "$(bench_ratio "$(r .ramp_conns_per_s)" \
		"$k_ramp_rate" 1)" "-" "-"
	bench_row "short connections/s, none held" \
		"$(r .conns_per_s_none_held)" "$k_c0" \
		"$(bench_ratio "$(r .conns_per_s_none_held)" "$k_c0" 1)" "-" "-"
	bench_row "short connections/s while held (N=$n; kernel: N=$KN)" \
		"$(r .conns_per_s_held)" "$k_c1" \
		"$(bench_ratio "$(r .conns_per_s_held)" "$k_c1" 1)" "-" "-"
done
plots=()
for N in $NS; do
	[ -s "$BENCH_WORK/n$N-estab.dat" ] &&
		plots+=("$BENCH_WORK/n$N-estab.dat" "synfin server, N=$N")
done
bench_plot_series "$BENCH_OUT/concurrency.png" \
	"Established connections during the ramp (synfin: 1 core per side)" \
	"second" "established connections" -- "${plots[@]}"
bench_finish "$(jq -n --argjson runs "$rows_json" \
	--argjson kn "$KN" --argjson ke "$k_est" --argjson kb "$k_bpc" \
	--argjson kr "$kramp" --argjson k0 "$(bench_num "$k_c0")" \
	--argjson k1 "$(bench_num "$k_c1")" --argjson kbusy "$kbusy" \
	--argjson s0 "$slab0" --argjson s1 "$slab1" \
	--argjson base "$BASE" --argjson tw "$TWMAX" --argjson cs "$CHURN_S" \
	'{config: {baseline_capacity: $base, server_max_timewait: $tw,
		   churn_seconds: $cs},
	  synfin: {runs: $runs},
	  kernel: {n: $kn, established: $ke, bytes_per_conn_both_ends: $kb,
		   ramp_seconds: $kr, conns_per_s_none_held: $k0,
		   conns_per_s_held: $k1, slab_bytes_before: $s0,
		   slab_bytes_after: $s1, cpu_busy_before_pct: $kbusy}}')"
