/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load generator's echo client: each request streams conf.payload
 * bytes of a known pattern (offset by the request number, so a stale
 * echo from an earlier request cannot pass) and is complete when every
 * byte has come back equal. The pattern is periodic and kept in a table
 * one period plus a chunk long, so a chunk is sent straight from it and
 * checked with one memcmp: byte-at-a-time generation and checking held
 * the echo benchmark to a third of the HTTP one's throughput.
 */
#include <errno.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "app_priv.h"
#include "sf_tcp.h"

#define LG_ECHO_CHUNK 4096

/* Offset of this request's first byte in the connection's pattern. */
static uint64_t
echo_base(const struct lg *g, const struct lg_conn *lc)
{
	return (uint64_t)lc->reqs * g->conf.payload;
}

/* The pattern from stream offset @p off: at least LG_ECHO_CHUNK bytes. */
static inline const uint8_t *
echo_at(const struct lg *g, uint64_t off)
{
	return g->echo_tab + off % SF_ECHO_PERIOD;
}

static void
lg_echo_push(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	uint64_t base = echo_base(g, lc);
	uint32_t n;
	int rc;

	while (lc->sent < g->conf.payload) {
		n = (uint32_t)RTE_MIN(g->conf.payload - lc->sent,
				      (uint64_t)LG_ECHO_CHUNK);
		rc = sf_tcp_send_copy(w, lc->c, echo_at(g, base + lc->sent),
				      n);
		if (rc <= 0)
			return;		/* writable() brings us back */
		lc->sent += (uint32_t)rc;
		g->base.st.bytes_tx += (uint32_t)rc;
	}
}

static int
lg_echo_request(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	if (g->conf.payload == 0) {
		/* Connect and close: nothing to exchange (requests is 1). */
		lg_response_done(w, g, lc);
		return 0;
	}
	lg_echo_push(w, g, lc);
	return 0;
}

static uint32_t
lg_echo_recv(struct sf_worker *w, struct lg *g, struct lg_conn *lc,
	     struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint64_t base = echo_base(g, lc), want;
	uint32_t pos = 0, skip = off, i, n, c;
	const uint8_t *p;
	struct rte_mbuf *s;

	want = g->conf.payload - lc->rcvd;
	if (len > want) {
		/* More came back than was sent. */
		g->base.st.err_mismatch++;
		g->base.st.errors++;
		lg_fail(w, g, lc);
		return len;
	}
	for (s = m; s != NULL && pos < len; s = s->next) {
		if (skip >= s->data_len) {
			skip -= s->data_len;
			continue;
		}
		p = rte_pktmbuf_mtod_offset(s, const uint8_t *, skip);
		n = RTE_MIN((uint32_t)(s->data_len - skip), len - pos);
		for (i = 0; i < n; i += c) {
			c = RTE_MIN(n - i, (uint32_t)LG_ECHO_CHUNK);
			if (unlikely(memcmp(p + i, echo_at(g, base + lc->rcvd +
						pos + i), c) != 0)) {
				g->base.st.err_mismatch++;
				g->base.st.errors++;
				lg_fail(w, g, lc);
				return len;
			}
		}
		pos += n;
		skip = 0;
	}
	lc->rcvd += len;
	g->base.st.bytes_rx += len;
	g->base.st.bytes_verified += len;
	if (lc->rcvd == g->conf.payload)
		lg_response_done(w, g, lc);
	return len;
}

static void
lg_echo_writable(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	lg_echo_push(w, g, lc);
}

static void
lg_echo_fini(struct lg *g)
{
	rte_free(g->echo_tab);
	g->echo_tab = NULL;
}

int
lg_echo_init(struct sf_worker *w, struct lg *g)
{
	uint32_t i;

	g->echo_tab = rte_malloc_socket("sf_echo_tab",
					SF_ECHO_PERIOD + LG_ECHO_CHUNK, 0,
					(int)rte_lcore_to_socket_id(
						w->lcore_id));
	if (g->echo_tab == NULL)
		return -ENOMEM;
	for (i = 0; i < SF_ECHO_PERIOD + LG_ECHO_CHUNK; i++)
		g->echo_tab[i] = sf_echo_pattern(i);
	return 0;
}

const struct lg_proto_ops lg_echo_ops = {
	.request = lg_echo_request,
	.recv = lg_echo_recv,
	.writable = lg_echo_writable,
	.fini = lg_echo_fini,
};
