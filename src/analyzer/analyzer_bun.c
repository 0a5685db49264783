/*
 * Bun's text lockfile bun.lock (https://bun.sh/docs/install/lockfile), JSONC: JSON with
 * trailing commas (and, tolerated here, // and block comments), which are stripped outside
 * strings before jansson parses it.
 *
 *   "workspaces": {"": {"name": "app", "dependencies": {…}, "devDependencies": {…}},
 *                  "packages/lib": {"name": "lib", "version": "1.0.0", …}},
 *   "packages": {"chalk": ["chalk@5.0.1", "", {"dependencies": {…}}, "sha512-…"],
 *                "lib": ["lib@workspace:packages/lib"]}
 *
 * Workspace members (every workspace but the root "") are reported with relationship
 * workspace and the version from their workspaces entry; packages any workspace lists in
 * dependencies, devDependencies, optionalDependencies or peerDependencies are direct, others
 * indirect. A package is dev when it is reachable only from devDependencies (walk over the
 * packages' dependencies, resolved by name; iterative with a visited set). Entries with a
 * non-registry source (workspace:, file:, link:, git, github:) are not registry packages and
 * are skipped. Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/map.h"

/* Copies JSONC into plain JSON: comments dropped, commas before '}' or ']' dropped. */
static size_t
strip_jsonc(const char *in, size_t len, char *out)
{
    size_t n = 0;
    bool has_comma = false;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '"') {
            if (has_comma) {
                out[n++] = ',';
                has_comma = false;
            }
            out[n++] = c;
            for (i++; i < len; i++) {
                out[n++] = in[i];
                if (in[i] == '\\' && i + 1 < len) {
                    out[n++] = in[++i];
                    continue;
                }
                if (in[i] == '"')
                    break;
            }
            continue;
        }
        if (c == '/' && i + 1 < len && in[i + 1] == '/') {
            while (i < len && in[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < len && in[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(in[i] == '*' && in[i + 1] == '/'); i++)
                ;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            out[n++] = c;
            continue;
        }
        if (c == ',') {
            if (has_comma)
                out[n++] = ',';
            has_comma = true;
            continue;
        }
        if (has_comma && c != '}' && c != ']')
            out[n++] = ',';
        has_comma = false;
        out[n++] = c;
    }
    if (has_comma)
        out[n++] = ',';
    return n;
}

struct bun {
    struct bsn_actx *ctx;
    json_t *packages;
    struct bsn_map direct, prod;
    const char **stack;
    size_t n, cap;
};

static void
push_deps(struct bun *b, struct bsn_map *seen, json_t *deps)
{
    const char *name;
    json_t *v;
    json_object_foreach(deps, name, v) {
        (void)v;
        size_t len = strlen(name);
        if (bsn_map_get(seen, name, len) || b->n == b->cap)
            continue;
        bsn_map_put(seen, name, len, b);
        b->stack[b->n++] = name;
    }
}

static void
walk(struct bun *b, struct bsn_map *seen)
{
    static const char *const kinds[] = { "dependencies", "optionalDependencies",
                                         "peerDependencies" };
    while (b->n > 0) {
        const char *name = b->stack[--b->n];
        json_t *entry = json_object_get(b->packages, name);
        json_t *meta = json_is_array(entry) ? json_array_get(entry, 2) : NULL;
        if (!json_is_object(meta))
            continue;
        for (size_t k = 0; k < 3; k++) {
            json_t *d = json_object_get(meta, kinds[k]);
            if (json_is_object(d))
                push_deps(b, seen, d);
        }
    }
}

static bsn_code
parse_doc(struct bun *b, json_t *doc, struct bsn_err *err)
{
    json_t *ws = json_object_get(doc, "workspaces");
    b->packages = json_object_get(doc, "packages");
    if (!json_is_object(b->packages))
        return bsn_err_set(err, BSN_EFORMAT, "no \"packages\" object");
    b->cap = json_object_size(b->packages) * 2 + 1;
    b->stack = bsn_arena_alloc_array(bsn_actx_scratch(b->ctx), b->cap, sizeof(*b->stack));

    struct bsn_langset set;
    bsn_langset_init(&set, b->ctx, "npm");
    static const char *const prod_kinds[] = { "dependencies", "optionalDependencies",
                                              "peerDependencies" };
    const char *wpath;
    json_t *w;
    if (json_is_object(ws)) {
        json_object_foreach(ws, wpath, w) {
            for (size_t k = 0; k < 3; k++) {
                json_t *d = json_object_get(w, prod_kinds[k]);
                if (json_is_object(d)) {
                    push_deps(b, &b->direct, d);
                    b->n = 0;
                    push_deps(b, &b->prod, d);
                    walk(b, &b->prod);
                }
            }
            json_t *dev = json_object_get(w, "devDependencies");
            if (json_is_object(dev)) {
                push_deps(b, &b->direct, dev);
                b->n = 0;
            }
            if (*wpath == '\0')
                continue;
            struct bsn_str name = bsn_lang_jstr(w, "name");
            if (name.len == 0)
                name = bsn_str_cstr(wpath);
            (void)bsn_langset_add(&set, name, bsn_lang_jstr(w, "version"), BSN_DEP_WORKSPACE,
                                  false);
        }
    }

    const char *key;
    json_t *entry;
    json_object_foreach(b->packages, key, entry) {
        struct bsn_str id = bsn_lang_jval(json_array_get(entry, 0));
        if (id.len < 2) {
            bsn_actx_warn(b->ctx, "package '%.200s' without a name@version", key);
            continue;
        }
        ptrdiff_t at = bsn_str_chr(bsn_str_make(id.ptr + 1, id.len - 1), '@');
        if (at < 0)
            continue;
        struct bsn_str name = bsn_str_make(id.ptr, (size_t)at + 1);
        struct bsn_str ver = bsn_str_make(id.ptr + at + 2, id.len - (size_t)at - 2);
        if (ver.len == 0 || bsn_str_chr(ver, ':') >= 0 || bsn_str_chr(ver, '/') >= 0)
            continue; /* workspace:, file:, link:, github:, git URLs */
        size_t klen = strlen(key);
        bool direct = bsn_map_get(&b->direct, key, klen) != NULL;
        bool dev = bsn_map_get(&b->prod, key, klen) == NULL;
        (void)bsn_langset_add(&set, name, ver, direct ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT, dev);
    }
    bsn_langset_release(&set);
    return BSN_OK;
}

static bsn_code
bun_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    char *plain = bsn_arena_alloc(bsn_actx_scratch(ctx), in->len + 1);
    size_t n = strip_jsonc((const char *)in->data, in->len, plain);
    json_error_t jerr;
    json_t *doc = json_loadb(plain, n, 0, &jerr);
    if (!doc)
        return bsn_err_set(err, BSN_EFORMAT, "JSON decode error at line %d: %s", jerr.line,
                           jerr.text);
    bsn_code rc;
    json_t *lv = json_object_get(doc, "lockfileVersion");
    if (!json_is_object(doc) || !json_is_integer(lv)) {
        rc = bsn_err_set(err, BSN_EFORMAT, "JSON decode error: lockfileVersion is not a number");
    } else {
        struct bun b = { .ctx = ctx };
        bsn_map_init(&b.direct);
        bsn_map_init(&b.prod);
        rc = parse_doc(&b, doc, err);
        bsn_map_release(&b.direct);
        bsn_map_release(&b.prod);
    }
    json_decref(doc);
    return rc;
}

/* Lockfiles that packages ship inside node_modules/ describe their own development, not
 * what is installed (seen: node_modules/combined-stream/yarn.lock in an npm install). */
static bool
bun_wants(const struct bsn_path *p)
{
    return strstr(p->path, "node_modules/") == NULL;
}

static const char *const bun_names[] = { "bun.lock", NULL };

const struct bsn_analyzer bsn_analyzer_bun = {
    .name = "bun",
    .scheme = "npm",
    .version = 1,
    .max_input = 64u << 20,
    .names = bun_names,
    .wants = bun_wants,
    .parse = bun_parse,
    .declared = bsn_declared_all,
};
