/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TCP_PRIV_H
#define SF_TCP_PRIV_H

/*
 * Inside synfin's TCP: the TCB, the compact TIME_WAIT record, the
 * per-worker TCP context and the per-segment view. Only lib/tcp includes
 * this. Sequence arithmetic uses SF_SEQ_* (modulo 2^32). Times are worker
 * milliseconds (struct sf_tcp.now).
 */

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sf_common.h"
#include "sf_tcp.h"
#include "sf_timer_wheel.h"
#include "sf_worker.h"
#include "tcp_isn.h"
#include "tcp_options.h"
#include "tcp_table.h"
#include "tcp_trace.h"

/* SACKed ranges remembered per connection: the peer reports at most 4
 * per ACK, newest first; a window with several holes needs more. */
#define TCP_SCOREBOARD 16

/* TCB flags */
#define TF_ACKNOW	0x0001	/* send an ACK at the next output */
#define TF_DELACK	0x0002	/* an ACK is being delayed */
#define TF_TS		0x0004	/* timestamps negotiated */
#define TF_SACK		0x0008	/* SACK negotiated */
#define TF_WS		0x0010	/* window scaling negotiated */
#define TF_FIN_QUEUED	0x0020	/* app closed or shut down: FIN follows
				 * the queued data */
#define TF_FIN_SENT	0x0040	/* our FIN has a sequence number */
#define TF_ORPHAN	0x0080	/* app called close: no more callbacks
				 * but closed() */
#define TF_PASSIVE	0x0100	/* opened from LISTEN */
#define TF_RTT		0x0200	/* timing rtt_seq (no timestamps) */
#define TF_WANT_WRITE	0x0400	/* send() was refused: tell writable() */
#define TF_PERSIST	0x0800	/* zero-window probing */
#define TF_NO_ARP	0x1000	/* next hop MAC unknown yet */
#define TF_SYN_SENT	0x2000	/* our SYN went out at least once */
#define TF_FIN_PENDING	0x4000	/* peer's FIN in, app still has data to
				 * take before it hears peer_closed() */
#define TF_RECOVERY	0x8000	/* in fast recovery until snd_una
				 * reaches recover */

/* Tail loss probes (RFC 8985 §7): struct sf_tcb.tlp counts the probes
 * sent in this episode (until an ACK passes tlp_end, or an RTO); while
 * TCP_TLP_ARMED is set, rto_at holds
 * the probe timeout (PTO) instead of the RTO. One probe per tail-loss
 * episode, as the RFC says: more, at a PTO of a few ms, act as an RTO
 * far below rto_min. */
#define TCP_TLP_ARMED	0x2
#define TCP_TLP_MAX	1
static_assert(TCP_TLP_MAX < TCP_TLP_ARMED, "struct sf_tcb.tlp is 2 bits");
/* RFC 8985 §7.2 WCDelAckT: the peer's worst-case delayed ACK, added to
 * the PTO when one segment is in flight. */
#define TCP_TLP_WCDELACK_MS 200
/* struct sf_tcb.ts_recent_at: the ms clock >> 10 (about seconds, a
 * shift rather than a division on every segment). */
#define TCP_TS_AGE(now) ((uint32_t)((now) >> 10))
/* Added to 2 SRTT for the PTO: Linux's TCP_TIMEOUT_MIN (2 jiffies). */
#define TCP_PTO_MIN_MS 2

/* Kinds of wheel timers (struct sf_timer.kind). */
#define TCP_TIMER_TCB	1

/* A resent range and when it went (tcp_recovery.c): RACK (RFC 8985)
 * finds a resend lost when something sent after it arrives. */
struct tcp_rexmit {
	uint32_t seq;
	uint32_t end;
	uint32_t us;		/* worker µs clock, low 32 bits (never 0
				 * or 1); 0: lost, TCP_REXMIT_LATE: its
				 * original arrived, no send time */
	uint32_t nxt;		/* snd_max then: data from there on went
				 * after it */
};

#define TCP_REXMIT_LOG 8	/* resends remembered per episode */
#define TCP_REXMIT_LATE 1	/* struct tcp_rexmit.us of a resend whose
				 * original arrived (RFC 8985 §6.2) */

/* When new data went (RFC 8985 RACK needs every segment's send time):
 * it goes in sequence order, so a few marks tell it, each the latest
 * time anything below .end (and at or above the mark before) was sent;
 * the mark before gives the earliest. Full, the two marks closest in
 * time merge into the later: bounds widen, never cross the truth. */
struct tcp_sent_mark {
	uint32_t end;
	uint32_t us;		/* worker µs clock, low 32 bits */
};

#define TCP_SENT_MARKS 8

/* Loss recovery state a connection needs only now and then: the peer's
 * SACK scoreboard (RFC 2018, RFC 6675), where recovery stands (RFC 6582,
 * RFC 6937 PRR, RFC 8985 RACK for resends, undo by D-SACK and Eifel)
 * and the out-of-order queue (RFC 9293 §3.10.7.4, text). Taken from the
 * worker's pool (struct sf_tcp.exts) when the peer first reports SACK
 * blocks worth keeping, when recovery starts or when data arrives out of
 * order; given back once none of these holds (tcp_ext_put_idle). An idle
 * connection thus costs no scoreboard. Without one (the pool empty,
 * counted in tcp_ext_pool_empty) a connection still recovers, as plain
 * NewReno from snd_una, and drops out-of-order data for the peer to
 * resend. */
struct sf_tcb_ext {
	struct sf_tcp_sack_block sacked[TCP_SCOREBOARD];
	struct rte_mbuf *ooo;		/* out-of-order, sorted by seq */
	struct rte_mbuf *ooo_tail;	/* its last mbuf: arrivals after a
					 * hole append in O(1) */
	/* the newest OOO arrivals, newest first, each merged with those
	 * it touches (RFC 2018 §4: blocks go newest first) */
	struct sf_tcp_sack_block ooo_recent[SF_TCP_MAX_SACK];
	uint32_t ooo_cost;		/* its bytes against rcvbuf, each
					 * mbuf at least TCP_RCVQ_SEG_COST */
	/* -- recovery (tcp_recovery.c); sequence numbers below snd_una or
	 * above snd_max are stale and read as snd_una -- */
	uint32_t rexmit_nxt;		/* next lost byte not resent yet */
	uint32_t lost_hi;		/* holes below it are lost */
	uint32_t prior_cwnd;		/* before the reduction: undo */
	uint32_t prior_ssthresh;
	uint32_t undo_ms;		/* first resend's TSval (Eifel) */
	uint32_t prr_delivered;		/* RFC 6937 */
	uint32_t prr_out;
	uint32_t recover_fs;
	struct tcp_rexmit log[TCP_REXMIT_LOG];	/* this episode's resends */
	struct tcp_sent_mark sent[TCP_SENT_MARKS]; /* new data's send times */
	/* RFC 8985 §6.2 for new data: the most recently sent segment the
	 * peer has (RACK.segment: its end and send time), its RTT, and the
	 * reordering timer (ms deadline, 0: none). */
	uint32_t rack_end;
	uint32_t rack_us;
	uint32_t rack_rtt_us;
	uint32_t rtt_min_us;		/* below every RTT seen, 0: none */
	uint32_t rack_at;
	int16_t undo_retrans;		/* resends D-SACK has not shown
					 * needless; -1: no undo */
	uint8_t nlog;
	uint8_t nsent;
	uint8_t quiet;			/* recovery timeouts without
					 * progress */
	uint8_t ooo_nrecent;		/* entries of ooo_recent */
	union {
		uint32_t next_free;	/* in the pool: next free index */
		struct {
			uint8_t nsacked;	/* scoreboard entries */
			uint16_t ooo_count;	/* <= conf.ooo_max */
		};
	};
};

/* The per-connection control block (RFC 9293 §3.3.1): 184 bytes, an
 * array stride of 8-byte multiples rather than 3 cache lines, so that an
 * idle connection costs about 200 B with its table slot and its share of
 * the recovery pool. Kept elsewhere or derived, not stored:
 * - the ISNs: during the handshake snd_una is the ISS (until our SYN is
 *   acked) and rcv_nxt - 1 the IRS; after it only the trace wants them
 *   (struct tcp_trace_conn, with the trace's teardown steps and why the
 *   connection closed);
 * - the bytes in rcvq: rcvq->pkt_len (one mbuf chain);
 * - snd_una's offset into sndq_head: the head mbuf is trimmed as it is
 *   acked (its indirect slices in flight keep their own offsets).
 * Deadlines are the low 32 bits of the worker's ms clock (struct
 * sf_tcp.now), 0 when not armed, compared with TCP_TIME_* (wraparound
 * safe: every delay is under 2^31 ms, the longest being keepalive_ms
 * <= 1 day). */
struct sf_tcb {
	/* -- bytes 0-63: everything a common segment touches -- */
	struct sf_tcp_key key;		/* raddr laddr rport lport */
	uint8_t state;
	uint8_t snd_wscale : 4;		/* peer's shift for its window */
	uint8_t rcv_wscale : 4;		/* our shift for our window (both
					 * <= 14, RFC 7323 §2.3) */
	uint8_t nrexmit;		/* consecutive RTOs, or persist
					 * probes: the backoff */
	uint8_t tlp : 2;		/* probes sent | TCP_TLP_ARMED */
	uint8_t dupacks : 2;		/* up to TCP_DUPTHRESH */
	uint8_t max_wnd_lg : 4;		/* MAX.SND.WND (RFC 5961 §5.2):
					 * the largest raw window the peer
					 * offered is below 2^(lg+1) */
	uint16_t flags;
	uint16_t mss;			/* payload per segment we send */
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;		/* highest sequence sent + 1 */
	uint32_t snd_wnd;		/* scaled */
	uint32_t snd_wl1;
	uint32_t snd_wl2;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;		/* right edge we advertised */
	uint32_t cwnd;
	uint32_t ssthresh;
	/* One or the other: RTT comes from timestamps when negotiated (RFC
	 * 7323 §4), else from one timed segment (RFC 6298 §3). */
	union {
		uint32_t ts_recent;	/* TF_TS */
		uint32_t rtt_seq;	/* no TF_TS: timed while TF_RTT */
	};
	/* -- bytes 64-127: queues, timers -- */
	struct rte_mbuf *sndq_head;	/* payload mbufs, linked by ->next;
					 * the first starts at snd_una */
	union {
		struct rte_mbuf *sndq_tail;
		/* While free or in limbo. Not ctx: the table's reclamation
		 * may link a TCB into limbo inside tcp_close_conn(), before
		 * the app's closed() reads its ctx; the send queue is empty
		 * by then and no send is taken in CLOSED. */
		struct sf_tcb *next_free;
	};
	struct rte_mbuf *rcvq;		/* data the app has not consumed, one
					 * chain: its pkt_len is the count,
					 * its tail in the head's hash
					 * (tcp_rcvq_tail) */
	struct sf_timer timer;		/* one armed deadline; its user byte
					 * is mem_throttled: data dropped
					 * at the mbuf reserve, owed a
					 * window update */
	uint32_t sndq_len;		/* bytes queued from snd_una on */
	uint32_t rto_at;		/* retransmit / persist / SYN retry */
	uint32_t delack_at;
	uint32_t aux_at;		/* FIN_WAIT_2 or keepalive */
	/* -- bytes 128-175: colder -- */
	void *ctx;			/* the app's */
	union {
		uint32_t rtt_start;	/* no TF_TS: ms, with rtt_seq */
		uint32_t ts_recent_at;	/* TF_TS: when ts_recent was taken
					 * (RFC 7323 §5.5), in TCP_TS_AGE
					 * units */
	};
	uint32_t srtt;			/* ms << 3 */
	uint32_t rttvar;		/* ms << 2 */
	uint32_t recover;		/* NewReno (RFC 6582) */
	uint32_t ext;			/* w->tcp->exts[ext - 1]; 0 none */
	uint16_t rto;			/* ms, <= TCP_RTO_LIMIT */
	struct rte_ether_addr peer_mac;
	uint8_t port_idx : 4;		/* index into w->ports */
	uint8_t reord : 4;		/* recoveries undone since the last
					 * RTO: DupThresh is 3 + reord */
	uint8_t ops_idx : 5;		/* w->tcp->ops[]; 0: none */
	uint8_t rcv_lg : 3;		/* rcvbuf doublings (tcp_rcvbuf) */
	union {
		uint8_t arp_tries;	/* SYN_SENT, next hop unresolved */
		uint8_t ka_probes;	/* synchronized: keepalive or window
					 * probes the peer has not answered
					 * (zeroed by any acceptable
					 * segment) */
	};
	uint8_t trace;			/* TCP_TR_*: 0 unless traced */
	/* Receive-buffer autotuning (tcp_rcv_grow): rcv_nxt and the ms
	 * clock when the current round trip's count began (0: not yet). */
	uint32_t rcv_space_seq;
	uint32_t rcv_space_at;
	/* -- bytes 176-183 -- */
	uint32_t tlp_end;		/* snd_max after this episode's probe
					 * (RFC 8985 §7.4 TLP.end_seq): the
					 * episode lasts until it is acked */
	uint8_t quickack;		/* quick ACKs sent (tcp_data_in) */
	uint8_t lt_sent;		/* segments Limited Transmit sent on
					 * these dup ACKs (RFC 3042) */
	uint8_t spare[2];
};

/* Data dropped at the mbuf reserve: the connection is owed a window
 * update (tcp_mem_throttle). The timer's spare byte holds the flag. */
#define TCP_MEM_THROTTLED(c) ((c)->timer.user)

/* Connections an RX burst can owe a delayed ACK to; past that, the ACK
 * goes out at once, as before bursts were counted. */
#define TCP_ACKQ_MAX 32

/* Quick ACKs at a connection's start (Linux's quick ACK mode,
 * tcp_incr_quickack): at most this many, and no more than half the
 * window offered holds in MSS (at least 2). */
#define TCP_QUICKACKS_MAX 16

/* struct sf_tcb.rto is 16 bits: RFC 6298 (2.5) wants a maximum of at
 * least 60 s; the config takes none above this. */
#define TCP_RTO_LIMIT UINT16_MAX

static_assert(sizeof(struct sf_tcb) <= 184, "struct sf_tcb over 184 bytes");
static_assert(sizeof(struct sf_tcb) % 8 == 0 && _Alignof(struct sf_tcb) == 8,
	      "struct sf_tcb array stride not a multiple of 8");
static_assert(offsetof(struct sf_tcb, sndq_head) == 64,
	      "struct sf_tcb: the per-segment fields are not 64 bytes");
static_assert(SF_MAX_PORTS <= 16, "struct sf_tcb.port_idx is 4 bits");

/* Bytes the app has not taken yet. */
static inline uint32_t
tcp_rcvq_len(const struct sf_tcb *c)
{
	return c->rcvq != NULL ? c->rcvq->pkt_len : 0;
}

/* The receive queue's last mbuf, kept in its head's hash field (unused
 * by the engine once a segment is queued in order) once the queue is a
 * chain: appends are O(1). A lone mbuf is its own tail. */
static_assert(sizeof(((struct rte_mbuf *)0)->hash) >= sizeof(void *),
	      "no room for the receive queue's tail");

static inline struct rte_mbuf *
tcp_rcvq_tail(const struct rte_mbuf *head)
{
	struct rte_mbuf *t;

	if (head->nb_segs == 1)
		return (struct rte_mbuf *)(uintptr_t)head;
	memcpy(&t, &head->hash, sizeof(t));
	return t;
}

static inline void
tcp_rcvq_set_tail(struct rte_mbuf *head, struct rte_mbuf *t)
{
	memcpy(&head->hash, &t, sizeof(t));
}

/* Receive queue cost: a queued mbuf counts at least this many bytes
 * against rcvbuf, so segments too large to be copied together
 * (TCP_RCVQ_COPY) but small next to an mbuf cannot pin memory many
 * times the window. */
#define TCP_RCVQ_SEG_COST 512
/* Payloads up to this size are copied into the queue's last mbuf when
 * it has room, instead of holding an mbuf each. */
#define TCP_RCVQ_COPY 512
/* The queue stops taking segments this close to the mbuf chain limit
 * (RTE_MBUF_MAX_NB_SEGS). */
#define TCP_RCVQ_MAX_SEGS (RTE_MBUF_MAX_NB_SEGS - 64)

/* Keepalive runs in these states (RFC 1122 §4.2.3.6, as Linux: an
 * app that shut down its side still holds the connection; an orphan's
 * FIN_WAIT_2 is bounded by fin_wait_2_ms instead). */
static inline bool
tcp_keepalive_state(const struct sf_tcb *c)
{
	return c->state == SF_TCP_ESTABLISHED ||
		c->state == SF_TCP_CLOSE_WAIT ||
		(c->state == SF_TCP_FIN_WAIT_2 && !(c->flags & TF_ORPHAN));
}

/* Set the peer's window to @bytes and remember the largest it offered
 * (MAX.SND.WND, RFC 5961 §5.2) as a power of two above it, in units of
 * its scale. */
static inline void
tcp_snd_wnd_set(struct sf_tcb *c, uint32_t bytes)
{
	uint32_t raw = (bytes + (UINT32_C(1) << c->snd_wscale) - 1) >>
		c->snd_wscale;
	unsigned int lg;

	c->snd_wnd = bytes;
	/* One compare in the common case: no new maximum. */
	if (likely(raw < (UINT32_C(2) << c->max_wnd_lg)))
		return;
	lg = RTE_MIN(31u - (unsigned int)__builtin_clz(raw), 15u);
	c->max_wnd_lg = lg & 0xf;
}

/* MAX.SND.WND in bytes: at least any window the peer offered. */
static inline uint32_t
tcp_max_snd_wnd(const struct sf_tcb *c)
{
	return (UINT32_C(2) << c->max_wnd_lg) << c->snd_wscale;
}

/* SYN and FIN both set (tcp_input.c decides what it is by state). */
static inline bool
tcp_flags_synfin(uint8_t flags)
{
	return (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ==
		(RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG);
}

/* Wraparound-safe comparisons of 32-bit ms times (RFC 1982 style). */
#define TCP_TIME_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define TCP_TIME_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)

/* A deadline @delta ms after @now, never 0 (0 means unarmed): one that
 * falls on 0 once every 49.7 days fires 1 ms late. */
static inline uint32_t
tcp_deadline(uint64_t now, uint32_t delta)
{
	uint32_t t = (uint32_t)now + delta;

	return t != 0 ? t : 1;
}

/*
 * A TIME_WAIT connection: 40 bytes, no timer. Records sit in a ring in the
 * order they entered TIME_WAIT, which is the order of their deadlines (2MSL
 * for all); the clock tick releases expired ones from the head. A record
 * whose 2MSL restarts moves to the tail. DESIGN.md: <= 64 B per entry,
 * table slot included.
 */
struct sf_tw {
	struct sf_tcp_key key;		/* first: the table compares it */
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint32_t ts_recent;
	uint32_t expires;		/* ms, low 32 bits of tcp->now */
	struct rte_ether_addr peer_mac;
	uint16_t port_idx;
	uint8_t ts_on;
	uint8_t rcv_wscale;
	uint8_t trace;			/* TCP_TR_ON | TCP_TR_TW, or 0 */
	uint8_t slot;			/* TCP_TW_SLOT_* */
};

/* struct sf_tw.slot: FREE (reusable) -> LIVE (in the table) -> DEAD
 * (deleted, readers may still see it) -> FREE (the table's reclamation). */
#define TCP_TW_SLOT_FREE	0
#define TCP_TW_SLOT_LIVE	1
#define TCP_TW_SLOT_DEAD	2

#define TCP_DEFAULT_MSS 536	/* RFC 9293 §3.7.1 */
#define TCP_MEM_RETRY_MS 5	/* send refused at the mbuf reserve: retry */
#define TCP_MEM_LIST 4096	/* throttled connections remembered */
/* Smallest peer MSS honoured: Linux's tcp_min_snd_mss. A tinier one would
 * cut the send queue into a flood of tiny segments (CVE-2019-11479), so it
 * is raised to this, as Linux does. */
#define TCP_MIN_SND_MSS 48

/* The table holds either; the low bit of the pointer tells which. The
 * table compares keys in the objects, so both must begin with theirs
 * (tcp_table.h). */
#define TCP_TW_TAG 1UL

static_assert(offsetof(struct sf_tcb, key) == 0, "table needs key first");
static_assert(offsetof(struct sf_tw, key) == 0, "table needs key first");
static_assert(_Alignof(struct sf_tw) > TCP_TW_TAG, "no room for the tag");

static inline bool
tcp_entry_is_tw(const void *p)
{
	return ((uintptr_t)p & TCP_TW_TAG) != 0;
}

static inline struct sf_tw *
tcp_entry_tw(void *p)
{
	return (struct sf_tw *)((uintptr_t)p & ~TCP_TW_TAG);
}

struct sf_tcp_listener {
	uint16_t port;			/* network order */
	uint8_t ops_idx;		/* for struct sf_tcb.ops_idx */
	const struct sf_tcp_app_ops *ops;
};

#define SF_TCP_MAX_LISTEN 16
/* Distinct callback tables per worker: one per listener, a few for
 * connect(). Indexes 1..31 fit struct sf_tcb.ops_idx's 5 bits. */
#define TCP_MAX_OPS (2 * SF_TCP_MAX_LISTEN - 1)
static_assert(TCP_MAX_OPS < 32, "struct sf_tcb.ops_idx is 5 bits");

/* Receive buffer of @c: rcvbuf doubled rcv_lg times (autotuning,
 * tcp_rcv_grow), at most rcvbuf_max. */
static inline uint32_t
tcp_rcvbuf(const struct sf_tcp_conf *conf, const struct sf_tcb *c)
{
	uint64_t buf = (uint64_t)conf->rcvbuf << c->rcv_lg;

	return buf <= conf->rcvbuf_max ? (uint32_t)buf :
		RTE_MAX(conf->rcvbuf_max, conf->rcvbuf);
}

/* Send buffer of @c: twice cwnd, so that the app keeps the window full
 * while ACKs come back (Linux's tcp_sndbuf_expand), within sndbuf and
 * sndbuf_max. */
static inline uint32_t
tcp_sndbuf(const struct sf_tcp_conf *conf, const struct sf_tcb *c)
{
	uint64_t want = 2 * (uint64_t)c->cwnd;

	if (want <= conf->sndbuf || conf->sndbuf_max <= conf->sndbuf)
		return conf->sndbuf;
	return want < conf->sndbuf_max ? (uint32_t)want : conf->sndbuf_max;
}

/* Where a connection's last transmit found its data in the send queue:
 * the next one starts there instead of walking the chain from its head
 * (a queue of small pieces made every segment cost a long walk). */
struct tcp_sndq_cursor {
	const struct sf_tcb *c;
	struct rte_mbuf *m;		/* in c's send queue ... */
	uint32_t mseq;			/* ... with its first byte at mseq */
};

#define TCP_SNDQ_CURSORS 256		/* direct-mapped by TCB index */

/* conf.cc "bbr": one per TCB, by index (tcp_cc_bbr.c). */
struct tcp_bbr {
	uint64_t bw[2];			/* bytes/s: this bucket's max rate,
					 * the last's */
	uint64_t full_bw;		/* startup: the rate to beat */
	uint32_t delivered;		/* bytes acked or SACKed, mod 2^32 */
	uint32_t t_seq;			/* the timed segment's end */
	uint32_t t_us;			/* when it went; 0: none timed */
	uint32_t t_delivered;		/* delivered then */
	uint32_t min_rtt_us;		/* 0: none yet */
	uint32_t min_rtt_ms;		/* when it was taken (tcp->now) */
	uint32_t prior_min_rtt_us;	/* ProbeRTT: if it finds none */
	uint32_t probe_until;		/* ProbeRTT's end, ms; 0: draining */
	uint32_t prior_cwnd;		/* ProbeRTT gives it back */
	uint8_t rounds;			/* samples in bucket bw[0] */
	uint8_t full_cnt;		/* rounds without 25 % more */
	uint8_t flags;			/* BBR_F_* */
};

/* One worker's TCP. */
struct sf_tcp {
	uint64_t now;			/* ms, this iteration */
	uint64_t tsc_per_ms;
	uint64_t tsc_per_us;
	uint64_t tick_tsc;		/* TSC at the start of ms now */
	struct sf_tcp_conf conf;
	bool cc_cubic;			/* conf.cc is "cubic-friendly" */
	bool cc_bbr;			/* conf.cc is "bbr" */
	struct tcp_bbr *bbr;		/* cc_bbr: conf.max_conns */
	struct sf_tcp_table *table;
	struct sf_twheel *wheel;
	struct sf_tcb *tcbs;		/* conf.max_conns, preallocated */
	struct sf_tcb *tcb_free;
	struct sf_tcb *tcb_limbo;	/* deleted, reusable next iteration */
	/* The TCB whose segment is being processed: what its app sends or
	 * closes from a callback goes out with the reply to that segment
	 * (request on the handshake's ACK, response with its FIN). */
	struct sf_tcb *in_input;
	struct sf_tcb *in_recv;		/* whose recv() callback runs
					 * (sf_tcp_recv_pull refuses to
					 * nest in one) */
	bool out_owed;			/* in_input owes a tcp_output() */
	struct sf_tw *tws;		/* the TIME_WAIT ring */
	uint32_t tw_size;		/* its slots */
	uint32_t tw_head;		/* oldest slot not yet passed */
	uint32_t tw_tail;		/* next slot to fill */
	uint32_t tw_count;		/* slots from head to tail */
	struct sf_tcb_ext *exts;	/* conf.max_recovery, preallocated */
	uint32_t ext_free;		/* first free: exts[ext_free - 1] */
	uint32_t ext_used;
	uint32_t tcb_used;
	uint16_t ip_id;
	uint16_t eph_next;		/* next ephemeral port to try */
	uint8_t nb_listen;
	uint8_t nb_ops;
	struct sf_tcp_listener listen[SF_TCP_MAX_LISTEN];
	/* App callbacks, indexed by struct sf_tcb.ops_idx - 1: a byte in
	 * each TCB instead of a pointer. */
	const struct sf_tcp_app_ops *ops[TCP_MAX_OPS];
	struct sf_tcp_isn_key isn_key;
	struct sf_tcp_isn_key cookie_key;	/* SYN cookie MACs */
	struct sf_tcb **mem_list;	/* throttled at the mbuf reserve */
	uint32_t mem_n;
	struct sf_tcb **txw_list;	/* data held back by a busy TX buffer */
	uint32_t txw_n;
	/* Connections owed a delayed ACK at the end of this RX burst
	 * (tcp_ack_burst): each at most once. */
	struct sf_tcb *ackq[TCP_ACKQ_MAX];
	uint32_t ackq_n;
	/* RFC 2883 D-SACK: the duplicate that the next segment to dsack_c
	 * reports first (tcp_dsack_note); one slot a worker, as the ACK
	 * of a duplicate goes at once, emptied by that segment and at the
	 * end of the RX burst. */
	struct sf_tcb *dsack_c;
	uint32_t dsack_l, dsack_r;
	struct tcp_sndq_cursor sndq_cur[TCP_SNDQ_CURSORS];
	bool mem_was_low;
	uint32_t ack_rl_sec;		/* tcp_ack_ratelimit(): this second */
	uint32_t ack_rl_n;		/* ... and the ACKs sent in it */
	uint32_t ack_rl_challenge;	/* ... of them challenge ACKs */
	uint32_t noarp_log_sec;		/* last "no ARP reply" log (ms >> 10,
					 * + 1; 0 never) */
	uint64_t cookie_last;		/* ms: last cookie sent */
	uint64_t nb_state[SF_TCP_NB_STATES];
	/* Transitions, [from][to] (sf_tcp_transitions). */
	uint64_t trans[SF_TCP_NB_STATES][SF_TCP_NB_STATES];
	struct tcp_trace_ctl trace;
};

/* One received segment, parsed (a per-call view; no file-static state). */
struct sf_seg {
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	uint32_t seq;
	uint32_t ack;
	uint32_t len;			/* payload bytes */
	uint32_t off;			/* payload offset in m */
	uint32_t wnd;			/* raw window field */
	bool syn_wnd;			/* a SYN-ACK's window, taken as an
					 * ACK: never scaled (RFC 7323 §2.2) */
	uint8_t flags;
	struct sf_tcp_opts opts;
};

static inline struct sf_conn *
tcp_conn(struct sf_tcb *c)
{
	return (struct sf_conn *)c;
}

static inline struct sf_tcb *
tcp_tcb(struct sf_conn *c)
{
	return (struct sf_tcb *)c;
}

/* The app's callbacks of @c, or NULL. */
static inline const struct sf_tcp_app_ops *
tcp_ops(const struct sf_worker *w, const struct sf_tcb *c)
{
	return c->ops_idx != 0 ? w->tcp->ops[c->ops_idx - 1] : NULL;
}

/* @c's loss recovery record, or NULL. */
static inline struct sf_tcb_ext *
tcp_ext(const struct sf_worker *w, const struct sf_tcb *c)
{
	return c->ext != 0 ? &w->tcp->exts[c->ext - 1] : NULL;
}

/* @c's out-of-order queue (NULL when empty). */
static inline struct rte_mbuf *
tcp_ooo(const struct sf_worker *w, const struct sf_tcb *c)
{
	return c->ext != 0 ? w->tcp->exts[c->ext - 1].ooo : NULL;
}

/* Entries in @c's SACK scoreboard. */
static inline unsigned int
tcp_nsacked(const struct sf_worker *w, const struct sf_tcb *c)
{
	return c->ext != 0 ? w->tcp->exts[c->ext - 1].nsacked : 0;
}

/* tcp_conn.c: the loss recovery record */
struct sf_tcb_ext *tcp_ext_get(struct sf_worker *w, struct sf_tcb *c);
void tcp_ext_put_idle(struct sf_worker *w, struct sf_tcb *c);
int tcp_ops_index(struct sf_worker *w, const struct sf_tcp_app_ops *ops);

/* tcp_output.c */
void tcp_output(struct sf_worker *w, struct sf_tcb *c);
int tcp_send_syn(struct sf_worker *w, struct sf_tcb *c);
void tcp_send_ack(struct sf_worker *w, struct sf_tcb *c);
/* After the application took data: a window update when due. */
void tcp_window_update(struct sf_worker *w, struct sf_tcb *c);
/* Owe @c's delayed ACK to the end of this RX burst. */
void tcp_ack_burst(struct sf_worker *w, struct sf_tcb *c);
/* Resend [seq, seq + len) of queued data (loss recovery); a segment
 * carries less where SACK blocks take option room (RFC 6691) or the
 * peer's window ends. Returns the bytes sent, -EAGAIN when it starts
 * past the window, or -ENOMEM / -E2BIG. */
int tcp_send_data_at(struct sf_worker *w, struct sf_tcb *c, uint32_t seq,
		     uint32_t len);
void tcp_send_probe(struct sf_worker *w, struct sf_tcb *c);
void tcp_send_rst_tcb(struct sf_worker *w, struct sf_tcb *c);
void tcp_send_rst_reply(struct sf_worker *w, struct sf_wport *wp,
			const struct sf_seg *seg);
void tcp_send_tw_ack(struct sf_worker *w, struct sf_tw *tw);
void tcp_send_synack_stateless(struct sf_worker *w, struct sf_wport *wp,
			       const struct sf_seg *syn, uint32_t iss,
			       bool ws, bool sack, bool ts, uint32_t tsval);

/* What one ACK's SACK blocks told (tcp_sack_update). */
struct tcp_sack_news {
	uint32_t newly;		/* bytes SACKed for the first time */
	uint32_t dsack;		/* bytes reported twice (RFC 2883) */
};

/* One ACK, as loss recovery sees it (tcp_ack_in -> tcp_recovery_ack). */
struct tcp_ack_info {
	const struct sf_tcp_opts *opts;
	uint32_t acked;			/* bytes newly acked */
	uint32_t flight;		/* snd_max - snd_una before it */
	uint32_t delivered;		/* RFC 6937 DeliveredData: acked plus
					 * the change in SACKed bytes */
	bool dupack;			/* RFC 5681 §2, or RFC 6675's SACK one */
	struct tcp_sack_news news;
};

/* The worker's µs clock (low 32 bits), never 0 or 1: the recovery log
 * marks a lost resend 0, a late original TCP_REXMIT_LATE. */
static inline uint32_t
tcp_now_us(const struct sf_worker *w)
{
	uint32_t us = (uint32_t)(w->now / w->tcp->tsc_per_us);

	return us > TCP_REXMIT_LATE ? us : TCP_REXMIT_LATE + 1;
}

/* tcp_recovery.c */
void tcp_recovery_sent(struct sf_worker *w, struct sf_tcb *c);
void tcp_recovery_resent(struct sf_worker *w, struct sf_tcb *c,
			 uint32_t seq, uint32_t len);
void tcp_recovery_marks_reset(const struct sf_worker *w,
			      const struct sf_tcb *c, struct sf_tcb_ext *e);
void tcp_recovery_reorder_timeout(struct sf_worker *w, struct sf_tcb *c);
void tcp_recovery_ack(struct sf_worker *w, struct sf_tcb *c,
		      const struct tcp_ack_info *ai);
bool tcp_recovery_probe(struct sf_worker *w, struct sf_tcb *c);
bool tcp_recovery_may_probe(const struct sf_worker *w,
			    const struct sf_tcb *c);
void tcp_recovery_rto(struct sf_worker *w, struct sf_tcb *c);
bool tcp_recovery_idle(const struct sf_tcb *c, const struct sf_tcb_ext *e);

/* tcp_sack.c */
unsigned int tcp_sack_update(struct sf_worker *w, struct sf_tcb *c,
			     const struct sf_tcp_opts *o, uint32_t cum,
			     struct tcp_sack_news *news);
uint32_t tcp_sack_holes(const struct sf_worker *w, const struct sf_tcb *c,
			uint32_t l, uint32_t r);
uint32_t tcp_sack_bytes(const struct sf_worker *w, const struct sf_tcb *c);

/* RFC 6675 "pipe", roughly: bytes of [snd_una, snd_nxt) not SACKed,
 * which left the network. What cwnd is measured against (tcp_output,
 * the probe). After an RTO rewound snd_nxt, what the peer SACKed above
 * it makes no room: it was never in this flight. */
static inline uint32_t
tcp_pipe(const struct sf_worker *w, const struct sf_tcb *c)
{
	if (tcp_nsacked(w, c) != 0)
		return tcp_sack_holes(w, c, c->snd_una, c->snd_nxt);
	return c->snd_nxt - c->snd_una;
}
void tcp_dsack_note(struct sf_worker *w, const struct sf_tcb *c, uint32_t l,
		    uint32_t r);
unsigned int tcp_sack_out(const struct sf_worker *w, const struct sf_tcb *c,
			  struct sf_tcp_sack_block *b, unsigned int max);
unsigned int tcp_sack_blocks(const struct sf_worker *w,
			     const struct sf_tcb *c,
			     struct sf_tcp_sack_block *b, unsigned int max);
bool tcp_sack_skip(const struct sf_worker *w, const struct sf_tcb *c,
		   uint32_t *seq, uint32_t *len);

/* cwnd never passes this (1 GiB): growth stops well before 32 bits
 * could wrap. */
#define TCP_CWND_MAX (UINT32_C(1) << 30)

/* tcp_cc_bbr.c (w->tcp->cc_bbr only) */
void tcp_bbr_init(const struct sf_worker *w, const struct sf_tcb *c);
void tcp_bbr_sent(struct sf_worker *w, struct sf_tcb *c);
void tcp_bbr_ack(struct sf_worker *w, struct sf_tcb *c, uint32_t delivered);
void tcp_bbr_timeout(const struct sf_worker *w, const struct sf_tcb *c);
void tcp_bbr_cwnd(const struct sf_worker *w, struct sf_tcb *c,
		  uint32_t acked);
uint32_t tcp_bbr_ssthresh(const struct sf_worker *w, const struct sf_tcb *c,
			  uint32_t flight);

/* tcp_cc_newreno.c */
void tcp_cc_ack(const struct sf_worker *w, struct sf_tcb *c, uint32_t acked,
		uint32_t flight);
uint32_t tcp_cc_ssthresh(const struct sf_worker *w, const struct sf_tcb *c,
			 uint32_t flight);
void tcp_cc_timeout(const struct sf_worker *w, struct sf_tcb *c);
uint32_t tcp_cc_arm(struct sf_worker *w, struct sf_tcb *c);
void tcp_cc_rearm_probe(struct sf_worker *w, struct sf_tcb *c);
bool tcp_cc_probe(struct sf_worker *w, struct sf_tcb *c);
bool tcp_probe_fin(struct sf_worker *w, struct sf_tcb *c);

/* Room left in this second's budget of ACKs answering segments we drop
 * (RFC 5961 §7): true to send one, false (counted) to stay silent.
 * Challenge ACKs get conf.ack_ratelimit a second (of ms >> 10), the
 * other such ACKs TCP_ACK_RL_OTHER times as many. */
#define TCP_ACK_RL_OTHER 100
bool tcp_ack_ratelimit(struct sf_worker *w, bool challenge);

/* tcp_input.c */
void tcp_syn_options(struct sf_worker *w, struct sf_tcb *c,
		     const struct sf_seg *seg);

/* tcp_conn.c: data of @c dropped at the mbuf reserve. */
void tcp_mem_throttle(struct sf_worker *w, struct sf_tcb *c);

/* tcp_syncookie.c */
/* ACKs to a listener are checked as cookies this long after the last
 * cookie went out (a cookie lives two 64 s ticks). */
#define TCP_COOKIE_WINDOW_MS (4 * 64000u)
bool tcp_syncookie_wanted(const struct sf_worker *w);
void tcp_syncookie_send(struct sf_worker *w, struct sf_wport *wp,
			const struct sf_tcp_key *key, const struct sf_seg *seg);
bool tcp_syncookie_accept(struct sf_worker *w, struct sf_wport *wp,
			  const struct sf_tcp_listener *l,
			  const struct sf_tcp_key *key, struct sf_seg *seg);

/* tcp_rcv_state.c */
void tcp_rcv_state(struct sf_worker *w, struct sf_wport *wp,
		   struct sf_tcb *c, struct sf_seg *seg);
void tcp_rcv_syn_sent(struct sf_worker *w, struct sf_tcb *c,
		      struct sf_seg *seg);

/* The send-queue cursor of @c's slot (tcp_output.c; tcp_close_conn()
 * forgets a closing connection's). */
static inline struct tcp_sndq_cursor *
tcp_sndq_cursor(struct sf_tcp *tcp, const struct sf_tcb *c)
{
	return &tcp->sndq_cur[(size_t)(c - tcp->tcbs) &
			      (TCP_SNDQ_CURSORS - 1)];
}

/* tcp_output(), or once the segment in hand is processed (in_input). */
static inline void
tcp_output_soon(struct sf_worker *w, struct sf_tcb *c)
{
	if (w->tcp->in_input == c)
		w->tcp->out_owed = true;
	else
		tcp_output(w, c);
}

/* tcp_conn.c: @c holds data back for TX room; sf_tcp_poll resumes it.
 * -ENOSPC: the wait list is full, send anyway (nothing may stall). */
int tcp_tx_wait(struct sf_worker *w, struct sf_tcb *c);

/* tcp_timewait.c */
void tcp_timewait_enter(struct sf_worker *w, struct sf_tcb *c);
/* Returns true when @seg was a SYN that may reopen the tuple: the record
 * is gone and the caller treats it as a new SYN. */
bool tcp_timewait_input(struct sf_worker *w, struct sf_wport *wp,
			struct sf_tw *tw, struct sf_seg *seg);
void tcp_timewait_release(struct sf_worker *w, struct sf_tw *tw);
/* Release up to @budget records whose 2MSL ran out; returns how many. */
unsigned int tcp_timewait_expire(struct sf_worker *w, unsigned int budget);

/* tcp_conn.c: lifecycle */
struct sf_tcb *tcp_tcb_alloc(struct sf_worker *w,
			     const struct sf_tcp_key *key);
void tcp_set_state(struct sf_worker *w, struct sf_tcb *c, uint8_t state);
void tcp_close_conn(struct sf_worker *w, struct sf_tcb *c,
		    enum sf_close_reason why);
/* As tcp_close_conn(SF_CLOSE_NORMAL) for a TCB whose table entry
 * sf_tcp_table_replace() gave to its TIME_WAIT record. */
void tcp_close_conn_replaced(struct sf_worker *w, struct sf_tcb *c);
void tcp_timer_update(struct sf_worker *w, struct sf_tcb *c);
void tcp_timer_cb(struct sf_timer *t, void *arg);
void tcp_app_recv(struct sf_worker *w, struct sf_tcb *c);
void tcp_peer_closed(struct sf_worker *w, struct sf_tcb *c);
void tcp_sndq_drop_acked(struct sf_worker *w, struct sf_tcb *c,
			 uint32_t acked);
void tcp_rtt_sample(struct sf_tcb *c, uint32_t rtt_ms,
		    const struct sf_tcp_conf *conf);

static inline bool
tcp_alive(const struct sf_tcb *c)
{
	return c->state != SF_TCP_CLOSED;
}

#endif /* SF_TCP_PRIV_H */
