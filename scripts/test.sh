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

echo "== test (full log: $BUILD/meson-logs/testlog.txt)"
# meson ends with "Full log written to ..."; drop that line (said above) so
# that its summary is the last thing printed
rc=0
meson test -C "$BUILD" --no-rebuild --print-errorlogs 2>&1 | awk '
	/^Full log written to / { blank = 0; next }
	/^$/ { blank++; next }
	{ while (blank > 0) { print ""; blank-- } print; fflush() }
' || rc=$?
exit "$rc"
