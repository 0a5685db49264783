/*
 * Writes an import (vulndb_import.c) into a new SQLite file with schema.sql.
 *
 * Determinism: advisories are inserted sorted by (id, source), their aliases and affected rows
 * sorted and de-duplicated, sources sorted by name, and built_at comes from the caller
 * (SOURCE_DATE_EPOCH in the CLI), so two builds from the same feeds produce the same rows with
 * the same row ids: `sqlite3 db .dump` is byte-identical. The file is built with the journal
 * off and synchronous off (it is a temp file; the caller fsyncs and renames it into place).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "vulndb/vulndb_int.h"

static int
strcmp_null(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int
cmp_adv(const void *pa, const void *pb)
{
    const struct imp_adv *a = *(const struct imp_adv *const *)pa;
    const struct imp_adv *b = *(const struct imp_adv *const *)pb;
    int c = strcmp(a->adv.id, b->adv.id);
    return c ? c : strcmp(a->source, b->source);
}

static int
cmp_aff(const void *pa, const void *pb)
{
    const struct bsn_adv_affected *a = pa, *b = pb;
    int c;
    if ((c = strcmp(a->namespace, b->namespace)) || (c = strcmp(a->package, b->package)) ||
        (c = strcmp_null(a->range, b->range)) || (c = strcmp_null(a->fixed, b->fixed)) ||
        (c = strcmp_null(a->module, b->module)) || (c = strcmp_null(a->arch, b->arch)) ||
        (c = strcmp(a->scheme, b->scheme)) || (c = strcmp_null(a->severity, b->severity)))
        return c;
    return (int)a->status - (int)b->status;
}

static int
cmp_str(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static int
cmp_source(const void *pa, const void *pb)
{
    const struct imp_source *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

static bsn_code
sql_fail(sqlite3 *db, const char *path, const char *what, struct bsn_err *err)
{
    return bsn_err_set(err, BSN_EIO, "cannot write vulnerability database '%s': %s: %s", path,
                       what, db ? sqlite3_errmsg(db) : "out of memory");
}

static int
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (!s)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static bool
utf8_valid(const char *s)
{
    /* jansson refuses invalid UTF-8 strings; a feed with a stray Latin-1 byte still imports. */
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
        if (n == 9)
            return false;
        p++;
        for (size_t i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* JSON text of a string array, or NULL when empty; caller free()s. */
static char *
json_strv(const char *const *v, size_t n)
{
    if (!n)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        if (utf8_valid(v[i]))
            json_array_append_new(a, json_string(v[i]));
    char *s = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(a);
    return s;
}

static char *
json_cvss(const struct bsn_cvss *v, size_t n)
{
    if (!n)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "source", v[i].source && utf8_valid(v[i].source)
                                             ? json_string(v[i].source) : json_null());
        json_object_set_new(o, "version", v[i].version && utf8_valid(v[i].version)
                                              ? json_string(v[i].version) : json_null());
        json_object_set_new(o, "vector", v[i].vector && utf8_valid(v[i].vector)
                                             ? json_string(v[i].vector) : json_null());
        json_object_set_new(o, "score", json_real(v[i].score));
        json_array_append_new(a, o);
    }
    char *s = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(4));
    json_decref(a);
    return s;
}

static bsn_code
insert_adv(sqlite3 *db, sqlite3_stmt *st_adv, sqlite3_stmt *st_alias, sqlite3_stmt *st_aff,
           struct imp_adv *ia, sqlite3_int64 rowid, const char *path, struct bsn_err *err)
{
    struct bsn_adv *a = &ia->adv;
    char *cvss = json_cvss(a->cvss, a->n_cvss);
    char *cwes = json_strv(a->cwes, a->n_cwes);
    char *refs = json_strv(a->references, a->n_references);
    sqlite3_reset(st_adv);
    sqlite3_bind_int64(st_adv, 1, rowid);
    bind_text(st_adv, 2, a->id);
    bind_text(st_adv, 3, ia->source);
    bind_text(st_adv, 4, a->summary);
    bind_text(st_adv, 5, a->description);
    bind_text(st_adv, 6, a->published);
    bind_text(st_adv, 7, a->modified);
    bind_text(st_adv, 8, a->severity);
    bind_text(st_adv, 9, cvss);
    bind_text(st_adv, 10, cwes);
    bind_text(st_adv, 11, refs);
    int rc = sqlite3_step(st_adv);
    free(cvss);
    free(cwes);
    free(refs);
    if (rc != SQLITE_DONE)
        return sql_fail(db, path, "advisory", err);

    if (ia->n_aliases > 1)
        qsort(ia->aliases, ia->n_aliases, sizeof(*ia->aliases), cmp_str);
    for (size_t i = 0; i < ia->n_aliases; i++) {
        if (i && strcmp(ia->aliases[i], ia->aliases[i - 1]) == 0)
            continue;
        sqlite3_reset(st_alias);
        sqlite3_bind_int64(st_alias, 1, rowid);
        bind_text(st_alias, 2, ia->aliases[i]);
        if (sqlite3_step(st_alias) != SQLITE_DONE)
            return sql_fail(db, path, "alias", err);
    }

    if (ia->n_aff > 1)
        qsort(ia->aff, ia->n_aff, sizeof(*ia->aff), cmp_aff);
    for (size_t i = 0; i < ia->n_aff; i++) {
        const struct bsn_adv_affected *f = &ia->aff[i];
        if (i && cmp_aff(f, &ia->aff[i - 1]) == 0)
            continue;
        sqlite3_reset(st_aff);
        sqlite3_bind_int64(st_aff, 1, rowid);
        bind_text(st_aff, 2, f->namespace);
        bind_text(st_aff, 3, f->package);
        bind_text(st_aff, 4, f->scheme);
        bind_text(st_aff, 5, f->range);
        bind_text(st_aff, 6, f->fixed);
        bind_text(st_aff, 7, bsn_vdb_status_name(f->status));
        bind_text(st_aff, 8, f->severity);
        bind_text(st_aff, 9, f->module);
        bind_text(st_aff, 10, f->arch);
        if (sqlite3_step(st_aff) != SQLITE_DONE)
            return sql_fail(db, path, "affected package", err);
    }
    return BSN_OK;
}

static void
format_time(int64_t t, char out[32])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bsn_code
write_all(sqlite3 *db, struct bsn_vdb_import *im, const char *path, int64_t built_at,
          struct bsn_err *err)
{
    if (sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                         "PRAGMA page_size=4096; BEGIN;", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, bsn_vdb_schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(db, path, "schema", err);

    char when[32], num[32];
    format_time(built_at, when);
    snprintf(num, sizeof(num), "%lld", (long long)built_at);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO metadata (key, value) VALUES (?1, ?2)", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, path, "metadata", err);
    char ver[16];
    snprintf(ver, sizeof(ver), "%d", BSN_VDB_SCHEMA_VERSION);
    const char *kv[][2] = { { "schema_version", ver }, { "built_at", when },
                            { "built_at_unix", num } };
    for (size_t i = 0; i < 3; i++) {
        sqlite3_reset(st);
        bind_text(st, 1, kv[i][0]);
        bind_text(st, 2, kv[i][1]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return sql_fail(db, path, "metadata", err);
        }
    }
    sqlite3_finalize(st);

    if (im->n_sources > 1)
        qsort(im->sources, im->n_sources, sizeof(*im->sources), cmp_source);
    if (sqlite3_prepare_v2(db, "INSERT INTO sources (name, data_source, records, newest, skipped)"
                               " VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, path, "sources", err);
    for (size_t i = 0; i < im->n_sources; i++) {
        const struct imp_source *s = &im->sources[i];
        sqlite3_reset(st);
        bind_text(st, 1, s->name);
        bind_text(st, 2, s->data_source);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)s->records);
        bind_text(st, 4, s->newest);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)s->skipped);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return sql_fail(db, path, "sources", err);
        }
    }
    sqlite3_finalize(st);

    if (im->n_advs > 1)
        qsort(im->advs, im->n_advs, sizeof(*im->advs), cmp_adv);
    sqlite3_stmt *st_adv = NULL, *st_alias = NULL, *st_aff = NULL;
    bsn_code rc = BSN_OK;
    if (sqlite3_prepare_v2(db, "INSERT INTO advisories (adv, id, source, summary, description, "
                               "published, modified, severity, cvss, cwes, refs) VALUES "
                               "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st_adv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO aliases (adv, alias) VALUES (?1, ?2)", -1,
                           &st_alias, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO affected (adv, namespace, package, scheme, range, "
                               "fixed, status, severity, module, arch) VALUES "
                               "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &st_aff, NULL) != SQLITE_OK) {
        rc = sql_fail(db, path, "prepare", err);
    }
    for (size_t i = 0; rc == BSN_OK && i < im->n_advs; i++)
        rc = insert_adv(db, st_adv, st_alias, st_aff, im->advs[i], (sqlite3_int64)i + 1, path,
                        err);
    sqlite3_finalize(st_adv);
    sqlite3_finalize(st_alias);
    sqlite3_finalize(st_aff);
    if (rc != BSN_OK)
        return rc;
    if (sqlite3_exec(db, "COMMIT; ANALYZE;", NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(db, path, "commit", err);
    return BSN_OK;
}

bsn_code
bsn_vdb_import_write(struct bsn_vdb_import *im, const char *path, int64_t built_at,
                     struct bsn_err *err)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        bsn_code rc = sql_fail(db, path, "open", err);
        sqlite3_close(db);
        return rc;
    }
    bsn_code rc = write_all(db, im, path, built_at, err);
    if (sqlite3_close(db) != SQLITE_OK && rc == BSN_OK)
        rc = bsn_err_set(err, BSN_EIO, "cannot close vulnerability database '%s'", path);
    return rc;
}
