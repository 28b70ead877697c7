/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapng capture, both sides. sf_capture_burst() runs on the workers (hot
 * path, only while a capture runs): filter, rte_pcapng_copy into the
 * capture's own pool, single-producer enqueue to the worker's own ring.
 * Everything else is control plane (the main lcore): open, drain the rings
 * to the file, close.
 *
 * Handing a ring to a worker and taking it back never puts an atomic on
 * the per-burst path: the control plane writes w->cap_req and the worker
 * copies it into w->cap at housekeeping, between bursts. So once w->cap
 * reads NULL, that worker holds no pointer into the capture any more and
 * its pool and ring can be freed. A worker that does not run (not yet
 * launched, or stopped) or whose loop is the caller itself is switched
 * directly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pcapng.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_version.h>

#include "sf_capture.h"
#include "sf_common.h"
#include "sf_log.h"
#include "sf_worker.h"

/* Copies enqueued at once by a worker, and dequeued at once to the file. */
#define CAP_BURST 32
#define CAP_POOL_CACHE 64
/* How long sf_capture_stop waits for running workers to let go: they do
 * at their next housekeeping, every millisecond, unless stalled. */
#define CAP_STOP_WAIT_US 1000000
#define CAP_STOP_STEP_US 200

/* rte_pcapng changed twice after 22.11: 23.03 added interface blocks on
 * request and a per-packet comment, 23.11 dropped the timestamp argument
 * (it reads the TSC itself), 25.11 added the link type. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
#define cap_copy(port, q, m, mp, len, tsc, dir) \
	((void)(tsc), rte_pcapng_copy(port, q, m, mp, len, dir, NULL))
#elif RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define cap_copy(port, q, m, mp, len, tsc, dir) \
	rte_pcapng_copy(port, q, m, mp, len, tsc, dir, NULL)
#else
#define cap_copy(port, q, m, mp, len, tsc, dir) \
	rte_pcapng_copy(port, q, m, mp, len, tsc, dir)
#endif

/* The wall clock at a TSC reading, taken when the capture starts: each
 * frame's time is computed from it. rte_pcapng's own conversion cannot
 * be trusted in 22.11: its constructor reads the TSC rate before EAL has
 * measured it, and the frames came out dated years away (issue 25). */
struct cap_clock {
	uint64_t tsc;
	uint64_t ns;			/* CLOCK_REALTIME at tsc */
	uint64_t hz;
};

/* One worker's share: read by that worker every burst while the capture
 * runs; the counters are written by it alone. */
struct sf_capture_wk {
	struct rte_ring *ring;		/* SP/SC: this worker -> the writer */
	struct rte_mempool *mp;		/* the capture's pool, shared */
	struct sf_capture_filter filter;
	struct cap_clock clock;
	uint16_t tcp_port_be;		/* filter.tcp_port, network order */
	uint32_t snaplen;		/* UINT32_MAX: whole frames */
	uint64_t drop_ring;
	uint64_t drop_nombuf;
} SF_CACHE_ALIGNED;

/* Control-plane state. The lock serialises the control calls with
 * sf_capture_stats from other threads (telemetry, console). */
static struct {
	pthread_mutex_t lock;
	bool active;			/* also read without the lock */
	bool done;			/* a limit was hit or a write failed */
	unsigned int gen;		/* makes pool and ring names unique */
	rte_pcapng_t *pcapng;
	struct rte_mempool *mp;
	unsigned int nb;
	struct sf_worker *workers[SF_MAX_WORKERS];
	struct sf_capture_wk *wk[SF_MAX_WORKERS];
	uint64_t max_packets;
	uint64_t max_bytes;
	struct sf_capture_stats st;	/* drop_ring/nombuf added at stop */
} cap = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* ---- worker side (hot path) --------------------------------------------*/

static inline bool
cap_match(const struct sf_capture_wk *cw, uint16_t port_id,
	  const struct rte_mbuf *m)
{
	const struct sf_capture_filter *f = &cw->filter;
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t off = sizeof(struct rte_ether_hdr);
	const struct rte_ipv4_hdr *ip;
	const struct rte_arp_hdr *arp;
	const struct rte_tcp_hdr *th;
	uint16_t type;

	if (f->port != SF_CAPTURE_ANY_PORT && f->port != port_id)
		return false;
	if (f->host == 0 && !f->tcp)
		return true;
	/* The headers are in the first segment: the PMDs put them there on
	 * RX and synfin builds them there on TX. */
	if (len < off)
		return false;
	type = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (len < off + sizeof(struct rte_vlan_hdr))
			return false;
		type = rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *,
					       off)->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		if (f->tcp || len < off + sizeof(*arp))
			return false;
		arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
					      off);
		return arp->arp_data.arp_sip == f->host ||
			arp->arp_data.arp_tip == f->host;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || len < off + sizeof(*ip))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, off);
	if (f->host != 0 && ip->src_addr != f->host && ip->dst_addr != f->host)
		return false;
	if (!f->tcp)
		return true;
	/* a fragment past the first carries no TCP header */
	if (ip->next_proto_id != IPPROTO_TCP ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	if (cw->tcp_port_be == 0)
		return true;
	off += rte_ipv4_hdr_len(ip);
	if (len < off + 2 * sizeof(uint16_t))
		return false;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, off);
	return th->src_port == cw->tcp_port_be ||
		th->dst_port == cw->tcp_port_be;
}

static void
cap_enqueue(struct sf_capture_wk *cw, struct rte_mbuf **c, unsigned int k)
{
	unsigned int done;

	done = rte_ring_sp_enqueue_burst(cw->ring, (void **)c, k, NULL);
	if (unlikely(done < k)) {
		rte_pktmbuf_free_bulk(c + done, k - done);
		cw->drop_ring += k - done;
	}
}

/* Nanoseconds since the epoch at TSC reading @tsc. */
static inline uint64_t
cap_ns(const struct cap_clock *k, uint64_t tsc)
{
	uint64_t d = tsc - k->tsc;

	if ((int64_t)d < 0)	/* another core's TSC a hair behind */
		return k->ns;
	return k->ns + d / k->hz * NS_PER_S + d % k->hz * NS_PER_S / k->hz;
}

/* Date the Enhanced Packet Block that rte_pcapng_copy() put at the head
 * of @m (pcapng: block type, length, interface id, then the timestamp's
 * upper and lower 32 bits, in the interface's resolution: ns, as
 * rte_pcapng declares it). */
static inline void
cap_stamp(struct rte_mbuf *m, uint64_t ns)
{
	uint32_t t[2] = { (uint32_t)(ns >> 32), (uint32_t)ns };

	if (likely(rte_pktmbuf_data_len(m) >= 20))
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 12), t,
		       sizeof(t));
}

void
sf_capture_burst(struct sf_worker *w, const struct sf_wport *wp,
		 struct rte_mbuf *const *pkts, uint16_t n, bool out)
{
	struct sf_capture_wk *cw = w->cap;
	enum rte_pcapng_direction dir = out ? RTE_PCAPNG_DIRECTION_OUT :
		RTE_PCAPNG_DIRECTION_IN;
	struct rte_mbuf *copies[CAP_BURST];
	unsigned int i, k = 0;
	uint64_t tsc, ns;

	if (n == 0)
		return;
	/* one timestamp per burst: the frames of a burst arrived together */
	tsc = rte_rdtsc();
	ns = cap_ns(&cw->clock, tsc);
	for (i = 0; i < n; i++) {
		if (!cap_match(cw, wp->port_id, pkts[i]))
			continue;
		copies[k] = cap_copy(wp->port_id, wp->queue_id, pkts[i],
				     cw->mp, cw->snaplen, tsc, dir);
		if (unlikely(copies[k] == NULL)) {
			cw->drop_nombuf++;
			continue;
		}
		cap_stamp(copies[k], ns);
		if (++k == CAP_BURST) {
			cap_enqueue(cw, copies, k);
			k = 0;
		}
	}
	if (k != 0)
		cap_enqueue(cw, copies, k);
}

/* ---- filter -------------------------------------------------------------*/

void
sf_capture_filter_init(struct sf_capture_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->port = SF_CAPTURE_ANY_PORT;
}

static int
filter_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

#define FILTER_MAX_WORDS 16

int
sf_capture_filter_parse(const char *expr, struct sf_capture_filter *f,
			char *err, size_t errlen)
{
	char buf[256], *tok[FILTER_MAX_WORDS], *save = NULL, *t;
	bool has_host = false, has_port = false, has_iface = false;
	struct sf_capture_filter nf;
	unsigned int nt = 0, i;
	struct in_addr a;
	uint32_t v;

	sf_capture_filter_init(&nf);
	if (expr == NULL)
		expr = "";
	if (strlen(expr) >= sizeof(buf)) {
		snprintf(err, errlen, "capture filter longer than %zu "
			 "characters", sizeof(buf) - 1);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", expr);
	for (t = strtok_r(buf, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save)) {
		if (nt == FILTER_MAX_WORDS) {
			snprintf(err, errlen, "capture filter '%s': more "
				 "than %u words", expr, FILTER_MAX_WORDS);
			return -EINVAL;
		}
		tok[nt++] = t;
	}
	for (i = 0; i < nt; i++) {
		t = tok[i];
		if (strcmp(t, "and") == 0 && i > 0 && i + 1 < nt)
			continue;
		if (strcmp(t, "tcp") == 0) {	/* alone, or "tcp port P" */
			nf.tcp = true;
			continue;
		}
		if (strcmp(t, "host") == 0) {
			if (has_host || i + 1 == nt ||
			    inet_pton(AF_INET, tok[i + 1], &a) != 1 ||
			    sf_ipv4_not_host(a.s_addr)) {
				snprintf(err, errlen, "capture filter '%s': %s",
					 expr, has_host ? "host given twice" :
					 "host needs an IPv4 host address");
				return -EINVAL;
			}
			nf.host = a.s_addr;
			has_host = true;
			i++;
			continue;
		}
		if (strcmp(t, "port") == 0) {
			if (has_port || i + 1 == nt ||
			    filter_u32(tok[i + 1], 1, 65535, &v) != 0) {
				snprintf(err, errlen, "capture filter '%s': %s",
					 expr, has_port ? "port given twice" :
					 "port needs a TCP port 1..65535");
				return -EINVAL;
			}
			nf.tcp_port = (uint16_t)v;
			nf.tcp = true;
			has_port = true;
			i++;
			continue;
		}
		if (strcmp(t, "iface") == 0) {
			if (has_iface || i + 1 == nt ||
			    filter_u32(tok[i + 1], 0, RTE_MAX_ETHPORTS - 1,
				       &v) != 0) {
				snprintf(err, errlen, "capture filter '%s': %s",
					 expr, has_iface ? "iface given twice" :
					 "iface needs a DPDK port number");
				return -EINVAL;
			}
			nf.port = (uint16_t)v;
			has_iface = true;
			i++;
			continue;
		}
		snprintf(err, errlen, "capture filter '%s': unknown word '%s' "
			 "(expected host A, port P, tcp, tcp port P, iface N, "
			 "joined by spaces or 'and')", expr, t);
		return -EINVAL;
	}
	*f = nf;
	return 0;
}

int
sf_capture_filter_str(const struct sf_capture_filter *f, char *buf,
		      size_t len)
{
	char ip[INET_ADDRSTRLEN], port[24] = "", tcp[24] = "", host[32] = "";

	if (f->port != SF_CAPTURE_ANY_PORT)
		snprintf(port, sizeof(port), "iface %u", f->port);
	if (f->tcp_port != 0)
		snprintf(tcp, sizeof(tcp), "tcp port %u", f->tcp_port);
	else if (f->tcp)
		snprintf(tcp, sizeof(tcp), "tcp");
	if (f->host != 0) {
		inet_ntop(AF_INET, &f->host, ip, sizeof(ip));
		snprintf(host, sizeof(host), "host %s", ip);
	}
	return snprintf(buf, len, "%s%s%s%s%s", port,
			port[0] != '\0' && tcp[0] != '\0' ? " " : "", tcp,
			(port[0] != '\0' || tcp[0] != '\0') &&
			host[0] != '\0' ? " " : "", host);
}

/* ---- control plane ------------------------------------------------------*/

/* Nobody else can be inside sf_capture_burst for @p w: the caller runs
 * w's loop itself, or w's lcore runs nothing. */
static bool
cap_worker_idle(const struct sf_worker *w)
{
	return w->lcore_id == rte_lcore_id() ||
		rte_eal_get_lcore_state(w->lcore_id) != RUNNING;
}

/* Hand @p cw (or NULL) to worker @p w. */
static void
cap_publish(struct sf_worker *w, struct sf_capture_wk *cw)
{
	__atomic_store_n(&w->cap_req, cw, __ATOMIC_RELEASE);
	if (cap_worker_idle(w))
		__atomic_store_n(&w->cap, cw, __ATOMIC_RELEASE);
}

/* Write @p n copies, within the limits; frees them all. Lock held. */
static void
cap_write(struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int keep = n, i;
	uint64_t size = 0;
	ssize_t wr;

	if (cap.done) {
		keep = 0;
	} else {
		if (cap.max_packets != 0 &&
		    cap.st.packets + keep > cap.max_packets)
			keep = (unsigned int)(cap.max_packets -
					      cap.st.packets);
		if (cap.max_bytes != 0) {
			for (i = 0; i < keep; i++) {
				size += rte_pktmbuf_pkt_len(pkts[i]);
				if (cap.st.bytes + size > cap.max_bytes)
					break;
			}
			keep = i;
		}
	}
	if (keep != 0) {
		wr = rte_pcapng_write_packets(cap.pcapng, pkts,
					      (uint16_t)keep);
		if (wr < 0) {
			cap.st.write_errors += keep;
			if (!cap.done)
				SF_LOG(ERR, main, "capture %s: write failed: "
				       "%s; stopping the capture", cap.st.file,
				       rte_strerror(rte_errno));
			cap.done = true;
		} else {
			cap.st.packets += keep;
			cap.st.bytes += (uint64_t)wr;
		}
	}
	if (keep < n) {
		cap.st.drop_limit += n - keep;
		cap.done = true;
	}
	/* rte_pcapng_write_packets leaves the mbufs to the caller */
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Move what @p r holds now to the file; bounded by the ring's size, so a
 * worker that keeps producing cannot hold the writer here. */
static void
cap_drain_ring(struct rte_ring *r)
{
	struct rte_mbuf *pkts[CAP_BURST];
	unsigned int n, rounds = rte_ring_get_size(r) / CAP_BURST + 1;

	while (rounds-- > 0) {
		n = rte_ring_sc_dequeue_burst(r, (void **)pkts, CAP_BURST,
					      NULL);
		if (n == 0)
			break;
		cap_write(pkts, n);
	}
}

static void
cap_drain_all(void)
{
	unsigned int i;

	for (i = 0; i < cap.nb; i++)
		cap_drain_ring(cap.wk[i]->ring);
}

static void
cap_free(void)
{
	unsigned int i;

	for (i = 0; i < cap.nb; i++) {
		if (cap.wk[i] == NULL)
			continue;
		rte_ring_free(cap.wk[i]->ring);
		rte_free(cap.wk[i]);
		cap.wk[i] = NULL;
	}
	rte_mempool_free(cap.mp);
	cap.mp = NULL;
	cap.nb = 0;
}

static int
cap_open(const struct sf_capture_conf *cc)
{
	char os[160], app[96], comment[160];
	struct utsname u;
	off_t at;
	int fd;

	fd = open(cc->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	else
		snprintf(os, sizeof(os), "Linux");
	snprintf(app, sizeof(app), "synfin (%s)", rte_version());
	snprintf(comment, sizeof(comment), "synfin capture, filter: %s",
		 cap.st.filter[0] != '\0' ? cap.st.filter : "(all)");
	/* 22.11 writes an interface block for every ethdev here; later
	 * releases want them added one by one. */
	cap.pcapng = rte_pcapng_fdopen(fd, os, NULL, app, comment);
	if (cap.pcapng == NULL) {
		close(fd);
		return rte_errno != 0 ? -rte_errno : -EIO;
	}
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
#if RTE_VERSION >= RTE_VERSION_NUM(25, 11, 0, 0)
		if (rte_pcapng_add_interface(cap.pcapng, pid, DLT_EN10MB,
					     NULL, NULL,
					     cap.st.filter) < 0) {
#else
		if (rte_pcapng_add_interface(cap.pcapng, pid, NULL, NULL,
					     cap.st.filter) < 0) {
#endif
			rte_pcapng_close(cap.pcapng);
			cap.pcapng = NULL;
			return -EIO;
		}
	}
#endif
	at = lseek(fd, 0, SEEK_CUR);
	cap.st.bytes = at > 0 ? (uint64_t)at : 0;
	return 0;
}

/* The wall clock against the TSC: the TSC read on both sides of the
 * clock_gettime(), halved, as the two readings bracket it. */
static int
cap_clock_now(struct cap_clock *k)
{
	struct timespec ts;
	uint64_t t0;

	k->hz = rte_get_tsc_hz();
	if (k->hz == 0)
		return -EINVAL;
	t0 = rte_rdtsc();
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return -errno;
	k->tsc = t0 + (rte_rdtsc() - t0) / 2;
	k->ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	return 0;
}

int
sf_capture_start(const struct sf_capture_conf *cc,
		 struct sf_worker *const *workers, unsigned int nb)
{
	uint32_t ring_size, frame, room, nb_mbufs;
	struct sf_capture_wk *cw;
	struct cap_clock clock;
	char name[RTE_RING_NAMESIZE];
	unsigned int i;
	int socket, rc;

	if (cc == NULL || cc->file == NULL || cc->file[0] == '\0' ||
	    workers == NULL || nb == 0 || nb > SF_MAX_WORKERS ||
	    cc->ring_size > (1u << 20) ||
	    (cc->filter.port != SF_CAPTURE_ANY_PORT &&
	     !rte_eth_dev_is_valid_port(cc->filter.port)) ||
	    strlen(cc->file) >= sizeof(cap.st.file))
		return -EINVAL;
	for (i = 0; i < nb; i++)
		if (workers[i] == NULL)
			return -EINVAL;
	ring_size = rte_align32pow2(cc->ring_size != 0 ? cc->ring_size :
				    SF_CAPTURE_RING_DEFAULT);
	/* rte_pcapng_copy wants the EPB header in the headroom and its
	 * trailer in the tailroom of the last segment: size the mbufs for
	 * a whole frame (or the snap length), longer frames are chained. */
	frame = cc->snaplen != 0 ? RTE_MIN(cc->snaplen, 9216u) :
		SF_CAPTURE_FRAME_DEFAULT;
	room = RTE_MIN(RTE_PKTMBUF_HEADROOM + rte_pcapng_mbuf_size(frame),
		       (uint32_t)UINT16_MAX);
	/* every ring full, plus each worker's batch in hand and what the
	 * per-lcore caches may hold */
	nb_mbufs = nb * (ring_size + CAP_BURST) +
		rte_lcore_count() * CAP_POOL_CACHE * 2;

	pthread_mutex_lock(&cap.lock);
	if (cap.active) {
		pthread_mutex_unlock(&cap.lock);
		return -EBUSY;
	}
	memset(&cap.st, 0, sizeof(cap.st));
	snprintf(cap.st.file, sizeof(cap.st.file), "%s", cc->file);
	sf_capture_filter_str(&cc->filter, cap.st.filter,
			      sizeof(cap.st.filter));
	cap.gen++;
	snprintf(name, sizeof(name), "sf_cap%u", cap.gen);
	cap.mp = rte_pktmbuf_pool_create(name, nb_mbufs, CAP_POOL_CACHE, 0,
					 (uint16_t)room, SOCKET_ID_ANY);
	if (cap.mp == NULL) {
		SF_LOG(ERR, main, "capture: cannot create %u mbufs of %u "
		       "bytes: %s", nb_mbufs, room, rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto fail;
	}
	cap.nb = nb;
	rc = cap_clock_now(&clock);
	if (rc != 0)
		goto fail;
	for (i = 0; i < nb; i++) {
		socket = (int)rte_lcore_to_socket_id(workers[i]->lcore_id);
		cw = rte_zmalloc_socket("sf_capture_wk", sizeof(*cw),
					RTE_CACHE_LINE_SIZE, socket);
		cap.wk[i] = cw;
		if (cw == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		snprintf(name, sizeof(name), "sf_cap%u_%u", cap.gen, i);
		cw->ring = rte_ring_create(name, ring_size, socket,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (cw->ring == NULL) {
			SF_LOG(ERR, main, "capture: ring %s: %s", name,
			       rte_strerror(rte_errno));
			rc = -ENOMEM;
			goto fail;
		}
		cw->mp = cap.mp;
		cw->filter = cc->filter;
		cw->tcp_port_be = rte_cpu_to_be_16(cc->filter.tcp_port);
		cw->snaplen = cc->snaplen != 0 ? cc->snaplen : UINT32_MAX;
		cw->clock = clock;
		cap.workers[i] = workers[i];
	}
	rc = cap_open(cc);
	if (rc != 0) {
		SF_LOG(ERR, main, "capture: cannot write %s: %s", cc->file,
		       strerror(-rc));
		goto fail;
	}
	cap.max_packets = cc->max_packets;
	cap.max_bytes = cc->max_bytes;
	cap.done = false;
	__atomic_store_n(&cap.active, true, __ATOMIC_RELEASE);
	for (i = 0; i < nb; i++)
		cap_publish(cap.workers[i], cap.wk[i]);
	if (cc->snaplen != 0)
		snprintf(name, sizeof(name), "%u bytes", cc->snaplen);
	else
		snprintf(name, sizeof(name), "whole frames");
	SF_LOG(INFO, main, "capture to %s started: %u worker(s), filter '%s'"
	       ", ring %u, snaplen %s", cap.st.file, nb, cap.st.filter,
	       ring_size, name);
	pthread_mutex_unlock(&cap.lock);
	return 0;
fail:
	cap_free();
	pthread_mutex_unlock(&cap.lock);
	return rc;
}

int
sf_capture_stats_str(const struct sf_capture_stats *st, char *buf, size_t len)
{
	return snprintf(buf, len, "%" PRIu64 " frames, %" PRIu64 " bytes "
			"written; dropped: ring full %" PRIu64 ", no mbuf %"
			PRIu64 ", past the limit %" PRIu64 "; write errors %"
			PRIu64, st->packets, st->bytes, st->drop_ring,
			st->drop_nombuf, st->drop_limit, st->write_errors);
}

static int
cap_stop_locked(void)
{
	char line[256];
	unsigned int i, waited = 0;
	bool all, stuck = false;

	for (i = 0; i < cap.nb; i++)
		cap_publish(cap.workers[i], NULL);
	/* Keep draining while waiting, so that the workers' last copies
	 * still find room. */
	for (;;) {
		all = true;
		for (i = 0; i < cap.nb; i++)
			if (__atomic_load_n(&cap.workers[i]->cap,
					    __ATOMIC_ACQUIRE) != NULL &&
			    !cap_worker_idle(cap.workers[i]))
				all = false;
		if (all)
			break;
		if (waited >= CAP_STOP_WAIT_US) {
			stuck = true;
			break;
		}
		cap_drain_all();
		rte_delay_us_sleep(CAP_STOP_STEP_US);
		waited += CAP_STOP_STEP_US;
	}
	cap_drain_all();
	for (i = 0; i < cap.nb; i++) {
		cap.st.drop_ring += __atomic_load_n(&cap.wk[i]->drop_ring,
						    __ATOMIC_RELAXED);
		cap.st.drop_nombuf += __atomic_load_n(&cap.wk[i]->drop_nombuf,
						      __ATOMIC_RELAXED);
	}
	rte_pcapng_close(cap.pcapng);
	cap.pcapng = NULL;
	__atomic_store_n(&cap.active, false, __ATOMIC_RELEASE);
	sf_capture_stats_str(&cap.st, line, sizeof(line));
	SF_LOG(INFO, main, "capture to %s stopped: %s", cap.st.file, line);
	if (stuck) {
		/* A worker may still write into them: leak, never free. */
		SF_LOG(WARNING, main, "capture: a worker did not let go of "
		       "its ring within %u ms; its pool and rings stay "
		       "allocated", CAP_STOP_WAIT_US / 1000);
		for (i = 0; i < cap.nb; i++)
			cap.wk[i] = NULL;
		cap.mp = NULL;
		cap.nb = 0;
		return -ETIMEDOUT;
	}
	cap_free();
	return 0;
}

int
sf_capture_stop(void)
{
	int rc;

	pthread_mutex_lock(&cap.lock);
	rc = cap.active ? cap_stop_locked() : -ENOENT;
	pthread_mutex_unlock(&cap.lock);
	return rc;
}

void
sf_capture_poll(void)
{
	if (!__atomic_load_n(&cap.active, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&cap.lock);
	if (cap.active) {
		cap_drain_all();
		if (cap.done) {
			SF_LOG(INFO, main, "capture to %s: %s", cap.st.file,
			       cap.st.write_errors != 0 ? "write error" :
			       "limit reached");
			cap_stop_locked();
		}
	}
	pthread_mutex_unlock(&cap.lock);
}

bool
sf_capture_active(void)
{
	return __atomic_load_n(&cap.active, __ATOMIC_ACQUIRE);
}

void
sf_capture_stats(struct sf_capture_stats *st)
{
	unsigned int i;

	pthread_mutex_lock(&cap.lock);
	*st = cap.st;
	st->active = cap.active;
	if (cap.active) {
		for (i = 0; i < cap.nb; i++) {
			st->drop_ring += __atomic_load_n(&cap.wk[i]->drop_ring,
							 __ATOMIC_RELAXED);
			st->drop_nombuf += __atomic_load_n(
				&cap.wk[i]->drop_nombuf, __ATOMIC_RELAXED);
		}
	}
	pthread_mutex_unlock(&cap.lock);
}
