/*
 * Shared helpers of the language-package analyzers: per-file package sets that merge repeated
 * name@version entries, package URLs per ecosystem, JSON loading. See langpkg.h.
 */
#include "analyzer/langpkg.h"

#include <string.h>

#include "base/buf.h"
#include "textfmt/purl.h"

void
bsn_langset_init(struct bsn_langset *s, struct bsn_actx *ctx, const char *type)
{
    s->ctx = ctx;
    s->type = type;
    s->count = 0;
    bsn_map_init(&s->seen);
}

void
bsn_langset_release(struct bsn_langset *s)
{
    bsn_map_release(&s->seen);
}

static int
dep_rank(enum bsn_dep_kind d)
{
    switch (d) {
    case BSN_DEP_ROOT:
        return 4;
    case BSN_DEP_WORKSPACE:
        return 3;
    case BSN_DEP_DIRECT:
        return 2;
    case BSN_DEP_INDIRECT:
        return 1;
    case BSN_DEP_UNKNOWN:
        break;
    }
    return 0;
}

struct bsn_package *
bsn_langset_add(struct bsn_langset *s, struct bsn_str name, struct bsn_str version,
                enum bsn_dep_kind dep, bool dev)
{
    struct bsn_arena *scratch = bsn_actx_scratch(s->ctx);
    char *key = bsn_arena_printf(scratch, "%.*s@%.*s", BSN_STR_ARG(name), BSN_STR_ARG(version));
    size_t klen = strlen(key);
    struct bsn_package *p = bsn_map_get(&s->seen, key, klen);
    if (p) {
        p->dev = p->dev && dev;
        if (dep_rank(dep) > dep_rank(p->dep))
            p->dep = dep;
        return p;
    }
    struct bsn_arena *a = bsn_actx_arena(s->ctx);
    p = bsn_actx_add_package(s->ctx);
    p->type = s->type;
    p->name = bsn_arena_strslice(a, name);
    p->version = bsn_arena_strslice(a, version);
    p->purl = bsn_lang_purl(a, s->type, p->name, p->version);
    p->dep = dep;
    p->dev = dev;
    bsn_map_put(&s->seen, key, klen, p);
    s->count++;
    return p;
}

void
bsn_langset_license(struct bsn_langset *s, struct bsn_package *p, struct bsn_str lic)
{
    lic = bsn_str_trim(lic);
    if (lic.len == 0)
        return;
    for (size_t i = 0; i < p->n_licenses; i++)
        if (bsn_str_eq_cstr(lic, p->licenses[i]))
            return;
    struct bsn_arena *a = bsn_actx_arena(s->ctx);
    const char **l = bsn_arena_alloc_array(a, p->n_licenses + 1, sizeof(*l));
    for (size_t i = 0; i < p->n_licenses; i++)
        l[i] = p->licenses[i];
    l[p->n_licenses] = bsn_arena_strslice(a, lic);
    p->licenses = l;
    p->n_licenses++;
}

/* Length of a " or " / " and " separator (with '_' or ' ' around) at s, else 0. */
static size_t
word_sep(struct bsn_str s, size_t i)
{
    static const char *const words[] = { "or", "and" };
    if (s.ptr[i] != ' ' && s.ptr[i] != '_')
        return 0;
    for (size_t w = 0; w < 2; w++) {
        size_t n = strlen(words[w]);
        if (i + n + 2 > s.len)
            continue;
        bool match = true;
        for (size_t k = 0; k < n; k++)
            if ((s.ptr[i + 1 + k] | 0x20) != words[w][k])
                match = false;
        char after = s.ptr[i + 1 + n];
        if (match && (after == ' ' || after == '_'))
            return n + 2;
    }
    return 0;
}

void
bsn_langset_license_split(struct bsn_langset *s, struct bsn_package *p, struct bsn_str list)
{
    size_t start = 0;
    for (size_t i = 0; i < list.len; i++) {
        size_t sep = list.ptr[i] == ',' ? 1 : word_sep(list, i);
        if (sep == 0)
            continue;
        bsn_langset_license(s, p, bsn_str_make(list.ptr + start, i - start));
        i += sep - 1;
        start = i + 1;
    }
    bsn_langset_license(s, p, bsn_str_make(list.ptr + start, list.len - start));
}

bool
bsn_lang_in_dir(const struct bsn_path *p, const char *seg)
{
    size_t n = strlen(seg), dir_len = p->len - p->base_len;
    for (size_t i = 0; i + n < dir_len; i++) {
        if ((i == 0 || p->path[i - 1] == '/') && memcmp(p->path + i, seg, n) == 0 &&
            p->path[i + n] == '/')
            return true;
    }
    return false;
}

char *
bsn_lang_pep503(struct bsn_arena *a, struct bsn_str name)
{
    char *out = bsn_arena_alloc(a, name.len + 1);
    size_t j = 0;
    bool sep = false;
    for (size_t i = 0; i < name.len; i++) {
        char c = name.ptr[i];
        if (c == '-' || c == '_' || c == '.') {
            sep = true;
            continue;
        }
        if (sep && j > 0)
            out[j++] = '-';
        sep = false;
        out[j++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[j] = '\0';
    return out;
}

char *
bsn_lang_purl(struct bsn_arena *a, const char *type, const char *name, const char *version)
{
    struct bsn_purl p;
    memset(&p, 0, sizeof(p));
    p.type = type;
    p.name = name;
    p.version = version && *version ? version : NULL;
    const char *slash = strchr(name, '/');
    if (strcmp(type, "npm") == 0 && name[0] == '@' && slash) {
        p.namespace = bsn_arena_strndup(a, name, (size_t)(slash - name));
        p.name = slash + 1;
    } else if (strcmp(type, "composer") == 0 && slash) {
        p.namespace = bsn_arena_strndup(a, name, (size_t)(slash - name));
        p.name = slash + 1;
    } else if (strcmp(type, "pypi") == 0) {
        p.name = bsn_lang_pep503(a, bsn_str_cstr(name));
    }
    return bsn_purl_format(a, &p);
}

bsn_code
bsn_lang_json(const struct bsn_input *in, json_t **out, struct bsn_err *err)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)in->data, in->len, 0, &jerr);
    if (!j)
        return bsn_err_set(err, BSN_EFORMAT, "invalid JSON at line %d: %s", jerr.line,
                           jerr.text);
    *out = j;
    return BSN_OK;
}

struct bsn_str
bsn_lang_jval(const json_t *j)
{
    if (!json_is_string(j))
        return bsn_str_make("", 0);
    return bsn_str_make(json_string_value(j), json_string_length(j));
}

struct bsn_str
bsn_lang_jstr(const json_t *obj, const char *key)
{
    if (!json_is_object(obj))
        return bsn_str_make("", 0);
    return bsn_lang_jval(json_object_get(obj, key));
}

/* ---- direct dependencies from a manifest beside the lockfile ------------------------------ */

void
bsn_lang_direct_init(struct bsn_lang_direct *d, struct bsn_buf *b, size_t max)
{
    bsn_buf_init(b, max);
    d->names = b;
    d->failed = false;
}

void
bsn_lang_direct_add(struct bsn_lang_direct *d, struct bsn_str name)
{
    name = bsn_str_trim(name);
    if (d->failed || name.len == 0 || bsn_str_chr(name, '\n') >= 0)
        return;
    if (bsn_buf_add(d->names, name.ptr, name.len) != BSN_OK ||
        bsn_buf_addc(d->names, '\n') != BSN_OK)
        d->failed = true;
}

void
bsn_lang_direct_done(struct bsn_actx *ctx, struct bsn_lang_direct *d)
{
    const struct bsn_path *p = bsn_actx_path(ctx);
    if (!d->failed) {
        char *key = bsn_arena_printf(bsn_actx_scratch(ctx), "direct:%.*s",
                                     (int)(p->len - p->base_len), p->path);
        bsn_actx_add_aux(ctx, key, d->names->ptr);
    }
    bsn_buf_release(d->names);
}

static char *
norm_name(struct bsn_arena *a, struct bsn_str name, bool pep503)
{
    if (pep503)
        return bsn_lang_pep503(a, name);
    char *s = bsn_arena_strslice(a, name);
    for (char *c = s; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    return s;
}

void
bsn_lang_join_direct(struct bsn_fctx *ctx, const char *lockfile, bool pep503)
{
    struct bsn_package **pkgs;
    size_t n = bsn_fctx_packages(ctx, &pkgs);
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    size_t lock_len = strlen(lockfile);
    struct bsn_map dirs; /* folder -> its name set (a struct bsn_map *), or dirs when none */
    bsn_map_init(&dirs);
    struct bsn_map **sets = NULL;
    size_t n_sets = 0, cap_sets = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = pkgs[i]->path;
        size_t len = strlen(path);
        if (len < lock_len || strcmp(path + len - lock_len, lockfile) != 0 ||
            (len > lock_len && path[len - lock_len - 1] != '/'))
            continue;
        size_t dir_len = len - lock_len;
        void *v = bsn_map_get(&dirs, path, dir_len);
        if (!v) {
            char *dir = bsn_arena_strndup(a, path, dir_len);
            const char *names = bsn_fctx_aux(ctx, bsn_arena_printf(a, "direct:%s", dir));
            v = &dirs;
            if (names) {
                if (n_sets == cap_sets) {
                    cap_sets = cap_sets ? cap_sets * 2 : 8;
                    struct bsn_map **ns = bsn_arena_alloc_array(a, cap_sets, sizeof(*ns));
                    if (n_sets)
                        memcpy(ns, sets, n_sets * sizeof(*ns));
                    sets = ns;
                }
                struct bsn_map *set = bsn_arena_alloc(a, sizeof(*set));
                bsn_map_init(set);
                sets[n_sets++] = set;
                struct bsn_str cur = bsn_str_cstr(names), line;
                while (bsn_sp_line(&cur, &line) == 0) {
                    char *nm = norm_name(a, line, pep503);
                    bsn_map_put(set, nm, strlen(nm), set);
                }
                v = set;
            }
            bsn_map_put(&dirs, dir, dir_len, v);
        }
        if (v == (void *)&dirs)
            continue;
        char *nm = norm_name(a, bsn_str_cstr(pkgs[i]->name), pep503);
        bool direct = bsn_map_get(v, nm, strlen(nm)) != NULL;
        pkgs[i]->dep = direct ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT;
    }
    for (size_t i = 0; i < n_sets; i++)
        bsn_map_release(sets[i]);
    bsn_map_release(&dirs);
}
