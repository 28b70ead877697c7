/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection life cycle, driven as a peer would (RFC 9293 §3.5,
 * §3.6, §3.10.7): every segment synfin sends is checked for flags,
 * sequence and acknowledgement numbers, states are read from the
 * per-state gauges, and teardown asserts that no mbuf or slot leaked.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_tcp.h>

#include "sf_net.h"
#include "sf_test_tcp.h"
#include "txbuf.h"

#define S RTE_TCP_SYN_FLAG
#define A RTE_TCP_ACK_FLAG
#define F RTE_TCP_FIN_FLAG
#define R RTE_TCP_RST_FLAG
#define P RTE_TCP_PSH_FLAG

/* 2MSL in the fixture is 2000 ms; the wheel may fire up to 1/8 late. */
#define TWO_MSL 2000
#define LATE(ms) ((ms) / 8 + 1)

/* Check a timer-driven send happens in [@ms, @ms + LATE(@ms)]. */
static void
expect_tx_after(uint64_t ms)
{
	uint64_t t;

	sf_test_advance_ms(ms - 1);
	assert_int_equal(sf_t.ncap, 0);
	t = sf_test_advance_until_tx(LATE(ms) + 1) + ms - 1;
	assert_true(t >= ms && t <= ms + LATE(ms));
}

/* The textbook passive open, then synfin closes first: SYN seq=x;
 * SYN-ACK seq=y ack=x+1; ACK ack=y+1; FIN seq=u; ACK ack=u+1; FIN seq=w
 * ack=u+1; ACK seq=u+1 ack=w+1; TIME_WAIT; CLOSED after 2MSL. */
static void
test_tcp_textbook_walkthrough(void **state)
{
	const uint32_t x = 1000, w_ = 5000;
	struct sf_test_out o;
	uint32_t y, u;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(o.ack, x + 1);
	assert_true(o.opts.present & SF_TCPOPT_MSS);
	y = o.seq;
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 1);
	assert_int_equal(sf_app.established, 0);

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	assert_int_equal(sf_app.established, 1);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);

	/* Active close: FIN seq=u, where u = y + 1 (no data sent). */
	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, F | A);
	u = o.seq;
	assert_int_equal(u, y + 1);
	assert_int_equal(o.ack, x + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_1), 1);

	/* The FIN took one sequence number: ACK ack=u+1. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = u + 1,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 1);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);

	/* The peer's FIN seq=w ack=u+1; our ACK seq=u+1 ack=w+1. Here the
	 * peer's FIN is its first byte after the SYN, so w = x + 1. */
	(void)w_;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = u + 1,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, u + 1);
	assert_int_equal(o.ack, x + 1 + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 0);
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_app.why, SF_CLOSE_NORMAL);

	/* 2MSL = 2000 ms in the fixture: held until then, gone after. */
	sf_test_advance_ms(TWO_MSL - 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	assert_int_equal(sf_test_counter("tcp_conns_closed"), 0);
	sf_test_advance_ms(LATE(TWO_MSL) + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_passive_opens"), 1);
	assert_int_equal(sf_test_counter("tcp_conns_closed"), 1);
}

/* Active open: synfin's SYN, the peer's SYN-ACK, our ACK; data both
 * ways; the peer closes first and synfin follows (LAST_ACK). */
static void
test_tcp_active_open_and_passive_close(void **state)
{
	const uint32_t y = 70000;
	struct sf_conn *c;
	struct sf_test_out o;
	uint32_t x;

	(void)state;
	sf_test_learn_peer();
	assert_int_equal(sf_tcp_connect(sf_t.w, 0, 0, 0, SF_TEST_PEER_IP,
					SF_TEST_OUR_PORT, &sf_test_app_ops,
					NULL, &c), 0);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S);
	assert_int_equal(o.dport, SF_TEST_OUR_PORT);
	x = o.seq;
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_SENT), 1);

	/* Segments from the server: its port is our dport. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = SF_TEST_OUR_PORT,
				.dport = o.sport, .seq = y, .ack = x + 1,
				.flags = S | A });
	{
		struct sf_test_out a;
		uint16_t lport = o.sport;

		sf_test_tcp_expect_one(&a);
		assert_int_equal(a.flags, A);
		assert_int_equal(a.seq, x + 1);
		assert_int_equal(a.ack, y + 1);
		assert_int_equal(sf_app.established, 1);

		assert_int_equal(sf_tcp_send_copy(sf_t.w, c, "ping", 4), 4);
		sf_test_tcp_expect_one(&a);
		assert_int_equal(a.flags, A | P);
		assert_int_equal(a.seq, x + 1);
		assert_int_equal(a.len, 4);
		assert_memory_equal(a.data, "ping", 4);

		/* The server answers, acks, and closes: FIN with data. */
		sf_test_tcp_send(&(struct sf_test_seg){
				.sport = SF_TEST_OUR_PORT, .dport = lport,
				.seq = y + 1, .ack = x + 5, .flags = A | F | P,
				.data = "pong", .len = 4 });
		sf_test_tcp_expect_one(&a);
		assert_int_equal(a.flags, A);
		assert_int_equal(a.ack, y + 1 + 4 + 1);
		assert_int_equal(sf_app.rx_len, 4);
		assert_memory_equal(sf_app.rx, "pong", 4);
		assert_int_equal(sf_app.peer_closed, 1);
		assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSE_WAIT), 1);

		assert_int_equal(sf_tcp_close(sf_t.w, c), 0);
		sf_test_tcp_expect_one(&a);
		assert_int_equal(a.flags, F | A);
		assert_int_equal(a.seq, x + 5);
		assert_int_equal(sf_test_tcp_state(SF_TCP_LAST_ACK), 1);
		sf_test_tcp_send(&(struct sf_test_seg){
				.sport = SF_TEST_OUR_PORT, .dport = lport,
				.seq = y + 6, .ack = x + 6, .flags = A });
	}
	assert_int_equal(sf_test_tcp_state(SF_TCP_LAST_ACK), 0);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_app.why, SF_CLOSE_NORMAL);
	assert_int_equal(sf_test_counter("tcp_active_opens"), 1);
}

/* What the app sends from a callback leaves with the reply to the segment
 * that caused it: a request sent on established() rides on handshake 3/3,
 * a response and the close that follows go as one FIN segment; a
 * retransmission of that segment carries the FIN again. */
static void
test_tcp_piggyback(void **state)
{
	const uint32_t y = 70000;
	struct sf_test_out o, a;
	struct sf_conn *c;
	uint32_t x, iss;

	(void)state;
	sf_test_learn_peer();
	sf_app.hello = "GET";
	assert_int_equal(sf_tcp_connect(sf_t.w, 0, 0, 0, SF_TEST_PEER_IP,
					SF_TEST_OUR_PORT, &sf_test_app_ops,
					NULL, &c), 0);
	sf_test_tcp_expect_one(&o);
	x = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = SF_TEST_OUR_PORT,
				.dport = o.sport, .seq = y, .ack = x + 1,
				.flags = S | A });
	sf_test_tcp_expect_one(&a);
	assert_int_equal(a.flags, A | P);
	assert_int_equal(a.seq, x + 1);
	assert_int_equal(a.ack, y + 1);
	assert_int_equal(a.len, 3);
	assert_memory_equal(a.data, "GET", 3);
	sf_tcp_abort(sf_t.w, c);
	sf_test_tx_clear();

	/* Passive side: the answer and the FIN in one segment. */
	sf_app.hello = NULL;
	sf_app.reply = "200";
	sf_app.reply_close = true;
	iss = sf_test_tcp_accept(100);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = iss + 1,
				.flags = A | P, .data = "GET", .len = 3 });
	sf_test_tcp_expect_one(&a);
	assert_int_equal(a.flags, A | P | F);
	assert_int_equal(a.seq, iss + 1);
	assert_int_equal(a.ack, 104);
	assert_int_equal(a.len, 3);
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_1), 1);
	/* Lost: the RTO resends the data with the FIN. */
	sf_test_advance_until_tx(4000);
	sf_test_tcp_expect_one(&a);
	assert_int_equal(a.flags & (P | F), P | F);
	assert_int_equal(a.seq, iss + 1);
	assert_int_equal(a.len, 3);
	/* Data and FIN acked (the FIN takes a sequence number). */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104,
				.ack = iss + 1 + 3 + 1, .flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 1);
	sf_app.reply = NULL;
}

/* An application that never closes keeps the connection in CLOSE_WAIT,
 * whatever the time. */
static void
test_tcp_close_wait_held_by_app(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.ack, 102);
	assert_int_equal(sf_app.peer_closed, 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSE_WAIT), 1);
	sf_test_advance_ms(10 * 60 * 1000);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSE_WAIT), 1);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_app.closed, 0);
}

/* Both FINs cross: FIN_WAIT_1 -> CLOSING -> TIME_WAIT. */
static void
test_tcp_close_simultaneous(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, F | A);
	assert_int_equal(o.seq, y + 1);
	/* The peer's FIN does not ack ours. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, y + 2);
	assert_int_equal(o.ack, 102);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSING), 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102, .ack = y + 2,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	assert_int_equal(sf_app.why, SF_CLOSE_NORMAL);
	sf_test_advance_ms(TWO_MSL + LATE(TWO_MSL) + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
}

/* Our SYN out, the peer's SYN (seq @y) crosses it: our SYN-ACK, in
 * SYN_RCVD (RFC 9293 Figure 7, lines 2-3). Returns our ISS. */
static uint32_t
syns_cross(uint32_t y)
{
	struct sf_test_out o;
	struct sf_conn *c;
	uint32_t x = sf_test_tcp_connect(&c);

	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
						.seq = y, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(o.seq, x);
	assert_int_equal(o.ack, y + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 1);
	return x;
}

/* Both SYNs cross (RFC 9293 Figure 7). */
static void
test_tcp_open_simultaneous(void **state)
{
	struct sf_test_out o;
	uint32_t y = 300, x = syns_cross(y);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
				.seq = y, .ack = x + 1, .flags = S | A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, x + 1);
	assert_int_equal(o.ack, y + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	assert_int_equal(sf_app.established, 1);
}

/* In SYN_RCVD after a simultaneous open, a SYN-ACK that also carries a
 * FIN is no repeat of the peer's SYN-ACK: a challenge ACK (RFC 5961
 * §4.2, as Linux), the connection still in SYN_RCVD, not CLOSE_WAIT. */
static void
test_tcp_open_simultaneous_synfin(void **state)
{
	struct sf_test_out o;
	uint32_t y = 300, x = syns_cross(y);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
			.seq = y, .ack = x + 1, .flags = S | A | F });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSE_WAIT), 0);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 1);
}

/* A SYN-ACK with data: RFC 9293 §3.10.7.3 goes on at the sixth step
 * once ESTABLISHED, so the text is taken and acked with the handshake's
 * ACK. (A SYN with FIN is dropped before with tcp.drop_synfin on, the
 * default: tcp_drop_flags.) */
static void
test_tcp_synack_with_data(void **state)
{
	struct sf_test_out o;
	struct sf_conn *c;
	uint32_t x, y = 300;

	(void)state;
	x = sf_test_tcp_connect(&c);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
				.seq = y, .ack = x + 1, .flags = S | A,
				.data = "abc", .len = 3 });
	assert_int_equal(sf_app.established, 1);
	assert_int_equal(sf_app.rx_len, 3);
	assert_memory_equal(sf_app.rx, "abc", 3);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, x + 1);
	assert_int_equal(o.ack, y + 1 + 3);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
}

/* A RST in SYN-RECEIVED reached from SYN-SENT: the connection was
 * refused (RFC 9293 §3.10.7.4, second check), not reset, as after a RST
 * to our SYN. From LISTEN it would go back quietly. */
static void
test_tcp_open_simultaneous_refused(void **state)
{
	struct sf_test_out o;
	struct sf_conn *c;
	uint32_t y = 300;

	(void)state;
	sf_test_tcp_connect(&c);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
						.seq = y, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
						.seq = y + 1, .flags = R });
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_app.why, SF_CLOSE_REFUSED);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 0);
}

/* Half-close: after our FIN the peer may still send, and we deliver. */
static void
test_tcp_half_close(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	assert_int_equal(sf_tcp_shutdown(sf_t.w, sf_app.conn), 0);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, F | A);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
				.flags = A | P, .data = "still here",
				.len = 10 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 111);
	assert_int_equal(sf_app.rx_len, 10);
	assert_memory_equal(sf_app.rx, "still here", 10);
	/* Sending after shutdown is refused. */
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, "x", 1),
			 -EPIPE);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 111, .ack = y + 2,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 112);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	assert_int_equal(sf_app.peer_closed, 1);
}

/* Graceful close sends every queued byte before the FIN, and the FIN's
 * sequence number follows the data. */
static void
test_tcp_close_sends_queued_data(void **state)
{
	static uint8_t big[5000];
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100), seq, i, n = 0;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, big,
					  sizeof(big)), sizeof(big));
	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_worker_flush(sf_t.w);
	seq = y + 1;
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		assert_int_equal(o.seq, seq);
		if (o.flags & F) {
			assert_int_equal(i, sf_t.ncap - 1);
			assert_int_equal(o.len, 0);
			break;
		}
		assert_memory_equal(o.data, big + (seq - y - 1), o.len);
		seq += o.len;
		n += o.len;
	}
	assert_int_equal(n, sizeof(big));
	assert_int_equal(o.flags, F | A);
	assert_int_equal(o.seq, y + 1 + 5000);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
				.ack = y + 1 + 5000 + 1, .flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 1);
}

/* From a passive open (peer ISN 100), synfin closes first and the
 * peer's FIN acks ours: TIME_WAIT, RCV.NXT 102. Returns our ISS. */
static uint32_t
timewait_enter(void)
{
	uint32_t y = sf_test_tcp_accept(100);

	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = F | A });
	sf_test_tx_clear();
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	return y;
}

/* The one segment TIME_WAIT sent: its ACK, at SND.NXT (our ISS @y + 2),
 * of RCV.NXT 102. */
static void
timewait_expect_ack(uint32_t y)
{
	struct sf_test_out o;

	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, y + 2);
	assert_int_equal(o.ack, 102);
}

/* A retransmitted FIN in TIME_WAIT is acked again and restarts 2MSL;
 * a RST is ignored (RFC 1337). */
static void
test_tcp_timewait_fin_retransmit_and_rst(void **state)
{
	uint32_t y = timewait_enter();

	(void)state;
	sf_test_advance_ms(1500);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = F | A });
	timewait_expect_ack(y);

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102, .flags = R });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_rst"), 1);

	/* 2MSL counts again from the retransmitted FIN: 1500 ms in, the
	 * original deadline passes and the record stays. */
	sf_test_advance_ms(TWO_MSL - 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	sf_test_advance_ms(LATE(TWO_MSL) + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
}

/* TIME_WAIT and segments without ACK (RFC 9293 §3.10.7.4): one inside
 * the window is acceptable and then dropped for its missing ACK (fifth
 * check), unanswered; one outside it is answered with an ACK (first
 * check). */
static void
test_tcp_timewait_segments_without_ack(void **state)
{
	uint32_t y = timewait_enter();

	(void)state;
	/* RCV.NXT is 102, the window 65535: in it, no answer */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102, .flags = F });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 103, .flags = F });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102 + 65534,
						.flags = F });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102, .flags = P,
						.data = "x", .len = 1 });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_noack"), 4);

	/* past the right edge, and before the left: an ACK each */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102 + 65535,
						.flags = F });
	timewait_expect_ack(y);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 90, .flags = P,
						.data = "x", .len = 1 });
	timewait_expect_ack(y);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
}

/* A SYN-ACK in TIME_WAIT, even at RCV.NXT: RFC 5961 §4.2 (RFC 9293
 * §3.10.7.4, fourth check) answers any SYN in a synchronized state with
 * a challenge ACK. */
static void
test_tcp_timewait_synack_challenged(void **state)
{
	uint32_t y = timewait_enter();

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102, .ack = 0,
						.flags = S | A });
	timewait_expect_ack(y);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
}

/* RFC 6191: a SYN with a higher sequence number reopens the tuple. */
static void
test_tcp_timewait_reuse_by_newer_syn(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = F | A });
	sf_test_tx_clear();
	/* An old SYN (not beyond rcv_nxt) is answered with the TW ACK. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 50, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	/* A newer one starts a new connection. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100000, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(o.ack, 100001);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 1);
	assert_int_equal(sf_test_counter("tcp_tw_reused"), 1);
}

/* Open from @sport, close first, and take the peer's FIN: TIME_WAIT
 * (or closed at once, when no record is free). */
static void
tw_one(uint16_t sport, uint32_t irs)
{
	struct sf_test_out o;
	uint32_t iss;

	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport, .seq = irs,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	iss = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport,
				.seq = irs + 1, .ack = iss + 1, .flags = A });
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport,
				.seq = irs + 1, .ack = iss + 2, .flags = F | A });
	sf_worker_flush(sf_t.w);
	sf_test_tx_clear();
}

/* The TIME_WAIT records (16 in the fixture) form a ring in deadline
 * order: a full ring closes newcomers without TIME_WAIT and keeps the
 * old records; a record reused early leaves a hole that the ring fills
 * again when it wraps; each record lasts its own 2MSL. */
static void
test_tcp_timewait_ring(void **state)
{
	struct sf_test_out o;
	unsigned int i;

	(void)state;
	for (i = 0; i < 16; i++)
		tw_one(41000 + i, 100);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 16);
	sf_test_advance_ms(1000);
	tw_one(41016, 100);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 16);
	assert_int_equal(sf_test_counter("tcp_tw_full"), 1);
	/* An old record still answers for its tuple. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 41005, .seq = 50,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.ack, 102);

	/* A newer SYN reuses a record in the middle; the new connection
	 * ends in TIME_WAIT a second later than the others. */
	tw_one(41003, 100000);
	assert_int_equal(sf_test_counter("tcp_tw_reused"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 16);
	sf_test_advance_ms(TWO_MSL - 1000 + LATE(TWO_MSL) + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	sf_test_advance_ms(1000);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);

	/* Round again over the slots let go, the hole's among them. */
	for (i = 0; i < 16; i++)
		tw_one(42000 + i, 100);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 16);
	assert_int_equal(sf_test_counter("tcp_tw_full"), 1);
	sf_test_advance_ms(TWO_MSL + LATE(TWO_MSL) + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
}

/* RST handling (RFC 9293 §3.10.7.4 with RFC 5961 §3.2). */
static void
test_tcp_rst_cases(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	/* In the window but not exact: challenge ACK, connection stays. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 500, .flags = R });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, y + 1);
	assert_int_equal(o.ack, 101);
	assert_int_equal(sf_test_counter("tcp_challenge_acks"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	/* Outside the window: dropped, no reply. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100 + 1000000,
						.flags = R });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	/* A SYN on an established connection: challenge ACK. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(sf_test_counter("tcp_challenge_acks"), 2);
	/* Exact: the connection is reset, and no RST answers a RST. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .flags = R });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_app.why, SF_CLOSE_RST_RCVD);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 0);
	assert_int_equal(sf_test_counter("tcp_estab_resets"), 1);
}

/* No connection (RFC 9293 §3.10.7.1). */
static void
test_tcp_closed_port_rst(void **state)
{
	struct sf_test_out o;

	(void)state;
	/* SYN: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
	sf_test_tcp_send(&(struct sf_test_seg){ .dport = 81, .seq = 7000,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R | A);
	assert_int_equal(o.seq, 0);
	assert_int_equal(o.ack, 7001);
	/* ACK: <SEQ=SEG.ACK><CTL=RST>. */
	sf_test_tcp_send(&(struct sf_test_seg){ .dport = 81, .seq = 7000,
						.ack = 4242, .flags = A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R);
	assert_int_equal(o.seq, 4242);
	/* RST: nothing. */
	sf_test_tcp_send(&(struct sf_test_seg){ .dport = 81, .seq = 7000,
						.flags = R });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_no_conn"), 3);
	assert_int_equal(sf_test_counter("tcp_tx_rst"), 2);
}

/* Queue pairing: on queue 1 of 2, the flows whose client port is odd are
 * ours. The client's port is the peer's toward a listener, ours
 * otherwise. Another worker's segment is counted and handled as usual. */
static void
test_tcp_queue_pairing_misdelivered(void **state)
{
	struct sf_test_out o;

	(void)state;
	sf_t.wp->nb_paired = 2;
	sf_t.wp->queue_id = 1;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40001, .seq = 100,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(sf_test_counter("tcp_misdelivered"), 0);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40000, .seq = 200,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(sf_test_counter("tcp_misdelivered"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 2);
	/* No listener on 40002: our port is the client's, an even one. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 80, .dport = 40002,
						.seq = 300, .ack = 1,
						.flags = A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R);
	assert_int_equal(sf_test_counter("tcp_misdelivered"), 2);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 80, .dport = 40003,
						.seq = 300, .ack = 1,
						.flags = A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(sf_test_counter("tcp_misdelivered"), 2);
	assert_int_equal(sf_test_counter("tcp_drop_no_conn"), 2);
	/* Without pairing nothing is owned elsewhere. */
	sf_t.wp->nb_paired = 0;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40004, .seq = 400,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(sf_test_counter("tcp_misdelivered"), 2);
}

/* SYN_SENT: RST+ACK means refused; a bad ACK draws a RST. */
static void
test_tcp_syn_sent_refused(void **state)
{
	struct sf_test_out o;
	struct sf_conn *c;
	uint32_t x;

	(void)state;
	sf_test_learn_peer();
	sf_tcp_connect(sf_t.w, 0, 0, 5555, SF_TEST_PEER_IP, 6666,
		       &sf_test_app_ops, NULL, &c);
	sf_test_tcp_expect_one(&o);
	x = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
				.seq = 9, .ack = x + 77, .flags = A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R);
	assert_int_equal(o.seq, x + 77);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_SENT), 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
				.seq = 0, .ack = x + 1, .flags = R | A });
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_app.why, SF_CLOSE_REFUSED);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_SENT), 0);
	assert_int_equal(sf_test_counter("tcp_attempt_fails"), 1);
}

/* RFC 6298: retransmission after RTO, doubling, abort after the retry
 * budget with a reason. */
static void
test_tcp_retransmit_backoff_abort(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100), rto = 200, i;

	(void)state;
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, "hello", 5), 5);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 1);
	/* The handshake's RTT sample (0 ms: the ACK came at once) puts the
	 * RTO at its floor, rto_min 200 ms (RFC 6298 (2.2), (2.4)). */
	for (i = 0; i < 8; i++) {
		expect_tx_after(rto);
		sf_test_tcp_expect_one(&o);
		assert_int_equal(o.seq, y + 1);
		assert_int_equal(o.len, 5);
		assert_memory_equal(o.data, "hello", 5);
		rto = RTE_MIN(rto * 2, 60000u);	/* rto_max_ms */
	}
	assert_int_equal(sf_test_counter("tcp_retransmits"), 8);
	sf_test_advance_ms(rto - 1);
	assert_int_equal(sf_app.closed, 0);
	sf_test_advance_ms(LATE(rto) + 1);
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_app.why, SF_CLOSE_RTO_EXHAUSTED);
	assert_int_equal(sf_test_counter("tcp_rto_aborts"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 0);
}

/* RFC 6298 §2: without timestamps the handshake is timed too, from our
 * SYN-ACK (passive) or SYN (active) to the segment that acks it: 100 ms
 * gives SRTT 100, RTTVAR 50, an RTO of 300 ms, not the initial 1 s. A
 * retransmitted SYN gives no sample (Karn). */
static void
test_tcp_handshake_rtt_sample(void **state)
{
	struct sf_test_out o;
	struct sf_conn *c;
	uint32_t x, y = sf_test_tcp_accept_rtt(100, 100);

	(void)state;
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "abc", 3);
	sf_test_tx_clear();
	expect_tx_after(300);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 1);

	/* active open, the SYN-ACK 100 ms after the SYN */
	x = sf_test_tcp_connect(&c);
	sf_test_advance_ms(100);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
				.seq = 300, .ack = x + 1, .flags = S | A });
	sf_test_tx_clear();
	sf_tcp_send_copy(sf_t.w, c, "abc", 3);
	sf_test_tx_clear();
	expect_tx_after(300);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, x + 1);
	assert_int_equal(o.dport, 6666);
}

/* Karn (RFC 6298 §3) in the handshake: a SYN-ACK sent again (here in
 * answer to a repeated SYN) leaves the handshake ambiguous, so it gives
 * no sample and the RTO stays at its initial 1 s. */
static void
test_tcp_handshake_rtt_karn(void **state)
{
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = sf_test_tcp_syn(100);
	sf_test_advance_ms(50);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	sf_test_advance_ms(50);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "abc", 3);
	sf_test_tx_clear();
	expect_tx_after(1000);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 1);
}

/* Retransmission then ACK: Karn's rule keeps the retransmitted segment
 * out of the RTT estimate, and the backed-off RTO stays until a fresh
 * sample. */
static void
test_tcp_retransmit_then_ack(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "abc", 3);
	sf_test_tx_clear();
	expect_tx_after(200);	/* rto_min after the handshake's sample */
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 4,
						.flags = A });
	sf_test_advance_ms(5000);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
}

/* Zero window: nothing sent into it; probes at RTO; data flows when the
 * window opens (RFC 9293 §3.8.6.1). */
static void
test_tcp_zero_window(void **state)
{
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = sf_test_tcp_syn(100);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd_zero = true });
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "data", 4);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	expect_tx_after(200);	/* the RTO: the handshake's sample, 0 ms */
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.seq, y);	/* snd_una - 1 */
	assert_int_equal(sf_test_counter("tcp_window_probes"), 1);
	/* The answer opens the window: data goes. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A, .wnd = 1000 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, 4);
	assert_int_equal(o.seq, y + 1);
}

/* Out-of-order data is held and delivered in order once the hole
 * fills; each out-of-order segment draws an immediate duplicate ACK. */
static void
test_tcp_out_of_order(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104, .ack = y + 1,
				.flags = A, .data = "def", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 101);
	assert_int_equal(sf_app.rx_len, 0);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abc", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 107);
	assert_int_equal(sf_app.rx_len, 6);
	assert_memory_equal(sf_app.rx, "abcdef", 6);
	assert_int_equal(sf_test_counter("tcp_ooo_queued"), 1);
}

/* An orphaned FIN_WAIT_2 ends after fin_wait_2_ms with a RST. */
static void
test_tcp_fin_wait_2_timeout(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 1);
	expect_tx_after(60000);
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 0);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & R, R);
	assert_int_equal(sf_app.why, SF_CLOSE_FIN_WAIT_2_TIMEOUT);
	assert_int_equal(sf_test_counter("tcp_fw2_timeouts"), 1);
}

/* A SYN_RCVD that never completes: SYN-ACK resent syn_retries times,
 * then forgotten; the app never heard of it. */
static void
test_tcp_syn_rcvd_timeout(void **state)
{
	struct sf_test_out o;
	uint32_t i, rto = 1000;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S });
	sf_test_tx_clear();
	for (i = 0; i < 5; i++) {
		expect_tx_after(rto);
		sf_test_tcp_expect_one(&o);
		assert_int_equal(o.flags, S | A);
		rto = RTE_MIN(rto * 2, 60000u);
	}
	sf_test_advance_ms(rto + LATE(rto) + 1);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 0);
	assert_int_equal(sf_app.closed, 0);
	assert_int_equal(sf_test_counter("tcp_attempt_fails"), 1);
}

/* A full table refuses the newcomer and keeps everyone else. */
static void
test_tcp_table_full(void **state)
{
	struct sf_test_out o;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 16; p++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .sport = p,
					.seq = 100, .flags = S });
		sf_test_tcp_expect_one(&o);
		assert_int_equal(o.flags, S | A);
	}
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 17, .seq = 100,
						.flags = S });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_table_full"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 16);
	/* An old one still completes. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 3, .seq = 100,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 3, .seq = 101,
				.ack = o.seq + 1, .flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
}

/* Malformed segments are counted and dropped without a reply. */
static void
test_tcp_malformed(void **state)
{
	static const uint8_t bad_opt[4] = { 2, 0, 0, 0 };	/* len 0 */

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 1, .flags = S,
						.bad_csum = true });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 1, .flags = S,
				.opts = bad_opt, .optlen = 4 });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 1, .flags = S | F });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 1, .flags = S | R });
	/* shorter than a TCP header: counted, and its mbuf freed (the
	 * teardown finds any leak) */
	sf_test_input(sf_test_ipv4(&(struct sf_test_ip){
				.proto = IPPROTO_TCP }, bad_opt, 4));
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_short"), 1);
	assert_int_equal(sf_test_counter("tcp_drop_csum"), 1);
	assert_int_equal(sf_test_counter("tcp_drop_opts"), 1);
	assert_int_equal(sf_test_counter("tcp_drop_flags"), 2);
	assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_RCVD), 0);
}

/* Options are negotiated from the SYN (RFC 7323, RFC 2018). */
static void
test_tcp_options_negotiated(void **state)
{
	static const uint8_t syn_opts[20] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0,	/* SACKOK, TS 9 */
		1, 3, 3, 7,			/* NOP, WS 7 */
	};
	struct sf_tcp_conf conf;
	struct sf_test_out o;

	(void)state;
	sf_test_tcp_teardown(NULL);
	sf_test_tcp_conf(&conf);
	conf.ts_on = conf.sack_on = conf.wscale_on = true;
	assert_int_equal(sf_test_tcp_setup_conf(&conf), 0);
	sf_tcp_listen(sf_t.w, SF_TEST_OUR_PORT, &sf_test_app_ops);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = syn_opts, .optlen = 20 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.opts.present & (SF_TCPOPT_MSS | SF_TCPOPT_TS |
					   SF_TCPOPT_SACKOK |
					   SF_TCPOPT_WSCALE),
			 SF_TCPOPT_MSS | SF_TCPOPT_TS | SF_TCPOPT_SACKOK |
			 SF_TCPOPT_WSCALE);
	assert_int_equal(o.opts.tsecr, 9);
	assert_int_equal(o.opts.wscale, 7);
}

static int
setup_listen_sack_conf(bool tlp)
{
	struct sf_tcp_conf conf;

	sf_test_tcp_conf(&conf);
	conf.tlp_on = tlp;
	conf.sack_on = true;
	conf.keepalive_ms = 10000;
	conf.keepalive_intvl_ms = 1000;
	conf.keepalive_probes = 3;
	return sf_test_tcp_setup_listen_conf(&conf);
}

static int
setup_listen_sack(void **state)
{
	(void)state;
	return setup_listen_sack_conf(true);
}

/* For the retransmission timer's own behaviour: no tail loss probe. */
static int
setup_listen_sack_notlp(void **state)
{
	(void)state;
	return setup_listen_sack_conf(false);
}

static const uint8_t sackok_opts[4] = { 1, 1, 4, 2 };	/* NOP NOP SACKOK */

static uint32_t
accept_sack(void)
{
	struct sf_test_out o;
	uint32_t y;

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = sackok_opts, .optlen = 4 });
	sf_test_tcp_expect_one(&o);
	assert_true(o.opts.present & SF_TCPOPT_SACKOK);
	y = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	sf_test_tx_clear();
	return y;
}

/* RFC 2018: the ACK for out-of-order data reports it in SACK blocks,
 * newest first. */
static void
test_tcp_sack_blocks_sent(void **state)
{
	struct sf_test_out o;
	uint32_t y = accept_sack();

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 111, .ack = y + 1,
				.flags = A, .data = "klm", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 101);
	assert_true(o.opts.present & SF_TCPOPT_SACK);
	assert_int_equal(o.opts.nb_sack, 1);
	assert_int_equal(o.opts.sack[0].left, 111);
	assert_int_equal(o.opts.sack[0].right, 114);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104, .ack = y + 1,
				.flags = A, .data = "def", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.opts.nb_sack, 2);
	assert_int_equal(o.opts.sack[0].left, 104);	/* newest first */
	assert_int_equal(o.opts.sack[1].left, 111);
	/* Filling the first hole leaves one block. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abc", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 107);
	assert_int_equal(o.opts.nb_sack, 1);
	assert_int_equal(o.opts.sack[0].left, 111);
}

/* RFC 2018 §4: after the newest, the blocks go in the order they were
 * last reported ("repeating the most recently reported SACK blocks"),
 * not in sequence order: arrivals at 104, 111, 121 (three blocks), then
 * 131 gives 131, 121, 111, 104. */
static void
test_tcp_sack_blocks_recent_order(void **state)
{
	static const uint32_t at[4] = { 104, 111, 121, 131 };
	struct sf_test_out o;
	uint32_t y = accept_sack(), i;

	(void)state;
	for (i = 0; i < 4; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = at[i],
				.ack = y + 1, .flags = A, .data = "xyz",
				.len = 3 });
		sf_test_tcp_expect_one(&o);
	}
	assert_int_equal(o.opts.nb_sack, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(o.opts.sack[i].left, at[3 - i]);
	/* 111 again, a duplicate: a D-SACK of it, then its block (RFC 2883
	 * §4), then the others in their order; the oldest drops out. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 111, .ack = y + 1,
				.flags = A, .data = "xyz", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.opts.nb_sack, 4);
	assert_int_equal(o.opts.sack[0].left, 111);
	assert_int_equal(o.opts.sack[0].right, 114);
	assert_int_equal(o.opts.sack[1].left, 111);
	assert_int_equal(o.opts.sack[2].left, 131);
	assert_int_equal(o.opts.sack[3].left, 121);
	/* reported once: 104 arrives again, its D-SACK and block first */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104, .ack = y + 1,
				.flags = A, .data = "xyz", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.opts.sack[0].left, 104);	/* D-SACK */
	assert_int_equal(o.opts.sack[1].left, 104);
	assert_int_equal(o.opts.sack[2].left, 111);
}

/* Arrivals that grow one block count once in the recency order: after
 * blocks at 104, 111 and 121, four arrivals extending the 131 block
 * leave 121 and 111 second and third (RFC 2018 §4), not the lowest. */
static void
test_tcp_sack_blocks_one_block_grows(void **state)
{
	static const uint32_t at[7] = { 104, 111, 121, 131, 134, 137, 140 };
	struct sf_test_out o;
	uint32_t y = accept_sack(), i;

	(void)state;
	for (i = 0; i < 7; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = at[i],
				.ack = y + 1, .flags = A, .data = "xyz",
				.len = 3 });
		sf_test_tcp_expect_one(&o);
	}
	assert_int_equal(o.opts.nb_sack, 4);
	assert_int_equal(o.opts.sack[0].left, 131);
	assert_int_equal(o.opts.sack[0].right, 143);
	assert_int_equal(o.opts.sack[1].left, 121);
	assert_int_equal(o.opts.sack[2].left, 111);
	assert_int_equal(o.opts.sack[3].left, 104);
}

/* A D-SACK goes in one segment only (RFC 2883 §4): the app's reply of
 * several segments to a segment partly old carries it in the first. */
static void
test_tcp_sack_dsack_once_per_reply(void **state)
{
	static char big[3001];
	struct sf_test_out o;
	uint32_t y = accept_sack(), i, n = 0;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abc", .len = 3 });
	sf_test_tx_clear();
	memset(big, 'r', sizeof(big) - 1);
	sf_app.reply = big;
	/* half old, half new: the app answers the new half */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abcdef", .len = 6 });
	sf_app.reply = NULL;
	sf_worker_flush(sf_t.w);
	assert_true(sf_t.ncap >= 3);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		if (o.opts.nb_sack != 0) {
			assert_int_equal(o.opts.sack[0].left, 101);
			n++;
		}
	}
	assert_int_equal(n, 1);
	/* the first is 12 bytes short for its option (RFC 6691), the
	 * next full */
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.len, 536 - 12);
	sf_test_tcp_out(1, &o);
	assert_int_equal(o.len, 536);
}

/* A flood of old duplicates gets its ACKs, D-SACKs and all, within the
 * rate limit of RFC 5961 §7: the D-SACK does not buy an ACK past it. */
static int
setup_listen_sack_ratelimit(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.sack_on = true;
	conf.ack_ratelimit = 1;		/* 100 a second for these */
	return sf_test_tcp_setup_listen_conf(&conf);
}

static void
test_tcp_sack_dsack_rate_limited(void **state)
{
	uint32_t y = accept_sack(), i, sent = 0;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abc", .len = 3 });
	sf_test_tx_clear();
	for (i = 0; i < 500; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
				.ack = y + 1, .flags = A, .data = "abc",
				.len = 3 });
		sf_worker_flush(sf_t.w);
		sent += sf_t.ncap;
		sf_test_tx_clear();
	}
	assert_true(sent > 0 && sent <= 100);
}

/* RFC 2883 §4: data below rcv_nxt arriving again (a needless resend)
 * is reported in a D-SACK block of the ACK it gets, once; a segment
 * partly old reports its old part. */
static void
test_tcp_sack_dsack_sent(void **state)
{
	struct sf_test_out o;
	uint32_t y = accept_sack();

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abcdef", .len = 6 });
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abc", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 107);
	assert_int_equal(o.opts.nb_sack, 1);
	assert_int_equal(o.opts.sack[0].left, 101);
	assert_int_equal(o.opts.sack[0].right, 104);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104, .ack = y + 1,
				.flags = A, .data = "defghi", .len = 6 });
	sf_worker_flush(sf_t.w);
	sf_test_tcp_out(sf_t.ncap - 1, &o);
	sf_test_tx_clear();
	assert_int_equal(o.ack, 110);
	assert_int_equal(o.opts.nb_sack, 1);
	assert_int_equal(o.opts.sack[0].left, 104);
	assert_int_equal(o.opts.sack[0].right, 107);
	/* the next ACK carries none */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 110, .ack = y + 1,
				.flags = A, .data = "j", .len = 1 });
	sf_worker_flush(sf_t.w);
	if (sf_t.ncap == 0)
		sf_test_advance_until_tx(1000);
	sf_test_tcp_out(sf_t.ncap - 1, &o);
	assert_int_equal(o.opts.nb_sack, 0);
}

/* The peer's SACKs steer the retransmission past what it holds;
 * impossible blocks are ignored. */
static void
test_tcp_sack_used_in_retransmission(void **state)
{
	uint8_t sack_opts[12] = { 1, 1, 5, 10 };
	uint8_t bad_opts[12] = { 1, 1, 5, 10 };
	struct sf_test_out o;
	uint32_t y = accept_sack(), i, v;
	char buf[100];

	(void)state;
	memset(buf, 'z', sizeof(buf));
	for (i = 0; i < 4; i++)
		sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 4);
	sf_test_tx_clear();
	/* A block beyond anything sent is nonsense: ignored. */
	v = rte_cpu_to_be_32(y + 1000);
	memcpy(bad_opts + 4, &v, 4);
	v = rte_cpu_to_be_32(y + 2000);
	memcpy(bad_opts + 8, &v, 4);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .opts = bad_opts, .optlen = 12 });
	/* Segment 1 acked; 3 and 4 SACKed; 2 is the hole. */
	v = rte_cpu_to_be_32(y + 201);
	memcpy(sack_opts + 4, &v, 4);
	v = rte_cpu_to_be_32(y + 401);
	memcpy(sack_opts + 8, &v, 4);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 101,
				.flags = A, .opts = sack_opts, .optlen = 12 });
	/* RACK (RFC 8985 §6.2): the hole, sent before SACKed data, is
	 * lost once the reordering window (SRTT / 4) has passed, long
	 * before the RTO; it alone goes. */
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_true(sf_test_advance_until_tx(1200) <= 2);
	assert_int_equal(sf_test_counter("tcp_rack_lost"), 1);
	assert_int_equal(sf_t.ncap, 1);
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.seq, y + 101);
	assert_int_equal(o.len, 100);
	sf_test_tx_clear();
	/* That resend is lost too: recovery probes, then the RTO, whose
	 * go-back-N skips what the peer holds. */
	for (i = 0; i < 8 && sf_test_counter("tcp_rto_timeouts") == 0; i++) {
		sf_test_advance_until_tx(70000);
		sf_test_advance_ms(5);
		assert_int_equal(sf_t.ncap, 1);
		sf_test_tcp_out(0, &o);
		assert_int_equal(o.seq, y + 101);
		assert_int_equal(o.len, 100);
		sf_test_tx_clear();
	}
	assert_int_equal(sf_test_counter("tcp_rto_timeouts"), 1);
	assert_true(sf_test_counter("tcp_sack_rexmit_skips") >= 1);
	v = (uint32_t)sf_test_counter("tcp_retransmits");
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 401,
						.flags = A });
	sf_test_advance_ms(10000);
	sf_worker_flush(sf_t.w);
	/* Nothing left to resend; only keepalive could speak, later. */
	assert_int_equal(sf_test_counter("tcp_retransmits"), v);
}

/* On a two-way stream the peer's duplicate ACKs carry data; growing SACK
 * blocks make them count (RFC 6675), so the hole is resent at the third
 * one without waiting for the timer. */
static void
test_tcp_sack_fast_retransmit_with_data(void **state)
{
	uint8_t opts[12] = { 1, 1, 5, 10 };
	struct sf_test_out o;
	uint32_t y = accept_sack(), i, v, rexmit = 0;
	char buf[100];

	(void)state;
	memset(buf, 'q', sizeof(buf));
	for (i = 0; i < 5; i++)
		sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_test_tx_clear();
	/* Segment 1 is acked; segment 2 is lost; 3, 4 and 5 arrive and
	 * are SACKed by ACKs that carry the peer's own data. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 101,
						.flags = A });
	sf_test_tx_clear();
	for (i = 0; i < 3; i++) {
		v = rte_cpu_to_be_32(y + 201);
		memcpy(opts + 4, &v, 4);
		v = rte_cpu_to_be_32(y + 301 + 100 * i);
		memcpy(opts + 8, &v, 4);
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101 + 3 * i,
				.ack = y + 101, .flags = A, .opts = opts,
				.optlen = 12, .data = "abc", .len = 3 });
	}
	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		if (o.len == 100) {
			assert_int_equal(o.seq, y + 101);
			rexmit++;
		}
	}
	assert_int_equal(rexmit, 1);
	assert_int_equal(sf_test_counter("tcp_rto_timeouts"), 0);
	assert_int_equal(sf_app.rx_len, 9);
}

/* RFC 8985 §7: a silent tail is probed after 2 SRTT + 2 ms (as Linux),
 * long before the RTO, and the probe's ACK ends the matter. (More than one
 * MSS is out: with less, the peer may be delaying its ACK, and the
 * probe would wait as long as the RTO; test_tcp_edges covers that.) */
static void
test_tcp_tail_loss_probe(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept_rtt(100, 2), t;
	char buf[400];

	(void)state;
	memset(buf, 't', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_test_tx_clear();
	sf_test_advance_ms(2);
	/* The ACK gives an RTT sample; two more segments are then lost. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 101,
						.flags = A });
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 400);
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 400);
	sf_test_tx_clear();
	t = (uint32_t)sf_test_advance_until_tx(1000);
	assert_true(t >= 6 && t <= 7);		/* SRTT 2 ms */
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 901 - 536);	/* the last mss-worth */
	assert_int_equal(o.len, 536);
	assert_int_equal(sf_test_counter("tcp_loss_probes"), 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 901,
						.flags = A });
	sf_test_advance_ms(3000);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_rto_timeouts"), 0);
}

/* RFC 1122 §4.2.3.6 keepalive: probes after the idle time, the
 * connection survives an answer and dies after unanswered probes. */
static void
test_tcp_keepalive(void **state)
{
	struct sf_test_out o;
	uint32_t y = accept_sack(), i;

	(void)state;
	expect_tx_after(10000);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, y);	/* snd_una - 1: demands an ACK */
	/* The answer resets the idle clock. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	sf_test_advance_ms(9000);
	assert_int_equal(sf_t.ncap, 0);
	for (i = 0; i < 3; i++) {
		sf_test_advance_until_tx(i == 0 ? 2300 : 1200);
		sf_test_tcp_expect_one(&o);
		assert_int_equal(o.flags, A);
	}
	sf_test_advance_until_tx(1200);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & R, R);
	assert_int_equal(sf_app.why, SF_CLOSE_KEEPALIVE_TIMEOUT);
	assert_int_equal(sf_test_counter("tcp_keepalive_probes"), 4);
}

/* Active open with window scaling: the window we offer after the
 * handshake is our buffer, scaled (RFC 7323 §2.3). */
static void
test_tcp_active_open_window_scaled(void **state)
{
	static const uint8_t synack_opts[8] = {
		2, 4, 0x05, 0xb4, 1, 3, 3, 10 };	/* MSS, NOP, WS 10 */
	struct sf_tcp_conf conf;
	struct sf_test_out o;
	struct sf_conn *c;

	(void)state;
	sf_test_tcp_teardown(NULL);
	sf_test_tcp_conf(&conf);
	conf.wscale_on = true;
	assert_int_equal(sf_test_tcp_setup_conf(&conf), 0);
	sf_test_learn_peer();
	sf_tcp_connect(sf_t.w, 0, 0, 5555, SF_TEST_PEER_IP, 6666,
		       &sf_test_app_ops, NULL, &c);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.opts.wscale, 7);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
				.seq = 3000000000u, .ack = o.seq + 1,
				.flags = S | A, .opts = synack_opts,
				.optlen = 8 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.wnd, conf.rcvbuf >> 7);
}

/* ---- malformed input (issue 6, part 2) ---------------------------- */

/* A tiny peer MSS is raised to Linux's floor of 48, an MSS of 0 is taken
 * as none (536, RFC 9293 §3.7.1); both are counted. */
static void
test_tcp_mss_floor(void **state)
{
	static const uint8_t mss10[4] = { 2, 4, 0, 10 };
	static const uint8_t mss0[4] = { 2, 4, 0, 0 };
	static const uint8_t data[1000];
	struct sf_test_out o;
	struct sf_conn *c;
	uint32_t y;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = mss10, .optlen = 4 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(sf_test_counter("tcp_rx_mss_low"), 1);
	y = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	c = sf_app.conn;
	assert_non_null(c);
	assert_int_equal(sf_tcp_send_copy(sf_t.w, c, data, 200), 200);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 5);		/* 4 x 48 + 8 */
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.len, 48);
	sf_test_tcp_out(4, &o);
	assert_int_equal(o.len, 8);
	sf_test_tx_clear();

	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40001, .seq = 500,
				.flags = S, .opts = mss0, .optlen = 4 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(sf_test_counter("tcp_rx_mss_low"), 2);
	y = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40001, .seq = 501,
				.ack = y + 1, .flags = A });
	c = sf_app.conn;
	assert_int_equal(sf_tcp_send_copy(sf_t.w, c, data, 1000), 1000);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 2);		/* 536 + 464 */
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.len, 536);
}

/* One segment from several queued mbufs of odd lengths, the third a slice
 * of a master with a checksum table (as the HTTP server's body): the bytes
 * arrive in order, and sf_test_tcp_out checks the checksum. 238 bytes are
 * copied behind the headers and summed piece by piece; 510 are attached. */
static void
send_pieces(const char *pool, const uint16_t *lens, uint32_t nb,
	    bool pinned)
{
	struct rte_mbuf *head = NULL, *m, *master;
	struct rte_mempool *mp, *rp = NULL;
	struct sf_test_out o;
	uint8_t want[1024], *p;
	uint32_t i, off = 0;

	sf_test_tcp_accept(100);
	mp = rte_pktmbuf_pool_create(pool, 2, 0, SF_CKSUM_PRIV_SIZE,
				     2048 + SF_CKSUM_TABLE_ROOM(2048),
				     SOCKET_ID_ANY);
	assert_non_null(mp);
	master = rte_pktmbuf_alloc(mp);
	assert_non_null(master);
	master->data_off = 0;
	p = (uint8_t *)rte_pktmbuf_append(master, 2048);
	assert_non_null(p);
	for (i = 0; i < 2048; i++)
		p[i] = (uint8_t)(i * 7 + i / 256);
	assert_int_equal(sf_cksum_table_attach(master), 0);
	for (i = 0; i < nb; i++) {
		m = rte_pktmbuf_alloc(sf_t.pool);
		assert_non_null(m);
		if (i == 2 && pinned) {
			rte_pktmbuf_free(m);
			rp = sf_mbuf_ref_pool_create("t_refs", 15,
						     SOCKET_ID_ANY);
			assert_non_null(rp);
			m = sf_mbuf_ref(rp, master, 7, lens[i]);
			assert_non_null(m);
			assert_ptr_equal(sf_mbuf_ref_master(m), master);
			memcpy(want + off, p + 7, lens[i]);
		} else if (i == 2) {
			rte_pktmbuf_attach(m, master);
			m->data_off = 7;
			m->data_len = lens[i];
			m->pkt_len = lens[i];
			memcpy(want + off, p + 7, lens[i]);
		} else {
			memset(rte_pktmbuf_append(m, lens[i]), 'a' + (int)i,
			       lens[i]);
			memset(want + off, 'a' + (int)i, lens[i]);
		}
		off += lens[i];
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
	}
	assert_int_equal(sf_tcp_send(sf_t.w, sf_app.conn, head), 0);
	/* A pinned reference in the queue is sent as one too: neither
	 * holds the master. An indirect one in the queue does. */
	if (pinned)
		assert_int_equal(rte_mbuf_refcnt_read(master), 1);
	else if (lens[2] > 256)
		assert_true(rte_mbuf_refcnt_read(master) >= 2);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, off);
	assert_memory_equal(o.data, want, off);
	sf_tcp_abort(sf_t.w, sf_app.conn);
	sf_test_tx_clear();
	assert_int_equal(rte_mbuf_refcnt_read(master), 1);
	if (rp != NULL) {
		/* every reference came back */
		assert_int_equal(rte_mempool_avail_count(rp), 15);
		sf_mbuf_ref_pool_free(rp);
	}
	rte_pktmbuf_free(master);
	rte_mempool_free(mp);
}

static void
test_tcp_send_pieces_copied(void **state)
{
	static const uint16_t lens[] = { 3, 5, 129, 101 };

	(void)state;
	send_pieces("t_copied", lens, RTE_DIM(lens), false);
}

static void
test_tcp_send_pieces_attached(void **state)
{
	static const uint16_t lens[] = { 3, 5, 301, 201 };

	(void)state;
	send_pieces("t_attached", lens, RTE_DIM(lens), false);
}

/* The same with the third piece a pinned reference (sf_net.h), as the
 * HTTP server queues its body: the segment refers to the master without
 * a reference count, and its checksum comes from the master's table. */
static void
test_tcp_send_pieces_pinned(void **state)
{
	static const uint16_t lens[] = { 3, 5, 301, 201 };

	(void)state;
	send_pieces("t_pinned", lens, RTE_DIM(lens), true);
}

/* RFC 9293 §3.10.7.4, fifth check: a segment without ACK (NULL, XMAS)
 * in a synchronized state is dropped, silently, and counted. */
static void
test_tcp_noack_dropped(void **state)
{
	uint32_t y;

	(void)state;
	y = sf_test_tcp_accept(100);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .flags = 0,
				.data = "abc", .len = 3 });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = F | RTE_TCP_PSH_FLAG |
				RTE_TCP_URG_FLAG, .data = "abc", .len = 3 });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_noack"), 2);
	assert_int_equal(sf_app.rx_len, 0);
	assert_int_equal(sf_app.peer_closed, 0);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
}

/* RFC 2018: SACK blocks outside (snd_una, snd_max] are ignored and
 * counted; a block inside is taken, without a count. */
static void
test_tcp_sack_out_of_range(void **state)
{
	uint8_t opts[20] = { 1, 1, 5, 18 };
	static const uint8_t data[100];
	uint32_t y, b[4];
	unsigned int i;

	(void)state;
	y = accept_sack();
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, data, 100),
			 100);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 1);
	sf_test_tx_clear();
	/* y + 1 .. y + 101 is in flight: one block past snd_max, one
	 * below snd_una */
	b[0] = y + 200;
	b[1] = y + 300;
	b[2] = y - 100;
	b[3] = y - 50;
	for (i = 0; i < 4; i++) {
		opts[4 + 4 * i] = (uint8_t)(b[i] >> 24);
		opts[5 + 4 * i] = (uint8_t)(b[i] >> 16);
		opts[6 + 4 * i] = (uint8_t)(b[i] >> 8);
		opts[7 + 4 * i] = (uint8_t)b[i];
	}
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .opts = opts, .optlen = 20 });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_sack_block"), 2);
	/* a true block: y + 51 .. y + 101 arrived, y + 1 .. did not */
	b[0] = y + 51;
	b[1] = y + 101;
	for (i = 0; i < 2; i++) {
		opts[4 + 4 * i] = (uint8_t)(b[i] >> 24);
		opts[5 + 4 * i] = (uint8_t)(b[i] >> 16);
		opts[6 + 4 * i] = (uint8_t)(b[i] >> 8);
		opts[7 + 4 * i] = (uint8_t)b[i];
	}
	opts[3] = 10;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .opts = opts, .optlen = 12 });
	assert_int_equal(sf_test_counter("tcp_drop_sack_block"), 2);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
}

/* Loss recovery records: a pool of one, so the second connection finds
 * it taken. */
static int
setup_listen_one_record(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.tlp_on = false;
	conf.sack_on = true;
	conf.max_recovery = 1;
	return sf_test_tcp_setup_listen_conf(&conf);
}

static uint32_t
accept_sack_from(uint16_t sport)
{
	struct sf_test_out o;
	uint32_t y;

	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport, .seq = 100,
				.flags = S, .opts = sackok_opts, .optlen = 4 });
	sf_test_tcp_expect_one(&o);
	assert_true(o.opts.present & SF_TCPOPT_SACKOK);
	y = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport, .seq = 101,
				.ack = y + 1, .flags = A });
	sf_test_tx_clear();
	return y;
}

/* With the pool empty a connection still recovers, as NewReno: no
 * scoreboard kept, no out-of-order data held, the hole at snd_una
 * resent once at the third duplicate ACK. The record comes back when
 * its holder's hole is filled, and serves the next connection. */
static void
test_tcp_recovery_pool_empty(void **state)
{
	uint8_t opts[12] = { 1, 1, 5, 10 };
	struct sf_test_out o;
	uint32_t ya, yb, i, v, rexmit = 0;
	char buf[100];

	(void)state;
	ya = accept_sack_from(5001);
	/* A's out-of-order data takes the only record. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 5001, .seq = 111,
				.ack = ya + 1, .flags = A, .data = "klm",
				.len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.opts.nb_sack, 1);
	sf_test_tx_clear();
	yb = accept_sack_from(SF_TEST_PEER_PORT);
	/* B has none: its out-of-order data is dropped, nothing SACKed. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 111, .ack = yb + 1,
				.flags = A, .data = "klm", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 101);
	assert_false(o.opts.present & SF_TCPOPT_SACK);
	assert_int_equal(sf_test_counter("tcp_ooo_queued"), 1);
	assert_true(sf_test_counter("tcp_ext_pool_empty") >= 1);
	sf_test_tx_clear();
	/* B loses its second segment; SACKs cannot be kept, but three
	 * plain duplicate ACKs start NewReno recovery. */
	memset(buf, 'q', sizeof(buf));
	for (i = 0; i < 5; i++)
		sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_worker_flush(sf_t.w);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = yb + 101,
						.flags = A });
	for (i = 0; i < 3; i++) {
		v = rte_cpu_to_be_32(yb + 201);
		memcpy(opts + 4, &v, 4);
		v = rte_cpu_to_be_32(yb + 301 + 100 * i);
		memcpy(opts + 8, &v, 4);
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
				.ack = yb + 101, .flags = A, .opts = opts,
				.optlen = 12 });
	}
	sf_worker_flush(sf_t.w);
	/* One MSS from snd_una, SACKed bytes included: nothing tells
	 * NewReno they arrived. */
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		if (o.len != 0) {
			assert_int_equal(o.seq, yb + 101);
			assert_int_equal(o.len, 400);
			rexmit++;
		}
	}
	assert_int_equal(rexmit, 1);
	assert_int_equal(sf_test_counter("tcp_fast_recoveries"), 1);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = yb + 501,
						.flags = A });
	assert_int_equal(sf_test_counter("tcp_rto_timeouts"), 0);
	/* A fills its hole: the record goes back; B's next out-of-order
	 * segment gets it. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 5001, .seq = 101,
				.ack = ya + 1, .flags = A,
				.data = "abcdefghij", .len = 10 });
	sf_worker_flush(sf_t.w);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 111, .ack = yb + 501,
				.flags = A, .data = "klm", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.opts.nb_sack, 1);
	assert_int_equal(o.opts.sack[0].left, 111);
	assert_int_equal(sf_test_counter("tcp_ooo_queued"), 2);
}

/* Deadlines are 32-bit ms: a clock 500 ms short of 2^32 ms (49.7 days
 * of uptime) puts the retransmission timer across the wrap. */
static int
setup_listen_clock_wrap(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	if (sf_test_setup(NULL) != 0)
		return -1;
	sf_t.w->now = ((UINT64_C(1) << 32) - 500) * (sf_t.w->hz / 1000);
	memset(&sf_app, 0, sizeof(sf_app));
	sf_test_tcp_conf(&conf);
	if (sf_tcp_init(sf_t.w, &conf, SOCKET_ID_ANY) != 0)
		return -1;
	sf_tcp_poll(sf_t.w);
	return sf_tcp_listen(sf_t.w, SF_TEST_OUR_PORT, &sf_test_app_ops);
}

static void
test_tcp_timer_clock_wrap(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "abc", 3);
	sf_test_tx_clear();
	expect_tx_after(200);		/* neither at once nor never */
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 1);
	expect_tx_after(400);		/* backed off (RFC 6298 (5.5)) */
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 4,
						.flags = A });
	sf_test_advance_ms(5000);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_rto_timeouts"), 2);
}

/* Delayed ACKs as the worker runs them: the ACK that the second segment
 * owes (RFC 9293 §3.8.6.3) goes out at the end of the RX burst, one for
 * all the burst brought; a lone segment waits delack_ms, unless it
 * leaves less than two MSS of the window we offered (its sender may be
 * stopped at our window's edge). */
static int
setup_listen_delack_rcvbuf(uint32_t rcvbuf)
{
	struct sf_tcp_conf conf;

	sf_test_tcp_conf(&conf);
	conf.delack_ms = 40;
	conf.rcvbuf = rcvbuf;
	return sf_test_tcp_setup_listen_conf(&conf);
}

static int
setup_listen_delack(void **state)
{
	(void)state;
	return setup_listen_delack_rcvbuf(256 * 1024);
}

static int
setup_listen_delack_small_window(void **state)
{
	(void)state;
	return setup_listen_delack_rcvbuf(2500);
}

static const uint8_t data1000[1000];

/* The connection's first segments, each acked at once (quick ACKs: as
 * many as half the 256 KiB window holds, at most 16); returns the
 * sequence number after them. */
static uint32_t
quickacks_spent(uint32_t y)
{
	struct sf_test_out o;
	uint32_t seq = 101, i;

	for (i = 0; i < 16; i++, seq += 1000) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = seq,
				.ack = y + 1, .flags = A, .data = data1000,
				.len = 1000 });
		sf_test_tcp_expect_one(&o);
		assert_int_equal(o.ack, seq + 1000);
	}
	return seq;
}

static void
test_tcp_delack_burst(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100), i, t, seq;

	(void)state;
	seq = quickacks_spent(y);
	/* A lone segment: the ACK waits for the timer. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = seq, .ack = y + 1,
				.flags = A, .data = data1000, .len = 1000 });
	assert_int_equal(sf_t.ncap, 0);
	t = (uint32_t)sf_test_advance_until_tx(200);
	assert_true(t >= 40 && t <= 45);
	sf_test_tcp_expect_one(&o);
	seq += 1000;
	assert_int_equal(o.ack, seq);
	/* Five in one burst: one ACK, at the burst's end, for all five. */
	sf_test_burst_begin();
	for (i = 0; i < 5; i++)
		sf_test_tcp_send(&(struct sf_test_seg){
			.seq = seq + 1000 * i, .ack = y + 1, .flags = A,
			.data = data1000, .len = 1000 });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	sf_test_burst_end();
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, seq + 5000);
	assert_int_equal(sf_app.rx_len, 22000);
	sf_test_advance_ms(200);
	assert_int_equal(sf_t.ncap, 0);		/* nothing left owed */
}

/* Quick ACKs (Linux's quick ACK mode at a connection's start): the
 * first 16 lone segments are acked at once, not after delack_ms, so
 * that the peer's slow start grows on each; an answer the app sends at
 * once carries the ACK, and no pure ACK goes besides. */
static void
test_tcp_delack_quickack_start(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_app.reply = "pong";
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | P, .data = data1000, .len = 4 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, 4);
	assert_int_equal(o.ack, 105);
	sf_app.reply = NULL;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 105, .ack = y + 5,
				.flags = A, .data = data1000, .len = 1000 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.ack, 1105);
	assert_int_equal(sf_test_counter("tcp_delayed_acks"), 0);
}

static void
test_tcp_delack_window_edge(void **state)
{
	uint32_t y = sf_test_tcp_accept(100);	/* we offered 2500 B */
	struct sf_test_out o;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1, .flags = A,
						.data = data1000,
						.len = 1000 });
	sf_test_tcp_expect_one(&o);	/* 1500 left < 2 MSS: at once */
	assert_int_equal(o.ack, 1101);
	assert_int_equal(o.wnd, 2500);	/* the app took it all */
}

/* Slow start counts bytes (RFC 3465): an ACK for ten segments opens ten
 * more, so a receiver that acks once per burst does not slow it. The
 * peer sends no MSS option: segments of 536 bytes (RFC 9293 §3.7.1),
 * queued as such. */
static void
test_tcp_slow_start_stretch_ack(void **state)
{
	uint32_t y = sf_test_tcp_accept(100), i;
	static const uint8_t seg[536];
	struct sf_test_out o;

	(void)state;
	for (i = 0; i < 40; i++)
		assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, seg,
						  sizeof(seg)), 536);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 10);	/* the initial window */
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
						.ack = y + 1 + 10 * 536,
						.flags = A });
	assert_int_equal(sf_t.ncap, 20);
	for (i = 0; i < 20; i++) {
		sf_test_tcp_out(i, &o);
		assert_int_equal(o.seq, y + 1 + (10 + i) * 536);
		assert_int_equal(o.len, 536);
	}
}

/* A connection that found the TX buffer full waits in line (tcp_tx_wait)
 * and is served first when room comes back: a sender woken by an ACK in
 * the meantime queues behind it rather than take the room. Else, with
 * one ACK per burst opening many segments, a connection with nothing in
 * flight (a response to a new request) starved behind bulk senders. */
static void
test_tcp_tx_wait_fair(void **state)
{
	static const uint8_t seg[536];
	uint32_t ya = sf_test_tcp_accept(100), yb, i;
	struct sf_conn *a = sf_app.conn, *b;
	struct sf_test_out o;
	struct rte_mbuf *m;

	(void)state;
	/* B, from another port: 10 segments out (its initial window), 20
	 * more queued. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40001, .seq = 500,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	yb = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40001, .seq = 501,
						.ack = yb + 1, .flags = A });
	b = sf_app.conn;
	assert_ptr_not_equal(a, b);
	for (i = 0; i < 30; i++)
		assert_int_equal(sf_tcp_send_copy(sf_t.w, b, seg, sizeof(seg)),
				 536);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 10);
	sf_test_tx_clear();
	/* The TX buffer past its bulk mark: A's new data must wait. */
	while (!sf_txbuf_busy(sf_t.wp)) {
		m = rte_pktmbuf_alloc(sf_t.pool);
		assert_non_null(m);
		assert_non_null(rte_pktmbuf_append(m, 60));
		sf_txbuf_put(sf_t.w, sf_t.wp, m);
	}
	assert_int_equal(sf_tcp_send_copy(sf_t.w, a, seg, sizeof(seg)), 536);
	assert_int_equal(sf_test_counter("tcp_tx_waits"), 1);
	sf_test_tx_clear();		/* the buffer drains */
	/* B's ACK comes first: B queues behind A instead of sending. */
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 40001, .seq = 501,
						.ack = yb + 1 + 10 * 536,
						.flags = A });
	assert_int_equal(sf_t.ncap, 0);
	sf_tcp_poll(sf_t.w);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 21);
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.dport, SF_TEST_PEER_PORT);	/* A first */
	assert_int_equal(o.seq, ya + 1);
	for (i = 1; i < 21; i++) {
		sf_test_tcp_out(i, &o);
		assert_int_equal(o.dport, 40001);
		assert_int_equal(o.seq, yb + 1 + (10 + i - 1) * 536);
	}
}

#define TS(fn) cmocka_unit_test_setup_teardown(fn, setup_listen_sack, \
					       sf_test_tcp_teardown)
#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_test_tcp_setup_listen, \
					      sf_test_tcp_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_textbook_walkthrough),
		T(test_tcp_active_open_and_passive_close),
		T(test_tcp_close_wait_held_by_app),
		T(test_tcp_close_simultaneous),
		T(test_tcp_open_simultaneous),
		T(test_tcp_open_simultaneous_synfin),
		T(test_tcp_open_simultaneous_refused),
		T(test_tcp_synack_with_data),
		T(test_tcp_half_close),
		T(test_tcp_close_sends_queued_data),
		T(test_tcp_timewait_fin_retransmit_and_rst),
		T(test_tcp_timewait_segments_without_ack),
		T(test_tcp_timewait_synack_challenged),
		T(test_tcp_timewait_reuse_by_newer_syn),
		T(test_tcp_timewait_ring),
		T(test_tcp_piggyback),
		T(test_tcp_rst_cases),
		T(test_tcp_closed_port_rst),
		T(test_tcp_queue_pairing_misdelivered),
		T(test_tcp_syn_sent_refused),
		T(test_tcp_retransmit_backoff_abort),
		T(test_tcp_retransmit_then_ack),
		T(test_tcp_handshake_rtt_sample),
		T(test_tcp_handshake_rtt_karn),
		T(test_tcp_zero_window),
		T(test_tcp_out_of_order),
		T(test_tcp_fin_wait_2_timeout),
		T(test_tcp_syn_rcvd_timeout),
		T(test_tcp_table_full),
		T(test_tcp_malformed),
		T(test_tcp_options_negotiated),
		TS(test_tcp_sack_blocks_sent),
		TS(test_tcp_sack_blocks_recent_order),
		TS(test_tcp_sack_dsack_sent),
		TS(test_tcp_sack_blocks_one_block_grows),
		TS(test_tcp_sack_dsack_once_per_reply),
		cmocka_unit_test_setup_teardown(
			test_tcp_sack_dsack_rate_limited,
			setup_listen_sack_ratelimit, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_sack_used_in_retransmission,
			setup_listen_sack_notlp, sf_test_tcp_teardown),
		TS(test_tcp_keepalive),
		T(test_tcp_tail_loss_probe),
		TS(test_tcp_sack_fast_retransmit_with_data),
		T(test_tcp_active_open_window_scaled),
		/* malformed input (issue 6, part 2) */
		T(test_tcp_mss_floor),
		T(test_tcp_noack_dropped),
		T(test_tcp_send_pieces_copied),
		T(test_tcp_send_pieces_attached),
		T(test_tcp_send_pieces_pinned),
		TS(test_tcp_sack_out_of_range),
		cmocka_unit_test_setup_teardown(test_tcp_recovery_pool_empty,
			setup_listen_one_record, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_timer_clock_wrap,
			setup_listen_clock_wrap, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_delack_quickack_start,
			setup_listen_delack, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_delack_burst,
			setup_listen_delack, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_delack_window_edge,
			setup_listen_delack_small_window, sf_test_tcp_teardown),
		T(test_tcp_slow_start_stretch_ack),
		T(test_tcp_tx_wait_fair),
	};

	if (getenv("SF_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("SF_TEST_FILTER"));
	return cmocka_run_group_tests_name("tcp_state", tests, NULL, NULL);
}
