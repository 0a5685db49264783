/*
 * The scan pipeline behind bosun.h: target -> image -> layers (in parallel, one thread each,
 * streamed once) -> analyzers -> merge -> inventory -> (matcher, filters) -> result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pool.h"
#include "base/xalloc.h"
#include "image/image.h"
#include "match/match.h"
#include "vulndb/vulndb.h"
#include "scan/scan_int.h"

/* ---- the pipeline ------------------------------------------------------------------------- */

struct layer_jobs {
    struct bsn_image *img;
    const struct bsn_scan_opts *opts;
    struct bsn_layer_result **results;
    struct bsn_err *errs;
    bsn_code *codes;
    size_t *order; /* job k analyses layer order[k] */
    _Atomic size_t hits;
};

static void
free_image_cb(void *img)
{
    bsn_image_free(img);
}

static void
layer_job(void *arg, size_t k)
{
    struct layer_jobs *lj = arg;
    size_t i = lj->order[k];
    struct bsn_reader *tar = NULL;
    const struct bsn_layer_info *l = &lj->img->info.layers[i];
    const char *diff_id = l->diff_id;
    const char *cache = lj->opts->cache_dir;
    char key[BSN_DIGEST_MAX];

    bsn_err_clear(&lj->errs[i]);
    lj->codes[i] = BSN_OK;
    /* A layer seen before is not read (nor downloaded) at all. Only a layer whose blob
     * digest is known is cached: that digest is what pins the entry to these bytes. */
    bool cacheable = (cache || lj->opts->layer_store) && diff_id &&
                     bsn_digest_valid(diff_id, strlen(diff_id)) &&
                     l->digest && bsn_digest_valid(l->digest, strlen(l->digest));
    if (cacheable) {
        bsn_cache_key(diff_id, l->digest,
                      lj->img->layer_comp ? (int)lj->img->layer_comp[i] : BSN_COMP_DETECT,
                      lj->opts, key);
        lj->results[i] = bsn_cache_get(lj->opts, key, i, diff_id);
        if (lj->results[i]) {
            lj->hits++;
            return;
        }
    }
    struct bsn_layer_result *lr = bsn_layer_result_new(i, diff_id);
    bsn_code rc = bsn_image_open_layer(lj->img, i, &tar, &lj->errs[i]);
    if (rc == BSN_OK)
        rc = bsn_analyze_tar(tar, lr, lj->opts, &lj->errs[i]);
    bsn_reader_close(tar);
    if (rc == BSN_OK && cacheable)
        bsn_cache_put(lj->opts, key, lr);
    lj->codes[i] = rc;
    lj->results[i] = lr;
}

static bsn_code
finish_inventory(struct bsn_result *r, struct bsn_layer_result **layers, size_t n,
                 uint64_t entries, struct bsn_err *err)
{
    BSN_TRY(bsn_merge(layers, n, r, err));
    if (r->n_packages == 0 && !r->has_os && entries > 50)
        bsn_result_diag(r, "no OS package database and no language package found among %llu "
                           "entries: the image may use a packaging format bosun does not read",
                        (unsigned long long)entries);
    return BSN_OK;
}

/* Largest blob first: a big layer started last would run alone at the end, one core idle
 * while its single-threaded inflate finishes. Equal sizes keep image order. */
static int
by_size_desc(const void *a, const void *b, void *arg)
{
    const struct bsn_image *img = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    uint64_t si = img->info.layers[i].size, sj = img->info.layers[j].size;
    return si != sj ? (si < sj ? 1 : -1) : (i > j) - (i < j);
}

/* Analyses an opened image's layers (in parallel, each streamed once or read from the cache)
 * and merges them into r. The caller keeps img alive as long as r (r's image info points
 * into it). */
static bsn_code
scan_layers(struct bsn_image *img, const struct bsn_scan_opts *opts, struct bsn_result *r,
            struct bsn_err *err)
{
    size_t n = img->info.n_layers;
    r->has_image = true;
    r->image = img->info;
    r->platform = img->platform ? bsn_arena_strdup(r->arena, img->platform) : NULL;
    struct layer_jobs lj = {
        .img = img,
        .opts = opts,
        .results = bsn_xcalloc(n ? n : 1, sizeof(*lj.results)),
        .errs = bsn_xcalloc(n ? n : 1, sizeof(*lj.errs)),
        .codes = bsn_xcalloc(n ? n : 1, sizeof(*lj.codes)),
    };
    lj.order = bsn_xcalloc(n ? n : 1, sizeof(*lj.order));
    for (size_t i = 0; i < n; i++)
        lj.order[i] = i;
    qsort_r(lj.order, n, sizeof(*lj.order), by_size_desc, img);
    unsigned jobs = opts->jobs ? opts->jobs : bsn_ncpu();
    bsn_parallel_for(n, jobs, layer_job, &lj);

    bsn_code rc = BSN_OK;
    uint64_t entries = 0;
    for (size_t i = 0; i < n; i++) {
        entries += lj.results[i]->entries;
        if (rc == BSN_OK && lj.codes[i] != BSN_OK) {
            rc = lj.codes[i];
            *err = lj.errs[i];
            bsn_err_prefix(err, "layer %zu (%s)", i + 1, img->info.layers[i].diff_id
                                                             ? img->info.layers[i].diff_id
                                                             : img->info.layers[i].digest);
        }
    }
    if (rc == BSN_OK)
        rc = finish_inventory(r, lj.results, n, entries, err);
    else
        for (size_t i = 0; i < n; i++)
            bsn_layer_result_free(lj.results[i]);
    free(lj.order);
    free(lj.results);
    free(lj.errs);
    free(lj.codes);
    return rc;
}

static bsn_code
scan_image(const char *target, const struct bsn_scan_opts *opts, struct bsn_result *r,
           struct bsn_err *err)
{
    struct bsn_image *img = NULL;
    BSN_TRY(bsn_image_open(target, opts, &img, err));

    if (img->root_dir) {
        r->artifact_type = BSN_ARTIFACT_ROOTFS;
        struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
        bsn_code rc = bsn_analyze_dir(img->root_dir, lr, opts, err);
        uint64_t entries = lr->entries;
        bsn_image_free(img);
        if (rc != BSN_OK) {
            bsn_layer_result_free(lr);
            return rc;
        }
        return finish_inventory(r, &lr, 1, entries, err);
    }
    /* The image (and, for --platform all, its siblings, which share its arena) lives as long
     * as the result: report fields point into it. */
    bsn_arena_defer(r->arena, free_image_cb, img);
    if (!img->n_siblings)
        return scan_layers(img, opts, r, err);

    /* --platform all: one sub-result per platform, each scanned like a single image. */
    size_t n = img->n_siblings + 1;
    r->platforms = bsn_arena_alloc_array(r->arena, n, sizeof(*r->platforms));
    bsn_code rc = BSN_OK;
    for (size_t i = 0; i < n && rc == BSN_OK; i++) {
        struct bsn_image *pi = i == 0 ? img : img->siblings[i - 1];
        struct bsn_result *sub = bsn_result_new(r->target, r->artifact_type);
        sub->created_at = r->created_at;
        r->platforms[r->n_platforms++] = sub;
        rc = scan_layers(pi, opts, sub, err);
        if (rc != BSN_OK && pi->platform)
            bsn_err_prefix(err, "platform %s", pi->platform);
    }
    return rc;
}

static bsn_code
scan_dir(const char *dir, const struct bsn_scan_opts *opts, struct bsn_result *r,
         struct bsn_err *err)
{
    struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
    bsn_code rc = bsn_analyze_dir(dir, lr, opts, err);
    if (rc != BSN_OK) {
        bsn_layer_result_free(lr);
        return rc;
    }
    return finish_inventory(r, &lr, 1, lr->entries, err);
}

static bsn_code
match_result(struct bsn_result *r, const struct bsn_scan_opts *opts, struct bsn_err *err)
{
    struct bsn_vdb *db = NULL;
    if (!opts->db_path)
        return bsn_err_set(err, BSN_EDB, "no vulnerability database given; run 'bosun db "
                                         "update' or 'bosun db build', or pass --db FILE");
    BSN_TRY(bsn_vdb_open(opts->db_path, &db, err));
    bsn_code rc = bsn_match(db, r, opts, err);
    bsn_vdb_close(db);
    return rc;
}

/* Everything after the inventory: scanners bookkeeping, matching, filters. */
static bsn_code
post_scan(struct bsn_result *r, const struct bsn_scan_opts *opts, struct bsn_err *err)
{
    BSN_TRY(bsn_scan_post_inventory(r, opts, err));
    if (opts->scanners & BSN_SCAN_MISCONFIG)
        bsn_scan_misconfig_image(r);
    if (opts->scanners & BSN_SCAN_VULN)
        BSN_TRY(match_result(r, opts, err));
    return bsn_filter(r, opts, err);
}

/* The top level of a multi-platform result holds every platform's findings, so its summary is
 * the merged one; the platforms array keeps each platform's own section. */
static void
merge_platforms(struct bsn_result *r)
{
    size_t np = 0, nv = 0, ns = 0, nm = 0;
    for (size_t i = 0; i < r->n_platforms; i++) {
        np += r->platforms[i]->n_packages;
        nv += r->platforms[i]->n_vulns;
        ns += r->platforms[i]->n_secrets;
        nm += r->platforms[i]->n_misconfigs;
    }
    r->packages = bsn_arena_alloc_array(r->arena, np ? np : 1, sizeof(*r->packages));
    r->vulns = bsn_arena_alloc_array(r->arena, nv ? nv : 1, sizeof(*r->vulns));
    r->secrets = bsn_arena_alloc_array(r->arena, ns ? ns : 1, sizeof(*r->secrets));
    r->misconfigs = bsn_arena_alloc_array(r->arena, nm ? nm : 1, sizeof(*r->misconfigs));
    for (size_t i = 0; i < r->n_platforms; i++) {
        const struct bsn_result *p = r->platforms[i];
        /* memcpy with a NULL source is undefined even for 0 bytes: empty lists are skipped */
        if (p->n_packages)
            memcpy(r->packages + r->n_packages, p->packages,
                   p->n_packages * sizeof(*p->packages));
        r->n_packages += p->n_packages;
        if (p->n_vulns)
            memcpy(r->vulns + r->n_vulns, p->vulns, p->n_vulns * sizeof(*p->vulns));
        r->n_vulns += p->n_vulns;
        if (p->n_secrets)
            memcpy(r->secrets + r->n_secrets, p->secrets, p->n_secrets * sizeof(*p->secrets));
        r->n_secrets += p->n_secrets;
        if (p->n_misconfigs)
            memcpy(r->misconfigs + r->n_misconfigs, p->misconfigs,
                   p->n_misconfigs * sizeof(*p->misconfigs));
        r->n_misconfigs += p->n_misconfigs;
        for (size_t k = 0; k < p->n_diags; k++)
            bsn_result_diag(r, "%s: %s", p->platform ? p->platform : "platform",
                            p->diags[k].message);
    }
    r->scanned_vuln = r->platforms[0]->scanned_vuln;
    r->scanned_secret = r->platforms[0]->scanned_secret;
    r->scanned_misconfig = r->platforms[0]->scanned_misconfig;
}

bsn_code
bsn_scan(const char *target, enum bsn_artifact_type kind, const struct bsn_scan_opts *opts,
         struct bsn_result **out, struct bsn_err *err)
{
    struct bsn_result *r = bsn_result_new(target, kind);
    bsn_code rc;

    bsn_scan_set_created_at(r, opts);
    switch (kind) {
    case BSN_ARTIFACT_IMAGE:
        rc = scan_image(target, opts, r, err);
        break;
    case BSN_ARTIFACT_ROOTFS:
    case BSN_ARTIFACT_FS:
        rc = scan_dir(target, opts, r, err);
        break;
    case BSN_ARTIFACT_SBOM:
    default:
        rc = bsn_sbom_read(target, r, err);
        break;
    }
    if (rc == BSN_OK && r->n_platforms) {
        for (size_t i = 0; i < r->n_platforms && rc == BSN_OK; i++)
            rc = post_scan(r->platforms[i], opts, err);
        if (rc == BSN_OK)
            merge_platforms(r);
    } else if (rc == BSN_OK) {
        rc = post_scan(r, opts, err);
    }
    if (rc != BSN_OK) {
        bsn_result_free(r);
        return rc;
    }
    *out = r;
    return BSN_OK;
}

