/*
 * npm lockfiles: package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3
 * (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json).
 *
 * v2/v3: the "packages" object maps install paths ("node_modules/a/node_modules/b") to entries
 * with version, dev, license and, for workspaces, {"link": true, "resolved": "<target path>"}.
 * Links are resolved first: the link path takes the target's entry (the target itself, outside
 * node_modules, is no package); a link whose target is missing is dropped (seen in trivy's
 * "broken link" fixture). A package is direct when its path is node_modules/<name> for a name
 * in the root's dependencies, optionalDependencies or devDependencies, or a workspace member
 * matching a root "workspaces" glob; everything else under node_modules is indirect. Entries
 * under a workspace's own node_modules ("functions/x/node_modules/y") count too.
 * v1: the nested "dependencies" tree; the format records no direct/indirect relationship, so
 * dep stays unknown. Nesting deeper than 256 levels is cut with a warning.
 *
 * The same name@version installed at several paths is reported once: dev only if every copy
 * is dev, direct if any copy is. Lockfiles inside node_modules (npm's hidden
 * node_modules/.package-lock.json) are skipped: node_modules' package.json files say the same.
 * Limit: 64 MiB per lockfile.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"

#define NPM_V1_MAX_DEPTH 256

struct npm_entry {
    const char *path;
    size_t path_len;
    json_t *val;
    bool removed;
    bool direct;
};

static struct bsn_str
name_from_path(const char *path, size_t len)
{
    static const char nm[] = "node_modules/";
    const char *last = NULL;
    for (const char *p = path; (p = strstr(p, nm)) != NULL; p++)
        last = p;
    if (!last)
        return bsn_str_make(path, len);
    const char *n = last + sizeof(nm) - 1;
    return bsn_str_make(n, len - (size_t)(n - path));
}

static bool
under_node_modules(const char *path)
{
    return strncmp(path, "node_modules/", 13) == 0 || strstr(path, "/node_modules/") != NULL;
}

static bool
is_workspace(const json_t *root, const char *target)
{
    const json_t *ws = json_object_get(root, "workspaces");
    if (json_is_object(ws))
        ws = json_object_get(ws, "packages");
    if (!json_is_array(ws))
        return false;
    size_t i;
    const json_t *pat;
    json_array_foreach(ws, i, pat) {
        const char *s = json_string_value(pat);
        if (s && fnmatch(s, target, FNM_PATHNAME) == 0)
            return true;
    }
    return false;
}

static void
mark_direct(struct bsn_map *index, json_t *deps)
{
    const char *name;
    const json_t *v;
    json_object_foreach(deps, name, v) {
        (void)v;
        size_t n = strlen(name);
        char key[1024];
        if (n > sizeof(key) - 14)
            continue;
        memcpy(key, "node_modules/", 13);
        memcpy(key + 13, name, n);
        struct npm_entry *d = bsn_map_get(index, key, n + 13);
        if (d && !d->removed)
            d->direct = true;
    }
}

static bsn_code
parse_packages(struct bsn_actx *ctx, struct bsn_langset *set, json_t *packages)
{
    size_t n = json_object_size(packages);
    struct bsn_arena *scratch = bsn_actx_scratch(ctx);
    struct npm_entry *e = bsn_arena_alloc_array(scratch, n ? n : 1, sizeof(*e));
    struct bsn_map index;
    bsn_map_init(&index);
    size_t k = 0;
    const char *path;
    json_t *val;
    json_object_foreach(packages, path, val) {
        e[k].path = path;
        e[k].path_len = strlen(path);
        e[k].val = val;
        bsn_map_put(&index, path, e[k].path_len, &e[k]);
        k++;
    }
    const json_t *root = json_object_get(packages, "");

    /* Links first: the link path takes the target's entry. */
    for (size_t i = 0; i < k; i++) {
        if (!json_is_true(json_object_get(e[i].val, "link")))
            continue;
        struct bsn_str target = bsn_lang_jstr(e[i].val, "resolved");
        struct npm_entry *t = target.len ? bsn_map_get(&index, target.ptr, target.len) : NULL;
        if (!t || t == &e[i] || json_is_true(json_object_get(t->val, "link"))) {
            e[i].removed = true;
            continue;
        }
        e[i].val = t->val;
        t->removed = true;
        if (json_is_object(root) && is_workspace(root, t->path)) {
            struct bsn_str nm = name_from_path(e[i].path, e[i].path_len);
            if (e[i].path_len == 13 + nm.len && strncmp(e[i].path, "node_modules/", 13) == 0)
                e[i].direct = true;
        }
    }
    if (json_is_object(root)) {
        static const char *const keys[] = { "dependencies", "optionalDependencies",
                                            "devDependencies" };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            json_t *d = json_object_get(root, keys[i]);
            if (json_is_object(d))
                mark_direct(&index, d);
        }
    }

    for (size_t i = 0; i < k; i++) {
        if (e[i].removed || !json_is_object(e[i].val) || !under_node_modules(e[i].path))
            continue;
        struct bsn_str name = bsn_lang_jstr(e[i].val, "name");
        if (name.len == 0)
            name = name_from_path(e[i].path, e[i].path_len);
        if (name.len == 0) {
            bsn_actx_warn(ctx, "package entry '%.200s' without a name", e[i].path);
            continue;
        }
        struct bsn_str version = bsn_lang_jstr(e[i].val, "version");
        bool dev = json_is_true(json_object_get(e[i].val, "dev"));
        struct bsn_package *p = bsn_langset_add(set, name, version,
                                                e[i].direct ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT,
                                                dev);
        bsn_langset_license(set, p, bsn_lang_jstr(e[i].val, "license"));
    }
    bsn_map_release(&index);
    return BSN_OK;
}

static void
parse_v1(struct bsn_actx *ctx, struct bsn_langset *set, json_t *deps, unsigned depth,
         bool *warned)
{
    if (depth > NPM_V1_MAX_DEPTH) {
        if (!*warned)
            bsn_actx_warn(ctx, "dependencies nested deeper than %d levels: not read",
                          NPM_V1_MAX_DEPTH);
        *warned = true;
        return;
    }
    const char *name;
    json_t *dep;
    json_object_foreach(deps, name, dep) {
        if (!json_is_object(dep))
            continue;
        struct bsn_str version = bsn_lang_jstr(dep, "version");
        if (version.len == 0) {
            bsn_actx_warn(ctx, "dependency '%.200s' without a version", name);
        } else {
            bool dev = json_is_true(json_object_get(dep, "dev"));
            (void)bsn_langset_add(set, bsn_str_cstr(name), version, BSN_DEP_UNKNOWN, dev);
        }
        json_t *sub = json_object_get(dep, "dependencies");
        if (json_is_object(sub))
            parse_v1(ctx, set, sub, depth + 1, warned);
    }
}

static bool
npm_lock_wants(const struct bsn_path *p)
{
    return strstr(p->path, "node_modules/") == NULL;
}

static bsn_code
npm_lock_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    json_t *doc;
    BSN_TRY(bsn_lang_json(in, &doc, err));
    bsn_code rc = BSN_OK;
    if (!json_is_object(doc)) {
        rc = bsn_err_set(err, BSN_EFORMAT, "not a package-lock object");
        goto out;
    }
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "npm");
    json_t *packages = json_object_get(doc, "packages");
    json_t *deps = json_object_get(doc, "dependencies");
    json_int_t version = json_integer_value(json_object_get(doc, "lockfileVersion"));
    if (version != 1 && json_is_object(packages)) {
        rc = parse_packages(ctx, &set, packages);
    } else if (json_is_object(deps)) {
        bool warned = false;
        parse_v1(ctx, &set, deps, 0, &warned);
    }
    bsn_langset_release(&set);
out:
    json_decref(doc);
    return rc;
}

static const char *const npm_lock_names[] = { "package-lock.json", "npm-shrinkwrap.json", NULL };

const struct bsn_analyzer bsn_analyzer_npm_lock = {
    .name = "npm_lock",
    .scheme = "npm",
    .version = 1,
    .max_input = 64u << 20,
    .names = npm_lock_names,
    .wants = npm_lock_wants,
    .parse = npm_lock_parse,
    .declared = bsn_declared_all,
};
