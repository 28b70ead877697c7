/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software TCP/UDP checksums over IPv4 (RFC 1071, RFC 9293 §3.1): the
 * sum of a sender's payload chain (tcp_output adds the header's, made
 * from the values it wrote) and the check of a received segment.
 *
 * The pseudo-header is summed from the IPv4 header's fields in place.
 * DPDK's rte_ipv4_phdr_cksum() builds it on the stack with byte stores
 * and reads it back as words, a store-forwarding stall that was a tenth
 * of sf_tcp_input on a short-connection client.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cpuflags.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_vect.h>

#include "cksum_simd.h"
#include "sf_log.h"
#include "sf_net.h"

/* Runs shorter than this are summed faster by the scalar loop than by
 * AVX2, whose final reduction costs about as much as 96 bytes of it. */
#define CKSUM_VEC_MIN 128

/* Set by sf_cksum_init() before any worker starts; read-only after. */
static bool cksum_avx2;

/* Pseudo-header of a segment of @l4_len bytes under @ip, unfolded, in
 * the byte order of a native load of the wire bytes (as __rte_raw_cksum
 * sums them). */
static inline uint64_t
phdr_sum(const struct rte_ipv4_hdr *ip, uint32_t l4_len)
{
	return (uint64_t)ip->src_addr + ip->dst_addr +
		rte_cpu_to_be_16((uint16_t)ip->next_proto_id) +
		rte_cpu_to_be_16((uint16_t)l4_len);
}

uint64_t
sf_cksum_sum_scalar(const uint8_t *p, uint32_t len)
{
	return sf_cksum_raw(p, len);
}

uint64_t
sf_cksum_sum(const uint8_t *p, uint32_t len)
{
#ifdef SF_HAVE_AVX2
	if (len >= CKSUM_VEC_MIN && cksum_avx2)
		return sf_cksum_sum_avx2(p, len);
#endif
	return sf_cksum_raw(p, len);
}

void
sf_cksum_init(void)
{
#ifdef SF_HAVE_AVX2
	cksum_avx2 = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
		rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256;
#endif
	SF_LOG(DEBUG, net, "checksums: %s", cksum_avx2 ? "AVX2" : "scalar");
}

/* Folded sum of a chain's bytes from @l4_off on, as one stream: a
 * segment that starts at an odd stream offset is byte-swapped. DPDK
 * 22.11's rte_raw_cksum_mbuf() truncates each segment's 32-bit sum to 16
 * bits before that swap, so an odd-length segment breaks it. */
static uint16_t
chain_sum(const struct rte_mbuf *m, uint32_t l4_off)
{
	const struct rte_mbuf *seg = m;
	uint32_t off = l4_off, done = 0, seglen, sum = 0, s;

	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	for (; seg != NULL; seg = seg->next, off = 0) {
		seglen = seg->data_len - off;
		if (seglen == 0)
			continue;
		s = sf_cksum_piece(seg, off, seglen);
		if (done & 1)
			s = rte_bswap16((uint16_t)s);
		sum += s;
		done += seglen;
	}
	return __rte_raw_cksum_reduce(sum);
}

uint16_t
sf_cksum_chain(const struct rte_mbuf *m)
{
	return chain_sum(m, 0);
}

bool
sf_ipv4_l4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		    uint32_t l4_off)
{
	uint32_t l4_len = m->pkt_len - l4_off;
	uint64_t s = phdr_sum(ip, l4_len);

	/* A segment with its checksum field sums to 0xffff (RFC 1071). */
	if (likely(m->data_len == m->pkt_len))
		s += sf_cksum_sum(rte_pktmbuf_mtod_offset(m,
				const uint8_t *, l4_off), l4_len);
	else
		s += chain_sum(m, l4_off);
	return sf_cksum_fold64(s) == 0xffff;
}
