/*
 * Tests for the SARIF, CycloneDX and SPDX writers on the hand-built fixture: the structure
 * each format's consumers rely on (schema validation itself is the integration test
 * test_report_schemas.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report/report.h"
#include "report_fixture.h"

static json_t *
render(const char *format, const struct bsn_result *r)
{
    const struct bsn_report_writer *w = bsn_report_find(format);
    assert_non_null(w);
    struct bsn_report_opts o;
    bsn_report_opts_init(&o);
    struct bsn_buf out;
    bsn_buf_init(&out, 1 << 20);
    struct bsn_err err = { 0 };
    assert_int_equal(w->write(r, &o, &out, &err), BSN_OK);
    json_error_t je;
    json_t *doc = json_loadb(out.ptr, out.len, 0, &je);
    assert_non_null(doc);
    bsn_buf_release(&out);
    return doc;
}

static const char *
s(json_t *o, const char *path)
{
    /* "a.b.c" through objects */
    char key[64];
    const char *p = path;
    while (o) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        memcpy(key, p, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        if (!dot)
            break;
        p = dot + 1;
    }
    assert_true(json_is_string(o));
    return json_string_value(o);
}

static void
test_sarif(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render("sarif", &r);
    assert_string_equal(s(doc, "version"), "2.1.0");
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"),
                                    "rules");
    /* 3 vulnerability ids + 1 secret rule + 1 misconfiguration */
    assert_int_equal(json_array_size(rules), 5);
    json_t *results = json_object_get(run, "results");
    assert_int_equal(json_array_size(results), 5);
    /* the first result is the CRITICAL zlib finding, an error at the dpkg status file */
    json_t *r0 = json_array_get(results, 0);
    assert_string_equal(s(r0, "ruleId"), "CVE-2023-45853");
    assert_string_equal(s(r0, "level"), "error");
    json_t *loc = json_object_get(json_array_get(json_object_get(r0, "locations"), 0),
                                  "physicalLocation");
    assert_string_equal(s(loc, "artifactLocation.uri"), "var/lib/dpkg/status");
    size_t idx = (size_t)json_integer_value(json_object_get(r0, "ruleIndex"));
    json_t *rule = json_array_get(rules, idx);
    assert_string_equal(s(rule, "id"), "CVE-2023-45853");
    assert_string_equal(s(rule, "properties.security-severity"), "9.5"); /* no CVSS: band */
    assert_non_null(strstr(s(rule, "help.markdown"), "| CRITICAL | zlib1g | none |"));
    /* the LOW openssl finding: a note, security-severity from its CVSS score */
    json_t *r2 = json_array_get(results, 2);
    assert_string_equal(s(r2, "ruleId"), "CVE-2024-0727");
    assert_string_equal(s(r2, "level"), "note");
    rule = json_array_get(rules, (size_t)json_integer_value(json_object_get(r2, "ruleIndex")));
    assert_string_equal(s(rule, "properties.security-severity"), "5.5");
    assert_string_equal(s(rule, "helpUri"),
                        "https://security-tracker.debian.org/tracker/CVE-2024-0727");
    /* the secret at its line */
    json_t *r3 = json_array_get(results, 3);
    assert_string_equal(s(r3, "ruleId"), "aws-access-key-id");
    loc = json_object_get(json_array_get(json_object_get(r3, "locations"), 0),
                          "physicalLocation");
    assert_string_equal(s(loc, "artifactLocation.uri"), "etc/app.conf");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(loc, "region"),
                                                        "startLine")), 3);
    /* diagnostics as tool notifications */
    json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
    assert_int_equal(json_array_size(json_object_get(inv, "toolExecutionNotifications")), 1);
    json_decref(doc);
}

static void
test_cyclonedx(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render("cyclonedx", &r);
    assert_string_equal(s(doc, "bomFormat"), "CycloneDX");
    assert_string_equal(s(doc, "specVersion"), "1.6");
    const char *serial = s(doc, "serialNumber");
    assert_int_equal(strlen(serial), 45);
    assert_memory_equal(serial, "urn:uuid:", 9);
    assert_int_equal(serial[9 + 14], '5');
    /* deterministic: the same scan, the same serial */
    json_t *again = render("cyclonedx", &r);
    assert_string_equal(s(again, "serialNumber"), serial);
    json_decref(again);
    assert_string_equal(s(doc, "metadata.component.type"), "container");
    assert_string_equal(s(doc, "metadata.timestamp"), "2026-11-28T17:00:00Z");
    json_t *comps = json_object_get(doc, "components");
    assert_int_equal(json_array_size(comps), 4); /* OS + 3 packages */
    assert_string_equal(s(json_array_get(comps, 0), "type"), "operating-system");
    json_t *ossl = json_array_get(comps, 1);
    assert_string_equal(s(ossl, "name"), "openssl");
    assert_string_equal(s(ossl, "bom-ref"), fx_pkgs[2].purl);
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), 3);
    json_t *lo = json_array_get(vulns, 2);
    assert_string_equal(s(lo, "id"), "CVE-2024-0727");
    json_t *aff = json_array_get(json_object_get(lo, "affects"), 0);
    assert_string_equal(s(aff, "ref"), fx_pkgs[2].purl);
    assert_string_equal(s(lo, "analysis.state"), "exploitable");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(lo, "analysis"), "response"), 0)),
                        "update");
    /* ratings: the CVSS score, then every vendor severity */
    json_t *ratings = json_object_get(lo, "ratings");
    assert_int_equal(json_array_size(ratings), 3);
    assert_string_equal(s(json_array_get(ratings, 0), "method"), "CVSSv31");
    assert_string_equal(s(json_array_get(ratings, 1), "severity"), "low");
    json_t *crit = json_array_get(vulns, 0);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(crit, "analysis"), "response"), 0)),
                        "will_not_fix");
    /* a BOM has no secrets */
    char *text = json_dumps(doc, 0);
    assert_null(strstr(text, "AKIA"));
    free(text);
    json_decref(doc);

    /* merged platforms: findings point at copies of the package records */
    struct bsn_package copies[3];
    memcpy(copies, fx_pkgs, sizeof(copies));
    r.packages = copies;
    doc = render("cyclonedx", &r);
    assert_int_equal(json_array_size(json_object_get(doc, "vulnerabilities")), 3);
    json_decref(doc);

    /* the same purl twice (one jar at two paths) gets two bom-refs */
    struct bsn_package two[2] = { fx_pkgs[0], fx_pkgs[0] };
    two[1].path = "other/package.json";
    struct bsn_result r2;
    memset(&r2, 0, sizeof(r2));
    r2.packages = two;
    r2.n_packages = 2;
    doc = render("cyclonedx", &r2);
    comps = json_object_get(doc, "components");
    assert_string_equal(s(json_array_get(comps, 0), "bom-ref"), "pkg:npm/lodash@4.17.20");
    assert_string_equal(s(json_array_get(comps, 1), "bom-ref"), "pkg:npm/lodash@4.17.20-2");
    json_decref(doc);
}

static void
test_spdx(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    json_t *doc = render("spdx-json", &r);
    assert_string_equal(s(doc, "spdxVersion"), "SPDX-2.3");
    assert_string_equal(s(doc, "dataLicense"), "CC0-1.0");
    assert_non_null(strstr(s(doc, "documentNamespace"),
                           "https://bosun.invalid/spdx/docker-archive-app.tar-"));
    json_t *pk = json_object_get(doc, "packages");
    assert_int_equal(json_array_size(pk), 5); /* artifact, OS, 3 packages */
    json_t *ossl = json_array_get(pk, 2);
    assert_string_equal(s(ossl, "SPDXID"), "SPDXRef-Package-1");
    assert_string_equal(s(ossl, "name"), "openssl");
    assert_string_equal(s(ossl, "licenseDeclared"), "OpenSSL");
    json_t *ref = json_array_get(json_object_get(ossl, "externalRefs"), 0);
    assert_string_equal(s(ref, "referenceType"), "purl");
    assert_string_equal(s(ref, "referenceLocator"), fx_pkgs[2].purl);
    assert_string_equal(s(json_array_get(pk, 4), "licenseDeclared"), "NOASSERTION");
    json_t *rel = json_object_get(doc, "relationships");
    assert_int_equal(json_array_size(rel), 5); /* DESCRIBES + 4 CONTAINS */
    assert_string_equal(s(json_array_get(rel, 0), "relationshipType"), "DESCRIBES");
    assert_string_equal(s(json_array_get(rel, 4), "relatedSpdxElement"), "SPDXRef-Package-3");
    json_decref(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sarif),
        cmocka_unit_test(test_cyclonedx),
        cmocka_unit_test(test_spdx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
