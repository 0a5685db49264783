/*
 * Layer byte streams: a file region (a blob file, or a member of an outer tar found by its
 * header offset), a memory buffer, and the two wrappers every layer goes through: sha256 + size
 * verification and decompression.
 *
 * Decompression: gzip with ISA-L's isal_inflate (ISAL_GZIP: header and CRC checked by ISA-L),
 * member after member, since gzip allows concatenated members (pigz and some registries write
 * them); bytes after the last member that do not start a new member are ignored, as gzip(1)
 * does. zlib is used only when the ISA-L state cannot be allocated. zstd through
 * ZSTD_decompressStream, which walks concatenated and skippable frames itself. Every wrapper
 * reads its inner stream to its end, so a verifier underneath always sees the whole blob and can
 * report a mismatch. Compressed input is read 256 KiB at a time; nothing holds a whole blob.
 *
 * The decompressing reader runs on its own thread (started at the first read): the inflate
 * fills a ring of four 1 MiB slots while the caller's thread walks the tar and runs the
 * analyzers, lent the slots themselves (borrow(): no copy). For compressed layers the blob's
 * read and sha256 run one stage earlier, on a third thread (bsn_reader_ahead: four 256 KiB
 * blocks, lent to the inflater), so a lone layer keeps more than one core busy. An error
 * travels through a ring after the bytes before it, so the caller sees the same bytes and
 * then the same error as without the threads. When no thread can be started a reader works
 * in its caller's thread.
 */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/sha256.h"
#include "base/xalloc.h"

#define STREAM_BUF (1024u * 1024u) /* a ring slot: decompressed bytes */
#define DEC_IN_BUF (256u * 1024u)  /* compressed input of the decompressor */

/* A failed reader keeps failing with the same error: callers may retry reads. */
struct sticky {
    bool failed;
    struct bsn_err err;
};

static bsn_code
sticky_fail(struct sticky *s, struct bsn_err *err, bsn_code rc)
{
    s->failed = true;
    if (err)
        s->err = *err;
    else
        s->err.code = rc;
    return rc;
}

static bsn_code
sticky_repeat(const struct sticky *s, struct bsn_err *err)
{
    if (err)
        *err = s->err;
    return s->err.code ? s->err.code : BSN_EIO;
}

/* ---- memory --------------------------------------------------------------------------------- */

struct mem_reader {
    struct bsn_reader base;
    const unsigned char *p;
    size_t n, pos;
};

static bsn_code
mem_read(struct bsn_reader *r, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    struct mem_reader *m = (struct mem_reader *)r;
    (void)err;
    size_t k = m->n - m->pos;
    if (k > cap)
        k = cap;
    if (k)
        memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    *got = k;
    return BSN_OK;
}

/* Lends the memory itself, at most 64 KiB at a time (block boundaries as a stream has them). */
static bsn_code
mem_borrow(struct bsn_reader *r, const void **p, size_t *got, struct bsn_err *err)
{
    struct mem_reader *m = (struct mem_reader *)r;
    (void)err;
    size_t k = m->n - m->pos;
    if (k > 64u * 1024)
        k = 64u * 1024;
    *p = k ? m->p + m->pos : m->p; /* no arithmetic on a NULL buffer */
    m->pos += k;
    *got = k;
    return BSN_OK;
}

static void
mem_close(struct bsn_reader *r)
{
    free(r);
}

struct bsn_reader *
bsn_reader_mem(const void *p, size_t n)
{
    struct mem_reader *m = bsn_xcalloc(1, sizeof(*m));
    m->base.read = mem_read;
    m->base.close = mem_close;
    m->base.borrow = mem_borrow;
    m->p = p;
    m->n = p ? n : 0;
    return &m->base;
}

/* ---- file region ---------------------------------------------------------------------------- */

struct file_reader {
    struct bsn_reader base;
    int fd;
    uint64_t off, len, pos; /* len UINT64_MAX: to end of file */
    char *path;
};

static bsn_code
file_read(struct bsn_reader *r, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    struct file_reader *f = (struct file_reader *)r;
    *got = 0;
    if (f->len != UINT64_MAX) {
        uint64_t left = f->len - f->pos;
        if (left == 0)
            return BSN_OK;
        if (cap > left)
            cap = (size_t)left;
    }
    if (cap > (size_t)1 << 30)
        cap = (size_t)1 << 30;
    ssize_t n;
    do {
        n = pread(f->fd, buf, cap, (off_t)(f->off + f->pos));
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot read '%s'", f->path);
    if (n == 0 && f->len != UINT64_MAX)
        return bsn_err_set(err, BSN_EFORMAT,
                           "'%s' is truncated: ends at byte %llu, inside a member ending at "
                           "byte %llu", f->path, (unsigned long long)(f->off + f->pos),
                           (unsigned long long)(f->off + f->len));
    f->pos += (uint64_t)n;
    *got = (size_t)n;
    return BSN_OK;
}

static void
file_close(struct bsn_reader *r)
{
    struct file_reader *f = (struct file_reader *)r;
    close(f->fd);
    free(f->path);
    free(f);
}

bsn_code
bsn_reader_file(const char *path, uint64_t off, uint64_t len, struct bsn_reader **out,
                struct bsn_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bsn_err_sys(err, errno == ENOENT ? BSN_ENOTFOUND : BSN_EIO, errno,
                           "cannot open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bsn_err_set(err, BSN_EIO, "cannot read '%s': not a regular file", path);
    }
    if (len != UINT64_MAX && off + len < off) {
        close(fd);
        return bsn_err_set(err, BSN_EINVAL, "bad region of '%s'", path);
    }
    struct file_reader *f = bsn_xcalloc(1, sizeof(*f));
    f->base.read = file_read;
    f->base.close = file_close;
    f->fd = fd;
    f->off = off;
    f->len = len;
    f->path = bsn_xstrdup(path);
    *out = &f->base;
    return BSN_OK;
}

/* ---- verification --------------------------------------------------------------------------- */

struct verify_reader {
    struct bsn_reader base;
    struct bsn_reader *inner;
    struct bsn_sha256 sha;
    char *digest; /* NULL: size only */
    uint64_t size, count;
    char *what;
    bool done;
    struct sticky st;
};

/* Counts and hashes n bytes just read (n == 0: the end, where size and digest are checked). */
static bsn_code
verify_account(struct verify_reader *v, const void *buf, size_t n, struct bsn_err *err)
{
    if (n > 0) {
        v->count += n;
        if (v->size > 0 && v->count > v->size)
            return sticky_fail(&v->st, err,
                               bsn_err_set(err, BSN_EFORMAT,
                                           "%s is larger than its recorded size of %llu bytes",
                                           v->what, (unsigned long long)v->size));
        if (v->digest)
            bsn_sha256_update(&v->sha, buf, n);
        return BSN_OK;
    }
    v->done = true;
    if (v->size > 0 && v->count < v->size)
        return sticky_fail(&v->st, err,
                           bsn_err_set(err, BSN_EFORMAT, "%s is truncated: got %llu of %llu bytes",
                                       v->what, (unsigned long long)v->count,
                                       (unsigned long long)v->size));
    if (v->digest) {
        char got_digest[BSN_DIGEST_MAX];
        bsn_sha256_final(&v->sha, got_digest);
        if (strcmp(got_digest, v->digest) != 0)
            return sticky_fail(&v->st, err,
                               bsn_err_set(err, BSN_EFORMAT, "digest mismatch for %s: got %s",
                                           v->what, got_digest));
    }
    return BSN_OK;
}

/* The next bytes of the inner reader, lent (*p points at them) or read into buf, counted and
 * hashed; at the end, size and digest are checked. */
static bsn_code
verify_next(struct verify_reader *v, bool lend, void *buf, size_t cap, const void **p,
            size_t *got, struct bsn_err *err)
{
    *got = 0;
    if (v->st.failed)
        return sticky_repeat(&v->st, err);
    if (v->done)
        return BSN_OK;
    size_t n = 0;
    bsn_code rc = lend ? v->inner->borrow(v->inner, p, &n, err)
                       : bsn_reader_read(v->inner, buf, cap, &n, err);
    if (rc != BSN_OK)
        return sticky_fail(&v->st, err, rc);
    BSN_TRY(verify_account(v, lend ? *p : buf, n, err));
    *got = n;
    return BSN_OK;
}

static bsn_code
verify_read(struct bsn_reader *r, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    return verify_next((struct verify_reader *)r, false, buf, cap, NULL, got, err);
}

/* Set only when the inner reader lends its bytes: they are hashed where they lie. */
static bsn_code
verify_borrow(struct bsn_reader *r, const void **p, size_t *got, struct bsn_err *err)
{
    return verify_next((struct verify_reader *)r, true, NULL, 0, p, got, err);
}

static void
verify_close(struct bsn_reader *r)
{
    struct verify_reader *v = (struct verify_reader *)r;
    bsn_reader_close(v->inner);
    bsn_sha256_release(&v->sha);
    free(v->digest);
    free(v->what);
    free(v);
}

struct bsn_reader *
bsn_reader_verify(struct bsn_reader *inner, const char *digest, uint64_t size, const char *what)
{
    struct verify_reader *v = bsn_xcalloc(1, sizeof(*v));
    v->base.read = verify_read;
    v->base.close = verify_close;
    if (inner->borrow)
        v->base.borrow = verify_borrow;
    v->inner = inner;
    v->size = size;
    v->what = bsn_xstrdup(what ? what : "stream");
    if (digest) {
        v->digest = bsn_xstrdup(digest);
        bsn_sha256_init(&v->sha);
    }
    return &v->base;
}

/* ---- decompression -------------------------------------------------------------------------- */

enum dec_state {
    DEC_SNIFF = 0, /* DETECT: magic not looked at yet */
    DEC_RUN,       /* inside a stream (gzip member, zstd frames, plain bytes) */
    DEC_MEMBER_END,/* gzip: a member ended; another may follow */
    DEC_DRAIN,     /* output complete: read the inner stream to its end */
    DEC_DONE,
};

struct dec_reader {
    struct bsn_reader base;
    struct bsn_reader *inner;
    enum bsn_compression comp;
    enum dec_state state;
    uint64_t max_out, total_out;
    char *what;
    const unsigned char *in; /* the input window: own, or a block the inner reader lent */
    unsigned char *own;      /* DEC_IN_BUF bytes: for input gathered across blocks */
    size_t in_len, in_pos;
    bool in_eof;
    struct inflate_state *isal; /* gzip via ISA-L */
    z_stream *z;                /* gzip via zlib, when ISA-L could not be set up */
    ZSTD_DStream *zs;
    size_t zret;                /* last ZSTD_decompressStream result: 0 at a frame end */
    struct sticky st;
};

/* Reads more input, keeping unconsumed bytes. Sets in_eof at the end of the inner stream.
 * With nothing left over and an inner reader that lends its blocks (the blob read ahead on
 * its own thread), the next block becomes the window as it is; bytes left over are gathered
 * into the own buffer first (the lent block goes back at the next call on the inner reader). */
static bsn_code
dec_fill(struct dec_reader *d, struct bsn_err *err)
{
    size_t left = d->in_len - d->in_pos;
    if (left == 0 && !d->in_eof && d->inner->borrow) {
        const void *p = NULL;
        size_t n = 0;
        BSN_TRY(d->inner->borrow(d->inner, &p, &n, err));
        d->in_pos = 0;
        d->in_len = n;
        d->in = n ? p : d->own;
        if (n == 0)
            d->in_eof = true;
        return BSN_OK;
    }
    if (d->in != d->own || d->in_pos > 0) {
        memmove(d->own, d->in + d->in_pos, left);
        d->in = d->own;
        d->in_len = left;
        d->in_pos = 0;
    }
    if (d->in_eof || d->in_len == DEC_IN_BUF)
        return BSN_OK;
    size_t n = 0;
    BSN_TRY(bsn_reader_read(d->inner, d->own + d->in_len, DEC_IN_BUF - d->in_len, &n, err));
    if (n == 0)
        d->in_eof = true;
    d->in_len += n;
    return BSN_OK;
}

static bsn_code
dec_gzip_start(struct dec_reader *d, struct bsn_err *err)
{
    if (!d->isal && !d->z) {
        d->isal = malloc(sizeof(*d->isal));
        if (d->isal) {
            isal_inflate_init(d->isal);
            d->isal->crc_flag = ISAL_GZIP;
        } else {
            d->z = bsn_xcalloc(1, sizeof(*d->z));
            if (inflateInit2(d->z, 16 + MAX_WBITS) != Z_OK)
                return bsn_err_set(err, BSN_EIO, "cannot set up gzip decompression for %s",
                                   d->what);
        }
        return BSN_OK;
    }
    if (d->isal) {
        isal_inflate_reset(d->isal);
        d->isal->crc_flag = ISAL_GZIP;
    } else if (inflateReset(d->z) != Z_OK) {
        return bsn_err_set(err, BSN_EIO, "cannot reset gzip decompression for %s", d->what);
    }
    return BSN_OK;
}

/* One step of gzip: fills out with up to cap bytes; sets state to DEC_MEMBER_END at a member's
 * end. *made may be 0 when input was consumed without output. */
static bsn_code
dec_gzip_step(struct dec_reader *d, unsigned char *out, size_t cap, size_t *made,
              bool *progress, struct bsn_err *err)
{
    size_t avail = d->in_len - d->in_pos;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    if (avail > UINT32_MAX)
        avail = UINT32_MAX;
    size_t used;
    if (d->isal) {
        struct inflate_state *s = d->isal;
        s->next_in = (uint8_t *)(uintptr_t)(d->in + d->in_pos); /* only read */
        s->avail_in = (uint32_t)avail;
        s->next_out = out;
        s->avail_out = (uint32_t)cap;
        int ret = isal_inflate(s);
        used = avail - s->avail_in;
        *made = cap - s->avail_out;
        if (ret < 0)
            return bsn_err_set(err, BSN_EFORMAT, "corrupt gzip data in %s (isa-l error %d)",
                               d->what, ret);
        if (s->block_state == ISAL_BLOCK_FINISH)
            d->state = DEC_MEMBER_END;
    } else {
        z_stream *z = d->z;
        z->next_in = (Bytef *)(uintptr_t)(d->in + d->in_pos); /* only read */
        z->avail_in = (uInt)avail;
        z->next_out = out;
        z->avail_out = (uInt)cap;
        int ret = inflate(z, Z_NO_FLUSH);
        used = avail - z->avail_in;
        *made = cap - z->avail_out;
        if (ret == Z_STREAM_END)
            d->state = DEC_MEMBER_END;
        else if (ret != Z_OK && ret != Z_BUF_ERROR)
            return bsn_err_set(err, BSN_EFORMAT, "corrupt gzip data in %s: %s", d->what,
                               z->msg ? z->msg : "inflate failed");
    }
    d->in_pos += used;
    *progress = used > 0 || *made > 0 || d->state == DEC_MEMBER_END;
    return BSN_OK;
}

static bsn_code
dec_zstd_step(struct dec_reader *d, unsigned char *out, size_t cap, size_t *made,
              bool *progress, struct bsn_err *err)
{
    ZSTD_inBuffer in = { d->in + d->in_pos, d->in_len - d->in_pos, 0 };
    ZSTD_outBuffer o = { out, cap, 0 };
    size_t ret = ZSTD_decompressStream(d->zs, &o, &in);
    if (ZSTD_isError(ret))
        return bsn_err_set(err, BSN_EFORMAT, "corrupt zstd data in %s: %s", d->what,
                           ZSTD_getErrorName(ret));
    /* After a finished frame a call without input returns the next frame's header hint:
     * only calls that did something say whether the stream stopped mid-frame. */
    if (in.pos > 0 || o.pos > 0 || ret == 0)
        d->zret = ret;
    d->in_pos += in.pos;
    *made = o.pos;
    *progress = in.pos > 0 || o.pos > 0;
    return BSN_OK;
}

static bsn_code
dec_sniff(struct dec_reader *d, struct bsn_err *err)
{
    while (d->in_len - d->in_pos < 4 && !d->in_eof)
        BSN_TRY(dec_fill(d, err));
    const unsigned char *p = d->in + d->in_pos;
    size_t n = d->in_len - d->in_pos;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        d->comp = BSN_COMP_GZIP;
    else if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        d->comp = BSN_COMP_ZSTD;
    else
        d->comp = BSN_COMP_NONE;
    return BSN_OK;
}

static bsn_code
dec_start(struct dec_reader *d, struct bsn_err *err)
{
    if (d->comp == BSN_COMP_DETECT)
        BSN_TRY(dec_sniff(d, err));
    if (d->comp == BSN_COMP_GZIP)
        BSN_TRY(dec_gzip_start(d, err));
    if (d->comp == BSN_COMP_ZSTD) {
        d->zs = ZSTD_createDStream();
        if (!d->zs || ZSTD_isError(ZSTD_initDStream(d->zs)))
            return bsn_err_set(err, BSN_EIO, "cannot set up zstd decompression for %s",
                               d->what);
        d->zret = 0;
    }
    d->state = DEC_RUN;
    return BSN_OK;
}

/* After a gzip member: another member, trailing bytes to ignore, or the end. */
static bsn_code
dec_member_end(struct dec_reader *d, struct bsn_err *err)
{
    while (d->in_len - d->in_pos < 2 && !d->in_eof)
        BSN_TRY(dec_fill(d, err));
    size_t n = d->in_len - d->in_pos;
    const unsigned char *p = d->in + d->in_pos;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        BSN_TRY(dec_gzip_start(d, err));
        d->state = DEC_RUN;
    } else {
        d->state = DEC_DRAIN;
    }
    return BSN_OK;
}

static bsn_code
dec_read_inner(struct dec_reader *d, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    *got = 0;
    for (;;) {
        switch (d->state) {
        case DEC_SNIFF:
            BSN_TRY(dec_start(d, err));
            continue;
        case DEC_MEMBER_END:
            BSN_TRY(dec_member_end(d, err));
            continue;
        case DEC_DRAIN:
            /* Trailing bytes (gzip padding) are read so a verifier below sees the whole blob. */
            d->in_pos = d->in_len;
            while (!d->in_eof) {
                d->in_pos = d->in_len;
                BSN_TRY(dec_fill(d, err));
            }
            d->in_pos = d->in_len = 0;
            d->state = DEC_DONE;
            return BSN_OK;
        case DEC_DONE:
            return BSN_OK;
        case DEC_RUN:
            break;
        }
        if (d->in_pos == d->in_len && !d->in_eof)
            BSN_TRY(dec_fill(d, err));
        if (d->comp == BSN_COMP_NONE) {
            size_t k = d->in_len - d->in_pos;
            if (k == 0 && d->in_eof) {
                d->state = DEC_DONE;
                return BSN_OK;
            }
            if (k > cap)
                k = cap;
            memcpy(buf, d->in + d->in_pos, k);
            d->in_pos += k;
            *got = k;
            return BSN_OK;
        }
        size_t made = 0;
        bool progress = false;
        if (d->comp == BSN_COMP_GZIP)
            BSN_TRY(dec_gzip_step(d, buf, cap, &made, &progress, err));
        else
            BSN_TRY(dec_zstd_step(d, buf, cap, &made, &progress, err));
        if (made > 0) {
            *got = made;
            return BSN_OK;
        }
        if (d->comp == BSN_COMP_ZSTD && d->in_eof && d->in_pos == d->in_len) {
            if (d->zret != 0)
                return bsn_err_set(err, BSN_EFORMAT, "zstd data in %s ends early", d->what);
            d->state = DEC_DONE;
            return BSN_OK;
        }
        if (!progress) {
            if (d->in_eof)
                return bsn_err_set(err, BSN_EFORMAT, "gzip data in %s ends early", d->what);
            if (d->in_pos == 0 && d->in_len == DEC_IN_BUF)
                return bsn_err_set(err, BSN_EFORMAT, "corrupt gzip data in %s", d->what);
            BSN_TRY(dec_fill(d, err));
        }
    }
}

static bsn_code
dec_read(struct bsn_reader *r, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    struct dec_reader *d = (struct dec_reader *)r;
    *got = 0;
    if (d->st.failed)
        return sticky_repeat(&d->st, err);
    if (cap == 0)
        return BSN_OK;
    bsn_code rc = dec_read_inner(d, buf, cap, got, err);
    if (rc != BSN_OK) {
        *got = 0;
        return sticky_fail(&d->st, err, rc);
    }
    d->total_out += *got;
    if (d->total_out > d->max_out) {
        *got = 0;
        return sticky_fail(&d->st, err,
                           bsn_err_set(err, BSN_ELIMIT, "%s decompresses past %llu bytes",
                                       d->what, (unsigned long long)d->max_out));
    }
    return BSN_OK;
}

static void
dec_close(struct bsn_reader *r)
{
    struct dec_reader *d = (struct dec_reader *)r;
    bsn_reader_close(d->inner);
    free(d->isal);
    if (d->z) {
        inflateEnd(d->z);
        free(d->z);
    }
    ZSTD_freeDStream(d->zs);
    free(d->own);
    free(d->what);
    free(d);
}

/* ---- the decompression thread ---------------------------------------------------------------- */

#define PIPE_SLOTS 4u

struct pipe_slot {
    unsigned char *buf;
    size_t len;
};

struct pipe_reader {
    struct bsn_reader base;
    struct bsn_reader *src; /* read only by the thread once it runs */
    bool started, threaded;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pipe_slot slots[PIPE_SLOTS];
    size_t slot_size;
    size_t produced, consumed; /* slots published / given back; under mu */
    bool end;                  /* no slot follows the last published one; under mu */
    bool cancel;               /* the reader is closing; under mu */
    bsn_code rc;               /* the source's result at the end; under mu */
    struct bsn_err err;
    size_t pos;                /* read position in the consumer's current slot */
    bool lent;                 /* the current slot is lent out by borrow(): give it back next */
    struct sticky st;
};

static void *
pipe_thread(void *arg)
{
    struct pipe_reader *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->produced - p->consumed == PIPE_SLOTS && !p->cancel)
            pthread_cond_wait(&p->cv, &p->mu);
        bool cancel = p->cancel;
        pthread_mutex_unlock(&p->mu);
        if (cancel)
            return NULL;
        /* The slot at produced is not the consumer's: it only reads slots below produced. */
        struct pipe_slot *s = &p->slots[p->produced % PIPE_SLOTS];
        struct bsn_err e;
        bsn_err_clear(&e);
        bsn_code rc = BSN_OK;
        bool eof = false;
        s->len = 0;
        while (s->len < p->slot_size) {
            size_t got = 0;
            rc = bsn_reader_read(p->src, s->buf + s->len, p->slot_size - s->len, &got, &e);
            if (rc != BSN_OK || got == 0) {
                eof = true;
                break;
            }
            s->len += got;
        }
        pthread_mutex_lock(&p->mu);
        p->produced++;
        if (eof) {
            p->end = true;
            p->rc = rc;
            p->err = e;
        }
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (eof)
            return NULL;
    }
}

/* Starts the thread at the first read; false when it cannot run (then the caller's thread
 * reads the source itself). */
static bool
pipe_start(struct pipe_reader *p)
{
    if (!p->started) {
        p->started = true;
        p->threaded = pthread_create(&p->thread, NULL, pipe_thread, p) == 0;
    }
    return p->threaded;
}

/* Gives the consumer's current slot back to the thread. */
static void
pipe_release(struct pipe_reader *p)
{
    p->pos = 0;
    p->lent = false;
    pthread_mutex_lock(&p->mu);
    p->consumed++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Waits for a published slot with bytes left: *s, or NULL at the end (rc: the source's). */
static bsn_code
pipe_next(struct pipe_reader *p, struct pipe_slot **s, struct bsn_err *err)
{
    *s = NULL;
    if (p->st.failed)
        return sticky_repeat(&p->st, err);
    if (p->lent)
        pipe_release(p);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->consumed == p->produced && !p->end)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->consumed == p->produced) {
            bsn_code rc = p->rc;
            struct bsn_err e = p->err;
            pthread_mutex_unlock(&p->mu);
            if (rc == BSN_OK)
                return BSN_OK;
            if (!e.code)
                e.code = rc;
            p->st.failed = true;
            p->st.err = e;
            if (err)
                *err = e;
            return rc;
        }
        pthread_mutex_unlock(&p->mu);
        struct pipe_slot *cur = &p->slots[p->consumed % PIPE_SLOTS];
        if (p->pos < cur->len) {
            *s = cur;
            return BSN_OK;
        }
        pipe_release(p); /* an empty last slot */
    }
}

static bsn_code
pipe_read(struct bsn_reader *r, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    struct pipe_reader *p = (struct pipe_reader *)r;
    *got = 0;
    if (!pipe_start(p))
        return bsn_reader_read(p->src, buf, cap, got, err);
    if (cap == 0)
        return BSN_OK;
    struct pipe_slot *s;
    BSN_TRY(pipe_next(p, &s, err));
    if (!s)
        return BSN_OK;
    size_t k = s->len - p->pos;
    if (k > cap)
        k = cap;
    memcpy(buf, s->buf + p->pos, k);
    p->pos += k;
    if (p->pos == s->len)
        pipe_release(p);
    *got = k;
    return BSN_OK;
}

/* Lends the rest of the current slot; it goes back to the thread at the next call. */
static bsn_code
pipe_borrow(struct bsn_reader *r, const void **out, size_t *n, struct bsn_err *err)
{
    struct pipe_reader *p = (struct pipe_reader *)r;
    *n = 0;
    if (!pipe_start(p)) {
        /* no thread: read in the caller's thread into the first slot */
        *out = p->slots[0].buf;
        return bsn_reader_read(p->src, p->slots[0].buf, p->slot_size, n, err);
    }
    struct pipe_slot *s;
    BSN_TRY(pipe_next(p, &s, err));
    if (!s)
        return BSN_OK;
    *out = s->buf + p->pos;
    *n = s->len - p->pos;
    p->pos = s->len;
    p->lent = true;
    return BSN_OK;
}

static void
pipe_close(struct bsn_reader *r)
{
    struct pipe_reader *p = (struct pipe_reader *)r;
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->cancel = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
    }
    bsn_reader_close(p->src);
    for (size_t i = 0; i < PIPE_SLOTS; i++)
        free(p->slots[i].buf);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Runs src on its own thread, PIPE_SLOTS slots of slot bytes ahead of the caller; takes
 * ownership of src. */
static struct bsn_reader *
pipe_reader(struct bsn_reader *src, size_t slot)
{
    struct pipe_reader *p = bsn_xcalloc(1, sizeof(*p));
    p->base.read = pipe_read;
    p->base.close = pipe_close;
    p->base.borrow = pipe_borrow;
    p->src = src;
    p->slot_size = slot;
    for (size_t i = 0; i < PIPE_SLOTS; i++)
        p->slots[i].buf = bsn_xmalloc(slot);
    if (pthread_mutex_init(&p->mu, NULL) != 0 || pthread_cond_init(&p->cv, NULL) != 0)
        BSN_BUG("cannot set up a mutex for the decompression thread");
    return &p->base;
}

struct bsn_reader *
bsn_reader_decompress(struct bsn_reader *inner, enum bsn_compression c, uint64_t max_out,
                      const char *what)
{
    struct dec_reader *d = bsn_xcalloc(1, sizeof(*d));
    d->base.read = dec_read;
    d->base.close = dec_close;
    d->inner = inner;
    d->comp = c;
    d->max_out = max_out ? max_out : UINT64_MAX;
    d->what = bsn_xstrdup(what ? what : "stream");
    d->own = bsn_xmalloc(DEC_IN_BUF);
    d->in = d->own;
    d->state = DEC_SNIFF;
    return pipe_reader(&d->base, STREAM_BUF);
}

struct bsn_reader *
bsn_reader_ahead(struct bsn_reader *inner)
{
    return pipe_reader(inner, DEC_IN_BUF);
}
