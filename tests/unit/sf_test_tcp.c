/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "sf_stats.h"
#include "sf_test_tcp.h"

#define TEST_HZ 1000000000ULL

struct sf_test_app sf_app;

static void
app_established(struct sf_worker *w, struct sf_conn *c)
{
	sf_app.established++;
	sf_app.conn = c;
	if (sf_app.hello != NULL)
		assert_int_equal(sf_tcp_send_copy(w, c, sf_app.hello,
					(uint32_t)strlen(sf_app.hello)),
				 (int)strlen(sf_app.hello));
	if (sf_app.close_established)
		assert_int_equal(sf_tcp_close(w, c), 0);
}

static uint32_t
app_recv(struct sf_worker *w, struct sf_conn *c, struct rte_mbuf *m,
	 uint32_t off, uint32_t len)
{
	uint32_t room = sizeof(sf_app.rx) - sf_app.rx_len;
	const void *p;

	if (sf_app.refuse_data)
		return 0;
	if (len > room)
		len = room;
	p = rte_pktmbuf_read(m, off, len, sf_app.rx + sf_app.rx_len);
	assert_non_null(p);
	if (p != sf_app.rx + sf_app.rx_len)
		memcpy(sf_app.rx + sf_app.rx_len, p, len);
	sf_app.rx_len += len;
	if (sf_app.reply != NULL) {
		assert_int_equal(sf_tcp_send_copy(w, c, sf_app.reply,
					(uint32_t)strlen(sf_app.reply)),
				 (int)strlen(sf_app.reply));
		if (sf_app.reply_close)
			assert_int_equal(sf_tcp_close(w, c), 0);
	}
	return len;
}

static void
app_writable(struct sf_worker *w, struct sf_conn *c)
{
	(void)w;
	(void)c;
	sf_app.writable++;
}

static void
app_peer_closed(struct sf_worker *w, struct sf_conn *c)
{
	sf_app.peer_closed++;
	if (sf_app.close_on_peer_fin)
		sf_tcp_close(w, c);
}

static void
app_closed(struct sf_worker *w, struct sf_conn *c, enum sf_close_reason why)
{
	(void)w;
	(void)c;
	sf_app.closed++;
	sf_app.why = why;
	sf_app.conn = NULL;
}

const struct sf_tcp_app_ops sf_test_app_ops = {
	.established = app_established,
	.recv = app_recv,
	.writable = app_writable,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
};

void
sf_test_tcp_conf(struct sf_tcp_conf *conf)
{
	sf_tcp_conf_defaults(conf);
	conf->max_conns = 16;
	conf->max_timewait = 16;
	conf->msl_ms = 1000;
	conf->delack_ms = 0;
	conf->ts_on = false;
	conf->sack_on = false;
	conf->wscale_on = false;
	/* Buffers as set: the tests of autotuning turn it on. */
	conf->rcvbuf_max = 0;
	conf->sndbuf_max = 0;
}

int
sf_test_tcp_setup_conf(const struct sf_tcp_conf *conf)
{
	struct sf_tcp_conf def;

	if (sf_test_setup(NULL) != 0)
		return -1;
	if (conf == NULL) {
		sf_test_tcp_conf(&def);
		conf = &def;
	}
	memset(&sf_app, 0, sizeof(sf_app));
	if (sf_tcp_init(sf_t.w, conf, SOCKET_ID_ANY) != 0)
		return -1;
	sf_tcp_poll(sf_t.w);
	return 0;
}

int
sf_test_tcp_setup(void **state)
{
	(void)state;
	return sf_test_tcp_setup_conf(NULL);
}

int
sf_test_tcp_setup_listen_conf(const struct sf_tcp_conf *conf)
{
	if (sf_test_tcp_setup_conf(conf) != 0)
		return -1;
	return sf_tcp_listen(sf_t.w, SF_TEST_OUR_PORT, &sf_test_app_ops);
}

int
sf_test_tcp_setup_listen(void **state)
{
	(void)state;
	return sf_test_tcp_setup_listen_conf(NULL);
}

int
sf_test_tcp_teardown(void **state)
{
	sf_tcp_fini(sf_t.w);
	return sf_test_teardown(state);
}

void
sf_test_tcp_send(const struct sf_test_seg *s)
{
	uint8_t buf[2048];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)buf;
	uint16_t hlen = (uint16_t)(sizeof(*th) + s->optlen);
	struct rte_ipv4_hdr ip;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ipm;
	struct rte_tcp_hdr *thm;

	assert_true(hlen + s->len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	th->src_port = rte_cpu_to_be_16(s->sport ? s->sport :
					SF_TEST_PEER_PORT);
	th->dst_port = rte_cpu_to_be_16(s->dport ? s->dport :
					SF_TEST_OUR_PORT);
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = rte_cpu_to_be_16(s->wnd_zero ? 0 :
				      (s->wnd ? s->wnd : 65535));
	if (s->optlen)
		memcpy(th + 1, s->opts, s->optlen);
	if (s->len)
		memcpy(buf + hlen, s->data, s->len);
	m = sf_test_ipv4(&(struct sf_test_ip){ .proto = IPPROTO_TCP }, buf,
			 (uint16_t)(hlen + s->len));
	/* The TCP checksum needs the real IP header. */
	ipm = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	thm = (struct rte_tcp_hdr *)(ipm + 1);
	ip = *ipm;
	thm->cksum = 0;
	thm->cksum = rte_ipv4_udptcp_cksum(&ip, thm);
	if (s->bad_csum)
		thm->cksum ^= 0x1111;
	sf_test_input(m);
}

void
sf_test_tcp_out(unsigned int i, struct sf_test_out *out)
{
	struct rte_mbuf *m;
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t hlen, off;
	uint8_t flat[4096];
	const uint8_t *p;

	assert_true(i < sf_t.ncap);
	m = sf_t.cap[i];
	assert_true(m->pkt_len <= sizeof(flat));
	p = rte_pktmbuf_read(m, 0, m->pkt_len, flat);
	assert_non_null(p);
	eh = (struct rte_ether_hdr *)(uintptr_t)p;
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_memory_equal(&eh->dst_addr, &SF_TEST_PEER_MAC, 6);
	assert_memory_equal(&eh->src_addr, &SF_TEST_OUR_MAC, 6);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	assert_int_equal(ip->next_proto_id, IPPROTO_TCP);
	assert_int_equal(ip->src_addr, SF_TEST_OUR_IP);
	assert_int_equal(ip->dst_addr, SF_TEST_PEER_IP);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length) + 14,
			 m->pkt_len);
	th = (struct rte_tcp_hdr *)(ip + 1);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, th), 0);
	memset(out, 0, sizeof(*out));
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	out->seq = rte_be_to_cpu_32(th->sent_seq);
	out->ack = rte_be_to_cpu_32(th->recv_ack);
	out->flags = th->tcp_flags;
	out->wnd = rte_be_to_cpu_16(th->rx_win);
	out->sport = rte_be_to_cpu_16(th->src_port);
	out->dport = rte_be_to_cpu_16(th->dst_port);
	off = 14 + 20 + hlen;
	out->len = m->pkt_len - off;
	assert_int_equal(sf_tcp_opts_parse((const uint8_t *)(th + 1),
					   hlen - 20, &out->opts), 0);
	memcpy(out->data, p + off, RTE_MIN(out->len,
					   (uint32_t)sizeof(out->data)));
}

uint8_t
sf_test_tcp_opts(uint8_t *o, bool ts, uint32_t tsval, uint32_t tsecr,
		 uint32_t base, const uint32_t *b, unsigned int n)
{
	uint8_t len = 0;
	uint32_t v;
	unsigned int i;

	if (ts) {
		o[0] = 1;
		o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		v = rte_cpu_to_be_32(tsval);
		memcpy(o + 4, &v, 4);
		v = rte_cpu_to_be_32(tsecr);
		memcpy(o + 8, &v, 4);
		len = 12;
	}
	if (n == 0)
		return len;
	o[len] = 1;
	o[len + 1] = 1;
	o[len + 2] = 5;
	o[len + 3] = (uint8_t)(2 + 8 * n);
	len += 4;
	for (i = 0; i < 2 * n; i++) {
		v = rte_cpu_to_be_32(base + b[i]);
		memcpy(o + len, &v, 4);
		len += 4;
	}
	return len;
}

/* On a surprise, show what the engine counted: it usually says why. */
static void
dump_counters(void)
{
	const char *n;
	unsigned int i;

	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		if (sf_stats_get(&sf_t.w->stats, i) != 0)
			print_message("  %s %" PRIu64 "\n", n,
				      sf_stats_get(&sf_t.w->stats, i));
}

void
sf_test_tcp_expect_one(struct sf_test_out *out)
{
	sf_worker_flush(sf_t.w);
	if (sf_t.ncap != 1) {
		print_message("expected 1 segment, engine sent %u\n",
			      sf_t.ncap);
		dump_counters();
	}
	assert_int_equal(sf_t.ncap, 1);
	sf_test_tcp_out(0, out);
	sf_test_tx_clear();
}

void
sf_test_advance_ms(uint64_t ms)
{
	/* Step in small increments so timers fire at their own times. */
	while (ms > 0) {
		uint64_t step = ms > 10 ? 10 : ms;

		sf_t.w->now += step * (TEST_HZ / 1000);
		sf_tcp_poll(sf_t.w);
		ms -= step;
	}
	sf_worker_flush(sf_t.w);
}

uint64_t
sf_test_advance_until_tx(uint64_t max_ms)
{
	uint64_t ms;

	for (ms = 1; ms <= max_ms; ms++) {
		sf_t.w->now += TEST_HZ / 1000;
		sf_tcp_poll(sf_t.w);
		sf_worker_flush(sf_t.w);
		if (sf_t.ncap > 0)
			return ms;
	}
	fail_msg("nothing sent within %" PRIu64 " ms", max_ms);
	return 0;
}

uint64_t
sf_test_tcp_state(enum sf_tcp_state state)
{
	uint64_t counts[SF_TCP_NB_STATES] = { 0 };

	sf_tcp_state_counts(sf_t.w, counts);
	return counts[state];
}

uint32_t
sf_test_tcp_accept(uint32_t irs)
{
	return sf_test_tcp_accept_rtt(irs, 0);
}

uint32_t
sf_test_tcp_syn(uint32_t irs)
{
	struct sf_test_out o;

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = irs,
				.flags = RTE_TCP_SYN_FLAG });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(o.ack, irs + 1);
	return o.seq;
}

uint32_t
sf_test_tcp_accept_rtt(uint32_t irs, uint64_t rtt_ms)
{
	uint32_t iss = sf_test_tcp_syn(irs);

	if (rtt_ms != 0)
		sf_test_advance_ms(rtt_ms);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = irs + 1,
				.ack = iss + 1, .flags = RTE_TCP_ACK_FLAG });
	sf_worker_flush(sf_t.w);
	sf_test_tx_clear();
	assert_int_equal(sf_test_tcp_state(SF_TCP_ESTABLISHED), 1);
	return iss;
}

uint32_t
sf_test_tcp_connect(struct sf_conn **c)
{
	struct sf_test_out o;

	sf_test_learn_peer();
	assert_int_equal(sf_tcp_connect(sf_t.w, 0, 0, 5555, SF_TEST_PEER_IP,
					6666, &sf_test_app_ops, NULL, c), 0);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(o.sport, 5555);
	return o.seq;
}

void
sf_test_learn_peer(void)
{
	static const struct rte_ether_addr zero;

	sf_test_input(sf_test_arp(RTE_ARP_OP_REQUEST, &SF_TEST_PEER_MAC,
				  SF_TEST_PEER_IP, &zero, SF_TEST_OUR_IP,
				  &SF_TEST_OUR_MAC));
	sf_test_tx_clear();
}
