#!/bin/bash
# synfin's HTTP load generator against nginx (the kernel's TCP, in the peer's
# namespace, serving a 1 KiB static file), in three phases, each a fresh
# synfin process:
#   1. short connections: 2000 connections of 1 request, 32 at once
#   2. keep-alive: 20 connections of 100 requests each, 10 at once
#   3. close by RST: 200 connections of 1 request, ended by RST
# Each phase must exit by itself with status 0 and the OK line; its final
# counters must count every request answered with a 2xx (http_requests =
# http_responses = http_status_2xx = count * requests, 0 errors); nginx's
# access log must have gained exactly that many lines with status 200; and
# the --json file must hold requests_per_s and the p99 latencies.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=8080
BODY=1024
NGINX=${NGINX:-/usr/sbin/nginx}

sf_test_init
command -v "$NGINX" >/dev/null || fail "missing tool: $NGINX (nginx-light)"

# ---- nginx in the peer's namespace ------------------------------------------

www="$SF_WORKDIR/www"
mkdir -p "$www" "$SF_WORKDIR/nginx-tmp"
head -c "$BODY" /dev/zero | tr '\0' 'x' > "$www/index.html"
ngx_conf="$SF_WORKDIR/nginx.conf"
ngx_access="$SF_WORKDIR/nginx-access.log"
ngx_error="$SF_WORKDIR/nginx-error.log"
ngx_out="$SF_WORKDIR/nginx.out"
# One process (no master, no daemon): the PID that sf_peer_bg gives is
# nginx itself, and the exit trap ends it. Every path is in the work
# directory; the access log is unbuffered, one line per request.
cat > "$ngx_conf" << EOF
daemon off;
master_process off;
worker_processes 1;
user root;
pid $SF_WORKDIR/nginx.pid;
lock_file $SF_WORKDIR/nginx.lock;
error_log $ngx_error warn;
events {
	worker_connections 1024;
}
http {
	log_format sf '\$status \$body_bytes_sent \$connection'
		' \$connection_requests "\$request" \$remote_addr';
	access_log $ngx_access sf;
	client_body_temp_path $SF_WORKDIR/nginx-tmp/body;
	proxy_temp_path $SF_WORKDIR/nginx-tmp/proxy;
	fastcgi_temp_path $SF_WORKDIR/nginx-tmp/fastcgi;
	uwsgi_temp_path $SF_WORKDIR/nginx-tmp/uwsgi;
	scgi_temp_path $SF_WORKDIR/nginx-tmp/scgi;
	keepalive_requests 100000;
	keepalive_timeout 60s;
	default_type text/html;
	server {
		listen $SF_IP_PEER:$PORT;
		root $www;
		location / {
			index index.html;
		}
	}
}
EOF
touch "$ngx_access"
sf_peer_bg "$ngx_out" "$NGINX" -e "$ngx_error" -p "$SF_WORKDIR" \
	-c "$ngx_conf"
ngx_pid=$SF_BG_PID
listening=
for ((i = 0; i < 100; i++)); do
	sf_alive "$ngx_pid" || break
	if sf_peer ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q .; then
		listening=1
		break
	fi
	sleep 0.1
done
[ -n "$listening" ] ||
	fail "nginx did not listen on $SF_IP_PEER:$PORT:"$'\n'"$(cat \
		"$ngx_out" "$ngx_error" 2>/dev/null)"
ok "nginx on $SF_IP_PEER:$PORT (pid $ngx_pid), /index.html of $BODY bytes"

# ---- the phases ---------------------------------------------------------------

# nginx's access log lines with status 200 so far
ngx_200()
{
	awk '$1 == 200 { n++ } END { print n + 0 }' "$ngx_access"
}

# phase NAME COUNT REQUESTS TIMEOUT_S [SYNFIN OPTIONS...]
phase()
{
	local name=$1 count=$2 reqs=$3 timeout=$4 want t0 el before after
	local json="$SF_WORKDIR/$name.json" c
	shift 4
	want=$((count * reqs))
	echo "-- phase $name: $count connections x $reqs request(s) each $*"
	before=$(ngx_200)
	# each phase a log of its own, kept in the work directory
	t0=$(sf_now)
	t_wall=$(date +%s)
	sf_synfin_start --mode client --app http \
		--target "$SF_IP_PEER:$PORT" --count "$count" \
		--requests "$reqs" --json "$json" "$@"
	sf_synfin_wait_exit "$timeout"
	el=$(sf_since "$t0")
	mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-$name.log"
	SF_SYNFIN_LOG="$SF_WORKDIR/synfin-$name.log"
	grep '^synfin: ' "$SF_SYNFIN_LOG" |
		grep -Ev '^synfin: (ready|final counters|counters)' |
		sed 's/^/  /'
	sf_check_eq "$name: synfin's exit status (after ${el}s)" \
		"$SF_SYNFIN_RC" 0
	grep -q '^synfin: http client: OK$' "$SF_SYNFIN_LOG" ||
		fail "$name: no 'synfin: http client: OK' line"
	echo "  counters: $(sf_ctr_line final http_requests http_responses \
		http_errors http_status_2xx tcp_active_opens tcp_retransmits \
		tcp_rx_rst tcp_tx_rst)"
	sf_check_eq "$name: http_requests" "$(sf_ctr http_requests)" "$want"
	sf_check_eq "$name: http_responses" "$(sf_ctr http_responses)" "$want"
	sf_check_eq "$name: http_status_2xx" "$(sf_ctr http_status_2xx)" \
		"$want"
	sf_check_eq "$name: http_errors" "$(sf_ctr http_errors)" 0
	for c in $(sf_counters_block | awk '$1 ~ /^http_err_/ { print $1 }'); do
		[ "$(sf_ctr "$c")" = 0 ] || fail "$name: $c = $(sf_ctr "$c")"
	done
	sf_check_eq "$name: tcp_active_opens" "$(sf_ctr tcp_active_opens)" \
		"$count"
	# nginx writes its log line when it has sent the response, which
	# synfin has read by now: no wait needed, but allow a moment
	for ((i = 0; i < 20; i++)); do
		after=$(ngx_200)
		[ $((after - before)) -ge "$want" ] && break
		sleep 0.1
	done
	sf_check_eq "$name: nginx access log lines with status 200" \
		"$((after - before))" "$want"
	[ -s "$json" ] || fail "$name: no JSON results in $json"
	grep -q '"requests_per_s":[0-9]' "$json" ||
		fail "$name: no requests_per_s in $json: $(cat "$json")"
	grep -q '"total":{[^}]*"p99_us":[0-9]' "$json" ||
		fail "$name: no total p99_us latency in $json: $(cat "$json")"
	grep -q '"ok":true' "$json" ||
		fail "$name: $json does not say ok: $(cat "$json")"
	# The run's settings and synfin's build, so that archived results
	# can be told apart (issue 25).
	head=$(git -C "$SF_SRCDIR" rev-parse --short=7 HEAD 2>/dev/null) ||
		head=unknown	# not a git checkout: vcs_tag's fallback
	"$SF_PY" - "$json" "$SF_IP_PEER:$PORT" "$count" "$reqs" \
		"$t_wall" "$head" <<-'PYEOF' || fail "$name: $json: no run settings"
	import json, sys, time, calendar
	r = json.load(open(sys.argv[1]))["run"]
	assert r["targets"] == [sys.argv[2]], r
	assert r["count"] == int(sys.argv[3]) and r["requests"] == int(sys.argv[4]), r
	assert r["synfin_version"] and sys.argv[6] in r["synfin_commit"], (r, sys.argv[6])
	t = calendar.timegm(time.strptime(r["started"], "%Y-%m-%dT%H:%M:%SZ"))
	assert int(sys.argv[5]) - 1 <= t <= time.time() + 1, (r, sys.argv[5])
	PYEOF
	ok "$name: $json has the run's settings and synfin $(sed -nE \
		's/.*"synfin_commit":"([^"]*)".*/\1/p' "$json")"
	grep -Eq '^synfin: http client: .* payload received [0-9.]+ Mbit/s' \
		"$SF_SYNFIN_LOG" || fail "$name: the final rate is not labelled payload"
	ok "$name: $name.json has requests_per_s $(sed -nE \
		's/.*"requests_per_s":([0-9.]+).*/\1/p' "$json"), total p99" \
		"$(sed -nE 's/.*"total":\{[^}]*"p99_us":([0-9.]+).*/\1/p' \
		"$json") us"
}

phase short 2000 1 30 --concurrency 32
phase keepalive 20 100 20 --concurrency 10
phase rst 200 1 20 --concurrency 32 --close rst
# four source addresses: synfin answers ARP for each, nginx sees each
before=$(wc -l < "$ngx_access")
phase sources 400 1 20 --concurrency 16 \
	--source 198.18.0.100-198.18.0.103
srcs=$(tail -n +$((before + 1)) "$ngx_access" | awk '{print $NF}' |
	sort -u | tr '\n' ' ')
sf_check_eq "sources: the client addresses nginx saw" "$srcs" \
	"198.18.0.100 198.18.0.101 198.18.0.102 198.18.0.103 "

# Paced keep-alive: 4 connections, 200 requests/s climbing from 0 over
# the first second, for 3 s: about 100 + 400 requests, then each
# connection closes after its last response.
echo "-- phase paced: --concurrency 4 --requests 0 --req-rate 200" \
	"--ramp 1000 --duration 3"
before=$(ngx_200)
sf_synfin_start --mode client --app http --target "$SF_IP_PEER:$PORT" \
	--concurrency 4 --requests 0 --req-rate 200 --ramp 1000 --duration 3
sf_synfin_wait_exit 20
mv "$SF_SYNFIN_LOG" "$SF_WORKDIR/synfin-paced.log"
SF_SYNFIN_LOG="$SF_WORKDIR/synfin-paced.log"
grep -E '^synfin: http client' "$SF_SYNFIN_LOG" | sed 's/^/  /'
sf_check_eq "paced: synfin's exit status" "$SF_SYNFIN_RC" 0
n=$(sf_ctr http_responses)
[ "$n" -ge 425 ] && [ "$n" -le 575 ] ||
	fail "paced: $n responses in 3 s at 200/s after a 1 s ramp" \
		"(expected about 500)"
ok "paced: $n responses (about 500 expected)"
sf_check_eq "paced: connections" "$(sf_ctr http_conns_opened)" 4
sf_check_eq "paced: http_errors" "$(sf_ctr http_errors)" 0
sleep 0.2
sf_check_eq "paced: nginx access log lines with status 200" \
	"$(($(ngx_200) - before))" "$n"

# nginx saw every request, and no error worth a line in its error log
sf_alive "$ngx_pid" || fail "nginx exited during the test"
total=$(ngx_200)
sf_check_eq "nginx access log: all lines with status 200" \
	"$(wc -l < "$ngx_access")" "$total"
if grep -E '\[(emerg|alert|crit)\]' "$ngx_error"; then
	fail "nginx logged errors (above)"
fi
ok "nginx's error log: no emerg/alert/crit"
pass "$total requests answered by nginx in 5 phases (short, keep-alive," \
	"RST, 4 source addresses, paced)"
