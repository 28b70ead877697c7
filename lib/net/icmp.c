/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sf_net.h"
#include "sf_worker.h"
#include "txbuf.h"

#define SF_IP_TTL 64

/* Turn an echo request into its reply in place (RFC 792, RFC 1122
 * §3.2.2.6): same identifier, sequence and data, addresses swapped. The
 * reply goes to the frame's source MAC, which is the next hop back. */
static void
icmp_echo_reply(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m,
		struct rte_icmp_hdr *icmp, uint32_t icmp_len)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t addr;
	uint16_t sum = 0;

	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);

	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&wp->ifc->mac, &eh->src_addr);
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	ip->time_to_live = SF_IP_TTL;
	ip->fragment_offset = 0;
	sf_ipv4_cksum_out(wp->ifc, m, ip);

	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	/* Cannot fail: the same range was summed on input. */
	(void)rte_raw_cksum_mbuf(m, m->l2_len + m->l3_len, icmp_len, &sum);
	icmp->icmp_cksum = (uint16_t)~sum;

	m->ol_flags &= ~RTE_MBUF_F_RX_IP_CKSUM_MASK;
	w->stats.icmp_tx_echo_reply++;
	sf_txbuf_put(w, wp, m);
}

void
sf_icmp_input(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m)
{
	struct rte_icmp_hdr *icmp;
	uint32_t off = m->l2_len + m->l3_len;
	uint32_t len = m->pkt_len - off;
	uint16_t sum = 0;

	if (unlikely(len < sizeof(*icmp) ||
		     m->data_len < off + sizeof(*icmp))) {
		w->stats.icmp_drop_short++;
		goto drop;
	}
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, off);
	if (unlikely(rte_raw_cksum_mbuf(m, off, len, &sum) != 0 ||
		     sum != 0xffff)) {
		w->stats.icmp_drop_csum++;
		goto drop;
	}
	if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST &&
	    icmp->icmp_code == 0) {
		w->stats.icmp_rx_echo++;
		icmp_echo_reply(w, wp, m, icmp, len);
		return;
	}
	w->stats.icmp_drop_type++;
drop:
	rte_pktmbuf_free(m);
}
