/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP: echo requests get a correct reply (RFC 792, RFC 1122 §3.2.2.6);
 * anything else is counted and dropped. */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "sf_test.h"

static void
check_reply(struct rte_mbuf *m, uint16_t id, uint16_t seq, uint16_t datalen)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	const uint8_t *data = (const uint8_t *)(icmp + 1);
	uint16_t i, len = (uint16_t)(sizeof(*icmp) + datalen);

	assert_int_equal(m->pkt_len, 14 + 20 + len);
	assert_memory_equal(&eh->dst_addr, &SF_TEST_PEER_MAC, 6);
	assert_memory_equal(&eh->src_addr, &SF_TEST_OUR_MAC, 6);
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_int_equal(ip->src_addr, SF_TEST_OUR_IP);
	assert_int_equal(ip->dst_addr, SF_TEST_PEER_IP);
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + len);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(icmp->icmp_code, 0);
	assert_int_equal(rte_be_to_cpu_16(icmp->icmp_ident), id);
	assert_int_equal(rte_be_to_cpu_16(icmp->icmp_seq_nb), seq);
	assert_int_equal(rte_raw_cksum(icmp, len), 0xffff);
	for (i = 0; i < datalen; i++)
		assert_int_equal(data[i], (uint8_t)i);
}

static void
test_icmp_echo_reply_small(void **state)
{
	(void)state;
	sf_test_input(sf_test_icmp_echo(NULL, 0x4242, 3, 56));
	assert_int_equal(sf_test_counter("icmp_rx_echo"), 1);
	assert_int_equal(sf_test_counter("icmp_tx_echo_reply"), 1);
	assert_int_equal(sf_t.ncap, 1);
	check_reply(sf_t.cap[0], 0x4242, 3, 56);
}

static void
test_icmp_echo_reply_1400(void **state)
{
	(void)state;
	sf_test_input(sf_test_icmp_echo(NULL, 1, 65535, 1400));
	assert_int_equal(sf_t.ncap, 1);
	check_reply(sf_t.cap[0], 1, 65535, 1400);
}

static void
test_icmp_echo_burst(void **state)
{
	uint16_t i;

	(void)state;
	/* More than one TX buffer's worth: the flush hook runs mid-way and
	 * nothing is lost. */
	for (i = 0; i < SF_TXBUF_SIZE + 100; i++)
		sf_eth_input(sf_t.w, sf_t.wp,
			     sf_test_icmp_echo(NULL, 9, i, 16));
	sf_worker_flush(sf_t.w);
	assert_int_equal(sf_t.ncap, SF_TXBUF_SIZE + 100);
	for (i = 0; i < sf_t.ncap; i++)
		check_reply(sf_t.cap[i], 9, i, 16);
}

static void
test_icmp_ip_csum_offload(void **state)
{
	struct rte_ipv4_hdr *ip;

	(void)state;
	sf_t.ifc->tx_ip_csum = true;
	sf_test_input(sf_test_icmp_echo(NULL, 1, 1, 8));
	assert_int_equal(sf_t.ncap, 1);
	ip = rte_pktmbuf_mtod_offset(sf_t.cap[0], struct rte_ipv4_hdr *, 14);
	assert_int_equal(ip->hdr_checksum, 0);
	assert_true(sf_t.cap[0]->ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
	assert_true(sf_t.cap[0]->ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_int_equal(sf_t.cap[0]->l2_len, 14);
	assert_int_equal(sf_t.cap[0]->l3_len, 20);
}

static void
test_icmp_bad_checksum(void **state)
{
	struct rte_mbuf *m;
	uint8_t *p;

	(void)state;
	m = sf_test_icmp_echo(NULL, 1, 1, 8);
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 20 + 8);
	p[0] ^= 0xff;	/* corrupt the data, keep the checksum */
	sf_test_input(m);
	assert_int_equal(sf_test_counter("icmp_drop_csum"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_icmp_too_short(void **state)
{
	uint8_t four[4] = { 8, 0, 0xf7, 0xff };

	(void)state;
	sf_test_input(sf_test_ipv4(NULL, four, sizeof(four)));
	assert_int_equal(sf_test_counter("icmp_drop_short"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_icmp_other_type(void **state)
{
	uint8_t ts[20] = { 13, 0 };	/* timestamp request */
	uint16_t s;

	(void)state;
	s = (uint16_t)~rte_raw_cksum(ts, sizeof(ts));
	memcpy(ts + 2, &s, 2);
	sf_test_input(sf_test_ipv4(NULL, ts, sizeof(ts)));
	assert_int_equal(sf_test_counter("icmp_drop_type"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_test_setup, \
					      sf_test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_icmp_echo_reply_small),
		T(test_icmp_echo_reply_1400),
		T(test_icmp_echo_burst),
		T(test_icmp_ip_csum_offload),
		T(test_icmp_bad_checksum),
		T(test_icmp_too_short),
		T(test_icmp_other_type),
	};

	return cmocka_run_group_tests_name("net_icmp", tests, NULL, NULL);
}
