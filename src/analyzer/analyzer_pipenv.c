/*
 * Pipenv's Pipfile.lock (JSON, https://pipenv.pypa.io/en/latest/pipfile.html#pipfile-lock):
 * "default" maps package names to {"version": "==1.2.3", "hashes": …}; "develop" the same for
 * dev packages (dev = true; a package in both is not dev). Entries without a version (VCS or
 * path requirements: {"git": …}, {"path": ".", "editable": true}) name no released version and
 * are skipped. Names are reported as the lockfile writes them (already lowercase). The lockfile
 * does not say which packages the Pipfile asked for, so dep stays unknown. Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"

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

static bsn_code
pipenv_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
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

static const char *const pipenv_names[] = { "Pipfile.lock", NULL };

const struct bsn_analyzer bsn_analyzer_pipenv = {
    .name = "pipenv",
    .scheme = "pep440",
    .version = 1,
    .max_input = 64u << 20,
    .names = pipenv_names,
    .wants = pipenv_wants,
    .parse = pipenv_parse,
};
