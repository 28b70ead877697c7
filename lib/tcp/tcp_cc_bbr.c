/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control "bbr" (conf.cc): a model of the path in place of
 * loss as the congestion signal, after BBR v1
 * (draft-cardwell-iccrg-bbr-congestion-control-00). The bottleneck
 * bandwidth is the largest delivery rate of the last rounds (one
 * timed segment per round trip: bytes delivered, cumulatively or by
 * SACK, between its send and its ACK, over that time), the propagation
 * delay the smallest round trip of the last 10 s; cwnd is a gain times
 * their product, so random loss does not shrink it. Without pacing,
 * cwnd alone carries the model: 2.89 BDP while the rate still grows
 * (startup, which ends after three rounds without 25 % more), then 2
 * BDP. Loss recovery keeps the flight (PRR with ssthresh at the flight:
 * packet conservation); ProbeRTT drains to 4 segments for 200 ms when
 * the RTT minimum is 10 s old, so that a standing queue does not pass
 * for the path's delay.
 */
#include <string.h>

#include "tcp_priv.h"

#define BBR_US_PER_S UINT64_C(1000000)
#define BBR_GAIN_STARTUP 289		/* percent: 2 / ln 2 */
#define BBR_GAIN_CWND 200
#define BBR_FULL_BW_PCT 125		/* growth that keeps startup going */
#define BBR_FULL_BW_ROUNDS 3
#define BBR_BW_ROUNDS 5			/* per bucket; the max spans 5-10 */
#define BBR_RTT_WIN_MS 10000
#define BBR_PROBE_RTT_MS 200
#define BBR_MIN_SEGS 4
#define BBR_ACK_ALLOWANCE_SEGS 3	/* stretch ACKs of a burst */

#define BBR_F_FULL 0x01			/* startup over */
#define BBR_F_PROBE_RTT 0x02
#define BBR_F_T_APP 0x04		/* the timed segment went app-limited */

static inline struct tcp_bbr *
bbr_of(const struct sf_worker *w, const struct sf_tcb *c)
{
	return &w->tcp->bbr[c - w->tcp->tcbs];
}

static inline uint32_t
bbr_min_cwnd(const struct sf_tcb *c)
{
	return BBR_MIN_SEGS * (uint32_t)c->mss;
}

static inline uint64_t
bbr_bw(const struct tcp_bbr *b)
{
	return RTE_MAX(b->bw[0], b->bw[1]);
}

void
tcp_bbr_init(const struct sf_worker *w, const struct sf_tcb *c)
{
	memset(bbr_of(w, c), 0, sizeof(struct tcp_bbr));
}

/* gain (percent) x BDP plus room for a burst's stretch ACKs; 0 while
 * there is no model yet. */
static uint32_t
bbr_target(const struct sf_tcb *c, const struct tcp_bbr *b, uint32_t gain)
{
	uint64_t bdp, t;

	if (bbr_bw(b) == 0 || b->min_rtt_us == 0)
		return 0;
	bdp = bbr_bw(b) * b->min_rtt_us / BBR_US_PER_S;
	t = bdp * gain / 100 + BBR_ACK_ALLOWANCE_SEGS * (uint64_t)c->mss;
	if (t > TCP_CWND_MAX)
		return TCP_CWND_MAX;
	return RTE_MAX((uint32_t)t, bbr_min_cwnd(c));
}

uint32_t
tcp_bbr_ssthresh(const struct sf_worker *w, const struct sf_tcb *c,
		 uint32_t flight)
{
	const struct tcp_bbr *b = bbr_of(w, c);
	uint32_t t = bbr_target(c, b, (b->flags & BBR_F_FULL) ?
				BBR_GAIN_CWND : BBR_GAIN_STARTUP);

	if (t != 0 && t < flight)
		flight = t;
	return RTE_MAX(flight, 2u * c->mss);
}

static void bbr_probe_rtt(struct sf_worker *w, struct sf_tcb *c,
			  struct tcp_bbr *b);

/* New data went out (tcp_output): time its last byte unless a segment
 * is timed already. App-limited: all queued data is out and cwnd had
 * room for more; such a rate sample can only raise the estimate. */
void
tcp_bbr_sent(struct sf_worker *w, struct sf_tcb *c)
{
	struct tcp_bbr *b = bbr_of(w, c);
	uint32_t flight = c->snd_max - c->snd_una;

	if (b->flags & BBR_F_PROBE_RTT)
		bbr_probe_rtt(w, c, b);		/* over while idle? */
	if (b->t_us != 0)
		return;
	b->t_seq = c->snd_max;
	b->t_us = tcp_now_us(w);
	b->t_delivered = b->delivered;
	/* ProbeRTT's 4 segments are no measure of the path's rate. */
	if ((flight >= c->sndq_len && flight + c->mss <= c->cwnd) ||
	    (b->flags & BBR_F_PROBE_RTT))
		b->flags |= BBR_F_T_APP;
	else
		b->flags &= (uint8_t)~BBR_F_T_APP;
}

/* The retransmission timer fired: a segment timed before it may wait
 * on the peer for any time (µs wrap in 71 min); time afresh. */
void
tcp_bbr_timeout(const struct sf_worker *w, const struct sf_tcb *c)
{
	bbr_of(w, c)->t_us = 0;
}

/* The timed segment is acked: one round trip, one rate sample. */
static void
bbr_sample(struct sf_worker *w, struct tcp_bbr *b)
{
	uint32_t rtt = RTE_MAX(tcp_now_us(w) - b->t_us, 1u);
	uint32_t ms = (uint32_t)w->tcp->now;
	uint64_t bw = (uint64_t)(b->delivered - b->t_delivered) *
		BBR_US_PER_S / rtt;
	bool app = (b->flags & BBR_F_T_APP) != 0;

	b->t_us = 0;
	/* An old minimum gives way to an app-limited sample: no queue of
	 * ours was in it (a connection that only answers requests needs
	 * no ProbeRTT; Linux's idle restart). */
	if (b->min_rtt_us == 0 || rtt < b->min_rtt_us ||
	    (app && ms - b->min_rtt_ms > BBR_RTT_WIN_MS)) {
		b->min_rtt_us = rtt;
		b->min_rtt_ms = ms;
	}
	/* Buckets turn over only with a sample taken: an app-limited
	 * stretch keeps the estimate (as BBR's max filter does), where
	 * emptying it would leave no model and cwnd 0. */
	if (bw != 0 && (!app || bw > bbr_bw(b))) {
		if (b->rounds >= BBR_BW_ROUNDS) {
			b->bw[1] = b->bw[0];
			b->bw[0] = bw;
			b->rounds = 0;
		} else {
			b->bw[0] = RTE_MAX(b->bw[0], bw);
		}
	}
	if (b->rounds < UINT8_MAX)
		b->rounds++;
	/* Startup ends when the rate stopped growing: the pipe is full. */
	if ((b->flags & BBR_F_FULL) || app)
		return;
	if (bbr_bw(b) * 100 >= b->full_bw * BBR_FULL_BW_PCT) {
		b->full_bw = bbr_bw(b);
		b->full_cnt = 0;
	} else if (++b->full_cnt >= BBR_FULL_BW_ROUNDS) {
		b->flags |= BBR_F_FULL;
	}
}

/* ProbeRTT: at most 4 segments in flight for 200 ms once there, then
 * the smallest RTT seen meanwhile is the new minimum. */
static void
bbr_probe_rtt(struct sf_worker *w, struct sf_tcb *c, struct tcp_bbr *b)
{
	uint32_t ms = (uint32_t)w->tcp->now;

	if (!(b->flags & BBR_F_PROBE_RTT)) {
		if (b->min_rtt_us == 0 || (c->flags & TF_RECOVERY) ||
		    ms - b->min_rtt_ms <= BBR_RTT_WIN_MS)
			return;
		b->flags |= BBR_F_PROBE_RTT;
		b->probe_until = 0;
		b->prior_cwnd = c->cwnd;
		c->cwnd = RTE_MIN(c->cwnd, bbr_min_cwnd(c));
	}
	if (b->probe_until == 0) {
		if (c->snd_max - c->snd_una > bbr_min_cwnd(c))
			return;
		/* Drained: what round trips now take is the path's. */
		b->probe_until = (ms + BBR_PROBE_RTT_MS) | 1;
		b->prior_min_rtt_us = b->min_rtt_us;
		b->min_rtt_us = 0;
		b->t_us = 0;
		return;
	}
	if (TCP_TIME_LT(ms, b->probe_until))
		return;
	if (b->min_rtt_us == 0)
		b->min_rtt_us = b->prior_min_rtt_us;
	b->min_rtt_ms = ms;
	b->flags &= (uint8_t)~BBR_F_PROBE_RTT;
	c->cwnd = RTE_MAX(c->cwnd, b->prior_cwnd);
}

/* Every ACK that delivered something (acked or newly SACKed bytes):
 * the model. */
void
tcp_bbr_ack(struct sf_worker *w, struct sf_tcb *c, uint32_t delivered)
{
	struct tcp_bbr *b = bbr_of(w, c);

	b->delivered += delivered;
	if (b->t_us != 0 && !SF_SEQ_LT(c->snd_una, b->t_seq))
		bbr_sample(w, b);
	bbr_probe_rtt(w, c, b);
}

/* cwnd outside recovery, for @acked new bytes: up to the model's
 * target, by slow start's steps until startup is over. */
void
tcp_bbr_cwnd(const struct sf_worker *w, struct sf_tcb *c, uint32_t acked)
{
	const struct tcp_bbr *b = bbr_of(w, c);
	uint32_t t, cwnd;

	if (b->flags & BBR_F_PROBE_RTT) {
		c->cwnd = RTE_MIN(c->cwnd, bbr_min_cwnd(c));
		return;
	}
	cwnd = (uint32_t)RTE_MIN((uint64_t)c->cwnd + acked,
				 (uint64_t)TCP_CWND_MAX);
	if (b->flags & BBR_F_FULL) {
		t = bbr_target(c, b, BBR_GAIN_CWND);
		if (t != 0)		/* t >= bbr_min_cwnd */
			c->cwnd = RTE_MIN(cwnd, t);
		return;
	}
	t = bbr_target(c, b, BBR_GAIN_STARTUP);
	if (t == 0 || c->cwnd < t)
		c->cwnd = cwnd;
}
