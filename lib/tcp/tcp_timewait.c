/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME_WAIT (RFC 9293 §3.10.7.4 and §3.6): the active closer keeps a
 * compact record of the tuple for 2MSL so old duplicates die and a lost
 * final ACK can be repeated. RST is ignored (RFC 1337); a new SYN may
 * reuse the tuple when it is provably newer (RFC 6191).
 */
#include <rte_tcp.h>

#include "tcp_priv.h"

static_assert(sizeof(struct sf_tw) <= 64, "TIME_WAIT record over 64 B");

void
tcp_timewait_enter(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tw *tw;

	tcp_set_state(w, c, SF_TCP_TIME_WAIT);
	if (tcp->tw_nfree == 0) {
		/* Out of records: as Linux, close without TIME_WAIT. */
		w->stats.tcp_tw_full++;
		w->stats.tcp_conns_closed++;
		tcp_trace_tw_closed(w, &c->key, c->trace != 0,
				    "no TIME_WAIT record free");
		tcp_close_conn(w, c, SF_CLOSE_NORMAL);
		return;
	}
	tw = tcp->tw_free[--tcp->tw_nfree];
	tw->key = c->key;
	tw->snd_nxt = c->snd_nxt;
	tw->rcv_nxt = c->rcv_nxt;
	tw->ts_recent = c->ts_recent;
	tw->peer_mac = c->peer_mac;
	tw->port_idx = c->port_idx;
	tw->ts_on = (c->flags & TF_TS) != 0;
	tw->rcv_wscale = c->rcv_wscale;
	tw->trace = c->trace != 0 ? TCP_TR_ON | TCP_TR_TW : 0;
	/* The TCB goes (the app hears closed()), the record takes its
	 * place under the same key. */
	tcp_close_conn(w, c, SF_CLOSE_NORMAL);
	if (sf_tcp_table_add(tcp->table, &tw->key,
			     (void *)((uintptr_t)tw | TCP_TW_TAG)) != 0) {
		tcp->tw_free[tcp->tw_nfree++] = tw;
		w->stats.tcp_tw_full++;
		w->stats.tcp_conns_closed++;
		tcp_trace_tw_closed(w, &tw->key, tw->trace != 0,
				    "no TIME_WAIT record free");
		return;
	}
	tcp->nb_state[SF_TCP_TIME_WAIT]++;
	sf_timer_init(&tw->timer, TCP_TIMER_TW);
	sf_twheel_arm(tcp->wheel, &tw->timer,
		      tcp->now + 2ULL * tcp->conf.msl_ms);
}

/* 2MSL ran out, or a newer SYN reopens the tuple: the record goes. */
void
tcp_timewait_release(struct sf_worker *w, struct sf_tw *tw)
{
	struct sf_tcp *tcp = w->tcp;

	sf_twheel_cancel(tcp->wheel, &tw->timer);
	tcp->nb_state[SF_TCP_TIME_WAIT]--;
	w->stats.tcp_conns_closed++;
	tcp_trace_tw_closed(w, &tw->key, tw->trace != 0, NULL);
	/* The record returns to the free stack through the table's
	 * reclamation callback, once no reader can see it. */
	sf_tcp_table_del(tcp->table, &tw->key);
}

bool
tcp_timewait_input(struct sf_worker *w, struct sf_wport *wp,
		   struct sf_tw *tw, struct sf_seg *seg)
{
	struct sf_tcp *tcp = w->tcp;
	const struct sf_tcp_opts *o = &seg->opts;
	bool newer;

	RTE_SET_USED(wp);
	if (seg->flags & RTE_TCP_RST_FLAG) {
		w->stats.tcp_drop_rst++;	/* RFC 1337 */
		return false;
	}
	if ((seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
	    RTE_TCP_SYN_FLAG) {
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
		tcp_send_tw_ack(w, tw);
		return false;
	}
	if (seg->flags & RTE_TCP_FIN_FLAG) {
		/* A retransmitted FIN: our last ACK was lost. Ack again and
		 * restart 2MSL (RFC 9293 §3.10.7.4, eighth step). */
		tcp_send_tw_ack(w, tw);
		sf_twheel_arm(tcp->wheel, &tw->timer,
			      tcp->now + 2ULL * tcp->conf.msl_ms);
		return false;
	}
	if (seg->len != 0 || seg->seq != tw->rcv_nxt)
		tcp_send_tw_ack(w, tw);
	return false;
}
