/*
 * The scan pipeline's private types: records, per-layer results, the dispatch index, and the
 * analysis contexts behind analyzer.h's bsn_actx / bsn_fctx.
 *
 * A layer result is immutable once its layer is analysed: the merge only reads it, so layer
 * results can be cached and shared between scans.
 */
#ifndef BSN_SCAN_INT_H
#define BSN_SCAN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/analyzer.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/map.h"
#include "base/reader.h"
#include "base/sha256.h"
#include "bosun.h"

struct bsn_rec {
    enum bsn_rec_kind kind;
    unsigned analyzer;             /* index into bsn_analyzers */
    struct bsn_rec *next;          /* next record of the same path */
    union {
        struct bsn_package *pkg;
        struct {
            struct bsn_os os;
            int priority;
        } os;
        const char *owned;
        struct {
            const char *key, *value;
        } aux;
        struct bsn_misconfig *misconfig;
    } u;
};

/* The records one layer holds for one path (possibly none: the path is present, and hides
 * lower layers' records for it). */
struct bsn_file_recs {
    const char *path;
    size_t len;
    struct bsn_rec *head, *tail;
};

struct bsn_secret_rec {
    struct bsn_secret s;
    struct bsn_secret_rec *next;
};

struct bsn_layer_result {
    struct bsn_arena *arena;
    size_t index;
    const char *diff_id;             /* "" for a rootfs or file set */
    struct bsn_map files;            /* path -> struct bsn_file_recs * */
    const char **whiteouts;          /* deleted paths (".wh." stripped) */
    size_t n_whiteouts, cap_whiteouts;
    const char **opaques;            /* directories made opaque */
    size_t n_opaques, cap_opaques;
    struct bsn_secret_rec *secrets;  /* flat: secrets are reported even when deleted later */
    const char **diags;
    size_t n_diags, cap_diags;
    uint64_t entries, bytes_read;    /* for benchmarks and progress */
};

struct bsn_layer_result *bsn_layer_result_new(size_t index, const char *diff_id);
void bsn_layer_result_free(struct bsn_layer_result *lr);
void bsn_layer_result_diag(struct bsn_layer_result *lr, const char *fmt, ...) BSN_PRINTF(2, 3);

/* ---- dispatch ---------------------------------------------------------------------------- */

#define BSN_MAX_ANALYZERS 64

/* Fills want[] (indexed like bsn_analyzers) for a path, among the analyzers whose scanner is
 * in the scanners mask (inventory analyzers always); returns how many want it. */
size_t bsn_dispatch(const struct bsn_path *p, unsigned scanners, bool want[BSN_MAX_ANALYZERS]);
size_t bsn_analyzer_count(void);
/* True if the analyzer is offered every file (no names/exts): its lack of interest in a path
 * says nothing about the path's identity. */
bool bsn_analyzer_all_files(size_t i);

/* ---- analysing one file ------------------------------------------------------------------- */

typedef bsn_code bsn_read_fn(void *arg, void *buf, size_t cap, size_t *got, struct bsn_err *err);

/* One layer's analysis state: reused buffers, so a layer costs no per-entry malloc. */
struct bsn_job {
    struct bsn_layer_result *lr;
    const struct bsn_scan_opts *opts;
    struct bsn_arena *scratch;
    struct bsn_buf buf;
    unsigned char *chunk;
};

void bsn_job_init(struct bsn_job *j, struct bsn_layer_result *lr, const struct bsn_scan_opts *o);
void bsn_job_release(struct bsn_job *j);
void bsn_job_push_path(struct bsn_layer_result *lr, const char ***arr, size_t *n, size_t *cap,
                       const char *p, size_t len);
/* Records that the layer holds path p (hiding lower layers' records for it). */
void bsn_job_mark_present(struct bsn_job *j, const struct bsn_path *p);
void bsn_make_path(struct bsn_path *p, const char *path, size_t len, uint64_t size,
                   uint32_t mode);
/* Dispatches one regular file whose bytes come from rd. */
BSN_MUST_USE bsn_code bsn_job_file(struct bsn_job *j, const struct bsn_path *p, bsn_read_fn *rd,
                                   void *rdarg, struct bsn_err *err);

/* ---- analysing one layer ------------------------------------------------------------------ */

struct bsn_actx {
    struct bsn_layer_result *lr;
    struct bsn_arena *scratch;
    const struct bsn_scan_opts *opts;
    unsigned analyzer;
    const struct bsn_path *path;
    struct bsn_file_recs *cur;
};

/* Analyses a plain tar stream (or a directory when root != NULL, or a file list) into lr.
 * The reader is closed by the caller. */
BSN_MUST_USE bsn_code bsn_analyze_tar(struct bsn_reader *tar, struct bsn_layer_result *lr,
                                      const struct bsn_scan_opts *opts, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_analyze_dir(const char *root, struct bsn_layer_result *lr,
                                      const struct bsn_scan_opts *opts, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_analyze_files(size_t n, const char *const *image_paths,
                                        const char *const *disk_paths,
                                        struct bsn_layer_result *lr,
                                        const struct bsn_scan_opts *opts, struct bsn_err *err);

/* ---- merging -------------------------------------------------------------------------------- */

/* Merges layer results bottom-up into r (packages, os, secrets, misconfigs, diags), runs every
 * analyzer's finish(), drops language packages in OS-owned files, sorts the inventory. */
BSN_MUST_USE bsn_code bsn_merge(struct bsn_layer_result *const *layers, size_t n,
                                struct bsn_result *r, struct bsn_err *err);

/* Stamps created_at (RFC 3339 UTC) from opts->now or the clock. */
void bsn_scan_set_created_at(struct bsn_result *r, const struct bsn_scan_opts *opts);
/* After the inventory: records which scanners ran and drops what was not asked for. */
BSN_MUST_USE bsn_code bsn_scan_post_inventory(struct bsn_result *r,
                                              const struct bsn_scan_opts *opts,
                                              struct bsn_err *err);

/* ---- the layer cache (scan_cache.c) ------------------------------------------------------ */

/* The cache key of a layer for these options: its diff_id, the blob digest its bytes are
 * verified against and how they are compressed (a bsn_compression), the analyzer set, the
 * scanners and the secret rules. */
void bsn_cache_key(const char *diff_id, const char *blob, int compression,
                   const struct bsn_scan_opts *opts, char out[BSN_DIGEST_MAX]);
/* A cached layer result from o->cache_dir, else from o->layer_store (then copied into the
 * directory), or NULL (missing or corrupt: a corrupt file is removed). */
struct bsn_layer_result *bsn_cache_get(const struct bsn_scan_opts *o, const char *key,
                                       size_t index, const char *diff_id);
/* Stores lr in the directory (atomically) and the shared store; failures only mean a later
 * cold scan. */
void bsn_cache_put(const struct bsn_scan_opts *o, const char *key,
                   const struct bsn_layer_result *lr);

/* Runs the image-configuration checks on r's image config and history (scan_misconfig.c). */
void bsn_scan_misconfig_image(struct bsn_result *r);

/* Adds a diagnostic to a result (copied into its arena). */
void bsn_result_diag(struct bsn_result *r, const char *fmt, ...) BSN_PRINTF(2, 3);
struct bsn_result *bsn_result_new(const char *target, enum bsn_artifact_type kind);

#endif
