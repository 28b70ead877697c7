/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 head parser (RFC 9112). One forward pass over the bytes: each
 * scanning loop checks the byte class and the end together, so running
 * out of bytes anywhere means "need more" and a byte that cannot be there
 * is an error at once, whether or not the head is complete. Only the
 * values of the few fields that matter are looked at a second time.
 * No DPDK here: the fuzzers and unit tests build it alone.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "http_parse.h"

#define C_TCHAR 0x01	/* token (RFC 9110 §5.6.2) */
#define C_TARGET 0x02	/* VCHAR but '#': request-target (RFC 9112 §3.2) */
#define C_HOST 0x04	/* reg-name, IP-literal, ':' port (RFC 3986 §3.2) */

/*
 * Byte classes. C_TARGET takes any VCHAR except '#' (a fragment is never
 * sent) rather than only RFC 3986 characters: real clients send raw '|',
 * '{' or '"' in queries and the server only routes on the path.
 */
static const uint8_t http_cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	0, 7, 2, 1, 7, 7, 7, 7, 6, 6, 7, 7, 6, 7, 7, 2,	/* 0x20 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 2, 6, 2, 2,	/* 0x30 */
	2, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* 0x40 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 2, 6, 3, 7,	/* 0x50 */
	3, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* 0x60 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2, 3, 2, 7, 0,	/* 0x70 */
	/* 0x80..0xff: none of these classes */
};

static inline int
is_cls(char c, uint8_t cls)
{
	return http_cls[(uint8_t)c] & cls;
}

static inline int
is_digit(char c)
{
	return (uint8_t)(c - '0') < 10;
}

static inline int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* field-vchar / SP / HTAB (RFC 9110 §5.5): obs-text is allowed, NUL and
 * the other CTLs are not. */
static inline int
is_value(char c)
{
	uint8_t u = (uint8_t)c;

	return (u >= 0x20 && u != 0x7f) || u == '\t';
}

/* The first byte in [p, e) that is not is_value(), or e. Field values are
 * most of a head's bytes: 16 at a time where the CPU can (SSE2). */
static inline const char *
value_end(const char *p, const char *e)
{
#ifdef __SSE2__
	const __m128i c1f = _mm_set1_epi8(0x1f);
	const __m128i tab = _mm_set1_epi8('\t');
	const __m128i del = _mm_set1_epi8(0x7f);
	__m128i v, bad;
	int mask;

	for (; e - p >= 16; p += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* u <= 0x1f (unsigned) but HTAB, or DEL */
		bad = _mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f);
		bad = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab), bad);
		bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, del));
		mask = _mm_movemask_epi8(bad);
		if (mask != 0)
			return p + __builtin_ctz((unsigned int)mask);
	}
#endif
	while (p < e && is_value(*p))
		p++;
	return p;
}

/* The first byte in [p, e) that is not a tchar, or e. Field names are
 * letters, digits and '-' but for rare ones: 16 of those at a time where
 * the CPU can (SSE2), then byte by byte from the first other byte. Each
 * range test is one signed compare: x - lo - 128 wraps the range onto
 * the lowest signed values. */
static inline const char *
token_end(const char *p, const char *e)
{
#ifdef __SSE2__
	const __m128i b20 = _mm_set1_epi8(0x20);
	const __m128i a_off = _mm_set1_epi8((char)(-128 - 'a'));
	const __m128i a_lim = _mm_set1_epi8((char)(-128 + 26));
	const __m128i d_off = _mm_set1_epi8((char)(-128 - '0'));
	const __m128i d_lim = _mm_set1_epi8((char)(-128 + 10));
	const __m128i dash = _mm_set1_epi8('-');
	__m128i v, ok;
	int mask;

	for (; e - p >= 16; p += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* a letter of either case, a digit, or '-' */
		ok = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, b20), a_off),
				    a_lim);
		ok = _mm_or_si128(ok, _mm_cmplt_epi8(_mm_add_epi8(v, d_off),
						     d_lim));
		ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, dash));
		mask = ~_mm_movemask_epi8(ok) & 0xffff;
		if (mask != 0) {
			p += __builtin_ctz((unsigned int)mask);
			break;
		}
	}
#endif
	while (p < e && is_cls(*p, C_TCHAR))
		p++;
	return p;
}

/*
 * Case-insensitive compare with a lowercase literal. OR-ing 0x20 sets one
 * bit, so a byte matches literal byte x only if it is x or x - 0x20: for
 * a letter its capital, for '-', ':' or '/' a control byte that the
 * callers' scans have already refused.
 */
static inline int
tok_eq(const char *s, const char *lit, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (((uint8_t)s[i] | 0x20) != (uint8_t)lit[i])
			return 0;
	return 1;
}

/* ---- field lines (RFC 9112 §5, shared by both directions) ---- */

enum line_rc {
	LINE_BAD = -1,
	LINE_NEED = 0,
	LINE_FIELD = 1,
	LINE_END = 2,	/* the empty line that ends the head */
};

struct field {
	const char *name;
	const char *val;	/* OWS trimmed on both sides */
	uint32_t name_len;
	uint32_t val_len;
};

/*
 * field-line = field-name ":" OWS field-value OWS CRLF. A line starting
 * with SP or HTAB (obs-fold, or whitespace before the first field) and
 * whitespace before the colon both fail the name scan (RFC 9112 §5.1,
 * §5.2: reject rather than unfold).
 */
static inline enum line_rc
field_parse(const char **pp, const char *e, struct field *f)
{
	const char *p = *pp;
	const char *v_end;

	if (p == e)
		return LINE_NEED;
	if (*p == '\r') {
		if (p + 1 == e)
			return LINE_NEED;
		if (p[1] != '\n')
			return LINE_BAD;
		*pp = p + 2;
		return LINE_END;
	}
	f->name = p;
	p = token_end(p, e);
	if (p == e)
		return LINE_NEED;
	if (*p != ':' || p == f->name)
		return LINE_BAD;
	f->name_len = (uint32_t)(p - f->name);
	p++;
	while (p < e && is_ows(*p))
		p++;
	f->val = p;
	p = value_end(p, e);
	v_end = p;
	while (v_end > f->val && is_ows(v_end[-1]))
		v_end--;
	if (p == e || (*p == '\r' && p + 1 == e))
		return LINE_NEED;
	if (*p != '\r' || p[1] != '\n')
		return LINE_BAD;
	f->val_len = (uint32_t)(v_end - f->val);
	*pp = p + 2;
	return LINE_FIELD;
}

/*
 * Connection (RFC 9110 §7.6.1): #connection-option, empty elements
 * allowed (§5.6.1). Only "close" and "keep-alive" mean anything here.
 */
static int
conn_parse(const char *p, uint32_t n, bool *close, bool *keep)
{
	const char *e = p + n;
	const char *t;

	while (p < e) {
		if (*p == ',' || is_ows(*p)) {
			p++;
			continue;
		}
		t = p;
		while (p < e && is_cls(*p, C_TCHAR))
			p++;
		if (p - t == 5 && tok_eq(t, "close", 5))
			*close = true;
		else if (p - t == 10 && tok_eq(t, "keep-alive", 10))
			*keep = true;
		while (p < e && is_ows(*p))
			p++;
		if (p < e && *p != ',')
			return -1;
	}
	return 0;
}

/*
 * Content-Length = 1*DIGIT; a list of identical values ("5, 5", as a
 * proxy may merge duplicates) is accepted per RFC 9110 §8.6, anything
 * else, empty elements included, is not. The bound keeps val * 10 + 9
 * far below 2^64.
 */
static int
clen_parse(const char *p, uint32_t n, uint64_t *out)
{
	const char *e = p + n;
	uint64_t val, prev = UINT64_MAX;

	for (;;) {
		if (p == e || !is_digit(*p))
			return -1;
		val = 0;
		while (p < e && is_digit(*p)) {
			val = val * 10 + (uint64_t)(*p - '0');
			if (val > SF_HTTP_MAX_CONTENT_LENGTH)
				return -1;
			p++;
		}
		if (prev != UINT64_MAX && val != prev)
			return -1;
		prev = val;
		while (p < e && is_ows(*p))
			p++;
		if (p == e) {
			*out = val;
			return 0;
		}
		if (*p != ',')
			return -1;
		p++;
		while (p < e && is_ows(*p))
			p++;
	}
}

/* One field's Content-Length merged with earlier ones: differing values
 * are smuggling material (RFC 9112 §6.3, rule 5). */
static int
clen_merge(const struct field *f, bool *seen, uint64_t *clen)
{
	uint64_t v;

	if (clen_parse(f->val, f->val_len, &v) != 0)
		return -1;
	if (*seen && v != *clen)
		return -1;
	*seen = true;
	*clen = v;
	return 0;
}

/* Host = uri-host [ ":" port ] (RFC 9110 §7.2), checked by byte class
 * only; empty is allowed (RFC 9112 §3.2). */
static int
host_check(const char *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!is_cls(p[i], C_HOST))
			return -1;
	return 0;
}

/*
 * Transfer-Encoding (RFC 9112 §6.1): is chunked the final coding? Only
 * the last non-empty element counts; a coding with parameters is not
 * "chunked".
 */
static bool
te_final_chunked(const char *p, uint32_t n)
{
	const char *e = p + n;
	const char *s;

	while (e > p && (e[-1] == ',' || is_ows(e[-1])))
		e--;
	s = e;
	while (s > p && s[-1] != ',')
		s--;
	while (s < e && is_ows(*s))
		s++;
	return e - s == 7 && tok_eq(s, "chunked", 7);
}

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3); needs 8 bytes at p. Returns
 * major * 10 + minor, or -1 when it is not of that shape. */
static inline int
version_parse(const char *p)
{
	if (memcmp(p, "HTTP/", 5) != 0 || !is_digit(p[5]) || p[6] != '.' ||
	    !is_digit(p[7]))
		return -1;
	return (p[5] - '0') * 10 + (p[7] - '0');
}

/* ---- requests ---- */

/*
 * request-target (RFC 9112 §3.2): origin-form, asterisk-form (OPTIONS
 * only) or absolute-form with an http(s) scheme. Fills req->path.
 */
static int
target_parse(const char *t, uint32_t n, const char *m, uint32_t mlen,
	     struct sf_http_req *req)
{
	const char *e = t + n;
	const char *p;

	/* n <= SF_HTTP_MAX_TARGET, so path_len cannot truncate. */
	if (t[0] == '/') {
		req->path = t;
		req->path_len = (uint16_t)n;
		return 0;
	}
	if (n == 1 && t[0] == '*') {
		if (mlen != 7 || memcmp(m, "OPTIONS", 7) != 0)
			return -1;
		req->path = t;
		req->path_len = 1;
		return 0;
	}
	/* The scheme is case-insensitive (RFC 3986 §3.1). */
	if (n > 7 && tok_eq(t, "http://", 7))
		p = t + 7;
	else if (n > 8 && tok_eq(t, "https://", 8))
		p = t + 8;
	else
		return -1;
	t = p;
	/* No userinfo (RFC 9110 §4.2.4): '@' is not a C_HOST byte. */
	while (p < e && is_cls(*p, C_HOST))
		p++;
	if (p == t || p == e || *p != '/')
		return -1;
	req->path = p;
	req->path_len = (uint16_t)(e - p);
	return 0;
}

struct req_fields {
	bool host;
	bool clen;
	bool te;
	bool close;
	bool keep;
};

static int
req_field(const struct field *f, struct req_fields *rf,
	  struct sf_http_req *req)
{
	switch (f->name_len) {
	case 4:
		if (!tok_eq(f->name, "host", 4))
			break;
		/* RFC 9112 §3.2: more than one Host is a 400. */
		if (rf->host || host_check(f->val, f->val_len) != 0)
			return -400;
		rf->host = true;
		break;
	case 10:
		if (tok_eq(f->name, "connection", 10) &&
		    conn_parse(f->val, f->val_len, &rf->close,
			       &rf->keep) != 0)
			return -400;
		break;
	case 14:
		if (tok_eq(f->name, "content-length", 14) &&
		    clen_merge(f, &rf->clen, &req->content_length) != 0)
			return -400;
		break;
	case 17:
		if (tok_eq(f->name, "transfer-encoding", 17))
			rf->te = true;
		break;
	default:
		break;
	}
	return 0;
}

/* Everything but the max_hdr verdict; e = buf + min(len, max_hdr). */
static int
req_parse(const char *buf, const char *e, struct sf_http_req *req)
{
	struct req_fields rf = { 0 };
	const char *p = buf;
	const char *m, *t, *te;
	uint32_t mlen, nfields = 0;
	int v, rc;

	/* RFC 9112 §2.2: ignore empty lines before the request-line (a
	 * client may send a CRLF after a POST body). */
	while (p < e && *p == '\r') {
		if (p + 1 == e)
			return 0;
		if (p[1] != '\n')
			return -400;
		p += 2;
	}

	/* method SP request-target SP HTTP-version CRLF, one SP each. */
	m = p;
	while (p < e && is_cls(*p, C_TCHAR))
		p++;
	if (p == e)
		return 0;
	if (*p != ' ' || p == m)
		return -400;
	mlen = (uint32_t)(p - m);
	if (mlen == 3 && memcmp(m, "GET", 3) == 0)
		req->method = SF_HTTP_GET;
	else if (mlen == 4 && memcmp(m, "HEAD", 4) == 0)
		req->method = SF_HTTP_HEAD;
	else
		req->method = SF_HTTP_OTHER;
	p++;

	/* Stop one byte past the limit so an overlong target is told
	 * apart from an incomplete one without a test per byte. */
	t = p;
	te = (size_t)(e - t) > SF_HTTP_MAX_TARGET ?
		t + SF_HTTP_MAX_TARGET + 1 : e;
	while (p < te && is_cls(*p, C_TARGET))
		p++;
	if (p - t > SF_HTTP_MAX_TARGET)
		return -414;
	if (p == e)
		return 0;
	if (*p != ' ' || p == t)
		return -400;
	if (target_parse(t, (uint32_t)(p - t), m, mlen, req) != 0)
		return -400;
	p++;

	if (e - p < 10)
		return 0;
	v = version_parse(p);
	if (v < 0 || p[8] != '\r' || p[9] != '\n')
		return -400;
	if (v != 10 && v != 11)
		return -505;
	req->minor = (uint8_t)(v - 10);
	p += 10;

	for (;;) {
		struct field f;
		enum line_rc lrc = field_parse(&p, e, &f);

		if (lrc == LINE_NEED)
			return 0;
		if (lrc == LINE_BAD)
			return -400;
		if (lrc == LINE_END)
			break;
		if (++nfields > SF_HTTP_MAX_FIELDS)
			return -431;
		rc = req_field(&f, &rf, req);
		if (rc != 0)
			return rc;
	}

	req->keep_alive = (req->minor == 1 || rf.keep) && !rf.close;
	req->hdr_len = (uint32_t)(p - buf);
	if (req->minor == 1 && !rf.host)
		return -400;	/* RFC 9112 §3.2 */
	/* RFC 9112 §6.1: a server that does not understand a transfer
	 * coding answers 501; chunked bodies are not worth it here. */
	if (rf.te)
		return -501;
	if (req->method == SF_HTTP_OTHER)
		return -405;
	return (int)req->hdr_len;
}

/* A head that cannot fit in an int return is treated as too large. */
static inline uint32_t
hdr_cap(uint32_t max_hdr)
{
	return max_hdr < INT32_MAX ? max_hdr : INT32_MAX;
}

int
sf_http_parse_request(const char *buf, uint32_t len, uint32_t max_hdr,
		      struct sf_http_req *req)
{
	uint32_t cap = hdr_cap(max_hdr);
	int rc;

	memset(req, 0, sizeof(*req));
	req->method = SF_HTTP_OTHER;
	if (len == 0)	/* buf may be NULL: no arithmetic on it */
		return cap == 0 ? -431 : 0;
	rc = req_parse(buf, buf + (len < cap ? len : cap), req);
	if (rc == 0 && len >= cap)
		return -431;
	return rc;
}

/* ---- responses ---- */

struct resp_fields {
	bool te;
	bool close;
	bool keep;
};

static int
resp_field(const struct field *f, struct resp_fields *rf,
	   struct sf_http_resp *resp)
{
	switch (f->name_len) {
	case 10:
		if (tok_eq(f->name, "connection", 10) &&
		    conn_parse(f->val, f->val_len, &rf->close,
			       &rf->keep) != 0)
			return -EBADMSG;
		break;
	case 14:
		if (tok_eq(f->name, "content-length", 14) &&
		    clen_merge(f, &resp->has_length,
			       &resp->content_length) != 0)
			return -EBADMSG;
		break;
	case 17:
		if (!tok_eq(f->name, "transfer-encoding", 17))
			break;
		/* Codings apply in order, so the last field's last
		 * element is the final one. */
		rf->te = true;
		resp->chunked = te_final_chunked(f->val, f->val_len);
		break;
	default:
		break;
	}
	return 0;
}

static int
resp_parse(const char *buf, const char *e, struct sf_http_resp *resp)
{
	struct resp_fields rf = { 0 };
	const char *p = buf;
	uint32_t nfields = 0;
	int v, rc;

	/* status-line = HTTP-version SP status-code SP [reason] CRLF */
	if (e - p < 9)
		return 0;
	v = version_parse(p);
	if ((v != 10 && v != 11) || p[8] != ' ')
		return -EBADMSG;
	resp->minor = (uint8_t)(v - 10);
	p += 9;
	if (e - p < 3)
		return 0;
	if (!is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]))
		return -EBADMSG;
	resp->status = (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 +
				  (p[2] - '0'));
	if (resp->status < 100 || resp->status > 599)
		return -EBADMSG;
	p += 3;
	if (p == e)
		return 0;
	if (*p == ' ') {
		/* reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) */
		p = value_end(p + 1, e);
	}
	if (p == e || (*p == '\r' && p + 1 == e))
		return 0;
	if (*p != '\r' || p[1] != '\n')
		return -EBADMSG;
	p += 2;

	for (;;) {
		struct field f;
		enum line_rc lrc = field_parse(&p, e, &f);

		if (lrc == LINE_NEED)
			return 0;
		if (lrc == LINE_BAD)
			return -EBADMSG;
		if (lrc == LINE_END)
			break;
		if (++nfields > SF_HTTP_MAX_FIELDS)
			return -EMSGSIZE;
		rc = resp_field(&f, &rf, resp);
		if (rc != 0)
			return rc;
	}

	/* RFC 9112 §6.1: TE with Content-Length, or in HTTP/1.0, is
	 * faulty framing. */
	if (rf.te && (resp->has_length || resp->minor == 0))
		return -EBADMSG;
	resp->no_body = resp->status < 200 || resp->status == 204 ||
		resp->status == 304;
	resp->keep_alive = (resp->minor == 1 || rf.keep) && !rf.close;
	/* RFC 9112 §6.3 rules 4 and 8: the body runs until close. */
	if (!resp->no_body && !resp->has_length && !resp->chunked)
		resp->keep_alive = false;
	resp->hdr_len = (uint32_t)(p - buf);
	return (int)resp->hdr_len;
}

int
sf_http_parse_response(const char *buf, uint32_t len, uint32_t max_hdr,
		       struct sf_http_resp *resp)
{
	uint32_t cap = hdr_cap(max_hdr);
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (len == 0)
		return cap == 0 ? -EMSGSIZE : 0;
	rc = resp_parse(buf, buf + (len < cap ? len : cap), resp);
	if (rc == 0 && len >= cap)
		return -EMSGSIZE;
	return rc;
}

/* Does buf[0..len) start with the head @m holds, parsed with max_hdr? */
static bool
memo_match(const struct sf_http_memo *m, const char *buf, uint32_t len,
	   uint32_t max_hdr)
{
	return m->len != 0 && m->max_hdr == max_hdr && len >= m->len &&
		memcmp(buf, m->head, m->len) == 0;
}

/* Keep a complete head of @rc bytes, if it fits. */
static bool
memo_keep(struct sf_http_memo *m, const char *buf, int rc, uint32_t max_hdr)
{
	if (rc <= 0 || (uint32_t)rc > sizeof(m->head))
		return false;
	memcpy(m->head, buf, (size_t)rc);
	m->len = (uint32_t)rc;
	m->max_hdr = max_hdr;
	return true;
}

int
sf_http_parse_request_memo(struct sf_http_req_memo *memo, const char *buf,
			   uint32_t len, uint32_t max_hdr,
			   struct sf_http_req *req)
{
	int rc;

	if (memo_match(&memo->m, buf, len, max_hdr)) {
		*req = memo->req;
		req->path = buf + (uintptr_t)memo->req.path;
		return (int)memo->m.len;
	}
	rc = sf_http_parse_request(buf, len, max_hdr, req);
	if (memo_keep(&memo->m, buf, rc, max_hdr)) {
		memo->req = *req;
		memo->req.path = (const char *)(uintptr_t)(req->path - buf);
	}
	return rc;
}

int
sf_http_parse_response_memo(struct sf_http_resp_memo *memo, const char *buf,
			    uint32_t len, uint32_t max_hdr,
			    struct sf_http_resp *resp)
{
	int rc;

	if (memo_match(&memo->m, buf, len, max_hdr)) {
		*resp = memo->resp;
		return (int)memo->m.len;
	}
	rc = sf_http_parse_response(buf, len, max_hdr, resp);
	if (memo_keep(&memo->m, buf, rc, max_hdr))
		memo->resp = *resp;
	return rc;
}

const char *
sf_http_reason(uint16_t status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
