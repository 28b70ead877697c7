#!/bin/bash
# A SYN flood against synfin's HTTP server while the kernel's curl keeps
# making real connections. hping3 in the peer namespace sends SYNs from a
# spoofed address inside the test range (198.18.0.77, every source port),
# bounded in count and time. synfin's half-open budget is 256: past it,
# SYN cookies (RFC 4987) answer and no state is kept. Every legitimate
# connection made during the flood must complete (curl, 200), the half-open
# count must stay within the budget, and the counters must show cookies
# sent and validated. Afterwards the half-open entries time out and no
# connection is left. The flood and legitimate rates go to the log.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=80
BUDGET=256
SPOOF=198.18.0.77
FLOOD_N=${SF_FLOOD_N:-120000}
LEGIT_N=${SF_LEGIT_N:-100}

sf_test_init
command -v hping3 >/dev/null || fail "missing tool: hping3"
sf_synfin_start --mode server --app http --port "$PORT" --body-size 100 \
	--set "tcp.max_syn_backlog=$BUDGET" --set tcp.syncookies=1 \
	--set tcp.syn_retries=2
sf_synfin_wait_ready
# The kernel learns synfin's MAC first, so the flood hits it at once.
sf_peer ping -c 1 -W 2 "$SF_IP_DUT" > /dev/null || fail "no ping reply"

flood_log=$SF_WORKDIR/hping3.log
t0=$(sf_now)
sf_peer_bg "$flood_log" timeout 30 hping3 -q -S -p "$PORT" -a "$SPOOF" \
	-i u10 -c "$FLOOD_N" "$SF_IP_DUT"
flood_pid=$SF_BG_PID
sleep 1		# the budget is spent by now

ok_n=0 bad=0
tl=$(sf_now)
for ((i = 0; i < LEGIT_N; i++)); do
	code=$(sf_peer curl -sS --max-time 5 -o /dev/null -w '%{http_code}' \
		-H 'Connection: close' "http://$SF_IP_DUT:$PORT/" 2>&1) || true
	if [ "$code" = 200 ]; then
		ok_n=$((ok_n + 1))
	else
		bad=$((bad + 1))
		echo "  curl $i: $code"
	fi
	sf_alive "$flood_pid" || break
done
legit_s=$(sf_since "$tl")
flooding=no
sf_alive "$flood_pid" && flooding=yes
sf_snapshot
echo "  during the flood: $(sf_ctr_line snap tcp_rx_segs \
	tcp_syncookies_sent tcp_syncookies_ok tcp_syncookies_failed \
	tcp_drop_syn_backlog tcp_state_SYN_RCVD tcp_state_ESTABLISHED)"
wait "$flood_pid" 2>/dev/null || true
flood_s=$(sf_since "$t0")
sent=$(sf_ctr_snap tcp_syncookies_sent)

tried=$((ok_n + bad))
sf_check_eq "legitimate connections completed during the flood" \
	"$ok_n/$tried" "$tried/$tried"
[ "$ok_n" -ge 10 ] || fail "only $ok_n legitimate connections were tried" \
	"before the flood ended"
[ "$flooding" = yes ] || echo "  note: the flood ended before the last curl"
[ "$(sf_ctr_snap tcp_state_SYN_RCVD)" -le "$BUDGET" ] ||
	fail "half-open connections above the budget of $BUDGET"
ok "half-open connections within the budget ($BUDGET)"
[ "$sent" -gt 0 ] || fail "no SYN cookie sent"
ok "SYN cookies sent: $sent"

# Wait out the half-open entries (syn_retries 2: about 7 s).
for ((j = 0; j < 30; j++)); do
	sleep 1
	sf_snapshot
	[ "$(sf_ctr_snap tcp_state_SYN_RCVD)" = 0 ] && break
done
sf_synfin_stop
sf_check_eq "http_responses (every legitimate request)" \
	"$(sf_ctr http_responses)" "$ok_n"
sf_check_eq "http_errors" "$(sf_ctr http_errors)" 0
sf_check_tcp_states final TIME_WAIT="$(sf_ctr tcp_state_TIME_WAIT)"
rx=$(sf_ctr tcp_rx_segs)
awk -v n="$rx" -v fs="$flood_s" -v ok="$ok_n" -v ls="$legit_s" 'BEGIN {
	printf "  flood: %d TCP segments in %.1f s (%.0f/s); legitimate: %d " \
	"connections in %.1f s (%.1f/s), all completed\n", n, fs, n / fs, ok,
	ls, ok / ls }'
pass "$ok_n legitimate connections through a SYN flood, $sent cookies"
