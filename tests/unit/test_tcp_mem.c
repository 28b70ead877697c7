/* SPDX-License-Identifier: BSD-3-Clause */
/* The mbuf reserve: with the pool below it (w->mbuf_low, set by the
 * worker's housekeeping), TCP refuses new send data and later tells the
 * app writable(), drops out-of-order data and in-order data the app has
 * not taken yet, and still takes ACKs: nothing wedges, nothing leaks. */
#include <string.h>

#include "sf_test_tcp.h"

#define A RTE_TCP_ACK_FLAG
#define P RTE_TCP_PSH_FLAG

static void
test_tcp_mem_send_refused_then_writable(void **state)
{
	const uint32_t irs = 100;
	struct sf_test_out o;
	uint32_t iss;

	(void)state;
	iss = sf_test_tcp_accept(irs);
	sf_t.w->mbuf_low = true;
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, "x", 1),
			 -ENOBUFS);
	assert_int_equal(sf_test_counter("tcp_send_mem_wait"), 1);
	/* Nothing in flight to be acked: the retry timer tells the app. */
	sf_t.w->mbuf_low = false;
	sf_test_advance_ms(20);
	assert_int_equal(sf_app.writable, 1);
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, "x", 1), 1);
	sf_test_advance_until_tx(10);
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.seq, iss + 1);
	assert_int_equal(o.len, 1);
}

static void
test_tcp_mem_ooo_dropped(void **state)
{
	const uint32_t irs = 100;
	struct sf_test_out o;
	uint32_t iss;

	(void)state;
	iss = sf_test_tcp_accept(irs);
	sf_t.w->mbuf_low = true;
	/* A hole at irs + 1: the segment after it is not kept. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = irs + 11, .ack = iss + 1,
				.flags = A | P, .data = "0123456789",
				.len = 10 });
	assert_int_equal(sf_test_counter("tcp_drop_mem"), 1);
	assert_int_equal(sf_test_counter("tcp_ooo_queued"), 0);
	sf_test_tcp_expect_one(&o);		/* the dup ACK still goes */
	assert_int_equal(o.ack, irs + 1);
	/* ... and it offers no new window: the right edge stays put. */
	assert_int_equal(o.wnd, 65535u);
	sf_t.w->mbuf_low = false;
	/* Back above the reserve: in order data is taken as usual. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = irs + 1, .ack = iss + 1,
				.flags = A | P, .data = "abcdefghij",
				.len = 10 });
	assert_int_equal(sf_app.rx_len, 10);
}

/* In order data is not held while low either, whether or not the app
 * keeps up; pure ACKs still get in. */
static void
test_tcp_mem_rcvq_not_grown(void **state)
{
	const uint32_t irs = 100;
	uint32_t iss;

	(void)state;
	iss = sf_test_tcp_accept(irs);
	sf_app.refuse_data = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = irs + 1, .ack = iss + 1,
				.flags = A | P, .data = "abcdefghij",
				.len = 10 });
	sf_t.w->mbuf_low = true;
	/* 10 more are not held. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = irs + 11, .ack = iss + 1,
				.flags = A | P, .data = "ABCDEFGHIJ",
				.len = 10 });
	assert_int_equal(sf_test_counter("tcp_drop_mem"), 1);
	sf_t.w->mbuf_low = false;
	sf_app.refuse_data = false;
	/* The peer resends; now it is taken, in order. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = irs + 11, .ack = iss + 1,
				.flags = A | P, .data = "ABCDEFGHIJ",
				.len = 10 });
	assert_int_equal(sf_app.rx_len, 20);
	assert_memory_equal(sf_app.rx, "abcdefghijABCDEFGHIJ", 20);
}

/* The worker's check sets the flag from the pool's free count. */
static void
test_tcp_mem_housekeeping_flag(void **state)
{
	struct rte_mbuf *held[64];
	unsigned int n, avail;

	(void)state;
	avail = rte_mempool_avail_count(sf_t.pool);
	sf_t.w->mbuf_reserve = avail - 10;
	for (n = 0; n < RTE_DIM(held); n++)
		held[n] = rte_pktmbuf_alloc(sf_t.pool);
	sf_worker_mbuf_check(sf_t.w);
	assert_true(sf_t.w->mbuf_low);
	for (n = 0; n < RTE_DIM(held); n++)
		rte_pktmbuf_free(held[n]);
	sf_worker_mbuf_check(sf_t.w);
	assert_false(sf_t.w->mbuf_low);
	sf_t.w->mbuf_reserve = 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_test_tcp_setup_listen, \
					      sf_test_tcp_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_mem_send_refused_then_writable),
		T(test_tcp_mem_ooo_dropped),
		T(test_tcp_mem_rcvq_not_grown),
		T(test_tcp_mem_housekeeping_flag),
	};

	return cmocka_run_group_tests_name("tcp_mem", tests, NULL, NULL);
}
