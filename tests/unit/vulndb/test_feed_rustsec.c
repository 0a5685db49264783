/*
 * RustSec importer: builds a database from the whole RustSec snapshot
 * (tests/data/feeds/rustsec/rustsec-advisory-db.tar.xz) through the library and checks
 *   - the record count against an independent count of the archive (advisory files whose
 *     front matter has no "withdrawn" line), nothing skipped;
 *   - 23 hand-picked advisories: per version, whether the stored ranges (evaluated with the
 *     Cargo scheme) say vulnerable and which fixed version the matching row gives, derived by
 *     hand from each file's [versions] patched/unaffected lists; aliases, severity from the
 *     CVSS vector, toolchain namespace, withdrawn advisories absent;
 *   - every advisory of the snapshot, differentially: for release versions around each version
 *     its requirements name, "vulnerable by the stored rows" must equal "satisfies no patched
 *     and no unaffected requirement" (each requirement evaluated as written with the Cargo
 *     scheme, the way cargo-audit decides);
 *   - malformed records (bad requirement, bad TOML, no front matter) skipped with warnings
 *     naming file and record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "bosun.h"
#include "textfmt/toml.h"
#include "version/version.h"
#include "vulndb/vulndb.h"

extern const struct bsn_scheme bsn_scheme_cargo;

#define ARCHIVE BSN_TEST_DATA "/feeds/rustsec/rustsec-advisory-db.tar.xz"

#include "feed_db_fixture.h"

static int
setup(void **state)
{
    (void)state;
    return feed_db_open("rustsec", ARCHIVE);
}

static int
teardown(void **state)
{
    (void)state;
    return feed_db_close();
}

/*
 * Independent count: .md files under crates/ or rust/ opening with ```toml and [advisory],
 * minus those whose front matter has a "withdrawn = " line.
 */
static void
test_record_count(void **state)
{
    (void)state;
    struct archive *ar = archive_read_new();
    archive_read_support_filter_all(ar);
    archive_read_support_format_all(ar);
    assert_int_equal(archive_read_open_filename(ar, ARCHIVE, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    size_t files = 0, withdrawn = 0;
    static char buf[1 << 20];
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        size_t n = strlen(p);
        if (n < 4 || strcmp(p + n - 3, ".md") != 0 ||
            !(strstr(p, "/crates/") || strstr(p, "/rust/")))
            continue;
        la_ssize_t got = archive_read_data(ar, buf, sizeof(buf) - 1);
        assert_true(got > 0);
        buf[got] = '\0';
        if (strncmp(buf, "```toml", 7) != 0 || !strstr(buf, "[advisory]"))
            continue;
        files++;
        char *end = strstr(buf + 7, "\n```");
        assert_non_null(end);
        *end = '\0';
        if (strstr(buf, "\nwithdrawn = "))
            withdrawn++;
    }
    archive_read_free(ar);
    /* the snapshot's README: 1,225 advisories (1,205 crates + 20 toolchain) */
    assert_int_equal(files, 1225);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(db_path, "rustsec", a);
    assert_int_equal(s->records, files - withdrawn);
    assert_int_equal(s->skipped, 0);
    assert_string_equal(s->newest, "2026-08-20");
    bsn_arena_free(a);
}

struct probe {
    const char *id, *ns, *pkg, *version;
    bool vulnerable;
    const char *fixed; /* of the row containing version; NULL = none */
};

/* Derived by hand from each advisory's [versions] (see the file comment). */
static const struct probe probes[] = {
    /*
     * tokio RUSTSEC-2023-0001: patched >=1.18.4,<1.19.0 | >=1.20.3,<1.21.0 | >=1.23.1;
     * unaffected <1.7.0
     */
    { "RUSTSEC-2023-0001", "crates.io", "tokio", "1.6.0", false, NULL },
    { "RUSTSEC-2023-0001", "crates.io", "tokio", "1.7.0", true, "1.18.4" },
    { "RUSTSEC-2023-0001", "crates.io", "tokio", "1.18.4", false, NULL },
    { "RUSTSEC-2023-0001", "crates.io", "tokio", "1.19.0", true, "1.20.3" },
    { "RUSTSEC-2023-0001", "crates.io", "tokio", "1.21.5", true, "1.23.1" },
    { "RUSTSEC-2023-0001", "crates.io", "tokio", "1.23.1", false, NULL },
    /* time RUSTSEC-2020-0071: patched >=0.2.23; unaffected =0.2.0 … =0.2.6 */
    { "RUSTSEC-2020-0071", "crates.io", "time", "0.1.45", true, "0.2.0" },
    { "RUSTSEC-2020-0071", "crates.io", "time", "0.2.3", false, NULL },
    { "RUSTSEC-2020-0071", "crates.io", "time", "0.2.7", true, "0.2.23" },
    { "RUSTSEC-2020-0071", "crates.io", "time", "0.3.0", false, NULL },
    /* openssl RUSTSEC-2025-0022: patched >=0.10.72; unaffected <0.10.39 */
    { "RUSTSEC-2025-0022", "crates.io", "openssl", "0.10.38", false, NULL },
    { "RUSTSEC-2025-0022", "crates.io", "openssl", "0.10.39", true, "0.10.72" },
    { "RUSTSEC-2025-0022", "crates.io", "openssl", "0.10.72", false, NULL },
    /* rust/std CVE-2015-20001: patched >=1.2.0; unaffected <1.0.0 (toolchain) */
    { "CVE-2015-20001", "rust-toolchain", "std", "0.9.0", false, NULL },
    { "CVE-2015-20001", "rust-toolchain", "std", "1.1.0", true, "1.2.0" },
    { "CVE-2015-20001", "rust-toolchain", "std", "1.2.0", false, NULL },
    /* hyper RUSTSEC-2021-0078: patched >=0.14.10 */
    { "RUSTSEC-2021-0078", "crates.io", "hyper", "0.14.9", true, "0.14.10" },
    { "RUSTSEC-2021-0078", "crates.io", "hyper", "0.14.10", false, NULL },
    /* smallvec RUSTSEC-2021-0003: patched >=0.6.14,<1.0.0 | >=1.6.1; unaffected <0.6.3 */
    { "RUSTSEC-2021-0003", "crates.io", "smallvec", "0.6.2", false, NULL },
    { "RUSTSEC-2021-0003", "crates.io", "smallvec", "0.6.3", true, "0.6.14" },
    { "RUSTSEC-2021-0003", "crates.io", "smallvec", "0.6.14", false, NULL },
    { "RUSTSEC-2021-0003", "crates.io", "smallvec", "1.0.0", true, "1.6.1" },
    { "RUSTSEC-2021-0003", "crates.io", "smallvec", "1.6.1", false, NULL },
    /* regex RUSTSEC-2022-0013: patched >=1.5.5 */
    { "RUSTSEC-2022-0013", "crates.io", "regex", "1.5.4", true, "1.5.5" },
    { "RUSTSEC-2022-0013", "crates.io", "regex", "1.5.5", false, NULL },
    /* chrono RUSTSEC-2020-0159: patched ">=0.4.20" (no blank) */
    { "RUSTSEC-2020-0159", "crates.io", "chrono", "0.4.19", true, "0.4.20" },
    { "RUSTSEC-2020-0159", "crates.io", "chrono", "0.4.20", false, NULL },
    /* h2 RUSTSEC-2024-0003: patched ^0.3.24 (= >=0.3.24,<0.4.0) | >=0.4.2 */
    { "RUSTSEC-2024-0003", "crates.io", "h2", "0.3.23", true, "0.3.24" },
    { "RUSTSEC-2024-0003", "crates.io", "h2", "0.3.26", false, NULL },
    { "RUSTSEC-2024-0003", "crates.io", "h2", "0.4.0", true, "0.4.2" },
    { "RUSTSEC-2024-0003", "crates.io", "h2", "0.4.2", false, NULL },
    /* rustls RUSTSEC-2024-0336: patched >=0.23.5 | >=0.22.4,<0.23.0 | >=0.21.11,<0.22.0 */
    { "RUSTSEC-2024-0336", "crates.io", "rustls", "0.21.10", true, "0.21.11" },
    { "RUSTSEC-2024-0336", "crates.io", "rustls", "0.21.11", false, NULL },
    { "RUSTSEC-2024-0336", "crates.io", "rustls", "0.22.0", true, "0.22.4" },
    { "RUSTSEC-2024-0336", "crates.io", "rustls", "0.23.4", true, "0.23.5" },
    { "RUSTSEC-2024-0336", "crates.io", "rustls", "0.23.5", false, NULL },
    /*
     * actix-web RUSTSEC-2018-0019: patched "> 0.7.19": vulnerable up to and including
     * 0.7.19, first fixed release unknown
     */
    { "RUSTSEC-2018-0019", "crates.io", "actix-web", "0.7.19", true, NULL },
    { "RUSTSEC-2018-0019", "crates.io", "actix-web", "0.7.20", false, NULL },
    /* dbn RUSTSEC-2024-0377: patched "> 0.22.0" */
    { "RUSTSEC-2024-0377", "crates.io", "dbn", "0.22.0", true, NULL },
    { "RUSTSEC-2024-0377", "crates.io", "dbn", "0.22.1", false, NULL },
    /* ammonia RUSTSEC-2022-0003: patched >=3.1.3; unaffected <3.0.0 */
    { "RUSTSEC-2022-0003", "crates.io", "ammonia", "2.1.0", false, NULL },
    { "RUSTSEC-2022-0003", "crates.io", "ammonia", "3.1.2", true, "3.1.3" },
    { "RUSTSEC-2022-0003", "crates.io", "ammonia", "3.1.3", false, NULL },
    /* informational advisories with empty lists: every version */
    { "RUSTSEC-2025-0039", "crates.io", "anon-vec", "1.0.0", true, NULL },
    { "RUSTSEC-2021-0120", "crates.io", "abomonation", "0.7.3", true, NULL },
    { "RUSTSEC-2025-0056", "crates.io", "adler", "1.0.2", true, NULL },
    { "RUSTSEC-2021-0061", "crates.io", "aes-ctr", "0.6.0", true, NULL },
    /* abi_stable RUSTSEC-2020-0105: patched >=0.9.1 */
    { "RUSTSEC-2020-0105", "crates.io", "abi_stable", "0.9.0", true, "0.9.1" },
    /* anchor-lang RUSTSEC-2026-0146: patched >=1.0.0-rc.2; unaffected <1.0.0-rc.1 */
    { "RUSTSEC-2026-0146", "crates.io", "anchor-lang", "0.31.0", false, NULL },
    { "RUSTSEC-2026-0146", "crates.io", "anchor-lang", "1.0.0-rc.1", true, "1.0.0-rc.2" },
    { "RUSTSEC-2026-0146", "crates.io", "anchor-lang", "1.0.0", false, NULL },
    /* astral-tokio-tar RUSTSEC-2026-0066: patched >=0.6.0 */
    { "RUSTSEC-2026-0066", "crates.io", "astral-tokio-tar", "0.5.6", true, "0.6.0" },
    /* hashbrown RUSTSEC-2024-0402: patched >=0.15.1; unaffected <0.15.0 */
    { "RUSTSEC-2024-0402", "crates.io", "hashbrown", "0.14.5", false, NULL },
    { "RUSTSEC-2024-0402", "crates.io", "hashbrown", "0.15.0", true, "0.15.1" },
    { "RUSTSEC-2024-0402", "crates.io", "hashbrown", "0.15.1", false, NULL },
    /* rust/cargo CVE-2019-16760: the cargo tool, not the crate; patched >=1.26.0 */
    { "CVE-2019-16760", "rust-toolchain", "cargo", "1.25.0", true, "1.26.0" },
    { "CVE-2019-16760", "rust-toolchain", "cargo", "1.26.0", false, NULL },
};

static void
check_probe(const struct probe *p)
{
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_vdb_hit *hits;
    size_t n;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_lookup(vdb, p->ns, p->pkg, a, &hits, &n, &err), BSN_OK);
    bool seen = false, vulnerable = false;
    const char *fixed = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(hits[i].adv->id, p->id) != 0)
            continue;
        seen = true;
        assert_string_equal(hits[i].aff->scheme, "cargo");
        assert_string_equal(hits[i].data_source, "rustsec");
        bool in = true;
        const char *r = hits[i].aff->range;
        if (r) {
            assert_true(strncmp(r, "cargo:", 6) == 0);
            assert_int_equal(bsn_scheme_cargo.satisfies(bsn_str_cstr(p->version),
                                                        bsn_str_cstr(r + 6), &in, &err),
                             BSN_OK);
        }
        if (in) {
            assert_false(vulnerable); /* rows are disjoint */
            vulnerable = true;
            fixed = hits[i].aff->fixed;
            assert_int_equal(hits[i].aff->status,
                             fixed ? BSN_STATUS_FIXED : BSN_STATUS_AFFECTED);
        }
    }
    if (!seen || vulnerable != p->vulnerable)
        fprintf(stderr, "probe %s %s %s: seen %d vulnerable %d\n", p->id, p->pkg, p->version,
                seen, vulnerable);
    assert_true(seen);
    assert_int_equal(vulnerable, p->vulnerable);
    if (p->fixed) {
        assert_non_null(fixed);
        assert_string_equal(fixed, p->fixed);
    } else {
        assert_null(fixed);
    }
    bsn_arena_free(a);
}

static void
test_hand_picked_ranges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        check_probe(&probes[i]);
}

static const struct bsn_adv *
advisory(struct bsn_arena *a, const char *id)
{
    const struct bsn_adv *adv = NULL;
    const char *ds = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_advisory(vdb, id, a, &adv, &ds, &err), BSN_OK);
    return adv;
}

static bool
has_alias(const struct bsn_adv *adv, const char *alias)
{
    for (size_t i = 0; i < adv->n_aliases; i++)
        if (strcmp(adv->aliases[i], alias) == 0)
            return true;
    return false;
}

static void
test_advisory_fields(void **state)
{
    (void)state;
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_adv *adv = advisory(a, "RUSTSEC-2023-0001");
    assert_non_null(adv);
    assert_string_equal(adv->summary, "reject_remote_clients Configuration corruption");
    assert_string_equal(adv->published, "2023-01-04");
    assert_true(has_alias(adv, "CVE-2023-22466"));
    assert_true(has_alias(adv, "GHSA-7rrj-xr53-82p7"));
    assert_true(strncmp(adv->description, "On Windows, configuring a named pipe", 36) == 0);

    /* severities from CVSS v3.1 vectors, scored by hand with the v3.1 calculator */
    static const struct {
        const char *id, *severity;
        double score;
    } sev[] = {
        { "RUSTSEC-2020-0071", "MEDIUM", 6.2 },   /* AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H */
        { "RUSTSEC-2021-0078", "MEDIUM", 5.3 },   /* AV:N/…/C:N/I:L/A:N */
        { "RUSTSEC-2021-0003", "CRITICAL", 9.8 }, /* AV:N/…/C:H/I:H/A:H */
        { "RUSTSEC-2022-0013", "HIGH", 7.5 },     /* AV:N/…/C:N/I:N/A:H */
        { "RUSTSEC-2024-0336", "HIGH", 7.5 },
        { "RUSTSEC-2020-0105", "HIGH", 7.5 },
    };
    for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++) {
        adv = advisory(a, sev[i].id);
        assert_non_null(adv);
        assert_string_equal(adv->severity, sev[i].severity);
        assert_int_equal(adv->n_cvss, 1);
        assert_string_equal(adv->cvss[0].version, "3.1");
        assert_true(adv->cvss[0].score > sev[i].score - 0.01 &&
                    adv->cvss[0].score < sev[i].score + 0.01);
    }
    /* a CVSS 4.0 vector is kept; no severity is derived from it */
    adv = advisory(a, "RUSTSEC-2026-0146");
    assert_non_null(adv);
    assert_int_equal(adv->n_cvss, 1);
    assert_string_equal(adv->cvss[0].version, "4.0");
    assert_null(adv->severity);
    /* aliases: several CVEs; lookup by alias */
    adv = advisory(a, "RUSTSEC-2020-0105");
    assert_true(has_alias(adv, "CVE-2020-36212") && has_alias(adv, "CVE-2020-36213"));
    adv = advisory(a, "CVE-2026-32766");
    assert_non_null(adv);
    assert_string_equal(adv->id, "RUSTSEC-2026-0066");
    /* withdrawn: dropped */
    assert_null(advisory(a, "RUSTSEC-2021-0147"));
    /* the cargo tool's advisory is not about the "cargo" crate */
    struct bsn_vdb_hit *hits;
    size_t n;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_lookup(vdb, "crates.io", "cargo", a, &hits, &n, &err), BSN_OK);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(hits[i].adv->id, "CVE-2019-16760");
    /* time's unaffected "=0.2.0" … "=0.2.6" leave no row between consecutive patches */
    assert_int_equal(bsn_vdb_lookup(vdb, "crates.io", "time", a, &hits, &n, &err), BSN_OK);
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(hits[i].adv->id, "RUSTSEC-2020-0071") == 0)
            rows++;
    assert_int_equal(rows, 2); /* "< 0.2.0" and "> 0.2.6, < 0.2.23" */
    bsn_arena_free(a);
}

/* Release versions around every number in the requirement strings. */
static size_t
probe_versions(json_t *lists[2], char out[][32], size_t cap)
{
    size_t n = 0;
    static const char *const fixed[] = { "0.0.0", "0.0.1", "0.1.0", "1.0.0", "99.99.99" };
    for (size_t i = 0; i < 5; i++)
        snprintf(out[n++], 32, "%s", fixed[i]);
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *r;
        json_array_foreach(lists[l], i, r) {
            const char *p = json_string_value(r);
            while (p && *p) {
                if (*p < '0' || *p > '9') {
                    p++;
                    continue;
                }
                unsigned long v[3] = { 0, 0, 0 };
                int k = 0;
                char *end;
                while (k < 3) {
                    v[k++] = strtoul(p, &end, 10);
                    p = end;
                    if (*p != '.' || p[1] < '0' || p[1] > '9')
                        break;
                    p++;
                }
                while (*p && *p != ',' && *p != ' ')
                    p++; /* skip a prerelease or build suffix */
                const unsigned long m[][3] = {
                    { v[0], v[1], v[2] },     { v[0], v[1], v[2] + 1 },
                    { v[0], v[1] + 1, 0 },    { v[0] + 1, 0, 0 },
                    { v[0], v[1], v[2] ? v[2] - 1 : 0 },
                    { v[0], v[1] ? v[1] - 1 : 0, 99 },
                };
                for (size_t j = 0; j < 6 && n < cap; j++)
                    snprintf(out[n++], 32, "%lu.%lu.%lu", m[j][0], m[j][1], m[j][2]);
            }
        }
    }
    return n;
}

static void
test_differential_all(void **state)
{
    (void)state;
    struct archive *ar = archive_read_new();
    archive_read_support_filter_all(ar);
    archive_read_support_format_all(ar);
    assert_int_equal(archive_read_open_filename(ar, ARCHIVE, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    static char buf[1 << 20];
    static char versions[512][32];
    size_t advisories = 0, checks = 0, mismatches = 0;
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        size_t plen = strlen(p);
        if (plen < 4 || strcmp(p + plen - 3, ".md") != 0 ||
            !(strstr(p, "/crates/") || strstr(p, "/rust/")))
            continue;
        la_ssize_t got = archive_read_data(ar, buf, sizeof(buf) - 1);
        assert_true(got > 0);
        buf[got] = '\0';
        if (strncmp(buf, "```toml\n", 8) != 0)
            continue;
        char *end = strstr(buf + 8, "\n```");
        assert_non_null(end);
        json_t *doc = NULL;
        struct bsn_err err = { 0 };
        assert_int_equal(bsn_toml_parse(buf + 8, (size_t)(end - buf - 7), &doc, &err), BSN_OK);
        json_t *adv = json_object_get(doc, "advisory");
        json_t *ver = json_object_get(doc, "versions");
        if (json_object_get(adv, "withdrawn")) {
            json_decref(doc);
            continue;
        }
        const char *id = json_string_value(json_object_get(adv, "id"));
        const char *pkg = json_string_value(json_object_get(adv, "package"));
        const char *ns = strstr(p, "/rust/") ? "rust-toolchain" : "crates.io";
        json_t *lists[2] = { json_object_get(ver, "patched"), json_object_get(ver, "unaffected") };
        size_t nv = probe_versions(lists, versions, 512);
        struct bsn_arena *a = bsn_arena_new();
        struct bsn_vdb_hit *hits;
        size_t n;
        assert_int_equal(bsn_vdb_lookup(vdb, ns, pkg, a, &hits, &n, &err), BSN_OK);
        advisories++;
        for (size_t k = 0; k < nv; k++) {
            struct bsn_str v = bsn_str_cstr(versions[k]);
            bool safe = false;
            for (size_t l = 0; l < 2 && !safe; l++) {
                size_t i;
                json_t *r;
                json_array_foreach(lists[l], i, r) {
                    bool in = false;
                    assert_int_equal(bsn_scheme_cargo.satisfies(
                                         v, bsn_str_cstr(json_string_value(r)), &in, &err),
                                     BSN_OK);
                    safe = safe || in;
                }
            }
            bool vulnerable = false;
            for (size_t i = 0; i < n; i++) {
                if (strcmp(hits[i].adv->id, id) != 0)
                    continue;
                bool in = true;
                if (hits[i].aff->range)
                    assert_int_equal(bsn_scheme_cargo.satisfies(
                                         v, bsn_str_cstr(hits[i].aff->range + 6), &in, &err),
                                     BSN_OK);
                vulnerable = vulnerable || in;
            }
            checks++;
            if (vulnerable == safe) {
                if (mismatches++ < 10)
                    fprintf(stderr, "%s %s %s: stored rows say %s\n", id, pkg, versions[k],
                            vulnerable ? "vulnerable" : "safe");
            }
        }
        bsn_arena_free(a);
        json_decref(doc);
    }
    archive_read_free(ar);
    fprintf(stderr, "rustsec differential: %zu advisories, %zu version checks\n", advisories,
            checks);
    assert_true(advisories > 1200);
    assert_int_equal(mismatches, 0);
}

static void
write_file(const char *path, const char *text)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_malformed_records(void **state)
{
    (void)state;
    char root[300], p[400], out[400];
    snprintf(root, sizeof(root), "%s/bad", dir);
    snprintf(p, sizeof(p), "%s/crates/good/RUSTSEC-2099-0001.md", root);
    write_file(p, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"good\"\n"
                  "date = \"2099-01-01\"\n\n[versions]\npatched = [\">= 1.0.1\"]\n```\n\n# Ok\n");
    snprintf(p, sizeof(p), "%s/crates/bad/RUSTSEC-2099-0002.md", root);
    write_file(p, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0002\"\npackage = \"bad\"\n"
                  "date = \"2099-01-01\"\n\n[versions]\npatched = [\">= banana\"]\n```\n");
    snprintf(p, sizeof(p), "%s/crates/bad/RUSTSEC-2099-0003.md", root);
    write_file(p, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0003\"\npackage = bad\n```\n");
    snprintf(out, sizeof(out), "%s/bad.db", dir);
    char src[400];
    snprintf(src, sizeof(src), "rustsec:%s", root);
    struct warns w = { .n = 0 };
    build(src, out, &w);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(out, "rustsec", a);
    assert_int_equal(s->records, 1);
    assert_int_equal(s->skipped, 2);
    bsn_arena_free(a);
    assert_int_equal(w.n, 2);
    bool saw_req = false, saw_toml = false;
    for (size_t i = 0; i < w.n; i++) {
        if (strstr(w.msg[i], "RUSTSEC-2099-0002.md") && strstr(w.msg[i], "RUSTSEC-2099-0002") &&
            strstr(w.msg[i], "invalid patched requirement '>= banana'"))
            saw_req = true;
        if (strstr(w.msg[i], "RUSTSEC-2099-0003.md") && strstr(w.msg[i], "line 3, column 11"))
            saw_toml = true;
    }
    if (!saw_req || !saw_toml)
        for (size_t i = 0; i < w.n; i++)
            fprintf(stderr, "warning: %s\n", w.msg[i]);
    assert_true(saw_req);
    assert_true(saw_toml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_count),
        cmocka_unit_test(test_hand_picked_ranges),
        cmocka_unit_test(test_advisory_fields),
        cmocka_unit_test(test_differential_all),
        cmocka_unit_test(test_malformed_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
