/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TCP_H
#define SF_TCP_H

/*
 * synfin's TCP (RFC 9293) for applications: event-driven, no threads, no
 * blocking. Everything runs on the worker that owns the connection, and
 * every call takes that worker first. Callbacks run from inside
 * sf_tcp_input() or the worker's timer processing; they may call any
 * function here, including close and abort on the same connection.
 * A struct sf_conn stays valid until its closed() callback returns; the
 * application must not touch it after that. Data handed to recv() is
 * borrowed for the duration of the call: keep it with rte_pktmbuf_clone()
 * or copy it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct sf_worker;
struct sf_wport;
struct sf_conn;

/* RFC 9293 §3.3.2, in the order of the RFC's diagram. */
enum sf_tcp_state {
	SF_TCP_CLOSED,
	SF_TCP_LISTEN,
	SF_TCP_SYN_SENT,
	SF_TCP_SYN_RCVD,
	SF_TCP_ESTABLISHED,
	SF_TCP_FIN_WAIT_1,
	SF_TCP_FIN_WAIT_2,
	SF_TCP_CLOSE_WAIT,
	SF_TCP_CLOSING,
	SF_TCP_LAST_ACK,
	SF_TCP_TIME_WAIT,
	SF_TCP_NB_STATES,
};

/* Why a connection ended, as told to closed(). */
enum sf_close_reason {
	SF_CLOSE_NORMAL,		/* both FINs exchanged and acked */
	SF_CLOSE_RST_RCVD,		/* the peer reset it */
	SF_CLOSE_REFUSED,		/* RST in answer to our SYN */
	SF_CLOSE_RTO_EXHAUSTED,		/* retransmissions ran out */
	SF_CLOSE_SYN_TIMEOUT,		/* no answer to our SYN */
	SF_CLOSE_FIN_WAIT_2_TIMEOUT,	/* peer never sent its FIN */
	SF_CLOSE_KEEPALIVE_TIMEOUT,	/* keepalive probes unanswered */
	SF_CLOSE_ABORTED,		/* the application aborted (RST) */
	SF_CLOSE_NO_ROUTE,		/* next hop did not answer ARP */
	SF_CLOSE_SHUTDOWN,		/* the worker stopped */
	SF_CLOSE_PERSIST_TIMEOUT,	/* zero-window probes went on too
					 * long (orphan) or unanswered */
	SF_CLOSE_NB_REASONS,
};

/* Application callbacks; any may be NULL. */
struct sf_tcp_app_ops {
	/* The three-way handshake completed. */
	void (*established)(struct sf_worker *w, struct sf_conn *c);
	/* In-order data: @len bytes at offset @off of @m (a chain). Return
	 * how many bytes were consumed; the rest is offered again after the
	 * next writable() (and the receive window shrinks meanwhile). */
	uint32_t (*recv)(struct sf_worker *w, struct sf_conn *c,
			 struct rte_mbuf *m, uint32_t off, uint32_t len);
	/* Send-buffer space became available after being short. */
	void (*writable)(struct sf_worker *w, struct sf_conn *c);
	/* The peer sent FIN: no more data will come (recv() == 0). The
	 * connection is in CLOSE_WAIT (or later) until the app closes. */
	void (*peer_closed)(struct sf_worker *w, struct sf_conn *c);
	/* The connection is gone; @c is invalid after this returns. */
	void (*closed)(struct sf_worker *w, struct sf_conn *c,
		       enum sf_close_reason why);
};

/* TCP settings of one worker; sf_tcp_conf_defaults() gives RFC and Linux
 * defaults. Times in milliseconds. */
struct sf_tcp_conf {
	uint32_t max_conns;	/* connection table capacity */
	uint32_t max_timewait;	/* TIME_WAIT records */
	uint32_t msl_ms;	/* MSL; TIME_WAIT lasts 2 MSL */
	uint32_t rto_init_ms;	/* RFC 6298 (2.1): 1 s */
	uint32_t rto_min_ms;
	uint32_t rto_max_ms;
	uint32_t retries;	/* data retransmissions before abort */
	uint32_t syn_retries;	/* SYN / SYN-ACK retransmissions */
	uint32_t fin_wait_2_ms;	/* orphaned FIN_WAIT_2 lifetime */
	uint32_t delack_ms;	/* delayed ACK; 0 acks every segment */
	uint32_t rcvbuf;	/* bytes; sets the advertised window */
	uint32_t sndbuf;	/* bytes queued per connection */
	uint32_t rcvbuf_max;	/* autotuning's bounds: a window the peer */
	uint32_t sndbuf_max;	/* fills, cwnd; at or below the above: off */
	uint32_t ooo_max;	/* out-of-order segments held per conn */
	uint32_t max_recovery;	/* loss recovery records (SACK scoreboard,
				 * out-of-order queue) per worker; 0:
				 * max_conns / 64, at least 1024 */
	uint32_t keepalive_ms;	/* idle time before probing; 0 = off */
	uint32_t keepalive_intvl_ms;
	uint32_t keepalive_probes;
	uint32_t mss;		/* our MSS (MTU - 40) */
	uint32_t wscale;	/* our window scale shift (0..14) */
	bool wscale_on;
	bool sack_on;
	bool ts_on;
	bool tlp_on;		/* tail loss probes (RFC 8985 §7) */
	/* Congestion response: "newreno" (RFC 5681: halve on loss, one
	 * MSS more per RTT) or "cubic-friendly" (RFC 9438 §4.3 and §4.6:
	 * 0.7 of the flight on loss, 0.53 MSS more per RTT until the
	 * window of the last loss, then one; what CUBIC does on paths
	 * whose window its cubic curve would not pass, without that
	 * curve). */
	char cc[16];
	uint32_t max_syn_backlog;	/* half-open (SYN_RCVD) connections */
	uint32_t syncookies;	/* 0 off, 1 past max_syn_backlog, 2 always */
	uint32_t ack_ratelimit;	/* ACKs a second answering dropped segments
				 * (RFC 5961 §7); 0: no limit */
	bool drop_synfin;	/* SYN+FIN at a listener or in SYN_SENT:
				 * dropped, else taken as a SYN */
};

/** Capacity of @p w's connection table (conf max_conns). */
uint32_t sf_tcp_max_conns(const struct sf_worker *w);

/** Fill @p conf with the defaults. */
void sf_tcp_conf_defaults(struct sf_tcp_conf *conf);

/**
 * Create worker @p w's TCP state (tables, timer wheel, ISN key) on @p
 * socket, sized by @p conf.
 *
 * @return 0; -ENOMEM; -EINVAL for an impossible @p conf.
 */
int sf_tcp_init(struct sf_worker *w, const struct sf_tcp_conf *conf,
		int socket);

/** Close every connection (closed(SF_CLOSE_SHUTDOWN), RST to the peer)
 *  and free worker @p w's TCP state. */
void sf_tcp_fini(struct sf_worker *w);

/**
 * Accept connections to TCP port @p port (host order) on every address
 * of the worker's ports.
 *
 * @return 0; -EEXIST when already listening; -ENOSPC (too many
 *   listeners, or too many distinct @p ops on this worker).
 */
int sf_tcp_listen(struct sf_worker *w, uint16_t port,
		  const struct sf_tcp_app_ops *ops);

/**
 * Open a connection from @p saddr:@p sport to @p daddr:@p dport
 * (addresses network order, ports host order) on port index @p port_idx
 * of @p w. @p sport 0 picks a free ephemeral port. A TIME_WAIT of ours on
 * the same tuple gives way when timestamps were on and it is over 1 s
 * old (as Linux's tcp_tw_reuse).
 *
 * @return 0 and *out, after which the app hears how it ends through
 *   @p ops (closed()); or, with no callback ever: -EADDRINUSE (tuple
 *   busy); -ENOSPC (table full); -ENOBUFS (no TCB); -EINVAL (no such
 *   port or address); -ENETUNREACH (no route); -ENOSPC also when @p w
 *   already knows too many distinct @p ops tables, or its ARP table is
 *   full; -ENOMEM (no mbuf to ask ARP with).
 */
int sf_tcp_connect(struct sf_worker *w, uint16_t port_idx, uint32_t saddr,
		   uint16_t sport, uint32_t daddr, uint16_t dport,
		   const struct sf_tcp_app_ops *ops, void *ctx,
		   struct sf_conn **out);

/**
 * Queue data for sending. Takes ownership of @p m (payload only, no
 * headers; a chain is fine) when it returns 0.
 *
 * @return 0; -ENOBUFS when it does not fit the send buffer (nothing was
 *   taken: wait for writable()); -EPIPE after close/shutdown.
 */
int sf_tcp_send(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m);

/**
 * Copy @p len bytes into mbufs and queue them.
 *
 * @return bytes queued (maybe less than @p len when the buffer fills),
 *   or -ENOBUFS / -EPIPE / -ENOMEM.
 */
int sf_tcp_send_copy(struct sf_worker *w, struct sf_conn *c,
		     const void *buf, uint32_t len);

/** Bytes that sf_tcp_send would accept now. When none, writable() is
 *  called once some are free again. */
uint32_t sf_tcp_send_space(const struct sf_worker *w, struct sf_conn *c);

/**
 * Graceful close (RFC 9293 §3.10.4): queued data goes first, then FIN.
 * The application receives no more data; closed() follows.
 *
 * @return 0; -ENOTCONN when already closing.
 */
int sf_tcp_close(struct sf_worker *w, struct sf_conn *c);

/**
 * Half-close (shutdown SHUT_WR): FIN after queued data; data from the
 * peer keeps arriving.
 *
 * @return 0; -ENOTCONN when already shut down.
 */
int sf_tcp_shutdown(struct sf_worker *w, struct sf_conn *c);

/** Abort: RST to the peer, closed(SF_CLOSE_ABORTED) now. */
void sf_tcp_abort(struct sf_worker *w, struct sf_conn *c);

/** The application's pointer for @p c. */
void *sf_conn_ctx(const struct sf_conn *c);
void sf_conn_set_ctx(struct sf_conn *c, void *ctx);
enum sf_tcp_state sf_conn_state(const struct sf_conn *c);

/* What a connection's TCP holds now, read on its worker's own thread
 * (the packetdrill adapter's TCP_INFO). Sizes in bytes. */
struct sf_tcp_info {
	uint8_t state;			/* enum sf_tcp_state */
	uint8_t nrexmit;		/* consecutive timeouts */
	bool ts, sack, wscale;		/* options negotiated */
	uint8_t snd_wscale, rcv_wscale;
	bool recovery;			/* in fast recovery */
	bool persist;			/* probing a zero window */
	uint32_t mss;			/* payload per segment sent */
	uint32_t cwnd, ssthresh;
	uint32_t srtt_us, rttvar_us;	/* 0: no sample yet */
	uint32_t rto_ms;
	uint32_t unacked;		/* snd_max - snd_una */
	uint32_t snd_wnd;		/* the peer's window, scaled */
	uint32_t rcv_wnd;		/* what is left of the window offered */
	uint32_t sndq;			/* bytes queued, sent or not */
	uint32_t rcvq;			/* bytes received, not read */
};

/** Fill @p ti for @p c. */
void sf_conn_tcp_info(const struct sf_conn *c, struct sf_tcp_info *ti);

/** @p c's local and remote address (network order) and port (host
 *  order); any pointer may be NULL. */
void sf_conn_tuple(const struct sf_conn *c, uint32_t *laddr,
		   uint16_t *lport, uint32_t *raddr, uint16_t *rport);

/** Bytes received in order that the application has not consumed. */
uint32_t sf_conn_unread(const struct sf_conn *c);

/**
 * Offer @p c's unconsumed received data to recv() again now: for an
 * application that left data unread (recv() returned less) and is ready
 * for it before any ACK or writable() would have offered it. When the
 * data taken opens our window by at least min(buffer / 2, MSS), a window
 * update goes to the peer (RFC 9293 §3.8.6.2.2). Callbacks may run,
 * closed() included. Does nothing when called from inside a recv()
 * callback (of any connection).
 */
void sf_tcp_recv_pull(struct sf_worker *w, struct sf_conn *c);

/** True inside recv() when the peer's FIN has arrived behind the data
 *  offered: nothing more will come, so a partial message never ends. */
bool sf_conn_fin_rcvd(const struct sf_conn *c);

/** Name of a state ("ESTABLISHED"), of a close reason ("rst-rcvd"). */
const char *sf_tcp_state_name(enum sf_tcp_state s);
const char *sf_tcp_close_reason_name(enum sf_close_reason r);

/** IPv4 TCP segment from ipv4 input (m->l2_len, l3_len set, padding
 *  trimmed). Consumes @p m. */
void sf_tcp_input(struct sf_worker *w, struct sf_wport *wp,
		  struct rte_mbuf *m);

/** A frame that sf_tcp_input() will see soon: if it looks like an IPv4
 *  TCP segment, start loading its connection table bucket. Reads only
 *  the headers (which should be in cache already); never fails. */
void sf_tcp_prefetch(struct sf_worker *w, const struct rte_mbuf *m);

/** A tuple that sf_tcp_connect() will be asked for soon (the same
 *  arguments; @p saddr 0: the port's first address): start loading its
 *  connection table bucket, which the connect must read to see whether
 *  the tuple is free. Never fails. */
void sf_tcp_prefetch_tuple(struct sf_worker *w, uint16_t port_idx,
			   uint32_t saddr, uint16_t sport, uint32_t daddr,
			   uint16_t dport);

/** The end of an RX burst: send the ACKs that the burst's data segments
 *  owe (one per connection, however many segments it had in the
 *  burst). Called by the worker after each port's burst. */
void sf_tcp_rx_burst_end(struct sf_worker *w);

/** Take the worker's clock (w->now) as TCP's for this iteration: called
 *  before input, so segments and timers use the time they happen. */
void sf_tcp_clock(struct sf_worker *w);

/** Run due timers and housekeeping; called by the worker loop after
 *  sf_tcp_clock and input. */
void sf_tcp_poll(struct sf_worker *w);

/** Connections in each state, summed into @p counts (NB_STATES long).
 *  Readable from the control plane. */
void sf_tcp_state_counts(const struct sf_worker *w, uint64_t *counts);

/* ---- control path (tcp_ctl.c): queries the console and telemetry make
 * while the worker runs, and the listener switch its control ring uses */

/* Connection-table reader ids, one per control-plane thread that walks a
 * worker's table (at most SF_TCP_TABLE_MAX_READERS, tcp_table.h). */
#define SF_TCP_READER_CONSOLE	0
#define SF_TCP_READER_TELEMETRY	1

/* Which deadline a connection's one wheel timer stands for. */
enum sf_conn_timer {
	SF_CONN_TIMER_NONE,
	SF_CONN_TIMER_REXMIT,		/* retransmission (RFC 6298) */
	SF_CONN_TIMER_SYN,		/* SYN or SYN-ACK retransmission */
	SF_CONN_TIMER_TLP,		/* tail loss probe (RFC 8985) */
	SF_CONN_TIMER_PERSIST,		/* zero-window probe */
	SF_CONN_TIMER_ARP,		/* next hop's MAC not known yet */
	SF_CONN_TIMER_DELACK,		/* delayed ACK */
	SF_CONN_TIMER_KEEPALIVE,
	SF_CONN_TIMER_FIN_WAIT_2,	/* orphaned FIN_WAIT_2 lifetime */
	SF_CONN_TIMER_TIME_WAIT,	/* 2MSL */
	SF_CONN_TIMER_REORDER,		/* RACK's reordering window (RFC
					 * 8985 §6.3) */
	SF_CONN_TIMER_NB,
};

/* One connection as sf_tcp_conn_dump() saw it. Read without stopping the
 * worker, so the fields of one record may come from slightly different
 * moments (a queue length from before an ACK, the timer from after). */
struct sf_conn_info {
	uint32_t laddr;			/* network order; 0 for a listener */
	uint32_t raddr;			/* network order; 0 for a listener */
	uint16_t lport;			/* host order */
	uint16_t rport;			/* host order */
	uint8_t state;			/* enum sf_tcp_state */
	uint8_t timer;			/* enum sf_conn_timer */
	uint8_t nrexmit;		/* consecutive RTOs */
	uint8_t pad;
	uint32_t timer_ms;		/* until the timer fires (0: due) */
	uint32_t sndq;			/* bytes sent-unacked and unsent */
	uint32_t rcvq;			/* bytes received, not taken by the
					 * app */
	uint32_t snd_wnd;		/* peer's window, scaled */
	uint32_t cwnd;
	uint32_t srtt_ms;		/* 0: no sample yet */
	uint32_t rto_ms;
	uint32_t worker;		/* the owning worker's id */
};

/* Called for each connection; return non-zero to end the walk. */
typedef int (*sf_conn_dump_cb_t)(const struct sf_conn_info *ci, void *arg);

/**
 * Report every listener (state LISTEN) and every connection of worker
 * @p w (its TCBs and TIME_WAIT records) to @p cb, from any thread and
 * without stopping the worker: the table is read lock-free as reader
 * @p reader (an SF_TCP_READER_*), in batches, and @p cb runs between
 * batches, when the reader is offline, so a slow callback holds no
 * reclamation back. Called on the worker's own lcore (single-core mode),
 * it reads as the writer. A connection opened or closed during the walk
 * may be missed or reported twice; the walk of a million entries takes
 * tens of milliseconds.
 *
 * @return the number of records reported; -ENODEV when @p w has no TCP;
 *   -EINVAL for a bad @p reader.
 */
int sf_tcp_conn_dump(const struct sf_worker *w, unsigned int reader,
		     sf_conn_dump_cb_t cb, void *arg);

/** Short name of a timer kind ("rexmit", "time_wait"). */
const char *sf_conn_timer_name(enum sf_conn_timer t);

/**
 * Stop accepting on TCP @p port (host order): new SYNs are answered as
 * for a closed port; connections already accepted go on. Worker only
 * (from its control ring). @p ops, when not NULL, receives the
 * listener's callbacks, to give back to sf_tcp_listen() later.
 *
 * @return 0; -ENOENT when @p w does not listen on @p port.
 */
int sf_tcp_unlisten(struct sf_worker *w, uint16_t port,
		    const struct sf_tcp_app_ops **ops);

#endif /* SF_TCP_H */
