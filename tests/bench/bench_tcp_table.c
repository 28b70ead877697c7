/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table micro-benchmark: the purpose-built table
 * (lib/tcp/tcp_table.c) against the rte_hash one it replaced
 * (rh_tcp_table.c, configured as before), in the same run, on the same
 * keys, objects and access orders. Run by scripts/bench/table.sh.
 *
 * For each N: a table of capacity N is filled to N (the load a worker has
 * at its configured maximum) and we measure
 *   bytes/entry  heap bytes the create took / N (rte_malloc heap stats:
 *                both allocate there, rte_hash through its rings and
 *                memzones as well)
 *   add          ns per add, keys in random order, into the empty table
 *   lookup       ns per single lookup of a present key, random order
 *   bulk32       ns per key, sf_tcp_table_lookup_bulk of 32 keys
 *   miss         ns per lookup of an absent key
 *   del          ns per delete, random order, to empty
 * Every lookup reads a word of the object it returns, as the TCP input
 * does with the TCB; the new table compares the key there, so that line
 * is the one the caller needs next in both cases.
 *
 * Usage: bench_tcp_table [EAL args] -- [-r ROUNDS] [N ...]
 * Output: one line per measurement, "impl N metric value", then a table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "rh_tcp_table.h"
#include "tcp_table.h"

#define BULK 32
#define MAX_SIZES 8

/* An object like a TIME_WAIT record: the key first, 64 bytes. */
struct bobj {
	struct sf_tcp_key key;
	uint32_t id;
	uint8_t rest[48];
} __rte_aligned(64);

enum { M_BYTES, M_ADD, M_LOOKUP, M_BULK, M_MISS, M_DEL, M_NB };

static const char *const metric_names[M_NB] = {
	"bytes/entry", "add ns", "lookup ns", "bulk32 ns/key",
	"miss ns", "del ns",
};

struct bench {
	uint32_t n;
	struct bobj *obj;
	struct sf_tcp_key *miss;	/* absent keys */
	uint32_t *order_add;
	uint32_t *order_look;
	uint32_t *order_del;
	uint64_t frees;
	uint64_t sink;
	double res[2][M_NB];		/* [0] new table, [1] rte_hash */
};

static uint64_t rng_state = 0x5eed7ab1e5ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
						&st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/* Key of connection i: 2^14 peers of 198.18.0.0/15, ports from 1024. */
static struct sf_tcp_key
key_of(uint32_t i, uint16_t lport)
{
	struct sf_tcp_key k = {
		.raddr = rte_cpu_to_be_32(0xc6120000u + (i >> 14) * 7919u %
					  (1u << 17)),
		.laddr = RTE_BE32(0xc6130001),
		.rport = rte_cpu_to_be_16((uint16_t)(1024 + (i & 0x3fff))),
		.lport = rte_cpu_to_be_16(lport),
	};

	return k;
}

static uint32_t *
perm_new(uint32_t n)
{
	uint32_t *p = malloc(sizeof(*p) * n), i, j, x;

	if (p == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = (uint32_t)(rng() % (i + 1));
		x = p[i];
		p[i] = p[j];
		p[j] = x;
	}
	return p;
}

static void
bench_free_cb(void *arg, void *data)
{
	struct bench *b = arg;

	RTE_SET_USED(data);
	b->frees++;
}

/*
 * One run over implementation PFX (sf or rh), direct calls so neither
 * pays an indirect call. Results into b->res[IDX].
 */
#define BENCH_IMPL(PFX, IDX)						\
static int								\
bench_##PFX(struct bench *b, const char *name)				\
{									\
	const struct sf_tcp_key *kp[BULK];				\
	void *data[BULK];						\
	struct PFX##_tcp_table *t;					\
	uint64_t m0, sink = 0;						\
	uint32_t i, j, n = b->n;					\
	double t0;							\
									\
	m0 = heap_used();						\
	t = PFX##_tcp_table_create(name, n, (int)rte_socket_id(),	\
				   bench_free_cb, b);			\
	if (t == NULL) {						\
		fprintf(stderr, "%s: create %u: %s\n", name, n,		\
			rte_strerror(rte_errno));			\
		return -ENOMEM;						\
	}								\
	b->res[IDX][M_BYTES] = (double)(heap_used() - m0) / n;		\
									\
	t0 = now_ns();							\
	for (i = 0; i < n; i++) {					\
		struct bobj *o = &b->obj[b->order_add[i]];		\
									\
		if (PFX##_tcp_table_add(t, &o->key, o) != 0) {		\
			fprintf(stderr, "%s: add %u failed\n", name, i);\
			PFX##_tcp_table_free(t);			\
			return -ENOSPC;					\
		}							\
	}								\
	b->res[IDX][M_ADD] = (now_ns() - t0) / n;			\
									\
	t0 = now_ns();							\
	for (i = 0; i < n; i++) {					\
		const struct bobj *o = PFX##_tcp_table_lookup(t,	\
			&b->obj[b->order_look[i]].key);			\
									\
		sink += o->id;						\
	}								\
	b->res[IDX][M_LOOKUP] = (now_ns() - t0) / n;			\
									\
	t0 = now_ns();							\
	for (i = 0; i + BULK <= n; i += BULK) {				\
		for (j = 0; j < BULK; j++)				\
			kp[j] = &b->obj[b->order_look[i + j]].key;	\
		PFX##_tcp_table_lookup_bulk(t, kp, BULK, data);		\
		for (j = 0; j < BULK; j++)				\
			sink += ((const struct bobj *)data[j])->id;	\
	}								\
	b->res[IDX][M_BULK] = (now_ns() - t0) / i;			\
									\
	t0 = now_ns();							\
	for (i = 0; i < n; i++)						\
		sink += (uintptr_t)PFX##_tcp_table_lookup(t,		\
			&b->miss[b->order_look[i]]);			\
	b->res[IDX][M_MISS] = (now_ns() - t0) / n;			\
									\
	t0 = now_ns();							\
	for (i = 0; i < n; i++)						\
		PFX##_tcp_table_del(t, &b->obj[b->order_del[i]].key);	\
	PFX##_tcp_table_reclaim(t);					\
	b->res[IDX][M_DEL] = (now_ns() - t0) / n;			\
									\
	PFX##_tcp_table_free(t);					\
	b->sink += sink;						\
	return 0;							\
}

BENCH_IMPL(sf, 0)
BENCH_IMPL(rh, 1)

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [EAL args] -- [-r ROUNDS] [N ...]\n",
		prog);
}

int
main(int argc, char **argv)
{
	uint32_t sizes[MAX_SIZES] = { 1u << 20, 1u << 22 };
	unsigned int nsizes = 2, rounds = 1, r, s, m, i;
	static struct bench b;
	double best[2][M_NB];
	int rc, opt;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "EAL init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= rc;
	argv += rc;
	while ((opt = getopt(argc, argv, "r:h")) != -1) {
		switch (opt) {
		case 'r':
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
			if (rounds == 0)
				rounds = 1;
			break;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		nsizes = 0;
		for (; optind < argc && nsizes < MAX_SIZES; optind++)
			sizes[nsizes++] = (uint32_t)strtoul(argv[optind],
							    NULL, 0);
	}

	printf("%-4s %9s %-14s %10s\n", "impl", "N", "metric", "value");
	for (s = 0; s < nsizes; s++) {
		uint32_t n = sizes[s];

		if (n == 0 || n > SF_TCP_TABLE_CAPACITY_MAX) {
			fprintf(stderr, "bad N %u\n", n);
			return 2;
		}
		memset(&b, 0, sizeof(b));
		b.n = n;
		b.obj = aligned_alloc(64, sizeof(*b.obj) * (size_t)n);
		b.miss = malloc(sizeof(*b.miss) * (size_t)n);
		b.order_add = perm_new(n);
		b.order_look = perm_new(n);
		b.order_del = perm_new(n);
		if (b.obj == NULL || b.miss == NULL || b.order_add == NULL ||
		    b.order_look == NULL || b.order_del == NULL) {
			fprintf(stderr, "out of memory for N %u\n", n);
			return 1;
		}
		for (i = 0; i < n; i++) {
			memset(&b.obj[i], 0, sizeof(b.obj[i]));
			b.obj[i].key = key_of(i, 80);
			b.obj[i].id = i;
			b.miss[i] = key_of(i, 81);
		}
		for (m = 0; m < M_NB; m++)
			best[0][m] = best[1][m] = 1e300;
		/* Alternate, and keep each metric's best round: the machine
		 * is shared, the best is the least disturbed. */
		for (r = 0; r < rounds; r++) {
			if (bench_sf(&b, "bench_sf") != 0 ||
			    bench_rh(&b, "bench_rh") != 0)
				return 1;
			for (m = 0; m < M_NB; m++) {
				best[0][m] = RTE_MIN(best[0][m], b.res[0][m]);
				best[1][m] = RTE_MIN(best[1][m], b.res[1][m]);
			}
		}
		if (b.frees != (uint64_t)2 * rounds * n) {
			fprintf(stderr, "free_data ran %" PRIu64 " times, not %"
				PRIu64 "\n", b.frees, (uint64_t)2 * rounds * n);
			return 1;
		}
		for (m = 0; m < M_NB; m++) {
			printf("%-4s %9u %-14s %10.2f\n", "new", n,
			       metric_names[m], best[0][m]);
			printf("%-4s %9u %-14s %10.2f\n", "rte", n,
			       metric_names[m], best[1][m]);
		}
		printf("\nN = %u (%u round%s, best of each)\n", n, rounds,
		       rounds == 1 ? "" : "s");
		printf("%-14s %10s %10s %14s\n", "", "new", "rte_hash",
		       "rte_hash/new");
		for (m = 0; m < M_NB; m++)
			printf("%-14s %10.2f %10.2f %13.2fx\n",
			       metric_names[m], best[0][m], best[1][m],
			       best[1][m] / best[0][m]);
		printf("\n");
		fflush(stdout);
		free(b.obj);
		free(b.miss);
		free(b.order_add);
		free(b.order_look);
		free(b.order_del);
	}
	if (b.sink == 42)
		printf(" \n");	/* keep the reads */
	rte_eal_cleanup();
	return 0;
}
