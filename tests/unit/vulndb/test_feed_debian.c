/*
 * Debian importers on excerpts of the real files: data/DSA/list (headers, CVE lists, fixed
 * versions, <end-of-life>, <not-affected>, NOTE lines), data/DTSA/list's long date form,
 * data/CVE/list (<unfixed>, <no-dsa>, <postponed>, <ignored>, urgencies, placeholders), and the
 * tracker JSON (resolved, "0", open with nodsa/postponed, end-of-life, undetermined, "releases":
 * []), with malformed records skipped and named.
 */
#include <stdlib.h>

#include "feed_test_util.h"

extern const struct bsn_feed bsn_feed_debian_dsa;
extern const struct bsn_feed bsn_feed_debian_tracker;

static const char dsa_list[] =
    "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"
    "\t{CVE-2023-1393}\n"
    "\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n"
    "[25 Oct 2016] DSA-3699-1 virtualbox - end of life\n"
    "\t[jessie] - virtualbox <end-of-life>\n"
    "[01 Feb 2009] DSA-1710-1 squid - buffer overflow\n"
    "\t{CVE-2009-0478}\n"
    "\t[etch] - squid <not-affected> (Vulnerable code introduced in 3.x)\n"
    "\t[lenny] - squid 2.7.STABLE3-4.1\n"
    "        NOTE: [etch] - clamav <end-of-life> (upstream dropped it)\n"
    "[bogus date] DSA-9999-1 broken - header\n"
    "\t[bullseye] - broken 1.0\n"
    "[17 Mar 2023] DSA-5356-2 sox - regression update\n"
    "\t[bullseye] - sox 14.4.2+git20190427-2+deb11u2\n"
    "\t[frobnicator] - sox 1.0\n";

static const char dtsa_list[] = "[August 26th, 2005] DTSA-1-1 kismet - various\n"
                                "\t{CVE-2005-2626 CVE-2005-2627}\n"
                                "\t[etch] - kismet 2005.08.R1-0.1etch1\n";

static const char cve_list[] =
    "CVE-2023-XXXX [code execution via malformed XTGETTCAP]\n"
    "\t- foot 1.15.3-2 (bug #1053115)\n"
    "CVE-2021-36383 (Xen Orchestra ...)\n"
    "        NOT-FOR-US: Xen Orchestra\n"
    "CVE-2021-36373 (When reading a specially crafted TAR archive ...)\n"
    "        - ant <unfixed> (unimportant)\n"
    "CVE-2021-36367 (PuTTY through 0.75 proceeds ...)\n"
    "        - putty 0.75-3 (low; bug #990901)\n"
    "        [bullseye] - putty <no-dsa> (Minor issue)\n"
    "        [buster] - putty <postponed> (Minor issue)\n"
    "        [stretch] - putty <ignored> (Minor issue)\n";

static const char tracker[] =
    "{\"chromium\": {\"CVE-2022-0456\": {\"releases\": {"
    "\"bookworm\": {\"status\": \"resolved\", \"repositories\": {\"bookworm\": \"98.0-1\"},"
    " \"fixed_version\": \"98.0.4758.80-1\", \"urgency\": \"not yet assigned\"},"
    "\"buster\": {\"status\": \"open\", \"urgency\": \"end-of-life\"},"
    "\"bullseye\": {\"status\": \"resolved\", \"fixed_version\": \"0\", \"urgency\": \"low\"}}}},"
    "\"putty\": {\"CVE-2021-36367\": {\"description\": \"PuTTY through 0.75\", \"releases\": {"
    "\"bullseye\": {\"status\": \"open\", \"urgency\": \"low\", \"nodsa\": \"Minor issue\","
    " \"nodsa_reason\": \"\"},"
    "\"buster\": {\"status\": \"open\", \"urgency\": \"low\", \"nodsa\": \"Minor issue\","
    " \"nodsa_reason\": \"postponed\"},"
    "\"sid\": {\"status\": \"undetermined\", \"urgency\": \"high**\"},"
    "\"trixie\": {\"status\": \"open\", \"urgency\": \"medium\"}}}},"
    "\"putty2\": {\"CVE-2021-36367\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\","
    " \"fixed_version\": \"0.75-3\"}}}},"
    "\"empty\": {\"TEMP-0000000-1A2B3C\": {\"releases\": []}},"
    "\"broken\": [1, 2],"
    "\"alsobroken\": {\"CVE-2020-1\": {\"releases\": {\"bookworm\": {\"urgency\": \"low\"}}}}}";

static void
test_lists(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_debian_dsa, "tracker/data/DSA/list", dsa_list);
    ft_import(im, &bsn_feed_debian_dsa, "tracker/data/DTSA/list", dtsa_list);
    ft_import(im, &bsn_feed_debian_dsa, "tracker/data/CVE/list", cve_list);

    const struct imp_adv *a = ft_adv(im, "DSA-5380-1");
    const struct bsn_adv_affected *f = ft_aff(a, "debian:11", "xorg-server", NULL);
    assert_non_null(f);
    assert_string_equal(f->range, "osv:introduced=0;fixed=2:1.20.11-1+deb11u6");
    assert_string_equal(f->fixed, "2:1.20.11-1+deb11u6");
    assert_string_equal(f->scheme, "deb");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_true(ft_has_alias(a, "CVE-2023-1393"));
    assert_string_equal(a->adv.published, "2023-03-29");

    f = ft_aff(ft_adv(im, "DSA-3699-1"), "debian:8", "virtualbox", "osv:introduced=0");
    assert_non_null(f);
    assert_int_equal(f->status, BSN_STATUS_END_OF_LIFE);

    a = ft_adv(im, "DSA-1710-1");
    assert_int_equal(a->n_aff, 1); /* etch not affected; the NOTE line is no package line */
    assert_non_null(ft_aff(a, "debian:5", "squid", NULL));
    assert_null(ft_adv(im, "DSA-9999-1"));
    a = ft_adv(im, "DSA-5356-2");
    assert_int_equal(a->n_aff, 1);
    assert_int_equal(a->n_aliases, 0);

    a = ft_adv(im, "DTSA-1-1");
    assert_non_null(a);
    assert_string_equal(a->adv.published, "2005-08-26");
    assert_non_null(ft_aff(a, "debian:4", "kismet", "osv:introduced=0;fixed=2005.08.R1-0.1etch1"));

    assert_null(ft_adv(im, "CVE-2023-XXXX"));
    assert_null(ft_adv(im, "CVE-2021-36383"));
    f = ft_aff(ft_adv(im, "CVE-2021-36373"), "debian:unstable", "ant", NULL);
    assert_non_null(f);
    assert_int_equal(f->status, BSN_STATUS_NOT_FIXED);
    assert_string_equal(f->severity, "LOW");
    a = ft_adv(im, "CVE-2021-36367");
    f = ft_aff(a, "debian:unstable", "putty", NULL);
    assert_string_equal(f->fixed, "0.75-3");
    assert_string_equal(f->severity, "LOW");
    assert_int_equal(ft_aff(a, "debian:11", "putty", NULL)->status, BSN_STATUS_WILL_NOT_FIX);
    assert_int_equal(ft_aff(a, "debian:10", "putty", NULL)->status, BSN_STATUS_FIX_DEFERRED);
    assert_int_equal(ft_aff(a, "debian:9", "putty", NULL)->status, BSN_STATUS_WILL_NOT_FIX);

    assert_int_equal(bsn_vdb_import_records(im, "debian-dsa"), 7);
    assert_int_equal(w.n, 2);
    assert_non_null(strstr(w.msg[0], "DSA/list: line 11: malformed advisory header"));
    assert_non_null(strstr(w.msg[1], "DSA/list: DSA-5356-2: line 15: unknown Debian release "
                                     "'frobnicator'"));
    bsn_vdb_import_free(im);
}

static void
test_tracker(void **state)
{
    (void)state;
    struct ft_warns w = { 0 };
    struct bsn_vdb_import *im = bsn_vdb_import_new(ft_on_warn, &w);
    ft_import(im, &bsn_feed_debian_tracker, "tracker/data/json", tracker);
    const struct imp_adv *a = ft_adv(im, "CVE-2022-0456");
    assert_int_equal(a->n_aff, 2); /* bullseye "0": not affected */
    const struct bsn_adv_affected *f = ft_aff(a, "debian:12", "chromium", NULL);
    assert_string_equal(f->fixed, "98.0.4758.80-1");
    assert_int_equal(f->status, BSN_STATUS_FIXED);
    assert_string_equal(f->severity, "UNKNOWN");
    f = ft_aff(a, "debian:10", "chromium", "osv:introduced=0");
    assert_int_equal(f->status, BSN_STATUS_END_OF_LIFE);

    a = ft_adv(im, "CVE-2021-36367"); /* merged over putty and putty2 */
    assert_int_equal(a->n_aff, 5);
    assert_string_equal(a->adv.description, "PuTTY through 0.75");
    assert_int_equal(ft_aff(a, "debian:11", "putty", NULL)->status, BSN_STATUS_WILL_NOT_FIX);
    assert_int_equal(ft_aff(a, "debian:10", "putty", NULL)->status, BSN_STATUS_FIX_DEFERRED);
    f = ft_aff(a, "debian:unstable", "putty", NULL);
    assert_int_equal(f->status, BSN_STATUS_AFFECTED);
    assert_string_equal(f->severity, "HIGH");
    f = ft_aff(a, "debian:13", "putty", NULL);
    assert_int_equal(f->status, BSN_STATUS_NOT_FIXED);
    assert_string_equal(f->severity, "MEDIUM");
    assert_string_equal(ft_aff(a, "debian:12", "putty2", NULL)->fixed, "0.75-3");

    a = ft_adv(im, "TEMP-0000000-1A2B3C");
    assert_non_null(a);
    assert_int_equal(a->n_aff, 0);
    assert_int_equal(bsn_vdb_import_records(im, "debian-tracker"), 4);
    assert_int_equal(w.n, 2);
    assert_non_null(strstr(w.msg[0], "tracker/data/json: broken: package entry is not"));
    assert_non_null(strstr(w.msg[1], "alsobroken/CVE-2020-1: release 'bookworm' has no status"));
    bsn_vdb_import_free(im);
}

/* A hostile list repeating one advisory 50,000 times: linear work, one record. */
static void
test_repeated(void **state)
{
    (void)state;
    static const char rec[] = "[01 Jan 2020] DSA-1-1 x - y\n\t{CVE-2020-1 CVE-2020-2}\n"
                              "\t[bookworm] - x 1.0-1\n";
    size_t n = 50000, rl = sizeof(rec) - 1;
    char *text = malloc(n * rl + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * rl, rec, rl);
    text[n * rl] = '\0';
    struct bsn_vdb_import *im = bsn_vdb_import_new(NULL, NULL);
    ft_import(im, &bsn_feed_debian_dsa, "data/DSA/list", text);
    assert_int_equal(bsn_vdb_import_records(im, "debian-dsa"), 1);
    const struct imp_adv *a = ft_adv(im, "DSA-1-1");
    assert_int_equal(a->n_aff, n); /* duplicates go when written */
    bsn_vdb_import_free(im);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_tracker),
        cmocka_unit_test(test_repeated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
