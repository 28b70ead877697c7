/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sf_stats.h"

static const char *const stats_names[] = {
#define SF_STATS_NAME(name, help) #name,
	SF_STATS_FOREACH(SF_STATS_NAME)
#undef SF_STATS_NAME
};

static const char *const stats_helps[] = {
#define SF_STATS_HELP(name, help) help,
	SF_STATS_FOREACH(SF_STATS_HELP)
#undef SF_STATS_HELP
};

const char *
sf_stats_name(unsigned int i)
{
	return i < RTE_DIM(stats_names) ? stats_names[i] : NULL;
}

const char *
sf_stats_help(unsigned int i)
{
	return i < RTE_DIM(stats_helps) ? stats_helps[i] : NULL;
}

uint64_t
sf_stats_drops(const struct sf_stats *s)
{
	uint64_t d = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(stats_names); i++)
		if (strstr(stats_names[i], "_drop") != NULL)
			d += sf_stats_get(s, i);
	return d;
}

void
sf_stats_add(struct sf_stats *dst, const struct sf_stats *src)
{
	uint64_t *d = (uint64_t *)dst;
	unsigned int i;

	for (i = 0; i < RTE_DIM(stats_names); i++)
		d[i] += sf_stats_get(src, i);
}

void
sf_stats_print(FILE *f, const struct sf_stats *s, bool zeros)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(stats_names); i++)
		if (zeros || sf_stats_get(s, i) != 0)
			fprintf(f, "  %-20s %" PRIu64 "\n", stats_names[i],
				sf_stats_get(s, i));
}
