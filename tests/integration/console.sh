#!/bin/bash
# The console (rte_cmdline), three ways:
#   1. --cmdline-file, no -i: a server runs a command file (an unknown
#      command is reported with its line, "sleep" waits, "quit" ends the
#      run with status 0).
#   2. -i under pexpect, a single lcore (the console polls from the
#      worker's housekeeping): an HTTP server with a held keep-alive
#      connection and curl requests; show conn / conn summary / tcp stats /
#      port stats / config, log level, stop and start accepting, clear
#      stats, quit (console.py server).
#   3. -i, two lcores when there are (the main lcore polls the console and
#      walks the worker's table lock-free): an HTTP client against nginx
#      that waits for start, then set rate 100 (measured), set concurrency,
#      stop, quit (console.py client).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=80
NGX_PORT=8080
BODY=100
NGINX=${NGINX:-/usr/sbin/nginx}
DRIVER="$SF_SRCDIR/tests/integration/console.py"

sf_test_init
"$SF_PY" -c 'import pexpect' 2>/dev/null ||
	fail "missing python3-pexpect (scripts/deps.sh installs it)"
command -v curl >/dev/null || fail "missing tool: curl"
command -v "$NGINX" >/dev/null || fail "missing tool: $NGINX (nginx-light)"

# synfin_cmd LCORES [OPTIONS...]: SYNFIN_CMD, as sf_synfin_start builds it
synfin_cmd()
{
	local lcores=$1 mem
	shift
	read -r -a mem <<< "$(sf_eal_mem_args)"
	SF_SYNFIN_PREFIX="sf-$SF_TAG"
	SYNFIN_CMD=(ip netns exec "$SF_NS_DUT" "$SYNFIN" -l "$lcores" --no-pci
		"--vdev=${SF_PMD}0,iface=$SF_IF_DUT"
		"--file-prefix=$SF_SYNFIN_PREFIX" "${mem[@]}"
		-- --ip "$SF_IP_DUT/$SF_PLEN" --stats-interval 0 \
		--set general.counters=all "$@")
}

# drive WHAT LOG [ARGS...] -- SYNFIN_CMD: console.py in the peer's
# namespace; synfin's PID (from the driver) is tracked for the exit trap.
drive()
{
	local what=$1 log=$2 rc=0 pid
	shift 2
	SF_SYNFIN_LOG=$log	# fail() shows its tail
	echo "$SF_NAME: $what: ${SYNFIN_CMD[*]}"
	timeout 50 ip netns exec "$SF_NS_PEER" "$SF_PY" "$DRIVER" "$what" \
		--log "$log" --pidfile "$SF_WORKDIR/$what.pid" "$@" \
		-- "${SYNFIN_CMD[@]}" || rc=$?
	pid=$(cat "$SF_WORKDIR/$what.pid" 2>/dev/null) || pid=
	[ -n "$pid" ] && sf_track "$pid"
	[ "$rc" -eq 0 ] || fail "$what: console.py status $rc"
}

# ---- 1. a command file, no -i ----------------------------------------------

cmds="$SF_WORKDIR/cmds.txt"
cat > "$cmds" << 'EOF'
# comments and blank lines are skipped

show conn summary
show config
no such command
log level synfin.* info
sleep 300
clear stats
show tcp stats
quit
EOF
synfin_cmd 0 --mode server --app http --port "$PORT" --body-size "$BODY" \
	--cmdline-file "$cmds"
SF_SYNFIN_LOG="$SF_WORKDIR/file.log"
t0=$(sf_now)
"${SYNFIN_CMD[@]}" > "$SF_SYNFIN_LOG" 2>&1 < /dev/null &
SF_SYNFIN_PID=$!
sf_track "$SF_SYNFIN_PID"
sf_synfin_wait_exit 30
el=$(sf_since "$t0")
sf_check_eq "command file: exit status (after ${el}s)" "$SF_SYNFIN_RC" 0
grep -q '^synfin> show conn summary$' "$SF_SYNFIN_LOG" ||
	fail "command file: the commands are not echoed"
grep -Eq '^ESTABLISHED +0$' "$SF_SYNFIN_LOG" ||
	fail "command file: no show conn summary output"
grep -q '^body_size = 100$' "$SF_SYNFIN_LOG" ||
	fail "command file: show config lacks body_size = 100"
grep -q "cmds.txt:5: unknown command" "$SF_SYNFIN_LOG" ||
	fail "command file: the unknown command on line 5 is not reported"
grep -q '^synfin: final counters$' "$SF_SYNFIN_LOG" ||
	fail "command file: no final counters after quit"
ok "command file: 8 commands echoed, line 5 reported, quit: status 0"

# ---- 2. -i, a server on one lcore --------------------------------------------

synfin_cmd 0 --mode server --app http --port "$PORT" --body-size "$BODY" -i
drive server "$SF_WORKDIR/server.log" --addr "$SF_IP_DUT" --port "$PORT" \
	--peer "$SF_IP_PEER" --body "$BODY"

# ---- 3. -i, a client (two lcores when there are) against nginx ---------------

www="$SF_WORKDIR/www"
mkdir -p "$www" "$SF_WORKDIR/nginx-tmp"
head -c 1024 /dev/zero | tr '\0' 'x' > "$www/index.html"
ngx_conf="$SF_WORKDIR/nginx.conf"
cat > "$ngx_conf" << EOF
daemon off;
master_process off;
worker_processes 1;
user root;
pid $SF_WORKDIR/nginx.pid;
lock_file $SF_WORKDIR/nginx.lock;
error_log $SF_WORKDIR/nginx-error.log warn;
events {
	worker_connections 1024;
}
http {
	access_log off;
	client_body_temp_path $SF_WORKDIR/nginx-tmp/body;
	proxy_temp_path $SF_WORKDIR/nginx-tmp/proxy;
	fastcgi_temp_path $SF_WORKDIR/nginx-tmp/fastcgi;
	uwsgi_temp_path $SF_WORKDIR/nginx-tmp/uwsgi;
	scgi_temp_path $SF_WORKDIR/nginx-tmp/scgi;
	keepalive_requests 100000;
	default_type text/html;
	server {
		listen $SF_IP_PEER:$NGX_PORT;
		root $www;
	}
}
EOF
sf_peer_bg "$SF_WORKDIR/nginx.out" "$NGINX" -e "$SF_WORKDIR/nginx-error.log" \
	-p "$SF_WORKDIR" -c "$ngx_conf"
ngx_pid=$SF_BG_PID
for ((i = 0; i < 100; i++)); do
	sf_peer ss -Hltn "sport = :$NGX_PORT" 2>/dev/null | grep -q . && break
	sf_alive "$ngx_pid" || fail "nginx exited: $(cat "$SF_WORKDIR/nginx.out")"
	sleep 0.1
done
ok "nginx on $SF_IP_PEER:$NGX_PORT (pid $ngx_pid)"

lcores=0
[ "$(nproc)" -ge 2 ] && lcores=0,1
synfin_cmd "$lcores" --mode client --app http \
	--target "$SF_IP_PEER:$NGX_PORT" --concurrency 4 -i
drive client "$SF_WORKDIR/client.log" --addr "$SF_IP_DUT" \
	--peer "$SF_IP_PEER" --port "$NGX_PORT"
# quit while the client's job runs: verdict STOPPED, exit status 1
synfin_cmd "$lcores" --mode client --app http \
	--target "$SF_IP_PEER:$NGX_PORT" --concurrency 4 -i
drive client-quit "$SF_WORKDIR/client-quit.log" --addr "$SF_IP_DUT" \
	--peer "$SF_IP_PEER" --port "$NGX_PORT"
pass "command file, server console (1 lcore), client console" \
	"(lcores $lcores), quit during a client's job"
