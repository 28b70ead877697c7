/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loss recovery, run on every ACK while a connection has something to
 * recover, reorder or undo (tcp_ack_in):
 * - detection: a hole is lost once (DupThresh - 1) * MSS + 1 bytes are
 *   SACKed above it (RFC 6675 IsLost), or DupThresh duplicate ACKs came;
 *   DupThresh is 3 plus the reordering the connection has shown, as
 *   Linux's tp->reordering. A resend is lost once something sent after
 *   it arrives (RFC 8985 RACK, from a log of this episode's resends and
 *   their µs send times). What no ACK reveals, the probe timeout finds
 *   (tcp_cc_arm, tcp_recovery_probe).
 * - reordering: each recovery undone (below) shows the network reorders
 *   more than DupThresh allows, and DupThresh grows by one; an RTO sets
 *   it back. (Holes that fill without a resend are no proof: with ACKs
 *   lost, the scoreboard misses blocks the peer reported.)
 * - the window: Proportional Rate Reduction (RFC 6937) towards ssthresh;
 *   lost data is resent first, new data after (tcp_output, within the
 *   cwnd PRR sets).
 * - undo: when D-SACKs show every resend needless (RFC 2883, as Linux's
 *   undo_retrans) or the ACK that fills the first hole echoes a TSval
 *   older than the first resend (RFC 3522 Eifel), the reduction is taken
 *   back and DupThresh grows.
 * Without SACK the same runs on duplicate ACKs alone: the segment at
 * snd_una is the lost one (RFC 6582 NewReno, with PRR). A connection
 * that got no recovery record (the pool empty) recovers as NewReno
 * without PRR.
 */
#include "tcp_priv.h"

#define TCP_DUPTHRESH 3	/* RFC 5681 §3.2 */
static_assert(TCP_DUPTHRESH < 4, "struct sf_tcb.dupacks is 2 bits");
#define TCP_REORD_MAX 15	/* struct sf_tcb.reord is 4 bits */
#define TCP_QUIET_MAX 3		/* probe timeouts in recovery, then RTO */

static inline uint32_t
rec_dupthresh(const struct sf_tcb *c)
{
	return TCP_DUPTHRESH + c->reord;
}

/* @seq if it lies in [snd_una, snd_max], else snd_una: record fields
 * outlive the episode that set them. */
static inline uint32_t
rec_clamp(const struct sf_tcb *c, uint32_t seq)
{
	return SF_SEQ_LT(seq, c->snd_una) || SF_SEQ_GT(seq, c->snd_max) ?
		c->snd_una : seq;
}

/* The end of sent data (the FIN is not resent from here). */
static inline uint32_t
rec_data_top(const struct sf_tcb *c)
{
	uint32_t data_end = c->snd_una + c->sndq_len;

	return SF_SEQ_LT(c->snd_max, data_end) ? c->snd_max : data_end;
}

/* The first unSACKed byte in [@from, @to) and how much of a segment
 * from there is unSACKed; false when there is none. */
static bool
rec_next_hole(const struct sf_worker *w, const struct sf_tcb *c,
	      uint32_t from, uint32_t to, uint32_t *seq, uint32_t *len)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);
	uint32_t s = SF_SEQ_LT(from, c->snd_una) ? c->snd_una : from;
	uint32_t lim = to;
	unsigned int i;

	for (i = 0; e != NULL && i < e->nsacked; i++) {
		if (SF_SEQ_LEQ(e->sacked[i].right, s))
			continue;
		if (SF_SEQ_LEQ(e->sacked[i].left, s)) {
			s = e->sacked[i].right;
			continue;
		}
		if (SF_SEQ_LT(e->sacked[i].left, lim))
			lim = e->sacked[i].left;
		break;
	}
	if (!SF_SEQ_LT(s, lim))
		return false;
	*seq = s;
	*len = RTE_MIN(lim - s, (uint32_t)c->mss);
	return true;
}

/* RFC 6675 IsLost for the holes: lost_hi rises to the left edge of the
 * highest block with enough SACKed above and in it. */
static void
rec_mark_lost(struct sf_tcb *c, struct sf_tcb_ext *e)
{
	uint32_t need = (rec_dupthresh(c) - 1) * c->mss + 1, got = 0;
	unsigned int i;

	e->lost_hi = rec_clamp(c, e->lost_hi);
	for (i = e->nsacked; i-- > 0;) {
		got += e->sacked[i].right - e->sacked[i].left;
		if (got >= need) {
			if (SF_SEQ_GT(e->sacked[i].left, e->lost_hi))
				e->lost_hi = e->sacked[i].left;
			return;
		}
	}
}

/* The lowest hole is lost: enough duplicates, a partial ACK, a probe
 * timeout. */
static void
rec_mark_first(struct sf_tcb *c, struct sf_tcb_ext *e)
{
	uint32_t end = e->nsacked != 0 ? e->sacked[0].left :
		c->snd_una + RTE_MIN((uint32_t)c->mss,
				     rec_data_top(c) - c->snd_una);

	e->lost_hi = rec_clamp(c, e->lost_hi);
	if (SF_SEQ_GT(end, e->lost_hi))
		e->lost_hi = end;
}

/* Bytes of the log's lost resends not yet sent again. */
static uint32_t
rec_relost(const struct sf_worker *w, const struct sf_tcb *c,
	   const struct sf_tcb_ext *e)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < e->nlog; i++)
		if (e->log[i].us == 0)
			n += tcp_sack_holes(w, c, rec_clamp(c, e->log[i].seq),
					    rec_clamp(c, e->log[i].end));
	return n;
}

/* RFC 6675 SetPipe, by ranges: what is out, less what the peer SACKed
 * and what is lost and not sent again. */
static uint32_t
rec_pipe(const struct sf_worker *w, const struct sf_tcb *c,
	 const struct sf_tcb_ext *e)
{
	uint32_t out = c->snd_max - c->snd_una, gone = tcp_sack_bytes(w, c);
	uint32_t lo = rec_clamp(c, e->rexmit_nxt), hi = rec_clamp(c, e->lost_hi);

	if (SF_SEQ_LT(lo, hi))
		gone += tcp_sack_holes(w, c, lo, hi);
	gone += rec_relost(w, c, e);
	return out > gone ? out - gone : 0;
}

/* RFC 6937: what this ACK lets out. */
static uint32_t
rec_prr(const struct sf_worker *w, const struct sf_tcb *c,
	struct sf_tcb_ext *e, uint32_t delivered)
{
	uint32_t pipe = rec_pipe(w, c, e);
	int64_t out = (int64_t)e->prr_out +
		(int64_t)(uint32_t)(c->snd_max - c->recover);
	int64_t sndcnt, room, lim;

	e->prr_delivered += delivered;
	if (pipe > c->ssthresh) {
		sndcnt = (int64_t)(((uint64_t)e->prr_delivered * c->ssthresh +
				    e->recover_fs - 1) / e->recover_fs) - out;
	} else {
		/* slow start reduction bound */
		room = (int64_t)c->ssthresh - pipe;
		lim = (int64_t)e->prr_delivered - out;
		if (lim < (int64_t)delivered)
			lim = delivered;
		lim += c->mss;
		sndcnt = room < lim ? room : lim;
	}
	return sndcnt > 0 ? (uint32_t)sndcnt : 0;
}

/* Drop the log's emptied entries (resends sent again since). */
static void
rec_log_drop(struct sf_tcb_ext *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->nlog; i++)
		if (e->log[i].end != e->log[i].seq)
			e->log[n++] = e->log[i];
	e->nlog = (uint8_t)n;
}

/* Log [seq, end) sent at @us (0: lost, to be sent again), the oldest
 * entry giving way when the log is full. */
static void
rec_log_add(const struct sf_tcb *c, struct sf_tcb_ext *e, uint32_t seq,
	    uint32_t end, uint32_t us)
{
	rec_log_drop(e);
	if (e->nlog == TCP_REXMIT_LOG) {
		memmove(&e->log[0], &e->log[1],
			sizeof(e->log[0]) * (TCP_REXMIT_LOG - 1));
		e->nlog--;
	}
	e->log[e->nlog].seq = seq;
	e->log[e->nlog].end = end;
	e->log[e->nlog].us = us;
	e->log[e->nlog].nxt = c->snd_max;
	e->nlog++;
}

/* Resend [seq, seq + len) and log it. Returns the bytes sent, or
 * tcp_send_data_at()'s error (-EAGAIN: past the peer's window). */
static int
rec_resend(struct sf_worker *w, struct sf_tcb *c, struct sf_tcb_ext *e,
	   uint32_t seq, uint32_t len)
{
	int n = tcp_send_data_at(w, c, seq, len);

	if (n <= 0)
		return n;
	rec_log_add(c, e, seq, seq + (uint32_t)n, tcp_now_us(w));
	e->prr_out += (uint32_t)n;
	if (e->undo_retrans >= 0 && e->undo_retrans < INT16_MAX)
		e->undo_retrans++;
	if (e->undo_ms == 0)
		e->undo_ms = (uint32_t)w->tcp->now;
	return n;
}

/* Send the log's lost resends again, up to @budget bytes. Taken out of
 * the log before any is sent (a resend compacts the log); what budget,
 * mbufs or the peer's window leave unsent goes back in, still lost.
 * The log is in send order, not in sequence: an entry past the window's
 * edge leaves the next one its chance. Returns the budget left, and
 * false in *@ok when a send failed for want of mbufs. */
static uint32_t
rec_xmit_relost(struct sf_worker *w, struct sf_tcb *c, struct sf_tcb_ext *e,
		uint32_t budget, bool *ok)
{
	struct { uint32_t lo, hi; } relost[TCP_REXMIT_LOG];
	uint32_t top = rec_data_top(c), seq, len, lo, hi;
	unsigned int i, nr = 0;
	bool failed = false;
	int n;

	for (i = 0; i < e->nlog; i++)
		if (e->log[i].us == 0) {
			relost[nr].lo = rec_clamp(c, e->log[i].seq);
			relost[nr++].hi = rec_clamp(c, e->log[i].end);
			e->log[i].end = e->log[i].seq;	/* rec_log_drop */
		}
	for (i = 0; i < nr; i++) {
		lo = relost[i].lo;
		hi = SF_SEQ_LT(relost[i].hi, top) ? relost[i].hi : top;
		while (budget > 0 && !failed &&
		       rec_next_hole(w, c, lo, hi, &seq, &len)) {
			n = rec_resend(w, c, e, seq, len);
			if (n <= 0) {
				failed = n != -EAGAIN;
				break;
			}
			budget -= RTE_MIN(budget, (uint32_t)n);
			lo = seq + (uint32_t)n;
		}
		if (SF_SEQ_LT(lo, hi) && tcp_sack_holes(w, c, lo, hi) != 0)
			rec_log_add(c, e, lo, hi, 0);
	}
	*ok = !failed;
	return budget;
}

/* Let out up to @budget bytes: lost resends again, then lost holes in
 * order; what is left goes to new data, through the cwnd that
 * tcp_output() reads. */
static void
rec_xmit(struct sf_worker *w, struct sf_tcb *c, struct sf_tcb_ext *e,
	 uint32_t budget)
{
	uint32_t top = rec_data_top(c), seq, len, lo, hi, flight;
	bool ok;
	int n;

	/* The lost resends first. */
	budget = rec_xmit_relost(w, c, e, budget, &ok);
	if (!ok)
		goto out;
	lo = rec_clamp(c, e->rexmit_nxt);
	hi = rec_clamp(c, e->lost_hi);
	if (SF_SEQ_GT(hi, top))
		hi = top;
	while (budget > 0 && rec_next_hole(w, c, lo, hi, &seq, &len)) {
		n = rec_resend(w, c, e, seq, len);
		if (n <= 0)
			break;		/* in sequence: the rest is past too */
		budget -= RTE_MIN(budget, (uint32_t)n);
		lo = seq + (uint32_t)n;
	}
	e->rexmit_nxt = lo;
out:
	/* New data: against the pipe that tcp_output() measures. */
	flight = tcp_pipe(w, c);
	c->cwnd = RTE_MAX(flight + budget, (uint32_t)c->mss);
}

/* RFC 8985 §6.2 for the log: a resend that is still a hole while
 * something sent after it arrived is lost: a later resend (by more than
 * the reordering window), or data above the snd_max of its day (new
 * data PRR let out since; Linux's tcp_mark_lost_retrans did this). */
static void
rec_rack(struct sf_worker *w, const struct sf_tcb *c, struct sf_tcb_ext *e)
{
	uint32_t now = tcp_now_us(w);
	uint32_t x = 0, reo = 0, fack, margin;
	bool seen = false;
	unsigned int i;

	fack = e->nsacked != 0 ? e->sacked[e->nsacked - 1].right : c->snd_una;
	margin = (uint32_t)c->reord * c->mss;
	for (i = 0; i < e->nlog; i++) {
		if (e->log[i].us == 0 ||
		    !SF_SEQ_GT(fack, e->log[i].nxt + margin) ||
		    tcp_sack_holes(w, c, rec_clamp(c, e->log[i].seq),
				   rec_clamp(c, e->log[i].end)) == 0)
			continue;
		e->log[i].us = 0;
		w->stats.tcp_rexmit_lost++;
	}

	for (i = 0; i < e->nlog; i++) {
		if (e->log[i].us <= TCP_REXMIT_LATE ||
		    e->log[i].seq == e->log[i].end ||
		    tcp_sack_holes(w, c, rec_clamp(c, e->log[i].seq),
				   rec_clamp(c, e->log[i].end)) != 0)
			continue;
		/* RFC 8985 §6.2 step 2: a resend "delivered" sooner than
		 * any RTT was its original arriving late. It stays so on
		 * later ACKs: evidence of nothing, no send time. */
		if ((uint32_t)(now - e->log[i].us) < e->rtt_min_us) {
			e->log[i].us = TCP_REXMIT_LATE;
			continue;
		}
		if (!seen || (int32_t)(e->log[i].us - x) > 0)
			x = e->log[i].us;
		seen = true;
	}
	if (!seen)
		return;
	if (c->reord != 0)	/* RFC 8985 §6.2: RTT/4 once it reorders */
		reo = (c->srtt >> 3) * 1000 / 4;
	for (i = 0; i < e->nlog; i++) {
		if (e->log[i].us <= TCP_REXMIT_LATE ||
		    (int32_t)(x - e->log[i].us) <= (int32_t)reo ||
		    tcp_sack_holes(w, c, rec_clamp(c, e->log[i].seq),
				   rec_clamp(c, e->log[i].end)) == 0)
			continue;
		e->log[i].us = 0;
		w->stats.tcp_rexmit_lost++;
	}
}

/* New data went out (tcp_output): mark when. Sends in one µs share a
 * mark; a full set merges the two neighbours sent closest together. */
void
tcp_recovery_sent(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcb_ext *e = tcp_ext(w, c);
	uint32_t us = tcp_now_us(w), gap, best = UINT32_MAX;
	unsigned int i, n = 0, at = 0;

	if (e == NULL)
		return;
	if (e->nsent != 0 && e->sent[e->nsent - 1].us == us) {
		e->sent[e->nsent - 1].end = c->snd_max;
		return;
	}
	for (i = 0; i < e->nsent; i++)	/* acked marks go */
		if (SF_SEQ_GT(e->sent[i].end, c->snd_una))
			e->sent[n++] = e->sent[i];
	if (n == TCP_SENT_MARKS) {
		for (i = 0; i + 1 < n; i++) {
			gap = e->sent[i + 1].us - e->sent[i].us;
			if (gap < best) {
				best = gap;
				at = i;
			}
		}
		/* The later of the two covers both. */
		memmove(&e->sent[at], &e->sent[at + 1],
			sizeof(e->sent[0]) * (n - at - 1));
		n--;
	}
	e->sent[n].end = c->snd_max;
	e->sent[n].us = us;
	e->nsent = (uint8_t)(n + 1);
}

/* Everything sent so far went by now: a record's first mark, and after
 * an RTO. */
void
tcp_recovery_marks_reset(const struct sf_worker *w, const struct sf_tcb *c,
			 struct sf_tcb_ext *e)
{
	e->sent[0].end = c->snd_max;
	e->sent[0].us = tcp_now_us(w);
	e->nsent = 1;
	e->rack_end = c->snd_una;
	e->rack_at = 0;
}

/* Data resent outside recovery (go-back-N after an RTO): into the log,
 * where RACK finds it lost again (rec_rack, rec_after_rto). */
void
tcp_recovery_resent(struct sf_worker *w, struct sf_tcb *c, uint32_t seq,
		    uint32_t len)
{
	struct sf_tcb_ext *e = tcp_ext(w, c);
	uint32_t us = tcp_now_us(w);
	struct tcp_rexmit *l;

	if (e == NULL)
		return;
	/* What one pass resends is one entry, over the SACKed ranges it
	 * skipped too (RACK counts an entry's holes): else a slow start's
	 * passes would push entries out before their loss shows. Only
	 * over SACKed data: a hole between is another entry's, and two
	 * entries found lost would send it twice. Only here: in recovery
	 * undo_retrans counts entries one per resend. */
	l = e->nlog != 0 ? &e->log[e->nlog - 1] : NULL;
	if (l != NULL && l->us == us && l->end != l->seq &&
	    SF_SEQ_LEQ(l->end, seq) && tcp_sack_holes(w, c, l->end, seq) == 0) {
		l->end = seq + len;
		return;
	}
	rec_log_add(c, e, seq, seq + len, us);
}

/* The mark of the data at @seq (sent once), or e->nsent. */
static unsigned int
rec_sent_mark(const struct sf_tcb_ext *e, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < e->nsent; i++)
		if (SF_SEQ_LT(seq, e->sent[i].end))
			break;
	return i;
}

/* RFC 8985 §6.2.4 RACK.reo_wnd, in µs; SRTT stands in for min_RTT,
 * undone recoveries (reord) for RACK.reo_wnd_mult. */
static uint32_t
rec_reo_us(const struct sf_worker *w, const struct sf_tcb *c)
{
	uint32_t srtt_us = c->srtt * 125;	/* ms << 3 */

	if (c->reord == 0)
		return (c->flags & TF_RECOVERY) ||
			tcp_sack_bytes(w, c) >= TCP_DUPTHRESH * c->mss ?
			0 : srtt_us / 4;
	return RTE_MIN(c->reord * (srtt_us / 4), srtt_us);
}

/* RFC 8985 §6.2 for data sent once: a hole below the highest SACKed
 * byte is lost once RACK.rtt + reo_wnd have passed since it went
 * (RACK_detect_loss); for one not yet, arm the reordering timer
 * (rack_at). Data is sent in sequence order, so the lost holes are
 * those below a point: lost_hi rises to it. Returns true when it rose
 * over a hole. */
static bool
rec_rack_new(struct sf_worker *w, const struct sf_tcb *c,
	     struct sf_tcb_ext *e)
{
	uint32_t now = tcp_now_us(w), fack, lim, reo, lo, hi, wait;
	unsigned int i;

	e->rack_at = 0;
	if (e->nsacked == 0 || e->nsent == 0)
		return false;
	fack = e->sacked[e->nsacked - 1].right;
	if (SF_SEQ_GT(fack, rec_clamp(c, e->rack_end))) {
		/* RACK.segment moves on: its send time, at the earliest
		 * (the mark before its own: a hole is never taken for sent
		 * before it when it was not), and its RTT. */
		i = rec_sent_mark(e, fack - 1);
		e->rack_end = fack;
		e->rack_us = i == e->nsent ? now :
			e->sent[i != 0 ? i - 1 : 0].us;
		e->rack_rtt_us = (int32_t)(now - e->rack_us) > 0 ?
			now - e->rack_us : 0;
		/* From the latest send time: an RTT no longer than the
		 * truth, for rec_rack's floor. Not from the first mark:
		 * its time is the record's start or an RTO, no send. */
		if (i != 0 && i != e->nsent &&
		    (int32_t)(now - e->sent[i].us) > 0 &&
		    (e->rtt_min_us == 0 || now - e->sent[i].us < e->rtt_min_us))
			e->rtt_min_us = now - e->sent[i].us;
	}
	reo = rec_reo_us(w, c);
	lim = now - e->rack_rtt_us - reo;
	lo = rec_clamp(c, e->lost_hi);
	hi = lo;
	for (i = 0; i < e->nsent && SF_SEQ_LT(hi, fack); i++) {
		if (!SF_SEQ_GT(e->sent[i].end, hi))
			continue;
		if ((int32_t)(e->sent[i].us - lim) > 0) {
			/* Not yet: the timer, should a hole be left. */
			if (tcp_sack_holes(w, c, hi, fack) == 0)
				break;
			wait = e->sent[i].us - lim;
			/* ms deadlines fire at the tick: round up */
			e->rack_at = tcp_deadline(w->tcp->now,
						  (wait + 999) / 1000 + 1);
			break;
		}
		hi = SF_SEQ_LT(e->sent[i].end, fack) ? e->sent[i].end : fack;
	}
	if (!SF_SEQ_GT(hi, lo) || tcp_sack_holes(w, c, lo, hi) == 0)
		return false;
	e->lost_hi = hi;
	w->stats.tcp_rack_lost++;
	return true;
}

/* The reduction was needless: take it back (RFC 3522 §3.2's response,
 * Linux's tcp_undo_cwnd_reduction), and count the reordering that
 * fooled us. */
static void
rec_undo(struct sf_worker *w, struct sf_tcb *c, struct sf_tcb_ext *e)
{
	c->cwnd = RTE_MAX(c->cwnd, e->prior_cwnd);
	c->ssthresh = RTE_MAX(c->ssthresh, e->prior_ssthresh);
	e->undo_retrans = -1;
	e->nlog = 0;
	if (c->flags & TF_RECOVERY) {
		c->flags &= (uint16_t)~TF_RECOVERY;
		c->recover = c->snd_una;
		e->lost_hi = c->snd_una;
		e->rexmit_nxt = c->snd_una;
	}
	c->dupacks = 0;
	c->lt_sent = 0;
	if (c->reord < TCP_REORD_MAX)
		c->reord++;
	w->stats.tcp_recovery_undos++;
}

/* Eifel for the resends below the new snd_una: the originals filled
 * their holes, so they were needless. Counts them out of undo_retrans
 * and the log (a D-SACK for them later counts nothing). Returns true
 * when that leaves none: time to undo. */
static bool
rec_eifel(struct sf_tcb_ext *e, const struct sf_tcb *c)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < e->nlog; i++)
		if (e->log[i].end != e->log[i].seq &&
		    SF_SEQ_LEQ(e->log[i].end, c->snd_una)) {
			e->log[i].end = e->log[i].seq;	/* rec_log_drop */
			n++;
		}
	if (n == 0)
		return false;
	if (n >= e->undo_retrans)
		return true;
	e->undo_retrans = (int16_t)(e->undo_retrans - n);
	return false;
}

/* D-SACKed bytes that this episode resent. */
static bool
rec_dsack_ours(const struct sf_tcb_ext *e, const struct sf_tcp_opts *o)
{
	unsigned int i;

	if (o == NULL || !(o->present & SF_TCPOPT_SACK) || o->nb_sack == 0)
		return false;
	for (i = 0; i < e->nlog; i++)
		if (SF_SEQ_LT(o->sack[0].left, e->log[i].end) &&
		    SF_SEQ_LT(e->log[i].seq, o->sack[0].right))
			return true;
	return false;
}

/* The record's side of an episode: at its start, or when a connection
 * that began it without a record (the pool was empty) gets one. */
static void
rec_start(struct sf_tcb *c, struct sf_tcb_ext *e)
{
	e->rexmit_nxt = c->snd_una;
	e->recover_fs = RTE_MAX(c->snd_max - c->snd_una, 1u);
	e->prr_delivered = 0;
	e->prr_out = 0;
	e->nlog = 0;
	e->undo_retrans = 0;
	e->undo_ms = 0;
	e->quiet = 0;
}

/* Below the recovery point after an RTO no episode starts (RFC 6675
 * §5.1), but the scoreboard still steers (its Update()): a go-back-N
 * resend that RACK finds lost goes again, within cwnd, as Linux's loss
 * state does; else it would wait for the next, backed-off, RTO. */
static void
rec_after_rto(struct sf_worker *w, struct sf_tcb *c, struct sf_tcb_ext *e)
{
	uint32_t pipe;
	bool ok;

	if (e->nlog == 0)
		return;
	rec_rack(w, c, e);
	/* In flight: what go-back-N has sent (up to snd_nxt) less SACKed
	 * and less the lost resends. */
	pipe = tcp_pipe(w, c);
	pipe -= RTE_MIN(pipe, rec_relost(w, c, e));
	if (c->cwnd > pipe)
		rec_xmit_relost(w, c, e, c->cwnd - pipe, &ok);
}

/* The flight that sets ssthresh: what Limited Transmit sent on the dup
 * ACKs is not in it (RFC 3042 §2, RFC 5681 §3.2 step 2). bbr keeps
 * the whole flight, its model's. */
static uint32_t
rec_flight(const struct sf_worker *w, const struct sf_tcb *c)
{
	uint32_t flight = c->snd_max - c->snd_una;
	uint32_t lt = (uint32_t)c->lt_sent * c->mss;

	if (w->tcp->cc_bbr)
		return flight;
	return flight > lt ? flight - lt : 0;
}

static void
rec_enter(struct sf_worker *w, struct sf_tcb *c, struct sf_tcb_ext *e)
{
	uint32_t flight = rec_flight(w, c);

	/* RFC 5681 §3.2 step 2 (RFC 6675 §5 (4.2)). */
	e->prior_cwnd = c->cwnd;
	e->prior_ssthresh = c->ssthresh;
	c->ssthresh = tcp_cc_ssthresh(w, c, flight);
	c->recover = c->snd_max;
	c->flags |= TF_RECOVERY;
	c->flags &= (uint16_t)~TF_RTT;	/* Karn */
	rec_start(c, e);
	w->stats.tcp_fast_recoveries++;
}

static void
rec_exit(struct sf_tcb *c)
{
	c->flags &= (uint16_t)~TF_RECOVERY;
	c->dupacks = 0;
	c->lt_sent = 0;
	c->cwnd = c->ssthresh;		/* RFC 6937 §3 */
}

/* No record to be had: RFC 6582 NewReno from snd_una alone. */
static void
rec_plain(struct sf_worker *w, struct sf_tcb *c,
	  const struct tcp_ack_info *ai, bool lost)
{
	uint32_t top = rec_data_top(c);

	if (!(c->flags & TF_RECOVERY)) {
		if (ai->acked != 0) {
			c->dupacks = 0;
			c->lt_sent = 0;
			tcp_cc_ack(w, c, ai->acked, ai->flight);
		}
		if (!lost || !SF_SEQ_GT(c->snd_una, c->recover))
			return;
		c->ssthresh = tcp_cc_ssthresh(w, c, rec_flight(w, c));
		c->recover = c->snd_max;
		c->flags |= TF_RECOVERY;
		c->flags &= (uint16_t)~TF_RTT;
		w->stats.tcp_fast_recoveries++;
		c->cwnd = c->ssthresh;
	} else if (!SF_SEQ_LT(c->snd_una, c->recover)) {
		rec_exit(c);
		return;
	} else if (ai->acked == 0) {
		return;
	}
	if (SF_SEQ_LT(c->snd_una, top))
		tcp_send_data_at(w, c, c->snd_una,
				 RTE_MIN((uint32_t)c->mss, top - c->snd_una));
}

void
tcp_recovery_ack(struct sf_worker *w, struct sf_tcb *c,
		 const struct tcp_ack_info *ai)
{
	const struct sf_tcp_opts *o = ai->opts;
	struct sf_tcb_ext *e = tcp_ext(w, c);
	bool lost = false;
	uint32_t delivered;

	if (ai->dupack && c->dupacks < TCP_DUPTHRESH)
		c->dupacks++;
	if (e == NULL) {
		rec_plain(w, c, ai, c->dupacks >= TCP_DUPTHRESH);
		return;
	}
	/* Undo once every resend of the episode is shown needless: by a
	 * D-SACK of it (RFC 2883), or (Eifel) by the ACK that moved the
	 * left edge past it echoing a TSval older than the first resend:
	 * the originals filled the holes. A resend still out keeps the
	 * reduction (as Linux's tcp_try_undo_partial). */
	if (ai->news.dsack != 0 && e->undo_retrans > 0 &&
	    rec_dsack_ours(e, o) && --e->undo_retrans == 0)
		rec_undo(w, c, e);
	else if ((c->flags & TF_RECOVERY) && ai->acked != 0 &&
		 e->undo_retrans > 0 && e->undo_ms != 0 &&
		 (c->flags & TF_TS) && o != NULL &&
		 (o->present & SF_TCPOPT_TS) && o->tsecr != 0 &&
		 TCP_TIME_LT(o->tsecr, e->undo_ms) && rec_eifel(e, c))
		rec_undo(w, c, e);
	delivered = ai->delivered;
	if (ai->dupack && !(c->flags & TF_SACK))
		delivered += c->mss;	/* RFC 6937: a dup ACK, one MSS */

	if (!(c->flags & TF_RECOVERY)) {
		if (ai->acked != 0) {
			c->dupacks = 0;
			c->lt_sent = 0;
			tcp_cc_ack(w, c, ai->acked, ai->flight);
		}
		if (c->flags & TF_SACK) {
			rec_mark_lost(c, e);
			rec_rack_new(w, c, e);
			lost = SF_SEQ_GT(e->lost_hi, c->snd_una);
			/* RFC 8985 §7.4: a SACK answering our probe (up to
			 * its end) shows the hole below it lost; so do
			 * enough dups. */
			if (!lost && e->nsacked != 0 && ai->news.newly != 0 &&
			    (((c->tlp & (uint8_t)~TCP_TLP_ARMED) != 0 &&
			      SF_SEQ_GEQ(e->sacked[e->nsacked - 1].right,
					 c->tlp_end)) ||
			     (c->dupacks >= TCP_DUPTHRESH &&
					     c->reord == 0))) {
				rec_mark_first(c, e);
				lost = true;
			}
		} else if (c->dupacks >= TCP_DUPTHRESH) {
			rec_mark_first(c, e);
			lost = true;
		}
		/* Not for data sent before the last recovery or RTO began
		 * (RFC 6582 §3.2 step 2); with SACK, as soon as that is all
		 * acked (RFC 6675 §5 RecoveryPoint): losses among what the
		 * last recovery sent show in the scoreboard. */
		if ((c->flags & TF_SACK) && SF_SEQ_LT(c->snd_una, c->recover))
			rec_after_rto(w, c, e);
		if (!lost || SF_SEQ_LT(c->snd_una, c->recover) ||
		    (c->snd_una == c->recover && !(c->flags & TF_SACK)))
			return;
		rec_enter(w, c, e);
		rec_xmit(w, c, e, RTE_MAX(rec_prr(w, c, e, delivered),
					  (uint32_t)c->mss));
		return;
	}
	if (!SF_SEQ_LT(c->snd_una, c->recover)) {
		rec_exit(c);
		return;
	}
	if (e->recover_fs == 0) {
		/* Recovering since before the record came: no undo. */
		rec_start(c, e);
		e->undo_retrans = -1;
	}
	if (ai->acked != 0 || ai->news.newly != 0)
		e->quiet = 0;
	if (c->flags & TF_SACK) {
		rec_mark_lost(c, e);
		rec_rack(w, c, e);
		rec_rack_new(w, c, e);
	}
	/* RFC 6582 §3.2 step 3: a partial ACK stops at a lost segment. */
	if (ai->acked != 0 && (!(c->flags & TF_SACK) || e->nsacked == 0))
		rec_mark_first(c, e);
	rec_xmit(w, c, e, rec_prr(w, c, e, delivered));
}

/* The reordering timer fired (RFC 8985 §6.3): what it finds lost goes
 * again, recovery starting if it had not. */
void
tcp_recovery_reorder_timeout(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcb_ext *e = tcp_ext(w, c);

	if (e == NULL || !(c->flags & TF_SACK) || !rec_rack_new(w, c, e))
		return;
	if (!(c->flags & TF_RECOVERY)) {
		if (SF_SEQ_LT(c->snd_una, c->recover))
			return;		/* as on an ACK: RFC 6675 §5 */
		rec_enter(w, c, e);
	}
	rec_xmit(w, c, e, RTE_MAX(rec_prr(w, c, e, 0), (uint32_t)c->mss));
	tcp_output(w, c);
}

/* The probe timeout in recovery: nothing came back for a while, so the
 * first hole's last resend was lost too (or, with no data left out, our
 * FIN). Returns true when it sent. */
bool
tcp_recovery_probe(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcb_ext *e = tcp_ext(w, c);
	uint32_t before;

	if (e == NULL)
		return false;
	e->quiet++;
	/* All data acked, the recovery point past it: our FIN is what
	 * the peer lacks. */
	if (rec_data_top(c) == c->snd_una)
		return tcp_probe_fin(w, c);
	w->stats.tcp_rexmit_lost++;
	rec_mark_first(c, e);
	e->rexmit_nxt = c->snd_una;
	e->nlog = 0;
	before = e->prr_out;
	rec_xmit(w, c, e, c->mss);
	return e->prr_out != before;
}

/* May the recovery timer probe again, or is it the RTO's turn? */
bool
tcp_recovery_may_probe(const struct sf_worker *w, const struct sf_tcb *c)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);

	return e != NULL && e->quiet < TCP_QUIET_MAX;
}

/* The RTO ends the episode: nothing of it can be undone by D-SACK or
 * Eifel any more, and the resends' log no longer says what is out. */
void
tcp_recovery_rto(struct sf_worker *w, struct sf_tcb *c)
{
	/* With SACK a record, to log the go-back-N (rec_after_rto); not
	 * for a handshake's retries, which a SYN flood could multiply, nor
	 * past the first RTO of a peer that answers none and SACKed
	 * nothing: one gone silent would hold it through its retries. */
	bool log = (c->flags & TF_SACK) && c->state >= SF_TCP_ESTABLISHED &&
		c->snd_max != c->snd_una &&
		(c->nrexmit <= 1 || tcp_nsacked(w, c) != 0);
	struct sf_tcb_ext *e = log ? tcp_ext_get(w, c) : tcp_ext(w, c);

	c->flags &= (uint16_t)~TF_RECOVERY;
	c->reord = 0;
	if (e == NULL)
		return;
	e->undo_retrans = -1;
	e->nlog = 0;
	e->quiet = 0;
	e->lost_hi = c->snd_una;
	e->rexmit_nxt = c->snd_una;
	/* All of it goes again from snd_una: sent now, as far as RACK
	 * can tell. */
	tcp_recovery_marks_reset(w, c, e);
	if (!log)
		tcp_ext_put_idle(w, c);		/* unless it holds data */
}

/* May the record go back to the pool as far as recovery goes? The
 * D-SACKs that undo an episode come with the ACKs that end it: the
 * record waits for those until snd_una passes the recovery point. */
bool
tcp_recovery_idle(const struct sf_tcb *c, const struct sf_tcb_ext *e)
{
	return !(c->flags & TF_RECOVERY) &&
		(e->undo_retrans <= 0 || SF_SEQ_GT(c->snd_una, c->recover) ||
		 c->snd_una == c->snd_max) &&
		/* the go-back-N after an RTO, logged */
		(e->nlog == 0 || !SF_SEQ_LT(c->snd_una, c->recover));
}
