/* Parallel-for over pthreads with an atomic work counter. */
#include "base/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"

struct job {
    atomic_size_t next;
    size_t n;
    bsn_job_fn *fn;
    void *arg;
};

static void *
worker(void *p)
{
    struct job *j = p;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n)
            break;
        j->fn(j->arg, i);
    }
    return NULL;
}

void
bsn_parallel_for(size_t n, unsigned threads, bsn_job_fn *fn, void *arg)
{
    struct job j;
    atomic_init(&j.next, 0);
    j.n = n;
    j.fn = fn;
    j.arg = arg;
    if (threads < 1)
        threads = 1;
    if (threads > n)
        threads = (unsigned)(n ? n : 1);
    pthread_t *t = bsn_xcalloc(threads, sizeof(*t));
    unsigned started = 0;
    for (unsigned k = 1; k < threads; k++) {
        if (pthread_create(&t[k], NULL, worker, &j) != 0)
            break; /* fewer threads: the loop still completes on the ones we have */
        started = k;
    }
    worker(&j);
    for (unsigned k = 1; k <= started; k++)
        pthread_join(t[k], NULL);
    free(t);
}

unsigned
bsn_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}
