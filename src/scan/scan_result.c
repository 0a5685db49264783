/*
 * Results: severity and status names, options, diagnostics, and bsn_scan_files (a file set
 * analysed as one layer, for tests and single-file scans).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <time.h>

#include "scan/scan_int.h"

/* ---- names -------------------------------------------------------------------------------- */

static const char *const severity_names[BSN_SEV_COUNT] = {
    [BSN_SEV_UNKNOWN] = "UNKNOWN", [BSN_SEV_LOW] = "LOW", [BSN_SEV_MEDIUM] = "MEDIUM",
    [BSN_SEV_HIGH] = "HIGH", [BSN_SEV_CRITICAL] = "CRITICAL",
};

const char *
bsn_severity_name(enum bsn_severity s)
{
    return (unsigned)s < BSN_SEV_COUNT ? severity_names[s] : "UNKNOWN";
}

bool
bsn_severity_parse(const char *s, size_t n, enum bsn_severity *out)
{
    for (unsigned i = 0; i < BSN_SEV_COUNT; i++) {
        if (strlen(severity_names[i]) == n && strncasecmp(s, severity_names[i], n) == 0) {
            *out = (enum bsn_severity)i;
            return true;
        }
    }
    return false;
}

static const char *const status_names[] = {
    [BSN_STATUS_AFFECTED] = "affected",         [BSN_STATUS_FIXED] = "fixed",
    [BSN_STATUS_NOT_FIXED] = "not_fixed",       [BSN_STATUS_WILL_NOT_FIX] = "will_not_fix",
    [BSN_STATUS_FIX_DEFERRED] = "fix_deferred", [BSN_STATUS_END_OF_LIFE] = "end_of_life",
};

const char *
bsn_status_name(enum bsn_vuln_status s)
{
    return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s]
                                                                         : "affected";
}

bool
bsn_status_parse(const char *s, enum bsn_vuln_status *out)
{
    for (unsigned i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (enum bsn_vuln_status)i;
            return true;
        }
    }
    return false;
}

/* ---- results ------------------------------------------------------------------------------ */

void
bsn_scan_opts_init(struct bsn_scan_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->scanners = BSN_SCAN_VULN | BSN_SCAN_SECRET;
}

struct bsn_result *
bsn_result_new(const char *target, enum bsn_artifact_type kind)
{
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_result *r = bsn_arena_alloc(a, sizeof(*r));
    r->arena = a;
    r->target = bsn_arena_strdup(a, target);
    r->artifact_type = kind;
    return r;
}

void
bsn_result_free(struct bsn_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_platforms; i++)
        bsn_result_free(r->platforms[i]);
    bsn_arena_free(r->arena);
}

void
bsn_result_diag(struct bsn_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = bsn_arena_vprintf(r->arena, fmt, ap);
    va_end(ap);
    /* The array lives in the arena and doubles whenever the count reaches a power of two. */
    size_t n = r->n_diags;
    if (n == 0 || (n & (n - 1)) == 0) {
        struct bsn_diag *d = bsn_arena_alloc_array(r->arena, n ? n * 2 : 1, sizeof(*d));
        if (n)
            memcpy(d, r->diags, n * sizeof(*d));
        r->diags = d;
    }
    r->diags[r->n_diags++].message = m;
}

void
bsn_scan_set_created_at(struct bsn_result *r, const struct bsn_scan_opts *opts)
{
    time_t t = opts->now ? (time_t)opts->now : time(NULL);
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    r->created_at = bsn_arena_strdup(r->arena, buf);
}

bsn_code
bsn_scan_post_inventory(struct bsn_result *r, const struct bsn_scan_opts *opts,
                        struct bsn_err *err)
{
    (void)err;
    r->scanned_vuln = (opts->scanners & BSN_SCAN_VULN) != 0;
    r->scanned_secret = (opts->scanners & BSN_SCAN_SECRET) != 0;
    r->scanned_misconfig = (opts->scanners & BSN_SCAN_MISCONFIG) != 0;
    if (!r->scanned_secret)
        r->n_secrets = 0;
    if (!r->scanned_misconfig)
        r->n_misconfigs = 0;
    return BSN_OK;
}

bsn_code
bsn_scan_files(size_t n, const char *const *image_paths, const char *const *disk_paths,
               const struct bsn_scan_opts *opts, struct bsn_result **out, struct bsn_err *err)
{
    struct bsn_result *r = bsn_result_new("files", BSN_ARTIFACT_FS);
    struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
    bsn_scan_set_created_at(r, opts);
    bsn_code rc = bsn_analyze_files(n, image_paths, disk_paths, lr, opts, err);
    if (rc == BSN_OK) {
        rc = bsn_merge(&lr, 1, r, err);
        lr = NULL;
    }
    if (rc == BSN_OK)
        rc = bsn_scan_post_inventory(r, opts, err);
    if (rc != BSN_OK) {
        bsn_layer_result_free(lr);
        bsn_result_free(r);
        return rc;
    }
    *out = r;
    return BSN_OK;
}
