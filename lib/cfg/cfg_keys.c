/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The key table: every configuration key, its section, parser, bounds and
 * help. Adding a setting is one line here plus its field in struct sf_cfg.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"

int
sf_cfg_parse_ipv4(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = a.s_addr;
	return 0;
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
key_u32(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	const char *val, char *why, size_t whylen)
{
	uint32_t *field, v;

	if (k->per_port)
		field = (uint32_t *)((char *)&cfg->port[idx] + k->off);
	else
		field = (uint32_t *)((char *)cfg + k->off);
	if (parse_u32(val, k->min, k->max, &v) != 0) {
		snprintf(why, whylen, "an integer from %" PRIu32 " to %" PRIu32,
			 k->min, k->max);
		return -EINVAL;
	}
	*field = v;
	return 0;
}

/* "A.B.C.D/LEN": the port's address and its prefix. */
static int
key_ip_prefix(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	      const char *val, char *why, size_t whylen)
{
	struct sf_cfg_port *p = &cfg->port[idx];
	char buf[32], *slash;
	uint32_t ip, len, h;

	RTE_SET_USED(k);
	snprintf(why, whylen, "an IPv4 address and prefix length, "
		 "e.g. 198.18.0.2/24 (prefix 8 to 32)");
	if (strlen(val) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	if (sf_cfg_parse_ipv4(buf, &ip) != 0 ||
	    parse_u32(slash + 1, 8, 32, &len) != 0)
		return -EINVAL;
	h = ntohl(ip);
	if (h == 0 || (h >> 28) >= 0xe || (h >> 24) == 127) {
		snprintf(why, whylen, "a unicast address, not 0.0.0.0, "
			 "loopback, multicast or class E");
		return -EINVAL;
	}
	p->addrs[0] = ip;
	p->nb_addrs = 1;
	p->prefix_len = (uint8_t)len;
	return 0;
}

static int
key_gateway(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	    const char *val, char *why, size_t whylen)
{
	uint32_t ip;

	RTE_SET_USED(k);
	if (strcmp(val, "none") == 0) {
		cfg->port[idx].gateway = 0;
		return 0;
	}
	if (sf_cfg_parse_ipv4(val, &ip) != 0 || ip == 0) {
		snprintf(why, whylen, "an IPv4 address or \"none\"");
		return -EINVAL;
	}
	cfg->port[idx].gateway = ip;
	return 0;
}

#define G(f) offsetof(struct sf_cfg, f)
#define P(f) offsetof(struct sf_cfg_port, f)

const struct cfg_key sf_cfg_keys[] = {
	{ "general", "stats_interval", key_u32, G(stats_interval_s),
	  false, 0, 3600, "1",
	  "seconds between stats lines without a console (0: none)" },
	{ "general", "link_wait_ms", key_u32, G(link_wait_ms),
	  false, 0, 60000, "5000",
	  "how long to wait for each port's link at start" },
	{ "mempool", "mbufs", key_u32, G(mbufs), false, 0, 1u << 30, "0",
	  "mbufs per NUMA socket (0: sized from queues and descriptors)" },
	{ "mempool", "cache", key_u32, G(mbuf_cache), false, 0, 512, "256",
	  "per-lcore mbuf cache" },
	{ "arp", "timeout", key_u32, G(arp_timeout_s), false, 1, 86400,
	  "300", "seconds an ARP cache entry stays valid" },
	{ "arp", "retry_ms", key_u32, G(arp_retry_ms), false, 10, 60000,
	  "1000", "interval between ARP requests for one address" },
	{ "arp", "retries", key_u32, G(arp_retries), false, 1, 100, "3",
	  "requests at retry_ms before backing off to 10x that" },
	{ "port", "ip", key_ip_prefix, 0, true, 0, 0, "(none)",
	  "the port's IPv4 address and prefix, e.g. 198.18.0.2/24" },
	{ "port", "gateway", key_gateway, 0, true, 0, 0, "none",
	  "next hop for destinations off the prefix; resolved by ARP" },
	{ "port", "rx_desc", key_u32, P(rxd), true, 64, 16384, "1024",
	  "RX descriptors per queue" },
	{ "port", "tx_desc", key_u32, P(txd), true, 64, 16384, "1024",
	  "TX descriptors per queue" },
	{ NULL, NULL, NULL, 0, false, 0, 0, NULL, NULL },
};
