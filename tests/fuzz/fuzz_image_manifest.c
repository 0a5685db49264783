/*
 * Fuzz target: arbitrary bytes as image metadata. The input is split at "\n--blob--\n": the
 * first part is parsed as a docker-archive manifest.json, as an image config and as an OCI
 * index.json; the other parts are blobs (manifests, configs, nested indexes) that the index can
 * reach by their sha256, so the seeds (real layouts) drive the whole resolution path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "image/image_common_int.h"

#define MAX_BLOBS 16

struct mem_store {
    size_t n;
    char digest[MAX_BLOBS][BSN_DIGEST_MAX];
    const uint8_t *p[MAX_BLOBS];
    size_t len[MAX_BLOBS];
};

static bsn_code
store_open(void *ctx, const char *digest, struct bsn_reader **out, struct bsn_err *err)
{
    const struct mem_store *s = ctx;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->digest[i], digest) == 0) {
            *out = bsn_reader_mem(s->p[i], s->len[i]);
            return BSN_OK;
        }
    return bsn_err_set(err, BSN_ENOTFOUND, "blob %s is missing", digest);
}

static const uint8_t *
find_sep(const uint8_t *p, size_t n, const char *sep, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, sep, k) == 0)
            return p + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n--blob--\n";
    const size_t k = sizeof(sep) - 1;
    struct mem_store s;
    memset(&s, 0, sizeof(s));
    const uint8_t *first = data;
    const uint8_t *end = find_sep(data, size, sep, k);
    size_t first_len = end ? (size_t)(end - data) : size;
    while (end && s.n < MAX_BLOBS) {
        const uint8_t *p = end + k;
        size_t left = size - (size_t)(p - data);
        end = find_sep(p, left, sep, k);
        s.p[s.n] = p;
        s.len[s.n] = end ? (size_t)(end - p) : left;
        bsn_sha256_digest(p, s.len[s.n], s.digest[s.n]);
        s.n++;
    }

    struct bsn_err err;
    struct bsn_image img;
    memset(&img, 0, sizeof(img));
    img.arena = bsn_arena_new();
    struct bsn_docker_manifest dm;
    (void)bsn_docker_manifest_parse(img.arena, (const char *)first, first_len, "fuzz", &dm,
                                    &err);
    struct bsn_layer_info layers[4];
    memset(layers, 0, sizeof(layers));
    for (size_t n = 0; n < 3; n++)
        (void)bsn_image_apply_config(&img, (const char *)first, first_len, layers, n, &err);

    struct bsn_blob_store bs = { .ctx = &s, .where = "fuzz", .open = store_open };
    struct bsn_scan_opts opts;
    memset(&opts, 0, sizeof(opts));
    static const char *const platforms[] = { NULL, "linux/arm64", "all" };
    for (size_t i = 0; i < 3; i++) {
        struct bsn_image im;
        memset(&im, 0, sizeof(im));
        im.arena = img.arena;
        opts.platform = platforms[i];
        (void)bsn_oci_resolve(&im, &bs, (const char *)first, first_len, i == 1 ? "v1" : NULL,
                              &opts, &err);
    }
    bsn_arena_free(img.arena);
    return 0;
}
