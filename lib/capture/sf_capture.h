/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_CAPTURE_H
#define SF_CAPTURE_H

/*
 * Packet capture to a pcapng file (rte_pcapng) that tcpdump, tshark and
 * Wireshark read. One capture at a time, process-wide. The control plane
 * starts and stops it and writes the file from sf_capture_poll(); each
 * worker copies the frames it receives and sends that match a small filter
 * into its own single-producer/single-consumer ring, with mbufs from a pool
 * of the capture's own, so a capture can never starve the data path. When
 * the ring is full or the pool empty the copy is dropped and counted; the
 * frame itself always goes on. With no capture running, a worker pays one
 * predictable branch per RX burst and per TX burst.
 *
 * RX frames are copied before any input processing, TX frames just before
 * rte_eth_tx_burst: a frame the TX queue then refuses (tx_drop_full) is in
 * the file although it never left. With TX checksum offload the captured
 * checksums are the unfinished ones, as with tcpdump on a kernel host.
 *
 * sf_capture_start/poll/stop/stats are control-plane calls: call them from
 * one thread at a time (the main lcore, or the worker loop of the only
 * worker when the main lcore is that worker). sf_capture_stats and
 * sf_capture_active may also be called from any other thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct sf_worker;
struct sf_wport;

/** Filter value of sf_capture_filter.port: any port. */
#define SF_CAPTURE_ANY_PORT UINT16_MAX
/** Ring entries per worker when sf_capture_conf.ring_size is 0. */
#define SF_CAPTURE_RING_DEFAULT 2048
/** Snap length the capture pool is sized for when snaplen is 0: a
 *  1500-byte-MTU frame with a VLAN tag fits; longer ones are chained. */
#define SF_CAPTURE_FRAME_DEFAULT 2048

/*
 * Which frames to copy. Every field that is set must match (AND); a
 * zeroed filter after sf_capture_filter_init() matches everything.
 */
struct sf_capture_filter {
	uint16_t port;		/* DPDK port id; SF_CAPTURE_ANY_PORT: any */
	uint16_t tcp_port;	/* TCP source or destination port, host
				 * order; 0: any */
	uint32_t host;		/* IPv4 source or destination (ARP: sender
				 * or target), network order; 0: any */
	bool tcp;		/* TCP segments only (implied by tcp_port) */
};

struct sf_capture_conf {
	const char *file;	/* created or truncated, mode 0644 */
	struct sf_capture_filter filter;
	uint32_t snaplen;	/* bytes kept of each frame; 0: all */
	uint64_t max_packets;	/* stop after this many; 0: no limit */
	uint64_t max_bytes;	/* stop before the file passes this; 0: none */
	uint32_t ring_size;	/* ring per worker, rounded up to a power of
				 * two (it holds one copy less), at most
				 * 2^20; 0: SF_CAPTURE_RING_DEFAULT */
};

struct sf_capture_stats {
	bool active;		/* a capture is running */
	char file[256];		/* the current or last capture's file */
	char filter[96];	/* its filter, as sf_capture_filter_str() */
	uint64_t packets;	/* frames written to the file */
	uint64_t bytes;		/* bytes written to the file (pcapng blocks) */
	uint64_t drop_ring;	/* copies dropped: a worker's ring was full */
	uint64_t drop_nombuf;	/* copies dropped: the capture pool was empty */
	uint64_t drop_limit;	/* copies dropped past max_packets/max_bytes */
	uint64_t write_errors;	/* failed writes (their frames are lost) */
};

/** Make @p f match everything. */
void sf_capture_filter_init(struct sf_capture_filter *f);

/**
 * Parse a filter expression: words joined by spaces (all must match, as
 * with "and"), in any order, each at most once:
 *   host A          IPv4 source or destination A (ARP: sender or target)
 *   port P          TCP source or destination port P (as in tcpdump)
 *   tcp port P      the same
 *   tcp             TCP segments only
 *   iface N         frames of DPDK port N only
 * "and" between words is accepted and ignored. An empty string matches
 * everything.
 *
 * @param expr
 *   The expression; NULL counts as empty.
 * @param f
 *   Filled on success; unchanged on error.
 * @param err
 *   On -EINVAL, a one-line message naming the word at fault.
 * @return
 *   0, or -EINVAL.
 */
int sf_capture_filter_parse(const char *expr, struct sf_capture_filter *f,
			    char *err, size_t errlen);

/**
 * Write @p f as an expression sf_capture_filter_parse() reads back ("" for
 * match-all). @return the length snprintf would write.
 */
int sf_capture_filter_str(const struct sf_capture_filter *f, char *buf,
			  size_t len);

/** What a capture wrote and dropped, in the words the log and the
 * console both use: "N frames, B bytes written; dropped: ring full R,
 * no mbuf M, past the limit L; write errors W". @return as snprintf. */
int sf_capture_stats_str(const struct sf_capture_stats *st, char *buf,
			 size_t len);

/**
 * Start a capture on workers @p workers[0 .. nb-1]: open the file, create
 * the pool and one ring per worker, write the pcapng header and one
 * interface block per ethdev, then hand each worker its ring. A worker
 * that runs takes it at its next housekeeping (within about 1 ms); frames
 * before that are not captured. Workers not yet launched take it at once.
 *
 * @return
 *   0; -EBUSY: a capture runs already; -EINVAL: bad @p cc, @p nb 0 or
 *   over SF_MAX_WORKERS; -ENOMEM: no memory for the pool or rings;
 *   another negative errno from open(2) (e.g. -ENOENT, -EACCES) or from
 *   writing the header.
 */
int sf_capture_start(const struct sf_capture_conf *cc,
		     struct sf_worker *const *workers, unsigned int nb);

/**
 * Move what the workers copied to the file. Call it often (every control
 * tick, 10 ms or less): each worker's ring holds ring_size copies. When
 * max_packets or max_bytes is reached the capture stops by itself, as
 * with sf_capture_stop(). Does nothing when no capture runs.
 */
void sf_capture_poll(void);

/**
 * Stop the capture: take the ring away from every worker, wait until each
 * running worker has let go of it (its next housekeeping, about 1 ms;
 * workers that no longer run are not waited for), write what is left and
 * close the file. Its statistics stay readable with sf_capture_stats()
 * until the next start.
 *
 * @return
 *   0; -ENOENT: no capture runs; -ETIMEDOUT: a running worker did not
 *   let go within a second (the file is complete and closed, but the
 *   pool and rings are left allocated rather than freed under it).
 */
int sf_capture_stop(void);

/** True while a capture runs. Any thread. */
bool sf_capture_active(void);

/**
 * Statistics of the running capture, or of the last one when none runs
 * (all zero before the first). Any thread.
 */
void sf_capture_stats(struct sf_capture_stats *st);

/**
 * Worker side, hot path: copy the frames of @p pkts that match the
 * capture's filter into @p w's ring. Called by the worker loop only when
 * w->cap is set; @p out is false for frames received, true for frames
 * about to be sent on @p wp.
 */
void sf_capture_burst(struct sf_worker *w, const struct sf_wport *wp,
		      struct rte_mbuf *const *pkts, uint16_t n, bool out);

#endif /* SF_CAPTURE_H */
