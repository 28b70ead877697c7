/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Buffer autotuning: the receive buffer (the window we offer) doubles
 * when the peer delivers more than half of it in a round trip and the
 * app keeps up; the send buffer is twice cwnd. Both stay within their
 * configured floor (rcvbuf, sndbuf) and ceiling (rcvbuf_max,
 * sndbuf_max). Through 10 ms of delay each way, fixed 256 KiB buffers
 * held synfin to about half the kernel's speed (scripts/bench/impair.sh,
 * reorder row).
 */
#include <string.h>

#include "sf_test_tcp.h"
#include "tcp_priv.h"

#define A RTE_TCP_ACK_FLAG

#define RTT_MS 10

static uint32_t peer_seq;	/* the peer's next sequence number */

/* rcvbuf 4096, growing to @rcv_max; sndbuf 4096, growing to @snd_max.
 * No window scaling: the window in our ACKs is the buffer. */
static int
setup_bufs(uint32_t rcv_max, uint32_t snd_max)
{
	struct sf_tcp_conf conf;

	sf_test_tcp_conf(&conf);
	conf.rcvbuf = 4096;
	conf.rcvbuf_max = rcv_max;
	conf.sndbuf = 4096;
	conf.sndbuf_max = snd_max;
	return sf_test_tcp_setup_listen_conf(&conf);
}

static int
setup_autotune(void **state)
{
	(void)state;
	return setup_bufs(16384, 32768);
}

static int
setup_fixed(void **state)
{
	(void)state;
	return setup_bufs(4096, 1024);	/* at or below the floor: off */
}

/* The peer sends @n bytes in 1000-byte segments; returns the window of
 * our ACK to the last. */
static uint16_t
peer_data(uint32_t y, uint32_t n)
{
	static char data[1000];
	struct sf_test_out o;
	uint32_t len;

	memset(data, 'b', sizeof(data));
	while (n > 0) {
		len = n < sizeof(data) ? n : (uint32_t)sizeof(data);
		sf_test_tx_clear();
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = peer_seq,
					.ack = y + 1, .flags = A,
					.data = data, .len = (uint16_t)len });
		peer_seq += len;
		n -= len;
	}
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, peer_seq);
	return o.wnd;
}

/* A round trip of the peer's: @n bytes, then the clock moves on one
 * RTT. Returns the window our last ACK offered. */
static uint16_t
peer_round(uint32_t y, uint32_t n)
{
	uint16_t wnd = peer_data(y, n);

	sf_test_advance_ms(RTT_MS);
	return wnd;
}

/* A peer that fills the window each round trip, read at once, gets a
 * window twice as large each time, up to rcvbuf_max; one that sends
 * less than half of it gets no more. */
static void
test_tcp_buffers_rcv_grows(void **state)
{
	uint32_t y = sf_test_tcp_accept_rtt(100, RTT_MS);

	(void)state;
	/* Each round trip is counted from its first segment on, and
	 * judged at the first segment a round trip later. */
	peer_seq = 101;
	assert_int_equal(peer_round(y, 1000), 4096);	/* count begins */
	assert_int_equal(peer_round(y, 1000), 4096);	/* 2000 < 2048 */
	assert_int_equal(peer_round(y, 4000), 4096);	/* 1000 */
	assert_int_equal(peer_data(y, 1000), 8192);	/* 4000 > 2048 */
	assert_int_equal(sf_test_counter("tcp_rcvbuf_grown"), 1);
	sf_test_advance_ms(RTT_MS);
	assert_int_equal(peer_round(y, 8000), 8192);
	assert_int_equal(peer_data(y, 1000), 16384);	/* 8000 > 4096 */
	sf_test_advance_ms(RTT_MS);
	assert_int_equal(peer_round(y, 16000), 16384);
	assert_int_equal(peer_data(y, 1000), 16384);	/* the ceiling */
	assert_int_equal(sf_test_counter("tcp_rcvbuf_grown"), 2);
	assert_int_equal(sf_app.rx_len, peer_seq - 101);
}

/* An app that leaves the data unread holds the peer back itself: the
 * window closes and does not grow. */
static void
test_tcp_buffers_rcv_slow_app(void **state)
{
	uint32_t y = sf_test_tcp_accept_rtt(100, RTT_MS);

	(void)state;
	sf_app.refuse_data = true;
	peer_seq = 101;
	assert_int_equal(peer_round(y, 1500), 2596);
	assert_int_equal(peer_data(y, 2000), 596);	/* 2500 > 2048 */
	assert_int_equal(sf_test_counter("tcp_rcvbuf_grown"), 0);
}

/* At the mbuf reserve the buffer does not grow: the segment that fills
 * a hole (taken even there) releases data of earlier round trips, no
 * measure of the peer's rate. */
static void
test_tcp_buffers_rcv_not_at_reserve(void **state)
{
	static char data[1000];
	uint32_t y = sf_test_tcp_accept_rtt(100, RTT_MS), i;

	(void)state;
	peer_seq = 101;
	assert_int_equal(peer_round(y, 1000), 4096);	/* count begins */
	for (i = 1; i <= 2; i++)		/* out of order: 2101-4100 */
		sf_test_tcp_send(&(struct sf_test_seg){
				.seq = peer_seq + i * 1000, .ack = y + 1,
				.flags = A, .data = data, .len = 1000 });
	sf_test_tx_clear();
	sf_t.w->mbuf_low = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = peer_seq,
				.ack = y + 1, .flags = A, .data = data,
				.len = 1000 });	/* the hole: 3000 in */
	sf_t.w->mbuf_low = false;
	assert_int_equal(sf_app.rx_len, 4000);
	assert_int_equal(sf_test_counter("tcp_rcvbuf_grown"), 0);
}

/* With rcvbuf_max at rcvbuf, the window stays what rcvbuf says. */
static void
test_tcp_buffers_rcv_fixed(void **state)
{
	uint32_t y = sf_test_tcp_accept_rtt(100, RTT_MS);

	(void)state;
	peer_seq = 101;
	assert_int_equal(peer_round(y, 1000), 4096);
	assert_int_equal(peer_round(y, 4000), 4096);
	assert_int_equal(peer_round(y, 4000), 4096);
	assert_int_equal(sf_test_counter("tcp_rcvbuf_grown"), 0);
}

/* The peer acks all we sent; returns the bytes of data that went. */
static uint32_t
ack_all(void)
{
	struct sf_test_out o;
	uint32_t sent = 0, top = 0;
	unsigned int i;

	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		sent += o.len;
		top = o.seq + o.len;
	}
	sf_test_tx_clear();
	if (sent != 0)
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
					.ack = top, .flags = A });
	return sent;
}

/* The send buffer follows cwnd: the app may queue twice cwnd, so it
 * keeps the window full while ACKs come back, and never more than
 * sndbuf_max. */
static void
test_tcp_buffers_snd_follows_cwnd(void **state)
{
	static char buf[65536];
	struct sf_tcb *c;
	uint32_t cwnd;
	int n;

	(void)state;
	sf_test_tcp_accept_rtt(100, RTT_MS);
	c = tcp_tcb(sf_app.conn);
	memset(buf, 's', sizeof(buf));
	cwnd = c->cwnd;				/* RFC 6928: 10 x 536 */
	assert_int_equal(cwnd, 5360);
	assert_int_equal(sf_tcp_send_space(sf_t.w, sf_app.conn), 2 * cwnd);
	n = sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	assert_int_equal(n, (int)(2 * cwnd));
	assert_int_equal(ack_all(), cwnd);	/* slow start: cwnd x 2 */
	assert_int_equal(c->cwnd, 2 * cwnd);
	assert_int_equal(sf_tcp_send_space(sf_t.w, sf_app.conn),
			 4 * cwnd - c->sndq_len);
	while (c->cwnd < 16384) {
		sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
		assert_true(ack_all() > 0);
	}
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	assert_int_equal(c->sndq_len, 32768);	/* the ceiling */
	assert_int_equal(sf_tcp_send_space(sf_t.w, sf_app.conn), 0);
}

/* With sndbuf_max at or below sndbuf, sndbuf is all the app may queue. */
static void
test_tcp_buffers_snd_fixed(void **state)
{
	static char buf[65536];

	(void)state;
	sf_test_tcp_accept_rtt(100, RTT_MS);
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, buf,
					  sizeof(buf)), 4096);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_buffers_rcv_grows,
			setup_autotune, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_buffers_rcv_slow_app,
			setup_autotune, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_buffers_rcv_not_at_reserve,
			setup_autotune, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_buffers_rcv_fixed,
			setup_fixed, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_buffers_snd_follows_cwnd,
			setup_autotune, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_buffers_snd_fixed,
			setup_fixed, sf_test_tcp_teardown),
	};

	if (getenv("SF_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("SF_TEST_FILTER"));
	return cmocka_run_group_tests_name("tcp_buffers", tests, NULL, NULL);
}
