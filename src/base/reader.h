/*
 * Pull-based byte streams: a layer blob from a file, a tar member, an HTTP response; wrapped by
 * digest verification and decompression. Every layer byte flows through one of these once.
 *
 * read() fills up to cap bytes and sets *got; *got == 0 with BSN_OK means end of stream.
 * close() releases everything (and the wrapped reader, for wrappers). Readers are used by one
 * thread at a time.
 *
 * borrow() is optional, for readers that hold the bytes in a buffer of their own anyway (the
 * decompression ring): it points *p at the next *n bytes inside the reader, valid until the
 * next call on it, instead of copying them out; *n == 0 with BSN_OK means end of stream.
 * bsn_reader_borrow() falls back to read() into the caller's buffer. A layer's tar bytes are
 * borrowed all the way from the ring into libarchive: gigabytes not copied once more.
 */
#ifndef BSN_BASE_READER_H
#define BSN_BASE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct bsn_reader {
    bsn_code (*read)(struct bsn_reader *r, void *buf, size_t cap, size_t *got,
                     struct bsn_err *err);
    void (*close)(struct bsn_reader *r);
    bsn_code (*borrow)(struct bsn_reader *r, const void **p, size_t *n, struct bsn_err *err);
};

static inline bsn_code
bsn_reader_read(struct bsn_reader *r, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    return r->read(r, buf, cap, got, err);
}

/* The next bytes: borrowed from r when it can lend them, else read into buf (cap bytes). */
static inline bsn_code
bsn_reader_borrow(struct bsn_reader *r, void *buf, size_t cap, const void **p, size_t *n,
                  struct bsn_err *err)
{
    if (r->borrow)
        return r->borrow(r, p, n, err);
    *p = buf;
    return r->read(r, buf, cap, n, err);
}

static inline void
bsn_reader_close(struct bsn_reader *r)
{
    if (r)
        r->close(r);
}

#endif
