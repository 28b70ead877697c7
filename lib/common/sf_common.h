/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_COMMON_H
#define SF_COMMON_H

/*
 * Small helpers every synfin area uses: branch hints, cache alignment,
 * array sizing and TCP sequence-space comparison (RFC 9293 §3.4, modulo
 * 2^32 arithmetic). Nothing here allocates or can fail.
 */

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#define SF_CACHE_ALIGNED __rte_cache_aligned

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define SF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Sequence numbers compare modulo 2^32 (RFC 9293 §3.4). */
#define SF_SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SF_SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SF_SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SF_SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* An IPv4 address (network order) no host may have (RFC 1122 §3.2.1.3):
 * "this host", limited broadcast, multicast, class E, loopback. */
static inline int
sf_ipv4_not_host(uint32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	return h == 0 || (h >> 28) >= 0xe || (h >> 24) == 127;
}

/* Most ports, queues and addresses synfin drives. */
#define SF_MAX_PORTS 8
#define SF_MAX_WORKERS 64
#define SF_MAX_ADDRS 16

#endif /* SF_COMMON_H */
