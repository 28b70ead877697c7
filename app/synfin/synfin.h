/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SYNFIN_H
#define SYNFIN_H

/*
 * The synfin program's control plane, shared by main.c (bring-up and
 * lifecycle) and report.c (stats lines, counters, the client's results).
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sf_app.h"
#include "sf_cfg.h"
#include "sf_common.h"
#include "sf_port.h"
#include "sf_stats.h"

struct sf_con;
struct sf_iface;
struct sf_worker;

struct app {
	struct sf_cfg cfg;
	uint16_t nb_ports;
	uint16_t port_ids[SF_MAX_PORTS];
	struct sf_iface *ifc[SF_MAX_PORTS];
	struct sf_port_info pinfo[SF_MAX_PORTS];
	bool port_started[SF_MAX_PORTS];
	unsigned int nb_workers;
	unsigned int worker_lcore[SF_MAX_WORKERS];
	struct sf_worker *workers[SF_MAX_WORKERS];
	bool main_is_worker;
	bool client;			/* mode client with an app */
	uint64_t hz;
	uint64_t next_stats;
	uint64_t last_tsc;
	uint64_t start_tsc;		/* workers launched */
	time_t start_time;		/* ... by the wall clock */
	uint64_t done_tsc;		/* when the client job finished */
	struct sf_stats last;
	bool misdelivered_warned;	/* the queue-pairing warning is out */
	struct sf_app_stats app_last;	/* for per-second rates */
	struct sf_app_stats app_sum;	/* scratch for sums */
	/* the console (cmdline.c, cmd_*.c) */
	const char *cmdline_file;	/* --cmdline-file, or NULL */
	struct sf_con *con;		/* NULL without a console */
	volatile bool quit;		/* "quit", or the console's input
					 * ended */
};

/* report.c */
void sf_report_counters(struct app *a, const char *title);
void sf_report_transitions(const struct app *a);
void sf_report_line(struct app *a, uint64_t now);
/* Once, when some worker has seen segments of another worker's flows on
 * a queue-paired port: the peer's workers (queues) differ from ours. */
void sf_report_misdelivered(struct app *a);
/* The client's results (text, and JSON when [load] json is set); the
 * exit status: 0 when the job finished with no error. */
int sf_report_client(struct app *a);

#endif /* SYNFIN_H */
