/*
 * Ruby analyzers through bsn_scan_files: every tests/data/ruby case (Gemfile.lock, installed
 * specifications/NAME.gemspec) checked completely against expected.json, then platform gems,
 * GIT/PATH sources and paths that are not installed specs, written here.
 */
#include <unistd.h>

#include "langtext_golden.h"

static void
test_ruby_golden(void **state)
{
    (void)state;
    static const char *const locks[] = {
        "gemfile-lock-trivy-bundler2",
        "gemfile-lock-trivy-malformed",
    };
    for (size_t i = 0; i < sizeof(locks) / sizeof(locks[0]); i++) {
        struct lt_case c = { .kind = "ruby", .name = locks[i], .analyzer = "gemfile_lock",
                             .type = "gem" };
        lt_check(&c);
    }
    /* trivy parses the file directly; bosun reads gemspecs where RubyGems installs them */
    static const struct {
        const char *name, *img;
    } specs[] = {
        { "gemspec-trivy-happy", "usr/local/bundle/specifications/rake-13.0.3.gemspec" },
        { "gemspec-trivy-license",
          "usr/lib/ruby/gems/3.1.0/specifications/async-1.25.0.gemspec" },
        { "gemspec-trivy-malformed-variable-name",
          "usr/local/bundle/specifications/async-1.25.0.gemspec" },
        { "gemspec-trivy-multiple-licenses",
          "usr/lib/ruby/gems/3.1.0/specifications/default/test-unit-3.3.7.gemspec" },
    };
    /* default gems live in specifications/default/: still installed gems */
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        struct lt_case c = { .kind = "ruby", .name = specs[i].name, .analyzer = "gemspec",
                             .type = "gem", .image_path = specs[i].img };
        lt_check(&c);
    }
    assert_int_equal(lt_cases("ruby", ""), 6 + 2); /* six cases, "." and ".." */
}

static char tmpdir[] = "/tmp/bsn-ruby-XXXXXX";

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
test_gemfile_sources(void **state)
{
    (void)state;
    static const char lock[] =
        "GIT\n  remote: https://github.com/rails/rails.git\n  revision: abc\n  specs:\n"
        "    rails (7.1.0.alpha)\n      actionpack (= 7.1.0.alpha)\n\n"
        "PATH\n  remote: .\n  specs:\n    myapp (0.1.0)\n\n"
        "GEM\n  remote: https://rubygems.org/\n  specs:\n"
        "    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n"
        "    nokogiri (1.15.4-aarch64-linux)\n      racc (~> 1.4)\n"
        "    racc (1.7.1)\n    pre (2.0.0-rc1)\n\n"
        "PLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  rails!\n  nokogiri (~> 1.15)\n\n"
        "BUNDLED WITH\n   2.4.19\n";
    struct bsn_result *r = scan_text("app/Gemfile.lock", lock, sizeof(lock) - 1);
    if (lt_count(r, "gem") != 5)
        lt_dump(r);
    assert_int_equal(lt_count(r, "gem"), 5);
    assert_int_equal(lt_find(r, "gem", "rails", "7.1.0.alpha")->dep, BSN_DEP_DIRECT);
    const struct bsn_package *n = lt_find(r, "gem", "nokogiri", "1.15.4");
    assert_non_null(n); /* both platform builds are one gem version */
    assert_int_equal(n->dep, BSN_DEP_DIRECT);
    assert_string_equal(n->purl, "pkg:gem/nokogiri@1.15.4");
    assert_int_equal(lt_find(r, "gem", "racc", "1.7.1")->dep, BSN_DEP_INDIRECT);
    assert_non_null(lt_find(r, "gem", "pre", "2.0.0-rc1")); /* a prerelease, not a platform */
    assert_non_null(lt_find(r, "gem", "myapp", "0.1.0"));
    bsn_result_free(r);
    /* an installed gem's own Gemfile.lock is not the application's */
    r = scan_text("usr/local/bundle/gems/rake-13.0.3/Gemfile.lock", lock, sizeof(lock) - 1);
    assert_int_equal(r->n_packages, 0);
    bsn_result_free(r);
}

static void
test_gemspec_paths(void **state)
{
    (void)state;
    static const char spec[] = "Gem::Specification.new do |s|\n  s.name = 'x'\n"
                               "  s.version = '1.0'\n  s.license = 'MIT'\nend\n";
    struct bsn_result *r = scan_text("srv/app/x.gemspec", spec, sizeof(spec) - 1);
    assert_int_equal(r->n_packages, 0); /* a project's own gemspec is no installed gem */
    bsn_result_free(r);
    r = scan_text("var/lib/gems/3.1.0/specifications/x-1.0.gemspec", spec, sizeof(spec) - 1);
    assert_int_equal(lt_count(r, "gem"), 1);
    assert_string_equal(r->packages[0].licenses[0], "MIT");
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
        cmocka_unit_test(test_ruby_golden),
        cmocka_unit_test(test_gemfile_sources),
        cmocka_unit_test(test_gemspec_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
