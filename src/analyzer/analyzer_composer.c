/*
 * PHP Composer: composer.lock
 * (https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control)
 * and the installed registry vendor/composer/installed.json, in composer 1 form (a bare array
 * of packages) and composer 2 form ({"packages": […], "dev-package-names": […]}).
 *
 * Each package object gives "name" ("vendor/project", the purl's namespace and name),
 * "version" (as composer prints it, "v1.27.0" keeps its 'v') and "license" (an array of SPDX
 * ids, sometimes a bare string; lax lists such as "MIT or BSD-2-Clause" are split, as trivy
 * does). composer.lock's "packages-dev" and installed.json's
 * "dev-package-names" mark dev dependencies. The project's composer.json beside
 * composer.lock (read by this analyzer too) names the direct dependencies in "require" and
 * "require-dev" (joined in finish, as trivy does); the other locked packages are indirect.
 * Without composer.json, and for installed.json, the relationship is unknown. Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/buf.h"
#include "base/map.h"

static void
add_packages(struct bsn_actx *ctx, struct bsn_langset *set, const json_t *arr, bool dev,
             const json_t *dev_names)
{
    /* dev-package-names as a set: linear in the file however many names it holds */
    struct bsn_map devset;
    bsn_map_init(&devset);
    size_t k;
    const json_t *dn;
    json_array_foreach(dev_names, k, dn) {
        struct bsn_str s = bsn_lang_jval(dn);
        if (s.len)
            bsn_map_put(&devset, s.ptr, s.len, &devset);
    }
    size_t i;
    const json_t *pkg;
    json_array_foreach(arr, i, pkg) {
        struct bsn_str name = bsn_lang_jstr(pkg, "name");
        struct bsn_str version = bsn_lang_jstr(pkg, "version");
        if (name.len == 0 || version.len == 0) {
            bsn_actx_warn(ctx, "package %zu without a name or version", i);
            continue;
        }
        bool d = dev || bsn_map_get(&devset, name.ptr, name.len) != NULL;
        struct bsn_package *p = bsn_langset_add(set, name, version, BSN_DEP_UNKNOWN, d);
        const json_t *lic = json_object_get(pkg, "license");
        if (json_is_string(lic)) {
            bsn_langset_license_split(set, p, bsn_lang_jval(lic));
        } else if (json_is_array(lic)) {
            size_t j;
            const json_t *l;
            json_array_foreach(lic, j, l) bsn_langset_license_split(set, p, bsn_lang_jval(l));
        }
    }
    bsn_map_release(&devset);
}

/* composer.json: its require and require-dev names, for finish(). */
static bsn_code
parse_manifest(struct bsn_actx *ctx, json_t *doc)
{
    struct bsn_buf b;
    struct bsn_lang_direct d;
    bsn_lang_direct_init(&d, &b, 16u << 20);
    static const char *const keys[] = { "require", "require-dev" };
    for (size_t k = 0; k < 2; k++) {
        json_t *req = json_object_get(doc, keys[k]);
        const char *name;
        json_t *v;
        if (json_is_object(req))
            json_object_foreach(req, name, v) bsn_lang_direct_add(&d, bsn_str_cstr(name));
    }
    bsn_lang_direct_done(ctx, &d);
    return BSN_OK;
}

static bsn_code
composer_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    json_t *doc;
    if (bsn_str_eq_cstr(bsn_str_make(in->path->base, in->path->base_len), "composer.json")) {
        /* a broken composer.json is composer's business: no relationships, no diagnostic */
        struct bsn_err ignored;
        if (bsn_lang_json(in, &doc, &ignored) != BSN_OK)
            return BSN_OK;
        bsn_code rc = json_is_object(doc) ? parse_manifest(ctx, doc) : BSN_OK;
        json_decref(doc);
        return rc;
    }
    BSN_TRY(bsn_lang_json(in, &doc, err));
    bsn_code rc = BSN_OK;
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "composer");
    bool installed = bsn_str_eq_cstr(bsn_str_make(in->path->base, in->path->base_len),
                                     "installed.json");
    if (installed && json_is_array(doc)) {
        add_packages(ctx, &set, doc, false, NULL);
    } else if (installed && json_is_object(doc) &&
               json_is_array(json_object_get(doc, "packages"))) {
        const json_t *dev_names = json_object_get(doc, "dev-package-names");
        add_packages(ctx, &set, json_object_get(doc, "packages"), false,
                     json_is_array(dev_names) ? dev_names : NULL);
    } else if (!installed && json_is_object(doc)) {
        const json_t *pk = json_object_get(doc, "packages");
        const json_t *dev = json_object_get(doc, "packages-dev");
        if (json_is_array(pk))
            add_packages(ctx, &set, pk, false, NULL);
        if (json_is_array(dev))
            add_packages(ctx, &set, dev, true, NULL);
    } else {
        rc = bsn_err_set(err, BSN_EFORMAT, "no \"packages\" array");
    }
    bsn_langset_release(&set);
    json_decref(doc);
    return rc;
}

static bsn_code
composer_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    bsn_lang_join_direct(ctx, "composer.lock", false);
    return BSN_OK;
}

/* composer.lock and composer.json anywhere but under vendor/ (packages ship their own: not
 * what is installed); installed.json only as vendor/composer/installed.json. */
static bool
composer_wants(const struct bsn_path *p)
{
    struct bsn_str base = bsn_str_make(p->base, p->base_len);
    if (bsn_str_eq_cstr(base, "composer.lock") || bsn_str_eq_cstr(base, "composer.json"))
        return !bsn_lang_in_dir(p, "vendor");
    return bsn_str_ends(bsn_str_make(p->path, p->len), "vendor/composer/installed.json");
}

static const char *const composer_names[] = { "composer.lock", "composer.json",
                                              "installed.json", NULL };

/* composer.lock and composer.json declare; vendor/composer/installed.json is installed */
static const char *const composer_declared[] = { "composer.lock", "composer.json", NULL };

const struct bsn_analyzer bsn_analyzer_composer = {
    .name = "composer",
    .scheme = "composer",
    .version = 2,
    .max_input = 64u << 20,
    .names = composer_names,
    .wants = composer_wants,
    .parse = composer_parse,
    .finish = composer_finish,
    .declared = composer_declared,
};
