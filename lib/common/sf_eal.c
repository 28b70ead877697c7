/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

#include "sf_eal.h"

void
sf_eal_fini_clean(void)
{
	char dir[PATH_MAX], f[PATH_MAX + 256];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	dp = opendir(dir);
	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", dir, d->d_name);
		unlink(f);
	}
	closedir(dp);
	rmdir(dir);
}
