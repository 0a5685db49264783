/*
 * Semantic Versioning 2.0.0 (https://semver.org), as npm's node-semver implements it, and the
 * range engine behind the semver, npm and cargo schemes.
 *
 * Versions: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], an optional leading "v", surrounding
 * whitespace trimmed, at most 256 characters, numbers without leading zeros and at most
 * 2^53-1 (node-semver's MAX_SAFE_INTEGER). Precedence: numbers, then a version with a
 * prerelease sorts before the same version without; prerelease identifiers compare
 * pairwise, numeric ones as numbers and below alphanumeric ones, alphanumeric ones
 * byte-wise, a shorter list first. Build metadata is ignored.
 * Loose mode (node-semver {loose: true}, used by the npm scheme) also accepts any run of "v",
 * "=" and spaces before the version, leading zeros, and a prerelease without its '-'
 * ("1.2.3beta").
 *
 * Intended difference: node-semver converts numeric prerelease identifiers to JavaScript
 * numbers, so two identifiers beyond 2^53 that differ only past the 16th digit compare equal
 * there; here they compare exactly (test_version_semver checks this).
 *
 * Ranges (node-semver's Range, non-loose unless BSN_SEMVER_NODE_LOOSE): sets joined by "||";
 * within a set, space-separated comparators, all of which must hold: "<", "<=", ">", ">=",
 * "=" or none before a version whose trailing parts may be "x", "X" or "*" (X-ranges),
 * "~" / "~>" (tilde), "^" (caret), "A - B" (hyphen ranges), "*" or "" (anything). They are
 * desugared exactly as node-semver 7 does (e.g. "^1.2.3" is ">=1.2.3 <2.0.0-0", "<=1.2" is
 * "<1.3.0-0"). A version with a prerelease satisfies a set only if some comparator of that
 * set carries a prerelease on the same MAJOR.MINOR.PATCH (node's includePrerelease off).
 * node-semver's quirks are kept, since the npm advisories were written against it: in loose
 * mode comparators it cannot parse are dropped (a range left with none is an error), a
 * ">=0.0.0" is "*", an X-range with a number after a wildcard ("1.x.1") is not a comparator,
 * a "*"-like token in the middle of a set vanishes, and a "*" set among several makes the
 * whole range "*" (which no prerelease satisfies). Strict mode (the semver scheme) refuses
 * any comparator it cannot parse.
 *
 * Cargo requirements (BSN_SEMVER_CARGO, the semver crate): comparators separated by ',',
 * a bare version means "^", "=1.2" means "1.2.*", wildcards "1.*" and "*"; the prerelease
 * rule is the same as node's.
 */
#include <string.h>

#include "version/version_int.h"

#define SEMVER_MAX_LENGTH 256
#define SEMVER_MAX_SAFE 9007199254740991ULL /* 2^53 - 1 */

static bool
is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
is_ident(int c)
{
    return bsn_v_isalnum(c) || c == '-';
}

/* A decimal number: strict forbids leading zeros. */
static bool
read_num_max(struct bsn_str *cur, bool loose, unsigned long long max, unsigned long long *out)
{
    size_t n = 0;
    unsigned long long v = 0;
    while (n < cur->len && bsn_v_isdigit((unsigned char)cur->ptr[n])) {
        unsigned d = (unsigned)(cur->ptr[n] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
        n++;
    }
    if (n == 0)
        return false;
    if (!loose && n > 1 && cur->ptr[0] == '0')
        return false;
    *out = v;
    cur->ptr += n;
    cur->len -= n;
    return true;
}

/* node-semver's numbers: at most 2^53-1 */
static bool
read_num(struct bsn_str *cur, bool loose, unsigned long long *out)
{
    return read_num_max(cur, loose, SEMVER_MAX_SAFE, out);
}

/* Dot-separated identifiers (prerelease or build) at the start of *cur. */
static bool
read_idents(struct bsn_str *cur, bool pre, bool loose, struct bsn_str *out)
{
    const char *start = cur->ptr;
    size_t i = 0;
    for (;;) {
        size_t s = i;
        bool digits_only = true;
        while (i < cur->len && is_ident((unsigned char)cur->ptr[i])) {
            digits_only = digits_only && bsn_v_isdigit((unsigned char)cur->ptr[i]);
            i++;
        }
        if (i == s)
            return false;
        if (pre && !loose && digits_only && i - s > 1 && cur->ptr[s] == '0')
            return false;
        if (i < cur->len && cur->ptr[i] == '.') {
            i++;
            continue;
        }
        break;
    }
    *out = bsn_str_make(start, i);
    cur->ptr += i;
    cur->len -= i;
    return true;
}

/* The part after MAJOR.MINOR.PATCH: ["-"]PRERELEASE (the '-' optional when loose), "+"BUILD,
 * then the end. */
static bool
parse_tail(struct bsn_str cur, bool loose, struct bsn_semver *r)
{
    r->pre = bsn_str_make(cur.ptr, 0);
    r->build = bsn_str_make(cur.ptr, 0);
    if (cur.len && cur.ptr[0] == '-') {
        struct bsn_str after = bsn_str_make(cur.ptr + 1, cur.len - 1);
        if (read_idents(&after, true, loose, &r->pre) &&
            (after.len == 0 || after.ptr[0] == '+' || !loose)) {
            cur = after;
        } else if (loose) {
            /* node's "-?" then an identifier that may itself be "-" ("1.2.3-" is valid) */
            if (!read_idents(&cur, true, loose, &r->pre))
                return false;
        } else {
            return false;
        }
    } else if (loose && cur.len && is_ident((unsigned char)cur.ptr[0])) {
        if (!read_idents(&cur, true, loose, &r->pre))
            return false;
    }
    if (cur.len && cur.ptr[0] == '+') {
        cur.ptr++;
        cur.len--;
        if (!read_idents(&cur, false, loose, &r->build))
            return false;
    }
    return cur.len == 0;
}

bool
bsn_semver_parse_cargo(struct bsn_str v, struct bsn_semver *out)
{
    struct bsn_str cur = v;
    struct bsn_semver r;
    memset(&r, 0, sizeof r);
    if (v.len > 1024 || !read_num_max(&cur, false, ~0ULL, &r.major) || bsn_sp_char(&cur, '.') ||
        !read_num_max(&cur, false, ~0ULL, &r.minor) || bsn_sp_char(&cur, '.') ||
        !read_num_max(&cur, false, ~0ULL, &r.patch) || !parse_tail(cur, false, &r))
        return false;
    *out = r;
    return true;
}

bool
bsn_semver_parse(struct bsn_str v, bool loose, struct bsn_semver *out)
{
    if (v.len > SEMVER_MAX_LENGTH)
        return false;
    struct bsn_str cur = bsn_str_trim(v);
    struct bsn_semver r;
    memset(&r, 0, sizeof r);
    if (loose) {
        while (cur.len && (cur.ptr[0] == 'v' || cur.ptr[0] == '=' || is_ws(cur.ptr[0]))) {
            cur.ptr++;
            cur.len--;
        }
    } else if (cur.len && cur.ptr[0] == 'v') {
        cur.ptr++;
        cur.len--;
    }
    if (!read_num(&cur, loose, &r.major) || bsn_sp_char(&cur, '.') ||
        !read_num(&cur, loose, &r.minor) || bsn_sp_char(&cur, '.'))
        return false;
    if (!loose) {
        if (!read_num(&cur, false, &r.patch) || !parse_tail(cur, false, &r))
            return false;
        *out = r;
        return true;
    }
    /*
     * Loose: node's regex backtracks into the patch digits when the rest does not parse, so
     * "1.3.11.10" is 1.3.1 with prerelease "1.10". Take the longest patch that leaves a
     * parsable tail, then check its value (node checks it after matching).
     */
    size_t n = 0;
    while (n < cur.len && bsn_v_isdigit((unsigned char)cur.ptr[n]))
        n++;
    for (size_t k = n; k > 0; k--) {
        if (!parse_tail(bsn_str_make(cur.ptr + k, cur.len - k), true, &r))
            continue;
        struct bsn_str num = bsn_str_make(cur.ptr, k);
        if (!read_num(&num, true, &r.patch) || num.len != 0)
            return false;
        *out = r;
        return true;
    }
    return false;
}

static bool
all_digits(struct bsn_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!bsn_v_isdigit((unsigned char)s.ptr[i]))
            return false;
    return s.len > 0;
}

static int
cmp_u64(unsigned long long a, unsigned long long b)
{
    return (a > b) - (a < b);
}

int
bsn_semver_cmp_pre(struct bsn_str a, struct bsn_str b)
{
    if (a.len == 0 || b.len == 0)
        return a.len ? -1 : b.len ? 1 : 0;
    struct bsn_str ra = a, rb = b;
    for (;;) {
        struct bsn_str ia, ib;
        bool ha = ra.len > 0, hb = rb.len > 0;
        if (!ha || !hb)
            return ha ? 1 : hb ? -1 : 0;
        if (!bsn_str_split(ra, '.', &ia, &ra)) {
            ia = ra;
            ra = bsn_str_make(ra.ptr + ra.len, 0);
        }
        if (!bsn_str_split(rb, '.', &ib, &rb)) {
            ib = rb;
            rb = bsn_str_make(rb.ptr + rb.len, 0);
        }
        bool na = all_digits(ia), nb = all_digits(ib);
        int c;
        if (na && nb)
            c = bsn_v_cmp_digits(ia.ptr, ia.len, ib.ptr, ib.len);
        else if (na != nb)
            c = na ? -1 : 1;
        else
            c = bsn_v_cmp_bytes(ia.ptr, ia.len, ib.ptr, ib.len);
        if (c)
            return c;
    }
}

int
bsn_semver_cmp(const struct bsn_semver *a, const struct bsn_semver *b)
{
    int c = cmp_u64(a->major, b->major);
    if (!c)
        c = cmp_u64(a->minor, b->minor);
    if (!c)
        c = cmp_u64(a->patch, b->patch);
    if (!c)
        c = bsn_semver_cmp_pre(a->pre, b->pre);
    return c;
}

int
bsn_semver_compare_str(struct bsn_str a, struct bsn_str b, bool loose)
{
    struct bsn_semver va, vb;
    bool oka = bsn_semver_parse(a, loose, &va), okb = bsn_semver_parse(b, loose, &vb);
    if (oka && okb)
        return bsn_semver_cmp(&va, &vb);
    if (oka != okb)
        return oka ? 1 : -1;
    return bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
}

/* ---- ranges ---- */

enum cop { COP_ANY, COP_EQ, COP_LT, COP_LE, COP_GT, COP_GE, COP_NONE };

struct comparator {
    enum cop op;
    struct bsn_semver v;
};

/* One evaluated set: every comparator held, and one with a prerelease on v's tuple. */
struct set_state {
    const struct bsn_semver *v;
    bool all;
    bool pre_ok;
    int n, n_any; /* comparators fed, of which "*" */
    int n_gte0;   /* ">=0.0.0" comparators, which node turns into "*" */
};

static void
feed(struct set_state *st, const struct comparator *c)
{
    st->n++;
    if (c->op == COP_ANY) {
        st->n_any++;
        return;
    }
    int r = bsn_semver_cmp(st->v, &c->v);
    bool ok;
    switch (c->op) {
    case COP_EQ: ok = r == 0; break;
    case COP_LT: ok = r < 0; break;
    case COP_LE: ok = r <= 0; break;
    case COP_GT: ok = r > 0; break;
    case COP_GE: ok = r >= 0; break;
    default: ok = false; break;
    }
    if (!ok)
        st->all = false;
    if (c->v.pre.len && c->v.major == st->v->major && c->v.minor == st->v->minor &&
        c->v.patch == st->v->patch)
        st->pre_ok = true;
}

static void
emit(struct set_state *st, enum cop op, unsigned long long M, unsigned long long m,
     unsigned long long p, struct bsn_str pre)
{
    struct comparator c;
    memset(&c, 0, sizeof c);
    if (op == COP_GE && M == 0 && m == 0 && p == 0 && pre.len == 0) {
        op = COP_ANY; /* node's replaceGTE0 */
        st->n_gte0++;
    }
    c.op = op;
    c.v.major = M;
    c.v.minor = m;
    c.v.patch = p;
    c.v.pre = pre;
    feed(st, &c);
}

/* An X-range version: parts may be x, X, * or absent (nparts counts the numeric ones). */
struct xver {
    unsigned long long part[3];
    int nparts; /* 0..3 leading numeric parts; the rest are wildcards */
    struct bsn_str pre;
    bool order_ok; /* no number after a wildcard ("1.x.1" is not an X-range) */
};

static bool
is_x(struct bsn_str *cur)
{
    if (cur->len && (cur->ptr[0] == 'x' || cur->ptr[0] == 'X' || cur->ptr[0] == '*')) {
        cur->ptr++;
        cur->len--;
        return true;
    }
    return false;
}

static bool
parse_xver(struct bsn_str s, bool loose, bool cargo, struct xver *out)
{
    struct bsn_str cur = s;
    memset(out, 0, sizeof *out);
    if (!cargo)
        while (cur.len && (cur.ptr[0] == 'v' || cur.ptr[0] == '=' || is_ws(cur.ptr[0]))) {
            cur.ptr++;
            cur.len--;
        }
    bool wild = false;
    int nread = 0;
    out->order_ok = true;
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (cur.len == 0 || cur.ptr[0] != '.')
                break;
            cur.ptr++;
            cur.len--;
        }
        nread++;
        if (is_x(&cur)) {
            wild = true;
            continue;
        }
        unsigned long long n;
        if (!read_num_max(&cur, loose, cargo ? ~0ULL : SEMVER_MAX_SAFE, &n))
            return false;
        if (wild)
            out->order_ok = false;
        else {
            out->part[i] = n;
            out->nparts = i + 1;
        }
    }
    out->pre = bsn_str_make(cur.ptr, 0);
    if (cur.len && (cur.ptr[0] == '-' || (loose && is_ident((unsigned char)cur.ptr[0])))) {
        /* a prerelease only after three parts, as in node's XRANGEPLAIN */
        if (nread < 3)
            return false;
        struct bsn_str p;
        if (cur.ptr[0] == '-') {
            cur.ptr++;
            cur.len--;
        }
        if (!read_idents(&cur, true, loose, &p))
            return false;
        if (!wild)
            out->pre = p;
    }
    if (cur.len && cur.ptr[0] == '+') {
        struct bsn_str b;
        cur.ptr++;
        cur.len--;
        if (!read_idents(&cur, false, loose, &b))
            return false;
    }
    return cur.len == 0;
}

static const struct bsn_str ZERO_PRE = { "0", 1 };
static const struct bsn_str NO_PRE = { "", 0 };

static void
emit_x(struct set_state *st, enum cop op, const struct xver *x)
{
    emit(st, op, x->part[0], x->part[1], x->part[2], x->pre);
}

/* Desugars one comparator token (operator already split off) and feeds it. */
static void
apply(struct set_state *st, const char *op, const struct xver *x, bool cargo)
{
    unsigned long long M = x->part[0], m = x->part[1], p = x->part[2];
    int n = x->nparts;
    if (strcmp(op, "^") == 0 || (cargo && op[0] == 0)) {
        if (n == 0)
            emit(st, COP_ANY, 0, 0, 0, NO_PRE);
        else if (n == 1) {
            emit(st, COP_GE, M, 0, 0, NO_PRE);
            emit(st, COP_LT, M + 1, 0, 0, ZERO_PRE);
        } else if (n == 2) {
            emit(st, COP_GE, M, m, 0, NO_PRE);
            if (M == 0)
                emit(st, COP_LT, 0, m + 1, 0, ZERO_PRE);
            else
                emit(st, COP_LT, M + 1, 0, 0, ZERO_PRE);
        } else {
            emit_x(st, COP_GE, x);
            if (M == 0 && m == 0)
                emit(st, COP_LT, 0, 0, p + 1, ZERO_PRE);
            else if (M == 0)
                emit(st, COP_LT, 0, m + 1, 0, ZERO_PRE);
            else
                emit(st, COP_LT, M + 1, 0, 0, ZERO_PRE);
        }
        return;
    }
    if (op[0] == '~') {
        if (n == 0)
            emit(st, COP_ANY, 0, 0, 0, NO_PRE);
        else if (n == 1) {
            emit(st, COP_GE, M, 0, 0, NO_PRE);
            emit(st, COP_LT, M + 1, 0, 0, ZERO_PRE);
        } else {
            if (n == 2)
                emit(st, COP_GE, M, m, 0, NO_PRE);
            else
                emit_x(st, COP_GE, x);
            emit(st, COP_LT, M, m + 1, 0, ZERO_PRE);
        }
        return;
    }
    /* X-ranges and plain comparators */
    enum cop c = COP_EQ;
    if (strcmp(op, "<") == 0)
        c = COP_LT;
    else if (strcmp(op, "<=") == 0)
        c = COP_LE;
    else if (strcmp(op, ">") == 0)
        c = COP_GT;
    else if (strcmp(op, ">=") == 0)
        c = COP_GE;
    if (n == 3) {
        emit_x(st, c, x);
        return;
    }
    if (n == 0) {
        if (c == COP_LT || c == COP_GT)
            emit(st, COP_LT, 0, 0, 0, ZERO_PRE); /* matches nothing */
        else
            emit(st, COP_ANY, 0, 0, 0, NO_PRE);
        return;
    }
    if (n == 1)
        m = 0;
    p = 0;
    if (c == COP_EQ) {
        emit(st, COP_GE, M, m, 0, NO_PRE);
        if (n == 1)
            emit(st, COP_LT, M + 1, 0, 0, ZERO_PRE);
        else
            emit(st, COP_LT, M, m + 1, 0, ZERO_PRE);
        return;
    }
    if (c == COP_GT) {
        c = COP_GE;
        if (n == 1) {
            M++;
            m = 0;
        } else {
            m++;
        }
    } else if (c == COP_LE) {
        c = COP_LT;
        if (n == 1)
            M++;
        else
            m++;
    }
    emit(st, c, M, m, p, c == COP_LT ? ZERO_PRE : NO_PRE);
}

/* Splits an operator off the front of tok. */
static struct bsn_str
split_op(struct bsn_str tok, char op[3], bool cargo)
{
    static const char *const ops[] = { "<=", ">=", "~>", "<", ">", "=", "~", "^" };
    op[0] = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (bsn_str_starts(tok, ops[i])) {
            if (cargo && strcmp(ops[i], "~>") == 0)
                continue;
            size_t n = strlen(ops[i]);
            memcpy(op, ops[i], n);
            op[n] = 0;
            tok.ptr += n;
            tok.len -= n;
            break;
        }
    }
    if (op[0] == '~' && op[1] == '>')
        op[1] = 0; /* "~>" is "~" in node-semver */
    return bsn_str_trim(tok);
}

static bool
is_op_only(struct bsn_str t)
{
    static const char *const ops[] = { "<", "<=", ">", ">=", "=", "~", "~>", "^" };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (bsn_str_eq_cstr(t, ops[i]))
            return true;
    return false;
}

/* Next whitespace-separated token of *cur, or false at the end. */
static bool
next_word(struct bsn_str *cur, struct bsn_str *out)
{
    while (cur->len && is_ws((unsigned char)cur->ptr[0])) {
        cur->ptr++;
        cur->len--;
    }
    if (cur->len == 0)
        return false;
    size_t n = 0;
    while (n < cur->len && !is_ws((unsigned char)cur->ptr[n]))
        n++;
    *out = bsn_str_make(cur->ptr, n);
    cur->ptr += n;
    cur->len -= n;
    return true;
}

static bsn_code
bad_range(struct bsn_err *err, struct bsn_str range, struct bsn_str tok)
{
    return bsn_err_set(err, BSN_EFORMAT, "invalid comparator '%.*s' in range '%.*s'",
                       BSN_STR_ARG(tok), BSN_STR_ARG(range));
}

/* One comparator token "OPVERSION" (operator and version possibly joined already); false if
 * it is not a comparator node-semver (or cargo) would accept. */
static bool
eval_token(struct set_state *st, struct bsn_str tok, bool loose, bool cargo)
{
    char op[3];
    struct bsn_str ver = split_op(tok, op, cargo);
    struct xver x;
    if (!parse_xver(ver, loose, cargo, &x))
        return false;
    if (cargo) {
        /* cargo: "=1.2" is "1.2.*"; "1.*" wildcards are plain X-ranges; bare is caret */
        bool wild = false;
        for (size_t i = 0; i < ver.len; i++)
            wild = wild || ver.ptr[i] == '*' || ver.ptr[i] == 'x' || ver.ptr[i] == 'X';
        if (!x.order_ok)
            return false;
        if (op[0] == 0 && wild)
            apply(st, "=", &x, false);
        else if (op[0] == '=')
            apply(st, "", &x, false);
        else
            apply(st, op, &x, true);
        return true;
    }
    /* node keeps "1.x.1"-style X-ranges unchanged, and then cannot parse them; caret and
     * tilde read them as "1.x" */
    if (!x.order_ok && op[0] != '^' && op[0] != '~')
        return false;
    apply(st, op, &x, false);
    return true;
}

/* Evaluates one "||"-free set. */
static bsn_code
eval_set(const struct bsn_semver *v, struct bsn_str set, enum bsn_semver_dialect d,
         struct bsn_str range, bool *out, int *kept, bool *all_any, struct bsn_err *err)
{
    *kept = 0;
    *all_any = false;
    bool loose = d == BSN_SEMVER_NODE_LOOSE, cargo = d == BSN_SEMVER_CARGO;
    struct set_state st = { v, true, false, 0, 0, 0 };
    set = bsn_str_trim(set);
    if (cargo) {
        struct bsn_str rest = set, part;
        if (set.len == 0)
            return bsn_err_set(err, BSN_EFORMAT, "empty requirement '%.*s'",
                               BSN_STR_ARG(range));
        for (;;) {
            bool more = bsn_str_split(rest, ',', &part, &rest);
            if (!more)
                part = rest;
            part = bsn_str_trim(part);
            if (part.len == 0)
                return bad_range(err, range, part);
            /* cargo allows spaces between operator and version ("> 1.2"), not inside it */
            char op[3];
            struct bsn_str ver = split_op(part, op, true);
            for (size_t i = 0; i < ver.len; i++)
                if (is_ws((unsigned char)ver.ptr[i]))
                    return bad_range(err, range, part);
            if (!eval_token(&st, part, false, true))
                return bad_range(err, range, part);
            if (!more)
                break;
        }
    } else {
        /* hyphen range: exactly "A - B" */
        struct bsn_str cur = set, w1, w2, w3, w4;
        struct xver a, b;
        if (next_word(&cur, &w1) && next_word(&cur, &w2) && bsn_str_eq_cstr(w2, "-") &&
            next_word(&cur, &w3) && !next_word(&cur, &w4) && parse_xver(w1, loose, false, &a) &&
            parse_xver(w3, loose, false, &b)) {
            if (a.nparts == 0)
                ;
            else if (a.nparts < 3)
                emit(&st, COP_GE, a.part[0], a.nparts > 1 ? a.part[1] : 0, 0, NO_PRE);
            else
                emit_x(&st, COP_GE, &a);
            if (b.nparts == 0)
                ;
            else if (b.nparts == 1)
                emit(&st, COP_LT, b.part[0] + 1, 0, 0, ZERO_PRE);
            else if (b.nparts == 2)
                emit(&st, COP_LT, b.part[0], b.part[1] + 1, 0, ZERO_PRE);
            else
                emit_x(&st, COP_LE, &b);
            if (st.n == 0)
                emit(&st, COP_ANY, 0, 0, 0, NO_PRE);
            *kept = 1;
        } else {
            cur = set;
            struct bsn_str w;
            /*
             * node joins the desugared tokens with spaces and splits again on runs of
             * spaces, so a token that desugars to "" ("*", "^x", ">=x") survives as "*" only
             * at either end; in the middle it vanishes.
             */
            int idx = 0, counted = 0;
            bool prev_star = false;
            while (next_word(&cur, &w)) {
                if (is_op_only(w)) {
                    /* "> 1.2.3": the operator and its version are one comparator */
                    struct bsn_str v2;
                    if (next_word(&cur, &v2))
                        w = bsn_str_make(w.ptr, (size_t)(v2.ptr + v2.len - w.ptr));
                }
                if (prev_star && idx > 1) {
                    /* the previous token was a "" in the middle: it vanishes */
                    st.n--;
                    st.n_any--;
                    counted--;
                }
                int n0 = st.n, a0 = st.n_any, g0 = st.n_gte0;
                bool ok = eval_token(&st, w, loose, false);
                if (!ok && !loose)
                    return bad_range(err, range, w);
                /* loose: node drops comparators it cannot parse */
                prev_star = ok && st.n - n0 == 1 && st.n_any - a0 == 1 && st.n_gte0 == g0;
                if (ok)
                    counted++;
                idx++;
            }
            *kept = counted;
            if (set.len == 0) {
                emit(&st, COP_ANY, 0, 0, 0, NO_PRE); /* "" is "*" */
                *kept = 1;
            }
        }
    }
    *all_any = st.n > 0 && st.n == st.n_any;
    if (!st.all)
        *out = false;
    else if (v->pre.len)
        *out = st.pre_ok;
    else
        *out = true;
    return BSN_OK;
}

bsn_code
bsn_semver_satisfies(struct bsn_str v, struct bsn_str range, enum bsn_semver_dialect d,
                     bool *out, struct bsn_err *err)
{
    struct bsn_semver ver;
    bool loose = d == BSN_SEMVER_NODE_LOOSE;
    if (d == BSN_SEMVER_CARGO ? !bsn_semver_parse_cargo(v, &ver) : !bsn_semver_parse(v, loose, &ver))
        return bsn_err_set(err, BSN_EFORMAT, "invalid version '%.*s'", BSN_STR_ARG(v));
    if (range.len > 4096)
        return bsn_err_set(err, BSN_ELIMIT, "range longer than 4096 bytes");
    bool any = false;
    struct bsn_str rest = bsn_str_trim(range);
    int kept = 0, sets = 0;
    bool all_any = false, some_any = false;
    if (d == BSN_SEMVER_CARGO) {
        BSN_TRY(eval_set(&ver, rest, d, range, &any, &kept, &all_any, err));
        *out = any;
        return BSN_OK;
    }
    for (;;) {
        /* split at the next "||" */
        size_t k = 0;
        while (k + 1 < rest.len && !(rest.ptr[k] == '|' && rest.ptr[k + 1] == '|'))
            k++;
        bool more = k + 1 < rest.len;
        struct bsn_str set = more ? bsn_str_make(rest.ptr, k) : rest;
        bool in = false;
        BSN_TRY(eval_set(&ver, set, d, range, &in, &kept, &all_any, err));
        if (kept) {
            sets++;
            any = any || in;
            some_any = some_any || all_any;
        }
        if (!more)
            break;
        rest = bsn_str_make(rest.ptr + k + 2, rest.len - k - 2);
    }
    if (sets == 0)
        return bsn_err_set(err, BSN_EFORMAT, "invalid range '%.*s'", BSN_STR_ARG(range));
    /* node: a range with a "*" set among several is just "*" (no prereleases match it) */
    if (sets > 1 && some_any)
        any = ver.pre.len == 0;
    *out = any;
    return BSN_OK;
}

static bool
semver_valid(struct bsn_str v)
{
    struct bsn_semver s;
    return bsn_semver_parse(v, false, &s);
}

static int
semver_compare(struct bsn_str a, struct bsn_str b)
{
    return bsn_semver_compare_str(a, b, false);
}

static bsn_code
semver_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    return bsn_semver_satisfies(v, expr, BSN_SEMVER_NODE, out, err);
}

const struct bsn_scheme bsn_scheme_semver = {
    .name = "semver",
    .valid = semver_valid,
    .compare = semver_compare,
    .satisfies = semver_satisfies,
};
