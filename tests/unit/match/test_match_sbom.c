/*
 * Tests for SBOM input (src/scan/scan_sbom.c): bosun's own CycloneDX and SPDX output read back
 * into the same packages and OS, Syft- and Trivy-style documents (upstream and epoch
 * qualifiers, scoped and namespaced names, an operating-system component), malformed input.
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

#include "match/match.h"
#include "report/report.h"
#include "../report/report_fixture.h"

static char tmpdir[256];

static const char *
write_tmp(const char *name, const char *text, size_t len)
{
    static char path[8][512];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fwrite(text, 1, len, f);
    fclose(f);
    return p;
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn_sbom_XXXXXX");
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

static const struct bsn_package *
pkg(const struct bsn_result *r, const char *type, const char *name)
{
    for (size_t i = 0; i < r->n_packages; i++)
        if (strcmp(r->packages[i].type, type) == 0 && strcmp(r->packages[i].name, name) == 0)
            return &r->packages[i];
    return NULL;
}

static void
read_sbom(const char *path, struct bsn_result *r, bsn_code want)
{
    memset(r, 0, sizeof(*r));
    r->arena = bsn_arena_new();
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_sbom_read(path, r, &err);
    if (rc != want)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, want);
}

static void
round_trip(const char *format)
{
    struct bsn_result fx;
    fx_build(&fx);
    struct bsn_report_opts o;
    bsn_report_opts_init(&o);
    struct bsn_buf out;
    bsn_buf_init(&out, 1 << 20);
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_report_find(format)->write(&fx, &o, &out, &err), BSN_OK);
    const char *path = write_tmp(format, out.ptr, out.len);
    bsn_buf_release(&out);

    struct bsn_result r;
    read_sbom(path, &r, BSN_OK);
    assert_int_equal(r.n_packages, 3);
    for (size_t i = 0; i < fx.n_packages; i++) {
        const struct bsn_package *a = &fx.packages[i];
        const struct bsn_package *b = pkg(&r, a->type, a->name);
        assert_non_null(b);
        assert_string_equal(b->version, a->version);
        assert_string_equal(b->purl, a->purl);
        if (a->arch)
            assert_string_equal(b->arch, a->arch);
    }
    assert_true(r.has_os);
    assert_string_equal(r.os.family, "debian");
    assert_string_equal(r.os.version, "12.7");
    bsn_arena_free(r.arena);
}

static void
test_round_trip_cyclonedx(void **state)
{
    (void)state;
    round_trip("cyclonedx");
}

static void
test_round_trip_spdx(void **state)
{
    (void)state;
    round_trip("spdx-json");
}

static const char syft_cdx[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,"
    "\"metadata\":{\"component\":{\"type\":\"container\",\"name\":\"app\"}},"
    "\"components\":["
    "{\"type\":\"library\",\"name\":\"libssl3\",\"version\":\"3.0.11-1~deb12u2\","
    "\"purl\":\"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&"
    "distro=debian-12\"},"
    "{\"type\":\"library\",\"name\":\"libfoo1\",\"purl\":\"pkg:deb/debian/libfoo1@1.0-1%2Bb1?"
    "upstream=foo%401.0-1&distro=debian-12\"},"
    "{\"type\":\"library\",\"name\":\"zlib1g\",\"purl\":\"pkg:deb/debian/zlib1g@1.2.13.dfsg-1?"
    "epoch=1&distro=debian-12\"},"
    "{\"type\":\"library\",\"name\":\"log4j-core\",\"purl\":\"pkg:maven/"
    "org.apache.logging.log4j/log4j-core@2.14.1\",\"licenses\":[{\"license\":{\"id\":"
    "\"Apache-2.0\"}}],"
    " \"components\":[{\"type\":\"library\",\"name\":\"core\",\"purl\":\"pkg:npm/%40babel/"
    "core@7.0.0\"}]},"
    "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:golang/golang.org/x/net@v0.7.0\"},"
    "{\"type\":\"library\",\"name\":\"bad\",\"purl\":\"not-a-purl\"},"
    "{\"type\":\"library\",\"name\":\"nopurl\"}"
    "]}";

static void
test_syft_style(void **state)
{
    (void)state;
    struct bsn_result r;
    read_sbom(write_tmp("syft.json", syft_cdx, sizeof(syft_cdx) - 1), &r, BSN_OK);
    assert_int_equal(r.n_packages, 6);
    const struct bsn_package *p = pkg(&r, "deb", "libssl3");
    assert_non_null(p);
    assert_string_equal(p->source_name, "openssl");
    assert_null(p->source_version);
    assert_string_equal(p->arch, "amd64");
    p = pkg(&r, "deb", "libfoo1");
    assert_string_equal(p->version, "1.0-1+b1");
    assert_string_equal(p->source_name, "foo");
    assert_string_equal(p->source_version, "1.0-1");
    assert_string_equal(pkg(&r, "deb", "zlib1g")->version, "1:1.2.13.dfsg-1");
    p = pkg(&r, "maven", "org.apache.logging.log4j:log4j-core");
    assert_non_null(p);
    assert_string_equal(p->version, "2.14.1");
    assert_int_equal(p->n_licenses, 1);
    assert_string_equal(p->licenses[0], "Apache-2.0");
    assert_non_null(pkg(&r, "npm", "@babel/core")); /* nested component */
    assert_string_equal(pkg(&r, "golang", "golang.org/x/net")->version, "v0.7.0");
    assert_true(r.has_os);
    assert_string_equal(r.os.family, "debian");
    assert_string_equal(r.os.version, "12");
    assert_int_equal(r.n_diags, 1);
    assert_non_null(strstr(r.diags[0].message, "invalid purl 'not-a-purl'"));
    bsn_arena_free(r.arena);
}

static const char trivy_cdx[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":["
    "{\"bom-ref\":\"os\",\"type\":\"operating-system\",\"name\":\"Alpine\",\"version\":"
    "\"3.19.1\"},"
    "{\"type\":\"library\",\"name\":\"libcrypto3\",\"purl\":\"pkg:apk/alpine/libcrypto3@3.1.4-r1"
    "?arch=x86_64\",\"properties\":[{\"name\":\"aquasecurity:trivy:SrcName\",\"value\":"
    "\"openssl\"}]},"
    "{\"type\":\"library\",\"name\":\"openssl\",\"purl\":\"pkg:rpm/redhat/openssl@3.0.7-24.el9"
    "?arch=x86_64&epoch=1\"}]}";

static const char spdx_doc[] =
    "{\"spdxVersion\":\"SPDX-2.3\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"packages\":["
    "{\"SPDXID\":\"SPDXRef-a\",\"name\":\"django\",\"licenseDeclared\":\"BSD-3-Clause\","
    "\"externalRefs\":[{\"referenceCategory\":\"SECURITY\",\"referenceType\":\"cpe23Type\","
    "\"referenceLocator\":\"cpe:2.3:a:x\"},{\"referenceCategory\":\"PACKAGE_MANAGER\","
    "\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:pypi/django@4.2.1\"}]},"
    "{\"SPDXID\":\"SPDXRef-b\",\"name\":\"noref\"},"
    "{\"SPDXID\":\"SPDXRef-os\",\"name\":\"ubuntu\",\"versionInfo\":\"22.04\","
    "\"primaryPackagePurpose\":\"OPERATING_SYSTEM\"}]}";

static void
test_trivy_style_and_spdx(void **state)
{
    (void)state;
    struct bsn_result r;
    read_sbom(write_tmp("trivy.json", trivy_cdx, sizeof(trivy_cdx) - 1), &r, BSN_OK);
    assert_int_equal(r.n_packages, 2);
    /* no distro qualifier: the operating-system component; no tool-private properties */
    assert_true(r.has_os);
    assert_string_equal(r.os.family, "alpine");
    assert_string_equal(r.os.version, "3.19.1");
    assert_null(pkg(&r, "apk", "libcrypto3")->source_name);
    const struct bsn_package *p = pkg(&r, "rpm", "openssl");
    assert_int_equal(p->epoch, 1);
    assert_string_equal(p->version, "3.0.7-24.el9");
    bsn_arena_free(r.arena);

    read_sbom(write_tmp("spdx.json", spdx_doc, sizeof(spdx_doc) - 1), &r, BSN_OK);
    assert_int_equal(r.n_packages, 1);
    p = pkg(&r, "pypi", "django");
    assert_non_null(p);
    assert_string_equal(p->licenses[0], "BSD-3-Clause");
    assert_string_equal(r.os.family, "ubuntu");
    assert_string_equal(r.os.version, "22.04");
    bsn_arena_free(r.arena);
}

static void
test_malformed(void **state)
{
    (void)state;
    struct bsn_result r;
    read_sbom(write_tmp("x.json", "{\"a\":1}", 7), &r, BSN_EFORMAT);
    bsn_arena_free(r.arena);
    read_sbom(write_tmp("y.json", "{\"bomFormat\":", 13), &r, BSN_EFORMAT);
    bsn_arena_free(r.arena);
    read_sbom("/nonexistent/sbom.json", &r, BSN_ENOTFOUND);
    bsn_arena_free(r.arena);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_cyclonedx),
        cmocka_unit_test(test_round_trip_spdx),
        cmocka_unit_test(test_syft_style),
        cmocka_unit_test(test_trivy_style_and_spdx),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
