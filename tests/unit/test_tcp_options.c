/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP options (RFC 9293 §3.1, RFC 7323, RFC 2018): SYN layouts round trip,
 * a Linux SYN and data segment parse, SACK trimming, every malformed
 * length is refused, EOL and unknown kinds. */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "sf_common.h"
#include "sf_test.h"
#include "tcp_options.h"

static void
test_tcp_opts_syn_round_trip(void **state)
{
	static const int wscales[] = { -1, 0, 7, 14 };
	struct sf_tcp_opts o;
	uint8_t buf[SF_TCP_OPT_MAX];
	unsigned int w, sack_ok, ts, n, want;

	(void)state;
	for (w = 0; w < SF_ARRAY_SIZE(wscales); w++) {
		for (sack_ok = 0; sack_ok < 2; sack_ok++) {
			for (ts = 0; ts < 2; ts++) {
				memset(buf, 0xee, sizeof(buf));
				n = sf_tcp_opts_build_syn(buf, 1460,
					wscales[w], sack_ok, ts,
					0x01020304, 0xa0b0c0d0);
				want = 4 + (ts ? 12 : sack_ok ? 4 : 0) +
					(wscales[w] >= 0 ? 4 : 0);
				assert_int_equal(n, want);
				assert_int_equal(n % 4, 0);
				assert_int_equal(buf[n], 0xee);
				assert_int_equal(sf_tcp_opts_parse(buf, n, &o),
						 0);
				assert_true(o.present & SF_TCPOPT_MSS);
				assert_int_equal(o.mss, 1460);
				assert_int_equal(!!(o.present &
						    SF_TCPOPT_WSCALE),
						 wscales[w] >= 0);
				if (wscales[w] >= 0)
					assert_int_equal(o.wscale,
							 wscales[w]);
				assert_int_equal(!!(o.present &
						    SF_TCPOPT_SACKOK),
						 sack_ok);
				assert_int_equal(!!(o.present & SF_TCPOPT_TS),
						 ts);
				if (ts) {
					assert_int_equal(o.tsval, 0x01020304);
					assert_int_equal(o.tsecr, 0xa0b0c0d0);
				}
				assert_false(o.present & SF_TCPOPT_SACK);
				assert_int_equal(o.nb_sack, 0);
			}
		}
	}
}

/* The exact bytes Linux puts in a SYN: the layout the builder copies. */
static void
test_tcp_opts_linux_syn(void **state)
{
	static const uint8_t syn[] = {
		0x02, 0x04, 0x05, 0xb4,			/* MSS 1460 */
		0x04, 0x02,				/* SACKOK */
		0x08, 0x0a, 0x9a, 0xbc, 0xde, 0xf0,	/* TS */
		0x00, 0x00, 0x00, 0x00,
		0x01,					/* NOP */
		0x03, 0x03, 0x07,			/* WS 7 */
	};
	struct sf_tcp_opts o;
	uint8_t buf[SF_TCP_OPT_MAX];

	(void)state;
	assert_int_equal(sf_tcp_opts_parse(syn, sizeof(syn), &o), 0);
	assert_int_equal(o.present, SF_TCPOPT_MSS | SF_TCPOPT_SACKOK |
			 SF_TCPOPT_TS | SF_TCPOPT_WSCALE);
	assert_int_equal(o.mss, 1460);
	assert_int_equal(o.wscale, 7);
	assert_int_equal(o.tsval, 0x9abcdef0);
	assert_int_equal(o.tsecr, 0);
	assert_int_equal(sf_tcp_opts_build_syn(buf, 1460, 7, true, true,
					       0x9abcdef0, 0), sizeof(syn));
	assert_memory_equal(buf, syn, sizeof(syn));
}

static void
test_tcp_opts_syn_wscale_clamped(void **state)
{
	struct sf_tcp_opts o;
	uint8_t buf[SF_TCP_OPT_MAX];
	unsigned int n;

	(void)state;
	n = sf_tcp_opts_build_syn(buf, 536, 20, false, false, 0, 0);
	assert_int_equal(n, 8);
	assert_int_equal(sf_tcp_opts_parse(buf, n, &o), 0);
	assert_int_equal(o.wscale, SF_TCP_WSCALE_MAX);
	assert_int_equal(o.mss, 536);
}

/* NOP,NOP,TS: the options of every Linux data segment. */
static void
test_tcp_opts_nop_nop_ts(void **state)
{
	static const uint8_t seg[] = {
		0x01, 0x01, 0x08, 0x0a,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	};
	struct sf_tcp_opts o;
	uint8_t buf[SF_TCP_OPT_MAX];

	(void)state;
	memset(&o, 0xff, sizeof(o));
	assert_int_equal(sf_tcp_opts_parse(seg, sizeof(seg), &o), 0);
	assert_int_equal(o.present, SF_TCPOPT_TS);
	assert_int_equal(o.nb_sack, 0);
	assert_int_equal(o.tsval, 0x11223344);
	assert_int_equal(o.tsecr, 0x55667788);
	assert_int_equal(sf_tcp_opts_build(buf, true, 0x11223344, 0x55667788,
					   NULL, 0), sizeof(seg));
	assert_memory_equal(buf, seg, sizeof(seg));
	assert_int_equal(sf_tcp_opts_len(true, 0), sizeof(seg));
	assert_int_equal(sf_tcp_opts_len(false, 0), 0);
	assert_int_equal(sf_tcp_opts_build(buf, false, 0, 0, NULL, 0), 0);
	/* The fast path must not accept a truncated TS. */
	assert_int_equal(sf_tcp_opts_parse(seg, sizeof(seg) - 1, &o),
			 -EINVAL);
	/* Nor skip what follows it. */
	assert_int_equal(sf_tcp_opts_parse((const uint8_t[]){
		0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
		0x01, 0x01, 0x04, 0x00 }, 16, &o), -EINVAL);
}

static void
test_tcp_opts_sack_parse(void **state)
{
	struct sf_tcp_sack_block blk[SF_TCP_MAX_SACK];
	struct sf_tcp_opts o;
	uint8_t buf[SF_TCP_OPT_MAX];
	unsigned int nb, k, n, ts;

	(void)state;
	for (k = 0; k < SF_TCP_MAX_SACK; k++) {
		blk[k].left = 0x10000000 * (k + 1) + 0x1234;
		blk[k].right = blk[k].left + 1448 * (k + 1);
	}
	for (ts = 0; ts < 2; ts++) {
		for (nb = 1; nb <= SF_TCP_MAX_SACK; nb++) {
			n = sf_tcp_opts_build(buf, ts, 7, 9, blk, nb);
			assert_int_equal(n, sf_tcp_opts_len(ts, nb));
			assert_int_equal(n % 4, 0);
			assert_true(n <= SF_TCP_OPT_MAX);
			assert_int_equal(sf_tcp_opts_parse(buf, n, &o), 0);
			assert_int_equal(!!(o.present & SF_TCPOPT_TS), ts);
			assert_true(o.present & SF_TCPOPT_SACK);
			/* RFC 2018 §3: 3 blocks fit beside TS, 4 alone. */
			assert_int_equal(o.nb_sack,
					 ts ? RTE_MIN(nb, 3u) : nb);
			for (k = 0; k < o.nb_sack; k++) {
				assert_int_equal(o.sack[k].left,
						 blk[k].left);
				assert_int_equal(o.sack[k].right,
						 blk[k].right);
			}
		}
	}
	/* The wire bytes of one block, no TS. */
	n = sf_tcp_opts_build(buf, false, 0, 0, blk, 1);
	assert_int_equal(n, 12);
	assert_memory_equal(buf, ((const uint8_t[]){
		0x01, 0x01, 0x05, 0x0a, 0x10, 0x00, 0x12, 0x34,
		0x10, 0x00, 0x17, 0xdc }), 12);
}

static void
test_tcp_opts_sack_trim(void **state)
{
	struct sf_tcp_sack_block blk[SF_TCP_MAX_SACK + 2];
	struct sf_tcp_opts o;
	uint8_t buf[SF_TCP_OPT_MAX + 8];
	unsigned int k, n;

	(void)state;
	for (k = 0; k < SF_ARRAY_SIZE(blk); k++) {
		blk[k].left = 1000 * k;
		blk[k].right = 1000 * k + 500;
	}
	memset(buf, 0xee, sizeof(buf));
	n = sf_tcp_opts_build(buf, true, 1, 2, blk, 4);
	assert_int_equal(n, 12 + 4 + 3 * 8);
	assert_int_equal(n, SF_TCP_OPT_MAX);
	assert_int_equal(buf[n], 0xee);
	assert_int_equal(sf_tcp_opts_parse(buf, n, &o), 0);
	assert_int_equal(o.nb_sack, 3);
	assert_int_equal(o.sack[2].left, 2000);
	memset(buf, 0xee, sizeof(buf));
	n = sf_tcp_opts_build(buf, false, 0, 0, blk, SF_ARRAY_SIZE(blk));
	assert_int_equal(n, 4 + 4 * 8);
	assert_int_equal(buf[n], 0xee);
	assert_int_equal(sf_tcp_opts_len(false, 6), 36);
	assert_int_equal(sf_tcp_opts_len(true, 6), 40);
	assert_int_equal(sf_tcp_opts_parse(buf, n, &o), 0);
	assert_int_equal(o.nb_sack, 4);
	assert_int_equal(o.sack[3].right, 3500);
}

static void
expect_einval(const uint8_t *p, unsigned int len)
{
	struct sf_tcp_opts o;

	assert_int_equal(sf_tcp_opts_parse(p, len, &o), -EINVAL);
}

static void
test_tcp_opts_malformed(void **state)
{
	uint8_t sack[44];

	(void)state;
	/* Length 0 and 1 (RFC 9293 §3.1, MUST-7). */
	expect_einval((const uint8_t[]){ 0x01, 0xfe, 0x00, 0x00 }, 4);
	expect_einval((const uint8_t[]){ 0x02, 0x00, 0x05, 0xb4 }, 4);
	expect_einval((const uint8_t[]){ 0xfe, 0x01, 0x01, 0x01 }, 4);
	expect_einval((const uint8_t[]){ 0x04, 0x01 }, 2);
	/* Length byte missing. */
	expect_einval((const uint8_t[]){ 0x01, 0x01, 0x01, 0x02 }, 4);
	expect_einval((const uint8_t[]){ 0xfe }, 1);
	/* Option past the end of the area. */
	expect_einval((const uint8_t[]){ 0x01, 0xfe, 0x04, 0x00 }, 4);
	expect_einval((const uint8_t[]){ 0x02, 0x04, 0x05 }, 3);
	/* Wrong lengths for MSS, WS, SACKOK. */
	expect_einval((const uint8_t[]){ 0x02, 0x03, 0x05, 0x01 }, 4);
	expect_einval((const uint8_t[]){ 0x02, 0x06, 0x05, 0xb4, 0, 0 }, 6);
	expect_einval((const uint8_t[]){ 0x03, 0x04, 0x07, 0x00 }, 4);
	expect_einval((const uint8_t[]){ 0x03, 0x02, 0x01, 0x00 }, 4);
	expect_einval((const uint8_t[]){ 0x04, 0x03, 0x00, 0x00 }, 4);
	/* Truncated TS: short length, and a full one cut by the area. */
	expect_einval((const uint8_t[]){ 0x08, 0x08, 0, 0, 0, 1, 0, 2 }, 8);
	expect_einval((const uint8_t[]){ 0x08, 0x0a, 0, 0, 0, 1, 0, 2 }, 8);
	expect_einval((const uint8_t[]){
		0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0 }, 11);
	/* SACK: 2 + 8n only, n in 1..4 (RFC 2018 §3). */
	memset(sack, 0, sizeof(sack));
	sack[0] = 0x05;
	sack[1] = 10;
	assert_int_equal(sf_tcp_opts_parse(sack, 10,
					   &(struct sf_tcp_opts){ 0 }), 0);
	sack[1] = 2;
	expect_einval(sack, 4);
	sack[1] = 11;
	expect_einval(sack, 12);
	sack[1] = 42;		/* five blocks: too many even with room */
	expect_einval(sack, sizeof(sack));
	sack[1] = 10;		/* one block past a 8-byte area */
	expect_einval(sack, 8);
	/* After a good option too. */
	expect_einval((const uint8_t[]){
		0x02, 0x04, 0x05, 0xb4, 0x05, 0x0a, 0, 0 }, 8);
}

static void
test_tcp_opts_eol_and_unknown(void **state)
{
	struct sf_tcp_opts o;

	(void)state;
	assert_int_equal(sf_tcp_opts_parse(NULL, 0, &o), 0);
	assert_int_equal(o.present, 0);
	/* EOL ends parsing: the garbage after it is padding. */
	assert_int_equal(sf_tcp_opts_parse((const uint8_t[]){
		0x02, 0x04, 0x05, 0xb4, 0x00, 0x03, 0x00, 0x00 }, 8, &o), 0);
	assert_int_equal(o.present, SF_TCPOPT_MSS);
	assert_int_equal(sf_tcp_opts_parse((const uint8_t[]){
		0x00, 0x02, 0x04, 0x05, 0xb4 }, 5, &o), 0);
	assert_int_equal(o.present, 0);
	/* Only NOPs. */
	assert_int_equal(sf_tcp_opts_parse((const uint8_t[]){
		0x01, 0x01, 0x01, 0x01 }, 4, &o), 0);
	assert_int_equal(o.present, 0);
	/* Kind 254 (RFC 6994 experimental), length 4, skipped. */
	assert_int_equal(sf_tcp_opts_parse((const uint8_t[]){
		0xfe, 0x04, 0xf9, 0x89, 0x03, 0x03, 0x05, 0x00 }, 8, &o), 0);
	assert_int_equal(o.present, SF_TCPOPT_WSCALE);
	assert_int_equal(o.wscale, 5);
	/* Unknown kind of length 2 at the end, after NOP,NOP,TS. */
	assert_int_equal(sf_tcp_opts_parse((const uint8_t[]){
		0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
		0x01, 0x01, 0x1e, 0x02 }, 16, &o), 0);
	assert_int_equal(o.present, SF_TCPOPT_TS);
	assert_int_equal(o.tsval, 1);
	assert_int_equal(o.tsecr, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_opts_syn_round_trip),
		cmocka_unit_test(test_tcp_opts_linux_syn),
		cmocka_unit_test(test_tcp_opts_syn_wscale_clamped),
		cmocka_unit_test(test_tcp_opts_nop_nop_ts),
		cmocka_unit_test(test_tcp_opts_sack_parse),
		cmocka_unit_test(test_tcp_opts_sack_trim),
		cmocka_unit_test(test_tcp_opts_malformed),
		cmocka_unit_test(test_tcp_opts_eol_and_unknown),
	};

	return cmocka_run_group_tests(tests, sf_test_eal_setup, NULL);
}
