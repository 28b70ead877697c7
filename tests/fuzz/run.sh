#!/bin/bash
# run.sh EXE SEEDS WORK: one short libFuzzer run of EXE for SF_FUZZ_SECONDS
# (default 20) from the seed corpus SEEDS (read only). New inputs go to
# WORK/corpus, a crashing input to WORK/artifacts/, the log to WORK/log.
# Prints one line: runs, seconds, executions per second, corpus size;
# on failure also the end of the log. Status: libFuzzer's (0: nothing
# found).
set -euo pipefail
exe=$1 seeds=$2 work=$3
secs=${SF_FUZZ_SECONDS:-20}
[[ $secs =~ ^[1-9][0-9]{0,4}$ ]] ||
	{ echo "run.sh: SF_FUZZ_SECONDS=$secs: not 1..99999" >&2; exit 2; }
name=$(basename "$exe")
mkdir -p "$work/corpus" "$work/artifacts"
log="$work/log"
rc=0
"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -close_fd_mask=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" \
	> "$log" 2>&1 < /dev/null || rc=$?
runs=$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/p' "$log")
took=$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/p' "$log")
cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 |
	sed -nE 's/.* cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/p') || true
echo "$name: ${runs:-?} runs in ${took:-?} s" \
	"($(( ${runs:-0} / (${took:-0} > 0 ? ${took:-1} : 1) )) exec/s)," \
	"${cov:-no coverage line}, corpus $(find "$work/corpus" -type f | wc -l)" \
	"new + $(find "$seeds" -type f | wc -l) seeds, status $rc"
if [ "$rc" -ne 0 ]; then
	echo "---- end of $log ----"
	tail -n 60 "$log"
	echo "---- artifacts: $(ls "$work/artifacts")"
fi
exit "$rc"
