/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP option parsing and writing; contract in tcp_options.h. Multi-byte
 * fields may sit at any alignment, so they go through memcpy.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "sf_common.h"
#include "tcp_options.h"

/* Option kinds (IANA "TCP Option Kind Numbers"). */
#define OPT_EOL		0
#define OPT_NOP		1
#define OPT_MSS		2	/* RFC 9293 §3.2 */
#define OPT_WSCALE	3	/* RFC 7323 §2.2 */
#define OPT_SACKOK	4	/* RFC 2018 §2 */
#define OPT_SACK	5	/* RFC 2018 §3 */
#define OPT_TS		8	/* RFC 7323 §3.2 */

#define OPTLEN_MSS	4
#define OPTLEN_WSCALE	3
#define OPTLEN_SACKOK	2
#define OPTLEN_TS	10

/* First word of the layout every Linux data segment carries. */
#define WORD_NOP_NOP_TS \
	RTE_BE32(OPT_NOP << 24 | OPT_NOP << 16 | OPT_TS << 8 | OPTLEN_TS)
/* The same word with SACKOK in front of TS, as in a Linux SYN. */
#define WORD_SACKOK_TS \
	RTE_BE32(OPT_SACKOK << 24 | OPTLEN_SACKOK << 16 | OPT_TS << 8 | \
		 OPTLEN_TS)
#define WORD_NOP_NOP_SACKOK \
	RTE_BE32(OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACKOK << 8 | \
		 OPTLEN_SACKOK)
#define WORD_NOP_NOP_SACK \
	RTE_BE32(OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACK << 8)

static inline uint32_t
get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static inline uint16_t
get_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

static inline uint32_t
get_raw32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
put_be32(uint8_t *p, uint32_t host)
{
	rte_be32_t v = rte_cpu_to_be_32(host);

	memcpy(p, &v, sizeof(v));
}

static inline void
put_raw32(uint8_t *p, rte_be32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* @p opt points at the kind byte of a TS option known to be 10 long. */
static inline void
opts_get_ts(const uint8_t *opt, struct sf_tcp_opts *o)
{
	o->tsval = get_be32(opt + 2);
	o->tsecr = get_be32(opt + 6);
	o->present |= SF_TCPOPT_TS;
}

/* The general walk, from offset @p i of the area. */
static int
opts_walk(const uint8_t *p, unsigned int i, unsigned int len,
	  struct sf_tcp_opts *o)
{
	unsigned int olen, n, k;

	while (i < len) {
		switch (p[i]) {
		case OPT_EOL:
			return 0;
		case OPT_NOP:
			i++;
			continue;
		default:
			break;
		}
		/* RFC 9293 §3.1, MUST-7: a bad length ends the segment. */
		if (unlikely(len - i < 2))
			return -EINVAL;
		olen = p[i + 1];
		if (unlikely(olen < 2 || olen > len - i))
			return -EINVAL;
		switch (p[i]) {
		case OPT_MSS:
			if (unlikely(olen != OPTLEN_MSS))
				return -EINVAL;
			o->mss = get_be16(p + i + 2);
			o->present |= SF_TCPOPT_MSS;
			break;
		case OPT_WSCALE:
			if (unlikely(olen != OPTLEN_WSCALE))
				return -EINVAL;
			o->wscale = p[i + 2];
			o->present |= SF_TCPOPT_WSCALE;
			break;
		case OPT_SACKOK:
			if (unlikely(olen != OPTLEN_SACKOK))
				return -EINVAL;
			o->present |= SF_TCPOPT_SACKOK;
			break;
		case OPT_TS:
			if (unlikely(olen != OPTLEN_TS))
				return -EINVAL;
			opts_get_ts(p + i, o);
			break;
		case OPT_SACK:
			n = (olen - 2) / 8;
			if (unlikely((olen - 2) % 8 != 0 || n < 1 ||
				     n > SF_TCP_MAX_SACK))
				return -EINVAL;
			for (k = 0; k < n; k++) {
				o->sack[k].left = get_be32(p + i + 2 + 8 * k);
				o->sack[k].right =
					get_be32(p + i + 6 + 8 * k);
			}
			o->nb_sack = (uint8_t)n;
			o->present |= SF_TCPOPT_SACK;
			break;
		default:
			/* RFC 9293 §3.1, MUST-6: skip unknown kinds. */
			break;
		}
		i += olen;
	}
	return 0;
}

int
sf_tcp_opts_parse(const uint8_t *p, unsigned int len, struct sf_tcp_opts *o)
{
	o->present = 0;
	o->nb_sack = 0;
	if (len == 0)
		return 0;
	/* NOP,NOP,TS: every Linux data segment, alone or before a SACK. */
	if (likely(len >= 12 && get_raw32(p) == WORD_NOP_NOP_TS)) {
		opts_get_ts(p + 2, o);
		if (likely(len == 12))
			return 0;
		return opts_walk(p, 12, len, o);
	}
	return opts_walk(p, 0, len, o);
}

unsigned int
sf_tcp_opts_build_syn(uint8_t *p, uint16_t mss, int wscale, bool sack_ok,
		      bool ts, uint32_t tsval, uint32_t tsecr)
{
	unsigned int n = 0;

	put_be32(p, (uint32_t)OPT_MSS << 24 | OPTLEN_MSS << 16 | mss);
	n += 4;
	if (ts) {
		put_raw32(p + n, sack_ok ? WORD_SACKOK_TS : WORD_NOP_NOP_TS);
		put_be32(p + n + 4, tsval);
		put_be32(p + n + 8, tsecr);
		n += 12;
	} else if (sack_ok) {
		put_raw32(p + n, WORD_NOP_NOP_SACKOK);
		n += 4;
	}
	if (wscale >= 0) {
		/* RFC 7323 §2.3: never announce more than 14. */
		if (wscale > SF_TCP_WSCALE_MAX)
			wscale = SF_TCP_WSCALE_MAX;
		put_be32(p + n, (uint32_t)OPT_NOP << 24 | OPT_WSCALE << 16 |
			 OPTLEN_WSCALE << 8 | (uint32_t)wscale);
		n += 4;
	}
	return n;
}

unsigned int
sf_tcp_opts_build(uint8_t *p, bool ts, uint32_t tsval, uint32_t tsecr,
		  const struct sf_tcp_sack_block *sack, unsigned int nb_sack)
{
	unsigned int max = ts ? SF_TCP_MAX_SACK - 1 : SF_TCP_MAX_SACK;
	unsigned int n = 0, k;

	if (ts) {
		put_raw32(p, WORD_NOP_NOP_TS);
		put_be32(p + 4, tsval);
		put_be32(p + 8, tsecr);
		n = 12;
	}
	if (nb_sack > max)
		nb_sack = max;
	if (nb_sack > 0) {
		put_raw32(p + n, WORD_NOP_NOP_SACK |
			  rte_cpu_to_be_32(2 + 8 * nb_sack));
		n += 4;
		for (k = 0; k < nb_sack; k++) {
			put_be32(p + n, sack[k].left);
			put_be32(p + n + 4, sack[k].right);
			n += 8;
		}
	}
	return n;
}
