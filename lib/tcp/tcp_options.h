/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TCP_OPTIONS_H
#define SF_TCP_OPTIONS_H

/*
 * TCP options: parse the options area of a received segment and write the
 * options of an outgoing one. Covered: EOL, NOP, MSS (RFC 9293 §3.1,
 * §3.7.1), window scale and timestamps (RFC 7323 §2, §3), SACK-permitted
 * and SACK (RFC 2018 §2, §3). Everything else is skipped by its length.
 * The parser checks lengths only; which options a segment may carry (MSS
 * on SYN only, ...) is the caller's decision. Values in struct sf_tcp_opts
 * are host order, bytes written are network order. Pure functions on
 * caller memory: no state, no allocation, safe on any lcore.
 */

#include <stdbool.h>
#include <stdint.h>

#define SF_TCPOPT_MSS    0x01	/**< presence bits in sf_tcp_opts.present */
#define SF_TCPOPT_WSCALE 0x02
#define SF_TCPOPT_SACKOK 0x04
#define SF_TCPOPT_TS     0x08
#define SF_TCPOPT_SACK   0x10

/** Most SACK blocks one option holds in 40 bytes (RFC 2018 §3). */
#define SF_TCP_MAX_SACK  4
/** Largest TCP options area: data offset 15 words less the header. */
#define SF_TCP_OPT_MAX   40
/** Largest shift count either side may use (RFC 7323 §2.3). */
#define SF_TCP_WSCALE_MAX 14

/** One SACK block, host order: [left, right) in sequence space. */
struct sf_tcp_sack_block {
	uint32_t left;
	uint32_t right;
};

/**
 * Options of one segment. Only @c present and @c nb_sack are always set
 * by sf_tcp_opts_parse(); every other field is valid only when its bit is
 * in @c present.
 */
struct sf_tcp_opts {
	uint8_t present;	/**< SF_TCPOPT_* bits */
	uint8_t wscale;		/**< as received; callers clamp to 14 */
	uint16_t mss;		/**< host order, as received */
	uint32_t tsval;		/**< host order */
	uint32_t tsecr;		/**< host order */
	uint8_t nb_sack;	/**< blocks in @c sack; 0 without SACK */
	struct sf_tcp_sack_block sack[SF_TCP_MAX_SACK];
};

/**
 * Parse a TCP options area: the bytes between the 20-byte header and the
 * data offset. EOL ends parsing, NOPs and unknown kinds are skipped
 * (RFC 9293 §3.1, MUST-6). A repeated option overwrites the earlier one.
 * MSS, WS and SACKOK are parsed in any segment; the caller decides. The
 * NOP,NOP,TS layout of the usual data segment is recognised up front.
 *
 * @param p
 *   First byte of the options area; may be NULL when @p len is 0.
 * @param len
 *   Length of the area in bytes.
 * @param o
 *   Filled with what was found; partly filled on error.
 * @return
 *   0 on success;
 *   -EINVAL on a malformed area (RFC 9293 §3.1, MUST-7): an option whose
 *   length byte is missing, below 2 or runs past the area; MSS, WS, SACKOK
 *   or TS of a length other than 4, 3, 2, 10; SACK of a length other than
 *   2 + 8n, n in 1..4.
 */
int
sf_tcp_opts_parse(const uint8_t *p, unsigned int len, struct sf_tcp_opts *o);

/**
 * Write the options of a SYN or SYN-ACK in the layout Linux uses: MSS;
 * then SACKOK,TS packed, or NOP,NOP,TS, or NOP,NOP,SACKOK; then NOP,WS.
 * The result is 4 to 20 bytes, a multiple of 4.
 *
 * @param p
 *   Destination, room for SF_TCP_OPT_MAX bytes (20 are ever written).
 * @param mss
 *   MSS to announce, host order (RFC 9293 §3.7.1).
 * @param wscale
 *   Shift count to announce, or negative for no WS option; values above
 *   SF_TCP_WSCALE_MAX are sent as SF_TCP_WSCALE_MAX (RFC 7323 §2.3).
 * @param sack_ok
 *   Add SACK-permitted (RFC 2018 §2).
 * @param ts
 *   Add timestamps (RFC 7323 §3.2).
 * @param tsval
 *   TSval, host order; ignored without @p ts.
 * @param tsecr
 *   TSecr, host order (0 on a SYN); ignored without @p ts.
 * @return
 *   Bytes written.
 */
unsigned int
sf_tcp_opts_build_syn(uint8_t *p, uint16_t mss, int wscale, bool sack_ok,
		      bool ts, uint32_t tsval, uint32_t tsecr);

/**
 * Size sf_tcp_opts_build() writes for the same @p ts and @p nb_sack.
 *
 * @param ts
 *   Timestamps present.
 * @param nb_sack
 *   SACK blocks wanted; trimmed to 3 with @p ts, 4 without.
 * @return
 *   0, 12 (NOP,NOP,TS), 4 + 8n (NOP,NOP,SACK) or 16 + 8n (both); at most
 *   SF_TCP_OPT_MAX.
 */
static inline unsigned int
sf_tcp_opts_len(bool ts, unsigned int nb_sack)
{
	unsigned int max = ts ? SF_TCP_MAX_SACK - 1 : SF_TCP_MAX_SACK;

	if (nb_sack > max)
		nb_sack = max;
	return (ts ? 12 : 0) + (nb_sack > 0 ? 4 + 8 * nb_sack : 0);
}

/**
 * Write the options of a non-SYN segment: NOP,NOP,TS if @p ts, then
 * NOP,NOP,SACK with the first blocks of @p sack, as many as fit in
 * SF_TCP_OPT_MAX bytes (3 with TS, 4 without; RFC 2018 §3).
 *
 * @param p
 *   Destination, room for sf_tcp_opts_len(ts, nb_sack) bytes.
 * @param ts
 *   Add timestamps (RFC 7323 §3.2).
 * @param tsval
 *   TSval, host order; ignored without @p ts.
 * @param tsecr
 *   TSecr, host order; ignored without @p ts.
 * @param sack
 *   Blocks to report, most recent first (RFC 2018 §4), host order; may be
 *   NULL when @p nb_sack is 0.
 * @param nb_sack
 *   Blocks in @p sack.
 * @return
 *   Bytes written, sf_tcp_opts_len(ts, nb_sack): a multiple of 4.
 */
unsigned int
sf_tcp_opts_build(uint8_t *p, bool ts, uint32_t tsval, uint32_t tsecr,
		  const struct sf_tcp_sack_block *sack, unsigned int nb_sack);

#endif /* SF_TCP_OPTIONS_H */
