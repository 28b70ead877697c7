/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_CFG_H
#define SF_CFG_H

/*
 * synfin's configuration: an INI file read with rte_cfgfile into a
 * caller-owned struct sf_cfg, then command-line overrides applied through
 * the same key table (so "--ip" and "[port0] ip" parse identically).
 * Every error message names its origin (file, section and key, or the
 * option) and what is allowed. The struct is plain data: the control plane
 * copies what workers need before they start.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>

#include "sf_common.h"
#include "sf_tcp.h"
#include "sf_tcp_trace.h"

#define SF_CFG_MAX_TARGETS 16

struct sf_cfg_port {
	bool used;		/* some key of [portN] was set */
	uint8_t nb_addrs;
	uint8_t prefix_len;
	uint32_t addrs[SF_MAX_ADDRS];	/* network order */
	uint32_t gateway;		/* network order, 0 = none */
	uint32_t rxd;
	uint32_t txd;
	char queue_pairing[16];		/* "auto", "on" or "off" */
};

struct sf_cfg {
	char file[256];			/* "" when no file was loaded */
	struct sf_cfg_port port[SF_MAX_PORTS];
	uint32_t mbufs;			/* 0 = sized from the queues */
	uint32_t mbuf_cache;
	uint32_t mbuf_reserve;		/* 0 = an eighth of the pool */
	uint32_t arp_timeout_s;
	uint32_t arp_retry_ms;
	uint32_t arp_retries;
	uint32_t link_wait_ms;
	uint32_t stats_interval_s;	/* 0 = no periodic stats line */
	char counters[16];		/* "nonzero" or "all": counter blocks */
	bool interactive;
	struct sf_tcp_conf tcp;
	char mode[16];			/* "server" or "client" */
	char app[16];			/* "none", "echo" or "http" */
	uint32_t app_port;
	uint32_t nb_targets;		/* client */
	uint32_t target[SF_CFG_MAX_TARGETS];	/* network order */
	uint16_t target_port[SF_CFG_MAX_TARGETS];	/* 0: app_port */
	uint32_t bytes;			/* echo client payload */
	uint32_t linger_ms;		/* client: run on after the job */
	uint32_t exit_wait_ms;		/* client: wait for link down, idle */
	/* [load]: the client's load */
	uint32_t src_first;		/* network order, 0: port's address */
	uint32_t src_count;
	uint32_t sport_min, sport_max;
	uint32_t concurrency;
	uint32_t rate;
	uint32_t ramp_ms;
	uint32_t requests;
	uint32_t req_rate;
	uint32_t duration_s;
	uint32_t count;
	char close[16];			/* "fin" or "rst" */
	char path[128];
	char host[64];
	char json[256];			/* "" or a file for the results */
	/* [http]: the server */
	uint32_t http_body;
	char http_body_file[256];
	char http_type[64];
	bool http_keepalive;
	uint32_t http_max_hdr;
	uint32_t http_nb_paths;
	char http_paths[8][64];
	/* [capture]: a pcapng capture from the start (sf_capture.h) */
	char capture_file[256];		/* "" = no capture */
	char capture_filter[128];	/* sf_capture_filter_parse syntax */
	uint32_t capture_snaplen;	/* 0 = whole frames */
	uint32_t capture_max_packets;	/* 0 = no limit */
	uint32_t capture_max_mb;	/* 0 = no limit */
	/* [trace]: the connection trace from the start */
	struct sf_trace_filter trace;	/* off by default */
};

/** The netmask of a /@p prefix_len prefix (0..32), network order. */
static inline uint32_t
sf_cfg_netmask(uint32_t prefix_len)
{
	return prefix_len != 0 ?
		rte_cpu_to_be_32(~UINT32_C(0) << (32 - prefix_len)) : 0;
}

/** Fill @p cfg with the defaults documented in config/synfin.ini. */
void sf_cfg_defaults(struct sf_cfg *cfg);

/**
 * Load INI file @p path into @p cfg (on top of what is there).
 *
 * @return 0; -ENOENT when the file cannot be read; -EINVAL on a syntax
 *   error, an unknown section or key, or a bad value. @p err then holds
 *   a one-line message naming the file, line or section and key.
 */
int sf_cfg_load(struct sf_cfg *cfg, const char *path, char *err,
		size_t errlen);

/**
 * Set one key, as if it were in the file. @p origin names where the value
 * came from for error messages (a file name or a command-line option).
 *
 * @return 0, or -EINVAL with @p err filled.
 */
int sf_cfg_set(struct sf_cfg *cfg, const char *section, const char *key,
	       const char *value, const char *origin, char *err,
	       size_t errlen);

/**
 * Check the whole configuration against @p nb_ports available ports:
 * addresses present, gateway on link, impossible combinations.
 *
 * @return 0, or -EINVAL with @p err filled.
 */
int sf_cfg_check(const struct sf_cfg *cfg, uint16_t nb_ports, char *err,
		 size_t errlen);

/** Print every section and key with its help text and default. */
void sf_cfg_print_keys(FILE *f);

/**
 * Print the values in @p cfg of every key, as an INI file that
 * sf_cfg_load() reads back: [section] headers, "key = value" lines, port
 * sections for the ports configured. A key without a value (a client
 * target on a server, say) is printed commented out with its default.
 */
void sf_cfg_dump(FILE *f, const struct sf_cfg *cfg);

/** Parse "A.B.C.D" into network order. @return 0 or -EINVAL. */
int sf_cfg_parse_ipv4(const char *s, uint32_t *ip);

#endif /* SF_CFG_H */
