/*
 * Fuzz target: arbitrary bytes as a layer's tar stream through bsn_layer_walk, reading every
 * regular file's data, checking the walk's promises on every entry (normalised relative paths,
 * no ".." segment, whiteout/opaque paths derived from the name).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "layer/layer.h"

static bsn_code
visit(void *arg, struct bsn_walk *w, const struct bsn_entry *e, struct bsn_err *err)
{
    (void)arg;
    if (e->len != strlen(e->path) || e->path[0] == '/' || strstr(e->path, "//") ||
        (e->len >= 2 && strncmp(e->path, "..", 2) == 0 && (e->len == 2 || e->path[2] == '/')) ||
        strstr(e->path, "/../") || (e->len == 0 && e->type != BSN_ENTRY_OPAQUE))
        abort();
    if (e->type == BSN_ENTRY_HARDLINK && (!e->link || e->link[0] == '/'))
        abort();
    unsigned char buf[4096];
    size_t got;
    do {
        BSN_TRY(bsn_walk_read(w, buf, sizeof(buf), &got, err));
    } while (got);
    return BSN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bsn_err err;
    struct bsn_reader *r = bsn_reader_mem(data, size);
    (void)bsn_layer_walk(r, visit, NULL, &err);
    bsn_reader_close(r);
    /* The same bytes through the decompressor's sniffing (gzip/zstd seeds exercise it). */
    r = bsn_reader_decompress(bsn_reader_mem(data, size), BSN_COMP_DETECT, 64u << 20, "fuzz");
    (void)bsn_layer_walk(r, visit, NULL, &err);
    bsn_reader_close(r);
    return 0;
}
