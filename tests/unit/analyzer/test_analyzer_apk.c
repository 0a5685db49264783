/*
 * apk analyzer: every case of tests/data/apk through bsn_scan_files.
 *
 * Cases with a "packages" list give exactly those packages (name, version) with their arch,
 * maintainer, origin (bosun source_name; the peers' "" = no o: line = the package's own name)
 * and licenses. bosun normalises L: like trivy (SPDX ids, operators dropped): trivy's lists
 * compare as they are; syft keeps the raw tokens and scalibr the raw L: value, mapped here
 * through the same documented table (BSD -> BSD-3-Clause, GPL2+ -> GPL-2.0-or-later).
 * expect_error cases give a diagnostic naming the file and no package. A record without V:
 * (trivy-alpine-mixed's invalidPackageWithoutAVersion) is skipped with a warning.
 */
#include <stdbool.h>

#include "ospkg_golden.h"

static const char *
bosun_license(const char *peer)
{
    if (strcmp(peer, "BSD") == 0)
        return "BSD-3-Clause";
    if (strcmp(peer, "GPL2+") == 0)
        return "GPL-2.0-or-later";
    return peer;
}

static void
assert_licenses_mapped(const struct bsn_package *p, json_t *exp)
{
    if (p->n_licenses != json_array_size(exp))
        fail_msg("%s: %zu licenses, expected %zu", p->name, p->n_licenses,
                 json_array_size(exp));
    size_t i;
    json_t *v;
    json_array_foreach(exp, i, v) {
        const char *want = bosun_license(json_string_value(v));
        if (strcmp(p->licenses[i], want) != 0)
            fail_msg("%s: license %zu is '%s', expected '%s'", p->name, i, p->licenses[i],
                     want);
    }
}

static size_t cases_checked;

static void
check_case(const char *kind, const char *name)
{
    json_t *exp = ospkg_expected(kind, name);
    struct bsn_result *r = ospkg_scan(kind, name, exp);
    size_t got = ospkg_count(r, "apk");
    json_t *pkgs = json_object_get(exp, "packages");

    if (json_is_true(json_object_get(exp, "expect_error"))) {
        if (got)
            fail_msg("%s: %zu packages from an invalid database", name, got);
        if (!ospkg_has_diag(r, "lib/apk/db/installed"))
            fail_msg("%s: no diagnostic naming the file", name);
    } else if (!json_is_array(pkgs)) {
        assert_int_equal(got, json_integer_value(json_object_get(exp, "package_count")));
    } else {
        if (got != json_array_size(pkgs))
            fail_msg("%s: %zu packages, expected %zu", name, got, json_array_size(pkgs));
        size_t i;
        json_t *e;
        json_array_foreach(pkgs, i, e) {
            const char *pname = jstr(e, "name");
            const struct bsn_package *p = ospkg_find(r, "apk", pname, jstr(e, "version"));
            if (!p)
                fail_msg("%s: package %s %s missing", name, pname, jstr(e, "version"));
            ospkg_assert_str("arch", pname, p->arch, jstr(e, "arch"));
            const char *maint = jstr(e, "maintainer");
            if (maint && *maint)
                ospkg_assert_str("maintainer", pname, p->maintainer, maint);
            else if (maint)
                assert_null(p->maintainer);
            const char *origin = jstr(e, "origin");
            ospkg_assert_str("origin", pname, p->source_name,
                             origin && *origin ? origin : pname);
            ospkg_assert_str("origin_version", pname, p->source_version,
                             jstr(e, "origin_version"));
            if (json_is_array(json_object_get(e, "licenses")))
                assert_licenses_mapped(p, json_object_get(e, "licenses"));
            if (jstr(e, "license")) {
                assert_int_equal(p->n_licenses, 1);
                ospkg_assert_str("license", pname, p->licenses[0], jstr(e, "license"));
            }
            assert_non_null(p->purl);
            assert_true(strncmp(p->purl, "pkg:apk/alpine/", 15) == 0);
        }
    }
    if (strcmp(name, "trivy-alpine-mixed") == 0 &&
        !ospkg_has_diag(r, "record without P: or V: skipped"))
        fail_msg("%s: the record without a version gave no warning", name);
    cases_checked++;
    bsn_result_free(r);
    json_decref(exp);
}

static void
test_golden_cases(void **state)
{
    (void)state;
    size_t n = ospkg_each("apk", check_case);
    assert_true(n >= 8);
    assert_int_equal(cases_checked, n);
    ospkg_cleanup();
}

/* purl with the OS version, upstream origin, license expressions with WITH; the database at
 * apk 3's usr/lib/apk/db path. */
static void
test_purl_and_licenses(void **state)
{
    (void)state;
    char *db = ospkg_write_tmp("installed",
                               "C:Q1abc=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\n"
                               "L:Apache-2.0 AND (GPL-2.0-or-later WITH Linux-syscall-note)\n"
                               "F:usr/lib\nR:libcrypto.so.3\n\n");
    char *rel = ospkg_write_tmp("alpine-release", "3.19.1\n");
    const char *img[] = { "usr/lib/apk/db/installed", "etc/alpine-release" };
    const char *disk[] = { db, rel };
    struct bsn_result *r = ospkg_scan_paths(2, img, disk);
    const struct bsn_package *p = ospkg_find(r, "apk", "libcrypto3", "3.1.4-r5");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64"
                                 "&distro=alpine-3.19.1&upstream=openssl");
    assert_int_equal(p->n_licenses, 2);
    assert_string_equal(p->licenses[0], "Apache-2.0");
    assert_string_equal(p->licenses[1], "GPL-2.0-or-later WITH Linux-syscall-note");
    bsn_result_free(r);
    free(db);
    free(rel);
    ospkg_cleanup();
}

/* F:/R: files are owned: a Python package apk installed is not reported again as pypi. */
static void
test_owned_files(void **state)
{
    (void)state;
    char *db = ospkg_write_tmp("installed",
                               "P:py3-six\nV:1.16.0-r9\nA:noarch\n"
                               "F:usr/lib/python3.11/site-packages/six-1.16.0.dist-info\n"
                               "R:METADATA\n\n");
    char *meta = ospkg_write_tmp("METADATA", "Metadata-Version: 2.1\nName: six\n"
                                             "Version: 1.16.0\n");
    const char *img[] = { "lib/apk/db/installed",
                          "usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA" };
    const char *disk[] = { db, meta };
    struct bsn_result *r = ospkg_scan_paths(2, img, disk);
    assert_non_null(ospkg_find(r, "apk", "py3-six", "1.16.0-r9"));
    assert_int_equal(ospkg_count(r, "pypi"), 0);
    bsn_result_free(r);
    free(db);
    free(meta);
    ospkg_cleanup();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_cases),
        cmocka_unit_test(test_purl_and_licenses),
        cmocka_unit_test(test_owned_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
