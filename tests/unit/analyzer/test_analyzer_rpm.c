/*
 * rpm analyzers (rpm databases and the Azure Linux container manifest): every case of
 * tests/data/rpm through bsn_scan_files.
 *
 * Asserted per package, where the case states it: name, version "VERSION-RELEASE", epoch
 * (null in the peers' data = -1 here), arch, the source rpm split into source_name and
 * source_version ("V-R"), license, vendor ("" = none), modularity label ("" = none), purl.
 * Full lists: sle15-bci-ndb (peer), syft-dive-bdb (peer), the manifest (peer), and for the
 * CBL-Mariner SQLite database the 129 packages rpm 4.18 itself lists (the case's
 * cross_check, a second oracle beside the peer's curl record).
 * Corrupt databases (garbage, truncated, a cyclic Berkeley DB overflow chain, an NDB slot
 * pointing outside the file) give a diagnostic naming the file, and no crash or hang.
 */
#include <stdbool.h>

#include <sqlite3.h>

#include "ospkg_golden.h"

/* "name-1.2-3.src.rpm" -> name, "1.2-3" (computed here, independently of bosun) */
static void
split_srpm(const char *srpm, char *name, char *ver, size_t cap)
{
    size_t n = strlen(srpm) - strlen(".src.rpm");
    const char *rel = NULL, *v = NULL;
    for (size_t i = n; i > 0; i--) {
        if (srpm[i - 1] == '-') {
            if (!rel)
                rel = srpm + i;
            else {
                v = srpm + i;
                break;
            }
        }
    }
    assert_non_null(v);
    snprintf(name, cap, "%.*s", (int)(v - 1 - srpm), srpm);
    snprintf(ver, cap, "%.*s", (int)(srpm + n - v), v);
}

static void
check_pkg(const char *case_name, const struct bsn_result *r, json_t *e)
{
    char version[512], sname[512], sver[512];
    const char *pname = jstr(e, "name");
    snprintf(version, sizeof(version), "%s-%s", jstr(e, "version"), jstr(e, "release"));
    const struct bsn_package *p = ospkg_find(r, "rpm", pname, version);
    if (!p)
        fail_msg("%s: package %s %s missing", case_name, pname, version);
    json_t *epoch = json_object_get(e, "epoch");
    int want_epoch = json_is_integer(epoch) ? (int)json_integer_value(epoch) : -1;
    if (p->epoch != want_epoch)
        fail_msg("%s: %s epoch %d, expected %d", case_name, pname, p->epoch, want_epoch);
    ospkg_assert_str("arch", pname, p->arch, jstr(e, "arch"));
    if (jstr(e, "source_rpm")) {
        split_srpm(jstr(e, "source_rpm"), sname, sver, sizeof(sname));
        ospkg_assert_str("source_name", pname, p->source_name, sname);
        ospkg_assert_str("source_version", pname, p->source_version, sver);
    }
    if (jstr(e, "license")) {
        assert_int_equal(p->n_licenses, 1);
        ospkg_assert_str("license", pname, p->licenses[0], jstr(e, "license"));
    }
    const char *vendor = jstr(e, "vendor");
    if (vendor && *vendor)
        ospkg_assert_str("vendor", pname, p->vendor, vendor);
    else if (vendor)
        assert_null(p->vendor);
    const char *mod = jstr(e, "modularitylabel");
    if (mod && *mod)
        ospkg_assert_str("module", pname, p->module, mod);
    else if (mod)
        assert_null(p->module);
    ospkg_assert_str("purl", pname, p->purl, jstr(e, "purl"));
    assert_non_null(p->purl);
}

static size_t cases_checked;

static void
check_case(const char *kind, const char *name)
{
    json_t *exp = ospkg_expected(kind, name);
    struct bsn_result *r = ospkg_scan(kind, name, exp);
    size_t got = ospkg_count(r, "rpm");
    json_t *pkgs = json_object_get(exp, "packages");
    json_t *asserted = json_object_get(exp, "packages_asserted");
    json_t *cross = json_object_get(exp, "cross_check_not_peer_asserted");
    size_t i;
    json_t *e;
    if (json_is_array(pkgs)) {
        if (got != json_array_size(pkgs))
            fail_msg("%s: %zu packages, expected %zu", name, got, json_array_size(pkgs));
        json_array_foreach(pkgs, i, e)
            check_pkg(name, r, e);
    }
    json_array_foreach(asserted, i, e)
        check_pkg(name, r, e);
    if (json_is_object(cross)) {
        json_t *list = json_object_get(cross, "packages");
        assert_int_equal(got, json_integer_value(json_object_get(cross, "package_count")));
        assert_int_equal(got, json_array_size(list));
        json_array_foreach(list, i, e)
            check_pkg(name, r, e);
    }
    if (!json_is_array(pkgs) && !json_is_object(cross))
        assert_true(got >= 1);
    assert_int_equal(r->n_diags, 0);
    cases_checked++;
    bsn_result_free(r);
    json_decref(exp);
}

static void
test_golden_cases(void **state)
{
    (void)state;
    size_t n = ospkg_each("rpm", check_case);
    assert_true(n >= 5);
    assert_int_equal(cases_checked, n);
    ospkg_cleanup();
}

/* The manifest's line rules (syft's, from the case's line_rules_asserted). */
static void
test_manifest_lines(void **state)
{
    (void)state;
    char *m = ospkg_write_tmp(
        "manifest",
        "a\t1.0-1\t0\t0\tV\t(none)\t45000\tx86_64\t0\ta-1.0-1.src.rpm\n"
        "b\t1.0-1\t0\t0\tV\t0\t1\tx86_64\t0\tb-1.0-1.src.rpm\n"
        "c\t1.0-1\t0\t0\tV\t2\t1\tx86_64\t\tc-1.0-1.src.rpm\n"
        "d\t1.0-1\t0\t0\tV\t2\tbogus\tx86_64\t2\td-1.0-1.src.rpm\n"
        "vim\t9.0-1.cm2\n"
        "e\t9.0\t0\t0\tV\t(none)\t1\tx86_64\t0\te-9.0-1.src.rpm\n");
    const char *img[] = { "var/lib/rpmmanifest/container-manifest-2" };
    const char *disk[] = { m };
    struct bsn_result *r = ospkg_scan_paths(1, img, disk);
    assert_int_equal(ospkg_count(r, "rpm"), 4);
    assert_int_equal(ospkg_find(r, "rpm", "a", "1.0-1")->epoch, -1);
    assert_int_equal(ospkg_find(r, "rpm", "b", "1.0-1")->epoch, 0);
    assert_int_equal(ospkg_find(r, "rpm", "c", "1.0-1")->epoch, -1);
    assert_int_equal(ospkg_find(r, "rpm", "d", "1.0-1")->epoch, 2);
    assert_null(ospkg_find(r, "rpm", "vim", NULL));
    assert_null(ospkg_find(r, "rpm", "e", NULL));
    assert_true(ospkg_has_diag(r, "line 5"));
    assert_true(ospkg_has_diag(r, "line 6"));
    bsn_result_free(r);
    free(m);
    ospkg_cleanup();
}

/* OS known: namespace and distro qualifier. */
static void
test_purl_with_os(void **state)
{
    (void)state;
    char osr_path[1024], db[1024];
    char *osr = ospkg_write_tmp("os-release", "ID=\"rhel\"\nVERSION_ID=\"8.8\"\n");
    snprintf(osr_path, sizeof(osr_path), "%s", osr);
    snprintf(db, sizeof(db), "%s/rpm/syft-dive-bdb/Packages", BSN_TEST_DATA);
    const char *img[] = { "etc/os-release", "var/lib/rpm/Packages" };
    const char *disk[] = { osr_path, db };
    struct bsn_result *r = ospkg_scan_paths(2, img, disk);
    const struct bsn_package *p = ospkg_find(r, "rpm", "dive", "0.9.2-1");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:rpm/redhat/dive@0.9.2-1?arch=x86_64&distro=rhel-8.8"
                                 "&upstream=dive-0.9.2-1.src.rpm");
    bsn_result_free(r);
    free(osr);

    osr = ospkg_write_tmp("os-release", "ID=\"sles\"\nVERSION_ID=\"15.3\"\n");
    snprintf(osr_path, sizeof(osr_path), "%s", osr);
    r = ospkg_scan_paths(2, img, disk);
    p = ospkg_find(r, "rpm", "dive", "0.9.2-1");
    assert_string_equal(p->purl, "pkg:rpm/suse/dive@0.9.2-1?arch=x86_64&distro=sles-15.3"
                                 "&upstream=dive-0.9.2-1.src.rpm");
    bsn_result_free(r);
    free(osr);
    ospkg_cleanup();
}

static unsigned char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)n);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void
expect_corrupt(const char *img_path, const unsigned char *data, size_t len)
{
    char *f = ospkg_write_tmp("corrupt", "");
    FILE *fp = fopen(f, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
    const char *img[] = { img_path };
    const char *disk[] = { f };
    struct bsn_result *r = ospkg_scan_paths(1, img, disk);
    if (ospkg_count(r, "rpm") != 0)
        fail_msg("%s: packages from a corrupt database", img_path);
    if (!ospkg_has_diag(r, img_path))
        fail_msg("%s (%zu bytes): no diagnostic naming the file (%zu diagnostics)", img_path,
                 len, r->n_diags);
    bsn_result_free(r);
    free(f);
}

static void
test_corrupt_databases(void **state)
{
    (void)state;
    static const unsigned char garbage[4096] = "this is not a database";
    expect_corrupt("var/lib/rpm/Packages", garbage, sizeof(garbage));
    expect_corrupt("var/lib/rpm/Packages.db", garbage, sizeof(garbage));
    expect_corrupt("var/lib/rpm/rpmdb.sqlite", garbage, sizeof(garbage));

    /* A cyclic overflow chain: every overflow page points to itself. */
    char path[1024];
    size_t len;
    snprintf(path, sizeof(path), "%s/rpm/syft-dive-bdb/Packages", BSN_TEST_DATA);
    unsigned char *bdb = slurp(path, &len);
    uint32_t pagesize = (uint32_t)bdb[20] | (uint32_t)bdb[21] << 8 | (uint32_t)bdb[22] << 16;
    size_t loops = 0;
    for (uint32_t pg = 1; (size_t)(pg + 1) * pagesize <= len; pg++) {
        unsigned char *h = bdb + (size_t)pg * pagesize;
        if (h[25] != 7)
            continue;
        h[16] = (unsigned char)pg;
        h[17] = (unsigned char)(pg >> 8);
        h[18] = h[19] = 0;
        loops++;
    }
    assert_true(loops > 0);
    expect_corrupt("var/lib/rpm/Packages", bdb, len);
    /* Truncated to half. */
    expect_corrupt("var/lib/rpm/Packages", bdb, len / 2);
    free(bdb);

    /* NDB: the first used slot points far outside the file. */
    char *ndb_path = NULL;
    snprintf(path, sizeof(path), "%s/rpm/sle15-bci-ndb/Packages.db.tar.xz", BSN_TEST_DATA);
    ndb_path = ospkg_unpack(path, "Packages.db", "ndb");
    unsigned char *ndb = slurp(ndb_path, &len);
    for (size_t off = 32; off + 16 <= 4096; off += 16) {
        if (ndb[off + 4] || ndb[off + 5]) {
            ndb[off + 8] = ndb[off + 9] = ndb[off + 10] = ndb[off + 11] = 0xff;
            break;
        }
    }
    /* Only that package is lost: the others are still read, with a warning. */
    char *f = ospkg_write_tmp("ndb-bad", "");
    FILE *fp = fopen(f, "wb");
    assert_int_equal(fwrite(ndb, 1, len, fp), len);
    fclose(fp);
    const char *img[] = { "usr/lib/sysimage/rpm/Packages.db" };
    const char *disk[] = { f };
    struct bsn_result *r = ospkg_scan_paths(1, img, disk);
    assert_int_equal(ospkg_count(r, "rpm"), 34);
    assert_true(ospkg_has_diag(r, "points outside the file"));
    bsn_result_free(r);
    /* SQLite truncated mid-way. */
    snprintf(path, sizeof(path), "%s/rpm/cbl-mariner-2.0-sqlite/rpmdb.sqlite.tar.xz",
             BSN_TEST_DATA);
    char *sq_path = ospkg_unpack(path, "rpmdb.sqlite", "sq");
    unsigned char *sq = slurp(sq_path, &len);
    expect_corrupt("var/lib/rpm/rpmdb.sqlite", sq, 4096);
    free(sq);
    free(sq_path);
    free(ndb);
    free(ndb_path);
    free(f);
    ospkg_cleanup();
}

/* Huge counts: slot pages, page numbers and header sizes far beyond the file. */
static void
test_huge_counts(void **state)
{
    (void)state;
    char path[1024];
    size_t len;
    snprintf(path, sizeof(path), "%s/rpm/syft-dive-bdb/Packages", BSN_TEST_DATA);
    unsigned char *bdb = slurp(path, &len);
    bdb[32] = bdb[33] = bdb[34] = bdb[35] = 0xff; /* last_pgno */
    expect_corrupt("var/lib/rpm/Packages", bdb, len);
    free(bdb);

    unsigned char ndb[8192] = { 'R', 'p', 'm', 'P', 0, 0, 0, 0,
                                1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
    expect_corrupt("var/lib/rpm/Packages.db", ndb, sizeof(ndb));

    /* SQLite rpmdb whose header blobs claim 65536 tags, or 256 MiB of data. */
    char *f = ospkg_write_tmp("huge.sqlite", "");
    unlink(f);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, "
                                      "blob BLOB NOT NULL)", NULL, NULL, NULL), SQLITE_OK);
    static const unsigned char blobs[][24] = {
        { 0, 1, 0, 0, 0, 0, 0, 16 },
        { 0, 0, 0, 1, 0x0f, 0xff, 0xff, 0xff },
        { 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 3, 0xe8, 0, 0, 0, 6, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1 },
    };
    for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES (?)", -1,
                                            &st, NULL), SQLITE_OK);
        sqlite3_bind_blob(st, 1, blobs[i], sizeof(blobs[i]), SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    const char *img[] = { "usr/lib/sysimage/rpm/rpmdb.sqlite" };
    const char *disk[] = { f };
    struct bsn_result *r = ospkg_scan_paths(1, img, disk);
    assert_int_equal(ospkg_count(r, "rpm"), 0);
    assert_true(ospkg_has_diag(r, "invalid size"));
    assert_true(ospkg_has_diag(r, "no readable package"));
    bsn_result_free(r);
    free(f);
    ospkg_cleanup();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_cases),
        cmocka_unit_test(test_manifest_lines),
        cmocka_unit_test(test_purl_with_os),
        cmocka_unit_test(test_corrupt_databases),
        cmocka_unit_test(test_huge_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
