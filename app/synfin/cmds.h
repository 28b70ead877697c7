/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SYNFIN_CMDS_H
#define SYNFIN_CMDS_H

/*
 * The console: rte_cmdline in testpmd's style. cmdline.c runs it (stdin
 * with -i, a file with --cmdline-file) and builds the parse context from
 * one table per command group, each in its cmd_<group>.c. Commands run on
 * the main lcore, or inside the only worker's housekeeping when there is
 * a single lcore, so none of them may block. They read worker state
 * lock-free (counters, gauges, the connection table) and change it only
 * with messages through each worker's control ring; the worker side of
 * those messages is sf_cmd_worker_ctl(). Every command instance's data
 * pointer is the struct app. Output goes to stdout, flushed after each
 * command.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "sf_tcp.h"
#include "sf_worker.h"
#include "synfin.h"

/* One group of commands, for the context and for "help GROUP". */
struct sf_cmd_group {
	const char *name;
	const char *title;
	cmdline_parse_inst_t *const *cmds;	/* NULL-terminated */
};

/* cmd_<group>.c */
extern const struct sf_cmd_group sf_cmd_group_port;
extern const struct sf_cmd_group sf_cmd_group_conn;
extern const struct sf_cmd_group sf_cmd_group_traffic;
extern const struct sf_cmd_group sf_cmd_group_stats;
extern const struct sf_cmd_group sf_cmd_group_log;
extern const struct sf_cmd_group sf_cmd_group_capture;
extern const struct sf_cmd_group sf_cmd_group_trace;

/* The console's messages to workers: sf_ctl_msg.param of SF_CTL_APP. */
enum sf_cmd_ctl {
	SF_CMD_CTL_LOAD,	/* arg32: enum sf_load_param; arg: value */
	SF_CMD_CTL_LISTEN,	/* arg32: TCP port; arg: 1 accept, 0 stop */
};

/* What the console keeps between commands. */
struct sf_con {
	struct cmdline *cl;		/* the stdin console while it runs */
	/* Log lines while the prompt is up (rte_openlog_stream): each
	 * clears the prompt line and redraws prompt and typed text after
	 * it. The lock keeps cl alive under a writer on another lcore. */
	FILE *log;
	pthread_mutex_t log_lock;
	bool running_cmd;		/* main lcore inside cmdline_poll */
	struct cmdline *file_cl;	/* parses --cmdline-file's lines */
	FILE *file;			/* open while its lines run */
	const char *file_name;
	unsigned int file_line;
	unsigned int file_cmds;
	uint64_t resume_tsc;		/* "sleep": no input before this */
	cmdline_parse_ctx_t *ctx;	/* NULL-terminated */
	bool accepting;			/* server: between stop and start */
	bool started;			/* client: "start" was given */
	/* Server "stop": each worker parks its listener's callbacks here
	 * (written on worker i only, from its control ring). */
	const struct sf_tcp_app_ops *listen_ops[SF_MAX_WORKERS];
	/* "show port stats": the previous reading, for rates */
	struct {
		uint64_t tsc, ipackets, opackets, ibytes, obytes;
	} port_last[SF_MAX_PORTS];
};

/* cmd_explain.c */

/** Why @p line does not parse against @p ctx, as one line of text in
 *  @p out: the word that failed and what the commands allow there, or
 *  the nearest command to an unknown first word. @return the length
 *  written (as snprintf), 0 when the line parses. */
int sf_con_explain(cmdline_parse_ctx_t *ctx, const char *line, char *out,
		   size_t len);

/** A word that may come next on a console line. */
struct sf_con_word {
	char word[64];		/* the word, or a kind ("UINT32") */
	char help[72];		/* the command's short help */
	bool literal;		/* word is typed as is (TAB completes it) */
	bool shared;		/* several commands take it */
};

/** The words that may follow @p partial (the line so far, the last
 *  word possibly unfinished: only words it begins), each once, into
 *  @p w. @return how many (at most @p max). */
int sf_con_next_words(cmdline_parse_ctx_t *ctx, const char *partial,
		      struct sf_con_word *w, unsigned int max);

/* cmdline.c */

/** Start the console (file first, then stdin with -i) and hook the
 *  workers' control rings; before the workers launch. @return 0 or a
 *  negative errno (the file cannot be opened, no memory). */
int sf_con_init(struct app *a);

/** Run what input is waiting, without blocking (the control tick). */
void sf_con_poll(struct app *a);

/** The main lcore's idle wait between ticks: up to @p us microseconds,
 *  cut short when console input arrives. */
void sf_con_wait(struct app *a, unsigned int us);

/** Restore the terminal and free the console. */
void sf_con_fini(struct app *a);

/** "sleep": read no input for @p ms milliseconds. */
void sf_con_pause(struct app *a, uint64_t ms);

/* cmd_traffic.c */

/** Worker side of the console's messages (runs ON worker @p w, from its
 *  control ring; @p arg is the struct app). */
void sf_cmd_worker_ctl(struct sf_worker *w, const struct sf_ctl_msg *m,
		       void *arg);

/* Shared by the command files */

/** Send @p m to every worker and wait until each has handled it, so the
 *  next command sees the effect; prints the workers that refused it or
 *  did not get to it. @return how many took it. */
unsigned int sf_cmd_send_all(struct app *a, const struct sf_ctl_msg *m);

/** Wait (bounded) until worker @p i handled what was sent to it. */
void sf_cmd_sync(struct app *a, unsigned int i);

/** Workers that run a load generator (the client's). */
unsigned int sf_cmd_loadgen_workers(const struct app *a);

#endif /* SYNFIN_CMDS_H */
