/*
 * Affected-range evaluation over the canonical grammar of version.h, and the helpers the
 * scheme files share (digit-run comparison, comparator lists).
 *
 * "osv:" ranges follow the OSV schema's evaluation rule
 * (https://ossf.github.io/osv-schema/#evaluation): with the events sorted by version, a
 * version is affected when the last event at or below it is an "introduced" ("fixed" and
 * "limit" count when v >= them, "last_affected" when v > it). Sorting is not needed: that
 * last event is the greatest applicable one, so evaluation is one pass, no allocation, and
 * the order of events in the text does not matter. On a tie between an "introduced" and a
 * "fixed"/"last_affected" of equal version the latter wins (v is not affected). "introduced=0"
 * is below every version. "limit" events bound the range from above (v must be below one of
 * them); "version=V" lists an affected version outright.
 *
 * Native expressions ("npm:^1.2.3", "pep440:>=1,<2", …) go to the named scheme's satisfies();
 * "cmp:" is a comparator list evaluated with the caller's scheme. A range with no known
 * "SYNTAX:" prefix is read as a native expression of the caller's scheme (its satisfies(),
 * else a comparator list): an extension documented in version.h.
 */
#include <string.h>

#include "version/version_int.h"

int
bsn_v_cmp_digits(const char *a, size_t alen, const char *b, size_t blen)
{
    while (alen && *a == '0') {
        a++;
        alen--;
    }
    while (blen && *b == '0') {
        b++;
        blen--;
    }
    if (alen != blen)
        return alen < blen ? -1 : 1;
    if (alen == 0)
        return 0;
    return bsn_v_sign(memcmp(a, b, alen));
}

int
bsn_v_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return bsn_v_sign(c);
    return (alen > blen) - (alen < blen);
}

int
bsn_v_cmp_icase(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        int x = bsn_v_lower((unsigned char)a[i]), y = bsn_v_lower((unsigned char)b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (alen > blen) - (alen < blen);
}

bool
bsn_v_read_op(struct bsn_str *cur, enum bsn_v_op *op)
{
    bsn_sp_blanks(cur);
    if (bsn_sp_lit(cur, "<=") == 0)
        *op = BSN_VOP_LE;
    else if (bsn_sp_lit(cur, ">=") == 0)
        *op = BSN_VOP_GE;
    else if (bsn_sp_lit(cur, "!=") == 0)
        *op = BSN_VOP_NE;
    else if (bsn_sp_lit(cur, "==") == 0)
        *op = BSN_VOP_EQ;
    else if (bsn_sp_lit(cur, "<") == 0)
        *op = BSN_VOP_LT;
    else if (bsn_sp_lit(cur, ">") == 0)
        *op = BSN_VOP_GT;
    else if (bsn_sp_lit(cur, "=") == 0)
        *op = BSN_VOP_EQ;
    else if (cur->len && (cur->ptr[0] == '!' || cur->ptr[0] == '~'))
        return false;
    else
        *op = BSN_VOP_EQ;
    bsn_sp_blanks(cur);
    return true;
}

bool
bsn_v_op_holds(enum bsn_v_op op, int c)
{
    switch (op) {
    case BSN_VOP_EQ: return c == 0;
    case BSN_VOP_NE: return c != 0;
    case BSN_VOP_LT: return c < 0;
    case BSN_VOP_LE: return c <= 0;
    case BSN_VOP_GT: return c > 0;
    case BSN_VOP_GE: return c >= 0;
    }
    return false;
}

static bool
is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Evaluates one ','-separated AND group. */
static bsn_code
cmp_group(const struct bsn_scheme *s, struct bsn_str v, struct bsn_str group,
          struct bsn_str expr, bool *out, struct bsn_err *err)
{
    bool all = true;
    struct bsn_str rest = group, part;
    for (;;) {
        bool more = bsn_str_split(rest, ',', &part, &rest);
        if (!more)
            part = rest;
        struct bsn_str cur = bsn_str_trim(part);
        if (cur.len == 0)
            return bsn_err_set(err, BSN_EFORMAT, "empty comparator in '%.*s'",
                               BSN_STR_ARG(expr));
        while (cur.len) {
            enum bsn_v_op op;
            if (!bsn_v_read_op(&cur, &op))
                return bsn_err_set(err, BSN_EFORMAT, "invalid operator in '%.*s'",
                                   BSN_STR_ARG(expr));
            size_t n = 0;
            while (n < cur.len && !is_blank((unsigned char)cur.ptr[n]))
                n++;
            struct bsn_str ver = bsn_str_make(cur.ptr, n);
            if (ver.len == 0 || !s->valid(ver))
                return bsn_err_set(err, BSN_EFORMAT, "invalid %s version '%.*s' in '%.*s'",
                                   s->name, BSN_STR_ARG(ver), BSN_STR_ARG(expr));
            if (!bsn_v_op_holds(op, s->compare(v, ver)))
                all = false;
            cur.ptr += n;
            cur.len -= n;
            bsn_sp_blanks(&cur);
        }
        if (!more)
            break;
    }
    *out = all;
    return BSN_OK;
}

bsn_code
bsn_v_cmp_list(const struct bsn_scheme *s, struct bsn_str v, struct bsn_str expr, bool *out,
               struct bsn_err *err)
{
    struct bsn_str rest = bsn_str_trim(expr);
    bool any = false;
    if (rest.len == 0)
        return bsn_err_set(err, BSN_EFORMAT, "empty constraint");
    for (;;) {
        size_t k = 0;
        while (k + 1 < rest.len && !(rest.ptr[k] == '|' && rest.ptr[k + 1] == '|'))
            k++;
        bool more = k + 1 < rest.len;
        struct bsn_str group = more ? bsn_str_make(rest.ptr, k) : rest;
        bool in = false;
        BSN_TRY(cmp_group(s, v, group, expr, &in, err));
        any = any || in;
        if (!more)
            break;
        rest = bsn_str_make(rest.ptr + k + 2, rest.len - k - 2);
    }
    *out = any;
    return BSN_OK;
}

enum osv_kind { OSV_INTRODUCED, OSV_FIXED, OSV_LAST_AFFECTED, OSV_LIMIT, OSV_VERSION };

static bsn_code
eval_osv(const struct bsn_scheme *s, struct bsn_str range, struct bsn_str v, bool *out,
         struct bsn_err *err)
{
    struct bsn_str rest = bsn_str_make(range.ptr + 4, range.len - 4), ev;
    bool have_best = false, best_intro = false, best_zero = false;
    struct bsn_str best = { "", 0 };
    bool have_limit = false, below_limit = false, listed = false;
    for (;;) {
        bool more = bsn_str_split(rest, ';', &ev, &rest);
        if (!more)
            ev = rest;
        ev = bsn_str_trim(ev);
        struct bsn_str key, val;
        if (!bsn_str_split(ev, '=', &key, &val) || val.len == 0)
            return bsn_err_set(err, BSN_EFORMAT, "invalid event '%.*s' in range '%.*s'",
                               BSN_STR_ARG(ev), BSN_STR_ARG(range));
        key = bsn_str_trim(key);
        val = bsn_str_trim(val);
        enum osv_kind kind;
        if (bsn_str_eq_cstr(key, "introduced"))
            kind = OSV_INTRODUCED;
        else if (bsn_str_eq_cstr(key, "fixed"))
            kind = OSV_FIXED;
        else if (bsn_str_eq_cstr(key, "last_affected"))
            kind = OSV_LAST_AFFECTED;
        else if (bsn_str_eq_cstr(key, "limit"))
            kind = OSV_LIMIT;
        else if (bsn_str_eq_cstr(key, "version"))
            kind = OSV_VERSION;
        else
            return bsn_err_set(err, BSN_EFORMAT, "unknown event '%.*s' in range '%.*s'",
                               BSN_STR_ARG(key), BSN_STR_ARG(range));
        bool zero = kind == OSV_INTRODUCED && bsn_str_eq_cstr(val, "0");
        int c = zero ? 1 : s->compare(v, val);
        switch (kind) {
        case OSV_VERSION:
            listed = listed || c == 0;
            break;
        case OSV_LIMIT:
            have_limit = true;
            below_limit = below_limit || bsn_str_eq_cstr(val, "*") || c < 0;
            break;
        default: {
            bool applies = kind == OSV_LAST_AFFECTED ? c > 0 : c >= 0;
            if (!applies)
                break;
            bool intro = kind == OSV_INTRODUCED;
            int order; /* this event against the best so far */
            if (!have_best)
                order = 1;
            else if (zero)
                order = best_zero ? 0 : -1;
            else if (best_zero)
                order = 1;
            else
                order = s->compare(val, best);
            if (order > 0 || (order == 0 && !intro)) {
                have_best = true;
                best = val;
                best_intro = intro;
                best_zero = zero;
            }
            break;
        }
        }
        if (!more)
            break;
    }
    bool affected = have_best && best_intro;
    if (have_limit && !below_limit)
        affected = false;
    *out = affected || listed;
    return BSN_OK;
}

static const struct {
    const char *syntax;
    const char *scheme;
} native_syntaxes[] = {
    { "npm", "npm" },         { "semver", "semver" }, { "pep440", "pep440" },
    { "maven", "maven" },     { "gem", "gem" },       { "go", "golang" },
    { "golang", "golang" },   { "cargo", "cargo" },   { "nuget", "nuget" },
    { "composer", "composer" },
};

static bsn_code
eval_native(const struct bsn_scheme *s, struct bsn_str expr, struct bsn_str v, bool *out,
            struct bsn_err *err)
{
    if (s->satisfies)
        return s->satisfies(v, expr, out, err);
    return bsn_v_cmp_list(s, v, expr, out, err);
}

bsn_code
bsn_range_contains(const struct bsn_scheme *s, struct bsn_str range, struct bsn_str v,
                   bool *out, struct bsn_err *err)
{
    range = bsn_str_trim(range);
    if (range.len > 65536)
        return bsn_err_set(err, BSN_ELIMIT, "range longer than 64 KiB");
    if (bsn_str_starts(range, "osv:"))
        return eval_osv(s, range, v, out, err);
    if (bsn_str_starts(range, "cmp:"))
        return bsn_v_cmp_list(s, v, bsn_str_make(range.ptr + 4, range.len - 4), out, err);
    struct bsn_str head, tail;
    if (bsn_str_split(range, ':', &head, &tail)) {
        for (size_t i = 0; i < sizeof native_syntaxes / sizeof native_syntaxes[0]; i++) {
            if (!bsn_str_eq_cstr(head, native_syntaxes[i].syntax))
                continue;
            const struct bsn_scheme *ns = bsn_scheme_find(native_syntaxes[i].scheme);
            if (!ns)
                return bsn_err_set(err, BSN_EUNSUPPORTED, "no scheme for range syntax '%s'",
                                   native_syntaxes[i].syntax);
            return eval_native(ns, tail, v, out, err);
        }
    }
    return eval_native(s, range, v, out, err);
}
