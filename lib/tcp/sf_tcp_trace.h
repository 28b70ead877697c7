/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TCP_TRACE_H
#define SF_TCP_TRACE_H

/*
 * Connection lifecycle trace and state-transition counters. The control
 * plane publishes a filter to each worker (sf_tcp_trace_set, lock-free);
 * the worker tests it once per new connection and marks the connections
 * it picks. For those, every segment in and out and every state
 * transition is written, one annotated line each, to the rte_log type
 * "synfin.trace" (level INFO). Other connections pay one predictable
 * branch per segment and format nothing. Transition counters count every
 * change of state of every connection, traced or not; the control plane
 * reads them with sf_tcp_transitions at any time.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sf_tcp.h"

struct sf_worker;

/* Which connections to trace: all conditions given must hold. */
struct sf_trace_filter {
	bool on;		/* false: trace nothing */
	uint16_t port;		/* host order; a local or remote port, 0 any */
	uint32_t host;		/* network order; a local or remote address,
				 * 0 any */
	uint32_t limit;		/* connections traced per worker, 0 no limit */
};

/**
 * Parse a filter: "off", or an optional "on" followed by any of "host A",
 * "port P", "limit N" in any order ("on" alone, "all" or "" trace every
 * connection).
 *
 * @return 0; -EINVAL with a message in @p err (may be NULL).
 */
int sf_tcp_trace_parse(const char *s, struct sf_trace_filter *f, char *err,
		       size_t errlen);

/**
 * Write @p f in the form sf_tcp_trace_parse reads ("off", "all", or
 * "host A port P limit N" with the parts that are set).
 *
 * @return what snprintf returns.
 */
int sf_tcp_trace_format(const struct sf_trace_filter *f, char *buf,
			size_t len);

/**
 * Publish @p f to worker @p w; safe from the control plane while the
 * worker runs (one control-plane writer at a time). Connections created
 * from then on are checked against it; those already traced go on being
 * traced unless @p f is off, which stops all tracing at once. A new
 * filter starts its limit count from zero.
 *
 * @return 0; -ENODEV when @p w has no TCP (before sf_tcp_init).
 */
int sf_tcp_trace_set(struct sf_worker *w, const struct sf_trace_filter *f);

/**
 * The filter last published to @p w.
 *
 * @return 0; -ENODEV when @p w has no TCP.
 */
int sf_tcp_trace_get(const struct sf_worker *w, struct sf_trace_filter *f);

/** Connections @p w has picked for tracing under its current filter
 *  (readable from the control plane). */
uint32_t sf_tcp_trace_count(const struct sf_worker *w);

/**
 * Add worker @p w's transition counters into @p counts: counts[a][b] is
 * how many connections went from state a to state b. A passive open counts
 * as LISTEN -> SYN_RCVD, an active one as CLOSED -> SYN_SENT, the end of a
 * TIME_WAIT record (2MSL over, or reused) as TIME_WAIT -> CLOSED.
 * Readable from the control plane at any time.
 */
void sf_tcp_transitions(const struct sf_worker *w,
			uint64_t counts[SF_TCP_NB_STATES][SF_TCP_NB_STATES]);

/**
 * Zero worker @p w's transition counters ("clear stats"). On the worker
 * only (its control callback): it is their one writer.
 */
void sf_tcp_transitions_clear(struct sf_worker *w);

/**
 * Name of the transition @p from -> @p to as used in counter listings:
 * "tcp_trans_<FROM>_to_<TO>", e.g. "tcp_trans_SYN_RCVD_to_ESTABLISHED".
 *
 * @return what snprintf returns.
 */
int sf_tcp_transition_name(enum sf_tcp_state from, enum sf_tcp_state to,
			   char *buf, size_t len);

#endif /* SF_TCP_TRACE_H */
