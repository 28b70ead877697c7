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
#include "sf_capture.h"

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

static int
key_bool(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	 const char *val, char *why, size_t whylen)
{
	bool *field = (bool *)((char *)cfg + k->off);

	RTE_SET_USED(idx);
	if (strcmp(val, "1") == 0 || strcmp(val, "yes") == 0 ||
	    strcmp(val, "on") == 0 || strcmp(val, "true") == 0) {
		*field = true;
		return 0;
	}
	if (strcmp(val, "0") == 0 || strcmp(val, "no") == 0 ||
	    strcmp(val, "off") == 0 || strcmp(val, "false") == 0) {
		*field = false;
		return 0;
	}
	snprintf(why, whylen, "on/off, yes/no, true/false or 1/0");
	return -EINVAL;
}

/* A word from the list in k->def's "a|b|c" help. */
static int
key_choice(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	   const char *val, char *why, size_t whylen)
{
	char *field = k->per_port ? (char *)&cfg->port[idx] + k->off :
		(char *)cfg + k->off;
	const char *p = k->def;
	size_t n = strlen(val);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, val, n) == 0 && (p[n] == '|' || p[n] == '\0')) {
			snprintf(field, 16, "%s", val);
			return 0;
		}
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	snprintf(why, whylen, "one of %s", k->def);
	return -EINVAL;
}

/* A string of at most k->max - 1 characters. */
static int
key_str(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	const char *val, char *why, size_t whylen)
{
	char *field = (char *)cfg + k->off;

	RTE_SET_USED(idx);
	if (strlen(val) >= k->max) {
		snprintf(why, whylen, "at most %u characters", k->max - 1);
		return -EINVAL;
	}
	snprintf(field, k->max, "%s", val);
	return 0;
}

/* "ADDR[:PORT][,ADDR[:PORT]...]" */
static int
key_target(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	   const char *val, char *why, size_t whylen)
{
	char buf[512], *tok, *save = NULL, *colon;
	uint32_t n = 0, port;

	RTE_SET_USED(idx);
	RTE_SET_USED(k);
	snprintf(why, whylen, "IPv4 addresses with optional ports, comma "
		 "separated, e.g. 198.18.0.1 or 198.18.0.1:80,198.18.0.3:8080"
		 " (at most %u)", SF_CFG_MAX_TARGETS);
	if (strlen(val) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, val);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == SF_CFG_MAX_TARGETS)
			return -EINVAL;
		port = 0;
		colon = strchr(tok, ':');
		if (colon != NULL) {
			*colon = '\0';
			if (parse_u32(colon + 1, 1, 65535, &port) != 0)
				return -EINVAL;
		}
		if (sf_cfg_parse_ipv4(tok, &cfg->target[n]) != 0 ||
		    sf_ipv4_not_host(cfg->target[n]))
			return -EINVAL;
		cfg->target_port[n++] = (uint16_t)port;
	}
	if (n == 0)
		return -EINVAL;
	cfg->nb_targets = n;
	return 0;
}

/* "ADDR" or "ADDR-ADDR": the client's source addresses. */
static int
key_source(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	   const char *val, char *why, size_t whylen)
{
	char buf[40], *dash;
	uint32_t a, b;

	RTE_SET_USED(idx);
	RTE_SET_USED(k);
	snprintf(why, whylen, "an IPv4 address or a range A-B of at most "
		 "65536 addresses, e.g. 198.18.0.10-198.18.0.41");
	if (strcmp(val, "port") == 0) {
		cfg->src_first = 0;
		cfg->src_count = 0;
		return 0;
	}
	if (strlen(val) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, val);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (sf_cfg_parse_ipv4(buf, &a) != 0 || sf_ipv4_not_host(a))
		return -EINVAL;
	b = a;
	if (dash != NULL && (sf_cfg_parse_ipv4(dash + 1, &b) != 0 ||
			     sf_ipv4_not_host(b)))
		return -EINVAL;
	if (ntohl(b) < ntohl(a) || ntohl(b) - ntohl(a) >= 65536)
		return -EINVAL;
	cfg->src_first = a;
	cfg->src_count = ntohl(b) - ntohl(a) + 1;
	return 0;
}

/* "MIN-MAX": source ports. */
static int
key_ports(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	  const char *val, char *why, size_t whylen)
{
	char buf[16], *dash;
	uint32_t a, b;

	RTE_SET_USED(idx);
	RTE_SET_USED(k);
	snprintf(why, whylen, "a port range MIN-MAX within 1-65535, "
		 "e.g. 1024-65535");
	if (strlen(val) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, val);
	dash = strchr(buf, '-');
	if (dash == NULL)
		return -EINVAL;
	*dash = '\0';
	if (parse_u32(buf, 1, 65535, &a) != 0 ||
	    parse_u32(dash + 1, 1, 65535, &b) != 0 || b < a)
		return -EINVAL;
	cfg->sport_min = a;
	cfg->sport_max = b;
	return 0;
}

/* "/a,/b": the paths the HTTP server knows (others get 404). */
static int
key_paths(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	  const char *val, char *why, size_t whylen)
{
	char buf[600], *tok, *save = NULL;
	uint32_t n = 0;

	RTE_SET_USED(idx);
	RTE_SET_USED(k);
	snprintf(why, whylen, "\"*\" or up to %zu comma-separated paths "
		 "starting with '/', each under %zu characters",
		 RTE_DIM(cfg->http_paths), sizeof(cfg->http_paths[0]));
	if (strcmp(val, "*") == 0) {
		cfg->http_nb_paths = 0;
		return 0;
	}
	if (strlen(val) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, val);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == RTE_DIM(cfg->http_paths) || tok[0] != '/' ||
		    strlen(tok) >= sizeof(cfg->http_paths[0]))
			return -EINVAL;
		strcpy(cfg->http_paths[n++], tok);
	}
	if (n == 0)
		return -EINVAL;
	cfg->http_nb_paths = n;
	return 0;
}

/* "A.B.C.D/LEN": the port's address and its prefix. */
static int
key_ip_prefix(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	      const char *val, char *why, size_t whylen)
{
	struct sf_cfg_port *p = &cfg->port[idx];
	char buf[32], *slash;
	uint32_t ip, len;

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
	if (sf_ipv4_not_host(ip)) {
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

/* A capture filter, checked here so that a bad one names its key. */
static int
key_capture_filter(struct sf_cfg *cfg, unsigned int idx,
		   const struct cfg_key *k, const char *val, char *why,
		   size_t whylen)
{
	struct sf_capture_filter f;

	if (sf_capture_filter_parse(val, &f, why, whylen) != 0)
		return -EINVAL;
	return key_str(cfg, idx, k, val, why, whylen);
}

/* "[on] [host A] [port P] [limit N]" or "off": sf_tcp_trace_parse. */
static int
key_trace(struct sf_cfg *cfg, unsigned int idx, const struct cfg_key *k,
	  const char *val, char *why, size_t whylen)
{
	RTE_SET_USED(idx);
	RTE_SET_USED(k);
	snprintf(why, whylen, "\"off\", \"all\", or any of host A.B.C.D, "
		 "port P, limit N, e.g. \"port 80 limit 10\"");
	if (*val == '\0')
		return -EINVAL;
	return sf_tcp_trace_parse(val, &cfg->trace, NULL, 0);
}

#define G(f) offsetof(struct sf_cfg, f)
#define P(f) offsetof(struct sf_cfg_port, f)

const struct cfg_key sf_cfg_keys[] = {
	{ "general", "stats_interval", key_u32, G(stats_interval_s),
	  false, 0, 3600, "1",
	  "seconds between stats lines without a console (0: none)" },
	{ "general", "counters", key_choice, G(counters), false, 0, 0,
	  "nonzero|all", "the final and SIGUSR1 counter blocks list the "
	  "counters that are not 0, or all of them" },
	{ "general", "link_wait_ms", key_u32, G(link_wait_ms),
	  false, 0, 60000, "5000",
	  "how long to wait for each port's link at start" },
	{ "mempool", "mbufs", key_u32, G(mbufs), false, 0, 1u << 30, "0",
	  "mbufs per NUMA socket (0: sized from queues and descriptors)" },
	{ "mempool", "reserve", key_u32, G(mbuf_reserve), false, 0, 1u << 30,
	  "0", "free mbufs kept for receiving: below it TCP refuses new send "
	  "data and drops data it would hold (0: an eighth of the pool)" },
	{ "mempool", "cache", key_u32, G(mbuf_cache), false, 0, 512, "512",
	  "per-lcore mbuf cache" },
	{ "arp", "timeout", key_u32, G(arp_timeout_s), false, 1, 86400,
	  "300", "seconds an ARP cache entry stays valid" },
	{ "arp", "retry_ms", key_u32, G(arp_retry_ms), false, 10, 60000,
	  "1000", "interval between ARP requests for one address" },
	{ "arp", "retries", key_u32, G(arp_retries), false, 1, 100, "3",
	  "requests at retry_ms before backing off to 10x that" },
	{ "app", "mode", key_choice, G(mode), false, 0, 0, "server|client",
	  "server (answer connections) or client (open them)" },
	{ "app", "app", key_choice, G(app), false, 0, 0, "none|echo|http",
	  "the application: none (ARP/ICMP only), echo or http" },
	{ "app", "port", key_u32, G(app_port), false, 1, 65535, "7",
	  "TCP port the server listens on / the client connects to" },
	{ "app", "target", key_target, 0, false, 0, 0, "(none)",
	  "client: server address(es), ADDR[:PORT][,ADDR[:PORT]...]" },
	{ "app", "bytes", key_u32, G(bytes), false, 0, UINT32_MAX, "1048576",
	  "echo client: bytes each request sends and verifies (0: only "
	  "connect and close)" },
	{ "app", "linger_ms", key_u32, G(linger_ms), false, 0, 3600000, "0",
	  "client: keep running this long after the job (watch TIME_WAIT)" },
	{ "app", "exit_wait_ms", key_u32, G(exit_wait_ms), false, 0, 3600000,
	  "0", "client: after the job, polling nothing, wait up to this long "
	  "for every link to go down (the peer leaving first) before closing "
	  "the ports" },
	{ "load", "concurrency", key_u32, G(concurrency), false, 1, 1u << 26,
	  "1", "client: connections open at once, per run" },
	{ "load", "rate", key_u32, G(rate), false, 0, UINT32_MAX, "0",
	  "client: new connections per second (0: as fast as concurrency "
	  "allows)" },
	{ "load", "ramp_ms", key_u32, G(ramp_ms), false, 0, 3600000, "0",
	  "client: the rates climb from 0 over this time" },
	{ "load", "requests", key_u32, G(requests), false, 0, UINT32_MAX, "1",
	  "client: requests per connection (0: until the run ends)" },
	{ "load", "req_rate", key_u32, G(req_rate), false, 0, UINT32_MAX, "0",
	  "client: requests per second over all connections (0: no limit)" },
	{ "load", "duration", key_u32, G(duration_s), false, 0, 31536000, "0",
	  "client: seconds to run (0: until count)" },
	{ "load", "count", key_u32, G(count), false, 0, UINT32_MAX, "0",
	  "client: connections in all (0: until duration; both 0: one)" },
	{ "load", "close", key_choice, G(close), false, 0, 0, "fin|rst",
	  "client: end connections with FIN (four-way close) or RST" },
	{ "load", "source", key_source, 0, false, 0, 0, "port",
	  "client: source addresses A or A-B, within port 0's prefix "
	  "(port: port 0's address)" },
	{ "load", "source_ports", key_ports, 0, false, 0, 0, "1024-65535",
	  "client: source port range MIN-MAX" },
	{ "load", "path", key_str, G(path), false, 0, 128, "/",
	  "http client: the request target" },
	{ "load", "host", key_str, G(host), false, 0, 64, "(target address)",
	  "http client: the Host header" },
	{ "load", "json", key_str, G(json), false, 0, 256, "(none)",
	  "client: write the results as JSON to this file" },
	{ "http", "body_size", key_u32, G(http_body), false, 0, 1u << 20,
	  "64", "server: response body bytes (0 to 1 MiB; the default, one "
	  "line of text, shows in curl)" },
	{ "http", "body_file", key_str, G(http_body_file), false, 0, 256,
	  "(none)", "server: send this file's first body_size bytes as the "
	  "body (default: a text pattern)" },
	{ "http", "content_type", key_str, G(http_type), false, 0, 64,
	  "text/plain", "server: the Content-Type of 200 responses" },
	{ "http", "keepalive", key_bool, G(http_keepalive), false, 0, 0, "on",
	  "server: keep connections open between requests (off: close "
	  "after each)" },
	{ "http", "max_header", key_u32, G(http_max_hdr), false, 256, 65536,
	  "8192", "server: request head limit in bytes (431 above)" },
	{ "http", "paths", key_paths, 0, false, 0, 0, "*",
	  "server: comma-separated paths served; others get 404 (*: all)" },
	{ "capture", "file", key_str, G(capture_file), false, 0, 256,
	  "(none)", "write a pcapng capture of the run to this file" },
	{ "capture", "filter", key_capture_filter, G(capture_filter), false,
	  0, 128, "(all)", "frames to capture: host A, port P (TCP), tcp, "
	  "iface N (DPDK port), all of those given" },
	{ "capture", "snaplen", key_u32, G(capture_snaplen), false, 0, 65535,
	  "0", "bytes kept of each frame (0: all)" },
	{ "capture", "max_packets", key_u32, G(capture_max_packets), false,
	  0, UINT32_MAX, "0", "stop capturing after this many frames "
	  "(0: no limit)" },
	{ "capture", "max_mb", key_u32, G(capture_max_mb), false, 0, 1u << 20,
	  "0", "stop capturing before the file passes this many MiB "
	  "(0: no limit)" },
	{ "trace", "filter", key_trace, 0, false, 0, 0, "off",
	  "trace the connections that match (\"host A port P limit N\", "
	  "any part; \"all\"): every segment and state change, to the log "
	  "type synfin.trace" },
	{ "tcp", "max_conns", key_u32, G(tcp.max_conns), false, 1, 1u << 26,
	  "65536", "connections per worker (table capacity)" },
	{ "tcp", "max_timewait", key_u32, G(tcp.max_timewait), false, 0,
	  1u << 26, "65536", "TIME_WAIT records per worker" },
	{ "tcp", "msl_ms", key_u32, G(tcp.msl_ms), false, 1, 600000, "30000",
	  "maximum segment lifetime; TIME_WAIT lasts 2 x this" },
	{ "tcp", "rto_init_ms", key_u32, G(tcp.rto_init_ms), false, 1, 65535,
	  "1000", "initial retransmission timeout (RFC 6298)" },
	{ "tcp", "rto_min_ms", key_u32, G(tcp.rto_min_ms), false, 1, 600000,
	  "200", "lower bound of the retransmission timeout" },
	{ "tcp", "rto_max_ms", key_u32, G(tcp.rto_max_ms), false, 1, 65535,
	  "60000", "upper bound of the retransmission timeout (at most "
	  "65535: a connection keeps its RTO in 16 bits)" },
	{ "tcp", "retries", key_u32, G(tcp.retries), false, 1, 100, "8",
	  "retransmissions of data before the connection is aborted" },
	{ "tcp", "syn_retries", key_u32, G(tcp.syn_retries), false, 1, 100,
	  "5", "retransmissions of SYN / SYN-ACK before giving up" },
	{ "tcp", "fin_wait_2_ms", key_u32, G(tcp.fin_wait_2_ms), false, 1,
	  3600000, "60000", "how long a closed connection waits for FIN" },
	{ "tcp", "delack_ms", key_u32, G(tcp.delack_ms), false, 0, 500, "40",
	  "delayed-ACK timeout (0: ack every segment)" },
	{ "tcp", "rcvbuf", key_u32, G(tcp.rcvbuf), false, 1024, 1u << 30,
	  "262144", "receive buffer per connection (bytes)" },
	{ "tcp", "sndbuf", key_u32, G(tcp.sndbuf), false, 1024, 1u << 30,
	  "262144", "send buffer per connection (bytes)" },
	{ "tcp", "rcvbuf_max", key_u32, G(tcp.rcvbuf_max), false, 1024,
	  1u << 30, "4194304", "most a connection's receive buffer grows "
	  "to, doubling (at most 7 times) when the peer fills the window "
	  "while the app keeps up (at or below rcvbuf: no growth)" },
	{ "tcp", "sndbuf_max", key_u32, G(tcp.sndbuf_max), false, 1024,
	  1u << 30, "4194304", "most a connection's send buffer grows to, "
	  "at twice cwnd (at or below sndbuf: no growth)" },
	{ "tcp", "mss", key_u32, G(tcp.mss), false, 88, 9000, "1460",
	  "our maximum segment size (at most the MTU - 40)" },
	{ "tcp", "wscale", key_u32, G(tcp.wscale), false, 0, 14, "7",
	  "our window scale shift (RFC 7323)" },
	{ "tcp", "keepalive_ms", key_u32, G(tcp.keepalive_ms), false, 0,
	  86400000, "0", "idle time before keepalive probes (0: off)" },
	{ "tcp", "keepalive_intvl_ms", key_u32, G(tcp.keepalive_intvl_ms),
	  false, 1, 3600000, "75000", "interval between keepalive probes" },
	{ "tcp", "keepalive_probes", key_u32, G(tcp.keepalive_probes), false,
	  1, 100, "9", "unanswered probes before the connection is reset" },
	{ "tcp", "ooo_max", key_u32, G(tcp.ooo_max), false, 0, 65535, "4096",
	  "out-of-order segments held per connection (their bytes: up to "
	  "rcvbuf)" },
	{ "tcp", "max_recovery", key_u32, G(tcp.max_recovery), false, 0,
	  1u << 26, "0", "connections per worker in loss recovery or "
	  "holding out-of-order data at once (0: max_conns / 64, at least "
	  "1024)" },
	{ "tcp", "window_scaling", key_bool, G(tcp.wscale_on), false, 0, 0,
	  "on", "offer and accept window scaling" },
	{ "tcp", "sack", key_bool, G(tcp.sack_on), false, 0, 0, "on",
	  "offer and accept SACK-permitted (RFC 2018)" },
	{ "tcp", "timestamps", key_bool, G(tcp.ts_on), false, 0, 0, "on",
	  "offer and accept timestamps (RFC 7323)" },
	{ "tcp", "tail_loss_probe", key_bool, G(tcp.tlp_on), false, 0, 0,
	  "on", "probe a silent tail after 2 SRTT (RFC 8985 §7)" },
	{ "tcp", "cc", key_choice, G(tcp.cc), false, 0, 0,
	  "cubic-friendly|newreno|bbr", "congestion control: "
	  "cubic-friendly (RFC 9438's Reno-friendly AIMD, as Linux's CUBIC "
	  "on short paths: 0.7 of the flight on loss, then 0.53 MSS more "
	  "per RTT up to the last window), newreno (RFC 5681: half, then 1 "
	  "MSS per RTT) or bbr (after BBR v1, without pacing: cwnd from "
	  "the measured bottleneck rate and min RTT, 2 BDP, not cut by "
	  "random loss)" },
	{ "tcp", "max_syn_backlog", key_u32, G(tcp.max_syn_backlog), false,
	  0, 1u << 26, "4096", "half-open (SYN_RCVD) connections per worker; "
	  "past it, SYN cookies (or drops without them)" },
	{ "tcp", "drop_synfin", key_bool, G(tcp.drop_synfin), false, 0, 0,
	  "on", "drop a SYN+FIN at a listener or in SYN_SENT (as FreeBSD's "
	  "drop_synfin, and Linux at a listener); off: take it as the SYN "
	  "it also is, its FIN ignored. In other states it is a SYN: a "
	  "challenge ACK" },
	{ "tcp", "syncookies", key_u32, G(tcp.syncookies), false, 0, 2, "1",
	  "SYN cookies (RFC 4987): 0 off, 1 once max_syn_backlog is spent, "
	  "2 always" },
	{ "tcp", "ack_ratelimit", key_u32, G(tcp.ack_ratelimit), false, 0,
	  100000000, "1000", "ACKs per second per worker that answer dropped "
	  "segments: challenge ACKs, out-of-window, PAWS, TIME_WAIT (RFC "
	  "5961 §7; 0: no limit)" },
	{ "port", "ip", key_ip_prefix, 0, true, 0, 0, "(none)",
	  "the port's IPv4 address and prefix, e.g. 198.18.0.2/24" },
	{ "port", "gateway", key_gateway, 0, true, 0, 0, "none",
	  "next hop for destinations off the prefix; resolved by ARP" },
	{ "port", "rx_desc", key_u32, P(rxd), true, 64, 16384, "1024",
	  "RX descriptors per queue" },
	{ "port", "tx_desc", key_u32, P(txd), true, 64, 16384, "1024",
	  "TX descriptors per queue" },
	{ "port", "queue_pairing", key_choice, P(queue_pairing), true, 0, 0,
	  "auto|on|off", "one RX/TX queue pair per worker without RSS, "
	  "queue i of this end wired to queue i of the peer (memif does "
	  "that); both ends need the same number of workers (auto: on for "
	  "net_memif, off otherwise)" },
	{ NULL, NULL, NULL, 0, false, 0, 0, NULL, NULL },
};
