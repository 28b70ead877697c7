/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment output: headers built in one mbuf (for a pass of data segments,
 * once, then copied and patched per segment); the payload copied behind
 * them when it is small (TCP_COPY_SMALL), else attached zero-copy from the
 * send queue (indirect mbufs, or pinned references where the queue holds
 * references; a slice of a master with a checksum table is summed from
 * the table, sf_net.h); checksums offloaded when the port can;
 * everything into the worker's TX buffer.
 * tcp_output() decides what a connection may send now: data within
 * min(snd_wnd, cwnd), then the FIN once the data is out, else a pure ACK
 * when one is owed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_tcp.h>

#include "cksum_simd.h"
#include "sf_log.h"
#include "sf_net.h"
#include "tcp_priv.h"
#include "txbuf.h"

#define TCP_IP_TTL 64
#define TCP_HDR_ROOM (RTE_ETHER_HDR_LEN + 20 + 20 + 40)

/* Everything a header needs, whether or not there is a TCB. */
struct tcp_hdr_args {
	const struct rte_ether_addr *dmac;
	uint32_t saddr;
	uint32_t daddr;
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;
	uint8_t flags;
	uint8_t optlen;
	uint8_t trace;		/* the owner's trace byte (tcp_trace.h) */
	void *tobj;		/* the owner: TCB or TIME_WAIT record */
	uint8_t opts[40];
};

/* Start header fields for the tuple @k, seen from our side. */
static void
tcp_hdr_init(struct tcp_hdr_args *a, const struct rte_ether_addr *dmac,
	     const struct sf_tcp_key *k)
{
	memset(a, 0, offsetof(struct tcp_hdr_args, opts));
	a->dmac = dmac;
	a->saddr = k->laddr;
	a->daddr = k->raddr;
	a->sport = k->lport;
	a->dport = k->rport;
}

/* Payloads up to this many bytes are copied behind the headers rather
 * than attached: an indirect mbuf costs an allocation, two atomic updates
 * of its master's reference count and a second TX descriptor, more than
 * copying a few hundred bytes. Larger ones are attached: copying a full
 * segment on a port that copies anyway (memif) measured 2-3% slower, the
 * stores of two copies competing. */
#define TCP_COPY_SMALL 512

/* Unfolded sums of a segment's pseudo-header and TCP header. */
struct tcp_sums {
	uint32_t phdr;
	uint32_t hdr;
};

static inline uint32_t
sum32(uint32_t v)
{
	return (v & 0xffff) + (v >> 16);
}

/* The headers every data segment of one tcp_output() pass shares, and
 * their unfolded sums: a segment adds its lengths, IP ID, sequence number
 * and flags (tcp_hdr_set). */
struct tcp_tmpl {
	struct tcp_hdr_args a;
	uint32_t ip_sum;	/* IPv4 header, less total length and ID */
	uint32_t phdr_sum;	/* pseudo-header, less the TCP length */
	uint32_t hdr_sum;	/* TCP header, less sequence number and flags */
	uint16_t hlen;
	uint8_t hdr[TCP_HDR_ROOM] __rte_aligned(16);
};

/* The sums of @a's fields that do not change from segment to segment. */
static void
tcp_hdr_sums(const struct tcp_hdr_args *a, struct tcp_tmpl *t)
{
	uint32_t addrs = sum32(a->saddr) + sum32(a->daddr);

	t->ip_sum = RTE_BE16(RTE_IPV4_VHL_DEF << 8) +
		RTE_BE16(RTE_IPV4_HDR_DF_FLAG) +
		RTE_BE16(TCP_IP_TTL << 8 | IPPROTO_TCP) + addrs;
	/* RFC 9293 §3.1: the pseudo-header's length is the TCP length */
	t->phdr_sum = addrs + RTE_BE16(IPPROTO_TCP);
	t->hdr_sum = (uint32_t)a->sport + a->dport +
		sum32(rte_cpu_to_be_32(a->ack)) +
		rte_cpu_to_be_16((uint16_t)(((20 + a->optlen) / 4) << 12)) +
		rte_cpu_to_be_16(a->wnd) +
		sf_cksum_short(a->opts, a->optlen);
	t->hlen = (uint16_t)(RTE_ETHER_HDR_LEN + 20 + 20 + a->optlen);
}

/* Write the headers of @a to @p (t->hlen bytes; the IP length, ID and
 * checksum and the TCP sequence number are the segment's, tcp_hdr_set). */
static void
tcp_hdr_write(uint8_t *p, const struct sf_iface *ifc,
	      const struct tcp_hdr_args *a)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	rte_ether_addr_copy(a->dmac, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = TCP_IP_TTL;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = a->saddr;
	ip->dst_addr = a->daddr;
	th->src_port = a->sport;
	th->dst_port = a->dport;
	th->recv_ack = rte_cpu_to_be_32(a->ack);
	th->data_off = (uint8_t)(((20 + a->optlen) / 4) << 4);
	th->tcp_flags = a->flags;
	th->rx_win = rte_cpu_to_be_16(a->wnd);
	th->tcp_urp = 0;
	th->cksum = 0;
	if (a->optlen)
		memcpy(th + 1, a->opts, a->optlen);
}

/* A segment's own fields in headers at @p (tcp_hdr_write), and its sums
 * for the checksum. The sums come from the values, not from the frame: a
 * wide load of bytes just stored stalls on store forwarding (it was 9% of
 * a bulk sender). */
static void
tcp_hdr_set(struct sf_worker *w, const struct sf_iface *ifc,
	    const struct tcp_tmpl *t, struct rte_mbuf *m, uint8_t *p,
	    uint32_t seq, uint8_t flags, uint32_t plen, struct tcp_sums *sums)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)
		(p + RTE_ETHER_HDR_LEN);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint16_t tcplen = (uint16_t)(t->hlen - RTE_ETHER_HDR_LEN - 20 + plen);
	uint16_t tlen = rte_cpu_to_be_16((uint16_t)(20 + tcplen));
	uint16_t id = rte_cpu_to_be_16(w->tcp->ip_id++);

	seq = rte_cpu_to_be_32(seq);
	ip->total_length = tlen;
	ip->packet_id = id;
	if (ifc->tx_ip_csum) {
		ip->hdr_checksum = 0;
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	} else {
		ip->hdr_checksum = (uint16_t)~__rte_raw_cksum_reduce(
			t->ip_sum + tlen + id);
	}
	th->sent_seq = seq;
	th->tcp_flags = flags;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = 20;
	m->l4_len = (uint16_t)(t->hlen - RTE_ETHER_HDR_LEN - 20);
	sums->phdr = t->phdr_sum + rte_cpu_to_be_16(tcplen);
	/* flags and data offset share a 16-bit word without carries */
	sums->hdr = t->hdr_sum + sum32(seq) + rte_cpu_to_be_16(flags);
}

/* An mbuf with the headers of @a for @plen payload bytes still to come,
 * and the sums the checksums need; NULL (counted) when the pool is empty. */
static struct rte_mbuf *
tcp_hdr_build(struct sf_worker *w, const struct sf_iface *ifc,
	      const struct tcp_hdr_args *a, uint32_t plen,
	      struct tcp_sums *sums)
{
	struct rte_mbuf *m;
	struct tcp_tmpl t;
	uint8_t *p;

	m = sf_worker_mbuf_alloc(w);
	if (unlikely(m == NULL)) {
		w->stats.mbuf_alloc_fail++;
		return NULL;
	}
	tcp_hdr_sums(a, &t);
	p = (uint8_t *)rte_pktmbuf_append(m, t.hlen);
	tcp_hdr_write(p, ifc, a);
	tcp_hdr_set(w, ifc, &t, m, p, a->seq, a->flags, plen, sums);
	return m;
}

/* An mbuf with @t's headers for a segment at @seq with @flags and @plen
 * payload bytes still to come; NULL (counted) when the pool is empty. */
static struct rte_mbuf *
tcp_tmpl_emit(struct sf_worker *w, const struct sf_iface *ifc,
	      const struct tcp_tmpl *t, uint32_t seq, uint8_t flags,
	      uint32_t plen, struct tcp_sums *sums)
{
	struct rte_mbuf *m = sf_worker_mbuf_alloc(w);
	uint8_t *p;

	if (unlikely(m == NULL)) {
		w->stats.mbuf_alloc_fail++;
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, t->hlen);
	rte_memcpy(p, t->hdr, t->hlen);
	tcp_hdr_set(w, ifc, t, m, p, seq, flags, plen, sums);
	return m;
}

/* The TCP checksum (@paysum: the folded sum of the payload, copied into
 * @m or chained to it), then into the TX buffer. The header's part comes
 * from the values written (@sums): summing the header read back would
 * wait for its just-made stores. */
static void
tcp_hdr_finish(struct sf_worker *w, struct sf_wport *wp,
	       const struct tcp_hdr_args *a, struct rte_mbuf *m,
	       uint32_t plen, const struct tcp_sums *sums, uint16_t paysum)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint32_t sum;

	if (wp->ifc->tx_l4_csum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = __rte_raw_cksum_reduce(sums->phdr);
	} else {
		/* The header's length is a multiple of 4: the payload's sum
		 * starts on a word. */
		sum = __rte_raw_cksum_reduce(sums->phdr) +
			__rte_raw_cksum_reduce(sums->hdr) + (uint32_t)paysum;
		sum = (~__rte_raw_cksum_reduce(sum)) & 0xffff;
		th->cksum = sum == 0 ? 0xffff : (uint16_t)sum;
	}
	if (a->flags & RTE_TCP_RST_FLAG)
		w->stats.tcp_tx_rst++;
	if (unlikely(a->trace != 0))
		tcp_trace_out(w, a->tobj, a->trace, th, plen);
	w->stats.tcp_tx_segs++;
	sf_txbuf_put(w, wp, m);
}

/* Build and queue a segment without payload (SYN, ACK, FIN, RST): data
 * goes through tcp_send_data(). */
static int
tcp_xmit(struct sf_worker *w, struct sf_wport *wp,
	 const struct tcp_hdr_args *a)
{
	struct tcp_sums sums;
	struct rte_mbuf *m = tcp_hdr_build(w, wp->ifc, a, 0, &sums);

	if (unlikely(m == NULL))
		return -ENOMEM;
	tcp_hdr_finish(w, wp, a, m, 0, &sums, 0);
	return 0;
}

static uint32_t
tcp_rcv_space(const struct sf_worker *w, const struct sf_tcb *c)
{
	uint32_t buf = tcp_rcvbuf(&w->tcp->conf, c), queued = tcp_rcvq_len(c);
	uint32_t segs;

	/* At the mbuf reserve, offer no new window: peers slow down by flow
	 * control instead of losing segments to tcp_drop_mem. */
	if (unlikely(w->mbuf_low))
		return 0;
	/* What the queue holds, at its memory cost: bytes alone would let
	 * small segments pin many times rcvbuf in mbufs. */
	if (c->rcvq != NULL) {
		segs = c->rcvq->nb_segs;
		if (segs >= TCP_RCVQ_MAX_SEGS / 2)
			return 0;
		queued = RTE_MAX(queued, segs * TCP_RCVQ_SEG_COST);
	}
	return queued >= buf ? 0 : buf - queued;
}

/* The application took data: announce the window when its right edge
 * can move by at least min(buffer / 2, MSS) (receiver SWS avoidance,
 * RFC 9293 §3.8.6.2.2) and the window offered at least doubles (as
 * Linux's tcp_cleanup_rbuf: a peer with half a buffer of room is not
 * held up, and a bulk receiver sends no update per read), in the
 * states where the peer may still send. */
void
tcp_window_update(struct sf_worker *w, struct sf_tcb *c)
{
	const struct sf_tcp_conf *conf = &w->tcp->conf;
	uint32_t edge, now;

	if (c->state != SF_TCP_ESTABLISHED && c->state != SF_TCP_FIN_WAIT_1 &&
	    c->state != SF_TCP_FIN_WAIT_2)
		return;
	/* What a header can say: at most 65535 << rcv_wscale. */
	edge = c->rcv_nxt + RTE_ALIGN_FLOOR(RTE_MIN(tcp_rcv_space(w, c),
				UINT32_C(65535) << c->rcv_wscale),
			UINT32_C(1) << c->rcv_wscale);
	now = SF_SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	if (SF_SEQ_GT(edge, c->rcv_adv) &&
	    edge - c->rcv_adv >= RTE_MIN(tcp_rcvbuf(conf, c) / 2, conf->mss) &&
	    edge - c->rcv_nxt >= 2 * (uint64_t)now) {
		c->flags |= TF_ACKNOW;
		tcp_output_soon(w, c);
	}
}

/* Header fields every segment of @c shares; sets the window we offer and
 * records its right edge (never moved left, RFC 9293 §3.8.6.2.2). */
static void
tcp_hdr_from_tcb(struct sf_worker *w, struct sf_tcb *c,
		 struct tcp_hdr_args *a, uint8_t flags, uint32_t seq)
{
	uint32_t space = tcp_rcv_space(w, c), wnd;

	tcp_hdr_init(a, &c->peer_mac, &c->key);
	a->seq = seq;
	a->ack = c->rcv_nxt;
	a->flags = flags;
	a->trace = c->trace;
	a->tobj = c;
	/* Never shrink (RFC 9293 §3.8.6): where scaling would round the
	 * right edge we offered down, round it up instead, as Linux
	 * aligns it. */
	if (SF_SEQ_GT(c->rcv_adv, c->rcv_nxt +
		      RTE_ALIGN_FLOOR(space, UINT32_C(1) << c->rcv_wscale)))
		space = RTE_ALIGN_CEIL(c->rcv_adv - c->rcv_nxt,
				       UINT32_C(1) << c->rcv_wscale);
	wnd = RTE_MIN(space >> c->rcv_wscale, 65535u);
	a->wnd = (uint16_t)wnd;
	if (SF_SEQ_GT(c->rcv_nxt + (wnd << c->rcv_wscale), c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + (wnd << c->rcv_wscale);
	a->optlen = 0;
	if (c->flags & (TF_TS | TF_SACK)) {
		struct sf_tcp_sack_block b[SF_TCP_MAX_SACK];
		unsigned int nb = 0;

		/* RFC 2018 §4: SACK blocks while data is out of order;
		 * RFC 2883: a duplicate's D-SACK, once. */
		/* tcp_sack_out() would find nothing either; asked here,
		 * every header of a SACK connection pays no call */
		if ((c->flags & TF_SACK) &&
		    (unlikely(w->tcp->dsack_c == c) ||
		     tcp_ooo(w, c) != NULL)) {
			nb = tcp_sack_out(w, c, b, (c->flags & TF_TS) ?
					  3 : SF_TCP_MAX_SACK);
			if (unlikely(w->tcp->dsack_c == c))
				w->tcp->dsack_c = NULL;
		}
		a->optlen = (uint8_t)sf_tcp_opts_build(a->opts,
			(c->flags & TF_TS) != 0, (uint32_t)w->tcp->now,
			c->ts_recent, b, nb);
	}
	/* Every segment carries the ACK (and so the window): the delayed
	 * one is no longer owed. */
	c->flags &= (uint16_t)~(TF_ACKNOW | TF_DELACK);
	c->delack_at = 0;
}

/* The template for @c's data segments in this pass: the fields
 * tcp_hdr_from_tcb() gives (once, not per segment) and their headers. */
static void
tcp_tmpl_init(struct sf_worker *w, struct sf_tcb *c, struct tcp_tmpl *t)
{
	tcp_hdr_from_tcb(w, c, &t->a, RTE_TCP_ACK_FLAG, c->snd_nxt);
	tcp_hdr_sums(&t->a, t);
	tcp_hdr_write(t->hdr, w->ports[c->port_idx].ifc, &t->a);
}

/* The send queue's mbuf holding byte @off (from snd_una), and the offset
 * in it (@pos); NULL past the end. */
static struct rte_mbuf *
tcp_sndq_seek(struct sf_worker *w, struct sf_tcb *c, uint32_t off,
	      uint32_t *pos)
{
	struct tcp_sndq_cursor *cur = tcp_sndq_cursor(w->tcp, c);
	struct rte_mbuf *m = c->sndq_head;
	/* The head mbuf is trimmed as bytes are acked: it starts at
	 * snd_una. */
	uint32_t mseq = c->snd_una, seq = c->snd_una + off;

	*pos = off;
	/* The cursor holds while its mbuf is still queued and untrimmed:
	 * those acked away (or trimmed) start below snd_una. */
	if (cur->c == c && SF_SEQ_GEQ(cur->mseq, mseq) &&
	    SF_SEQ_LEQ(cur->mseq, seq)) {
		m = cur->m;
		mseq = cur->mseq;
		*pos = seq - mseq;
	}
	while (m != NULL && *pos >= m->data_len) {
		*pos -= m->data_len;
		mseq += m->data_len;
		m = m->next;
	}
	if (m != NULL) {
		cur->c = c;
		cur->m = m;
		cur->mseq = mseq;
	}
	return m;
}

/* [pos, pos + len) of send-queue mbuf @m as a new mbuf: a pinned
 * reference where @m is one (sf_net.h: no reference count to update),
 * else an indirect mbuf. */
static struct rte_mbuf *
tcp_sndq_piece(struct sf_worker *w, struct rte_mbuf *m, uint32_t pos,
	       uint32_t len)
{
	struct rte_mbuf *mm = sf_mbuf_ref_master(m), *mi;

	if (mm != NULL) {
		mi = sf_mbuf_ref(m->pool, mm,
				 (uint32_t)(m->data_off - mm->data_off) + pos,
				 len);
		if (likely(mi != NULL))
			return mi;
		/* no reference left: attach to the master */
		pos += (uint32_t)(m->data_off - mm->data_off);
		m = mm;
	}
	mi = sf_worker_mbuf_alloc(w);
	return unlikely(mi == NULL) ? NULL : sf_mbuf_slice(mi, m, pos, len);
}

/* [off, off + len) of the send queue (offset from snd_una) as a chain of
 * mbufs that point into it. */
static struct rte_mbuf *
tcp_sndq_slice(struct sf_worker *w, struct sf_tcb *c, uint32_t off,
	       uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL, *mi, *m;
	uint32_t pos, piece;

	m = tcp_sndq_seek(w, c, off, &pos);
	while (len > 0 && m != NULL) {
		piece = RTE_MIN(len, m->data_len - pos);
		mi = tcp_sndq_piece(w, m, pos, piece);
		if (unlikely(mi == NULL)) {
			w->stats.mbuf_alloc_fail++;
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (head == NULL) {
			head = mi;
		} else {
			tail->next = mi;
			head->nb_segs++;
			head->pkt_len += piece;
		}
		tail = mi;
		len -= piece;
		pos = 0;
		m = m->next;
	}
	return head;
}

/* Copy [off, off + len) of the send queue to @dst; returns the bytes'
 * folded sum for the checksum. */
static uint16_t
tcp_sndq_copy(struct sf_worker *w, struct sf_tcb *c, uint32_t off,
	      uint32_t len, uint8_t *dst)
{
	uint32_t pos, piece, done = 0, sum = 0, s;
	struct rte_mbuf *m = tcp_sndq_seek(w, c, off, &pos);

	for (; len > 0 && m != NULL; m = m->next, pos = 0) {
		piece = RTE_MIN(len, m->data_len - pos);
		rte_memcpy(dst + done, rte_pktmbuf_mtod_offset(m, void *, pos),
			   piece);
		s = sf_cksum_piece(m, pos, piece);
		/* RFC 1071 §2(B): a piece at an odd offset is byte-swapped */
		if (done & 1)
			s = rte_bswap16((uint16_t)s);
		sum += s;
		done += piece;
		len -= piece;
	}
	return __rte_raw_cksum_reduce(sum);
}

static int
tcp_send_data(struct sf_worker *w, struct sf_tcb *c,
	      const struct tcp_tmpl *t, uint32_t seq, uint32_t len,
	      uint8_t flags)
{
	struct sf_wport *wp = &w->ports[c->port_idx];
	struct tcp_sums sums;
	struct rte_mbuf *m, *p;
	uint16_t sum;
	uint8_t *dst;

	m = tcp_tmpl_emit(w, wp->ifc, t, seq, flags, len, &sums);
	if (unlikely(m == NULL))
		return -ENOMEM;
	if (len <= TCP_COPY_SMALL) {
		dst = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
		sum = tcp_sndq_copy(w, c, seq - c->snd_una, len, dst);
		tcp_hdr_finish(w, wp, &t->a, m, len, &sums, sum);
		return 0;
	}
	p = tcp_sndq_slice(w, c, seq - c->snd_una, len);
	if (p == NULL || rte_pktmbuf_chain(m, p) != 0) {
		rte_pktmbuf_free(p);
		rte_pktmbuf_free(m);
		return p == NULL ? -ENOMEM : -E2BIG;
	}
	tcp_hdr_finish(w, wp, &t->a, m, len, &sums,
		       wp->ifc->tx_l4_csum ? 0 : sf_cksum_chain(p));
	return 0;
}

/* Payload room of @c's next data segment: the MSS (timestamps already
 * taken off) less the SACK blocks it will carry (RFC 6691: options come
 * out of the segment, not on top of the MTU). */
static uint32_t
seg_room_sack(const struct sf_worker *w, const struct sf_tcb *c)
{
	struct sf_tcp_sack_block b[SF_TCP_MAX_SACK];
	unsigned int nb;

	nb = tcp_sack_out(w, c, b, (c->flags & TF_TS) ?
			  SF_TCP_MAX_SACK - 1 : SF_TCP_MAX_SACK);
	return nb == 0 ? c->mss : c->mss - RTE_MIN(c->mss - 1u, 4 + 8 * nb);
}

static inline uint32_t
tcp_seg_room(const struct sf_worker *w, const struct sf_tcb *c)
{
	if (likely(c->ext == 0 || !(c->flags & TF_SACK) ||
		   tcp_ooo(w, c) == NULL) && likely(w->tcp->dsack_c != c))
		return c->mss;
	return seg_room_sack(w, c);
}

/* Resend [seq, seq + len) of queued data without moving snd_nxt (loss
 * recovery fills holes below it), as much as the peer's window takes
 * (RFC 9293 §3.8.6): one that shrank under data sent before drops what
 * is past its edge, and the connection would wait for its RTO (Linux
 * trims its resends too). A shut window takes any resend at snd_una
 * whole, as Linux's does: the zero-window probe (tcp_zero_window_rto),
 * a partial ACK's resend, the first hole. Returns the bytes sent,
 * -EAGAIN when the resend starts past the window, or tcp_send_data()'s
 * error. */
int
tcp_send_data_at(struct sf_worker *w, struct sf_tcb *c, uint32_t seq,
		 uint32_t len)
{
	uint32_t edge = c->snd_una + c->snd_wnd;
	uint8_t flags = RTE_TCP_ACK_FLAG;
	struct tcp_tmpl t;
	int rc;

	len = RTE_MIN(len, tcp_seg_room(w, c));
	if (c->snd_wnd != 0 || seq != c->snd_una) {
		if (!SF_SEQ_LT(seq, edge))
			return -EAGAIN;
		len = RTE_MIN(len, edge - seq);
	}
	w->stats.tcp_retransmits++;
	/* The FIN went with the last byte: it goes with it again. */
	if ((c->flags & TF_FIN_SENT) && seq + len == c->snd_una + c->sndq_len)
		flags |= RTE_TCP_FIN_FLAG;
	tcp_tmpl_init(w, c, &t);
	rc = tcp_send_data(w, c, &t, seq, len, flags);
	return rc < 0 ? rc : (int)len;
}

/* The ACK a second segment owes (RFC 9293 §3.8.6.3) waits for the end
 * of the RX burst: one ACK then covers every segment the burst brought
 * the connection, as Linux sends one per GRO aggregate. A bulk sender
 * took in an ACK for every two segments it sent. */
void
tcp_ack_burst(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t i;

	for (i = 0; i < tcp->ackq_n; i++)
		if (tcp->ackq[i] == c)
			return;
	if (unlikely(tcp->ackq_n == TCP_ACKQ_MAX)) {
		c->flags |= TF_ACKNOW;
		return;
	}
	tcp->ackq[tcp->ackq_n++] = c;
}

void
sf_tcp_rx_burst_end(struct sf_worker *w)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_tcb *c;
	uint32_t i, n;

	if (tcp == NULL)
		return;
	n = tcp->ackq_n;
	tcp->ackq_n = 0;
	for (i = 0; i < n; i++) {
		c = tcp->ackq[i];
		/* Closed in the burst (its TCB waits in limbo until the
		 * poll), or an ACK went out with data: nothing owed. */
		if (!tcp_alive(c) || c->state == SF_TCP_TIME_WAIT ||
		    !(c->flags & TF_DELACK))
			continue;
		c->flags |= TF_ACKNOW;
		tcp_output(w, c);
	}
	tcp->dsack_c = NULL;
}

bool
tcp_ack_ratelimit(struct sf_worker *w, bool challenge)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t sec = (uint32_t)(tcp->now >> 10);
	uint64_t lim = tcp->conf.ack_ratelimit;

	if (lim == 0)
		return true;
	if (sec != tcp->ack_rl_sec) {
		tcp->ack_rl_sec = sec;
		tcp->ack_rl_n = 0;
		tcp->ack_rl_challenge = 0;
	}
	/* Challenge ACKs have the budget (RFC 5961 §7); the ACKs that
	 * answer a peer's keepalive or window probe, a retransmission
	 * whose ACK was lost, or a TIME_WAIT stray are needed by healthy
	 * peers too: they get TCP_ACK_RL_OTHER times as many, enough for
	 * a worker's worth of keepalives, still far below line rate. */
	if (challenge ? tcp->ack_rl_challenge < lim :
	    tcp->ack_rl_n < lim * TCP_ACK_RL_OTHER) {
		if (challenge)
			tcp->ack_rl_challenge++;
		else
			tcp->ack_rl_n++;
		return true;
	}
	w->stats.tcp_ack_ratelimited++;
	return false;
}

/* The sequence number of a segment without data (Linux's
 * tcp_acceptable_seq): snd_max, as far as the peer's window reaches.
 * Not snd_nxt, which an RTO rewinds below what the peer may hold; not
 * past the right edge, where a peer whose window shut under data in
 * flight drops the segment, ACK and all (Linux since 6.17): both ends
 * would then wait on the other for good. That holds for our FIN one
 * past the edge too: a strict receiver (synfin, FreeBSD) does not take
 * it at window 0, and would drop ACKs and RSTs beyond its edge for as
 * long as its window stays shut; one that took it (Linux) acks it at
 * once, so an ACK at the edge is old for a moment only. */
static inline uint32_t
tcp_ctl_seq(const struct sf_tcb *c)
{
	uint32_t edge = c->snd_una + c->snd_wnd;

	/* Our SYN is not bound by the window: until it is acked, snd_una
	 * is the ISS and the edge may be it. */
	if (c->state <= SF_TCP_SYN_RCVD)
		return c->snd_max;
	return SF_SEQ_GT(c->snd_max, edge) ? edge : c->snd_max;
}

void
tcp_send_ack(struct sf_worker *w, struct sf_tcb *c)
{
	struct tcp_hdr_args a;

	tcp_hdr_from_tcb(w, c, &a, RTE_TCP_ACK_FLAG, tcp_ctl_seq(c));
	tcp_xmit(w, &w->ports[c->port_idx], &a);
}

/* A zero-window probe (RFC 9293 §3.8.6.1) in Linux's form: an ACK one
 * below snd_una, which the peer must answer with its window. */
void
tcp_send_probe(struct sf_worker *w, struct sf_tcb *c)
{
	struct tcp_hdr_args a;

	tcp_hdr_from_tcb(w, c, &a, RTE_TCP_ACK_FLAG, c->snd_una - 1);
	tcp_xmit(w, &w->ports[c->port_idx], &a);
}

void
tcp_send_rst_tcb(struct sf_worker *w, struct sf_tcb *c)
{
	struct tcp_hdr_args a;

	if (c->flags & TF_NO_ARP)
		return;
	/* RFC 9293 §3.10.7.4: a RST is taken only inside the window. */
	tcp_hdr_from_tcb(w, c, &a, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
			 tcp_ctl_seq(c));
	/* RFC 7323 §3.2: TSopt SHOULD go in a RST too (a peer's PAWS may
	 * want it); no SACK blocks. */
	a.optlen = (c->flags & TF_TS) && c->state != SF_TCP_SYN_SENT ?
		(uint8_t)sf_tcp_opts_build(a.opts, true,
					   (uint32_t)w->tcp->now,
					   c->ts_recent, NULL, 0) : 0;
	a.wnd = 0;
	tcp_xmit(w, &w->ports[c->port_idx], &a);
}

/* RFC 9293 §3.10.7.1: the reply to a segment for no connection. */
void
tcp_send_rst_reply(struct sf_worker *w, struct sf_wport *wp,
		   const struct sf_seg *seg)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	struct tcp_hdr_args a;

	if (seg->flags & RTE_TCP_RST_FLAG)
		return;
	eh = rte_pktmbuf_mtod(seg->m, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	memset(&a, 0, sizeof(a));
	a.dmac = &eh->src_addr;
	a.saddr = ip->dst_addr;
	a.daddr = ip->src_addr;
	a.sport = seg->th->dst_port;
	a.dport = seg->th->src_port;
	if (seg->flags & RTE_TCP_ACK_FLAG) {
		a.seq = seg->ack;
		a.flags = RTE_TCP_RST_FLAG;
	} else {
		a.seq = 0;
		a.ack = seg->seq + seg->len +
			!!(seg->flags & RTE_TCP_SYN_FLAG) +
			!!(seg->flags & RTE_TCP_FIN_FLAG);
		a.flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	tcp_xmit(w, wp, &a);
}

/* A SYN-ACK that no TCB remembers: a SYN cookie's (tcp_syncookie.c). */
void
tcp_send_synack_stateless(struct sf_worker *w, struct sf_wport *wp,
			  const struct sf_seg *syn, uint32_t iss, bool ws,
			  bool sack, bool ts, uint32_t tsval)
{
	const struct sf_tcp_conf *conf = &w->tcp->conf;
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	struct tcp_hdr_args a;

	eh = rte_pktmbuf_mtod(syn->m, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	memset(&a, 0, offsetof(struct tcp_hdr_args, opts));
	a.dmac = &eh->src_addr;
	a.saddr = ip->dst_addr;
	a.daddr = ip->src_addr;
	a.sport = syn->th->dst_port;
	a.dport = syn->th->src_port;
	a.seq = iss;
	a.ack = syn->seq + 1;
	a.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	a.wnd = (uint16_t)RTE_MIN(conf->rcvbuf, 65535u);
	a.optlen = (uint8_t)sf_tcp_opts_build_syn(a.opts, (uint16_t)conf->mss,
		ws ? (int)conf->wscale : -1, sack, ts, tsval,
		syn->opts.tsval);
	tcp_xmit(w, wp, &a);
}

void
tcp_send_tw_ack(struct sf_worker *w, struct sf_tw *tw)
{
	struct tcp_hdr_args a;
	uint32_t wnd = w->tcp->conf.rcvbuf >> tw->rcv_wscale;

	tcp_hdr_init(&a, &tw->peer_mac, &tw->key);
	a.trace = tw->trace;
	a.tobj = tw;
	a.seq = tw->snd_nxt;
	a.ack = tw->rcv_nxt;
	a.flags = RTE_TCP_ACK_FLAG;
	a.wnd = (uint16_t)RTE_MIN(wnd, 65535u);
	if (tw->ts_on)
		a.optlen = (uint8_t)sf_tcp_opts_build(a.opts, true,
			(uint32_t)w->tcp->now, tw->ts_recent, NULL, 0);
	tcp_xmit(w, &w->ports[tw->port_idx], &a);
}

/* Why a connection is given up before its SYN could go: logged at most
 * once a second per worker (a dead host can take thousands of
 * connections with it). */
static void
tcp_log_no_arp(struct sf_worker *w, const struct sf_tcb *c, uint32_t nh,
	       int rc)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t sec = (uint32_t)(tcp->now >> 10) + 1;
	char dst[INET_ADDRSTRLEN], hop[INET_ADDRSTRLEN];

	if (tcp->noarp_log_sec == sec)
		return;
	tcp->noarp_log_sec = sec;
	inet_ntop(AF_INET, &c->key.raddr, dst, sizeof(dst));
	if (nh == 0) {
		SF_LOG(WARNING, net, "no route to %s (off the prefix, no "
		       "gateway): connection to port %u given up", dst,
		       rte_be_to_cpu_16(c->key.rport));
		return;
	}
	inet_ntop(AF_INET, &nh, hop, sizeof(hop));
	if (rc != -EAGAIN) {	/* not for want of a reply */
		SF_LOG(WARNING, net, "ARP for %s: %s: connection to %s port "
		       "%u given up", hop, rc == -ENOSPC ? "the ARP table "
		       "is full" : strerror(-rc), dst,
		       rte_be_to_cpu_16(c->key.rport));
		return;
	}
	if (nh == c->key.raddr) {
		SF_LOG(WARNING, net, "no ARP reply from %s: connection to "
		       "port %u given up", dst,
		       rte_be_to_cpu_16(c->key.rport));
		return;
	}
	SF_LOG(WARNING, net, "no ARP reply from %s, the next hop to %s: "
	       "connection to port %u given up", hop, dst,
	       rte_be_to_cpu_16(c->key.rport));
}

/* SYN (SYN_SENT) or SYN-ACK (SYN_RCVD), first or again. */
int
tcp_send_syn(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	struct sf_wport *wp = &w->ports[c->port_idx];
	bool active = c->state == SF_TCP_SYN_SENT;
	struct tcp_hdr_args a;
	uint32_t nh;
	int rc;

	if (c->flags & TF_NO_ARP) {
		nh = sf_iface_nexthop(wp->ifc, c->key.raddr);
		rc = nh == 0 ? -ENETUNREACH :
			sf_arp_resolve(w, wp, nh, &c->peer_mac);
		if (rc == -EAGAIN && ++c->arp_tries < 50) {
			/* A reply on the same link takes microseconds: look
			 * again each ms at first, then every 100 ms (about
			 * 3 s in all, as the ARP retries). */
			c->rto_at = tcp_deadline(tcp->now,
						 c->arp_tries < 20 ? 1 : 100);
			tcp_timer_update(w, c);
			return rc;
		}
		if (rc != 0) {
			tcp_log_no_arp(w, c, nh, rc);
			tcp_close_conn(w, c, SF_CLOSE_NO_ROUTE);
			return rc;
		}
		c->flags &= (uint16_t)~TF_NO_ARP;
	}
	tcp_hdr_init(&a, &c->peer_mac, &c->key);
	a.seq = c->snd_una;	/* our SYN is not acked: snd_una is the ISS */
	a.ack = active ? 0 : c->rcv_nxt;
	a.flags = active ? RTE_TCP_SYN_FLAG :
		RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	/* RFC 7323 §2.2: the window in a SYN is never scaled. */
	a.wnd = (uint16_t)RTE_MIN(tcp_rcv_space(w, c), 65535u);
	a.optlen = (uint8_t)sf_tcp_opts_build_syn(a.opts,
		(uint16_t)tcp->conf.mss,
		(c->flags & TF_WS) ? c->rcv_wscale : -1,
		(c->flags & TF_SACK) != 0, (c->flags & TF_TS) != 0,
		(uint32_t)tcp->now, c->ts_recent);
	if (c->flags & TF_SYN_SENT) {
		w->stats.tcp_retransmits++;
		TCP_TRACE_NOTE(c, TCP_TR_SYN_REXMIT);
		/* Sent again (a timeout, or an answer to a repeated SYN):
		 * the handshake is no RTT sample (Karn; tcp_rtt_syn). */
		c->flags |= TF_RTT;
	}
	c->flags |= TF_SYN_SENT;
	a.trace = c->trace;
	a.tobj = c;
	c->snd_nxt = c->snd_una + 1;
	c->snd_max = c->snd_nxt;
	c->rcv_adv = c->rcv_nxt + a.wnd;
	c->rto_at = tcp_deadline(tcp->now, c->rto);
	tcp_timer_update(w, c);
	return tcp_xmit(w, wp, &a);
}

/* The next zero-window probe: the RTO backed off once per probe sent
 * (nrexmit), at most rto_max. */
static uint32_t
tcp_persist_deadline(const struct sf_worker *w, const struct sf_tcb *c)
{
	uint64_t d = (uint64_t)c->rto << RTE_MIN(c->nrexmit, 16);

	return tcp_deadline(w->tcp->now,
			    (uint32_t)RTE_MIN(d, w->tcp->conf.rto_max_ms));
}

static void
tcp_persist_leave(struct sf_tcb *c)
{
	c->flags &= (uint16_t)~TF_PERSIST;
	c->rto_at = 0;
	c->nrexmit = 0;
}

void
tcp_output(struct sf_worker *w, struct sf_tcb *c)
{
	struct sf_tcp *tcp = w->tcp;
	uint32_t data_end, wnd, flight, usable, remaining, len, room;
	bool sent = false, tmpl = false, fresh = false, tmpl_dsack = false;
	bool lt;
	struct tcp_tmpl t;
	uint8_t flags;

	if (c->state == SF_TCP_SYN_SENT || c->state == SF_TCP_SYN_RCVD) {
		if (c->flags & TF_ACKNOW) {
			c->flags &= (uint16_t)~TF_ACKNOW;
			tcp_send_syn(w, c);
		}
		return;
	}
	if (c->state == SF_TCP_CLOSED || c->state == SF_TCP_LISTEN)
		return;

	data_end = c->snd_una + c->sndq_len;
	room = SF_SEQ_LT(c->snd_nxt, data_end) ? tcp_seg_room(w, c) : 0;
	/* dup ACKs outside recovery: RFC 3042 Limited Transmit's time */
	lt = unlikely(c->dupacks != 0) && !(c->flags & TF_RECOVERY);
	while (SF_SEQ_LT(c->snd_nxt, data_end)) {
		/* RFC 6675 "pipe", roughly: SACKed bytes left the network
		 * (for cwnd); they still sit in the peer's window, whose
		 * right edge is snd_una + snd_wnd. */
		flight = c->snd_nxt - c->snd_una;
		wnd = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
		flight = tcp_pipe(w, c);
		/* RFC 3042 Limited Transmit: each of the first two dup
		 * ACKs lets a new segment go. With SACK the pipe already
		 * dropped what the peer holds; without, as Linux, a dup
		 * ACK counts one segment out of the network. */
		if (lt && tcp_nsacked(w, c) == 0 &&
		    c->snd_nxt == c->snd_max) {
			uint32_t gone = (uint32_t)c->mss *
				(c->dupacks >= 2 ? 2u : 1u);

			flight = flight > gone ? flight - gone : 0;
		}
		usable = c->cwnd > flight ? c->cwnd - flight : 0;
		usable = RTE_MIN(usable, wnd);
		remaining = data_end - c->snd_nxt;
		len = RTE_MIN(room, remaining);
		len = RTE_MIN(len, usable);
		/* Retransmitting: what the peer SACKed needs no resend. */
		if (tcp_nsacked(w, c) != 0 &&
		    SF_SEQ_LT(c->snd_nxt, c->snd_max) &&
		    tcp_sack_skip(w, c, &c->snd_nxt, &len)) {
			w->stats.tcp_sack_rexmit_skips++;
			continue;
		}
		if (len == 0)
			break;
		/* A full TX buffer: wait for room. So do we while others
		 * wait (tcp_tx_resume serves them in order): else a sender
		 * woken by an ACK takes the room each flush makes, and a
		 * connection with nothing to be acked (a response to a new
		 * request) starves behind stretch ACKs' bursts. */
		if (unlikely(tcp->txw_n != 0 ||
			     sf_txbuf_busy(&w->ports[c->port_idx])) &&
		    tcp_tx_wait(w, c) == 0)
			break;
		/* Sender SWS avoidance (RFC 9293 §3.8.6.2.1), without
		 * Nagle: hold a runt of new data while data is in flight.
		 * A resend is no runt: the hole is as the data went. */
		if (len < room && len < remaining && flight > 0 &&
		    c->snd_nxt == c->snd_max)
			break;
		flags = RTE_TCP_ACK_FLAG;
		if (len == remaining) {
			flags |= RTE_TCP_PSH_FLAG;
			/* The last byte carries the FIN, if queued: one
			 * segment fewer per close (RFC 9293 §3.10.4). */
			if (c->flags & TF_FIN_QUEUED)
				flags |= RTE_TCP_FIN_FLAG;
		}
		if (SF_SEQ_LT(c->snd_nxt, c->snd_max))
			w->stats.tcp_retransmits++;
		else if (!(c->flags & (TF_RTT | TF_TS))) {
			c->flags |= TF_RTT;
			c->rtt_seq = c->snd_nxt;
			c->rtt_start = (uint32_t)tcp->now;
		}
		/* Every segment of this pass carries the same ACK, window
		 * and options: their headers are built once. */
		if (!tmpl) {
			/* A D-SACK goes once (RFC 2883 §4): the template
			 * that carries it serves one segment. */
			tmpl_dsack = unlikely(tcp->dsack_c == c);
			tcp_tmpl_init(w, c, &t);
			tmpl = true;
		}
		if (tcp_send_data(w, c, &t, c->snd_nxt, len, flags) != 0)
			break;
		if (unlikely(tmpl_dsack)) {
			/* the next ones carry no D-SACK: full room again */
			tmpl = tmpl_dsack = false;
			room = tcp_seg_room(w, c);
		}
		/* Go-back-N after an RTO: RACK needs to know when. */
		if (SF_SEQ_LT(c->snd_nxt, c->snd_max) && c->ext != 0 &&
		    !(c->flags & TF_RECOVERY))
			tcp_recovery_resent(w, c, c->snd_nxt, len);
		c->snd_nxt += len;
		if (flags & RTE_TCP_FIN_FLAG) {
			c->flags |= TF_FIN_SENT;
			c->snd_nxt++;
		}
		if (SF_SEQ_GT(c->snd_nxt, c->snd_max)) {
			c->snd_max = c->snd_nxt;
			fresh = true;
			/* past cwnd on dup ACKs: Limited Transmit's */
			if (lt && c->snd_max - c->snd_una > c->cwnd &&
			    c->lt_sent < 2)
				c->lt_sent++;
		}
		sent = true;
	}

	/* The FIN goes once every queued byte has (RFC 9293 §3.10.4), and
	 * again when a retransmission rewinds snd_nxt. It takes one
	 * sequence number. */
	if ((c->flags & TF_FIN_QUEUED) && c->snd_nxt == data_end &&
	    (!(c->flags & TF_FIN_SENT) || SF_SEQ_LT(c->snd_nxt, c->snd_max))) {
		struct tcp_hdr_args a;

		if (c->flags & TF_FIN_SENT)
			w->stats.tcp_retransmits++;
		tcp_hdr_from_tcb(w, c, &a, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG,
				 c->snd_nxt);
		if (tcp_xmit(w, &w->ports[c->port_idx], &a) == 0) {
			c->flags |= TF_FIN_SENT;
			c->snd_nxt++;
			/* A FIN sent anew is new data to RACK, BBR and the
			 * probe timer (RFC 8985 §7.2). */
			if (SF_SEQ_GT(c->snd_nxt, c->snd_max)) {
				c->snd_max = c->snd_nxt;
				fresh = true;
			}
			sent = true;
		}
	}

	if (fresh && c->ext != 0)
		tcp_recovery_sent(w, c);	/* RACK: when it went */
	if (fresh && tcp->cc_bbr)
		tcp_bbr_sent(w, c);

	if (!sent && (c->flags & TF_ACKNOW))
		tcp_send_ack(w, c);

	/* Timers: retransmit while anything is unacknowledged; probe a
	 * zero window when data waits and nothing is in flight. Persist
	 * backs off on nrexmit and leaves c->rto alone: out of it, the
	 * retransmission timer starts afresh. */
	if (c->snd_max != c->snd_una) {
		if (c->flags & TF_PERSIST)
			tcp_persist_leave(c);
		if (c->rto_at == 0)
			c->rto_at = tcp_cc_arm(w, c);
		else if (fresh)
			tcp_cc_rearm_probe(w, c);
	} else if (c->snd_wnd == 0 && SF_SEQ_LT(c->snd_nxt, data_end)) {
		if (!(c->flags & TF_PERSIST)) {
			c->flags |= TF_PERSIST;
			c->nrexmit = 0;
			c->ka_probes = 0;
			c->rto_at = tcp_persist_deadline(w, c);
		} else if (c->rto_at == 0) {
			tcp_send_probe(w, c);
			c->rto_at = tcp_persist_deadline(w, c);
		}
	} else {
		if (c->flags & TF_PERSIST)
			tcp_persist_leave(c);
		c->rto_at = 0;
	}
	tcp_timer_update(w, c);
}
