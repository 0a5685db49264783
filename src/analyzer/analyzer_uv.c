/*
 * uv's uv.lock (TOML, https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile):
 * one [[package]] per locked distribution with name, version, source and its dependencies
 * ([{name = …, extra = […]}]), optional-dependencies and dev-dependencies (tables of groups).
 *
 * The project itself is the one package whose source is { editable = "." } or
 * { virtual = "." } (relationship root); a lockfile without exactly one is an error, as in
 * trivy ("uv lockfile must contain 1 root package"). The root's dependencies,
 * optional-dependencies and dev-dependencies are direct, everything else indirect. A package
 * is dev when it is reachable only through the root's dev-dependencies (production reach
 * follows dependencies and optional-dependencies). The walk is iterative with a visited set:
 * linear in the lockfile, cycles allowed. Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/map.h"
#include "textfmt/toml.h"

struct uv_walk {
    struct bsn_map *byname; /* name -> package json */
    struct bsn_map *seen;   /* name -> non-NULL marker */
    const json_t **stack;
    size_t n, cap;
};

static void
push_list(struct uv_walk *w, const json_t *list)
{
    size_t i;
    const json_t *d;
    json_array_foreach(list, i, d) {
        struct bsn_str name = bsn_lang_jstr(d, "name");
        if (name.len == 0 || bsn_map_get(w->seen, name.ptr, name.len))
            continue;
        const json_t *pkg = bsn_map_get(w->byname, name.ptr, name.len);
        if (!pkg || w->n == w->cap)
            continue;
        bsn_map_put(w->seen, name.ptr, name.len, (void *)w);
        w->stack[w->n++] = pkg;
    }
}

/* Pushes every group list of a table of groups ({dev = [...], test = [...]}). */
static void
push_groups(struct uv_walk *w, json_t *groups)
{
    const char *g;
    json_t *list;
    json_object_foreach(groups, g, list) push_list(w, list);
}

/* Marks everything reachable from the lists already pushed. */
static void
walk(struct uv_walk *w)
{
    while (w->n > 0) {
        const json_t *pkg = w->stack[--w->n];
        push_list(w, json_object_get(pkg, "dependencies"));
        json_t *opt = json_object_get(pkg, "optional-dependencies");
        if (json_is_object(opt))
            push_groups(w, opt);
    }
}

static bool
is_root(const json_t *pkg)
{
    const json_t *src = json_object_get(pkg, "source");
    return bsn_str_eq_cstr(bsn_lang_jstr(src, "editable"), ".") ||
           bsn_str_eq_cstr(bsn_lang_jstr(src, "virtual"), ".");
}

static void
mark_names(struct bsn_map *m, const json_t *list)
{
    size_t i;
    const json_t *d;
    json_array_foreach(list, i, d) {
        struct bsn_str name = bsn_lang_jstr(d, "name");
        if (name.len)
            bsn_map_put(m, name.ptr, name.len, (void *)m);
    }
}

static bsn_code
uv_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    json_t *doc;
    BSN_TRY(bsn_toml_parse((const char *)in->data, in->len, &doc, err));
    const json_t *pkgs = json_object_get(doc, "package");
    size_t n = json_array_size(pkgs);
    const json_t *root = NULL;
    size_t n_roots = 0, i;
    json_t *pkg;
    struct bsn_map byname, prod, direct;
    bsn_map_init(&byname);
    bsn_map_init(&prod);
    bsn_map_init(&direct);
    json_array_foreach(pkgs, i, pkg) {
        struct bsn_str name = bsn_lang_jstr(pkg, "name");
        if (name.len && !bsn_map_get(&byname, name.ptr, name.len))
            bsn_map_put(&byname, name.ptr, name.len, pkg);
        if (is_root(pkg)) {
            root = pkg;
            n_roots++;
        }
    }
    bsn_code rc = BSN_OK;
    if (n_roots != 1) {
        rc = bsn_err_set(err, BSN_EFORMAT, "uv lockfile must contain 1 root package, found %zu",
                         n_roots);
        goto out;
    }
    struct uv_walk w = { &byname, &prod, NULL, 0, n };
    w.stack = bsn_arena_alloc_array(bsn_actx_scratch(ctx), n ? n : 1, sizeof(*w.stack));
    struct bsn_str root_name = bsn_lang_jstr(root, "name");
    bsn_map_put(&prod, root_name.ptr, root_name.len, &w);
    push_list(&w, json_object_get(root, "dependencies"));
    json_t *opt = json_object_get(root, "optional-dependencies");
    if (json_is_object(opt))
        push_groups(&w, opt);
    walk(&w);

    mark_names(&direct, json_object_get(root, "dependencies"));
    json_t *groups[2] = { opt, json_object_get(root, "dev-dependencies") };
    for (size_t g = 0; g < 2; g++) {
        const char *gname;
        json_t *list;
        if (json_is_object(groups[g]))
            json_object_foreach(groups[g], gname, list)
                mark_names(&direct, list);
    }

    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "pypi");
    json_array_foreach(pkgs, i, pkg) {
        struct bsn_str name = bsn_lang_jstr(pkg, "name");
        struct bsn_str version = bsn_lang_jstr(pkg, "version");
        if (name.len == 0) {
            bsn_actx_warn(ctx, "[[package]] %zu without a name", i + 1);
            continue;
        }
        enum bsn_dep_kind dep = pkg == root ? BSN_DEP_ROOT
                                : bsn_map_get(&direct, name.ptr, name.len) ? BSN_DEP_DIRECT
                                                                            : BSN_DEP_INDIRECT;
        bool dev = pkg != root && !bsn_map_get(&prod, name.ptr, name.len);
        (void)bsn_langset_add(&set, name, version, dep, dev);
    }
    bsn_langset_release(&set);
out:
    bsn_map_release(&byname);
    bsn_map_release(&prod);
    bsn_map_release(&direct);
    json_decref(doc);
    return rc;
}

/* Distributions ship lockfiles inside site-packages: not what is installed. */
static bool
uv_wants(const struct bsn_path *p)
{
    return !bsn_lang_in_dir(p, "site-packages") && !bsn_lang_in_dir(p, "dist-packages");
}

static const char *const uv_names[] = { "uv.lock", NULL };

const struct bsn_analyzer bsn_analyzer_uv = {
    .name = "uv",
    .scheme = "pep440",
    .version = 1,
    .max_input = 64u << 20,
    .names = uv_names,
    .wants = uv_wants,
    .parse = uv_parse,
    .declared = bsn_declared_all,
};
