/*
 * .NET: the runtime dependency manifest <app>.deps.json that `dotnet publish` writes beside the
 * app (https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md),
 * and NuGet's packages.lock.json
 * (https://learn.microsoft.com/nuget/consume-packages/package-references-in-project-files#locking-dependencies).
 *
 * deps.json: "libraries" lists every "Name/Version" with its type; "package" (NuGet) and
 * "project" (the app and the solution's other projects) are reported, "reference" and
 * "runtimepack" are not. The relationships come from the runtime target
 * (targets[runtimeTarget.name]), each library's "dependencies". The root is the one project
 * no other project depends on; the other projects are workspace members; packages that the
 * root or a workspace project depends on are direct, the others indirect. When the root is
 * ambiguous (two top projects) nothing is known; when the runtime target is missing, a sole
 * project is still the root but packages stay unknown (trivy's fixtures).
 *
 * packages.lock.json: per target framework, "Name": {"type": "Direct"|"Transitive"|
 * "CentralTransitive"|"Project", "resolved": version}; projects are skipped, the same package
 * under several frameworks is reported once (direct if it is direct anywhere).
 * Limit: 64 MiB.
 */
#include <stdint.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/map.h"

static bool
split_id(const char *id, struct bsn_str *name, struct bsn_str *version)
{
    const char *slash = strrchr(id, '/');
    if (!slash || slash == id || !slash[1])
        return false;
    *name = bsn_str_make(id, (size_t)(slash - id));
    *version = bsn_str_cstr(slash + 1);
    return true;
}

/*
 * Collects, for the target, which "Name/Version" ids projects depend on: *deps maps the id
 * to the depending project's id, or to deps itself when several projects do. One pass over
 * the target, so the relationships cost O(libraries + edges).
 */
static void
project_edges(struct bsn_actx *ctx, json_t *target, json_t *libs, struct bsn_map *deps)
{
    struct bsn_arena *scratch = bsn_actx_scratch(ctx);
    const char *pid;
    json_t *entry;
    json_object_foreach(target, pid, entry) {
        if (!bsn_str_eq_cstr(bsn_lang_jstr(json_object_get(libs, pid), "type"), "project"))
            continue;
        json_t *d = json_object_get(entry, "dependencies");
        if (!json_is_object(d))
            continue;
        const char *name;
        json_t *v;
        json_object_foreach(d, name, v) {
            struct bsn_str ver = bsn_lang_jval(v);
            char *id = bsn_arena_printf(scratch, "%s/%.*s", name, BSN_STR_ARG(ver));
            size_t n = strlen(id);
            const char *prev = bsn_map_get(deps, id, n);
            bsn_map_put(deps, id, n, prev && strcmp(prev, pid) != 0 ? (void *)deps
                                                                     : (void *)(uintptr_t)pid);
        }
    }
}

/* True if a project other than self (may be NULL) depends on id. */
static bool
project_depends_on(struct bsn_map *deps, const char *id, const char *self)
{
    const void *by = bsn_map_get(deps, id, strlen(id));
    if (!by)
        return false;
    if (by == (const void *)deps || !self)
        return true;
    return strcmp(by, self) != 0;
}

static bsn_code
parse_deps_json(struct bsn_actx *ctx, json_t *doc, struct bsn_err *err)
{
    json_t *libs = json_object_get(doc, "libraries");
    if (!json_is_object(libs))
        return bsn_err_set(err, BSN_EFORMAT, "no \"libraries\" object");
    struct bsn_str tname = bsn_lang_jstr(json_object_get(doc, "runtimeTarget"), "name");
    json_t *targets = json_object_get(doc, "targets");
    json_t *target = json_is_object(targets) && tname.len
                         ? json_object_getn(targets, tname.ptr, tname.len) : NULL;
    if (!json_is_object(target)) {
        bsn_actx_warn(ctx, "runtime target '%.*s' not found: dependency relationships unknown",
                      BSN_STR_ARG(tname));
        target = NULL;
    }

    struct bsn_map deps;
    bsn_map_init(&deps);
    if (target)
        project_edges(ctx, target, libs, &deps);

    /* the root: the one project no other project depends on */
    const char *root = NULL;
    size_t n_top = 0, n_projects = 0;
    const char *id;
    json_t *lib;
    json_object_foreach(libs, id, lib) {
        if (!bsn_str_eq_cstr(bsn_lang_jstr(lib, "type"), "project"))
            continue;
        n_projects++;
        if (target && project_depends_on(&deps, id, id))
            continue;
        n_top++;
        root = id;
    }
    if (target ? n_top != 1 : n_projects != 1)
        root = NULL;

    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "nuget");
    json_object_foreach(libs, id, lib) {
        struct bsn_str type = bsn_lang_jstr(lib, "type");
        bool project = bsn_str_eq_cstr(type, "project");
        if (!project && !bsn_str_eq_cstr(type, "package"))
            continue;
        struct bsn_str name, version;
        if (!split_id(id, &name, &version)) {
            bsn_actx_warn(ctx, "library '%.200s' is not Name/Version", id);
            continue;
        }
        enum bsn_dep_kind dep = BSN_DEP_UNKNOWN;
        if (root && project)
            dep = strcmp(id, root) == 0 ? BSN_DEP_ROOT : BSN_DEP_WORKSPACE;
        else if (root && target)
            dep = project_depends_on(&deps, id, NULL) ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT;
        (void)bsn_langset_add(&set, name, version, dep, false);
    }
    bsn_langset_release(&set);
    bsn_map_release(&deps);
    return BSN_OK;
}

static bsn_code
parse_packages_lock(struct bsn_actx *ctx, json_t *doc, struct bsn_err *err)
{
    json_t *fw = json_object_get(doc, "dependencies");
    if (!json_is_object(fw))
        return bsn_err_set(err, BSN_EFORMAT, "no \"dependencies\" object");
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "nuget");
    const char *fwname, *name;
    json_t *pkgs, *pkg;
    json_object_foreach(fw, fwname, pkgs) {
        if (!json_is_object(pkgs))
            continue;
        json_object_foreach(pkgs, name, pkg) {
            struct bsn_str type = bsn_lang_jstr(pkg, "type");
            if (bsn_str_eq_cstr(type, "Project"))
                continue;
            struct bsn_str version = bsn_lang_jstr(pkg, "resolved");
            if (version.len == 0) {
                bsn_actx_warn(ctx, "package '%.200s' without a resolved version", name);
                continue;
            }
            enum bsn_dep_kind dep = bsn_str_eq_cstr(type, "Direct") ? BSN_DEP_DIRECT
                                                                     : BSN_DEP_INDIRECT;
            (void)bsn_langset_add(&set, bsn_str_cstr(name), version, dep, false);
        }
    }
    bsn_langset_release(&set);
    return BSN_OK;
}

static bsn_code
dotnet_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    json_t *doc;
    BSN_TRY(bsn_lang_json(in, &doc, err));
    bsn_code rc;
    if (!json_is_object(doc))
        rc = bsn_err_set(err, BSN_EFORMAT, "not a JSON object");
    else if (bsn_str_ends(bsn_str_make(in->path->base, in->path->base_len), ".deps.json"))
        rc = parse_deps_json(ctx, doc, err);
    else
        rc = parse_packages_lock(ctx, doc, err);
    json_decref(doc);
    return rc;
}

/* NuGet's package cache (~/.nuget/packages/<id>/<version>/…) holds packages' own files. */
static bool
dotnet_wants(const struct bsn_path *p)
{
    return !bsn_lang_in_dir(p, ".nuget");
}

static const char *const dotnet_names[] = { "packages.lock.json", NULL };
static const char *const dotnet_exts[] = { ".deps.json", NULL };

/* packages.lock.json declares; a *.deps.json ships with the built application */
static const char *const dotnet_declared[] = { "packages.lock.json", NULL };

const struct bsn_analyzer bsn_analyzer_dotnet = {
    .name = "dotnet",
    .scheme = "nuget",
    .version = 1,
    .max_input = 64u << 20,
    .names = dotnet_names,
    .exts = dotnet_exts,
    .wants = dotnet_wants,
    .parse = dotnet_parse,
    .declared = dotnet_declared,
};
