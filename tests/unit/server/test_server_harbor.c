/*
 * Tests for the server's Harbor pieces and webhook signing: the scan target and credentials
 * a ScanRequest yields (bsn_harbor_target), the Harbor vulnerability report of a hand-built
 * result (bsn_harbor_render: severity names, fix_version, CVSS), the inventory dump the
 * re-matcher reads, and the HMAC-SHA256 signature against RFC 4231's test case 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "server/server_int.h"

#define DIGEST "sha256:6e7c87a7f6d28a89715fb224b176d70cc9bd9ddeb74a1a229777da604c7eb0e8"

static bsn_code
target(const struct bsn_server_config *c, const char *req, struct bsn_arena *a,
       struct bsn_harbor_target *t, struct bsn_err *err)
{
    return bsn_harbor_target(c, req, a, t, err);
}

static void
test_target_registry(void **state)
{
    (void)state;
    struct bsn_server_config c;
    bsn_server_config_init(&c);
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_harbor_target t;
    struct bsn_err err = { 0 };
    /* "robot$scan:p:w" in base64: the password may hold ':' */
    const char *req = "{\"registry\":{\"url\":\"https://core.harbor.domain:8443/\","
                      "\"authorization\":\"Basic cm9ib3Qkc2NhbjpwOnc=\"},"
                      "\"artifact\":{\"repository\":\"library/mongo\",\"digest\":\"" DIGEST "\"}}";
    assert_int_equal(target(&c, req, a, &t, &err), BSN_OK);
    assert_string_equal(t.target, "registry:core.harbor.domain:8443/library/mongo@" DIGEST);
    assert_string_equal(t.username, "robot$scan");
    assert_string_equal(t.password, "p:w");
    assert_null(t.authorization);
    assert_false(t.insecure);

    const char *bearer = "{\"registry\":{\"url\":\"http://127.0.0.1:5000\","
                         "\"authorization\":\"Bearer eyJhbGciOi.x.y\"},"
                         "\"artifact\":{\"repository\":\"a/b\",\"digest\":\"" DIGEST "\"}}";
    assert_int_equal(target(&c, bearer, a, &t, &err), BSN_OK);
    assert_string_equal(t.target, "registry:127.0.0.1:5000/a/b@" DIGEST);
    assert_string_equal(t.authorization, "Bearer eyJhbGciOi.x.y");
    assert_null(t.username);
    assert_true(t.insecure); /* plain http */
    bsn_arena_free(a);
}

static void
test_target_local_hook(void **state)
{
    (void)state;
    struct bsn_server_config c;
    bsn_server_config_init(&c);
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_harbor_target t;
    struct bsn_err err = { 0 };
    const char *req = "{\"registry\":{\"url\":\"oci:/tmp/img\"},"
                      "\"artifact\":{\"repository\":\"x\",\"digest\":\"" DIGEST "\"}}";
    /* without the hook "oci:/tmp/img" is a host name, never a local path */
    assert_int_equal(target(&c, req, a, &t, &err), BSN_OK);
    assert_string_equal(t.target, "registry:oci:/x@" DIGEST);
    c.allow_local_targets = true;
    assert_int_equal(target(&c, req, a, &t, &err), BSN_OK);
    assert_string_equal(t.target, "oci:/tmp/img");
    bsn_arena_free(a);
}

static void
test_target_rejects(void **state)
{
    (void)state;
    struct bsn_server_config c;
    bsn_server_config_init(&c);
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_harbor_target t;
    struct bsn_err err = { 0 };
    assert_int_equal(target(&c, "{", a, &t, &err), BSN_EFORMAT);
    assert_int_equal(target(&c, "{\"registry\":{\"url\":\"https://h\"},\"artifact\":"
                                "{\"repository\":\"a\",\"digest\":\"sha256:12\"}}",
                            a, &t, &err),
                     BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "artifact.digest"));
    assert_int_equal(target(&c, "{\"registry\":{\"url\":\"https://h\"},\"artifact\":"
                                "{\"repository\":\"../A\",\"digest\":\"" DIGEST "\"}}",
                            a, &t, &err),
                     BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "artifact.repository"));
    assert_int_equal(target(&c, "{\"registry\":{\"url\":\"https://h\",\"authorization\":"
                                "\"Basic bm9jb2xvbg==\"},\"artifact\":{\"repository\":\"a\","
                                "\"digest\":\"" DIGEST "\"}}",
                            a, &t, &err),
                     BSN_EAUTH); /* "nocolon" */
    assert_int_equal(target(&c, "{\"registry\":{\"url\":\"https:///\"},\"artifact\":"
                                "{\"repository\":\"a\",\"digest\":\"" DIGEST "\"}}",
                            a, &t, &err),
                     BSN_EINVAL);
    bsn_arena_free(a);
}

static void
test_webhook_sign(void **state)
{
    (void)state;
    char sig[80];
    const char *data = "what do ya want for nothing?";
    bsn_webhook_sign("Jefe", data, strlen(data), sig);
    assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
                             "64ec3843");
}

static void
test_render(void **state)
{
    (void)state;
    struct bsn_package pkgs[2] = {
        { .type = "apk", .name = "zlib", .version = "1.2.8-r2", .epoch = -1,
          .purl = "pkg:apk/alpine/zlib@1.2.8-r2" },
        { .type = "apk", .name = "musl", .version = "1.1.14-r14", .epoch = -1 },
    };
    const char *refs[] = { "https://nvd.nist.gov/vuln/detail/CVE-2016-9840" };
    struct bsn_cvss cvss = { .source = "nvd", .version = "3.1",
                             .vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                             .score = 7.5 };
    struct bsn_vuln v[2] = {
        { .id = "CVE-2016-9840", .pkg = &pkgs[0], .installed_version = "1.2.8-r2",
          .fixed_version = "1.2.11-r0", .severity = BSN_SEV_HIGH, .status = BSN_STATUS_FIXED,
          .references = refs, .n_references = 1, .cvss = &cvss, .n_cvss = 1,
          .title = "zlib: out-of-bounds pointer", .data_source = "alpine" },
        { .id = "CVE-2099-0001", .pkg = &pkgs[1], .installed_version = "1.1.14-r14",
          .severity = BSN_SEV_LOW, .status = BSN_STATUS_AFFECTED },
    };
    struct bsn_result r = { .created_at = "2026-11-28T17:00:00Z", .vulns = v, .n_vulns = 2,
                            .packages = pkgs, .n_packages = 2, .has_os = true,
                            .os = { .family = "alpine", .version = "3.4.6" } };
    struct bsn_buf out;
    bsn_buf_init(&out, 1 << 20);
    struct bsn_err err = { 0 };
    const char *req = "{\"registry\":{\"url\":\"https://h\"},\"artifact\":{\"repository\":"
                      "\"lib/a\",\"digest\":\"" DIGEST "\",\"tag\":\"1\"}}";
    assert_int_equal(bsn_harbor_render(&r, req, &out, &err), BSN_OK);
    json_t *doc = json_loads(out.ptr, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "severity")), "High");
    assert_string_equal(json_string_value(json_object_get(doc, "generated_at")),
                        "2026-11-28T17:00:00Z");
    json_t *art = json_object_get(doc, "artifact");
    assert_string_equal(json_string_value(json_object_get(art, "digest")), DIGEST);
    assert_string_equal(json_string_value(json_object_get(art, "tag")), "1");
    json_t *vs = json_object_get(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vs), 2);
    json_t *a0 = json_array_get(vs, 0), *a1 = json_array_get(vs, 1);
    assert_string_equal(json_string_value(json_object_get(a0, "fix_version")), "1.2.11-r0");
    assert_string_equal(json_string_value(json_object_get(a0, "severity")), "High");
    assert_string_equal(json_string_value(json_object_get(a0, "description")),
                        "zlib: out-of-bounds pointer");
    json_t *pc = json_object_get(a0, "preferred_cvss");
    assert_true(json_real_value(json_object_get(pc, "score_v3")) == 7.5);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a0, "links"), 0)),
                        refs[0]);
    assert_null(json_object_get(a1, "fix_version"));
    assert_string_equal(json_string_value(json_object_get(a1, "severity")), "Low");
    json_decref(doc);

    /* the inventory the re-matcher reads back */
    struct bsn_buf inv, fnd;
    bsn_buf_init(&inv, 1 << 20);
    bsn_buf_init(&fnd, 1 << 20);
    assert_int_equal(bsn_inventory_dump(&r, &inv, &fnd, &err), BSN_OK);
    doc = json_loads(inv.ptr, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "os"), "family")),
                        "alpine");
    assert_int_equal(json_array_size(json_object_get(doc, "packages")), 2);
    json_decref(doc);
    doc = json_loads(fnd.ptr, 0, NULL);
    assert_int_equal(json_array_size(doc), 2);
    assert_true(json_is_null(json_object_get(json_array_get(doc, 1), "fixed_version")));
    json_decref(doc);
    bsn_buf_release(&inv);
    bsn_buf_release(&fnd);

    /* no findings: "Unknown", the schema has no "None" */
    r.n_vulns = 0;
    bsn_buf_reset(&out);
    assert_int_equal(bsn_harbor_render(&r, req, &out, &err), BSN_OK);
    doc = json_loads(out.ptr, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "severity")), "Unknown");
    json_decref(doc);
    bsn_buf_release(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_registry),
        cmocka_unit_test(test_target_local_hook),
        cmocka_unit_test(test_target_rejects),
        cmocka_unit_test(test_webhook_sign),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
