/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksum micro-benchmark: the one's-complement sum of a run of bytes by
 * DPDK's rte_raw_cksum(), synfin's scalar loop and its AVX2 loop
 * (lib/net/cksum_avx2.c; left out where the CPU lacks AVX2), on the same
 * bytes, in the same run. Run by scripts/bench/cksum.sh.
 *
 * For each length, ns per call over
 *   hot   the same 16 KiB, in L1/L2 (as a received frame just copied out
 *         of the ring is)
 *   cold  a 64 MiB buffer walked frame by frame (from memory)
 * Each result is the best of ROUNDS rounds. All three sums must agree
 * (exit status 1 otherwise).
 *
 * Usage: bench_cksum [-r ROUNDS] [LEN ...]     (default 3; 64 256 1460 9000)
 * Output: "impl len set ns" lines, then a table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cpuflags.h>
#include <rte_ip.h>

#include "cksum_simd.h"

#define HOT_BYTES (16u << 10)
#define COLD_BYTES (64u << 20)
#define STRIDE 9216u	/* a frame slot: room for a 9000-byte run */
#define NIMPL 3

static const char *const impl_name[NIMPL] = { "rte_raw_cksum", "scalar",
					      "avx2" };

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint16_t
sum_with(int impl, const uint8_t *p, uint32_t len)
{
	switch (impl) {
	case 0:
		return __rte_raw_cksum_reduce(__rte_raw_cksum(p, len, 0));
	case 1:
		return sf_cksum_fold64(sf_cksum_sum_scalar(p, len));
	default:
		return sf_cksum_fold64(sf_cksum_sum_avx2(p, len));
	}
}

/* ns per call of @impl over @n frames of @len bytes at @stride in @buf
 * (wrapping at @bytes); the sums are folded into *sink so that nothing is
 * optimised away. */
static double
run(int impl, const uint8_t *buf, uint32_t bytes, uint32_t len,
    uint32_t n, uint32_t *sink)
{
	uint32_t slots = bytes / STRIDE, i, s = 0;
	uint64_t t0 = now_ns();

	for (i = 0; i < n; i++)
		s += sum_with(impl, buf + (size_t)(i % slots) * STRIDE +
			      (i & 7), len);
	*sink += s;
	return (double)(now_ns() - t0) / n;
}

int
main(int argc, char **argv)
{
	static const uint32_t def_lens[] = { 64, 256, 1460, 9000 };
	uint32_t lens[16], nlens = 0, rounds = 3, i, k, r, sink = 0, n;
	double best[16][NIMPL][2];
	int opt, impl, nimpl, set;
	uint8_t *buf;
	uint16_t want;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r' || (rounds = (uint32_t)atoi(optarg)) < 1 ||
		    rounds > 100) {
			fprintf(stderr, "usage: bench_cksum [-r ROUNDS (1-100)] "
				"[LEN (1-9000) ...]\n");
			return 2;
		}
	}
	for (; optind < argc && nlens < RTE_DIM(lens); optind++) {
		lens[nlens] = (uint32_t)atoi(argv[optind]);
		if (lens[nlens] < 1 || lens[nlens] > 9000) {
			fprintf(stderr, "bench_cksum: LEN must be 1..9000\n");
			return 2;
		}
		nlens++;
	}
	if (nlens == 0) {
		memcpy(lens, def_lens, sizeof(def_lens));
		nlens = RTE_DIM(def_lens);
	}
	nimpl = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 ? 3 : 2;
	buf = aligned_alloc(64, COLD_BYTES);
	if (buf == NULL) {
		fprintf(stderr, "bench_cksum: no memory\n");
		return 1;
	}
	srand(7);
	for (i = 0; i < COLD_BYTES; i++)
		buf[i] = (uint8_t)rand();
	/* The three agree on every length and start offset used. */
	for (k = 0; k < nlens; k++)
		for (i = 0; i < 8; i++) {
			want = sum_with(0, buf + i, lens[k]);
			for (impl = 1; impl < nimpl; impl++)
				if (sum_with(impl, buf + i, lens[k]) != want) {
					fprintf(stderr, "bench_cksum: %s differs "
						"from rte_raw_cksum at len %u\n",
						impl_name[impl], lens[k]);
					return 1;
				}
		}
	for (k = 0; k < nlens; k++)
		for (impl = 0; impl < nimpl; impl++)
			best[k][impl][0] = best[k][impl][1] = 1e30;
	for (r = 0; r < rounds; r++)
		for (k = 0; k < nlens; k++) {
			/* about 200 MB summed per measurement */
			n = 200000000u / lens[k] + 1000;
			for (impl = 0; impl < nimpl; impl++)
				for (set = 0; set < 2; set++) {
					double ns = run(impl, buf, set == 0 ?
						HOT_BYTES : COLD_BYTES, lens[k],
						n, &sink);

					if (ns < best[k][impl][set])
						best[k][impl][set] = ns;
				}
		}
	for (k = 0; k < nlens; k++)
		for (impl = 0; impl < nimpl; impl++)
			for (set = 0; set < 2; set++)
				printf("%s %u %s %.2f\n", impl_name[impl],
				       lens[k], set == 0 ? "hot" : "cold",
				       best[k][impl][set]);
	printf("\n| bytes | set | rte_raw_cksum (ns) | scalar (ns) | avx2 (ns) "
	       "| rte / scalar | rte / avx2 |\n|---:|---|---:|---:|---:|---:|---:|\n");
	for (k = 0; k < nlens; k++)
		for (set = 0; set < 2; set++) {
			double a = best[k][0][set], s = best[k][1][set];

			printf("| %u | %s | %.1f | %.1f | ", lens[k],
			       set == 0 ? "hot" : "cold", a, s);
			if (nimpl == 3)
				printf("%.1f | %.2fx | %.2fx |\n",
				       best[k][2][set], a / s,
				       a / best[k][2][set]);
			else
				printf("- | %.2fx | - |\n", a / s);
		}
	free(buf);
	return sink == 0xdeadbeef;	/* never: keeps the sums alive */
}
