/*
 * NVD CVE API 2.0 importer (https://nvd.nist.gov/developers/vulnerabilities): API responses
 * and the 2.0 JSON feed files (nvdcve-2.0-YYYY.json), both
 *   {"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": {…}}, …]}
 * and a bare {"cve": {…}} object. Per CVE: id, published, lastModified, vulnStatus,
 * descriptions[] {lang, value}, metrics {cvssMetricV40, cvssMetricV31, cvssMetricV30,
 * cvssMetricV2: [{source, type Primary|Secondary, cvssData {version, vectorString, baseScore,
 * baseSeverity}, baseSeverity (v2)}]}, weaknesses[] {description[] {value "CWE-787"}},
 * references[] {url}.
 *
 * These advisories have no affected rows: NVD's CPE configurations do not name packages. They
 * give severities, CVSS, CWEs and descriptions for CVEs that other feeds list (the matcher
 * looks them up by id with bsn_vdb_advisory). One CVE = one record; "Rejected" CVEs are
 * dropped like OSV's withdrawn records.
 *
 * Severity: NVD's own (Primary) v3.1, else v3.0, else v4.0, else v2 rating; then the same
 * order over Secondary (CNA) metrics. CVSS entries keep every metric, source "nvd" for
 * nvd@nist.gov and the scoring organisation's identifier otherwise.
 * Times without an offset (NVD writes "2023-09-12T15:15:24.327") get the "Z" they mean.
 * Quirks: "NVD-CWE-Other"/"NVD-CWE-noinfo" are not CWEs (dropped); v2 keeps its rating beside
 * cvssData, not inside it; ssvcV203 metrics carry no score (ignored).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_CVSS 16
#define MAX_CWES 16
#define MAX_REFS 128

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

/*
 * NVD and CVE 5 times are UTC; those written without an offset get a "Z", so that they are
 * RFC 3339 ("2023-09-12T15:15:24.327" -> "2023-09-12T15:15:24.327Z").
 */
static const char *
utc(struct bsn_arena *a, const char *t)
{
    if (!t)
        return NULL;
    const char *tp = strchr(t, 'T');
    if (!tp || strchr(tp, 'Z') || strchr(tp, 'z') || strchr(tp, '+') || strchr(tp, '-'))
        return t;
    return bsn_arena_printf(a, "%sZ", t);
}

static bool
nvd_detect(const char *path, const unsigned char *head, size_t n)
{
    if (!bsn_cstr_ends(path, ".json"))
        return false;
    if (memmem(head, n, "\"NVD_CVE\"", 9))
        return true;
    /* a bare CVE object: {"cve": {"id": "CVE-…", "sourceIdentifier": … */
    return memmem(head, n, "\"cve\"", 5) && memmem(head, n, "\"sourceIdentifier\"", 18);
}

struct metric_kind {
    const char *key, *version;
};

static const struct metric_kind metric_kinds[] = {
    { "cvssMetricV31", "3.1" },
    { "cvssMetricV30", "3.0" },
    { "cvssMetricV40", "4.0" },
    { "cvssMetricV2", "2.0" },
};

static const char *
metric_severity(const json_t *m)
{
    const json_t *data = json_object_get(m, "cvssData");
    const char *w = jstr(data, "baseSeverity");
    if (!w)
        w = jstr(m, "baseSeverity"); /* v2 */
    return w ? bsn_vdb_severity_word(w, strlen(w)) : NULL;
}

static void
import_cve(struct bsn_vdb_import *im, struct bsn_arena *a, const char *path, const char *rec,
           const json_t *cve)
{
    const char *id = jstr(cve, "id");
    if (!id || strncmp(id, "CVE-", 4) != 0 || strlen(id) > 64) {
        bsn_vdb_warn(im, path, rec, "no CVE \"id\"");
        return;
    }
    const char *status = jstr(cve, "vulnStatus");
    if (status && strcmp(status, "Rejected") == 0)
        return;
    struct bsn_adv adv = { .id = id, .published = utc(a, jstr(cve, "published")),
                           .modified = utc(a, jstr(cve, "lastModified")) };
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(cve, "descriptions"), i, e) {
        const char *lang = jstr(e, "lang");
        if (lang && strcmp(lang, "en") == 0 && jstr(e, "value")) {
            adv.description = jstr(e, "value");
            break;
        }
    }

    const json_t *metrics = json_object_get(cve, "metrics");
    struct bsn_cvss *cv = bsn_arena_alloc_array(a, MAX_CVSS, sizeof(*cv));
    const char *sev_primary = NULL, *sev_secondary = NULL;
    for (size_t k = 0; k < sizeof(metric_kinds) / sizeof(metric_kinds[0]); k++) {
        json_t *m;
        json_array_foreach(json_object_get(metrics, metric_kinds[k].key), i, m) {
            const json_t *data = json_object_get(m, "cvssData");
            const char *vector = jstr(data, "vectorString");
            const json_t *score = json_object_get(data, "baseScore");
            const char *src = jstr(m, "source");
            bool primary = jstr(m, "type") && strcmp(jstr(m, "type"), "Primary") == 0;
            if (!vector || !json_is_number(score)) {
                bsn_vdb_warn(im, path, id, "%s metric without vectorString or baseScore",
                             metric_kinds[k].key);
                return;
            }
            const char *sev = metric_severity(m);
            if (primary && !sev_primary)
                sev_primary = sev;
            if (!primary && !sev_secondary)
                sev_secondary = sev;
            if (adv.n_cvss == MAX_CVSS)
                continue;
            cv[adv.n_cvss++] = (struct bsn_cvss){
                .source = !src || strcmp(src, "nvd@nist.gov") == 0 ? "nvd" : src,
                .version = jstr(data, "version") ? jstr(data, "version")
                                                 : metric_kinds[k].version,
                .vector = vector, .score = json_number_value(score) };
        }
    }
    adv.cvss = cv;
    adv.severity = sev_primary ? sev_primary : sev_secondary;

    const char **cwes = bsn_arena_alloc_array(a, MAX_CWES, sizeof(*cwes));
    json_array_foreach(json_object_get(cve, "weaknesses"), i, e) {
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(e, "description"), k, d) {
            const char *w = jstr(d, "value");
            if (!w || strncmp(w, "CWE-", 4) != 0 || adv.n_cwes == MAX_CWES)
                continue;
            bool dup = false;
            for (size_t c = 0; c < adv.n_cwes && !dup; c++)
                dup = strcmp(cwes[c], w) == 0;
            if (!dup)
                cwes[adv.n_cwes++] = w;
        }
    }
    adv.cwes = cwes;
    const char **refs = bsn_arena_alloc_array(a, MAX_REFS, sizeof(*refs));
    json_array_foreach(json_object_get(cve, "references"), i, e) {
        const char *u = jstr(e, "url");
        if (u && adv.n_references < MAX_REFS)
            refs[adv.n_references++] = u;
    }
    adv.references = refs;
    bsn_vdb_emit(im, &adv);
}

static bsn_code
nvd_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
           struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_vdb_scratch(im);
    json_error_t je;
    json_t *j = json_loadb((const char *)data, len, 0, &je);
    if (!j) {
        bsn_vdb_warn(im, path, "file", "invalid JSON at line %d: %s", je.line, je.text);
        return BSN_OK;
    }
    const json_t *vulns = json_object_get(j, "vulnerabilities");
    if (json_is_array(vulns)) {
        size_t i;
        json_t *v;
        json_array_foreach(vulns, i, v) {
            char rec[64];
            snprintf(rec, sizeof(rec), "vulnerabilities[%zu]", i);
            const json_t *cve = json_object_get(v, "cve");
            if (!json_is_object(cve))
                bsn_vdb_warn(im, path, rec, "no \"cve\" object");
            else
                import_cve(im, a, path, jstr(cve, "id") ? jstr(cve, "id") : rec, cve);
        }
    } else if (json_is_object(json_object_get(j, "cve"))) {
        import_cve(im, a, path, "cve", json_object_get(j, "cve"));
    } else {
        bsn_vdb_warn(im, path, "file", "neither \"vulnerabilities\" nor \"cve\"");
    }
    json_decref(j);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_nvd = {
    .name = "nvd",
    .data_source = "nvd",
    .detect = nvd_detect,
    .import_file = nvd_import,
};
