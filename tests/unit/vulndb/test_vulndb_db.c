/*
 * The database core: schema.sql and its C copy agree; emit merges advisories by (source, id);
 * the writer's output reads back through bsn_vdb_open/lookup/advisory with every field; two
 * imports of the same advisories in different orders give identical files; a missing, garbage
 * or other-schema file is BSN_EDB with a message saying how to get a database; and the small
 * tables (OSV ecosystems, PEP 503 names, Debian codenames, severities, CVSS scores, checked
 * against FIRST's calculator values).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "vulndb/vulndb_int.h"

static char dir[256];

static int
setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/bsn-vdb-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_schema_matches_file(void **state)
{
    (void)state;
    FILE *f = fopen(BSN_SRC_DIR "/src/vulndb/schema.sql", "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strcmp(buf, bsn_vdb_schema_sql) != 0)
        fail_msg("src/vulndb/vulndb_schema.c is out of date with schema.sql");
}

/* A feed whose "files" name the advisories to emit, to drive the import API directly. */
static bsn_code
fake_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
            struct bsn_err *err)
{
    (void)data;
    (void)len;
    (void)err;
    static const struct bsn_cvss cvss[] = {
        { "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8 },
    };
    static const char *const refs[] = { "https://example.org/a", "https://example.org/b" };
    static const char *const cwes[] = { "CWE-79" };
    if (strcmp(path, "one") == 0) {
        const char *al[] = { "CVE-2024-0001", "GHSA-aaaa" };
        struct bsn_adv_affected aff[] = {
            { .namespace = "debian:12", .package = "openssl", .scheme = "deb",
              .range = "osv:introduced=0;fixed=3.0.11-1", .fixed = "3.0.11-1",
              .status = BSN_STATUS_FIXED, .severity = "LOW" },
            { .namespace = "debian:11", .package = "openssl", .scheme = "deb",
              .range = "osv:introduced=0", .status = BSN_STATUS_WILL_NOT_FIX },
        };
        struct bsn_adv a = { .id = "ADV-1", .aliases = al, .n_aliases = 2, .summary = "first",
                             .published = "2024-01-01T00:00:00Z",
                             .modified = "2024-02-01T00:00:00Z", .severity = "HIGH",
                             .cvss = cvss, .n_cvss = 1, .cwes = cwes, .n_cwes = 1,
                             .references = refs, .n_references = 2, .affected = aff,
                             .n_affected = 2 };
        bsn_vdb_emit(im, &a);
    } else if (strcmp(path, "two") == 0) {
        /* the same advisory again: a new row, a duplicate row, a new alias, a later date */
        const char *al[] = { "GHSA-aaaa", "CVE-2024-0002" };
        struct bsn_adv_affected aff[] = {
            { .namespace = "debian:12", .package = "openssl", .scheme = "deb",
              .range = "osv:introduced=0;fixed=3.0.11-1", .fixed = "3.0.11-1",
              .status = BSN_STATUS_FIXED, .severity = "LOW" },
            { .namespace = "alpine:3.19", .package = "openssl", .scheme = "apk",
              .range = "osv:introduced=0;fixed=3.1.4-r1", .fixed = "3.1.4-r1",
              .status = BSN_STATUS_FIXED, .arch = "x86_64" },
        };
        struct bsn_adv a = { .id = "ADV-1", .aliases = al, .n_aliases = 2,
                             .summary = "second",
                             .description = "filled in by the second copy",
                             .modified = "2024-03-01T00:00:00Z", .affected = aff,
                             .n_affected = 2 };
        bsn_vdb_emit(im, &a);
        struct bsn_adv_affected aff2 = { .namespace = "npm", .package = "lodash",
                                         .scheme = "npm", .range = "osv:introduced=0",
                                         .status = BSN_STATUS_AFFECTED };
        struct bsn_adv b = { .id = "ADV-2", .affected = &aff2, .n_affected = 1 };
        bsn_vdb_emit(im, &b);
    } else {
        bsn_vdb_warn(im, path, "rec-9", "broken %d", 9);
    }
    return BSN_OK;
}

static bool
fake_detect(const char *path, const unsigned char *head, size_t n)
{
    (void)path;
    (void)head;
    (void)n;
    return true;
}

static const struct bsn_feed fake_feed = {
    .name = "fake", .data_source = "fakesrc", .detect = fake_detect, .import_file = fake_import,
};

static void
write_db(const char *path, const char *const *files, size_t n, size_t *warnings)
{
    struct bsn_vdb_import *im = bsn_vdb_import_new(NULL, NULL);
    struct bsn_err err = { 0 };
    for (size_t i = 0; i < n; i++)
        assert_int_equal(bsn_vdb_import_file(im, &fake_feed, files[i], NULL, 0, &err), BSN_OK);
    if (warnings)
        *warnings = im->n_warnings;
    unlink(path);
    assert_int_equal(bsn_vdb_import_write(im, path, 1700000000, &err), BSN_OK);
    bsn_vdb_import_free(im);
}

static void
test_roundtrip(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof(path), "%s/a.db", dir);
    const char *files[] = { "one", "two", "bad" };
    size_t warnings;
    write_db(path, files, 3, &warnings);
    assert_int_equal(warnings, 1);

    struct bsn_vdb *v;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_open(path, &v, &err), BSN_OK);
    assert_int_equal(bsn_vdb_built_at(v), 1700000000);
    assert_true(bsn_vdb_has_namespace(v, "debian:12"));
    assert_true(bsn_vdb_has_namespace(v, "npm"));
    assert_false(bsn_vdb_has_namespace(v, "debian:13"));

    struct bsn_arena *a = bsn_arena_new();
    struct bsn_vdb_hit *hits;
    size_t n;
    assert_int_equal(bsn_vdb_lookup(v, "debian:12", "openssl", a, &hits, &n, &err), BSN_OK);
    assert_int_equal(n, 1); /* the duplicate row was dropped */
    const struct bsn_adv *adv = hits[0].adv;
    assert_string_equal(adv->id, "ADV-1");
    assert_string_equal(hits[0].data_source, "fakesrc");
    assert_string_equal(hits[0].source, "fake");
    assert_string_equal(adv->summary, "first"); /* of two, the smaller: order-independent */
    assert_string_equal(adv->description, "filled in by the second copy");
    assert_string_equal(adv->modified, "2024-03-01T00:00:00Z");
    assert_string_equal(adv->published, "2024-01-01T00:00:00Z");
    assert_string_equal(adv->severity, "HIGH");
    assert_int_equal(adv->n_aliases, 3);
    assert_string_equal(adv->aliases[0], "CVE-2024-0001");
    assert_string_equal(adv->aliases[1], "CVE-2024-0002");
    assert_string_equal(adv->aliases[2], "GHSA-aaaa");
    assert_int_equal(adv->n_cvss, 1);
    assert_string_equal(adv->cvss[0].vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert_true(adv->cvss[0].score > 9.79 && adv->cvss[0].score < 9.81);
    assert_int_equal(adv->n_cwes, 1);
    assert_string_equal(adv->cwes[0], "CWE-79");
    assert_int_equal(adv->n_references, 2);
    const struct bsn_adv_affected *f = hits[0].aff;
    assert_string_equal(f->scheme, "deb");
    assert_string_equal(f->range, "osv:introduced=0;fixed=3.0.11-1");
    assert_string_equal(f->fixed, "3.0.11-1");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_string_equal(f->severity, "LOW");
    assert_null(f->module);
    assert_null(f->arch);

    assert_int_equal(bsn_vdb_lookup(v, "debian:11", "openssl", a, &hits, &n, &err), BSN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hits[0].aff->status, BSN_STATUS_WILL_NOT_FIX);
    assert_null(hits[0].aff->fixed);
    assert_int_equal(bsn_vdb_lookup(v, "alpine:3.19", "openssl", a, &hits, &n, &err), BSN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].aff->arch, "x86_64");
    assert_int_equal(bsn_vdb_lookup(v, "debian:12", "nope", a, &hits, &n, &err), BSN_OK);
    assert_int_equal(n, 0);

    const struct bsn_adv *by;
    const char *ds;
    assert_int_equal(bsn_vdb_advisory(v, "CVE-2024-0002", a, &by, &ds, &err), BSN_OK);
    assert_non_null(by);
    assert_string_equal(by->id, "ADV-1");
    assert_int_equal(by->n_affected, 3);
    assert_string_equal(ds, "fakesrc");
    assert_int_equal(bsn_vdb_advisory(v, "ADV-2", a, &by, &ds, &err), BSN_OK);
    assert_non_null(by);
    assert_int_equal(by->affected[0].status, BSN_STATUS_AFFECTED);
    assert_int_equal(bsn_vdb_advisory(v, "CVE-1999-0000", a, &by, &ds, &err), BSN_OK);
    assert_null(by);
    bsn_arena_free(a);
    bsn_vdb_close(v);

    struct bsn_db_info info;
    a = bsn_arena_new();
    assert_int_equal(bsn_db_info(path, a, &info, &err), BSN_OK);
    assert_int_equal(info.schema_version, 1);
    assert_string_equal(info.built_at_text, "2023-11-14T22:13:20Z");
    assert_int_equal(info.n_sources, 1);
    assert_string_equal(info.sources[0].name, "fake");
    assert_int_equal(info.sources[0].records, 2);
    assert_int_equal(info.sources[0].skipped, 1);
    assert_string_equal(info.sources[0].newest, "2024-03-01T00:00:00Z");
    assert_int_equal(info.advisories, 2);
    assert_int_equal(info.affected, 4);
    bsn_arena_free(a);
}

static void
read_file(const char *path, char **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)len);
    assert_int_equal(fread(*out, 1, (size_t)len, f), (size_t)len);
    *n = (size_t)len;
    fclose(f);
}

static void
test_deterministic(void **state)
{
    (void)state;
    char p1[300], p2[300];
    snprintf(p1, sizeof(p1), "%s/d1.db", dir);
    snprintf(p2, sizeof(p2), "%s/d2.db", dir);
    const char *f1[] = { "one", "two" }, *f2[] = { "two", "one" };
    write_db(p1, f1, 2, NULL);
    write_db(p2, f2, 2, NULL);
    char *a, *b;
    size_t na, nb;
    read_file(p1, &a, &na);
    read_file(p2, &b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
}

static void
test_open_errors(void **state)
{
    (void)state;
    struct bsn_vdb *v;
    struct bsn_err err = { 0 };
    char path[300];
    snprintf(path, sizeof(path), "%s/missing.db", dir);
    assert_int_equal(bsn_vdb_open(path, &v, &err), BSN_EDB);
    assert_non_null(strstr(err.msg, "no vulnerability database at"));
    assert_non_null(strstr(err.msg, "run 'bosun db update' or 'bosun db build'"));

    snprintf(path, sizeof(path), "%s/garbage.db", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 1000; i++)
        fputs("not a database ", f);
    fclose(f);
    assert_int_equal(bsn_vdb_open(path, &v, &err), BSN_EDB);
    assert_non_null(strstr(err.msg, "garbage.db"));
    assert_non_null(strstr(err.msg, "bosun db update"));

    /* another schema version */
    snprintf(path, sizeof(path), "%s/future.db", dir);
    const char *files[] = { "one" };
    write_db(path, files, 1, NULL);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE metadata SET value = '7' WHERE key = "
                                      "'schema_version'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(bsn_vdb_open(path, &v, &err), BSN_EDB);
    assert_non_null(strstr(err.msg, "schema version 7"));

    /* an SQLite file of someone else */
    snprintf(path, sizeof(path), "%s/other.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(bsn_vdb_open(path, &v, &err), BSN_EDB);
    assert_non_null(strstr(err.msg, "not a usable vulnerability database"));
}

static void
test_ecosystems(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        { "npm", "npm", "npm" },
        { "PyPI", "pypi", "pep440" },
        { "Maven", "maven", "maven" },
        { "Go", "go", "golang" },
        { "crates.io", "crates.io", "cargo" },
        { "RubyGems", "rubygems", "gem" },
        { "Packagist", "packagist", "composer" },
        { "NuGet", "nuget", "nuget" },
        { "Hex", "hex", "semver" },
        { "Pub", "pub", "semver" },
        { "Debian:12", "debian:12", "deb" },
        { "Debian:6.0", "debian:6", "deb" },
        { "Debian:3.1", "debian:3.1", "deb" },
        { "Ubuntu:22.04:LTS", "ubuntu:22.04", "deb" },
        { "Ubuntu:Pro:18.04:LTS", "ubuntu:18.04:esm", "deb" },
        { "Ubuntu:24.10", "ubuntu:24.10", "deb" },
        { "Alpine:v3.19", "alpine:3.19", "apk" },
        { "Rocky Linux:9", "rocky:9", "rpm" },
        { "AlmaLinux:9", "alma:9", "rpm" },
        { "SUSE:Linux Enterprise Server 15 SP6", "sles:15.6", "rpm" },
        { "openSUSE:Leap 15.5", "opensuse-leap:15.5", "rpm" },
        { "Wolfi", "wolfi", "apk" },
        { "debian:12", "debian:12", "deb" },
        { "OSS-Fuzz", "oss-fuzz", "generic" },
    };
    struct bsn_arena *a = bsn_arena_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *ns, *scheme;
        assert_true(bsn_vdb_osv_ecosystem(cases[i][0], a, &ns, &scheme));
        if (strcmp(ns, cases[i][1]) != 0 || strcmp(scheme, cases[i][2]) != 0)
            fail_msg("%s -> %s/%s, want %s/%s", cases[i][0], ns, scheme, cases[i][1],
                     cases[i][2]);
    }
    const char *ns, *scheme;
    assert_false(bsn_vdb_osv_ecosystem("", a, &ns, &scheme));
    assert_string_equal(bsn_vdb_pypi_name(a, "Jinja2"), "jinja2");
    assert_string_equal(bsn_vdb_pypi_name(a, "jw.util"), "jw-util");
    assert_string_equal(bsn_vdb_pypi_name(a, "Flask__Login.-x"), "flask-login-x");
    bsn_arena_free(a);
    assert_string_equal(bsn_vdb_debian_release("bookworm", 8), "12");
    assert_string_equal(bsn_vdb_debian_release("woody", 5), "3.0");
    assert_string_equal(bsn_vdb_debian_release("sid", 3), "unstable");
    assert_null(bsn_vdb_debian_release("bookwormx", 9));
    assert_string_equal(bsn_vdb_severity_word("high**", 6), "HIGH");
    assert_string_equal(bsn_vdb_severity_word("unimportant", 11), "LOW");
    assert_string_equal(bsn_vdb_severity_word("MODERATE", 8), "MEDIUM");
    assert_string_equal(bsn_vdb_severity_word("not yet assigned", 16), "UNKNOWN");
    assert_null(bsn_vdb_severity_word("end-of-life", 11));
    enum bsn_vuln_status st;
    assert_true(bsn_vdb_status_parse("fix_deferred", &st));
    assert_int_equal(st, BSN_STATUS_FIX_DEFERRED);
    assert_string_equal(bsn_vdb_status_name(BSN_STATUS_END_OF_LIFE), "end_of_life");
    assert_false(bsn_vdb_status_parse("bogus", &st));
}

static void
test_cvss(void **state)
{
    (void)state;
    /* Values from FIRST's calculators (and NVD's pages for the named CVEs). */
    static const struct {
        const char *vec;
        double score;
    } cases[] = {
        { "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8 },
        { "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0 }, /* CVE-2021-44228 */
        { "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2 },
        { "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8 },
        { "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9 },
        { "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1 },
        { "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5 },
        { "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0 },
        { "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5 },
        { "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3 },
        { "AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2 },
        { "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 0.0 },
        { "CVSS:3.1/AV:X/AC:L", 0.0 },
        { "", 0.0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double s = bsn_vdb_cvss_score(cases[i].vec);
        if (s < cases[i].score - 0.001 || s > cases[i].score + 0.001)
            fail_msg("%s: %.1f, want %.1f", cases[i].vec, s, cases[i].score);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_matches_file),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_ecosystems),
        cmocka_unit_test(test_cvss),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
