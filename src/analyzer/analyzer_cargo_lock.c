/*
 * Rust: Cargo.lock (all formats: v1 with "name version (source)" dependency strings and a
 * [metadata] checksum table, v2 with "name version" strings, v3/v4 with a "version = N" key),
 * read through the project's TOML reader (textfmt/toml.h).
 *
 * Every [[package]] with a name and a version is a package, as Trivy's cargo parser
 * (pkg/dependency/parser/rust/cargo) reports it: workspace members (no "source") included,
 * each name@version once. Cargo.lock does not say which crates are direct dependencies (that
 * is Cargo.toml's business), so the relationship stays unknown. The old [root] table of
 * pre-2017 lockfiles is the project itself and is not listed, like Trivy.
 * A file that is not valid TOML is an error (trivy's cargo_invalid.lock).
 */
#include <string.h>

#include <jansson.h>

#include "analyzer/analyzer.h"
#include "base/map.h"
#include "textfmt/purl.h"
#include "textfmt/toml.h"

#define CARGO_MAX_INPUT (32u * 1024 * 1024)

static bsn_code
cargo_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    json_t *doc = NULL;
    if (bsn_toml_parse((const char *)in->data, in->len, &doc, err) != BSN_OK)
        return bsn_err_prefix(err, "invalid Cargo.lock");
    json_t *pkgs = json_object_get(doc, "package");
    if (pkgs && !json_is_array(pkgs)) {
        json_decref(doc);
        return bsn_err_set(err, BSN_EFORMAT, "invalid Cargo.lock: 'package' is not an array "
                           "of tables");
    }
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    struct bsn_map seen;
    bsn_map_init(&seen);
    size_t i, skipped = 0;
    json_t *p;
    json_array_foreach(pkgs, i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *version = json_string_value(json_object_get(p, "version"));
        if (!name || !version || !*name || !*version) {
            skipped++;
            continue;
        }
        char *key = bsn_arena_printf(s, "%s@%s", name, version);
        if (bsn_map_get(&seen, key, strlen(key)))
            continue;
        bsn_map_put(&seen, key, strlen(key), (void *)1);
        struct bsn_package *pkg = bsn_actx_add_package(ctx);
        pkg->type = "cargo";
        pkg->name = bsn_arena_strdup(a, name);
        pkg->version = bsn_arena_strdup(a, version);
        struct bsn_purl purl = { .type = "cargo", .name = name, .version = version };
        pkg->purl = bsn_purl_format(a, &purl);
        pkg->dep = BSN_DEP_UNKNOWN;
    }
    bsn_map_release(&seen);
    json_decref(doc);
    if (skipped)
        bsn_actx_warn(ctx, "%zu [[package]] entries without a name or version skipped", skipped);
    return BSN_OK;
}

static const char *const cargo_names[] = { "Cargo.lock", NULL };

const struct bsn_analyzer bsn_analyzer_cargo_lock = {
    .name = "cargo_lock",
    .scheme = "cargo",
    .version = 1,
    .max_input = CARGO_MAX_INPUT,
    .names = cargo_names,
    .parse = cargo_parse,
    .declared = bsn_declared_all,
};
