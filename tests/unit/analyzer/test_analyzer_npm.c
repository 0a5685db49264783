/*
 * npm analyzers through bsn_scan_files: every tests/data/javascript case of package-lock.json
 * (v1, v2, v3 with workspaces and links), installed package.json and bun.lock, checked
 * completely against the peer's expected.json (langtext_golden.h); then hostile and edge
 * inputs written here: v1 nesting 5,000 deep, broken JSON, hidden lockfiles in node_modules,
 * package.json files that are not packages.
 */
#include <unistd.h>

#include "langtext_golden.h"

#define NODE_PKG_IMG "app/node_modules/x/package.json"

static void
test_package_lock_golden(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "package-lock-trivy-lock-file-v3-contains-same-dev-and-non-dev-dependencies",
        "package-lock-trivy-lock-version-v1",
        "package-lock-trivy-lock-version-v2",
        "package-lock-trivy-lock-version-v3-with-broken-link",
        "package-lock-trivy-lock-version-v3-with-workspace",
        "package-lock-trivy-lock-version-v3-with-workspace-and-without-direct-deps-field",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lt_case c = { .kind = "javascript", .name = cases[i], .analyzer = "npm_lock",
                             .type = "npm" };
        lt_check(&c);
    }
    assert_int_equal(lt_cases("javascript", "package-lock-"), sizeof(cases) / sizeof(cases[0]));
}

static void
test_package_json_golden(void **state)
{
    (void)state;
    /* trivy parses the file directly; bosun reads package.json only as an installed package
     * (node_modules/<name>/package.json), so the cases are placed there. */
    static const char *const cases[] = {
        "package-json-trivy-empty-array-license",
        "package-json-trivy-happy-path",
        "package-json-trivy-happy-path-legacy-license",
        "package-json-trivy-happy-path-version-doesn-t-exist",
        "package-json-trivy-invalid-license-value-number",
        "package-json-trivy-invalid-package-name",
        "package-json-trivy-null-license-value",
        "package-json-trivy-unknown-license-object",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lt_case c = { .kind = "javascript", .name = cases[i], .analyzer = "node_pkg",
                             .type = "npm", .image_path = NODE_PKG_IMG };
        lt_check(&c);
    }
    assert_int_equal(lt_cases("javascript", "package-json-"), sizeof(cases) / sizeof(cases[0]));
}

static void
test_bun_golden(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "bun-lock-trivy-invalid-lockfile",
        "bun-lock-trivy-multiple-workspaces",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lt_case c = { .kind = "javascript", .name = cases[i], .analyzer = "bun",
                             .type = "npm" };
        lt_check(&c);
    }
    assert_int_equal(lt_cases("javascript", "bun-lock-"), sizeof(cases) / sizeof(cases[0]));
}

/* ---- inputs written here ----------------------------------------------------------------- */

static char tmpdir[] = "/tmp/bsn-npm-XXXXXX";

static struct bsn_result *
scan_text(const char *img, const char *text, size_t len)
{
    char disk[256];
    snprintf(disk, sizeof(disk), "%s/input", tmpdir);
    FILE *f = fopen(disk, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    const char *imgs[1] = { img };
    const char *disks[1] = { disk };
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    struct bsn_result *r = NULL;
    assert_int_equal(bsn_scan_files(1, imgs, disks, &o, &r, &err), BSN_OK);
    return r;
}

static void
test_v1_deep_nesting(void **state)
{
    (void)state;
    /* 5,000 nested "dependencies": jansson refuses depth > 2048 (a diagnostic); 300 levels
     * parse and the analyzer stops at 256 with a warning, keeping what it read */
    for (int pass = 0; pass < 2; pass++) {
        int depth = pass == 0 ? 5000 : 300;
        size_t cap = (size_t)depth * 80 + 256, n = 0;
        char *s = malloc(cap);
        n += (size_t)snprintf(s + n, cap - n, "{\"lockfileVersion\":1,\"dependencies\":{");
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(s + n, cap - n,
                                  "\"p%d\":{\"version\":\"1.0.%d\",\"dependencies\":{", i, i);
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(s + n, cap - n, "}}");
        n += (size_t)snprintf(s + n, cap - n, "}}");
        struct bsn_result *r = scan_text("package-lock.json", s, n);
        if (pass == 0) {
            assert_int_equal(lt_count(r, "npm"), 0);
            assert_true(r->n_diags >= 1);
        } else {
            assert_int_equal(lt_count(r, "npm"), 257); /* levels 0..256 */
            assert_non_null(lt_find(r, "npm", "p256", "1.0.256"));
            assert_null(lt_find(r, "npm", "p257", "1.0.257"));
            assert_int_equal(r->n_diags, 1);
            assert_non_null(strstr(r->diags[0].message, "deeper than 256"));
        }
        bsn_result_free(r);
        free(s);
    }
}

static void
test_broken_json(void **state)
{
    (void)state;
    static const char bad[] = "{\"lockfileVersion\": 2, \"packages\": {\"node_modules/a\": ";
    struct bsn_result *r = scan_text("srv/app/package-lock.json", bad, sizeof(bad) - 1);
    assert_int_equal(r->n_packages, 0);
    assert_int_equal(r->n_diags, 1);
    assert_non_null(strstr(r->diags[0].message, "srv/app/package-lock.json"));
    assert_non_null(strstr(r->diags[0].message, "invalid JSON"));
    bsn_result_free(r);
}

static void
test_paths(void **state)
{
    (void)state;
    static const char lock[] =
        "{\"lockfileVersion\":3,\"packages\":{\"\":{\"dependencies\":{\"a\":\"1\"}},"
        "\"node_modules/a\":{\"version\":\"1.0.0\"},"
        "\"node_modules/@s/b\":{\"version\":\"2.0.0\",\"dev\":true}}}";
    /* npm's hidden lockfile duplicates node_modules: not read */
    struct bsn_result *r = scan_text("app/node_modules/.package-lock.json", lock,
                                     sizeof(lock) - 1);
    assert_int_equal(r->n_packages, 0);
    bsn_result_free(r);
    r = scan_text("npm-shrinkwrap.json", lock, sizeof(lock) - 1);
    assert_int_equal(lt_count(r, "npm"), 2);
    const struct bsn_package *b = lt_find(r, "npm", "@s/b", "2.0.0");
    assert_non_null(b);
    assert_string_equal(b->purl, "pkg:npm/%40s/b@2.0.0");
    assert_true(b->dev);
    assert_int_equal(b->dep, BSN_DEP_INDIRECT);
    assert_int_equal(lt_find(r, "npm", "a", "1.0.0")->dep, BSN_DEP_DIRECT);
    bsn_result_free(r);

    static const char pkg[] = "{\"name\":\"@s/b\",\"version\":\"2.0.0\",\"license\":\"MIT\"}";
    static const char *const not_pkgs[] = {
        "package.json",                          /* the project itself */
        "app/node_modules/x/lib/package.json",   /* inside a package */
        "app/node_modules/@s/package.json",      /* a scope folder */
    };
    for (size_t i = 0; i < sizeof(not_pkgs) / sizeof(not_pkgs[0]); i++) {
        r = scan_text(not_pkgs[i], pkg, sizeof(pkg) - 1);
        assert_int_equal(r->n_packages, 0);
        bsn_result_free(r);
    }
    r = scan_text("usr/lib/node_modules/a/node_modules/@s/b/package.json", pkg, sizeof(pkg) - 1);
    assert_int_equal(lt_count(r, "npm"), 1);
    assert_string_equal(r->packages[0].licenses[0], "MIT");
    bsn_result_free(r);
    /* {"type": "module"} sub-manifests carry no name: no package, no diagnostic */
    static const char sub[] = "{\"type\":\"module\"}";
    r = scan_text("node_modules/x/package.json", sub, sizeof(sub) - 1);
    assert_int_equal(r->n_packages, 0);
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
}

static int
setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char p[256];
    snprintf(p, sizeof(p), "%s/input", tmpdir);
    unlink(p);
    return rmdir(tmpdir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_package_lock_golden),
        cmocka_unit_test(test_package_json_golden),
        cmocka_unit_test(test_bun_golden),
        cmocka_unit_test(test_v1_deep_nesting),
        cmocka_unit_test(test_broken_json),
        cmocka_unit_test(test_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
