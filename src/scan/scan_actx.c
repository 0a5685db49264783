/*
 * The analyzer-facing side of the pipeline: the dispatch index built from every analyzer's
 * names[]/exts[], and the bsn_actx functions analyzers call to emit records.
 *
 * Dispatch: a map from basename to the analyzers naming it, and, per distinct suffix length,
 * a map from suffix to the analyzers naming it. An entry costs one probe on its basename and
 * one per suffix length (a handful), whatever the number of analyzers.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "scan/scan_int.h"

struct idx_list {
    unsigned n;
    unsigned char an[BSN_MAX_ANALYZERS];
};

struct suffix_bucket {
    size_t len;
    struct bsn_map map; /* suffix -> struct idx_list * */
};

static struct {
    pthread_once_t once;
    size_t count;
    struct bsn_map names; /* basename -> struct idx_list * */
    struct suffix_bucket *suffixes;
    size_t n_suffixes;
    bool all_files[BSN_MAX_ANALYZERS];
    unsigned n_all;
    unsigned char all[BSN_MAX_ANALYZERS];
} idx = { .once = PTHREAD_ONCE_INIT };

static void
idx_add(struct bsn_map *m, const char *key, unsigned an)
{
    struct idx_list *l = bsn_map_get(m, key, strlen(key));
    if (!l) {
        l = bsn_xcalloc(1, sizeof(*l));
        bsn_map_put(m, key, strlen(key), l);
    }
    for (unsigned i = 0; i < l->n; i++)
        if (l->an[i] == an)
            return;
    l->an[l->n++] = (unsigned char)an;
}

static void
build_index(void)
{
    bsn_map_init(&idx.names);
    for (size_t i = 0; bsn_analyzers[i]; i++) {
        if (i >= BSN_MAX_ANALYZERS)
            BSN_BUG("more analyzers than BSN_MAX_ANALYZERS");
        const struct bsn_analyzer *a = bsn_analyzers[i];
        idx.count = i + 1;
        if (!a->names && !a->exts) {
            idx.all_files[i] = true;
            idx.all[idx.n_all++] = (unsigned char)i;
            continue;
        }
        for (const char *const *n = a->names; n && *n; n++)
            idx_add(&idx.names, *n, (unsigned)i);
        for (const char *const *e = a->exts; e && *e; e++) {
            size_t len = strlen(*e);
            struct suffix_bucket *b = NULL;
            for (size_t k = 0; k < idx.n_suffixes; k++)
                if (idx.suffixes[k].len == len)
                    b = &idx.suffixes[k];
            if (!b) {
                idx.suffixes = bsn_xrealloc(idx.suffixes,
                                            (idx.n_suffixes + 1) * sizeof(*idx.suffixes));
                b = &idx.suffixes[idx.n_suffixes++];
                b->len = len;
                bsn_map_init(&b->map);
            }
            idx_add(&b->map, *e, (unsigned)i);
        }
    }
}

static void
ensure_index(void)
{
    pthread_once(&idx.once, build_index);
}

size_t
bsn_analyzer_count(void)
{
    ensure_index();
    return idx.count;
}

bool
bsn_analyzer_all_files(size_t i)
{
    ensure_index();
    return i < BSN_MAX_ANALYZERS && idx.all_files[i];
}

static void
mark(const struct idx_list *l, bool want[BSN_MAX_ANALYZERS])
{
    for (unsigned i = 0; l && i < l->n; i++)
        want[l->an[i]] = true;
}

size_t
bsn_dispatch(const struct bsn_path *p, unsigned scanners, bool want[BSN_MAX_ANALYZERS])
{
    ensure_index();
    memset(want, 0, BSN_MAX_ANALYZERS * sizeof(bool));
    mark(bsn_map_get(&idx.names, p->base, p->base_len), want);
    for (size_t k = 0; k < idx.n_suffixes; k++) {
        size_t len = idx.suffixes[k].len;
        if (len <= p->len)
            mark(bsn_map_get(&idx.suffixes[k].map, p->path + p->len - len, len), want);
    }
    for (unsigned i = 0; i < idx.n_all; i++)
        want[idx.all[i]] = true;
    size_t n = 0;
    for (size_t i = 0; i < idx.count; i++) {
        if (!want[i])
            continue;
        if (bsn_analyzers[i]->scanner && !(bsn_analyzers[i]->scanner & scanners))
            want[i] = false;
        else if (bsn_analyzers[i]->wants && !bsn_analyzers[i]->wants(p))
            want[i] = false;
        else
            n++;
    }
    return n;
}

/* ---- records ------------------------------------------------------------------------------ */

struct bsn_arena *
bsn_actx_arena(struct bsn_actx *ctx)
{
    return ctx->lr->arena;
}

struct bsn_arena *
bsn_actx_scratch(struct bsn_actx *ctx)
{
    return ctx->scratch;
}

const struct bsn_scan_opts *
bsn_actx_opts(struct bsn_actx *ctx)
{
    return ctx->opts;
}

const struct bsn_path *
bsn_actx_path(struct bsn_actx *ctx)
{
    return ctx->path;
}

static struct bsn_file_recs *
cur_recs(struct bsn_actx *ctx)
{
    if (ctx->cur)
        return ctx->cur;
    struct bsn_layer_result *lr = ctx->lr;
    struct bsn_file_recs *f = bsn_map_get(&lr->files, ctx->path->path, ctx->path->len);
    if (!f) {
        f = bsn_arena_alloc(lr->arena, sizeof(*f));
        f->path = bsn_arena_strndup(lr->arena, ctx->path->path, ctx->path->len);
        f->len = ctx->path->len;
        bsn_map_put(&lr->files, f->path, f->len, f);
    }
    ctx->cur = f;
    return f;
}

static struct bsn_rec *
add_rec(struct bsn_actx *ctx, enum bsn_rec_kind kind)
{
    struct bsn_file_recs *f = cur_recs(ctx);
    struct bsn_rec *r = bsn_arena_alloc(ctx->lr->arena, sizeof(*r));
    r->kind = kind;
    r->analyzer = ctx->analyzer;
    if (f->tail)
        f->tail->next = r;
    else
        f->head = r;
    f->tail = r;
    return r;
}

struct bsn_package *
bsn_actx_add_package(struct bsn_actx *ctx)
{
    struct bsn_rec *r = add_rec(ctx, BSN_REC_PACKAGE);
    struct bsn_package *p = bsn_arena_alloc(ctx->lr->arena, sizeof(*p));
    p->epoch = -1;
    p->path = cur_recs(ctx)->path;
    p->analyzer = bsn_analyzers[ctx->analyzer]->name;
    p->layer = ctx->lr->diff_id;
    r->u.pkg = p;
    return p;
}

static const char *
dup(struct bsn_actx *ctx, const char *s)
{
    return s ? bsn_arena_strdup(ctx->lr->arena, s) : NULL;
}

void
bsn_actx_set_os(struct bsn_actx *ctx, const struct bsn_os *os, int priority)
{
    struct bsn_rec *r = add_rec(ctx, BSN_REC_OS);
    r->u.os.os.family = dup(ctx, os->family);
    r->u.os.os.name = dup(ctx, os->name);
    r->u.os.os.version = dup(ctx, os->version);
    r->u.os.os.codename = dup(ctx, os->codename);
    r->u.os.os.eosl = os->eosl;
    r->u.os.priority = priority;
}

void
bsn_actx_add_owned(struct bsn_actx *ctx, const char *path, size_t len)
{
    while (len && *path == '/') {
        path++;
        len--;
    }
    if (!len)
        return;
    struct bsn_rec *r = add_rec(ctx, BSN_REC_OWNED);
    r->u.owned = bsn_arena_strndup(ctx->lr->arena, path, len);
}

void
bsn_actx_add_aux(struct bsn_actx *ctx, const char *key, const char *value)
{
    struct bsn_rec *r = add_rec(ctx, BSN_REC_AUX);
    r->u.aux.key = dup(ctx, key);
    r->u.aux.value = dup(ctx, value ? value : "");
}

void
bsn_actx_add_secret(struct bsn_actx *ctx, const struct bsn_secret *s)
{
    struct bsn_layer_result *lr = ctx->lr;
    struct bsn_secret_rec *r = bsn_arena_alloc(lr->arena, sizeof(*r));
    r->s = *s;
    r->s.rule_id = dup(ctx, s->rule_id);
    r->s.title = dup(ctx, s->title);
    r->s.path = s->path ? dup(ctx, s->path) : cur_recs(ctx)->path;
    r->s.match = dup(ctx, s->match);
    r->s.layer = lr->diff_id;
    r->next = lr->secrets;
    lr->secrets = r;
}

void
bsn_actx_add_misconfig(struct bsn_actx *ctx, const struct bsn_misconfig *m)
{
    struct bsn_rec *r = add_rec(ctx, BSN_REC_MISCONFIG);
    struct bsn_misconfig *c = bsn_arena_alloc(ctx->lr->arena, sizeof(*c));
    *c = *m;
    c->id = dup(ctx, m->id);
    c->title = dup(ctx, m->title);
    c->message = dup(ctx, m->message);
    c->source = dup(ctx, m->source);
    c->path = m->path ? dup(ctx, m->path) : cur_recs(ctx)->path;
    c->resolution = dup(ctx, m->resolution);
    r->u.misconfig = c;
}

void
bsn_actx_warn(struct bsn_actx *ctx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    bsn_layer_result_diag(ctx->lr, "%s: %s", ctx->path ? ctx->path->path : "?", msg);
}

/* ---- layer results ---------------------------------------------------------------------- */

struct bsn_layer_result *
bsn_layer_result_new(size_t index, const char *diff_id)
{
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_layer_result *lr = bsn_arena_alloc(a, sizeof(*lr));
    lr->arena = a;
    lr->index = index;
    lr->diff_id = bsn_arena_strdup(a, diff_id ? diff_id : "");
    bsn_map_init(&lr->files);
    return lr;
}

void
bsn_layer_result_free(struct bsn_layer_result *lr)
{
    if (!lr)
        return;
    bsn_map_release(&lr->files);
    free(lr->whiteouts);
    free(lr->opaques);
    free(lr->diags);
    bsn_arena_free(lr->arena);
}

void
bsn_layer_result_diag(struct bsn_layer_result *lr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = bsn_arena_vprintf(lr->arena, fmt, ap);
    va_end(ap);
    lr->diags = bsn_xgrow(lr->diags, &lr->cap_diags, lr->n_diags + 1, sizeof(*lr->diags));
    lr->diags[lr->n_diags++] = m;
}
