/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME_WAIT (RFC 9293 §3.10.7.4 and §3.6): the active closer keeps a
 * compact record of the tuple for 2MSL so old duplicates die and a lost
 * final ACK can be repeated. RST is ignored (RFC 1337); a new SYN may
 * reuse the tuple when it is provably newer (RFC 6191).
 */
#include <rte_tcp.h>

#include "tcp_priv.h"

static_assert(sizeof(struct sf_tw) <= 40, "TIME_WAIT record over 40 B");

/* Records ahead whose table bucket tcp_timewait_expire() prefetches. */
#define TW_PREFETCH_AHEAD 8

static inline uint32_t
tw_next(const struct sf_tcp *tcp, uint32_t i)
{
	return i + 1 == tcp->tw_size ? 0 : i + 1;
}

/* The tail slot, or NULL when the ring is full (or its tail slot still
 * waits for the table's readers). */
static struct sf_tw *
tw_take(struct sf_tcp *tcp)
{
	struct sf_tw *tw = &tcp->tws[tcp->tw_tail];

	if (tcp->tw_count == tcp->tw_size || tw->slot != TCP_TW_SLOT_FREE)
		return NULL;
	tcp->tw_tail = tw_next(tcp, tcp->tw_tail);
	tcp->tw_count++;
	return tw;
}

/* Undo the last tw_take(). */
static void
tw_untake(struct sf_tcp *tcp)
{
	tcp->tw_tail = tcp->tw_tail == 0 ? tcp->tw_size - 1 : tcp->tw_tail - 1;
	tcp->tw_count--;
}

static void
tw_full(struct sf_worker *w, const struct sf_tcp_key *key, bool traced)
{
	w->stats.tcp_tw_full++;
	w->stats.tcp_conns_closed++;
	tcp_trace_tw_closed(w, key, traced, "no TIME_WAIT record free");
}

void
tcp_timewait_enter(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tw *tw;

	tcp_set_state(w, c, SF_TCP_TIME_WAIT);
	/* nb_state counts this TCB already */
	tw = tcp->nb_state[SF_TCP_TIME_WAIT] <= tcp->conf.max_timewait ?
		tw_take(tcp) : NULL;
	if (tw == NULL) {
		/* Out of records: as Linux, close without TIME_WAIT. */
		tw_full(w, &c->key, c->trace != 0);
		tcp_close_conn(w, c, SF_CLOSE_NORMAL);
		return;
	}
	tw->key = c->key;
	tw->snd_nxt = c->snd_nxt;
	tw->rcv_nxt = c->rcv_nxt;
	tw->ts_recent = c->ts_recent;
	tw->expires = (uint32_t)(tcp->now + 2ULL * tcp->conf.msl_ms);
	tw->peer_mac = c->peer_mac;
	tw->port_idx = c->port_idx;
	tw->ts_on = (c->flags & TF_TS) != 0;
	tw->rcv_wscale = c->rcv_wscale;
	tw->trace = c->trace != 0 ? TCP_TR_ON | TCP_TR_TW : 0;
	tw->slot = TCP_TW_SLOT_LIVE;
	/* The record takes the TCB's table entry, then the TCB goes (the
	 * app hears closed()). */
	if (sf_tcp_table_replace(tcp->table, &tw->key,
				 (void *)((uintptr_t)tw | TCP_TW_TAG)) != 0) {
		/* Not in the table (cannot happen to a synchronized TCB):
		 * close without TIME_WAIT. */
		tw->slot = TCP_TW_SLOT_FREE;
		tw_untake(tcp);
		tw_full(w, &c->key, c->trace != 0);
		tcp_close_conn(w, c, SF_CLOSE_NORMAL);
		return;
	}
	tcp->nb_state[SF_TCP_TIME_WAIT]++;
	tcp_close_conn_replaced(w, c);
}

/* 2MSL ran out, or a newer SYN reopens the tuple: the record goes. */
void
tcp_timewait_release(struct sf_worker *w, struct sf_tw *tw)
{
	struct sf_tcp *tcp = w->tcp;

	tcp->nb_state[SF_TCP_TIME_WAIT]--;
	w->stats.tcp_conns_closed++;
	tcp_trace_tw_closed(w, &tw->key, tw->trace != 0, NULL);
	/* The slot becomes reusable through the table's reclamation
	 * callback, once no reader can see it. */
	tw->slot = TCP_TW_SLOT_DEAD;
	if (sf_tcp_table_del(tcp->table, &tw->key) != 0)
		tw->slot = TCP_TW_SLOT_FREE;	/* was never reachable */
}

/* RFC 9293 §3.10.7.4: a retransmitted FIN restarts 2MSL. The record
 * moves to the tail, so the ring stays in deadline order; with no slot
 * free it keeps its old deadline. */
static void
tw_restart(struct sf_worker *w, struct sf_tw *tw)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tw *nt = tw_take(tcp);

	if (nt == NULL)
		return;
	*nt = *tw;
	nt->expires = (uint32_t)(tcp->now + 2ULL * tcp->conf.msl_ms);
	if (sf_tcp_table_replace(tcp->table, &nt->key,
				 (void *)((uintptr_t)nt | TCP_TW_TAG)) != 0) {
		/* @tw is not in the table (cannot happen): it stays. */
		nt->slot = TCP_TW_SLOT_FREE;
		tw_untake(tcp);
		return;
	}
	/* Free again through the table's reclamation callback. */
	tw->slot = TCP_TW_SLOT_DEAD;
}

unsigned int
tcp_timewait_expire(struct sf_worker *w, unsigned int budget)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t now = (uint32_t)tcp->now;
	unsigned int n = 0;
	struct sf_tw *tw;

	while (tcp->tw_count > 0 && n < budget) {
		tw = &tcp->tws[tcp->tw_head];
		if (tw->slot == TCP_TW_SLOT_LIVE) {
			if ((int32_t)(tw->expires - now) > 0)
				break;
			/* Records expire in runs (all that entered TIME_WAIT
			 * in one ms): start loading the table bucket of one
			 * a few places on, whose delete comes soon. */
			if (tcp->tw_count > TW_PREFETCH_AHEAD)
				sf_tcp_table_prefetch(tcp->table,
					&tcp->tws[(tcp->tw_head +
						   TW_PREFETCH_AHEAD) %
						  tcp->tw_size].key);
			tcp_timewait_release(w, tw);
			n++;
		}
		/* DEAD and FREE slots (reused or moved early) are passed;
		 * the tail takes a DEAD one only once it is FREE. */
		tcp->tw_head = tw_next(tcp, tcp->tw_head);
		tcp->tw_count--;
	}
	return n;
}

bool
tcp_timewait_input(struct sf_worker *w, struct sf_wport *wp,
		   struct sf_tw *tw, struct sf_seg *seg)
{
	const struct sf_tcp_opts *o = &seg->opts;
	bool newer;

	RTE_SET_USED(wp);
	if (seg->flags & RTE_TCP_RST_FLAG) {
		w->stats.tcp_drop_rst++;	/* RFC 1337 */
		return false;
	}
	/* A SYN+FIN never reopens: a challenge ACK below (RFC 5961 §4.2). */
	if ((seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
			   RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG) {
		/* RFC 6191 §2: newer timestamp, or (without timestamps)
		 * a sequence number beyond everything seen. */
		if (tw->ts_on && (o->present & SF_TCPOPT_TS))
			newer = SF_SEQ_GT(o->tsval, tw->ts_recent);
		else
			newer = SF_SEQ_GT(seg->seq, tw->rcv_nxt);
		if (newer) {
			w->stats.tcp_tw_reused++;
			tcp_timewait_release(w, tw);
			return true;
		}
		if (tcp_ack_ratelimit(w, false))
			tcp_send_tw_ack(w, tw);
		return false;
	}
	/* A retransmitted FIN: our last ACK was lost. Ack again and
	 * restart 2MSL (RFC 9293 §3.10.7.4, eighth step). Only the FIN we
	 * took (it ends just below rcv_nxt) and only past PAWS (RFC 7323
	 * §5.3): any other FIN restarting it would let a stream of them
	 * keep the record, and fill the ring. */
	if ((seg->flags & (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG)) ==
	    RTE_TCP_FIN_FLAG && seg->seq + seg->len + 1 == tw->rcv_nxt &&
	    !(tw->ts_on && (o->present & SF_TCPOPT_TS) &&
	      SF_SEQ_LT(o->tsval, tw->ts_recent))) {
		tcp_send_tw_ack(w, tw);
		tw_restart(w, tw);
		return false;
	}
	/* Without ACK: acceptable, then dropped for the missing ACK (RFC
	 * 9293 §3.10.7.4, fifth check); outside the window, answered
	 * (first check). A SYN is answered before that (fourth check).
	 * The window is the one we last offered: nothing is queued, so all
	 * of rcvbuf. */
	if (!(seg->flags & (RTE_TCP_ACK_FLAG | RTE_TCP_SYN_FLAG)) &&
	    seg->seq - tw->rcv_nxt < RTE_MIN(w->tcp->conf.rcvbuf,
					    UINT32_C(65535) << tw->rcv_wscale)) {
		w->stats.tcp_drop_noack++;
		return false;
	}
	/* Data, a FIN, a segment off RCV.NXT, or a SYN-ACK (RFC 5961 §4.2:
	 * a challenge ACK for any SYN) get an ACK. */
	if ((seg->len != 0 || seg->seq != tw->rcv_nxt ||
	     (seg->flags & (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG))) &&
	    tcp_ack_ratelimit(w, false))
		tcp_send_tw_ack(w, tw);
	return false;
}
