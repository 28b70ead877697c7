/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's engine: the parse context built from the command groups
 * (testpmd's init_cmdline), the built-in commands (help, sleep, quit),
 * the --cmdline-file runner and the non-blocking stdin console.
 *
 * Nothing here may block: with a single lcore the console runs inside the
 * worker's housekeeping. So stdin is read one character at a time, for as
 * many as poll() says are waiting (bounded per tick), and each is given
 * to cmdline_in() (what cmdline_poll() does, but we see the Enter: a line
 * that did not parse is then explained, cmd_explain.c); the file is read
 * a bounded number of lines per tick
 * and each line goes to cmdline_parse(), which lets us echo it and name
 * the file and line of a command that does not parse (cmdline_file_new
 * would drop both silently). "sleep" holds input back without waiting:
 * later lines run on a later tick.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_log.h>

#include "cmds.h"
#include "sf_app.h"

#define CON_PROMPT "synfin> "
/* Characters of stdin taken per tick: a pasted block runs at once, a
 * flood cannot hold the worker of a single-lcore run for long. */
#define CON_CHARS_MAX 1024
/* Lines of a command file run per tick. */
#define CON_LINES_MAX 64
/* Longest command line (rdline's buffer). */
#define CON_LINE_MAX 512
/* Words '?' and TAB list, at most. */
#define CON_WORDS_MAX 64
/* How long a command waits for the workers to act on its message: they
 * do within a housekeeping pass (1 ms) unless stalled. */
#define CON_SYNC_US 200000
/* Longest "sleep". */
#define CON_SLEEP_MAX_MS 3600000

static const struct sf_cmd_group sf_cmd_group_console;

/* The groups, in help order. */
static const struct sf_cmd_group *const con_groups[] = {
	&sf_cmd_group_port,
	&sf_cmd_group_conn,
	&sf_cmd_group_traffic,
	&sf_cmd_group_stats,
	&sf_cmd_group_capture,
	&sf_cmd_group_trace,
	&sf_cmd_group_log,
	&sf_cmd_group_console,
};

/* ---- built-in commands ---- */

struct cmd_con_help_result {
	cmdline_fixed_string_t help;
	cmdline_fixed_string_t group;
};

static void
con_help_group(const struct sf_cmd_group *g)
{
	const char *last = NULL;
	unsigned int i;

	printf("%s:\n", g->title);
	/* The variants of one command share its help string. */
	for (i = 0; g->cmds[i] != NULL; i++) {
		if (last != NULL && strcmp(last, g->cmds[i]->help_str) == 0)
			continue;
		last = g->cmds[i]->help_str;
		printf("  %s\n", last);
	}
}

static void
cmd_con_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_con_help_result *res = parsed;
	unsigned int i;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (res->group[0] == '\0')
		printf("synfin console: TAB completes a command, '?' lists "
		       "what may follow; 'help GROUP' for one group.\n\n");
	for (i = 0; i < RTE_DIM(con_groups); i++) {
		if (res->group[0] != '\0' &&
		    strcmp(res->group, con_groups[i]->name) != 0)
			continue;
		con_help_group(con_groups[i]);
		if (res->group[0] == '\0' && i + 1 < RTE_DIM(con_groups))
			printf("\n");
	}
}

static cmdline_parse_token_string_t cmd_con_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_con_help_result, help, "help");
static cmdline_parse_token_string_t cmd_con_help_group =
	TOKEN_STRING_INITIALIZER(struct cmd_con_help_result, group,
				 "port#conn#traffic#stats#capture#trace#log#console");

static cmdline_parse_inst_t cmd_con_help = {
	.f = cmd_con_help_parsed,
	.help_str = "help [GROUP]: the commands (groups: port conn traffic "
		"stats capture trace log console)",
	.tokens = {
		(void *)&cmd_con_help_help,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_con_help_one = {
	.f = cmd_con_help_parsed,
	.help_str = "help [GROUP]: the commands (groups: port conn traffic "
		"stats capture trace log console)",
	.tokens = {
		(void *)&cmd_con_help_help,
		(void *)&cmd_con_help_group,
		NULL,
	},
};

struct cmd_con_sleep_result {
	cmdline_fixed_string_t sleep;
	uint32_t ms;
};

static void
cmd_con_sleep_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_con_sleep_result *res = parsed;

	RTE_SET_USED(cl);
	sf_con_pause(data, RTE_MIN(res->ms, (uint32_t)CON_SLEEP_MAX_MS));
}

static cmdline_parse_token_string_t cmd_con_sleep_sleep =
	TOKEN_STRING_INITIALIZER(struct cmd_con_sleep_result, sleep, "sleep");
static cmdline_parse_token_num_t cmd_con_sleep_ms =
	TOKEN_NUM_INITIALIZER(struct cmd_con_sleep_result, ms, RTE_UINT32);

static cmdline_parse_inst_t cmd_con_sleep = {
	.f = cmd_con_sleep_parsed,
	.help_str = "sleep MS: read the next command MS milliseconds later "
		"(traffic goes on; for command files)",
	.tokens = {
		(void *)&cmd_con_sleep_sleep,
		(void *)&cmd_con_sleep_ms,
		NULL,
	},
};

struct cmd_con_quit_result {
	cmdline_fixed_string_t quit;
};

static void
cmd_con_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct app *a = data;

	RTE_SET_USED(parsed);
	a->quit = true;
	cmdline_quit(cl);
}

static cmdline_parse_token_string_t cmd_con_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_con_quit_result, quit, "quit");

static cmdline_parse_inst_t cmd_con_quit = {
	.f = cmd_con_quit_parsed,
	.help_str = "quit: stop everything, print the final counters, exit",
	.tokens = {
		(void *)&cmd_con_quit_quit,
		NULL,
	},
};

static cmdline_parse_inst_t *const con_cmds[] = {
	&cmd_con_help, &cmd_con_help_one, &cmd_con_sleep, &cmd_con_quit,
	NULL,
};

static const struct sf_cmd_group sf_cmd_group_console = {
	.name = "console",
	.title = "Console",
	.cmds = con_cmds,
};

/* ---- helpers for the command files ---- */

void
sf_cmd_sync(struct app *a, unsigned int i)
{
	if (sf_worker_ctl_sync(a->workers[i], CON_SYNC_US) != 0)
		printf("worker %u: not done with the message after %u ms; "
		       "it acts on it when it can\n", i, CON_SYNC_US / 1000);
}

unsigned int
sf_cmd_send_all(struct app *a, const struct sf_ctl_msg *m)
{
	unsigned int i, n = 0;
	int rc;

	for (i = 0; i < a->nb_workers; i++) {
		rc = sf_worker_ctl_send(a->workers[i], m);
		if (rc == 0)
			n++;
		else
			printf("worker %u: message refused: %s\n", i,
			       strerror(-rc));
	}
	for (i = 0; i < a->nb_workers; i++)
		sf_cmd_sync(a, i);
	return n;
}

unsigned int
sf_cmd_loadgen_workers(const struct app *a)
{
	unsigned int i, n = 0;

	for (i = 0; i < a->nb_workers; i++)
		if (sf_app_loadgen_slots(a->workers[i]) != 0)
			n++;
	return n;
}

/* ---- the console ---- */

void
sf_con_pause(struct app *a, uint64_t ms)
{
	if (a->con != NULL && ms != 0)
		a->con->resume_tsc = rte_rdtsc() + ms * a->hz / 1000;
}

static cmdline_parse_ctx_t *
con_ctx_build(struct app *a)
{
	cmdline_parse_ctx_t *ctx;
	unsigned int g, i, n = 0;

	for (g = 0; g < RTE_DIM(con_groups); g++)
		for (i = 0; con_groups[g]->cmds[i] != NULL; i++)
			n++;
	ctx = calloc(n + 1, sizeof(*ctx));
	if (ctx == NULL)
		return NULL;
	n = 0;
	for (g = 0; g < RTE_DIM(con_groups); g++)
		for (i = 0; con_groups[g]->cmds[i] != NULL; i++) {
			/* How a command finds the app: no global. */
			con_groups[g]->cmds[i]->data = a;
			ctx[n++] = con_groups[g]->cmds[i];
		}
	return ctx;
}

/* The log stream while the console runs: a line from any lcore clears
 * the prompt's line, is printed, and the prompt with what was typed is
 * drawn again after it (not while a command runs: its own output, and
 * the prompt after it, follow). */
static ssize_t
con_log_write(void *cookie, const char *buf, size_t size)
{
	struct sf_con *con = cookie;
	bool redraw;

	pthread_mutex_lock(&con->log_lock);
	redraw = con->cl != NULL &&
		!__atomic_load_n(&con->running_cmd, __ATOMIC_ACQUIRE);
	if (redraw)
		fputs("\r\033[K", stdout);
	fwrite(buf, 1, size, stdout);
	fflush(stdout);
	if (redraw && size > 0 && buf[size - 1] == '\n')
		rdline_redisplay(cmdline_get_rdline(con->cl));
	pthread_mutex_unlock(&con->log_lock);
	return (ssize_t)size;
}

static int
con_stdin_start(struct app *a)
{
	struct sf_con *con = a->con;
	cookie_io_functions_t io = { .write = con_log_write };

	con->cl = cmdline_stdin_new(con->ctx, CON_PROMPT);
	if (con->cl == NULL)
		return -ENOMEM;
	if (con->log == NULL) {
		con->log = fopencookie(con, "w", io);
		if (con->log != NULL) {
			setvbuf(con->log, NULL, _IOLBF, 0);
			rte_openlog_stream(con->log);
		}
	}
	fflush(stdout);
	return 0;
}

/* Logs back to EAL's own stream; no prompt to redraw any more. */
static void
con_log_end(struct sf_con *con)
{
	if (con->log == NULL)
		return;
	rte_openlog_stream(NULL);
	fflush(con->log);
}

/* End of stdin (Ctrl-D, a closed pipe) or "quit": the console is gone
 * and, as with testpmd, so is synfin. */
static void
con_stdin_end(struct app *a)
{
	struct sf_con *con = a->con;

	if (!a->quit)
		printf("\nsynfin: console input ended\n");
	a->quit = true;
	con_log_end(con);
	pthread_mutex_lock(&con->log_lock);
	cmdline_stdin_exit(con->cl);
	con->cl = NULL;
	pthread_mutex_unlock(&con->log_lock);
	fflush(stdout);
}

/* A line just entered (a new history entry: rdline keeps lines that
 * differ from the one before) that did not parse: say why, over the
 * prompt rte_cmdline drew after its own "Bad arguments". */
static void
con_explain_new(struct sf_con *con, const char *before)
{
	struct rdline *rdl = cmdline_get_rdline(con->cl);
	const char *line = rdline_get_history_item(rdl, 0);
	char why[512];

	/* (cmdline_parse_check() says 0 for a line that fails as for one
	 * that parses: sf_con_explain() decides, by the same tokens.) */
	if (line == NULL || strcmp(line, before) == 0 ||
	    sf_con_explain(con->ctx, line, why, sizeof(why)) <= 0)
		return;
	pthread_mutex_lock(&con->log_lock);
	printf("\r\033[K%s\n", why);
	fflush(stdout);
	rdline_redisplay(rdl);
	pthread_mutex_unlock(&con->log_lock);
}

/* '?' and TAB, in place of rte_cmdline's (which lists a word once per
 * command that has it, with its token's internal type): the words that
 * may come next, each once with a short help; TAB types the rest of the
 * word when only one fits, or as much as they all share, else lists. */
static void
con_words(struct app *a, char key)
{
	struct sf_con *con = a->con;
	struct rdline *rdl = cmdline_get_rdline(con->cl);
	struct sf_con_word w[CON_WORDS_MAX];
	char line[CON_LINE_MAX], add[CON_LINE_MAX];
	const char *buf = rdline_get_buffer(rdl), *pre;
	size_t plen, common = SIZE_MAX, k;
	unsigned int i, lit = 0, first = 0;
	int n;

	snprintf(line, sizeof(line), "%s", buf != NULL ? buf : "");
	line[strcspn(line, "\r\n")] = '\0';
	pre = strrchr(line, ' ');
	pre = pre != NULL ? pre + 1 : line;
	plen = strlen(pre);
	n = sf_con_next_words(con->ctx, line, w, RTE_DIM(w));
	for (i = 0; i < (unsigned int)n; i++) {
		if (!w[i].literal)
			continue;
		if (lit++ == 0) {
			first = i;
			common = strlen(w[i].word);
		}
		for (k = 0; k < common && w[i].word[k] == w[first].word[k];
		     k++)
			;
		common = k;
	}
	if (key == '\t' && lit > 0 && lit == (unsigned int)n &&
	    (lit == 1 || common > plen)) {
		snprintf(add, sizeof(add), "%.*s%s", (int)(common - plen),
			 w[first].word + plen, lit == 1 ? " " : "");
		cmdline_in(con->cl, add, (int)strlen(add));
		fflush(stdout);
		return;
	}
	pthread_mutex_lock(&con->log_lock);
	printf("\r\n");
	for (i = 0; i < (unsigned int)n; i++) {
		/* a kind of value in <>: typed as a value, not as is */
		snprintf(add, sizeof(add), w[i].literal ? "%.63s" : "<%.63s>",
			 w[i].word);
		printf("  %-18s %s\n", add, w[i].help);
	}
	if (n == 0)
		printf("  (nothing more: the line is complete, or does not "
		       "parse)\n");
	fflush(stdout);
	rdline_redisplay(rdl);
	pthread_mutex_unlock(&con->log_lock);
}

static void
con_stdin_poll(struct app *a)
{
	struct sf_con *con = a->con;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c, before[CON_LINE_MAX];
	const char *h;
	unsigned int i;
	ssize_t r;
	int rc;

	for (i = 0; i < CON_CHARS_MAX; i++) {
		if (poll(&pfd, 1, 0) <= 0)
			break;
		/* cmdline_poll()'s work, one character, so that a line
		 * that does not parse can be explained after it. */
		r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r <= 0) {
			con_stdin_end(a);	/* end of input */
			return;
		}
		if (c == '?' || c == '\t') {
			con_words(a, c);
			continue;
		}
		if (c == '\n' || c == '\r') {	/* the history before it */
			h = rdline_get_history_item(
				cmdline_get_rdline(con->cl), 0);
			snprintf(before, sizeof(before), "%s",
				 h != NULL ? h : "");
		}
		__atomic_store_n(&con->running_cmd, true, __ATOMIC_RELEASE);
		rc = cmdline_in(con->cl, &c, 1);
		__atomic_store_n(&con->running_cmd, false, __ATOMIC_RELEASE);
		fflush(stdout);
		if (rc < 0 || a->quit) {
			if (rc < 0)
				con_stdin_end(a);
			return;
		}
		if (c == '\n' || c == '\r')
			con_explain_new(con, before);
		if (con->resume_tsc != 0)
			return;
	}
}

static void
con_file_end(struct app *a)
{
	struct sf_con *con = a->con;

	fclose(con->file);
	con->file = NULL;
	printf("synfin: %s: %u command(s) run\n", con->file_name,
	       con->file_cmds);
	fflush(stdout);
	if (a->cfg.interactive && !a->quit && con_stdin_start(a) != 0) {
		printf("synfin: cannot start the console\n");
		a->quit = true;
	}
}

static void
con_file_run(struct app *a)
{
	struct sf_con *con = a->con;
	char line[CON_LINE_MAX], why[512];
	unsigned int n;
	size_t len;
	char *s;
	int rc;

	for (n = 0; n < CON_LINES_MAX; n++) {
		if (fgets(line, sizeof(line), con->file) == NULL) {
			con_file_end(a);
			return;
		}
		con->file_line++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			printf("synfin: %s:%u: line longer than %zu "
			       "characters, skipped\n", con->file_name,
			       con->file_line, sizeof(line) - 2);
			while (fgets(line, sizeof(line), con->file) != NULL &&
			       line[strlen(line) - 1] != '\n')
				;
			continue;
		}
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0' || *s == '\n' || *s == '#')
			continue;
		if (s[strlen(s) - 1] != '\n')
			strcat(s, "\n");	/* last line without one */
		printf("%s%s", CON_PROMPT, s);
		con->file_cmds++;
		rc = cmdline_parse(con->file_cl, s);
		if ((rc == CMDLINE_PARSE_NOMATCH ||
		     rc == CMDLINE_PARSE_BAD_ARGS) &&
		    sf_con_explain(con->ctx, s, why, sizeof(why)) > 0)
			printf("synfin: %s:%u: %s\n", con->file_name,
			       con->file_line, why);
		else if (rc == CMDLINE_PARSE_AMBIGUOUS ||
			 rc == CMDLINE_PARSE_NOMATCH ||
			 rc == CMDLINE_PARSE_BAD_ARGS)
			printf("synfin: %s:%u: %s (try 'help')\n",
			       con->file_name, con->file_line,
			       rc == CMDLINE_PARSE_AMBIGUOUS ?
			       "ambiguous command" :
			       rc == CMDLINE_PARSE_NOMATCH ?
			       "unknown command" : "bad arguments");
		fflush(stdout);
		if (a->quit || con->resume_tsc != 0)
			return;
	}
}

int
sf_con_init(struct app *a)
{
	struct sf_con *con;
	unsigned int i;
	int rc = -ENOMEM;

	con = calloc(1, sizeof(*con));
	if (con == NULL)
		return -ENOMEM;
	pthread_mutex_init(&con->log_lock, NULL);
	a->con = con;
	con->accepting = true;
	/* rdline writes the prompt straight to fd 1: every line a command
	 * prints must be out before it, even into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	con->ctx = con_ctx_build(a);
	if (con->ctx == NULL)
		goto fail;
	for (i = 0; i < a->nb_workers; i++) {
		a->workers[i]->ctl_cb = sf_cmd_worker_ctl;
		a->workers[i]->ctl_arg = a;
	}
	if (a->cmdline_file != NULL) {
		con->file_name = a->cmdline_file;
		con->file = fopen(a->cmdline_file, "r");
		if (con->file == NULL) {
			rc = -errno;
			fprintf(stderr, "synfin: --cmdline-file %s: %s\n",
				a->cmdline_file, strerror(errno));
			goto fail;
		}
		/* Output to stdout; no input, no prompt of its own. */
		con->file_cl = cmdline_new(con->ctx, "", -1, STDOUT_FILENO);
		if (con->file_cl == NULL)
			goto fail;
		printf("synfin: running the commands of %s\n",
		       a->cmdline_file);
		fflush(stdout);
		return 0;
	}
	if (a->cfg.interactive) {
		rc = con_stdin_start(a);
		if (rc != 0)
			goto fail;
	}
	return 0;
fail:
	sf_con_fini(a);
	return rc;
}

void
sf_con_poll(struct app *a)
{
	struct sf_con *con = a->con;

	if (con == NULL || a->quit)
		return;
	if (con->resume_tsc != 0) {
		if (rte_rdtsc() < con->resume_tsc)
			return;
		con->resume_tsc = 0;
	}
	if (con->file != NULL)
		con_file_run(a);
	else if (con->cl != NULL)
		con_stdin_poll(a);
}

void
sf_con_wait(struct app *a, unsigned int us)
{
	struct sf_con *con = a->con;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	uint64_t now, left;

	if (con != NULL && con->resume_tsc != 0) {
		/* Not past the end of a pause, if it ends sooner. */
		now = rte_rdtsc();
		left = con->resume_tsc > now ?
			(con->resume_tsc - now) * 1000000 / a->hz : 0;
		rte_delay_us_sleep((unsigned int)RTE_MIN(left, (uint64_t)us));
		return;
	}
	if (con != NULL) {
		if (con->file != NULL)
			return;		/* more lines to run now */
		if (con->cl != NULL) {
			/* Wake as soon as a key is pressed. */
			if (poll(&pfd, 1, (int)(us / 1000)) < 0)
				rte_delay_us_sleep(us);
			return;
		}
	}
	rte_delay_us_sleep(us);
}

void
sf_con_fini(struct app *a)
{
	struct sf_con *con = a->con;
	unsigned int i;

	if (con == NULL)
		return;
	for (i = 0; i < a->nb_workers; i++)
		if (a->workers[i] != NULL &&
		    a->workers[i]->ctl_cb == sf_cmd_worker_ctl)
			a->workers[i]->ctl_cb = NULL;
	con_log_end(con);
	if (con->cl != NULL) {
		/* Restores the terminal's modes. */
		pthread_mutex_lock(&con->log_lock);
		cmdline_stdin_exit(con->cl);
		con->cl = NULL;
		pthread_mutex_unlock(&con->log_lock);
		printf("\n");
	}
	if (con->file_cl != NULL)
		cmdline_free(con->file_cl);
	if (con->file != NULL)
		fclose(con->file);
	if (con->log != NULL)
		fclose(con->log);	/* the workers have stopped */
	free(con->ctx);
	free(con);
	a->con = NULL;
	fflush(stdout);
}
