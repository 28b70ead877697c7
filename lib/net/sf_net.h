/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_NET_H
#define SF_NET_H

/*
 * Ethernet, ARP, IPv4 and ICMP for synfin's own addresses.
 *
 * A struct sf_iface is one port's L2/L3 identity: MAC, addresses, prefix,
 * gateway and ARP cache. It is set up by the control plane before workers
 * start and is read-only afterwards, except the ARP cache, whose entries are
 * updated lock-free (one 64-bit atomic word per entry) by whichever worker
 * receives ARP. Input functions take ownership of the mbuf: they either send
 * it (through the worker's TX buffer), hand it on, or free it and bump
 * exactly one drop counter. Nothing here logs per packet.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sf_common.h"

struct sf_worker;
struct sf_wport;

#define SF_ARP_TABLE_SIZE 256	/* power of two */

/* One cached neighbour. mac_state packs the MAC (low 48 bits) and
 * SF_ARP_VALID; updated is the TSC of the last reply. Both are written
 * with atomic stores so any worker may read them without a lock. */
struct sf_arp_entry {
	uint32_t ip;		/* network order, 0 = free slot */
	uint32_t requests;	/* requests sent since the last reply */
	uint64_t mac_state;
	uint64_t updated;
	uint64_t last_request;
};

#define SF_ARP_VALID (1ULL << 48)

struct sf_iface {
	uint16_t port_id;
	uint8_t nb_addrs;
	uint8_t prefix_len;
	bool tx_ip_csum;	/* port computes IPv4 header checksums */
	bool tx_l4_csum;	/* port computes TCP/UDP checksums */
	bool rx_csum;		/* port reports checksum status on RX */
	struct rte_ether_addr mac;
	uint32_t netmask;	/* network order */
	uint32_t gateway;	/* network order, 0 = none */
	uint32_t addrs[SF_MAX_ADDRS];	/* network order */
	uint32_t range_first;	/* host order: more addresses, a client's */
	uint32_t range_count;	/* source range; 0 = none */
	uint64_t arp_timeout;	/* cache lifetime, TSC cycles */
	uint64_t arp_retry;	/* interval between requests, TSC cycles */
	uint32_t arp_retries;	/* fast requests before backing off */
	bool gw_logged_fail;
	struct sf_arp_entry arp[SF_ARP_TABLE_SIZE];
} SF_CACHE_ALIGNED;

/** Is @p ip (network order) one of @p ifc's addresses? */
static inline bool
sf_iface_has_addr(const struct sf_iface *ifc, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < ifc->nb_addrs; i++)
		if (ifc->addrs[i] == ip)
			return true;
	return rte_be_to_cpu_32(ip) - ifc->range_first < ifc->range_count;
}

/** Is @p ip (network order) on @p ifc's subnet? */
static inline bool
sf_iface_on_link(const struct sf_iface *ifc, uint32_t ip)
{
	return ifc->nb_addrs > 0 &&
		(ip & ifc->netmask) == (ifc->addrs[0] & ifc->netmask);
}

/** Next hop for @p dst: @p dst itself when on link, else the gateway
 *  (0 when there is none). Network order. */
static inline uint32_t
sf_iface_nexthop(const struct sf_iface *ifc, uint32_t dst)
{
	return sf_iface_on_link(ifc, dst) ? dst : ifc->gateway;
}

/**
 * Handle one received frame: check the Ethernet header and dispatch to ARP
 * or IPv4. Consumes @p m.
 */
void sf_eth_input(struct sf_worker *w, struct sf_wport *wp,
		  struct rte_mbuf *m);

/** ARP frame (m->l2_len set). Consumes @p m. */
void sf_arp_input(struct sf_worker *w, struct sf_wport *wp,
		  struct rte_mbuf *m);

/** IPv4 packet (m->l2_len set). Consumes @p m. */
void sf_ipv4_input(struct sf_worker *w, struct sf_wport *wp,
		   struct rte_mbuf *m);

/** ICMP message (m->l2_len and m->l3_len set, padding trimmed).
 *  Consumes @p m. */
void sf_icmp_input(struct sf_worker *w, struct sf_wport *wp,
		   struct rte_mbuf *m);

/**
 * Look up the MAC of next hop @p ip (network order). When it is unknown or
 * expired, send an ARP request (at most one per retry interval).
 *
 * @return 0 and *mac filled; -EAGAIN while resolution is pending;
 *   -ENOSPC when the cache has no free slot; -ENOMEM when no mbuf was
 *   available for the request.
 */
int sf_arp_resolve(struct sf_worker *w, struct sf_wport *wp, uint32_t ip,
		   struct rte_ether_addr *mac);

/**
 * Broadcast an ARP request for @p ip (network order).
 *
 * @return 0, or -ENOMEM when no mbuf was available.
 */
int sf_arp_send_request(struct sf_worker *w, struct sf_wport *wp,
			uint32_t ip);

/**
 * Broadcast a gratuitous ARP (RFC 5227 announcement) for every address.
 *
 * @return 0, or -ENOMEM when no mbuf was available.
 */
int sf_arp_announce(struct sf_worker *w, struct sf_wport *wp);

/**
 * Periodic ARP work for a port this worker owns ARP for: keep the gateway
 * resolved and refreshed before its entry expires. Call every few ms.
 */
void sf_arp_housekeep(struct sf_worker *w, struct sf_wport *wp);

/**
 * Read the cached MAC of @p ip without sending anything.
 *
 * @return 0 and *mac filled when a valid, unexpired entry exists,
 *   -ENOENT otherwise.
 */
int sf_arp_lookup(const struct sf_iface *ifc, uint32_t ip, uint64_t now,
		  struct rte_ether_addr *mac);

/**
 * Fill the IPv4 header checksum of @p m, or mark it for the port to fill
 * when the port offers IPv4 checksum offload. m->l2_len and m->l3_len
 * must be set.
 */
void sf_ipv4_cksum_out(const struct sf_iface *ifc, struct rte_mbuf *m,
		       struct rte_ipv4_hdr *ip);

/** Choose the checksum loop for this CPU (AVX2 where the CPU has it and
 *  DPDK's --force-max-simd-bitwidth allows 256 bits). Call once after
 *  rte_eal_init(), before any worker runs; scalar until then. */
void sf_cksum_init(void);

/** Folded one's-complement sum of every byte of chain @p m (odd-length
 *  pieces handled), each piece from its master's table where it has
 *  one: a payload's part of a checksum whose header part the caller
 *  already has. */
uint16_t sf_cksum_chain(const struct rte_mbuf *m);

/** Does the TCP/UDP checksum of the IPv4 packet in @p m (L4 header at
 *  byte @p l4_off, its bytes to the chain's end: input has trimmed the
 *  frame to the IPv4 total length) verify? */
bool sf_ipv4_l4_cksum_ok(const struct rte_mbuf *m,
			 const struct rte_ipv4_hdr *ip, uint32_t l4_off);

/*
 * Checksum tables (cksum_table.c). A read-only master mbuf that the
 * application sends slices of (indirect mbufs, as the HTTP server's body)
 * can carry the sums of its 8-byte prefixes, so the software checksum of
 * a segment that points into it does not read every byte. The master needs
 * priv_size >= SF_CKSUM_PRIV_SIZE and tailroom for
 * SF_CKSUM_TABLE_ROOM(data_off + data_len); its bytes must not change
 * once the table is attached.
 */
#define SF_CKSUM_PRIV_SIZE 8
#define SF_CKSUM_BLOCK 8
#define SF_CKSUM_TABLE_ROOM(end) (((end) / SF_CKSUM_BLOCK + 1) * 2 + 8)

/** Compute @p m's table. -EINVAL: not a one-segment direct mbuf with the
 *  private area; -ENOSPC: no tailroom for the table. */
int sf_cksum_table_attach(struct rte_mbuf *m);

/** Folded sum of @p len bytes of @p seg from @p off, summed as a stream
 *  starting there: from the master's table when @p seg is a slice of one. */
uint16_t sf_cksum_piece(const struct rte_mbuf *seg, uint32_t off,
			uint32_t len);

/*
 * Pinned references (mbuf_ref.c): mbufs that point into a master's bytes
 * without a reference count, so neither sending nor freeing one is an
 * atomic operation. The master must outlive every reference (it lives as
 * long as the worker's ports) and its bytes must not change. A reference
 * shares the master's buffer as an indirect mbuf does, so checksum
 * tables serve it too.
 */
#define SF_MBUF_REF_MAGIC 0x52454653u	/* "SFER" */

/** A reference's private area. */
struct sf_mbuf_ref_priv {
	uint32_t magic;		/**< SF_MBUF_REF_MAGIC */
	uint32_t pad;
	struct rte_mbuf *master;
};

/** A pool of @p n references; NULL with rte_errno set on failure. */
struct rte_mempool *sf_mbuf_ref_pool_create(const char *name, uint32_t n,
					    int socket);

/** Free a pool from sf_mbuf_ref_pool_create() (NULL is ignored). */
void sf_mbuf_ref_pool_free(struct rte_mempool *mp);

/** A reference from pool @p rp to bytes [off, off + len) of @p master's
 *  data, or NULL when the pool is empty. */
struct rte_mbuf *sf_mbuf_ref(struct rte_mempool *rp, struct rte_mbuf *master,
			     uint32_t off, uint32_t len);

/** @p mi, fresh from a pool, made an indirect mbuf for bytes [off, off +
 *  len) of @p m's data (attached to @p m's direct master, whose
 *  reference count it raises). Returns @p mi. */
static inline struct rte_mbuf *
sf_mbuf_slice(struct rte_mbuf *mi, struct rte_mbuf *m, uint32_t off,
	      uint32_t len)
{
	rte_pktmbuf_attach(mi, m);
	mi->data_off = (uint16_t)(mi->data_off + off);
	mi->data_len = (uint16_t)len;
	mi->pkt_len = len;
	return mi;
}

/** The master @p m refers to, or NULL when @p m is not a reference. */
static inline struct rte_mbuf *
sf_mbuf_ref_master(const struct rte_mbuf *m)
{
	const struct sf_mbuf_ref_priv *p;

	if (!RTE_MBUF_HAS_EXTBUF(m) || m->priv_size < sizeof(*p) ||
	    !RTE_MBUF_HAS_PINNED_EXTBUF(m))
		return NULL;
	p = rte_mbuf_to_priv((struct rte_mbuf *)(uintptr_t)m);
	return p->magic == SF_MBUF_REF_MAGIC ? p->master : NULL;
}

#endif /* SF_NET_H */
