/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TXBUF_H
#define SF_TXBUF_H

/*
 * The per-port TX buffer of a worker. The engine only appends to it;
 * the worker loop drains it with one rte_eth_tx_burst per port per
 * iteration. When it fills mid-iteration the worker's tx_flush hook runs
 * (the real one sends, the unit tests' one captures). Frames the queue
 * does not take stay for the next pass; a frame put while the buffer is
 * still full is dropped and counted (tx_drop_full).
 */

#include <rte_mbuf.h>

#include "sf_worker.h"

static inline void
sf_txbuf_put(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m)
{
	if (unlikely(wp->tx.len == SF_TXBUF_SIZE)) {
		w->tx_flush(w, wp);
		if (unlikely(wp->tx.len == SF_TXBUF_SIZE)) {
			/* The queue takes nothing: as a full link would. */
			w->stats.tx_drop_full++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	wp->tx.bytes += m->pkt_len;	/* the header is hot here */
	wp->tx.pkts[wp->tx.len++] = m;
}

/* Is the TX buffer too full for bulk data? TCP then waits (tcp_output)
 * rather than have the frames dropped: the room left is for ACKs and
 * control segments. */
static inline bool
sf_txbuf_busy(const struct sf_wport *wp)
{
	return wp->tx.len > SF_TXBUF_SIZE - SF_TXBUF_HEADROOM;
}

#endif /* SF_TXBUF_H */
