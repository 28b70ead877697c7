/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sf_log.h"
#include "sf_net.h"
#include "sf_worker.h"
#include "txbuf.h"

/* Fast requests happen arp_retry apart; after arp_retries unanswered ones
 * the interval grows by this factor, so a dead neighbour costs little. */
#define ARP_BACKOFF 10

static inline uint32_t
arp_slot(uint32_t ip)
{
	/* Fibonacci hashing; low address bits vary most. */
	return (rte_be_to_cpu_32(ip) * 2654435761u) >> 24 &
		(SF_ARP_TABLE_SIZE - 1);
}

static struct sf_arp_entry *
arp_find(struct sf_iface *ifc, uint32_t ip, bool insert)
{
	uint32_t i, s = arp_slot(ip);
	struct sf_arp_entry *e;
	uint32_t cur;

	for (i = 0; i < SF_ARP_TABLE_SIZE; i++) {
		e = &ifc->arp[(s + i) & (SF_ARP_TABLE_SIZE - 1)];
		cur = __atomic_load_n(&e->ip, __ATOMIC_ACQUIRE);
		if (cur == ip)
			return e;
		if (cur != 0)
			continue;
		if (!insert)
			return NULL;
		/* Slots are claimed once and never freed: a neighbour set is
		 * small and stable, and this keeps readers lock-free. */
		if (__atomic_compare_exchange_n(&e->ip, &cur, ip, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE) || cur == ip)
			return e;
	}
	return NULL;
}

static inline uint64_t
arp_mac_pack(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	return v | SF_ARP_VALID;
}

static inline void
arp_mac_unpack(uint64_t v, struct rte_ether_addr *mac)
{
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
}

static inline bool
arp_entry_fresh(const struct sf_iface *ifc, const struct sf_arp_entry *e,
		uint64_t now, uint64_t *mac_state)
{
	uint64_t st = __atomic_load_n(&e->mac_state, __ATOMIC_ACQUIRE);
	uint64_t upd = __atomic_load_n(&e->updated, __ATOMIC_RELAXED);

	*mac_state = st;
	return (st & SF_ARP_VALID) && now - upd < ifc->arp_timeout;
}

int
sf_arp_lookup(const struct sf_iface *ifc, uint32_t ip, uint64_t now,
	      struct rte_ether_addr *mac)
{
	const struct sf_arp_entry *e;
	uint64_t st;

	e = arp_find((struct sf_iface *)(uintptr_t)ifc, ip, false);
	if (e == NULL || !arp_entry_fresh(ifc, e, now, &st))
		return -ENOENT;
	arp_mac_unpack(st, mac);
	return 0;
}

static void
arp_update(struct sf_worker *w, struct sf_iface *ifc,
	   struct sf_arp_entry *e, const struct rte_ether_addr *mac)
{
	uint64_t st = arp_mac_pack(mac), old;
	char ipbuf[INET_ADDRSTRLEN], macbuf[RTE_ETHER_ADDR_FMT_SIZE];

	old = __atomic_exchange_n(&e->mac_state, st, __ATOMIC_ACQ_REL);
	__atomic_store_n(&e->updated, w->now, __ATOMIC_RELEASE);
	e->requests = 0;
	if (old == st)
		return;
	/* A neighbour appearing or moving is rare and worth a line. */
	inet_ntop(AF_INET, &e->ip, ipbuf, sizeof(ipbuf));
	snprintf(macbuf, sizeof(macbuf), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac->addr_bytes[0], mac->addr_bytes[1], mac->addr_bytes[2],
		 mac->addr_bytes[3], mac->addr_bytes[4], mac->addr_bytes[5]);
	SF_LOG(INFO, net, "port %u: ARP %s is at %s", ifc->port_id, ipbuf,
	       macbuf);
	if (e->ip == ifc->gateway)
		ifc->gw_logged_fail = false;
}

static struct rte_mbuf *
arp_build(struct sf_worker *w, struct sf_wport *wp, uint16_t op,
	  const struct rte_ether_addr *eth_dst, uint32_t sip,
	  const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(w->pool);
	if (unlikely(m == NULL)) {
		w->stats.mbuf_alloc_fail++;
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*ah));
	ah = (struct rte_arp_hdr *)(eh + 1);
	rte_ether_addr_copy(eth_dst, &eh->dst_addr);
	rte_ether_addr_copy(&wp->ifc->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = sizeof(uint32_t);
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&wp->ifc->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = sip;
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tip;
	return m;
}

int
sf_arp_send_request(struct sf_worker *w, struct sf_wport *wp, uint32_t ip)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m;

	m = arp_build(w, wp, RTE_ARP_OP_REQUEST, &bcast, wp->ifc->addrs[0],
		      &zero, ip);
	if (m == NULL)
		return -ENOMEM;
	w->stats.arp_tx_request++;
	sf_txbuf_put(w, wp, m);
	return 0;
}

int
sf_arp_announce(struct sf_worker *w, struct sf_wport *wp)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	struct sf_iface *ifc = wp->ifc;
	struct rte_mbuf *m;
	unsigned int i;

	/* RFC 5227 §3: an announcement is a request with SPA = TPA. */
	for (i = 0; i < ifc->nb_addrs; i++) {
		m = arp_build(w, wp, RTE_ARP_OP_REQUEST, &bcast,
			      ifc->addrs[i], &zero, ifc->addrs[i]);
		if (m == NULL)
			return -ENOMEM;
		w->stats.arp_tx_gratuitous++;
		sf_txbuf_put(w, wp, m);
	}
	return 0;
}

/* Send a request for @e unless one went out recently. */
static int
arp_solicit(struct sf_worker *w, struct sf_wport *wp,
	    struct sf_arp_entry *e)
{
	struct sf_iface *ifc = wp->ifc;
	uint64_t ivl = ifc->arp_retry;
	int rc;

	if (e->requests >= ifc->arp_retries)
		ivl *= ARP_BACKOFF;
	if (e->requests != 0 && w->now - e->last_request < ivl)
		return 0;
	rc = sf_arp_send_request(w, wp, e->ip);
	if (rc < 0)
		return rc;
	e->last_request = w->now;
	e->requests++;
	return 0;
}

int
sf_arp_resolve(struct sf_worker *w, struct sf_wport *wp, uint32_t ip,
	       struct rte_ether_addr *mac)
{
	struct sf_arp_entry *e;
	uint64_t st;
	int rc;

	e = arp_find(wp->ifc, ip, true);
	if (e == NULL)
		return -ENOSPC;
	if (arp_entry_fresh(wp->ifc, e, w->now, &st)) {
		arp_mac_unpack(st, mac);
		return 0;
	}
	rc = arp_solicit(w, wp, e);
	return rc < 0 ? rc : -EAGAIN;
}

void
sf_arp_housekeep(struct sf_worker *w, struct sf_wport *wp)
{
	struct sf_iface *ifc = wp->ifc;
	struct sf_arp_entry *e;
	uint64_t st, upd;
	char buf[INET_ADDRSTRLEN];

	if (!wp->announced && sf_arp_announce(w, wp) == 0)
		wp->announced = true;
	if (ifc->gateway == 0)
		return;
	e = arp_find(ifc, ifc->gateway, true);
	if (e == NULL)
		return;
	/* Refresh at 3/4 of the lifetime so the gateway never expires
	 * while traffic needs it. */
	st = __atomic_load_n(&e->mac_state, __ATOMIC_ACQUIRE);
	upd = __atomic_load_n(&e->updated, __ATOMIC_RELAXED);
	if ((st & SF_ARP_VALID) && w->now - upd < ifc->arp_timeout / 4 * 3)
		return;
	if (e->requests == ifc->arp_retries && !ifc->gw_logged_fail) {
		inet_ntop(AF_INET, &ifc->gateway, buf, sizeof(buf));
		SF_LOG(WARNING, net,
		       "port %u: no ARP reply from gateway %s after %u requests, still trying",
		       ifc->port_id, buf, e->requests);
		ifc->gw_logged_fail = true;
	}
	arp_solicit(w, wp, e);
}

/* RFC 826 "Packet Reception", with RFC 5227 probes (SPA 0) answered but
 * never learned from. */
void
sf_arp_input(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m)
{
	struct sf_iface *ifc = wp->ifc;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct sf_arp_entry *e;
	uint32_t sip, tip;
	uint16_t op;
	bool for_us;

	if (unlikely(m->data_len < m->l2_len + sizeof(*ah))) {
		w->stats.arp_drop_bad++;
		goto drop;
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, m->l2_len);
	op = rte_be_to_cpu_16(ah->arp_opcode);
	if (unlikely(ah->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
		     ah->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
		     ah->arp_hlen != RTE_ETHER_ADDR_LEN ||
		     ah->arp_plen != sizeof(uint32_t) ||
		     (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
		     !rte_is_unicast_ether_addr(&ah->arp_data.arp_sha))) {
		w->stats.arp_drop_bad++;
		goto drop;
	}
	if (op == RTE_ARP_OP_REQUEST)
		w->stats.arp_rx_request++;
	else
		w->stats.arp_rx_reply++;

	sip = ah->arp_data.arp_sip;
	tip = ah->arp_data.arp_tip;
	for_us = sf_iface_has_addr(ifc, tip);

	if (sip != 0 && !sf_iface_has_addr(ifc, sip)) {
		e = arp_find(ifc, sip, for_us);
		if (e != NULL)
			arp_update(w, ifc, e, &ah->arp_data.arp_sha);
	}
	if (!for_us) {
		if (op == RTE_ARP_OP_REQUEST)
			w->stats.arp_drop_not_us++;
		goto drop;
	}
	if (op != RTE_ARP_OP_REQUEST)
		goto drop;

	/* Answer in place. */
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&ah->arp_data.arp_sha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = sip;
	rte_ether_addr_copy(&ifc->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = tip;
	rte_ether_addr_copy(&ah->arp_data.arp_tha, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	m->ol_flags = 0;
	w->stats.arp_tx_reply++;
	sf_txbuf_put(w, wp, m);
	return;
drop:
	rte_pktmbuf_free(m);
}
