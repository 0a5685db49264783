/*
 * Alpine packages (apk-tools): lib/apk/db/installed (usr/lib/apk/db/installed with apk 3).
 *
 * Format (https://wiki.alpinelinux.org/wiki/Apk_spec, "Installed Database V2"): records
 * separated by blank lines; every line is "X:value" with a one-letter key. Used here:
 *   P name  V version  A arch  o origin (source package)  L license  m maintainer
 *   F directory (relative, no leading '/')  R file inside the last F  (a:/M:/Z: per-file
 *   attributes follow and are ignored)
 * A line without the "X:" shape makes the whole file invalid, as apk itself refuses it (syft
 * and scalibr report such files as errors, e.g. a database starting "this is a corrupt db").
 * Seen in alpine:3.4-era images: records without o: (origin defaults to the name).
 *
 * Licenses: L: is an SPDX-ish expression or a space separated list ("MIT BSD GPL2+");
 * operators and parentheses are dropped and common legacy names normalised to SPDX ids the
 * way trivy does ("GPL2" -> GPL-2.0-only, "GPL2+"/"GPL" -> GPL-2.0-or-later, "BSD" ->
 * BSD-3-Clause, "zlib" -> Zlib, "openssl" -> OpenSSL).
 *
 * Installed files (F:/R: joined, no leading '/') are marked owned. Purls are built in
 * finish(): pkg:apk/alpine/NAME@VER?arch=A&distro=alpine-3.19.1[&upstream=ORIGIN]; the
 * namespace is the OS family for apk-based distributions (alpine, wolfi, chainguard).
 */
#include <stdbool.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "textfmt/purl.h"

#define MAX_LICENSES 32

struct apk_rec {
    struct bsn_str name, version, arch, origin, license, maintainer;
    struct bsn_str dir;
    size_t line;
};

static bool
ieq(struct bsn_str s, const char *lit)
{
    return bsn_str_ieq_cstr(s, lit);
}

/* Legacy license names -> SPDX (trivy's normalisation for the names Alpine uses). */
static const char *
normalize_license(struct bsn_str s)
{
    static const struct {
        const char *from, *to;
    } map[] = {
        { "GPL", "GPL-2.0-or-later" },      { "GPL2", "GPL-2.0-only" },
        { "GPL-2", "GPL-2.0-only" },        { "GPL2+", "GPL-2.0-or-later" },
        { "GPL-2+", "GPL-2.0-or-later" },   { "GPL-2.0", "GPL-2.0-only" },
        { "GPL-2.0+", "GPL-2.0-or-later" }, { "GPL3", "GPL-3.0-only" },
        { "GPL-3", "GPL-3.0-only" },        { "GPL3+", "GPL-3.0-or-later" },
        { "GPL-3+", "GPL-3.0-or-later" },   { "GPL-3.0", "GPL-3.0-only" },
        { "GPL-3.0+", "GPL-3.0-or-later" }, { "LGPL", "LGPL-2.0-or-later" },
        { "LGPL2", "LGPL-2.0-only" },       { "LGPL2+", "LGPL-2.0-or-later" },
        { "LGPL2.1", "LGPL-2.1-only" },     { "LGPL-2.1", "LGPL-2.1-only" },
        { "LGPL2.1+", "LGPL-2.1-or-later" }, { "LGPL-2.1+", "LGPL-2.1-or-later" },
        { "LGPL3", "LGPL-3.0-only" },       { "LGPL3+", "LGPL-3.0-or-later" },
        { "LGPL-3.0", "LGPL-3.0-only" },    { "LGPL-3.0+", "LGPL-3.0-or-later" },
        { "BSD", "BSD-3-Clause" },          { "ZLIB", "Zlib" },
        { "OPENSSL", "OpenSSL" },           { "APACHE2", "Apache-2.0" },
        { "APACHE-2", "Apache-2.0" },       { "APACHE", "Apache-2.0" },
        { "MPL2", "MPL-2.0" },              { "MIT/X11", "MIT" },
        { "PUBLIC-DOMAIN", "Public-Domain" }, { "PUBLICDOMAIN", "Public-Domain" },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (ieq(s, map[i].from))
            return map[i].to;
    return NULL;
}

static void
set_licenses(struct bsn_arena *a, struct bsn_package *p, struct bsn_str l)
{
    const char *out[MAX_LICENSES];
    size_t n = 0;
    struct bsn_str cur = l, w;
    while (n < MAX_LICENSES) {
        bsn_sp_blanks(&cur);
        if (bsn_sp_word(&cur, &w, 512) != 0)
            break;
        /* Parentheses may be glued to a name: "(MIT" */
        while (w.len && w.ptr[0] == '(') {
            w.ptr++;
            w.len--;
        }
        while (w.len && w.ptr[w.len - 1] == ')')
            w.len--;
        if (!w.len || ieq(w, "AND") || ieq(w, "OR"))
            continue;
        if (ieq(w, "WITH") && n) {
            struct bsn_str exc;
            bsn_sp_blanks(&cur);
            if (bsn_sp_word(&cur, &exc, 512) == 0) {
                while (exc.len && exc.ptr[exc.len - 1] == ')')
                    exc.len--;
                out[n - 1] = bsn_arena_printf(a, "%s WITH %.*s", out[n - 1], BSN_STR_ARG(exc));
            }
            continue;
        }
        const char *norm = normalize_license(w);
        out[n++] = norm ? norm : bsn_arena_strslice(a, w);
    }
    if (!n)
        return;
    p->licenses = bsn_arena_memdup(a, out, n * sizeof(out[0]));
    p->n_licenses = n;
}

static void
emit(struct bsn_actx *ctx, const struct apk_rec *r)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    if (!r->name.len || !r->version.len) {
        bsn_actx_warn(ctx, "line %zu: record without P: or V: skipped", r->line);
        return;
    }
    struct bsn_package *p = bsn_actx_add_package(ctx);
    p->type = "apk";
    p->name = bsn_arena_strslice(a, r->name);
    p->version = bsn_arena_strslice(a, r->version);
    p->arch = r->arch.len ? bsn_arena_strslice(a, r->arch) : NULL;
    p->source_name = r->origin.len ? bsn_arena_strslice(a, r->origin) : p->name;
    p->source_version = p->version;
    p->maintainer = r->maintainer.len ? bsn_arena_strslice(a, r->maintainer) : NULL;
    p->analyzer = "apk";
    if (r->license.len)
        set_licenses(a, p, r->license);
}

static bsn_code
apk_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    size_t lineno = 0;
    struct bsn_buf path;

    /* apk refuses a database with a malformed line: so do we, before emitting anything. */
    while (bsn_sp_line(&cur, &line) == 0) {
        lineno++;
        if (line.len && (line.len < 2 || line.ptr[1] != ':'))
            return bsn_err_set(err, BSN_EFORMAT, "line %zu: not an 'X:value' line", lineno);
    }

    bsn_buf_init(&path, 8192);
    struct apk_rec r;
    bool in_rec = false;
    memset(&r, 0, sizeof(r));
    cur = bsn_str_make((const char *)in->data, in->len);
    lineno = 0;
    for (;;) {
        bool more = bsn_sp_line(&cur, &line) == 0;
        if (more)
            lineno++;
        if (!more || !line.len) {
            if (in_rec)
                emit(ctx, &r);
            memset(&r, 0, sizeof(r));
            in_rec = false;
            if (!more)
                break;
            continue;
        }
        if (!in_rec) {
            in_rec = true;
            r.line = lineno;
        }
        struct bsn_str v = bsn_str_make(line.ptr + 2, line.len - 2);
        switch (line.ptr[0]) {
        case 'P': r.name = v; break;
        case 'V': r.version = v; break;
        case 'A': r.arch = v; break;
        case 'o': r.origin = v; break;
        case 'L': r.license = v; break;
        case 'm': r.maintainer = v; break;
        case 'F': r.dir = v; break;
        case 'R':
            bsn_buf_reset(&path);
            if (r.dir.len && (bsn_buf_add(&path, r.dir.ptr, r.dir.len) != BSN_OK ||
                              bsn_buf_addc(&path, '/') != BSN_OK))
                break;
            if (bsn_buf_add(&path, v.ptr, v.len) != BSN_OK)
                break;
            bsn_actx_add_owned(ctx, path.ptr, path.len);
            break;
        default:
            break;
        }
    }
    bsn_buf_release(&path);
    return BSN_OK;
}

static bsn_code
apk_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    const struct bsn_os *os = bsn_fctx_os(ctx);
    const char *ns = "alpine";
    if (os && os->family &&
        (strcmp(os->family, "wolfi") == 0 || strcmp(os->family, "chainguard") == 0 ||
         strcmp(os->family, "alpine") == 0))
        ns = os->family;
    const char *distro = NULL;
    if (os && os->family && os->version && strcmp(os->family, ns) == 0)
        distro = bsn_arena_printf(a, "%s-%s", os->family, os->version);
    struct bsn_package **pkgs;
    size_t n = bsn_fctx_packages(ctx, &pkgs);
    for (size_t i = 0; i < n; i++) {
        struct bsn_package *p = pkgs[i];
        struct bsn_purl_qualifier q[3] = {
            { "arch", p->arch },
            { "distro", distro },
            { "upstream", (p->source_name && strcmp(p->source_name, p->name) != 0)
                              ? p->source_name : NULL },
        };
        struct bsn_purl purl = {
            .type = "apk", .namespace = ns, .name = p->name, .version = p->version,
            .qualifiers = q, .n_qualifiers = 3,
        };
        p->purl = bsn_purl_format(a, &purl);
    }
    return BSN_OK;
}

static const char *const apk_exts[] = { "lib/apk/db/installed", NULL };

/* apk-tools 3 (Alpine 3.23+) keeps the database under usr/lib/apk/db. */
static bool
apk_wants(const struct bsn_path *p)
{
    return p->len == sizeof("lib/apk/db/installed") - 1 ||
           (p->len == sizeof("usr/lib/apk/db/installed") - 1 &&
            memcmp(p->path, "usr/", 4) == 0);
}

const struct bsn_analyzer bsn_analyzer_apk = {
    .name = "apk",
    .scheme = "apk",
    .version = 1,
    .max_input = 256u << 20,
    .names = NULL,
    .exts = apk_exts,
    .wants = apk_wants,
    .parse = apk_parse,
    .finish = apk_finish,
};
