/*
 * Composer analyzer through bsn_scan_files: every tests/data/php case (composer.lock from
 * trivy and syft, installed.json in composer 2 form) checked completely against
 * expected.json, plus composer 1's bare-array installed.json written here.
 */
#include <unistd.h>

#include "langtext_golden.h"

static void
test_composer_golden(void **state)
{
    (void)state;
    struct lt_case trivy = { .kind = "php", .name = "composer-lock-trivy-happy-path",
                             .analyzer = "composer", .type = "composer" };
    lt_check(&trivy);
    /*
     * syft reads only "packages" (its note calls packages-dev empty, but the fixture has
     * behat/gherkin and codeception/codeception there) and has no dev flag; bosun also
     * reports packages-dev, flagged dev, as trivy does.
     */
    struct lt_case lock = { .kind = "php", .name = "composer-lock-syft-composer-lock",
                            .analyzer = "composer", .type = "composer",
                            .dev_not_asserted = true, .extra_dev = 2 };
    lt_check(&lock);
    /* syft has no dev flag; behat/mink is in dev-package-names: checked below */
    struct lt_case inst = { .kind = "php", .name = "installed-json-syft-composer-v2",
                            .analyzer = "composer", .type = "composer",
                            .dev_not_asserted = true };
    lt_check(&inst);
    assert_int_equal(lt_cases("php", ""), 3 + 2);
}

static void
test_installed_dev_names(void **state)
{
    (void)state;
    struct bsn_result *r = lt_scan("php", "installed-json-syft-composer-v2", "installed.json",
                                   "var/www/vendor/composer/installed.json");
    assert_true(lt_find(r, "composer", "behat/mink", "v1.8.1")->dev);
    assert_false(lt_find(r, "composer", "asm89/stack-cors", "1.3.0")->dev);
    bsn_result_free(r);
    /* a package's own composer.lock under vendor/ is not what is installed */
    r = lt_scan("php", "composer-lock-trivy-happy-path", "composer.lock",
                "var/www/vendor/guzzlehttp/guzzle/composer.lock");
    assert_int_equal(r->n_packages, 0);
    bsn_result_free(r);
    /* installed.json elsewhere is not composer's */
    r = lt_scan("php", "installed-json-syft-composer-v2", "installed.json", "etc/installed.json");
    assert_int_equal(r->n_packages, 0);
    bsn_result_free(r);
}

static void
test_composer_json(void **state)
{
    (void)state;
    /* composer.json beside composer.lock names the direct dependencies (trivy's join) */
    struct bsn_result *r = lt_scan_with(
        "php", "composer-lock-trivy-happy-path", "composer.lock", "srv/app/composer.lock",
        "srv/app/composer.json",
        "{\"require\": {\"php\": \">=7.4\", \"ext-json\": \"*\", "
        "\"Guzzlehttp/Guzzle\": \"^6.5\"}, \"require-dev\": {\"pear/log\": \"^1.13\"}}");
    assert_int_equal(lt_count(r, "composer"), 10);
    static const char *const direct[] = { "guzzlehttp/guzzle", "pear/log" };
    lt_expect_direct(r, "composer", direct, 2);
    assert_true(lt_find(r, "composer", "pear/log", "1.13.3")->dev);
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
    /* a composer.json elsewhere changes nothing; a broken one is no diagnostic */
    r = lt_scan_with("php", "composer-lock-trivy-happy-path", "composer.lock",
                     "srv/app/composer.lock", "srv/other/composer.json", "{\"require\": {");
    for (size_t i = 0; i < r->n_packages; i++)
        assert_int_equal(r->packages[i].dep, BSN_DEP_UNKNOWN);
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
}

static void
test_composer1_installed(void **state)
{
    (void)state;
    char dir[] = "/tmp/bsn-composer-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char disk[256];
    snprintf(disk, sizeof(disk), "%s/installed.json", dir);
    FILE *f = fopen(disk, "wb");
    assert_non_null(f);
    fputs("[{\"name\":\"monolog/monolog\",\"version\":\"1.27.1\",\"license\":\"MIT\"},"
          "{\"name\":\"broken\"}]", f);
    fclose(f);
    const char *imgs[1] = { "app/vendor/composer/installed.json" };
    const char *disks[1] = { disk };
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    struct bsn_result *r = NULL;
    assert_int_equal(bsn_scan_files(1, imgs, disks, &o, &r, &err), BSN_OK);
    assert_int_equal(lt_count(r, "composer"), 1);
    assert_string_equal(r->packages[0].purl, "pkg:composer/monolog/monolog@1.27.1");
    assert_string_equal(r->packages[0].licenses[0], "MIT");
    assert_int_equal(r->n_diags, 1); /* the entry without a version */
    bsn_result_free(r);
    unlink(disk);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_composer_golden),
        cmocka_unit_test(test_installed_dev_names),
        cmocka_unit_test(test_composer_json),
        cmocka_unit_test(test_composer1_installed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
