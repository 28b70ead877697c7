/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 responder (RFC 9112). Every response is built once per worker
 * (head and body in master mbufs) and sent as indirect mbufs that point at
 * it: a connection costs no copy and no buffer of its own. The heads are
 * rebuilt when the second of the Date header changes; in-flight clones
 * keep the old ones alive through the mbuf reference count.
 *
 * Requests are parsed where they lie in the receive queue; one that is
 * not complete yet is left there (recv() consumes nothing) and offered
 * again with the bytes that follow. Pipelined requests are answered in
 * order; a response that does not fit the send buffer is finished from
 * writable() before the next request is read.
 *
 * A connection's state is one word kept in its ctx (struct http_conn):
 * the server holds nothing per connection, and an idle keep-alive
 * connection's word is 0.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "app_priv.h"
#include "sf_net.h"
#include "http_parse.h"
#include "sf_log.h"
#include "sf_tcp.h"

#define HTTP_CHUNK 32768	/* body bytes per master mbuf */
/* Pinned references to the body per worker: the send queues' slices and
 * the segments in flight; when they run out, indirect mbufs serve. */
#define HTTP_REFS 16383
#define HTTP_HEAD_MAX 512

/* The responses a worker keeps ready. */
enum http_resp {
	R_GET,
	R_GET_CLOSE,
	R_HEAD,
	R_HEAD_CLOSE,
	R_404,
	R_404_CLOSE,
	R_400,			/* errors close the connection */
	R_405,
	R_414,
	R_431,
	R_501,
	R_505,
	R_NB,
};

static const uint16_t resp_status[R_NB] = {
	[R_GET] = 200, [R_GET_CLOSE] = 200, [R_HEAD] = 200,
	[R_HEAD_CLOSE] = 200, [R_404] = 404, [R_404_CLOSE] = 404,
	[R_400] = 400, [R_405] = 405, [R_414] = 414, [R_431] = 431,
	[R_501] = 501, [R_505] = 505,
};

/* Per connection: where its current response stands, packed in the
 * connection's ctx word (hc_load, hc_store). */
#define HTTP_SKIP_BITS 36
#define HTTP_SKIP_MAX ((UINT64_C(1) << HTTP_SKIP_BITS) - 1)
struct http_conn {
	uint64_t body_skip : HTTP_SKIP_BITS;	/* request body bytes still
						 * to discard */
	uint64_t off : 21;	/* bytes of resp already queued */
	uint64_t resp : 4;	/* enum http_resp */
	uint64_t pending : 1;	/* resp not wholly queued yet */
	uint64_t closing : 1;	/* close once resp is queued */
	uint64_t closed : 1;	/* sf_tcp_close done */
};

static_assert(sizeof(struct http_conn) <= sizeof(void *),
	      "struct http_conn does not fit a ctx word");
static_assert(HTTP_HEAD_MAX + SF_HTTP_MAX_BODY < (1u << 21),
	      "struct http_conn.off too narrow for a response");
static_assert(R_NB <= 16, "struct http_conn.resp too narrow");

struct http_srv {
	struct sf_app_base base;
	struct sf_http_conf conf;
	struct rte_mempool *body_pool;
	struct rte_mempool *ref_pool;	/* pinned references to the body */
	struct rte_mbuf *head[R_NB];
	uint32_t head_len[R_NB];
	struct rte_mbuf *body[SF_HTTP_MAX_BODY / HTTP_CHUNK + 1];
	uint32_t nb_body;
	uint64_t next_date;	/* TSC when the heads need a new Date */
	struct sf_http_req_memo req_memo;	/* the last request head */
};

static struct http_srv *
srv_of(struct sf_worker *w)
{
	return w->app;
}

static struct http_conn
hc_load(const struct sf_conn *c)
{
	struct http_conn hc;
	void *p = sf_conn_ctx(c);

	memcpy(&hc, &p, sizeof(hc));
	return hc;
}

static void
hc_store(struct sf_conn *c, const struct http_conn *hc)
{
	void *p = NULL;

	memcpy(&p, hc, sizeof(*hc));
	sf_conn_set_ctx(c, p);
}

static bool
resp_closes(enum http_resp r)
{
	return r != R_GET && r != R_HEAD && r != R_404;
}

/* @r, saying "Connection: close". */
static enum http_resp
resp_closing(enum http_resp r)
{
	switch (r) {
	case R_GET:
		return R_GET_CLOSE;
	case R_HEAD:
		return R_HEAD_CLOSE;
	case R_404:
		return R_404_CLOSE;
	default:
		return r;
	}
}

static bool
resp_has_body(enum http_resp r)
{
	return r == R_GET || r == R_GET_CLOSE;
}

static uint32_t
resp_len(const struct http_srv *s, enum http_resp r)
{
	return s->head_len[r] + (resp_has_body(r) ? s->conf.body_size : 0);
}

/* Build the head of response @r for the second @now into a new mbuf. */
static struct rte_mbuf *
head_build(struct sf_worker *w, struct http_srv *s, enum http_resp r,
	   time_t now, uint32_t *lenp)
{
	static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed",
					    "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
					   "Jun", "Jul", "Aug", "Sep", "Oct",
					   "Nov", "Dec" };
	uint16_t st = resp_status[r];
	struct rte_mbuf *m;
	struct tm tm;
	uint32_t clen;
	char *p;
	int n;

	m = sf_worker_mbuf_alloc(w);
	if (m == NULL)
		return NULL;
	gmtime_r(&now, &tm);
	/* 2xx carry the configured body (HEAD: its length, RFC 9110
	 * §9.3.2); errors a one-line text. */
	clen = st == 200 ? s->conf.body_size :
		(uint32_t)strlen(sf_http_reason(st)) + 1;
	p = rte_pktmbuf_mtod(m, char *);
	n = snprintf(p, HTTP_HEAD_MAX,
		     "HTTP/1.1 %u %s\r\n"
		     "Server: synfin\r\n"
		     "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n"
		     "Content-Type: %s\r\n"
		     "Content-Length: %u\r\n"
		     "%s"
		     "\r\n"
		     "%s%s",
		     st, sf_http_reason(st), wday[tm.tm_wday], tm.tm_mday,
		     mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		     tm.tm_sec,
		     st == 200 ? s->conf.content_type : "text/plain",
		     clen, resp_closes(r) ? "Connection: close\r\n" : "",
		     st == 200 ? "" : sf_http_reason(st),
		     st == 200 ? "" : "\n");
	if (n < 0 || n >= HTTP_HEAD_MAX) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->data_len = (uint16_t)n;
	m->pkt_len = (uint32_t)n;
	*lenp = (uint32_t)n;
	return m;
}

/* New heads when the Date second changed. A head that cannot be rebuilt
 * (pool empty) keeps its old date. */
static void
heads_refresh(struct sf_worker *w, struct http_srv *s)
{
	struct timespec ts;
	struct rte_mbuf *m;
	time_t now;
	uint32_t len;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec;
	for (r = 0; r < R_NB; r++) {
		m = head_build(w, s, (enum http_resp)r, now, &len);
		if (m == NULL)
			continue;
		rte_pktmbuf_free(s->head[r]);
		s->head[r] = m;
		s->head_len[r] = len;
	}
	/* Next refresh when the next second starts. */
	s->next_date = w->now + (uint64_t)((double)w->hz *
		(double)(1000000000L - ts.tv_nsec) / 1e9);
}

/* Indirect mbufs for bytes [off, off + len) of master @src. */
static struct rte_mbuf *
slice(struct rte_mempool *pool, struct rte_mbuf *src, uint32_t off,
      uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	return m == NULL ? NULL : sf_mbuf_slice(m, src, off, len);
}

/* The master holding byte @off of response @r (head, then body chunks),
 * and the offset in it (@pos). */
static struct rte_mbuf *
resp_at(const struct http_srv *s, enum http_resp r, uint32_t off,
	uint32_t *pos)
{
	uint32_t hl = s->head_len[r];

	if (off < hl) {
		*pos = off;
		return s->head[r];
	}
	*pos = (off - hl) % HTTP_CHUNK;
	return s->body[(off - hl) / HTTP_CHUNK];
}

/* The bytes [off, off + len) of response @r as one chain, or NULL. */
static struct rte_mbuf *
resp_chain(struct sf_worker *w, struct http_srv *s, enum http_resp r,
	   uint32_t off, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL, *m, *src;
	uint32_t pos, n;

	while (len > 0) {
		src = resp_at(s, r, off, &pos);
		n = RTE_MIN(len, src->data_len - pos);
		/* The body lives as long as the ports (sf_app_free runs
		 * after they close): pinned references, no atomics. The
		 * heads are replaced each second: indirect mbufs. */
		m = NULL;
		if (src != s->head[r] && s->ref_pool != NULL)
			m = sf_mbuf_ref(s->ref_pool, src, pos, n);
		if (m == NULL)
			m = slice(w->pool, src, pos, n);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
		off += n;
		len -= n;
	}
	return head;
}

/* Responses up to this many bytes are copied into one mbuf rather than
 * sliced from the masters: two slices cost two allocations and four
 * atomic updates of the masters' reference counts (a third of http_push
 * at 1.6M responses/s), more than copying a small response. */
#define HTTP_COPY_MAX 1024

/* The bytes [off, off + len) of response @r copied into one mbuf, or
 * NULL. @len is at most HTTP_COPY_MAX. */
static struct rte_mbuf *
resp_copy(struct sf_worker *w, struct http_srv *s, enum http_resp r,
	  uint32_t off, uint32_t len)
{
	struct rte_mbuf *m = sf_worker_mbuf_alloc(w), *src;
	uint32_t pos, n;
	char *dst;

	if (m == NULL)
		return NULL;
	dst = rte_pktmbuf_append(m, (uint16_t)len);
	if (dst == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	while (len > 0) {
		src = resp_at(s, r, off, &pos);
		n = RTE_MIN(len, src->data_len - pos);
		rte_memcpy(dst, rte_pktmbuf_mtod_offset(src, char *, pos), n);
		dst += n;
		off += n;
		len -= n;
	}
	return m;
}

/* Queue as much of @hc's response as the send buffer takes; close after
 * it when asked. Returns true when the response is wholly queued. */
static bool
http_push(struct sf_worker *w, struct http_srv *s, struct sf_conn *c,
	  struct http_conn *hc)
{
	enum http_resp r = (enum http_resp)hc->resp;
	uint32_t total = resp_len(s, r), n;
	struct rte_mbuf *m;

	while (hc->off < total) {
		n = RTE_MIN(total - hc->off, sf_tcp_send_space(w, c));
		if (n == 0)
			return false;	/* writable() brings us back */
		m = n <= HTTP_COPY_MAX ? resp_copy(w, s, r, hc->off, n) :
			resp_chain(w, s, r, hc->off, n);
		if (m == NULL || sf_tcp_send(w, c, m) != 0) {
			rte_pktmbuf_free(m);
			return false;
		}
		hc->off += n;
		s->base.st.bytes_tx += n;
	}
	hc->pending = false;
	s->base.st.responses++;
	if (resp_status[r] < 300)
		s->base.st.status_2xx++;
	else if (resp_status[r] < 500)
		s->base.st.status_4xx++;
	else
		s->base.st.status_5xx++;
	if (hc->closing && !hc->closed) {
		hc->closed = true;
		sf_tcp_close(w, c);	/* FIN after the response */
	}
	return true;
}

static void
http_respond(struct sf_worker *w, struct http_srv *s, struct sf_conn *c,
	     struct http_conn *hc, enum http_resp r)
{
	hc->resp = (uint8_t)r;
	hc->off = 0;
	hc->pending = true;
	if (resp_closes(r))
		hc->closing = true;
	http_push(w, s, c, hc);
}

static bool
path_known(const struct http_srv *s, const struct sf_http_req *req)
{
	uint32_t i;

	if (s->conf.nb_paths == 0)
		return true;
	for (i = 0; i < s->conf.nb_paths; i++)
		if (strlen(s->conf.paths[i]) == req->path_len &&
		    memcmp(s->conf.paths[i], req->path, req->path_len) == 0)
			return true;
	return false;
}

static enum http_resp
resp_for(const struct http_srv *s, const struct sf_http_req *req)
{
	bool ka = req->keep_alive && s->conf.keepalive;

	if (!path_known(s, req))
		return ka ? R_404 : R_404_CLOSE;
	if (req->method == SF_HTTP_HEAD)
		return ka ? R_HEAD : R_HEAD_CLOSE;
	return ka ? R_GET : R_GET_CLOSE;
}

static enum http_resp
resp_for_error(int rc)
{
	switch (-rc) {
	case 405:
		return R_405;
	case 414:
		return R_414;
	case 431:
		return R_431;
	case 501:
		return R_501;
	case 505:
		return R_505;
	default:
		return R_400;
	}
}

static uint32_t
http_recv(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m,
	  uint32_t off, uint32_t len)
{
	struct http_srv *s = srv_of(w);
	struct http_conn st = hc_load(c), *hc = &st;
	uint32_t used = 0, avail, n;
	struct sf_http_req req;
	enum http_resp r;
	char buf[8192];
	const char *p;
	int rc;

	if (unlikely(w->now >= s->next_date))
		heads_refresh(w, s);
	if (hc->pending && !http_push(w, s, c, hc)) {
		hc_store(c, hc);
		return 0;
	}
	while (used < len) {
		if (hc->closing) {
			used = len;	/* nothing after the last request */
			break;
		}
		if (hc->body_skip != 0) {
			n = (uint32_t)RTE_MIN((uint64_t)hc->body_skip,
					      (uint64_t)(len - used));
			hc->body_skip -= n;
			used += n;
			continue;
		}
		avail = RTE_MIN(len - used, s->conf.max_hdr);
		avail = RTE_MIN(avail, (uint32_t)sizeof(buf));
		p = rte_pktmbuf_read(m, off + used, avail, buf);
		rc = sf_http_parse_request_memo(&s->req_memo, p, avail,
						s->conf.max_hdr, &req);
		if (rc == 0) {
			if (!sf_conn_fin_rcvd(c))
				break;	/* the rest comes with more bytes */
			rc = -400;	/* and none will: truncated */
		}
		s->base.st.requests++;
		if (rc < 0) {
			s->base.st.bad_request++;
			used = len;
			http_respond(w, s, c, hc, resp_for_error(rc));
			break;
		}
		used += (uint32_t)rc;
		r = resp_for(s, &req);
		if (req.content_length > HTTP_SKIP_MAX)
			/* A body too long to count in the word: answer,
			 * then close and discard the rest (RFC 9112
			 * §9.6). */
			r = resp_closing(r);
		else
			hc->body_skip = req.content_length;
		http_respond(w, s, c, hc, r);
		if (hc->pending)
			break;		/* the send buffer is full */
	}
	hc_store(c, hc);
	s->base.st.bytes_rx += used;
	return used;
}

static void
http_writable(struct sf_worker *w, struct sf_conn *c)
{
	struct http_conn hc = hc_load(c);

	if (hc.pending) {
		http_push(w, srv_of(w), c, &hc);
		hc_store(c, &hc);
	}
}

static void
http_established(struct sf_worker *w, struct sf_conn *c)
{
	struct http_srv *s = srv_of(w);

	sf_conn_set_ctx(c, NULL);	/* idle: every field 0 */
	s->base.st.conns_opened++;
	s->base.st.conns_open++;
}

/* The client is done sending: answer what it asked, then close. */
static void
http_peer_closed(struct sf_worker *w, struct sf_conn *c)
{
	struct http_conn hc = hc_load(c);

	hc.closing = true;
	if (!hc.pending && !hc.closed) {
		hc.closed = true;
		hc_store(c, &hc);
		sf_tcp_close(w, c);
		return;
	}
	hc_store(c, &hc);
}

static void
http_closed(struct sf_worker *w, struct sf_conn *c, enum sf_close_reason why)
{
	struct http_srv *s = srv_of(w);

	/* Only connections shown to us by established() close here. */
	RTE_SET_USED(c);
	s->base.st.conns_open--;
	app_count_close(&s->base.st, why);
}

static const struct sf_tcp_app_ops http_server_ops = {
	.established = http_established,
	.recv = http_recv,
	.writable = http_writable,
	.peer_closed = http_peer_closed,
	.closed = http_closed,
};

static void
http_fini(struct sf_worker *w)
{
	struct http_srv *s = srv_of(w);
	uint32_t i;

	for (i = 0; i < R_NB; i++)
		rte_pktmbuf_free(s->head[i]);
	for (i = 0; i < s->nb_body; i++)
		rte_pktmbuf_free(s->body[i]);
	sf_mbuf_ref_pool_free(s->ref_pool);
	rte_mempool_free(s->body_pool);
}

/* The body's master mbufs: the configured bytes, or a text pattern. */
static int
body_build(struct sf_worker *w, struct http_srv *s)
{
	uint32_t n = s->conf.body_size, i, j, len;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint8_t *p;
	int rc;

	s->nb_body = (n + HTTP_CHUNK - 1) / HTTP_CHUNK;
	if (s->nb_body == 0)
		return 0;
	snprintf(name, sizeof(name), "sf_http_body_%u", w->id);
	/* Room for each chunk's checksum table (sf_net.h): segments that
	 * slice the body are then summed without reading it. */
	s->body_pool = rte_pktmbuf_pool_create(name, s->nb_body, 0,
		SF_CKSUM_PRIV_SIZE,
		HTTP_CHUNK + SF_CKSUM_TABLE_ROOM(HTTP_CHUNK),
		(int)rte_lcore_to_socket_id(w->lcore_id));
	if (s->body_pool == NULL)
		return -ENOMEM;
	for (i = 0; i < s->nb_body; i++) {
		s->body[i] = rte_pktmbuf_alloc(s->body_pool);
		if (s->body[i] == NULL)
			return -ENOMEM;
		s->body[i]->data_off = 0;
		len = RTE_MIN(n - i * HTTP_CHUNK, (uint32_t)HTTP_CHUNK);
		p = rte_pktmbuf_mtod(s->body[i], uint8_t *);
		for (j = 0; j < len; j++) {
			uint32_t k = i * HTTP_CHUNK + j;

			p[j] = s->conf.body != NULL ? s->conf.body[k] :
				(k % 64 == 63 ? '\n' : (uint8_t)('a' + k % 26));
		}
		s->body[i]->data_len = (uint16_t)len;
		s->body[i]->pkt_len = len;
		rc = sf_cksum_table_attach(s->body[i]);
		if (rc != 0)
			return rc;
	}
	/* Without references the body is sliced with indirect mbufs. */
	snprintf(name, sizeof(name), "sf_http_ref_%u", w->id);
	s->ref_pool = sf_mbuf_ref_pool_create(name, HTTP_REFS,
		(int)rte_lcore_to_socket_id(w->lcore_id));
	if (s->ref_pool == NULL)
		SF_LOG(WARNING, worker, "worker %u: no pinned references for "
		       "the body (%s): slices are indirect mbufs", w->id,
		       rte_strerror(rte_errno));
	return 0;
}

int
sf_app_http_server(struct sf_worker *w, const struct sf_http_conf *hc)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	struct http_srv *s;
	uint32_t i;
	int rc;

	if (hc->body_size > SF_HTTP_MAX_BODY || hc->max_hdr < 64 ||
	    w->tcp == NULL)
		return -EINVAL;
	s = rte_zmalloc_socket("sf_http", sizeof(*s), RTE_CACHE_LINE_SIZE,
			       socket);
	if (s == NULL)
		return -ENOMEM;
	s->conf = *hc;
	app_stats_init(&s->base.st);
	s->base.fini = http_fini;
	w->app = s;
	rc = body_build(w, s);
	if (rc != 0)
		goto fail;
	w->now = rte_rdtsc();
	heads_refresh(w, s);
	for (i = 0; i < R_NB; i++)
		if (s->head[i] == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
	rc = sf_tcp_listen(w, hc->port, &http_server_ops);
	if (rc != 0)
		goto fail;
	return 0;
fail:
	sf_app_free(w);
	return rc;
}
