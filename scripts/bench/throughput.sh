#!/bin/bash
# throughput: bulk data in Gbit/s, beside the raw ceiling of the same link
# measured in the same run.
#
#   ceiling:      dpdk-testpmd txonly (CPU SRV) -> dpdk-testpmd rxonly (CPU
#                 CLI) over net_memif, 1514-byte frames (a full 1460-byte
#                 TCP segment's frame): what one core can push through memif
#                 with no protocol at all. The sender runs where synfin's
#                 sender (the HTTP server) runs and, like it, is the memif
#                 server. Both testpmds get synfin's mbuf cache (512).
#   shape:        the same testpmd pair sending frames built as synfin
#                 builds its data segments: SF_BENCH_TPUT_SHAPE (66,1448),
#                 headers (with timestamps) and payload in two chained
#                 mbufs of synfin's size (2240 bytes, SF_MBUF_DATA_ROOM),
#                 which memif gathers into one buffer. The ceiling for
#                 frames made that way: it tells the cost of the shape from
#                 the cost of TCP. Reported beside the target, not instead
#                 of it.
#   placement:    the VM's two vCPUs move between a shared L3 and separate
#                 dies from one minute to the next, and the ceiling follows
#                 (~190 against ~40 Gbit/s). tests/bench/bench_c2c times a
#                 cache line's round trip between the CPUs (~130 against
#                 ~450 ns) before and after each run; a run is "shared"
#                 (both under BENCH_C2C_SHARED_NS), "separate" (both over) or
#                 "mixed". Ceiling, shape and synfin HTTP alternate
#                 SF_BENCH_TPUT_ROUNDS (3) times; for each placement, the
#                 best synfin run over the best ceiling run made in it.
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
# Target (issue 7): synfin's bulk HTTP >= 80% of the testpmd ceiling, in
# each placement where both were measured.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"

CONC=${SF_BENCH_TPUT_CONC:-8}
BODY=${SF_BENCH_TPUT_BODY:-1048576}
FRAME=${SF_BENCH_TPUT_FRAME:-1514}
SHAPE=${SF_BENCH_TPUT_SHAPE:-66,1448}
ROUNDS=${SF_BENCH_TPUT_ROUNDS:-3}

bench_init
bench_hugepages 2048
command -v "$BENCH_TESTPMD" > /dev/null ||
	bench_die "missing $BENCH_TESTPMD (package dpdk-dev)"

# ---- ceiling: testpmd txonly -> rxonly over memif ------------------------------------
# ceiling_run TRY [TXPKTS MBUF_SIZE]: one ceiling measurement, of
# FRAME-byte frames or of frames in TXPKTS' segments; sets c_gbps and c_pps.
ceiling_run()
{
	local pk=${2:-$FRAME} ms=${3:-}

	bench_wait_quiet "testpmd ceiling, $1, frames of $pk bytes"
	rm -f "$BENCH_WORK/memif.sock"
	BENCH_PROG=$BENCH_TESTPMD
	# The sender is the memif server, as synfin's HTTP server is: the
	# two roles take different paths through the driver.
	BENCH_LCORES="0@$BENCH_CPU_SRV,1@$BENCH_CPU_SRV"
	bench_dpdk_start "$BENCH_WORK/testpmd-tx-$1.log" "$BENCH_CPU_SRV" \
		"$BENCH_TAG-tptx" \
		"$(bench_memif_vdev net_memif0 server "$BENCH_WORK/memif.sock" \
		   "$BENCH_MAC_SSRV")" -- \
		--forward-mode=txonly --txpkts="$pk" --stats-period 1 --nb-cores=1 \
		--mbcache=512 ${ms:+--mbuf-size="$ms"}
	tx_pid=$BENCH_PID
	bench_wait_re "$BENCH_WORK/testpmd-tx-$1.log" 'Port statistics' 60 "$tx_pid" ||
		bench_die "testpmd tx did not start; see $BENCH_WORK/testpmd-tx-$1.log"
	BENCH_LCORES="0@$BENCH_CPU_CLI,1@$BENCH_CPU_CLI"
	bench_dpdk_start "$BENCH_WORK/testpmd-rx-$1.log" "$BENCH_CPU_CLI" \
		"$BENCH_TAG-tprx" \
		"$(bench_memif_vdev net_memif0 client "$BENCH_WORK/memif.sock" \
		   "$BENCH_MAC_SCLI")" -- \
		--forward-mode=rxonly --stats-period 1 --nb-cores=1 --mbcache=512
	rx_pid=$BENCH_PID
	BENCH_PROG=
	BENCH_LCORES=
	# the measurement starts with the first packets received
	bench_wait_re "$BENCH_WORK/testpmd-rx-$1.log" 'Rx-pps: +[1-9]' 60 "$rx_pid" ||
		bench_die "no packet reached testpmd rx"
	sleep "$BENCH_DUR"
	bench_stop_memif "$tx_pid" "$rx_pid"
	# testpmd's Rx-bps: frames without FCS, per stats period (1 s)
	awk '/Rx-bps:/ { n++; print n, $4 }' "$BENCH_WORK/testpmd-rx-$1.log" |
		awk '$2 > 0' > "$BENCH_WORK/testpmd-bps-$1.dat"
	c_bps=$(bench_median 1 < "$BENCH_WORK/testpmd-bps-$1.dat")
	c_gbps=$(awk -v b="$c_bps" 'BEGIN { printf "%.3f", b / 1e9 }')
	c_pps=$(awk '/Rx-pps:/ && $2 > 0 { n++; print n, $2 }' \
		"$BENCH_WORK/testpmd-rx-$1.log" | bench_median 1 |
		awk '{ printf "%.0f", $1 }')
	bench_log "ceiling, run $1: testpmd frames of $pk bytes: $c_gbps Gbit/s ($c_pps pps)"
}

# ---- synfin HTTP bodies ---------------------------------------------------------------
# http_run TRY: one synfin HTTP run; sets w (wire Gbit/s) and BENCH_CLI_JSON.
h_err=0		# all runs' errors; the rates are the best runs'
sbusy=null
http_run()
{
	local e
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
}

[ -x "$BENCH_C2C" ] || bench_log "no $BENCH_C2C (ninja -C build): placement not probed;" \
	"every run is compared with every other"
declare -A best_c best_cpps best_s best_json best_sh
runs_json=()
tbusy=null
for ((r = 1; r <= ROUNDS; r++)); do
	for kind in ceiling shape synfin; do
		if [ "$kind" = ceiling ]; then
			bench_placed ceiling_run "$r"
			[ "$tbusy" = null ] && tbusy=$BENCH_BUSY
			v=$c_gbps
		elif [ "$kind" = shape ]; then
			bench_placed ceiling_run "$r-shape" "$SHAPE" 2240
			v=$c_gbps
		else
			bench_placed http_run "$r"
			v=$w
		fi
		ph=$BENCH_PLACE
		bench_log "$kind, run $r: $v Gbit/s; cache-line round trip" \
			"${BENCH_C2C_BEFORE:-?} ns before, ${BENCH_C2C_AFTER:-?} ns" \
			"after: $ph"
		runs_json+=("$(jq -n --arg k "$kind" --arg p "$ph" \
			--argjson g "$(bench_num "$v")" \
			--argjson a "$(bench_num "$BENCH_C2C_BEFORE")" \
			--argjson b "$(bench_num "$BENCH_C2C_AFTER")" \
			'{kind: $k, gbit_per_s: $g, placement: $p,
			  c2c_ns_before: $a, c2c_ns_after: $b}')")
		[ "$ph" = mixed ] && continue
		if [ "$kind" = ceiling ]; then
			if [ "$(bench_ge "$v" "${best_c[$ph]:-0}")" = yes ]; then
				best_c[$ph]=$v
				best_cpps[$ph]=$c_pps
			fi
		elif [ "$kind" = shape ]; then
			[ "$(bench_ge "$v" "${best_sh[$ph]:-0}")" = yes ] &&
				best_sh[$ph]=$v
		elif [ "$(bench_ge "$v" "${best_s[$ph]:-0}")" = yes ]; then
			best_s[$ph]=$v
			best_json[$ph]=$BENCH_CLI_JSON
			hshare=${BENCH_SHARE:-null}
		fi
	done
done

# Per placement with both: the ratio, and the verdict.
phases=()
for ph in separate shared unknown; do
	[ -n "${best_c[$ph]:-}" ] && [ -n "${best_s[$ph]:-}" ] && phases+=("$ph")
done
[ "${#phases[@]}" -gt 0 ] ||
	bench_log "no placement held for both a ceiling and a synfin run:" \
		"no ratio (runs above)"
jh=
for ph in "${phases[@]}"; do
	bench_log "$ph: synfin HTTP ${best_s[$ph]} Gbit/s / ceiling" \
		"${best_c[$ph]} Gbit/s = $(bench_ratio "${best_s[$ph]}" \
		"${best_c[$ph]}" 3)x"
	[ -z "$jh" ] && jh=${best_json[$ph]}
done
[ -n "$jh" ] || jh=$BENCH_CLI_JSON
h_good=$(bench_jq "$jh" .rx_mbit_per_s | awk '{ printf "%.3f", $1 / 1e3 }')
h_rex=$(bench_jq "$jh" .tcp_retransmits)
bench_log "synfin HTTP: goodput $h_good Gbit/s, errors $h_err (all runs)," \
	"retransmits $h_rex"
: "${hshare:=null}"

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
declare -A phname=([separate]="separate dies" [shared]="shared L3"
	[unknown]="placement not probed")
pj='{}'
for ph in "${phases[@]}"; do
	frac=$(bench_ratio "${best_s[$ph]}" "${best_c[$ph]}" 3)
	bench_row "raw ceiling, ${phname[$ph]}: testpmd, $FRAME-byte frames (Gbit/s; best run)" \
		"${best_c[$ph]}" "" "" "-" "-"
	bench_row "HTTP $BODY-byte bodies, wire, ${phname[$ph]} (Gbit/s; best run)" \
		"${best_s[$ph]}" "" "$frac" ">= 0.8x ceiling" "$(bench_ge "$frac" 0.8)"
	shf=
	if [ -n "${best_sh[$ph]:-}" ]; then
		shf=$(bench_ratio "${best_s[$ph]}" "${best_sh[$ph]}" 3)
		bench_row "testpmd, synfin's frame shape ($SHAPE bytes in two mbufs), ${phname[$ph]} (Gbit/s; best run; ratio: synfin over it)" \
			"${best_sh[$ph]}" "" "$shf" "-" "-"
	fi
	pj=$(jq -n --argjson o "$pj" --arg p "$ph" \
		--argjson c "$(bench_num "${best_c[$ph]}")" \
		--argjson cp "$(bench_num "${best_cpps[$ph]}")" \
		--argjson sh "$(bench_num "${best_sh[$ph]:-}")" \
		--argjson s "$(bench_num "${best_s[$ph]}")" \
		--argjson f "$(bench_num "$frac")" \
		--argjson shf "$(bench_num "$shf")" \
		'$o + {($p): {ceiling_gbit_per_s: $c, ceiling_pps: $cp,
			      shape_ceiling_gbit_per_s: $sh,
			      http_wire_gbit_per_s: $s, ratio: $f,
			      ratio_to_shape: $shf}}')
done
bench_row "HTTP $BODY-byte bodies, goodput (Gbit/s)" "$h_good" "$k_good" \
	"$(bench_ratio "$h_good" "$k_good" 2)" "-" "-"
bench_row "echo, each way, wire (Gbit/s)" "$e_wire" "" "" "-" "-"
bench_row "echo, each way, goodput (Gbit/s)" "$e_good" "" "" "-" "-"
{
	for ph in "${phases[@]}"; do
		printf 'ceiling (%s)\t%s\tNaN\n' "${phname[$ph]}" "${best_c[$ph]}"
		[ -n "${best_sh[$ph]:-}" ] &&
			printf 'two-mbuf ceiling (%s)\t%s\tNaN\n' "${phname[$ph]}" \
				"${best_sh[$ph]}"
		printf 'synfin wire (%s)\t%s\tNaN\n' "${phname[$ph]}" "${best_s[$ph]}"
	done
	printf 'HTTP goodput\t%s\t%s\n' "$h_good" "$k_good"
	printf 'echo (each way)\t%s\tNaN\n' "$e_good"
} > "$BENCH_WORK/bars.dat"
bench_plot_bars "$BENCH_OUT/throughput.png" \
	"Bulk throughput, 1 core per side (testpmd: $FRAME-byte frames on the wire)" \
	"Gbit/s" "$BENCH_WORK/bars.dat"
bench_finish "$(jq -n \
	--argjson pj "$pj" \
	--argjson runs "$(printf '%s\n' "${runs_json[@]}" | jq -s .)" \
	--argjson hg "$(bench_num "$h_good")" \
	--argjson ew "$(bench_num "$e_wire")" --argjson eg "$(bench_num "$e_good")" \
	--argjson kg "$(bench_num "$k_good")" \
	--argjson he "$(bench_num "$h_err")" --argjson ee "$(bench_num "$e_err")" \
	--argjson hr "$(bench_num "$h_rex")" --argjson ke "$(bench_num "$k_err")" \
	--argjson tb "$tbusy" --argjson sb "$sbusy" --argjson kb "$kbusy" \
	--argjson hs "$hshare" --argjson es "$eshare" \
	--argjson conc "$CONC" --argjson body "$BODY" --argjson frame "$FRAME" \
	--arg shape "$SHAPE" \
	--argjson rounds "$ROUNDS" --argjson thr "$BENCH_C2C_SHARED_NS" \
	'{config: {connections: $conc, body_bytes: $body,
		   testpmd_frame_bytes: $frame, testpmd_shape: $shape,
		   rounds: $rounds,
		   c2c_shared_below_ns: $thr},
	  placements: $pj, runs: $runs,
	  testpmd: {cpu_busy_before_pct: $tb},
	  synfin: {http_goodput_gbit_per_s: $hg,
		   http_errors: $he, http_retransmits: $hr,
		   echo_wire_gbit_per_s_each_way: $ew,
		   echo_goodput_gbit_per_s_each_way: $eg, echo_errors: $ee,
		   cpu_busy_before_pct: $sb, http_cpu_share_pct: $hs,
		   echo_cpu_share_pct: $es},
	  kernel: {http_goodput_gbit_per_s: $kg, errors: $ke,
		   cpu_busy_before_pct: $kb}}')"
