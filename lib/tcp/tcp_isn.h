/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TCP_ISN_H
#define SF_TCP_ISN_H

/*
 * Initial sequence numbers per RFC 6528 §3: ISN = M + F(4-tuple, key),
 * M a timer ticking every 4 microseconds, F SipHash-2-4 (Aumasson and
 * Bernstein, 2012) truncated to 32 bits. The caller owns the key: fill it
 * once with sf_tcp_isn_key_init() on the control path, then share it
 * read-only with every worker, so that any lcore computes the same ISN for
 * a tuple. sf_tcp_isn() and sf_siphash24() are pure functions: no state,
 * no allocation, no failure; the caller supplies the clock.
 */

#include <stddef.h>
#include <stdint.h>

/**
 * SipHash key: the 128-bit key k of the SipHash paper, k0 its first eight
 * bytes read little-endian, k1 the last eight.
 */
struct sf_tcp_isn_key {
	uint64_t k0;
	uint64_t k1;
};

/**
 * Fill a key with random bits from getrandom(2), or from rte_rand() when
 * the kernel cannot supply them (weaker: rte_rand is not a CSPRNG; a
 * warning is logged). May block at early boot until the kernel's pool is
 * seeded. Control path.
 *
 * @param key
 *   The key to fill.
 * @return
 *   0 on success;
 *   -EINVAL if @p key is NULL.
 */
int
sf_tcp_isn_key_init(struct sf_tcp_isn_key *key);

/**
 * The ISN of a new connection (RFC 6528 §3). Addresses and ports are in
 * network order, as on the wire; "local" is this end whichever side opens.
 *
 * @param key
 *   Secret key, from sf_tcp_isn_key_init().
 * @param laddr
 *   Local IPv4 address.
 * @param lport
 *   Local port.
 * @param raddr
 *   Remote IPv4 address.
 * @param rport
 *   Remote port.
 * @param now_us
 *   Microseconds from any monotonic clock; M is now_us / 4 modulo 2^32.
 * @return
 *   The ISN, host order.
 */
uint32_t
sf_tcp_isn(const struct sf_tcp_isn_key *key, uint32_t laddr, uint16_t lport,
	   uint32_t raddr, uint16_t rport, uint64_t now_us);

/**
 * SipHash-2-4 with a 64-bit output, as in the SipHash paper. Exposed for
 * tests and for SYN cookies.
 *
 * @param key
 *   The 128-bit key.
 * @param data
 *   Message; may be NULL when @p len is 0.
 * @param len
 *   Message length in bytes.
 * @return
 *   The 64-bit tag (the paper's little-endian output, read as an integer).
 */
uint64_t
sf_siphash24(const struct sf_tcp_isn_key *key, const void *data, size_t len);

#endif /* SF_TCP_ISN_H */
