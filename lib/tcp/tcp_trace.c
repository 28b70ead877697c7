/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection lifecycle trace and transition counters. The filter reaches
 * the worker through tcp_trace_ctl's two slots; everything else here runs
 * on the worker, and only for connections it picked. One line per event
 * to the "synfin.trace" log type:
 *
 *   <ms.us> in|out <src> > <dst> <STATE> [<flags>] seq=<n>(<rel>)
 *       ack=<n>(<rel>) win=<raw> len=<n> [opts=[...]] | <step>
 *   <ms.us> state <local> <> <remote> <FROM> -> <TO> | <what happened>
 *
 * Time counts from sf_tcp_init in the worker's clock. x is the ISN of the
 * side that opened (sent the first SYN), y the other side's; u is the
 * sequence number of the first FIN, w that of the second, as in the
 * textbook diagrams the step names follow (RFC 9293 Figures 6 and 12).
 * The handshake is SYN (1/3), SYN-ACK (2/3), ACK (3/3); the teardown FIN
 * seq=u (1/4), ACK ack=u+1 (2/4), FIN seq=w (3/4), ACK ack=w+1 (4/4).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>
#include <rte_malloc.h>

#include "sf_log.h"
#include "tcp_priv.h"

/* struct tcp_trace_conn.step: the teardown steps seen so far */
#define TS_FIN_OUT	0x01	/* our FIN went out */
#define TS_FIN_IN	0x02	/* the peer's FIN came in */
#define TS_OUT_FIRST	0x04	/* ours was the first FIN (u) */
#define TS_IN_FIRST	0x08	/* the peer's was */
#define TS_STEP2	0x10	/* u was acked */
#define TS_STEP4	0x20	/* w was acked */
#define TS_SIMUL	0x40	/* the FINs crossed */

#define TRACE_LINE 512

/* ---- the filter: control plane ------------------------------------------- */

int
sf_tcp_trace_parse(const char *s, struct sf_trace_filter *f, char *err,
		   size_t errlen)
{
	char buf[128], *tok, *val, *save = NULL, *end;
	unsigned long v;
	bool first = true;

	memset(f, 0, sizeof(*f));
	f->on = true;
	if (strlen(s) >= sizeof(buf)) {
		if (err != NULL)
			snprintf(err, errlen, "trace filter longer than %zu "
				 "characters", sizeof(buf) - 1);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save), first = false) {
		if (first && strcmp(tok, "off") == 0) {
			f->on = false;
			if (strtok_r(NULL, " \t", &save) == NULL)
				return 0;
			goto bad;
		}
		if ((first && strcmp(tok, "on") == 0) ||
		    strcmp(tok, "all") == 0)
			continue;
		val = strtok_r(NULL, " \t", &save);
		if (val == NULL)
			goto bad;
		if (strcmp(tok, "host") == 0) {
			struct in_addr a;

			if (inet_pton(AF_INET, val, &a) != 1 || a.s_addr == 0)
				goto bad;
			f->host = a.s_addr;
			continue;
		}
		if (*val < '0' || *val > '9')
			goto bad;
		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno != 0 || *end != '\0')
			goto bad;
		if (strcmp(tok, "port") == 0 && v >= 1 && v <= 65535)
			f->port = (uint16_t)v;
		else if (strcmp(tok, "limit") == 0 && v <= UINT32_MAX)
			f->limit = (uint32_t)v;
		else
			goto bad;
	}
	return 0;
bad:
	if (err != NULL)
		snprintf(err, errlen, "trace filter '%s': expected \"off\" or "
			 "[on] [host A.B.C.D] [port 1-65535] [limit N]", s);
	return -EINVAL;
}

int
sf_tcp_trace_format(const struct sf_trace_filter *f, char *buf, size_t len)
{
	const uint8_t *h = (const uint8_t *)&f->host;
	char out[64];
	int k = 0;

	if (!f->on)
		return snprintf(buf, len, "off");
	if (f->host == 0 && f->port == 0 && f->limit == 0)
		return snprintf(buf, len, "all");
	out[0] = '\0';
	if (f->host != 0)
		k += snprintf(out + k, sizeof(out) - (size_t)k,
			      " host %u.%u.%u.%u", h[0], h[1], h[2], h[3]);
	if (f->port != 0)
		k += snprintf(out + k, sizeof(out) - (size_t)k, " port %u",
			      f->port);
	if (f->limit != 0)
		snprintf(out + k, sizeof(out) - (size_t)k, " limit %u",
			 f->limit);
	return snprintf(buf, len, "%s", out + 1);
}

int
sf_tcp_trace_set(struct sf_worker *w, const struct sf_trace_filter *f)
{
	struct tcp_trace_ctl *t;
	uint32_t g, n;

	if (w->tcp == NULL)
		return -ENODEV;
	t = &w->tcp->trace;
	g = __atomic_load_n(&t->gen, __ATOMIC_RELAXED);
	n = g + 1 == 0 ? 2 : g + 1;	/* 0 means "never set" */
	t->slot[n & 1] = *f;
	__atomic_store_n(&t->gen, n, __ATOMIC_RELEASE);
	return 0;
}

int
sf_tcp_trace_get(const struct sf_worker *w, struct sf_trace_filter *f)
{
	const struct tcp_trace_ctl *t;
	uint32_t g;

	if (w->tcp == NULL)
		return -ENODEV;
	t = &w->tcp->trace;
	g = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
	if (g == 0)
		memset(f, 0, sizeof(*f));
	else
		*f = t->slot[g & 1];
	return 0;
}

uint32_t
sf_tcp_trace_count(const struct sf_worker *w)
{
	if (w->tcp == NULL)
		return 0;
	return __atomic_load_n(&w->tcp->trace.nb_traced, __ATOMIC_RELAXED);
}

void
sf_tcp_transitions(const struct sf_worker *w,
		   uint64_t counts[SF_TCP_NB_STATES][SF_TCP_NB_STATES])
{
	const struct sf_tcp *tcp = w->tcp;
	unsigned int i, j;

	if (tcp == NULL)
		return;
	for (i = 0; i < SF_TCP_NB_STATES; i++)
		for (j = 0; j < SF_TCP_NB_STATES; j++)
			counts[i][j] += __atomic_load_n(&tcp->trans[i][j],
							__ATOMIC_RELAXED);
}

void
sf_tcp_transitions_clear(struct sf_worker *w)
{
	if (w->tcp != NULL)
		memset(w->tcp->trans, 0, sizeof(w->tcp->trans));
}

int
sf_tcp_transition_name(enum sf_tcp_state from, enum sf_tcp_state to,
		       char *buf, size_t len)
{
	return snprintf(buf, len, "tcp_trans_%s_to_%s",
			sf_tcp_state_name(from), sf_tcp_state_name(to));
}

/* ---- the filter: worker side --------------------------------------------- */

/* The newest published filter (a seqlock read over the two slots). */
static const struct sf_trace_filter *
trace_filter(struct sf_tcp *tcp)
{
	struct tcp_trace_ctl *t = &tcp->trace;
	struct sf_trace_filter f;
	uint32_t g, h;
	unsigned int tries;

	g = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
	if (g == t->seen)
		return &t->cur;
	for (tries = 0; tries < 16; tries++) {
		memcpy(&f, (const void *)&t->slot[g & 1], sizeof(f));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		h = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
		if (h == g)
			break;
		g = h;
	}
	t->cur = f;
	t->seen = g;
	__atomic_store_n(&t->nb_traced, 0, __ATOMIC_RELAXED);
	return &t->cur;
}

static void trace_emit(struct sf_worker *w, const char *fmt, ...)
	__rte_format_printf(2, 3);

/* Time since sf_tcp_init, "ms.us", then the line. */
static void
trace_emit(struct sf_worker *w, const char *fmt, ...)
{
	uint64_t khz = w->hz / 1000 ? w->hz / 1000 : 1;
	uint64_t us = (w->now - w->tcp->trace.t0) * 1000 / khz;
	char line[TRACE_LINE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rte_log(RTE_LOG_INFO, sf_logtype_trace,
		"synfin.trace: %" PRIu64 ".%03" PRIu64 " %s\n", us / 1000,
		us % 1000, line);
}

void
tcp_trace_conn_new(struct sf_worker *w, struct sf_tcb *c)
{
	struct tcp_trace_ctl *t = &w->tcp->trace;
	const struct sf_trace_filter *f = trace_filter(w->tcp);
	uint16_t port = rte_cpu_to_be_16(f->port);

	if (!f->on)
		return;
	if (f->host != 0 && c->key.raddr != f->host &&
	    c->key.laddr != f->host)
		return;
	if (f->port != 0 && c->key.rport != port && c->key.lport != port)
		return;
	if (f->limit != 0 && t->nb_traced >= f->limit)
		return;
	if (t->conns == NULL) {
		/* Once, at the first pick: untraced runs never pay. */
		t->conns = rte_zmalloc("sf_tcp_trace", sizeof(*t->conns) *
				       (size_t)w->tcp->conf.max_conns,
				       RTE_CACHE_LINE_SIZE);
		if (t->conns == NULL) {
			trace_emit(w, "worker %u: no memory to trace "
				   "connections", w->id);
			return;
		}
	}
	memset(TCP_TRACE_CONN(w, c), 0, sizeof(struct tcp_trace_conn));
	c->trace = TCP_TR_ON;
	__atomic_store_n(&t->nb_traced, t->nb_traced + 1, __ATOMIC_RELAXED);
	if (f->limit != 0 && t->nb_traced == f->limit)
		trace_emit(w, "worker %u: limit %u reached, no more "
			   "connections traced", w->id, f->limit);
}

/* Still tracing? "trace off" stops every traced connection at once. */
static inline bool
trace_live(struct sf_worker *w)
{
	return trace_filter(w->tcp)->on;
}

/* ---- formatting ---------------------------------------------------------- */

static void
ep(char *b, size_t n, uint32_t addr, uint16_t port)
{
	const uint8_t *a = (const uint8_t *)&addr;

	snprintf(b, n, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
		 rte_be_to_cpu_16(port));
}

/* tcpdump's order and letters: F S R P . (ACK) U E W */
static void
flags_str(char *b, uint8_t fl)
{
	static const struct {
		uint8_t bit;
		char c;
	} fls[] = {
		{ RTE_TCP_FIN_FLAG, 'F' }, { RTE_TCP_SYN_FLAG, 'S' },
		{ RTE_TCP_RST_FLAG, 'R' }, { RTE_TCP_PSH_FLAG, 'P' },
		{ RTE_TCP_ACK_FLAG, '.' }, { RTE_TCP_URG_FLAG, 'U' },
		{ RTE_TCP_ECE_FLAG, 'E' }, { RTE_TCP_CWR_FLAG, 'W' },
	};
	unsigned int i, n = 0;

	b[n++] = '[';
	for (i = 0; i < RTE_DIM(fls); i++)
		if (fl & fls[i].bit)
			b[n++] = fls[i].c;
	if (n == 1)
		b[n++] = 'n';	/* "none", as tcpdump */
	b[n++] = ']';
	b[n] = '\0';
}

static void
opts_str(char *b, size_t n, const struct rte_tcp_hdr *th)
{
	unsigned int hlen = (unsigned int)(th->data_off >> 4) * 4, i;
	struct sf_tcp_opts o;
	size_t k = 0;

	b[0] = '\0';
	if (hlen <= sizeof(*th))
		return;
	if (sf_tcp_opts_parse((const uint8_t *)(th + 1),
			      hlen - sizeof(*th), &o) != 0) {
		snprintf(b, n, " opts=[bad]");
		return;
	}
	if (o.present == 0)
		return;
#define OPT(...) do {							\
	if (k < n)							\
		k += (size_t)snprintf(b + k, n - k, __VA_ARGS__);	\
} while (0)
	OPT(" opts=[");
	if (o.present & SF_TCPOPT_MSS)
		OPT("mss %u,", o.mss);
	if (o.present & SF_TCPOPT_SACKOK)
		OPT("sackOK,");
	if (o.present & SF_TCPOPT_TS)
		OPT("TS %u:%u,", o.tsval, o.tsecr);
	if (o.present & SF_TCPOPT_WSCALE)
		OPT("wscale %u,", o.wscale);
	for (i = 0; i < o.nb_sack; i++)
		OPT("sack %u-%u,", o.sack[i].left, o.sack[i].right);
#undef OPT
	if (k < n)
		b[k - 1] = ']';
}

/* "(x+5)": @v relative to @isn, named @sym. */
static void
rel_str(char *b, size_t n, char sym, uint32_t v, uint32_t isn)
{
	uint32_t d = v - isn;

	if (d == 0)
		snprintf(b, n, "(%c)", sym);
	else
		snprintf(b, n, "(%c+%u)", sym, d);
}

/* ---- step names ---------------------------------------------------------- */

struct trace_seg {
	bool out;
	uint8_t fl;
	uint32_t seq;
	uint32_t ack;
	uint32_t len;
};

/* A step name being built: parts joined by ", ". */
struct trace_label {
	char *b;
	size_t n;
	size_t k;
	unsigned int parts;
};

static void label_add(struct trace_label *l, const char *fmt, ...)
	__rte_format_printf(2, 3);

static void
label_add(struct trace_label *l, const char *fmt, ...)
{
	va_list ap;

	if (l->k < l->n && l->parts++ > 0)
		l->k += (size_t)snprintf(l->b + l->k, l->n - l->k, ", ");
	if (l->k >= l->n)
		return;
	va_start(ap, fmt);
	l->k += (size_t)vsnprintf(l->b + l->k, l->n - l->k, fmt, ap);
	va_end(ap);
}

/* The teardown step this FIN is. */
static void
step_fin(struct sf_tcb *c, struct tcp_trace_conn *tc,
	 const struct trace_seg *s, struct trace_label *l)
{
	uint8_t mine = s->out ? TS_FIN_OUT : TS_FIN_IN;
	uint8_t theirs = s->out ? TS_FIN_IN : TS_FIN_OUT;
	bool acks, first;

	if (tc->step & mine) {
		/* again (step_name says "retransmission") */
		first = tc->step & (s->out ? TS_OUT_FIRST : TS_IN_FIRST);
		label_add(l, "teardown %s FIN", first ? "1/4" : "3/4");
		return;
	}
	/* A peer's FIN counts once it is in order (RFC 9293 §3.10.7.4,
	 * eighth step): then rcv_nxt, and every ACK of ours, acks it. */
	if (!s->out && !(SF_SEQ_LEQ(s->seq, c->rcv_nxt) &&
			 SF_SEQ_GEQ(s->seq + s->len, c->rcv_nxt))) {
		label_add(l, "FIN out of order (not taken yet)");
		return;
	}
	tc->step |= mine;
	if (!(tc->step & theirs)) {
		tc->step |= s->out ? TS_OUT_FIRST : TS_IN_FIRST;
		label_add(l, "teardown 1/4 FIN seq=u%s", s->out &&
			  !(c->flags & TF_ORPHAN) ?
			  " (half-close: shutdown)" : "");
		return;
	}
	/* The other side closed first: does this FIN ack its FIN too? */
	if (s->out)
		acks = s->ack == c->rcv_nxt;
	else
		acks = (c->flags & TF_FIN_SENT) && s->ack == c->snd_max;
	if (acks && !(tc->step & TS_STEP2)) {
		tc->step |= TS_STEP2;
		label_add(l, "teardown 2/4+3/4 FIN-ACK seq=w ack=u+1 "
			  "(merged FIN+ACK)");
	} else if (!acks) {
		tc->step |= TS_SIMUL;
		label_add(l, "teardown 3/4 FIN seq=w (simultaneous close)");
	} else {
		label_add(l, "teardown 3/4 FIN seq=w");
	}
}

/* The teardown step this ACK is, when it acks a FIN the first time. */
static void
step_ack(struct sf_tcb *c, struct tcp_trace_conn *tc,
	 const struct trace_seg *s, struct trace_label *l)
{
	bool acks, first;
	const char *simul = (tc->step & TS_SIMUL) ?
		" (simultaneous close)" : "";

	if (s->out) {
		acks = (tc->step & TS_FIN_IN) && s->ack == c->rcv_nxt;
		first = (tc->step & TS_IN_FIRST) != 0;
	} else {
		acks = (tc->step & TS_FIN_OUT) &&
			(c->flags & TF_FIN_SENT) && s->ack == c->snd_max;
		first = (tc->step & TS_OUT_FIRST) != 0;
	}
	if (!acks)
		return;
	if (first && !(tc->step & TS_STEP2)) {
		tc->step |= TS_STEP2;
		label_add(l, "teardown 2/4 ACK ack=u+1%s", simul);
	} else if (!first && !(tc->step & TS_STEP4)) {
		tc->step |= TS_STEP4;
		label_add(l, "teardown 4/4 ACK ack=w+1%s", simul);
	}
}

/* Does @s repeat sequence space its sender sent before? */
static bool
seg_rexmit(struct sf_tcb *c, const struct tcp_trace_conn *tc,
	   const struct trace_seg *s)
{
	bool syn = s->fl & RTE_TCP_SYN_FLAG, fin = s->fl & RTE_TCP_FIN_FLAG;

	if (s->out) {
		if (syn)
			return (c->trace & TCP_TR_SYN_REXMIT) != 0;
		return (s->len > 0 || fin) && SF_SEQ_LT(s->seq, c->snd_max);
	}
	if (syn)	/* the peer's SYN or SYN-ACK again: ours was lost */
		return c->state != SF_TCP_CLOSED &&
			c->state != SF_TCP_SYN_SENT && s->seq == tc->irs;
	return (s->len > 0 && SF_SEQ_LT(s->seq, c->rcv_nxt)) ||
		(fin && (tc->step & TS_FIN_IN));
}

/* Name what segment @s of @c is, "retransmission: " first when it is
 * one; updates the steps seen. */
static void
step_name(struct sf_tcb *c, struct tcp_trace_conn *tc,
	  const struct trace_seg *s, char *b, size_t n)
{
	bool syn = s->fl & RTE_TCP_SYN_FLAG, fin = s->fl & RTE_TCP_FIN_FLAG;
	bool ack = s->fl & RTE_TCP_ACK_FLAG, rexmit = seg_rexmit(c, tc, s);
	struct trace_label l = { .b = b, .n = n };

	b[0] = '\0';
	if (s->out)
		c->trace &= (uint8_t)~TCP_TR_SYN_REXMIT;
	if (s->fl & RTE_TCP_RST_FLAG) {
		label_add(&l, "RST");
		return;
	}
	if (rexmit)
		l.k = (size_t)snprintf(b, n, "retransmission: ");
	if (syn) {
		if (!ack && !s->out && c->state == SF_TCP_SYN_SENT)
			label_add(&l, "simultaneous open: SYN seq=y");
		else if (!rexmit && !s->out && c->state != SF_TCP_CLOSED &&
			 c->state != SF_TCP_SYN_RCVD &&
			 c->state != SF_TCP_SYN_SENT)
			label_add(&l, "SYN in a synchronized state");
		else if (!ack)
			label_add(&l, "handshake 1/3 SYN seq=x");
		else
			label_add(&l, "handshake 2/3 SYN-ACK seq=y ack=x+1");
		return;
	}
	if (s->out && (c->trace & TCP_TR_CHALLENGE)) {
		c->trace &= (uint8_t)~TCP_TR_CHALLENGE;
		label_add(&l, "challenge ACK (RFC 5961)");
		return;
	}
	if (s->out && s->len == 0 && !fin && s->seq == c->snd_una - 1) {
		label_add(&l, (c->flags & TF_PERSIST) ? "zero-window probe" :
			  "keepalive probe");
		return;
	}
	if (ack && ((s->out && (c->trace & TCP_TR_HS3)) ||
		    (!s->out && c->state == SF_TCP_SYN_RCVD &&
		     s->ack == tc->iss + 1))) {
		c->trace &= (uint8_t)~TCP_TR_HS3;
		label_add(&l, "handshake 3/3 ACK ack=y+1");
	}
	if (s->len > 0) {
		if (!rexmit &&
		    (tc->step & (s->out ? TS_FIN_IN : TS_FIN_OUT)))
			label_add(&l, "data after %s FIN (half-close)",
				  s->out ? "the peer's" : "our");
		else
			label_add(&l, "data");
	}
	if (fin)
		step_fin(c, tc, s, &l);
	else if (ack)
		step_ack(c, tc, s, &l);
	if (l.parts == 0)
		label_add(&l, ack ? "ACK" : "no ACK");
}

/* ---- the events ---------------------------------------------------------- */

static void
seg_of(struct trace_seg *s, bool out, const struct rte_tcp_hdr *th,
       uint32_t len)
{
	s->out = out;
	s->fl = th->tcp_flags;
	s->seq = rte_be_to_cpu_32(th->sent_seq);
	s->ack = rte_be_to_cpu_32(th->recv_ack);
	s->len = len;
}

/* One segment line; @rel_seq, @rel_ack may be "". */
static void
emit_seg(struct sf_worker *w, const struct trace_seg *s,
	 const struct sf_tcp_key *k, const char *state,
	 const struct rte_tcp_hdr *th, const char *rel_seq,
	 const char *rel_ack, const char *step)
{
	char src[24], dst[24], fl[12], opts[200];

	if (s->out) {
		ep(src, sizeof(src), k->laddr, k->lport);
		ep(dst, sizeof(dst), k->raddr, k->rport);
	} else {
		ep(src, sizeof(src), k->raddr, k->rport);
		ep(dst, sizeof(dst), k->laddr, k->lport);
	}
	flags_str(fl, s->fl);
	opts_str(opts, sizeof(opts), th);
	trace_emit(w, "%-3s %s > %s %s %s seq=%u%s ack=%u%s win=%u len=%u%s "
		   "| %s", s->out ? "out" : "in", src, dst, state, fl, s->seq,
		   rel_seq, s->ack, rel_ack, rte_be_to_cpu_16(th->rx_win),
		   s->len, opts, step);
}

/* A segment of a TCB, either way. */
static void
trace_seg_tcb(struct sf_worker *w, struct sf_tcb *c, const struct trace_seg *s,
	      const struct rte_tcp_hdr *th)
{
	bool passive = (c->flags & TF_PASSIVE) != 0;
	bool irs_known = passive || c->state != SF_TCP_SYN_SENT;
	char our = passive ? 'y' : 'x', peer = passive ? 'x' : 'y';
	char rs[24] = "", ra[24] = "", step[160];
	struct tcp_trace_conn *tc = TCP_TRACE_CONN(w, c);
	const char *state;

	if (s->out) {
		rel_str(rs, sizeof(rs), our, s->seq, tc->iss);
		if ((s->fl & RTE_TCP_ACK_FLAG) && irs_known)
			rel_str(ra, sizeof(ra), peer, s->ack, tc->irs);
	} else {
		if (irs_known)
			rel_str(rs, sizeof(rs), peer, s->seq, tc->irs);
		else if (s->fl & RTE_TCP_SYN_FLAG)
			rel_str(rs, sizeof(rs), peer, s->seq, s->seq);
		if (s->fl & RTE_TCP_ACK_FLAG)
			rel_str(ra, sizeof(ra), our, s->ack, tc->iss);
	}
	state = c->state == SF_TCP_CLOSED && passive ? "LISTEN" :
		sf_tcp_state_name((enum sf_tcp_state)c->state);
	step_name(c, tc, s, step, sizeof(step));
	emit_seg(w, s, &c->key, state, th, rs, ra, step);
}

void
tcp_trace_in(struct sf_worker *w, struct sf_tcb *c,
	     const struct rte_tcp_hdr *th, uint32_t len)
{
	struct trace_seg s;

	if (!trace_live(w)) {
		c->trace = 0;
		return;
	}
	seg_of(&s, false, th, len);
	trace_seg_tcb(w, c, &s, th);
}

void
tcp_trace_tw_in(struct sf_worker *w, struct sf_tw *tw,
		const struct rte_tcp_hdr *th, uint32_t len)
{
	struct trace_seg s;
	const char *what;

	if (!trace_live(w)) {
		tw->trace = 0;
		return;
	}
	seg_of(&s, false, th, len);
	if (s.fl & RTE_TCP_RST_FLAG)
		what = "RST in TIME_WAIT: ignored (RFC 1337)";
	else if (tcp_flags_synfin(s.fl))
		what = "SYN+FIN in TIME_WAIT: an ACK (RFC 5961 §4.2)";
	else if (s.fl & RTE_TCP_SYN_FLAG)
		what = "SYN in TIME_WAIT: a new connection if newer "
			"(RFC 6191)";
	else if (s.fl & RTE_TCP_FIN_FLAG)
		what = "retransmission: teardown 3/4 FIN (our 4/4 ACK was "
			"lost)";
	else
		what = "segment in TIME_WAIT";
	emit_seg(w, &s, &tw->key, "TIME_WAIT", th, "", "", what);
}

void
tcp_trace_out(struct sf_worker *w, void *obj, uint8_t trace,
	      const struct rte_tcp_hdr *th, uint32_t len)
{
	struct trace_seg s;

	seg_of(&s, true, th, len);
	if (trace & TCP_TR_TW) {
		struct sf_tw *tw = obj;

		if (!trace_live(w)) {
			tw->trace = 0;
			return;
		}
		emit_seg(w, &s, &tw->key, "TIME_WAIT", th, "", "",
			 (s.fl & RTE_TCP_RST_FLAG) ? "RST" :
			 "ACK from TIME_WAIT (teardown 4/4 ACK ack=w+1 again)");
		return;
	}
	if (!trace_live(w)) {
		((struct sf_tcb *)obj)->trace = 0;
		return;
	}
	trace_seg_tcb(w, obj, &s, th);
}

static void
emit_state(struct sf_worker *w, const struct sf_tcp_key *k, const char *from,
	   const char *to, const char *what)
{
	char l[24], r[24];

	ep(l, sizeof(l), k->laddr, k->lport);
	ep(r, sizeof(r), k->raddr, k->rport);
	trace_emit(w, "state %s <> %s %s -> %s | %s", l, r, from, to, what);
}

void
tcp_trace_state(struct sf_worker *w, struct sf_tcb *c, uint8_t from,
		uint8_t to)
{
	uint32_t two_msl = 2 * w->tcp->conf.msl_ms;
	bool orphan = (c->flags & TF_ORPHAN) != 0;
	enum sf_close_reason why;
	char what[96];

	if (!trace_live(w)) {
		c->trace = 0;
		return;
	}
	what[0] = '\0';
	switch (to) {
	case SF_TCP_SYN_SENT:
		snprintf(what, sizeof(what), "active open");
		break;
	case SF_TCP_SYN_RCVD:
		/* A SYN cookie's ACK rebuilds SYN_RCVD after our SYN-ACK
		 * (tcp_syncookie.c); otherwise it goes out next. */
		snprintf(what, sizeof(what), from == SF_TCP_SYN_SENT ?
			 "simultaneous open" : (c->flags & TF_SYN_SENT) ?
			 "passive open, from a SYN cookie (RFC 4987)" :
			 "passive open");
		break;
	case SF_TCP_ESTABLISHED:
		snprintf(what, sizeof(what), "connection established");
		if (from == SF_TCP_SYN_SENT)
			c->trace |= TCP_TR_HS3;
		break;
	case SF_TCP_FIN_WAIT_1:
		snprintf(what, sizeof(what), orphan ?
			 "the application closed: active close" :
			 "the application shut down its side: half-close");
		break;
	case SF_TCP_FIN_WAIT_2:
		snprintf(what, sizeof(what), orphan ?
			 "our FIN acked: waiting for the peer's FIN" :
			 "our FIN acked: half-closed, the peer may still send");
		break;
	case SF_TCP_CLOSE_WAIT:
		snprintf(what, sizeof(what), "the peer closed: CLOSE_WAIT, "
			 "held by the application until it closes");
		break;
	case SF_TCP_CLOSING:
		snprintf(what, sizeof(what), "simultaneous close");
		break;
	case SF_TCP_LAST_ACK:
		snprintf(what, sizeof(what), orphan ?
			 "the application closed: passive close" :
			 "the application shut down its side");
		break;
	case SF_TCP_TIME_WAIT:
		if (two_msl % 1000 == 0)
			snprintf(what, sizeof(what), "TIME_WAIT 2MSL=%us",
				 two_msl / 1000);
		else
			snprintf(what, sizeof(what), "TIME_WAIT 2MSL=%ums",
				 two_msl);
		break;
	case SF_TCP_CLOSED:
		why = (enum sf_close_reason)TCP_TRACE_CONN(w, c)->close_reason;
		if (why == SF_CLOSE_NORMAL)
			snprintf(what, sizeof(what), "CLOSED");
		else
			snprintf(what, sizeof(what), "CLOSED (%s)",
				 sf_tcp_close_reason_name(why));
		break;
	default:
		break;
	}
	emit_state(w, &c->key, sf_tcp_state_name((enum sf_tcp_state)from),
		   sf_tcp_state_name((enum sf_tcp_state)to), what);
}

void
tcp_trace_tw_closed(struct sf_worker *w, const struct sf_tcp_key *key,
		    bool traced, const char *why)
{
	char what[64];

	w->tcp->trans[SF_TCP_TIME_WAIT][SF_TCP_CLOSED]++;
	if (likely(!traced) || !trace_live(w))
		return;
	snprintf(what, sizeof(what), "CLOSED%s%s%s", why ? " (" : "",
		 why ? why : "", why ? ")" : "");
	emit_state(w, key, "TIME_WAIT", "CLOSED", what);
}
