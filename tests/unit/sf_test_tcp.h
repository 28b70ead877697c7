/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TEST_TCP_H
#define SF_TEST_TCP_H

/*
 * TCP on top of the sf_test fixture: the test plays the peer (198.18.0.1)
 * against synfin's engine (198.18.0.2). Segments are built with correct
 * checksums, what the engine sends is parsed back, and the clock is moved
 * by hand in milliseconds. Modeled on lwIP's tcp_helper.
 */

#include <rte_tcp.h>

#include "sf_tcp.h"
#include "sf_test.h"
#include "tcp_options.h"

#define SF_TEST_PEER_PORT 40000
#define SF_TEST_OUR_PORT 80

/* A segment from the peer; zero means the default. */
struct sf_test_seg {
	uint16_t sport;		/* default SF_TEST_PEER_PORT */
	uint16_t dport;		/* default SF_TEST_OUR_PORT */
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;		/* RTE_TCP_*_FLAG */
	uint16_t wnd;		/* default 65535; set wnd_zero for 0 */
	bool wnd_zero;
	const uint8_t *opts;	/* raw options, multiple of 4 */
	uint8_t optlen;
	const void *data;
	uint16_t len;
	bool bad_csum;
};

/* A segment the engine sent, parsed. */
struct sf_test_out {
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t wnd;
	uint16_t sport;
	uint16_t dport;
	uint32_t len;		/* payload bytes */
	struct sf_tcp_opts opts;
	uint8_t data[2048];	/* first bytes of payload */
};

/* What the recording app saw. */
struct sf_test_app {
	unsigned int established;
	unsigned int peer_closed;
	unsigned int closed;
	unsigned int writable;
	enum sf_close_reason why;
	uint32_t rx_len;
	uint8_t rx[65536];
	struct sf_conn *conn;
	bool close_on_peer_fin;
	bool close_established;	/* established(): close at once */
	bool refuse_data;	/* recv() consumes nothing */
	const char *hello;	/* established(): send this at once */
	const char *reply;	/* recv(): send this in answer ... */
	bool reply_close;	/* ... and close */
};

extern struct sf_test_app sf_app;
extern const struct sf_tcp_app_ops sf_test_app_ops;

/** sf_test_setup plus TCP with @p conf (NULL: small defaults, no
 *  timestamps, delack 0, msl 1000 ms). Resets sf_app. */
int sf_test_tcp_setup_conf(const struct sf_tcp_conf *conf);
int sf_test_tcp_setup(void **state);

/** sf_test_tcp_setup_conf(@p conf), then listen on SF_TEST_OUR_PORT with
 *  the recording app. */
int sf_test_tcp_setup_listen_conf(const struct sf_tcp_conf *conf);

/** cmocka setup: sf_test_tcp_setup, then listen on SF_TEST_OUR_PORT with
 *  the recording app. */
int sf_test_tcp_setup_listen(void **state);
int sf_test_tcp_teardown(void **state);

/** The configuration sf_test_tcp_setup uses. */
void sf_test_tcp_conf(struct sf_tcp_conf *conf);

/** Build and inject a segment from the peer. */
void sf_test_tcp_send(const struct sf_test_seg *s);

/** Parse captured frame @p i (asserts valid IP/TCP checksums). */
void sf_test_tcp_out(unsigned int i, struct sf_test_out *out);

/** Parse the only captured frame, assert there was exactly one, clear. */
void sf_test_tcp_expect_one(struct sf_test_out *out);

/** Move the clock @p ms forward and run timers. */
void sf_test_advance_ms(uint64_t ms);

/** Advance 1 ms at a time until the engine sends something; return the
 *  milliseconds that took (fails the test past @p max_ms). The timer
 *  wheel fires on time up to 64 ms and at most 1/8 late beyond, so
 *  timer tests check a window, not an instant. */
uint64_t sf_test_advance_until_tx(uint64_t max_ms);

/** Connections in @p state now. */
uint64_t sf_test_tcp_state(enum sf_tcp_state state);

/* A plain SYN with sequence @irs from the peer; the one SYN-ACK must
 * answer it. Returns our ISS. */
uint32_t sf_test_tcp_syn(uint32_t irs);

/** Passive open through the handshake. Returns the ISN synfin chose; the
 *  peer's ISN is @p irs. Leaves the connection ESTABLISHED, capture
 *  cleared. */
uint32_t sf_test_tcp_accept(uint32_t irs);

/** sf_test_tcp_accept with the peer's ACK @p rtt_ms after our SYN-ACK:
 *  the handshake's RTT sample (RFC 6298 §2) is then @p rtt_ms. */
uint32_t sf_test_tcp_accept_rtt(uint32_t irs, uint64_t rtt_ms);

/** Options for a segment from the peer, written to @p o: NOP NOP TS
 *  (@p tsval, @p tsecr) when @p ts, then NOP NOP SACK with @p n blocks
 *  [base + b[2i], base + b[2i+1]). Returns their length (a multiple of
 *  4, at most 40). */
uint8_t sf_test_tcp_opts(uint8_t *o, bool ts, uint32_t tsval,
			 uint32_t tsecr, uint32_t base, const uint32_t *b,
			 unsigned int n);

/* An active open from port 5555 to the peer's 6666 (the peer's MAC
 * learnt first); the one SYN must go. Returns our ISS. */
uint32_t sf_test_tcp_connect(struct sf_conn **c);

/** Teach the ARP cache the peer's MAC. */
void sf_test_learn_peer(void);

#endif /* SF_TEST_TCP_H */
