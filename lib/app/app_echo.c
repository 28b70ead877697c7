/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Echo (RFC 862 over synfin's TCP). The server hands received mbufs back
 * to sf_tcp_send as clones, so echoed bytes are never copied. The client
 * streams a known pattern, verifies every echoed byte, half-closes when
 * it has sent everything, and finishes on the server's FIN.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "sf_app.h"
#include "sf_log.h"
#include "sf_tcp.h"
#include "sf_worker.h"

#define ECHO_CHUNK 4096

struct echo_app {
	struct sf_echo_stats st;
	/* client */
	bool client;
	bool started;
	uint32_t daddr;
	uint16_t port;
	uint64_t total;
	uint64_t sent;
	uint64_t rcvd;
	bool shut;
	struct sf_conn *conn;
};

static struct echo_app *
echo_of(struct sf_worker *w)
{
	return w->app;
}

/* ---- server ---- */

static void
echo_srv_established(struct sf_worker *w, struct sf_conn *c)
{
	RTE_SET_USED(c);
	echo_of(w)->st.conns_opened++;
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
			a->st.bytes_rx += len;
			a->st.bytes_tx += len;
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
	a->st.bytes_rx += (uint32_t)n;
	a->st.bytes_tx += (uint32_t)n;
	return (uint32_t)n;
}

/* Both sides: the peer is done and everything it sent has been taken
 * (queued back by the server, verified by the client): close after it. */
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
	a->st.conns_closed++;
	if (why != SF_CLOSE_NORMAL)
		a->st.errors++;
}

static const struct sf_tcp_app_ops echo_server_ops = {
	.established = echo_srv_established,
	.recv = echo_srv_recv,
	.peer_closed = echo_peer_closed,
	.closed = echo_srv_closed,
};

static struct echo_app *
echo_alloc(struct sf_worker *w)
{
	struct echo_app *a;

	a = rte_zmalloc("sf_echo", sizeof(*a), 0);
	if (a != NULL)
		w->app = a;
	return a;
}

int
sf_app_echo_server(struct sf_worker *w, uint16_t port)
{
	struct echo_app *a = echo_alloc(w);
	int rc;

	if (a == NULL)
		return -ENOMEM;
	rc = sf_tcp_listen(w, port, &echo_server_ops);
	if (rc != 0) {
		w->app = NULL;
		rte_free(a);
	}
	return rc;
}

/* ---- client ---- */

static void
echo_cli_push(struct sf_worker *w, struct sf_conn *c)
{
	struct echo_app *a = echo_of(w);
	uint8_t buf[ECHO_CHUNK];
	uint32_t n, i;
	int rc;

	while (a->sent < a->total) {
		n = (uint32_t)RTE_MIN(a->total - a->sent, (uint64_t)ECHO_CHUNK);
		for (i = 0; i < n; i++)
			buf[i] = sf_echo_pattern(a->sent + i);
		rc = sf_tcp_send_copy(w, c, buf, n);
		if (rc <= 0)
			return;		/* wait for writable() */
		a->sent += (uint32_t)rc;
		a->st.bytes_tx += (uint32_t)rc;
	}
	if (!a->shut) {
		a->shut = true;
		sf_tcp_shutdown(w, c);	/* half-close: we still read */
	}
}

static void
echo_cli_established(struct sf_worker *w, struct sf_conn *c)
{
	echo_of(w)->st.conns_opened++;
	echo_cli_push(w, c);
}

static void
echo_cli_writable(struct sf_worker *w, struct sf_conn *c)
{
	echo_cli_push(w, c);
}

static uint32_t
echo_cli_recv(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m,
	      uint32_t off, uint32_t len)
{
	struct echo_app *a = echo_of(w);
	struct rte_mbuf *s;
	uint32_t pos = 0, skip = off, i, n;
	const uint8_t *p;

	RTE_SET_USED(c);
	for (s = m; s != NULL && pos < len; s = s->next) {
		if (skip >= s->data_len) {
			skip -= s->data_len;
			continue;
		}
		p = rte_pktmbuf_mtod_offset(s, const uint8_t *, skip);
		n = RTE_MIN((uint32_t)(s->data_len - skip), len - pos);
		for (i = 0; i < n; i++) {
			if (p[i] != sf_echo_pattern(a->rcvd + pos + i) &&
			    a->st.mismatches == 0)
				a->st.mismatches = a->rcvd + pos + i + 1;
		}
		pos += n;
		skip = 0;
	}
	a->rcvd += len;
	a->st.bytes_rx += len;
	if (a->st.mismatches == 0)
		a->st.bytes_verified = a->rcvd;
	return len;
}

static void
echo_cli_closed(struct sf_worker *w, struct sf_conn *c,
		enum sf_close_reason why)
{
	struct echo_app *a = echo_of(w);

	RTE_SET_USED(c);
	a->conn = NULL;
	a->st.conns_closed++;
	a->st.close_reason = (int)why;
	a->st.ok = why == SF_CLOSE_NORMAL && a->rcvd == a->total &&
		a->sent == a->total && a->st.mismatches == 0;
	if (!a->st.ok)
		a->st.errors++;
	__atomic_store_n(&a->st.done, true, __ATOMIC_RELEASE);
}

static const struct sf_tcp_app_ops echo_client_ops = {
	.established = echo_cli_established,
	.recv = echo_cli_recv,
	.writable = echo_cli_writable,
	.peer_closed = echo_peer_closed,
	.closed = echo_cli_closed,
};

static void
echo_cli_poll(struct sf_worker *w)
{
	struct echo_app *a = echo_of(w);
	int rc;

	if (a->started)
		return;
	a->started = true;
	rc = sf_tcp_connect(w, 0, 0, 0, a->daddr, a->port, &echo_client_ops,
			    NULL, &a->conn);
	if (rc != 0) {
		SF_LOG(ERR, main, "echo client: connect: %s", strerror(-rc));
		a->st.errors++;
		__atomic_store_n(&a->st.done, true, __ATOMIC_RELEASE);
	}
}

int
sf_app_echo_client(struct sf_worker *w, uint32_t daddr, uint16_t port,
		   uint64_t bytes)
{
	struct echo_app *a = echo_alloc(w);

	if (a == NULL)
		return -ENOMEM;
	a->client = true;
	a->daddr = daddr;
	a->port = port;
	a->total = bytes;
	w->app_poll = echo_cli_poll;
	return 0;
}

const struct sf_echo_stats *
sf_app_echo_stats(const struct sf_worker *w)
{
	const struct echo_app *a = w->app;

	return a == NULL ? NULL : &a->st;
}

void
sf_app_free(struct sf_worker *w)
{
	rte_free(w->app);
	w->app = NULL;
	w->app_poll = NULL;
}
