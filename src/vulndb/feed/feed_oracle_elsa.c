/*
 * Oracle Linux ELSA advisories from Oracle's OVAL 5 definitions:
 * https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2 (or the per-year
 * com.oracle.elsa-YYYY.xml.bz2), plain, .bz2, .gz or .xz (decompressed with libarchive's raw
 * reader).
 *
 *   <definition id="oval:com.oracle.elsa:def:20070057" class="patch"><metadata>
 *     <title>ELSA-2007-0057:  Moderate: bind security update  (MODERATE)</title>
 *     <reference source="elsa" ref_id="ELSA-2007-0057"/><reference source="CVE" ref_id=…/>
 *     <description>…</description><advisory><severity>MODERATE</severity>
 *     <issued date="2007-06-26"/></advisory></metadata>
 *   <criteria operator="AND"><criterion comment="Oracle Linux 5 is installed"/>
 *     <criteria operator="OR"><criteria operator="AND">
 *       <criterion comment="Oracle Linux arch is x86_64"/>
 *       <criterion comment="bind is earlier than 30:9.3.3-8.el5"/>
 *       <criterion comment="bind is signed with the Oracle Linux 5 key"/>…
 *
 * - Rows come from the criterion comments, as vunnel reads them (its fixtures keep only the
 *   <definition> blocks, without tests, objects and states): "Oracle Linux N is installed"
 *   sets namespace oracle:N for its criteria subtree, "Oracle Linux arch is A" the arch,
 *   "Module virt:kvm_utils is enabled" the module stream, "NAME is earlier than E:V-R" is one
 *   fixed row. Dist tags ("el9" vs "el9_2") need no
 *   special case: rpm version comparison orders them.
 * - Ksplice definitions ("NAME is ksplice-based", fixed "2:1.1.1g-15.ksplice1.el8_3") describe
 *   Ksplice userspace patches with a raised epoch: they would flag every ordinary build, so
 *   those rows are left out (trivy does the same).
 * - A definition without an ELSA id, or without any platform, is skipped with a warning.
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
elsa_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (bsn_cstr_ends(base, ".xml"))
        return memmem(head, n, "com.oracle.elsa", 15) != NULL;
    if (!bsn_feed_xml_compressed(base))
        return false;
    return strstr(base, "elsa") || strstr(base, "ELSA") || strstr(path, "/oracle/");
}




struct rows {
    struct bsn_arena *a;
    struct bsn_adv_affected *v;
    size_t n, cap;
    const char *severity;
    bool ksplice; /* a ksplice-based subtree was seen */
};

struct ctx {
    const char *ns, *arch, *module;
    bool ksplice;
};

static void
add_row(struct rows *r, const struct ctx *c, const char *name, const char *fixed)
{
    const char *ns = c->ns, *arch = c->arch;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].namespace, ns) == 0 && strcmp(r->v[i].package, name) == 0 &&
            strcmp(r->v[i].fixed, fixed) == 0 && (r->v[i].module == c->module ||
            (r->v[i].module && c->module && strcmp(r->v[i].module, c->module) == 0))) {
            if (r->v[i].arch && (!arch || strcmp(r->v[i].arch, arch) != 0))
                r->v[i].arch = NULL; /* same fix on several arches: all */
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
    struct bsn_adv_affected f = { .namespace = ns, .package = name, .scheme = "rpm",
                                  .fixed = fixed, .status = BSN_STATUS_FIXED,
                                  .severity = r->severity, .arch = arch,
                                  .module = c->module };
    r->v[r->n++] = f;
}

/* "Oracle Linux 8 is installed" -> "oracle:8" */
static const char *
platform_ns(struct bsn_arena *a, const char *comment)
{
    return bsn_oval_platform_ns(a, comment, "Oracle Linux ", "oracle");
}

static void
walk(struct rows *r, const xmlNode *criteria, struct ctx c, int depth)
{
    if (depth > MAX_DEPTH)
        return;
    static const char arch_pre[] = "Oracle Linux arch is ";
    for (const xmlNode *n = criteria->children; n; n = n->next) {
        if (!bsn_xml_is(n, "criterion"))
            continue;
        const char *cm = bsn_xml_attr(r->a, n, "comment");
        if (!cm)
            continue;
        const char *ns = platform_ns(r->a, cm);
        if (ns)
            c.ns = ns;
        else if (strncmp(cm, arch_pre, sizeof(arch_pre) - 1) == 0)
            c.arch = cm + sizeof(arch_pre) - 1;
        else if (strncmp(cm, "Module ", 7) == 0 && bsn_cstr_ends(cm, " is enabled") &&
                 strlen(cm) > 18)
            c.module = bsn_arena_strndup(r->a, cm + 7, strlen(cm) - 18);
        else if (bsn_cstr_ends(cm, " is ksplice-based"))
            c.ksplice = r->ksplice = true;
    }
    static const char earlier[] = " is earlier than ";
    for (const xmlNode *n = criteria->children; n; n = n->next) {
        if (bsn_xml_is(n, "criteria")) {
            walk(r, n, c, depth + 1);
            continue;
        }
        if (!bsn_xml_is(n, "criterion") || !c.ns || c.ksplice)
            continue;
        const char *cm = bsn_xml_attr(r->a, n, "comment");
        const char *e = cm ? strstr(cm, earlier) : NULL;
        if (!e || e == cm)
            continue;
        const char *fixed = e + sizeof(earlier) - 1;
        if (!*fixed)
            continue;
        if (strstr(fixed, "ksplice")) {
            r->ksplice = true;
            continue;
        }
        add_row(r, &c, bsn_arena_strndup(r->a, cm, (size_t)(e - cm)), fixed);
    }
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
    size_t cap = 0;
    for (const xmlNode *m = meta ? meta->children : NULL; m; m = m->next)
        cap += bsn_xml_is(m, "reference");
    const char **al = bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*al));
    const char **refs = bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*refs));
    size_t n_al = 0, n_refs = 0;
    const char *sev = NULL;
    for (const xmlNode *m = meta ? meta->children : NULL; m; m = m->next) {
        if (bsn_xml_is(m, "title")) {
            adv.summary = bsn_xml_text(a, m);
        } else if (bsn_xml_is(m, "description")) {
            adv.description = bsn_xml_text(a, m);
        } else if (bsn_xml_is(m, "reference")) {
            const char *src = bsn_xml_attr(a, m, "source"), *id = bsn_xml_attr(a, m, "ref_id");
            const char *url = bsn_xml_attr(a, m, "ref_url");
            if (src && id && strcmp(src, "elsa") == 0 && !adv.id)
                adv.id = id;
            else if (src && id && strcmp(src, "CVE") == 0)
                al[n_al++] = id;
            if (url)
                refs[n_refs++] = url;
        } else if (bsn_xml_is(m, "advisory")) {
            for (const xmlNode *x = m->children; x; x = x->next) {
                if (bsn_xml_is(x, "severity"))
                    sev = bsn_xml_text(a, x);
                else if (bsn_xml_is(x, "issued"))
                    adv.published = bsn_xml_attr(a, x, "date");
            }
        }
    }
    const char *defid = bsn_xml_attr(a, def, "id");
    if (!adv.id) {
        bsn_vdb_warn(im, path, defid ? defid : "definition", "no ELSA reference: skipped");
        return;
    }
    adv.severity = sev ? bsn_vdb_severity_word(sev, strlen(sev)) : NULL;
    adv.aliases = al;
    adv.n_aliases = n_al;
    adv.references = refs;
    adv.n_references = n_refs;
    struct rows r = { .a = a, .severity = adv.severity };
    if (criteria)
        walk(&r, criteria, (struct ctx){ 0 }, 0);
    if (!r.n) {
        /* Ksplice-only definitions have nothing for ordinary builds: dropped silently */
        if (!r.ksplice)
            bsn_vdb_warn(im, path, adv.id, "no Oracle Linux packages: skipped");
        return;
    }
    adv.affected = r.v;
    adv.n_affected = r.n;
    bsn_vdb_emit(im, &adv);
}

static bsn_code
elsa_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
            struct bsn_err *err)
{
    (void)err;
    bsn_feed_oval_definitions(im, path, data, len, bsn_feed_xml_compressed(path),
                              import_definition);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_oracle_elsa = {
    .name = "oracle-elsa",
    .data_source = "oracle",
    .detect = elsa_detect,
    .import_file = elsa_import,
};
