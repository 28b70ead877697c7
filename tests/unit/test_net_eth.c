/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet input: only our MAC and broadcast get in; every other frame is
 * dropped with its own counter and nothing is sent. */
#include "sf_test.h"

static const struct rte_ether_addr other_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x77 } };
static const struct rte_ether_addr bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct rte_ether_addr mcast = {
	.addr_bytes = { 0x33, 0x33, 0, 0, 0, 0x01 } };

static void
test_eth_drops_other_unicast(void **state)
{
	struct sf_test_ip o = { .eth_dst = &other_mac };

	(void)state;
	sf_test_input(sf_test_icmp_echo(&o, 1, 1, 8));
	assert_int_equal(sf_test_counter("eth_drop_not_us"), 1);
	assert_int_equal(sf_test_counter("ip_rx"), 0);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_eth_drops_multicast(void **state)
{
	struct sf_test_ip o = { .eth_dst = &mcast };

	(void)state;
	sf_test_input(sf_test_icmp_echo(&o, 1, 1, 8));
	assert_int_equal(sf_test_counter("eth_drop_not_us"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_eth_drops_short_frame(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	m = rte_pktmbuf_alloc(sf_t.pool);
	assert_non_null(rte_pktmbuf_append(m, 10));
	sf_test_input(m);
	assert_int_equal(sf_test_counter("eth_drop_short"), 1);
	assert_int_equal(sf_test_counter("rx_pkts"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_eth_drops_unknown_type(void **state)
{
	uint8_t payload[40] = { 0x60 };

	(void)state;
	sf_test_input(sf_test_eth(&SF_TEST_OUR_MAC, &SF_TEST_PEER_MAC,
				  RTE_ETHER_TYPE_IPV6, payload,
				  sizeof(payload)));
	assert_int_equal(sf_test_counter("eth_drop_type"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_eth_accepts_broadcast(void **state)
{
	struct sf_test_ip o = { .eth_dst = &bcast };

	(void)state;
	/* A broadcast frame carrying an echo for our address is answered
	 * (IP decides, not L2). */
	sf_test_input(sf_test_icmp_echo(&o, 1, 1, 8));
	assert_int_equal(sf_test_counter("ip_rx"), 1);
	assert_int_equal(sf_test_counter("icmp_tx_echo_reply"), 1);
	assert_int_equal(sf_t.ncap, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_eth_drops_other_unicast,
			sf_test_setup, sf_test_teardown),
		cmocka_unit_test_setup_teardown(test_eth_drops_multicast,
			sf_test_setup, sf_test_teardown),
		cmocka_unit_test_setup_teardown(test_eth_drops_short_frame,
			sf_test_setup, sf_test_teardown),
		cmocka_unit_test_setup_teardown(test_eth_drops_unknown_type,
			sf_test_setup, sf_test_teardown),
		cmocka_unit_test_setup_teardown(test_eth_accepts_broadcast,
			sf_test_setup, sf_test_teardown),
	};

	return cmocka_run_group_tests_name("net_eth", tests, NULL, NULL);
}
