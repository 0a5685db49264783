/*
 * Oracle ELSA importer on the real OVAL samples of tests/data/feeds/oracle/sample:
 * ELSA-2007-0057 (bind, OL5, epoch 30, two CVEs) and vunnel's per-arch excerpt (ELSA-2022-4803
 * rsyslog with different fixes for x86_64 and aarch64 on OL7), plus an inline definition
 * with a module stream, a Ksplice-only definition dropped and one without an ELSA id skipped
 * and named.
 */
#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_oracle_elsa;

static char *
slurp(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", BSN_TEST_DATA, rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static const char inline_defs[] =
    "<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\">"
    "<!-- com.oracle.elsa --><definitions>"
    "<definition id=\"oval:com.oracle.elsa:def:1\"><metadata><title>ELSA-2099-1: hivex</title>"
    "<reference source=\"elsa\" ref_id=\"ELSA-2099-1\"/><advisory><severity>LOW</severity>"
    "</advisory></metadata><criteria operator=\"AND\">"
    "<criterion comment=\"Oracle Linux 8 is installed\"/>"
    "<criterion comment=\"Module virt:kvm_utils is enabled\"/>"
    "<criterion comment=\"hivex is earlier than 0:1.3.18-21.module+el8.7.0\"/></criteria>"
    "</definition>"
    "<definition id=\"oval:com.oracle.elsa:def:2\"><metadata><title>ELSA-2099-2 ksplice</title>"
    "<reference source=\"elsa\" ref_id=\"ELSA-2099-2\"/></metadata><criteria operator=\"AND\">"
    "<criterion comment=\"Oracle Linux 8 is installed\"/>"
    "<criterion comment=\"openssl is earlier than 2:1.1.1g-15.ksplice1.el8_3\"/>"
    "<criterion comment=\"openssl is ksplice-based\"/></criteria></definition>"
    "<definition id=\"oval:com.oracle.elsa:def:3\"><metadata><title>no id</title></metadata>"
    "</definition></definitions></oval_definitions>";

static void
test_oracle(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_oracle_elsa, "oracle/ELSA-2007-0057.xml",
              slurp("feeds/oracle/sample/aquasecurity-vuln-list-update-fixtures/oracle/"
                    "ELSA-2007-0057.xml"));
    const struct imp_adv *a = ft_adv(im, "ELSA-2007-0057");
    assert_non_null(a);
    assert_string_equal(a->adv.severity, "MEDIUM");
    assert_string_equal(a->adv.published, "2007-06-26");
    assert_true(ft_has_alias(a, "CVE-2007-0493"));
    assert_true(ft_has_alias(a, "CVE-2007-0494"));
    const struct bsn_adv_affected *f = ft_aff(a, "oracle:5", "bind", NULL);
    assert_string_equal(f->fixed, "30:9.3.3-8.el5");
    assert_null(f->arch);
    assert_int_equal(a->n_aff, 8);

    ft_import(im, &bsn_feed_oracle_elsa, "oracle/mock_per_arch_data.xml",
              slurp("feeds/oracle/sample/anchore-vunnel-fixtures/oracle/mock_per_arch_data.xml"));
    a = ft_adv(im, "ELSA-2022-4803");
    assert_non_null(a);
    size_t seen = 0;
    for (size_t i = 0; i < a->n_aff; i++) {
        if (strcmp(a->aff[i].package, "rsyslog") != 0)
            continue;
        assert_string_equal(a->aff[i].namespace, "oracle:7");
        assert_non_null(a->aff[i].arch);
        if (strcmp(a->aff[i].arch, "x86_64") == 0) {
            assert_string_equal(a->aff[i].fixed, "0:8.24.0-57.0.1.el7_9.3");
            seen |= 1;
        } else if (strcmp(a->aff[i].arch, "aarch64") == 0) {
            assert_string_equal(a->aff[i].fixed, "0:8.24.0-57.0.4.el7_9.3");
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
    assert_int_equal(w.n, 0);

    ft_import(im, &bsn_feed_oracle_elsa, "elsa.xml", inline_defs);
    f = ft_aff(ft_adv(im, "ELSA-2099-1"), "oracle:8", "hivex", NULL);
    assert_string_equal(f->module, "virt:kvm_utils");
    assert_string_equal(f->severity, "LOW");
    assert_null(ft_adv(im, "ELSA-2099-2"));
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.msg[0], "oval:com.oracle.elsa:def:3"));
    bsn_vdb_import_free(im);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
