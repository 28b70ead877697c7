#!/bin/bash
# timewait: millions of connections in TIME_WAIT: the memory each entry
# costs and whether the connection rate holds up while they pile up.
#
#   synfin pair:  as cps.sh, but TIME_WAIT lasts the kernel's 60 s
#                 (tcp.msl_ms 30000), for SF_BENCH_TW_DURATION (10) seconds:
#                 every connection's TIME_WAIT outlives the run, so the
#                 server's table grows to rate x duration (up to
#                 SF_BENCH_TW_MAX, 12582912); the client keeps
#                 SF_BENCH_TW_CONC (256, as cps.sh) connections going, so
#                 that the server, which holds the entries, is the
#                 saturated side (at 64 the client was, and the rate could
#                 not show what the table costs); it spreads them over
#                 SF_BENCH_TW_SOURCES (200) source addresses (12.9 M
#                 tuples), so that below 1.29M connections/s none comes
#                 back to a tuple still in TIME_WAIT (tcp_tw_reused counts
#                 those that do)
#   kernel pair:  wrk -H 'Connection: close' -> nginx, the same time; the
#                 kernel's TIME_WAIT count read each second (/proc/net/
#                 sockstat); a network namespace holds at most
#                 net.ipv4.tcp_max_tw_buckets of them
#
# Memory per entry: synfin's TIME_WAIT records, their free stacks and their
# share of the connection table are preallocated for the capacity, so the
# cost per entry is (footprint with capacity SF_BENCH_TW_MAX - footprint of
# a baseline server of capacity 65536) / (the difference), footprint =
# hugepages mapped + anonymous RSS. The kernel's is its tw_sock_TCP slab
# object size (the ehash bucket it hangs on is preallocated apart).
#
# Rate: connections/s of the first seconds (few TIME_WAIT) against the last
# ones (millions), each pair on its own. The vCPUs' placement is probed
# before and after synfin's run (bench_placed in lib.sh): a run whose
# placement changed ("mixed") can step from one rate to another with no
# help from the table, and so can one whose vCPU slowed: this VM's CPUs
# change speed mid-run (a saturated server made 0.69M-0.95M connections/s
# from one second to the next). The server's CPU time per connection (its
# busy share over its connections/s), first seconds against last ones, is
# printed beside the rate.
#
# Targets (issue 7): <= 64 bytes per TIME_WAIT entry, tables included;
# connection rate unaffected (here: the last seconds' rate >= 0.9 x the
# first seconds').
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"

DUR=${SF_BENCH_TW_DURATION:-10}
CONC=${SF_BENCH_TW_CONC:-256}
TWMAX=${SF_BENCH_TW_MAX:-12582912}
TWBASE=65536
MSL=30000
SRCS=${SF_BENCH_TW_SOURCES:-200}
[ "$SRCS" -le 239 ] || { echo "timewait: at most 239 sources" >&2; exit 2; }

bench_init
bench_hugepages $((TWMAX * 200 / 1048576 + 1024))

# first_last FILE: "FIRST LAST": mean rate of seconds 2-3 and of the last
# two seconds with traffic before the last one (a partial second).
first_last()
{
	awk '$2 > 0 { v[++n] = $2 }
		END {
			if (n < 6) { print "", ""; exit }
			printf "%.0f %.0f\n", (v[2] + v[3]) / 2,
				(v[n - 2] + v[n - 1]) / 2
		}' "$1"
}

# ---- kernel: nginx + wrk ----------------------------------------------------
bench_nginx_start "$BENCH_BODY"
k_cap=$(ip netns exec "$BENCH_NS_KS" sysctl -n net.ipv4.tcp_max_tw_buckets)
bench_wait_quiet "kernel timewait"
kbusy=$BENCH_BUSY
BENCH_DUR=$DUR bench_wrk "$BENCH_WORK/wrk.txt" -c "$BENCH_CONC" \
	-d "${DUR}s" -H 'Connection: close'
bench_nginx_stop
k_cps=$(bench_wrk_rps "$BENCH_WORK/wrk.txt")
awk '{ print $1, $2 }' "$BENCH_WORK/wrk.txt.opens" > "$BENCH_WORK/kernel-cps.dat"
awk '{ print $1, $3 }' "$BENCH_WORK/wrk.txt.opens" > "$BENCH_WORK/kernel-tw.dat"
k_tw=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$BENCH_WORK/kernel-tw.dat")
read -r k_first k_last <<< "$(first_last "$BENCH_WORK/kernel-cps.dat")"
k_obj=$(awk '$1 == "tw_sock_TCP" { print $4 }' /proc/slabinfo)
bench_log "kernel: $k_cps conn/s, TIME_WAIT peak $k_tw (cap $k_cap)," \
	"rate $k_first -> $k_last, $k_obj bytes per tw_sock"

# ---- synfin: a baseline server, then the run --------------------------------
srv_args=(--app http --port 80 --body-size "$BENCH_BODY"
	--set tcp.msl_ms="$MSL" --set tcp.max_conns=65536
	--set tcp.max_syn_backlog=65536)
blog="$BENCH_WORK/server-base.log"
bench_dpdk_start "$blog" "$BENCH_CPU_SRV" "$BENCH_TAG-base" \
	"$(bench_memif_vdev net_memif0 server "$BENCH_WORK/base.sock" \
	   "$BENCH_MAC_SSRV")" -- \
	--ip "$BENCH_IP_SSRV/24" --mode server --set general.link_wait_ms=0 \
	"${srv_args[@]}" --set tcp.max_timewait="$TWBASE"
bench_synfin_ready "$blog" "$BENCH_PID" 120
sleep 1
read -r b_h b_r <<< "$(bench_mem "$BENCH_PID")"
bench_kill "$BENCH_PID"

tw_mem()
{
	sleep 2
	read -r S_H S_R <<< "$(bench_mem "$1")"
}
bench_wait_quiet "synfin timewait"
sbusy=$BENCH_BUSY
BENCH_DURING=tw_mem
BENCH_DUR=$DUR bench_placed bench_synfin_run timewait "${srv_args[@]}" \
	--set tcp.max_timewait="$TWMAX" -- \
	--app http --target "$BENCH_IP_SSRV:80" --requests 1 \
	--concurrency "$CONC" \
	--source "198.18.1.16-198.18.1.$((15 + SRCS))" \
	--set tcp.max_conns=65536 --set tcp.max_timewait=65536
BENCH_DURING=
s_place=$BENCH_PLACE
bench_log "synfin run: cache-line round trip ${BENCH_C2C_BEFORE:-?} ns before," \
	"${BENCH_C2C_AFTER:-?} ns after: $s_place"
sshare=${BENCH_SHARE:-null}
j=$BENCH_CLI_JSON
s_cps=$(bench_jq "$j" .conns_per_s)
s_err=$(bench_jq "$j" .counters.errors)
bench_series "$BENCH_CLI_LOG" conn/s | awk '$2 > 0' > "$BENCH_WORK/synfin-cps.dat"
bench_series "$BENCH_SRV_LOG" tw | awk '$2 > 0' > "$BENCH_WORK/synfin-tw.dat"
s_tw=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$BENCH_WORK/synfin-tw.dat")
tw_full=$(awk '$1 == "tcp_tw_full" { v = $2 } END { print v + 0 }' \
	"$BENCH_SRV_LOG")
tw_reused=$(awk '$1 == "tcp_tw_reused" { v = $2 } END { print v + 0 }' \
	"$BENCH_SRV_LOG")
read -r s_first s_last <<< "$(first_last "$BENCH_WORK/synfin-cps.dat")"
bench_series "$BENCH_SRV_LOG" busy > "$BENCH_WORK/synfin-srv-busy.dat"
bench_series "$BENCH_SRV_LOG" conn/s |
	awk 'NR == FNR { b[$1] = $2; next }
		($1 in b) && $2 > 0 { printf "%d %.1f\n", $1, b[$1] * 1e7 / $2 }' \
		"$BENCH_WORK/synfin-srv-busy.dat" - > "$BENCH_WORK/synfin-srv-ns.dat"
read -r s_ns_first s_ns_last <<< "$(first_last "$BENCH_WORK/synfin-srv-ns.dat")"
s_ns_ratio=$(bench_ratio "$s_ns_last" "$s_ns_first" 3)
bench_log "synfin server: $s_ns_first -> $s_ns_last ns of CPU per connection"
s_bpe=$(awk -v a="$S_H" -v b="$S_R" -v c="$b_h" -v d="$b_r" \
	-v n="$((TWMAX - TWBASE))" 'BEGIN { printf "%.1f", (a + b - c - d) / n }')
bench_log "synfin: $s_cps conn/s, TIME_WAIT peak $s_tw (tw_full $tw_full," \
	"tw_reused $tw_reused), rate $s_first -> $s_last, $s_bpe bytes per entry"

# ---- results ----------------------------------------------------------------------
s_keep=$(bench_ratio "$s_last" "$s_first" 3)
k_keep=$(bench_ratio "$k_last" "$k_first" 3)
bench_row "TIME_WAIT entries at the peak" "$s_tw" "$k_tw" \
	"$(bench_ratio "$s_tw" "$k_tw" 1)" "millions" \
	"$(bench_ge "$s_tw" 1000000)"
bench_row "bytes per TIME_WAIT entry, tables included" "$s_bpe" "$k_obj" \
	"$(bench_ratio "$s_bpe" "$k_obj" 3)" "<= 64" "$(bench_le "$s_bpe" 64)"
bench_row "connections/s, first seconds" "$s_first" "$k_first" \
	"$(bench_ratio "$s_first" "$k_first" 1)" "-" "-"
bench_row "connections/s, last seconds" "$s_last" "$k_last" \
	"$(bench_ratio "$s_last" "$k_last" 1)" "-" "-"
bench_row "rate kept, last / first (vCPUs during synfin's run: $s_place)" \
	"$s_keep" "$k_keep" "" \
	">= 0.9 (unaffected)" "$(bench_ge "$s_keep" 0.9)"
bench_row "server CPU per connection, last / first ($s_ns_first -> $s_ns_last ns)" \
	"$s_ns_ratio" "" "" "-" "-"
BENCH_Y2LABEL="TIME_WAIT entries"
bench_plot_series "$BENCH_OUT/timewait.png" \
	"Short connections/s while TIME_WAIT piles up (60 s TIME_WAIT; entries on the right axis)" \
	"second" "connections/s" log -- \
	"$BENCH_WORK/synfin-cps.dat" "synfin conn/s" \
	"$BENCH_WORK/kernel-cps.dat" "kernel conn/s" -- \
	"$BENCH_WORK/synfin-tw.dat" "synfin TIME_WAIT" \
	"$BENCH_WORK/kernel-tw.dat" "kernel TIME_WAIT"
bench_finish "$(jq -n \
	--argjson sc "$(bench_num "$s_cps")" --argjson kc "$(bench_num "$k_cps")" \
	--argjson stw "$s_tw" --argjson ktw "$k_tw" --argjson kcap "$k_cap" \
	--argjson sbpe "$(bench_num "$s_bpe")" --argjson kobj "$(bench_num "$k_obj")" \
	--argjson sf "$(bench_num "$s_first")" --argjson sl "$(bench_num "$s_last")" \
	--argjson kf "$(bench_num "$k_first")" --argjson kl "$(bench_num "$k_last")" \
	--argjson twf "$tw_full" --argjson twr "$tw_reused" \
	--argjson se "$(bench_num "$s_err")" \
	--argjson sh "$S_H" --argjson sr "$S_R" --argjson bh "$b_h" --argjson br "$b_r" \
	--argjson sb "$sbusy" --argjson kb "$kbusy" --argjson ss "$sshare" \
	--argjson max "$TWMAX" --argjson base "$TWBASE" --argjson dur "$DUR" \
	--arg pl "$s_place" --argjson conc "$CONC" \
	--argjson nsf "$(bench_num "$s_ns_first")" \
	--argjson nsl "$(bench_num "$s_ns_last")" \
	--argjson c2a "$(bench_num "${BENCH_C2C_BEFORE:-}")" \
	--argjson c2b "$(bench_num "${BENCH_C2C_AFTER:-}")" \
	'{config: {seconds: $dur, synfin_connections: $conc,
		   synfin_max_timewait: $max,
		   baseline_max_timewait: $base, msl_ms: 30000},
	  synfin: {conns_per_s: $sc, timewait_peak: $stw, tcp_tw_full: $twf,
		   tcp_tw_reused: $twr, errors: $se, bytes_per_entry: $sbpe,
		   conns_per_s_first: $sf, conns_per_s_last: $sl,
		   server: {hugetlb: $sh, rss_anon: $sr, base_hugetlb: $bh,
			    base_rss_anon: $br},
		   cpu_busy_before_pct: $sb, cpu_share_pct: $ss,
		   vcpus: $pl, c2c_ns_before: $c2a, c2c_ns_after: $c2b,
		   server_cpu_ns_per_conn_first: $nsf,
		   server_cpu_ns_per_conn_last: $nsl},
	  kernel: {conns_per_s: $kc, timewait_peak: $ktw,
		   max_tw_buckets: $kcap, tw_sock_bytes: $kobj,
		   conns_per_s_first: $kf, conns_per_s_last: $kl,
		   cpu_busy_before_pct: $kb}}')"
