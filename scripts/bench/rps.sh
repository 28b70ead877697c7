#!/bin/bash
# rps: keep-alive HTTP requests per second: SF_BENCH_CONC connections (64)
# opened once, then GET after GET on each (one outstanding request per
# connection), SF_BENCH_BODY bytes of body (128).
#
#   synfin pair:  synfin client (--requests 0) -> synfin HTTP server,
#                 net_memif, one core each
#   kernel pair:  wrk -t1 -cSF_BENCH_CONC -> nginx, veth, the same two cores
#
# Target (issue 7): synfin >= 30x the kernel pair's requests/s.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"

bench_init
bench_hugepages 1024

# ---- kernel: nginx + wrk ----------------------------------------------------
bench_nginx_start "$BENCH_BODY"
bench_wait_quiet "kernel rps"
kbusy=$BENCH_BUSY
bench_wrk "$BENCH_WORK/wrk.txt" -c "$BENCH_CONC" -d "${BENCH_DUR}s" --latency
bench_nginx_stop
k_rps=$(bench_wrk_rps "$BENCH_WORK/wrk.txt")
k_err=$(bench_wrk_errors "$BENCH_WORK/wrk.txt")
k_p50=$(bench_wrk_pct "$BENCH_WORK/wrk.txt" 50)
k_p99=$(bench_wrk_pct "$BENCH_WORK/wrk.txt" 99)
bench_log "kernel: $k_rps req/s (wrk errors $k_err)"

# ---- synfin: client -> server over memif --------------------------------------
bench_wait_quiet "synfin rps"
sbusy=$BENCH_BUSY
bench_synfin_run rps --app http --port 80 --body-size "$BENCH_BODY" -- \
	--app http --target "$BENCH_IP_SSRV:80" --requests 0 \
	--concurrency "$BENCH_CONC"
sshare=${BENCH_SHARE:-null}
j=$BENCH_CLI_JSON
s_rps=$(bench_jq "$j" .requests_per_s)
s_err=$(bench_jq "$j" .counters.errors)
s_p50=$(bench_jq "$j" .latency.total.p50_us)
s_p99=$(bench_jq "$j" .latency.total.p99_us)
bench_series "$BENCH_CLI_LOG" req/s > "$BENCH_WORK/synfin-rps.dat"
s_med=$(bench_median 1 < "$BENCH_WORK/synfin-rps.dat")
bench_log "synfin: $s_rps req/s (median of seconds $s_med), errors $s_err"

# ---- results ----------------------------------------------------------------------
ratio=$(bench_ratio "$s_rps" "$k_rps" 1)
bench_row "keep-alive requests/s" "$s_rps" "$k_rps" "$ratio" \
	">= 30x kernel" "$(bench_ge "$ratio" 30)"
bench_row "p50 request latency at saturation (us)" "$s_p50" "$k_p50" \
	"$(bench_ratio "$s_p50" "$k_p50" 3)" "-" "-"
bench_row "p99 request latency at saturation (us)" "$s_p99" "$k_p99" \
	"$(bench_ratio "$s_p99" "$k_p99" 3)" "-" "-"
printf 'requests/s\t%s\t%s\n' "$s_rps" "$k_rps" > "$BENCH_WORK/bars.dat"
bench_plot_bars "$BENCH_OUT/rps.png" \
	"Keep-alive HTTP requests/s, $BENCH_CONC connections, 1 core per side (ratio ${ratio}x)" \
	"requests/s (log)" "$BENCH_WORK/bars.dat" log
bench_finish "$(jq -n \
	--argjson sr "$(bench_num "$s_rps")" --argjson kr "$(bench_num "$k_rps")" \
	--argjson se "$(bench_num "$s_err")" --argjson ke "$(bench_num "$k_err")" \
	--argjson sb "$sbusy" --argjson kb "$kbusy" --argjson ss "$sshare" \
	--argjson conc "$BENCH_CONC" --argjson body "$BENCH_BODY" \
	--slurpfile sj "$j" \
	'{config: {concurrency: $conc, body_bytes: $body},
	  synfin: {requests_per_s: $sr, errors: $se,
		   cpu_busy_before_pct: $sb, cpu_share_pct: $ss,
		   client: $sj[0]},
	  kernel: {requests_per_s: $kr, errors: $ke,
		   cpu_busy_before_pct: $kb}}')"
