/* SPDX-License-Identifier: BSD-3-Clause */
/* SYN cookies (RFC 4987): past the half-open budget a SYN gets a SYN-ACK
 * and no state; the ACK that returns a valid cookie makes an ESTABLISHED
 * connection with the options the cookie kept; a forged or stale cookie
 * gets an RST and nothing else. */
#include <string.h>

#include "sf_test_tcp.h"

#define S RTE_TCP_SYN_FLAG
#define A RTE_TCP_ACK_FLAG
#define R RTE_TCP_RST_FLAG

/* MSS 1460, SACK-permitted, TS 9, window scale 7. */
static const uint8_t syn_opts[20] = {
	2, 4, 0x05, 0xb4,
	4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0,
	1, 3, 3, 7,
};

static int
setup_cookies(struct sf_tcp_conf *conf)
{
	if (sf_test_tcp_setup_conf(conf) != 0)
		return -1;
	return sf_tcp_listen(sf_t.w, SF_TEST_OUR_PORT, &sf_test_app_ops);
}

/* Budget of 1: the second SYN is answered with a cookie. */
static int
setup_budget_one(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.ts_on = conf.sack_on = conf.wscale_on = true;
	conf.max_syn_backlog = 1;
	conf.syncookies = 1;
	return setup_cookies(&conf);
}

static int
setup_no_cookies(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.max_syn_backlog = 1;
	conf.syncookies = 0;
	return setup_cookies(&conf);
}

/* Build the ACK segment with a TS option echoing @tsecr. */
static void
ack_with_ts(uint16_t sport, uint32_t seq, uint32_t ack, uint32_t tsecr,
	    uint8_t opts[12])
{
	memcpy(opts, (uint8_t[]){ 1, 1, 8, 10, 0, 0, 0, 10,
				  (uint8_t)(tsecr >> 24),
				  (uint8_t)(tsecr >> 16),
				  (uint8_t)(tsecr >> 8), (uint8_t)tsecr }, 12);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport, .seq = seq,
				.ack = ack, .flags = A, .opts = opts,
				.optlen = 12 });
}

static void
test_tcp_syncookie_round_trip(void **state)
{
	struct sf_test_out o;
	uint8_t opts[12];
	uint32_t iss;

	(void)state;
	/* The first SYN takes the one half-open slot. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 1000, .seq = 10,
				.flags = S, .opts = syn_opts, .optlen = 20 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(sf_test_counter("tcp_syncookies_sent"), 0);
	/* The second gets a cookie, and no TCB. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 2000, .seq = 500,
				.flags = S, .opts = syn_opts, .optlen = 20 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(o.ack, 501);
	assert_int_equal(sf_test_counter("tcp_syncookies_sent"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 1);
	assert_true(o.opts.present & SF_TCPOPT_TS);
	assert_true(o.opts.present & SF_TCPOPT_WSCALE);
	assert_true(o.opts.present & SF_TCPOPT_SACKOK);
	assert_int_equal(o.opts.tsecr, 9);
	iss = o.seq;
	/* The handshake's ACK brings the cookie back. */
	ack_with_ts(2000, 501, iss + 1, o.opts.tsval, opts);
	assert_int_equal(sf_test_counter("tcp_syncookies_ok"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	assert_int_equal(sf_app.established, 1);
	/* It works: data in, ACK out with the right numbers. */
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 2000, .seq = 501,
				.ack = iss + 1, .flags = A | RTE_TCP_PSH_FLAG,
				.data = "hello", .len = 5 });
	assert_int_equal(sf_app.rx_len, 5);
	assert_memory_equal(sf_app.rx, "hello", 5);
	sf_test_advance_until_tx(500);
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.seq, iss + 1);
	assert_int_equal(o.ack, 506);
	/* Window scale and SACK came back through the timestamp. */
	assert_true(o.opts.present & SF_TCPOPT_TS);
}

static void
test_tcp_syncookie_forged(void **state)
{
	struct sf_test_out o;
	uint8_t opts[12];
	uint32_t iss;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 1000, .seq = 10,
				.flags = S });
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 2000, .seq = 500,
				.flags = S, .opts = syn_opts, .optlen = 20 });
	sf_test_tcp_expect_one(&o);
	iss = o.seq;
	/* A wrong MAC bit, and the right cookie for another peer ISN. */
	ack_with_ts(2000, 501, (iss ^ 0x10) + 1, o.opts.tsval, opts);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R);
	ack_with_ts(2000, 777, iss + 1, o.opts.tsval, opts);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R);
	assert_int_equal(sf_test_counter("tcp_syncookies_failed"), 2);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 0);
	/* Stale: the right cookie three ticks (192 s) later. */
	sf_test_advance_ms(3 * 64000);
	sf_test_tx_clear();
	ack_with_ts(2000, 501, iss + 1, 0, opts);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R);
	assert_int_equal(sf_test_counter("tcp_syncookies_failed"), 3);
	assert_int_equal(sf_test_counter("tcp_syncookies_ok"), 0);
}

/* Without a TS option the cookie keeps the MSS only: no window scaling,
 * no SACK offered in the SYN-ACK. */
static void
test_tcp_syncookie_no_ts(void **state)
{
	static const uint8_t mss_only[4] = { 2, 4, 0x02, 0x18 };  /* 536 */
	struct sf_test_out o;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 1000, .seq = 10,
				.flags = S });
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 2000, .seq = 500,
				.flags = S, .opts = mss_only, .optlen = 4 });
	sf_test_tcp_expect_one(&o);
	assert_false(o.opts.present & (SF_TCPOPT_TS | SF_TCPOPT_WSCALE |
				       SF_TCPOPT_SACKOK));
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 2000, .seq = 501,
				.ack = o.seq + 1, .flags = A });
	assert_int_equal(sf_test_counter("tcp_syncookies_ok"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
}

/* With cookies off, the budget drops SYNs and counts them. */
static void
test_tcp_syncookie_off_drops(void **state)
{
	struct sf_test_out o;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 1000, .seq = 10,
				.flags = S });
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 2000, .seq = 500,
				.flags = S });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_syn_backlog"), 1);
	assert_int_equal(sf_test_counter("tcp_syncookies_sent"), 0);
}

#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, \
						     sf_test_tcp_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_syncookie_round_trip, setup_budget_one),
		T(test_tcp_syncookie_forged, setup_budget_one),
		T(test_tcp_syncookie_no_ts, setup_budget_one),
		T(test_tcp_syncookie_off_drops, setup_no_cookies),
	};

	return cmocka_run_group_tests_name("tcp_syncookie", tests, NULL,
					   NULL);
}
