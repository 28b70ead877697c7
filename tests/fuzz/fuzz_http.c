/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the HTTP/1.1 head parsers (lib/app/http_parse.h).
 *
 * Input: byte 0 picks the parser (bit 0: response) and, with byte 1,
 * max_hdr (16..8207); the rest is the bytes received. Beyond the
 * sanitizers, the contract of http_parse.h is checked:
 *  - the parser reads nothing at or past min(len, max_hdr): the bytes sit
 *    in a heap block of exactly that size, so ASan sees an over-read;
 *  - a complete head returns hdr_len, within the bytes given, and a
 *    request's path lies inside them;
 *  - incremental-prefix consistency: a caller that gets the same bytes in
 *    pieces calls again on each longer prefix, so every prefix must
 *    answer 0 (need more) or the answer of the whole, never something
 *    else, and once it answers it keeps answering the same; a complete
 *    head gives the same fields from every prefix that holds it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_die(const char *what, uint32_t k, int r, int full)
{
	fprintf(stderr, "fuzz_http: %s (prefix %u: %d, whole: %d)\n", what,
		k, r, full);
	abort();
}

static int
parse(bool resp, const char *b, uint32_t len, uint32_t max_hdr,
      struct sf_http_req *rq, struct sf_http_resp *rs)
{
	if (resp)
		return sf_http_parse_response(b, len, max_hdr, rs);
	return sf_http_parse_request(b, len, max_hdr, rq);
}

static bool
same_req(const struct sf_http_req *a, const struct sf_http_req *b)
{
	return a->method == b->method && a->path == b->path &&
		a->path_len == b->path_len && a->minor == b->minor &&
		a->keep_alive == b->keep_alive &&
		a->content_length == b->content_length &&
		a->hdr_len == b->hdr_len;
}

static bool
same_resp(const struct sf_http_resp *a, const struct sf_http_resp *b)
{
	return a->status == b->status && a->minor == b->minor &&
		a->keep_alive == b->keep_alive &&
		a->has_length == b->has_length &&
		a->content_length == b->content_length &&
		a->chunked == b->chunked && a->no_body == b->no_body &&
		a->hdr_len == b->hdr_len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_http_req rq, rq_full;
	struct sf_http_resp rs, rs_full;
	uint32_t len, max_hdr, avail, k, step;
	bool resp;
	char *b;
	int full, r, seen = 0;

	if (size < 2 || size > 65536)
		return 0;
	resp = data[0] & 1;
	max_hdr = 16 + ((uint32_t)(data[0] >> 1) << 8 | data[1]) % 8192;
	data += 2;
	len = (uint32_t)(size - 2);
	avail = len < max_hdr ? len : max_hdr;
	/* exactly the bytes it may read: one more is an ASan report */
	b = malloc(avail ? avail : 1);
	if (b == NULL)
		return 0;
	memcpy(b, data, avail);

	full = parse(resp, b, len, max_hdr, &rq_full, &rs_full);
	if (full > 0) {
		k = resp ? rs_full.hdr_len : rq_full.hdr_len;
		if ((uint32_t)full != k || k > avail)
			fz_die("complete, but hdr_len wrong", k, full, full);
		if (!resp && (rq_full.path < b ||
			      rq_full.path + rq_full.path_len > b + k))
			fz_die("path outside the head", k, full, full);
	}
	if (full == 0 && len >= max_hdr)
		fz_die("need more, past max_hdr", len, full, full);

	/* Prefixes: all of them for short inputs, a sample for long ones. */
	step = len <= 1024 ? 1 : len / 256;
	for (k = 0; k <= len; k += step) {
		r = parse(resp, b, k, max_hdr, &rq, &rs);
		if (r != 0 && r != full)
			fz_die("prefix answers differently", k, r, full);
		if (r == 0 && seen)
			fz_die("prefix went back to need more", k, r, full);
		if (r != 0)
			seen = 1;
		if (r > 0 && (resp ? !same_resp(&rs, &rs_full) :
			      !same_req(&rq, &rq_full)))
			fz_die("prefix parsed other fields", k, r, full);
	}
	free(b);
	return 0;
}
