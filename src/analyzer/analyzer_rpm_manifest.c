/*
 * CBL-Mariner / Azure Linux distroless images carry no rpm database, only a text manifest
 * written at image build time: var/lib/rpmmanifest/container-manifest-2, one package a line,
 * TAB separated (rpm -qa --qf of Mariner's toolkit):
 *   NAME VERSION-RELEASE INSTALLTIME BUILDTIME VENDOR EPOCH SIZE ARCH EPOCHNUM SOURCERPM
 * EPOCH is "(none)" when the header has none (epoch -1); otherwise the epoch is EPOCHNUM,
 * and an unparsable EPOCHNUM means none (syft's rules). A line with fewer fields, or a
 * VERSION-RELEASE without '-', is skipped with a warning; a file with no valid line and some
 * bad ones is an error. (container-manifest-1 lists only NAME-VERSION-RELEASE.ARCH and is
 * not read.)
 */
#include <stdbool.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/rpmdb_int.h"

#define MANIFEST_FIELDS 10

static bsn_code
manifest_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    size_t lineno = 0, good = 0, bad = 0;
    while (bsn_sp_line(&cur, &line) == 0) {
        lineno++;
        if (!bsn_str_trim(line).len)
            continue;
        struct bsn_str f[MANIFEST_FIELDS];
        size_t n = 0;
        struct bsn_str rest = line, head, tail;
        while (n < MANIFEST_FIELDS - 1 && bsn_str_split(rest, '\t', &head, &tail)) {
            f[n++] = head;
            rest = tail;
        }
        f[n++] = rest;
        if (n < MANIFEST_FIELDS || !f[0].len || bsn_str_chr(f[1], '-') <= 0) {
            bad++;
            bsn_actx_warn(ctx, "line %zu: not a 'NAME<TAB>VERSION-RELEASE<TAB>…' line of %d "
                          "fields", lineno, MANIFEST_FIELDS);
            continue;
        }
        struct bsn_package *p = bsn_actx_add_package(ctx);
        p->type = "rpm";
        p->analyzer = "rpm_manifest";
        p->name = bsn_arena_strslice(a, f[0]);
        p->version = bsn_arena_strslice(a, f[1]);
        p->vendor = f[4].len ? bsn_arena_strslice(a, f[4]) : NULL;
        p->arch = f[7].len ? bsn_arena_strslice(a, f[7]) : NULL;
        p->epoch = -1;
        uint64_t e;
        struct bsn_str en = f[8];
        if (!bsn_str_eq_cstr(f[5], "(none)") && bsn_sp_u64(&en, &e) == 0 && en.len == 0 &&
            e <= 0x7fffffff)
            p->epoch = (int)e;
        struct bsn_str srpm = bsn_str_trim(f[9]);
        if (srpm.len)
            bsn_rpm_set_source(ctx, p, bsn_arena_strslice(a, srpm));
        good++;
    }
    if (bad && !good)
        return bsn_err_set(err, BSN_EFORMAT, "no valid line (%zu malformed)", bad);
    return BSN_OK;
}

static bsn_code
manifest_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    bsn_rpm_set_purls(ctx);
    return BSN_OK;
}

static const char *const manifest_exts[] = { "var/lib/rpmmanifest/container-manifest-2", NULL };

static bool
manifest_wants(const struct bsn_path *p)
{
    return p->len == sizeof("var/lib/rpmmanifest/container-manifest-2") - 1;
}

const struct bsn_analyzer bsn_analyzer_rpm_manifest = {
    .name = "rpm_manifest",
    .scheme = "rpm",
    .version = 1,
    .max_input = 64u << 20,
    .exts = manifest_exts,
    .wants = manifest_wants,
    .parse = manifest_parse,
    .finish = manifest_finish,
};
