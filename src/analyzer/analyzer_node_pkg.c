/*
 * Installed npm packages: node_modules/<name>/package.json and
 * node_modules/@scope/<name>/package.json at any depth (images often ship node_modules
 * without a lockfile). Only a package.json directly in a package's folder counts: the
 * project's own package.json is no package, and package.json files deeper inside a package
 * (lib/package.json {"type": "module"}, test fixtures) are not packages either.
 *
 * name and version as npm wrote them. Licenses: "license" as an SPDX string or the legacy
 * {"type": "MIT", "url": …} object, and the legacy "licenses" array of such objects or
 * strings; numbers, null, empty arrays and unknown objects give no license (trivy's fixtures).
 * A name npm would refuse (not URL-friendly, https://github.com/npm/validate-npm-package-name)
 * makes the file an error. A package.json without a version is reported with an empty
 * version, as trivy does. Limit: 4 MiB (old npm embedded the README in package.json).
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"

static bool
url_friendly(struct bsn_str s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            continue;
        if (strchr("-_.!~*'()", c) && c != '\0')
            continue;
        return false;
    }
    return true;
}

static bool
valid_name(struct bsn_str name)
{
    if (name.len == 0 || name.len > 214 || name.ptr[0] == '.' || name.ptr[0] == '_')
        return false;
    struct bsn_str scope, rest;
    if (name.ptr[0] == '@') {
        if (!bsn_str_split(bsn_str_make(name.ptr + 1, name.len - 1), '/', &scope, &rest))
            return false;
        return url_friendly(scope) && url_friendly(rest);
    }
    return url_friendly(name);
}

static void
add_license(struct bsn_langset *set, struct bsn_package *p, const json_t *l)
{
    if (json_is_string(l))
        bsn_langset_license(set, p, bsn_lang_jval(l));
    else if (json_is_object(l))
        bsn_langset_license(set, p, bsn_lang_jstr(l, "type"));
}

/* The segment of path that ends just before path[end] (end is the index of a '/' or the
 * length): sets *seg and returns the index where it starts. */
static size_t
segment_before(const char *path, size_t end, struct bsn_str *seg)
{
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *seg = bsn_str_make(path + start, end - start);
    return start;
}

/* The path is …node_modules/<name>/package.json or …node_modules/@scope/<name>/package.json. */
static bool
node_pkg_wants(const struct bsn_path *p)
{
    size_t dir_end = p->len - p->base_len; /* index after the '/' before the basename */
    if (dir_end < 2)
        return false;
    struct bsn_str folder, parent, grand;
    size_t fs = segment_before(p->path, dir_end - 1, &folder);
    if (folder.len == 0 || fs < 2)
        return false;
    size_t ps = segment_before(p->path, fs - 1, &parent);
    if (bsn_str_eq_cstr(parent, "node_modules"))
        return folder.ptr[0] != '@';
    if (parent.len < 2 || parent.ptr[0] != '@' || ps < 2)
        return false;
    (void)segment_before(p->path, ps - 1, &grand);
    return bsn_str_eq_cstr(grand, "node_modules");
}

static bsn_code
node_pkg_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    json_t *doc;
    BSN_TRY(bsn_lang_json(in, &doc, err));
    bsn_code rc = BSN_OK;
    if (!json_is_object(doc)) {
        rc = bsn_err_set(err, BSN_EFORMAT, "package.json is not an object");
        goto out;
    }
    struct bsn_str name = bsn_lang_jstr(doc, "name");
    if (name.len == 0) {
        /* private sub-manifests ({"type": "module"}) carry no package */
        goto out;
    }
    if (!valid_name(name)) {
        rc = bsn_err_set(err, BSN_EFORMAT,
                         "invalid package name '%.*s': name can only contain URL-friendly "
                         "characters", BSN_STR_ARG(name));
        goto out;
    }
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "npm");
    struct bsn_package *p = bsn_langset_add(&set, name, bsn_lang_jstr(doc, "version"),
                                            BSN_DEP_UNKNOWN, false);
    add_license(&set, p, json_object_get(doc, "license"));
    const json_t *ls = json_object_get(doc, "licenses");
    if (json_is_array(ls)) {
        size_t i;
        const json_t *l;
        json_array_foreach(ls, i, l) add_license(&set, p, l);
    }
    bsn_langset_release(&set);
out:
    json_decref(doc);
    return rc;
}

static const char *const node_pkg_names[] = { "package.json", NULL };

const struct bsn_analyzer bsn_analyzer_node_pkg = {
    .name = "node_pkg",
    .scheme = "npm",
    .version = 1,
    .max_input = 4u << 20,
    .names = node_pkg_names,
    .wants = node_pkg_wants,
    .parse = node_pkg_parse,
};
