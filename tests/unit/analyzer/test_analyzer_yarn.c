/*
 * yarn.lock analyzer through bsn_scan_files: every tests/data/javascript yarn case (v1,
 * berry, unsupported and local protocols) checked completely against expected.json; then
 * npm aliases, workspace/patch entries and garbage written here, and the relationships that
 * the project's package.json beside the lockfile gives (direct/indirect, dev by reach).
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

/* Scans yarn.lock (text) with package.json (text) beside it, both in app/. */
static struct bsn_result *
scan_pair(const char *lock, const char *pkg)
{
    char d1[256], d2[256];
    snprintf(d1, sizeof(d1), "%s/yarn.lock", tmpdir);
    snprintf(d2, sizeof(d2), "%s/package.json", tmpdir);
    FILE *f = fopen(d1, "wb");
    assert_non_null(f);
    fputs(lock, f);
    fclose(f);
    f = fopen(d2, "wb");
    assert_non_null(f);
    fputs(pkg, f);
    fclose(f);
    const char *imgs[2] = { "app/yarn.lock", "app/package.json" };
    const char *disks[2] = { d1, d2 };
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    struct bsn_result *r = NULL;
    assert_int_equal(bsn_scan_files(2, imgs, disks, &o, &r, &err), BSN_OK);
    unlink(d2);
    return r;
}

static void
test_yarn_package_json(void **state)
{
    (void)state;
    static const char lock[] =
        "# yarn lockfile v1\n\n"
        "a@^1.0.0:\n  version \"1.0.0\"\n  dependencies:\n    b \"^2.0.0\"\n\n"
        "b@^2.0.0, b@^2.1.0:\n  version \"2.1.0\"\n\n"
        "c@^3.0.0:\n  version \"3.0.0\"\n  dependencies:\n    d \"~4.0.0\"\n"
        "    b \"^2.1.0\"\n\n"
        "d@~4.0.0:\n  version \"4.0.1\"\n  optionalDependencies:\n    \"@s/f\" \"^6\"\n\n"
        "\"@s/f@^6\":\n  version \"6.0.0\"\n\n"
        "e@^5:\n  version \"5.0.0\"\n";
    static const char pkg[] = "{\"name\":\"app\",\"dependencies\":{\"a\":\"^1.0.0\"},"
                              "\"devDependencies\":{\"c\":\"^3.0.0\"}}";
    struct bsn_result *r = scan_pair(lock, pkg);
    if (lt_count(r, "npm") != 6)
        lt_dump(r);
    assert_int_equal(lt_count(r, "npm"), 6);
    static const struct {
        const char *name, *version;
        enum bsn_dep_kind dep;
        bool dev;
    } want[] = {
        { "a", "1.0.0", BSN_DEP_DIRECT, false },   { "b", "2.1.0", BSN_DEP_INDIRECT, false },
        { "c", "3.0.0", BSN_DEP_DIRECT, true },    { "d", "4.0.1", BSN_DEP_INDIRECT, true },
        { "@s/f", "6.0.0", BSN_DEP_INDIRECT, true }, { "e", "5.0.0", BSN_DEP_INDIRECT, false },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct bsn_package *p = lt_find(r, "npm", want[i].name, want[i].version);
        assert_non_null(p);
        if ((int)p->dep != (int)want[i].dep || p->dev != want[i].dev)
            fail_msg("%s: dep %d dev %d", want[i].name, (int)p->dep, (int)p->dev);
        assert_string_equal(p->path, "app/yarn.lock");
    }
    /* the project's package.json is no package itself */
    assert_null(lt_find(r, "npm", "app", ""));
    bsn_result_free(r);

    /* berry: package.json ranges resolve through the "npm:" patterns */
    char path[1024];
    snprintf(path, sizeof(path), "%s/javascript/%s/yarn.lock", BSN_TEST_DATA,
             "yarn-lock-trivy-yarn-v2-with-protocols-in-dependency-section");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char berry[4096];
    size_t n = fread(berry, 1, sizeof(berry) - 1, f);
    berry[n] = '\0';
    fclose(f);
    r = scan_pair(berry, "{\"devDependencies\":{\"debug\":\"4.3.4\"}}");
    const struct bsn_package *d = lt_find(r, "npm", "debug", "4.3.4");
    const struct bsn_package *m = lt_find(r, "npm", "ms", "2.1.2");
    assert_non_null(d);
    assert_non_null(m);
    assert_int_equal(d->dep, BSN_DEP_DIRECT);
    assert_true(d->dev);
    assert_int_equal(m->dep, BSN_DEP_INDIRECT);
    assert_true(m->dev);
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
        cmocka_unit_test(test_yarn_package_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
