/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load generator: opens connections at a paced rate up to a
 * concurrency, runs requests on each through a protocol (app_load_http.c,
 * app_load_echo.c), closes them by FIN or RST, and measures connect time,
 * time to first byte and total time per request.
 *
 * Pacing is a token bucket on the TSC, polled every loop iteration; the
 * rate climbs linearly during the ramp. Source ports sweep a range per
 * (source address, target) pair, as Linux's connect() does; a port whose
 * tuple is still open or in TIME_WAIT is skipped (sf_tcp_connect says
 * so). With RSS, only ports whose reply hashes to this worker's queue are
 * used (software Toeplitz with the port's key and RETA), so replies never
 * land on another core. On a queue-paired port (memif) worker i of n uses
 * the ports p with p % n == i: the workers' tuples stay apart and the
 * peer's worker i, which owns those ports too, is the one that answers.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_thash.h>

#include "app_priv.h"
#include "sf_log.h"
#include "sf_tcp.h"

#define LG_BURST 32		/* connections opened per poll, at most */
#define LG_PORT_TRIES 1024	/* ports tried per connection */
#define LG_RETRY_HZ 1000	/* after a failed connect: 1 ms */

static struct lg *
lg_of(struct sf_worker *w)
{
	return w->app;
}

/* The latency clock: the TSC read at the event itself. w->now is the
 * poll's start; a poll stalled between its start and the event
 * (preempted, or interrupted by the kernel) would shift a sample by the
 * stall, the response's too short and the next request's too long. */
static uint64_t
lg_tsc(void)
{
	return rte_rdtsc();
}

/* One event (a callback from the engine, a paced request) reads the TSC
 * once, lazily: its samples and the request it starts share the reading
 * (a TSC read is ~25 cycles in a guest, and a short connection took
 * five). Each entry point that can take a sample calls lg_event_begin()
 * first. */
static inline void
lg_event_begin(struct lg *g)
{
	g->ev_tsc = 0;
}

static inline uint64_t
lg_event_tsc(struct lg *g)
{
	if (g->ev_tsc == 0)
		g->ev_tsc = lg_tsc();
	return g->ev_tsc;
}

static uint64_t
lg_ns(struct lg *g, uint64_t since)
{
	return (uint64_t)((double)(lg_event_tsc(g) - since) *
			  g->ns_per_tsc);
}

static void
lg_slot_put(struct lg *g, struct lg_conn *lc)
{
	lc->state = LG_FREE;
	lc->c = NULL;
	lc->next = g->free;
	g->free = lc;
	g->nb_open--;
	g->base.st.conns_open = g->nb_open;
}

/* ---- TCP callbacks ---- */

static void
lg_request(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	int rc;

	lc->first = false;
	lc->in_body = false;
	lc->sent = 0;
	lc->rcvd = 0;
	lc->t_start = lg_event_tsc(g);
	lc->state = LG_REQ;
	g->base.st.requests++;
	rc = g->proto->request(w, g, lc);
	if (rc != 0) {
		g->base.st.err_other++;
		g->base.st.errors++;
		lg_fail(w, g, lc);
	}
}

/* Next request now, or queued for the request pacer. */
static void
lg_next_request(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	if (g->conf.req_rate == 0) {
		lg_request(w, g, lc);
		return;
	}
	lc->state = LG_WAIT_REQ;
	lc->next = NULL;
	if (g->rq_tail == NULL)
		g->rq_head = lc;
	else
		g->rq_tail->next = lc;
	g->rq_tail = lc;
}

/* The request queue's first connection, taken off it; NULL if empty. */
static struct lg_conn *
lg_rq_pop(struct lg *g)
{
	struct lg_conn *lc = g->rq_head;

	if (lc != NULL) {
		g->rq_head = lc->next;
		if (g->rq_head == NULL)
			g->rq_tail = NULL;
	}
	return lc;
}

/* A request that waited in the queue: an event of its own (its own TSC
 * reading). */
static void
lg_request_queued(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	lg_event_begin(g);
	lg_request(w, g, lc);
}

/* Take @lc off the request queue if it waits there. */
static void
lg_rq_remove(struct lg *g, struct lg_conn *lc)
{
	struct lg_conn **pp = &g->rq_head, *prev = NULL;

	if (lc->state != LG_WAIT_REQ)
		return;
	while (*pp != lc) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = lc->next;
	if (g->rq_tail == lc)
		g->rq_tail = prev;
}

static void
lg_close(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	lc->state = LG_CLOSING;
	if (g->conf.close_rst)
		sf_tcp_abort(w, lc->c);	/* closed() runs now */
	else
		sf_tcp_close(w, lc->c);
}

bool
lg_response_done(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	lc->reqs++;
	g->base.st.responses++;
	sf_hist_record(&g->base.st.h_total, lg_ns(g, lc->t_start));
	if (!g->stopping && !lc->peer_close &&
	    (g->conf.requests == 0 || lc->reqs < g->conf.requests)) {
		lg_next_request(w, g, lc);
		return lc->state != LG_FREE;
	}
	/* A server that said "Connection: close" closes first; follow it
	 * from peer_closed() unless an RST is asked for. */
	if (lc->peer_close && !g->conf.close_rst) {
		lc->state = LG_CLOSING;
		return true;
	}
	lg_close(w, g, lc);
	return !g->conf.close_rst;
}

void
lg_fail(struct sf_worker *w, struct lg *g, struct lg_conn *lc)
{
	RTE_SET_USED(g);
	lc->state = LG_CLOSING;
	sf_tcp_abort(w, lc->c);
}

static void
lg_established(struct sf_worker *w, struct sf_conn *c)
{
	struct lg *g = lg_of(w);
	struct lg_conn *lc = sf_conn_ctx(c);

	lg_event_begin(g);
	g->base.st.conns_opened++;
	sf_hist_record(&g->base.st.h_connect, lg_ns(g, lc->t_start));
	if (g->stopping) {
		lg_close(w, g, lc);
		return;
	}
	lg_next_request(w, g, lc);
}

static uint32_t
lg_recv(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m,
	uint32_t off, uint32_t len)
{
	struct lg *g = lg_of(w);
	struct lg_conn *lc = sf_conn_ctx(c);

	lg_event_begin(g);
	if (lc->state != LG_REQ) {
		/* Bytes nobody asked for. */
		g->base.st.err_bad_response++;
		g->base.st.errors++;
		lg_fail(w, g, lc);
		return len;
	}
	if (!lc->first) {
		lc->first = true;
		sf_hist_record(&g->base.st.h_ttfb, lg_ns(g, lc->t_start));
	}
	return g->proto->recv(w, g, lc, m, off, len);
}

static void
lg_writable(struct sf_worker *w, struct sf_conn *c)
{
	struct lg *g = lg_of(w);
	struct lg_conn *lc = sf_conn_ctx(c);

	if (lc->state == LG_REQ && g->proto->writable != NULL)
		g->proto->writable(w, g, lc);
}

static void
lg_peer_closed(struct sf_worker *w, struct sf_conn *c)
{
	struct lg *g = lg_of(w);
	struct lg_conn *lc = sf_conn_ctx(c);

	if (lc->state == LG_REQ) {
		/* The server hung up in the middle of an exchange. */
		g->base.st.err_closed_early++;
		g->base.st.errors++;
		lg_fail(w, g, lc);
		return;
	}
	/* An idle keep-alive connection closed by the server: fine. */
	lg_rq_remove(g, lc);
	lc->state = LG_CLOSING;
	sf_tcp_close(w, c);
}

static void
lg_closed(struct sf_worker *w, struct sf_conn *c, enum sf_close_reason why)
{
	struct lg *g = lg_of(w);
	struct lg_conn *lc = sf_conn_ctx(c);

	lg_rq_remove(g, lc);
	/* Any end before the exchange was over is an error; an RST after
	 * the last response is the close the user asked for. */
	if (why == SF_CLOSE_NORMAL || why == SF_CLOSE_ABORTED) {
		g->base.st.conns_closed++;
		if (lc->state == LG_REQ || lc->state == LG_CONNECTING) {
			g->base.st.err_closed_early++;
			g->base.st.errors++;
		}
	} else {
		app_count_close(&g->base.st, why);
	}
	lg_slot_put(g, lc);
}

static const struct sf_tcp_app_ops lg_tcp_ops = {
	.established = lg_established,
	.recv = lg_recv,
	.writable = lg_writable,
	.peer_closed = lg_peer_closed,
	.closed = lg_closed,
};

/* ---- opening connections ---- */

/* Does the reply to (saddr:sport -> daddr:dport) land on our queue? */
static bool
lg_port_ours(const struct sf_load_conf *lc, uint32_t saddr, uint16_t sport,
	     uint32_t daddr, uint16_t dport)
{
	struct rte_ipv4_tuple t;
	uint32_t h;

	if (lc->pair_queues > 1)
		return sport % lc->pair_queues == lc->pair_queue;
	if (lc->rss_queues <= 1)
		return true;
	/* The reply's tuple: the server is its source. */
	t.src_addr = rte_be_to_cpu_32(daddr);
	t.dst_addr = rte_be_to_cpu_32(saddr);
	t.sport = dport;
	t.dport = sport;
	h = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, lc->rss_key);
	return lc->reta[h % lc->reta_size] == lc->rss_queue;
}

/* The source address of (source, target) pair @pair; 0: the port's. */
static uint32_t
lg_saddr(const struct sf_load_conf *cf, uint32_t pair)
{
	return cf->src_first == 0 ? 0 :
		rte_cpu_to_be_32(rte_be_to_cpu_32(cf->src_first) +
				 pair / cf->nb_targets);
}

/* Start loading the table buckets of the tuples the next @n launches try
 * first (unless a port is taken or not ours): each connect looks its tuple
 * up, and that lookup was a cache miss (16% of a cps client). */
static void
lg_prefetch_next(struct sf_worker *w, const struct lg *g, uint64_t n)
{
	const struct sf_load_conf *cf = &g->conf;
	uint32_t range = (uint32_t)cf->sport_max - cf->sport_min + 1;
	uint32_t pair, t, i, sport;

	for (i = 0; i < n; i++) {
		pair = (g->pair_next + i) % g->nb_pairs;
		t = pair % cf->nb_targets;
		sport = cf->sport_min + (g->cursor[pair] - cf->sport_min +
					 i / g->nb_pairs) % range;
		sf_tcp_prefetch_tuple(w, cf->port_idx, lg_saddr(cf, pair),
				      (uint16_t)sport, cf->target_addr[t],
				      cf->target_port[t]);
	}
}

/* Open one connection. @return 0, or a negative errno that says why
 * no more should be tried in this poll. */
static int
lg_launch(struct sf_worker *w, struct lg *g)
{
	const struct sf_load_conf *cf = &g->conf;
	uint32_t pair = g->pair_next++ % g->nb_pairs;
	uint32_t t = pair % cf->nb_targets;
	uint32_t saddr = lg_saddr(cf, pair);
	uint32_t range = (uint32_t)cf->sport_max - cf->sport_min + 1;
	struct lg_conn *lc = g->free;
	uint16_t sport;
	unsigned int tries;
	int rc = -EADDRINUSE;

	/* Taken before connect: a callback may run inside it. */
	g->free = lc->next;
	g->nb_open++;
	for (tries = 0; tries < RTE_MIN(range, (uint32_t)LG_PORT_TRIES);
	     tries++) {
		sport = g->cursor[pair];
		g->cursor[pair] = sport == cf->sport_max ? cf->sport_min :
			(uint16_t)(sport + 1);
		if (!lg_port_ours(cf, saddr, sport, cf->target_addr[t],
				  cf->target_port[t]))
			continue;
		lc->t_start = lg_tsc();
		lc->sport = sport;
		lc->reqs = 0;
		lc->peer_close = false;
		lc->state = LG_CONNECTING;
		rc = sf_tcp_connect(w, cf->port_idx, saddr, sport,
				    cf->target_addr[t], cf->target_port[t],
				    &lg_tcp_ops, lc, &lc->c);
		if (rc != -EADDRINUSE)
			break;
	}
	if (rc != 0) {
		lc->state = LG_FREE;
		lc->next = g->free;
		g->free = lc;
		g->nb_open--;
		/* An attempt all the same (--count bounds attempts), and
		 * the next waits: what failed at once would fail again
		 * at once, as fast as the worker polls. */
		g->launched++;
		g->retry_at = w->now + RTE_MAX(w->hz / LG_RETRY_HZ, 1u);
		g->base.st.errors++;
		switch (rc) {
		case -EADDRINUSE:
			g->base.st.err_no_port++;
			break;
		case -ENOSPC:
		case -ENOBUFS:
			g->base.st.err_no_conn++;
			break;
		default:
			g->base.st.err_other++;
			break;
		}
		return rc;
	}
	g->base.st.conns_open = g->nb_open;
	g->base.st.conns_started++;
	g->launched++;
	return 0;
}

/* Credit earned since the last poll, in units of (events * hz). The
 * rate climbs linearly over the ramp; at most one burst is banked. */
static uint64_t
lg_earn(const struct sf_worker *w, const struct lg *g, uint64_t rate,
	uint64_t credit, uint64_t dt)
{
	uint64_t ramp = (uint64_t)g->conf.ramp_ms * w->hz / 1000;
	uint64_t since = w->now - g->t0, cap;

	if (ramp != 0 && since < ramp)
		rate = RTE_MAX(rate * since / ramp, (uint64_t)1);
	credit += dt * rate;
	cap = RTE_MAX(rate * w->hz / 1000, (uint64_t)LG_BURST * w->hz);
	return RTE_MIN(credit, cap);
}

static void
lg_stop_all(struct sf_worker *w, struct lg *g)
{
	struct lg_conn *lc;

	g->stopping = true;
	g->launch_done = true;
	/* Idle connections waiting for request credit close now; the others
	 * close after their current exchange. */
	while ((lc = lg_rq_pop(g)) != NULL)
		lg_close(w, g, lc);
}

static void
lg_poll(struct sf_worker *w)
{
	struct lg *g = lg_of(w);
	const struct sf_load_conf *cf = &g->conf;
	uint64_t dt, n, room;

	if (unlikely(g->conf.paused))
		return;
	if (unlikely(!g->started)) {
		g->started = true;
		g->t0 = w->now;
		g->last = w->now;
		g->t_end = cf->duration_ms == 0 ? UINT64_MAX :
			w->now + (uint64_t)cf->duration_ms * w->hz / 1000;
		/* The first connection at the start, not one period in:
		 * --rate R --duration D opens R x D, the last one period
		 * before the end. */
		g->credit = w->hz;
	}
	dt = w->now - g->last;
	g->last = w->now;
	if (!g->stopping &&
	    (w->now >= g->t_end ||
	     __atomic_load_n(&g->stop_req, __ATOMIC_RELAXED)))
		lg_stop_all(w, g);
	if (cf->count != 0 && g->launched >= cf->count)
		g->launch_done = true;

	if (!g->launch_done && w->now >= g->retry_at) {
		/* The console may lower concurrency below what is open. */
		room = cf->concurrency > g->nb_open ?
			RTE_MIN((uint64_t)(cf->concurrency - g->nb_open),
				(uint64_t)LG_BURST) : 0;
		if (cf->count != 0)
			room = RTE_MIN(room, cf->count - g->launched);
		if (cf->rate != 0) {
			g->credit = lg_earn(w, g, cf->rate, g->credit, dt);
			room = RTE_MIN(room, g->credit / w->hz);
		}
		lg_prefetch_next(w, g, room);
		for (n = 0; n < room; n++) {
			if (lg_launch(w, g) != 0)
				break;
			if (cf->rate != 0)
				g->credit -= w->hz;
		}
	}
	if (cf->req_rate != 0 && g->rq_head != NULL) {
		g->rcredit = lg_earn(w, g, cf->req_rate, g->rcredit, dt);
		while (g->rq_head != NULL && g->rcredit >= w->hz) {
			g->rcredit -= w->hz;
			lg_request_queued(w, g, lg_rq_pop(g));
		}
	}
	if (g->launch_done && g->nb_open == 0 && !g->base.st.done) {
		g->base.st.ok = g->base.st.errors == 0 &&
			g->base.st.responses > 0;
		__atomic_store_n(&g->base.st.done, true, __ATOMIC_RELEASE);
	}
}

/* ---- setup ---- */

static void
lg_fini(struct sf_worker *w)
{
	struct lg *g = lg_of(w);

	if (g->proto != NULL && g->proto->fini != NULL)
		g->proto->fini(g);
	rte_free(g->slots);
	rte_free(g->cursor);
}

void
sf_app_loadgen_stop(struct sf_worker *w)
{
	struct lg *g = lg_of(w);

	if (g != NULL)
		__atomic_store_n(&g->stop_req, 1, __ATOMIC_RELAXED);
}

int
sf_app_loadgen(struct sf_worker *w, const struct sf_load_conf *lc)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	struct lg *g;
	uint32_t i, src;
	int rc;

	if (lc->nb_targets == 0 || lc->nb_targets > SF_LOAD_MAX_TARGETS ||
	    lc->concurrency == 0 || lc->sport_min == 0 ||
	    lc->sport_max < lc->sport_min || w->tcp == NULL ||
	    (lc->pair_queues > 1 && lc->pair_queue >= lc->pair_queues) ||
	    (lc->rss_queues > 1 && (lc->reta == NULL || lc->reta_size == 0 ||
				    lc->rss_key == NULL)))
		return -EINVAL;
	g = rte_zmalloc_socket("sf_loadgen", sizeof(*g), RTE_CACHE_LINE_SIZE,
			       socket);
	if (g == NULL)
		return -ENOMEM;
	g->conf = *lc;
	g->conf.max_concurrency = RTE_MAX(lc->max_concurrency,
					  lc->concurrency);
	app_stats_init(&g->base.st);
	if (lc->proto == SF_LOAD_ECHO && lc->payload == 0)
		g->conf.requests = 1;	/* each connection opens and closes */
	g->base.fini = lg_fini;
	w->app = g;
	src = lc->src_first == 0 ? 1 : RTE_MAX(lc->src_count, 1u);
	g->nb_pairs = src * lc->nb_targets;
	g->ns_per_tsc = 1e9 / (double)w->hz;
	g->cursor = rte_malloc_socket("sf_loadgen_ports",
				      sizeof(*g->cursor) * g->nb_pairs, 0,
				      socket);
	/* Slots for the most concurrency the console may ask for: the
	 * free list cannot grow while the worker runs. */
	g->slots = rte_zmalloc_socket("sf_loadgen_conns", sizeof(*g->slots) *
				      g->conf.max_concurrency,
				      RTE_CACHE_LINE_SIZE, socket);
	if (g->cursor == NULL || g->slots == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* Spread the pairs' starting points so restarts do not collide
	 * with the previous run's TIME_WAITs at the peer. */
	for (i = 0; i < g->nb_pairs; i++)
		g->cursor[i] = (uint16_t)(lc->sport_min +
			(rte_rdtsc() + i * 7919u) %
			((uint32_t)lc->sport_max - lc->sport_min + 1));
	for (i = g->conf.max_concurrency; i > 0; i--) {
		g->slots[i - 1].next = g->free;
		g->free = &g->slots[i - 1];
	}
	g->nb_open = 0;
	if (lc->proto == SF_LOAD_HTTP) {
		g->proto = &lg_http_ops;
		rc = lg_http_init(w, g);
		if (rc != 0)
			goto fail;
	} else {
		g->proto = &lg_echo_ops;
		rc = lg_echo_init(w, g);
		if (rc != 0)
			goto fail;
	}
	w->app_poll = lg_poll;
	return 0;
fail:
	sf_app_free(w);
	return rc;
}

/* ---- run-time control: on the worker, from its control ring ---- */

/* Start after a -i start in waiting, a stop, or the end of the job. */
static void
lg_restart(struct lg *g)
{
	if (g->conf.paused) {
		g->conf.paused = false;
		g->started = false;
		return;
	}
	if (!g->stopping && !g->launch_done)
		return;		/* running */
	g->started = false;	/* lg_poll sets t0, t_end again */
	g->stopping = false;
	g->launch_done = false;
	g->launched = 0;
	g->retry_at = 0;
	g->credit = 0;
	g->rcredit = 0;
	__atomic_store_n(&g->stop_req, 0, __ATOMIC_RELAXED);
	g->base.st.ok = false;
	__atomic_store_n(&g->base.st.done, false, __ATOMIC_RELEASE);
}

void
sf_app_loadgen_set(struct sf_worker *w, enum sf_load_param p,
		   uint64_t value)
{
	struct lg *g = lg_of(w);
	struct lg_conn *lc;
	uint64_t ms;

	if (sf_app_loadgen_slots(w) == 0)
		return;
	switch (p) {
	case SF_LOAD_RUN:
		if (value != 0)
			lg_restart(g);
		else if (!g->conf.paused && !g->stopping)
			lg_stop_all(w, g);
		break;
	case SF_LOAD_RATE:
		g->conf.rate = value;
		g->credit = 0;	/* no burst from credit of the old rate */
		break;
	case SF_LOAD_CONCURRENCY:
		value = RTE_MIN(value, (uint64_t)g->conf.max_concurrency);
		g->conf.concurrency = (uint32_t)RTE_MAX(value, (uint64_t)1);
		break;
	case SF_LOAD_DURATION:
		ms = RTE_MIN(value * 1000, (uint64_t)UINT32_MAX);
		g->conf.duration_ms = (uint32_t)ms;
		if (g->started)
			g->t_end = ms == 0 ? UINT64_MAX :
				g->t0 + ms * w->hz / 1000;
		break;
	case SF_LOAD_REQUESTS:
		/* Echo without payload is connect-and-close: one each. */
		if (g->conf.proto == SF_LOAD_ECHO && g->conf.payload == 0)
			break;
		g->conf.requests = (uint32_t)RTE_MIN(value,
						     (uint64_t)UINT32_MAX);
		break;
	case SF_LOAD_REQ_RATE:
		g->conf.req_rate = value;
		g->rcredit = 0;
		/* Unpaced now: whoever waits for credit goes at once. */
		while (value == 0 && (lc = lg_rq_pop(g)) != NULL)
			lg_request_queued(w, g, lc);
		break;
	}
}

uint32_t
sf_app_loadgen_slots(const struct sf_worker *w)
{
	const struct lg *g = w->app;

	if (g == NULL || w->app_poll != lg_poll)
		return 0;
	return g->conf.max_concurrency;
}

const char *
sf_app_loadgen_state(const struct sf_worker *w)
{
	const volatile struct lg *g = w->app;

	if (sf_app_loadgen_slots(w) == 0)
		return NULL;
	if (g->conf.paused)
		return "waiting";
	if (__atomic_load_n(&g->base.st.done, __ATOMIC_ACQUIRE))
		return "done";
	if (g->stopping)
		return "stopping";
	return g->launch_done ? "finishing" : "running";
}

/* Every app's counters, here with the rest of the run-time control. */
void
sf_app_stats_clear(struct sf_worker *w)
{
	struct sf_app_base *b = w->app;
	uint64_t *c;
	unsigned int i;

	if (b == NULL)
		return;
	c = (uint64_t *)&b->st;
	for (i = 0; sf_app_counter_name(i) != NULL; i++)
		c[i] = 0;
	app_stats_init(&b->st);
}
