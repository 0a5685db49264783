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
 * ("string-width-cjs@npm:string-width@^4.2.0") report the real package. The format records
 * no direct/indirect or dev flag (that needs package.json), so dep stays unknown.
 * Limit: 64 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"

struct yarn_entry {
    bool open;       /* inside an entry that may yield a package */
    struct bsn_str name;
    struct bsn_str version;
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
flush(struct bsn_langset *set, struct yarn_entry *e)
{
    if (e->open && e->version.len)
        (void)bsn_langset_add(set, e->name, e->version, BSN_DEP_UNKNOWN, false);
    e->open = false;
    e->version = bsn_str_make("", 0);
}

static bsn_code
yarn_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    (void)err;
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "npm");
    struct yarn_entry e = { 0 };
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    while (bsn_sp_line(&cur, &line) == 0) {
        if (line.len == 0 || line.ptr[0] == '#')
            continue;
        if (line.ptr[0] != ' ' && line.ptr[0] != '\t') {
            flush(&set, &e);
            struct bsn_str key = bsn_str_trim(line);
            if (key.len < 2 || key.ptr[key.len - 1] != ':')
                continue;
            key.len--;
            e.open = parse_key(key, &e.name);
            continue;
        }
        if (!e.open || line.len < 3 || line.ptr[1] != ' ' || line.ptr[2] == ' ')
            continue;
        struct bsn_str body = bsn_str_make(line.ptr + 2, line.len - 2);
        if (bsn_str_starts(body, "version:"))
            e.version = unquote(bsn_str_make(body.ptr + 8, body.len - 8));
        else if (bsn_str_starts(body, "version "))
            e.version = unquote(bsn_str_make(body.ptr + 8, body.len - 8));
    }
    flush(&set, &e);
    bsn_langset_release(&set);
    return BSN_OK;
}

/* Lockfiles that packages ship inside node_modules/ describe their own development, not
 * what is installed (seen: node_modules/combined-stream/yarn.lock in an npm install). */
static bool
yarn_wants(const struct bsn_path *p)
{
    return strstr(p->path, "node_modules/") == NULL;
}

static const char *const yarn_names[] = { "yarn.lock", NULL };

const struct bsn_analyzer bsn_analyzer_yarn = {
    .name = "yarn",
    .scheme = "npm",
    .version = 1,
    .max_input = 64u << 20,
    .names = yarn_names,
    .wants = yarn_wants,
    .parse = yarn_parse,
};
