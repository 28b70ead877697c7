/* SPDX-License-Identifier: BSD-3-Clause */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_arp.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sf_eal.h"
#include "sf_log.h"
#include "sf_net.h"
#include "sf_stats.h"
#include "sf_tcp.h"
#include "sf_test.h"

#define TEST_POOL_SIZE 4095
#define TEST_HZ 1000000000ULL

const struct rte_ether_addr SF_TEST_OUR_MAC = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
const struct rte_ether_addr SF_TEST_PEER_MAC = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };

struct sf_test_env sf_t;

void
sf_test_eal_init(void)
{
	static int done;
	char prefix[64];
	char *argv[] = {
		"sf_test", "--no-huge", "--no-pci", "-m", "256",
		"--no-shconf", "-l", "0", "--log-level", "*:warning",
		"--file-prefix", prefix, NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	if (done)
		return;
	snprintf(prefix, sizeof(prefix), "sftest%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "sf_test: rte_eal_init failed\n");
		exit(1);
	}
	sf_log_init();
	sf_cksum_init();
	atexit(sf_eal_fini_clean);
	done = 1;
}

int
sf_test_eal_setup(void **state)
{
	(void)state;
	sf_test_eal_init();
	return 0;
}

/* The unit tests' tx_flush: keep the frames for the test to inspect. */
static void
test_tx_capture(struct sf_worker *w, struct sf_wport *wp)
{
	uint16_t i;

	for (i = 0; i < wp->tx.len; i++) {
		if (sf_t.ncap < SF_TEST_CAP_MAX)
			sf_t.cap[sf_t.ncap++] = wp->tx.pkts[i];
		else
			rte_pktmbuf_free(wp->tx.pkts[i]);
		w->stats.tx_pkts++;
	}
	wp->tx.len = 0;
	wp->tx.bytes = 0;
}

int
sf_test_setup(void **state)
{
	(void)state;
	sf_test_eal_init();
	memset(&sf_t, 0, sizeof(sf_t));
	sf_t.pool = rte_mempool_lookup("sf_test_pool");
	if (sf_t.pool == NULL)
		sf_t.pool = rte_pktmbuf_pool_create("sf_test_pool",
			TEST_POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			SOCKET_ID_ANY);
	if (sf_t.pool == NULL)
		return -1;
	sf_t.ifc = rte_zmalloc(NULL, sizeof(*sf_t.ifc), RTE_CACHE_LINE_SIZE);
	sf_t.w = sf_worker_create(0, rte_lcore_id(), sf_t.pool);
	if (sf_t.ifc == NULL || sf_t.w == NULL)
		return -1;
	sf_t.ifc->port_id = 0;
	sf_t.ifc->mac = SF_TEST_OUR_MAC;
	sf_t.ifc->addrs[0] = SF_TEST_OUR_IP;
	sf_t.ifc->nb_addrs = 1;
	sf_t.ifc->prefix_len = 24;
	sf_t.ifc->netmask = RTE_BE32(0xffffff00);
	sf_t.ifc->arp_timeout = 300 * TEST_HZ;
	sf_t.ifc->arp_retry = TEST_HZ;
	sf_t.ifc->arp_retries = 3;
	sf_t.w->hz = TEST_HZ;
	sf_t.w->now = TEST_HZ;
	sf_t.w->tx_flush = test_tx_capture;
	if (sf_worker_add_port(sf_t.w, sf_t.ifc, 0, true) != 0)
		return -1;
	sf_t.wp = &sf_t.w->ports[0];
	return 0;
}

void
sf_test_tx_clear(void)
{
	unsigned int i;

	sf_worker_flush(sf_t.w);
	for (i = 0; i < sf_t.ncap; i++)
		rte_pktmbuf_free(sf_t.cap[i]);
	sf_t.ncap = 0;
}

int
sf_test_teardown(void **state)
{
	(void)state;
	sf_test_tx_clear();
	sf_worker_free(sf_t.w);
	rte_free(sf_t.ifc);
	/* The leak check: every mbuf the test or the engine took is back. */
	assert_int_equal(rte_mempool_avail_count(sf_t.pool), TEST_POOL_SIZE);
	return 0;
}

uint64_t
sf_test_counter(const char *name)
{
	const char *n;
	unsigned int i;

	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		if (strcmp(n, name) == 0)
			return sf_stats_get(&sf_t.w->stats, i);
	fail_msg("unknown counter %s", name);
	return 0;
}

struct rte_mbuf *
sf_test_eth(const struct rte_ether_addr *dst,
	    const struct rte_ether_addr *src, uint16_t type,
	    const void *payload, uint16_t len)
{
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(sf_t.pool);
	assert_non_null(m);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
						sizeof(*eh) + len);
	assert_non_null(eh);
	eh->dst_addr = *dst;
	eh->src_addr = *src;
	eh->ether_type = rte_cpu_to_be_16(type);
	if (len)
		memcpy(eh + 1, payload, len);
	return m;
}

struct rte_mbuf *
sf_test_ipv4(const struct sf_test_ip *o, const void *payload, uint16_t plen)
{
	static const struct sf_test_ip def;
	uint8_t buf[2048];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	uint8_t ihl;
	uint16_t hlen, total;

	if (o == NULL)
		o = &def;
	ihl = o->ihl ? o->ihl : 5;
	hlen = (uint16_t)(RTE_MAX(ihl, 5) * 4);
	total = (uint16_t)(hlen + plen);
	assert_true(total + o->pad <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	ip->version_ihl = (uint8_t)((o->version ? o->version : 4) << 4 | ihl);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(total + o->len_delta));
	ip->packet_id = RTE_BE16(0x1234);
	ip->fragment_offset = rte_cpu_to_be_16(o->frag);
	ip->time_to_live = o->ttl_zero ? 0 : (o->ttl ? o->ttl : 64);
	ip->next_proto_id = o->proto ? o->proto : IPPROTO_ICMP;
	ip->src_addr = o->src ? o->src : SF_TEST_PEER_IP;
	ip->dst_addr = o->dst ? o->dst : SF_TEST_OUR_IP;
	if (plen)
		memcpy(buf + hlen, payload, plen);
	/* Checksum over the header as the IHL field says, where possible. */
	ip->hdr_checksum = 0;
	ip->hdr_checksum = ~rte_raw_cksum(ip, ihl >= 5 ? ihl * 4u : 20u);
	if (o->bad_csum)
		ip->hdr_checksum ^= 0x5555;
	return sf_test_eth(o->eth_dst ? o->eth_dst : &SF_TEST_OUR_MAC,
			   &SF_TEST_PEER_MAC, RTE_ETHER_TYPE_IPV4, buf,
			   (uint16_t)(total + o->pad));
}

struct rte_mbuf *
sf_test_icmp_echo(const struct sf_test_ip *o, uint16_t id, uint16_t seq,
		  uint16_t datalen)
{
	uint8_t buf[2048];
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)buf;
	uint16_t i, len = (uint16_t)(sizeof(*icmp) + datalen);

	assert_true(len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = rte_cpu_to_be_16(id);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	for (i = 0; i < datalen; i++)
		buf[sizeof(*icmp) + i] = (uint8_t)i;
	icmp->icmp_cksum = ~rte_raw_cksum(buf, len);
	return sf_test_ipv4(o, buf, len);
}

struct rte_mbuf *
sf_test_arp(uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
	    const struct rte_ether_addr *tha, uint32_t tip,
	    const struct rte_ether_addr *eth_dst)
{
	struct rte_arp_hdr ah;

	memset(&ah, 0, sizeof(ah));
	ah.arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah.arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah.arp_hlen = RTE_ETHER_ADDR_LEN;
	ah.arp_plen = 4;
	ah.arp_opcode = rte_cpu_to_be_16(op);
	ah.arp_data.arp_sha = *sha;
	ah.arp_data.arp_sip = sip;
	ah.arp_data.arp_tha = *tha;
	ah.arp_data.arp_tip = tip;
	return sf_test_eth(eth_dst, sha, RTE_ETHER_TYPE_ARP, &ah, sizeof(ah));
}

void
sf_test_input(struct rte_mbuf *m)
{
	sf_eth_input(sf_t.w, sf_t.wp, m);
	if (!sf_t.in_burst)
		sf_test_burst_end();
}

void
sf_test_burst_begin(void)
{
	sf_t.in_burst = true;
}

void
sf_test_burst_end(void)
{
	sf_t.in_burst = false;
	sf_tcp_rx_burst_end(sf_t.w);
	sf_worker_flush(sf_t.w);
}
