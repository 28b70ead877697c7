/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: validate the segment, find its connection (one table lookup
 * serves TCBs and TIME_WAIT records), and hand it to the state machine,
 * a listener (RFC 9293 §3.10.7.2) or the CLOSED rules (§3.10.7.1).
 */
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sf_net.h"
#include "tcp_priv.h"

#define TCP_FLAGS_MASK 0x3f	/* FIN SYN RST PSH ACK URG */

static inline bool
tcp_csum_ok(const struct sf_iface *ifc, const struct rte_mbuf *m,
	    const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (ifc->rx_csum && f == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	if (ifc->rx_csum && f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	return sf_ipv4_l4_cksum_ok(m, ip, l4_off);
}

/* Options of a SYN decide what the connection may use (RFC 7323 §1.3,
 * §2.2; RFC 2018 §2; RFC 9293 §3.7.1). Our own offer is in c->flags. */
void
tcp_syn_options(struct sf_worker *w, struct sf_tcb *c,
		const struct sf_seg *seg)
{
	const struct sf_tcp_conf *conf = &w->tcp->conf;
	const struct sf_tcp_opts *o = &seg->opts;
	uint16_t mss = TCP_DEFAULT_MSS;

	/* An MSS of 0 is taken as no MSS option (RFC 9293 §3.7.1 default),
	 * one below TCP_MIN_SND_MSS is raised to it, both as Linux does. */
	if ((o->present & SF_TCPOPT_MSS) && o->mss != 0)
		mss = o->mss;
	if ((o->present & SF_TCPOPT_MSS) && o->mss < TCP_MIN_SND_MSS) {
		w->stats.tcp_rx_mss_low++;
		mss = RTE_MAX(mss, (uint16_t)TCP_MIN_SND_MSS);
	}
	c->mss = (uint16_t)RTE_MIN((uint32_t)mss, conf->mss);
	if ((o->present & SF_TCPOPT_WSCALE) && conf->wscale_on) {
		c->flags |= TF_WS;
		c->snd_wscale = RTE_MIN(o->wscale, SF_TCP_WSCALE_MAX);
		c->rcv_wscale = (uint8_t)conf->wscale;
	} else {
		c->flags &= (uint16_t)~TF_WS;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if ((o->present & SF_TCPOPT_SACKOK) && conf->sack_on)
		c->flags |= TF_SACK;
	else
		c->flags &= (uint16_t)~TF_SACK;
	if ((o->present & SF_TCPOPT_TS) && conf->ts_on) {
		c->flags |= TF_TS;
		c->ts_recent = o->tsval;
		c->ts_recent_at = TCP_TS_AGE(w->tcp->now);
		c->mss -= 12;	/* every segment carries NOP NOP TS */
	} else {
		c->flags &= (uint16_t)~TF_TS;
	}
	/* RFC 6928: initial window of 10 segments (at most 14600 B). */
	c->cwnd = RTE_MAX(2u * c->mss, 14600u);
	c->cwnd = RTE_MIN(10u * c->mss, c->cwnd);
	c->ssthresh = UINT32_MAX;
	if (w->tcp->cc_bbr)
		tcp_bbr_init(w, c);
	/* RFC 6582 §3.2 step 1: recover starts at the ISS (snd_una until
	 * our SYN is acked). */
	c->recover = c->snd_una;
}

/* SYN+FIN where a SYN opens a connection (LISTEN, SYN_SENT). RFC 9293
 * has no rule against it: with conf.drop_synfin off it is the SYN it
 * also is, its FIN ignored (FreeBSD's drop_synfin=0, and Linux in
 * SYN_SENT); on (the default), dropped, as FreeBSD's drop_synfin=1 and
 * Linux at a listener do: scanners send it.
 * In the synchronized states it is a SYN, and RFC 5961 §4.2's challenge
 * ACK answers it whatever conf says. Returns false to drop. */
static bool
tcp_synfin_open(struct sf_worker *w, struct sf_seg *seg)
{
	if (w->tcp->conf.drop_synfin) {
		w->stats.tcp_drop_flags++;
		return false;
	}
	seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
	return true;
}

/* RFC 9293 §3.10.7.2, SYN arriving at a listener. */
static void
tcp_rcv_listen(struct sf_worker *w, struct sf_wport *wp,
	       const struct sf_tcp_listener *l, const struct sf_tcp_key *key,
	       struct sf_seg *seg)
{
	struct sf_tcp *tcp = w->tcp;
	const struct rte_ether_hdr *eh;
	struct sf_tcb *c;

	if (seg->flags & RTE_TCP_RST_FLAG)
		return;
	if (seg->flags & RTE_TCP_ACK_FLAG) {
		/* Perhaps the third step of a handshake we answered with a
		 * cookie (recently, or always). */
		if (!(seg->flags & RTE_TCP_SYN_FLAG) && tcp->conf.syncookies &&
		    (tcp->conf.syncookies == 2 || (tcp->cookie_last != 0 &&
		     tcp->now - tcp->cookie_last < TCP_COOKIE_WINDOW_MS)) &&
		    tcp_syncookie_accept(w, wp, l, key, seg))
			return;
		tcp_send_rst_reply(w, wp, seg);
		return;
	}
	if (!(seg->flags & RTE_TCP_SYN_FLAG) ||
	    (seg->flags & RTE_TCP_FIN_FLAG)) {
		w->stats.tcp_drop_listen++;
		return;
	}
	/* RFC 4987: past the half-open budget, keep no state. */
	if (tcp->nb_state[SF_TCP_SYN_RCVD] >= tcp->conf.max_syn_backlog ||
	    tcp->conf.syncookies == 2) {
		if (tcp->conf.syncookies != 0)
			tcp_syncookie_send(w, wp, key, seg);
		else
			w->stats.tcp_drop_syn_backlog++;
		return;
	}
	c = tcp_tcb_alloc(w, key);
	if (c == NULL) {
		/* Full: refuse the newcomer, keep everyone else. */
		w->stats.tcp_drop_table_full++;
		return;
	}
	eh = rte_pktmbuf_mtod(seg->m, const struct rte_ether_hdr *);
	c->peer_mac = eh->src_addr;
	c->port_idx = (uint8_t)(wp - w->ports);
	c->ops_idx = l->ops_idx;
	c->flags |= TF_PASSIVE;
	c->rcv_nxt = seg->seq + 1;
	c->snd_una = sf_tcp_isn(&tcp->isn_key, key->laddr, key->lport,
				key->raddr, key->rport, tcp->now * 1000);
	c->snd_nxt = c->snd_una;
	c->snd_max = c->snd_una;
	TCP_TRACE_IRS(w, c, seg->seq);
	TCP_TRACE_ISS(w, c, c->snd_una);
	tcp_syn_options(w, c, seg);
	tcp_snd_wnd_set(c, seg->wnd);	/* a SYN's window is not scaled */
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = 0;
	if (TCP_TRACED(c))
		tcp_trace_in(w, c, seg->th, seg->len);
	tcp_set_state(w, c, SF_TCP_SYN_RCVD);
	w->stats.tcp_passive_opens++;
	tcp_send_syn(w, c);
}

static const struct sf_tcp_listener *
tcp_find_listener(const struct sf_tcp *tcp, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < tcp->nb_listen; i++)
		if (tcp->listen[i].port == port)
			return &tcp->listen[i];
	return NULL;
}

/* Queue pairing: worker i of each end owns the flows whose client port
 * is i modulo the queues, because the load generator opens only those
 * on it (app_loadgen.c) and the peer sends them back on queue i. The
 * client's port is the peer's when we listen on ours. A segment of a flow
 * owned elsewhere is counted, then handled as any other (its connection
 * is not in this worker's table on the client side). */
static inline bool
tcp_seg_owned(const struct sf_tcp *tcp, const struct sf_wport *wp,
	      const struct sf_tcp_key *key)
{
	uint16_t cport = tcp_find_listener(tcp, key->lport) != NULL ?
		key->rport : key->lport;

	return rte_be_to_cpu_16(cport) % wp->nb_paired == wp->queue_id;
}

void
sf_tcp_prefetch(struct sf_worker *w, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	struct sf_tcp_key key;
	uint32_t ihl;

	if (w->tcp == NULL ||
	    m->data_len < sizeof(*eh) + sizeof(*ip) + sizeof(*th))
		return;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	if (ip->next_proto_id != IPPROTO_TCP || ihl < sizeof(*ip) ||
	    m->data_len < sizeof(*eh) + ihl + sizeof(*th))
		return;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	sf_tcp_key_from_hdrs(&key, ip, th);
	sf_tcp_table_prefetch(w->tcp->table, &key);
}

void
sf_tcp_input(struct sf_worker *w, struct sf_wport *wp, struct rte_mbuf *m)
{
	struct sf_tcp *tcp = w->tcp;
	const struct sf_tcp_listener *l;
	struct rte_ipv4_hdr *ip;
	struct sf_tcp_key key;
	struct sf_seg seg;
	uint32_t off, tlen, hlen;
	void *e;

	w->stats.tcp_rx_segs++;
	seg.m = m;
	if (unlikely(tcp == NULL)) {
		w->stats.ip_drop_proto++;
		goto drop;
	}
	off = m->l2_len + m->l3_len;
	tlen = m->pkt_len - off;
	if (unlikely(tlen < sizeof(struct rte_tcp_hdr) ||
		     m->data_len < off + sizeof(struct rte_tcp_hdr))) {
		w->stats.tcp_drop_short++;
		goto drop;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	seg.th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, off);
	hlen = (uint32_t)(seg.th->data_off >> 4) * 4;
	if (unlikely(hlen < sizeof(struct rte_tcp_hdr) || hlen > tlen ||
		     off + hlen > m->data_len)) {
		w->stats.tcp_drop_doff++;
		goto drop;
	}
	if (unlikely(!tcp_csum_ok(wp->ifc, m, ip, off))) {
		w->stats.tcp_drop_csum++;
		goto drop;
	}
	seg.opts.present = 0;
	if (hlen > sizeof(struct rte_tcp_hdr) &&
	    unlikely(sf_tcp_opts_parse((const uint8_t *)(seg.th + 1),
				       hlen - sizeof(struct rte_tcp_hdr),
				       &seg.opts) != 0)) {
		w->stats.tcp_drop_opts++;
		goto drop;
	}
	seg.flags = seg.th->tcp_flags & TCP_FLAGS_MASK;
	if (unlikely((seg.flags & RTE_TCP_SYN_FLAG) &&
		     (seg.flags & RTE_TCP_RST_FLAG))) {
		w->stats.tcp_drop_flags++;
		goto drop;
	}
	if (unlikely(seg.th->src_port == 0 || seg.th->dst_port == 0)) {
		w->stats.tcp_drop_flags++;
		goto drop;
	}
	seg.seq = rte_be_to_cpu_32(seg.th->sent_seq);
	seg.ack = rte_be_to_cpu_32(seg.th->recv_ack);
	seg.wnd = rte_be_to_cpu_16(seg.th->rx_win);
	seg.syn_wnd = false;
	seg.off = off + hlen;
	seg.len = tlen - hlen;

	sf_tcp_key_from_hdrs(&key, ip, seg.th);
	if (unlikely(wp->nb_paired > 1) && !tcp_seg_owned(tcp, wp, &key))
		w->stats.tcp_misdelivered++;
	e = sf_tcp_table_lookup(tcp->table, &key);
	if (e != NULL && tcp_entry_is_tw(e)) {
		if (unlikely(tcp_entry_tw(e)->trace != 0))
			tcp_trace_tw_in(w, tcp_entry_tw(e), seg.th, seg.len);
		if (!tcp_timewait_input(w, wp, tcp_entry_tw(e), &seg))
			goto drop;
		e = NULL;	/* a SYN may start the tuple's next life */
	}
	if (e != NULL) {
		if (TCP_TRACED((struct sf_tcb *)e))
			tcp_trace_in(w, e, seg.th, seg.len);
		if (unlikely(tcp_flags_synfin(seg.flags)) &&
		    ((struct sf_tcb *)e)->state == SF_TCP_SYN_SENT &&
		    !tcp_synfin_open(w, &seg))
			goto drop;
		tcp_rcv_state(w, wp, e, &seg);
		goto drop;
	}
	l = tcp_find_listener(tcp, key.lport);
	if (l != NULL) {
		if (unlikely(tcp_flags_synfin(seg.flags)) &&
		    !tcp_synfin_open(w, &seg))
			goto drop;
		tcp_rcv_listen(w, wp, l, &key, &seg);
		goto drop;
	}
	/* RFC 9293 §3.10.7.1: no connection. */
	w->stats.tcp_drop_no_conn++;
	tcp_send_rst_reply(w, wp, &seg);
drop:
	/* The state machine takes the mbuf when it keeps payload. */
	if (seg.m != NULL)
		rte_pktmbuf_free(seg.m);
	return;
}
