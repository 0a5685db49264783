/*
 * The importer side of the vulnerability database: bsn_vdb_emit(), bsn_vdb_warn() and
 * bsn_vdb_scratch() for the feed importers (vulndb/feed/feed_*.c).
 *
 * Advisories are deep-copied into the import's arena and merged by (source, id): the same
 * GHSA appears in several OSV all.zip exports (npm and Maven), a CVE in several Debian tracker
 * packages. Merging appends affected entries and aliases (duplicates are dropped when the
 * database is written, vulndb_write.c) and fills fields the first copy lacked. Nothing here
 * depends on the order files arrive in: the writer sorts everything it inserts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "base/xalloc.h"
#include "vulndb/vulndb_int.h"

static struct imp_source *
source_get(struct bsn_vdb_import *im, const struct bsn_feed *feed)
{
    for (size_t i = 0; i < im->n_sources; i++)
        if (strcmp(im->sources[i].name, feed->name) == 0)
            return &im->sources[i];
    im->sources = bsn_xgrow(im->sources, &im->cap_sources, im->n_sources + 1,
                            sizeof(*im->sources));
    struct imp_source *s = &im->sources[im->n_sources++];
    memset(s, 0, sizeof(*s));
    s->name = feed->name;
    s->data_source = feed->data_source;
    return s;
}

struct bsn_vdb_import *
bsn_vdb_import_new(bsn_vdb_warn_fn *warn, void *warn_arg)
{
    struct bsn_vdb_import *im = bsn_xcalloc(1, sizeof(*im));
    im->arena = bsn_arena_new();
    im->scratch = bsn_arena_new();
    bsn_map_init(&im->by_key);
    im->warn = warn;
    im->warn_arg = warn_arg;
    return im;
}

void
bsn_vdb_import_free(struct bsn_vdb_import *im)
{
    if (!im)
        return;
    for (size_t i = 0; i < im->n_advs; i++) {
        free(im->advs[i]->aff);
        free(im->advs[i]->aliases);
    }
    free(im->advs);
    free(im->sources);
    bsn_map_release(&im->by_key);
    bsn_arena_free(im->scratch);
    bsn_arena_free(im->arena);
    free(im);
}

void
bsn_vdb_import_use_feed(struct bsn_vdb_import *im, const struct bsn_feed *feed)
{
    (void)source_get(im, feed);
}

bsn_code
bsn_vdb_import_file(struct bsn_vdb_import *im, const struct bsn_feed *feed, const char *path,
                    const unsigned char *data, size_t len, struct bsn_err *err)
{
    struct bsn_arena_mark m = bsn_arena_mark(im->scratch);
    im->feed = feed;
    im->cur_source = source_get(im, feed);
    bsn_code rc = feed->import_file(im, path, data, len, err);
    bsn_arena_rewind(im->scratch, m);
    im->feed = NULL;
    im->cur_source = NULL;
    return rc;
}

static const struct imp_source *
source_find(const struct bsn_vdb_import *im, const char *name)
{
    for (size_t i = 0; i < im->n_sources; i++)
        if (strcmp(im->sources[i].name, name) == 0)
            return &im->sources[i];
    return NULL;
}

size_t
bsn_vdb_import_records(const struct bsn_vdb_import *im, const char *feed_name)
{
    const struct imp_source *s = source_find(im, feed_name);
    return s ? s->records : 0;
}

size_t
bsn_vdb_import_skipped(const struct bsn_vdb_import *im, const char *feed_name)
{
    const struct imp_source *s = source_find(im, feed_name);
    return s ? s->skipped : 0;
}

struct bsn_arena *
bsn_vdb_scratch(struct bsn_vdb_import *im)
{
    return im->scratch;
}

void
bsn_vdb_warn(struct bsn_vdb_import *im, const char *path, const char *record, const char *fmt,
             ...)
{
    char msg[1024];
    int off = snprintf(msg, sizeof(msg), "%s: %s: ", path ? path : "?",
                       record && *record ? record : "?");
    if (off < 0)
        off = 0;
    if ((size_t)off < sizeof(msg)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + off, sizeof(msg) - (size_t)off, fmt, ap);
        va_end(ap);
    }
    if (im->cur_source)
        im->cur_source->skipped++;
    im->n_warnings++;
    if (im->warn)
        im->warn(im->warn_arg, msg);
}

static const char *
dup_or_null(struct bsn_arena *a, const char *s)
{
    return s && *s ? bsn_arena_strdup(a, s) : NULL;
}

static void
add_alias(struct imp_adv *ia, struct bsn_arena *a, const char *alias)
{
    /* Duplicates are dropped when written (sorted): a scan here would be quadratic in the
     * number of times a hostile feed repeats one advisory. */
    if (!alias || !*alias || strcmp(alias, ia->adv.id) == 0)
        return;
    ia->aliases = bsn_xgrow(ia->aliases, &ia->cap_aliases, ia->n_aliases + 1,
                            sizeof(*ia->aliases));
    ia->aliases[ia->n_aliases++] = bsn_arena_strdup(a, alias);
}

static void
add_affected(struct imp_adv *ia, struct bsn_arena *a, const struct bsn_adv_affected *src)
{
    if (!src->namespace || !*src->namespace || !src->package || !*src->package)
        return;
    ia->aff = bsn_xgrow(ia->aff, &ia->cap_aff, ia->n_aff + 1, sizeof(*ia->aff));
    struct bsn_adv_affected *d = &ia->aff[ia->n_aff++];
    d->namespace = bsn_arena_strdup(a, src->namespace);
    d->package = bsn_arena_strdup(a, src->package);
    d->scheme = bsn_arena_strdup(a, src->scheme && *src->scheme ? src->scheme : "generic");
    d->range = dup_or_null(a, src->range);
    d->fixed = dup_or_null(a, src->fixed);
    d->status = src->status;
    d->severity = dup_or_null(a, src->severity);
    d->module = dup_or_null(a, src->module);
    d->arch = dup_or_null(a, src->arch);
}

static const char *const *
dup_strv(struct bsn_arena *a, const char *const *v, size_t n, size_t *out_n)
{
    /* Order kept (references read best as published), duplicates dropped through a hash. */
    size_t k = 0;
    const char **d = n ? bsn_arena_alloc_array(a, n, sizeof(*d)) : NULL;
    struct bsn_map seen;
    bsn_map_init(&seen);
    for (size_t i = 0; i < n; i++) {
        if (!v[i] || !*v[i])
            continue;
        size_t len = strlen(v[i]);
        if (bsn_map_get(&seen, v[i], len))
            continue;
        d[k] = bsn_arena_strndup(a, v[i], len);
        bsn_map_put(&seen, d[k], len, (void *)(uintptr_t)1);
        k++;
    }
    bsn_map_release(&seen);
    *out_n = k;
    return d;
}

static const struct bsn_cvss *
dup_cvss(struct bsn_arena *a, const struct bsn_cvss *v, size_t n)
{
    if (!n)
        return NULL;
    struct bsn_cvss *d = bsn_arena_alloc_array(a, n, sizeof(*d));
    for (size_t i = 0; i < n; i++) {
        d[i].source = dup_or_null(a, v[i].source);
        d[i].version = dup_or_null(a, v[i].version);
        d[i].vector = dup_or_null(a, v[i].vector);
        d[i].score = v[i].score;
    }
    return d;
}

static void
pick_min(struct bsn_arena *a, const char **cur, const char *v)
{
    if (v && *v && (!*cur || strcmp(v, *cur) < 0))
        *cur = bsn_arena_strdup(a, v);
}

/* Is string list (v, n) preferable to (w, m): longer, or as long and smaller first item? */
static bool
strv_better(const char *const *v, size_t n, const char *const *w, size_t m)
{
    if (!n)
        return false;
    if (n != m)
        return n > m;
    for (size_t i = 0; i < n; i++) {
        int c = strcmp(v[i] ? v[i] : "", w[i] ? w[i] : "");
        if (c)
            return c < 0;
    }
    return false;
}

static void
note_date(struct imp_source *s, struct bsn_arena *a, const char *date)
{
    if (!date || !*date)
        return;
    if (!s->newest || strcmp(date, s->newest) > 0)
        s->newest = bsn_arena_strdup(a, date);
}

void
bsn_vdb_emit(struct bsn_vdb_import *im, const struct bsn_adv *adv)
{
    if (!im->feed)
        BSN_BUG("bsn_vdb_emit outside an import");
    if (!adv->id || !*adv->id)
        BSN_BUG("bsn_vdb_emit without an id");
    struct bsn_arena *a = im->arena;
    char key[1024];
    int kl = snprintf(key, sizeof(key), "%s\x1f%s", im->feed->name, adv->id);
    if (kl < 0 || (size_t)kl >= sizeof(key)) {
        bsn_vdb_warn(im, NULL, adv->id, "advisory id too long");
        return;
    }
    struct imp_adv *ia = bsn_map_get(&im->by_key, key, (size_t)kl);
    if (!ia) {
        ia = bsn_arena_alloc(a, sizeof(*ia));
        ia->source = im->feed->name;
        ia->adv.id = bsn_arena_strdup(a, adv->id);
        const char *k = bsn_arena_strndup(a, key, (size_t)kl);
        bsn_map_put(&im->by_key, k, (size_t)kl, ia);
        im->advs = bsn_xgrow(im->advs, &im->cap_advs, im->n_advs + 1, sizeof(*im->advs));
        im->advs[im->n_advs++] = ia;
        im->cur_source->records++;
    }
    /* Merging must not depend on the order copies arrive in: of two differing values keep
     * the smaller string (the earliest date for published, the latest for modified). */
    struct bsn_adv *d = &ia->adv;
    pick_min(a, &d->summary, adv->summary);
    pick_min(a, &d->description, adv->description);
    pick_min(a, &d->published, adv->published);
    pick_min(a, &d->severity, adv->severity);
    if (adv->modified && *adv->modified && (!d->modified || strcmp(adv->modified, d->modified) > 0))
        d->modified = bsn_arena_strdup(a, adv->modified);
    if (adv->n_cvss && (!d->n_cvss || adv->n_cvss > d->n_cvss ||
                        (adv->n_cvss == d->n_cvss && adv->cvss[0].vector && d->cvss[0].vector &&
                         strcmp(adv->cvss[0].vector, d->cvss[0].vector) < 0))) {
        d->cvss = dup_cvss(a, adv->cvss, adv->n_cvss);
        d->n_cvss = adv->n_cvss;
    }
    if (strv_better(adv->cwes, adv->n_cwes, d->cwes, d->n_cwes))
        d->cwes = dup_strv(a, adv->cwes, adv->n_cwes, &d->n_cwes);
    if (strv_better(adv->references, adv->n_references, d->references, d->n_references))
        d->references = dup_strv(a, adv->references, adv->n_references, &d->n_references);
    for (size_t i = 0; i < adv->n_aliases; i++)
        add_alias(ia, a, adv->aliases[i]);
    for (size_t i = 0; i < adv->n_affected; i++)
        add_affected(ia, a, &adv->affected[i]);
    note_date(im->cur_source, a, adv->modified && *adv->modified ? adv->modified : adv->published);
}
