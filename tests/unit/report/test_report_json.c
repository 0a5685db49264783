/* Tests for the JSON report writer: CONTRACT.md keys, their order, sorting and null rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report/report.h"
#include "report_fixture.h"

static json_t *
render(const struct bsn_result *r, bool baseline)
{
    const struct bsn_report_writer *w = bsn_report_find("json");
    assert_non_null(w);
    struct bsn_report_opts o;
    bsn_report_opts_init(&o);
    o.baseline = baseline;
    struct bsn_buf out;
    bsn_buf_init(&out, 1 << 20);
    struct bsn_err err = { 0 };
    assert_int_equal(w->write(r, &o, &out, &err), BSN_OK);
    json_error_t je;
    json_t *doc = json_loadb(out.ptr, out.len, 0, &je);
    assert_non_null(doc);
    /* indent 2: the second line starts with two spaces and a key */
    assert_non_null(strstr(out.ptr, "{\n  \"schema_version\": 1,\n  \"tool\""));
    bsn_buf_release(&out);
    return doc;
}

static void
assert_keys(json_t *obj, const char *const *keys, size_t n)
{
    assert_true(json_is_object(obj));
    assert_true(json_object_size(obj) >= n);
    void *it = json_object_iter(obj);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(it);
        assert_string_equal(json_object_iter_key(it), keys[i]);
        it = json_object_iter_next(obj, it);
    }
}

static const char *
sget(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void
test_top_level(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render(&r, false);
    static const char *const top[] = { "schema_version", "tool", "created_at", "artifact", "os",
                                       "packages", "vulnerabilities", "secrets",
                                       "misconfigurations", "summary" };
    assert_keys(doc, top, 10);
    assert_string_equal(sget(json_object_get(doc, "tool"), "name"), "bosun");
    assert_string_equal(sget(json_object_get(doc, "tool"), "version"), BSN_VERSION);
    assert_string_equal(sget(doc, "created_at"), "2026-11-28T17:00:00Z");

    json_t *art = json_object_get(doc, "artifact");
    static const char *const ak[] = { "target", "type", "image" };
    assert_keys(art, ak, 3);
    assert_string_equal(sget(art, "type"), "container_image");
    json_t *im = json_object_get(art, "image");
    static const char *const ik[] = { "id", "repo_tags", "repo_digests", "os", "architecture",
                                      "layers" };
    assert_keys(im, ik, 6);
    assert_string_equal(json_string_value(json_array_get(json_object_get(im, "repo_tags"), 0)),
                        "app:1");
    assert_int_equal(json_array_size(json_object_get(im, "repo_digests")), 0);
    json_t *l1 = json_array_get(json_object_get(im, "layers"), 1);
    static const char *const lk[] = { "digest", "diff_id", "size", "created_by" };
    assert_keys(l1, lk, 4);
    assert_int_equal(json_integer_value(json_object_get(l1, "size")), 99);
    assert_true(json_is_null(json_object_get(l1, "created_by")));

    json_t *os = json_object_get(doc, "os");
    static const char *const ok[] = { "family", "name", "version", "eosl" };
    assert_keys(os, ok, 4);
    assert_string_equal(sget(os, "version"), "12.7");
    assert_true(json_is_false(json_object_get(os, "eosl")));

    json_t *sum = json_object_get(doc, "summary");
    static const char *const sk[] = { "packages", "vulnerabilities", "secrets",
                                      "misconfigurations" };
    assert_keys(sum, sk, 4);
    assert_int_equal(json_integer_value(json_object_get(sum, "packages")), 3);
    json_t *sv = json_object_get(sum, "vulnerabilities");
    static const char *const svk[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN" };
    assert_keys(sv, svk, 5);
    assert_int_equal(json_integer_value(json_object_get(sv, "CRITICAL")), 1);
    assert_int_equal(json_integer_value(json_object_get(sv, "HIGH")), 1);
    assert_int_equal(json_integer_value(json_object_get(sv, "MEDIUM")), 0);
    assert_int_equal(json_integer_value(json_object_get(sv, "LOW")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "secrets")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "misconfigurations")), 1);

    json_t *d = json_object_get(doc, "diagnostics");
    assert_int_equal(json_array_size(d), 1);
    assert_non_null(strstr(sget(json_array_get(d, 0), "message"), "invalid JSON"));
    json_t *x = json_object_get(doc, "suppressed");
    assert_int_equal(json_array_size(x), 1);
    assert_string_equal(sget(json_array_get(x, 0), "reason"), "ignorefile");
    assert_null(json_object_get(doc, "platforms"));
    json_decref(doc);
}

static void
test_packages_sorted(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render(&r, false);
    json_t *p = json_object_get(doc, "packages");
    assert_int_equal(json_array_size(p), 3);
    /* type, then name: deb openssl, deb zlib1g, npm lodash */
    assert_string_equal(sget(json_array_get(p, 0), "name"), "openssl");
    assert_string_equal(sget(json_array_get(p, 1), "name"), "zlib1g");
    assert_string_equal(sget(json_array_get(p, 2), "name"), "lodash");
    static const char *const pk[] = { "name", "version", "type", "arch", "source_name",
                                      "source_version", "purl", "licenses", "layer", "path" };
    assert_keys(json_array_get(p, 0), pk, 10);
    assert_keys(json_array_get(p, 2), pk, 10);
    /* absent optional strings are null, licenses always an array */
    assert_true(json_is_null(json_object_get(json_array_get(p, 2), "arch")));
    assert_true(json_is_null(json_object_get(json_array_get(p, 2), "source_name")));
    assert_int_equal(json_array_size(json_object_get(json_array_get(p, 2), "licenses")), 0);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(json_array_get(p, 0), "licenses"), 0)),
        "OpenSSL");
    assert_string_equal(sget(json_array_get(p, 1), "source_name"), "zlib");
    json_decref(doc);
}

static void
test_vulns_sorted_and_keys(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render(&r, false);
    json_t *v = json_object_get(doc, "vulnerabilities");
    assert_int_equal(json_array_size(v), 3);
    assert_string_equal(sget(json_array_get(v, 0), "severity"), "CRITICAL");
    assert_string_equal(sget(json_array_get(v, 1), "severity"), "HIGH");
    assert_string_equal(sget(json_array_get(v, 2), "severity"), "LOW");
    static const char *const vk[] = { "id", "aliases", "package_name", "package_type", "purl",
                                      "installed_version", "fixed_version", "status",
                                      "severity", "severity_source", "vendor_severity", "cvss",
                                      "title", "data_source", "references", "published",
                                      "layer", "path" };
    json_t *lo = json_array_get(v, 2);
    assert_keys(lo, vk, 18);
    assert_string_equal(sget(lo, "id"), "CVE-2024-0727");
    assert_string_equal(sget(lo, "package_name"), "openssl");
    assert_string_equal(sget(lo, "package_type"), "deb");
    assert_string_equal(sget(lo, "status"), "fixed");
    assert_string_equal(sget(lo, "fixed_version"), "3.0.13-1~deb12u1");
    assert_string_equal(sget(lo, "layer"), "sha256:d1");
    assert_string_equal(sget(lo, "path"), "var/lib/dpkg/status");
    json_t *vs = json_object_get(lo, "vendor_severity");
    assert_string_equal(sget(vs, "debian"), "LOW");
    assert_string_equal(sget(vs, "nvd"), "MEDIUM");
    json_t *c = json_array_get(json_object_get(lo, "cvss"), 0);
    static const char *const ck[] = { "source", "version", "vector", "score" };
    assert_keys(c, ck, 4);
    assert_true(json_real_value(json_object_get(c, "score")) > 5.49 &&
                json_real_value(json_object_get(c, "score")) < 5.51);
    json_t *crit = json_array_get(v, 0);
    assert_true(json_is_null(json_object_get(crit, "fixed_version")));
    assert_string_equal(sget(crit, "status"), "will_not_fix");
    assert_true(json_is_null(json_object_get(crit, "published")));
    json_t *high = json_array_get(v, 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(high, "aliases"), 0)),
                        "CVE-2021-23337");
    /* no baseline: no is_new key */
    assert_null(json_object_get(high, "is_new"));
    json_decref(doc);
}

static void
test_baseline_marks(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render(&r, true);
    json_t *v = json_object_get(doc, "vulnerabilities");
    assert_true(json_is_false(json_object_get(json_array_get(v, 0), "is_new")));
    assert_true(json_is_true(json_object_get(json_array_get(v, 1), "is_new")));
    json_decref(doc);
}

static void
test_secret_misconfig(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render(&r, false);
    json_t *s = json_array_get(json_object_get(doc, "secrets"), 0);
    static const char *const sk[] = { "rule_id", "severity", "title", "path", "line", "match",
                                      "layer" };
    assert_keys(s, sk, 7);
    assert_int_equal(json_integer_value(json_object_get(s, "line")), 3);
    json_t *m = json_array_get(json_object_get(doc, "misconfigurations"), 0);
    static const char *const mk[] = { "id", "title", "severity", "message", "source", "path",
                                      "line" };
    assert_keys(m, mk, 7);
    assert_true(json_is_null(json_object_get(m, "path")));
    assert_true(json_is_null(json_object_get(m, "line")));
    json_decref(doc);
}

static void
test_no_os_and_empty(void **state)
{
    (void)state;
    struct bsn_result r;
    memset(&r, 0, sizeof(r));
    r.target = "dir:/x";
    r.artifact_type = BSN_ARTIFACT_ROOTFS;
    json_t *doc = render(&r, false);
    assert_true(json_is_null(json_object_get(doc, "os")));
    assert_true(json_is_null(json_object_get(doc, "created_at")));
    assert_int_equal(json_array_size(json_object_get(doc, "packages")), 0);
    assert_true(json_is_array(json_object_get(doc, "vulnerabilities")));
    assert_string_equal(sget(json_object_get(doc, "artifact"), "type"), "rootfs");
    assert_null(json_object_get(json_object_get(doc, "artifact"), "image"));
    json_decref(doc);
}

static void
test_platforms(void **state)
{
    (void)state;
    struct bsn_result a, b, top;
    fx_build(&a);
    a.platform = "linux/amd64";
    memset(&b, 0, sizeof(b));
    b.platform = "linux/arm64";
    b.target = "x";
    memset(&top, 0, sizeof(top));
    top.target = "x";
    struct bsn_result *pl[] = { &a, &b };
    top.platforms = pl;
    top.n_platforms = 2;
    json_t *doc = render(&top, false);
    json_t *p = json_object_get(doc, "platforms");
    assert_int_equal(json_array_size(p), 2);
    assert_string_equal(sget(json_array_get(p, 0), "platform"), "linux/amd64");
    assert_int_equal(json_array_size(json_object_get(json_array_get(p, 0), "vulnerabilities")), 3);
    assert_string_equal(sget(json_array_get(p, 1), "platform"), "linux/arm64");
    json_decref(doc);
}

static void
test_invalid_utf8_and_limit(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    fx_pkgs[0].name = "lod\xff\xfe";
    json_t *doc = render(&r, false);
    assert_string_equal(sget(json_array_get(json_object_get(doc, "packages"), 2), "name"),
                        "lod??");
    json_decref(doc);
    fx_pkgs[0].name = "lodash";

    struct bsn_report_opts o;
    bsn_report_opts_init(&o);
    struct bsn_buf out;
    bsn_buf_init(&out, 100);
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_report_find("json")->write(&r, &o, &out, &err), BSN_ELIMIT);
    assert_non_null(strstr(err.msg, "exceeds 100 bytes"));
    bsn_buf_release(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_level),
        cmocka_unit_test(test_packages_sorted),
        cmocka_unit_test(test_vulns_sorted_and_keys),
        cmocka_unit_test(test_baseline_marks),
        cmocka_unit_test(test_secret_misconfig),
        cmocka_unit_test(test_no_os_and_empty),
        cmocka_unit_test(test_platforms),
        cmocka_unit_test(test_invalid_utf8_and_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
