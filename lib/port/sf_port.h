/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_PORT_H
#define SF_PORT_H

/*
 * Ethdev bring-up for any port, PCI NIC or vdev: one RX/TX queue pair per
 * worker, RSS on the IPv4/TCP 4-tuple where the port has it, IPv4 and TCP
 * checksum offloads where offered (software otherwise), and mbuf pools on
 * the port's NUMA socket. A port without RSS gets one queue, unless it is
 * queue-paired: its peer wires queue i to queue i (memif does), so each
 * worker's traffic comes back on its own queue without any hashing.
 * Control path only: none of this runs on a worker.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

struct sf_iface;

/* [portN] queue_pairing */
enum sf_port_pairing {
	SF_PORT_PAIRING_AUTO,	/* on for net_memif, off otherwise */
	SF_PORT_PAIRING_ON,
	SF_PORT_PAIRING_OFF,
};

struct sf_port_conf {
	uint16_t nb_queues;	/* wanted: one per worker */
	enum sf_port_pairing pairing;
	uint16_t nb_rxd;
	uint16_t nb_txd;
	uint32_t link_wait_ms;	/* how long to wait for link up */
};

/* What bring-up found and chose; filled by sf_port_init. */
struct sf_port_info {
	uint16_t nb_queues;	/* granted; <= wanted */
	bool rss;
	bool paired;		/* queue i talks to the peer's queue i */
	uint8_t rss_key[64];
	uint8_t rss_key_len;
	uint16_t reta_size;
	uint16_t reta[512];	/* queue per RETA entry */
	int socket;
	bool link_up;
	char driver[32];
};

/**
 * Each mbuf's data room: DPDK's default (2048 bytes after the headroom)
 * and one cache line. net_memif (DPDK 22.11) sends a burst whose mbufs
 * hold at most its 2048-byte buffers one descriptor per mbuf, so a frame
 * chained from headers and a zero-copy payload reached the peer as two
 * segments, each allocated, copied and freed on its own. Larger mbufs take
 * the path that gathers a frame into one buffer. With shared caches, where
 * the receiver bounds bulk HTTP, 4 alternating pairs read 74.6-81.8
 * against 51.7-77.9 Gbit/s; connections/s and separate dies did not move.
 */
#define SF_MBUF_DATA_ROOM (RTE_MBUF_DEFAULT_BUF_SIZE + RTE_CACHE_LINE_SIZE)

/**
 * Create (or find) the mbuf pool for NUMA socket @p socket.
 *
 * @param nb_mbufs  pool size.
 * @return the pool, or NULL with rte_errno set (ENOMEM, ...).
 */
struct rte_mempool *sf_mempool_get(int socket, uint32_t nb_mbufs,
				   uint32_t cache);

/**
 * Configure and start port @p ifc->port_id with @p conf, fill @p info and
 * the offload flags and MAC in @p ifc.
 *
 * @return 0; -EINVAL when the port cannot take the configuration (the
 *   reason is logged); or the negative errno of the failing ethdev call.
 */
int sf_port_init(struct sf_iface *ifc, const struct sf_port_conf *conf,
		 struct rte_mempool *pool, struct sf_port_info *info);

/**
 * Whether a port of driver @p driver is queue-paired under @p pairing.
 * Auto means on for net_memif only: a memif with N queues on both ends
 * connects ring i to ring i, which no NIC does.
 */
bool sf_port_pairing_on(enum sf_port_pairing pairing, const char *driver);

/**
 * Parse a [portN] queue_pairing value ("auto", "on", "off").
 *
 * @return 0, or -EINVAL for any other word.
 */
int sf_port_pairing_parse(const char *s, enum sf_port_pairing *out);

/** Socket of @p port_id, or the caller's socket for virtual devices. */
int sf_port_socket(uint16_t port_id);

/** Stop and close @p port_id. Errors are logged, not returned. */
void sf_port_close(uint16_t port_id);

#endif /* SF_PORT_H */
