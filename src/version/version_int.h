/*
 * Helpers private to src/version/: digit-run comparison without overflow, character classes
 * that ignore the locale, and the comparator-list evaluator shared by the schemes whose
 * constraint syntax is a plain list of "OP VERSION" terms (cmp:, go:, gem:, nuget, composer).
 */
#ifndef BSN_VERSION_INT_H
#define BSN_VERSION_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "version/version.h"

static inline bool
bsn_v_isdigit(int c)
{
    return c >= '0' && c <= '9';
}

static inline bool
bsn_v_isalpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
bsn_v_isalnum(int c)
{
    return bsn_v_isdigit(c) || bsn_v_isalpha(c);
}

static inline int
bsn_v_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* True if c is a (non-NUL) member of set. */
static inline bool
bsn_v_in(int c, const char *set)
{
    for (; *set; set++)
        if (c == (unsigned char)*set)
            return true;
    return false;
}

static inline int
bsn_v_sign(long long x)
{
    return (x > 0) - (x < 0);
}

/*
 * Compares two runs of ASCII digits as unbounded non-negative integers (leading zeros
 * ignored): no overflow whatever their length. Empty runs count as 0.
 */
int bsn_v_cmp_digits(const char *a, size_t alen, const char *b, size_t blen);

/* Byte-wise comparison, a shorter prefix first (memcmp, then length). */
int bsn_v_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);

/* Byte-wise comparison after ASCII lowercasing, a shorter prefix first. */
int bsn_v_cmp_icase(const char *a, size_t alen, const char *b, size_t blen);

/* Comparison operators of the comparator-list syntaxes. */
enum bsn_v_op { BSN_VOP_EQ, BSN_VOP_NE, BSN_VOP_LT, BSN_VOP_LE, BSN_VOP_GT, BSN_VOP_GE };

/*
 * Reads an operator at the start of *cur ("<", "<=", ">", ">=", "=", "==", "!="), skipping
 * blanks before and after; none defaults to "=". Returns false on "!" alone or "=<"-style junk.
 */
bool bsn_v_read_op(struct bsn_str *cur, enum bsn_v_op *op);

/* Applies op to a comparison result c (<0, 0, >0). */
bool bsn_v_op_holds(enum bsn_v_op op, int c);

/*
 * Evaluates "OP V, OP V || OP V" with the scheme's compare: ',' (or whitespace between
 * complete terms) is AND, "||" is OR. Each version must satisfy s->valid. BSN_EFORMAT names
 * the expression on a malformed term.
 */
bsn_code bsn_v_cmp_list(const struct bsn_scheme *s, struct bsn_str v, struct bsn_str expr,
                        bool *out, struct bsn_err *err);

/* The node-semver engine behind the semver, npm and cargo schemes (version_semver.c). */
struct bsn_semver {
    unsigned long long major, minor, patch;
    struct bsn_str pre;   /* dot-separated identifiers, without the '-'; empty: none */
    struct bsn_str build; /* without the '+' */
};

/* Parses v; loose accepts node-semver's loose forms ("v", "=", spaces, leading zeros). */
bool bsn_semver_parse(struct bsn_str v, bool loose, struct bsn_semver *out);
/* Cargo's (the semver crate's) strict form: no "v", no spaces, numbers up to 2^64-1. */
bool bsn_semver_parse_cargo(struct bsn_str v, struct bsn_semver *out);
/* SemVer 2.0 precedence (build ignored); numeric prerelease identifiers compare exactly. */
int bsn_semver_cmp(const struct bsn_semver *a, const struct bsn_semver *b);
/* Prerelease lists "a.1" vs "a.2" by SemVer 2.0 rule 11 (empty: a release, sorts last). */
int bsn_semver_cmp_pre(struct bsn_str a, struct bsn_str b);
/* Total order over any strings: invalid versions before valid ones, invalid ones byte-wise. */
int bsn_semver_compare_str(struct bsn_str a, struct bsn_str b, bool loose);
/* node-semver's Range.test(); cargo selects the Cargo.toml requirement dialect. */
enum bsn_semver_dialect { BSN_SEMVER_NODE, BSN_SEMVER_NODE_LOOSE, BSN_SEMVER_CARGO };
bsn_code bsn_semver_satisfies(struct bsn_str v, struct bsn_str range,
                              enum bsn_semver_dialect dialect, bool *out, struct bsn_err *err);

#endif
