/*
 * Maven versions: org.apache.maven.artifact.versioning.ComparableVersion (maven-artifact 4,
 * https://maven.apache.org/pom.html#version-order-specification).
 *
 * The version is lowercased and split into items at '.', '-' and digit/letter transitions:
 * numbers (any length, leading zeros ignored), qualifiers, "combinations" (a qualifier glued
 * to a number, "rc1" or "rc-1"), and a nested list after each '-' and before a qualifier that
 * follows a number ("1.0alpha1" is [1, 0, [alpha1]]). Each list drops its null items (0, "",
 * "ga", "final", "release") where they precede a qualifier or end it, so "1.0.0" == "1" and
 * "1-ga" == "1". Qualifier order: alpha (a1) < beta (b1) < milestone (m1) < rc (cr) <
 * snapshot < "" (ga, final, release) < sp < any other qualifier (lexically, after Java's
 * String.compareTo on UTF-16 code units). Numbers beat qualifiers and lists; lists compare
 * item by item with absent items compared against null.
 *
 * No allocation: the item tree of each version is built in a fixed array on the stack.
 * Maven rejects versions over 256 characters; here such a version is invalid, and compares
 * by its first 256 bytes, then byte-wise, which keeps the order total.
 *
 * Intended differences, both for non-ASCII text only: lowercasing covers ASCII, Latin-1,
 * Latin Extended-A, Greek and Cyrillic (Java's toLowerCase covers all of Unicode), and only
 * ASCII digits count as digits (Java's Character.isDigit also accepts e.g. Arabic-Indic
 * digits after a '-'). Comparison of such text is still by UTF-16 code units, as in Java.
 *
 * Ranges (satisfies, "maven:" in version.h): "[1.0,2.0)", "(,1.5]", "[1.2]", "1.0" (a soft
 * requirement, which as an affected range means exactly that version), several ranges
 * separated by ',' between brackets meaning OR: "[1.0,1.2),[1.5,)".
 */
#include <string.h>

#include "version/version_int.h"

#define MVN_MAX_LEN 256
#define MVN_MAX_NODES (3 * MVN_MAX_LEN + 8)

enum mvn_type { MVN_NUM, MVN_STR, MVN_COMBO, MVN_LIST };

/* Qualifier ranks, Maven's QUALIFIERS list; MVN_Q_OTHER compares by text. */
enum { MVN_Q_ALPHA, MVN_Q_BETA, MVN_Q_MILESTONE, MVN_Q_RC, MVN_Q_SNAPSHOT, MVN_Q_RELEASE,
       MVN_Q_SP, MVN_Q_OTHER };

struct mvn_node {
    unsigned char type;
    signed char qual;      /* MVN_STR and the string part of MVN_COMBO */
    unsigned short off, len; /* NUM: digits without leading zeros; STR: qualifier text */
    short digit;           /* COMBO: its MVN_NUM node */
    short first, last;     /* LIST children */
    short next, prev;      /* siblings */
};

struct mvn_tree {
    const char *s;
    struct mvn_node n[MVN_MAX_NODES];
    short count;
    short lists[MVN_MAX_NODES]; /* in creation order, for normalisation */
    short nlists;
};

/* ---- text helpers: UTF-8 decoding, lowercasing, UTF-16 code units ---- */

static unsigned
utf8_next(const char *s, size_t len, size_t *i)
{
    unsigned c = (unsigned char)s[*i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (n == 1 || *i + n > len) {
        (*i)++;
        return c;
    }
    unsigned cp = c & (0x7fu >> n);
    for (size_t k = 1; k < n; k++) {
        unsigned d = (unsigned char)s[*i + k];
        if ((d & 0xc0) != 0x80) {
            (*i)++;
            return c;
        }
        cp = (cp << 6) | (d & 0x3f);
    }
    *i += n;
    return cp;
}

static unsigned
mvn_lower(unsigned c)
{
    if (c < 0x80)
        return (unsigned)bsn_v_lower((int)c);
    if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3ab && c != 0x3a2) ||
        (c >= 0x410 && c <= 0x42f))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40f)
        return c + 0x50;
    if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
        c != 0x17f) {
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e);
        if (odd_upper ? (c & 1) : !(c & 1))
            return c + 1;
    }
    switch (c) {
    case 0x386: return 0x3ac;
    case 0x388: return 0x3ad;
    case 0x389: return 0x3ae;
    case 0x38a: return 0x3af;
    case 0x38c: return 0x3cc;
    case 0x38e: return 0x3cd;
    case 0x38f: return 0x3ce;
    default: return c;
    }
}

/* Iterates the lowercased UTF-16 code units of a slice. */
struct u16_iter {
    const char *s;
    size_t len, i;
    unsigned pending; /* low surrogate still to deliver, or 0 */
};

static bool
u16_next(struct u16_iter *it, unsigned *unit)
{
    if (it->pending) {
        *unit = it->pending;
        it->pending = 0;
        return true;
    }
    if (it->i >= it->len)
        return false;
    unsigned cp = mvn_lower(utf8_next(it->s, it->len, &it->i));
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *unit = 0xd800 + (cp >> 10);
        it->pending = 0xdc00 + (cp & 0x3ff);
    } else {
        *unit = cp;
    }
    return true;
}

static int
cmp_text(const char *a, size_t alen, const char *b, size_t blen)
{
    struct u16_iter x = { a, alen, 0, 0 }, y = { b, blen, 0, 0 };
    for (;;) {
        unsigned ua, ub;
        bool ha = u16_next(&x, &ua), hb = u16_next(&y, &ub);
        if (!ha || !hb)
            return (int)ha - (int)hb;
        if (ua != ub)
            return ua < ub ? -1 : 1;
    }
}

static bool
text_is(const char *s, size_t len, const char *kw)
{
    return bsn_str_ieq_cstr(bsn_str_make(s, len), kw);
}

static signed char
mvn_qualifier(const char *s, size_t len, bool followed_by_digit)
{
    if (followed_by_digit && len == 1) {
        int c = bsn_v_lower((unsigned char)s[0]);
        if (c == 'a')
            return MVN_Q_ALPHA;
        if (c == 'b')
            return MVN_Q_BETA;
        if (c == 'm')
            return MVN_Q_MILESTONE;
    }
    static const struct { const char *kw; signed char q; } tab[] = {
        { "alpha", MVN_Q_ALPHA },     { "beta", MVN_Q_BETA },   { "milestone", MVN_Q_MILESTONE },
        { "rc", MVN_Q_RC },           { "cr", MVN_Q_RC },       { "snapshot", MVN_Q_SNAPSHOT },
        { "", MVN_Q_RELEASE },        { "ga", MVN_Q_RELEASE },  { "final", MVN_Q_RELEASE },
        { "release", MVN_Q_RELEASE }, { "sp", MVN_Q_SP },
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (text_is(s, len, tab[i].kw))
            return tab[i].q;
    return MVN_Q_OTHER;
}

/* ---- building the tree ---- */

static short
node_new(struct mvn_tree *t, enum mvn_type type)
{
    short k = t->count++;
    struct mvn_node *n = &t->n[k];
    memset(n, 0, sizeof *n);
    n->type = (unsigned char)type;
    n->digit = n->first = n->last = n->next = n->prev = -1;
    return k;
}

static void
list_add(struct mvn_tree *t, short list, short item)
{
    struct mvn_node *l = &t->n[list];
    t->n[item].prev = l->last;
    t->n[item].next = -1;
    if (l->last >= 0)
        t->n[l->last].next = item;
    else
        l->first = item;
    l->last = item;
}

static void
list_remove(struct mvn_tree *t, short list, short item)
{
    struct mvn_node *l = &t->n[list], *it = &t->n[item];
    if (it->prev >= 0)
        t->n[it->prev].next = it->next;
    else
        l->first = it->next;
    if (it->next >= 0)
        t->n[it->next].prev = it->prev;
    else
        l->last = it->prev;
}

static short
new_list(struct mvn_tree *t, short parent)
{
    short k = node_new(t, MVN_LIST);
    list_add(t, parent, k);
    t->lists[t->nlists++] = k;
    return k;
}

static short
num_node(struct mvn_tree *t, size_t off, size_t len)
{
    while (len > 0 && t->s[off] == '0') {
        off++;
        len--;
    }
    short k = node_new(t, MVN_NUM);
    t->n[k].off = (unsigned short)off;
    t->n[k].len = (unsigned short)len;
    return k;
}

static short
parse_item(struct mvn_tree *t, bool combination, bool digit, size_t off, size_t len)
{
    if (combination) {
        size_t d = 0;
        while (d < len && !bsn_v_isdigit((unsigned char)t->s[off + d]))
            d++;
        size_t slen = d;
        if (slen > 0 && t->s[off + slen - 1] == '-')
            slen--;
        short k = node_new(t, MVN_COMBO);
        t->n[k].off = (unsigned short)off;
        t->n[k].len = (unsigned short)slen;
        t->n[k].qual = mvn_qualifier(t->s + off, slen, true);
        short dn = num_node(t, off + d, len - d);
        t->n[k].digit = dn;
        return k;
    }
    if (digit)
        return num_node(t, off, len);
    short k = node_new(t, MVN_STR);
    t->n[k].off = (unsigned short)off;
    t->n[k].len = (unsigned short)len;
    t->n[k].qual = mvn_qualifier(t->s + off, len, false);
    return k;
}

static bool
is_null(const struct mvn_tree *t, short k)
{
    const struct mvn_node *n = &t->n[k];
    switch (n->type) {
    case MVN_NUM: return n->len == 0;
    case MVN_STR: return n->len == 0;
    case MVN_LIST: return n->first < 0;
    default: return false;
    }
}

static void
normalize(struct mvn_tree *t, short list)
{
    for (short i = t->n[list].last; i >= 0;) {
        short prev = t->n[i].prev, next = t->n[i].next;
        if (is_null(t, i)) {
            if (next < 0 || t->n[next].type == MVN_STR) {
                list_remove(t, list, i);
            } else if (t->n[next].type == MVN_LIST && t->n[next].first >= 0) {
                unsigned char ft = t->n[t->n[next].first].type;
                if (ft == MVN_COMBO || ft == MVN_STR)
                    list_remove(t, list, i);
            }
        }
        i = prev;
    }
    /* a list holding just one list takes that list's items */
    struct mvn_node *l = &t->n[list];
    if (l->first >= 0 && l->first == l->last && t->n[l->first].type == MVN_LIST) {
        short child = l->first;
        l->first = t->n[child].first;
        l->last = t->n[child].last;
    }
}

static void
mvn_parse(struct mvn_tree *t, const char *s, size_t len)
{
    if (len > MVN_MAX_LEN)
        len = MVN_MAX_LEN;
    t->s = s;
    t->count = 0;
    t->nlists = 0;
    short root = node_new(t, MVN_LIST);
    t->lists[t->nlists++] = root;
    short list = root;
    bool digit = false, combination = false;
    size_t start = 0;
#define ZERO_ITEM() num_node(t, 0, 0)
    for (size_t i = 0; i < len;) {
        size_t here = i;
        unsigned c = utf8_next(s, len, &i);
        if (c == '.') {
            if (here == start)
                list_add(t, list, ZERO_ITEM());
            else
                list_add(t, list, parse_item(t, combination, digit, start, here - start));
            combination = false;
            start = i;
        } else if (c == '-') {
            if (here == start) {
                list_add(t, list, ZERO_ITEM());
            } else {
                if (!digit && i < len && bsn_v_isdigit((unsigned char)s[i])) {
                    combination = true; /* "X-1" reads as "X1" */
                    continue;
                }
                list_add(t, list, parse_item(t, combination, digit, start, here - start));
            }
            start = i;
            if (t->n[list].first >= 0)
                list = new_list(t, list);
            combination = false;
        } else if (c >= '0' && c <= '9') {
            if (!digit && here > start) {
                combination = true;
                if (t->n[list].first >= 0)
                    list = new_list(t, list);
            }
            digit = true;
        } else {
            if (digit && here > start) {
                list_add(t, list, parse_item(t, combination, true, start, here - start));
                start = here;
                list = new_list(t, list);
                combination = false;
            }
            digit = false;
        }
    }
    if (len > start) {
        if (!digit && t->n[list].first >= 0)
            list = new_list(t, list);
        list_add(t, list, parse_item(t, combination, digit, start, len - start));
    }
#undef ZERO_ITEM
    for (short k = t->nlists; k > 0; k--)
        normalize(t, t->lists[k - 1]);
}

/* ---- comparison, item by item as ComparableVersion's Item.compareTo ---- */

static int item_cmp(const struct mvn_tree *ta, short a, const struct mvn_tree *tb, short b);

static int
qual_cmp(const struct mvn_tree *ta, const struct mvn_node *a, const struct mvn_tree *tb,
         const struct mvn_node *b)
{
    if (a->qual != b->qual)
        return a->qual < b->qual ? -1 : 1;
    if (a->qual != MVN_Q_OTHER)
        return 0;
    return cmp_text(ta->s + a->off, a->len, tb->s + b->off, b->len);
}

static int
qual_vs_release(const struct mvn_node *a)
{
    return a->qual < MVN_Q_RELEASE ? -1 : a->qual > MVN_Q_RELEASE ? 1 : 0;
}

/* item against null (absent) */
static int
null_cmp(const struct mvn_tree *t, short a)
{
    const struct mvn_node *n = &t->n[a];
    switch (n->type) {
    case MVN_NUM:
        return n->len == 0 ? 0 : 1;
    case MVN_STR:
        return qual_vs_release(n);
    case MVN_COMBO: {
        int r = qual_vs_release(n);
        return r ? r : null_cmp(t, n->digit);
    }
    default:
        for (short k = n->first; k >= 0; k = t->n[k].next) {
            int r = null_cmp(t, k);
            if (r)
                return r;
        }
        return 0;
    }
}

static int
list_vs_scalar(const struct mvn_tree *tl, short l, const struct mvn_tree *ts, short s)
{
    const struct mvn_node *n = &tl->n[l];
    int r;
    if (n->first < 0)
        return -null_cmp(ts, s);
    r = item_cmp(tl, n->first, ts, s);
    for (short k = tl->n[n->first].next; r == 0 && k >= 0; k = tl->n[k].next)
        r = null_cmp(tl, k);
    return r;
}

static int
item_cmp(const struct mvn_tree *ta, short a, const struct mvn_tree *tb, short b)
{
    const struct mvn_node *x = &ta->n[a], *y = &tb->n[b];
    switch (x->type) {
    case MVN_NUM:
        if (y->type == MVN_NUM)
            return bsn_v_cmp_digits(ta->s + x->off, x->len, tb->s + y->off, y->len);
        return 1;
    case MVN_STR:
        switch (y->type) {
        case MVN_NUM: return -1;
        case MVN_STR: return qual_cmp(ta, x, tb, y);
        case MVN_COMBO: {
            int r = qual_cmp(ta, x, tb, y);
            if (r)
                return r;
            if (null_cmp(ta, a) == 0)
                return -null_cmp(tb, y->digit);
            return -1;
        }
        default: return -list_vs_scalar(tb, b, ta, a);
        }
    case MVN_COMBO:
        switch (y->type) {
        case MVN_NUM: return -1;
        case MVN_STR: {
            int r = qual_cmp(ta, x, tb, y);
            if (r)
                return r;
            if (qual_vs_release(x) == 0)
                return null_cmp(ta, x->digit);
            return 1;
        }
        case MVN_COMBO: {
            int r = qual_cmp(ta, x, tb, y);
            return r ? r : item_cmp(ta, x->digit, tb, y->digit);
        }
        default: return -list_vs_scalar(tb, b, ta, a);
        }
    default:
        switch (y->type) {
        case MVN_NUM: return -1;
        case MVN_STR:
        case MVN_COMBO: return list_vs_scalar(ta, a, tb, b);
        default: {
            short l = x->first, r = y->first;
            while (l >= 0 || r >= 0) {
                int c;
                if (l < 0)
                    c = -null_cmp(tb, r);
                else if (r < 0)
                    c = null_cmp(ta, l);
                else
                    c = item_cmp(ta, l, tb, r);
                if (c)
                    return c;
                if (l >= 0)
                    l = ta->n[l].next;
                if (r >= 0)
                    r = tb->n[r].next;
            }
            return 0;
        }
        }
    }
}

static int
maven_compare(struct bsn_str a, struct bsn_str b)
{
    struct mvn_tree ta, tb;
    mvn_parse(&ta, a.ptr, a.len);
    mvn_parse(&tb, b.ptr, b.len);
    int c = item_cmp(&ta, 0, &tb, 0);
    if (c == 0 && (a.len > MVN_MAX_LEN || b.len > MVN_MAX_LEN))
        c = bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
    return c;
}

static bool
maven_valid(struct bsn_str v)
{
    /* ComparableVersion accepts any string up to its length cap; bosun also refuses the
     * empty string and whitespace, which no repository would serve */
    if (v.len == 0 || v.len > MVN_MAX_LEN)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if (c <= ' ' || c == 0x7f || c == ',' || c == '[' || c == ']' || c == '(' || c == ')')
            return false;
    }
    return true;
}

/* ---- ranges ---- */

static bsn_code
bad_range(struct bsn_err *err, struct bsn_str expr)
{
    return bsn_err_set(err, BSN_EFORMAT, "invalid Maven version range '%.*s'",
                       BSN_STR_ARG(expr));
}

static bsn_code
maven_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    struct bsn_str cur = bsn_str_trim(expr);
    if (cur.len == 0)
        return bad_range(err, expr);
    if (cur.ptr[0] != '[' && cur.ptr[0] != '(') {
        /* a bare version: as an affected range, exactly that version */
        if (!maven_valid(cur))
            return bad_range(err, expr);
        *out = maven_compare(v, cur) == 0;
        return BSN_OK;
    }
    bool any = false;
    while (cur.len) {
        char open = cur.ptr[0];
        if (open != '[' && open != '(')
            return bad_range(err, expr);
        size_t k = 1;
        while (k < cur.len && cur.ptr[k] != ']' && cur.ptr[k] != ')')
            k++;
        if (k == cur.len)
            return bad_range(err, expr);
        char close = cur.ptr[k];
        struct bsn_str body = bsn_str_make(cur.ptr + 1, k - 1), lo, hi;
        bool in;
        if (bsn_str_split(body, ',', &lo, &hi)) {
            lo = bsn_str_trim(lo);
            hi = bsn_str_trim(hi);
            if (bsn_str_chr(hi, ',') >= 0 || (lo.len && !maven_valid(lo)) ||
                (hi.len && !maven_valid(hi)))
                return bad_range(err, expr);
            in = true;
            if (lo.len) {
                int c = maven_compare(v, lo);
                in = in && (open == '[' ? c >= 0 : c > 0);
            }
            if (hi.len) {
                int c = maven_compare(v, hi);
                in = in && (close == ']' ? c <= 0 : c < 0);
            }
        } else {
            body = bsn_str_trim(body);
            if (open != '[' || close != ']' || !maven_valid(body))
                return bad_range(err, expr);
            in = maven_compare(v, body) == 0;
        }
        any = any || in;
        cur = bsn_str_make(cur.ptr + k + 1, cur.len - k - 1);
        cur = bsn_str_trim(cur);
        if (cur.len) {
            if (cur.ptr[0] != ',')
                return bad_range(err, expr);
            cur = bsn_str_trim(bsn_str_make(cur.ptr + 1, cur.len - 1));
            if (cur.len == 0)
                return bad_range(err, expr);
        }
    }
    *out = any;
    return BSN_OK;
}

const struct bsn_scheme bsn_scheme_maven = {
    .name = "maven",
    .valid = maven_valid,
    .compare = maven_compare,
    .satisfies = maven_satisfies,
};
