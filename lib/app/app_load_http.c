/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load generator's HTTP/1.1 client: GET requests sent as clones of two
 * prebuilt requests (keep-alive, and "Connection: close" for a
 * connection's last request), responses parsed where they lie and their
 * bodies counted by Content-Length. A response without a length or with
 * chunked coding is a bad response: a load generator must know where
 * each response ends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "app_priv.h"
#include "http_parse.h"
#include "sf_tcp.h"

#define LG_HTTP_MAX_HDR 8192

static int
http_req_build(struct sf_worker *w, struct lg *g, int last)
{
	struct rte_mbuf *m = sf_worker_mbuf_alloc(w);
	int n;

	if (m == NULL)
		return -ENOMEM;
	n = snprintf(rte_pktmbuf_mtod(m, char *), rte_pktmbuf_tailroom(m),
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: synfin\r\n"
		     "%s\r\n", g->conf.path, g->conf.host,
		     last ? "Connection: close\r\n" : "");
	if (n < 0 || n >= (int)rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	m->data_len = (uint16_t)n;
	m->pkt_len = (uint32_t)n;
	g->req[last] = m;
	return 0;
}

int
lg_http_init(struct sf_worker *w, struct lg *g)
{
	int rc = http_req_build(w, g, 0);

	return rc != 0 ? rc : http_req_build(w, g, 1);
}

static void
lg_http_fini(struct lg *g)
{
	rte_pktmbuf_free(g->req[0]);
	rte_pktmbuf_free(g->req[1]);
}

static int
lg_http_request(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	bool last = g->conf.requests != 0 && lc->reqs + 1 >= g->conf.requests;
	const struct rte_mbuf *req = g->req[last];
	struct rte_mbuf *m = sf_worker_mbuf_alloc(w);
	int rc;

	if (m == NULL)
		return -ENOMEM;
	/* A copy, not a clone: a clone's two atomic updates of the master's
	 * reference count cost more than the few dozen bytes (the request
	 * is one mbuf of the same pool: http_req_build). */
	rte_memcpy(rte_pktmbuf_append(m, req->data_len),
		   rte_pktmbuf_mtod(req, const void *), req->data_len);
	rc = sf_tcp_send(w, lc->c, m);
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	g->base.st.bytes_tx += g->req[last]->pkt_len;
	return 0;
}

static uint32_t
lg_http_bad(struct sf_worker *w, struct lg *g, struct lg_conn *lc,
	    uint32_t len)
{
	g->base.st.err_bad_response++;
	g->base.st.errors++;
	lg_fail(w, g, lc);
	return len;
}

static uint32_t
lg_http_recv(struct sf_worker *w, struct lg *g, struct lg_conn *lc,
	     struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct sf_http_resp resp;
	char buf[LG_HTTP_MAX_HDR];
	uint32_t used = 0, avail, n;
	const char *p;
	int rc;

	while (used < len) {
		if (lc->state == LG_CLOSING)
			return len;	/* the exchange is over */
		if (lc->state != LG_REQ)
			return lg_http_bad(w, g, lc, len);
		if (lc->in_body) {
			n = (uint32_t)RTE_MIN(lc->left, (uint64_t)(len - used));
			used += n;
			lc->left -= n;
			g->base.st.bytes_rx += n;
			if (lc->left == 0) {
				lc->in_body = false;
				if (!lg_response_done(w, g, lc))
					return len;
			}
			continue;
		}
		avail = RTE_MIN(len - used, (uint32_t)LG_HTTP_MAX_HDR);
		p = rte_pktmbuf_read(m, off + used, avail, buf);
		rc = sf_http_parse_response_memo(&g->resp_memo, p, avail,
						 LG_HTTP_MAX_HDR, &resp);
		if (rc == 0) {
			if (sf_conn_fin_rcvd(lc->c))
				return lg_http_bad(w, g, lc, len);
			break;		/* the head continues */
		}
		if (rc < 0 || !resp.has_length || resp.chunked)
			return lg_http_bad(w, g, lc, len);
		used += (uint32_t)rc;
		g->base.st.bytes_rx += (uint32_t)rc;
		if (resp.status >= 200 && resp.status < 300)
			g->base.st.status_2xx++;
		else if (resp.status >= 400 && resp.status < 500)
			g->base.st.status_4xx++;
		else if (resp.status >= 500)
			g->base.st.status_5xx++;
		if (resp.status < 200 || resp.status >= 300) {
			/* Counted as an error but read to its end. */
			g->base.st.err_bad_response++;
			g->base.st.errors++;
		}
		lc->peer_close = !resp.keep_alive;
		lc->left = resp.content_length;
		lc->in_body = true;
		if (lc->left == 0) {
			lc->in_body = false;
			if (!lg_response_done(w, g, lc))
				return len;
		}
	}
	return used;
}

const struct lg_proto_ops lg_http_ops = {
	.request = lg_http_request,
	.recv = lg_http_recv,
	.fini = lg_http_fini,
};
