/*
 * Analysing one layer: every entry of the layer's tar stream (or a directory, or a list of
 * files) goes through the dispatch index; wanted regular files are read once, in 256 KiB
 * chunks, fed to the streaming analyzers as they arrive and buffered (up to max_input) only
 * when a buffered analyzer wants the whole file. Analyzer failures become diagnostics naming
 * the file; stream failures (truncation, digest mismatch) fail the layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "layer/layer.h"
#include "scan/scan_int.h"

static bsn_code
walk_read(void *arg, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    return bsn_walk_read(arg, buf, cap, got, err);
}

static bsn_code
on_entry(void *arg, struct bsn_walk *w, const struct bsn_entry *e, struct bsn_err *err)
{
    struct bsn_job *j = arg;
    struct bsn_layer_result *lr = j->lr;
    struct bsn_path p;

    lr->entries++;
    switch (e->type) {
    case BSN_ENTRY_WHITEOUT:
        bsn_job_push_path(lr, &lr->whiteouts, &lr->n_whiteouts, &lr->cap_whiteouts, e->path, e->len);
        return BSN_OK;
    case BSN_ENTRY_OPAQUE:
        bsn_job_push_path(lr, &lr->opaques, &lr->n_opaques, &lr->cap_opaques, e->path, e->len);
        return BSN_OK;
    case BSN_ENTRY_DIR:
        return BSN_OK;
    case BSN_ENTRY_SYMLINK:
    case BSN_ENTRY_HARDLINK:
    case BSN_ENTRY_OTHER: {
        /* Not content, but it replaces whatever lower layers had at this path. */
        bool want[BSN_MAX_ANALYZERS];
        bsn_make_path(&p, e->path, e->len, 0, e->mode);
        if (bsn_dispatch(&p, j->opts->scanners, want)) {
            for (size_t i = 0; i < bsn_analyzer_count(); i++)
                if (want[i] && !bsn_analyzer_all_files(i)) {
                    bsn_job_mark_present(j, &p);
                    break;
                }
        }
        return BSN_OK;
    }
    case BSN_ENTRY_REG:
        bsn_make_path(&p, e->path, e->len, e->size, e->mode);
        return bsn_job_file(j, &p, walk_read, w, err);
    }
    return BSN_OK;
}

bsn_code
bsn_analyze_tar(struct bsn_reader *tar, struct bsn_layer_result *lr,
                const struct bsn_scan_opts *opts, struct bsn_err *err)
{
    struct bsn_job j;
    bsn_job_init(&j, lr, opts);
    bsn_code rc = bsn_layer_walk(tar, on_entry, &j, err);
    bsn_job_release(&j);
    return rc;
}

bsn_code
bsn_analyze_dir(const char *root, struct bsn_layer_result *lr, const struct bsn_scan_opts *opts,
                struct bsn_err *err)
{
    struct bsn_job j;
    bsn_job_init(&j, lr, opts);
    bsn_code rc = bsn_dir_walk(root, on_entry, &j, err);
    bsn_job_release(&j);
    return rc;
}

