/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TEST_H
#define SF_TEST_H

/*
 * Shared unit-test fixture: EAL without hugepages or PCI, a small mbuf pool,
 * frame builders, a worker whose TX buffer is captured instead of sent, and
 * an mbuf leak check in teardown. Modeled on lwIP's
 * test/unit/tcp/tcp_helper.h. The "peer" is 198.18.0.1 at SF_TEST_PEER_MAC,
 * synfin is 198.18.0.2/24 at SF_TEST_OUR_MAC.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sf_net.h"
#include "sf_worker.h"

/* Written out: DPDK's RTE_IPV4 shifts a signed int past its sign bit. */
#define SF_TEST_OUR_IP RTE_BE32(UINT32_C(0xc6120002))	/* 198.18.0.2 */
#define SF_TEST_PEER_IP RTE_BE32(UINT32_C(0xc6120001))	/* 198.18.0.1 */
#define SF_TEST_CAP_MAX 1024

extern const struct rte_ether_addr SF_TEST_OUR_MAC;
extern const struct rte_ether_addr SF_TEST_PEER_MAC;

struct sf_test_env {
	struct rte_mempool *pool;
	struct sf_worker *w;
	struct sf_iface *ifc;
	struct sf_wport *wp;
	unsigned int ncap;
	struct rte_mbuf *cap[SF_TEST_CAP_MAX];
	bool in_burst;		/* sf_test_burst_begin() */
};

/* The environment of the running test (tests are single-threaded). */
extern struct sf_test_env sf_t;

/**
 * Start EAL once for this test process (--no-huge --no-pci, one lcore,
 * a private file prefix). Aborts the process on failure.
 */
void sf_test_eal_init(void);

/** cmocka group setup that only starts EAL (sf_test_eal_init). */
int sf_test_eal_setup(void **state);

/** cmocka setup: EAL, pool, a worker with one interface whose TX is
 *  captured. Clock: w->now = 1 s worth of TSC, hz = 1e9 (1 cycle = 1 ns). */
int sf_test_setup(void **state);

/** cmocka teardown: free captured frames, assert every mbuf is back. */
int sf_test_teardown(void **state);

/** Free every captured frame and reset the capture. */
void sf_test_tx_clear(void);

/** Counter value by name (fails the test if the name is unknown). */
uint64_t sf_test_counter(const char *name);

/** Ethernet frame with @p len bytes of @p payload after the header. */
struct rte_mbuf *sf_test_eth(const struct rte_ether_addr *dst,
			     const struct rte_ether_addr *src, uint16_t type,
			     const void *payload, uint16_t len);

/* Knobs for sf_test_ipv4; zero means "the correct value". */
struct sf_test_ip {
	uint32_t src;		/* default peer */
	uint32_t dst;		/* default us */
	uint8_t proto;		/* default ICMP */
	uint8_t ttl;		/* default 64; set ttl_zero for 0 */
	bool ttl_zero;
	uint8_t version;	/* default 4 */
	uint8_t ihl;		/* default 5 */
	uint16_t frag;		/* host order: flags|offset */
	bool bad_csum;
	int16_t len_delta;	/* added to the correct total length */
	uint16_t pad;		/* Ethernet padding after the packet */
	const struct rte_ether_addr *eth_dst;	/* default our MAC */
};

/** An IPv4 frame carrying @p plen bytes of @p payload. */
struct rte_mbuf *sf_test_ipv4(const struct sf_test_ip *o,
			      const void *payload, uint16_t plen);

/** An ICMP echo request with @p datalen data bytes (pattern i & 0xff). */
struct rte_mbuf *sf_test_icmp_echo(const struct sf_test_ip *o, uint16_t id,
				   uint16_t seq, uint16_t datalen);

/** An ARP frame. */
struct rte_mbuf *sf_test_arp(uint16_t op, const struct rte_ether_addr *sha,
			     uint32_t sip, const struct rte_ether_addr *tha,
			     uint32_t tip, const struct rte_ether_addr *eth_dst);

/** Feed @p m to the engine, as if received in an RX burst of its own
 *  (the burst's end, as the worker runs it, and a TX flush follow),
 *  or as one more frame of the burst sf_test_burst_begin() opened. */
void sf_test_input(struct rte_mbuf *m);

/** Frames input from here on share one RX burst ... */
void sf_test_burst_begin(void);
/** ... which ends here: the worker's end-of-burst work, then a flush. */
void sf_test_burst_end(void);

#endif /* SF_TEST_H */
