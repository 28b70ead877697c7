/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sf_net.h"
#include "sf_worker.h"

void
sf_eth_input(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m)
{
	const struct sf_iface *ifc = wp->ifc;
	const struct rte_ether_hdr *eh;

	w->stats.rx_pkts++;
	w->stats.rx_bytes += m->pkt_len;

	if (unlikely(m->data_len < sizeof(*eh))) {
		w->stats.eth_drop_short++;
		rte_pktmbuf_free(m);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &ifc->mac) &&
		     !rte_is_broadcast_ether_addr(&eh->dst_addr))) {
		w->stats.eth_drop_not_us++;
		rte_pktmbuf_free(m);
		return;
	}
	m->l2_len = sizeof(*eh);

	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		sf_ipv4_input(w, wp, m);
		return;
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		sf_arp_input(w, wp, m);
		return;
	default:
		w->stats.eth_drop_type++;
		rte_pktmbuf_free(m);
		return;
	}
}
