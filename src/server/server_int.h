/*
 * Server internals shared by the server_*.c files: the store API (server_store.c), the
 * server state (queue wake-ups, metrics, database generation), the Harbor handlers
 * (server_harbor.c), the workers (server_worker.c), the re-matcher (server_rematch.c) and the
 * Prometheus text (server_metrics.c). Never included outside src/server/.
 */
#ifndef BSN_SERVER_INT_H
#define BSN_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "bosun.h"
#include "server/server.h"

/* ---- store (server_store.c) ------------------------------------------------------------- */

struct bsn_store;

enum bsn_job_state {
    BSN_JOB_QUEUED = 0,
    BSN_JOB_RUNNING,
    BSN_JOB_DONE,
    BSN_JOB_FAILED,
};
#define BSN_JOB_STATES 4
const char *bsn_job_state_name(enum bsn_job_state s);

/* A job as read from the store; strings are heap copies (bsn_store_job_release). */
struct bsn_store_job {
    char *id;
    char *request;    /* the Harbor ScanRequest JSON as accepted */
    char *digest;     /* artifact digest, may be NULL */
    char *error;      /* failure message when failed */
    enum bsn_job_state state;
    int64_t attempts;
};
void bsn_store_job_release(struct bsn_store_job *j);

/* The rendered outputs of one finished scan. */
struct bsn_store_report {
    const char *harbor;     /* application/vnd.security.vulnerability.report; version=1.1 */
    const char *json;       /* bosun's JSON report */
    const char *cyclonedx;
    const char *spdx;
    const char *inventory;  /* packages + OS, for re-matching (server_rematch.c) */
    const char *findings;   /* the finding keys, for re-match diffs */
    const char *repository;
    int64_t scan_ms;
    int64_t db_built_at;
};

/*
 * Opens the store named by url ("postgres://…" or "postgresql://…" through libpq, "sqlite:PATH"
 * or a plain path for SQLite) and applies the versioned migrations it lacks (under an advisory
 * lock on PostgreSQL, so servers starting together migrate once). Thread-safe: a pool of conns
 * connections (at most 32), each call holding one; a PostgreSQL connection that drops is
 * re-established on its next use.
 */
BSN_MUST_USE bsn_code bsn_store_open(const char *url, size_t conns, struct bsn_store **out,
                                     struct bsn_err *err);
void bsn_store_close(struct bsn_store *s);
bool bsn_store_is_postgres(const struct bsn_store *s);
int64_t bsn_store_schema_version(const struct bsn_store *s);
BSN_MUST_USE bsn_code bsn_store_ping(struct bsn_store *s, struct bsn_err *err);

BSN_MUST_USE bsn_code bsn_store_job_add(struct bsn_store *s, const char *id, const char *request,
                                        const char *digest, int64_t now_ms, struct bsn_err *err);
/* Counts jobs per state (fleet-wide). */
BSN_MUST_USE bsn_code bsn_store_job_counts(struct bsn_store *s, uint64_t counts[BSN_JOB_STATES],
                                           struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_store_queue_depth(struct bsn_store *s, uint64_t *out,
                                            struct bsn_err *err);
/*
 * Claims the oldest queued job, or a running one whose lease expired (its worker died), for
 * owner until now_ms + lease_ms (PostgreSQL: FOR UPDATE SKIP LOCKED, so servers never claim the
 * same row). *got says whether one was claimed.
 */
BSN_MUST_USE bsn_code bsn_store_job_claim(struct bsn_store *s, const char *owner, int64_t now_ms,
                                          int64_t lease_ms, struct bsn_store_job *out,
                                          bool *got, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_store_lease_renew(struct bsn_store *s, const char *owner,
                                            int64_t until_ms, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_store_job_get(struct bsn_store *s, const char *id,
                                        struct bsn_store_job *out, bool *found,
                                        struct bsn_err *err);
/* Stores a finished scan: the result row is written once (a second write of the same job is
 * ignored), the inventory of the digest replaced, the job marked done. */
BSN_MUST_USE bsn_code bsn_store_job_finish(struct bsn_store *s, const char *id, const char *digest,
                                           const struct bsn_store_report *rep, int64_t now_ms,
                                           struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_store_job_fail(struct bsn_store *s, const char *id, const char *msg,
                                         int64_t now_ms, struct bsn_err *err);
/* The shared layer cache (PostgreSQL stores): an entry's bytes (malloc'd) or NULL; put
 * replaces an entry under the same key. Failures only mean a miss. */
unsigned char *bsn_store_layer_get(struct bsn_store *s, const char *key, size_t *len);
void bsn_store_layer_put(struct bsn_store *s, const char *key, const unsigned char *data,
                         size_t len, int64_t now_ms);
/* Puts a running job back for another try no earlier than until_ms: it stays 'running' (its
 * report answers 302) under no live owner's lease, so the claim that takes lapsed leases
 * takes it then, on any server; msg is kept as the job's last error. */
BSN_MUST_USE bsn_code bsn_store_job_retry(struct bsn_store *s, const char *id, const char *msg,
                                          int64_t now_ms, int64_t until_ms,
                                          struct bsn_err *err);
/* One rendered output of a job: kind is "harbor", "json", "cyclonedx" or "spdx". *out is a
 * heap string (free it) or NULL with *found false. */
BSN_MUST_USE bsn_code bsn_store_result_get(struct bsn_store *s, const char *id, const char *kind,
                                           char **out, bool *found, struct bsn_err *err);

/* Inventories per manifest digest, for re-matching. */
typedef bsn_code bsn_store_inventory_fn(void *arg, const char *digest, const char *repository,
                                        const char *inventory, const char *findings,
                                        struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_store_inventory_each(struct bsn_store *s, bsn_store_inventory_fn *fn,
                                               void *arg, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_store_inventory_set_findings(struct bsn_store *s, const char *digest,
                                                       const char *findings, int64_t db_built_at,
                                                       int64_t now_ms, struct bsn_err *err);

/* ---- server state --------------------------------------------------------------------------- */

struct bsn_metrics {
    atomic_uint_fast64_t http_requests;
    atomic_uint_fast64_t scans_ok, scans_failed;       /* by this process */
    atomic_uint_fast64_t scans_retried;                /* put back for another try */
    atomic_uint_fast64_t scan_ms_sum, scan_count;
    atomic_uint_fast64_t scan_bucket[8];               /* le 0.1 0.5 1 2 5 10 30 +Inf s */
    atomic_uint_fast64_t rejected_full;                /* 429s */
    atomic_uint_fast64_t rematch_runs, rematch_images, rematch_changed;
    atomic_uint_fast64_t webhooks_ok, webhooks_failed;
    atomic_uint_fast64_t layers_reused;                /* re-matched inventories: no pull */
    atomic_uint_fast64_t layer_store_hits, layer_store_misses; /* the shared layer cache */
};

struct bsn_server {
    const struct bsn_server_config *cfg;
    struct bsn_store *store;
    char owner[128];                 /* lease owner: host:pid:random */
    atomic_int *stop;                /* set from a signal handler, read by every thread */
    pthread_mutex_t mu;
    pthread_cond_t wake;             /* a job was queued / a re-match was requested */
    bool rematch_requested;
    atomic_int_fast64_t db_built_at; /* 0 when the database cannot be read */
    atomic_bool db_ok;
    struct bsn_metrics m;
    pthread_t workers[64];
    unsigned n_workers;
    pthread_t rematch_thread;
    bool rematch_started;
    struct bsn_layer_store layer_store; /* the store's layer cache; set with PostgreSQL */
    bool share_layers;
};

int64_t bsn_server_now_ms(void);
/* Re-reads the database's build time into s->db_built_at / s->db_ok. */
void bsn_server_refresh_db(struct bsn_server *s);
/* One JSON log line on stderr: {"time":…,"level":level,"msg":…} */
void bsn_server_log(const char *level, const char *fmt, ...) BSN_PRINTF(2, 3);
void bsn_server_wake(struct bsn_server *s);

/* ---- HTTP responses ---------------------------------------------------------------------- */

struct bsn_http_resp {
    unsigned status;
    const char *ctype;
    struct bsn_buf body;
    const char *hdr_name[3], *hdr_value[3];
    char hdr_store[3][64];
    size_t n_hdr;
};
void bsn_http_resp_header(struct bsn_http_resp *r, const char *name, const char *fmt, ...)
    BSN_PRINTF(3, 4);
/* Harbor's error body (application/vnd.scanner.adapter.error+json; version=1.0). */
void bsn_http_resp_error(struct bsn_http_resp *r, unsigned status, const char *fmt, ...)
    BSN_PRINTF(3, 4);
void bsn_http_resp_text(struct bsn_http_resp *r, unsigned status, const char *ctype,
                        const char *text, size_t len);

#define BSN_MIME_ERROR "application/vnd.scanner.adapter.error+json; version=1.0"

/* Harbor routes (server_harbor.c). query_sbom is ?sbom_media_type or NULL. */
/* accept: the request's Accept header or NULL; "…metadata+json; version=1.0" gets that type. */
void bsn_harbor_metadata(struct bsn_server *s, const char *accept, struct bsn_http_resp *r);
void bsn_harbor_scan(struct bsn_server *s, const char *body, size_t len, struct bsn_http_resp *r);
void bsn_harbor_report(struct bsn_server *s, const char *id, const char *accept,
                       const char *query_sbom, struct bsn_http_resp *r);
/* Renders the Harbor vulnerability report of a result for the artifact of request. */
BSN_MUST_USE bsn_code bsn_harbor_render(const struct bsn_result *res, const char *request,
                                        struct bsn_buf *out, struct bsn_err *err);
/* The scan target for a Harbor ScanRequest, and the credentials it carries (arena). */
struct bsn_harbor_target {
    const char *target, *digest, *repository;
    const char *username, *password, *authorization;
    bool insecure;
};
BSN_MUST_USE bsn_code bsn_harbor_target(const struct bsn_server_config *c, const char *request,
                                        struct bsn_arena *a, struct bsn_harbor_target *t,
                                        struct bsn_err *err);

/* ---- workers, lease keeper, re-matcher, metrics -------------------------------------------- */

BSN_MUST_USE bsn_code bsn_workers_start(struct bsn_server *s, struct bsn_err *err);
void bsn_workers_join(struct bsn_server *s);

/* Serialises the inventory (OS + packages) of r, and its finding keys, as JSON. */
BSN_MUST_USE bsn_code bsn_inventory_dump(const struct bsn_result *r, struct bsn_buf *inventory,
                                         struct bsn_buf *findings, struct bsn_err *err);
/* Re-matches every stored inventory against the database now; notifies the webhook for each
 * image whose findings changed. */
BSN_MUST_USE bsn_code bsn_rematch_all(struct bsn_server *s, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_rematch_start(struct bsn_server *s, struct bsn_err *err);
void bsn_rematch_join(struct bsn_server *s);
void bsn_rematch_request(struct bsn_server *s);
/* Hex HMAC-SHA256 of body under key, "sha256=…" (out has room for 72 bytes). */
void bsn_webhook_sign(const char *key, const char *body, size_t len, char out[80]);

void bsn_metrics_render(struct bsn_server *s, struct bsn_http_resp *r);

#endif
