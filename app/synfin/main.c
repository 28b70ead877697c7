/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synfin's entry point and control plane: EAL, configuration, port and
 * worker bring-up, the stats line, signals, and orderly shutdown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numa.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sf_app.h"
#include "sf_cfg.h"
#include "sf_log.h"
#include "sf_net.h"
#include "sf_port.h"
#include "sf_stats.h"
#include "sf_tcp.h"
#include "sf_worker.h"

#define EXIT_USAGE 2

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
	uint64_t hz;
	uint64_t next_stats;
	uint64_t last_tsc;
	uint64_t done_tsc;		/* when the client job finished */
	struct sf_stats last;
};

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t dump_signal;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_signal = 1;
	else
		quit_signal = sig;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [EAL options] -- [options]\n"
"\n"
"synfin: a userspace TCP endpoint on DPDK. It answers ARP and ICMP echo\n"
"on its ports and runs a TCP application: an echo server, or an echo\n"
"client that streams a pattern and verifies every byte that returns.\n"
"\n"
"Options:\n"
"  -c, --config FILE        INI configuration (see config/synfin.ini)\n"
"      --ip ADDR/LEN        port 0's IPv4 address and prefix\n"
"                           (same as [port0] ip)\n"
"      --gateway ADDR       port 0's next hop off the prefix, resolved by\n"
"                           ARP at start (same as [port0] gateway)\n"
"      --stats-interval SEC seconds between stats lines, 0 for none\n"
"                           (same as [general] stats_interval; default 1)\n"
"      --mode server|client run as a responder or a client ([app] mode)\n"
"      --app none|echo      the TCP application ([app] app)\n"
"      --port N             TCP port to listen on / connect to ([app] port)\n"
"      --target ADDR        client: the server's address ([app] target)\n"
"      --bytes N            echo client: bytes to send and verify\n"
"      --linger MS          client: keep running MS ms after the job, e.g.\n"
"                           to watch TIME_WAIT expire ([app] linger_ms)\n"
"      --set SEC.KEY=VALUE  set any configuration key, e.g.\n"
"                           --set tcp.msl_ms=1000 (repeatable)\n"
"  -i, --interactive        reserved for the console (not in this build)\n"
"  -h, --help               this text\n"
"\n"
"Command-line options override the file. Signals: SIGINT/SIGTERM stop and\n"
"print the final counters, SIGUSR1 prints the counters and goes on. An\n"
"echo client exits by itself when done: status 0 when every byte came\n"
"back intact and the connection closed normally, 1 otherwise.\n"
"\n"
"Example (inside a network namespace holding veth0):\n"
"  %s -l 0 --no-pci --vdev=net_af_packet0,iface=veth0 -- \\\n"
"      --ip 198.18.0.2/24 --gateway 198.18.0.1\n"
"\n"
"Configuration keys:\n", prog, prog);
	sf_cfg_print_keys(f);
}

/* --help must work without EAL: look for it after "--" (or anywhere when
 * there is no "--") before rte_eal_init consumes the arguments. */
static bool
wants_help(int argc, char **argv)
{
	bool after = false;
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			after = true;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			after = false;
			continue;
		}
		if (after)
			continue;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

static int
parse_args(struct app *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ip", required_argument, NULL, 'I' },
		{ "gateway", required_argument, NULL, 'G' },
		{ "stats-interval", required_argument, NULL, 'S' },
		{ "mode", required_argument, NULL, 'M' },
		{ "app", required_argument, NULL, 'A' },
		{ "port", required_argument, NULL, 'P' },
		{ "target", required_argument, NULL, 'T' },
		{ "bytes", required_argument, NULL, 'B' },
		{ "set", required_argument, NULL, 'X' },
		{ "linger", required_argument, NULL, 'L' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct {
		const char *opt, *section, *key, *val;
	} ov[64];
	static char setbuf[64][256];
	char *dot, *eq;
	unsigned int nov = 0, i;
	const char *file = NULL;
	char err[1024];
	int c;

	sf_cfg_defaults(&a->cfg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:ih", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			file = optarg;
			break;
		case 'I':
			ov[nov++] = (typeof(ov[0])){ "--ip", "port0", "ip",
						      optarg };
			break;
		case 'G':
			ov[nov++] = (typeof(ov[0])){ "--gateway", "port0",
						      "gateway", optarg };
			break;
		case 'S':
			ov[nov++] = (typeof(ov[0])){ "--stats-interval",
						      "general",
						      "stats_interval",
						      optarg };
			break;
		case 'M':
			ov[nov++] = (typeof(ov[0])){ "--mode", "app", "mode",
						      optarg };
			break;
		case 'A':
			ov[nov++] = (typeof(ov[0])){ "--app", "app", "app",
						      optarg };
			break;
		case 'P':
			ov[nov++] = (typeof(ov[0])){ "--port", "app", "port",
						      optarg };
			break;
		case 'T':
			ov[nov++] = (typeof(ov[0])){ "--target", "app",
						      "target", optarg };
			break;
		case 'B':
			ov[nov++] = (typeof(ov[0])){ "--bytes", "app", "bytes",
						      optarg };
			break;
		case 'L':
			ov[nov++] = (typeof(ov[0])){ "--linger", "app",
						      "linger_ms", optarg };
			break;
		case 'X':
			if (strlen(optarg) >= sizeof(setbuf[nov])) {
				fprintf(stderr, "synfin: --set '%.40s...': "
					"longer than %zu characters\n", optarg,
					sizeof(setbuf[nov]) - 1);
				return -EINVAL;
			}
			snprintf(setbuf[nov], sizeof(setbuf[nov]), "%s",
				 optarg);
			dot = strchr(setbuf[nov], '.');
			eq = strchr(setbuf[nov], '=');
			if (dot == NULL || eq == NULL || dot > eq) {
				fprintf(stderr, "synfin: --set '%s': expected "
					"SECTION.KEY=VALUE\n", optarg);
				return -EINVAL;
			}
			*dot = '\0';
			*eq = '\0';
			ov[nov].opt = "--set";
			ov[nov].section = setbuf[nov];
			ov[nov].key = dot + 1;
			ov[nov].val = eq + 1;
			nov++;
			break;
		case 'i':
			a->cfg.interactive = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		case ':':
			fprintf(stderr, "synfin: option %s needs a value\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "synfin: unknown option '%s' "
				"(try --help)\n", argv[optind - 1]);
			return -EINVAL;
		}
		if (nov == RTE_DIM(ov)) {
			fprintf(stderr, "synfin: too many options\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "synfin: unexpected argument '%s' "
			"(try --help)\n", argv[optind]);
		return -EINVAL;
	}
	if (a->cfg.interactive) {
		fprintf(stderr, "synfin: -i/--interactive: the console is "
			"not in this build yet; without it synfin prints a "
			"stats line a second and its counters on SIGUSR1\n");
		return -ENOTSUP;
	}
	if (file != NULL && sf_cfg_load(&a->cfg, file, err, sizeof(err))) {
		fprintf(stderr, "synfin: %s\n", err);
		return -EINVAL;
	}
	for (i = 0; i < nov; i++) {
		if (sf_cfg_set(&a->cfg, ov[i].section, ov[i].key, ov[i].val,
			       ov[i].opt, err, sizeof(err)) != 0) {
			fprintf(stderr, "synfin: %s\n", err);
			return -EINVAL;
		}
	}
	return 0;
}

static void
stats_sum(const struct app *a, struct sf_stats *sum,
	  uint64_t states[SF_TCP_NB_STATES])
{
	struct sf_stats s;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	memset(states, 0, sizeof(uint64_t) * SF_TCP_NB_STATES);
	for (i = 0; i < a->nb_workers; i++) {
		sf_worker_stats_read(a->workers[i], &s);
		sf_stats_add(sum, &s);
		sf_tcp_state_counts(a->workers[i], states);
	}
}

static uint64_t
drops_total(const struct sf_stats *s)
{
	uint64_t d = 0;
	unsigned int i;
	const char *n;

	for (i = 0; (n = sf_stats_name(i)) != NULL; i++)
		if (strstr(n, "_drop") != NULL)
			d += sf_stats_get(s, i);
	return d;
}

static void
print_counters(const struct app *a, const char *title)
{
	uint64_t states[SF_TCP_NB_STATES];
	const struct sf_echo_stats *es_app;
	struct rte_eth_stats es;
	struct sf_stats s;
	unsigned int i;
	uint16_t p;

	stats_sum(a, &s, states);
	printf("synfin: %s\n", title);
	sf_stats_print(stdout, &s);
	for (i = SF_TCP_LISTEN + 1; i < SF_TCP_NB_STATES; i++)
		printf("  tcp_state_%-10s %" PRIu64 "\n",
		       sf_tcp_state_name((enum sf_tcp_state)i), states[i]);
	for (i = 0; i < a->nb_workers; i++) {
		es_app = sf_app_echo_stats(a->workers[i]);
		if (es_app == NULL)
			continue;
		printf("  echo_conns_opened %" PRIu64 "\n  echo_conns_closed %"
		       PRIu64 "\n  echo_bytes_rx %" PRIu64
		       "\n  echo_bytes_tx %" PRIu64 "\n  echo_errors %" PRIu64
		       "\n", es_app->conns_opened, es_app->conns_closed,
		       es_app->bytes_rx, es_app->bytes_tx, es_app->errors);
	}
	for (p = 0; p < a->nb_ports; p++) {
		if (!a->port_started[p] ||
		    rte_eth_stats_get(a->port_ids[p], &es) != 0)
			continue;
		printf("  port%u_ipackets %" PRIu64 "\n  port%u_opackets %"
		       PRIu64 "\n  port%u_imissed %" PRIu64
		       "\n  port%u_ierrors %" PRIu64 "\n  port%u_oerrors %"
		       PRIu64 "\n", p, es.ipackets, p, es.opackets, p,
		       es.imissed, p, es.ierrors, p, es.oerrors);
	}
	fflush(stdout);
}

static void
stats_line(struct app *a, uint64_t now)
{
	double dt = (double)(now - a->last_tsc) / (double)a->hz;
	uint64_t states[SF_TCP_NB_STATES];
	struct sf_stats s;

	stats_sum(a, &s, states);
	printf("synfin: rx %.0f pps %.1f Mbit/s | tx %.0f pps %.1f Mbit/s | "
	       "tcp estab %" PRIu64 " tw %" PRIu64 " opens %" PRIu64
	       " rexmit %" PRIu64 " | icmp echo %" PRIu64
	       " | drops %" PRIu64 "\n",
	       (double)(s.rx_pkts - a->last.rx_pkts) / dt,
	       (double)(s.rx_bytes - a->last.rx_bytes) * 8 / dt / 1e6,
	       (double)(s.tx_pkts - a->last.tx_pkts) / dt,
	       (double)(s.tx_bytes - a->last.tx_bytes) * 8 / dt / 1e6,
	       states[SF_TCP_ESTABLISHED], states[SF_TCP_TIME_WAIT],
	       s.tcp_active_opens + s.tcp_passive_opens, s.tcp_retransmits,
	       s.icmp_rx_echo, drops_total(&s));
	fflush(stdout);
	a->last = s;
	a->last_tsc = now;
}

/* The control plane's periodic work; on the main lcore, or called from the
 * only worker's housekeeping when there is a single lcore. */
static void
control_tick(struct app *a)
{
	uint64_t now = rte_rdtsc();

	if (dump_signal) {
		dump_signal = 0;
		print_counters(a, "counters");
	}
	if (a->cfg.stats_interval_s != 0 && now >= a->next_stats) {
		stats_line(a, now);
		a->next_stats = now + a->cfg.stats_interval_s * a->hz;
	}
}

/* An echo client is a finite job: it ends the run when done, after
 * [app] linger_ms. */
static bool
app_done(struct app *a)
{
	uint64_t now = rte_rdtsc();
	const struct sf_echo_stats *es;

	if (strcmp(a->cfg.mode, "client") != 0)
		return false;
	es = sf_app_echo_stats(a->workers[0]);
	if (es == NULL || !__atomic_load_n(&es->done, __ATOMIC_ACQUIRE))
		return false;
	if (a->done_tsc == 0) {
		a->done_tsc = now;
		if (a->cfg.linger_ms != 0) {
			printf("synfin: echo client done; lingering %u ms\n",
			       a->cfg.linger_ms);
			fflush(stdout);
		}
	}
	return now - a->done_tsc >= (uint64_t)a->cfg.linger_ms * a->hz / 1000;
}

static void
control_hook(void *arg)
{
	struct app *a = arg;

	control_tick(a);
	if (quit_signal || app_done(a))
		sf_worker_stop(a->workers[0]);
}

static struct sf_iface *
iface_create(const struct app *a, uint16_t idx)
{
	const struct sf_cfg_port *cp = &a->cfg.port[idx];
	struct sf_iface *ifc;
	uint16_t port_id = a->port_ids[idx];

	ifc = rte_zmalloc_socket("sf_iface", sizeof(*ifc),
				 RTE_CACHE_LINE_SIZE, sf_port_socket(port_id));
	if (ifc == NULL)
		return NULL;
	ifc->port_id = port_id;
	ifc->nb_addrs = cp->nb_addrs;
	memcpy(ifc->addrs, cp->addrs, sizeof(ifc->addrs));
	ifc->prefix_len = cp->prefix_len;
	ifc->netmask = cp->prefix_len ?
		htonl(~0u << (32 - cp->prefix_len)) : 0;
	ifc->gateway = cp->gateway;
	ifc->arp_timeout = (uint64_t)a->cfg.arp_timeout_s * a->hz;
	ifc->arp_retry = (uint64_t)a->cfg.arp_retry_ms * a->hz / 1000;
	ifc->arp_retries = a->cfg.arp_retries;
	return ifc;
}

static uint32_t
mbufs_needed(const struct app *a)
{
	uint32_t n = 0;
	uint16_t p;

	if (a->cfg.mbufs != 0)
		return a->cfg.mbufs;
	for (p = 0; p < a->nb_ports; p++)
		n += a->nb_workers * (a->cfg.port[p].rxd + a->cfg.port[p].txd +
				      SF_TXBUF_SIZE + SF_BURST);
	n += a->nb_workers * a->cfg.mbuf_cache * 2 + 4096;
	return rte_align32pow2(n) - 1;
}

static int
app_setup(struct app *a)
{
	unsigned int i;
	int rc;

	for (i = 0; i < a->nb_workers; i++) {
		rc = sf_tcp_init(a->workers[i], &a->cfg.tcp,
				 (int)rte_lcore_to_socket_id(
					 a->workers[i]->lcore_id));
		if (rc != 0) {
			SF_LOG(ERR, main, "worker %u: TCP: %s", i,
			       strerror(-rc));
			return rc;
		}
	}
	if (strcmp(a->cfg.app, "echo") != 0)
		return 0;
	if (strcmp(a->cfg.mode, "server") == 0) {
		for (i = 0; i < a->nb_workers; i++) {
			rc = sf_app_echo_server(a->workers[i],
						(uint16_t)a->cfg.app_port);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	/* One client connection, from worker 0. */
	return sf_app_echo_client(a->workers[0], a->cfg.target,
				  (uint16_t)a->cfg.app_port, a->cfg.bytes);
}

static int
setup(struct app *a)
{
	struct rte_mempool *pool[RTE_MAX_NUMA_NODES] = { NULL };
	struct sf_port_conf pc;
	unsigned int lcore, i;
	char err[1024];
	uint16_t p, pid;
	int s, rc;

	a->hz = rte_get_tsc_hz();
	a->nb_ports = 0;
	RTE_ETH_FOREACH_DEV(pid) {
		if (a->nb_ports == SF_MAX_PORTS)
			break;
		a->port_ids[a->nb_ports++] = pid;
	}
	if (sf_cfg_check(&a->cfg, a->nb_ports, err, sizeof(err)) != 0) {
		fprintf(stderr, "synfin: %s\n", err);
		return -EINVAL;
	}

	/* Workers: every worker lcore, or the main lcore alone. */
	a->nb_workers = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (a->nb_workers == SF_MAX_WORKERS)
			break;
		a->worker_lcore[a->nb_workers++] = lcore;
	}
	if (a->nb_workers == 0) {
		a->main_is_worker = true;
		a->worker_lcore[0] = rte_get_main_lcore();
		a->nb_workers = 1;
	}
	if (numa_available() >= 0)
		SF_LOG(INFO, main, "%u worker(s), %u port(s), %d NUMA node(s)",
		       a->nb_workers, a->nb_ports,
		       numa_num_configured_nodes());

	/* One pool per socket that has a port or a worker. */
	for (p = 0; p < a->nb_ports; p++) {
		s = sf_port_socket(a->port_ids[p]);
		if (pool[s] == NULL)
			pool[s] = sf_mempool_get(s, mbufs_needed(a),
						 a->cfg.mbuf_cache);
		if (pool[s] == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < a->nb_workers; i++) {
		lcore = a->worker_lcore[i];
		s = (int)rte_lcore_to_socket_id(lcore);
		if (pool[s] == NULL)
			pool[s] = sf_mempool_get(s, mbufs_needed(a),
						 a->cfg.mbuf_cache);
		if (pool[s] == NULL)
			return -ENOMEM;
		a->workers[i] = sf_worker_create(i, lcore, pool[s]);
		if (a->workers[i] == NULL) {
			SF_LOG(ERR, main, "worker %u: %s", i,
			       rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}

	for (p = 0; p < a->nb_ports; p++) {
		a->ifc[p] = iface_create(a, p);
		if (a->ifc[p] == NULL)
			return -ENOMEM;
		pc.nb_queues = (uint16_t)a->nb_workers;
		pc.nb_rxd = (uint16_t)a->cfg.port[p].rxd;
		pc.nb_txd = (uint16_t)a->cfg.port[p].txd;
		pc.link_wait_ms = a->cfg.link_wait_ms;
		s = sf_port_socket(a->port_ids[p]);
		rc = sf_port_init(a->ifc[p], &pc, pool[s], &a->pinfo[p]);
		if (rc != 0)
			return rc;
		a->port_started[p] = true;
		for (i = 0; i < a->pinfo[p].nb_queues; i++) {
			if (numa_available() >= 0 &&
			    (int)rte_lcore_to_socket_id(a->workers[i]->lcore_id)
			    != s)
				SF_LOG(WARNING, main, "worker %u polls port %u "
				       "across NUMA nodes", i, p);
			rc = sf_worker_add_port(a->workers[i], a->ifc[p],
						(uint16_t)i, i == 0);
			if (rc != 0)
				return rc;
		}
	}
	return app_setup(a);
}

static void
teardown(struct app *a)
{
	unsigned int i;
	uint16_t p;

	for (i = 0; i < a->nb_workers; i++) {
		if (a->workers[i] == NULL)
			continue;
		/* Resets what is still open, so peers do not hang. */
		sf_tcp_fini(a->workers[i]);
		sf_app_free(a->workers[i]);
	}
	for (p = 0; p < a->nb_ports; p++)
		if (a->port_started[p])
			sf_port_close(a->port_ids[p]);
	for (i = 0; i < a->nb_workers; i++)
		sf_worker_free(a->workers[i]);
	for (p = 0; p < a->nb_ports; p++)
		rte_free(a->ifc[p]);
}

/* The echo client's verdict; the exit status. */
static int
echo_client_report(const struct app *a)
{
	const struct sf_echo_stats *es;

	if (strcmp(a->cfg.mode, "client") != 0)
		return 0;
	es = sf_app_echo_stats(a->workers[0]);
	if (es == NULL)
		return 0;
	printf("synfin: echo client: sent %" PRIu64 " received %" PRIu64
	       " verified %" PRIu64 " of %u bytes, close %s: %s\n",
	       es->bytes_tx, es->bytes_rx, es->bytes_verified, a->cfg.bytes,
	       es->done ? sf_tcp_close_reason_name(
		       (enum sf_close_reason)es->close_reason) : "not done",
	       es->ok ? "OK" : "FAILED");
	if (es->mismatches)
		printf("synfin: echo client: first bad byte at offset %"
		       PRIu64 "\n", es->mismatches - 1);
	fflush(stdout);
	return es->ok ? 0 : EXIT_FAILURE;
}

static void
print_ready(const struct app *a)
{
	char ip[16];
	uint16_t p;

	for (p = 0; p < a->nb_ports; p++) {
		inet_ntop(AF_INET, &a->ifc[p]->addrs[0], ip, sizeof(ip));
		printf("synfin: port %u (%s) %02x:%02x:%02x:%02x:%02x:%02x"
		       " %s/%u, link %s\n", p, a->pinfo[p].driver,
		       RTE_ETHER_ADDR_BYTES(&a->ifc[p]->mac), ip,
		       a->ifc[p]->prefix_len,
		       a->pinfo[p].link_up ? "up" : "down");
	}
	printf("synfin: ready: %u worker(s), %u port(s); Ctrl-C stops\n",
	       a->nb_workers, a->nb_ports);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct app app;
	struct app *a = &app;
	struct sigaction sa;
	unsigned int i;
	int ret, rc;

	if (wants_help(argc, argv)) {
		usage(stdout, argv[0]);
		return 0;
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "synfin: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_USAGE;
	}
	argc -= ret;
	argv += ret;
	argv[0] = (char *)(uintptr_t)"synfin";
	sf_log_init();

	rc = parse_args(a, argc, argv);
	if (rc != 0) {
		rte_eal_cleanup();
		return EXIT_USAGE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	rc = setup(a);
	if (rc != 0) {
		teardown(a);
		rte_eal_cleanup();
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	}
	print_ready(a);
	a->last_tsc = rte_rdtsc();
	a->next_stats = a->last_tsc + a->cfg.stats_interval_s * a->hz;

	if (a->main_is_worker) {
		a->workers[0]->main_hook = control_hook;
		a->workers[0]->main_hook_arg = a;
		sf_worker_loop(a->workers[0]);
	} else {
		for (i = 0; i < a->nb_workers; i++)
			rte_eal_remote_launch(sf_worker_loop, a->workers[i],
					      a->workers[i]->lcore_id);
		while (!quit_signal && !app_done(a)) {
			control_tick(a);
			rte_delay_us_sleep(10000);
		}
		for (i = 0; i < a->nb_workers; i++)
			sf_worker_stop(a->workers[i]);
		rte_eal_mp_wait_lcore();
	}
	if (quit_signal)
		SF_LOG(INFO, main, "stopping on signal %d", (int)quit_signal);
	print_counters(a, "final counters");
	ret = echo_client_report(a);
	teardown(a);
	rte_eal_cleanup();
	return ret;
}
