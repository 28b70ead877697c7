/* SPDX-License-Identifier: BSD-3-Clause */
/* Port bring-up and the worker loop against a real ethdev: the ring PMD
 * (rte_eth_from_rings), so rte_eth_rx_burst / tx_burst really run. */
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "sf_port.h"
#include "sf_test.h"

static struct rte_ring *rxr, *txr;
static struct sf_iface *ifc;
static struct sf_worker *w;
static int port = -1;
static unsigned int pool_full;

static void
drain_tx(void)
{
	void *m;

	while (rte_ring_dequeue(txr, &m) == 0)
		rte_pktmbuf_free(m);
}

/* One ring port for the whole group: ring ethdevs are not meant to be
 * created and destroyed over and over. */
static int
group_setup(void **state)
{
	struct sf_port_conf pc = { .nb_queues = 4, .nb_rxd = 128,
				   .nb_txd = 128, .link_wait_ms = 1000 };
	struct sf_port_info info;

	if (sf_test_setup(state) != 0)
		return -1;
	rxr = rte_ring_create("sf_t_rx", 1024, SOCKET_ID_ANY,
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	/* A small TX ring: lets a test overflow it. */
	txr = rte_ring_create("sf_t_tx", 64, SOCKET_ID_ANY,
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rxr == NULL || txr == NULL)
		return -1;
	port = rte_eth_from_rings("sf_t_ring", &rxr, 1, &txr, 1,
				  SOCKET_ID_ANY);
	if (port < 0)
		return -1;
	ifc = rte_zmalloc(NULL, sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return -1;
	*ifc = *sf_t.ifc;
	ifc->port_id = (uint16_t)port;
	/* Asking for 4 queues on a 1-queue, no-RSS port gets 1. */
	if (sf_port_init(ifc, &pc, sf_t.pool, &info) != 0)
		return -1;
	if (info.nb_queues != 1 || info.rss || !info.link_up)
		return -1;
	pool_full = rte_mempool_avail_count(sf_t.pool);
	return 0;
}

static int
group_teardown(void **state)
{
	sf_port_close((uint16_t)port);
	rte_free(ifc);
	return sf_test_teardown(state);
}

static int
setup(void **state)
{
	(void)state;
	w = sf_worker_create(1, rte_lcore_id(), sf_t.pool);
	if (w == NULL || sf_worker_add_port(w, ifc, 0, true) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	void *m;

	(void)state;
	while (rte_ring_dequeue(rxr, &m) == 0)
		rte_pktmbuf_free(m);
	drain_tx();
	sf_worker_free(w);
	assert_int_equal(rte_mempool_avail_count(sf_t.pool), pool_full);
	return 0;
}

static void
test_worker_answers_through_port(void **state)
{
	struct rte_mbuf *m, *out[8];
	struct rte_ether_hdr *eh;
	struct rte_icmp_hdr *icmp;
	unsigned int n, i, echo = 0, garp = 0;

	(void)state;
	/* The MAC the port reports is what input filters on. */
	m = sf_test_icmp_echo(&(struct sf_test_ip){ .eth_dst = &ifc->mac },
			      5, 1, 64);
	assert_int_equal(rte_ring_enqueue(rxr, m), 0);
	sf_worker_poll(w);

	n = rte_ring_dequeue_burst(txr, (void **)out, RTE_DIM(out), NULL);
	/* The echo reply, and the start-up gratuitous ARP. */
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		eh = rte_pktmbuf_mtod(out[i], struct rte_ether_hdr *);
		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			garp++;
		} else {
			icmp = rte_pktmbuf_mtod_offset(out[i],
				struct rte_icmp_hdr *, 14 + 20);
			assert_int_equal(icmp->icmp_type,
					 RTE_IP_ICMP_ECHO_REPLY);
			echo++;
		}
		rte_pktmbuf_free(out[i]);
	}
	assert_int_equal(echo, 1);
	assert_int_equal(garp, 1);
	assert_int_equal(w->stats.tx_pkts, 2);
	assert_int_equal(w->stats.rx_pkts, 1);
	assert_int_equal(w->stats.tx_drop_full, 0);

	/* Later iterations with nothing received send nothing. */
	sf_worker_poll(w);
	assert_int_equal(rte_ring_count(txr), 0);
}

/* 100 echo requests in, 4 passes: the 63-slot TX ring fills, 37 replies
 * wait in the TX buffer. */
static void
echo_burst_into_full_ring(void)
{
	struct sf_test_ip o = { .eth_dst = &ifc->mac };
	unsigned int i;

	sf_worker_poll(w);	/* the announcement */
	drain_tx();
	w->stats.tx_pkts = 0;
	for (i = 0; i < 100; i++)
		assert_int_equal(rte_ring_enqueue(rxr,
			sf_test_icmp_echo(&o, 5, (uint16_t)i, 64)), 0);
	for (i = 0; i < 4; i++)
		sf_worker_poll(w);
	assert_int_equal(rte_ring_count(txr), 63);
	assert_int_equal(w->stats.tx_pkts, 63);
	assert_int_equal(w->stats.icmp_tx_echo_reply, 100);
	assert_int_equal(w->stats.tx_drop_full, 0);
}

/* Frames a full TX ring does not take wait in the TX buffer and go, in
 * order, once it drains: none dropped, none leaked. */
static void
test_worker_tx_full_waits(void **state)
{
	struct rte_icmp_hdr *icmp;
	unsigned int i, n, next = 0;
	void *m;

	(void)state;
	echo_burst_into_full_ring();
	/* A queue that took nothing is tried again some us later. */
	for (i = 0; i < 100000 && next < 100; i++) {
		while (rte_ring_dequeue(txr, &m) == 0) {
			icmp = rte_pktmbuf_mtod_offset((struct rte_mbuf *)m,
				struct rte_icmp_hdr *, 14 + 20);
			assert_int_equal(rte_be_to_cpu_16(icmp->icmp_seq_nb),
					 next);
			next++;
			rte_pktmbuf_free(m);
		}
		sf_worker_poll(w);
	}
	n = next;
	assert_int_equal(n, 100);
	assert_int_equal(w->stats.tx_pkts, 100);
	assert_int_equal(w->stats.tx_drop_full, 0);
}

/* A queue that takes nothing for 100 ms (a dead link) loses what waits
 * for it, counted, and the buffer is free again. */
static void
test_worker_tx_stalled_drops(void **state)
{
	(void)state;
	echo_burst_into_full_ring();
	rte_delay_ms(50);
	sf_worker_poll(w);
	assert_int_equal(w->stats.tx_drop_full, 0);
	rte_delay_ms(60);
	sf_worker_poll(w);
	assert_int_equal(w->stats.tx_drop_full, 100 - 63);
	assert_int_equal(w->ports[0].tx.len, 0);
	drain_tx();
}

static void
test_worker_loop_stops(void **state)
{
	(void)state;
	sf_worker_stop(w);
	assert_int_equal(sf_worker_loop(w), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_worker_answers_through_port),
		T(test_worker_tx_full_waits),
		T(test_worker_tx_stalled_drops),
		T(test_worker_loop_stops),
	};

	return cmocka_run_group_tests_name("worker_loop", tests, group_setup,
					   group_teardown);
}
