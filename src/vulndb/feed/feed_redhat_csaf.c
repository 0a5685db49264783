/*
 * Red Hat CSAF 2.0 importer: the per-CVE VEX documents
 * (https://security.access.redhat.com/data/csaf/v2/vex/YYYY/cve-YYYY-NNNN.json, and the beta
 * vex-feed/) and the RHSA advisories (…/csaf/v2/advisories/YYYY/rhsa-YYYY_NNNN.json). Spec:
 * https://docs.oasis-open.org/csaf/csaf/v2.0/csaf-v2.0.html; Red Hat's notes:
 * https://www.redhat.com/en/blog/vulnerability-exploitability-exchange-vex-beta-files-now-available
 *
 * - product_tree: branches (vendor > product_family > product_name with a CPE, and
 *   product_version / architecture > product_version with a purl) give each product id its CPE
 *   or purl; relationships ("default_component_of") make ids like
 *   "AppStream-9.4.0.GA:openssl-1:3.0.7-27.el9.x86_64" (component of platform) and, for module
 *   streams, chains "AppStream-8.10.0.Z.MAIN.EUS:postgresql:12:810…:489197e6:pg_repack-0:…"
 *   (rpm in module in platform).
 * - Only mainline RHEL platforms are kept: a CPE "cpe:/[ao]:redhat:enterprise_linux:N…" gives
 *   namespace "rhel:N"; EUS/AUS/E4S/TUS/ELS ("rhel_eus" …) and other products are left out.
 * - Module streams: the 2024 encoding names the module as a component with a
 *   "pkg:rpmmod/redhat/postgresql@12:8100020240814102525:489197e6" purl; documents from 2025 on
 *   put "?rpmmod=perl-FCGI:0.78:8060020250604201935:58afc690" on the pkg:rpm purl. Both become
 *   module "name:stream". A qualifier without a stream ("rpmmod=rhel10", seen in vex-feed) is
 *   a malformed product: skipped with a warning.
 * - product_status: fixed / first_fixed rows carry the fixed EVR "E:V-R" from the purl (epoch
 *   qualifier, 0 when absent); known_affected rows are unfixed with the status of their
 *   remediation: "Will not fix" -> will_not_fix, "Fix deferred" -> fix_deferred, "Out of
 *   support scope" -> end_of_life, "Affected" (or none) -> affected. known_not_affected and
 *   under_investigation add nothing.
 * - threats of category "impact" (Low/Moderate/Important/Critical) are the per-package vendor
 *   severity; document.aggregate_severity the advisory's.
 * - VEX documents become one advisory per vulnerability (the CVE); an RHSA document one
 *   advisory with its id and the CVEs as aliases (the matcher splits it per CVE). vuls' 2024
 *   copies of advisories carry "category": "csaf_vex": the tracking id decides.
 * - claircore's ".jsonl" fixtures hold one document per line.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/map.h"
#include "textfmt/purl.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_TREE_DEPTH 24
#define MAX_CHAIN 8
#define MAX_REFS 64

struct prod {
    const char *cpe;     /* platform products */
    const char *purl;    /* components */
    const char *ref;     /* relationship: component product id */
    const char *parent;  /* relationship: platform (or module-in-platform) product id */
};

struct rh_ctx {
    struct bsn_vdb_import *im;
    struct bsn_arena *a;
    const char *path;
    const char *record;   /* for warnings */
    struct bsn_map prods; /* product id -> struct prod */
    struct bsn_map seen;  /* dedupe key of affected rows */
    struct bsn_adv_affected *aff;
    size_t n_aff, cap_aff;
    size_t warned;
};

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

static bool
rh_detect(const char *path, const unsigned char *head, size_t n)
{
    if (!bsn_cstr_ends(path, ".json") && !bsn_cstr_ends(path, ".jsonl"))
        return false;
    const char *h = (const char *)head;
    return memmem(h, n, "\"csaf_version\"", 14) &&
           (memmem(h, n, "Red Hat", 7) || memmem(h, n, "redhat.com", 10));
}

static struct prod *
prod_get(struct rh_ctx *c, const char *id)
{
    struct prod *p = bsn_map_get(&c->prods, id, strlen(id));
    if (!p) {
        p = bsn_arena_alloc(c->a, sizeof(*p));
        memset(p, 0, sizeof(*p));
        bsn_map_put(&c->prods, id, strlen(id), p);
    }
    return p;
}

static void
add_product(struct rh_ctx *c, const json_t *product)
{
    const char *id = jstr(product, "product_id");
    if (!id)
        return;
    const json_t *helper = json_object_get(product, "product_identification_helper");
    const char *cpe = jstr(helper, "cpe"), *purl = jstr(helper, "purl");
    if (!cpe && !purl)
        return;
    struct prod *p = prod_get(c, id);
    if (cpe)
        p->cpe = cpe;
    if (purl)
        p->purl = purl;
}

static void
walk_branches(struct rh_ctx *c, const json_t *branches, int depth)
{
    if (depth > MAX_TREE_DEPTH || !json_is_array(branches))
        return;
    size_t i;
    json_t *b;
    json_array_foreach(branches, i, b) {
        add_product(c, json_object_get(b, "product"));
        walk_branches(c, json_object_get(b, "branches"), depth + 1);
    }
}

static void
read_tree(struct rh_ctx *c, const json_t *tree)
{
    walk_branches(c, json_object_get(tree, "branches"), 0);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(tree, "full_product_names"), i, e)
        add_product(c, e);
    json_array_foreach(json_object_get(tree, "relationships"), i, e) {
        const json_t *fpn = json_object_get(e, "full_product_name");
        const char *id = jstr(fpn, "product_id");
        const char *ref = jstr(e, "product_reference");
        const char *parent = jstr(e, "relates_to_product_reference");
        if (!id || !ref || !parent)
            continue;
        struct prod *p = prod_get(c, id);
        p->ref = ref;
        p->parent = parent;
    }
}

/* "cpe:/a:redhat:enterprise_linux:9::appstream" -> "rhel:9"; NULL for other products. */
static const char *
cpe_namespace(struct bsn_arena *a, const char *cpe)
{
    static const char *const pre[] = { "cpe:/o:redhat:enterprise_linux:",
                                       "cpe:/a:redhat:enterprise_linux:" };
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(pre[i]);
        if (strncmp(cpe, pre[i], n) != 0)
            continue;
        const char *v = cpe + n;
        size_t d = 0;
        while (v[d] >= '0' && v[d] <= '9')
            d++;
        if (d == 0 || d > 3 || (v[d] && v[d] != ':' && v[d] != '.'))
            return NULL;
        return bsn_arena_printf(a, "rhel:%.*s", (int)d, v);
    }
    return NULL;
}

/* "name:stream[:version:context]" -> "name:stream"; NULL when there is no stream. */
static const char *
module_stream(struct bsn_arena *a, const char *s)
{
    const char *c1 = strchr(s, ':');
    if (!c1 || c1 == s || !c1[1] || c1[1] == ':')
        return NULL;
    const char *c2 = strchr(c1 + 1, ':');
    return c2 ? bsn_arena_strndup(a, s, (size_t)(c2 - s)) : bsn_arena_strdup(a, s);
}

struct resolved {
    const char *ns;
    const char *name;
    const char *evr;     /* "E:V-R" or NULL (unversioned component) */
    const char *module;
};

/* Resolves a product id of product_status into namespace, rpm name, EVR and module. False
 * when the product is not a mainline RHEL rpm; *bad says it was malformed. */
static bool
resolve(struct rh_ctx *c, const char *id, struct resolved *r, bool *bad)
{
    memset(r, 0, sizeof(*r));
    *bad = false;
    const struct prod *p = bsn_map_get(&c->prods, id, strlen(id));
    if (!p || !p->ref)
        return false;
    const struct prod *leaf = bsn_map_get(&c->prods, p->ref, strlen(p->ref));
    if (!leaf || !leaf->purl)
        return false;
    if (strncmp(leaf->purl, "pkg:rpm/", 8) != 0)
        return false;
    struct bsn_purl pu;
    struct bsn_err e = { 0 };
    if (bsn_purl_parse(c->a, leaf->purl, &pu, &e) != BSN_OK || !pu.name) {
        *bad = true;
        return false;
    }
    r->name = pu.name;
    const char *mq = bsn_purl_qualifier(&pu, "rpmmod");
    if (mq && *mq) {
        r->module = module_stream(c->a, mq);
        if (!r->module) {
            *bad = true;
            return false;
        }
    }
    const char *parent = p->parent;
    for (int depth = 0; parent && depth < MAX_CHAIN; depth++) {
        const struct prod *pp = bsn_map_get(&c->prods, parent, strlen(parent));
        if (!pp)
            return false;
        if (pp->cpe && !pp->ref) {
            r->ns = cpe_namespace(c->a, pp->cpe);
            break;
        }
        if (!pp->ref)
            return false;
        /* a module inside a platform */
        const struct prod *mod = bsn_map_get(&c->prods, pp->ref, strlen(pp->ref));
        if (!r->module && mod && mod->purl && strncmp(mod->purl, "pkg:rpmmod/", 11) == 0) {
            struct bsn_purl mp;
            struct bsn_err me = { 0 };
            if (bsn_purl_parse(c->a, mod->purl, &mp, &me) == BSN_OK && mp.version)
                r->module = bsn_arena_printf(c->a, "%s:%.*s", mp.name,
                                             (int)strcspn(mp.version, ":"), mp.version);
        }
        parent = pp->parent;
    }
    if (!r->ns)
        return false;
    if (pu.version && *pu.version) {
        const char *ep = bsn_purl_qualifier(&pu, "epoch");
        r->evr = bsn_arena_printf(c->a, "%s:%s", ep && *ep ? ep : "0", pu.version);
    }
    return true;
}

static void
add_row(struct rh_ctx *c, const struct bsn_adv_affected *f)
{
    const char *key = bsn_arena_printf(c->a, "%s\x1f%s\x1f%s\x1f%s\x1f%d\x1f%s", f->namespace,
                                       f->package, f->fixed ? f->fixed : "",
                                       f->module ? f->module : "", (int)f->status,
                                       f->severity ? f->severity : "");
    if (bsn_map_get(&c->seen, key, strlen(key)))
        return;
    bsn_map_put(&c->seen, key, strlen(key), (void *)1);
    if (c->n_aff == c->cap_aff) {
        size_t ncap = c->cap_aff ? c->cap_aff * 2 : 16;
        struct bsn_adv_affected *n = bsn_arena_alloc_array(c->a, ncap, sizeof(*n));
        if (c->n_aff)
            memcpy(n, c->aff, c->n_aff * sizeof(*n));
        c->aff = n;
        c->cap_aff = ncap;
    }
    c->aff[c->n_aff++] = *f;
}

/* Status of an unfixed product from the remediation naming it. */
static enum bsn_vuln_status
remediation_status(const char *details)
{
    if (!details)
        return BSN_STATUS_AFFECTED;
    if (strncasecmp(details, "Will not fix", 12) == 0)
        return BSN_STATUS_WILL_NOT_FIX;
    if (strncasecmp(details, "Fix deferred", 12) == 0)
        return BSN_STATUS_FIX_DEFERRED;
    if (strncasecmp(details, "Out of support scope", 20) == 0)
        return BSN_STATUS_END_OF_LIFE;
    return BSN_STATUS_AFFECTED;
}

/* product id -> value maps of one vulnerability (remediation details, impact). */
static void
map_products(struct bsn_map *m, const json_t *ids, const char *value)
{
    size_t i;
    json_t *e;
    json_array_foreach(ids, i, e) {
        const char *id = json_string_value(e);
        if (id && *id)
            bsn_map_put(m, id, strlen(id), (void *)(uintptr_t)value);
    }
}

static void
warn_bad(struct rh_ctx *c, const char *id)
{
    /* one warning per product id would flood: the first few, then silence */
    if (c->warned++ < 4)
        bsn_vdb_warn(c->im, c->path, c->record, "malformed product '%s' skipped", id);
}

static void
vuln_rows(struct rh_ctx *c, const json_t *v)
{
    struct bsn_map status, sev;
    bsn_map_init(&status);
    bsn_map_init(&sev);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(v, "remediations"), i, e) {
        const char *cat = jstr(e, "category");
        if (cat && (strcmp(cat, "no_fix_planned") == 0 || strcmp(cat, "none_available") == 0))
            map_products(&status, json_object_get(e, "product_ids"),
                         jstr(e, "details") ? jstr(e, "details") : "");
    }
    json_array_foreach(json_object_get(v, "threats"), i, e) {
        const char *cat = jstr(e, "category"), *d = jstr(e, "details");
        const char *s = d ? bsn_vdb_severity_word(d, strlen(d)) : NULL;
        if (cat && strcmp(cat, "impact") == 0 && s)
            map_products(&sev, json_object_get(e, "product_ids"), s);
    }
    const json_t *ps = json_object_get(v, "product_status");
    static const char *const lists[] = { "fixed", "first_fixed", "known_affected" };
    for (size_t l = 0; l < 3; l++) {
        bool fixed = l < 2;
        json_array_foreach(json_object_get(ps, lists[l]), i, e) {
            const char *id = json_string_value(e);
            struct resolved r;
            bool bad;
            if (!id || !*id)
                continue;
            if (!resolve(c, id, &r, &bad)) {
                if (bad)
                    warn_bad(c, id);
                continue;
            }
            if (fixed && !r.evr)
                continue;
            struct bsn_adv_affected f = { .namespace = r.ns, .package = r.name,
                                          .scheme = "rpm", .module = r.module };
            f.severity = bsn_map_get(&sev, id, strlen(id));
            if (fixed) {
                f.fixed = r.evr;
                f.status = BSN_STATUS_FIXED;
            } else {
                const char *d = bsn_map_get(&status, id, strlen(id));
                f.status = remediation_status(d && *d ? d : NULL);
            }
            add_row(c, &f);
        }
    }
    bsn_map_release(&status);
    bsn_map_release(&sev);
}

static void
vuln_meta(const json_t *v, struct bsn_adv *adv, struct bsn_cvss **cvss, size_t *n_cvss,
          const char ***refs, size_t *n_refs)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(v, "notes"), i, e) {
        const char *cat = jstr(e, "category");
        if (!adv->description && cat && strcmp(cat, "description") == 0)
            adv->description = jstr(e, "text");
        if (!adv->summary && cat && strcmp(cat, "summary") == 0)
            adv->summary = jstr(e, "text");
    }
    if (!adv->published)
        adv->published = jstr(v, "release_date");
    json_array_foreach(json_object_get(v, "scores"), i, e) {
        static const char *const keys[] = { "cvss_v3", "cvss_v2", "cvss_v4" };
        for (size_t k = 0; k < 3; k++) {
            const json_t *s = json_object_get(e, keys[k]);
            const char *vec = jstr(s, "vectorString"), *ver = jstr(s, "version");
            if (!vec || !ver)
                continue;
            bool dup = false;
            for (size_t j = 0; j < *n_cvss && !dup; j++)
                dup = strcmp((*cvss)[j].vector, vec) == 0;
            if (dup || *n_cvss >= 16)
                continue;
            struct bsn_cvss *cv = &(*cvss)[(*n_cvss)++];
            cv->source = "redhat";
            cv->version = ver;
            cv->vector = vec;
            const json_t *bs = json_object_get(s, "baseScore");
            cv->score = json_is_number(bs) ? json_number_value(bs) : bsn_vdb_cvss_score(vec);
        }
    }
    json_array_foreach(json_object_get(v, "references"), i, e) {
        const char *u = jstr(e, "url");
        if (u && *n_refs < MAX_REFS)
            (*refs)[(*n_refs)++] = u;
    }
    json_array_foreach(json_object_get(v, "remediations"), i, e) {
        const char *u = jstr(e, "url"), *cat = jstr(e, "category");
        if (!u || !cat || strcmp(cat, "vendor_fix") != 0 || *n_refs >= MAX_REFS)
            continue;
        bool dup = false;
        for (size_t j = 0; j < *n_refs && !dup; j++)
            dup = strcmp((*refs)[j], u) == 0;
        if (!dup)
            (*refs)[(*n_refs)++] = u;
    }
}

static bool
is_errata_id(const char *id)
{
    return id && (strncmp(id, "RHSA-", 5) == 0 || strncmp(id, "RHBA-", 5) == 0 ||
                  strncmp(id, "RHEA-", 5) == 0);
}

static void
import_doc(struct rh_ctx *c, const json_t *j)
{
    const json_t *doc = json_object_get(j, "document");
    const json_t *tracking = json_object_get(doc, "tracking");
    const char *tid = jstr(tracking, "id");
    const char *agg = jstr(json_object_get(doc, "aggregate_severity"), "text");
    const json_t *vulns = json_object_get(j, "vulnerabilities");
    if (!json_is_object(doc) || !json_is_array(vulns)) {
        bsn_vdb_warn(c->im, c->path, tid ? tid : "document",
                     "not a CSAF document: no \"document\" or \"vulnerabilities\"");
        return;
    }
    c->record = tid ? tid : "document";
    read_tree(c, json_object_get(j, "product_tree"));
    bool errata = is_errata_id(tid);

    struct bsn_cvss *cvss = bsn_arena_alloc_array(c->a, 16, sizeof(*cvss));
    const char **refs = bsn_arena_alloc_array(c->a, MAX_REFS, sizeof(*refs));
    size_t nv = json_array_size(vulns);
    const char **cves = bsn_arena_alloc_array(c->a, nv ? nv : 1, sizeof(*cves));
    size_t n_cves = 0;
    struct bsn_adv adv = { 0 };
    size_t n_cvss = 0, n_refs = 0;
    size_t i;
    json_t *v;
    json_array_foreach(vulns, i, v) {
        const char *cve = jstr(v, "cve");
        if (!errata) {
            if (!cve) {
                bsn_vdb_warn(c->im, c->path, c->record, "vulnerability %zu has no \"cve\"", i);
                continue;
            }
            memset(&adv, 0, sizeof(adv));
            n_cvss = n_refs = 0;
            c->n_aff = c->cap_aff = 0;
            c->aff = NULL;
            bsn_map_release(&c->seen);
            bsn_map_init(&c->seen);
            c->record = cve;
        } else if (cve) {
            cves[n_cves++] = cve;
        }
        vuln_rows(c, v);
        vuln_meta(v, &adv, &cvss, &n_cvss, &refs, &n_refs);
        if (!adv.summary)
            adv.summary = jstr(v, "title");
        const char *cwe = jstr(json_object_get(v, "cwe"), "id");
        if (!errata) {
            adv.id = cve;
            adv.summary = adv.summary ? adv.summary : jstr(doc, "title");
            adv.modified = jstr(tracking, "current_release_date");
            adv.severity = agg ? bsn_vdb_severity_word(agg, strlen(agg)) : NULL;
            adv.cvss = cvss;
            adv.n_cvss = n_cvss;
            adv.references = refs;
            adv.n_references = n_refs;
            adv.cwes = cwe ? bsn_arena_memdup(c->a, &cwe, sizeof(cwe)) : NULL;
            adv.n_cwes = cwe ? 1 : 0;
            adv.affected = c->aff;
            adv.n_affected = c->n_aff;
            bsn_vdb_emit(c->im, &adv);
        }
    }
    if (errata) {
        adv.id = tid;
        adv.summary = jstr(doc, "title");
        adv.description = NULL;
        json_t *e;
        json_array_foreach(json_object_get(doc, "notes"), i, e) {
            const char *cat = jstr(e, "category");
            if (!adv.description && cat && strcmp(cat, "general") == 0)
                adv.description = jstr(e, "text");
        }
        adv.published = jstr(tracking, "initial_release_date");
        adv.modified = jstr(tracking, "current_release_date");
        adv.severity = agg ? bsn_vdb_severity_word(agg, strlen(agg)) : NULL;
        adv.aliases = cves;
        adv.n_aliases = n_cves;
        adv.cvss = cvss;
        adv.n_cvss = n_cvss;
        adv.references = refs;
        adv.n_references = n_refs;
        adv.affected = c->aff;
        adv.n_affected = c->n_aff;
        bsn_vdb_emit(c->im, &adv);
    }
}

static void
import_one(struct bsn_vdb_import *im, const char *path, const char *data, size_t len,
           size_t line)
{
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_ALLOW_NUL, &je);
    if (!j || !json_is_object(j)) {
        char rec[32];
        snprintf(rec, sizeof(rec), line ? "line %zu" : "document", line);
        if (j)
            bsn_vdb_warn(im, path, rec, "not a JSON object");
        else
            bsn_vdb_warn(im, path, rec, "invalid JSON at line %d: %s", je.line, je.text);
        json_decref(j);
        return;
    }
    struct rh_ctx c = { .im = im, .a = bsn_vdb_scratch(im), .path = path };
    bsn_map_init(&c.prods);
    bsn_map_init(&c.seen);
    import_doc(&c, j);
    bsn_map_release(&c.prods);
    bsn_map_release(&c.seen);
    json_decref(j);
}

static bsn_code
rh_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
          struct bsn_err *err)
{
    (void)err;
    const char *s = (const char *)data;
    if (!bsn_cstr_ends(path, ".jsonl")) {
        import_one(im, path, s, len, 0);
        return BSN_OK;
    }
    size_t line = 0;
    while (len) {
        const char *nl = memchr(s, '\n', len);
        size_t n = nl ? (size_t)(nl - s) : len;
        line++;
        size_t k = 0;
        while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k < n)
            import_one(im, path, s, n, line);
        s += n;
        len -= n;
        if (nl) {
            s++;
            len--;
        }
    }
    return BSN_OK;
}

const struct bsn_feed bsn_feed_redhat_csaf = {
    .name = "redhat-csaf",
    .data_source = "redhat",
    .detect = rh_detect,
    .import_file = rh_import,
};
