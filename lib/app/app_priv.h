/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef APP_PRIV_H
#define APP_PRIV_H

/*
 * What the apps share: every app's per-worker state starts with struct
 * sf_app_base, so the control plane finds the counters and the free hook
 * without knowing which app runs.
 */

#include <rte_common.h>

#include "http_parse.h"
#include "sf_app.h"
#include "sf_tcp.h"
#include "sf_worker.h"

struct sf_app_base {
	struct sf_app_stats st;		/* first: sf_app_stats() */
	void (*fini)(struct sf_worker *w);	/* frees the rest */
};

static inline struct sf_app_base *
app_base(struct sf_worker *w)
{
	return w->app;
}

/* Zero counters, empty histograms (rte_zmalloc leaves min at 0). */
static inline void
app_stats_init(struct sf_app_stats *st)
{
	sf_hist_reset(&st->h_connect);
	sf_hist_reset(&st->h_ttfb);
	sf_hist_reset(&st->h_total);
}

/* Count a connection that ended for @p why: errors by kind. */
static inline void
app_count_close(struct sf_app_stats *st, enum sf_close_reason why)
{
	st->conns_closed++;
	switch (why) {
	case SF_CLOSE_NORMAL:
		return;
	case SF_CLOSE_RST_RCVD:
		st->err_reset++;
		break;
	case SF_CLOSE_REFUSED:
		st->err_refused++;
		break;
	case SF_CLOSE_SYN_TIMEOUT:
		st->err_connect_timeout++;
		break;
	case SF_CLOSE_RTO_EXHAUSTED:
	case SF_CLOSE_KEEPALIVE_TIMEOUT:
	case SF_CLOSE_FIN_WAIT_2_TIMEOUT:
	case SF_CLOSE_PERSIST_TIMEOUT:
		st->err_timeout++;
		break;
	case SF_CLOSE_NO_ROUTE:
		st->err_no_arp++;
		break;
	case SF_CLOSE_ABORTED:
		/* The app's own RST (loadgen close=rst) is no error. */
		return;
	default:
		st->err_other++;
		break;
	}
	st->errors++;
}

/* ---- load generator (app_loadgen.c) and its protocols ---- */

struct rte_mbuf;

enum lg_conn_state {
	LG_FREE,
	LG_CONNECTING,		/* SYN sent */
	LG_WAIT_REQ,		/* between requests, waiting for credit */
	LG_REQ,			/* request out, response coming */
	LG_CLOSING,		/* exchange over, FIN or RST sent */
};

/* One connection slot of the load generator. */
struct lg_conn {
	struct sf_conn *c;
	uint64_t t_start;	/* TSC: connect(), then each request */
	uint64_t left;		/* http: body bytes to come */
	uint64_t sent;		/* echo: bytes of this request queued */
	uint64_t rcvd;		/* echo: bytes of this request back */
	uint32_t reqs;		/* responses completed */
	uint16_t sport;
	uint8_t state;		/* enum lg_conn_state */
	bool first;		/* first response byte seen */
	bool in_body;
	bool peer_close;	/* response said Connection: close */
	struct lg_conn *next;	/* free list or request queue */
};

struct lg;

/* What a protocol does on a connection the generator manages. */
struct lg_proto_ops {
	/* Start request number lc->reqs; 0 or a negative errno. */
	int (*request)(struct sf_worker *w, struct lg *g, struct lg_conn *lc);
	uint32_t (*recv)(struct sf_worker *w, struct lg *g, struct lg_conn *lc,
			 struct rte_mbuf *m, uint32_t off, uint32_t len);
	void (*writable)(struct sf_worker *w, struct lg *g,
			 struct lg_conn *lc);
	void (*fini)(struct lg *g);
};

struct lg {
	struct sf_app_base base;
	struct sf_load_conf conf;
	const struct lg_proto_ops *proto;
	struct lg_conn *slots;
	struct lg_conn *free;
	struct lg_conn *rq_head;	/* waiting for request credit */
	struct lg_conn *rq_tail;
	uint32_t nb_open;		/* slots in use */
	uint32_t nb_pairs;		/* source addresses x targets */
	uint32_t pair_next;
	uint16_t *cursor;		/* next source port per pair */
	uint64_t launched;
	uint64_t retry_at;		/* TSC: no launch before it (after a
					 * connect failed) */
	uint64_t t0;			/* TSC of the first poll */
	uint64_t t_end;			/* TSC when the duration ends */
	uint64_t credit;		/* connection pacer, in conn * hz */
	uint64_t rcredit;		/* request pacer */
	uint64_t last;
	double ns_per_tsc;		/* for the latency histograms: a
					 * multiply, not a divide, per sample */
	uint64_t ev_tsc;		/* TSC of the event being handled,
					 * 0 until lg_event_tsc() reads it */
	bool started;
	bool launch_done;		/* no new connections */
	bool stopping;			/* nor new requests */
	int stop_req;			/* set by sf_app_loadgen_stop */
	/* protocol state */
	struct rte_mbuf *req[2];	/* http: keep-alive, last request */
	struct sf_http_resp_memo resp_memo;	/* http: the last head */
	uint8_t *echo_tab;		/* echo: one period of the pattern
					 * and LG_ECHO_CHUNK bytes more */
};

/* Called by a protocol when the response to the current request is
 * complete: the next request or the close follows. @return false when
 * the connection is gone (do not touch lc->c). */
bool lg_response_done(struct sf_worker *w, struct lg *g, struct lg_conn *lc);

/* A protocol error on @lc (counted by the caller): reset it. */
void lg_fail(struct sf_worker *w, struct lg *g, struct lg_conn *lc);

extern const struct lg_proto_ops lg_http_ops;
extern const struct lg_proto_ops lg_echo_ops;
int lg_http_init(struct sf_worker *w, struct lg *g);
int lg_echo_init(struct sf_worker *w, struct lg *g);

#endif /* APP_PRIV_H */
