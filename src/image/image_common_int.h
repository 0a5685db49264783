/*
 * Private to src/image/: the outer-tar index shared by the docker-archive and oci-archive
 * sources, the blob-store interface the OCI code reads through (a layout directory or an
 * indexed tar), and the manifest/config parsers (exposed for the fuzz harness).
 */
#ifndef BSN_IMAGE_COMMON_INT_H
#define BSN_IMAGE_COMMON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

/* Caps on the JSON documents of an image (the distribution spec's 4 MiB manifest limit). */
#define BSN_MANIFEST_MAX (4u << 20)
#define BSN_CONFIG_MAX (16u << 20)

/* ---- outer tar index (image_tar_index.c) ---------------------------------------------------- */

struct bsn_tar_member {
    const char *name; /* normalised ("./blobs/x" -> "blobs/x") */
    uint64_t off;     /* offset of the data in the tar file */
    uint64_t size;
    const char *link; /* symlink target (raw) or hardlink target (normalised), else NULL */
    bool symlink;
};

struct bsn_tar_index {
    const char *path;
    struct bsn_tar_member *m;
    size_t n;
    void *map; /* struct bsn_map: name -> member */
};

/* Reads the headers of the tar at path once (member data skipped with lseek); the members
 * and names live in a. A compressed tar is BSN_EUNSUPPORTED, anything not a tar BSN_EFORMAT. */
BSN_MUST_USE bsn_code bsn_tar_index_build(struct bsn_arena *a, const char *path,
                                          struct bsn_tar_index *out, struct bsn_err *err);
/* The member named name (last one wins, as tar extraction does), links followed; or NULL. */
const struct bsn_tar_member *bsn_tar_index_find(const struct bsn_tar_index *ix, const char *name);
/* Opens a member's data as a reader of its own (own fd). */
BSN_MUST_USE bsn_code bsn_tar_index_open(const struct bsn_tar_index *ix,
                                         const struct bsn_tar_member *m,
                                         struct bsn_reader **out, struct bsn_err *err);

/* Reads a whole stream into a (NUL-terminated); more than max bytes is BSN_ELIMIT naming what. */
BSN_MUST_USE bsn_code bsn_image_slurp(struct bsn_reader *r, struct bsn_arena *a, size_t max,
                                      const char *what, char **out, size_t *n,
                                      struct bsn_err *err);

/* ---- blobs by digest ------------------------------------------------------------------------ */

struct bsn_blob_store {
    void *ctx;
    const char *where; /* for messages: the layout dir or archive path */
    /* Opens the raw blob (not verified). Missing blob: BSN_ENOTFOUND. */
    bsn_code (*open)(void *ctx, const char *digest, struct bsn_reader **out, struct bsn_err *err);
};

/* Checks digest is "sha256:<64 hex>" (other algorithms: EUNSUPPORTED; junk: EFORMAT). */
BSN_MUST_USE bsn_code bsn_image_check_digest(const char *digest, struct bsn_err *err);
/* Reads a small blob, verifying its digest (and size when size > 0). */
BSN_MUST_USE bsn_code bsn_blob_read(const struct bsn_blob_store *bs, const char *digest,
                                    uint64_t size, size_t max, struct bsn_arena *a, char **out,
                                    size_t *n, struct bsn_err *err);
/* The open_blob of OCI-backed images: opens info.layers[i].digest from the store. */
BSN_MUST_USE bsn_code bsn_oci_open_blob(const struct bsn_blob_store *bs, struct bsn_image *img,
                                        size_t i, struct bsn_reader **out, struct bsn_err *err);

/*
 * Resolves an OCI index (index.json bytes) to an image: ref selects by the
 * org.opencontainers.image.ref.name annotation or by manifest digest; nested image indexes are
 * resolved by opts->platform (NULL: the host's; "all": every platform, the others as siblings).
 * Fills img->info, img->layer_comp, img->platform, img->siblings.
 */
BSN_MUST_USE bsn_code bsn_oci_resolve(struct bsn_image *img, const struct bsn_blob_store *bs,
                                      const char *index_json, size_t n, const char *ref,
                                      const struct bsn_scan_opts *opts, struct bsn_err *err);

/*
 * Applies an image config (JSON bytes, as stored) to img->info: id (sha256 of the bytes), os,
 * architecture, variant, config_json, and the layers' diff_ids and created_by (history entries
 * without empty_layer, in order). n_layers must already be set; a diff_id count different from
 * it is BSN_EFORMAT.
 */
BSN_MUST_USE bsn_code bsn_image_apply_config(struct bsn_image *img, const char *json, size_t n,
                                             struct bsn_layer_info *layers, size_t n_layers,
                                             struct bsn_err *err);

/* Media type of a layer -> compression; false if not a layer type bosun reads. */
bool bsn_layer_media_comp(const char *media_type, enum bsn_compression *out);

/* The host platform as "os/arch[/variant]" (GOARCH names). */
const char *bsn_host_platform(void);

/* docker-archive's manifest.json parsing, for the fuzz harness and the source. */
struct bsn_docker_manifest {
    const char *config;        /* member name */
    const char *const *tags;
    size_t n_tags;
    const char *const *layers; /* member names */
    size_t n_layers;
};
BSN_MUST_USE bsn_code bsn_docker_manifest_parse(struct bsn_arena *a, const char *json, size_t n,
                                                const char *where,
                                                struct bsn_docker_manifest *out,
                                                struct bsn_err *err);

#endif
