/*
 * 'bosun server': the HTTP front end for registries (issue 11, CONTRACT.md "Server").
 *
 * Harbor's pluggable scanner adapter API v1.1/v1.2 (GET /api/v1/metadata, POST /api/v1/scan,
 * GET /api/v1/scan/{id}/report), GET /healthz, /readyz, /metrics, a durable job queue in a
 * store (SQLite beside the cache, or PostgreSQL shared by many servers), N worker threads that
 * scan through the same library call as the CLI (bsn_scan), and re-matching of the stored
 * inventories when the vulnerability database changes, with webhook notifications.
 *
 * The CLI (src/cli/cmd_server.c) fills struct bsn_server_config from its flags and the
 * environment and calls bsn_server_run; everything else is internal (server_int.h).
 */
#ifndef BSN_SERVER_H
#define BSN_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct bsn_server_config {
    const char *listen;          /* "127.0.0.1:8080"; port 0 picks a free one (logged) */
    const char *store_url;       /* "postgres://…" / "postgresql://…", "sqlite:PATH", or NULL:
                                  * SQLite at cache_dir/server.db */
    unsigned workers;            /* scan worker threads, 0 = 2 */
    unsigned http_threads;       /* HTTP thread pool, 0 = 4 */
    const char *token;           /* bearer token required on /api/, NULL = no auth */
    const char *db_path;         /* vulnerability database */
    const char *cache_dir;       /* per-layer analysis cache and the default store */
    const char *webhook_url;     /* POSTed per image whose findings changed, or NULL */
    const char *webhook_secret;  /* HMAC-SHA256 key for X-Bosun-Signature, or NULL */
    uint64_t db_update_interval_s; /* run 'db update' and re-match this often; 0 = never */
    const char *db_update_listing; /* 'db update --url': install the database a listing names
                                    * (URL or path) instead of rebuilding from the feeds */
    uint64_t max_queue;          /* queued jobs before POST /scan answers 429; 0 = 1000 */
    uint64_t lease_s;            /* a claimed job's lease; renewed while it runs; 0 = 60 */
    uint64_t max_body_bytes;     /* request body limit, 0 = 1 MiB */
    uint64_t max_header_bytes;   /* per-connection header memory, 0 = 32 KiB */
    unsigned scan_jobs;          /* threads per scan (bsn_scan_opts.jobs), 0 = 1 */
    bool insecure;               /* allow plain-HTTP / unverified registries */
    bool allow_local_targets;    /* test hook: registry.url "oci:DIR" / "docker-archive:PATH"
                                  * is scanned as that local target */
    uint64_t test_scan_delay_ms; /* test hook: sleep before each scan (durability tests) */
    uint64_t webhook_max_tries;  /* delivery attempts per notification, 0 = 5 */
    uint64_t scan_attempts;      /* tries of a scan that fails on the network or the registry
                                  * (BSN_ENET), 0 = 3; other failures are final at once */
    uint64_t retry_base_ms;      /* wait before the second try, x4 for each one after; 0 =
                                  * 5000 (test hook: BSN_SERVER_RETRY_MS) */
};

void bsn_server_config_init(struct bsn_server_config *c);

/*
 * Runs the server until *stop becomes non-zero (a signal handler sets it; an atomic, since
 * every thread reads it: a volatile sig_atomic_t is only safe within the handler's thread):
 * opens the store
 * (applying migrations), starts the workers, the lease keeper, the re-matcher and the HTTP
 * daemon, and logs one JSON line per request on stderr. Fails with err set when the listen
 * address, the store or the HTTP daemon cannot be set up.
 */
BSN_MUST_USE bsn_code bsn_server_run(const struct bsn_server_config *c,
                                     atomic_int *stop, struct bsn_err *err);

#endif
