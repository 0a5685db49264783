/*
 * rubysec importer: builds a database from the whole ruby-advisory-db snapshot
 * (tests/data/feeds/rubysec/rubysec-ruby-advisory-db.tar.xz) through the library and checks
 *   - the record count against an independent count of the archive (distinct advisory file
 *     names under gems/ and rubies/: one CVE filed under two gems is one advisory);
 *   - 21 hand-picked advisories: the exact affected rows (gem: range and fixed version)
 *     worked out by hand from each file's patched_versions/unaffected_versions, severities
 *     from the CVSS scores (v3 before v4 before v2), aliases, the rubies namespace, and
 *     advisories merged across gems;
 *   - every advisory of the snapshot, differentially: for versions around each version its
 *     requirements name, "vulnerable by the stored rows" must equal "satisfies no patched and
 *     no unaffected requirement" (each evaluated as written with the RubyGems scheme, the
 *     way bundler-audit decides);
 *   - malformed records skipped with warnings naming file and record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "bosun.h"
#include "textfmt/yaml.h"
#include "version/version.h"
#include "vulndb/vulndb.h"

extern const struct bsn_scheme bsn_scheme_gem;

#define ARCHIVE BSN_TEST_DATA "/feeds/rubysec/rubysec-ruby-advisory-db.tar.xz"

#include "feed_db_fixture.h"

static int
setup(void **state)
{
    (void)state;
    return feed_db_open("rubysec", ARCHIVE);
}

static int
teardown(void **state)
{
    (void)state;
    return feed_db_close();
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_record_count(void **state)
{
    (void)state;
    struct archive *ar = archive_read_new();
    archive_read_support_filter_all(ar);
    archive_read_support_format_all(ar);
    assert_int_equal(archive_read_open_filename(ar, ARCHIVE, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    char **names = NULL;
    size_t n = 0;
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        size_t len = strlen(p);
        if (len < 5 || strcmp(p + len - 4, ".yml") != 0 ||
            !(strstr(p, "/gems/") || strstr(p, "/rubies/")))
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = strdup(strrchr(p, '/') + 1);
    }
    archive_read_free(ar);
    assert_int_equal(n, 1381); /* README: 1,234 gems + 147 rubies advisories */
    qsort(names, n, sizeof(*names), cmp_str);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
            distinct++;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(db_path, "rubysec", a);
    assert_int_equal(s->records, distinct);
    assert_int_equal(s->skipped, 0);
    assert_string_equal(s->newest, "2026-08-18");
    bsn_arena_free(a);
}

struct row {
    const char *range, *fixed;
};

struct pick {
    const char *id, *ns, *pkg, *severity;
    struct row rows[4]; /* NULL range = every version */
    size_t n_rows;
};

/*
 * Worked out by hand from the files (patched, then unaffected, removed from all versions;
 * "~> X.Y.Z" covers versions below X.(Y+1).A, see feed_rubysec.c).
 */
static const struct pick picks[] = {
    /* unaffected < 8.1.0; patched >= 8.1.2.1; cvss_v4 1.3 */
    { "CVE-2026-33167", "rubygems", "actionpack", "LOW",
      { { "gem:>= 8.1.0, < 8.1.2.1", "8.1.2.1" } }, 1 },
    /* patched ~> 1.15.6, >= 1.16.2; no CVSS */
    { "GHSA-xc9x-jj77-9p9j", "rubygems", "nokogiri", NULL,
      { { "gem:< 1.15.6", "1.15.6" }, { "gem:>= 1.16.A, < 1.16.2", "1.16.2" } }, 2 },
    /* patched ~> 2.2.23, ~> 3.1.21, >= 3.2.6; cvss_v3 5.9 */
    { "CVE-2026-34830", "rubygems", "rack", "MEDIUM",
      { { "gem:< 2.2.23", "2.2.23" }, { "gem:>= 2.3.A, < 3.1.21", "3.1.21" },
        { "gem:>= 3.2.A, < 3.2.6", "3.2.6" } }, 3 },
    /* rubies/ruby: unaffected < 4.0; patched >= 4.0.5; cvss_v3 8.1 */
    { "CVE-2026-46727", "rubies", "ruby", "HIGH", { { "gem:>= 4.0, < 4.0.5", "4.0.5" } }, 1 },
    /* patched ~> 2.3.11, >= 3.0.4; cvss_v2 4.3 */
    { "CVE-2011-0446", "rubygems", "actionpack", "MEDIUM",
      { { "gem:< 2.3.11", "2.3.11" }, { "gem:>= 2.4.A, < 3.0.4", "3.0.4" } }, 2 },
    /* patched >= 4.6.0; cvss_v2 7.5, cvss_v3 9.8: v3 wins */
    { "CVE-2019-5421", "rubygems", "devise", "CRITICAL", { { "gem:< 4.6.0", "4.6.0" } }, 1 },
    { "CVE-2018-8048", "rubygems", "loofah", "MEDIUM", { { "gem:< 2.2.1", "2.2.1" } }, 1 },
    /* patched >= 1.7.0; unaffected <= 1.6.9, >= 1.6.14 */
    { "CVE-2019-15224", "rubygems", "rest-client", "CRITICAL",
      { { "gem:> 1.6.9, < 1.6.14", "1.6.14" } }, 1 },
    /* the same CVE for awesome-bot: unaffected < 1.18.0, > 1.18.0: only 1.18.0 */
    { "CVE-2019-15224", "rubygems", "awesome-bot", "CRITICAL", { { "gem:= 1.18.0", NULL } }, 1 },
    { "CVE-2019-5477", "rubygems", "nokogiri", "CRITICAL", { { "gem:< 1.10.4", "1.10.4" } }, 1 },
    { "CVE-2020-10663", "rubygems", "json", "HIGH", { { "gem:< 2.3.0", "2.3.0" } }, 1 },
    /* patched ~> 3.12.5, >= 4.3.4 */
    { "CVE-2020-11076", "rubygems", "puma", "HIGH",
      { { "gem:< 3.12.5", "3.12.5" }, { "gem:>= 3.13.A, < 4.3.4", "4.3.4" } }, 2 },
    /* no lists: every version */
    { "CVE-2011-10026", "rubygems", "rd_searchlogic", "CRITICAL", { { NULL, NULL } }, 1 },
    /* patched >= 0.50.0; unaffected < 0.30.0.beta1 */
    { "CVE-2011-10026", "rubygems", "spree", "CRITICAL",
      { { "gem:>= 0.30.0.beta1, < 0.50.0", "0.50.0" } }, 1 },
    /* one CVE, three gems */
    { "CVE-2014-9489", "rubygems", "gollum", "HIGH", { { "gem:< 3.1.1", "3.1.1" } }, 1 },
    { "CVE-2014-9489", "rubygems", "gollum-lib", "HIGH", { { "gem:< 4.0.1", "4.0.1" } }, 1 },
    { "CVE-2014-9489", "rubygems", "gollum-grit_adapter", "HIGH",
      { { "gem:< 0.1.1", "0.1.1" } }, 1 },
    { "OSVDB-95376", "rubygems", "activerecord-oracle_enhanced-adapter", NULL,
      { { "gem:< 1.1.8", "1.1.8" } }, 1 },
    { "OSVDB-95749", "rubygems", "activeresource", NULL, { { "gem:< 2.2.0", "2.2.0" } }, 1 },
    /* rubies/jruby, cvss_v2 4.3 */
    { "CVE-2010-1330", "rubies", "jruby", "MEDIUM", { { "gem:< 1.4.1", "1.4.1" } }, 1 },
    /* unaffected < 43.0.0; patched >= 43.5.6; cvss_v4 6.9 */
    { "CVE-2026-54659", "rubygems", "pagy", "MEDIUM",
      { { "gem:>= 43.0.0, < 43.5.6", "43.5.6" } }, 1 },
    /* patched ~> 5.2.8; ~> 6.1.7, >= 6.1.7.1; >= 7.0.4.1 */
    { "CVE-2023-22795", "rubygems", "actionpack", NULL,
      { { "gem:< 5.2.8", "5.2.8" }, { "gem:>= 5.3.A, < 6.1.7.1", "6.1.7.1" },
        { "gem:>= 6.2.A, < 7.0.4.1", "7.0.4.1" } }, 3 },
    /*
     * patched >= 5.0.0.beta1.1; ~> 4.2.5, >= 4.2.5.1; ~> 4.1.14, >= 4.1.14.1;
     * unaffected <= 4.0.13; cvss_v3 5.3
     */
    { "CVE-2016-0753", "rubygems", "activemodel", "MEDIUM",
      { { "gem:> 4.0.13, < 4.1.14.1", "4.1.14.1" }, { "gem:>= 4.2.A, < 4.2.5.1", "4.2.5.1" },
        { "gem:>= 4.3.A, < 5.0.0.beta1.1", "5.0.0.beta1.1" } }, 3 },
    /* patched ~> 2.3.11, > 3.0.4; unaffected < 3.0.0: 3.0.0 up to and including 3.0.4 */
    { "CVE-2011-0448", "rubygems", "activerecord", "HIGH", { { "gem:>= 3.0.0, <= 3.0.4", NULL } },
      1 },
    /* patched >= 4.2.4; unaffected < 4.2.3, > 4.2.3: only 4.2.3 */
    { "CVE-2019-16060", "rubygems", "airbrake-ruby", "CRITICAL", { { "gem:= 4.2.3", NULL } }, 1 },
};

static bool
same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void
check_pick(const struct pick *p)
{
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_vdb_hit *hits;
    size_t n, found = 0;
    bool used[4] = { false };
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_lookup(vdb, p->ns, p->pkg, a, &hits, &n, &err), BSN_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(hits[i].adv->id, p->id) != 0)
            continue;
        found++;
        assert_string_equal(hits[i].aff->scheme, "gem");
        assert_string_equal(hits[i].data_source, "rubysec");
        assert_true(same(hits[i].adv->severity, p->severity));
        bool match = false;
        for (size_t k = 0; k < p->n_rows && !match; k++) {
            if (!used[k] && same(hits[i].aff->range, p->rows[k].range) &&
                same(hits[i].aff->fixed, p->rows[k].fixed)) {
                used[k] = match = true;
                assert_int_equal(hits[i].aff->status,
                                 p->rows[k].fixed ? BSN_STATUS_FIXED : BSN_STATUS_AFFECTED);
            }
        }
        if (!match)
            fprintf(stderr, "%s %s: unexpected row '%s' fixed '%s'\n", p->id, p->pkg,
                    hits[i].aff->range ? hits[i].aff->range : "(all)",
                    hits[i].aff->fixed ? hits[i].aff->fixed : "(none)");
        assert_true(match);
    }
    if (found != p->n_rows)
        fprintf(stderr, "%s %s: %zu rows, want %zu\n", p->id, p->pkg, found, p->n_rows);
    assert_int_equal(found, p->n_rows);
    bsn_arena_free(a);
}

static void
test_hand_picked(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++)
        check_pick(&picks[i]);
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
    const struct bsn_adv *adv = advisory(a, "CVE-2026-33167");
    assert_non_null(adv);
    assert_string_equal(adv->summary, "Rails has a possible XSS vulnerability in its Action "
                                      "Pack debug exceptions");
    assert_string_equal(adv->published, "2026-03-23");
    assert_true(has_alias(adv, "GHSA-pgm4-439c-5jp6"));
    assert_true(strncmp(adv->description, "### Impact\nThe debug exceptions page", 36) == 0);
    assert_int_equal(adv->n_cvss, 1);
    assert_string_equal(adv->cvss[0].version, "4.0");
    assert_true(adv->cvss[0].score > 1.29 && adv->cvss[0].score < 1.31);
    assert_true(adv->n_references >= 4);
    assert_string_equal(adv->references[0],
                        "https://github.com/rails/rails/security/advisories/GHSA-pgm4-439c-5jp6");
    /* by alias */
    adv = advisory(a, "GHSA-8xww-x3g3-6jcv");
    assert_non_null(adv);
    assert_string_equal(adv->id, "CVE-2023-22795");
    /* osvdb numbers read as text become aliases */
    adv = advisory(a, "CVE-2010-1330");
    assert_true(has_alias(adv, "OSVDB-77297"));
    /* both scores kept, v3 first */
    adv = advisory(a, "CVE-2019-5421");
    assert_int_equal(adv->n_cvss, 2);
    assert_string_equal(adv->cvss[0].version, "3.1");
    assert_true(adv->cvss[1].score > 7.49 && adv->cvss[1].score < 7.51);
    bsn_arena_free(a);
}

/*
 * Versions around every version named by the requirements: as written, with the last segment
 * one up and one down, one more segment, and the next major.
 */
static size_t
probe_versions(json_t *lists[2], char out[][48], size_t cap)
{
    size_t n = 0;
    static const char *const fixed[] = { "0", "0.0.1", "0.1", "1.0", "99.99.99" };
    for (size_t i = 0; i < 5; i++)
        snprintf(out[n++], 48, "%s", fixed[i]);
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
                size_t len = strspn(p, "0123456789.abcdefghijklmnopqrstuvwxyz");
                if (len >= 32)
                    len = 31;
                char v[32];
                memcpy(v, p, len);
                v[len] = '\0';
                p += len;
                size_t last = len;
                while (last > 0 && v[last - 1] >= '0' && v[last - 1] <= '9')
                    last--;
                unsigned long tail = last < len ? strtoul(v + last, NULL, 10) : 0;
                if (n + 5 > cap)
                    return n;
                snprintf(out[n++], 48, "%s", v);
                snprintf(out[n++], 48, "%s.1", v);
                snprintf(out[n++], 48, "%lu.0", strtoul(v, NULL, 10) + 1);
                if (last < len) {
                    snprintf(out[n++], 48, "%.*s%lu", (int)last, v, tail + 1);
                    if (tail > 0)
                        snprintf(out[n++], 48, "%.*s%lu", (int)last, v, tail - 1);
                }
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
    static char versions[1024][48];
    size_t advisories = 0, checks = 0, mismatches = 0;
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        size_t plen = strlen(p);
        bool ruby = strstr(p, "/rubies/") != NULL;
        if (plen < 5 || strcmp(p + plen - 4, ".yml") != 0 || !(ruby || strstr(p, "/gems/")))
            continue;
        la_ssize_t got = archive_read_data(ar, buf, sizeof(buf) - 1);
        assert_true(got > 0);
        json_t *j = NULL;
        struct bsn_err err = { 0 };
        assert_int_equal(bsn_yaml_parse(buf, (size_t)got, &j, &err), BSN_OK);
        char id[128];
        const char *base = strrchr(p, '/') + 1;
        snprintf(id, sizeof(id), "%.*s", (int)(strlen(base) - 4), base);
        const char *pkg = json_string_value(json_object_get(j, ruby ? "engine" : "gem"));
        json_t *lists[2] = { json_object_get(j, "patched_versions"),
                             json_object_get(j, "unaffected_versions") };
        size_t nv = probe_versions(lists, versions, 1024);
        struct bsn_arena *a = bsn_arena_new();
        struct bsn_vdb_hit *hits;
        size_t n;
        assert_int_equal(bsn_vdb_lookup(vdb, ruby ? "rubies" : "rubygems", pkg, a, &hits, &n,
                                        &err),
                         BSN_OK);
        advisories++;
        for (size_t k = 0; k < nv; k++) {
            struct bsn_str v = bsn_str_cstr(versions[k]);
            if (!bsn_scheme_gem.valid(v))
                continue;
            bool safe = false;
            for (size_t l = 0; l < 2 && !safe; l++) {
                size_t i;
                json_t *r;
                json_array_foreach(lists[l], i, r) {
                    bool in = false;
                    assert_int_equal(bsn_scheme_gem.satisfies(
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
                    assert_int_equal(bsn_scheme_gem.satisfies(
                                         v, bsn_str_cstr(hits[i].aff->range + 4), &in, &err),
                                     BSN_OK);
                vulnerable = vulnerable || in;
            }
            checks++;
            if (vulnerable == safe && mismatches++ < 10)
                fprintf(stderr, "%s %s %s: stored rows say %s\n", id, pkg, versions[k],
                        vulnerable ? "vulnerable" : "safe");
        }
        bsn_arena_free(a);
        json_decref(j);
    }
    archive_read_free(ar);
    fprintf(stderr, "rubysec differential: %zu advisory files, %zu version checks\n",
            advisories, checks);
    assert_int_equal(advisories, 1381);
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
    char root[300], p[400], out[400], src[400];
    snprintf(root, sizeof(root), "%s/bad", dir);
    snprintf(p, sizeof(p), "%s/gems/good/CVE-2099-0001.yml", root);
    write_file(p, "---\ngem: good\ncve: 2099-0001\ntitle: t\ndate: 2099-01-01\n"
                  "patched_versions:\n  - \">= 1.0\"\n");
    snprintf(p, sizeof(p), "%s/gems/bad/CVE-2099-0002.yml", root);
    write_file(p, "---\ngem: bad\ntitle: t\npatched_versions:\n  - \"!= 1.0\"\n");
    snprintf(p, sizeof(p), "%s/gems/bad/CVE-2099-0003.yml", root);
    write_file(p, "---\ngem: [bad\n");
    snprintf(p, sizeof(p), "%s/gems/bad/CVE-2099-0004.yml", root);
    write_file(p, "---\ntitle: no gem field\n");
    snprintf(p, sizeof(p), "%s/gems/bad/CVE-2099-0005.yml", root);
    write_file(p, "---\ngem: bad\ncvss_v3: high\n");
    snprintf(out, sizeof(out), "%s/bad.db", dir);
    snprintf(src, sizeof(src), "rubysec:%s", root);
    struct warns w = { .n = 0 };
    build(src, out, &w);
    struct bsn_arena *a = bsn_arena_new();
    const struct bsn_db_source *s = source_of(out, "rubysec", a);
    assert_int_equal(s->records, 1);
    assert_int_equal(s->skipped, 4);
    bsn_arena_free(a);
    static const char *const want[][2] = {
        { "CVE-2099-0002.yml", "invalid requirement '!= 1.0'" },
        { "CVE-2099-0003.yml", "invalid YAML: line " },
        { "CVE-2099-0004.yml", "no \"gem\" field" },
        { "CVE-2099-0005.yml", "malformed CVSS score" },
    };
    assert_int_equal(w.n, 4);
    for (size_t k = 0; k < 4; k++) {
        bool seen = false;
        for (size_t i = 0; i < w.n && !seen; i++)
            seen = strstr(w.msg[i], want[k][0]) && strstr(w.msg[i], want[k][1]);
        if (!seen)
            for (size_t i = 0; i < w.n; i++)
                fprintf(stderr, "warning: %s\n", w.msg[i]);
        assert_true(seen);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_count),
        cmocka_unit_test(test_hand_picked),
        cmocka_unit_test(test_advisory_fields),
        cmocka_unit_test(test_differential_all),
        cmocka_unit_test(test_malformed_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
