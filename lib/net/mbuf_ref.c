/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pinned references to long-lived masters (sf_net.h). An indirect mbuf
 * raises its master's reference count when attached and lowers it when
 * freed: two atomic updates per segment of the same few cache lines.
 * Behind the port's TX copy the decrement waits for the copy's stores to
 * drain (locked instructions order them): perf put 45% of a bulk HTTP
 * server on it. A reference from a pool of pinned external buffers
 * (RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF) points at the master's bytes
 * instead; DPDK frees such an mbuf without touching any count. So the
 * master must outlive every reference: only masters that live as long as
 * the worker's ports qualify, as the HTTP server's body does.
 */
#include <stdio.h>

#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "sf_net.h"

/* Each reference's own (unused) data room in the external area. */
#define REF_ROOM 64

_Static_assert(sizeof(struct sf_mbuf_ref_priv) % RTE_MBUF_PRIV_ALIGN == 0,
	       "private area alignment");

static const struct rte_memzone *
ref_area(const char *pool_name, uint32_t n, int socket, bool create)
{
	char name[RTE_MEMZONE_NAMESIZE];

	snprintf(name, sizeof(name), "rx_%s", pool_name);
	if (!create)
		return rte_memzone_lookup(name);
	return rte_memzone_reserve(name, (size_t)n * REF_ROOM, socket,
				   RTE_MEMZONE_IOVA_CONTIG);
}

struct rte_mempool *
sf_mbuf_ref_pool_create(const char *name, uint32_t n, int socket)
{
	struct rte_pktmbuf_extmem em;
	const struct rte_memzone *mz;
	struct rte_mempool *mp;

	mz = ref_area(name, n, socket, true);
	if (mz == NULL)
		return NULL;
	em.buf_ptr = mz->addr;
	em.buf_iova = mz->iova;
	em.buf_len = mz->len;
	em.elt_size = REF_ROOM;
	mp = rte_pktmbuf_pool_create_extbuf(name, n,
		RTE_MIN(n / 2, (uint32_t)RTE_MEMPOOL_CACHE_MAX_SIZE),
		sizeof(struct sf_mbuf_ref_priv), REF_ROOM, socket, &em, 1);
	if (mp == NULL) {
		rte_memzone_free(mz);
		return NULL;
	}
	return mp;
}

void
sf_mbuf_ref_pool_free(struct rte_mempool *mp)
{
	const struct rte_memzone *mz;

	if (mp == NULL)
		return;
	mz = ref_area(mp->name, 0, 0, false);
	rte_mempool_free(mp);
	rte_memzone_free(mz);
}

struct rte_mbuf *
sf_mbuf_ref(struct rte_mempool *rp, struct rte_mbuf *master, uint32_t off,
	    uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rp);
	struct sf_mbuf_ref_priv *p;

	if (unlikely(m == NULL))
		return NULL;
	p = rte_mbuf_to_priv(m);
	p->magic = SF_MBUF_REF_MAGIC;
	p->master = master;
	/* The master's buffer, as an indirect mbuf would see it: offsets
	 * into it (checksum tables) work alike. */
	m->buf_addr = master->buf_addr;
	m->buf_iova = master->buf_iova;
	m->buf_len = master->buf_len;
	m->data_off = (uint16_t)(master->data_off + off);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return m;
}
