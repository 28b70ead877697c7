/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_WORKER_H
#define SF_WORKER_H

/*
 * struct sf_worker is one lcore's whole data-plane context. It is passed
 * explicitly as the first argument of every hot-path function; nothing on
 * the data path reads a mutable global. A worker polls RX queue q and owns
 * TX queue q of each port it serves, writes its own counters without
 * atomics, and is told to stop through an atomic flag (worker_ctl.c). The
 * control plane only reads a worker's counters; every change it wants made
 * travels as a struct sf_ctl_msg through the worker's control ring, which
 * the worker drains in its housekeeping (every millisecond).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>

#include "sf_common.h"
#include "sf_stats.h"

struct rte_ring;
struct sf_capture_wk;
struct sf_iface;
struct sf_tcp;
struct sf_worker;

#define SF_BURST 32
#define SF_TXBUF_SIZE 512
#define SF_PREFETCH_OFFSET 3

/* Below this room in a TX buffer, TCP sends no data (sf_txbuf_busy). */
#define SF_TXBUF_HEADROOM 128

/* Frames for one tx_burst. What the queue would not take stays, in
 * order, for the next pass. */
struct sf_txbuf {
	uint16_t len;
	uint16_t captured;	/* pkts[0, captured) are in the capture */
	uint64_t bytes;		/* sum of pkts[].pkt_len, kept at put */
	uint64_t retry_at;	/* TSC: the queue took nothing; wait */
	uint64_t stall_since;	/* TSC of the first pass that sent none */
	struct rte_mbuf *pkts[SF_TXBUF_SIZE];
};

/* A worker's view of one port: which queue it owns and its TX buffer. */
struct sf_wport {
	struct sf_iface *ifc;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_paired;	/* > 1: a queue-paired port of this many
				 * queues, where the client's port modulo
				 * nb_paired is the queue (worker) owning the
				 * flow; set before launch (main.c) */
	bool arp_owner;		/* this worker announces and resolves */
	bool announced;
	struct sf_txbuf tx;
};

typedef void (*sf_worker_tx_flush_t)(struct sf_worker *w,
				     struct sf_wport *wp);
typedef void (*sf_worker_hook_t)(void *arg);

/* Kinds of control message (struct sf_ctl_msg.type). */
enum sf_ctl_type {
	SF_CTL_NOP,
	SF_CTL_STATS_CLEAR,	/* the worker zeroes its counters, then hands
				 * the message to ctl_cb (the app's) */
	SF_CTL_APP,		/* for ctl_cb alone: param and args are the
				 * app's (console: app/synfin/cmds.h) */
	/* capture and trace messages go here */
};

/* A control message: copied by value into the ring, no allocation. */
struct sf_ctl_msg {
	uint16_t type;		/* enum sf_ctl_type */
	uint16_t param;		/* meaning set by the type */
	uint32_t arg32;
	uint64_t arg;
};

/* Handles what the worker does not: runs ON the worker, from
 * sf_worker_ctl_drain(), with the arg given with it. */
typedef void (*sf_ctl_cb_t)(struct sf_worker *w, const struct sf_ctl_msg *m,
			    void *arg);

/* Messages a control ring holds; a full ring refuses (-ENOBUFS). */
#define SF_CTL_RING_SIZE 64
/* Messages one housekeeping pass handles at most. */
#define SF_CTL_DRAIN_MAX 16

struct sf_worker {
	/* hot, read every packet */
	uint64_t now;			/* TSC at the top of this iteration */
	struct rte_mempool *pool;
	struct rte_mempool_cache *mcache;	/* pool's cache on our lcore,
						 * or NULL */
	sf_worker_tx_flush_t tx_flush;
	uint16_t nb_ports;
	uint16_t burst;
	uint32_t id;
	struct sf_tcp *tcp;		/* NULL until sf_tcp_init */
	bool mbuf_low;			/* pool below mbuf_reserve: see
					 * worker_housekeep */
	bool busy;			/* the last iteration moved a frame */
	void *app;			/* the application's state */
	void (*app_poll)(struct sf_worker *w);	/* every iteration: keep
						 * it cheap when idle */
	struct sf_capture_wk *cap;	/* NULL unless a capture runs: one
					 * branch per RX and TX burst; only
					 * this worker writes it (capture.c) */

	/* housekeeping */
	unsigned int lcore_id;
	uint64_t hz;			/* TSC cycles per second */
	uint64_t hk_interval;		/* TSC cycles between housekeeping */
	uint64_t hk_last;
	uint32_t mbuf_reserve;		/* mbufs kept for RX: 0 = none */
	sf_worker_hook_t main_hook;	/* set when the main lcore is also
					 * the only worker: the control plane
					 * runs from here */
	void *main_hook_arg;
	volatile int stop;		/* written by worker_ctl.c */
	struct sf_capture_wk *cap_req;	/* written by capture.c; copied to
					 * cap at housekeeping */
	struct rte_ring *ctl_ring;	/* control plane -> worker, MP/SC */
	sf_ctl_cb_t ctl_cb;		/* app messages; set before launch */
	void *ctl_arg;
	uint64_t ctl_sent;		/* messages queued (senders add) */
	uint64_t ctl_done;		/* messages handled (the worker) */

	struct sf_stats stats;
	struct sf_wport ports[SF_MAX_PORTS];
} SF_CACHE_ALIGNED;

/**
 * An mbuf for a frame this worker builds, or NULL. The next mbuf the
 * lcore cache will hand out starts loading now: its header and first
 * data lines are written at once, and a cold one stalled the header
 * build of every segment (perf: a fifth of tcp_hdr_build).
 */
static inline struct rte_mbuf *
sf_worker_mbuf_alloc(struct sf_worker *w)
{
	struct rte_mempool_cache *c = w->mcache;
	struct rte_mbuf *m;

	/* From our cache directly: rte_pktmbuf_alloc() finds it through
	 * rte_lcore_id(), a TLS lookup (__tls_get_addr in a shared DPDK)
	 * on every call. */
	if (unlikely(rte_mempool_generic_get(w->pool, (void **)&m, 1,
					     c) < 0))
		return NULL;
	rte_pktmbuf_reset(m);
	if (likely(c != NULL && c->len != 0)) {
		const uint8_t *n = c->objs[c->len - 1];

		rte_prefetch0_write(n);
		rte_prefetch0_write(n + RTE_CACHE_LINE_SIZE);
		rte_prefetch0_write(n + sizeof(struct rte_mbuf) +
				    rte_pktmbuf_priv_size(w->pool) +
				    RTE_PKTMBUF_HEADROOM);
	}
	return m;
}

/**
 * Create a worker for @p lcore_id on that lcore's NUMA socket, with mbufs
 * from @p pool.
 *
 * @return the worker, or NULL with rte_errno = ENOMEM (or the error of
 *   rte_ring_create_elem for its control ring).
 */
struct sf_worker *sf_worker_create(uint32_t id, unsigned int lcore_id,
				   struct rte_mempool *pool);

/** Free a worker created by sf_worker_create (after it stopped). */
void sf_worker_free(struct sf_worker *w);

/**
 * Give worker @p w queue @p queue_id of the port behind @p ifc.
 *
 * @return 0, or -ENOSPC when the worker serves SF_MAX_PORTS ports already.
 */
int sf_worker_add_port(struct sf_worker *w, struct sf_iface *ifc,
		       uint16_t queue_id, bool arp_owner);

/** The lcore loop: poll until sf_worker_stop(). Launch with
 *  rte_eal_remote_launch or call directly on the main lcore. Returns 0. */
int sf_worker_loop(void *arg);

/** One iteration of the loop (RX, input, housekeeping, TX). Tests and the
 *  single-core main loop call it. */
void sf_worker_poll(struct sf_worker *w);

/** The real tx_flush: send @p wp's TX buffer with rte_eth_tx_burst,
 *  retrying briefly; what still does not fit is freed and counted in
 *  tx_drop_full. */
void sf_worker_tx_send(struct sf_worker *w, struct sf_wport *wp);

/** Compare the pool's free mbufs with @p w's reserve and set mbuf_low
 *  (every housekeeping; about a microsecond). */
void sf_worker_mbuf_check(struct sf_worker *w);

/** Send everything queued in every TX buffer of @p w. */
void sf_worker_flush(struct sf_worker *w);

/** Ask @p w to leave its loop (async; pair with rte_eal_wait_lcore). */
void sf_worker_stop(struct sf_worker *w);

/** The counters of @p nb workers summed into @p sum, and their TCP
 *  connections per state into @p states (SF_TCP_NB_STATES long); both
 *  zeroed first. Control plane, lock-free. */
void sf_worker_stats_sum(struct sf_worker *const *w, unsigned int nb,
			 struct sf_stats *sum, uint64_t *states);

/** Snapshot of @p w's counters, safe from another lcore. */
void sf_worker_stats_read(const struct sf_worker *w, struct sf_stats *out);

/**
 * Queue @p m for worker @p w; it acts on it at its next housekeeping
 * (within about a millisecond while it runs). Safe from any thread, the
 * worker's own included; never waits.
 *
 * @return 0; -ENOBUFS when SF_CTL_RING_SIZE messages are waiting already;
 *   -EINVAL for a NULL @p m or an unknown type.
 */
int sf_worker_ctl_send(struct sf_worker *w, const struct sf_ctl_msg *m);

/**
 * Worker side: act on up to SF_CTL_DRAIN_MAX waiting messages, in the
 * order they were sent. Only the worker's own lcore calls it (the loop's
 * housekeeping does).
 *
 * @return the number of messages handled.
 */
unsigned int sf_worker_ctl_drain(struct sf_worker *w);

/**
 * Wait until @p w has handled every message sent to it before this call,
 * for at most @p timeout_us, so that what a sender does next sees their
 * effect. On @p w's own lcore (one lcore runs the console from the
 * worker's housekeeping) it handles them itself, at once: call it there
 * only where the worker could (its housekeeping).
 *
 * @return 0; -ETIMEDOUT when the worker did not get to them in time (it
 *   is not running, or stalled).
 */
int sf_worker_ctl_sync(struct sf_worker *w, unsigned int timeout_us);

#endif /* SF_WORKER_H */
