/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 input validation (RFC 1122 §3.2.1): every malformed or foreign
 * packet is dropped with exactly its counter, nothing is answered, no mbuf
 * leaks; Ethernet padding is trimmed, not mistaken for data. */
#include <errno.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "cksum_simd.h"
#include "sf_test.h"

/* Send one echo built from @o and check it was dropped by @counter. */
static void
expect_drop(const struct sf_test_ip *o, const char *counter)
{
	sf_test_input(sf_test_icmp_echo(o, 7, 1, 32));
	assert_int_equal(sf_test_counter(counter), 1);
	assert_int_equal(sf_test_counter("icmp_rx_echo"), 0);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_ipv4_bad_version(void **state)
{
	struct sf_test_ip o = { .version = 6 };

	(void)state;
	expect_drop(&o, "ip_drop_version");
}

static void
test_ipv4_ihl_too_small(void **state)
{
	struct sf_test_ip o = { .ihl = 3 };

	(void)state;
	expect_drop(&o, "ip_drop_ihl");
}

static void
test_ipv4_ihl_past_frame(void **state)
{
	uint8_t hdr[20];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)hdr;

	(void)state;
	/* IHL 15 says 60 header bytes; the frame holds 20. */
	memset(hdr, 0, sizeof(hdr));
	ip->version_ihl = 0x4f;
	ip->total_length = RTE_BE16(60);
	ip->time_to_live = 64;
	ip->src_addr = SF_TEST_PEER_IP;
	ip->dst_addr = SF_TEST_OUR_IP;
	sf_test_input(sf_test_eth(&SF_TEST_OUR_MAC, &SF_TEST_PEER_MAC,
				  RTE_ETHER_TYPE_IPV4, hdr, sizeof(hdr)));
	assert_int_equal(sf_test_counter("ip_drop_ihl"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_ipv4_bad_header_csum(void **state)
{
	struct sf_test_ip o = { .bad_csum = true };

	(void)state;
	expect_drop(&o, "ip_drop_csum");
}

static void
test_ipv4_nic_says_bad_csum(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	/* With RX offload the NIC's verdict is trusted both ways. */
	sf_t.ifc->rx_csum = true;
	m = sf_test_icmp_echo(NULL, 7, 1, 32);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	sf_test_input(m);
	assert_int_equal(sf_test_counter("ip_drop_csum"), 1);

	m = sf_test_icmp_echo(&(struct sf_test_ip){ .bad_csum = true }, 7, 2,
			      32);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	sf_test_input(m);
	assert_int_equal(sf_test_counter("ip_drop_csum"), 1);
	assert_int_equal(sf_test_counter("icmp_tx_echo_reply"), 1);
}

static void
test_ipv4_total_length_past_frame(void **state)
{
	struct sf_test_ip o = { .len_delta = 100 };

	(void)state;
	expect_drop(&o, "ip_drop_len");
}

static void
test_ipv4_total_length_below_header(void **state)
{
	struct sf_test_ip o = { .len_delta = -(8 + 32 + 1) };

	(void)state;
	/* total = 19 < 20 header bytes */
	expect_drop(&o, "ip_drop_len");
}

static void
test_ipv4_fragments(void **state)
{
	struct sf_test_ip mf = { .frag = RTE_IPV4_HDR_MF_FLAG };
	struct sf_test_ip off = { .frag = 185 };

	(void)state;
	sf_test_input(sf_test_icmp_echo(&mf, 7, 1, 32));
	sf_test_input(sf_test_icmp_echo(&off, 7, 2, 32));
	assert_int_equal(sf_test_counter("ip_drop_frag"), 2);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_ipv4_df_is_not_a_fragment(void **state)
{
	struct sf_test_ip df = { .frag = RTE_IPV4_HDR_DF_FLAG };

	(void)state;
	sf_test_input(sf_test_icmp_echo(&df, 7, 1, 32));
	assert_int_equal(sf_test_counter("ip_drop_frag"), 0);
	assert_int_equal(sf_t.ncap, 1);
}

static void
test_ipv4_ttl_zero(void **state)
{
	struct sf_test_ip o = { .ttl_zero = true };

	(void)state;
	expect_drop(&o, "ip_drop_ttl");
}

static void
test_ipv4_not_for_us(void **state)
{
	struct sf_test_ip o = { .dst = RTE_BE32(RTE_IPV4(198, 18, 0, 9)) };
	struct sf_test_ip b = { .dst = RTE_BE32(RTE_IPV4(198, 18, 0, 255)) };

	(void)state;
	sf_test_input(sf_test_icmp_echo(&o, 7, 1, 32));
	sf_test_input(sf_test_icmp_echo(&b, 7, 1, 32));
	assert_int_equal(sf_test_counter("ip_drop_not_us"), 2);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_ipv4_bad_sources(void **state)
{
	static const uint32_t srcs[] = {
		RTE_BE32(RTE_IPV4(255, 255, 255, 255)),
		RTE_BE32(RTE_IPV4(224, 0, 0, 1)),
		RTE_BE32(RTE_IPV4(127, 0, 0, 1)),
		RTE_BE32(RTE_IPV4(198, 18, 0, 255)),	/* subnet broadcast */
		SF_TEST_OUR_IP,				/* LAND */
	};
	struct sf_test_ip o = { 0 };
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(srcs); i++) {
		o.src = srcs[i];
		sf_test_input(sf_test_icmp_echo(&o, 7, (uint16_t)i, 32));
	}
	assert_int_equal(sf_test_counter("ip_drop_bad_src"), RTE_DIM(srcs));
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_ipv4_unknown_protocol(void **state)
{
	struct sf_test_ip o = { .proto = IPPROTO_UDP };
	uint8_t udp[16] = { 0 };

	(void)state;
	sf_test_input(sf_test_ipv4(&o, udp, sizeof(udp)));
	assert_int_equal(sf_test_counter("ip_drop_proto"), 1);
	assert_int_equal(sf_t.ncap, 0);
}

static void
test_ipv4_padding_trimmed(void **state)
{
	struct sf_test_ip o = { .pad = 20 };
	struct rte_ipv4_hdr *ip;

	(void)state;
	/* A 14 + 20 + 8 + 4 = 46 byte echo padded to 66: answered, and the
	 * reply carries the packet, not the padding. */
	sf_test_input(sf_test_icmp_echo(&o, 7, 1, 4));
	assert_int_equal(sf_test_counter("icmp_tx_echo_reply"), 1);
	assert_int_equal(sf_t.ncap, 1);
	assert_int_equal(sf_t.cap[0]->pkt_len, 14 + 20 + 8 + 4);
	ip = rte_pktmbuf_mtod_offset(sf_t.cap[0], struct rte_ipv4_hdr *, 14);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 8 + 4);
}

/* The sum of a chain (sf_cksum_chain) equals that of the same bytes in
 * one buffer, whatever the segment lengths: odd lengths shift later
 * segments by one byte (DPDK 22.11's rte_raw_cksum_mbuf got these
 * wrong). */
static void
test_ipv4_l4_cksum_chain(void **state)
{
	static const uint16_t splits[][4] = {
		{ 40, 0 }, { 41, 1448, 0 }, { 20, 1, 3, 0 },
		{ 27, 999, 1, 0 }, { 21, 2, 3, 0 },
	};
	uint8_t buf[20 + 1600];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	struct rte_mbuf *head, *m, *tail;
	uint32_t i, j, n, off, len = 1600, want, got;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = SF_TEST_PEER_IP;
	ip->dst_addr = SF_TEST_OUR_IP;
	/* Reference: one contiguous buffer. */
	want = rte_raw_cksum(buf, 20 + len);
	for (i = 0; i < RTE_DIM(splits); i++) {
		head = tail = NULL;
		off = 0;
		for (j = 0; off < 20 + len; j++) {
			n = (j < 4 && splits[i][j] != 0) ? splits[i][j] :
				20 + len - off;
			n = RTE_MIN(n, 20 + len - off);
			n = RTE_MIN(n, 1024u);
			m = rte_pktmbuf_alloc(sf_t.pool);
			assert_non_null(m);
			memcpy(rte_pktmbuf_append(m, (uint16_t)n), buf + off, n);
			if (head == NULL) {
				head = m;
			} else {
				tail->next = m;
				head->nb_segs++;
				head->pkt_len += n;
			}
			tail = m;
			off += n;
		}
		got = sf_cksum_chain(head);
		assert_int_equal(got, want);
		rte_pktmbuf_free(head);
	}
}

/* A first segment holding an IPv4 header of @hl bytes (options zeroed)
 * for a TCP payload of @plen bytes. */
static struct rte_mbuf *
ip_head_seg(uint16_t hl, uint32_t plen, struct rte_ipv4_hdr **ipp)
{
	struct rte_mbuf *h = rte_pktmbuf_alloc(sf_t.pool);
	struct rte_ipv4_hdr ip;
	char *p;

	assert_non_null(h);
	memset(&ip, 0, sizeof(ip));
	ip.version_ihl = 0x45;
	ip.next_proto_id = IPPROTO_TCP;
	ip.src_addr = SF_TEST_PEER_IP;
	ip.dst_addr = SF_TEST_OUR_IP;
	ip.total_length = rte_cpu_to_be_16((uint16_t)(hl + plen));
	p = rte_pktmbuf_append(h, hl);
	assert_non_null(p);
	memset(p, 0, hl);
	memcpy(p, &ip, sizeof(ip));
	*ipp = (struct rte_ipv4_hdr *)p;
	return h;
}

/* Chain to @h an indirect mbuf of bytes [off, off + len) of @master. */
static void
chain_slice(struct rte_mbuf *h, struct rte_mbuf *master, uint16_t off,
	    uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sf_t.pool);

	assert_non_null(m);
	rte_pktmbuf_attach(m, master);
	m->data_off = off;
	m->data_len = len;
	m->pkt_len = len;
	assert_int_equal(rte_pktmbuf_chain(h, m), 0);
}

/* A segment whose payload slices a master with a checksum table (the HTTP
 * server's body) gets the same checksum as one that sums every byte: any
 * offset and length, odd or even, within a block or across many. The
 * master is filled after one slice's table was computed to show that the
 * table, not the bytes, gave the result. */
static void
test_ipv4_l4_cksum_table(void **state)
{
	enum { LEN = 8192 };
	struct rte_mempool *mp, *rp;
	struct rte_mbuf *master, *h;
	struct rte_ipv4_hdr *ip;
	uint8_t ref[20 + 2 * LEN], *p;
	uint32_t i, a, n, n2, want, got, x = 12345;

	(void)state;
	mp = rte_pktmbuf_pool_create("t_cktab", 4, 0, SF_CKSUM_PRIV_SIZE,
				     LEN + SF_CKSUM_TABLE_ROOM(LEN),
				     SOCKET_ID_ANY);
	assert_non_null(mp);
	master = rte_pktmbuf_alloc(mp);
	assert_non_null(master);
	master->data_off = 0;
	p = (uint8_t *)rte_pktmbuf_append(master, LEN);
	assert_non_null(p);
	for (i = 0; i < LEN; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
	assert_int_equal(sf_cksum_table_attach(master), 0);
	/* a plain mbuf (no private area) is refused */
	h = rte_pktmbuf_alloc(sf_t.pool);
	assert_non_null(h);
	assert_int_equal(sf_cksum_table_attach(h), -EINVAL);
	rte_pktmbuf_free(h);

	for (i = 0; i < 2000; i++) {
		x = x * 1103515245u + 12345u;
		a = (x >> 8) % LEN;
		x = x * 1103515245u + 12345u;
		n = 1 + (x >> 8) % RTE_MIN(1500u, LEN - a);
		x = x * 1103515245u + 12345u;
		/* a second piece after the first, as two send-queue mbufs */
		n2 = i % 3 == 0 ? 0 : 1 + (x >> 8) % RTE_MIN(300u, LEN - a);
		h = ip_head_seg((uint16_t)(20 + i % 7), n + n2, &ip);
		chain_slice(h, master, (uint16_t)a, (uint16_t)n);
		if (n2 != 0)
			chain_slice(h, master, (uint16_t)a, (uint16_t)n2);
		memcpy(ref, ip, 20 + i % 7);
		memcpy(ref + 20 + i % 7, p + a, n);
		memcpy(ref + 20 + i % 7 + n, p + a, n2);
		want = rte_raw_cksum(ref, 20 + i % 7 + n + n2);
		got = sf_cksum_chain(h);
		assert_int_equal(got, want);
		rte_pktmbuf_free(h);
	}
	/* The table is what is read: change the bytes under a long slice
	 * and the sum stays that of the bytes it was built from. */
	h = ip_head_seg(20, 1024, &ip);
	chain_slice(h, master, 64, 1024);
	want = sf_cksum_chain(h);
	p[256] ^= 0xff;
	assert_int_equal(sf_cksum_chain(h), want);
	rte_pktmbuf_free(h);
	/* A pinned reference to the same bytes reads the same table. */
	rp = sf_mbuf_ref_pool_create("t_cktab_ref", 3, SOCKET_ID_ANY);
	assert_non_null(rp);
	h = ip_head_seg(20, 1024, &ip);
	assert_int_equal(rte_pktmbuf_chain(h, sf_mbuf_ref(rp, master, 64,
							  1024)), 0);
	assert_int_equal(sf_cksum_chain(h), want);
	assert_int_equal(rte_mbuf_refcnt_read(master), 1);
	rte_pktmbuf_free(h);
	assert_int_equal(rte_mempool_avail_count(rp), 3);
	sf_mbuf_ref_pool_free(rp);
	rte_pktmbuf_free(master);
	rte_mempool_free(mp);
}

/* The receive check accepts a segment whose checksum is right and
 * refuses one with any byte changed, for every length from an empty
 * segment to a full one (odd tails included), in one buffer and split in
 * two at an odd offset; it agrees with DPDK's own verify throughout. */
static void
test_ipv4_l4_cksum_ok(void **state)
{
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m, *m2;
	uint32_t len, k, x = 777;
	uint16_t *ck;
	uint8_t *p;

	(void)state;
	for (len = 20; len <= 1480; len += (len < 120 ? 1 : 37)) {
		m = rte_pktmbuf_alloc(sf_t.pool);
		assert_non_null(m);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + 20 + len));
		assert_non_null(p);
		for (k = 0; k < 14 + 20 + len; k++) {
			x = x * 1103515245u + 12345u;
			p[k] = (uint8_t)(x >> 16);
		}
		ip = (struct rte_ipv4_hdr *)(p + 14);
		ip->version_ihl = 0x45;
		ip->next_proto_id = IPPROTO_TCP;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
		ck = (uint16_t *)(void *)(p + 14 + 20 + 16);
		*ck = 0;
		*ck = rte_ipv4_udptcp_cksum(ip, p + 14 + 20);
		assert_true(sf_ipv4_l4_cksum_ok(m, ip, 14 + 20));
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip,
						p + 14 + 20), 0);
		/* a changed byte of the payload, the header or the
		 * pseudo-header (the source address) */
		k = 14 + 20 + (x >> 8) % len;
		p[k] ^= 0x10;
		assert_false(sf_ipv4_l4_cksum_ok(m, ip, 14 + 20));
		p[k] ^= 0x10;
		ip->src_addr ^= RTE_BE32(0x100);
		assert_false(sf_ipv4_l4_cksum_ok(m, ip, 14 + 20));
		ip->src_addr ^= RTE_BE32(0x100);
		/* the same frame in two segments, split at an odd offset */
		k = 14 + 20 + 1 + 2 * ((x >> 4) % (len / 2));
		if (k < 14 + 20 + len) {
			m2 = rte_pktmbuf_alloc(sf_t.pool);
			assert_non_null(m2);
			memcpy(rte_pktmbuf_append(m2,
				(uint16_t)(14 + 20 + len - k)), p + k,
			       14 + 20 + len - k);
			rte_pktmbuf_trim(m, (uint16_t)(14 + 20 + len - k));
			assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
			assert_true(sf_ipv4_l4_cksum_ok(m, ip, 14 + 20));
			p[14 + 20] ^= 1;	/* in the first segment */
			assert_false(sf_ipv4_l4_cksum_ok(m, ip, 14 + 20));
		}
		rte_pktmbuf_free(m);
	}
}

/* The AVX2 sum and the dispatching one fold to DPDK's __rte_raw_cksum for
 * every start offset within a 64-byte line and every length through the
 * vector loop's 64- and 32-byte steps and scalar tail, on random bytes and
 * on all-ones bytes (the largest sums, where a lost carry would show). */
static void
test_cksum_sum_avx2(void **state)
{
	static uint8_t buf[64 + 9100];
	uint32_t off, len, k, x = 4242, want;
	int fill;

	(void)state;
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) <= 0)
		skip();
	for (fill = 0; fill < 2; fill++) {
		for (k = 0; k < sizeof(buf); k++) {
			x = x * 1103515245u + 12345u;
			buf[k] = fill ? 0xff : (uint8_t)(x >> 16);
		}
		for (off = 0; off < 64; off += (off < 8 ? 1 : 13)) {
			for (len = 0; len <= 9000;
			     len += (len < 300 ? 1 : 331)) {
				want = __rte_raw_cksum_reduce(
					__rte_raw_cksum(buf + off, len, 0));
				assert_int_equal(sf_cksum_fold64(
					sf_cksum_sum_avx2(buf + off, len)), want);
				assert_int_equal(sf_cksum_fold64(
					sf_cksum_sum_scalar(buf + off, len)), want);
				assert_int_equal(sf_cksum_fold64(
					sf_cksum_sum(buf + off, len)), want);
			}
		}
	}
}

/* sf_cksum_short() is rte_raw_cksum()'s value at every length up to an
 * IPv4 header's 60 bytes, and input checks the options' words too. */
static void
test_ipv4_hdr_sum(void **state)
{
	union {
		uint8_t b[60];
		uint32_t w[15];
	} h;
	uint64_t s = 0x5eed;
	unsigned int r, len, i;
	struct rte_mbuf *m;

	(void)state;
	for (r = 0; r < 2000; r++) {
		for (i = 0; i < sizeof(h.b); i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			h.b[i] = (uint8_t)(s >> 56);
		}
		if (r < 2)
			memset(h.b, r == 0 ? 0x00 : 0xff, sizeof(h.b));
		for (len = 0; len <= 60; len++)
			assert_int_equal(sf_cksum_short(h.b, len),
					 rte_raw_cksum(h.b, len));
	}
	/* 40 bytes of options: answered; its last option byte changed
	 * after the checksum was made: dropped. */
	sf_test_input(sf_test_icmp_echo(&(struct sf_test_ip){ .ihl = 15 },
					7, 1, 32));
	assert_int_equal(sf_test_counter("icmp_tx_echo_reply"), 1);
	m = sf_test_icmp_echo(&(struct sf_test_ip){ .ihl = 15 }, 7, 2, 32);
	*rte_pktmbuf_mtod_offset(m, uint8_t *,
				 sizeof(struct rte_ether_hdr) + 59) ^= 0x01;
	sf_test_input(m);
	assert_int_equal(sf_test_counter("ip_drop_csum"), 1);
	assert_int_equal(sf_test_counter("icmp_tx_echo_reply"), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_test_setup, \
					      sf_test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ipv4_bad_version),
		T(test_ipv4_ihl_too_small),
		T(test_ipv4_ihl_past_frame),
		T(test_ipv4_bad_header_csum),
		T(test_ipv4_hdr_sum),
		T(test_ipv4_nic_says_bad_csum),
		T(test_ipv4_total_length_past_frame),
		T(test_ipv4_total_length_below_header),
		T(test_ipv4_fragments),
		T(test_ipv4_df_is_not_a_fragment),
		T(test_ipv4_ttl_zero),
		T(test_ipv4_not_for_us),
		T(test_ipv4_bad_sources),
		T(test_ipv4_unknown_protocol),
		T(test_ipv4_padding_trimmed),
		T(test_ipv4_l4_cksum_chain),
		T(test_ipv4_l4_cksum_table),
		T(test_ipv4_l4_cksum_ok),
		T(test_cksum_sum_avx2),
	};

	return cmocka_run_group_tests_name("net_ipv4", tests, NULL, NULL);
}
