/*
 * Images and where they come from.
 *
 * An image source (one file each: image_docker_archive.c, image_oci_archive.c,
 * image_oci_layout.c, image_rootfs.c, image_registry.c) resolves a target into a struct
 * bsn_image: the config, the layers in order (bottom first) and a way to open each layer's
 * blob as a stream. Opening a layer may be done from several threads at once (one stream per
 * layer), so sources that read a tar file index member offsets once and then open the file
 * again per layer; the registry source opens one HTTP request per layer.
 *
 * Layer streams returned by bsn_image_open_layer() are already verified and decompressed:
 * they yield the plain tar bytes, check the blob digest (the diff_id where no blob digest is
 * known) while streaming, and fail with BSN_EFORMAT naming the blob at end of stream on a mismatch.
 */
#ifndef BSN_IMAGE_H
#define BSN_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/reader.h"
#include "bosun.h"

enum bsn_compression {
    BSN_COMP_NONE = 0,
    BSN_COMP_GZIP,
    BSN_COMP_ZSTD,
    BSN_COMP_DETECT, /* sniff the magic bytes */
};

struct bsn_image_source;

struct bsn_image {
    struct bsn_arena *arena;         /* owns everything below */
    const struct bsn_image_source *source;
    void *source_state;              /* the source's private state */
    struct bsn_image_info info;      /* what the report shows (layers incl. diff_ids) */
    enum bsn_compression *layer_comp;/* per layer, from the media type or DETECT */
    /* A directory target (rootfs): no layers; the scan walks root_dir as one layer instead. */
    const char *root_dir;
    /* --platform all on an index: the other platforms' images, scanned one after another. */
    struct bsn_image **siblings;
    size_t n_siblings;
    const char *platform;            /* "linux/amd64" when chosen from an index */
    /* Bound on one layer's decompressed bytes (decompression bombs): set by bsn_image_open to
     * BSN_LAYER_MAX_BYTES; callers may lower it before opening layers. */
    uint64_t max_layer_bytes;
};

/* Default bound on a layer's decompressed size: far above real layers, far below a bomb's. */
#define BSN_LAYER_MAX_BYTES (64ull << 30)

struct bsn_image_source {
    const char *name;   /* "docker-archive", "oci-archive", "oci", "dir", "registry" */
    /* Opens the target (the text after "name:"); fills img->info and img->source_state. */
    bsn_code (*open)(struct bsn_image *img, const char *ref, const struct bsn_scan_opts *opts,
                     struct bsn_err *err);
    /* Opens layer i as a raw (still compressed) blob stream, not yet verified. */
    bsn_code (*open_blob)(struct bsn_image *img, size_t i, struct bsn_reader **out,
                          struct bsn_err *err);
    void (*close)(struct bsn_image *img);
};

/*
 * Resolves a target as CONTRACT.md's "Image targets" table says (transport prefixes, bare
 * path auto-detection, bare references for the registry). On success *out is a new image
 * (bsn_image_free it). Errors: ENOTFOUND/EIO/EFORMAT for unreadable targets, ENET/EAUTH for
 * registries, EUNSUPPORTED for valid but unsupported manifests.
 */
BSN_MUST_USE bsn_code bsn_image_open(const char *target, const struct bsn_scan_opts *opts,
                                     struct bsn_image **out, struct bsn_err *err);
void bsn_image_free(struct bsn_image *img);

/*
 * Layer i as a plain tar stream: decompressed (gzip via ISA-L, zstd via libzstd), with the
 * blob's sha256 checked against info.layers[i].digest (the tar's against diff_id only when
 * the layer has no blob digest). Thread-safe for distinct or equal i.
 */
BSN_MUST_USE bsn_code bsn_image_open_layer(struct bsn_image *img, size_t i,
                                           struct bsn_reader **out, struct bsn_err *err);

/* Stream wrappers (image_stream.c): each takes ownership of inner. */
/* Checks sha256 (and size when size > 0) of everything read; mismatch -> BSN_EFORMAT naming
 * what (e.g. "blob sha256:ab…"). */
struct bsn_reader *bsn_reader_verify(struct bsn_reader *inner, const char *digest,
                                     uint64_t size, const char *what);
/* Decompresses; BSN_COMP_DETECT sniffs gzip/zstd magic and passes anything else through.
 * max_out bounds the decompressed bytes (decompression bombs): exceeding it is BSN_ELIMIT. */
struct bsn_reader *bsn_reader_decompress(struct bsn_reader *inner, enum bsn_compression c,
                                         uint64_t max_out, const char *what);
/* A reader over a file region [off, off+len) (len UINT64_MAX = to EOF); opens its own fd. */
BSN_MUST_USE bsn_code bsn_reader_file(const char *path, uint64_t off, uint64_t len,
                                      struct bsn_reader **out, struct bsn_err *err);
/* A reader over memory (borrowed; it lends the memory itself to bsn_reader_borrow). */
struct bsn_reader *bsn_reader_mem(const void *p, size_t n);
/* Reads inner on a thread of its own, a few 256 KiB blocks ahead, lending them: the blob's
 * read and sha256 run beside its decompression. Takes ownership of inner. */
struct bsn_reader *bsn_reader_ahead(struct bsn_reader *inner);

/* Sources, for the registry of transports (image_sources.c). */
extern const struct bsn_image_source bsn_source_docker_archive;
extern const struct bsn_image_source bsn_source_oci_archive;
extern const struct bsn_image_source bsn_source_oci_layout;
extern const struct bsn_image_source bsn_source_rootfs;
extern const struct bsn_image_source bsn_source_registry;

#endif
