/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TCP_TABLE_H
#define SF_TCP_TABLE_H

/*
 * Per-worker TCP connection table: 4-tuple -> caller's object (a TCB or a
 * TIME_WAIT record), an open-addressing table preallocated for a capacity.
 * The worker lcore is the single writer; up to SF_TCP_TABLE_MAX_READERS
 * control-plane threads read lock-free between reader_online() and
 * reader_offline(). The table does not own the objects: a deleted entry's
 * object goes to free_data() once no online reader can still see it (RCU
 * QSBR), never inside the sf_tcp_table_del() (or _replace()) that removed
 * it.
 *
 * Keys live in the objects, not in the table. The value stored with a key
 * is a pointer whose low bit is the caller's (TCP_TW_TAG): with that bit
 * cleared it must point at an object that begins with its struct
 * sf_tcp_key, and that key must not change while the object is in the
 * table or awaiting free_data(). The value is kept and returned as given,
 * tag included; it must fit in 48 bits (x86-64 user space does).
 *
 * Layout (tcp_table.c says why): 64-byte buckets, each an overflow count
 * and 7 slots of {16-bit signature | 48-bit value}, ceil(capacity * 4 /
 * 21) of them (load <= 3/4 at capacity), linear probing from bucket to
 * bucket. The overflow count (as in Folly F14) is how many keys whose home
 * is this bucket or one before it live past it: a lookup stops at the
 * first bucket that has the key or a count of 0. A delete clears the slot
 * and lowers the counts; there are no tombstones and entries never move.
 * A replace stores the new value in the same slot.
 *
 * The writer never waits for readers, except in sf_tcp_table_del() and
 * sf_tcp_table_replace() when a reader stayed online through
 * 2 * SF_TCP_TABLE_SLACK(capacity) deletes and replaces: then the call
 * waits for that reader. So a reader must never wait for
 * the writer while it is online.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

/** Connection key. All fields in network byte order; 12 bytes, no padding. */
struct sf_tcp_key {
	uint32_t raddr;		/**< remote (peer) IPv4 address */
	uint32_t laddr;		/**< local IPv4 address */
	uint16_t rport;		/**< remote port */
	uint16_t lport;		/**< local port */
};

static_assert(sizeof(struct sf_tcp_key) == 12, "sf_tcp_key must be 12 bytes");
static_assert(offsetof(struct rte_ipv4_hdr, dst_addr) ==
	      offsetof(struct rte_ipv4_hdr, src_addr) + 4 &&
	      offsetof(struct rte_tcp_hdr, dst_port) ==
	      offsetof(struct rte_tcp_hdr, src_port) + 2,
	      "the wire's address and port pairs are in key order");

/*
 * Keys are filled with two whole-word stores: the hash and the compare
 * read them as an 8- and a 4-byte word, and a word read back from
 * narrower stores waits for them to retire (a failed store forward, a
 * few percent of a short-connection core when keys were set field by
 * field).
 */

/** The key of a received segment: the IPv4 source and destination and
 *  the TCP source and destination ports sit in key order on the wire. */
static inline void
sf_tcp_key_from_hdrs(struct sf_tcp_key *k, const struct rte_ipv4_hdr *ip,
		     const struct rte_tcp_hdr *th)
{
	uint64_t addrs;
	uint32_t ports;

	memcpy(&addrs, &ip->src_addr, sizeof(addrs));
	memcpy(&ports, &th->src_port, sizeof(ports));
	memcpy(k, &addrs, sizeof(addrs));
	memcpy((uint8_t *)k + sizeof(addrs), &ports, sizeof(ports));
}

/** A key from its fields, all in network byte order. */
static inline void
sf_tcp_key_set(struct sf_tcp_key *k, uint32_t raddr, uint32_t laddr,
	       uint16_t rport, uint16_t lport)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	uint64_t addrs = (uint64_t)laddr << 32 | raddr;
	uint32_t ports = (uint32_t)lport << 16 | rport;
#else
	uint64_t addrs = (uint64_t)raddr << 32 | laddr;
	uint32_t ports = (uint32_t)rport << 16 | lport;
#endif

	memcpy(k, &addrs, sizeof(addrs));
	memcpy((uint8_t *)k + sizeof(addrs), &ports, sizeof(ports));
}

/** Reader ids are 0 .. SF_TCP_TABLE_MAX_READERS - 1. */
#define SF_TCP_TABLE_MAX_READERS 4

/** Most keys one sf_tcp_table_lookup_bulk() takes. */
#define SF_TCP_TABLE_BULK_MAX 32

/** Longest table name, without the NUL (a memzone name with a prefix). */
#define SF_TCP_TABLE_NAME_MAX 21

/** Largest capacity sf_tcp_table_create() accepts. */
#define SF_TCP_TABLE_CAPACITY_MAX (UINT32_C(1) << 29)

/**
 * Deleted entries that may await readers before sf_tcp_table_add()
 * refuses: max(cap / 8, 256). Below capacity, add fails only when more
 * than this many deletes happened while one reader stayed online without
 * reporting a quiescent state. The table remembers up to twice as many;
 * a delete beyond that waits for the reader (see above).
 */
#define SF_TCP_TABLE_SLACK(cap) \
	((cap) / 8 > 256 ? (uint32_t)(cap) / 8 : UINT32_C(256))

/** Opaque table, defined in tcp_table.c. */
struct sf_tcp_table;

/**
 * Release a deleted (or replaced) entry's object. Runs on the writer,
 * inside sf_tcp_table_add(), sf_tcp_table_del(), sf_tcp_table_replace(),
 * sf_tcp_table_reclaim() or sf_tcp_table_free(), once no reader can still
 * reach @p data. It must not call back into the table.
 *
 * @param arg
 *   The @c free_arg given to sf_tcp_table_create().
 * @param data
 *   The object that was stored with the deleted key.
 */
typedef void (*sf_tcp_table_free_t)(void *arg, void *data);

/**
 * Create a table for @p capacity live entries, in one memzone on
 * @p socket_id: about 12.2 bytes per entry of buckets (load at most 3/4
 * at capacity) and 2 bytes per entry of deferred-free queue; nothing is
 * allocated afterwards.
 *
 * @param name
 *   Unique among tables, at most SF_TCP_TABLE_NAME_MAX characters.
 * @param capacity
 *   Live entries, 1 .. SF_TCP_TABLE_CAPACITY_MAX.
 * @param socket_id
 *   NUMA socket for every allocation, or SOCKET_ID_ANY.
 * @param free_data
 *   Called once for each deleted entry (may be NULL: nothing to release).
 * @param free_arg
 *   First argument of @p free_data.
 * @return
 *   The table, or NULL with rte_errno set:
 *   - EINVAL: @p name NULL or empty, @p capacity out of range.
 *   - ENAMETOOLONG: @p name is longer than SF_TCP_TABLE_NAME_MAX.
 *   - EEXIST: a table with this name exists.
 *   - ENOMEM: not enough memory on @p socket_id.
 */
struct sf_tcp_table *
sf_tcp_table_create(const char *name, uint32_t capacity, int socket_id,
		    sf_tcp_table_free_t free_data, void *free_arg);

/**
 * Free the table. free_data() runs for the entries still waiting for
 * reclamation, not for live entries (the caller owns those). No reader may
 * be online. NULL is a no-op.
 */
void
sf_tcp_table_free(struct sf_tcp_table *t);

/**
 * Add @p k -> @p data. Writer only. Reclaims a few deleted entries first.
 *
 * @param k
 *   The key; a copy of the key @p data begins with (see the top).
 * @param data
 *   Object pointer, optionally with its low bit set as a tag.
 * @return
 *   - 0 on success.
 *   - -ENOSPC: capacity live entries already (checked first), or more than
 *     the slack still awaits readers (see SF_TCP_TABLE_SLACK).
 *   - -EEXIST: @p k is present; its data is left unchanged.
 *   - -EINVAL: @p data is NULL or does not fit in 48 bits.
 */
int
sf_tcp_table_add(struct sf_tcp_table *t, const struct sf_tcp_key *k,
		 void *data);

/**
 * Find @p k. The writer may call it at any time; a reader must be online,
 * and may use the result only until it goes offline or quiescent.
 *
 * @return
 *   The data stored with @p k, or NULL if absent.
 */
void *
sf_tcp_table_lookup(const struct sf_tcp_table *t, const struct sf_tcp_key *k);

/**
 * Start loading the bucket where a lookup of @p k begins: called a few
 * packets ahead of the lookup, its cache miss overlaps other work.
 */
void
sf_tcp_table_prefetch(const struct sf_tcp_table *t,
		      const struct sf_tcp_key *k);

/**
 * Find @p n keys at once, as sf_tcp_table_lookup() does for one, with
 * the memory accesses of all keys overlapped (buckets, then objects, are
 * prefetched for every key before any is compared).
 *
 * @param keys
 *   @p n keys.
 * @param n
 *   0 .. SF_TCP_TABLE_BULK_MAX.
 * @param data
 *   Out: data[i] for keys[i], NULL on a miss.
 * @return
 *   The number of hits, or -EINVAL if @p n > SF_TCP_TABLE_BULK_MAX.
 */
int
sf_tcp_table_lookup_bulk(const struct sf_tcp_table *t,
			 const struct sf_tcp_key **keys, unsigned int n,
			 void **data);

/**
 * Delete @p k. Writer only. Its data goes to free_data() once no reader
 * can see it: never during this call, so the caller may still use it until
 * it returns to the caller's loop. Reclaims a few older entries first.
 * Waits only if 2 * SF_TCP_TABLE_SLACK(capacity) deleted entries still
 * await one reader (see the top).
 *
 * @return
 *   0, or -ENOENT if @p k is absent.
 */
int
sf_tcp_table_del(struct sf_tcp_table *t, const struct sf_tcp_key *k);

/**
 * Give @p k's entry new data: as sf_tcp_table_del() then
 * sf_tcp_table_add(), in one step that keeps the entry's slot. Writer
 * only. The old data goes to free_data() as a deleted entry's does (never
 * during this call, and only after every reader that may have found it);
 * a reader sees the old data or the new, never neither. Unlike add it is
 * never refused for readers' slack: like del, it waits only when
 * 2 * SF_TCP_TABLE_SLACK(capacity) entries still await one reader.
 *
 * @param data
 *   The new object (tag bit allowed); its key must equal @p k.
 * @return
 *   0, -ENOENT if @p k is absent, or -EINVAL if @p data is NULL, does
 *   not fit in 48 bits or is the data already stored.
 */
int
sf_tcp_table_replace(struct sf_tcp_table *t, const struct sf_tcp_key *k,
		     void *data);

/**
 * Writer only: release now every deleted entry no online reader can see
 * any more. Never waits.
 */
void
sf_tcp_table_reclaim(struct sf_tcp_table *t);

/**
 * @return
 *   Live entries (deleted ones awaiting reclamation not included). Any
 *   thread may call it; from a reader it is a recent value.
 */
uint32_t
sf_tcp_table_count(const struct sf_tcp_table *t);

/**
 * @return
 *   The capacity given to sf_tcp_table_create().
 */
uint32_t
sf_tcp_table_capacity(const struct sf_tcp_table *t);

/**
 * Register reader @p reader_id (a control-plane thread). It starts
 * offline. Registering twice is harmless.
 *
 * @return
 *   0, or -EINVAL if @p reader_id >= SF_TCP_TABLE_MAX_READERS.
 */
int
sf_tcp_table_reader_register(struct sf_tcp_table *t, unsigned int reader_id);

/**
 * Unregister reader @p reader_id; it must be offline.
 *
 * @return
 *   0, or -EINVAL if @p reader_id >= SF_TCP_TABLE_MAX_READERS.
 */
int
sf_tcp_table_reader_unregister(struct sf_tcp_table *t,
			       unsigned int reader_id);

/**
 * Reader @p reader_id starts reading: until it goes offline, nothing it
 * finds is released. Keep online stretches short.
 */
void
sf_tcp_table_reader_online(struct sf_tcp_table *t, unsigned int reader_id);

/**
 * Reader @p reader_id stops reading and drops every pointer it found.
 * It then holds no reclamation back, however long it stays offline.
 */
void
sf_tcp_table_reader_offline(struct sf_tcp_table *t, unsigned int reader_id);

/**
 * An online reader reports that it holds no pointer found so far (e.g.
 * between chunks of a long walk). Cheaper than offline + online.
 */
void
sf_tcp_table_reader_quiescent(struct sf_tcp_table *t, unsigned int reader_id);

/**
 * Walk the entries. Start with *next = 0; call until -ENOENT. The writer
 * may walk at any time; a reader must stay online through each call and
 * while it uses the result. Concurrent with the writer the walk is not a
 * snapshot: an entry added or deleted during the walk may be missed or
 * seen just after its delete (its data is then still valid); entries
 * never move, so one that stays is seen exactly once.
 *
 * @param k
 *   Out: the entry's key, inside its object.
 * @param data
 *   Out: the entry's data.
 * @param next
 *   Cursor, 0 to start.
 * @return
 *   The entry's slot position (>= 0), or -ENOENT when the walk is over.
 */
int
sf_tcp_table_iterate(const struct sf_tcp_table *t,
		     const struct sf_tcp_key **k, void **data, uint32_t *next);

#endif /* SF_TCP_TABLE_H */
