/*
 * Python package versions, PEP 440 (https://peps.python.org/pep-0440/), as the "packaging"
 * library (packaging.version.Version) parses and orders them:
 *     [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 * case-insensitive, surrounding whitespace ignored, with the normalisations PEP 440 allows:
 * "alpha"/"beta"/"c"/"pre"/"preview" spellings, '-', '_' or '.' (or nothing) around the
 * pre/post/dev tags, implicit numbers ("1.0a" is "1.0a0"), "1.0-1" as a post-release, "rev"
 * and "r" for "post".
 *
 * Order: epoch, release (trailing zeros ignored: "1.0" == "1"), then dev-only releases
 * before pre-releases ("1.0.dev1" < "1.0a1"), pre-releases before the release, post-releases
 * after it, dev releases of each before it ("1.0.post1.dev1" < "1.0.post1"), then local
 * versions after the public one, their segments compared numerically when both are
 * numbers, a number above a string, strings case-insensitively. Numbers of any length
 * compare exactly. Invalid versions sort before valid ones, byte-wise among themselves.
 *
 * Specifiers (satisfies, "pep440:" in version.h): comma-separated ~=, ==, != (both with
 * ".*" prefix matching), <=, >=, <, >, === clauses, all of which must hold, with
 * packaging's rules: "<V" excludes pre-releases of V's release unless V is one, ">V"
 * excludes post-releases of V's release unless V is one and local versions of V.
 * Intended difference: pre-releases are always considered (packaging's prereleases=True):
 * an installed "2.0rc1" must match "<2.1" in an advisory, where pip's resolver would skip
 * pre-releases. A "==X.*" prefix with pre/post/dev parts matches those parts exactly.
 * Intended difference: packaging's SpecifierSet drops clauses that are equal after
 * normalisation, even "===" ones ("===3, ===3.0" keeps only "===3"); here every clause
 * counts.
 * Intended difference from the @renovatebot/pep440 port (which the differential test also
 * uses for ordering): surrounding whitespace is accepted, as packaging does.
 */
#include <string.h>

#include "version/version_int.h"

struct pep {
    struct bsn_str epoch, release;
    int pre_kind; /* -1 none, 0 a, 1 b, 2 rc */
    struct bsn_str pre_n, post_n, dev_n, local;
    bool has_post, has_dev, has_local;
};

static bool
pep_sep(int c)
{
    return c == '-' || c == '_' || c == '.';
}

static size_t
pep_digits(struct bsn_str s, size_t i)
{
    while (i < s.len && bsn_v_isdigit((unsigned char)s.ptr[i]))
        i++;
    return i;
}

/* Case-insensitive keyword at s[i]; returns its length or 0. */
static size_t
pep_kw(struct bsn_str s, size_t i, const char *kw)
{
    size_t n = strlen(kw);
    if (s.len - i < n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (bsn_v_lower((unsigned char)s.ptr[i + k]) != kw[k])
            return 0;
    return n;
}

/* "[sep]N" after a tag: an optional separator then optional digits, greedy. */
static size_t
pep_tag_num(struct bsn_str s, size_t i, struct bsn_str *num)
{
    size_t j = i;
    if (j < s.len && pep_sep((unsigned char)s.ptr[j]))
        j++;
    size_t k = pep_digits(s, j);
    *num = bsn_str_make(s.ptr + j, k - j);
    return k;
}

static bool
pep_parse(struct bsn_str v, struct pep *p)
{
    struct bsn_str s = bsn_str_trim(v);
    memset(p, 0, sizeof *p);
    p->pre_kind = -1;
    if (s.len == 0 || s.len > 1024)
        return false;
    size_t i = 0;
    if (s.ptr[0] == 'v' || s.ptr[0] == 'V')
        i++;
    size_t j = pep_digits(s, i);
    if (j == i)
        return false;
    if (j < s.len && s.ptr[j] == '!') {
        p->epoch = bsn_str_make(s.ptr + i, j - i);
        i = j + 1;
        j = pep_digits(s, i);
        if (j == i)
            return false;
    }
    size_t rs = i;
    i = j;
    while (i + 1 < s.len && s.ptr[i] == '.' && bsn_v_isdigit((unsigned char)s.ptr[i + 1]))
        i = pep_digits(s, i + 1);
    p->release = bsn_str_make(s.ptr + rs, i - rs);

    /* pre-release */
    {
        static const struct { const char *kw; int kind; } pre[] = {
            { "preview", 2 }, { "alpha", 0 }, { "beta", 1 }, { "pre", 2 },
            { "rc", 2 },      { "a", 0 },     { "b", 1 },    { "c", 2 },
        };
        size_t k = i;
        if (k < s.len && pep_sep((unsigned char)s.ptr[k]))
            k++;
        for (size_t t = 0; t < sizeof pre / sizeof pre[0]; t++) {
            size_t n = pep_kw(s, k, pre[t].kw);
            if (n) {
                p->pre_kind = pre[t].kind;
                i = pep_tag_num(s, k + n, &p->pre_n);
                break;
            }
        }
    }
    /* post-release */
    if (i + 1 < s.len && s.ptr[i] == '-' && bsn_v_isdigit((unsigned char)s.ptr[i + 1])) {
        size_t k = pep_digits(s, i + 1);
        p->has_post = true;
        p->post_n = bsn_str_make(s.ptr + i + 1, k - i - 1);
        i = k;
    } else {
        static const char *const post[] = { "post", "rev", "r" };
        size_t k = i;
        if (k < s.len && pep_sep((unsigned char)s.ptr[k]))
            k++;
        for (size_t t = 0; t < 3; t++) {
            size_t n = pep_kw(s, k, post[t]);
            if (n) {
                p->has_post = true;
                i = pep_tag_num(s, k + n, &p->post_n);
                break;
            }
        }
    }
    /* dev release */
    {
        size_t k = i;
        if (k < s.len && pep_sep((unsigned char)s.ptr[k]))
            k++;
        size_t n = pep_kw(s, k, "dev");
        if (n) {
            p->has_dev = true;
            i = pep_tag_num(s, k + n, &p->dev_n);
        }
    }
    /* local version */
    if (i < s.len && s.ptr[i] == '+') {
        size_t ls = ++i;
        for (;;) {
            size_t k = i;
            while (k < s.len && bsn_v_isalnum((unsigned char)s.ptr[k]))
                k++;
            if (k == i)
                return false;
            i = k;
            if (i + 1 < s.len && pep_sep((unsigned char)s.ptr[i]) &&
                bsn_v_isalnum((unsigned char)s.ptr[i + 1])) {
                i++;
                continue;
            }
            break;
        }
        p->has_local = true;
        p->local = bsn_str_make(s.ptr + ls, i - ls);
    }
    return i == s.len;
}

/* Next '.'-separated (or [-_.]-separated for local) segment. */
static bool
next_seg(struct bsn_str *rest, bool local, struct bsn_str *seg)
{
    if (rest->len == 0)
        return false;
    size_t k = 0;
    while (k < rest->len && !(local ? pep_sep((unsigned char)rest->ptr[k]) : rest->ptr[k] == '.'))
        k++;
    *seg = bsn_str_make(rest->ptr, k);
    if (k < rest->len)
        k++;
    rest->ptr += k;
    rest->len -= k;
    return true;
}

static int
cmp_release(struct bsn_str a, struct bsn_str b)
{
    struct bsn_str ra = a, rb = b, sa, sb;
    for (;;) {
        bool ha = next_seg(&ra, false, &sa), hb = next_seg(&rb, false, &sb);
        if (!ha && !hb)
            return 0;
        if (!ha)
            sa = bsn_str_make("0", 1);
        if (!hb)
            sb = bsn_str_make("0", 1);
        int c = bsn_v_cmp_digits(sa.ptr, sa.len, sb.ptr, sb.len);
        if (c)
            return c;
    }
}

static bool
all_digits(struct bsn_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!bsn_v_isdigit((unsigned char)s.ptr[i]))
            return false;
    return true;
}

static int
cmp_local(const struct pep *a, const struct pep *b)
{
    if (!a->has_local || !b->has_local)
        return (int)a->has_local - (int)b->has_local;
    struct bsn_str ra = a->local, rb = b->local, sa, sb;
    for (;;) {
        bool ha = next_seg(&ra, true, &sa), hb = next_seg(&rb, true, &sb);
        if (!ha || !hb)
            return (int)ha - (int)hb;
        bool na = all_digits(sa), nb = all_digits(sb);
        int c;
        if (na && nb)
            c = bsn_v_cmp_digits(sa.ptr, sa.len, sb.ptr, sb.len);
        else if (na != nb)
            c = na ? 1 : -1;
        else
            c = bsn_v_cmp_icase(sa.ptr, sa.len, sb.ptr, sb.len);
        if (c)
            return c;
    }
}

/* Everything but the local part. */
static int
cmp_public(const struct pep *a, const struct pep *b)
{
    int c = bsn_v_cmp_digits(a->epoch.ptr, a->epoch.len, b->epoch.ptr, b->epoch.len);
    if (c)
        return c;
    c = cmp_release(a->release, b->release);
    if (c)
        return c;
    /* pre: dev-only releases lowest, no pre highest */
    int ka = a->pre_kind >= 0 ? 1 : (!a->has_post && a->has_dev ? 0 : 2);
    int kb = b->pre_kind >= 0 ? 1 : (!b->has_post && b->has_dev ? 0 : 2);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (ka == 1) {
        if (a->pre_kind != b->pre_kind)
            return a->pre_kind < b->pre_kind ? -1 : 1;
        c = bsn_v_cmp_digits(a->pre_n.ptr, a->pre_n.len, b->pre_n.ptr, b->pre_n.len);
        if (c)
            return c;
    }
    if (a->has_post != b->has_post)
        return a->has_post ? 1 : -1;
    c = bsn_v_cmp_digits(a->post_n.ptr, a->post_n.len, b->post_n.ptr, b->post_n.len);
    if (c)
        return c;
    if (a->has_dev != b->has_dev)
        return a->has_dev ? -1 : 1;
    return bsn_v_cmp_digits(a->dev_n.ptr, a->dev_n.len, b->dev_n.ptr, b->dev_n.len);
}

static int
pep_cmp(const struct pep *a, const struct pep *b)
{
    int c = cmp_public(a, b);
    return c ? c : cmp_local(a, b);
}

static bool
pep440_valid(struct bsn_str v)
{
    struct pep p;
    return pep_parse(v, &p);
}

static int
pep440_compare(struct bsn_str a, struct bsn_str b)
{
    struct pep x, y;
    bool okx = pep_parse(a, &x), oky = pep_parse(b, &y);
    if (okx && oky)
        return pep_cmp(&x, &y);
    if (okx != oky)
        return okx ? 1 : -1;
    return bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
}

static bool
is_pre(const struct pep *p)
{
    return p->pre_kind >= 0 || p->has_dev;
}

/* Same epoch and release (the base version). */
static bool
same_base(const struct pep *a, const struct pep *b)
{
    return bsn_v_cmp_digits(a->epoch.ptr, a->epoch.len, b->epoch.ptr, b->epoch.len) == 0 &&
           cmp_release(a->release, b->release) == 0;
}

/* "==X.*": epoch equal, v's release (zero-padded) starts with X's release. */
static bool
prefix_match(const struct pep *v, const struct pep *x)
{
    if (bsn_v_cmp_digits(v->epoch.ptr, v->epoch.len, x->epoch.ptr, x->epoch.len) != 0)
        return false;
    struct bsn_str rv = v->release, rx = x->release, sv, sx;
    while (next_seg(&rx, false, &sx)) {
        if (!next_seg(&rv, false, &sv))
            sv = bsn_str_make("0", 1);
        if (bsn_v_cmp_digits(sv.ptr, sv.len, sx.ptr, sx.len) != 0)
            return false;
    }
    if (x->pre_kind >= 0 && (v->pre_kind != x->pre_kind ||
                             bsn_v_cmp_digits(v->pre_n.ptr, v->pre_n.len, x->pre_n.ptr,
                                              x->pre_n.len) != 0 || rv.len != 0))
        return false;
    if (x->has_post && (!v->has_post || bsn_v_cmp_digits(v->post_n.ptr, v->post_n.len,
                                                         x->post_n.ptr, x->post_n.len) != 0))
        return false;
    if (x->has_dev && (!v->has_dev || bsn_v_cmp_digits(v->dev_n.ptr, v->dev_n.len, x->dev_n.ptr,
                                                       x->dev_n.len) != 0))
        return false;
    return true;
}

static bsn_code
bad_spec(struct bsn_err *err, struct bsn_str spec, struct bsn_str expr)
{
    return bsn_err_set(err, BSN_EFORMAT, "invalid specifier '%.*s' in '%.*s'",
                       BSN_STR_ARG(spec), BSN_STR_ARG(expr));
}

static bsn_code
eval_clause(const struct pep *v, struct bsn_str vraw, struct bsn_str clause,
            struct bsn_str expr, bool *ok, struct bsn_err *err)
{
    static const char *const ops[] = { "===", "~=", "==", "!=", "<=", ">=", "<", ">" };
    struct bsn_str cur = bsn_str_trim(clause);
    size_t o = 0;
    for (; o < sizeof ops / sizeof ops[0]; o++)
        if (bsn_sp_lit(&cur, ops[o]) == 0)
            break;
    if (o == sizeof ops / sizeof ops[0])
        return bad_spec(err, clause, expr);
    const char *op = ops[o];
    cur = bsn_str_trim(cur);
    if (strcmp(op, "===") == 0) {
        struct bsn_str t = bsn_str_trim(vraw);
        *ok = cur.len && bsn_v_cmp_icase(t.ptr, t.len, cur.ptr, cur.len) == 0;
        return BSN_OK;
    }
    bool wildcard = bsn_str_ends(cur, ".*");
    if (wildcard) {
        if (strcmp(op, "==") != 0 && strcmp(op, "!=") != 0)
            return bad_spec(err, clause, expr);
        cur.len -= 2;
    }
    struct pep s;
    if (!pep_parse(cur, &s) || (wildcard && s.has_local))
        return bad_spec(err, clause, expr);
    if (strcmp(op, "==") == 0 || strcmp(op, "!=") == 0) {
        bool eq;
        if (wildcard)
            eq = prefix_match(v, &s);
        else if (s.has_local)
            eq = pep_cmp(v, &s) == 0;
        else
            eq = cmp_public(v, &s) == 0;
        *ok = op[0] == '=' ? eq : !eq;
    } else if (strcmp(op, "~=") == 0) {
        /* ~=X.Y.Z: >= X.Y.Z and == X.Y.*; needs at least two release parts */
        if (s.has_local || bsn_str_chr(s.release, '.') < 0)
            return bad_spec(err, clause, expr);
        struct pep pre = s;
        size_t k = pre.release.len;
        while (k > 0 && pre.release.ptr[k - 1] != '.')
            k--;
        pre.release.len = k - 1;
        pre.pre_kind = -1;
        pre.has_post = pre.has_dev = false;
        *ok = cmp_public(v, &s) >= 0 && prefix_match(v, &pre);
    } else if (strcmp(op, "<=") == 0) {
        if (s.has_local)
            return bad_spec(err, clause, expr);
        *ok = cmp_public(v, &s) <= 0;
    } else if (strcmp(op, ">=") == 0) {
        if (s.has_local)
            return bad_spec(err, clause, expr);
        *ok = cmp_public(v, &s) >= 0;
    } else if (strcmp(op, "<") == 0) {
        if (s.has_local)
            return bad_spec(err, clause, expr);
        *ok = pep_cmp(v, &s) < 0 && !(!is_pre(&s) && is_pre(v) && same_base(v, &s));
    } else {
        if (s.has_local)
            return bad_spec(err, clause, expr);
        *ok = pep_cmp(v, &s) > 0 && !(!s.has_post && v->has_post && same_base(v, &s)) &&
              !(v->has_local && same_base(v, &s));
    }
    return BSN_OK;
}

static bsn_code
pep440_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    struct pep pv;
    if (!pep_parse(v, &pv))
        return bsn_err_set(err, BSN_EFORMAT, "invalid version '%.*s'", BSN_STR_ARG(v));
    struct bsn_str rest = bsn_str_trim(expr), clause;
    bool all = true;
    if (rest.len == 0) {
        *out = true; /* the empty specifier set allows everything */
        return BSN_OK;
    }
    for (;;) {
        bool more = bsn_str_split(rest, ',', &clause, &rest);
        if (!more)
            clause = rest;
        bool ok = false;
        BSN_TRY(eval_clause(&pv, v, clause, expr, &ok, err));
        all = all && ok;
        if (!more)
            break;
    }
    *out = all;
    return BSN_OK;
}

const struct bsn_scheme bsn_scheme_pep440 = {
    .name = "pep440",
    .valid = pep440_valid,
    .compare = pep440_compare,
    .satisfies = pep440_satisfies,
};
