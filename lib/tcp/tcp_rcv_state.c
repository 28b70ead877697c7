/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RFC 9293 state machine for segments that found a TCB: SYN_SENT
 * (§3.10.7.3) and the synchronized states (§3.10.7.4), in the RFC's order
 * of checks — sequence number, RST, SYN, ACK, text, FIN — with RFC 5961's
 * challenge ACKs and RFC 7323's PAWS. One handler per state does the steps
 * that differ (ACK, text, FIN); the checks they share come first.
 */
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "tcp_priv.h"

/* RFC 7323 §5.5: TS.Recent is not trusted after 24 days idle (in
 * TCP_TS_AGE units). */
#define TCP_PAWS_IDLE (24u * 86400u * 1000u / 1024u)

static inline uint32_t
seg_seqlen(const struct sf_seg *seg)
{
	return seg->len + !!(seg->flags & RTE_TCP_SYN_FLAG) +
		!!(seg->flags & RTE_TCP_FIN_FLAG);
}

/* RFC 9293 §3.10.7.4, first check: the acceptability table. A segment
 * without text may also sit at the window's right edge: a peer that
 * filled our window out of order has SND.NXT = RCV.NXT + RCV.WND, and
 * its ACKs must get through (the RFC's "special allowance ... to accept
 * valid ACKs"; Linux's tcp_sequence() is as lenient). A RST there stays
 * outside (RFC 5961 §3.2). */
static bool
tcp_seq_acceptable(const struct sf_tcb *c, const struct sf_seg *seg)
{
	uint32_t wnd = c->rcv_adv - c->rcv_nxt, len = seg_seqlen(seg);

	if (SF_SEQ_LT(c->rcv_adv, c->rcv_nxt))
		wnd = 0;
	if (len == 0) {
		if (!(seg->flags & RTE_TCP_RST_FLAG))
			return SF_SEQ_LEQ(c->rcv_nxt, seg->seq) &&
				SF_SEQ_LEQ(seg->seq, c->rcv_nxt + wnd);
		if (wnd == 0)
			return seg->seq == c->rcv_nxt;
		return SF_SEQ_LEQ(c->rcv_nxt, seg->seq) &&
			SF_SEQ_LT(seg->seq, c->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	return (SF_SEQ_LEQ(c->rcv_nxt, seg->seq) &&
		SF_SEQ_LT(seg->seq, c->rcv_nxt + wnd)) ||
		(SF_SEQ_LEQ(c->rcv_nxt, seg->seq + len - 1) &&
		 SF_SEQ_LT(seg->seq + len - 1, c->rcv_nxt + wnd));
}

/* Anything acceptable from the peer proves it alive (RFC 1122
 * §4.2.3.6): the idle clock starts again. */
static inline void
tcp_keepalive_reset(struct sf_worker *w, struct sf_tcb *c)
{
	uint32_t ka = w->tcp->conf.keepalive_ms;

	if (ka == 0 || !tcp_keepalive_state(c))
		return;
	c->aux_at = tcp_deadline(w->tcp->now, ka);
}

/* The window of @seg, in bytes. */
static inline uint32_t
seg_wnd(const struct sf_tcb *c, const struct sf_seg *seg)
{
	return seg->syn_wnd ? seg->wnd : seg->wnd << c->snd_wscale;
}

static void
tcp_challenge_ack(struct sf_worker *w, struct sf_tcb *c)
{
	if (!tcp_ack_ratelimit(w, true))
		return;
	w->stats.tcp_challenge_acks++;
	TCP_TRACE_NOTE(c, TCP_TR_CHALLENGE);
	tcp_send_ack(w, c);
}

/* An ACK answering a segment we drop, within the rate limit. */
static void
tcp_drop_ack(struct sf_worker *w, struct sf_tcb *c)
{
	if (tcp_ack_ratelimit(w, false))
		c->flags |= TF_ACKNOW;
}

/* RFC 9293 §3.10.7.4, fifth check, the part that rejects the segment:
 * an ACK of something not yet sent, or one older than any window the
 * peer offered (RFC 5961 §5.2). Before anything of the segment is
 * taken, TS.Recent included. */
static bool
tcp_ack_acceptable(struct sf_worker *w, struct sf_tcb *c,
		   const struct sf_seg *seg)
{
	if (SF_SEQ_GT(seg->ack, c->snd_max)) {
		w->stats.tcp_drop_ack++;
		tcp_drop_ack(w, c);
		return false;
	}
	if (SF_SEQ_LT(seg->ack, c->snd_una - tcp_max_snd_wnd(c))) {
		tcp_challenge_ack(w, c);
		return false;
	}
	return true;
}

/* RFC 9293 §3.10.7.4, second check, as RFC 5961 §3.2 tightens it. */
static void
tcp_rcv_rst(struct sf_worker *w, struct sf_tcb *c, const struct sf_seg *seg)
{
	if (seg->seq != c->rcv_nxt) {
		w->stats.tcp_drop_rst++;
		tcp_challenge_ack(w, c);
		return;
	}
	w->stats.tcp_rx_rst++;
	/* In SYN-RECEIVED after our own SYN (simultaneous open) the peer
	 * refused the connection; from LISTEN nobody was told of it. */
	tcp_close_conn(w, c, c->state == SF_TCP_SYN_RCVD &&
		       !(c->flags & TF_PASSIVE) ? SF_CLOSE_REFUSED :
		       SF_CLOSE_RST_RCVD);
}

/* RFC 7323 §4.1: an RTT sample from the echoed timestamp. The echo
 * names the transmission it answers, a retransmission too (no Karn
 * ambiguity; Linux takes these): the ACK of an RTO's resend gives the
 * sample that ends the backoff (RFC 6298 (5.7)). Returns true when it
 * took one. */
static bool
tcp_rtt_ts(struct sf_worker *w, struct sf_tcb *c, const struct sf_seg *seg)
{
	uint32_t rtt = (uint32_t)w->tcp->now - seg->opts.tsecr;

	/* An echo from the future (a peer's bug, or a forgery) is no
	 * sample. */
	if (!(c->flags & TF_TS) || !(seg->opts.present & SF_TCPOPT_TS) ||
	    seg->opts.tsecr == 0 || (int32_t)rtt < 0)
		return false;
	tcp_rtt_sample(c, rtt, &w->tcp->conf);
	return true;
}

/* RFC 6298 §2: the handshake's RTT sample, when timestamps give none
 * (Linux and FreeBSD time the SYN-ACK too). Karn: only when our SYN or
 * SYN-ACK went out once (TF_RTT marks a resend in the handshake,
 * tcp_send_syn), and not in a simultaneous open, where the peer's
 * SYN-ACK answers our SYN, not the SYN-ACK that armed rto_at. The
 * deadline was armed rto after the send. */
static void
tcp_rtt_syn(struct sf_worker *w, struct sf_tcb *c, const struct sf_seg *seg)
{
	bool resent = (c->flags & TF_RTT) != 0;
	uint32_t rtt;

	c->flags &= (uint16_t)~TF_RTT;
	if (tcp_rtt_ts(w, c, seg) || resent || c->nrexmit != 0 ||
	    c->rto_at == 0 ||
	    (c->state == SF_TCP_SYN_RCVD && !(c->flags & TF_PASSIVE)))
		return;
	rtt = (uint32_t)w->tcp->now - (c->rto_at - c->rto);
	if ((int32_t)rtt >= 0 && rtt <= c->rto)
		tcp_rtt_sample(c, rtt, &w->tcp->conf);
}

/* A cumulative ACK that stops where SACKed data starts: the peer
 * dropped what it had SACKed (reneged, RFC 2018 §8), or it would have
 * acked past it. The scoreboard is no longer true: forget it and send
 * again from snd_una, as Linux does (tcp_check_sack_reneging). */
static void
tcp_sack_reneging(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcb_ext *e = tcp_ext(w, c);

	if (e == NULL || e->nsacked == 0 || e->sacked[0].left != c->snd_una)
		return;
	w->stats.tcp_sack_reneged++;
	e->nsacked = 0;
	/* As after an RTO: what the peer holds is unknown, and a burst of
	 * a whole cwnd into that would be no congestion response. */
	tcp_cc_timeout(w, c);
	tcp_recovery_rto(w, c);
	c->snd_nxt = c->snd_una;
}

/* RFC 9293 §3.10.7.4, fifth check, for the states that share it.
 * Returns false when the segment must be dropped. */
static bool
tcp_ack_in(struct sf_worker *w, struct sf_tcb *c, const struct sf_seg *seg)
{
	const struct sf_tcp_conf *conf = &w->tcp->conf;
	const struct sf_tcp_app_ops *ops;
	struct tcp_ack_info ai;
	uint32_t acked, before, wnd, sacked, sacked_now;
	bool reopen = false;

	/* rcv_state checked the ACK (tcp_ack_acceptable). */
	ai.news.newly = 0;
	ai.news.dsack = 0;
	ai.acked = 0;
	ai.flight = 0;
	ai.dupack = false;
	sacked = c->ext != 0 ? tcp_sack_bytes(w, c) : 0;
	if ((c->flags & TF_SACK) && (seg->opts.present & SF_TCPOPT_SACK))
		w->stats.tcp_drop_sack_block += tcp_sack_update(w, c,
			&seg->opts, SF_SEQ_GT(seg->ack, c->snd_una) ?
			seg->ack : c->snd_una, &ai.news);
	if (SF_SEQ_GT(seg->ack, c->snd_una)) {
		acked = seg->ack - c->snd_una;
		ai.acked = acked;
		ai.flight = c->snd_max - c->snd_una;
		/* RTT: timestamps (RFC 7323 §4.1) or one timed segment,
		 * never a retransmitted one (Karn). */
		if (!tcp_rtt_ts(w, c, seg) && (c->flags & TF_RTT) &&
		    SF_SEQ_GT(seg->ack, c->rtt_seq)) {
			c->flags &= (uint16_t)~TF_RTT;
			tcp_rtt_sample(c, (uint32_t)w->tcp->now -
				       c->rtt_start, conf);
		}
		c->nrexmit = 0;
		c->snd_una = seg->ack;
		tcp_sndq_drop_acked(w, c, acked);
		if (SF_SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		if (tcp_nsacked(w, c) != 0)
			tcp_sack_update(w, c, NULL, c->snd_una, NULL);
		/* RFC 6298 (5.2), (5.3): tcp_output re-arms the timer (a
		 * fresh tail loss probe, or the RTO) for what is left. */
		c->rto_at = 0;
		/* RFC 8985 §7.4: the episode's probe is spent until an
		 * ACK passes its end. */
		if ((c->tlp & (uint8_t)~TCP_TLP_ARMED) == 0 ||
		    SF_SEQ_GEQ(seg->ack, c->tlp_end))
			c->tlp = 0;
		else
			c->tlp &= (uint8_t)~TCP_TLP_ARMED;
	} else if (seg->ack == c->snd_una && c->snd_max != c->snd_una &&
		   (ai.news.newly != 0 || (seg->len == 0 &&
				  seg_wnd(c, seg) == c->snd_wnd &&
				  !(seg->flags & RTE_TCP_FIN_FLAG)))) {
		/* RFC 5681 §2 duplicate ACK, or RFC 6675's SACK one. */
		ai.dupack = true;
	}
	/* Window update, guarded by wl1/wl2 against old segments; before
	 * recovery sends, which the window bounds (RFC 9293 §3.10.7.4:
	 * SND.UNA, then SND.WND). An ACK of new data is no old segment
	 * whatever its sequence number (Linux's tcp_may_update_window):
	 * Linux sends its pure ACKs at our window's right edge when its
	 * snd_nxt is past it, below the data that set wl1, and a window
	 * it shrank would be ignored. Never from an ACK below snd_una
	 * (RFC 9293: SND.UNA =< SEG.ACK): with wl1 moved back by such an
	 * ACK, a late data segment would bring back an older window. A
	 * window that reopens under data it shut on is acted on below,
	 * once recovery has seen the ACK. */
	if (ai.acked != 0 || (!SF_SEQ_LT(seg->ack, c->snd_una) &&
	     (SF_SEQ_LT(c->snd_wl1, seg->seq) ||
	      (c->snd_wl1 == seg->seq &&
	       SF_SEQ_LEQ(c->snd_wl2, seg->ack))))) {
		wnd = seg_wnd(c, seg);
		reopen = unlikely(c->snd_wnd == 0) && wnd != 0 &&
			c->snd_max != c->snd_una;
		tcp_snd_wnd_set(c, wnd);
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
	}
	if (unlikely(c->ext != 0 || ai.dupack || c->dupacks != 0 ||
		     (c->flags & TF_RECOVERY))) {
		ai.opts = &seg->opts;
		/* Bytes SACKed before that the cumulative ACK took count
		 * once: a signed change, at least 0. */
		sacked_now = c->ext != 0 ? tcp_sack_bytes(w, c) : 0;
		ai.delivered = (int64_t)ai.acked + sacked_now - sacked > 0 ?
			(uint32_t)((int64_t)ai.acked + sacked_now - sacked) :
			0;
		if (w->tcp->cc_bbr && ai.delivered != 0)
			tcp_bbr_ack(w, c, ai.delivered);
		tcp_recovery_ack(w, c, &ai);
	} else if (ai.acked != 0) {
		if (w->tcp->cc_bbr)
			tcp_bbr_ack(w, c, ai.acked);
		tcp_cc_ack(w, c, ai.acked, ai.flight);
	}
	/* After cwnd's growth, which the reneging response undoes. */
	if (ai.acked != 0 && tcp_nsacked(w, c) != 0)
		tcp_sack_reneging(w, c);
	/* Recovery over and nothing SACKed left: the record goes back. */
	if (c->ext != 0)
		tcp_ext_put_idle(w, c);
	if (unlikely(reopen)) {
		/* The window reopened under data it shut on: the peer
		 * dropped that data; resend it now, afresh (no retry was
		 * spent while it probed). */
		c->nrexmit = 0;
		c->snd_nxt = c->snd_una;
		c->rto_at = 0;
		/* go-back-N resends it all: no log entry may send it a
		 * second time (rec_after_rto) */
		if (c->ext != 0)
			tcp_ext(w, c)->nlog = 0;
	}
	if ((c->flags & TF_WANT_WRITE) && !(c->flags & TF_ORPHAN) &&
	    c->sndq_len < tcp_sndbuf(conf, c)) {
		c->flags &= (uint16_t)~TF_WANT_WRITE;
		ops = tcp_ops(w, c);
		if (ops != NULL && ops->writable != NULL) {
			ops->writable(w, tcp_conn(c));
			if (!tcp_alive(c))
				return false;
		}
		before = tcp_rcvq_len(c);
		tcp_app_recv(w, c);
		if (!tcp_alive(c))
			return false;
		/* Our window reopened: say so (RFC 9293 §3.8.6.2.2). */
		if (before != 0 && (tcp_rcvq_len(c) == 0 ||
				    before - tcp_rcvq_len(c) >= c->mss))
			c->flags |= TF_ACKNOW;
	}
	return true;
}

static inline bool
tcp_fin_acked(const struct sf_tcb *c)
{
	return (c->flags & TF_FIN_SENT) && c->snd_una == c->snd_max;
}

/* An out-of-order mbuf keeps its sequence number in hash.usr and its
 * FIN, which counts once the hole before it fills, in hash.fdir.hi. */
#define OOO_SEQ(m) ((m)->hash.usr)
#define OOO_FIN(m) ((m)->hash.fdir.hi)

/* What an out-of-order mbuf of @len bytes counts against rcvbuf. */
static inline uint32_t
ooo_cost(uint32_t len)
{
	return RTE_MAX(len, (uint32_t)TCP_RCVQ_SEG_COST);
}

/* [@l, @r) arrived out of order: first in the recency list, merged
 * with the entries it overlaps or touches (they are one block now; RFC
 * 2018 §4 orders the blocks by this list). */
static void
ooo_recent_push(struct sf_tcb_ext *e, uint32_t l, uint32_t r)
{
	struct sf_tcp_sack_block keep[SF_TCP_MAX_SACK - 1];
	const struct sf_tcp_sack_block *b;
	unsigned int i, n = 0;

	for (i = 0; i < e->ooo_nrecent; i++) {
		b = &e->ooo_recent[i];
		if (SF_SEQ_LEQ(b->left, r) && SF_SEQ_LEQ(l, b->right)) {
			if (SF_SEQ_LT(b->left, l))
				l = b->left;
			if (SF_SEQ_GT(b->right, r))
				r = b->right;
		} else if (n < RTE_DIM(keep)) {
			keep[n++] = *b;
		}
	}
	e->ooo_recent[0].left = l;
	e->ooo_recent[0].right = r;
	for (i = 0; i < n; i++)
		e->ooo_recent[i + 1] = keep[i];
	e->ooo_nrecent = (uint8_t)(n + 1);
}

/* Out-of-order segment: keep it, sorted, in the loss recovery record
 * (none to be had: dropped, the peer resends it). What the window lets
 * the peer send is held, up to rcvbuf at its memory cost (tiny segments
 * cannot pin many times the window) and ooo_max segments. */
static void
tcp_ooo_insert(struct sf_worker *w, struct sf_tcb *c, struct sf_seg *seg)
{
	const struct sf_tcp_conf *conf = &w->tcp->conf;
	struct rte_mbuf *m = seg->m, **pp;
	struct sf_tcb_ext *e = tcp_ext(w, c);
	bool fin = (seg->flags & RTE_TCP_FIN_FLAG) != 0;

	if ((e != NULL && (e->ooo_count >= conf->ooo_max ||
			   e->ooo_cost + ooo_cost(seg->len) >
			   tcp_rcvbuf(conf, c))) ||
	    conf->ooo_max == 0 || m->nb_segs != 1) {
		w->stats.tcp_drop_ooo_full++;
		return;
	}
	if (unlikely(w->mbuf_low)) {
		tcp_mem_throttle(w, c);		/* the peer resends it */
		return;
	}
	if (e == NULL && (e = tcp_ext_get(w, c)) == NULL)
		return;
	pp = &e->ooo;
	if (e->ooo_tail != NULL && SF_SEQ_GT(seg->seq, OOO_SEQ(e->ooo_tail)))
		pp = &e->ooo_tail->next;	/* the common case: after all */
	for (; *pp != NULL; pp = &(*pp)->next) {
		if (OOO_SEQ(*pp) == seg->seq) {
			/* duplicate; a FIN on it counts all the same, and
			 * it is the arrival the first SACK block reports */
			if (fin && (*pp)->pkt_len == seg->len)
				OOO_FIN(*pp) = 1;
			ooo_recent_push(e, seg->seq, seg->seq +
					RTE_MIN(seg->len, (*pp)->pkt_len));
			tcp_dsack_note(w, c, seg->seq, seg->seq +
				       RTE_MIN(seg->len, (*pp)->pkt_len));
			c->flags |= TF_ACKNOW;
			return;
		}
		if (SF_SEQ_GT(OOO_SEQ(*pp), seg->seq))
			break;
	}
	rte_pktmbuf_adj(m, (uint16_t)seg->off);
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - seg->len));
	OOO_SEQ(m) = seg->seq;
	OOO_FIN(m) = fin;
	ooo_recent_push(e, seg->seq, seg->seq + seg->len);
	m->next = *pp;
	*pp = m;
	if (m->next == NULL)
		e->ooo_tail = m;
	e->ooo_count++;
	e->ooo_cost += ooo_cost(seg->len);
	seg->m = NULL;
	w->stats.tcp_ooo_queued++;
}

/* Append @m (payload only, a chain) to the data the app has not yet
 * taken. A small payload is copied into the queue's last mbuf where it
 * fits, so tiny segments do not hold an mbuf each. Returns false when
 * the queue cannot take it (the caller drops it, unacknowledged). */
static bool
rcvq_append(struct sf_worker *w, struct sf_tcb *c, struct rte_mbuf *m)
{
	struct rte_mbuf *head = c->rcvq, *tail = tcp_rcvq_tail(head);

	if (m->pkt_len <= TCP_RCVQ_COPY && m->nb_segs == 1 &&
	    RTE_MBUF_DIRECT(tail) && rte_mbuf_refcnt_read(tail) == 1 &&
	    rte_pktmbuf_tailroom(tail) >= m->data_len) {
		memcpy(rte_pktmbuf_mtod_offset(tail, uint8_t *,
					       tail->data_len),
		       rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		tail->data_len = (uint16_t)(tail->data_len + m->data_len);
		head->pkt_len += m->data_len;
		rte_pktmbuf_free(m);
		return true;
	}
	if (head->nb_segs + m->nb_segs > TCP_RCVQ_MAX_SEGS) {
		w->stats.tcp_drop_rcvq_full++;
		rte_pktmbuf_free(m);
		return false;
	}
	tail->next = m;
	head->nb_segs = (uint16_t)(head->nb_segs + m->nb_segs);
	head->pkt_len += m->pkt_len;
	tcp_rcvq_set_tail(head, rte_pktmbuf_lastseg(m));
	return true;
}

static inline bool
tcp_rcvq_append(struct sf_worker *w, struct sf_tcb *c, struct rte_mbuf *m)
{
	if (likely(c->rcvq == NULL)) {
		c->rcvq = m;
		if (unlikely(m->nb_segs != 1))
			tcp_rcvq_set_tail(m, rte_pktmbuf_lastseg(m));
		return true;
	}
	return rcvq_append(w, c, m);
}

/* Pull segments that the hole-filler made in order. Returns true when
 * the last one pulled carried the peer's FIN, now next in sequence. */
static bool
tcp_ooo_pull(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcb_ext *e = tcp_ext(w, c);
	struct rte_mbuf *m;
	uint32_t seq, end, skip;
	bool fin = false;

	while ((m = e->ooo) != NULL) {
		seq = OOO_SEQ(m);
		if (SF_SEQ_GT(seq, c->rcv_nxt))
			break;
		e->ooo = m->next;
		m->next = NULL;
		if (e->ooo_tail == m)
			e->ooo_tail = NULL;
		e->ooo_count--;
		e->ooo_cost -= ooo_cost(m->pkt_len);
		end = seq + m->pkt_len;
		fin = OOO_FIN(m) != 0;
		/* Held out of order and now also in order: a duplicate */
		if (SF_SEQ_LT(seq, c->rcv_nxt))
			tcp_dsack_note(w, c, seq, SF_SEQ_LT(end, c->rcv_nxt) ?
				       end : c->rcv_nxt);
		if (SF_SEQ_LT(end, c->rcv_nxt) ||
		    (end == c->rcv_nxt && !fin)) {
			rte_pktmbuf_free(m);
			fin = false;
			continue;
		}
		if (end == c->rcv_nxt) {	/* only its FIN is new */
			rte_pktmbuf_free(m);
			break;
		}
		skip = c->rcv_nxt - seq;
		rte_pktmbuf_adj(m, (uint16_t)skip);
		if (!tcp_rcvq_append(w, c, m)) {
			fin = false;
			break;
		}
		c->rcv_nxt = end;
		if (fin)
			break;
	}
	if (fin) {
		/* Nothing comes after a FIN. */
		while ((m = e->ooo) != NULL) {
			e->ooo = m->next;
			m->next = NULL;
			e->ooo_count--;
			e->ooo_cost -= ooo_cost(m->pkt_len);
			rte_pktmbuf_free(m);
		}
		e->ooo_tail = NULL;
	}
	tcp_ext_put_idle(w, c);
	return fin;
}

/* A segment above a hole: held (its FIN counts once the hole fills,
 * not now), and answered at once with RFC 5681 §4.2's duplicate ACK, on
 * its own: one riding on our data is no duplicate to the peer (§2). */
static void
tcp_ooo_in(struct sf_worker *w, struct sf_tcb *c, struct sf_seg *seg)
{
	tcp_ooo_insert(w, c, seg);
	seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
	tcp_send_ack(w, c);
}

/* Receive-buffer autotuning, after Linux's (tcp_rcv_space_adjust): a
 * peer that delivers more than half the buffer in a round trip (SRTT)
 * while the app keeps up (less than a quarter of it unread) may be held
 * back by our window, not by the app: the buffer doubles, up to
 * rcvbuf_max, so the window stays twice what the peer sends a round
 * trip, room for its slow start. Called after in-order data went in:
 * rcv_nxt was @before, the app had @unread bytes not taken. */
static void
tcp_rcv_grow(struct sf_worker *w, struct sf_tcb *c, uint32_t before,
	     uint32_t unread)
{
	const struct sf_tcp_conf *conf = &w->tcp->conf;
	uint32_t now = (uint32_t)w->tcp->now, buf, got;

	/* No RTT sample yet: no round trip to count over. At the mbuf
	 * reserve no growth either: a filled hole may release data of
	 * several round trips at once. */
	if (likely(conf->rcvbuf_max <= conf->rcvbuf) || c->srtt == 0 ||
	    unlikely(w->mbuf_low))
		return;
	if (c->rcv_space_at == 0) {
		c->rcv_space_seq = before;
		c->rcv_space_at = now != 0 ? now : 1;
		return;
	}
	if (now - c->rcv_space_at < RTE_MAX(c->srtt >> 3, 1u))
		return;
	buf = tcp_rcvbuf(conf, c);
	got = c->rcv_nxt - c->rcv_space_seq;
	c->rcv_space_seq = c->rcv_nxt;
	c->rcv_space_at = now != 0 ? now : 1;
	if (got > buf / 2 && buf < conf->rcvbuf_max && c->rcv_lg < 7 &&
	    unread < buf / 4) {
		c->rcv_lg++;
		w->stats.tcp_rcvbuf_grown++;
	}
}

/* RFC 9293 §3.10.7.4, seventh step: segment text. A FIN stays in
 * seg->flags only when it is next in sequence once the text is in (the
 * segment's own, or one that waited out of order): seg->seq + seg->len
 * is then rcv_nxt, as tcp_fin_in() checks. */
static void
tcp_data_in(struct sf_worker *w, struct sf_tcb *c, struct sf_seg *seg)
{
	uint32_t d, wnd_end = c->rcv_adv, before, unread, wnd;
	bool quick = false;
	struct rte_mbuf *m;

	if (seg->len == 0) {
		/* A FIN alone above a hole (the last data lost) waits
		 * like out-of-order data. */
		if ((seg->flags & RTE_TCP_FIN_FLAG) && seg->seq != c->rcv_nxt)
			tcp_ooo_in(w, c, seg);
		return;
	}
	/* Trim what we already have off the left ... */
	if (SF_SEQ_LT(seg->seq, c->rcv_nxt)) {
		d = c->rcv_nxt - seg->seq;
		tcp_dsack_note(w, c, seg->seq,
			       d >= seg->len ? seg->seq + seg->len : c->rcv_nxt);
		c->flags |= TF_ACKNOW;		/* the D-SACK goes now */
		if (d >= seg->len) {
			/* All old; its FIN, if any, may still be new. */
			seg->seq += seg->len;
			seg->len = 0;
			return;
		}
		seg->seq += d;
		seg->off += d;
		seg->len -= d;
	}
	/* ... and what does not fit the window off the right. */
	if (SF_SEQ_GT(seg->seq + seg->len, wnd_end)) {
		seg->len = SF_SEQ_GT(wnd_end, seg->seq) ?
			wnd_end - seg->seq : 0;
		seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
		c->flags |= TF_ACKNOW;
		if (seg->len == 0)
			return;
	}
	if (seg->seq != c->rcv_nxt) {
		tcp_ooo_in(w, c, seg);
		return;
	}
	if (unlikely(w->mbuf_low) && tcp_ooo(w, c) == NULL) {
		/* At the reserve, hold no more data: while low, only ACKs
		 * get in, so queues drain and memory only goes back. The
		 * peer resends it; no new window was offered meanwhile.
		 * A segment that fills the hole before out-of-order data
		 * is taken: it lets that data out to the app, and without
		 * it those mbufs would stay held for ever. */
		tcp_mem_throttle(w, c);
		seg->len = 0;
		seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
		return;
	}
	m = seg->m;
	seg->m = NULL;
	if (seg->off > m->data_len) {
		/* headers span segments: cannot happen for a valid
		 * single-header mbuf, but never trust it */
		rte_pktmbuf_free(m);
		seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
		return;
	}
	rte_pktmbuf_adj(m, (uint16_t)seg->off);
	if (m->pkt_len > seg->len)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - seg->len));
	before = c->rcv_nxt;
	unread = tcp_rcvq_len(c);
	/* Acknowledge only what was kept. */
	if (!tcp_rcvq_append(w, c, m)) {
		c->flags |= TF_ACKNOW;
		seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
		return;
	}
	c->rcv_nxt += seg->len;
	if (tcp_ooo(w, c) != NULL) {
		if (tcp_ooo_pull(w, c)) {
			seg->flags |= RTE_TCP_FIN_FLAG;
			seg->seq = c->rcv_nxt;
			seg->len = 0;
		}
		c->flags |= TF_ACKNOW;	/* a hole was filled */
	}
	tcp_rcv_grow(w, c, before, unread);
	/* Delayed ACK (RFC 9293 §3.8.6.3): at least every second full
	 * segment, within delack_ms; the second's goes out at the end of
	 * the RX burst (tcp_ack_burst). A segment that leaves less than
	 * two MSS of the window we offered is not held either: its sender
	 * may have stopped at our window's edge, waiting for this ACK. Nor
	 * are the connection's first ones (quick ACKs): the peer's slow
	 * start grows on every ACK. Those wait for the app, whose answer
	 * in this callback carries the ACK. */
	if (w->tcp->conf.delack_ms == 0) {
		c->flags |= TF_ACKNOW;
	} else if (c->flags & TF_DELACK) {
		tcp_ack_burst(w, c);
	} else {
		wnd = c->rcv_adv - c->rcv_nxt;
		c->flags |= TF_DELACK;
		c->delack_at = tcp_deadline(w->tcp->now,
					    w->tcp->conf.delack_ms);
		if (wnd < 2u * w->tcp->conf.mss)
			tcp_ack_burst(w, c);
		else if (c->quickack < TCP_QUICKACKS_MAX &&
			 (c->quickack < 2 ||
			  wnd >= 2u * c->mss * (c->quickack + 1u)))
			quick = true;
	}
	tcp_app_recv(w, c);
	/* Nothing queued that tcp_output will send with the ACK */
	if (unlikely(quick) && tcp_alive(c) && (c->flags & TF_DELACK) &&
	    c->snd_nxt - c->snd_una == c->sndq_len &&
	    (c->flags & (TF_FIN_QUEUED | TF_FIN_SENT)) != TF_FIN_QUEUED) {
		c->quickack++;
		tcp_ack_burst(w, c);
	}
}

/* RFC 9293 §3.10.7.4, eighth step: is the FIN next in sequence? */
static bool
tcp_fin_in(struct sf_worker *w, struct sf_tcb *c, const struct sf_seg *seg)
{
	RTE_SET_USED(w);
	if (!(seg->flags & RTE_TCP_FIN_FLAG) ||
	    seg->seq + seg->len != c->rcv_nxt)
		return false;
	c->rcv_nxt++;		/* the FIN takes one sequence number */
	c->flags |= TF_ACKNOW;
	return true;
}

/* RFC 9293 §3.10.7.4, eighth step, by the state the connection is in
 * now: an app callback during the text step may have closed or shut
 * down (ESTABLISHED to FIN_WAIT_1). */
static __rte_always_inline void
rcv_fin(struct sf_worker *w, struct sf_tcb *c, const struct sf_seg *seg)
{
	if (!tcp_alive(c) || !tcp_fin_in(w, c, seg))
		return;
	switch (c->state) {
	case SF_TCP_ESTABLISHED:
		tcp_set_state(w, c, SF_TCP_CLOSE_WAIT);
		tcp_peer_closed(w, c);
		break;
	case SF_TCP_FIN_WAIT_1:
		/* Our FIN is not acked (else FIN_WAIT_2): both FINs
		 * crossed (RFC 9293 Figure 13). */
		tcp_set_state(w, c, SF_TCP_CLOSING);
		tcp_peer_closed(w, c);
		break;
	case SF_TCP_FIN_WAIT_2:
		tcp_send_ack(w, c);
		tcp_peer_closed(w, c);
		if (tcp_alive(c))
			tcp_timewait_enter(w, c);
		break;
	default:
		break;
	}
}

static inline void
tcp_rcv_fin(struct sf_worker *w, struct sf_tcb *c, const struct sf_seg *seg)
{
	if (unlikely(seg->flags & RTE_TCP_FIN_FLAG))
		rcv_fin(w, c, seg);
}

static void
tcp_established(struct sf_worker *w, struct sf_tcb *c)
{
	const struct sf_tcp_app_ops *ops = tcp_ops(w, c);

	if (ops != NULL && ops->established != NULL)
		ops->established(w, tcp_conn(c));
}

static void
tcp_rcv_established(struct sf_worker *w, struct sf_tcb *c,
		    struct sf_seg *seg)
{
	if (!tcp_ack_in(w, c, seg))
		return;
	tcp_data_in(w, c, seg);
	tcp_rcv_fin(w, c, seg);
}

static void
tcp_rcv_syn_rcvd(struct sf_worker *w, struct sf_wport *wp, struct sf_tcb *c,
		 struct sf_seg *seg)
{
	if (!SF_SEQ_LT(c->snd_una, seg->ack) ||
	    SF_SEQ_GT(seg->ack, c->snd_max)) {
		tcp_send_rst_reply(w, wp, seg);
		return;
	}
	/* Our SYN is acked: snd_una moves past it, the window is the
	 * first scaled one (RFC 7323 §2.2), unless this is the peer's
	 * SYN-ACK of a simultaneous open. */
	c->snd_una = seg->ack;
	tcp_snd_wnd_set(c, seg_wnd(c, seg));
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	tcp_rtt_syn(w, c, seg);
	c->nrexmit = 0;
	c->rto_at = 0;
	tcp_set_state(w, c, SF_TCP_ESTABLISHED);
	tcp_established(w, c);
	if (!tcp_alive(c))
		return;
	if (c->state == SF_TCP_ESTABLISHED) {
		tcp_rcv_established(w, c, seg);
	} else if (c->state == SF_TCP_FIN_WAIT_1) {
		/* The app closed from established(): the FIN is queued,
		 * the rest of the segment is still ours to take. */
		tcp_data_in(w, c, seg);
		tcp_rcv_fin(w, c, seg);
	}
}

static void
tcp_rcv_fin_wait_1(struct sf_worker *w, struct sf_tcb *c,
		   struct sf_seg *seg)
{
	if (!tcp_ack_in(w, c, seg))
		return;
	if (tcp_fin_acked(c)) {
		tcp_set_state(w, c, SF_TCP_FIN_WAIT_2);
		if (c->flags & TF_ORPHAN)
			c->aux_at = tcp_deadline(w->tcp->now,
						 w->tcp->conf.fin_wait_2_ms);
	}
	tcp_data_in(w, c, seg);
	tcp_rcv_fin(w, c, seg);
}

static void
tcp_rcv_fin_wait_2(struct sf_worker *w, struct sf_tcb *c,
		   struct sf_seg *seg)
{
	if (!tcp_ack_in(w, c, seg))
		return;
	tcp_data_in(w, c, seg);
	tcp_rcv_fin(w, c, seg);
}

static void
tcp_rcv_close_wait(struct sf_worker *w, struct sf_tcb *c,
		   struct sf_seg *seg)
{
	/* The peer's FIN is in: no more text to take (§3.10.7.4,
	 * seventh step); a retransmitted FIN is simply acked again. */
	if (!tcp_ack_in(w, c, seg))
		return;
	if (seg->flags & RTE_TCP_FIN_FLAG)
		c->flags |= TF_ACKNOW;
}

static void
tcp_rcv_closing(struct sf_worker *w, struct sf_tcb *c, struct sf_seg *seg)
{
	if (!tcp_ack_in(w, c, seg))
		return;
	if (tcp_fin_acked(c)) {
		tcp_timewait_enter(w, c);
		return;
	}
	if (seg->flags & RTE_TCP_FIN_FLAG)
		c->flags |= TF_ACKNOW;
}

static void
tcp_rcv_last_ack(struct sf_worker *w, struct sf_tcb *c, struct sf_seg *seg)
{
	if (!tcp_ack_in(w, c, seg))
		return;
	if (tcp_fin_acked(c)) {
		tcp_close_conn(w, c, SF_CLOSE_NORMAL);
		return;
	}
	if (seg->flags & RTE_TCP_FIN_FLAG)
		c->flags |= TF_ACKNOW;
}

/* RFC 9293 §3.10.7.3. */
void
tcp_rcv_syn_sent(struct sf_worker *w, struct sf_tcb *c, struct sf_seg *seg)
{
	struct sf_wport *wp = &w->ports[c->port_idx];
	uint32_t wnd;

	if ((seg->flags & RTE_TCP_ACK_FLAG) &&
	    (SF_SEQ_LEQ(seg->ack, c->snd_una) ||	/* snd_una: our ISS */
	     SF_SEQ_GT(seg->ack, c->snd_max))) {
		if (!(seg->flags & RTE_TCP_RST_FLAG))
			tcp_send_rst_reply(w, wp, seg);
		return;
	}
	if (seg->flags & RTE_TCP_RST_FLAG) {
		if (seg->flags & RTE_TCP_ACK_FLAG) {
			w->stats.tcp_rx_rst++;
			tcp_close_conn(w, c, SF_CLOSE_REFUSED);
		}
		return;
	}
	if (!(seg->flags & RTE_TCP_SYN_FLAG))
		return;
	TCP_TRACE_IRS(w, c, seg->seq);
	/* Our SYN offered its (unscaled) window from rcv_nxt 0
	 * (tcp_send_syn): text may fill it. */
	wnd = c->rcv_adv - c->rcv_nxt;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt + wnd;
	tcp_syn_options(w, c, seg);
	c->snd_wl1 = seg->seq;
	if (seg->flags & RTE_TCP_ACK_FLAG) {
		c->snd_una = seg->ack;
		c->snd_wl2 = seg->ack;
		/* RFC 7323 §2.2: a SYN-ACK's window is not scaled. */
		tcp_snd_wnd_set(c, seg->wnd);
		tcp_rtt_syn(w, c, seg);
		c->nrexmit = 0;
		c->rto_at = 0;
		tcp_set_state(w, c, SF_TCP_ESTABLISHED);
		tcp_keepalive_reset(w, c);
		c->flags |= TF_ACKNOW;
		/* Handshake 3/3 goes out after the app has heard: what it
		 * sends at once (a request) rides on that ACK. */
		tcp_established(w, c);
		/* Text on the SYN-ACK: on at the sixth step (RFC 9293
		 * §3.10.7.3), past the SYN's sequence number. */
		if (tcp_alive(c) && seg->len != 0 &&
		    (c->state == SF_TCP_ESTABLISHED ||
		     c->state == SF_TCP_FIN_WAIT_1)) {
			seg->seq++;
			seg->flags &= (uint8_t)~RTE_TCP_SYN_FLAG;
			tcp_data_in(w, c, seg);
		}
		if (tcp_alive(c))
			tcp_output(w, c);
		return;
	}
	/* Simultaneous open (RFC 9293 Figure 7): SYN-ACK with our ISS. */
	tcp_snd_wnd_set(c, seg->wnd);
	tcp_set_state(w, c, SF_TCP_SYN_RCVD);
	c->nrexmit = 0;
	tcp_send_syn(w, c);
}

static void
rcv_state(struct sf_worker *w, struct sf_wport *wp, struct sf_tcb *c,
	  struct sf_seg *seg)
{
	const struct sf_tcp_opts *o = &seg->opts;

	if (c->state == SF_TCP_SYN_SENT) {
		tcp_rcv_syn_sent(w, c, seg);
		return;
	}
	/* A retransmitted SYN in SYN_RCVD: our SYN-ACK was lost. */
	if (c->state == SF_TCP_SYN_RCVD &&
	    (seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
	    RTE_TCP_SYN_FLAG && seg->seq == c->rcv_nxt - 1) {	/* the IRS */
		c->flags |= TF_ACKNOW;
		tcp_output(w, c);
		return;
	}
	/* Simultaneous open (RFC 9293 Figure 7, line 4): the peer's
	 * SYN-ACK repeats a SYN that rcv_nxt already counts. Take it as the
	 * ACK it also is, as Linux does, and acknowledge (line 5). */
	if (c->state == SF_TCP_SYN_RCVD && !(c->flags & TF_PASSIVE) &&
	    (seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
			   RTE_TCP_RST_FLAG | RTE_TCP_FIN_FLAG)) ==
	    (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) &&
	    seg->seq + 1 == c->rcv_nxt && seg->ack == c->snd_nxt) {
		seg->flags &= (uint8_t)~RTE_TCP_SYN_FLAG;
		seg->seq++;
		seg->syn_wnd = true;
		c->flags |= TF_ACKNOW;
	}
	/* RFC 7323 §5.3 PAWS; TS.Recent older than 24 days is no longer
	 * valid (§5.5). */
	if ((c->flags & TF_TS) && (o->present & SF_TCPOPT_TS) &&
	    !(seg->flags & RTE_TCP_RST_FLAG) &&
	    SF_SEQ_LT(o->tsval, c->ts_recent) &&
	    TCP_TS_AGE(w->tcp->now) - c->ts_recent_at < TCP_PAWS_IDLE) {
		w->stats.tcp_drop_paws++;
		tcp_drop_ack(w, c);
		tcp_output(w, c);
		return;
	}
	/* First check: sequence number. */
	if (!tcp_seq_acceptable(c, seg)) {
		w->stats.tcp_drop_seq++;
		if (!(seg->flags & RTE_TCP_RST_FLAG)) {
			/* data we hold already: its ACK says so */
			if (seg->len != 0 &&
			    SF_SEQ_LEQ(seg->seq + seg->len, c->rcv_nxt))
				tcp_dsack_note(w, c, seg->seq,
					       seg->seq + seg->len);
			tcp_drop_ack(w, c);
			tcp_output(w, c);
		}
		return;
	}
	/* Anything acceptable shows the peer alive: its unanswered
	 * keepalive or window probes start again from none. */
	c->ka_probes = 0;
	/* Second: RST. */
	if (seg->flags & RTE_TCP_RST_FLAG) {
		tcp_rcv_rst(w, c, seg);
		return;
	}
	/* Fourth: SYN in a synchronized state (RFC 5961 §4.2). */
	if (seg->flags & RTE_TCP_SYN_FLAG) {
		tcp_challenge_ack(w, c);
		return;
	}
	/* Fifth: no ACK, no further processing. */
	if (!(seg->flags & RTE_TCP_ACK_FLAG)) {
		w->stats.tcp_drop_noack++;
		return;
	}
	if (c->state != SF_TCP_SYN_RCVD && !tcp_ack_acceptable(w, c, seg)) {
		tcp_output(w, c);
		return;
	}
	/* RFC 7323 §4.3: remember the newest timestamp at the left edge
	 * (only when negotiated: without, the slot times rtt_seq), once
	 * the segment is known good. */
	if ((c->flags & TF_TS) && (o->present & SF_TCPOPT_TS) &&
	    SF_SEQ_LEQ(seg->seq, c->rcv_nxt) &&
	    (c->state != SF_TCP_SYN_RCVD ||
	     (SF_SEQ_LT(c->snd_una, seg->ack) &&
	      SF_SEQ_LEQ(seg->ack, c->snd_max)))) {
		c->ts_recent = o->tsval;
		c->ts_recent_at = TCP_TS_AGE(w->tcp->now);
	}

	switch (c->state) {
	case SF_TCP_SYN_RCVD:
		tcp_rcv_syn_rcvd(w, wp, c, seg);
		break;
	case SF_TCP_ESTABLISHED:
		tcp_rcv_established(w, c, seg);
		break;
	case SF_TCP_FIN_WAIT_1:
		tcp_rcv_fin_wait_1(w, c, seg);
		break;
	case SF_TCP_FIN_WAIT_2:
		tcp_rcv_fin_wait_2(w, c, seg);
		break;
	case SF_TCP_CLOSE_WAIT:
		tcp_rcv_close_wait(w, c, seg);
		break;
	case SF_TCP_CLOSING:
		tcp_rcv_closing(w, c, seg);
		break;
	case SF_TCP_LAST_ACK:
		tcp_rcv_last_ack(w, c, seg);
		break;
	default:
		break;
	}
	if (!tcp_alive(c) || c->state == SF_TCP_TIME_WAIT)
		return;
	tcp_keepalive_reset(w, c);
	tcp_output(w, c);
}

void
tcp_rcv_state(struct sf_worker *w, struct sf_wport *wp, struct sf_tcb *c,
	      struct sf_seg *seg)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tcb *outer = tcp->in_input;
	bool owed = tcp->out_owed;

	/* Saved and restored: safe should input ever nest (an app callback
	 * does not feed input today). */
	tcp->in_input = c;
	tcp->out_owed = false;
	rcv_state(w, wp, c, seg);
	if (tcp->out_owed && tcp_alive(c) && c->state != SF_TCP_TIME_WAIT)
		tcp_output(w, c);
	tcp->in_input = outer;
	tcp->out_owed = owed;
}
