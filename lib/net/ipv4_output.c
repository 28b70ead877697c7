/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sf_net.h"

void
sf_ipv4_cksum_out(const struct sf_iface *ifc, struct rte_mbuf *m,
		  struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	if (ifc->tx_ip_csum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		return;
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* DPDK 22.11's rte_raw_cksum_mbuf() truncates each segment's 32-bit
 * partial sum to 16 bits before byte-swapping the odd-offset ones, so a
 * chain with an odd-length segment gets a wrong checksum. Fold first. */
uint16_t
sf_ipv4_l4_cksum_mbuf(const struct rte_mbuf *m,
		      const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	uint32_t sum = rte_ipv4_phdr_cksum(ip, 0), done = 0, s, seglen;
	const struct rte_mbuf *seg = m;
	uint32_t off = l4_off;

	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	for (; seg != NULL; seg = seg->next, off = 0) {
		seglen = seg->data_len - off;
		if (seglen == 0)
			continue;
		s = sf_cksum_piece(seg, off, seglen);
		if (done & 1)
			s = rte_bswap16((uint16_t)s);
		sum += s;
		done += seglen;
	}
	sum = __rte_raw_cksum_reduce(sum);
	sum = (~sum) & 0xffff;
	/* RFC 768 rule kept by DPDK for TCP too: 0 is sent as 0xffff. */
	return sum == 0 ? 0xffff : (uint16_t)sum;
}
