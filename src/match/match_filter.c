/*
 * Finding filters, applied after matching (match.h bsn_filter), in this order:
 *
 *   1. --severity: findings, secrets and misconfigurations of other severities are dropped.
 *   2. --ignore-unfixed: findings whose status is not "fixed" are dropped.
 *   3. the ignore file (.bosunignore, after .trivyignore):
 *          # comment
 *          CVE-2024-0727                      any finding with that id or alias
 *          GHSA-35jh-r3h4-6jhm exp:2025-06-30 until the end of that day (UTC), then it lapses
 *          aws-access-key-id                  secret rule ids and misconfiguration ids too
 *      A lapsed entry is reported as a diagnostic, so nobody wonders why a finding is back.
 *   4. VEX documents (match_vex.c): not_affected / fixed statements.
 *   5. the baseline (an earlier bosun JSON report): findings whose id (or an alias) was
 *      reported for a package of the same type and name are not new; the rest get is_new.
 * Steps 3 and 4 record what they removed in r->suppressed with the reason. Dropping keeps
 * the remaining order.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/map.h"
#include "base/xalloc.h"
#include "match/match.h"
#include "match/match_int.h"

#define MAX_IGNOREFILE (4u << 20)
#define MAX_VEX (64u << 20)
#define MAX_BASELINE (512u << 20)

bsn_code
bsn_match_read_file(const char *path, size_t max_bytes, struct bsn_buf *out, bool *missing,
                    struct bsn_err *err)
{
    if (missing)
        *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing)
            *missing = true;
        return bsn_err_sys(err, errno == ENOENT ? BSN_ENOTFOUND : BSN_EIO, errno,
                           "cannot open '%s'", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bsn_err_set(err, BSN_EIO, "cannot read '%s': not a regular file", path);
    }
    bsn_buf_init(out, max_bytes);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            bsn_code rc = bsn_err_sys(err, BSN_EIO, errno, "cannot read '%s'", path);
            close(fd);
            bsn_buf_release(out);
            return rc;
        }
        if (n == 0)
            break;
        if (bsn_buf_add(out, chunk, (size_t)n) != BSN_OK) {
            close(fd);
            bsn_buf_release(out);
            return bsn_err_set(err, BSN_ELIMIT, "'%s' is larger than %zu bytes", path,
                               max_bytes);
        }
    }
    close(fd);
    return BSN_OK;
}

static void
add_diag(struct bsn_result *r, const char *msg)
{
    struct bsn_diag *d = bsn_arena_alloc_array(r->arena, r->n_diags + 1, sizeof(*d));
    if (r->n_diags)
        memcpy(d, r->diags, r->n_diags * sizeof(*d));
    d[r->n_diags].message = msg;
    r->diags = d;
    r->n_diags++;
}

/* Suppressed findings of one result, collected and appended to it at once. */
struct supp {
    struct bsn_suppressed *v;
    size_t n, cap;
};

static void
add_suppressed(struct supp *sp, const char *id, const char *pkg, const char *reason)
{
    sp->v = bsn_xgrow(sp->v, &sp->cap, sp->n + 1, sizeof(*sp->v));
    sp->v[sp->n].id = id;
    sp->v[sp->n].package = pkg;
    sp->v[sp->n].reason = reason;
    sp->n++;
}

static void
flush_suppressed(struct bsn_result *r, struct supp *sp)
{
    if (sp->n) {
        struct bsn_suppressed *s =
            bsn_arena_alloc_array(r->arena, r->n_suppressed + sp->n, sizeof(*s));
        if (r->n_suppressed)
            memcpy(s, r->suppressed, r->n_suppressed * sizeof(*s));
        memcpy(s + r->n_suppressed, sp->v, sp->n * sizeof(*s));
        r->suppressed = s;
        r->n_suppressed += sp->n;
    }
    free(sp->v);
}

/* ---- the ignore file ------------------------------------------------------------------------- */

struct ignores {
    struct bsn_map ids; /* id -> non-NULL */
};

static bsn_code
load_ignorefile(struct bsn_result *r, const char *path, int64_t now, struct bsn_arena *a,
                struct ignores *ig, bool *have, struct bsn_err *err)
{
    struct bsn_buf b;
    bool missing;
    *have = false;
    bsn_code rc = bsn_match_read_file(path, MAX_IGNOREFILE, &b, &missing, err);
    if (rc != BSN_OK)
        return missing ? BSN_OK : rc;
    *have = true;
    struct bsn_str cur = bsn_buf_str(&b), line;
    unsigned lineno = 0;
    while (bsn_sp_line(&cur, &line) == 0) {
        lineno++;
        ptrdiff_t hash = bsn_str_chr(line, '#');
        if (hash >= 0)
            line.len = (size_t)hash;
        struct bsn_str id, tok;
        bsn_sp_blanks(&line);
        if (bsn_sp_word(&line, &id, 1024) != 0)
            continue;
        bool expired = false;
        for (;;) {
            bsn_sp_blanks(&line);
            if (bsn_sp_word(&line, &tok, 1024) != 0)
                break;
            if (!bsn_str_starts(tok, "exp:"))
                continue; /* unknown attributes are ignored, as Trivy does */
            int64_t exp;
            if (tok.len != 14 || !bsn_match_parse_date(tok.ptr + 4, tok.len - 4, &exp)) {
                rc = bsn_err_set(err, BSN_EFORMAT, "%s:%u: invalid expiry '%.*s' (want "
                                 "exp:YYYY-MM-DD)", path, lineno, BSN_STR_ARG(tok));
                bsn_buf_release(&b);
                return rc;
            }
            /* the entry holds through the whole day it names */
            if (now >= exp + 86400) {
                expired = true;
                add_diag(r, bsn_arena_printf(r->arena, "%s:%u: ignore entry '%.*s' expired on "
                                             "%.*s and no longer applies", path, lineno,
                                             BSN_STR_ARG(id), 10, tok.ptr + 4));
            }
        }
        if (!expired) {
            char *k = bsn_arena_strslice(a, id);
            bsn_map_put(&ig->ids, k, id.len, k);
        }
    }
    bsn_buf_release(&b);
    return BSN_OK;
}

static bool
ignored(const struct ignores *ig, const char *id)
{
    return id && bsn_map_get(&ig->ids, id, strlen(id)) != NULL;
}

static bool
vuln_ignored(const struct ignores *ig, const struct bsn_vuln *v)
{
    if (ignored(ig, v->id))
        return true;
    for (size_t i = 0; i < v->n_aliases; i++)
        if (ignored(ig, v->aliases[i]))
            return true;
    return false;
}

/* ---- the baseline ---------------------------------------------------------------------------- */

static void
baseline_add(struct bsn_arena *a, struct bsn_map *m, json_t *vulns)
{
    size_t i;
    json_t *v;
    json_array_foreach(vulns, i, v)
    {
        const char *type = json_string_value(json_object_get(v, "package_type"));
        const char *name = json_string_value(json_object_get(v, "package_name"));
        const char *id = json_string_value(json_object_get(v, "id"));
        if (!id)
            continue;
        char *k = bsn_arena_printf(a, "%s\x1f%s\x1f%s", id, type ? type : "", name ? name : "");
        bsn_map_put(m, k, strlen(k), k);
        size_t j;
        json_t *al;
        json_array_foreach(json_object_get(v, "aliases"), j, al)
        {
            if (!json_is_string(al))
                continue;
            k = bsn_arena_printf(a, "%s\x1f%s\x1f%s", json_string_value(al), type ? type : "",
                                 name ? name : "");
            bsn_map_put(m, k, strlen(k), k);
        }
    }
}

static bsn_code
load_baseline(const char *path, struct bsn_arena *a, struct bsn_map *m, struct bsn_err *err)
{
    struct bsn_buf b;
    BSN_TRY(bsn_match_read_file(path, MAX_BASELINE, &b, NULL, err));
    json_error_t je;
    json_t *doc = json_loadb(b.ptr, b.len, 0, &je);
    bsn_buf_release(&b);
    if (!doc)
        return bsn_err_set(err, BSN_EFORMAT, "baseline '%s': line %d: %s", path, je.line,
                           je.text);
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (!json_is_object(doc) || !json_is_array(vulns)) {
        json_decref(doc);
        return bsn_err_set(err, BSN_EFORMAT,
                           "baseline '%s': not a bosun JSON report (no \"vulnerabilities\")",
                           path);
    }
    baseline_add(a, m, vulns);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(doc, "platforms"), i, p)
        baseline_add(a, m, json_object_get(p, "vulnerabilities"));
    json_decref(doc);
    return BSN_OK;
}

static bool
in_baseline(struct bsn_arena *a, const struct bsn_map *m, const struct bsn_vuln *v)
{
    const char *type = v->pkg && v->pkg->type ? v->pkg->type : "";
    const char *name = v->pkg && v->pkg->name ? v->pkg->name : "";
    for (size_t i = 0; i <= v->n_aliases; i++) {
        const char *id = i == 0 ? v->id : v->aliases[i - 1];
        if (!id)
            continue;
        char *k = bsn_arena_printf(a, "%s\x1f%s\x1f%s", id, type, name);
        if (bsn_map_get(m, k, strlen(k)))
            return true;
    }
    return false;
}

/* ---- applying -------------------------------------------------------------------------------- */

struct filters {
    const struct bsn_scan_opts *o;
    unsigned sev_mask;
    bool have_ignores;
    struct ignores ig;
    struct bsn_vex_set vex;
    bool have_baseline;
    struct bsn_map baseline;
    struct bsn_arena *a;
};

static bool
sev_kept(const struct filters *f, enum bsn_severity s)
{
    return !f->sev_mask || (f->sev_mask & (1u << (unsigned)s));
}

static void
apply(struct filters *f, struct bsn_result *r)
{
    struct supp sp = { 0 };
    size_t n = 0;
    f->vex.artifact = r->has_image ? &r->image : NULL;
    for (size_t i = 0; i < r->n_vulns; i++) {
        struct bsn_vuln *v = &r->vulns[i];
        if (!sev_kept(f, v->severity))
            continue;
        if (f->o->ignore_unfixed && v->status != BSN_STATUS_FIXED)
            continue;
        const char *pkg = v->pkg ? v->pkg->name : NULL;
        if (f->have_ignores && vuln_ignored(&f->ig, v)) {
            add_suppressed(&sp, v->id, pkg, "ignorefile");
            continue;
        }
        if (f->vex.n) {
            struct bsn_arena_mark mk = bsn_arena_mark(f->a);
            const char *why = bsn_vex_verdict(&f->vex, f->a, v);
            bsn_arena_rewind(f->a, mk);
            if (why) {
                add_suppressed(&sp, v->id, pkg, why);
                continue;
            }
        }
        if (f->have_baseline) {
            struct bsn_arena_mark mk = bsn_arena_mark(f->a);
            v->is_new = !in_baseline(f->a, &f->baseline, v);
            bsn_arena_rewind(f->a, mk);
        }
        r->vulns[n++] = *v;
    }
    r->n_vulns = n;

    n = 0;
    for (size_t i = 0; i < r->n_secrets; i++) {
        struct bsn_secret *s = &r->secrets[i];
        if (!sev_kept(f, s->severity))
            continue;
        if (f->have_ignores && ignored(&f->ig, s->rule_id)) {
            add_suppressed(&sp, s->rule_id, s->path, "ignorefile");
            continue;
        }
        r->secrets[n++] = *s;
    }
    r->n_secrets = n;

    n = 0;
    for (size_t i = 0; i < r->n_misconfigs; i++) {
        struct bsn_misconfig *m = &r->misconfigs[i];
        if (!sev_kept(f, m->severity))
            continue;
        if (f->have_ignores && ignored(&f->ig, m->id)) {
            add_suppressed(&sp, m->id, m->path, "ignorefile");
            continue;
        }
        r->misconfigs[n++] = *m;
    }
    r->n_misconfigs = n;
    flush_suppressed(r, &sp);
}

bsn_code
bsn_filter(struct bsn_result *r, const struct bsn_scan_opts *o, struct bsn_err *err)
{
    struct filters f = { .o = o, .sev_mask = o->severities };
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    bsn_code rc = BSN_OK;

    f.a = bsn_arena_new();
    bsn_map_init(&f.ig.ids);
    bsn_map_init(&f.baseline);
    if (o->ignorefile)
        rc = load_ignorefile(r, o->ignorefile, now, f.a, &f.ig, &f.have_ignores, err);
    for (size_t i = 0; rc == BSN_OK && i < o->n_vex_files; i++) {
        struct bsn_buf b;
        rc = bsn_match_read_file(o->vex_files[i], MAX_VEX, &b, NULL, err);
        if (rc == BSN_OK) {
            rc = bsn_vex_parse(f.a, o->vex_files[i], b.ptr, b.len, &f.vex, err);
            bsn_buf_release(&b);
        }
    }
    if (rc == BSN_OK && f.vex.n)
        bsn_vex_index(&f.vex, f.a);
    if (rc == BSN_OK && o->baseline) {
        rc = load_baseline(o->baseline, f.a, &f.baseline, err);
        f.have_baseline = rc == BSN_OK;
    }
    if (rc == BSN_OK) {
        apply(&f, r);
        for (size_t i = 0; i < r->n_platforms; i++)
            if (r->platforms[i])
                apply(&f, r->platforms[i]);
    }
    bsn_vex_set_release(&f.vex);
    bsn_map_release(&f.baseline);
    bsn_map_release(&f.ig.ids);
    bsn_arena_free(f.a);
    return rc;
}
