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
	uint32_t ooo_max;	/* out-of-order segments held per conn */
	uint32_t keepalive_ms;	/* idle time before probing; 0 = off */
	uint32_t keepalive_intvl_ms;
	uint32_t keepalive_probes;
	uint32_t mss;		/* our MSS (MTU - 40) */
	uint32_t wscale;	/* our window scale shift (0..14) */
	bool wscale_on;
	bool sack_on;
	bool ts_on;
	bool tlp_on;		/* tail loss probes (RFC 8985 §7) */
	uint32_t max_syn_backlog;	/* half-open (SYN_RCVD) connections */
	uint32_t syncookies;	/* 0 off, 1 past max_syn_backlog, 2 always */
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
 * @return 0; -EEXIST when already listening; -ENOSPC (too many).
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
 * @return 0 and *out; -EADDRINUSE (tuple busy); -ENOSPC (table full);
 *   -ENOBUFS (no TCB); -EINVAL (no such port or address).
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

/** Run due timers and housekeeping; called by the worker loop with the
 *  TSC of this iteration. */
void sf_tcp_poll(struct sf_worker *w);

/** Connections in each state, summed into @p counts (NB_STATES long).
 *  Readable from the control plane. */
void sf_tcp_state_counts(const struct sf_worker *w, uint64_t *counts);

#endif /* SF_TCP_H */
