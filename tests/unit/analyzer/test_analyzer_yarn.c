/*
 * yarn.lock analyzer through bsn_scan_files: every tests/data/javascript yarn case (v1,
 * berry, unsupported and local protocols) checked completely against expected.json; then
 * npm aliases, workspace/patch entries and garbage written here.
 */
#include <unistd.h>

#include "langtext_golden.h"

static void
test_yarn_golden(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "yarn-lock-trivy-happy",
        "yarn-lock-trivy-happy-v2",
        "yarn-lock-trivy-yarn-file-with-bad-protocol",
        "yarn-lock-trivy-yarn-v2-with-protocols-in-dependency-section",
        "yarn-lock-trivy-yarn-with-local-dependency",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lt_case c = { .kind = "javascript", .name = cases[i], .analyzer = "yarn",
                             .type = "npm" };
        lt_check(&c);
    }
    assert_int_equal(lt_cases("javascript", "yarn-lock-"), sizeof(cases) / sizeof(cases[0]));
}

static char tmpdir[] = "/tmp/bsn-yarn-XXXXXX";

static struct bsn_result *
scan_text(const char *img, const char *text, size_t len)
{
    char disk[256];
    snprintf(disk, sizeof(disk), "%s/yarn.lock", tmpdir);
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
test_yarn_entries(void **state)
{
    (void)state;
    static const char lock[] =
        "# yarn lockfile v1\n\n"
        "\"string-width-cjs@npm:string-width@^4.2.0\":\n"
        "  version \"4.2.3\"\n\n"
        "\"@scope/pkg@^1.0.0\", \"@scope/pkg@^1.1.0\":\n"
        "  version \"1.2.0\"\n"
        "  dependencies:\n"
        "    version \"9.9.9\"\n\n"
        "\"resolve@patch:resolve@^1.1.7#~builtin<compat/resolve>\":\n"
        "  version: 1.22.1\n\n"
        "\"app@workspace:.\":\n"
        "  version: 0.0.0-use.local\n\n"
        "git-dep@https://github.com/a/b.git#abc:\n"
        "  version \"0.1.0\"\n\n"
        "no-version@^1:\n"
        "  resolved \"x\"\n";
    struct bsn_result *r = scan_text("app/yarn.lock", lock, sizeof(lock) - 1);
    if (lt_count(r, "npm") != 2)
        lt_dump(r);
    assert_int_equal(lt_count(r, "npm"), 2);
    /* an npm alias reports the real package */
    assert_non_null(lt_find(r, "npm", "string-width", "4.2.3"));
    const struct bsn_package *p = lt_find(r, "npm", "@scope/pkg", "1.2.0");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:npm/%40scope/pkg@1.2.0");
    assert_int_equal(p->dep, BSN_DEP_UNKNOWN);
    bsn_result_free(r);

    /* a lockfile a package ships inside node_modules is not what is installed */
    r = scan_text("app/node_modules/combined-stream/yarn.lock", lock, sizeof(lock) - 1);
    assert_int_equal(r->n_packages, 0);
    bsn_result_free(r);

    static const char junk[] = "\x01\x02garbage:\n  version\n\n:\n  version \"\n@:\n";
    r = scan_text("yarn.lock", junk, sizeof(junk) - 1);
    assert_int_equal(r->n_packages, 0);
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
    snprintf(p, sizeof(p), "%s/yarn.lock", tmpdir);
    unlink(p);
    return rmdir(tmpdir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yarn_golden),
        cmocka_unit_test(test_yarn_entries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
