/*
 * The "oci:DIR[:REF]" source: an OCI image layout directory (oci-layout, index.json,
 * blobs/sha256/<hex>), as written by skopeo, umoci, buildah and buildx --output type=oci.
 * REF is the org.opencontainers.image.ref.name annotation of an index.json entry or a manifest
 * digest (image_oci.c resolves it); each layer blob is opened as its own file, so layers stream
 * in parallel. Blob names come only from validated "sha256:<64 hex>" digests, never from raw
 * index text, so a hostile digest cannot name a file outside blobs/.
 * Spec: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image_common_int.h"

struct layout_state {
    struct bsn_blob_store bs;
    const char *dir;
};

static bsn_code
layout_blob_open(void *ctx, const char *digest, struct bsn_reader **out, struct bsn_err *err)
{
    const struct layout_state *s = ctx;
    BSN_TRY(bsn_image_check_digest(digest, err));
    char path[4200];
    int k = snprintf(path, sizeof(path), "%s/blobs/sha256/%s", s->dir, digest + 7);
    if (k < 0 || (size_t)k >= sizeof(path))
        return bsn_err_set(err, BSN_EINVAL, "layout path '%.200s' is too long", s->dir);
    bsn_code rc = bsn_reader_file(path, 0, UINT64_MAX, out, err);
    if (rc == BSN_ENOTFOUND)
        return bsn_err_set(err, BSN_ENOTFOUND, "blob %s is missing from '%s'", digest, s->dir);
    return rc;
}

/* Splits "DIR[:REF]": the whole text when it names a directory, else at the first ':'. */
static void
split_ref(struct bsn_arena *a, const char *text, const char **path, const char **ref)
{
    struct stat st;
    const char *colon = strchr(text, ':');
    if (stat(text, &st) == 0 || !colon) {
        *path = bsn_arena_strdup(a, text);
        *ref = NULL;
        return;
    }
    *path = bsn_arena_strndup(a, text, (size_t)(colon - text));
    *ref = bsn_arena_strdup(a, colon + 1);
}

static bsn_code
read_small_file(struct bsn_arena *a, const char *dir, const char *name, size_t max, char **out,
                size_t *n, struct bsn_err *err)
{
    char path[4200];
    int k = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (k < 0 || (size_t)k >= sizeof(path))
        return bsn_err_set(err, BSN_EINVAL, "layout path '%.200s' is too long", dir);
    struct bsn_reader *r;
    BSN_TRY(bsn_reader_file(path, 0, UINT64_MAX, &r, err));
    bsn_code rc = bsn_image_slurp(r, a, max, path, out, n, err);
    bsn_reader_close(r);
    return rc;
}

static bsn_code
layout_open(struct bsn_image *img, const char *text, const struct bsn_scan_opts *opts,
            struct bsn_err *err)
{
    struct layout_state *s = bsn_arena_alloc(img->arena, sizeof(*s));
    const char *ref;
    split_ref(img->arena, text, &s->dir, &ref);
    struct stat st;
    if (stat(s->dir, &st) != 0)
        return bsn_err_sys(err, errno == ENOENT ? BSN_ENOTFOUND : BSN_EIO, errno,
                           "cannot open '%s'", s->dir);
    if (!S_ISDIR(st.st_mode))
        return bsn_err_set(err, BSN_EFORMAT, "'%s' is not an OCI layout directory", s->dir);
    s->bs.ctx = s;
    s->bs.where = s->dir;
    s->bs.open = layout_blob_open;
    img->source_state = s;
    char *text_layout, *index;
    size_t n_layout, n_index;
    bsn_code rc = read_small_file(img->arena, s->dir, "oci-layout", 4096, &text_layout,
                                  &n_layout, err);
    if (rc == BSN_ENOTFOUND)
        return bsn_err_set(err, BSN_EFORMAT, "'%s' is not an OCI layout (no oci-layout file)",
                           s->dir);
    BSN_TRY(rc);
    if (!strstr(text_layout, "imageLayoutVersion"))
        return bsn_err_set(err, BSN_EFORMAT, "'%s/oci-layout' has no imageLayoutVersion",
                           s->dir);
    rc = read_small_file(img->arena, s->dir, "index.json", BSN_MANIFEST_MAX, &index, &n_index,
                         err);
    if (rc == BSN_ENOTFOUND)
        return bsn_err_set(err, BSN_EFORMAT, "'%s' is not an OCI layout (no index.json)",
                           s->dir);
    BSN_TRY(rc);
    return bsn_oci_resolve(img, &s->bs, index, n_index, ref, opts, err);
}

static bsn_code
layout_open_blob(struct bsn_image *img, size_t i, struct bsn_reader **out, struct bsn_err *err)
{
    const struct layout_state *s = img->source_state;
    return bsn_oci_open_blob(&s->bs, img, i, out, err);
}

static void
layout_close(struct bsn_image *img)
{
    (void)img; /* everything lives in the image's arena */
}

const struct bsn_image_source bsn_source_oci_layout = {
    .name = "oci",
    .open = layout_open,
    .open_blob = layout_open_blob,
    .close = layout_close,
};
