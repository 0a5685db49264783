/*
 * RubyGems versions (Gem::Version, https://guides.rubygems.org/patterns/#semantic-versioning)
 * and requirements (Gem::Requirement).
 *
 * Valid: digits, then '.'-separated alphanumeric segments, then an optional '-' part
 * ("1.0-beta.1"), surrounding whitespace allowed; the empty string is "0". A '-' reads as
 * ".pre." ("1.0-rc1" is "1.0.pre.rc1"). The version splits into numeric and alphabetic
 * segments ("1.0.0.rc10" is [1, 0, 0, "rc", 10]); trailing zeros of the release part and of
 * the prerelease part are dropped; segments compare pairwise with absent ones as 0, numbers
 * as numbers (any length), strings byte-wise, a string below a number (so any version with
 * letters is a prerelease of its release). Comparison walks the strings: no allocation.
 *
 * Requirements (satisfies, "gem:" in version.h): ','-separated "OP VERSION" clauses, all of
 * which must hold, OP one of = != > < >= <= ~> (default =). "~> 2.3.1" means ">= 2.3.1" and
 * "< 2.4" (the pessimistic operator bumps the second-to-last release segment; a prerelease
 * candidate is judged by its release). Invalid versions sort before valid ones.
 *
 * Intended differences from @renovatebot/ruby-semver (the differential test's reference, a
 * JavaScript port): letters compare byte-wise as Ruby's String#<=> does ("1.1Z" < "1.1pre"),
 * where the port uses localeCompare; the empty string is version "0" as in Gem::Version,
 * where the port rejects it. test_version_schemes checks both.
 */
#include <string.h>

#include "version/version_int.h"

#define GEM_MAX_LEN 1024

struct gem_tok {
    const char *p;
    size_t len;
    bool num;
};

struct gem_iter {
    struct bsn_str s;
    size_t i;
    size_t skip_from, skip_to; /* numeric zeros in [from, to) are dropped */
};

static const char gem_pre[] = "pre";

/* Raw segments: digit runs, letter runs, and "pre" for each '-'. */
static bool
gem_raw_next(struct bsn_str s, size_t *i, struct gem_tok *t, size_t *at)
{
    while (*i < s.len && !bsn_v_isalnum((unsigned char)s.ptr[*i]) && s.ptr[*i] != '-')
        (*i)++;
    if (*i >= s.len)
        return false;
    *at = *i;
    if (s.ptr[*i] == '-') {
        (*i)++;
        t->p = gem_pre;
        t->len = 3;
        t->num = false;
        return true;
    }
    t->p = s.ptr + *i;
    t->num = bsn_v_isdigit((unsigned char)s.ptr[*i]);
    size_t n = *i;
    while (n < s.len && (t->num ? bsn_v_isdigit((unsigned char)s.ptr[n])
                                : bsn_v_isalpha((unsigned char)s.ptr[n])))
        n++;
    t->len = n - *i;
    *i = n;
    return true;
}

static bool
is_zero(const struct gem_tok *t)
{
    for (size_t k = 0; k < t->len; k++)
        if (t->p[k] != '0')
            return false;
    return true;
}

static void
gem_iter_init(struct gem_iter *it, struct bsn_str v)
{
    it->s = bsn_str_trim(v);
    it->i = 0;
    /* find the first string segment and the last non-zero number before it */
    size_t i = 0, at = 0, last_nz_end = 0, first_str = it->s.len;
    struct gem_tok t;
    while (gem_raw_next(it->s, &i, &t, &at)) {
        if (!t.num) {
            first_str = at;
            break;
        }
        if (!is_zero(&t))
            last_nz_end = i;
    }
    it->skip_from = last_nz_end;
    it->skip_to = first_str;
}

static bool
gem_next(struct gem_iter *it, struct gem_tok *t)
{
    size_t at;
    while (gem_raw_next(it->s, &it->i, t, &at)) {
        if (t->num && at >= it->skip_from && at < it->skip_to)
            continue;
        return true;
    }
    return false;
}

static bool
gem_valid(struct bsn_str v)
{
    struct bsn_str s = bsn_str_trim(v);
    if (s.len == 0)
        return true;
    if (s.len > GEM_MAX_LEN)
        return false;
    size_t i = 0;
    while (i < s.len && bsn_v_isdigit((unsigned char)s.ptr[i]))
        i++;
    if (i == 0)
        return false;
    while (i < s.len && s.ptr[i] == '.') {
        size_t k = ++i;
        while (i < s.len && bsn_v_isalnum((unsigned char)s.ptr[i]))
            i++;
        if (i == k)
            return false;
    }
    if (i < s.len && s.ptr[i] == '-') {
        for (;;) {
            size_t k = ++i;
            while (i < s.len && (bsn_v_isalnum((unsigned char)s.ptr[i]) || s.ptr[i] == '-'))
                i++;
            if (i == k)
                return false;
            if (i < s.len && s.ptr[i] == '.')
                continue;
            break;
        }
    }
    return i == s.len;
}

static int
gem_cmp_valid(struct bsn_str a, struct bsn_str b)
{
    struct gem_iter x, y;
    gem_iter_init(&x, a);
    gem_iter_init(&y, b);
    for (;;) {
        struct gem_tok ta = { "0", 1, true }, tb = { "0", 1, true };
        bool ha = gem_next(&x, &ta), hb = gem_next(&y, &tb);
        if (!ha && !hb)
            return 0;
        int c;
        if (ta.num && tb.num)
            c = bsn_v_cmp_digits(ta.p, ta.len, tb.p, tb.len);
        else if (ta.num != tb.num)
            c = ta.num ? 1 : -1;
        else
            c = bsn_v_cmp_bytes(ta.p, ta.len, tb.p, tb.len);
        if (c)
            return c;
    }
}

static int
gem_compare(struct bsn_str a, struct bsn_str b)
{
    bool oka = gem_valid(a), okb = gem_valid(b);
    if (oka && okb)
        return gem_cmp_valid(a, b);
    if (oka != okb)
        return oka ? 1 : -1;
    return bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
}

/* ---- requirements ---- */

/* Appends the numeric segments before the first string one, '.'-joined; the last one +1
 * when bump (after dropping the final segment if there are several). */
static bool
gem_release(struct bsn_str v, bool bump, char *buf, size_t cap, struct bsn_str *out)
{
    struct bsn_str s = bsn_str_trim(v);
    size_t i = 0, at, n = 0, count = 0;
    struct gem_tok t;
    /* count numeric segments first */
    while (gem_raw_next(s, &i, &t, &at) && t.num)
        count++;
    if (count == 0) {
        if (cap < 2)
            return false;
        buf[0] = '0';
        *out = bsn_str_make(buf, 1);
        return true;
    }
    size_t keep = bump && count > 1 ? count - 1 : count;
    i = 0;
    for (size_t k = 0; k < keep; k++) {
        if (!gem_raw_next(s, &i, &t, &at))
            return false;
        if (n + t.len + 2 > cap)
            return false;
        if (k)
            buf[n++] = '.';
        if (bump && k == keep - 1) {
            /* decimal increment of the last segment */
            size_t start = n;
            memcpy(buf + n, t.p, t.len);
            n += t.len;
            size_t d = n;
            while (d > start && buf[d - 1] == '9')
                buf[--d] = '0';
            if (d > start) {
                buf[d - 1]++;
            } else {
                memmove(buf + start + 1, buf + start, n - start);
                buf[start] = '1';
                n++;
            }
        } else {
            memcpy(buf + n, t.p, t.len);
            n += t.len;
        }
    }
    *out = bsn_str_make(buf, n);
    return true;
}

static bool
has_letter(struct bsn_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (bsn_v_isalpha((unsigned char)s.ptr[i]))
            return true;
    return false;
}

static bsn_code
gem_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    if (!gem_valid(v))
        return bsn_err_set(err, BSN_EFORMAT, "invalid version '%.*s'", BSN_STR_ARG(v));
    struct bsn_str rest = bsn_str_trim(expr), clause;
    bool all = true;
    if (rest.len == 0)
        return bsn_err_set(err, BSN_EFORMAT, "empty requirement");
    for (;;) {
        bool more = bsn_str_split(rest, ',', &clause, &rest);
        if (!more)
            clause = rest;
        struct bsn_str cur = bsn_str_trim(clause);
        bool pessimistic = bsn_sp_lit(&cur, "~>") == 0;
        enum bsn_v_op op = BSN_VOP_GE;
        if (!pessimistic && !bsn_v_read_op(&cur, &op))
            return bsn_err_set(err, BSN_EFORMAT, "invalid requirement '%.*s'",
                               BSN_STR_ARG(clause));
        cur = bsn_str_trim(cur);
        if (cur.len == 0 || !gem_valid(cur) || cur.len > GEM_MAX_LEN)
            return bsn_err_set(err, BSN_EFORMAT, "invalid requirement '%.*s'",
                               BSN_STR_ARG(clause));
        bool ok;
        if (pessimistic) {
            char b1[GEM_MAX_LEN + 8], b2[GEM_MAX_LEN + 8];
            struct bsn_str rel = v, up;
            if (has_letter(v) && !gem_release(v, false, b1, sizeof b1, &rel))
                return bsn_err_set(err, BSN_ELIMIT, "version '%.*s' too long",
                                   BSN_STR_ARG(v));
            if (!gem_release(cur, true, b2, sizeof b2, &up))
                return bsn_err_set(err, BSN_ELIMIT, "requirement '%.*s' too long",
                                   BSN_STR_ARG(clause));
            ok = gem_cmp_valid(v, cur) >= 0 && gem_cmp_valid(rel, up) < 0;
        } else {
            ok = bsn_v_op_holds(op, gem_cmp_valid(v, cur));
        }
        all = all && ok;
        if (!more)
            break;
    }
    *out = all;
    return BSN_OK;
}

const struct bsn_scheme bsn_scheme_gem = {
    .name = "gem",
    .valid = gem_valid,
    .compare = gem_compare,
    .satisfies = gem_satisfies,
};
