/*
 * pip requirements files, requirements*.txt
 * (https://pip.pypa.io/en/stable/reference/requirements-file-format/): only pinned
 * "name==version" lines give a package; ranges (>=, ~=, !=), URLs, -r/-e/--options and
 * template lines (cookiecutter's "{%…%}") do not, since they name no installed version.
 *
 * Each line as trivy reads it: spaces and '\' removed, extras ("[crypto]") dropped, cut at
 * '#' (comment), ';' (environment marker) and "--" (per-requirement options such as --hash);
 * then it must split on "==" into exactly two parts, a valid PEP 508 name and a PEP 440-shaped
 * version (wildcards such as "2.0.*" are not pins). Files may start with a UTF-8 BOM or be
 * UTF-16 with a BOM (Windows editors: trivy's utf16le fixture); UTF-16 is narrowed to ASCII.
 * The format records neither direct/indirect nor dev. Limit: 16 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/buf.h"

static bool
alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* PEP 508: ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$, case-insensitive. */
static bool
valid_name(struct bsn_str s)
{
    if (s.len == 0 || !alnum(s.ptr[0]) || !alnum(s.ptr[s.len - 1]))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!alnum(s.ptr[i]) && s.ptr[i] != '.' && s.ptr[i] != '_' && s.ptr[i] != '-')
            return false;
    return true;
}

/* PEP 440 shape: [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], loosely: a digit first (after
 * an optional 'v'), then only alphanumerics and . ! + - _ (no wildcard, no quotes). */
static bool
valid_version(struct bsn_str s)
{
    size_t i = 0;
    if (s.len && (s.ptr[0] == 'v' || s.ptr[0] == 'V'))
        i = 1;
    if (i >= s.len || s.ptr[i] < '0' || s.ptr[i] > '9')
        return false;
    for (; i < s.len; i++)
        if (!alnum(s.ptr[i]) && !strchr(".!+-_", s.ptr[i]))
            return false;
    return true;
}

/* Normalised copy of one line into out (no spaces, no '\', no extras, comment and markers cut). */
static struct bsn_str
clean_line(struct bsn_str line, char *out, size_t cap)
{
    size_t n = 0;
    int bracket = 0;
    for (size_t i = 0; i < line.len && n < cap; i++) {
        char c = line.ptr[i];
        if (c == '#' || c == ';')
            break;
        if (c == '-' && i + 1 < line.len && line.ptr[i + 1] == '-')
            break;
        if (c == ' ' || c == '\t' || c == '\\' || c == '\r')
            continue;
        if (c == '[') {
            bracket++;
            continue;
        }
        if (c == ']' && bracket > 0) {
            bracket--;
            continue;
        }
        if (bracket)
            continue;
        out[n++] = c;
    }
    return bsn_str_make(out, n);
}

static void
parse_text(struct bsn_actx *ctx, struct bsn_str text)
{
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "pypi");
    struct bsn_str cur = text, line;
    char buf[4096];
    while (bsn_sp_line(&cur, &line) == 0) {
        struct bsn_str l = clean_line(line, buf, sizeof(buf));
        const char *eq = NULL;
        size_t count = 0;
        for (size_t i = 0; i + 1 < l.len; i++) {
            if (l.ptr[i] == '=' && l.ptr[i + 1] == '=') {
                if (!eq)
                    eq = l.ptr + i;
                count++;
                i++;
            }
        }
        if (count != 1)
            continue;
        struct bsn_str name = bsn_str_make(l.ptr, (size_t)(eq - l.ptr));
        struct bsn_str version = bsn_str_make(eq + 2, l.len - name.len - 2);
        if (!valid_name(name) || !valid_version(version))
            continue;
        (void)bsn_langset_add(&set, name, version, BSN_DEP_UNKNOWN, false);
    }
    bsn_langset_release(&set);
}

static bool
pip_wants(const struct bsn_path *p)
{
    /* distributions ship requirements files inside site-packages: not what is installed */
    return bsn_str_starts(bsn_str_make(p->base, p->base_len), "requirements") &&
           !bsn_lang_in_dir(p, "site-packages") && !bsn_lang_in_dir(p, "dist-packages");
}

static bsn_code
pip_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    (void)err;
    const unsigned char *d = in->data;
    size_t len = in->len;
    if (len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
        /* UTF-16 with a BOM: keep ASCII code units, others become '?' */
        bool le = d[0] == 0xFF;
        size_t n = (len - 2) / 2;
        char *t = bsn_arena_alloc(bsn_actx_scratch(ctx), n + 1);
        for (size_t i = 0; i < n; i++) {
            unsigned lo = d[2 + 2 * i + (le ? 0 : 1)], hi = d[2 + 2 * i + (le ? 1 : 0)];
            t[i] = hi == 0 && lo < 0x80 ? (char)lo : '?';
        }
        parse_text(ctx, bsn_str_make(t, n));
        return BSN_OK;
    }
    if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
        d += 3;
        len -= 3;
    }
    parse_text(ctx, bsn_str_make((const char *)d, len));
    return BSN_OK;
}

static const char *const pip_exts[] = { ".txt", NULL };

const struct bsn_analyzer bsn_analyzer_pip = {
    .name = "pip",
    .scheme = "pep440",
    .version = 1,
    .max_input = 16u << 20,
    .exts = pip_exts,
    .wants = pip_wants,
    .parse = pip_parse,
    .declared = bsn_declared_all,
};
