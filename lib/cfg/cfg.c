/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "cfg_priv.h"
#include "sf_log.h"

void
sf_cfg_defaults(struct sf_cfg *cfg)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mbuf_cache = 512;
	cfg->arp_timeout_s = 300;
	cfg->arp_retry_ms = 1000;
	cfg->arp_retries = 3;
	cfg->link_wait_ms = 5000;
	cfg->stats_interval_s = 1;
	snprintf(cfg->counters, sizeof(cfg->counters), "nonzero");
	sf_tcp_conf_defaults(&cfg->tcp);
	snprintf(cfg->mode, sizeof(cfg->mode), "server");
	snprintf(cfg->app, sizeof(cfg->app), "none");
	cfg->app_port = 7;
	cfg->bytes = 1 << 20;
	cfg->sport_min = 1024;
	cfg->sport_max = 65535;
	cfg->concurrency = 1;
	cfg->requests = 1;
	snprintf(cfg->close, sizeof(cfg->close), "fin");
	snprintf(cfg->path, sizeof(cfg->path), "/");
	snprintf(cfg->http_type, sizeof(cfg->http_type), "text/plain");
	cfg->http_keepalive = true;
	cfg->http_max_hdr = 8192;
	cfg->http_body = 64;	/* one line of text: curl shows it */
	for (i = 0; i < SF_MAX_PORTS; i++) {
		cfg->port[i].rxd = 1024;
		cfg->port[i].txd = 1024;
		snprintf(cfg->port[i].queue_pairing,
			 sizeof(cfg->port[i].queue_pairing), "auto");
	}
}

/* "port3" -> 3; -1 when @section is not a port section. */
static int
cfg_port_index(const char *section)
{
	char *end;
	long v;

	if (strncmp(section, "port", 4) != 0 || !isdigit(section[4]))
		return -1;
	v = strtol(section + 4, &end, 10);
	if (*end != '\0' || v < 0 || v >= SF_MAX_PORTS)
		return -1;
	return (int)v;
}

static bool
cfg_section_known(const char *section)
{
	const struct cfg_key *k;

	if (cfg_port_index(section) >= 0)
		return true;
	for (k = sf_cfg_keys; k->section != NULL; k++)
		if (strcmp(k->section, section) == 0)
			return true;
	return false;
}

static void
cfg_known_keys(const char *section, char *buf, size_t len)
{
	const char *sec = cfg_port_index(section) >= 0 ? "port" : section;
	const struct cfg_key *k;
	size_t n = 0;

	buf[0] = '\0';
	for (k = sf_cfg_keys; k->section != NULL && n < len; k++)
		if (strcmp(k->section, sec) == 0)
			n += snprintf(buf + n, len - n, "%s%s",
				      n ? ", " : "", k->key);
}

int
sf_cfg_set(struct sf_cfg *cfg, const char *section, const char *key,
	   const char *value, const char *origin, char *err, size_t errlen)
{
	const struct cfg_key *k;
	int idx = cfg_port_index(section);
	const char *sec = idx >= 0 ? "port" : section;
	char why[160], known[768];

	if (!cfg_section_known(section)) {
		snprintf(err, errlen, "%s: unknown section [%s] (known: "
			 "general, mempool, arp, tcp, app, port0..port%d)",
			 origin,
			 section, SF_MAX_PORTS - 1);
		return -EINVAL;
	}
	for (k = sf_cfg_keys; k->section != NULL; k++) {
		if (strcmp(k->section, sec) != 0 || strcmp(k->key, key) != 0)
			continue;
		why[0] = '\0';
		if (k->parse(cfg, idx < 0 ? 0 : (unsigned int)idx, k, value,
			     why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: [%s] %s: bad value '%s': "
				 "expected %s", origin, section, key, value,
				 why);
			return -EINVAL;
		}
		if (idx >= 0)
			cfg->port[idx].used = true;
		return 0;
	}
	cfg_known_keys(section, known, sizeof(known));
	snprintf(err, errlen, "%s: [%s] unknown key '%s' (known: %s)", origin,
		 section, key, known);
	return -EINVAL;
}

/* rte_cfgfile says only "could not parse": find the line ourselves. */
static int
cfg_syntax_check(const char *path, char *err, size_t errlen)
{
	char line[512], *s, *e;
	unsigned int n = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		for (s = line; isspace((unsigned char)*s); s++)
			;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s == '\0' || *s == ';')
			continue;
		if (*s == '[' && e[-1] == ']' && e - s > 2)
			continue;
		if (*s != '[' && *s != '=' && strchr(s, '=') != NULL)
			continue;
		snprintf(err, errlen, "%s:%u: expected '[section]', "
			 "'key = value' or a ';' comment, got '%s'", path, n,
			 s);
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	return 0;
}

int
sf_cfg_load(struct sf_cfg *cfg, const char *path, char *err, size_t errlen)
{
	struct rte_cfgfile *file;
	struct rte_cfgfile_entry *ent = NULL;
	char (*secs)[CFG_NAME_LEN] = NULL;
	char **names = NULL;
	int nsec, i, j, nent, rc;

	rc = cfg_syntax_check(path, err, errlen);
	if (rc != 0)
		return rc;
	file = rte_cfgfile_load(path, 0);
	if (file == NULL) {
		snprintf(err, errlen, "%s: rte_cfgfile could not parse it "
			 "(duplicate section or over-long line?)", path);
		return -EINVAL;
	}
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	rc = 0;
	nsec = rte_cfgfile_num_sections(file, NULL, 0);
	if (nsec > 0) {
		secs = calloc((size_t)nsec, sizeof(*secs));
		names = calloc((size_t)nsec, sizeof(*names));
		if (secs == NULL || names == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		for (i = 0; i < nsec; i++)
			names[i] = secs[i];
		rte_cfgfile_sections(file, names, nsec);
	}
	for (i = 0; i < nsec && rc == 0; i++) {
		nent = rte_cfgfile_section_num_entries(file, names[i]);
		if (nent <= 0) {
			if (!cfg_section_known(names[i])) {
				snprintf(err, errlen, "%s: unknown section "
					 "[%s]", path, names[i]);
				rc = -EINVAL;
			}
			continue;
		}
		free(ent);
		ent = calloc((size_t)nent, sizeof(*ent));
		if (ent == NULL) {
			rc = -ENOMEM;
			break;
		}
		rte_cfgfile_section_entries(file, names[i], ent, nent);
		for (j = 0; j < nent && rc == 0; j++)
			rc = sf_cfg_set(cfg, names[i], ent[j].name,
					ent[j].value, path, err, errlen);
	}
out:
	free(ent);
	free(names);
	free(secs);
	rte_cfgfile_close(file);
	return rc;
}

static void
cfg_ip_str(uint32_t ip, char *buf, size_t len)
{
	struct in_addr a = { .s_addr = ip };

	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

/* A client's targets must be reachable from port 0, which the load
 * generator sends from: on its prefix, or through its gateway. Without
 * this a run to an off-prefix target failed every connect, for ever. */
static int
cfg_check_targets(const struct sf_cfg *cfg, char *err, size_t errlen)
{
	const struct sf_cfg_port *p = &cfg->port[0];
	uint32_t mask = sf_cfg_netmask(p->prefix_len);
	char a[16], t[16];
	unsigned int i;

	if (strcmp(cfg->mode, "client") != 0 || strcmp(cfg->app, "none") == 0 ||
	    p->gateway != 0)
		return 0;
	for (i = 0; i < cfg->nb_targets; i++) {
		if ((cfg->target[i] & mask) == (p->addrs[0] & mask))
			continue;
		cfg_ip_str(cfg->target[i], t, sizeof(t));
		cfg_ip_str(p->addrs[0], a, sizeof(a));
		snprintf(err, errlen, "[app] target %s is off port 0's prefix "
			 "%s/%u and port 0 has no gateway: set --gateway ADDR "
			 "or [port0] gateway", t, a, p->prefix_len);
		return -EINVAL;
	}
	return 0;
}

int
sf_cfg_check(const struct sf_cfg *cfg, uint16_t nb_ports, char *err,
	     size_t errlen)
{
	const struct sf_cfg_port *p;
	uint32_t mask;
	char a[16], g[16];
	unsigned int i;

	if (nb_ports == 0) {
		snprintf(err, errlen, "no ports: give EAL a device, e.g. "
			 "--vdev=net_af_packet0,iface=veth0 or -a PCI_ADDR");
		return -EINVAL;
	}
	if (strcmp(cfg->mode, "client") == 0 && strcmp(cfg->app, "none") != 0 &&
	    cfg->nb_targets == 0) {
		snprintf(err, errlen, "[app] mode client needs a target: "
			 "--target ADDR or [app] target");
		return -EINVAL;
	}
	if (strcmp(cfg->mode, "client") == 0 && strcmp(cfg->app, "none") == 0) {
		snprintf(err, errlen, "[app] mode client needs an app: "
			 "--app echo or --app http");
		return -EINVAL;
	}
	if (cfg->sport_min > cfg->sport_max) {
		snprintf(err, errlen, "[load] source_ports: the first port "
			 "is above the last");
		return -EINVAL;
	}
	if (cfg->src_first != 0 && cfg->port[0].nb_addrs != 0 &&
	    cfg->port[0].prefix_len != 0) {
		uint32_t m = sf_cfg_netmask(cfg->port[0].prefix_len);
		uint32_t last = htonl(ntohl(cfg->src_first) +
				      cfg->src_count - 1);

		if ((cfg->src_first & m) != (cfg->port[0].addrs[0] & m) ||
		    (last & m) != (cfg->port[0].addrs[0] & m)) {
			snprintf(err, errlen, "[load] source: the range must "
				 "lie in port 0's prefix /%u",
				 cfg->port[0].prefix_len);
			return -EINVAL;
		}
	}
	if (strcmp(cfg->app, "echo") == 0 && strcmp(cfg->mode, "client") == 0 &&
	    cfg->bytes == 0 && cfg->requests != 1) {
		snprintf(err, errlen, "[app] bytes 0 (connect and close) "
			 "allows one request per connection, not [load] "
			 "requests %u", cfg->requests);
		return -EINVAL;
	}
	if (cfg->tcp.rto_min_ms > cfg->tcp.rto_max_ms ||
	    cfg->tcp.rto_init_ms > cfg->tcp.rto_max_ms) {
		snprintf(err, errlen, "[tcp] rto_min_ms and rto_init_ms must "
			 "not exceed rto_max_ms");
		return -EINVAL;
	}
	for (i = 0; i < SF_MAX_PORTS; i++) {
		p = &cfg->port[i];
		if (i >= nb_ports) {
			if (p->used) {
				snprintf(err, errlen, "[port%u] is configured "
					 "but EAL found only %u port(s)", i,
					 nb_ports);
				return -EINVAL;
			}
			continue;
		}
		if (p->nb_addrs == 0) {
			snprintf(err, errlen, "port %u has no address: set "
				 "--ip ADDR/LEN (port 0) or [port%u] ip", i, i);
			return -EINVAL;
		}
		if (p->gateway == 0)
			continue;
		mask = sf_cfg_netmask(p->prefix_len);
		cfg_ip_str(p->addrs[0], a, sizeof(a));
		cfg_ip_str(p->gateway, g, sizeof(g));
		if ((p->gateway & mask) != (p->addrs[0] & mask)) {
			snprintf(err, errlen, "[port%u] gateway %s is not on "
				 "the port's prefix %s/%u", i, g, a,
				 p->prefix_len);
			return -EINVAL;
		}
		if (p->gateway == p->addrs[0]) {
			snprintf(err, errlen, "[port%u] gateway %s is the "
				 "port's own address", i, g);
			return -EINVAL;
		}
	}
	return cfg_check_targets(cfg, err, errlen);
}

void
sf_cfg_print_keys(FILE *f)
{
	const struct cfg_key *k;
	const char *last = "";

	for (k = sf_cfg_keys; k->section != NULL; k++) {
		if (strcmp(last, k->section) != 0) {
			fprintf(f, "  [%s]%s\n", k->section,
				strcmp(k->section, "port") == 0 ?
				"  (as [port0], [port1], ...)" : "");
			last = k->section;
		}
		if (strchr(k->def, '|') != NULL)
			fprintf(f, "    %-16s %s (one of %s; default: the "
				"first)\n", k->key, k->help, k->def);
		else
			fprintf(f, "    %-16s %s (default %s)\n", k->key,
				k->help, k->def);
	}
}

/*
 * sf_cfg_dump: the key table's generic parsers are static to cfg_keys.c,
 * so each kind is recognised by the parser of a key known to use it; the
 * keys with parsers of their own are printed by name.
 */
struct cfg_kinds {
	cfg_parse_t u32, bool_, str, choice;
};

static cfg_parse_t
cfg_parser_of(const char *section, const char *key)
{
	const struct cfg_key *k;

	for (k = sf_cfg_keys; k->section != NULL; k++)
		if (strcmp(k->section, section) == 0 &&
		    strcmp(k->key, key) == 0)
			return k->parse;
	return NULL;
}

/* A key with no value: commented out, with the documented default. */
static void
cfg_dump_unset(FILE *f, const struct cfg_key *k)
{
	fprintf(f, "; %s = %s\n", k->key, k->def);
}

/* The keys whose values are not one field: by name. */
static void
cfg_dump_special(FILE *f, const struct sf_cfg *cfg, unsigned int idx,
		 const struct cfg_key *k)
{
	const struct sf_cfg_port *p = &cfg->port[idx];
	char a[16], b[16];
	unsigned int i;

	if (strcmp(k->key, "target") == 0) {
		if (cfg->nb_targets == 0) {
			cfg_dump_unset(f, k);
			return;
		}
		fprintf(f, "%s = ", k->key);
		for (i = 0; i < cfg->nb_targets; i++) {
			cfg_ip_str(cfg->target[i], a, sizeof(a));
			fprintf(f, "%s%s", i ? "," : "", a);
			if (cfg->target_port[i] != 0)
				fprintf(f, ":%u", cfg->target_port[i]);
		}
		fprintf(f, "\n");
	} else if (strcmp(k->key, "source") == 0) {
		if (cfg->src_first == 0) {
			fprintf(f, "%s = port\n", k->key);
			return;
		}
		cfg_ip_str(cfg->src_first, a, sizeof(a));
		cfg_ip_str(htonl(ntohl(cfg->src_first) + cfg->src_count - 1),
			   b, sizeof(b));
		if (cfg->src_count > 1)
			fprintf(f, "%s = %s-%s\n", k->key, a, b);
		else
			fprintf(f, "%s = %s\n", k->key, a);
	} else if (strcmp(k->key, "source_ports") == 0) {
		fprintf(f, "%s = %u-%u\n", k->key, cfg->sport_min,
			cfg->sport_max);
	} else if (strcmp(k->key, "paths") == 0) {
		fprintf(f, "%s = ", k->key);
		if (cfg->http_nb_paths == 0)
			fprintf(f, "*");
		for (i = 0; i < cfg->http_nb_paths; i++)
			fprintf(f, "%s%s", i ? "," : "", cfg->http_paths[i]);
		fprintf(f, "\n");
	} else if (strcmp(k->section, "capture") == 0 &&
		   strcmp(k->key, "filter") == 0) {
		if (cfg->capture_filter[0] == '\0')
			cfg_dump_unset(f, k);
		else
			fprintf(f, "%s = %s\n", k->key, cfg->capture_filter);
	} else if (k->per_port && strcmp(k->key, "ip") == 0) {
		if (p->nb_addrs == 0) {
			cfg_dump_unset(f, k);
			return;
		}
		cfg_ip_str(p->addrs[0], a, sizeof(a));
		fprintf(f, "%s = %s/%u\n", k->key, a, p->prefix_len);
	} else if (k->per_port && strcmp(k->key, "gateway") == 0) {
		if (p->gateway == 0) {
			fprintf(f, "%s = none\n", k->key);
			return;
		}
		cfg_ip_str(p->gateway, a, sizeof(a));
		fprintf(f, "%s = %s\n", k->key, a);
	} else if (strcmp(k->section, "trace") == 0) {
		char t[64];

		sf_tcp_trace_format(&cfg->trace, t, sizeof(t));
		fprintf(f, "%s = %s\n", k->key, t);
	} else {
		fprintf(f, "; %s = (not shown)\n", k->key);
	}
}

static void
cfg_dump_key(FILE *f, const struct sf_cfg *cfg, unsigned int idx,
	     const struct cfg_key *k, const struct cfg_kinds *kinds)
{
	const char *base = k->per_port ? (const char *)&cfg->port[idx] :
		(const char *)cfg;
	const char *str;

	if (k->parse == kinds->u32 && kinds->u32 != NULL) {
		fprintf(f, "%s = %u\n", k->key,
			*(const uint32_t *)(base + k->off));
	} else if (k->parse == kinds->bool_ && kinds->bool_ != NULL) {
		fprintf(f, "%s = %s\n", k->key,
			*(const bool *)(base + k->off) ? "on" : "off");
	} else if ((k->parse == kinds->str && kinds->str != NULL) ||
		   (k->parse == kinds->choice && kinds->choice != NULL)) {
		str = base + k->off;
		if (str[0] == '\0')
			cfg_dump_unset(f, k);
		else
			fprintf(f, "%s = %s\n", k->key, str);
	} else {
		cfg_dump_special(f, cfg, idx, k);
	}
}

void
sf_cfg_dump(FILE *f, const struct sf_cfg *cfg)
{
	const struct cfg_kinds kinds = {
		.u32 = cfg_parser_of("general", "stats_interval"),
		.bool_ = cfg_parser_of("http", "keepalive"),
		.str = cfg_parser_of("load", "path"),
		.choice = cfg_parser_of("app", "mode"),
	};
	const struct cfg_key *k, *ports = NULL;
	const char *last = "";
	unsigned int i;

	if (cfg->file[0] != '\0')
		fprintf(f, "; loaded from %s, then the command line\n",
			cfg->file);
	for (k = sf_cfg_keys; k->section != NULL; k++) {
		if (k->per_port) {
			if (ports == NULL)
				ports = k;
			continue;
		}
		if (strcmp(last, k->section) != 0) {
			fprintf(f, "%s[%s]\n", last[0] ? "\n" : "",
				k->section);
			last = k->section;
		}
		cfg_dump_key(f, cfg, 0, k, &kinds);
	}
	for (i = 0; i < SF_MAX_PORTS && ports != NULL; i++) {
		if (!cfg->port[i].used && cfg->port[i].nb_addrs == 0)
			continue;
		fprintf(f, "\n[port%u]\n", i);
		for (k = ports; k->section != NULL; k++)
			if (k->per_port)
				cfg_dump_key(f, cfg, i, k, &kinds);
	}
}
