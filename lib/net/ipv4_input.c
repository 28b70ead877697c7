/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "cksum_simd.h"
#include "sf_net.h"
#include "sf_tcp.h"
#include "sf_worker.h"

static inline int
ipv4_csum_ok(const struct sf_iface *ifc, const struct rte_mbuf *m,
	     const struct rte_ipv4_hdr *ip, uint32_t hlen)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (ifc->rx_csum && f == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return 1;
	if (ifc->rx_csum && f == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return 0;
	return sf_cksum_short(ip, hlen) == 0xffff;
}

/* RFC 1122 §3.2.1 validation, then dispatch by protocol. Each check
 * drops with its own counter. */
void
sf_ipv4_input(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m)
{
	const struct sf_iface *ifc = wp->ifc;
	struct rte_ipv4_hdr *ip;
	uint32_t l3_avail, hlen, tlen;

	w->stats.ip_rx++;
	l3_avail = m->pkt_len - m->l2_len;
	if (unlikely(m->data_len < m->l2_len + sizeof(*ip))) {
		w->stats.ip_drop_short++;
		goto drop;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	if (unlikely((ip->version_ihl >> 4) != 4)) {
		w->stats.ip_drop_version++;
		goto drop;
	}
	hlen = (ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
		RTE_IPV4_IHL_MULTIPLIER;
	if (unlikely(hlen < sizeof(*ip) ||
		     m->l2_len + hlen > m->data_len)) {
		w->stats.ip_drop_ihl++;
		goto drop;
	}
	if (unlikely(!ipv4_csum_ok(ifc, m, ip, hlen))) {
		w->stats.ip_drop_csum++;
		goto drop;
	}
	/* The IP header, not the frame, says how long the packet is:
	 * Ethernet pads short frames to 60 bytes. */
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tlen < hlen || tlen > l3_avail)) {
		w->stats.ip_drop_len++;
		goto drop;
	}
	if (tlen < l3_avail)
		rte_pktmbuf_trim(m, l3_avail - tlen);
	if (unlikely(ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
			      RTE_IPV4_HDR_OFFSET_MASK))) {
		w->stats.ip_drop_frag++;
		goto drop;
	}
	if (unlikely(!sf_iface_has_addr(ifc, ip->dst_addr))) {
		w->stats.ip_drop_not_us++;
		goto drop;
	}
	if (unlikely(sf_ipv4_not_host(ip->src_addr) ||
		     sf_iface_has_addr(ifc, ip->src_addr) ||
		     (ifc->prefix_len < 31 &&
		      (ip->src_addr | ifc->netmask) == UINT32_MAX))) {
		w->stats.ip_drop_bad_src++;
		goto drop;
	}
	if (unlikely(ip->time_to_live == 0)) {
		w->stats.ip_drop_ttl++;
		goto drop;
	}
	m->l3_len = hlen;

	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
		sf_tcp_input(w, wp, m);
		return;
	case IPPROTO_ICMP:
		sf_icmp_input(w, wp, m);
		return;
	default:
		w->stats.ip_drop_proto++;
		goto drop;
	}
drop:
	rte_pktmbuf_free(m);
}
