/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TCP_TRACE_PRIV_H
#define SF_TCP_TRACE_PRIV_H

/*
 * The trace's side of lib/tcp (sf_tcp_trace.h is the public one). A
 * connection is traced when its trace byte is non-zero; the byte is set
 * only when a filter picked the connection at its creation, so every hook
 * below sits behind one test of it (TCP_TRACED) and formats nothing for
 * the other connections. Included by tcp_priv.h before struct sf_tcp.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_tcp.h>

#include "sf_common.h"
#include "sf_tcp_trace.h"

struct sf_worker;
struct sf_tcb;
struct sf_tw;
struct sf_tcp_key;

/* struct sf_tcb.trace (and struct sf_tw.trace, with TCP_TR_TW) */
#define TCP_TR_ON		0x01	/* traced */
#define TCP_TR_CHALLENGE	0x02	/* next segment out: challenge ACK */
#define TCP_TR_SYN_REXMIT	0x04	/* next SYN out: a retransmission */
#define TCP_TR_HS3		0x08	/* next ACK out: handshake 3/3 */
#define TCP_TR_TW		0x80	/* the object is a struct sf_tw */

/* What the trace alone needs of a traced connection, kept beside the
 * TCBs (struct tcp_trace_ctl.conns, one per TCB, allocated when the
 * first connection is picked) so that untraced ones do not carry it:
 * the ISNs that make its sequence numbers relative, which TCP itself
 * needs only during the handshake (snd_una and rcv_nxt - 1 stand for
 * them there), the teardown steps seen and why it closed. */
struct tcp_trace_conn {
	uint32_t iss;
	uint32_t irs;
	uint8_t step;			/* TS_* (tcp_trace.c) */
	uint8_t close_reason;		/* enum sf_close_reason */
};

/* The filter goes from the control plane to the worker through two slots:
 * the writer fills slot[(gen + 1) & 1], then publishes gen + 1; the worker
 * copies slot[gen & 1] and checks gen did not move meanwhile. */
struct tcp_trace_ctl {
	uint32_t gen;			/* 0: never set */
	struct sf_trace_filter slot[2];
	/* worker side */
	uint32_t seen;			/* gen of cur */
	uint32_t nb_traced;		/* connections picked under cur */
	struct sf_trace_filter cur;
	struct tcp_trace_conn *conns;	/* by TCB index; NULL until needed */
	uint64_t t0;			/* TSC at sf_tcp_init: time zero */
};

#define TCP_TRACED(c) unlikely((c)->trace != 0)

/* Leave a note for the trace of the next segment out of @c. */
#define TCP_TRACE_NOTE(c, bit) do {				\
	if (TCP_TRACED(c))					\
		(c)->trace |= (bit);				\
} while (0)

/* @c's record; @c is traced (so the records exist). */
#define TCP_TRACE_CONN(w, c) \
	(&(w)->tcp->trace.conns[(c) - (w)->tcp->tcbs])

/* Our ISN, or the peer's, for the trace of a traced @c. */
#define TCP_TRACE_ISS(w, c, v) do {				\
	if (TCP_TRACED(c))					\
		TCP_TRACE_CONN(w, c)->iss = (v);		\
} while (0)
#define TCP_TRACE_IRS(w, c, v) do {				\
	if (TCP_TRACED(c))					\
		TCP_TRACE_CONN(w, c)->irs = (v);		\
} while (0)

/* A new connection: pick it when the current filter matches. Called for
 * every new connection once a filter was ever set. */
void tcp_trace_conn_new(struct sf_worker *w, struct sf_tcb *c);

/* A segment for traced @c, before it is processed. */
void tcp_trace_in(struct sf_worker *w, struct sf_tcb *c,
		  const struct rte_tcp_hdr *th, uint32_t len);

/* A segment for traced TIME_WAIT record @tw, before it is processed. */
void tcp_trace_tw_in(struct sf_worker *w, struct sf_tw *tw,
		     const struct rte_tcp_hdr *th, uint32_t len);

/* A segment built for @obj (a TCB, or a TIME_WAIT record when @trace has
 * TCP_TR_TW), as it goes to the TX buffer; @len payload bytes. */
void tcp_trace_out(struct sf_worker *w, void *obj, uint8_t trace,
		   const struct rte_tcp_hdr *th, uint32_t len);

/* Traced @c went from @from to @to. */
void tcp_trace_state(struct sf_worker *w, struct sf_tcb *c, uint8_t from,
		     uint8_t to);

/* A TIME_WAIT ended (its record expired or was reused, or there was no
 * record): counts TIME_WAIT -> CLOSED and traces it when @traced; @why
 * may be NULL. */
void tcp_trace_tw_closed(struct sf_worker *w, const struct sf_tcp_key *key,
			 bool traced, const char *why);

#endif /* SF_TCP_TRACE_PRIV_H */
