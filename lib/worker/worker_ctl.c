/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control side of a worker: creation, port assignment, stop, reading its
 * counters from another lcore, and the control ring. The ring is how the
 * control plane changes anything on a running worker (F-Stack's
 * process_msg_ring): messages are 16-byte values in an rte_ring of
 * elements, multi-producer (console, telemetry) and single-consumer (the
 * worker, once per housekeeping pass), so nobody allocates or waits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "sf_net.h"
#include "sf_tcp.h"
#include "sf_worker.h"

/* Housekeeping (ARP refresh, control hook) runs this often. */
#define WORKER_HK_US 1000

struct sf_worker *
sf_worker_create(uint32_t id, unsigned int lcore_id,
		 struct rte_mempool *pool)
{
	struct sf_worker *w;
	int socket = (int)rte_lcore_to_socket_id(lcore_id);
	char name[RTE_RING_NAMESIZE];
	int err;

	w = rte_zmalloc_socket("sf_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       socket);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->id = id;
	w->lcore_id = lcore_id;
	w->pool = pool;
	w->mcache = rte_mempool_default_cache(pool, lcore_id);
	w->burst = SF_BURST;
	w->tx_flush = sf_worker_tx_send;
	w->hz = rte_get_tsc_hz();
	w->hk_interval = w->hz / (1000000 / WORKER_HK_US);
	w->now = rte_rdtsc();
	w->hk_last = w->now - w->hk_interval;
	/* The worker's address names the ring: ids repeat across tests and
	 * ring names must be unique while they live. */
	snprintf(name, sizeof(name), "sf_ctl_%" PRIxPTR, (uintptr_t)w);
	w->ctl_ring = rte_ring_create_elem(name, sizeof(struct sf_ctl_msg),
					   SF_CTL_RING_SIZE, socket,
					   RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (w->ctl_ring == NULL) {
		err = rte_errno;
		rte_free(w);
		rte_errno = err;
		return NULL;
	}
	return w;
}

void
sf_worker_free(struct sf_worker *w)
{
	uint16_t p, i;

	if (w == NULL)
		return;
	for (p = 0; p < w->nb_ports; p++)
		for (i = 0; i < w->ports[p].tx.len; i++)
			rte_pktmbuf_free(w->ports[p].tx.pkts[i]);
	rte_ring_free(w->ctl_ring);
	rte_free(w);
}

int
sf_worker_add_port(struct sf_worker *w, struct sf_iface *ifc,
		   uint16_t queue_id, bool arp_owner)
{
	struct sf_wport *wp;

	if (w->nb_ports >= SF_MAX_PORTS)
		return -ENOSPC;
	wp = &w->ports[w->nb_ports++];
	memset(wp, 0, sizeof(*wp));
	wp->ifc = ifc;
	wp->port_id = ifc->port_id;
	wp->queue_id = queue_id;
	wp->arp_owner = arp_owner;
	return 0;
}

void
sf_worker_stop(struct sf_worker *w)
{
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
}

void
sf_worker_stats_read(const struct sf_worker *w, struct sf_stats *out)
{
	unsigned int i;
	uint64_t *o = (uint64_t *)out;

	for (i = 0; i < SF_STATS_NB; i++)
		o[i] = sf_stats_get(&w->stats, i);
}

void
sf_worker_stats_sum(struct sf_worker *const *w, unsigned int nb,
		    struct sf_stats *sum, uint64_t *states)
{
	struct sf_stats s;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	memset(states, 0, sizeof(uint64_t) * SF_TCP_NB_STATES);
	for (i = 0; i < nb; i++) {
		sf_worker_stats_read(w[i], &s);
		sf_stats_add(sum, &s);
		sf_tcp_state_counts(w[i], states);
	}
}

int
sf_worker_ctl_send(struct sf_worker *w, const struct sf_ctl_msg *m)
{
	struct sf_ctl_msg copy;

	if (m == NULL || m->type == SF_CTL_NOP || m->type > SF_CTL_APP)
		return -EINVAL;
	copy = *m;	/* 22.11's enqueue takes a non-const pointer */
	if (rte_ring_mp_enqueue_elem(w->ctl_ring, &copy, sizeof(copy)) != 0)
		return -ENOBUFS;
	/* Control path, several senders: an atomic add is fine here. */
	__atomic_fetch_add(&w->ctl_sent, 1, __ATOMIC_RELEASE);
	return 0;
}

unsigned int
sf_worker_ctl_drain(struct sf_worker *w)
{
	struct sf_ctl_msg m[SF_CTL_DRAIN_MAX];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst_elem(w->ctl_ring, m, sizeof(m[0]),
					   SF_CTL_DRAIN_MAX, NULL);
	for (i = 0; i < n; i++) {
		/* Plain stores: the control plane's reads of a counter being
		 * zeroed see the old value or 0, both fine for stats. */
		if (m[i].type == SF_CTL_STATS_CLEAR)
			memset(&w->stats, 0, sizeof(w->stats));
		if (w->ctl_cb != NULL)
			w->ctl_cb(w, &m[i], w->ctl_arg);
		/* The only writer: a plain add, published for ctl_sync. */
		__atomic_store_n(&w->ctl_done, w->ctl_done + 1,
				 __ATOMIC_RELEASE);
	}
	return n;
}

int
sf_worker_ctl_sync(struct sf_worker *w, unsigned int timeout_us)
{
	uint64_t target, deadline;
	unsigned int i;

	if (rte_lcore_id() == w->lcore_id) {
		/* Bounded: the ring holds SF_CTL_RING_SIZE at most. */
		for (i = 0; i <= SF_CTL_RING_SIZE / SF_CTL_DRAIN_MAX; i++)
			if (sf_worker_ctl_drain(w) == 0)
				break;
		return 0;
	}
	target = __atomic_load_n(&w->ctl_sent, __ATOMIC_ACQUIRE);
	deadline = rte_get_timer_cycles() +
		(uint64_t)timeout_us * rte_get_timer_hz() / 1000000;
	while (__atomic_load_n(&w->ctl_done, __ATOMIC_ACQUIRE) < target) {
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(20);
	}
	return 0;
}
