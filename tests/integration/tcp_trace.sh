#!/bin/bash
# The connection trace (--trace, log type synfin.trace) against tcpdump on
# the kernel peer's veth, and the state-transition counters:
#   A. the kernel's curl (Connection: close) -> synfin's HTTP server,
#      --trace 'port 80': synfin closes first and holds TIME_WAIT (2MSL =
#      2 s here) until the trace says CLOSED;
#   B. synfin's HTTP client (--requests 1 --count 1) -> the kernel's
#      python3 http.server, --trace 'port 8080': the server closes first;
# each trace must list exactly the textbook steps (handshake 1/3..3/3,
# teardown 1/4..4/4, TIME_WAIT 2MSL=2s and CLOSED for the active closer),
# and its every segment must be tcpdump's, with the same seq/ack
# (tcp_trace_check.py);
#   C. 20 curl connections without a trace: each transition counter of the
#      final block (tcp_trans_<FROM>_to_<TO>) and of telemetry
#      (/synfin/tcp_transitions) is 20 on the six edges of that life, and
#      there is no other, and not one trace line.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CHECK="$SF_SRCDIR/tests/integration/tcp_trace_check.py"
N=20

sf_test_init
command -v curl >/dev/null || fail "missing tool: curl"

# trace_lines: synfin.trace lines in synfin's log
trace_lines()
{
	grep -c '^synfin\.trace: ' "$SF_SYNFIN_LOG" || true
}

# ---- A. kernel curl -> synfin HTTP server ------------------------------------
echo "$SF_NAME: A. curl -> synfin's HTTP server, --trace 'port 80'"
sf_synfin_start --mode server --app http --port 80 --body-size 100 \
	--trace 'port 80' --set tcp.msl_ms=1000
sf_synfin_wait_ready
pcap="$SF_WORKDIR/a.pcap"
sf_tcpdump_start "$SF_NS_PEER" "$SF_IF_PEER" "$pcap" tcp port 80
code=$(sf_peer curl -sS --max-time 10 -H 'Connection: close' \
	-o "$SF_WORKDIR/a.body" -w '%{http_code}' "http://$SF_IP_DUT/") ||
	fail "curl: status $code"
sf_check_eq "curl: status" "$code" 200
sf_check_eq "curl: body bytes" "$(stat -c %s "$SF_WORKDIR/a.body")" 100
sf_log_wait 'TIME_WAIT -> CLOSED \| CLOSED' 10 ||
	fail "no 'TIME_WAIT -> CLOSED' trace line 10 s after the connection"
ok "the trace ends with TIME_WAIT -> CLOSED after 2MSL"
sf_tcpdump_stop
sf_synfin_stop
out=$("$SF_PY" "$CHECK" "$pcap" "$SF_SYNFIN_LOG" "$SF_IP_DUT" 80 2s) &&
	rc=0 || rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "A: the trace does not match the capture:" \
	"$(grep 'FAIL' <<< "$out" | tr '\n' ' ')"
ok "A: $(sed -n 's/^tcp_trace_check: OK: //p' <<< "$out")"
for e in LISTEN_to_SYN_RCVD SYN_RCVD_to_ESTABLISHED \
	 ESTABLISHED_to_FIN_WAIT_1 FIN_WAIT_1_to_FIN_WAIT_2 \
	 FIN_WAIT_2_to_TIME_WAIT TIME_WAIT_to_CLOSED; do
	sf_check_eq "A: tcp_trans_$e" "$(sf_ctr "tcp_trans_$e")" 1
done

# ---- B. synfin HTTP client -> kernel http.server ----------------------------
echo "$SF_NAME: B. synfin's HTTP client -> python3 http.server," \
	"--trace 'port 8080'"
www="$SF_WORKDIR/www"
mkdir -p "$www"
head -c 300 /dev/zero | tr '\0' 'x' > "$www/index.html"
sf_peer_bg "$SF_WORKDIR/httpd.log" "$SF_PY" -m http.server --bind \
	"$SF_IP_PEER" --directory "$www" 8080
httpd=$SF_BG_PID
listening=
for ((i = 0; i < 100; i++)); do
	sf_alive "$httpd" || break
	if sf_peer ss -Hltn "sport = :8080" 2>/dev/null | grep -q .; then
		listening=1
		break
	fi
	sleep 0.1
done
[ -n "$listening" ] || fail "http.server did not listen on :8080:" \
	"$(cat "$SF_WORKDIR/httpd.log")"
ok "python3 http.server on $SF_IP_PEER:8080 (pid $httpd)"
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-a.log"
pcap="$SF_WORKDIR/b.pcap"
sf_tcpdump_start "$SF_NS_PEER" "$SF_IF_PEER" "$pcap" tcp port 8080
sf_synfin_start --mode client --app http --target "$SF_IP_PEER:8080" \
	--requests 1 --count 1 --trace 'port 8080'
sf_synfin_wait_exit 30
sf_check_eq "B: synfin client's exit status" "$SF_SYNFIN_RC" 0
grep -q '^synfin: http client: OK$' "$SF_SYNFIN_LOG" ||
	fail "B: no 'synfin: http client: OK' line"
sf_tcpdump_stop
out=$("$SF_PY" "$CHECK" "$pcap" "$SF_SYNFIN_LOG" "$SF_IP_DUT" 8080 60s) &&
	rc=0 || rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "B: the trace does not match the capture:" \
	"$(grep 'FAIL' <<< "$out" | tr '\n' ' ')"
ok "B: $(sed -n 's/^tcp_trace_check: OK: //p' <<< "$out")"
for e in CLOSED_to_SYN_SENT SYN_SENT_to_ESTABLISHED \
	 ESTABLISHED_to_CLOSE_WAIT CLOSE_WAIT_to_LAST_ACK LAST_ACK_to_CLOSED; do
	sf_check_eq "B: tcp_trans_$e" "$(sf_ctr "tcp_trans_$e")" 1
done
sf_kill "$httpd"

# ---- C. transition counters after N connections, no trace -------------------
echo "$SF_NAME: C. $N curl connections, no trace: transition counters"
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-b.log"
sf_synfin_start --mode server --app http --port 80 --body-size 100 \
	--set tcp.msl_ms=500
sf_synfin_wait_ready
for ((i = 0; i < N; i++)); do
	code=$(sf_peer curl -sS --max-time 10 -H 'Connection: close' \
		-o /dev/null -w '%{http_code}' "http://$SF_IP_DUT/") ||
		fail "curl #$((i + 1)): status $code"
	[ "$code" = 200 ] || fail "curl #$((i + 1)): status $code"
done
ok "$N curl connections, all 200"
sleep 1.5	# 2MSL = 1 s: every TIME_WAIT record is gone
sock="/var/run/dpdk/$SF_SYNFIN_PREFIX/dpdk_telemetry.v2"
out=$("$SF_PY" "$SF_SRCDIR/tests/integration/telemetry.py" "$sock" check \
	/synfin/tcp_transitions '#KEYS>=6' LISTEN_to_SYN_RCVD="$N" \
	SYN_RCVD_to_ESTABLISHED="$N" ESTABLISHED_to_FIN_WAIT_1="$N" \
	FIN_WAIT_1_to_FIN_WAIT_2="$N" FIN_WAIT_2_to_TIME_WAIT="$N" \
	TIME_WAIT_to_CLOSED="$N") || fail "C: telemetry: $out"
ok "C: $out"
sf_synfin_stop
sf_check_tcp_states final
want="LISTEN_to_SYN_RCVD SYN_RCVD_to_ESTABLISHED ESTABLISHED_to_FIN_WAIT_1"
want+=" FIN_WAIT_1_to_FIN_WAIT_2 FIN_WAIT_2_to_TIME_WAIT TIME_WAIT_to_CLOSED"
for e in $want; do
	sf_check_eq "C: tcp_trans_$e" "$(sf_ctr "tcp_trans_$e")" "$N"
done
extra=$(sf_counters_block | awk -v w=" $want " '$1 ~ /^tcp_trans_/ &&
	index(w, " " substr($1, 11) " ") == 0 { printf " %s=%s", $1, $2 }')
[ -z "$extra" ] || fail "C: other transitions counted:$extra"
ok "C: no other transition counted"
sf_check_eq "C: trace lines without --trace" "$(trace_lines)" 0
pass "trace = tcpdump, textbook steps both ways; transitions = $N per edge"
