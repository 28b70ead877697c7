#!/bin/bash
# callgrind: the instructions synfin's engine executes per short HTTP
# connection on the server, counted by valgrind's callgrind: a count that
# does not move with the machine's noise, to profile the hot path and to
# compare two builds.
#
#   synfin client (native, --requests 1, SF_BENCH_CG_RATE connections a
#   second, SF_BENCH_CG_COUNT in all, 64 at once) -> synfin HTTP server
#   under callgrind (--no-huge), net_memif, the cps bench's settings
#
# Only the engine's work is counted (callgrind --toggle-collect): every
# received frame from sf_eth_input() on (IPv4, TCP input, the HTTP app,
# the segments it sends, up to their place in the TX buffer), each TIME_WAIT
# record's expiry and each TCB timer. The poll loop, the driver (memif's
# copies) and idle polls are left out: under valgrind the server is slow
# and idles between frames by an amount that follows the client, not the
# code. Divided by the connections the server accepted, the count repeats
# to within about 0.2% from run to run (6,991 and 7,004 in two runs).
#
# There is no kernel column: valgrind sees user space only, and the
# kernel pair's TCP runs in the kernel. cps.sh measures the speed against
# the kernel; this script says where synfin's instructions go.
#
# Environment (all optional):
#   SF_BENCH_CG_BASE    a second synfin executable (e.g. a build of the
#                       parent commit): measured the same way, and the
#                       table gives SYNFIN / SF_BENCH_CG_BASE
#   SF_BENCH_CG_COUNT   connections per run (10000)
#   SF_BENCH_CG_RATE    connections per second the client offers (1000)
#   SF_BENCH_CG_TOP     functions listed (15)
#
# Writes callgrind.json, callgrind.png (instructions per connection of
# the top functions) and the callgrind profiles (logs/callgrind/) for
# callgrind_annotate.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
bench_cmdline shared "$@"

BASE=${SF_BENCH_CG_BASE:-}
COUNT=${SF_BENCH_CG_COUNT:-10000}
RATE=${SF_BENCH_CG_RATE:-1000}
TOP=${SF_BENCH_CG_TOP:-15}
# The engine's entry points whose work callgrind counts.
CG_TOGGLES=(sf_eth_input tcp_timewait_release tcp_timer_cb)

command -v valgrind > /dev/null && command -v callgrind_annotate > /dev/null ||
	bench_die "missing valgrind (apt-get install valgrind)"
[ -z "$BASE" ] || [ -x "$BASE" ] || bench_die "SF_BENCH_CG_BASE: no $BASE"
bench_init
bench_hugepages 512

# cg_run NAME EXE: one measured run. Sets CG_N (connections the server
# accepted) and CG_IR (instructions counted).
cg_run()
{
	local name=$1 exe=$2 wrap="$BENCH_WORK/$1-valgrind.sh" t
	local out="$BENCH_WORK/$1.callgrind" slog="$BENCH_WORK/$1-server.log"
	local clog="$BENCH_WORK/$1-client.log" toggles=()

	for t in "${CG_TOGGLES[@]}"; do
		toggles+=("--toggle-collect=$t")
	done
	# bench_dpdk_start runs BENCH_PROG with synfin's arguments.
	printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s %s %s "$@"\n' \
		"$out" "${toggles[*]}" "$exe" > "$wrap"
	chmod +x "$wrap"
	bench_log "$name: the server under callgrind, $COUNT connections at" \
		"$RATE a second"
	BENCH_PROG=$wrap SF_EAL_MEM="--no-huge -m 1024" \
		bench_synfin_srv "$slog" --stats-interval 0 --app http \
		--port 80 --body-size "$BENCH_BODY" \
		--set tcp.msl_ms=1000 --set tcp.max_conns=8192 \
		--set tcp.max_syn_backlog=8192 --set tcp.max_timewait=65536
	# The client leaves last (--exit-wait): a memif peer leaving can
	# crash a process that polls (lib.sh), and the server must end by
	# itself for callgrind to write its profile.
	bench_synfin_cli "$clog" --app http \
		--target "$BENCH_IP_SSRV:80" --requests 1 --concurrency 64 \
		--source 198.18.1.16-198.18.1.31 --count "$COUNT" \
		--rate "$RATE" --exit-wait 60000
	bench_wait_re "$clog" '^synfin: waiting up to' \
		$((COUNT / RATE + 120)) "$BENCH_CLI_PID" ||
		bench_die "$name: the client did not finish; see $clog"
	kill -TERM "$BENCH_SRV_PID"
	wait "$BENCH_SRV_PID" || bench_die "$name: the server failed; see $slog"
	wait "$BENCH_CLI_PID" || true
	grep -q '^synfin: http client: OK' "$clog" ||
		bench_log "$name: the client reports errors (see $clog);" \
			"instructions are per connection the server accepted"
	mkdir -p "$BENCH_OUT/logs/callgrind"
	cp "$out" "$slog" "$clog" "$BENCH_OUT/logs/callgrind/"
	CG_N=$(awk '$1 == "tcp_passive_opens" { v = $2 } END { print v + 0 }' \
		"$slog")
	[ "$CG_N" -gt 0 ] || bench_die "$name: the server accepted nothing"
	[ -s "$out" ] || bench_die "$name: no callgrind profile ($out)"
	CG_IR=$(callgrind_annotate "$out" 2> /dev/null |
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	bench_log "$name: $CG_N connections, $CG_IR instructions:" \
		"$((CG_IR / CG_N)) per connection"
}

# cg_top NAME CONNS: the top functions by their own instructions per
# connection, "function<TAB>per connection" lines.
cg_top()
{
	callgrind_annotate "$BENCH_WORK/$1.callgrind" 2> /dev/null |
		awk -v n="$2" -v top="$TOP" '
			/^ *[0-9,]+ \(/ && !/PROGRAM TOTALS/ {
				ir = $1; gsub(",", "", ir)
				# "1,234 ( 5.67%)  file:function [object]"
				f = $0; sub(/^[^)]*\) +/, "", f)
				sub(/ .*/, "", f); sub(/^[^:]*:/, "", f)
				printf "%s\t%.0f\n", f, ir / n
				if (++k == top) exit
			}'
}

# cg_plot PNG TOTAL: a bar chart of top.tsv.
cg_plot()
{
	gnuplot << EOF || bench_log "gnuplot failed for $1"
set terminal pngcairo size 900,520 font "sans,10" noenhanced
set output "$1"
set title "synfin server: instructions per short HTTP connection ($2 in all), top functions"
set ylabel "instructions per connection (the function's own)"
set style fill solid 0.85 border -1
set boxwidth 0.8
set grid ytics
set yrange [0:*]
set xtics rotate by -40 nomirror
set datafile separator "\t"
plot "$BENCH_WORK/top.tsv" using 0:2:xtic(1) with boxes notitle lc rgb "#1f77b4", \
     "" using 0:2:(sprintf("%d", \$2)) with labels offset 0,0.7 notitle
EOF
	BENCH_PNG=$1
}

cg_run synfin "$BENCH_BIN"
per_new=$((CG_IR / CG_N))
n_new=$CG_N
bench_row "engine instructions per connection, server (callgrind)" \
	"$per_new" "" "" "-" "-"
if [ -n "$BASE" ]; then
	cp "$BASE" "$BENCH_WORK/synfin-base"
	cg_run base "$BENCH_WORK/synfin-base"
	per_base=$((CG_IR / CG_N))
	bench_row "the same, SF_BENCH_CG_BASE ($BASE)" "$per_base" "" "" \
		"-" "-"
	bench_row "this build / SF_BENCH_CG_BASE" "" "" \
		"$(bench_ratio "$per_new" "$per_base" 4)" "-" "-"
fi

cg_top synfin "$n_new" > "$BENCH_WORK/top.tsv"
bench_log "server, top functions (their own instructions per connection):"
awk -F'\t' '{ printf "  %7d  %s\n", $2, $1 }' "$BENCH_WORK/top.tsv" >&2
cg_plot "$BENCH_OUT/callgrind.png" "$per_new"
bench_finish "$(jq -n --argjson top "$(jq -R -s 'split("\n") |
	map(select(length > 0) | split("\t") |
	{function: .[0], per_conn: (.[1] | tonumber)})' \
	"$BENCH_WORK/top.tsv")" --argjson count "$COUNT" \
	--argjson rate "$RATE" '{top: $top, count: $count, rate: $rate}')"
