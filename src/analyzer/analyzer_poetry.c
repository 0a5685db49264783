/*
 * Poetry's poetry.lock (TOML,
 * https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock),
 * lock-version 1.x and 2.x: one [[package]] table per locked distribution with name and
 * version. Dev: lock 1.x says category = "dev"; lock 2.x lists dependency groups
 * (groups = ["dev"]); a package outside the "main" group is dev only (["main", "dev"] is
 * not). Older 2.x files without groups or category count as main. The lockfile alone does not
 * say which packages were asked for: the project's pyproject.toml beside it does (read by
 * this analyzer too, joined in finish as trivy does): [tool.poetry.dependencies] (but
 * python), [tool.poetry.dev-dependencies], [tool.poetry.group.*.dependencies], PEP 621
 * [project] dependencies and optional-dependencies, PEP 735 [dependency-groups]; those
 * packages are direct, the others indirect (names compared per PEP 503). Without it, dep
 * stays unknown. Parsed with the project's TOML reader (textfmt/toml.h). Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/buf.h"
#include "textfmt/toml.h"

static bool
is_dev(const json_t *pkg)
{
    const json_t *groups = json_object_get(pkg, "groups");
    if (json_is_array(groups) && json_array_size(groups) > 0) {
        size_t i;
        const json_t *g;
        json_array_foreach(groups, i, g) {
            if (bsn_str_eq_cstr(bsn_lang_jval(g), "main"))
                return false;
        }
        return true;
    }
    return bsn_str_eq_cstr(bsn_lang_jstr(pkg, "category"), "dev");
}

/* Keys of a table of dependencies ({requests = "^2", python = "^3.9"}). */
static void
add_table(struct bsn_lang_direct *d, json_t *t)
{
    const char *name;
    json_t *v;
    if (!json_is_object(t))
        return;
    json_object_foreach(t, name, v) {
        if (strcmp(name, "python") != 0)
            bsn_lang_direct_add(d, bsn_str_cstr(name));
    }
}

/* PEP 508 requirement strings ("requests[socks]>=2.31; python_version>'3.8'"): the name. */
static void
add_requirements(struct bsn_lang_direct *d, json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        struct bsn_str s = bsn_str_trim(bsn_lang_jval(v));
        size_t n = 0;
        while (n < s.len && ((s.ptr[n] >= 'a' && s.ptr[n] <= 'z') ||
                             (s.ptr[n] >= 'A' && s.ptr[n] <= 'Z') ||
                             (s.ptr[n] >= '0' && s.ptr[n] <= '9') || s.ptr[n] == '.' ||
                             s.ptr[n] == '_' || s.ptr[n] == '-'))
            n++;
        bsn_lang_direct_add(d, bsn_str_make(s.ptr, n));
    }
}

/* pyproject.toml: the names it declares, for finish(). */
static void
parse_pyproject(struct bsn_actx *ctx, const struct bsn_input *in)
{
    json_t *doc;
    struct bsn_err ignored;
    if (bsn_toml_parse((const char *)in->data, in->len, &doc, &ignored) != BSN_OK)
        return; /* the build tool's business: no relationships, no diagnostic */
    struct bsn_buf b;
    struct bsn_lang_direct d;
    bsn_lang_direct_init(&d, &b, 16u << 20);
    json_t *poetry = json_object_get(json_object_get(doc, "tool"), "poetry");
    add_table(&d, json_object_get(poetry, "dependencies"));
    add_table(&d, json_object_get(poetry, "dev-dependencies"));
    json_t *groups = json_object_get(poetry, "group");
    const char *g;
    json_t *gv;
    if (json_is_object(groups))
        json_object_foreach(groups, g, gv) add_table(&d, json_object_get(gv, "dependencies"));
    json_t *project = json_object_get(doc, "project");
    add_requirements(&d, json_object_get(project, "dependencies"));
    json_t *opt = json_object_get(project, "optional-dependencies");
    if (json_is_object(opt))
        json_object_foreach(opt, g, gv) add_requirements(&d, gv);
    json_t *dg = json_object_get(doc, "dependency-groups");
    if (json_is_object(dg))
        json_object_foreach(dg, g, gv) add_requirements(&d, gv);
    bsn_lang_direct_done(ctx, &d);
    json_decref(doc);
}

static bsn_code
poetry_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    if (bsn_str_eq_cstr(bsn_str_make(in->path->base, in->path->base_len), "pyproject.toml")) {
        parse_pyproject(ctx, in);
        return BSN_OK;
    }
    json_t *doc;
    BSN_TRY(bsn_toml_parse((const char *)in->data, in->len, &doc, err));
    const json_t *pkgs = json_object_get(doc, "package");
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "pypi");
    size_t i;
    const json_t *pkg;
    json_array_foreach(pkgs, i, pkg) {
        struct bsn_str name = bsn_lang_jstr(pkg, "name");
        struct bsn_str version = bsn_lang_jstr(pkg, "version");
        if (name.len == 0 || version.len == 0) {
            bsn_actx_warn(ctx, "[[package]] %zu without a name or version", i + 1);
            continue;
        }
        (void)bsn_langset_add(&set, name, version, BSN_DEP_UNKNOWN, is_dev(pkg));
    }
    bsn_langset_release(&set);
    json_decref(doc);
    return BSN_OK;
}

/* Distributions ship lockfiles inside site-packages: not what is installed. */
static bool
poetry_wants(const struct bsn_path *p)
{
    return !bsn_lang_in_dir(p, "site-packages") && !bsn_lang_in_dir(p, "dist-packages");
}

static bsn_code
poetry_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    bsn_lang_join_direct(ctx, "poetry.lock", true);
    return BSN_OK;
}

static const char *const poetry_names[] = { "poetry.lock", "pyproject.toml", NULL };

const struct bsn_analyzer bsn_analyzer_poetry = {
    .name = "poetry",
    .scheme = "pep440",
    .version = 2,
    .max_input = 64u << 20,
    .names = poetry_names,
    .wants = poetry_wants,
    .parse = poetry_parse,
    .finish = poetry_finish,
    .declared = bsn_declared_all,
};
