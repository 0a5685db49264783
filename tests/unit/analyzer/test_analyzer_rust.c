/*
 * Rust analyzers: every Cargo.lock case of tests/data/rust (trivy's cargo parser cases,
 * including the invalid one, which must give a diagnostic and no packages), and cargo-auditable
 * binaries made here: a zlib-compressed ".dep-v0" JSON blob amid pseudo-random bytes (which
 * hold many false zlib headers) at several offsets, across the 256 KiB chunk boundary, cut
 * short, and in a non-ELF file. A real cargo-built binary with the section added by objcopy
 * is checked by tests/integration/test_langbin_binaries.sh.
 */
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "langbin_golden.h"

static char tmpdir[256];

static void
check_lock_case(const char *kind, const char *name)
{
    json_t *exp = golden_expected(kind, name);
    struct bsn_result *r = NULL;
    assert_int_equal(golden_scan(kind, name, exp, &r), BSN_OK);
    json_t *pkgs = json_object_get(exp, "packages");
    assert_int_equal(golden_count_type(r, "cargo"), json_array_size(pkgs));
    size_t i;
    json_t *e;
    json_array_foreach(pkgs, i, e) {
        const char *pname = json_string_value(json_object_get(e, "name"));
        const char *ver = json_string_value(json_object_get(e, "version"));
        const struct bsn_package *p = golden_find(r, "cargo", pname, ver);
        if (!p)
            fail_msg("%s: missing %s@%s", name, pname, ver);
        char purl[256];
        snprintf(purl, sizeof(purl), "pkg:cargo/%s@%s", pname, ver);
        assert_string_equal(p->purl, purl);
        assert_string_equal(p->path, "Cargo.lock");
        assert_int_equal(p->dep, BSN_DEP_UNKNOWN);
    }
    if (json_is_true(json_object_get(exp, "expect_error")))
        assert_true(golden_has_diag(r, "Cargo.lock"));
    else
        assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
    json_decref(exp);
}

static void
test_golden_cargo_lock(void **state)
{
    (void)state;
    assert_int_equal(golden_each("rust", "cargo-lock-", check_lock_case), 3);
}

static void
test_cargo_lock_v3_dedup(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/Cargo.lock", tmpdir);
    FILE *f = fopen(path, "wb");
    fputs("version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n"
          "dependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.195\"\n"
          "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
          "checksum = \"63261df402c67811e9ac6def069e4786148c4563f4b50fd4bf30aa370d626b02\"\n\n"
          "[[package]]\nname = \"serde\"\nversion = \"1.0.195\"\n\n[[package]]\nname = \"x\"\n",
          f);
    fclose(f);
    const char *img[1] = { "src/app/Cargo.lock" }, *disk[1] = { path };
    struct bsn_result *r = golden_scan_paths(1, img, disk);
    assert_int_equal(golden_count_type(r, "cargo"), 2);
    assert_non_null(golden_find(r, "cargo", "serde", "1.0.195"));
    assert_non_null(golden_find(r, "cargo", "app", "0.1.0"));
    assert_true(golden_has_diag(r, "without a name or version"));
    bsn_result_free(r);
    unlink(path);
}

/* ---- cargo-auditable --------------------------------------------------------------------- */

static const char audit_json[] =
    "{\"packages\":[{\"name\":\"app\",\"version\":\"0.1.0\",\"source\":\"local\","
    "\"dependencies\":[1,3],\"root\":true},"
    "{\"name\":\"serde\",\"version\":\"1.0.195\",\"source\":\"crates.io\",\"dependencies\":[2]},"
    "{\"name\":\"serde_derive\",\"version\":\"1.0.195\",\"source\":\"crates.io\"},"
    "{\"name\":\"cc\",\"version\":\"1.0.83\",\"source\":\"crates.io\",\"kind\":\"build\"},"
    "{\"name\":\"itoa\",\"version\":\"1.0.10\",\"source\":\"crates.io\",\"kind\":\"runtime\"}]}";

static uint32_t rng = 12345;

static unsigned char
next_byte(void)
{
    rng = rng * 1103515245u + 12345u;
    return (unsigned char)(rng >> 16);
}

/* "\x7fELF" + noise, the blob at blob_off, more noise; cut to cut bytes when non-zero. */
static void
write_bin(const char *path, size_t blob_off, size_t total, size_t cut, bool elf)
{
    unsigned char z[4096];
    uLongf zlen = sizeof(z);
    assert_int_equal(compress2(z, &zlen, (const Bytef *)audit_json, sizeof(audit_json) - 1, 7),
                     Z_OK);
    unsigned char *f = malloc(total);
    for (size_t i = 0; i < total; i++)
        f[i] = next_byte();
    /* plenty of fake zlib headers in the noise */
    for (size_t i = 64; i + 2 < total; i += 997) {
        f[i] = 0x78;
        f[i + 1] = 0x9c;
    }
    memcpy(f, elf ? "\x7f" "ELF" : "\x7f" "ELG", 4);
    memcpy(f + blob_off, z, zlen);
    FILE *fp = fopen(path, "wb");
    fwrite(f, 1, cut ? cut : total, fp);
    fclose(fp);
    chmod(path, 0755);
    free(f);
}

static void
check_audit(const struct bsn_result *r)
{
    assert_int_equal(golden_count_type(r, "cargo"), 4);
    const struct bsn_package *p = golden_find(r, "cargo", "app", "0.1.0");
    assert_non_null(p);
    assert_int_equal(p->dep, BSN_DEP_ROOT);
    p = golden_find(r, "cargo", "serde", "1.0.195");
    assert_non_null(p);
    assert_int_equal(p->dep, BSN_DEP_DIRECT);
    assert_string_equal(p->purl, "pkg:cargo/serde@1.0.195");
    assert_string_equal(p->path, "usr/bin/app");
    p = golden_find(r, "cargo", "serde_derive", "1.0.195");
    assert_non_null(p);
    assert_int_equal(p->dep, BSN_DEP_INDIRECT);
    assert_non_null(golden_find(r, "cargo", "itoa", "1.0.10"));
    assert_null(golden_find(r, "cargo", "cc", NULL)); /* a build dependency */
}

static void
test_auditable_binary(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/app", tmpdir);
    static const size_t offs[] = { 100, 5000, 262144 - 1, 262144 - 50, 262144, 600000 };
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        write_bin(path, offs[i], 700000, 0, true);
        const char *img[1] = { "usr/bin/app" }, *disk[1] = { path };
        struct bsn_result *r = golden_scan_paths(1, img, disk);
        check_audit(r);
        assert_int_equal(r->n_diags, 0);
        bsn_result_free(r);
    }
    unlink(path);
}

static void
test_auditable_after_false_start(void **state)
{
    (void)state;
    /* a stream that shows the prefix and then breaks, then the real one: found */
    char path[512];
    snprintf(path, sizeof(path), "%s/app2", tmpdir);
    write_bin(path, 200000, 400000, 0, true);
    unsigned char z[4096];
    uLongf zlen = sizeof(z);
    assert_int_equal(compress2(z, &zlen, (const Bytef *)audit_json, sizeof(audit_json) - 1, 7),
                     Z_OK);
    for (size_t i = 40; i < zlen; i++)
        z[i] = (unsigned char)(z[i] ^ 0x5a);
    FILE *f = fopen(path, "r+b");
    fseek(f, 1000, SEEK_SET);
    fwrite(z, 1, zlen, f);
    fclose(f);
    const char *img[1] = { "usr/bin/app" }, *disk[1] = { path };
    struct bsn_result *r = golden_scan_paths(1, img, disk);
    check_audit(r);
    bsn_result_free(r);
    unlink(path);
}

static void
test_auditable_hostile(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/bin", tmpdir);
    const char *img[1] = { "bin" }, *disk[1] = { path };
    /* cut inside the blob: nothing, no crash */
    write_bin(path, 300000, 400000, 300000 + 40, true);
    struct bsn_result *r = golden_scan_paths(1, img, disk);
    assert_int_equal(golden_count_type(r, "cargo"), 0);
    bsn_result_free(r);
    /* not ELF: not searched */
    write_bin(path, 5000, 100000, 0, false);
    r = golden_scan_paths(1, img, disk);
    assert_int_equal(golden_count_type(r, "cargo"), 0);
    bsn_result_free(r);
    /* noise only */
    write_bin(path, 5000, 100000, 0, true);
    FILE *f = fopen(path, "r+b");
    fseek(f, 5000, SEEK_SET);
    for (int i = 0; i < 512; i++)
        fputc(next_byte(), f);
    fclose(f);
    r = golden_scan_paths(1, img, disk);
    assert_int_equal(golden_count_type(r, "cargo"), 0);
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
    unlink(path);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn-rust-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    rmdir(tmpdir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_cargo_lock),
        cmocka_unit_test(test_cargo_lock_v3_dedup),
        cmocka_unit_test(test_auditable_binary),
        cmocka_unit_test(test_auditable_after_false_start),
        cmocka_unit_test(test_auditable_hostile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
