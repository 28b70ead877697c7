/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console: pcapng capture. sf_capture_* are control-plane calls; the
 * console runs on the main lcore (or inside the only worker's
 * housekeeping), which is where they belong. The workers pick the ring up
 * or drop it at their next housekeeping.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "cmds.h"
#include "sf_capture.h"

/* ---- capture start FILE [FILTER...] ---- */

struct cmd_capture_start_result {
	cmdline_fixed_string_t capture;
	cmdline_fixed_string_t start;
	cmdline_fixed_string_t file;
	cmdline_fixed_string_t filter;
};

static void
cmd_capture_start_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_capture_start_result *res = parsed;
	struct app *a = data;
	struct sf_capture_conf cc;
	char err[256];
	int rc;

	RTE_SET_USED(cl);
	memset(&cc, 0, sizeof(cc));
	cc.file = res->file;
	sf_capture_filter_init(&cc.filter);
	if (res->filter[0] != '\0' &&
	    sf_capture_filter_parse(res->filter, &cc.filter, err,
				    sizeof(err)) != 0) {
		printf("capture start: %s\n", err);
		return;
	}
	rc = sf_capture_start(&cc, a->workers, a->nb_workers);
	if (rc == -EBUSY) {
		printf("capture start: a capture is running: capture stop "
		       "first\n");
		return;
	}
	if (rc != 0) {
		printf("capture start %s: %s\n", res->file, strerror(-rc));
		return;
	}
	printf("capturing to %s%s%s\n", res->file,
	       res->filter[0] ? ", filter: " : "", res->filter);
}

static cmdline_parse_token_string_t cmd_capture_start_capture =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_start_result, capture,
				 "capture");
static cmdline_parse_token_string_t cmd_capture_start_start =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_start_result, start,
				 "start");
static cmdline_parse_token_string_t cmd_capture_start_file =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_start_result, file, NULL);
static cmdline_parse_token_string_t cmd_capture_start_filter =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_start_result, filter,
				 TOKEN_STRING_MULTI);

#define CAPTURE_START_HELP "capture start FILE [host A] [port P] [tcp] " \
	"[iface N]: write matching frames to a pcapng FILE (tcpdump -r " \
	"reads it)"

static cmdline_parse_inst_t cmd_capture_start = {
	.f = cmd_capture_start_parsed,
	.help_str = CAPTURE_START_HELP,
	.tokens = {
		(void *)&cmd_capture_start_capture,
		(void *)&cmd_capture_start_start,
		(void *)&cmd_capture_start_file,
		(void *)&cmd_capture_start_filter,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_capture_start_all = {
	.f = cmd_capture_start_parsed,
	.help_str = CAPTURE_START_HELP,
	.tokens = {
		(void *)&cmd_capture_start_capture,
		(void *)&cmd_capture_start_start,
		(void *)&cmd_capture_start_file,
		NULL,
	},
};

/* ---- capture stop | show capture ---- */

struct cmd_capture_word_result {
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
};

static void
capture_print(void)
{
	struct sf_capture_stats st;
	char line[256];

	sf_capture_stats(&st);
	if (st.file[0] == '\0') {
		printf("no capture yet\n");
		return;
	}
	sf_capture_stats_str(&st, line, sizeof(line));
	printf("capture %s: %s, filter \"%s\": %s\n",
	       st.active ? "running" : "stopped", st.file, st.filter, line);
}

static void
cmd_capture_stop_parsed(void *parsed, struct cmdline *cl, void *data)
{
	int rc;

	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	rc = sf_capture_stop();
	if (rc == -ENOENT) {
		printf("capture stop: no capture is running\n");
		return;
	}
	if (rc != 0)
		printf("capture stop: %s (the file is closed)\n",
		       strerror(-rc));
	capture_print();
}

static void
cmd_capture_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	capture_print();
}

static cmdline_parse_token_string_t cmd_capture_stop_w1 =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_word_result, w1,
				 "capture");
static cmdline_parse_token_string_t cmd_capture_stop_w2 =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_word_result, w2, "stop");
static cmdline_parse_token_string_t cmd_capture_show_w1 =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_word_result, w1, "show");
static cmdline_parse_token_string_t cmd_capture_show_w2 =
	TOKEN_STRING_INITIALIZER(struct cmd_capture_word_result, w2,
				 "capture");

static cmdline_parse_inst_t cmd_capture_stop = {
	.f = cmd_capture_stop_parsed,
	.help_str = "capture stop: write what is left and close the file",
	.tokens = {
		(void *)&cmd_capture_stop_w1,
		(void *)&cmd_capture_stop_w2,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_capture_show = {
	.f = cmd_capture_show_parsed,
	.help_str = "show capture: the current or last capture's figures",
	.tokens = {
		(void *)&cmd_capture_show_w1,
		(void *)&cmd_capture_show_w2,
		NULL,
	},
};

static cmdline_parse_inst_t *const capture_cmds[] = {
	&cmd_capture_start, &cmd_capture_start_all, &cmd_capture_stop,
	&cmd_capture_show, NULL,
};

const struct sf_cmd_group sf_cmd_group_capture = {
	.name = "capture",
	.title = "Packet capture (pcapng)",
	.cmds = capture_cmds,
};
