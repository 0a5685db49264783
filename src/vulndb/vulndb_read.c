/*
 * The read side of the vulnerability database, for scans: one read-only SQLite connection per
 * handle, opened as an immutable URI (the file is only ever replaced by rename, never changed
 * in place, so SQLite may skip locking), and a few prepared statements.
 *
 * bsn_vdb_lookup is the matcher's hot path: one indexed query on affected(namespace, package)
 * joined with its advisory; aliases come from a second prepared statement per advisory hit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "vulndb/vulndb_int.h"

#define ADV_COLS                                                                        \
    "a.adv, a.id, s.data_source, a.summary, a.description, a.published, a.modified, " \
    "a.severity, a.cvss, a.cwes, a.refs, a.source"
#define N_ADV_COLS 12

struct bsn_vdb {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st_lookup;
    sqlite3_stmt *st_aliases;
    sqlite3_stmt *st_adv_id;
    sqlite3_stmt *st_adv_alias;
    sqlite3_stmt *st_adv_src;
    sqlite3_stmt *st_adv_aff;
    sqlite3_stmt *st_ns;
    int64_t built_at;
};

static const char how_to_get[] = "run 'bosun db update' or 'bosun db build'";

static bsn_code
not_a_db(struct bsn_vdb *v, const char *path, const char *why, struct bsn_err *err)
{
    bsn_code rc = bsn_err_set(err, BSN_EDB, "'%s' is not a usable vulnerability database (%s); %s",
                              path, why, how_to_get);
    bsn_vdb_close(v);
    return rc;
}

/* "file:" URI for path: percent-encodes what a URI would misread. */
static bsn_code
make_uri(const char *path, struct bsn_buf *b)
{
    BSN_TRY(bsn_buf_adds(b, "file:"));
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f)
            BSN_TRY(bsn_buf_addf(b, "%%%02X", c));
        else
            BSN_TRY(bsn_buf_addc(b, (char)c));
    }
    return bsn_buf_adds(b, "?mode=ro&immutable=1");
}

bsn_code
bsn_vdb_open(const char *path, struct bsn_vdb **out, struct bsn_err *err)
{
    struct stat sb;
    if (!path || !*path || stat(path, &sb) != 0)
        return bsn_err_set(err, BSN_EDB, "no vulnerability database at '%s'; %s",
                           path ? path : "", how_to_get);
    if (!S_ISREG(sb.st_mode))
        return bsn_err_set(err, BSN_EDB, "'%s' is not a vulnerability database file; %s", path,
                           how_to_get);
    struct bsn_vdb *v = bsn_xcalloc(1, sizeof(*v));
    v->path = bsn_xstrdup(path);
    struct bsn_buf uri;
    bsn_buf_init(&uri, 16384);
    if (make_uri(path, &uri) != BSN_OK) {
        bsn_buf_release(&uri);
        return not_a_db(v, path, "path too long", err);
    }
    int rc = sqlite3_open_v2(uri.ptr, &v->db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    bsn_buf_release(&uri);
    if (rc != SQLITE_OK)
        return not_a_db(v, path, v->db ? sqlite3_errmsg(v->db) : "cannot open", err);

    /* The file is immutable while open: map it instead of copying pages through pread. */
    sqlite3_exec(v->db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384", NULL, NULL,
                 NULL);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->db, "SELECT key, value FROM metadata", -1, &st, NULL) != SQLITE_OK)
        return not_a_db(v, path, sqlite3_errmsg(v->db), err);
    long schema = -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *val = (const char *)sqlite3_column_text(st, 1);
        if (!k || !val)
            continue;
        if (strcmp(k, "schema_version") == 0)
            schema = strtol(val, NULL, 10);
        else if (strcmp(k, "built_at_unix") == 0)
            v->built_at = strtoll(val, NULL, 10);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return not_a_db(v, path, sqlite3_errmsg(v->db), err);
    if (schema != BSN_VDB_SCHEMA_VERSION) {
        bsn_code c = bsn_err_set(err, BSN_EDB,
                                 "vulnerability database '%s' has schema version %ld, this bosun "
                                 "reads version %d; %s",
                                 path, schema, BSN_VDB_SCHEMA_VERSION, how_to_get);
        bsn_vdb_close(v);
        return c;
    }
    if (sqlite3_prepare_v3(v->db,
                           "SELECT " ADV_COLS ", f.namespace, f.package, f.scheme, f.range, "
                           "f.fixed, f.status, f.severity, f.module, f.arch "
                           "FROM affected f JOIN advisories a ON a.adv = f.adv "
                           "JOIN sources s ON s.name = a.source "
                           "WHERE f.namespace = ?1 AND f.package = ?2 ORDER BY f.adv, f.rowid",
                           -1, SQLITE_PREPARE_PERSISTENT, &v->st_lookup, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(v->db, "SELECT alias FROM aliases WHERE adv = ?1 ORDER BY rowid", -1,
                           SQLITE_PREPARE_PERSISTENT, &v->st_aliases, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(v->db,
                           "SELECT " ADV_COLS " FROM advisories a JOIN sources s "
                           "ON s.name = a.source WHERE a.id = ?1 ORDER BY "
                           "s.data_source <> 'nvd', a.source <> 'cve5', a.source LIMIT 1",
                           -1, SQLITE_PREPARE_PERSISTENT, &v->st_adv_id, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(v->db,
                           "SELECT " ADV_COLS " FROM advisories a JOIN sources s "
                           "ON s.name = a.source WHERE a.id = ?1 AND a.source = ?2",
                           -1, SQLITE_PREPARE_PERSISTENT, &v->st_adv_src, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(v->db,
                           "SELECT " ADV_COLS " FROM aliases x JOIN advisories a ON a.adv = x.adv "
                           "JOIN sources s ON s.name = a.source WHERE x.alias = ?1 "
                           "ORDER BY a.id, a.source LIMIT 1",
                           -1, SQLITE_PREPARE_PERSISTENT, &v->st_adv_alias, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(v->db,
                           "SELECT namespace, package, scheme, range, fixed, status, severity, "
                           "module, arch FROM affected WHERE adv = ?1 ORDER BY rowid",
                           -1, SQLITE_PREPARE_PERSISTENT, &v->st_adv_aff, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(v->db, "SELECT 1 FROM affected WHERE namespace = ?1 LIMIT 1", -1,
                           SQLITE_PREPARE_PERSISTENT, &v->st_ns, NULL) != SQLITE_OK)
        return not_a_db(v, path, sqlite3_errmsg(v->db), err);
    *out = v;
    return BSN_OK;
}

void
bsn_vdb_close(struct bsn_vdb *v)
{
    if (!v)
        return;
    sqlite3_finalize(v->st_lookup);
    sqlite3_finalize(v->st_aliases);
    sqlite3_finalize(v->st_adv_id);
    sqlite3_finalize(v->st_adv_alias);
    sqlite3_finalize(v->st_adv_src);
    sqlite3_finalize(v->st_adv_aff);
    sqlite3_finalize(v->st_ns);
    sqlite3_close(v->db);
    free(v->path);
    free(v);
}

int64_t
bsn_vdb_built_at(struct bsn_vdb *v)
{
    return v->built_at;
}

bool
bsn_vdb_has_namespace(struct bsn_vdb *v, const char *namespace)
{
    sqlite3_reset(v->st_ns);
    sqlite3_bind_text(v->st_ns, 1, namespace, -1, SQLITE_STATIC);
    bool found = sqlite3_step(v->st_ns) == SQLITE_ROW;
    sqlite3_reset(v->st_ns);
    return found;
}

static const char *
col_str(sqlite3_stmt *st, int i, struct bsn_arena *a)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    return bsn_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

static const char *const *
parse_strv(const char *text, struct bsn_arena *a, size_t *n)
{
    *n = 0;
    if (!text)
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    size_t len = json_array_size(j), k = 0;
    const char **v = bsn_arena_alloc_array(a, len ? len : 1, sizeof(*v));
    for (size_t i = 0; i < len; i++) {
        const char *s = json_string_value(json_array_get(j, i));
        if (s)
            v[k++] = bsn_arena_strdup(a, s);
    }
    json_decref(j);
    *n = k;
    return v;
}

static const struct bsn_cvss *
parse_cvss(const char *text, struct bsn_arena *a, size_t *n)
{
    *n = 0;
    if (!text)
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    size_t len = json_array_size(j);
    struct bsn_cvss *v = bsn_arena_alloc_array(a, len ? len : 1, sizeof(*v));
    for (size_t i = 0; i < len; i++) {
        json_t *o = json_array_get(j, i);
        v[i].source = bsn_arena_strdup(a, json_string_value(json_object_get(o, "source")));
        v[i].version = bsn_arena_strdup(a, json_string_value(json_object_get(o, "version")));
        v[i].vector = bsn_arena_strdup(a, json_string_value(json_object_get(o, "vector")));
        v[i].score = json_number_value(json_object_get(o, "score"));
    }
    json_decref(j);
    *n = len;
    return v;
}

/* The advisory columns (ADV_COLS) of the current row of st. */
static bsn_code
read_adv(struct bsn_vdb *v, sqlite3_stmt *st, struct bsn_arena *a, struct bsn_adv **out,
         const char **data_source, const char **source, sqlite3_int64 *rowid,
         struct bsn_err *err)
{
    if (source)
        *source = col_str(st, 11, a);
    struct bsn_adv *adv = bsn_arena_alloc(a, sizeof(*adv));
    *rowid = sqlite3_column_int64(st, 0);
    adv->id = col_str(st, 1, a);
    *data_source = col_str(st, 2, a);
    adv->summary = col_str(st, 3, a);
    adv->description = col_str(st, 4, a);
    adv->published = col_str(st, 5, a);
    adv->modified = col_str(st, 6, a);
    adv->severity = col_str(st, 7, a);
    adv->cvss = parse_cvss((const char *)sqlite3_column_text(st, 8), a, &adv->n_cvss);
    adv->cwes = parse_strv((const char *)sqlite3_column_text(st, 9), a, &adv->n_cwes);
    adv->references = parse_strv((const char *)sqlite3_column_text(st, 10), a,
                                 &adv->n_references);
    if (!adv->id)
        return bsn_err_set(err, BSN_EDB, "vulnerability database '%s': advisory without id",
                           v->path);

    size_t cap = 0, n = 0;
    const char **al = NULL;
    sqlite3_reset(v->st_aliases);
    sqlite3_bind_int64(v->st_aliases, 1, *rowid);
    int rc;
    while ((rc = sqlite3_step(v->st_aliases)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            const char **nal = bsn_arena_alloc_array(a, ncap, sizeof(*nal));
            if (n)
                memcpy(nal, al, n * sizeof(*al));
            al = nal;
            cap = ncap;
        }
        al[n++] = col_str(v->st_aliases, 0, a);
    }
    sqlite3_reset(v->st_aliases);
    if (rc != SQLITE_DONE)
        return bsn_err_set(err, BSN_EDB, "vulnerability database '%s': %s", v->path,
                           sqlite3_errmsg(v->db));
    adv->aliases = al;
    adv->n_aliases = n;
    *out = adv;
    return BSN_OK;
}

static void
read_aff(sqlite3_stmt *st, int base, struct bsn_arena *a, struct bsn_adv_affected *f)
{
    f->namespace = col_str(st, base, a);
    f->package = col_str(st, base + 1, a);
    f->scheme = col_str(st, base + 2, a);
    f->range = col_str(st, base + 3, a);
    f->fixed = col_str(st, base + 4, a);
    const char *status = (const char *)sqlite3_column_text(st, base + 5);
    if (!status || !bsn_vdb_status_parse(status, &f->status))
        f->status = BSN_STATUS_AFFECTED;
    f->severity = col_str(st, base + 6, a);
    f->module = col_str(st, base + 7, a);
    f->arch = col_str(st, base + 8, a);
}

bsn_code
bsn_vdb_lookup(struct bsn_vdb *v, const char *namespace, const char *package,
               struct bsn_arena *arena, struct bsn_vdb_hit **out, size_t *n,
               struct bsn_err *err)
{
    sqlite3_stmt *st = v->st_lookup;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, namespace, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, package, -1, SQLITE_STATIC);
    struct bsn_vdb_hit *hits = NULL;
    size_t nh = 0, cap = 0;
    sqlite3_int64 last = -1;
    struct bsn_adv *adv = NULL;
    const char *ds = NULL, *src = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
        if (rowid != last) {
            bsn_code c = read_adv(v, st, arena, &adv, &ds, &src, &rowid, err);
            if (c != BSN_OK) {
                sqlite3_reset(st);
                return c;
            }
            last = rowid;
        }
        if (nh == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct bsn_vdb_hit *nhits = bsn_arena_alloc_array(arena, ncap, sizeof(*nhits));
            if (nh)
                memcpy(nhits, hits, nh * sizeof(*hits));
            hits = nhits;
            cap = ncap;
        }
        struct bsn_adv_affected *f = bsn_arena_alloc(arena, sizeof(*f));
        read_aff(st, N_ADV_COLS, arena, f);
        hits[nh].source = src;
        hits[nh].adv = adv;
        hits[nh].aff = f;
        hits[nh].data_source = ds;
        nh++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return bsn_err_set(err, BSN_EDB, "vulnerability database '%s': %s", v->path,
                           sqlite3_errmsg(v->db));
    *out = hits;
    *n = nh;
    return BSN_OK;
}

/* The first row of st (bound by the caller), with its affected rows. */
static bsn_code
fetch_adv(struct bsn_vdb *v, sqlite3_stmt *st, struct bsn_arena *arena,
          const struct bsn_adv **out, const char **data_source, struct bsn_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return BSN_OK;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return bsn_err_set(err, BSN_EDB, "vulnerability database '%s': %s", v->path,
                           sqlite3_errmsg(v->db));
    }
    struct bsn_adv *adv;
    const char *ds;
    sqlite3_int64 rowid;
    bsn_code c = read_adv(v, st, arena, &adv, &ds, NULL, &rowid, err);
    sqlite3_reset(st);
    if (c != BSN_OK)
        return c;
    /* Its affected rows, for 'db search --vuln' and the matcher's NVD fallback. */
    sqlite3_stmt *sa = v->st_adv_aff;
    sqlite3_reset(sa);
    sqlite3_bind_int64(sa, 1, rowid);
    size_t n = 0, cap = 0;
    struct bsn_adv_affected *aff = NULL;
    while ((rc = sqlite3_step(sa)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct bsn_adv_affected *na = bsn_arena_alloc_array(arena, ncap, sizeof(*na));
            if (n)
                memcpy(na, aff, n * sizeof(*aff));
            aff = na;
            cap = ncap;
        }
        read_aff(sa, 0, arena, &aff[n++]);
    }
    sqlite3_reset(sa);
    adv->affected = aff;
    adv->n_affected = n;
    *out = adv;
    if (data_source)
        *data_source = ds;
    return BSN_OK;
}

bsn_code
bsn_vdb_advisory(struct bsn_vdb *v, const char *id, struct bsn_arena *arena,
                 const struct bsn_adv **out, const char **data_source, struct bsn_err *err)
{
    *out = NULL;
    if (data_source)
        *data_source = NULL;
    sqlite3_reset(v->st_adv_id);
    sqlite3_bind_text(v->st_adv_id, 1, id, -1, SQLITE_STATIC);
    BSN_TRY(fetch_adv(v, v->st_adv_id, arena, out, data_source, err));
    if (*out)
        return BSN_OK;
    sqlite3_reset(v->st_adv_alias);
    sqlite3_bind_text(v->st_adv_alias, 1, id, -1, SQLITE_STATIC);
    return fetch_adv(v, v->st_adv_alias, arena, out, data_source, err);
}

bsn_code
bsn_vdb_advisory_from(struct bsn_vdb *v, const char *id, const char *source,
                      struct bsn_arena *arena, const struct bsn_adv **out,
                      const char **data_source, struct bsn_err *err)
{
    *out = NULL;
    sqlite3_reset(v->st_adv_src);
    sqlite3_bind_text(v->st_adv_src, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(v->st_adv_src, 2, source, -1, SQLITE_STATIC);
    return fetch_adv(v, v->st_adv_src, arena, out, data_source, err);
}
