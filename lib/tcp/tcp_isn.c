/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 6528 ISNs and the SipHash-2-4 they use; contract in tcp_isn.h.
 * SipHash is written from J.-P. Aumasson and D. J. Bernstein, "SipHash: a
 * fast short-input PRF", INDOCRYPT 2012, §2.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_random.h>

#include "sf_log.h"
#include "tcp_isn.h"

/* The paper's initialisation constants: "somepseudorandomlygeneratedbytes". */
#define SIP_C0 UINT64_C(0x736f6d6570736575)
#define SIP_C1 UINT64_C(0x646f72616e646f6d)
#define SIP_C2 UINT64_C(0x6c7967656e657261)
#define SIP_C3 UINT64_C(0x7465646279746573)

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t
rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

/* One SipRound (paper, §2, Fig. 2.1). */
static inline void
sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

/* Compression: c = 2 rounds per message word. */
static inline void
sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

static inline uint64_t
get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return rte_le_to_cpu_64(v);
}

uint64_t
sf_siphash24(const struct sf_tcp_isn_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	const uint8_t *end = p + (len & ~(size_t)7);
	struct sip_state s = {
		.v0 = key->k0 ^ SIP_C0,
		.v1 = key->k1 ^ SIP_C1,
		.v2 = key->k0 ^ SIP_C2,
		.v3 = key->k1 ^ SIP_C3,
	};
	uint64_t m;

	for (; p != end; p += 8)
		sip_compress(&s, get_le64(p));
	/* Last word: the 0..7 remaining bytes, len mod 256 in the top byte. */
	m = (uint64_t)(len & 0xff) << 56;
	switch (len & 7) {
	case 7:
		m |= (uint64_t)p[6] << 48;
		/* FALLTHROUGH */
	case 6:
		m |= (uint64_t)p[5] << 40;
		/* FALLTHROUGH */
	case 5:
		m |= (uint64_t)p[4] << 32;
		/* FALLTHROUGH */
	case 4:
		m |= (uint64_t)p[3] << 24;
		/* FALLTHROUGH */
	case 3:
		m |= (uint64_t)p[2] << 16;
		/* FALLTHROUGH */
	case 2:
		m |= (uint64_t)p[1] << 8;
		/* FALLTHROUGH */
	case 1:
		m |= (uint64_t)p[0];
		break;
	default:
		break;
	}
	sip_compress(&s, m);
	/* Finalization: d = 4 rounds. */
	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

int
sf_tcp_isn_key_init(struct sf_tcp_isn_key *key)
{
	uint8_t buf[sizeof(*key)];
	size_t got = 0;
	ssize_t r;

	if (key == NULL)
		return -EINVAL;
	while (got < sizeof(buf)) {
		r = getrandom(buf + got, sizeof(buf) - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == sizeof(buf)) {
		memcpy(key, buf, sizeof(*key));
	} else {
		SF_LOG(WARNING, main,
		       "getrandom failed (%s), ISN key from rte_rand",
		       strerror(errno));
		key->k0 = rte_rand();
		key->k1 = rte_rand();
	}
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

uint32_t
sf_tcp_isn(const struct sf_tcp_isn_key *key, uint32_t laddr, uint16_t lport,
	   uint32_t raddr, uint16_t rport, uint64_t now_us)
{
	uint8_t tuple[12];
	uint32_t m, f;

	memcpy(tuple, &laddr, 4);
	memcpy(tuple + 4, &raddr, 4);
	memcpy(tuple + 8, &lport, 2);
	memcpy(tuple + 10, &rport, 2);
	/* RFC 6528 §3: M is a 4-microsecond timer, F the keyed hash. */
	m = (uint32_t)(now_us >> 2);
	f = (uint32_t)sf_siphash24(key, tuple, sizeof(tuple));
	return m + f;
}
