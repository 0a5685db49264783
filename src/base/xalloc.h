/*
 * Allocation for long-lived objects. Out of memory aborts: hostile input is bounded by caps
 * (bsn_buf.max, analyzer max_input) long before the allocator is asked for absurd sizes.
 */
#ifndef BSN_BASE_XALLOC_H
#define BSN_BASE_XALLOC_H

#include <stddef.h>

void *bsn_xmalloc(size_t n);
void *bsn_xcalloc(size_t nmemb, size_t size);
void *bsn_xrealloc(void *p, size_t n);
/* Grows an array of nmemb elements of size to hold at least need, doubling; updates *cap. */
void *bsn_xgrow(void *p, size_t *cap, size_t need, size_t size);
char *bsn_xstrdup(const char *s);
char *bsn_xstrndup(const char *s, size_t n);

#endif
