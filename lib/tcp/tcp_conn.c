/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection lifecycle: per-worker TCP set-up, TCB allocation and
 * reclamation, state bookkeeping, the one-deadline-per-connection timer,
 * RTT estimation (RFC 6298), and handing received data to the app.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "sf_log.h"
#include "sf_net.h"
#include "tcp_priv.h"
#include "txbuf.h"

void
sf_tcp_conf_defaults(struct sf_tcp_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->max_conns = 65536;
	conf->max_timewait = 65536;
	conf->msl_ms = 30000;		/* 2MSL = 60 s, as Linux */
	conf->rto_init_ms = 1000;	/* RFC 6298 (2.1) */
	conf->rto_min_ms = 200;		/* Linux TCP_RTO_MIN */
	conf->rto_max_ms = 60000;	/* RFC 6298 (2.5) */
	conf->retries = 8;
	conf->syn_retries = 5;
	conf->fin_wait_2_ms = 60000;	/* Linux tcp_fin_timeout */
	conf->delack_ms = 40;
	conf->rcvbuf = 256 * 1024;
	conf->sndbuf = 256 * 1024;
	conf->rcvbuf_max = 4 * 1024 * 1024;	/* Linux: 6 MiB and 4 MiB */
	conf->sndbuf_max = 4 * 1024 * 1024;
	conf->ooo_max = 4096;	/* rcvbuf bounds the bytes: this, the
				 * mbufs (a 6 MB window of 1448-byte
				 * segments is 4345) */
	conf->max_recovery = 0;	/* max_conns / 64, at least 1024 */
	conf->keepalive_ms = 0;		/* RFC 1122 §4.2.3.6: off */
	conf->keepalive_intvl_ms = 75000;	/* Linux defaults */
	conf->keepalive_probes = 9;
	conf->mss = 1460;
	conf->wscale = 7;
	conf->wscale_on = true;
	conf->sack_on = true;
	conf->ts_on = true;
	conf->tlp_on = true;
	snprintf(conf->cc, sizeof(conf->cc), "cubic-friendly");
	conf->max_syn_backlog = 4096;
	conf->syncookies = 1;
	conf->drop_synfin = true;
	conf->ack_ratelimit = 1000;	/* Linux's tcp_challenge_ack_limit */
}

/* The table's reclamation callback: no reader can see @data any more.
 * It may run inside a table call made while some TCB is still in use on
 * this iteration, so objects go to a limbo list and become reusable at
 * the next sf_tcp_poll(), when no TCB pointer is live on the stack. */
static void
tcp_entry_free(void *arg, void *data)
{
	struct sf_worker *w = arg;
	struct sf_tcp *tcp = w->tcp;
	struct sf_tcb *c;

	if (tcp_entry_is_tw(data)) {
		/* The ring's tail takes it when it comes round. */
		tcp_entry_tw(data)->slot = TCP_TW_SLOT_FREE;
		return;
	}
	c = data;
	c->next_free = tcp->tcb_limbo;
	tcp->tcb_limbo = c;
}

static void
tcp_limbo_drain(struct sf_tcp *tcp)
{
	struct sf_tcb *c;

	while ((c = tcp->tcb_limbo) != NULL) {
		tcp->tcb_limbo = c->next_free;
		c->next_free = tcp->tcb_free;
		tcp->tcb_free = c;
		tcp->tcb_used--;
	}
}

/* Loss recovery records when the config leaves it to us: recovery and
 * reordering are brief, so a share of the connections, enough for small
 * tables to give one to every connection. */
static uint32_t
tcp_max_recovery_default(const struct sf_tcp_conf *conf)
{
	uint32_t floor = RTE_MIN(conf->max_conns, UINT32_C(1024));

	return RTE_MAX(conf->max_conns / 64, floor);
}

int
sf_tcp_init(struct sf_worker *w, const struct sf_tcp_conf *conf, int socket)
{
	struct sf_tcp *tcp;
	char name[32];
	uint32_t i;
	int rc;

	if (conf->max_conns == 0 || conf->mss < 64 || conf->wscale > 14 ||
	    conf->rto_min_ms == 0 || conf->rto_min_ms > conf->rto_max_ms ||
	    conf->rto_max_ms > TCP_RTO_LIMIT ||
	    conf->rto_init_ms > TCP_RTO_LIMIT ||
	    (strcmp(conf->cc, "newreno") != 0 &&
	     strcmp(conf->cc, "cubic-friendly") != 0 &&
	     strcmp(conf->cc, "bbr") != 0))
		return -EINVAL;
	tcp = rte_zmalloc_socket("sf_tcp", sizeof(*tcp), RTE_CACHE_LINE_SIZE,
				 socket);
	if (tcp == NULL)
		return -ENOMEM;
	w->tcp = tcp;
	tcp->conf = *conf;
	tcp->cc_cubic = strcmp(conf->cc, "cubic-friendly") == 0;
	tcp->cc_bbr = strcmp(conf->cc, "bbr") == 0;
	tcp->tsc_per_ms = w->hz / 1000;
	tcp->tsc_per_us = RTE_MAX(w->hz / 1000000, UINT64_C(1));
	tcp->now = w->now / tcp->tsc_per_ms;
	tcp->tick_tsc = tcp->now * tcp->tsc_per_ms;
	tcp->trace.t0 = w->now;
	if (tcp->conf.max_recovery == 0)
		tcp->conf.max_recovery = tcp_max_recovery_default(conf);
	rc = -ENOMEM;
	tcp->tcbs = rte_zmalloc_socket("sf_tcb", sizeof(struct sf_tcb) *
				       (size_t)conf->max_conns,
				       RTE_CACHE_LINE_SIZE, socket);
	/* One TIME_WAIT slot more than the limit: a restarted 2MSL moves
	 * its record to the tail before the old slot is let go. */
	tcp->tw_size = conf->max_timewait + 1;
	tcp->exts = rte_zmalloc_socket("sf_tcb_ext",
				       sizeof(struct sf_tcb_ext) *
				       (size_t)tcp->conf.max_recovery,
				       RTE_CACHE_LINE_SIZE, socket);
	tcp->tws = rte_zmalloc_socket("sf_tw", sizeof(struct sf_tw) *
				      (size_t)tcp->tw_size,
				      RTE_CACHE_LINE_SIZE, socket);
	tcp->mem_list = rte_malloc_socket("sf_tcp_mem", sizeof(void *) *
					  TCP_MEM_LIST, 0, socket);
	tcp->txw_list = rte_malloc_socket("sf_tcp_txw", sizeof(void *) *
					  TCP_MEM_LIST, 0, socket);
	if (tcp->cc_bbr)
		tcp->bbr = rte_zmalloc_socket("sf_tcp_bbr",
					      sizeof(struct tcp_bbr) *
					      (size_t)conf->max_conns,
					      RTE_CACHE_LINE_SIZE, socket);
	if (tcp->tcbs == NULL || tcp->exts == NULL || tcp->tws == NULL ||
	    tcp->mem_list == NULL || tcp->txw_list == NULL ||
	    (tcp->cc_bbr && tcp->bbr == NULL))
		goto fail;
	for (i = conf->max_conns; i > 0; i--) {
		tcp->tcbs[i - 1].next_free = tcp->tcb_free;
		tcp->tcb_free = &tcp->tcbs[i - 1];
	}
	for (i = tcp->conf.max_recovery; i > 0; i--) {
		tcp->exts[i - 1].next_free = tcp->ext_free;
		tcp->ext_free = i;
	}
	snprintf(name, sizeof(name), "sf_tcp_w%u", w->id);
	tcp->table = sf_tcp_table_create(name, conf->max_conns +
					 conf->max_timewait, socket,
					 tcp_entry_free, w);
	if (tcp->table == NULL) {
		rc = -rte_errno;
		goto fail;
	}
	tcp->wheel = sf_twheel_create(socket, tcp->now, tcp_timer_cb, w);
	if (tcp->wheel == NULL)
		goto fail;
	rc = sf_tcp_isn_key_init(&tcp->isn_key);
	if (rc == 0)
		rc = sf_tcp_isn_key_init(&tcp->cookie_key);
	if (rc != 0)
		goto fail;
	tcp->eph_next = (uint16_t)(32768 + rte_rand() % 28232);
	tcp->ip_id = (uint16_t)rte_rand();
	return 0;
fail:
	sf_tcp_fini(w);
	return rc;
}

static void
tcp_mbuf_list_free(struct rte_mbuf *m)
{
	struct rte_mbuf *n;

	while (m != NULL) {
		n = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		m = n;
	}
}

void
sf_tcp_fini(struct sf_worker *w)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t i;

	if (tcp == NULL)
		return;
	if (tcp->tcbs != NULL)
		for (i = 0; i < tcp->conf.max_conns; i++)
			if (tcp->tcbs[i].state != SF_TCP_CLOSED) {
				tcp_send_rst_tcb(w, &tcp->tcbs[i]);
				tcp_close_conn(w, &tcp->tcbs[i],
					       SF_CLOSE_SHUTDOWN);
			}
	sf_worker_flush(w);
	if (tcp->table != NULL)
		sf_tcp_table_free(tcp->table);
	sf_twheel_free(tcp->wheel);
	rte_free(tcp->tcbs);
	rte_free(tcp->exts);
	rte_free(tcp->bbr);
	rte_free(tcp->tws);
	rte_free(tcp->mem_list);
	rte_free(tcp->txw_list);
	rte_free(tcp->trace.conns);
	rte_free(tcp);
	w->tcp = NULL;
}

/* The index + 1 of @ops in the worker's table, added if new; 0 for
 * NULL. Returns -ENOSPC when the table is full. */
int
tcp_ops_index(struct sf_worker *w, const struct sf_tcp_app_ops *ops)
{
	struct sf_tcp *tcp = w->tcp;
	unsigned int i;

	if (ops == NULL)
		return 0;
	for (i = 0; i < tcp->nb_ops; i++)
		if (tcp->ops[i] == ops)
			return (int)i + 1;
	if (tcp->nb_ops == TCP_MAX_OPS)
		return -ENOSPC;
	tcp->ops[tcp->nb_ops++] = ops;
	return tcp->nb_ops;
}

/* @c's loss recovery record, taken from the pool if it has none yet.
 * NULL when the pool is empty (counted): @c then goes on without a
 * scoreboard or out-of-order queue. */
struct sf_tcb_ext *
tcp_ext_get(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tcb_ext *e;
	uint32_t i = tcp->ext_free;

	if (c->ext != 0)
		return &tcp->exts[c->ext - 1];
	if (unlikely(i == 0)) {
		w->stats.tcp_ext_pool_empty++;
		return NULL;
	}
	e = &tcp->exts[i - 1];
	tcp->ext_free = e->next_free;
	tcp->ext_used++;
	/* Zeroed as a new TCB's fields were when they lived in it. */
	memset(e, 0, sizeof(*e));
	tcp_recovery_marks_reset(w, c, e);
	c->ext = i;
	return e;
}

/* Give @c's record back, with any out-of-order data it held. */
static void
tcp_ext_put(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tcb_ext *e = &tcp->exts[c->ext - 1];

	tcp_mbuf_list_free(e->ooo);
	e->ooo = NULL;
	e->ooo_tail = NULL;
	e->next_free = tcp->ext_free;
	tcp->ext_free = c->ext;
	tcp->ext_used--;
	c->ext = 0;
}

/* Give @c's record back once it holds nothing: no SACKed ranges, no
 * recovery in progress, no out-of-order data. */
void
tcp_ext_put_idle(struct sf_worker *w, struct sf_tcb *c)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);

	if (e != NULL && e->nsacked == 0 && e->ooo == NULL &&
	    tcp_recovery_idle(c, e))
		tcp_ext_put(w, c);
}

struct sf_tcb *
tcp_tcb_alloc(struct sf_worker *w, const struct sf_tcp_key *key)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tcb *c = tcp->tcb_free, *next;
	int rc;

	if (c == NULL) {
		/* TCBs deleted this iteration come back at the next
		 * sf_tcp_poll(); until then the pool is honestly full. */
		sf_tcp_table_reclaim(tcp->table);
		rte_errno = ENOSPC;
		return NULL;
	}
	/* Initialise before the table publishes it to readers. */
	next = c->next_free;
	memset(c, 0, sizeof(*c));
	c->key = *key;
	c->state = SF_TCP_CLOSED;
	c->rto = (uint16_t)tcp->conf.rto_init_ms;
	sf_timer_init(&c->timer, TCP_TIMER_TCB);
	rc = sf_tcp_table_add(tcp->table, key, c);
	if (rc != 0) {
		c->next_free = next;	/* still the head of the free list */
		rte_errno = -rc;
		return NULL;
	}
	tcp->tcb_free = next;
	tcp->tcb_used++;
	/* Once a trace filter was set, each new connection is checked. */
	if (unlikely(__atomic_load_n(&tcp->trace.gen, __ATOMIC_RELAXED) != 0))
		tcp_trace_conn_new(w, c);
	return c;
}

void
tcp_set_state(struct sf_worker *w, struct sf_tcb *c, uint8_t state)
{
	struct sf_tcp *tcp = w->tcp;
	uint8_t from = c->state;

	/* CLOSED is not counted: a free TCB is CLOSED too. */
	if (from != SF_TCP_CLOSED)
		tcp->nb_state[from]--;
	if (state != SF_TCP_CLOSED)
		tcp->nb_state[state]++;
	c->state = state;
	/* A TCB in TIME_WAIT only hands over to its record, whose end
	 * counts (tcp_trace_tw_closed); a passive open starts at LISTEN. */
	if (from == SF_TCP_TIME_WAIT)
		return;
	if (from == SF_TCP_CLOSED && (c->flags & TF_PASSIVE))
		from = SF_TCP_LISTEN;
	tcp->trans[from][state]++;
	if (TCP_TRACED(c))
		tcp_trace_state(w, c, from, state);
}

/* With @in_table false the TCB's table entry was handed over already
 * (tcp_close_conn_replaced()). */
static void
conn_close(struct sf_worker *w, struct sf_tcb *c, enum sf_close_reason why,
	   bool in_table)
{
	struct sf_tcp *tcp = w->tcp;
	const struct sf_tcp_app_ops *ops = tcp_ops(w, c);
	uint8_t old = c->state;

	if (old == SF_TCP_CLOSED)
		return;
	if (old == SF_TCP_SYN_SENT || old == SF_TCP_SYN_RCVD)
		w->stats.tcp_attempt_fails++;
	else if ((old == SF_TCP_ESTABLISHED || old == SF_TCP_CLOSE_WAIT) &&
		 why == SF_CLOSE_RST_RCVD)
		w->stats.tcp_estab_resets++;
	/* A TCB handing over to its TIME_WAIT record is not closed yet:
	 * the record's expiry counts it. */
	if (old != SF_TCP_TIME_WAIT)
		w->stats.tcp_conns_closed++;
	sf_twheel_cancel(tcp->wheel, &c->timer);
	if (tcp_sndq_cursor(tcp, c)->c == c)
		tcp_sndq_cursor(tcp, c)->c = NULL;
	tcp_mbuf_list_free(c->sndq_head);
	rte_pktmbuf_free(c->rcvq);
	if (c->ext != 0)
		tcp_ext_put(w, c);
	c->sndq_head = c->sndq_tail = c->rcvq = NULL;
	c->sndq_len = 0;
	if (TCP_TRACED(c))
		TCP_TRACE_CONN(w, c)->close_reason = (uint8_t)why;
	tcp_set_state(w, c, SF_TCP_CLOSED);
	if (in_table)
		sf_tcp_table_del(tcp->table, &c->key);
	c->ops_idx = 0;
	/* A passive open that never reached ESTABLISHED was never shown to
	 * the app: it has nothing to be told. */
	if (ops != NULL && ops->closed != NULL &&
	    !(old == SF_TCP_SYN_RCVD && (c->flags & TF_PASSIVE)))
		ops->closed(w, tcp_conn(c), why);
}

void
tcp_close_conn(struct sf_worker *w, struct sf_tcb *c,
	       enum sf_close_reason why)
{
	conn_close(w, c, why, true);
}

void
tcp_close_conn_replaced(struct sf_worker *w, struct sf_tcb *c)
{
	conn_close(w, c, SF_CLOSE_NORMAL, false);
}

void
tcp_timer_update(struct sf_worker *w, struct sf_tcb *c)
{
	uint64_t now = w->tcp->now, at;
	uint32_t next = 0;
	int32_t d;

	if (c->rto_at != 0)
		next = c->rto_at;
	if (c->delack_at != 0 &&
	    (next == 0 || TCP_TIME_LT(c->delack_at, next)))
		next = c->delack_at;
	if (c->aux_at != 0 && (next == 0 || TCP_TIME_LT(c->aux_at, next)))
		next = c->aux_at;
	if (c->ext != 0) {
		at = tcp_ext(w, c)->rack_at;	/* RACK's reordering timer */
		if (at != 0 && (next == 0 || TCP_TIME_LT(at, next)))
			next = (uint32_t)at;
	}
	if (next == 0) {
		sf_twheel_cancel(w->tcp->wheel, &c->timer);
		return;
	}
	/* Back to the wheel's 64-bit ticks (a deadline already past stays
	 * past: the wheel runs it at its next advance). */
	d = (int32_t)(next - (uint32_t)now);
	at = d >= 0 || now >= (uint64_t)-(int64_t)d ? now + (int64_t)d : 0;
	if (sf_timer_armed(&c->timer) &&
	    sf_twheel_expires(w->tcp->wheel, &c->timer) == at)
		return;
	sf_twheel_arm(w->tcp->wheel, &c->timer, at);
}

/* RFC 6298 §2 and §3, 1 ms clock granularity. */
void
tcp_rtt_sample(struct sf_tcb *c, uint32_t r, const struct sf_tcp_conf *conf)
{
	int32_t delta;
	uint32_t rto;

	if (r == 0)
		r = 1;
	if (c->srtt == 0) {
		c->srtt = r << 3;
		c->rttvar = r << 1;
	} else {
		delta = (int32_t)r - (int32_t)(c->srtt >> 3);
		c->srtt += delta;
		if (delta < 0)
			delta = -delta;
		c->rttvar += delta - (c->rttvar >> 2);
	}
	rto = (c->srtt >> 3) + RTE_MAX(1u, c->rttvar);
	rto = RTE_MAX(rto, conf->rto_min_ms);
	c->rto = (uint16_t)RTE_MIN(rto, conf->rto_max_ms);
}

/* Remove @acked bytes from the head of the send queue. */
void
tcp_sndq_drop_acked(struct sf_worker *w, struct sf_tcb *c, uint32_t acked)
{
	struct rte_mbuf *m;
	uint32_t avail;

	RTE_SET_USED(w);
	acked = RTE_MIN(acked, c->sndq_len);
	c->sndq_len -= acked;
	while (acked > 0 && (m = c->sndq_head) != NULL) {
		avail = m->data_len;
		if (acked < avail) {
			/* The head now starts at snd_una. The mbuf is ours
			 * (sf_tcp_send takes it; shared data comes as
			 * clones), and the slices of it in flight are
			 * indirect mbufs with their own offsets. */
			m->data_off = (uint16_t)(m->data_off + acked);
			m->data_len = (uint16_t)(m->data_len - acked);
			m->pkt_len -= acked;
			return;
		}
		acked -= avail;
		c->sndq_head = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
	if (c->sndq_head == NULL)
		c->sndq_tail = NULL;
}

/* The peer's FIN is the app's "recv() == 0": it comes after every byte
 * before it has been taken, never ahead of them. */
void
tcp_peer_closed(struct sf_worker *w, struct sf_tcb *c)
{
	const struct sf_tcp_app_ops *ops = tcp_ops(w, c);

	if (tcp_rcvq_len(c) > 0) {
		/* Offer what is left once more: an app that was waiting for
		 * more bytes (a partial request) learns, through
		 * sf_conn_fin_rcvd(), that none will come. Emptying the queue
		 * calls back here. */
		if (!(c->flags & TF_FIN_PENDING)) {
			c->flags |= TF_FIN_PENDING;
			tcp_app_recv(w, c);
		}
		return;
	}
	c->flags &= (uint16_t)~TF_FIN_PENDING;
	if (!(c->flags & TF_ORPHAN) && ops != NULL &&
	    ops->peer_closed != NULL)
		ops->peer_closed(w, tcp_conn(c));
}

/* Offer queued in-order data to the application. */
void
tcp_app_recv(struct sf_worker *w, struct sf_tcb *c)
{
	const struct sf_tcp_app_ops *ops;
	struct sf_tcb *outer;
	uint32_t used, len;

	while ((len = tcp_rcvq_len(c)) > 0) {
		ops = tcp_ops(w, c);
		if ((c->flags & TF_ORPHAN) || ops == NULL ||
		    ops->recv == NULL) {
			used = len;
		} else {
			outer = w->tcp->in_recv;
			w->tcp->in_recv = c;
			used = ops->recv(w, tcp_conn(c), c->rcvq, 0, len);
			w->tcp->in_recv = outer;
			if (!tcp_alive(c))
				return;
			used = RTE_MIN(used, len);
		}
		if (used < len)
			/* The app is short of send space (echo, proxies):
			 * offer the rest again once ACKs free some. */
			c->flags |= TF_WANT_WRITE;
		if (used == 0)
			return;
		if (used == len) {
			rte_pktmbuf_free(c->rcvq);
			c->rcvq = NULL;
			if (c->flags & TF_FIN_PENDING)
				tcp_peer_closed(w, c);
			return;
		}
		/* Drop consumed whole segments, then the partial one. */
		while (used >= c->rcvq->data_len) {
			struct rte_mbuf *m = c->rcvq, *n = m->next;

			used -= m->data_len;
			n->pkt_len = m->pkt_len - m->data_len;
			n->nb_segs = (uint16_t)(m->nb_segs - 1);
			tcp_rcvq_set_tail(n, tcp_rcvq_tail(m));
			m->next = NULL;
			rte_pktmbuf_free_seg(m);
			c->rcvq = n;
		}
		rte_pktmbuf_adj(c->rcvq, (uint16_t)used);
	}
}

/* A probe of a zero window is due (persist, or an RTO with the window
 * shut under data in flight): count it, and end the connection once
 * probing has gone on too long. RFC 9293 §3.8.6.1 keeps a connection
 * whose peer answers; an orphan is bounded all the same, by its backoff
 * count, as Linux's orphan retries do (else a peer answering with
 * window 0 holds it and its send buffer for ever); a peer that stops
 * answering (ka_probes: probes since the last acceptable segment)
 * ends it too. Returns true when it did. */
static bool
tcp_probe_give_up(struct sf_worker *w, struct sf_tcb *c)
{
	uint32_t max = w->tcp->conf.retries;

	if (((c->flags & TF_ORPHAN) && c->nrexmit >= max) ||
	    c->ka_probes >= max) {
		w->stats.tcp_persist_aborts++;
		tcp_send_rst_tcb(w, c);
		tcp_close_conn(w, c, SF_CLOSE_PERSIST_TIMEOUT);
		return true;
	}
	w->stats.tcp_window_probes++;
	if (c->nrexmit < UINT8_MAX)
		c->nrexmit++;
	if (c->ka_probes < UINT8_MAX)
		c->ka_probes++;
	return false;
}

/* The RTO fired with the peer's window shut and data in flight: the
 * retransmission of snd_una's segment is a window probe (RFC 9293
 * §3.8.6.1, as Linux does), backed off, and no retry is spent while
 * the peer keeps answering. */
static void
tcp_zero_window_rto(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;

	if (tcp_probe_give_up(w, c))
		return;
	c->rto = (uint16_t)RTE_MIN(c->rto * 2u, tcp->conf.rto_max_ms);
	c->flags &= (uint16_t)~TF_RTT;
	if (c->sndq_len != 0) {
		tcp_send_data_at(w, c, c->snd_una,
				 RTE_MIN((uint32_t)c->mss, c->sndq_len));
	} else {
		c->snd_nxt = c->snd_una;	/* the FIN alone */
		tcp_output(w, c);
	}
	c->rto_at = tcp_deadline(tcp->now, c->rto);
}

static void
tcp_rexmit_timeout(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t max;

	if (c->flags & TF_NO_ARP) {
		/* The SYN waits for ARP; tcp_send_syn retries. */
		tcp_send_syn(w, c);
		return;
	}
	if (c->flags & TF_PERSIST) {
		/* RFC 9293 §3.8.6.1: probe the zero window. tcp_output()
		 * sends it and arms the next, one backoff later. */
		if (tcp_probe_give_up(w, c))
			return;
		tcp_output(w, c);
		return;
	}
	if (c->tlp & TCP_TLP_ARMED) {
		/* The probe timeout, not the RTO: probe the tail so that a
		 * lost last segment shows in a SACK instead of costing a
		 * whole RTO (in recovery: the first hole's resend was
		 * lost). The RTO proper follows. */
		c->tlp &= (uint8_t)~TCP_TLP_ARMED;
		if (c->flags & TF_RECOVERY) {
			tcp_recovery_probe(w, c);
		} else if ((c->tlp & (uint8_t)~TCP_TLP_ARMED) <
			   TCP_TLP_MAX) {
			/* Not when spent: an undo may end recovery on an
			 * ACK below tlp_end and leave this timer armed. */
			c->tlp++;	/* this episode's one probe */
			if (tcp_cc_probe(w, c))
				w->stats.tcp_loss_probes++;
			c->tlp_end = c->snd_max;
		}
		if (c->rto_at == 0)	/* tcp_output may have armed it */
			c->rto_at = tcp_cc_arm(w, c);
		return;
	}
	if (c->snd_wnd == 0 && c->state != SF_TCP_SYN_SENT &&
	    c->state != SF_TCP_SYN_RCVD) {
		tcp_zero_window_rto(w, c);
		return;
	}
	w->stats.tcp_rto_timeouts++;
	max = (c->state == SF_TCP_SYN_SENT || c->state == SF_TCP_SYN_RCVD) ?
		tcp->conf.syn_retries : tcp->conf.retries;
	if (c->nrexmit >= max) {
		if (c->state == SF_TCP_SYN_SENT) {
			tcp_close_conn(w, c, SF_CLOSE_SYN_TIMEOUT);
		} else {
			w->stats.tcp_rto_aborts++;
			tcp_close_conn(w, c, SF_CLOSE_RTO_EXHAUSTED);
		}
		return;
	}
	c->nrexmit++;
	/* RFC 6298 (5.5)-(5.7): back off, go again from snd_una; RFC 5681
	 * (4): one segment of cwnd, ssthresh to half the flight. */
	c->rto = (uint16_t)RTE_MIN(c->rto * 2u, tcp->conf.rto_max_ms);
	tcp_cc_timeout(w, c);
	tcp_recovery_rto(w, c);
	c->flags &= (uint16_t)~TF_RTT;	/* Karn: no sample from a rexmit */
	/* The SACK scoreboard survives the timeout, as in Linux: the
	 * go-back-N below skips what the peer holds. Should the peer have
	 * dropped it (reneged, RFC 2018 §8), the next cumulative ACK stops
	 * at SACKed data and tcp_ack_in() forgets the scoreboard. */
	if (c->state == SF_TCP_SYN_SENT || c->state == SF_TCP_SYN_RCVD) {
		tcp_send_syn(w, c);
		return;
	}
	c->snd_nxt = c->snd_una;
	tcp_output(w, c);
}

void
tcp_timer_cb(struct sf_timer *t, void *arg)
{
	struct sf_worker *w = arg;
	struct sf_tcp *tcp = w->tcp;
	const struct sf_tcp_app_ops *ops;
	struct sf_tcb_ext *e;
	struct sf_tcb *c;
	uint64_t now = tcp->now;

	c = container_of(t, struct sf_tcb, timer);
	if (c->delack_at != 0 && TCP_TIME_LEQ(c->delack_at, now)) {
		c->delack_at = 0;
		if ((c->flags & TF_WANT_WRITE) && c->sndq_len == 0 &&
		    !(c->flags & (TF_DELACK | TF_ORPHAN))) {
			/* A send refused at the mbuf reserve, with nothing
			 * in flight whose ACK would retry it. */
			c->flags &= (uint16_t)~TF_WANT_WRITE;
			ops = tcp_ops(w, c);
			if (ops != NULL && ops->writable != NULL) {
				ops->writable(w, tcp_conn(c));
				if (!tcp_alive(c))
					return;
			}
			/* ... and offer what it left unread, as after an
			 * ACK (tcp_ack_in). */
			tcp_app_recv(w, c);
			if (!tcp_alive(c))
				return;
		} else {
			c->flags |= TF_ACKNOW;
			w->stats.tcp_delayed_acks++;
			tcp_output(w, c);
		}
	}
	e = tcp_ext(w, c);
	if (e != NULL && e->rack_at != 0 && TCP_TIME_LEQ(e->rack_at, now)) {
		e->rack_at = 0;
		tcp_recovery_reorder_timeout(w, c);
		if (!tcp_alive(c))
			return;
	}
	if (c->rto_at != 0 && TCP_TIME_LEQ(c->rto_at, now)) {
		c->rto_at = 0;
		tcp_rexmit_timeout(w, c);
		if (!tcp_alive(c))
			return;
	}
	if (c->aux_at != 0 && TCP_TIME_LEQ(c->aux_at, now)) {
		c->aux_at = 0;
		if (c->state == SF_TCP_FIN_WAIT_2 && (c->flags & TF_ORPHAN)) {
			/* As Linux: an orphan that waited fin_wait_2_ms for
			 * the peer's FIN is reset. */
			w->stats.tcp_fw2_timeouts++;
			tcp_send_rst_tcb(w, c);
			tcp_close_conn(w, c, SF_CLOSE_FIN_WAIT_2_TIMEOUT);
			return;
		} else if (c->sndq_len != 0 || c->snd_max != c->snd_una) {
			/* Data out or waiting: the retransmission and
			 * persist timers watch the peer (Linux too). */
			if (tcp->conf.keepalive_ms != 0)
				c->aux_at = tcp_deadline(now,
						tcp->conf.keepalive_ms);
		} else if (tcp_keepalive_state(c)) {
			/* RFC 1122 §4.2.3.6 keepalive: idle, then probes. */
			if (c->ka_probes >= tcp->conf.keepalive_probes) {
				tcp_send_rst_tcb(w, c);
				tcp_close_conn(w, c,
					       SF_CLOSE_KEEPALIVE_TIMEOUT);
				return;
			}
			c->ka_probes++;
			w->stats.tcp_keepalive_probes++;
			tcp_send_probe(w, c);
			c->aux_at = tcp_deadline(now,
						 tcp->conf.keepalive_intvl_ms);
		}
	}
	tcp_timer_update(w, c);
}

void
tcp_mem_throttle(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;

	w->stats.tcp_drop_mem++;
	if (TCP_MEM_THROTTLED(c) || tcp->mem_n == TCP_MEM_LIST)
		return;
	TCP_MEM_THROTTLED(c) = 1;
	tcp->mem_list[tcp->mem_n++] = c;
}

/* Out of the reserve: every connection whose data was dropped meanwhile
 * hears at once that the window is open again, instead of waiting for
 * the peer's backed-off retransmission or persist timer. */
static void
tcp_mem_release(struct sf_worker *w)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tcb *c;
	uint32_t i;

	for (i = 0; i < tcp->mem_n; i++) {
		c = tcp->mem_list[i];
		/* Closed (or reused) since: the flag was cleared with it. */
		if (!TCP_MEM_THROTTLED(c))
			continue;
		TCP_MEM_THROTTLED(c) = 0;
		c->flags |= TF_ACKNOW;
		tcp_output(w, c);
	}
	tcp->mem_n = 0;
}

int
tcp_tx_wait(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;

	if (tcp->txw_n != 0 && tcp->txw_list[tcp->txw_n - 1] == c) {
		w->stats.tcp_tx_waits++;
		return 0;
	}
	if (tcp->txw_n == TCP_MEM_LIST)
		return -ENOSPC;
	w->stats.tcp_tx_waits++;
	tcp->txw_list[tcp->txw_n++] = c;
	return 0;
}

/* Resume the connections that held data back, where the TX buffer has
 * room again. An entry may be stale (closed, or reused by a new
 * connection): tcp_output() on it sends only what that TCB allows. */
static void
tcp_tx_resume(struct sf_worker *w)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t i, n = tcp->txw_n;
	struct sf_tcb *c;

	tcp->txw_n = 0;
	for (i = 0; i < n; i++) {
		c = tcp->txw_list[i];
		/* Still busy: keep it (re-adds land at indices already
		 * read). */
		if (sf_txbuf_busy(&w->ports[c->port_idx]))
			tcp->txw_list[tcp->txw_n++] = c;
		else if (c->state >= SF_TCP_ESTABLISHED &&
			 c->state != SF_TCP_TIME_WAIT)
			tcp_output(w, c);
	}
}

void
sf_tcp_poll(struct sf_worker *w)
{
	struct sf_tcp *tcp = w->tcp;

	if (unlikely(tcp->mem_was_low != w->mbuf_low)) {
		tcp->mem_was_low = w->mbuf_low;
		if (!w->mbuf_low)
			tcp_mem_release(w);
	}
	sf_tcp_clock(w);	/* already so in the worker loop; tests */
	tcp_limbo_drain(tcp);
	sf_twheel_advance(tcp->wheel, tcp->now, 4096);
	tcp_timewait_expire(w, 4096);
	if (unlikely(tcp->txw_n != 0))
		tcp_tx_resume(w);
}

void
sf_tcp_clock(struct sf_worker *w)
{
	struct sf_tcp *tcp = w->tcp;

	/* One division a millisecond, not one a poll (it showed in idle
	 * loops); a clock set back (tests) recomputes too. */
	if (likely(w->now - tcp->tick_tsc < tcp->tsc_per_ms))
		return;
	tcp->now = w->now / tcp->tsc_per_ms;
	tcp->tick_tsc = tcp->now * tcp->tsc_per_ms;
}

void
sf_tcp_state_counts(const struct sf_worker *w, uint64_t *counts)
{
	const struct sf_tcp *tcp = w->tcp;
	unsigned int i;

	if (tcp == NULL)
		return;
	for (i = 0; i < SF_TCP_NB_STATES; i++)
		counts[i] += __atomic_load_n(&tcp->nb_state[i],
					     __ATOMIC_RELAXED);
}

static const char *const state_names[SF_TCP_NB_STATES] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
	"TIME_WAIT",
};

const char *
sf_tcp_state_name(enum sf_tcp_state s)
{
	return (unsigned int)s < SF_TCP_NB_STATES ? state_names[s] : "?";
}

static const char *const reason_names[SF_CLOSE_NB_REASONS] = {
	"normal", "rst-rcvd", "refused", "rto-exhausted", "syn-timeout",
	"fin-wait-2-timeout", "keepalive-timeout", "aborted", "no-route",
	"shutdown", "persist-timeout",
};

const char *
sf_tcp_close_reason_name(enum sf_close_reason r)
{
	return (unsigned int)r < SF_CLOSE_NB_REASONS ? reason_names[r] : "?";
}
