/*
 * Photon importer: entries shaped like cve_data_photon3.0.json (status "Fixed" / "Not
 * Affected") and 5.0 (no status), release from the file name, entries of one CVE merged, CVSS
 * band severity, entries without a CVE skipped and named; plus the real vuls excerpt of
 * tests/data/feeds/photon/sample (apache-ant CVE-2020-1945 fixed in 1.10.8-1.ph1).
 */
#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_photon;

static void
test_photon(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_photon, "photon_cve_metadata/cve_data_photon3.0.json",
              "[{\"aff_ver\": \"all versions before 8.0.2-1.ph3 are vulnerable\","
              " \"cve_id\": \"CVE-2005-1704\", \"cve_score\": 4.6, \"pkg\": \"crash\","
              " \"res_ver\": \"8.0.2-1.ph3\", \"status\": \"Fixed\"},"
              " {\"aff_ver\": \"NA\", \"cve_id\": \"CVE-2000-0546\", \"cve_score\": 5.0,"
              " \"pkg\": \"krb5\", \"res_ver\": \"NA\", \"status\": \"Not Affected\"},"
              " {\"pkg\": \"x\", \"res_ver\": \"1-1.ph3\"}]");
    ft_import(im, &bsn_feed_photon, "photon_cve_metadata/cve_data_photon5.0.json",
              "[{\"aff_ver\": \"all versions before 8.0.2-1.ph5 are vulnerable\","
              " \"cve_id\": \"CVE-2005-1704\", \"cve_score\": 4.6, \"pkg\": \"crash-devel\","
              " \"res_ver\": \"8.0.2-1.ph5\"}]");
    const struct imp_adv *a = ft_adv(im, "CVE-2005-1704");
    assert_non_null(a);
    assert_string_equal(a->adv.severity, "MEDIUM");
    const struct bsn_adv_affected *f = ft_aff(a, "photon:3", "crash", NULL);
    assert_string_equal(f->fixed, "8.0.2-1.ph3");
    assert_string_equal(f->scheme, "rpm");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_string_equal(ft_aff(a, "photon:5", "crash-devel", NULL)->fixed, "8.0.2-1.ph5");
    assert_null(ft_adv(im, "CVE-2000-0546"));
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.msg[0], "entry 2"));

    char path[1024];
    snprintf(path, sizeof(path), "%s/feeds/photon/sample/vuls-data-update-fixtures/"
             "photon_cve_metadata/cve_data_photon1.0.json", BSN_TEST_DATA);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    ft_import(im, &bsn_feed_photon, "cve_data_photon1.0.json", buf);
    f = ft_aff(ft_adv(im, "CVE-2020-1945"), "photon:1", "apache-ant", NULL);
    assert_string_equal(f->fixed, "1.10.8-1.ph1");
    assert_false(bsn_feed_photon.detect("photon_versions.json", (const unsigned char *)"{}", 2));
    bsn_vdb_import_free(im);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
