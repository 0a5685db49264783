/*
 * Wolfi importer on excerpts of wolfi-dev/advisories (schema 2.0.2) and the secdb JSON: the
 * last event decides (fixed, false-positive, fix-not-planned, pending-upstream-fix,
 * detection), aliases kept, secdb rows in namespace wolfi (chainguard for cgr.dev), advisories
 * without an id or with a fixed event without a version skipped and named.
 */
#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_wolfi;

static const char advisories[] =
    "schema-version: 2.0.2\n"
    "\n"
    "package:\n"
    "  name: fd\n"
    "\n"
    "advisories:\n"
    "  - id: CGA-xfq7-jmxq-8333\n"
    "    aliases:\n"
    "      - GHSA-pg9f-39pc-qf8g\n"
    "    events:\n"
    "      - timestamp: 2025-04-12T09:09:45Z\n"
    "        type: detection\n"
    "        data: {type: scan/v1}\n"
    "      - timestamp: 2025-04-14T12:23:27Z\n"
    "        type: fixed\n"
    "        data:\n"
    "          fixed-version: 10.2.0-r2\n"
    "  - id: CGA-aaaa-bbbb-cccc\n"
    "    aliases: [CVE-2023-1, GHSA-x]\n"
    "    events:\n"
    "      - timestamp: 2025-01-01T00:00:00Z\n"
    "        type: false-positive-determination\n"
    "        data: {type: vulnerable-code-not-included-in-package}\n"
    "  - id: CGA-dddd-eeee-ffff\n"
    "    events:\n"
    "      - {timestamp: 2025-01-01T00:00:00Z, type: fix-not-planned}\n"
    "  - id: CGA-gggg-hhhh-iiii\n"
    "    events:\n"
    "      - {timestamp: 2025-01-02T00:00:00Z, type: pending-upstream-fix}\n"
    "  - id: CGA-jjjj-kkkk-llll\n"
    "    events:\n"
    "      - {timestamp: 2025-01-03T00:00:00Z, type: fixed, data: {}}\n"
    "  - aliases: [CVE-2024-1]\n";

static const char secdb[] =
    "{\"apkurl\": \"{{urlprefix}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk\","
    " \"archs\": [\"x86_64\"], \"reponame\": \"os\", \"urlprefix\": \"https://packages.wolfi.dev\","
    " \"packages\": [{\"pkg\": {\"name\": \"binutils\", \"secfixes\": {\"2.39-r1\": "
    "[\"CVE-2022-38126\"]}}}, {\"pkg\": {\"name\": \"coreutils\", \"secfixes\": {\"0\": "
    "[\"CVE-2016-2781\"]}}}]}";

static void
test_wolfi(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_wolfi, "advisories/fd.advisories.yaml", advisories);
    ft_import(im, &bsn_feed_wolfi, "os/security.json", secdb);

    const struct imp_adv *a = ft_adv(im, "CGA-xfq7-jmxq-8333");
    const struct bsn_adv_affected *f = ft_aff(a, "wolfi", "fd", NULL);
    assert_non_null(f);
    assert_string_equal(f->scheme, "apk");
    assert_string_equal(f->range, "osv:introduced=0;fixed=10.2.0-r2");
    assert_string_equal(f->fixed, "10.2.0-r2");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_true(ft_has_alias(a, "GHSA-pg9f-39pc-qf8g"));
    assert_string_equal(a->adv.modified, "2025-04-14T12:23:27Z");

    a = ft_adv(im, "CGA-aaaa-bbbb-cccc");
    assert_non_null(a);
    assert_int_equal(a->n_aff, 0);
    assert_true(ft_has_alias(a, "CVE-2023-1"));
    f = ft_aff(ft_adv(im, "CGA-dddd-eeee-ffff"), "wolfi", "fd", "osv:introduced=0");
    assert_int_equal(f->status, BSN_STATUS_WILL_NOT_FIX);
    f = ft_aff(ft_adv(im, "CGA-gggg-hhhh-iiii"), "wolfi", "fd", "osv:introduced=0");
    assert_int_equal(f->status, BSN_STATUS_NOT_FIXED);
    assert_null(ft_adv(im, "CGA-jjjj-kkkk-llll"));

    f = ft_aff(ft_adv(im, "CVE-2022-38126"), "wolfi", "binutils", NULL);
    assert_string_equal(f->fixed, "2.39-r1");
    assert_int_equal(ft_adv(im, "CVE-2016-2781")->n_aff, 0);

    assert_int_equal(bsn_vdb_import_records(im, "wolfi"), 6);
    assert_int_equal(w.n, 2);
    assert_non_null(strstr(w.msg[0], "CGA-jjjj-kkkk-llll: fixed event without a fixed-version"));
    assert_non_null(strstr(w.msg[1], "fd advisories[5]: advisory without an id"));
    bsn_vdb_import_free(im);

    im = bsn_vdb_import_new(NULL, NULL);
    ft_import(im, &bsn_feed_wolfi, "chainguard/security.json",
              "{\"apkurl\": \"x\", \"urlprefix\": \"https://packages.cgr.dev/chainguard\","
              " \"packages\": [{\"pkg\": {\"name\": \"go\", \"secfixes\": {\"1.2-r0\": "
              "[\"CVE-2020-1\"]}}}]}");
    assert_non_null(ft_aff(ft_adv(im, "CVE-2020-1"), "chainguard", "go", NULL));
    bsn_vdb_import_free(im);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wolfi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
