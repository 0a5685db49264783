/*
 * Parallel loops over a fixed set of items (the per-layer jobs of a scan).
 *
 * bsn_parallel_for runs fn(arg, i) for i in [0, n) on up to `threads` threads (the caller's
 * thread is one of them) and returns when all are done. Items are handed out in order, so
 * with fewer threads than items the lowest indices start first. Threads are created per call:
 * a scan makes one call, and thread start-up is microseconds against layer work.
 */
#ifndef BSN_BASE_POOL_H
#define BSN_BASE_POOL_H

#include <stddef.h>

typedef void bsn_job_fn(void *arg, size_t i);

void bsn_parallel_for(size_t n, unsigned threads, bsn_job_fn *fn, void *arg);
/* Number of online CPUs, at least 1. */
unsigned bsn_ncpu(void);

#endif
