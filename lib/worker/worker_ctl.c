/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control side of a worker: creation, port assignment, stop, and reading
 * its counters from another lcore.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sf_net.h"
#include "sf_worker.h"

/* Housekeeping (ARP refresh, control hook) runs this often. */
#define WORKER_HK_US 1000

struct sf_worker *
sf_worker_create(uint32_t id, unsigned int lcore_id,
		 struct rte_mempool *pool)
{
	struct sf_worker *w;
	int socket = (int)rte_lcore_to_socket_id(lcore_id);

	w = rte_zmalloc_socket("sf_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       socket);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->id = id;
	w->lcore_id = lcore_id;
	w->pool = pool;
	w->burst = SF_BURST;
	w->tx_flush = sf_worker_tx_send;
	w->hz = rte_get_tsc_hz();
	w->hk_interval = w->hz / (1000000 / WORKER_HK_US);
	w->now = rte_rdtsc();
	w->hk_last = w->now - w->hk_interval;
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
