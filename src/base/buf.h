/*
 * Growable byte buffer with a required cap (after curl's dynbuf and git's strbuf).
 *
 * ptr is never NULL after bsn_buf_init and always NUL-terminated. Appends that would take len
 * past max fail with BSN_ELIMIT and leave the buffer unchanged: hostile input gets an error,
 * never an out-of-memory abort.
 */
#ifndef BSN_BASE_BUF_H
#define BSN_BASE_BUF_H

#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

struct bsn_buf {
    char *ptr;
    size_t len, cap, max;
};

void bsn_buf_init(struct bsn_buf *b, size_t max);
void bsn_buf_release(struct bsn_buf *b);
void bsn_buf_reset(struct bsn_buf *b); /* len = 0, keeps the allocation */
BSN_MUST_USE bsn_code bsn_buf_add(struct bsn_buf *b, const void *p, size_t n);
BSN_MUST_USE bsn_code bsn_buf_adds(struct bsn_buf *b, const char *s);
BSN_MUST_USE bsn_code bsn_buf_addc(struct bsn_buf *b, char c);
BSN_MUST_USE bsn_code bsn_buf_addf(struct bsn_buf *b, const char *fmt, ...) BSN_PRINTF(2, 3);
/* Hands the allocation to the caller (free() it); the buffer is re-initialised empty. */
char *bsn_buf_detach(struct bsn_buf *b, size_t *len);
static inline struct bsn_str
bsn_buf_str(const struct bsn_buf *b)
{
    return bsn_str_make(b->ptr, b->len);
}

#endif
