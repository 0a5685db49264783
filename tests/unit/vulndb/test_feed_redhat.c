/*
 * Red Hat CSAF importer: an inline VEX document shaped like cve-2024-0727/cve-2024-7348 (fixed
 * EVR with epoch from the purl, Will not fix / Fix deferred / Out of support scope / Affected
 * statuses, impact severity, a module stream as a pkg:rpmmod component and as a ?rpmmod=
 * qualifier, a malformed qualifier skipped and named, EUS platforms left out), and the real
 * samples in tests/data/feeds/redhat/sample (libssh CVE-2026-0968, RHSA-2024:6163).
 */
#include <stdlib.h>

#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_redhat_csaf;

/* The document in pieces (C17 compilers need only support 4095-byte literals). */
static const char *const vex_parts[] = {
    "{\"document\": {\"category\": \"csaf_vex\", \"csaf_version\": \"2.0\","
    " \"publisher\": {\"name\": \"Red Hat Product Security\"},"
    " \"aggregate_severity\": {\"text\": \"Moderate\"},"
    " \"title\": \"openssl: test\", \"tracking\": {\"id\": \"CVE-2024-0727\","
    " \"current_release_date\": \"2025-11-21T14:32:00+00:00\"}},"
    "\"product_tree\": {\"branches\": [{\"category\": \"vendor\", \"name\": \"Red Hat\","
    " \"branches\": ["
    "  {\"category\": \"product_family\", \"name\": \"RHEL\", \"branches\": ["
    "   {\"category\": \"product_name\", \"name\": \"RHEL 8\", \"product\": {\"name\": \"x\","
    "    \"product_id\": \"red_hat_enterprise_linux_8\", \"product_identification_helper\":"
    "    {\"cpe\": \"cpe:/o:redhat:enterprise_linux:8\"}}},"
    "   {\"category\": \"product_name\", \"name\": \"RHEL 6\", \"product\": {\"name\": \"x\","
    "    \"product_id\": \"red_hat_enterprise_linux_6\", \"product_identification_helper\":"
    "    {\"cpe\": \"cpe:/o:redhat:enterprise_linux:6\"}}},"
    "   {\"category\": \"product_name\", \"name\": \"AppStream 9\", \"product\": {\"name\": \"x\","
    "    \"product_id\": \"AppStream-9.4.0.GA\", \"product_identification_helper\":"
    "    {\"cpe\": \"cpe:/a:redhat:enterprise_linux:9::appstream\"}}},"
    "   {\"category\": \"product_name\", \"name\": \"AppStream 8\", \"product\": {\"name\": \"x\","
    "    \"product_id\": \"AppStream-8.10.0.Z.MAIN\", \"product_identification_helper\":"
    "    {\"cpe\": \"cpe:/a:redhat:enterprise_linux:8::appstream\"}}},"
    "   {\"category\": \"product_name\", \"name\": \"EUS 9.2\", \"product\": {\"name\": \"x\","
    "    \"product_id\": \"AppStream-9.2.0.Z.EUS\", \"product_identification_helper\":"
    "    {\"cpe\": \"cpe:/a:redhat:rhel_eus:9.2::appstream\"}}}]},"
    "  {\"category\": \"architecture\", \"name\": \"x86_64\", \"branches\": ["
    "   {\"category\": \"product_version\", \"name\": \"o\", \"product\": {\"name\": \"o\","
    "    \"product_id\": \"openssl-1:3.0.7-27.el9.x86_64\", \"product_identification_helper\":"
    "    {\"purl\": \"pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&epoch=1\"}}},"
    "   {\"category\": \"product_version\", \"name\": \"o\", \"product\": {\"name\": \"o\","
    "    \"product_id\": \"openssl-1:3.0.7-20.el9_2.x86_64\", \"product_identification_helper\":"
    "    {\"purl\": \"pkg:rpm/redhat/openssl@3.0.7-20.el9_2?arch=x86_64&epoch=1\"}}},"
    "   {\"category\": \"product_version\", \"name\": \"p\", \"product\": {\"name\": \"p\","
    "    \"product_id\": \"pg_repack-0:1.4.6-3.module+el8.9.0+19330+c97ddbdf.x86_64\",",
    "    \"product_identification_helper\": {\"purl\":"
    "    \"pkg:rpm/redhat/pg_repack@1.4.6-3.module%2Bel8.9.0%2B19330%2Bc97ddbdf?arch=x86_64\"}}},"
    "   {\"category\": \"product_version\", \"name\": \"f\", \"product\": {\"name\": \"f\","
    "    \"product_id\": \"perl-FCGI-1:0.78-12.x86_64\", \"product_identification_helper\":"
    "    {\"purl\": \"pkg:rpm/redhat/perl-FCGI@0.78-12.module%2Bel8.10.0?arch=x86_64&epoch=1"
    "&rpmmod=perl-FCGI:0.78:8100020250604201935:58afc690\"}}}]},"
    "  {\"category\": \"product_version\", \"name\": \"m\", \"product\": {\"name\": \"m\","
    "   \"product_id\": \"postgresql:12:8100020240814102525:489197e6\","
    "   \"product_identification_helper\": {\"purl\":"
    "   \"pkg:rpmmod/redhat/postgresql@12:8100020240814102525:489197e6\"}}},"
    "  {\"category\": \"product_version\", \"name\": \"openssl\", \"product\": {\"name\": \"o\","
    "   \"product_id\": \"openssl\", \"product_identification_helper\":"
    "   {\"purl\": \"pkg:rpm/redhat/openssl\"}}},"
    "  {\"category\": \"product_version\", \"name\": \"edk2\", \"product\": {\"name\": \"e\","
    "   \"product_id\": \"edk2\", \"product_identification_helper\":"
    "   {\"purl\": \"pkg:rpm/redhat/edk2\"}}},"
    "  {\"category\": \"product_version\", \"name\": \"ff\", \"product\": {\"name\": \"ff\","
    "   \"product_id\": \"firefox-flatpak\", \"product_identification_helper\":"
    "   {\"purl\": \"pkg:rpm/redhat/firefox-flatpak?arch=src&rpmmod=rhel10\"}}}]}],"
    " \"relationships\": ["
    "  {\"category\": \"default_component_of\", \"product_reference\":"
    "   \"openssl-1:3.0.7-27.el9.x86_64\","
    "   \"relates_to_product_reference\": \"AppStream-9.4.0.GA\","
    "   \"full_product_name\": {\"name\": \"x\", \"product_id\":"
    "   \"AppStream-9.4.0.GA:openssl-1:3.0.7-27.el9.x86_64\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\":"
    "   \"openssl-1:3.0.7-20.el9_2.x86_64\", \"relates_to_product_reference\":"
    "   \"AppStream-9.2.0.Z.EUS\", \"full_product_name\": {\"name\": \"x\", \"product_id\":"
    "   \"AppStream-9.2.0.Z.EUS:openssl-1:3.0.7-20.el9_2.x86_64\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\": \"openssl\","
    "   \"relates_to_product_reference\": \"red_hat_enterprise_linux_8\", \"full_product_name\":"
    "   {\"name\": \"x\", \"product_id\": \"red_hat_enterprise_linux_8:openssl\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\": \"openssl\","
    "   \"relates_to_product_reference\": \"red_hat_enterprise_linux_6\", \"full_product_name\":",
    "   {\"name\": \"x\", \"product_id\": \"red_hat_enterprise_linux_6:openssl\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\": \"edk2\","
    "   \"relates_to_product_reference\": \"red_hat_enterprise_linux_8\", \"full_product_name\":"
    "   {\"name\": \"x\", \"product_id\": \"red_hat_enterprise_linux_8:edk2\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\": \"firefox-flatpak\","
    "   \"relates_to_product_reference\": \"red_hat_enterprise_linux_8\", \"full_product_name\":"
    "   {\"name\": \"x\", \"product_id\": \"red_hat_enterprise_linux_8:firefox-flatpak\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\":"
    "   \"perl-FCGI-1:0.78-12.x86_64\", \"relates_to_product_reference\":"
    "   \"AppStream-8.10.0.Z.MAIN\", \"full_product_name\": {\"name\": \"x\", \"product_id\":"
    "   \"AppStream-8.10.0.Z.MAIN:perl-FCGI-1:0.78-12.x86_64\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\":"
    "   \"postgresql:12:8100020240814102525:489197e6\", \"relates_to_product_reference\":"
    "   \"AppStream-8.10.0.Z.MAIN\", \"full_product_name\": {\"name\": \"x\", \"product_id\":"
    "   \"AppStream-8.10.0.Z.MAIN:postgresql:12:8100020240814102525:489197e6\"}},"
    "  {\"category\": \"default_component_of\", \"product_reference\":"
    "   \"pg_repack-0:1.4.6-3.module+el8.9.0+19330+c97ddbdf.x86_64\","
    "   \"relates_to_product_reference\":"
    "   \"AppStream-8.10.0.Z.MAIN:postgresql:12:8100020240814102525:489197e6\","
    "   \"full_product_name\": {\"name\": \"x\", \"product_id\": \"PG\"}}]},"
    "\"vulnerabilities\": [{\"cve\": \"CVE-2024-0727\", \"title\": \"openssl: null deref\","
    " \"cwe\": {\"id\": \"CWE-476\"},"
    " \"product_status\": {\"fixed\": [\"AppStream-9.4.0.GA:openssl-1:3.0.7-27.el9.x86_64\","
    "  \"AppStream-9.2.0.Z.EUS:openssl-1:3.0.7-20.el9_2.x86_64\", \"PG\","
    "  \"AppStream-8.10.0.Z.MAIN:perl-FCGI-1:0.78-12.x86_64\"],"
    "  \"known_affected\": [\"red_hat_enterprise_linux_8:openssl\","
    "   \"red_hat_enterprise_linux_6:openssl\", \"red_hat_enterprise_linux_8:edk2\","
    "   \"red_hat_enterprise_linux_8:firefox-flatpak\", \"unknown:thing\"]},"
    " \"remediations\": [{\"category\": \"vendor_fix\", \"details\": \"update\","
    "  \"url\": \"https://access.redhat.com/errata/RHSA-2024:2447\","
    "  \"product_ids\": [\"AppStream-9.4.0.GA:openssl-1:3.0.7-27.el9.x86_64\"]},"
    "  {\"category\": \"none_available\", \"details\": \"Fix deferred\",",
    "   \"product_ids\": [\"red_hat_enterprise_linux_8:openssl\"]},"
    "  {\"category\": \"no_fix_planned\", \"details\": \"Out of support scope\","
    "   \"product_ids\": [\"red_hat_enterprise_linux_6:openssl\"]},"
    "  {\"category\": \"no_fix_planned\", \"details\": \"Will not fix\","
    "   \"product_ids\": [\"red_hat_enterprise_linux_8:edk2\"]}],"
    " \"threats\": [{\"category\": \"impact\", \"details\": \"Important\", \"product_ids\":"
    "  [\"AppStream-9.4.0.GA:openssl-1:3.0.7-27.el9.x86_64\"]}],"
    " \"scores\": [{\"cvss_v3\": {\"version\": \"3.1\", \"baseScore\": 5.5, \"vectorString\":"
    "  \"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H\"}, \"products\": []}]}]}\n",
};

static void
test_vex(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    static char vex[16384];
    size_t off = 0;
    for (size_t i = 0; i < sizeof(vex_parts) / sizeof(vex_parts[0]); i++)
        off += (size_t)snprintf(vex + off, sizeof(vex) - off, "%s", vex_parts[i]);
    assert_true(off < sizeof(vex));
    ft_import(im, &bsn_feed_redhat_csaf, "vex/2024/cve-2024-0727.json", vex);
    const struct imp_adv *a = ft_adv(im, "CVE-2024-0727");
    assert_non_null(a);
    assert_string_equal(a->adv.severity, "MEDIUM");
    assert_string_equal(a->adv.summary, "openssl: null deref");
    assert_int_equal(a->adv.n_cvss, 1);
    assert_string_equal(a->adv.cvss[0].source, "redhat");

    const struct bsn_adv_affected *f = ft_aff(a, "rhel:9", "openssl", NULL);
    assert_non_null(f);
    assert_string_equal(f->fixed, "1:3.0.7-27.el9");
    assert_null(f->range);
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_string_equal(f->severity, "HIGH");
    assert_null(f->module);
    /* the EUS fix is not a mainline row: only one rhel:9 openssl row */
    size_t n9 = 0;
    for (size_t i = 0; i < a->n_aff; i++)
        n9 += strcmp(a->aff[i].namespace, "rhel:9") == 0;
    assert_int_equal(n9, 1);

    f = ft_aff(a, "rhel:8", "openssl", NULL);
    assert_int_equal(f->status, BSN_STATUS_FIX_DEFERRED);
    assert_null(f->fixed);
    assert_int_equal(ft_aff(a, "rhel:6", "openssl", NULL)->status, BSN_STATUS_END_OF_LIFE);
    assert_int_equal(ft_aff(a, "rhel:8", "edk2", NULL)->status, BSN_STATUS_WILL_NOT_FIX);

    f = ft_aff(a, "rhel:8", "pg_repack", NULL);
    assert_non_null(f);
    assert_string_equal(f->module, "postgresql:12");
    assert_string_equal(f->fixed, "0:1.4.6-3.module+el8.9.0+19330+c97ddbdf");
    f = ft_aff(a, "rhel:8", "perl-FCGI", NULL);
    assert_string_equal(f->module, "perl-FCGI:0.78");
    assert_string_equal(f->fixed, "1:0.78-12.module+el8.10.0");

    assert_null(ft_aff(a, "rhel:8", "firefox-flatpak", NULL));
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.msg[0], "red_hat_enterprise_linux_8:firefox-flatpak"));
    assert_non_null(strstr(w.msg[0], "CVE-2024-0727"));
    bsn_vdb_import_free(im);
}

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

static void
test_samples(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_redhat_csaf, "vex/2026/cve-2026-0968.json",
              slurp("feeds/redhat/sample/quay-claircore-fixtures/csaf/v2/vex/2026/"
                    "cve-2026-0968.json"));
    const struct imp_adv *a = ft_adv(im, "CVE-2026-0968");
    assert_int_equal(ft_aff(a, "rhel:8", "libssh", NULL)->status, BSN_STATUS_FIX_DEFERRED);
    assert_int_equal(ft_aff(a, "rhel:9", "libssh", NULL)->status, BSN_STATUS_AFFECTED);
    assert_string_equal(ft_aff(a, "rhel:9", "libssh", NULL)->severity, "LOW");

    ft_import(im, &bsn_feed_redhat_csaf, "advisories/2024/rhsa-2024_6163.json",
              slurp("feeds/redhat/sample/anchore-vunnel-fixtures/csaf/v2/advisories/2024/"
                    "rhsa-2024_6163.json"));
    a = ft_adv(im, "RHSA-2024:6163");
    assert_non_null(a);
    assert_true(ft_has_alias(a, "CVE-2024-8088"));
    const struct bsn_adv_affected *f = ft_aff(a, "rhel:9", "python3.9", NULL);
    assert_string_equal(f->fixed, "0:3.9.18-3.el9_4.5");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_int_equal(w.n, 0);
    bsn_vdb_import_free(im);
}

static void
test_detect_and_garbage(void **state)
{
    (void)state;
    static const char osv[] = "{\"id\": \"X\", \"modified\": \"2024\"}";
    assert_false(bsn_feed_redhat_csaf.detect("a.json", (const unsigned char *)osv,
                                              sizeof(osv) - 1));
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_redhat_csaf, "x.jsonl",
              "{\"csaf_version\": \"2.0\", \"publisher\": \"Red Hat\"}\n[1,2]\n{bad\n");
    assert_int_equal(im->n_advs, 0);
    assert_int_equal(w.n, 3);
    assert_non_null(strstr(w.msg[2], "line 3"));
    bsn_vdb_import_free(im);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vex),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_detect_and_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
