/* Tests for the table report writer: grouping, totals, severity source, colour, NEW marks,
 * inventory mode, diagnostics and control-character escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"
#include "report_fixture.h"

static char *
render(const struct bsn_result *r, bool color, bool baseline)
{
    const struct bsn_report_writer *w = bsn_report_find("table");
    assert_non_null(w);
    struct bsn_report_opts o;
    bsn_report_opts_init(&o);
    o.color = color;
    o.baseline = baseline;
    struct bsn_buf out;
    bsn_buf_init(&out, 1 << 20);
    struct bsn_err err = { 0 };
    assert_int_equal(w->write(r, &o, &out, &err), BSN_OK);
    return bsn_buf_detach(&out, NULL);
}

/* The line containing needle, copied into line. */
static void
line_with(const char *text, const char *needle, char *line, size_t n)
{
    const char *p = strstr(text, needle);
    assert_non_null(p);
    while (p > text && p[-1] != '\n')
        p--;
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    assert_true(len < n);
    memcpy(line, p, len);
    line[len] = '\0';
}

static void
test_groups_and_totals(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    char *t = render(&r, false, false);
    const char *os = strstr(t, "docker-archive:app.tar (debian 12.7)\n====");
    const char *npm = strstr(t, "app/node_modules/lodash/package.json (npm)\n====");
    assert_non_null(os);
    assert_non_null(npm);
    assert_true(os < npm); /* OS packages first */
    /* the OS group totals its two findings */
    assert_non_null(
        strstr(os, "Total: 2 (UNKNOWN: 0, LOW: 1, MEDIUM: 0, HIGH: 0, CRITICAL: 1)"));
    assert_non_null(
        strstr(npm, "Total: 1 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 0)"));
    /* inside the OS group CRITICAL comes before LOW */
    const char *z = strstr(t, "CVE-2023-45853"), *o = strstr(t, "CVE-2024-0727");
    assert_true(z && o && z < o && o < npm);
    /* the severity column names its source; the row carries installed and fixed */
    char line[512];
    line_with(t, "CVE-2024-0727", line, sizeof(line));
    assert_non_null(strstr(line, "openssl"));
    assert_non_null(strstr(line, "LOW (debian)"));
    assert_non_null(strstr(line, "3.0.11-1~deb12u2"));
    assert_non_null(strstr(line, "3.0.13-1~deb12u1"));
    assert_non_null(strstr(line, "fixed"));
    line_with(t, "CVE-2023-45853", line, sizeof(line));
    assert_non_null(strstr(line, "CRITICAL (nvd)"));
    assert_non_null(strstr(line, "will_not_fix"));
    /* the grand total line */
    assert_non_null(
        strstr(t, "Vulnerabilities: 3 (UNKNOWN: 0, LOW: 1, MEDIUM: 0, HIGH: 1, CRITICAL: 1)"));
    /* no colour, no NEW column without a baseline */
    assert_null(strchr(t, '\x1b'));
    assert_null(strstr(t, "NEW"));
    free(t);
}

static void
test_columns_aligned(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    char *t = render(&r, false, false);
    char head[512], row[512];
    line_with(t, "LIBRARY", head, sizeof(head));
    line_with(t, "CVE-2023-45853", row, sizeof(row));
    size_t col = (size_t)(strstr(head, "VULNERABILITY") - head);
    assert_memory_equal(row + col, "CVE-2023-45853", 14);
    col = (size_t)(strstr(head, "SEVERITY") - head);
    assert_memory_equal(row + col, "CRITICAL", 8);
    free(t);
}

static void
test_color_and_new(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    char *t = render(&r, true, true);
    assert_non_null(strstr(t, "\x1b[1;31mCRITICAL (nvd)\x1b[0m"));
    assert_non_null(strstr(t, "\x1b[31mHIGH (ghsa)\x1b[0m"));
    char line[512];
    line_with(t, "GHSA-35jh-r3h4-6jhm", line, sizeof(line));
    assert_non_null(strstr(line, "NEW"));
    line_with(t, "CVE-2024-0727", line, sizeof(line));
    assert_null(strstr(line, "NEW"));
    free(t);
}

static void
test_sections(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    char *t = render(&r, false, false);
    const char *s = strstr(t, "Secrets\n=======");
    assert_non_null(s);
    assert_non_null(strstr(s, "aws-access-key-id"));
    assert_non_null(strstr(s, "AKIA************MPLE"));
    const char *m = strstr(t, "Misconfigurations\n=================");
    assert_non_null(m);
    assert_non_null(strstr(m, "BSN-IMG-001"));
    assert_non_null(strstr(t, "Suppressed: 1\n  CVE-2022-1234 (zlib1g): ignorefile"));
    assert_non_null(
        strstr(t, "Warnings:\n  - layer 2 (sha256:d2): app/package-lock.json: invalid JSON"));
    free(t);
}

static void
test_inventory_mode(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    r.scanned_vuln = false;
    r.n_vulns = 0;
    r.n_secrets = 0;
    r.n_misconfigs = 0;
    char *t = render(&r, false, false);
    assert_non_null(strstr(t, "OS: Debian GNU/Linux 12.7"));
    assert_non_null(strstr(t, "Packages: 3\n  deb: 2\n  npm: 1\n"));
    assert_null(strstr(t, "Vulnerabilities:"));
    free(t);
}

static void
test_no_findings_and_hostile_text(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    r.n_vulns = 1;
    fx_vulns[0].title = "evil\x1b]0;pwned\x07title";
    char *t = render(&r, false, false);
    assert_null(strchr(t, '\x1b'));
    assert_null(strchr(t, '\x07'));
    assert_non_null(strstr(t, "evil?]0;pwned?title"));
    free(t);

    r.n_vulns = 0;
    t = render(&r, false, false);
    assert_non_null(strstr(t, "No vulnerabilities found."));
    assert_non_null(
        strstr(t, "Vulnerabilities: 0 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0)"));
    free(t);
}

static void
test_long_title_cut(void **state)
{
    (void)state;
    struct bsn_result r;
    fx_build(&r);
    char title[300];
    memset(title, 'x', sizeof(title) - 1);
    title[sizeof(title) - 1] = '\0';
    fx_vulns[0].title = title;
    char *t = render(&r, false, false);
    char line[1024];
    line_with(t, "CVE-2024-0727", line, sizeof(line));
    assert_non_null(strstr(line, "xxx..."));
    assert_true(strlen(line) < 250);
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_and_totals),
        cmocka_unit_test(test_columns_aligned),
        cmocka_unit_test(test_color_and_new),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_inventory_mode),
        cmocka_unit_test(test_no_findings_and_hostile_text),
        cmocka_unit_test(test_long_title_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
