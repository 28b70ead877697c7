/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's calls (RFC 9293 §3.10.1-§3.10.5 user calls): listen,
 * connect, send, close, shutdown, abort.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "sf_net.h"
#include "tcp_priv.h"

int
sf_tcp_listen(struct sf_worker *w, uint16_t port,
	      const struct sf_tcp_app_ops *ops)
{
	struct sf_tcp *tcp = w->tcp;
	uint16_t p = rte_cpu_to_be_16(port);
	unsigned int i;
	int idx;

	for (i = 0; i < tcp->nb_listen; i++)
		if (tcp->listen[i].port == p)
			return -EEXIST;
	if (tcp->nb_listen == SF_TCP_MAX_LISTEN)
		return -ENOSPC;
	idx = tcp_ops_index(w, ops);
	if (idx < 0)
		return idx;
	tcp->listen[tcp->nb_listen].port = p;
	tcp->listen[tcp->nb_listen].ops_idx = (uint8_t)idx;
	tcp->listen[tcp->nb_listen].ops = ops;
	tcp->nb_listen++;
	return 0;
}

/* May @key be opened now? A TIME_WAIT record of ours yields to a new
 * connection when timestamps were on and it is at least a second old:
 * the peer's PAWS then tells old duplicates from the new connection
 * (Linux's tcp_tw_reuse; RFC 6191 §2 seen from the active side). */
static bool
tcp_tuple_free(struct sf_worker *w, const struct sf_tcp_key *key)
{
	struct sf_tcp *tcp = w->tcp;
	void *e = sf_tcp_table_lookup(tcp->table, key);
	struct sf_tw *tw;
	uint32_t left;

	if (e == NULL)
		return true;
	if (!tcp_entry_is_tw(e))
		return false;
	tw = tcp_entry_tw(e);
	left = tw->expires - (uint32_t)tcp->now;
	if (!tw->ts_on || left > 2 * tcp->conf.msl_ms - 1000 ||
	    2 * tcp->conf.msl_ms < 1000)
		return false;
	w->stats.tcp_tw_reused++;
	tcp_timewait_release(w, tw);
	return true;
}

void
sf_tcp_prefetch_tuple(struct sf_worker *w, uint16_t port_idx, uint32_t saddr,
		      uint16_t sport, uint32_t daddr, uint16_t dport)
{
	struct sf_tcp_key key;

	if (w->tcp == NULL || port_idx >= w->nb_ports)
		return;
	sf_tcp_key_set(&key, daddr,
		       saddr != 0 ? saddr : w->ports[port_idx].ifc->addrs[0],
		       rte_cpu_to_be_16(dport), rte_cpu_to_be_16(sport));
	sf_tcp_table_prefetch(w->tcp->table, &key);
}

int
sf_tcp_connect(struct sf_worker *w, uint16_t port_idx, uint32_t saddr,
	       uint16_t sport, uint32_t daddr, uint16_t dport,
	       const struct sf_tcp_app_ops *ops, void *ctx,
	       struct sf_conn **out)
{
	struct sf_tcp *tcp = w->tcp;
	const struct sf_tcp_conf *conf = &tcp->conf;
	struct sf_iface *ifc;
	struct sf_tcp_key key;
	struct sf_tcb *c;
	unsigned int tries;
	int ops_idx, rc;

	if (port_idx >= w->nb_ports)
		return -EINVAL;
	ops_idx = tcp_ops_index(w, ops);
	if (ops_idx < 0)
		return ops_idx;
	ifc = w->ports[port_idx].ifc;
	if (saddr == 0)
		saddr = ifc->addrs[0];
	if (!sf_iface_has_addr(ifc, saddr) || dport == 0 || daddr == 0)
		return -EINVAL;
	if (sf_iface_nexthop(ifc, daddr) == 0)
		return -ENETUNREACH;
	if (sport != 0) {
		sf_tcp_key_set(&key, daddr, saddr, rte_cpu_to_be_16(dport),
			       rte_cpu_to_be_16(sport));
		if (!tcp_tuple_free(w, &key))
			return -EADDRINUSE;
	} else {
		/* Linux's default ephemeral range, 32768-60999. */
		for (tries = 0; tries < 28232; tries++) {
			if (tcp->eph_next < 32768 || tcp->eph_next > 60999)
				tcp->eph_next = 32768;
			sf_tcp_key_set(&key, daddr, saddr,
				       rte_cpu_to_be_16(dport),
				       rte_cpu_to_be_16(tcp->eph_next++));
			if (sf_tcp_table_lookup(tcp->table, &key) == NULL)
				break;
		}
		if (tries == 28232)
			return -EADDRINUSE;
	}
	c = tcp_tcb_alloc(w, &key);
	if (c == NULL)
		return -ENOSPC;
	c->port_idx = (uint8_t)port_idx;
	c->ctx = ctx;
	c->snd_una = sf_tcp_isn(&tcp->isn_key, key.laddr, key.lport,
				key.raddr, key.rport, tcp->now * 1000);
	c->snd_nxt = c->snd_una;
	c->snd_max = c->snd_una;
	TCP_TRACE_ISS(w, c, c->snd_una);
	c->mss = (uint16_t)(conf->mss - (conf->ts_on ? 12 : 0));
	if (conf->wscale_on) {
		c->flags |= TF_WS;
		c->rcv_wscale = (uint8_t)conf->wscale;
	}
	if (conf->sack_on)
		c->flags |= TF_SACK;
	if (conf->ts_on)
		c->flags |= TF_TS;
	c->flags |= TF_NO_ARP;
	tcp_set_state(w, c, SF_TCP_SYN_SENT);
	w->stats.tcp_active_opens++;
	/* Handshake 1/3, or wait for ARP. A failure now is connect()'s to
	 * report, so no callbacks until the TCB survives it: the app hears
	 * of a connection either by closed() or by an error, never both. */
	rc = tcp_send_syn(w, c);
	if (!tcp_alive(c)) {
		*out = NULL;
		return rc != 0 ? rc : -ENETUNREACH;
	}
	c->ops_idx = (uint8_t)ops_idx;
	*out = tcp_conn(c);
	return 0;
}

uint32_t
sf_tcp_send_space(const struct sf_worker *w, struct sf_conn *conn)
{
	struct sf_tcb *c = tcp_tcb(conn);
	uint32_t buf = tcp_sndbuf(&w->tcp->conf, c);

	if (c->flags & TF_FIN_QUEUED)
		return 0;
	if (c->sndq_len >= buf) {
		/* Asked and found none: writable() will say when. */
		c->flags |= TF_WANT_WRITE;
		return 0;
	}
	return buf - c->sndq_len;
}

static bool
tcp_can_send(const struct sf_tcb *c)
{
	return !(c->flags & TF_FIN_QUEUED) &&
		(c->state == SF_TCP_ESTABLISHED ||
		 c->state == SF_TCP_CLOSE_WAIT ||
		 c->state == SF_TCP_SYN_SENT || c->state == SF_TCP_SYN_RCVD);
}

/* Append @m (a chain of payload mbufs) to the send queue; the caller has
 * checked the room. Only data_len and next are used once queued. */
static void
tcp_sndq_append(struct sf_tcb *c, struct rte_mbuf *m)
{
	struct rte_mbuf *last;

	for (last = m; last->next != NULL; last = last->next)
		;
	if (c->sndq_tail == NULL)
		c->sndq_head = m;
	else
		c->sndq_tail->next = m;
	c->sndq_tail = last;
	c->sndq_len += m->pkt_len;
}

/* Send what the new data allows, once it is all queued. */
static void
tcp_send_queued(struct sf_worker *w, struct sf_tcb *c)
{
	if (c->state == SF_TCP_ESTABLISHED || c->state == SF_TCP_CLOSE_WAIT)
		tcp_output_soon(w, c);
}

/* The pool is at its reserve: refuse to take new mbufs for data, and
 * have writable() called when ACKs free some — or, with nothing in
 * flight to be acked, after a short wait (the delayed-ACK timer, see
 * tcp_timer_cb). */
static int
tcp_send_mem_wait(struct sf_worker *w, struct sf_tcb *c)
{
	w->stats.tcp_send_mem_wait++;
	c->flags |= TF_WANT_WRITE;
	if (c->sndq_len == 0 && c->delack_at == 0) {
		c->delack_at = tcp_deadline(w->tcp->now, TCP_MEM_RETRY_MS);
		tcp_timer_update(w, c);
	}
	return -ENOBUFS;
}

int
sf_tcp_send(struct sf_worker *w, struct sf_conn *conn, struct rte_mbuf *m)
{
	struct sf_tcb *c = tcp_tcb(conn);

	if (!tcp_can_send(c))
		return -EPIPE;
	/* No reserve check: the app's mbufs are already taken (often the
	 * receive queue's, whose release this send starts). */
	if (c->sndq_len + m->pkt_len > tcp_sndbuf(&w->tcp->conf, c)) {
		c->flags |= TF_WANT_WRITE;
		return -ENOBUFS;
	}
	tcp_sndq_append(c, m);
	tcp_send_queued(w, c);
	return 0;
}

int
sf_tcp_send_copy(struct sf_worker *w, struct sf_conn *conn, const void *buf,
		 uint32_t len)
{
	struct sf_tcb *c = tcp_tcb(conn);
	uint32_t room, done = 0, n, want = len, limit;
	struct rte_mbuf *m;
	char *p;

	if (!tcp_can_send(c))
		return -EPIPE;
	if (unlikely(w->mbuf_low))
		return tcp_send_mem_wait(w, c);
	limit = tcp_sndbuf(&w->tcp->conf, c);
	room = limit - RTE_MIN(c->sndq_len, limit);
	if (room == 0) {
		c->flags |= TF_WANT_WRITE;
		return -ENOBUFS;
	}
	len = RTE_MIN(len, room);
	while (done < len) {
		m = sf_worker_mbuf_alloc(w);
		if (m == NULL) {
			w->stats.mbuf_alloc_fail++;
			break;
		}
		n = RTE_MIN(len - done, (uint32_t)rte_pktmbuf_tailroom(m));
		p = rte_pktmbuf_append(m, (uint16_t)n);
		memcpy(p, (const char *)buf + done, n);
		tcp_sndq_append(c, m);
		done += n;
	}
	if (done == 0)
		return -ENOMEM;
	if (done < want)
		c->flags |= TF_WANT_WRITE;
	tcp_send_queued(w, c);
	return (int)done;
}

/* Queue the FIN and take the RFC 9293 §3.10.4 transition. */
static int
tcp_fin_queue(struct sf_worker *w, struct sf_tcb *c)
{
	switch (c->state) {
	case SF_TCP_ESTABLISHED:
		tcp_set_state(w, c, SF_TCP_FIN_WAIT_1);
		break;
	case SF_TCP_CLOSE_WAIT:
		tcp_set_state(w, c, SF_TCP_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	c->flags |= TF_FIN_QUEUED;
	tcp_output_soon(w, c);
	return 0;
}

int
sf_tcp_close(struct sf_worker *w, struct sf_conn *conn)
{
	struct sf_tcb *c = tcp_tcb(conn);

	if (c->flags & TF_ORPHAN)
		return -ENOTCONN;
	c->flags |= TF_ORPHAN;
	switch (c->state) {
	case SF_TCP_SYN_SENT:
		tcp_close_conn(w, c, SF_CLOSE_NORMAL);
		return 0;
	case SF_TCP_SYN_RCVD:
		tcp_send_rst_tcb(w, c);
		tcp_close_conn(w, c, SF_CLOSE_ABORTED);
		return 0;
	case SF_TCP_ESTABLISHED:
	case SF_TCP_CLOSE_WAIT:
		return tcp_fin_queue(w, c);
	case SF_TCP_FIN_WAIT_2:
		/* Shut down earlier, now orphaned: bound the wait. */
		c->aux_at = tcp_deadline(w->tcp->now,
					   w->tcp->conf.fin_wait_2_ms);
		tcp_timer_update(w, c);
		return 0;
	default:
		return 0;	/* FIN already queued by shutdown */
	}
}

int
sf_tcp_shutdown(struct sf_worker *w, struct sf_conn *conn)
{
	struct sf_tcb *c = tcp_tcb(conn);

	if (c->flags & TF_FIN_QUEUED)
		return -ENOTCONN;
	return tcp_fin_queue(w, c);
}

void
sf_tcp_abort(struct sf_worker *w, struct sf_conn *conn)
{
	struct sf_tcb *c = tcp_tcb(conn);

	if (!tcp_alive(c))
		return;
	if (c->state != SF_TCP_SYN_SENT)
		tcp_send_rst_tcb(w, c);
	tcp_close_conn(w, c, SF_CLOSE_ABORTED);
}

void *
sf_conn_ctx(const struct sf_conn *c)
{
	return ((const struct sf_tcb *)c)->ctx;
}

void
sf_conn_set_ctx(struct sf_conn *c, void *ctx)
{
	tcp_tcb(c)->ctx = ctx;
}

enum sf_tcp_state
sf_conn_state(const struct sf_conn *c)
{
	return (enum sf_tcp_state)((const struct sf_tcb *)c)->state;
}

void
sf_conn_tcp_info(const struct sf_conn *conn, struct sf_tcp_info *ti)
{
	const struct sf_tcb *c = (const struct sf_tcb *)conn;

	memset(ti, 0, sizeof(*ti));
	ti->state = c->state;
	ti->nrexmit = c->nrexmit;
	ti->ts = (c->flags & TF_TS) != 0;
	ti->sack = (c->flags & TF_SACK) != 0;
	ti->wscale = (c->flags & TF_WS) != 0;
	ti->snd_wscale = c->snd_wscale;
	ti->rcv_wscale = c->rcv_wscale;
	ti->recovery = (c->flags & TF_RECOVERY) != 0;
	ti->persist = (c->flags & TF_PERSIST) != 0;
	ti->mss = c->mss;
	ti->cwnd = c->cwnd;
	ti->ssthresh = c->ssthresh;
	ti->srtt_us = c->srtt * 125;		/* ms << 3 */
	ti->rttvar_us = c->rttvar * 250;	/* ms << 2 */
	ti->rto_ms = c->rto;
	ti->unacked = c->snd_max - c->snd_una;
	ti->snd_wnd = c->snd_wnd;
	ti->rcv_wnd = SF_SEQ_GT(c->rcv_adv, c->rcv_nxt) ?
		c->rcv_adv - c->rcv_nxt : 0;
	ti->sndq = c->sndq_len;
	ti->rcvq = tcp_rcvq_len(c);
}

uint32_t
sf_tcp_max_conns(const struct sf_worker *w)
{
	return w->tcp->conf.max_conns;
}

bool
sf_conn_fin_rcvd(const struct sf_conn *c)
{
	return (((const struct sf_tcb *)c)->flags & TF_FIN_PENDING) != 0;
}

void
sf_conn_tuple(const struct sf_conn *conn, uint32_t *laddr, uint16_t *lport,
	      uint32_t *raddr, uint16_t *rport)
{
	const struct sf_tcb *c = (const struct sf_tcb *)conn;

	if (laddr != NULL)
		*laddr = c->key.laddr;
	if (lport != NULL)
		*lport = rte_be_to_cpu_16(c->key.lport);
	if (raddr != NULL)
		*raddr = c->key.raddr;
	if (rport != NULL)
		*rport = rte_be_to_cpu_16(c->key.rport);
}

uint32_t
sf_conn_unread(const struct sf_conn *c)
{
	return tcp_rcvq_len((const struct sf_tcb *)c);
}

void
sf_tcp_recv_pull(struct sf_worker *w, struct sf_conn *conn)
{
	struct sf_tcb *c = tcp_tcb(conn);

	/* From inside a recv() callback the queue being offered would be
	 * offered again, under the caller's feet: refused. */
	if (tcp_rcvq_len(c) == 0 || w->tcp->in_recv != NULL)
		return;
	tcp_app_recv(w, c);
	if (tcp_alive(c))
		tcp_window_update(w, c);
}
