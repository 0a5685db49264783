/*
 * Poetry's poetry.lock (TOML,
 * https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock),
 * lock-version 1.x and 2.x: one [[package]] table per locked distribution with name and
 * version. Dev: lock 1.x says category = "dev"; lock 2.x lists dependency groups
 * (groups = ["dev"]); a package outside the "main" group is dev only (["main", "dev"] is
 * not). Older 2.x files without groups or category count as main. The lockfile alone does not
 * say which packages pyproject.toml asked for, so dep stays unknown. Parsed with the project's
 * TOML reader (textfmt/toml.h). Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
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

static bsn_code
poetry_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
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

static const char *const poetry_names[] = { "poetry.lock", NULL };

const struct bsn_analyzer bsn_analyzer_poetry = {
    .name = "poetry",
    .scheme = "pep440",
    .version = 1,
    .max_input = 64u << 20,
    .names = poetry_names,
    .wants = poetry_wants,
    .parse = poetry_parse,
};
