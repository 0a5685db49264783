/*
 * The "oci-archive:PATH[:REF]" source: a tar of an OCI image layout (skopeo copy
 * oci-archive:, buildx --output type=oci, podman save --format oci-archive). The tar is indexed
 * once (image_tar_index.c) and each blob is read from its own region of the file, never
 * extracted; REF works as for oci: (image_oci.c). A gzip'd archive is rejected with a clear
 * message: its members cannot be reached by offset.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image_common_int.h"

struct archive_state {
    struct bsn_blob_store bs;
    struct bsn_tar_index ix;
};

static bsn_code
archive_blob_open(void *ctx, const char *digest, struct bsn_reader **out, struct bsn_err *err)
{
    const struct archive_state *s = ctx;
    BSN_TRY(bsn_image_check_digest(digest, err));
    char name[100];
    snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
    const struct bsn_tar_member *m = bsn_tar_index_find(&s->ix, name);
    if (!m)
        return bsn_err_set(err, BSN_ENOTFOUND, "blob %s is missing from '%s'", digest,
                           s->ix.path);
    return bsn_tar_index_open(&s->ix, m, out, err);
}

static bsn_code
archive_open(struct bsn_image *img, const char *text, const struct bsn_scan_opts *opts,
             struct bsn_err *err)
{
    struct archive_state *s = bsn_arena_alloc(img->arena, sizeof(*s));
    const char *path = text, *ref = NULL;
    struct stat st;
    const char *colon = strchr(text, ':');
    if (stat(text, &st) != 0 && colon) {
        path = bsn_arena_strndup(img->arena, text, (size_t)(colon - text));
        ref = colon + 1;
    }
    BSN_TRY(bsn_tar_index_build(img->arena, path, &s->ix, err));
    s->bs.ctx = s;
    s->bs.where = s->ix.path;
    s->bs.open = archive_blob_open;
    img->source_state = s;
    const struct bsn_tar_member *index = bsn_tar_index_find(&s->ix, "index.json");
    if (!bsn_tar_index_find(&s->ix, "oci-layout") || !index)
        return bsn_err_set(err, BSN_EFORMAT,
                           "'%s' is not an OCI archive (no oci-layout or index.json)", path);
    struct bsn_reader *r;
    BSN_TRY(bsn_tar_index_open(&s->ix, index, &r, err));
    char *text_index;
    size_t n;
    char what[4200];
    snprintf(what, sizeof(what), "'%s' index.json", path);
    bsn_code rc = bsn_image_slurp(r, img->arena, BSN_MANIFEST_MAX, what, &text_index, &n, err);
    bsn_reader_close(r);
    BSN_TRY(rc);
    return bsn_oci_resolve(img, &s->bs, text_index, n, ref, opts, err);
}

static bsn_code
archive_open_blob(struct bsn_image *img, size_t i, struct bsn_reader **out, struct bsn_err *err)
{
    const struct archive_state *s = img->source_state;
    return bsn_oci_open_blob(&s->bs, img, i, out, err);
}

static void
archive_close(struct bsn_image *img)
{
    (void)img; /* the index lives in the image's arena */
}

const struct bsn_image_source bsn_source_oci_archive = {
    .name = "oci-archive",
    .open = archive_open,
    .open_blob = archive_open_blob,
    .close = archive_close,
};
