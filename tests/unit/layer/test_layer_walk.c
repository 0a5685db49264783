/*
 * Tests for the layer walks (src/layer/layer_walk.c, layer_dirwalk.c, layer_path.c): path
 * normalisation, whiteouts and opaque markers, escaping paths dropped, hardlinks normalised,
 * non-ASCII names (pax UTF-8 and raw ustar bytes), partial reads, errors from the stream (truncation, digest mismatch) surfacing as the walk's,
 * and the directory walk's order and no-follow rule. Tars are written in memory with
 * libarchive's writer (pax), so the hostile names are exactly as given.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "image/image.h"
#include "layer/layer.h"

struct tentry {
    const char *name;
    int type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, or 0 for a hardlink */
    const char *data_or_target;
};

static unsigned char *
make_tar(const struct tentry *e, size_t n, size_t *len)
{
    size_t cap = 1 << 20;
    unsigned char *buf = malloc(cap);
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1);
    assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_mtime(ae, 1700000000, 0);
        if (e[i].type == 0) {
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_hardlink(ae, e[i].data_or_target);
            archive_entry_set_perm(ae, 0644);
        } else if (e[i].type == AE_IFLNK) {
            archive_entry_set_filetype(ae, AE_IFLNK);
            archive_entry_set_symlink(ae, e[i].data_or_target);
            archive_entry_set_perm(ae, 0777);
        } else if (e[i].type == AE_IFDIR) {
            archive_entry_set_filetype(ae, AE_IFDIR);
            archive_entry_set_perm(ae, 0755);
        } else {
            size_t dn = e[i].data_or_target ? strlen(e[i].data_or_target) : 0;
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_perm(ae, 0644);
            archive_entry_set_size(ae, (la_int64_t)dn);
            assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
            if (dn)
                assert_int_equal(archive_write_data(a, e[i].data_or_target, dn), (la_ssize_t)dn);
            archive_entry_free(ae);
            continue;
        }
        assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
        archive_entry_free(ae);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    return buf;
}

/* Records entries as "T path [-> link] [= data]" lines. */
struct rec {
    char out[8192];
    size_t len;
    size_t read_limit; /* read at most this many bytes of each file (0: all) */
};

static bsn_code
record(void *arg, struct bsn_walk *w, const struct bsn_entry *e, struct bsn_err *err)
{
    struct rec *r = arg;
    static const char types[] = "?RDSHXWO";
    char data[256] = "";
    size_t dl = 0;
    assert_int_equal(strlen(e->path), e->len);
    if (e->type == BSN_ENTRY_REG) {
        size_t got;
        size_t want = r->read_limit ? r->read_limit : sizeof(data) - 1;
        do {
            BSN_TRY(bsn_walk_read(w, data + dl, want - dl, &got, err));
            dl += got;
        } while (got && dl < want);
        data[dl] = '\0';
    }
    int k = snprintf(r->out + r->len, sizeof(r->out) - r->len, "%c %s%s%s%s%s\n",
                     types[e->type], e->path, e->link ? " -> " : "", e->link ? e->link : "",
                     dl ? " = " : "", data);
    r->len += (size_t)k;
    return BSN_OK;
}

static void
test_normalize(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out; /* out NULL: refused */
    } cases[] = {
        { "./a//b/./c", "a/b/c" }, { "/etc/passwd", "etc/passwd" }, { "a/b/../c", "a/c" },
        { "etc/", "etc" },         { "../../etc/passwd", NULL },    { "a/../../b", NULL },
        { "./", NULL },            { "", NULL },                    { "a/..", NULL },
        { "...", "..." },          { "a/.../b", "a/.../b" },        { "//x//", "x" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        size_t n = strlen(cases[i].in);
        memcpy(buf, cases[i].in, n + 1);
        bool ok = bsn_path_normalize(buf, &n);
        if (!cases[i].out) {
            assert_false(ok);
        } else {
            assert_true(ok);
            assert_string_equal(buf, cases[i].out);
            assert_int_equal(n, strlen(cases[i].out));
        }
    }
}

static void
test_walk_semantics(void **state)
{
    (void)state;
    static const struct tentry e[] = {
        { "./", AE_IFDIR, NULL },
        { "./etc/", AE_IFDIR, NULL },
        { "./etc/passwd", AE_IFREG, "root:x:0:0\n" },
        { "../../etc/passwd", AE_IFREG, "evil" },
        { "a/../../shadow", AE_IFREG, "evil" },
        { "usr//lib/./x", AE_IFREG, "x" },
        { "etc/.wh.gone", AE_IFREG, NULL },
        { ".wh.top", AE_IFREG, NULL },
        { "var/cache/.wh..wh..opq", AE_IFREG, NULL },
        { ".wh..wh.plnk/123", AE_IFREG, NULL },
        { "bin/a", AE_IFREG, "A" },
        { "./bin/b", 0, "./bin/a" },
        { "bin/c", 0, "../../outside" },
        { "bin/sh", AE_IFLNK, "/bin/a" },
    };
    size_t len;
    unsigned char *tar = make_tar(e, sizeof(e) / sizeof(e[0]), &len);
    struct rec r = { .len = 0 };
    struct bsn_err err = { 0 };
    struct bsn_reader *rd = bsn_reader_mem(tar, len);
    assert_int_equal(bsn_layer_walk(rd, record, &r, &err), BSN_OK);
    bsn_reader_close(rd);
    assert_string_equal(r.out, "D etc\n"
                               "R etc/passwd = root:x:0:0\n\n"
                               "R usr/lib/x = x\n"
                               "W etc/gone\n"
                               "W top\n"
                               "O var/cache\n"
                               "R bin/a = A\n"
                               "H bin/b -> bin/a\n"
                               "S bin/sh -> /bin/a\n");
    free(tar);
}

/* Appends one tar member written by hand: a ustar header (name, type, linkname, size) and
 * the data, padded to 512 bytes. */
static void
put_member(unsigned char *t, size_t *len, const char *name, char type, const char *link,
           const void *data, size_t n)
{
    unsigned char *h = t + *len;
    memset(h, 0, 512);
    memcpy(h, name, strlen(name));
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
    memcpy(h + 136, "14524264200", 12);
    h[156] = (unsigned char)type;
    if (link)
        memcpy(h + 157, link, strlen(link));
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    *len += 512;
    if (n) {
        memcpy(t + *len, data, n);
        *len += (n + 511) / 512 * 512;
    }
}

/* A pax extended header member with one "key=value" record. */
static void
put_pax(unsigned char *t, size_t *len, const char *key, const char *value)
{
    char rec[512];
    size_t body = strlen(key) + strlen(value) + 3; /* ' ', '=', '\n' */
    size_t digits = 1;
    while (snprintf(NULL, 0, "%zu", body + digits) > (int)digits)
        digits++;
    int k = snprintf(rec, sizeof(rec), "%zu %s=%s\n", body + digits, key, value);
    put_member(t, len, "PaxHeader", 'x', NULL, rec, (size_t)k);
}

/* Names are bytes: UTF-8 names from pax records (path, linkpath) come out as the same UTF-8
 * bytes, and a raw ustar name that is not UTF-8 (Latin-1) as its raw bytes, whatever the
 * process locale. */
static void
test_walk_non_ascii_names(void **state)
{
    (void)state;
    unsigned char *t = calloc(1, 64 * 512);
    size_t len = 0;
    put_pax(t, &len, "path", "app/caf\xc3\xa9/\xe2\x9c\x93.txt");
    put_member(t, &len, "app/placeholder", '0', NULL, "ok", 2);
    put_member(t, &len, "lat\xe9n.txt", '0', NULL, "l1", 2);
    put_pax(t, &len, "linkpath", "caf\xc3\xa9");
    put_member(t, &len, "app/link", '2', "placeholder", NULL, 0);
    put_pax(t, &len, "linkpath", "app/caf\xc3\xa9/\xe2\x9c\x93.txt");
    put_member(t, &len, "app/hard", '1', "placeholder", NULL, 0);
    len += 1024; /* end-of-archive blocks (zeroed) */
    struct rec r = { .len = 0 };
    struct bsn_err err = { 0 };
    struct bsn_reader *rd = bsn_reader_mem(t, len);
    assert_int_equal(bsn_layer_walk(rd, record, &r, &err), BSN_OK);
    bsn_reader_close(rd);
    assert_string_equal(r.out, "R app/caf\xc3\xa9/\xe2\x9c\x93.txt = ok\n"
                               "R lat\xe9n.txt = l1\n"
                               "S app/link -> caf\xc3\xa9\n"
                               "H app/hard -> app/caf\xc3\xa9/\xe2\x9c\x93.txt\n");
    free(t);
}

static void
test_walk_partial_reads(void **state)
{
    (void)state;
    char big[10000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    const struct tentry e[] = {
        { "big", AE_IFREG, big },
        { "small", AE_IFREG, "0123456789" },
    };
    size_t len;
    unsigned char *tar = make_tar(e, 2, &len);
    struct rec r = { .read_limit = 3 };
    struct bsn_err err = { 0 };
    struct bsn_reader *rd = bsn_reader_mem(tar, len);
    assert_int_equal(bsn_layer_walk(rd, record, &r, &err), BSN_OK);
    bsn_reader_close(rd);
    assert_string_equal(r.out, "R big = zzz\nR small = 012\n");
    free(tar);
}

static void
test_walk_truncated(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    const struct tentry e[] = { { "a", AE_IFREG, "a" }, { "big", AE_IFREG, big } };
    size_t len;
    unsigned char *tar = make_tar(e, 2, &len);
    struct rec r = { .len = 0 };
    struct bsn_err err = { 0 };
    struct bsn_reader *rd = bsn_reader_mem(tar, 2048); /* cut inside "big"'s data */
    assert_int_not_equal(bsn_layer_walk(rd, record, &r, &err), BSN_OK);
    assert_int_equal(err.code, BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "corrupt tar stream"));
    bsn_reader_close(rd);
    free(tar);
}

static void
test_walk_digest_mismatch_propagates(void **state)
{
    (void)state;
    const struct tentry e[] = { { "a", AE_IFREG, "hello" } };
    size_t len;
    unsigned char *tar = make_tar(e, 1, &len);
    const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    struct rec r = { .len = 0 };
    struct bsn_err err = { 0 };
    struct bsn_reader *rd = bsn_reader_verify(bsn_reader_mem(tar, len), wrong, len, "blob x");
    assert_int_equal(bsn_layer_walk(rd, record, &r, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "digest mismatch for blob x: got sha256:"));
    assert_string_equal(r.out, "R a = hello\n");
    bsn_reader_close(rd);

    /* The right digest passes, and the stream is read to its end (tail included). */
    char d[BSN_DIGEST_MAX];
    bsn_sha256_digest(tar, len, d);
    r.len = 0;
    rd = bsn_reader_verify(bsn_reader_mem(tar, len), d, len, "blob x");
    assert_int_equal(bsn_layer_walk(rd, record, &r, &err), BSN_OK);
    bsn_reader_close(rd);
    free(tar);
}

static void
test_walk_garbage(void **state)
{
    (void)state;
    unsigned char junk[3000];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)(i * 7 + 3);
    struct rec r = { .len = 0 };
    struct bsn_err err = { 0 };
    struct bsn_reader *rd = bsn_reader_mem(junk, sizeof(junk));
    assert_int_equal(bsn_layer_walk(rd, record, &r, &err), BSN_EFORMAT);
    bsn_reader_close(rd);
    assert_int_equal(r.len, 0);
}

static bsn_code
stop_at_second(void *arg, struct bsn_walk *w, const struct bsn_entry *e, struct bsn_err *err)
{
    (void)w;
    (void)e;
    int *count = arg;
    if (++*count == 2)
        return bsn_err_set(err, BSN_ECANCELED, "stopped");
    return BSN_OK;
}

static void
test_walk_callback_stops(void **state)
{
    (void)state;
    const struct tentry e[] = { { "a", AE_IFREG, "1" }, { "b", AE_IFREG, "2" },
                                { "c", AE_IFREG, "3" } };
    size_t len;
    unsigned char *tar = make_tar(e, 3, &len);
    int count = 0;
    struct bsn_err err = { 0 };
    struct bsn_reader *rd = bsn_reader_mem(tar, len);
    assert_int_equal(bsn_layer_walk(rd, stop_at_second, &count, &err), BSN_ECANCELED);
    assert_string_equal(err.msg, "stopped");
    assert_int_equal(count, 2);
    bsn_reader_close(rd);
    free(tar);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_dir_walk(void **state)
{
    (void)state;
    char root[] = "/tmp/bsn-dirwalk-XXXXXX";
    assert_non_null(mkdtemp(root));
    char p[256], outside[] = "/tmp/bsn-dirwalk-out-XXXXXX";
    assert_non_null(mkdtemp(outside));
    snprintf(p, sizeof(p), "%s/secret", outside);
    write_file(p, "do not follow");
    snprintf(p, sizeof(p), "%s/etc", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/etc/os-release", root);
    write_file(p, "ID=debian\n");
    snprintf(p, sizeof(p), "%s/b.txt", root);
    write_file(p, "bee");
    snprintf(p, sizeof(p), "%s/a", root);
    assert_int_equal(symlink(outside, p), 0);
    snprintf(p, sizeof(p), "%s/etc/.wh.x", root);
    write_file(p, "");
    snprintf(p, sizeof(p), "%s/fifo", root);
    assert_int_equal(mkfifo(p, 0644), 0); /* reported, never opened (it would block) */

    struct rec r = { .len = 0 };
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_dir_walk(root, record, &r, &err), BSN_OK);
    char want[512];
    snprintf(want, sizeof(want), "S a -> %s\nR b.txt = bee\nD etc\nR etc/.wh.x\n"
             "R etc/os-release = ID=debian\n\nX fifo\n", outside);
    assert_string_equal(r.out, want);

    snprintf(p, sizeof(p), "%s/missing", root);
    assert_int_equal(bsn_dir_walk(p, record, &r, &err), BSN_ENOTFOUND);
    assert_non_null(strstr(err.msg, "No such file or directory"));

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root, outside);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_walk_semantics),
        cmocka_unit_test(test_walk_non_ascii_names),
        cmocka_unit_test(test_walk_partial_reads),
        cmocka_unit_test(test_walk_truncated),
        cmocka_unit_test(test_walk_digest_mismatch_propagates),
        cmocka_unit_test(test_walk_garbage),
        cmocka_unit_test(test_walk_callback_stops),
        cmocka_unit_test(test_dir_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
