/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console: logging. rte_log's levels are process-wide and read by every
 * lcore at each log call, so changing one from the console is safe while
 * the workers run.
 */
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "cmds.h"

#define LOG_LEVELS "emerg#alert#crit#err#warning#notice#info#debug"

static const char *const log_level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

/* "debug" -> RTE_LOG_DEBUG; 0 when unknown. */
static uint32_t
log_level_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(log_level_names); i++)
		if (strcmp(s, log_level_names[i]) == 0)
			return RTE_LOG_EMERG + i;
	return 0;
}

/* ---- log level [TYPE] LEVEL ---- */

struct cmd_log_level_result {
	cmdline_fixed_string_t log;
	cmdline_fixed_string_t level_kw;
	cmdline_fixed_string_t type;
	cmdline_fixed_string_t level;
};

static void
cmd_log_level_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_log_level_result *res = parsed;
	uint32_t level = log_level_parse(res->level);

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (level == 0)
		return;		/* the token admits only the names */
	if (res->type[0] == '\0') {
		rte_log_set_global_level(level);
		printf("global log level: %s\n", res->level);
		return;
	}
	/* A pattern ("synfin.*", "pmd.net.*") or one type's name. */
	if (rte_log_set_level_pattern(res->type, level) != 0) {
		printf("log level %s: rte_log refused the pattern\n",
		       res->type);
		return;
	}
	printf("log level of %s: %s\n", res->type, res->level);
}

static cmdline_parse_token_string_t cmd_log_level_log =
	TOKEN_STRING_INITIALIZER(struct cmd_log_level_result, log, "log");
static cmdline_parse_token_string_t cmd_log_level_level_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_log_level_result, level_kw,
				 "level");
static cmdline_parse_token_string_t cmd_log_level_type =
	TOKEN_STRING_INITIALIZER(struct cmd_log_level_result, type, NULL);
static cmdline_parse_token_string_t cmd_log_level_level =
	TOKEN_STRING_INITIALIZER(struct cmd_log_level_result, level,
				 LOG_LEVELS);

#define LOG_LEVEL_HELP "log level [TYPE] LEVEL: set the level (emerg .. " \
	"debug) of log types matching TYPE (e.g. synfin.*, pmd.net.*), or " \
	"the global one"

static cmdline_parse_inst_t cmd_log_level = {
	.f = cmd_log_level_parsed,
	.help_str = LOG_LEVEL_HELP,
	.tokens = {
		(void *)&cmd_log_level_log,
		(void *)&cmd_log_level_level_kw,
		(void *)&cmd_log_level_type,
		(void *)&cmd_log_level_level,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_log_level_global = {
	.f = cmd_log_level_parsed,
	.help_str = LOG_LEVEL_HELP,
	.tokens = {
		(void *)&cmd_log_level_log,
		(void *)&cmd_log_level_level_kw,
		(void *)&cmd_log_level_level,
		NULL,
	},
};

/* ---- show log ---- */

struct cmd_log_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t log;
};

static void
cmd_log_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	rte_log_dump(stdout);
}

static cmdline_parse_token_string_t cmd_log_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_log_show_result, show, "show");
static cmdline_parse_token_string_t cmd_log_show_log =
	TOKEN_STRING_INITIALIZER(struct cmd_log_show_result, log, "log");

static cmdline_parse_inst_t cmd_log_show = {
	.f = cmd_log_show_parsed,
	.help_str = "show log: every log type and its level",
	.tokens = {
		(void *)&cmd_log_show_show,
		(void *)&cmd_log_show_log,
		NULL,
	},
};

static cmdline_parse_inst_t *const log_cmds[] = {
	&cmd_log_level, &cmd_log_level_global, &cmd_log_show, NULL,
};

const struct sf_cmd_group sf_cmd_group_log = {
	.name = "log",
	.title = "Logging",
	.cmds = log_cmds,
};
