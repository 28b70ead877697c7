/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unfolded one's-complement sums of a byte run (lib/net internal): the
 * scalar loop and the AVX2 one, which cksum.c chooses between at
 * start-up. Both return the sum of the run's native 32-bit words (a last
 * odd byte zero-padded), which folds to __rte_raw_cksum's value. Sums
 * stay far below 2^64 for any frame.
 */
#ifndef SF_CKSUM_SIMD_H
#define SF_CKSUM_SIMD_H

#include <stdint.h>

/** Sum of @p len bytes at @p p: AVX2 for long runs where chosen. */
uint64_t sf_cksum_sum(const uint8_t *p, uint32_t len);

uint64_t sf_cksum_sum_scalar(const uint8_t *p, uint32_t len);
uint64_t sf_cksum_sum_avx2(const uint8_t *p, uint32_t len);

/* A 64-bit sum folded to 16 bits (RFC 1071 end-around carry). */
static inline uint16_t
sf_cksum_fold64(uint64_t s)
{
	s = (s & UINT32_MAX) + (s >> 32);
	s = (s & UINT32_MAX) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif
