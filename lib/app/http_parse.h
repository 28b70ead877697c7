/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_HTTP_PARSE_H
#define SF_HTTP_PARSE_H

/*
 * A strict, bounded HTTP/1.1 head parser (RFC 9110, RFC 9112): the request
 * side for the server, the response side for the load-generating client.
 * Pure C, no DPDK. Each call parses from the start of the buffer in one
 * forward pass, never reads at or past buf + min(len, max_hdr), never
 * writes to buf, allocates nothing and keeps no state between calls, so
 * a caller that has received more bytes simply calls again.
 * Line ends must be CRLF: a bare LF or a bare CR is malformed (RFC 9112
 * §2.2 allows, but does not require, accepting a bare LF; refusing it
 * leaves no room for a front end to frame the message differently).
 * Pointers returned point into the caller's buffer.
 */

#include <stdbool.h>
#include <stdint.h>

/* Most field lines in one head; one more is answered 431 / -EMSGSIZE. */
#define SF_HTTP_MAX_FIELDS 100
/* Longest request-target; longer is answered 414. */
#define SF_HTTP_MAX_TARGET 8000
/* Largest Content-Length accepted (2^53: exact in a double, as JSON). */
#define SF_HTTP_MAX_CONTENT_LENGTH (UINT64_C(1) << 53)

enum sf_http_method { SF_HTTP_GET, SF_HTTP_HEAD, SF_HTTP_OTHER };

struct sf_http_req {
	enum sf_http_method method;
	const char *path;	/* in the caller's buffer, not NUL-terminated */
	uint16_t path_len;
	uint8_t minor;		/* HTTP/1.<minor>: 0 or 1 */
	/* HTTP/1.1 default on, 1.0 default off; Connection: close /
	 * keep-alive override (token list, case-insensitive, close wins). */
	bool keep_alive;
	/* Request body bytes that follow the head (the server skips them). */
	uint64_t content_length;
	/* Bytes of request line + fields + final CRLF CRLF, including any
	 * empty lines ignored before the request line (RFC 9112 §2.2). */
	uint32_t hdr_len;
};

/**
 * Parse one request head from buf[0..len).
 *
 * The request-target is origin-form ("/..."), "*" (OPTIONS only, so 405),
 * or absolute-form "http://authority/path" / "https://...", where path is
 * the part from the first '/' after the authority (an absolute-form
 * without such a '/' is 400). The method is case-sensitive (RFC 9110
 * §9.1); field names are compared case-insensitively. On any return @p req
 * is fully written; fields not reached yet hold their defaults.
 *
 * @return
 *   - > 0: complete; the value equals req->hdr_len.
 *   - 0: incomplete, call again with more bytes (only while len < max_hdr).
 *   - -400: malformed: request line (single SP separators), field syntax,
 *     whitespace before a colon (RFC 9112 §5.1), obs-fold, bare CR or LF,
 *     NUL or other CTL, non-ASCII outside field values, missing (HTTP/1.1)
 *     or duplicate Host, bad Host value, bad Connection token list, bad
 *     Content-Length, differing Content-Length values, above
 *     SF_HTTP_MAX_CONTENT_LENGTH.
 *   - -405: well-formed request whose method is not GET or HEAD
 *     (req->method = SF_HTTP_OTHER, the rest filled in).
 *   - -414: request-target longer than SF_HTTP_MAX_TARGET.
 *   - -431: no complete head within max_hdr bytes, or more than
 *     SF_HTTP_MAX_FIELDS field lines.
 *   - -501: Transfer-Encoding present (no request bodies but
 *     Content-Length ones).
 *   - -505: well-formed "HTTP/x.y" other than 1.0 and 1.1.
 * Syntax errors are reported as soon as they are seen, even in an
 * incomplete head; 501 and 405 only once the head is complete.
 */
int sf_http_parse_request(const char *buf, uint32_t len, uint32_t max_hdr,
			  struct sf_http_req *req);

struct sf_http_resp {
	uint16_t status;
	uint8_t minor;
	/* Per version default and Connection header; also false when the
	 * body runs until the server closes (no length, not chunked). */
	bool keep_alive;
	bool has_length;	/* Content-Length present */
	uint64_t content_length;
	/* Transfer-Encoding with chunked as the final coding (the client
	 * reports it as unsupported). */
	bool chunked;
	/* 1xx, 204, 304: no body whatever the fields say (RFC 9112 §6.3). */
	bool no_body;
	uint32_t hdr_len;
};

/**
 * Parse one response head from buf[0..len). The reason phrase is checked
 * for allowed bytes and otherwise ignored; "HTTP/1.1 200\r\n" without the
 * SP before an empty reason is accepted. On any return @p resp is fully
 * written.
 *
 * @return
 *   - > 0: complete; the value equals resp->hdr_len.
 *   - 0: incomplete, call again with more bytes (only while len < max_hdr).
 *   - -EBADMSG: malformed: status line, version other than 1.0 / 1.1,
 *     status outside 100..599, field syntax as for requests, bad or
 *     differing Content-Length, Transfer-Encoding together with
 *     Content-Length or in an HTTP/1.0 response (RFC 9112 §6.1, §6.3).
 *   - -EMSGSIZE: no complete head within max_hdr bytes, or more than
 *     SF_HTTP_MAX_FIELDS field lines.
 */
int sf_http_parse_response(const char *buf, uint32_t len, uint32_t max_hdr,
			   struct sf_http_resp *resp);

/** Longest head that a memo keeps. */
#define SF_HTTP_MEMO_MAX 256

/**
 * The last complete head parsed, byte for byte. A peer sends the same head
 * again and again (a load generator its request, a server its response,
 * which differs once a second in Date): comparing it costs a fraction of
 * parsing it. A head is parsed up to its empty line and no further, so
 * the memo's result and a parse's are the same. Zero it before first use.
 */
struct sf_http_memo {
	uint32_t len;		/* 0: empty */
	uint32_t max_hdr;	/* the parse's */
	char head[SF_HTTP_MEMO_MAX];
};

struct sf_http_req_memo {
	struct sf_http_memo m;
	struct sf_http_req req;	/* path: an offset into m.head */
};

/**
 * sf_http_parse_request() through @p memo: where buf starts with the head
 * the memo holds (parsed with the same max_hdr), the memo's result with
 * req->path in buf; else a parse, whose complete result the memo keeps.
 */
int sf_http_parse_request_memo(struct sf_http_req_memo *memo,
			       const char *buf, uint32_t len,
			       uint32_t max_hdr, struct sf_http_req *req);

struct sf_http_resp_memo {
	struct sf_http_memo m;
	struct sf_http_resp resp;
};

/** sf_http_parse_request_memo() for responses. */
int sf_http_parse_response_memo(struct sf_http_resp_memo *memo,
				const char *buf, uint32_t len,
				uint32_t max_hdr, struct sf_http_resp *resp);

/**
 * Reason phrase for a status code ("OK", "Bad Request", ...).
 *
 * @return a static string; "Unknown" for codes not in the table.
 */
const char *sf_http_reason(uint16_t status);

#endif /* SF_HTTP_PARSE_H */
