/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical hashed timing wheel, after Linux kernel/time/timer.c.
 *
 * Level l has 64 slots of granularity 8^l ticks. A timer goes to the lowest
 * level that can hold its delay without wrapping, rounded up to that level's
 * granularity, and stays there: no cascading. Most timers (RTO, keepalive)
 * are cancelled or re-armed long before they expire, so a far timer pays one
 * O(1) insert and one O(1) removal, never a move between levels; the price
 * is precision, at most one granularity late, which the level choice keeps
 * under 8/63 (12.7%) of the delay.
 *
 * Level l, granularity g = 8^l, takes delays up to 63 * g + 1: with
 * clk = k * g + r (0 <= r < g) and a deadline e = clk + d, the slot number
 * c = ceil(e / g) is in [k + 1, k + 64], so slot c % 64 is not reached by
 * the wheel before tick c * g, and holds no other revolution. Its slot is
 * collected exactly at tick c * g, which is >= e and < e + g.
 *
 *   level  granularity   longest delay (ticks)   at 1 tick = 1 ms
 *     0             1                      64     64 ms
 *     1             8                     505     0.5 s
 *     2            64                   4 033     4 s
 *     3           512                  32 257     32 s
 *     4         4 096                 258 049     4.3 min
 *     5        32 768               2 064 385     34 min
 *     6       262 144              16 515 073     4.6 h
 *     7     2 097 152             132 120 577     36.7 h
 *     8    16 777 216           1 056 964 609     12.2 days
 *
 * The clock moves from occupied slot to occupied slot: per-level occupancy
 * bitmaps give the next one in a few instructions, so an idle stretch of any
 * length costs one step per occupied slot inside it. Collected slots are
 * moved whole, in O(1), to per-level run lists drained under the caller's
 * budget before the clock moves on, so a timer runs with the clock on the
 * tick it was collected at even when the budget defers it. A timer armed
 * already due goes to a FIFO due list drained first by the next call; from a
 * callback it goes to the next tick instead, as in Linux, so a callback that
 * re-arms itself in the past cannot keep one call spinning.
 */
#include <stdint.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "sf_common.h"
#include "sf_timer_wheel.h"

#define TW_LVL_BITS 6
#define TW_LVL_SIZE (1u << TW_LVL_BITS)
#define TW_LVL_MASK (TW_LVL_SIZE - 1)
#define TW_CLK_SHIFT 3
#define TW_LEVELS 9
#define TW_NSLOTS (TW_LEVELS * TW_LVL_SIZE)

#define TW_LVL_SHIFT(l) ((l) * TW_CLK_SHIFT)
#define TW_LVL_GRAN(l) (UINT64_C(1) << TW_LVL_SHIFT(l))
/* Longest delay level l holds (see the proof above). */
#define TW_LVL_LIMIT(l) (((uint64_t)(TW_LVL_SIZE - 1) << TW_LVL_SHIFT(l)) + 1)

/* Past the slots, in drain order: the due list, one run list per level. */
#define TW_DUE TW_NSLOTS
#define TW_RUN(l) (TW_DUE + 1 + (l))
#define TW_NLISTS TW_RUN(TW_LEVELS)

static_assert(TW_LVL_LIMIT(TW_LEVELS - 1) == SF_TWHEEL_MAX_DELTA,
	      "SF_TWHEEL_MAX_DELTA does not match the level layout");
static_assert(TW_NLISTS <= UINT16_MAX, "list index must fit sf_timer.list");

struct sf_twheel {
	uint64_t clk;		/* slots due by this tick are collected */
	uint64_t target;	/* latest now given; clk catches up to it */
	uint64_t count;		/* armed timers */
	struct sf_timer **due_tail;	/* last link of the due list */
	unsigned int running;	/* inside sf_twheel_advance() */
	sf_timer_cb_t cb;
	void *cb_arg;
	uint64_t pending[TW_LEVELS];	/* bit s: slot s is not empty */
	struct sf_timer *lists[TW_NLISTS];	/* slots, due, run lists */
} __rte_cache_aligned;

static inline void
tw_link(struct sf_twheel *tw, struct sf_timer *t, unsigned int idx)
{
	struct sf_timer **head = &tw->lists[idx];

	t->next = *head;
	if (*head != NULL)
		(*head)->pprev = &t->next;
	*head = t;
	t->pprev = head;
	t->list = (uint16_t)idx;
}

/* Append to the due list, FIFO: deferred timers keep their turn. */
static inline void
tw_link_due(struct sf_twheel *tw, struct sf_timer *t)
{
	t->next = NULL;
	t->pprev = tw->due_tail;
	*tw->due_tail = t;
	tw->due_tail = &t->next;
	t->list = TW_DUE;
}

/*
 * A timer moved whole from a slot to a run list keeps the slot number in
 * t->list. That is harmless: the slot bit is cleared only when the slot's
 * list is empty, and then the bit is clear already. Only tw_link_due() files
 * timers in the due list, so its tag is exact.
 */
static inline void
tw_unlink(struct sf_twheel *tw, struct sf_timer *t)
{
	struct sf_timer *next = t->next;

	*t->pprev = next;
	if (next != NULL) {
		next->pprev = t->pprev;
	} else if (t->list < TW_NSLOTS) {
		if (tw->lists[t->list] == NULL)
			tw->pending[t->list / TW_LVL_SIZE] &=
				~(UINT64_C(1) << (t->list & TW_LVL_MASK));
	} else if (t->list == TW_DUE) {
		tw->due_tail = t->pprev;
	}
	t->pprev = NULL;
}

/* Move list @from, whole, onto the empty list @to. */
static inline void
tw_move(struct sf_twheel *tw, unsigned int from, unsigned int to)
{
	struct sf_timer *first = tw->lists[from];

	RTE_ASSERT(tw->lists[to] == NULL);
	tw->lists[from] = NULL;
	tw->lists[to] = first;
	if (first != NULL)
		first->pprev = &tw->lists[to];
}

/* Earliest tick after clk at which some occupied slot is collected. */
static inline uint64_t
tw_next_tick(const struct sf_twheel *tw)
{
	uint64_t next = UINT64_MAX;
	uint64_t map, c, tick;
	unsigned int lvl, pos;

	for (lvl = 0; lvl < TW_LEVELS; lvl++) {
		map = tw->pending[lvl];
		if (map == 0)
			continue;
		/* Slot numbers ahead of clk are k + 1 .. k + 64. */
		c = (tw->clk >> TW_LVL_SHIFT(lvl)) + 1;
		pos = c & TW_LVL_MASK;
		map = (map >> pos) |
			(map << ((TW_LVL_SIZE - pos) & TW_LVL_MASK));
		c += (uint64_t)__builtin_ctzll(map);
		tick = c << TW_LVL_SHIFT(lvl);
		if (tick < next)
			next = tick;
	}
	return next;
}

/* Move every slot collected at @tick to its level's run list. */
static inline void
tw_collect(struct sf_twheel *tw, uint64_t tick)
{
	unsigned int lvl, slot;
	uint64_t bit;

	for (lvl = 0; lvl < TW_LEVELS; lvl++) {
		/* A level turns only on multiples of its granularity. */
		if ((tick & (TW_LVL_GRAN(lvl) - 1)) != 0)
			break;
		slot = (tick >> TW_LVL_SHIFT(lvl)) & TW_LVL_MASK;
		bit = UINT64_C(1) << slot;
		if ((tw->pending[lvl] & bit) == 0)
			continue;
		tw->pending[lvl] &= ~bit;
		tw_move(tw, lvl * TW_LVL_SIZE + slot, TW_RUN(lvl));
	}
}

/* First timer to run, or NULL when the due and run lists are empty. */
static inline struct sf_timer *
tw_run_first(const struct sf_twheel *tw)
{
	unsigned int i;

	for (i = TW_DUE; i < TW_NLISTS; i++)
		if (tw->lists[i] != NULL)
			return tw->lists[i];
	return NULL;
}

struct sf_twheel *
sf_twheel_create(int socket_id, uint64_t now, sf_timer_cb_t cb, void *cb_arg)
{
	struct sf_twheel *tw;

	if (cb == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	tw = rte_zmalloc_socket("sf_twheel", sizeof(*tw), RTE_CACHE_LINE_SIZE,
				socket_id);
	if (tw == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	tw->clk = now;
	tw->target = now;
	tw->due_tail = &tw->lists[TW_DUE];
	tw->cb = cb;
	tw->cb_arg = cb_arg;
	return tw;
}

void
sf_twheel_free(struct sf_twheel *tw)
{
	struct sf_timer *t, *next;
	unsigned int i;

	if (tw == NULL)
		return;
	for (i = 0; i < TW_NLISTS; i++) {
		for (t = tw->lists[i]; t != NULL; t = next) {
			next = t->next;
			t->next = NULL;
			t->pprev = NULL;
		}
	}
	rte_free(tw);
}

void
sf_twheel_arm(struct sf_twheel *tw, struct sf_timer *t, uint64_t expires)
{
	unsigned int lvl, idx;
	uint64_t delta;

	if (t->pprev != NULL)
		tw_unlink(tw, t);
	else
		tw->count++;

	if (expires <= tw->clk) {
		t->expires = (uint32_t)expires;
		if (!tw->running) {
			tw_link_due(tw, t);
			return;
		}
		/* From a callback: the next tick, not this call again. */
		idx = (tw->clk + 1) & TW_LVL_MASK;
		tw->pending[0] |= UINT64_C(1) << idx;
		tw_link(tw, t, idx);
		return;
	}
	delta = expires - tw->clk;
	if (unlikely(delta > SF_TWHEEL_MAX_DELTA)) {
		delta = SF_TWHEEL_MAX_DELTA;
		expires = tw->clk + delta;
	}
	for (lvl = 0; delta > TW_LVL_LIMIT(lvl); lvl++)
		;
	/* Round up to the level's granularity: never early. */
	idx = ((expires + TW_LVL_GRAN(lvl) - 1) >> TW_LVL_SHIFT(lvl)) &
		TW_LVL_MASK;
	tw->pending[lvl] |= UINT64_C(1) << idx;
	t->expires = (uint32_t)expires;
	tw_link(tw, t, lvl * TW_LVL_SIZE + idx);
}

void
sf_twheel_cancel(struct sf_twheel *tw, struct sf_timer *t)
{
	if (t->pprev == NULL)
		return;
	tw_unlink(tw, t);
	tw->count--;
}

unsigned int
sf_twheel_advance(struct sf_twheel *tw, uint64_t now, unsigned int max)
{
	unsigned int fired = 0;
	struct sf_timer *t;
	uint64_t next;

	RTE_ASSERT(!tw->running);
	if (now > tw->target)
		tw->target = now;
	tw->running = 1;
	for (;;) {
		t = tw_run_first(tw);
		if (t != NULL) {
			if (fired == max)
				break;
			tw_unlink(tw, t);
			tw->count--;
			fired++;
			tw->cb(t, tw->cb_arg);
			continue;
		}
		/* Run lists empty: step to the next occupied slot. */
		if (tw->clk >= tw->target)
			break;
		next = tw_next_tick(tw);
		if (next > tw->target) {
			tw->clk = tw->target;
			break;
		}
		if (fired == max) {
			/* Nothing is collected before next. */
			tw->clk = next - 1;
			break;
		}
		tw->clk = next;
		tw_collect(tw, next);
	}
	tw->running = 0;
	return fired;
}

uint64_t
sf_twheel_count(const struct sf_twheel *tw)
{
	return tw->count;
}

uint64_t
sf_twheel_now(const struct sf_twheel *tw)
{
	return tw->clk;
}

uint64_t
sf_twheel_expires(const struct sf_twheel *tw, const struct sf_timer *t)
{
	return tw->clk + (uint64_t)(int64_t)(int32_t)(t->expires -
						      (uint32_t)tw->clk);
}
