/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How far apart two CPUs' caches are: two threads, one pinned to each,
 * hand a cache line back and forth; the mean round trip tells whether
 * they share a last-level cache. On the 2-vCPU bench VM the hypervisor
 * moves the vCPUs between a shared L3 (~130 ns) and separate dies
 * (~450 ns) from one minute to the next, and the memif ceiling follows
 * (~190 against ~40 Gbit/s): throughput.sh probes before and after each
 * run and compares only runs made in the same placement.
 *
 *   bench_c2c CPU_A CPU_B [ROUNDS]     (default 200000)
 *
 * Prints one line: "c2c_round_trip_ns N".
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t line[8] __attribute__((aligned(64)));
static volatile int pinned;	/* the far side: 1 pinned, -1 could not pin */
static long rounds = 200000;

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The far side: answers each odd value with the next even one. */
static void *
pong(void *arg)
{
	long i;

	if (pin(*(int *)arg) != 0) {
		pinned = -1;
		return NULL;
	}
	pinned = 1;
	for (i = 0; i < rounds; i++) {
		while (line[0] != (uint64_t)(2 * i + 1))
			;
		line[0] = (uint64_t)(2 * i + 2);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	pthread_t th;
	int a, b;
	long i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bench_c2c CPU_A CPU_B [ROUNDS]\n");
		return 2;
	}
	a = atoi(argv[1]);
	b = atoi(argv[2]);
	if (argc == 4)
		rounds = atol(argv[3]);
	if (rounds < 1 || rounds > 100000000) {
		fprintf(stderr, "bench_c2c: ROUNDS must be 1..100000000\n");
		return 2;
	}
	if (pin(a) != 0) {
		fprintf(stderr, "bench_c2c: cannot run on CPU %d\n", a);
		return 1;
	}
	if (pthread_create(&th, NULL, pong, &b) != 0) {
		fprintf(stderr, "bench_c2c: no thread\n");
		return 1;
	}
	while (pinned == 0)
		;
	if (pinned < 0) {
		pthread_join(th, NULL);
		fprintf(stderr, "bench_c2c: cannot run on CPU %d\n", b);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < rounds; i++) {
		line[0] = (uint64_t)(2 * i + 1);
		while (line[0] != (uint64_t)(2 * i + 2))
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	printf("c2c_round_trip_ns %.0f\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		(double)(t1.tv_nsec - t0.tv_nsec)) / (double)rounds);
	return 0;
}
