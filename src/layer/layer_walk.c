/*
 * Walking a layer's tar stream with libarchive (tar, pax and GNU tar only: a layer is a tar
 * by the OCI image spec, layer.md), pulling bytes from a bsn_reader through archive_read_open
 * callbacks, so nothing is extracted and memory stays flat whatever the layer's size.
 *
 * Per entry: the path is normalised (bsn_path_normalize; the "./" root entry and paths that
 * climb out of the root are dropped), OCI whiteouts are decoded (".wh.NAME" deletes NAME,
 * ".wh..wh..opq" makes its directory opaque; other ".wh..wh." names are AUFS bookkeeping such
 * as ".wh..wh.plnk" and are dropped), hardlink targets are normalised the same way (a target
 * escaping the root drops the entry). Data the callback does not read is skipped by libarchive.
 * After the end-of-archive blocks the rest of the stream is read too, so that a verifying
 * reader underneath sees every byte and reports a digest mismatch or truncation.
 * Spec: https://github.com/opencontainers/image-spec/blob/main/layer.md
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "layer/layer.h"
#include "layer/layer_walk_int.h"

#define WALK_BUF (256u * 1024u)
#define PATH_MAX_BYTES (64u * 1024u)

struct tar_walk {
    struct bsn_walk base;
    struct archive *ar;
    struct bsn_reader *in;
    unsigned char *buf;
    bool in_failed;          /* the reader failed: its error is the walk's */
    struct bsn_err in_err;
    bool data_readable;      /* the current entry is a regular file */
    locale_t utf8;           /* C.UTF-8 for LC_CTYPE, or 0 when the system has none */
    struct bsn_buf path, link;
};

bsn_code
bsn_walk_read(struct bsn_walk *w, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    return w->read(w, buf, cap, got, err);
}

static la_ssize_t
tar_read_cb(struct archive *a, void *arg, const void **out)
{
    struct tar_walk *w = arg;
    size_t got = 0;
    *out = w->buf;
    if (w->in_failed)
        return -1;
    /* libarchive keeps the block until the next callback: the reader's lent slot lives as
     * long */
    bsn_code rc = bsn_reader_borrow(w->in, w->buf, WALK_BUF, out, &got, &w->in_err);
    if (rc != BSN_OK) {
        w->in_err.code = rc;
        w->in_failed = true;
        archive_set_error(a, EIO, "%s", w->in_err.msg);
        return -1;
    }
    return (la_ssize_t)got;
}

/* The walk's error after libarchive failed: the reader's own message when it caused it. */
static bsn_code
tar_fail(struct tar_walk *w, struct bsn_err *err, const char *doing)
{
    if (w->in_failed) {
        if (err)
            *err = w->in_err;
        return w->in_err.code ? w->in_err.code : BSN_EIO;
    }
    const char *msg = archive_error_string(w->ar);
    return bsn_err_set(err, BSN_EFORMAT, "corrupt tar stream (%s): %s", doing,
                       msg ? msg : "unknown error");
}

static bsn_code
tar_data_read(struct bsn_walk *base, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    struct tar_walk *w = (struct tar_walk *)base;
    *got = 0;
    if (!w->data_readable || cap == 0)
        return BSN_OK;
    la_ssize_t n = archive_read_data(w->ar, buf, cap);
    if (n < 0)
        return tar_fail(w, err, "reading file data");
    *got = (size_t)n;
    return BSN_OK;
}

/*
 * libarchive keeps entry strings in the locale's charset: pax header strings (UTF-8, and
 * every entry of umoci's and BuildKit's layers has them) are converted to it, and the *_utf8
 * getters convert back, through iconv, per entry and per call (a new conversion object each
 * time): 2% of a cold scan's CPU in the C locale. Under a UTF-8 LC_CTYPE, set for this thread
 * only around libarchive's header parsing, the locale's form is UTF-8 itself: no conversion.
 */
static locale_t utf8_loc;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_init(void)
{
    utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* An entry string as UTF-8 where libarchive has it so, else its raw bytes. */
static const char *
entry_str(const struct tar_walk *w, struct archive_entry *e,
          const char *(*raw)(struct archive_entry *), const char *(*utf8)(struct archive_entry *))
{
    if (w->utf8)
        return raw(e);
    const char *p = utf8(e);
    return p ? p : raw(e);
}

static const char *
entry_name(const struct tar_walk *w, struct archive_entry *e)
{
    return entry_str(w, e, archive_entry_pathname, archive_entry_pathname_utf8);
}

/* Fills ent from e; false when the entry is to be skipped. */
static bool
tar_entry(struct tar_walk *w, struct archive_entry *e, struct bsn_entry *ent)
{
    const char *name = entry_name(w, e);
    if (!name)
        return false;
    bsn_buf_reset(&w->path);
    if (bsn_buf_adds(&w->path, name) != BSN_OK)
        return false; /* a path longer than 64 KiB names nothing an analyzer wants */
    size_t len = w->path.len;
    if (!bsn_path_normalize(w->path.ptr, &len))
        return false;
    w->path.len = len;
    char *p = w->path.ptr;
    char *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    size_t dlen = base > p ? (size_t)(base - p - 1) : 0;

    /* Anything inside an AUFS bookkeeping directory (".wh..wh.plnk/…") is not a file. */
    for (char *q = p; q && q < p + dlen; q = strchr(q, '/') ? strchr(q, '/') + 1 : NULL)
        if (strncmp(q, ".wh..wh.", 8) == 0)
            return false;
    memset(ent, 0, sizeof(*ent));
    ent->mode = (uint32_t)archive_entry_mode(e);
    if (strncmp(base, ".wh.", 4) == 0) {
        if (strcmp(base, ".wh..wh..opq") == 0) {
            ent->type = BSN_ENTRY_OPAQUE;
            p[dlen] = '\0';
            len = dlen;
        } else if (strncmp(base, ".wh..wh.", 8) == 0) {
            return false;
        } else {
            ent->type = BSN_ENTRY_WHITEOUT;
            size_t blen = strlen(base);
            memmove(base, base + 4, blen - 4 + 1);
            len -= 4;
            if (!bsn_path_normalize(p, &len))
                return false;
        }
        ent->path = p;
        ent->len = len;
        return true;
    }
    ent->path = p;
    ent->len = len;
    ent->size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0
                    ? (uint64_t)archive_entry_size(e) : 0;
    const char *hl = entry_str(w, e, archive_entry_hardlink, archive_entry_hardlink_utf8);
    if (hl) {
        bsn_buf_reset(&w->link);
        if (bsn_buf_adds(&w->link, hl) != BSN_OK)
            return false;
        size_t llen = w->link.len;
        if (!bsn_path_normalize(w->link.ptr, &llen))
            return false;
        w->link.len = llen;
        ent->type = BSN_ENTRY_HARDLINK;
        ent->link = w->link.ptr;
        ent->size = 0;
        return true;
    }
    switch (archive_entry_filetype(e)) {
    case AE_IFREG:
        ent->type = BSN_ENTRY_REG;
        w->data_readable = true;
        break;
    case AE_IFDIR:
        ent->type = BSN_ENTRY_DIR;
        ent->size = 0;
        break;
    case AE_IFLNK: {
        const char *t = entry_str(w, e, archive_entry_symlink, archive_entry_symlink_utf8);
        ent->type = BSN_ENTRY_SYMLINK;
        ent->size = 0;
        bsn_buf_reset(&w->link);
        if (bsn_buf_adds(&w->link, t ? t : "") != BSN_OK)
            return false;
        ent->link = w->link.ptr;
        break;
    }
    default:
        ent->type = BSN_ENTRY_OTHER;
        ent->size = 0;
        break;
    }
    return true;
}

/* Reads what follows the end-of-archive blocks, so verifiers below reach their end. */
static bsn_code
tar_drain(struct tar_walk *w, struct bsn_err *err)
{
    if (w->in_failed) {
        if (err)
            *err = w->in_err;
        return w->in_err.code ? w->in_err.code : BSN_EIO;
    }
    for (;;) {
        size_t got = 0;
        const void *p;
        BSN_TRY(bsn_reader_borrow(w->in, w->buf, WALK_BUF, &p, &got, err));
        if (got == 0)
            return BSN_OK;
    }
}

/* The next entry to hand out, or NULL at the end (*rc then says how it ended); runs libarchive
 * under the UTF-8 LC_CTYPE when there is one. */
static bool
tar_next(struct tar_walk *w, struct bsn_entry *ent, bsn_code *rc, struct bsn_err *err)
{
    locale_t old = w->utf8 ? uselocale(w->utf8) : (locale_t)0;
    bool got = false;
    *rc = BSN_OK;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(w->ar, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            *rc = tar_fail(w, err, "reading a header");
            break;
        }
        w->data_readable = false;
        if (tar_entry(w, e, ent)) {
            got = true;
            break;
        }
    }
    if (old)
        uselocale(old);
    return got;
}

static bsn_code
tar_walk_run(struct tar_walk *w, bsn_entry_fn *fn, void *arg, struct bsn_err *err)
{
    if (archive_read_open(w->ar, w, NULL, tar_read_cb, NULL) != ARCHIVE_OK)
        return tar_fail(w, err, "opening");
    struct bsn_entry ent;
    bsn_code rc;
    while (tar_next(w, &ent, &rc, err)) {
        BSN_TRY(fn(arg, &w->base, &ent, err));
        w->data_readable = false;
    }
    BSN_TRY(rc);
    return tar_drain(w, err);
}

bsn_code
bsn_layer_walk(struct bsn_reader *tar, bsn_entry_fn *fn, void *arg, struct bsn_err *err)
{
    struct tar_walk w;
    memset(&w, 0, sizeof(w));
    w.base.read = tar_data_read;
    w.in = tar;
    w.buf = bsn_xmalloc(WALK_BUF);
    pthread_once(&utf8_once, utf8_init);
    w.utf8 = utf8_loc;
    bsn_buf_init(&w.path, PATH_MAX_BYTES);
    bsn_buf_init(&w.link, PATH_MAX_BYTES);
    w.ar = archive_read_new();
    if (!w.ar)
        BSN_BUG("archive_read_new failed");
    archive_read_support_format_tar(w.ar);
    bsn_code rc = tar_walk_run(&w, fn, arg, err);
    archive_read_free(w.ar);
    bsn_buf_release(&w.path);
    bsn_buf_release(&w.link);
    free(w.buf);
    return rc;
}
