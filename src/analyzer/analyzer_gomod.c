/*
 * Go modules for project scans: go.mod and go.sum (https://go.dev/ref/mod#go-mod-file,
 * #go-sum-files).
 *
 * go.mod, as Trivy's parser (pkg/dependency/parser/golang/mod) reports it:
 *   - the "module" path is the root package (no version);
 *   - every "require" line is a package, indirect when its comment says "// indirect";
 *   - "replace OLD [V] => NEW [V]": applies to a required OLD (and only to version V when the
 *     left side has one); a replacement by a local directory (no version on the right) drops
 *     the module, a module replacement takes its path and version;
 *   - "exclude", "retract", "godebug" and "tool" lines name no installed module;
 *   - the Go toolchain as package "stdlib": the "toolchain go1.21.5" directive, else a
 *     "go 1.21" directive or later (from Go 1.21 on, the go line names a minimum toolchain);
 *     versions in the "v1.21.5" form the Go vulnerability database uses.
 * Directives come single-line or as a parenthesised block; quoted paths ("…" or `…`) are
 * unquoted; // comments are dropped.
 *
 * go.sum: "module version[/go.mod] hash" lines; each module once, the last version listed
 * (go.sum sorts versions, so the newest), relationship unknown. Beside a go.mod, go.sum adds
 * nothing when the go.mod says go 1.17 or later (its require list is complete, graph pruning)
 * and only the modules the go.mod lacks before that — decided in finish(), where both files
 * of a directory are known.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/map.h"
#include "textfmt/purl.h"

#define GOMOD_MAX_INPUT (16u * 1024 * 1024)
#define GOMOD_MAX_FIELDS 8

struct gomod_req {
    struct bsn_str path, version;
    bool indirect;
    bool dropped;
    struct bsn_str new_path, new_version; /* set when replaced by a module */
};

struct gomod {
    struct bsn_str module, go, toolchain;
    struct gomod_req *reqs;
    size_t n_reqs, cap_reqs;
    struct {
        struct bsn_str old_path, old_version, new_path, new_version;
    } *reps;
    size_t n_reps, cap_reps;
};

/* ---- purls shared with nothing else: golang paths split at the last '/' ------------------- */

static char *
go_purl(struct bsn_arena *a, const char *path, const char *version)
{
    const char *slash = strrchr(path, '/');
    struct bsn_purl p = { .type = "golang", .name = path, .version = version };
    if (slash) {
        p.namespace = bsn_arena_strndup(a, path, (size_t)(slash - path));
        p.name = slash + 1;
    }
    return bsn_purl_format(a, &p);
}

static struct bsn_package *
emit(struct bsn_actx *ctx, struct bsn_str name, struct bsn_str version, enum bsn_dep_kind dep)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_package *p = bsn_actx_add_package(ctx);
    p->type = "golang";
    p->name = bsn_arena_strslice(a, name);
    p->version = bsn_arena_strslice(a, version);
    p->purl = go_purl(a, p->name, p->version);
    p->dep = dep;
    return p;
}

/* ---- go.mod lexing -------------------------------------------------------------------------- */

/*
 * Splits a line into fields (blank-separated, quoted strings as one field without quotes) and
 * its comment. Returns the number of fields (at most GOMOD_MAX_FIELDS).
 */
static size_t
fields(struct bsn_str line, struct bsn_str *f, struct bsn_str *comment)
{
    size_t n = 0, i = 0;
    *comment = bsn_str_make(line.ptr + line.len, 0);
    while (i < line.len) {
        char c = line.ptr[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (c == '/' && i + 1 < line.len && line.ptr[i + 1] == '/') {
            *comment = bsn_str_trim(bsn_str_make(line.ptr + i + 2, line.len - i - 2));
            break;
        }
        size_t start = i, end;
        if (c == '"' || c == '`') {
            start = ++i;
            while (i < line.len && line.ptr[i] != c)
                i += (c == '"' && line.ptr[i] == '\\' && i + 1 < line.len) ? 2 : 1;
            end = i < line.len ? i : line.len;
            i = end + 1;
        } else {
            while (i < line.len && line.ptr[i] != ' ' && line.ptr[i] != '\t' &&
                   line.ptr[i] != '\r' &&
                   !(line.ptr[i] == '/' && i + 1 < line.len && line.ptr[i + 1] == '/'))
                i++;
            end = i;
        }
        if (n < GOMOD_MAX_FIELDS)
            f[n++] = bsn_str_make(line.ptr + start, end - start);
    }
    return n;
}

static bool
is_indirect(struct bsn_str comment)
{
    return bsn_str_eq_cstr(comment, "indirect") || bsn_str_starts(comment, "indirect;");
}

static void *
grow(struct bsn_arena *a, void *arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *na = bsn_arena_alloc_array(a, ncap, size);
    if (n)
        memcpy(na, arr, n * size);
    *cap = ncap;
    return na;
}

/* One directive (verb plus its arguments, from a single line or a block line). */
static void
directive(struct bsn_arena *a, struct gomod *m, struct bsn_str verb, const struct bsn_str *f,
          size_t n, struct bsn_str comment)
{
    if (bsn_str_eq_cstr(verb, "module") && n >= 1) {
        m->module = f[0];
    } else if (bsn_str_eq_cstr(verb, "go") && n >= 1) {
        m->go = f[0];
    } else if (bsn_str_eq_cstr(verb, "toolchain") && n >= 1) {
        m->toolchain = f[0];
    } else if (bsn_str_eq_cstr(verb, "require") && n >= 2) {
        m->reqs = grow(a, m->reqs, &m->cap_reqs, m->n_reqs, sizeof(*m->reqs));
        struct gomod_req *r = &m->reqs[m->n_reqs++];
        memset(r, 0, sizeof(*r));
        r->path = f[0];
        r->version = f[1];
        r->indirect = is_indirect(comment);
    } else if (bsn_str_eq_cstr(verb, "replace")) {
        /* OLD [V] => NEW [V] */
        size_t arrow = 0;
        while (arrow < n && !bsn_str_eq_cstr(f[arrow], "=>"))
            arrow++;
        if (arrow == 0 || arrow > 2 || arrow + 1 >= n || n - arrow - 1 > 2)
            return;
        m->reps = grow(a, m->reps, &m->cap_reps, m->n_reps, sizeof(*m->reps));
        memset(&m->reps[m->n_reps], 0, sizeof(*m->reps));
        m->reps[m->n_reps].old_path = f[0];
        if (arrow == 2)
            m->reps[m->n_reps].old_version = f[1];
        m->reps[m->n_reps].new_path = f[arrow + 1];
        if (n - arrow - 1 == 2)
            m->reps[m->n_reps].new_version = f[arrow + 2];
        m->n_reps++;
    }
    /* exclude, retract, godebug, tool: nothing installed */
}

static void
gomod_parse(struct bsn_arena *a, const char *data, size_t len, struct gomod *m)
{
    struct bsn_str cur = bsn_str_make(data, len), line, block = { NULL, 0 };
    bool in_block = false;
    while (bsn_sp_line(&cur, &line) == 0) {
        struct bsn_str f[GOMOD_MAX_FIELDS], comment;
        size_t n = fields(line, f, &comment);
        if (n == 0)
            continue;
        if (in_block) {
            if (n == 1 && bsn_str_eq_cstr(f[0], ")")) {
                in_block = false;
                continue;
            }
            directive(a, m, block, f, n, comment);
            continue;
        }
        if (n == 2 && bsn_str_eq_cstr(f[1], "(")) {
            block = f[0];
            in_block = true;
            continue;
        }
        directive(a, m, f[0], f + 1, n - 1, comment);
    }
}

/* "1.21.5" / "go1.21.5" -> (1, 21); false if not a Go version. */
static bool
go_minor(struct bsn_str v, unsigned *major, unsigned *minor)
{
    if (bsn_str_starts(v, "go"))
        v = bsn_str_make(v.ptr + 2, v.len - 2);
    uint64_t ma, mi;
    struct bsn_str c = v;
    if (bsn_sp_u64(&c, &ma) || bsn_sp_char(&c, '.') || bsn_sp_u64(&c, &mi) || ma > 1000 ||
        mi > 1000)
        return false;
    *major = (unsigned)ma;
    *minor = (unsigned)mi;
    return true;
}

static bool
go_at_least(struct bsn_str v, unsigned want_minor)
{
    unsigned ma, mi;
    return go_minor(v, &ma, &mi) && (ma > 1 || (ma == 1 && mi >= want_minor));
}

static void
emit_stdlib(struct bsn_actx *ctx, const struct gomod *m)
{
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    const char *v = NULL;
    if (m->toolchain.len && bsn_str_starts(m->toolchain, "go") && go_at_least(m->toolchain, 0)) {
        /* "go1.21.5" or "go1.22.0-custom": the version up to any suffix */
        size_t n = 2;
        while (n < m->toolchain.len && (m->toolchain.ptr[n] == '.' ||
                                        (m->toolchain.ptr[n] >= '0' && m->toolchain.ptr[n] <= '9')))
            n++;
        v = bsn_arena_printf(s, "v%.*s", (int)(n - 2), m->toolchain.ptr + 2);
    } else if (m->go.len && go_at_least(m->go, 21)) {
        /* "go 1.21" means toolchain 1.21.0 at least */
        size_t dots = 0;
        for (size_t i = 0; i < m->go.len; i++)
            dots += m->go.ptr[i] == '.';
        v = bsn_arena_printf(s, "v%.*s%s", BSN_STR_ARG(m->go), dots == 1 ? ".0" : "");
    }
    if (v)
        emit(ctx, BSN_STR_LIT("stdlib"), bsn_str_cstr(v), BSN_DEP_DIRECT);
}

static bsn_code
parse_gomod(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    struct gomod m;
    memset(&m, 0, sizeof(m));
    gomod_parse(s, (const char *)in->data, in->len, &m);
    if (!m.module.len)
        return bsn_err_set(err, BSN_EFORMAT, "no 'module' directive in '%s'", in->path->path);

    for (size_t i = 0; i < m.n_reps; i++) {
        for (size_t k = 0; k < m.n_reqs; k++) {
            struct gomod_req *r = &m.reqs[k];
            if (r->dropped || !bsn_str_eq(r->path, m.reps[i].old_path))
                continue;
            if (m.reps[i].old_version.len && !bsn_str_eq(r->version, m.reps[i].old_version))
                continue;
            if (!m.reps[i].new_version.len) {
                r->dropped = true; /* a local directory: not a module anyone publishes */
                continue;
            }
            r->new_path = m.reps[i].new_path;
            r->new_version = m.reps[i].new_version;
        }
    }
    emit(ctx, m.module, bsn_str_make("", 0), BSN_DEP_ROOT);
    for (size_t k = 0; k < m.n_reqs; k++) {
        const struct gomod_req *r = &m.reqs[k];
        if (r->dropped)
            continue;
        emit(ctx, r->new_path.len ? r->new_path : r->path,
             r->new_path.len ? r->new_version : r->version,
             r->indirect ? BSN_DEP_INDIRECT : BSN_DEP_DIRECT);
    }
    emit_stdlib(ctx, &m);

    /* finish() needs the go version of this directory to weigh a go.sum beside it. */
    const struct bsn_path *p = in->path;
    char *key = bsn_arena_printf(s, "go:%.*s", (int)(p->len - p->base_len), p->path);
    char *val = bsn_arena_printf(s, "%.*s", BSN_STR_ARG(m.go));
    bsn_actx_add_aux(ctx, key, val);
    return BSN_OK;
}

static bsn_code
parse_gosum(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    (void)err;
    struct bsn_map last;   /* module -> index into the order below */
    bsn_map_init(&last);
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    size_t cap = 0, n = 0;
    struct {
        struct bsn_str path, version;
    } *mods = NULL;
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    while (bsn_sp_line(&cur, &line) == 0) {
        struct bsn_str f[GOMOD_MAX_FIELDS], comment;
        size_t nf = fields(line, f, &comment);
        if (nf < 2)
            continue;
        struct bsn_str v = f[1];
        if (bsn_str_ends(v, "/go.mod"))
            v.len -= 7;
        if (!v.len || !f[0].len)
            continue;
        uintptr_t idx = (uintptr_t)bsn_map_get(&last, f[0].ptr, f[0].len);
        if (idx) {
            mods[idx - 1].version = v;
            continue;
        }
        mods = grow(s, mods, &cap, n, sizeof(*mods));
        mods[n].path = f[0];
        mods[n].version = v;
        n++;
        bsn_map_put(&last, f[0].ptr, f[0].len, (void *)(uintptr_t)n);
    }
    bsn_map_release(&last);
    for (size_t i = 0; i < n; i++)
        emit(ctx, mods[i].path, mods[i].version, BSN_DEP_UNKNOWN);
    return BSN_OK;
}

/* ---- entry points -------------------------------------------------------------------------- */

static bsn_code
gomod_parse_file(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    const struct bsn_path *p = in->path;
    if (bsn_str_eq_cstr(bsn_str_make(p->base, p->base_len), "go.sum"))
        return parse_gosum(ctx, in, err);
    return parse_gomod(ctx, in, err);
}

static bool
is_file(const char *path, size_t len, const char *base)
{
    size_t bl = strlen(base);
    return len >= bl && strcmp(path + len - bl, base) == 0 &&
           (len == bl || path[len - bl - 1] == '/');
}

static bsn_code
gomod_finish(struct bsn_fctx *ctx, struct bsn_err *err)
{
    (void)err;
    struct bsn_package **pkgs;
    size_t n = bsn_fctx_packages(ctx, &pkgs);
    struct bsn_arena *a = bsn_fctx_arena(ctx);
    /* "DIR/\nmodule" for every module a go.mod lists */
    struct bsn_map listed;
    bsn_map_init(&listed);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(pkgs[i]->path);
        if (!is_file(pkgs[i]->path, len, "go.mod"))
            continue;
        char *k = bsn_arena_printf(a, "%.*s\n%s", (int)(len - 6), pkgs[i]->path, pkgs[i]->name);
        bsn_map_put(&listed, k, strlen(k), pkgs[i]);
    }
    for (size_t i = 0; i < n; i++) {
        struct bsn_package *p = pkgs[i];
        size_t len = strlen(p->path);
        if (!is_file(p->path, len, "go.sum"))
            continue;
        const char *go = bsn_fctx_aux(ctx, bsn_arena_printf(a, "go:%.*s", (int)(len - 6),
                                                            p->path));
        if (!go)
            continue; /* go.sum alone: its modules are all we know */
        char *k = bsn_arena_printf(a, "%.*s\n%s", (int)(len - 6), p->path, p->name);
        /* from 1.17 on the go.mod is complete; before, go.sum adds what it lacks */
        if (go_at_least(bsn_str_cstr(go), 17) || bsn_map_get(&listed, k, strlen(k)))
            bsn_fctx_drop_package(ctx, p);
    }
    bsn_map_release(&listed);
    return BSN_OK;
}

static const char *const gomod_names[] = { "go.mod", "go.sum", NULL };

const struct bsn_analyzer bsn_analyzer_gomod = {
    .name = "gomod",
    .scheme = "golang",
    .version = 1,
    .max_input = GOMOD_MAX_INPUT,
    .names = gomod_names,
    .parse = gomod_parse_file,
    .finish = gomod_finish,
    .declared = bsn_declared_all,
};
