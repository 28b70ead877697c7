/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How often the platform takes the CPU away: spin for a while reading the
 * clock and count the gaps between consecutive reads above a few
 * thresholds (the idea of sysjitter). A poll-mode core sees each such gap
 * as a stall, so a latency percentile at light load cannot beat it: the
 * latency benchmark prints these counts beside its p99.
 *
 *   bench_hiccups [SECONDS]     (default 5; pin it with taskset)
 *
 * Prints one line: "hiccups: seconds S gt5us N gt10us N gt20us N gt50us N
 * max_us M", counts per second.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	static const uint64_t lim[] = { 5000, 10000, 20000, 50000 };
	double secs = argc > 1 ? atof(argv[1]) : 5.0;
	uint64_t n[4] = { 0 }, max = 0, t, prev, end, d;
	unsigned int i;

	if (secs <= 0 || secs > 600) {
		fprintf(stderr, "usage: bench_hiccups [SECONDS (0-600]]\n");
		return 2;
	}
	prev = now_ns();
	end = prev + (uint64_t)(secs * 1e9);
	do {
		t = now_ns();
		d = t - prev;
		prev = t;
		if (d > max)
			max = d;
		for (i = 0; i < 4; i++)
			n[i] += d > lim[i];
	} while (t < end);
	printf("hiccups: seconds %.1f gt5us %.1f gt10us %.1f gt20us %.1f "
	       "gt50us %.1f max_us %.1f\n", secs, (double)n[0] / secs,
	       (double)n[1] / secs, (double)n[2] / secs, (double)n[3] / secs,
	       (double)max / 1e3);
	return 0;
}
