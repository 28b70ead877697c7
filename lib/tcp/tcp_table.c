/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table: open addressing over 64-byte buckets, keys kept in
 * the caller's objects. Written for memory and lookup speed: rte_hash
 * (RW_CONCURRENCY_LF + EXT_TABLE) spent 60-90 bytes per entry on its key
 * store, bucket signatures, ext buckets and free-slot ring, and a lookup
 * touched the bucket, the key store and then the object. Here an entry is
 * one 8-byte slot, and the key is compared in the object the caller is
 * about to use anyway (scripts/bench/table.sh measures both).
 *
 * Bucket: an 8-byte control word and 7 slots of {16-bit signature | 48-bit
 * value}. A slot is written with one atomic 64-bit store, so a reader sees
 * the old or the new slot, never half of each; 0 is an empty slot (a value
 * is never NULL). Why 7 slots and a control word rather than 8 slots: the
 * control word holds the bucket's overflow count (as in Folly F14's
 * outboundOverflowCount): how many keys whose home bucket is this one or
 * one before it (in probe order) live past it. A key goes to the first
 * free slot from its home bucket on (linear probing by bucket); a lookup
 * stops at the first bucket with the key or with an overflow count of 0.
 * So a miss usually reads one bucket, no tombstones are needed, and a
 * delete just clears its slot and decrements the counts it incremented.
 * Entries never move once stored.
 *
 * Lock-free readers. Add raises the counts along the probe path before
 * its slot store (release) publishes the value, and the object's key was
 * written before that; delete clears the slot before it lowers the
 * counts. So a count is never below the number of stored keys passing its
 * bucket, and a reader can miss only a key being added or deleted under
 * it. A slot value a reader loaded may belong to an entry deleted since:
 * its object is still intact (freed only after the grace period), so the
 * key compare and the returned pointer stay valid until the reader goes
 * offline or quiescent.
 *
 * Index and signature. h = CRC32-C of the key with a per-table seed. The
 * bucket is h * nb >> 32 (Lemire's multiply-shift range reduction), not
 * h & (nb - 1): it takes the high bits of h and lets nb be exactly
 * capacity / (7 * 3 / 4) instead of the next power of two, which would
 * cost up to twice the memory (16 B per entry at 1M and 4M, up to 24 B in
 * between, against 12.2 B here). The signature is then the low 16 bits
 * of h, the bits the index depends on least.
 *
 * Deferred free. A delete (or a replace, for the value it replaced)
 * queues the object pointer and starts an RCU QSBR token; the queue is
 * in deletion order and every delete starts exactly one token, so the
 * token of the record j places after the head is head's + j and no token
 * is stored. Reclamation pops from the head while rte_rcu_qsbr_check()
 * (never waiting) passes. The queue has 2 * SF_TCP_TABLE_SLACK(capacity)
 * records of 8 bytes (2 B per entry); add refuses while more than the
 * slack waits, so only deletes without adds (closes, TIME_WAIT expiry)
 * and replaces can fill the rest, and a delete or replace that finds it
 * full waits for the oldest record's grace period: the one place the
 * writer waits, reached only when a reader stayed online through
 * 2 * slack of them (262144 at 1M capacity).
 *
 * Replace (a TCB handing its key to its TIME_WAIT record) keeps the slot:
 * one hot probe and one store, against a delete and an add that each
 * walk the chain and adjust counts.
 *
 * Memory: one memzone (hugepages, named after the table so names stay
 * unique) holding the header, the QSBR variable, the queue and the
 * buckets.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_memzone.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "sf_common.h"
#include "sf_log.h"
#include "tcp_table.h"

/* Most deleted entries one add or del releases, before its own work. */
#define TABLE_RECLAIM_BATCH 32

#define TABLE_SLOTS 7
#define TABLE_SIG_SHIFT 48
#define TABLE_VAL_MASK ((UINT64_C(1) << TABLE_SIG_SHIFT) - 1)
/* The caller's tag bit: kept in the value, masked to reach the key. */
#define TABLE_TAG UINT64_C(1)
/* Memzone name prefix. */
#define TABLE_MZ_PREFIX "sftt_"

static_assert(sizeof(void *) == 8, "slots hold 48-bit pointers");
static_assert(sizeof(TABLE_MZ_PREFIX) - 1 + SF_TCP_TABLE_NAME_MAX <
	      RTE_MEMZONE_NAMESIZE, "table name too long for a memzone");

struct table_bucket {
	uint32_t ovf;		/* keys from here or before that live past */
	uint32_t pad;
	uint64_t slot[TABLE_SLOTS];
} __rte_aligned(64);

static_assert(sizeof(struct table_bucket) == 64, "bucket is a cache line");

struct sf_tcp_table {
	/* read by every lookup */
	struct table_bucket *b;
	uint32_t nb;		/* buckets */
	uint32_t seed;
	uint32_t capacity;
	uint32_t count;		/* live: the writer stores, anyone loads */

	/* writer only */
	uint32_t dq_size;	/* records: 2 * slack */
	uint32_t dq_head;	/* oldest record */
	uint32_t dq_len;	/* records waiting */
	uint32_t slack;
	uint64_t token;		/* latest rte_rcu_qsbr_start() */
	void **dq;
	struct rte_rcu_qsbr *qsv;
	const struct rte_memzone *mz;
	sf_tcp_table_free_t free_data;
	void *free_arg;
} SF_CACHE_ALIGNED;

/* CRC32-C of the 12-byte key: one 8-byte and one 4-byte step. */
static inline uint32_t
table_hash(const struct sf_tcp_table *t, const struct sf_tcp_key *k)
{
	uint64_t addrs;
	uint32_t ports;

	memcpy(&addrs, k, sizeof(addrs));
	memcpy(&ports, (const uint8_t *)k + sizeof(addrs), sizeof(ports));
	return rte_hash_crc_4byte(ports, rte_hash_crc_8byte(addrs, t->seed));
}

static inline uint32_t
table_home(const struct sf_tcp_table *t, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * t->nb) >> 32);
}

static inline uint64_t
table_sig(uint32_t h)
{
	return (uint64_t)(h & 0xffff) << TABLE_SIG_SHIFT;
}

static inline uint32_t
table_next(const struct sf_tcp_table *t, uint32_t bi)
{
	return ++bi == t->nb ? 0 : bi;
}

/* The key at the start of the object a slot points at. */
static inline const struct sf_tcp_key *
table_slot_key(uint64_t s)
{
	return (const struct sf_tcp_key *)(uintptr_t)
		(s & TABLE_VAL_MASK & ~TABLE_TAG);
}

static inline bool
table_key_eq(const struct sf_tcp_key *a, const struct sf_tcp_key *b)
{
	uint64_t a0, b0;
	uint32_t a1, b1;

	memcpy(&a0, a, sizeof(a0));
	memcpy(&b0, b, sizeof(b0));
	memcpy(&a1, (const uint8_t *)a + 8, sizeof(a1));
	memcpy(&b1, (const uint8_t *)b + 8, sizeof(b1));
	return ((a0 ^ b0) | (uint64_t)(a1 ^ b1)) == 0;
}

static inline uint64_t
table_slot_load(const uint64_t *s)
{
	/* Acquire: the object's key was written before the slot. */
	return __atomic_load_n(s, __ATOMIC_ACQUIRE);
}

/* Is slot value @s, loaded for signature @sig, the key @k? */
static inline bool
table_slot_is(uint64_t s, uint64_t sig, const struct sf_tcp_key *k)
{
	return (s & ~TABLE_VAL_MASK) == sig && s != 0 &&
	       table_key_eq(table_slot_key(s), k);
}

/*
 * Probe from bucket @bi for @k. Return the slot's value (0 if absent);
 * with @where, also the slot's address.
 */
static inline uint64_t
table_find(const struct sf_tcp_table *t, const struct sf_tcp_key *k,
	   uint32_t h, uint32_t bi, uint64_t **where)
{
	const uint64_t sig = table_sig(h);
	struct table_bucket *b;
	uint32_t n, i;
	uint64_t s;

	for (n = 0; n < t->nb; n++) {
		b = &t->b[bi];
		for (i = 0; i < TABLE_SLOTS; i++) {
			s = table_slot_load(&b->slot[i]);
			if (table_slot_is(s, sig, k)) {
				if (where != NULL)
					*where = &b->slot[i];
				return s;
			}
		}
		if (__atomic_load_n(&b->ovf, __ATOMIC_ACQUIRE) == 0)
			break;
		bi = table_next(t, bi);
	}
	return 0;
}

/*
 * Full token of the record @j places after the head: every delete starts
 * one token and the queue holds the latest dq_len deletes in order.
 */
static inline uint64_t
table_token(const struct sf_tcp_table *t, uint32_t j)
{
	return t->token - (t->dq_len - 1 - j);
}

/* Release up to @max entries no online reader can see; return how many. */
static uint32_t
table_reclaim(struct sf_tcp_table *t, uint32_t max)
{
	uint32_t n = 0;
	void *data;

	while (t->dq_len != 0 && n < max) {
		if (rte_rcu_qsbr_check(t->qsv, table_token(t, 0), false) == 0)
			break;
		data = t->dq[t->dq_head];
		if (++t->dq_head == t->dq_size)
			t->dq_head = 0;
		t->dq_len--;
		n++;
		if (t->free_data != NULL)
			t->free_data(t->free_arg, data);
	}
	return n;
}

static inline void
table_count_set(struct sf_tcp_table *t, uint32_t n)
{
	__atomic_store_n(&t->count, n, __ATOMIC_RELAXED);
}

struct sf_tcp_table *
sf_tcp_table_create(const char *name, uint32_t capacity, int socket_id,
		    sf_tcp_table_free_t free_data, void *free_arg)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	size_t off_qsv, off_dq, off_b, size;
	struct sf_tcp_table *t;
	uint32_t slack, nb;

	if (name == NULL || name[0] == '\0' || capacity == 0 ||
	    capacity > SF_TCP_TABLE_CAPACITY_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, SF_TCP_TABLE_NAME_MAX + 1) > SF_TCP_TABLE_NAME_MAX) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(mz_name, sizeof(mz_name), TABLE_MZ_PREFIX "%s", name);
	if (rte_memzone_lookup(mz_name) != NULL) {
		rte_errno = EEXIST;
		return NULL;
	}
	slack = SF_TCP_TABLE_SLACK(capacity);
	/* Load at most 3/4 at capacity: capacity / (7 * 3/4) buckets. */
	nb = (uint32_t)(((uint64_t)capacity * 4 + 20) / 21);
	off_qsv = RTE_ALIGN_CEIL(sizeof(*t), RTE_CACHE_LINE_SIZE);
	off_dq = off_qsv + RTE_ALIGN_CEIL(
		rte_rcu_qsbr_get_memsize(SF_TCP_TABLE_MAX_READERS),
		RTE_CACHE_LINE_SIZE);
	off_b = off_dq + RTE_ALIGN_CEIL(sizeof(void *) * 2 * (size_t)slack,
					RTE_CACHE_LINE_SIZE);
	size = off_b + sizeof(struct table_bucket) * (size_t)nb;

	mz = rte_memzone_reserve_aligned(mz_name, size, socket_id, 0,
					 RTE_CACHE_LINE_SIZE);
	if (mz == NULL) {
		/* EEXIST from a race with another create keeps its errno. */
		if (rte_errno != EEXIST)
			rte_errno = ENOMEM;
		SF_LOG(ERR, main, "tcp table %s (%u entries, %zu bytes): %s",
		       name, capacity, size, rte_strerror(rte_errno));
		return NULL;
	}
	/* Also touches every page now, not on the data path. */
	memset(mz->addr, 0, size);
	t = mz->addr;
	t->mz = mz;
	t->b = RTE_PTR_ADD(mz->addr, off_b);
	t->nb = nb;
	t->seed = (uint32_t)rte_rand();
	t->capacity = capacity;
	t->slack = slack;
	t->dq_size = 2 * slack;
	t->dq = RTE_PTR_ADD(mz->addr, off_dq);
	t->qsv = RTE_PTR_ADD(mz->addr, off_qsv);
	t->free_data = free_data;
	t->free_arg = free_arg;
	if (rte_rcu_qsbr_init(t->qsv, SF_TCP_TABLE_MAX_READERS) != 0) {
		SF_LOG(ERR, main, "tcp table %s: qsbr: %s", name,
		       rte_strerror(rte_errno));
		rte_memzone_free(mz);
		return NULL;
	}
	return t;
}

void
sf_tcp_table_free(struct sf_tcp_table *t)
{
	int err = rte_errno;
	void *data;

	if (t == NULL)
		return;
	while (t->dq_len != 0) {
		data = t->dq[t->dq_head];
		if (++t->dq_head == t->dq_size)
			t->dq_head = 0;
		t->dq_len--;
		if (t->free_data != NULL)
			t->free_data(t->free_arg, data);
	}
	rte_memzone_free(t->mz);
	rte_errno = err;
}

int
sf_tcp_table_add(struct sf_tcp_table *t, const struct sf_tcp_key *k,
		 void *data)
{
	const uint64_t v = (uint64_t)(uintptr_t)data;
	struct table_bucket *b;
	uint32_t h, home, bi, free_bi = UINT32_MAX, free_i = 0, i, n;
	uint64_t sig, s;
	bool scan = true;

	if (unlikely(v == 0 || (v & ~TABLE_VAL_MASK) != 0))
		return -EINVAL;
	if (t->dq_len != 0)
		table_reclaim(t, TABLE_RECLAIM_BATCH);
	if (unlikely(t->count >= t->capacity))
		return -ENOSPC;
	if (unlikely(t->dq_len > t->slack)) {
		table_reclaim(t, UINT32_MAX);
		if (t->dq_len > t->slack)
			return -ENOSPC;
	}

	h = table_hash(t, k);
	sig = table_sig(h);
	home = bi = table_home(t, h);
	/*
	 * One walk: look for @k along its whole chain (until a count of 0)
	 * and remember the first free slot, which may be a hole before the
	 * chain's end. Past the chain, go on to the first free slot.
	 * count < capacity < slots, so there is one.
	 */
	for (n = 0; n < t->nb; n++) {
		b = &t->b[bi];
		for (i = 0; i < TABLE_SLOTS; i++) {
			s = b->slot[i];
			if (s == 0) {
				if (free_bi == UINT32_MAX) {
					free_bi = bi;
					free_i = i;
				}
			} else if (scan && table_slot_is(s, sig, k)) {
				return -EEXIST;
			}
		}
		if (b->ovf == 0)
			scan = false;
		if (!scan && free_bi != UINT32_MAX)
			break;
		bi = table_next(t, bi);
	}
	RTE_ASSERT(free_bi != UINT32_MAX);
	/* Counts first: a reader must pass these buckets to reach it. */
	for (bi = home; bi != free_bi; bi = table_next(t, bi))
		__atomic_store_n(&t->b[bi].ovf, t->b[bi].ovf + 1,
				 __ATOMIC_RELAXED);
	__atomic_store_n(&t->b[free_bi].slot[free_i], sig | v,
			 __ATOMIC_RELEASE);
	table_count_set(t, t->count + 1);
	return 0;
}

void *
sf_tcp_table_lookup(const struct sf_tcp_table *t, const struct sf_tcp_key *k)
{
	uint32_t h = table_hash(t, k);

	return (void *)(uintptr_t)(table_find(t, k, h, table_home(t, h),
					      NULL) & TABLE_VAL_MASK);
}

void
sf_tcp_table_prefetch(const struct sf_tcp_table *t, const struct sf_tcp_key *k)
{
	rte_prefetch0(&t->b[table_home(t, table_hash(t, k))]);
}

int
sf_tcp_table_lookup_bulk(const struct sf_tcp_table *t,
			 const struct sf_tcp_key **keys, unsigned int n,
			 void **data)
{
	uint32_t h[SF_TCP_TABLE_BULK_MAX], bi[SF_TCP_TABLE_BULK_MAX];
	uint64_t cand[SF_TCP_TABLE_BULK_MAX];
	const struct table_bucket *b;
	unsigned int i, j;
	uint64_t sig, s;
	int hits = 0;

	if (unlikely(n > SF_TCP_TABLE_BULK_MAX))
		return -EINVAL;
	/* 1: hash every key and start loading its home bucket. */
	for (i = 0; i < n; i++) {
		h[i] = table_hash(t, keys[i]);
		bi[i] = table_home(t, h[i]);
		rte_prefetch0(&t->b[bi[i]]);
	}
	/* 2: the first signature match in the home bucket; load its key. */
	for (i = 0; i < n; i++) {
		b = &t->b[bi[i]];
		sig = table_sig(h[i]);
		cand[i] = 0;
		for (j = 0; j < TABLE_SLOTS; j++) {
			s = table_slot_load(&b->slot[j]);
			if ((s & ~TABLE_VAL_MASK) == sig && s != 0) {
				cand[i] = s;
				rte_prefetch0(table_slot_key(s));
				break;
			}
		}
	}
	/*
	 * 3: compare. A miss in the home bucket, a false signature match
	 * or a key past it takes the full probe (rare under 3/4 load).
	 */
	for (i = 0; i < n; i++) {
		s = cand[i];
		if (s == 0 || !table_key_eq(table_slot_key(s), keys[i])) {
			if (s == 0 && __atomic_load_n(&t->b[bi[i]].ovf,
						      __ATOMIC_ACQUIRE) == 0)
				s = 0;
			else
				s = table_find(t, keys[i], h[i], bi[i], NULL);
		}
		data[i] = (void *)(uintptr_t)(s & TABLE_VAL_MASK);
		hits += s != 0;
	}
	return hits;
}

/*
 * Before an entry is retired: release older ones first, so that this one
 * outlives the call; with the queue full, wait for the oldest (the one
 * wait of the writer, tcp_table.h).
 */
static inline void
table_retire_prepare(struct sf_tcp_table *t)
{
	if (t->dq_len != 0)
		table_reclaim(t, TABLE_RECLAIM_BATCH);
	if (unlikely(t->dq_len == t->dq_size)) {
		rte_rcu_qsbr_check(t->qsv, table_token(t, 0), true);
		table_reclaim(t, TABLE_RECLAIM_BATCH);
	}
	RTE_ASSERT(t->dq_len < t->dq_size);
}

/* Queue slot value @s, which no slot holds any more, for free_data(). */
static inline void
table_retire(struct sf_tcp_table *t, uint64_t s)
{
	uint32_t tail;

	/* Store-release: a reader that sees the new token misses @s. */
	t->token = rte_rcu_qsbr_start(t->qsv);
	tail = t->dq_head + t->dq_len;
	if (tail >= t->dq_size)
		tail -= t->dq_size;
	t->dq[tail] = (void *)(uintptr_t)(s & TABLE_VAL_MASK);
	t->dq_len++;
}

int
sf_tcp_table_del(struct sf_tcp_table *t, const struct sf_tcp_key *k)
{
	uint32_t h, home, bi;
	uint64_t *where = NULL;
	uint64_t s;

	h = table_hash(t, k);
	home = table_home(t, h);
	s = table_find(t, k, h, home, &where);
	if (s == 0)
		return -ENOENT;
	table_retire_prepare(t);
	/* Slot first, then the counts: see the top. */
	__atomic_store_n(where, 0, __ATOMIC_RELEASE);
	bi = (uint32_t)(((struct table_bucket *)RTE_PTR_ALIGN_FLOOR(where,
			 sizeof(struct table_bucket))) - t->b);
	for (; home != bi; home = table_next(t, home))
		__atomic_store_n(&t->b[home].ovf, t->b[home].ovf - 1,
				 __ATOMIC_RELAXED);
	table_retire(t, s);
	table_count_set(t, t->count - 1);
	return 0;
}

int
sf_tcp_table_replace(struct sf_tcp_table *t, const struct sf_tcp_key *k,
		     void *data)
{
	const uint64_t v = (uint64_t)(uintptr_t)data;
	uint64_t *where = NULL;
	uint32_t h;
	uint64_t s;

	if (unlikely(v == 0 || (v & ~TABLE_VAL_MASK) != 0))
		return -EINVAL;
	h = table_hash(t, k);
	s = table_find(t, k, h, table_home(t, h), &where);
	if (s == 0)
		return -ENOENT;
	if (unlikely((s & TABLE_VAL_MASK) == v))
		return -EINVAL;
	table_retire_prepare(t);
	/*
	 * The same key keeps its slot, signature and counts. Release: the
	 * new object's key was written before, so a reader that loads the
	 * new value compares a whole key; one that loaded the old value
	 * still holds an intact object until the grace period ends.
	 */
	__atomic_store_n(where, (s & ~TABLE_VAL_MASK) | v, __ATOMIC_RELEASE);
	table_retire(t, s);
	return 0;
}

void
sf_tcp_table_reclaim(struct sf_tcp_table *t)
{
	table_reclaim(t, UINT32_MAX);
}

uint32_t
sf_tcp_table_count(const struct sf_tcp_table *t)
{
	return __atomic_load_n(&t->count, __ATOMIC_RELAXED);
}

uint32_t
sf_tcp_table_capacity(const struct sf_tcp_table *t)
{
	return t->capacity;
}

int
sf_tcp_table_reader_register(struct sf_tcp_table *t, unsigned int reader_id)
{
	if (reader_id >= SF_TCP_TABLE_MAX_READERS)
		return -EINVAL;
	if (rte_rcu_qsbr_thread_register(t->qsv, reader_id) != 0)
		return -rte_errno;
	return 0;
}

int
sf_tcp_table_reader_unregister(struct sf_tcp_table *t,
			       unsigned int reader_id)
{
	if (reader_id >= SF_TCP_TABLE_MAX_READERS)
		return -EINVAL;
	if (rte_rcu_qsbr_thread_unregister(t->qsv, reader_id) != 0)
		return -rte_errno;
	return 0;
}

void
sf_tcp_table_reader_online(struct sf_tcp_table *t, unsigned int reader_id)
{
	RTE_ASSERT(reader_id < SF_TCP_TABLE_MAX_READERS);
	rte_rcu_qsbr_thread_online(t->qsv, reader_id);
}

void
sf_tcp_table_reader_offline(struct sf_tcp_table *t, unsigned int reader_id)
{
	RTE_ASSERT(reader_id < SF_TCP_TABLE_MAX_READERS);
	rte_rcu_qsbr_thread_offline(t->qsv, reader_id);
}

void
sf_tcp_table_reader_quiescent(struct sf_tcp_table *t, unsigned int reader_id)
{
	RTE_ASSERT(reader_id < SF_TCP_TABLE_MAX_READERS);
	rte_rcu_qsbr_quiescent(t->qsv, reader_id);
}

int
sf_tcp_table_iterate(const struct sf_tcp_table *t,
		     const struct sf_tcp_key **k, void **data, uint32_t *next)
{
	uint32_t pos = *next, end = t->nb * TABLE_SLOTS;
	uint64_t s;

	for (; pos < end; pos++) {
		s = table_slot_load(&t->b[pos / TABLE_SLOTS]
				    .slot[pos % TABLE_SLOTS]);
		if (s == 0)
			continue;
		*k = table_slot_key(s);
		*data = (void *)(uintptr_t)(s & TABLE_VAL_MASK);
		*next = pos + 1;
		return (int)pos;
	}
	*next = end;
	return -ENOENT;
}
