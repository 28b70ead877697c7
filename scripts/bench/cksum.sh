#!/bin/bash
# Checksum micro-benchmark: DPDK's rte_raw_cksum, synfin's scalar loop and
# its AVX2 loop (lib/net/cksum_avx2.c), on the same bytes in the same run
# (tests/bench/bench_cksum.c says what each number is). Prints the table
# with ratios and writes it, with the raw lines, under the results
# directory.
#
# Environment (all optional):
#   SF_BENCH_CKSUM_LEN    lengths in bytes (64 256 1460 9000)
#   SF_BENCH_CKSUM_ROUNDS rounds; each figure keeps its best (3)
#   SF_BENCH_CORE_SRV     CPU to pin to (0)
#   SF_BENCH_OUT          results directory (build/bench/YYYYmmdd-HHMMSS)
set -euo pipefail
# shellcheck source=usage.sh
. "$(dirname "$0")/usage.sh"
bench_cmdline alone "$@"

SF_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${BENCH_CKSUM_BIN:-$SF_SRCDIR/build/tests/bench/bench_cksum}
LENS=${SF_BENCH_CKSUM_LEN:-64 256 1460 9000}
ROUNDS=${SF_BENCH_CKSUM_ROUNDS:-3}
CPU=${SF_BENCH_CORE_SRV:-0}
OUT=${SF_BENCH_OUT:-$SF_SRCDIR/build/bench/$(date +%Y%m%d-%H%M%S)}

if [ ! -x "$BIN" ]; then
	echo "cksum.sh: $BIN not built (ninja -C build)" >&2
	exit 1
fi
mkdir -p "$OUT"
echo "cksum.sh: lengths $LENS, $ROUNDS rounds, CPU $CPU"
# shellcheck disable=SC2086 # LENS is a word list
taskset -c "$CPU" "$BIN" -r "$ROUNDS" $LENS | tee "$OUT/cksum.txt"
echo "cksum.sh: results in $OUT/cksum.txt"
