/*
 * The "docker-archive:PATH[:REF]" source: a `docker save` tarball. manifest.json is an array
 * of {Config, RepoTags, Layers}: member names of the config and of each layer, bottom first.
 * Two layouts exist:
 *   - legacy (Docker < 25, podman, skopeo): "<id>/layer.tar" (or "<hex>.tar") uncompressed,
 *     config "<hex>.json"; the layer's sha256 is its diff_id, so the report's digest is the
 *     diff_id and the blob is checked against it;
 *   - Docker 25+: an OCI layout inside the tar, manifest.json naming "blobs/sha256/<hex>";
 *     the digest is in the name, layers may be gzip or zstd (detected by magic).
 * docker save writes a layer shared by several images once and links the others to it
 * (symlink "../<id>/layer.tar"); the tar index follows such links. REF picks one of several
 * images by a RepoTags entry or "@N" (N from 0), as containers/image does.
 * Spec: https://github.com/moby/moby/blob/master/image/spec/spec.md (v1.2 "Combined Image JSON")
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/sha256.h"
#include "base/str.h"
#include "image/image_common_int.h"

struct docker_state {
    struct bsn_tar_index ix;
    const struct bsn_tar_member **layers;
};

static const char *
jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bsn_code
parse_entry(struct bsn_arena *a, const json_t *e, const char *where, size_t idx,
            struct bsn_docker_manifest *out, struct bsn_err *err)
{
    if (!json_is_object(e))
        return bsn_err_set(err, BSN_EFORMAT, "%s: entry %zu is not an object", where, idx);
    const char *cfg = jstr(e, "Config");
    const json_t *layers = json_object_get(e, "Layers");
    const json_t *tags = json_object_get(e, "RepoTags");
    if (!cfg || !json_is_array(layers))
        return bsn_err_set(err, BSN_EFORMAT, "%s: entry %zu lacks Config or Layers", where, idx);
    if (tags && !json_is_null(tags) && !json_is_array(tags))
        return bsn_err_set(err, BSN_EFORMAT, "%s: entry %zu: RepoTags is not an array", where,
                           idx);
    size_t nl = json_array_size(layers), nt = json_array_size(tags);
    if (nl > 4096)
        return bsn_err_set(err, BSN_ELIMIT, "%s: entry %zu has %zu layers", where, idx, nl);
    const char **l = bsn_arena_alloc_array(a, nl ? nl : 1, sizeof(*l));
    for (size_t i = 0; i < nl; i++) {
        const char *s = json_string_value(json_array_get(layers, i));
        if (!s)
            return bsn_err_set(err, BSN_EFORMAT, "%s: entry %zu: layer %zu is not a string",
                               where, idx, i);
        l[i] = bsn_arena_strdup(a, s);
    }
    const char **t = bsn_arena_alloc_array(a, nt ? nt : 1, sizeof(*t));
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        const char *s = json_string_value(json_array_get(tags, i));
        if (s)
            t[k++] = bsn_arena_strdup(a, s);
    }
    out->config = bsn_arena_strdup(a, cfg);
    out->layers = l;
    out->n_layers = nl;
    out->tags = t;
    out->n_tags = k;
    return BSN_OK;
}

/* Parses manifest.json; *out gets the entry chosen by ref (NULL: the only one). */
static bsn_code
parse_manifest(struct bsn_arena *a, const char *text, size_t n, const char *where,
               const char *ref, struct bsn_docker_manifest *out, struct bsn_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(text, n, 0, &je);
    if (!j)
        return bsn_err_set(err, BSN_EFORMAT, "%s: invalid JSON at line %d: %s", where, je.line,
                           je.text);
    bsn_code rc = BSN_OK;
    size_t ne = json_array_size(j);
    if (!json_is_array(j) || ne == 0) {
        rc = bsn_err_set(err, BSN_EFORMAT, "%s: not a non-empty array", where);
        goto out;
    }
    size_t pick = SIZE_MAX;
    if (!ref) {
        if (ne > 1) {
            struct bsn_buf b;
            bsn_buf_init(&b, 400);
            for (size_t i = 0; i < ne; i++) {
                const json_t *tags = json_object_get(json_array_get(j, i), "RepoTags");
                const char *t = json_string_value(json_array_get(tags, 0));
                if (bsn_buf_addf(&b, "%s%s", b.len ? ", " : "", t ? t : "(untagged)") != BSN_OK)
                    break;
            }
            rc = bsn_err_set(err, BSN_EINVAL,
                             "%s holds %zu images: choose one with docker-archive:PATH:TAG or "
                             ":@N (tags: %s)", where, ne, b.ptr);
            bsn_buf_release(&b);
            goto out;
        }
        pick = 0;
    } else if (ref[0] == '@') {
        struct bsn_str cur = bsn_str_cstr(ref + 1);
        uint64_t v;
        if (bsn_sp_u64(&cur, &v) == 0 && cur.len == 0 && v < ne)
            pick = (size_t)v;
    } else {
        for (size_t i = 0; i < ne && pick == SIZE_MAX; i++) {
            const json_t *tags = json_object_get(json_array_get(j, i), "RepoTags");
            for (size_t k = 0; k < json_array_size(tags); k++) {
                const char *t = json_string_value(json_array_get(tags, k));
                if (t && strcmp(t, ref) == 0)
                    pick = i;
            }
        }
    }
    if (pick == SIZE_MAX) {
        rc = bsn_err_set(err, BSN_ENOTFOUND, "no image '%s' in %s", ref, where);
        goto out;
    }
    rc = parse_entry(a, json_array_get(j, pick), where, pick, out, err);
out:
    json_decref(j);
    return rc;
}

bsn_code
bsn_docker_manifest_parse(struct bsn_arena *a, const char *json, size_t n, const char *where,
                          struct bsn_docker_manifest *out, struct bsn_err *err)
{
    return parse_manifest(a, json, n, where, "@0", out, err);
}

static bsn_code
read_member(struct docker_state *s, struct bsn_arena *a, const char *name, size_t max,
            char **out, size_t *n, struct bsn_err *err)
{
    const struct bsn_tar_member *m = bsn_tar_index_find(&s->ix, name);
    if (!m)
        return bsn_err_set(err, BSN_EFORMAT, "'%s' has no member '%s'", s->ix.path, name);
    struct bsn_reader *r;
    BSN_TRY(bsn_tar_index_open(&s->ix, m, &r, err));
    char what[4300];
    snprintf(what, sizeof(what), "'%s' member '%s'", s->ix.path, name);
    bsn_code rc = bsn_image_slurp(r, a, max, what, out, n, err);
    bsn_reader_close(r);
    return rc;
}

/* "blobs/sha256/<hex>" -> "sha256:<hex>" when hex is a valid digest, else NULL. */
static const char *
digest_from_name(struct bsn_arena *a, const char *name)
{
    char tmp[4096];
    size_t len = strlen(name);
    if (len >= sizeof(tmp))
        return NULL;
    memcpy(tmp, name, len + 1);
    const char *prefix = "blobs/sha256/";
    if (strncmp(tmp, prefix, strlen(prefix)) != 0)
        return NULL;
    char *d = bsn_arena_printf(a, "sha256:%s", tmp + strlen(prefix));
    return bsn_digest_valid(d, strlen(d)) ? d : NULL;
}

static bsn_code
docker_open(struct bsn_image *img, const char *text, const struct bsn_scan_opts *opts,
            struct bsn_err *err)
{
    (void)opts;
    struct bsn_arena *a = img->arena;
    struct docker_state *s = bsn_arena_alloc(a, sizeof(*s));
    const char *path = text, *ref = NULL;
    struct stat st;
    const char *colon = strchr(text, ':');
    if (stat(text, &st) != 0 && colon) {
        path = bsn_arena_strndup(a, text, (size_t)(colon - text));
        ref = colon + 1;
    }
    BSN_TRY(bsn_tar_index_build(a, path, &s->ix, err));
    img->source_state = s;
    char *mtext;
    size_t mlen;
    BSN_TRY(read_member(s, a, "manifest.json", BSN_MANIFEST_MAX, &mtext, &mlen, err));
    char where[4200];
    snprintf(where, sizeof(where), "'%s' manifest.json", path);
    struct bsn_docker_manifest dm;
    BSN_TRY(parse_manifest(a, mtext, mlen, where, ref, &dm, err));

    struct bsn_layer_info *li = bsn_arena_alloc_array(a, dm.n_layers ? dm.n_layers : 1,
                                                      sizeof(*li));
    enum bsn_compression *comp = bsn_arena_alloc_array(a, dm.n_layers ? dm.n_layers : 1,
                                                       sizeof(*comp));
    s->layers = bsn_arena_alloc_array(a, dm.n_layers ? dm.n_layers : 1, sizeof(*s->layers));
    for (size_t i = 0; i < dm.n_layers; i++) {
        s->layers[i] = bsn_tar_index_find(&s->ix, dm.layers[i]);
        if (!s->layers[i])
            return bsn_err_set(err, BSN_EFORMAT, "%s names layer '%s', which is not in the archive",
                               where, dm.layers[i]);
        li[i].size = s->layers[i]->size;
        /* The member's own (normalised, link-resolved) name: "./blobs/…" reads as "blobs/…". */
        li[i].digest = digest_from_name(a, s->layers[i]->name);
        comp[i] = BSN_COMP_DETECT;
    }
    char *ctext;
    size_t clen;
    BSN_TRY(read_member(s, a, dm.config, BSN_CONFIG_MAX, &ctext, &clen, err));
    BSN_TRY(bsn_image_apply_config(img, ctext, clen, li, dm.n_layers, err));
    for (size_t i = 0; i < dm.n_layers; i++) {
        if (!li[i].digest)
            li[i].digest = li[i].diff_id; /* legacy layer.tar: the tar itself is the blob */
        if (!li[i].digest)
            return bsn_err_set(err, BSN_EFORMAT,
                               "'%s': config '%s' has no rootfs.diff_ids for layer '%s'", path,
                               dm.config, dm.layers[i]);
    }
    img->info.layers = li;
    img->info.n_layers = dm.n_layers;
    img->info.repo_tags = dm.tags;
    img->info.n_repo_tags = dm.n_tags;
    img->layer_comp = comp;
    return BSN_OK;
}

static bsn_code
docker_open_blob(struct bsn_image *img, size_t i, struct bsn_reader **out, struct bsn_err *err)
{
    const struct docker_state *s = img->source_state;
    return bsn_tar_index_open(&s->ix, s->layers[i], out, err);
}

static void
docker_close(struct bsn_image *img)
{
    (void)img; /* the index lives in the image's arena */
}

const struct bsn_image_source bsn_source_docker_archive = {
    .name = "docker-archive",
    .open = docker_open,
    .open_blob = docker_open_blob,
    .close = docker_close,
};
