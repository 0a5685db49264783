/*
 * RustSec advisory-db importer (https://github.com/rustsec/advisory-db, the database
 * cargo-audit reads): crates/<crate>/RUSTSEC-YYYY-NNNN.md and rust/<tool>/CVE-….md.
 *
 * Each file is Markdown opening with a ```toml fenced block (format:
 * https://github.com/rustsec/advisory-db/blob/main/CONTRIBUTING.md):
 *   [advisory] id, package, date, url, references, aliases, related, cvss, informational,
 *              withdrawn, categories, keywords, license
 *   [versions] patched = [REQ…], unaffected = [REQ…]     (Cargo/semver-crate requirements)
 *   [affected] functions, os, arch                        (not used: we match packages)
 * then "# Title" and the description.
 *
 * A version is vulnerable when it satisfies no patched and no unaffected requirement. The
 * canonical range grammar has no negation, so the importer computes the complement: every
 * requirement (comparators joined by ',') is one interval of versions; the vulnerable set is
 * "all versions" minus those intervals, a list of disjoint intervals, each emitted as one
 * affected row with a native constraint, e.g. tokio RUSTSEC-2023-0001
 *   patched [">= 1.18.4, < 1.19.0", ">= 1.20.3, < 1.21.0", ">= 1.23.1"], unaffected ["< 1.7.0"]
 *   -> "cargo:>= 1.7.0, < 1.18.4" (fixed 1.18.4), "cargo:>= 1.19.0, < 1.20.3" (fixed 1.20.3),
 *      "cargo:>= 1.21.0, < 1.23.1" (fixed 1.23.1).
 * Partial versions follow the semver crate: "< 1.2" is "< 1.2.0", "<= 1.2" is "< 1.3.0",
 * "^0.2.3" is ">= 0.2.3, < 0.3.0", "=1.2" is "1.2.*", a bare version is a caret requirement.
 * No patched and no unaffected entries: every version is affected (range NULL).
 *
 * Namespaces: crates/ -> "crates.io"; rust/ (std, cargo, rustdoc: the toolchain itself, not
 * crates) -> "rust-toolchain". Scheme "cargo". CVSS vectors (v3.0, v3.1, v4.0) are kept with
 * the score computed from the vector (v4 scores are not computed: 0, no severity from them).
 * Withdrawn advisories are dropped, as OSV does. Informational advisories ("unmaintained",
 * "unsound", "notice") are imported like the others, as OSV's RustSec export does.
 * Quirks seen: trailing blanks in requirements (">= 0.3.0 "), no space (">=1.2"), "^ 1.0".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "textfmt/toml.h"
#include "version/version.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_IVLS 256

/*
 * The scheme itself rather than bsn_scheme_find(): the interval arithmetic needs Cargo's
 * order whatever the registry lists.
 */
extern const struct bsn_scheme bsn_scheme_cargo;
#define MAX_REFS 64

/* ---- intervals of versions ---------------------------------------------------------------- */

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
cmp_lo(const struct bsn_scheme *s, struct bnd a, struct bnd b)
{
    if (!a.v || !b.v)
        return (a.v != NULL) - (b.v != NULL);
    int c = s->compare(bsn_str_cstr(a.v), bsn_str_cstr(b.v));
    if (c)
        return c;
    return (a.incl ? 0 : 1) - (b.incl ? 0 : 1);
}

static int
cmp_hi(const struct bsn_scheme *s, struct bnd a, struct bnd b)
{
    if (!a.v || !b.v)
        return (a.v == NULL) - (b.v == NULL);
    int c = s->compare(bsn_str_cstr(a.v), bsn_str_cstr(b.v));
    if (c)
        return c;
    return (a.incl ? 1 : 0) - (b.incl ? 1 : 0);
}

static bool
ivl_empty(const struct bsn_scheme *s, struct ivl x)
{
    if (!x.lo.v || !x.hi.v)
        return false;
    int c = s->compare(bsn_str_cstr(x.lo.v), bsn_str_cstr(x.hi.v));
    return c > 0 || (c == 0 && !(x.lo.incl && x.hi.incl));
}

/* out = in minus b; false when the result would exceed MAX_IVLS pieces. */
static bool
ivls_subtract(const struct bsn_scheme *s, const struct ivls *in, struct ivl b, struct ivls *out)
{
    out->n = 0;
    for (size_t i = 0; i < in->n; i++) {
        struct ivl p = in->v[i];
        if (ivl_empty(s, b)) {
            if (out->n == MAX_IVLS)
                return false;
            out->v[out->n++] = p;
            continue;
        }
        if (b.lo.v) {
            struct ivl l = p;
            struct bnd h = { b.lo.v, !b.lo.incl };
            if (cmp_hi(s, h, l.hi) < 0)
                l.hi = h;
            if (!ivl_empty(s, l)) {
                if (out->n == MAX_IVLS)
                    return false;
                out->v[out->n++] = l;
            }
        }
        if (b.hi.v) {
            struct ivl r = p;
            struct bnd lo = { b.hi.v, !b.hi.incl };
            if (cmp_lo(s, lo, r.lo) > 0)
                r.lo = lo;
            if (!ivl_empty(s, r)) {
                if (out->n == MAX_IVLS)
                    return false;
                out->v[out->n++] = r;
            }
        }
    }
    return true;
}

/* "cargo:>= a, < b", or NULL when x is every version. */
static const char *
render(struct bsn_arena *a, const char *syntax, struct ivl x)
{
    if (!x.lo.v && !x.hi.v)
        return NULL;
    if (x.lo.v && x.hi.v && x.lo.incl && x.hi.incl && strcmp(x.lo.v, x.hi.v) == 0)
        return bsn_arena_printf(a, "%s:= %s", syntax, x.lo.v);
    return bsn_arena_printf(a, "%s:%s%s%s%s%s", syntax,
                            x.lo.v ? (x.lo.incl ? ">= " : "> ") : "", x.lo.v ? x.lo.v : "",
                            x.lo.v && x.hi.v ? ", " : "", x.hi.v ? (x.hi.incl ? "<= " : "< ") : "",
                            x.hi.v ? x.hi.v : "");
}

/* ---- Cargo requirements into intervals ---------------------------------------------------- */

struct pver {
    uint64_t n[3];
    int parts;          /* numeric parts given (0 for "*") */
    bool wild;          /* ended with "*", "x" or "X" */
    struct bsn_str pre; /* prerelease, only with 3 parts */
};

static bool
parse_pver(struct bsn_str cur, struct pver *pv)
{
    memset(pv, 0, sizeof(*pv));
    for (int i = 0; i < 3; i++) {
        if (cur.len && (cur.ptr[0] == '*' || cur.ptr[0] == 'x' || cur.ptr[0] == 'X')) {
            cur.ptr++;
            cur.len--;
            pv->wild = true;
            return cur.len == 0;
        }
        if (!cur.len || cur.ptr[0] < '0' || cur.ptr[0] > '9' || bsn_sp_u64(&cur, &pv->n[i]))
            return false;
        if (pv->n[i] > UINT32_MAX)
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
        for (size_t j = 0; j < pv->pre.len; j++) {
            char c = pv->pre.ptr[j];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '.' || c == '-'))
                return false;
        }
        if (pv->pre.len == 0)
            return false;
        cur.ptr += k;
        cur.len -= k;
    }
    if (cur.len && cur.ptr[0] == '+')
        cur.len = 0; /* build metadata does not order versions */
    return cur.len == 0;
}

static const char *
fmt3(struct bsn_arena *a, uint64_t x, uint64_t y, uint64_t z, struct bsn_str pre)
{
    if (pre.len)
        return bsn_arena_printf(a, "%llu.%llu.%llu-%.*s", (unsigned long long)x,
                                (unsigned long long)y, (unsigned long long)z, BSN_STR_ARG(pre));
    return bsn_arena_printf(a, "%llu.%llu.%llu", (unsigned long long)x, (unsigned long long)y,
                            (unsigned long long)z);
}

/* One comparator ("^1.2", ">= 1.0.0", "1.*") into an interval; false if malformed. */
static bool
cargo_comparator(struct bsn_arena *a, struct bsn_str c, struct ivl *out)
{
    static const char *const ops[] = { ">=", "<=", ">", "<", "=", "^", "~", "" };
    size_t o = 0;
    c = bsn_str_trim(c);
    for (; o < sizeof(ops) / sizeof(ops[0]); o++)
        if (bsn_str_starts(c, ops[o]))
            break;
    const char *op = ops[o];
    c.ptr += strlen(op);
    c.len -= strlen(op);
    c = bsn_str_trim(c);
    struct pver v;
    if (!parse_pver(c, &v))
        return false;
    struct bsn_str nopre = { "", 0 };
    uint64_t M = v.n[0], m = v.n[1], p = v.n[2];
    out->lo = (struct bnd){ NULL, true };
    out->hi = (struct bnd){ NULL, false };
    if (v.parts == 0)
        return op[0] == '\0' || strcmp(op, ">=") == 0; /* "*" */
    const char *full = fmt3(a, M, m, p, v.pre);
    if (strcmp(op, ">=") == 0) {
        out->lo = (struct bnd){ full, true };
    } else if (strcmp(op, ">") == 0) {
        if (v.parts == 3)
            out->lo = (struct bnd){ full, false };
        else if (v.parts == 2)
            out->lo = (struct bnd){ fmt3(a, M, m + 1, 0, nopre), true };
        else
            out->lo = (struct bnd){ fmt3(a, M + 1, 0, 0, nopre), true };
    } else if (strcmp(op, "<") == 0) {
        out->hi = (struct bnd){ full, false };
    } else if (strcmp(op, "<=") == 0) {
        if (v.parts == 3)
            out->hi = (struct bnd){ full, true };
        else if (v.parts == 2)
            out->hi = (struct bnd){ fmt3(a, M, m + 1, 0, nopre), false };
        else
            out->hi = (struct bnd){ fmt3(a, M + 1, 0, 0, nopre), false };
    } else if (strcmp(op, "=") == 0 || (op[0] == '\0' && v.wild)) {
        out->lo = (struct bnd){ full, true };
        if (v.parts == 3)
            out->hi = (struct bnd){ full, true };
        else if (v.parts == 2)
            out->hi = (struct bnd){ fmt3(a, M, m + 1, 0, nopre), false };
        else
            out->hi = (struct bnd){ fmt3(a, M + 1, 0, 0, nopre), false };
    } else if (strcmp(op, "~") == 0) {
        out->lo = (struct bnd){ full, true };
        out->hi = (struct bnd){ v.parts >= 2 ? fmt3(a, M, m + 1, 0, nopre)
                                             : fmt3(a, M + 1, 0, 0, nopre), false };
    } else {
        /* caret, with or without '^' */
        out->lo = (struct bnd){ full, true };
        const char *hi;
        if (M > 0 || v.parts == 1)
            hi = fmt3(a, M + 1, 0, 0, nopre);
        else if (m > 0 || v.parts == 2)
            hi = fmt3(a, 0, m + 1, 0, nopre);
        else
            hi = fmt3(a, 0, 0, p + 1, nopre);
        out->hi = (struct bnd){ hi, false };
    }
    return true;
}

/*
 * True for an interval holding no version Cargo can match: between two consecutive patch
 * releases, both excluded ("> 0.2.0, < 0.2.1", from time's unaffected "=0.2.0", "=0.2.1"
 * …): only prereleases of the upper one lie there, and Cargo's prerelease rule keeps them out.
 */
static bool
cargo_void(struct ivl x)
{
    struct pver lo, hi;
    if (!x.lo.v || !x.hi.v || x.lo.incl || x.hi.incl ||
        !parse_pver(bsn_str_cstr(x.lo.v), &lo) || !parse_pver(bsn_str_cstr(x.hi.v), &hi))
        return false;
    return lo.parts == 3 && hi.parts == 3 && !lo.pre.len && !hi.pre.len && lo.n[0] == hi.n[0] &&
           lo.n[1] == hi.n[1] && hi.n[2] == lo.n[2] + 1;
}

/* A requirement (comparators joined by ',') into one interval (their intersection). */
static bool
cargo_requirement(const struct bsn_scheme *s, struct bsn_arena *a, const char *req,
                  struct ivl *out)
{
    struct bsn_str rest = bsn_str_cstr(req), part;
    out->lo = (struct bnd){ NULL, true };
    out->hi = (struct bnd){ NULL, false };
    if (bsn_str_trim(rest).len == 0)
        return false;
    for (;;) {
        bool more = bsn_str_split(rest, ',', &part, &rest);
        struct ivl c;
        if (!cargo_comparator(a, more ? part : rest, &c))
            return false;
        if (cmp_lo(s, c.lo, out->lo) > 0)
            out->lo = c.lo;
        if (cmp_hi(s, c.hi, out->hi) < 0)
            out->hi = c.hi;
        if (!more)
            return true;
    }
}

/* ---- the importer ------------------------------------------------------------------------- */

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

static bool
rustsec_detect(const char *path, const unsigned char *head, size_t n)
{
    if (!bsn_cstr_ends(path, ".md") || n < 8 || memcmp(head, "```toml", 7) != 0)
        return false;
    return memmem(head, n, "[advisory]", 10) != NULL;
}

/* Severity name of a CVSS base score (v3/v4 bands). */
static const char *
score_severity(double s)
{
    if (s <= 0.0)
        return NULL;
    return s >= 9.0 ? "CRITICAL" : s >= 7.0 ? "HIGH" : s >= 4.0 ? "MEDIUM" : "LOW";
}

static const char *
record_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Adds the strings of a JSON array to v (capacity cap), skipping duplicates of id. */
static void
add_strings(const json_t *arr, const char **v, size_t *n, size_t cap, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *s = json_string_value(e);
        if (!s || !*s || (id && strcmp(s, id) == 0) || *n >= cap)
            continue;
        v[(*n)++] = s;
    }
}

static bsn_code
rustsec_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data,
               size_t len, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_vdb_scratch(im);
    const struct bsn_scheme *cargo = &bsn_scheme_cargo;
    const char *text = (const char *)data;
    const char *rec = record_name(path);

    /* the front matter: from "```toml\n" to a line "```" */
    struct bsn_str cur = bsn_str_make(text, len), line;
    if (bsn_sp_line(&cur, &line) || !bsn_str_eq_cstr(bsn_str_trim(line), "```toml")) {
        bsn_vdb_warn(im, path, rec, "no ```toml front matter");
        return BSN_OK;
    }
    const char *fm = cur.ptr;
    const char *fm_end = NULL;
    while (!bsn_sp_line(&cur, &line)) {
        if (bsn_str_eq_cstr(bsn_str_trim(line), "```")) {
            fm_end = line.ptr;
            break;
        }
    }
    if (!fm_end) {
        bsn_vdb_warn(im, path, rec, "unterminated ```toml front matter");
        return BSN_OK;
    }
    json_t *doc = NULL;
    struct bsn_err terr = { 0 };
    if (bsn_toml_parse(fm, (size_t)(fm_end - fm), &doc, &terr) != BSN_OK) {
        /* the front matter starts on the file's line 2 */
        bsn_vdb_warn(im, path, rec, "invalid TOML front matter (line numbers from line 2): %s",
                     terr.msg);
        return BSN_OK;
    }
    const json_t *adv_t = json_object_get(doc, "advisory");
    const json_t *ver_t = json_object_get(doc, "versions");
    const char *id = jstr(adv_t, "id"), *pkg = jstr(adv_t, "package");
    if (!id || !pkg || strlen(id) > 256) {
        bsn_vdb_warn(im, path, id ? id : rec, "missing or malformed [advisory] id or package");
        json_decref(doc);
        return BSN_OK;
    }
    if (jstr(adv_t, "withdrawn") || json_is_true(json_object_get(adv_t, "withdrawn"))) {
        json_decref(doc);
        return BSN_OK;
    }

    /* vulnerable = all versions minus patched and unaffected requirements */
    static const char *const lists[] = { "patched", "unaffected" };
    struct ivls *cur_set = bsn_arena_alloc(a, sizeof(*cur_set));
    struct ivls *next = bsn_arena_alloc(a, sizeof(*next));
    cur_set->n = 1;
    cur_set->v[0] = (struct ivl){ { NULL, true }, { NULL, false } };
    for (size_t l = 0; l < 2; l++) {
        const json_t *reqs = json_object_get(ver_t, lists[l]);
        if (reqs && !json_is_array(reqs)) {
            bsn_vdb_warn(im, path, id, "[versions] %s is not a list", lists[l]);
            json_decref(doc);
            return BSN_OK;
        }
        size_t i;
        json_t *r;
        json_array_foreach(reqs, i, r) {
            const char *req = json_string_value(r);
            struct ivl x;
            if (!req || !cargo_requirement(cargo, a, req, &x)) {
                bsn_vdb_warn(im, path, id, "invalid %s requirement '%s'", lists[l],
                             req ? req : "(not a string)");
                json_decref(doc);
                return BSN_OK;
            }
            if (!ivls_subtract(cargo, cur_set, x, next)) {
                bsn_vdb_warn(im, path, id, "too many version ranges");
                json_decref(doc);
                return BSN_OK;
            }
            struct ivls *t = cur_set;
            cur_set = next;
            next = t;
        }
    }

    const char *ns = strstr(path, "/rust/") || strncmp(path, "rust/", 5) == 0
                         ? "rust-toolchain" : "crates.io";
    struct bsn_adv_affected *aff = bsn_arena_alloc_array(a, cur_set->n ? cur_set->n : 1,
                                                          sizeof(*aff));
    size_t n_aff = 0;
    for (size_t i = 0; i < cur_set->n; i++) {
        struct ivl x = cur_set->v[i];
        if (cargo_void(x))
            continue;
        struct bsn_adv_affected *f = &aff[n_aff++];
        *f = (struct bsn_adv_affected){ .namespace = ns, .package = pkg, .scheme = "cargo" };
        f->range = render(a, "cargo", x);
        f->fixed = x.hi.v && !x.hi.incl ? x.hi.v : NULL;
        f->status = f->fixed ? BSN_STATUS_FIXED : BSN_STATUS_AFFECTED;
    }

    struct bsn_adv adv = { .id = id, .published = jstr(adv_t, "date") };
    const char **aliases = bsn_arena_alloc_array(a, MAX_REFS, sizeof(*aliases));
    add_strings(json_object_get(adv_t, "aliases"), aliases, &adv.n_aliases, MAX_REFS, id);
    adv.aliases = aliases;
    const char **refs = bsn_arena_alloc_array(a, MAX_REFS, sizeof(*refs));
    if (jstr(adv_t, "url"))
        refs[adv.n_references++] = jstr(adv_t, "url");
    add_strings(json_object_get(adv_t, "references"), refs, &adv.n_references, MAX_REFS, NULL);
    adv.references = refs;
    const char *vector = jstr(adv_t, "cvss");
    struct bsn_cvss cv;
    if (vector && strncmp(vector, "CVSS:", 5) == 0 && strlen(vector) > 9 && vector[8] == '/') {
        cv.source = "rustsec";
        cv.version = bsn_arena_strndup(a, vector + 5, 3);
        cv.vector = vector;
        cv.score = bsn_vdb_cvss_score(vector);
        adv.cvss = &cv;
        adv.n_cvss = 1;
        adv.severity = score_severity(cv.score);
    }
    adv.affected = aff;
    adv.n_affected = n_aff;

    /* "# Title" after the front matter, the rest is the description */
    while (!bsn_sp_line(&cur, &line)) {
        struct bsn_str t = bsn_str_trim(line);
        if (t.len == 0)
            continue;
        if (bsn_str_starts(t, "# ")) {
            adv.summary = bsn_arena_strslice(a, bsn_str_trim(bsn_str_make(t.ptr + 2, t.len - 2)));
            struct bsn_str body = bsn_str_trim(cur);
            if (body.len)
                adv.description = bsn_arena_strslice(a, body);
        }
        break;
    }
    bsn_vdb_emit(im, &adv);
    json_decref(doc);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_rustsec = {
    .name = "rustsec",
    .data_source = "rustsec",
    .detect = rustsec_detect,
    .import_file = rustsec_import,
};
