/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksum tables for read-only master mbufs (sf_net.h): the folded
 * one's-complement sum of every 8-byte prefix of the buffer, kept in the
 * master's own tailroom, so that the checksum of any slice of it costs two
 * partial blocks and a subtraction instead of a pass over every byte
 * (RFC 1071 §2: the sum is associative and commutes with a byte swap).
 */
#include <errno.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "cksum_simd.h"
#include "sf_net.h"

#define CKSUM_MAGIC 0x5343534bu	/* "KSCS" */

struct cksum_priv {
	uint32_t magic;
	uint16_t table_off;	/* from buf_addr, in bytes */
	uint16_t end;		/* bytes covered, from buf_addr */
};

_Static_assert(sizeof(struct cksum_priv) <= SF_CKSUM_PRIV_SIZE,
	       "SF_CKSUM_PRIV_SIZE");

static inline uint16_t
fold(uint32_t sum)
{
	return __rte_raw_cksum_reduce(sum);
}

int
sf_cksum_table_attach(struct rte_mbuf *m)
{
	uint32_t end = (uint32_t)m->data_off + m->data_len, toff, k, nb;
	const uint8_t *base = m->buf_addr;
	struct cksum_priv *p;
	uint16_t *tab;

	if (!RTE_MBUF_DIRECT(m) || m->nb_segs != 1 ||
	    m->priv_size < SF_CKSUM_PRIV_SIZE)
		return -EINVAL;
	nb = end / SF_CKSUM_BLOCK + 1;
	toff = RTE_ALIGN_CEIL(end, 8u);
	if (toff + nb * sizeof(uint16_t) > m->buf_len)
		return -ENOSPC;
	tab = (uint16_t *)(uintptr_t)(base + toff);
	tab[0] = 0;
	for (k = 1; k < nb; k++)
		tab[k] = fold((uint32_t)tab[k - 1] + fold(__rte_raw_cksum(
			base + (k - 1) * SF_CKSUM_BLOCK, SF_CKSUM_BLOCK, 0)));
	p = rte_mbuf_to_priv(m);
	p->magic = CKSUM_MAGIC;
	p->table_off = (uint16_t)toff;
	p->end = (uint16_t)end;
	return 0;
}

/* Bytes [a, b) of a buffer with table @tab, summed as a stream that starts
 * at a (the form __rte_raw_cksum gives). */
static uint16_t
table_sum(const uint8_t *base, const uint16_t *tab, uint32_t a, uint32_t b)
{
	uint32_t ha = RTE_ALIGN_CEIL(a, (uint32_t)SF_CKSUM_BLOCK);
	uint32_t tb = RTE_ALIGN_FLOOR(b, (uint32_t)SF_CKSUM_BLOCK);
	uint16_t head, rest;

	if (ha >= tb)
		return fold(__rte_raw_cksum(base + a, b - a, 0));
	head = fold(__rte_raw_cksum(base + a, ha - a, 0));
	/* Whole blocks: a difference of prefixes (one's complement). Then
	 * the tail. Both are aligned to the buffer, which an odd a is not:
	 * swap them into the stream's byte order. */
	rest = fold((uint32_t)tab[tb / SF_CKSUM_BLOCK] +
		    (uint16_t)~tab[ha / SF_CKSUM_BLOCK] +
		    fold(__rte_raw_cksum(base + tb, b - tb, 0)));
	if (a & 1)
		rest = rte_bswap16(rest);
	return fold((uint32_t)head + rest);
}

uint16_t
sf_cksum_piece(const struct rte_mbuf *seg, uint32_t off, uint32_t len)
{
	const uint8_t *p = rte_pktmbuf_mtod_offset(seg, const uint8_t *, off);
	const struct cksum_priv *cp;
	const struct rte_mbuf *mm;
	uint32_t a;

	/* A slice of a master with a table: an indirect mbuf or a pinned
	 * reference shares the master's buf_addr, so data_off is the
	 * offset into the table's buffer. Short pieces are cheaper summed. */
	if (len >= 2 * SF_CKSUM_BLOCK) {
		mm = RTE_MBUF_CLONED(seg) ?
			rte_mbuf_from_indirect((struct rte_mbuf *)(uintptr_t)seg) :
			sf_mbuf_ref_master(seg);
		if (mm == NULL || mm->priv_size < SF_CKSUM_PRIV_SIZE)
			goto flat;
		cp = rte_mbuf_to_priv((struct rte_mbuf *)(uintptr_t)mm);
		a = (uint32_t)seg->data_off + off;
		if (cp->magic == CKSUM_MAGIC && a + len <= cp->end)
			return table_sum(seg->buf_addr,
				(const uint16_t *)(const void *)
				((const uint8_t *)seg->buf_addr +
				 cp->table_off), a, a + len);
	}
flat:
	return sf_cksum_fold64(sf_cksum_sum(p, len));
}
