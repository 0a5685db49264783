/*
 * Rust executables built with cargo-auditable (https://github.com/rust-secure-code/
 * cargo-auditable): the dependency tree the build embedded in the ELF section ".dep-v0", a
 * zlib stream of compact JSON
 *     {"packages":[{"name":"x","version":"1.0.0","source":"crates.io","kind":"build",
 *                   "dependencies":[1,2],"root":true}, …]}
 * ("kind" is absent for runtime crates; "dependencies" index into the array).
 *
 * Reported as Trivy does (pkg/dependency/parser/rust/binary): runtime crates only (build
 * dependencies are not in the executable), each name@version once; the root crate has
 * relationship root, and, since the format records the graph, the root's dependencies are
 * direct and the others indirect.
 *
 * Streaming without the section headers: they sit at the end of the file, after the section
 * has gone by, so the stream is searched instead. Every position holding a zlib header
 * (0x78 0x01/0x5e/0x9c/0xda, no preset dictionary) starts a trial inflate that lives only
 * while its output reads '{"packages":[' (auditable-serde writes that field first; most
 * trials die within a few bytes of input; at most 8 at once); the first trial that shows the
 * whole prefix is inflated to its end (at most 16 MiB of JSON). A trial that fails later
 * was a coincidence: the search resumes with the next chunk, up to 4 times per file and
 * 64 MiB inflated in all (crafted prefixes cannot make a file cost more). Non-ELF files are dropped
 * after their first chunk; memory is the trial pool and the JSON.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "base/map.h"
#include "base/xalloc.h"
#include "textfmt/purl.h"

#define RA_TRIALS 8
#define RA_PREFIX "{\"packages\":["
#define RA_PREFIX_LEN 13
#define RA_MAX_JSON (16u * 1024 * 1024)
#define RA_MIN_SIZE 1024
#define RA_MAX_PROMOTED 4                     /* trials inflated to their end per file */
#define RA_MAX_INFLATED (64ull * 1024 * 1024) /* bytes inflated by them per file */

struct trial {
    z_stream z;
    bool live;
    unsigned char out[RA_PREFIX_LEN];
    size_t got;
};

struct rust_audit {
    unsigned char head[4];
    size_t head_len;
    bool elf;
    bool done;
    int prev;                 /* last byte of the previous chunk, or -1 */
    struct trial t[RA_TRIALS];
    bool z_ready[RA_TRIALS];  /* inflateInit done for the slot */
    int active;               /* slot being inflated to its end, or -1 */
    unsigned promoted;        /* trials that showed the prefix so far */
    uint64_t inflated;
    struct bsn_buf json;
};

static bool
flg_ok(unsigned char c)
{
    return c == 0x01 || c == 0x5e || c == 0x9c || c == 0xda;
}

/* ---- emitting ------------------------------------------------------------------------------ */

static bsn_code
report(struct bsn_actx *ctx, const char *data, size_t len, struct bsn_err *err)
{
    json_error_t je;
    json_t *doc = json_loadb(data, len, 0, &je);
    if (!doc)
        return bsn_err_set(err, BSN_EFORMAT, "invalid cargo-auditable JSON in '.dep-v0': %s",
                           je.text);
    json_t *pkgs = json_object_get(doc, "packages");
    if (!json_is_array(pkgs)) {
        json_decref(doc);
        return bsn_err_set(err, BSN_EFORMAT, "cargo-auditable data without a 'packages' array");
    }
    size_t n = json_array_size(pkgs);
    /* direct = a runtime dependency of the root crate */
    unsigned char *direct = bsn_xcalloc(n ? n : 1, 1);
    size_t i;
    json_t *p;
    json_array_foreach(pkgs, i, p) {
        if (!json_is_true(json_object_get(p, "root")))
            continue;
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(p, "dependencies"), k, d) {
            json_int_t idx = json_integer_value(d);
            if (json_is_integer(d) && idx >= 0 && (size_t)idx < n)
                direct[idx] = 1;
        }
    }
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    struct bsn_map seen;
    bsn_map_init(&seen);
    json_array_foreach(pkgs, i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *version = json_string_value(json_object_get(p, "version"));
        const char *kind = json_string_value(json_object_get(p, "kind"));
        if (!name || !version || !*name || !*version)
            continue;
        if (kind && strcmp(kind, "runtime") != 0)
            continue;
        char *key = bsn_arena_printf(s, "%s@%s", name, version);
        if (bsn_map_get(&seen, key, strlen(key)))
            continue;
        bsn_map_put(&seen, key, strlen(key), (void *)1);
        struct bsn_package *pkg = bsn_actx_add_package(ctx);
        pkg->type = "cargo";
        pkg->name = bsn_arena_strdup(a, name);
        pkg->version = bsn_arena_strdup(a, version);
        struct bsn_purl purl = { .type = "cargo", .name = name, .version = version };
        pkg->purl = bsn_purl_format(a, &purl);
        if (json_is_true(json_object_get(p, "root")))
            pkg->dep = BSN_DEP_ROOT;
        else
            pkg->dep = direct[i] ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT;
    }
    bsn_map_release(&seen);
    free(direct);
    json_decref(doc);
    return BSN_OK;
}

/* ---- trials --------------------------------------------------------------------------------- */

/* Inflates the active trial over in[0..len) to the end of its stream. */
static bsn_code
collect(struct bsn_actx *ctx, struct rust_audit *r, const unsigned char *in, size_t len,
        struct bsn_err *err)
{
    z_stream *z = &r->t[r->active].z;
    z->next_in = (unsigned char *)(uintptr_t)in;
    z->avail_in = (uInt)len;
    unsigned char out[64 * 1024];
    for (;;) {
        z->next_out = out;
        z->avail_out = sizeof(out);
        int zr = inflate(z, Z_NO_FLUSH);
        size_t got = sizeof(out) - z->avail_out;
        r->inflated += got;
        if (r->inflated > RA_MAX_INFLATED) {
            r->done = true; /* crafted prefixes: no real section costs this much */
            return BSN_ECANCELED;
        }
        if (got && bsn_buf_add(&r->json, out, got) != BSN_OK) {
            r->done = true;
            return bsn_err_set(err, BSN_ELIMIT, "cargo-auditable JSON over %u bytes",
                               RA_MAX_JSON);
        }
        if (zr == Z_STREAM_END) {
            r->done = true;
            bsn_code rc = report(ctx, r->json.ptr, r->json.len, err);
            return rc == BSN_OK ? BSN_ECANCELED : rc;
        }
        if (zr == Z_BUF_ERROR || (zr == Z_OK && z->avail_in == 0 && z->avail_out != 0))
            return BSN_OK; /* wants the next chunk */
        if (zr != Z_OK) {
            /* not the section after all: back to searching, a few times */
            r->t[r->active].live = false;
            r->active = -1;
            bsn_buf_reset(&r->json);
            if (++r->promoted >= RA_MAX_PROMOTED) {
                r->done = true;
                return BSN_ECANCELED;
            }
            return BSN_OK;
        }
    }
}

/* Feeds a trial; true when it has shown the JSON prefix (it becomes the active one). */
static bool
trial_feed(struct trial *t, const unsigned char *in, size_t len)
{
    t->z.next_in = (unsigned char *)(uintptr_t)in;
    t->z.avail_in = (uInt)len;
    t->z.next_out = t->out + t->got;
    t->z.avail_out = (uInt)(RA_PREFIX_LEN - t->got);
    int zr = inflate(&t->z, Z_NO_FLUSH);
    t->got = RA_PREFIX_LEN - t->z.avail_out;
    if (memcmp(t->out, RA_PREFIX, t->got) != 0 || (zr != Z_OK && zr != Z_BUF_ERROR)) {
        t->live = false;
        return false;
    }
    return t->got == RA_PREFIX_LEN;
}

static int
trial_start(struct rust_audit *r)
{
    for (int i = 0; i < RA_TRIALS; i++) {
        if (r->t[i].live)
            continue;
        struct trial *t = &r->t[i];
        if (!r->z_ready[i]) {
            memset(&t->z, 0, sizeof(t->z));
            if (inflateInit(&t->z) != Z_OK)
                return -1;
            r->z_ready[i] = true;
        } else if (inflateReset(&t->z) != Z_OK) {
            return -1;
        }
        t->live = true;
        t->got = 0;
        return i;
    }
    return -1;
}

/* ---- streaming entry points ------------------------------------------------------------------ */

static bool
ra_wants(const struct bsn_path *p)
{
    return (p->mode & 0170000) == 0100000 && (p->mode & 0111) && p->size >= RA_MIN_SIZE;
}

static bsn_code
ra_begin(struct bsn_actx *ctx, const struct bsn_path *p, void **state, struct bsn_err *err)
{
    (void)ctx;
    (void)p;
    (void)err;
    struct rust_audit *r = bsn_xcalloc(1, sizeof(*r));
    r->prev = -1;
    r->active = -1;
    bsn_buf_init(&r->json, RA_MAX_JSON);
    *state = r;
    return BSN_OK;
}

static bsn_code
ra_data(struct bsn_actx *ctx, void *state, const void *buf, size_t len, struct bsn_err *err)
{
    struct rust_audit *r = state;
    const unsigned char *b = buf;
    if (r->done)
        return BSN_ECANCELED;
    if (!r->elf) {
        size_t take = 4 - r->head_len;
        if (take > len)
            take = len;
        memcpy(r->head + r->head_len, b, take);
        r->head_len += take;
        if (r->head_len < 4)
            return BSN_OK;
        if (memcmp(r->head, "\x7f" "ELF", 4) != 0) {
            r->done = true;
            return BSN_ECANCELED;
        }
        r->elf = true;
    }
    if (r->active >= 0)
        return collect(ctx, r, b, len, err);
    for (int i = 0; i < RA_TRIALS; i++) {
        if (r->t[i].live && trial_feed(&r->t[i], b, len)) {
            r->active = i;
            struct trial *t = &r->t[i];
            if (bsn_buf_add(&r->json, t->out, t->got) != BSN_OK)
                return BSN_ECANCELED;
            return collect(ctx, r, t->z.next_in, t->z.avail_in, err);
        }
    }
    /* a zlib header split across the chunk boundary */
    if (r->prev == 0x78 && len && flg_ok(b[0])) {
        int i = trial_start(r);
        if (i >= 0) {
            static const unsigned char cmf = 0x78;
            struct trial *t = &r->t[i];
            if (trial_feed(t, &cmf, 1) || (t->live && trial_feed(t, b, len))) {
                r->active = i;
                if (bsn_buf_add(&r->json, t->out, t->got) != BSN_OK)
                    return BSN_ECANCELED;
                return collect(ctx, r, t->z.next_in, t->z.avail_in, err);
            }
        }
    }
    const unsigned char *p = b, *end = b + len;
    while (p + 1 < end && (p = memchr(p, 0x78, (size_t)(end - p - 1))) != NULL) {
        if (flg_ok(p[1])) {
            int i = trial_start(r);
            if (i >= 0 && trial_feed(&r->t[i], p, (size_t)(end - p))) {
                struct trial *t = &r->t[i];
                r->active = i;
                if (bsn_buf_add(&r->json, t->out, t->got) != BSN_OK)
                    return BSN_ECANCELED;
                return collect(ctx, r, t->z.next_in, t->z.avail_in, err);
            }
        }
        p++;
    }
    r->prev = len ? b[len - 1] : r->prev;
    return BSN_OK;
}

static bsn_code
ra_end(struct bsn_actx *ctx, void *state, struct bsn_err *err)
{
    (void)ctx;
    (void)err;
    struct rust_audit *r = state;
    for (int i = 0; i < RA_TRIALS; i++)
        if (r->z_ready[i])
            inflateEnd(&r->t[i].z);
    bsn_buf_release(&r->json);
    free(r);
    return BSN_OK;
}

const struct bsn_analyzer bsn_analyzer_rust_audit = {
    .name = "rust_audit",
    .scheme = "cargo",
    .version = 1,
    .wants = ra_wants,
    .stream_begin = ra_begin,
    .stream_data = ra_data,
    .stream_end = ra_end,
};
