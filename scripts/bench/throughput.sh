#!/bin/bash
# throughput: bulk data in Gbit/s, beside the raw ceiling of the same link
# measured in the same run.
#
#   ceiling:      dpdk-testpmd txonly (CPU SRV) -> dpdk-testpmd rxonly (CPU
#                 CLI) over net_memif, 1514-byte frames (a full 1460-byte
#                 TCP segment's frame): what one core can push through memif
#                 with no protocol at all. The sender runs where synfin's
#                 sender (the HTTP server) runs: the two vCPUs differ (a
#                 bulk server measured 17.6-18.0 Gbit/s on CPU 0 and
#                 23.5-43.8 on CPU 1 in alternating runs). Both testpmds
#                 get synfin's mbuf cache (512). Ceiling and synfin HTTP
#                 alternate twice; each side's better run counts.
#   synfin HTTP:  synfin client, SF_BENCH_TPUT_CONC (8) keep-alive
#                 connections, GET of SF_BENCH_TPUT_BODY (1 MiB) bodies ->
#                 synfin HTTP server, memif
#   synfin echo:  synfin echo client, the same connections, each sending
#                 1 MiB requests that come back verified -> synfin echo
#                 server, memif (both directions carry the rate)
#   kernel HTTP:  wrk -t1 -cSF_BENCH_TPUT_CONC -> nginx (sendfile), the same
#                 bodies, veth (with the kernel's offloads by default: GSO/
#                 GRO super-frames, so its frames are not comparable)
#
# Rates: synfin and testpmd on the wire (Ethernet frames received, without
# FCS), medians of the per-second readings; synfin's application goodput
# and wrk's Transfer/sec (HTTP bytes) beside them.
#
# Target (issue 7): synfin's bulk HTTP >= 80% of the testpmd ceiling.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CONC=${SF_BENCH_TPUT_CONC:-8}
BODY=${SF_BENCH_TPUT_BODY:-1048576}
FRAME=${SF_BENCH_TPUT_FRAME:-1514}

bench_init
bench_hugepages 2048
command -v "$BENCH_TESTPMD" > /dev/null ||
	bench_die "missing $BENCH_TESTPMD (package dpdk-dev)"

# ---- ceiling: testpmd txonly -> rxonly over memif ------------------------------------
# ceiling_run TRY: one ceiling measurement; sets c_gbps and c_pps. It runs
# twice, each before one of synfin's two HTTP runs, and the higher
# reading counts (and synfin's better run): the vCPUs' cache sharing
# changes from minute to minute (the ceiling reads 40-45 or 150-200
# Gbit/s), and one run of each in different phases gave 0.68x to 1.33x.
ceiling_run()
{
	bench_wait_quiet "testpmd ceiling, $1"
	rm -f "$BENCH_WORK/memif.sock"
	BENCH_PROG=$BENCH_TESTPMD
	BENCH_LCORES="0@$BENCH_CPU_CLI,1@$BENCH_CPU_CLI"
	bench_dpdk_start "$BENCH_WORK/testpmd-rx-$1.log" "$BENCH_CPU_CLI" \
		"$BENCH_TAG-tprx" \
		"$(bench_memif_vdev net_memif0 server "$BENCH_WORK/memif.sock" \
		   "$BENCH_MAC_SSRV")" -- \
		--forward-mode=rxonly --stats-period 1 --nb-cores=1 --mbcache=512
	rx_pid=$BENCH_PID
	bench_wait_re "$BENCH_WORK/testpmd-rx-$1.log" 'Port statistics' 60 "$rx_pid" ||
		bench_die "testpmd rx did not start; see $BENCH_WORK/testpmd-rx-$1.log"
	BENCH_LCORES="0@$BENCH_CPU_SRV,1@$BENCH_CPU_SRV"
	bench_dpdk_start "$BENCH_WORK/testpmd-tx-$1.log" "$BENCH_CPU_SRV" \
		"$BENCH_TAG-tptx" \
		"$(bench_memif_vdev net_memif0 client "$BENCH_WORK/memif.sock" \
		   "$BENCH_MAC_SCLI")" -- \
		--forward-mode=txonly --txpkts="$FRAME" --stats-period 1 --nb-cores=1 \
		--mbcache=512
	tx_pid=$BENCH_PID
	BENCH_PROG=
	BENCH_LCORES=
	# the measurement starts with the first packets received
	bench_wait_re "$BENCH_WORK/testpmd-rx-$1.log" 'Rx-pps: +[1-9]' 60 "$rx_pid" ||
		bench_die "no packet reached testpmd rx"
	sleep "$BENCH_DUR"
	bench_stop_memif "$rx_pid" "$tx_pid"
	# testpmd's Rx-bps: frames without FCS, per stats period (1 s)
	awk '/Rx-bps:/ { n++; print n, $4 }' "$BENCH_WORK/testpmd-rx-$1.log" |
		awk '$2 > 0' > "$BENCH_WORK/testpmd-bps-$1.dat"
	c_bps=$(bench_median 1 < "$BENCH_WORK/testpmd-bps-$1.dat")
	c_gbps=$(awk -v b="$c_bps" 'BEGIN { printf "%.3f", b / 1e9 }')
	c_pps=$(awk '/Rx-pps:/ && $2 > 0 { n++; print n, $2 }' \
		"$BENCH_WORK/testpmd-rx-$1.log" | bench_median 1 |
		awk '{ printf "%.0f", $1 }')
	bench_log "ceiling, run $1: testpmd $FRAME-byte frames: $c_gbps Gbit/s ($c_pps pps)"
}

# ---- synfin HTTP bodies ---------------------------------------------------------------
# http_run TRY: one synfin HTTP run; the better of the two counts, as the
# higher ceiling does: ceiling, synfin, ceiling, synfin.
h_wire=0
h_err=0		# both runs' errors; the rate is the better run's
sbusy=null
http_run()
{
	local w e
	bench_wait_quiet "synfin HTTP throughput, run $1"
	[ "$sbusy" = null ] && sbusy=$BENCH_BUSY
	bench_synfin_run "http-$1" --app http --port 80 --body-size "$BODY" -- \
		--app http --target "$BENCH_IP_SSRV:80" --requests 0 \
		--concurrency "$CONC"
	bench_series "$BENCH_CLI_LOG" rx > "$BENCH_WORK/synfin-http-mbps-$1.dat"
	w=$(bench_median 1 < "$BENCH_WORK/synfin-http-mbps-$1.dat" |
		awk '{ printf "%.3f", $1 / 1e3 }')
	e=$(bench_jq "$BENCH_CLI_JSON" .counters.errors)
	h_err=$((h_err + ${e:-0}))
	bench_log "synfin HTTP, run $1: $w Gbit/s on the wire (median second)," \
		"errors ${e:-?}"
	if [ "$(bench_ge "$w" "$h_wire")" = yes ]; then
		h_wire=$w
		hshare=${BENCH_SHARE:-null}
		jh=$BENCH_CLI_JSON
	fi
}

ceiling_run 1
tbusy=$BENCH_BUSY
ceil_before=$c_gbps
pps_before=$c_pps
http_run 1
ceiling_run 2
ceil_after=$c_gbps
http_run 2
if [ "$(bench_ge "$ceil_before" "$ceil_after")" = yes ]; then
	ceil=$ceil_before
	ceil_pps=$pps_before
else
	ceil=$ceil_after
	ceil_pps=$c_pps
fi
bench_log "ceiling: $ceil Gbit/s, the higher of $ceil_before (first)" \
	"and $ceil_after (second)"
h_good=$(bench_jq "$jh" .rx_mbit_per_s | awk '{ printf "%.3f", $1 / 1e3 }')
h_rex=$(bench_jq "$jh" .tcp_retransmits)
bench_log "synfin HTTP: $h_wire Gbit/s on the wire (the better run)," \
	"goodput $h_good Gbit/s, errors $h_err, retransmits $h_rex"

# ---- synfin echo ------------------------------------------------------------------------
bench_synfin_run echo --app echo --port 7 -- \
	--app echo --target "$BENCH_IP_SSRV:7" --requests 0 \
	--concurrency "$CONC" --bytes "$BODY"
eshare=${BENCH_SHARE:-null}
je=$BENCH_CLI_JSON
bench_series "$BENCH_CLI_LOG" rx > "$BENCH_WORK/synfin-echo-mbps.dat"
e_wire=$(bench_median 1 < "$BENCH_WORK/synfin-echo-mbps.dat" |
	awk '{ printf "%.3f", $1 / 1e3 }')
e_good=$(bench_jq "$je" .rx_mbit_per_s | awk '{ printf "%.3f", $1 / 1e3 }')
e_err=$(bench_jq "$je" .counters.errors)
bench_log "synfin echo: $e_wire Gbit/s each way on the wire," \
	"goodput $e_good Gbit/s, errors $e_err"

# ---- kernel: nginx + wrk ----------------------------------------------------------------
bench_nginx_start "$BODY"
bench_wait_quiet "kernel HTTP throughput"
kbusy=$BENCH_BUSY
bench_wrk "$BENCH_WORK/wrk.txt" -c "$CONC" -d "${BENCH_DUR}s"
bench_nginx_stop
k_good=$(bench_wrk_bytes_per_s "$BENCH_WORK/wrk.txt" |
	awk '{ printf "%.3f", $1 * 8 / 1e9 }')
k_err=$(bench_wrk_errors "$BENCH_WORK/wrk.txt")
bench_log "kernel HTTP: $k_good Gbit/s (wrk Transfer/sec), errors $k_err"

# ---- results ------------------------------------------------------------------------------
frac=$(bench_ratio "$h_wire" "$ceil" 3)
bench_row "raw ceiling: testpmd, $FRAME-byte frames (Gbit/s; the better of 2 runs)" \
	"$ceil" "" "" "-" "-"
bench_row "HTTP $BODY-byte bodies, wire (Gbit/s; the better of 2 runs)" "$h_wire" "" "$frac" \
	">= 0.8x ceiling" "$(bench_ge "$frac" 0.8)"
bench_row "HTTP $BODY-byte bodies, goodput (Gbit/s)" "$h_good" "$k_good" \
	"$(bench_ratio "$h_good" "$k_good" 2)" "-" "-"
bench_row "echo, each way, wire (Gbit/s)" "$e_wire" "" \
	"$(bench_ratio "$e_wire" "$ceil" 3)" "- (ratio: of ceiling)" "-"
bench_row "echo, each way, goodput (Gbit/s)" "$e_good" "" "" "-" "-"
{
	printf 'testpmd ceiling\t%s\tNaN\n' "$ceil"
	printf 'HTTP bodies\t%s\t%s\n' "$h_good" "$k_good"
	printf 'echo (each way)\t%s\tNaN\n' "$e_good"
} > "$BENCH_WORK/bars.dat"
bench_plot_bars "$BENCH_OUT/throughput.png" \
	"Bulk throughput, 1 core per side: goodput (testpmd: $FRAME-byte frames on the wire)" \
	"Gbit/s" "$BENCH_WORK/bars.dat"
bench_finish "$(jq -n \
	--argjson ceil "$(bench_num "$ceil")" \
	--argjson cb "$(bench_num "$ceil_before")" \
	--argjson ca "$(bench_num "$ceil_after")" \
	--argjson cpps "$(bench_num "$ceil_pps")" \
	--argjson hw "$(bench_num "$h_wire")" --argjson hg "$(bench_num "$h_good")" \
	--argjson ew "$(bench_num "$e_wire")" --argjson eg "$(bench_num "$e_good")" \
	--argjson kg "$(bench_num "$k_good")" \
	--argjson he "$(bench_num "$h_err")" --argjson ee "$(bench_num "$e_err")" \
	--argjson hr "$(bench_num "$h_rex")" --argjson ke "$(bench_num "$k_err")" \
	--argjson tb "$tbusy" --argjson sb "$sbusy" --argjson kb "$kbusy" \
	--argjson hs "$hshare" --argjson es "$eshare" \
	--argjson conc "$CONC" --argjson body "$BODY" --argjson frame "$FRAME" \
	'{config: {connections: $conc, body_bytes: $body,
		   testpmd_frame_bytes: $frame},
	  testpmd: {rx_gbit_per_s: $ceil, rx_pps: $cpps,
		    rx_gbit_per_s_runs: [$cb, $ca],
		    cpu_busy_before_pct: $tb},
	  synfin: {http_wire_gbit_per_s: $hw, http_goodput_gbit_per_s: $hg,
		   http_errors: $he, http_retransmits: $hr,
		   echo_wire_gbit_per_s_each_way: $ew,
		   echo_goodput_gbit_per_s_each_way: $eg, echo_errors: $ee,
		   cpu_busy_before_pct: $sb, http_cpu_share_pct: $hs,
		   echo_cpu_share_pct: $es},
	  kernel: {http_goodput_gbit_per_s: $kg, errors: $ke,
		   cpu_busy_before_pct: $kb}}')"
