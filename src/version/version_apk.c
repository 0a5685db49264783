/*
 * Alpine apk-tools versions (apk-tools 3, src/version.c semantics):
 *     digit{.digit}...{letter}{_suffix{number}}...{~hash}{-rN}
 * e.g. "1.2.3", "1.0b", "2.1_rc2_p1", "0.1_pre2~1234abcd", "3.4.1-r3".
 *
 * Tokens compare in order while both versions have a token of the same kind: numbers as
 * numbers, except that a dotted number with a leading zero on either side compares as a
 * string ("1.01" < "1.1", Gentoo's rule); a letter by its byte; suffixes by rank
 * _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p; commit hashes as
 * strings. When the kinds differ, a pre-release suffix (_alpha.._rc) makes its side older,
 * else the side whose next token kind ranks lower is newer (more digits beat a letter,
 * a letter beats a suffix, ... the end is oldest), so "1.0" < "1.0.1" < "1.0.1_p1" and
 * "1.0_rc1" < "1.0".
 *
 * Numbers are compared exactly at any length; apk-tools reads them into 64 bits, which only
 * matters for runs beyond 19 digits. Invalid versions still order: comparison stops at the
 * first invalid token, as apk's does.
 */
#include "version/version_int.h"

enum apk_tok {
    APK_INITIAL_DIGIT,
    APK_DIGIT,
    APK_LETTER,
    APK_SUFFIX,
    APK_SUFFIX_NO,
    APK_COMMIT_HASH,
    APK_REVISION_NO,
    APK_END,
    APK_INVALID,
};

/* Suffix ranks; APK_SUF_NONE is the release itself. */
enum { APK_SUF_INVALID, APK_SUF_ALPHA, APK_SUF_BETA, APK_SUF_PRE, APK_SUF_RC, APK_SUF_NONE,
       APK_SUF_CVS, APK_SUF_SVN, APK_SUF_GIT, APK_SUF_HG, APK_SUF_P };

struct apk_state {
    enum apk_tok tok;
    int suffix;
    struct bsn_str value; /* the token's characters (digits, letter, suffix name, hash) */
    struct bsn_str rest;
};

static int
apk_suffix(struct bsn_str s)
{
    static const struct { const char *name; int rank; } tab[] = {
        { "alpha", APK_SUF_ALPHA }, { "beta", APK_SUF_BETA }, { "pre", APK_SUF_PRE },
        { "rc", APK_SUF_RC },       { "cvs", APK_SUF_CVS },   { "svn", APK_SUF_SVN },
        { "git", APK_SUF_GIT },     { "hg", APK_SUF_HG },     { "p", APK_SUF_P },
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (bsn_str_eq_cstr(s, tab[i].name))
            return tab[i].rank;
    return APK_SUF_INVALID;
}

static void
apk_digits(struct apk_state *t)
{
    size_t n = 0;
    while (n < t->rest.len && bsn_v_isdigit((unsigned char)t->rest.ptr[n]))
        n++;
    t->value = bsn_str_make(t->rest.ptr, n);
    t->rest.ptr += n;
    t->rest.len -= n;
    if (n == 0)
        t->tok = APK_INVALID;
}

static void
apk_first(struct apk_state *t, struct bsn_str v)
{
    t->rest = v;
    t->tok = APK_INITIAL_DIGIT;
    t->suffix = APK_SUF_INVALID;
    apk_digits(t);
}

static void
apk_next(struct apk_state *t)
{
    if (t->rest.len == 0) {
        t->tok = APK_END;
        return;
    }
    int c = (unsigned char)t->rest.ptr[0];
    if (c >= 'a' && c <= 'z') {
        if (t->tok > APK_DIGIT)
            goto invalid;
        t->value = bsn_str_make(t->rest.ptr, 1);
        t->tok = APK_LETTER;
        t->rest.ptr++;
        t->rest.len--;
        return;
    }
    if (c == '.' || bsn_v_isdigit(c)) {
        if (c == '.') {
            if (t->tok > APK_DIGIT)
                goto invalid;
            t->rest.ptr++;
            t->rest.len--;
        }
        if (t->tok == APK_INITIAL_DIGIT || t->tok == APK_DIGIT)
            t->tok = APK_DIGIT;
        else if (t->tok == APK_SUFFIX)
            t->tok = APK_SUFFIX_NO;
        else
            goto invalid;
        apk_digits(t);
        return;
    }
    if (c == '_') {
        if (t->tok > APK_SUFFIX_NO)
            goto invalid;
        size_t n = 1;
        while (n < t->rest.len && t->rest.ptr[n] >= 'a' && t->rest.ptr[n] <= 'z')
            n++;
        t->value = bsn_str_make(t->rest.ptr + 1, n - 1);
        t->rest.ptr += n;
        t->rest.len -= n;
        t->suffix = apk_suffix(t->value);
        if (t->suffix == APK_SUF_INVALID)
            goto invalid;
        t->tok = APK_SUFFIX;
        return;
    }
    if (c == '~') {
        if (t->tok >= APK_COMMIT_HASH)
            goto invalid;
        size_t n = 1;
        while (n < t->rest.len && (bsn_v_isdigit((unsigned char)t->rest.ptr[n]) ||
                                   (t->rest.ptr[n] >= 'a' && t->rest.ptr[n] <= 'f')))
            n++;
        t->value = bsn_str_make(t->rest.ptr + 1, n - 1);
        t->rest.ptr += n;
        t->rest.len -= n;
        if (t->value.len == 0)
            goto invalid;
        t->tok = APK_COMMIT_HASH;
        return;
    }
    if (c == '-') {
        if (t->tok >= APK_REVISION_NO || t->rest.len < 2 || t->rest.ptr[1] != 'r')
            goto invalid;
        t->rest.ptr += 2;
        t->rest.len -= 2;
        t->tok = APK_REVISION_NO;
        apk_digits(t);
        return;
    }
invalid:
    t->tok = APK_INVALID;
}

static int
apk_token_cmp(const struct apk_state *a, const struct apk_state *b)
{
    switch (a->tok) {
    case APK_DIGIT:
        if (a->value.ptr[0] == '0' || b->value.ptr[0] == '0')
            break; /* leading zero: string comparison */
        return bsn_v_cmp_digits(a->value.ptr, a->value.len, b->value.ptr, b->value.len);
    case APK_INITIAL_DIGIT:
    case APK_SUFFIX_NO:
    case APK_REVISION_NO:
        return bsn_v_cmp_digits(a->value.ptr, a->value.len, b->value.ptr, b->value.len);
    case APK_LETTER:
        return bsn_v_sign((unsigned char)a->value.ptr[0] - (unsigned char)b->value.ptr[0]);
    case APK_SUFFIX:
        return bsn_v_sign(a->suffix - b->suffix);
    default:
        break;
    }
    return bsn_v_cmp_bytes(a->value.ptr, a->value.len, b->value.ptr, b->value.len);
}

static int
apk_compare(struct bsn_str a, struct bsn_str b)
{
    struct apk_state ta, tb;
    for (apk_first(&ta, a), apk_first(&tb, b); ta.tok == tb.tok && ta.tok < APK_END;
         apk_next(&ta), apk_next(&tb)) {
        int c = apk_token_cmp(&ta, &tb);
        if (c)
            return c;
    }
    if (ta.tok == tb.tok)
        return 0;
    if (ta.tok == APK_SUFFIX && ta.suffix < APK_SUF_NONE)
        return -1;
    if (tb.tok == APK_SUFFIX && tb.suffix < APK_SUF_NONE)
        return 1;
    return ta.tok > tb.tok ? -1 : 1;
}

static bool
apk_valid(struct bsn_str v)
{
    struct apk_state t;
    for (apk_first(&t, v); t.tok < APK_END; apk_next(&t))
        ;
    return t.tok == APK_END;
}

const struct bsn_scheme bsn_scheme_apk = {
    .name = "apk",
    .valid = apk_valid,
    .compare = apk_compare,
    .satisfies = NULL,
};
