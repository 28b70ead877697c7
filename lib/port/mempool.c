/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sf_log.h"
#include "sf_port.h"

struct rte_mempool *
sf_mempool_get(int socket, uint32_t nb_mbufs, uint32_t cache)
{
	struct rte_mempool *mp;
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "sf_mbuf_s%d", socket);
	mp = rte_mempool_lookup(name);
	if (mp != NULL)
		return mp;
	mp = rte_pktmbuf_pool_create(name, nb_mbufs, cache, 0,
				     SF_MBUF_DATA_ROOM, socket);
	if (mp == NULL) {
		SF_LOG(ERR, port, "cannot create %u mbufs on socket %d: %s",
		       nb_mbufs, socket, rte_strerror(rte_errno));
		return NULL;
	}
	SF_LOG(INFO, port, "mbuf pool %s: %u mbufs on socket %d", name,
	       nb_mbufs, socket);
	return mp;
}
