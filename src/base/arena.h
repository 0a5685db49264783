/*
 * Region allocator (after h2o's mem pool and git's mem_pool).
 *
 * One arena per scan, per request or per layer: the records and strings of that unit live in it
 * and die together; no per-object frees. Not thread-safe: give each thread its own arena.
 * Foreign resources are attached with bsn_arena_defer(), run in reverse order on free.
 * bsn_arena_mark()/bsn_arena_rewind() give analyzers a scratch area reused file after file.
 */
#ifndef BSN_BASE_ARENA_H
#define BSN_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

struct bsn_arena;

struct bsn_arena_mark {
    void *block;
    size_t used;
};

struct bsn_arena *bsn_arena_new(void);
void bsn_arena_free(struct bsn_arena *a);
/* Zeroed memory aligned for any type. Aborts on exhaustion like bsn_xmalloc. */
void *bsn_arena_alloc(struct bsn_arena *a, size_t n);
void *bsn_arena_alloc_array(struct bsn_arena *a, size_t nmemb, size_t size);
void *bsn_arena_memdup(struct bsn_arena *a, const void *p, size_t n);
char *bsn_arena_strdup(struct bsn_arena *a, const char *s);   /* NULL stays NULL */
char *bsn_arena_strndup(struct bsn_arena *a, const char *s, size_t n);
char *bsn_arena_strslice(struct bsn_arena *a, struct bsn_str s);
char *bsn_arena_printf(struct bsn_arena *a, const char *fmt, ...) BSN_PRINTF(2, 3);
char *bsn_arena_vprintf(struct bsn_arena *a, const char *fmt, va_list ap) BSN_PRINTF(2, 0);
/* Runs fn(arg) when the arena is freed. */
void bsn_arena_defer(struct bsn_arena *a, void (*fn)(void *), void *arg);
/* Bytes handed out so far (for limits and benchmarks). */
size_t bsn_arena_used(const struct bsn_arena *a);
struct bsn_arena_mark bsn_arena_mark(const struct bsn_arena *a);
/* Frees everything allocated after the mark (deferred destructors registered after it run). */
void bsn_arena_rewind(struct bsn_arena *a, struct bsn_arena_mark m);

#endif
