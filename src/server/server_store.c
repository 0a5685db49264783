/*
 * The server's store: one API over SQLite (the default, a file beside the cache, one machine)
 * and PostgreSQL through libpq (--store postgres://…, any number of servers on any number of
 * machines sharing one queue and one result store).
 *
 * Tables (migration 1; bosun_schema records the versions applied):
 *   jobs(id, state, request, digest, lease_owner, lease_until, attempts, error, created_at,
 *        updated_at)        the durable queue: a job is claimed by setting state 'running'
 *                           and a lease; a lease that is not renewed expires and the job is
 *                           claimed again (a worker died: kill -9, a lost machine)
 *   results(job_id, …)      rendered reports, written once per job (ON CONFLICT DO NOTHING),
 *                           so a job finished twice after a lease expiry keeps one result
 *   inventories(digest, …)  packages + OS per manifest digest, and the finding keys of the
 *                           last match, for re-matching without pulling layers
 * and (migration 2)
 *   layer_cache(key, data)  per-layer analysis entries (scan_cache.c's bytes, hex), shared by
 *                           every server of a PostgreSQL store: a base layer is analysed once
 *                           for the fleet
 *
 * Both backends run the same SQL text: parameters are written $1, $2 … (PostgreSQL's syntax;
 * SQLite binds them by name), values travel as text. The only dialect difference is the claim
 * (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE).
 * A PostgreSQL connection that drops (server restart) is reset and the statement retried once;
 * callers retry later on failure, so the server survives a PostgreSQL restart.
 */
#include <libpq-fe.h>
#include <stdatomic.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/banned.h"
#include "base/xalloc.h"
#include "server/server_int.h"

#define MAX_PARAMS 12
#define MAX_COLS 8

#define MAX_CONNS 32

/* One connection of the pool; a call holds one for its duration. */
struct conn {
    pthread_mutex_t mu;
    sqlite3 *lite;
    PGconn *conn;
};

struct bsn_store {
    bool pg;
    char *url;       /* for messages (PostgreSQL: without the password) */
    char *conninfo;
    int64_t schema_version;
    size_t n_conns;
    atomic_size_t next;
    struct conn conns[MAX_CONNS];
};

/* Rows of a query, all values as heap text (NULL for SQL NULL). */
struct rows {
    size_t n, cols;
    char **v;        /* n * cols */
};

static void
rows_release(struct rows *r)
{
    for (size_t i = 0; i < r->n * r->cols; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

static char *
dup_or_null(const char *s)
{
    return s ? bsn_xstrdup(s) : NULL;
}

static bsn_code
rows_add(struct rows *r, size_t cols, char **vals)
{
    if (r->n >= 1000000)
        return BSN_ELIMIT;
    r->cols = cols;
    r->v = bsn_xrealloc(r->v, (r->n + 1) * cols * sizeof(char *));
    for (size_t c = 0; c < cols; c++)
        r->v[r->n * cols + c] = vals[c];
    r->n++;
    return BSN_OK;
}

/* ---- SQLite --------------------------------------------------------------------------------- */

static bsn_code
lite_query(struct bsn_store *s, struct conn *c, const char *sql, size_t np, const char *const *p,
           struct rows *out, struct bsn_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->lite, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return bsn_err_set(err, BSN_EIO, "store '%s': %s", s->url, sqlite3_errmsg(c->lite));
    for (size_t i = 0; i < np; i++) {
        char name[24];
        snprintf(name, sizeof(name), "$%zu", i + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx == 0)
            continue;
        rc = p[i] ? sqlite3_bind_text(st, idx, p[i], -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(st, idx);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            return bsn_err_set(err, BSN_EIO, "store '%s': %s", s->url, sqlite3_errmsg(c->lite));
        }
    }
    bsn_code code = BSN_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!out)
            continue;
        int cols = sqlite3_column_count(st);
        if (cols > MAX_COLS)
            cols = MAX_COLS;
        char *vals[MAX_COLS];
        for (int k = 0; k < cols; k++)
            vals[k] = dup_or_null((const char *)sqlite3_column_text(st, k));
        if (rows_add(out, (size_t)cols, vals) != BSN_OK) {
            for (int k = 0; k < cols; k++)
                free(vals[k]);
            code = bsn_err_set(err, BSN_ELIMIT, "store '%s': too many rows", s->url);
            break;
        }
    }
    if (code == BSN_OK && rc != SQLITE_DONE)
        code = bsn_err_set(err, BSN_EIO, "store '%s': %s", s->url, sqlite3_errmsg(c->lite));
    sqlite3_finalize(st);
    return code;
}

/* ---- PostgreSQL ----------------------------------------------------------------------------- */

static bsn_code
pg_connect(struct bsn_store *s, struct conn *c, struct bsn_err *err)
{
    if (c->conn && PQstatus(c->conn) == CONNECTION_OK)
        return BSN_OK;
    if (c->conn) {
        PQreset(c->conn);
        if (PQstatus(c->conn) == CONNECTION_OK)
            return BSN_OK;
        PQfinish(c->conn);
    }
    c->conn = PQconnectdb(s->conninfo);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        bsn_code rc = bsn_err_set(err, BSN_EIO, "store '%s': cannot connect: %s", s->url,
                                  PQerrorMessage(c->conn));
        /* libpq messages end with a newline: keep the error on one line */
        char *nl = strchr(err->msg, '\n');
        if (nl)
            *nl = '\0';
        PQfinish(c->conn);
        c->conn = NULL;
        return rc;
    }
    return BSN_OK;
}

static void
pg_notice_quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static bsn_code
pg_query(struct bsn_store *s, struct conn *c, const char *sql, size_t np, const char *const *p,
         struct rows *out, struct bsn_err *err)
{
    for (int attempt = 0;; attempt++) {
        BSN_TRY(pg_connect(s, c, err));
        PQsetNoticeProcessor(c->conn, pg_notice_quiet, NULL);
        PGresult *res = PQexecParams(c->conn, sql, (int)np, NULL, p, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            if (out && st == PGRES_TUPLES_OK) {
                int n = PQntuples(res), cols = PQnfields(res);
                if (cols > MAX_COLS)
                    cols = MAX_COLS;
                for (int i = 0; i < n; i++) {
                    char *vals[MAX_COLS];
                    for (int k = 0; k < cols; k++)
                        vals[k] = PQgetisnull(res, i, k) ? NULL
                                                         : bsn_xstrdup(PQgetvalue(res, i, k));
                    if (rows_add(out, (size_t)cols, vals) != BSN_OK) {
                        for (int k = 0; k < cols; k++)
                            free(vals[k]);
                        PQclear(res);
                        return bsn_err_set(err, BSN_ELIMIT, "store '%s': too many rows", s->url);
                    }
                }
            }
            PQclear(res);
            return BSN_OK;
        }
        bsn_err_set(err, BSN_EIO, "store '%s': %s", s->url, PQerrorMessage(c->conn));
        char *nl = strchr(err->msg, '\n');
        if (nl)
            *nl = '\0';
        PQclear(res);
        /* a dropped connection (PostgreSQL restarted): reconnect and retry once, outside
         * a transaction only (a transaction's earlier statements are gone with it) */
        if (PQstatus(c->conn) != CONNECTION_OK && attempt == 0 &&
            PQtransactionStatus(c->conn) != PQTRANS_INTRANS) {
            PQfinish(c->conn);
            c->conn = NULL;
            continue;
        }
        if (PQstatus(c->conn) != CONNECTION_OK) {
            PQfinish(c->conn);
            c->conn = NULL;
        }
        return BSN_EIO;
    }
}

/* ---- common --------------------------------------------------------------------------------- */

static bsn_code
query(struct bsn_store *s, struct conn *c, const char *sql, size_t np, const char *const *p,
      struct rows *out, struct bsn_err *err)
{
    if (np > MAX_PARAMS)
        BSN_BUG("too many store parameters");
    return s->pg ? pg_query(s, c, sql, np, p, out, err) : lite_query(s, c, sql, np, p, out, err);
}

static bsn_code
exec0(struct bsn_store *s, struct conn *c, const char *sql, struct bsn_err *err)
{
    return query(s, c, sql, 0, NULL, NULL, err);
}

static bsn_code
begin(struct bsn_store *s, struct conn *c, struct bsn_err *err)
{
    return exec0(s, c, s->pg ? "BEGIN" : "BEGIN IMMEDIATE", err);
}

static void
rollback(struct bsn_store *s, struct conn *c)
{
    struct bsn_err ignored;
    if (s->pg && (!c->conn || PQstatus(c->conn) != CONNECTION_OK))
        return;
    (void)exec0(s, c, "ROLLBACK", &ignored);
}

static void
i64_text(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
}

static int64_t
text_i64(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

/* Versioned migrations: each entry is one statement, grouped by version. */
struct migration {
    int64_t version;
    const char *sql;
};

static const struct migration migrations[] = {
    { 1, "CREATE TABLE IF NOT EXISTS jobs ("
         " id TEXT PRIMARY KEY, state TEXT NOT NULL, request TEXT NOT NULL, digest TEXT,"
         " lease_owner TEXT, lease_until BIGINT NOT NULL DEFAULT 0,"
         " attempts BIGINT NOT NULL DEFAULT 0, error TEXT,"
         " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)" },
    { 1, "CREATE INDEX IF NOT EXISTS jobs_state_created ON jobs (state, created_at)" },
    { 1, "CREATE TABLE IF NOT EXISTS results ("
         " job_id TEXT PRIMARY KEY, harbor TEXT, json TEXT, cyclonedx TEXT, spdx TEXT,"
         " scan_ms BIGINT, created_at BIGINT NOT NULL)" },
    { 1, "CREATE TABLE IF NOT EXISTS inventories ("
         " digest TEXT PRIMARY KEY, repository TEXT, inventory TEXT NOT NULL,"
         " findings TEXT NOT NULL, db_built_at BIGINT, updated_at BIGINT NOT NULL)" },
    { 2, "CREATE TABLE IF NOT EXISTS layer_cache ("
         " key TEXT PRIMARY KEY, data TEXT NOT NULL, created_at BIGINT NOT NULL)" },
};

static bsn_code
migrate(struct bsn_store *s, struct conn *c, struct bsn_err *err)
{
    BSN_TRY(begin(s, c, err));
    bsn_code rc = BSN_OK;
    struct rows r = { 0 };
    if (s->pg)
        rc = exec0(s, c, "SELECT pg_advisory_xact_lock(7218047113)", err);
    if (rc == BSN_OK)
        rc = exec0(s, c, "CREATE TABLE IF NOT EXISTS bosun_schema (version BIGINT NOT NULL)", err);
    if (rc == BSN_OK)
        rc = query(s, c, "SELECT COALESCE(MAX(version), 0) FROM bosun_schema", 0, NULL, &r, err);
    int64_t have = rc == BSN_OK && r.n ? text_i64(r.v[0]) : 0, applied = have;
    rows_release(&r);
    for (size_t i = 0; rc == BSN_OK && i < sizeof(migrations) / sizeof(migrations[0]); i++) {
        if (migrations[i].version <= have)
            continue;
        rc = exec0(s, c, migrations[i].sql, err);
        if (rc == BSN_OK && migrations[i].version > applied) {
            char v[24];
            i64_text(v, migrations[i].version);
            const char *p[] = { v };
            rc = query(s, c, "INSERT INTO bosun_schema (version) VALUES ($1)", 1, p, NULL, err);
            applied = migrations[i].version;
        }
    }
    if (rc == BSN_OK)
        rc = exec0(s, c, "COMMIT", err);
    if (rc != BSN_OK) {
        rollback(s, c);
        return bsn_err_prefix(err, "migrating the store");
    }
    s->schema_version = applied;
    return BSN_OK;
}

/* A connection of the pool, preferring an idle one; released with release(). */
static struct conn *
acquire(struct bsn_store *s)
{
    size_t start = atomic_fetch_add(&s->next, 1) % s->n_conns;
    for (size_t i = 0; i < s->n_conns; i++) {
        struct conn *c = &s->conns[(start + i) % s->n_conns];
        if (pthread_mutex_trylock(&c->mu) == 0)
            return c;
    }
    struct conn *c = &s->conns[start];
    pthread_mutex_lock(&c->mu);
    return c;
}

static void
release(struct conn *c)
{
    pthread_mutex_unlock(&c->mu);
}

/* One statement on a pooled connection, outside any transaction. */
static bsn_code
run(struct bsn_store *s, const char *sql, size_t np, const char *const *p, struct rows *out,
    struct bsn_err *err)
{
    struct conn *c = acquire(s);
    bsn_code rc = query(s, c, sql, np, p, out, err);
    release(c);
    return rc;
}

static bsn_code
lite_open(struct bsn_store *s, struct conn *c, struct bsn_err *err)
{
    int src = sqlite3_open_v2(s->url, &c->lite,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                              NULL);
    if (src != SQLITE_OK)
        return bsn_err_set(err, BSN_EIO, "store '%s': %s", s->url,
                           c->lite ? sqlite3_errmsg(c->lite) : "cannot open");
    sqlite3_busy_timeout(c->lite, 10000);
    BSN_TRY(exec0(s, c, "PRAGMA journal_mode=WAL", err));
    return exec0(s, c, "PRAGMA synchronous=NORMAL", err);
}

bsn_code
bsn_store_open(const char *url, size_t conns, struct bsn_store **out, struct bsn_err *err)
{
    struct bsn_store *s = bsn_xcalloc(1, sizeof(*s));
    s->n_conns = conns == 0 ? 1 : conns > MAX_CONNS ? MAX_CONNS : conns;
    for (size_t i = 0; i < s->n_conns; i++)
        pthread_mutex_init(&s->conns[i].mu, NULL);
    struct conn *c = &s->conns[0];
    bsn_code rc = BSN_OK;
    if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
        s->pg = true;
        s->conninfo = bsn_xstrdup(url);
        /* messages name the URL without its password */
        const char *at = strrchr(url, '@'), *scheme_end = strstr(url, "://");
        if (at && scheme_end && at > scheme_end) {
            size_t n = (size_t)(scheme_end + 3 - url);
            char *m = bsn_xmalloc(n + strlen(at) + 4);
            memcpy(m, url, n);
            memcpy(m + n, "***", 3);
            memcpy(m + n + 3, at, strlen(at) + 1);
            s->url = m;
        } else {
            s->url = bsn_xstrdup(url);
        }
        /* the other connections open on first use (pg_connect) */
        rc = pg_connect(s, c, err);
    } else {
        s->url = bsn_xstrdup(!strncmp(url, "sqlite:", 7) ? url + 7 : url);
        rc = lite_open(s, c, err);
    }
    if (rc == BSN_OK)
        rc = migrate(s, c, err);
    for (size_t i = 1; rc == BSN_OK && !s->pg && i < s->n_conns; i++)
        rc = lite_open(s, &s->conns[i], err);
    if (rc != BSN_OK) {
        bsn_store_close(s);
        return rc;
    }
    *out = s;
    return BSN_OK;
}

void
bsn_store_close(struct bsn_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_conns; i++) {
        struct conn *c = &s->conns[i];
        if (c->lite)
            sqlite3_close(c->lite);
        if (c->conn)
            PQfinish(c->conn);
        pthread_mutex_destroy(&c->mu);
    }
    free(s->url);
    free(s->conninfo);
    free(s);
}

bool
bsn_store_is_postgres(const struct bsn_store *s)
{
    return s->pg;
}

int64_t
bsn_store_schema_version(const struct bsn_store *s)
{
    return s->schema_version;
}

const char *
bsn_job_state_name(enum bsn_job_state st)
{
    static const char *const names[] = { "queued", "running", "done", "failed" };
    return (unsigned)st < BSN_JOB_STATES ? names[st] : "unknown";
}

static enum bsn_job_state
state_parse(const char *s)
{
    for (int i = 0; i < BSN_JOB_STATES; i++)
        if (s && !strcmp(s, bsn_job_state_name((enum bsn_job_state)i)))
            return (enum bsn_job_state)i;
    return BSN_JOB_FAILED;
}

void
bsn_store_job_release(struct bsn_store_job *j)
{
    free(j->id);
    free(j->request);
    free(j->digest);
    free(j->error);
    memset(j, 0, sizeof(*j));
}

bsn_code
bsn_store_ping(struct bsn_store *s, struct bsn_err *err)
{
    return run(s, "SELECT 1", 0, NULL, NULL, err);
}

bsn_code
bsn_store_job_add(struct bsn_store *s, const char *id, const char *request, const char *digest,
                  int64_t now_ms, struct bsn_err *err)
{
    char now[24];
    i64_text(now, now_ms);
    const char *p[] = { id, request, digest, now };
    return run(s,
               "INSERT INTO jobs (id, state, request, digest, created_at, updated_at)"
               " VALUES ($1, 'queued', $2, $3, $4, $4)",
               4, p, NULL, err);
}

bsn_code
bsn_store_job_counts(struct bsn_store *s, uint64_t counts[BSN_JOB_STATES], struct bsn_err *err)
{
    struct rows r = { 0 };
    bsn_code rc = run(s, "SELECT state, COUNT(*) FROM jobs GROUP BY state", 0, NULL, &r, err);
    for (int i = 0; i < BSN_JOB_STATES; i++)
        counts[i] = 0;
    for (size_t i = 0; rc == BSN_OK && i < r.n; i++)
        counts[state_parse(r.v[i * 2])] += (uint64_t)text_i64(r.v[i * 2 + 1]);
    rows_release(&r);
    return rc;
}

bsn_code
bsn_store_queue_depth(struct bsn_store *s, uint64_t *out, struct bsn_err *err)
{
    struct rows r = { 0 };
    bsn_code rc = run(s, "SELECT COUNT(*) FROM jobs WHERE state = 'queued'", 0, NULL, &r, err);
    if (rc == BSN_OK)
        *out = r.n ? (uint64_t)text_i64(r.v[0]) : 0;
    rows_release(&r);
    return rc;
}

static void
job_from_row(struct bsn_store_job *j, char **v)
{
    /* columns: id, state, request, digest, error, attempts */
    j->id = v[0];
    j->state = state_parse(v[1]);
    free(v[1]);
    j->request = v[2];
    j->digest = v[3];
    j->error = v[4];
    j->attempts = text_i64(v[5]);
    free(v[5]);
    for (int i = 0; i < 6; i++)
        v[i] = NULL;
}

/* A statement answering at most one job row (id, state, request, digest, error, attempts):
 * *got when it did. */
static bsn_code
run_one_job(struct bsn_store *s, const char *sql, size_t np, const char *const *p,
            struct bsn_store_job *out, bool *got, struct bsn_err *err)
{
    struct rows r = { 0 };
    bsn_code rc = run(s, sql, np, p, &r, err);
    *got = false;
    if (rc == BSN_OK && r.n == 1 && r.cols == 6) {
        job_from_row(out, r.v);
        *got = true;
    }
    rows_release(&r);
    return rc;
}

bsn_code
bsn_store_job_claim(struct bsn_store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
                    struct bsn_store_job *out, bool *got, struct bsn_err *err)
{
    char now[24], until[24];
    i64_text(now, now_ms);
    i64_text(until, now_ms + lease_ms);
    const char *p[] = { owner, now, until };
    /* One statement: the sub-select picks the oldest claimable row and the update takes it.
     * PostgreSQL locks the row and skips rows other servers hold (SKIP LOCKED); SQLite runs
     * one writer at a time. */
    const char *sql_pg =
        "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $3,"
        " attempts = attempts + 1, updated_at = $2"
        " WHERE id = (SELECT id FROM jobs WHERE state = 'queued'"
        " OR (state = 'running' AND lease_until < $2)"
        " ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
        " RETURNING id, state, request, digest, error, attempts";
    const char *sql_lite =
        "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $3,"
        " attempts = attempts + 1, updated_at = $2"
        " WHERE id = (SELECT id FROM jobs WHERE state = 'queued'"
        " OR (state = 'running' AND lease_until < $2)"
        " ORDER BY created_at, id LIMIT 1)"
        " RETURNING id, state, request, digest, error, attempts";
    return run_one_job(s, s->pg ? sql_pg : sql_lite, 3, p, out, got, err);
}

bsn_code
bsn_store_lease_renew(struct bsn_store *s, const char *owner, int64_t until_ms,
                      struct bsn_err *err)
{
    char until[24];
    i64_text(until, until_ms);
    const char *p[] = { owner, until };
    return run(s,
               "UPDATE jobs SET lease_until = $2"
               " WHERE lease_owner = $1 AND state = 'running'",
               2, p, NULL, err);
}

bsn_code
bsn_store_job_get(struct bsn_store *s, const char *id, struct bsn_store_job *out, bool *found,
                  struct bsn_err *err)
{
    const char *p[] = { id };
    return run_one_job(s,
                       "SELECT id, state, request, digest, error, attempts FROM jobs"
                       " WHERE id = $1",
                       1, p, out, found, err);
}

bsn_code
bsn_store_job_finish(struct bsn_store *s, const char *id, const char *digest,
                     const struct bsn_store_report *rep, int64_t now_ms, struct bsn_err *err)
{
    char now[24], ms[24], built[24];
    i64_text(now, now_ms);
    i64_text(ms, rep->scan_ms);
    i64_text(built, rep->db_built_at);
    const char *pr[] = { id, rep->harbor, rep->json, rep->cyclonedx, rep->spdx, ms, now };
    const char *pi[] = { digest, rep->repository, rep->inventory, rep->findings, built, now };
    const char *pj[] = { id, now };
    struct conn *c = acquire(s);
    bsn_code rc = begin(s, c, err);
    if (rc == BSN_OK)
        rc = query(s, c,
                   "INSERT INTO results (job_id, harbor, json, cyclonedx, spdx, scan_ms,"
                   " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                   " ON CONFLICT (job_id) DO NOTHING",
                   7, pr, NULL, err);
    if (rc == BSN_OK && digest && rep->inventory)
        rc = query(s, c,
                   "INSERT INTO inventories (digest, repository, inventory, findings,"
                   " db_built_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
                   " ON CONFLICT (digest) DO UPDATE SET repository = excluded.repository,"
                   " inventory = excluded.inventory, findings = excluded.findings,"
                   " db_built_at = excluded.db_built_at, updated_at = excluded.updated_at",
                   6, pi, NULL, err);
    if (rc == BSN_OK)
        rc = query(s, c,
                   "UPDATE jobs SET state = 'done', lease_owner = NULL, error = NULL,"
                   " updated_at = $2 WHERE id = $1",
                   2, pj, NULL, err);
    if (rc == BSN_OK)
        rc = exec0(s, c, "COMMIT", err);
    if (rc != BSN_OK)
        rollback(s, c);
    release(c);
    return rc;
}

bsn_code
bsn_store_job_fail(struct bsn_store *s, const char *id, const char *msg, int64_t now_ms,
                   struct bsn_err *err)
{
    char now[24];
    i64_text(now, now_ms);
    const char *p[] = { id, msg, now };
    return run(s,
               "UPDATE jobs SET state = 'failed', lease_owner = NULL, error = $2,"
               " updated_at = $3 WHERE id = $1 AND state <> 'done'",
               3, p, NULL, err);
}

bsn_code
bsn_store_job_retry(struct bsn_store *s, const char *id, const char *msg, int64_t now_ms,
                    int64_t until_ms, struct bsn_err *err)
{
    char now[24], until[24];
    i64_text(now, now_ms);
    i64_text(until, until_ms);
    const char *p[] = { id, msg, now, until };
    return run(s,
               "UPDATE jobs SET lease_owner = 'retry', lease_until = $4, error = $2,"
               " updated_at = $3 WHERE id = $1 AND state = 'running'",
               4, p, NULL, err);
}

/* ---- the shared layer cache ------------------------------------------------------------- */

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

unsigned char *
bsn_store_layer_get(struct bsn_store *s, const char *key, size_t *len)
{
    const char *p[] = { key };
    struct rows r = { 0 };
    struct bsn_err err;
    bsn_code rc = run(s, "SELECT data FROM layer_cache WHERE key = $1", 1, p, &r, &err);
    unsigned char *out = NULL;
    if (rc == BSN_OK && r.n == 1 && r.cols == 1 && r.v[0]) {
        const char *hex = r.v[0];
        size_t n = strlen(hex);
        if (n % 2 == 0 && n > 0) {
            out = bsn_xmalloc(n / 2);
            for (size_t i = 0; i < n / 2; i++) {
                int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
                if (hi < 0 || lo < 0) {
                    free(out);
                    out = NULL;
                    break;
                }
                out[i] = (unsigned char)(hi << 4 | lo);
            }
            if (out)
                *len = n / 2;
        }
    }
    rows_release(&r);
    return out;
}

void
bsn_store_layer_put(struct bsn_store *s, const char *key, const unsigned char *data, size_t len,
                    int64_t now_ms)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = bsn_xmalloc(2 * len + 1);
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[data[i] >> 4];
        hex[2 * i + 1] = digits[data[i] & 15];
    }
    hex[2 * len] = '\0';
    char now[24];
    i64_text(now, now_ms);
    const char *p[] = { key, hex, now };
    struct bsn_err err;
    /* equal keys carry equal bytes; a replaced entry was one that failed its checksum */
    if (run(s,
            "INSERT INTO layer_cache (key, data, created_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (key) DO UPDATE SET data = excluded.data,"
            " created_at = excluded.created_at",
            3, p, NULL, &err) != BSN_OK)
        bsn_server_log("warn", "storing a layer cache entry: %s", err.msg);
    free(hex);
}

bsn_code
bsn_store_result_get(struct bsn_store *s, const char *id, const char *kind, char **out,
                     bool *found, struct bsn_err *err)
{
    static const char *const kinds[] = { "harbor", "json", "cyclonedx", "spdx" };
    static const char *const sql[] = {
        "SELECT harbor FROM results WHERE job_id = $1",
        "SELECT json FROM results WHERE job_id = $1",
        "SELECT cyclonedx FROM results WHERE job_id = $1",
        "SELECT spdx FROM results WHERE job_id = $1",
    };
    size_t k = 0;
    while (k < 4 && strcmp(kinds[k], kind) != 0)
        k++;
    if (k == 4)
        BSN_BUG("unknown result kind");
    const char *p[] = { id };
    struct rows r = { 0 };
    bsn_code rc = run(s, sql[k], 1, p, &r, err);
    *found = false;
    *out = NULL;
    if (rc == BSN_OK && r.n == 1 && r.v[0]) {
        *out = r.v[0];
        r.v[0] = NULL;
        *found = true;
    }
    rows_release(&r);
    return rc;
}

bsn_code
bsn_store_inventory_each(struct bsn_store *s, bsn_store_inventory_fn *fn, void *arg,
                         struct bsn_err *err)
{
    /* digests first, then one inventory at a time: the store lock is not held while the
     * callback matches, and memory stays bounded by one inventory */
    struct rows ids = { 0 };
    bsn_code rc = run(s, "SELECT digest FROM inventories ORDER BY digest", 0, NULL, &ids, err);
    for (size_t i = 0; rc == BSN_OK && i < ids.n; i++) {
        const char *p[] = { ids.v[i] };
        struct rows r = { 0 };
        rc = run(s, "SELECT repository, inventory, findings FROM inventories WHERE digest = $1",
                 1, p, &r, err);
        if (rc == BSN_OK && r.n == 1 && r.v[1] && r.v[2])
            rc = fn(arg, ids.v[i], r.v[0], r.v[1], r.v[2], err);
        rows_release(&r);
    }
    rows_release(&ids);
    return rc;
}

bsn_code
bsn_store_inventory_set_findings(struct bsn_store *s, const char *digest, const char *findings,
                                 int64_t db_built_at, int64_t now_ms, struct bsn_err *err)
{
    char now[24], built[24];
    i64_text(now, now_ms);
    i64_text(built, db_built_at);
    const char *p[] = { digest, findings, built, now };
    return run(s,
               "UPDATE inventories SET findings = $2, db_built_at = $3, updated_at = $4"
               " WHERE digest = $1",
               4, p, NULL, err);
}
