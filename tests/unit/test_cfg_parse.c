/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration: a good file loads; every kind of bad input is refused
 * with a message naming the file (or option), section, key and what is
 * allowed; command-line overrides go through the same parsers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>

#include "sf_cfg.h"
#include "sf_port.h"
#include "sf_test.h"

static char path[64];
static char err[512];

static const char *
write_file(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/sf_cfg_test_%d.ini", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
assert_err_has(const char *needle)
{
	if (strstr(err, needle) == NULL)
		fail_msg("error '%s' lacks '%s'", err, needle);
}

static void
test_cfg_defaults(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	assert_int_equal(c.stats_interval_s, 1);
	assert_int_equal(c.arp_timeout_s, 300);
	assert_int_equal(c.port[0].rxd, 1024);
	assert_int_equal(c.port[0].nb_addrs, 0);
}

static void
test_cfg_good_file(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	write_file("; comment\n[general]\nstats_interval = 5\n\n"
		   "[arp]\ntimeout = 60\nretries = 5\n"
		   "[port0]\nip = 198.18.0.2/24\ngateway = 198.18.0.1\n"
		   "rx_desc = 512\n");
	assert_int_equal(sf_cfg_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.stats_interval_s, 5);
	assert_int_equal(c.arp_timeout_s, 60);
	assert_int_equal(c.arp_retries, 5);
	assert_int_equal(c.port[0].addrs[0],
			 RTE_BE32(RTE_IPV4(198, 18, 0, 2)));
	assert_int_equal(c.port[0].prefix_len, 24);
	assert_int_equal(c.port[0].gateway,
			 RTE_BE32(RTE_IPV4(198, 18, 0, 1)));
	assert_int_equal(c.port[0].rxd, 512);
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), 0);
}

static void
test_cfg_missing_file(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	assert_int_equal(sf_cfg_load(&c, "/nonexistent/x.ini", err,
				     sizeof(err)), -ENOENT);
	assert_err_has("/nonexistent/x.ini");
}

static void
test_cfg_unknown_section(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	write_file("[bogus]\nx = 1\n");
	assert_int_equal(sf_cfg_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_err_has(path);
	assert_err_has("[bogus]");
}

static void
test_cfg_unknown_key(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	write_file("[arp]\ntimeout = 5\nspeed = 9\n");
	assert_int_equal(sf_cfg_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_err_has(path);
	assert_err_has("[arp]");
	assert_err_has("'speed'");
	assert_err_has("retry_ms");	/* lists the known keys */
}

static void
test_cfg_bad_values(void **state)
{
	static const char *const bad[][3] = {
		{ "[arp]\ntimeout = 0\n", "timeout", "from 1 to 86400" },
		{ "[arp]\ntimeout = 12abc\n", "timeout", "integer" },
		{ "[arp]\nretries = -1\n", "retries", "integer" },
		{ "[port0]\nip = 198.18.0.2\n", "ip", "prefix" },
		{ "[port0]\nip = 198.18.0.300/24\n", "ip", "prefix" },
		{ "[port0]\nip = 198.18.0.2/33\n", "ip", "prefix" },
		{ "[port0]\nip = 224.0.0.1/24\n", "ip", "unicast" },
		{ "[port1]\ngateway = nowhere\n", "gateway", "IPv4" },
		{ "[port0]\nrx_desc = 10\n", "rx_desc", "from 64" },
	};
	struct sf_cfg c;
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		sf_cfg_defaults(&c);
		write_file(bad[i][0]);
		assert_int_equal(sf_cfg_load(&c, path, err, sizeof(err)),
				 -EINVAL);
		assert_err_has(path);
		assert_err_has(bad[i][1]);
		assert_err_has(bad[i][2]);
	}
}

/* [portN] queue_pairing: per port, auto by default, one of three words;
 * auto pairs net_memif's queues and nothing else. */
static void
test_cfg_queue_pairing(void **state)
{
	enum sf_port_pairing pp;
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	assert_string_equal(c.port[0].queue_pairing, "auto");
	assert_string_equal(c.port[SF_MAX_PORTS - 1].queue_pairing, "auto");
	write_file("[port1]\nqueue_pairing = off\n");
	assert_int_equal(sf_cfg_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.port[0].queue_pairing, "auto");
	assert_string_equal(c.port[1].queue_pairing, "off");
	assert_int_equal(sf_cfg_set(&c, "port0", "queue_pairing", "on",
				    "--set", err, sizeof(err)), 0);
	assert_string_equal(c.port[0].queue_pairing, "on");

	sf_cfg_defaults(&c);
	write_file("[port0]\nqueue_pairing = yes\n");
	assert_int_equal(sf_cfg_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_err_has(path);
	assert_err_has("[port0]");
	assert_err_has("queue_pairing");
	assert_err_has("auto|on|off");
	assert_string_equal(c.port[0].queue_pairing, "auto");

	assert_int_equal(sf_port_pairing_parse("auto", &pp), 0);
	assert_int_equal(pp, SF_PORT_PAIRING_AUTO);
	assert_true(sf_port_pairing_on(pp, "net_memif"));
	assert_false(sf_port_pairing_on(pp, "net_ice"));
	assert_false(sf_port_pairing_on(pp, "net_af_packet"));
	assert_int_equal(sf_port_pairing_parse("on", &pp), 0);
	assert_true(sf_port_pairing_on(pp, "net_af_packet"));
	assert_int_equal(sf_port_pairing_parse("off", &pp), 0);
	assert_false(sf_port_pairing_on(pp, "net_memif"));
	assert_int_equal(sf_port_pairing_parse("1", &pp), -EINVAL);
}

static void
test_cfg_syntax_error_names_line(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	write_file("[arp]\ntimeout = 5\nthis is not ini\n");
	assert_int_equal(sf_cfg_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_err_has(":3:");
	assert_err_has("this is not ini");
}

static void
test_cfg_override(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	assert_int_equal(sf_cfg_set(&c, "port0", "ip", "198.19.1.1/16",
				    "--ip", err, sizeof(err)), 0);
	assert_int_equal(c.port[0].prefix_len, 16);
	assert_int_equal(sf_cfg_set(&c, "port0", "ip", "nope", "--ip", err,
				    sizeof(err)), -EINVAL);
	assert_err_has("--ip");
	assert_err_has("'nope'");
	/* The failed override left the good value alone. */
	assert_int_equal(c.port[0].prefix_len, 16);
}

static void
test_cfg_check(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), -EINVAL);
	assert_err_has("no address");
	assert_err_has("--ip");

	assert_int_equal(sf_cfg_check(&c, 0, err, sizeof(err)), -EINVAL);
	assert_err_has("no ports");

	sf_cfg_set(&c, "port0", "ip", "198.18.0.2/24", "t", err, sizeof(err));
	sf_cfg_set(&c, "port0", "gateway", "198.18.1.1", "t", err,
		   sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), -EINVAL);
	assert_err_has("not on the port's prefix");

	sf_cfg_set(&c, "port0", "gateway", "198.18.0.1", "t", err,
		   sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), 0);

	sf_cfg_set(&c, "port3", "ip", "198.18.3.2/24", "t", err, sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), -EINVAL);
	assert_err_has("[port3]");
}

/* A client's target that port 0 cannot reach (off its prefix, no
 * gateway) is refused at start-up, naming the target and the way out,
 * as an off-prefix gateway is (issue 25: such a run spun on connect
 * errors for ever). */
static void
test_cfg_check_target_reachable(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	sf_cfg_set(&c, "port0", "ip", "198.18.0.2/24", "t", err, sizeof(err));
	sf_cfg_set(&c, "app", "mode", "client", "t", err, sizeof(err));
	sf_cfg_set(&c, "app", "app", "http", "t", err, sizeof(err));
	sf_cfg_set(&c, "app", "target", "198.18.0.1,10.1.2.3", "t", err,
		   sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), -EINVAL);
	assert_err_has("10.1.2.3");
	assert_err_has("198.18.0.2/24");
	assert_err_has("--gateway");
	/* on the prefix: fine without a gateway */
	sf_cfg_set(&c, "app", "target", "198.18.0.1", "t", err, sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), 0);
	/* off it, with a gateway: fine */
	sf_cfg_set(&c, "app", "target", "10.1.2.3", "t", err, sizeof(err));
	sf_cfg_set(&c, "port0", "gateway", "198.18.0.1", "t", err,
		   sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), 0);
}

/* The documented examples in config/ must stay loadable. */
static void
test_cfg_examples_load(void **state)
{
	static const char *const files[] = {
		"synfin.ini", "echo-server.ini", "echo-client.ini",
		"http-server.ini", "http-client.ini", "memif-server.ini",
		"memif-client.ini", "pci-nic.ini",
	};
	char p[512];
	struct sf_cfg c;
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(files); i++) {
		sf_cfg_defaults(&c);
		snprintf(p, sizeof(p), "%s/config/%s", SF_SRCDIR, files[i]);
		if (sf_cfg_load(&c, p, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), 0);
	}
	sf_cfg_defaults(&c);
	snprintf(p, sizeof(p), "%s/config/echo-client.ini", SF_SRCDIR);
	assert_int_equal(sf_cfg_load(&c, p, err, sizeof(err)), 0);
	assert_string_equal(c.mode, "client");
	assert_string_equal(c.app, "echo");
	assert_int_equal(c.bytes, 67108864);
}

static void
test_cfg_app_and_tcp_keys(void **state)
{
	struct sf_cfg c;

	(void)state;
	sf_cfg_defaults(&c);
	assert_int_equal(sf_cfg_set(&c, "tcp", "msl_ms", "1500", "--set", err,
				    sizeof(err)), 0);
	assert_int_equal(c.tcp.msl_ms, 1500);
	assert_int_equal(sf_cfg_set(&c, "tcp", "sack", "off", "--set", err,
				    sizeof(err)), 0);
	assert_false(c.tcp.sack_on);
	assert_int_equal(sf_cfg_set(&c, "tcp", "sack", "maybe", "--set", err,
				    sizeof(err)), -EINVAL);
	assert_err_has("on/off");
	assert_int_equal(sf_cfg_set(&c, "app", "mode", "proxy", "--mode", err,
				    sizeof(err)), -EINVAL);
	assert_err_has("server|client");
	/* A client with no target is an impossible combination. */
	sf_cfg_set(&c, "app", "mode", "client", "t", err, sizeof(err));
	sf_cfg_set(&c, "app", "app", "echo", "t", err, sizeof(err));
	sf_cfg_set(&c, "port0", "ip", "198.18.0.2/24", "t", err, sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), -EINVAL);
	assert_err_has("target");
	sf_cfg_set(&c, "app", "target", "198.18.0.1", "t", err, sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), 0);
	sf_cfg_set(&c, "tcp", "rto_min_ms", "90000", "t", err, sizeof(err));
	assert_int_equal(sf_cfg_check(&c, 1, err, sizeof(err)), -EINVAL);
	assert_err_has("rto_max_ms");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_defaults),
		cmocka_unit_test(test_cfg_good_file),
		cmocka_unit_test(test_cfg_missing_file),
		cmocka_unit_test(test_cfg_unknown_section),
		cmocka_unit_test(test_cfg_unknown_key),
		cmocka_unit_test(test_cfg_bad_values),
		cmocka_unit_test(test_cfg_queue_pairing),
		cmocka_unit_test(test_cfg_syntax_error_names_line),
		cmocka_unit_test(test_cfg_override),
		cmocka_unit_test(test_cfg_check),
		cmocka_unit_test(test_cfg_check_target_reachable),
		cmocka_unit_test(test_cfg_examples_load),
		cmocka_unit_test(test_cfg_app_and_tcp_keys),
	};

	return cmocka_run_group_tests_name("cfg_parse", tests, sf_test_eal_setup,
					   group_teardown);
}
