/*
 * Debian packages (dpkg) and OpenWrt packages (opkg).
 *
 * Files (paths relative to the image root):
 *   var/lib/dpkg/status               RFC 822 stanzas, one per package, blank-line separated
 *                                     (deb-control(5), dpkg(1) "INFORMATION ABOUT PACKAGES")
 *   var/lib/dpkg/status.d/NAME        distroless: one stanza file per package (no Status field
 *                                     in Google's images: present means installed)
 *   var/lib/dpkg/status.d/NAME.md5sums  distroless file lists ("MD5  path", path relative)
 *   var/lib/dpkg/info/NAME[:ARCH].list  installed files, one absolute path a line
 *   usr/share/doc/NAME/copyright      licenses from the machine-readable DEP-5 format
 *                                     (https://www.debian.org/doc/packaging-manuals/
 *                                     copyright-format/1.0/): "License:" fields and references
 *                                     to /usr/share/common-licenses/NAME, as syft reads them
 *   usr/lib/opkg/status, var/lib/opkg/status  OpenWrt's opkg: the same stanza syntax; reported
 *                                     as type "opkg" (purl pkg:opkg/openwrt/…), License field;
 *                                     usr/lib/opkg/info/NAME.list are its file lists
 *
 * Reported: packages whose Status third word is "installed" (install/hold/deinstall/purge
 * wants all count: "deinstall ok config-files" does not); Source "NAME (VERSION)" splits into
 * source_name/source_version, which default to the binary's (binNMUs: util-linux-extra
 * 2.38.1-5+b1 from util-linux 2.38.1-5). Versions keep their epoch ("1:2.5.1-4").
 * A stanza without Package or Version is skipped with a warning. A file whose lines are not
 * "Key: value" stanzas at all is an error. vcpkg writes a "status" file with the same syntax
 * (claircore#1359: Architecture "x64-windows", "Abi:", "Type: Port"): rejected as not dpkg.
 *
 * finish() joins copyright licenses, and builds purls from the merged OS:
 * pkg:deb/debian/NAME@VER?arch=A&distro=debian-12.7[&upstream=SRC[@SRCVER]] (syft's form).
 * Distroless images without os-release are identified as debian here (priority 1).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "textfmt/purl.h"

#define PRIO_DISTROLESS 1
#define MAX_LICENSES 64

struct stanza {
    struct bsn_str package, version, arch, source, status, maintainer, license;
    bool has_status;
    bool vcpkg;      /* fields only vcpkg writes */
    size_t fields;
    size_t line;     /* first line, for warnings */
};

static bool
has_prefix(const struct bsn_path *p, const char *prefix)
{
    size_t n = strlen(prefix);
    return p->len > n && memcmp(p->path, prefix, n) == 0;
}

static bool
path_is(const struct bsn_path *p, const char *s)
{
    return strlen(s) == p->len && memcmp(p->path, s, p->len) == 0;
}

static bool
ends_with(const struct bsn_path *p, const char *suffix)
{
    size_t n = strlen(suffix);
    return p->len >= n && memcmp(p->path + p->len - n, suffix, n) == 0;
}

/* A direct child of dir (no further '/'). */
static bool
child_of(const struct bsn_path *p, const char *dir)
{
    size_t n = strlen(dir);
    return has_prefix(p, dir) && memchr(p->path + n, '/', p->len - n) == NULL;
}

static bool
is_opkg_status(const struct bsn_path *p)
{
    return path_is(p, "usr/lib/opkg/status") || path_is(p, "var/lib/opkg/status");
}

static bool
is_copyright(const struct bsn_path *p)
{
    static const char pre[] = "usr/share/doc/";
    size_t n = sizeof(pre) - 1;
    if (!has_prefix(p, pre) || !ends_with(p, "/copyright"))
        return false;
    const char *name = p->path + n;
    size_t name_len = p->len - n - (sizeof("/copyright") - 1);
    return name_len > 0 && memchr(name, '/', name_len) == NULL;
}

static bool
dpkg_wants(const struct bsn_path *p)
{
    if (path_is(p, "var/lib/dpkg/status") || is_opkg_status(p))
        return true;
    if (child_of(p, "var/lib/dpkg/status.d/"))
        return true;
    if ((child_of(p, "var/lib/dpkg/info/") || child_of(p, "usr/lib/opkg/info/")) &&
        ends_with(p, ".list"))
        return true;
    return is_copyright(p);
}

static void
stanza_field(struct stanza *s, struct bsn_str key, struct bsn_str val)
{
    s->fields++;
    if (bsn_str_eq_cstr(key, "Package"))
        s->package = val;
    else if (bsn_str_eq_cstr(key, "Version"))
        s->version = val;
    else if (bsn_str_eq_cstr(key, "Architecture"))
        s->arch = val;
    else if (bsn_str_eq_cstr(key, "Source"))
        s->source = val;
    else if (bsn_str_eq_cstr(key, "Status")) {
        s->status = val;
        s->has_status = true;
    } else if (bsn_str_eq_cstr(key, "Maintainer"))
        s->maintainer = val;
    else if (bsn_str_eq_cstr(key, "License"))
        s->license = val;
    else if (bsn_str_eq_cstr(key, "Abi") || bsn_str_eq_cstr(key, "Feature") ||
             (bsn_str_eq_cstr(key, "Type") && bsn_str_eq_cstr(val, "Port")))
        s->vcpkg = true;
    if (bsn_str_eq_cstr(key, "Architecture") &&
        (bsn_str_ends(val, "-windows") || bsn_str_ends(val, "-linux") ||
         bsn_str_ends(val, "-osx") || bsn_str_ends(val, "-uwp")))
        s->vcpkg = true;
}

/* The third word of Status ("install ok installed") is "installed". */
static bool
status_installed(struct bsn_str st)
{
    struct bsn_str cur = st, w;
    for (int i = 0; i < 3; i++) {
        bsn_sp_blanks(&cur);
        if (bsn_sp_word(&cur, &w, 64) != 0)
            return false;
    }
    return bsn_str_eq_cstr(w, "installed");
}

static char *
dup_or_null(struct bsn_arena *a, struct bsn_str s)
{
    return s.len ? bsn_arena_strslice(a, s) : NULL;
}

static void
emit(struct bsn_actx *ctx, const struct stanza *s, bool opkg, bool statusd)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    if (!s->package.len || !s->version.len) {
        if (s->package.len)
            bsn_actx_warn(ctx, "line %zu: package '%.*s' has no Version: skipped", s->line,
                          BSN_STR_ARG(s->package));
        else
            bsn_actx_warn(ctx, "line %zu: stanza without Package: skipped", s->line);
        return;
    }
    if (!s->has_status && !statusd) {
        /* dpkg always writes Status in its status file: this one is damaged */
        bsn_actx_warn(ctx, "line %zu: package '%.*s' has no Status: skipped", s->line,
                      BSN_STR_ARG(s->package));
        return;
    }
    if (s->has_status && !status_installed(s->status))
        return;
    struct bsn_package *p = bsn_actx_add_package(ctx);
    p->type = opkg ? "opkg" : "deb";
    p->name = bsn_arena_strslice(a, s->package);
    p->version = bsn_arena_strslice(a, s->version);
    p->arch = dup_or_null(a, s->arch);
    p->maintainer = dup_or_null(a, s->maintainer);
    p->analyzer = "dpkg";
    /* Source: "NAME" or "NAME (VERSION)" */
    struct bsn_str src = bsn_str_trim(s->source), srcver = { NULL, 0 };
    ptrdiff_t open = bsn_str_chr(src, '(');
    if (open >= 0) {
        struct bsn_str rest = bsn_str_make(src.ptr + open + 1, src.len - (size_t)open - 1);
        ptrdiff_t close = bsn_str_chr(rest, ')');
        if (close > 0)
            srcver = bsn_str_trim(bsn_str_make(rest.ptr, (size_t)close));
        src = bsn_str_trim(bsn_str_make(src.ptr, (size_t)open));
    }
    p->source_name = src.len ? bsn_arena_strslice(a, src) : p->name;
    p->source_version = srcver.len ? bsn_arena_strslice(a, srcver) : p->version;
    if (s->license.len) {
        const char **lic = bsn_arena_alloc(a, sizeof(*lic));
        lic[0] = bsn_arena_strslice(a, s->license);
        p->licenses = lic;
        p->n_licenses = 1;
    }
}

/* Parses a stanza file; *n_pkgs counts packages emitted. */
static bsn_code
parse_status(struct bsn_actx *ctx, const struct bsn_input *in, bool opkg, bool statusd,
             struct bsn_err *err)
{
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    struct stanza s;
    size_t lineno = 0, bad = 0, stanzas = 0, first_bad = 0;
    bool in_stanza = false, vcpkg = false;
    memset(&s, 0, sizeof(s));
    /* Stanzas are emitted only once the whole file is known not to be vcpkg's. */
    size_t cap = 64, n = 0;
    struct stanza *all = bsn_arena_alloc_array(bsn_actx_scratch(ctx), cap, sizeof(*all));
    for (;;) {
        bool more = bsn_sp_line(&cur, &line) == 0;
        if (more)
            lineno++;
        if (!more || bsn_str_trim(line).len == 0) {
            if (in_stanza) {
                stanzas++;
                vcpkg = vcpkg || s.vcpkg;
                if (s.fields) {
                    if (n == cap) {
                        struct stanza *grown = bsn_arena_alloc_array(bsn_actx_scratch(ctx),
                                                                     cap * 2, sizeof(*all));
                        memcpy(grown, all, n * sizeof(*all));
                        all = grown;
                        cap *= 2;
                    }
                    all[n++] = s;
                }
                memset(&s, 0, sizeof(s));
                in_stanza = false;
            }
            if (!more)
                break;
            continue;
        }
        if (!in_stanza) {
            in_stanza = true;
            s.line = lineno;
        }
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t') {
            if (!s.fields) {
                bad++;
                first_bad = first_bad ? first_bad : lineno;
            }
            continue; /* continuation of a multi-line field */
        }
        struct bsn_str key, val;
        if (!bsn_str_split(line, ':', &key, &val) || !key.len || bsn_str_chr(key, ' ') >= 0) {
            bad++;
            first_bad = first_bad ? first_bad : lineno;
            continue;
        }
        stanza_field(&s, key, bsn_str_trim(val));
    }
    if (vcpkg)
        return bsn_err_set(err, BSN_EFORMAT, "not a dpkg database (vcpkg status file)");
    size_t good = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i].package.len)
            good++;
    if (bad && !good)
        return bsn_err_set(err, BSN_EFORMAT, "line %zu: not a 'Field: value' line",
                           first_bad);
    if (bad)
        bsn_actx_warn(ctx, "%zu malformed lines ignored (first at line %zu)", bad, first_bad);
    for (size_t i = 0; i < n; i++)
        emit(ctx, &all[i], opkg, statusd);
    (void)stanzas;
    return BSN_OK;
}

/* info/NAME.list: absolute paths; "/." is the root itself. */
static void
parse_list(struct bsn_actx *ctx, const struct bsn_input *in, bool md5sums)
{
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    while (bsn_sp_line(&cur, &line) == 0) {
        if (md5sums) {
            /* "d41d8cd98f00b204e9800998ecf8427e  usr/bin/x" */
            struct bsn_str sum;
            if (bsn_sp_word(&line, &sum, 128) != 0)
                continue;
            bsn_sp_blanks(&line);
        }
        while (line.len && line.ptr[0] == '/') {
            line.ptr++;
            line.len--;
        }
        if (!line.len || (line.len == 1 && line.ptr[0] == '.'))
            continue;
        bsn_actx_add_owned(ctx, line.ptr, line.len);
    }
}

static int
cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
lic_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '+' || c == '_';
}

/* Collects DEP-5 "License:" short names and common-licenses references into aux. */
static void
parse_copyright(struct bsn_actx *ctx, const struct bsn_input *in)
{
    struct bsn_arena *scratch = bsn_actx_scratch(ctx);
    const char *lic[MAX_LICENSES];
    size_t n = 0;
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    static const char common[] = "/usr/share/common-licenses/";
    size_t cn = sizeof(common) - 1;
    while (bsn_sp_line(&cur, &line) == 0 && n < MAX_LICENSES) {
        struct bsn_str name = { NULL, 0 };
        struct bsn_str l = line;
        if (bsn_sp_lit(&l, "License:") == 0) {
            bsn_sp_blanks(&l);
            if (bsn_sp_word(&l, &name, 256) != 0)
                name.len = 0;
        } else {
            for (size_t i = 0; i + cn < line.len; i++) {
                if (line.ptr[i] != '/' || memcmp(line.ptr + i, common, cn) != 0)
                    continue;
                size_t s = i + cn, e = s;
                while (e < line.len && lic_char(line.ptr[e]))
                    e++;
                while (e > s && line.ptr[e - 1] == '.')
                    e--;
                name = bsn_str_make(line.ptr + s, e - s);
                break;
            }
        }
        if (!name.len)
            continue;
        char *v = bsn_arena_strslice(scratch, name);
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = strcmp(lic[i], v) == 0;
        if (!dup)
            lic[n++] = v;
    }
    if (!n)
        return;
    qsort(lic, n, sizeof(lic[0]), cmp_cstr);
    struct bsn_buf b;
    bsn_buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < n; i++)
        if ((i && bsn_buf_addc(&b, '\n') != BSN_OK) || bsn_buf_adds(&b, lic[i]) != BSN_OK)
            break;
    /* key: "copyright:NAME" */
    const struct bsn_path *p = in->path;
    size_t pre = sizeof("usr/share/doc/") - 1;
    char *key = bsn_arena_printf(scratch, "copyright:%.*s",
                                 (int)(p->len - pre - (sizeof("/copyright") - 1)),
                                 p->path + pre);
    bsn_actx_add_aux(ctx, key, b.ptr);
    bsn_buf_release(&b);
}

static bsn_code
dpkg_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    const struct bsn_path *p = in->path;
    /*
     * dpkg is offered every path (see the descriptor), and the registry marks a path present
     * in a layer only for analyzers dispatched by name: this record marks it, so a status
     * file rewritten empty by a later layer still hides the lower layer's packages.
     */
    bsn_actx_add_aux(ctx, "present", "");
    if (path_is(p, "var/lib/dpkg/status"))
        return parse_status(ctx, in, false, false, err);
    if (is_opkg_status(p))
        return parse_status(ctx, in, true, false, err);
    if (child_of(p, "var/lib/dpkg/status.d/")) {
        if (ends_with(p, ".md5sums")) {
            parse_list(ctx, in, true);
            return BSN_OK;
        }
        struct bsn_os os = { .family = "debian", .name = "Debian GNU/Linux" };
        bsn_actx_set_os(ctx, &os, PRIO_DISTROLESS);
        return parse_status(ctx, in, false, true, err);
    }
    if (ends_with(p, ".list")) {
        parse_list(ctx, in, false);
        return BSN_OK;
    }
    if (is_copyright(p))
        parse_copyright(ctx, in);
    return BSN_OK;
}

/* Splits aux "a\nb\nc" into an arena array. */
static void
set_licenses(struct bsn_arena *a, struct bsn_package *p, const char *joined)
{
    size_t n = 1;
    for (const char *c = joined; *c; c++)
        n += *c == '\n';
    const char **lic = bsn_arena_alloc_array(a, n, sizeof(*lic));
    size_t k = 0;
    const char *s = joined;
    for (;;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len)
            lic[k++] = bsn_arena_strndup(a, s, len);
        if (!e)
            break;
        s = e + 1;
    }
    p->licenses = lic;
    p->n_licenses = k;
}

static bsn_code
dpkg_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    const struct bsn_os *os = bsn_fctx_os(ctx);
    struct bsn_package **pkgs;
    size_t n = bsn_fctx_packages(ctx, &pkgs);
    for (size_t i = 0; i < n; i++) {
        struct bsn_package *p = pkgs[i];
        bool opkg = strcmp(p->type, "opkg") == 0;
        if (!opkg) {
            char *key = bsn_arena_printf(a, "copyright:%s", p->name);
            const char *lic = bsn_fctx_aux(ctx, key);
            if (lic)
                set_licenses(a, p, lic);
        }
        const char *ns = opkg ? "openwrt" : "debian";
        if (os && os->family && !opkg &&
            (strcmp(os->family, "debian") == 0 || strcmp(os->family, "ubuntu") == 0))
            ns = os->family;
        struct bsn_purl_qualifier q[3];
        size_t nq = 0;
        q[nq].key = "arch";
        q[nq++].value = p->arch;
        if (os && os->family && os->version && strcmp(os->family, ns) == 0) {
            q[nq].key = "distro";
            q[nq++].value = bsn_arena_printf(a, "%s-%s", os->family, os->version);
        }
        if (p->source_name && strcmp(p->source_name, p->name) != 0) {
            q[nq].key = "upstream";
            if (p->source_version && strcmp(p->source_version, p->version) != 0)
                q[nq++].value = bsn_arena_printf(a, "%s@%s", p->source_name,
                                                 p->source_version);
            else
                q[nq++].value = p->source_name;
        }
        struct bsn_purl purl = {
            .type = p->type,
            .namespace = ns,
            .name = p->name,
            .version = p->version,
            .qualifiers = q,
            .n_qualifiers = nq,
        };
        p->purl = bsn_purl_format(a, &purl);
    }
    return BSN_OK;
}

const struct bsn_analyzer bsn_analyzer_dpkg = {
    .name = "dpkg",
    .scheme = "deb",
    .version = 1,
    .max_input = 256u << 20,
    /* status.d entries have arbitrary names: every path is offered, wants() is a prefix test */
    .names = NULL,
    .exts = NULL,
    .wants = dpkg_wants,
    .parse = dpkg_parse,
    .finish = dpkg_finish,
};
