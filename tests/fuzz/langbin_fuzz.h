/*
 * Shared driver for the Java, Go and Rust fuzz targets (fuzz_java, fuzz_gobin,
 * fuzz_cargo_lock): the first input byte picks one (analyzer, image path) pair of the
 * harness, the second sets the chunk size for streaming analyzers, the rest is the file.
 * Buffered analyzers get parse() on a NUL-terminated copy; streaming ones get begin/data/end
 * in chunks of 1..4096 bytes (so headers and blobs split at every offset). Then the merge and
 * every finish() run, as in a scan (src/scan/scan_int.h). Header-only: each harness includes
 * it once.
 */
#ifndef BSN_TEST_LANGBIN_FUZZ_H
#define BSN_TEST_LANGBIN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/xalloc.h"
#include "bosun.h"
#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct langbin_target {
    const char *analyzer;
    const char *path;
};

static void
langbin_fuzz_run(const struct langbin_target *t, size_t n, const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    const struct langbin_target *pick = &t[data[0] % n];
    size_t chunk = 1 + ((size_t)data[1] * 16) % 4096;
    data += 2;
    size -= 2;
    unsigned idx = 0;
    while (bsn_analyzers[idx] && strcmp(bsn_analyzers[idx]->name, pick->analyzer) != 0)
        idx++;
    const struct bsn_analyzer *a = bsn_analyzers[idx];
    if (!a)
        abort();
    unsigned char *copy = bsn_xmalloc(size + 1);
    if (size)
        memcpy(copy, data, size);
    copy[size] = 0;
    struct bsn_path p = { .path = pick->path, .len = strlen(pick->path), .size = size,
                          .mode = 0100755 };
    const char *slash = strrchr(pick->path, '/');
    p.base = slash ? slash + 1 : pick->path;
    p.base_len = strlen(p.base);

    struct bsn_scan_opts opts;
    bsn_scan_opts_init(&opts);
    struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
    struct bsn_arena *scratch = bsn_arena_new();
    struct bsn_actx ctx = { .lr = lr, .scratch = scratch, .opts = &opts, .analyzer = idx,
                            .path = &p };
    struct bsn_err err = { 0 };
    if (a->parse) {
        struct bsn_input in = { .path = &p, .data = copy, .len = size };
        (void)a->parse(&ctx, &in, &err);
    } else {
        void *state = NULL;
        if (a->stream_begin(&ctx, &p, &state, &err) == BSN_OK) {
            for (size_t off = 0; off < size; off += chunk) {
                size_t len = size - off < chunk ? size - off : chunk;
                bsn_err_clear(&err);
                if (a->stream_data(&ctx, state, copy + off, len, &err) != BSN_OK)
                    break;
            }
            bsn_err_clear(&err);
            (void)a->stream_end(&ctx, state, &err);
        }
    }
    bsn_arena_free(scratch);
    struct bsn_result *r = bsn_result_new("fuzz", BSN_ARTIFACT_FS);
    bsn_code mrc = bsn_merge(&lr, 1, r, &err);
    (void)mrc;
    bsn_result_free(r);
    free(copy);
}

#endif
