/*
 * Tests for the image sources (src/image/image_open.c and the docker-archive, oci-archive, oci
 * layout, rootfs and registry sources): images are built on the fly by tests/tools/mkimage.py
 * in a temporary directory, and what bosun reads is compared with the digests mkimage.py
 * computed independently (Python hashlib) and printed in its summary.
 */
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "image/image.h"
#include "image/image_common_int.h"
#include "layer/layer.h"

static char tmp[64];

static int
setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/bsn-image-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd);
}

/* Builds tmp/name from a JSON spec with mkimage.py; returns its summary. */
static json_t *
mk(const char *name, const char *spec)
{
    char path[256], cmd[1024];
    snprintf(path, sizeof(path), "%s/%s.spec.json", tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(spec, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "python3 '%s/tests/tools/mkimage.py' --spec '%s' -o '%s/%s' > '%s/%s.out.json'",
             BSN_SRC_DIR, path, tmp, name, tmp, name);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/%s.out.json", tmp, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    assert_non_null(j);
    return j;
}

static const char *
target(const char *prefix, const char *name, const char *suffix)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s%s/%s%s", prefix, tmp, name, suffix);
    return buf[k];
}

static const char *
sget(json_t *summary, size_t image, const char *key)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(summary, "images"),
                                                            image), key));
}

static json_t *
lget(json_t *summary, size_t image, size_t layer)
{
    json_t *im = json_array_get(json_object_get(summary, "images"), image);
    return json_array_get(json_object_get(im, "layers"), layer);
}

/* Streams layer i; returns the code; *tar gets the bytes (malloc'd) when non-NULL. */
static bsn_code
stream_layer(struct bsn_image *img, size_t i, unsigned char **tar, size_t *n,
             struct bsn_err *err)
{
    struct bsn_reader *r;
    BSN_TRY(bsn_image_open_layer(img, i, &r, err));
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    bsn_code rc;
    for (;;) {
        if (len + 8192 > cap)
            buf = realloc(buf, cap *= 2);
        size_t got = 0;
        rc = bsn_reader_read(r, buf + len, 8192, &got, err);
        if (rc != BSN_OK || got == 0)
            break;
        len += got;
    }
    bsn_reader_close(r);
    if (rc == BSN_OK && tar) {
        *tar = buf;
        *n = len;
    } else {
        free(buf);
    }
    return rc;
}

/* Layers of img match the summary's image: digests, diff_ids, sizes, created_by, bytes. */
static void
check_layers(struct bsn_image *img, json_t *summary, size_t image)
{
    json_t *layers = json_object_get(json_array_get(json_object_get(summary, "images"), image),
                                     "layers");
    assert_int_equal(img->info.n_layers, json_array_size(layers));
    for (size_t i = 0; i < img->info.n_layers; i++) {
        const struct bsn_layer_info *l = &img->info.layers[i];
        json_t *want = json_array_get(layers, i);
        assert_string_equal(l->digest, json_string_value(json_object_get(want, "digest")));
        assert_string_equal(l->diff_id, json_string_value(json_object_get(want, "diff_id")));
        assert_int_equal(l->size, json_integer_value(json_object_get(want, "size")));
        const char *cb = json_string_value(json_object_get(want, "created_by"));
        if (cb && *cb)
            assert_string_equal(l->created_by, cb);
        unsigned char *tar;
        size_t n;
        struct bsn_err err = { 0 };
        if (stream_layer(img, i, &tar, &n, &err) != BSN_OK)
            fail_msg("layer %zu: %s", i, err.msg);
        char d[BSN_DIGEST_MAX];
        bsn_sha256_digest(tar, n, d);
        assert_string_equal(d, l->diff_id);
        free(tar);
    }
}

static const char *const two_layers =
    "\"config\": {\"Env\": [\"PATH=/bin\"], \"User\": \"app\", \"Cmd\": [\"/bin/sh\"],"
    " \"Labels\": {\"k\": \"v\"}},"
    "\"history_extra\": [{\"created_by\": \"ENV A=1\", \"empty_layer\": true, \"before\": 1}],"
    "\"layers\": ["
    " {\"created_by\": \"ADD rootfs /\", \"compression\": \"gzip\", \"entries\": ["
    "   {\"path\": \"etc/os-release\", \"content\": \"ID=alpine\\n\"},"
    "   {\"path\": \"bin/sh\", \"content\": \"#!sh\"},"
    "   {\"path\": \"bin/ash\", \"type\": \"hardlink\", \"target\": \"bin/sh\"}]},"
    " {\"created_by\": \"RUN rm /etc/os-release\", \"compression\": \"zstd\", \"entries\": ["
    "   {\"path\": \"etc/os-release\", \"type\": \"whiteout\"},"
    "   {\"path\": \"var/cache\", \"type\": \"opaque\"}]}]";

struct seen {
    char out[1024];
    size_t len;
};

static bsn_code
note_entry(void *arg, struct bsn_walk *w, const struct bsn_entry *e, struct bsn_err *err)
{
    (void)w;
    (void)err;
    struct seen *s = arg;
    int k = snprintf(s->out + s->len, sizeof(s->out) - s->len, "%d:%s;", (int)e->type, e->path);
    s->len += (size_t)k;
    return BSN_OK;
}

static void
test_docker_archive(void **state)
{
    (void)state;
    char spec[4096];
    const char *fmts[] = { "docker-archive", "docker-archive-oci" };
    for (size_t f = 0; f < 2; f++) {
        snprintf(spec, sizeof(spec), "{\"format\": \"%s\", \"tags\": [\"app:1\", \"app:latest\"], %s}",
                 fmts[f], two_layers);
        json_t *sum = mk(fmts[f], spec);
        struct bsn_image *img = NULL;
        struct bsn_err err = { 0 };
        if (bsn_image_open(target("docker-archive:", fmts[f], ""), NULL, &img, &err) != BSN_OK)
            fail_msg("%s: %s", fmts[f], err.msg);
        assert_string_equal(img->source->name, "docker-archive");
        assert_string_equal(img->info.id, sget(sum, 0, "config_digest"));
        assert_int_equal(img->info.n_repo_tags, 2);
        assert_string_equal(img->info.repo_tags[0], "app:1");
        assert_string_equal(img->info.repo_tags[1], "app:latest");
        assert_string_equal(img->info.os, "linux");
        assert_string_equal(img->info.architecture, "amd64");
        assert_non_null(strstr(img->info.config_json, "\"User\":\"app\""));
        check_layers(img, sum, 0);
        /* The empty ENV entry is skipped when history is matched to layers. */
        assert_string_equal(img->info.layers[0].created_by, "ADD rootfs /");
        assert_string_equal(img->info.layers[1].created_by, "RUN rm /etc/os-release");
        if (f == 0) /* legacy: the tar is the blob */
            assert_string_equal(img->info.layers[0].digest, img->info.layers[0].diff_id);
        else
            assert_string_not_equal(img->info.layers[0].digest, img->info.layers[0].diff_id);

        /* Walk the top layer through the full chain: the whiteout and opaque marker. */
        struct bsn_reader *r;
        assert_int_equal(bsn_image_open_layer(img, 1, &r, &err), BSN_OK);
        struct seen s = { .len = 0 };
        assert_int_equal(bsn_layer_walk(r, note_entry, &s, &err), BSN_OK);
        bsn_reader_close(r);
        assert_string_equal(s.out, "6:etc/os-release;7:var/cache;");
        assert_int_equal(bsn_image_open_layer(img, 0, &r, &err), BSN_OK);
        s.len = 0;
        assert_int_equal(bsn_layer_walk(r, note_entry, &s, &err), BSN_OK);
        bsn_reader_close(r);
        assert_string_equal(s.out, "1:etc/os-release;1:bin/sh;4:bin/ash;");
        bsn_image_free(img);
        json_decref(sum);
    }
}

static void
test_compressions_same_tar(void **state)
{
    (void)state;
    static const char *const comps[] = { "none", "gzip", "gzip-multi", "zstd" };
    char spec[4096];
    size_t k = (size_t)snprintf(spec, sizeof(spec), "{\"format\": \"oci-archive\", \"layers\": [");
    for (size_t i = 0; i < 4; i++)
        k += (size_t)snprintf(spec + k, sizeof(spec) - k,
                              "%s{\"compression\": \"%s\", \"entries\": ["
                              "{\"path\": \"usr/share/doc/x\", \"size\": 300000, \"byte\": \"x\"},"
                              "{\"path\": \"etc/a\", \"content\": \"same\"}]}",
                              i ? "," : "", comps[i]);
    snprintf(spec + k, sizeof(spec) - k, "]}");
    json_t *sum = mk("comp.tar", spec);
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    if (bsn_image_open(target("oci-archive:", "comp.tar", ""), NULL, &img, &err) != BSN_OK)
        fail_msg("%s", err.msg);
    check_layers(img, sum, 0);
    assert_int_equal(img->layer_comp[0], BSN_COMP_NONE);
    assert_int_equal(img->layer_comp[1], BSN_COMP_GZIP);
    assert_int_equal(img->layer_comp[2], BSN_COMP_GZIP);
    assert_int_equal(img->layer_comp[3], BSN_COMP_ZSTD);
    assert_string_equal(img->info.layers[3].media_type,
                        "application/vnd.oci.image.layer.v1.tar+zstd");
    unsigned char *ref, *other;
    size_t ref_n, other_n;
    assert_int_equal(stream_layer(img, 0, &ref, &ref_n, &err), BSN_OK);
    assert_true(ref_n > 300000);
    for (size_t i = 1; i < 4; i++) {
        assert_string_equal(img->info.layers[i].diff_id, img->info.layers[0].diff_id);
        assert_int_equal(stream_layer(img, i, &other, &other_n, &err), BSN_OK);
        assert_int_equal(other_n, ref_n);
        assert_memory_equal(other, ref, ref_n);
        free(other);
    }
    free(ref);
    /* A lowered bound turns the layer into a bomb. */
    img->max_layer_bytes = 1000;
    assert_int_equal(stream_layer(img, 1, NULL, NULL, &err), BSN_ELIMIT);
    assert_non_null(strstr(err.msg, "decompresses past 1000 bytes"));
    assert_non_null(strstr(err.msg, img->info.layers[1].digest));
    bsn_image_free(img);
    json_decref(sum);
}

static const char *const refs_spec =
    "{\"format\": \"oci\", \"images\": ["
    " {\"ref\": \"v1\", \"layers\": [{\"entries\": [{\"path\": \"one\", \"content\": \"1\"}]}]},"
    " {\"ref\": \"v2\", \"layers\": [{\"compression\": \"gzip\","
    "   \"entries\": [{\"path\": \"two\", \"content\": \"2\"}]}]}]}";

static void
test_oci_refs(void **state)
{
    (void)state;
    json_t *sum = mk("refs", refs_spec);
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    if (bsn_image_open(target("oci:", "refs", ":v2"), NULL, &img, &err) != BSN_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(img->source->name, "oci");
    check_layers(img, sum, 1);
    assert_int_equal(img->info.n_repo_tags, 1);
    assert_string_equal(img->info.repo_tags[0], "v2");
    assert_string_equal(img->info.id, sget(sum, 1, "config_digest"));
    bsn_image_free(img);

    char t[600];
    snprintf(t, sizeof(t), "oci:%s/refs:%s", tmp, sget(sum, 0, "manifest_digest"));
    assert_int_equal(bsn_image_open(t, NULL, &img, &err), BSN_OK);
    check_layers(img, sum, 0);
    bsn_image_free(img);

    assert_int_equal(bsn_image_open(target("oci:", "refs", ""), NULL, &img, &err), BSN_EINVAL);
    assert_non_null(strstr(err.msg, "holds 2 images"));
    assert_non_null(strstr(err.msg, "(refs: v1, v2)"));
    /* Auto-detected as a layout, same question. */
    assert_int_equal(bsn_image_open(target("", "refs", ""), NULL, &img, &err), BSN_EINVAL);
    assert_int_equal(bsn_image_open(target("oci:", "refs", ":v3"), NULL, &img, &err),
                     BSN_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no image 'v3'"));
    assert_non_null(strstr(err.msg, "v1, v2"));
    json_decref(sum);
}

static const char *const platforms_spec =
    "{\"format\": \"oci-archive\", \"images\": [{\"ref\": \"multi\", \"platforms\": ["
    " {\"platform\": \"linux/amd64\", \"layers\": [{\"entries\": [{\"path\": \"a\"}]}]},"
    " {\"platform\": \"linux/arm64/v8\", \"layers\": [{\"compression\": \"zstd\","
    "   \"entries\": [{\"path\": \"b\"}]}]},"
    " {\"platform\": \"linux/arm/v7\", \"layers\": [{\"compression\": \"gzip\","
    "   \"entries\": [{\"path\": \"c\"}]}]}]}]}";

static void
test_platforms(void **state)
{
    (void)state;
    json_t *sum = mk("plat.tar", platforms_spec);
    struct bsn_scan_opts opts;
    memset(&opts, 0, sizeof(opts));
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    const char *t = target("oci-archive:", "plat.tar", "");

    opts.platform = "linux/arm64";
    if (bsn_image_open(t, &opts, &img, &err) != BSN_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(img->info.architecture, "arm64");
    assert_string_equal(img->info.variant, "v8");
    assert_string_equal(img->platform, "linux/arm64/v8");
    assert_string_equal(img->info.repo_tags[0], "multi");
    check_layers(img, sum, 1);
    bsn_image_free(img);

    opts.platform = "linux/arm/v7";
    assert_int_equal(bsn_image_open(t, &opts, &img, &err), BSN_OK);
    check_layers(img, sum, 2);
    bsn_image_free(img);

    opts.platform = "linux/s390x";
    assert_int_equal(bsn_image_open(t, &opts, &img, &err), BSN_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no image for platform 'linux/s390x'"));
    assert_non_null(strstr(err.msg, "available: linux/amd64, linux/arm64/v8, linux/arm/v7"));

    opts.platform = "all";
    assert_int_equal(bsn_image_open(t, &opts, &img, &err), BSN_OK);
    assert_int_equal(img->n_siblings, 2);
    check_layers(img, sum, 0);
    check_layers(img->siblings[0], sum, 1);
    check_layers(img->siblings[1], sum, 2);
    assert_string_equal(img->siblings[1]->platform, "linux/arm/v7");
    bsn_image_free(img);

    /* No --platform: the host's (this test runs on linux/amd64 or linux/arm64). */
    assert_int_equal(bsn_image_open(t, NULL, &img, &err), BSN_OK);
    assert_string_equal(img->platform, strcmp(bsn_host_platform(), "linux/arm64") == 0
                                           ? "linux/arm64/v8" : "linux/amd64");
    bsn_image_free(img);
    json_decref(sum);
}

static void
test_detection_and_errors(void **state)
{
    (void)state;
    const char *simple = "{\"tags\": [\"s:1\"], \"layers\": [{\"entries\": [{\"path\": \"x\"}]}]";
    char spec[512];
    static const struct {
        const char *fmt, *name, *source;
    } cases[] = {
        { "docker-archive", "d.tar", "docker-archive" },
        { "docker-archive-oci", "do.tar", "docker-archive" },
        { "oci-archive", "o.tar", "oci-archive" },
        { "oci", "odir", "oci" },
    };
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(spec, sizeof(spec), "%s, \"format\": \"%s\"}", simple, cases[i].fmt);
        json_decref(mk(cases[i].name, spec));
        if (bsn_image_open(target("", cases[i].name, ""), NULL, &img, &err) != BSN_OK)
            fail_msg("%s: %s", cases[i].name, err.msg);
        assert_string_equal(img->source->name, cases[i].source);
        assert_int_equal(img->info.n_layers, 1);
        bsn_image_free(img);
    }
    /* A plain directory is a root filesystem, with or without "dir:". */
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/rootfs", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(bsn_image_open(dir, NULL, &img, &err), BSN_OK);
    assert_string_equal(img->source->name, "dir");
    assert_string_equal(img->root_dir, dir);
    assert_int_equal(img->info.n_layers, 0);
    bsn_image_free(img);
    assert_int_equal(bsn_image_open(target("dir:", "rootfs", ""), NULL, &img, &err), BSN_OK);
    assert_string_equal(img->root_dir, dir);
    bsn_image_free(img);

    char want[400];
    const char *missing = target("", "nope.tar", "");
    assert_int_equal(bsn_image_open(missing, NULL, &img, &err), BSN_ENOTFOUND);
    snprintf(want, sizeof(want), "cannot open '%s': No such file or directory", missing);
    assert_string_equal(err.msg, want);
    assert_int_equal(bsn_image_open(target("docker-archive:", "nope.tar", ""), NULL, &img, &err),
                     BSN_ENOTFOUND);
    assert_int_equal(bsn_image_open(target("oci:", "nope", ""), NULL, &img, &err),
                     BSN_ENOTFOUND);

    static const struct {
        const char *target, *ref;
    } regs[] = {
        { "alpine:3.19", "alpine:3.19" },
        { "ghcr.io/o/r@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "ghcr.io/o/r@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
        { "host:5000/x:1", "host:5000/x:1" },
        { "registry:alpine", "alpine" },
        { "docker://library/debian:12", "library/debian:12" },
    };
    /* Registry references route to the registry source; offline, it refuses without any
     * network access and names the reference. */
    struct bsn_scan_opts offline;
    bsn_scan_opts_init(&offline);
    offline.offline = true;
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        assert_int_equal(bsn_image_open(regs[i].target, &offline, &img, &err), BSN_ENET);
        assert_non_null(strstr(err.msg, "offline"));
        (void)want;
    }

    /* A gzip'd oci-archive, and a file that is no tar. */
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "gzip -c '%s/o.tar' > '%s/o.tar.gz'", tmp, tmp);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(bsn_image_open(target("", "o.tar.gz", ""), NULL, &img, &err),
                     BSN_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "gzip-compressed archive"));
    snprintf(cmd, sizeof(cmd), "%s/notes.txt", tmp);
    FILE *f = fopen(cmd, "w");
    fputs("hello, this is not an image\n", f);
    fclose(f);
    assert_int_equal(bsn_image_open(cmd, NULL, &img, &err), BSN_EFORMAT);
    /* A tar that is neither kind. */
    snprintf(cmd, sizeof(cmd), "tar -C '%s' -cf '%s/other.tar' rootfs", tmp, tmp);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(bsn_image_open(target("", "other.tar", ""), NULL, &img, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "neither a docker-archive"));
}

static void
test_shared_layers_and_tags(void **state)
{
    (void)state;
    json_t *sum = mk("shared.tar",
                     "{\"format\": \"docker-archive\", \"images\": ["
                     " {\"tags\": [\"a:1\"], \"layers\": [{\"entries\": [{\"path\": \"s\","
                     "   \"content\": \"shared\"}]}]},"
                     " {\"tags\": [\"b:1\"], \"layers\": ["
                     "   {\"entries\": [{\"path\": \"base\"}]},"
                     "   {\"entries\": [{\"path\": \"s\", \"content\": \"shared\"}]}]}]}");
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    /* docker save links the shared layer; the index follows the symlink. */
    assert_int_equal(bsn_image_open(target("docker-archive:", "shared.tar", ":b:1"), NULL, &img,
                                    &err), BSN_OK);
    assert_string_equal(img->info.repo_tags[0], "b:1");
    check_layers(img, sum, 1);
    bsn_image_free(img);
    assert_int_equal(bsn_image_open(target("docker-archive:", "shared.tar", ":@0"), NULL, &img,
                                    &err), BSN_OK);
    check_layers(img, sum, 0);
    bsn_image_free(img);
    assert_int_equal(bsn_image_open(target("", "shared.tar", ""), NULL, &img, &err), BSN_EINVAL);
    assert_non_null(strstr(err.msg, "(tags: a:1, b:1)"));
    json_decref(sum);
}

static void
test_tampered(void **state)
{
    (void)state;
    static const char *const fmts[][2] = {
        { "docker-archive", "none" },  { "docker-archive-oci", "gzip" },
        { "oci-archive", "zstd" },     { "oci", "gzip" },
        { "oci-archive", "none" },
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        char spec[1024], name[32];
        snprintf(name, sizeof(name), "tamper%zu", i);
        snprintf(spec, sizeof(spec),
                 "{\"format\": \"%s\", \"tamper\": {\"layer\": 1}, \"layers\": ["
                 " {\"entries\": [{\"path\": \"ok\", \"content\": \"fine\"}]},"
                 " {\"compression\": \"%s\", \"entries\": [{\"path\": \"big\", \"size\": 100000,"
                 "   \"byte\": \"b\"}]}]}", fmts[i][0], fmts[i][1]);
        json_t *sum = mk(name, spec);
        struct bsn_image *img = NULL;
        struct bsn_err err = { 0 };
        assert_int_equal(bsn_image_open(target("", name, ""), NULL, &img, &err), BSN_OK);
        assert_int_equal(stream_layer(img, 0, NULL, NULL, &err), BSN_OK);
        assert_int_equal(stream_layer(img, 1, NULL, NULL, &err), BSN_EFORMAT);
        const char *d = json_string_value(json_object_get(lget(sum, 0, 1), "digest"));
        if (!strstr(err.msg, d))
            fail_msg("%s: '%s' does not name %s", fmts[i][0], err.msg, d);
        /* Through the walk too: the mismatch is the walk's error. */
        struct bsn_reader *r;
        assert_int_equal(bsn_image_open_layer(img, 1, &r, &err), BSN_OK);
        struct seen s = { .len = 0 };
        assert_int_equal(bsn_layer_walk(r, note_entry, &s, &err), BSN_EFORMAT);
        assert_non_null(strstr(err.msg, d));
        bsn_reader_close(r);
        bsn_image_free(img);
        json_decref(sum);
    }
}

static void
test_truncated(void **state)
{
    (void)state;
    static const char *const fmts[] = { "docker-archive", "docker-archive-oci", "oci-archive" };
    for (size_t i = 0; i < 3; i++) {
        char spec[1024], name[32];
        snprintf(name, sizeof(name), "trunc%zu.tar", i);
        snprintf(spec, sizeof(spec),
                 "{\"format\": \"%s\", \"truncate\": -60000, \"layers\": ["
                 " {\"entries\": [{\"path\": \"big\", \"size\": 100000, \"byte\": \"b\"}]}]}",
                 fmts[i]);
        json_decref(mk(name, spec));
        struct bsn_image *img = NULL;
        struct bsn_err err = { 0 };
        bsn_code rc = bsn_image_open(target("", name, ""), NULL, &img, &err);
        if (rc == BSN_OK) {
            rc = stream_layer(img, 0, NULL, NULL, &err);
            bsn_image_free(img);
        }
        if (rc != BSN_EFORMAT)
            fail_msg("%s: truncated archive gave %d '%s'", fmts[i], rc, err.msg);
    }
    /* A layout with a cut blob: the verifier reports how much arrived. */
    json_t *sum = mk("truncdir", "{\"format\": \"oci\", \"truncate\": 1000, \"layers\": ["
                                 " {\"entries\": [{\"path\": \"big\", \"size\": 100000}]}]}");
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_image_open(target("oci:", "truncdir", ""), NULL, &img, &err), BSN_OK);
    assert_int_equal(stream_layer(img, 0, NULL, NULL, &err), BSN_EFORMAT);
    char want[200];
    snprintf(want, sizeof(want), "blob %s is truncated: got 1000 of %lld bytes",
             json_string_value(json_object_get(lget(sum, 0, 0), "digest")),
             json_integer_value(json_object_get(lget(sum, 0, 0), "size")));
    assert_string_equal(err.msg, want);
    bsn_image_free(img);
    json_decref(sum);
}

static void
test_bad_index(void **state)
{
    (void)state;
    json_t *sum = mk("badix", "{\"format\": \"oci\", \"layers\": [{\"entries\": []}]}");
    char path[300];
    /* A digest that tries to climb out of blobs/ is refused before any file is opened. */
    snprintf(path, sizeof(path), "%s/badix/index.json", tmp);
    FILE *f = fopen(path, "w");
    fputs("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
          "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:../../x\","
          "\"size\":1}]}", f);
    fclose(f);
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_image_open(target("oci:", "badix", ""), NULL, &img, &err), BSN_EFORMAT);
    assert_non_null(strstr(err.msg, "invalid digest"));
    /* A manifest whose bytes do not match its digest. */
    f = fopen(path, "w");
    fprintf(f, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
               "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":3}]}",
            sget(sum, 0, "config_digest"));
    fclose(f);
    assert_int_equal(bsn_image_open(target("oci:", "badix", ""), NULL, &img, &err), BSN_EFORMAT);
    snprintf(path, sizeof(path), "digest mismatch for blob %s", sget(sum, 0, "config_digest"));
    if (!strstr(err.msg, path) && !strstr(err.msg, "larger than its recorded size"))
        fail_msg("%s", err.msg);
    json_decref(sum);
}

struct par_job {
    struct bsn_image *img;
    size_t layer;
    bsn_code rc;
    char digest[BSN_DIGEST_MAX];
};

static void *
par_stream(void *arg)
{
    struct par_job *j = arg;
    struct bsn_reader *r;
    struct bsn_err err = { 0 };
    j->rc = bsn_image_open_layer(j->img, j->layer, &r, &err);
    if (j->rc != BSN_OK)
        return NULL;
    struct bsn_sha256 h;
    bsn_sha256_init(&h);
    static _Thread_local unsigned char buf[32768];
    size_t got;
    while ((j->rc = bsn_reader_read(r, buf, sizeof(buf), &got, &err)) == BSN_OK && got)
        bsn_sha256_update(&h, buf, got);
    bsn_sha256_final(&h, j->digest);
    bsn_reader_close(r);
    return NULL;
}

/* Layers of one archive stream at once from several threads (each its own fd and offset). */
static void
test_parallel_layers(void **state)
{
    (void)state;
    json_t *sum = mk("par.tar",
                     "{\"format\": \"oci-archive\", \"layers\": ["
                     " {\"compression\": \"gzip\", \"entries\": [{\"path\": \"a\", \"size\": 400000,"
                     "   \"byte\": \"a\"}]},"
                     " {\"compression\": \"zstd\", \"entries\": [{\"path\": \"b\", \"size\": 300000,"
                     "   \"byte\": \"b\"}]},"
                     " {\"compression\": \"none\", \"entries\": [{\"path\": \"c\", \"size\": 200000,"
                     "   \"byte\": \"c\"}]},"
                     " {\"compression\": \"gzip-multi\", \"entries\": [{\"path\": \"d\","
                     "   \"size\": 500000, \"byte\": \"d\"}]}]}");
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_image_open(target("", "par.tar", ""), NULL, &img, &err), BSN_OK);
    struct par_job jobs[8];
    pthread_t th[8];
    for (size_t i = 0; i < 8; i++) {
        jobs[i].img = img;
        jobs[i].layer = i % 4;
        assert_int_equal(pthread_create(&th[i], NULL, par_stream, &jobs[i]), 0);
    }
    for (size_t i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].rc, BSN_OK);
        assert_string_equal(jobs[i].digest,
                            json_string_value(json_object_get(lget(sum, 0, i % 4), "diff_id")));
    }
    bsn_image_free(img);
    json_decref(sum);
}

/* buildx and Docker 25+ list attestation manifests beside the image: they are not choices. */
static void
test_attestations_skipped(void **state)
{
    (void)state;
    json_t *sum = mk("attest", "{\"format\": \"oci\", \"layers\": [{\"entries\": [{\"path\": \"x\"}]}]}");
    char path[300];
    snprintf(path, sizeof(path), "%s/attest/index.json", tmp);
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"schemaVersion\":2,\"manifests\":["
               "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\","
               "\"size\":%lld,\"platform\":{\"os\":\"linux\",\"architecture\":\"riscv64\"}},"
               "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\","
               "\"size\":10,\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
               "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}}]}",
            sget(sum, 0, "manifest_digest"), (long long)0, sget(sum, 0, "config_digest"));
    fclose(f);
    struct bsn_image *img = NULL;
    struct bsn_err err = { 0 };
    /* size 0 in the descriptor: unknown, not checked. The only image is taken, whatever its
     * platform. */
    if (bsn_image_open(target("oci:", "attest", ""), NULL, &img, &err) != BSN_OK)
        fail_msg("%s", err.msg);
    check_layers(img, sum, 0);
    bsn_image_free(img);
    json_decref(sum);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docker_archive),
        cmocka_unit_test(test_compressions_same_tar),
        cmocka_unit_test(test_oci_refs),
        cmocka_unit_test(test_platforms),
        cmocka_unit_test(test_detection_and_errors),
        cmocka_unit_test(test_shared_layers_and_tags),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_index),
        cmocka_unit_test(test_parallel_layers),
        cmocka_unit_test(test_attestations_skipped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
