#!/bin/bash
# synfin's command line before EAL starts (no root, no port, no
# hugepages: every case here ends before rte_eal_init):
#   - --help and -h exit 0 with the usage line;
#   - one of synfin's options before the "--" that ends EAL's (forgotten
#     "--", issue 25) exits 2 at once with one message that names the
#     option and the form "synfin [EAL options] -- [synfin options]",
#     not EAL's usage;
#   - a bad option or value after "--" exits 2 with synfin's one line,
#     before EAL prints anything.
set -euo pipefail

SYNFIN=${SYNFIN:?set SYNFIN to the synfin binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

for opt in -h --help; do
	rc=0
	timeout 10 "$SYNFIN" "$opt" > "$tmp/out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail "$opt: status $rc"
	grep -q '^Usage: .*\[EAL options\] -- ' "$tmp/out" || fail "$opt: no usage line"
done

# ARGS... : each must be refused for the option named first
for args in "--ip 198.18.0.2/24" "--mode=server" \
	    "-l 0 --app echo -- --mode server" "--config x.ini --"; do
	read -r -a a <<< "$args"
	want=$(printf '%s\n' "${a[@]}" | grep -m1 -E '^--(ip|mode|app|config)')
	rc=0
	timeout 10 "$SYNFIN" "${a[@]}" > "$tmp/out" 2>&1 || rc=$?
	[ "$rc" -eq 2 ] || fail "'$args': status $rc, want 2"
	grep -qF -- "$want is synfin's own option" "$tmp/out" ||
		fail "'$args': no message naming $want: $(head -n 3 "$tmp/out")"
	grep -qF -- "synfin [EAL options] -- [synfin options]" "$tmp/out" ||
		fail "'$args': the form is not shown"
	! grep -q '^EAL' "$tmp/out" || fail "'$args': EAL ran"
	[ "$(wc -l < "$tmp/out")" -le 4 ] ||
		fail "'$args': $(wc -l < "$tmp/out") lines of output"
done

# A bad option or value after "--" is refused before EAL starts: one
# line, no "EAL:" lines first (issue 25).
for args in "-l 0 --no-pci -- --bogus" "-l 0 -- --mode sideways" \
	    "-l 0 -- --set tcp.nope=1"; do
	read -r -a a <<< "$args"
	rc=0
	timeout 10 "$SYNFIN" "${a[@]}" > "$tmp/out" 2>&1 || rc=$?
	[ "$rc" -eq 2 ] || fail "'$args': status $rc, want 2"
	! grep -q '^EAL' "$tmp/out" || fail "'$args': EAL ran first"
	grep -q '^synfin: ' "$tmp/out" ||
		fail "'$args': no synfin message: $(head -n 3 "$tmp/out")"
	[ "$(wc -l < "$tmp/out")" -le 2 ] ||
		fail "'$args': $(wc -l < "$tmp/out") lines of output"
done

if [ "$fails" -ne 0 ]; then
	echo "FAIL: synfin_cmdline: $fails check(s) failed"
	exit 1
fi
echo "PASS: synfin_cmdline: --help, and synfin's options before '--' refused"
