/*
 * GET /metrics: Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 *   bosun_scans{state="queued|running|done|failed"}   jobs in the store (fleet-wide gauge)
 *   bosun_queue_depth                                  queued jobs
 *   bosun_scans_completed_total{result="ok|failed"}    scans finished by this process
 *   bosun_scan_duration_seconds                        histogram of this process's scans
 *   bosun_scans_retried_total                          put back after a network error
 *   bosun_layer_store_total{result="hit|miss"}         the store's shared layer cache
 *   bosun_cache_hits_total                             inventories re-matched from the store
 *                                                      (images not pulled again)
 *   bosun_rematch_runs_total, bosun_rematch_images_total, bosun_rematch_changed_total
 *   bosun_webhooks_total{result="ok|failed"}
 *   bosun_http_requests_total, bosun_scans_rejected_total (429s)
 *   bosun_db_built_timestamp_seconds, bosun_db_age_seconds, bosun_db_loaded
 *   bosun_store_up                                     the store answered this scrape
 */
#include <stdio.h>
#include <time.h>

#include "base/banned.h"
#include "server/server_int.h"

#define LOAD(x) ((unsigned long long)atomic_load(&(x)))

void
bsn_metrics_render(struct bsn_server *s, struct bsn_http_resp *r)
{
    struct bsn_buf *b = &r->body;
    uint64_t counts[BSN_JOB_STATES];
    struct bsn_err err;
    bool store_up = bsn_store_job_counts(s->store, counts, &err) == BSN_OK;
    bsn_server_refresh_db(s);
    int64_t built = atomic_load(&s->db_built_at);
    bool db_ok = atomic_load(&s->db_ok);
    int64_t now = (int64_t)time(NULL);
    bsn_code rc = BSN_OK;
#define EMIT(...)                                        \
    do {                                                 \
        if (rc == BSN_OK)                                \
            rc = bsn_buf_addf(b, __VA_ARGS__);           \
    } while (0)
    EMIT("# HELP bosun_scans Scan jobs in the store by state.\n# TYPE bosun_scans gauge\n");
    for (int i = 0; store_up && i < BSN_JOB_STATES; i++)
        EMIT("bosun_scans{state=\"%s\"} %llu\n", bsn_job_state_name((enum bsn_job_state)i),
             (unsigned long long)counts[i]);
    EMIT("# HELP bosun_queue_depth Queued scan jobs.\n# TYPE bosun_queue_depth gauge\n");
    if (store_up)
        EMIT("bosun_queue_depth %llu\n", (unsigned long long)counts[BSN_JOB_QUEUED]);
    EMIT("# HELP bosun_store_up Whether the store answered.\n# TYPE bosun_store_up gauge\n"
         "bosun_store_up %d\n", store_up ? 1 : 0);
    EMIT("# HELP bosun_scans_completed_total Scans finished by this process.\n"
         "# TYPE bosun_scans_completed_total counter\n"
         "bosun_scans_completed_total{result=\"ok\"} %llu\n"
         "bosun_scans_completed_total{result=\"failed\"} %llu\n",
         LOAD(s->m.scans_ok), LOAD(s->m.scans_failed));
    EMIT("# HELP bosun_layer_store_total Layer lookups in the store's shared layer cache "
         "(PostgreSQL stores), after a --cache-dir miss.\n"
         "# TYPE bosun_layer_store_total counter\n"
         "bosun_layer_store_total{result=\"hit\"} %llu\n"
         "bosun_layer_store_total{result=\"miss\"} %llu\n",
         LOAD(s->m.layer_store_hits), LOAD(s->m.layer_store_misses));
    EMIT("# HELP bosun_scans_retried_total Scans put back for another try after a network or "
         "registry error.\n# TYPE bosun_scans_retried_total counter\n"
         "bosun_scans_retried_total %llu\n", LOAD(s->m.scans_retried));
    EMIT("# HELP bosun_scan_duration_seconds Scan durations.\n"
         "# TYPE bosun_scan_duration_seconds histogram\n");
    static const char *const les[] = { "0.1", "0.5", "1", "2", "5", "10", "30", "+Inf" };
    unsigned long long cum = 0;
    for (int i = 0; i < 8; i++) {
        cum += LOAD(s->m.scan_bucket[i]);
        EMIT("bosun_scan_duration_seconds_bucket{le=\"%s\"} %llu\n", les[i], cum);
    }
    EMIT("bosun_scan_duration_seconds_sum %.3f\nbosun_scan_duration_seconds_count %llu\n",
         (double)LOAD(s->m.scan_ms_sum) / 1000.0, LOAD(s->m.scan_count));
    EMIT("# HELP bosun_cache_hits_total Images re-matched from stored inventories without "
         "pulling layers.\n# TYPE bosun_cache_hits_total counter\nbosun_cache_hits_total %llu\n",
         LOAD(s->m.layers_reused));
    EMIT("# TYPE bosun_rematch_runs_total counter\nbosun_rematch_runs_total %llu\n"
         "# TYPE bosun_rematch_images_total counter\nbosun_rematch_images_total %llu\n"
         "# TYPE bosun_rematch_changed_total counter\nbosun_rematch_changed_total %llu\n",
         LOAD(s->m.rematch_runs), LOAD(s->m.rematch_images), LOAD(s->m.rematch_changed));
    EMIT("# TYPE bosun_webhooks_total counter\nbosun_webhooks_total{result=\"ok\"} %llu\n"
         "bosun_webhooks_total{result=\"failed\"} %llu\n",
         LOAD(s->m.webhooks_ok), LOAD(s->m.webhooks_failed));
    EMIT("# TYPE bosun_http_requests_total counter\nbosun_http_requests_total %llu\n"
         "# TYPE bosun_scans_rejected_total counter\nbosun_scans_rejected_total %llu\n",
         LOAD(s->m.http_requests), LOAD(s->m.rejected_full));
    EMIT("# HELP bosun_db_loaded Whether the vulnerability database can be read.\n"
         "# TYPE bosun_db_loaded gauge\nbosun_db_loaded %d\n", db_ok ? 1 : 0);
    if (db_ok)
        EMIT("# TYPE bosun_db_built_timestamp_seconds gauge\n"
             "bosun_db_built_timestamp_seconds %lld\n"
             "# HELP bosun_db_age_seconds Age of the vulnerability database.\n"
             "# TYPE bosun_db_age_seconds gauge\nbosun_db_age_seconds %lld\n",
             (long long)built, (long long)(now - built));
#undef EMIT
    r->status = rc == BSN_OK ? 200 : 500;
    r->ctype = "text/plain; version=0.0.4; charset=utf-8";
}
