/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP at the edges (issue 19): each test drives the engine as a peer
 * would into one of the defects found on the wire or in review, and
 * asserts what RFC 9293 and its companions require: windows respected,
 * no connection left stuck, state right after every app callback, timers
 * bounded. The item numbers are the issue's.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_tcp.h>

#include "sf_net.h"
#include "sf_test_tcp.h"
#include "tcp_priv.h"

#define S RTE_TCP_SYN_FLAG
#define A RTE_TCP_ACK_FLAG
#define F RTE_TCP_FIN_FLAG
#define R RTE_TCP_RST_FLAG
#define P RTE_TCP_PSH_FLAG

#define TEST_MS 1000000ULL	/* TSC cycles a ms (sf_test: 1 GHz) */
#define TWO_MSL 2000
#define LATE(ms) ((ms) / 8 + 1)
#define TEST_POOL_HOLD 4096	/* more than the fixture's pool */

static struct sf_tcb *
tcb(void)
{
	assert_non_null(sf_app.conn);
	return tcp_tcb(sf_app.conn);
}

/* NOP NOP TS @tsval @tsecr */
static void
opts_ts(uint8_t o[12], uint32_t tsval, uint32_t tsecr)
{
	sf_test_tcp_opts(o, true, tsval, tsecr, 0, NULL, 0);
}

/* NOP NOP SACK [l, r) */
static void
opts_sack1(uint8_t o[12], uint32_t l, uint32_t r)
{
	const uint32_t b[2] = { l, r };

	sf_test_tcp_opts(o, false, 0, 0, 0, b, 1);
}

/* Collect what the engine sends over @ms, one ms at a time; @check is
 * called for each segment. Returns the segments seen. */
static unsigned int
watch_ms(uint64_t ms, void (*check)(const struct sf_test_out *, void *),
	 void *arg)
{
	struct sf_test_out o;
	unsigned int n = 0, i;

	while (ms-- > 0) {
		sf_test_advance_ms(1);
		for (i = 0; i < sf_t.ncap; i++) {
			sf_test_tcp_out(i, &o);
			check(&o, arg);
			n++;
		}
		sf_test_tx_clear();
	}
	return n;
}

static void
check_segs(void (*check)(const struct sf_test_out *, void *), void *arg)
{
	struct sf_test_out o;
	unsigned int i;

	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		check(&o, arg);
	}
	sf_test_tx_clear();
}

/* Passive open with the SYN options @opts (@len bytes, IRS 100);
 * returns our ISS. */
static uint32_t
accept_with(const uint8_t *opts, uint8_t len)
{
	struct sf_test_out o;
	uint32_t y;

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = opts, .optlen = len });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	sf_test_tx_clear();
	return y;
}

/* SYN options: window scale 7; window scale 7 and SACK-permitted. */
static const uint8_t opt_ws[4] = { 1, 3, 3, 7 };
static const uint8_t opt_ws_sack[8] = { 1, 3, 3, 7, 1, 1, 4, 2 };

static int
setup_conf(struct sf_tcp_conf *conf)
{
	return sf_test_tcp_setup_listen_conf(conf);
}

/* ---- 1, 2: the tail loss probe ---------------------------------- */

static const uint8_t sackok[4] = { 1, 1, 4, 2 };

static void
check_in_window(const struct sf_test_out *o, void *arg)
{
	uint32_t right = *(uint32_t *)arg;

	if (o->len != 0)
		assert_true(SF_SEQ_LEQ(o->seq + o->len, right));
}

/* Item 1: a probe never sends past the peer's window: with unsent data
 * beyond the window, the probe repeats the last segment sent. */
static void
test_tcp_edge_probe_within_window(void **state)
{
	static char buf[1000];
	uint32_t y = sf_test_tcp_accept(100), right;

	(void)state;
	memset(buf, 'w', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 10);
	sf_test_tx_clear();
	sf_test_advance_ms(2);		/* an RTT sample: TLP may run */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 11,
						.flags = A, .wnd = 300 });
	sf_test_tx_clear();
	right = y + 11 + 300;
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 1000),
			 1000);
	check_segs(check_in_window, &right);
	/* The probe, the RTO and its backoff: all inside the window. */
	assert_true(watch_ms(1000, check_in_window, &right) >= 2);
	assert_true(sf_test_counter("tcp_loss_probes") <= 1);
}

/* Item 1, SACK: SACKed bytes leave cwnd's flight but stay in the
 * peer's window; new data never passes snd_una + snd_wnd. */
static void
test_tcp_edge_sack_within_window(void **state)
{
	static char buf[4000];
	uint8_t o[12];
	uint32_t y, right;
	struct sf_test_out out;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = sackok, .optlen = 4 });
	sf_test_tcp_expect_one(&out);
	y = out.seq;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A, .wnd = 2000 });
	sf_test_tx_clear();
	right = y + 1 + 2000;
	memset(buf, 's', sizeof(buf));
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 4000),
			 4000);
	check_segs(check_in_window, &right);
	/* 3 segments went (a 392-byte runt waits: SWS); the last one is
	 * SACKed (too few to call the rest lost: no recovery limits the
	 * sending); the window is unchanged. */
	assert_int_equal(tcb()->snd_max, y + 1 + 3 * 536);
	opts_sack1(o, y + 1 + 2 * 536, y + 1 + 3 * 536);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd = 2000, .opts = o,
				.optlen = 12 });
	check_segs(check_in_window, &right);
	assert_true(watch_ms(1500, check_in_window, &right) >= 1);
}

/* Accepted, 100 bytes sent and acked 2 ms later: SRTT 2 ms. Returns
 * our ISS. */
static uint32_t
srtt_2ms(void)
{
	static const char buf[100];
	uint32_t y = sf_test_tcp_accept_rtt(100, 2);

	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	sf_test_tx_clear();
	sf_test_advance_ms(2);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 101,
						.flags = A });
	return y;
}

/* Item 2: one probe per tail-loss episode (RFC 8985 §7), then the RTO;
 * with one segment in flight the probe waits for a delayed ACK too. */
static void
test_tcp_edge_tlp_once(void **state)
{
	static char buf[400];
	uint32_t y = srtt_2ms(), t;

	(void)state;
	memset(buf, 'p', sizeof(buf));
	/* Two segments lost (more than an MSS: the peer would not delay
	 * its ACK): a probe after 2 SRTT + 2 ms (Linux's PTO) ... */
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 400);
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 400);
	sf_test_tx_clear();
	t = (uint32_t)sf_test_advance_until_tx(1000);
	assert_true(t >= 6 && t <= 7);		/* SRTT 2 ms */
	sf_test_tx_clear();
	/* ... and then nothing until the RTO (200 ms, rto_min). */
	t = (uint32_t)sf_test_advance_until_tx(2000);
	assert_true(t >= 199);
	assert_int_equal(sf_test_counter("tcp_loss_probes"), 1);
	assert_int_equal(sf_test_counter("tcp_rto_timeouts"), 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 901,
						.flags = A });
	sf_test_tx_clear();
	/* One segment in flight: 2 SRTT + the peer's worst-case delayed
	 * ACK is past the RTO, so the RTO it is. */
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_test_tx_clear();
	t = (uint32_t)sf_test_advance_until_tx(2000);
	assert_true(t >= 199);
}

/* Item 2 again (RFC 8985 §7.4): the episode lasts until an ACK passes
 * the probe's end. An ACK that moves snd_una but stops short of it (a
 * late ACK of the first of four segments) leaves it open: the next
 * timer is the RTO, not a second probe 2 SRTT later. */
/* SRTT 2 ms, then four segments out. Returns our ISS. */
static uint32_t
four_out_srtt_2ms(void)
{
	static char buf[4 * 536];
	uint32_t y = srtt_2ms();

	memset(buf, 'q', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	sf_test_tx_clear();
	return y;
}

/* The next send is the RTO's (200 ms, rto_min), after @probes probes
 * in all. */
static void
rto_next(uint64_t probes)
{
	uint32_t t = (uint32_t)sf_test_advance_until_tx(2000);

	assert_true(t >= 199);
	assert_int_equal(sf_test_counter("tcp_loss_probes"), probes);
	assert_int_equal(sf_test_counter("tcp_rto_timeouts"), 1);
}

static void
test_tcp_edge_tlp_once_partial_ack(void **state)
{
	uint32_t y = four_out_srtt_2ms(), t;

	(void)state;
	t = (uint32_t)sf_test_advance_until_tx(1000);
	assert_true(t >= 6 && t <= 7);		/* the probe */
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
				.ack = y + 101 + 536, .flags = A });
	sf_test_tx_clear();
	rto_next(1);
}

/* A probe timer that fires with the episode's probe already spent (an
 * undo ended recovery on an ACK that did not move snd_una, leaving the
 * timer armed) sends no second probe: the RTO is next. The count is 2
 * bits; a second ++ made it the ARMED bit with no probe counted. */
static void
test_tcp_edge_tlp_spent_timer(void **state)
{
	(void)state;
	four_out_srtt_2ms();
	/* as the undo leaves it: one probe spent, the PTO armed */
	tcb()->tlp = 1 | TCP_TLP_ARMED;
	tcb()->tlp_end = tcb()->snd_max;
	rto_next(0);
}

/* ---- the out-of-order queue against the window ------------------- */

static int
setup_large_rcvbuf(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.rcvbuf = 1 << 20;
	conf.wscale_on = true;
	return setup_conf(&conf);
}

static int
setup_large_rcvbuf_sack(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.rcvbuf = 1 << 20;
	conf.wscale_on = true;
	conf.sack_on = true;
	return setup_conf(&conf);
}

/* A window raised past 255 segments is honoured: what the peer sends
 * inside it, after a hole, is held, not dropped for a fixed segment
 * count (the peer would send it all again). */
static void
test_tcp_edge_ooo_fills_window(void **state)
{
	static char data[500];
	struct sf_test_out o;
	uint32_t y, i;

	(void)state;
	memset(data, 'o', sizeof(data));
	y = accept_with(opt_ws, sizeof(opt_ws));
	/* 400 segments of 500 bytes (200 KB, inside 1 MiB) after a hole
	 * of one. */
	for (i = 1; i <= 400; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101 + i * 500,
				.ack = y + 1, .flags = A, .data = data,
				.len = 500 });
		sf_test_tx_clear();
	}
	assert_int_equal(sf_test_counter("tcp_drop_ooo_full"), 0);
	assert_int_equal(sf_test_counter("tcp_ooo_queued"), 400);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = data, .len = 500 });
	sf_worker_flush(sf_t.w);
	sf_test_tcp_out(sf_t.ncap - 1, &o);
	assert_int_equal(o.ack, 101 + 401 * 500);
	sf_test_tx_clear();
}

/* Tiny out-of-order segments are charged at least TCP_RCVQ_SEG_COST
 * each against rcvbuf: they cannot pin many times the window in mbufs. */
static void
test_tcp_edge_ooo_tiny_bounded(void **state)
{
	uint32_t y = sf_test_tcp_accept(100), i;

	(void)state;
	for (i = 0; i < 64; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 103 + 2 * i,
				.ack = y + 1, .flags = A, .data = "x",
				.len = 1 });
		sf_test_tx_clear();
	}
	/* rcvbuf 4096 (setup_small_rcvbuf_ws): 8 held, the rest dropped */
	assert_int_equal(sf_test_counter("tcp_ooo_queued"),
			 4096 / TCP_RCVQ_SEG_COST);
	assert_int_equal(sf_test_counter("tcp_drop_ooo_full"),
			 64 - 4096 / TCP_RCVQ_SEG_COST);
}

/* The peer filled our window to its right edge out of order (one hole
 * at rcv_nxt): its ACKs then carry SEG.SEQ = RCV.NXT + RCV.WND. The
 * strict test of RFC 9293 §3.10.7.4 refuses them, and with them every
 * ACK of our data until the hole fills: both sides stall to an RTO.
 * Such an ACK is taken (the RFC's "special allowance ... to accept
 * valid ACKs"; Linux's tcp_sequence() takes seq <= rcv_nxt + wnd). */
/* An application that left data unread takes it with sf_tcp_recv_pull():
 * the data comes in order, and the window it frees is announced at once
 * (RFC 9293 §3.8.6.2.2) when that at least doubles the window the peer
 * has, not left for the peer's next probe. A pull with nothing held
 * says nothing. */
static void
test_tcp_edge_recv_pull_window_update(void **state)
{
	static char data[1000];
	uint32_t y = sf_test_tcp_accept(100);
	struct sf_test_out o;
	uint16_t wnd;

	(void)state;
	memset(data, 'x', sizeof(data));
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
		.flags = RTE_TCP_ACK_FLAG, .data = "abc", .len = 3 });
	sf_test_tx_clear();
	sf_tcp_recv_pull(sf_t.w, sf_app.conn);	/* nothing held */
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_app.rx_len, 3);
	assert_memory_equal(sf_app.rx, "abc", 3);
	assert_int_equal(sf_t.ncap, 0);

	sf_app.refuse_data = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104, .ack = y + 1,
		.flags = RTE_TCP_ACK_FLAG, .data = data, .len = 1000 });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 1104, .ack = y + 1,
		.flags = RTE_TCP_ACK_FLAG, .data = data, .len = 1000 });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 2104, .ack = y + 1,
		.flags = RTE_TCP_ACK_FLAG, .data = data, .len = 1000 });
	sf_test_advance_ms(500);	/* delayed ACKs out */
	assert_true(sf_t.ncap > 0);
	sf_test_tcp_out(sf_t.ncap - 1, &o);
	wnd = o.wnd;
	assert_int_equal(o.ack, 3104);
	sf_test_tx_clear();
	sf_app.refuse_data = false;
	sf_tcp_recv_pull(sf_t.w, sf_app.conn);
	assert_int_equal(sf_app.rx_len, 3003);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(o.ack, 3104);
	assert_int_equal(o.len, 0);
	assert_true(o.wnd > wnd);
}

/* ... but a pull that frees less than the window the peer still has
 * sends nothing: the peer is not held up, and a bulk reader would send
 * a pure ACK per read (Linux's tcp_cleanup_rbuf waits for the window
 * to double; the kernel selftest blocking-read expects it). */
/* @n segments of 1000 bytes held unread, then pulled; returns what the
 * pull sent (the capture is cleared). */
static unsigned int
held_then_pulled(unsigned int n)
{
	static char data[1000];
	uint32_t y = sf_test_tcp_accept(100), i, sent;

	sf_app.refuse_data = true;
	for (i = 0; i < n; i++)
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101 + 1000 * i,
			.ack = y + 1, .flags = RTE_TCP_ACK_FLAG, .data = data,
			.len = 1000 });
	sf_test_advance_ms(500);
	sf_test_tx_clear();
	sf_app.refuse_data = false;
	sf_tcp_recv_pull(sf_t.w, sf_app.conn);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_app.rx_len, 1000 * n);
	sent = sf_t.ncap;
	sf_test_tx_clear();
	return sent;
}

static void
test_tcp_edge_recv_pull_no_small_update(void **state)
{
	(void)state;
	/* 2096 of 4096 offered; the pull frees 2000 more (past an MSS,
	 * short of doubling) */
	assert_int_equal(held_then_pulled(2), 0);
}

/* ... but a window already at what the header can say (65535 unscaled)
 * has nothing to announce: a pull sends no ACK, which the peer would
 * count as a duplicate. */
static void
test_tcp_edge_recv_pull_window_capped(void **state)
{
	(void)state;
	assert_int_equal(held_then_pulled(1), 0);
}

static void
test_tcp_edge_ack_at_right_edge(void **state)
{
	static char data[1000];
	uint32_t y = sf_test_tcp_accept(100), right, seq, n;

	(void)state;
	memset(data, 'e', sizeof(data));
	right = tcb()->rcv_adv;
	assert_int_equal(right, 101 + 4096);
	for (seq = 601; seq != right; seq += n) {
		n = RTE_MIN(1000u, right - seq);
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = seq,
				.ack = y + 1, .flags = A, .data = data,
				.len = (uint16_t)n });
	}
	assert_int_equal(sf_test_counter("tcp_ooo_queued"), 4);
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, data, 10), 10);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = right, .ack = y + 11,
						.flags = A });
	assert_int_equal(tcb()->snd_una, y + 11);
	assert_int_equal(sf_test_counter("tcp_drop_seq"), 0);
	/* A RST there is still outside the window (RFC 5961 §3.2). */
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = right, .flags = R });
	assert_int_equal(tcb()->state, SF_TCP_ESTABLISHED);
	assert_int_equal(sf_t.ncap, 0);
}

/* Out-of-order data draws a duplicate ACK at once (RFC 5681 §4.2), and
 * a duplicate ACK carries no data (§2): piggybacked on our data, the
 * peer's fast retransmit cannot count it (Linux counts SACK news on a
 * data segment only once: lose that one and the peer waits for its
 * RTO). So a pure ACK goes, ahead of the data it would have ridden. */
static void
test_tcp_edge_ooo_pure_dupack(void **state)
{
	static char buf[1000];
	uint32_t y = sf_test_tcp_accept(100), pure = 0, data = 0, i;
	struct sf_test_out o;

	(void)state;
	memset(buf, 'd', sizeof(buf));
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A, .wnd = 100 });
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 1000),
			 1000);
	sf_test_tx_clear();
	/* A hole at 101; the segment also acks our 100 bytes and opens
	 * the window: our data goes, and the duplicate ACK by itself. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 111, .ack = y + 101,
				.flags = A, .data = "0123456789", .len = 10 });
	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		assert_int_equal(o.ack, 101);
		if (o.len == 0)
			pure++;
		else
			data++;
	}
	sf_test_tx_clear();
	assert_int_equal(pure, 1);
	assert_true(data >= 1);
}

/* RFC 2018 §4: the first SACK block of each duplicate ACK holds the
 * segment that triggered it, however many holes lie below (with a window
 * of hundreds of segments, a 5 % loss makes far more than the 32 blocks
 * the reporting once looked at). */
static void
test_tcp_edge_sack_first_block_many_holes(void **state)
{
	static char data[100];
	struct sf_test_out o;
	uint32_t y, i, seq, pure;

	(void)state;
	memset(data, 'h', sizeof(data));
	y = accept_with(opt_ws_sack, sizeof(opt_ws_sack));
	/* 60 segments of 100 bytes, a 100-byte hole below each */
	for (i = 1; i <= 60; i++) {
		seq = 101 + i * 200;
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = seq,
				.ack = y + 1, .flags = A, .data = data,
				.len = 100 });
		sf_worker_flush(sf_t.w);
		assert_int_equal(sf_t.ncap, 1);
		sf_test_tcp_out(0, &o);
		pure = o.len == 0;
		assert_true(pure);
		assert_int_equal(o.ack, 101);
		assert_true(o.opts.nb_sack >= 1);
		assert_int_equal(o.opts.sack[0].left, seq);
		assert_int_equal(o.opts.sack[0].right, seq + 100);
		sf_test_tx_clear();
	}
}

/* A segment that arrives again above a hole (a probe, a resend) is the
 * one that triggered the duplicate ACK: its block goes first (RFC 2018
 * §4), not the previous arrival's. */
static void
test_tcp_edge_sack_first_block_repeat(void **state)
{
	static char data[100];
	struct sf_test_out o;
	uint32_t y, seq[3] = { 201, 401, 201 }, i;

	(void)state;
	memset(data, 'r', sizeof(data));
	y = accept_with(opt_ws_sack, sizeof(opt_ws_sack));
	for (i = 0; i < 3; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = seq[i],
				.ack = y + 1, .flags = A, .data = data,
				.len = 100 });
		sf_test_tcp_expect_one(&o);
		assert_true(o.opts.nb_sack >= 1);
		assert_int_equal(o.opts.sack[0].left, seq[i]);
		assert_int_equal(o.opts.sack[0].right, seq[i] + 100);
	}
}

/* An out-of-order FIN without data (the last data lost) draws a
 * duplicate ACK at once, as any out-of-order segment does (RFC 5681
 * §4.2): the peer's FIN probe must not meet silence. */
static void
test_tcp_edge_ooo_fin_acked(void **state)
{
	static char buf100[100];
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	/* 101-200 lost; the FIN at 201 */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 201, .ack = y + 1,
						.flags = A | F });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 101);
	assert_int_equal(o.len, 0);
	assert_int_equal(tcb()->state, SF_TCP_ESTABLISHED);
	/* The lost data arrives: the FIN that waited counts with it. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = buf100, .len = 100 });
	sf_worker_flush(sf_t.w);
	sf_test_tcp_out(sf_t.ncap - 1, &o);
	assert_int_equal(o.ack, 202);
	sf_test_tx_clear();
	assert_int_equal(sf_app.rx_len, 100);
	assert_int_equal(sf_app.peer_closed, 1);
	assert_int_equal(tcb()->state, SF_TCP_CLOSE_WAIT);
}

/* ---- 3: the right edge of our window ---------------------------- */

static int
setup_small_rcvbuf_ws(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.rcvbuf = 4096;
	conf.wscale_on = true;
	return setup_conf(&conf);
}

/* Item 3: scaling rounds, but the advertised right edge never moves
 * left (RFC 9293 §3.8.6). */
static void
test_tcp_edge_right_edge_kept(void **state)
{
	static const uint8_t ws0[4] = { 1, 3, 3, 0 };	/* NOP WS 0 */
	struct sf_test_out o;
	uint32_t y, right, r, i;

	(void)state;
	sf_app.refuse_data = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = ws0, .optlen = 4 });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	right = o.ack + o.wnd;		/* a SYN's window is not scaled */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	sf_test_tx_clear();
	for (i = 0; i < 20; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101 + 100 * i,
				.ack = y + 1, .flags = A, .data = "x",
				.len = 100 });
		sf_worker_flush(sf_t.w);
		if (sf_t.ncap == 0)
			continue;
		sf_test_tcp_out(sf_t.ncap - 1, &o);
		r = o.ack + ((uint32_t)o.wnd << 7);
		assert_true(SF_SEQ_GEQ(r, right));
		right = r;
		sf_test_tx_clear();
	}
}

static int
setup_rcvbuf_8k(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.rcvbuf = 8192;
	conf.wscale_on = true;
	return setup_conf(&conf);
}

/* Item 3 where the bytes queued outweigh their mbufs' cost: the space
 * left equals the edge we offered, unaligned; rounding it down to the
 * scale would pull the edge back. */
static void
test_tcp_edge_right_edge_kept_large(void **state)
{
	static const uint8_t ws0[4] = { 1, 3, 3, 0 };	/* NOP WS 0 */
	static char buf[1100];
	struct sf_test_out o;
	uint32_t y, right, r, i;

	(void)state;
	memset(buf, 'e', sizeof(buf));
	sf_app.refuse_data = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = ws0, .optlen = 4 });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	right = o.ack + o.wnd;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	sf_test_tx_clear();
	for (i = 0; i < 6; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101 + 1100 * i,
				.ack = y + 1, .flags = A, .data = buf,
				.len = 1100 });
		sf_worker_flush(sf_t.w);
		assert_true(sf_t.ncap >= 1);
		sf_test_tcp_out(sf_t.ncap - 1, &o);
		r = o.ack + ((uint32_t)o.wnd << 7);
		assert_true(SF_SEQ_GEQ(r, right));
		right = r;
		sf_test_tx_clear();
	}
}

/* ---- 4, 19: an ACK too old to be real --------------------------- */

static int
setup_ts_ws(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.ts_on = true;
	conf.wscale_on = true;
	return setup_conf(&conf);
}

/* Passive open with TS (TSval @tsval) and WS 7, the peer's window 511
 * (65,408 bytes scaled) throughout. Returns our ISS; *@tsv: our TSval. */
static uint32_t
accept_ts_ws(uint32_t tsval, uint32_t *tsv)
{
	uint8_t syn[16] = { 1, 3, 3, 7 }, o12[12];
	struct sf_test_out o;
	uint32_t y;

	opts_ts(syn + 4, tsval, 0);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = syn, .optlen = 16 });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	*tsv = o.opts.tsval;
	opts_ts(o12, tsval, *tsv);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd = 511, .opts = o12,
				.optlen = 12 });
	sf_test_tx_clear();
	return y;
}

/* Item 4 (RFC 5961 §5.2): a data segment whose ACK lies further behind
 * SND.UNA than the peer ever opened its window (65,535 in its SYN, 65,408
 * since) is dropped and answered with an ACK; it leaves no trace
 * (TS.Recent, item 19). As seen on the wire: 300,000 behind. */
static void
test_tcp_edge_old_ack_dropped(void **state)
{
	uint8_t o12[12];
	struct sf_test_out o;
	uint32_t tsv, y = accept_ts_ws(10, &tsv);

	(void)state;
	opts_ts(o12, 5000, tsv);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
				.ack = y + 1 - 300000, .flags = A | P,
				.wnd = 511, .opts = o12, .optlen = 12,
				.data = "BAD", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.ack, 101);
	assert_int_equal(o.opts.tsecr, 10);
	assert_int_equal(sf_app.rx_len, 0);
	/* The peer's next, proper segment is taken. */
	opts_ts(o12, 11, tsv);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | P, .wnd = 511, .opts = o12,
				.optlen = 12, .data = "ok", .len = 2 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 103);
	assert_int_equal(o.opts.tsecr, 11);
	assert_int_equal(sf_app.rx_len, 2);
	assert_memory_equal(sf_app.rx, "ok", 2);
}

/* Item 19: an echoed timestamp from the future gives no RTT sample. */
static void
test_tcp_edge_tsecr_future(void **state)
{
	uint8_t o12[12];
	uint32_t tsv, y = accept_ts_ws(10, &tsv);
	uint16_t rto = tcb()->rto;
	uint32_t srtt = tcb()->srtt;

	(void)state;
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "abc", 3);
	sf_test_tx_clear();
	opts_ts(o12, 11, tsv + 1000000);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 4,
				.flags = A, .wnd = 511, .opts = o12,
				.optlen = 12 });
	assert_true(tcb()->rto <= rto);
	assert_int_equal(tcb()->srtt, srtt);
}

/* Item 19 (RFC 7323 §5.5): after 24 days idle TS.Recent is no longer
 * trusted, and a segment with an older TSval is taken. */
static void
test_tcp_edge_ts_recent_expires(void **state)
{
	uint8_t o12[12];
	struct sf_test_out o;
	uint32_t tsv, y = accept_ts_ws(1000000, &tsv);

	(void)state;
	sf_t.w->now += 25ULL * 86400 * 1000 * TEST_MS;
	sf_tcp_poll(sf_t.w);
	sf_test_tx_clear();
	opts_ts(o12, 7, tsv);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | P, .wnd = 511, .opts = o12,
				.optlen = 12, .data = "new", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 104);
	assert_int_equal(sf_app.rx_len, 3);
	assert_int_equal(sf_test_counter("tcp_drop_paws"), 0);
}

/* RFC 7323 §3.2: once negotiated, TSopt "SHOULD be sent in an <RST>
 * segment": an abort's RST carries it, TSecr the peer's latest. */
static void
test_tcp_edge_rst_carries_ts(void **state)
{
	struct sf_test_out o;
	uint32_t tsv, y = accept_ts_ws(1000, &tsv);

	(void)state;
	sf_test_advance_ms(10);
	sf_tcp_abort(sf_t.w, sf_app.conn);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, R | A);
	assert_int_equal(o.seq, y + 1);
	assert_true(o.opts.present & SF_TCPOPT_TS);
	assert_int_equal(o.opts.tsecr, 1000);
	assert_int_equal(o.opts.tsval, tsv + 10);
}

/* ---- 5, 10: FIN handling ---------------------------------------- */

/* Item 5: a FIN that comes with data the app answers and closes on in
 * recv(): our FIN is not acked yet, so CLOSING (RFC 9293 §3.10.7.4,
 * eighth step), then TIME_WAIT when it is — not CLOSE_WAIT for ever. */
static void
test_tcp_edge_fin_with_data_close_in_recv(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_app.reply = "resp";
	sf_app.reply_close = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | P | F, .data = "GET", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & (F | A), F | A);
	assert_int_equal(o.len, 4);
	assert_int_equal(o.ack, 105);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSING), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSE_WAIT), 0);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 105, .ack = y + 6,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	assert_int_equal(sf_app.closed, 1);
}

/* Item 5, the same through the handshake's ACK: the app closes in
 * established(), and that ACK carries the peer's data and FIN. */
static void
test_tcp_edge_fin_on_handshake_ack_close(void **state)
{
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = sf_test_tcp_syn(100);
	sf_app.close_established = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | F, .data = "hi", .len = 2 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & (F | A), F | A);
	assert_int_equal(o.seq, y + 1);
	assert_int_equal(o.ack, 104);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSING), 1);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104, .ack = y + 2,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	assert_int_equal(sf_app.closed, 1);
}

/* Item 10: a retransmitted segment whose data we hold already still
 * delivers its FIN. */
static void
test_tcp_edge_fin_after_full_trim(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abc", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 104);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | F, .data = "abc", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 105);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSE_WAIT), 1);
	assert_int_equal(sf_app.peer_closed, 1);
	assert_int_equal(sf_app.rx_len, 3);
}

/* Item 10: a FIN on out-of-order data is kept with it and counts once
 * the hole fills. */
static void
test_tcp_edge_fin_on_ooo(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 104, .ack = y + 1,
				.flags = A | F, .data = "def", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 101);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .data = "abc", .len = 3 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.ack, 108);
	assert_int_equal(sf_app.rx_len, 6);
	assert_memory_equal(sf_app.rx, "abcdef", 6);
	assert_int_equal(sf_test_tcp_state(SF_TCP_CLOSE_WAIT), 1);
	assert_int_equal(sf_app.peer_closed, 1);
}

/* ---- 6: the congestion window ----------------------------------- */

/* Item 6 (RFC 7661): an application-limited sender does not grow cwnd,
 * and cwnd never wraps. */
static void
test_tcp_edge_cwnd_bounded(void **state)
{
	static char buf[1000];
	uint32_t y = sf_test_tcp_accept(100), cwnd, i, una = y + 1;

	(void)state;
	memset(buf, 'c', sizeof(buf));
	cwnd = tcb()->cwnd;
	for (i = 0; i < 50; i++) {
		sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
		una += 100;
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
					.ack = una, .flags = A });
	}
	sf_test_tx_clear();
	assert_true(tcb()->cwnd <= cwnd);
	/* Near the top of the range, an ACK must not wrap it to 0. */
	tcb()->cwnd = UINT32_MAX - 999;
	tcb()->ssthresh = UINT32_MAX;
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 1000);
	sf_test_tx_clear();
	una += 1000;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = una,
						.flags = A });
	sf_test_tx_clear();
	assert_true(tcb()->cwnd >= 10u * tcb()->mss);
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 1);
	sf_test_tx_clear();
}

/* ---- 7, 8: SACK -------------------------------------------------- */

static int
setup_sack_notlp(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.sack_on = true;
	conf.tlp_on = false;
	return setup_conf(&conf);
}


/* Item 7 (RFC 2018 §8): after an RTO the SACKed ranges are no longer
 * trusted, so a peer that dropped them (reneged) gets them again. */
static void
test_tcp_edge_sack_reneging(void **state)
{
	static char buf[100];
	uint8_t o12[12];
	struct sf_test_out o;
	uint32_t y = accept_with(sackok, sizeof(sackok)), i;

	(void)state;
	memset(buf, 'r', sizeof(buf));
	for (i = 0; i < 4; i++)
		sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_test_tx_clear();
	opts_sack1(o12, y + 201, y + 401);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 101,
				.flags = A, .opts = o12, .optlen = 12 });
	sf_test_tx_clear();
	sf_test_advance_until_tx(3000);		/* the RTO */
	sf_test_tx_clear();
	/* The peer took the hole but reneged on 201-401. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 201,
						.flags = A });
	sf_worker_flush(sf_t.w);
	if (sf_t.ncap == 0)
		sf_test_advance_until_tx(5000);
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.seq, y + 201);
	assert_true(o.len >= 100);
	sf_test_tx_clear();
}

static int
setup_ts_sack(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.ts_on = true;
	conf.sack_on = true;
	return setup_conf(&conf);
}

/* Item 8 (RFC 6691): segments that carry SACK blocks give up payload
 * for them; no IP packet exceeds 1500 bytes. */
static void
test_tcp_edge_sack_fits_mtu(void **state)
{
	static const uint8_t syn[20] = {
		2, 4, 0x05, 0xb4, 1, 1, 4, 2,		/* MSS 1460, SACKOK */
		1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,	/* TS 1 */
	};
	static char buf[8000];
	uint8_t o12[12];
	struct sf_test_out o;
	uint32_t y, tsv, i, sent = 0;

	(void)state;
	memset(buf, 'm', sizeof(buf));
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
				.opts = syn, .optlen = 20 });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	tsv = o.opts.tsval;
	opts_ts(o12, 2, tsv);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .opts = o12, .optlen = 12 });
	/* Out of order: our ACKs now carry a SACK block. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 111, .ack = y + 1,
				.flags = A, .opts = o12, .optlen = 12,
				.data = "x", .len = 1 });
	sf_test_tx_clear();
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	sf_worker_flush(sf_t.w);
	assert_true(sf_t.ncap >= 5);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		assert_true(o.opts.present & SF_TCPOPT_SACK);
		assert_true(sf_t.cap[i]->pkt_len - RTE_ETHER_HDR_LEN <= 1500);
		sent += o.len;
	}
	assert_int_equal(sent, sizeof(buf));
	sf_test_tx_clear();
}

/* ---- 9: the window of a SYN-ACK --------------------------------- */

static int
setup_ws(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.wscale_on = true;
	return setup_conf(&conf);
}

/* Item 9 (RFC 7323 §2.2): the window in a SYN-ACK is never scaled. */
static void
test_tcp_edge_synack_window_unscaled(void **state)
{
	static const uint8_t synack[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	static char hello[5001];
	struct sf_test_out o;
	struct sf_conn *c;
	uint32_t i, iss, sent = 0;

	(void)state;
	memset(hello, 'h', sizeof(hello) - 1);
	sf_app.hello = hello;
	iss = sf_test_tcp_connect(&c);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = 6666, .dport = 5555,
				.seq = 7000, .ack = iss + 1, .flags = S | A,
				.wnd = 1000, .opts = synack, .optlen = 8 });
	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		sent += o.len;
	}
	assert_true(sent > 0 && sent <= 1000);
	sf_test_tx_clear();
	sf_app.hello = NULL;
}

/* ---- 11-14: keepalive, persist ---------------------------------- */

static int
setup_keepalive(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.keepalive_ms = 10000;
	conf.keepalive_intvl_ms = 1000;
	conf.keepalive_probes = 3;
	return setup_conf(&conf);
}

/* Item 11: keepalive on a half-closed connection (FIN_WAIT_2, the app
 * still holds it) probes; it is not a FIN_WAIT_2 timeout, which is for
 * orphans only. */
static void
test_tcp_edge_keepalive_half_close(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100), i;

	(void)state;
	assert_int_equal(sf_tcp_shutdown(sf_t.w, sf_app.conn), 0);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = A });
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 1);
	for (i = 0; i < 3; i++) {
		sf_test_advance_until_tx(12000);
		sf_test_tcp_expect_one(&o);
		assert_int_equal(o.flags & R, 0);
		assert_int_equal(o.seq, y + 1);		/* snd_una - 1 */
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
					.ack = y + 2, .flags = A });
		sf_test_tx_clear();
	}
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_2), 1);
	assert_int_equal(sf_test_counter("tcp_fw2_timeouts"), 0);
	assert_true(sf_test_counter("tcp_keepalive_probes") >= 3);
	assert_int_equal(sf_app.closed, 0);
}

/* Answer every probe with a zero window, @n times at most, stopping
 * once the connection is gone; returns the probes answered. */
static unsigned int
answer_zero_window(unsigned int n, uint32_t ack)
{
	unsigned int i;

	for (i = 0; i < n && sf_app.closed == 0; i++) {
		sf_test_advance_until_tx(200000);
		sf_test_tx_clear();
		if (sf_app.closed != 0)
			break;
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
				.ack = ack, .flags = A, .wnd_zero = true });
		sf_test_tx_clear();
	}
	return i;
}

/* Item 12: an orphan in zero-window persist is bounded (sockstress):
 * however loyally the peer answers with window 0, it ends. */
static void
test_tcp_edge_orphan_persist_bounded(void **state)
{
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd_zero = true });
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "data", 4);
	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_test_tx_clear();
	answer_zero_window(30, y + 1);
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_FIN_WAIT_1), 0);
}

/* Item 14 (RFC 9293 §3.8.6.1): a window that shrinks to zero with data
 * in flight is probed, and a peer that keeps answering keeps the
 * connection, past any number of retransmission timeouts. */
static void
test_tcp_edge_window_shrinks_to_zero(void **state)
{
	static char buf[300];
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	memset(buf, 'z', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 300);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd_zero = true });
	sf_test_tx_clear();
	assert_int_equal(answer_zero_window(15, y + 1), 15);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	assert_int_equal(sf_test_counter("tcp_rto_aborts"), 0);
	/* The window opens: the data goes and is acked. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A });
	sf_worker_flush(sf_t.w);
	if (sf_t.ncap == 0)
		sf_test_advance_until_tx(130000);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 301,
						.flags = A });
	assert_int_equal(tcb()->sndq_len, 0);
}

/* A window shut over data in flight, then the path dies: the probes go
 * unanswered and, after tcp.retries of them, the connection ends with a
 * RST, reason persist-timeout, counted apart from the RTO aborts. */
static void
test_tcp_edge_persist_unanswered(void **state)
{
	static char buf[300];
	uint32_t y = sf_test_tcp_accept(100);
	struct sf_test_out o;
	unsigned int n = 0;

	(void)state;
	memset(buf, 'p', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 300);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd_zero = true });
	sf_test_tx_clear();
	for (;;) {
		sf_test_advance_until_tx(130000);
		if (sf_app.closed != 0 || ++n == 100)
			break;
		sf_test_tx_clear();
	}
	assert_int_equal(sf_app.closed, 1);
	assert_int_equal(sf_app.why, SF_CLOSE_PERSIST_TIMEOUT);
	assert_int_equal(sf_test_counter("tcp_persist_aborts"), 1);
	assert_int_equal(sf_test_counter("tcp_rto_aborts"), 0);
	assert_int_equal(sf_test_counter("tcp_window_probes"),
			 sf_t.w->tcp->conf.retries);
	sf_test_tcp_out(sf_t.ncap - 1, &o);
	assert_true(o.flags & R);
}

/* Item 13: leaving persist, the retransmission timer starts from the
 * RTO, not from the backed-off probe interval. */
static void
test_tcp_edge_persist_exit_rto(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100), t;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd_zero = true });
	sf_tcp_send_copy(sf_t.w, sf_app.conn, "data", 4);
	sf_test_tx_clear();
	assert_int_equal(answer_zero_window(4, y + 1), 4);
	/* The window opens; the data is lost. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
						.flags = A, .wnd = 1000 });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, 4);
	t = (uint32_t)sf_test_advance_until_tx(20000);
	/* the RTO from the handshake's sample (0 ms): rto_min, 200 ms */
	assert_true(t >= 200 && t <= 200 + LATE(200));
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.seq, y + 1);
	assert_int_equal(o.len, 4);
}

/* ---- 15: the receive queue -------------------------------------- */

/* Item 15: tiny segments held for a slow app do not each pin an mbuf,
 * and the bytes come out whole and in order. */
static void
test_tcp_edge_rcvq_tiny_segments(void **state)
{
	uint32_t y = sf_test_tcp_accept(100), i;
	unsigned int base;
	uint8_t b;

	(void)state;
	sf_app.refuse_data = true;
	base = rte_mempool_in_use_count(sf_t.pool);
	for (i = 0; i < 2000; i++) {
		b = (uint8_t)i;
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101 + i,
				.ack = y + 1, .flags = A, .data = &b,
				.len = 1 });
		sf_test_tx_clear();
	}
	assert_int_equal(tcp_rcvq_len(tcb()), 2000);
	assert_true(rte_mempool_in_use_count(sf_t.pool) < base + 64);
	sf_app.refuse_data = false;
	b = (uint8_t)2000;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101 + 2000,
			.ack = y + 1, .flags = A, .data = &b, .len = 1 });
	sf_test_tx_clear();
	assert_int_equal(sf_app.rx_len, 2001);
	for (i = 0; i < 2001; i++)
		assert_int_equal(sf_app.rx[i], (uint8_t)i);
}

/* ---- 16: SYN cookies -------------------------------------------- */

static int
setup_cookies_always(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.syncookies = 2;
	return setup_conf(&conf);
}

/* Item 16: a cookie does not come back to life when its 5-bit tick
 * wraps (32 ticks of 64 s later). */
static void
test_tcp_edge_syncookie_no_wrap(void **state)
{
	struct sf_test_out o;
	uint32_t iss;

	(void)state;
	iss = sf_test_tcp_syn(100);
	sf_t.w->now += 32ULL * 64000 * TEST_MS;
	sf_tcp_poll(sf_t.w);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = iss + 1,
						.flags = A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & R, R);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 0);
	assert_int_equal(sf_test_counter("tcp_syncookies_failed"), 1);
}

/* ---- 17: TIME_WAIT ---------------------------------------------- */

/* Accepted, our FIN out and acked with the peer's FIN (seq 101):
 * TIME_WAIT. Returns our ISS. */
static uint32_t
to_time_wait(void)
{
	uint32_t y = sf_test_tcp_accept(100);

	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = A | F });
	sf_test_tx_clear();
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	return y;
}

/* Item 17: only the peer's retransmitted FIN restarts 2MSL; a FIN with
 * any other sequence number does not hold the record. */
static void
test_tcp_edge_timewait_bogus_fin(void **state)
{
	uint32_t y = to_time_wait();

	(void)state;
	sf_test_advance_ms(1500);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 5101, .ack = y + 2,
						.flags = A | F });
	sf_test_tx_clear();
	sf_test_advance_ms(TWO_MSL - 1500 + LATE(TWO_MSL));
	sf_test_tx_clear();
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
}

/* ---- SYN+FIN (RFC 9293 has no rule against it) ------------------- */

/* In a synchronized state a SYN+FIN is a SYN: RFC 5961 §4.2's
 * challenge ACK, the FIN not taken (freebsd-net's STANDARD branch;
 * Linux). It was dropped unanswered. */
static void
test_tcp_edge_synfin_established(void **state)
{
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .flags = S | F });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.seq, y + 1);
	assert_int_equal(o.ack, 101);
	assert_int_equal(sf_test_counter("tcp_challenge_acks"), 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
}

/* In TIME_WAIT too: an ACK, never a new connection (RFC 6191's reuse
 * is for a SYN). */
static void
test_tcp_edge_synfin_timewait(void **state)
{
	struct sf_test_out o;

	(void)state;
	to_time_wait();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 102, .flags = S | F });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(o.ack, 102);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 70000,
						.flags = S | F });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, A);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 1);
	assert_int_equal(sf_test_counter("tcp_tw_reused"), 0);
	/* One whose FIN would end where the peer's did is no retransmitted
	 * FIN: 2MSL is not restarted by it. */
	sf_test_advance_ms(TWO_MSL - 100);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .flags = S | F });
	sf_test_tx_clear();
	sf_test_advance_ms(100 + LATE(TWO_MSL));
	sf_test_tx_clear();
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
}

/* At a listener: dropped by default (tcp.drop_synfin, as Linux and
 * FreeBSD's drop_synfin); with it off, the SYN it also is, its FIN not
 * taken (FreeBSD's drop_synfin=0, the STANDARD branch). */
static void
test_tcp_edge_synfin_listen(void **state)
{
	struct sf_test_out o;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S | F });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 0);
	assert_int_equal(sf_test_counter("tcp_drop_flags"), 1);
	sf_t.w->tcp->conf.drop_synfin = false;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S | F });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(o.ack, 101);
}

/* ---- 18: rate limits -------------------------------------------- */

/* Item 18 (RFC 5961 §7): challenge ACKs are limited per second, so two
 * confused ends cannot trade them at line rate; ACKs to out-of-window
 * segments (a peer's keepalive or window probe, a retransmission whose
 * ACK was lost) have a budget a hundred times larger. */
static void
test_tcp_edge_ack_rate_limited(void **state)
{
	uint32_t y = sf_test_tcp_accept(100), i, sent = 0;

	(void)state;
	for (i = 0; i < 3000; i++) {
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
					.flags = S });
		sf_worker_flush(sf_t.w);
		sent += sf_t.ncap;
		sf_test_tx_clear();
	}
	assert_true(sent > 0 && sent <= 1000);
	assert_true(sf_test_counter("tcp_ack_ratelimited") >= 2000);
	/* Out of window: still answered. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 5, .ack = y + 1,
						.flags = A });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 1);
	sf_test_tx_clear();
	/* Past the next second the challenge budget is back. */
	sf_test_advance_ms(1100);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .flags = S });
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 1);
	sf_test_tx_clear();
}

/* ---- 19: the lesser ones ---------------------------------------- */

static int
setup_notlp(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.tlp_on = false;
	return setup_conf(&conf);
}

/* Item 19 (RFC 6582 §3.2 step 2): duplicate ACKs for data sent before
 * an RTO do not start a fast retransmit. */
static void
test_tcp_edge_recover_after_rto(void **state)
{
	static char buf[100];
	uint32_t y = sf_test_tcp_accept(100), i;

	(void)state;
	memset(buf, 'd', sizeof(buf));
	for (i = 0; i < 5; i++)
		sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 100);
	sf_test_tx_clear();
	sf_test_advance_until_tx(3000);		/* the RTO */
	sf_test_tx_clear();
	for (i = 0; i < 4; i++)
		sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101,
					.ack = y + 1, .flags = A });
	sf_test_tx_clear();
	assert_int_equal(sf_test_counter("tcp_fast_recoveries"), 0);
}

/* Three segments sent, then the RTO: one goes again, snd_nxt rewound
 * below snd_max. Returns our ISS. */
static uint32_t
rto_rewound(void)
{
	static char buf[3 * 536];
	uint32_t y = sf_test_tcp_accept(100);

	memset(buf, 'a', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	sf_test_tx_clear();
	sf_test_advance_until_tx(3000);
	sf_test_tx_clear();
	assert_true(SF_SEQ_LT(tcb()->snd_nxt, tcb()->snd_max));
	return y;
}

/* Item 19: an abort after an RTO rewound snd_nxt sends its RST at
 * snd_max, where the peer's window is. */
static void
test_tcp_edge_rst_at_snd_max(void **state)
{
	struct sf_test_out o;
	uint32_t y = rto_rewound();

	(void)state;
	sf_tcp_abort(sf_t.w, sf_app.conn);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & R, R);
	assert_int_equal(o.seq, y + 1 + 3 * 536);
}

/* The peer's 4 bytes at 101 (acking nothing, window @wnd) get a pure
 * ACK at sequence @seq. */
static void
ping_acked_at(uint32_t y, uint16_t wnd, uint32_t seq)
{
	struct sf_test_out o;

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | P, .wnd = wnd,
				.data = "ping", .len = 4 });
	sf_worker_flush(sf_t.w);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.ack, 105);
	assert_int_equal(o.seq, seq);
}

/* Item 19: a segment without data carries a sequence number the peer
 * accepts (Linux's tcp_acceptable_seq). A peer whose window shut under
 * data in flight takes only snd_una: since Linux 6.17 a segment past
 * its right edge is dropped, ACK and all, and a kernel echo server
 * whose send queue waited on that ACK never read again (tcp_loss). */
static void
test_tcp_edge_ack_seq_in_shut_window(void **state)
{
	static char buf[300];
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	memset(buf, 'w', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	sf_test_tx_clear();
	/* The window shrinks to 100 bytes under the 300 in flight; the
	 * peer's data wants an ACK: it goes at the right edge. */
	ping_acked_at(y, 100, y + 101);
	/* It shuts: at snd_una. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 105, .ack = y + 1,
				.flags = A | P, .wnd_zero = true,
				.data = "pong", .len = 4 });
	sf_worker_flush(sf_t.w);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.ack, 109);
	assert_int_equal(o.seq, y + 1);
	/* So does a RST. */
	sf_tcp_abort(sf_t.w, sf_app.conn);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & R, R);
	assert_int_equal(o.seq, y + 1);
}

/* The data fills the peer's window and the FIN goes one past it. A
 * pure ACK sent while it is unacked stays at the edge: a receiver that
 * did not take the FIN (window 0 for segments with a length, RFC 9293
 * §3.10.7.4; synfin, FreeBSD) would drop one at snd_max, and with it
 * the ACK of its data, for as long as its window stays shut. */
static void
test_tcp_edge_ack_seq_after_fin_at_edge(void **state)
{
	static char buf[500];
	struct sf_test_out o;
	uint32_t y = sf_test_tcp_accept(100);

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A, .wnd = 500 });
	sf_test_tx_clear();
	memset(buf, 'e', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_worker_flush(sf_t.w);
	/* The data, then the FIN alone, past the edge. */
	assert_int_equal(sf_t.ncap, 2);
	sf_test_tcp_out(0, &o);
	assert_int_equal(o.len, 500);
	sf_test_tcp_out(1, &o);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.flags & F, F);
	assert_int_equal(o.seq, y + 501);
	sf_test_tx_clear();
	ping_acked_at(y, 500, y + 501);
}

/* The peer's data at 601 (past a hole: ack y+1, window 65535) and its
 * pure ACK at 101 (ack y+301 for our 300 bytes, window 100), the ACK
 * first if @ack_first; then 1000 bytes queued. Returns what went. */
static uint32_t
window_after(bool ack_first)
{
	static char buf[1000];
	uint32_t y = sf_test_tcp_accept(100), sent = 0;
	const struct sf_test_seg data = { .seq = 601, .ack = y + 1,
		.flags = A, .data = buf, .len = 100 };
	const struct sf_test_seg ack = { .seq = 101, .ack = y + 301,
		.flags = A, .wnd = 100 };
	struct sf_test_out o;
	unsigned int i;

	memset(buf, 'v', sizeof(buf));
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, 300);
	sf_test_tx_clear();
	sf_test_tcp_send(ack_first ? &ack : &data);
	sf_test_tx_clear();
	sf_test_tcp_send(ack_first ? &data : &ack);
	sf_test_tx_clear();
	assert_int_equal(tcb()->snd_wnd, 100);
	sf_tcp_send_copy(sf_t.w, sf_app.conn, buf, sizeof(buf));
	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++) {
		sf_test_tcp_out(i, &o);
		sent += o.len;
	}
	return sent;
}

/* Item 1 (sending beyond the peer's window), as Linux's pure ACKs
 * bring it about: an ACK whose sequence number is below an earlier
 * data segment's (Linux sends them at our window's right edge when its
 * snd_nxt is past it, tcp_acceptable_seq) still carries the window when
 * it acknowledges new data (Linux's tcp_may_update_window). Under RFC
 * 9293's WL1 rule alone the shrunk window was ignored and synfin sent
 * past it; Linux dropped that data, ACK and all (impair loss5). */
static void
test_tcp_edge_window_from_ack_below_wl1(void **state)
{
	(void)state;
	assert_int_equal(window_after(false), 100);
}

/* The same rule must not let an old ACK back in: the data overtaken by
 * the pure ACK brings no window, its ACK being below snd_una (RFC
 * 9293: SND.UNA =< SEG.ACK). */
static void
test_tcp_edge_window_not_from_old_ack(void **state)
{
	(void)state;
	assert_int_equal(window_after(true), 100);
}

/* A RST from SYN_RCVD goes at ISS + 1 even when the peer's SYN offered
 * window 0: our SYN is not bound by the window. */
static void
test_tcp_edge_rst_syn_rcvd_zero_window(void **state)
{
	struct sf_test_out o;
	struct sf_tcb *c = NULL;
	uint32_t y, i;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 100, .flags = S,
						.wnd_zero = true });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	for (i = 0; i < sf_t.w->tcp->conf.max_conns; i++)
		if (sf_t.w->tcp->tcbs[i].state == SF_TCP_SYN_RCVD)
			c = &sf_t.w->tcp->tcbs[i];
	assert_non_null(c);
	tcp_send_rst_tcb(sf_t.w, c);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags & R, R);
	assert_int_equal(o.seq, y + 1);
}

/* Item 19: after an RTO rewound snd_nxt, an ACK goes at snd_max: the
 * peer may hold everything sent, and a segment left of its window
 * (end below its last advertised edge's base) is dropped by Linux. */
static void
test_tcp_edge_ack_seq_after_rto(void **state)
{
	struct sf_test_out o;
	uint32_t y = rto_rewound();

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 1,
				.flags = A | P, .data = "ping", .len = 4 });
	sf_worker_flush(sf_t.w);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.ack, 105);
	assert_int_equal(o.seq, y + 1 + 3 * 536);
}

/* Item 19: a connect() that fails at once returns the error and never
 * calls closed(); nothing leaks. */
static void
test_tcp_edge_connect_fails_cleanly(void **state)
{
	struct rte_mbuf *held[TEST_POOL_HOLD];
	struct sf_conn *c = NULL;
	unsigned int n = 0, i;
	int rc;

	(void)state;
	while (n < TEST_POOL_HOLD &&
	       (held[n] = rte_pktmbuf_alloc(sf_t.pool)) != NULL)
		n++;
	rc = sf_tcp_connect(sf_t.w, 0, 0, 5555, SF_TEST_PEER_IP, 6666,
			    &sf_test_app_ops, NULL, &c);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(held[i]);
	sf_test_tx_clear();
	if (rc == 0) {
		/* Accepted: the app hears of it only through closed(),
		 * later, never within connect(). */
		assert_int_equal(sf_app.closed, 0);
		sf_tcp_abort(sf_t.w, c);
	} else {
		assert_int_equal(sf_app.closed, 0);
		assert_int_equal(sf_test_tcp_state(SF_TCP_SYN_SENT), 0);
	}
	sf_test_tx_clear();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_test_tcp_setup_listen, \
					      sf_test_tcp_teardown)
#define TC(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, \
					      sf_test_tcp_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_edge_probe_within_window),
		TC(test_tcp_edge_sack_within_window, setup_sack_notlp),
		T(test_tcp_edge_tlp_once),
		T(test_tcp_edge_tlp_once_partial_ack),
		T(test_tcp_edge_tlp_spent_timer),
		TC(test_tcp_edge_right_edge_kept, setup_small_rcvbuf_ws),
		TC(test_tcp_edge_right_edge_kept_large, setup_rcvbuf_8k),
		TC(test_tcp_edge_old_ack_dropped, setup_ts_ws),
		TC(test_tcp_edge_tsecr_future, setup_ts_ws),
		TC(test_tcp_edge_ts_recent_expires, setup_ts_ws),
		T(test_tcp_edge_fin_with_data_close_in_recv),
		T(test_tcp_edge_fin_on_handshake_ack_close),
		T(test_tcp_edge_fin_after_full_trim),
		T(test_tcp_edge_fin_on_ooo),
		T(test_tcp_edge_ooo_pure_dupack),
		T(test_tcp_edge_ooo_fin_acked),
		cmocka_unit_test_setup_teardown(
			test_tcp_edge_sack_first_block_many_holes,
			setup_large_rcvbuf_sack, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_edge_sack_first_block_repeat,
			setup_large_rcvbuf_sack, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_edge_ooo_fills_window,
			setup_large_rcvbuf, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_edge_ooo_tiny_bounded,
			setup_small_rcvbuf_ws, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_edge_recv_pull_window_update,
			setup_small_rcvbuf_ws, sf_test_tcp_teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_edge_recv_pull_no_small_update,
			setup_small_rcvbuf_ws, sf_test_tcp_teardown),
		T(test_tcp_edge_recv_pull_window_capped),
		cmocka_unit_test_setup_teardown(test_tcp_edge_ack_at_right_edge,
			setup_small_rcvbuf_ws, sf_test_tcp_teardown),
		T(test_tcp_edge_cwnd_bounded),
		TC(test_tcp_edge_sack_reneging, setup_sack_notlp),
		TC(test_tcp_edge_rst_carries_ts, setup_ts_ws),
		TC(test_tcp_edge_sack_fits_mtu, setup_ts_sack),
		TC(test_tcp_edge_synack_window_unscaled, setup_ws),
		TC(test_tcp_edge_keepalive_half_close, setup_keepalive),
		T(test_tcp_edge_orphan_persist_bounded),
		T(test_tcp_edge_window_shrinks_to_zero),
		T(test_tcp_edge_persist_unanswered),
		T(test_tcp_edge_persist_exit_rto),
		T(test_tcp_edge_rcvq_tiny_segments),
		TC(test_tcp_edge_syncookie_no_wrap, setup_cookies_always),
		T(test_tcp_edge_timewait_bogus_fin),
		T(test_tcp_edge_synfin_established),
		T(test_tcp_edge_synfin_timewait),
		T(test_tcp_edge_synfin_listen),
		T(test_tcp_edge_ack_rate_limited),
		TC(test_tcp_edge_recover_after_rto, setup_notlp),
		TC(test_tcp_edge_rst_at_snd_max, setup_notlp),
		T(test_tcp_edge_ack_seq_in_shut_window),
		T(test_tcp_edge_ack_seq_after_fin_at_edge),
		T(test_tcp_edge_window_from_ack_below_wl1),
		T(test_tcp_edge_window_not_from_old_ack),
		T(test_tcp_edge_rst_syn_rcvd_zero_window),
		TC(test_tcp_edge_ack_seq_after_rto, setup_notlp),
		T(test_tcp_edge_connect_fails_cleanly),
	};

	if (getenv("SF_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("SF_TEST_FILTER"));
	return cmocka_run_group_tests_name("tcp_edges", tests, NULL, NULL);
}
