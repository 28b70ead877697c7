/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_STATS_H
#define SF_STATS_H

/*
 * Per-worker packet counters. Each worker owns one struct sf_stats and is
 * its only writer (plain increments, no atomics); the control plane reads
 * all workers' copies and sums them. A torn read of a 64-bit counter cannot
 * happen on the 64-bit targets synfin supports. Every drop on the data path
 * has its own counter, named <layer>_<event>. The counter list is an X-macro
 * so printing, summing and telemetry never go out of step with the struct.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sf_common.h"

#define SF_STATS_FOREACH(X) \
	X(rx_pkts,            "frames received") \
	X(rx_bytes,           "bytes received") \
	X(tx_pkts,            "frames sent") \
	X(tx_bytes,           "bytes sent") \
	X(busy_cycles,        "TSC cycles of polls that received or sent a frame") \
	X(tx_drop_full,       "frames dropped: TX queue full") \
	X(mbuf_alloc_fail,    "mbuf allocations that failed") \
	X(eth_drop_short,     "frames shorter than an Ethernet header") \
	X(eth_drop_not_us,    "frames for another MAC address") \
	X(eth_drop_type,      "frames of an unhandled EtherType") \
	X(arp_rx_request,     "ARP requests received") \
	X(arp_rx_reply,       "ARP replies received") \
	X(arp_tx_request,     "ARP requests sent") \
	X(arp_tx_reply,       "ARP replies sent") \
	X(arp_tx_gratuitous,  "gratuitous ARPs sent") \
	X(arp_drop_bad,       "malformed ARP frames") \
	X(arp_drop_not_us,    "ARP requests for other addresses") \
	X(ip_rx,              "IPv4 packets received") \
	X(ip_drop_short,      "IPv4 packets shorter than a header") \
	X(ip_drop_version,    "IPv4 packets with version != 4") \
	X(ip_drop_ihl,        "IPv4 packets with a bad header length") \
	X(ip_drop_csum,       "IPv4 packets with a bad header checksum") \
	X(ip_drop_len,        "IPv4 total length bad or past the frame") \
	X(ip_drop_ttl,        "IPv4 packets with TTL 0") \
	X(ip_drop_frag,       "IPv4 fragments (not reassembled)") \
	X(ip_drop_not_us,     "IPv4 packets for another address") \
	X(ip_drop_proto,      "IPv4 packets of an unhandled protocol") \
	X(ip_drop_bad_src,    "IPv4 packets from a broadcast/multicast/own source") \
	X(icmp_rx_echo,       "ICMP echo requests received") \
	X(icmp_tx_echo_reply, "ICMP echo replies sent") \
	X(icmp_drop_short,    "ICMP messages too short") \
	X(icmp_drop_csum,     "ICMP messages with a bad checksum") \
	X(icmp_drop_type,     "ICMP messages of an unhandled type") \
	X(tcp_rx_segs,        "TCP segments received") \
	X(tcp_tx_segs,        "TCP segments sent") \
	X(tcp_misdelivered,   "TCP segments of a flow another worker owns (queue pairing)") \
	X(tcp_active_opens,   "connections opened by us (SYN sent)") \
	X(tcp_passive_opens,  "connections accepted (SYN received)") \
	X(tcp_attempt_fails,  "opens that failed before ESTABLISHED") \
	X(tcp_estab_resets,   "ESTABLISHED/CLOSE_WAIT conns reset") \
	X(tcp_conns_closed,   "connections fully closed") \
	X(tcp_rx_rst,         "RST segments received and accepted") \
	X(tcp_tx_rst,         "RST segments sent") \
	X(tcp_retransmits,    "segments retransmitted") \
	X(tcp_rto_timeouts,   "retransmission timeouts") \
	X(tcp_rto_aborts,     "connections aborted: retries exhausted") \
	X(tcp_persist_aborts, "connections aborted: zero-window probing ran out") \
	X(tcp_delayed_acks,   "ACKs sent by the delayed-ACK timer") \
	X(tcp_challenge_acks, "RFC 5961 challenge ACKs sent") \
	X(tcp_ack_ratelimited, "ACKs to dropped segments not sent: rate limit") \
	X(tcp_window_probes,  "zero-window probes sent") \
	X(tcp_keepalive_probes, "keepalive probes sent") \
	X(tcp_sack_rexmit_skips, "retransmissions skipped: peer SACKed") \
	X(tcp_sack_reneged,   "SACKed data the peer dropped (reneged): resent") \
	X(tcp_fast_recoveries, "fast recoveries entered (3 dup ACKs/SACK)") \
	X(tcp_rexmit_lost,    "retransmissions found lost in recovery") \
	X(tcp_rack_lost,      "times RACK found data sent once lost by its send time") \
	X(tcp_recovery_undos, "recoveries undone: D-SACK or Eifel showed them needless") \
	X(tcp_loss_probes,    "tail loss probes sent (RFC 8985)") \
	X(tcp_ooo_queued,     "out-of-order segments queued") \
	X(tcp_rcvbuf_grown,   "receive buffers doubled: the peer filled the window") \
	X(tcp_ext_pool_empty, "recovery records wanted, pool empty: NewReno") \
	X(tcp_tw_reused,      "TIME_WAIT tuples reused by a new SYN") \
	X(tcp_fw2_timeouts,   "FIN_WAIT_2 timeouts") \
	X(tcp_drop_short,     "TCP segments shorter than a header") \
	X(tcp_drop_csum,      "TCP segments with a bad checksum") \
	X(tcp_drop_doff,      "TCP segments with a bad data offset") \
	X(tcp_drop_opts,      "TCP segments with malformed options") \
	X(tcp_drop_flags,     "TCP segments with impossible flags") \
	X(tcp_drop_seq,       "TCP segments outside the window") \
	X(tcp_drop_paws,      "TCP segments failing PAWS (RFC 7323)") \
	X(tcp_drop_ack,       "TCP segments acking unsent data") \
	X(tcp_drop_no_conn,   "TCP segments for no connection") \
	X(tcp_drop_table_full, "SYNs refused: connection table full") \
	X(tcp_drop_ooo_full,  "out-of-order segments over the limit") \
	X(tcp_drop_rcvq_full, "segments dropped: receive queue at its mbuf limit") \
	X(tcp_drop_rst,       "RST segments ignored (RFC 5961/1337)") \
	X(tcp_drop_listen,    "non-SYN segments to a listener") \
	X(tcp_drop_noack,     "segments without ACK in a synchronized state") \
	X(tcp_drop_sack_block, "SACK blocks ignored: outside (snd_una, snd_max]") \
	X(tcp_rx_mss_low,     "SYN MSS < 48: raised to 48 (0: taken as 536)") \
	X(tcp_drop_mem,       "data segments dropped at the mbuf reserve") \
	X(tcp_tx_waits,       "sends held back for TX buffer room") \
	X(tcp_send_mem_wait,  "sends refused at the mbuf reserve (retried)") \
	X(tcp_drop_syn_backlog, "SYNs dropped: half-open budget spent, no cookies") \
	X(tcp_syncookies_sent, "SYN-ACKs carrying a SYN cookie (RFC 4987)") \
	X(tcp_syncookies_ok,  "ACKs with a valid cookie: connection made") \
	X(tcp_syncookies_failed, "ACKs to a listener with a bad or old cookie") \
	X(tcp_tw_full,        "closes that skipped TIME_WAIT: no record")

struct sf_stats {
#define SF_STATS_FIELD(name, help) uint64_t name;
	SF_STATS_FOREACH(SF_STATS_FIELD)
#undef SF_STATS_FIELD
} SF_CACHE_ALIGNED;

#define SF_STATS_NB \
	(sizeof(struct sf_stats) / sizeof(uint64_t))

/** Name of counter @p i, in struct order; NULL past the end. */
const char *sf_stats_name(unsigned int i);

/** One-line description of counter @p i; NULL past the end. */
const char *sf_stats_help(unsigned int i);

/** Value of counter @p i of @p s (no bounds check beyond SF_STATS_NB). */
static inline uint64_t
sf_stats_get(const struct sf_stats *s, unsigned int i)
{
	return ((const volatile uint64_t *)s)[i];
}

/** Frames and segments dropped anywhere: the sum of every *_drop*
 *  counter of @p s. */
uint64_t sf_stats_drops(const struct sf_stats *s);

/** Add every counter of @p src into @p dst. */
void sf_stats_add(struct sf_stats *dst, const struct sf_stats *src);

/**
 * Print the counters as "  <name> <value>", one a line, to @p f: every
 * one, or with @p zeros false only those that are not 0.
 */
void sf_stats_print(FILE *f, const struct sf_stats *s, bool zeros);

#endif /* SF_STATS_H */
