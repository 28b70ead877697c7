#!/bin/bash
# Build synfin and run every test suite with meson: unit (cmocka, no port)
# and integration (synfin against the Linux kernel in network namespaces;
# these need root and are skipped without it). Exits non-zero on any failure;
# the last lines printed are meson's summary.
#
#   sudo scripts/test.sh            build dir: build (SF_BUILD to change)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SF_BUILD:-build}

# shellcheck source=deps.sh
. scripts/deps.sh

echo "== dependencies"
if [ "$(id -u)" -eq 0 ]; then
	sf_deps_setup
else
	echo "not root: nothing installed; integration tests will be skipped"
fi

echo "== configure ($BUILD)"
if [ -f "$BUILD/build.ninja" ]; then
	meson setup --reconfigure "$BUILD" || meson setup --wipe "$BUILD"
else
	meson setup "$BUILD"
fi

echo "== build"
ninja -C "$BUILD"

# A short fuzz run (issue 6): the libFuzzer targets of tests/fuzz, built
# with clang, ASan and UBSan in a build directory of their own, then run
# for SF_FUZZ_SECONDS each (default 20) as meson's 'fuzz' suite. A crash,
# a sanitizer report or a leak fails the script, after the other tests.
# SF_FUZZ=0 skips it. It comes before the main test run so that meson's
# summary of that run stays the last thing printed.
FUZZ_BUILD=${SF_FUZZ_BUILD:-build-fuzz}
FUZZ_LINES='^fuzz_[a-z]+: |^ *[0-9]+/[0-9]+ .* (OK|FAIL|TIMEOUT|ERROR)|'
FUZZ_LINES+='^---- |^==[0-9]+==|^SUMMARY'
fuzz_stage()
{
	local log="$FUZZ_BUILD.log"

	if [ -f "$FUZZ_BUILD/build.ninja" ]; then
		meson setup --reconfigure "$FUZZ_BUILD" > "$log" 2>&1
	else
		CC=clang meson setup "$FUZZ_BUILD" -Dfuzz=true -Dtests=disabled \
			-Db_sanitize=address,undefined -Db_lundef=false \
			-Dbuildtype=debugoptimized > "$log" 2>&1
	fi || { tail -n 20 "$log"; return 1; }
	ninja -C "$FUZZ_BUILD" tests/fuzz/fuzz_packet tests/fuzz/fuzz_http \
		tests/fuzz/fuzz_cfg >> "$log" 2>&1 ||
		{ tail -n 30 "$log"; return 1; }
	timeout 600 meson test -C "$FUZZ_BUILD" --no-rebuild --suite fuzz -v \
		2>&1 | grep -E "$FUZZ_LINES"
}
# Can clang link a libFuzzer target (libclang-rt-dev)?
fuzz_probe()
{
	local d rc=0
	d=$(mktemp -d)
	echo 'int LLVMFuzzerTestOneInput(const char *d, long n)
		{ (void)d; (void)n; return 0; }' > "$d/p.c"
	clang -fsanitize=fuzzer,address,undefined -o "$d/p" "$d/p.c" \
		> /dev/null 2>&1 || rc=1
	rm -rf "$d"
	return "$rc"
}
fuzz_rc=0
if [ "${SF_FUZZ:-1}" = 0 ]; then
	echo "== fuzz: skipped (SF_FUZZ=0)"
elif ! command -v clang >/dev/null || ! fuzz_probe; then
	echo "== fuzz: skipped, no clang with libFuzzer" \
		"(scripts/deps.sh installs clang and libclang-rt-dev)"
else
	echo "== fuzz ($FUZZ_BUILD, ${SF_FUZZ_SECONDS:-20} s per target)"
	fuzz_stage || fuzz_rc=$?
	if [ "$fuzz_rc" -eq 0 ]; then
		echo "fuzz: nothing found"
	else
		echo "fuzz: FAILED (status $fuzz_rc; see $FUZZ_BUILD.log and" \
			"$FUZZ_BUILD/tests/fuzz/run-*/)"
	fi
fi

echo "== test (full log: $BUILD/meson-logs/testlog.txt)"
# meson ends with "Full log written to ..."; drop that line (said above) so
# that its summary is the last thing printed
rc=0
meson test -C "$BUILD" --no-rebuild --print-errorlogs 2>&1 | awk '
	/^Full log written to / { blank = 0; next }
	/^$/ { blank++; next }
	{ while (blank > 0) { print ""; blank-- } print; fflush() }
' || rc=$?
[ "$rc" -ne 0 ] || rc=$fuzz_rc
exit "$rc"
