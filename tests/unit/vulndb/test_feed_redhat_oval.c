/*
 * Red Hat OVAL importer: the real v2 "unpatched" excerpt of tests/data/feeds/redhat/sample
 * (CVE-2021-35937, rpm and 15 more packages "Affected" on RHEL 8, severity Moderate), and an
 * inline v1-style RHSA definition with a fixed EVR, CVE aliases, a module stream, a "Will not
 * fix" component, and a definition without references skipped and named.
 */
#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_redhat_oval;

static const char defs[] =
    "<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\">"
    "<definitions><definition class=\"patch\" id=\"oval:com.redhat.rhsa:def:20190980\">"
    "<metadata><title>RHSA-2019:0980: httpd:2.4 security update (Important)</title>"
    "<reference ref_id=\"RHSA-2019:0980\" source=\"RHSA\"/>"
    "<reference ref_id=\"CVE-2019-0211\" source=\"CVE\"/>"
    "<advisory><severity>Important</severity><issued date=\"2019-05-07\"/></advisory>"
    "</metadata><criteria operator=\"OR\">"
    "<criterion comment=\"Red Hat Enterprise Linux must be installed\"/>"
    "<criteria operator=\"AND\"><criterion comment=\"Red Hat Enterprise Linux 8 is installed\"/>"
    "<criterion comment=\"Module httpd:2.4 is enabled\"/>"
    "<criteria operator=\"OR\"><criteria operator=\"AND\">"
    "<criterion comment=\"mod_ssl is earlier than 1:2.4.37-11.module+el8.0.0+2969+90015743\"/>"
    "<criterion comment=\"mod_ssl is signed with Red Hat redhatrelease2 key\"/>"
    "</criteria></criteria></criteria></criteria></definition>"
    "<definition class=\"vulnerability\" id=\"oval:com.redhat.cve:def:1\"><metadata>"
    "<reference ref_id=\"CVE-2005-2541\" source=\"CVE\"/><advisory><severity>Low</severity>"
    "<affected><resolution state=\"Will not fix\"><component>tar</component></resolution>"
    "</affected><affected_cpe_list><cpe>cpe:/o:redhat:enterprise_linux:9</cpe>"
    "</affected_cpe_list></advisory></metadata><criteria operator=\"AND\">"
    "<criterion comment=\"tar is installed\"/><criterion comment=\"tar-x is not installed\"/>"
    "</criteria></definition>"
    "<definition class=\"patch\" id=\"oval:com.redhat.rhsa:def:2\"><metadata/></definition>"
    "</definitions></oval_definitions>";

static void
test_oval(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    char path[1024];
    snprintf(path, sizeof(path), "%s/feeds/redhat/sample/quay-claircore-fixtures/oval/"
             "v2-excerpt/rhel-8-rpm-unpatched.xml", BSN_TEST_DATA);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    ft_import(im, &bsn_feed_redhat_oval, "oval/v2/rhel-8-rpm-unpatched.xml", buf);
    const struct imp_adv *a = ft_adv(im, "CVE-2021-35937");
    assert_non_null(a);
    assert_string_equal(a->adv.severity, "MEDIUM");
    assert_int_equal(a->n_aff, 16);
    const struct bsn_adv_affected *f = ft_aff(a, "rhel:8", "rpm", NULL);
    assert_non_null(f);
    assert_int_equal(f->status, BSN_STATUS_AFFECTED);
    assert_null(f->fixed);

    ft_import(im, &bsn_feed_redhat_oval, "com.redhat.rhsa-RHEL8.xml", defs);
    a = ft_adv(im, "RHSA-2019:0980");
    assert_true(ft_has_alias(a, "CVE-2019-0211"));
    f = ft_aff(a, "rhel:8", "mod_ssl", NULL);
    assert_string_equal(f->fixed, "1:2.4.37-11.module+el8.0.0+2969+90015743");
    assert_string_equal(f->module, "httpd:2.4");
    assert_string_equal(f->severity, "HIGH");
    assert_int_equal(a->n_aff, 1);
    f = ft_aff(ft_adv(im, "CVE-2005-2541"), "rhel:9", "tar", NULL);
    assert_int_equal(f->status, BSN_STATUS_WILL_NOT_FIX);
    assert_null(ft_aff(ft_adv(im, "CVE-2005-2541"), "rhel:9", "tar-x", NULL));
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.msg[0], "oval:com.redhat.rhsa:def:2"));
    bsn_vdb_import_free(im);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
