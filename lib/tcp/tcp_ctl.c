/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-path queries of a worker's TCP, for the console and telemetry:
 * the connection walk (an ss for synfin) and the listener switch.
 *
 * The walk reads while the worker writes. The table is read lock-free
 * (tcp_table.h) and a deleted entry's object stays untouched until
 * every online reader has gone offline (tcp_table.c), so a TCB or
 * TIME_WAIT record found while online is never reused under the reader:
 * it may be half-way through a change (a CLOSED TCB is skipped), never
 * another connection. Records are copied in batches while online and
 * handed to the callback offline, so printing to a slow terminal does not
 * hold the worker's reclamation back. On the worker's own lcore (a single
 * core runs the console from the worker's housekeeping) the walk is the
 * writer's own and needs no reader at all.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_lcore.h>

#include "tcp_priv.h"

/* Records copied per online stretch. */
#define CTL_BATCH 64

static const char *const timer_names[SF_CONN_TIMER_NB] = {
	"-", "rexmit", "syn", "tlp", "persist", "arp", "delack", "keepalive",
	"fin_wait_2", "time_wait", "reorder",
};

const char *
sf_conn_timer_name(enum sf_conn_timer t)
{
	return (unsigned int)t < SF_CONN_TIMER_NB ? timer_names[t] : "?";
}

/* The kind of the earliest deadline, as tcp_timer_update() arms it.
 * Deadlines are the low 32 bits of the worker's ms clock. */
static void
ctl_tcb_timer(const struct sf_worker *w, const volatile struct sf_tcb *c,
	      uint8_t state, uint64_t now, struct sf_conn_info *ci)
{
	uint32_t rto = c->rto_at, delack = c->delack_at, aux = c->aux_at;
	uint32_t ext = c->ext, rack = 0;
	uint32_t now32 = (uint32_t)now;
	uint16_t flags = c->flags;
	int32_t next = 0, d;
	bool armed = false;

	ci->timer = SF_CONN_TIMER_NONE;
	if (rto != 0) {
		next = (int32_t)(rto - now32);
		armed = true;
		if (flags & TF_NO_ARP)
			ci->timer = SF_CONN_TIMER_ARP;
		else if (flags & TF_PERSIST)
			ci->timer = SF_CONN_TIMER_PERSIST;
		else if (c->tlp & TCP_TLP_ARMED)
			ci->timer = SF_CONN_TIMER_TLP;
		else if (state == SF_TCP_SYN_SENT || state == SF_TCP_SYN_RCVD)
			ci->timer = SF_CONN_TIMER_SYN;
		else
			ci->timer = SF_CONN_TIMER_REXMIT;
	}
	d = (int32_t)(delack - now32);
	if (delack != 0 && (!armed || d < next)) {
		next = d;
		armed = true;
		ci->timer = SF_CONN_TIMER_DELACK;
	}
	d = (int32_t)(aux - now32);
	if (aux != 0 && (!armed || d < next)) {
		next = d;
		armed = true;
		ci->timer = state == SF_TCP_FIN_WAIT_2 &&
			(flags & TF_ORPHAN) ?
			SF_CONN_TIMER_FIN_WAIT_2 : SF_CONN_TIMER_KEEPALIVE;
	}
	/* RACK's reordering timer lives in the recovery record; the index
	 * is checked: the worker may be changing it under us. */
	if (ext != 0 && ext <= w->tcp->conf.max_recovery)
		rack = ((const volatile struct sf_tcb_ext *)
			&w->tcp->exts[ext - 1])->rack_at;
	d = (int32_t)(rack - now32);
	if (rack != 0 && (!armed || d < next)) {
		next = d;
		armed = true;
		ci->timer = SF_CONN_TIMER_REORDER;
	}
	ci->timer_ms = armed && next > 0 ? (uint32_t)next : 0;
}

/* Fill @ci from one table entry; false when there is nothing to report
 * (a TCB closed since its key was found). */
static bool
ctl_entry_info(const struct sf_worker *w, const struct sf_tcp_key *k,
	       void *data, uint64_t now, struct sf_conn_info *ci)
{
	const volatile struct sf_tcb *c;
	const volatile struct sf_tw *tw;
	const struct rte_mbuf *rcvq;
	uint32_t left, bound;
	uint8_t state;

	memset(ci, 0, sizeof(*ci));
	ci->laddr = k->laddr;
	ci->raddr = k->raddr;
	ci->lport = rte_be_to_cpu_16(k->lport);
	ci->rport = rte_be_to_cpu_16(k->rport);
	ci->worker = w->id;
	if (tcp_entry_is_tw(data)) {
		tw = tcp_entry_tw(data);
		ci->state = SF_TCP_TIME_WAIT;
		ci->timer = SF_CONN_TIMER_TIME_WAIT;
		/* The record keeps the low 32 bits of the deadline. */
		left = tw->expires - (uint32_t)now;
		ci->timer_ms = left > INT32_MAX ? 0 : left;
		return true;
	}
	c = data;
	state = c->state;
	if (state == SF_TCP_CLOSED || state >= SF_TCP_NB_STATES)
		return false;
	ci->state = state;
	ctl_tcb_timer(w, c, state, now, ci);
	ci->nrexmit = c->nrexmit;
	ci->sndq = c->sndq_len;
	/* The count is the queue's pkt_len. The worker may free that mbuf
	 * under us (mempool memory stays mapped): a best-effort read,
	 * bounded by the buffer. */
	rcvq = c->rcvq;
	bound = RTE_MAX(w->tcp->conf.rcvbuf, w->tcp->conf.rcvbuf_max);
	ci->rcvq = rcvq == NULL ? 0 : RTE_MIN(rcvq->pkt_len, bound);
	ci->snd_wnd = c->snd_wnd;
	ci->cwnd = c->cwnd;
	ci->srtt_ms = c->srtt >> 3;
	ci->rto_ms = c->rto;
	return true;
}

static int
ctl_listeners(const struct sf_worker *w, sf_conn_dump_cb_t cb, void *arg,
	      int *count)
{
	const struct sf_tcp *tcp = w->tcp;
	unsigned int i, n;
	struct sf_conn_info ci;

	n = RTE_MIN(__atomic_load_n(&tcp->nb_listen, __ATOMIC_RELAXED),
		    (uint8_t)SF_TCP_MAX_LISTEN);
	for (i = 0; i < n; i++) {
		memset(&ci, 0, sizeof(ci));
		ci.state = SF_TCP_LISTEN;
		ci.lport = rte_be_to_cpu_16(tcp->listen[i].port);
		ci.worker = w->id;
		(*count)++;
		if (cb(&ci, arg) != 0)
			return 1;
	}
	return 0;
}

int
sf_tcp_conn_dump(const struct sf_worker *w, unsigned int reader,
		 sf_conn_dump_cb_t cb, void *arg)
{
	struct sf_conn_info batch[CTL_BATCH];
	const struct sf_tcp_key *k;
	struct sf_tcp *tcp = w->tcp;
	bool own, more = true;
	unsigned int n, i;
	uint32_t next = 0;
	int count = 0, rc;
	uint64_t now;
	void *data;

	if (tcp == NULL)
		return -ENODEV;
	if (reader >= SF_TCP_TABLE_MAX_READERS)
		return -EINVAL;
	own = rte_lcore_id() == w->lcore_id;
	if (!own) {
		/* Harmless when registered already; a reader starts
		 * offline, so this never holds the worker back. */
		rc = sf_tcp_table_reader_register(tcp->table, reader);
		if (rc != 0)
			return rc;
	}
	if (ctl_listeners(w, cb, arg, &count) != 0)
		return count;
	while (more) {
		n = 0;
		now = __atomic_load_n(&tcp->now, __ATOMIC_RELAXED);
		if (!own)
			sf_tcp_table_reader_online(tcp->table, reader);
		while (n < CTL_BATCH) {
			if (sf_tcp_table_iterate(tcp->table, &k, &data,
						 &next) < 0) {
				more = false;
				break;
			}
			if (ctl_entry_info(w, k, data, now, &batch[n]))
				n++;
		}
		if (!own)
			sf_tcp_table_reader_offline(tcp->table, reader);
		for (i = 0; i < n; i++) {
			count++;
			if (cb(&batch[i], arg) != 0)
				return count;
		}
	}
	return count;
}

int
sf_tcp_unlisten(struct sf_worker *w, uint16_t port,
		const struct sf_tcp_app_ops **ops)
{
	struct sf_tcp *tcp = w->tcp;
	uint16_t p = rte_cpu_to_be_16(port);
	unsigned int i;

	if (tcp == NULL)
		return -ENOENT;
	for (i = 0; i < tcp->nb_listen; i++) {
		if (tcp->listen[i].port != p)
			continue;
		if (ops != NULL)
			*ops = tcp->listen[i].ops;
		/* Connections keep their own ops (an index into the
		 * worker's table, never emptied): removing the listener
		 * touches none of them. */
		tcp->listen[i] = tcp->listen[tcp->nb_listen - 1];
		tcp->nb_listen--;
		return 0;
	}
	return -ENOENT;
}
