/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "cksum_simd.h"
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
	ip->hdr_checksum = (uint16_t)~sf_cksum_short(ip,
						     rte_ipv4_hdr_len(ip));
}
