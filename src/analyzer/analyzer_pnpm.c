/*
 * pnpm-lock.yaml (https://github.com/pnpm/spec/tree/master/lockfile), lockfile versions 5.x,
 * 6.x and 9.x, read with the project's YAML reader (textfmt/yaml.h).
 *
 * Package keys by version:
 *   5.x  "/@babel/runtime/7.18.3", "/foo/1.0.0_react@18.1.0" (peer suffix after '_')
 *   6.x  "/@babel/runtime@7.22.3", "/foo@1.0.0(react@18.1.0)"
 *   9.x  "@babel/runtime@7.24.1" in packages:, with peer suffixes only in snapshots:
 * Tarball, git and file: packages are keyed by their source ("@github.com/…/tarball/4.3.4",
 * "file:foo/bar/lodash.tgz", "lodash@file:foo/bar/lodash.tgz"); their entry then carries
 * name: and version: (a directory package without version: is reported without a version,
 * as trivy does). Direct dependencies are those the importers (the project and its workspace
 * folders; the top level of 5.x/6.x files without importers:) list in dependencies,
 * optionalDependencies and devDependencies; links to workspace folders ("link:…") are skipped.
 *
 * Dev: 5.x/6.x mark each package "dev: true"; 9.x does not, so a package is dev when it is
 * reachable only from devDependencies (walk over snapshots:, iterative, visited set, cycles
 * fine). Unlike trivy, which drops dev packages of 5.x/6.x files, they are reported with dev
 * set, the same in every version. A file with several YAML documents (pnpm 10's env lockfile
 * first, then the project's) is read from its last document. Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/map.h"
#include "textfmt/yaml.h"

struct pnpm {
    struct bsn_actx *ctx;
    struct bsn_arena *scratch;
    int major;                 /* lockfile major version */
    struct bsn_map direct;     /* "name@version" and raw refs of importer dependencies */
    struct bsn_map prod;       /* 9.x: package keys reachable from production dependencies */
    struct bsn_map seen;       /* 9.x: snapshot keys already walked */
};

static struct bsn_str
cut_peers(struct bsn_str v, int major)
{
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] == '(' || (major < 6 && v.ptr[i] == '_'))
            return bsn_str_make(v.ptr, i);
    return v;
}

static void
put(struct bsn_map *m, const char *s)
{
    bsn_map_put(m, s, strlen(s), m);
}

/* Splits "name@version" at the first '@' after the first character. */
static bool
split_at(struct bsn_str key, struct bsn_str *name, struct bsn_str *ver)
{
    if (key.len < 2)
        return false;
    ptrdiff_t at = bsn_str_chr(bsn_str_make(key.ptr + 1, key.len - 1), '@');
    if (at < 0)
        return false;
    *name = bsn_str_make(key.ptr, (size_t)at + 1);
    *ver = bsn_str_make(key.ptr + at + 2, key.len - (size_t)at - 2);
    return name->len > 0;
}

/* Parses a packages: key into name and version (either may come out empty). */
static void
parse_key(struct pnpm *p, struct bsn_str key, struct bsn_str *name, struct bsn_str *ver)
{
    *name = bsn_str_make("", 0);
    *ver = bsn_str_make("", 0);
    if (key.len && key.ptr[0] == '/')
        key = bsn_str_make(key.ptr + 1, key.len - 1);
    if (p->major < 6) {
        /* name/version: the version is the last segment */
        const char *slash = NULL;
        for (size_t i = 0; i < key.len; i++)
            if (key.ptr[i] == '/')
                slash = key.ptr + i;
        if (!slash)
            return;
        *name = bsn_str_make(key.ptr, (size_t)(slash - key.ptr));
        *ver = cut_peers(bsn_str_make(slash + 1, key.len - (size_t)(slash - key.ptr) - 1), 5);
        return;
    }
    if (!split_at(key, name, ver))
        return;
    *ver = cut_peers(*ver, 6);
}

static bool
plain_version(struct bsn_str v)
{
    return v.len > 0 && v.ptr[0] >= '0' && v.ptr[0] <= '9' && bsn_str_chr(v, ':') < 0 &&
           bsn_str_chr(v, '/') < 0;
}

/* The version string of an importer dependency: 5.x "1.0.0", 6.x/9.x {version: "1.0.0"}. */
static struct bsn_str
dep_ref(const json_t *v)
{
    if (json_is_object(v))
        return bsn_lang_jstr(v, "version");
    return bsn_lang_jval(v);
}

static void
add_direct(struct pnpm *p, json_t *deps)
{
    const char *name;
    json_t *v;
    json_object_foreach(deps, name, v) {
        struct bsn_str ref = dep_ref(v);
        if (ref.len == 0 || bsn_str_starts(ref, "link:"))
            continue;
        struct bsn_str r = cut_peers(ref, p->major);
        put(&p->direct, bsn_arena_strslice(p->scratch, ref));
        put(&p->direct, bsn_arena_strslice(p->scratch, r));
        put(&p->direct, bsn_arena_printf(p->scratch, "%s@%.*s", name, BSN_STR_ARG(r)));
        put(&p->direct, bsn_arena_printf(p->scratch, "/%s@%.*s", name, BSN_STR_ARG(r)));
    }
}

struct pnpm_stack {
    const char **v;
    size_t n, cap;
};

/* Pushes snapshot key "name@ref" unless already seen (each key is pushed once, so the walk
 * is linear in the dependency edges and cycles end). */
static void
push_key(struct pnpm *p, struct bsn_map *seen, struct pnpm_stack *st, const char *name,
         struct bsn_str ref)
{
    if (ref.len == 0 || bsn_str_starts(ref, "link:"))
        return;
    char *key = bsn_arena_printf(p->scratch, "%s@%.*s", name, BSN_STR_ARG(ref));
    size_t klen = strlen(key);
    if (bsn_map_get(seen, key, klen))
        return;
    bsn_map_put(seen, key, klen, seen);
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        const char **v = bsn_arena_alloc_array(p->scratch, cap, sizeof(*v));
        if (st->n)
            memcpy(v, st->v, st->n * sizeof(*v));
        st->v = v;
        st->cap = cap;
    }
    st->v[st->n++] = key;
}

/* 9.x: marks every package key reachable from deps through snapshots:, iteratively; seen
 * (snapshot keys, peer suffixes included) persists across the importers' walks. */
static void
walk(struct pnpm *p, struct bsn_map *seen, json_t *snapshots, json_t *deps)
{
    struct pnpm_stack st = { NULL, 0, 0 };
    const char *name;
    json_t *v;
    json_object_foreach(deps, name, v) push_key(p, seen, &st, name, dep_ref(v));
    static const char *const kinds[] = { "dependencies", "optionalDependencies" };
    while (st.n > 0) {
        const char *snap_key = st.v[--st.n];
        struct bsn_str pkg_key = cut_peers(bsn_str_cstr(snap_key), 6);
        if (!bsn_map_get(&p->prod, pkg_key.ptr, pkg_key.len))
            put(&p->prod, bsn_arena_strslice(p->scratch, pkg_key));
        json_t *snap = json_object_get(snapshots, snap_key);
        for (size_t k = 0; k < 2; k++) {
            json_t *sub = json_object_get(snap, kinds[k]);
            if (!json_is_object(sub))
                continue;
            json_object_foreach(sub, name, v) push_key(p, seen, &st, name, bsn_lang_jval(v));
        }
    }
}

static bsn_code
parse_doc(struct pnpm *p, json_t *doc, struct bsn_err *err)
{
    struct bsn_str lv = bsn_lang_jstr(doc, "lockfileVersion");
    json_t *lvj = json_object_get(doc, "lockfileVersion");
    if (lv.len == 0 && json_is_number(lvj))
        p->major = (int)json_number_value(lvj);
    else if (lv.len && lv.ptr[0] >= '1' && lv.ptr[0] <= '9')
        p->major = lv.len > 1 && lv.ptr[1] >= '0' && lv.ptr[1] <= '9'
                       ? (lv.ptr[0] - '0') * 10 + (lv.ptr[1] - '0') : lv.ptr[0] - '0';
    else
        return bsn_err_set(err, BSN_EFORMAT, "no lockfileVersion");

    json_t *importers = json_object_get(doc, "importers");
    json_t *snapshots = json_object_get(doc, "snapshots");
    static const char *const prod_kinds[] = { "dependencies", "optionalDependencies" };
    json_t *imp;
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: direct sets; pass 1 (9.x): production reachability */
        if (pass == 1 && p->major < 9)
            break;
        json_t *single = json_is_object(importers) ? NULL : doc;
        json_t *list = json_is_object(importers) ? importers : NULL;
        void *it = list ? json_object_iter(list) : NULL;
        while (single || it) {
            imp = single ? single : json_object_iter_value(it);
            for (size_t k = 0; k < 2; k++) {
                json_t *d = json_object_get(imp, prod_kinds[k]);
                if (!json_is_object(d))
                    continue;
                if (pass == 0)
                    add_direct(p, d);
                else
                    walk(p, &p->seen, json_is_object(snapshots) ? snapshots : NULL, d);
            }
            json_t *dev = json_object_get(imp, "devDependencies");
            if (pass == 0 && json_is_object(dev))
                add_direct(p, dev);
            if (single)
                single = NULL;
            else
                it = json_object_iter_next(list, it);
        }
    }

    json_t *packages = json_object_get(doc, "packages");
    if (!json_is_object(packages))
        return BSN_OK;
    struct bsn_langset set;
    bsn_langset_init(&set, p->ctx, "npm");
    const char *key;
    json_t *entry;
    json_object_foreach(packages, key, entry) {
        struct bsn_str k = bsn_str_cstr(key), name, ver;
        parse_key(p, k, &name, &ver);
        struct bsn_str ename = bsn_lang_jstr(entry, "name");
        struct bsn_str ever = bsn_lang_jstr(entry, "version");
        if (ename.len)
            name = ename;
        if (ever.len)
            ver = ever;
        else if (!plain_version(ver))
            ver = bsn_str_make("", 0);
        if (name.len == 0) {
            bsn_actx_warn(p->ctx, "package '%.200s' without a name", key);
            continue;
        }
        struct bsn_str raw = k.len && k.ptr[0] == '/' ? bsn_str_make(k.ptr + 1, k.len - 1) : k;
        char *nv = bsn_arena_printf(p->scratch, "%.*s@%.*s", BSN_STR_ARG(name),
                                    BSN_STR_ARG(ver));
        struct bsn_str rawcut = cut_peers(raw, p->major);
        bool direct = bsn_map_get(&p->direct, raw.ptr, raw.len) ||
                      bsn_map_get(&p->direct, rawcut.ptr, rawcut.len) ||
                      bsn_map_get(&p->direct, k.ptr, k.len) ||
                      bsn_map_get(&p->direct, nv, strlen(nv));
        bool dev;
        if (p->major >= 9)
            dev = !bsn_map_get(&p->prod, rawcut.ptr, rawcut.len);
        else
            dev = json_is_true(json_object_get(entry, "dev"));
        (void)bsn_langset_add(&set, name, ver, direct ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT, dev);
    }
    bsn_langset_release(&set);
    return BSN_OK;
}

static bsn_code
pnpm_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct bsn_yaml_opts yo = { .flags = BSN_YAML_ALL_DOCS };
    json_t *docs;
    BSN_TRY(bsn_yaml_parse_opts((const char *)in->data, in->len, &yo, &docs, err));
    bsn_code rc = BSN_OK;
    json_t *doc = json_array_size(docs) ? json_array_get(docs, json_array_size(docs) - 1) : NULL;
    if (!json_is_object(doc)) {
        rc = bsn_err_set(err, BSN_EFORMAT, "not a pnpm lockfile mapping");
    } else {
        struct pnpm p = { .ctx = ctx, .scratch = bsn_actx_scratch(ctx) };
        bsn_map_init(&p.direct);
        bsn_map_init(&p.prod);
        bsn_map_init(&p.seen);
        rc = parse_doc(&p, doc, err);
        bsn_map_release(&p.direct);
        bsn_map_release(&p.prod);
        bsn_map_release(&p.seen);
    }
    json_decref(docs);
    return rc;
}

/* Lockfiles that packages ship inside node_modules/ describe their own development, not
 * what is installed (seen: node_modules/combined-stream/yarn.lock in an npm install). */
static bool
pnpm_wants(const struct bsn_path *p)
{
    return strstr(p->path, "node_modules/") == NULL;
}

static const char *const pnpm_names[] = { "pnpm-lock.yaml", NULL };

const struct bsn_analyzer bsn_analyzer_pnpm = {
    .name = "pnpm",
    .scheme = "npm",
    .version = 1,
    .max_input = 64u << 20,
    .names = pnpm_names,
    .wants = pnpm_wants,
    .parse = pnpm_parse,
    .declared = bsn_declared_all,
};
