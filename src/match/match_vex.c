/*
 * VEX documents: statements that a product is (not) affected by a vulnerability.
 *
 * OpenVEX (https://github.com/openvex/spec, v0.2.0; v0.0.x's string forms accepted):
 *   {"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
 *     {"vulnerability": {"name": "CVE-…", "aliases": […]} | "CVE-…",
 *      "products": [{"@id": "pkg:…", "subcomponents": [{"@id": "pkg:…"}]} | "pkg:…"],
 *      "status": "not_affected" | "fixed" | "affected" | "under_investigation", …}]}
 *   A product with subcomponents (an image with its packages) speaks for the subcomponents;
 *   an image product alone (pkg:oci/NAME@sha256:… naming the scanned image by manifest or
 *   config digest, or pkg:oci/NAME by repository) speaks for every package in the image.
 *
 * CycloneDX VEX (1.4+, https://cyclonedx.org/capabilities/vex/):
 *   {"bomFormat": "CycloneDX", "components": [{"bom-ref": "…", "purl": "pkg:…"}],
 *    "vulnerabilities": [{"id": "CVE-…", "references": [{"id": "GHSA-…"}],
 *      "analysis": {"state": "not_affected" | "false_positive" | "resolved" | …},
 *      "affects": [{"ref": "pkg:…" | "bom-ref" | "urn:cdx:SERIAL/1#bom-ref"}]}]}
 *   not_affected and false_positive suppress as "vex:not_affected", resolved and
 *   resolved_with_pedigree as "vex:fixed"; exploitable and in_triage do not suppress.
 *
 * Statements later in a document (and in later documents) override earlier ones for the
 * same vulnerability and product. Documents are bounded by the caller's read cap; statement
 * and product counts by the document's size.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/map.h"
#include "base/xalloc.h"
#include "match/match_int.h"

void
bsn_vex_set_release(struct bsn_vex_set *s)
{
    free(s->stmts);
    if (s->indexed)
        bsn_map_release(&s->by_id);
    memset(s, 0, sizeof(*s));
}

void
bsn_vex_index(struct bsn_vex_set *s, struct bsn_arena *a)
{
    if (s->indexed)
        bsn_map_release(&s->by_id);
    bsn_map_init(&s->by_id);
    s->indexed = true;
    /* two passes: count the statements per id, then fill exact arrays */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < s->n; k++) {
            const struct bsn_vex_stmt *st = &s->stmts[k];
            for (size_t i = 0; i < st->n_ids; i++) {
                const char *id = st->ids[i];
                struct bsn_vex_idx *x = bsn_map_get(&s->by_id, id, strlen(id));
                if (!x) {
                    x = bsn_arena_alloc(a, sizeof(*x));
                    bsn_map_put(&s->by_id, id, strlen(id), x);
                }
                /* pass 0 counts (an id listed twice in a statement may count twice: the
                 * array is then a little larger than needed); pass 1 stores each once */
                if (pass == 0)
                    x->n++;
                else if (!x->n || x->stmt[x->n - 1] != k)
                    x->stmt[x->n++] = k;
            }
        }
        if (pass == 0) {
            size_t it = 0;
            struct bsn_map_slot *sl;
            while ((sl = bsn_map_next(&s->by_id, &it))) {
                struct bsn_vex_idx *x = sl->val;
                x->stmt = bsn_arena_alloc_array(a, x->n ? x->n : 1, sizeof(*x->stmt));
                x->n = 0;
            }
        }
    }
}

static const char *
jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

struct ids {
    const char **v;
    size_t n, cap;
};

static void
ids_add(struct bsn_arena *a, struct ids *ids, const char *s)
{
    if (!s || !*s)
        return;
    ids->v = bsn_xgrow(ids->v, &ids->cap, ids->n + 1, sizeof(*ids->v));
    ids->v[ids->n++] = bsn_arena_strdup(a, s);
}

struct prods {
    struct bsn_purl *v;
    size_t n, cap;
    size_t unresolved; /* products named but not understood (no purl) */
};

static void
prods_add(struct bsn_arena *a, struct prods *p, const char *s)
{
    struct bsn_purl pu;
    struct bsn_err e;
    if (!s || strncmp(s, "pkg:", 4) != 0 || bsn_purl_parse(a, s, &pu, &e) != BSN_OK) {
        p->unresolved++;
        return;
    }
    p->v = bsn_xgrow(p->v, &p->cap, p->n + 1, sizeof(*p->v));
    p->v[p->n++] = pu;
}

static void
push_stmt(struct bsn_arena *a, struct bsn_vex_set *set, struct ids *ids, struct prods *pr,
          const char *reason)
{
    /* A statement whose products were all unreadable speaks for nothing we can match. */
    if (!ids->n || (pr->n == 0 && pr->unresolved)) {
        free(ids->v);
        free(pr->v);
        return;
    }
    set->stmts = bsn_xgrow(set->stmts, &set->cap, set->n + 1, sizeof(*set->stmts));
    struct bsn_vex_stmt *st = &set->stmts[set->n++];
    st->ids = bsn_arena_memdup(a, ids->v, ids->n * sizeof(*ids->v));
    st->n_ids = ids->n;
    st->products = pr->n ? bsn_arena_memdup(a, pr->v, pr->n * sizeof(*pr->v)) : NULL;
    st->n_products = pr->n;
    st->reason = reason;
    free(ids->v);
    free(pr->v);
}

static const char *
openvex_reason(const char *status)
{
    if (!status)
        return NULL;
    if (strcmp(status, "not_affected") == 0)
        return "vex:not_affected";
    if (strcmp(status, "fixed") == 0)
        return "vex:fixed";
    return NULL;
}

static void
openvex_product(struct bsn_arena *a, struct prods *pr, json_t *p)
{
    if (json_is_string(p)) {
        prods_add(a, pr, json_string_value(p));
        return;
    }
    if (!json_is_object(p))
        return;
    json_t *subs = json_object_get(p, "subcomponents");
    if (json_is_array(subs) && json_array_size(subs)) {
        size_t i;
        json_t *s;
        json_array_foreach(subs, i, s)
        {
            if (json_is_string(s))
                prods_add(a, pr, json_string_value(s));
            else {
                const char *id = jstr(s, "@id");
                json_t *idents = json_object_get(s, "identifiers");
                prods_add(a, pr, id && strncmp(id, "pkg:", 4) == 0 ? id : jstr(idents, "purl"));
            }
        }
        return;
    }
    const char *id = jstr(p, "@id");
    json_t *idents = json_object_get(p, "identifiers");
    prods_add(a, pr, id && strncmp(id, "pkg:", 4) == 0 ? id : jstr(idents, "purl"));
}

static bsn_code
parse_openvex(struct bsn_arena *a, const char *name, json_t *doc, struct bsn_vex_set *set,
              struct bsn_err *err)
{
    json_t *stmts = json_object_get(doc, "statements");
    if (!json_is_array(stmts))
        return bsn_err_set(err, BSN_EFORMAT, "VEX document '%s': no \"statements\" array",
                           name);
    size_t i;
    json_t *st;
    json_array_foreach(stmts, i, st)
    {
        struct ids ids = { 0 };
        struct prods pr = { 0 };
        json_t *vul = json_object_get(st, "vulnerability");
        if (json_is_string(vul)) {
            ids_add(a, &ids, json_string_value(vul));
        } else if (json_is_object(vul)) {
            ids_add(a, &ids, jstr(vul, "name"));
            ids_add(a, &ids, jstr(vul, "@id"));
            size_t j;
            json_t *al;
            json_array_foreach(json_object_get(vul, "aliases"), j, al)
                ids_add(a, &ids, json_string_value(al));
        }
        size_t j;
        json_t *p;
        json_array_foreach(json_object_get(st, "products"), j, p)
            openvex_product(a, &pr, p);
        push_stmt(a, set, &ids, &pr, openvex_reason(jstr(st, "status")));
    }
    return BSN_OK;
}

static void
collect_components(struct bsn_arena *a, struct bsn_map *refs, json_t *comps, int depth)
{
    size_t i;
    json_t *c;
    if (depth > 32)
        return;
    json_array_foreach(comps, i, c)
    {
        const char *ref = jstr(c, "bom-ref"), *purl = jstr(c, "purl");
        if (ref && purl)
            bsn_map_put(refs, bsn_arena_strdup(a, ref), strlen(ref),
                        bsn_arena_strdup(a, purl));
        collect_components(a, refs, json_object_get(c, "components"), depth + 1);
    }
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The purl an "affects" ref designates, or NULL. */
static const char *
resolve_ref(struct bsn_arena *a, const struct bsn_map *refs, const char *ref)
{
    if (!ref)
        return NULL;
    if (strncmp(ref, "urn:cdx:", 8) == 0) {
        /* BOM-Link: the fragment is the bom-ref, percent-encoded */
        const char *h = strchr(ref, '#');
        if (!h)
            return NULL;
        size_t n = strlen(h + 1);
        char *d = bsn_arena_alloc(a, n + 1);
        size_t j = 0;
        for (const char *p = h + 1; *p; p++) {
            if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
                d[j++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
                p += 2;
            } else {
                d[j++] = *p;
            }
        }
        d[j] = '\0';
        ref = d;
    }
    const char *purl = bsn_map_get(refs, ref, strlen(ref));
    if (purl)
        return purl;
    return strncmp(ref, "pkg:", 4) == 0 ? ref : NULL;
}

static const char *
cdx_reason(const char *state)
{
    if (!state)
        return NULL;
    if (strcmp(state, "not_affected") == 0 || strcmp(state, "false_positive") == 0)
        return "vex:not_affected";
    if (strcmp(state, "resolved") == 0 || strcmp(state, "resolved_with_pedigree") == 0)
        return "vex:fixed";
    return NULL;
}

static bsn_code
parse_cyclonedx(struct bsn_arena *a, const char *name, json_t *doc, struct bsn_vex_set *set,
                struct bsn_err *err)
{
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (!json_is_array(vulns))
        return bsn_err_set(err, BSN_EFORMAT,
                           "VEX document '%s': CycloneDX without a \"vulnerabilities\" array",
                           name);
    struct bsn_map refs;
    bsn_map_init(&refs);
    json_t *meta_comp = json_object_get(json_object_get(doc, "metadata"), "component");
    if (json_is_object(meta_comp)) {
        const char *ref = jstr(meta_comp, "bom-ref"), *purl = jstr(meta_comp, "purl");
        if (ref && purl)
            bsn_map_put(&refs, bsn_arena_strdup(a, ref), strlen(ref),
                        bsn_arena_strdup(a, purl));
    }
    collect_components(a, &refs, json_object_get(doc, "components"), 0);
    size_t i;
    json_t *v;
    json_array_foreach(vulns, i, v)
    {
        struct ids ids = { 0 };
        struct prods pr = { 0 };
        ids_add(a, &ids, jstr(v, "id"));
        size_t j;
        json_t *x;
        json_array_foreach(json_object_get(v, "references"), j, x)
            ids_add(a, &ids, jstr(x, "id"));
        json_array_foreach(json_object_get(v, "affects"), j, x)
        {
            const char *purl = resolve_ref(a, &refs, jstr(x, "ref"));
            if (purl)
                prods_add(a, &pr, purl);
            else
                pr.unresolved++;
        }
        push_stmt(a, set, &ids, &pr,
                  cdx_reason(jstr(json_object_get(v, "analysis"), "state")));
    }
    bsn_map_release(&refs);
    return BSN_OK;
}

bsn_code
bsn_vex_parse(struct bsn_arena *a, const char *name, const char *data, size_t len,
              struct bsn_vex_set *set, struct bsn_err *err)
{
    json_error_t je;
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return bsn_err_set(err, BSN_EFORMAT, "VEX document '%s': line %d: %s", name, je.line,
                           je.text);
    bsn_code rc;
    if (!json_is_object(doc))
        rc = bsn_err_set(err, BSN_EFORMAT, "VEX document '%s': not a JSON object", name);
    else if (json_object_get(doc, "statements"))
        rc = parse_openvex(a, name, doc, set, err);
    else if (json_object_get(doc, "bomFormat") || json_object_get(doc, "vulnerabilities"))
        rc = parse_cyclonedx(a, name, doc, set, err);
    else
        rc = bsn_err_set(err, BSN_EFORMAT,
                         "VEX document '%s': neither OpenVEX nor CycloneDX VEX", name);
    json_decref(doc);
    return rc;
}

static bool
eq_opt(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool
bsn_vex_purl_match(const struct bsn_purl *p, const struct bsn_purl *pkg)
{
    if (!p->type || !pkg->type || strcasecmp(p->type, pkg->type) != 0 ||
        !eq_opt(p->namespace, pkg->namespace) || !eq_opt(p->name, pkg->name))
        return false;
    if (p->version && *p->version && !eq_opt(p->version, pkg->version))
        return false;
    for (size_t i = 0; i < p->n_qualifiers; i++) {
        const char *val = p->qualifiers[i].value;
        if (!val || !*val)
            continue;
        const char *pv = bsn_purl_qualifier(pkg, p->qualifiers[i].key);
        if (!pv || strcmp(pv, val) != 0)
            return false;
    }
    return true;
}

static bool
names_vuln(const struct bsn_vex_stmt *st, const struct bsn_vuln *v)
{
    for (size_t i = 0; i < st->n_ids; i++) {
        if (v->id && strcmp(st->ids[i], v->id) == 0)
            return true;
        for (size_t j = 0; j < v->n_aliases; j++)
            if (v->aliases[j] && strcmp(st->ids[i], v->aliases[j]) == 0)
                return true;
    }
    return false;
}

struct pkg_purl {
    struct bsn_arena *scratch;
    const struct bsn_vuln *v;
    bool parsed, ok;
    struct bsn_purl purl;
};

/* The digest after '@' in "name@sha256:…", or NULL. */
static const char *
at_digest(const char *ref)
{
    const char *at = ref ? strchr(ref, '@') : NULL;
    return at ? at + 1 : NULL;
}

/* Does ref ("docker.io/library/debian:12" or "…/debian@sha256:…") name repository name (its
 * last path component, as an OCI purl's name is)? */
static bool
ref_named(const char *ref, const char *name)
{
    if (!ref || !name)
        return false;
    size_t end = strcspn(ref, "@");
    const char *slash = NULL;
    for (const char *p = ref; p < ref + end; p++)
        if (*p == '/')
            slash = p;
    const char *last = slash ? slash + 1 : ref;
    size_t n = (size_t)(ref + end - last);
    /* a tag after the last ':' of the last component */
    const char *colon = memchr(last, ':', n);
    if (colon)
        n = (size_t)(colon - last);
    return strlen(name) == n && strncmp(last, name, n) == 0;
}

/* Is the OCI purl p the scanned image? By digest (config or manifest) when it has a version,
 * else by repository name. */
static bool
is_artifact(const struct bsn_purl *p, const struct bsn_image_info *im)
{
    if (!im)
        return false;
    if (p->version && *p->version) {
        if (im->id && strcmp(im->id, p->version) == 0)
            return true;
        for (size_t i = 0; i < im->n_repo_digests; i++) {
            const char *d = at_digest(im->repo_digests[i]);
            if (d && strcmp(d, p->version) == 0)
                return true;
        }
        return false;
    }
    for (size_t i = 0; i < im->n_repo_tags; i++)
        if (ref_named(im->repo_tags[i], p->name))
            return true;
    for (size_t i = 0; i < im->n_repo_digests; i++)
        if (ref_named(im->repo_digests[i], p->name))
            return true;
    return false;
}

/* Does statement st speak for v's package? */
static bool
covers(const struct bsn_vex_set *set, const struct bsn_vex_stmt *st, struct pkg_purl *pp)
{
    if (st->n_products == 0)
        return true;
    for (size_t i = 0; i < st->n_products; i++)
        if (st->products[i].type && strcasecmp(st->products[i].type, "oci") == 0 &&
            is_artifact(&st->products[i], set->artifact))
            return true;
    if (!pp->parsed) {
        struct bsn_err e;
        pp->parsed = true;
        pp->ok = pp->v->pkg && pp->v->pkg->purl &&
                 bsn_purl_parse(pp->scratch, pp->v->pkg->purl, &pp->purl, &e) == BSN_OK;
    }
    if (!pp->ok)
        return false;
    for (size_t i = 0; i < st->n_products; i++)
        if (bsn_vex_purl_match(&st->products[i], &pp->purl))
            return true;
    return false;
}

const char *
bsn_vex_verdict(const struct bsn_vex_set *set, struct bsn_arena *scratch,
                const struct bsn_vuln *v)
{
    struct pkg_purl pp = { .scratch = scratch, .v = v };
    if (!set->indexed) {
        for (size_t k = set->n; k-- > 0;)
            if (names_vuln(&set->stmts[k], v) && covers(set, &set->stmts[k], &pp))
                return set->stmts[k].reason;
        return NULL;
    }
    /* the last statement naming any of v's ids and covering its package wins */
    size_t best = 0;
    bool found = false;
    for (size_t i = 0; i <= v->n_aliases; i++) {
        const char *id = i == 0 ? v->id : v->aliases[i - 1];
        const struct bsn_vex_idx *x = id ? bsn_map_get(&set->by_id, id, strlen(id)) : NULL;
        for (size_t j = x ? x->n : 0; j-- > 0;) {
            if (found && x->stmt[j] <= best)
                break;
            if (covers(set, &set->stmts[x->stmt[j]], &pp)) {
                best = x->stmt[j];
                found = true;
                break;
            }
        }
    }
    return found ? set->stmts[best].reason : NULL;
}
