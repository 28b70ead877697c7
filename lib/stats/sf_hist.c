/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-path side of the latency histogram: merge, percentiles and
 * output. Recording is inline in sf_hist.h.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_atomic.h>

#include "sf_hist.h"

#define NS_PER_US UINT64_C(1000)
#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)
#define PPB UINT64_C(1000000000)

/* The summary print and JSON show, in order. */
enum hist_field {
	HIST_MIN,
	HIST_P50,
	HIST_P90,
	HIST_P99,
	HIST_P999,
	HIST_MAX,
	HIST_MEAN,
	HIST_NB_FIELDS
};

static const char *const hist_label[HIST_NB_FIELDS] = {
	"min", "p50", "p90", "p99", "p99.9", "max", "mean",
};

static const char *const hist_json_key[HIST_NB_FIELDS] = {
	"min_us", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us",
};

static const double hist_pct[HIST_NB_FIELDS] = {
	0, 50, 90, 99, 99.9, 100, 0,
};

/* Smallest value of bucket @p i: the inverse of sf_hist_bucket(). */
static uint64_t
hist_lower(unsigned int i)
{
	unsigned int shift;

	if (i < 2 * SF_HIST_SUB)
		return i;
	shift = (i >> SF_HIST_SUB_BITS) - 1;
	return (uint64_t)((i & (SF_HIST_SUB - 1)) | SF_HIST_SUB) << shift;
}

/* Largest value of bucket @p i; the overflow bucket has no bound. */
static uint64_t
hist_upper(unsigned int i)
{
	if (i >= SF_HIST_NB_BUCKETS - 1)
		return UINT64_MAX;
	return hist_lower(i + 1) - 1;
}

void
sf_hist_reset(struct sf_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void
sf_hist_merge(struct sf_hist *dst, const struct sf_hist *src)
{
	/* volatile: each word the writer may be changing is loaded once,
	 * in program order; this loop is the copy */
	const volatile struct sf_hist *s = src;
	unsigned int i, lo = SF_HIST_NB_BUCKETS, hi = 0;
	uint64_t smin, smax, ssum, total = 0;

	for (i = 0; i < SF_HIST_NB_BUCKETS; i++)
		dst->buckets[i] += s->buckets[i];
	/*
	 * sf_hist_record() updates min/max/sum before the bucket, so reading
	 * them after the buckets covers every sample seen in a bucket when
	 * the stores land in that order (x86 keeps them; the compiler may
	 * not). Otherwise the widening below repairs min and max; sum may
	 * be off by the samples in flight.
	 */
	rte_smp_rmb();
	smin = s->min;
	smax = s->max;
	ssum = s->sum;

	dst->sum += ssum;
	if (smin < dst->min)
		dst->min = smin;
	if (smax > dst->max)
		dst->max = smax;

	/* The count percentiles rank against is the buckets' own. */
	for (i = 0; i < SF_HIST_NB_BUCKETS; i++) {
		if (dst->buckets[i] == 0)
			continue;
		total += dst->buckets[i];
		if (lo == SF_HIST_NB_BUCKETS)
			lo = i;
		hi = i;
	}
	dst->count = total;
	if (total == 0)
		return;
	/* A sample counted in a bucket but not yet in min/max. */
	if (dst->min > hist_upper(lo))
		dst->min = hist_lower(lo);
	if (dst->max < hist_lower(hi))
		dst->max = hi == SF_HIST_NB_BUCKETS - 1 ?
			   hist_lower(hi) : hist_upper(hi);
	/* min still the empty mark (UINT64_MAX: the overflow bucket's
	 * upper bound), or both from one bucket: keep p0 <= p100. */
	if (dst->min > dst->max)
		dst->min = hist_lower(lo);
}

/*
 * Nearest rank, ceil(p / 100 * count), in integers so that a decimal p
 * such as 99.9 lands on the rank it names and not one past it through
 * binary rounding. p is taken in parts per 1e9 of the count.
 */
static uint64_t
hist_rank(uint64_t count, double p)
{
	uint64_t ppb = (uint64_t)(p * 1e7 + 0.5);
	uint64_t q = count / PPB, r = count % PPB;
	uint64_t rank;

	/* r * ppb < 1e18: no overflow; q * ppb <= count */
	rank = q * ppb + (r * ppb + PPB - 1) / PPB;
	return rank == 0 ? 1 : rank;
}

uint64_t
sf_hist_percentile(const struct sf_hist *h, double p)
{
	uint64_t rank, cum = 0, v;
	unsigned int i;

	if (h->count == 0)
		return 0;
	if (!(p > 0))
		return h->min;
	if (p >= 100)
		return h->max;

	rank = hist_rank(h->count, p);
	for (i = 0; i < SF_HIST_NB_BUCKETS; i++) {
		cum += h->buckets[i];
		if (cum < rank)
			continue;
		/* Upper bound: never reports less latency than there was. */
		v = hist_upper(i);
		if (v > h->max)
			v = h->max;
		if (v < h->min)
			v = h->min;
		return v;
	}
	/* count ahead of the buckets: not a merged copy */
	return h->max;
}

double
sf_hist_mean(const struct sf_hist *h)
{
	if (h->count == 0)
		return 0;
	return (double)h->sum / (double)h->count;
}

/* The summary fields in ns; all 0 when empty. */
static void
hist_summary(const struct sf_hist *h, uint64_t out[HIST_NB_FIELDS])
{
	double mean = sf_hist_mean(h);
	unsigned int i;

	for (i = 0; i < HIST_NB_FIELDS; i++)
		out[i] = sf_hist_percentile(h, hist_pct[i]);
	out[HIST_MEAN] = mean >= 0x1p64 ? UINT64_MAX : (uint64_t)(mean + 0.5);
}

/*
 * @p v ns as "<int>.<tenth><unit>", rounded to the nearest tenth, in us up
 * to 10 ms, ms up to 10 s, then s. Integer math: no locale, no rounding
 * surprises near 2^64.
 */
static void
hist_fmt_human(char *buf, size_t len, uint64_t v)
{
	uint64_t unit = NS_PER_US, step, q;
	const char *sfx = "us";

	if (v > 10 * NS_PER_S) {
		unit = NS_PER_S;
		sfx = "s";
	} else if (v > 10 * NS_PER_MS) {
		unit = NS_PER_MS;
		sfx = "ms";
	}
	step = unit / 10;
	q = v / step + (v % step >= step / 2);
	snprintf(buf, len, "%" PRIu64 ".%u%s", q / 10, (unsigned int)(q % 10),
		 sfx);
}

void
sf_hist_print(FILE *f, const char *name, const struct sf_hist *h)
{
	uint64_t v[HIST_NB_FIELDS];
	char buf[32];
	unsigned int i;

	fprintf(f, "%s: n=%" PRIu64, name, h->count);
	if (h->count != 0) {
		hist_summary(h, v);
		for (i = 0; i < HIST_NB_FIELDS; i++) {
			hist_fmt_human(buf, sizeof(buf), v[i]);
			fprintf(f, " %s=%s", hist_label[i], buf);
		}
	}
	fputc('\n', f);
}

void
sf_hist_json(FILE *f, const struct sf_hist *h)
{
	uint64_t v[HIST_NB_FIELDS];
	unsigned int i;

	hist_summary(h, v);
	fprintf(f, "{\"count\":%" PRIu64, h->count);
	for (i = 0; i < HIST_NB_FIELDS; i++)
		fprintf(f, ",\"%s\":%" PRIu64 ".%03u", hist_json_key[i],
			v[i] / NS_PER_US, (unsigned int)(v[i] % NS_PER_US));
	fputc('}', f);
}
