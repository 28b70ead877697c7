/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_RH_TCP_TABLE_H
#define SF_RH_TCP_TABLE_H

/*
 * The rte_hash connection table synfin had before lib/tcp/tcp_table.c
 * became a purpose-built one, under rh_ names, for the benchmark only.
 * Same contract as tcp_table.h had then (keys are copied into the table).
 */

#include <stdint.h>

#include "tcp_table.h"

struct rh_tcp_table;

typedef void (*rh_tcp_table_free_t)(void *arg, void *data);

struct rh_tcp_table *
rh_tcp_table_create(const char *name, uint32_t capacity, int socket_id,
		    rh_tcp_table_free_t free_data, void *free_arg);
void
rh_tcp_table_free(struct rh_tcp_table *t);
int
rh_tcp_table_add(struct rh_tcp_table *t, const struct sf_tcp_key *k,
		 void *data);
void *
rh_tcp_table_lookup(const struct rh_tcp_table *t, const struct sf_tcp_key *k);
int
rh_tcp_table_lookup_bulk(const struct rh_tcp_table *t,
			 const struct sf_tcp_key **keys, unsigned int n,
			 void **data);
int
rh_tcp_table_del(struct rh_tcp_table *t, const struct sf_tcp_key *k);
void
rh_tcp_table_reclaim(struct rh_tcp_table *t);
uint32_t
rh_tcp_table_count(const struct rh_tcp_table *t);
uint32_t
rh_tcp_table_capacity(const struct rh_tcp_table *t);
int
rh_tcp_table_reader_register(struct rh_tcp_table *t, unsigned int reader_id);
int
rh_tcp_table_reader_unregister(struct rh_tcp_table *t,
			       unsigned int reader_id);
void
rh_tcp_table_reader_online(struct rh_tcp_table *t, unsigned int reader_id);
void
rh_tcp_table_reader_offline(struct rh_tcp_table *t, unsigned int reader_id);
void
rh_tcp_table_reader_quiescent(struct rh_tcp_table *t, unsigned int reader_id);
int
rh_tcp_table_iterate(const struct rh_tcp_table *t,
		     const struct sf_tcp_key **k, void **data, uint32_t *next);

#endif /* SF_RH_TCP_TABLE_H */
