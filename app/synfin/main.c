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
#include "sf_capture.h"
#include "sf_cfg.h"
#include "sf_log.h"
#include "sf_net.h"
#include "sf_port.h"
#include "sf_stats.h"
#include "sf_tcp.h"
#include "sf_tcp_trace.h"
#include "sf_telemetry.h"
#include "sf_worker.h"
#include "cmds.h"
#include "synfin.h"

#define EXIT_USAGE 2

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
"on its ports and runs a TCP application as a responder (echo or HTTP\n"
"server) or as a load generator (echo or HTTP client) that measures\n"
"connection and request rates and latency percentiles.\n"
"\n"
"Options (each sets the configuration key in brackets):\n"
"  -c, --config FILE        INI configuration (see config/synfin.ini)\n"
"      --ip ADDR/LEN        port 0's IPv4 address and prefix [port0] ip\n"
"      --gateway ADDR       port 0's next hop off the prefix [port0] gateway\n"
"      --stats-interval SEC seconds between stats lines, 0: none (1)\n"
"      --mode server|client responder or load generator [app] mode\n"
"      --app none|echo|http the TCP application [app] app\n"
"      --port N             TCP port to listen on / connect to [app] port\n"
"      --target A[:P][,..]  client: server address(es) [app] target\n"
"      --bytes N            echo client: bytes per request, verified\n"
"      --linger MS          client: run on MS ms after the job\n"
"      --exit-wait MS       client: then wait, idle, up to MS ms for the\n"
"                           peer to leave (link down) [app] exit_wait_ms\n"
"  Load generator ([load]):\n"
"      --concurrency N      connections open at once (1)\n"
"      --rate N             new connections per second (0: unpaced)\n"
"      --ramp MS            rates climb from 0 over MS ms\n"
"      --requests N         requests per connection (1; 0: unlimited)\n"
"      --req-rate N         requests per second in all (0: unpaced)\n"
"      --duration SEC       run time (0: until --count)\n"
"      --count N            connections in all (0: until --duration;\n"
"                           neither given: one connection)\n"
"      --close fin|rst      how the client ends a connection (fin)\n"
"      --source A[-B]       source addresses in port 0's prefix\n"
"      --path PATH          http client: request target (/)\n"
"      --json FILE          write the results as JSON\n"
"  HTTP server ([http]):\n"
"      --body-size N        response body bytes, 0 to 1048576 (0)\n"
"  Capture ([capture]; tcpdump -r and tshark read the file):\n"
"      --capture FILE       write a pcapng capture of the run to FILE\n"
"      --capture-filter EXPR  only frames matching EXPR: words 'host A',\n"
"                           'port P' (TCP), 'tcp', 'iface N', all must hold\n"
"  Trace ([trace]):\n"
"      --trace FILTER       log every segment and state change of the\n"
"                           connections matching '[host A] [port P]\n"
"                           [limit N]' (or 'all') to log type synfin.trace\n"
"      --set SEC.KEY=VALUE  set any configuration key, e.g.\n"
"                           --set tcp.msl_ms=1000 (repeatable)\n"
"  -i, --interactive        the console (prompt \"synfin> \"; 'help' lists\n"
"                           the commands); a client waits for 'start'\n"
"      --cmdline-file FILE  run the console commands in FILE first (then\n"
"                           the prompt with -i)\n"
"  -h, --help               this text\n"
"\n"
"Command-line options override the file. Signals: SIGINT/SIGTERM stop and\n"
"print the final counters, SIGUSR1 prints the counters and goes on. A\n"
"client exits by itself when its job is done, with connect, first-byte\n"
"and total latency percentiles: status 0 when every connection and\n"
"request succeeded (echo: every byte came back intact), 1 otherwise.\n"
"With -i the run ends at 'quit' or at the end of the console's input;\n"
"a client's status is its verdict's (a job quit before it was done is\n"
"STOPPED, status 1). The counter blocks list the counters that are not\n"
"0 ([general] counters = all lists every one).\n"
"\n"
"Examples (inside a network namespace holding veth0):\n"
"  %s -l 0 --no-pci --vdev=net_af_packet0,iface=veth0 -- \\\n"
"      --ip 198.18.0.2/24 --mode server --app http --port 80 \\\n"
"      --body-size 1024\n"
"  %s -l 0 --no-pci --vdev=net_af_packet0,iface=veth0 -- \\\n"
"      --ip 198.18.0.2/24 --mode client --app http --target 198.18.0.1:80 \\\n"
"      --concurrency 64 --rate 10000 --duration 10\n"
"\n"
"Configuration keys:\n", prog, prog, prog);
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

/* Options that set one configuration key each: --NAME VALUE is
 * [section] key = VALUE, parsed and checked by the key table. */
static const struct {
	const char *name, *section, *key;
} opt_keys[] = {
	{ "ip", "port0", "ip" },
	{ "gateway", "port0", "gateway" },
	{ "stats-interval", "general", "stats_interval" },
	{ "mode", "app", "mode" },
	{ "app", "app", "app" },
	{ "port", "app", "port" },
	{ "target", "app", "target" },
	{ "bytes", "app", "bytes" },
	{ "linger", "app", "linger_ms" },
	{ "exit-wait", "app", "exit_wait_ms" },
	{ "concurrency", "load", "concurrency" },
	{ "rate", "load", "rate" },
	{ "ramp", "load", "ramp_ms" },
	{ "requests", "load", "requests" },
	{ "req-rate", "load", "req_rate" },
	{ "duration", "load", "duration" },
	{ "count", "load", "count" },
	{ "close", "load", "close" },
	{ "source", "load", "source" },
	{ "path", "load", "path" },
	{ "json", "load", "json" },
	{ "body-size", "http", "body_size" },
	{ "capture", "capture", "file" },
	{ "capture-filter", "capture", "filter" },
	{ "trace", "trace", "filter" },
};

#define OPT_KEY_BASE 1000

/* synfin's own long options, other than those of opt_keys[]. */
static const char *const opt_own[] = {
	"config", "set", "interactive", "cmdline-file",
};

/* Is @arg ("--name" or "--name=value") one of synfin's long options?
 * --trace is EAL's too (DPDK's trace library): not counted. */
static bool
is_own_option(const char *arg)
{
	size_t n;
	unsigned int i;

	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	n = strcspn(arg, "=");
	for (i = 0; i < RTE_DIM(opt_keys); i++)
		if (strcmp(opt_keys[i].name, "trace") != 0 &&
		    strlen(opt_keys[i].name) == n &&
		    strncmp(opt_keys[i].name, arg, n) == 0)
			return true;
	for (i = 0; i < RTE_DIM(opt_own); i++)
		if (strlen(opt_own[i]) == n && strncmp(opt_own[i], arg, n) == 0)
			return true;
	return false;
}

/* One of synfin's options before the "--" that ends EAL's would get
 * EAL's usage (a hundred lines on another subject): say what is wrong
 * instead. Returns the option, or NULL. */
static const char *
own_option_before_eal_end(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (is_own_option(argv[i]))
			return argv[i];
	return NULL;
}

static int
parse_args(struct app *a, int argc, char **argv)
{
	static struct option longopts[RTE_DIM(opt_keys) + 6];
	struct {
		const char *opt, *section, *key, *val;
	} ov[64];
	static char setbuf[64][256];
	static char optname[RTE_DIM(opt_keys)][32];
	char *dot, *eq;
	unsigned int nov = 0, i;
	const char *file = NULL;
	char err[1024];
	int c;

	for (i = 0; i < RTE_DIM(opt_keys); i++) {
		snprintf(optname[i], sizeof(optname[i]), "--%s",
			 opt_keys[i].name);
		longopts[i] = (struct option){ opt_keys[i].name,
			required_argument, NULL, OPT_KEY_BASE + (int)i };
	}
	longopts[i++] = (struct option){ "config", required_argument, NULL,
					 'c' };
	longopts[i++] = (struct option){ "set", required_argument, NULL,
					 'X' };
	longopts[i++] = (struct option){ "interactive", no_argument, NULL,
					 'i' };
	longopts[i++] = (struct option){ "cmdline-file", required_argument,
					 NULL, 'F' };
	longopts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[i] = (struct option){ NULL, 0, NULL, 0 };

	sf_cfg_defaults(&a->cfg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:ih", longopts, NULL)) != -1) {
		if (c >= OPT_KEY_BASE &&
		    c < OPT_KEY_BASE + (int)RTE_DIM(opt_keys)) {
			i = (unsigned int)(c - OPT_KEY_BASE);
			ov[nov++] = (typeof(ov[0])){ optname[i],
				opt_keys[i].section, opt_keys[i].key, optarg };
			if (nov == RTE_DIM(ov)) {
				fprintf(stderr, "synfin: too many options\n");
				return -EINVAL;
			}
			continue;
		}
		switch (c) {
		case 'c':
			file = optarg;
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
		case 'F':
			a->cmdline_file = optarg;
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

/* The control plane's periodic work; on the main lcore, or called from the
 * only worker's housekeeping when there is a single lcore. */
static void
control_tick(struct app *a)
{
	uint64_t now = rte_rdtsc();

	if (dump_signal) {
		dump_signal = 0;
		sf_report_counters(a, "counters");
	}
	/* The stats line would run over the console's prompt. */
	if (a->cfg.stats_interval_s != 0 && now >= a->next_stats &&
	    !a->cfg.interactive) {
		sf_report_line(a, now);
		a->next_stats = now + a->cfg.stats_interval_s * a->hz;
	}
	sf_report_misdelivered(a);
	sf_capture_poll();
	sf_con_poll(a);
}

/* A client is a finite job: it ends the run when every worker's load
 * generator is done, after [app] linger_ms. */
static bool
app_done(struct app *a)
{
	uint64_t now = rte_rdtsc();
	const struct sf_app_stats *st;
	unsigned int i;

	/* With a console the user ends the run ("quit"), not the job. */
	if (!a->client || a->cfg.interactive)
		return false;
	for (i = 0; i < a->nb_workers; i++) {
		st = sf_app_stats(a->workers[i]);
		if (st != NULL && !__atomic_load_n(&st->done, __ATOMIC_ACQUIRE))
			return false;
	}
	if (a->done_tsc == 0) {
		a->done_tsc = now;
		if (a->cfg.linger_ms != 0) {
			printf("synfin: %s client done; lingering %u ms\n",
			       a->cfg.app, a->cfg.linger_ms);
			fflush(stdout);
		}
	}
	return now - a->done_tsc >= (uint64_t)a->cfg.linger_ms * a->hz / 1000;
}

/* The client's job is over and no lcore polls: wait, up to [app]
 * exit_wait_ms, for every link to go down (the peer leaving first).
 * DPDK 22.11's net_memif unmaps its rings when the peer leaves while a
 * worker may be inside a burst on them (README, "The test topology");
 * a process that polls nothing is safe from that. */
/* After the peer's link went down, before the ports close. */
#define EXIT_SETTLE_US 200000

static void
exit_wait(struct app *a)
{
	uint64_t end = rte_rdtsc() + (uint64_t)a->cfg.exit_wait_ms * a->hz / 1000;
	struct rte_eth_link link;
	unsigned int p, up;

	printf("synfin: waiting up to %u ms for the peer to leave\n",
	       a->cfg.exit_wait_ms);
	fflush(stdout);
	for (;;) {
		up = 0;
		for (p = 0; p < a->nb_ports; p++)
			if (rte_eth_link_get_nowait(a->port_ids[p], &link) == 0 &&
			    link.link_status == RTE_ETH_LINK_UP)
				up++;
		if (up == 0) {
			printf("synfin: the peer left\n");
			/* net_memif marks the link down first and frees
			 * the peer's regions after, on its interrupt
			 * thread: closing the port meanwhile freed them
			 * twice ("EAL: Error: Invalid memory", then a
			 * crash, once in CI). Let it finish. */
			rte_delay_us_sleep(EXIT_SETTLE_US);
			break;
		}
		if (quit_signal || rte_rdtsc() >= end) {
			printf("synfin: %u link(s) still up; closing\n", up);
			break;
		}
		rte_delay_us_sleep(10000);
	}
	fflush(stdout);
}

static void
control_hook(void *arg)
{
	struct app *a = arg;

	control_tick(a);
	if (quit_signal || a->quit || app_done(a))
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
	ifc->netmask = sf_cfg_netmask(cp->prefix_len);
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
	/* Send, receive and reorder queues: a share per worker, not one per
	 * connection; the reserve (mempool.reserve) keeps RX alive when
	 * they want more. */
	n += a->nb_workers * 16384;
	return rte_align32pow2(n) - 1;
}

/* Worker @i's share of @total over @n workers. */
static uint64_t
share(uint64_t total, unsigned int i, unsigned int n)
{
	return total / n + (i < total % n ? 1 : 0);
}

static int
http_setup(struct app *a)
{
	struct sf_http_conf hc;
	uint8_t *body = NULL;
	unsigned int i;
	FILE *f;
	int rc = 0;

	memset(&hc, 0, sizeof(hc));
	hc.port = (uint16_t)a->cfg.app_port;
	hc.body_size = a->cfg.http_body;
	hc.max_hdr = a->cfg.http_max_hdr;
	hc.keepalive = a->cfg.http_keepalive;
	snprintf(hc.content_type, sizeof(hc.content_type), "%s",
		 a->cfg.http_type);
	hc.nb_paths = a->cfg.http_nb_paths;
	memcpy(hc.paths, a->cfg.http_paths, sizeof(hc.paths));
	if (a->cfg.http_body_file[0] != '\0' && hc.body_size != 0) {
		body = malloc(hc.body_size);
		f = fopen(a->cfg.http_body_file, "rb");
		if (body == NULL || f == NULL ||
		    fread(body, 1, hc.body_size, f) != hc.body_size) {
			fprintf(stderr, "synfin: [http] body_file %s: cannot "
				"read %u bytes from it\n",
				a->cfg.http_body_file, hc.body_size);
			if (f != NULL)
				fclose(f);
			free(body);
			return -EINVAL;
		}
		fclose(f);
		hc.body = body;
	}
	for (i = 0; i < a->nb_workers && rc == 0; i++)
		rc = sf_app_http_server(a->workers[i], &hc);
	free(body);
	return rc;
}

/* The client's load, split between the workers. Replies must reach the
 * worker that owns the connection: with RSS each worker only uses source
 * ports whose reply hashes to its queue; on a queue-paired port (memif)
 * worker i uses the source ports that are i modulo the queues, which the
 * peer's worker i owns too; without either on a multi-queue port,
 * everything replies to queue 0, so worker 0 carries it all. */
static int
load_setup(struct app *a)
{
	const struct sf_port_info *pi = &a->pinfo[0];
	const struct sf_cfg *cf = &a->cfg;
	unsigned int i, n = a->nb_workers;
	struct sf_load_conf lc;
	bool rss = pi->rss && pi->nb_queues > 1;
	bool paired = pi->paired && pi->nb_queues > 1;
	uint64_t count = cf->count;
	int rc;

	/* Neither given: one connection; with -i, until "stop". */
	if (count == 0 && cf->duration_s == 0 && !cf->interactive)
		count = 1;
	/* Only workers with a queue of port 0 can carry load. */
	if (paired)
		n = RTE_MIN(n, (unsigned int)pi->nb_queues);
	if (!rss && !paired && n > 1) {
		SF_LOG(WARNING, main, "port 0 has no RSS: worker 0 carries "
		       "the whole load");
		n = 1;
	}
	if (cf->src_first != 0) {
		a->ifc[0]->range_first = rte_be_to_cpu_32(cf->src_first);
		a->ifc[0]->range_count = cf->src_count;
	}
	for (i = 0; i < n; i++) {
		memset(&lc, 0, sizeof(lc));
		lc.proto = strcmp(cf->app, "http") == 0 ? SF_LOAD_HTTP :
			SF_LOAD_ECHO;
		lc.nb_targets = cf->nb_targets;
		memcpy(lc.target_addr, cf->target, sizeof(lc.target_addr));
		for (unsigned int t = 0; t < cf->nb_targets; t++)
			lc.target_port[t] = cf->target_port[t] != 0 ?
				cf->target_port[t] :
				(uint16_t)cf->app_port;
		lc.src_first = cf->src_first;
		lc.src_count = cf->src_count;
		lc.sport_min = (uint16_t)cf->sport_min;
		lc.sport_max = (uint16_t)cf->sport_max;
		lc.concurrency = (uint32_t)share(cf->concurrency, i, n);
		lc.rate = share(cf->rate, i, n);
		if (cf->rate != 0 && lc.rate == 0)
			continue;
		lc.ramp_ms = cf->ramp_ms;
		lc.requests = cf->requests;
		lc.req_rate = share(cf->req_rate, i, n);
		if (cf->req_rate != 0 && lc.req_rate == 0)
			lc.req_rate = 1;
		lc.duration_ms = cf->duration_s * 1000;
		lc.count = share(count, i, n);
		if (lc.concurrency == 0 || (count != 0 && lc.count == 0))
			continue;	/* nothing for this worker */
		lc.close_rst = strcmp(cf->close, "rst") == 0;
		/* The console's "set concurrency" can grow into preallocated
		 * slots, up to the TCP table (64 B each, at most 64 Ki). */
		if (cf->interactive || a->cmdline_file != NULL)
			lc.max_concurrency = RTE_MIN(cf->tcp.max_conns,
						     UINT32_C(65536));
		lc.paused = cf->interactive;	/* -i: wait for "start" */
		lc.payload = cf->bytes;
		snprintf(lc.path, sizeof(lc.path), "%s", cf->path);
		if (cf->host[0] != '\0')
			snprintf(lc.host, sizeof(lc.host), "%s", cf->host);
		else
			inet_ntop(AF_INET, &cf->target[0], lc.host,
				  sizeof(lc.host));
		if (paired) {
			lc.pair_queues = pi->nb_queues;
			lc.pair_queue = (uint16_t)i;
		} else if (rss) {
			lc.rss_queues = pi->nb_queues;
			lc.rss_queue = (uint16_t)i;
			lc.reta_size = pi->reta_size;
			lc.reta = pi->reta;
			lc.rss_key = pi->rss_key;
		}
		rc = sf_app_loadgen(a->workers[i], &lc);
		if (rc != 0) {
			SF_LOG(ERR, main, "worker %u: load generator: %s", i,
			       strerror(-rc));
			return rc;
		}
	}
	return 0;
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
		if (a->cfg.trace.on)
			sf_tcp_trace_set(a->workers[i], &a->cfg.trace);
	}
	if (strcmp(a->cfg.app, "none") == 0)
		return 0;
	if (a->client)
		return load_setup(a);
	if (strcmp(a->cfg.app, "http") == 0)
		return http_setup(a);
	for (i = 0; i < a->nb_workers; i++) {
		rc = sf_app_echo_server(a->workers[i],
					(uint16_t)a->cfg.app_port);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
setup(struct app *a)
{
	struct rte_mempool *pool[RTE_MAX_NUMA_NODES] = { NULL };
	struct sf_port_conf pc;
	unsigned int lcore, i;
	char err[1024];
	uint16_t p, pid, mtu;
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
	/* RFC 9293 §3.7.1: the MSS we offer is what we can receive, and a
	 * peer with the same setting would send frames past the MTU. */
	for (p = 0; p < a->nb_ports; p++)
		if (rte_eth_dev_get_mtu(a->port_ids[p], &mtu) == 0 &&
		    a->cfg.tcp.mss + 40 > mtu) {
			fprintf(stderr, "synfin: [tcp] mss %u does not fit "
				"port %u's MTU %u: at most %u (the MTU less 40 "
				"bytes of IPv4 and TCP headers)\n",
				a->cfg.tcp.mss, p, mtu, mtu - 40u);
			return -EINVAL;
		}
	a->client = strcmp(a->cfg.mode, "client") == 0 &&
		strcmp(a->cfg.app, "none") != 0;

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
		/* Each worker watches the whole pool: the reserve is the
		 * pool's, split by nobody (RX refill needs it all). */
		a->workers[i]->mbuf_reserve = a->cfg.mbuf_reserve != 0 ?
			a->cfg.mbuf_reserve : pool[s]->size / 8;
	}

	for (p = 0; p < a->nb_ports; p++) {
		a->ifc[p] = iface_create(a, p);
		if (a->ifc[p] == NULL)
			return -ENOMEM;
		pc.nb_queues = (uint16_t)a->nb_workers;
		/* The key's words were checked when it was set. */
		pc.pairing = SF_PORT_PAIRING_AUTO;
		sf_port_pairing_parse(a->cfg.port[p].queue_pairing,
				      &pc.pairing);
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
			if (a->pinfo[p].paired)
				a->workers[i]->ports[a->workers[i]->nb_ports -
					1].nb_paired = a->pinfo[p].nb_queues;
		}
		if (a->pinfo[p].paired && a->pinfo[p].nb_queues > 1)
			SF_LOG(NOTICE, main, "port %u: %u queues paired with "
			       "the peer's: start it with %u workers too", p,
			       a->pinfo[p].nb_queues, a->pinfo[p].nb_queues);
		/* (One queue without RSS was warned about by port.c.) */
		if (a->pinfo[p].nb_queues > 1 &&
		    a->pinfo[p].nb_queues < a->nb_workers)
			SF_LOG(WARNING, main, "port %u: %u queue(s) for %u "
			       "workers: workers %u and up do not poll it", p,
			       a->pinfo[p].nb_queues, a->nb_workers,
			       a->pinfo[p].nb_queues);
	}
	return app_setup(a);
}

/* Telemetry, and with [capture] file a capture from the first frame on:
 * started before the workers launch. */
static int
observe_setup(struct app *a)
{
	struct sf_capture_conf cc;
	char err[512];
	int rc;

	rc = sf_telemetry_init(a->workers, a->nb_workers, &a->cfg);
	if (rc != 0)
		SF_LOG(WARNING, main, "telemetry: %s: no /synfin/ commands",
		       strerror(-rc));
	if (a->cfg.capture_file[0] == '\0')
		return 0;
	memset(&cc, 0, sizeof(cc));
	cc.file = a->cfg.capture_file;
	if (sf_capture_filter_parse(a->cfg.capture_filter, &cc.filter, err,
				    sizeof(err)) != 0) {
		fprintf(stderr, "synfin: [capture] filter: %s\n", err);
		return -EINVAL;
	}
	cc.snaplen = a->cfg.capture_snaplen;
	cc.max_packets = a->cfg.capture_max_packets;
	cc.max_bytes = (uint64_t)a->cfg.capture_max_mb << 20;
	rc = sf_capture_start(&cc, a->workers, a->nb_workers);
	if (rc != 0)
		fprintf(stderr, "synfin: [capture] file %s: %s\n", cc.file,
			strerror(-rc));
	return rc;
}

static void
teardown(struct app *a)
{
	unsigned int i;
	uint16_t p;

	sf_telemetry_fini();
	for (i = 0; i < a->nb_workers; i++) {
		if (a->workers[i] == NULL)
			continue;
		/* Resets what is still open, so peers do not hang. */
		sf_tcp_fini(a->workers[i]);
		sf_worker_flush(a->workers[i]);
	}
	/* After the flush, so the resets above are in the file too. */
	sf_capture_stop();
	for (p = 0; p < a->nb_ports; p++)
		if (a->port_started[p])
			sf_port_close(a->port_ids[p]);
	/* Apps last: mbufs still in TX rings may point at their buffers. */
	for (i = 0; i < a->nb_workers; i++)
		if (a->workers[i] != NULL)
			sf_app_free(a->workers[i]);
	for (i = 0; i < a->nb_workers; i++)
		sf_worker_free(a->workers[i]);
	for (p = 0; p < a->nb_ports; p++)
		rte_free(a->ifc[p]);
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
	printf("synfin: ready: %u worker(s), %u port(s); %s stops\n",
	       a->nb_workers, a->nb_ports,
	       a->cfg.interactive ? "'quit'" : "Ctrl-C");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct app app;
	struct app *a = &app;
	struct sigaction sa;
	const char *own;
	unsigned int i;
	int ret, rc;

	if (wants_help(argc, argv)) {
		usage(stdout, argv[0]);
		return 0;
	}
	own = own_option_before_eal_end(argc, argv);
	if (own != NULL) {
		fprintf(stderr, "synfin: %s is synfin's own option: it goes "
			"after \"--\", behind EAL's options:\n"
			"  synfin [EAL options] -- [synfin options]\n"
			"(synfin --help lists both)\n", own);
		return EXIT_USAGE;
	}
	/* synfin's own options are checked before EAL starts, so that a
	 * typo gets one line, not EAL's start-up lines first; parsed again
	 * below, from what EAL leaves. */
	for (i = 1; i < (unsigned int)argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i < (unsigned int)argc) {
		char *sep = argv[i];

		argv[i] = (char *)(uintptr_t)"synfin";
		rc = parse_args(a, argc - (int)i, argv + i);
		argv[i] = sep;
		if (rc != 0)
			return EXIT_USAGE;
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
	sf_cksum_init();

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
	if (rc == 0)
		rc = observe_setup(a);
	if (rc != 0) {
		teardown(a);
		rte_eal_cleanup();
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	}
	print_ready(a);
	if (a->cfg.interactive || a->cmdline_file != NULL) {
		rc = sf_con_init(a);
		if (rc != 0) {
			teardown(a);
			rte_eal_cleanup();
			return EXIT_FAILURE;
		}
	}
	a->last_tsc = rte_rdtsc();
	a->start_tsc = a->last_tsc;
	a->start_time = time(NULL);
	a->next_stats = a->last_tsc + a->cfg.stats_interval_s * a->hz;

	if (a->main_is_worker) {
		a->workers[0]->main_hook = control_hook;
		a->workers[0]->main_hook_arg = a;
		sf_worker_loop(a->workers[0]);
	} else {
		for (i = 0; i < a->nb_workers; i++)
			rte_eal_remote_launch(sf_worker_loop, a->workers[i],
					      a->workers[i]->lcore_id);
		while (!quit_signal && !a->quit && !app_done(a)) {
			control_tick(a);
			/* 10 ms, or less when console input arrives */
			sf_con_wait(a, 10000);
		}
		for (i = 0; i < a->nb_workers; i++)
			sf_worker_stop(a->workers[i]);
		rte_eal_mp_wait_lcore();
	}
	if (quit_signal)
		SF_LOG(INFO, main, "stopping on signal %d", (int)quit_signal);
	sf_con_fini(a);
	/* The client's verdict and summary first, the counters after. */
	ret = sf_report_client(a);
	sf_report_counters(a, "final counters");
	if (a->client && !a->cfg.interactive && !quit_signal &&
	    a->cfg.exit_wait_ms != 0)
		exit_wait(a);
	teardown(a);
	rte_eal_cleanup();
	return ret;
}
