/*
 * Red Hat OVAL (the fallback source beside CSAF VEX): v2 streams
 * https://security.access.redhat.com/data/oval/v2/RHEL9/rhel-9-including-unpatched.oval.xml.bz2
 * (feed.json and PULP_MANIFEST list them) and the older v1 com.redhat.rhsa-RHEL8.xml, plain or
 * .bz2/.gz/.xz (libarchive's raw reader).
 *
 * - class="patch" definitions are RHSAs (reference source="RHSA"), their CVEs aliases;
 *   class="vulnerability" definitions (the "unpatched" streams) are CVEs.
 * - Rows come from the criterion comments, as vunnel and claircore read them: "Red Hat
 *   Enterprise Linux 8 is installed" sets rhel:8 for its subtree (else the advisory's
 *   affected_cpe_list when it names one release), "Module nodejs:10 is enabled" the module
 *   stream, "NAME is earlier than E:V-R" a fixed row; in vulnerability definitions "NAME is
 *   installed" is an unfixed row whose status comes from <resolution state="Affected" /
 *   "Will not fix" / "Fix deferred" / "Out of support scope"> naming the component.
 *   "is not installed" and "is signed with" criteria add nothing.
 * - A definition with neither an RHSA nor a CVE reference is skipped with a warning; one
 *   without a RHEL package (other products) adds nothing.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/buf.h"
#include "vulndb/feed/feed_xml.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_DEPTH 32

static bool
rh_oval_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (bsn_cstr_ends(base, ".xml"))
        return memmem(head, n, "<oval_definitions", 17) && memmem(head, n, "oval:com.redhat.", 16);
    if (!bsn_feed_xml_compressed(base))
        return false;
    return strstr(base, "rhel-") || strstr(base, "rhsa") || strstr(base, "RHSA") ||
           strstr(path, "/RHEL");
}





struct rows {
    struct bsn_arena *a;
    struct bsn_adv_affected *v;
    size_t n, cap;
    const char *severity;
    bool unpatched;            /* class="vulnerability": "X is installed" rows are unfixed */
    const char **comp, **comp_state; /* resolution components and their states */
    size_t n_comp;
    const char *cpe_ns;        /* rhel:N from affected_cpe_list when it names one release */
};

struct ctx {
    const char *ns, *module;
};

static enum bsn_vuln_status
resolution_status(const char *state)
{
    if (!state)
        return BSN_STATUS_AFFECTED;
    if (strcmp(state, "Will not fix") == 0)
        return BSN_STATUS_WILL_NOT_FIX;
    if (strcmp(state, "Fix deferred") == 0)
        return BSN_STATUS_FIX_DEFERRED;
    if (strcmp(state, "Out of support scope") == 0)
        return BSN_STATUS_END_OF_LIFE;
    return BSN_STATUS_AFFECTED;
}

static void
add_row(struct rows *r, const struct ctx *c, const char *name, const char *fixed)
{
    enum bsn_vuln_status st = BSN_STATUS_FIXED;
    if (!fixed) {
        const char *state = NULL;
        for (size_t i = 0; i < r->n_comp; i++)
            if (strcmp(r->comp[i], name) == 0)
                state = r->comp_state[i];
        st = resolution_status(state);
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct bsn_adv_affected *o = &r->v[i];
        if (strcmp(o->namespace, c->ns) == 0 && strcmp(o->package, name) == 0 &&
            (o->fixed == fixed || (o->fixed && fixed && strcmp(o->fixed, fixed) == 0)) &&
            (o->module == c->module ||
             (o->module && c->module && strcmp(o->module, c->module) == 0)))
            return;
    }
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        struct bsn_adv_affected *nv = bsn_arena_alloc_array(r->a, ncap, sizeof(*nv));
        if (r->n)
            memcpy(nv, r->v, r->n * sizeof(*nv));
        r->v = nv;
        r->cap = ncap;
    }
    struct bsn_adv_affected f = { .namespace = c->ns, .package = name, .scheme = "rpm",
                                  .fixed = fixed, .status = st, .severity = r->severity,
                                  .module = c->module };
    r->v[r->n++] = f;
}

/* "Red Hat Enterprise Linux 8 is installed" -> "rhel:8" */
static const char *
platform_ns(struct bsn_arena *a, const char *comment)
{
    return bsn_oval_platform_ns(a, comment, "Red Hat Enterprise Linux ", "rhel");
}

static void
walk(struct rows *r, const xmlNode *criteria, struct ctx c, int depth)
{
    if (depth > MAX_DEPTH)
        return;
    for (const xmlNode *n = criteria->children; n; n = n->next) {
        if (!bsn_xml_is(n, "criterion"))
            continue;
        const char *cm = bsn_xml_attr(r->a, n, "comment");
        const char *ns = cm ? platform_ns(r->a, cm) : NULL;
        if (ns)
            c.ns = ns;
        else if (cm && strncmp(cm, "Module ", 7) == 0 && bsn_cstr_ends(cm, " is enabled") &&
                 strlen(cm) > 18)
            c.module = bsn_arena_strndup(r->a, cm + 7, strlen(cm) - 18);
    }
    static const char earlier[] = " is earlier than ", installed[] = " is installed";
    for (const xmlNode *n = criteria->children; n; n = n->next) {
        if (bsn_xml_is(n, "criteria")) {
            walk(r, n, c, depth + 1);
            continue;
        }
        const char *ns = c.ns ? c.ns : r->cpe_ns;
        if (!bsn_xml_is(n, "criterion") || !ns)
            continue;
        const char *cm = bsn_xml_attr(r->a, n, "comment");
        if (!cm || platform_ns(r->a, cm) || strncmp(cm, "Red Hat Enterprise Linux", 24) == 0)
            continue;
        struct ctx rc = { .ns = ns, .module = c.module };
        const char *e = strstr(cm, earlier);
        if (e && e != cm && e[sizeof(earlier) - 1]) {
            add_row(r, &rc, bsn_arena_strndup(r->a, cm, (size_t)(e - cm)),
                    e + sizeof(earlier) - 1);
        } else if (r->unpatched && bsn_cstr_ends(cm, installed) &&
                   strlen(cm) > sizeof(installed) - 1) {
            size_t nl = strlen(cm) - (sizeof(installed) - 1);
            if (!memchr(cm, ' ', nl))
                add_row(r, &rc, bsn_arena_strndup(r->a, cm, nl), NULL);
        }
    }
}

/* "cpe:/a:redhat:enterprise_linux:8::appstream" -> "rhel:8"; NULL when the list names none or
 * several releases. */
static const char *
cpe_list_ns(struct bsn_arena *a, const xmlNode *list)
{
    const char *ns = NULL;
    static const char *const pre[] = { "cpe:/o:redhat:enterprise_linux:",
                                       "cpe:/a:redhat:enterprise_linux:" };
    for (const xmlNode *c = list ? list->children : NULL; c; c = c->next) {
        const char *t = bsn_xml_is(c, "cpe") ? bsn_xml_text(a, c) : NULL;
        for (size_t i = 0; t && i < 2; i++) {
            size_t pl = strlen(pre[i]);
            if (strncmp(t, pre[i], pl) != 0)
                continue;
            size_t d = strspn(t + pl, "0123456789");
            if (!d || d > 3)
                continue;
            const char *x = bsn_arena_printf(a, "rhel:%.*s", (int)d, t + pl);
            if (ns && strcmp(ns, x) != 0)
                return NULL;
            ns = x;
        }
    }
    return ns;
}

static void
import_definition(struct bsn_vdb_import *im, const char *path, const xmlNode *def)
{
    struct bsn_arena *a = bsn_vdb_scratch(im);
    struct bsn_adv adv = { 0 };
    const xmlNode *meta = NULL, *criteria = NULL;
    for (const xmlNode *c = def->children; c; c = c->next) {
        if (bsn_xml_is(c, "metadata"))
            meta = c;
        else if (bsn_xml_is(c, "criteria"))
            criteria = c;
    }
    const char *cls = bsn_xml_attr(a, def, "class");
    struct rows r = { .a = a, .unpatched = cls && strcmp(cls, "vulnerability") == 0 };
    size_t cap = 0;
    for (const xmlNode *m = meta ? meta->children : NULL; m; m = m->next)
        cap += bsn_xml_is(m, "reference");
    const char **al = bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*al));
    const char **refs = bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*refs));
    size_t n_al = 0, n_refs = 0;
    const char *sev = NULL, *rhsa = NULL, *cve = NULL;
    for (const xmlNode *m = meta ? meta->children : NULL; m; m = m->next) {
        if (bsn_xml_is(m, "title")) {
            adv.summary = bsn_xml_text(a, m);
        } else if (bsn_xml_is(m, "description")) {
            adv.description = bsn_xml_text(a, m);
        } else if (bsn_xml_is(m, "reference")) {
            const char *src = bsn_xml_attr(a, m, "source"), *id = bsn_xml_attr(a, m, "ref_id");
            const char *url = bsn_xml_attr(a, m, "ref_url");
            if (src && id && strcmp(src, "RHSA") == 0 && !rhsa)
                rhsa = id;
            else if (src && id && strcmp(src, "CVE") == 0) {
                al[n_al++] = id;
                cve = cve ? cve : id;
            }
            if (url)
                refs[n_refs++] = url;
        } else if (bsn_xml_is(m, "advisory")) {
            for (const xmlNode *x = m->children; x; x = x->next) {
                if (bsn_xml_is(x, "severity"))
                    sev = bsn_xml_text(a, x);
                else if (bsn_xml_is(x, "issued"))
                    adv.published = bsn_xml_attr(a, x, "date");
                else if (bsn_xml_is(x, "updated"))
                    adv.modified = bsn_xml_attr(a, x, "date");
                else if (bsn_xml_is(x, "affected_cpe_list"))
                    r.cpe_ns = cpe_list_ns(a, x);
                else if (bsn_xml_is(x, "affected"))
                    for (const xmlNode *res = x->children; res; res = res->next) {
                        if (!bsn_xml_is(res, "resolution"))
                            continue;
                        const char *state = bsn_xml_attr(a, res, "state");
                        size_t nc = 0;
                        for (const xmlNode *k = res->children; k; k = k->next)
                            nc += bsn_xml_is(k, "component");
                        const char **cv = bsn_arena_alloc_array(a, r.n_comp + nc + 1,
                                                                sizeof(*cv));
                        const char **sv = bsn_arena_alloc_array(a, r.n_comp + nc + 1,
                                                                sizeof(*sv));
                        if (r.n_comp) {
                            memcpy(cv, r.comp, r.n_comp * sizeof(*cv));
                            memcpy(sv, r.comp_state, r.n_comp * sizeof(*sv));
                        }
                        for (const xmlNode *k = res->children; k; k = k->next) {
                            const char *t = bsn_xml_is(k, "component") ? bsn_xml_text(a, k) : NULL;
                            if (t) {
                                cv[r.n_comp] = t;
                                sv[r.n_comp++] = state;
                            }
                        }
                        r.comp = cv;
                        r.comp_state = sv;
                    }
            }
        }
    }
    const char *defid = bsn_xml_attr(a, def, "id");
    adv.id = rhsa ? rhsa : r.unpatched ? cve : NULL;
    if (!adv.id) {
        bsn_vdb_warn(im, path, defid ? defid : "definition", "no RHSA or CVE reference: skipped");
        return;
    }
    if (!rhsa) {
        /* a CVE definition: the CVE is the id, not an alias of itself */
        n_al = 0;
    }
    adv.severity = sev ? bsn_vdb_severity_word(sev, strlen(sev)) : NULL;
    r.severity = adv.severity;
    adv.aliases = al;
    adv.n_aliases = n_al;
    adv.references = refs;
    adv.n_references = n_refs;
    if (criteria)
        walk(&r, criteria, (struct ctx){ 0 }, 0);
    if (!r.n)
        return; /* definitions for other products (RHEL's "must be installed" only) */
    adv.affected = r.v;
    adv.n_affected = r.n;
    bsn_vdb_emit(im, &adv);
}

static bsn_code
rh_oval_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
            struct bsn_err *err)
{
    (void)err;
    bsn_feed_oval_definitions(im, path, data, len, bsn_feed_xml_compressed(path),
                              import_definition);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_redhat_oval = {
    .name = "redhat-oval",
    .data_source = "redhat",
    .detect = rh_oval_detect,
    .import_file = rh_oval_import,
};
