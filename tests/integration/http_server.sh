#!/bin/bash
# The kernel's curl and wrk against synfin's HTTP server, over a veth.
# For bodies of 0 B, 1 KiB, 64 KiB and 1 MiB (random bytes from a file):
#  - curl, short connection (Connection: close): the body is byte-exact
#    (SHA-256), and synfin (the server) closed first: its connection sits
#    in TIME_WAIT afterwards;
#  - curl, three requests on one keep-alive connection, all byte-exact;
#  - HEAD: the headers with the length and no body;
#  - wrk, keep-alive and Connection: close, 2 s each: no socket error,
#    no non-2xx answer.
# Then pipelining (two requests in one segment, answered in order), 404 for
# a path outside [http] paths, and malformed requests (http_bad_requests.py:
# 400/405/414/431/501/505, each connection closed, the server keeps
# serving). synfin's counters must agree: every request answered, no
# malformed request missed, and the only errors the resets wrk sends when
# it stops mid-response.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=80
sf_test_init
command -v wrk >/dev/null || fail "missing tool: wrk"
head -c $((1024 * 1024)) /dev/urandom > "$SF_WORKDIR/body"
url="http://$SF_IP_DUT:$PORT"
requests=0	# answered with 200 by synfin, from curl and the extras

# wrk_run LABEL ARGS...: 2 s of wrk; fails on socket errors or non-2xx.
wrk_run()
{
	local label=$1 out n
	shift
	out=$(sf_peer timeout 20 wrk -t1 -c8 -d2s "$@" "$url/" 2>&1) ||
		fail "wrk $label: $out"
	n=$(awk '/requests in/ {print $1}' <<< "$out")
	grep -qE 'Socket errors|Non-2xx' <<< "$out" &&
		fail "wrk $label: errors: $(grep -E 'Socket|Non-2xx' <<< "$out")"
	[ "${n:-0}" -gt 0 ] || fail "wrk $label: no request done: $out"
	ok "wrk $label: $n requests, $(awk '/Requests\/sec/ {print $2}' \
		<<< "$out") req/s, no socket error, all 2xx"
}

# The default body is one line of text (issue 25: a 0-byte default made
# curl show nothing, and a first-time user thought synfin broken).
echo "$SF_NAME: the default body"
sf_synfin_start --mode server --app http --port "$PORT"
sf_synfin_wait_ready
got=$(sf_peer curl -sS --max-time 10 "$url/") || fail "curl: $got"
[ "${#got}" -ge 32 ] && [[ "$got" =~ ^[a-z]+$ ]] ||
	fail "default body: '$got' (${#got} bytes), not a line of text"
ok "default body: '$got'"
requests=$((requests + 1))
sf_synfin_stop

for size in 0 1024 65536 1048576; do
	echo "$SF_NAME: body of $size bytes"
	head -c "$size" "$SF_WORKDIR/body" > "$SF_WORKDIR/want"
	want=$(sha256sum < "$SF_WORKDIR/want" | cut -c1-64)
	sf_synfin_start --mode server --app http --port "$PORT" \
		--body-size "$size" --set "http.body_file=$SF_WORKDIR/body"
	sf_synfin_wait_ready

	# short connection: synfin closes first and holds TIME_WAIT
	code=$(sf_peer curl -sS --max-time 10 -H 'Connection: close' \
		-o "$SF_WORKDIR/got" -w '%{http_code}' "$url/") ||
		fail "curl (close): status $code"
	sf_check_eq "curl short connection: status" "$code" 200
	sf_check_eq "curl short connection: SHA-256 of $size bytes" \
		"$(sha256sum < "$SF_WORKDIR/got" | cut -c1-64)" "$want"
	kill -USR1 "$SF_SYNFIN_PID"
	sf_log_wait '^synfin: counters' 5 || fail "no counters on SIGUSR1"
	sleep 0.2
	sf_check_eq "synfin holds the short connection in TIME_WAIT" \
		"$(sf_ctr_snap tcp_state_TIME_WAIT)" 1

	# keep-alive: three requests, one connection
	out=$(sf_peer curl -sS --max-time 20 -o "$SF_WORKDIR/k1" \
		-o "$SF_WORKDIR/k2" -o "$SF_WORKDIR/k3" \
		-w '%{http_code} %{num_connects}\n' "$url/a" "$url/b" "$url/c")
	sf_check_eq "curl keep-alive: statuses and new connections" \
		"$(tr '\n' ' ' <<< "$out")" "200 1 200 0 200 0 "
	for k in k1 k2 k3; do
		[ "$(sha256sum < "$SF_WORKDIR/$k" | cut -c1-64)" = "$want" ] ||
			fail "curl keep-alive: $k differs from the body"
	done
	ok "curl keep-alive: 3 bodies of $size bytes, byte-exact"
	hdr=$(sf_peer curl -sS --max-time 10 -I "$url/")
	grep -q "^Content-Length: $size" <<< "$hdr" ||
		fail "HEAD: no Content-Length: $size in: $hdr"
	grep -q '^Date: ' <<< "$hdr" || fail "HEAD: no Date header: $hdr"
	ok "HEAD: 200 with Content-Length $size and Date"
	requests=$((requests + 5))
	if [ "$size" -le 65536 ]; then
		wrk_run "keep-alive" --latency
		wrk_run "Connection: close" -H 'Connection: close'
	fi
	sf_synfin_stop
	n=$(sf_ctr http_requests)
	sf_check_eq "http_responses = http_requests" \
		"$(sf_ctr http_responses)" "$n"
	sf_check_eq "http_status_2xx = http_requests" \
		"$(sf_ctr http_status_2xx)" "$n"
	# wrk resets the connections it still holds when it stops
	sf_check_eq "errors other than wrk's resets" \
		$(($(sf_ctr http_errors) - $(sf_ctr http_err_reset))) 0
	echo "  counters: $(sf_ctr_line final http_requests http_responses \
		http_bytes_tx http_err_reset tcp_retransmits)"
done

echo "$SF_NAME: pipelining, paths, malformed requests"
sf_synfin_start --mode server --app http --port "$PORT" --body-size 10 \
	--set 'http.paths=/,/ok'
sf_synfin_wait_ready
req='GET /ok HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\n'
req+='GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
out=$(printf "$req" | sf_peer timeout 10 nc -q 5 "$SF_IP_DUT" "$PORT" |
	grep -ao 'HTTP/1.1 [0-9][0-9][0-9]' | tr '\n' '|')
sf_check_eq "three pipelined requests answered in order" "$out" \
	"HTTP/1.1 200|HTTP/1.1 200|HTTP/1.1 404|"
sf_peer "$SF_PY" "$SF_SRCDIR/tests/integration/http_bad_requests.py" \
	"$SF_IP_DUT" "$PORT" > "$SF_WORKDIR/bad.log" 2>&1 ||
	fail "malformed requests: $(cat "$SF_WORKDIR/bad.log")"
sed 's/^/  /' "$SF_WORKDIR/bad.log"
cases=$(grep -c ' want ' "$SF_WORKDIR/bad.log")
sf_synfin_stop
sf_check_eq "http_bad_request (one per malformed case)" \
	"$(sf_ctr http_bad_request)" "$cases"
sf_check_eq "http_responses = http_requests" "$(sf_ctr http_responses)" \
	"$(sf_ctr http_requests)"
sf_check_eq "http_errors" "$(sf_ctr http_errors)" 0
ok "curl, wrk, pipelining and malformed requests all answered right"
