/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /synfin/ rte_telemetry commands (control path). The library knows
 * nothing of the program's own state: sf_telemetry_init hands it the
 * workers and the configuration, kept here under a mutex because the
 * callbacks run on telemetry's threads while the main lcore may be
 * tearing down.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "sf_app.h"
#include "sf_capture.h"
#include "sf_cfg.h"
#include "sf_hist.h"
#include "sf_log.h"
#include "sf_stats.h"
#include "sf_tcp.h"
#include "sf_tcp_trace.h"
#include "sf_telemetry.h"
#include "sf_worker.h"

/* 23.11 renamed the unsigned adders (the u64 ones went deprecated). */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
#define tel_dict_u64 rte_tel_data_add_dict_uint
#define tel_array_u64 rte_tel_data_add_array_uint
#define TEL_U64 RTE_TEL_UINT_VAL
#else
#define tel_dict_u64 rte_tel_data_add_dict_u64
#define tel_array_u64 rte_tel_data_add_array_u64
#define TEL_U64 RTE_TEL_U64_VAL
#endif

static struct {
	pthread_mutex_t lock;
	bool registered;
	unsigned int nb;		/* 0: not initialised, answer null */
	struct sf_worker *workers[SF_MAX_WORKERS];
	const struct sf_cfg *cfg;
} tel = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* Sum of every worker's counters and TCP states. Lock held. */
static void
tel_sum(struct sf_stats *sum, uint64_t states[SF_TCP_NB_STATES])
{
	sf_worker_stats_sum(tel.workers, tel.nb, sum, states);
}

static void
tel_states(struct rte_tel_data *d, const char *prefix,
	   const uint64_t states[SF_TCP_NB_STATES])
{
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int i;

	for (i = 0; i < SF_TCP_NB_STATES; i++) {
		snprintf(key, sizeof(key), "%s%s", prefix,
			 sf_tcp_state_name((enum sf_tcp_state)i));
		tel_dict_u64(d, key, states[i]);
	}
}

static int
tel_cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t states[SF_TCP_NB_STATES];
	struct sf_stats sum;
	unsigned int i;
	const char *n;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	pthread_mutex_lock(&tel.lock);
	if (tel.nb == 0) {
		pthread_mutex_unlock(&tel.lock);
		return -ENODEV;
	}
	tel_sum(&sum, states);
	pthread_mutex_unlock(&tel.lock);
	rte_tel_data_start_dict(d);
	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		tel_dict_u64(d, n, sf_stats_get(&sum, i));
	return 0;
}

static int
tel_cmd_tcp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t states[SF_TCP_NB_STATES];
	struct sf_stats sum;
	unsigned int i;
	const char *n;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	pthread_mutex_lock(&tel.lock);
	if (tel.nb == 0) {
		pthread_mutex_unlock(&tel.lock);
		return -ENODEV;
	}
	tel_sum(&sum, states);
	pthread_mutex_unlock(&tel.lock);
	rte_tel_data_start_dict(d);
	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		if (strncmp(n, "tcp_", 4) == 0)
			tel_dict_u64(d, n, sf_stats_get(&sum, i));
	tel_states(d, "state_", states);
	return 0;
}

/* Every state transition that happened: "<FROM>_to_<TO>": count. */
static int
tel_cmd_tcp_transitions(const char *cmd, const char *params,
			struct rte_tel_data *d)
{
	uint64_t t[SF_TCP_NB_STATES][SF_TCP_NB_STATES];
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int i, j;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	memset(t, 0, sizeof(t));
	pthread_mutex_lock(&tel.lock);
	if (tel.nb == 0) {
		pthread_mutex_unlock(&tel.lock);
		return -ENODEV;
	}
	for (i = 0; i < tel.nb; i++)
		sf_tcp_transitions(tel.workers[i], t);
	pthread_mutex_unlock(&tel.lock);
	rte_tel_data_start_dict(d);
	for (i = 0; i < SF_TCP_NB_STATES; i++)
		for (j = 0; j < SF_TCP_NB_STATES; j++) {
			if (t[i][j] == 0)
				continue;
			snprintf(key, sizeof(key), "%s_to_%s",
				 sf_tcp_state_name((enum sf_tcp_state)i),
				 sf_tcp_state_name((enum sf_tcp_state)j));
			tel_dict_u64(d, key, t[i][j]);
		}
	return 0;
}

static int
tel_cmd_conn_states(const char *cmd, const char *params,
		    struct rte_tel_data *d)
{
	uint64_t states[SF_TCP_NB_STATES] = { 0 };
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	pthread_mutex_lock(&tel.lock);
	if (tel.nb == 0) {
		pthread_mutex_unlock(&tel.lock);
		return -ENODEV;
	}
	for (i = 0; i < tel.nb; i++)
		sf_tcp_state_counts(tel.workers[i], states);
	pthread_mutex_unlock(&tel.lock);
	rte_tel_data_start_dict(d);
	tel_states(d, "", states);
	return 0;
}

/* One worker, every figure: /synfin/workers,N. Lock held. */
static int
tel_worker_one(struct rte_tel_data *d, unsigned int id)
{
	uint64_t states[SF_TCP_NB_STATES] = { 0 };
	struct sf_worker *w = tel.workers[id];
	const struct sf_app_stats *as;
	char key[RTE_TEL_MAX_STRING_LEN];
	struct sf_stats s;
	unsigned int i;
	const char *n;

	sf_worker_stats_read(w, &s);
	sf_tcp_state_counts(w, states);
	rte_tel_data_start_dict(d);
	tel_dict_u64(d, "id", id);
	tel_dict_u64(d, "lcore", w->lcore_id);
	tel_dict_u64(d, "drops", sf_stats_drops(&s));
	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		tel_dict_u64(d, n, sf_stats_get(&s, i));
	tel_states(d, "state_", states);
	as = sf_app_stats(w);
	if (as == NULL)
		return 0;
	for (i = 0; (n = sf_app_counter_name(i)) != NULL; i++) {
		snprintf(key, sizeof(key), "app_%s", n);
		tel_dict_u64(d, key, sf_app_counter_get(as, i));
	}
	tel_dict_u64(d, "app_conns_open", as->conns_open);
	return 0;
}

/* Figures of /synfin/workers: one array each, index = worker. */
enum {
	TW_LCORE, TW_RX_PKTS, TW_RX_BYTES, TW_TX_PKTS, TW_TX_BYTES,
	TW_DROPS, TW_TX_DROP_FULL, TW_MBUF_FAIL, TW_ESTAB, TW_ACTIVE_OPENS,
	TW_PASSIVE_OPENS, TW_CLOSED, TW_MISDELIVERED, TW_NB
};

static const char *const tw_names[TW_NB] = {
	"lcore", "rx_pkts", "rx_bytes", "tx_pkts", "tx_bytes", "drops",
	"tx_drop_full", "mbuf_alloc_fail", "conns_estab", "tcp_active_opens",
	"tcp_passive_opens", "tcp_conns_closed", "tcp_misdelivered",
};

static int
tel_add_array(struct rte_tel_data *d, const char *name, const uint64_t *v,
	      unsigned int n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int i;

	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, TEL_U64);
	for (i = 0; i < n; i++)
		tel_array_u64(a, v[i]);
	if (rte_tel_data_add_dict_container(d, name, a, 0) != 0) {
		rte_tel_data_free(a);
		return -ENOSPC;
	}
	return 0;
}

static int
tel_workers_all(struct rte_tel_data *d)
{
	uint64_t (*v)[SF_MAX_WORKERS], states[SF_TCP_NB_STATES];
	unsigned int nb_app = 0, nb_rows, i, j;
	char key[RTE_TEL_MAX_STRING_LEN];
	const struct sf_app_stats *as;
	struct sf_stats s;
	const char *n;
	int rc = 0;

	for (nb_app = 0; sf_app_counter_name(nb_app) != NULL; nb_app++)
		;
	/* TW_NB figures, the app's counters and its conns_open gauge */
	nb_rows = TW_NB + nb_app + 1;
	v = calloc(nb_rows, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < tel.nb; i++) {
		sf_worker_stats_read(tel.workers[i], &s);
		memset(states, 0, sizeof(states));
		sf_tcp_state_counts(tel.workers[i], states);
		v[TW_LCORE][i] = tel.workers[i]->lcore_id;
		v[TW_RX_PKTS][i] = s.rx_pkts;
		v[TW_RX_BYTES][i] = s.rx_bytes;
		v[TW_TX_PKTS][i] = s.tx_pkts;
		v[TW_TX_BYTES][i] = s.tx_bytes;
		v[TW_DROPS][i] = sf_stats_drops(&s);
		v[TW_TX_DROP_FULL][i] = s.tx_drop_full;
		v[TW_MBUF_FAIL][i] = s.mbuf_alloc_fail;
		v[TW_ESTAB][i] = states[SF_TCP_ESTABLISHED];
		v[TW_ACTIVE_OPENS][i] = s.tcp_active_opens;
		v[TW_PASSIVE_OPENS][i] = s.tcp_passive_opens;
		v[TW_CLOSED][i] = s.tcp_conns_closed;
		v[TW_MISDELIVERED][i] = s.tcp_misdelivered;
		as = sf_app_stats(tel.workers[i]);
		if (as == NULL)
			continue;
		for (j = 0; j < nb_app; j++)
			v[TW_NB + j][i] = sf_app_counter_get(as, j);
		v[TW_NB + nb_app][i] = as->conns_open;
	}
	rte_tel_data_start_dict(d);
	tel_dict_u64(d, "nb_workers", tel.nb);
	for (i = 0; i < nb_rows && rc == 0; i++) {
		if (i < TW_NB)
			n = tw_names[i];
		else if (i < TW_NB + nb_app)
			n = sf_app_counter_name(i - TW_NB);
		else
			n = "conns_open";
		snprintf(key, sizeof(key), "%s%s", i < TW_NB ? "" : "app_", n);
		rc = tel_add_array(d, key, v[i], tel.nb);
	}
	free(v);
	return rc;
}

static int
tel_cmd_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned long id;
	char *end;
	int rc;

	RTE_SET_USED(cmd);
	pthread_mutex_lock(&tel.lock);
	if (tel.nb == 0) {
		rc = -ENODEV;
	} else if (params != NULL && params[0] != '\0') {
		errno = 0;
		id = strtoul(params, &end, 10);
		if (errno != 0 || *end != '\0' || id >= tel.nb)
			rc = -EINVAL;
		else
			rc = tel_worker_one(d, (unsigned int)id);
	} else {
		rc = tel_workers_all(d);
	}
	pthread_mutex_unlock(&tel.lock);
	return rc;
}

static void
tel_hist(struct rte_tel_data *d, const char *name, const struct sf_hist *h)
{
	static const struct {
		const char *key;
		double p;
	} pct[] = {
		{ "p50_ns", 50 }, { "p90_ns", 90 }, { "p99_ns", 99 },
		{ "p999_ns", 99.9 },
	};
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int i;

	snprintf(key, sizeof(key), "%s_count", name);
	tel_dict_u64(d, key, h->count);
	snprintf(key, sizeof(key), "%s_min_ns", name);
	tel_dict_u64(d, key, h->count != 0 ? h->min : 0);
	for (i = 0; i < RTE_DIM(pct); i++) {
		snprintf(key, sizeof(key), "%s_%s", name, pct[i].key);
		tel_dict_u64(d, key, sf_hist_percentile(h, pct[i].p));
	}
	snprintf(key, sizeof(key), "%s_max_ns", name);
	tel_dict_u64(d, key, h->max);
	snprintf(key, sizeof(key), "%s_mean_ns", name);
	tel_dict_u64(d, key, (uint64_t)sf_hist_mean(h));
}

static int
tel_cmd_app(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sf_app_stats *sum;
	unsigned int i, nb_app = 0;
	const char *n;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	/* ~54 KiB: three histograms; not on the telemetry thread's stack */
	sum = malloc(sizeof(*sum));
	if (sum == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&tel.lock);
	if (tel.nb == 0) {
		pthread_mutex_unlock(&tel.lock);
		free(sum);
		return -ENODEV;
	}
	nb_app = sf_app_stats_sum(tel.workers, tel.nb, sum);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "app", tel.cfg->app);
	rte_tel_data_add_dict_string(d, "mode", tel.cfg->mode);
	pthread_mutex_unlock(&tel.lock);
	tel_dict_u64(d, "workers", nb_app);
	if (nb_app != 0) {
		for (i = 0; (n = sf_app_counter_name(i)) != NULL; i++)
			tel_dict_u64(d, n, sf_app_counter_get(sum, i));
		tel_dict_u64(d, "conns_open", sum->conns_open);
		tel_hist(d, "connect", &sum->h_connect);
		tel_hist(d, "ttfb", &sum->h_ttfb);
		tel_hist(d, "total", &sum->h_total);
	}
	free(sum);
	return 0;
}

static void
tel_ip(struct rte_tel_data *d, const char *key, uint32_t ip, int plen)
{
	char a[INET_ADDRSTRLEN], s[32];

	inet_ntop(AF_INET, &ip, a, sizeof(a));
	if (plen >= 0)
		snprintf(s, sizeof(s), "%s/%d", a, plen);
	else
		snprintf(s, sizeof(s), "%s", a);
	rte_tel_data_add_dict_string(d, key, s);
}

static int
tel_cmd_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct sf_cfg *c;
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int p, nb_ports = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	pthread_mutex_lock(&tel.lock);
	if (tel.nb == 0) {
		pthread_mutex_unlock(&tel.lock);
		return -ENODEV;
	}
	c = tel.cfg;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "config_file",
				     c->file[0] != '\0' ? c->file : "");
	rte_tel_data_add_dict_string(d, "mode", c->mode);
	rte_tel_data_add_dict_string(d, "app", c->app);
	tel_dict_u64(d, "app_port", c->app_port);
	tel_dict_u64(d, "workers", tel.nb);
	for (p = 0; p < SF_MAX_PORTS; p++) {
		if (c->port[p].nb_addrs == 0)
			continue;
		nb_ports++;
		snprintf(key, sizeof(key), "port%u_ip", p);
		tel_ip(d, key, c->port[p].addrs[0], c->port[p].prefix_len);
		snprintf(key, sizeof(key), "port%u_addrs", p);
		tel_dict_u64(d, key, c->port[p].nb_addrs);
		snprintf(key, sizeof(key), "port%u_gateway", p);
		if (c->port[p].gateway != 0)
			tel_ip(d, key, c->port[p].gateway, -1);
		else
			rte_tel_data_add_dict_string(d, key, "none");
	}
	tel_dict_u64(d, "ports", nb_ports);
	if (strcmp(c->mode, "client") == 0 && c->nb_targets != 0) {
		tel_ip(d, "target", c->target[0], -1);
		tel_dict_u64(d, "targets", c->nb_targets);
		tel_dict_u64(d, "load_concurrency", c->concurrency);
		tel_dict_u64(d, "load_rate", c->rate);
		tel_dict_u64(d, "load_requests", c->requests);
		tel_dict_u64(d, "load_duration_s", c->duration_s);
		tel_dict_u64(d, "load_count", c->count);
	}
	if (strcmp(c->app, "http") == 0 && strcmp(c->mode, "server") == 0) {
		tel_dict_u64(d, "http_body_size", c->http_body);
		tel_dict_u64(d, "http_keepalive", c->http_keepalive);
	}
	tel_dict_u64(d, "tcp_max_conns", c->tcp.max_conns);
	tel_dict_u64(d, "tcp_max_timewait", c->tcp.max_timewait);
	tel_dict_u64(d, "tcp_max_recovery", c->tcp.max_recovery);
	tel_dict_u64(d, "tcp_max_syn_backlog", c->tcp.max_syn_backlog);
	tel_dict_u64(d, "tcp_msl_ms", c->tcp.msl_ms);
	tel_dict_u64(d, "tcp_rto_init_ms", c->tcp.rto_init_ms);
	tel_dict_u64(d, "tcp_rto_min_ms", c->tcp.rto_min_ms);
	tel_dict_u64(d, "tcp_rto_max_ms", c->tcp.rto_max_ms);
	tel_dict_u64(d, "tcp_fin_wait_2_ms", c->tcp.fin_wait_2_ms);
	tel_dict_u64(d, "tcp_delack_ms", c->tcp.delack_ms);
	tel_dict_u64(d, "tcp_mss", c->tcp.mss);
	tel_dict_u64(d, "tcp_wscale", c->tcp.wscale_on ? c->tcp.wscale : 0);
	tel_dict_u64(d, "tcp_sack", c->tcp.sack_on);
	tel_dict_u64(d, "tcp_timestamps", c->tcp.ts_on);
	tel_dict_u64(d, "tcp_syncookies", c->tcp.syncookies);
	tel_dict_u64(d, "tcp_rcvbuf", c->tcp.rcvbuf);
	tel_dict_u64(d, "tcp_sndbuf", c->tcp.sndbuf);
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

static int
tel_cmd_capture(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sf_capture_stats st;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	sf_capture_stats(&st);
	rte_tel_data_start_dict(d);
	tel_dict_u64(d, "active", st.active);
	rte_tel_data_add_dict_string(d, "file", st.file);
	rte_tel_data_add_dict_string(d, "filter", st.filter);
	tel_dict_u64(d, "packets", st.packets);
	tel_dict_u64(d, "bytes", st.bytes);
	tel_dict_u64(d, "drop_ring", st.drop_ring);
	tel_dict_u64(d, "drop_nombuf", st.drop_nombuf);
	tel_dict_u64(d, "drop_limit", st.drop_limit);
	tel_dict_u64(d, "write_errors", st.write_errors);
	return 0;
}

static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} tel_cmds[] = {
	{ "/synfin/stats", tel_cmd_stats,
	  "synfin: every packet counter, summed over the workers" },
	{ "/synfin/tcp", tel_cmd_tcp,
	  "synfin: TCP counters and connections per state" },
	{ "/synfin/conn_states", tel_cmd_conn_states,
	  "synfin: connections in each TCP state" },
	{ "/synfin/tcp_transitions", tel_cmd_tcp_transitions,
	  "synfin: TCP state transitions so far, FROM_to_TO (non-zero)" },
	{ "/synfin/workers", tel_cmd_workers,
	  "synfin: per-worker arrays; parameter N: worker N in full" },
	{ "/synfin/app", tel_cmd_app,
	  "synfin: application counters and latency percentiles (ns)" },
	{ "/synfin/config", tel_cmd_config,
	  "synfin: key settings (mode, app, addresses, TCP limits)" },
	{ "/synfin/capture", tel_cmd_capture,
	  "synfin: pcapng capture state and counters" },
};

int
sf_telemetry_init(struct sf_worker *const *workers, unsigned int nb,
		  const struct sf_cfg *cfg)
{
	unsigned int i;
	int rc;

	if (workers == NULL || cfg == NULL || nb == 0 || nb > SF_MAX_WORKERS)
		return -EINVAL;
	for (i = 0; i < nb; i++)
		if (workers[i] == NULL)
			return -EINVAL;
	pthread_mutex_lock(&tel.lock);
	if (!tel.registered) {
		for (i = 0; i < RTE_DIM(tel_cmds); i++) {
			rc = rte_telemetry_register_cmd(tel_cmds[i].cmd,
							tel_cmds[i].fn,
							tel_cmds[i].help);
			if (rc != 0) {
				pthread_mutex_unlock(&tel.lock);
				SF_LOG(ERR, main, "telemetry: cannot register "
				       "%s: %s", tel_cmds[i].cmd,
				       strerror(-rc));
				return rc;
			}
		}
		tel.registered = true;
	}
	memcpy(tel.workers, workers, nb * sizeof(workers[0]));
	tel.cfg = cfg;
	tel.nb = nb;
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

void
sf_telemetry_fini(void)
{
	pthread_mutex_lock(&tel.lock);
	tel.nb = 0;
	tel.cfg = NULL;
	pthread_mutex_unlock(&tel.lock);
}
