/*
 * Maven pom.xml (https://maven.apache.org/pom.html), for project scans, without an XML
 * library: a small careful reader that walks elements (comments, processing instructions,
 * DOCTYPE and CDATA handled; namespaces prefixes dropped; nesting at most 64 deep) and keeps
 *   project/{groupId,artifactId,version}, project/parent/{groupId,version},
 *   project/properties/NAME, project/dependencies/dependency/FIELD,
 *   project/dependencyManagement/dependencies/dependency/FIELD.
 * The project itself is reported as the root package (group and version inherited from
 * <parent> when absent); each dependency as a direct one, its version from the dependency or
 * from this POM's dependencyManagement, "${…}" references substituted from <properties> and
 * the project.* / parent.* built-ins (8 rounds at most, so cycles end). Test-scoped
 * dependencies are marked development-only.
 *
 * NEEDSWORK: parent POMs, imported BOMs and transitive dependencies need the POMs of other
 * artifacts (the local repository or Maven Central, as Trivy fetches them); bosun does not
 * fetch, so a dependency whose version comes from elsewhere is skipped, and one warning per
 * file counts them. Profiles are not activated.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "base/map.h"
#include "textfmt/purl.h"

#define POM_MAX_INPUT (8u * 1024 * 1024)
#define POM_MAX_DEPTH 64
#define POM_MAX_TEXT (64u * 1024)
#define POM_MAX_VALUE 4096
#define POM_SUBST_ROUNDS 8

struct pom_dep {
    const char *group, *artifact, *version, *scope;
    struct pom_dep *next;
};

struct pom {
    const char *group, *artifact, *version, *parent_group, *parent_version;
    struct bsn_map props;
    struct pom_dep *deps, **deps_tail;
    struct pom_dep *managed;
    struct pom_dep cur;       /* the dependency being read */
};

/* ---- substitution -------------------------------------------------------------------------- */

static const char *
lookup(const struct pom *m, struct bsn_str key)
{
    const char *v = bsn_map_get(&m->props, key.ptr, key.len);
    if (v)
        return v;
    if (bsn_str_eq_cstr(key, "project.version") || bsn_str_eq_cstr(key, "pom.version") ||
        bsn_str_eq_cstr(key, "version"))
        return m->version ? m->version : m->parent_version;
    if (bsn_str_eq_cstr(key, "project.groupId") || bsn_str_eq_cstr(key, "pom.groupId") ||
        bsn_str_eq_cstr(key, "groupId"))
        return m->group ? m->group : m->parent_group;
    if (bsn_str_eq_cstr(key, "project.artifactId") || bsn_str_eq_cstr(key, "pom.artifactId") ||
        bsn_str_eq_cstr(key, "artifactId"))
        return m->artifact;
    if (bsn_str_eq_cstr(key, "project.parent.version") || bsn_str_eq_cstr(key, "parent.version"))
        return m->parent_version;
    if (bsn_str_eq_cstr(key, "project.parent.groupId") || bsn_str_eq_cstr(key, "parent.groupId"))
        return m->parent_group;
    return NULL;
}

/* s with every known ${key} replaced, in arena a; unknown references stay as written. */
static const char *
subst(struct bsn_arena *a, const struct pom *m, const char *s)
{
    if (!s)
        return NULL;
    for (int round = 0; round < POM_SUBST_ROUNDS && strstr(s, "${"); round++) {
        struct bsn_buf b;
        bsn_buf_init(&b, POM_MAX_VALUE);
        bool changed = false, ok = true;
        const char *p = s;
        while (*p && ok) {
            const char *ref = strstr(p, "${");
            const char *end = ref ? strchr(ref, '}') : NULL;
            if (!ref || !end) {
                ok = bsn_buf_adds(&b, p) == BSN_OK;
                break;
            }
            ok = bsn_buf_add(&b, p, (size_t)(ref - p)) == BSN_OK;
            const char *v = lookup(m, bsn_str_make(ref + 2, (size_t)(end - ref - 2)));
            if (ok && v) {
                ok = bsn_buf_adds(&b, v) == BSN_OK;
                changed = true;
            } else if (ok) {
                ok = bsn_buf_add(&b, ref, (size_t)(end - ref + 1)) == BSN_OK;
            }
            p = end + 1;
        }
        if (ok)
            s = bsn_arena_strndup(a, b.ptr, b.len);
        bsn_buf_release(&b);
        if (!ok || !changed)
            break;
    }
    return s;
}

/* ---- the XML walk --------------------------------------------------------------------------- */

static bool
path_is(const struct bsn_str *stack, size_t depth, const char *want)
{
    /* want is "a/b/c": compare element by element */
    size_t i = 0;
    const char *w = want;
    while (*w) {
        const char *slash = strchr(w, '/');
        size_t n = slash ? (size_t)(slash - w) : strlen(w);
        if (i >= depth || !bsn_str_eq(stack[i], bsn_str_make(w, n)))
            return false;
        i++;
        w += n + (slash ? 1 : 0);
    }
    return i == depth;
}

static void
on_text_end(struct bsn_arena *a, struct pom *m, const struct bsn_str *st, size_t depth,
            const char *text)
{
    if (depth == 2 && bsn_str_eq_cstr(st[0], "project")) {
        if (bsn_str_eq_cstr(st[1], "groupId"))
            m->group = text;
        else if (bsn_str_eq_cstr(st[1], "artifactId"))
            m->artifact = text;
        else if (bsn_str_eq_cstr(st[1], "version"))
            m->version = text;
        return;
    }
    if (depth == 3 && path_is(st, 2, "project/parent")) {
        if (bsn_str_eq_cstr(st[2], "groupId"))
            m->parent_group = text;
        else if (bsn_str_eq_cstr(st[2], "version"))
            m->parent_version = text;
        return;
    }
    if (depth == 3 && path_is(st, 2, "project/properties")) {
        char *k = bsn_arena_strslice(a, st[2]);
        bsn_map_put(&m->props, k, st[2].len, (void *)(uintptr_t)text);
        return;
    }
    bool dep = depth == 4 && path_is(st, 3, "project/dependencies/dependency");
    bool man = depth == 5 && path_is(st, 4, "project/dependencyManagement/dependencies/dependency");
    if (!dep && !man)
        return;
    struct bsn_str leaf = st[depth - 1];
    if (bsn_str_eq_cstr(leaf, "groupId"))
        m->cur.group = text;
    else if (bsn_str_eq_cstr(leaf, "artifactId"))
        m->cur.artifact = text;
    else if (bsn_str_eq_cstr(leaf, "version"))
        m->cur.version = text;
    else if (bsn_str_eq_cstr(leaf, "scope"))
        m->cur.scope = text;
}

static void
on_element_end(struct bsn_arena *a, struct pom *m, const struct bsn_str *st, size_t depth)
{
    bool dep = depth == 3 && path_is(st, 3, "project/dependencies/dependency");
    bool man = depth == 4 && path_is(st, 4, "project/dependencyManagement/dependencies/dependency");
    if (!dep && !man)
        return;
    struct pom_dep *d = bsn_arena_alloc(a, sizeof(*d));
    *d = m->cur;
    memset(&m->cur, 0, sizeof(m->cur));
    if (dep) {
        *m->deps_tail = d;
        m->deps_tail = &d->next;
    } else {
        d->next = m->managed;
        m->managed = d;
    }
}

static const char *
decode_text(struct bsn_arena *a, struct bsn_str t)
{
    t = bsn_str_trim(t);
    char *out = bsn_arena_alloc(a, t.len + 1);
    size_t o = 0;
    static const struct {
        const char *ent;
        char c;
    } ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
                 { "&apos;", '\'' } };
    for (size_t i = 0; i < t.len;) {
        bool done = false;
        for (size_t e = 0; t.ptr[i] == '&' && e < sizeof(ents) / sizeof(ents[0]); e++) {
            size_t el = strlen(ents[e].ent);
            if (t.len - i >= el && memcmp(t.ptr + i, ents[e].ent, el) == 0) {
                out[o++] = ents[e].c;
                i += el;
                done = true;
                break;
            }
        }
        if (!done)
            out[o++] = t.ptr[i++];
    }
    out[o] = 0;
    return out;
}

/* Walks the document; BSN_EFORMAT naming the byte offset on malformed markup. */
static bsn_code
walk(struct bsn_arena *a, struct pom *m, const char *d, size_t len, struct bsn_err *err)
{
    struct bsn_str st[POM_MAX_DEPTH];
    size_t depth = 0, i = 0;
    struct bsn_buf text;
    bsn_buf_init(&text, POM_MAX_TEXT);
    bsn_code rc = BSN_OK;
    const char *end = d + len;
#define FIND(from, lit) ((const char *)memmem((from), (size_t)(end - (from)), (lit), strlen(lit)))
    while (i < len && rc == BSN_OK) {
        const char *p = d + i;
        if (*p != '<') {
            const char *lt = memchr(p, '<', len - i);
            size_t n = lt ? (size_t)(lt - p) : len - i;
            if (bsn_buf_add(&text, p, n) != BSN_OK)
                bsn_buf_reset(&text); /* huge text: not a value we want */
            i += n;
            continue;
        }
        const char *q;
        if (len - i >= 4 && memcmp(p, "<!--", 4) == 0) {
            q = FIND(p + 4, "-->");
            if (!q)
                break;
            i = (size_t)(q + 3 - d);
        } else if (len - i >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
            q = FIND(p + 9, "]]>");
            if (!q)
                break;
            if (bsn_buf_add(&text, p + 9, (size_t)(q - p - 9)) != BSN_OK)
                bsn_buf_reset(&text);
            i = (size_t)(q + 3 - d);
        } else if (len - i >= 2 && (p[1] == '?' || p[1] == '!')) {
            q = memchr(p, '>', len - i);
            if (!q)
                break;
            i = (size_t)(q + 1 - d);
        } else if (len - i >= 2 && p[1] == '/') {
            q = memchr(p, '>', len - i);
            if (!q)
                break;
            struct bsn_str name = bsn_str_trim(bsn_str_make(p + 2, (size_t)(q - p - 2)));
            ptrdiff_t colon = bsn_str_chr(name, ':');
            if (colon >= 0)
                name = bsn_str_make(name.ptr + colon + 1, name.len - (size_t)colon - 1);
            if (!depth || !bsn_str_eq(st[depth - 1], name)) {
                rc = bsn_err_set(err, BSN_EFORMAT, "mismatched end tag '</%.*s>' at byte %zu",
                                 BSN_STR_ARG(name), i);
                break;
            }
            if (text.len)
                on_text_end(a, m, st, depth, decode_text(a, bsn_buf_str(&text)));
            bsn_buf_reset(&text);
            on_element_end(a, m, st, depth);
            depth--;
            i = (size_t)(q + 1 - d);
        } else {
            /* a start tag; attribute values may hold '>' only when quoted */
            size_t k = i + 1;
            char quote = 0;
            while (k < len && (quote || d[k] != '>')) {
                if (quote && d[k] == quote)
                    quote = 0;
                else if (!quote && (d[k] == '"' || d[k] == '\''))
                    quote = d[k];
                k++;
            }
            if (k >= len)
                break;
            bool empty = d[k - 1] == '/';
            size_t n = 0;
            while (i + 1 + n < k && d[i + 1 + n] != ' ' && d[i + 1 + n] != '\t' &&
                   d[i + 1 + n] != '\n' && d[i + 1 + n] != '\r' && d[i + 1 + n] != '/')
                n++;
            struct bsn_str name = bsn_str_make(p + 1, n);
            ptrdiff_t colon = bsn_str_chr(name, ':');
            if (colon >= 0)
                name = bsn_str_make(name.ptr + colon + 1, name.len - (size_t)colon - 1);
            bsn_buf_reset(&text);
            if (!empty) {
                if (depth == POM_MAX_DEPTH) {
                    rc = bsn_err_set(err, BSN_ELIMIT, "elements nested deeper than %d",
                                     POM_MAX_DEPTH);
                    break;
                }
                st[depth++] = name;
            }
            i = k + 1;
        }
    }
#undef FIND
    bsn_buf_release(&text);
    if (rc == BSN_OK && depth)
        rc = bsn_err_set(err, BSN_EFORMAT, "document ends inside '<%.*s>'",
                         BSN_STR_ARG(st[depth - 1]));
    return rc;
}

/* ---- entry point ---------------------------------------------------------------------------- */

static struct bsn_package *
emit(struct bsn_actx *ctx, const char *group, const char *artifact, const char *version)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_package *p = bsn_actx_add_package(ctx);
    p->type = "maven";
    p->name = bsn_arena_printf(a, "%s:%s", group, artifact);
    p->version = bsn_arena_strdup(a, version);
    struct bsn_purl purl = { .type = "maven", .namespace = group, .name = artifact,
                             .version = version };
    p->purl = bsn_purl_format(a, &purl);
    return p;
}

static bool
resolved(const char *s)
{
    return s && *s && !strstr(s, "${");
}

static bsn_code
pom_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    struct pom m;
    memset(&m, 0, sizeof(m));
    bsn_map_init(&m.props);
    m.deps_tail = &m.deps;
    bsn_code rc = walk(s, &m, (const char *)in->data, in->len, err);
    if (rc != BSN_OK) {
        bsn_map_release(&m.props);
        return rc;
    }
    const char *group = subst(s, &m, m.group ? m.group : m.parent_group);
    const char *artifact = subst(s, &m, m.artifact);
    const char *version = subst(s, &m, m.version ? m.version : m.parent_version);
    if (resolved(group) && resolved(artifact) && resolved(version))
        emit(ctx, group, artifact, version)->dep = BSN_DEP_ROOT;
    size_t skipped = 0;
    for (struct pom_dep *d = m.deps; d; d = d->next) {
        const char *g = subst(s, &m, d->group), *ar = subst(s, &m, d->artifact);
        const char *v = subst(s, &m, d->version);
        if (!resolved(v) && resolved(g) && resolved(ar)) {
            for (struct pom_dep *x = m.managed; x; x = x->next) {
                const char *xg = subst(s, &m, x->group), *xa = subst(s, &m, x->artifact);
                if (xg && xa && strcmp(xg, g) == 0 && strcmp(xa, ar) == 0) {
                    v = subst(s, &m, x->version);
                    break;
                }
            }
        }
        if (!resolved(g) || !resolved(ar) || !resolved(v)) {
            skipped++;
            continue;
        }
        /* version ranges "[1.0,2.0)" name no single version */
        if (v[0] == '[' || v[0] == '(') {
            skipped++;
            continue;
        }
        struct bsn_package *p = emit(ctx, g, ar, v);
        p->dep = BSN_DEP_DIRECT;
        p->dev = d->scope && strcmp(d->scope, "test") == 0;
    }
    bsn_map_release(&m.props);
    if (skipped)
        bsn_actx_warn(ctx, "%zu dependencies without a version this POM resolves skipped "
                      "(parent POMs and BOMs are not fetched)", skipped);
    return BSN_OK;
}

static const char *const pom_names[] = { "pom.xml", NULL };

const struct bsn_analyzer bsn_analyzer_pom = {
    .name = "pom",
    .scheme = "maven",
    .version = 1,
    .max_input = POM_MAX_INPUT,
    .names = pom_names,
    .parse = pom_parse,
    .declared = bsn_declared_all,
};
