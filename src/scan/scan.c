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
    _Atomic size_t hits;
};

static void
free_image_cb(void *img)
{
    bsn_image_free(img);
}

static void
layer_job(void *arg, size_t i)
{
    struct layer_jobs *lj = arg;
    struct bsn_reader *tar = NULL;
    const char *diff_id = lj->img->info.layers[i].diff_id;
    const char *cache = lj->opts->cache_dir;
    char key[BSN_DIGEST_MAX];

    bsn_err_clear(&lj->errs[i]);
    lj->codes[i] = BSN_OK;
    /* A layer seen before is not read (nor downloaded) at all. */
    bool cacheable = cache && diff_id && bsn_digest_valid(diff_id, strlen(diff_id));
    if (cacheable) {
        bsn_cache_key(diff_id, lj->opts, key);
        lj->results[i] = bsn_cache_get(cache, key, i, diff_id);
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
        bsn_cache_put(cache, key, lr);
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
    free(lj.results);
    free(lj.errs);
    free(lj.codes);
    /* The result's image info points into the image's arena. */
    bsn_arena_defer(r->arena, free_image_cb, img);
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
        rc = bsn_err_set(err, BSN_EUNSUPPORTED, "scanning SBOMs is not supported yet");
        break;
    }
    if (rc == BSN_OK)
        rc = bsn_scan_post_inventory(r, opts, err);
    if (rc == BSN_OK && (opts->scanners & BSN_SCAN_VULN))
        rc = match_result(r, opts, err);
    if (rc == BSN_OK)
        rc = bsn_filter(r, opts, err);
    if (rc != BSN_OK) {
        bsn_result_free(r);
        return rc;
    }
    *out = r;
    return BSN_OK;
}

