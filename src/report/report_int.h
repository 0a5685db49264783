/*
 * Helpers shared by the report writers (private to src/report/): severity and status names,
 * the contract's orderings of packages and findings, summary counts, JSON output into a
 * bounded buffer.
 */
#ifndef BSN_REPORT_INT_H
#define BSN_REPORT_INT_H

#include <stddef.h>

#include <jansson.h>

#include "report/report.h"

/* "CRITICAL", "HIGH", … ("UNKNOWN" for anything out of range). */
const char *bsn_rpt_sev(enum bsn_severity s);
/* "fixed", "not_fixed", … */
const char *bsn_rpt_status(enum bsn_vuln_status s);

/* Packages sorted by type, name, version, path: a new array of pointers (free() it). */
const struct bsn_package **bsn_rpt_sorted_pkgs(const struct bsn_result *r);
/* Findings sorted by severity (CRITICAL first), id, package name, version, path. */
const struct bsn_vuln **bsn_rpt_sorted_vulns(const struct bsn_result *r);

/* Counts of findings per severity (index = enum bsn_severity). */
void bsn_rpt_count(const struct bsn_result *r, size_t counts[BSN_SEV_COUNT]);

/* jansson helpers: a string or null. */
json_t *bsn_rpt_jstr(const char *s);
/* Appends key to obj; the value reference is stolen. A NULL value (allocation failure in
 * jansson) becomes null. */
void bsn_rpt_set(json_t *obj, const char *key, json_t *val);
/* Appends v (stolen) to arr. */
void bsn_rpt_push(json_t *arr, json_t *v);

/* A name-based UUID (RFC 4122 layout, version 5 bits, SHA-256 of the target, image id and
 * created_at) as "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx": the same scan gives the same id. */
void bsn_rpt_uuid(const struct bsn_result *r, const char *salt, char out[40]);
/* The highest CVSS score of a finding (any source, any version), or -1. */
double bsn_rpt_max_score(const struct bsn_vuln *v);
/* Lowercase severity name ("critical") for CycloneDX ratings. */
const char *bsn_rpt_sev_lower(enum bsn_severity s);

/* Serialises doc (indent 2, keys in insertion order, trailing newline) into out. BSN_ELIMIT
 * with err set when out's cap is too small. Does not free doc. */
bsn_code bsn_rpt_dump(json_t *doc, struct bsn_buf *out, const char *format, struct bsn_err *err);

#endif
