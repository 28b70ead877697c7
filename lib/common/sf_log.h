/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_LOG_H
#define SF_LOG_H

/*
 * synfin's rte_log types, one per area, named "synfin.<area>".
 * sf_log_init() registers them explicitly (no constructors: libsynfin is a
 * static library and constructor registration would be dropped by the
 * linker). Until it runs, the types are RTE_LOGTYPE_USER1, so early logs
 * still print. The data path logs nothing per packet: it counts.
 */

#include <rte_log.h>

extern int sf_logtype_main;
extern int sf_logtype_port;
extern int sf_logtype_net;
extern int sf_logtype_worker;
extern int sf_logtype_cfg;
extern int sf_logtype_timer;
extern int sf_logtype_trace;	/* the connection trace (sf_tcp_trace.h) */

/**
 * Register the synfin.* log types. Safe to call more than once.
 *
 * @return 0, or -ENOMEM when rte_log has no room for another type.
 */
int sf_log_init(void);

#define SF_LOG(level, area, fmt, ...) \
	rte_log(RTE_LOG_ ## level, sf_logtype_ ## area, \
		"synfin." #area ": " fmt "\n", ##__VA_ARGS__)

#endif /* SF_LOG_H */
