/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Echo server (RFC 862 over synfin's TCP). Received mbufs go back to
 * sf_tcp_send as clones, so echoed bytes are never copied. The client
 * side is the load generator's (app_load_echo.c).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "app_priv.h"
#include "sf_tcp.h"

#define ECHO_CHUNK 4096

struct echo_app {
	struct sf_app_base base;
};

static struct echo_app *
echo_of(struct sf_worker *w)
{
	return w->app;
}

static void
echo_srv_established(struct sf_worker *w, struct sf_conn *c)
{
	RTE_SET_USED(c);
	echo_of(w)->base.st.conns_opened++;
	echo_of(w)->base.st.conns_open++;
}

static uint32_t
echo_srv_recv(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m,
	      uint32_t off, uint32_t len)
{
	struct echo_app *a = echo_of(w);
	uint32_t space = sf_tcp_send_space(w, c);
	struct rte_mbuf *cl;
	char buf[ECHO_CHUNK];
	int n;

	if (space == 0)
		return 0;	/* offered again after writable() */
	if (off == 0 && len == m->pkt_len && len <= space) {
		/* Zero copy: the send queue shares the received buffers. */
		cl = rte_pktmbuf_clone(m, w->pool);
		if (cl != NULL && sf_tcp_send(w, c, cl) == 0) {
			a->base.st.bytes_rx += len;
			a->base.st.bytes_tx += len;
			return len;
		}
		rte_pktmbuf_free(cl);
	}
	len = RTE_MIN(len, space);
	len = RTE_MIN(len, (uint32_t)sizeof(buf));
	{
		const void *p = rte_pktmbuf_read(m, off, len, buf);

		if (p == NULL)
			return 0;
		if (p != buf)
			memcpy(buf, p, len);
	}
	n = sf_tcp_send_copy(w, c, buf, len);
	if (n <= 0)
		return 0;
	a->base.st.bytes_rx += (uint32_t)n;
	a->base.st.bytes_tx += (uint32_t)n;
	return (uint32_t)n;
}

/* The peer is done and everything it sent is queued back: close after
 * it. */
static void
echo_peer_closed(struct sf_worker *w, struct sf_conn *c)
{
	sf_tcp_close(w, c);
}

static void
echo_srv_closed(struct sf_worker *w, struct sf_conn *c,
		enum sf_close_reason why)
{
	struct echo_app *a = echo_of(w);

	RTE_SET_USED(c);
	a->base.st.conns_open--;
	app_count_close(&a->base.st, why);
}

static const struct sf_tcp_app_ops echo_server_ops = {
	.established = echo_srv_established,
	.recv = echo_srv_recv,
	.peer_closed = echo_peer_closed,
	.closed = echo_srv_closed,
};

int
sf_app_echo_server(struct sf_worker *w, uint16_t port)
{
	struct echo_app *a;
	int rc;

	a = rte_zmalloc_socket("sf_echo", sizeof(*a), RTE_CACHE_LINE_SIZE,
			       (int)rte_lcore_to_socket_id(w->lcore_id));
	if (a == NULL)
		return -ENOMEM;
	w->app = a;
	app_stats_init(&a->base.st);
	rc = sf_tcp_listen(w, port, &echo_server_ops);
	if (rc != 0) {
		w->app = NULL;
		rte_free(a);
	}
	return rc;
}
