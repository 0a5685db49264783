/*
 * Photon OS CVE metadata: https://packages.broadcom.com/photon/photon_cve_metadata/
 * cve_data_photon<release>.json (formerly packages.vmware.com), one JSON array per release:
 *
 *   [{"cve_id": "CVE-2005-1704", "pkg": "crash", "cve_score": 4.6,
 *     "aff_ver": "all versions before 8.0.2-1.ph3 are vulnerable", "res_ver": "8.0.2-1.ph3",
 *     "status": "Fixed"}, …]
 *
 * - The release comes from the file name ("cve_data_photon3.0.json" -> photon:3).
 * - Each entry is one fixed row (rpm scheme, "res_ver" as the first fixed version) of the
 *   advisory named by its CVE id; entries of one CVE merge into one advisory. "Not Affected"
 *   entries and "NA" versions add nothing. The 4.0/5.0 copies have no "status" field: a
 *   res_ver is a fix.
 * - cve_score (a CVSS base score without a vector) gives the advisory severity by the CVSS
 *   bands. Entries without cve_id or pkg are skipped with a warning naming their index.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "vulndb/vulndb_int.h"

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

static const char *
base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static bool
photon_detect(const char *path, const unsigned char *head, size_t n)
{
    (void)head;
    (void)n;
    const char *b = base_name(path);
    size_t len = strlen(b);
    return strncmp(b, "cve_data_photon", 15) == 0 && len > 20 &&
           strcmp(b + len - 5, ".json") == 0;
}

static const char *
band(double s)
{
    if (s <= 0)
        return NULL;
    return s >= 9.0 ? "CRITICAL" : s >= 7.0 ? "HIGH" : s >= 4.0 ? "MEDIUM" : "LOW";
}

static bsn_code
photon_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data,
              size_t len, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_vdb_scratch(im);
    /* "cve_data_photon3.0.json" -> "3" */
    const char *rel = base_name(path) + 15;
    size_t rl = strspn(rel, "0123456789");
    if (!rl || rl > 4) {
        bsn_vdb_warn(im, path, "file", "no Photon release in the file name");
        return BSN_OK;
    }
    const char *ns = bsn_arena_printf(a, "photon:%.*s", (int)rl, rel);
    json_error_t je;
    json_t *j = json_loadb((const char *)data, len, JSON_ALLOW_NUL, &je);
    if (!json_is_array(j)) {
        if (j)
            bsn_vdb_warn(im, path, "file", "not a JSON array");
        else
            bsn_vdb_warn(im, path, "file", "invalid JSON at line %d: %s", je.line, je.text);
        json_decref(j);
        return BSN_OK;
    }
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e) {
        const char *cve = jstr(e, "cve_id"), *pkg = jstr(e, "pkg");
        const char *fixed = jstr(e, "res_ver"), *status = jstr(e, "status");
        if (!cve || !pkg || strlen(cve) > 64) {
            char rec[32];
            snprintf(rec, sizeof(rec), "entry %zu", i);
            bsn_vdb_warn(im, path, rec, "no \"cve_id\" or \"pkg\"");
            continue;
        }
        if ((status && strcmp(status, "Fixed") != 0) || !fixed || strcmp(fixed, "NA") == 0)
            continue;
        struct bsn_adv_affected f = { .namespace = ns, .package = pkg, .scheme = "rpm",
                                      .fixed = fixed, .status = BSN_STATUS_FIXED };
        struct bsn_adv adv = { .id = cve, .affected = &f, .n_affected = 1 };
        const json_t *score = json_object_get(e, "cve_score");
        adv.severity = json_is_number(score) ? band(json_number_value(score)) : NULL;
        bsn_vdb_emit(im, &adv);
    }
    json_decref(j);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_photon = {
    .name = "photon",
    .data_source = "photon",
    .detect = photon_detect,
    .import_file = photon_import,
};
