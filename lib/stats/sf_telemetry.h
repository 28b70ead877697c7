/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_TELEMETRY_H
#define SF_TELEMETRY_H

/*
 * synfin's rte_telemetry commands, for dpdk-telemetry.py or any client of
 * the socket /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET;
 * send the command, read one JSON object back):
 *
 *   /synfin/stats        every counter of struct sf_stats, summed
 *   /synfin/tcp          the tcp_* counters, and state_<STATE> gauges
 *   /synfin/conn_states  connections in each TCP state
 *   /synfin/tcp_transitions  state transitions so far, "<FROM>_to_<TO>":
 *                        count, those that happened (sf_tcp_trace.h)
 *   /synfin/workers      per worker, one array per figure, index = worker:
 *                        lcore, rx/tx packets and bytes, drops, app_*
 *   /synfin/workers,N    worker N alone: every counter, states, app_*
 *   /synfin/app          the app's counters summed, and its latency
 *                        percentiles in ns (connect_, ttfb_, total_)
 *   /synfin/config       the key settings: mode, app, ports, addresses,
 *                        TCP limits and timers
 *   /synfin/capture      the pcapng capture's state and counters
 *
 * The callbacks run on the telemetry library's own threads and read what
 * the workers write without stopping them (64-bit counters, which cannot
 * tear on the 64-bit targets synfin supports). They keep the pointers
 * given to sf_telemetry_init: call sf_telemetry_fini before freeing the
 * workers or the configuration. Until init, and after fini, every command
 * answers null.
 */

struct sf_cfg;
struct sf_worker;

/**
 * Register the /synfin/ commands (once per process) and point them at
 * @p workers[0 .. nb-1] and @p cfg. Control plane, after the workers are
 * set up; calling it again re-points the commands.
 *
 * @param workers
 *   The workers; the array is copied, the workers are not.
 * @param nb
 *   How many, 1 .. SF_MAX_WORKERS.
 * @param cfg
 *   The running configuration, read at each /synfin/config request.
 * @return
 *   0; -EINVAL for a NULL argument or a bad @p nb; the negative errno of
 *   rte_telemetry_register_cmd (-ENOMEM, or -EINVAL if a /synfin/ command
 *   was registered by someone else).
 */
int sf_telemetry_init(struct sf_worker *const *workers, unsigned int nb,
		      const struct sf_cfg *cfg);

/**
 * Forget the workers and the configuration; the commands stay registered
 * (rte_telemetry cannot unregister) and answer null. Waits for a request
 * in progress to finish.
 */
void sf_telemetry_fini(void);

#endif /* SF_TELEMETRY_H */
