/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What synfin prints: the stats line each interval, the counter blocks
 * (on SIGUSR1 and at exit), and the client's results with latency
 * percentiles, as text and as JSON.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "sf_log.h"
#include "sf_tcp.h"
#include "sf_tcp_trace.h"
#include "sf_version.h"
#include "sf_worker.h"
#include "synfin.h"

static void
stats_sum(const struct app *a, struct sf_stats *sum,
	  uint64_t states[SF_TCP_NB_STATES])
{
	sf_worker_stats_sum(a->workers, a->nb_workers, sum, states);
}

/* Sum of every worker's app counters into a->app_sum; false when no
 * worker runs an app. */
static bool
app_sum(struct app *a)
{
	return sf_app_stats_sum(a->workers, a->nb_workers, &a->app_sum) != 0;
}


/* The state transitions that happened, "tcp_trans_<FROM>_to_<TO> N". */
void
sf_report_transitions(const struct app *a)
{
	uint64_t t[SF_TCP_NB_STATES][SF_TCP_NB_STATES];
	unsigned int i, j;
	char name[64];

	memset(t, 0, sizeof(t));
	for (i = 0; i < a->nb_workers; i++)
		sf_tcp_transitions(a->workers[i], t);
	for (i = 0; i < SF_TCP_NB_STATES; i++)
		for (j = 0; j < SF_TCP_NB_STATES; j++) {
			if (t[i][j] == 0)
				continue;
			sf_tcp_transition_name(i, j, name, sizeof(name));
			printf("  %s %" PRIu64 "\n", name, t[i][j]);
		}
}

/* A worker's share, as "worker<i>_<name> N" lines that sum to the
 * totals above them: where each worker's connections and packets went,
 * and that none saw another's flows (tcp_misdelivered). */
static void
report_workers(const struct app *a)
{
	const struct sf_app_stats *as;
	struct sf_stats s;
	unsigned int i;

	for (i = 0; i < a->nb_workers; i++) {
		sf_worker_stats_read(a->workers[i], &s);
		printf("  worker%u_lcore %u\n", i, a->workers[i]->lcore_id);
		printf("  worker%u_rx_pkts %" PRIu64 "\n", i, s.rx_pkts);
		printf("  worker%u_tx_pkts %" PRIu64 "\n", i, s.tx_pkts);
		printf("  worker%u_tcp_active_opens %" PRIu64 "\n", i,
		       s.tcp_active_opens);
		printf("  worker%u_tcp_passive_opens %" PRIu64 "\n", i,
		       s.tcp_passive_opens);
		printf("  worker%u_tcp_conns_closed %" PRIu64 "\n", i,
		       s.tcp_conns_closed);
		printf("  worker%u_tcp_misdelivered %" PRIu64 "\n", i,
		       s.tcp_misdelivered);
		as = sf_app_stats(a->workers[i]);
		if (as == NULL)
			continue;
		printf("  worker%u_%s_conns_opened %" PRIu64 "\n", i,
		       a->cfg.app, as->conns_opened);
		printf("  worker%u_%s_requests %" PRIu64 "\n", i, a->cfg.app,
		       as->requests);
		printf("  worker%u_%s_responses %" PRIu64 "\n", i,
		       a->cfg.app, as->responses);
		printf("  worker%u_%s_errors %" PRIu64 "\n", i, a->cfg.app,
		       as->errors);
	}
}

void
sf_report_misdelivered(struct app *a)
{
	struct sf_stats s;
	unsigned int i;
	uint16_t p;

	if (a->misdelivered_warned)
		return;
	for (p = 0; p < a->nb_ports; p++)
		if (a->pinfo[p].paired && a->pinfo[p].nb_queues > 1)
			break;
	if (p == a->nb_ports) {
		/* Nothing is counted without queue pairing: never look. */
		a->misdelivered_warned = true;
		return;
	}
	for (i = 0; i < a->nb_workers; i++) {
		sf_worker_stats_read(a->workers[i], &s);
		if (s.tcp_misdelivered != 0)
			break;
	}
	if (i == a->nb_workers)
		return;
	a->misdelivered_warned = true;
	for (p = 0; p < a->nb_ports; p++)
		if (a->pinfo[p].paired && a->pinfo[p].nb_queues > 1)
			SF_LOG(WARNING, main, "port %u: worker %u got segments "
			       "of another worker's flows (tcp_misdelivered): "
			       "queue i is paired with the peer's queue i, so "
			       "the peer must run %u workers too and its "
			       "client pick ports by worker", p, i,
			       a->pinfo[p].nb_queues);
}

static void
report_port_ctr(uint16_t p, const char *name, uint64_t v, bool all)
{
	if (all || v != 0)
		printf("  port%u_%s %" PRIu64 "\n", p, name, v);
}

void
sf_report_counters(struct app *a, const char *title)
{
	bool all = strcmp(a->cfg.counters, "all") == 0;
	uint64_t states[SF_TCP_NB_STATES];
	struct rte_eth_stats es;
	struct sf_stats s;
	unsigned int i;
	const char *n;
	uint16_t p;

	stats_sum(a, &s, states);
	printf("synfin: %s\n", title);
	sf_stats_print(stdout, &s, all);
	for (i = SF_TCP_LISTEN + 1; i < SF_TCP_NB_STATES; i++)
		if (all || states[i] != 0)
			printf("  tcp_state_%-10s %" PRIu64 "\n",
			       sf_tcp_state_name((enum sf_tcp_state)i),
			       states[i]);
	sf_report_transitions(a);
	if (a->nb_workers > 1)
		report_workers(a);
	if (app_sum(a)) {
		for (i = 0; (n = sf_app_counter_name(i)) != NULL; i++)
			if (all || sf_app_counter_get(&a->app_sum, i) != 0)
				printf("  %s_%-*s %" PRIu64 "\n", a->cfg.app,
				       (int)(19 - strlen(a->cfg.app)), n,
				       sf_app_counter_get(&a->app_sum, i));
		if (all || a->app_sum.conns_open != 0)
			printf("  %s_%-*s %" PRIu64 "\n", a->cfg.app,
			       (int)(19 - strlen(a->cfg.app)), "conns_open",
			       a->app_sum.conns_open);
	}
	/* Worker pools (one per socket): free now, and in all. */
	for (i = 0; i < a->nb_workers; i++) {
		const struct rte_mempool *mp = a->workers[i]->pool;

		if (i > 0 && mp == a->workers[i - 1]->pool)
			continue;
		printf("  mbuf_pool%u_free %u\n  mbuf_pool%u_size %u\n",
		       i, rte_mempool_avail_count(mp), i, mp->size);
	}
	for (p = 0; p < a->nb_ports; p++) {
		if (!a->port_started[p] ||
		    rte_eth_stats_get(a->port_ids[p], &es) != 0)
			continue;
		report_port_ctr(p, "ipackets", es.ipackets, all);
		report_port_ctr(p, "opackets", es.opackets, all);
		report_port_ctr(p, "imissed", es.imissed, all);
		report_port_ctr(p, "ierrors", es.ierrors, all);
		report_port_ctr(p, "oerrors", es.oerrors, all);
	}
	if (!all)
		printf("synfin: counters at 0 left out (--set "
		       "general.counters=all lists every one)\n");
	fflush(stdout);
}

/* The share of @cycles spent in polls that moved frames. */
static double
busy_pct(uint64_t busy, uint64_t cycles)
{
	return cycles == 0 ? 0.0 :
		RTE_MIN(100.0, (double)busy * 100 / (double)cycles);
}

void
sf_report_line(struct app *a, uint64_t now)
{
	double dt = (double)(now - a->last_tsc) / (double)a->hz;
	uint64_t states[SF_TCP_NB_STATES];
	struct sf_stats s;

	stats_sum(a, &s, states);
	/* busy: the workers' share of cycles in polls that moved frames */
	printf("synfin: rx %.0f pps %.1f Mbit/s | tx %.0f pps %.1f Mbit/s | "
	       "busy %.0f%% | tcp estab %" PRIu64 " tw %" PRIu64 " opens %"
	       PRIu64 " rexmit %" PRIu64 " | drops %" PRIu64,
	       (double)(s.rx_pkts - a->last.rx_pkts) / dt,
	       (double)(s.rx_bytes - a->last.rx_bytes) * 8 / dt / 1e6,
	       (double)(s.tx_pkts - a->last.tx_pkts) / dt,
	       (double)(s.tx_bytes - a->last.tx_bytes) * 8 / dt / 1e6,
	       busy_pct(s.busy_cycles - a->last.busy_cycles,
			(now - a->last_tsc) * a->nb_workers),
	       states[SF_TCP_ESTABLISHED], states[SF_TCP_TIME_WAIT],
	       s.tcp_active_opens + s.tcp_passive_opens, s.tcp_retransmits,
	       sf_stats_drops(&s));
	if (s.tcp_misdelivered != 0)
		printf(" misdelivered %" PRIu64, s.tcp_misdelivered);
	if (app_sum(a)) {
		const struct sf_app_stats *c = &a->app_sum, *l = &a->app_last;

		printf(" | %s conn/s %.0f req/s %.0f open %" PRIu64
		       " err %" PRIu64, a->cfg.app,
		       (double)(c->conns_opened - l->conns_opened) / dt,
		       (double)(c->responses - l->responses) / dt,
		       c->conns_open, c->errors);
		if (a->client && c->h_total.count > l->h_total.count)
			printf(" p99 %.1f us",
			       (double)sf_hist_percentile(&c->h_total, 99) /
			       1e3);
		/* Only the counters matter for the next line's rates. */
		memcpy(&a->app_last, &a->app_sum,
		       offsetof(struct sf_app_stats, h_connect));
		a->app_last.h_total.count = c->h_total.count;
	}
	printf("\n");
	fflush(stdout);
	a->last = s;
	a->last_tsc = now;
}

/* One element of "per_worker": the worker's packets, opens and app
 * counters, which add up to the totals. */
static void
client_json_worker(FILE *f, const struct app *a, unsigned int i,
		   uint64_t cycles)
{
	const struct sf_app_stats *as = sf_app_stats(a->workers[i]);
	struct sf_stats s;

	sf_worker_stats_read(a->workers[i], &s);
	fprintf(f, "%s{\"worker\":%u,\"lcore\":%u,\"rx_pkts\":%" PRIu64
		",\"tx_pkts\":%" PRIu64 ",\"busy_pct\":%.1f"
		",\"tcp_active_opens\":%" PRIu64
		",\"tcp_passive_opens\":%" PRIu64 ",\"tcp_conns_closed\":%"
		PRIu64 ",\"tcp_misdelivered\":%" PRIu64, i ? "," : "", i,
		a->workers[i]->lcore_id, s.rx_pkts, s.tx_pkts,
		busy_pct(s.busy_cycles, cycles),
		s.tcp_active_opens, s.tcp_passive_opens, s.tcp_conns_closed,
		s.tcp_misdelivered);
	if (as != NULL)
		fprintf(f, ",\"conns_opened\":%" PRIu64 ",\"requests\":%"
			PRIu64 ",\"responses\":%" PRIu64 ",\"errors\":%"
			PRIu64, as->conns_opened, as->requests,
			as->responses, as->errors);
	fprintf(f, "}");
}

/* @v as a JSON string: quotes, backslashes and control bytes escaped. */
static void
json_str(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			fprintf(f, "\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*v);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

/* "run": what was asked and of which synfin, so that archived results
 * can be told apart. */
static void
client_json_run(FILE *f, const struct app *a)
{
	const struct sf_cfg *cfg = &a->cfg;
	char ip[INET_ADDRSTRLEN], when[32];
	struct tm tm;
	unsigned int i;

	gmtime_r(&a->start_time, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "\"run\":{\"synfin_version\":\"%s\",\"synfin_commit\":",
		SF_VERSION);
	json_str(f, SF_COMMIT);
	fprintf(f, ",\"started\":\"%s\",\"app\":", when);
	json_str(f, cfg->app);
	fprintf(f, ",\"targets\":[");
	for (i = 0; i < cfg->nb_targets; i++) {
		inet_ntop(AF_INET, &cfg->target[i], ip, sizeof(ip));
		fprintf(f, "%s\"%s:%u\"", i ? "," : "", ip,
			cfg->target_port[i] ? cfg->target_port[i] :
			cfg->app_port);
	}
	fprintf(f, "],\"workers\":%u,\"concurrency\":%u,\"rate\":%u,"
		"\"ramp_ms\":%u,\"requests\":%u,\"req_rate\":%u,"
		"\"duration_s\":%u,\"count\":%u,\"bytes\":%u,\"close\":",
		a->nb_workers, cfg->concurrency, cfg->rate, cfg->ramp_ms,
		cfg->requests, cfg->req_rate, cfg->duration_s, cfg->count,
		cfg->bytes);
	json_str(f, cfg->close);
	fprintf(f, ",\"path\":");
	json_str(f, cfg->path);
	fprintf(f, "},");
}

static void
client_json(const struct app *a, const struct sf_app_stats *c, double secs,
	    const struct sf_stats *s)
{
	uint64_t cycles = (uint64_t)(secs * (double)a->hz);
	FILE *f = fopen(a->cfg.json, "w");
	const char *n;
	unsigned int i;

	if (f == NULL) {
		fprintf(stderr, "synfin: [load] json %s: %s\n", a->cfg.json,
			strerror(errno));
		return;
	}
	fputc('{', f);
	client_json_run(f, a);
	fprintf(f, "\"app\":\"%s\",\"workers\":%u,\"seconds\":%.3f,"
		"\"conns_per_s\":%.1f,\"requests_per_s\":%.1f,"
		"\"rx_mbit_per_s\":%.3f,\"tcp_retransmits\":%" PRIu64
		",\"counters\":{", a->cfg.app, a->nb_workers, secs,
		secs > 0 ? (double)c->conns_opened / secs : 0.0,
		secs > 0 ? (double)c->responses / secs : 0.0,
		secs > 0 ? (double)c->bytes_rx * 8 / secs / 1e6 : 0.0,
		s->tcp_retransmits);
	for (i = 0; (n = sf_app_counter_name(i)) != NULL; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", n,
			sf_app_counter_get(c, i));
	fprintf(f, "},\"latency\":{\"connect\":");
	sf_hist_json(f, &c->h_connect);
	fprintf(f, ",\"ttfb\":");
	sf_hist_json(f, &c->h_ttfb);
	fprintf(f, ",\"total\":");
	sf_hist_json(f, &c->h_total);
	fprintf(f, "},\"tcp_misdelivered\":%" PRIu64 ",\"busy_pct\":%.1f"
		",\"per_worker\":[", s->tcp_misdelivered,
		busy_pct(s->busy_cycles, cycles * a->nb_workers));
	for (i = 0; i < a->nb_workers; i++)
		client_json_worker(f, a, i, cycles);
	fprintf(f, "],\"ok\":%s}\n", c->ok ? "true" : "false");
	fclose(f);
	printf("synfin: results written to %s\n", a->cfg.json);
}

int
sf_report_client(struct app *a)
{
	uint64_t states[SF_TCP_NB_STATES];
	struct sf_app_stats *c = &a->app_sum;
	const struct sf_app_stats *ws;
	uint64_t end = a->done_tsc ? a->done_tsc : rte_rdtsc();
	double secs = (double)(end - a->start_tsc) / (double)a->hz;
	bool done = true, ok = true;
	const char *n, *verdict;
	struct sf_stats s;
	unsigned int i;

	if (!a->client || !app_sum(a))
		return 0;
	for (i = 0; i < a->nb_workers; i++) {
		ws = sf_app_stats(a->workers[i]);
		if (ws == NULL)
			continue;
		done = done && ws->done;
		ok = ok && ws->ok;
	}
	c->ok = done && ok;
	stats_sum(a, &s, states);
	printf("synfin: %s client: %" PRIu64 " connections (%" PRIu64
	       " attempted), %" PRIu64 " requests, %" PRIu64 " responses, %"
	       PRIu64 " errors in %.2f s\n", a->cfg.app, c->conns_opened,
	       c->conns_started, c->requests, c->responses, c->errors, secs);
	if (secs > 0)
		/* Payload, not the wire: the per-second line's "rx ...
		 * Mbit/s" counts whole frames. */
		printf("synfin: %s client: %.0f conn/s, %.0f req/s, payload "
		       "received %.1f Mbit/s, tcp retransmits %" PRIu64 "\n",
		       a->cfg.app, (double)c->conns_opened / secs,
		       (double)c->responses / secs,
		       (double)c->bytes_rx * 8 / secs / 1e6,
		       s.tcp_retransmits);
	sf_hist_print(stdout, "synfin: latency connect", &c->h_connect);
	sf_hist_print(stdout, "synfin: latency ttfb   ", &c->h_ttfb);
	sf_hist_print(stdout, "synfin: latency total  ", &c->h_total);
	for (i = 0; (n = sf_app_counter_name(i)) != NULL; i++)
		if (strncmp(n, "err_", 4) == 0 &&
		    sf_app_counter_get(c, i) != 0)
			printf("synfin: %s client: %s %" PRIu64 " (%s)\n",
			       a->cfg.app, n, sf_app_counter_get(c, i),
			       sf_app_counter_help(i));
	/* The verdict: OK, FAILED (errors, or nothing answered), or
	 * STOPPED (quit or a signal before the job was done). */
	verdict = c->ok ? "OK" : !done ? "STOPPED before the job was done" :
		"FAILED";
	if (strcmp(a->cfg.app, "echo") == 0)
		printf("synfin: echo client: sent %" PRIu64 " received %"
		       PRIu64 " verified %" PRIu64 " bytes, %" PRIu64
		       " errors: %s\n", c->bytes_tx, c->bytes_rx,
		       c->bytes_verified, c->errors, verdict);
	else
		printf("synfin: http client: %s\n", verdict);
	if (a->cfg.json[0] != '\0')
		client_json(a, c, secs, &s);
	fflush(stdout);
	return c->ok ? 0 : 1;
}
