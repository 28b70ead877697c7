#!/bin/bash
# latency: p50 and p99 of keep-alive HTTP requests at a fixed, moderate
# load, the same load for both pairs.
#
#   kernel pair:  wrk -t1 -cSF_BENCH_LAT_CONC (10) with a Lua delay() of
#                 SF_BENCH_LAT_DELAY_MS (1) ms before each request of a
#                 connection -> nginx, veth: an open-ended but paced load
#                 (about CONC x 1000 / (DELAY + latency) requests/s)
#   synfin pair:  synfin client, the same connections, --req-rate set to
#                 the rate wrk achieved -> synfin HTTP server, memif
#
# Latency is from a request's first byte sent to its response's last byte
# received (wrk: the same, delay not included). SF_BENCH_BODY bytes of body.
#
# Platform stalls: tests/bench/bench_hiccups spins on each of the two CPUs
# for 5 s and counts the gaps in its clock reads (the hypervisor or the
# kernel taking the CPU). A poll-mode pair at light load spends a few us
# per request, so the share of requests that meet such a stall, on either
# CPU, sets the floor of its p99.
#
# Target (issue 7): synfin's p99 <= 1/5 of the kernel's.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"

CONC=${SF_BENCH_LAT_CONC:-10}
DELAY=${SF_BENCH_LAT_DELAY_MS:-1}

bench_init
bench_hugepages 1024

# ---- kernel: nginx + paced wrk ---------------------------------------------------
cat > "$BENCH_WORK/delay.lua" << EOF
-- wait $DELAY ms before each request of a connection
function delay()
	return $DELAY
end
EOF
bench_nginx_start "$BENCH_BODY"
bench_wait_quiet "kernel latency"
kbusy=$BENCH_BUSY
bench_wrk "$BENCH_WORK/wrk.txt" -c "$CONC" -d "${BENCH_DUR}s" --latency \
	-s "$BENCH_WORK/delay.lua"
bench_nginx_stop
k_rps=$(bench_wrk_rps "$BENCH_WORK/wrk.txt")
k_p50=$(bench_wrk_pct "$BENCH_WORK/wrk.txt" 50)
k_p90=$(bench_wrk_pct "$BENCH_WORK/wrk.txt" 90)
k_p99=$(bench_wrk_pct "$BENCH_WORK/wrk.txt" 99)
rate=$(awk -v r="$k_rps" 'BEGIN { printf "%.0f", r }')
[ "$rate" -gt 0 ] || bench_die "wrk achieved no rate"
bench_log "kernel: $k_rps req/s, p50 $k_p50 us, p99 $k_p99 us"

# ---- the platform's own stalls ------------------------------------------------
hic=${SF_BENCH_HICCUPS_BIN:-$SF_SRCDIR/build/tests/bench/bench_hiccups}
h_srv10='' h_cli10='' h_srv20='' h_cli20=''
if [ -x "$hic" ]; then
	taskset -c "$BENCH_CPU_SRV" "$hic" 5 > "$BENCH_WORK/hiccups-srv.txt" &
	hpid=$!
	taskset -c "$BENCH_CPU_CLI" "$hic" 5 > "$BENCH_WORK/hiccups-cli.txt"
	wait "$hpid"
	# "hiccups: seconds S gt5us N gt10us N gt20us N gt50us N max_us M"
	h_srv10=$(awk '{ print $7 }' "$BENCH_WORK/hiccups-srv.txt")
	h_cli10=$(awk '{ print $7 }' "$BENCH_WORK/hiccups-cli.txt")
	h_srv20=$(awk '{ print $9 }' "$BENCH_WORK/hiccups-srv.txt")
	h_cli20=$(awk '{ print $9 }' "$BENCH_WORK/hiccups-cli.txt")
	bench_log "platform stalls per second, > 10 us / > 20 us: CPU" \
		"$BENCH_CPU_SRV $h_srv10 / $h_srv20, CPU $BENCH_CPU_CLI" \
		"$h_cli10 / $h_cli20"
else
	bench_log "no $hic (ninja -C build): platform stalls not measured"
fi

# ---- synfin at the same rate ---------------------------------------------------
bench_wait_quiet "synfin latency"
sbusy=$BENCH_BUSY
bench_synfin_run latency --app http --port 80 --body-size "$BENCH_BODY" -- \
	--app http --target "$BENCH_IP_SSRV:80" --requests 0 \
	--concurrency "$CONC" --req-rate "$rate"
sshare=${BENCH_SHARE:-null}
j=$BENCH_CLI_JSON
s_rps=$(bench_jq "$j" .requests_per_s)
s_p50=$(bench_jq "$j" .latency.total.p50_us)
s_p90=$(bench_jq "$j" .latency.total.p90_us)
s_p99=$(bench_jq "$j" .latency.total.p99_us)
s_err=$(bench_jq "$j" .counters.errors)
bench_log "synfin: $s_rps req/s, p50 $s_p50 us, p99 $s_p99 us, errors $s_err"

# ---- results ----------------------------------------------------------------------
r99=$(bench_ratio "$s_p99" "$k_p99" 3)
bench_row "requests/s (the fixed load)" "$s_rps" "$k_rps" \
	"$(bench_ratio "$s_rps" "$k_rps" 2)" "-" "-"
bench_row "p50 latency (us)" "$s_p50" "$k_p50" \
	"$(bench_ratio "$s_p50" "$k_p50" 3)" "-" "-"
bench_row "p90 latency (us)" "$s_p90" "$k_p90" \
	"$(bench_ratio "$s_p90" "$k_p90" 3)" "-" "-"
bench_row "p99 latency (us)" "$s_p99" "$k_p99" "$r99" "<= 0.2x kernel" \
	"$(bench_le "$r99" 0.2)"
if [ -n "$h_srv10" ]; then
	bench_row "platform stalls > 10 us per second, server CPU" \
		"$h_srv10" "" "" "-" "-"
	bench_row "platform stalls > 10 us per second, client CPU" \
		"$h_cli10" "" "" "-" "-"
fi
printf 'p50\t%s\t%s\np90\t%s\t%s\np99\t%s\t%s\n' "$s_p50" "$k_p50" \
	"$s_p90" "$k_p90" "$s_p99" "$k_p99" > "$BENCH_WORK/bars.dat"
bench_plot_bars "$BENCH_OUT/latency.png" \
	"HTTP request latency at $rate requests/s, $CONC keep-alive connections" \
	"microseconds (log)" "$BENCH_WORK/bars.dat" log
bench_finish "$(jq -n \
	--argjson rate "$rate" --argjson conc "$CONC" --argjson d "$DELAY" \
	--argjson body "$BENCH_BODY" \
	--argjson s50 "$(bench_num "$s_p50")" --argjson s99 "$(bench_num "$s_p99")" \
	--argjson k50 "$(bench_num "$k_p50")" --argjson k99 "$(bench_num "$k_p99")" \
	--argjson sr "$(bench_num "$s_rps")" --argjson kr "$(bench_num "$k_rps")" \
	--argjson sb "$sbusy" --argjson kb "$kbusy" --argjson ss "$sshare" \
	--argjson hs10 "$(bench_num "$h_srv10")" \
	--argjson hc10 "$(bench_num "$h_cli10")" \
	--argjson hs20 "$(bench_num "$h_srv20")" \
	--argjson hc20 "$(bench_num "$h_cli20")" \
	--slurpfile sj "$j" \
	'{config: {requests_per_s: $rate, connections: $conc,
		   wrk_delay_ms: $d, body_bytes: $body},
	  platform_stalls_per_s: {server_cpu_gt10us: $hs10,
		   client_cpu_gt10us: $hc10, server_cpu_gt20us: $hs20,
		   client_cpu_gt20us: $hc20},
	  synfin: {requests_per_s: $sr, p50_us: $s50, p99_us: $s99,
		   cpu_busy_before_pct: $sb, cpu_share_pct: $ss,
		   client: $sj[0]},
	  kernel: {requests_per_s: $kr, p50_us: $k50, p99_us: $k99,
		   cpu_busy_before_pct: $kb}}')"
