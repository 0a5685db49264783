/*
 * Enterprise-distribution rules of the matcher (match_enterprise.c): rpm modularity streams.
 */
#ifndef BSN_MATCH_ENTERPRISE_H
#define BSN_MATCH_ENTERPRISE_H

#include <stdbool.h>

#include "bosun.h"
#include "vulndb/vulndb.h"

/* Does the affected row's module stream agree with the rpm's modularity label? */
bool bsn_match_rpm_module_ok(const struct bsn_package *p, const struct bsn_adv *adv,
                             const struct bsn_adv_affected *aff);

#endif
