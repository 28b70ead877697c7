#!/bin/bash
# Exhaustion policies, against the kernel as the peer:
#  1. mbufs: an echo server with a pool of 2047 mbufs (reserve 1024) takes
#     4 parallel 4 MiB streams, whose windows and send buffers want about
#     as much as the pool has. It must
#     not wedge: every stream comes back byte-exact (SHA-256), the reserve
#     shows in tcp_send_mem_wait / tcp_drop_mem, and at the end the pool's
#     free count is what it was before the streams.
#  2. connection table: tcp.max_conns=8 while 24 kernel clients hold
#     connections: 8 are served, the others' SYNs are refused (counted in
#     tcp_drop_table_full) and complete once slots free up; the 8 held
#     ones are never disturbed.
#  3. TIME_WAIT records: tcp.max_timewait=4 and 12 short connections that
#     synfin closes first: 4 records, the rest close without TIME_WAIT
#     (tcp_tw_full), all connections answered.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PORT=7
sf_test_init
command -v nc >/dev/null || fail "missing tool: nc"

echo "$SF_NAME: 1. 4 streams of 4 MiB through a 2047-mbuf pool"
sf_synfin_start --mode server --app echo --port "$PORT" \
	--set mempool.mbufs=2047 --set mempool.reserve=1024 \
	--set mempool.cache=32
sf_synfin_wait_ready
sf_snapshot
free0=$(sf_ctr_snap mbuf_pool0_free)
head -c $((4 * 1024 * 1024)) /dev/urandom > "$SF_WORKDIR/in"
want=$(sha256sum < "$SF_WORKDIR/in" | cut -c1-64)
pids=()
for i in $(seq 4); do
	ip netns exec "$SF_NS_PEER" timeout 120 nc -N "$SF_IP_DUT" "$PORT" \
		< "$SF_WORKDIR/in" > "$SF_WORKDIR/out.$i" 2>&1 &
	pids+=($!)
	sf_track $!
done
bad=0
for i in $(seq 4); do
	wait "${pids[$((i - 1))]}" || { echo "  stream $i: nc failed"; bad=1; }
	got=$(sha256sum < "$SF_WORKDIR/out.$i" | cut -c1-64)
	[ "$got" = "$want" ] || { echo "  stream $i: differs" \
		"($(stat -c %s "$SF_WORKDIR/out.$i") bytes back)"; bad=1; }
done
[ "$bad" = 0 ] || fail "not every stream came back intact"
ok "4 x 4 MiB echoed byte-exact through 2047 mbufs"
sleep 1
sf_snapshot
echo "  $(sf_ctr_line snap tcp_send_mem_wait tcp_drop_mem \
	mbuf_alloc_fail tcp_retransmits mbuf_pool0_free mbuf_pool0_size)"
[ $(($(sf_ctr_snap tcp_send_mem_wait) + $(sf_ctr_snap tcp_drop_mem))) -gt 0 ] ||
	fail "the reserve never came into play (pool too large for the test?)"
ok "the reserve was reached and held"
sf_check_eq "free mbufs back to the baseline" \
	"$(sf_ctr_snap mbuf_pool0_free)" "$free0"
sf_synfin_stop
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0

echo "$SF_NAME: 2. 24 clients, a table of 8"
sf_synfin_start --mode server --app echo --port "$PORT" \
	--set tcp.max_conns=8 --set tcp.max_timewait=0 \
	--set tcp.rto_init_ms=200
sf_synfin_wait_ready
go=$SF_WORKDIR/go
pids=()
for i in $(seq 8); do
	sf_peer_bg "$SF_WORKDIR/hold.$i" "$SF_PY" \
		"$SF_SRCDIR/tests/integration/tcp_peer.py" hold "$SF_IP_DUT" \
		"$PORT" "$go" --timeout 60
	pids+=("$SF_BG_PID")
done
for i in $(seq 8); do
	sf_wait_file_re "$SF_WORKDIR/hold.$i" '^echoed 10 bytes' 20 \
		"${pids[$((i - 1))]}" || fail "holder $i: $(cat "$SF_WORKDIR/hold.$i")"
done
ok "8 connections held (the table is full)"
late=()
for i in $(seq 16); do
	ip netns exec "$SF_NS_PEER" timeout 60 "$SF_PY" \
		"$SF_SRCDIR/tests/integration/tcp_peer.py" small "$SF_IP_DUT" \
		"$PORT" "late-$i" > "$SF_WORKDIR/late.$i" 2>&1 &
	late+=($!)
	sf_track $!
done
sleep 2
sf_snapshot
refused=$(sf_ctr_snap tcp_drop_table_full)
[ "$refused" -gt 0 ] || fail "no SYN was refused with the table full"
ok "SYNs refused while full: $refused (tcp_drop_table_full)"
touch "$go"
for i in $(seq 8); do
	wait "${pids[$((i - 1))]}" || fail "holder $i: $(cat "$SF_WORKDIR/hold.$i")"
	grep -q '^closed' "$SF_WORKDIR/hold.$i" ||
		fail "holder $i: $(cat "$SF_WORKDIR/hold.$i")"
done
ok "the 8 held connections were never disturbed"
for i in $(seq 16); do
	wait "${late[$((i - 1))]}" || fail "late client $i: $(cat "$SF_WORKDIR/late.$i")"
done
ok "the 16 refused clients completed once slots freed (SYN retries)"
sf_synfin_stop
sf_check_eq "echo_conns_closed" "$(sf_ctr echo_conns_closed)" 24
sf_check_eq "echo_errors" "$(sf_ctr echo_errors)" 0

echo "$SF_NAME: 3. TIME_WAIT records: 4 for 12 connections"
sf_synfin_start --mode server --app http --port 80 --body-size 10 \
	--set tcp.max_timewait=4
sf_synfin_wait_ready
for i in $(seq 12); do
	code=$(sf_peer curl -sS --max-time 5 -o /dev/null -w '%{http_code}' \
		-H 'Connection: close' "http://$SF_IP_DUT/")
	[ "$code" = 200 ] || fail "curl $i: $code"
done
sleep 0.5
sf_snapshot
sf_check_eq "TIME_WAIT records" "$(sf_ctr_snap tcp_state_TIME_WAIT)" 4
sf_check_eq "closed without TIME_WAIT (tcp_tw_full)" \
	"$(sf_ctr_snap tcp_tw_full)" 8
sf_synfin_stop
sf_check_eq "http_responses" "$(sf_ctr http_responses)" 12
pass "mbuf reserve, full table and full TIME_WAIT each held their policy"
