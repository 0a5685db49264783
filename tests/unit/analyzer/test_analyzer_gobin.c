/*
 * Go binary analyzer on ELF files built here byte by byte (ELF64 header, two PT_LOAD program
 * headers, a Go >= 1.18 build-info blob in the writable segment): main module with a "(devel)"
 * version resolved from -ldflags, deps, module and directory replacements, stdlib from the
 * Go version; the blob placed across the 256 KiB chunk boundary and far into the file;
 * truncated files, the old pointer format, non-executables and non-ELF files.
 * Real binaries (Debian's and ones built with Debian's Go) are checked by
 * tests/integration/test_langbin_binaries.sh.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "langbin_golden.h"
#include "scan/scan_int.h"

static char tmpdir[256];

static const char modtext[] =
    "path\texample.com/app/cmd/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"
    "dep\tgolang.org/x/net\tv0.1.0\th1:aaaa=\n"
    "=>\tgolang.org/x/net\tv0.23.0\th1:bbbb=\n"
    "dep\texample.com/local\tv1.0.0\t\n"
    "=>\t../local\t\t\n"
    "build\t-compiler=gc\n"
    "build\t-ldflags=\"-s -w -X main.version=1.2.3\"\n"
    "build\tGOOS=linux\n";

static void
put_le(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static size_t
put_uvarint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/*
 * Writes an ELF64 file whose writable segment starts at seg_off, with the blob 32 bytes into
 * it (after zeros, as the search must skip); flags 2 = inline strings. Returns the file size;
 * the file is cut to cut bytes when cut != 0.
 */
static size_t
write_elf(const char *path, size_t seg_off, unsigned char flags, const char *gover,
          const char *mod, size_t cut, mode_t mode)
{
    size_t modlen = strlen(mod) + 32;
    size_t size = seg_off + 32 + 32 + 20 + strlen(gover) + modlen + 64;
    unsigned char *f = calloc(1, size);
    memcpy(f, "\x7f" "ELF\x02\x01\x01", 7);
    put_le(f + 16, 2, 2);  /* ET_EXEC */
    put_le(f + 18, 62, 2); /* x86-64 */
    put_le(f + 32, 64, 8); /* e_phoff */
    put_le(f + 52, 64, 2);
    put_le(f + 54, 56, 2);
    put_le(f + 56, 2, 2);
    unsigned char *ph = f + 64;
    put_le(ph, 1, 4);
    put_le(ph + 4, 5, 4); /* R+X */
    put_le(ph + 32, seg_off, 8);
    ph += 56;
    put_le(ph, 1, 4);
    put_le(ph + 4, 6, 4); /* R+W */
    put_le(ph + 8, seg_off, 8);
    put_le(ph + 32, size - seg_off, 8);
    unsigned char *b = f + seg_off + 32;
    memcpy(b, "\xff Go buildinf:", 14);
    b[14] = 8;
    b[15] = flags;
    size_t p = 32;
    p += put_uvarint(b + p, strlen(gover));
    memcpy(b + p, gover, strlen(gover));
    p += strlen(gover);
    p += put_uvarint(b + p, modlen);
    memcpy(b + p, "0w\xaf\x0c\x92t\x08\x02" "A\xe1\xc1\x07\xe6\xd6\x18\xe6", 16);
    memcpy(b + p + 16, mod, strlen(mod));
    memcpy(b + p + 16 + strlen(mod), "\xf9" "2C1\x86\x18 r\x00\x82" "B\x10" "A\x16\xd8\xf2", 16);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(f, 1, cut ? cut : size, fp);
    fclose(fp);
    chmod(path, mode);
    free(f);
    return size;
}

/*
 * A Go < 1.18 binary: .rodata (file 0x1000..) holds a decoy "go1.x", the version string
 * "go1.16.15" run into other bytes, and the framed module info; the RW segment at 0x2000
 * holds the 32-byte header with pointers to the two string headers, placed after the header
 * (internal linking) or before it (cgo, external linking).
 */
static void
write_old_elf(const char *path, bool headers_first)
{
    const uint64_t base = 0x400000;
    size_t size = 0x3000;
    unsigned char *f = calloc(1, size);
    memcpy(f, "\x7f" "ELF\x02\x01\x01", 7);
    put_le(f + 16, 2, 2);
    put_le(f + 18, 62, 2);
    put_le(f + 32, 64, 8);
    put_le(f + 52, 64, 2);
    put_le(f + 54, 56, 2);
    put_le(f + 56, 2, 2);
    unsigned char *ph = f + 64;
    put_le(ph, 1, 4);
    put_le(ph + 4, 4, 4); /* R */
    put_le(ph + 16, base, 8);
    put_le(ph + 32, 0x2000, 8);
    ph += 56;
    put_le(ph, 1, 4);
    put_le(ph + 4, 6, 4); /* RW */
    put_le(ph + 8, 0x2000, 8);
    put_le(ph + 16, base + 0x2000, 8);
    put_le(ph + 32, 0x1000, 8);
    memcpy(f + 0x1000, "go1.notaversion", 15);
    memcpy(f + 0x1100, "go1.16.15runtime error: index out of range", 42);
    size_t ml = strlen(modtext);
    memcpy(f + 0x1200, "0w\xaf\x0c\x92t\x08\x02" "A\xe1\xc1\x07\xe6\xd6\x18\xe6", 16);
    memcpy(f + 0x1210, modtext, ml);
    memcpy(f + 0x1210 + ml, "\xf9" "2C1\x86\x18 r\x00\x82" "B\x10" "A\x16\xd8\xf2", 16);
    size_t hdr = headers_first ? 0x2100 : 0x2000, sh = headers_first ? 0x2000 : 0x2040;
    memcpy(f + hdr, "\xff Go buildinf:", 14);
    f[hdr + 14] = 8;
    f[hdr + 15] = 0;
    put_le(f + hdr + 16, base + sh, 8);
    put_le(f + hdr + 24, base + sh + 16, 8);
    put_le(f + sh, base + 0x1100, 8);
    put_le(f + sh + 8, 9, 8);
    put_le(f + sh + 16, base + 0x1200, 8);
    put_le(f + sh + 24, ml + 32, 8);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(f, 1, size, fp);
    fclose(fp);
    chmod(path, 0755);
    free(f);
}

static struct bsn_result *
scan_bin(const char *img, const char *disk)
{
    const char *i[1] = { img }, *d[1] = { disk };
    return golden_scan_paths(1, i, d);
}

static void
check_full(const struct bsn_result *r)
{
    assert_int_equal(golden_count_type(r, "golang"), 5);
    const struct bsn_package *p = golden_find(r, "golang", "example.com/app", "1.2.3");
    assert_non_null(p);
    assert_int_equal(p->dep, BSN_DEP_ROOT);
    assert_string_equal(p->path, "usr/local/bin/app");
    p = golden_find(r, "golang", "github.com/pkg/errors", "v0.9.1");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:golang/github.com/pkg/errors@v0.9.1");
    assert_non_null(golden_find(r, "golang", "golang.org/x/net", "v0.23.0"));
    assert_null(golden_find(r, "golang", "golang.org/x/net", "v0.1.0"));
    /* replaced by a directory: the required module stays */
    assert_non_null(golden_find(r, "golang", "example.com/local", "v1.0.0"));
    p = golden_find(r, "golang", "stdlib", "v1.21.5");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:golang/stdlib@v1.21.5");
}

static void
test_inline_format(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/app", tmpdir);
    /* the magic (32 bytes into the segment) inside the first chunk, first in the second,
     * with its strings across the boundary, and far into the file */
    static const size_t offsets[] = { 4096, 262144 - 32, 262144 - 48, 700000 };
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        write_elf(path, offsets[i], 2, "go1.21.5 X:boringcrypto", modtext, 0, 0755);
        struct bsn_result *r = scan_bin("usr/local/bin/app", path);
        check_full(r);
        assert_int_equal(r->n_diags, 0);
        bsn_result_free(r);
    }
    unlink(path);
}

static void
test_gopath_build(void **state)
{
    (void)state;
    /* Debian's GOPATH-mode builds: a path line, no mod/dep lines: only stdlib. */
    char path[512];
    snprintf(path, sizeof(path), "%s/skopeo", tmpdir);
    write_elf(path, 8192, 2, "go1.19.8", "path\tgithub.com/containers/skopeo/cmd/skopeo\n"
              "build\t-compiler=gc\n", 0, 0755);
    struct bsn_result *r = scan_bin("usr/bin/skopeo", path);
    assert_int_equal(golden_count_type(r, "golang"), 1);
    assert_non_null(golden_find(r, "golang", "stdlib", "v1.19.8"));
    bsn_result_free(r);
    unlink(path);
}

static void
test_hostile(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/bin", tmpdir);
    /* truncated inside the module info: nothing reported, no crash */
    size_t size = write_elf(path, 4096, 2, "go1.21.5", modtext, 0, 0755);
    for (size_t cut = 4096 + 40; cut < size; cut += 97) {
        write_elf(path, 4096, 2, "go1.21.5", modtext, cut, 0755);
        struct bsn_result *r = scan_bin("bin", path);
        /* all or nothing: a blob is reported only once complete */
        size_t n = golden_count_type(r, "golang");
        assert_true(n == 0 || n == 5);
        if (cut < size - 64)
            assert_int_equal(n, 0);
        bsn_result_free(r);
    }
    /* truncated inside the ELF header */
    write_elf(path, 4096, 2, "go1.21.5", modtext, 40, 0755);
    struct bsn_result *r = scan_bin("bin", path);
    assert_int_equal(golden_count_type(r, "golang"), 0);
    bsn_result_free(r);
    /* Go < 1.18 pointer format with nothing to point at: a diagnostic */
    write_elf(path, 4096, 0, "go1.16", "", 0, 0755);
    r = scan_bin("bin", path);
    assert_int_equal(golden_count_type(r, "golang"), 0);
    assert_true(golden_has_diag(r, "before go 1.18"));
    bsn_result_free(r);
    /* not executable: not looked at */
    write_elf(path, 4096, 2, "go1.21.5", modtext, 0, 0644);
    r = scan_bin("bin", path);
    assert_int_equal(golden_count_type(r, "golang"), 0);
    bsn_result_free(r);
    /* not ELF */
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 5000; i++)
        fputs("#!/bin/sh\n", f);
    fclose(f);
    chmod(path, 0755);
    r = scan_bin("bin", path);
    assert_int_equal(golden_count_type(r, "golang"), 0);
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
    unlink(path);
}

/* Streams a file through one analyzer in chunks of the given size; returns its packages. */
static size_t
stream_packages(const char *analyzer, const char *file, size_t chunk)
{
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    static unsigned char data[1 << 20];
    size_t size = fread(data, 1, sizeof(data), f);
    fclose(f);
    unsigned idx = 0;
    while (bsn_analyzers[idx] && strcmp(bsn_analyzers[idx]->name, analyzer) != 0)
        idx++;
    const struct bsn_analyzer *a = bsn_analyzers[idx];
    assert_non_null(a);
    struct bsn_path p = { .path = "bin/x", .len = 5, .base = "x", .base_len = 1, .size = size,
                          .mode = 0100755 };
    struct bsn_scan_opts opts;
    bsn_scan_opts_init(&opts);
    struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
    struct bsn_arena *scratch = bsn_arena_new();
    struct bsn_actx ctx = { .lr = lr, .scratch = scratch, .opts = &opts, .analyzer = idx,
                            .path = &p };
    struct bsn_err err = { 0 };
    void *st = NULL;
    assert_int_equal(a->stream_begin(&ctx, &p, &st, &err), BSN_OK);
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (a->stream_data(&ctx, st, data + off, n, &err) != BSN_OK)
            break;
    }
    assert_int_equal(a->stream_end(&ctx, st, &err), BSN_OK);
    bsn_arena_free(scratch);
    struct bsn_result *r = bsn_result_new("t", BSN_ARTIFACT_FS);
    assert_int_equal(bsn_merge(&lr, 1, r, &err), BSN_OK);
    size_t n = r->n_packages;
    bsn_result_free(r);
    return n;
}

static void
test_every_chunk_size(void **state)
{
    (void)state;
    /* the magic, the header and the varints cut at every offset */
    char path[512];
    snprintf(path, sizeof(path), "%s/chunks", tmpdir);
    write_elf(path, 4096, 2, "go1.21.5", modtext, 0, 0755);
    for (size_t chunk = 1; chunk <= 67; chunk++)
        assert_int_equal(stream_packages("gobin", path, chunk), 5);
    assert_int_equal(stream_packages("gobin", path, 4093), 5);
    unlink(path);
}

static void
test_old_pointer_format(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/old", tmpdir);
    write_old_elf(path, false);
    const char *img[1] = { "usr/local/bin/app" }, *disk[1] = { path };
    struct bsn_result *r = golden_scan_paths(1, img, disk);
    assert_int_equal(golden_count_type(r, "golang"), 5);
    assert_non_null(golden_find(r, "golang", "stdlib", "v1.16.15"));
    assert_non_null(golden_find(r, "golang", "golang.org/x/net", "v0.23.0"));
    assert_non_null(golden_find(r, "golang", "example.com/app", "1.2.3"));
    bsn_result_free(r);
    for (size_t chunk = 1; chunk <= 40; chunk++)
        assert_int_equal(stream_packages("gobin", path, chunk), 5);
    /* string headers before the build-info header (cgo): modules, version unknown */
    write_old_elf(path, true);
    r = golden_scan_paths(1, img, disk);
    assert_int_equal(golden_count_type(r, "golang"), 4);
    assert_null(golden_find(r, "golang", "stdlib", NULL));
    assert_non_null(golden_find(r, "golang", "github.com/pkg/errors", "v0.9.1"));
    bsn_result_free(r);
    unlink(path);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn-gobin-XXXXXX");
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
        cmocka_unit_test(test_inline_format),
        cmocka_unit_test(test_gopath_build),
        cmocka_unit_test(test_every_chunk_size),
        cmocka_unit_test(test_old_pointer_format),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
