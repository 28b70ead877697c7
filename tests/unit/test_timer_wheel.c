/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sf_twheel: exact near deadlines, bounded lateness far away, cancel,
 * re-arm, budgeted expiry, callbacks that touch timers, long idle jumps and
 * a randomized run against a shadow model. Time is driven by hand; inside a
 * callback sf_twheel_now() is the fire tick, so lateness is measured exactly.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "sf_timer_wheel.h"
#include "sf_test.h"

#define REC_KIND 7

struct rec {
	struct sf_timer tm;
	uint64_t deadline;	/* after clamping */
	uint64_t armed_at;	/* wheel clock at arm time */
	uint64_t fired_at;	/* wheel clock in the last callback */
	unsigned int fires;	/* since the last arm */
	unsigned int total;	/* fires ever */
	unsigned int armed;	/* shadow of sf_timer_armed() */
	unsigned int from_cb;	/* armed from a callback */
	uint64_t period;	/* re-arm from the callback when not 0 */
	struct rec *victim;	/* cancel this one from the callback */
	uint64_t victim_expires;	/* ... or re-arm it here if not 0 */
};

struct tw_ctx {
	struct sf_twheel *tw;
	uint64_t fired;
	uint64_t early;		/* fired before the deadline */
	uint64_t late;		/* fired past the bound */
	uint64_t twice;		/* fired while the shadow said unarmed */
	uint64_t live;		/* shadow count of armed timers */
	unsigned int in_cb;
	struct rec *spawn;	/* arm it due from the next callback */
};

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

/* Delay spread over all levels: 1 .. 2^bits, log-uniform. */
static uint64_t
rng_delay(unsigned int bits)
{
	unsigned int e = (unsigned int)(rng() % (bits + 1));

	return 1 + rng() % (UINT64_C(1) << e);
}

/*
 * Spec of the layout: level l (granularity 8^l) holds delays up to
 * 63 * 8^l + 1; a timer fires at most granularity - 1 ticks late.
 */
static uint64_t
gran_for(uint64_t delay)
{
	uint64_t g = 1;

	while (delay > 63 * g + 1)
		g <<= 3;
	return g;
}

static uint64_t
late_max(uint64_t delay)
{
	return delay == 0 ? 0 : gran_for(delay) - 1;
}

/* Latest tick the timer may fire at. */
static uint64_t
fire_by(const struct rec *r)
{
	/* Armed due: next call, clock unchanged; from a callback: next tick */
	if (r->deadline <= r->armed_at)
		return r->armed_at + (r->from_cb ? 1 : 0);
	return r->deadline + late_max(r->deadline - r->armed_at);
}

static double
elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
		(double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static void
rec_arm(struct tw_ctx *c, struct rec *r, uint64_t expires)
{
	uint64_t now = sf_twheel_now(c->tw);

	if (expires > now && expires - now > SF_TWHEEL_MAX_DELTA)
		expires = now + SF_TWHEEL_MAX_DELTA;
	if (!r->armed)
		c->live++;
	r->armed = 1;
	r->fires = 0;
	r->deadline = expires;
	r->armed_at = now;
	r->from_cb = c->in_cb;
	sf_twheel_arm(c->tw, &r->tm, expires);
}

static void
rec_cancel(struct tw_ctx *c, struct rec *r)
{
	if (r->armed)
		c->live--;
	r->armed = 0;
	sf_twheel_cancel(c->tw, &r->tm);
}

static void
rec_fired(struct sf_timer *t, void *arg)
{
	struct tw_ctx *c = arg;
	struct rec *r = container_of(t, struct rec, tm);
	uint64_t now = sf_twheel_now(c->tw);
	uint64_t delay, late;

	c->fired++;
	if (sf_timer_armed(t) || t->kind != REC_KIND || !r->armed) {
		c->twice++;
		return;
	}
	r->armed = 0;
	r->fires++;
	r->total++;
	r->fired_at = now;
	c->live--;
	if (now < r->deadline) {
		c->early++;
	} else if (now > fire_by(r)) {
		c->late++;
	} else if (r->deadline > r->armed_at) {
		/* Far: under 8/63 of the delay late. */
		delay = r->deadline - r->armed_at;
		late = now - r->deadline;
		if (delay > 64 && late * 63 >= delay * 8)
			c->late++;
	}
	c->in_cb = 1;
	if (r->victim != NULL) {
		if (r->victim_expires != 0)
			rec_arm(c, r->victim, r->victim_expires);
		else
			rec_cancel(c, r->victim);
	}
	if (c->spawn != NULL) {
		rec_arm(c, c->spawn, now);
		c->spawn = NULL;
	}
	if (r->period != 0)
		rec_arm(c, r, now + r->period);
	c->in_cb = 0;
}

static void
ctx_init(struct tw_ctx *c, uint64_t now)
{
	memset(c, 0, sizeof(*c));
	c->tw = sf_twheel_create(SOCKET_ID_ANY, now, rec_fired, c);
	assert_non_null(c->tw);
	assert_int_equal(sf_twheel_now(c->tw), now);
	assert_int_equal(sf_twheel_count(c->tw), 0);
}

static void
ctx_check(const struct tw_ctx *c)
{
	assert_int_equal(c->early, 0);
	assert_int_equal(c->late, 0);
	assert_int_equal(c->twice, 0);
	assert_int_equal(sf_twheel_count(c->tw), c->live);
}

static struct rec *
recs_new(size_t n)
{
	struct rec *r = calloc(n, sizeof(*r));
	size_t i;

	assert_non_null(r);
	for (i = 0; i < n; i++)
		sf_timer_init(&r[i].tm, REC_KIND);
	return r;
}

static int
group_setup(void **state)
{
	(void)state;
	sf_test_eal_init();
	rng_state = 0x5eed;
	return 0;
}

static void
test_timer_wheel_node(void **state)
{
	struct sf_timer t;
	struct tw_ctx c;
	struct rec r;

	(void)state;
	assert_true(sizeof(struct sf_timer) <= 24);
	memset(&t, 0xa5, sizeof(t));
	sf_timer_init(&t, 3);
	assert_false(sf_timer_armed(&t));
	assert_int_equal(t.kind, 3);

	rte_errno = 0;
	assert_null(sf_twheel_create(SOCKET_ID_ANY, 0, NULL, NULL));
	assert_int_equal(rte_errno, EINVAL);

	ctx_init(&c, 1000);
	memset(&r, 0, sizeof(r));
	sf_timer_init(&r.tm, REC_KIND);
	r.tm.user = 0x42;
	rec_arm(&c, &r, 1010);
	assert_true(sf_timer_armed(&r.tm));
	assert_int_equal(sf_twheel_expires(c.tw, &r.tm), 1010);
	assert_int_equal(sf_twheel_count(c.tw), 1);
	/* Arming twice is a move, not a second timer. */
	rec_arm(&c, &r, 1005);
	assert_int_equal(sf_twheel_count(c.tw), 1);
	assert_int_equal(sf_twheel_advance(c.tw, 1004, UINT_MAX), 0);
	assert_int_equal(sf_twheel_advance(c.tw, 1005, UINT_MAX), 1);
	assert_int_equal(r.fired_at, 1005);
	assert_false(sf_timer_armed(&r.tm));
	assert_int_equal(r.tm.kind, REC_KIND);
	assert_int_equal(r.tm.user, 0x42);
	ctx_check(&c);

	/* Freeing the wheel disarms what is left on it. */
	rec_arm(&c, &r, 5000);
	sf_twheel_free(c.tw);
	assert_false(sf_timer_armed(&r.tm));
	sf_twheel_free(NULL);
}

/* Every delay 1..64 fires exactly on its tick, from several clocks. */
static void
test_timer_wheel_near_exact(void **state)
{
	static const uint64_t starts[] = {
		0, 1, 63, 64, 12345, (UINT64_C(1) << 32) - 20,
		UINT64_C(0x123456789ab),
	};
	struct rec *r = recs_new(64);
	unsigned int s, i;
	struct tw_ctx c;
	uint64_t now;

	(void)state;
	for (s = 0; s < RTE_DIM(starts); s++) {
		ctx_init(&c, starts[s]);
		for (i = 0; i < 64; i++) {
			rec_arm(&c, &r[i], starts[s] + i + 1);
			assert_int_equal(sf_twheel_expires(c.tw, &r[i].tm),
					 starts[s] + i + 1);
		}
		for (now = starts[s] + 1; now <= starts[s] + 64; now++) {
			assert_int_equal(sf_twheel_advance(c.tw, now,
							   UINT_MAX), 1);
			i = (unsigned int)(now - starts[s] - 1);
			assert_int_equal(r[i].fired_at, now);
		}
		ctx_check(&c);
		assert_int_equal(sf_twheel_count(c.tw), 0);
		sf_twheel_free(c.tw);
	}
	free(r);
}

/*
 * Far deadlines on every level, the edges of each level included: silent
 * one tick before the deadline, then fired within one granularity, which is
 * under 12.5% of the delay + 1 granularity (the tighter 8/63 is checked by
 * rec_fired()).
 */
static void
test_timer_wheel_far_bounds(void **state)
{
	uint64_t delays[64], g, start, late;
	unsigned int n = 0, i, k;
	struct tw_ctx c;
	struct rec r;

	(void)state;
	for (g = 1; g <= (UINT64_C(1) << 24); g <<= 3) {
		delays[n++] = 8 * g;
		delays[n++] = 50 * g + 3;
		delays[n++] = 63 * g + 1;	/* last delay on level */
		if (g < (UINT64_C(1) << 24))
			delays[n++] = 63 * g + 2;	/* first on next */
	}
	delays[n++] = SF_TWHEEL_MAX_DELTA - 1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++) {
			/* Clock at 0, on the level's worst phase (one tick
			 * short of its granularity), on a turn, anywhere. */
			g = gran_for(delays[i]);
			start = rng() % (UINT64_C(1) << 40);
			if (k == 0)
				start = 0;
			else if (k == 1)
				start |= g - 1;
			else if (k == 2)
				start &= ~(64 * g - 1);
			ctx_init(&c, start);
			memset(&r, 0, sizeof(r));
			sf_timer_init(&r.tm, REC_KIND);
			rec_arm(&c, &r, start + delays[i]);
			assert_int_equal(sf_twheel_expires(c.tw, &r.tm),
					 start + delays[i]);
			assert_int_equal(sf_twheel_advance(c.tw,
					 r.deadline - 1, UINT_MAX), 0);
			assert_int_equal(sf_twheel_now(c.tw), r.deadline - 1);
			assert_int_equal(sf_twheel_advance(c.tw,
					 r.deadline + delays[i] / 8 + g,
					 UINT_MAX), 1);
			assert_true(r.fired_at >= r.deadline);
			late = r.fired_at - r.deadline;
			assert_true(late <= delays[i] / 8 + g);
			assert_true(late < g);
			ctx_check(&c);
			sf_twheel_free(c.tw);
		}
	}
}

/* Beyond the range: clamped to SF_TWHEEL_MAX_DELTA, still never early. */
static void
test_timer_wheel_clamp(void **state)
{
	struct tw_ctx c;
	struct rec r;

	(void)state;
	ctx_init(&c, 777);
	memset(&r, 0, sizeof(r));
	sf_timer_init(&r.tm, REC_KIND);
	rec_arm(&c, &r, UINT64_C(1) << 50);
	assert_int_equal(sf_twheel_expires(c.tw, &r.tm),
			 777 + SF_TWHEEL_MAX_DELTA);
	assert_int_equal(sf_twheel_advance(c.tw, r.deadline - 1, UINT_MAX), 0);
	assert_int_equal(sf_twheel_advance(c.tw, UINT64_C(1) << 50, UINT_MAX),
			 1);
	ctx_check(&c);
	sf_twheel_free(c.tw);
}

static void
test_timer_wheel_cancel(void **state)
{
	struct rec *r = recs_new(4);
	struct tw_ctx c;

	(void)state;
	ctx_init(&c, 0);
	rec_arm(&c, &r[0], 10);		/* level 0 */
	rec_arm(&c, &r[1], 1000);	/* level 2 */
	rec_arm(&c, &r[2], 0);		/* due */
	rec_arm(&c, &r[3], 10);		/* same slot as r[0] */
	rec_cancel(&c, &r[0]);
	rec_cancel(&c, &r[1]);
	rec_cancel(&c, &r[2]);
	rec_cancel(&c, &r[2]);		/* not armed: no-op */
	assert_int_equal(sf_twheel_count(c.tw), 1);
	assert_false(sf_timer_armed(&r[0].tm));
	assert_true(sf_timer_armed(&r[3].tm));
	assert_int_equal(sf_twheel_advance(c.tw, 5000, UINT_MAX), 1);
	assert_int_equal(r[3].fires, 1);
	assert_int_equal(r[0].fires + r[1].fires + r[2].fires, 0);
	rec_cancel(&c, &r[3]);		/* after firing: no-op */
	ctx_check(&c);
	assert_int_equal(sf_twheel_count(c.tw), 0);
	sf_twheel_free(c.tw);
	free(r);
}

static void
test_timer_wheel_rearm(void **state)
{
	struct rec *r = recs_new(3);
	struct tw_ctx c;

	(void)state;
	ctx_init(&c, 0);
	/* Sooner: from level 2 to level 0. */
	rec_arm(&c, &r[0], 1000);
	rec_arm(&c, &r[0], 50);
	/* Later: from level 0 to level 2; and out of the due list. */
	rec_arm(&c, &r[1], 10);
	rec_arm(&c, &r[1], 1000);
	rec_arm(&c, &r[2], 0);
	rec_arm(&c, &r[2], 60);
	assert_int_equal(sf_twheel_count(c.tw), 3);
	assert_int_equal(sf_twheel_advance(c.tw, 49, UINT_MAX), 0);
	assert_int_equal(sf_twheel_advance(c.tw, 50, UINT_MAX), 1);
	assert_int_equal(r[0].fired_at, 50);
	assert_int_equal(sf_twheel_advance(c.tw, 60, UINT_MAX), 1);
	assert_int_equal(r[2].fired_at, 60);
	assert_int_equal(sf_twheel_advance(c.tw, 999, UINT_MAX), 0);
	assert_int_equal(sf_twheel_advance(c.tw, 2000, UINT_MAX), 1);
	assert_true(r[1].fired_at >= 1000 && r[1].fired_at < 1064);
	/* Re-arm again after firing: a fresh timer. */
	rec_arm(&c, &r[1], 2001);
	assert_int_equal(sf_twheel_advance(c.tw, 2001, UINT_MAX), 1);
	assert_int_equal(r[1].fired_at, 2001);
	ctx_check(&c);
	sf_twheel_free(c.tw);
	free(r);
}

/* Deadline at or before the clock: fires on the next advance, same now. */
static void
test_timer_wheel_due_now(void **state)
{
	struct rec *r = recs_new(3);
	struct tw_ctx c;

	(void)state;
	ctx_init(&c, 5000);
	rec_arm(&c, &r[0], 5000);
	rec_arm(&c, &r[1], 4000);
	rec_arm(&c, &r[2], 0);
	assert_int_equal(sf_twheel_expires(c.tw, &r[1].tm), 4000);
	assert_int_equal(r[0].fires + r[1].fires + r[2].fires, 0);
	assert_int_equal(sf_twheel_advance(c.tw, 5000, UINT_MAX), 3);
	assert_int_equal(sf_twheel_now(c.tw), 5000);
	assert_int_equal(r[0].fired_at, 5000);
	assert_int_equal(r[2].fired_at, 5000);
	/* Also when the clock moves on in the same call. */
	rec_arm(&c, &r[0], 4999);
	assert_int_equal(sf_twheel_advance(c.tw, 6000, UINT_MAX), 1);
	assert_int_equal(r[0].fired_at, 5000);
	/* A now that goes back is taken as the latest one. */
	rec_arm(&c, &r[1], 6001);
	assert_int_equal(sf_twheel_advance(c.tw, 10, UINT_MAX), 0);
	assert_int_equal(sf_twheel_now(c.tw), 6000);
	assert_int_equal(sf_twheel_advance(c.tw, 6001, UINT_MAX), 1);
	ctx_check(&c);
	sf_twheel_free(c.tw);
	free(r);
}

/* The max bound defers: nothing lost, nothing run twice, none early. */
static void
test_timer_wheel_max_bound(void **state)
{
	unsigned int n, i, calls;
	struct rec *r = recs_new(300);
	struct tw_ctx c;
	uint64_t total;

	(void)state;
	ctx_init(&c, 0);
	/* 100 on one tick. */
	for (i = 0; i < 100; i++)
		rec_arm(&c, &r[i], 20);
	assert_int_equal(sf_twheel_advance(c.tw, 20, 30), 30);
	assert_int_equal(sf_twheel_count(c.tw), 70);
	/* Deferred timers can still be cancelled and re-armed. */
	for (i = 0; i < 100; i++)
		if (r[i].armed)
			break;
	rec_cancel(&c, &r[i]);
	rec_arm(&c, &r[i + 1], 25);
	assert_int_equal(sf_twheel_advance(c.tw, 20, 0), 0);
	assert_int_equal(sf_twheel_advance(c.tw, 20, 30), 30);
	assert_int_equal(sf_twheel_advance(c.tw, 20, 50), 38);
	assert_int_equal(sf_twheel_count(c.tw), 1);
	assert_int_equal(sf_twheel_advance(c.tw, 25, 30), 1);
	assert_int_equal(r[i + 1].fired_at, 25);
	ctx_check(&c);

	/* 300 spread over every level, one jump, a budget of 7 a call. */
	for (i = 0; i < 300; i++)
		rec_arm(&c, &r[i], 26 + rng_delay(22));
	total = 0;
	calls = 0;
	do {
		n = sf_twheel_advance(c.tw, UINT64_C(1) << 23, 7);
		assert_true(n <= 7);
		total += n;
		calls++;
		ctx_check(&c);
	} while (n == 7);
	assert_int_equal(total, 300);
	assert_true(calls >= 300 / 7);
	assert_int_equal(sf_twheel_now(c.tw), UINT64_C(1) << 23);
	for (i = 0; i < 300; i++)
		assert_int_equal(r[i].fires, 1);
	assert_int_equal(sf_twheel_count(c.tw), 0);
	sf_twheel_free(c.tw);
	free(r);
}

/* A callback re-arming itself: periodic, also across a long jump. */
static void
test_timer_wheel_periodic(void **state)
{
	struct rec *r = recs_new(2);
	unsigned int t0, t1;
	struct tw_ctx c;
	uint64_t now;

	(void)state;
	ctx_init(&c, 3);
	r[0].period = 100;	/* level 1: up to 7 late each time */
	rec_arm(&c, &r[0], 103);
	r[1].period = 7;	/* level 0: exact */
	rec_arm(&c, &r[1], 10);
	for (now = 4; now <= 1003; now++) {
		sf_twheel_advance(c.tw, now, UINT_MAX);
		if (now >= 10 && (now - 3) % 7 == 0)
			assert_int_equal(r[1].fired_at, now);
	}
	assert_int_equal(r[1].total, (1003 - 10) / 7 + 1);
	assert_true(r[0].total >= 1000 / 108 && r[0].total <= 10);
	ctx_check(&c);
	/* A 7000-tick jump catches up, each period at its own tick. */
	t0 = r[0].total;
	t1 = r[1].total;
	sf_twheel_advance(c.tw, 8003, UINT_MAX);
	assert_int_equal(r[1].total - t1, 1000);
	assert_int_equal(r[1].fired_at, 10 + 7 * 1141);
	assert_true(r[0].total - t0 >= 7000 / 108 &&
		    r[0].total - t0 <= 7000 / 100 + 1);
	r[0].period = 0;
	r[1].period = 0;
	rec_cancel(&c, &r[0]);
	rec_cancel(&c, &r[1]);
	ctx_check(&c);

	/* Re-armed in the past from its callback: next tick, no spinning. */
	r[0].period = 0;
	rec_arm(&c, &r[0], 8003);
	assert_int_equal(sf_twheel_advance(c.tw, 8003, UINT_MAX), 1);
	c.spawn = &r[0];
	rec_arm(&c, &r[1], 8003);
	assert_int_equal(sf_twheel_advance(c.tw, 8003, UINT_MAX), 1);
	assert_true(r[0].armed);
	assert_int_equal(sf_twheel_advance(c.tw, 8003, UINT_MAX), 0);
	assert_int_equal(sf_twheel_advance(c.tw, 8004, UINT_MAX), 1);
	assert_int_equal(r[0].fired_at, 8004);
	ctx_check(&c);
	assert_int_equal(sf_twheel_count(c.tw), 0);
	sf_twheel_free(c.tw);
	free(r);
}

/* A callback cancelling or moving other timers due in the same advance. */
static void
test_timer_wheel_cb_cancel_other(void **state)
{
	struct rec *r = recs_new(6);
	struct tw_ctx c;

	(void)state;
	ctx_init(&c, 0);
	/* Same slot, each cancels the other: exactly one runs. */
	r[0].victim = &r[1];
	r[1].victim = &r[0];
	rec_arm(&c, &r[0], 30);
	rec_arm(&c, &r[1], 30);
	/* Same tick, different levels (run lists): r[3] level 1, r[2] 0. */
	r[2].victim = &r[3];
	r[3].victim = &r[2];
	rec_arm(&c, &r[3], 96);
	assert_int_equal(sf_twheel_advance(c.tw, 40, UINT_MAX), 1);
	assert_int_equal(r[0].fires + r[1].fires, 1);
	rec_arm(&c, &r[2], 96);
	/* Due in the same call, moved later by a callback: r[4] moves r[5]. */
	r[4].victim = &r[5];
	r[4].victim_expires = 200;
	rec_arm(&c, &r[4], 100);
	rec_arm(&c, &r[5], 101);
	assert_int_equal(sf_twheel_advance(c.tw, 150, UINT_MAX), 2);
	assert_int_equal(r[2].fires + r[3].fires, 1);
	assert_int_equal(r[2].fires ? r[2].fired_at : r[3].fired_at, 96);
	assert_int_equal(r[4].fired_at, 100);
	assert_int_equal(r[5].fires, 0);
	assert_true(r[5].armed);
	assert_int_equal(sf_twheel_advance(c.tw, 300, UINT_MAX), 1);
	assert_true(r[5].fired_at >= 200 && r[5].fired_at < 208);
	ctx_check(&c);
	assert_int_equal(sf_twheel_count(c.tw), 0);
	sf_twheel_free(c.tw);
	free(r);
}

/* Ten idle minutes (1 tick = 1 ms) and a 12-day jump cost little. */
static void
test_timer_wheel_big_jump(void **state)
{
	const unsigned int n = 20000;
	struct rec *r = recs_new(n + 1);
	const uint64_t gap = 10 * 60 * 1000;
	struct timespec t0;
	unsigned int i, due = 0;
	struct tw_ctx c;
	double ms;

	(void)state;
	ctx_init(&c, 1000);
	for (i = 0; i < n; i++) {
		rec_arm(&c, &r[i], 1000 + rng_delay(21));
		if (fire_by(&r[i]) <= 1000 + gap)
			due++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(sf_twheel_advance(c.tw, 1000 + gap, UINT_MAX) >= due);
	ms = elapsed_ms(&t0);
	print_message("10 min jump, %u timers: %.3f ms\n", n, ms);
	assert_true(ms < 200);
	ctx_check(&c);
	for (i = 0; i < n; i++) {
		if (fire_by(&r[i]) <= 1000 + gap)
			assert_int_equal(r[i].fires, 1);
		if (r[i].deadline > 1000 + gap)
			assert_int_equal(r[i].fires, 0);
	}

	/* Near timers stay exact after the jump. */
	rec_arm(&c, &r[n], 1000 + gap + 17);
	assert_int_equal(sf_twheel_advance(c.tw, 1000 + gap + 16, UINT_MAX),
			 0);
	sf_twheel_advance(c.tw, 1000 + gap + 17, UINT_MAX);
	assert_int_equal(r[n].fired_at, 1000 + gap + 17);

	/* The rest fire over a 12-day jump, in at most one step per slot. */
	rec_arm(&c, &r[n], sf_twheel_now(c.tw) + SF_TWHEEL_MAX_DELTA);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sf_twheel_advance(c.tw, sf_twheel_now(c.tw) + 2 * SF_TWHEEL_MAX_DELTA,
			  UINT_MAX);
	ms = elapsed_ms(&t0);
	print_message("12 day jump: %.3f ms\n", ms);
	assert_true(ms < 200);
	ctx_check(&c);
	assert_int_equal(sf_twheel_count(c.tw), 0);
	for (i = 0; i <= n; i++)
		assert_int_equal(r[i].fires, 1);
	sf_twheel_free(c.tw);
	free(r);
}

/*
 * 100,000 timers over every level up to ~17 min, the clock stepped tick by
 * tick across a 32-bit wrap of the stored expiry, a stream of random
 * cancels and re-arms: each arm fires once or is cancelled, none early or
 * past its bound, the count back to 0.
 */
static void
test_timer_wheel_random_100k(void **state)
{
	const unsigned int n = 100000;
	const uint64_t start = (UINT64_C(1) << 32) - 300000;
	struct rec *r = recs_new(n);
	uint64_t now, arms = n, end;
	struct timespec t0;
	struct tw_ctx c;
	unsigned int i;
	struct rec *x;

	(void)state;
	ctx_init(&c, start);
	for (i = 0; i < n; i++)
		rec_arm(&c, &r[i], start + rng_delay(20));
	end = start + (UINT64_C(1) << 20) + 200000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (now = start + 1; now <= end; now++) {
		if (now < start + 600000) {
			x = &r[rng() % n];
			switch (rng() % 4) {
			case 0:
				rec_cancel(&c, x);
				break;
			case 1:
				rec_arm(&c, x, now + rng_delay(19));
				arms++;
				break;
			case 2:
				rec_arm(&c, x, now - rng() % 3);
				arms++;
				break;
			default:
				break;
			}
		}
		sf_twheel_advance(c.tw, now, UINT_MAX);
		if ((now & 0xffff) == 0)
			ctx_check(&c);
	}
	print_message("%" PRIu64 " arms, %" PRIu64 " fired, %.1f ms\n", arms,
		      c.fired, elapsed_ms(&t0));
	ctx_check(&c);
	assert_int_equal(c.live, 0);
	assert_int_equal(sf_twheel_count(c.tw), 0);
	for (i = 0; i < n; i++) {
		assert_false(sf_timer_armed(&r[i].tm));
		assert_true(r[i].fires <= 1);
	}
	sf_twheel_free(c.tw);
	free(r);
}

/*
 * Shadow model: random arms (past, near, far, beyond range), cancels and
 * advances with random jumps and budgets. Never early, never twice, fired
 * within bound when the budget allowed, count always right.
 */
static void
test_timer_wheel_model(void **state)
{
	static const unsigned int budgets[] = { 0, 1, 3, 64, UINT_MAX };
	const unsigned int n = 1000;
	struct rec *r = recs_new(n);
	unsigned int i, j, max, fired;
	uint64_t now = 99, f0, d;
	struct tw_ctx c;
	struct rec *x;

	(void)state;
	ctx_init(&c, now);
	for (i = 0; i < 200000; i++) {
		x = &r[rng() % n];
		switch (rng() % 8) {
		case 0:
			rec_cancel(&c, x);
			break;
		case 1:
			rec_arm(&c, x, now - rng() % 100);
			break;
		case 2:
		case 3:
			rec_arm(&c, x, now + rng_delay(12));
			break;
		case 4:
			d = rng() % 64;
			rec_arm(&c, x, now + (d == 0 ? UINT64_C(1) << 45 :
					      rng_delay(d < 8 ? 31 : 24)));
			break;
		default:
			d = rng() % 16;
			now += d < 4 ? 0 : d < 12 ? rng() % 100 :
				d < 15 ? rng() % 100000 : rng() % 100000000;
			max = budgets[rng() % RTE_DIM(budgets)];
			f0 = c.fired;
			fired = sf_twheel_advance(c.tw, now, max);
			assert_int_equal(fired, c.fired - f0);
			assert_true(fired <= max);
			ctx_check(&c);
			if (fired == max)
				break;
			assert_int_equal(sf_twheel_now(c.tw), now);
			for (j = 0; j < n; j++)
				assert_true(!r[j].armed ||
					    fire_by(&r[j]) > now);
			break;
		}
	}
	sf_twheel_advance(c.tw, now + 2 * SF_TWHEEL_MAX_DELTA, UINT_MAX);
	ctx_check(&c);
	assert_int_equal(sf_twheel_count(c.tw), 0);
	sf_twheel_free(c.tw);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_wheel_node),
		cmocka_unit_test(test_timer_wheel_near_exact),
		cmocka_unit_test(test_timer_wheel_far_bounds),
		cmocka_unit_test(test_timer_wheel_clamp),
		cmocka_unit_test(test_timer_wheel_cancel),
		cmocka_unit_test(test_timer_wheel_rearm),
		cmocka_unit_test(test_timer_wheel_due_now),
		cmocka_unit_test(test_timer_wheel_max_bound),
		cmocka_unit_test(test_timer_wheel_periodic),
		cmocka_unit_test(test_timer_wheel_cb_cancel_other),
		cmocka_unit_test(test_timer_wheel_big_jump),
		cmocka_unit_test(test_timer_wheel_random_100k),
		cmocka_unit_test(test_timer_wheel_model),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
