/*
 * chisel analyzer: manifests written here in chisel's jsonwall format (the shape of
 * ubuntu/chiselled images' var/lib/chisel/manifest.wall), zstd-compressed with libzstd.
 * Checks packages (deb, name, version, arch, purl with the Ubuntu release), and that broken
 * manifests (not zstd, truncated, not jsonwall) are diagnostics without packages.
 */
#include <stdbool.h>
#include <zstd.h>

#include "ospkg_golden.h"

static const char manifest[] =
    "{\"jsonwall\":\"1.0\",\"schema\":\"1.0\",\"count\":6}\n"
    "{\"kind\":\"content\",\"slice\":\"libc6_libs\","
    "\"path\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\"}\n"
    "{\"kind\":\"package\",\"name\":\"base-files\",\"version\":\"12ubuntu4.6\","
    "\"sha256\":\"ab\",\"arch\":\"amd64\"}\n"
    "{\"kind\":\"package\",\"name\":\"libc6\",\"version\":\"2.35-0ubuntu3.8\","
    "\"sha256\":\"cd\",\"arch\":\"amd64\"}\n"
    "{\"kind\":\"path\",\"path\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\",\"mode\":\"0755\","
    "\"slices\":[\"libc6_libs\"],\"sha256\":\"ef\",\"size\":2220400}\n"
    "{\"kind\":\"slice\",\"name\":\"base-files_release\"}\n"
    "{\"kind\":\"slice\",\"name\":\"libc6_libs\"}\n";

static char *
write_zst(const char *name, const void *data, size_t len, size_t keep)
{
    size_t cap = ZSTD_compressBound(len);
    char *z = malloc(cap);
    size_t n = ZSTD_compress(z, cap, data, len, 3);
    assert_false(ZSTD_isError(n));
    if (keep && keep < n)
        n = keep;
    char *p = ospkg_write_tmp(name, "");
    FILE *f = fopen(p, "wb");
    assert_int_equal(fwrite(z, 1, n, f), n);
    fclose(f);
    free(z);
    return p;
}

static void
test_manifest(void **state)
{
    (void)state;
    char *m = write_zst("manifest.wall", manifest, sizeof(manifest) - 1, 0);
    char *osr = ospkg_write_tmp("os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\n");
    const char *img[] = { "var/lib/chisel/manifest.wall", "usr/lib/os-release" };
    const char *disk[] = { m, osr };
    struct bsn_result *r = ospkg_scan_paths(2, img, disk);
    assert_int_equal(ospkg_count(r, "deb"), 2);
    const struct bsn_package *p = ospkg_find(r, "deb", "libc6", "2.35-0ubuntu3.8");
    assert_non_null(p);
    assert_string_equal(p->arch, "amd64");
    assert_string_equal(p->source_name, "libc6");
    assert_string_equal(p->purl, "pkg:deb/ubuntu/libc6@2.35-0ubuntu3.8?arch=amd64"
                                 "&distro=ubuntu-22.04");
    assert_non_null(ospkg_find(r, "deb", "base-files", "12ubuntu4.6"));
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
    free(m);
    free(osr);
    ospkg_cleanup();
}

static void
expect_broken(const char *content, size_t len, bool compress, size_t keep)
{
    char *m = compress ? write_zst("bad.wall", content, len, keep)
                       : ospkg_write_tmp("bad.wall", content);
    const char *img[] = { "var/lib/chisel/manifest.wall" };
    const char *disk[] = { m };
    struct bsn_result *r = ospkg_scan_paths(1, img, disk);
    assert_int_equal(ospkg_count(r, "deb"), 0);
    assert_true(ospkg_has_diag(r, "var/lib/chisel/manifest.wall"));
    bsn_result_free(r);
    free(m);
}

static void
test_broken(void **state)
{
    (void)state;
    expect_broken("{\"jsonwall\":\"1.0\"}\n", 19, false, 0);        /* not compressed */
    expect_broken(manifest, sizeof(manifest) - 1, true, 40);         /* truncated */
    expect_broken("{\"kind\":\"package\",\"name\":\"a\",\"version\":\"1\"}\n", 44, true, 0);
    expect_broken("", 0, false, 0);
    ospkg_cleanup();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_broken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
