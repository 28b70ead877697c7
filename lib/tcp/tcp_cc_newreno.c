/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: RFC 5681 slow start and congestion avoidance,
 * counted in bytes (RFC 3465), grown only while the window is used (RFC
 * 7661); the reduction on loss and on the retransmission timeout, as
 * NewReno (RFC 5681, RFC 6582) or as CUBIC's Reno-friendly AIMD (RFC
 * 9438 §4.3, §4.6, §4.8; conf.cc); and the probe timer
 * (RFC 8985 §7 tail loss probes, and in recovery the timer that finds a
 * lost resend no ACK revealed). Loss recovery itself is tcp_recovery.c.
 */
#include "tcp_priv.h"

/* RFC 9438 §4.6 beta_cubic, in percent */
#define TCP_CUBIC_BETA_PCT 70

/* New data acknowledged outside recovery (RFC 5681 §3.1), counted in
 * bytes (RFC 3465): one ACK may cover a whole RX burst of the peer's
 * (ours, and Linux's per GRO aggregate), so growth per ACK would
 * stall slow start. Slow start grows by the bytes acked up to
 * ssthresh, as Linux does (no L limit: a stretch ACK's burst is what
 * the receiver's batching asked for); congestion avoidance by
 * MSS * acked / cwnd, one MSS per cwnd acknowledged.
 * RFC 7661: only a window that was used grows. @flight was in flight
 * before this ACK; a sender that kept less than half of cwnd out is
 * application-limited (Linux's slow-start test, used for both phases),
 * and cwnd stays. TCP_CWND_MAX bounds it whatever the peer acks. */
void
tcp_cc_ack(const struct sf_worker *w, struct sf_tcb *c, uint32_t acked,
	   uint32_t flight)
{
	uint32_t room, inc;

	if ((uint64_t)flight * 2 < c->cwnd || c->cwnd >= TCP_CWND_MAX)
		return;
	if (w->tcp->cc_bbr) {
		tcp_bbr_cwnd(w, c, acked);
		return;
	}
	if (c->cwnd < c->ssthresh) {
		room = c->ssthresh - c->cwnd;
		if (acked <= room) {
			c->cwnd = RTE_MIN(c->cwnd + acked, TCP_CWND_MAX);
			return;
		}
		c->cwnd = c->ssthresh;
		acked -= room;
	}
	inc = (uint32_t)((uint64_t)c->mss * acked / c->cwnd);
	/* RFC 9438 §4.3: alpha_cubic = 3 (1 - 0.7) / (1 + 0.7) = 0.53 until
	 * cwnd is back at the window of the last reduction (W_max, which
	 * set ssthresh to 0.7 of it), then 1. */
	if (w->tcp->cc_cubic &&
	    (uint64_t)c->cwnd * TCP_CUBIC_BETA_PCT < (uint64_t)c->ssthresh * 100)
		inc = (uint32_t)((uint64_t)inc * 529 / 1000);
	c->cwnd += RTE_MAX(1u, inc);
	c->cwnd = RTE_MIN(c->cwnd, TCP_CWND_MAX);
}

/* ssthresh on loss (RFC 5681 §3.1 (4): half the flight; RFC 9438 §4.6:
 * beta_cubic = 0.7 of it), at least two segments. */
uint32_t
tcp_cc_ssthresh(const struct sf_worker *w, const struct sf_tcb *c,
		uint32_t flight)
{
	uint32_t s;

	if (w->tcp->cc_bbr)
		return tcp_bbr_ssthresh(w, c, flight);
	s = w->tcp->cc_cubic ?
		(uint32_t)((uint64_t)flight * TCP_CUBIC_BETA_PCT / 100) :
		flight / 2;

	return RTE_MAX(s, 2u * c->mss);
}

/* The retransmission timer fired: recovery starts over from snd_una. */
void
tcp_cc_timeout(const struct sf_worker *w, struct sf_tcb *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	c->ssthresh = tcp_cc_ssthresh(w, c, flight);	/* RFC 9438 §4.8 */
	c->cwnd = c->mss;
	c->tlp = 0;		/* the RTO ends a tail-loss episode */
	if (w->tcp->cc_bbr)
		tcp_bbr_timeout(w, c);
	c->dupacks = 0;
	c->lt_sent = 0;
	c->recover = c->snd_max;
	c->flags &= (uint16_t)~TF_RECOVERY;
}

/* When the retransmission timer next fires for data in flight: a tail
 * loss probe when one may be sent (RFC 8985 §7.2 as Linux computes it:
 * PTO = 2 SRTT + 2 ms, plus WCDelAckT with a single segment out, and
 * only when that comes before the RTO), else the RTO. In recovery the
 * same timeout (without WCDelAckT: a receiver holding out-of-order data
 * acks at once) finds a lost resend, a few times, then the RTO. Returns
 * the deadline (ms). */
uint32_t
tcp_cc_arm(struct sf_worker *w, struct sf_tcb *c)
{
	uint8_t n = c->tlp & (uint8_t)~TCP_TLP_ARMED;
	uint32_t pto = (c->srtt >> 2) + TCP_PTO_MIN_MS;
	bool may;

	if (c->flags & TF_RECOVERY) {
		may = tcp_recovery_may_probe(w, c);
	} else {
		/* A peer that has sent its FIN (we are in LAST_ACK or
		 * CLOSING) acks ours at once (Linux's FIN_WAIT_2 and CLOSING
		 * do): no delayed-ACK allowance when the one segment out
		 * carries our FIN. Data alone it may hold as usual. */
		if (c->snd_max - c->snd_una <= c->mss &&
		    !((c->flags & TF_FIN_SENT) &&
		      (c->state == SF_TCP_LAST_ACK ||
		       c->state == SF_TCP_CLOSING)))
			pto += TCP_TLP_WCDELACK_MS;
		may = w->tcp->conf.tlp_on && n < TCP_TLP_MAX;
	}
	c->tlp = n;
	/* Any synchronized state with something out: the tail of a
	 * connection being closed is a tail too (RFC 8985 §7 names no
	 * state; Linux probes there as well). */
	if (may && c->srtt != 0 && c->nrexmit == 0 && pto < c->rto &&
	    c->state >= SF_TCP_ESTABLISHED && c->state != SF_TCP_TIME_WAIT) {
		c->tlp |= TCP_TLP_ARMED;
		return tcp_deadline(w->tcp->now, pto);
	}
	return tcp_deadline(w->tcp->now, c->rto);
}

/* New data went out (RFC 8985 §7.2: start or restart the PTO after
 * it): a probe that had not been possible may be now, and a pending
 * one counts from here. A running RTO is never pushed later. */
void
tcp_cc_rearm_probe(struct sf_worker *w, struct sf_tcb *c)
{
	uint32_t old = c->rto_at, at;
	uint8_t tlp = c->tlp;

	if ((tlp & (uint8_t)~TCP_TLP_ARMED) != 0)
		return;		/* this episode's probe went out */
	at = tcp_cc_arm(w, c);
	if ((c->tlp & TCP_TLP_ARMED) &&
	    ((tlp & TCP_TLP_ARMED) || TCP_TIME_LT(at, old)))
		c->rto_at = at;
	else {
		c->rto_at = old;
		c->tlp = tlp;
	}
}

/* With all our data acked and our FIN out, the FIN is the probe (RFC
 * 8985 §7.3: the highest-sequence segment sent). Returns true when it
 * went. */
bool
tcp_probe_fin(struct sf_worker *w, struct sf_tcb *c)
{
	if (!(c->flags & TF_FIN_SENT) || c->snd_una == c->snd_max)
		return false;
	c->snd_nxt = c->snd_una;
	tcp_output(w, c);
	return c->snd_nxt != c->snd_una;
}

/* Send the probe: one new segment when there is one and the peer's
 * window takes it, else the last segment sent, again (RFC 8985 §7.3).
 * Never past what was sent: data beyond snd_max may be beyond the
 * peer's window too. */
bool
tcp_cc_probe(struct sf_worker *w, struct sf_tcb *c)
{
	uint32_t data_end = c->snd_una + c->sndq_len, cwnd, seq, len, top;
	const struct sf_tcb_ext *e = tcp_ext(w, c);

	len = SF_SEQ_LT(c->snd_nxt, data_end) ?
		RTE_MIN((uint32_t)c->mss, data_end - c->snd_nxt) : 0;
	if (len != 0 && c->snd_nxt == c->snd_max &&
	    SF_SEQ_LEQ(c->snd_nxt + len, c->snd_una + c->snd_wnd)) {
		/* Room for exactly this segment against the pipe as
		 * tcp_output measures it; the probe leaves cwnd as it
		 * was. */
		cwnd = c->cwnd;
		c->cwnd = tcp_pipe(w, c) + len;
		tcp_output(w, c);
		c->cwnd = cwnd;
		return true;
	}
	top = SF_SEQ_LT(c->snd_max, data_end) ? c->snd_max : data_end;
	if (!SF_SEQ_LT(c->snd_una, top))
		return tcp_probe_fin(w, c);	/* only our FIN is out */
	if (e != NULL && e->nsacked != 0 &&
	    SF_SEQ_GEQ(e->sacked[e->nsacked - 1].right, top)) {
		/* The tail arrived; the hole at snd_una is what is
		 * missing. */
		seq = c->snd_una;
		len = RTE_MIN((uint32_t)c->mss, e->sacked[0].left - seq);
	} else {
		seq = SF_SEQ_GT(top - c->mss, c->snd_una) ?
			top - c->mss : c->snd_una;
		len = top - seq;
	}
	return tcp_send_data_at(w, c, seq, len) > 0;
}
