/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the packet input path, Ethernet to IPv4 to TCP, of
 * one worker whose TCP holds live state. Each input starts from the same
 * state, built afresh: an app (echo on port 7, or HTTP on port 80) on
 * the listener, three connections ESTABLISHED by feeding their handshakes
 * (peer ports 40000-40002), and one active open of ours to 198.18.0.1:6000
 * in SYN_SENT. The ISN key and the clock are fixed, so an input always
 * does the same thing.
 *
 * Input: one config byte, then records until the input ends:
 *   op 0: a raw frame: len (2 bytes, LE), then the frame's bytes;
 *   op 1: a TCP segment, correct IPv4 header and checksums made here:
 *         sel (1 byte), len (2 bytes, LE), then the TCP header and data;
 *         sel & 7 picks the tuple (0-2 the established peers, 3 a new
 *         peer of the listener, 4 a closed port, 5 the peer of our active
 *         open, 6-7 the ports as written); sel & 0x10 adds to seq and ack
 *         what the engine last said it expects (its ACK) and sent (its
 *         seq + len), so the fuzzer lands in the window; sel & 0x40
 *         spoils the TCP checksum;
 *   op 2: advance the clock by a 2-byte (LE) number of ms, timers run;
 *   op 3: an application call on our active open (send, close, shutdown,
 *         abort, or a new connect when it is gone): 1 byte.
 * Oracles, beyond the sanitizers: every IPv4 frame the engine sends has
 * valid checksums and lengths; after sf_tcp_fini every mbuf is back in
 * the pool and every state gauge is 0.
 */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "sf_app.h"
#include "sf_eal.h"
#include "sf_log.h"
#include "sf_net.h"
#include "sf_tcp.h"
#include "sf_worker.h"
#include "tcp_priv.h"

#define FZ_POOL_SIZE 2047
#define FZ_HZ 1000000000ULL
#define FZ_OUR_IP RTE_BE32(UINT32_C(0xc6120002))	/* 198.18.0.2 */
#define FZ_PEER_IP RTE_BE32(UINT32_C(0xc6120001))	/* 198.18.0.1 */
#define FZ_PEER_PORT 40000
#define FZ_NB_ESTAB 3
#define FZ_ACTIVE_SPORT 50000
#define FZ_ACTIVE_DPORT 6000
#define FZ_CLOSED_PORT 9
#define FZ_MAX_FRAME 1600
/* Virtual time per input: the timer wheel costs one step per ms, so the
 * timeouts below are shortened to fit several lifetimes into it. */
#define FZ_MAX_ADVANCE_MS 30000
#define FZ_FINAL_MS 2500	/* run at the end of every input */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct rte_ether_addr our_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr peer_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };

/* What the engine last said on a tuple, by peer port slot. */
struct fz_track {
	uint16_t peer_port;	/* host order, 0: unused */
	uint32_t seq_next;	/* its seq + len (+SYN/FIN) */
	uint32_t ack;		/* its ACK: what it expects next */
};

static struct {
	struct rte_mempool *pool;
	struct sf_iface *ifc;
	struct sf_worker *w;
	struct sf_wport *wp;
	uint16_t app_port;	/* host order */
	struct sf_conn *active;	/* our active open, NULL when gone */
	struct fz_track track[8];
	uint64_t advanced_ms;
} fz;

static void
fz_die(const char *what)
{
	fprintf(stderr, "fuzz_packet: %s\n", what);
	abort();
}

static struct fz_track *
fz_track_of(uint16_t peer_port)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(fz.track); i++)
		if (fz.track[i].peer_port == peer_port)
			return &fz.track[i];
	return NULL;
}

/* Check one frame the engine sent and remember its seq/ack. */
static void
fz_check_tx(const struct rte_mbuf *m)
{
	uint8_t flat[FZ_MAX_FRAME + 64];
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	struct fz_track *t;
	uint32_t hl, tl, len;
	const uint8_t *p;

	if (m->pkt_len > sizeof(flat))
		fz_die("frame sent longer than an MTU");
	p = rte_pktmbuf_read(m, 0, m->pkt_len, flat);
	if (p == NULL || m->pkt_len < sizeof(*eh))
		fz_die("frame sent shorter than Ethernet");
	eh = (const struct rte_ether_hdr *)p;
	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return;
	if (m->pkt_len < sizeof(*eh) + sizeof(*ip))
		fz_die("IPv4 frame sent shorter than its header");
	if (p != flat)
		memcpy(flat, p, m->pkt_len);
	ip = (const struct rte_ipv4_hdr *)(flat + sizeof(*eh));
	hl = (ip->version_ihl & 0xf) * 4u;
	tl = rte_be_to_cpu_16(ip->total_length);
	if (ip->version_ihl >> 4 != 4 || hl < 20 ||
	    tl + sizeof(*eh) != m->pkt_len)
		fz_die("IPv4 header sent with bad version or lengths");
	if (rte_raw_cksum(ip, hl) != 0xffff)
		fz_die("IPv4 header checksum sent wrong");
	if (ip->next_proto_id != IPPROTO_TCP)
		return;
	if (tl < hl + sizeof(*th))
		fz_die("TCP segment sent shorter than its header");
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + hl);
	if ((th->data_off >> 4) * 4u < sizeof(*th) ||
	    (th->data_off >> 4) * 4u > tl - hl)
		fz_die("TCP data offset sent wrong");
	if (rte_ipv4_udptcp_cksum_verify(ip, th) != 0)
		fz_die("TCP checksum sent wrong");
	t = fz_track_of(rte_be_to_cpu_16(th->dst_port));
	if (t == NULL)
		return;
	len = tl - hl - (th->data_off >> 4) * 4u;
	t->seq_next = rte_be_to_cpu_32(th->sent_seq) + len +
		!!(th->tcp_flags & RTE_TCP_SYN_FLAG) +
		!!(th->tcp_flags & RTE_TCP_FIN_FLAG);
	if (th->tcp_flags & RTE_TCP_ACK_FLAG)
		t->ack = rte_be_to_cpu_32(th->recv_ack);
}

/* The worker's tx_flush: check each frame, then free it. */
static void
fz_tx(struct sf_worker *w, struct sf_wport *wp)
{
	uint16_t i;

	for (i = 0; i < wp->tx.len; i++) {
		fz_check_tx(wp->tx.pkts[i]);
		rte_pktmbuf_free(wp->tx.pkts[i]);
		w->stats.tx_pkts++;
	}
	wp->tx.len = 0;
	wp->tx.bytes = 0;
}

static void
fz_input_frame(const void *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.pool);
	char *p;

	if (m == NULL)
		fz_die("mbuf pool empty: a leak");
	p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, frame, len);
	sf_eth_input(fz.w, fz.wp, m);
	sf_worker_flush(fz.w);
}

/* An IPv4 TCP frame from (saddr, sport) to (us, dport) around @p tcp. */
static void
fz_input_tcp(uint32_t saddr, uint16_t sport, uint16_t dport, uint8_t *tcp,
	     uint16_t len, bool bad_csum)
{
	uint8_t frame[FZ_MAX_FRAME];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	if (len > sizeof(frame) - sizeof(*eh) - sizeof(*ip))
		len = sizeof(frame) - sizeof(*eh) - sizeof(*ip);
	memset(frame, 0, sizeof(*eh) + sizeof(*ip));
	eh->dst_addr = our_mac;
	eh->src_addr = peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = saddr;
	ip->dst_addr = FZ_OUR_IP;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(th, tcp, len);
	if (len >= sizeof(*th)) {
		if (sport != 0)
			th->src_port = rte_cpu_to_be_16(sport);
		if (dport != 0)
			th->dst_port = rte_cpu_to_be_16(dport);
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
		if (bad_csum)
			th->cksum ^= 0x2222;
	}
	fz_input_frame(frame, (uint16_t)(sizeof(*eh) + sizeof(*ip) + len));
}

/* A handshake segment from peer port @p sport to the app's port. */
static void
fz_peer_seg(uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags,
	    uint8_t cfg)
{
	uint8_t seg[40];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	uint8_t *o = (uint8_t *)(th + 1);
	uint16_t olen = 0;

	memset(seg, 0, sizeof(seg));
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(65535);
	if (flags & RTE_TCP_SYN_FLAG) {
		/* MSS 1460, SACKOK, TS, NOP, WS 7: as Linux, by cfg bits */
		memcpy(o, (const uint8_t[]){ 2, 4, 0x05, 0xb4 }, 4);
		olen = 4;
		if (cfg & 0x10) {
			memcpy(o + olen, (const uint8_t[]){ 4, 2, 8, 10,
				0, 0, 0, 1, 0, 0, 0, 0 }, 12);
			olen += 12;
		}
		memcpy(o + olen, (const uint8_t[]){ 1, 3, 3, 7 }, 4);
		olen += 4;
	} else if (cfg & 0x10) {
		memcpy(o, (const uint8_t[]){ 1, 1, 8, 10, 0, 0, 0, 2,
			0, 0, 0, 0 }, 12);
		olen = 12;
	}
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	fz_input_tcp(FZ_PEER_IP, sport, fz.app_port, seg,
		     (uint16_t)(sizeof(*th) + olen), false);
}

static void
fz_learn_peer(void)
{
	uint8_t frame[sizeof(struct rte_ether_hdr) +
		      sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

	memset(frame, 0, sizeof(frame));
	eh->dst_addr = our_mac;
	eh->src_addr = peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	ah->arp_data.arp_sha = peer_mac;
	ah->arp_data.arp_sip = FZ_PEER_IP;
	ah->arp_data.arp_tip = FZ_OUR_IP;
	fz_input_frame(frame, sizeof(frame));
}

/* Our active open's callbacks: take everything, close when the peer
 * does, forget the handle when it is gone. */
static uint32_t
fz_recv(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m,
	uint32_t off, uint32_t len)
{
	(void)w;
	(void)c;
	(void)m;
	(void)off;
	return len;
}

static void
fz_peer_closed(struct sf_worker *w, struct sf_conn *c)
{
	sf_tcp_close(w, c);
}

static void
fz_closed(struct sf_worker *w, struct sf_conn *c, enum sf_close_reason why)
{
	(void)w;
	(void)why;
	if (c == fz.active)
		fz.active = NULL;
}

static const struct sf_tcp_app_ops fz_ops = {
	.recv = fz_recv,
	.peer_closed = fz_peer_closed,
	.closed = fz_closed,
};

static void
fz_connect(void)
{
	struct sf_conn *c = NULL;

	if (sf_tcp_connect(fz.w, 0, FZ_OUR_IP, FZ_ACTIVE_SPORT, FZ_PEER_IP,
			   FZ_ACTIVE_DPORT, &fz_ops, NULL, &c) == 0)
		fz.active = c;
	sf_worker_flush(fz.w);
}

static void
fz_advance(uint64_t ms)
{
	uint64_t step;

	if (fz.advanced_ms + ms > FZ_MAX_ADVANCE_MS)
		ms = FZ_MAX_ADVANCE_MS - fz.advanced_ms;
	fz.advanced_ms += ms;
	while (ms > 0) {
		step = ms > 10 ? 10 : ms;
		fz.w->now += step * (FZ_HZ / 1000);
		sf_tcp_poll(fz.w);
		if (fz.w->app_poll != NULL)
			fz.w->app_poll(fz.w);
		sf_worker_flush(fz.w);
		ms -= step;
	}
}

/* The state every input starts from. */
static void
fz_setup(uint8_t cfg)
{
	struct sf_http_conf hc;
	struct sf_tcp_conf conf;
	struct fz_track *t;
	unsigned int i;

	memset(fz.ifc, 0, sizeof(*fz.ifc));
	fz.ifc->port_id = 0;
	fz.ifc->mac = our_mac;
	fz.ifc->addrs[0] = FZ_OUR_IP;
	fz.ifc->nb_addrs = 1;
	fz.ifc->prefix_len = 24;
	fz.ifc->netmask = RTE_BE32(0xffffff00);
	fz.ifc->arp_timeout = 300 * FZ_HZ;
	fz.ifc->arp_retry = FZ_HZ;
	fz.ifc->arp_retries = 3;
	memset(&fz.w->stats, 0, sizeof(fz.w->stats));
	fz.w->now = FZ_HZ;
	fz.active = NULL;
	fz.advanced_ms = 0;
	memset(fz.track, 0, sizeof(fz.track));
	for (i = 0; i <= FZ_NB_ESTAB; i++)
		fz.track[i].peer_port = (uint16_t)(FZ_PEER_PORT + i);
	fz.track[FZ_NB_ESTAB + 1].peer_port = FZ_ACTIVE_DPORT;
	rte_srand(1);

	sf_tcp_conf_defaults(&conf);
	conf.max_conns = 16;
	conf.max_timewait = 16;
	conf.max_syn_backlog = 8;
	conf.ooo_max = 8;
	conf.rcvbuf = 16384;
	conf.sndbuf = 16384;
	conf.msl_ms = 500;
	conf.rto_init_ms = 300;
	conf.rto_min_ms = 50;
	conf.rto_max_ms = 2000;
	conf.retries = 4;
	conf.syn_retries = 2;
	conf.fin_wait_2_ms = 3000;
	conf.keepalive_ms = (cfg & 0x02) ? 1000 : 0;
	conf.keepalive_intvl_ms = 500;
	conf.keepalive_probes = 2;
	conf.delack_ms = (cfg & 0x02) ? 40 : 0;
	conf.sack_on = (cfg & 0x04) != 0;
	conf.wscale_on = (cfg & 0x08) != 0;
	conf.ts_on = (cfg & 0x10) != 0;
	conf.tlp_on = (cfg & 0x20) != 0;
	conf.syncookies = (cfg >> 6) % 3;
	if (sf_tcp_init(fz.w, &conf, SOCKET_ID_ANY) != 0)
		fz_die("sf_tcp_init failed");
	/* A fixed secret: the same input, the same ISNs. */
	memset(&fz.w->tcp->isn_key, 0x5a, sizeof(fz.w->tcp->isn_key));
	memset(&fz.w->tcp->cookie_key, 0xa5, sizeof(fz.w->tcp->cookie_key));
	sf_tcp_poll(fz.w);
	if (cfg & 0x01) {
		memset(&hc, 0, sizeof(hc));
		hc.port = 80;
		hc.body_size = 3000;
		hc.max_hdr = 1024;
		hc.keepalive = true;
		snprintf(hc.content_type, sizeof(hc.content_type),
			 "text/plain");
		if (sf_app_http_server(fz.w, &hc) != 0)
			fz_die("sf_app_http_server failed");
		fz.app_port = 80;
	} else {
		if (sf_app_echo_server(fz.w, 7) != 0)
			fz_die("sf_app_echo_server failed");
		fz.app_port = 7;
	}
	fz_learn_peer();
	for (i = 0; i < FZ_NB_ESTAB; i++) {
		t = &fz.track[i];
		fz_peer_seg(t->peer_port, 1000000u * (i + 1), 0,
			    RTE_TCP_SYN_FLAG, cfg);
		fz_peer_seg(t->peer_port, 1000000u * (i + 1) + 1,
			    t->seq_next, RTE_TCP_ACK_FLAG, cfg);
	}
	if (fz.w->tcp->nb_state[SF_TCP_ESTABLISHED] != FZ_NB_ESTAB)
		fz_die("the set-up handshakes did not establish");
	fz_connect();
	if (fz.active == NULL ||
	    fz.w->tcp->nb_state[SF_TCP_SYN_SENT] != 1)
		fz_die("the set-up active open is not in SYN_SENT");
}

static void
fz_teardown(void)
{
	uint64_t counts[SF_TCP_NB_STATES] = { 0 };
	unsigned int i;

	sf_tcp_fini(fz.w);
	sf_app_free(fz.w);
	sf_worker_flush(fz.w);
	sf_tcp_state_counts(fz.w, counts);
	for (i = 0; i < SF_TCP_NB_STATES; i++)
		if (counts[i] != 0)
			fz_die("a state gauge is not 0 after sf_tcp_fini");
	if (rte_mempool_avail_count(fz.pool) != FZ_POOL_SIZE)
		fz_die("mbufs leaked: the pool is not full after teardown");
}

/* One application call on our active open. */
static void
fz_app_call(uint8_t a)
{
	static const uint8_t junk[64 * 37];

	if (fz.active == NULL) {
		fz_connect();
		return;
	}
	switch (a & 3) {
	case 0:
		sf_tcp_send_copy(fz.w, fz.active, junk,
				 (uint32_t)(a >> 2) * 37u);
		break;
	case 1:
		sf_tcp_close(fz.w, fz.active);
		break;
	case 2:
		sf_tcp_shutdown(fz.w, fz.active);
		break;
	default:
		sf_tcp_abort(fz.w, fz.active);
		fz.active = NULL;
		break;
	}
	sf_worker_flush(fz.w);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[FZ_MAX_FRAME];
	const uint8_t *p = data, *end = data + size;
	struct fz_track *t;
	uint16_t len, sport, dport;
	uint32_t v;
	uint8_t op, sel;

	if (size < 1)
		return 0;
	fz_setup(*p++);
	while (p < end) {
		op = *p++ & 3;
		switch (op) {
		case 0:
		case 1:
			sel = 0;
			if (op == 1) {
				if (p >= end)
					break;
				sel = *p++;
			}
			if (end - p < 2)
				break;
			len = get16(p) % FZ_MAX_FRAME;
			p += 2;
			if (len > end - p)
				len = (uint16_t)(end - p);
			memset(buf, 0, sizeof(buf));
			memcpy(buf, p, len);
			p += len;
			if (op == 0) {
				fz_input_frame(buf, len);
				break;
			}
			if (len < sizeof(struct rte_tcp_hdr))
				len = sizeof(struct rte_tcp_hdr);
			sport = 0;
			dport = fz.app_port;
			switch (sel & 7) {
			case 0:
			case 1:
			case 2:
			case 3:
				sport = (uint16_t)(FZ_PEER_PORT + (sel & 7));
				break;
			case 4:
				sport = FZ_PEER_PORT + 7;
				dport = FZ_CLOSED_PORT;
				break;
			case 5:
				sport = FZ_ACTIVE_DPORT;
				dport = FZ_ACTIVE_SPORT;
				break;
			default:
				dport = 0;
				break;
			}
			t = sport != 0 ? fz_track_of(sport) : NULL;
			if ((sel & 0x10) && t != NULL) {
				struct rte_tcp_hdr *th =
					(struct rte_tcp_hdr *)buf;

				v = rte_be_to_cpu_32(th->sent_seq) + t->ack;
				th->sent_seq = rte_cpu_to_be_32(v);
				v = rte_be_to_cpu_32(th->recv_ack) +
					t->seq_next;
				th->recv_ack = rte_cpu_to_be_32(v);
			}
			fz_input_tcp(FZ_PEER_IP, sport, dport, buf, len,
				     (sel & 0x40) != 0);
			break;
		case 2:
			if (end - p < 2) {
				p = end;
				break;
			}
			fz_advance(get16(p));
			p += 2;
			break;
		default:
			if (p < end)
				fz_app_call(*p++);
			break;
		}
	}
	/* Let every timer that the input armed run its course a while. */
	fz.advanced_ms = 0;
	fz_advance(FZ_FINAL_MS);
	fz_teardown();
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = {
		"fuzz_packet", "--no-huge", "--no-pci", "-m", "256",
		"--no-shconf", "--no-telemetry", "-l", "0",
		"--log-level", "*:error",
		"--file-prefix", prefix, NULL,
	};
	int n = (int)RTE_DIM(eal) - 1;

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "sffuzz%d", (int)getpid());
	if (rte_eal_init(n, eal) < 0)
		fz_die("rte_eal_init failed");
	atexit(sf_eal_fini_clean);
	sf_log_init();
	sf_cksum_init();
	rte_log_set_global_level(RTE_LOG_EMERG);
	fz.pool = rte_pktmbuf_pool_create("fz_pool", FZ_POOL_SIZE, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	fz.ifc = rte_zmalloc(NULL, sizeof(*fz.ifc), RTE_CACHE_LINE_SIZE);
	fz.w = sf_worker_create(0, rte_lcore_id(), fz.pool);
	if (fz.pool == NULL || fz.ifc == NULL || fz.w == NULL)
		fz_die("pool, interface or worker allocation failed");
	fz.w->hz = FZ_HZ;
	fz.w->tx_flush = fz_tx;
	if (sf_worker_add_port(fz.w, fz.ifc, 0, true) != 0)
		fz_die("sf_worker_add_port failed");
	fz.wp = &fz.w->ports[0];
	return 0;
}
