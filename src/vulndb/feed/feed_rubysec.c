/*
 * rubysec ruby-advisory-db importer (https://github.com/rubysec/ruby-advisory-db, what
 * bundler-audit reads): gems/<gem>/<ID>.yml and rubies/<engine>/<ID>.yml, ID being
 * CVE-YYYY-N, GHSA-xxxx-xxxx-xxxx or OSVDB-N (format: the repository's README and
 * spec/schema). Fields: gem (or engine for rubies), cve, ghsa, osvdb, url, title, date,
 * description, cvss_v2, cvss_v3, cvss_v4 (scores only, no vectors), patched_versions and
 * unaffected_versions (lists of RubyGems requirements such as "~> 6.1.7, >= 6.1.7.1"),
 * related.url.
 *
 * The advisory id is the file's name, as bundler-audit reports it; the other ids become
 * aliases. The same CVE filed under two gems (e.g. CVE-2011-0446 for actionpack and rails)
 * is one advisory with one affected package each, so the record count is the number of
 * distinct ids (1,306 for 1,381 files in the 2026-08 snapshot).
 *
 * A version is vulnerable when it satisfies no patched and no unaffected requirement. As in
 * feed_rustsec.c, each requirement is an interval of versions (RubyGems order), the
 * vulnerable set is their complement, and each of its disjoint pieces is one affected row
 * with a native "gem:" constraint and the fixed version it ends at, e.g. actionpack
 * CVE-2026-33167 (unaffected "< 8.1.0", patched ">= 8.1.2.1") -> "gem:>= 8.1.0, < 8.1.2.1".
 * "~> X.Y.Z" is ">= X.Y.Z, < X.(Y+1).A": below the bump (Gem::Version#bump) and below its
 * prereleases too, since RubyGems compares the candidate's release with the bump; so the
 * piece above "~> 2.3.11" reads "gem:>= 2.4.A, < 3.0.4". No lists at all: every version.
 *
 * Namespaces: gems -> "rubygems" (package = gem), rubies -> "rubies" (package = engine:
 * ruby, jruby, mruby …: the interpreters, which no lockfile lists). Scheme "gem". CVSS: a
 * score without vector per version (cvss_v3 is recorded as version "3.1", cvss_v4 as "4.0",
 * cvss_v2 as "2.0"); the severity comes from v3, else v4, else v2.
 * Quirk: YAML plain scalars like `cvss_v3: 9.8` and `osvdb: 12345` are read as text (the YAML
 * reader keeps numbers as source text), so nothing is lost to float rounding.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "textfmt/yaml.h"
#include "version/version.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_IVLS 256
#define MAX_REFS 64
#define MAX_SEGS 32

/*
 * RubyGems' order itself rather than bsn_scheme_find(): the interval arithmetic below must
 * order versions exactly as the matcher will.
 */
extern const struct bsn_scheme bsn_scheme_gem;

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
cmp_lo(struct bnd a, struct bnd b)
{
    if (!a.v || !b.v)
        return (a.v != NULL) - (b.v != NULL);
    int c = bsn_scheme_gem.compare(bsn_str_cstr(a.v), bsn_str_cstr(b.v));
    if (c)
        return c;
    return (a.incl ? 0 : 1) - (b.incl ? 0 : 1);
}

static int
cmp_hi(struct bnd a, struct bnd b)
{
    if (!a.v || !b.v)
        return (a.v == NULL) - (b.v == NULL);
    int c = bsn_scheme_gem.compare(bsn_str_cstr(a.v), bsn_str_cstr(b.v));
    if (c)
        return c;
    return (a.incl ? 1 : 0) - (b.incl ? 1 : 0);
}

static bool
ivl_empty(struct ivl x)
{
    if (!x.lo.v || !x.hi.v)
        return false;
    int c = bsn_scheme_gem.compare(bsn_str_cstr(x.lo.v), bsn_str_cstr(x.hi.v));
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
        return bsn_arena_printf(a, "gem:= %s", x.lo.v);
    return bsn_arena_printf(a, "gem:%s%s%s%s%s", x.lo.v ? (x.lo.incl ? ">= " : "> ") : "",
                            x.lo.v ? x.lo.v : "", x.lo.v && x.hi.v ? ", " : "",
                            x.hi.v ? (x.hi.incl ? "<= " : "< ") : "", x.hi.v ? x.hi.v : "");
}

/* ---- RubyGems requirements ---------------------------------------------------------------- */

static bool
gem_version_text(struct bsn_str v)
{
    if (v.len == 0 || v.len > 128 || !isdigit((unsigned char)v.ptr[0]))
        return false;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if (!isalnum(c) && c != '.' && c != '-')
            return false;
    }
    return true;
}

/*
 * Gem::Version#bump: drop prerelease segments, then the last one if more than one remains,
 * then increment the last: "2.3.4" -> "2.4", "2.3" -> "3", "2" -> "3".
 */
static const char *
gem_bump(struct bsn_arena *a, struct bsn_str v)
{
    struct bsn_str segs[MAX_SEGS];
    size_t n = 0;
    struct bsn_str rest = v, part;
    for (;;) {
        bool more = bsn_str_split(rest, '.', &part, &rest);
        struct bsn_str s = more ? part : rest;
        bool digits = s.len > 0;
        for (size_t i = 0; i < s.len; i++)
            digits = digits && isdigit((unsigned char)s.ptr[i]);
        if (!digits || n == MAX_SEGS)
            break;
        segs[n++] = s;
        if (!more)
            break;
    }
    if (n == 0)
        return NULL;
    if (n > 1)
        n--;
    if (segs[n - 1].len > 18)
        return NULL;
    char num[24];
    memcpy(num, segs[n - 1].ptr, segs[n - 1].len);
    num[segs[n - 1].len] = '\0';
    unsigned long long last = strtoull(num, NULL, 10) + 1;
    size_t prefix = (size_t)(segs[n - 1].ptr - v.ptr);
    return bsn_arena_printf(a, "%.*s%llu", (int)prefix, v.ptr, last);
}

static bool
gem_comparator(struct bsn_arena *a, struct bsn_str c, struct ivl *out)
{
    static const char *const ops[] = { "~>", ">=", "<=", "!=", ">", "<", "=" };
    const char *op = "=";
    c = bsn_str_trim(c);
    for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
        if (bsn_str_starts(c, ops[o])) {
            op = ops[o];
            c.ptr += strlen(op);
            c.len -= strlen(op);
            break;
        }
    c = bsn_str_trim(c);
    if (!gem_version_text(c) || strcmp(op, "!=") == 0)
        return false; /* "!=" never appears in the feed; it would split the interval */
    const char *v = bsn_arena_strslice(a, c);
    out->lo = (struct bnd){ NULL, true };
    out->hi = (struct bnd){ NULL, false };
    if (strcmp(op, "=") == 0) {
        out->lo = (struct bnd){ v, true };
        out->hi = (struct bnd){ v, true };
    } else if (strcmp(op, ">=") == 0) {
        out->lo = (struct bnd){ v, true };
    } else if (strcmp(op, ">") == 0) {
        out->lo = (struct bnd){ v, false };
    } else if (strcmp(op, "<") == 0) {
        out->hi = (struct bnd){ v, false };
    } else if (strcmp(op, "<=") == 0) {
        out->hi = (struct bnd){ v, true };
    } else {
        /*
         * Gem::Requirement: "~>" holds when v >= r and v.release < r.bump, so prereleases
         * of the bump ("2.4.0.rc1" for "~> 2.3.11") are outside: the bound is the lowest
         * prerelease of the bump, "2.4.A" ('A' sorts before every other letter).
         */
        const char *up = gem_bump(a, c);
        if (!up)
            return false;
        out->lo = (struct bnd){ v, true };
        out->hi = (struct bnd){ bsn_arena_printf(a, "%s.A", up), false };
    }
    return true;
}

static bool
gem_requirement(struct bsn_arena *a, const char *req, struct ivl *out)
{
    struct bsn_str rest = bsn_str_cstr(req), part;
    out->lo = (struct bnd){ NULL, true };
    out->hi = (struct bnd){ NULL, false };
    if (bsn_str_trim(rest).len == 0)
        return false;
    for (;;) {
        bool more = bsn_str_split(rest, ',', &part, &rest);
        struct ivl c;
        if (!gem_comparator(a, more ? part : rest, &c))
            return false;
        if (cmp_lo(c.lo, out->lo) > 0)
            out->lo = c.lo;
        if (cmp_hi(c.hi, out->hi) < 0)
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

/* path is inside a folder named dir ("gems"): "gems/x.yml" or "…/gems/x.yml" */
static bool
under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (strncmp(path, dir, n) == 0 && path[n] == '/')
        return true;
    for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
        if (strncmp(p + 1, dir, n) == 0 && p[1 + n] == '/')
            return true;
    return false;
}

/* By layout alone, so a malformed advisory is still taken and reported, not ignored. */
static bool
rubysec_detect(const char *path, const unsigned char *head, size_t n)
{
    (void)head;
    (void)n;
    return bsn_cstr_ends(path, ".yml") && (under(path, "gems") || under(path, "rubies"));
}

static const char *
score_severity(double s, bool v2)
{
    if (s <= 0.0)
        return NULL;
    if (v2)
        return s >= 7.0 ? "HIGH" : s >= 4.0 ? "MEDIUM" : "LOW";
    return s >= 9.0 ? "CRITICAL" : s >= 7.0 ? "HIGH" : s >= 4.0 ? "MEDIUM" : "LOW";
}

/* A CVSS score field ("7.5"); false when absent, true with *bad set when malformed. */
static bool
score_of(const json_t *j, const char *key, double *out, bool *bad)
{
    const json_t *v = json_object_get(j, key);
    if (!v || json_is_null(v))
        return false;
    const char *s = json_string_value(v);
    char *end = NULL;
    double d = s ? strtod(s, &end) : -1.0;
    if (!s || end == s || *end || d < 0.0 || d > 10.0) {
        *bad = true;
        return false;
    }
    *out = d;
    return true;
}

static bsn_code
rubysec_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data,
               size_t len, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_vdb_scratch(im);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *id = bsn_arena_strndup(a, base, strlen(base) - 4); /* minus ".yml" */

    json_t *j = NULL;
    struct bsn_err yerr = { 0 };
    if (bsn_yaml_parse((const char *)data, len, &j, &yerr) != BSN_OK) {
        bsn_vdb_warn(im, path, id, "invalid YAML: %s", yerr.msg);
        return BSN_OK;
    }
    bool ruby = under(path, "rubies") && !under(path, "gems");
    const char *pkg = json_is_object(j) ? jstr(j, ruby ? "engine" : "gem") : NULL;
    if (!pkg || !*id) {
        bsn_vdb_warn(im, path, id, "no \"%s\" field", ruby ? "engine" : "gem");
        json_decref(j);
        return BSN_OK;
    }

    struct ivls *cur = bsn_arena_alloc(a, sizeof(*cur));
    struct ivls *next = bsn_arena_alloc(a, sizeof(*next));
    cur->n = 1;
    cur->v[0] = (struct ivl){ { NULL, true }, { NULL, false } };
    static const char *const lists[] = { "patched_versions", "unaffected_versions" };
    for (size_t l = 0; l < 2; l++) {
        const json_t *reqs = json_object_get(j, lists[l]);
        if (reqs && !json_is_null(reqs) && !json_is_array(reqs)) {
            bsn_vdb_warn(im, path, id, "\"%s\" is not a list", lists[l]);
            json_decref(j);
            return BSN_OK;
        }
        size_t i;
        json_t *r;
        json_array_foreach(reqs, i, r) {
            const char *req = json_string_value(r);
            struct ivl x;
            if (!req || !gem_requirement(a, req, &x)) {
                bsn_vdb_warn(im, path, id, "invalid requirement '%s' in %s",
                             req ? req : "(not a string)", lists[l]);
                json_decref(j);
                return BSN_OK;
            }
            if (!ivls_subtract(cur, x, next)) {
                bsn_vdb_warn(im, path, id, "too many version ranges");
                json_decref(j);
                return BSN_OK;
            }
            struct ivls *t = cur;
            cur = next;
            next = t;
        }
    }

    const char *ns = ruby ? "rubies" : "rubygems";
    struct bsn_adv_affected *aff = bsn_arena_alloc_array(a, cur->n ? cur->n : 1, sizeof(*aff));
    for (size_t i = 0; i < cur->n; i++) {
        struct ivl x = cur->v[i];
        aff[i] = (struct bsn_adv_affected){ .namespace = ns, .package = pkg, .scheme = "gem" };
        aff[i].range = render(a, x);
        aff[i].fixed = x.hi.v && !x.hi.incl ? x.hi.v : NULL;
        aff[i].status = aff[i].fixed ? BSN_STATUS_FIXED : BSN_STATUS_AFFECTED;
    }

    struct bsn_adv adv = { .id = id, .summary = jstr(j, "title"),
                           .description = jstr(j, "description"), .published = jstr(j, "date") };
    const char **aliases = bsn_arena_alloc_array(a, 3, sizeof(*aliases));
    static const char *const idkeys[][2] = { { "cve", "CVE-" }, { "ghsa", "GHSA-" },
                                             { "osvdb", "OSVDB-" } };
    for (size_t k = 0; k < 3; k++) {
        const char *v = jstr(j, idkeys[k][0]);
        if (!v)
            continue;
        const char *alias = bsn_arena_printf(a, "%s%s", idkeys[k][1], v);
        if (strcmp(alias, id) != 0)
            aliases[adv.n_aliases++] = alias;
    }
    adv.aliases = aliases;

    const char **refs = bsn_arena_alloc_array(a, MAX_REFS, sizeof(*refs));
    if (jstr(j, "url"))
        refs[adv.n_references++] = jstr(j, "url");
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(json_object_get(j, "related"), "url"), i, u) {
        const char *s = json_string_value(u);
        if (s && *s && adv.n_references < MAX_REFS &&
            !(adv.n_references && strcmp(s, refs[0]) == 0))
            refs[adv.n_references++] = s;
    }
    adv.references = refs;

    static const struct {
        const char *key, *version;
    } scores[] = { { "cvss_v3", "3.1" }, { "cvss_v4", "4.0" }, { "cvss_v2", "2.0" } };
    struct bsn_cvss *cv = bsn_arena_alloc_array(a, 3, sizeof(*cv));
    bool bad = false;
    for (size_t k = 0; k < 3; k++) {
        double s;
        if (!score_of(j, scores[k].key, &s, &bad))
            continue;
        cv[adv.n_cvss++] = (struct bsn_cvss){ .source = "rubysec", .version = scores[k].version,
                                              .score = s };
        if (!adv.severity)
            adv.severity = score_severity(s, k == 2);
    }
    if (bad) {
        bsn_vdb_warn(im, path, id, "malformed CVSS score");
        json_decref(j);
        return BSN_OK;
    }
    adv.cvss = cv;
    adv.affected = aff;
    adv.n_affected = cur->n;
    bsn_vdb_emit(im, &adv);
    json_decref(j);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_rubysec = {
    .name = "rubysec",
    .data_source = "rubysec",
    .detect = rubysec_detect,
    .import_file = rubysec_import,
};
