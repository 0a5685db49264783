/*
 * Tests for the layer stream wrappers (src/image/image_stream.c): memory and file-region
 * readers, sha256/size verification (mismatch, truncation, overlong), and decompression of
 * gzip (single and multi-member, written here with zlib), zstd (libzstd), plain and detected
 * streams, corrupt and cut-short compressed data, decompression bombs stopped by max_out, and
 * bytes borrowed from the decompression ring instead of copied.
 */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "image/image.h"
#include "layer/layer.h"

/* Reads a whole stream; returns the code, *out the bytes (malloc'd). */
static bsn_code
drain(struct bsn_reader *r, unsigned char **out, size_t *n, struct bsn_err *err)
{
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (len + 4096 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = 0;
        bsn_code rc = bsn_reader_read(r, buf + len, 4096, &got, err);
        if (rc != BSN_OK) {
            free(buf);
            return rc;
        }
        if (got == 0)
            break;
        len += got;
    }
    if (out)
        *out = buf;
    else
        free(buf);
    if (n)
        *n = len;
    return BSN_OK;
}

static unsigned char *
gzip_bytes(const void *p, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    unsigned char *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static unsigned char *
pattern(size_t n)
{
    unsigned char *p = malloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)((i % 100 < 50) ? 'a' + (x >> 16) % 4 : (x >> 24));
    }
    return p;
}

static void
test_mem_and_file(void **state)
{
    (void)state;
    struct bsn_err err = { 0 };
    unsigned char *out;
    size_t n;
    struct bsn_reader *r = bsn_reader_mem("hello world", 11);
    assert_int_equal(drain(r, &out, &n, &err), BSN_OK);
    assert_int_equal(n, 11);
    assert_memory_equal(out, "hello world", 11);
    free(out);
    bsn_reader_close(r);

    char path[] = "/tmp/bsn-stream-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    assert_int_equal(bsn_reader_file(path, 3, 4, &r, &err), BSN_OK);
    assert_int_equal(drain(r, &out, &n, &err), BSN_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "3456", 4);
    free(out);
    bsn_reader_close(r);
    assert_int_equal(bsn_reader_file(path, 2, UINT64_MAX, &r, &err), BSN_OK);
    assert_int_equal(drain(r, NULL, &n, &err), BSN_OK);
    assert_int_equal(n, 8);
    bsn_reader_close(r);
    /* A region past the end of the file: the file was cut. */
    assert_int_equal(bsn_reader_file(path, 5, 10, &r, &err), BSN_OK);
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "is truncated"));
    bsn_reader_close(r);
    unlink(path);
    assert_int_equal(bsn_reader_file(path, 0, UINT64_MAX, &r, &err), BSN_ENOTFOUND);
    char want[128];
    snprintf(want, sizeof(want), "cannot open '%s': No such file or directory", path);
    assert_string_equal(err.msg, want);
}

static void
test_verify(void **state)
{
    (void)state;
    struct bsn_err err = { 0 };
    const char *text = "layer bytes";
    char d[BSN_DIGEST_MAX];
    bsn_sha256_digest(text, strlen(text), d);
    struct bsn_reader *r = bsn_reader_verify(bsn_reader_mem(text, 11), d, 11, "blob X");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_OK);
    bsn_reader_close(r);

    const char *other =
        "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    r = bsn_reader_verify(bsn_reader_mem(text, 11), other, 11, "blob " "sha256:1111");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    char want[200];
    snprintf(want, sizeof(want), "digest mismatch for blob sha256:1111: got %s", d);
    assert_string_equal(err.msg, want);
    /* The error sticks. */
    size_t got = 1;
    char buf[8];
    assert_int_equal(bsn_reader_read(r, buf, sizeof(buf), &got, &err), BSN_EFORMAT);
    assert_int_equal(got, 0);
    bsn_reader_close(r);

    r = bsn_reader_verify(bsn_reader_mem(text, 5), d, 11, "blob sha256:ab");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    assert_string_equal(err.msg, "blob sha256:ab is truncated: got 5 of 11 bytes");
    bsn_reader_close(r);

    r = bsn_reader_verify(bsn_reader_mem(text, 11), NULL, 4, "blob sha256:ab");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "larger than its recorded size of 4 bytes"));
    bsn_reader_close(r);
}

/* Borrowing from the decompression ring: the same bytes as read() in the same order, whether
 * borrowed, read, or both in turn, through a verifying wrapper too; an error arrives after
 * the good bytes and sticks. */
static void
test_borrow(void **state)
{
    (void)state;
    struct bsn_err err = { 0 };
    size_t n = 5u * 1024 * 1024 + 12345, zlen;
    unsigned char *plain = pattern(n);
    unsigned char *gz = gzip_bytes(plain, n, &zlen);
    char d[BSN_DIGEST_MAX];
    bsn_sha256_digest(plain, n, d);
    unsigned char *buf = malloc(1 << 20);

    for (int mode = 0; mode < 3; mode++) {
        /* mode 0: borrow only; 1: alternate borrow and a 1000-byte read; 2: verified borrow */
        struct bsn_reader *r = bsn_reader_decompress(bsn_reader_mem(gz, zlen), BSN_COMP_DETECT,
                                                     0, "layer");
        if (mode == 2)
            r = bsn_reader_verify(r, d, n, "uncompressed layer");
        assert_non_null(r->borrow);
        size_t at = 0, calls = 0;
        for (;;) {
            const void *p = NULL;
            size_t got = 0;
            if (mode == 1 && calls++ % 2 == 1) {
                assert_int_equal(bsn_reader_read(r, buf, 1000, &got, &err), BSN_OK);
                p = buf;
            } else {
                assert_int_equal(bsn_reader_borrow(r, buf, 1 << 20, &p, &got, &err), BSN_OK);
                assert_true(got == 0 || p != buf); /* lent, not copied */
            }
            if (got == 0)
                break;
            assert_true(at + got <= n);
            assert_memory_equal(p, plain + at, got);
            at += got;
        }
        assert_int_equal(at, n);
        bsn_reader_close(r);
    }

    /* A reader that cannot lend (a file region) is read into the caller's buffer. */
    char path[] = "/tmp/bsn-borrow-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, plain, 100), 100);
    close(fd);
    struct bsn_reader *m = NULL;
    assert_int_equal(bsn_reader_file(path, 0, UINT64_MAX, &m, &err), BSN_OK);
    assert_null(m->borrow);
    const void *p = NULL;
    size_t got = 0;
    assert_int_equal(bsn_reader_borrow(m, buf, 64, &p, &got, &err), BSN_OK);
    assert_ptr_equal(p, buf);
    assert_int_equal(got, 64);
    assert_memory_equal(p, plain, 64);
    bsn_reader_close(m);
    unlink(path);
    /* Memory lends itself, 64 KiB at a time. */
    m = bsn_reader_mem(plain, 100000);
    assert_int_equal(bsn_reader_borrow(m, buf, 64, &p, &got, &err), BSN_OK);
    assert_ptr_equal(p, plain);
    assert_int_equal(got, 65536);
    assert_int_equal(bsn_reader_borrow(m, buf, 64, &p, &got, &err), BSN_OK);
    assert_ptr_equal(p, plain + 65536);
    assert_int_equal(got, 100000 - 65536);
    assert_int_equal(bsn_reader_borrow(m, buf, 64, &p, &got, &err), BSN_OK);
    assert_int_equal(got, 0);
    bsn_reader_close(m);

    /* The blob read ahead on its own thread, lent to the decompressor (the layer path of
     * bsn_image_open_layer), byte for byte, plain and gzip. */
    for (int gz_in = 0; gz_in < 2; gz_in++) {
        struct bsn_reader *r = bsn_reader_decompress(
            bsn_reader_ahead(gz_in ? bsn_reader_mem(gz, zlen) : bsn_reader_mem(plain, n)),
            gz_in ? BSN_COMP_GZIP : BSN_COMP_NONE, 0, "layer");
        size_t at = 0;
        for (;;) {
            assert_int_equal(bsn_reader_borrow(r, buf, 1 << 20, &p, &got, &err), BSN_OK);
            if (got == 0)
                break;
            assert_true(at + got <= n);
            assert_memory_equal(p, plain + at, got);
            at += got;
        }
        assert_int_equal(at, n);
        bsn_reader_close(r);
    }

    /* Cut short: every good byte, then the error, which sticks. */
    struct bsn_reader *r = bsn_reader_decompress(bsn_reader_mem(gz, zlen / 2), BSN_COMP_GZIP, 0,
                                                 "layer sha256:cut");
    size_t at = 0;
    bsn_code rc;
    for (;;) {
        rc = bsn_reader_borrow(r, buf, 1 << 20, &p, &got, &err);
        if (rc != BSN_OK || got == 0)
            break;
        assert_memory_equal(p, plain + at, got);
        at += got;
    }
    assert_int_equal(rc, BSN_EFORMAT);
    assert_string_equal(err.msg, "gzip data in layer sha256:cut ends early");
    assert_true(at > 0 && at < n);
    got = 1;
    assert_int_equal(bsn_reader_borrow(r, buf, 1 << 20, &p, &got, &err), BSN_EFORMAT);
    assert_int_equal(got, 0);
    bsn_reader_close(r);
    free(buf);
    free(gz);
    free(plain);
}

static void
test_decompress_formats(void **state)
{
    (void)state;
    struct bsn_err err = { 0 };
    size_t plain_n = 3u << 20;
    unsigned char *plain = pattern(plain_n);

    size_t gz_n;
    unsigned char *gz = gzip_bytes(plain, plain_n, &gz_n);
    /* Multi-member: the same data in two gzip members, as pigz or a registry may write. */
    size_t g1, g2;
    unsigned char *m1 = gzip_bytes(plain, plain_n / 3, &g1);
    unsigned char *m2 = gzip_bytes(plain + plain_n / 3, plain_n - plain_n / 3, &g2);
    size_t multi_n = g1 + g2 + 8;
    unsigned char *multi = calloc(1, multi_n); /* ends with 8 zero bytes of padding */
    memcpy(multi, m1, g1);
    memcpy(multi + g1, m2, g2);
    size_t zs_cap = ZSTD_compressBound(plain_n);
    unsigned char *zs = malloc(zs_cap);
    size_t zs_n = ZSTD_compress(zs, zs_cap, plain, plain_n, 3);
    assert_false(ZSTD_isError(zs_n));

    const struct {
        const unsigned char *p;
        size_t n;
        enum bsn_compression c;
    } cases[] = {
        { gz, gz_n, BSN_COMP_GZIP },       { gz, gz_n, BSN_COMP_DETECT },
        { multi, multi_n, BSN_COMP_GZIP }, { multi, multi_n, BSN_COMP_DETECT },
        { zs, zs_n, BSN_COMP_ZSTD },       { zs, zs_n, BSN_COMP_DETECT },
        { plain, plain_n, BSN_COMP_NONE }, { plain, plain_n, BSN_COMP_DETECT },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char d[BSN_DIGEST_MAX];
        bsn_sha256_digest(cases[i].p, cases[i].n, d);
        /* The blob verifier underneath must see every byte, trailing padding included. */
        struct bsn_reader *r = bsn_reader_verify(bsn_reader_mem(cases[i].p, cases[i].n), d,
                                                 cases[i].n, "blob");
        r = bsn_reader_decompress(r, cases[i].c, 0, "layer t");
        unsigned char *out;
        size_t n;
        bsn_code rc = drain(r, &out, &n, &err);
        if (rc != BSN_OK)
            fail_msg("case %zu: %s", i, err.msg);
        assert_int_equal(n, plain_n);
        assert_memory_equal(out, plain, plain_n);
        free(out);
        bsn_reader_close(r);
    }

    /* Corrupt data in the middle of the deflate stream. */
    unsigned char *bad = malloc(gz_n);
    memcpy(bad, gz, gz_n);
    for (size_t i = gz_n / 2; i < gz_n / 2 + 64; i++)
        bad[i] ^= 0x5a;
    struct bsn_reader *r = bsn_reader_decompress(bsn_reader_mem(bad, gz_n), BSN_COMP_GZIP, 0,
                                                 "layer sha256:feed");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "layer sha256:feed"));
    bsn_reader_close(r);
    /* Cut short: gzip and zstd. */
    r = bsn_reader_decompress(bsn_reader_mem(gz, gz_n / 2), BSN_COMP_GZIP, 0, "layer g");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "layer g"));
    bsn_reader_close(r);
    r = bsn_reader_decompress(bsn_reader_mem(zs, zs_n / 2), BSN_COMP_ZSTD, 0, "layer z");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "layer z"));
    bsn_reader_close(r);
    /* Declared gzip, but not gzip. */
    r = bsn_reader_decompress(bsn_reader_mem(plain, 4096), BSN_COMP_GZIP, 0, "layer p");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_EFORMAT);
    bsn_reader_close(r);
    /* Empty input passes through as empty. */
    r = bsn_reader_decompress(bsn_reader_mem(NULL, 0), BSN_COMP_DETECT, 0, "layer e");
    size_t n = 1;
    assert_int_equal(drain(r, NULL, &n, &err), BSN_OK);
    assert_int_equal(n, 0);
    bsn_reader_close(r);

    free(bad);
    free(plain);
    free(gz);
    free(m1);
    free(m2);
    free(multi);
    free(zs);
}

static void
test_bombs(void **state)
{
    (void)state;
    struct bsn_err err = { 0 };
    /* 1 GiB of zeros: one 1 MiB gzip member repeated 1024 times (about 1 MiB compressed). */
    size_t mib = 1u << 20;
    unsigned char *zeros = calloc(1, mib);
    size_t gn;
    unsigned char *g = gzip_bytes(zeros, mib, &gn);
    size_t bomb_n = gn * 1024;
    unsigned char *bomb = malloc(bomb_n);
    for (size_t i = 0; i < 1024; i++)
        memcpy(bomb + i * gn, g, gn);
    clock_t t0 = clock();
    struct bsn_reader *r = bsn_reader_decompress(bsn_reader_mem(bomb, bomb_n), BSN_COMP_DETECT,
                                                 8u << 20, "layer sha256:b0mb");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_ELIMIT);
    assert_string_equal(err.msg, "layer sha256:b0mb decompresses past 8388608 bytes");
    bsn_reader_close(r);

    /* zstd: 1 GiB of zeros in one frame. */
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t zcap = 1u << 20, zn = 0;
    unsigned char *z = malloc(zcap);
    ZSTD_outBuffer o = { z, zcap, 0 };
    for (int i = 0; i < 1024; i++) {
        ZSTD_inBuffer in = { zeros, mib, 0 };
        while (in.pos < in.size)
            assert_false(ZSTD_isError(ZSTD_compressStream2(cc, &o, &in, ZSTD_e_continue)));
    }
    ZSTD_inBuffer none = { zeros, 0, 0 };
    while (ZSTD_compressStream2(cc, &o, &none, ZSTD_e_end) != 0)
        ;
    zn = o.pos;
    ZSTD_freeCCtx(cc);
    r = bsn_reader_decompress(bsn_reader_mem(z, zn), BSN_COMP_ZSTD, 8u << 20, "layer zb");
    assert_int_equal(drain(r, NULL, NULL, &err), BSN_ELIMIT);
    bsn_reader_close(r);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(secs < 5.0); /* both stop after ~8 MiB, not 1 GiB */
    free(z);
    free(zeros);
    free(g);
    free(bomb);
}

static long
peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

struct big_walk {
    uint64_t bytes;
    size_t entries;
};

static bsn_code
read_all(void *arg, struct bsn_walk *w, const struct bsn_entry *e, struct bsn_err *err)
{
    struct big_walk *b = arg;
    (void)e;
    static unsigned char buf[64 * 1024];
    size_t got;
    b->entries++;
    do {
        BSN_TRY(bsn_walk_read(w, buf, sizeof(buf), &got, err));
        b->bytes += got;
    } while (got);
    return BSN_OK;
}

/*
 * A 256 MiB layer (gzip'd tar of one file of zeros plus small ones) streams through verify ->
 * decompress -> walk with flat memory: the peak RSS grows by far less than the layer.
 */
static void
test_flat_memory(void **state)
{
    (void)state;
    const size_t file_bytes = 256u << 20, chunk = 1u << 20;
    size_t cap = 8u << 20, used = 0;
    unsigned char *gz = malloc(cap);
    unsigned char *zeros = calloc(1, chunk);
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    archive_write_set_filter_option(a, "gzip", "compression-level", "1");
    assert_int_equal(archive_write_open_memory(a, gz, cap, &used), ARCHIVE_OK);
    for (int i = 0; i < 3; i++) {
        struct archive_entry *e = archive_entry_new();
        char name[32];
        snprintf(name, sizeof(name), "f%d", i);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        size_t n = i == 1 ? file_bytes : 1000;
        archive_entry_set_size(e, (la_int64_t)n);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        for (size_t off = 0; off < n; off += chunk) {
            size_t k = n - off < chunk ? n - off : chunk;
            assert_int_equal(archive_write_data(a, zeros, k), (la_ssize_t)k);
        }
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    free(zeros);

    char d[BSN_DIGEST_MAX];
    bsn_sha256_digest(gz, used, d);
    long before = peak_rss_kib();
    struct bsn_reader *r = bsn_reader_verify(bsn_reader_mem(gz, used), d, used, "blob big");
    r = bsn_reader_decompress(r, BSN_COMP_DETECT, 0, "layer big");
    struct big_walk b = { 0, 0 };
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_layer_walk(r, read_all, &b, &err), BSN_OK);
    bsn_reader_close(r);
    long after = peak_rss_kib();
    assert_int_equal(b.entries, 3);
    assert_int_equal(b.bytes, file_bytes + 2000);
    print_message("layer %zu MiB (%zu KiB gzip'd): peak RSS %ld -> %ld KiB\n", file_bytes >> 20,
                  used >> 10, before, after);
    assert_true(after - before < 16 * 1024);
    free(gz);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_memory),
        cmocka_unit_test(test_mem_and_file),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_borrow),
        cmocka_unit_test(test_decompress_formats),
        cmocka_unit_test(test_bombs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
