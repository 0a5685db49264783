/*
 * Ubuntu chiseled images (https://github.com/canonical/chisel): no dpkg database, only the
 * manifest chisel writes, var/lib/chisel/manifest.wall: zstd-compressed "jsonwall", one JSON
 * object a line, sorted:
 *   {"jsonwall":"1.0","schema":"1.0","count":N}                          header
 *   {"kind":"package","name":"libc6","version":"2.35-0ubuntu3.8","sha256":"…","arch":"amd64"}
 *   {"kind":"slice","name":"libc6_libs"}
 *   {"kind":"path","path":"/usr/lib/x86_64-linux-gnu/libc.so.6","mode":"0755",
 *    "slices":["libc6_libs"],"sha256":"…","size":2220400}
 *   {"kind":"content","slice":"libc6_libs","path":"/usr/lib/…"}
 * Packages become deb packages (the manifest has no Source field: source_name is the binary's
 * own name); paths are marked owned. Peers (trivy, syft) do not read chisel manifests yet.
 * Decompression is bounded (64 MiB of JSON), lines over 1 MiB are errors.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>
#include <zstd.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "textfmt/purl.h"

#define MAX_JSON (64u << 20)
#define MAX_LINE (1u << 20)

static bsn_code
decompress(const struct bsn_input *in, struct bsn_buf *out, struct bsn_err *err)
{
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    if (!dc)
        return bsn_err_set(err, BSN_ELIMIT, "cannot allocate a zstd context");
    ZSTD_inBuffer src = { in->data, in->len, 0 };
    char chunk[65536];
    bsn_code rc = BSN_OK;
    for (;;) {
        ZSTD_outBuffer dst = { chunk, sizeof(chunk), 0 };
        size_t left = ZSTD_decompressStream(dc, &dst, &src);
        if (ZSTD_isError(left)) {
            rc = bsn_err_set(err, BSN_EFORMAT, "not a zstd stream: %s",
                             ZSTD_getErrorName(left));
            break;
        }
        if (bsn_buf_add(out, chunk, dst.pos) != BSN_OK) {
            rc = bsn_err_set(err, BSN_ELIMIT, "manifest is over %u bytes uncompressed",
                             MAX_JSON);
            break;
        }
        /* Input used up and the decoder has nothing more to give (a full output buffer may
         * hide more): done, or truncated if the frame is not complete. */
        if (src.pos == src.size && dst.pos < dst.size) {
            if (left != 0)
                rc = bsn_err_set(err, BSN_EFORMAT, "truncated zstd stream");
            break;
        }
    }
    ZSTD_freeDCtx(dc);
    return rc;
}

static const char *
jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bsn_code
chisel_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_buf json;
    bsn_buf_init(&json, MAX_JSON);
    bsn_code rc = decompress(in, &json, err);
    if (rc != BSN_OK) {
        bsn_buf_release(&json);
        return rc;
    }
    struct bsn_str cur = bsn_buf_str(&json), line;
    size_t lineno = 0, bad = 0;
    bool header = false;
    while (bsn_sp_line(&cur, &line) == 0) {
        lineno++;
        if (!line.len)
            continue;
        if (line.len > MAX_LINE) {
            rc = bsn_err_set(err, BSN_ELIMIT, "line %zu is over %u bytes", lineno, MAX_LINE);
            break;
        }
        json_error_t je;
        json_t *o = json_loadb(line.ptr, line.len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            if (lineno == 1) {
                rc = bsn_err_set(err, BSN_EFORMAT, "line 1: not a jsonwall manifest");
                break;
            }
            bad++;
            continue;
        }
        if (lineno == 1) {
            header = jstr(o, "jsonwall") != NULL;
            json_decref(o);
            if (!header) {
                rc = bsn_err_set(err, BSN_EFORMAT, "line 1: no jsonwall header");
                break;
            }
            continue;
        }
        const char *kind = jstr(o, "kind");
        if (kind && strcmp(kind, "package") == 0) {
            const char *name = jstr(o, "name"), *version = jstr(o, "version");
            if (name && *name && version && *version) {
                struct bsn_package *p = bsn_actx_add_package(ctx);
                p->type = "deb";
                p->analyzer = "chisel";
                p->name = bsn_arena_strdup(a, name);
                p->version = bsn_arena_strdup(a, version);
                p->arch = jstr(o, "arch") ? bsn_arena_strdup(a, jstr(o, "arch")) : NULL;
                p->source_name = p->name;
                p->source_version = p->version;
            } else {
                bad++;
            }
        } else if (kind && strcmp(kind, "path") == 0) {
            const char *path = jstr(o, "path");
            while (path && *path == '/')
                path++;
            if (path && *path)
                bsn_actx_add_owned(ctx, path, strlen(path));
        }
        json_decref(o);
    }
    bsn_buf_release(&json);
    if (rc == BSN_OK && bad)
        bsn_actx_warn(ctx, "%zu malformed manifest entries ignored", bad);
    return rc;
}

static bsn_code
chisel_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    const struct bsn_os *os = bsn_fctx_os(ctx);
    const char *ns = os && os->family && strcmp(os->family, "debian") == 0 ? "debian"
                                                                           : "ubuntu";
    const char *distro = NULL;
    if (os && os->family && os->version && strcmp(os->family, ns) == 0)
        distro = bsn_arena_printf(a, "%s-%s", os->family, os->version);
    struct bsn_package **pkgs;
    size_t n = bsn_fctx_packages(ctx, &pkgs);
    for (size_t i = 0; i < n; i++) {
        struct bsn_purl_qualifier q[2] = { { "arch", pkgs[i]->arch }, { "distro", distro } };
        struct bsn_purl purl = {
            .type = "deb", .namespace = ns, .name = pkgs[i]->name,
            .version = pkgs[i]->version, .qualifiers = q, .n_qualifiers = 2,
        };
        pkgs[i]->purl = bsn_purl_format(a, &purl);
    }
    return BSN_OK;
}

static const char *const chisel_exts[] = { "var/lib/chisel/manifest.wall", NULL };

static bool
chisel_wants(const struct bsn_path *p)
{
    return p->len == sizeof("var/lib/chisel/manifest.wall") - 1;
}

const struct bsn_analyzer bsn_analyzer_chisel = {
    .name = "chisel",
    .scheme = "deb",
    .version = 1,
    .max_input = 16u << 20,
    .exts = chisel_exts,
    .wants = chisel_wants,
    .parse = chisel_parse,
    .finish = chisel_finish,
};
