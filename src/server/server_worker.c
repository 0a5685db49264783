/*
 * The scan workers and the queue they drain: N threads, each claims a job from the store
 * (bsn_store_job_claim: the oldest queued job, or one whose lease expired because its worker
 * died), scans it with bsn_scan — the library call the CLI uses — renders the Harbor report,
 * bosun's JSON report, CycloneDX and SPDX, and stores them with the inventory in one
 * transaction. A result that cannot be stored (the store is down) is retried with backoff
 * until it is, or until shutdown, when the lease lapses and the job is scanned again.
 * Wake-ups: POST /scan signals the condition variable; otherwise workers poll every 500 ms,
 * which is how jobs queued by other servers on a shared PostgreSQL store are seen.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/banned.h"
#include "base/xalloc.h"
#include "report/report.h"
#include "server/server_int.h"

#define MAX_WORKERS 64
#define REPORT_MAX (256u << 20)

static void
sleep_ms(int64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Waits up to ms for a wake-up (or shutdown). */
static void
wait_wake(struct bsn_server *s, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    if (!*s->stop)
        pthread_cond_timedwait(&s->wake, &s->mu, &ts);
    pthread_mutex_unlock(&s->mu);
}

static bsn_code
render(const char *writer, const struct bsn_result *res, struct bsn_buf *out,
       struct bsn_err *err)
{
    const struct bsn_report_writer *w = bsn_report_find(writer);
    if (!w)
        return bsn_err_set(err, BSN_ENOTFOUND, "no report writer '%s'", writer);
    struct bsn_report_opts ro;
    bsn_report_opts_init(&ro);
    BSN_TRY(w->write(res, &ro, out, err));
    return BSN_OK;
}

static void
observe_duration(struct bsn_server *s, int64_t ms)
{
    static const int64_t bounds_ms[] = { 100, 500, 1000, 2000, 5000, 10000, 30000 };
    atomic_fetch_add(&s->m.scan_ms_sum, (uint_fast64_t)ms);
    atomic_fetch_add(&s->m.scan_count, 1);
    size_t b = 0;
    while (b < 7 && ms > bounds_ms[b])
        b++;
    atomic_fetch_add(&s->m.scan_bucket[b], 1);
}

/* Stores with retries: the store may be restarting (PostgreSQL); give up only on shutdown. */
static void
finish(struct bsn_server *s, const struct bsn_store_job *job,
       const struct bsn_store_report *rep, const char *fail_msg)
{
    struct bsn_err err;
    int64_t backoff = 250;
    for (;;) {
        bsn_code rc = fail_msg ? bsn_store_job_fail(s->store, job->id, fail_msg,
                                                    bsn_server_now_ms(), &err)
                               : bsn_store_job_finish(s->store, job->id, job->digest, rep,
                                                      bsn_server_now_ms(), &err);
        if (rc == BSN_OK)
            return;
        bsn_server_log("warn", "job %s: storing the result: %s (retrying)", job->id, err.msg);
        if (*s->stop)
            return;
        sleep_ms(backoff);
        if (backoff < 5000)
            backoff *= 2;
    }
}

/*
 * A scan that failed on the network or at the registry (a registry restarting, a proxy
 * timing out) is tried again later, up to scan_attempts tries in all, waiting retry_base_ms
 * and then four times longer each time; the job keeps answering 302, as Harbor expects of a
 * scan in progress. Everything else (authentication, a missing image, a malformed manifest,
 * a digest mismatch) fails at once: another try would fail the same way. True when the job
 * was put back.
 */
static bool
retry_later(struct bsn_server *s, const struct bsn_store_job *job, bsn_code rc,
            const struct bsn_err *why)
{
    uint64_t max = s->cfg->scan_attempts ? s->cfg->scan_attempts : 3;
    if (rc != BSN_ENET || job->attempts < 1 || (uint64_t)job->attempts >= max || *s->stop)
        return false;
    int64_t wait = (int64_t)(s->cfg->retry_base_ms ? s->cfg->retry_base_ms : 5000);
    for (int64_t k = 1; k < job->attempts && wait < 3600000; k++)
        wait *= 4;
    struct bsn_err err;
    int64_t now = bsn_server_now_ms();
    if (bsn_store_job_retry(s->store, job->id, why->msg, now, now + wait, &err) != BSN_OK) {
        bsn_server_log("warn", "job %s: putting it back for another try: %s", job->id,
                       err.msg);
        return false;
    }
    atomic_fetch_add(&s->m.scans_retried, 1);
    bsn_server_log("warn", "job %s: scan failed (attempt %lld of %llu): %s; trying again in "
                   "%lld ms", job->id, (long long)job->attempts, (unsigned long long)max,
                   why->msg, (long long)wait);
    return true;
}

static void
run_job(struct bsn_server *s, struct bsn_store_job *job)
{
    const struct bsn_server_config *c = s->cfg;
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_err err;
    struct bsn_harbor_target t;
    if (bsn_harbor_target(c, job->request, a, &t, &err) != BSN_OK) {
        bsn_server_log("warn", "job %s: %s", job->id, err.msg);
        finish(s, job, NULL, err.msg);
        atomic_fetch_add(&s->m.scans_failed, 1);
        bsn_arena_free(a);
        return;
    }
    bsn_server_log("info", "job %s: scanning %s (attempt %lld)", job->id, t.target,
                   (long long)job->attempts);
    for (uint64_t waited = 0; waited < c->test_scan_delay_ms && !*s->stop; waited += 50)
        sleep_ms(50);
    if (*s->stop) {
        /* not finished: the lease lapses and the job is scanned again */
        bsn_arena_free(a);
        return;
    }

    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = BSN_SCAN_VULN;
    o.jobs = c->scan_jobs ? c->scan_jobs : 1;
    o.db_path = c->db_path;
    o.cache_dir = c->cache_dir;
    o.username = t.username;
    o.password = t.password;
    o.registry_authorization = t.authorization;
    o.insecure = t.insecure;
    if (s->share_layers)
        o.layer_store = &s->layer_store;
    int64_t t0 = bsn_server_now_ms();
    struct bsn_result *res = NULL;
    bsn_code rc = bsn_scan(t.target, BSN_ARTIFACT_IMAGE, &o, &res, &err);
    int64_t ms = bsn_server_now_ms() - t0;
    if (rc != BSN_OK) {
        observe_duration(s, ms);
        if (!retry_later(s, job, rc, &err)) {
            bsn_server_log("warn", "job %s: scan failed: %s", job->id, err.msg);
            finish(s, job, NULL, err.msg);
            atomic_fetch_add(&s->m.scans_failed, 1);
        }
        bsn_arena_free(a);
        return;
    }

    struct bsn_buf harbor, json, cdx, spdx, inv, findings;
    bsn_buf_init(&harbor, REPORT_MAX);
    bsn_buf_init(&json, REPORT_MAX);
    bsn_buf_init(&cdx, REPORT_MAX);
    bsn_buf_init(&spdx, REPORT_MAX);
    bsn_buf_init(&inv, REPORT_MAX);
    bsn_buf_init(&findings, REPORT_MAX);
    rc = bsn_harbor_render(res, job->request, &harbor, &err);
    if (rc == BSN_OK)
        rc = render("json", res, &json, &err);
    if (rc == BSN_OK)
        rc = render("cyclonedx", res, &cdx, &err);
    if (rc == BSN_OK)
        rc = render("spdx-json", res, &spdx, &err);
    if (rc == BSN_OK)
        rc = bsn_inventory_dump(res, &inv, &findings, &err);
    if (rc != BSN_OK) {
        bsn_server_log("warn", "job %s: rendering: %s", job->id, err.msg);
        finish(s, job, NULL, err.msg);
        atomic_fetch_add(&s->m.scans_failed, 1);
    } else {
        struct bsn_store_report rep = {
            .harbor = harbor.ptr, .json = json.ptr, .cyclonedx = cdx.ptr, .spdx = spdx.ptr,
            .inventory = inv.ptr, .findings = findings.ptr, .repository = t.repository,
            .scan_ms = ms, .db_built_at = atomic_load(&s->db_built_at),
        };
        finish(s, job, &rep, NULL);
        atomic_fetch_add(&s->m.scans_ok, 1);
        bsn_server_log("info", "job %s: done in %lld ms: %zu packages, %zu vulnerabilities",
                       job->id, (long long)ms, res->n_packages, res->n_vulns);
    }
    observe_duration(s, ms);
    bsn_buf_release(&harbor);
    bsn_buf_release(&json);
    bsn_buf_release(&cdx);
    bsn_buf_release(&spdx);
    bsn_buf_release(&inv);
    bsn_buf_release(&findings);
    bsn_result_free(res);
    bsn_arena_free(a);
}

static void *
worker_main(void *arg)
{
    struct bsn_server *s = arg;
    int64_t lease_ms = (int64_t)(s->cfg->lease_s ? s->cfg->lease_s : 60) * 1000;
    int64_t quiet_until = 0;
    while (!*s->stop) {
        struct bsn_store_job job;
        bool got = false;
        struct bsn_err err;
        memset(&job, 0, sizeof(job));
        int64_t now = bsn_server_now_ms();
        if (bsn_store_job_claim(s->store, s->owner, now, lease_ms, &job, &got, &err) != BSN_OK) {
            if (now >= quiet_until) {
                bsn_server_log("warn", "claiming a job: %s (retrying)", err.msg);
                quiet_until = now + 10000;
            }
            wait_wake(s, 1000);
            continue;
        }
        if (!got) {
            wait_wake(s, 500);
            continue;
        }
        run_job(s, &job);
        bsn_store_job_release(&job);
    }
    return NULL;
}

/* The layer cache of a PostgreSQL store, behind each server's --cache-dir: a layer one server
 * of the fleet analysed is read by the others instead of pulled. */
static unsigned char *
layer_get(void *ctx, const char *key, size_t *len)
{
    struct bsn_server *s = ctx;
    unsigned char *d = bsn_store_layer_get(s->store, key, len);
    atomic_fetch_add(d ? &s->m.layer_store_hits : &s->m.layer_store_misses, 1);
    return d;
}

static void
layer_put(void *ctx, const char *key, const unsigned char *data, size_t len)
{
    struct bsn_server *s = ctx;
    bsn_store_layer_put(s->store, key, data, len, bsn_server_now_ms());
}

bsn_code
bsn_workers_start(struct bsn_server *s, struct bsn_err *err)
{
    s->layer_store.ctx = s;
    s->layer_store.get = layer_get;
    s->layer_store.put = layer_put;
    s->share_layers = bsn_store_is_postgres(s->store);
    unsigned n = s->cfg->workers ? s->cfg->workers : 2;
    if (n > MAX_WORKERS)
        return bsn_err_set(err, BSN_EINVAL, "at most %d workers", MAX_WORKERS);
    s->n_workers = 0;
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0) {
            *s->stop = 1;
            bsn_server_wake(s);
            bsn_workers_join(s);
            return bsn_err_set(err, BSN_EIO, "cannot start worker thread %u", i);
        }
        s->n_workers++;
    }
    return BSN_OK;
}

void
bsn_workers_join(struct bsn_server *s)
{
    bsn_server_wake(s);
    for (unsigned i = 0; i < s->n_workers; i++)
        pthread_join(s->workers[i], NULL);
    s->n_workers = 0;
}
