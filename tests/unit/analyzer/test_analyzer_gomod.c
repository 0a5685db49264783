/*
 * go.mod / go.sum analyzer: every go-mod-* and go-sum-* case of tests/data/go (trivy's
 * parser cases: root module, direct/indirect, replace with and without versions, local-path
 * replacements, go.sum), plus hand-checked cases for the stdlib rules (toolchain directive,
 * go >= 1.21) and for a go.sum beside a go.mod (dropped from go 1.17, gap-filling before).
 */
#include <unistd.h>

#include "langbin_golden.h"

static char tmpdir[256];
static size_t skipped;

static enum bsn_dep_kind
relationship(const char *r)
{
    if (!r)
        return BSN_DEP_UNKNOWN;
    if (strcmp(r, "root") == 0)
        return BSN_DEP_ROOT;
    if (strcmp(r, "direct") == 0)
        return BSN_DEP_DIRECT;
    if (strcmp(r, "indirect") == 0)
        return BSN_DEP_INDIRECT;
    return BSN_DEP_UNKNOWN;
}

static void
check_case(const char *kind, const char *name)
{
    json_t *exp = golden_expected(kind, name);
    /* trivy's parser option replace=false has no counterpart: bosun's analyzer (like trivy's
     * gomod analyzer) always applies replace directives; the "replace" case covers the file. */
    json_t *opt = json_object_get(json_object_get(exp, "parser_options"), "replace");
    if (json_is_false(opt)) {
        skipped++;
        json_decref(exp);
        return;
    }
    struct bsn_result *r = NULL;
    assert_int_equal(golden_scan(kind, name, exp, &r), BSN_OK);
    json_t *pkgs = json_object_get(exp, "packages");
    if (golden_count_type(r, "golang") != json_array_size(pkgs)) {
        for (size_t i = 0; i < r->n_packages; i++)
            print_message("got %s@%s\n", r->packages[i].name, r->packages[i].version);
        fail_msg("%s: %zu packages, expected %zu", name, golden_count_type(r, "golang"),
                 json_array_size(pkgs));
    }
    size_t i;
    json_t *e;
    json_array_foreach(pkgs, i, e) {
        const char *pname = json_string_value(json_object_get(e, "name"));
        const char *ver = json_string_value(json_object_get(e, "version"));
        const struct bsn_package *p = golden_find(r, "golang", pname, ver ? ver : "");
        if (!p)
            fail_msg("%s: missing %s@%s", name, pname, ver ? ver : "");
        assert_int_equal(p->dep,
                         relationship(json_string_value(json_object_get(e, "relationship"))));
        const char *in = json_string_value(json_object_get(json_object_get(exp, "inputs"),
                                                           strstr(name, "go-sum") ? "go.sum"
                                                                                  : "go.mod"));
        assert_string_equal(p->path, in);
    }
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
    json_decref(exp);
}

static void
test_golden(void **state)
{
    (void)state;
    size_t n = golden_each("go", "go-mod-", check_case) + golden_each("go", "go-sum-", check_case);
    assert_int_equal(n, 10);
    assert_int_equal(skipped, 1);
}

static char *
write_file(const char *name, const char *text)
{
    char *path = malloc(512);
    snprintf(path, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void
test_purls_and_stdlib(void **state)
{
    (void)state;
    char *mod = write_file("a.mod", "module example.com/app\n\ngo 1.22\n\ntoolchain go1.22.4\n\n"
                                    "require (\n\t\"github.com/pkg/errors\" v0.9.1\n"
                                    "\tgolang.org/x/net v0.20.0 // indirect\n)\n"
                                    "exclude golang.org/x/net v0.19.0\n"
                                    "replace golang.org/x/net => golang.org/x/net v0.23.0\n");
    const char *img[1] = { "src/go.mod" }, *disk[1] = { mod };
    struct bsn_result *r = golden_scan_paths(1, img, (const char *const *)disk);
    assert_int_equal(golden_count_type(r, "golang"), 4);
    const struct bsn_package *p = golden_find(r, "golang", "stdlib", "v1.22.4");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:golang/stdlib@v1.22.4");
    p = golden_find(r, "golang", "github.com/pkg/errors", "v0.9.1");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:golang/github.com/pkg/errors@v0.9.1");
    assert_int_equal(p->dep, BSN_DEP_DIRECT);
    p = golden_find(r, "golang", "golang.org/x/net", "v0.23.0");
    assert_non_null(p);
    assert_int_equal(p->dep, BSN_DEP_INDIRECT);
    assert_non_null(golden_find(r, "golang", "example.com/app", ""));
    bsn_result_free(r);
    unlink(mod);
    free(mod);

    /* "go 1.21" without toolchain: stdlib v1.21.0; "go 1.20": no stdlib. */
    mod = write_file("b.mod", "module m\ngo 1.21\n");
    disk[0] = mod;
    r = golden_scan_paths(1, img, (const char *const *)disk);
    assert_non_null(golden_find(r, "golang", "stdlib", "v1.21.0"));
    bsn_result_free(r);
    unlink(mod);
    free(mod);
    mod = write_file("c.mod", "module m\ngo 1.20\n");
    disk[0] = mod;
    r = golden_scan_paths(1, img, (const char *const *)disk);
    assert_null(golden_find(r, "golang", "stdlib", NULL));
    assert_int_equal(golden_count_type(r, "golang"), 1);
    bsn_result_free(r);
    unlink(mod);
    free(mod);
}

static void
test_sum_beside_mod(void **state)
{
    (void)state;
    static const char sum[] = "github.com/a/b v1.0.0 h1:x=\ngithub.com/a/b v1.0.0/go.mod h1:y=\n"
                              "github.com/c/d v1.2.0/go.mod h1:z=\n";
    char *s = write_file("go.sum", sum);
    char *m17 = write_file("m17", "module m\ngo 1.17\nrequire github.com/a/b v1.0.0\n");
    char *m16 = write_file("m16", "module m\ngo 1.16\nrequire github.com/a/b v1.0.0\n");
    const char *img[2] = { "p/go.mod", "p/go.sum" };
    const char *disk[2] = { m17, s };
    struct bsn_result *r = golden_scan_paths(2, img, disk);
    /* go 1.17: go.mod is complete, go.sum adds nothing */
    assert_int_equal(golden_count_type(r, "golang"), 2);
    assert_string_equal(golden_find(r, "golang", "github.com/a/b", "v1.0.0")->path, "p/go.mod");
    bsn_result_free(r);
    disk[0] = m16;
    r = golden_scan_paths(2, img, disk);
    /* go 1.16: go.sum fills in c/d, a/b is not repeated */
    assert_int_equal(golden_count_type(r, "golang"), 3);
    const struct bsn_package *p = golden_find(r, "golang", "github.com/c/d", "v1.2.0");
    assert_non_null(p);
    assert_string_equal(p->path, "p/go.sum");
    assert_int_equal(p->dep, BSN_DEP_UNKNOWN);
    bsn_result_free(r);
    unlink(s);
    unlink(m17);
    unlink(m16);
    free(s);
    free(m17);
    free(m16);
}

static void
test_malformed(void **state)
{
    (void)state;
    char *mod = write_file("bad.mod", "require (\n\tno module line\n\t\"unterminated\n");
    const char *img[1] = { "go.mod" }, *disk[1] = { mod };
    struct bsn_result *r = golden_scan_paths(1, img, (const char *const *)disk);
    assert_int_equal(golden_count_type(r, "golang"), 0);
    assert_true(golden_has_diag(r, "module"));
    bsn_result_free(r);
    unlink(mod);
    free(mod);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn-gomod-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    rmdir(tmpdir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_purls_and_stdlib),
        cmocka_unit_test(test_sum_beside_mod),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
