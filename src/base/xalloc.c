/* Allocation wrappers that abort on exhaustion (see xalloc.h for why). */
#include "base/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
die_oom(size_t n)
{
    fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
    abort();
}

void *
bsn_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *
bsn_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        die_oom(nmemb * size);
    return p;
}

void *
bsn_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

void *
bsn_xgrow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            die_oom(SIZE_MAX);
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        die_oom(SIZE_MAX);
    p = bsn_xrealloc(p, c * size);
    *cap = c;
    return p;
}

char *
bsn_xstrdup(const char *s)
{
    return bsn_xstrndup(s, strlen(s));
}

char *
bsn_xstrndup(const char *s, size_t n)
{
    char *p = bsn_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
