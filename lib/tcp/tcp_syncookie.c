/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 §3.6): once a worker's half-open budget is spent,
 * a SYN is answered with a SYN-ACK whose sequence number carries the
 * connection's state, and no TCB is kept until the ACK returns it.
 *
 * ISS = t (5 bits, 64 s ticks) | MSS index (3 bits) | MAC (24 bits), the
 * MAC a SipHash of the tuple, the peer's ISN and the whole tick count
 * (not its 5 bits: a cookie must not come back to life when they wrap,
 * every 34 minutes) under the worker's secret. Window scale and SACK-permitted do not fit in 32 bits: as
 * Linux does, they ride in the low 6 bits of our TSval and come back in
 * the peer's TSecr; a peer without timestamps gets neither. A cookie is
 * accepted up to two ticks after it was made.
 */
#include <rte_tcp.h>

#include "tcp_isn.h"
#include "tcp_priv.h"

#define COOKIE_TICK_MS 64000u
#define COOKIE_MAX_AGE 2	/* ticks */
#define COOKIE_MAC_MASK 0xffffffu
#define COOKIE_TS_BITS 6	/* wscale (4, 0xf = none), SACK (1) */
#define COOKIE_TS_MASK ((1u << COOKIE_TS_BITS) - 1)
#define COOKIE_WS_NONE 0xf

/* MSS values a cookie can say; the largest not above the peer's is
 * used (RFC 4987 §3.6: a few common values lose little). */
static const uint16_t cookie_mss[8] = {
	216, 536, 1220, 1300, 1360, 1400, 1440, 1460,
};

static uint32_t
cookie_mac(const struct sf_tcp *tcp, const struct sf_tcp_key *k,
	   uint32_t irs, uint32_t t)
{
	struct {
		uint32_t laddr, raddr, irs, t;
		uint16_t lport, rport;
	} in = {
		.laddr = k->laddr, .raddr = k->raddr, .irs = irs, .t = t,
		.lport = k->lport, .rport = k->rport,
	};

	return (uint32_t)sf_siphash24(&tcp->cookie_key, &in, sizeof(in)) &
		COOKIE_MAC_MASK;
}

/* The tick count; a cookie carries its low 5 bits. */
static uint32_t
cookie_tick(const struct sf_tcp *tcp)
{
	return (uint32_t)(tcp->now / COOKIE_TICK_MS);
}

bool
tcp_syncookie_wanted(const struct sf_worker *w)
{
	const struct sf_tcp *tcp = w->tcp;

	return tcp->conf.syncookies == 2 ||
		(tcp->conf.syncookies == 1 &&
		 tcp->nb_state[SF_TCP_SYN_RCVD] >= tcp->conf.max_syn_backlog);
}

void
tcp_syncookie_send(struct sf_worker *w, struct sf_wport *wp,
		   const struct sf_tcp_key *key, const struct sf_seg *seg)
{
	struct sf_tcp *tcp = w->tcp;
	const struct sf_tcp_opts *o = &seg->opts;
	uint16_t mss = (o->present & SF_TCPOPT_MSS) ? o->mss :
		TCP_DEFAULT_MSS;
	uint32_t t = cookie_tick(tcp), idx = 0, i, iss, tsval = 0;
	bool ts = (o->present & SF_TCPOPT_TS) && tcp->conf.ts_on;
	bool ws = false, sack = false;

	for (i = 0; i < RTE_DIM(cookie_mss); i++)
		if (cookie_mss[i] <= mss)
			idx = i;
	iss = ((t & 0x1f) << 27) | (idx << 24) |
		cookie_mac(tcp, key, seg->seq, t);
	if (ts) {
		uint32_t bits = COOKIE_WS_NONE;

		/* Only what the TSecr can bring back is offered. */
		ws = (o->present & SF_TCPOPT_WSCALE) && tcp->conf.wscale_on;
		if (ws)
			bits = RTE_MIN(o->wscale, SF_TCP_WSCALE_MAX);
		sack = (o->present & SF_TCPOPT_SACKOK) && tcp->conf.sack_on;
		if (sack)
			bits |= 1u << 4;
		/* Never ahead of our clock: later segments must not look
		 * older to the peer's PAWS (RFC 7323 §5). */
		tsval = ((uint32_t)tcp->now & ~COOKIE_TS_MASK) | bits;
		if (tsval > (uint32_t)tcp->now)
			tsval -= COOKIE_TS_MASK + 1;
	}
	tcp->cookie_last = tcp->now;
	w->stats.tcp_syncookies_sent++;
	tcp_send_synack_stateless(w, wp, seg, iss, ws, sack, ts, tsval);
}

/* The ACK of a cookie SYN-ACK: rebuild the half-open connection from it
 * and let the SYN_RCVD handler take the segment. */
bool
tcp_syncookie_accept(struct sf_worker *w, struct sf_wport *wp,
		     const struct sf_tcp_listener *l,
		     const struct sf_tcp_key *key, struct sf_seg *seg)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t iss = seg->ack - 1, irs = seg->seq - 1, now = cookie_tick(tcp);
	uint32_t age = (now - (iss >> 27)) & 0x1f, t = now - age;
	const struct rte_ether_hdr *eh;
	struct sf_seg syn;
	struct sf_tcb *c;
	uint32_t bits;

	if (age > COOKIE_MAX_AGE ||
	    (iss & COOKIE_MAC_MASK) != cookie_mac(tcp, key, irs, t)) {
		w->stats.tcp_syncookies_failed++;
		return false;
	}
	c = tcp_tcb_alloc(w, key);
	if (c == NULL) {
		w->stats.tcp_drop_table_full++;
		return true;	/* valid, but no room: drop, no RST */
	}
	w->stats.tcp_syncookies_ok++;
	/* The SYN as the cookie remembers it. */
	memset(&syn, 0, sizeof(syn));
	syn.seq = irs;
	syn.wnd = seg->wnd;
	syn.opts.present = SF_TCPOPT_MSS;
	syn.opts.mss = cookie_mss[(iss >> 24) & 7];
	if (seg->opts.present & SF_TCPOPT_TS) {
		bits = seg->opts.tsecr & COOKIE_TS_MASK;
		syn.opts.present |= SF_TCPOPT_TS;
		syn.opts.tsval = seg->opts.tsval;
		if ((bits & 0xf) != COOKIE_WS_NONE) {
			syn.opts.present |= SF_TCPOPT_WSCALE;
			syn.opts.wscale = (uint8_t)(bits & 0xf);
		}
		if (bits & (1u << 4))
			syn.opts.present |= SF_TCPOPT_SACKOK;
	}
	eh = rte_pktmbuf_mtod(seg->m, const struct rte_ether_hdr *);
	c->peer_mac = eh->src_addr;
	c->port_idx = (uint8_t)(wp - w->ports);
	c->ops_idx = l->ops_idx;
	c->flags |= TF_PASSIVE | TF_SYN_SENT;
	c->rcv_nxt = seg->seq;
	c->snd_una = iss;
	TCP_TRACE_IRS(w, c, irs);
	TCP_TRACE_ISS(w, c, iss);
	c->snd_nxt = iss + 1;
	c->snd_max = iss + 1;
	tcp_syn_options(w, c, &syn);
	tcp_snd_wnd_set(c, seg->wnd);
	c->snd_wl1 = irs;
	c->snd_wl2 = 0;
	/* What our SYN-ACK advertised (RFC 7323 §2.2: unscaled). */
	c->rcv_adv = c->rcv_nxt + RTE_MIN(tcp->conf.rcvbuf, 65535u);
	tcp_set_state(w, c, SF_TCP_SYN_RCVD);
	w->stats.tcp_passive_opens++;
	if (TCP_TRACED(c))
		tcp_trace_in(w, c, seg->th, seg->len);
	tcp_rcv_state(w, wp, c, seg);
	return true;
}
