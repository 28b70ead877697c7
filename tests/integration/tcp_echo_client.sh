#!/bin/bash
# synfin's echo client against a kernel echo server (tcp_peer.py in the
# peer's namespace): 100 MiB of synfin's pattern, every byte verified by
# synfin. It must exit by itself with status 0 and its OK line; its final
# counters must show the connection in TIME_WAIT (synfin is the active
# closer) and nothing else; the kernel server must have echoed all of it
# and been left with no socket in any closing state (synfin's last ACK
# arrived).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=7007
BYTES=$((100 * 1024 * 1024))

sf_test_init
srv_log="$SF_WORKDIR/echo-server.log"
sf_peer_bg "$srv_log" "$SF_PY" "$SF_SRCDIR/tests/integration/tcp_peer.py" \
	echo-server "$SF_IP_PEER" "$PORT"
srv_pid=$SF_BG_PID
sf_wait_file_re "$srv_log" '^listening' 10 "$srv_pid" ||
	fail "kernel echo server did not start: $(cat "$srv_log")"
ok "kernel echo server on $SF_IP_PEER:$PORT (pid $srv_pid)"

# A target port 0 cannot reach (off its /24, no gateway) is refused at
# start-up, with the way out; before, such a run failed connects for ever.
off=198.19.5.5
t0=$(sf_now)
sf_synfin_start --mode client --app echo --target "$off" --port "$PORT" \
	--count 1
sf_synfin_wait_exit 20
el=$(sf_since "$t0")
[ "$SF_SYNFIN_RC" -eq 1 ] || [ "$SF_SYNFIN_RC" -eq 2 ] ||
	fail "off-prefix target: exit status $SF_SYNFIN_RC after ${el}s"
msg=$(grep -m1 "target $off is off port 0's prefix" "$SF_SYNFIN_LOG") ||
	fail "off-prefix target: no clear message: $(tail -n 3 \
		"$SF_SYNFIN_LOG")"
ok "off-prefix target refused in ${el}s, status $SF_SYNFIN_RC: ${msg#*: }"
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-offprefix.log"

t0=$(sf_now)
sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
	--port "$PORT" --bytes "$BYTES"
sf_synfin_wait_exit 60		# about 5 s on a 2-core VM
el=$(sf_since "$t0")
verdict=$(grep -m1 '^synfin: echo client: sent' "$SF_SYNFIN_LOG") ||
	fail "no 'synfin: echo client:' line (exit status $SF_SYNFIN_RC)"
echo "  $verdict"
sf_check_eq "synfin's exit status (after ${el}s)" "$SF_SYNFIN_RC" 0
want="sent $BYTES received $BYTES verified $BYTES bytes, 0 errors"
grep -Eq "$want: OK$" <<< "$verdict" ||
	fail "not the OK line for $BYTES bytes: $verdict"
ok "OK line: $BYTES bytes sent, received and verified, normal close"
grep -q '^synfin: final counters' "$SF_SYNFIN_LOG" ||
	fail "no final counters at the client's exit"

echo "  counters: $(sf_ctr_line final tcp_active_opens tcp_conns_closed \
	tcp_rx_segs tcp_tx_segs tcp_retransmits tcp_rto_timeouts \
	tcp_ooo_queued echo_bytes_tx echo_bytes_rx echo_errors)"
sf_check_eq "tcp_active_opens" "$(sf_ctr tcp_active_opens)" 1
sf_check_eq "echo_bytes_tx" "$(sf_ctr echo_bytes_tx)" "$BYTES"
sf_check_eq "echo_bytes_rx" "$(sf_ctr echo_bytes_rx)" "$BYTES"
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0
sf_check_tcp_states final TIME_WAIT=1
for c in tcp_attempt_fails tcp_estab_resets tcp_rx_rst tcp_tx_rst \
	 tcp_rto_aborts tcp_drop_csum tx_drop_full mbuf_alloc_fail; do
	sf_check_eq "$c" "$(sf_ctr "$c")" 0
done

# the kernel side: the whole stream echoed, then a clean close
sf_wait_file_re "$srv_log" '^conn ' 5 ||
	fail "the kernel echo server did not finish its connection"
conn=$(grep -m1 '^conn ' "$srv_log")
echo "  kernel echo server: $conn"
grep -q " echoed $BYTES bytes, eof$" <<< "$conn" ||
	fail "kernel echo server: $conn (expected $BYTES bytes, eof)"
ok "kernel echo server echoed $BYTES bytes and saw synfin's FIN"
sleep 0.3
left=$(sf_peer ss -tan 2>/dev/null |
	awk -v p=":$PORT" 'NR > 1 && $1 != "LISTEN" && $4 ~ p"$"')
[ -z "$left" ] ||
	fail "kernel sockets left after synfin's exit:"$'\n'"$left"
ok "no kernel socket left on port $PORT (synfin's last ACK arrived)"
# By default the final counters are the ones that are not 0, after the
# client's verdict and summary (issue 25: 130 lines, mostly zeros, came
# before the verdict).
t0=$(sf_now)
sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
	--port "$PORT" --bytes 1048576 --set general.counters=nonzero
sf_synfin_wait_exit 60
sf_check_eq "short run's exit status (after $(sf_since "$t0")s)" \
	"$SF_SYNFIN_RC" 0
awk '
	/^synfin: echo client: sent/ { v = NR }
	/^synfin: final counters$/ { f = NR; inb = 1; next }
	inb && /^  [A-Za-z0-9_]+ +[0-9]+$/ { n++; if ($2 == 0) z++; next }
	inb { inb = 0 }
	/^synfin: counters at 0 left out/ { note = 1 }
	END { exit !(v && f && v < f && n > 10 && z == 0 && note) }
' "$SF_SYNFIN_LOG" || fail "default counters: not the verdict first, then" \
	"the non-zero counters and the note: $(grep -A5 '^synfin: final' \
	"$SF_SYNFIN_LOG" | head -n 6)"
ok "default final counters: after the verdict, $(sf_counters_block | wc -l)" \
	"lines, none 0, and how to list every one"

pass "$BYTES bytes echoed and verified in ${el}s, TIME_WAIT held at exit"
