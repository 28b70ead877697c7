/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console: counters. Each worker writes its own counters without atomics
 * and the console sums plain 64-bit reads (sf_worker_stats_read), so a sum
 * is a few microseconds stale, never torn. "clear stats" asks every
 * worker to zero its own counters through its control ring (a worker is
 * their only writer) and resets the ports' counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>

#include "cmds.h"
#include "sf_app.h"
#include "sf_stats.h"

static void
stats_sum(const struct app *a, struct sf_stats *sum)
{
	uint64_t states[SF_TCP_NB_STATES];

	sf_worker_stats_sum(a->workers, a->nb_workers, sum, states);
}

/* Sum of the workers' app counters; false when no app runs. */
static bool
stats_app_sum(const struct app *a, struct sf_app_stats *sum)
{
	return sf_app_stats_sum(a->workers, a->nb_workers, sum) != 0;
}

static void
stats_print_prefixed(const struct sf_stats *s, const char *prefix)
{
	const char *n;
	unsigned int i;

	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		if (prefix == NULL || strncmp(n, prefix, strlen(prefix)) == 0)
			printf("  %-26s %16" PRIu64 "  %s\n", n,
			       sf_stats_get(s, i), sf_stats_help(i));
}

static void
stats_print_states(const struct app *a)
{
	uint64_t states[SF_TCP_NB_STATES] = { 0 };
	unsigned int i;

	for (i = 0; i < a->nb_workers; i++)
		sf_tcp_state_counts(a->workers[i], states);
	for (i = SF_TCP_LISTEN + 1; i < SF_TCP_NB_STATES; i++)
		printf("  tcp_state_%-16s %16" PRIu64 "  connections now in "
		       "%s\n", sf_tcp_state_name((enum sf_tcp_state)i),
		       states[i], sf_tcp_state_name((enum sf_tcp_state)i));
}

static void
stats_print_app(const struct app *a)
{
	struct sf_app_stats s;
	const char *n;
	unsigned int i;

	if (!stats_app_sum(a, &s))
		return;
	printf("%s application:\n", a->cfg.app);
	for (i = 0; (n = sf_app_counter_name(i)) != NULL; i++)
		printf("  %-26s %16" PRIu64 "  %s\n", n,
		       sf_app_counter_get(&s, i), sf_app_counter_help(i));
	printf("  %-26s %16" PRIu64 "  connections open now\n", "conns_open",
	       s.conns_open);
}

/* ---- show tcp stats / show stats ---- */

struct cmd_stats_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t stats;
};

static void
cmd_stats_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_stats_show_result *res = parsed;
	const struct app *a = data;
	struct sf_stats s;

	RTE_SET_USED(cl);
	stats_sum(a, &s);
	if (strcmp(res->what, "tcp") == 0) {
		printf("TCP, all %u worker(s):\n", a->nb_workers);
		stats_print_prefixed(&s, "tcp_");
		stats_print_states(a);
		sf_report_transitions(a);
		return;
	}
	printf("counters, all %u worker(s):\n", a->nb_workers);
	stats_print_prefixed(&s, NULL);
	stats_print_states(a);
	stats_print_app(a);
}

static cmdline_parse_token_string_t cmd_stats_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_show_result, show, "show");
static cmdline_parse_token_string_t cmd_stats_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_show_result, what, "tcp");
static cmdline_parse_token_string_t cmd_stats_show_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_show_result, stats,
				 "stats");
/* "show stats": the same result struct, "stats" in the what field. */
static cmdline_parse_token_string_t cmd_stats_show_all =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_show_result, what, "stats");

static cmdline_parse_inst_t cmd_stats_show_tcp = {
	.f = cmd_stats_show_parsed,
	.help_str = "show tcp stats: every TCP counter and the connections "
		"per state, summed over the workers",
	.tokens = {
		(void *)&cmd_stats_show_show,
		(void *)&cmd_stats_show_what,
		(void *)&cmd_stats_show_stats,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_stats_show = {
	.f = cmd_stats_show_parsed,
	.help_str = "show stats: every counter (ethernet to TCP, and the "
		"application's)",
	.tokens = {
		(void *)&cmd_stats_show_show,
		(void *)&cmd_stats_show_all,
		NULL,
	},
};

/* ---- show worker stats ---- */

struct cmd_stats_worker_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t worker;
	cmdline_fixed_string_t stats;
};

static void
cmd_stats_worker_parsed(void *parsed, struct cmdline *cl, void *data)
{
	uint64_t states[SF_TCP_NB_STATES];
	const struct app *a = data;
	const struct sf_app_stats *as;
	const struct sf_worker *w;
	const char *lg;
	struct sf_stats s;
	unsigned int i;

	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	printf("%-3s %-5s %14s %14s %10s %10s %8s %8s %10s %8s %10s %10s "
	       "%8s  %s\n", "wk", "lcore", "rx_pkts", "tx_pkts", "drops",
	       "tx_full", "estab", "tw", "opens", "misdeliv", "app_conns",
	       "app_resp", "app_err", "app");
	for (i = 0; i < a->nb_workers; i++) {
		w = a->workers[i];
		sf_worker_stats_read(w, &s);
		memset(states, 0, sizeof(states));
		sf_tcp_state_counts(w, states);
		printf("%-3u %-5u %14" PRIu64 " %14" PRIu64 " %10" PRIu64
		       " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %10" PRIu64
		       " %8" PRIu64, i, w->lcore_id, s.rx_pkts, s.tx_pkts,
		       sf_stats_drops(&s), s.tx_drop_full,
		       states[SF_TCP_ESTABLISHED], states[SF_TCP_TIME_WAIT],
		       s.tcp_active_opens + s.tcp_passive_opens,
		       s.tcp_misdelivered);
		as = sf_app_stats(w);
		if (as == NULL) {
			printf(" %10s %10s %8s  %s\n", "-", "-", "-", "none");
			continue;
		}
		lg = sf_app_loadgen_state(w);
		printf(" %10" PRIu64 " %10" PRIu64 " %8" PRIu64 "  %s%s%s"
		       "%s\n", as->conns_opened, as->responses, as->errors,
		       a->cfg.app, lg != NULL ? " client (" : "",
		       lg != NULL ? lg : "", lg != NULL ? ")" : "");
	}
}

static cmdline_parse_token_string_t cmd_stats_worker_show =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_worker_result, show,
				 "show");
static cmdline_parse_token_string_t cmd_stats_worker_worker =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_worker_result, worker,
				 "worker");
static cmdline_parse_token_string_t cmd_stats_worker_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_worker_result, stats,
				 "stats");

static cmdline_parse_inst_t cmd_stats_worker = {
	.f = cmd_stats_worker_parsed,
	.help_str = "show worker stats: per worker packets, drops, "
		"connections and application counters",
	.tokens = {
		(void *)&cmd_stats_worker_show,
		(void *)&cmd_stats_worker_worker,
		(void *)&cmd_stats_worker_stats,
		NULL,
	},
};

/* ---- clear stats ---- */

struct cmd_stats_clear_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t stats;
};

static void
cmd_stats_clear_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct sf_ctl_msg m = { .type = SF_CTL_STATS_CLEAR };
	struct app *a = data;
	unsigned int n;
	uint16_t p;

	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	n = sf_cmd_send_all(a, &m);
	for (p = 0; p < a->nb_ports; p++)
		if (a->port_started[p])
			rte_eth_stats_reset(a->port_ids[p]);
	/* The stats line's and "show port stats"' rates start afresh. */
	memset(&a->last, 0, sizeof(a->last));
	sf_app_stats_reset(&a->app_last);
	memset(a->con->port_last, 0, sizeof(a->con->port_last));
	printf("counters cleared on %u worker(s) and %u port(s)\n", n,
	       a->nb_ports);
}

static cmdline_parse_token_string_t cmd_stats_clear_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_clear_result, clear,
				 "clear");
static cmdline_parse_token_string_t cmd_stats_clear_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_stats_clear_result, stats,
				 "stats");

static cmdline_parse_inst_t cmd_stats_clear = {
	.f = cmd_stats_clear_parsed,
	.help_str = "clear stats: zero every counter (workers, application, "
		"ports); gauges such as open connections stay",
	.tokens = {
		(void *)&cmd_stats_clear_clear,
		(void *)&cmd_stats_clear_stats,
		NULL,
	},
};

static cmdline_parse_inst_t *const stats_cmds[] = {
	&cmd_stats_show_tcp, &cmd_stats_show, &cmd_stats_worker,
	&cmd_stats_clear, NULL,
};

const struct sf_cmd_group sf_cmd_group_stats = {
	.name = "stats",
	.title = "Counters",
	.cmds = stats_cmds,
};
