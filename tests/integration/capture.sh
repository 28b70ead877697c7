#!/bin/bash
# synfin's own pcapng capture and its telemetry, with the kernel's curl:
#  - synfin serves HTTP on port 80 (100-byte body) with
#    --capture FILE --capture-filter 'tcp port 80';
#  - while it runs, its telemetry socket answers /synfin/config,
#    /synfin/capture, /synfin/stats, /synfin/tcp, /synfin/conn_states,
#    /synfin/workers and /synfin/app with JSON that agrees with what
#    happened (one connection accepted, now in TIME_WAIT, one request);
#  - one curl request with Connection: close, so synfin closes first;
#  - after SIGTERM the file is complete and closed: a pcapng that tcpdump
#    reads, holding the handshake [S] [S.] [.] and the teardown, the SYN
#    and each FIN acknowledged with ack = seq + 1 (checked here from
#    tcpdump's lines, and segment by segment by tcp_peer.py capcheck with
#    synfin as the active closer); tshark reads it too when installed.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=80
BODY=100
PEER_PY="$SF_SRCDIR/tests/integration/tcp_peer.py"
TEL_PY="$SF_SRCDIR/tests/integration/telemetry.py"

sf_test_init
pcap="$SF_WORKDIR/synfin.pcapng"
t_begin=$(date +%s)
# No tail loss probe: on a busy host a worker descheduled for a few ms
# sends one (a retransmission), and capcheck wants every byte once.
sf_synfin_start --mode server --app http --port "$PORT" \
	--body-size "$BODY" --capture "$pcap" --capture-filter "tcp port $PORT" \
	--set tcp.tail_loss_probe=off
sf_synfin_wait_ready
sock="/var/run/dpdk/$SF_SYNFIN_PREFIX/dpdk_telemetry.v2"
[ -S "$sock" ] || fail "no telemetry socket at $sock"

# tel CMD COND...: telemetry.py check, the verdict line printed
tel()
{
	local out
	out=$("$SF_PY" "$TEL_PY" "$sock" check "$@") ||
		fail "$(tr '\n' ' ' <<< "$out")"
	echo "  $out"
}

echo "$SF_NAME: telemetry before any connection"
tel /synfin/config mode=server app=http app_port="$PORT" workers=1 \
	port0_ip="$SF_IP_DUT/$SF_PLEN" tcp_max_conns tcp_msl_ms
tel /synfin/capture active=1 file="$pcap" filter="tcp port $PORT" \
	drop_ring=0 drop_nombuf=0
tel /synfin/conn_states '#KEYS>=11' LISTEN ESTABLISHED=0 TIME_WAIT=0

echo "$SF_NAME: one request with Connection: close"
out=$(sf_peer curl -sS --max-time 10 -H 'Connection: close' \
	-o "$SF_WORKDIR/body" \
	-w '%{http_code} %{size_request} %{size_header} %{size_download}' \
	"http://$SF_IP_DUT:$PORT/") || fail "curl: $out"
read -r code req_bytes hdr_bytes body_bytes <<< "$out"
sf_check_eq "curl: status" "$code" 200
sf_check_eq "curl: body bytes" "$body_bytes" "$BODY"
resp_bytes=$((hdr_bytes + body_bytes))
ok "curl: request $req_bytes bytes, response $resp_bytes bytes"

# synfin closed first: its side waits in TIME_WAIT (2 MSL = 60 s)
for ((i = 0; i < 30; i++)); do
	"$SF_PY" "$TEL_PY" "$sock" check /synfin/conn_states TIME_WAIT=1 \
		> /dev/null && break
	sleep 0.1
done
echo "$SF_NAME: telemetry after the request"
tel /synfin/conn_states '#KEYS>=11' LISTEN ESTABLISHED=0 TIME_WAIT=1
tel /synfin/stats '#KEYS>=60' rx_pkts'>='4 tx_pkts'>='4 \
	tcp_passive_opens=1 tcp_tx_rst=0 tcp_retransmits=0 tcp_drop_csum=0
tel /synfin/tcp '#KEYS>=20' tcp_passive_opens=1 state_TIME_WAIT=1 \
	state_ESTABLISHED=0
tel /synfin/app app=http mode=server requests=1 responses=1 status_2xx=1 \
	errors=0 bytes_rx="$req_bytes" bytes_tx="$resp_bytes"
workers=$("$SF_PY" "$TEL_PY" "$sock" get /synfin/workers)
"$SF_PY" -c '
import json, sys
w = json.loads(sys.argv[1])
assert w["nb_workers"] == 1, w
for k in ("lcore", "rx_pkts", "tx_pkts", "drops", "app_requests"):
    assert isinstance(w[k], list) and len(w[k]) == 1, (k, w.get(k))
assert w["rx_pkts"][0] >= 4 and w["app_requests"][0] == 1, w
' "$workers" || fail "/synfin/workers: $workers"
ok "/synfin/workers: one worker, arrays of one, 1 request"
"$SF_PY" "$TEL_PY" "$sock" check /synfin/workers,0 id=0 \
	tcp_passive_opens=1 app_requests=1 > /dev/null ||
	fail "/synfin/workers,0: $("$SF_PY" "$TEL_PY" "$sock" get \
		/synfin/workers,0)"
ok "/synfin/workers,0: worker 0 in full"
# the writer drains the rings every control tick
for ((i = 0; i < 20; i++)); do
	"$SF_PY" "$TEL_PY" "$sock" check /synfin/capture 'packets>=7' \
		> /dev/null && break
	sleep 0.1
done
tel /synfin/capture active=1 'packets>=7' drop_ring=0 drop_nombuf=0 \
	drop_limit=0 write_errors=0

sf_synfin_stop
t_end=$(date +%s)
line=$(grep -m1 'capture to .* stopped' "$SF_SYNFIN_LOG") ||
	fail "no 'capture ... stopped' line in synfin's log"
ok "synfin: ${line#*: }"
written=$(sed -nE 's/.*stopped: ([0-9]+) frames.*/\1/p' <<< "$line")

# ---- the file -------------------------------------------------------------
magic=$(head -c 4 "$pcap" | od -An -tx1 | tr -d ' ')
sf_check_eq "file starts with a pcapng section header" "$magic" 0a0d0d0a
tcpdump -nn -S -r "$pcap" > "$SF_WORKDIR/tcpdump.txt" \
	2> "$SF_WORKDIR/tcpdump.err" ||
	fail "tcpdump -r: $(cat "$SF_WORKDIR/tcpdump.err")"
sed 's/^/    /' "$SF_WORKDIR/tcpdump.txt"
sf_check_eq "tcpdump: frames in the file = frames written" \
	"$(wc -l < "$SF_WORKDIR/tcpdump.txt")" "$written"
# The frames' times are the wall clock's (issue 25: DPDK 22.11's
# rte_pcapng took the TSC rate before EAL knew it, and dated them 2305).
read -r first last <<< "$(tcpdump -tt -nn -r "$pcap" 2> /dev/null |
	awk 'NR == 1 { f = $1 } { l = $1 } END { print f, l }')"
awk -v f="$first" -v l="$last" -v b="$t_begin" -v e="$t_end" \
	'BEGIN { exit !(f >= b - 1 && l <= e + 1 && f <= l) }' ||
	fail "capture times $first .. $last (tcpdump -tt) are not within" \
		"the run, $t_begin .. $t_end (date +%s)"
ok "capture times $first .. $last lie within the run ($t_begin .. $t_end)"
sf_check_eq "tcpdump: frames not to or from TCP port $PORT" \
	"$(awk -v p="\\.$PORT:?$" '$3 !~ p && $5 !~ p' \
		"$SF_WORKDIR/tcpdump.txt" | wc -l)" 0

# Handshake and teardown from tcpdump's own lines: the SYN (client), the
# SYN-ACK acking x+1, the ACK acking y+1; each FIN's last sequence number
# + 1 acknowledged by the other side. With -S, seq is "A" or "A:B" (data).
verdict=$(awk -v port="$PORT" -v CONVFMT=%.0f -v OFMT=%.0f '
	function no(why) { print why; bad = 1 }
	# the last sequence number a segment occupies: "A" or "A:B" -> B
	function seq_end(s,   a) { split(s, a, ":"); return a[2] != "" ? a[2] + 0 : a[1] + 0 }
	function field(name,   i, v) {
		for (i = 1; i <= NF; i++)
			if ($i == name) { v = $(i + 1); sub(/,$/, "", v); return v }
		return ""
	}
	# "TIME IP SRC > DST: Flags [..], seq .., ack .., ..."
	{
		n++
		srv = ($3 ~ ("\\." port "$"))
		match($0, /Flags \[[^]]*\]/)
		fl = substr($0, RSTART + 7, RLENGTH - 8)
		seq = field("seq")
		ack = field("ack")
		if (ack != "")
			ack += 0
	}
	n == 1 {
		if (fl != "S" || srv) no("1st is not the client SYN: " $0)
		x = seq + 0
		next
	}
	n == 2 {
		if (fl != "S." || !srv) no("2nd is not the SYN-ACK: " $0)
		if (ack != (x + 1) % 2^32) no("SYN-ACK ack " ack " != x+1")
		y = seq + 0
		next
	}
	n == 3 {
		if (fl != "." || srv) no("3rd is not the client ACK: " $0)
		if (ack != (y + 1) % 2^32) no("ACK ack " ack " != y+1")
		next
	}
	{
		if (fl ~ /R/) no("RST: " $0)
		# an ACK of the other side FIN: its last sequence number + 1
		if (ack != "" && srv && cfin != "" && ack == cfin) cfin_acked = 1
		if (ack != "" && !srv && sfin != "" && ack == sfin) sfin_acked = 1
	}
	fl ~ /F/ && srv {
		if (sfin != "") no("a second FIN from synfin")
		sfin = (seq_end(seq) + 1) % 2^32
		synfin_first = (cfin == "")
	}
	fl ~ /F/ && !srv {
		if (cfin != "") no("a second FIN from curl")
		cfin = (seq_end(seq) + 1) % 2^32
	}
	END {
		if (sfin == "" || cfin == "") {
			no("a FIN is missing")
		} else {
			if (!synfin_first) no("curl closed first")
			if (!sfin_acked) no("synfin FIN never acked with " sfin)
			if (!cfin_acked) no("curl FIN never acked with " cfin)
		}
		if (!bad)
			printf "ok x=%s y=%s, FIN synfin acked %s, FIN curl " \
				"acked %s, %d segments\n", x, y, sfin, cfin, n
	}' "$SF_WORKDIR/tcpdump.txt")
[[ $verdict == ok* ]] || fail "tcpdump lines: $verdict"
ok "tcpdump: [S] [S.] [.] handshake and both FINs acknowledged" \
	"(${verdict#ok })"

out=$("$SF_PY" "$PEER_PY" capcheck "$pcap" server "$req_bytes" \
	"$resp_bytes") && rc=0 || rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "capcheck (synfin closes first):" \
	"$(grep 'capcheck: FAIL' <<< "$out" | tr '\n' ' ')"
ok "capcheck: handshake, $req_bytes + $resp_bytes bytes, teardown" \
	"($(sed -n 's/^capcheck: x=.*teardown: //p' <<< "$out"))"

if command -v tshark > /dev/null; then
	n=$(tshark -r "$pcap" 2> "$SF_WORKDIR/tshark.err" | wc -l)
	sf_check_eq "tshark reads the file: frames" "$n" "$written"
else
	ok "tshark not installed: not checked"
fi

# ---- a limit stops the capture while the worker runs -----------------------
# On a worker lcore of its own when there are two CPUs, so the worker lets
# go of its ring at its own housekeeping while the main lcore waits.
echo "$SF_NAME: capture.max_packets=3 stops the capture mid-run"
[ "$(nproc)" -ge 2 ] && SF_LCORE=${SF_LCORE:-0-1}
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-1.log"
pcap2="$SF_WORKDIR/limit.pcapng"
sf_synfin_start --capture "$pcap2" --capture-filter "host $SF_IP_PEER" \
	--set capture.max_packets=3
sf_synfin_wait_ready
sf_ping "ping while capturing" 5 -c 5 -i 0.2 -W 2
sf_log_wait 'capture to .* stopped' 5 ||
	fail "the capture did not stop at max_packets"
tel /synfin/capture active=0 packets=3 'drop_limit>=1' drop_ring=0 \
	drop_nombuf=0
sf_ping "ping after the capture stopped" 3 -c 3 -i 0.2 -W 2
sf_synfin_stop
sf_check_eq "frames in the limited file" \
	"$(tcpdump -nn -r "$pcap2" 2>/dev/null | wc -l)" 3
pass "capture of one HTTP connection, telemetry during the run, limit"
