/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the configuration parser (lib/cfg/sf_cfg.h).
 *
 * Input: byte 0 picks the mode, the rest is the text.
 *  - even: the text is an INI file, loaded with sf_cfg_load() from an
 *    in-memory file (memfd), then checked with sf_cfg_check();
 *  - odd: the text is lines "section key value" (split at the first two
 *    spaces), each given to sf_cfg_set() as a command-line override would
 *    be: values here may hold bytes an INI file never carries.
 * Beyond the sanitizers: the error message is always a terminated string
 * within its buffer, and a failing call says why (non-empty message).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_log.h>

#include "sf_cfg.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];

static void
fz_die(const char *what)
{
	fprintf(stderr, "fuzz_cfg: %s\n", what);
	abort();
}

static void
check_err(int rc, const char *err, size_t errlen)
{
	if (memchr(err, '\0', errlen) == NULL)
		fz_die("error message not terminated");
	if (rc != 0 && err[0] == '\0')
		fz_die("failed without a message");
}

static void
fz_load(const uint8_t *data, size_t size)
{
	struct sf_cfg cfg;
	char err[512];
	int rc;

	if (ftruncate(memfd, 0) != 0 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		fz_die("cannot write the memfd");
	sf_cfg_defaults(&cfg);
	memset(err, 0, sizeof(err));
	rc = sf_cfg_load(&cfg, path, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	if (rc != 0)
		return;
	memset(err, 0, sizeof(err));
	rc = sf_cfg_check(&cfg, 1, err, sizeof(err));
	check_err(rc, err, sizeof(err));
}

static void
fz_set(const uint8_t *data, size_t size)
{
	struct sf_cfg cfg;
	char *text, *line, *save = NULL, *key, *val;
	char err[512];
	int rc;

	text = malloc(size + 1);
	if (text == NULL)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	sf_cfg_defaults(&cfg);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		key = strchr(line, ' ');
		if (key == NULL)
			continue;
		*key++ = '\0';
		val = strchr(key, ' ');
		if (val == NULL)
			continue;
		*val++ = '\0';
		memset(err, 0, sizeof(err));
		rc = sf_cfg_set(&cfg, line, key, val, "fuzz", err,
				sizeof(err));
		check_err(rc, err, sizeof(err));
	}
	memset(err, 0, sizeof(err));
	rc = sf_cfg_check(&cfg, 1, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	if (data[0] & 1)
		fz_set(data + 1, size - 1);
	else
		fz_load(data + 1, size - 1);
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG);
	memfd = memfd_create("fuzz_cfg.ini", 0);
	if (memfd < 0)
		fz_die("memfd_create failed");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}
