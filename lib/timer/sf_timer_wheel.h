/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TIMER_WHEEL_H
#define SF_TIMER_WHEEL_H

/*
 * Per-worker hierarchical hashed timing wheel (Varghese & Lauck), laid out
 * like Linux kernel/time/timer.c: 9 levels of 64 slots, each 8x coarser, no
 * cascading. Time is abstract ticks given by the caller. A timer never fires
 * before its deadline: within 64 ticks exactly on it, farther at most one
 * slot granularity late (< 12.7% of the delay). Arm, re-arm and cancel are
 * O(1) on a node embedded in the caller's record. One wheel per lcore: no
 * locks, no atomics, no knowledge of what it times. Callbacks run only in
 * sf_twheel_advance() and may re-arm or cancel any timer of the wheel.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Longest delay the wheel holds, in ticks (63 * 8^8 + 1; about 12.2 days
 * at 1 tick = 1 ms). Later deadlines are clamped to now + this.
 */
#define SF_TWHEEL_MAX_DELTA ((UINT64_C(63) << 24) + 1)

/**
 * Timer node, embedded in the caller's record. Zero it, or call
 * sf_timer_init(), before first use. All fields but @c kind and @c user
 * belong to the wheel while the timer is armed.
 */
struct sf_timer {
	struct sf_timer *next;   /**< next in its list; wheel-private */
	struct sf_timer **pprev; /**< link that points here; NULL: not armed */
	uint32_t expires;        /**< deadline, low 32 bits of the tick */
	uint16_t list;           /**< list it was filed in; wheel-private */
	uint8_t kind;            /**< caller's tag, untouched by the wheel */
	uint8_t user;            /**< spare caller byte, untouched as well */
};

static_assert(sizeof(struct sf_timer) <= 24, "struct sf_timer over 24 bytes");

/**
 * Expiry callback, one per wheel. The timer is already disarmed
 * (sf_timer_armed() is 0) when it runs; it may re-arm or cancel this or any
 * other timer of the wheel, but must not advance or free the wheel.
 *
 * @param t
 *   The expired timer; use @c kind and container_of() to find its record.
 * @param arg
 *   The @c cb_arg given to sf_twheel_create().
 */
typedef void (*sf_timer_cb_t)(struct sf_timer *t, void *arg);

/** Opaque wheel, defined in timer_wheel.c. */
struct sf_twheel;

/**
 * Prepare a timer node: not armed, tagged @p kind.
 *
 * @param t
 *   The node.
 * @param kind
 *   Caller's tag, handed back untouched in the callback.
 */
static inline void
sf_timer_init(struct sf_timer *t, uint8_t kind)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expires = 0;
	t->list = 0;
	t->kind = kind;
	t->user = 0;
}

/**
 * Tell whether a timer is armed.
 *
 * @param t
 *   An initialized node.
 * @return
 *   1 if armed (pending, or due and not yet run), 0 otherwise.
 */
static inline int
sf_timer_armed(const struct sf_timer *t)
{
	return t->pprev != NULL;
}

/**
 * Create a wheel whose clock starts at @p now.
 *
 * @param socket_id
 *   NUMA socket to allocate on, or SOCKET_ID_ANY.
 * @param now
 *   Current time in ticks; timers due at or before it run on the next
 *   sf_twheel_advance().
 * @param cb
 *   Callback run for every expired timer.
 * @param cb_arg
 *   Opaque argument passed to @p cb.
 * @return
 *   The wheel, or NULL with rte_errno set:
 *   - EINVAL: @p cb is NULL.
 *   - ENOMEM: no memory on @p socket_id.
 */
struct sf_twheel *sf_twheel_create(int socket_id, uint64_t now,
				   sf_timer_cb_t cb, void *cb_arg);

/**
 * Free a wheel. Every timer still armed on it is disarmed (not run), so
 * sf_timer_armed() stays truthful afterwards. Not from a callback.
 *
 * @param tw
 *   The wheel, or NULL (no-op).
 */
void sf_twheel_free(struct sf_twheel *tw);

/**
 * Arm a timer to fire at @p expires, or move it there if already armed
 * on this wheel. O(1). A deadline more than SF_TWHEEL_MAX_DELTA past the
 * wheel clock (sf_twheel_now()) is clamped to it. A deadline at or before
 * the wheel clock makes the timer due: it runs first in the next
 * sf_twheel_advance() call, even one with the same @c now; armed so from a
 * callback, it runs on the next tick instead, so a callback re-arming itself
 * in the past cannot spin.
 *
 * @param tw
 *   The wheel.
 * @param t
 *   An initialized node, not armed on another wheel.
 * @param expires
 *   Deadline in ticks.
 */
void sf_twheel_arm(struct sf_twheel *tw, struct sf_timer *t, uint64_t expires);

/**
 * Disarm a timer without running it. O(1); no-op if it is not armed.
 *
 * @param tw
 *   The wheel it is armed on.
 * @param t
 *   An initialized node.
 */
void sf_twheel_cancel(struct sf_twheel *tw, struct sf_timer *t);

/**
 * Move the wheel clock to @p now and run the callback of every timer
 * due by then, at most @p max of them. Due timers left over because of the
 * bound stay armed and run first on the next call; the clock then catches
 * up. Empty stretches of time cost nothing: the wheel jumps to the next
 * occupied slot through per-level occupancy bitmaps. A @p now before the
 * latest one given is taken as that one (time never goes back).
 *
 * @param tw
 *   The wheel.
 * @param now
 *   Current time in ticks.
 * @param max
 *   Most callbacks to run in this call (UINT_MAX: no bound).
 * @return
 *   Number of callbacks run (timers fired).
 */
unsigned int sf_twheel_advance(struct sf_twheel *tw, uint64_t now,
			       unsigned int max);

/**
 * Count the armed timers (pending or due).
 *
 * @param tw
 *   The wheel.
 * @return
 *   Number of armed timers.
 */
uint64_t sf_twheel_count(const struct sf_twheel *tw);

/**
 * Read the wheel clock: the tick up to which timers have been expired.
 * Inside a callback, the tick being expired (the fire tick of that timer);
 * after an sf_twheel_advance() that was not cut short by @c max, its @c now.
 *
 * @param tw
 *   The wheel.
 * @return
 *   The wheel clock in ticks.
 */
uint64_t sf_twheel_now(const struct sf_twheel *tw);

/**
 * Read an armed timer's deadline (after clamping).
 *
 * @param tw
 *   The wheel it is armed on.
 * @param t
 *   An armed node.
 * @return
 *   The deadline in ticks; exact while it is within 2^31 ticks of the
 *   wheel clock, which holds for any armed timer the wheel keeps advancing.
 */
uint64_t sf_twheel_expires(const struct sf_twheel *tw,
			   const struct sf_timer *t);

#endif /* SF_TIMER_WHEEL_H */
