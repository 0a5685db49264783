/*
 * OCI image layout resolution, shared by the oci (directory) and oci-archive sources:
 * index.json -> (nested image index, chosen by platform) -> image manifest -> config -> layers.
 * Also the image-config reader every source uses (diff_ids, history, os/architecture).
 *
 * Specs: https://github.com/opencontainers/image-spec/blob/main/image-layout.md (index.json,
 * blobs/<alg>/<hex>), image-index.md (platform, annotations), manifest.md, config.md
 * (rootfs.diff_ids, history[].empty_layer). Docker's manifest list and schema 2 media types are
 * accepted alike. Quirks seen in real layouts: buildx and skopeo --all write index.json with
 * one entry that is itself an image index; Docker 25+ adds attestation manifests with platform
 * "unknown/unknown" (skipped); containerd names images with the io.containerd.image.name
 * annotation beside org.opencontainers.image.ref.name; a descriptor may omit mediaType, then the
 * document's own mediaType or its shape ("manifests" vs "layers") tells.
 * Every manifest and config blob is checked against its digest (and size) when read.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/sha256.h"
#include "image/image_common_int.h"

#define MAX_INDEX_DEPTH 4
#define MAX_LAYERS 4096
#define MAX_PLATFORMS 64    /* images one --platform all run may hold */
#define MAX_MANIFEST_READS 256

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define ANN_REF "org.opencontainers.image.ref.name"
#define ANN_CONTAINERD "io.containerd.image.name"

static const char *
jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *
annotation(const json_t *desc, const char *key)
{
    return jstr(json_object_get(desc, "annotations"), key);
}

static bsn_code
parse_json(const char *text, size_t n, const char *what, json_t **out, struct bsn_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return bsn_err_set(err, BSN_EFORMAT, "%s: invalid JSON at line %d: %s", what, je.line,
                           je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return bsn_err_set(err, BSN_EFORMAT, "%s: not a JSON object", what);
    }
    *out = j;
    return BSN_OK;
}

bsn_code
bsn_blob_read(const struct bsn_blob_store *bs, const char *digest, uint64_t size, size_t max,
              struct bsn_arena *a, char **out, size_t *n, struct bsn_err *err)
{
    BSN_TRY(bsn_image_check_digest(digest, err));
    if (size > max)
        return bsn_err_set(err, BSN_ELIMIT, "blob %s is %llu bytes, over the %zu-byte limit",
                           digest, (unsigned long long)size, max);
    struct bsn_reader *r = NULL;
    BSN_TRY(bs->open(bs->ctx, digest, &r, err));
    char what[120];
    snprintf(what, sizeof(what), "blob %s", digest);
    r = bsn_reader_verify(r, digest, size, what);
    bsn_code rc = bsn_image_slurp(r, a, max, what, out, n, err);
    bsn_reader_close(r);
    return rc;
}

bsn_code
bsn_oci_open_blob(const struct bsn_blob_store *bs, struct bsn_image *img, size_t i,
                  struct bsn_reader **out, struct bsn_err *err)
{
    const char *d = img->info.layers[i].digest;
    BSN_TRY(bsn_image_check_digest(d, err));
    return bs->open(bs->ctx, d, out, err);
}

/* ---- image config --------------------------------------------------------------------------- */

bsn_code
bsn_image_apply_config(struct bsn_image *img, const char *text, size_t n,
                       struct bsn_layer_info *layers, size_t n_layers, struct bsn_err *err)
{
    struct bsn_arena *a = img->arena;
    char id[BSN_DIGEST_MAX];
    bsn_sha256_digest(text, n, id);
    char what[120];
    snprintf(what, sizeof(what), "config %s", id);
    json_t *j;
    BSN_TRY(parse_json(text, n, what, &j, err));
    bsn_code rc = BSN_OK;
    json_t *diff_ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
    if (json_is_array(diff_ids)) {
        if (json_array_size(diff_ids) != n_layers) {
            rc = bsn_err_set(err, BSN_EFORMAT, "%s lists %zu diff_ids for %zu layers", what,
                             json_array_size(diff_ids), n_layers);
            goto out;
        }
        for (size_t i = 0; i < n_layers; i++) {
            const char *d = json_string_value(json_array_get(diff_ids, i));
            if (!d || bsn_image_check_digest(d, err) != BSN_OK) {
                rc = bsn_err_set(err, BSN_EFORMAT, "%s: invalid diff_id %zu", what, i);
                goto out;
            }
            layers[i].diff_id = bsn_arena_strdup(a, d);
        }
    } else if (diff_ids) {
        rc = bsn_err_set(err, BSN_EFORMAT, "%s: rootfs.diff_ids is not an array", what);
        goto out;
    }
    json_t *history = json_object_get(j, "history");
    if (json_is_array(history)) {
        size_t k = 0;
        for (size_t i = 0; i < json_array_size(history) && k < n_layers; i++) {
            json_t *h = json_array_get(history, i);
            if (json_is_true(json_object_get(h, "empty_layer")))
                continue;
            const char *cb = jstr(h, "created_by");
            layers[k++].created_by = cb ? bsn_arena_strdup(a, cb) : NULL;
        }
    }
    img->info.id = bsn_arena_strdup(a, id);
    img->info.os = bsn_arena_strdup(a, jstr(j, "os"));
    img->info.architecture = bsn_arena_strdup(a, jstr(j, "architecture"));
    img->info.variant = bsn_arena_strdup(a, jstr(j, "variant"));
    img->info.config_json = bsn_arena_strndup(a, text, n);
out:
    json_decref(j);
    return rc;
}

/* ---- manifests ------------------------------------------------------------------------------ */

static bool
is_index_type(const char *mt)
{
    return mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0);
}

static bsn_code
desc_fields(const json_t *desc, const char *what, const char **digest, uint64_t *size,
            struct bsn_err *err)
{
    *digest = jstr(desc, "digest");
    if (!*digest)
        return bsn_err_set(err, BSN_EFORMAT, "%s: descriptor without a digest", what);
    BSN_TRY(bsn_image_check_digest(*digest, err));
    const json_t *s = json_object_get(desc, "size");
    if (s && (!json_is_integer(s) || json_integer_value(s) < 0))
        return bsn_err_set(err, BSN_EFORMAT, "%s: descriptor %s has an invalid size", what,
                           *digest);
    *size = s ? (uint64_t)json_integer_value(s) : 0;
    return BSN_OK;
}

/* Builds img from an image manifest document. */
static bsn_code
load_manifest(struct bsn_image *img, const struct bsn_blob_store *bs, json_t *m,
              const char *mdigest, struct bsn_err *err)
{
    struct bsn_arena *a = img->arena;
    char what[120];
    snprintf(what, sizeof(what), "manifest %s", mdigest);
    json_t *cfg = json_object_get(m, "config");
    json_t *layers = json_object_get(m, "layers");
    if (!json_is_object(cfg) || !json_is_array(layers))
        return bsn_err_set(err, BSN_EFORMAT, "%s: no config or layers", what);
    const char *cmt = jstr(cfg, "mediaType");
    if (cmt && strcmp(cmt, "application/vnd.oci.image.config.v1+json") != 0 &&
        strcmp(cmt, "application/vnd.docker.container.image.v1+json") != 0)
        return bsn_err_set(err, BSN_EUNSUPPORTED,
                           "%s is not a container image (config media type '%.100s')", what,
                           cmt);
    size_t nl = json_array_size(layers);
    if (nl > MAX_LAYERS)
        return bsn_err_set(err, BSN_ELIMIT, "%s has %zu layers, more than %d", what, nl,
                           MAX_LAYERS);
    struct bsn_layer_info *li = bsn_arena_alloc_array(a, nl ? nl : 1, sizeof(*li));
    enum bsn_compression *comp = bsn_arena_alloc_array(a, nl ? nl : 1, sizeof(*comp));
    for (size_t i = 0; i < nl; i++) {
        json_t *l = json_array_get(layers, i);
        const char *d;
        uint64_t size;
        if (!json_is_object(l))
            return bsn_err_set(err, BSN_EFORMAT, "%s: layer %zu is not an object", what, i);
        BSN_TRY(desc_fields(l, what, &d, &size, err));
        const char *lmt = jstr(l, "mediaType");
        if (!bsn_layer_media_comp(lmt, &comp[i]))
            return bsn_err_set(err, BSN_EUNSUPPORTED,
                               "%s: layer %zu (%s) has unsupported media type '%.100s'", what,
                               i + 1, d, lmt);
        li[i].digest = bsn_arena_strdup(a, d);
        li[i].size = size;
        li[i].media_type = bsn_arena_strdup(a, lmt);
    }
    const char *cdigest;
    uint64_t csize;
    BSN_TRY(desc_fields(cfg, what, &cdigest, &csize, err));
    char *ctext;
    size_t clen;
    BSN_TRY(bsn_blob_read(bs, cdigest, csize, BSN_CONFIG_MAX, a, &ctext, &clen, err));
    BSN_TRY(bsn_image_apply_config(img, ctext, clen, li, nl, err));
    img->info.layers = li;
    img->info.n_layers = nl;
    img->layer_comp = comp;
    return BSN_OK;
}

struct platform {
    char os[64], arch[64], variant[64];
};

static void
platform_parse(const char *s, struct platform *p)
{
    memset(p, 0, sizeof(*p));
    char *fields[3] = { p->os, p->arch, p->variant };
    size_t f = 0, k = 0;
    for (; *s && f < 3; s++) {
        if (*s == '/') {
            f++;
            k = 0;
            continue;
        }
        if (k < sizeof(p->os) - 1)
            fields[f][k++] = *s;
    }
}

static void
platform_of(const json_t *desc, struct platform *p)
{
    const json_t *pl = json_object_get(desc, "platform");
    memset(p, 0, sizeof(*p));
    snprintf(p->os, sizeof(p->os), "%s", jstr(pl, "os") ? jstr(pl, "os") : "");
    snprintf(p->arch, sizeof(p->arch), "%s",
             jstr(pl, "architecture") ? jstr(pl, "architecture") : "");
    snprintf(p->variant, sizeof(p->variant), "%s", jstr(pl, "variant") ? jstr(pl, "variant") : "");
}

static void
platform_str(const struct platform *p, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
}

static bool
platform_match(const struct platform *want, const struct platform *have)
{
    if (strcmp(want->os, have->os) != 0 || strcmp(want->arch, have->arch) != 0)
        return false;
    if (!want->variant[0] || strcmp(want->variant, have->variant) == 0)
        return true;
    /* arm64 images usually omit their (only) variant v8. */
    return strcmp(want->arch, "arm64") == 0 && strcmp(want->variant, "v8") == 0 &&
           !have->variant[0];
}

static bool
is_attestation(const json_t *desc)
{
    struct platform p;
    platform_of(desc, &p);
    return strcmp(p.os, "unknown") == 0 ||
           annotation(desc, "vnd.docker.reference.type") != NULL;
}

/* One resolution: where blobs come from, the platform wanted, and bounds on the work. */
struct resolve {
    const struct bsn_blob_store *bs;
    const char *want;
    struct bsn_image *root; /* --platform all: every further platform is a sibling of it */
    size_t sib_cap;
    unsigned reads_left;
};

static bsn_code resolve_desc(struct resolve *rs, struct bsn_image *img, const json_t *desc,
                             unsigned depth, struct bsn_err *err);

static bsn_code
new_sibling(struct resolve *rs, struct bsn_image **out, const char *what, struct bsn_err *err)
{
    struct bsn_image *root = rs->root;
    if (root->n_siblings + 1 >= MAX_PLATFORMS)
        return bsn_err_set(err, BSN_ELIMIT, "%s lists more than %d platforms", what,
                           MAX_PLATFORMS);
    if (root->n_siblings == rs->sib_cap) {
        rs->sib_cap = rs->sib_cap ? rs->sib_cap * 2 : 4;
        struct bsn_image **s = bsn_arena_alloc_array(root->arena, rs->sib_cap, sizeof(*s));
        if (root->n_siblings)
            memcpy(s, root->siblings, root->n_siblings * sizeof(*s));
        root->siblings = s;
    }
    struct bsn_image *t = bsn_arena_alloc(root->arena, sizeof(*t));
    t->arena = root->arena; /* freed with the root image, never on its own */
    t->source = root->source;
    t->source_state = root->source_state;
    t->max_layer_bytes = root->max_layer_bytes;
    root->siblings[root->n_siblings++] = t;
    *out = t;
    return BSN_OK;
}

/* Chooses from an index's manifests by platform; "all" keeps every platform (siblings). */
static bsn_code
resolve_platforms(struct resolve *rs, struct bsn_image *img, const json_t *descs,
                  const char *what, unsigned depth, struct bsn_err *err)
{
    const char *want_s = rs->want;
    bool all = strcmp(want_s, "all") == 0;
    struct platform want;
    platform_parse(want_s, &want);
    size_t n = json_array_size(descs);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_array_get(descs, i);
        if (!json_is_object(d) || is_attestation(d))
            continue;
        struct platform have;
        platform_of(d, &have);
        if (!all && !platform_match(&want, &have))
            continue;
        struct bsn_image *target = img;
        if (found) /* --platform all: further platforms become siblings of the root image */
            BSN_TRY(new_sibling(rs, &target, what, err));
        char ps[200];
        platform_str(&have, ps, sizeof(ps));
        BSN_TRY(resolve_desc(rs, target, d, depth + 1, err));
        target->platform = bsn_arena_strdup(img->arena, ps);
        found = true;
        if (!all)
            return BSN_OK;
    }
    if (found)
        return BSN_OK;
    struct bsn_buf list;
    bsn_buf_init(&list, 400);
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_array_get(descs, i);
        if (!json_is_object(d) || is_attestation(d))
            continue;
        struct platform have;
        char ps[200];
        platform_of(d, &have);
        platform_str(&have, ps, sizeof(ps));
        if (bsn_buf_addf(&list, "%s%s", list.len ? ", " : "", ps) != BSN_OK)
            break;
    }
    bsn_code rc = bsn_err_set(err, BSN_ENOTFOUND, "no image for platform '%s' in %s (available: %s)",
                              want_s, what, list.len ? list.ptr : "none");
    bsn_buf_release(&list);
    return rc;
}

static bsn_code
resolve_desc(struct resolve *rs, struct bsn_image *img, const json_t *desc, unsigned depth,
             struct bsn_err *err)
{
    const struct bsn_blob_store *bs = rs->bs;
    if (depth > MAX_INDEX_DEPTH)
        return bsn_err_set(err, BSN_EFORMAT, "%s: image indexes nested too deep", bs->where);
    const char *digest;
    uint64_t size;
    BSN_TRY(desc_fields(desc, bs->where, &digest, &size, err));
    if (rs->reads_left == 0)
        return bsn_err_set(err, BSN_ELIMIT, "%s: more than %d manifests to read", bs->where,
                           MAX_MANIFEST_READS);
    rs->reads_left--;
    char *text;
    size_t n;
    BSN_TRY(bsn_blob_read(bs, digest, size, BSN_MANIFEST_MAX, img->arena, &text, &n, err));
    char what[120];
    snprintf(what, sizeof(what), "manifest %s", digest);
    json_t *m;
    BSN_TRY(parse_json(text, n, what, &m, err));
    const char *mt = jstr(desc, "mediaType");
    if (!mt)
        mt = jstr(m, "mediaType");
    bsn_code rc;
    if (is_index_type(mt) || (!mt && json_is_array(json_object_get(m, "manifests")))) {
        snprintf(what, sizeof(what), "image index %s", digest);
        json_t *descs = json_object_get(m, "manifests");
        if (!json_is_array(descs))
            rc = bsn_err_set(err, BSN_EFORMAT, "%s: no manifests", what);
        else
            rc = resolve_platforms(rs, img, descs, what, depth, err);
    } else if (mt && strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_MANIFEST) != 0) {
        rc = bsn_err_set(err, BSN_EUNSUPPORTED, "%s has unsupported media type '%.100s'", what,
                         mt);
    } else {
        rc = load_manifest(img, bs, m, digest, err);
    }
    json_decref(m);
    return rc;
}

static void
add_tag(struct bsn_image *img, const char *tag)
{
    if (!tag || !*tag)
        return;
    for (size_t i = 0; i < img->info.n_repo_tags; i++)
        if (strcmp(img->info.repo_tags[i], tag) == 0)
            return;
    const char **t = bsn_arena_alloc_array(img->arena, img->info.n_repo_tags + 1, sizeof(*t));
    if (img->info.n_repo_tags)
        memcpy(t, img->info.repo_tags, img->info.n_repo_tags * sizeof(*t));
    t[img->info.n_repo_tags++] = bsn_arena_strdup(img->arena, tag);
    img->info.repo_tags = t;
}

/* "ref1, ref2, sha256:…" for messages. */
static void
list_refs(const json_t *descs, struct bsn_buf *b)
{
    for (size_t i = 0; i < json_array_size(descs); i++) {
        const json_t *d = json_array_get(descs, i);
        const char *r = annotation(d, ANN_REF);
        if (!r)
            r = jstr(d, "digest");
        if (bsn_buf_addf(b, "%s%s", b->len ? ", " : "", r ? r : "?") != BSN_OK)
            return;
    }
}

bsn_code
bsn_oci_resolve(struct bsn_image *img, const struct bsn_blob_store *bs, const char *text,
                size_t n, const char *ref, const struct bsn_scan_opts *opts,
                struct bsn_err *err)
{
    char what[600];
    snprintf(what, sizeof(what), "'%s' index.json", bs->where);
    json_t *ix;
    BSN_TRY(parse_json(text, n, what, &ix, err));
    const char *want = opts && opts->platform && *opts->platform ? opts->platform
                                                                 : bsn_host_platform();
    struct resolve rs = { .bs = bs, .want = want, .root = img, .sib_cap = 0,
                          .reads_left = MAX_MANIFEST_READS };
    json_t *descs = json_object_get(ix, "manifests");
    bsn_code rc = BSN_OK;
    const json_t *chosen = NULL;
    size_t nd = json_array_size(descs);
    if (!json_is_array(descs) || nd == 0) {
        rc = bsn_err_set(err, BSN_EFORMAT, "%s lists no manifests", what);
        goto out;
    }
    if (ref && *ref) {
        for (size_t i = 0; i < nd && !chosen; i++) {
            const json_t *d = json_array_get(descs, i);
            const char *r = annotation(d, ANN_REF), *c = annotation(d, ANN_CONTAINERD);
            const char *dg = jstr(d, "digest");
            if ((r && strcmp(r, ref) == 0) || (c && strcmp(c, ref) == 0) ||
                (dg && strcmp(dg, ref) == 0))
                chosen = d;
        }
        if (!chosen) {
            struct bsn_buf b;
            bsn_buf_init(&b, 400);
            list_refs(descs, &b);
            rc = bsn_err_set(err, BSN_ENOTFOUND, "no image '%s' in %s (refs: %s)", ref, what,
                             b.ptr);
            bsn_buf_release(&b);
            goto out;
        }
    } else {
        /* Attestation manifests (buildx, Docker 25+) are not images to choose from. */
        size_t n_images = 0;
        for (size_t i = 0; i < nd; i++) {
            const json_t *d = json_array_get(descs, i);
            if (!json_is_object(d) || !is_attestation(d)) {
                chosen = d;
                n_images++;
            }
        }
        if (n_images != 1)
            chosen = NULL;
    }
    if (!chosen) {
        bool all_platforms = true;
        for (size_t i = 0; i < nd; i++) {
            const json_t *d = json_array_get(descs, i);
            if (!is_attestation(d) && !json_is_object(json_object_get(d, "platform")))
                all_platforms = false;
        }
        if (all_platforms) {
            /* index.json is itself the multi-platform index. */
            rc = resolve_platforms(&rs, img, descs, what, 0, err);
            goto out;
        }
        struct bsn_buf b;
        bsn_buf_init(&b, 400);
        list_refs(descs, &b);
        rc = bsn_err_set(err, BSN_EINVAL,
                         "%s holds %zu images: choose one with oci:DIR:REF (refs: %s)", what, nd,
                         b.ptr);
        bsn_buf_release(&b);
        goto out;
    }
    if (!json_is_object(chosen)) {
        rc = bsn_err_set(err, BSN_EFORMAT, "%s: a manifest entry is not an object", what);
        goto out;
    }
    rc = resolve_desc(&rs, img, chosen, 0, err);
    if (rc == BSN_OK) {
        const char *tag = annotation(chosen, ANN_CONTAINERD);
        if (!tag)
            tag = annotation(chosen, ANN_REF);
        add_tag(img, tag);
        for (size_t i = 0; i < img->n_siblings; i++)
            add_tag(img->siblings[i], tag);
    }
out:
    json_decref(ix);
    return rc;
}
