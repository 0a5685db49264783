/*
 * Debian package versions (deb-version(7)): [epoch:]upstream[-revision].
 *
 * The epoch is a decimal number (absent: 0), the upstream part runs to the last '-', the
 * revision follows it (absent: empty, which sorts like "0"). Upstream and revision compare
 * with dpkg's verrevcmp(): alternating non-digit runs, compared character by character with
 * '~' before everything (even the end), letters before other characters, and digit runs,
 * compared as numbers. Digit runs are compared as unbounded integers (leading zeros
 * stripped, then length, then digits), as apt does; dpkg's int accumulation would overflow
 * past 2^31, apt's does not: the two agree on every version a package can carry.
 *
 * Validity follows dpkg's parseversion(): non-empty, no whitespace, epoch a number up to
 * INT_MAX, upstream non-empty and starting with a digit, upstream characters alnum and
 * ".+~-:", revision non-empty with alnum and ".+~". dpkg only warns about some of these
 * ("version number does not start with digit"); bosun calls them invalid so that a typo in a
 * feed or on the command line is reported instead of silently ordered.
 */
#include <limits.h>

#include "version/version_int.h"

struct deb_parts {
    struct bsn_str epoch, upstream, revision;
};

static void
deb_split(struct bsn_str v, struct deb_parts *p)
{
    p->epoch = bsn_str_make(v.ptr, 0);
    p->revision = bsn_str_make(v.ptr + v.len, 0);
    ptrdiff_t colon = bsn_str_chr(v, ':');
    if (colon >= 0) {
        bool digits = true;
        for (ptrdiff_t i = 0; i < colon; i++)
            digits = digits && bsn_v_isdigit((unsigned char)v.ptr[i]);
        if (digits) {
            p->epoch = bsn_str_make(v.ptr, (size_t)colon);
            v.ptr += colon + 1;
            v.len -= (size_t)colon + 1;
        }
    }
    p->upstream = v;
    for (size_t i = v.len; i > 0; i--) {
        if (v.ptr[i - 1] == '-') {
            p->upstream = bsn_str_make(v.ptr, i - 1);
            p->revision = bsn_str_make(v.ptr + i, v.len - i);
            break;
        }
    }
}

static int
deb_order(int c)
{
    if (bsn_v_isdigit(c))
        return 0;
    if (bsn_v_isalpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c)
        return c + 256;
    return 0;
}

/* dpkg's verrevcmp() over slices; the byte past the end reads as NUL. */
static int
deb_verrevcmp(struct bsn_str a, struct bsn_str b)
{
    size_t i = 0, j = 0;
#define AT(s, k) ((k) < (s).len ? (unsigned char)(s).ptr[k] : 0)
    while (i < a.len || j < b.len) {
        while ((i < a.len && !bsn_v_isdigit(AT(a, i))) || (j < b.len && !bsn_v_isdigit(AT(b, j)))) {
            int ac = deb_order(AT(a, i)), bc = deb_order(AT(b, j));
            if (ac != bc)
                return bsn_v_sign(ac - bc);
            i++;
            j++;
        }
        size_t si = i, sj = j;
        while (i < a.len && bsn_v_isdigit(AT(a, i)))
            i++;
        while (j < b.len && bsn_v_isdigit(AT(b, j)))
            j++;
        int c = bsn_v_cmp_digits(a.ptr + si, i - si, b.ptr + sj, j - sj);
        if (c)
            return c;
    }
#undef AT
    return 0;
}

static int
deb_compare(struct bsn_str a, struct bsn_str b)
{
    struct deb_parts pa, pb;
    deb_split(a, &pa);
    deb_split(b, &pb);
    int c = bsn_v_cmp_digits(pa.epoch.ptr, pa.epoch.len, pb.epoch.ptr, pb.epoch.len);
    if (c)
        return c;
    c = deb_verrevcmp(pa.upstream, pb.upstream);
    if (c)
        return c;
    return deb_verrevcmp(pa.revision, pb.revision);
}

static bool
deb_valid(struct bsn_str v)
{
    if (v.len == 0)
        return false;
    struct bsn_str rest = v;
    ptrdiff_t colon = bsn_str_chr(v, ':');
    if (colon >= 0) {
        if (colon == 0 || colon > 10)
            return false;
        unsigned long long e = 0;
        for (ptrdiff_t i = 0; i < colon; i++) {
            if (!bsn_v_isdigit((unsigned char)v.ptr[i]))
                return false;
            e = e * 10 + (unsigned)(v.ptr[i] - '0');
        }
        if (e > INT_MAX)
            return false;
        rest = bsn_str_make(v.ptr + colon + 1, v.len - (size_t)colon - 1);
    }
    struct deb_parts p;
    p.upstream = rest;
    p.revision = bsn_str_make(NULL, 0);
    bool has_rev = false;
    for (size_t i = rest.len; i > 0; i--) {
        if (rest.ptr[i - 1] == '-') {
            p.upstream = bsn_str_make(rest.ptr, i - 1);
            p.revision = bsn_str_make(rest.ptr + i, rest.len - i);
            has_rev = true;
            break;
        }
    }
    if (p.upstream.len == 0 || !bsn_v_isdigit((unsigned char)p.upstream.ptr[0]))
        return false;
    for (size_t i = 0; i < p.upstream.len; i++) {
        int c = (unsigned char)p.upstream.ptr[i];
        if (!bsn_v_isalnum(c) && !bsn_v_in(c, ".+~-:"))
            return false;
    }
    if (has_rev && p.revision.len == 0)
        return false;
    for (size_t i = 0; i < p.revision.len; i++) {
        int c = (unsigned char)p.revision.ptr[i];
        if (!bsn_v_isalnum(c) && !bsn_v_in(c, ".+~"))
            return false;
    }
    return true;
}

const struct bsn_scheme bsn_scheme_deb = {
    .name = "deb",
    .valid = deb_valid,
    .compare = deb_compare,
    .satisfies = NULL,
};
