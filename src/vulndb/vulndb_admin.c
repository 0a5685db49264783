/*
 * 'bosun db info' and 'bosun db search': what a database holds, read through the same
 * read-only connection rules as scans (vulndb_read.c validates the file first).
 *
 * Search output is JSON lines, one per (advisory, affected package), like `grype db search`:
 *   {"id","source","data_source","namespace","package","scheme","range","fixed","status",
 *    "severity","vendor_severity","aliases","summary","published","modified","cvss"}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "vulndb/vulndb_int.h"

static bsn_code
open_rw_check(const char *path, sqlite3 **out, struct bsn_err *err)
{
    struct bsn_vdb *v;
    BSN_TRY(bsn_vdb_open(path, &v, err));
    bsn_vdb_close(v);
    struct bsn_buf uri;
    bsn_buf_init(&uri, 16384);
    bsn_code rc = bsn_buf_adds(&uri, "file:");
    for (const char *p = path; rc == BSN_OK && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f)
            rc = bsn_buf_addf(&uri, "%%%02X", c);
        else
            rc = bsn_buf_addc(&uri, (char)c);
    }
    if (rc == BSN_OK)
        rc = bsn_buf_adds(&uri, "?mode=ro&immutable=1");
    if (rc != BSN_OK) {
        bsn_buf_release(&uri);
        return bsn_err_set(err, BSN_EDB, "database path too long: '%s'", path);
    }
    sqlite3 *db = NULL;
    int r = sqlite3_open_v2(uri.ptr, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    bsn_buf_release(&uri);
    if (r != SQLITE_OK) {
        rc = bsn_err_set(err, BSN_EDB, "cannot open vulnerability database '%s': %s", path,
                         db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return BSN_OK;
}

static const char *
col(sqlite3_stmt *st, int i, struct bsn_arena *a)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? bsn_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

bsn_code
bsn_db_info(const char *path, struct bsn_arena *a, struct bsn_db_info *out, struct bsn_err *err)
{
    sqlite3 *db;
    BSN_TRY(open_rw_check(path, &db, err));
    struct bsn_db_info info = { 0 };
    sqlite3_stmt *st = NULL;
    bsn_code rc = BSN_OK;
    if (sqlite3_prepare_v2(db, "SELECT key, value FROM metadata", -1, &st, NULL) != SQLITE_OK)
        goto sqlfail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (!k || !v)
            continue;
        if (strcmp(k, "schema_version") == 0)
            info.schema_version = (int)strtol(v, NULL, 10);
        else if (strcmp(k, "built_at") == 0)
            info.built_at_text = bsn_arena_strdup(a, v);
        else if (strcmp(k, "built_at_unix") == 0)
            info.built_at = strtoll(v, NULL, 10);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT name, data_source, records, newest, skipped FROM sources "
                               "ORDER BY name", -1, &st, NULL) != SQLITE_OK)
        goto sqlfail;
    size_t cap = 0;
    struct bsn_db_source *src = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (info.n_sources == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct bsn_db_source *n = bsn_arena_alloc_array(a, ncap, sizeof(*n));
            if (info.n_sources)
                memcpy(n, src, info.n_sources * sizeof(*n));
            src = n;
            cap = ncap;
        }
        struct bsn_db_source *s = &src[info.n_sources++];
        s->name = col(st, 0, a);
        s->data_source = col(st, 1, a);
        s->records = (uint64_t)sqlite3_column_int64(st, 2);
        s->newest = col(st, 3, a);
        s->skipped = (uint64_t)sqlite3_column_int64(st, 4);
    }
    info.sources = src;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM advisories), "
                               "(SELECT count(*) FROM affected)", -1, &st, NULL) != SQLITE_OK)
        goto sqlfail;
    if (sqlite3_step(st) == SQLITE_ROW) {
        info.advisories = (uint64_t)sqlite3_column_int64(st, 0);
        info.affected = (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    *out = info;
    return BSN_OK;
sqlfail:
    rc = bsn_err_set(err, BSN_EDB, "vulnerability database '%s': %s", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

static json_t *
jstr_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

static json_t *
adv_aff_json(const struct bsn_adv *adv, const char *source, const char *data_source,
             const struct bsn_adv_affected *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", jstr_or_null(adv->id));
    json_object_set_new(o, "source", jstr_or_null(source));
    json_object_set_new(o, "data_source", jstr_or_null(data_source));
    json_object_set_new(o, "namespace", jstr_or_null(f ? f->namespace : NULL));
    json_object_set_new(o, "package", jstr_or_null(f ? f->package : NULL));
    json_object_set_new(o, "scheme", jstr_or_null(f ? f->scheme : NULL));
    json_object_set_new(o, "range", jstr_or_null(f ? f->range : NULL));
    json_object_set_new(o, "fixed", jstr_or_null(f ? f->fixed : NULL));
    json_object_set_new(o, "status", f ? json_string(bsn_vdb_status_name(f->status))
                                       : json_null());
    json_object_set_new(o, "severity", jstr_or_null(adv->severity));
    json_object_set_new(o, "vendor_severity", jstr_or_null(f ? f->severity : NULL));
    json_t *al = json_array();
    for (size_t i = 0; i < adv->n_aliases; i++)
        json_array_append_new(al, jstr_or_null(adv->aliases[i]));
    json_object_set_new(o, "aliases", al);
    json_object_set_new(o, "summary", jstr_or_null(adv->summary));
    json_object_set_new(o, "published", jstr_or_null(adv->published));
    json_object_set_new(o, "modified", jstr_or_null(adv->modified));
    json_t *cv = json_array();
    for (size_t i = 0; i < adv->n_cvss; i++)
        json_array_append_new(cv, json_pack("{s:o, s:o, s:o, s:f}", "source",
                                             jstr_or_null(adv->cvss[i].source), "version",
                                             jstr_or_null(adv->cvss[i].version), "vector",
                                             jstr_or_null(adv->cvss[i].vector), "score",
                                             adv->cvss[i].score));
    json_object_set_new(o, "cvss", cv);
    return o;
}

static void
emit_line(json_t *o, bsn_msg_fn *out, void *arg)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
    json_decref(o);
    if (s) {
        out(arg, s);
        free(s);
    }
}

bsn_code
bsn_db_search(const char *path, const char *pkg, const char *ecosystem, const char *vuln,
              bsn_msg_fn *out, void *arg, struct bsn_err *err)
{
    if ((!pkg || !*pkg) == (!vuln || !*vuln))
        return bsn_err_set(err, BSN_EINVAL, "give either a package name or a vulnerability id");
    struct bsn_vdb *v;
    BSN_TRY(bsn_vdb_open(path, &v, err));
    sqlite3 *db;
    bsn_code rc = open_rw_check(path, &db, err);
    if (rc != BSN_OK) {
        bsn_vdb_close(v);
        return rc;
    }
    struct bsn_arena *a = bsn_arena_new();
    sqlite3_stmt *st = NULL;
    if (pkg && *pkg) {
        /* Namespaces holding pkg (or the one asked for), then the read API per namespace. */
        const char *ns = NULL, *scheme = NULL;
        if (ecosystem && *ecosystem)
            bsn_vdb_osv_ecosystem(ecosystem, a, &ns, &scheme);
        const char *name = pkg;
        const char *sql = ns ? "SELECT DISTINCT namespace FROM affected WHERE namespace = ?2 "
                               "AND (package = ?1 OR package = ?3) ORDER BY namespace"
                             : "SELECT DISTINCT namespace FROM affected WHERE package = ?1 "
                               "OR package = ?3 ORDER BY namespace";
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            rc = bsn_err_set(err, BSN_EDB, "vulnerability database '%s': %s", path,
                             sqlite3_errmsg(db));
            goto done;
        }
        const char *pypi = bsn_vdb_pypi_name(a, pkg);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (ns)
            sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, pypi, -1, SQLITE_STATIC);
        while (rc == BSN_OK && sqlite3_step(st) == SQLITE_ROW) {
            const char *found_ns = col(st, 0, a);
            const char *qname = strcmp(found_ns, "pypi") == 0 ? pypi : name;
            struct bsn_vdb_hit *hits;
            size_t n;
            rc = bsn_vdb_lookup(v, found_ns, qname, a, &hits, &n, err);
            for (size_t i = 0; rc == BSN_OK && i < n; i++) {
                emit_line(adv_aff_json(hits[i].adv, hits[i].source, hits[i].data_source,
                                       hits[i].aff),
                          out, arg);
            }
        }
    } else {
        if (sqlite3_prepare_v2(db, "SELECT a.adv, a.source FROM advisories a WHERE a.adv IN "
                                   "(SELECT adv FROM advisories WHERE id = ?1 UNION "
                                   "SELECT adv FROM aliases WHERE alias = ?1) "
                                   "ORDER BY a.id, a.source",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = bsn_err_set(err, BSN_EDB, "vulnerability database '%s': %s", path,
                             sqlite3_errmsg(db));
            goto done;
        }
        sqlite3_bind_text(st, 1, vuln, -1, SQLITE_STATIC);
        sqlite3_stmt *one = NULL;
        if (sqlite3_prepare_v2(db, "SELECT id FROM advisories WHERE adv = ?1", -1, &one, NULL) !=
            SQLITE_OK) {
            rc = bsn_err_set(err, BSN_EDB, "vulnerability database '%s': %s", path,
                             sqlite3_errmsg(db));
            goto done;
        }
        while (rc == BSN_OK && sqlite3_step(st) == SQLITE_ROW) {
            sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
            const char *source = col(st, 1, a);
            sqlite3_reset(one);
            sqlite3_bind_int64(one, 1, rowid);
            if (sqlite3_step(one) != SQLITE_ROW)
                continue;
            const char *id = col(one, 0, a);
            /* bsn_vdb_advisory picks one source; walk every source of the id here. */
            const struct bsn_adv *adv = NULL;
            const char *ds = NULL;
            rc = bsn_vdb_advisory_from(v, id, source, a, &adv, &ds, err);
            if (rc != BSN_OK || !adv)
                continue;
            if (!adv->n_affected)
                emit_line(adv_aff_json(adv, source, ds, NULL), out, arg);
            for (size_t i = 0; i < adv->n_affected; i++)
                emit_line(adv_aff_json(adv, source, ds, &adv->affected[i]), out, arg);
        }
        sqlite3_finalize(one);
    }
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    bsn_arena_free(a);
    bsn_vdb_close(v);
    return rc;
}
