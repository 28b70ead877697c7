/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table as it was before the purpose-built one (commit
 * 2cd515f, lib/tcp/tcp_table.c, renamed rh_tcp_table_*): an rte_hash with
 * RW_CONCURRENCY_LF + EXT_TABLE and its own RCU QSBR defer queue. Kept,
 * unchanged but for the names, only so that tests/bench/bench_tcp_table
 * measures both in the same run.
 *
 * The connection table: an rte_hash in lock-free read/write mode
 * (RW_CONCURRENCY_LF) with the extendable bucket table (EXT_TABLE), so a
 * crowded bucket pair overflows into a chain instead of refusing a key
 * while slots remain. In that mode a delete unlinks the key at once but
 * leaves its key slot (and an emptied ext bucket) allocated: a reader may
 * still be comparing that key or holding its data. We give the slot back
 * with rte_hash_free_key_with_position() and the data to free_data() only
 * after every reader that was online at the delete has gone offline or
 * quiescent (RCU QSBR, one rte_rcu_qsbr variable per table).
 *
 * Why a defer queue of our own rather than rte_hash_rcu_qsbr_add(): DPDK
 * 22.11 cannot run the hash's internal queue on demand
 * (rte_hash_rcu_qsbr_dq_reclaim() came in 24.07), so the last objects a
 * quiet worker deleted would wait for its next delete; and that queue is
 * an rte_ring of 2^k >= entries + 2 records of 16 bytes on SOCKET_ID_ANY.
 * Ours is an array of exactly `entries` 16-byte records on the table's
 * socket, touched by the writer only: {data, key position, token}. Its
 * order is deletion order, so tokens grow along it and reclamation pops
 * from the head until the first entry some online reader may still see.
 * The writer never waits (rte_rcu_qsbr_check(..., false)).
 *
 * Sizing. `count` live entries are capped at `capacity`; the hash has
 * capacity + SF_TCP_TABLE_SLACK(capacity) key slots, the extra ones for
 * entries deleted but not yet reclaimed. With no reader online that is at
 * most one entry (each add/del reclaims before it deletes), so the slack
 * only absorbs deletes made while a reader is online: 1/8 of capacity
 * (at least 256) is 131072 deletes at 1M capacity, tens of milliseconds of
 * the fastest churn, against online stretches of microseconds. Add
 * reclaims everything it can before it gives up, so it refuses below
 * capacity only when one reader has stayed online through more deletes
 * than that. The queue has one record per key slot and each record holds
 * a distinct slot, so it cannot overflow. Ext buckets do not run out
 * first: a chain of k ext buckets holds more than 8k live keys (rte_hash
 * compacts chains), there are slots / 8 ext buckets, and an emptied one
 * waits with the slot whose delete emptied it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "sf_common.h"
#include "sf_log.h"
#include "rh_tcp_table.h"

/* Most deleted entries one add or del releases, before its own work. */
#define TABLE_RECLAIM_BATCH 32

static_assert(SF_TCP_TABLE_BULK_MAX <= RTE_HASH_LOOKUP_BULK_MAX,
	      "bulk lookups larger than rte_hash takes");
static_assert(SF_TCP_TABLE_CAPACITY_MAX +
	      SF_TCP_TABLE_SLACK(SF_TCP_TABLE_CAPACITY_MAX) <=
	      RTE_HASH_ENTRIES_MAX, "capacity beyond rte_hash entries");

/* A deleted entry waiting for its grace period. */
struct table_dq_ent {
	void *data;
	uint32_t pos;		/* rte_hash key position */
	uint32_t token;		/* low 32 bits of its QSBR token */
};

struct rh_tcp_table {
	/* read by every lookup */
	struct rte_hash *h;
	uint32_t capacity;
	uint32_t count;		/* live: the writer stores, anyone loads */

	/* writer only */
	uint32_t dq_size;	/* records: one per key slot */
	uint32_t dq_head;	/* oldest record */
	uint32_t dq_len;	/* records waiting */
	uint64_t token;		/* latest rte_rcu_qsbr_start() */
	struct table_dq_ent *dq;
	struct rte_rcu_qsbr *qsv;
	rh_tcp_table_free_t free_data;
	void *free_arg;
} SF_CACHE_ALIGNED;

/* CRC32-C of the 12-byte key: one 8-byte and one 4-byte step. */
static uint32_t
table_hash(const void *key, uint32_t len, uint32_t init)
{
	uint64_t addrs;
	uint32_t ports;

	RTE_SET_USED(len);
	memcpy(&addrs, key, sizeof(addrs));
	memcpy(&ports, (const uint8_t *)key + sizeof(addrs), sizeof(ports));
	return rte_hash_crc_4byte(ports, rte_hash_crc_8byte(addrs, init));
}

/*
 * Full token of a record. Every delete starts one token and the records
 * still queued are the latest dq_len deletes, so a record's token is
 * within dq_len (< 2^32) of t->token.
 */
static inline uint64_t
table_token(const struct rh_tcp_table *t, uint32_t lo)
{
	return t->token - (uint32_t)((uint32_t)t->token - lo);
}

/* Release up to @max entries no online reader can see; return how many. */
static uint32_t
table_reclaim(struct rh_tcp_table *t, uint32_t max)
{
	struct table_dq_ent e;
	uint32_t n = 0;

	while (t->dq_len != 0 && n < max) {
		e = t->dq[t->dq_head];
		if (rte_rcu_qsbr_check(t->qsv, table_token(t, e.token),
				       false) == 0)
			break;
		if (++t->dq_head == t->dq_size)
			t->dq_head = 0;
		t->dq_len--;
		n++;
		rte_hash_free_key_with_position(t->h, (int32_t)e.pos);
		if (t->free_data != NULL)
			t->free_data(t->free_arg, e.data);
	}
	return n;
}

static inline void
table_count_set(struct rh_tcp_table *t, uint32_t n)
{
	__atomic_store_n(&t->count, n, __ATOMIC_RELAXED);
}

struct rh_tcp_table *
rh_tcp_table_create(const char *name, uint32_t capacity, int socket_id,
		    rh_tcp_table_free_t free_data, void *free_arg)
{
	struct rte_hash_parameters hp;
	struct rh_tcp_table *t;
	uint32_t slots;
	size_t qsz;

	if (name == NULL || name[0] == '\0' || capacity == 0 ||
	    capacity > SF_TCP_TABLE_CAPACITY_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, SF_TCP_TABLE_NAME_MAX + 1) > SF_TCP_TABLE_NAME_MAX) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	if (rte_hash_find_existing(name) != NULL) {
		rte_errno = EEXIST;
		return NULL;
	}
	slots = capacity + SF_TCP_TABLE_SLACK(capacity);

	t = rte_zmalloc_socket("rh_tcp_table", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (t == NULL)
		goto nomem;
	t->capacity = capacity;
	t->dq_size = slots;
	t->free_data = free_data;
	t->free_arg = free_arg;

	qsz = rte_rcu_qsbr_get_memsize(SF_TCP_TABLE_MAX_READERS);
	t->qsv = rte_zmalloc_socket("rh_tcp_table_qsbr", qsz,
				    RTE_CACHE_LINE_SIZE, socket_id);
	if (t->qsv == NULL)
		goto nomem;
	if (rte_rcu_qsbr_init(t->qsv, SF_TCP_TABLE_MAX_READERS) != 0)
		goto fail;

	t->dq = rte_malloc_socket("rh_tcp_table_dq",
				  sizeof(*t->dq) * (size_t)slots,
				  RTE_CACHE_LINE_SIZE, socket_id);
	if (t->dq == NULL)
		goto nomem;

	memset(&hp, 0, sizeof(hp));
	hp.name = name;
	hp.entries = slots;
	hp.key_len = sizeof(struct sf_tcp_key);
	hp.hash_func = table_hash;
	hp.socket_id = socket_id;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	rte_errno = 0;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL) {
		if (rte_errno == 0)
			rte_errno = ENOMEM;
		goto fail;
	}
	return t;

nomem:
	rte_errno = ENOMEM;
fail:
	SF_LOG(ERR, main, "tcp table %s (%u entries): %s", name, capacity,
	       rte_strerror(rte_errno));
	rh_tcp_table_free(t);
	return NULL;
}

void
rh_tcp_table_free(struct rh_tcp_table *t)
{
	struct table_dq_ent *e;
	int err = rte_errno;

	if (t == NULL)
		return;
	while (t->dq_len != 0) {
		e = &t->dq[t->dq_head];
		if (++t->dq_head == t->dq_size)
			t->dq_head = 0;
		t->dq_len--;
		if (t->free_data != NULL)
			t->free_data(t->free_arg, e->data);
	}
	rte_hash_free(t->h);
	rte_free(t->dq);
	rte_free(t->qsv);
	rte_free(t);
	rte_errno = err;
}

int
rh_tcp_table_add(struct rh_tcp_table *t, const struct sf_tcp_key *k,
		 void *data)
{
	hash_sig_t sig;
	int rc;

	if (unlikely(data == NULL))
		return -EINVAL;
	if (t->dq_len != 0)
		table_reclaim(t, TABLE_RECLAIM_BATCH);
	if (unlikely(t->count >= t->capacity))
		return -ENOSPC;
	sig = rte_hash_hash(t->h, k);
	/* rte_hash_add_* would overwrite the data of a present key. */
	if (rte_hash_lookup_with_hash(t->h, k, sig) >= 0)
		return -EEXIST;
	rc = rte_hash_add_key_with_hash_data(t->h, k, sig, data);
	if (unlikely(rc == -ENOSPC) && t->dq_len != 0 &&
	    table_reclaim(t, UINT32_MAX) != 0)
		rc = rte_hash_add_key_with_hash_data(t->h, k, sig, data);
	if (unlikely(rc < 0))
		return rc;
	table_count_set(t, t->count + 1);
	return 0;
}

void *
rh_tcp_table_lookup(const struct rh_tcp_table *t, const struct sf_tcp_key *k)
{
	void *data;

	if (rte_hash_lookup_data(t->h, k, &data) < 0)
		return NULL;
	return data;
}

int
rh_tcp_table_lookup_bulk(const struct rh_tcp_table *t,
			 const struct sf_tcp_key **keys, unsigned int n,
			 void **data)
{
	uint64_t hits = 0;
	unsigned int i;
	int rc;

	if (unlikely(n > SF_TCP_TABLE_BULK_MAX))
		return -EINVAL;
	if (n == 0)
		return 0;
	rc = rte_hash_lookup_bulk_data(t->h, (const void **)keys, n, &hits,
				       data);
	if (unlikely(rc < 0))
		return rc;
	/* rte_hash leaves data[] of a miss as it was. */
	if (hits != RTE_LEN2MASK(n, uint64_t))
		for (i = 0; i < n; i++)
			if ((hits & RTE_BIT64(i)) == 0)
				data[i] = NULL;
	return rc;
}

int
rh_tcp_table_del(struct rh_tcp_table *t, const struct sf_tcp_key *k)
{
	struct table_dq_ent *e;
	hash_sig_t sig;
	uint32_t tail;
	void *data;
	int32_t pos;

	sig = rte_hash_hash(t->h, k);
	if (rte_hash_lookup_with_hash_data(t->h, k, sig, &data) < 0)
		return -ENOENT;
	/* Older entries first, so this one outlives the call. */
	if (t->dq_len != 0)
		table_reclaim(t, TABLE_RECLAIM_BATCH);
	pos = rte_hash_del_key_with_hash(t->h, k, sig);
	RTE_ASSERT(pos >= 0);
	RTE_ASSERT(t->dq_len < t->dq_size);
	/* Store-release: a reader that sees the new token misses the key. */
	t->token = rte_rcu_qsbr_start(t->qsv);
	tail = t->dq_head + t->dq_len;
	if (tail >= t->dq_size)
		tail -= t->dq_size;
	e = &t->dq[tail];
	e->data = data;
	e->pos = (uint32_t)pos;
	e->token = (uint32_t)t->token;
	t->dq_len++;
	table_count_set(t, t->count - 1);
	return 0;
}

void
rh_tcp_table_reclaim(struct rh_tcp_table *t)
{
	table_reclaim(t, UINT32_MAX);
}

uint32_t
rh_tcp_table_count(const struct rh_tcp_table *t)
{
	return __atomic_load_n(&t->count, __ATOMIC_RELAXED);
}

uint32_t
rh_tcp_table_capacity(const struct rh_tcp_table *t)
{
	return t->capacity;
}

int
rh_tcp_table_reader_register(struct rh_tcp_table *t, unsigned int reader_id)
{
	if (reader_id >= SF_TCP_TABLE_MAX_READERS)
		return -EINVAL;
	if (rte_rcu_qsbr_thread_register(t->qsv, reader_id) != 0)
		return -rte_errno;
	return 0;
}

int
rh_tcp_table_reader_unregister(struct rh_tcp_table *t,
			       unsigned int reader_id)
{
	if (reader_id >= SF_TCP_TABLE_MAX_READERS)
		return -EINVAL;
	if (rte_rcu_qsbr_thread_unregister(t->qsv, reader_id) != 0)
		return -rte_errno;
	return 0;
}

void
rh_tcp_table_reader_online(struct rh_tcp_table *t, unsigned int reader_id)
{
	RTE_ASSERT(reader_id < SF_TCP_TABLE_MAX_READERS);
	rte_rcu_qsbr_thread_online(t->qsv, reader_id);
}

void
rh_tcp_table_reader_offline(struct rh_tcp_table *t, unsigned int reader_id)
{
	RTE_ASSERT(reader_id < SF_TCP_TABLE_MAX_READERS);
	rte_rcu_qsbr_thread_offline(t->qsv, reader_id);
}

void
rh_tcp_table_reader_quiescent(struct rh_tcp_table *t, unsigned int reader_id)
{
	RTE_ASSERT(reader_id < SF_TCP_TABLE_MAX_READERS);
	rte_rcu_qsbr_quiescent(t->qsv, reader_id);
}

int
rh_tcp_table_iterate(const struct rh_tcp_table *t,
		     const struct sf_tcp_key **k, void **data, uint32_t *next)
{
	const void *key;
	void *d;
	int32_t pos;

	pos = rte_hash_iterate(t->h, &key, &d, next);
	if (pos < 0)
		return -ENOENT;
	*k = key;
	*data = d;
	return pos;
}
