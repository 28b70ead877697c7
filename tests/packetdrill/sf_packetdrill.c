/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synfin under packetdrill: the shared object packetdrill loads with
 * --so_filename (struct packetdrill_interface, packetdrill/packetdrill.h).
 *
 * One synfin worker without a port, as the unit tests build it: packets
 * from the script go to sf_eth_input() in an Ethernet frame of the peer's;
 * what the worker flushes is kept, time-stamped, for netdev_receive().
 * Sockets are a small table over synfin's event API. Time is virtual:
 * gettimeofday() reads it, usleep() and a wait for an outbound packet move
 * it, and synfin's timers run at each millisecond on the way, so a
 * script's timing is exact and a run takes no wall-clock time.
 *
 * packetdrill makes blocking calls ("0...0.2 read(...)") from a thread of
 * its own while its main thread goes on with the script. One lock covers
 * synfin; a blocked call waits on a condition that synfin's callbacks
 * signal. Its completion must be stamped with the virtual time at which
 * it became ready, so the main thread moves the clock on only once such a
 * call has returned and read the clock (sync_main()).
 *
 * Whatever a script asks that synfin cannot do fails that call with a
 * line on stderr naming it ("synfin-packetdrill: ..."), never a crash.
 *
 * --so_flags: comma-separated key=value, all optional:
 *   ip=A.B.C.D       synfin's address (packetdrill's --local_ip)
 *   peer=A.B.C.D     the script's address (--remote_ip)
 *   mss= wscale= rcvbuf= sndbuf= delack_ms= rto_min_ms= rto_init_ms=
 *   msl_ms= ts=0|1 sack=0|1 tlp=0|1 syncookies=0|1|2   sf_tcp_conf keys
 *   drop_synfin=0|1
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "packetdrill.h"

#include "sf_eal.h"
#include "sf_log.h"
#include "sf_net.h"
#include "sf_stats.h"
#include "sf_tcp.h"
#include "sf_worker.h"

#define PD_NAME "synfin-packetdrill"
#define PD_TCP_CC_INFO 26	/* Linux's TCP_CC_INFO */
#define PD_SO_MEMINFO 55	/* Linux's SO_MEMINFO */
#define PD_FD_BASE 3
#define PD_MAX_SOCKS 64
#define PD_OUTQ 4096		/* frames synfin sent, not yet sniffed */
#define PD_POOL_SIZE 4095
#define PD_US_PER_S 1000000ULL
/* How long netdev_receive() lets virtual time run for a frame that
 * synfin does not send: past the longest backoff of the default RTO. */
#define PD_SNIFF_MAX_US (300 * PD_US_PER_S)
/* Real time the main thread waits for the blocking-call thread. */
#define PD_SYNC_MAX_S 2

static const struct rte_ether_addr pd_our_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr pd_peer_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };

struct pd_sock {
	bool used;
	bool has_fd;		/* accept() gave it out (or socket() made it) */
	bool nonblock;
	bool listening;
	bool established;	/* the handshake completed once */
	bool peer_fin;		/* recv() == 0 once the data is read */
	bool gone;		/* synfin closed the connection */
	bool rd_shut;
	bool linger0;		/* SO_LINGER {1, 0}: close() aborts */
	int err;		/* pending SO_ERROR */
	uint16_t lport;		/* host order */
	uint32_t laddr;		/* network order */
	struct sf_conn *c;
	struct sockaddr_in peer;
	/* listener: connections established, not yet accepted */
	int acq[PD_MAX_SOCKS];
	int acq_n;
	/* the read in progress: recv() copies straight into it */
	uint8_t *rd_buf;
	size_t rd_want;
	size_t rd_got;
};

struct pd_frame {
	struct rte_mbuf *m;
	uint64_t t_us;
};

struct pd {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* socket state changed */
	pthread_cond_t sync;		/* blocked call woke / returned */
	pthread_t main_thread;
	bool blocked;			/* a call waits on cond */
	bool kicked;			/* ... and was signalled */
	bool returning;			/* a blocking call returned, its
					 * thread has not read the clock */
	pthread_t ret_thread;

	struct rte_mempool *pool;
	struct sf_worker *w;
	struct sf_iface *ifc;
	struct sf_wport *wp;
	struct sf_tcp_conf conf;
	uint32_t our_ip, peer_ip;	/* network order */

	uint64_t now_us;		/* virtual time since start */
	uint64_t base_us;		/* gettimeofday() at start */

	struct pd_frame outq[PD_OUTQ];
	unsigned int out_head, out_n;
	uint32_t arp_ask[16];		/* ARP requests synfin sent */
	unsigned int arp_n;

	struct pd_sock socks[PD_MAX_SOCKS];
};

static void pd_flush(struct pd *pd);

static void
pd_unsupported(const char *what)
{
	fprintf(stderr, PD_NAME ": %s: not supported by synfin\n", what);
}

/* ---- clock ---- */

/* Virtual time as synfin's worker sees it: TSC = microseconds, started
 * at 10 s so that no deadline is 0. */
static void
pd_set_worker_clock(struct pd *pd)
{
	pd->w->now = pd->now_us + 10 * PD_US_PER_S;
	if (pd->w->tcp != NULL)
		sf_tcp_clock(pd->w);
}

/* Move virtual time to @to, running synfin's timers at every
 * millisecond on the way and at @to. */
static void
pd_advance_to(struct pd *pd, uint64_t to)
{
	uint64_t next;

	while (pd->now_us < to) {
		next = (pd->now_us / 1000 + 1) * 1000;
		pd->now_us = next < to ? next : to;
		pd_set_worker_clock(pd);
		sf_tcp_poll(pd->w);
		pd_flush(pd);
	}
}

/* The main thread is about to move the clock: first let a blocking call
 * that synfin made ready return and take its time stamp. */
static void
pd_sync_main(struct pd *pd)
{
	struct timespec until;

	if (!pthread_equal(pthread_self(), pd->main_thread))
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PD_SYNC_MAX_S;
	while ((pd->blocked && pd->kicked) || pd->returning)
		if (pthread_cond_timedwait(&pd->sync, &pd->lock, &until) ==
		    ETIMEDOUT) {
			fprintf(stderr, PD_NAME ": a blocking call did not "
				"return in %d s\n", PD_SYNC_MAX_S);
			pd->blocked = pd->kicked = pd->returning = false;
		}
}

/* Socket state changed: wake a blocked call. */
static void
pd_kick(struct pd *pd)
{
	if (pd->blocked)
		pd->kicked = true;
	pthread_cond_broadcast(&pd->cond);
}

/* A call that may block: wait until a callback changes something.
 * packetdrill's main thread makes a call without "..." expecting it to
 * be ready: blocking there would stop the clock and the packets that
 * could wake it, for ever. Such a call fails (false), saying so. */
static bool
pd_block(struct pd *pd)
{
	if (pthread_equal(pthread_self(), pd->main_thread)) {
		fprintf(stderr, PD_NAME ": a blocking call the script made "
			"without \"...\" is not ready and would never return; "
			"it fails with EAGAIN\n");
		return false;
	}
	pd->blocked = true;
	pd->kicked = false;
	while (!pd->kicked)
		pthread_cond_wait(&pd->cond, &pd->lock);
	pd->kicked = false;
	pd->blocked = false;
	pthread_cond_broadcast(&pd->sync);
	return true;
}

/* Every socket call ends here: from the blocking-call thread, the clock
 * may move on only after that thread has read it. */
static void
pd_unlock(struct pd *pd)
{
	if (!pthread_equal(pthread_self(), pd->main_thread)) {
		pd->returning = true;
		pd->ret_thread = pthread_self();
	}
	pthread_mutex_unlock(&pd->lock);
}

/* ---- frames in and out ---- */

static void
pd_tx_capture(struct sf_worker *w, struct sf_wport *wp)
{
	struct pd *pd = w->app;
	struct rte_mbuf *m;
	const struct rte_ether_hdr *eh;
	const struct rte_arp_hdr *ah;
	uint16_t i;

	for (i = 0; i < wp->tx.len; i++) {
		m = wp->tx.pkts[i];
		w->stats.tx_pkts++;
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			ah = (const struct rte_arp_hdr *)(eh + 1);
			if (ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
			    pd->arp_n < RTE_DIM(pd->arp_ask))
				pd->arp_ask[pd->arp_n++] =
					ah->arp_data.arp_tip;
			rte_pktmbuf_free(m);
			continue;
		}
		if (pd->out_n == PD_OUTQ) {
			fprintf(stderr, PD_NAME ": %u frames unread, "
				"dropping one\n", PD_OUTQ);
			rte_pktmbuf_free(m);
			continue;
		}
		pd->outq[(pd->out_head + pd->out_n) % PD_OUTQ] =
			(struct pd_frame){ .m = m, .t_us = pd->now_us };
		pd->out_n++;
	}
	wp->tx.len = 0;
	wp->tx.bytes = 0;
}

/* The oldest frame synfin sent that packetdrill has not read; false
 * when there is none. */
static bool
pd_outq_pop(struct pd *pd, struct pd_frame *f)
{
	if (pd->out_n == 0)
		return false;
	*f = pd->outq[pd->out_head];
	pd->out_head = (pd->out_head + 1) % PD_OUTQ;
	pd->out_n--;
	return true;
}

/* An Ethernet frame from the script's host carrying @len bytes of @l3;
 * a chain of mbufs past one's room, as a NIC's scattered RX (packetdrill
 * injects segments of up to 64 KB, as GRO would). */
static struct rte_mbuf *
pd_frame(struct pd *pd, uint16_t type, const void *l3, size_t len)
{
	const uint8_t *p = l3;
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m, *seg;
	uint16_t n;
	void *d;

	m = rte_pktmbuf_alloc(pd->pool);
	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh));
	eh->dst_addr = pd_our_mac;
	eh->src_addr = pd_peer_mac;
	eh->ether_type = rte_cpu_to_be_16(type);
	for (seg = m; len > 0; p += n, len -= n) {
		if (rte_pktmbuf_tailroom(seg) == 0) {
			seg = rte_pktmbuf_alloc(pd->pool);
			if (seg == NULL || rte_pktmbuf_chain(m, seg) != 0) {
				rte_pktmbuf_free(seg);
				rte_pktmbuf_free(m);
				return NULL;
			}
		}
		n = (uint16_t)RTE_MIN(len, (size_t)rte_pktmbuf_tailroom(seg));
		d = rte_pktmbuf_append(m, n);	/* to the last segment */
		memcpy(d, p, n);
	}
	return m;
}

/* Frames in through the worker's input path, as one RX burst. */
static void
pd_input(struct pd *pd, struct rte_mbuf *m)
{
	pd_set_worker_clock(pd);
	sf_eth_input(pd->w, pd->wp, m);
	sf_tcp_rx_burst_end(pd->w);
	pd_flush(pd);
}

/* The script's host answers every ARP request synfin makes. */
static void
pd_arp_answer(struct pd *pd, uint32_t ip, uint16_t op)
{
	struct rte_arp_hdr ah;
	struct rte_mbuf *m;

	memset(&ah, 0, sizeof(ah));
	ah.arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah.arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah.arp_hlen = RTE_ETHER_ADDR_LEN;
	ah.arp_plen = 4;
	ah.arp_opcode = rte_cpu_to_be_16(op);
	ah.arp_data.arp_sha = pd_peer_mac;
	ah.arp_data.arp_sip = ip;
	ah.arp_data.arp_tha = pd_our_mac;
	ah.arp_data.arp_tip = pd->our_ip;
	m = pd_frame(pd, RTE_ETHER_TYPE_ARP, &ah, sizeof(ah));
	if (m != NULL)
		pd_input(pd, m);
}

/* Send what the worker holds; answer the ARP requests it made. */
static void
pd_flush(struct pd *pd)
{
	uint32_t ip;

	sf_worker_flush(pd->w);
	while (pd->arp_n > 0) {
		ip = pd->arp_ask[--pd->arp_n];
		pd_arp_answer(pd, ip, RTE_ARP_OP_REPLY);
	}
}

/* ---- sockets ---- */

static struct pd_sock *
pd_sock(struct pd *pd, int fd)
{
	int i = fd - PD_FD_BASE;

	if (i < 0 || i >= PD_MAX_SOCKS || !pd->socks[i].used ||
	    !pd->socks[i].has_fd)
		return NULL;
	return &pd->socks[i];
}

static int
pd_sock_new(struct pd *pd)
{
	int i;

	for (i = 0; i < PD_MAX_SOCKS; i++)
		if (!pd->socks[i].used) {
			memset(&pd->socks[i], 0, sizeof(pd->socks[i]));
			pd->socks[i].used = true;
			return i;
		}
	return -1;
}

static int
pd_fail(int e)
{
	errno = e;
	return -1;
}

/* Can @len bytes at @buf be read (or written, @out)? The kernel answers
 * a socket call's bad pointer with EFAULT; the adapter asks it, a byte a
 * page through process_vm_readv/writev on itself, rather than crash. */
static bool
pd_buf_ok(const void *buf, size_t len, bool out)
{
	uintptr_t p = (uintptr_t)buf, end = p + len, pg = 4096;
	struct iovec local, remote;
	uint8_t byte;

	if (len == 0)
		return true;
	if (end < p)
		return false;
	for (; p < end; p = (p & ~(pg - 1)) + pg) {
		local = (struct iovec){ .iov_base = &byte, .iov_len = 1 };
		remote = (struct iovec){ .iov_base = (void *)p, .iov_len = 1 };
		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != 1)
			return false;
		if (out &&
		    process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != 1)
			return false;
	}
	return true;
}

static int
pd_err_of(enum sf_close_reason why)
{
	switch (why) {
	case SF_CLOSE_RST_RCVD:
		return ECONNRESET;
	case SF_CLOSE_REFUSED:
		return ECONNREFUSED;
	case SF_CLOSE_RTO_EXHAUSTED:
	case SF_CLOSE_SYN_TIMEOUT:
	case SF_CLOSE_KEEPALIVE_TIMEOUT:
	case SF_CLOSE_PERSIST_TIMEOUT:
	case SF_CLOSE_FIN_WAIT_2_TIMEOUT:
		return ETIMEDOUT;
	case SF_CLOSE_NO_ROUTE:
		return EHOSTUNREACH;
	default:
		return 0;
	}
}

static void
app_established(struct sf_worker *w, struct sf_conn *c)
{
	struct pd *pd = w->app;
	struct pd_sock *s = sf_conn_ctx(c), *l = NULL;
	uint32_t raddr;
	uint16_t lport, rport;
	int i;

	if (s != NULL) {		/* our connect() */
		s->established = true;
		pd_kick(pd);
		return;
	}
	sf_conn_tuple(c, NULL, &lport, &raddr, &rport);
	for (i = 0; i < PD_MAX_SOCKS; i++)
		if (pd->socks[i].used && pd->socks[i].listening &&
		    pd->socks[i].lport == lport)
			l = &pd->socks[i];
	i = (l != NULL && l->acq_n < PD_MAX_SOCKS) ? pd_sock_new(pd) : -1;
	if (i < 0) {
		fprintf(stderr, PD_NAME ": no room for a new connection\n");
		sf_tcp_abort(w, c);
		return;
	}
	s = &pd->socks[i];
	s->c = c;
	s->established = true;
	s->lport = lport;
	s->peer.sin_family = AF_INET;
	s->peer.sin_addr.s_addr = raddr;
	s->peer.sin_port = htons(rport);
	sf_conn_set_ctx(c, s);
	l->acq[l->acq_n++] = i;
	pd_kick(pd);
}

static uint32_t
app_recv(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m,
	 uint32_t off, uint32_t len)
{
	struct pd_sock *s = sf_conn_ctx(c);
	const void *p;
	uint32_t n;

	if (s == NULL)
		return len;		/* closed by the app: discard */
	if (s->rd_buf == NULL || s->rd_got >= s->rd_want)
		return 0;		/* held in synfin until read */
	n = (uint32_t)RTE_MIN((size_t)len, s->rd_want - s->rd_got);
	p = rte_pktmbuf_read(m, off, n, s->rd_buf + s->rd_got);
	if (p != NULL && p != s->rd_buf + s->rd_got)
		memcpy(s->rd_buf + s->rd_got, p, n);
	s->rd_got += n;
	pd_kick(w->app);
	return n;
}

static void
app_writable(struct sf_worker *w, struct sf_conn *c)
{
	(void)c;
	pd_kick(w->app);
}

static void
app_peer_closed(struct sf_worker *w, struct sf_conn *c)
{
	struct pd_sock *s = sf_conn_ctx(c);

	if (s != NULL)
		s->peer_fin = true;
	pd_kick(w->app);
}

static void
app_closed(struct sf_worker *w, struct sf_conn *c, enum sf_close_reason why)
{
	struct pd_sock *s = sf_conn_ctx(c);

	if (s != NULL) {
		s->c = NULL;
		s->gone = true;
		if (s->err == 0)
			s->err = pd_err_of(why);
	}
	pd_kick(w->app);
}

static const struct sf_tcp_app_ops pd_ops = {
	.established = app_established,
	.recv = app_recv,
	.writable = app_writable,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
};

static int
pd_socket(void *ud, int domain, int type, int protocol)
{
	struct pd *pd = ud;
	int i;

	if (domain != AF_INET) {
		pd_unsupported("a socket other than AF_INET (IPv6: issue 23)");
		return pd_fail(EAFNOSUPPORT);
	}
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM ||
	    (protocol != 0 && protocol != IPPROTO_TCP)) {
		pd_unsupported("a socket other than TCP");
		return pd_fail(EPROTONOSUPPORT);
	}
	pthread_mutex_lock(&pd->lock);
	i = pd_sock_new(pd);
	if (i >= 0) {
		pd->socks[i].has_fd = true;
		pd->socks[i].nonblock = (type & SOCK_NONBLOCK) != 0;
	}
	pd_unlock(pd);
	return i < 0 ? pd_fail(EMFILE) : i + PD_FD_BASE;
}

static int
pd_bind(void *ud, int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
	struct pd *pd = ud;
	struct pd_sock *s;
	int rc = 0;

	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else if (len < sizeof(*sin) || sin->sin_family != AF_INET)
		rc = pd_fail(EINVAL);
	else if (sin->sin_addr.s_addr != INADDR_ANY &&
		 sin->sin_addr.s_addr != pd->our_ip)
		rc = pd_fail(EADDRNOTAVAIL);
	else if (s->lport != 0 || s->c != NULL || s->listening)
		rc = pd_fail(EINVAL);
	else {
		s->laddr = sin->sin_addr.s_addr;
		s->lport = ntohs(sin->sin_port);
	}
	pd_unlock(pd);
	return rc;
}

static int
pd_listen(void *ud, int fd, int backlog)
{
	struct pd *pd = ud;
	struct pd_sock *s;
	int rc = 0, r;

	(void)backlog;
	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else if (s->listening)
		rc = 0;
	else if (s->lport == 0 || s->c != NULL) {
		pd_unsupported("listen() without bind() to a port");
		rc = pd_fail(EINVAL);
	} else if ((r = sf_tcp_listen(pd->w, s->lport, &pd_ops)) != 0)
		rc = pd_fail(r == -EEXIST ? EADDRINUSE : -r);
	else
		s->listening = true;
	pd_unlock(pd);
	return rc;
}

static int
pd_accept(void *ud, int fd, struct sockaddr *addr, socklen_t *len)
{
	struct pd *pd = ud;
	struct pd_sock *s, *n;
	int i, rc;

	pthread_mutex_lock(&pd->lock);
	for (;;) {
		s = pd_sock(pd, fd);
		if (s == NULL || !s->listening) {
			rc = pd_fail(s == NULL ? EBADF : EINVAL);
			break;
		}
		if (s->acq_n > 0) {
			i = s->acq[0];
			memmove(s->acq, s->acq + 1,
				--s->acq_n * sizeof(s->acq[0]));
			n = &pd->socks[i];
			n->has_fd = true;
			if (addr != NULL && len != NULL) {
				memcpy(addr, &n->peer, RTE_MIN(*len,
				       (socklen_t)sizeof(n->peer)));
				*len = sizeof(n->peer);
			}
			rc = i + PD_FD_BASE;
			break;
		}
		if (s->nonblock || !pd_block(pd)) {
			rc = pd_fail(EAGAIN);
			break;
		}
	}
	pd_unlock(pd);
	return rc;
}

static int
pd_connect(void *ud, int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
	struct pd *pd = ud;
	struct pd_sock *s;
	int rc = 0, r;

	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL) {
		rc = pd_fail(EBADF);
		goto out;
	}
	if (len < sizeof(*sin) || sin->sin_family != AF_INET) {
		rc = pd_fail(EAFNOSUPPORT);
		goto out;
	}
	if (s->c != NULL || s->gone) {
		if (s->established)
			rc = pd_fail(EISCONN);
		else if (s->err != 0) {
			rc = pd_fail(s->err);
			s->err = 0;
		} else
			rc = pd_fail(EALREADY);
		goto out;
	}
	r = sf_tcp_connect(pd->w, 0, pd->our_ip, s->lport,
			   sin->sin_addr.s_addr, ntohs(sin->sin_port),
			   &pd_ops, s, &s->c);
	if (r != 0) {
		s->c = NULL;
		rc = pd_fail(-r);
		goto out;
	}
	s->peer = *sin;
	pd_flush(pd);
	if (s->nonblock) {
		rc = pd_fail(EINPROGRESS);
		goto out;
	}
	while (!s->established && !s->gone)
		if (!pd_block(pd)) {
			rc = pd_fail(EAGAIN);
			goto out;
		}
	if (!s->established) {
		rc = pd_fail(s->err != 0 ? s->err : ECONNREFUSED);
		s->err = 0;
	}
out:
	pd_unlock(pd);
	return rc;
}

/* What every read and write call checks first: flags synfin can honour
 * and a buffer the kernel would not answer with EFAULT (@out: written
 * to). Returns 0 or -1 with errno. */
static int
pd_io_check(const char *call, int flags, const void *buf, size_t len,
	    bool out)
{
	char what[64];

	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL)) {
		snprintf(what, sizeof(what), "%s() flags other than "
			 "MSG_DONTWAIT", call);
		pd_unsupported(what);
		return pd_fail(EOPNOTSUPP);
	}
	return pd_buf_ok(buf, len, out) ? 0 : pd_fail(EFAULT);
}

/* recv() for every read call: @len bytes into @buf. */
static ssize_t
pd_recv_buf(struct pd *pd, int fd, void *buf, size_t len, int flags)
{
	struct pd_sock *s;
	ssize_t rc;
	int e;

	if (pd_io_check("recv", flags, buf, len, true) != 0)
		return -1;
	pthread_mutex_lock(&pd->lock);
	for (;;) {
		s = pd_sock(pd, fd);
		if (s == NULL) {
			rc = pd_fail(EBADF);
			break;
		}
		if (s->listening) {
			rc = pd_fail(ENOTCONN);
			break;
		}
		if (len == 0) {
			rc = 0;
			break;
		}
		if (s->c != NULL && !s->rd_shut) {
			s->rd_buf = buf;
			s->rd_want = len;
			s->rd_got = 0;
			sf_tcp_recv_pull(pd->w, s->c);
			pd_flush(pd);
		}
		if (s->rd_got > 0) {
			rc = (ssize_t)s->rd_got;
			s->rd_buf = NULL;
			s->rd_got = 0;
			break;
		}
		s->rd_buf = NULL;
		if (s->err != 0) {
			e = s->err;
			s->err = 0;
			rc = pd_fail(e);
			break;
		}
		if (s->peer_fin || s->gone || s->rd_shut) {
			rc = 0;
			break;
		}
		if (s->c == NULL) {
			rc = pd_fail(ENOTCONN);
			break;
		}
		if (s->nonblock || (flags & MSG_DONTWAIT) || !pd_block(pd)) {
			rc = pd_fail(EAGAIN);
			break;
		}
	}
	pd_unlock(pd);
	return rc;
}

static ssize_t
pd_send_buf(struct pd *pd, int fd, const void *buf, size_t len, int flags)
{
	struct pd_sock *s;
	size_t done = 0;
	ssize_t rc;
	int r;

	if (pd_io_check("send", flags, buf, len, false) != 0)
		return -1;
	pthread_mutex_lock(&pd->lock);
	for (;;) {
		s = pd_sock(pd, fd);
		if (s == NULL) {
			rc = pd_fail(EBADF);
			break;
		}
		if (s->c == NULL || !s->established) {
			if (done > 0)
				rc = (ssize_t)done;
			else if (s->err != 0) {
				rc = pd_fail(s->err);
				s->err = 0;
			} else
				rc = pd_fail(s->gone ? EPIPE : ENOTCONN);
			break;
		}
		r = done < len ? sf_tcp_send_copy(pd->w, s->c,
				(const uint8_t *)buf + done,
				(uint32_t)RTE_MIN(len - done,
						  (size_t)UINT32_MAX)) : 0;
		pd_flush(pd);
		if (r > 0)
			done += (size_t)r;
		else if (r < 0 && r != -ENOBUFS) {
			rc = done > 0 ? (ssize_t)done : pd_fail(-r);
			break;
		}
		if (done == len || (done > 0 &&
		    (s->nonblock || (flags & MSG_DONTWAIT)))) {
			rc = (ssize_t)done;
			break;
		}
		if (s->nonblock || (flags & MSG_DONTWAIT) || !pd_block(pd)) {
			rc = pd_fail(EAGAIN);
			break;
		}
	}
	pd_unlock(pd);
	return rc;
}

static ssize_t
pd_read(void *ud, int fd, void *buf, size_t count)
{
	return pd_recv_buf(ud, fd, buf, count, 0);
}

static ssize_t
pd_recv(void *ud, int fd, void *buf, size_t len, int flags)
{
	return pd_recv_buf(ud, fd, buf, len, flags);
}

static ssize_t
pd_recvfrom(void *ud, int fd, void *buf, size_t len, int flags,
	    struct sockaddr *src, socklen_t *alen)
{
	if (alen != NULL)
		*alen = 0;
	(void)src;
	return pd_recv_buf(ud, fd, buf, len, flags);
}

/* Scatter–gather through one flat buffer. */
static ssize_t
pd_recv_iov(struct pd *pd, int fd, const struct iovec *iov, int n,
	    int flags)
{
	size_t total = 0, off = 0, k;
	ssize_t rc;
	uint8_t *flat;
	int i;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	flat = malloc(total ? total : 1);
	if (flat == NULL)
		return pd_fail(ENOMEM);
	rc = pd_recv_buf(pd, fd, flat, total, flags);
	for (i = 0; rc > 0 && i < n && off < (size_t)rc; i++) {
		k = RTE_MIN(iov[i].iov_len, (size_t)rc - off);
		memcpy(iov[i].iov_base, flat + off, k);
		off += k;
	}
	free(flat);
	return rc;
}

static ssize_t
pd_send_iov(struct pd *pd, int fd, const struct iovec *iov, int n,
	    int flags)
{
	size_t total = 0, off = 0;
	ssize_t rc;
	uint8_t *flat;
	int i;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	flat = malloc(total ? total : 1);
	if (flat == NULL)
		return pd_fail(ENOMEM);
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > 0)
			memcpy(flat + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	rc = pd_send_buf(pd, fd, flat, total, flags);
	free(flat);
	return rc;
}

static ssize_t
pd_readv(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
	return pd_recv_iov(ud, fd, iov, iovcnt, 0);
}

static ssize_t
pd_recvmsg(void *ud, int fd, struct msghdr *msg, int flags)
{
	msg->msg_controllen = 0;
	msg->msg_flags = 0;
	return pd_recv_iov(ud, fd, msg->msg_iov, (int)msg->msg_iovlen,
			   flags);
}

static ssize_t
pd_write(void *ud, int fd, const void *buf, size_t count)
{
	return pd_send_buf(ud, fd, buf, count, 0);
}

static ssize_t
pd_writev(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
	return pd_send_iov(ud, fd, iov, iovcnt, 0);
}

static ssize_t
pd_send(void *ud, int fd, const void *buf, size_t len, int flags)
{
	return pd_send_buf(ud, fd, buf, len, flags);
}

static ssize_t
pd_sendto(void *ud, int fd, const void *buf, size_t len, int flags,
	  const struct sockaddr *dst, socklen_t alen)
{
	(void)dst;
	(void)alen;
	return pd_send_buf(ud, fd, buf, len, flags);
}

static ssize_t
pd_sendmsg(void *ud, int fd, const struct msghdr *msg, int flags)
{
	if (msg->msg_controllen != 0) {
		pd_unsupported("sendmsg() control messages");
		return pd_fail(EOPNOTSUPP);
	}
	return pd_send_iov(ud, fd, msg->msg_iov, (int)msg->msg_iovlen,
			   flags);
}

static int
pd_fcntl(void *ud, int fd, int cmd, ...)
{
	struct pd *pd = ud;
	struct pd_sock *s;
	va_list ap;
	long arg;
	int rc;

	va_start(ap, cmd);
	arg = (cmd == F_SETFL) ? va_arg(ap, long) : 0;
	va_end(ap);
	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else if (cmd == F_GETFL)
		rc = O_RDWR | (s->nonblock ? O_NONBLOCK : 0);
	else if (cmd == F_SETFL) {
		s->nonblock = (arg & O_NONBLOCK) != 0;
		rc = 0;
	} else {
		pd_unsupported("fcntl() other than F_GETFL/F_SETFL");
		rc = pd_fail(EINVAL);
	}
	pd_unlock(pd);
	return rc;
}

static int
pd_ioctl(void *ud, int fd, unsigned long request, ...)
{
	struct pd *pd = ud;
	struct pd_sock *s;
	va_list ap;
	int *arg, rc = 0;

	va_start(ap, request);
	arg = va_arg(ap, int *);
	va_end(ap);
	if (request != FIONREAD) {
		pd_unsupported("ioctl() other than FIONREAD");
		return pd_fail(ENOTTY);
	}
	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else if (s->listening)
		rc = pd_fail(EINVAL);
	else
		*arg = s->c != NULL ? (int)sf_conn_unread(s->c) : 0;
	pd_unlock(pd);
	return rc;
}

/* Remove socket @i, its connection left to synfin (@abort: reset). */
static void
pd_sock_release(struct pd *pd, struct pd_sock *s, bool abort)
{
	int k;

	if (s->listening) {
		sf_tcp_unlisten(pd->w, s->lport, NULL);
		/* Linux resets what was never accepted. */
		for (k = 0; k < s->acq_n; k++)
			pd_sock_release(pd, &pd->socks[s->acq[k]], true);
	}
	if (s->c != NULL) {
		sf_conn_set_ctx(s->c, NULL);
		if (abort)
			sf_tcp_abort(pd->w, s->c);
		else
			sf_tcp_close(pd->w, s->c);
	}
	memset(s, 0, sizeof(*s));
	pd_flush(pd);
}

static int
pd_close(void *ud, int fd)
{
	struct pd *pd = ud;
	struct pd_sock *s;
	int rc = 0;

	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else
		pd_sock_release(pd, s, s->linger0);
	pd_unlock(pd);
	return rc;
}

static int
pd_shutdown(void *ud, int fd, int how)
{
	struct pd *pd = ud;
	struct pd_sock *s;
	int rc = 0;

	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else if (s->c == NULL)
		rc = pd_fail(ENOTCONN);
	else {
		if (how == SHUT_RD || how == SHUT_RDWR)
			s->rd_shut = true;
		if (how == SHUT_WR || how == SHUT_RDWR) {
			/* Already shut down: Linux says nothing either. */
			(void)sf_tcp_shutdown(pd->w, s->c);
			pd_flush(pd);
		}
	}
	pd_unlock(pd);
	return rc;
}

static int
pd_int_opt(void *optval, socklen_t *optlen, int v)
{
	if (optval == NULL || optlen == NULL || *optlen < sizeof(int))
		return pd_fail(EINVAL);
	memcpy(optval, &v, sizeof(v));
	*optlen = sizeof(v);
	return 0;
}

/* Linux's tcpi_state numbers (include/net/tcp_states.h), which the
 * scripts' TCP_* names stand for. */
static const uint8_t pd_linux_state[SF_TCP_NB_STATES] = {
	[SF_TCP_CLOSED] = 7, [SF_TCP_LISTEN] = 10, [SF_TCP_SYN_SENT] = 2,
	[SF_TCP_SYN_RCVD] = 3, [SF_TCP_ESTABLISHED] = 1,
	[SF_TCP_FIN_WAIT_1] = 4, [SF_TCP_FIN_WAIT_2] = 5,
	[SF_TCP_CLOSE_WAIT] = 8, [SF_TCP_CLOSING] = 11,
	[SF_TCP_LAST_ACK] = 9, [SF_TCP_TIME_WAIT] = 6,
};

/* TCP_INFO in Linux's layout, with what synfin's TCP holds; the fields
 * it has no counterpart for (Linux's loss and reordering counts, the
 * receive-side estimates, the newer counters) stay 0, so a script that
 * asserts them fails on its assert. */
static int
pd_tcp_info(const struct pd_sock *s, void *optval, socklen_t *optlen)
{
	struct tcp_info ti;
	struct sf_tcp_info si;
	uint32_t mss;

	if (optval == NULL || optlen == NULL || *optlen < sizeof(ti))
		return pd_fail(EINVAL);
	memset(&ti, 0, sizeof(ti));
	if (s->c == NULL || s->gone) {
		ti.tcpi_state = s->listening ? 10 : 7;
	} else {
		sf_conn_tcp_info(s->c, &si);
		mss = si.mss != 0 ? si.mss : 1;
		ti.tcpi_state = si.state < SF_TCP_NB_STATES ?
			pd_linux_state[si.state] : 7;
		/* zero-window probes are no loss: Linux counts them in
		 * tcpi_probes and stays Open */
		ti.tcpi_ca_state = si.recovery ? 3 /* Recovery */ :
			si.nrexmit != 0 && !si.persist ? 4 /* Loss */ :
			0 /* Open */;
		if (si.persist)
			ti.tcpi_probes = si.nrexmit;
		else
			ti.tcpi_retransmits = si.nrexmit;
		ti.tcpi_options = (si.ts ? TCPI_OPT_TIMESTAMPS : 0) |
			(si.sack ? TCPI_OPT_SACK : 0) |
			(si.wscale ? TCPI_OPT_WSCALE : 0);
		if (si.wscale) {
			ti.tcpi_snd_wscale = si.snd_wscale;
			ti.tcpi_rcv_wscale = si.rcv_wscale;
		}
		ti.tcpi_rto = si.rto_ms * 1000;
		ti.tcpi_snd_mss = si.mss;
		ti.tcpi_unacked = (si.unacked + mss - 1) / mss;
		ti.tcpi_rtt = si.srtt_us;
		ti.tcpi_rttvar = si.rttvar_us;
		ti.tcpi_snd_ssthresh = si.ssthresh >= 0x7fffffffu ?
			0x7fffffffu : si.ssthresh / mss;
		ti.tcpi_snd_cwnd = si.cwnd / mss;
	}
	/* packetdrill asks for its own, longer struct: the rest is 0 */
	memset(optval, 0, *optlen);
	memcpy(optval, &ti, sizeof(ti));
	return 0;
}

/* SO_MEMINFO: the receive and send queues against their buffers. */
static int
pd_meminfo(struct pd *pd, const struct pd_sock *s, void *optval,
	   socklen_t *optlen)
{
	uint32_t mi[4] = { 0, pd->conf.rcvbuf, 0, pd->conf.sndbuf };
	struct sf_tcp_info si;

	if (optval == NULL || optlen == NULL)
		return pd_fail(EINVAL);
	if (s->c != NULL && !s->gone) {
		sf_conn_tcp_info(s->c, &si);
		mi[0] = si.rcvq;
		mi[2] = si.sndq;
	}
	memset(optval, 0, *optlen);
	memcpy(optval, mi, RTE_MIN((size_t)*optlen, sizeof(mi)));
	return 0;
}

static int
pd_getsockopt(void *ud, int fd, int level, int name, void *optval,
	      socklen_t *optlen)
{
	struct pd *pd = ud;
	struct pd_sock *s;
	char what[64];
	int rc;

	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else if (level == SOL_SOCKET && name == SO_ERROR) {
		rc = pd_int_opt(optval, optlen, s->err);
		s->err = 0;
	} else if (level == SOL_SOCKET && name == SO_TYPE)
		rc = pd_int_opt(optval, optlen, SOCK_STREAM);
	else if (level == SOL_SOCKET && name == SO_RCVBUF)
		rc = pd_int_opt(optval, optlen, (int)pd->conf.rcvbuf);
	else if (level == SOL_SOCKET && name == SO_SNDBUF)
		rc = pd_int_opt(optval, optlen, (int)pd->conf.sndbuf);
	else if (level == IPPROTO_TCP && name == TCP_NODELAY)
		rc = pd_int_opt(optval, optlen, 1);	/* synfin: no Nagle */
	else if (level == IPPROTO_TCP && name == TCP_INFO)
		rc = pd_tcp_info(s, optval, optlen);
	else if (level == IPPROTO_TCP && name == PD_TCP_CC_INFO) {
		/* no per-algorithm info: an empty answer, as Linux gives
		 * for a congestion control without any */
		if (optlen != NULL)
			*optlen = 0;
		rc = 0;
	} else if (level == SOL_SOCKET && name == PD_SO_MEMINFO)
		rc = pd_meminfo(pd, s, optval, optlen);
	else {
		snprintf(what, sizeof(what), "getsockopt(level %d, "
			 "option %d)", level, name);
		pd_unsupported(what);
		rc = pd_fail(ENOPROTOOPT);
	}
	pd_unlock(pd);
	return rc;
}

static int
pd_setsockopt(void *ud, int fd, int level, int name, const void *optval,
	      socklen_t optlen)
{
	struct pd *pd = ud;
	struct pd_sock *s;
	char what[64];
	int v = 0, rc = 0;

	if (optval != NULL && optlen >= sizeof(int))
		memcpy(&v, optval, sizeof(v));
	pthread_mutex_lock(&pd->lock);
	s = pd_sock(pd, fd);
	if (s == NULL)
		rc = pd_fail(EBADF);
	else if (level == SOL_SOCKET &&
		 (name == SO_REUSEADDR || name == SO_REUSEPORT))
		rc = 0;		/* synfin's listeners never conflict */
	else if (level == SOL_SOCKET && name == SO_LINGER &&
		 optlen >= sizeof(struct linger)) {
		const struct linger *l = optval;

		if (l->l_onoff && l->l_linger != 0) {
			pd_unsupported("SO_LINGER with a timeout");
			rc = pd_fail(ENOPROTOOPT);
		} else
			s->linger0 = l->l_onoff != 0;
	} else if (level == IPPROTO_TCP && name == TCP_NODELAY && v != 0)
		rc = 0;		/* what synfin always does */
	else {
		snprintf(what, sizeof(what), "setsockopt(level %d, option "
			 "%d, value %d)", level, name, v);
		pd_unsupported(what);
		rc = pd_fail(ENOPROTOOPT);
	}
	pd_unlock(pd);
	return rc;
}

static short
pd_revents(struct pd *pd, const struct pollfd *p)
{
	struct pd_sock *s = pd_sock(pd, p->fd);
	short ev = 0;

	if (s == NULL)
		return POLLNVAL;
	if (s->listening)
		return s->acq_n > 0 ? (p->events & POLLIN) : 0;
	if (s->err != 0)
		ev |= POLLERR;
	if (s->gone || (s->peer_fin && s->rd_shut))
		ev |= POLLHUP;
	if (s->peer_fin || s->gone || s->rd_shut)
		ev |= POLLIN | POLLRDHUP;
	if (s->c != NULL && sf_conn_unread(s->c) > 0)
		ev |= POLLIN;
	if (s->c != NULL && s->established &&
	    sf_tcp_send_space(pd->w, s->c) > 0)
		ev |= POLLOUT;
	return (short)(ev & (p->events | POLLERR | POLLHUP | POLLNVAL));
}

static int
pd_poll(void *ud, struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct pd *pd = ud;
	uint64_t until;
	nfds_t i;
	int n;

	pthread_mutex_lock(&pd->lock);
	until = pd->now_us + (uint64_t)(timeout > 0 ? timeout : 0) * 1000;
	for (;;) {
		for (n = 0, i = 0; i < nfds; i++) {
			fds[i].revents = pd_revents(pd, &fds[i]);
			n += fds[i].revents != 0;
		}
		if (n > 0 || timeout == 0 ||
		    (timeout > 0 && pd->now_us >= until))
			break;
		if (timeout > 0 &&
		    pthread_equal(pthread_self(), pd->main_thread)) {
			/* the script waits in poll(): its time passes */
			pd_advance_to(pd, until);
			continue;
		}
		if (!pd_block(pd)) {
			n = pd_fail(EAGAIN);
			break;
		}
	}
	pd_unlock(pd);
	return n;
}

static int
pd_netdev_send(void *ud, const void *buf, size_t count)
{
	struct pd *pd = ud;
	struct rte_mbuf *m;

	if (count < 1 || (((const uint8_t *)buf)[0] >> 4) != 4) {
		pd_unsupported("a packet other than IPv4 (IPv6: issue 23)");
		return -1;
	}
	pthread_mutex_lock(&pd->lock);
	m = pd_frame(pd, RTE_ETHER_TYPE_IPV4, buf, count);
	if (m != NULL)
		pd_input(pd, m);
	pthread_mutex_unlock(&pd->lock);
	if (m == NULL) {
		fprintf(stderr, PD_NAME ": no mbuf for an inbound packet\n");
		return -1;
	}
	return 0;
}

/* SF_PD_STATS set: synfin's non-zero counters, to debug a script. */
static void
pd_print_stats(const struct pd *pd)
{
	const char *n;
	unsigned int i;

	if (getenv("SF_PD_STATS") == NULL)
		return;
	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		if (sf_stats_get(&pd->w->stats, i) != 0)
			fprintf(stderr, "%s %" PRIu64 "\n", n,
				sf_stats_get(&pd->w->stats, i));
}

static int
pd_netdev_receive(void *ud, void *buf, size_t *count, long long *time_us)
{
	struct pd *pd = ud;
	struct pd_frame f;
	const void *p;
	uint64_t limit;
	uint32_t len;

	pthread_mutex_lock(&pd->lock);
	pd_sync_main(pd);
	limit = pd->now_us + PD_SNIFF_MAX_US;
	while (pd->out_n == 0 && pd->now_us < limit)
		pd_advance_to(pd, pd->now_us + 1000);
	if (!pd_outq_pop(pd, &f)) {
		fprintf(stderr, PD_NAME ": synfin sent nothing for %llu s "
			"(at %.6f s)\n", PD_SNIFF_MAX_US / PD_US_PER_S,
			(double)pd->now_us / PD_US_PER_S);
		pd_print_stats(pd);
		pthread_mutex_unlock(&pd->lock);
		*count = 0;
		return 0;
	}
	pthread_mutex_unlock(&pd->lock);
	len = rte_pktmbuf_pkt_len(f.m) - RTE_ETHER_HDR_LEN;
	if (len > *count)
		len = (uint32_t)*count;
	p = rte_pktmbuf_read(f.m, RTE_ETHER_HDR_LEN, len, buf);
	if (p != NULL && p != buf)
		memcpy(buf, p, len);
	rte_pktmbuf_free(f.m);
	*count = len;
	*time_us = (long long)(pd->base_us + f.t_us);
	return 0;
}

static int
pd_usleep(void *ud, useconds_t usec)
{
	struct pd *pd = ud;

	pthread_mutex_lock(&pd->lock);
	pd_sync_main(pd);
	pd_advance_to(pd, pd->now_us + usec);
	pd_kick(pd);		/* a poll() timeout may have passed */
	pthread_mutex_unlock(&pd->lock);
	return 0;
}

static int
pd_gettimeofday(void *ud, struct timeval *tv, struct timezone *tz)
{
	struct pd *pd = ud;
	uint64_t t;

	(void)tz;
	pthread_mutex_lock(&pd->lock);
	if (pd->returning && pthread_equal(pthread_self(), pd->ret_thread)) {
		/* the blocking call's time stamp: the clock may go on */
		pd->returning = false;
		pthread_cond_broadcast(&pd->sync);
	} else {
		/* packetdrill spins on the clock for the last few
		 * microseconds before an event: let it pass */
		pd_advance_to(pd, pd->now_us + 1);
	}
	t = pd->base_us + pd->now_us;
	pthread_mutex_unlock(&pd->lock);
	tv->tv_sec = (time_t)(t / PD_US_PER_S);
	tv->tv_usec = (suseconds_t)(t % PD_US_PER_S);
	return 0;
}

static int
pd_epoll_create(void *ud, int size)
{
	(void)ud;
	(void)size;
	pd_unsupported("epoll");
	return pd_fail(ENOSYS);
}

static int
pd_epoll_ctl(void *ud, int epfd, int op, int fd, struct epoll_event *ev)
{
	(void)ud;
	(void)epfd;
	(void)op;
	(void)fd;
	(void)ev;
	pd_unsupported("epoll");
	return pd_fail(ENOSYS);
}

static int
pd_epoll_wait(void *ud, int epfd, struct epoll_event *ev, int max, int to)
{
	(void)ud;
	(void)epfd;
	(void)ev;
	(void)max;
	(void)to;
	pd_unsupported("epoll");
	return pd_fail(ENOSYS);
}

static int
pd_pipe(void *ud, int fds[2])
{
	(void)ud;
	(void)fds;
	pd_unsupported("pipe()");
	return pd_fail(ENOSYS);
}

static int
pd_splice(void *ud, int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
	  size_t len, unsigned int flags)
{
	(void)ud;
	(void)fd_in;
	(void)off_in;
	(void)fd_out;
	(void)off_out;
	(void)len;
	(void)flags;
	pd_unsupported("splice()");
	return pd_fail(ENOSYS);
}

/* ---- set-up ---- */

static void
pd_die(const char *msg)
{
	fprintf(stderr, PD_NAME ": %s\n", msg);
	exit(EXIT_FAILURE);
}

/* One key=value of --so_flags into @pd. */
static void
pd_flag(struct pd *pd, const char *key, const char *val)
{
	struct {
		const char *key;
		uint32_t *u;
		bool *b;
	} const keys[] = {
		{ "mss", &pd->conf.mss, NULL },
		{ "wscale", &pd->conf.wscale, NULL },
		{ "rcvbuf", &pd->conf.rcvbuf, NULL },
		{ "sndbuf", &pd->conf.sndbuf, NULL },
		{ "delack_ms", &pd->conf.delack_ms, NULL },
		{ "rto_min_ms", &pd->conf.rto_min_ms, NULL },
		{ "rto_init_ms", &pd->conf.rto_init_ms, NULL },
		{ "msl_ms", &pd->conf.msl_ms, NULL },
		{ "syncookies", &pd->conf.syncookies, NULL },
		{ "ts", NULL, &pd->conf.ts_on },
		{ "sack", NULL, &pd->conf.sack_on },
		{ "tlp", NULL, &pd->conf.tlp_on },
		{ "wscale_on", NULL, &pd->conf.wscale_on },
		{ "drop_synfin", NULL, &pd->conf.drop_synfin },
	};
	struct in_addr a;
	unsigned int i;
	char *end;
	unsigned long v;

	if (strcmp(key, "ip") == 0 || strcmp(key, "peer") == 0) {
		if (inet_pton(AF_INET, val, &a) != 1) {
			fprintf(stderr, PD_NAME ": --so_flags %s=%s: not an "
				"IPv4 address\n", key, val);
			exit(EXIT_FAILURE);
		}
		*(key[0] == 'i' ? &pd->our_ip : &pd->peer_ip) = a.s_addr;
		return;
	}
	for (i = 0; i < RTE_DIM(keys); i++) {
		if (strcmp(key, keys[i].key) != 0)
			continue;
		errno = 0;
		v = strtoul(val, &end, 0);
		if (errno != 0 || *val == '\0' || *end != '\0' ||
		    v > UINT32_MAX || (keys[i].b != NULL && v > 1)) {
			fprintf(stderr, PD_NAME ": --so_flags %s=%s: bad "
				"value\n", key, val);
			exit(EXIT_FAILURE);
		}
		if (keys[i].u != NULL)
			*keys[i].u = (uint32_t)v;
		else
			*keys[i].b = v != 0;
		return;
	}
	fprintf(stderr, PD_NAME ": --so_flags: unknown key '%s'\n", key);
	exit(EXIT_FAILURE);
}

static void
pd_flags(struct pd *pd, const char *flags)
{
	char *copy, *tok, *save = NULL, *eq;

	if (flags == NULL)
		return;
	copy = strdup(flags);
	if (copy == NULL)
		pd_die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (eq == NULL) {
			fprintf(stderr, PD_NAME ": --so_flags: '%s' is not "
				"key=value\n", tok);
			exit(EXIT_FAILURE);
		}
		*eq = '\0';
		pd_flag(pd, tok, eq + 1);
	}
	free(copy);
}

static void
pd_eal_init(void)
{
	char prefix[64];
	char *argv[] = {
		PD_NAME, "--no-huge", "--no-pci", "-m", "48",
		"--no-shconf", "--no-telemetry", "-l", "0",
		"--log-level", "*:warning", "--file-prefix", prefix, NULL,
	};
	int argc = (int)RTE_DIM(argv) - 1;

	snprintf(prefix, sizeof(prefix), "sfpd%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0)
		pd_die("rte_eal_init failed");
	/* packetdrill ends a failing script with exit(), never calling
	 * free(): clean up at exit either way. */
	atexit(sf_eal_fini_clean);
	sf_log_init();
	sf_cksum_init();
}

static void
pd_free(void *ud)
{
	struct pd *pd = ud;
	struct pd_frame f;

	pthread_mutex_lock(&pd->lock);
	pd_print_stats(pd);
	sf_tcp_fini(pd->w);
	sf_worker_flush(pd->w);
	while (pd_outq_pop(pd, &f))
		rte_pktmbuf_free(f.m);
	sf_worker_free(pd->w);
	rte_free(pd->ifc);
	pthread_mutex_unlock(&pd->lock);
	rte_mempool_free(pd->pool);
	free(pd);
}

void packetdrill_interface_init(const char *flags,
				struct packetdrill_interface *ifc);

void
packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc)
{
	struct pd_frame f;
	struct pd *pd;
	struct timeval tv;
	int r;

	pd = calloc(1, sizeof(*pd));
	if (pd == NULL)
		pd_die("out of memory");
	pthread_mutex_init(&pd->lock, NULL);
	pthread_cond_init(&pd->cond, NULL);
	pthread_cond_init(&pd->sync, NULL);
	pd->main_thread = pthread_self();
	sf_tcp_conf_defaults(&pd->conf);
	pd->conf.max_conns = 64;
	pd->conf.max_timewait = 64;
	pd->our_ip = htonl(0xc6120002);		/* 198.18.0.2 */
	pd->peer_ip = htonl(0xc6120001);	/* 198.18.0.1 */
	pd_flags(pd, flags);

	pd_eal_init();
	gettimeofday(&tv, NULL);
	pd->base_us = (uint64_t)tv.tv_sec * PD_US_PER_S +
		(uint64_t)tv.tv_usec;
	pd->pool = rte_pktmbuf_pool_create("sf_pd_pool", PD_POOL_SIZE, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	pd->ifc = rte_zmalloc(NULL, sizeof(*pd->ifc), RTE_CACHE_LINE_SIZE);
	if (pd->pool == NULL || pd->ifc == NULL)
		pd_die("no memory for the mbuf pool");
	pd->w = sf_worker_create(0, rte_lcore_id(), pd->pool);
	if (pd->w == NULL)
		pd_die("sf_worker_create failed");
	pd->ifc->port_id = 0;
	pd->ifc->mac = pd_our_mac;
	pd->ifc->addrs[0] = pd->our_ip;
	pd->ifc->nb_addrs = 1;
	pd->ifc->prefix_len = 0;
	pd->ifc->netmask = 0;		/* every address on link */
	pd->ifc->arp_timeout = 3600 * PD_US_PER_S;
	pd->ifc->arp_retry = PD_US_PER_S;
	pd->ifc->arp_retries = 3;
	pd->w->hz = PD_US_PER_S;
	pd->w->app = pd;
	pd->w->tx_flush = pd_tx_capture;
	pd_set_worker_clock(pd);
	if (sf_worker_add_port(pd->w, pd->ifc, 0, true) != 0)
		pd_die("sf_worker_add_port failed");
	pd->wp = &pd->w->ports[0];
	r = sf_tcp_init(pd->w, &pd->conf, SOCKET_ID_ANY);
	if (r != 0) {
		fprintf(stderr, PD_NAME ": sf_tcp_init: %s\n", strerror(-r));
		exit(EXIT_FAILURE);
	}
	pd_set_worker_clock(pd);
	sf_tcp_poll(pd->w);
	/* The script's host is known before the first packet, as on a
	 * LAN that has talked before. */
	pthread_mutex_lock(&pd->lock);
	pd_arp_answer(pd, pd->peer_ip, RTE_ARP_OP_REQUEST);
	while (pd_outq_pop(pd, &f))	/* our ARP reply to that */
		rte_pktmbuf_free(f.m);
	pthread_mutex_unlock(&pd->lock);

	memset(ifc, 0, sizeof(*ifc));
	ifc->userdata = pd;
	ifc->free = pd_free;
	ifc->socket = pd_socket;
	ifc->bind = pd_bind;
	ifc->listen = pd_listen;
	ifc->accept = pd_accept;
	ifc->connect = pd_connect;
	ifc->read = pd_read;
	ifc->readv = pd_readv;
	ifc->recv = pd_recv;
	ifc->recvfrom = pd_recvfrom;
	ifc->recvmsg = pd_recvmsg;
	ifc->write = pd_write;
	ifc->writev = pd_writev;
	ifc->send = pd_send;
	ifc->sendto = pd_sendto;
	ifc->sendmsg = pd_sendmsg;
	ifc->fcntl = pd_fcntl;
	ifc->ioctl = pd_ioctl;
	ifc->close = pd_close;
	ifc->shutdown = pd_shutdown;
	ifc->getsockopt = pd_getsockopt;
	ifc->setsockopt = pd_setsockopt;
	ifc->poll = pd_poll;
	ifc->netdev_send = pd_netdev_send;
	ifc->netdev_receive = pd_netdev_receive;
	ifc->usleep = pd_usleep;
	ifc->gettimeofday = pd_gettimeofday;
	ifc->epoll_create = pd_epoll_create;
	ifc->epoll_ctl = pd_epoll_ctl;
	ifc->epoll_wait = pd_epoll_wait;
	ifc->pipe = pd_pipe;
	ifc->splice = pd_splice;
}
