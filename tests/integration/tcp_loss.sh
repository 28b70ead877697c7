#!/bin/bash
# TCP through loss and duplication: the kernel peer reaches synfin through a
# router namespace (sf_topo_mid_up) whose nftables forward chain drops 5 %
# of the TCP packets it forwards, each way (numgen random), and duplicates
# 5 % of the survivors, each way ("dup to" the packet's own next hop: the
# copy goes out of the same veth as the original).
#  1. kernel client -> synfin's echo server: LOSS_SERVER_MIB (default 100)
#     MiB of random data with nc -N; the echo must be byte-identical (SHA-256).
#  2. synfin's echo client -> kernel echo server (tcp_peer.py): LOSS_CLIENT_MIB
#     (default 100) MiB, verified by synfin: exit status 0 and its OK line.
#  3. kernel curl <- synfin's HTTP server: 8 keep-alive GETs of a 1 MiB body
#     (sent from pinned references), each byte-identical (SHA-256).
# Limits: LOSS_SERVER_TIMEOUT and LOSS_CLIENT_TIMEOUT (200 s each); a part
# that fails is reported and the other still runs. LOSS_CC sets synfin's
# tcp.cc (default: its own default); meson runs it again as tcp_loss_bbr.
# Printed: the nftables counters (forwarded, dropped, duplicated, each way)
# and synfin's retransmission counters.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT_SYNFIN=7
PORT_KERNEL=7007
# 100 MiB each way by default (about 50 s each on a 2-core VM, where the
# kernel pair needs 1.4 s); LOSS_SERVER_MIB / LOSS_CLIENT_MIB change it.
BIG=$((${LOSS_SERVER_MIB:-100} * 1024 * 1024))
CLIENT_BYTES=$((${LOSS_CLIENT_MIB:-100} * 1024 * 1024))
# The Linux kernel moves the 100 MiB through this middle, both ends kernel,
# in about 1.5 s; synfin in about 50 s: the limits leave room for a slow VM.
SERVER_TIMEOUT=${LOSS_SERVER_TIMEOUT:-200}
CLIENT_TIMEOUT=${LOSS_CLIENT_TIMEOUT:-200}
DROP_PCT=5
DUP_PCT=5
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"
CC_ARGS=()
[ -z "${LOSS_CC:-}" ] || CC_ARGS=(--set "tcp.cc=$LOSS_CC")

sf_test_init
command -v nft >/dev/null || fail "missing tool: nft (nftables)"
command -v nc >/dev/null || fail "missing tool: nc (netcat-openbsd)"
sf_topo_mid_up

# nft_load: (re)load the fault table in the middle, counters at 0. Every
# rule is named by its comment: fwd (all TCP forwarded), drop, dup; "in"
# is toward synfin, "out" toward the kernel peer.
nft_load()
{
	sf_mid nft delete table ip sf_loss 2>/dev/null || true
	sf_mid nft -f - <<-EOF || fail "cannot load the nftables rules"
	table ip sf_loss {
		chain forward {
			type filter hook forward priority 0; policy accept;
			iifname "$SF_IF_MID_PEER" meta l4proto tcp counter comment "fwd-in"
			iifname "$SF_IF_MID_DUT" meta l4proto tcp counter comment "fwd-out"
			iifname "$SF_IF_MID_PEER" meta l4proto tcp numgen random mod 100 < $DROP_PCT counter drop comment "drop-in"
			iifname "$SF_IF_MID_DUT" meta l4proto tcp numgen random mod 100 < $DROP_PCT counter drop comment "drop-out"
			iifname "$SF_IF_MID_PEER" meta l4proto tcp numgen random mod 100 < $DUP_PCT counter dup to $SF_IP_DUT device "$SF_IF_MID_DUT" comment "dup-in"
			iifname "$SF_IF_MID_DUT" meta l4proto tcp numgen random mod 100 < $DUP_PCT counter dup to $SF_IP_PEER device "$SF_IF_MID_PEER" comment "dup-out"
		}
	}
	EOF
}

# nft_counts: "fwd-in=N drop-in=N dup-in=N fwd-out=N ..." (packets).
nft_counts()
{
	sf_mid nft list table ip sf_loss | sed -nE \
		's/.*counter packets ([0-9]+) bytes [0-9]+.*comment "([a-z-]+)".*/\2=\1/p' |
		sort | tr '\n' ' '
}

# nft_report LABEL: print the counters; each rule must have fired. Sets
# NFT_TO_SYNFIN: the TCP segments that left the middle toward synfin
# (forwarded - dropped + duplicated).
nft_report()
{
	local c kv
	declare -A n=()
	c=$(nft_counts)
	echo "  nftables ($1): $c"
	for kv in $c; do
		n[${kv%%=*}]=${kv#*=}
		[ "${kv#*=}" -gt 0 ] || fail "nftables rule ${kv%%=*} never fired"
	done
	ok "$1: every drop and dup rule fired, both ways"
	NFT_TO_SYNFIN=$((n[fwd-in] - n[drop-in] + n[dup-in]))
}

# rx_report: synfin's tcp_rx_segs against what the middle sent it (equal
# unless af_packet lost some: then it is a hint, not a failure).
rx_report()
{
	local rx
	rx=$(sf_ctr tcp_rx_segs)
	echo "  synfin received $rx TCP segments; the middle sent it" \
		"$NFT_TO_SYNFIN (forwarded - dropped + duplicated)"
}

# A part that fails is reported and the next part still runs; the test
# fails at the end if any did.
errors=()
part_fail()
{
	echo "FAIL (part): $*" >&2
	errors+=("$*")
}

# ---- 1. kernel client -> synfin's echo server ----------------------------
echo "$SF_NAME: 1. kernel client -> synfin echo server, $BIG bytes"
nft_load
sf_synfin_start --mode server --app echo --port "$PORT_SYNFIN" \
	--gateway "$SF_IP_MID_DUT" "${CC_ARGS[@]}"
sf_synfin_wait_ready
in="$SF_WORKDIR/big.in"
out="$SF_WORKDIR/big.out"
head -c "$BIG" /dev/urandom > "$in"
sf_peer_xfer "$in" "$out" 30 "$SERVER_TIMEOUT" nc -N "$SF_IP_DUT" \
	"$PORT_SYNFIN"
got=$(stat -c %s "$out" 2>/dev/null || echo 0)
rate=$(awk -v b="$got" -v s="$SF_XFER_S" \
	'BEGIN { printf "%.2f", b / (s > 0 ? s : 1) / 1e6 }')
if [ "$SF_XFER" != exit ] || [ "$SF_XFER_RC" -ne 0 ]; then
	part_fail "1: nc: $SF_XFER, status $SF_XFER_RC after" \
		"${SF_XFER_S}s (limit ${SERVER_TIMEOUT}s), $got of $BIG" \
		"bytes echoed back ($rate MB/s)"
else
	hi=$(sha256sum < "$in" | cut -c1-64)
	ho=$(sha256sum < "$out" | cut -c1-64)
	if [ "$hi" = "$ho" ]; then
		ok "$((BIG / 1048576)) MiB echoed intact through loss and" \
			"duplication in ${SF_XFER_S}s, $rate MB/s" \
			"(SHA-256 ${hi:0:16}...)"
	else
		part_fail "1: sent $BIG bytes, received $got, SHA-256" \
			"${hi:0:16}... != ${ho:0:16}... (first difference:" \
			"$(cmp "$in" "$out" 2>&1 | head -n1))"
	fi
fi
rm -f "$in" "$out"
nft_report "part 1"
# nc exits on synfin's FIN; the kernel's ACK of it may be dropped, leaving
# synfin in LAST_ACK until its FIN is resent (an RTO later).
[ ${#errors[@]} -ne 0 ] || sf_wait_tcp_states 10 ||
	echo "  TCP states not all 0 after 10 s (checked below)"
sf_synfin_stop
echo "  synfin: $(sf_ctr_line final tcp_rx_segs tcp_tx_segs \
	tcp_retransmits tcp_rto_timeouts tcp_fast_recoveries tcp_rexmit_lost \
	tcp_sack_rexmit_skips tcp_ooo_queued tcp_drop_ooo_full \
	tcp_ext_pool_empty \
	tcp_drop_seq tcp_drop_paws echo_bytes_rx echo_bytes_tx echo_errors)"
rx_report
if [ ${#errors[@]} -eq 0 ]; then
	sf_check_ge "tcp_retransmits (synfin's echo stream lost packets)" \
		"$(sf_ctr tcp_retransmits)" 1
	sf_check_eq "echo_bytes_tx" "$(sf_ctr echo_bytes_tx)" "$BIG"
	sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0
	sf_check_tcp_states final
fi

# ---- 2. synfin's echo client -> kernel echo server -----------------------
echo "$SF_NAME: 2. synfin echo client -> kernel echo server," \
	"$CLIENT_BYTES bytes"
nft_load
srv_log="$SF_WORKDIR/echo-server.log"
sf_peer_bg "$srv_log" "$SF_PY" "$PEER_PY" echo-server "$SF_IP_PEER" \
	"$PORT_KERNEL"
sf_wait_file_re "$srv_log" '^listening' 10 "$SF_BG_PID" ||
	fail "kernel echo server did not start: $(cat "$srv_log")"
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-server.log"
t0=$(sf_now)
sf_synfin_start --mode client --app echo --target "$SF_IP_PEER" \
	--port "$PORT_KERNEL" --bytes "$CLIENT_BYTES" \
	--gateway "$SF_IP_MID_DUT" "${CC_ARGS[@]}"
# as sf_synfin_wait_exit, but a late client is a part failure
end=$((SECONDS + CLIENT_TIMEOUT))
while [ "$SECONDS" -lt "$end" ] && sf_alive "$SF_SYNFIN_PID"; do
	sleep 0.2
done
el=$(sf_since "$t0")
if sf_alive "$SF_SYNFIN_PID"; then
	sf_diag_tcp "synfin's echo client still running after ${el}s"
	sf_kill "$SF_SYNFIN_PID" 10
	wait "$SF_SYNFIN_PID" 2>/dev/null || true
	part_fail "2: synfin's echo client not done after ${el}s (limit" \
		"${CLIENT_TIMEOUT}s): $(sed -n \
		's/^  echo_bytes_rx *\([0-9]*\)$/\1/p' "$SF_SYNFIN_LOG" |
		tail -n1) of $CLIENT_BYTES bytes echoed back"
else
	SF_SYNFIN_RC=0
	wait "$SF_SYNFIN_PID" || SF_SYNFIN_RC=$?
	verdict=$(grep -m1 '^synfin: echo client: sent' "$SF_SYNFIN_LOG") || true
	echo "  ${verdict:-no 'synfin: echo client:' line}"
	if [ "$SF_SYNFIN_RC" -ne 0 ] || ! grep -Eq \
	   "verified $CLIENT_BYTES bytes, 0 errors: OK$" \
	   <<< "$verdict"; then
		part_fail "2: echo client exit status $SF_SYNFIN_RC after" \
			"${el}s, not the OK line for $CLIENT_BYTES bytes"
	else
		ok "$CLIENT_BYTES bytes verified by synfin's client through" \
			"loss and duplication in ${el}s, $(awk -v b="$CLIENT_BYTES" \
			-v s="$el" 'BEGIN { printf "%.2f", b / s / 1e6 }') MB/s"
		sf_check_ge "tcp_retransmits" "$(sf_ctr tcp_retransmits)" 1
		sf_check_tcp_states final TIME_WAIT=1
	fi
fi
nft_report "part 2"
echo "  synfin: $(sf_ctr_line final tcp_rx_segs tcp_tx_segs \
	tcp_retransmits tcp_rto_timeouts tcp_fast_recoveries tcp_rexmit_lost \
	tcp_sack_rexmit_skips tcp_ooo_queued tcp_drop_ooo_full \
	tcp_ext_pool_empty \
	tcp_drop_seq tcp_drop_paws echo_bytes_tx echo_bytes_rx echo_errors)"
rx_report

# ---- 3. kernel curl <- synfin's HTTP server --------------------------------
# The body is sent from pinned references to its masters (sf_net.h): lost
# segments are resent from them. HTTP_GETS keep-alive GETs of a 1 MiB body.
HTTP_GETS=8
echo "$SF_NAME: 3. kernel curl <- synfin HTTP server, $HTTP_GETS x 1 MiB"
nft_load
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-client.log"
body="$SF_WORKDIR/body"
head -c 1048576 /dev/urandom > "$body"
want=$(sha256sum < "$body" | cut -c1-64)
sf_synfin_start --mode server --app http --port 80 --body-size 1048576 \
	--set "http.body_file=$body" --gateway "$SF_IP_MID_DUT" "${CC_ARGS[@]}"
sf_synfin_wait_ready
outs=()
for i in $(seq "$HTTP_GETS"); do
	outs+=(-o "$SF_WORKDIR/get$i")
done
urls=()
for i in $(seq "$HTTP_GETS"); do
	urls+=("http://$SF_IP_DUT/$i")
done
if ! codes=$(sf_peer curl -sS --max-time 120 "${outs[@]}" \
	     -w '%{http_code} ' "${urls[@]}" 2>&1); then
	part_fail "3: curl: $codes"
else
	bad=0
	for i in $(seq "$HTTP_GETS"); do
		[ "$(sha256sum < "$SF_WORKDIR/get$i" | cut -c1-64)" = \
		  "$want" ] || bad=$((bad + 1))
	done
	if [ "$bad" -ne 0 ] || [ "$codes" != "$(printf '200 %.0s' \
	     $(seq "$HTTP_GETS"))" ]; then
		part_fail "3: statuses '$codes', $bad of $HTTP_GETS bodies" \
			"differ from the file"
	else
		ok "$HTTP_GETS bodies of 1 MiB intact through loss and" \
			"duplication (SHA-256 ${want:0:16}...)"
	fi
fi
nft_report "part 3"
sf_synfin_stop
echo "  synfin: $(sf_ctr_line final tcp_tx_segs tcp_retransmits \
	tcp_rto_timeouts tcp_fast_recoveries http_responses)"
[ ${#errors[@]} -ne 0 ] ||
	sf_check_ge "tcp_retransmits (of the body)" \
		"$(sf_ctr tcp_retransmits)" 1

[ ${#errors[@]} -eq 0 ] || fail "$(printf '%s; ' "${errors[@]}")"
pass "$((BIG / 1048576)) MiB to synfin's server," \
	"$((CLIENT_BYTES / 1048576)) MiB from its client," \
	"$HTTP_GETS MiB from its HTTP server, through" \
	"${DROP_PCT}% loss and ${DUP_PCT}% duplication each way"
