/* SPDX-License-Identifier: BSD-3-Clause */
/* ISNs (RFC 6528 §3) and SipHash-2-4: the reference vectors, ISN
 * determinism, dependence on tuple and key, the 4-microsecond timer. */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "sf_common.h"
#include "sf_test.h"
#include "tcp_isn.h"

/* 198.18.0.2 and 198.18.0.1; RTE_IPV4() shifts an int past its sign bit. */
#define LADDR RTE_BE32(UINT32_C(0xc6120002))
#define RADDR RTE_BE32(UINT32_C(0xc6120001))
#define LPORT RTE_BE16(80)
#define RPORT RTE_BE16(40000)

/* The SipHash paper's key: bytes 00..0f, read little-endian. */
static const struct sf_tcp_isn_key ref_key = {
	.k0 = UINT64_C(0x0706050403020100),
	.k1 = UINT64_C(0x0f0e0d0c0b0a0908),
};

static void
test_siphash24_reference(void **state)
{
	/* Tags of messages 00 01 .. (len-1), from the reference
	 * implementation's vectors.h; len 15 is the paper's Appendix A. */
	static const struct {
		size_t len;
		uint64_t tag;
	} vec[] = {
		{ 0, UINT64_C(0x726fdb47dd0e0e31) },
		{ 1, UINT64_C(0x74f839c593dc67fd) },
		{ 7, UINT64_C(0xab0200f58b01d137) },
		{ 8, UINT64_C(0x93f5f5799a932462) },
		{ 15, UINT64_C(0xa129ca6149be45e5) },
		{ 16, UINT64_C(0x3f2acc7f57c29bdb) },
		{ 63, UINT64_C(0x958a324ceb064572) },
	};
	uint8_t msg[64];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(sf_siphash24(&ref_key, msg, 15),
			 UINT64_C(0xa129ca6149be45e5));
	for (i = 0; i < SF_ARRAY_SIZE(vec); i++)
		assert_int_equal(sf_siphash24(&ref_key, msg, vec[i].len),
				 vec[i].tag);
	/* Unaligned input gives the same tag. */
	memmove(msg + 1, msg, 15);
	assert_int_equal(sf_siphash24(&ref_key, msg + 1, 15),
			 UINT64_C(0xa129ca6149be45e5));
}

static void
test_tcp_isn_deterministic(void **state)
{
	uint32_t a, b;

	(void)state;
	a = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, 123456789);
	b = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, 123456789);
	assert_int_equal(a, b);
	/* Within one 4 us tick M does not move. */
	b = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, 123456788);
	assert_int_equal(a, b);
}

static void
test_tcp_isn_tuple(void **state)
{
	const uint64_t t = 1000000;
	uint32_t isn[6];
	unsigned int i, j;

	(void)state;
	isn[0] = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, t);
	isn[1] = sf_tcp_isn(&ref_key, LADDR ^ RTE_BE32(1), LPORT, RADDR,
			    RPORT, t);
	isn[2] = sf_tcp_isn(&ref_key, LADDR, RTE_BE16(81), RADDR, RPORT, t);
	isn[3] = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR ^ RTE_BE32(1),
			    RPORT, t);
	isn[4] = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RTE_BE16(40001),
			    t);
	/* The reverse direction is another connection's ISN. */
	isn[5] = sf_tcp_isn(&ref_key, RADDR, RPORT, LADDR, LPORT, t);
	for (i = 0; i < SF_ARRAY_SIZE(isn); i++)
		for (j = i + 1; j < SF_ARRAY_SIZE(isn); j++)
			assert_int_not_equal(isn[i], isn[j]);
}

/* RFC 6528 §3: M ticks every 4 microseconds, modulo 2^32. */
static void
test_tcp_isn_timer(void **state)
{
	static const uint64_t dt[] = {
		4, 400, 4000000, UINT64_C(1) << 33, UINT64_C(3) << 34,
	};
	const uint64_t t0 = UINT64_C(5000000000);
	uint32_t base, isn;
	unsigned int i;

	(void)state;
	base = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, t0);
	for (i = 0; i < SF_ARRAY_SIZE(dt); i++) {
		isn = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT,
				 t0 + dt[i]);
		assert_int_equal((uint32_t)(isn - base),
				 (uint32_t)(dt[i] / 4));
	}
	/* F alone: at time 0 the ISN is the truncated hash of the tuple. */
	isn = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, 0);
	assert_int_equal(isn - base, (uint32_t)0 - (uint32_t)(t0 / 4));
	/* Seconds later it has advanced by 250000 per second. */
	isn = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, t0 + 3000000);
	assert_true(SF_SEQ_GT(isn, base));
	assert_int_equal(isn - base, 750000);
}

static void
test_tcp_isn_key(void **state)
{
	struct sf_tcp_isn_key k1, k2;
	uint32_t a, b, c;

	(void)state;
	assert_int_equal(sf_tcp_isn_key_init(NULL), -EINVAL);
	assert_int_equal(sf_tcp_isn_key_init(&k1), 0);
	assert_int_equal(sf_tcp_isn_key_init(&k2), 0);
	assert_true(k1.k0 != k2.k0 || k1.k1 != k2.k1);
	assert_true(k1.k0 != 0 || k1.k1 != 0);
	a = sf_tcp_isn(&k1, LADDR, LPORT, RADDR, RPORT, 42);
	b = sf_tcp_isn(&k2, LADDR, LPORT, RADDR, RPORT, 42);
	c = sf_tcp_isn(&ref_key, LADDR, LPORT, RADDR, RPORT, 42);
	assert_int_not_equal(a, b);
	assert_int_not_equal(a, c);
	assert_int_not_equal(b, c);
	assert_int_equal(a, sf_tcp_isn(&k1, LADDR, LPORT, RADDR, RPORT, 42));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash24_reference),
		cmocka_unit_test(test_tcp_isn_deterministic),
		cmocka_unit_test(test_tcp_isn_tuple),
		cmocka_unit_test(test_tcp_isn_timer),
		cmocka_unit_test(test_tcp_isn_key),
	};

	return cmocka_run_group_tests(tests, sf_test_eal_setup, NULL);
}
