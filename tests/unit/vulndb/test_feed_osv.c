/*
 * OSV importer on small records written after real ones (GHSA log4j, a PyPA YAML record, a
 * Debian DSA with "related" CVEs, an Ubuntu Pro record): ranges in event order, one row per
 * range, GIT ranges dropped, versions-only entries, PEP 503 names, distro statuses, severities
 * from database_specific / "Ubuntu" severity, CVSS scores, withdrawn records dropped, malformed
 * records skipped with a warning naming file and record, and detection.
 */
#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_osv;

static const char ghsa[] =
    "{\"schema_version\":\"1.4.0\",\"id\":\"GHSA-jfh8-c2jp-5v3q\","
    "\"modified\":\"2022-03-25T20:56:18Z\",\"published\":\"2021-12-10T00:40:56Z\","
    "\"aliases\":[\"CVE-2021-44228\"],\"summary\":\"Remote code injection in Log4j\","
    "\"details\":\"…\",\"severity\":[{\"type\":\"CVSS_V3\","
    "\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\"}],"
    "\"affected\":[{\"package\":{\"ecosystem\":\"Maven\","
    "\"name\":\"org.apache.logging.log4j:log4j-core\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
    "\"events\":[{\"introduced\":\"2.13.0\"},{\"fixed\":\"2.15.0\"}]},{\"type\":\"GIT\","
    "\"repo\":\"https://x\",\"events\":[{\"introduced\":\"abc\"}]}]},"
    "{\"package\":{\"ecosystem\":\"Maven\",\"name\":\"org.apache.logging.log4j:log4j-core\"},"
    "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.4\"},"
    "{\"fixed\":\"2.12.2\"}]}]},"
    "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"only-versions\"},"
    "\"versions\":[\"1.0.0\",\"1.0.1\"]}],"
    "\"references\":[{\"type\":\"WEB\",\"url\":\"https://logging.apache.org\"}],"
    "\"database_specific\":{\"cwe_ids\":[\"CWE-502\",\"CWE-917\"],\"severity\":\"CRITICAL\"}}";

static const char pypa[] =
    "id: PYSEC-2020-341\n"
    "details: a long description\n"
    "aliases:\n- CVE-2020-1234\n"
    "modified: '2021-01-01T00:00:00Z'\n"
    "affected:\n- package:\n    name: Jw.Util\n    ecosystem: PyPI\n"
    "  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: \"2.3\"\n"
    "  versions:\n  - '1.0'\n";

static const char dsa[] =
    "{\"schema_version\":\"1.6.0\",\"id\":\"DSA-5494-1\",\"modified\":\"2023-09-01T00:00:00Z\","
    "\"summary\":\"mutt - security update\",\"related\":[\"CVE-2023-4874\",\"CVE-2023-4875\"],"
    "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"mutt\"},"
    "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},"
    "{\"fixed\":\"2.2.9-1+deb12u1\"}]}]}]}";

static const char ubuntu[] =
    "{\"schema_version\":\"1.6.3\",\"id\":\"UBUNTU-CVE-2022-24823\","
    "\"modified\":\"2024-01-01T00:00:00Z\","
    "\"severity\":[{\"type\":\"Ubuntu\",\"score\":\"medium\"}],"
    "\"affected\":[{\"package\":{\"ecosystem\":\"Ubuntu:Pro:14.04:LTS\",\"name\":\"netty\"},"
    "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}],"
    "\"ecosystem_specific\":{\"ubuntu_priority\":\"low\"}}]}";

static const char withdrawn[] =
    "{\"schema_version\":\"1.3.1\",\"id\":\"GO-2020-0001\",\"modified\":\"0001-01-01T00:00:00Z\","
    "\"withdrawn\":\"2021-01-01T00:00:00Z\",\"affected\":[]}";

static void
test_import(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_osv, "a/GHSA-jfh8-c2jp-5v3q.json", ghsa);
    ft_import(im, &bsn_feed_osv, "vulns/jw.util/PYSEC-2020-341.yaml", pypa);
    ft_import(im, &bsn_feed_osv, "DSA/2023/DSA-5494-1.json", dsa);
    ft_import(im, &bsn_feed_osv, "osv/cve/UBUNTU-CVE-2022-24823.json", ubuntu);
    ft_import(im, &bsn_feed_osv, "GO-2020-0001.json", withdrawn);
    ft_import(im, &bsn_feed_osv, "bad1.json", "{\"id\":\"X-1\",\"modified\":\"x\",");
    ft_import(im, &bsn_feed_osv, "bad2.json", "{\"id\":\"X-2\",\"modified\":\"x\",\"affected\":3}");
    assert_int_equal(im->n_advs, 4);
    assert_int_equal(bsn_vdb_import_records(im, "osv"), 4);
    assert_int_equal(bsn_vdb_import_skipped(im, "osv"), 2);
    assert_int_equal(w.n, 2);
    assert_non_null(strstr(w.msg[0], "bad1.json: record: invalid JSON"));
    assert_non_null(strstr(w.msg[1], "bad2.json: X-2: \"affected\" is not a list"));
    assert_null(ft_adv(im, "GO-2020-0001"));

    const struct imp_adv *a = ft_adv(im, "GHSA-jfh8-c2jp-5v3q");
    assert_non_null(a);
    assert_int_equal(a->n_aff, 3); /* two ranges + versions-only; the GIT range is dropped */
    const char *pkg = "org.apache.logging.log4j:log4j-core";
    const struct bsn_adv_affected *f =
        ft_aff(a, "maven", pkg, "osv:introduced=2.13.0;fixed=2.15.0");
    assert_non_null(f);
    assert_string_equal(f->scheme, "maven");
    assert_string_equal(f->fixed, "2.15.0");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_non_null(ft_aff(a, "maven", pkg, "osv:introduced=2.4;fixed=2.12.2"));
    f = ft_aff(a, "npm", "only-versions", "osv:version=1.0.0;version=1.0.1");
    assert_non_null(f);
    assert_int_equal(f->status, BSN_STATUS_AFFECTED);
    assert_null(f->fixed);
    assert_string_equal(a->adv.severity, "CRITICAL");
    assert_int_equal(a->adv.n_cwes, 2);
    assert_int_equal(a->adv.n_cvss, 1);
    assert_string_equal(a->adv.cvss[0].source, "ghsa");
    assert_string_equal(a->adv.cvss[0].version, "3.1");
    assert_true(a->adv.cvss[0].score > 9.99);
    assert_true(ft_has_alias(a, "CVE-2021-44228"));
    assert_string_equal(a->adv.references[0], "https://logging.apache.org");

    a = ft_adv(im, "PYSEC-2020-341");
    f = ft_aff(a, "pypi", "jw-util", "osv:introduced=0;fixed=2.3");
    assert_non_null(f);
    assert_string_equal(f->scheme, "pep440");
    assert_int_equal(a->n_aff, 1); /* versions list redundant with the range */
    assert_string_equal(a->adv.description, "a long description");

    a = ft_adv(im, "DSA-5494-1");
    f = ft_aff(a, "debian:12", "mutt", NULL);
    assert_non_null(f);
    assert_string_equal(f->scheme, "deb");
    assert_string_equal(f->fixed, "2.2.9-1+deb12u1");
    assert_true(ft_has_alias(a, "CVE-2023-4874"));
    assert_true(ft_has_alias(a, "CVE-2023-4875"));

    a = ft_adv(im, "UBUNTU-CVE-2022-24823");
    f = ft_aff(a, "ubuntu:14.04:esm", "netty", "osv:introduced=0");
    assert_non_null(f);
    assert_int_equal(f->status, BSN_STATUS_NOT_FIXED);
    assert_string_equal(f->severity, "LOW");
    assert_string_equal(a->adv.severity, "MEDIUM");
    bsn_vdb_import_free(im);
}

static void
test_detect(void **state)
{
    (void)state;
    const struct bsn_feed *f = &bsn_feed_osv;
#define D(path, text) f->detect(path, (const unsigned char *)(text), strlen(text))
    assert_true(D("x/GHSA-1.json", ghsa));
    assert_true(D("x/PYSEC-1.yaml", pypa));
    assert_false(D("x/index.json", "[\"GHSA-1\"]"));
    assert_false(D("errata.full.json", "{\"data\":[{\"id\":\"ALSA-1\",\"modified\":1}]}"));
    assert_false(D("errata.full.json", "{\"schema_version\":\"1.0\",\"data\":[{\"id\":\"A-1\","
                                       "\"severity\":\"None\"}]}"));
    assert_true(D("x.json", "{\"schema_version\":\"1.6.0\",\"aliases\":[\"{\\\"\"],"
                            "\"id\":\"DSA-1\"}"));
    assert_false(D("CVE-2021-1.json", "{\"dataType\":\"CVE_RECORD\",\"id\":1,\"modified\":2}"));
    assert_false(D("1.json", "{\"id\":1,\"module_name\":\"x\",\"vulnerable_versions\":\"*\"}"));
    assert_false(D("x.advisories.yaml", "schema-version: 2\npackage:\n  name: x\n"));
    assert_false(D("README.md", "# id: x\nmodified: y\n"));
#undef D
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import),
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
