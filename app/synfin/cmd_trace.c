/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console: the connection lifecycle trace. sf_tcp_trace_set publishes a
 * filter each worker reads lock-free; connections opened after it are
 * checked against it, and "trace off" silences traced ones at their next
 * event.
 */
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "cmds.h"
#include "sf_tcp_trace.h"

struct cmd_trace_result {
	cmdline_fixed_string_t trace;
	cmdline_fixed_string_t onoff;
	cmdline_fixed_string_t filter;
};

static void
cmd_trace_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_trace_result *res = parsed;
	struct app *a = data;
	struct sf_trace_filter f;
	char expr[2 * sizeof(cmdline_fixed_string_t) + 2], err[256], now[96];
	unsigned int i;

	RTE_SET_USED(cl);
	snprintf(expr, sizeof(expr), "%s%s%s", res->onoff,
		 res->filter[0] ? " " : "", res->filter);
	if (sf_tcp_trace_parse(expr, &f, err, sizeof(err)) != 0) {
		printf("trace: %s\n", err);
		return;
	}
	for (i = 0; i < a->nb_workers; i++)
		if (sf_tcp_trace_set(a->workers[i], &f) != 0)
			printf("trace: worker %u has no TCP\n", i);
	a->cfg.trace = f;
	sf_tcp_trace_format(&f, now, sizeof(now));
	printf("trace: %s%s\n", now, f.on ? " (connections opened from "
	       "now on; lines under log type synfin.trace)" : "");
}

static cmdline_parse_token_string_t cmd_trace_trace =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_result, trace, "trace");
static cmdline_parse_token_string_t cmd_trace_onoff =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_result, onoff, "on#off");
static cmdline_parse_token_string_t cmd_trace_filter =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_result, filter,
				 TOKEN_STRING_MULTI);

#define TRACE_HELP "trace on [host A] [port P] [limit N] | trace off: " \
	"trace every segment and state change of matching connections"

static cmdline_parse_inst_t cmd_trace_filtered = {
	.f = cmd_trace_parsed,
	.help_str = TRACE_HELP,
	.tokens = {
		(void *)&cmd_trace_trace,
		(void *)&cmd_trace_onoff,
		(void *)&cmd_trace_filter,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_trace_plain = {
	.f = cmd_trace_parsed,
	.help_str = TRACE_HELP,
	.tokens = {
		(void *)&cmd_trace_trace,
		(void *)&cmd_trace_onoff,
		NULL,
	},
};

/* ---- show trace ---- */

struct cmd_trace_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t trace;
};

static void
cmd_trace_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct app *a = data;
	struct sf_trace_filter f;
	char buf[96];
	unsigned int i;

	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	for (i = 0; i < a->nb_workers; i++) {
		if (sf_tcp_trace_get(a->workers[i], &f) != 0)
			continue;
		sf_tcp_trace_format(&f, buf, sizeof(buf));
		printf("worker %u: trace %s, %u connection(s) traced\n", i,
		       buf, sf_tcp_trace_count(a->workers[i]));
	}
}

static cmdline_parse_token_string_t cmd_trace_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_show_result, show, "show");
static cmdline_parse_token_string_t cmd_trace_show_trace =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_show_result, trace,
				 "trace");

static cmdline_parse_inst_t cmd_trace_show = {
	.f = cmd_trace_show_parsed,
	.help_str = "show trace: each worker's filter and traced connections",
	.tokens = {
		(void *)&cmd_trace_show_show,
		(void *)&cmd_trace_show_trace,
		NULL,
	},
};

static cmdline_parse_inst_t *const trace_cmds[] = {
	&cmd_trace_filtered, &cmd_trace_plain, &cmd_trace_show, NULL,
};

const struct sf_cmd_group sf_cmd_group_trace = {
	.name = "trace",
	.title = "Connection lifecycle trace",
	.cmds = trace_cmds,
};
