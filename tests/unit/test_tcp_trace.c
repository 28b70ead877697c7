/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection trace and the transition counters (sf_tcp_trace.h).
 * The textbook handshake and teardowns of RFC 9293 Figures 6, 12 and 13
 * are driven as a peer, with the "synfin.trace" log captured into memory:
 * every line must name its step, and carry the seq/ack the segment had,
 * absolute and relative to both ISNs. Then the filter (host, port, limit,
 * off), and the transition counters after N connections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>
#include <rte_tcp.h>

#include "sf_cfg.h"
#include "sf_log.h"
#include "sf_tcp_trace.h"
#include "sf_test_tcp.h"

#define S RTE_TCP_SYN_FLAG
#define A RTE_TCP_ACK_FLAG
#define F RTE_TCP_FIN_FLAG
#define R RTE_TCP_RST_FLAG
#define P RTE_TCP_PSH_FLAG

/* 2MSL in the fixture is 2000 ms; the wheel may fire up to 1/8 late. */
#define TWO_MSL 2000
#define LATE(ms) ((ms) / 8 + 1)

#define MAX_LINES 128
#define LINE_LEN 256

/* ---- capturing the trace ------------------------------------------------- */

static FILE *cap_f;
static char *cap_buf;
static size_t cap_len;

/* What the test compares, per trace line:
 *   segment: "<in|out> <flags> seq=<n>(<rel>) ack=<n>(<rel>) | <step>"
 *   state:   "state <FROM> -> <TO> | <what>"
 * (time, addresses, window, length and options left out). */
static char got[MAX_LINES][LINE_LEN];
static char raw[MAX_LINES][LINE_LEN];
static unsigned int nb_got;

static void
cap_open(void)
{
	cap_buf = NULL;
	cap_len = 0;
	cap_f = open_memstream(&cap_buf, &cap_len);
	assert_non_null(cap_f);
	assert_int_equal(rte_openlog_stream(cap_f), 0);
}

static void
cap_close(void)
{
	rte_openlog_stream(NULL);
	fclose(cap_f);
	cap_f = NULL;
}

static void
canon(const char *line, char *out, size_t n)
{
	char buf[LINE_LEN], *step, *tok[12], *save = NULL;
	unsigned int nt = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	step = strstr(buf, " | ");
	if (step == NULL) {		/* a note, e.g. the limit reached */
		snprintf(out, n, "note");
		return;
	}
	*step = '\0';
	step += 3;
	for (char *t = strtok_r(buf, " ", &save); t != NULL && nt < 12;
	     t = strtok_r(NULL, " ", &save))
		tok[nt++] = t;
	/* tok[0] "synfin.trace:", tok[1] the time */
	assert_true(nt >= 9);
	if (strcmp(tok[2], "state") == 0)
		snprintf(out, n, "state %s -> %s | %s", tok[6], tok[8], step);
	else
		snprintf(out, n, "%s %s %s %s | %s", tok[2], tok[7], tok[8],
			 tok[9], step);
}

/* Take the lines written since the last call. */
static unsigned int
cap_take(void)
{
	char *p, *nl;

	sf_worker_flush(sf_t.w);
	cap_close();
	nb_got = 0;
	for (p = cap_buf; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (strncmp(p, "synfin.trace: ", 14) != 0)
			continue;
		assert_true(nb_got < MAX_LINES);
		snprintf(raw[nb_got], LINE_LEN, "%s", p);
		canon(p, got[nb_got], LINE_LEN);
		nb_got++;
	}
	free(cap_buf);
	cap_open();
	return nb_got;
}

/* The expected lines, built with the ISNs the test learns. */
static char want[MAX_LINES][LINE_LEN];
static unsigned int nb_want;

static void want_line(const char *fmt, ...) __rte_format_printf(1, 2);

static void
want_line(const char *fmt, ...)
{
	va_list ap;

	assert_true(nb_want < MAX_LINES);
	va_start(ap, fmt);
	vsnprintf(want[nb_want++], LINE_LEN, fmt, ap);
	va_end(ap);
}

/* Compare the capture with the expected lines, and start over. */
static void
check_lines(void)
{
	unsigned int i, n = cap_take();
	bool same = n == nb_want;

	for (i = 0; same && i < n; i++)
		same = strcmp(got[i], want[i]) == 0;
	if (!same) {
		print_message("trace lines (%u):\n", n);
		for (i = 0; i < n; i++)
			print_message("  %s\n", raw[i]);
		for (i = 0; i < RTE_MAX(n, nb_want); i++)
			print_message("%s got:  %s\n     want: %s\n",
				      i < n && i < nb_want &&
				      strcmp(got[i], want[i]) == 0 ? "   " :
				      "!!!", i < n ? got[i] : "",
				      i < nb_want ? want[i] : "");
	}
	assert_true(same);
	nb_want = 0;
}

/* ---- fixture ------------------------------------------------------------- */

static void
trace_set(const char *filter)
{
	struct sf_trace_filter f;
	char err[128];

	assert_int_equal(sf_tcp_trace_parse(filter, &f, err, sizeof(err)), 0);
	assert_int_equal(sf_tcp_trace_set(sf_t.w, &f), 0);
}

static int
setup_trace(void **state)
{
	if (sf_test_tcp_setup(state) != 0)
		return -1;
	sf_log_init();
	rte_log_set_level(sf_logtype_trace, RTE_LOG_INFO);
	cap_open();
	nb_want = 0;
	if (sf_tcp_listen(sf_t.w, SF_TEST_OUR_PORT, &sf_test_app_ops) != 0)
		return -1;
	trace_set("port 80");
	return 0;
}

/* Every SYN answered with a SYN cookie (RFC 4987). */
static int
setup_trace_cookies(void **state)
{
	struct sf_tcp_conf conf;

	(void)state;
	sf_test_tcp_conf(&conf);
	conf.syncookies = 2;
	if (sf_test_tcp_setup_conf(&conf) != 0)
		return -1;
	sf_log_init();
	rte_log_set_level(sf_logtype_trace, RTE_LOG_INFO);
	cap_open();
	nb_want = 0;
	if (sf_tcp_listen(sf_t.w, SF_TEST_OUR_PORT, &sf_test_app_ops) != 0)
		return -1;
	trace_set("port 80");
	return 0;
}

static int
teardown_trace(void **state)
{
	trace_set("off");	/* sf_tcp_fini's resets are not the test's */
	cap_close();
	free(cap_buf);
	cap_buf = NULL;
	return sf_test_tcp_teardown(state);
}

/* Passive open of peer port @sport, ISN @x; returns synfin's ISN y. */
static uint32_t
accept_from(uint16_t sport, uint32_t x)
{
	struct sf_test_out o;

	sf_worker_flush(sf_t.w);
	sf_test_tx_clear();
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport, .seq = x,
						.flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport, .seq = x + 1,
						.ack = o.seq + 1, .flags = A });
	return o.seq;
}

static void
want_handshake_passive(uint32_t x, uint32_t y)
{
	want_line("in [S] seq=%u(x) ack=0 | handshake 1/3 SYN seq=x", x);
	want_line("state LISTEN -> SYN_RCVD | passive open");
	want_line("out [S.] seq=%u(y) ack=%u(x+1) | "
		  "handshake 2/3 SYN-ACK seq=y ack=x+1", y, x + 1);
	want_line("in [.] seq=%u(x+1) ack=%u(y+1) | "
		  "handshake 3/3 ACK ack=y+1", x + 1, y + 1);
	want_line("state SYN_RCVD -> ESTABLISHED | connection established");
}

/* ---- the lifecycles ------------------------------------------------------ */

/* Figure 6 then Figure 12, synfin closing first: the trace names every
 * step, with the numbers on the wire. */
static void
test_tcp_trace_passive_synfin_closes(void **state)
{
	const uint32_t x = 1000;
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = accept_from(SF_TEST_PEER_PORT, x);
	want_handshake_passive(x, y);
	check_lines();

	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, F | A);
	want_line("state ESTABLISHED -> FIN_WAIT_1 | "
		  "the application closed: active close");
	want_line("out [F.] seq=%u(y+1) ack=%u(x+1) | teardown 1/4 FIN seq=u",
		  y + 1, x + 1);
	check_lines();

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 2,
						.flags = A });
	want_line("in [.] seq=%u(x+1) ack=%u(y+2) | teardown 2/4 ACK ack=u+1",
		  x + 1, y + 2);
	want_line("state FIN_WAIT_1 -> FIN_WAIT_2 | "
		  "our FIN acked: waiting for the peer's FIN");
	check_lines();

	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 2,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	want_line("in [F.] seq=%u(x+1) ack=%u(y+2) | teardown 3/4 FIN seq=w",
		  x + 1, y + 2);
	want_line("out [.] seq=%u(y+2) ack=%u(x+2) | teardown 4/4 ACK ack=w+1",
		  y + 2, x + 2);
	want_line("state FIN_WAIT_2 -> TIME_WAIT | TIME_WAIT 2MSL=2s");
	check_lines();

	/* The peer lost our last ACK: the record answers, traced too. */
	sf_test_advance_ms(500);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 2,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	want_line("in [F.] seq=%u ack=%u | retransmission: teardown 3/4 FIN "
		  "(our 4/4 ACK was lost)", x + 1, y + 2);
	want_line("out [.] seq=%u ack=%u | ACK from TIME_WAIT (teardown 4/4 "
		  "ACK ack=w+1 again)", y + 2, x + 2);
	check_lines();

	sf_test_advance_ms(TWO_MSL + LATE(TWO_MSL) + 1);
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
	want_line("state TIME_WAIT -> CLOSED | CLOSED");
	check_lines();
	/* The time is ms.us since sf_tcp_init: 1 ms steps here. */
	assert_non_null(strstr(raw[0], "synfin.trace: 2"));
	assert_non_null(strstr(raw[0], ".000 state 198.18.0.2:80 <> "
			       "198.18.0.1:40000 TIME_WAIT -> CLOSED"));
}

/* The peer closes first and the application closes at once: its FIN
 * carries the ACK of the peer's (2/4 and 3/4 merged). */
static void
test_tcp_trace_peer_closes_merged(void **state)
{
	const uint32_t x = 5000;
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = accept_from(SF_TEST_PEER_PORT, x);
	cap_take();
	sf_app.close_on_peer_fin = true;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, F | A);
	want_line("in [F.] seq=%u(x+1) ack=%u(y+1) | teardown 1/4 FIN seq=u",
		  x + 1, y + 1);
	want_line("state ESTABLISHED -> CLOSE_WAIT | the peer closed: "
		  "CLOSE_WAIT, held by the application until it closes");
	want_line("state CLOSE_WAIT -> LAST_ACK | "
		  "the application closed: passive close");
	want_line("out [F.] seq=%u(y+1) ack=%u(x+2) | teardown 2/4+3/4 "
		  "FIN-ACK seq=w ack=u+1 (merged FIN+ACK)", y + 1, x + 2);
	check_lines();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 2, .ack = y + 2,
						.flags = A });
	want_line("in [.] seq=%u(x+2) ack=%u(y+2) | teardown 4/4 ACK ack=w+1",
		  x + 2, y + 2);
	want_line("state LAST_ACK -> CLOSED | CLOSED");
	check_lines();
	assert_int_equal(sf_app.closed, 1);
}

/* The peer closes first and the application holds CLOSE_WAIT a while:
 * the four steps are four segments. */
static void
test_tcp_trace_close_wait_held(void **state)
{
	const uint32_t x = 7000;
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = accept_from(SF_TEST_PEER_PORT, x);
	cap_take();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	want_line("in [F.] seq=%u(x+1) ack=%u(y+1) | teardown 1/4 FIN seq=u",
		  x + 1, y + 1);
	want_line("state ESTABLISHED -> CLOSE_WAIT | the peer closed: "
		  "CLOSE_WAIT, held by the application until it closes");
	want_line("out [.] seq=%u(y+1) ack=%u(x+2) | teardown 2/4 ACK ack=u+1",
		  y + 1, x + 2);
	check_lines();
	sf_test_advance_ms(5000);
	assert_int_equal(cap_take(), 0);
	assert_int_equal(sf_tcp_close(sf_t.w, sf_app.conn), 0);
	sf_test_tcp_expect_one(&o);
	want_line("state CLOSE_WAIT -> LAST_ACK | "
		  "the application closed: passive close");
	want_line("out [F.] seq=%u(y+1) ack=%u(x+2) | teardown 3/4 FIN seq=w",
		  y + 1, x + 2);
	check_lines();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 2, .ack = y + 2,
						.flags = A });
	want_line("in [.] seq=%u(x+2) ack=%u(y+2) | teardown 4/4 ACK ack=w+1",
		  x + 2, y + 2);
	want_line("state LAST_ACK -> CLOSED | CLOSED");
	check_lines();
}

/* synfin opens (Figure 6 from the client's side), sends, and the server
 * answers with data and its FIN in one segment. */
static void
test_tcp_trace_active_open(void **state)
{
	const uint32_t y = 70000;
	struct sf_test_out o;
	struct sf_conn *c;
	uint16_t lport;
	uint32_t x;

	(void)state;
	sf_test_learn_peer();
	assert_int_equal(sf_tcp_connect(sf_t.w, 0, 0, 0, SF_TEST_PEER_IP,
					SF_TEST_OUR_PORT, &sf_test_app_ops,
					NULL, &c), 0);
	sf_test_tcp_expect_one(&o);
	x = o.seq;
	lport = o.sport;
	want_line("state CLOSED -> SYN_SENT | active open");
	want_line("out [S] seq=%u(x) ack=0 | handshake 1/3 SYN seq=x", x);
	check_lines();

	sf_test_tcp_send(&(struct sf_test_seg){ .sport = SF_TEST_OUR_PORT,
				.dport = lport, .seq = y, .ack = x + 1,
				.flags = S | A });
	sf_test_tcp_expect_one(&o);
	want_line("in [S.] seq=%u(y) ack=%u(x+1) | "
		  "handshake 2/3 SYN-ACK seq=y ack=x+1", y, x + 1);
	want_line("state SYN_SENT -> ESTABLISHED | connection established");
	want_line("out [.] seq=%u(x+1) ack=%u(y+1) | "
		  "handshake 3/3 ACK ack=y+1", x + 1, y + 1);
	check_lines();

	assert_int_equal(sf_tcp_send_copy(sf_t.w, c, "ping", 4), 4);
	sf_test_tcp_expect_one(&o);
	want_line("out [P.] seq=%u(x+1) ack=%u(y+1) | data", x + 1, y + 1);
	check_lines();

	sf_test_tcp_send(&(struct sf_test_seg){ .sport = SF_TEST_OUR_PORT,
				.dport = lport, .seq = y + 1, .ack = x + 5,
				.flags = A | F | P, .data = "pong",
				.len = 4 });
	sf_test_tcp_expect_one(&o);
	want_line("in [FP.] seq=%u(y+1) ack=%u(x+5) | data, "
		  "teardown 1/4 FIN seq=u", y + 1, x + 5);
	want_line("state ESTABLISHED -> CLOSE_WAIT | the peer closed: "
		  "CLOSE_WAIT, held by the application until it closes");
	want_line("out [.] seq=%u(x+5) ack=%u(y+6) | teardown 2/4 ACK ack=u+1",
		  x + 5, y + 6);
	check_lines();

	assert_int_equal(sf_tcp_close(sf_t.w, c), 0);
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .sport = SF_TEST_OUR_PORT,
				.dport = lport, .seq = y + 6, .ack = x + 6,
				.flags = A });
	want_line("state CLOSE_WAIT -> LAST_ACK | "
		  "the application closed: passive close");
	want_line("out [F.] seq=%u(x+5) ack=%u(y+6) | teardown 3/4 FIN seq=w",
		  x + 5, y + 6);
	want_line("in [.] seq=%u(y+6) ack=%u(x+6) | teardown 4/4 ACK ack=w+1",
		  y + 6, x + 6);
	want_line("state LAST_ACK -> CLOSED | CLOSED");
	check_lines();
}

/* Figure 13: both FINs cross. */
static void
test_tcp_trace_simultaneous_close(void **state)
{
	const uint32_t x = 100;
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = accept_from(SF_TEST_PEER_PORT, x);
	cap_take();
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 2, .ack = y + 2,
						.flags = A });
	want_line("state ESTABLISHED -> FIN_WAIT_1 | "
		  "the application closed: active close");
	want_line("out [F.] seq=%u(y+1) ack=%u(x+1) | teardown 1/4 FIN seq=u",
		  y + 1, x + 1);
	want_line("in [F.] seq=%u(x+1) ack=%u(y+1) | "
		  "teardown 3/4 FIN seq=w (simultaneous close)", x + 1, y + 1);
	want_line("state FIN_WAIT_1 -> CLOSING | simultaneous close");
	want_line("out [.] seq=%u(y+2) ack=%u(x+2) | teardown 4/4 ACK "
		  "ack=w+1 (simultaneous close)", y + 2, x + 2);
	want_line("in [.] seq=%u(x+2) ack=%u(y+2) | teardown 2/4 ACK "
		  "ack=u+1 (simultaneous close)", x + 2, y + 2);
	want_line("state CLOSING -> TIME_WAIT | TIME_WAIT 2MSL=2s");
	check_lines();
}

/* shutdown(): our FIN, then the peer's data still comes in. */
static void
test_tcp_trace_half_close(void **state)
{
	const uint32_t x = 100;
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	y = accept_from(SF_TEST_PEER_PORT, x);
	cap_take();
	assert_int_equal(sf_tcp_shutdown(sf_t.w, sf_app.conn), 0);
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 2,
						.flags = A });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 2,
				.flags = A | P, .data = "more", .len = 4 });
	sf_test_tcp_expect_one(&o);
	want_line("state ESTABLISHED -> FIN_WAIT_1 | "
		  "the application shut down its side: half-close");
	want_line("out [F.] seq=%u(y+1) ack=%u(x+1) | teardown 1/4 FIN "
		  "seq=u (half-close: shutdown)", y + 1, x + 1);
	want_line("in [.] seq=%u(x+1) ack=%u(y+2) | teardown 2/4 ACK ack=u+1",
		  x + 1, y + 2);
	want_line("state FIN_WAIT_1 -> FIN_WAIT_2 | "
		  "our FIN acked: half-closed, the peer may still send");
	want_line("in [P.] seq=%u(x+1) ack=%u(y+2) | "
		  "data after our FIN (half-close)", x + 1, y + 2);
	want_line("out [.] seq=%u(y+2) ack=%u(x+5) | ACK", y + 2, x + 5);
	check_lines();
}

/* RSTs both ways, RFC 5961 challenge ACKs, retransmissions. */
static void
test_tcp_trace_rst_challenge_rexmit(void **state)
{
	const uint32_t x = 100;
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	/* The SYN-ACK is lost: retransmitted at the initial RTO (1 s). */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x, .flags = S });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	cap_take();
	sf_test_advance_until_tx(1000 + LATE(1000) + 1);
	sf_test_tx_clear();
	want_line("out [S.] seq=%u(y) ack=%u(x+1) | retransmission: "
		  "handshake 2/3 SYN-ACK seq=y ack=x+1", y, x + 1);
	check_lines();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
						.flags = A });
	cap_take();

	/* In the window, not at rcv_nxt: RST and SYN get challenge ACKs. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 400, .flags = R });
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .flags = S });
	sf_test_tcp_expect_one(&o);
	want_line("in [R] seq=%u(x+400) ack=0 | RST", x + 400);
	want_line("out [.] seq=%u(y+1) ack=%u(x+1) | "
		  "challenge ACK (RFC 5961)", y + 1, x + 1);
	want_line("in [S] seq=%u(x+1) ack=0 | SYN in a synchronized state",
		  x + 1);
	want_line("out [.] seq=%u(y+1) ack=%u(x+1) | "
		  "challenge ACK (RFC 5961)", y + 1, x + 1);
	check_lines();

	/* Data lost once: the retransmission says so (at the RTO, backed
	 * off to 2 s by the lost SYN-ACK, no RTT sample since). */
	assert_int_equal(sf_tcp_send_copy(sf_t.w, sf_app.conn, "abc", 3), 3);
	sf_test_tx_clear();
	sf_test_advance_until_tx(2000 + LATE(2000) + 1);
	sf_test_tx_clear();
	want_line("out [P.] seq=%u(y+1) ack=%u(x+1) | data", y + 1, x + 1);
	want_line("out [P.] seq=%u(y+1) ack=%u(x+1) | retransmission: data",
		  y + 1, x + 1);
	check_lines();

	/* The exact RST ends it. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .flags = R });
	want_line("in [R] seq=%u(x+1) ack=0 | RST", x + 1);
	want_line("state ESTABLISHED -> CLOSED | CLOSED (rst-rcvd)");
	check_lines();

	/* A second connection, which synfin aborts: RST out. */
	y = accept_from(SF_TEST_PEER_PORT + 1, 9000);
	cap_take();
	sf_tcp_abort(sf_t.w, sf_app.conn);
	sf_test_tcp_expect_one(&o);
	want_line("out [R.] seq=%u(y+1) ack=%u(x+1) | RST", y + 1, 9001);
	want_line("state ESTABLISHED -> CLOSED | CLOSED (aborted)");
	check_lines();
}

/* Segments that repeat sequence space, either way, say so first. */
static void
test_tcp_trace_retransmissions(void **state)
{
	const uint32_t x = 400;
	struct sf_test_out o;
	uint32_t y;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x, .flags = S });
	sf_test_tcp_expect_one(&o);
	y = o.seq;
	cap_take();
	/* The peer did not get our SYN-ACK and sends its SYN again. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x, .flags = S });
	sf_test_tcp_expect_one(&o);
	want_line("in [S] seq=%u(x) ack=0 | retransmission: "
		  "handshake 1/3 SYN seq=x", x);
	want_line("out [S.] seq=%u(y) ack=%u(x+1) | retransmission: "
		  "handshake 2/3 SYN-ACK seq=y ack=x+1", y, x + 1);
	check_lines();
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
						.flags = A });
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
				.flags = A | P, .data = "abcd", .len = 4 });
	sf_test_tcp_expect_one(&o);
	cap_take();
	/* Our ACK was lost: the same data again. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = y + 1,
				.flags = A | P, .data = "abcd", .len = 4 });
	sf_test_tcp_expect_one(&o);
	want_line("in [P.] seq=%u(x+1) ack=%u(y+1) | retransmission: data",
		  x + 1, y + 1);
	want_line("out [.] seq=%u(y+1) ack=%u(x+5) | ACK", y + 1, x + 5);
	check_lines();
	/* Our FIN is lost: sent again at the RTO. */
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tcp_expect_one(&o);
	sf_test_advance_until_tx(3000);
	sf_test_tx_clear();
	want_line("state ESTABLISHED -> FIN_WAIT_1 | "
		  "the application closed: active close");
	want_line("out [F.] seq=%u(y+1) ack=%u(x+5) | teardown 1/4 FIN seq=u",
		  y + 1, x + 5);
	want_line("out [F.] seq=%u(y+1) ack=%u(x+5) | retransmission: "
		  "teardown 1/4 FIN", y + 1, x + 5);
	check_lines();
	/* The peer's FIN twice, the second in TIME_WAIT. */
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 5, .ack = y + 2,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 5, .ack = y + 2,
						.flags = F | A });
	sf_test_tcp_expect_one(&o);
	want_line("in [F.] seq=%u(x+5) ack=%u(y+2) | "
		  "teardown 2/4+3/4 FIN-ACK seq=w ack=u+1 (merged FIN+ACK)",
		  x + 5, y + 2);
	want_line("state FIN_WAIT_1 -> FIN_WAIT_2 | "
		  "our FIN acked: waiting for the peer's FIN");
	want_line("out [.] seq=%u(y+2) ack=%u(x+6) | teardown 4/4 ACK ack=w+1",
		  y + 2, x + 6);
	want_line("state FIN_WAIT_2 -> TIME_WAIT | TIME_WAIT 2MSL=2s");
	want_line("in [F.] seq=%u ack=%u | retransmission: teardown 3/4 FIN "
		  "(our 4/4 ACK was lost)", x + 5, y + 2);
	want_line("out [.] seq=%u ack=%u | ACK from TIME_WAIT (teardown 4/4 "
		  "ACK ack=w+1 again)", y + 2, x + 6);
	check_lines();
}

/* A SYN cookie keeps no state until the ACK: the trace starts there. */
static void
test_tcp_trace_syncookie(void **state)
{
	const uint32_t x = 3000;
	struct sf_test_out o;

	(void)state;
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x, .flags = S });
	sf_test_tcp_expect_one(&o);
	assert_int_equal(o.flags, S | A);
	assert_int_equal(cap_take(), 0);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = x + 1, .ack = o.seq + 1,
						.flags = A });
	want_line("state LISTEN -> SYN_RCVD | "
		  "passive open, from a SYN cookie (RFC 4987)");
	want_line("in [.] seq=%u(x+1) ack=%u(y+1) | "
		  "handshake 3/3 ACK ack=y+1", x + 1, o.seq + 1);
	want_line("state SYN_RCVD -> ESTABLISHED | connection established");
	check_lines();
	assert_int_equal(sf_app.established, 1);
}

/* ---- the filter ---------------------------------------------------------- */

/* Tracing off (or a filter no connection matches): not one line. */
static void
test_tcp_trace_off_writes_nothing(void **state)
{
	uint32_t y;

	(void)state;
	trace_set("off");
	y = accept_from(SF_TEST_PEER_PORT, 100);
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tcp_send(&(struct sf_test_seg){ .seq = 101, .ack = y + 2,
						.flags = F | A });
	sf_test_advance_ms(TWO_MSL + LATE(TWO_MSL) + 1);
	assert_int_equal(cap_take(), 0);
	assert_int_equal(sf_tcp_trace_count(sf_t.w), 0);

	trace_set("port 81 host 198.18.0.1");
	accept_from(SF_TEST_PEER_PORT + 1, 100);
	trace_set("host 198.18.0.9");
	accept_from(SF_TEST_PEER_PORT + 2, 100);
	assert_int_equal(cap_take(), 0);

	/* "trace off" also silences a connection being traced. */
	trace_set("host 198.18.0.1 port 80");
	y = accept_from(SF_TEST_PEER_PORT + 3, 100);
	assert_int_equal(cap_take(), 5);
	assert_int_equal(sf_tcp_trace_count(sf_t.w), 1);
	trace_set("off");
	sf_tcp_close(sf_t.w, sf_app.conn);
	sf_test_tcp_send(&(struct sf_test_seg){
			.sport = SF_TEST_PEER_PORT + 3, .seq = 101,
			.ack = y + 2, .flags = F | A });
	assert_int_equal(cap_take(), 0);
}

/* "limit N": the first N connections only. */
static void
test_tcp_trace_limit(void **state)
{
	struct sf_trace_filter f;
	unsigned int i, n;

	(void)state;
	trace_set("on port 80 limit 2");
	assert_int_equal(sf_tcp_trace_get(sf_t.w, &f), 0);
	assert_true(f.on);
	assert_int_equal(f.limit, 2);
	for (i = 0; i < 4; i++)
		accept_from((uint16_t)(SF_TEST_PEER_PORT + i), 100);
	n = cap_take();
	/* two handshakes of 5 lines; the second pick says it is the last */
	assert_int_equal(n, 11);
	assert_non_null(strstr(raw[5], "worker 0: limit 2 reached"));
	assert_int_equal(sf_tcp_trace_count(sf_t.w), 2);
	for (i = 0; i < 5; i++) {
		assert_non_null(strstr(raw[i], "198.18.0.1:40000 "));
		assert_non_null(strstr(raw[i + 6], "198.18.0.1:40001 "));
	}
}

static void
test_tcp_trace_filter_parse(void **state)
{
	struct sf_trace_filter f;
	char buf[64], err[160];

	(void)state;
	assert_int_equal(sf_tcp_trace_parse("host 198.18.0.1 port 80 limit 5",
					    &f, err, sizeof(err)), 0);
	assert_true(f.on);
	assert_int_equal(f.host, SF_TEST_PEER_IP);
	assert_int_equal(f.port, 80);
	assert_int_equal(f.limit, 5);
	sf_tcp_trace_format(&f, buf, sizeof(buf));
	assert_string_equal(buf, "host 198.18.0.1 port 80 limit 5");
	assert_int_equal(sf_tcp_trace_parse("on limit 3", &f, err,
					    sizeof(err)), 0);
	sf_tcp_trace_format(&f, buf, sizeof(buf));
	assert_string_equal(buf, "limit 3");
	assert_int_equal(sf_tcp_trace_parse("", &f, err, sizeof(err)), 0);
	assert_true(f.on);
	sf_tcp_trace_format(&f, buf, sizeof(buf));
	assert_string_equal(buf, "all");
	assert_int_equal(sf_tcp_trace_parse("off", &f, err, sizeof(err)), 0);
	assert_false(f.on);
	sf_tcp_trace_format(&f, buf, sizeof(buf));
	assert_string_equal(buf, "off");
	assert_int_equal(sf_tcp_trace_parse("port 0", &f, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "port 0"));
	assert_int_equal(sf_tcp_trace_parse("port", &f, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(sf_tcp_trace_parse("host 1.2.3", &f, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(sf_tcp_trace_parse("limit -1", &f, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(sf_tcp_trace_parse("off port 80", &f, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(sf_tcp_trace_parse("colour blue", &f, NULL, 0),
			 -EINVAL);
}

/* [trace] filter (--trace) parses into the configuration, or names the
 * key in its error. */
static void
test_tcp_trace_cfg_key(void **state)
{
	struct sf_cfg c;
	char err[1024];

	(void)state;
	sf_cfg_defaults(&c);
	assert_false(c.trace.on);
	assert_int_equal(sf_cfg_set(&c, "trace", "filter", "port 80 limit 3",
				    "--trace", err, sizeof(err)), 0);
	assert_true(c.trace.on);
	assert_int_equal(c.trace.port, 80);
	assert_int_equal(c.trace.limit, 3);
	assert_int_equal(sf_cfg_set(&c, "trace", "filter", "off", "--trace",
				    err, sizeof(err)), 0);
	assert_false(c.trace.on);
	assert_int_equal(sf_cfg_set(&c, "trace", "filter", "port eighty",
				    "--trace", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--trace"));
	assert_non_null(strstr(err, "filter"));
	assert_int_equal(sf_cfg_set(&c, "trace", "filter", "", "--trace", err,
				    sizeof(err)), -EINVAL);
}

/* ---- transition counters ------------------------------------------------- */

#define N_CONNS 5

/* Each edge {from, to, k} must count k * @n, every other edge 0. */
static void
check_transitions(const uint8_t (*edges)[3], unsigned int nb_edges,
		  uint64_t n)
{
	uint64_t t[SF_TCP_NB_STATES][SF_TCP_NB_STATES];
	unsigned int i, j, e;
	char name[64];

	memset(t, 0, sizeof(t));
	sf_tcp_transitions(sf_t.w, t);
	for (i = 0; i < SF_TCP_NB_STATES; i++)
		for (j = 0; j < SF_TCP_NB_STATES; j++) {
			uint64_t want_n = 0;

			for (e = 0; e < nb_edges; e++)
				if (edges[e][0] == i && edges[e][1] == j)
					want_n = edges[e][2] * n;
			sf_tcp_transition_name(i, j, name, sizeof(name));
			if (t[i][j] != want_n)
				print_message("%s = %" PRIu64 ", want %" PRIu64
					      "\n", name, t[i][j], want_n);
			assert_int_equal(t[i][j], want_n);
		}
}

/* N connections, synfin closing first, then the peer closing first:
 * each expected edge counts N, every other edge 0. Counted with the
 * trace off too. */
static void
test_tcp_transitions_count_n(void **state)
{
	static const uint8_t active_close[][3] = {
		{ SF_TCP_LISTEN, SF_TCP_SYN_RCVD, 1 },
		{ SF_TCP_SYN_RCVD, SF_TCP_ESTABLISHED, 1 },
		{ SF_TCP_ESTABLISHED, SF_TCP_FIN_WAIT_1, 1 },
		{ SF_TCP_FIN_WAIT_1, SF_TCP_FIN_WAIT_2, 1 },
		{ SF_TCP_FIN_WAIT_2, SF_TCP_TIME_WAIT, 1 },
		{ SF_TCP_TIME_WAIT, SF_TCP_CLOSED, 1 },
	};
	/* then N more that the peer closes first */
	static const uint8_t both[][3] = {
		{ SF_TCP_LISTEN, SF_TCP_SYN_RCVD, 2 },
		{ SF_TCP_SYN_RCVD, SF_TCP_ESTABLISHED, 2 },
		{ SF_TCP_ESTABLISHED, SF_TCP_FIN_WAIT_1, 1 },
		{ SF_TCP_FIN_WAIT_1, SF_TCP_FIN_WAIT_2, 1 },
		{ SF_TCP_FIN_WAIT_2, SF_TCP_TIME_WAIT, 1 },
		{ SF_TCP_TIME_WAIT, SF_TCP_CLOSED, 1 },
		{ SF_TCP_ESTABLISHED, SF_TCP_CLOSE_WAIT, 1 },
		{ SF_TCP_CLOSE_WAIT, SF_TCP_LAST_ACK, 1 },
		{ SF_TCP_LAST_ACK, SF_TCP_CLOSED, 1 },
	};
	unsigned int i;
	uint16_t sport;
	uint32_t y;
	char name[64];

	(void)state;
	trace_set("off");
	for (i = 0; i < N_CONNS; i++) {
		sport = (uint16_t)(SF_TEST_PEER_PORT + i);
		y = accept_from(sport, 1000 * i);
		sf_tcp_close(sf_t.w, sf_app.conn);
		sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport,
				.seq = 1000 * i + 1, .ack = y + 2,
				.flags = A });
		sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport,
				.seq = 1000 * i + 1, .ack = y + 2,
				.flags = F | A });
	}
	sf_test_advance_ms(TWO_MSL + LATE(TWO_MSL) + 1);
	sf_test_tx_clear();
	assert_int_equal(sf_test_tcp_state(SF_TCP_TIME_WAIT), 0);
	check_transitions(active_close, RTE_DIM(active_close), N_CONNS);

	for (i = 0; i < N_CONNS; i++) {
		sport = (uint16_t)(SF_TEST_PEER_PORT + 100 + i);
		y = accept_from(sport, 1000 * i);
		sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport,
				.seq = 1000 * i + 1, .ack = y + 1,
				.flags = F | A });
		sf_tcp_close(sf_t.w, sf_app.conn);
		sf_test_tcp_send(&(struct sf_test_seg){ .sport = sport,
				.seq = 1000 * i + 2, .ack = y + 2,
				.flags = A });
		sf_worker_flush(sf_t.w);
		sf_test_tx_clear();
	}
	check_transitions(both, RTE_DIM(both), N_CONNS);
	assert_int_equal(cap_take(), 0);
	sf_tcp_transition_name(SF_TCP_SYN_RCVD, SF_TCP_ESTABLISHED, name,
			       sizeof(name));
	assert_string_equal(name, "tcp_trans_SYN_RCVD_to_ESTABLISHED");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_trace, \
					      teardown_trace)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_trace_passive_synfin_closes),
		T(test_tcp_trace_peer_closes_merged),
		T(test_tcp_trace_close_wait_held),
		T(test_tcp_trace_active_open),
		T(test_tcp_trace_simultaneous_close),
		T(test_tcp_trace_half_close),
		T(test_tcp_trace_rst_challenge_rexmit),
		T(test_tcp_trace_retransmissions),
		cmocka_unit_test_setup_teardown(test_tcp_trace_syncookie,
						setup_trace_cookies,
						teardown_trace),
		T(test_tcp_trace_off_writes_nothing),
		T(test_tcp_trace_limit),
		T(test_tcp_trace_filter_parse),
		T(test_tcp_trace_cfg_key),
		T(test_tcp_transitions_count_n),
	};

	if (getenv("SF_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("SF_TEST_FILTER"));
	return cmocka_run_group_tests_name("tcp_trace", tests, NULL, NULL);
}
