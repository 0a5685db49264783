/*
 * pnpm-lock.yaml analyzer through bsn_scan_files: every tests/data/javascript pnpm case
 * (lockfile 5.4, 6.0 and 9.0, tarball/file packages, workspaces, cycles, multi-document)
 * checked completely against expected.json, and the one decision that differs from trivy.
 */
#include "langtext_golden.h"

static void
test_pnpm_golden(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "pnpm-lock-trivy-archives",
        "pnpm-lock-trivy-v9",
        "pnpm-lock-trivy-v9-with-cyclic-dependencies-import",
        "pnpm-lock-trivy-v9-with-multiple-documents",
        "pnpm-lock-trivy-v9-with-same-package-at-different-versions-across-importers",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lt_case c = { .kind = "javascript", .name = cases[i], .analyzer = "pnpm",
                             .type = "npm" };
        lt_check(&c);
    }
    /*
     * trivy drops the "dev: true" packages of 5.x/6.x lockfiles but reports 9.x dev packages
     * (flagged dev). bosun reports dev packages of every version, flagged dev: here the 79
     * packages that only mocha (a devDependency) pulls in, beside trivy's 6.
     */
    static const char *const dev_cases[] = {
        "pnpm-lock-trivy-v6-with-dev-deps",
        "pnpm-lock-trivy-with-dev-deps",
    };
    for (size_t i = 0; i < sizeof(dev_cases) / sizeof(dev_cases[0]); i++) {
        struct lt_case c = { .kind = "javascript", .name = dev_cases[i], .analyzer = "pnpm",
                             .type = "npm", .extra_dev = 79 };
        lt_check(&c);
    }
    assert_int_equal(lt_cases("javascript", "pnpm-lock-"), 7);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pnpm_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
