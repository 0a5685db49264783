/*
 * NuGet package versions (NuGet.Versioning's NuGetVersion and VersionComparer.Default,
 * https://learn.microsoft.com/nuget/concepts/package-versioning):
 *     Major.Minor[.Patch[.Revision]][-Release][+Metadata]
 * Missing parts are 0 ("1.0" == "1.0.0.0"), leading zeros are accepted ("1.01" == "1.1"),
 * each part fits in a 32-bit int. A version with release labels sorts before the same version
 * without; labels compare pairwise, numeric ones as numbers and before alphanumeric ones,
 * alphanumeric ones case-insensitively (ordinal); fewer labels first. Metadata is ignored.
 * Surrounding whitespace is ignored, as NuGetVersion.Parse does.
 *
 * Constraints: NuGet's interval notation ("[1.0,2.0)", "(,1.5]", "[1.2]", several joined by
 * ',' meaning OR) and comparator lists (">= 1.0, < 2.0"). A bare version means ">= version",
 * NuGet's minimum-version rule.
 */
#include "version/version_int.h"

struct nuget_ver {
    unsigned long part[4];
    struct bsn_str release;
};

static bool
nuget_parse(struct bsn_str v, struct nuget_ver *out)
{
    struct bsn_str cur = bsn_str_trim(v);
    int n = 0;
    out->part[0] = out->part[1] = out->part[2] = out->part[3] = 0;
    out->release = bsn_str_make(cur.ptr, 0);
    if (cur.len > 1024)
        return false;
    for (;;) {
        size_t k = 0;
        unsigned long x = 0;
        while (k < cur.len && bsn_v_isdigit((unsigned char)cur.ptr[k])) {
            x = x * 10 + (unsigned)(cur.ptr[k] - '0');
            if (x > 2147483647UL)
                return false;
            k++;
        }
        if (k == 0)
            return false;
        out->part[n++] = x;
        cur.ptr += k;
        cur.len -= k;
        if (n < 4 && cur.len && cur.ptr[0] == '.') {
            cur.ptr++;
            cur.len--;
            continue;
        }
        break;
    }
    if (n < 2)
        return false;
    for (int pass = 0; pass < 2; pass++) {
        char lead = pass == 0 ? '-' : '+';
        if (cur.len == 0 || cur.ptr[0] != lead)
            continue;
        cur.ptr++;
        cur.len--;
        size_t k = 0, seg = 0;
        while (k < cur.len && cur.ptr[k] != '+') {
            int c = (unsigned char)cur.ptr[k];
            if (c == '.') {
                if (seg == 0)
                    return false;
                seg = 0;
            } else if (bsn_v_isalnum(c) || c == '-') {
                seg++;
            } else {
                return false;
            }
            k++;
        }
        if (seg == 0)
            return false;
        if (pass == 0)
            out->release = bsn_str_make(cur.ptr, k);
        cur.ptr += k;
        cur.len -= k;
    }
    return cur.len == 0;
}

static bool
digits_only(struct bsn_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!bsn_v_isdigit((unsigned char)s.ptr[i]))
            return false;
    return s.len > 0;
}

static int
nuget_cmp(const struct nuget_ver *a, const struct nuget_ver *b)
{
    for (int i = 0; i < 4; i++)
        if (a->part[i] != b->part[i])
            return a->part[i] < b->part[i] ? -1 : 1;
    if (!a->release.len || !b->release.len)
        return a->release.len ? -1 : b->release.len ? 1 : 0;
    struct bsn_str ra = a->release, rb = b->release, la, lb;
    for (;;) {
        if (!ra.len || !rb.len)
            return ra.len ? 1 : rb.len ? -1 : 0;
        if (!bsn_str_split(ra, '.', &la, &ra)) {
            la = ra;
            ra.len = 0;
        }
        if (!bsn_str_split(rb, '.', &lb, &rb)) {
            lb = rb;
            rb.len = 0;
        }
        bool na = digits_only(la), nb = digits_only(lb);
        int c;
        if (na && nb)
            c = bsn_v_cmp_digits(la.ptr, la.len, lb.ptr, lb.len);
        else if (na != nb)
            c = na ? -1 : 1;
        else
            c = bsn_v_cmp_icase(la.ptr, la.len, lb.ptr, lb.len);
        if (c)
            return c;
    }
}

static bool
nuget_valid(struct bsn_str v)
{
    struct nuget_ver n;
    return nuget_parse(v, &n);
}

static int
nuget_compare(struct bsn_str a, struct bsn_str b)
{
    struct nuget_ver x, y;
    bool okx = nuget_parse(a, &x), oky = nuget_parse(b, &y);
    if (okx && oky)
        return nuget_cmp(&x, &y);
    if (okx != oky)
        return okx ? 1 : -1;
    return bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
}

static bsn_code nuget_satisfies(struct bsn_str v, struct bsn_str expr, bool *out,
                                struct bsn_err *err);

const struct bsn_scheme bsn_scheme_nuget = {
    .name = "nuget",
    .valid = nuget_valid,
    .compare = nuget_compare,
    .satisfies = nuget_satisfies,
};

static bsn_code
bad(struct bsn_err *err, struct bsn_str expr)
{
    return bsn_err_set(err, BSN_EFORMAT, "invalid NuGet version range '%.*s'",
                       BSN_STR_ARG(expr));
}

static bsn_code
nuget_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    struct bsn_str cur = bsn_str_trim(expr);
    if (!nuget_valid(v))
        return bsn_err_set(err, BSN_EFORMAT, "invalid version '%.*s'", BSN_STR_ARG(v));
    if (cur.len == 0)
        return bad(err, expr);
    if (cur.ptr[0] != '[' && cur.ptr[0] != '(') {
        if (nuget_valid(cur)) {
            *out = nuget_compare(v, cur) >= 0;
            return BSN_OK;
        }
        return bsn_v_cmp_list(&bsn_scheme_nuget, v, cur, out, err);
    }
    bool any = false;
    while (cur.len) {
        char open = cur.ptr[0];
        if (open != '[' && open != '(')
            return bad(err, expr);
        size_t k = 1;
        while (k < cur.len && cur.ptr[k] != ']' && cur.ptr[k] != ')')
            k++;
        if (k == cur.len)
            return bad(err, expr);
        char close = cur.ptr[k];
        struct bsn_str body = bsn_str_make(cur.ptr + 1, k - 1), lo, hi;
        bool in = true;
        if (bsn_str_split(body, ',', &lo, &hi)) {
            lo = bsn_str_trim(lo);
            hi = bsn_str_trim(hi);
            if ((lo.len && !nuget_valid(lo)) || (hi.len && !nuget_valid(hi)))
                return bad(err, expr);
            if (lo.len) {
                int c = nuget_compare(v, lo);
                in = in && (open == '[' ? c >= 0 : c > 0);
            }
            if (hi.len) {
                int c = nuget_compare(v, hi);
                in = in && (close == ']' ? c <= 0 : c < 0);
            }
        } else {
            body = bsn_str_trim(body);
            if (open != '[' || close != ']' || !nuget_valid(body))
                return bad(err, expr);
            in = nuget_compare(v, body) == 0;
        }
        any = any || in;
        cur = bsn_str_trim(bsn_str_make(cur.ptr + k + 1, cur.len - k - 1));
        if (cur.len) {
            if (cur.ptr[0] != ',')
                return bad(err, expr);
            cur = bsn_str_trim(bsn_str_make(cur.ptr + 1, cur.len - 1));
            if (cur.len == 0)
                return bad(err, expr);
        }
    }
    *out = any;
    return BSN_OK;
}
