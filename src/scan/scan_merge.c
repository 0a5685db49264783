/*
 * The layer merge: walks layer results bottom-up and keeps, for every path, the records of the
 * topmost layer holding that path, after applying each layer's whiteouts (".wh.NAME" removes
 * NAME and everything below it) and opaque directories (everything below from lower layers).
 * Then every analyzer's finish() joins its surviving records, language packages in files that
 * an OS package owns are dropped (they are the OS package's), each package is attributed to
 * the lowest layer that has it at the same version, and the inventory is sorted.
 *
 * Secrets are not merged: a secret in a file that a later layer deletes is still in the image
 * (anyone can extract the layer), so it is reported with deleted = true.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/misconfig_checks.h"
#include "base/xalloc.h"
#include "scan/scan_int.h"

struct surv {
    size_t layer;
    struct bsn_file_recs *f;
};

struct bsn_fctx {
    struct bsn_result *r;
    unsigned analyzer;
    struct bsn_package **pkgs;
    size_t n_pkgs;
    struct bsn_map *aux;    /* per analyzer: key -> value */
    struct bsn_map *owned;  /* path -> (void *)1 */
    struct bsn_map *dropped;/* package pointer (as bytes) -> (void *)1 */
    const struct bsn_os *os;
};

const struct bsn_os *
bsn_fctx_os(struct bsn_fctx *ctx)
{
    return ctx->os;
}

struct bsn_arena *
bsn_fctx_arena(struct bsn_fctx *ctx)
{
    return ctx->r->arena;
}

size_t
bsn_fctx_packages(struct bsn_fctx *ctx, struct bsn_package ***out)
{
    *out = ctx->pkgs;
    return ctx->n_pkgs;
}

const char *
bsn_fctx_aux(struct bsn_fctx *ctx, const char *key)
{
    return bsn_map_get(&ctx->aux[ctx->analyzer], key, strlen(key));
}

bool
bsn_fctx_owned(struct bsn_fctx *ctx, const char *path)
{
    while (*path == '/')
        path++;
    return bsn_map_get(ctx->owned, path, strlen(path)) != NULL;
}

void
bsn_fctx_drop_package(struct bsn_fctx *ctx, struct bsn_package *pkg)
{
    /* Keyed by the pointer's bytes; the key lives in the result's arena. */
    bsn_map_put(ctx->dropped, bsn_arena_memdup(ctx->r->arena, &pkg, sizeof(pkg)), sizeof(pkg),
                (void *)1);
}

void
bsn_fctx_warn(struct bsn_fctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = bsn_arena_vprintf(ctx->r->arena, fmt, ap);
    va_end(ap);
    bsn_result_diag(ctx->r, "%s: %s", bsn_analyzers[ctx->analyzer]->name, m);
}

/* True if path or one of its ancestors is in w, or one of its ancestors is in o. */
static bool
hidden_by(const char *path, size_t len, const struct bsn_map *w, const struct bsn_map *o)
{
    if (w->len && bsn_map_get(w, path, len))
        return true;
    for (size_t i = 0; i < len; i++) {
        if (path[i] != '/')
            continue;
        if (w->len && bsn_map_get(w, path, i))
            return true;
        if (o->len && bsn_map_get(o, path, i))
            return true;
    }
    return false;
}

static int
cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int
cmp_pkg(const void *pa, const void *pb)
{
    const struct bsn_package *a = pa, *b = pb;
    int c;
    if ((c = cmp_str(a->type, b->type)) || (c = cmp_str(a->name, b->name)) ||
        (c = cmp_str(a->version, b->version)) || (c = cmp_str(a->path, b->path)))
        return c;
    return cmp_str(a->arch, b->arch);
}

static bool
is_os_type(const char *t)
{
    static const char *const os_types[] = { "deb", "apk", "rpm", "opkg", "alpm", NULL };
    for (size_t i = 0; os_types[i]; i++)
        if (t && strcmp(t, os_types[i]) == 0)
            return true;
    return false;
}

static bool
same_pkg(const struct bsn_package *a, const struct bsn_package *b)
{
    return cmp_str(a->type, b->type) == 0 && cmp_str(a->name, b->name) == 0 &&
           cmp_str(a->version, b->version) == 0 && a->epoch == b->epoch;
}

/* The lowest layer (<= top) whose records for path hold the same package. */
static const char *
attribute(struct bsn_layer_result *const *layers, size_t top, const struct bsn_file_recs *f,
          const struct bsn_package *p)
{
    for (size_t k = 0; k < top; k++) {
        const struct bsn_file_recs *lf = bsn_map_get(&layers[k]->files, f->path, f->len);
        if (!lf)
            continue;
        for (const struct bsn_rec *rec = lf->head; rec; rec = rec->next)
            if (rec->kind == BSN_REC_PACKAGE && same_pkg(rec->u.pkg, p))
                return layers[k]->diff_id;
    }
    return layers[top]->diff_id;
}

static void
free_layer_cb(void *p)
{
    bsn_layer_result_free(p);
}

/* Whether analyzer a read p's package from a lockfile or manifest (bsn_analyzer.declared). */
static bool
is_declared(const struct bsn_analyzer *a, const char *path)
{
    if (!a->declared)
        return false;
    if (a->declared == bsn_declared_all)
        return true;
    const char *slash = path ? strrchr(path, '/') : NULL;
    const char *base = slash ? slash + 1 : path ? path : "";
    for (size_t i = 0; a->declared[i]; i++)
        if (strcmp(base, a->declared[i]) == 0)
            return true;
    return false;
}

/* A package's identity across analyzers: its purl without qualifiers or subpath, else
 * type/name@version. */
static size_t
twin_key(struct bsn_buf *b, const struct bsn_package *p)
{
    bsn_buf_reset(b);
    bsn_code rc = p->purl ? bsn_buf_add(b, p->purl, strcspn(p->purl, "?#"))
                          : bsn_buf_addf(b, "%s/%s@%s", p->type, p->name, p->version);
    return rc == BSN_OK ? b->len : 0; /* 0: too long to compare, kept as is */
}

/*
 * A package that a lockfile or manifest declares and that installed metadata also lists
 * (node_modules/x/package.json beside package-lock.json, a dist-info beside requirements.txt,
 * vendor/composer/installed.json beside composer.lock) is listed once, from where it is
 * installed, taking the declared entry's direct/indirect and dev marks where the installed
 * metadata has none; its vulnerabilities are then reported once, not twice. Declared
 * packages nothing installed (a lockfile alone) stay.
 */
static void
drop_declared_twins(struct bsn_result *r, const bool *declared)
{
    struct bsn_map installed;
    struct bsn_buf key;
    bsn_map_init(&installed);
    bsn_buf_init(&key, 64 * 1024);
    for (size_t i = 0; i < r->n_packages; i++) {
        const struct bsn_package *p = &r->packages[i];
        if (declared[i] || is_os_type(p->type))
            continue;
        size_t n = twin_key(&key, p);
        if (n && !bsn_map_get(&installed, key.ptr, n))
            bsn_map_put(&installed, bsn_arena_memdup(r->arena, key.ptr, n), n,
                        (void *)(uintptr_t)(i + 1));
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->n_packages; i++) {
        struct bsn_package *p = &r->packages[i];
        if (declared[i] && installed.len) {
            size_t n = twin_key(&key, p);
            uintptr_t at = n ? (uintptr_t)bsn_map_get(&installed, key.ptr, n) : 0;
            if (at) {
                struct bsn_package *inst = &r->packages[at - 1];
                if (inst->dep == BSN_DEP_UNKNOWN)
                    inst->dep = p->dep;
                inst->dev = inst->dev || p->dev;
                continue;
            }
        }
        r->packages[kept++] = *p;
    }
    r->n_packages = kept;
    bsn_buf_release(&key);
    bsn_map_release(&installed);
}

bsn_code
bsn_merge(struct bsn_layer_result *const *layers, size_t n, struct bsn_result *r,
          struct bsn_err *err)
{
    (void)err;
    struct bsn_map final;
    struct bsn_map *wh = bsn_xcalloc(n ? n : 1, sizeof(*wh));
    struct bsn_map *op = bsn_xcalloc(n ? n : 1, sizeof(*op));
    size_t count = bsn_analyzer_count();

    bsn_map_init(&final);
    for (size_t i = 0; i < n; i++) {
        const struct bsn_layer_result *lr = layers[i];
        bsn_map_init(&wh[i]);
        bsn_map_init(&op[i]);
        for (size_t k = 0; k < lr->n_whiteouts; k++)
            bsn_map_put(&wh[i], lr->whiteouts[k], strlen(lr->whiteouts[k]), (void *)1);
        for (size_t k = 0; k < lr->n_opaques; k++)
            bsn_map_put(&op[i], lr->opaques[k], strlen(lr->opaques[k]), (void *)1);
        if (wh[i].len || op[i].len) {
            struct bsn_map_slot *s;
            for (size_t it = 0; (s = bsn_map_next(&final, &it));)
                if (hidden_by(s->key, s->klen, &wh[i], &op[i]))
                    bsn_map_del(&final, s->key, s->klen);
        }
        struct bsn_map_slot *s;
        for (size_t it = 0; (s = bsn_map_next(&lr->files, &it));) {
            struct surv *sv = bsn_map_get(&final, s->key, s->klen);
            if (!sv) {
                sv = bsn_arena_alloc(r->arena, sizeof(*sv));
                bsn_map_put(&final, s->key, s->klen, sv);
            }
            sv->layer = i;
            sv->f = s->val;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < layers[i]->n_diags; k++) {
            if (layers[i]->diff_id[0])
                bsn_result_diag(r, "layer %zu (%.19s…): %s", i + 1, layers[i]->diff_id,
                                layers[i]->diags[k]);
            else
                bsn_result_diag(r, "%s", layers[i]->diags[k]);
        }

    /* Collect surviving records. */
    struct bsn_map owned, dropped;
    struct bsn_map *aux = bsn_xcalloc(count ? count : 1, sizeof(*aux));
    struct bsn_package ***pkgs = bsn_xcalloc(count ? count : 1, sizeof(*pkgs));
    size_t *npk = bsn_xcalloc(count ? count : 1, sizeof(*npk));
    size_t *cap = bsn_xcalloc(count ? count : 1, sizeof(*cap));
    size_t total = 0;
    int os_prio = -1;
    size_t os_layer = 0;
    size_t n_mc = 0, cap_mc = 0;
    struct bsn_misconfig *mc = NULL;

    bsn_map_init(&owned);
    bsn_map_init(&dropped);
    for (size_t a = 0; a < count; a++)
        bsn_map_init(&aux[a]);
    struct bsn_map_slot *s;
    for (size_t it = 0; (s = bsn_map_next(&final, &it));) {
        struct surv *sv = s->val;
        for (struct bsn_rec *rec = sv->f->head; rec; rec = rec->next) {
            switch (rec->kind) {
            case BSN_REC_PACKAGE: {
                unsigned a = rec->analyzer;
                pkgs[a] = bsn_xgrow(pkgs[a], &cap[a], npk[a] + 1, sizeof(*pkgs[a]));
                struct bsn_package *p = rec->u.pkg;
                p->layer = attribute(layers, sv->layer, sv->f, p);
                pkgs[a][npk[a]++] = p;
                total++;
                break;
            }
            case BSN_REC_OS:
                if (rec->u.os.priority > os_prio ||
                    (rec->u.os.priority == os_prio && sv->layer >= os_layer)) {
                    os_prio = rec->u.os.priority;
                    os_layer = sv->layer;
                    r->os = rec->u.os.os;
                    r->has_os = true;
                }
                break;
            case BSN_REC_OWNED:
                bsn_map_put(&owned, rec->u.owned, strlen(rec->u.owned), (void *)1);
                break;
            case BSN_REC_AUX:
                bsn_map_put(&aux[rec->analyzer], rec->u.aux.key, strlen(rec->u.aux.key),
                            (void *)(uintptr_t)rec->u.aux.value);
                break;
            case BSN_REC_MISCONFIG:
                mc = bsn_xgrow(mc, &cap_mc, n_mc + 1, sizeof(*mc));
                mc[n_mc++] = *rec->u.misconfig;
                break;
            case BSN_REC_SECRET:
                break;
            }
        }
    }

    /* finish(), per analyzer, in registration order. */
    for (size_t a = 0; a < count; a++) {
        if (!bsn_analyzers[a]->finish)
            continue;
        struct bsn_fctx fc = { .r = r, .analyzer = (unsigned)a, .pkgs = pkgs[a],
                               .n_pkgs = npk[a], .aux = aux, .owned = &owned,
                               .dropped = &dropped, .os = r->has_os ? &r->os : NULL };
        struct bsn_err ferr;
        bsn_err_clear(&ferr);
        if (bsn_analyzers[a]->finish(&fc, &ferr) != BSN_OK)
            bsn_result_diag(r, "%s: %s", bsn_analyzers[a]->name, ferr.msg);
    }

    /* The inventory: OS packages always; language packages unless an OS package owns the
     * file they came from (the part of the path before any "!" archive separator). */
    r->packages = bsn_arena_alloc_array(r->arena, total ? total : 1, sizeof(*r->packages));
    bool *declared = bsn_xcalloc(total ? total : 1, sizeof(*declared));
    r->n_packages = 0;
    for (size_t a = 0; a < count; a++) {
        for (size_t k = 0; k < npk[a]; k++) {
            struct bsn_package *p = pkgs[a][k];
            if (bsn_map_get(&dropped, (const char *)&p, sizeof(p)))
                continue;
            if (!p->name || !p->version || !p->type)
                continue;
            if (!is_os_type(p->type) && p->path) {
                const char *bang = strchr(p->path, '!');
                size_t len = bang ? (size_t)(bang - p->path) : strlen(p->path);
                if (bsn_map_get(&owned, p->path, len))
                    continue;
            }
            declared[r->n_packages] = is_declared(bsn_analyzers[a], p->path);
            r->packages[r->n_packages++] = *p;
        }
    }
    drop_declared_twins(r, declared);
    free(declared);
    qsort(r->packages, r->n_packages, sizeof(*r->packages), cmp_pkg);

    /* A setuid program an OS package installs is the distribution's, not the image's. */
    size_t kept = 0;
    for (size_t k = 0; k < n_mc; k++) {
        bool distro = mc[k].path && strcmp(mc[k].id, bsn_checks[BSN_CHECK_SETUID].id) == 0 &&
                      bsn_map_get(&owned, mc[k].path, strlen(mc[k].path));
        if (!distro)
            mc[kept++] = mc[k];
    }
    n_mc = kept;
    r->misconfigs = n_mc ? bsn_arena_memdup(r->arena, mc, n_mc * sizeof(*mc)) : NULL;
    r->n_misconfigs = n_mc;

    /* Secrets from every layer; deleted when a later layer whites the file out. */
    size_t n_sec = 0;
    for (size_t i = 0; i < n; i++)
        for (struct bsn_secret_rec *sr = layers[i]->secrets; sr; sr = sr->next)
            n_sec++;
    r->secrets = bsn_arena_alloc_array(r->arena, n_sec ? n_sec : 1, sizeof(*r->secrets));
    r->n_secrets = 0;
    for (size_t i = 0; i < n; i++) {
        for (struct bsn_secret_rec *sr = layers[i]->secrets; sr; sr = sr->next) {
            struct bsn_secret sec = sr->s;
            size_t len = strlen(sec.path);
            for (size_t k = i + 1; k < n && !sec.deleted; k++)
                sec.deleted = hidden_by(sec.path, len, &wh[k], &op[k]);
            r->secrets[r->n_secrets++] = sec;
        }
    }

    for (size_t i = 0; i < n; i++) {
        bsn_map_release(&wh[i]);
        bsn_map_release(&op[i]);
        /* Records point into layer arenas: they live as long as the result. */
        bsn_arena_defer(r->arena, free_layer_cb, layers[i]);
    }
    for (size_t a = 0; a < count; a++) {
        bsn_map_release(&aux[a]);
        free(pkgs[a]);
    }
    free(wh);
    free(op);
    free(aux);
    free(pkgs);
    free(npk);
    free(cap);
    free(mc);
    bsn_map_release(&owned);
    bsn_map_release(&dropped);
    bsn_map_release(&final);
    return BSN_OK;
}
