/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console: ports and mbuf pools. Everything here is ethdev and mempool
 * control-path API (link state without waiting, basic stats, pool
 * counts), safe while the workers run.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "cmds.h"
#include "sf_net.h"

static void
port_info(const struct app *a, uint16_t p)
{
	const struct sf_port_info *pi = &a->pinfo[p];
	const struct sf_iface *ifc = a->ifc[p];
	uint16_t pid = a->port_ids[p], mtu = 0;
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	rte_eth_link_get_nowait(pid, &link);
	rte_eth_dev_get_mtu(pid, &mtu);
	if (rte_eth_dev_get_name_by_port(pid, name) != 0)
		snprintf(name, sizeof(name), "?");
	inet_ntop(AF_INET, &ifc->addrs[0], ip, sizeof(ip));
	if (ifc->gateway != 0)
		inet_ntop(AF_INET, &ifc->gateway, gw, sizeof(gw));
	else
		snprintf(gw, sizeof(gw), "none");
	printf("port %u (ethdev %u, %s, driver %s, socket %d)\n", p, pid,
	       name, pi->driver, pi->socket);
	printf("  mac      %02x:%02x:%02x:%02x:%02x:%02x\n",
	       RTE_ETHER_ADDR_BYTES(&ifc->mac));
	printf("  ipv4     %s/%u, gateway %s\n", ip, ifc->prefix_len, gw);
	printf("  link     %s, %s, %s duplex\n",
	       link.link_status ? "up" : "down",
	       rte_eth_link_speed_to_str(link.link_speed),
	       link.link_duplex ? "full" : "half");
	printf("  mtu      %u\n", mtu);
	printf("  queues   %u RX/TX pair(s), one per worker\n", pi->nb_queues);
	printf("  rss      %s", pi->rss ? "on" : "off (one worker carries it)");
	if (pi->rss)
		printf(", RETA of %u entries", pi->reta_size);
	printf("\n  offloads tx ipv4 csum %s, tx tcp csum %s, rx csum %s\n",
	       ifc->tx_ip_csum ? "on" : "off", ifc->tx_l4_csum ? "on" : "off",
	       ifc->rx_csum ? "on" : "off");
}

static double
port_rate(uint64_t now, uint64_t last, uint64_t dt, uint64_t hz)
{
	if (dt == 0 || now < last)
		return 0;
	return (double)(now - last) * (double)hz / (double)dt;
}

static void
port_stats(struct app *a, uint16_t p)
{
	struct rte_eth_stats es;
	uint64_t now = rte_rdtsc(), dt;
	typeof(a->con->port_last[0]) *l = &a->con->port_last[p];
	int rc;

	rc = rte_eth_stats_get(a->port_ids[p], &es);
	if (rc != 0) {
		printf("port %u: stats: %s\n", p, strerror(-rc));
		return;
	}
	dt = l->tsc != 0 ? now - l->tsc : 0;
	printf("port %u\n", p);
	printf("  rx  packets %16" PRIu64 "  bytes %18" PRIu64 "  missed %"
	       PRIu64 "  errors %" PRIu64 "  no-mbuf %" PRIu64 "\n",
	       es.ipackets, es.ibytes, es.imissed, es.ierrors,
	       es.rx_nombuf);
	printf("  tx  packets %16" PRIu64 "  bytes %18" PRIu64 "  errors %"
	       PRIu64 "\n", es.opackets, es.obytes, es.oerrors);
	if (dt != 0)
		printf("  since the last 'show port stats' (%.1f s): rx %.0f "
		       "pps %.3f Mbit/s, tx %.0f pps %.3f Mbit/s\n",
		       (double)dt / (double)a->hz,
		       port_rate(es.ipackets, l->ipackets, dt, a->hz),
		       port_rate(es.ibytes, l->ibytes, dt, a->hz) * 8 / 1e6,
		       port_rate(es.opackets, l->opackets, dt, a->hz),
		       port_rate(es.obytes, l->obytes, dt, a->hz) * 8 / 1e6);
	l->tsc = now;
	l->ipackets = es.ipackets;
	l->opackets = es.opackets;
	l->ibytes = es.ibytes;
	l->obytes = es.obytes;
}

/* ---- show port info|stats [all|N] ---- */

struct cmd_port_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t all;
	uint16_t id;
};

static void
port_show(struct app *a, const char *what, uint16_t first, uint16_t last)
{
	bool stats = strcmp(what, "stats") == 0;
	uint16_t p;

	for (p = first; p < last; p++) {
		if (!a->port_started[p])
			continue;
		if (stats)
			port_stats(a, p);
		else
			port_info(a, p);
	}
}

/* "show port info|stats [all]" */
static void
cmd_port_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_show_result *res = parsed;
	struct app *a = data;

	RTE_SET_USED(cl);
	port_show(a, res->what, 0, a->nb_ports);
}

/* "show port info|stats N" */
static void
cmd_port_show_one_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_show_result *res = parsed;
	struct app *a = data;

	RTE_SET_USED(cl);
	if (res->id >= a->nb_ports) {
		printf("no port %u: ports 0 to %u\n", res->id,
		       a->nb_ports - 1);
		return;
	}
	port_show(a, res->what, res->id, (uint16_t)(res->id + 1));
}

static cmdline_parse_token_string_t cmd_port_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_show_result, show, "show");
static cmdline_parse_token_string_t cmd_port_show_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_show_result, port, "port");
static cmdline_parse_token_string_t cmd_port_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_port_show_result, what,
				 "info#stats");
static cmdline_parse_token_string_t cmd_port_show_all =
	TOKEN_STRING_INITIALIZER(struct cmd_port_show_result, all, "all");
static cmdline_parse_token_num_t cmd_port_show_id =
	TOKEN_NUM_INITIALIZER(struct cmd_port_show_result, id, RTE_UINT16);

#define PORT_SHOW_HELP "show port info|stats [all|N]: port details, or " \
	"its counters and rates since the last look (all ports by default)"

static cmdline_parse_inst_t cmd_port_show = {
	.f = cmd_port_show_parsed,
	.help_str = PORT_SHOW_HELP,
	.tokens = {
		(void *)&cmd_port_show_show,
		(void *)&cmd_port_show_port,
		(void *)&cmd_port_show_what,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_port_show_every = {
	.f = cmd_port_show_parsed,
	.help_str = PORT_SHOW_HELP,
	.tokens = {
		(void *)&cmd_port_show_show,
		(void *)&cmd_port_show_port,
		(void *)&cmd_port_show_what,
		(void *)&cmd_port_show_all,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_port_show_one = {
	.f = cmd_port_show_one_parsed,
	.help_str = PORT_SHOW_HELP,
	.tokens = {
		(void *)&cmd_port_show_show,
		(void *)&cmd_port_show_port,
		(void *)&cmd_port_show_what,
		(void *)&cmd_port_show_id,
		NULL,
	},
};

/* ---- show mempool ---- */

struct cmd_port_mempool_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t mempool;
};

static void
port_mempool_line(struct rte_mempool *mp, void *arg)
{
	unsigned int avail = rte_mempool_avail_count(mp);
	unsigned int used = rte_mempool_in_use_count(mp);

	RTE_SET_USED(arg);
	printf("%-24s %6d %10u %10u %10u %5.1f%% %6u %8u\n", mp->name,
	       mp->socket_id, mp->size, avail, used,
	       mp->size ? 100.0 * used / mp->size : 0.0, mp->cache_size,
	       mp->elt_size);
}

static void
cmd_port_mempool_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("%-24s %6s %10s %10s %10s %6s %6s %8s\n", "pool", "socket",
	       "size", "available", "in use", "used", "cache", "elt_size");
	rte_mempool_walk(port_mempool_line, NULL);
}

static cmdline_parse_token_string_t cmd_port_mempool_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_mempool_result, show,
				 "show");
static cmdline_parse_token_string_t cmd_port_mempool_mempool =
	TOKEN_STRING_INITIALIZER(struct cmd_port_mempool_result, mempool,
				 "mempool");

static cmdline_parse_inst_t cmd_port_mempool = {
	.f = cmd_port_mempool_parsed,
	.help_str = "show mempool: every mbuf pool, its size, available and "
		"in-use mbufs",
	.tokens = {
		(void *)&cmd_port_mempool_show,
		(void *)&cmd_port_mempool_mempool,
		NULL,
	},
};

static cmdline_parse_inst_t *const port_cmds[] = {
	&cmd_port_show, &cmd_port_show_every, &cmd_port_show_one,
	&cmd_port_mempool, NULL,
};

const struct sf_cmd_group sf_cmd_group_port = {
	.name = "port",
	.title = "Ports and memory",
	.cmds = port_cmds,
};
