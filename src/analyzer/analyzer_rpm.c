/*
 * rpm packages (RHEL and relatives, Fedora, Amazon Linux, SUSE, CBL-Mariner/Azure Linux).
 *
 * Databases, under var/lib/rpm/ or usr/lib/sysimage/rpm/:
 *   Packages      Berkeley DB hash (rpmdb_bdb.c)
 *   Packages.db   NDB (rpmdb_ndb.c)
 *   rpmdb.sqlite  SQLite (rpmdb_sqlite.c)
 * each holding one header blob per package (rpmdb_header.c). librpm is not used: it reads
 * databases only from a path, through process-global configuration and macros.
 *
 * Per package: name; version "VERSION-RELEASE"; epoch (-1 when the header has none, distinct
 * from an explicit 0); arch; source rpm "util-linux-2.32.1-42.el8_8.src.rpm" split into
 * source_name "util-linux" and source_version "2.32.1-42.el8_8"; license; vendor; modularity
 * label (RHEL 8 AppStream modules, "nodejs:18:8090020230810:…"); installed files (dir +
 * basename, marked owned). gpg-pubkey pseudo-packages (imported signing keys) are not
 * packages and are skipped, as trivy and syft do.
 *
 * finish() builds purls: pkg:rpm/NS/NAME@V-R?arch=A&epoch=E&distro=FAMILY-VERSION
 * &upstream=SRPM, NS from the OS family (rhel -> redhat, opensuse-* -> opensuse, sles and
 * slem -> suse, as in the purl spec's examples); without an identified OS there is
 * no namespace and no distro (syft's form: pkg:rpm/dive@0.9.2-1?arch=x86_64&upstream=…).
 */
#include <stdbool.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/rpmdb_int.h"
#include "base/buf.h"
#include "textfmt/purl.h"

struct rpm_walk {
    struct bsn_actx *ctx;
    struct bsn_buf path;
    size_t packages, bad;
};

static char *
dup_or_null(struct bsn_arena *a, const struct bsn_rpm_header *h, uint32_t tag)
{
    struct bsn_str s;
    if (!bsn_rpm_header_string(h, tag, &s) || !s.len)
        return NULL;
    return bsn_arena_strslice(a, s);
}

/* "name-1.2-3.el9.src.rpm" -> name, "1.2-3.el9"; the whole name is kept as an aux record
 * for the purl's upstream qualifier. */
void
bsn_rpm_set_source(struct bsn_actx *ctx, struct bsn_package *p, const char *srpm)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    bsn_actx_add_aux(ctx, bsn_arena_printf(bsn_actx_scratch(ctx), "srpm:%s@%s", p->name,
                                           p->version), srpm);
    struct bsn_str s = bsn_str_cstr(srpm);
    if (bsn_str_ends(s, ".src.rpm"))
        s.len -= sizeof(".src.rpm") - 1;
    else if (bsn_str_ends(s, ".nosrc.rpm"))
        s.len -= sizeof(".nosrc.rpm") - 1;
    else
        return;
    size_t rel = s.len;
    while (rel > 0 && s.ptr[rel - 1] != '-')
        rel--;
    if (rel < 2)
        return;
    size_t ver = rel - 1;
    while (ver > 0 && s.ptr[ver - 1] != '-')
        ver--;
    if (ver < 2)
        return;
    p->source_name = bsn_arena_strndup(a, s.ptr, ver - 1);
    p->source_version = bsn_arena_strndup(a, s.ptr + ver, s.len - ver);
}

static void
on_file(void *arg, struct bsn_str dir, struct bsn_str base)
{
    struct rpm_walk *w = arg;
    bsn_buf_reset(&w->path);
    if (bsn_buf_add(&w->path, dir.ptr, dir.len) != BSN_OK ||
        bsn_buf_add(&w->path, base.ptr, base.len) != BSN_OK)
        return;
    const char *p = w->path.ptr;
    size_t n = w->path.len;
    while (n && *p == '/') {
        p++;
        n--;
    }
    if (n)
        bsn_actx_add_owned(w->ctx, p, n);
}

static bsn_code
on_blob(void *arg, const unsigned char *blob, size_t len, struct bsn_err *err)
{
    struct rpm_walk *w = arg;
    struct bsn_arena *a = bsn_actx_arena(w->ctx);
    struct bsn_rpm_header h;
    if (!blob) {
        w->bad++;
        bsn_actx_warn(w->ctx, "%s", err->msg);
        return BSN_OK;
    }
    if (bsn_rpm_header_init(&h, blob, len, err) != BSN_OK) {
        w->bad++;
        bsn_actx_warn(w->ctx, "record skipped: %s", err->msg);
        return BSN_OK;
    }
    struct bsn_str name, version, release;
    if (!bsn_rpm_header_string(&h, BSN_RPMTAG_NAME, &name) || !name.len ||
        !bsn_rpm_header_string(&h, BSN_RPMTAG_VERSION, &version) || !version.len ||
        !bsn_rpm_header_string(&h, BSN_RPMTAG_RELEASE, &release)) {
        w->bad++;
        bsn_actx_warn(w->ctx, "rpm header without name, version or release skipped");
        return BSN_OK;
    }
    if (bsn_str_eq_cstr(name, "gpg-pubkey"))
        return BSN_OK;
    struct bsn_package *p = bsn_actx_add_package(w->ctx);
    p->type = "rpm";
    p->name = bsn_arena_strslice(a, name);
    p->version = release.len ? bsn_arena_printf(a, "%.*s-%.*s", BSN_STR_ARG(version),
                                                BSN_STR_ARG(release))
                             : bsn_arena_strslice(a, version);
    uint32_t epoch;
    p->epoch = bsn_rpm_header_int32(&h, BSN_RPMTAG_EPOCH, &epoch) && epoch <= 0x7fffffffu
                   ? (int)epoch : -1;
    p->arch = dup_or_null(a, &h, BSN_RPMTAG_ARCH);
    p->vendor = dup_or_null(a, &h, BSN_RPMTAG_VENDOR);
    p->module = dup_or_null(a, &h, BSN_RPMTAG_MODULARITYLABEL);
    p->analyzer = "rpm";
    char *srpm = dup_or_null(a, &h, BSN_RPMTAG_SOURCERPM);
    if (srpm)
        bsn_rpm_set_source(w->ctx, p, srpm);
    char *lic = dup_or_null(a, &h, BSN_RPMTAG_LICENSE);
    if (lic) {
        const char **l = bsn_arena_alloc(a, sizeof(*l));
        l[0] = lic;
        p->licenses = l;
        p->n_licenses = 1;
    }
    bsn_rpm_header_files(&h, on_file, w);
    w->packages++;
    return BSN_OK;
}

static bool
in_rpm_dir(const struct bsn_path *p)
{
    size_t dir = p->len - p->base_len;
    return (dir == sizeof("var/lib/rpm/") - 1 && memcmp(p->path, "var/lib/rpm/", dir) == 0) ||
           (dir == sizeof("usr/lib/sysimage/rpm/") - 1 &&
            memcmp(p->path, "usr/lib/sysimage/rpm/", dir) == 0);
}

static bool
rpm_wants(const struct bsn_path *p)
{
    return in_rpm_dir(p);
}

static bsn_code
rpm_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct rpm_walk w = { .ctx = ctx };
    struct bsn_str base = bsn_str_make(in->path->base, in->path->base_len);
    bsn_buf_init(&w.path, 64 * 1024);
    bsn_code rc;
    if (bsn_str_eq_cstr(base, "Packages"))
        rc = bsn_rpmdb_bdb_each(in->data, in->len, on_blob, &w, err);
    else if (bsn_str_eq_cstr(base, "Packages.db"))
        rc = bsn_rpmdb_ndb_each(in->data, in->len, on_blob, &w, err);
    else
        rc = bsn_rpmdb_sqlite_each(in->data, in->len, on_blob, &w, err);
    bsn_buf_release(&w.path);
    if (rc == BSN_OK && w.bad && !w.packages)
        return bsn_err_set(err, BSN_EFORMAT, "no readable package in the rpm database "
                           "(%zu corrupt records)", w.bad);
    return rc;
}

static const char *
namespace_of(const char *family)
{
    if (!family)
        return NULL;
    if (strcmp(family, "rhel") == 0)
        return "redhat";
    if (strncmp(family, "opensuse", 8) == 0)
        return "opensuse";
    if (strcmp(family, "sles") == 0 || strcmp(family, "slem") == 0)
        return "suse";
    return family;
}

void
bsn_rpm_set_purls(struct bsn_fctx *ctx)
{
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    const struct bsn_os *os = bsn_fctx_os(ctx);
    const char *ns = os ? namespace_of(os->family) : NULL;
    const char *distro = NULL;
    if (os && os->family && os->version)
        distro = bsn_arena_printf(a, "%s-%s", os->family, os->version);
    struct bsn_package **pkgs;
    size_t n = bsn_fctx_packages(ctx, &pkgs);
    for (size_t i = 0; i < n; i++) {
        struct bsn_package *p = pkgs[i];
        if (p->purl)
            continue;
        char *key = bsn_arena_printf(a, "srpm:%s@%s", p->name, p->version);
        struct bsn_purl_qualifier q[4] = {
            { "arch", p->arch },
            { "distro", distro },
            { "epoch", p->epoch >= 0 ? bsn_arena_printf(a, "%d", p->epoch) : NULL },
            { "upstream", bsn_fctx_aux(ctx, key) },
        };
        struct bsn_purl purl = {
            .type = "rpm", .namespace = ns, .name = p->name, .version = p->version,
            .qualifiers = q, .n_qualifiers = 4,
        };
        p->purl = bsn_purl_format(a, &purl);
    }
}

static bsn_code
rpm_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    bsn_rpm_set_purls(ctx);
    return BSN_OK;
}

static const char *const rpm_names[] = { "Packages", "Packages.db", "rpmdb.sqlite", NULL };

const struct bsn_analyzer bsn_analyzer_rpm = {
    .name = "rpm",
    .scheme = "rpm",
    .version = 1,
    .max_input = 1024u << 20, /* Fedora workstation databases reach a few hundred MiB */
    .names = rpm_names,
    .wants = rpm_wants,
    .parse = rpm_parse,
    .finish = rpm_finish,
};
