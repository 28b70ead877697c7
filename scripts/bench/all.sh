#!/bin/bash
# Run every benchmark of scripts/bench/ (issue 7) into one results
# directory and print one markdown summary table.
#
#   scripts/bench/all.sh [BENCH...]     BENCH: cps rps latency throughput
#                                       timewait concurrency (default: all,
#                                       in that order)
#
# Results: SF_BENCH_OUT (build/bench/YYYYmmdd-HHMMSS/): NAME.json, NAME.png
# and logs/NAME/ of each benchmark, summary.md (the table printed at the
# end) and summary.json (every NAME.json in one array). A benchmark that
# fails is reported and the others still run; the exit status is the
# number of failures. An unknown BENCH is refused (status 2) before
# anything runs. Every SF_BENCH_* setting of lib.sh and of the
# benchmarks applies; a whole run takes about 10 minutes with the defaults
# on a quiet machine (each measurement first waits for quiet CPUs).
set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=usage.sh
. "$dir/usage.sh"
all=(cps rps latency throughput timewait concurrency)
case "${1-}" in
-h|--help)
	bench_usage alone "[BENCH...]"
	exit 0 ;;
esac
benches=("$@")
[ "${#benches[@]}" -gt 0 ] || benches=("${all[@]}")
# Every name before anything starts: a typo must not cost a long run.
for b in "${benches[@]}"; do
	case " ${all[*]} " in
	*" $b "*) ;;
	*)	echo "all.sh: unknown argument '$b': a BENCH is one of" \
			"${all[*]} (see $0 --help)" >&2
		exit 2 ;;
	esac
done
SF_SRCDIR=${SF_SRCDIR:-$(cd "$dir/../.." && pwd)}
export SF_SRCDIR
SF_BENCH_OUT=${SF_BENCH_OUT:-$SF_SRCDIR/build/bench/$(date +%Y%m%d-%H%M%S)}
export SF_BENCH_OUT
mkdir -p "$SF_BENCH_OUT" || exit 1
SF_BENCH_OUT=$(cd "$SF_BENCH_OUT" && pwd)

fails=0
failed=()
t0=$SECONDS
for b in "${benches[@]}"; do
	echo "==== $b ($(date +%H:%M:%S)) ===="
	rm -f "$SF_BENCH_OUT/$b.json"
	"$dir/$b.sh" 2>&1 | tee "$SF_BENCH_OUT/$b.out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] || [ ! -s "$SF_BENCH_OUT/$b.json" ]; then
		echo "all: $b failed (status $rc); see $SF_BENCH_OUT/$b.out" >&2
		fails=$((fails + 1))
		failed+=("$b")
	fi
done

# The summary: the rows of every result, one table.
BENCH_NAME=all
# shellcheck source=lib.sh
. "$dir/lib.sh"
jsons=()
for b in "${benches[@]}"; do
	[ -s "$SF_BENCH_OUT/$b.json" ] && jsons+=("$SF_BENCH_OUT/$b.json")
done
{
	echo "## synfin benchmarks, $(date -u +%Y-%m-%d) ($(nproc) CPUs," \
		"$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' \
		/proc/meminfo), $(uname -r))"
	echo
	echo "synfin: DPDK net_memif, one core per side (server CPU" \
		"${SF_BENCH_CORE_SRV:-0}, client CPU ${SF_BENCH_CORE_CLI:-1})." \
		"kernel: nginx (CPU ${SF_BENCH_CORE_SRV:-0}) and wrk" \
		"(CPU ${SF_BENCH_CORE_CLI:-1}) over a veth pair. Ratio:" \
		"synfin / kernel unless the row says otherwise."
	echo
	if [ "${#jsons[@]}" -gt 0 ]; then
		bench_table "${jsons[@]}"
		echo
		echo "How undisturbed each measurement was (synfin: share of"\
			"the two CPUs its pair got, 100 = all; kernel: share"\
			"other work took, 0 = none; tries: runs it took):"
		echo
		jq -r '.bench as $b | .disturbance // {} | to_entries[] |
			"- \($b): \(.key): " + (if .value.share_pct != null
			then "synfin pair \(.value.share_pct)%"
			else "others \(.value.others_pct)%" end) +
			", tries \(.value.tries)"' "${jsons[@]}"
	fi
	[ "$fails" -eq 0 ] || echo "Failed: ${failed[*]}"
} > "$SF_BENCH_OUT/summary.md"
[ "${#jsons[@]}" -gt 0 ] && jq -s . "${jsons[@]}" > "$SF_BENCH_OUT/summary.json"
echo
cat "$SF_BENCH_OUT/summary.md"
echo
echo "all: results in $SF_BENCH_OUT ($((SECONDS - t0)) s)"
exit "$fails"
