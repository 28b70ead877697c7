/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lcore loop (hot path): rx_burst -> input -> timers -> app poll ->
 * housekeeping (every ms) -> one tx_burst per port. The only place in synfin that calls rte_eth_tx_burst.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "sf_capture.h"
#include "sf_net.h"
#include "sf_tcp.h"
#include "sf_worker.h"

/* TX tries per pass: a queue that stays full this long is not draining,
 * and spinning on it would stall RX; the rest waits for the next pass. */
#define WORKER_TX_RETRIES 4
/* A queue that took nothing is tried again after this many us, not on
 * every pass: a peer that left (memif) is not hammered, and DPDK 22.11's
 * memif can fault in a tx_burst racing the peer's departure. */
#define WORKER_TX_BACKOFF_US 10
/* Frames held this long by a queue that takes nothing go: the link is
 * down or the peer gone, as a NIC would drop them. */
#define WORKER_TX_STALL_MS 100

void
sf_worker_tx_send(struct sf_worker *w, struct sf_wport *wp)
{
	struct sf_txbuf *tx = &wp->tx;
	uint16_t sent = 0, i, n = tx->len;
	uint64_t left = 0;
	unsigned int tries = 0;

	if (n == 0)
		return;
	if (unlikely(tx->retry_at != 0) && w->now < tx->retry_at &&
	    n < SF_TXBUF_SIZE)
		return;
	if (unlikely(w->cap != NULL) && tx->captured < n)
		sf_capture_burst(w, wp, tx->pkts + tx->captured,
				 (uint16_t)(n - tx->captured), true);
	do {
		sent += rte_eth_tx_burst(wp->port_id, wp->queue_id,
					 tx->pkts + sent, n - sent);
	} while (sent < n && ++tries < WORKER_TX_RETRIES);
	/* The PMD owns (and may have freed) what it took: count the rest,
	 * which is still ours. */
	if (unlikely(sent == 0)) {
		if (tx->stall_since == 0)
			tx->stall_since = w->now;
		if (w->now - tx->stall_since >= w->hz / 1000 *
		    WORKER_TX_STALL_MS) {
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(tx->pkts[i]);
			w->stats.tx_drop_full += n;
			tx->len = tx->captured = 0;
			tx->bytes = 0;
			tx->retry_at = tx->stall_since = 0;
			return;
		}
		tx->retry_at = w->now + w->hz / 1000000 * WORKER_TX_BACKOFF_US;
	} else {
		tx->retry_at = tx->stall_since = 0;
	}
	for (i = sent; i < n; i++)
		left += tx->pkts[i]->pkt_len;
	if (unlikely(sent < n))
		memmove(tx->pkts, tx->pkts + sent,
			(size_t)(n - sent) * sizeof(tx->pkts[0]));
	w->stats.tx_pkts += sent;
	w->stats.tx_bytes += tx->bytes - left;
	tx->bytes = left;
	tx->len = (uint16_t)(n - sent);
	tx->captured = tx->len;
}

void
sf_worker_flush(struct sf_worker *w)
{
	uint16_t p;

	for (p = 0; p < w->nb_ports; p++)
		if (w->ports[p].tx.len != 0)
			w->tx_flush(w, &w->ports[p]);
}

void
sf_worker_mbuf_check(struct sf_worker *w)
{
	/* A stack whose buffers all sit in send and reorder queues cannot
	 * refill RX, hears no ACK, and frees nothing: below the reserve,
	 * TCP refuses new send data and drops data it would have to hold,
	 * so ACKs and RSTs still get in. */
	if (w->mbuf_reserve != 0)
		w->mbuf_low = rte_mempool_avail_count(w->pool) <
			w->mbuf_reserve;
}

static void
worker_housekeep(struct sf_worker *w)
{
	sf_worker_mbuf_check(w);
	struct sf_capture_wk *cap;
	uint16_t p;

	/* Control messages first: a console running from main_hook below
	 * sees their effect on its next pass. */
	sf_worker_ctl_drain(w);
	/* Take up a capture started or stopped by capture.c here, between
	 * bursts: once cap reads NULL, the control plane knows this worker
	 * holds nothing of the old one and may free it. */
	cap = __atomic_load_n(&w->cap_req, __ATOMIC_ACQUIRE);
	if (unlikely(cap != w->cap))
		__atomic_store_n(&w->cap, cap, __ATOMIC_RELEASE);
	for (p = 0; p < w->nb_ports; p++)
		if (w->ports[p].arp_owner)
			sf_arp_housekeep(w, &w->ports[p]);
	if (w->main_hook != NULL)
		w->main_hook(w->main_hook_arg);
}

static inline void
worker_rx(struct sf_worker *w, struct sf_wport *wp)
{
	struct rte_mbuf *pkts[SF_BURST];
	uint16_t i, n;

	n = rte_eth_rx_burst(wp->port_id, wp->queue_id, pkts, w->burst);
	if (unlikely(w->cap != NULL))
		sf_capture_burst(w, wp, pkts, n, false);
	/* Two stages ahead of input: a frame's headers start loading
	 * 2 * OFFSET frames before it, its connection's table bucket
	 * OFFSET frames before it (the headers are in by then). */
	for (i = 0; i < n && i < 2 * SF_PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n && i < SF_PREFETCH_OFFSET; i++)
		sf_tcp_prefetch(w, pkts[i]);
	for (i = 0; i < n; i++) {
		if (i + 2 * SF_PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(
				pkts[i + 2 * SF_PREFETCH_OFFSET], void *));
		if (i + SF_PREFETCH_OFFSET < n)
			sf_tcp_prefetch(w, pkts[i + SF_PREFETCH_OFFSET]);
		sf_eth_input(w, wp, pkts[i]);
	}
	if (w->tcp != NULL)
		sf_tcp_rx_burst_end(w);
}

void
sf_worker_poll(struct sf_worker *w)
{
	uint64_t prev = w->now, rx0 = w->stats.rx_pkts, tx0 = w->stats.tx_pkts;
	uint16_t p;

	/* An iteration that moved a frame is busy until the next one starts:
	 * the share of such cycles says how near the core is to saturation,
	 * without a second TSC read. */
	w->now = rte_rdtsc();
	if (w->busy)
		w->stats.busy_cycles += w->now - prev;
	if (w->tcp != NULL)
		sf_tcp_clock(w);
	for (p = 0; p < w->nb_ports; p++)
		worker_rx(w, &w->ports[p]);
	if (w->tcp != NULL)
		sf_tcp_poll(w);
	if (w->app_poll != NULL)
		w->app_poll(w);
	if (unlikely(w->now - w->hk_last >= w->hk_interval)) {
		w->hk_last = w->now;
		worker_housekeep(w);
	}
	sf_worker_flush(w);
	w->busy = w->stats.rx_pkts != rx0 || w->stats.tx_pkts != tx0;
}

int
sf_worker_loop(void *arg)
{
	struct sf_worker *w = arg;

	while (likely(!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)))
		sf_worker_poll(w);
	sf_worker_flush(w);
	return 0;
}
