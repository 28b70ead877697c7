/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console: connections. "show conn" is synfin's ss: each worker's
 * listeners and connection table walked lock-free (sf_tcp_conn_dump), one
 * line per connection with its 4-tuple, state, queues and running timer.
 * The workers keep running, so a line is a snapshot of one connection at
 * one moment, not of the table. "show conn summary" counts per state from
 * the workers' gauges, which costs nothing however many there are.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "cmds.h"

/* Lines "show conn" prints unless told "limit N". */
#define CONN_LIMIT_DEFAULT 100

struct conn_walk {
	int state;		/* only this one; -1: all */
	uint64_t limit;
	uint64_t shown;
	bool more;		/* a match past the limit was seen */
};

static void
conn_fmt_timer(const struct sf_conn_info *ci, char *buf, size_t len)
{
	if (ci->timer == SF_CONN_TIMER_NONE)
		snprintf(buf, len, "-");
	else if (ci->timer_ms < 10000)
		snprintf(buf, len, "%s %ums",
			 sf_conn_timer_name((enum sf_conn_timer)ci->timer),
			 ci->timer_ms);
	else
		snprintf(buf, len, "%s %.1fs",
			 sf_conn_timer_name((enum sf_conn_timer)ci->timer),
			 ci->timer_ms / 1000.0);
}

static void
conn_fmt_addr(uint32_t addr, uint16_t port, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	if (addr == 0) {
		snprintf(buf, len, "*:%u", port);
		return;
	}
	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, port);
}

static int
conn_line(const struct sf_conn_info *ci, void *arg)
{
	struct conn_walk *cw = arg;
	char local[32], peer[32], timer[40];

	if (cw->state >= 0 && ci->state != cw->state)
		return 0;
	if (cw->shown == cw->limit) {
		cw->more = true;
		return 1;
	}
	cw->shown++;
	conn_fmt_addr(ci->laddr, ci->lport, local, sizeof(local));
	if (ci->state == SF_TCP_LISTEN)
		snprintf(peer, sizeof(peer), "*:*");
	else
		conn_fmt_addr(ci->raddr, ci->rport, peer, sizeof(peer));
	conn_fmt_timer(ci, timer, sizeof(timer));
	printf("%-3u %-12s %8u %8u  %-21s %-21s ", ci->worker,
	       sf_tcp_state_name((enum sf_tcp_state)ci->state), ci->rcvq,
	       ci->sndq, local, peer);
	if (ci->state != SF_TCP_LISTEN && ci->state != SF_TCP_TIME_WAIT)
		printf("%-18s rtt:%ums rto:%ums cwnd:%u wnd:%u%s\n", timer,
		       ci->srtt_ms, ci->rto_ms, ci->cwnd, ci->snd_wnd,
		       ci->nrexmit != 0 ? " backoff" : "");
	else
		printf("%s\n", timer);
	return 0;
}

static int
conn_state_parse(const char *s)
{
	char up[32];
	unsigned int i;

	for (i = 0; s[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	up[i] = '\0';
	for (i = SF_TCP_LISTEN; i < SF_TCP_NB_STATES; i++)
		if (strcmp(up, sf_tcp_state_name((enum sf_tcp_state)i)) == 0)
			return (int)i;
	return -1;
}

/* ---- show conn [state S] [limit N] ---- */

struct cmd_conn_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t conn;
	cmdline_fixed_string_t state_kw;
	cmdline_fixed_string_t state;
	cmdline_fixed_string_t limit_kw;
	uint32_t limit;
};

static void
cmd_conn_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_conn_show_result *res = parsed;
	const struct app *a = data;
	struct conn_walk cw = {
		.state = -1,
		.limit = res->limit_kw[0] != '\0' ? res->limit :
			CONN_LIMIT_DEFAULT,
	};
	unsigned int i;
	int rc;

	RTE_SET_USED(cl);
	if (res->state[0] != '\0')
		cw.state = conn_state_parse(res->state);
	printf("%-3s %-12s %8s %8s  %-21s %-21s %-18s %s\n", "wk", "State",
	       "Recv-Q", "Send-Q", "Local", "Peer", "Timer", "Details");
	for (i = 0; i < a->nb_workers && !cw.more; i++) {
		rc = sf_tcp_conn_dump(a->workers[i], SF_TCP_READER_CONSOLE,
				      conn_line, &cw);
		if (rc < 0 && rc != -ENODEV)
			printf("worker %u: %s\n", i, strerror(-rc));
	}
	if (cw.more)
		printf("(first %" PRIu64 " shown: 'show conn limit N' for "
		       "more, 'show conn summary' for the counts)\n",
		       cw.shown);
	else
		printf("%" PRIu64 " shown\n", cw.shown);
}

static cmdline_parse_token_string_t cmd_conn_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_show_result, show, "show");
static cmdline_parse_token_string_t cmd_conn_show_conn =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_show_result, conn, "conn");
static cmdline_parse_token_string_t cmd_conn_show_state_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_show_result, state_kw,
				 "state");
static cmdline_parse_token_string_t cmd_conn_show_state =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_show_result, state,
				 "listen#syn_sent#syn_rcvd#established#"
				 "fin_wait_1#fin_wait_2#close_wait#closing#"
				 "last_ack#time_wait");
static cmdline_parse_token_string_t cmd_conn_show_limit_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_show_result, limit_kw,
				 "limit");
static cmdline_parse_token_num_t cmd_conn_show_limit =
	TOKEN_NUM_INITIALIZER(struct cmd_conn_show_result, limit,
			      RTE_UINT32);

#define CONN_SHOW_HELP "show conn [state S] [limit N]: connections, as ss " \
	"(4-tuple, state, queues, running timer; first 100 by default)"

static cmdline_parse_inst_t cmd_conn_show = {
	.f = cmd_conn_show_parsed,
	.help_str = CONN_SHOW_HELP,
	.tokens = {
		(void *)&cmd_conn_show_show,
		(void *)&cmd_conn_show_conn,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_conn_show_state_only = {
	.f = cmd_conn_show_parsed,
	.help_str = CONN_SHOW_HELP,
	.tokens = {
		(void *)&cmd_conn_show_show,
		(void *)&cmd_conn_show_conn,
		(void *)&cmd_conn_show_state_kw,
		(void *)&cmd_conn_show_state,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_conn_show_limit_only = {
	.f = cmd_conn_show_parsed,
	.help_str = CONN_SHOW_HELP,
	.tokens = {
		(void *)&cmd_conn_show_show,
		(void *)&cmd_conn_show_conn,
		(void *)&cmd_conn_show_limit_kw,
		(void *)&cmd_conn_show_limit,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_conn_show_state_limit = {
	.f = cmd_conn_show_parsed,
	.help_str = CONN_SHOW_HELP,
	.tokens = {
		(void *)&cmd_conn_show_show,
		(void *)&cmd_conn_show_conn,
		(void *)&cmd_conn_show_state_kw,
		(void *)&cmd_conn_show_state,
		(void *)&cmd_conn_show_limit_kw,
		(void *)&cmd_conn_show_limit,
		NULL,
	},
};

/* ---- show conn summary ---- */

struct cmd_conn_summary_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t conn;
	cmdline_fixed_string_t summary;
};

static void
cmd_conn_summary_parsed(void *parsed, struct cmdline *cl, void *data)
{
	uint64_t per[SF_MAX_WORKERS][SF_TCP_NB_STATES];
	uint64_t total, all = 0, cap = 0;
	const struct app *a = data;
	unsigned int i, s;
	char col[24];

	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	memset(per, 0, sizeof(per));
	for (i = 0; i < a->nb_workers; i++) {
		sf_tcp_state_counts(a->workers[i], per[i]);
		if (a->workers[i]->tcp != NULL)
			cap += sf_tcp_max_conns(a->workers[i]);
	}
	printf("%-12s %12s", "State", "total");
	if (a->nb_workers > 1)
		for (i = 0; i < a->nb_workers; i++) {
			snprintf(col, sizeof(col), "worker %u", i);
			printf(" %12s", col);
		}
	printf("\n");
	for (s = SF_TCP_LISTEN + 1; s < SF_TCP_NB_STATES; s++) {
		total = 0;
		for (i = 0; i < a->nb_workers; i++)
			total += per[i][s];
		all += total;
		printf("%-12s %12" PRIu64, sf_tcp_state_name(
			(enum sf_tcp_state)s), total);
		if (a->nb_workers > 1)
			for (i = 0; i < a->nb_workers; i++)
				printf(" %12" PRIu64, per[i][s]);
		printf("\n");
	}
	printf("%-12s %12" PRIu64 "  (room for %" PRIu64 " connections "
	       "besides TIME_WAIT)\n", "all", all, cap);
}

static cmdline_parse_token_string_t cmd_conn_summary_show =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_summary_result, show,
				 "show");
static cmdline_parse_token_string_t cmd_conn_summary_conn =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_summary_result, conn,
				 "conn");
static cmdline_parse_token_string_t cmd_conn_summary_summary =
	TOKEN_STRING_INITIALIZER(struct cmd_conn_summary_result, summary,
				 "summary");

static cmdline_parse_inst_t cmd_conn_summary = {
	.f = cmd_conn_summary_parsed,
	.help_str = "show conn summary: connections per state, per worker",
	.tokens = {
		(void *)&cmd_conn_summary_show,
		(void *)&cmd_conn_summary_conn,
		(void *)&cmd_conn_summary_summary,
		NULL,
	},
};

static cmdline_parse_inst_t *const conn_cmds[] = {
	&cmd_conn_show, &cmd_conn_show_state_only, &cmd_conn_show_limit_only,
	&cmd_conn_show_state_limit, &cmd_conn_summary, NULL,
};

const struct sf_cmd_group sf_cmd_group_conn = {
	.name = "conn",
	.title = "Connections",
	.cmds = conn_cmds,
};
