/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_CFG_PRIV_H
#define SF_CFG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "sf_cfg.h"

struct cfg_key;

/* Parse @val into @cfg (port @idx for per-port keys). On -EINVAL, @why
 * says what is allowed. */
typedef int (*cfg_parse_t)(struct sf_cfg *cfg, unsigned int idx,
			   const struct cfg_key *k, const char *val,
			   char *why, size_t whylen);

struct cfg_key {
	const char *section;	/* "port" stands for port0..port7 */
	const char *key;
	cfg_parse_t parse;
	size_t off;		/* field offset for the generic parsers */
	bool per_port;
	uint32_t min;
	uint32_t max;
	const char *def;	/* default, as documented */
	const char *help;
};

extern const struct cfg_key sf_cfg_keys[];

#endif /* SF_CFG_PRIV_H */
