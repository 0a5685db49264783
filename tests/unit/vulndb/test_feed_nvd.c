/*
 * NVD CVE API 2.0 importer: builds a database from the NVD part of
 * tests/data/feeds/cve-nvd/cve5-nvd2-subset.tar.xz (a 38-CVE API page, a single-entry
 * response and 23 single-CVE responses) through the library and checks
 *   - the record count against an independent count (distinct cve.id over the
 *     "vulnerabilities" arrays of every NVD_CVE file in the archive), nothing skipped;
 *   - 21 hand-picked CVEs read off the files: severity (NVD's Primary v3.1/v3.0/v4.0/v2
 *     rating, else the CNA's), number of CVSS metrics, the first metric's source, version,
 *     vector and score, CWEs (NVD-CWE-* dropped), dates, description; no affected rows;
 *   - malformed entries skipped with warnings naming file and record.
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
#include "vulndb/vulndb.h"

#define ARCHIVE BSN_TEST_DATA "/feeds/cve-nvd/cve5-nvd2-subset.tar.xz"

#include "feed_db_fixture.h"

static int
setup(void **state)
{
    (void)state;
    return feed_db_open("nvd", ARCHIVE);
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
    static char buf[8 << 20];
    json_t *ids = json_object();
    size_t files = 0;
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        size_t n = strlen(p);
        if (n < 6 || strcmp(p + n - 5, ".json") != 0)
            continue;
        size_t len = 0;
        la_ssize_t got;
        while ((got = archive_read_data(ar, buf + len, sizeof(buf) - len)) > 0)
            len += (size_t)got;
        json_error_t je;
        json_t *j = json_loadb(buf, len, 0, &je);
        if (!j || !json_is_string(json_object_get(j, "format")) ||
            strcmp(json_string_value(json_object_get(j, "format")), "NVD_CVE") != 0) {
            json_decref(j);
            continue;
        }
        files++;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "vulnerabilities"), i, v) {
            json_t *id = json_object_get(json_object_get(v, "cve"), "id");
            assert_true(json_is_string(id));
            json_object_set_new(ids, json_string_value(id), json_true());
        }
        json_decref(j);
    }
    archive_read_free(ar);
    assert_int_equal(files, 25); /* NOTICE: 25 files, 62 entries */
    assert_int_equal(json_object_size(ids), 62);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(db_path, "nvd", a);
    assert_int_equal(s->records, json_object_size(ids));
    assert_int_equal(s->skipped, 0);
    assert_string_equal(s->newest, "2026-06-17T07:43:17.830Z");
    bsn_arena_free(a);
    json_decref(ids);
}

struct pick {
    const char *id, *severity;
    size_t n_cvss;
    const char *source, *version, *vector;
    double score;
    const char *cwes[3];
    const char *published;
};

/* Read off the files (see the file comment for the severity rule). */
static const struct pick picks[] = {
    { "CVE-2023-4863", "HIGH", 1, "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
      8.8, { "CWE-787" }, "2023-09-12T15:15:24.327Z" },
    { "CVE-2014-1424", "MEDIUM", 1, "nvd", "2.0", "AV:N/AC:L/Au:N/C:N/I:P/A:P", 6.4,
      { "CWE-264" }, "2014-11-24T15:59:00.090Z" },
    { "CVE-2017-6507", "MEDIUM", 2, "nvd", "3.0", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N",
      5.9, { "CWE-269" }, "2017-03-24T07:59:00.233Z" },
    { "CVE-2024-3094", "CRITICAL", 2, "secalert@redhat.com", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, { "CWE-506" },
      "2024-03-29T17:15:21.150Z" },
    { "CVE-2024-47177", "CRITICAL", 1, "security-advisories@github.com", "3.1",
      "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.0, { "CWE-77" },
      "2024-09-26T22:15:04.740Z" },
    /* no metrics yet ("Awaiting Analysis"), no CWE */
    { "CVE-2023-43250", NULL, 0, NULL, NULL, NULL, 0, { NULL }, "2023-10-18T16:15:08.790Z" },
    { "CVE-2023-45383", NULL, 0, NULL, NULL, NULL, 0, { NULL }, "2023-10-18T16:15:08.853Z" },
    /* only NVD-CWE-* weaknesses */
    { "CVE-2023-22068", "MEDIUM", 1, "secalert_us@oracle.com", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:N/A:H", 4.9, { NULL },
      "2023-10-17T22:15:12.617Z" },
    { "CVE-2022-1122", "MEDIUM", 2, "nvd", "3.1", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H",
      5.5, { "CWE-665", "CWE-824" }, "2022-03-29T18:15:07.977Z" },
    { "CVE-2023-5642", "CRITICAL", 1, "vulnreport@tenable.com", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, { "CWE-200" },
      "2023-10-18T16:15:08.943Z" },
    { "CVE-2022-36749", "CRITICAL", 1, "nvd", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, { "CWE-78" },
      "2022-08-30T22:15:09.630Z" },
    { "CVE-2023-27314", "HIGH", 2, "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
      7.5, { "CWE-400" }, "2023-10-12T19:15:11.747Z" },
    { "CVE-2023-45391", "MEDIUM", 1, "nvd", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N", 4.8, { "CWE-79" },
      "2023-10-13T14:15:10.587Z" },
    { "CVE-2022-33745", "HIGH", 1, "nvd", "3.1", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H",
      8.8, { NULL }, "2022-07-26T13:15:10.003Z" },
    { "CVE-2023-24256", "HIGH", 1, "nvd", "3.1", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
      7.8, { "CWE-22" }, "2023-07-06T02:15:09.357Z" },
    { "CVE-2022-22384", "MEDIUM", 2, "nvd", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N", 4.3, { "CWE-20" },
      "2023-10-17T01:15:09.773Z" },
    { "CVE-2021-29913", "HIGH", 2, "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:L/A:N",
      7.1, { "CWE-20" }, "2023-10-17T02:15:09.910Z" },
    { "CVE-2022-0090", "MEDIUM", 3, "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N",
      6.5, { "CWE-269" }, "2022-01-18T17:15:09.510Z" },
    { "CVE-2016-1585", "CRITICAL", 3, "nvd", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, { NULL },
      "2019-04-22T16:29:01.303Z" },
    { "CVE-2023-5341", "MEDIUM", 1, "secalert@redhat.com", "3.1",
      "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 6.2, { "CWE-416" },
      "2023-11-19T10:15:49.433Z" },
    /* anchore/vunnel single-entry.json */
    { "CVE-2022-1576", "MEDIUM", 2, "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
      6.5, { "CWE-352" }, "2022-07-11T13:15:08.503Z" },
};

static bool
same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void
test_hand_picked(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
        const struct pick *p = &picks[i];
        struct bsn_arena *a = bsn_arena_new();
        const struct bsn_adv *adv = NULL;
        const char *ds = NULL;
        struct bsn_err err = { 0 };
        assert_int_equal(bsn_vdb_advisory(vdb, p->id, a, &adv, &ds, &err), BSN_OK);
        if (!adv)
            fail_msg("%s not found", p->id);
        assert_string_equal(ds, "nvd");
        if (!same(adv->severity, p->severity))
            fail_msg("%s: severity %s", p->id, adv->severity ? adv->severity : "(none)");
        assert_int_equal(adv->n_cvss, p->n_cvss);
        assert_int_equal(adv->n_affected, 0);
        if (p->n_cvss) {
            assert_string_equal(adv->cvss[0].source, p->source);
            assert_string_equal(adv->cvss[0].version, p->version);
            assert_string_equal(adv->cvss[0].vector, p->vector);
            assert_true(adv->cvss[0].score > p->score - 0.01 &&
                        adv->cvss[0].score < p->score + 0.01);
        }
        size_t nc = 0;
        while (nc < 3 && p->cwes[nc])
            nc++;
        assert_int_equal(adv->n_cwes, nc);
        for (size_t k = 0; k < nc; k++)
            assert_string_equal(adv->cwes[k], p->cwes[k]);
        assert_string_equal(adv->published, p->published);
        assert_non_null(adv->description);
        bsn_arena_free(a);
    }
}

static void
test_fields(void **state)
{
    (void)state;
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_adv *adv = NULL;
    const char *ds = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_advisory(vdb, "CVE-2023-4863", a, &adv, &ds, &err), BSN_OK);
    assert_non_null(adv);
    assert_string_equal(adv->modified, "2023-10-28T19:15:38.643Z");
    /* English description, not the Spanish one next to it */
    assert_true(strncmp(adv->description, "Heap buffer overflow in libwebp in Google Chrome",
                        48) == 0);
    assert_true(adv->n_references > 10);
    bsn_arena_free(a);
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
    snprintf(root, sizeof(root), "%s/bad", dir);
    snprintf(p, sizeof(p), "%s/page.json", root);
    write_file(p, "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": ["
                  "{\"cve\": {\"id\": \"CVE-2099-0001\", \"published\": \"2099-01-01T00:00:00\","
                  " \"descriptions\": [{\"lang\": \"en\", \"value\": \"ok\"}]}},"
                  "{\"cve\": {\"sourceIdentifier\": \"x\"}},"
                  "{\"nope\": 1},"
                  "{\"cve\": {\"id\": \"CVE-2099-0004\", \"metrics\": {\"cvssMetricV31\": "
                  "[{\"type\": \"Primary\", \"cvssData\": {\"baseScore\": 5}}]}}},"
                  "{\"cve\": {\"id\": \"CVE-2099-0005\", \"vulnStatus\": \"Rejected\"}}]}");
    snprintf(p, sizeof(p), "%s/broken.json", root);
    write_file(p, "{\"format\": \"NVD_CVE\", \"vulnerabilities\": [");
    snprintf(out, sizeof(out), "%s/bad.db", dir);
    snprintf(src, sizeof(src), "nvd:%s", root);
    struct warns w = { .n = 0 };
    build(src, out, &w);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(out, "nvd", a);
    assert_int_equal(s->records, 1); /* the rejected one is dropped silently */
    assert_int_equal(s->skipped, 4);
    bsn_arena_free(a);
    static const char *const want[][2] = {
        { "page.json: vulnerabilities[1]", "no CVE \"id\"" },
        { "page.json: vulnerabilities[2]", "no \"cve\" object" },
        { "page.json: CVE-2099-0004", "cvssMetricV31 metric without vectorString" },
        { "broken.json: file", "invalid JSON" },
    };
    assert_int_equal(w.n, 4);
    for (size_t k = 0; k < 4; k++) {
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
        cmocka_unit_test(test_hand_picked),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_malformed_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
