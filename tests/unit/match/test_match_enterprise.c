/*
 * rpm module stream rules of the matcher (match_enterprise.c): Red Hat rows by their stream,
 * AlmaLinux/Rocky rows by the module build tag of the fixed EVR and the stream their title
 * names, non-modular rpms against module fixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "match/match_enterprise.h"

static bool
ok(const char *label, const char *row_module, const char *fixed, const char *title)
{
    struct bsn_package p = { .name = "nodejs", .type = "rpm", .module = label };
    struct bsn_adv adv = { .id = "X", .summary = title };
    struct bsn_adv_affected aff = { .namespace = "alma:8", .package = "nodejs",
                                    .module = row_module, .fixed = fixed };
    return bsn_match_rpm_module_ok(&p, &adv, &aff);
}

static void
test_streams(void **state)
{
    (void)state;
    const char *l18 = "nodejs:18:8070020230306170042:ad008a3a";
    const char *fx18 = "1:18.20.2-1.module_el8.9.0+3828+c9fa9644";
    /* Red Hat: the row names its stream */
    assert_true(ok(l18, "nodejs:18", NULL, NULL));
    assert_false(ok(l18, "nodejs:20", NULL, NULL));
    assert_false(ok(l18, "nodejs:1", NULL, NULL));
    assert_false(ok(NULL, "nodejs:18", NULL, NULL));
    /* AlmaLinux / Rocky: module tag in the EVR, stream in the title */
    assert_true(ok(l18, NULL, fx18, "Important: nodejs:18 security update"));
    assert_false(ok(l18, NULL, "1:20.12.2-2.module_el8.9.0+3827+11b91f3e",
                    "Important: nodejs:20 security update"));
    assert_true(ok(l18, NULL, fx18, "Important: nodejs security update"));
    assert_true(ok(l18, NULL, "0:2.7.6-4.module+el8.3.0+53+ea062990", NULL));
    assert_false(ok(l18, NULL, "1:18.20.2-1.el8", "nodejs:18 security update"));
    assert_false(ok(l18, NULL, NULL, NULL));
    /* non-modular packages */
    assert_true(ok(NULL, NULL, "1:3.0.7-27.el9", NULL));
    assert_true(ok(NULL, NULL, NULL, NULL));
    assert_false(ok(NULL, NULL, fx18, "nodejs:18 security update"));
    assert_true(ok("", NULL, "1:3.0.7-27.el9", NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
