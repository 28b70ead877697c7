/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_APP_H
#define SF_APP_H

/*
 * synfin's applications, ordinary users of the sf_tcp API. Each runs on
 * the workers: sf_app_*_start() is called on the control plane before the
 * workers launch and only records what to do; the work happens in the
 * worker's app_poll hook and the TCP callbacks. Results are read by the
 * control plane once the workers have stopped, or as plain counters while
 * they run.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sf_worker;

/* Echo client/server counters, one writer (the worker). */
struct sf_echo_stats {
	uint64_t conns_opened;
	uint64_t conns_closed;
	uint64_t bytes_rx;
	uint64_t bytes_tx;
	uint64_t bytes_verified;	/* client: matched the pattern */
	uint64_t mismatches;		/* client: first bad offset + 1 */
	uint64_t errors;		/* connections that ended badly */
	bool done;			/* client: finished (ok or not) */
	bool ok;
	int close_reason;
};

/**
 * Make worker @p w an echo server on TCP @p port: every byte received is
 * sent back; when the peer closes, the server closes after the echo.
 *
 * @return 0, or a negative errno from sf_tcp_listen / allocation.
 */
int sf_app_echo_server(struct sf_worker *w, uint16_t port);

/**
 * Make worker @p w an echo client: connect to @p daddr (network order):
 * @p port, send @p bytes of a known pattern, check every byte that comes
 * back, half-close, and finish when the server closes.
 *
 * @return 0, or -ENOMEM.
 */
int sf_app_echo_client(struct sf_worker *w, uint32_t daddr, uint16_t port,
		       uint64_t bytes);

/** The echo state of @p w (NULL when none). */
const struct sf_echo_stats *sf_app_echo_stats(const struct sf_worker *w);

/** The pattern byte the echo client sends at offset @p i. */
static inline uint8_t
sf_echo_pattern(uint64_t i)
{
	return (uint8_t)(i + (i >> 8) * 7 + (i >> 16) * 13);
}

/** Free @p w's app state. */
void sf_app_free(struct sf_worker *w);

#endif /* SF_APP_H */
