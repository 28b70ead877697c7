/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sf_hist: bucket layout and its error bound, percentiles against a sorted
 * reference (nearest rank, never low, under 1/64 high, exact below 128 ns),
 * overflow, merge (equal to recording everything in one, torn snapshots,
 * a live writer thread) and the text and JSON output. No EAL, no timing.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sf_hist.h"

#define LAST (SF_HIST_NB_BUCKETS - 1)

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Log-uniform over the whole uint64_t range, overflow included. */
static uint64_t
rng_wide(void)
{
	return rng() >> (rng() % 64);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank of p = pt / 100 percent (pt = 9990 is p99.9), in integers
 * and independent of the library's own rank arithmetic. */
static uint64_t
rank_of(uint64_t n, unsigned int pt)
{
	uint64_t r = (n * pt + 9999) / 10000;

	return r == 0 ? 1 : r;
}

/* The documented bound: never low; exact below 128; else under 1/64 high. */
static void
check_close(uint64_t got, uint64_t want)
{
	if (got < want || (want < 128 && got != want) ||
	    (want >= 128 && (got - want) * 64 >= want))
		fail_msg("got %" PRIu64 ", want %" PRIu64, got, want);
}

/* Percentiles of pt[] against sorted samples s[0..n). */
static void
check_sorted(const struct sf_hist *h, const uint64_t *s, uint64_t n,
	     const unsigned int *pt, unsigned int npt)
{
	unsigned int i;

	for (i = 0; i < npt; i++)
		check_close(sf_hist_percentile(h, pt[i] / 100.0),
			    s[rank_of(n, pt[i]) - 1]);
}

static uint64_t
bucket_sum(const struct sf_hist *h)
{
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < SF_HIST_NB_BUCKETS; i++)
		t += h->buckets[i];
	return t;
}

/* What sf_hist_print / sf_hist_json write, as a malloc'ed string. */
static char *
out_print(const char *name, const struct sf_hist *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sf_hist_print(f, name, h);
	fclose(f);
	return buf;
}

static char *
out_json(const struct sf_hist *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sf_hist_json(f, h);
	fclose(f);
	return buf;
}

static int
group_setup(void **state)
{
	(void)state;
	rng_state = 0x5eed;
	return 0;
}

static void
test_stats_hist_empty(void **state)
{
	struct sf_hist h;
	char *s;

	(void)state;
	memset(&h, 0xa5, sizeof(h));
	sf_hist_reset(&h);
	assert_int_equal(h.count, 0);
	assert_int_equal(h.sum, 0);
	assert_int_equal(h.max, 0);
	assert_true(h.min == UINT64_MAX);
	assert_int_equal(bucket_sum(&h), 0);
	assert_int_equal(sf_hist_percentile(&h, 0), 0);
	assert_int_equal(sf_hist_percentile(&h, 50), 0);
	assert_int_equal(sf_hist_percentile(&h, 100), 0);
	assert_true(sf_hist_mean(&h) == 0);

	s = out_print("lat", &h);
	assert_string_equal(s, "lat: n=0\n");
	free(s);
	s = out_json(&h);
	assert_string_equal(s, "{\"count\":0,\"min_us\":0.000,"
		"\"p50_us\":0.000,\"p90_us\":0.000,\"p99_us\":0.000,"
		"\"p999_us\":0.000,\"max_us\":0.000,\"mean_us\":0.000}");
	free(s);
}

static void
test_stats_hist_single(void **state)
{
	static const double p[] = { -1, 0, 1e-9, 0.1, 50, 99.9, 99.999999, 100,
				    1000 };
	struct sf_hist h;
	unsigned int i;

	(void)state;
	sf_hist_reset(&h);
	sf_hist_record(&h, 12345);
	assert_int_equal(h.count, 1);
	assert_int_equal(h.sum, 12345);
	assert_int_equal(h.min, 12345);
	assert_int_equal(h.max, 12345);
	assert_int_equal(h.buckets[sf_hist_bucket(12345)], 1);
	assert_int_equal(bucket_sum(&h), 1);
	/* Clamped to [min, max]: exact whatever the bucket width. */
	for (i = 0; i < RTE_DIM(p); i++)
		assert_int_equal(sf_hist_percentile(&h, p[i]), 12345);
	assert_true(sf_hist_percentile(&h, NAN) == 12345);
	assert_true(sf_hist_mean(&h) == 12345.0);
}

static void
test_stats_hist_exact_small(void **state)
{
	struct sf_hist h;
	unsigned int pt;
	uint64_t v;

	(void)state;
	for (v = 0; v < 2 * SF_HIST_SUB; v++)
		assert_int_equal(sf_hist_bucket(v), v);

	/* 0..127 twice: sample of rank r is (r - 1) / 2, exactly. */
	sf_hist_reset(&h);
	for (v = 0; v < 2 * SF_HIST_SUB; v++) {
		sf_hist_record(&h, v);
		sf_hist_record(&h, 2 * SF_HIST_SUB - 1 - v);
	}
	assert_int_equal(h.count, 4 * SF_HIST_SUB);
	assert_int_equal(h.min, 0);
	assert_int_equal(h.max, 127);
	for (pt = 1; pt <= 10000; pt++)
		assert_int_equal(sf_hist_percentile(&h, pt / 100.0),
				 (rank_of(h.count, pt) - 1) / 2);
	assert_int_equal(sf_hist_percentile(&h, 0), 0);
	assert_true(sf_hist_mean(&h) == 63.5);
}

/*
 * Every bucket: contiguous, non-decreasing, and its reported value (upper
 * bound, seen as p50 of {v, huge}) within 1/64 of any value in it.
 */
static void
check_bucket_of(uint64_t v)
{
	static struct sf_hist h;
	unsigned int b = sf_hist_bucket(v);
	uint64_t u;

	assert_true(b <= LAST);
	if (v >= UINT64_C(1) << SF_HIST_RANGE_BITS) {
		assert_int_equal(b, LAST);
		return;
	}
	assert_true(b < LAST);
	sf_hist_reset(&h);
	sf_hist_record(&h, v);
	sf_hist_record(&h, UINT64_MAX);
	u = sf_hist_percentile(&h, 50);
	check_close(u, v);
	assert_int_equal(sf_hist_bucket(u), b);
	assert_int_equal(sf_hist_bucket(u + 1), b + 1);
}

static void
test_stats_hist_buckets(void **state)
{
	unsigned int e, prev = 0, b, i;
	uint64_t v, lo;

	(void)state;
	assert_true(sizeof(struct sf_hist) <= 24 * 1024);
	assert_int_equal(sizeof(struct sf_hist) % 64, 0);
	assert_int_equal(SF_HIST_NB_BUCKETS, 35 * 64 + 1);

	for (v = 0; v < 1 << 16; v++) {
		b = sf_hist_bucket(v);
		assert_true(b == prev || b == prev + 1);
		prev = b;
		check_bucket_of(v);
	}
	for (e = 16; e < 64; e++) {
		lo = UINT64_C(1) << e;
		check_bucket_of(lo - 1);
		check_bucket_of(lo);
		check_bucket_of(lo + 1);
		for (i = 0; i < 64; i++)
			check_bucket_of(lo + (rng() & (lo - 1)));
		assert_true(sf_hist_bucket(lo) >= sf_hist_bucket(lo - 1));
	}
	assert_int_equal(sf_hist_bucket((UINT64_C(1) << 40) - 1), LAST - 1);
	assert_int_equal(sf_hist_bucket(UINT64_C(1) << 40), LAST);
	assert_int_equal(sf_hist_bucket(UINT64_MAX), LAST);
}

static void
test_stats_hist_uniform(void **state)
{
	static const unsigned int pt[] = { 1, 10, 100, 2500, 5000, 9000, 9500,
					   9900, 9990, 9999, 10000 };
	const uint64_t n = 1000000;
	struct sf_hist h;
	unsigned int i;
	uint64_t v;

	(void)state;
	sf_hist_reset(&h);
	for (v = 1; v <= n; v++)
		sf_hist_record(&h, v);
	assert_int_equal(h.count, n);
	assert_int_equal(h.sum, n * (n + 1) / 2);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.max, n);
	assert_true(sf_hist_mean(&h) == 500000.5);
	/* The sample of rank r is r. */
	for (i = 0; i < RTE_DIM(pt); i++)
		check_close(sf_hist_percentile(&h, pt[i] / 100.0),
			    rank_of(n, pt[i]));
	assert_int_equal(sf_hist_percentile(&h, 100), n);
	assert_int_equal(sf_hist_percentile(&h, 0), 1);
}

static void
test_stats_hist_bimodal(void **state)
{
	static const unsigned int pt[] = { 1, 10, 1000, 5000, 8900, 8999, 9000,
					   9001, 9100, 9500, 9900, 9990, 9999,
					   10000 };
	const uint64_t n = 200000;
	uint64_t *s = malloc(n * sizeof(*s));
	struct sf_hist h;
	uint64_t i;

	(void)state;
	assert_non_null(s);
	sf_hist_reset(&h);
	for (i = 0; i < n; i++) {
		/* 90% at 50 us +- 5, 10% at 10 ms +- 1 */
		if (rng() % 10 != 0)
			s[i] = 45000 + rng() % 10001;
		else
			s[i] = 9000000 + rng() % 2000001;
		sf_hist_record(&h, s[i]);
	}
	qsort(s, n, sizeof(*s), cmp_u64);
	assert_int_equal(h.min, s[0]);
	assert_int_equal(h.max, s[n - 1]);
	check_sorted(&h, s, n, pt, RTE_DIM(pt));
	assert_true(sf_hist_percentile(&h, 50) <= 55000 * 65 / 64);
	assert_true(sf_hist_percentile(&h, 95) >= 9000000);
	free(s);
}

static void
test_stats_hist_clamp(void **state)
{
	const uint64_t top = UINT64_C(1) << SF_HIST_RANGE_BITS;
	struct sf_hist h;

	(void)state;
	sf_hist_reset(&h);
	sf_hist_record(&h, 100);
	sf_hist_record(&h, top - 1);
	sf_hist_record(&h, top);
	sf_hist_record(&h, UINT64_C(1) << 50);
	sf_hist_record(&h, UINT64_MAX);
	assert_int_equal(h.count, 5);
	assert_int_equal(h.buckets[LAST], 3);
	assert_int_equal(h.buckets[LAST - 1], 1);
	assert_true(h.max == UINT64_MAX);
	assert_true(sf_hist_percentile(&h, 100) == UINT64_MAX);
	assert_int_equal(sf_hist_percentile(&h, 20), 100);
	/* Rank 2 is the last bounded bucket: its upper bound. */
	assert_int_equal(sf_hist_percentile(&h, 40), top - 1);
	/* Overflow has no upper bound: reported as max, never low. */
	assert_true(sf_hist_percentile(&h, 60) == UINT64_MAX);

	/* Only out-of-range samples: still exact through min/max. */
	sf_hist_reset(&h);
	sf_hist_record(&h, UINT64_C(1) << 41);
	assert_int_equal(sf_hist_percentile(&h, 50), UINT64_C(1) << 41);
	sf_hist_record(&h, UINT64_C(3) << 41);
	assert_int_equal(sf_hist_percentile(&h, 0), UINT64_C(1) << 41);
	assert_int_equal(sf_hist_percentile(&h, 50), UINT64_C(3) << 41);
	assert_int_equal(sf_hist_percentile(&h, 100), UINT64_C(3) << 41);
}

static void
assert_hist_equal(const struct sf_hist *a, const struct sf_hist *b)
{
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->sum, b->sum);
	assert_true(a->min == b->min);
	assert_true(a->max == b->max);
	assert_memory_equal(a->buckets, b->buckets, sizeof(a->buckets));
}

static void
test_stats_hist_merge(void **state)
{
	static struct sf_hist a, b, all, dst, twice;
	unsigned int i;
	uint64_t v;

	(void)state;
	sf_hist_reset(&a);
	sf_hist_reset(&b);
	sf_hist_reset(&all);
	for (i = 0; i < 100000; i++) {
		v = rng_wide();
		sf_hist_record(i % 3 == 0 ? &a : &b, v);
		sf_hist_record(&all, v);
	}

	sf_hist_reset(&dst);
	sf_hist_merge(&dst, &a);
	assert_hist_equal(&dst, &a);
	sf_hist_merge(&dst, &b);
	assert_hist_equal(&dst, &all);

	/* Order does not matter; an empty source changes nothing. */
	sf_hist_reset(&dst);
	sf_hist_merge(&dst, &b);
	sf_hist_merge(&dst, &a);
	sf_hist_reset(&a);
	sf_hist_merge(&dst, &a);
	assert_hist_equal(&dst, &all);
	for (i = 0; i <= 1000; i++)
		assert_true(sf_hist_percentile(&dst, i / 10.0) ==
			    sf_hist_percentile(&all, i / 10.0));

	/* Merged twice: every count doubles, percentiles stay. */
	sf_hist_reset(&twice);
	sf_hist_merge(&twice, &all);
	sf_hist_merge(&twice, &all);
	assert_int_equal(twice.count, 2 * all.count);
	assert_int_equal(twice.buckets[sf_hist_bucket(all.max)],
			 2 * all.buckets[sf_hist_bucket(all.max)]);
	assert_true(twice.min == all.min && twice.max == all.max);
	assert_true(sf_hist_percentile(&twice, 99) ==
		    sf_hist_percentile(&all, 99));
}

/* Percentiles non-decreasing in p, within [min, max], ends exact. */
static void
check_monotonic(const struct sf_hist *h, double step)
{
	uint64_t prev = 0, v;
	double p;

	assert_true(sf_hist_percentile(h, 0) == h->min);
	assert_true(sf_hist_percentile(h, 100) == h->max);
	for (p = 0; p <= 100; p += step) {
		v = sf_hist_percentile(h, p);
		assert_true(v >= prev);
		assert_true(v >= h->min && v <= h->max);
		prev = v;
	}
	assert_true(sf_hist_percentile(h, 100) >= prev);
}

/*
 * What the control plane can read from a live histogram: samples in a
 * bucket but not yet in count, min or max, or in count but in no bucket.
 */
static void
test_stats_hist_merge_torn(void **state)
{
	static struct sf_hist src, dst;
	unsigned int i;

	(void)state;
	sf_hist_reset(&src);
	for (i = 0; i < 1000; i++)
		sf_hist_record(&src, 1000 + rng() % 1000000);
	src.buckets[sf_hist_bucket(5000000000)]++;
	src.buckets[sf_hist_bucket(3)]++;
	src.count += 5;

	sf_hist_reset(&dst);
	sf_hist_merge(&dst, &src);
	assert_int_equal(dst.count, 1002);
	assert_int_equal(dst.count, bucket_sum(&dst));
	assert_int_equal(dst.min, 3);
	assert_int_equal(sf_hist_bucket(dst.max), sf_hist_bucket(5000000000));
	check_close(dst.max, 5000000000);
	check_monotonic(&dst, 0.01);

	/* A first sample seen in its bucket only. */
	sf_hist_reset(&src);
	src.buckets[sf_hist_bucket(777777)] = 1;
	sf_hist_reset(&dst);
	sf_hist_merge(&dst, &src);
	assert_int_equal(dst.count, 1);
	assert_true(dst.min <= dst.max);
	assert_int_equal(sf_hist_bucket(dst.min), sf_hist_bucket(777777));
	assert_int_equal(sf_hist_bucket(dst.max), sf_hist_bucket(777777));
	check_monotonic(&dst, 1);

	/* Same in the overflow bucket: no upper bound to widen max to. */
	sf_hist_reset(&src);
	src.buckets[LAST] = 1;
	sf_hist_reset(&dst);
	sf_hist_merge(&dst, &src);
	assert_int_equal(dst.min, UINT64_C(1) << SF_HIST_RANGE_BITS);
	assert_int_equal(dst.max, UINT64_C(1) << SF_HIST_RANGE_BITS);
}

static void
test_stats_hist_monotonic(void **state)
{
	static struct sf_hist h;
	unsigned int i;

	(void)state;
	sf_hist_reset(&h);
	for (i = 0; i < 100000; i++)
		sf_hist_record(&h, rng_wide());
	check_monotonic(&h, 0.005);
	assert_true(sf_hist_percentile(&h, -5) == h.min);
	assert_true(sf_hist_percentile(&h, 250) == h.max);
}

/* A worker core recording while the control plane merges. */
struct live {
	struct sf_hist h;
	volatile int done;
};

#define LIVE_N 4000000

static void *
live_writer(void *arg)
{
	struct live *l = arg;
	uint64_t i;

	for (i = 0; i < LIVE_N; i++)
		sf_hist_record(&l->h, 100 + (i * 7919) % 1000000);
	l->done = 1;
	return NULL;
}

static void
test_stats_hist_merge_live(void **state)
{
	static struct live l;
	static struct sf_hist snap, ref;
	uint64_t last = 0, merges = 0, i;
	pthread_t t;
	int done;

	(void)state;
	sf_hist_reset(&l.h);
	l.done = 0;
	assert_int_equal(pthread_create(&t, NULL, live_writer, &l), 0);
	do {
		done = l.done;
		sf_hist_reset(&snap);
		sf_hist_merge(&snap, &l.h);
		merges++;
		assert_int_equal(snap.count, bucket_sum(&snap));
		assert_true(snap.count >= last);
		last = snap.count;
		if (snap.count != 0) {
			assert_true(snap.min <= sf_hist_percentile(&snap, 50));
			assert_true(sf_hist_percentile(&snap, 50) <=
				    sf_hist_percentile(&snap, 99.9));
			assert_true(sf_hist_percentile(&snap, 99.9) <=
				    snap.max);
		}
	} while (!done);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(merges >= 1);

	/* Quiescent: exact. */
	sf_hist_reset(&ref);
	for (i = 0; i < LIVE_N; i++)
		sf_hist_record(&ref, 100 + (i * 7919) % 1000000);
	sf_hist_reset(&snap);
	sf_hist_merge(&snap, &l.h);
	assert_hist_equal(&snap, &ref);
}

static void
test_stats_hist_json(void **state)
{
	struct sf_hist h;
	uint64_t count;
	double v[7];
	char *s;
	int end = -1;
	unsigned int k;

	(void)state;
	sf_hist_reset(&h);
	for (k = 1; k <= 1000; k++)
		sf_hist_record(&h, k * 1000);	/* 1 .. 1000 us */
	s = out_json(&h);
	assert_int_equal(sscanf(s, "{\"count\":%" SCNu64 ",\"min_us\":%lf,"
				"\"p50_us\":%lf,\"p90_us\":%lf,\"p99_us\":%lf,"
				"\"p999_us\":%lf,\"max_us\":%lf,"
				"\"mean_us\":%lf}%n", &count, &v[0], &v[1],
				&v[2], &v[3], &v[4], &v[5], &v[6], &end), 8);
	/* The whole string, and no trailing newline. */
	assert_int_equal(end, strlen(s));
	assert_int_equal(count, 1000);
	assert_non_null(strstr(s, "\"min_us\":1.000,"));
	assert_non_null(strstr(s, "\"max_us\":1000.000,"));
	assert_non_null(strstr(s, "\"mean_us\":500.500}"));
	/* Three decimals: the percentile's ns are all there. */
	assert_non_null(strstr(s, "\"p50_us\":"));
	check_close((uint64_t)(v[1] * 1000 + 0.5), 500000);
	check_close((uint64_t)(v[2] * 1000 + 0.5), 900000);
	check_close((uint64_t)(v[3] * 1000 + 0.5), 990000);
	check_close((uint64_t)(v[4] * 1000 + 0.5), 999000);
	assert_true((uint64_t)(v[1] * 1000 + 0.5) ==
		    sf_hist_percentile(&h, 50));
	free(s);
}

static void
test_stats_hist_print(void **state)
{
	struct sf_hist h;
	char *s;

	(void)state;
	sf_hist_reset(&h);
	sf_hist_record(&h, 10200);
	s = out_print("lat", &h);
	assert_string_equal(s, "lat: n=1 min=10.2us p50=10.2us p90=10.2us "
			    "p99=10.2us p99.9=10.2us max=10.2us mean=10.2us\n");
	free(s);

	/* us up to 10 ms, ms up to 10 s, then s; rounded to a tenth */
	sf_hist_reset(&h);
	sf_hist_record(&h, 4950);
	sf_hist_record(&h, 15000000);
	sf_hist_record(&h, UINT64_C(12345678901));
	s = out_print("conn", &h);
	assert_non_null(strstr(s, "conn: n=3 min=5.0us "));
	/* rank 2: 15 ms, in bucket [14942208, 15073279] */
	assert_non_null(strstr(s, " p50=15.1ms "));
	assert_non_null(strstr(s, " max=12.3s "));
	/* (4950 + 15e6 + 12345678901) / 3 = 4120227950.3 ns */
	assert_non_null(strstr(s, " mean=4120.2ms\n"));
	free(s);

	sf_hist_reset(&h);
	sf_hist_record(&h, 10000000);
	sf_hist_record(&h, 10000001);
	s = out_print("edge", &h);
	assert_non_null(strstr(s, " min=10000.0us "));
	assert_non_null(strstr(s, " max=10.0ms "));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_hist_empty),
		cmocka_unit_test(test_stats_hist_single),
		cmocka_unit_test(test_stats_hist_exact_small),
		cmocka_unit_test(test_stats_hist_buckets),
		cmocka_unit_test(test_stats_hist_uniform),
		cmocka_unit_test(test_stats_hist_bimodal),
		cmocka_unit_test(test_stats_hist_clamp),
		cmocka_unit_test(test_stats_hist_merge),
		cmocka_unit_test(test_stats_hist_merge_torn),
		cmocka_unit_test(test_stats_hist_merge_live),
		cmocka_unit_test(test_stats_hist_monotonic),
		cmocka_unit_test(test_stats_hist_json),
		cmocka_unit_test(test_stats_hist_print),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
