#!/bin/bash
# The benchmarks' command line (scripts/bench/usage.sh). Their settings are
# environment variables, so a user who types an option must not get a
# 2 to 10 minute run that ignored it. For every script under scripts/bench:
#   - -h and --help exit 0 and print the usage line and the script's own
#     header comment (its first line);
#   - an unknown argument exits 2, names the argument, and starts nothing:
#     no results directory appears under SF_BENCH_OUT, and it returns in
#     seconds.
# The scripts built on lib.sh also print lib.sh's shared settings.
set -euo pipefail

src=${SF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bench=$src/scripts/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

n=0
for f in "$bench"/*.sh; do
	name=$(basename "$f" .sh)
	case "$name" in lib|usage) continue ;; esac
	n=$((n + 1))
	before=$fails
	first=$(sed -n '2s/^# \{0,1\}//p' "$f")
	for opt in -h --help; do
		rc=0
		SF_BENCH_OUT=$tmp/out timeout 20 "$f" "$opt" > "$tmp/help" \
			2>&1 || rc=$?
		[ "$rc" -eq 0 ] || fail "$name $opt: status $rc"
		head -n 1 "$tmp/help" | grep -q "^usage: .*$name.sh \[-h|--help\]" ||
			fail "$name $opt: no usage line"
		grep -qF -- "$first" "$tmp/help" ||
			fail "$name $opt: its header ('$first') is not shown"
		# shellcheck disable=SC2016 # the literal source line
		if grep -q '^\. "$(dirname "$0")/lib.sh"' "$f"; then
			grep -q "SF_BENCH_DURATION" "$tmp/help" ||
				fail "$name $opt: lib.sh's settings are not shown"
		fi
	done
	for arg in --bogus 7; do
		rc=0
		SF_BENCH_OUT=$tmp/out timeout 20 "$f" "$arg" > "$tmp/bad" \
			2>&1 || rc=$?
		[ "$rc" -eq 2 ] || fail "$name $arg: status $rc, not 2"
		grep -qF "unknown argument '$arg'" "$tmp/bad" ||
			fail "$name $arg: the error does not name it"
		[ ! -e "$tmp/out" ] ||
			fail "$name $arg: a run started ($tmp/out exists)"
		rm -rf "$tmp/out"
	done
	[ "$fails" -ne "$before" ] ||
		echo "ok: $name.sh: -h and --help, unknown arguments refused"
done
[ "$n" -ge 8 ] || fail "only $n benchmark scripts found in $bench"
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS: $n benchmark scripts"
