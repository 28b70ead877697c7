/* SPDX-License-Identifier: BSD-3-Clause */
/* pcapng capture: the filter language, and whole captures through a real
 * ethdev (the ring PMD) read back block by block from the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "sf_capture.h"
#include "sf_port.h"
#include "sf_test.h"

#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_IDB 1u
#define PCAPNG_EPB 6u

static struct rte_ring *rxr, *txr;
static struct sf_iface *ifc;
static struct sf_worker *w;
static int port = -1;
static unsigned int pool_full;
static char file[256];
static char err[512];

/* ---- the filter language ------------------------------------------------*/

static void
test_capture_filter_parse(void **state)
{
	struct sf_capture_filter f;
	char s[128];

	(void)state;
	assert_int_equal(sf_capture_filter_parse("", &f, err, sizeof(err)),
			 0);
	assert_int_equal(f.port, SF_CAPTURE_ANY_PORT);
	assert_int_equal(f.host, 0);
	assert_int_equal(f.tcp_port, 0);
	assert_false(f.tcp);
	assert_int_equal(sf_capture_filter_parse(NULL, &f, err, sizeof(err)),
			 0);
	sf_capture_filter_str(&f, s, sizeof(s));
	assert_string_equal(s, "");

	assert_int_equal(sf_capture_filter_parse("host 198.18.0.1 and port 80",
						 &f, err, sizeof(err)), 0);
	assert_int_equal(f.host, SF_TEST_PEER_IP);
	assert_int_equal(f.tcp_port, 80);
	assert_true(f.tcp);
	sf_capture_filter_str(&f, s, sizeof(s));
	assert_string_equal(s, "tcp port 80 host 198.18.0.1");

	assert_int_equal(sf_capture_filter_parse("iface 0 tcp port 8080", &f,
						 err, sizeof(err)), 0);
	assert_int_equal(f.port, 0);
	assert_int_equal(f.tcp_port, 8080);
	sf_capture_filter_str(&f, s, sizeof(s));
	assert_string_equal(s, "iface 0 tcp port 8080");
	/* what it prints, it reads back */
	assert_int_equal(sf_capture_filter_parse(s, &f, err, sizeof(err)), 0);
	assert_int_equal(f.tcp_port, 8080);

	assert_int_equal(sf_capture_filter_parse("  tcp\t", &f, err,
						 sizeof(err)), 0);
	assert_true(f.tcp);
	assert_int_equal(f.tcp_port, 0);
}

/* The log's "stopped" line and the console's "show capture" say the
 * same thing in the same words (issue 25, item 14). */
static void
test_capture_stats_words(void **state)
{
	const struct sf_capture_stats st = {
		.packets = 7, .bytes = 900, .drop_ring = 1, .drop_nombuf = 2,
		.drop_limit = 3, .write_errors = 4,
	};
	char buf[256];

	(void)state;
	sf_capture_stats_str(&st, buf, sizeof(buf));
	assert_string_equal(buf, "7 frames, 900 bytes written; dropped: "
			    "ring full 1, no mbuf 2, past the limit 3; write "
			    "errors 4");
}

static void
test_capture_filter_errors(void **state)
{
	static const char *const bad[] = {
		"host", "host 198.18.0", "host 0.0.0.0", "host 224.0.0.1",
		"port", "port 0", "port 65536", "port http", "port 80 port 81",
		"host 198.18.0.1 host 198.18.0.2", "iface", "iface x",
		"udp port 53", "and port 80", "port 80 and", "src host 1.2.3.4",
	};
	struct sf_capture_filter f, before;
	unsigned int i;

	(void)state;
	sf_capture_filter_init(&before);
	before.tcp_port = 7;
	for (i = 0; i < RTE_DIM(bad); i++) {
		f = before;
		err[0] = '\0';
		if (sf_capture_filter_parse(bad[i], &f, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_true(strstr(err, bad[i]) != NULL);
		/* left alone on error */
		assert_memory_equal(&f, &before, sizeof(f));
	}
}

/* ---- whole captures -----------------------------------------------------*/

static int
group_setup(void **state)
{
	struct sf_port_conf pc = { .nb_queues = 1, .nb_rxd = 128,
				   .nb_txd = 128, .link_wait_ms = 1000 };
	struct sf_port_info info;

	if (sf_test_setup(state) != 0)
		return -1;
	rxr = rte_ring_create("sf_tc_rx", 1024, SOCKET_ID_ANY,
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr = rte_ring_create("sf_tc_tx", 1024, SOCKET_ID_ANY,
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rxr == NULL || txr == NULL)
		return -1;
	port = rte_eth_from_rings("sf_tc_ring", &rxr, 1, &txr, 1,
				  SOCKET_ID_ANY);
	if (port < 0)
		return -1;
	ifc = rte_zmalloc(NULL, sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return -1;
	*ifc = *sf_t.ifc;
	ifc->port_id = (uint16_t)port;
	if (sf_port_init(ifc, &pc, sf_t.pool, &info) != 0)
		return -1;
	pool_full = rte_mempool_avail_count(sf_t.pool);
	snprintf(file, sizeof(file), "/tmp/sf_test_capture_%d.pcapng",
		 (int)getpid());
	return 0;
}

static int
group_teardown(void **state)
{
	unlink(file);
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
	while (rte_ring_dequeue(txr, &m) == 0)
		rte_pktmbuf_free(m);
	sf_capture_stop();
	sf_worker_free(w);
	/* the capture's copies never came from the data path's pool */
	assert_int_equal(rte_mempool_avail_count(sf_t.pool), pool_full);
	return 0;
}

/* Blocks of the capture file: section header first, the interface
 * blocks, then one EPB per frame; counts EPBs in each direction (the
 * flags option, RFC draft-tuexen-opsawg-pcapng §4.3: 1 in, 2 out). */
struct blocks {
	unsigned int shb, idb, epb, in, out;
	uint32_t first_len;	/* original length of the first frame */
};

static void
read_blocks(struct blocks *b)
{
	uint32_t hdr[2], *blk, olen, i;
	FILE *f = fopen(file, "rb");
	uint16_t code, len;

	memset(b, 0, sizeof(*b));
	assert_non_null(f);
	while (fread(hdr, sizeof(hdr), 1, f) == 1) {
		assert_true(hdr[1] >= 12 && hdr[1] % 4 == 0 &&
			    hdr[1] < 65536);
		blk = malloc(hdr[1]);
		assert_non_null(blk);
		memcpy(blk, hdr, sizeof(hdr));
		assert_int_equal(fread(blk + 2, hdr[1] - 8, 1, f), 1);
		/* trailing length repeats the leading one */
		assert_int_equal(blk[hdr[1] / 4 - 1], hdr[1]);
		if (hdr[0] == PCAPNG_SHB) {
			b->shb++;
		} else if (hdr[0] == PCAPNG_IDB) {
			b->idb++;
		} else if (hdr[0] == PCAPNG_EPB) {
			/* id, ts hi, ts lo, caplen, len, data, options */
			if (b->epb++ == 0)
				b->first_len = blk[6];
			i = 7 + (blk[5] + 3) / 4;
			while (i < hdr[1] / 4 - 1) {
				code = (uint16_t)blk[i];
				len = (uint16_t)(blk[i] >> 16);
				if (code == 0)
					break;
				olen = (len + 3u) / 4;
				if (code == 2 && (blk[i + 1] & 3) == 1)
					b->in++;
				if (code == 2 && (blk[i + 1] & 3) == 2)
					b->out++;
				i += 1 + olen;
			}
		}
		free(blk);
	}
	fclose(f);
	assert_int_equal(b->shb, 1);
}

static void
capture_start(const char *filter, uint64_t max_packets)
{
	struct sf_capture_conf cc = {
		.file = file, .max_packets = max_packets, .ring_size = 64,
	};

	assert_int_equal(sf_capture_filter_parse(filter, &cc.filter, err,
						 sizeof(err)), 0);
	assert_int_equal(sf_capture_start(&cc, &w, 1), 0);
	assert_true(sf_capture_active());
	/* this thread runs the worker: it has the ring at once */
	assert_non_null(w->cap);
}

/* @n echo requests in, their replies (and the first-poll ARP) out. */
static void
pings(unsigned int n)
{
	struct sf_test_ip o = { .eth_dst = &ifc->mac };
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(rte_ring_enqueue(rxr,
			sf_test_icmp_echo(&o, 5, (uint16_t)i, 64)), 0);
	sf_worker_poll(w);
	sf_worker_poll(w);
}

static void
test_capture_both_directions(void **state)
{
	struct sf_capture_stats st;
	struct blocks b;

	(void)state;
	capture_start("", 0);
	pings(3);
	sf_capture_poll();
	sf_capture_stats(&st);
	assert_true(st.active);
	/* 3 requests, 3 replies, 1 gratuitous ARP */
	assert_int_equal(st.packets, 7);
	assert_int_equal(st.drop_ring + st.drop_nombuf + st.drop_limit, 0);
	assert_int_equal(rte_ring_count(txr), 4);	/* sent all the same */
	assert_int_equal(sf_capture_stop(), 0);
	assert_null(w->cap);
	assert_false(sf_capture_active());
	assert_int_equal(sf_capture_stop(), -ENOENT);
	read_blocks(&b);
	assert_true(b.idb >= 1);
	assert_int_equal(b.epb, 7);
	assert_int_equal(b.in, 3);
	assert_int_equal(b.out, 4);
	assert_int_equal(b.first_len, 14 + 20 + 8 + 64);
	sf_capture_stats(&st);
	assert_false(st.active);
	assert_int_equal(st.packets, 7);
	assert_string_equal(st.file, file);
}

static void
test_capture_filter_selects(void **state)
{
	struct blocks b;

	(void)state;
	/* ICMP is not TCP: nothing */
	capture_start("tcp", 0);
	pings(2);
	assert_int_equal(sf_capture_stop(), 0);
	read_blocks(&b);
	assert_int_equal(b.epb, 0);
	/* the peer's address: the echoes both ways, and not the
	 * gratuitous ARP (sender and target are ours) */
	capture_start("host 198.18.0.1", 0);
	pings(2);
	assert_int_equal(sf_capture_stop(), 0);
	read_blocks(&b);
	assert_int_equal(b.epb, 4);
	assert_int_equal(b.in, 2);
	assert_int_equal(b.out, 2);
	/* another DPDK port: nothing (when this one is not port 0) */
	if (port != 0) {
		capture_start("iface 0", 0);
		pings(1);
		assert_int_equal(sf_capture_stop(), 0);
		read_blocks(&b);
		assert_int_equal(b.epb, 0);
	}
}

static void
test_capture_limit_stops(void **state)
{
	struct sf_capture_stats st;
	struct blocks b;

	(void)state;
	capture_start("", 2);
	pings(3);
	sf_capture_poll();
	/* the limit stopped it: the worker lost its ring */
	assert_false(sf_capture_active());
	assert_null(w->cap);
	sf_capture_stats(&st);
	assert_int_equal(st.packets, 2);
	assert_int_equal(st.drop_limit, 5);
	read_blocks(&b);
	assert_int_equal(b.epb, 2);
	/* and the frames went on */
	assert_int_equal(rte_ring_count(txr), 4);
}

static void
test_capture_ring_full_counts(void **state)
{
	struct sf_capture_stats st;
	struct sf_capture_conf cc = { .file = file, .ring_size = 4 };

	(void)state;
	sf_capture_filter_init(&cc.filter);
	assert_int_equal(sf_capture_start(&cc, &w, 1), 0);
	/* 10 requests in one burst, a 3-slot ring, nobody draining */
	pings(10);
	sf_capture_stats(&st);
	assert_int_equal(st.drop_ring, 21 - 3);
	assert_int_equal(sf_capture_stop(), 0);
	sf_capture_stats(&st);
	assert_int_equal(st.packets, 3);
	assert_int_equal(st.drop_ring, 21 - 3);
}

static void
test_capture_bad_start(void **state)
{
	struct sf_capture_conf cc = { .file = file };
	struct sf_worker *none = NULL;

	(void)state;
	sf_capture_filter_init(&cc.filter);
	assert_int_equal(sf_capture_start(&cc, &w, 0), -EINVAL);
	assert_int_equal(sf_capture_start(&cc, &none, 1), -EINVAL);
	cc.file = "";
	assert_int_equal(sf_capture_start(&cc, &w, 1), -EINVAL);
	cc.file = "/nonexistent-dir/x.pcapng";
	assert_int_equal(sf_capture_start(&cc, &w, 1), -ENOENT);
	assert_false(sf_capture_active());
	assert_null(w->cap_req);
	cc.file = file;
	cc.filter.port = RTE_MAX_ETHPORTS - 1;
	assert_int_equal(sf_capture_start(&cc, &w, 1), -EINVAL);
	sf_capture_filter_init(&cc.filter);
	assert_int_equal(sf_capture_start(&cc, &w, 1), 0);
	assert_int_equal(sf_capture_start(&cc, &w, 1), -EBUSY);
	assert_int_equal(sf_capture_stop(), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_filter_parse),
		cmocka_unit_test(test_capture_filter_errors),
		cmocka_unit_test(test_capture_stats_words),
		T(test_capture_both_directions),
		T(test_capture_filter_selects),
		T(test_capture_limit_stops),
		T(test_capture_ring_full_counts),
		T(test_capture_bad_start),
	};

	return cmocka_run_group_tests_name("capture", tests, group_setup,
					   group_teardown);
}
