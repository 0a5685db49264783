/*
 * The matcher: packages x vulnerability database -> findings (see match.h for the rules).
 *
 * Per package: one bsn_vdb_lookup of its key (match_os.c, match_lang.c) into a scratch arena
 * rewound after the package; each affected row is kept when its arch and rpm module agree and
 * its range contains the version. The kept rows are grouped by shared ids (advisory id and
 * aliases, union-find over a map of ids) so a GHSA and its CVE, or a DSA and the CVE it
 * fixes, make one finding; a distro advisory fixing several CVEs (a DSA, DLA, USN …) first
 * becomes one row per CVE, so it never joins distinct CVEs. Packages with the same key, arch
 * and module (the binaries of one source package) share the first one's findings. A
 * finding's strings are copied into the result's arena.
 *
 * Severity, per issue 6: vendor_severity holds every source's word (the row's own severity,
 * e.g. the Debian tracker's urgency for that release, else the advisory's), plus "nvd" from
 * the NVD record of each CVE id (bsn_vdb_advisory, cached per id). The chosen one: the
 * distro's for OS packages, else GHSA/OSV (or the language feed's) for language packages,
 * else NVD, else the highest CVSS v3 base score band of any source, else UNKNOWN.
 *
 * Fixed version: of the rows that matched, the lowest "fixed" event of an OSV range above the
 * installed version (an advisory with a fix per release branch gives the branch's fix), else
 * the row's first fixed version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/map.h"
#include "base/xalloc.h"
#include "match/match.h"
#include "match/match_enterprise.h"
#include "match/match_int.h"
#include "version/version.h"

#define MAX_RANGE_DIAGS 5

struct hit {
    const struct bsn_vdb_hit *h;
    const char *label; /* severity source label: "debian", "ghsa", "osv" … */
    size_t group;      /* union-find parent */
    const char *fixed; /* fixed version for this installed version, or NULL */
    const char *bundle; /* the DSA/DLA/… id this CVE row was split from, or NULL */
};

struct matcher {
    struct bsn_vdb *db;
    struct bsn_result *r;
    const struct bsn_scan_opts *o;
    struct bsn_arena *scratch;  /* per package */
    struct bsn_arena *cache_a;  /* NVD advisories, lifetime of the run */
    struct bsn_map nvd;         /* CVE id -> const struct bsn_adv * (or &no_adv) */
    struct bsn_vuln *out;
    size_t n_out, cap_out;
    size_t range_errors;
    const char *bad_scheme;     /* last scheme name reported missing */
    struct bsn_map same;        /* package key -> struct same_entry */
};

/* The findings of the first package with a given key (a source package's binaries share
 * one): the next ones copy them instead of querying and evaluating again. */
struct same_entry {
    size_t start, count; /* in matcher.out */
};

struct nvd_entry {
    const struct bsn_adv *adv; /* NULL: the database has no record of the id */
    const char *label;         /* "nvd", "cve…", or NULL: another feed's record */
};

/* ---- small helpers -------------------------------------------------------------------------- */

static void
add_diag(struct bsn_result *r, const char *fmt, ...) BSN_PRINTF(2, 3);

static void
add_diag(struct bsn_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = bsn_arena_vprintf(r->arena, fmt, ap);
    va_end(ap);
    struct bsn_diag *d = bsn_arena_alloc_array(r->arena, r->n_diags + 1, sizeof(*d));
    if (r->n_diags)
        memcpy(d, r->diags, r->n_diags * sizeof(*d));
    d[r->n_diags].message = msg;
    r->diags = d;
    r->n_diags++;
}

static void
fmt_date(int64_t t, char out[32])
{
    /* Howard Hinnant's civil_from_days: the C library's UTC conversion is banned (global state) */
    int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 32, "%04d-%02d-%02d", (int)(y % 10000), (int)m, (int)d);
}

bool
bsn_match_sev_word(const char *s, enum bsn_severity *out)
{
    static const struct {
        const char *word;
        enum bsn_severity sev;
    } words[] = {
        { "critical", BSN_SEV_CRITICAL }, { "high", BSN_SEV_HIGH },
        { "important", BSN_SEV_HIGH },    { "medium", BSN_SEV_MEDIUM },
        { "moderate", BSN_SEV_MEDIUM },   { "low", BSN_SEV_LOW },
        { "negligible", BSN_SEV_LOW },    { "unimportant", BSN_SEV_LOW },
        { "minor", BSN_SEV_LOW },         { "unknown", BSN_SEV_UNKNOWN },
    };
    if (!s || !*s)
        return false;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(s, words[i].word) == 0) {
            *out = words[i].sev;
            return words[i].sev != BSN_SEV_UNKNOWN;
        }
    return false;
}

enum bsn_severity
bsn_match_cvss_band(double score)
{
    if (score >= 9.0)
        return BSN_SEV_CRITICAL;
    if (score >= 7.0)
        return BSN_SEV_HIGH;
    if (score >= 4.0)
        return BSN_SEV_MEDIUM;
    if (score > 0.0)
        return BSN_SEV_LOW;
    return BSN_SEV_UNKNOWN;
}

static const char *
sev_name(enum bsn_severity s)
{
    static const char *const names[BSN_SEV_COUNT] = { "UNKNOWN", "LOW", "MEDIUM", "HIGH",
                                                      "CRITICAL" };
    return (unsigned)s < BSN_SEV_COUNT ? names[s] : "UNKNOWN";
}

static bool
is_cve(const char *id)
{
    return id && strncmp(id, "CVE-", 4) == 0;
}

/* Where a row's severity comes from, as the report names it: "ghsa" for GitHub advisories,
 * the distribution for OSV records of a distribution ("ubuntu" for "ubuntu:22.04" rows of the
 * OSV feed), else the feed's data source. */
static const char *
hit_label(struct bsn_arena *a, const struct bsn_vdb_hit *h)
{
    if (h->adv->id && strncmp(h->adv->id, "GHSA-", 5) == 0)
        return "ghsa";
    const char *ns = h->aff->namespace;
    const char *colon = ns ? strchr(ns, ':') : NULL;
    if (h->data_source && strcmp(h->data_source, "osv") == 0 && colon && colon > ns)
        return bsn_arena_strndup(a, ns, (size_t)(colon - ns));
    return h->data_source ? h->data_source : "unknown";
}

static size_t
uf_find(struct hit *v, size_t i)
{
    while (v[i].group != i) {
        v[i].group = v[v[i].group].group;
        i = v[i].group;
    }
    return i;
}

/* ---- range evaluation ------------------------------------------------------------------------ */

/* The lowest "fixed=V" event of an OSV range that is above version, or NULL. */
static const char *
osv_fixed_above(struct matcher *m, const struct bsn_scheme *s, const char *range,
                const char *version)
{
    if (strncmp(range, "osv:", 4) != 0)
        return NULL;
    struct bsn_str cur = bsn_str_cstr(range + 4), ev, ver = bsn_str_cstr(version);
    struct bsn_str best = { NULL, 0 };
    while (cur.len) {
        if (!bsn_str_split(cur, ';', &ev, &cur)) {
            ev = cur;
            cur.len = 0;
        }
        if (!bsn_str_starts(ev, "fixed="))
            continue;
        struct bsn_str fv = bsn_str_make(ev.ptr + 6, ev.len - 6);
        if (fv.len && s->compare(fv, ver) > 0 && (!best.ptr || s->compare(fv, best) < 0))
            best = fv;
    }
    return best.ptr ? bsn_arena_strslice(m->scratch, best) : NULL;
}

static bool
arch_ok(const struct bsn_package *p, const char *arch)
{
    if (!arch || !*arch || !p->arch || !*p->arch)
        return true;
    return strcmp(arch, p->arch) == 0 || strcmp(arch, "noarch") == 0 ||
           strcmp(p->arch, "noarch") == 0 || strcmp(p->arch, "all") == 0;
}

/* Does the row apply to the package? Sets *fixed to the fix for this version. */
static bool
row_matches(struct matcher *m, const struct bsn_package *p, const struct bsn_match_key *k,
            const struct bsn_vdb_hit *h, const char **fixed)
{
    const struct bsn_adv_affected *a = h->aff;
    *fixed = NULL;
    if (!arch_ok(p, a->arch))
        return false;
    if (strcmp(p->type, "rpm") == 0 && !bsn_match_rpm_module_ok(p, h->adv, a))
        return false;
    const char *sname = a->scheme && *a->scheme ? a->scheme : k->scheme;
    const struct bsn_scheme *s = bsn_scheme_find(sname);
    if (!s) {
        if (!m->bad_scheme || strcmp(m->bad_scheme, sname) != 0) {
            m->bad_scheme = bsn_arena_strdup(m->r->arena, sname);
            add_diag(m->r, "advisory '%s': unknown version scheme '%s': rows skipped",
                     h->adv->id ? h->adv->id : "?", sname);
        }
        return false;
    }
    if (a->range && *a->range) {
        bool in = false;
        struct bsn_err e = { 0 };
        if (bsn_range_contains(s, bsn_str_cstr(a->range), bsn_str_cstr(k->version), &in, &e) !=
            BSN_OK) {
            if (m->range_errors++ < MAX_RANGE_DIAGS)
                add_diag(m->r, "advisory '%s' for '%s': %s", h->adv->id ? h->adv->id : "?",
                         k->name, e.msg);
            return false;
        }
        if (!in)
            return false;
        *fixed = osv_fixed_above(m, s, a->range, k->version);
    }
    if (!*fixed && a->fixed && *a->fixed) {
        bool above = s->compare(bsn_str_cstr(a->fixed), bsn_str_cstr(k->version)) > 0;
        /* Without a range the fixed version is the whole statement: at or past it, not
         * affected. With one, a first fix at or below ours belongs to another branch. */
        if (!above && !(a->range && *a->range))
            return false;
        if (above)
            *fixed = a->fixed;
    }
    return true;
}

/* ---- building a finding --------------------------------------------------------------------- */

/* The database's record of a CVE id, NVD's first, else the CVE list's (bsn_vdb_advisory
 * prefers them), cached per run. *label is "nvd" for NVD's record, the data source of another
 * record; NULL when the record is some other feed's (then only its "nvd" CVSS entries count). */
static const struct bsn_adv *
nvd_record(struct matcher *m, const char *cve, const char **label)
{
    struct nvd_entry *e = bsn_map_get(&m->nvd, cve, strlen(cve));
    if (!e) {
        const struct bsn_adv *a = NULL;
        const char *ds = NULL;
        struct bsn_err err = { 0 };
        if (bsn_vdb_advisory(m->db, cve, m->cache_a, &a, &ds, &err) != BSN_OK)
            a = NULL;
        e = bsn_arena_alloc(m->cache_a, sizeof(*e));
        e->adv = a;
        if (ds && (strcmp(ds, "nvd") == 0 || strncmp(ds, "cve", 3) == 0))
            e->label = bsn_arena_strdup(m->cache_a, ds);
        const char *key = bsn_arena_strdup(m->cache_a, cve);
        bsn_map_put(&m->nvd, key, strlen(key), e);
    }
    *label = e->label;
    return e->adv;
}

struct strset {
    const char **v;
    size_t n, cap;
};

static void
strset_add(struct strset *s, const char *x)
{
    if (!x || !*x)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], x) == 0)
            return;
    s->v = bsn_xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
    s->v[s->n++] = x;
}

static int
cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct sevset {
    struct bsn_vendor_severity v[16];
    size_t n;
};

static void
sev_add(struct sevset *s, const char *label, const char *word)
{
    enum bsn_severity sev;
    if (!label || !bsn_match_sev_word(word, &sev) || s->n == 16)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].source, label) == 0)
            return;
    s->v[s->n].source = label;
    s->v[s->n].severity = sev;
    s->n++;
}

/* NVD and the CVE list: severities of the CVE itself, not of a distro or ecosystem */
static bool
generic_label(const char *label)
{
    return strcmp(label, "nvd") == 0 || strncmp(label, "cve", 3) == 0;
}

static const struct bsn_vendor_severity *
sev_get(const struct sevset *s, const char *label)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].source, label) == 0)
            return &s->v[i];
    return NULL;
}

struct cvsset {
    struct bsn_cvss *v;
    size_t n, cap;
};

static void
cvss_add(struct cvsset *s, const struct bsn_cvss *c)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].source ? s->v[i].source : "", c->source ? c->source : "") == 0 &&
            strcmp(s->v[i].vector ? s->v[i].vector : "", c->vector ? c->vector : "") == 0)
            return;
    s->v = bsn_xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
    s->v[s->n++] = *c;
}

/* The best CVSS v3 score among entries of source (NULL: any source); -1 if none. */
static double
best_v3(const struct bsn_cvss *v, size_t n, const char *source)
{
    double best = -1;
    for (size_t i = 0; i < n; i++) {
        const struct bsn_cvss *c = &v[i];
        bool v3 = (c->version && c->version[0] == '3') ||
                  (c->vector && strncmp(c->vector, "CVSS:3", 6) == 0);
        if (!v3 || (source && (!c->source || strcmp(c->source, source) != 0)))
            continue;
        if (c->score > best)
            best = c->score;
    }
    return best;
}

static const char *
dup(struct bsn_arena *a, const char *s)
{
    return bsn_arena_strdup(a, s);
}

static const char *const *
dup_strv(struct bsn_arena *a, const char *const *v, size_t n)
{
    if (!n)
        return NULL;
    const char **o = bsn_arena_alloc_array(a, n, sizeof(*o));
    for (size_t i = 0; i < n; i++)
        o[i] = bsn_arena_strdup(a, v[i]);
    return o;
}

/* A title from a description: its first sentence, at most 120 bytes on a UTF-8 boundary. */
static const char *
title_from(struct bsn_arena *a, const char *desc)
{
    if (!desc)
        return NULL;
    size_t n = 0;
    while (desc[n] && desc[n] != '\n' && n < 120 && !(desc[n] == '.' && desc[n + 1] == ' '))
        n++;
    while (n && desc[n] && ((unsigned char)desc[n] & 0xC0) == 0x80)
        n--;
    return bsn_arena_strndup(a, desc, n);
}

static const char *
installed_of(struct bsn_arena *a, const struct bsn_package *p)
{
    if (strcmp(p->type, "rpm") == 0 && p->epoch > 0 && !strchr(p->version, ':'))
        return bsn_arena_printf(a, "%d:%s", p->epoch, p->version);
    return p->version;
}

static void
emit_group(struct matcher *m, const struct bsn_package *p, const struct bsn_match_key *k,
           struct hit *hits, size_t nh, size_t root)
{
    struct bsn_arena *ra = m->r->arena;
    struct strset ids = { 0 }, refs = { 0 };
    struct sevset sevs = { .n = 0 };
    struct cvsset cvss = { 0 };
    const struct hit *primary = NULL;
    const char *fixed = NULL;
    const struct bsn_scheme *scheme = NULL;

    for (size_t i = 0; i < nh; i++) {
        if (uf_find(hits, i) != root)
            continue;
        const struct bsn_vdb_hit *h = hits[i].h;
        strset_add(&ids, h->adv->id);
        for (size_t j = 0; j < h->adv->n_aliases; j++)
            strset_add(&ids, h->adv->aliases[j]);
        strset_add(&ids, hits[i].bundle);
        /* the primary advisory: a CVE-named one when there is one, else the first */
        if (!primary || (is_cve(h->adv->id) && !is_cve(primary->h->adv->id)))
            primary = &hits[i];
        sev_add(&sevs, hits[i].label, h->aff->severity ? h->aff->severity : h->adv->severity);
        for (size_t j = 0; j < h->adv->n_cvss; j++)
            cvss_add(&cvss, &h->adv->cvss[j]);
        for (size_t j = 0; j < h->adv->n_references; j++)
            strset_add(&refs, h->adv->references[j]);
        if (hits[i].fixed) {
            const char *sn = h->aff->scheme && *h->aff->scheme ? h->aff->scheme : k->scheme;
            const struct bsn_scheme *s = bsn_scheme_find(sn);
            if (!fixed || (s && s->compare(bsn_str_cstr(hits[i].fixed),
                                           bsn_str_cstr(fixed)) < 0)) {
                fixed = hits[i].fixed;
                scheme = s;
            }
        }
    }
    (void)scheme;

    /* the id: the primary's if it is a CVE, else a CVE alias, else the primary's */
    const char *id = primary->h->adv->id;
    if (!is_cve(id))
        for (size_t i = 0; i < ids.n; i++)
            if (is_cve(ids.v[i])) {
                id = ids.v[i];
                break;
            }

    /* NVD severities and scores for every CVE id of the group */
    const struct bsn_adv *nvd = NULL;
    const char *nvd_label = NULL;
    for (size_t i = 0; i < ids.n; i++) {
        const char *label;
        if (!is_cve(ids.v[i]))
            continue;
        const struct bsn_adv *a = nvd_record(m, ids.v[i], &label);
        if (!a)
            continue;
        if (!nvd || strcmp(ids.v[i], id) == 0) {
            nvd = a;
            nvd_label = label;
        }
        for (size_t j = 0; j < a->n_cvss; j++)
            if (label || (a->cvss[j].source && strcmp(a->cvss[j].source, "nvd") == 0))
                cvss_add(&cvss, &a->cvss[j]);
    }
    double nvd_score = best_v3(cvss.v, cvss.n, "nvd");
    if (nvd && nvd_label && nvd->severity)
        sev_add(&sevs, nvd_label, nvd->severity);
    else if (nvd_score > 0)
        sev_add(&sevs, "nvd", sev_name(bsn_match_cvss_band(nvd_score)));
    else if (nvd && nvd_label) {
        /* the CVE list's record: CISA ADP or CNA scores */
        double sc = best_v3(nvd->cvss, nvd->n_cvss, NULL);
        if (sc > 0)
            sev_add(&sevs, nvd_label, sev_name(bsn_match_cvss_band(sc)));
    }

    /* the chosen severity: the distro's (OS packages) or the ecosystem feed's (GHSA, OSV,
     * RustSec …), then NVD, then the CVE list's */
    const struct bsn_vendor_severity *chosen = NULL;
    if (k->os) {
        chosen = sev_get(&sevs, primary->label);
        for (size_t i = 0; !chosen && i < sevs.n; i++)
            if (!generic_label(sevs.v[i].source) && strcmp(sevs.v[i].source, "ghsa") != 0)
                chosen = &sevs.v[i];
    } else {
        chosen = sev_get(&sevs, "ghsa");
        if (!chosen)
            chosen = sev_get(&sevs, "osv");
        for (size_t i = 0; !chosen && i < sevs.n; i++)
            if (!generic_label(sevs.v[i].source))
                chosen = &sevs.v[i];
    }
    if (!chosen)
        chosen = sev_get(&sevs, "nvd");
    for (size_t i = 0; !chosen && i < sevs.n; i++)
        chosen = &sevs.v[i];

    struct bsn_vuln *v;
    m->out = bsn_xgrow(m->out, &m->cap_out, m->n_out + 1, sizeof(*m->out));
    v = &m->out[m->n_out++];
    memset(v, 0, sizeof(*v));
    v->id = dup(ra, id);
    qsort(ids.v, ids.n, sizeof(*ids.v), cmp_cstr);
    const char **al = ids.n > 1 ? bsn_arena_alloc_array(ra, ids.n - 1, sizeof(*al)) : NULL;
    for (size_t i = 0; i < ids.n; i++)
        if (strcmp(ids.v[i], id) != 0)
            al[v->n_aliases++] = dup(ra, ids.v[i]);
    v->aliases = al;
    v->pkg = p;
    v->installed_version = installed_of(ra, p);
    v->fixed_version = dup(ra, fixed);
    if (fixed)
        v->status = BSN_STATUS_FIXED;
    else if (primary->h->aff->status == BSN_STATUS_FIXED)
        v->status = BSN_STATUS_AFFECTED;
    else
        v->status = primary->h->aff->status;
    if (chosen) {
        v->severity = chosen->severity;
        v->severity_source = dup(ra, chosen->source);
    } else {
        double s = best_v3(cvss.v, cvss.n, NULL);
        v->severity = bsn_match_cvss_band(s);
        for (size_t i = 0; s > 0 && i < cvss.n; i++)
            if (cvss.v[i].score == s && cvss.v[i].source) {
                v->severity_source = dup(ra, cvss.v[i].source);
                break;
            }
    }
    if (sevs.n) {
        struct bsn_vendor_severity *vs = bsn_arena_alloc_array(ra, sevs.n, sizeof(*vs));
        for (size_t i = 0; i < sevs.n; i++) {
            vs[i].source = dup(ra, sevs.v[i].source);
            vs[i].severity = sevs.v[i].severity;
        }
        v->vendor_severity = vs;
        v->n_vendor_severity = sevs.n;
    }
    if (cvss.n) {
        struct bsn_cvss *cv = bsn_arena_alloc_array(ra, cvss.n, sizeof(*cv));
        for (size_t i = 0; i < cvss.n; i++) {
            cv[i].source = dup(ra, cvss.v[i].source);
            cv[i].version = dup(ra, cvss.v[i].version);
            cv[i].vector = dup(ra, cvss.v[i].vector);
            cv[i].score = cvss.v[i].score;
        }
        v->cvss = cv;
        v->n_cvss = cvss.n;
    }
    const struct bsn_adv *pa = primary->h->adv;
    const char *title = pa->summary;
    const char *desc = pa->description;
    for (size_t i = 0; (!title || !desc) && i < nh; i++) {
        if (uf_find(hits, i) != root)
            continue;
        if (!title)
            title = hits[i].h->adv->summary;
        if (!desc)
            desc = hits[i].h->adv->description;
    }
    if (!desc && nvd)
        desc = nvd->description;
    if (!title && nvd)
        title = nvd->summary;
    v->title = title ? dup(ra, title) : title_from(ra, desc);
    v->description = dup(ra, desc);
    v->data_source = dup(ra, primary->h->data_source);
    if (!refs.n && nvd)
        for (size_t j = 0; j < nvd->n_references; j++)
            strset_add(&refs, nvd->references[j]);
    v->references = dup_strv(ra, refs.v, refs.n);
    v->n_references = refs.n;
    v->published = dup(ra, pa->published ? pa->published : (nvd ? nvd->published : NULL));
    free(ids.v);
    free(refs.v);
    free(cvss.v);
}

/* ---- per package ----------------------------------------------------------------------------- */

static bsn_code match_rows(struct matcher *m, const struct bsn_package *p,
                           const struct bsn_match_key *kp, struct bsn_err *err);

static bsn_code
match_package(struct matcher *m, const struct bsn_package *p, const char *os_ns,
              struct bsn_err *err)
{
    struct bsn_match_key k;
    bool ok = bsn_match_is_os_type(p->type) ? bsn_match_os_key(m->scratch, p, os_ns, &k)
                                            : bsn_match_lang_key(m->scratch, p, &k);
    if (!ok)
        return BSN_OK;
    /* everything the rows are matched on: key, type, arch and rpm module */
    const char *key = bsn_arena_printf(m->scratch, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                                       k.namespace, k.name, k.version, p->type,
                                       p->arch ? p->arch : "", p->module ? p->module : "");
    struct same_entry *se = bsn_map_get(&m->same, key, strlen(key));
    if (se) {
        for (size_t j = 0; j < se->count; j++) {
            m->out = bsn_xgrow(m->out, &m->cap_out, m->n_out + 1, sizeof(*m->out));
            struct bsn_vuln *v = &m->out[m->n_out];
            *v = m->out[se->start + j];
            v->pkg = p;
            v->installed_version = installed_of(m->r->arena, p);
            m->n_out++;
        }
        return BSN_OK;
    }
    size_t start = m->n_out;
    BSN_TRY(match_rows(m, p, &k, err));
    se = bsn_arena_alloc(m->cache_a, sizeof(*se));
    se->start = start;
    se->count = m->n_out - start;
    key = bsn_arena_strdup(m->cache_a, key);
    bsn_map_put(&m->same, key, strlen(key), se);
    return BSN_OK;
}

/* Looks the key up and turns the rows that apply into findings for p. */
static bsn_code
match_rows(struct matcher *m, const struct bsn_package *p, const struct bsn_match_key *kp,
           struct bsn_err *err)
{
    struct bsn_match_key k = *kp;
    struct bsn_vdb_hit *rows = NULL;
    size_t n = 0;
    if (bsn_vdb_lookup(m->db, k.namespace, k.name, m->scratch, &rows, &n, err) != BSN_OK)
        return bsn_err_prefix(err, "package '%s'", p->name);
    if (!n)
        return BSN_OK;

    size_t cap = n, nh = 0;
    struct hit *hits = bsn_arena_alloc_array(m->scratch, cap, sizeof(*hits));
    for (size_t i = 0; i < n; i++) {
        const char *fixed;
        if (!rows[i].adv || !rows[i].aff || !rows[i].adv->id)
            continue;
        if (!row_matches(m, p, &k, &rows[i], &fixed))
            continue;
        /* A distro advisory bundling several CVEs (a DSA, DLA, USN, RHSA …) is one finding
         * per CVE, the advisory's id among each one's aliases: the bundle id must not join
         * the CVEs into one. */
        const struct bsn_adv *a = rows[i].adv;
        size_t ncve = 0;
        for (size_t j = 0; j < a->n_aliases; j++)
            ncve += is_cve(a->aliases[j]);
        size_t parts = (!is_cve(a->id) && ncve >= 2) ? ncve : 1;
        if (nh + parts > cap) {
            size_t ncap = (nh + parts) * 2;
            struct hit *nhits = bsn_arena_alloc_array(m->scratch, ncap, sizeof(*nhits));
            memcpy(nhits, hits, nh * sizeof(*hits));
            hits = nhits;
            cap = ncap;
        }
        for (size_t j = 0, part = 0; part < parts; j++) {
            struct hit *h = &hits[nh];
            h->h = &rows[i];
            h->bundle = NULL;
            if (parts > 1) {
                if (!is_cve(a->aliases[j]))
                    continue;
                struct bsn_vdb_hit *vh = bsn_arena_alloc(m->scratch, sizeof(*vh));
                struct bsn_adv *va = bsn_arena_memdup(m->scratch, a, sizeof(*a));
                va->id = a->aliases[j];
                va->aliases = NULL;
                va->n_aliases = 0;
                *vh = rows[i];
                vh->adv = va;
                h->h = vh;
                h->bundle = a->id;
            }
            h->label = hit_label(m->scratch, &rows[i]);
            h->group = nh;
            h->fixed = fixed;
            nh++;
            part++;
        }
    }
    if (!nh)
        return BSN_OK;

    /* union the rows sharing an id */
    struct bsn_map byid;
    bsn_map_init(&byid);
    for (size_t i = 0; i < nh; i++) {
        const struct bsn_adv *a = hits[i].h->adv;
        for (size_t j = 0; j <= a->n_aliases; j++) {
            const char *x = j == 0 ? a->id : a->aliases[j - 1];
            if (!x || !*x)
                continue;
            void *prev = bsn_map_get(&byid, x, strlen(x));
            if (!prev) {
                bsn_map_put(&byid, x, strlen(x), (void *)(uintptr_t)(i + 1));
                continue;
            }
            size_t ra = uf_find(hits, (size_t)(uintptr_t)prev - 1), rb = uf_find(hits, i);
            if (ra != rb)
                hits[ra > rb ? ra : rb].group = ra < rb ? ra : rb;
        }
    }
    bsn_map_release(&byid);
    for (size_t i = 0; i < nh; i++)
        if (uf_find(hits, i) == i)
            emit_group(m, p, &k, hits, nh, i);
    return BSN_OK;
}

/* ---- warnings about the OS and the database -------------------------------------------------- */

static const char *
os_label(struct bsn_result *r)
{
    return bsn_arena_printf(r->arena, "%s %s", r->os.family ? r->os.family : "unknown",
                            r->os.version ? r->os.version : "");
}

static const char *
check_os(struct matcher *m, int64_t now)
{
    struct bsn_result *r = m->r;
    size_t n_os = 0;
    for (size_t i = 0; i < r->n_packages; i++)
        if (bsn_match_is_os_type(r->packages[i].type))
            n_os++;
    if (!r->has_os) {
        if (n_os)
            add_diag(r, "%zu os packages found but no distribution was recognised: they were "
                        "not checked for vulnerabilities", n_os);
        return NULL;
    }
    const char *ns = bsn_match_os_namespace(r->arena, &r->os);
    if (!ns) {
        add_diag(r, "os '%s' is not supported by the vulnerability database: its packages "
                    "were not checked", os_label(r));
        return NULL;
    }
    int64_t eol = bsn_match_os_eol(&r->os);
    if (eol && now >= eol) {
        char d[32];
        fmt_date(eol, d);
        r->os.eosl = true;
        add_diag(r, "os '%s' reached end of life on %s: it gets no more security fixes and "
                    "the findings may be incomplete", os_label(r), d);
    }
    if (!bsn_vdb_has_namespace(m->db, ns))
        add_diag(r, "os '%s' is unknown to the vulnerability database (no '%s' advisories): "
                    "its packages were not checked", os_label(r), ns);
    else if (!n_os)
        add_diag(r, "os '%s' detected but no os package database was found", os_label(r));
    return ns;
}

static void
check_db_age(struct matcher *m, int64_t now)
{
    int64_t built = bsn_vdb_built_at(m->db);
    if (!m->o->db_max_age_s || built <= 0 || now - built <= (int64_t)m->o->db_max_age_s)
        return;
    char d[32];
    fmt_date(built, d);
    add_diag(m->r, "vulnerability database is stale: built %s, more than %llu days ago; run "
                   "'bosun db update'", d,
             (unsigned long long)(m->o->db_max_age_s / 86400));
}

bsn_code
bsn_match(struct bsn_vdb *db, struct bsn_result *r, const struct bsn_scan_opts *o,
          struct bsn_err *err)
{
    struct matcher m = { .db = db, .r = r, .o = o };
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    bsn_code rc = BSN_OK;

    m.scratch = bsn_arena_new();
    m.cache_a = bsn_arena_new();
    bsn_map_init(&m.nvd);
    bsn_map_init(&m.same);
    check_db_age(&m, now);
    const char *os_ns = check_os(&m, now);
    for (size_t i = 0; i < r->n_packages && rc == BSN_OK; i++) {
        struct bsn_arena_mark mk = bsn_arena_mark(m.scratch);
        rc = match_package(&m, &r->packages[i], os_ns, err);
        bsn_arena_rewind(m.scratch, mk);
    }
    if (m.range_errors > MAX_RANGE_DIAGS)
        add_diag(r, "%zu more advisories with unreadable ranges were skipped",
                 m.range_errors - MAX_RANGE_DIAGS);
    if (rc == BSN_OK && m.n_out) {
        struct bsn_vuln *v = bsn_arena_alloc_array(r->arena, r->n_vulns + m.n_out, sizeof(*v));
        if (r->n_vulns)
            memcpy(v, r->vulns, r->n_vulns * sizeof(*v));
        memcpy(v + r->n_vulns, m.out, m.n_out * sizeof(*v));
        r->vulns = v;
        r->n_vulns += m.n_out;
    }
    free(m.out);
    bsn_map_release(&m.same);
    bsn_map_release(&m.nvd);
    bsn_arena_free(m.cache_a);
    bsn_arena_free(m.scratch);
    return rc;
}
