/*
 * Node.js Security WG importer (https://github.com/nodejs/security-wg, vuln/): the retired
 * Node Security Platform's npm advisories and the Node.js runtime's own.
 *
 *   vuln/npm/<N>.json   {id, module_name, vulnerable_versions, patched_versions (npm ranges,
 *                        patched may be null), cves, title, overview, recommendation,
 *                        references, cvss_vector, cvss_score, publish_date, updated_at}
 *                        -> id "NSWG-ECO-<N>", namespace "npm", package module_name, range
 *                        "npm:" + vulnerable_versions as published (node-semver evaluates it).
 *   vuln/core/<N>.json  {cve, vulnerable, patched (npm ranges over Node.js releases),
 *                        description, overview, severity, publish_date}
 *                        -> id "NSWG-CORE-<N>", namespace "nodejs", package "node".
 *   vuln/{npm,core}/index.json  the same records keyed by id: not imported (no double count).
 *
 * Each "||" set of vulnerable_versions is one affected row, in the WG's own text; its fixed
 * version is the lowest lower bound of patched_versions at or above the set's upper bound
 * ("<=6.8.5" with patched ">=5.0.3 <6.0.0 || >=6.8.6" -> 6.8.6). "<0.0.0" (137 records) and
 * null mean no fix. The WG marks unfixed modules with vulnerable_versions "<=99.999.99999"
 * (130 records): kept as is.
 *
 * Core advisories name whole release lines as vulnerable ("18.x || 20.x") and the fixed
 * releases per line as patched ("^18.20.1 || ^20.12.1"), so the affected set is vulnerable
 * minus patched: both are parsed into version intervals with node-semver's desugaring
 * ("20.x" is ">=20.0.0 <21.0.0-0", "^20.12.1" is ">=20.12.1 <21.0.0-0", "<= 10" is
 * "<11.0.0-0") and each remaining piece is one affected row, e.g. "npm:>=20.0.0 <20.12.1"
 * with fixed 20.12.1.
 * Quirks seen: leading blanks (" 12.x || 14.x"), ">= 10.9.0" with a blank after the operator.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "version/version.h"
#include "vulndb/vulndb_int.h"

#define MAX_IVLS 256
#define MAX_REFS 64
#define MAX_SETS 64

/*
 * Node's order rather than bsn_scheme_find(): the arithmetic below needs it whatever the
 * registry lists.
 */
extern const struct bsn_scheme bsn_scheme_npm;

/* ---- intervals of versions (as in feed_rustsec.c) ---------------------------------------- */

/*
 * NEEDSWORK: feed_rustsec.c, feed_rubysec.c and feed_nodejs_wg.c each carry this interval
 * arithmetic (with their own version order); it belongs in one vulndb-private helper, which
 * needs a declaration in vulndb_int.h (the db-core engineer's file).
 */

struct bnd {
    const char *v; /* NULL: unbounded */
    bool incl;
};

struct ivl {
    struct bnd lo, hi;
};

struct ivls {
    struct ivl v[MAX_IVLS];
    size_t n;
};

static int
vcmp(const char *a, const char *b)
{
    return bsn_scheme_npm.compare(bsn_str_cstr(a), bsn_str_cstr(b));
}

static int
cmp_lo(struct bnd a, struct bnd b)
{
    if (!a.v || !b.v)
        return (a.v != NULL) - (b.v != NULL);
    int c = vcmp(a.v, b.v);
    return c ? c : (a.incl ? 0 : 1) - (b.incl ? 0 : 1);
}

static int
cmp_hi(struct bnd a, struct bnd b)
{
    if (!a.v || !b.v)
        return (a.v == NULL) - (b.v == NULL);
    int c = vcmp(a.v, b.v);
    return c ? c : (a.incl ? 1 : 0) - (b.incl ? 1 : 0);
}

static bool
ivl_empty(struct ivl x)
{
    if (!x.lo.v || !x.hi.v)
        return false;
    int c = vcmp(x.lo.v, x.hi.v);
    return c > 0 || (c == 0 && !(x.lo.incl && x.hi.incl));
}

/* out = in minus b; false when the result would exceed MAX_IVLS pieces. */
static bool
ivls_subtract(const struct ivls *in, struct ivl b, struct ivls *out)
{
    out->n = 0;
    for (size_t i = 0; i < in->n; i++) {
        struct ivl p = in->v[i];
        struct ivl piece[2];
        size_t np = 0;
        if (ivl_empty(b)) {
            piece[np++] = p;
        } else {
            if (b.lo.v) {
                struct ivl l = p;
                struct bnd h = { b.lo.v, !b.lo.incl };
                if (cmp_hi(h, l.hi) < 0)
                    l.hi = h;
                if (!ivl_empty(l))
                    piece[np++] = l;
            }
            if (b.hi.v) {
                struct ivl r = p;
                struct bnd lo = { b.hi.v, !b.hi.incl };
                if (cmp_lo(lo, r.lo) > 0)
                    r.lo = lo;
                if (!ivl_empty(r))
                    piece[np++] = r;
            }
        }
        for (size_t k = 0; k < np; k++) {
            if (out->n == MAX_IVLS)
                return false;
            out->v[out->n++] = piece[k];
        }
    }
    return true;
}

static const char *
render(struct bsn_arena *a, struct ivl x)
{
    if (!x.lo.v && !x.hi.v)
        return NULL;
    if (x.lo.v && x.hi.v && x.lo.incl && x.hi.incl && strcmp(x.lo.v, x.hi.v) == 0)
        return bsn_arena_printf(a, "npm:%s", x.lo.v);
    return bsn_arena_printf(a, "npm:%s%s%s%s%s", x.lo.v ? (x.lo.incl ? ">=" : ">") : "",
                            x.lo.v ? x.lo.v : "", x.lo.v && x.hi.v ? " " : "",
                            x.hi.v ? (x.hi.incl ? "<=" : "<") : "", x.hi.v ? x.hi.v : "");
}

/* ---- node-semver ranges into intervals ---------------------------------------------------- */

struct pver {
    uint64_t n[3];
    int parts;          /* numeric parts given (0 for "*") */
    struct bsn_str pre; /* prerelease, only with 3 parts */
};

static bool
parse_pver(struct bsn_str cur, struct pver *pv)
{
    memset(pv, 0, sizeof(*pv));
    while (cur.len && (cur.ptr[0] == 'v' || cur.ptr[0] == '=')) {
        cur.ptr++;
        cur.len--;
    }
    for (int i = 0; i < 3; i++) {
        if (cur.len && (cur.ptr[0] == '*' || cur.ptr[0] == 'x' || cur.ptr[0] == 'X')) {
            cur.ptr++;
            cur.len--;
            /* "1.x.x": the rest must be wildcards too */
            while (cur.len >= 2 && cur.ptr[0] == '.' &&
                   (cur.ptr[1] == '*' || cur.ptr[1] == 'x' || cur.ptr[1] == 'X')) {
                cur.ptr += 2;
                cur.len -= 2;
            }
            return cur.len == 0;
        }
        if (!cur.len || cur.ptr[0] < '0' || cur.ptr[0] > '9' || bsn_sp_u64(&cur, &pv->n[i]) ||
            pv->n[i] > UINT32_MAX)
            return false;
        pv->parts = i + 1;
        if (i < 2 && bsn_sp_char(&cur, '.'))
            break;
    }
    if (pv->parts == 3 && cur.len && cur.ptr[0] == '-') {
        size_t k = 1;
        while (k < cur.len && cur.ptr[k] != '+')
            k++;
        pv->pre = bsn_str_make(cur.ptr + 1, k - 1);
        if (pv->pre.len == 0)
            return false;
        for (size_t j = 0; j < pv->pre.len; j++) {
            char c = pv->pre.ptr[j];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '.' || c == '-'))
                return false;
        }
        cur.ptr += k;
        cur.len -= k;
    }
    if (cur.len && cur.ptr[0] == '+')
        cur.len = 0;
    return cur.len == 0;
}

static const char *
fmt3(struct bsn_arena *a, uint64_t x, uint64_t y, uint64_t z, struct bsn_str pre)
{
    return bsn_arena_printf(a, "%llu.%llu.%llu%s%.*s", (unsigned long long)x,
                            (unsigned long long)y, (unsigned long long)z, pre.len ? "-" : "",
                            BSN_STR_ARG(pre));
}

/* The first version above every version matching the partial v ("1.2" -> "1.3.0-0"). */
static const char *
above(struct bsn_arena *a, const struct pver *v)
{
    struct bsn_str zero = { "0", 1 };
    if (v->parts == 1)
        return fmt3(a, v->n[0] + 1, 0, 0, zero);
    return fmt3(a, v->n[0], v->n[1] + 1, 0, zero);
}

/* One comparator ("^1.2.3", ">=1.0", "1.x", "<= 10") into an interval. */
static bool
npm_comparator(struct bsn_arena *a, const char *op, struct bsn_str vtext, struct ivl *out)
{
    struct pver v;
    struct bsn_str zero = { "0", 1 };
    out->lo = (struct bnd){ NULL, true };
    out->hi = (struct bnd){ NULL, false };
    if (!parse_pver(vtext, &v))
        return false;
    if (v.parts == 0)
        return strcmp(op, "") == 0 || strcmp(op, ">=") == 0 || strcmp(op, "=") == 0;
    uint64_t M = v.n[0], m = v.n[1], p = v.n[2];
    const char *low = fmt3(a, M, m, p, v.pre);
    if (strcmp(op, ">=") == 0) {
        out->lo = (struct bnd){ low, true };
    } else if (strcmp(op, ">") == 0) {
        out->lo = v.parts == 3 ? (struct bnd){ low, false } : (struct bnd){ above(a, &v), true };
    } else if (strcmp(op, "<") == 0) {
        out->hi = (struct bnd){ v.parts == 3 ? low : fmt3(a, M, m, 0, zero), false };
    } else if (strcmp(op, "<=") == 0) {
        out->hi = v.parts == 3 ? (struct bnd){ low, true } : (struct bnd){ above(a, &v), false };
    } else if (strcmp(op, "~") == 0 || strcmp(op, "~>") == 0) {
        out->lo = (struct bnd){ low, true };
        out->hi = (struct bnd){ v.parts == 1 ? fmt3(a, M + 1, 0, 0, zero)
                                             : fmt3(a, M, m + 1, 0, zero), false };
    } else if (strcmp(op, "^") == 0) {
        out->lo = (struct bnd){ low, true };
        const char *hi;
        if (M > 0 || v.parts == 1)
            hi = fmt3(a, M + 1, 0, 0, zero);
        else if (m > 0 || v.parts == 2)
            hi = fmt3(a, 0, m + 1, 0, zero);
        else
            hi = fmt3(a, 0, 0, p + 1, zero);
        out->hi = (struct bnd){ hi, false };
    } else {
        /* "" or "=": exact for a full version, an X-range otherwise */
        out->lo = (struct bnd){ low, true };
        out->hi = v.parts == 3 ? (struct bnd){ low, true } : (struct bnd){ above(a, &v), false };
    }
    return true;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One "||"-free set (comparators separated by blanks, or "A - B") into an interval. */
static bool
npm_set(struct bsn_arena *a, struct bsn_str set, struct ivl *out)
{
    struct bsn_str tok[64];
    size_t nt = 0;
    for (size_t i = 0; i < set.len;) {
        while (i < set.len && is_blank(set.ptr[i]))
            i++;
        size_t j = i;
        while (j < set.len && !is_blank(set.ptr[j]))
            j++;
        if (j > i) {
            if (nt == 64)
                return false;
            tok[nt++] = bsn_str_make(set.ptr + i, j - i);
        }
        i = j;
    }
    out->lo = (struct bnd){ NULL, true };
    out->hi = (struct bnd){ NULL, false };
    if (nt == 3 && bsn_str_eq_cstr(tok[1], "-")) {
        struct ivl lo, hi;
        if (!npm_comparator(a, ">=", tok[0], &lo) || !npm_comparator(a, "<=", tok[2], &hi))
            return false;
        out->lo = lo.lo;
        out->hi = hi.hi;
        return true;
    }
    static const char *const ops[] = { ">=", "<=", "~>", ">", "<", "=", "~", "^" };
    for (size_t i = 0; i < nt; i++) {
        const char *op = "";
        struct bsn_str v = tok[i];
        for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
            if (bsn_str_starts(v, ops[o])) {
                op = ops[o];
                v.ptr += strlen(op);
                v.len -= strlen(op);
                break;
            }
        if (v.len == 0) {
            /* ">= 10.9.0": the version is the next token */
            if (!*op || i + 1 == nt)
                return false;
            v = tok[++i];
        }
        struct ivl c;
        if (!npm_comparator(a, op, v, &c))
            return false;
        if (cmp_lo(c.lo, out->lo) > 0)
            out->lo = c.lo;
        if (cmp_hi(c.hi, out->hi) < 0)
            out->hi = c.hi;
    }
    return true;
}

/*
 * A range ("a || b || c") into at most MAX_SETS intervals; "" is "*". texts (may be NULL)
 * receives each set's text.
 */
static bool
npm_range(struct bsn_arena *a, const char *text, struct ivls *out, struct bsn_str *texts)
{
    struct bsn_str rest = bsn_str_trim(bsn_str_cstr(text));
    out->n = 0;
    for (;;) {
        size_t k = 0;
        while (k + 1 < rest.len && !(rest.ptr[k] == '|' && rest.ptr[k + 1] == '|'))
            k++;
        bool more = k + 1 < rest.len;
        struct bsn_str set = bsn_str_trim(more ? bsn_str_make(rest.ptr, k) : rest);
        if (out->n == MAX_SETS || !npm_set(a, set, &out->v[out->n]))
            return false;
        if (texts)
            texts[out->n] = set;
        out->n++;
        if (!more)
            return true;
        rest = bsn_str_make(rest.ptr + k + 2, rest.len - k - 2);
    }
}

/*
 * The lowest lower bound of the patched intervals at or above hi (above it when hi is
 * inclusive): the first release that fixes versions just below hi.
 */
static const char *
fixed_above(struct bnd hi, const struct ivls *patched)
{
    const char *best = NULL;
    if (!hi.v)
        return NULL;
    for (size_t i = 0; i < patched->n; i++) {
        const char *lo = patched->v[i].lo.v;
        if (!lo)
            continue;
        int c = vcmp(lo, hi.v);
        if ((hi.incl ? c > 0 : c >= 0) && (!best || vcmp(lo, best) < 0))
            best = lo;
    }
    return best;
}

/* ---- the importer ------------------------------------------------------------------------- */

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

/* "…/vuln/npm/123.json" -> kind "npm", number "123" (pointers into path); else false. */
static bool
wg_path(const char *path, const char **kind, const char **num, size_t *num_len)
{
    static const char *const kinds[] = { "npm", "core" };
    const char *base = strrchr(path, '/');
    if (!base || base - path < 8)
        return false;
    size_t n = strlen(base + 1);
    if (n < 6 || strcmp(base + 1 + n - 5, ".json") != 0)
        return false;
    for (size_t i = 1; i < n - 5 + 1; i++)
        if (base[i] < '0' || base[i] > '9')
            return false;
    for (size_t k = 0; k < 2; k++) {
        size_t kl = strlen(kinds[k]);
        const char *d = base - kl;
        if (d - path >= 6 && memcmp(d, kinds[k], kl) == 0 && memcmp(d - 6, "/vuln/", 6) == 0) {
            *kind = kinds[k];
            *num = base + 1;
            *num_len = n - 5;
            return true;
        }
        if (d - path == 5 && memcmp(d, kinds[k], kl) == 0 && memcmp(path, "vuln/", 5) == 0) {
            *kind = kinds[k];
            *num = base + 1;
            *num_len = n - 5;
            return true;
        }
    }
    return false;
}

static bool
wg_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *kind, *num;
    size_t nl;
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        i++;
    return wg_path(path, &kind, &num, &nl) && i < n && head[i] == '{';
}

static const char *
score_severity(double s)
{
    if (s <= 0.0)
        return NULL;
    return s >= 9.0 ? "CRITICAL" : s >= 7.0 ? "HIGH" : s >= 4.0 ? "MEDIUM" : "LOW";
}

static const char **
str_list(struct bsn_arena *a, const json_t *arr, size_t *n)
{
    *n = 0;
    size_t cap = json_array_size(arr), i;
    const char **v = bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*v));
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *s = json_string_value(e);
        if (s && *s)
            v[(*n)++] = s;
    }
    return v;
}

static void
import_npm(struct bsn_vdb_import *im, struct bsn_arena *a, const char *path, const char *id,
           const json_t *j)
{
    const char *name = jstr(j, "module_name"), *vuln = jstr(j, "vulnerable_versions");
    const char *patched = jstr(j, "patched_versions");
    struct ivls *sets = bsn_arena_alloc(a, sizeof(*sets));
    struct ivls *pat = bsn_arena_alloc(a, sizeof(*pat));
    struct bsn_str *texts = bsn_arena_alloc_array(a, MAX_SETS, sizeof(*texts));
    if (!name) {
        bsn_vdb_warn(im, path, id, "no \"module_name\"");
        return;
    }
    if (!vuln || !npm_range(a, vuln, sets, texts)) {
        bsn_vdb_warn(im, path, id, "invalid vulnerable_versions '%s'", vuln ? vuln : "");
        return;
    }
    pat->n = 0;
    if (patched && !npm_range(a, patched, pat, NULL)) {
        bsn_vdb_warn(im, path, id, "invalid patched_versions '%s'", patched);
        return;
    }
    /*
     * One row per "||" set of vulnerable_versions, in the WG's own text; a set that overlaps
     * patched_versions (protobufjs NSWG-ECO-400: "<=6.8.5" but patched ">=5.0.3 <6.0.0 ||
     * >=6.8.6") is replaced by its pieces outside patched, as intervals.
     */
    size_t cap = MAX_IVLS, n = 0;
    struct bsn_adv_affected *aff = bsn_arena_alloc_array(a, cap, sizeof(*aff));
    struct ivls *piece = bsn_arena_alloc(a, sizeof(*piece));
    struct ivls *next = bsn_arena_alloc(a, sizeof(*next));
    for (size_t i = 0; i < sets->n; i++) {
        piece->n = 1;
        piece->v[0] = sets->v[i];
        bool overlap = false;
        for (size_t k = 0; k < pat->n; k++) {
            struct ivl both = sets->v[i];
            if (cmp_lo(pat->v[k].lo, both.lo) > 0)
                both.lo = pat->v[k].lo;
            if (cmp_hi(pat->v[k].hi, both.hi) < 0)
                both.hi = pat->v[k].hi;
            if (ivl_empty(both))
                continue;
            overlap = true;
            if (!ivls_subtract(piece, pat->v[k], next)) {
                bsn_vdb_warn(im, path, id, "too many version ranges");
                return;
            }
            struct ivls *t = piece;
            piece = next;
            next = t;
        }
        for (size_t k = 0; k < (overlap ? piece->n : 1); k++) {
            if (n == cap) {
                bsn_vdb_warn(im, path, id, "too many version ranges");
                return;
            }
            struct ivl x = overlap ? piece->v[k] : sets->v[i];
            aff[n] = (struct bsn_adv_affected){ .namespace = "npm", .package = name,
                                                .scheme = "npm" };
            aff[n].range = overlap ? render(a, x)
                                   : bsn_arena_printf(a, "npm:%.*s", BSN_STR_ARG(texts[i]));
            if (!aff[n].range)
                aff[n].range = "npm:*";
            aff[n].fixed = fixed_above(x.hi, pat);
            aff[n].status = aff[n].fixed ? BSN_STATUS_FIXED : BSN_STATUS_AFFECTED;
            n++;
        }
    }

    struct bsn_adv adv = { .id = id, .summary = jstr(j, "title"),
                           .description = jstr(j, "overview"),
                           .published = jstr(j, "publish_date"),
                           .modified = jstr(j, "updated_at"), .affected = aff,
                           .n_affected = n };
    adv.aliases = str_list(a, json_object_get(j, "cves"), &adv.n_aliases);
    adv.references = str_list(a, json_object_get(j, "references"), &adv.n_references);
    const char *vector = jstr(j, "cvss_vector");
    const json_t *score = json_object_get(j, "cvss_score");
    struct bsn_cvss *cv = bsn_arena_alloc(a, sizeof(*cv));
    if (vector && json_is_number(score) && strncmp(vector, "CVSS:", 5) == 0 &&
        strlen(vector) > 9) {
        cv->source = "nodejs-wg";
        cv->version = bsn_arena_strndup(a, vector + 5, 3);
        cv->vector = vector;
        cv->score = json_number_value(score);
        adv.cvss = cv;
        adv.n_cvss = 1;
        adv.severity = score_severity(cv->score);
    } else if (json_is_number(score)) {
        adv.severity = score_severity(json_number_value(score));
    }
    bsn_vdb_emit(im, &adv);
}

static void
import_core(struct bsn_vdb_import *im, struct bsn_arena *a, const char *path, const char *id,
            const json_t *j)
{
    const char *vuln = jstr(j, "vulnerable"), *patched = jstr(j, "patched");
    struct ivls *cur = bsn_arena_alloc(a, sizeof(*cur));
    struct ivls *pat = bsn_arena_alloc(a, sizeof(*pat));
    struct ivls *next = bsn_arena_alloc(a, sizeof(*next));
    if (!vuln || !npm_range(a, vuln, cur, NULL)) {
        bsn_vdb_warn(im, path, id, "invalid \"vulnerable\" range '%s'", vuln ? vuln : "");
        return;
    }
    if (patched && !npm_range(a, patched, pat, NULL)) {
        bsn_vdb_warn(im, path, id, "invalid \"patched\" range '%s'", patched);
        return;
    }
    for (size_t i = 0; patched && i < pat->n; i++) {
        if (!ivls_subtract(cur, pat->v[i], next)) {
            bsn_vdb_warn(im, path, id, "too many version ranges");
            return;
        }
        struct ivls *t = cur;
        cur = next;
        next = t;
    }
    struct bsn_adv_affected *aff = bsn_arena_alloc_array(a, cur->n ? cur->n : 1, sizeof(*aff));
    for (size_t i = 0; i < cur->n; i++) {
        struct ivl x = cur->v[i];
        aff[i] = (struct bsn_adv_affected){ .namespace = "nodejs", .package = "node",
                                            .scheme = "npm" };
        aff[i].range = render(a, x);
        size_t hl = x.hi.v ? strlen(x.hi.v) : 0;
        bool sentinel = hl > 2 && strcmp(x.hi.v + hl - 2, "-0") == 0;
        aff[i].fixed = x.hi.v && !x.hi.incl && !sentinel ? x.hi.v : NULL;
        aff[i].status = aff[i].fixed ? BSN_STATUS_FIXED : BSN_STATUS_AFFECTED;
    }
    const char *sev = jstr(j, "severity");
    struct bsn_adv adv = { .id = id, .summary = jstr(j, "description"),
                           .description = jstr(j, "overview"),
                           .published = jstr(j, "publish_date"), .affected = aff,
                           .n_affected = cur->n };
    adv.severity = sev ? bsn_vdb_severity_word(sev, strlen(sev)) : NULL;
    adv.aliases = str_list(a, json_object_get(j, "cve"), &adv.n_aliases);
    const char **refs = bsn_arena_alloc(a, sizeof(*refs));
    if (jstr(j, "ref")) {
        refs[0] = jstr(j, "ref");
        adv.references = refs;
        adv.n_references = 1;
    }
    bsn_vdb_emit(im, &adv);
}

static bsn_code
wg_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
          struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_vdb_scratch(im);
    const char *kind, *num;
    size_t nl;
    if (!wg_path(path, &kind, &num, &nl)) {
        bsn_vdb_warn(im, path, "file", "not a vuln/npm/N.json or vuln/core/N.json file");
        return BSN_OK;
    }
    const char *id = bsn_arena_printf(a, "NSWG-%s-%.*s", kind[0] == 'n' ? "ECO" : "CORE",
                                      (int)nl, num);
    json_error_t je;
    json_t *j = json_loadb((const char *)data, len, 0, &je);
    if (!j || !json_is_object(j)) {
        if (j)
            bsn_vdb_warn(im, path, id, "not a JSON object");
        else
            bsn_vdb_warn(im, path, id, "invalid JSON at line %d: %s", je.line, je.text);
        json_decref(j);
        return BSN_OK;
    }
    if (kind[0] == 'n')
        import_npm(im, a, path, id, j);
    else
        import_core(im, a, path, id, j);
    json_decref(j);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_nodejs_wg = {
    .name = "nodejs-wg",
    .data_source = "nodejs-wg",
    .detect = wg_detect,
    .import_file = wg_import,
};
