/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 head parsing (RFC 9112): requests as the server sees them and
 * responses as the client sees them. Good heads give every field; every
 * prefix of a good head asks for more; each kind of bad head gets its own
 * status (or errno), including the limits on head size, field count,
 * target length and Content-Length. No EAL: the parser is plain C. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http_parse.h"
#include "sf_common.h"

#define MAX_HDR 8192

/* Literals may hold NUL bytes, so their length comes from sizeof. */
#define REQ(lit, r) sf_http_parse_request(lit, sizeof(lit) - 1, MAX_HDR, r)
#define RESP(lit, r) sf_http_parse_response(lit, sizeof(lit) - 1, MAX_HDR, r)

#define assert_path(r, s) do { \
	assert_int_equal((r)->path_len, strlen(s)); \
	assert_memory_equal((r)->path, s, strlen(s)); \
} while (0)

/* Parse from an exact-size heap copy so ASan sees any over-read. */
static int
req_exact(const char *s, uint32_t len, uint32_t max_hdr,
	  struct sf_http_req *r)
{
	char *b = malloc(len ? len : 1);
	int rc;

	assert_non_null(b);
	memcpy(b, s, len);
	rc = sf_http_parse_request(b, len, max_hdr, r);
	if (rc > 0)	/* point back into the caller's string */
		r->path = s + (r->path - b);
	free(b);
	return rc;
}

static int
resp_exact(const char *s, uint32_t len, uint32_t max_hdr,
	   struct sf_http_resp *r)
{
	char *b = malloc(len ? len : 1);
	int rc;

	assert_non_null(b);
	memcpy(b, s, len);
	rc = sf_http_parse_response(b, len, max_hdr, r);
	free(b);
	return rc;
}

/* ---- requests ---- */

static void
test_http_req_get(void **state)
{
	static const char s[] =
		"GET /index.html?a=1 HTTP/1.1\r\n"
		"Host: example.com:8080\r\n"
		"User-Agent: wrk\r\n"
		"Accept: */*\r\n"
		"\r\n";
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ(s, &r), sizeof(s) - 1);
	assert_int_equal(r.hdr_len, sizeof(s) - 1);
	assert_int_equal(r.method, SF_HTTP_GET);
	assert_path(&r, "/index.html?a=1");
	assert_ptr_equal(r.path, s + 4);
	assert_int_equal(r.minor, 1);
	assert_true(r.keep_alive);
	assert_int_equal(r.content_length, 0);
}

static void
test_http_req_head(void **state)
{
	static const char s[] = "HEAD / HTTP/1.1\r\nhost: h\r\n\r\n";
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ(s, &r), sizeof(s) - 1);
	assert_int_equal(r.method, SF_HTTP_HEAD);
	assert_path(&r, "/");
	assert_int_equal(r.minor, 1);
	assert_true(r.keep_alive);
}

static void
test_http_req_http10_default_close(void **state)
{
	struct sf_http_req r;

	(void)state;
	/* HTTP/1.0 needs no Host and closes by default. */
	assert_int_equal(REQ("GET /x HTTP/1.0\r\n\r\n", &r), 19);
	assert_int_equal(r.minor, 0);
	assert_false(r.keep_alive);
	assert_path(&r, "/x");
	assert_int_equal(REQ("GET /x HTTP/1.0\r\nHost: a\r\n"
			     "Connection: close\r\n\r\n", &r), 47);
	assert_false(r.keep_alive);
}

static void
test_http_req_http10_keep_alive(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
			     "\r\n", &r), 42);
	assert_int_equal(r.minor, 0);
	assert_true(r.keep_alive);
	assert_true(REQ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			&r) > 0);
	assert_true(r.keep_alive);
	/* close wins over keep-alive, whatever the order. */
	assert_true(REQ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n"
			"\r\n", &r) > 0);
	assert_false(r.keep_alive);
}

static void
test_http_req_connection_close(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
			"\r\n", &r) > 0);
	assert_false(r.keep_alive);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\nconnection: CLOSE\r\n"
			"\r\n", &r) > 0);
	assert_false(r.keep_alive);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"Connection: keep-alive, close\r\n\r\n", &r) > 0);
	assert_false(r.keep_alive);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"Connection: Close ,Keep-Alive\r\n\r\n", &r) > 0);
	assert_false(r.keep_alive);
	/* Empty elements are allowed (RFC 9110 §5.6.1). */
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"Connection: , ,\tclose,\r\n\r\n", &r) > 0);
	assert_false(r.keep_alive);
	/* Two Connection lines are one list. */
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
			"Connection: close\r\n\r\n", &r) > 0);
	assert_false(r.keep_alive);
	/* Other options and near misses leave the default. */
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"Connection: Upgrade, closed, xclose\r\n\r\n", &r) > 0);
	assert_true(r.keep_alive);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\nX-Connection: close\r\n"
			"\r\n", &r) > 0);
	assert_true(r.keep_alive);
}

static void
test_http_req_connection_bad_list(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Connection: close keep-alive\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Connection: clo@se\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Connection: \"close\"\r\n\r\n", &r), -400);
}

static void
test_http_req_split_points(void **state)
{
	static const char *const heads[] = {
		"GET /a/b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"\r\nHEAD / HTTP/1.0\r\nX: \t\r\nContent-Length: 3\r\n\r\n",
		"GET http://h:80/p HTTP/1.1\r\nHost: h:80\r\n\r\n",
		"GET / HTTP/1.1\r\nHost:\r\n\r\n",
	};
	struct sf_http_req r;
	uint32_t h, i, n;

	(void)state;
	for (h = 0; h < SF_ARRAY_SIZE(heads); h++) {
		n = strlen(heads[h]);
		for (i = 0; i < n; i++) {
			assert_int_equal(req_exact(heads[h], i, MAX_HDR, &r),
					 0);
			assert_int_equal(r.hdr_len, 0);
		}
		assert_int_equal(req_exact(heads[h], n, MAX_HDR, &r), n);
		assert_int_equal(r.hdr_len, n);
	}
	/* The last one, field by field. */
	assert_int_equal(r.method, SF_HTTP_GET);
	assert_path(&r, "/");
	/* The leading CRLF is ignored but counted (RFC 9112 §2.2). */
	assert_int_equal(req_exact(heads[1], strlen(heads[1]), MAX_HDR, &r),
			 strlen(heads[1]));
	assert_int_equal(r.method, SF_HTTP_HEAD);
	assert_path(&r, "/");
	assert_ptr_equal(r.path, heads[1] + 7);
	assert_int_equal(r.content_length, 3);
	assert_false(r.keep_alive);
	assert_int_equal(req_exact(heads[2], strlen(heads[2]), MAX_HDR, &r),
			 strlen(heads[2]));
	assert_path(&r, "/p");
}

static void
test_http_req_pipelined(void **state)
{
#define PIPE_1 "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
#define PIPE_2 "HEAD /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	static const char s[] = PIPE_1 PIPE_2 "GET /thr";
	struct sf_http_req r;
	uint32_t off = 0, len = sizeof(s) - 1;
	int rc;

	(void)state;
	rc = sf_http_parse_request(s, len, MAX_HDR, &r);
	assert_int_equal(rc, sizeof(PIPE_1) - 1);
	assert_int_equal(r.method, SF_HTTP_GET);
	assert_path(&r, "/one");
	assert_true(r.keep_alive);
	off += rc;
	rc = sf_http_parse_request(s + off, len - off, MAX_HDR, &r);
	assert_int_equal(rc, sizeof(PIPE_2) - 1);
	assert_int_equal(r.method, SF_HTTP_HEAD);
	assert_path(&r, "/two");
	assert_ptr_equal(r.path, s + off + 5);
	assert_false(r.keep_alive);
	off += rc;
	assert_int_equal(sf_http_parse_request(s + off, len - off, MAX_HDR,
					       &r), 0);
#undef PIPE_1
#undef PIPE_2
}

static void
test_http_req_content_length_skip(void **state)
{
#define CL_HEAD "GET /up HTTP/1.1\r\nHost: a\r\n" \
	"Content-Length:  \t12 \t\r\n\r\n"
#define CL_NEXT "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
	static const char s[] = CL_HEAD
		"hello, world"
		"\r\n"	/* stray CRLF after a body: ignored */
		CL_NEXT;
	struct sf_http_req r;
	uint32_t off, len = sizeof(s) - 1;
	int rc;

	(void)state;
	rc = sf_http_parse_request(s, len, MAX_HDR, &r);
	assert_int_equal(rc, sizeof(CL_HEAD) - 1);
	assert_int_equal(r.content_length, 12);
	assert_memory_equal(s + rc, "hello, world", 12);
	off = rc + r.content_length;
	rc = sf_http_parse_request(s + off, len - off, MAX_HDR, &r);
	assert_int_equal(rc, 2 + sizeof(CL_NEXT) - 1);
	assert_int_equal(off + rc, len);
	assert_path(&r, "/next");
	assert_int_equal(r.content_length, 0);
#undef CL_HEAD
#undef CL_NEXT
}

static void
test_http_req_content_length_dup(void **state)
{
	struct sf_http_req r;

	(void)state;
	/* Identical duplicates, as a line or a list, are one value. */
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
			"content-length: 5\r\n\r\n", &r) > 0);
	assert_int_equal(r.content_length, 5);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"Content-Length: 5 , 5,5\r\n\r\n", &r) > 0);
	assert_int_equal(r.content_length, 5);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n"
			"Content-Length: 7\r\n\r\n", &r) > 0);
	assert_int_equal(r.content_length, 7);
	/* Differing ones are 400 (RFC 9112 §6.3 rule 5). */
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Content-Length: 5, 6\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Content-Length: 0\r\nContent-Length: 00\r\n"
			     "Content-Length: 1\r\n\r\n", &r), -400);
}

static void
test_http_req_content_length_bad(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", "1 2", "0x10", "1,", ",1", "1,,1", "1.0",
		"abc", "1a", "9007199254740993",	/* 2^53 + 1 */
		"18446744073709551616",			/* 2^64 */
		"99999999999999999999999999999999999999999999",
	};
	char s[256];
	struct sf_http_req r;
	uint32_t i;
	int n;

	(void)state;
	for (i = 0; i < SF_ARRAY_SIZE(bad); i++) {
		n = snprintf(s, sizeof(s), "GET / HTTP/1.1\r\nHost: a\r\n"
			     "Content-Length: %s\r\n\r\n", bad[i]);
		assert_int_equal(sf_http_parse_request(s, n, MAX_HDR, &r),
				 -400);
	}
	/* 2^53 itself is the largest accepted. */
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"Content-Length: 9007199254740992\r\n\r\n", &r) > 0);
	assert_int_equal(r.content_length, UINT64_C(9007199254740992));
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"Content-Length: 0000000000000000000000000000042\r\n"
			"\r\n", &r) > 0);
	assert_int_equal(r.content_length, 42);
}

static void
test_http_req_transfer_encoding(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: a\r\n"
		"Transfer-Encoding: chunked\r\n\r\n";
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ(s, &r), -501);
	assert_int_equal(r.hdr_len, sizeof(s) - 1);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Content-Length: 3\r\n"
			     "transfer-encoding: gzip, chunked\r\n\r\n", &r),
			 -501);
	assert_int_equal(REQ("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
			     "\r\n", &r), -501);
	assert_int_equal(REQ("POST / HTTP/1.1\r\nHost: a\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n", &r), -501);
	/* Only once the head is complete. */
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "Transfer-Encoding: chunked\r\n", &r), 0);
}

static void
test_http_req_method_not_allowed(void **state)
{
	static const char s[] = "POST /form HTTP/1.1\r\nHost: a\r\n"
		"Content-Length: 4\r\nConnection: close\r\n\r\n";
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ(s, &r), -405);
	assert_int_equal(r.method, SF_HTTP_OTHER);
	assert_path(&r, "/form");
	assert_int_equal(r.minor, 1);
	assert_false(r.keep_alive);
	assert_int_equal(r.content_length, 4);
	assert_int_equal(r.hdr_len, sizeof(s) - 1);
	/* Methods are case-sensitive (RFC 9110 §9.1). */
	assert_int_equal(REQ("get / HTTP/1.1\r\nHost: a\r\n\r\n", &r), -405);
	assert_int_equal(REQ("Head / HTTP/1.1\r\nHost: a\r\n\r\n", &r), -405);
	assert_int_equal(REQ("GETS / HTTP/1.1\r\nHost: a\r\n\r\n", &r), -405);
	assert_int_equal(REQ("DELETE /x HTTP/1.0\r\n\r\n", &r), -405);
	assert_int_equal(REQ("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &r),
			 -405);
	assert_path(&r, "*");
	assert_int_equal(REQ("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n", &r),
			 -400);
	/* Waits for the whole head, and a bad head is still a 400. */
	assert_int_equal(REQ("POST / HTTP/1.1\r\nHost: a\r\n", &r), 0);
	assert_int_equal(REQ("POST / HTTP/1.1\r\n\r\n", &r), -400);
}

static void
test_http_req_bad_method(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ(" / HTTP/1.1\r\nHost: a\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", &r), -400);
	assert_int_equal(REQ("G\0T / HTTP/1.1\r\nHost: a\r\n\r\n", &r), -400);
	assert_int_equal(REQ("G\xc3\x89T / HTTP/1.1\r\nHost: a\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", &r), -400);
	/* Reported before the head is complete. */
	assert_int_equal(REQ("GE\x7f", &r), -400);
}

static void
test_http_req_bad_request_line(void **state)
{
	static const char *const bad[] = {
		"GET  / HTTP/1.1\r\n",
		"GET /  HTTP/1.1\r\n",
		"GET / HTTP/1.1 \r\n",
		"GET /\tHTTP/1.1\r\n",
		"GET /\r\n",
		"GET / \r\n\r\n",
		"GET / http/1.1\r\n",
		"GET / HTTP/1.1x\r\n",
		"GET / HTTP/11\r\n\r\n",
		"GET / HTTP/1.10\r\n",
		"GET / HTTP/a.b\r\n",
		"GET / HTTP/1.\r\n\r\n",
		"GET / HTTP/1.1\rX\r\n",
		"GET / HTTP/1.1\n\r\n",
		"GET / HTTP/1.1\r\r\n",
		"\r\r\nGET / HTTP/1.1\r\n",
		"\nGET / HTTP/1.1\r\n",
	};
	char s[128];
	struct sf_http_req r;
	uint32_t i;
	int n;

	(void)state;
	for (i = 0; i < SF_ARRAY_SIZE(bad); i++) {
		n = snprintf(s, sizeof(s), "%sHost: a\r\n\r\n", bad[i]);
		assert_int_equal(sf_http_parse_request(s, n, MAX_HDR, &r),
				 -400);
	}
	assert_int_equal(REQ("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", &r),
			 -400);
}

static void
test_http_req_version(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &r), -505);
	assert_int_equal(REQ("GET / HTTP/1.2\r\nHost: a\r\n\r\n", &r), -505);
	assert_int_equal(REQ("GET / HTTP/0.9\r\n\r\n", &r), -505);
	/* Known from the request line alone. */
	assert_int_equal(REQ("GET / HTTP/3.0\r\n", &r), -505);
	assert_path(&r, "/");
	assert_int_equal(REQ("GET / HTTP/2\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &r), 27);
	assert_int_equal(r.minor, 1);
	assert_int_equal(REQ("GET / HTTP/1.0\r\n\r\n", &r), 18);
	assert_int_equal(r.minor, 0);
}

static void
test_http_req_target(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ("GET * HTTP/1.1\r\nHost: a\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET ** HTTP/1.1\r\nHost: a\r\n\r\n", &r), -400);
	/* absolute-form: path from the first '/' after the authority. */
	assert_true(REQ("GET http://example.com/a/b?c=/d HTTP/1.1\r\n"
			"Host: example.com\r\n\r\n", &r) > 0);
	assert_path(&r, "/a/b?c=/d");
	assert_true(REQ("GET HTTPS://[::1]:8443/ HTTP/1.1\r\nHost: x\r\n\r\n",
			&r) > 0);
	assert_path(&r, "/");
	assert_int_equal(REQ("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET http://h?q HTTP/1.1\r\nHost: h\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET http://u@h/x HTTP/1.1\r\nHost: h\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n", &r),
			 -400);
	/* No fragment, no CTL, no non-ASCII; other VCHARs pass. */
	assert_int_equal(REQ("GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n",
			     &r), -400);
	assert_true(REQ("GET /q?x={\"a\"|b}&%20 HTTP/1.1\r\nHost: h\r\n\r\n",
			&r) > 0);
	assert_path(&r, "/q?x={\"a\"|b}&%20");
}

static void
test_http_req_target_too_long(void **state)
{
	const uint32_t max_hdr = 16384;
	char *s = malloc(max_hdr);
	struct sf_http_req r;
	uint32_t n;

	(void)state;
	assert_non_null(s);
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', SF_HTTP_MAX_TARGET - 1);
	n = 4 + SF_HTTP_MAX_TARGET;
	n += sprintf(s + n, " HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(sf_http_parse_request(s, n, max_hdr, &r), n);
	assert_int_equal(r.path_len, SF_HTTP_MAX_TARGET);
	/* One more byte: 414, known before the line ends. */
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', SF_HTTP_MAX_TARGET);
	n = 5 + SF_HTTP_MAX_TARGET;
	assert_int_equal(sf_http_parse_request(s, n - 1, max_hdr, &r), 0);
	assert_int_equal(sf_http_parse_request(s, n, max_hdr, &r), -414);
	n += sprintf(s + n, " HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(sf_http_parse_request(s, n, max_hdr, &r), -414);
	/* A smaller max_hdr is reached first. */
	assert_int_equal(sf_http_parse_request(s, n, 4096, &r), -431);
	free(s);
}

static void
test_http_req_host(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ("GET / HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nX-Host: a\r\nHosts: a\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.0\r\n\r\n", &r), 18);
	/* Empty is allowed (RFC 9112 §3.2), case does not matter. */
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHOST:\r\n\r\n", &r), 25);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", &r), -400);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n",
			&r) > 0);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: my_host-1.example:8080\r\n"
			"\r\n", &r) > 0);
}

static void
test_http_req_bad_field_syntax(void **state)
{
	struct sf_http_req r;

	(void)state;
	/* RFC 9112 §5.1: no whitespace between name and colon. */
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX\t: b\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", &r),
			 -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX(y): v\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			     "X\xc3\xa9: v\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX\0: v\r\n\r\n", &r),
			 -400);
	/* NUL, CTL, DEL, bare CR in a value. */
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
			     &r), -400);
	/* obs-text and HTAB are fine in values (RFC 9110 §5.5). */
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\n"
			"X: caf\xc3\xa9\t\xff \r\n\r\n", &r) > 0);
	assert_true(REQ("GET / HTTP/1.1\r\nHost: a\r\nX:\r\nY:  \r\n"
			"!#$%&'*+-.^_`|~09AZaz: v\r\n\r\n", &r) > 0);
}

/* Long values are scanned 16 bytes at a time: a byte that cannot be in a
 * value is found at every position of a block and of the tail, and
 * trailing whitespace longer than a block is still trimmed. */
static void
test_http_long_values(void **state)
{
	static const char bad[] = { 0x00, 0x01, 0x08, 0x0a, 0x0b, 0x1f, 0x7f };
	static const char good[] = { '\t', ' ', 0x21, 0x7e, (char)0x80,
				     (char)0xff };
	const char *pre = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
	char buf[256];
	struct sf_http_req r;
	struct sf_http_resp rs;
	uint32_t i, k, n;

	(void)state;
	for (k = 0; k < 48; k++) {
		for (i = 0; i < sizeof(bad) + sizeof(good); i++) {
			n = (uint32_t)strlen(pre);
			memcpy(buf, pre, n);
			memset(buf + n, 'v', k);
			n += k;
			buf[n++] = i < sizeof(bad) ? bad[i] :
				good[i - sizeof(bad)];
			memcpy(buf + n, "w\r\n\r\n", 5);
			n += 5;
			if (i < sizeof(bad))
				assert_int_equal(req_exact(buf, n, MAX_HDR, &r), -400);
			else
				assert_int_equal(req_exact(buf, n, MAX_HDR, &r),
						 (int)n);
		}
	}
	/* a bare CR deep in a value */
	n = (uint32_t)snprintf(buf, sizeof(buf), "%sabcdefghijklmnopq\rz\r\n"
			       "\r\n", pre);
	assert_int_equal(req_exact(buf, n, MAX_HDR, &r), -400);
	/* 20 bytes of OWS after values: trimmed, so they parse */
	n = (uint32_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a"
			       " \t                  \r\nContent-Length: 5 "
			       "\t                  \r\n\r\n");
	assert_int_equal(req_exact(buf, n, MAX_HDR, &r), (int)n);
	assert_int_equal(r.content_length, 5);
	/* a reason phrase longer than a block, good and with a CTL */
	n = (uint32_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 A very long "
			       "reason phrase\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(resp_exact(buf, n, MAX_HDR, &rs), (int)n);
	buf[30] = 0x02;
	assert_int_equal(resp_exact(buf, n, MAX_HDR, &rs), -EBADMSG);
}

/* Field names are scanned 16 bytes at a time: every byte value at every
 * place across three blocks of a long name is taken exactly when it is a
 * tchar (RFC 9110 §5.6.2), in requests and responses. */
static void
test_http_long_names(void **state)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	char buf[256];
	struct sf_http_req r;
	struct sf_http_resp rs;
	uint32_t c, k, n, h;
	bool ok;

	(void)state;
	for (k = 0; k < 48; k++) {
		for (c = 1; c < 256; c++) {
			if (c == ':')
				continue;
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') ||
			     strchr(tchar, (int)c) != NULL;
			n = (uint32_t)snprintf(buf, sizeof(buf),
					       "GET / HTTP/1.1\r\nHost: a\r\n");
			h = n;
			memset(buf + n, 'N', k);
			n += k;
			buf[n++] = (char)c;
			memcpy(buf + n, "-x: v\r\n\r\n", 9);
			n += 9;
			if (ok)
				assert_int_equal(req_exact(buf, n, MAX_HDR,
							   &r), (int)n);
			else
				assert_int_equal(req_exact(buf, n, MAX_HDR,
							   &r), -400);
			/* the same field line in a response */
			memmove(buf + 17, buf + h, n - h);
			memcpy(buf, "HTTP/1.1 204 No\r\n", 17);
			n = n - h + 17;
			if (ok)
				assert_int_equal(resp_exact(buf, n, MAX_HDR,
							    &rs), (int)n);
			else
				assert_int_equal(resp_exact(buf, n, MAX_HDR,
							    &rs), -EBADMSG);
		}
	}
}

static void
test_http_req_obs_fold(void **state)
{
	struct sf_http_req r;

	(void)state;
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
			     &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n"
			     "\r\n", &r), -400);
	/* Whitespace before the first field (RFC 9112 §2.2). */
	assert_int_equal(REQ("GET / HTTP/1.1\r\n Host: a\r\n\r\n", &r), -400);
	/* Known as soon as the fold's first byte arrives. */
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n ", &r),
			 -400);
}

static void
test_http_req_bare_lf(void **state)
{
	struct sf_http_req r;

	(void)state;
	/* Decision: CRLF only; a bare LF anywhere is a 400. */
	assert_int_equal(REQ("GET / HTTP/1.1\nHost: a\r\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\n\r\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.0\n\n", &r), -400);
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: 1\n\r\n", &r),
			 -400);
	/* Bare CR too (RFC 9112 §2.2). */
	assert_int_equal(REQ("GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n", &r), -400);
	/* Any number of leading CRLFs is ignored and counted. */
	assert_int_equal(REQ("\r\n\r\nGET / HTTP/1.0\r\n\r\n", &r), 22);
	assert_path(&r, "/");
}

static void
test_http_req_max_hdr(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	const uint32_t n = sizeof(s) - 1;
	struct sf_http_req r;

	(void)state;
	/* A head of exactly max_hdr bytes fits, one byte less does not. */
	assert_int_equal(req_exact(s, n, n, &r), n);
	assert_int_equal(req_exact(s, n, n - 1, &r), -431);
	assert_int_equal(req_exact(s, n - 1, n - 1, &r), -431);
	assert_int_equal(req_exact(s, n - 1, n, &r), 0);
	/* More bytes than max_hdr: only the first max_hdr are looked at. */
	assert_int_equal(sf_http_parse_request(
		"GET / HTTP/1.1\r\nHost: a\r\nX: 12345\r\n\r\n", 37, 30, &r),
		-431);
	assert_int_equal(sf_http_parse_request(
		"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /", 32, 27, &r), 27);
	/* An early error still wins over the size verdict. */
	assert_int_equal(sf_http_parse_request("GET / HTTP/1.1\r\nX : y", 21,
					       21, &r), -400);
	assert_int_equal(sf_http_parse_request(NULL, 0, MAX_HDR, &r), 0);
	assert_int_equal(sf_http_parse_request(NULL, 0, 0, &r), -431);
	assert_int_equal(sf_http_parse_request(s, n, 0, &r), -431);
	assert_int_equal(sf_http_parse_request(s, n, UINT32_MAX, &r), n);
}

static void
test_http_req_field_count(void **state)
{
	const uint32_t max_hdr = 4096;
	char *s = malloc(max_hdr);
	struct sf_http_req r;
	uint32_t i, n;

	(void)state;
	assert_non_null(s);
	/* Host plus 99 others: 100 field lines, accepted. */
	n = sprintf(s, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < SF_HTTP_MAX_FIELDS - 1; i++)
		n += sprintf(s + n, "X%u: v\r\n", i);
	n += sprintf(s + n, "\r\n");
	assert_true(n < max_hdr);
	assert_int_equal(sf_http_parse_request(s, n, max_hdr, &r), n);
	/* The 101st line is refused as soon as it is complete. */
	n -= 2;
	n += sprintf(s + n, "Y: v\r\n");
	assert_int_equal(sf_http_parse_request(s, n, max_hdr, &r), -431);
	n += sprintf(s + n, "\r\n");
	assert_int_equal(sf_http_parse_request(s, n, max_hdr, &r), -431);
	free(s);
}

/* ---- responses ---- */

static void
test_http_resp_200_length(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n"
		"Content-Type: text/plain\r\ncontent-length: 5\r\n\r\nhello";
	struct sf_http_resp r;

	(void)state;
	assert_int_equal(RESP(s, &r), sizeof(s) - 1 - 5);
	assert_int_equal(r.hdr_len, sizeof(s) - 1 - 5);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.minor, 1);
	assert_true(r.keep_alive);
	assert_true(r.has_length);
	assert_int_equal(r.content_length, 5);
	assert_false(r.chunked);
	assert_false(r.no_body);
	/* Empty reason, with or without the SP. */
	assert_int_equal(RESP("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", &r),
			 36);
	assert_int_equal(r.status, 404);
	assert_int_equal(RESP("HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", &r),
			 35);
	assert_int_equal(r.status, 503);
	assert_true(r.has_length);
	assert_int_equal(r.content_length, 0);
}

/* A request from the memo has its path in the new buffer. */
static void
test_http_req_memo(void **state)
{
	static const char a[] = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char b[] = "GET /y HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char post[] = "POST / HTTP/1.1\r\nHost: h\r\n\r\n";
	const int ha = (int)sizeof(a) - 1;
	struct sf_http_req_memo memo;
	struct sf_http_req r;
	char buf[64];

	(void)state;
	memset(&memo, 0, sizeof(memo));
	assert_int_equal(sf_http_parse_request_memo(&memo, a, ha, 8192, &r),
			 ha);
	assert_ptr_equal(r.path, a + 4);
	assert_int_equal(memo.m.len, ha);
	/* The same bytes elsewhere: the memo's answer, the path in buf. */
	memcpy(buf, a, sizeof(a));
	memo.req.keep_alive = false;	/* marks the memo's answer */
	assert_int_equal(sf_http_parse_request_memo(&memo, buf, ha, 8192, &r),
			 ha);
	assert_false(r.keep_alive);
	assert_ptr_equal(r.path, buf + 4);
	assert_int_equal(r.path_len, 2);
	/* Another path: parsed. */
	assert_int_equal(sf_http_parse_request_memo(&memo, b, ha, 8192, &r),
			 ha);
	assert_true(r.keep_alive);
	assert_ptr_equal(r.path, b + 4);
	assert_memory_equal(r.path, "/y", 2);
	/* Errors are not kept: the last good head stays. */
	assert_int_equal(sf_http_parse_request_memo(&memo, post,
		sizeof(post) - 1, 8192, &r), -405);
	assert_int_equal(memo.m.len, ha);
	assert_memory_equal(memo.m.head, b, (size_t)ha);
}

/* The memo answers for the head it holds, and only for that head. */
static void
test_http_resp_memo(void **state)
{
	static const char a[] = "HTTP/1.1 200 OK\r\nContent-Length: 128\r\n\r\nxy";
	static const char b[] = "HTTP/1.1 200 OK\r\nContent-Length: 129\r\n\r\nzz";
	const uint32_t ha = sizeof(a) - 1 - 2;
	struct sf_http_resp_memo memo;
	struct sf_http_resp r;
	char big[SF_HTTP_MEMO_MAX + 64];
	int n;

	(void)state;
	memset(&memo, 0, sizeof(memo));
	assert_int_equal(sf_http_parse_response_memo(&memo, a, sizeof(a) - 1,
						     8192, &r), ha);
	assert_int_equal(r.content_length, 128);
	assert_int_equal(memo.m.len, ha);
	/* The same head is the memo's: mark its copy to see it answer. */
	memo.resp.content_length = 7;
	assert_int_equal(sf_http_parse_response_memo(&memo, a, sizeof(a) - 1,
						     8192, &r), ha);
	assert_int_equal(r.content_length, 7);
	/* One byte differs, the length does not: parsed, and kept. */
	assert_int_equal(sf_http_parse_response_memo(&memo, b, sizeof(b) - 1,
						     8192, &r), ha);
	assert_int_equal(r.content_length, 129);
	assert_int_equal(memo.resp.content_length, 129);
	/* A prefix of the kept head is incomplete, not the memo's. */
	assert_int_equal(sf_http_parse_response_memo(&memo, b, ha - 1, 8192,
						     &r), 0);
	/* Another max_hdr: the head no longer fits. */
	assert_int_equal(sf_http_parse_response_memo(&memo, b, sizeof(b) - 1,
						     16, &r), -EMSGSIZE);
	/* Malformed input leaves the memo alone. */
	assert_int_equal(sf_http_parse_response_memo(&memo, "HTTP/1.1 2x0 OK\r\n",
						     17, 8192, &r), -EBADMSG);
	assert_int_equal(memo.m.len, ha);
	assert_int_equal(memo.resp.content_length, 129);
	/* A head longer than the memo holds is parsed and not kept. */
	n = snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nX-Pad: %0*d\r\n"
		     "Content-Length: 3\r\n\r\n", SF_HTTP_MEMO_MAX, 0);
	assert_true(n > SF_HTTP_MEMO_MAX && n < (int)sizeof(big));
	assert_int_equal(sf_http_parse_response_memo(&memo, big, (uint32_t)n,
						     8192, &r), n);
	assert_int_equal(r.content_length, 3);
	assert_int_equal(memo.m.len, ha);
	assert_int_equal(sf_http_parse_response_memo(&memo, b, sizeof(b) - 1,
						     8192, &r), ha);
	assert_int_equal(r.content_length, 129);
}

static void
test_http_resp_no_body(void **state)
{
	struct sf_http_resp r;

	(void)state;
	assert_int_equal(RESP("HTTP/1.1 204 No Content\r\n\r\n", &r), 27);
	assert_int_equal(r.status, 204);
	assert_true(r.no_body);
	assert_false(r.has_length);
	assert_true(r.keep_alive);
	/* A 304 may carry the length of what it did not send. */
	assert_true(RESP("HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n"
			 "\r\n", &r) > 0);
	assert_int_equal(r.status, 304);
	assert_true(r.no_body);
	assert_true(r.has_length);
	assert_int_equal(r.content_length, 1234);
	assert_true(r.keep_alive);
	assert_true(RESP("HTTP/1.1 100 Continue\r\n\r\n", &r) > 0);
	assert_int_equal(r.status, 100);
	assert_true(r.no_body);
	assert_true(r.keep_alive);
}

static void
test_http_resp_chunked(void **state)
{
	struct sf_http_resp r;

	(void)state;
	assert_true(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			 "\r\n", &r) > 0);
	assert_true(r.chunked);
	assert_false(r.has_length);
	assert_true(r.keep_alive);
	assert_true(RESP("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, CHUNKED ,"
			 "\r\n\r\n", &r) > 0);
	assert_true(r.chunked);
	assert_true(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n", &r) > 0);
	assert_true(r.chunked);
	/* chunked not last: the body runs until close (RFC 9112 §6.3). */
	assert_true(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip"
			 "\r\n\r\n", &r) > 0);
	assert_false(r.chunked);
	assert_false(r.keep_alive);
	assert_true(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n"
			 "\r\n", &r) > 0);
	assert_false(r.chunked);
	/* With Content-Length, or in HTTP/1.0: faulty framing. */
	assert_int_equal(RESP("HTTP/1.1 200 OK\r\n"
			      "Transfer-Encoding: chunked\r\n"
			      "Content-Length: 5\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(RESP("HTTP/1.0 200 OK\r\n"
			      "Transfer-Encoding: chunked\r\n\r\n", &r),
			 -EBADMSG);
}

static void
test_http_resp_keep_alive(void **state)
{
	struct sf_http_resp r;

	(void)state;
	assert_true(RESP("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", &r) >
		    0);
	assert_int_equal(r.minor, 0);
	assert_false(r.keep_alive);
	assert_true(RESP("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n"
			 "Connection: Keep-Alive\r\n\r\n", &r) > 0);
	assert_true(r.keep_alive);
	assert_true(RESP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
			 "Connection: keep-alive, close\r\n\r\n", &r) > 0);
	assert_false(r.keep_alive);
	/* No length: the body is delimited by the close. */
	assert_true(RESP("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n",
			 &r) > 0);
	assert_false(r.has_length);
	assert_false(r.keep_alive);
	assert_int_equal(RESP("HTTP/1.1 200 OK\r\nConnection: a b\r\n\r\n", &r),
			 -EBADMSG);
}

static void
test_http_resp_malformed_status(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 20 OK\r\n",
		"HTTP/1.1 2000 OK\r\n",
		"HTTP/1.1 099 Low\r\n",
		"HTTP/1.1 600 High\r\n",
		"HTTP/1.1 abc OK\r\n",
		"HTTP/1.1  200 OK\r\n",
		"HTTP/1.1\t200 OK\r\n",
		"HTTP/1.1 200\tOK\r\n",
		"HTTP/2.0 200 OK\r\n",
		"HTTP/0.9 200 OK\r\n",
		"HTTP/2 200 OK\r\n",
		"http/1.1 200 OK\r\n",
		"HTTP/1.1 200 OK\n",
		"HTTP/1.1 200 OK\r\r\n",
		"HTTP/1.1 200 O\x01K\r\n",
		"HTTP/1.1 200 OK\r\nX : y\r\n",
		"HTTP/1.1 200 OK\r\nX: y\n",
		"HTTP/1.1 200 OK\r\nX: y\r\n z\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 9007199254740993\r\n",
		"\r\nHTTP/1.1 200 OK\r\n",
	};
	char s[256];
	struct sf_http_resp r;
	uint32_t i;
	int n;

	(void)state;
	for (i = 0; i < SF_ARRAY_SIZE(bad); i++) {
		n = snprintf(s, sizeof(s), "%s\r\n", bad[i]);
		assert_int_equal(sf_http_parse_response(s, n, MAX_HDR, &r),
				 -EBADMSG);
	}
	/* NUL in the reason; obs-text and HTAB are fine there. */
	assert_int_equal(RESP("HTTP/1.1 200 O\0K\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(RESP("HTTP/1.1 200 D\xc3\xa9j\xc3\xa0\tvu\r\n\r\n",
			      &r), 26);
	assert_int_equal(r.status, 200);
}

static void
test_http_resp_split_points(void **state)
{
	static const char s[] = "HTTP/1.1 301 Moved\r\nLocation: /x\r\n"
		"Content-Length: 0\r\nConnection: close\r\n\r\n";
	const uint32_t n = sizeof(s) - 1;
	struct sf_http_resp r;
	uint32_t i;

	(void)state;
	for (i = 0; i < n; i++) {
		assert_int_equal(resp_exact(s, i, MAX_HDR, &r), 0);
		assert_int_equal(r.hdr_len, 0);
	}
	assert_int_equal(resp_exact(s, n, MAX_HDR, &r), n);
	assert_int_equal(r.status, 301);
	assert_true(r.has_length);
	assert_int_equal(r.content_length, 0);
	assert_false(r.keep_alive);
}

static void
test_http_resp_limits(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	const uint32_t n = sizeof(s) - 1;
	char *big = malloc(4096);
	struct sf_http_resp r;
	uint32_t i, m;

	(void)state;
	assert_int_equal(resp_exact(s, n, n, &r), n);
	assert_int_equal(resp_exact(s, n, n - 1, &r), -EMSGSIZE);
	assert_int_equal(resp_exact(s, n - 1, n, &r), 0);
	assert_int_equal(sf_http_parse_response(NULL, 0, 0, &r), -EMSGSIZE);
	assert_non_null(big);
	m = sprintf(big, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < SF_HTTP_MAX_FIELDS; i++)
		m += sprintf(big + m, "X%u: v\r\n", i);
	m += sprintf(big + m, "\r\n");
	assert_int_equal(sf_http_parse_response(big, m, 4096, &r), m);
	m -= 2;
	m += sprintf(big + m, "Y: v\r\n\r\n");
	assert_int_equal(sf_http_parse_response(big, m, 4096, &r), -EMSGSIZE);
	free(big);
}

static void
test_http_reason(void **state)
{
	(void)state;
	assert_string_equal(sf_http_reason(200), "OK");
	assert_string_equal(sf_http_reason(400), "Bad Request");
	assert_string_equal(sf_http_reason(404), "Not Found");
	assert_string_equal(sf_http_reason(405), "Method Not Allowed");
	assert_string_equal(sf_http_reason(414), "URI Too Long");
	assert_string_equal(sf_http_reason(431),
			    "Request Header Fields Too Large");
	assert_string_equal(sf_http_reason(501), "Not Implemented");
	assert_string_equal(sf_http_reason(505), "HTTP Version Not Supported");
	assert_string_equal(sf_http_reason(299), "Unknown");
	assert_string_equal(sf_http_reason(0), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_req_get),
		cmocka_unit_test(test_http_req_head),
		cmocka_unit_test(test_http_req_http10_default_close),
		cmocka_unit_test(test_http_req_http10_keep_alive),
		cmocka_unit_test(test_http_req_connection_close),
		cmocka_unit_test(test_http_req_connection_bad_list),
		cmocka_unit_test(test_http_req_split_points),
		cmocka_unit_test(test_http_req_pipelined),
		cmocka_unit_test(test_http_req_content_length_skip),
		cmocka_unit_test(test_http_req_content_length_dup),
		cmocka_unit_test(test_http_req_content_length_bad),
		cmocka_unit_test(test_http_req_transfer_encoding),
		cmocka_unit_test(test_http_req_method_not_allowed),
		cmocka_unit_test(test_http_req_bad_method),
		cmocka_unit_test(test_http_req_bad_request_line),
		cmocka_unit_test(test_http_req_version),
		cmocka_unit_test(test_http_req_target),
		cmocka_unit_test(test_http_req_target_too_long),
		cmocka_unit_test(test_http_req_host),
		cmocka_unit_test(test_http_req_bad_field_syntax),
		cmocka_unit_test(test_http_long_values),
		cmocka_unit_test(test_http_long_names),
		cmocka_unit_test(test_http_req_obs_fold),
		cmocka_unit_test(test_http_req_bare_lf),
		cmocka_unit_test(test_http_req_max_hdr),
		cmocka_unit_test(test_http_req_field_count),
		cmocka_unit_test(test_http_resp_200_length),
		cmocka_unit_test(test_http_resp_memo),
		cmocka_unit_test(test_http_req_memo),
		cmocka_unit_test(test_http_resp_no_body),
		cmocka_unit_test(test_http_resp_chunked),
		cmocka_unit_test(test_http_resp_keep_alive),
		cmocka_unit_test(test_http_resp_malformed_status),
		cmocka_unit_test(test_http_resp_split_points),
		cmocka_unit_test(test_http_resp_limits),
		cmocka_unit_test(test_http_reason),
	};

	return cmocka_run_group_tests_name("http_parse", tests, NULL, NULL);
}
