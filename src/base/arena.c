/*
 * Region allocator: a chain of blocks, bump allocation, oversized requests get their own block.
 */
#include "base/arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define BLOCK_BYTES (64u * 1024u)
#define ALIGN 16u

struct block {
    struct block *prev;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

struct deferred {
    struct deferred *prev;
    void (*fn)(void *);
    void *arg;
    struct block *owner; /* block that was current when registered, for rewind */
};

struct bsn_arena {
    struct block *top;
    struct deferred *defers;
    size_t total;
};

static struct block *
block_new(size_t cap, struct block *prev)
{
    struct block *b = bsn_xmalloc(sizeof(*b) + cap);
    b->prev = prev;
    b->cap = cap;
    b->used = 0;
    return b;
}

struct bsn_arena *
bsn_arena_new(void)
{
    struct bsn_arena *a = bsn_xcalloc(1, sizeof(*a));
    a->top = block_new(BLOCK_BYTES, NULL);
    return a;
}

static void
run_defers_until(struct bsn_arena *a, struct deferred *stop)
{
    while (a->defers && a->defers != stop) {
        struct deferred *d = a->defers;
        a->defers = d->prev;
        d->fn(d->arg);
    }
}

void
bsn_arena_free(struct bsn_arena *a)
{
    if (!a)
        return;
    run_defers_until(a, NULL);
    struct block *b = a->top;
    while (b) {
        struct block *p = b->prev;
        free(b);
        b = p;
    }
    free(a);
}

void *
bsn_arena_alloc(struct bsn_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ALIGN) {
        fprintf(stderr, "fatal: arena request too large\n");
        abort();
    }
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct block *b = a->top;
    if (b->cap - b->used < n) {
        if (n > BLOCK_BYTES / 4) {
            /* Big request: its own block, slotted below the current one so that the
             * current block's free space is not wasted. */
            struct block *big = block_new(n, b->prev);
            big->used = n;
            b->prev = big;
            a->total += n;
            memset(big->data, 0, n);
            return big->data;
        }
        b = block_new(BLOCK_BYTES, b);
        a->top = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

void *
bsn_arena_alloc_array(struct bsn_arena *a, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        fprintf(stderr, "fatal: arena array too large\n");
        abort();
    }
    return bsn_arena_alloc(a, nmemb * size);
}

void *
bsn_arena_memdup(struct bsn_arena *a, const void *p, size_t n)
{
    void *q = bsn_arena_alloc(a, n);
    if (n)
        memcpy(q, p, n);
    return q;
}

char *
bsn_arena_strndup(struct bsn_arena *a, const char *s, size_t n)
{
    char *p = bsn_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
bsn_arena_strdup(struct bsn_arena *a, const char *s)
{
    return s ? bsn_arena_strndup(a, s, strlen(s)) : NULL;
}

char *
bsn_arena_strslice(struct bsn_arena *a, struct bsn_str s)
{
    return bsn_arena_strndup(a, s.ptr, s.len);
}

char *
bsn_arena_vprintf(struct bsn_arena *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return bsn_arena_strdup(a, "");
    char *p = bsn_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
bsn_arena_printf(struct bsn_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = bsn_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void
bsn_arena_defer(struct bsn_arena *a, void (*fn)(void *), void *arg)
{
    struct deferred *d = bsn_arena_alloc(a, sizeof(*d));
    d->fn = fn;
    d->arg = arg;
    d->owner = a->top;
    d->prev = a->defers;
    a->defers = d;
}

size_t
bsn_arena_used(const struct bsn_arena *a)
{
    return a->total;
}

struct bsn_arena_mark
bsn_arena_mark(const struct bsn_arena *a)
{
    struct bsn_arena_mark m = { a->top, a->top->used };
    return m;
}

void
bsn_arena_rewind(struct bsn_arena *a, struct bsn_arena_mark m)
{
    /* Run destructors registered after the mark: they live in memory about to be reused. */
    while (a->defers) {
        struct deferred *d = a->defers;
        struct block *b = a->top;
        bool after = false;
        /* d is after the mark if it sits in a block above the mark's block, or in the mark's
         * block past the mark's offset. */
        for (; b && b != (struct block *)m.block; b = b->prev)
            if ((unsigned char *)d >= b->data && (unsigned char *)d < b->data + b->cap)
                after = true;
        if (!after && b == (struct block *)m.block &&
            (unsigned char *)d >= b->data + m.used && (unsigned char *)d < b->data + b->cap)
            after = true;
        if (!after)
            break;
        a->defers = d->prev;
        d->fn(d->arg);
    }
    while (a->top != (struct block *)m.block) {
        struct block *b = a->top;
        if (!b->prev)
            BSN_BUG("arena rewind to a mark of another arena");
        a->top = b->prev;
        free(b);
    }
    a->top->used = m.used;
}
