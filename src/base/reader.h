/*
 * Pull-based byte streams: a layer blob from a file, a tar member, an HTTP response; wrapped by
 * digest verification and decompression. Every layer byte flows through one of these once.
 *
 * read() fills up to cap bytes and sets *got; *got == 0 with BSN_OK means end of stream.
 * close() releases everything (and the wrapped reader, for wrappers). Readers are used by one
 * thread at a time.
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
};

static inline bsn_code
bsn_reader_read(struct bsn_reader *r, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    return r->read(r, buf, cap, got, err);
}

static inline void
bsn_reader_close(struct bsn_reader *r)
{
    if (r)
        r->close(r);
}

#endif
