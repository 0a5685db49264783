/*
 * Pipenv's Pipfile.lock (JSON, https://pipenv.pypa.io/en/latest/pipfile.html#pipfile-lock):
 * "default" maps package names to {"version": "==1.2.3", "hashes": …}; "develop" the same for
 * dev packages (dev = true; a package in both is not dev). Entries without a version (VCS or
 * path requirements: {"git": …}, {"path": ".", "editable": true}) name no released version and
 * are skipped. Names are reported as the lockfile writes them (already lowercase). The lockfile
 * does not say which packages the Pipfile asked for; the Pipfile beside it (TOML, read by
 * this analyzer too, joined in finish) does: names in [packages] and [dev-packages] are
 * direct, the other locked packages indirect (PEP 503 comparison). Without a Pipfile, dep
 * stays unknown. Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/buf.h"
#include "textfmt/toml.h"

static void
add_section(struct bsn_langset *set, json_t *sec, bool dev)
{
    const char *name;
    json_t *pkg;
    json_object_foreach(sec, name, pkg) {
        struct bsn_str v = bsn_lang_jstr(pkg, "version");
        while (v.len && v.ptr[0] == '=') {
            v.ptr++;
            v.len--;
        }
        if (v.len == 0)
            continue;
        (void)bsn_langset_add(set, bsn_str_cstr(name), v, BSN_DEP_UNKNOWN, dev);
    }
}

/* Pipfile: the names of [packages] and [dev-packages], for finish(). */
static void
parse_pipfile(struct bsn_actx *ctx, const struct bsn_input *in)
{
    json_t *doc;
    struct bsn_err ignored;
    if (bsn_toml_parse((const char *)in->data, in->len, &doc, &ignored) != BSN_OK)
        return; /* pipenv's business: no relationships, no diagnostic */
    struct bsn_buf b;
    struct bsn_lang_direct d;
    bsn_lang_direct_init(&d, &b, 16u << 20);
    static const char *const tables[] = { "packages", "dev-packages" };
    for (size_t t = 0; t < 2; t++) {
        json_t *tab = json_object_get(doc, tables[t]);
        const char *name;
        json_t *v;
        if (json_is_object(tab))
            json_object_foreach(tab, name, v) bsn_lang_direct_add(&d, bsn_str_cstr(name));
    }
    bsn_lang_direct_done(ctx, &d);
    json_decref(doc);
}

static bsn_code
pipenv_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    if (bsn_str_eq_cstr(bsn_str_make(in->path->base, in->path->base_len), "Pipfile")) {
        parse_pipfile(ctx, in);
        return BSN_OK;
    }
    json_t *doc;
    BSN_TRY(bsn_lang_json(in, &doc, err));
    bsn_code rc = BSN_OK;
    json_t *def = json_object_get(doc, "default");
    json_t *dev = json_object_get(doc, "develop");
    if (!json_is_object(doc) || (!json_is_object(def) && !json_is_object(dev))) {
        rc = bsn_err_set(err, BSN_EFORMAT, "no \"default\" or \"develop\" section");
    } else {
        struct bsn_langset set;
        bsn_langset_init(&set, ctx, "pypi");
        if (json_is_object(def))
            add_section(&set, def, false);
        if (json_is_object(dev))
            add_section(&set, dev, true);
        bsn_langset_release(&set);
    }
    json_decref(doc);
    return rc;
}

/* Distributions ship lockfiles inside site-packages: not what is installed. */
static bool
pipenv_wants(const struct bsn_path *p)
{
    return !bsn_lang_in_dir(p, "site-packages") && !bsn_lang_in_dir(p, "dist-packages");
}

static bsn_code
pipenv_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    bsn_lang_join_direct(ctx, "Pipfile.lock", true);
    return BSN_OK;
}

static const char *const pipenv_names[] = { "Pipfile.lock", "Pipfile", NULL };

const struct bsn_analyzer bsn_analyzer_pipenv = {
    .name = "pipenv",
    .scheme = "pep440",
    .version = 2,
    .max_input = 64u << 20,
    .names = pipenv_names,
    .wants = pipenv_wants,
    .parse = pipenv_parse,
    .finish = pipenv_finish,
    .declared = bsn_declared_all,
};
