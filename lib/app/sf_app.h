/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_APP_H
#define SF_APP_H

/*
 * synfin's applications, ordinary users of the sf_tcp API: the echo and
 * HTTP servers, and the load generator that drives echo or HTTP clients.
 * sf_app_*() is called on the control plane before the workers launch and
 * only records what to do; the work happens in the worker's app_poll hook
 * and the TCP callbacks. Each worker's app keeps one struct sf_app_stats,
 * written by that worker alone and read by the control plane at any time
 * (plain 64-bit counters; histograms merged with sf_hist_merge).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sf_hist.h"

struct sf_worker;

/* Application counters, X(name, help). Servers use the first block, the
 * load generator all of them. */
#define SF_APP_COUNTERS(X) \
	X(conns_opened, "connections established") \
	X(conns_closed, "connections gone (any reason)") \
	X(bytes_rx, "payload bytes received") \
	X(bytes_tx, "payload bytes queued for sending") \
	X(errors, "connections or requests that failed (all kinds)") \
	X(requests, "requests received (server) or sent (client)") \
	X(responses, "complete responses sent (server) or received (client)") \
	X(status_2xx, "responses 200-299") \
	X(status_4xx, "responses 400-499") \
	X(status_5xx, "responses 500-599") \
	X(conns_started, "client: connection attempts (SYN sent)") \
	X(bytes_verified, "client: echoed bytes equal to what was sent") \
	X(err_refused, "client: connection refused (RST to SYN)") \
	X(err_connect_timeout, "client: SYN unanswered") \
	X(err_reset, "reset by the peer") \
	X(err_timeout, "retransmissions or keepalive ran out") \
	X(err_bad_response, "client: unparsable or unexpected response") \
	X(err_mismatch, "client: echoed bytes differ from those sent") \
	X(err_closed_early, "peer closed before the exchange finished") \
	X(err_no_port, "client: no free source port for a target") \
	X(err_no_conn, "client: connection table or TCBs full") \
	X(err_no_arp, "client: no ARP reply from the target or gateway") \
	X(err_other, "other connect or close failures") \
	X(bad_request, "server: requests answered 4xx/5xx (malformed)")

struct sf_app_stats {
#define SF_APP_X(n, h) uint64_t n;
	SF_APP_COUNTERS(SF_APP_X)
#undef SF_APP_X
	uint64_t conns_open;		/* gauge */
	struct sf_hist h_connect;	/* SYN sent to established */
	struct sf_hist h_ttfb;		/* request sent to first byte back */
	struct sf_hist h_total;		/* request (or connect) to last byte */
	bool done;			/* client: its job ended */
	bool ok;			/* client: and nothing failed */
};

/** Counter names and values by index; NULL name past the end. */
const char *sf_app_counter_name(unsigned int i);
const char *sf_app_counter_help(unsigned int i);
uint64_t sf_app_counter_get(const struct sf_app_stats *s, unsigned int i);

/** Empty @p s: zero counters, histograms reset. */
void sf_app_stats_reset(struct sf_app_stats *s);

/** Reset @p dst and add the app counters of each of @p nb workers that
 *  runs an app. @return how many did. */
unsigned int sf_app_stats_sum(struct sf_worker *const *w, unsigned int nb,
			      struct sf_app_stats *dst);

/** Add @p src's counters and histograms to @p dst (not done/ok). */
void sf_app_stats_add(struct sf_app_stats *dst,
		      const struct sf_app_stats *src);

/**
 * Make worker @p w an echo server on TCP @p port: every byte received is
 * sent back (zero copy); when the peer closes, the server closes after
 * the echo.
 *
 * @return 0, or a negative errno from sf_tcp_listen / allocation.
 */
int sf_app_echo_server(struct sf_worker *w, uint16_t port);

/* HTTP/1.1 responder settings. */
struct sf_http_conf {
	uint16_t port;
	uint32_t body_size;		/* bytes, 0..SF_HTTP_MAX_BODY */
	const uint8_t *body;		/* NULL: a repeating text pattern */
	uint32_t max_hdr;		/* request head limit (431 above) */
	bool keepalive;			/* false: every response closes */
	char content_type[64];
	uint32_t nb_paths;		/* 0: every path is served */
	char paths[8][64];		/* else others get 404 */
};

#define SF_HTTP_MAX_BODY (1u << 20)

/**
 * Make worker @p w an HTTP/1.1 server as @p hc says: GET and HEAD, one
 * shared response buffer that every connection sends by reference.
 *
 * @return 0; -EINVAL (bad @p hc); -ENOMEM; sf_tcp_listen's errors.
 */
int sf_app_http_server(struct sf_worker *w, const struct sf_http_conf *hc);

enum sf_load_proto {
	SF_LOAD_HTTP,
	SF_LOAD_ECHO,
};

#define SF_LOAD_MAX_TARGETS 16

/* Load generator settings, for one worker (the control plane splits the
 * totals between workers). */
struct sf_load_conf {
	enum sf_load_proto proto;
	uint16_t port_idx;			/* which port of the worker */
	uint32_t nb_targets;
	uint32_t target_addr[SF_LOAD_MAX_TARGETS];	/* network order */
	uint16_t target_port[SF_LOAD_MAX_TARGETS];
	uint32_t src_first;		/* network order; 0: port's 1st */
	uint32_t src_count;		/* consecutive addresses */
	uint16_t sport_min, sport_max;	/* source port range */
	uint32_t concurrency;		/* connections open at once */
	uint64_t rate;			/* new connections/s, 0: no limit */
	uint32_t ramp_ms;		/* rate climbs from 0 over this */
	uint32_t requests;		/* per connection, 0: unlimited */
	uint64_t req_rate;		/* requests/s, 0: no limit */
	uint32_t duration_ms;		/* 0: until count */
	uint64_t count;			/* connections, 0: until duration */
	bool close_rst;			/* end with RST instead of FIN */
	uint32_t payload;		/* echo: bytes per request */
	char path[128];			/* HTTP request target */
	char host[64];			/* HTTP Host header */
	/* Replies must come back to this worker: with RSS, only source
	 * ports whose reply hashes to rss_queue are used. */
	uint16_t pair_queues;		/* > 1: a queue-paired port (memif):
					 * only source ports p with
					 * p % pair_queues == pair_queue */
	uint16_t pair_queue;
	uint16_t rss_queues;		/* 0 or 1: no filtering */
	uint16_t rss_queue;
	uint16_t reta_size;
	const uint16_t *reta;
	const uint8_t *rss_key;		/* 40 bytes, as the port has it */
	/* Run-time control (sf_app_loadgen_set) */
	uint32_t max_concurrency;	/* connection slots allocated: the
					 * most concurrency may grow to
					 * (0: concurrency) */
	bool paused;			/* open nothing until started */
};

/**
 * Make worker @p w a load generator as @p lc says. Its job ends (stats
 * done = true) when count connections finished or duration passed and
 * every connection closed.
 *
 * @return 0; -EINVAL; -ENOMEM.
 */
int sf_app_loadgen(struct sf_worker *w, const struct sf_load_conf *lc);

/** Ask @p w's load generator to stop opening connections and requests
 *  and to close what is open (safe from another lcore). */
void sf_app_loadgen_stop(struct sf_worker *w);

/* What sf_app_loadgen_set() changes; values as in struct sf_load_conf. */
enum sf_load_param {
	SF_LOAD_RUN,		/* 1: start (again after a stop or the end of
				 * the job), 0: stop as sf_app_loadgen_stop */
	SF_LOAD_RATE,		/* new connections/s, 0: unpaced */
	SF_LOAD_CONCURRENCY,	/* 1 .. the slots allocated (clamped) */
	SF_LOAD_DURATION,	/* seconds from the run's start, 0: none */
	SF_LOAD_REQUESTS,	/* per connection, 0: unlimited */
	SF_LOAD_REQ_RATE,	/* requests/s in all, 0: unpaced */
};

/**
 * Change worker @p w's running load generator. Runs ON the worker (from
 * its control ring), never from another lcore. A new rate or request rate
 * takes effect at the next poll, without a burst; a lower concurrency
 * closes nothing but opens no more until fewer are open; a new duration
 * counts from the current run's start (already past: the run stops); new
 * requests apply to the connections' next request. Restarting resets the
 * job (count, duration, ramp), not the counters. A no-op when @p w runs
 * no load generator.
 */
void sf_app_loadgen_set(struct sf_worker *w, enum sf_load_param p,
			uint64_t value);

/** Connection slots of @p w's load generator (the most concurrency can
 *  reach); 0 when @p w runs none. Safe from any lcore. */
uint32_t sf_app_loadgen_slots(const struct sf_worker *w);

/** "waiting" (for a start), "running", "finishing" (all connections
 *  opened, the last ones still run), "stopping" (closing what is open) or
 *  "done"; NULL when @p w runs no load generator. A recent value, safe
 *  from any lcore. */
const char *sf_app_loadgen_state(const struct sf_worker *w);

/** Zero @p w's app counters and histograms (not the open-connection
 *  gauge nor the job's done/ok). Runs ON the worker (from its control
 *  ring). */
void sf_app_stats_clear(struct sf_worker *w);

/** The app counters of @p w (NULL when it runs none). */
const struct sf_app_stats *sf_app_stats(const struct sf_worker *w);

/**
 * Period of the echo client's byte pattern: a prime, so that a stream
 * shifted by any request size that is not a multiple of it (1 MiB is
 * not) does not match itself.
 */
#define SF_ECHO_PERIOD 65521u

/** The pattern byte the echo client sends at stream offset @p i. */
static inline uint8_t
sf_echo_pattern(uint64_t i)
{
	uint32_t k = (uint32_t)(i % SF_ECHO_PERIOD);

	/* A multiplicative hash of the position: no short period. */
	return (uint8_t)((k * 2654435761u) >> 24);
}

/** Free @p w's app state (after sf_tcp_fini). */
void sf_app_free(struct sf_worker *w);

#endif /* SF_APP_H */
