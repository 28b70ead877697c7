/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_HIST_H
#define SF_HIST_H

/*
 * Latency histogram, log-linear like HdrHistogram. Values are uint64_t
 * nanoseconds. Below 2^(SF_HIST_SUB_BITS + 1) = 128 ns every value has its
 * own bucket; above, each power of two is split into 2^SF_HIST_SUB_BITS = 64
 * equal buckets, so a bucket is narrower than 1/64 of any value in it and a
 * percentile is never low and at most 1.5625% high. Values from
 * 2^SF_HIST_RANGE_BITS ns (~18.3 min) up share one overflow bucket; min and
 * max stay exact. One core records (plain stores, no atomics, no loops, no
 * floating point); the control plane merges each worker's histogram into
 * its own copy with sf_hist_merge() and reads percentiles from that copy.
 * Fixed size, no pointers: embed it in a per-worker struct.
 */

#include <assert.h>
#include <stdint.h>
#include <stdio.h>

#include "sf_common.h"

/** log2 of the buckets per power of two; sets the error bound 2^-6. */
#define SF_HIST_SUB_BITS 6
/** Buckets per power of two (64). */
#define SF_HIST_SUB (1u << SF_HIST_SUB_BITS)
/** Values below 2^SF_HIST_RANGE_BITS ns are bucketed; the rest overflow. */
#define SF_HIST_RANGE_BITS 40
/** One per value below 2^7, 64 per octave on to 2^40, one overflow: 2241. */
#define SF_HIST_NB_BUCKETS \
	(((SF_HIST_RANGE_BITS - SF_HIST_SUB_BITS + 1) << SF_HIST_SUB_BITS) + 1)

/**
 * One histogram. Written by a single core; read elsewhere only through
 * sf_hist_merge(). @c min is UINT64_MAX while empty.
 */
struct sf_hist {
	uint64_t count;	/**< samples; equals the sum of @c buckets */
	uint64_t sum;	/**< sum of the samples in ns (wraps past 2^64) */
	uint64_t min;	/**< smallest sample, exact */
	uint64_t max;	/**< largest sample, exact */
	uint64_t buckets[SF_HIST_NB_BUCKETS];
} SF_CACHE_ALIGNED;

static_assert(sizeof(struct sf_hist) <= 24 * 1024,
	      "struct sf_hist over 24 KiB");

/**
 * Bucket index of a value: its top 7 significant bits, plus how far they
 * were shifted down. Contiguous and non-decreasing in @p v.
 *
 * @param v
 *   A value in ns.
 * @return
 *   0 .. SF_HIST_NB_BUCKETS - 1; the last one holds every v >= 2^40.
 */
static inline unsigned int
sf_hist_bucket(uint64_t v)
{
	/* Floor of the exponent at SUB_BITS: small values are their own
	 * bucket, and there is no branch for them. */
	unsigned int e = 63 - __builtin_clzll(v | SF_HIST_SUB);
	unsigned int shift = e - SF_HIST_SUB_BITS;
	unsigned int i;

	/* v >> shift is in [64, 128) past the exact range */
	i = (shift << SF_HIST_SUB_BITS) + (unsigned int)(v >> shift);

	return i < SF_HIST_NB_BUCKETS - 1 ? i : SF_HIST_NB_BUCKETS - 1;
}

/**
 * Empty a histogram. Only its writer may call this while it is live.
 *
 * @param h
 *   The histogram.
 */
void sf_hist_reset(struct sf_hist *h);

/**
 * Record one sample. Hot path: owner core only, no atomics.
 *
 * @param h
 *   The histogram.
 * @param v
 *   The sample in ns.
 */
static inline void
sf_hist_record(struct sf_hist *h, uint64_t v)
{
	/* Summaries before the bucket: a reader that sees the bucket is
	 * likelier to see them too; sf_hist_merge() copes either way. */
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->buckets[sf_hist_bucket(v)]++;
	h->count++;
}

/**
 * Add @p src into @p dst. @p src may be recorded into by its core at the
 * same time: each word of it is read once, and a sample in flight may show
 * in a bucket but not yet in min, max or sum. So dst->count is recomputed
 * from the buckets, and dst->min / dst->max are widened to cover every
 * non-empty bucket, keeping min <= any percentile <= max. A 64-bit read
 * cannot tear on the 64-bit targets synfin supports.
 *
 * @param dst
 *   Control-plane copy; sf_hist_reset() it before the first merge.
 * @param src
 *   A worker's histogram; not modified. Must not be @p dst.
 */
void sf_hist_merge(struct sf_hist *dst, const struct sf_hist *src);

/**
 * Value at a percentile, by nearest rank: the sample of rank
 * ceil(p / 100 * count) (at least 1), p resolved to 1e-7 %. Reported as the
 * upper bound of that sample's bucket, clamped to [min, max]: never below
 * the true value, and above it by less than 1/64 of it (exact below 128 ns).
 *
 * @param h
 *   A histogram nobody is recording into (e.g. a merged copy).
 * @param p
 *   Percentile in [0, 100]; 0 (or below, or NaN) gives min, 100 (or above)
 *   gives max, both exact.
 * @return
 *   The value in ns; 0 if @p h is empty.
 */
uint64_t sf_hist_percentile(const struct sf_hist *h, double p);

/**
 * Arithmetic mean of the samples, exact up to double rounding.
 *
 * @param h
 *   The histogram.
 * @return
 *   The mean in ns; 0 if @p h is empty.
 */
double sf_hist_mean(const struct sf_hist *h);

/**
 * Print one line: "<name>: n=N min=.. p50=.. p90=.. p99=.. p99.9=.. max=..
 * mean=..", each value with one decimal in us, in ms above 10 ms and in s
 * above 10 s, then a newline. An empty histogram prints "<name>: n=0".
 *
 * @param f
 *   Output stream.
 * @param name
 *   Label at the start of the line.
 * @param h
 *   A histogram nobody is recording into.
 */
void sf_hist_print(FILE *f, const char *name, const struct sf_hist *h);

/**
 * Write a JSON object, without a trailing newline:
 * {"count":N,"min_us":..,"p50_us":..,"p90_us":..,"p99_us":..,
 * "p999_us":..,"max_us":..,"mean_us":..}. Values are microseconds with
 * three decimals (ns resolution), formatted without the locale; all are
 * 0.000 when the histogram is empty.
 *
 * @param f
 *   Output stream.
 * @param h
 *   A histogram nobody is recording into.
 */
void sf_hist_json(FILE *f, const struct sf_hist *h);

#endif /* SF_HIST_H */
