/*
 * CVE JSON 5 importer: builds a database from the CVE 5 part of
 * tests/data/feeds/cve-nvd/cve5-nvd2-subset.tar.xz (451 vulnrichment records and 11
 * cvelistV5 records; CVE-2023-45803 is in both) through the library and checks
 *   - the record count against an independent count (distinct cveMetadata.cveId of the
 *     PUBLISHED records among the archive's JSON files), nothing skipped;
 *   - 21 hand-picked CVEs read off the files: severity (CNA v3.1/v3.0/v4.0/v2.0, then ADP),
 *     number of CVSS metrics, the first metric's source (container), version, vector and
 *     score, CWEs from every container, title, publication date; no affected rows;
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
#include "vulndb/vulndb.h"

#define ARCHIVE BSN_TEST_DATA "/feeds/cve-nvd/cve5-nvd2-subset.tar.xz"

#include "feed_db_fixture.h"

static int
setup(void **state)
{
    (void)state;
    return feed_db_open("cve5", ARCHIVE);
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
    size_t records = 0;
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
        json_t *meta = json_object_get(j, "cveMetadata");
        const char *state_s = json_string_value(json_object_get(meta, "state"));
        if (meta && state_s && strcmp(state_s, "PUBLISHED") == 0) {
            records++;
            json_object_set_new(ids, json_string_value(json_object_get(meta, "cveId")),
                                json_true());
        }
        json_decref(j);
    }
    archive_read_free(ar);
    assert_int_equal(records, 451 + 11); /* NOTICE: 451 + 11 CVE 5.x records */
    assert_int_equal(json_object_size(ids), records - 1); /* CVE-2023-45803 twice */
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(db_path, "cve5", a);
    assert_int_equal(s->records, json_object_size(ids));
    assert_int_equal(s->skipped, 0);
    assert_string_equal(s->data_source, "cve");
    bsn_arena_free(a);
    json_decref(ids);
}

struct pick {
    const char *id, *severity;
    size_t n_cvss;
    const char *source, *version, *vector;
    double score;
    const char *cwes[3];
    const char *title; /* NULL: the CNA gives none */
    const char *published;
};

static const struct pick picks[] = {
    { "CVE-2024-24816", "MEDIUM", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
      6.1, { "CWE-79" }, "Cross-site scripting (XSS) vulnerability in samples with ena",
      "2024-02-07T16:58:24.564Z" },
    /* no CNA score: CISA-ADP's */
    { "CVE-2020-25575", "CRITICAL", 1, "cisa-adp", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, { "CWE-843" }, NULL,
      "2020-09-14T18:15:48Z" },
    { "CVE-2024-36129", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:H",
      8.2, { "CWE-119" }, "OpenTelemetry Collector has a Denial of Service via Zip/Deco",
      "2024-06-05T17:26:13.903Z" },
    { "CVE-2023-25399", "MEDIUM", 1, "cisa-adp", "3.1",
      "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5, { "CWE-401" }, NULL,
      "2023-07-05T00:00:00Z" },
    { "CVE-2024-41666", "MEDIUM", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L",
      4.7, { "CWE-269" }, "The Argo CD web terminal session does not handle the revocat",
      "2024-07-24T17:16:37.730Z" },
    { "CVE-2024-2048", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
      8.1, { "CWE-295" }, "Vault Cert Auth Method Did Not Correctly Validate Non-CA Cer",
      "2024-03-04T19:56:47.253Z" },
    /* CVSS 4.0 only from the CNA, a v3.1 from CISA-ADP: the CNA's rating counts */
    { "CVE-2024-47609", "MEDIUM", 2, "cna", "4.0",
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N/U:Green", 6.9,
      { "CWE-755" }, "Remotely exploitable DoS in Tonic `<=v0.12.2`", "2024-10-01T20:13:55.017Z" },
    { "CVE-2024-36127", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
      7.5, { "CWE-522", "CWE-532" }, "apko Exposure of HTTP basic auth credentials in log output",
      "2024-06-03T14:49:39.055Z" },
    { "CVE-2024-27289", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
      8.1, { "CWE-89" }, "pgx SQL Injection via Line Comment Creation",
      "2024-03-06T18:28:12.291Z" },
    { "CVE-2023-50726", "MEDIUM", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:N/I:L/A:L",
      6.4, { "CWE-269" }, "Users with `create` but not `override` privileges can perfor",
      "2024-03-13T20:50:52.245Z" },
    { "CVE-2016-9952", "HIGH", 1, "cisa-adp", "3.1",
      "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, { "CWE-295" }, NULL,
      "2018-03-12T21:00:00Z" },
    { "CVE-2023-42447", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:H",
      8.6, { "CWE-248", "CWE-392", "CWE-1284" }, "blurhash panics on parsing crafted inputs",
      "2023-09-19T14:57:16.784Z" },
    { "CVE-2024-3727", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:H/A:H",
      8.3, { "CWE-354" }, "Containers/image: digest type does not guarantee valid type",
      "2024-05-09T14:57:21.327Z" },
    /* CWE-80 comes from the CISA-ADP container */
    { "CVE-2020-13965", "MEDIUM", 1, "cisa-adp", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:L", 6.3, { "CWE-80" }, NULL,
      "2020-06-09T02:45:24Z" },
    { "CVE-2024-27284", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
      7.5, { "CWE-416" }, "cassandra-rs non-idiomatic use of iterators leads to use aft",
      "2024-02-28T15:46:37.388Z" },
    /* no score anywhere (only SSVC), problem types as free text */
    { "CVE-2017-3308", NULL, 0, NULL, NULL, NULL, 0, { NULL }, NULL, "2017-04-24T19:00:00Z" },
    { "CVE-2025-21772", NULL, 0, NULL, NULL, NULL, 0, { NULL },
      "partitions: mac: fix handling of bogus partition table", "2025-02-27T02:18:19.528Z" },
    { "CVE-2019-1010023", "MEDIUM", 1, "cisa-adp", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4, { NULL }, NULL,
      "2019-07-15T03:09:37Z" },
    { "CVE-2021-44228", "CRITICAL", 1, "cisa-adp", "3.1",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, { "CWE-502", "CWE-400", "CWE-20" },
      "Apache Log4j2 JNDI features do not protect against attacker ",
      "2021-12-10T00:00:00.000Z" },
    { "CVE-2024-9675", "MEDIUM", 1, "cna", "3.1", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N",
      4.4, { "CWE-22" }, "Buildah: buildah allows arbitrary directory mount",
      "2024-10-09T14:32:11.922Z" },
    { "CVE-2023-1428", "HIGH", 1, "cna", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
      7.5, { "CWE-617" }, "Denial-of-Service in gRPC", "2023-06-09T10:46:54.244Z" },
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
        assert_string_equal(ds, "cve");
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
        if (adv->n_cwes != nc)
            fail_msg("%s: %zu CWEs", p->id, adv->n_cwes);
        for (size_t k = 0; k < nc; k++)
            assert_string_equal(adv->cwes[k], p->cwes[k]);
        if (p->title) {
            assert_non_null(adv->summary);
            assert_true(strncmp(adv->summary, p->title, strlen(p->title)) == 0);
        } else {
            assert_null(adv->summary);
        }
        assert_string_equal(adv->published, p->published);
        assert_non_null(adv->description);
        bsn_arena_free(a);
    }
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
    snprintf(root, sizeof(root), "%s/bad/2099", dir);
    snprintf(p, sizeof(p), "%s/CVE-2099-0001.json", root);
    write_file(p, "{\"dataType\": \"CVE_RECORD\", \"cveMetadata\": {\"cveId\": \"CVE-2099-0001\","
                  " \"state\": \"PUBLISHED\"}, \"containers\": {\"cna\": {\"descriptions\": "
                  "[{\"lang\": \"en\", \"value\": \"ok\"}]}}}");
    snprintf(p, sizeof(p), "%s/CVE-2099-0002.json", root);
    write_file(p, "{\"dataType\": \"CVE_RECORD\", \"cveMetadata\": {\"state\": \"PUBLISHED\"}}");
    snprintf(p, sizeof(p), "%s/CVE-2099-0003.json", root);
    write_file(p, "{\"dataType\": \"CVE_RECORD\", \"cveMetadata\": {\"cveId\": \"CVE-2099-0003\","
                  " \"state\": \"PUBLISHED\"}, \"containers\": {}}");
    snprintf(p, sizeof(p), "%s/CVE-2099-0004.json", root);
    write_file(p, "{\"dataType\": \"CVE_RECORD\", \"cveMetadata\": {\"cveId\": \"CVE-2099-0004\","
                  " \"state\": \"PUBLISHED\"}, \"containers\": {\"cna\": {\"metrics\": "
                  "[{\"cvssV3_1\": {\"baseScore\": 9.8}}]}}}");
    snprintf(p, sizeof(p), "%s/CVE-2099-0005.json", root);
    write_file(p, "{\"dataType\": \"CVE_RECORD\", \"cveMetadata\": {\"cveId\": \"CVE-2099-0005\","
                  " \"state\": \"REJECTED\"}, \"containers\": {\"cna\": {}}}");
    snprintf(p, sizeof(p), "%s/CVE-2099-0006.json", root);
    write_file(p, "{\"containers\": {\"cna\": ");
    snprintf(out, sizeof(out), "%s/bad.db", dir);
    snprintf(src, sizeof(src), "cve5:%s/bad", dir);
    struct warns w = { .n = 0 };
    build(src, out, &w);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(out, "cve5", a);
    assert_int_equal(s->records, 1);
    assert_int_equal(s->skipped, 4);
    bsn_arena_free(a);
    static const char *const want[][2] = {
        { "CVE-2099-0002.json: record", "no cveMetadata.cveId" },
        { "CVE-2099-0003.json: CVE-2099-0003", "no containers.cna" },
        { "CVE-2099-0004.json: CVE-2099-0004", "cvssV3_1 metric without vectorString" },
        { "CVE-2099-0006.json: record", "invalid JSON" },
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
        cmocka_unit_test(test_malformed_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
