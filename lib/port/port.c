/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "sf_log.h"
#include "sf_net.h"
#include "sf_port.h"

#define PORT_RSS_HF (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP)

int
sf_port_socket(uint16_t port_id)
{
	int s = rte_eth_dev_socket_id(port_id);

	return s < 0 ? (int)rte_socket_id() : s;
}

bool
sf_port_pairing_on(enum sf_port_pairing pairing, const char *driver)
{
	if (pairing == SF_PORT_PAIRING_AUTO)
		return driver != NULL && strcmp(driver, "net_memif") == 0;
	return pairing == SF_PORT_PAIRING_ON;
}

int
sf_port_pairing_parse(const char *s, enum sf_port_pairing *out)
{
	if (strcmp(s, "auto") == 0)
		*out = SF_PORT_PAIRING_AUTO;
	else if (strcmp(s, "on") == 0)
		*out = SF_PORT_PAIRING_ON;
	else if (strcmp(s, "off") == 0)
		*out = SF_PORT_PAIRING_OFF;
	else
		return -EINVAL;
	return 0;
}

static void
port_read_rss(uint16_t port_id, const struct rte_eth_dev_info *di,
	      struct sf_port_info *info)
{
	struct rte_eth_rss_reta_entry64 reta[512 / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_rss_conf rc = { .rss_key = info->rss_key,
				       .rss_key_len = sizeof(info->rss_key) };
	unsigned int i;

	if (di->reta_size == 0 || di->reta_size > RTE_DIM(info->reta))
		return;
	memset(reta, 0, sizeof(reta));
	for (i = 0; i < di->reta_size; i++)
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask = UINT64_MAX;
	if (rte_eth_dev_rss_reta_query(port_id, reta, di->reta_size) != 0)
		return;
	for (i = 0; i < di->reta_size; i++)
		info->reta[i] = reta[i / RTE_ETH_RETA_GROUP_SIZE]
			.reta[i % RTE_ETH_RETA_GROUP_SIZE];
	info->reta_size = di->reta_size;
	if (rte_eth_dev_rss_hash_conf_get(port_id, &rc) == 0)
		info->rss_key_len = rc.rss_key_len;
}

static bool
port_wait_link(uint16_t port_id, uint32_t wait_ms)
{
	struct rte_eth_link link;
	uint32_t waited = 0;

	for (;;) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return true;
		if (waited >= wait_ms)
			return false;
		rte_delay_ms(100);
		waited += 100;
	}
}

int
sf_port_init(struct sf_iface *ifc, const struct sf_port_conf *conf,
	     struct rte_mempool *pool, struct sf_port_info *info)
{
	uint16_t port_id = ifc->port_id, nb_rxd = conf->nb_rxd;
	uint16_t nb_txd = conf->nb_txd, q, nbq;
	struct rte_eth_conf ec;
	struct rte_eth_dev_info di;
	struct rte_eth_rxconf rxc;
	struct rte_eth_txconf txc;
	uint64_t want;
	int rc, socket;

	memset(info, 0, sizeof(*info));
	rc = rte_eth_dev_info_get(port_id, &di);
	if (rc != 0) {
		SF_LOG(ERR, port, "port %u: no device info: %s", port_id,
		       rte_strerror(-rc));
		return rc;
	}
	snprintf(info->driver, sizeof(info->driver), "%s", di.driver_name);
	socket = sf_port_socket(port_id);
	info->socket = socket;

	nbq = RTE_MIN(di.max_rx_queues, di.max_tx_queues);
	nbq = RTE_MIN(nbq, conf->nb_queues);
	if (nbq == 0) {
		SF_LOG(ERR, port, "port %u (%s) has no RX/TX queues", port_id,
		       di.driver_name);
		return -EINVAL;
	}
	memset(&ec, 0, sizeof(ec));
	if (nbq > 1 && sf_port_pairing_on(conf->pairing, di.driver_name)) {
		/* Queue i's flows are worker i's because the peer's worker i
		 * sent them on its queue i: no RSS, which would scatter
		 * them (the peer's load generator keeps its source ports
		 * apart per worker). */
		info->paired = true;
	} else if (nbq > 1 && (di.flow_type_rss_offloads & PORT_RSS_HF)) {
		ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		ec.rx_adv_conf.rss_conf.rss_hf =
			di.flow_type_rss_offloads & PORT_RSS_HF;
		info->rss = true;
	} else if (nbq > 1) {
		/* Without RSS a flow could land on any queue: one worker
		 * serves this port (DESIGN.md, "Flow to core"). */
		SF_LOG(WARNING, port,
		       "port %u (%s) has no RSS: 1 queue instead of %u "
		       "(queue_pairing = on if the peer pairs queues)",
		       port_id, di.driver_name, nbq);
		nbq = 1;
	}
	info->nb_queues = nbq;

	want = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	if ((di.rx_offload_capa & want) == want) {
		ec.rxmode.offloads |= want;
		ifc->rx_csum = true;
	}
	if (di.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		ec.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		ifc->tx_ip_csum = true;
	}
	if (di.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
		ec.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		ifc->tx_l4_csum = true;
	}
	if (di.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		ec.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;

	rc = rte_eth_dev_configure(port_id, nbq, nbq, &ec);
	if (rc != 0) {
		SF_LOG(ERR, port, "port %u: configure with %u queues: %s",
		       port_id, nbq, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		SF_LOG(ERR, port, "port %u: descriptors: %s", port_id,
		       rte_strerror(-rc));
		return rc;
	}
	rxc = di.default_rxconf;
	rxc.offloads = ec.rxmode.offloads;
	txc = di.default_txconf;
	txc.offloads = ec.txmode.offloads;
	for (q = 0; q < nbq; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, socket, &rxc,
					    pool);
		if (rc != 0) {
			SF_LOG(ERR, port, "port %u: RX queue %u: %s", port_id,
			       q, rte_strerror(-rc));
			return rc;
		}
		rc = rte_eth_tx_queue_setup(port_id, q, nb_txd, socket, &txc);
		if (rc != 0) {
			SF_LOG(ERR, port, "port %u: TX queue %u: %s", port_id,
			       q, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_macaddr_get(port_id, &ifc->mac);
	if (rc != 0) {
		SF_LOG(ERR, port, "port %u: MAC address: %s", port_id,
		       rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		SF_LOG(ERR, port, "port %u: start: %s", port_id,
		       rte_strerror(-rc));
		return rc;
	}
	if (info->rss)
		port_read_rss(port_id, &di, info);
	info->link_up = port_wait_link(port_id, conf->link_wait_ms);
	if (!info->link_up && info->paired)
		SF_LOG(WARNING, port, "port %u: link still down after %u ms "
		       "(queue-paired with %u queues: a memif peer with fewer "
		       "queues refuses the connection; start both ends with "
		       "the same number of workers)", port_id,
		       conf->link_wait_ms, nbq);
	else if (!info->link_up)
		SF_LOG(WARNING, port, "port %u: link still down after %u ms",
		       port_id, conf->link_wait_ms);
	SF_LOG(INFO, port,
	       "port %u (%s): " RTE_ETHER_ADDR_PRT_FMT
	       ", %u queue(s)%s, %u/%u desc, RSS %s, csum offload rx %s tx ip %s tcp %s, socket %d",
	       port_id, di.driver_name, RTE_ETHER_ADDR_BYTES(&ifc->mac),
	       nbq, info->paired ? " paired with the peer's" : "",
	       nb_rxd, nb_txd, info->rss ? "on" : "off",
	       ifc->rx_csum ? "on" : "off", ifc->tx_ip_csum ? "on" : "off",
	       ifc->tx_l4_csum ? "on" : "off", socket);
	return 0;
}

void
sf_port_close(uint16_t port_id)
{
	int rc;

	rc = rte_eth_dev_stop(port_id);
	if (rc != 0)
		SF_LOG(WARNING, port, "port %u: stop: %s", port_id,
		       rte_strerror(-rc));
	rc = rte_eth_dev_close(port_id);
	if (rc != 0)
		SF_LOG(WARNING, port, "port %u: close: %s", port_id,
		       rte_strerror(-rc));
}
