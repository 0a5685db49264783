/*
 * Tests for the matcher against a small database built through the importer API from
 * hand-written advisories (three fake feeds: a distro tracker, OSV/GHSA and NVD), checking
 * each rule of issue 6: source-package lookup and binNMU, apk origin, rpm epoch and module
 * streams, statuses, fixed versions per branch, alias merge, severity choice and
 * vendor_severity, PEP 503 names, end-of-life / unknown-OS / stale-database warnings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "match/match.h"
#include "match/match_int.h"
#include "vulndb/vulndb_int.h"

/* ---- the fake feeds ------------------------------------------------------------------------- */

static const struct bsn_adv *feed_advs;
static size_t feed_n;

static bsn_code
fake_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
            struct bsn_err *err)
{
    (void)path, (void)data, (void)len, (void)err;
    for (size_t i = 0; i < feed_n; i++)
        bsn_vdb_emit(im, &feed_advs[i]);
    return BSN_OK;
}

static const struct bsn_feed feed_distro = { .name = "test-distro", .data_source = "debian",
                                             .import_file = fake_import };
static const struct bsn_feed feed_alpine = { .name = "test-alpine", .data_source = "alpine",
                                             .import_file = fake_import };
static const struct bsn_feed feed_redhat = { .name = "test-redhat", .data_source = "redhat",
                                             .import_file = fake_import };
static const struct bsn_feed feed_osv = { .name = "test-osv", .data_source = "osv",
                                          .import_file = fake_import };
static const struct bsn_feed feed_nvd = { .name = "test-nvd", .data_source = "nvd",
                                          .import_file = fake_import };

#define AFF(ns, pkg, scheme, range, fixed, status, sev)                                        \
    { (ns), (pkg), (scheme), (range), (fixed), (status), (sev), NULL, NULL }

static const struct bsn_adv_affected d1[] = {
    AFF("debian:12", "openssl", "deb", "osv:introduced=0;fixed=3.0.13-1~deb12u1",
        "3.0.13-1~deb12u1", BSN_STATUS_FIXED, "LOW"),
    AFF("debian:11", "openssl", "deb", "osv:introduced=0;fixed=1.1.1w-0+deb11u2",
        "1.1.1w-0+deb11u2", BSN_STATUS_FIXED, "HIGH"),
};
static const struct bsn_adv_affected d2[] = {
    AFF("debian:12", "openssl", "deb", NULL, NULL, BSN_STATUS_NOT_FIXED, NULL),
};
static const struct bsn_adv_affected d3[] = {
    AFF("debian:12", "zlib", "deb", NULL, NULL, BSN_STATUS_WILL_NOT_FIX, "unimportant"),
};
static const struct bsn_adv_affected d4[] = {
    /* binNMU: libfoo1 1.0-1+b1 is built from foo 1.0-1 */
    AFF("debian:12", "foo", "deb", "osv:introduced=0;fixed=1.0-1", "1.0-1", BSN_STATUS_FIXED,
        NULL),
};
static const struct bsn_adv_affected d5[] = {
    AFF("debian:12", "foo", "deb", "osv:introduced=0;fixed=1.0-2", "1.0-2", BSN_STATUS_FIXED,
        NULL),
};
static const char *const dsa_aliases[] = { "CVE-2024-0001" };
static const struct bsn_adv_affected d6[] = {
    AFF("debian:12", "bar", "deb", "osv:introduced=0;fixed=2.0-1", "2.0-1", BSN_STATUS_FIXED,
        NULL),
};
static const char *const bundle_aliases[] = { "CVE-2024-2001", "CVE-2024-2002" };
static const struct bsn_adv distro_advs[] = {
    { .id = "CVE-2024-0727", .summary = "openssl: null dereference in PKCS12",
      .affected = d1, .n_affected = 2 },
    { .id = "CVE-2024-0001", .affected = d2, .n_affected = 1 },
    { .id = "CVE-2023-45853", .summary = "zlib: MiniZip overflow", .affected = d3,
      .n_affected = 1 },
    { .id = "CVE-2024-1000", .affected = d4, .n_affected = 1 },
    { .id = "CVE-2024-1001", .affected = d5, .n_affected = 1 },
    /* a DSA naming the same CVE as a tracker entry: one finding */
    { .id = "DSA-9999-1", .aliases = dsa_aliases, .n_aliases = 1, .affected = d2,
      .n_affected = 1 },
    /* a DSA fixing two CVEs: two findings, not one */
    { .id = "DSA-9998-1", .summary = "bar - security update", .aliases = bundle_aliases,
      .n_aliases = 2, .affected = d6, .n_affected = 1 },
};

static const struct bsn_adv_affected a1[] = {
    AFF("alpine:3.19", "openssl", "apk", "osv:introduced=0;fixed=3.1.4-r5", "3.1.4-r5",
        BSN_STATUS_FIXED, NULL),
};
static const struct bsn_adv_affected a2[] = {
    /* a row with a fixed version and no range: fixed in 3.1.4-r3 */
    AFF("alpine:3.19", "openssl", "apk", NULL, "3.1.4-r3", BSN_STATUS_FIXED, NULL),
};
static const struct bsn_adv alpine_advs[] = {
    { .id = "CVE-2023-6129", .affected = a1, .n_affected = 1 },
    { .id = "CVE-2023-5363", .affected = a2, .n_affected = 1 },
};

static const struct bsn_adv_affected r1[] = {
    AFF("rhel:9", "openssl", "rpm", "osv:introduced=0;fixed=1:3.0.7-25.el9", "1:3.0.7-25.el9",
        BSN_STATUS_FIXED, "moderate"),
};
static const struct bsn_adv_affected r2[] = {
    AFF("rhel:9", "openssl", "rpm", "osv:introduced=0;fixed=3.0.7-99.el9", "3.0.7-99.el9",
        BSN_STATUS_FIXED, "important"),
};
static const struct bsn_adv_affected r3[] = {
    { "rhel:9", "nodejs", "rpm", "osv:introduced=0;fixed=1:18.19.0-1.module+el9",
      "1:18.19.0-1.module+el9", BSN_STATUS_FIXED, "important", "nodejs:18", NULL },
    { "rhel:9", "nodejs", "rpm", "osv:introduced=0;fixed=1:20.11.0-1.module+el9",
      "1:20.11.0-1.module+el9", BSN_STATUS_FIXED, "important", "nodejs:20", NULL },
};
static const struct bsn_adv redhat_advs[] = {
    { .id = "CVE-2023-5678", .affected = r1, .n_affected = 1 },
    /* epoch 0 fix: 1:3.0.7-24 is newer than 3.0.7-99 */
    { .id = "CVE-2023-0001", .affected = r2, .n_affected = 1 },
    { .id = "CVE-2023-0002", .affected = r3, .n_affected = 2 },
};

static const struct bsn_adv_affected o1[] = {
    AFF("npm", "lodash", "npm", "osv:introduced=0;fixed=4.17.21", "4.17.21", BSN_STATUS_FIXED,
        NULL),
};
static const struct bsn_adv_affected o2[] = {
    AFF("npm", "lodash", "npm", "osv:introduced=0;fixed=4.17.21", "4.17.21", BSN_STATUS_FIXED,
        NULL),
};
static const struct bsn_adv_affected o3[] = {
    /* one advisory, fixes per branch */
    AFF("pypi", "django-rest-framework", "pep440",
        "osv:introduced=0;fixed=3.11.2;introduced=3.12.0;fixed=3.12.4", "3.11.2",
        BSN_STATUS_FIXED, NULL),
};
static const struct bsn_adv_affected o4[] = {
    AFF("npm", "minimist", "npm", "osv:introduced=0;fixed=1.2.6", "1.2.6", BSN_STATUS_FIXED,
        NULL),
};
static const char *const ghsa_alias[] = { "CVE-2021-23337" };
static const struct bsn_cvss ghsa_cvss[] = {
    { "ghsa", "3.1", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2 },
};
static const struct bsn_adv osv_advs[] = {
    { .id = "GHSA-35jh-r3h4-6jhm", .aliases = ghsa_alias, .n_aliases = 1,
      .summary = "Command Injection in lodash", .severity = "HIGH", .cvss = ghsa_cvss,
      .n_cvss = 1, .affected = o1, .n_affected = 1 },
    { .id = "CVE-2021-23337", .summary = "lodash template injection", .affected = o2,
      .n_affected = 1 },
    { .id = "PYSEC-2021-0001", .affected = o3, .n_affected = 1 },
    { .id = "CVE-2021-44906", .affected = o4, .n_affected = 1 },
};

static const struct bsn_cvss nvd_c1[] = {
    { "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8 },
};
static const struct bsn_cvss nvd_c2[] = {
    { "nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5 },
};
static const char *const nvd_refs[] = { "https://nvd.nist.gov/vuln/detail/CVE-2024-0001" };
static const struct bsn_adv nvd_advs[] = {
    { .id = "CVE-2024-0001", .description = "A flaw in something. More text.",
      .cvss = nvd_c1, .n_cvss = 1, .references = nvd_refs, .n_references = 1,
      .published = "2024-01-02T00:00:00Z" },
    { .id = "CVE-2021-44906", .cvss = nvd_c1, .n_cvss = 1 },
    { .id = "CVE-2021-23337", .cvss = nvd_c2, .n_cvss = 1 },
    { .id = "CVE-2024-0727", .severity = "MEDIUM", .cvss = nvd_c2, .n_cvss = 1 },
};

static char db_path[512];
static char tmpdir[256];
static const int64_t built_at = 1767225600; /* 2026-01-01 */

static void
feed(struct bsn_vdb_import *im, const struct bsn_feed *f, const struct bsn_adv *a, size_t n)
{
    struct bsn_err err = { 0 };
    feed_advs = a;
    feed_n = n;
    assert_int_equal(bsn_vdb_import_file(im, f, "test", (const unsigned char *)"", 0, &err),
                     BSN_OK);
}

#define N(x) (sizeof(x) / sizeof((x)[0]))

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn_match_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(db_path, sizeof(db_path), "%s/test.db", tmpdir);
    struct bsn_vdb_import *im = bsn_vdb_import_new(NULL, NULL);
    feed(im, &feed_distro, distro_advs, N(distro_advs));
    feed(im, &feed_alpine, alpine_advs, N(alpine_advs));
    feed(im, &feed_redhat, redhat_advs, N(redhat_advs));
    feed(im, &feed_osv, osv_advs, N(osv_advs));
    feed(im, &feed_nvd, nvd_advs, N(nvd_advs));
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_vdb_import_write(im, db_path, built_at, &err);
    bsn_vdb_import_free(im);
    if (rc != BSN_OK)
        fprintf(stderr, "%s\n", err.msg);
    return rc == BSN_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static void
run(struct bsn_result *r, struct bsn_package *pkgs, size_t n, const char *family,
    const char *version, int64_t now, uint64_t max_age)
{
    memset(r, 0, sizeof(*r));
    r->arena = bsn_arena_new();
    r->packages = pkgs;
    r->n_packages = n;
    if (family) {
        r->has_os = true;
        r->os.family = family;
        r->os.version = version;
    }
    struct bsn_scan_opts o;
    memset(&o, 0, sizeof(o));
    o.now = now ? now : built_at + 86400;
    o.db_max_age_s = max_age;
    struct bsn_vdb *db;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_open(db_path, &db, &err), BSN_OK);
    bsn_code rc = bsn_match(db, r, &o, &err);
    if (rc != BSN_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, BSN_OK);
    bsn_vdb_close(db);
}

static const struct bsn_vuln *
find(const struct bsn_result *r, const char *id, const char *pkg)
{
    for (size_t i = 0; i < r->n_vulns; i++)
        if (strcmp(r->vulns[i].id, id) == 0 && strcmp(r->vulns[i].pkg->name, pkg) == 0)
            return &r->vulns[i];
    return NULL;
}

static size_t
count(const struct bsn_result *r, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_vulns; i++)
        n += strcmp(r->vulns[i].id, id) == 0;
    return n;
}

static bool
diag_has(const struct bsn_result *r, const char *needle)
{
    for (size_t i = 0; i < r->n_diags; i++)
        if (strstr(r->diags[i].message, needle))
            return true;
    return false;
}

static enum bsn_severity
vendor(const struct bsn_vuln *v, const char *source)
{
    for (size_t i = 0; i < v->n_vendor_severity; i++)
        if (strcmp(v->vendor_severity[i].source, source) == 0)
            return v->vendor_severity[i].severity;
    return (enum bsn_severity)-1;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void
test_debian(void **state)
{
    (void)state;
    struct bsn_package p[] = {
        { .type = "deb", .name = "libssl3", .version = "3.0.11-1~deb12u2", .epoch = -1,
          .source_name = "openssl", .source_version = "3.0.11-1~deb12u2" },
        { .type = "deb", .name = "openssl", .version = "3.0.13-1~deb12u1", .epoch = -1,
          .source_name = "openssl", .source_version = "3.0.13-1~deb12u1" },
        { .type = "deb", .name = "zlib1g", .version = "1:1.2.13.dfsg-1", .epoch = -1,
          .source_name = "zlib", .source_version = "1:1.2.13.dfsg-1" },
        { .type = "deb", .name = "libfoo1", .version = "1.0-1+b1", .epoch = -1,
          .source_name = "foo" },
    };
    struct bsn_result r;
    run(&r, p, N(p), "debian", "12.7", 0, 0);

    /* source name != binary name, below the fixed version */
    const struct bsn_vuln *v = find(&r, "CVE-2024-0727", "libssl3");
    assert_non_null(v);
    assert_int_equal(v->status, BSN_STATUS_FIXED);
    assert_string_equal(v->fixed_version, "3.0.13-1~deb12u1");
    assert_string_equal(v->installed_version, "3.0.11-1~deb12u2");
    assert_string_equal(v->data_source, "debian");
    assert_string_equal(v->title, "openssl: null dereference in PKCS12");
    /* the distro's severity wins over NVD's, both kept */
    assert_int_equal(v->severity, BSN_SEV_LOW);
    assert_string_equal(v->severity_source, "debian");
    assert_int_equal(vendor(v, "debian"), BSN_SEV_LOW);
    assert_int_equal(vendor(v, "nvd"), BSN_SEV_MEDIUM);
    /* at the fixed version: not affected */
    assert_null(find(&r, "CVE-2024-0727", "openssl"));

    /* unfixed, for both binaries; DSA-9999-1 merged into the CVE */
    v = find(&r, "CVE-2024-0001", "libssl3");
    assert_non_null(v);
    assert_int_equal(v->status, BSN_STATUS_NOT_FIXED);
    assert_null(v->fixed_version);
    assert_int_equal(v->n_aliases, 1);
    assert_string_equal(v->aliases[0], "DSA-9999-1");
    assert_int_equal(count(&r, "CVE-2024-0001"), 2);
    assert_int_equal(count(&r, "DSA-9999-1"), 0);
    /* no distro severity: NVD's CVSS band */
    assert_int_equal(v->severity, BSN_SEV_CRITICAL);
    assert_string_equal(v->severity_source, "nvd");
    assert_string_equal(v->title, "A flaw in something");
    assert_int_equal(v->n_references, 1);
    assert_string_equal(v->published, "2024-01-02T00:00:00Z");
    assert_int_equal(v->n_cvss, 1);

    /* no-dsa */
    v = find(&r, "CVE-2023-45853", "zlib1g");
    assert_non_null(v);
    assert_int_equal(v->status, BSN_STATUS_WILL_NOT_FIX);
    assert_int_equal(v->severity, BSN_SEV_LOW);

    /* binNMU: 1.0-1+b1 is source 1.0-1: fixed by CVE-2024-1000's 1.0-1, not by 1.0-2 */
    assert_null(find(&r, "CVE-2024-1000", "libfoo1"));
    v = find(&r, "CVE-2024-1001", "libfoo1");
    assert_non_null(v);
    assert_string_equal(v->installed_version, "1.0-1+b1");
    assert_int_equal(r.n_vulns, 5);
    assert_false(r.os.eosl);
    assert_int_equal(r.n_diags, 0);
    bsn_arena_free(r.arena);
}

static void
test_bundle_split(void **state)
{
    (void)state;
    struct bsn_package p[] = {
        { .type = "deb", .name = "libbar1", .version = "1.0-1", .epoch = -1,
          .source_name = "bar", .source_version = "1.0-1" },
    };
    struct bsn_result r;
    run(&r, p, N(p), "debian", "12.7", 0, 0);
    assert_int_equal(r.n_vulns, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct bsn_vuln *v = &r.vulns[i];
        assert_true(strcmp(v->id, "CVE-2024-2001") == 0 || strcmp(v->id, "CVE-2024-2002") == 0);
        assert_int_equal(v->n_aliases, 1);
        assert_string_equal(v->aliases[0], "DSA-9998-1");
        assert_string_equal(v->fixed_version, "2.0-1");
        assert_string_equal(v->title, "bar - security update");
    }
    assert_string_not_equal(r.vulns[0].id, r.vulns[1].id);
    bsn_arena_free(r.arena);
}

static void
test_debian_eol_and_unknown(void **state)
{
    (void)state;
    struct bsn_package p[] = {
        { .type = "deb", .name = "libssl1.1", .version = "1.1.1n-0+deb11u4", .epoch = -1,
          .source_name = "openssl", .source_version = "1.1.1n-0+deb11u4" },
    };
    struct bsn_result r;
    /* Debian 11 ended 2026-08-31 */
    run(&r, p, N(p), "debian", "11.6", bsn_match_civil(2026, 11, 28), 0);
    const struct bsn_vuln *v = find(&r, "CVE-2024-0727", "libssl1.1");
    assert_non_null(v);
    assert_string_equal(v->fixed_version, "1.1.1w-0+deb11u2");
    assert_int_equal(v->severity, BSN_SEV_HIGH);
    assert_true(r.os.eosl);
    assert_true(diag_has(&r, "os 'debian 11.6' reached end of life on 2026-08-31"));
    bsn_arena_free(r.arena);

    run(&r, p, N(p), "debian", "13", 0, 0);
    assert_int_equal(r.n_vulns, 0);
    assert_true(diag_has(&r, "os 'debian 13' is unknown to the vulnerability database"));
    bsn_arena_free(r.arena);

    run(&r, p, N(p), NULL, NULL, 0, 0);
    assert_int_equal(r.n_vulns, 0);
    assert_true(diag_has(&r, "1 os packages found but no distribution was recognised"));
    bsn_arena_free(r.arena);
}

static void
test_alpine_origin(void **state)
{
    (void)state;
    struct bsn_package p[] = {
        { .type = "apk", .name = "libcrypto3", .version = "3.1.4-r1", .epoch = -1,
          .source_name = "openssl" },
        { .type = "apk", .name = "libssl3", .version = "3.1.4-r5", .epoch = -1,
          .source_name = "openssl" },
    };
    struct bsn_result r;
    run(&r, p, N(p), "alpine", "3.19.1", 0, 0);
    const struct bsn_vuln *v = find(&r, "CVE-2023-6129", "libcrypto3");
    assert_non_null(v);
    assert_string_equal(v->fixed_version, "3.1.4-r5");
    v = find(&r, "CVE-2023-5363", "libcrypto3");
    assert_non_null(v);
    assert_string_equal(v->fixed_version, "3.1.4-r3");
    /* libssl3 3.1.4-r5 is past both fixes */
    assert_int_equal(r.n_vulns, 2);
    bsn_arena_free(r.arena);
}

static void
test_rpm_epoch_module(void **state)
{
    (void)state;
    struct bsn_package p[] = {
        { .type = "rpm", .name = "openssl", .version = "3.0.7-24.el9", .epoch = 1,
          .arch = "x86_64" },
        { .type = "rpm", .name = "nodejs", .version = "18.18.0-1.module+el9", .epoch = 1,
          .module = "nodejs:18:9030020231120:a75119d5" },
    };
    struct bsn_result r;
    run(&r, p, N(p), "rhel", "9.3", 0, 0);
    /* fix at epoch 1: affected; epoch-0 fix is older than 1:… */
    const struct bsn_vuln *v = find(&r, "CVE-2023-5678", "openssl");
    assert_non_null(v);
    assert_string_equal(v->installed_version, "1:3.0.7-24.el9");
    assert_int_equal(v->severity, BSN_SEV_MEDIUM);
    assert_string_equal(v->severity_source, "redhat");
    assert_null(find(&r, "CVE-2023-0001", "openssl"));
    v = find(&r, "CVE-2023-0002", "nodejs");
    assert_non_null(v);
    assert_string_equal(v->fixed_version, "1:18.19.0-1.module+el9"); /* the nodejs:18 stream */
    assert_int_equal(count(&r, "CVE-2023-0002"), 1);
    assert_int_equal(r.n_vulns, 2);
    bsn_arena_free(r.arena);

    /* Rocky reads its own namespace, which this database lacks */
    run(&r, p, N(p), "rocky", "9.3", 0, 0);
    assert_int_equal(r.n_vulns, 0);
    assert_true(diag_has(&r, "(no 'rocky:9' advisories)"));
    bsn_arena_free(r.arena);
}

static void
test_language(void **state)
{
    (void)state;
    struct bsn_package p[] = {
        { .type = "npm", .name = "lodash", .version = "4.17.20", .epoch = -1 },
        { .type = "npm", .name = "lodash", .version = "4.17.21", .epoch = -1 },
        { .type = "npm", .name = "minimist", .version = "1.2.5", .epoch = -1 },
        { .type = "pypi", .name = "Django_Rest.Framework", .version = "3.12.2", .epoch = -1 },
    };
    struct bsn_result r;
    run(&r, p, N(p), NULL, NULL, 0, 0);
    /* the GHSA and its CVE: one finding, CVE id, the GHSA in aliases, GHSA's severity */
    assert_int_equal(count(&r, "CVE-2021-23337"), 1);
    assert_int_equal(count(&r, "GHSA-35jh-r3h4-6jhm"), 0);
    const struct bsn_vuln *v = find(&r, "CVE-2021-23337", "lodash");
    assert_non_null(v);
    assert_string_equal(v->installed_version, "4.17.20");
    assert_int_equal(v->n_aliases, 1);
    assert_string_equal(v->aliases[0], "GHSA-35jh-r3h4-6jhm");
    assert_int_equal(v->severity, BSN_SEV_HIGH);
    assert_string_equal(v->severity_source, "ghsa");
    assert_int_equal(vendor(v, "nvd"), BSN_SEV_HIGH);
    assert_string_equal(v->fixed_version, "4.17.21");
    assert_int_equal(v->n_cvss, 2);
    /* no GHSA severity: NVD */
    v = find(&r, "CVE-2021-44906", "minimist");
    assert_non_null(v);
    assert_int_equal(v->severity, BSN_SEV_CRITICAL);
    assert_string_equal(v->severity_source, "nvd");
    /* PEP 503 name; the fix of the installed version's branch */
    v = find(&r, "PYSEC-2021-0001", "Django_Rest.Framework");
    assert_non_null(v);
    assert_string_equal(v->fixed_version, "3.12.4");
    assert_int_equal(v->severity, BSN_SEV_UNKNOWN);
    assert_null(v->severity_source);
    assert_int_equal(r.n_vulns, 3);
    assert_int_equal(r.n_diags, 0);
    bsn_arena_free(r.arena);
}

static void
test_stale(void **state)
{
    (void)state;
    struct bsn_result r;
    run(&r, NULL, 0, NULL, NULL, built_at + 10 * 86400, 7 * 86400);
    assert_true(diag_has(&r, "vulnerability database is stale: built 2026-01-01"));
    bsn_arena_free(r.arena);
    run(&r, NULL, 0, NULL, NULL, built_at + 6 * 86400, 7 * 86400);
    assert_int_equal(r.n_diags, 0);
    bsn_arena_free(r.arena);
}

static void
test_rules(void **state)
{
    (void)state;
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_os os = { .family = "debian", .version = "12.7" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "debian:12");
    os = (struct bsn_os){ .family = "debian", .version = "trixie/sid" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "debian:13");
    os = (struct bsn_os){ .family = "ubuntu", .version = "22.04" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "ubuntu:22.04");
    os = (struct bsn_os){ .family = "alpine", .version = "3.19.1" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "alpine:3.19");
    os = (struct bsn_os){ .family = "amazon", .version = "2023.4.20240401" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "amazon:2023");
    os = (struct bsn_os){ .family = "amazon", .version = "2018.03" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "amazon:1");
    os = (struct bsn_os){ .family = "centos", .version = "7.9.2009" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "rhel:7");
    os = (struct bsn_os){ .family = "wolfi", .version = "20230201" };
    assert_string_equal(bsn_match_os_namespace(a, &os), "wolfi");
    os = (struct bsn_os){ .family = "plan9", .version = "4" };
    assert_null(bsn_match_os_namespace(a, &os));
    assert_string_equal(bsn_match_pep503(a, "Django_Rest.Framework"), "django-rest-framework");
    assert_string_equal(bsn_match_pep503(a, "zope..interface"), "zope-interface");
    assert_string_equal(bsn_match_strip_binnmu(a, "1.0-1+b12"), "1.0-1");
    assert_string_equal(bsn_match_strip_binnmu(a, "1.0+bzr5-1"), "1.0+bzr5-1");
    enum bsn_severity s;
    assert_true(bsn_match_sev_word("important", &s) && s == BSN_SEV_HIGH);
    assert_true(bsn_match_sev_word("MODERATE", &s) && s == BSN_SEV_MEDIUM);
    assert_false(bsn_match_sev_word("not yet assigned", &s));
    assert_int_equal(bsn_match_cvss_band(9.0), BSN_SEV_CRITICAL);
    assert_int_equal(bsn_match_cvss_band(8.9), BSN_SEV_HIGH);
    assert_int_equal(bsn_match_cvss_band(4.0), BSN_SEV_MEDIUM);
    assert_int_equal(bsn_match_cvss_band(0.1), BSN_SEV_LOW);
    assert_int_equal(bsn_match_cvss_band(0), BSN_SEV_UNKNOWN);
    bsn_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_debian),
        cmocka_unit_test(test_bundle_split),
        cmocka_unit_test(test_debian_eol_and_unknown),
        cmocka_unit_test(test_alpine_origin),
        cmocka_unit_test(test_rpm_epoch_module),
        cmocka_unit_test(test_language),
        cmocka_unit_test(test_stale),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
