/*
 * yarn.lock, both dialects:
 *   v1 (classic, https://classic.yarnpkg.com/lang/en/docs/yarn-lock/): a YAML-like format,
 *       entries "name@range, name@range2:" with indented `version "1.2.3"`;
 *   berry (v2+, "__metadata:" first): real YAML, keys "name@npm:range" with `version: 1.2.3`.
 * Both are read line by line with one rule set (no YAML parser: v1 is not YAML), so a huge
 * lockfile costs one pass and no tree.
 *
 * An entry's protocol is the text between the first '@' after the name and the next ':'
 * ("npm:^1.0.0" -> npm, "^1.0.0" -> none). As trivy does, only npm packages are reported:
 * workspace:, file:, link:, portal:, patch:, git and URL protocols and unknown ones are skipped
 * (workspace members and local tarballs have no registry identity). npm aliases
 * ("string-width-cjs@npm:string-width@^4.2.0") report the real package.
 *
 * The lockfile records no direct/indirect or dev flag; as trivy does, the project's
 * package.json beside it supplies them. Both files are read by this analyzer (package.json
 * only outside node_modules) and leave aux records keyed by their folder: the lockfile its
 * graph (entries, their patterns, their dependencies), package.json its dependencies,
 * optionalDependencies and devDependencies with ranges. finish() joins them: a package that
 * package.json's ranges resolve to is direct, the others indirect; packages reachable from
 * the production dependencies are not dev, those reachable only from devDependencies are.
 * Without a package.json the relationship stays unknown. Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/buf.h"
#include "base/map.h"

struct yarn_entry {
    bool open;       /* inside an entry that may yield a package */
    struct bsn_str name;
    struct bsn_str version;
    struct bsn_str key;      /* the entry's key line (its patterns) */
    bool in_deps;            /* inside a dependencies: or optionalDependencies: block */
};

/*
 * The lockfile's graph as aux text, one line each:
 *   E name@version          an entry that gave a package
 *   K pattern               one of its key's patterns ("ms@^2.1.2", "ms@npm:2.1.2")
 *   R name range            one of its dependencies
 * R lines of an entry are collected while it is read and dropped if it gives no package.
 */
struct yarn_graph {
    struct bsn_buf deps;     /* R lines of the open entry */
    struct bsn_buf text;     /* finished entries */
    bool failed;             /* over the cap: no graph, relationships stay unknown */
};

static struct bsn_str
unquote(struct bsn_str s)
{
    s = bsn_str_trim(s);
    if (s.len >= 2 && s.ptr[0] == '"' && s.ptr[s.len - 1] == '"')
        return bsn_str_make(s.ptr + 1, s.len - 2);
    if (s.len >= 1 && s.ptr[0] == '"')
        return bsn_str_make(s.ptr + 1, s.len - 1);
    if (s.len >= 1 && s.ptr[s.len - 1] == '"')
        return bsn_str_make(s.ptr, s.len - 1);
    return s;
}

/* Splits "name@spec" at the '@' after the name (a scope's leading '@' is part of the name). */
static bool
split_pattern(struct bsn_str pat, struct bsn_str *name, struct bsn_str *spec)
{
    if (pat.len < 2)
        return false;
    ptrdiff_t at = bsn_str_chr(bsn_str_make(pat.ptr + 1, pat.len - 1), '@');
    if (at < 0)
        return false;
    size_t n = (size_t)at + 1;
    *name = bsn_str_make(pat.ptr, n);
    *spec = bsn_str_make(pat.ptr + n + 1, pat.len - n - 1);
    return name->len > 0;
}

/* Parses an entry key line; returns false when the entry is not an npm package. */
static bool
parse_key(struct bsn_str key, struct bsn_str *name)
{
    struct bsn_str first = key, rest;
    if (bsn_str_split(key, ',', &first, &rest))
        (void)rest;
    first = unquote(first);
    struct bsn_str spec;
    if (!split_pattern(first, name, &spec))
        return false;
    /* protocol: up to the first ':' of the spec, if it is a plain word */
    ptrdiff_t colon = bsn_str_chr(spec, ':');
    if (colon < 0)
        return true;
    struct bsn_str proto = bsn_str_make(spec.ptr, (size_t)colon);
    for (size_t i = 0; i < proto.len; i++)
        if (proto.ptr[i] == ' ' || proto.ptr[i] == '@' || proto.ptr[i] == '/')
            return true; /* "a@>=1 <2" etc.: no protocol */
    if (!bsn_str_eq_cstr(proto, "npm"))
        return false;
    /* npm alias: "alias@npm:real@range" */
    struct bsn_str target = bsn_str_make(spec.ptr + colon + 1, spec.len - (size_t)colon - 1);
    struct bsn_str real, range;
    if (split_pattern(target, &real, &range))
        *name = real;
    return true;
}

static void
graph_add(struct yarn_graph *g, struct bsn_buf *b, const char *tag, struct bsn_str a,
          struct bsn_str sep_b, const char *sep)
{
    if (g->failed)
        return;
    if (bsn_buf_addf(b, "%s %.*s%s%.*s\n", tag, BSN_STR_ARG(a), sep, BSN_STR_ARG(sep_b)) !=
        BSN_OK)
        g->failed = true;
}

static void
flush(struct bsn_langset *set, struct yarn_graph *g, struct yarn_entry *e)
{
    if (e->open && e->version.len) {
        (void)bsn_langset_add(set, e->name, e->version, BSN_DEP_UNKNOWN, false);
        graph_add(g, &g->text, "E", e->name, e->version, "@");
        struct bsn_str rest = e->key, pat;
        while (rest.len) {
            if (!bsn_str_split(rest, ',', &pat, &rest)) {
                pat = rest;
                rest.len = 0;
            }
            pat = unquote(pat);
            if (pat.len)
                graph_add(g, &g->text, "K", pat, bsn_str_make("", 0), "");
        }
        if (!g->failed && bsn_buf_add(&g->text, g->deps.ptr, g->deps.len) != BSN_OK)
            g->failed = true;
    }
    bsn_buf_reset(&g->deps);
    e->open = false;
    e->in_deps = false;
    e->version = bsn_str_make("", 0);
}

/* A dependency line "    name range" (v1) or "    name: range" (berry), names maybe quoted. */
static void
dep_line(struct yarn_graph *g, struct bsn_str body)
{
    struct bsn_str name, range;
    if (body.len && body.ptr[0] == '"') {
        ptrdiff_t q = bsn_str_chr(bsn_str_make(body.ptr + 1, body.len - 1), '"');
        if (q < 0)
            return;
        name = bsn_str_make(body.ptr + 1, (size_t)q);
        range = bsn_str_make(body.ptr + q + 2, body.len - (size_t)q - 2);
    } else {
        size_t i = 0;
        while (i < body.len && body.ptr[i] != ' ' && body.ptr[i] != ':')
            i++;
        name = bsn_str_make(body.ptr, i);
        range = bsn_str_make(body.ptr + i, body.len - i);
    }
    range = bsn_str_trim(range);
    if (range.len && range.ptr[0] == ':')
        range = bsn_str_trim(bsn_str_make(range.ptr + 1, range.len - 1));
    range = unquote(range);
    if (name.len && range.len && bsn_str_chr(name, ' ') < 0)
        graph_add(g, &g->deps, "R", name, range, " ");
}

/* The folder of the current file with a trailing '/', "" at the root. */
static struct bsn_str
file_dir(const struct bsn_path *p)
{
    return bsn_str_make(p->path, p->len - p->base_len);
}

/* package.json: aux "pkg:<dir>" = lines "P name range" (prod) and "D name range" (dev). */
static void
parse_package_json(struct bsn_actx *ctx, const struct bsn_input *in)
{
    json_t *doc;
    struct bsn_err jerr;
    if (bsn_lang_json(in, &doc, &jerr) != BSN_OK)
        return; /* not yarn's to judge: no relationships for this folder */
    struct bsn_buf b;
    bsn_buf_init(&b, in->len + 64);
    static const char *const kinds[] = { "dependencies", "optionalDependencies",
                                         "devDependencies" };
    bool ok = json_is_object(doc);
    for (size_t k = 0; ok && k < 3; k++) {
        json_t *d = json_object_get(doc, kinds[k]);
        const char *name;
        json_t *v;
        if (!json_is_object(d))
            continue;
        json_object_foreach(d, name, v) {
            struct bsn_str range = bsn_lang_jval(v);
            if (range.len && bsn_buf_addf(&b, "%c %s %.*s\n", k == 2 ? 'D' : 'P', name,
                                          BSN_STR_ARG(range)) != BSN_OK)
                ok = false;
        }
    }
    if (ok) {
        char *key = bsn_arena_printf(bsn_actx_scratch(ctx), "pkg:%.*s",
                                     BSN_STR_ARG(file_dir(in->path)));
        bsn_actx_add_aux(ctx, key, b.ptr);
    }
    bsn_buf_release(&b);
    json_decref(doc);
}

static bsn_code
yarn_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    (void)err;
    if (bsn_str_eq_cstr(bsn_str_make(in->path->base, in->path->base_len), "package.json")) {
        parse_package_json(ctx, in);
        return BSN_OK;
    }
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "npm");
    struct yarn_graph g = { .failed = false };
    bsn_buf_init(&g.deps, in->len + 64);
    bsn_buf_init(&g.text, 2 * in->len + 64);
    struct yarn_entry e = { 0 };
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    while (bsn_sp_line(&cur, &line) == 0) {
        if (line.len == 0 || line.ptr[0] == '#')
            continue;
        if (line.ptr[0] != ' ' && line.ptr[0] != '\t') {
            flush(&set, &g, &e);
            struct bsn_str key = bsn_str_trim(line);
            if (key.len < 2 || key.ptr[key.len - 1] != ':')
                continue;
            key.len--;
            e.key = key;
            e.open = parse_key(key, &e.name);
            continue;
        }
        if (!e.open || line.len < 3 || line.ptr[1] != ' ')
            continue;
        if (line.ptr[2] == ' ') {
            /* four spaces: a dependency when inside dependencies: */
            if (e.in_deps && line.len > 4 && line.ptr[3] == ' ' && line.ptr[4] != ' ')
                dep_line(&g, bsn_str_make(line.ptr + 4, line.len - 4));
            continue;
        }
        struct bsn_str body = bsn_str_trim(bsn_str_make(line.ptr + 2, line.len - 2));
        e.in_deps = bsn_str_eq_cstr(body, "dependencies:") ||
                    bsn_str_eq_cstr(body, "optionalDependencies:");
        if (bsn_str_starts(body, "version:"))
            e.version = unquote(bsn_str_make(body.ptr + 8, body.len - 8));
        else if (bsn_str_starts(body, "version "))
            e.version = unquote(bsn_str_make(body.ptr + 8, body.len - 8));
    }
    flush(&set, &g, &e);
    if (!g.failed) {
        char *key = bsn_arena_printf(bsn_actx_scratch(ctx), "lock:%.*s",
                                     BSN_STR_ARG(file_dir(in->path)));
        bsn_actx_add_aux(ctx, key, g.text.ptr);
    }
    bsn_buf_release(&g.deps);
    bsn_buf_release(&g.text);
    bsn_langset_release(&set);
    return BSN_OK;
}

/* ---- finish: relationships from package.json ------------------------------------------- */

struct yarn_node {
    struct bsn_str id;        /* name@version */
    struct bsn_str deps;      /* its R lines */
    bool prod, dev, direct;
};

/* The entry a dependency "name range" resolves to: pattern name@range, or berry's
 * name@npm:range. */
static struct yarn_node *
resolve(struct bsn_map *patterns, struct bsn_arena *a, struct bsn_str name,
        struct bsn_str range)
{
    char *k = bsn_arena_printf(a, "%.*s@%.*s", BSN_STR_ARG(name), BSN_STR_ARG(range));
    struct yarn_node *n = bsn_map_get(patterns, k, strlen(k));
    if (n)
        return n;
    k = bsn_arena_printf(a, "%.*s@npm:%.*s", BSN_STR_ARG(name), BSN_STR_ARG(range));
    return bsn_map_get(patterns, k, strlen(k));
}

/* Splits "name range" (R and P/D lines after the tag). */
static bool
name_range(struct bsn_str s, struct bsn_str *name, struct bsn_str *range)
{
    return bsn_str_split(s, ' ', name, range) && name->len && range->len;
}

/* Marks everything reachable from the roots already on the stack (each node once). */
static void
reach(struct bsn_map *patterns, struct bsn_arena *a, struct yarn_node **stack, size_t n,
      size_t cap, bool dev)
{
    while (n > 0) {
        struct yarn_node *node = stack[--n];
        struct bsn_str cur = node->deps, line, name, range;
        while (bsn_sp_line(&cur, &line) == 0) {
            if (line.len < 2 || !name_range(bsn_str_make(line.ptr + 2, line.len - 2), &name,
                                            &range))
                continue;
            struct yarn_node *d = resolve(patterns, a, name, range);
            if (!d || (dev ? d->dev || d->prod : d->prod) || n == cap)
                continue;
            if (dev)
                d->dev = true;
            else
                d->prod = true;
            stack[n++] = d;
        }
    }
}

static void
join_lockfile(struct bsn_fctx *ctx, const char *graph, const char *pj,
              struct bsn_package **pkgs, size_t n_pkgs)
{
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    size_t n_nodes = 0;
    for (const char *c = graph; *c; c++)
        n_nodes += c[0] == 'E' && (c == graph || c[-1] == '\n');
    struct yarn_node *nodes = bsn_arena_alloc_array(a, n_nodes + 1, sizeof(*nodes));
    struct yarn_node **stack = bsn_arena_alloc_array(a, n_nodes + 1, sizeof(*stack));
    struct bsn_map patterns, ids;
    bsn_map_init(&patterns);
    bsn_map_init(&ids);
    size_t k = 0;
    struct bsn_str cur = bsn_str_cstr(graph), line;
    struct yarn_node *node = NULL;
    while (bsn_sp_line(&cur, &line) == 0) {
        if (line.len < 3)
            continue;
        struct bsn_str v = bsn_str_make(line.ptr + 2, line.len - 2);
        if (line.ptr[0] == 'E' && k < n_nodes) {
            node = &nodes[k++];
            node->id = v;
            node->deps = bsn_str_make(cur.ptr, 0);
            bsn_map_put(&ids, v.ptr, v.len, node);
        } else if (line.ptr[0] == 'K' && node) {
            bsn_map_put(&patterns, v.ptr, v.len, node);
        } else if (line.ptr[0] == 'R' && node) {
            /* R lines follow their entry's K lines contiguously */
            if (node->deps.len == 0)
                node->deps.ptr = line.ptr;
            node->deps.len = (size_t)(line.ptr + line.len - node->deps.ptr) + 1;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: production roots and their closure; pass 1: dev roots */
        size_t n = 0;
        cur = bsn_str_cstr(pj);
        while (bsn_sp_line(&cur, &line) == 0) {
            struct bsn_str name, range;
            if (line.len < 3 || line.ptr[0] != (pass == 0 ? 'P' : 'D') ||
                !name_range(bsn_str_make(line.ptr + 2, line.len - 2), &name, &range))
                continue;
            struct yarn_node *d = resolve(&patterns, a, name, range);
            if (!d)
                continue;
            d->direct = true;
            if (pass == 0 ? d->prod : d->prod || d->dev)
                continue;
            if (pass == 0)
                d->prod = true;
            else
                d->dev = true;
            if (n < n_nodes)
                stack[n++] = d;
        }
        reach(&patterns, a, stack, n, n_nodes, pass == 1);
    }
    for (size_t i = 0; i < n_pkgs; i++) {
        struct bsn_package *p = pkgs[i];
        char *id = bsn_arena_printf(a, "%s@%s", p->name, p->version);
        struct yarn_node *nd = bsn_map_get(&ids, id, strlen(id));
        if (!nd)
            continue;
        p->dep = nd->direct ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT;
        p->dev = !nd->prod && nd->dev;
    }
    bsn_map_release(&patterns);
    bsn_map_release(&ids);
}

struct yarn_group {
    const char *dir;
    struct bsn_package **pkgs;
    size_t n, cap;
};

static bsn_code
yarn_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    struct bsn_package **pkgs;
    size_t n = bsn_fctx_packages(ctx, &pkgs);
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    /* group the packages by lockfile folder: each join sees only its own packages */
    struct yarn_group *groups = bsn_arena_alloc_array(a, n + 1, sizeof(*groups));
    size_t n_groups = 0;
    struct bsn_map index;
    bsn_map_init(&index);
    for (size_t i = 0; i < n; i++) {
        const char *path = pkgs[i]->path;
        size_t len = strlen(path);
        if (len < 9 || strcmp(path + len - 9, "yarn.lock") != 0)
            continue;
        struct yarn_group *g = bsn_map_get(&index, path, len - 9);
        if (!g) {
            g = &groups[n_groups++];
            g->dir = bsn_arena_strndup(a, path, len - 9);
            bsn_map_put(&index, g->dir, len - 9, g);
        }
        if (g->n == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 16;
            struct bsn_package **v = bsn_arena_alloc_array(a, cap, sizeof(*v));
            if (g->n)
                memcpy(v, g->pkgs, g->n * sizeof(*v));
            g->pkgs = v;
            g->cap = cap;
        }
        g->pkgs[g->n++] = pkgs[i];
    }
    for (size_t i = 0; i < n_groups; i++) {
        const char *graph = bsn_fctx_aux(ctx, bsn_arena_printf(a, "lock:%s", groups[i].dir));
        const char *pj = bsn_fctx_aux(ctx, bsn_arena_printf(a, "pkg:%s", groups[i].dir));
        if (graph && pj)
            join_lockfile(ctx, graph, pj, groups[i].pkgs, groups[i].n);
    }
    bsn_map_release(&index);
    return BSN_OK;
}

/* Lockfiles that packages ship inside node_modules/ describe their own development, not
 * what is installed (seen: node_modules/combined-stream/yarn.lock in an npm install). */
static bool
yarn_wants(const struct bsn_path *p)
{
    return strstr(p->path, "node_modules/") == NULL;
}

static const char *const yarn_names[] = { "yarn.lock", "package.json", NULL };

const struct bsn_analyzer bsn_analyzer_yarn = {
    .name = "yarn",
    .scheme = "npm",
    .version = 2,
    .max_input = 64u << 20,
    .names = yarn_names,
    .wants = yarn_wants,
    .parse = yarn_parse,
    .finish = yarn_finish,
    .declared = bsn_declared_all,
};
