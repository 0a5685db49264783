/*
 * Amazon ALAS importer: the real AL2 updateinfo.xml excerpt of tests/data/feeds/amazon/sample
 * (ALAS2-2018-939 kernel, checked against the file by hand), an inline AL2023 / Extras /
 * AlmaLinux mix gzip-compressed as the repositories serve it (namespaces amazon:2023,
 * amazon:2:kernel-5.15, foreign ids ignored, epochs kept), and malformed updates skipped
 * with a warning naming them, a DOCTYPE (entity expansion) refused.
 */
#include <zlib.h>

#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_amazon_alas;

static const char mixed[] =
    "<?xml version=\"1.0\" ?>\n<updates>"
    "<update type=\"security\"><id>ALAS2023-2023-001</id><title>rsyslog</title>"
    "<issued date=\"2023-02-17 20:41:00\" /><severity>Important</severity>"
    "<references><reference id=\"CVE-2022-24903\" type=\"cve\" href=\"https://x/\"/>"
    "</references><pkglist><collection short=\"amazon-linux-2023\">"
    "<package name=\"rsyslog\" version=\"8.2204.0\" release=\"3.amzn2023.0.2\" epoch=\"0\""
    " arch=\"x86_64\"/><package name=\"rsyslog\" version=\"8.2204.0\""
    " release=\"3.amzn2023.0.2\" epoch=\"0\" arch=\"aarch64\"/></collection></pkglist></update>"
    "<update><id>ALAS2KERNEL-5.15-2022-001</id><severity>important</severity><pkglist>"
    "<collection><package name=\"kernel\" version=\"5.15.43\" release=\"20.123.amzn2\""
    " arch=\"x86_64\"/></collection></pkglist></update>"
    "<update><id>ALSA-2024:1</id><pkglist><collection><package name=\"x\" version=\"1\""
    " release=\"1\"/></collection></pkglist></update>"
    "<update><id>ALAS2-2099-1</id><pkglist><collection><package name=\"qemu\" epoch=\"10\""
    " version=\"1.5.3\"/></collection></pkglist></update>"
    "<update><id>ALAS2-2099-2</id></update>"
    "</updates>\n";

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
test_al2_sample(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_amazon_alas, "amzn/amazon_linux_2_updateinfo.xml",
              slurp("feeds/amazon/sample/quay-clair-fixtures/amzn/amazon_linux_2_updateinfo.xml"));
    const struct imp_adv *a = ft_adv(im, "ALAS2-2018-939");
    assert_non_null(a);
    assert_string_equal(a->adv.severity, "CRITICAL");
    assert_string_equal(a->adv.published, "2018-01-11T21:05:00Z");
    assert_true(ft_has_alias(a, "CVE-2017-5754"));
    assert_true(ft_has_alias(a, "CVE-2017-5715"));
    const struct bsn_adv_affected *f = ft_aff(a, "amazon:2", "kernel", NULL);
    assert_non_null(f);
    assert_string_equal(f->fixed, "0:4.9.76-38.79.amzn2");
    assert_null(f->range);
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_non_null(ft_aff(a, "amazon:2", "perf", NULL));
    assert_int_equal(w.n, 0);
    bsn_vdb_import_free(im);
}

static void
test_gzip_mixed(void **state)
{
    (void)state;
    /* gzip it as repodata/…-updateinfo.xml.gz */
    static unsigned char gz[8192];
    z_stream z = { 0 };
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    z.next_in = (unsigned char *)(uintptr_t)mixed;
    z.avail_in = (uInt)(sizeof(mixed) - 1);
    z.next_out = gz;
    z.avail_out = sizeof(gz);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = sizeof(gz) - z.avail_out;
    deflateEnd(&z);

    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    const char *path = "repodata/abc-updateinfo.xml.gz";
    assert_true(bsn_feed_amazon_alas.detect(path, gz, n));
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_import_file(im, &bsn_feed_amazon_alas, path, gz, n, &err), BSN_OK);

    const struct imp_adv *a = ft_adv(im, "ALAS2023-2023-001");
    const struct bsn_adv_affected *f = ft_aff(a, "amazon:2023", "rsyslog", NULL);
    assert_string_equal(f->fixed, "0:8.2204.0-3.amzn2023.0.2");
    assert_string_equal(f->severity, "HIGH");
    assert_int_equal(a->n_aff, 1); /* two arches, one row */
    assert_string_equal(a->adv.published, "2023-02-17T20:41:00Z");
    a = ft_adv(im, "ALAS2KERNEL-5.15-2022-001");
    assert_non_null(ft_aff(a, "amazon:2:kernel-5.15", "kernel", NULL));
    assert_null(ft_aff(a, "amazon:2", "kernel", NULL));
    assert_null(ft_adv(im, "ALSA-2024:1"));
    assert_null(ft_adv(im, "ALAS2-2099-1"));
    assert_null(ft_adv(im, "ALAS2-2099-2"));
    assert_int_equal(w.n, 2);
    assert_non_null(strstr(w.msg[0], "ALAS2-2099-1"));
    assert_non_null(strstr(w.msg[1], "ALAS2-2099-2"));

    /* truncated gzip and broken XML are warnings */
    assert_int_equal(bsn_vdb_import_file(im, &bsn_feed_amazon_alas, path, gz, n / 2, &err),
                     BSN_OK);
    ft_import(im, &bsn_feed_amazon_alas, "updateinfo.xml", "<updates><update>");
    assert_int_equal(w.n, 4);
    /* entity expansion is refused with the DOCTYPE */
    ft_import(im, &bsn_feed_amazon_alas, "updateinfo.xml",
              "<!DOCTYPE updates [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
              "<updates><update><id>ALAS2-2099-9</id><title>&b;</title><pkglist><collection>"
              "<package name=\"x\" version=\"1\" release=\"1\"/></collection></pkglist>"
              "</update></updates>");
    assert_int_equal(w.n, 5);
    assert_non_null(strstr(w.msg[4], "DOCTYPE"));
    assert_null(ft_adv(im, "ALAS2-2099-9"));
    bsn_vdb_import_free(im);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_al2_sample),
        cmocka_unit_test(test_gzip_mixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
