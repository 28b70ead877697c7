/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826, RFC 5227 announcements): replies for our addresses only,
 * learning, resolution with retry and back-off, expiry, a full cache. */
#include <errno.h>

#include <rte_arp.h>

#include "sf_test.h"

#define HZ 1000000000ULL

static const struct rte_ether_addr bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct rte_ether_addr zero;
static const struct rte_ether_addr peer2 = {
	.addr_bytes = { 0x02, 0, 0, 0, 0x99, 0x01 } };

static struct rte_arp_hdr *
cap_arp(unsigned int i)
{
	struct rte_ether_hdr *eh;

	assert_true(i < sf_t.ncap);
	eh = rte_pktmbuf_mtod(sf_t.cap[i], struct rte_ether_hdr *);
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	assert_memory_equal(&eh->src_addr, &SF_TEST_OUR_MAC, 6);
	return (struct rte_arp_hdr *)(eh + 1);
}

static void
test_arp_reply_for_us(void **state)
{
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_ether_addr mac;

	(void)state;
	sf_test_input(sf_test_arp(RTE_ARP_OP_REQUEST, &SF_TEST_PEER_MAC,
				  SF_TEST_PEER_IP, &zero, SF_TEST_OUR_IP,
				  &bcast));
	assert_int_equal(sf_test_counter("arp_rx_request"), 1);
	assert_int_equal(sf_test_counter("arp_tx_reply"), 1);
	assert_int_equal(sf_t.ncap, 1);
	eh = rte_pktmbuf_mtod(sf_t.cap[0], struct rte_ether_hdr *);
	assert_memory_equal(&eh->dst_addr, &SF_TEST_PEER_MAC, 6);
	ah = cap_arp(0);
	assert_int_equal(ah->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_memory_equal(&ah->arp_data.arp_sha, &SF_TEST_OUR_MAC, 6);
	assert_int_equal(ah->arp_data.arp_sip, SF_TEST_OUR_IP);
	assert_memory_equal(&ah->arp_data.arp_tha, &SF_TEST_PEER_MAC, 6);
	assert_int_equal(ah->arp_data.arp_tip, SF_TEST_PEER_IP);
	/* RFC 826: the target learns the requester. */
	assert_int_equal(sf_arp_lookup(sf_t.ifc, SF_TEST_PEER_IP,
				       sf_t.w->now, &mac), 0);
	assert_memory_equal(&mac, &SF_TEST_PEER_MAC, 6);
}

static void
test_arp_request_for_other_address(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	sf_test_input(sf_test_arp(RTE_ARP_OP_REQUEST, &SF_TEST_PEER_MAC,
				  SF_TEST_PEER_IP, &zero,
				  RTE_BE32(RTE_IPV4(198, 18, 0, 77)), &bcast));
	assert_int_equal(sf_test_counter("arp_drop_not_us"), 1);
	assert_int_equal(sf_t.ncap, 0);
	/* Not the target, not in the cache: nothing learned. */
	assert_int_equal(sf_arp_lookup(sf_t.ifc, SF_TEST_PEER_IP,
				       sf_t.w->now, &mac), -ENOENT);
}

static void
test_arp_malformed(void **state)
{
	struct rte_mbuf *m;
	struct rte_arp_hdr *ah;
	uint8_t tiny[10] = { 0 };

	(void)state;
	m = sf_test_arp(RTE_ARP_OP_REQUEST, &SF_TEST_PEER_MAC,
			SF_TEST_PEER_IP, &zero, SF_TEST_OUR_IP, &bcast);
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14);
	ah->arp_hlen = 8;
	sf_test_input(m);
	sf_test_input(sf_test_eth(&bcast, &SF_TEST_PEER_MAC,
				  RTE_ETHER_TYPE_ARP, tiny, sizeof(tiny)));
	m = sf_test_arp(7, &SF_TEST_PEER_MAC, SF_TEST_PEER_IP, &zero,
			SF_TEST_OUR_IP, &bcast);
	sf_test_input(m);
	assert_int_equal(sf_test_counter("arp_drop_bad"), 3);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_arp_resolve_retry_and_reply(void **state)
{
	struct rte_ether_addr mac;
	struct rte_arp_hdr *ah;
	uint32_t ip = RTE_BE32(RTE_IPV4(198, 18, 0, 1));

	(void)state;
	assert_int_equal(sf_arp_resolve(sf_t.w, sf_t.wp, ip, &mac), -EAGAIN);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 1);
	ah = cap_arp(0);
	assert_int_equal(ah->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
	assert_int_equal(ah->arp_data.arp_tip, ip);
	assert_int_equal(ah->arp_data.arp_sip, SF_TEST_OUR_IP);

	/* Within the retry interval: no second request. */
	sf_t.w->now += HZ / 2;
	assert_int_equal(sf_arp_resolve(sf_t.w, sf_t.wp, ip, &mac), -EAGAIN);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 1);

	/* After it: a retry. */
	sf_t.w->now += HZ;
	assert_int_equal(sf_arp_resolve(sf_t.w, sf_t.wp, ip, &mac), -EAGAIN);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, 2);
	assert_int_equal(sf_test_counter("arp_tx_request"), 2);

	sf_test_input(sf_test_arp(RTE_ARP_OP_REPLY, &SF_TEST_PEER_MAC, ip,
				  &SF_TEST_OUR_MAC, SF_TEST_OUR_IP,
				  &SF_TEST_OUR_MAC));
	assert_int_equal(sf_test_counter("arp_rx_reply"), 1);
	assert_int_equal(sf_arp_resolve(sf_t.w, sf_t.wp, ip, &mac), 0);
	assert_memory_equal(&mac, &SF_TEST_PEER_MAC, 6);
	assert_int_equal(sf_t.ncap, 2);
}

static void
test_arp_entry_update_and_expiry(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	sf_test_input(sf_test_arp(RTE_ARP_OP_REQUEST, &SF_TEST_PEER_MAC,
				  SF_TEST_PEER_IP, &zero, SF_TEST_OUR_IP,
				  &bcast));
	sf_test_tx_clear();
	/* A gratuitous ARP from the peer moving to a new MAC updates the
	 * existing entry even though it is not addressed to us. */
	sf_t.w->now += HZ;
	sf_test_input(sf_test_arp(RTE_ARP_OP_REQUEST, &peer2,
				  SF_TEST_PEER_IP, &zero, SF_TEST_PEER_IP,
				  &bcast));
	assert_int_equal(sf_arp_lookup(sf_t.ifc, SF_TEST_PEER_IP,
				       sf_t.w->now, &mac), 0);
	assert_memory_equal(&mac, &peer2, 6);
	/* Expired after arp_timeout (300 s in the fixture). */
	assert_int_equal(sf_arp_lookup(sf_t.ifc, SF_TEST_PEER_IP,
				       sf_t.w->now + 300 * HZ, &mac), -ENOENT);
	sf_t.w->now += 300 * HZ;
	assert_int_equal(sf_arp_resolve(sf_t.w, sf_t.wp, SF_TEST_PEER_IP,
					&mac), -EAGAIN);
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_test_counter("arp_tx_request"), 1);
}

static void
test_arp_announce_and_gateway(void **state)
{
	struct rte_arp_hdr *ah;
	unsigned int i;

	(void)state;
	sf_t.ifc->gateway = SF_TEST_PEER_IP;
	sf_arp_housekeep(sf_t.w, sf_t.wp);
	sf_worker_flush(sf_t.w);
	/* RFC 5227 announcement (SPA = TPA), then a gateway request. */
	assert_int_equal(sf_t.ncap, 2);
	ah = cap_arp(0);
	assert_int_equal(ah->arp_data.arp_sip, SF_TEST_OUR_IP);
	assert_int_equal(ah->arp_data.arp_tip, SF_TEST_OUR_IP);
	assert_int_equal(sf_test_counter("arp_tx_gratuitous"), 1);
	ah = cap_arp(1);
	assert_int_equal(ah->arp_data.arp_tip, SF_TEST_PEER_IP);

	/* Unanswered: one request a second for arp_retries (3) ... */
	for (i = 0; i < 2; i++) {
		sf_t.w->now += HZ;
		sf_arp_housekeep(sf_t.w, sf_t.wp);
	}
	assert_int_equal(sf_test_counter("arp_tx_request"), 3);
	/* ... then every 10 s. */
	for (i = 0; i < 9; i++) {
		sf_t.w->now += HZ;
		sf_arp_housekeep(sf_t.w, sf_t.wp);
	}
	assert_int_equal(sf_test_counter("arp_tx_request"), 3);
	sf_t.w->now += HZ;
	sf_arp_housekeep(sf_t.w, sf_t.wp);
	assert_int_equal(sf_test_counter("arp_tx_request"), 4);
	assert_int_equal(sf_test_counter("arp_tx_gratuitous"), 1);

	/* Answered: quiet until 3/4 of the lifetime, then a refresh. */
	sf_test_input(sf_test_arp(RTE_ARP_OP_REPLY, &SF_TEST_PEER_MAC,
				  SF_TEST_PEER_IP, &SF_TEST_OUR_MAC,
				  SF_TEST_OUR_IP, &SF_TEST_OUR_MAC));
	sf_t.w->now += 200 * HZ;
	sf_arp_housekeep(sf_t.w, sf_t.wp);
	assert_int_equal(sf_test_counter("arp_tx_request"), 4);
	sf_t.w->now += 30 * HZ;
	sf_arp_housekeep(sf_t.w, sf_t.wp);
	assert_int_equal(sf_test_counter("arp_tx_request"), 5);
}

static void
test_arp_cache_full(void **state)
{
	struct rte_ether_addr mac;
	unsigned int i;
	int rc;

	(void)state;
	for (i = 0; i < SF_ARP_TABLE_SIZE; i++) {
		rc = sf_arp_resolve(sf_t.w, sf_t.wp,
				    RTE_BE32(RTE_IPV4(198, 18, i >> 8, i)),
				    &mac);
		assert_int_equal(rc, -EAGAIN);
		sf_test_tx_clear();
	}
	rc = sf_arp_resolve(sf_t.w, sf_t.wp,
			    RTE_BE32(RTE_IPV4(198, 18, 9, 9)), &mac);
	assert_int_equal(rc, -ENOSPC);
	/* Existing entries still work. */
	assert_int_equal(sf_arp_resolve(sf_t.w, sf_t.wp,
					RTE_BE32(RTE_IPV4(198, 18, 0, 5)),
					&mac), -EAGAIN);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_test_setup, \
					      sf_test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_arp_reply_for_us),
		T(test_arp_request_for_other_address),
		T(test_arp_malformed),
		T(test_arp_resolve_retry_and_reply),
		T(test_arp_entry_update_and_expiry),
		T(test_arp_announce_and_gateway),
		T(test_arp_cache_full),
	};

	return cmocka_run_group_tests_name("net_arp", tests, NULL, NULL);
}
