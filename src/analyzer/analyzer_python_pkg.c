/*
 * Installed Python distributions: core metadata files
 * (https://packaging.python.org/en/latest/specifications/core-metadata/) at
 *   <site-packages>/<name>-<version>.dist-info/METADATA   (wheels, pip)
 *   <site-packages>/<name>-<version>.egg-info/PKG-INFO    (setuptools, sdists)
 *   <site-packages>/<name>-<version>.egg-info             (a single-file egg-info)
 *   <site-packages>/<name>.egg/EGG-INFO/PKG-INFO          (unpacked eggs; zipped .egg
 *                                                         files: analyzer_python_egg.c)
 * RFC 822 style headers up to the first blank line (the body is the long description);
 * continuation lines start with whitespace; field names are case-insensitive. Name and
 * Version are required (a file without them is an error, as trivy's "invalid" fixture).
 *
 * Licenses, in trivy's order of preference: License-Expression; else the last part of each
 * "Classifier: License :: … :: X" (a bare "License :: OSI Approved" names no license); else a
 * one-line License field (kept as written, "UNKNOWN" included); else "file://" + License-File.
 * The name is reported as written ("Unidecode"); the purl carries the PEP 503 form.
 * Distributions installed by dpkg/rpm (python3-* in dist-packages) are dropped by the merge's
 * file-ownership rule. Limit: 4 MiB (some descriptions embed whole changelogs; only the
 * headers are read).
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"

struct pymeta {
    struct bsn_str name, version, license, license_expr, license_file;
    bool license_multiline;
};

static bool
parent_ends(const struct bsn_path *p, const char *suffix)
{
    if (p->len <= p->base_len)
        return false;
    struct bsn_str dir = bsn_str_make(p->path, p->len - p->base_len - 1);
    return bsn_str_ends(dir, suffix);
}

static bool
python_pkg_wants(const struct bsn_path *p)
{
    struct bsn_str base = bsn_str_make(p->base, p->base_len);
    if (bsn_str_eq_cstr(base, "METADATA"))
        return parent_ends(p, ".dist-info");
    if (bsn_str_eq_cstr(base, "PKG-INFO"))
        return parent_ends(p, ".egg-info") || parent_ends(p, "/EGG-INFO") ||
               (p->len - p->base_len == 9 && strncmp(p->path, "EGG-INFO/", 9) == 0);
    return bsn_str_ends(base, ".egg-info");
}

bsn_code
bsn_python_metadata(struct bsn_actx *ctx, struct bsn_str text, struct bsn_err *err)
{
    struct pymeta m;
    memset(&m, 0, sizeof(m));
    struct bsn_str cur = text, line;
    struct bsn_str classifiers[64];
    size_t n_classifiers = 0;
    struct bsn_str *last = NULL; /* field a continuation line extends */
    while (bsn_sp_line(&cur, &line) == 0) {
        if (bsn_str_trim(line).len == 0)
            break; /* end of headers */
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t') {
            if (last == &m.license)
                m.license_multiline = true;
            continue;
        }
        struct bsn_str key, val;
        last = NULL;
        if (!bsn_str_split(line, ':', &key, &val))
            continue;
        val = bsn_str_trim(val);
        if (bsn_str_ieq_cstr(key, "Name")) {
            m.name = val;
        } else if (bsn_str_ieq_cstr(key, "Version")) {
            m.version = val;
        } else if (bsn_str_ieq_cstr(key, "License")) {
            m.license = val;
            last = &m.license;
        } else if (bsn_str_ieq_cstr(key, "License-Expression")) {
            m.license_expr = val;
        } else if (bsn_str_ieq_cstr(key, "License-File")) {
            if (m.license_file.len == 0)
                m.license_file = val;
        } else if (bsn_str_ieq_cstr(key, "Classifier") && bsn_str_starts(val, "License :: ") &&
                   n_classifiers < sizeof(classifiers) / sizeof(classifiers[0])) {
            classifiers[n_classifiers++] = val;
        }
    }
    if (m.name.len == 0 || m.version.len == 0)
        return bsn_err_set(err, BSN_EFORMAT, "core metadata without Name or Version");

    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "pypi");
    struct bsn_package *p = bsn_langset_add(&set, m.name, m.version, BSN_DEP_UNKNOWN, false);
    if (m.license_expr.len) {
        bsn_langset_license(&set, p, m.license_expr);
    } else {
        for (size_t i = 0; i < n_classifiers; i++) {
            /* "License :: OSI Approved :: MIT License" -> "MIT License" */
            struct bsn_str c = classifiers[i], lastpart = c;
            size_t parts = 1;
            for (size_t k = 0; k + 4 <= c.len; k++) {
                if (memcmp(c.ptr + k, " :: ", 4) == 0) {
                    parts++;
                    lastpart = bsn_str_make(c.ptr + k + 4, c.len - k - 4);
                }
            }
            if (parts >= 3)
                bsn_langset_license(&set, p, lastpart);
        }
        if (p->n_licenses == 0 && m.license.len && !m.license_multiline)
            bsn_langset_license(&set, p, m.license);
        if (p->n_licenses == 0 && m.license_file.len) {
            char *f = bsn_arena_printf(bsn_actx_scratch(ctx), "file://%.*s",
                                       BSN_STR_ARG(m.license_file));
            bsn_langset_license(&set, p, bsn_str_cstr(f));
        }
    }
    bsn_langset_release(&set);
    return BSN_OK;
}

static bsn_code
python_pkg_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    return bsn_python_metadata(ctx, bsn_str_make((const char *)in->data, in->len), err);
}

static const char *const python_pkg_names[] = { "METADATA", "PKG-INFO", NULL };
static const char *const python_pkg_exts[] = { ".egg-info", NULL };

const struct bsn_analyzer bsn_analyzer_python_pkg = {
    .name = "python_pkg",
    .scheme = "pep440",
    .version = 1,
    .max_input = 4u << 20,
    .names = python_pkg_names,
    .exts = python_pkg_exts,
    .wants = python_pkg_wants,
    .parse = python_pkg_parse,
};
