/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TXBUF_H
#define SF_TXBUF_H

/*
 * The per-port TX buffer of a worker. The engine only appends to it;
 * the worker loop drains it with one rte_eth_tx_burst per port per
 * iteration. When it fills mid-iteration the worker's tx_flush hook runs
 * (the real one sends, the unit tests' one captures), so nothing queued is
 * ever silently lost.
 */

#include <rte_mbuf.h>

#include "sf_worker.h"

static inline void
sf_txbuf_put(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m)
{
	if (unlikely(wp->tx.len == SF_TXBUF_SIZE))
		w->tx_flush(w, wp);
	wp->tx.pkts[wp->tx.len++] = m;
}

#endif /* SF_TXBUF_H */
