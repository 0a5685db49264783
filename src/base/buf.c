/* Bounded growable buffer. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static char empty_buf[1];

void
bsn_buf_init(struct bsn_buf *b, size_t max)
{
    b->ptr = empty_buf;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void
bsn_buf_release(struct bsn_buf *b)
{
    if (b->cap)
        free(b->ptr);
    bsn_buf_init(b, b->max);
}

void
bsn_buf_reset(struct bsn_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->ptr[0] = '\0';
}

static bsn_code
grow(struct bsn_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return BSN_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return BSN_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    if (b->cap) {
        b->ptr = bsn_xrealloc(b->ptr, cap);
    } else {
        b->ptr = bsn_xmalloc(cap);
        b->ptr[0] = '\0';
    }
    b->cap = cap;
    return BSN_OK;
}

bsn_code
bsn_buf_add(struct bsn_buf *b, const void *p, size_t n)
{
    BSN_TRY(grow(b, n));
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    if (b->cap)
        b->ptr[b->len] = '\0';
    return BSN_OK;
}

bsn_code
bsn_buf_adds(struct bsn_buf *b, const char *s)
{
    return bsn_buf_add(b, s, strlen(s));
}

bsn_code
bsn_buf_addc(struct bsn_buf *b, char c)
{
    return bsn_buf_add(b, &c, 1);
}

bsn_code
bsn_buf_addf(struct bsn_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return BSN_EINVAL;
    if ((size_t)n < sizeof(small))
        return bsn_buf_add(b, small, (size_t)n);
    BSN_TRY(grow(b, (size_t)n));
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BSN_OK;
}

char *
bsn_buf_detach(struct bsn_buf *b, size_t *len)
{
    char *p;
    if (len)
        *len = b->len;
    if (b->cap) {
        p = b->ptr;
    } else {
        p = bsn_xmalloc(1);
        p[0] = '\0';
    }
    bsn_buf_init(b, b->max);
    return p;
}
