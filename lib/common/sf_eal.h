/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SF_EAL_H
#define SF_EAL_H

/*
 * EAL helpers shared by synfin's short-lived processes (the unit tests,
 * the fuzz targets, the packetdrill adapter): each starts EAL with a
 * private file prefix and must not leave its runtime folder behind.
 */

/** rte_eal_cleanup(), then remove the files of EAL's runtime folder and
 *  the folder itself (it is this process's: a private --file-prefix). */
void sf_eal_fini_clean(void);

#endif /* SF_EAL_H */
