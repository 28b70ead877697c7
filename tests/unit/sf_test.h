/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TEST_H
#define SF_TEST_H

/*
 * Shared unit-test fixture: EAL without hugepages or PCI, a small mbuf pool,
 * frame builders, a worker whose TX buffer is captured instead of sent, and
 * an mbuf leak check. Modeled on lwIP's test/unit/tcp/tcp_helper.h.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/**
 * Start EAL once for this test process (--no-huge --no-pci, one lcore,
 * a private file prefix). Aborts the process on failure.
 */
void sf_test_eal_init(void);

#endif /* SF_TEST_H */
