/*
 * PHP Composer package versions (composer/semver: VersionParser::normalize, then PHP's
 * version_compare(), https://getcomposer.org/doc/articles/versions.md).
 *
 * Normalisation: surrounding whitespace, a leading "v", "+build" metadata and an "@flag"
 * are dropped; up to four numeric parts are padded to four ("1.2" is "1.2.0.0"); a
 * stability suffix ("-beta2", "RC1", ".patch3", "-dev") becomes "-beta2", "-RC1",
 * "-patch3", "-dev"; "x"/"*" parts (branch aliases "2.x-dev") become 9999999. Branches
 * ("dev-main") sort before every numbered version, byte-wise among themselves (Composer
 * itself never orders a branch against a version: no range can contain one).
 *
 * version_compare() then splits at '.', '-', '_', '+' and at digit/non-digit transitions,
 * and compares part by part: numbers as numbers; words by their prefix rank
 * dev < alpha = a < beta = b < RC = rc < (number) < pl = p ("patch"); unknown words
 * below dev; a missing part ranks as a number would against a word, and loses against a
 * number. Numbers compare exactly at any length (PHP's strtol saturates past 2^63).
 * Invalid versions sort before valid ones, byte-wise among themselves.
 *
 * Constraints: comparator lists (">=1.0 <2.0", ">=1.0, <1.5 || >=2.0"); Composer's "^" and
 * "~" shorthands are not accepted (feeds store explicit bounds).
 */
#include <string.h>

#include "version/version_int.h"

#define COMPOSER_MAX 256

struct cbuf {
    char p[COMPOSER_MAX * 2 + 32];
    size_t n;
};

static void
cput(struct cbuf *b, const char *s, size_t n)
{
    if (b->n + n < sizeof b->p) {
        memcpy(b->p + b->n, s, n);
        b->n += n;
    }
}

/* Case-insensitive keyword at s[i]. */
static size_t
ckw(struct bsn_str s, size_t i, const char *kw)
{
    size_t n = strlen(kw);
    if (s.len - i < n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (bsn_v_lower((unsigned char)s.ptr[i + k]) != kw[k])
            return 0;
    return n;
}

/* 1 numbered version, 2 branch, 0 invalid. */
static int
composer_normalize(struct bsn_str v, struct cbuf *out)
{
    struct bsn_str s = bsn_str_trim(v);
    out->n = 0;
    if (s.len == 0 || s.len > COMPOSER_MAX)
        return 0;
    ptrdiff_t at = bsn_str_chr(s, '@');
    if (at > 0)
        s.len = (size_t)at;
    if (ckw(s, 0, "dev-")) {
        cput(out, s.ptr, s.len);
        return 2;
    }
    ptrdiff_t plus = bsn_str_chr(s, '+');
    if (plus > 0)
        s.len = (size_t)plus;
    size_t i = 0;
    if (s.len && (s.ptr[0] == 'v' || s.ptr[0] == 'V'))
        i++;
    int parts = 0;
    while (parts < 4) {
        if (parts > 0) {
            if (i + 1 >= s.len || s.ptr[i] != '.')
                break;
            if (!bsn_v_isdigit((unsigned char)s.ptr[i + 1]) && s.ptr[i + 1] != 'x' &&
                s.ptr[i + 1] != 'X' && s.ptr[i + 1] != '*')
                break;
            i++;
        }
        if (i < s.len && (s.ptr[i] == 'x' || s.ptr[i] == 'X' || s.ptr[i] == '*')) {
            if (parts == 0)
                return 0;
            if (parts)
                cput(out, ".", 1);
            cput(out, "9999999", 7);
            i++;
            parts++;
            continue;
        }
        size_t k = i;
        while (k < s.len && bsn_v_isdigit((unsigned char)s.ptr[k]))
            k++;
        if (k == i)
            return 0;
        if (parts)
            cput(out, ".", 1);
        cput(out, s.ptr + i, k - i);
        i = k;
        parts++;
    }
    bool wild = out->n >= 7 && memcmp(out->p + out->n - 7, "9999999", 7) == 0;
    for (; parts < 4; parts++)
        cput(out, wild ? ".9999999" : ".0", wild ? 8 : 2);
    /* stability modifier */
    static const struct { const char *kw; const char *norm; } mods[] = {
        { "stable", "" },        { "alpha", "alpha" }, { "beta", "beta" }, { "patch", "patch" },
        { "rc", "RC" },          { "pl", "patch" },    { "a", "alpha" },   { "b", "beta" },
        { "p", "patch" },
    };
    size_t k = i;
    if (k < s.len && (s.ptr[k] == '.' || s.ptr[k] == '_' || s.ptr[k] == '-'))
        k++;
    for (size_t m = 0; m < sizeof mods / sizeof mods[0]; m++) {
        size_t n = ckw(s, k, mods[m].kw);
        if (!n)
            continue;
        size_t j = k + n, ds;
        if (j < s.len && (s.ptr[j] == '.' || s.ptr[j] == '-') && j + 1 < s.len &&
            bsn_v_isdigit((unsigned char)s.ptr[j + 1]))
            j++;
        ds = j;
        while (j < s.len && bsn_v_isdigit((unsigned char)s.ptr[j]))
            j++;
        /* the keyword must end here (not "alphabet") */
        if (j < s.len && bsn_v_isalpha((unsigned char)s.ptr[j]))
            continue;
        if (mods[m].norm[0]) {
            cput(out, "-", 1);
            cput(out, mods[m].norm, strlen(mods[m].norm));
            cput(out, s.ptr + ds, j - ds);
        }
        i = j;
        break;
    }
    k = i;
    if (k < s.len && (s.ptr[k] == '.' || s.ptr[k] == '-'))
        k++;
    if (ckw(s, k, "dev") && k + 3 == s.len) {
        cput(out, "-dev", 4);
        i = s.len;
    }
    return i == s.len ? 1 : 0;
}

/* PHP's php_canonicalize_version(). */
static void
php_canon(const char *s, size_t n, struct cbuf *out)
{
    out->n = 0;
    if (n == 0)
        return;
#define ISDIG(x) (bsn_v_isdigit(x) && (x) != '.')
#define ISNDIG(x) (!bsn_v_isdigit(x) && (x) != '.')
    int lp = (unsigned char)s[0];
    char dot = '.';
    cput(out, s, 1);
    for (size_t i = 1; i < n; i++) {
        int p = (unsigned char)s[i];
        bool last_dot = out->n && out->p[out->n - 1] == '.';
        if (p == '-' || p == '_' || p == '+') {
            if (!last_dot)
                cput(out, &dot, 1);
        } else if ((ISNDIG(lp) && ISDIG(p)) || (ISDIG(lp) && ISNDIG(p))) {
            if (!last_dot)
                cput(out, &dot, 1);
            cput(out, s + i, 1);
        } else if (!bsn_v_isalnum(p)) {
            if (!last_dot)
                cput(out, &dot, 1);
        } else {
            cput(out, s + i, 1);
        }
        lp = p;
    }
#undef ISDIG
#undef ISNDIG
}

static int
special_form(struct bsn_str f)
{
    static const struct { const char *name; int order; } forms[] = {
        { "dev", 0 }, { "alpha", 1 }, { "a", 1 }, { "beta", 2 }, { "b", 2 }, { "RC", 3 },
        { "rc", 3 },  { "#", 4 },     { "pl", 5 }, { "p", 5 },
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (bsn_str_starts(f, forms[i].name))
            return forms[i].order;
    return -1;
}

static bool
next_part(struct bsn_str *rest, struct bsn_str *part)
{
    if (rest->ptr == NULL)
        return false;
    ptrdiff_t d = bsn_str_chr(*rest, '.');
    if (d < 0) {
        *part = *rest;
        rest->ptr = NULL;
        rest->len = 0;
    } else {
        *part = bsn_str_make(rest->ptr, (size_t)d);
        rest->ptr += d + 1;
        rest->len -= (size_t)d + 1;
    }
    return true;
}

static int
part_cmp(struct bsn_str a, struct bsn_str b)
{
    bool da = a.len && bsn_v_isdigit((unsigned char)a.ptr[0]);
    bool db = b.len && bsn_v_isdigit((unsigned char)b.ptr[0]);
    if (da && db) {
        size_t na = 0, nb = 0;
        while (na < a.len && bsn_v_isdigit((unsigned char)a.ptr[na]))
            na++;
        while (nb < b.len && bsn_v_isdigit((unsigned char)b.ptr[nb]))
            nb++;
        return bsn_v_cmp_digits(a.ptr, na, b.ptr, nb);
    }
    int fa = da ? 4 : special_form(a), fb = db ? 4 : special_form(b);
    return bsn_v_sign(fa - fb);
}

/* PHP's version_compare() on two normalised versions. */
static int
php_compare(const struct cbuf *x, const struct cbuf *y)
{
    struct cbuf ca, cb;
    if (x->n == 0 || y->n == 0)
        return (x->n > 0) - (y->n > 0);
    php_canon(x->p, x->n, &ca);
    php_canon(y->p, y->n, &cb);
    struct bsn_str ra = bsn_str_make(ca.p, ca.n), rb = bsn_str_make(cb.p, cb.n), pa, pb;
    for (;;) {
        bool ha = next_part(&ra, &pa), hb = next_part(&rb, &pb);
        if (!ha && !hb)
            return 0;
        if (ha && hb) {
            int c = part_cmp(pa, pb);
            if (c)
                return c;
            continue;
        }
        /* one side has parts left: a number wins, a word ranks against "#" */
        struct bsn_str left = ha ? pa : pb;
        int c = (left.len && bsn_v_isdigit((unsigned char)left.ptr[0]))
                    ? 1
                    : bsn_v_sign(special_form(left) - 4);
        if (c == 0) {
            /* equal to "#": PHP continues with the next part against nothing */
            continue;
        }
        return ha ? c : -c;
    }
}

static bool
composer_valid(struct bsn_str v)
{
    struct cbuf b;
    return composer_normalize(v, &b) != 0;
}

static int
composer_compare(struct bsn_str a, struct bsn_str b)
{
    struct cbuf x, y;
    int ka = composer_normalize(a, &x), kb = composer_normalize(b, &y);
    if (ka == 1 && kb == 1)
        return php_compare(&x, &y);
    if (ka != kb) {
        static const int rank[3] = { 0, 2, 1 }; /* invalid < branch < numbered */
        return rank[ka] < rank[kb] ? -1 : 1;
    }
    return bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
}

const struct bsn_scheme bsn_scheme_composer = {
    .name = "composer",
    .valid = composer_valid,
    .compare = composer_compare,
    .satisfies = NULL,
};
