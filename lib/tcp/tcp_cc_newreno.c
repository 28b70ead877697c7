/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control and loss recovery: RFC 5681 slow start and
 * congestion avoidance, fast retransmit, and RFC 6582 NewReno recovery,
 * steered by SACK where the peer sends it (RFC 6675's ideas, kept small):
 * an ACK that reports newly SACKed data counts as a duplicate even when it
 * carries data (the usual case on a two-way stream such as echo), and each
 * ACK during recovery resends the next holes below the highest SACKed
 * byte. A resent hole still open when SACKs for later data keep coming
 * more than an RTT later was lost again (RACK's insight, RFC 8985, in its
 * simplest form) and is resent rather than left to the timer.
 *
 * Where recovery stands lives in the connection's loss recovery record
 * (struct sf_tcb_ext), taken when recovery starts. A connection that
 * could not get one recovers as RFC 6582 NewReno alone: one segment from
 * snd_una when recovery starts, on each partial ACK and on each probe
 * timeout.
 */
#include "tcp_priv.h"

#define TCP_DUPTHRESH 3
static_assert(TCP_DUPTHRESH < 4, "struct sf_tcb.dupacks is 2 bits");
/* cwnd never passes this (1 GiB): growth stops well before 32 bits
 * could wrap. */
#define TCP_CWND_MAX (UINT32_C(1) << 30)
#define TCP_RECOVERY_BURST 2	/* holes resent per ACK */

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
tcp_cc_ack(struct sf_tcb *c, uint32_t acked, uint32_t flight)
{
	uint32_t room;

	if ((uint64_t)flight * 2 < c->cwnd || c->cwnd >= TCP_CWND_MAX)
		return;
	if (c->cwnd < c->ssthresh) {
		room = c->ssthresh - c->cwnd;
		if (acked <= room) {
			c->cwnd = RTE_MIN(c->cwnd + acked, TCP_CWND_MAX);
			return;
		}
		c->cwnd = c->ssthresh;
		acked -= room;
	}
	c->cwnd += RTE_MAX(1u, (uint32_t)((uint64_t)c->mss * acked / c->cwnd));
	c->cwnd = RTE_MIN(c->cwnd, TCP_CWND_MAX);
}

/* Resend the next hole: the lowest unSACKed sequence at or above both
 * snd_una and what this recovery already resent. Without SACK that is
 * snd_una itself (NewReno). */
static bool
tcp_recovery_send_one(struct sf_worker *w, struct sf_tcb *c, bool partial)
{
	uint32_t seq, len, top, data_end = c->snd_una + c->sndq_len;
	struct sf_tcb_ext *e = tcp_ext(w, c);
	unsigned int i;
	int rc;

	if (e == NULL) {
		/* No record: NewReno, the segment at snd_una only. */
		if (!partial || !SF_SEQ_LT(c->snd_una, data_end))
			return false;
		len = RTE_MIN((uint32_t)c->mss, data_end - c->snd_una);
		return tcp_send_data_at(w, c, c->snd_una, len) > 0;
	}
	seq = c->snd_una;
	if (SF_SEQ_GT(e->rexmit_nxt, seq))
		seq = e->rexmit_nxt;
	top = e->nsacked ? e->sacked[e->nsacked - 1].right : c->snd_una + 1;
	len = c->mss;
	for (i = 0; i < e->nsacked; i++) {
		if (SF_SEQ_LEQ(e->sacked[i].left, seq) &&
		    SF_SEQ_LT(seq, e->sacked[i].right)) {
			seq = e->sacked[i].right;
			continue;
		}
		if (SF_SEQ_LT(seq, e->sacked[i].left)) {
			len = RTE_MIN(len, e->sacked[i].left - seq);
			break;
		}
	}
	/* Only holes below SACKed data are known lost; the tail is the
	 * retransmission timer's. A partial ACK is the exception: the
	 * segment it stops at is lost too (RFC 6582 §3.2 step 3). */
	if (!SF_SEQ_LT(seq, data_end) ||
	    (!SF_SEQ_LT(seq, top) && !(partial && seq == c->snd_una)))
		return false;
	len = RTE_MIN(len, data_end - seq);
	rc = tcp_send_data_at(w, c, seq, len);
	if (rc <= 0)
		return false;
	len = (uint32_t)rc;
	if (seq == c->snd_una)
		e->rexmit_ts = (uint32_t)w->tcp->now;
	e->rexmit_nxt = seq + len;
	return true;
}

/* Resend the next holes: the lowest unSACKed sequences at or above both
 * snd_una and what this recovery already resent. Without SACK that is
 * snd_una itself (NewReno). */
static void
tcp_recovery_send(struct sf_worker *w, struct sf_tcb *c, bool partial)
{
	unsigned int i;

	for (i = 0; i < TCP_RECOVERY_BURST; i++)
		if (!tcp_recovery_send_one(w, c, partial && i == 0))
			return;
}

/* Was the retransmission at snd_una lost too? Later data keeps being
 * SACKed more than a round trip after it went out. */
static bool
tcp_recovery_rexmit_lost(const struct sf_worker *w, const struct sf_tcb *c)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);
	uint32_t rtt = RTE_MAX(c->srtt >> 3, 1u) + 1;

	return e != NULL && SF_SEQ_GT(e->rexmit_nxt, c->snd_una) &&
		(uint32_t)w->tcp->now - e->rexmit_ts > rtt;
}

/* Send the next holes again from snd_una: the last resend there was
 * lost. */
static void
tcp_recovery_restart(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcb_ext *e = tcp_ext(w, c);

	w->stats.tcp_rexmit_lost++;
	if (e != NULL)
		e->rexmit_nxt = c->snd_una;
}

/* A duplicate ACK: RFC 5681's (no data, same window) or one that grows
 * the SACK scoreboard. Returns true when it started recovery. */
bool
tcp_cc_dupack(struct sf_worker *w, struct sf_tcb *c, bool sack_grew)
{
	struct sf_tcb_ext *e;
	uint32_t flight;

	if (c->flags & TF_RECOVERY) {
		c->cwnd += c->mss;	/* RFC 5681 §3.2 step 4 */
		if (!sack_grew)
			return false;
		if (tcp_recovery_rexmit_lost(w, c))
			tcp_recovery_restart(w, c);
		tcp_recovery_send(w, c, false);
		return false;
	}
	/* A SACK answering our tail loss probe shows the hole below it is
	 * lost (RFC 8985 §7.4): no need to wait for more duplicates. */
	if (c->dupacks < TCP_DUPTHRESH)
		c->dupacks++;
	if (c->dupacks < TCP_DUPTHRESH &&
	    !(sack_grew && tcp_sack_bytes(w, c) >= TCP_DUPTHRESH * c->mss) &&
	    !(sack_grew && c->tlp != 0))
		return false;
	/* RFC 6582 §3.2 step 2: duplicates of data sent before the last
	 * recovery or RTO began start nothing new. */
	if (!SF_SEQ_GT(c->snd_una, c->recover))
		return false;
	/* RFC 5681 §3.2 steps 2-3, RFC 6582 §3.2 step 2. */
	flight = c->snd_max - c->snd_una;
	c->ssthresh = RTE_MAX(flight / 2, 2u * c->mss);
	c->recover = c->snd_max;
	e = tcp_ext_get(w, c);		/* NULL: NewReno only */
	if (e != NULL)
		e->rexmit_nxt = c->snd_una;
	c->flags |= TF_RECOVERY;
	c->flags &= (uint16_t)~TF_RTT;	/* Karn */
	w->stats.tcp_fast_recoveries++;
	tcp_recovery_send(w, c, true);
	c->cwnd = c->ssthresh + TCP_DUPTHRESH * c->mss;
	return true;
}

/* New data acknowledged while in recovery (RFC 6582 §3.2 steps 3-4);
 * snd_una has moved already. */
void
tcp_cc_partial_ack(struct sf_worker *w, struct sf_tcb *c, uint32_t acked)
{
	if (!SF_SEQ_LT(c->snd_una, c->recover)) {
		/* Full ACK: recovery is over. */
		c->flags &= (uint16_t)~TF_RECOVERY;
		c->dupacks = 0;
		c->cwnd = c->ssthresh;
		return;
	}
	c->cwnd = c->cwnd > acked ? c->cwnd - acked + c->mss : c->mss;
	tcp_recovery_send(w, c, true);
}

/* The retransmission timer fired: recovery starts over from snd_una. */
void
tcp_cc_timeout(struct sf_tcb *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	c->ssthresh = RTE_MAX(flight / 2, 2u * c->mss);
	c->cwnd = c->mss;
	c->dupacks = 0;
	c->recover = c->snd_max;
	c->flags &= (uint16_t)~TF_RECOVERY;
}

/* When the retransmission timer next fires for data in flight: a tail
 * loss probe when one may be sent (RFC 8985 §7.2: PTO = 2 SRTT, at
 * least 10 ms as Linux, plus WCDelAckT with a single segment out, and
 * only when that comes before the RTO), else the RTO. In recovery the
 * same timeout resends the hole at snd_una. Returns the deadline (ms). */
uint32_t
tcp_cc_arm(struct sf_worker *w, struct sf_tcb *c)
{
	uint8_t n = c->tlp & (uint8_t)~TCP_TLP_ARMED;
	uint32_t pto = RTE_MAX(c->srtt >> 2, 10u);

	if (c->snd_max - c->snd_una <= c->mss)
		pto += TCP_TLP_WCDELACK_MS;
	c->tlp = n;
	if (w->tcp->conf.tlp_on && n < TCP_TLP_MAX && c->srtt != 0 &&
	    c->nrexmit == 0 && pto < c->rto &&
	    (c->state == SF_TCP_ESTABLISHED ||
	     c->state == SF_TCP_CLOSE_WAIT)) {
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

/* Send the probe: one new segment when there is one and the peer's
 * window takes it, else the last segment sent, again (RFC 8985 §7.3).
 * Never past what was sent: data beyond snd_max may be beyond the
 * peer's window too. */
bool
tcp_cc_probe(struct sf_worker *w, struct sf_tcb *c)
{
	uint32_t data_end = c->snd_una + c->sndq_len, cwnd, seq, len, top;
	const struct sf_tcb_ext *e = tcp_ext(w, c);

	if (c->flags & TF_RECOVERY) {
		/* Recovery went quiet: its retransmission at snd_una was
		 * lost (RACK would say so after a reordering window; the
		 * probe timeout is ours). Resend from there. */
		tcp_recovery_restart(w, c);
		tcp_recovery_send(w, c, true);
		return true;
	}
	len = SF_SEQ_LT(c->snd_nxt, data_end) ?
		RTE_MIN((uint32_t)c->mss, data_end - c->snd_nxt) : 0;
	if (len != 0 && c->snd_nxt == c->snd_max &&
	    SF_SEQ_LEQ(c->snd_nxt + len, c->snd_una + c->snd_wnd)) {
		cwnd = c->cwnd;
		c->cwnd = c->snd_nxt - c->snd_una + len;
		tcp_output(w, c);
		c->cwnd = RTE_MAX(cwnd, c->cwnd);
		return true;
	}
	top = SF_SEQ_LT(c->snd_max, data_end) ? c->snd_max : data_end;
	if (!SF_SEQ_LT(c->snd_una, top))
		return false;		/* only a FIN outstanding */
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
