/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sf_tcp_table: add, lookup, delete, replace, -EEXIST, a full table, churn at
 * capacity (slots come back, free_data runs once per delete), readers
 * holding reclamation back exactly as long as they are online, the slack
 * they may use up, bulk lookups, walks, probe chains of colliding keys
 * across buckets (and around the end), and a reader thread racing a
 * churning writer. Objects begin with their key, as the table requires;
 * they are poisoned (key included) when the table frees them, and reused
 * at once, so a reader that sees one too late notices.
 *
 * The table's source is included to reach its hash and buckets: the
 * collision tests pick keys by their home bucket.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "sf_test.h"
#include "tcp_table.c"

#define OBJ_LIVE 0x11fe11feu
#define OBJ_DEAD 0xdeaddeadu
#define NO_ID UINT32_MAX
#define PEER_BASE UINT32_C(0xc6120001)	/* 198.18.0.1 */

/* What the table stores; key, magic and id are read by reader threads. */
struct obj {
	struct sf_tcp_key key;	/* first, as the table requires */
	uint32_t magic;
	uint32_t id;		/* key id it was added under */
	struct obj *next_free;
};

/* Objects and the free_data() tally of one test. */
struct pool {
	struct obj *objs;
	uint32_t n;
	struct obj *free_list;
	uint64_t frees;		/* free_data() calls */
	uint64_t bad_frees;	/* of an object that was not live */
};

static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Key of id: peer 198.18.(id >> 16) port id & 0xffff -> us port 80. */
static struct sf_tcp_key
key_of(uint32_t id)
{
	struct sf_tcp_key k = {
		.raddr = rte_cpu_to_be_32(PEER_BASE + ((id >> 16) << 8)),
		.laddr = SF_TEST_OUR_IP,
		.rport = rte_cpu_to_be_16((uint16_t)id),
		.lport = RTE_BE16(80),
	};

	return k;
}

static uint32_t
id_of(const struct sf_tcp_key *k)
{
	uint32_t hi = (rte_be_to_cpu_32(k->raddr) - PEER_BASE) >> 8;

	return (hi << 16) | rte_be_to_cpu_16(k->rport);
}

static void
pool_init(struct pool *p, uint32_t n)
{
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->objs = calloc(n, sizeof(*p->objs));
	assert_non_null(p->objs);
	p->n = n;
	for (i = n; i > 0; i--) {
		p->objs[i - 1].magic = OBJ_DEAD;
		p->objs[i - 1].id = NO_ID;
		p->objs[i - 1].next_free = p->free_list;
		p->free_list = &p->objs[i - 1];
	}
}

static void
pool_fini(struct pool *p)
{
	free(p->objs);
	p->objs = NULL;
}

static struct obj *
obj_get(struct pool *p, uint32_t id)
{
	struct obj *o = p->free_list;

	assert_non_null(o);
	p->free_list = o->next_free;
	o->next_free = NULL;
	o->key = key_of(id);
	__atomic_store_n(&o->id, id, __ATOMIC_RELAXED);
	__atomic_store_n(&o->magic, OBJ_LIVE, __ATOMIC_RELAXED);
	return o;
}

/* Give back an object the table never took. */
static void
obj_put(struct pool *p, struct obj *o)
{
	__atomic_store_n(&o->magic, OBJ_DEAD, __ATOMIC_RELAXED);
	__atomic_store_n(&o->id, NO_ID, __ATOMIC_RELAXED);
	memset(&o->key, 0xff, sizeof(o->key));
	o->next_free = p->free_list;
	p->free_list = o;
}

/* free_data: poison and recycle at once. It gets the value as stored,
 * so a tagged one (test_tcp_table_tag) has its low bit set. */
static void
obj_free(void *arg, void *data)
{
	struct pool *p = arg;
	struct obj *o = (struct obj *)((uintptr_t)data & ~(uintptr_t)1);

	p->frees++;
	if (__atomic_load_n(&o->magic, __ATOMIC_RELAXED) != OBJ_LIVE)
		p->bad_frees++;
	obj_put(p, o);
}

static struct sf_tcp_table *
table_new(const char *name, uint32_t cap, struct pool *p)
{
	struct sf_tcp_table *t;

	t = sf_tcp_table_create(name, cap, SOCKET_ID_ANY, obj_free, p);
	assert_non_null(t);
	assert_int_equal(sf_tcp_table_capacity(t), cap);
	assert_int_equal(sf_tcp_table_count(t), 0);
	return t;
}

/* Add id with a fresh object; return the object. */
static struct obj *
add_id(struct sf_tcp_table *t, struct pool *p, uint32_t id)
{
	struct sf_tcp_key k = key_of(id);
	struct obj *o = obj_get(p, id);

	assert_int_equal(sf_tcp_table_add(t, &k, o), 0);
	return o;
}

static void
del_id(struct sf_tcp_table *t, uint32_t id)
{
	struct sf_tcp_key k = key_of(id);

	assert_int_equal(sf_tcp_table_del(t, &k), 0);
}

static void *
find_id(struct sf_tcp_table *t, uint32_t id)
{
	struct sf_tcp_key k = key_of(id);

	return sf_tcp_table_lookup(t, &k);
}

static int
group_setup(void **state)
{
	(void)state;
	sf_test_eal_init();
	rng_state = 0x7ab1e5eedULL;
	return 0;
}

static void
test_tcp_table_create_args(void **state)
{
	struct sf_tcp_table *t, *t2;
	struct pool p;
	char name[SF_TCP_TABLE_NAME_MAX + 2];

	(void)state;
	assert_int_equal(sizeof(struct sf_tcp_key), 12);
	assert_int_equal(offsetof(struct sf_tcp_key, rport), 8);
	assert_int_equal(offsetof(struct sf_tcp_key, lport), 10);
	pool_init(&p, 16);

	rte_errno = 0;
	assert_null(sf_tcp_table_create(NULL, 16, SOCKET_ID_ANY, NULL, NULL));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(sf_tcp_table_create("", 16, SOCKET_ID_ANY, NULL, NULL));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(sf_tcp_table_create("tt_zero", 0, SOCKET_ID_ANY, NULL,
					NULL));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(sf_tcp_table_create("tt_huge",
					SF_TCP_TABLE_CAPACITY_MAX + 1,
					SOCKET_ID_ANY, NULL, NULL));
	assert_int_equal(rte_errno, EINVAL);

	memset(name, 'n', sizeof(name));
	name[SF_TCP_TABLE_NAME_MAX + 1] = '\0';
	rte_errno = 0;
	assert_null(sf_tcp_table_create(name, 16, SOCKET_ID_ANY, NULL, NULL));
	assert_int_equal(rte_errno, ENAMETOOLONG);

	/* The longest name fits the table's memzone name. */
	name[SF_TCP_TABLE_NAME_MAX] = '\0';
	t = table_new(name, 1, &p);
	rte_errno = 0;
	assert_null(sf_tcp_table_create(name, 16, SOCKET_ID_ANY, NULL, NULL));
	assert_int_equal(rte_errno, EEXIST);

	/* Capacity 1 means one live entry. */
	add_id(t, &p, 1);
	p.objs[15].key = (struct sf_tcp_key){ 0 };
	assert_int_equal(sf_tcp_table_add(t, &(struct sf_tcp_key){ 0 },
					  &p.objs[15]), -ENOSPC);
	assert_int_equal(sf_tcp_table_reader_register(t,
			 SF_TCP_TABLE_MAX_READERS), -EINVAL);
	assert_int_equal(sf_tcp_table_reader_unregister(t,
			 SF_TCP_TABLE_MAX_READERS), -EINVAL);
	assert_int_equal(sf_tcp_table_reader_register(t, 0), 0);
	assert_int_equal(sf_tcp_table_reader_register(t, 0), 0);
	assert_int_equal(sf_tcp_table_reader_unregister(t, 0), 0);
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, 0);	/* live entries are the caller's */

	/* The name is free again; no free_data at all is allowed too. */
	t2 = sf_tcp_table_create(name, 16, SOCKET_ID_ANY, NULL, NULL);
	assert_non_null(t2);
	add_id(t2, &p, 2);
	del_id(t2, 2);
	sf_tcp_table_reclaim(t2);
	sf_tcp_table_free(t2);
	sf_tcp_table_free(NULL);
	pool_fini(&p);
}

static void
test_tcp_table_add_lookup_del(void **state)
{
	struct sf_tcp_key k = key_of(3);
	struct sf_tcp_table *t;
	struct obj *o[10], *n;
	struct pool p;
	uint32_t i;

	(void)state;
	pool_init(&p, 64);
	t = table_new("tt_basic", 64, &p);
	for (i = 0; i < 10; i++)
		o[i] = add_id(t, &p, i);
	assert_int_equal(sf_tcp_table_count(t), 10);
	for (i = 0; i < 10; i++)
		assert_ptr_equal(find_id(t, i), o[i]);
	assert_null(find_id(t, 10));
	assert_null(find_id(t, 1u << 16));	/* same port, other peer */
	assert_int_equal(sf_tcp_table_add(t, &k, NULL), -EINVAL);
	/* A value must fit in the slot's 48 bits. */
	assert_int_equal(sf_tcp_table_add(t, &k, (void *)(uintptr_t)
					  (UINT64_C(1) << 48 | (uintptr_t)o[3])),
			 -EINVAL);

	assert_int_equal(sf_tcp_table_del(t, &k), 0);
	assert_null(sf_tcp_table_lookup(t, &k));
	assert_int_equal(sf_tcp_table_count(t), 9);
	assert_int_equal(sf_tcp_table_del(t, &k), -ENOENT);
	/* Never freed inside its own delete: the caller may still use it. */
	assert_int_equal(p.frees, 0);
	assert_int_equal(o[3]->magic, OBJ_LIVE);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 1);
	assert_int_equal(o[3]->magic, OBJ_DEAD);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 1);

	/* Re-add the same key with another object. */
	n = add_id(t, &p, 3);
	assert_ptr_equal(sf_tcp_table_lookup(t, &k), n);
	for (i = 0; i < 10; i++)
		if (i != 3)
			assert_ptr_equal(find_id(t, i), o[i]);

	/* Without readers, the next add or del releases what is pending. */
	del_id(t, 5);
	assert_int_equal(p.frees, 1);
	add_id(t, &p, 100);
	assert_int_equal(p.frees, 2);
	del_id(t, 6);
	del_id(t, 7);
	assert_int_equal(p.frees, 3);

	/* free() releases what waits, not what lives. */
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, 4);
	assert_int_equal(p.bad_frees, 0);
	assert_int_equal(o[0]->magic, OBJ_LIVE);
	pool_fini(&p);
}

/* The low bit is the caller's tag: kept in the value, ignored for keys. */
static void
test_tcp_table_tag(void **state)
{
	const struct sf_tcp_key *kp[2], *wk;
	struct sf_tcp_key k = key_of(5), k2 = key_of(6);
	struct sf_tcp_table *t;
	void *tagged, *data[2], *d;
	uint32_t next = 0;
	struct pool p;
	struct obj *o;

	(void)state;
	pool_init(&p, 8);
	t = table_new("tt_tag", 8, &p);
	o = obj_get(&p, 5);
	tagged = (void *)((uintptr_t)o | 1);
	assert_int_equal(sf_tcp_table_add(t, &k, tagged), 0);
	assert_ptr_equal(sf_tcp_table_lookup(t, &k), tagged);
	kp[0] = &k;
	kp[1] = &k2;
	assert_int_equal(sf_tcp_table_lookup_bulk(t, kp, 2, data), 1);
	assert_ptr_equal(data[0], tagged);
	assert_null(data[1]);
	assert_int_equal(sf_tcp_table_iterate(t, &wk, &d, &next) >= 0, 1);
	assert_ptr_equal(d, tagged);
	assert_ptr_equal(wk, &o->key);
	assert_int_equal(sf_tcp_table_add(t, &k, o), -EEXIST);
	assert_int_equal(sf_tcp_table_del(t, &k), 0);
	sf_tcp_table_free(t);
	/* free_data gets the value as stored. */
	assert_int_equal(p.frees, 1);
	pool_fini(&p);
}

static void
test_tcp_table_exists(void **state)
{
	struct sf_tcp_key k = key_of(42);
	struct sf_tcp_table *t;
	struct obj *a, *b;
	struct pool p;

	(void)state;
	pool_init(&p, 8);
	t = table_new("tt_exists", 8, &p);
	a = add_id(t, &p, 42);
	b = obj_get(&p, 42);
	assert_int_equal(sf_tcp_table_add(t, &k, b), -EEXIST);
	assert_ptr_equal(sf_tcp_table_lookup(t, &k), a);
	assert_int_equal(sf_tcp_table_count(t), 1);
	obj_put(&p, b);
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, 0);
	pool_fini(&p);
}

static void
table_full(const char *name, uint32_t cap)
{
	struct sf_tcp_key k = key_of(cap);
	struct sf_tcp_table *t;
	struct pool p;
	struct obj *x;
	uint32_t i;

	pool_init(&p, cap + 8);
	t = table_new(name, cap, &p);
	for (i = 0; i < cap; i++)
		add_id(t, &p, i);
	assert_int_equal(sf_tcp_table_count(t), cap);
	x = obj_get(&p, cap);
	assert_int_equal(sf_tcp_table_add(t, &k, x), -ENOSPC);
	assert_int_equal(sf_tcp_table_count(t), cap);
	for (i = 0; i < cap; i++) {
		struct obj *o = find_id(t, i);

		assert_non_null(o);
		assert_int_equal(o->id, i);
	}
	assert_null(sf_tcp_table_lookup(t, &k));

	/* A delete makes room for exactly one. */
	del_id(t, 7);
	assert_int_equal(sf_tcp_table_add(t, &k, x), 0);
	k = key_of(cap + 1);
	x = obj_get(&p, cap + 1);
	assert_int_equal(sf_tcp_table_add(t, &k, x), -ENOSPC);
	obj_put(&p, x);
	for (i = 0; i <= cap; i++) {
		struct obj *o = find_id(t, i);

		if (i == 7) {
			assert_null(o);
			continue;
		}
		assert_non_null(o);
		assert_int_equal(o->id, i);
	}
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, 1);
	assert_int_equal(p.bad_frees, 0);
	pool_fini(&p);
}

static void
test_tcp_table_full(void **state)
{
	(void)state;
	table_full("tt_full1000", 1000);
	table_full("tt_full1024", 1024);	/* a power of two */
	table_full("tt_full8", 8);
}

static void
test_tcp_table_churn(void **state)
{
	const uint32_t cap = 65536;
	struct sf_tcp_table *t;
	uint64_t dels = 0, n;
	uint32_t *live, next_id, i;
	struct pool p;

	(void)state;
	pool_init(&p, cap + 8);
	live = calloc(cap, sizeof(*live));
	assert_non_null(live);
	t = table_new("tt_churn", cap, &p);
	/* A registered reader that stays offline holds nothing back. */
	assert_int_equal(sf_tcp_table_reader_register(t, 3), 0);
	for (i = 0; i < cap; i++) {
		add_id(t, &p, i);
		live[i] = i;
	}
	next_id = cap;
	for (n = 0; n < 10ULL * cap; n++) {
		uint32_t j = (uint32_t)(rng() % cap);
		struct sf_tcp_key k = key_of(next_id);
		struct obj *o;

		del_id(t, live[j]);
		dels++;
		o = obj_get(&p, next_id);
		/* No -ENOSPC: at most one entry ever waits. */
		assert_int_equal(sf_tcp_table_add(t, &k, o), 0);
		live[j] = next_id++;
		assert_int_equal(p.frees, dels);
	}
	assert_int_equal(sf_tcp_table_count(t), cap);
	for (i = 0; i < cap; i += 97) {
		struct obj *o = find_id(t, live[i]);

		assert_non_null(o);
		assert_int_equal(o->id, live[i]);
	}
	/* Empty the table: every slot came back. */
	for (i = 0; i < cap; i++) {
		del_id(t, live[i]);
		dels++;
	}
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, dels);
	assert_int_equal(sf_tcp_table_count(t), 0);
	for (i = 0; i < cap; i++)
		add_id(t, &p, next_id + i);
	assert_int_equal(sf_tcp_table_count(t), cap);
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, dels);
	assert_int_equal(p.bad_frees, 0);
	free(live);
	pool_fini(&p);
}

static void
test_tcp_table_reader_holds(void **state)
{
	const uint32_t cap = 1024;
	const uint32_t slack = SF_TCP_TABLE_SLACK(cap);
	struct sf_tcp_table *t;
	struct obj *o[100];
	struct sf_tcp_key k;
	struct pool p;
	uint32_t i, next_id;
	int rc;

	(void)state;
	assert_int_equal(slack, 256);
	pool_init(&p, cap + slack + 8);
	t = table_new("tt_reader", cap, &p);
	assert_int_equal(sf_tcp_table_reader_register(t, 1), 0);
	for (i = 0; i < 100; i++)
		o[i] = add_id(t, &p, i);

	sf_tcp_table_reader_online(t, 1);
	for (i = 0; i < 50; i++)
		del_id(t, i);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 0);
	for (i = 0; i < 50; i++) {
		assert_null(find_id(t, i));
		assert_int_equal(o[i]->magic, OBJ_LIVE);
	}
	/* Below capacity, adds go on while those wait. */
	for (i = 100; i < 150; i++)
		add_id(t, &p, i);
	assert_int_equal(p.frees, 0);

	/* Quiescent: what was deleted before it may go, later ones not. */
	sf_tcp_table_reader_quiescent(t, 1);
	for (i = 50; i < 60; i++)
		del_id(t, i);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 50);
	for (i = 0; i < 50; i++)
		assert_int_equal(o[i]->magic, OBJ_DEAD);
	for (i = 50; i < 60; i++)
		assert_int_equal(o[i]->magic, OBJ_LIVE);

	/* Offline: the next add releases the rest, no explicit reclaim. */
	sf_tcp_table_reader_offline(t, 1);
	add_id(t, &p, 150);
	assert_int_equal(p.frees, 60);

	/* A second reader: both must pass before anything goes. */
	assert_int_equal(sf_tcp_table_reader_register(t, 2), 0);
	sf_tcp_table_reader_online(t, 1);
	sf_tcp_table_reader_online(t, 2);
	del_id(t, 60);
	sf_tcp_table_reader_offline(t, 1);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 60);
	sf_tcp_table_reader_offline(t, 2);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 61);

	/*
	 * Slack: at capacity, with a reader online, exactly
	 * SF_TCP_TABLE_SLACK(cap) delete + add pairs succeed.
	 */
	next_id = 1000;
	while (sf_tcp_table_count(t) < cap)
		add_id(t, &p, next_id++);
	sf_tcp_table_reader_online(t, 2);
	for (i = 0; i < slack; i++) {
		del_id(t, 1000 + i);
		add_id(t, &p, next_id++);
	}
	del_id(t, 1000 + slack);
	k = key_of(next_id);
	o[0] = obj_get(&p, next_id);
	rc = sf_tcp_table_add(t, &k, o[0]);
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(sf_tcp_table_count(t), cap - 1);
	assert_int_equal(p.frees, 61);
	sf_tcp_table_reader_offline(t, 2);
	assert_int_equal(sf_tcp_table_add(t, &k, o[0]), 0);
	assert_int_equal(sf_tcp_table_count(t), cap);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 61 + slack + 1);

	/* Entries waiting at free() time go to free_data there. */
	sf_tcp_table_reader_online(t, 2);
	del_id(t, 100);
	del_id(t, 101);
	sf_tcp_table_reader_offline(t, 2);
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, 61 + slack + 1 + 2);
	assert_int_equal(p.bad_frees, 0);
	pool_fini(&p);
}

static void
test_tcp_table_lookup_bulk(void **state)
{
	const struct sf_tcp_key *kp[SF_TCP_TABLE_BULK_MAX + 1];
	struct sf_tcp_key keys[SF_TCP_TABLE_BULK_MAX + 1];
	void *data[SF_TCP_TABLE_BULK_MAX + 1];
	struct obj *o[64];
	struct sf_tcp_table *t;
	struct pool p;
	uint32_t i;

	(void)state;
	pool_init(&p, 64);
	t = table_new("tt_bulk", 256, &p);
	for (i = 0; i < 64; i += 2)
		o[i] = add_id(t, &p, i);
	for (i = 0; i <= SF_TCP_TABLE_BULK_MAX; i++) {
		keys[i] = key_of(i);
		kp[i] = &keys[i];
		data[i] = (void *)(uintptr_t)0xbad;
	}
	assert_int_equal(sf_tcp_table_lookup_bulk(t, kp,
			 SF_TCP_TABLE_BULK_MAX, data), 16);
	for (i = 0; i < SF_TCP_TABLE_BULK_MAX; i++) {
		if (i % 2 == 0)
			assert_ptr_equal(data[i], o[i]);
		else
			assert_null(data[i]);
	}
	assert_int_equal(sf_tcp_table_lookup_bulk(t, kp, 0, data), 0);
	assert_int_equal(sf_tcp_table_lookup_bulk(t, kp,
			 SF_TCP_TABLE_BULK_MAX + 1, data), -EINVAL);

	/* All hits, all misses, an odd count. */
	for (i = 0; i < 7; i++) {
		keys[i] = key_of(2 * i);
		data[i] = NULL;
	}
	assert_int_equal(sf_tcp_table_lookup_bulk(t, kp, 7, data), 7);
	for (i = 0; i < 7; i++)
		assert_ptr_equal(data[i], o[2 * i]);
	for (i = 0; i < 7; i++)
		keys[i] = key_of(1000 + i);
	assert_int_equal(sf_tcp_table_lookup_bulk(t, kp, 7, data), 0);
	for (i = 0; i < 7; i++)
		assert_null(data[i]);
	sf_tcp_table_free(t);
	pool_fini(&p);
}

static void
test_tcp_table_iterate(void **state)
{
	const uint32_t n = 1500;
	const struct sf_tcp_key *k;
	struct sf_tcp_table *t;
	uint8_t *seen;
	struct pool p;
	uint32_t next = 0, i, visits = 0;
	void *d;
	int pos;

	(void)state;
	pool_init(&p, n);
	seen = calloc(n, 1);
	assert_non_null(seen);
	t = table_new("tt_iter", 2048, &p);
	assert_int_equal(sf_tcp_table_iterate(t, &k, &d, &next), -ENOENT);
	for (i = 0; i < n; i++)
		add_id(t, &p, i);
	for (i = 0; i < n; i += 3)
		del_id(t, i);	/* 500 deleted, still waiting */
	assert_int_equal(sf_tcp_table_reader_register(t, 2), 0);
	sf_tcp_table_reader_online(t, 2);
	next = 0;
	while ((pos = sf_tcp_table_iterate(t, &k, &d, &next)) != -ENOENT) {
		struct obj *o = d;
		uint32_t id = id_of(k);

		assert_true(pos >= 0);
		assert_true(id < n);
		assert_int_not_equal(id % 3, 0);
		assert_int_equal(seen[id], 0);
		seen[id] = 1;
		assert_int_equal(o->magic, OBJ_LIVE);
		assert_int_equal(o->id, id);
		visits++;
	}
	assert_int_equal(sf_tcp_table_iterate(t, &k, &d, &next), -ENOENT);
	sf_tcp_table_reader_offline(t, 2);
	assert_int_equal(visits, n - 500);
	assert_int_equal(visits, sf_tcp_table_count(t));
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, 500);
	free(seen);
	pool_fini(&p);
}

/* Ids from @from on whose key's home bucket is @home; @n of them. */
static void
ids_at_home(const struct sf_tcp_table *t, uint32_t home, uint32_t from,
	    uint32_t *ids, uint32_t n)
{
	struct sf_tcp_key k;
	uint32_t id, m = 0;

	for (id = from; m < n; id++) {
		assert_true(id - from < 100000000u);
		k = key_of(id);
		if (table_home(t, table_hash(t, &k)) == home)
			ids[m++] = id;
	}
}

/* Bucket of the slot holding @id, or UINT32_MAX. */
static uint32_t
bucket_of(const struct sf_tcp_table *t, uint32_t id)
{
	struct sf_tcp_key k = key_of(id);
	uint32_t h = table_hash(t, &k);
	uint64_t *where = NULL;

	if (table_find(t, &k, h, table_home(t, h), &where) == 0)
		return UINT32_MAX;
	return (uint32_t)(((struct table_bucket *)RTE_PTR_ALIGN_FLOOR(where,
			  sizeof(struct table_bucket))) - t->b);
}

static void
table_all_empty(const struct sf_tcp_table *t)
{
	uint32_t bi, i;

	for (bi = 0; bi < t->nb; bi++) {
		assert_int_equal(t->b[bi].ovf, 0);
		for (i = 0; i < TABLE_SLOTS; i++)
			assert_true(t->b[bi].slot[i] == 0);
	}
}

/* Every entry deleted: no count or slot is left, and free() ends with
 * @frees objects given to free_data(), each once. */
static void
table_end_empty(struct sf_tcp_table *t, struct pool *p, uint64_t frees)
{
	assert_int_equal(sf_tcp_table_count(t), 0);
	table_all_empty(t);
	sf_tcp_table_free(t);
	assert_int_equal(p->frees, frees);
	assert_int_equal(p->bad_frees, 0);
	pool_fini(p);
}

/*
 * @n keys with one home bucket fill it and the next ones: the chain,
 * deletes in its middle, holes refilled, all found by single and bulk
 * lookups; at the end every count is back to 0.
 */
static void
table_collide(const char *name, uint32_t cap, bool at_end)
{
	enum { N = 40 };
	const struct sf_tcp_key *kp[SF_TCP_TABLE_BULK_MAX];
	struct sf_tcp_key keys[SF_TCP_TABLE_BULK_MAX];
	void *data[SF_TCP_TABLE_BULK_MAX];
	uint32_t ids[N], more[10], home, i, bi, nb;
	struct obj *o[N];
	struct sf_tcp_table *t;
	struct pool p;

	pool_init(&p, cap + 16);
	t = table_new(name, cap, &p);
	nb = t->nb;
	assert_true(nb * TABLE_SLOTS * 3 >= cap * 4);	/* load <= 3/4 */
	home = at_end ? nb - 1 : nb / 2;
	ids_at_home(t, home, 0, ids, N);
	for (i = 0; i < N; i++)
		o[i] = add_id(t, &p, ids[i]);
	/* 40 keys fill 6 buckets (7 slots each) and spill into a 7th,
	 * in order: entries never move. */
	for (i = 0; i < N; i++) {
		bi = bucket_of(t, ids[i]);
		assert_int_equal(bi, (home + i / TABLE_SLOTS) % nb);
		assert_ptr_equal(find_id(t, ids[i]), o[i]);
	}
	for (i = 0; i < N / TABLE_SLOTS; i++)
		assert_int_equal(t->b[(home + i) % nb].ovf,
				 N - TABLE_SLOTS * (i + 1));
	assert_int_equal(t->b[(home + N / TABLE_SLOTS) % nb].ovf, 0);

	/* A miss with the same home walks the whole chain and stops. */
	ids_at_home(t, home, ids[N - 1] + 1, more, 10);
	assert_null(find_id(t, more[0]));

	/* Delete the middle of the chain: later keys stay reachable. */
	for (i = 10; i < 24; i++)
		del_id(t, ids[i]);
	for (i = 0; i < N; i++) {
		if (i >= 10 && i < 24)
			assert_null(find_id(t, ids[i]));
		else
			assert_ptr_equal(find_id(t, ids[i]), o[i]);
	}
	for (i = 0; i < SF_TCP_TABLE_BULK_MAX; i++) {
		keys[i] = key_of(ids[N - SF_TCP_TABLE_BULK_MAX + i]);
		kp[i] = &keys[i];
	}
	assert_int_equal(sf_tcp_table_lookup_bulk(t, kp,
			 SF_TCP_TABLE_BULK_MAX, data),
			 SF_TCP_TABLE_BULK_MAX - (24 - 10));
	for (i = 0; i < SF_TCP_TABLE_BULK_MAX; i++) {
		uint32_t j = N - SF_TCP_TABLE_BULK_MAX + i;

		if (j >= 10 && j < 24)
			assert_null(data[i]);
		else
			assert_ptr_equal(data[i], o[j]);
	}
	/* No duplicate though the key's slot is past a hole. */
	assert_int_equal(sf_tcp_table_add(t, &keys[SF_TCP_TABLE_BULK_MAX - 1],
					  o[N - 1]), -EEXIST);

	/* New colliding keys fill the holes first. */
	for (i = 0; i < 10; i++) {
		add_id(t, &p, more[i]);
		bi = bucket_of(t, more[i]);
		assert_int_equal(bi, (home + (10 + i) / TABLE_SLOTS) % nb);
	}
	for (i = 0; i < N; i++)
		if (i < 10 || i >= 24)
			assert_ptr_equal(find_id(t, ids[i]), o[i]);

	for (i = 0; i < N; i++)
		if (i < 10 || i >= 24)
			del_id(t, ids[i]);
	for (i = 0; i < 10; i++) {
		assert_non_null(find_id(t, more[i]));
		del_id(t, more[i]);
	}
	table_end_empty(t, &p, N + 10);
}

/*
 * Replace (a TCB handing its key to its TIME_WAIT record): the key keeps
 * its slot and the counts, the new value (tag included) is found at
 * once, the old object goes to free_data() as a deleted one does (not
 * inside the call, not while a reader that may hold it is online), the
 * count is unchanged; absent keys, NULL, over-wide values and the stored
 * value itself are refused and change nothing.
 */
static void
test_tcp_table_replace(void **state)
{
	enum { N = 20 };
	struct sf_tcp_key k;
	struct sf_tcp_table *t;
	struct obj *o[N], *n, *n2;
	uint32_t ids[N], home, bi, i;
	struct pool p;
	void *tagged;

	(void)state;
	pool_init(&p, 1024 + 16);
	t = table_new("tt_repl", 1024, &p);
	assert_int_equal(sf_tcp_table_reader_register(t, 0), 0);
	/* A chain over three buckets: replacing must not touch counts. */
	home = t->nb / 3;
	ids_at_home(t, home, 0, ids, N);
	for (i = 0; i < N; i++)
		o[i] = add_id(t, &p, ids[i]);

	/* The last key lives two buckets past its home. */
	k = key_of(ids[N - 1]);
	bi = bucket_of(t, ids[N - 1]);
	assert_int_equal(bi, (home + 2) % t->nb);
	n = obj_get(&p, ids[N - 1]);
	assert_int_equal(sf_tcp_table_replace(t, &k, n), 0);
	assert_ptr_equal(sf_tcp_table_lookup(t, &k), n);
	assert_int_equal(bucket_of(t, ids[N - 1]), bi);
	assert_int_equal(sf_tcp_table_count(t), N);
	assert_int_equal(t->b[home].ovf, N - TABLE_SLOTS);
	assert_int_equal(t->b[(home + 1) % t->nb].ovf, N - 2 * TABLE_SLOTS);
	/* Never freed inside its own replace; the next call releases it. */
	assert_int_equal(p.frees, 0);
	assert_int_equal(o[N - 1]->magic, OBJ_LIVE);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 1);
	assert_int_equal(o[N - 1]->magic, OBJ_DEAD);

	/* A reader online holds the replaced object back. */
	sf_tcp_table_reader_online(t, 0);
	k = key_of(ids[3]);
	tagged = (void *)((uintptr_t)obj_get(&p, ids[3]) | 1);
	assert_int_equal(sf_tcp_table_replace(t, &k, tagged), 0);
	assert_ptr_equal(sf_tcp_table_lookup(t, &k), tagged);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 1);
	assert_int_equal(o[3]->magic, OBJ_LIVE);
	sf_tcp_table_reader_offline(t, 0);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 2);
	assert_int_equal(o[3]->magic, OBJ_DEAD);

	/* Refused, and nothing changes. */
	n2 = obj_get(&p, 5000);
	k = key_of(5000);
	assert_int_equal(sf_tcp_table_replace(t, &k, n2), -ENOENT);
	assert_null(sf_tcp_table_lookup(t, &k));
	k = key_of(ids[N - 1]);
	assert_int_equal(sf_tcp_table_replace(t, &k, NULL), -EINVAL);
	assert_int_equal(sf_tcp_table_replace(t, &k, (void *)(uintptr_t)
			 (UINT64_C(1) << 48 | (uintptr_t)n)), -EINVAL);
	assert_int_equal(sf_tcp_table_replace(t, &k, n), -EINVAL);
	assert_ptr_equal(sf_tcp_table_lookup(t, &k), n);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 2);
	assert_int_equal(n->magic, OBJ_LIVE);
	obj_put(&p, n2);

	/* Deleting them all brings every count back to 0. */
	for (i = 0; i < N; i++)
		del_id(t, ids[i]);
	table_end_empty(t, &p, N + 2);
}

static void
test_tcp_table_collide(void **state)
{
	(void)state;
	table_collide("tt_coll", 1024, false);
	table_collide("tt_coll_end", 1024, true);	/* wraps to bucket 0 */
	table_collide("tt_coll_small", 40, false);	/* 8 buckets, 5 full */
}

/* Random churn at capacity: counts and slots stay exact. */
static void
test_tcp_table_collide_churn(void **state)
{
	const uint32_t cap = 2000;
	struct sf_tcp_table *t;
	uint32_t *live, next_id, i, n;
	struct pool p;

	(void)state;
	pool_init(&p, cap + 8);
	live = calloc(cap, sizeof(*live));
	assert_non_null(live);
	t = table_new("tt_cchurn", cap, &p);
	for (i = 0; i < cap; i++) {
		add_id(t, &p, i);
		live[i] = i;
	}
	next_id = cap;
	for (n = 0; n < 200000; n++) {
		uint32_t j = (uint32_t)(rng() % cap);

		del_id(t, live[j]);
		add_id(t, &p, next_id);
		live[j] = next_id++;
	}
	for (i = 0; i < cap; i++) {
		struct obj *o = find_id(t, live[i]);

		assert_non_null(o);
		assert_int_equal(o->id, live[i]);
	}
	for (i = 0; i < cap; i++)
		del_id(t, live[i]);
	table_all_empty(t);
	sf_tcp_table_free(t);
	assert_int_equal(p.bad_frees, 0);
	free(live);
	pool_fini(&p);
}

struct late_reader {
	struct sf_tcp_table *t;
	int offline;		/* set just before it goes offline */
};

static void *
late_reader_run(void *arg)
{
	struct late_reader *lr = arg;
	const struct timespec d = { .tv_nsec = 100 * 1000 * 1000 };

	nanosleep(&d, NULL);
	__atomic_store_n(&lr->offline, 1, __ATOMIC_RELEASE);
	sf_tcp_table_reader_offline(lr->t, 1);
	return NULL;
}

/*
 * A reader online through 2 * slack deletes: the deferred-free queue is
 * full, and the next delete waits for the reader instead of freeing what
 * it may hold.
 */
static void
test_tcp_table_del_waits(void **state)
{
	const uint32_t cap = 1024;
	const uint32_t slack = SF_TCP_TABLE_SLACK(cap);
	struct late_reader lr;
	struct sf_tcp_table *t;
	struct pool p;
	pthread_t th;
	uint32_t i;

	(void)state;
	pool_init(&p, cap + 8);
	t = table_new("tt_delwait", cap, &p);
	for (i = 0; i < cap; i++)
		add_id(t, &p, i);
	assert_int_equal(sf_tcp_table_reader_register(t, 1), 0);
	sf_tcp_table_reader_online(t, 1);
	for (i = 0; i < 2 * slack; i++)
		del_id(t, i);
	assert_int_equal(p.frees, 0);
	memset(&lr, 0, sizeof(lr));
	lr.t = t;
	assert_int_equal(pthread_create(&th, NULL, late_reader_run, &lr), 0);
	del_id(t, 2 * slack);
	assert_int_equal(__atomic_load_n(&lr.offline, __ATOMIC_ACQUIRE), 1);
	assert_true(p.frees > 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, 2 * slack + 1);
	assert_int_equal(p.bad_frees, 0);
	sf_tcp_table_free(t);
	pool_fini(&p);
}

/*
 * The race: a reader thread against a writer churning at capacity. Ids
 * below RACE_PINNED are never deleted, only replaced (as a TCB hands its
 * key to its TIME_WAIT record): a lookup of one must always hit.
 */
#define RACE_CAP 4096
#define RACE_OPS 400000
#define RACE_READER 0
#define RACE_PINNED 64

struct race {
	struct sf_tcp_table *t;
	uint32_t next_id;	/* writer's next id; reader loads it */
	int ready;
	int stop;
	uint64_t rounds;
	uint64_t lookups;
	uint64_t hits;
	uint64_t walked;
	uint64_t stale;		/* data that was freed or reused */
	uint64_t pinned_missed;	/* a replaced key seen absent */
};

/* Check one object a lookup returned for @id (NO_ID: from a walk). */
static void
race_check(struct race *r, const struct obj *o, uint32_t id)
{
	uint32_t magic = __atomic_load_n(&o->magic, __ATOMIC_RELAXED);
	uint32_t oid = __atomic_load_n(&o->id, __ATOMIC_RELAXED);

	if (magic != OBJ_LIVE || (id != NO_ID && oid != id))
		r->stale++;
}

static void *
race_reader(void *arg)
{
	struct race *r = arg;
	const struct sf_tcp_key *kp[SF_TCP_TABLE_BULK_MAX];
	struct sf_tcp_key keys[SF_TCP_TABLE_BULK_MAX];
	void *data[SF_TCP_TABLE_BULK_MAX];
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uint32_t i;

	for (i = 0; i < SF_TCP_TABLE_BULK_MAX; i++)
		kp[i] = &keys[i];
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint32_t hi = __atomic_load_n(&r->next_id, __ATOMIC_RELAXED);

		sf_tcp_table_reader_online(r->t, RACE_READER);
		for (i = 0; i < SF_TCP_TABLE_BULK_MAX; i++) {
			uint32_t id;
			struct sf_tcp_key k;
			struct obj *o;

			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			/* Among the latest 2 * cap ids, about half live. */
			id = hi - 1 - (uint32_t)(s % (2 * RACE_CAP));
			k = key_of(id);
			o = sf_tcp_table_lookup(r->t, &k);
			r->lookups++;
			if (o != NULL) {
				r->hits++;
				race_check(r, o, id);
			}
			keys[i] = k;
		}
		for (i = 0; i < 4; i++) {
			uint32_t id = (uint32_t)((s >> (8 * i)) % RACE_PINNED);
			struct sf_tcp_key k = key_of(id);
			struct obj *o = sf_tcp_table_lookup(r->t, &k);

			if (o == NULL)
				r->pinned_missed++;
			else
				race_check(r, o, id);
		}
		if (sf_tcp_table_lookup_bulk(r->t, kp, SF_TCP_TABLE_BULK_MAX,
					     data) > 0)
			for (i = 0; i < SF_TCP_TABLE_BULK_MAX; i++)
				if (data[i] != NULL)
					race_check(r, data[i],
						   id_of(&keys[i]));
		if (r->rounds % 64 == 0) {
			const struct sf_tcp_key *k;
			uint32_t next = 0, m;
			void *d;

			for (m = 0; m < 256 &&
			     sf_tcp_table_iterate(r->t, &k, &d, &next) >= 0;
			     m++) {
				race_check(r, d, NO_ID);
				r->walked++;
			}
		}
		sf_tcp_table_reader_offline(r->t, RACE_READER);
		r->rounds++;
	}
	return NULL;
}

static void
test_tcp_table_concurrent_reader(void **state)
{
	struct sf_tcp_table *t;
	uint32_t *live, i, j;
	uint64_t dels = 0, retries = 0, repls = 0, n;
	struct race r;
	pthread_t th;
	struct pool p;

	(void)state;
	/* Live entries, and up to 2 * slack retired ones awaiting the
	 * reader (deletes and replaces). */
	pool_init(&p, RACE_CAP + 2 * SF_TCP_TABLE_SLACK(RACE_CAP) + 8);
	live = calloc(RACE_CAP, sizeof(*live));
	assert_non_null(live);
	t = table_new("tt_race", RACE_CAP, &p);
	memset(&r, 0, sizeof(r));
	r.t = t;
	assert_int_equal(sf_tcp_table_reader_register(t, RACE_READER), 0);
	for (i = 0; i < RACE_CAP; i++) {
		add_id(t, &p, i);
		live[i] = i;
	}
	r.next_id = RACE_CAP;
	assert_int_equal(pthread_create(&th, NULL, race_reader, &r), 0);
	while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
		sched_yield();

	for (n = 0; n < RACE_OPS; n++) {
		uint32_t id = r.next_id;
		struct sf_tcp_key k = key_of(id);
		struct obj *o;
		int rc;

		j = RACE_PINNED + (uint32_t)(rng() % (RACE_CAP - RACE_PINNED));
		del_id(t, live[j]);
		dels++;
		o = obj_get(&p, id);
		/*
		 * A reader descheduled while online can hold more than the
		 * slack; then the worker would count a refusal. Here we wait
		 * for it, to keep the table at capacity.
		 */
		while ((rc = sf_tcp_table_add(t, &k, o)) == -ENOSPC) {
			retries++;
			sched_yield();
		}
		assert_int_equal(rc, 0);
		live[j] = id;
		__atomic_store_n(&r.next_id, id + 1, __ATOMIC_RELAXED);

		i = (uint32_t)(rng() % RACE_PINNED);
		k = key_of(i);
		assert_int_equal(sf_tcp_table_replace(t, &k, obj_get(&p, i)),
				 0);
		repls++;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(th, NULL), 0);

	print_message("race: %" PRIu64 " rounds, %" PRIu64 " lookups, %"
		      PRIu64 " hits, %" PRIu64 " walked, %" PRIu64
		      " add retries, %" PRIu64 " replaces\n", r.rounds,
		      r.lookups, r.hits, r.walked, retries, repls);
	assert_int_equal(r.stale, 0);
	assert_int_equal(r.pinned_missed, 0);
	assert_true(r.rounds > 0);
	assert_true(r.hits > 0);
	sf_tcp_table_reclaim(t);
	assert_int_equal(p.frees, dels + repls);
	assert_int_equal(p.bad_frees, 0);
	assert_int_equal(sf_tcp_table_count(t), RACE_CAP);
	for (i = 0; i < RACE_CAP; i++)
		assert_non_null(find_id(t, live[i]));
	sf_tcp_table_free(t);
	assert_int_equal(p.frees, dels + repls);
	free(live);
	pool_fini(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_table_create_args),
		cmocka_unit_test(test_tcp_table_add_lookup_del),
		cmocka_unit_test(test_tcp_table_tag),
		cmocka_unit_test(test_tcp_table_exists),
		cmocka_unit_test(test_tcp_table_full),
		cmocka_unit_test(test_tcp_table_churn),
		cmocka_unit_test(test_tcp_table_reader_holds),
		cmocka_unit_test(test_tcp_table_lookup_bulk),
		cmocka_unit_test(test_tcp_table_iterate),
		cmocka_unit_test(test_tcp_table_collide),
		cmocka_unit_test(test_tcp_table_replace),
		cmocka_unit_test(test_tcp_table_collide_churn),
		cmocka_unit_test(test_tcp_table_del_waits),
		cmocka_unit_test(test_tcp_table_concurrent_reader),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
