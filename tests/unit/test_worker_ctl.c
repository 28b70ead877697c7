/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's paths into a worker: the control ring (order, the
 * worker's own handling of "clear stats", a full ring, the sync that
 * lets the next command see the effect), the connection walk that "show
 * conn" prints (as the writer and as a lock-free reader), the listener
 * switch behind a server's stop/start, and the load generator's run-time
 * control behind start/stop/set.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_tcp.h>

#include "sf_app.h"
#include "sf_test_tcp.h"

#define S RTE_TCP_SYN_FLAG
#define A RTE_TCP_ACK_FLAG
#define F RTE_TCP_FIN_FLAG
#define R RTE_TCP_RST_FLAG

/* ---- the control ring ---- */

static struct {
	unsigned int n;
	struct sf_ctl_msg m[2 * SF_CTL_RING_SIZE];
	uint64_t rx_pkts_seen;	/* w->stats.rx_pkts when called */
} seen;

static void
record_cb(struct sf_worker *w, const struct sf_ctl_msg *m, void *arg)
{
	assert_ptr_equal(arg, &seen);
	seen.rx_pkts_seen = w->stats.rx_pkts;
	if (seen.n < RTE_DIM(seen.m))
		seen.m[seen.n++] = *m;
}

static int
setup_ring(void **state)
{
	memset(&seen, 0, sizeof(seen));
	if (sf_test_setup(state) != 0)
		return -1;
	sf_t.w->ctl_cb = record_cb;
	sf_t.w->ctl_arg = &seen;
	return 0;
}

static struct sf_ctl_msg
app_msg(uint16_t param, uint64_t arg)
{
	return (struct sf_ctl_msg){ .type = SF_CTL_APP, .param = param,
				    .arg32 = param * 10u, .arg = arg };
}

static void
test_ctl_messages_in_order(void **state)
{
	struct sf_ctl_msg m;
	unsigned int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		m = app_msg((uint16_t)i, 1000 + i);
		assert_int_equal(sf_worker_ctl_send(sf_t.w, &m), 0);
	}
	assert_int_equal(seen.n, 0);	/* nothing runs at send time */
	assert_int_equal(sf_worker_ctl_drain(sf_t.w), 5);
	assert_int_equal(seen.n, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(seen.m[i].type, SF_CTL_APP);
		assert_int_equal(seen.m[i].param, i);
		assert_int_equal(seen.m[i].arg32, i * 10);
		assert_int_equal(seen.m[i].arg, 1000 + i);
	}
	assert_int_equal(sf_worker_ctl_drain(sf_t.w), 0);
	assert_int_equal(sf_t.w->ctl_sent, 5);
	assert_int_equal(sf_t.w->ctl_done, 5);
}

static void
test_ctl_stats_clear(void **state)
{
	const struct sf_ctl_msg m = { .type = SF_CTL_STATS_CLEAR };

	(void)state;
	sf_t.w->stats.rx_pkts = 7;
	sf_t.w->stats.tcp_drop_csum = 3;
	assert_int_equal(sf_worker_ctl_send(sf_t.w, &m), 0);
	assert_int_equal(sf_t.w->stats.rx_pkts, 7);
	assert_int_equal(sf_worker_ctl_drain(sf_t.w), 1);
	assert_int_equal(sf_t.w->stats.rx_pkts, 0);
	assert_int_equal(sf_t.w->stats.tcp_drop_csum, 0);
	/* The app hears of it after the worker's own counters are 0. */
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.m[0].type, SF_CTL_STATS_CLEAR);
	assert_int_equal(seen.rx_pkts_seen, 0);
}

static void
test_ctl_full_ring_and_bounded_drain(void **state)
{
	struct sf_ctl_msg m = app_msg(1, 0);
	const struct sf_ctl_msg bad = { .type = SF_CTL_NOP };
	const struct sf_ctl_msg unknown = { .type = 200 };
	unsigned int i;

	(void)state;
	assert_int_equal(sf_worker_ctl_send(sf_t.w, &bad), -EINVAL);
	assert_int_equal(sf_worker_ctl_send(sf_t.w, &unknown), -EINVAL);
	assert_int_equal(sf_worker_ctl_send(sf_t.w, NULL), -EINVAL);
	for (i = 0; i < SF_CTL_RING_SIZE; i++) {
		m.arg = i;
		assert_int_equal(sf_worker_ctl_send(sf_t.w, &m), 0);
	}
	assert_int_equal(sf_worker_ctl_send(sf_t.w, &m), -ENOBUFS);
	/* One housekeeping pass handles a bounded number. */
	assert_int_equal(sf_worker_ctl_drain(sf_t.w), SF_CTL_DRAIN_MAX);
	assert_int_equal(seen.n, SF_CTL_DRAIN_MAX);
	assert_int_equal(seen.m[SF_CTL_DRAIN_MAX - 1].arg,
			 SF_CTL_DRAIN_MAX - 1);
	/* Room again. */
	assert_int_equal(sf_worker_ctl_send(sf_t.w, &m), 0);
}

static void
test_ctl_sync(void **state)
{
	struct sf_ctl_msg m = app_msg(2, 0);
	unsigned int own = sf_t.w->lcore_id, i;

	(void)state;
	for (i = 0; i < SF_CTL_RING_SIZE; i++)
		assert_int_equal(sf_worker_ctl_send(sf_t.w, &m), 0);
	/* On the worker's own lcore, sync handles everything itself. */
	assert_int_equal(sf_worker_ctl_sync(sf_t.w, 1000), 0);
	assert_int_equal(seen.n, SF_CTL_RING_SIZE);

	/* From another lcore it waits for the worker, bounded. */
	sf_t.w->lcore_id = own + 1;
	assert_int_equal(sf_worker_ctl_sync(sf_t.w, 1000), 0);	/* none */
	assert_int_equal(sf_worker_ctl_send(sf_t.w, &m), 0);
	assert_int_equal(sf_worker_ctl_sync(sf_t.w, 2000), -ETIMEDOUT);
	assert_int_equal(sf_worker_ctl_drain(sf_t.w), 1);
	assert_int_equal(sf_worker_ctl_sync(sf_t.w, 1000), 0);
	sf_t.w->lcore_id = own;
}

/* ---- the connection walk ---- */

#define DUMP_MAX 16

struct dump {
	unsigned int n;
	unsigned int stop_after;	/* 0: never */
	struct sf_conn_info ci[DUMP_MAX];
};

static int
dump_cb(const struct sf_conn_info *ci, void *arg)
{
	struct dump *d = arg;

	assert_true(d->n < DUMP_MAX);
	d->ci[d->n++] = *ci;
	return d->stop_after != 0 && d->n == d->stop_after;
}

static const struct sf_conn_info *
dump_find(const struct dump *d, uint8_t state)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (d->ci[i].state == state)
			return &d->ci[i];
	return NULL;
}

static void
dump_all(struct dump *d)
{
	int rc;

	memset(d, 0, sizeof(*d));
	rc = sf_tcp_conn_dump(sf_t.w, SF_TCP_READER_CONSOLE, dump_cb, d);
	assert_int_equal(rc, (int)d->n);
}

static void
test_ctl_dump_connection_life(void **state)
{
	const uint32_t x = 1000;
	const struct sf_conn_info *ci;
	unsigned int own = sf_t.w->lcore_id;
	struct sf_test_out o;
	struct dump d;
	uint32_t y;

	(void)state;
	dump_all(&d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.ci[0].state, SF_TCP_LISTEN);
	assert_int_equal(d.ci[0].lport, SF_TEST_OUR_PORT);
	assert_int_equal(d.ci[0].laddr, 0);

	/* ESTABLISHED with 100 bytes the app has not taken. */
	y = sf_test_tcp_accept(x);
	sf_app.refuse_data = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
				.flags = A, .data = sf_app.rx, .len = 100 });
	sf_test_tx_clear();
	dump_all(&d);
	assert_int_equal(d.n, 2);
	ci = dump_find(&d, SF_TCP_ESTABLISHED);
	assert_non_null(ci);
	assert_int_equal(ci->laddr, SF_TEST_OUR_IP);
	assert_int_equal(ci->raddr, SF_TEST_PEER_IP);
	assert_int_equal(ci->lport, SF_TEST_OUR_PORT);
	assert_int_equal(ci->rport, SF_TEST_PEER_PORT);
	assert_int_equal(ci->rcvq, 100);
	assert_int_equal(ci->sndq, 0);
	assert_int_equal(ci->worker, sf_t.w->id);

	/* As a lock-free reader from another lcore: the same. */
	sf_t.w->lcore_id = own + 1;
	dump_all(&d);
	sf_t.w->lcore_id = own;
	assert_int_equal(d.n, 2);
	ci = dump_find(&d, SF_TCP_ESTABLISHED);
	assert_non_null(ci);
	assert_int_equal(ci->rcvq, 100);

	/* Queued data, unacked: the retransmission timer runs. */
	sf_app.refuse_data = false;
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, "hello", 5),
			 5);
	sf_worker_flush(sf_t.w);
	sf_test_tx_clear();
	dump_all(&d);
	ci = dump_find(&d, SF_TCP_ESTABLISHED);
	assert_non_null(ci);
	assert_int_equal(ci->sndq, 5);
	assert_true(ci->timer == SF_CONN_TIMER_REXMIT ||
		    ci->timer == SF_CONN_TIMER_TLP);
	assert_true(ci->timer_ms > 0 && ci->timer_ms <= 1000);

	/* Everything acked, we close, the peer closes: TIME_WAIT, 2MSL. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1 + 100,
				.ack = y + 1 + 5, .flags = A });
	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_worker_flush(sf_t.w);
	/* The FIN, perhaps behind a window update for the data taken. */
	assert_true(sf_t.ncap >= 1);
	sf_test_tcp_out(sf_t.ncap - 1, &o);
	assert_int_equal(o.flags, F | A);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1 + 100,
				.ack = o.seq + 1, .flags = F | A });
	sf_test_tx_clear();
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	sf_test_advance_ms(500);
	dump_all(&d);
	assert_int_equal(d.n, 2);
	ci = dump_find(&d, SF_TCP_TIME_WAIT);
	assert_non_null(ci);
	assert_int_equal(ci->rport, SF_TEST_PEER_PORT);
	assert_int_equal(ci->timer, SF_CONN_TIMER_TIME_WAIT);
	/* 2MSL is 2000 ms in the fixture, 500 ms of it gone. */
	assert_true(ci->timer_ms >= 1400 && ci->timer_ms <= 1500);
	assert_string_equal(sf_conn_timer_name(SF_CONN_TIMER_TIME_WAIT),
			    "time_wait");

	/* The callback ends the walk. */
	memset(&d, 0, sizeof(d));
	d.stop_after = 1;
	assert_int_equal(sf_tcp_conn_dump(sf_t.w, SF_TCP_READER_CONSOLE,
					  dump_cb, &d), 1);
	assert_int_equal(sf_tcp_conn_dump(sf_t.w, 99, dump_cb, &d), -EINVAL);
	sf_test_advance_ms(2000);
}

/* A server's stop and start: the listener goes and comes back; a SYN in
 * between is refused as for a closed port. */
static void
test_ctl_unlisten(void **state)
{
	const struct sf_tcp_app_ops *ops = NULL;
	struct sf_test_out o;
	struct dump d;

	(void)state;
	assert_int_equal(sf_tcp_unlisten(sf_t.w, SF_TEST_OUR_PORT, &ops), 0);
	assert_ptr_equal(ops, &sf_test_app_ops);
	assert_int_equal(sf_tcp_unlisten(sf_t.w, SF_TEST_OUR_PORT, NULL),
			 -ENOENT);
	dump_all(&d);
	assert_int_equal(d.n, 0);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 7, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_true(o.flags & R);
	assert_int_equal(sf_tcp_listen(sf_t.w, SF_TEST_OUR_PORT, ops), 0);
	sf_test_tcp_accept(100);
	assert_int_equal(sf_app.established, 1);
}

/* ---- the load generator's run-time control ---- */

static int
setup_loadgen(void **state)
{
	struct sf_load_conf lc;

	if (sf_test_tcp_setup(state) != 0)
		return -1;
	sf_test_learn_peer();
	memset(&lc, 0, sizeof(lc));
	lc.proto = SF_LOAD_ECHO;
	lc.nb_targets = 1;
	lc.target_addr[0] = SF_TEST_PEER_IP;
	lc.target_port[0] = 7;
	lc.sport_min = 10000;
	lc.sport_max = 10099;
	lc.concurrency = 2;
	lc.max_concurrency = 8;
	lc.payload = 0;		/* connect and close */
	lc.requests = 1;
	lc.paused = true;
	return sf_app_loadgen(sf_t.w, &lc);
}

static int
teardown_loadgen(void **state)
{
	sf_tcp_fini(sf_t.w);
	sf_app_free(sf_t.w);
	return sf_test_teardown(state);
}

/* SYNs the load generator sent since the last look. */
static unsigned int
syns_sent(void)
{
	struct sf_test_out o;
	unsigned int i, n = 0;

	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		if (o.flags == S)
			n++;
	}
	sf_test_tx_clear();
	return n;
}

static void
poll_ms(unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms; i++) {
		sf_test_advance_ms(1);
		sf_t.w->app_poll(sf_t.w);
	}
}

static void
test_ctl_loadgen_control(void **state)
{
	(void)state;
	assert_int_equal(sf_app_loadgen_slots(sf_t.w), 8);
	assert_string_equal(sf_app_loadgen_state(sf_t.w), "waiting");
	poll_ms(5);
	assert_int_equal(syns_sent(), 0);	/* waits for start */

	sf_app_loadgen_set(sf_t.w, SF_LOAD_RUN, 1);
	poll_ms(2);
	assert_int_equal(syns_sent(), 2);	/* concurrency 2 */
	assert_string_equal(sf_app_loadgen_state(sf_t.w), "running");

	/* More room, within the slots: 2 more; beyond them: clamped. */
	sf_app_loadgen_set(sf_t.w, SF_LOAD_CONCURRENCY, 4);
	poll_ms(2);
	assert_int_equal(syns_sent(), 2);
	sf_app_loadgen_set(sf_t.w, SF_LOAD_CONCURRENCY, 1000);
	poll_ms(2);
	assert_int_equal(syns_sent(), 4);	/* up to the 8 slots */
	assert_int_equal(sf_app_stats(sf_t.w)->conns_open, 8);

	/* Fewer than open: nothing closes, nothing opens. */
	sf_app_loadgen_set(sf_t.w, SF_LOAD_CONCURRENCY, 1);
	poll_ms(2);
	assert_int_equal(syns_sent(), 0);

	/* Stop: nothing new; the SYNs in flight end with the run. */
	sf_app_loadgen_set(sf_t.w, SF_LOAD_RUN, 0);
	assert_string_equal(sf_app_loadgen_state(sf_t.w), "stopping");
	poll_ms(2);
	assert_int_equal(syns_sent(), 0);

	/* Not a load generator: no slots, no state, set is a no-op. */
	assert_null(sf_app_loadgen_state(&(struct sf_worker){ 0 }));
}

/* A fresh load generator on the fixture's worker for @target (network
 * order, port 7), @conc connections at once: the caller sets the rest
 * and calls lg_restart(). */
static void
lg_conf(struct sf_load_conf *lc, uint32_t target, uint32_t conc)
{
	memset(lc, 0, sizeof(*lc));
	lc->proto = SF_LOAD_ECHO;
	lc->nb_targets = 1;
	lc->target_addr[0] = target;
	lc->target_port[0] = 7;
	lc->sport_min = 10000;
	lc->sport_max = 10999;
	lc->concurrency = conc;
	lc->max_concurrency = RTE_MAX(conc, 8u);
	lc->requests = 1;
}

static void
lg_restart(const struct sf_load_conf *lc)
{
	sf_app_free(sf_t.w);
	assert_int_equal(sf_app_loadgen(sf_t.w, lc), 0);
}

/* Connects that fail at once (here: no route to the target) count as
 * attempts against --count, and are paced: a run never spins on them
 * (issue 25: 124 million errors in 5 s, --count 1 ignored). */
static void
test_ctl_loadgen_failures_paced(void **state)
{
	struct sf_load_conf lc;
	const struct sf_app_stats *st;

	(void)state;
	lg_conf(&lc, rte_cpu_to_be_32(RTE_IPV4(10, 1, 2, 3)), 4);
	lc.count = 3;
	lg_restart(&lc);
	poll_ms(50);
	st = sf_app_stats(sf_t.w);
	assert_int_equal(st->errors, 3);
	assert_int_equal(st->err_other, 3);
	assert_true(__atomic_load_n(&st->done, __ATOMIC_ACQUIRE));
	assert_false(st->ok);

	/* No count: at most about one failed attempt a millisecond. */
	lc.count = 0;
	lg_restart(&lc);
	poll_ms(50);
	st = sf_app_stats(sf_t.w);
	assert_true(st->errors >= 10 && st->errors <= 52);
}

/* --rate R --duration D opens R x D connections: the first at the
 * start, the last one period before the end (issue 25: 500/s for 4 s
 * made 1,999). */
static void
test_ctl_loadgen_rate_duration(void **state)
{
	struct sf_load_conf lc;
	unsigned int syns = 0, i;

	(void)state;
	lg_conf(&lc, SF_TEST_PEER_IP, 1000);
	lc.rate = 500;
	lc.duration_ms = 30;	/* 15 connections: the table holds 16 */
	lg_restart(&lc);
	for (i = 0; i < 60; i++) {
		sf_t.w->app_poll(sf_t.w);
		syns += syns_sent();
		sf_test_advance_ms(1);
	}
	assert_int_equal(syns, 15);
	assert_int_equal(sf_app_stats(sf_t.w)->errors, 0);
}

/* A target on the prefix that never answers ARP is its own kind of
 * failure, err_no_arp, not err_other (issue 25, item 3). */
static void
test_ctl_loadgen_no_arp(void **state)
{
	struct sf_load_conf lc;
	const struct sf_app_stats *st;

	(void)state;
	lg_conf(&lc, rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 99)), 1);
	lc.count = 1;
	lg_restart(&lc);
	poll_ms(6000);
	st = sf_app_stats(sf_t.w);
	assert_int_equal(st->errors, 1);
	assert_int_equal(st->err_no_arp, 1);
	assert_int_equal(st->err_other, 0);
	assert_true(__atomic_load_n(&st->done, __ATOMIC_ACQUIRE));
}

/* "clear stats" reaches the app's counters, not its gauge. */
static void
test_ctl_app_stats_clear(void **state)
{
	const struct sf_app_stats *st = sf_app_stats(sf_t.w);

	(void)state;
	sf_app_loadgen_set(sf_t.w, SF_LOAD_RUN, 1);
	poll_ms(2);
	assert_int_equal(syns_sent(), 2);
	assert_int_equal(st->conns_started, 2);
	assert_int_equal(st->conns_open, 2);
	sf_app_stats_clear(sf_t.w);
	assert_int_equal(st->conns_started, 0);
	assert_int_equal(st->conns_open, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_messages_in_order,
						setup_ring, sf_test_teardown),
		cmocka_unit_test_setup_teardown(test_ctl_stats_clear,
						setup_ring, sf_test_teardown),
		cmocka_unit_test_setup_teardown(
			test_ctl_full_ring_and_bounded_drain, setup_ring,
			sf_test_teardown),
		cmocka_unit_test_setup_teardown(test_ctl_sync, setup_ring,
						sf_test_teardown),
		cmocka_unit_test_setup_teardown(test_ctl_dump_connection_life,
						sf_test_tcp_setup_listen,
						sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_ctl_unlisten,
						sf_test_tcp_setup_listen,
						sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_ctl_loadgen_control,
						setup_loadgen,
						teardown_loadgen),
		cmocka_unit_test_setup_teardown(
			test_ctl_loadgen_failures_paced, setup_loadgen,
			teardown_loadgen),
		cmocka_unit_test_setup_teardown(
			test_ctl_loadgen_rate_duration, setup_loadgen,
			teardown_loadgen),
		cmocka_unit_test_setup_teardown(
			test_ctl_loadgen_no_arp, setup_loadgen,
			teardown_loadgen),
		cmocka_unit_test_setup_teardown(test_ctl_app_stats_clear,
						setup_loadgen,
						teardown_loadgen),
	};

	if (getenv("SF_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("SF_TEST_FILTER"));
	return cmocka_run_group_tests_name("worker_ctl", tests, NULL, NULL);
}
