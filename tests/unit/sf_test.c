/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "sf_log.h"
#include "sf_test.h"

void
sf_test_eal_init(void)
{
	static int done;
	char prefix[64];
	char *argv[] = {
		"sf_test", "--no-huge", "--no-pci", "-m", "256",
		"--no-shconf", "-l", "0", "--log-level", "*:warning",
		"--file-prefix", prefix, NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	if (done)
		return;
	snprintf(prefix, sizeof(prefix), "sftest%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "sf_test: rte_eal_init failed\n");
		exit(1);
	}
	sf_log_init();
	done = 1;
}
