/*
 * Node.js security WG importer: builds a database from the snapshot
 * (tests/data/feeds/npm-nodejs-security-wg/nodejs-security-wg-vuln.tar.xz) through the library
 * and checks
 *   - the record count against an independent count: the keys of vuln/npm/index.json and
 *     vuln/core/index.json (the WG's own indexes, not read by the importer), which must also
 *     equal the number of N.json files;
 *   - 21 hand-picked advisories (13 npm, 8 core): per version, vulnerable or not by the stored
 *     ranges (evaluated with the npm scheme) and the fixed version of the matching row, worked
 *     out by hand from vulnerable_versions/patched_versions; severities, aliases, CVSS;
 *   - every advisory of the snapshot, differentially: for release versions around each version
 *     its ranges name, "vulnerable by the stored rows" must equal "satisfies the vulnerable
 *     range and not the patched one" (both evaluated as written with the npm scheme);
 *   - malformed records skipped with warnings naming file and record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <jansson.h>

#include "bosun.h"
#include "version/version.h"
#include "vulndb/vulndb.h"

extern const struct bsn_scheme bsn_scheme_npm;

#define ARCHIVE BSN_TEST_DATA "/feeds/npm-nodejs-security-wg/nodejs-security-wg-vuln.tar.xz"

#include "feed_db_fixture.h"

static int
setup(void **state)
{
    (void)state;
    return feed_db_open("nodejs-wg", ARCHIVE);
}

static int
teardown(void **state)
{
    (void)state;
    return feed_db_close();
}

static void
test_record_count(void **state)
{
    (void)state;
    struct archive *ar = archive_read_new();
    archive_read_support_filter_all(ar);
    archive_read_support_format_all(ar);
    assert_int_equal(archive_read_open_filename(ar, ARCHIVE, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    size_t index_keys = 0, files = 0;
    static char buf[4 << 20];
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        if (strstr(p, "/vuln/npm/index.json") || strstr(p, "/vuln/core/index.json")) {
            size_t len = 0;
            la_ssize_t got;
            while ((got = archive_read_data(ar, buf + len, sizeof(buf) - len)) > 0)
                len += (size_t)got;
            json_error_t je;
            json_t *j = json_loadb(buf, len, 0, &je);
            assert_non_null(j);
            index_keys += json_object_size(j);
            json_decref(j);
            continue;
        }
        const char *base = strrchr(p, '/');
        if (!base || !(strstr(p, "/vuln/npm/") || strstr(p, "/vuln/core/")))
            continue;
        size_t d = 1;
        while (base[d] >= '0' && base[d] <= '9')
            d++;
        if (d > 1 && strcmp(base + d, ".json") == 0)
            files++;
    }
    archive_read_free(ar);
    assert_int_equal(index_keys, 467 + 171); /* README: 467 npm + 171 Node.js core */
    assert_int_equal(files, index_keys);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(db_path, "nodejs-wg", a);
    assert_int_equal(s->records, index_keys);
    assert_int_equal(s->skipped, 0);
    bsn_arena_free(a);
}

struct probe {
    const char *id, *ns, *pkg, *version;
    bool vulnerable;
    const char *fixed;
};

static const struct probe probes[] = {
    /* bassmaster: vulnerable <=1.5.1, patched >=1.5.2 */
    { "NSWG-ECO-1", "npm", "bassmaster", "1.5.1", true, "1.5.2" },
    { "NSWG-ECO-1", "npm", "bassmaster", "1.5.2", false, NULL },
    /* uglify-js: "<= 2.4.23" / ">= 2.4.24" (blank after the operator) */
    { "NSWG-ECO-39", "npm", "uglify-js", "2.4.23", true, "2.4.24" },
    { "NSWG-ECO-39", "npm", "uglify-js", "2.4.24", false, NULL },
    /* handlebars: <4.6.0 / >=4.6.0 */
    { "NSWG-ECO-519", "npm", "handlebars", "4.5.3", true, "4.6.0" },
    { "NSWG-ECO-519", "npm", "handlebars", "4.6.0", false, NULL },
    { "NSWG-ECO-48", "npm", "uglify-js", "2.5.0", true, "2.6.0" },
    /* uri-js: <=2.1.1 / >=3.0.0 */
    { "NSWG-ECO-100", "npm", "uri-js", "2.1.1", true, "3.0.0" },
    { "NSWG-ECO-100", "npm", "uri-js", "2.2.0", false, NULL },
    /* unfixed: <=99.999.99999 / <0.0.0 */
    { "NSWG-ECO-150", "npm", "bitty", "1.0.0", true, NULL },
    { "NSWG-ECO-200", "npm", "air-sdk", "0.3.0", true, NULL },
    /* protobufjs: <=6.8.5, patched >=5.0.3 <6.0.0 || >=6.8.6: the 5.x fix is honoured */
    { "NSWG-ECO-400", "npm", "protobufjs", "5.0.2", true, "5.0.3" },
    { "NSWG-ECO-400", "npm", "protobufjs", "5.0.3", false, NULL },
    { "NSWG-ECO-400", "npm", "protobufjs", "6.8.5", true, "6.8.6" },
    { "NSWG-ECO-400", "npm", "protobufjs", "6.8.6", false, NULL },
    /* eslint-scope: exactly 3.7.2, patched <=3.7.1 || >= 3.7.3 */
    { "NSWG-ECO-450", "npm", "eslint-scope", "3.7.1", false, NULL },
    { "NSWG-ECO-450", "npm", "eslint-scope", "3.7.2", true, "3.7.3" },
    { "NSWG-ECO-450", "npm", "eslint-scope", "3.7.3", false, NULL },
    { "NSWG-ECO-480", "npm", "cached-path-relative", "1.0.1", true, "1.0.2" },
    /* treekill: "*", patched null */
    { "NSWG-ECO-507", "npm", "treekill", "1.1.0", true, NULL },
    /* hapi: 2.0.x || 2.1.x, patched ">= 2.2.x" */
    { "NSWG-ECO-11", "npm", "hapi", "2.0.5", true, "2.2.0" },
    { "NSWG-ECO-11", "npm", "hapi", "2.1.0", true, "2.2.0" },
    { "NSWG-ECO-11", "npm", "hapi", "2.2.0", false, NULL },
    { "NSWG-ECO-62", "npm", "mustache", "2.2.0", true, "2.2.1" },
    /* core 1: 8.x || 7.x || 4.x || 6.x || 5.x minus ^8.1.4 || ^7.10.1 || ^4.8.4 || ^6.11.1 */
    { "NSWG-CORE-1", "nodejs", "node", "4.8.3", true, "4.8.4" },
    { "NSWG-CORE-1", "nodejs", "node", "4.8.4", false, NULL },
    { "NSWG-CORE-1", "nodejs", "node", "5.5.0", true, NULL }, /* 5.x never fixed */
    { "NSWG-CORE-1", "nodejs", "node", "6.11.0", true, "6.11.1" },
    { "NSWG-CORE-1", "nodejs", "node", "8.1.4", false, NULL },
    { "NSWG-CORE-1", "nodejs", "node", "9.0.0", false, NULL },
    /* core 10: 6.x minus ^6.9.0 */
    { "NSWG-CORE-10", "nodejs", "node", "6.8.0", true, "6.9.0" },
    { "NSWG-CORE-10", "nodejs", "node", "6.9.0", false, NULL },
    { "NSWG-CORE-10", "nodejs", "node", "7.0.0", false, NULL },
    /* core 100: 14.x || 16.x || 18.x minus ^14.20.1 || ^16.17.1 || ^18.9.1 */
    { "NSWG-CORE-100", "nodejs", "node", "14.20.0", true, "14.20.1" },
    { "NSWG-CORE-100", "nodejs", "node", "16.17.1", false, NULL },
    { "NSWG-CORE-100", "nodejs", "node", "18.9.0", true, "18.9.1" },
    /* core 171: 20.x || 22.x || 24.x || 25.x minus ^20.20.2 || ^22.22.2 || ^24.14.1 || ^25.8.2 */
    { "NSWG-CORE-171", "nodejs", "node", "20.20.1", true, "20.20.2" },
    { "NSWG-CORE-171", "nodejs", "node", "22.22.2", false, NULL },
    { "NSWG-CORE-171", "nodejs", "node", "25.8.1", true, "25.8.2" },
    { "NSWG-CORE-171", "nodejs", "node", "26.0.0", false, NULL },
    /* core 50: 9.x || 10.x minus ^9.11.2 || ^10.4.1 */
    { "NSWG-CORE-50", "nodejs", "node", "9.11.1", true, "9.11.2" },
    { "NSWG-CORE-50", "nodejs", "node", "10.4.0", true, "10.4.1" },
    { "NSWG-CORE-50", "nodejs", "node", "10.4.1", false, NULL },
    { "NSWG-CORE-120", "nodejs", "node", "20.5.0", true, "20.5.1" },
    /* core 2: 4.x–8.x, 5.x unpatched */
    { "NSWG-CORE-2", "nodejs", "node", "5.12.0", true, NULL },
    { "NSWG-CORE-2", "nodejs", "node", "7.10.0", true, "7.10.1" },
    { "NSWG-CORE-160", "nodejs", "node", "24.12.0", true, "24.13.0" },
    { "NSWG-CORE-160", "nodejs", "node", "24.13.0", false, NULL },
};

static void
check_probe(const struct probe *p)
{
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_vdb_hit *hits;
    size_t n;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_lookup(vdb, p->ns, p->pkg, a, &hits, &n, &err), BSN_OK);
    bool seen = false, vulnerable = false;
    const char *fixed = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(hits[i].adv->id, p->id) != 0)
            continue;
        seen = true;
        assert_string_equal(hits[i].aff->scheme, "npm");
        const char *r = hits[i].aff->range;
        bool in = true;
        if (r) {
            assert_true(strncmp(r, "npm:", 4) == 0);
            assert_int_equal(bsn_scheme_npm.satisfies(bsn_str_cstr(p->version),
                                                      bsn_str_cstr(r + 4), &in, &err),
                             BSN_OK);
        }
        if (in) {
            assert_false(vulnerable);
            vulnerable = true;
            fixed = hits[i].aff->fixed;
        }
    }
    if (!seen || vulnerable != p->vulnerable)
        fprintf(stderr, "probe %s %s: seen %d vulnerable %d\n", p->id, p->version, seen,
                vulnerable);
    assert_true(seen);
    assert_int_equal(vulnerable, p->vulnerable);
    if (p->fixed) {
        assert_non_null(fixed);
        assert_string_equal(fixed, p->fixed);
    } else {
        assert_null(fixed);
    }
    bsn_arena_free(a);
}

static void
test_hand_picked_ranges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        check_probe(&probes[i]);
}

static const struct bsn_adv *
advisory(struct bsn_arena *a, const char *id)
{
    const struct bsn_adv *adv = NULL;
    const char *ds = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_advisory(vdb, id, a, &adv, &ds, &err), BSN_OK);
    if (adv)
        assert_string_equal(ds, "nodejs-wg");
    return adv;
}

static void
test_advisory_fields(void **state)
{
    (void)state;
    struct bsn_arena *a = bsn_arena_new();
    static const struct {
        const char *id, *severity;
    } sev[] = {
        { "NSWG-ECO-1", "MEDIUM" },   { "NSWG-ECO-39", "HIGH" },    { "NSWG-ECO-519", "MEDIUM" },
        { "NSWG-ECO-450", "CRITICAL" }, { "NSWG-ECO-480", "HIGH" }, { "NSWG-ECO-150", "MEDIUM" },
        { "NSWG-CORE-1", "HIGH" },    { "NSWG-CORE-10", "MEDIUM" }, { "NSWG-CORE-2", "UNKNOWN" },
        { "NSWG-CORE-171", "MEDIUM" },
    };
    for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++) {
        const struct bsn_adv *adv = advisory(a, sev[i].id);
        assert_non_null(adv);
        assert_string_equal(adv->severity, sev[i].severity);
    }
    const struct bsn_adv *adv = advisory(a, "NSWG-ECO-1");
    assert_string_equal(adv->summary, "Arbitrary JavaScript Execution");
    assert_string_equal(adv->published, "2014-09-27");
    assert_string_equal(adv->modified, "2016-04-28");
    assert_int_equal(adv->n_aliases, 1);
    assert_string_equal(adv->aliases[0], "CVE-2014-7205");
    assert_int_equal(adv->n_cvss, 1);
    assert_string_equal(adv->cvss[0].vector, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N");
    assert_string_equal(adv->cvss[0].version, "3.0");
    assert_true(adv->cvss[0].score > 6.49 && adv->cvss[0].score < 6.51);
    assert_int_equal(adv->n_references, 2);
    adv = advisory(a, "CVE-2026-21717");
    assert_non_null(adv);
    assert_string_equal(adv->id, "NSWG-CORE-171");
    assert_string_equal(adv->summary, "HashDoS in V8");
    assert_int_equal(advisory(a, "NSWG-CORE-2")->n_aliases, 0);
    bsn_arena_free(a);
}

/* Release versions around every number of the range texts. */
static size_t
probe_versions(const char *texts[2], char out[][32], size_t cap)
{
    size_t n = 0;
    static const char *const fixed[] = { "0.0.0", "0.0.1", "0.1.0", "1.0.0", "99.99.99" };
    for (size_t i = 0; i < 5; i++)
        snprintf(out[n++], 32, "%s", fixed[i]);
    for (size_t l = 0; l < 2; l++) {
        const char *p = texts[l];
        while (p && *p) {
            if (*p < '0' || *p > '9') {
                p++;
                continue;
            }
            unsigned long v[3] = { 0, 0, 0 };
            int k = 0;
            char *end;
            while (k < 3) {
                v[k++] = strtoul(p, &end, 10);
                p = end;
                if (*p != '.' || p[1] < '0' || p[1] > '9')
                    break;
                p++;
            }
            while (*p && *p != ' ' && *p != '|')
                p++;
            const unsigned long m[][3] = {
                { v[0], v[1], v[2] },  { v[0], v[1], v[2] + 1 },
                { v[0], v[1] + 1, 0 }, { v[0] + 1, 0, 0 },
                { v[0], v[1], v[2] ? v[2] - 1 : 0 },
            };
            for (size_t j = 0; j < 5 && n < cap; j++)
                snprintf(out[n++], 32, "%lu.%lu.%lu", m[j][0], m[j][1], m[j][2]);
        }
    }
    return n;
}

static void
test_differential_all(void **state)
{
    (void)state;
    struct archive *ar = archive_read_new();
    archive_read_support_filter_all(ar);
    archive_read_support_format_all(ar);
    assert_int_equal(archive_read_open_filename(ar, ARCHIVE, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    static char buf[1 << 20];
    static char versions[512][32];
    size_t advisories = 0, checks = 0, mismatches = 0;
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        bool core = strstr(p, "/vuln/core/") != NULL;
        const char *base = strrchr(p, '/');
        if (!base || !(core || strstr(p, "/vuln/npm/")) || base[1] < '0' || base[1] > '9')
            continue;
        la_ssize_t got = archive_read_data(ar, buf, sizeof(buf) - 1);
        assert_true(got > 0);
        json_error_t je;
        json_t *j = json_loadb(buf, (size_t)got, 0, &je);
        assert_non_null(j);
        char id[64];
        snprintf(id, sizeof(id), "NSWG-%s-%.*s", core ? "CORE" : "ECO",
                 (int)(strlen(base + 1) - 5), base + 1);
        const char *texts[2] = {
            json_string_value(json_object_get(j, core ? "vulnerable" : "vulnerable_versions")),
            json_string_value(json_object_get(j, core ? "patched" : "patched_versions")),
        };
        const char *ns = core ? "nodejs" : "npm";
        const char *pkg = core ? "node" : json_string_value(json_object_get(j, "module_name"));
        size_t nv = probe_versions(texts, versions, 512);
        struct bsn_arena *a = bsn_arena_new();
        struct bsn_vdb_hit *hits;
        size_t n;
        struct bsn_err err = { 0 };
        assert_int_equal(bsn_vdb_lookup(vdb, ns, pkg, a, &hits, &n, &err), BSN_OK);
        advisories++;
        for (size_t k = 0; k < nv; k++) {
            struct bsn_str v = bsn_str_cstr(versions[k]);
            bool in_vuln = false, in_patched = false;
            assert_int_equal(bsn_scheme_npm.satisfies(v, bsn_str_cstr(texts[0]), &in_vuln, &err),
                             BSN_OK);
            if (texts[1])
                assert_int_equal(bsn_scheme_npm.satisfies(v, bsn_str_cstr(texts[1]), &in_patched,
                                                          &err),
                                 BSN_OK);
            bool vulnerable = false;
            for (size_t i = 0; i < n; i++) {
                if (strcmp(hits[i].adv->id, id) != 0)
                    continue;
                bool in = true;
                if (hits[i].aff->range)
                    assert_int_equal(bsn_scheme_npm.satisfies(
                                         v, bsn_str_cstr(hits[i].aff->range + 4), &in, &err),
                                     BSN_OK);
                vulnerable = vulnerable || in;
            }
            checks++;
            if (vulnerable != (in_vuln && !in_patched) && mismatches++ < 10)
                fprintf(stderr, "%s %s %s: stored rows say %s\n", id, pkg, versions[k],
                        vulnerable ? "vulnerable" : "safe");
        }
        bsn_arena_free(a);
        json_decref(j);
    }
    archive_read_free(ar);
    fprintf(stderr, "nodejs-wg differential: %zu advisories, %zu version checks\n", advisories,
            checks);
    assert_int_equal(advisories, 638);
    assert_int_equal(mismatches, 0);
}

static void
write_file(const char *path, const char *text)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_malformed_records(void **state)
{
    (void)state;
    char root[300], p[400], out[400], src[400];
    snprintf(root, sizeof(root), "%s/bad/vuln", dir);
    snprintf(p, sizeof(p), "%s/npm/1.json", root);
    write_file(p, "{\"id\": 1, \"module_name\": \"ok\", \"vulnerable_versions\": \"<1.0.1\","
                  " \"patched_versions\": \">=1.0.1\", \"cves\": []}");
    snprintf(p, sizeof(p), "%s/npm/2.json", root);
    write_file(p, "{\"id\": 2, \"module_name\": \"bad\", \"vulnerable_versions\": \">=x.y\"}");
    snprintf(p, sizeof(p), "%s/npm/3.json", root);
    write_file(p, "{\"id\": 3, \"module_name\": ");
    snprintf(p, sizeof(p), "%s/core/4.json", root);
    write_file(p, "{\"cve\": [], \"patched\": \"^1.0.0\"}");
    snprintf(p, sizeof(p), "%s/npm/index.json", root);
    write_file(p, "{}");
    snprintf(out, sizeof(out), "%s/bad.db", dir);
    snprintf(src, sizeof(src), "nodejs-wg:%s/bad", dir);
    struct warns w = { .n = 0 };
    build(src, out, &w);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(out, "nodejs-wg", a);
    assert_int_equal(s->records, 1);
    assert_int_equal(s->skipped, 3);
    bsn_arena_free(a);
    static const char *const want[][2] = {
        { "npm/2.json: NSWG-ECO-2", "invalid vulnerable_versions '>=x.y'" },
        { "npm/3.json: NSWG-ECO-3", "invalid JSON" },
        { "core/4.json: NSWG-CORE-4", "invalid \"vulnerable\" range" },
    };
    assert_int_equal(w.n, 3);
    for (size_t k = 0; k < 3; k++) {
        bool seen = false;
        for (size_t i = 0; i < w.n && !seen; i++)
            seen = strstr(w.msg[i], want[k][0]) && strstr(w.msg[i], want[k][1]);
        if (!seen)
            for (size_t i = 0; i < w.n; i++)
                fprintf(stderr, "warning: %s\n", w.msg[i]);
        assert_true(seen);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_count),
        cmocka_unit_test(test_hand_picked_ranges),
        cmocka_unit_test(test_advisory_fields),
        cmocka_unit_test(test_differential_all),
        cmocka_unit_test(test_malformed_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
