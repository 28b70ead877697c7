#!/bin/bash
# Connection states seen through synfin's SIGUSR1 snapshots, around a kernel
# client (tcp_peer.py hold) that sends 10 bytes, reads them back and keeps
# the connection open, then half-closes, reads EOF and closes.
#  1. While held: tcp_state_ESTABLISHED 1, every other state 0. After the
#     client's close: no connection left on synfin (the passive closer:
#     CLOSE_WAIT, LAST_ACK, then CLOSED; no TIME_WAIT), and the kernel's
#     socket in TIME-WAIT (it closed first).
#  2. The same with synfin's FIN dropped on its way to the peer (nftables in
#     the peer's namespace): synfin must hold LAST_ACK (tcp_state_LAST_ACK
#     1) and retransmit its FIN; once the drop rule is gone the close
#     completes, and nothing is left.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=7
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"

sf_test_init
command -v nft >/dev/null || fail "missing tool: nft (nftables)"
sf_synfin_start --mode server --app echo --port "$PORT"
sf_synfin_wait_ready

# hold_start N: a held connection; returns when its 10 bytes came back.
hold_start()
{
	hold_log="$SF_WORKDIR/hold$1.log"
	hold_go="$SF_WORKDIR/hold$1.go"
	sf_peer_bg "$hold_log" "$SF_PY" "$PEER_PY" hold "$SF_IP_DUT" "$PORT" \
		"$hold_go" --timeout 30
	hold_pid=$SF_BG_PID
	sf_wait_file_re "$hold_log" '^echoed 10 bytes' 10 "$hold_pid" ||
		fail "connection $1: no echo: $(cat "$hold_log")"
	ok "connection $1: $(head -n1 "$hold_log")"
}

# kernel_sock: the state of the held connection's kernel socket (ss), or
# nothing.
kernel_sock()
{
	local lport
	lport=$(sed -nE 's/.*local port ([0-9]+).*/\1/p' "$hold_log")
	sf_peer ss -tanH 2>/dev/null | awk -v d="$SF_IP_DUT:$PORT" \
		-v l="$SF_IP_PEER:$lport" '$5 == d && $4 == l { print $1 }'
}

# ---- 1. held, then closed by the client ----------------------------------
hold_start 1
sleep 0.3			# the delayed ACK of the echo is out
sf_snapshot
sf_check_tcp_states snap ESTABLISHED=1
ok "kernel side: $(kernel_sock)"
touch "$hold_go"
sf_wait_file_re "$hold_log" '^closed' 10 "$hold_pid" ||
	fail "connection 1: the client did not get EOF: $(cat "$hold_log")"
wait "$hold_pid" || fail "connection 1: client failed: $(cat "$hold_log")"
ok "connection 1: $(grep '^eof' "$hold_log"), closed"
sleep 0.3
sf_snapshot
sf_check_tcp_states snap
[ "$(kernel_sock)" = TIME-WAIT ] ||
	fail "kernel socket: '$(kernel_sock)', expected TIME-WAIT"
ok "kernel side: TIME-WAIT (the active closer holds it, synfin does not)"
sf_check_eq "tcp_conns_closed" "$(sf_ctr_snap tcp_conns_closed)" 1

# ---- 2. synfin's FIN dropped: LAST_ACK held ------------------------------
hold_start 2
sleep 0.3
sf_snapshot
sf_check_tcp_states snap ESTABLISHED=1
rexmit0=$(sf_ctr_snap tcp_retransmits)
rto0=$(sf_ctr_snap tcp_rto_timeouts)
sf_peer nft -f - <<-EOF || fail "cannot load the nftables rule"
	table ip sf_closewait {
		chain input {
			type filter hook input priority 0; policy accept;
			ip saddr $SF_IP_DUT tcp sport $PORT tcp flags & fin == fin counter drop
		}
	}
EOF
ok "peer: nftables drops every FIN from $SF_IP_DUT:$PORT"
touch "$hold_go"
sf_wait_file_re "$hold_log" '^shutdown' 10 "$hold_pid" ||
	fail "connection 2: the client did not shut down: $(cat "$hold_log")"
sleep 1
sf_snapshot
sf_check_tcp_states snap LAST_ACK=1
ok "kernel side while synfin's FIN is dropped: $(kernel_sock)"
dropped=$(sf_peer nft list table ip sf_closewait |
	sed -nE 's/.*counter packets ([0-9]+) .*/\1/p')
sf_peer nft delete table ip sf_closewait ||
	fail "cannot remove the nftables rule"
sf_check_ge "FIN segments from synfin dropped, then the rule removed" \
	"${dropped:-0}" 1
sf_wait_file_re "$hold_log" '^closed' 15 "$hold_pid" ||
	fail "connection 2: no EOF 15 s after the drop rule went:" \
		"$(tr '\n' ' ' < "$hold_log")"
wait "$hold_pid" || fail "connection 2: client failed: $(cat "$hold_log")"
ok "connection 2: $(grep '^eof' "$hold_log"), closed"
sleep 0.3
sf_snapshot
sf_check_tcp_states snap
[ "$(kernel_sock)" = TIME-WAIT ] ||
	fail "kernel socket: '$(kernel_sock)', expected TIME-WAIT"
ok "kernel side: TIME-WAIT"
rexmit=$(($(sf_ctr_snap tcp_retransmits) - rexmit0))
rto=$(($(sf_ctr_snap tcp_rto_timeouts) - rto0))
echo "  connection 2: synfin's tcp_retransmits +$rexmit, tcp_rto_timeouts +$rto"
sf_check_ge "tcp_rto_timeouts during the FIN drop (FIN retransmitted)" \
	"$rto" 1

sf_synfin_stop
echo "  counters: $(sf_ctr_line final tcp_passive_opens tcp_conns_closed \
	tcp_retransmits tcp_rto_timeouts tcp_challenge_acks tcp_drop_seq \
	echo_bytes_rx echo_errors)"
sf_check_eq "tcp_passive_opens" "$(sf_ctr tcp_passive_opens)" 2
sf_check_eq "tcp_conns_closed" "$(sf_ctr tcp_conns_closed)" 2
sf_check_eq "echo_bytes_rx" "$(sf_ctr echo_bytes_rx)" 20
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0
for c in tcp_rto_aborts tcp_rx_rst tcp_tx_rst; do
	sf_check_eq "$c" "$(sf_ctr "$c")" 0
done
pass "ESTABLISHED while held, LAST_ACK while the FIN was lost, then nothing"
