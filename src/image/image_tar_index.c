/*
 * Index of an outer image tar (docker save output, an oci-archive): each member's name, data
 * offset and size, read once from the headers with libarchive (tar/pax/gnu; member data is
 * skipped with lseek), so that several layers can later be streamed at once, each through its
 * own fd on its own region, without extracting anything.
 *
 * Quirks: docker save writes a layer shared by two images once and the other "<id>/layer.tar"
 * as a symlink to "../<id2>/layer.tar"; tar appends make a later member shadow an earlier one
 * of the same name; names may carry a "./" prefix. Compressed outer tars (an oci-archive
 * gzipped by hand) are rejected: their members have no byte offsets to seek to.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/map.h"
#include "base/xalloc.h"
#include "image/image_common_int.h"
#include "layer/layer.h"

#define MAX_MEMBERS (1u << 20)
#define MAX_LINK_HOPS 8

static void
map_release(void *p)
{
    bsn_map_release(p);
}

static const char *
compression_of(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return "gzip";
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return "zstd";
    if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
        return "xz";
    if (n >= 3 && memcmp(p, "BZh", 3) == 0)
        return "bzip2";
    return NULL;
}

static bool
io_errno(int e)
{
    return e == EIO || e == EACCES || e == ENOENT || e == EISDIR || e == ENOMEM;
}

static bsn_code
check_uncompressed(const char *path, struct bsn_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bsn_err_sys(err, errno == ENOENT ? BSN_ENOTFOUND : BSN_EIO, errno,
                           "cannot open '%s'", path);
    unsigned char head[8];
    ssize_t n = pread(fd, head, sizeof(head), 0);
    close(fd);
    if (n < 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot read '%s'", path);
    const char *c = compression_of(head, (size_t)n);
    if (c)
        return bsn_err_set(err, BSN_EUNSUPPORTED,
                           "'%s' is a %s-compressed archive: decompress it first", path, c);
    return BSN_OK;
}

bsn_code
bsn_tar_index_build(struct bsn_arena *a, const char *path, struct bsn_tar_index *out,
                    struct bsn_err *err)
{
    BSN_TRY(check_uncompressed(path, err));
    struct archive *ar = archive_read_new();
    if (!ar)
        BSN_BUG("archive_read_new failed");
    archive_read_support_format_tar(ar);
    if (archive_read_open_filename(ar, path, 64 * 1024) != ARCHIVE_OK) {
        /* The file opened a moment ago (check_uncompressed): this is about its content. */
        bsn_code rc = bsn_err_set(err, io_errno(archive_errno(ar)) ? BSN_EIO : BSN_EFORMAT,
                                  "'%s' is not a readable tar archive: %s", path,
                                  archive_error_string(ar) ? archive_error_string(ar) : "?");
        archive_read_free(ar);
        return rc;
    }
    size_t cap = 0, n = 0;
    struct bsn_tar_member *m = NULL;
    bsn_code rc = BSN_OK;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(ar, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            rc = bsn_err_set(err, BSN_EFORMAT, "'%s' is not a readable tar archive: %s", path,
                             archive_error_string(ar) ? archive_error_string(ar) : "bad header");
            break;
        }
        if (n == MAX_MEMBERS) {
            rc = bsn_err_set(err, BSN_ELIMIT, "'%s' has more than %u members", path,
                             MAX_MEMBERS);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name)
            continue;
        size_t len = strlen(name);
        char *norm = bsn_arena_strndup(a, name, len);
        if (!bsn_path_normalize(norm, &len))
            continue;
        la_int64_t off = archive_filter_bytes(ar, -1);
        la_int64_t size = archive_entry_size(e);
        if (off < 0 || size < 0) {
            rc = bsn_err_set(err, BSN_EFORMAT, "'%s': bad size of member '%s'", path, norm);
            break;
        }
        m = bsn_xgrow(m, &cap, n + 1, sizeof(*m));
        struct bsn_tar_member *t = &m[n++];
        memset(t, 0, sizeof(*t));
        t->name = norm;
        t->off = (uint64_t)off;
        t->size = (uint64_t)size;
        const char *hl = archive_entry_hardlink(e);
        if (hl) {
            size_t hlen = strlen(hl);
            char *h = bsn_arena_strndup(a, hl, hlen);
            if (bsn_path_normalize(h, &hlen))
                t->link = h;
        } else if (archive_entry_filetype(e) == AE_IFLNK && archive_entry_symlink(e)) {
            t->link = bsn_arena_strdup(a, archive_entry_symlink(e));
            t->symlink = true;
        } else if (archive_entry_filetype(e) != AE_IFREG) {
            n--; /* directories and the like are of no use here */
            continue;
        }
        /* The data is not read: the next header call skips it with lseek. */
    }
    archive_read_free(ar);
    if (rc != BSN_OK) {
        free(m);
        return rc;
    }
    out->path = bsn_arena_strdup(a, path);
    out->m = bsn_arena_alloc_array(a, n ? n : 1, sizeof(*m));
    if (n)
        memcpy(out->m, m, n * sizeof(*m));
    out->n = n;
    free(m);
    /* A lookup map (last member of a name wins), freed with the arena. */
    struct bsn_map *map = bsn_arena_alloc(a, sizeof(*map));
    bsn_map_init(map);
    bsn_arena_defer(a, map_release, map);
    for (size_t i = 0; i < n; i++)
        bsn_map_put(map, out->m[i].name, strlen(out->m[i].name), &out->m[i]);
    out->map = map;
    return BSN_OK;
}

const struct bsn_tar_member *
bsn_tar_index_find(const struct bsn_tar_index *ix, const char *name)
{
    char path[4096];
    size_t len = strlen(name);
    if (len >= sizeof(path))
        return NULL;
    memcpy(path, name, len + 1);
    if (!bsn_path_normalize(path, &len))
        return NULL;
    for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
        const struct bsn_tar_member *t = bsn_map_get(ix->map, path, len);
        if (!t || !t->link)
            return t;
        char next[4096];
        int k;
        if (!t->symlink) {
            k = snprintf(next, sizeof(next), "%s", t->link);
        } else if (t->link[0] == '/') {
            k = snprintf(next, sizeof(next), "%s", t->link + 1);
        } else {
            /* A relative symlink resolves from the member's own directory. */
            const char *slash = strrchr(t->name, '/');
            int dlen = slash ? (int)(slash - t->name) : 0;
            k = snprintf(next, sizeof(next), "%.*s%s%s", dlen, t->name, dlen ? "/" : "",
                         t->link);
        }
        if (k < 0 || (size_t)k >= sizeof(next))
            return NULL;
        len = (size_t)k;
        if (!bsn_path_normalize(next, &len))
            return NULL;
        memcpy(path, next, len + 1);
    }
    return NULL;
}

bsn_code
bsn_tar_index_open(const struct bsn_tar_index *ix, const struct bsn_tar_member *m,
                   struct bsn_reader **out, struct bsn_err *err)
{
    return bsn_reader_file(ix->path, m->off, m->size, out, err);
}

bsn_code
bsn_image_slurp(struct bsn_reader *r, struct bsn_arena *a, size_t max, const char *what,
                char **out, size_t *n, struct bsn_err *err)
{
    size_t cap = 64 * 1024, len = 0;
    char *buf = bsn_xmalloc(cap + 1);
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                free(buf);
                return bsn_err_set(err, BSN_ELIMIT, "%s is larger than %zu bytes", what, max);
            }
            cap *= 2;
            buf = bsn_xrealloc(buf, cap + 1);
        }
        size_t got = 0;
        bsn_code rc = bsn_reader_read(r, buf + len, cap - len, &got, err);
        if (rc != BSN_OK) {
            free(buf);
            return rc;
        }
        if (got == 0)
            break;
        len += got;
        if (len > max) {
            free(buf);
            return bsn_err_set(err, BSN_ELIMIT, "%s is larger than %zu bytes", what, max);
        }
    }
    buf[len] = '\0';
    *out = bsn_arena_memdup(a, buf, len + 1);
    *n = len;
    free(buf);
    return BSN_OK;
}
