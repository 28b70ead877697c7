#!/bin/bash
# cps: short HTTP connections per second, each one whole TCP life: three-way
# handshake, one GET, the response (SF_BENCH_BODY bytes of body, with
# "Connection: close"), the four-way teardown, TIME_WAIT on the closer (the
# server, as with nginx).
#
#   synfin pair:  synfin client (--requests 1, SF_BENCH_CPS_CONC at once)
#                 -> synfin HTTP server, net_memif, one core each
#   kernel pair:  wrk -t1 -H 'Connection: close' -> nginx, veth between
#                 two namespaces, the same two cores; its runs alternate
#                 SF_BENCH_CONC (64) and SF_BENCH_CPS_CONC (256)
#                 connections, and the best run is the baseline
#
# The order is kernel, synfin, kernel, synfin, ..., SF_BENCH_CPS_ROUNDS
# (3) of each; each side's best run counts (see "the runs" below). Each
# run is labelled with where the two vCPUs sat (bench_placement in
# lib.sh). synfin's rate varied from 0.69M to 1.17M connections/s on
# separate dies alone, from one spell of the machine to the next, so the
# label explains only part of the spread; the kernel pair made
# 17.7-22.8k.
#
# Why two concurrencies: synfin batches better with more connections in
# flight (a burst carries more of them), the kernel pair gains nothing
# consistent from them (15.7k-18.7k conn/s at 256 against 14.6k-19.7k at
# 64 on the 2-CPU VM).
# Comparing synfin at 256 with the kernel's best of 64 and 256 gives
# neither side a count that only suits the other.
#
# synfin's TIME_WAIT lasts 2 x SF_BENCH_CPS_MSL_MS (1000: 2 s, so the
# TIME_WAIT table is in its steady state; timewait.sh holds them for a
# minute); the client spreads its connections over SF_BENCH_CPS_SOURCES
# (16) source addresses, about 1.03M tuples: at 1M connections/s a tuple
# comes back after about a second, while its TIME_WAIT lasts, and the new
# SYN takes the record over (RFC 6191 by timestamp; tcp_tw_reused counts
# it), so about 1M records are held. With SF_BENCH_PERF=1 (the default)
# one more, unmeasured synfin run is profiled with perf.
#
# Target (issue 7): synfin >= 50x the kernel pair's connections/s.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"

MSL=${SF_BENCH_CPS_MSL_MS:-1000}
TWMAX=${SF_BENCH_CPS_TW:-2097152}
SRCS=${SF_BENCH_CPS_SOURCES:-16}
PERF=${SF_BENCH_PERF:-1}
PERF_S=${SF_BENCH_PERF_S:-5}
CONC=${SF_BENCH_CPS_CONC:-256}
ROUNDS=${SF_BENCH_CPS_ROUNDS:-3}

bench_init
bench_hugepages $((TWMAX * 200 / 1048576 + 1024))

# ---- the runs: kernel, synfin, kernel, synfin, ... -------------------------
# Interleaved, and each side's better run counts: the vCPUs' cache
# sharing changes from minute to minute (synfin moved 0.95M conn/s in
# one phase and 1.3M in another, the kernel 17k-23k), and one run of
# each taken in different phases gave ratios from 43x to 56x for the
# same code. As many tries each give both sides the same chance at a good
# phase. The kernel's runs use 64 and 256 connections in turn.
srv_args=(--app http --port 80 --body-size "$BENCH_BODY"
	--set tcp.msl_ms="$MSL" --set tcp.max_timewait="$TWMAX"
	--set tcp.max_conns=65536 --set tcp.max_syn_backlog=65536)
cli_args=(--app http --target "$BENCH_IP_SSRV:80" --requests 1
	--concurrency "$CONC"
	--source "198.18.1.16-198.18.1.$((15 + SRCS))"
	--set tcp.max_conns=65536 --set tcp.max_timewait=65536)
k_cps=0
s_cps=0
# Errors are those of all runs of a side; the rate, its best run's.
s_err_all=0
k_err_all=0
k_place=unknown
s_place=unknown
kbusy=null
sbusy=null

# kernel_run TRY CONNECTIONS: nginx + wrk
kernel_run()
{
	local r e f="$BENCH_WORK/wrk-$1-c$2.txt"
	bench_nginx_start "$BENCH_BODY"
	bench_wait_quiet "kernel cps, run $1, $2 connections"
	[ "$kbusy" = null ] && kbusy=$BENCH_BUSY
	bench_placed bench_wrk "$f" -c "$2" \
		-d "${BENCH_DUR}s" --latency -H 'Connection: close'
	bench_nginx_stop
	r=$(bench_wrk_rps "$f")
	e=$(bench_wrk_errors "$f")
	k_err_all=$((k_err_all + ${e:-0}))
	bench_log "kernel, run $1, $2 connections: $r conn/s, wrk errors" \
		"${e:-?}; vCPUs $BENCH_PLACE" \
		"(${BENCH_C2C_BEFORE:-?}/${BENCH_C2C_AFTER:-?} ns)"
	if [ "$(bench_ge "$r" "$k_cps")" = yes ]; then
		k_place=$BENCH_PLACE
		k_cps=$r
		k_conc=$2
		k_file=$f
	fi
}

# synfin_run TRY: synfin client -> synfin server over memif
synfin_run()
{
	local r e
	bench_wait_quiet "synfin cps, run $1"
	[ "$sbusy" = null ] && sbusy=$BENCH_BUSY
	bench_placed bench_synfin_run "cps-$1" "${srv_args[@]}" -- \
		"${cli_args[@]}"
	r=$(bench_jq "$BENCH_CLI_JSON" .conns_per_s)
	e=$(bench_jq "$BENCH_CLI_JSON" .counters.errors)
	s_err_all=$((s_err_all + ${e:-0}))
	bench_log "synfin, run $1: $r conn/s, errors ${e:-?};" \
		"vCPUs $BENCH_PLACE (${BENCH_C2C_BEFORE:-?}/${BENCH_C2C_AFTER:-?} ns)"
	if [ "$(bench_ge "$r" "$s_cps")" = yes ]; then
		s_place=$BENCH_PLACE
		s_cps=$r
		s_try=$1
		sshare=${BENCH_SHARE:-null}
		j=$BENCH_CLI_JSON
		s_cli_log=$BENCH_CLI_LOG
		s_srv_log=$BENCH_SRV_LOG
	fi
}

for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then
		kernel_run "$r" "$BENCH_CONC"
	else
		kernel_run "$r" "$CONC"
	fi
	synfin_run "$r"
done
cp "$k_file" "$BENCH_WORK/wrk.txt"
cp "$k_file.opens" "$BENCH_WORK/wrk.txt.opens"
k_err=$k_err_all
k_p99=$(bench_wrk_pct "$BENCH_WORK/wrk.txt" 99)
bench_log "kernel: $k_cps conn/s with $k_conc connections (wrk errors $k_err)"
BENCH_CLI_LOG=$s_cli_log
BENCH_SRV_LOG=$s_srv_log
bench_log "synfin: run $s_try counts"
s_cps=$(bench_jq "$j" .conns_per_s)
s_err=$s_err_all
s_rexmit=$(bench_jq "$j" .tcp_retransmits)
s_p99=$(bench_jq "$j" .latency.total.p99_us)
bench_series "$BENCH_CLI_LOG" conn/s | awk '$2 > 0' > "$BENCH_WORK/synfin-cps.dat"
bench_series "$BENCH_SRV_LOG" tw > "$BENCH_WORK/synfin-tw.dat"
s_med=$(bench_median 1 < "$BENCH_WORK/synfin-cps.dat")
k_med=$(awk '{ print $1, $2 }' "$BENCH_WORK/wrk.txt.opens" | bench_median 1)
tw_peak=$(awk '$2 > m { m = $2 } END { print m + 0 }' \
	"$BENCH_WORK/synfin-tw.dat")
tw_full=$(awk '$1 == "tcp_tw_full" { v = $2 } END { print v + 0 }' \
	"$BENCH_SRV_LOG")
bench_log "synfin: $s_cps conn/s (median of seconds $s_med), errors $s_err," \
	"retransmits $s_rexmit, TIME_WAIT peak $tw_peak, tw_full $tw_full"

# ---- profile (not measured) -----------------------------------------------------
perf_json='{}'
if [ "$PERF" = 1 ]; then
	cps_perf()
	{
		PERF_PIDS=("$1" "$2")
		bench_sleep 2
		bench_perf_record "$BENCH_CPU_SRV" "$BENCH_WORK/perf-server.txt" \
			"$PERF_S"
		PERF_REC=("$BENCH_PERF_PID")
		bench_perf_record "$BENCH_CPU_CLI" "$BENCH_WORK/perf-client.txt" \
			"$PERF_S"
		PERF_REC+=("$BENCH_PERF_PID")
	}
	BENCH_DURING=cps_perf
	BENCH_TRIES=1 BENCH_DUR=$((PERF_S + 5)) bench_synfin_run cps-perf "${srv_args[@]}" \
		-- "${cli_args[@]}"
	BENCH_DURING=
	for p in "${PERF_REC[@]}"; do
		[ -n "$p" ] && { wait "$p" || true; }
	done
	bench_perf_report "$BENCH_WORK/perf-server.txt" "${PERF_PIDS[0]}"
	bench_perf_report "$BENCH_WORK/perf-client.txt" "${PERF_PIDS[1]}"
	for side in server client; do
		cp "$BENCH_WORK/perf-$side.txt" "$BENCH_OUT/cps-perf-$side.txt"
		echo "synfin $side, perf top 10 (cpu-clock, self, % of its CPU):"
		sed 's/^/  /' "$BENCH_WORK/perf-$side.txt"
	done
	perf_json=$(jq -n \
		--rawfile s "$BENCH_WORK/perf-server.txt" \
		--rawfile c "$BENCH_WORK/perf-client.txt" \
		'{perf_top: {
			server: ($s | split("\n") | map(select(length > 0))),
			client: ($c | split("\n") | map(select(length > 0)))}}')
fi

# ---- results ----------------------------------------------------------------------
ratio=$(bench_ratio "$s_cps" "$k_cps" 1)
bench_row "connections/s (vCPUs: synfin's run $s_place, the kernel's $k_place)" \
	"$s_cps" "$k_cps" "$ratio" ">= 50x kernel" "$(bench_ge "$ratio" 50)"
bench_row "connections/s, median second" "$s_med" "$k_med" \
	"$(bench_ratio "$s_med" "$k_med" 1)" "-" "-"
bench_row "p99 request latency at saturation (us)" "$s_p99" "$k_p99" \
	"$(bench_ratio "$s_p99" "$k_p99" 3)" "-" "-"
awk '$2 > 0 { print $1, $2 }' "$BENCH_WORK/wrk.txt.opens" > \
	"$BENCH_WORK/kernel-cps.dat"
bench_plot_series "$BENCH_OUT/cps.png" \
	"Short HTTP connections/s (1 request, FIN close, TIME_WAIT), 1 core per side" \
	"second" "connections/s" log -- \
	"$BENCH_WORK/synfin-cps.dat" "synfin <-> synfin, memif" \
	"$BENCH_WORK/kernel-cps.dat" "wrk <-> nginx, Linux, veth"
bench_finish "$(jq -n \
	--argjson sc "$(bench_num "$s_cps")" --argjson kc "$(bench_num "$k_cps")" \
	--argjson se "$(bench_num "$s_err")" --argjson ke "$(bench_num "$k_err")" \
	--argjson sr "$(bench_num "$s_rexmit")" \
	--argjson twp "$tw_peak" --argjson twf "$tw_full" \
	--argjson sb "$sbusy" --argjson kb "$kbusy" --argjson ss "$sshare" \
	--argjson conc "$CONC" --argjson kconc "$k_conc" --argjson body "$BENCH_BODY" \
	--argjson msl "$MSL" --argjson srcs "$SRCS" --argjson rounds "$ROUNDS" \
	--arg sp "$s_place" --arg kp "$k_place" \
	--slurpfile sj "$j" \
	--argjson perf "$perf_json" \
	'{config: {concurrency: $conc, kernel_concurrency: $kconc,
		   body_bytes: $body, rounds: $rounds,
		   synfin_msl_ms: $msl, synfin_client_sources: $srcs},
	  synfin: {conns_per_s: $sc, errors: $se, retransmits: $sr,
		   timewait_peak: $twp, tcp_tw_full: $twf, vcpus: $sp,
		   cpu_busy_before_pct: $sb, cpu_share_pct: $ss,
		   client: $sj[0]},
	  kernel: {conns_per_s: $kc, errors: $ke, vcpus: $kp,
		   cpu_busy_before_pct: $kb}} + $perf')"
