/*
 * Image targets (CONTRACT.md "Image targets", containers/image transport names):
 *   docker-archive:PATH, oci-archive:PATH[:REF], oci:DIR[:REF], dir:DIR, registry:REF,
 *   docker://REF, a bare path (auto-detected), a bare reference ("alpine:3.19",
 *   "host:5000/x@sha256:…") for the registry.
 * Auto-detection of a bare path: a tar with a manifest.json member is a docker-archive (Docker
 * 25+ writes manifest.json beside an OCI layout: docker-archive wins, it carries RepoTags); a
 * tar with oci-layout and index.json is an oci-archive; a directory with an oci-layout file is
 * an OCI layout; any other directory a root filesystem. As in containers/image, a REF after
 * "oci:" starts at the first ':' unless the whole text names an existing path.
 *
 * bsn_image_open_layer() builds a layer's stream: the source's raw blob -> sha256 + size check
 * of the blob -> decompression (bounded by img->max_layer_bytes). The blob digest is what the
 * manifest names, so it pins the layer's bytes; the diff_id (the tar's sha256) is a claim of
 * the config and is hashed only when no blob digest is known. Hashing the tar as well would
 * cost a second SHA-256 pass over the decompressed bytes (2.5 GiB for 0.9 GiB of blobs in
 * the benchmark's large image, about a third of a cold scan's CPU) and prove nothing the blob
 * digest does not: whatever trusts a layer's analysis (the layer cache) keys on the blob
 * digest (scan_cache.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "base/sha256.h"
#include "base/str.h"
#include "base/xalloc.h"
#include "image/image_common_int.h"

struct transport {
    const char *prefix;
    const struct bsn_image_source *source;
};

static const struct transport transports[] = {
    { "docker-archive:", &bsn_source_docker_archive },
    { "oci-archive:", &bsn_source_oci_archive },
    { "oci:", &bsn_source_oci_layout },
    { "dir:", &bsn_source_rootfs },
    { "registry:", &bsn_source_registry },
    { "docker://", &bsn_source_registry },
};

/*
 * Whether a target that names no file reads as an image reference: "[host[:port]/]path
 * [:tag][@sha256:hex]" with lowercase path components. Things that look like file names
 * ("x.tar", "./x", "/x") are not, so a mistyped path reports "no such file".
 */
static bool
looks_like_reference(const char *s)
{
    if (!*s || *s == '/' || *s == '.' || *s == '~' || strstr(s, "//"))
        return false;
    static const char *const file_suffixes[] = { ".tar", ".tgz", ".gz", ".zst", ".json", ".xz" };
    for (size_t i = 0; i < sizeof(file_suffixes) / sizeof(file_suffixes[0]); i++)
        if (bsn_cstr_ends(s, file_suffixes[i]))
            return false;
    const char *at = strchr(s, '@');
    size_t n = at ? (size_t)(at - s) : strlen(s);
    if (at && !bsn_digest_valid(at + 1, strlen(at + 1)))
        return false;
    const char *first_slash = memchr(s, '/', n);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool in_host = first_slash && s + i < first_slash &&
                       (memchr(s, '.', (size_t)(first_slash - s)) ||
                        memchr(s, ':', (size_t)(first_slash - s)) ||
                        strncmp(s, "localhost/", 10) == 0);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
            c == '-' || c == '/' || c == ':')
            continue;
        if (c >= 'A' && c <= 'Z' && (in_host || (strrchr(s, ':') && s + i > strrchr(s, ':'))))
            continue; /* hostnames and tags may be upper case */
        return false;
    }
    return n > 0;
}

static bsn_code
detect_file(const char *path, const struct bsn_image_source **out, struct bsn_err *err)
{
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_tar_index ix;
    bsn_code rc = bsn_tar_index_build(a, path, &ix, err);
    if (rc == BSN_OK) {
        if (bsn_tar_index_find(&ix, "manifest.json"))
            *out = &bsn_source_docker_archive;
        else if (bsn_tar_index_find(&ix, "oci-layout") && bsn_tar_index_find(&ix, "index.json"))
            *out = &bsn_source_oci_archive;
        else
            rc = bsn_err_set(err, BSN_EFORMAT,
                             "'%s' is neither a docker-archive (no manifest.json) nor an OCI "
                             "archive (no oci-layout and index.json)", path);
    }
    bsn_arena_free(a);
    return rc;
}

static bsn_code
detect(const char *target, const struct bsn_image_source **out, struct bsn_err *err)
{
    struct stat st;
    if (stat(target, &st) != 0) {
        int e = errno;
        if (e == ENOENT && looks_like_reference(target)) {
            *out = &bsn_source_registry;
            return BSN_OK;
        }
        return bsn_err_sys(err, e == ENOENT ? BSN_ENOTFOUND : BSN_EIO, e, "cannot open '%s'",
                           target);
    }
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(target);
        char *probe = bsn_xmalloc(n + sizeof("/oci-layout"));
        memcpy(probe, target, n);
        memcpy(probe + n, "/oci-layout", sizeof("/oci-layout"));
        struct stat pst;
        bool oci = stat(probe, &pst) == 0 && S_ISREG(pst.st_mode);
        free(probe);
        *out = oci ? &bsn_source_oci_layout : &bsn_source_rootfs;
        return BSN_OK;
    }
    if (S_ISREG(st.st_mode))
        return detect_file(target, out, err);
    return bsn_err_set(err, BSN_EFORMAT, "'%s' is neither a file nor a directory", target);
}

bsn_code
bsn_image_open(const char *target, const struct bsn_scan_opts *opts, struct bsn_image **out,
               struct bsn_err *err)
{
    if (!target || !*target)
        return bsn_err_set(err, BSN_EINVAL, "empty image target");
    const struct bsn_image_source *src = NULL;
    const char *ref = target;
    for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
        size_t k = strlen(transports[i].prefix);
        if (strncmp(target, transports[i].prefix, k) == 0) {
            src = transports[i].source;
            ref = target + k;
            break;
        }
    }
    if (!src)
        BSN_TRY(detect(target, &src, err));
    if (!*ref)
        return bsn_err_set(err, BSN_EINVAL, "image target '%s' names nothing", target);

    struct bsn_arena *a = bsn_arena_new();
    struct bsn_image *img = bsn_arena_alloc(a, sizeof(*img));
    img->arena = a;
    img->source = src;
    img->max_layer_bytes = BSN_LAYER_MAX_BYTES;
    bsn_code rc = src->open(img, ref, opts, err);
    if (rc != BSN_OK) {
        bsn_image_free(img);
        return rc;
    }
    for (size_t i = 0; i < img->n_siblings; i++)
        img->siblings[i]->max_layer_bytes = img->max_layer_bytes;
    *out = img;
    return BSN_OK;
}

void
bsn_image_free(struct bsn_image *img)
{
    if (!img)
        return;
    if (img->source && img->source->close)
        img->source->close(img);
    bsn_arena_free(img->arena);
}

bsn_code
bsn_image_open_layer(struct bsn_image *img, size_t i, struct bsn_reader **out,
                     struct bsn_err *err)
{
    if (i >= img->info.n_layers)
        return bsn_err_set(err, BSN_EINVAL, "no layer %zu in the image (it has %zu)", i,
                           img->info.n_layers);
    const struct bsn_layer_info *l = &img->info.layers[i];
    struct bsn_reader *r = NULL;
    BSN_TRY(img->source->open_blob(img, i, &r, err));
    char what[160];
    snprintf(what, sizeof(what), "blob %s", l->digest ? l->digest : "(unknown digest)");
    r = bsn_reader_verify(r, l->digest, l->size, what);
    enum bsn_compression c = img->layer_comp ? img->layer_comp[i] : BSN_COMP_DETECT;
    /* A compressed blob (by its media type, or a blob digest other than the diff_id where
     * the type is unknown, as in docker-archive) is read and hashed on a thread of its own,
     * beside its inflate: a lone layer (or the last one) then keeps two cores busy. */
    bool compressed = c == BSN_COMP_GZIP || c == BSN_COMP_ZSTD ||
                      (c == BSN_COMP_DETECT && l->digest && l->diff_id &&
                       strcmp(l->digest, l->diff_id) != 0);
    if (compressed)
        r = bsn_reader_ahead(r);
    snprintf(what, sizeof(what), "layer %s", l->digest ? l->digest : l->diff_id ? l->diff_id
                                                                                : "?");
    r = bsn_reader_decompress(r, c, img->max_layer_bytes, what);
    if (l->diff_id && !l->digest) {
        snprintf(what, sizeof(what), "uncompressed layer %s", l->diff_id);
        r = bsn_reader_verify(r, l->diff_id, 0, what);
    }
    *out = r;
    return BSN_OK;
}

/* ---- helpers shared by the sources ---------------------------------------------------------- */

bsn_code
bsn_image_check_digest(const char *digest, struct bsn_err *err)
{
    if (!digest)
        return bsn_err_set(err, BSN_EFORMAT, "missing digest");
    size_t n = strlen(digest);
    if (bsn_digest_valid(digest, n))
        return BSN_OK;
    const char *colon = strchr(digest, ':');
    if (colon && colon != digest && strncmp(digest, "sha256:", 7) != 0) {
        bool word = true;
        for (const char *p = digest; p < colon; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
                word = false;
        if (word)
            return bsn_err_set(err, BSN_EUNSUPPORTED, "unsupported digest algorithm in '%.80s'",
                               digest);
    }
    return bsn_err_set(err, BSN_EFORMAT, "invalid digest '%.80s'", digest);
}

bool
bsn_layer_media_comp(const char *mt, enum bsn_compression *out)
{
    static const struct {
        const char *type;
        enum bsn_compression comp;
    } types[] = {
        { "application/vnd.oci.image.layer.v1.tar", BSN_COMP_NONE },
        { "application/vnd.oci.image.layer.v1.tar+gzip", BSN_COMP_GZIP },
        { "application/vnd.oci.image.layer.v1.tar+zstd", BSN_COMP_ZSTD },
        { "application/vnd.oci.image.layer.nondistributable.v1.tar", BSN_COMP_NONE },
        { "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", BSN_COMP_GZIP },
        { "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", BSN_COMP_ZSTD },
        { "application/vnd.docker.image.rootfs.diff.tar", BSN_COMP_NONE },
        { "application/vnd.docker.image.rootfs.diff.tar.gzip", BSN_COMP_GZIP },
        { "application/vnd.docker.image.rootfs.diff.tar.zstd", BSN_COMP_ZSTD },
        { "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", BSN_COMP_GZIP },
    };
    if (!mt) {
        *out = BSN_COMP_DETECT;
        return true;
    }
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(mt, types[i].type) == 0) {
            *out = types[i].comp;
            return true;
        }
    return false;
}

const char *
bsn_host_platform(void)
{
    static const struct {
        const char *machine, *platform;
    } map[] = {
        { "x86_64", "linux/amd64" },   { "amd64", "linux/amd64" },
        { "aarch64", "linux/arm64" },  { "arm64", "linux/arm64" },
        { "armv7l", "linux/arm/v7" },  { "armv6l", "linux/arm/v6" },
        { "i686", "linux/386" },       { "i386", "linux/386" },
        { "ppc64le", "linux/ppc64le" }, { "s390x", "linux/s390x" },
        { "riscv64", "linux/riscv64" }, { "mips64", "linux/mips64le" },
    };
    struct utsname u;
    if (uname(&u) == 0)
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
            if (strcmp(u.machine, map[i].machine) == 0)
                return map[i].platform;
    return "linux/amd64";
}
