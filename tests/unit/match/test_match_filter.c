/* Tests for the finding filters: severity, ignore-unfixed, ignore file with expiry, OpenVEX
 * and CycloneDX VEX by id/alias and product purl, baseline is_new marks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "match/match.h"
#include "match/match_int.h"

static struct bsn_package pkgs[] = {
    { .type = "deb", .name = "openssl", .version = "3.0.11-1", .epoch = -1,
      .purl = "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12.7" },
    { .type = "npm", .name = "lodash", .version = "4.17.20", .epoch = -1,
      .purl = "pkg:npm/lodash@4.17.20" },
    { .type = "npm", .name = "minimist", .version = "1.2.5", .epoch = -1,
      .purl = "pkg:npm/minimist@1.2.5" },
};
static const char *const lodash_alias[] = { "CVE-2021-23337" };

static struct bsn_vuln vulns[4];
static struct bsn_secret secrets[1];

static void
build(struct bsn_result *r)
{
    memset(r, 0, sizeof(*r));
    r->arena = bsn_arena_new();
    vulns[0] = (struct bsn_vuln){ .id = "CVE-2024-0727", .pkg = &pkgs[0],
                                  .status = BSN_STATUS_FIXED, .fixed_version = "3.0.13-1",
                                  .severity = BSN_SEV_LOW };
    vulns[1] = (struct bsn_vuln){ .id = "CVE-2023-5678", .pkg = &pkgs[0],
                                  .status = BSN_STATUS_WILL_NOT_FIX, .severity = BSN_SEV_MEDIUM };
    vulns[2] = (struct bsn_vuln){ .id = "GHSA-35jh-r3h4-6jhm", .aliases = lodash_alias,
                                  .n_aliases = 1, .pkg = &pkgs[1], .status = BSN_STATUS_FIXED,
                                  .fixed_version = "4.17.21", .severity = BSN_SEV_HIGH };
    vulns[3] = (struct bsn_vuln){ .id = "CVE-2021-44906", .pkg = &pkgs[2],
                                  .status = BSN_STATUS_FIXED, .fixed_version = "1.2.6",
                                  .severity = BSN_SEV_CRITICAL };
    r->vulns = vulns;
    r->n_vulns = 4;
    secrets[0] = (struct bsn_secret){ .rule_id = "aws-access-key-id",
                                      .severity = BSN_SEV_CRITICAL, .path = "etc/app.conf" };
    r->secrets = secrets;
    r->n_secrets = 1;
}

static bool
has(const struct bsn_result *r, const char *id)
{
    for (size_t i = 0; i < r->n_vulns; i++)
        if (strcmp(r->vulns[i].id, id) == 0)
            return true;
    return false;
}

static const struct bsn_vuln *
get(const struct bsn_result *r, const char *id)
{
    for (size_t i = 0; i < r->n_vulns; i++)
        if (strcmp(r->vulns[i].id, id) == 0)
            return &r->vulns[i];
    return NULL;
}

static char tmpdir[256];

static const char *
write_tmp(const char *name, const char *text)
{
    static char path[8][512];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn_filter_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_severity_and_unfixed(void **state)
{
    (void)state;
    struct bsn_result r;
    struct bsn_scan_opts o;
    struct bsn_err err = { 0 };
    build(&r);
    memset(&o, 0, sizeof(o));
    o.severities = (1u << BSN_SEV_HIGH) | (1u << BSN_SEV_CRITICAL);
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 2);
    assert_true(has(&r, "GHSA-35jh-r3h4-6jhm") && has(&r, "CVE-2021-44906"));
    assert_int_equal(r.n_secrets, 1); /* CRITICAL kept */
    assert_int_equal(r.n_suppressed, 0);
    bsn_arena_free(r.arena);

    build(&r);
    memset(&o, 0, sizeof(o));
    o.severities = 1u << BSN_SEV_LOW;
    o.ignore_unfixed = true;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 1);
    assert_true(has(&r, "CVE-2024-0727"));
    assert_int_equal(r.n_secrets, 0);
    bsn_arena_free(r.arena);

    build(&r);
    memset(&o, 0, sizeof(o));
    o.ignore_unfixed = true;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 3);
    assert_false(has(&r, "CVE-2023-5678")); /* will_not_fix dropped */
    bsn_arena_free(r.arena);
}

static void
test_ignorefile_expiry(void **state)
{
    (void)state;
    const char *path = write_tmp(".bosunignore",
                                 "# accepted risks\n"
                                 "CVE-2024-0727\n"
                                 "   CVE-2021-23337 exp:2026-11-28   # lodash, until review\n"
                                 "CVE-2021-44906 exp:2026-11-27\n"
                                 "aws-access-key-id\n"
                                 "\n");
    struct bsn_result r;
    struct bsn_scan_opts o;
    struct bsn_err err = { 0 };
    build(&r);
    memset(&o, 0, sizeof(o));
    o.ignorefile = path;
    o.now = bsn_match_civil(2026, 11, 28) + 3600 * 20; /* 2026-11-28 20:00 UTC */
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    /* openssl's CVE by id, lodash's GHSA by its CVE alias (expiry day still holds);
     * minimist's entry lapsed the day before */
    assert_int_equal(r.n_vulns, 2);
    assert_true(has(&r, "CVE-2023-5678") && has(&r, "CVE-2021-44906"));
    assert_int_equal(r.n_secrets, 0);
    assert_int_equal(r.n_suppressed, 3);
    assert_string_equal(r.suppressed[0].id, "CVE-2024-0727");
    assert_string_equal(r.suppressed[0].package, "openssl");
    assert_string_equal(r.suppressed[0].reason, "ignorefile");
    assert_string_equal(r.suppressed[1].id, "GHSA-35jh-r3h4-6jhm");
    assert_string_equal(r.suppressed[2].id, "aws-access-key-id");
    assert_int_equal(r.n_diags, 1);
    assert_non_null(strstr(r.diags[0].message, "'CVE-2021-44906' expired on 2026-11-27"));
    assert_non_null(strstr(r.diags[0].message, ".bosunignore:4"));
    bsn_arena_free(r.arena);

    /* a day later the lodash entry lapses too */
    build(&r);
    o.now = bsn_match_civil(2026, 11, 29) + 1;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 3);
    assert_true(has(&r, "GHSA-35jh-r3h4-6jhm"));
    bsn_arena_free(r.arena);

    /* missing file: no error; malformed expiry: error naming file and line */
    build(&r);
    o.ignorefile = "/nonexistent/.bosunignore";
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 4);
    o.ignorefile = write_tmp("bad", "CVE-1\nCVE-2 exp:2026-13-01\n");
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "bad:2: invalid expiry 'exp:2026-13-01'"));
    bsn_arena_free(r.arena);
}

static void
test_openvex(void **state)
{
    (void)state;
    const char *vex = write_tmp(
        "openvex.json",
        "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"x\", \"statements\": ["
        " {\"vulnerability\": {\"name\": \"CVE-2021-23337\"},"
        "  \"products\": [{\"@id\": \"pkg:oci/app\", \"subcomponents\": [{\"@id\": "
        "\"pkg:npm/lodash@4.17.20\"}]}],"
        "  \"status\": \"not_affected\","
        "  \"justification\": \"vulnerable_code_not_in_execute_path\"},"
        " {\"vulnerability\": {\"name\": \"CVE-2024-0727\"},"
        "  \"products\": [{\"@id\": \"pkg:deb/debian/openssl?distro=debian-12.7\"}],"
        "  \"status\": \"fixed\"},"
        " {\"vulnerability\": {\"name\": \"CVE-2023-5678\"},"
        "  \"products\": [{\"@id\": \"pkg:deb/debian/openssl@9.9\"}],"
        "  \"status\": \"not_affected\"},"
        " {\"vulnerability\": \"CVE-2021-44906\", \"products\": [\"pkg:npm/minimist@1.2.5\"],"
        "  \"status\": \"not_affected\"},"
        " {\"vulnerability\": \"CVE-2021-44906\", \"products\": [\"pkg:npm/minimist@1.2.5\"],"
        "  \"status\": \"under_investigation\"}"
        "]}");
    struct bsn_result r;
    struct bsn_scan_opts o;
    struct bsn_err err = { 0 };
    build(&r);
    memset(&o, 0, sizeof(o));
    o.vex_files = &vex;
    o.n_vex_files = 1;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    /* lodash by alias and subcomponent purl; openssl fixed (versionless purl, distro qualifier
     * agrees); the other openssl CVE names another version; minimist re-opened by a later
     * statement */
    assert_int_equal(r.n_vulns, 2);
    assert_true(has(&r, "CVE-2023-5678") && has(&r, "CVE-2021-44906"));
    assert_int_equal(r.n_suppressed, 2);
    assert_string_equal(r.suppressed[0].id, "CVE-2024-0727");
    assert_string_equal(r.suppressed[0].reason, "vex:fixed");
    assert_string_equal(r.suppressed[1].id, "GHSA-35jh-r3h4-6jhm");
    assert_string_equal(r.suppressed[1].package, "lodash");
    assert_string_equal(r.suppressed[1].reason, "vex:not_affected");
    bsn_arena_free(r.arena);
}

static void
test_openvex_image_product(void **state)
{
    (void)state;
    const char *vex = write_tmp(
        "image-vex.json",
        "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": ["
        " {\"vulnerability\": {\"name\": \"CVE-2023-5678\"},"
        "  \"products\": [{\"@id\": \"pkg:oci/app@sha256%3Aabc\"}], \"status\": \"not_affected\"},"
        " {\"vulnerability\": {\"name\": \"CVE-2024-0727\"},"
        "  \"products\": [{\"@id\": \"pkg:oci/other@sha256%3Adef\"}], \"status\": \"fixed\"},"
        " {\"vulnerability\": {\"name\": \"CVE-2021-44906\"},"
        "  \"products\": [{\"@id\": \"pkg:oci/app\"}], \"status\": \"fixed\"}"
        "]}");
    static const char *const digests[] = { "registry.example/team/app@sha256:abc" };
    static const char *const tags[] = { "registry.example/team/app:1.2" };
    struct bsn_result r;
    struct bsn_scan_opts o;
    struct bsn_err err = { 0 };
    build(&r);
    r.has_image = true;
    r.image.repo_digests = digests;
    r.image.n_repo_digests = 1;
    r.image.repo_tags = tags;
    r.image.n_repo_tags = 1;
    memset(&o, 0, sizeof(o));
    o.vex_files = &vex;
    o.n_vex_files = 1;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    /* the image by manifest digest, and by repository name; another image's statement does
     * not apply */
    assert_int_equal(r.n_vulns, 2);
    assert_true(has(&r, "CVE-2024-0727") && has(&r, "GHSA-35jh-r3h4-6jhm"));
    assert_int_equal(r.n_suppressed, 2);
    bsn_arena_free(r.arena);

    /* no image (a directory scan): image statements apply to nothing */
    build(&r);
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 4);
    bsn_arena_free(r.arena);
}

static void
test_cyclonedx_vex(void **state)
{
    (void)state;
    const char *vex = write_tmp(
        "cdx.json",
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"version\": 1,"
        " \"components\": [{\"bom-ref\": \"lodash-ref\", \"type\": \"library\", \"name\": "
        "\"lodash\", \"purl\": \"pkg:npm/lodash@4.17.20\"}],"
        " \"vulnerabilities\": ["
        "  {\"id\": \"GHSA-35jh-r3h4-6jhm\", \"analysis\": {\"state\": \"false_positive\"},"
        "   \"affects\": [{\"ref\": \"lodash-ref\"}]},"
        "  {\"id\": \"CVE-2021-44906\", \"analysis\": {\"state\": \"resolved\"},"
        "   \"affects\": [{\"ref\": \"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:npm/"
        "minimist@1.2.5\"}]},"
        "  {\"id\": \"CVE-2024-0727\", \"analysis\": {\"state\": \"exploitable\"},"
        "   \"affects\": [{\"ref\": \"pkg:deb/debian/openssl@3.0.11-1\"}]},"
        "  {\"id\": \"CVE-2023-5678\", \"analysis\": {\"state\": \"not_affected\"},"
        "   \"affects\": [{\"ref\": \"unknown-ref\"}]}"
        " ]}");
    struct bsn_result r;
    struct bsn_scan_opts o;
    struct bsn_err err = { 0 };
    build(&r);
    memset(&o, 0, sizeof(o));
    o.vex_files = &vex;
    o.n_vex_files = 1;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 2);
    assert_true(has(&r, "CVE-2024-0727") && has(&r, "CVE-2023-5678"));
    assert_int_equal(r.n_suppressed, 2);
    assert_string_equal(r.suppressed[0].reason, "vex:not_affected");
    assert_string_equal(r.suppressed[1].id, "CVE-2021-44906");
    assert_string_equal(r.suppressed[1].reason, "vex:fixed");
    bsn_arena_free(r.arena);

    /* not VEX at all */
    build(&r);
    const char *bad = write_tmp("bad.json", "{\"hello\": 1}");
    o.vex_files = &bad;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "bad.json"));
    bad = write_tmp("bad2.json", "{\"statements\": [");
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_EFORMAT);
    bsn_arena_free(r.arena);
}

static void
test_baseline(void **state)
{
    (void)state;
    const char *base = write_tmp(
        "base.json",
        "{\"schema_version\": 1, \"vulnerabilities\": ["
        " {\"id\": \"CVE-2024-0727\", \"aliases\": [], \"package_name\": \"openssl\","
        "  \"package_type\": \"deb\"},"
        " {\"id\": \"CVE-2021-23337\", \"aliases\": [\"GHSA-35jh-r3h4-6jhm\"],"
        "  \"package_name\": \"lodash\", \"package_type\": \"npm\"},"
        " {\"id\": \"CVE-2021-44906\", \"aliases\": [], \"package_name\": \"other\","
        "  \"package_type\": \"npm\"}]}");
    struct bsn_result r;
    struct bsn_scan_opts o;
    struct bsn_err err = { 0 };
    build(&r);
    memset(&o, 0, sizeof(o));
    o.baseline = base;
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_int_equal(r.n_vulns, 4);
    assert_false(get(&r, "CVE-2024-0727")->is_new);
    assert_true(get(&r, "CVE-2023-5678")->is_new);
    assert_false(get(&r, "GHSA-35jh-r3h4-6jhm")->is_new); /* by alias */
    assert_true(get(&r, "CVE-2021-44906")->is_new);       /* same id, other package */
    bsn_arena_free(r.arena);

    build(&r);
    o.baseline = write_tmp("notreport.json", "[1,2]");
    assert_int_equal(bsn_filter(&r, &o, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "not a bosun JSON report"));
    o.baseline = "/nonexistent/base.json";
    assert_int_not_equal(bsn_filter(&r, &o, &err), BSN_OK);
    assert_non_null(strstr(err.msg, "/nonexistent/base.json"));
    bsn_arena_free(r.arena);
}

static void
test_purl_match(void **state)
{
    (void)state;
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_purl p, q;
    struct bsn_err e;
    assert_int_equal(bsn_purl_parse(a, "pkg:deb/debian/openssl?arch=amd64", &p, &e), BSN_OK);
    assert_int_equal(
        bsn_purl_parse(a, "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12.7", &q, &e),
        BSN_OK);
    assert_true(bsn_vex_purl_match(&p, &q));
    assert_int_equal(bsn_purl_parse(a, "pkg:deb/debian/openssl?arch=arm64", &p, &e), BSN_OK);
    assert_false(bsn_vex_purl_match(&p, &q));
    assert_int_equal(bsn_purl_parse(a, "pkg:deb/ubuntu/openssl", &p, &e), BSN_OK);
    assert_false(bsn_vex_purl_match(&p, &q));
    assert_int_equal(bsn_purl_parse(a, "pkg:deb/debian/openssl@3.0.11-1", &p, &e), BSN_OK);
    assert_true(bsn_vex_purl_match(&p, &q));
    bsn_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_severity_and_unfixed),
        cmocka_unit_test(test_ignorefile_expiry),
        cmocka_unit_test(test_openvex),
        cmocka_unit_test(test_openvex_image_product),
        cmocka_unit_test(test_cyclonedx_vex),
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_purl_match),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
