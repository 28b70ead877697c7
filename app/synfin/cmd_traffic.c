/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console: traffic control. A client's start and stop run its load
 * generators (with -i they wait for the first start); a server's stop
 * takes its listener away, so new SYNs are refused as by a closed port
 * while accepted connections go on, and start puts it back. "set"
 * changes the load of a running client; values are totals, split
 * between the workers as at start-up. "show config" prints the
 * configuration in effect, "set" included. Every change travels through
 * the workers' control rings; sf_cmd_worker_ctl() is the worker side.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "cmds.h"
#include "sf_app.h"
#include "sf_cfg.h"
#include "sf_tcp_trace.h"

void
sf_cmd_worker_ctl(struct sf_worker *w, const struct sf_ctl_msg *m,
		  void *arg)
{
	struct app *a = arg;
	const struct sf_tcp_app_ops *ops;
	uint16_t port = (uint16_t)m->arg32;

	if (m->type == SF_CTL_STATS_CLEAR) {
		/* The worker zeroed its own counters; now TCP's state
		 * transitions and the app's. */
		sf_tcp_transitions_clear(w);
		sf_app_stats_clear(w);
		return;
	}
	if (m->type != SF_CTL_APP)
		return;
	switch (m->param) {
	case SF_CMD_CTL_LOAD:
		sf_app_loadgen_set(w, (enum sf_load_param)m->arg32, m->arg);
		break;
	case SF_CMD_CTL_LISTEN:
		/* listen_ops[w->id] belongs to this worker alone. */
		if (m->arg == 0) {
			if (sf_tcp_unlisten(w, port, &ops) == 0)
				a->con->listen_ops[w->id] = ops;
		} else if (a->con->listen_ops[w->id] != NULL) {
			if (sf_tcp_listen(w, port,
					  a->con->listen_ops[w->id]) == 0)
				a->con->listen_ops[w->id] = NULL;
		}
		break;
	default:
		break;
	}
}

/* Worker @i's share of @total over @n, as main.c splits the load. */
static uint64_t
traffic_share(uint64_t total, unsigned int i, unsigned int n)
{
	return total / n + (i < total % n ? 1 : 0);
}

/* Send (load parameter @p, value for each worker) to every worker that
 * runs a load generator; @split divides @total between them. */
static unsigned int
traffic_load_send(struct app *a, enum sf_load_param p, uint64_t total,
		  bool split)
{
	struct sf_ctl_msg m = {
		.type = SF_CTL_APP,
		.param = SF_CMD_CTL_LOAD,
		.arg32 = (uint32_t)p,
	};
	unsigned int i, k = 0, n = sf_cmd_loadgen_workers(a), sent = 0;
	int rc;

	for (i = 0; i < a->nb_workers; i++) {
		if (sf_app_loadgen_slots(a->workers[i]) == 0)
			continue;
		m.arg = split ? traffic_share(total, k, n) : total;
		/* A rate of 0 means unpaced: a worker's share of a small
		 * nonzero rate is at least 1. */
		if (split && total != 0 && m.arg == 0)
			m.arg = 1;
		k++;
		rc = sf_worker_ctl_send(a->workers[i], &m);
		if (rc == 0)
			sent++;
		else
			printf("worker %u: message refused: %s\n", i,
			       strerror(-rc));
	}
	for (i = 0; i < a->nb_workers; i++)
		if (sf_app_loadgen_slots(a->workers[i]) != 0)
			sf_cmd_sync(a, i);
	return sent;
}

static bool
traffic_has_app(const struct app *a)
{
	if (strcmp(a->cfg.app, "none") != 0)
		return true;
	printf("no application runs ([app] app none): nothing to start or "
	       "stop\n");
	return false;
}

static void
traffic_listen(struct app *a, bool on)
{
	struct sf_ctl_msg m = {
		.type = SF_CTL_APP,
		.param = SF_CMD_CTL_LISTEN,
		.arg32 = a->cfg.app_port,
		.arg = on,
	};

	if (a->con->accepting == on) {
		printf("server: already %s on port %u\n",
		       on ? "accepting" : "stopped", a->cfg.app_port);
		return;
	}
	if (sf_cmd_send_all(a, &m) != a->nb_workers)
		return;
	a->con->accepting = on;
	printf("server: %s on TCP port %u%s\n",
	       on ? "accepting" : "stopped accepting", a->cfg.app_port,
	       on ? "" : " (open connections go on)");
}

/* ---- start / stop ---- */

struct cmd_traffic_run_result {
	cmdline_fixed_string_t what;
};

static void
cmd_traffic_run_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_traffic_run_result *res = parsed;
	struct app *a = data;
	bool start = strcmp(res->what, "start") == 0;
	unsigned int n;

	RTE_SET_USED(cl);
	if (!traffic_has_app(a))
		return;
	if (!a->client) {
		traffic_listen(a, start);
		return;
	}
	n = traffic_load_send(a, SF_LOAD_RUN, start, false);
	if (start) {
		/* -i: the client's rates count from its first start. */
		if (!a->con->started && a->cfg.interactive)
			a->start_tsc = rte_rdtsc();
		a->con->started = true;
		a->done_tsc = 0;
	}
	printf("load generator: %s on %u worker(s)\n",
	       start ? "started" : "stopping (open connections finish "
	       "their exchange)", n);
}

static cmdline_parse_token_string_t cmd_traffic_run_what =
	TOKEN_STRING_INITIALIZER(struct cmd_traffic_run_result, what,
				 "start#stop");

static cmdline_parse_inst_t cmd_traffic_run = {
	.f = cmd_traffic_run_parsed,
	.help_str = "start|stop: client: run or stop the load generator "
		"(-i waits for start); server: accept new connections or "
		"refuse them",
	.tokens = {
		(void *)&cmd_traffic_run_what,
		NULL,
	},
};

/* ---- set ---- */

struct cmd_traffic_set_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t what;
	uint64_t value;
};

/* The workers' slots bound concurrency: the free list is allocated once. */
static bool
traffic_concurrency_fits(const struct app *a, uint64_t total)
{
	unsigned int i, k = 0, n = sf_cmd_loadgen_workers(a);
	uint64_t slots = 0;
	bool fits = true;

	for (i = 0; i < a->nb_workers; i++) {
		if (sf_app_loadgen_slots(a->workers[i]) == 0)
			continue;
		slots += sf_app_loadgen_slots(a->workers[i]);
		if (traffic_share(total, k++, n) >
		    sf_app_loadgen_slots(a->workers[i]))
			fits = false;
	}
	if (total == 0 || !fits) {
		printf("concurrency %" PRIu64 ": allowed 1 to %" PRIu64
		       ", the connection slots allocated at start (restart "
		       "with a larger --concurrency for more)\n", total,
		       slots);
		return false;
	}
	return true;
}

static void
cmd_traffic_set_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_traffic_set_result *res = parsed;
	struct app *a = data;
	uint64_t v = res->value;
	enum sf_load_param p;
	bool split = true;

	RTE_SET_USED(cl);
	if (!a->client || sf_cmd_loadgen_workers(a) == 0) {
		printf("set %s: only a client's load generator takes it\n",
		       res->what);
		return;
	}
	if (v > UINT32_MAX) {
		printf("set %s: at most %u\n", res->what, UINT32_MAX);
		return;
	}
	if (strcmp(res->what, "rate") == 0) {
		p = SF_LOAD_RATE;
		a->cfg.rate = (uint32_t)v;
	} else if (strcmp(res->what, "concurrency") == 0) {
		if (!traffic_concurrency_fits(a, v))
			return;
		p = SF_LOAD_CONCURRENCY;
		a->cfg.concurrency = (uint32_t)v;
	} else if (strcmp(res->what, "duration") == 0) {
		p = SF_LOAD_DURATION;
		split = false;
		a->cfg.duration_s = (uint32_t)v;
	} else if (strcmp(res->what, "requests") == 0) {
		if (strcmp(a->cfg.app, "echo") == 0 && a->cfg.bytes == 0) {
			printf("set requests: an echo client with --bytes 0 "
			       "makes one per connection\n");
			return;
		}
		p = SF_LOAD_REQUESTS;
		split = false;
		a->cfg.requests = (uint32_t)v;
	} else {
		p = SF_LOAD_REQ_RATE;
		a->cfg.req_rate = (uint32_t)v;
	}
	traffic_load_send(a, p, v, split);
	printf("%s %" PRIu64 "%s\n", res->what, v,
	       v == 0 && (p == SF_LOAD_RATE || p == SF_LOAD_REQ_RATE) ?
	       " (unpaced)" : v == 0 && p == SF_LOAD_DURATION ?
	       " (no time limit)" : v == 0 && p == SF_LOAD_REQUESTS ?
	       " (unlimited)" : "");
}

static cmdline_parse_token_string_t cmd_traffic_set_set =
	TOKEN_STRING_INITIALIZER(struct cmd_traffic_set_result, set, "set");
static cmdline_parse_token_string_t cmd_traffic_set_what =
	TOKEN_STRING_INITIALIZER(struct cmd_traffic_set_result, what,
				 "rate#concurrency#duration#requests#"
				 "req_rate");
static cmdline_parse_token_num_t cmd_traffic_set_value =
	TOKEN_NUM_INITIALIZER(struct cmd_traffic_set_result, value,
			      RTE_UINT64);

static cmdline_parse_inst_t cmd_traffic_set = {
	.f = cmd_traffic_set_parsed,
	.help_str = "set rate|concurrency|duration|requests|req_rate N: "
		"change the running client's load (totals; 0: unpaced / no "
		"limit; duration in s from the run's start)",
	.tokens = {
		(void *)&cmd_traffic_set_set,
		(void *)&cmd_traffic_set_what,
		(void *)&cmd_traffic_set_value,
		NULL,
	},
};

/* ---- show config ---- */

struct cmd_traffic_config_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t config;
};

static void
cmd_traffic_config_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct app *a = data;

	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	sf_cfg_dump(stdout, &a->cfg);
}

static cmdline_parse_token_string_t cmd_traffic_config_show =
	TOKEN_STRING_INITIALIZER(struct cmd_traffic_config_result, show,
				 "show");
static cmdline_parse_token_string_t cmd_traffic_config_config =
	TOKEN_STRING_INITIALIZER(struct cmd_traffic_config_result, config,
				 "config");

static cmdline_parse_inst_t cmd_traffic_config = {
	.f = cmd_traffic_config_parsed,
	.help_str = "show config: every configuration key in effect, as an "
		"INI file",
	.tokens = {
		(void *)&cmd_traffic_config_show,
		(void *)&cmd_traffic_config_config,
		NULL,
	},
};

static cmdline_parse_inst_t *const traffic_cmds[] = {
	&cmd_traffic_run, &cmd_traffic_set, &cmd_traffic_config, NULL,
};

const struct sf_cmd_group sf_cmd_group_traffic = {
	.name = "traffic",
	.title = "Traffic and configuration",
	.cmds = traffic_cmds,
};
