/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_log.h>

#include "sf_log.h"

int sf_logtype_main = RTE_LOGTYPE_USER1;
int sf_logtype_port = RTE_LOGTYPE_USER1;
int sf_logtype_net = RTE_LOGTYPE_USER1;
int sf_logtype_worker = RTE_LOGTYPE_USER1;
int sf_logtype_cfg = RTE_LOGTYPE_USER1;
int sf_logtype_timer = RTE_LOGTYPE_USER1;
int sf_logtype_trace = RTE_LOGTYPE_USER1;

static const struct {
	const char *name;
	int *type;
} log_types[] = {
	{ "synfin.main", &sf_logtype_main },
	{ "synfin.port", &sf_logtype_port },
	{ "synfin.net", &sf_logtype_net },
	{ "synfin.worker", &sf_logtype_worker },
	{ "synfin.cfg", &sf_logtype_cfg },
	{ "synfin.timer", &sf_logtype_timer },
	{ "synfin.trace", &sf_logtype_trace },
};

int
sf_log_init(void)
{
	unsigned int i;
	int t;

	for (i = 0; i < RTE_DIM(log_types); i++) {
		t = rte_log_register_type_and_pick_level(log_types[i].name,
							 RTE_LOG_INFO);
		if (t < 0)
			return -ENOMEM;
		*log_types[i].type = t;
	}
	return 0;
}
