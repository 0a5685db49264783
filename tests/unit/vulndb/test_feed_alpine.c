/*
 * Alpine secdb importer on excerpts of v3.19/main.json and the old v3.9/main.yaml: one
 * advisory per CVE, one apk row per (origin, fixed version) in alpine:<release>, the "0"
 * convention (advisory kept, no row), extra words as aliases, the "CVE 2018-16859" typo,
 * release from distroversion or the path, an empty repository, malformed entries named.
 */
#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_alpine_secdb;

static const char json_doc[] =
    "{\"apkurl\": \"{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}.apk\","
    " \"archs\": [\"x86_64\"], \"reponame\": \"main\", \"distroversion\": \"v3.19\","
    " \"packages\": ["
    "  {\"pkg\": {\"name\": \"aom\", \"secfixes\": {\"3.1.1-r0\": [\"CVE-2021-30473\","
    "   \"CVE-2021-30474\"]}}},"
    "  {\"pkg\": {\"name\": \"busybox\", \"secfixes\": {\"0\": [\"CVE-2021-42377\"],"
    "   \"1.36.1-r2\": [\"CVE-2022-48174 ALPINE-14000\"]}}},"
    "  {\"pkg\": {\"name\": \"openssl\", \"secfixes\": {\"3.1.4-r1\": [\"CVE-2023-5678\"],"
    "   \"bad version\": [\"CVE-2023-0001\"], \"3.1.4-r3\": \"CVE-2023-6129\"}}},"
    "  {\"pkg\": {\"secfixes\": {}}}"
    " ]}";

static const char yaml_doc[] = "---\n"
                               "distroversion: v3.9\n"
                               "reponame: main\n"
                               "packages:\n"
                               "  - pkg:\n"
                               "      name: ansible\n"
                               "      secfixes:\n"
                               "        2.7.3-r0:\n"
                               "          - CVE 2018-16859\n"
                               "        2.7.1-r0:\n"
                               "          - CVE-2018-16837\n";

static const char no_release[] = "{\"apkurl\": \"{{distroversion}}/x\", \"reponame\": \"main\", "
                                 "\"packages\": "
                                 "[{\"pkg\": {\"name\": \"zlib\", \"secfixes\": {\"1.2.12-r0\":"
                                 " [\"CVE-2018-25032\"]}}}]}";

static void
test_secdb(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_alpine_secdb, "secdb/v3.19/main.json", json_doc);
    ft_import(im, &bsn_feed_alpine_secdb, "alpine-secdb/v3.9/main.yaml", yaml_doc);
    ft_import(im, &bsn_feed_alpine_secdb, "mirror/3.17/main.json", no_release);
    ft_import(im, &bsn_feed_alpine_secdb, "v3.3/community.yaml",
              "---\ndistroversion: v3.3\nreponame: community\narchs: [x86]\npackages:\n");

    const struct bsn_adv_affected *f =
        ft_aff(ft_adv(im, "CVE-2021-30473"), "alpine:3.19", "aom", NULL);
    assert_non_null(f);
    assert_string_equal(f->scheme, "apk");
    assert_string_equal(f->range, "osv:introduced=0;fixed=3.1.1-r0");
    assert_string_equal(f->fixed, "3.1.1-r0");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_non_null(ft_aff(ft_adv(im, "CVE-2021-30474"), "alpine:3.19", "aom", NULL));

    const struct imp_adv *a = ft_adv(im, "CVE-2021-42377");
    assert_non_null(a);
    assert_int_equal(a->n_aff, 0);
    a = ft_adv(im, "CVE-2022-48174");
    assert_true(ft_has_alias(a, "ALPINE-14000"));
    assert_non_null(ft_aff(a, "alpine:3.19", "busybox", "osv:introduced=0;fixed=1.36.1-r2"));

    assert_non_null(ft_aff(ft_adv(im, "CVE-2018-16859"), "alpine:3.9", "ansible", NULL));
    assert_non_null(ft_aff(ft_adv(im, "CVE-2018-16837"), "alpine:3.9", "ansible", NULL));
    assert_non_null(ft_aff(ft_adv(im, "CVE-2018-25032"), "alpine:3.17", "zlib", NULL));
    assert_null(ft_adv(im, "CVE-2023-0001"));
    assert_null(ft_adv(im, "CVE-2023-6129"));

    assert_int_equal(bsn_vdb_import_records(im, "alpine-secdb"), 8);
    assert_int_equal(w.n, 3);
    assert_non_null(strstr(w.msg[0], "main.json: openssl: malformed fixed version 'bad version'"));
    assert_non_null(strstr(w.msg[1], "main.json: openssl 3.1.4-r3: fix list is not a list"));
    assert_non_null(strstr(w.msg[2], "main.json: packages[3]: package without a name"));
    bsn_vdb_import_free(im);
}

static void
test_detect(void **state)
{
    (void)state;
    const struct bsn_feed *f = &bsn_feed_alpine_secdb;
#define D(path, text) f->detect(path, (const unsigned char *)(text), strlen(text))
    assert_true(D("v3.19/main.json", json_doc));
    assert_true(D("v3.9/main.yaml", yaml_doc));
    assert_false(D("security.json", "{\"apkurl\": \"x\", \"urlprefix\": "
                                    "\"https://packages.wolfi.dev\", \"packages\": []}"));
    assert_false(D("x.json", "{\"id\": \"GHSA-1\", \"modified\": \"x\"}"));
#undef D
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secdb),
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
