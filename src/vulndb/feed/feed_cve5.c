/*
 * CVE JSON 5.x importer (https://github.com/CVEProject/cve-schema, record format 5.0/5.1):
 * one record per file as in CVEProject/cvelistV5 (cves/YYYY/NNxxx/CVE-YYYY-N.json) and CISA's
 * vulnrichment (YYYY/NNxxx/CVE-YYYY-N.json):
 *   {"dataType": "CVE_RECORD", "dataVersion": "5.1",
 *    "cveMetadata": {cveId, state PUBLISHED|REJECTED, datePublished, dateUpdated},
 *    "containers": {"cna": {title, descriptions[] {lang, value}, metrics[] {cvssV4_0 |
 *                   cvssV3_1 | cvssV3_0 | cvssV2_0: {version, vectorString, baseScore,
 *                   baseSeverity}, other, format, scenarios}, problemTypes[] {descriptions[]
 *                   {cweId}}, references[] {url}},
 *                   "adp": [{providerMetadata {shortName "CISA-ADP"}, metrics, problemTypes,
 *                   references}]}}
 *
 * Like NVD's, these advisories have no affected rows (the "affected" vendor/product lists do
 * not name installable packages): they give titles, descriptions, CWEs, CVSS and severities
 * for CVEs that other feeds list. REJECTED records are dropped.
 *
 * CVSS entries keep every scored metric, source = the container's provider short name
 * lowercased ("cisa-adp", "github_m"), "cna" when it has none. Severity: the CNA's v3.1, v3.0,
 * v4.0, v2.0 rating in that order, then the ADPs' (CISA-ADP scores many CVEs the CNA did
 * not). CWEs come from every container, without duplicates.
 * Times without an offset ("2017-04-24T19:00:00", older records) are UTC and get a "Z".
 * Quirks seen in vulnrichment: ADP metrics that are only SSVC ("other") entries, CWE ids as
 * "CWE-79" in cweId and free text in description, a second "CVE" ADP container holding
 * references only.
 */
#include <ctype.h>
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

/* "CVE-2024-9675.json" */
static bool
cve_file_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    if (strncmp(b, "CVE-", 4) != 0)
        return false;
    b += 4;
    size_t d = 0;
    while (isdigit((unsigned char)b[d]))
        d++;
    if (d != 4 || b[d] != '-')
        return false;
    b += d + 1;
    d = 0;
    while (isdigit((unsigned char)b[d]))
        d++;
    return d > 0 && strcmp(b + d, ".json") == 0;
}

/*
 * cveMetadata often comes after a long "containers" object (vulnrichment writes keys in
 * sorted order), beyond the bytes detection sees: a CVE-…json file opening with "containers"
 * is taken too. NVD's single-CVE files share the name and are told apart by "NVD_CVE".
 */
static bool
cve5_detect(const char *path, const unsigned char *head, size_t n)
{
    if (!bsn_cstr_ends(path, ".json") || memmem(head, n, "\"NVD_CVE\"", 9))
        return false;
    return memmem(head, n, "\"cveMetadata\"", 13) != NULL ||
           (memmem(head, n, "\"dataType\"", 10) && memmem(head, n, "CVE_RECORD", 10)) ||
           (cve_file_name(path) && memmem(head, n, "\"containers\"", 12));
}

static const struct {
    const char *key, *version;
} metric_kinds[] = {
    { "cvssV3_1", "3.1" },
    { "cvssV3_0", "3.0" },
    { "cvssV4_0", "4.0" },
    { "cvssV2_0", "2.0" },
};

struct acc {
    struct bsn_arena *a;
    struct bsn_cvss *cvss;
    size_t n_cvss;
    const char **cwes;
    size_t n_cwes;
    const char **refs;
    size_t n_refs;
    const char *severity;
    bool bad;
    const char *bad_what;
};

static const char *
provider_name(struct bsn_arena *a, const json_t *container, const char *fallback)
{
    const char *sn = jstr(json_object_get(container, "providerMetadata"), "shortName");
    if (!sn)
        return fallback;
    char *s = bsn_arena_strdup(a, sn);
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

/* Folds one container (cna or an adp) into the accumulated facts. */
static void
add_container(struct acc *c, const json_t *con, const char *source)
{
    size_t i;
    json_t *m;
    for (size_t k = 0; k < sizeof(metric_kinds) / sizeof(metric_kinds[0]); k++) {
        json_array_foreach(json_object_get(con, "metrics"), i, m) {
            const json_t *d = json_object_get(m, metric_kinds[k].key);
            if (!d)
                continue;
            const char *vector = jstr(d, "vectorString");
            const json_t *score = json_object_get(d, "baseScore");
            if (!vector || !json_is_number(score)) {
                c->bad = true;
                c->bad_what = metric_kinds[k].key;
                return;
            }
            const char *w = jstr(d, "baseSeverity");
            if (!c->severity && w)
                c->severity = bsn_vdb_severity_word(w, strlen(w));
            if (c->n_cvss < MAX_CVSS)
                c->cvss[c->n_cvss++] = (struct bsn_cvss){
                    .source = source, .version = metric_kinds[k].version, .vector = vector,
                    .score = json_number_value(score) };
        }
    }
    json_t *pt;
    json_array_foreach(json_object_get(con, "problemTypes"), i, pt) {
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(pt, "descriptions"), k, d) {
            const char *w = jstr(d, "cweId");
            if (!w || strncmp(w, "CWE-", 4) != 0 || c->n_cwes == MAX_CWES)
                continue;
            bool dup = false;
            for (size_t x = 0; x < c->n_cwes && !dup; x++)
                dup = strcmp(c->cwes[x], w) == 0;
            if (!dup)
                c->cwes[c->n_cwes++] = w;
        }
    }
    json_t *r;
    json_array_foreach(json_object_get(con, "references"), i, r) {
        const char *u = jstr(r, "url");
        if (!u || c->n_refs == MAX_REFS)
            continue;
        bool dup = false;
        for (size_t x = 0; x < c->n_refs && !dup; x++)
            dup = strcmp(c->refs[x], u) == 0;
        if (!dup)
            c->refs[c->n_refs++] = u;
    }
}

static bsn_code
cve5_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
            struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_vdb_scratch(im);
    json_error_t je;
    json_t *j = json_loadb((const char *)data, len, 0, &je);
    if (!j) {
        bsn_vdb_warn(im, path, "record", "invalid JSON at line %d: %s", je.line, je.text);
        return BSN_OK;
    }
    const json_t *meta = json_object_get(j, "cveMetadata");
    const json_t *cons = json_object_get(j, "containers");
    const json_t *cna = json_object_get(cons, "cna");
    const char *id = jstr(meta, "cveId");
    if (!id || strncmp(id, "CVE-", 4) != 0 || strlen(id) > 64) {
        bsn_vdb_warn(im, path, "record", "no cveMetadata.cveId");
        json_decref(j);
        return BSN_OK;
    }
    const char *state = jstr(meta, "state");
    if (state && strcmp(state, "REJECTED") == 0) {
        json_decref(j);
        return BSN_OK;
    }
    if (!json_is_object(cna)) {
        bsn_vdb_warn(im, path, id, "no containers.cna");
        json_decref(j);
        return BSN_OK;
    }
    struct acc c = { .a = a };
    c.cvss = bsn_arena_alloc_array(a, MAX_CVSS, sizeof(*c.cvss));
    c.cwes = bsn_arena_alloc_array(a, MAX_CWES, sizeof(*c.cwes));
    c.refs = bsn_arena_alloc_array(a, MAX_REFS, sizeof(*c.refs));
    add_container(&c, cna, "cna");
    size_t i;
    json_t *adp;
    json_array_foreach(json_object_get(cons, "adp"), i, adp)
        add_container(&c, adp, provider_name(a, adp, "adp"));
    if (c.bad) {
        bsn_vdb_warn(im, path, id, "%s metric without vectorString or baseScore", c.bad_what);
        json_decref(j);
        return BSN_OK;
    }
    struct bsn_adv adv = { .id = id, .summary = jstr(cna, "title"),
                           .published = utc(a, jstr(meta, "datePublished")),
                           .modified = utc(a, jstr(meta, "dateUpdated")), .severity = c.severity,
                           .cvss = c.cvss, .n_cvss = c.n_cvss, .cwes = c.cwes,
                           .n_cwes = c.n_cwes, .references = c.refs, .n_references = c.n_refs };
    json_t *d;
    json_array_foreach(json_object_get(cna, "descriptions"), i, d) {
        const char *lang = jstr(d, "lang");
        if (lang && strncmp(lang, "en", 2) == 0 && jstr(d, "value")) {
            adv.description = jstr(d, "value");
            break;
        }
    }
    bsn_vdb_emit(im, &adv);
    json_decref(j);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_cve5 = {
    .name = "cve5",
    .data_source = "cve",
    .detect = cve5_detect,
    .import_file = cve5_import,
};
