/*
 * Shared driver for the OS package fuzz targets (fuzz_dpkg, fuzz_apk, fuzz_rpmdb,
 * fuzz_os_release): the first input byte picks one of the analyzer's image paths, the rest
 * is the file. It runs the analyzer's parse() on one layer, then the merge and every
 * finish(), exactly as a scan does (src/scan/scan_int.h), so the joins and purls are fuzzed
 * too. Header-only: each harness includes it once.
 */
#ifndef BSN_TEST_OSPKG_FUZZ_H
#define BSN_TEST_OSPKG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/xalloc.h"
#include "bosun.h"
#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ospkg_fuzz_run(const char *analyzer, const char *const *paths, size_t n_paths,
               const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    const char *path = paths[data[0] % n_paths];
    data++;
    size--;
    unsigned idx = 0;
    while (bsn_analyzers[idx] && strcmp(bsn_analyzers[idx]->name, analyzer) != 0)
        idx++;
    const struct bsn_analyzer *a = bsn_analyzers[idx];
    if (!a)
        abort();
    /* The registry hands analyzers a NUL-terminated copy. */
    unsigned char *copy = bsn_xmalloc(size + 1);
    if (size)
        memcpy(copy, data, size);
    copy[size] = 0;
    struct bsn_path p = { .path = path, .len = strlen(path), .size = size, .mode = 0100644 };
    const char *slash = strrchr(path, '/');
    p.base = slash ? slash + 1 : path;
    p.base_len = strlen(p.base);
    if (a->wants && !a->wants(&p))
        abort(); /* the harness's paths must be wanted */

    struct bsn_scan_opts opts;
    bsn_scan_opts_init(&opts);
    struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
    struct bsn_arena *scratch = bsn_arena_new();
    struct bsn_actx ctx = { .lr = lr, .scratch = scratch, .opts = &opts, .analyzer = idx,
                            .path = &p };
    struct bsn_input in = { .path = &p, .data = copy, .len = size };
    struct bsn_err err = { 0 };
    (void)a->parse(&ctx, &in, &err);
    bsn_arena_free(scratch);
    struct bsn_result *r = bsn_result_new("fuzz", BSN_ARTIFACT_FS);
    (void)bsn_merge(&lr, 1, r, &err);
    bsn_result_free(r);
    free(copy);
}

#endif
