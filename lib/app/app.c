/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The apps' common control-path side: counter names, summing, and
 * freeing whatever app a worker runs.
 */
#include <string.h>

#include <rte_malloc.h>

#include "app_priv.h"

static const char *const app_names[] = {
#define SF_APP_NAME(n, h) #n,
	SF_APP_COUNTERS(SF_APP_NAME)
#undef SF_APP_NAME
};

static const char *const app_helps[] = {
#define SF_APP_HELP(n, h) h,
	SF_APP_COUNTERS(SF_APP_HELP)
#undef SF_APP_HELP
};

const char *
sf_app_counter_name(unsigned int i)
{
	return i < RTE_DIM(app_names) ? app_names[i] : NULL;
}

const char *
sf_app_counter_help(unsigned int i)
{
	return i < RTE_DIM(app_helps) ? app_helps[i] : NULL;
}

uint64_t
sf_app_counter_get(const struct sf_app_stats *s, unsigned int i)
{
	return ((const volatile uint64_t *)s)[i];
}

void
sf_app_stats_reset(struct sf_app_stats *s)
{
	memset(s, 0, sizeof(*s));
	app_stats_init(s);
}

void
sf_app_stats_add(struct sf_app_stats *dst, const struct sf_app_stats *src)
{
	uint64_t *d = (uint64_t *)dst;
	unsigned int i;

	for (i = 0; i < RTE_DIM(app_names); i++)
		d[i] += sf_app_counter_get(src, i);
	dst->conns_open += src->conns_open;
	sf_hist_merge(&dst->h_connect, &src->h_connect);
	sf_hist_merge(&dst->h_ttfb, &src->h_ttfb);
	sf_hist_merge(&dst->h_total, &src->h_total);
}

unsigned int
sf_app_stats_sum(struct sf_worker *const *w, unsigned int nb,
		 struct sf_app_stats *dst)
{
	const struct sf_app_stats *s;
	unsigned int i, n = 0;

	sf_app_stats_reset(dst);
	for (i = 0; i < nb; i++) {
		s = sf_app_stats(w[i]);
		if (s == NULL)
			continue;
		sf_app_stats_add(dst, s);
		n++;
	}
	return n;
}

const struct sf_app_stats *
sf_app_stats(const struct sf_worker *w)
{
	const struct sf_app_base *b = w->app;

	return b == NULL ? NULL : &b->st;
}

void
sf_app_free(struct sf_worker *w)
{
	struct sf_app_base *b = w->app;

	if (b == NULL)
		return;
	if (b->fini != NULL)
		b->fini(w);
	rte_free(b);
	w->app = NULL;
	w->app_poll = NULL;
}
