#!/bin/bash
# Connection table micro-benchmark: lib/tcp/tcp_table.c against the
# rte_hash table it replaced, in the same run (tests/bench/bench_tcp_table.c
# says what each number is). Prints the table with ratios and writes it,
# with the raw lines, under the results directory.
#
# Environment (all optional):
#   SF_BENCH_TABLE_N      sizes, entries (1048576 4194304)
#   SF_BENCH_TABLE_ROUNDS rounds per size; each metric keeps its best (3)
#   SF_BENCH_CORE_SRV     CPU to pin to (0)
#   SF_BENCH_OUT          results directory (build/bench/YYYYmmdd-HHMMSS)
#   SF_EAL_MEM            EAL memory arguments; by default 2 MiB hugepages
#                         when enough are free (the tables are large and
#                         random access on 4 KiB pages measures the TLB),
#                         otherwise --no-huge
set -euo pipefail
# shellcheck source=usage.sh
. "$(dirname "$0")/usage.sh"
bench_cmdline alone "$@"

SF_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${BENCH_TABLE_BIN:-$SF_SRCDIR/build/tests/bench/bench_tcp_table}
SIZES=${SF_BENCH_TABLE_N:-1048576 4194304}
ROUNDS=${SF_BENCH_TABLE_ROUNDS:-3}
CPU=${SF_BENCH_CORE_SRV:-0}
OUT=${SF_BENCH_OUT:-$SF_SRCDIR/build/bench/$(date +%Y%m%d-%H%M%S)}

if [ ! -x "$BIN" ]; then
	echo "table.sh: $BIN not built (ninja -C build)" >&2
	exit 1
fi

# The largest size, both tables at once at worst: the old one takes about
# 110 B per entry with its defer queue; leave 64 MiB for the rest.
max=0
for n in $SIZES; do
	[ "$n" -gt "$max" ] && max=$n
done
need_mb=$(( max * 128 / 1048576 + 64 ))
huge_free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages \
	2>/dev/null || echo 0)
if [ -z "${SF_EAL_MEM:-}" ]; then
	# Leave the 128 pages other synfin runs need to use hugepages too
	# (scripts/deps.sh SF_HUGEPAGES_MIN); no -m: pages come and go with
	# each table.
	if [ "$(id -u)" -eq 0 ] &&
	   [ $(( huge_free * 2 )) -ge $(( need_mb + 256 )) ] &&
	   grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
		SF_EAL_MEM="--huge-dir /dev/hugepages --huge-unlink"
	else
		SF_EAL_MEM="--no-huge -m $(( need_mb + 256 ))"
	fi
fi

mkdir -p "$OUT"
echo "table.sh: sizes $SIZES, $ROUNDS rounds, CPU $CPU, EAL $SF_EAL_MEM"
# shellcheck disable=SC2086 # SF_EAL_MEM and SIZES are word lists
taskset -c "$CPU" "$BIN" $SF_EAL_MEM --no-shconf --no-pci \
	--no-telemetry --file-prefix "sfbt$$" -l 0 --log-level '*:warning' -- \
	-r "$ROUNDS" $SIZES | tee "$OUT/table.txt"
# EAL makes its runtime directory even with --no-shconf
rm -rf "/var/run/dpdk/sfbt$$"
echo "table.sh: results in $OUT/table.txt"
