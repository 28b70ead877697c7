/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One's-complement sums of a byte run, for lib/net's checksums and
 * tcp_output's header sums: the scalar loop and the AVX2 one, which
 * cksum.c chooses between at start-up, and the scalar loop inline for
 * short runs (headers, options). Each returns the sum of the run's native
 * 32-bit words (a last odd byte zero-padded), which folds to
 * __rte_raw_cksum's value; sums stay far below 2^64 for any frame. No
 * DPDK header here: cksum_avx2.c is built on its own.
 */
#ifndef SF_CKSUM_SIMD_H
#define SF_CKSUM_SIMD_H

#include <stdint.h>
#include <string.h>

/** Sum of @p len bytes at @p p: AVX2 for long runs where chosen. */
uint64_t sf_cksum_sum(const uint8_t *p, uint32_t len);

uint64_t sf_cksum_sum_scalar(const uint8_t *p, uint32_t len);
uint64_t sf_cksum_sum_avx2(const uint8_t *p, uint32_t len);

/** A 64-bit one's-complement sum folded to 16 bits (RFC 1071 end-around
 *  carry). */
static inline uint16_t
sf_cksum_fold64(uint64_t s)
{
	s = (s & UINT32_MAX) + (s >> 32);
	s = (s & UINT32_MAX) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/**
 * @p len bytes at @p p, eight at a time, unfolded: the sum of their native
 * 32-bit words (a last odd byte zero-padded), which folds to
 * __rte_raw_cksum()'s value. Each step adds under 2^33, so the sum cannot
 * overflow for any frame. The scalar loop of sf_cksum_sum() (cksum.c).
 */
static inline uint64_t
sf_cksum_raw(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint64_t s = 0, v;
	uint32_t v32;
	uint16_t v16;

	for (; len >= 8; b += 8, len -= 8) {
		memcpy(&v, b, sizeof(v));
		s += (v & UINT32_MAX) + (v >> 32);
	}
	if (len >= 4) {
		memcpy(&v32, b, sizeof(v32));
		s += v32;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&v16, b, sizeof(v16));
		s += v16;
		b += 2;
		len -= 2;
	}
	/* A last odd byte is the first byte of a zero-padded word. */
	if (len != 0) {
		const uint8_t pad[2] = { *b, 0 };

		memcpy(&v16, pad, sizeof(v16));
		s += v16;
	}
	return s;
}

/**
 * rte_raw_cksum()'s value (RFC 1071, folded to 16 bits; 0 only when every
 * byte is 0) for a short run such as an IPv4 header or TCP options,
 * inline: rte_raw_cksum() adds 16 bits a step
 * (scripts/bench/callgrind.sh counts the difference). A valid IPv4
 * header, its checksum included, sums to 0xffff.
 */
static inline uint16_t
sf_cksum_short(const void *p, uint32_t len)
{
	return sf_cksum_fold64(sf_cksum_raw(p, len));
}

#endif
