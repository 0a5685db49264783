/*
 * CycloneDX 1.6 JSON report ("cyclonedx"): an SBOM of the scanned artifact with its
 * vulnerabilities. Spec: https://cyclonedx.org/docs/1.6/json/; validated in the tests against
 * bom-1.6.schema.json (tests/data/schemas/cyclonedx).
 *
 *   metadata.component   the image (type "container", purl pkg:oci/NAME@sha256:… when the
 *                        image id is known) or the scanned directory / file
 *   components           the OS (type "operating-system") and one "library" per package, with
 *                        its purl (bom-ref = the purl; a purl seen twice, e.g. the same jar at
 *                        two paths, gets "-2", "-3" … appended), licenses by name, and
 *                        bosun:path / bosun:layer properties
 *   dependencies         the artifact depends on every component
 *   vulnerabilities      one per finding: id, source, ratings (each CVSS score and every
 *                        vendor severity), description, recommendation, advisories, published,
 *                        affects (the component's bom-ref and installed version) and analysis
 *                        (state "exploitable"; response "update" when a fix exists,
 *                        "will_not_fix" / "can_not_fix" for those statuses)
 *
 * Secrets and misconfigurations have no place in a BOM and are omitted. serialNumber is a
 * name-based UUID of the scan, so the same scan gives the same document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "report/report_int.h"

static json_t *
prop(const char *name, const char *value)
{
    json_t *p = json_object();
    bsn_rpt_set(p, "name", json_string(name));
    bsn_rpt_set(p, "value", bsn_rpt_jstr(value ? value : ""));
    return p;
}

static const char *
cvss_method(const struct bsn_cvss *c)
{
    const char *v = c->version ? c->version : "";
    if (strncmp(v, "3.1", 3) == 0 || (c->vector && strncmp(c->vector, "CVSS:3.1", 8) == 0))
        return "CVSSv31";
    if (v[0] == '3' || (c->vector && strncmp(c->vector, "CVSS:3", 6) == 0))
        return "CVSSv3";
    if (v[0] == '4' || (c->vector && strncmp(c->vector, "CVSS:4", 6) == 0))
        return "CVSSv4";
    if (v[0] == '2')
        return "CVSSv2";
    return "other";
}

static enum bsn_severity
band(double s)
{
    return s >= 9 ? BSN_SEV_CRITICAL
                  : s >= 7 ? BSN_SEV_HIGH : s >= 4 ? BSN_SEV_MEDIUM : s > 0 ? BSN_SEV_LOW
                                                                            : BSN_SEV_UNKNOWN;
}

static json_t *
source(const char *name)
{
    json_t *s = json_object();
    bsn_rpt_set(s, "name", bsn_rpt_jstr(name ? name : "unknown"));
    return s;
}

/* Component bom-refs, parallel to the sorted package array. */
static const char **
make_refs(const struct bsn_package **pkgs, size_t n, char **store)
{
    const char **refs = calloc(n + 1, sizeof(*refs));
    struct bsn_map seen;
    bsn_map_init(&seen);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (pkgs[i]->purl ? strlen(pkgs[i]->purl) : 0) + 32;
    char *buf = malloc(total + 1);
    if (!refs || !buf)
        abort();
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        char *r = buf + off;
        const char *purl = pkgs[i]->purl;
        int w;
        if (!purl || !*purl) {
            w = snprintf(r, total + 1 - off, "bosun-package-%zu", i + 1);
        } else {
            uintptr_t k = (uintptr_t)bsn_map_get(&seen, purl, strlen(purl));
            bsn_map_put(&seen, purl, strlen(purl), (void *)(k + 1));
            w = k ? snprintf(r, total + 1 - off, "%s-%zu", purl, (size_t)k + 1)
                  : snprintf(r, total + 1 - off, "%s", purl);
        }
        off += (size_t)w + 1;
        refs[i] = r;
    }
    bsn_map_release(&seen);
    *store = buf;
    return refs;
}

static bool
same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool
same_package(const struct bsn_package *a, const struct bsn_package *b)
{
    return same_str(a->type, b->type) && same_str(a->name, b->name) &&
           same_str(a->version, b->version) && same_str(a->path, b->path) &&
           same_str(a->purl, b->purl) && same_str(a->layer, b->layer);
}

static json_t *
component(const struct bsn_package *p, const char *ref)
{
    json_t *c = json_object();
    bsn_rpt_set(c, "bom-ref", json_string(ref));
    bsn_rpt_set(c, "type", json_string("library"));
    const char *name = p->name ? p->name : "unknown";
    const char *colon = p->type && strcmp(p->type, "maven") == 0 ? strchr(name, ':') : NULL;
    if (colon) {
        char grp[512];
        snprintf(grp, sizeof(grp), "%.*s", (int)(colon - name), name);
        bsn_rpt_set(c, "group", bsn_rpt_jstr(grp));
        bsn_rpt_set(c, "name", bsn_rpt_jstr(colon + 1));
    } else {
        bsn_rpt_set(c, "name", bsn_rpt_jstr(name));
    }
    if (p->version)
        bsn_rpt_set(c, "version", bsn_rpt_jstr(p->version));
    if (p->n_licenses) {
        json_t *ls = json_array();
        for (size_t i = 0; i < p->n_licenses; i++) {
            if (!p->licenses[i] || !*p->licenses[i])
                continue;
            json_t *l = json_object(), *li = json_object();
            bsn_rpt_set(li, "name", bsn_rpt_jstr(p->licenses[i]));
            bsn_rpt_set(l, "license", li);
            bsn_rpt_push(ls, l);
        }
        if (json_array_size(ls))
            bsn_rpt_set(c, "licenses", ls);
        else
            json_decref(ls);
    }
    if (p->purl && *p->purl)
        bsn_rpt_set(c, "purl", bsn_rpt_jstr(p->purl));
    json_t *props = json_array();
    bsn_rpt_push(props, prop("bosun:package_type", p->type));
    if (p->path)
        bsn_rpt_push(props, prop("bosun:path", p->path));
    if (p->layer)
        bsn_rpt_push(props, prop("bosun:layer", p->layer));
    if (p->source_name)
        bsn_rpt_push(props, prop("bosun:source_name", p->source_name));
    if (p->source_version)
        bsn_rpt_push(props, prop("bosun:source_version", p->source_version));
    bsn_rpt_set(c, "properties", props);
    return c;
}

static json_t *
vulnerability(const struct bsn_vuln *v, const char *ref)
{
    json_t *o = json_object();
    bsn_rpt_set(o, "id", bsn_rpt_jstr(v->id));
    json_t *src = source(v->data_source);
    if (v->n_references)
        bsn_rpt_set(src, "url", bsn_rpt_jstr(v->references[0]));
    bsn_rpt_set(o, "source", src);
    if (v->n_aliases) {
        json_t *refs = json_array();
        for (size_t i = 0; i < v->n_aliases; i++) {
            json_t *x = json_object();
            bsn_rpt_set(x, "id", bsn_rpt_jstr(v->aliases[i]));
            bsn_rpt_set(x, "source", source(strncmp(v->aliases[i], "GHSA-", 5) == 0 ? "ghsa"
                                            : strncmp(v->aliases[i], "CVE-", 4) == 0 ? "nvd"
                                                                                     : "other"));
            bsn_rpt_push(refs, x);
        }
        bsn_rpt_set(o, "references", refs);
    }
    json_t *ratings = json_array();
    for (size_t i = 0; i < v->n_cvss; i++) {
        const struct bsn_cvss *c = &v->cvss[i];
        json_t *r = json_object();
        bsn_rpt_set(r, "source", source(c->source));
        if (c->score > 0)
            bsn_rpt_set(r, "score", json_real(c->score));
        bsn_rpt_set(r, "severity", json_string(bsn_rpt_sev_lower(band(c->score))));
        bsn_rpt_set(r, "method", json_string(cvss_method(c)));
        if (c->vector)
            bsn_rpt_set(r, "vector", bsn_rpt_jstr(c->vector));
        bsn_rpt_push(ratings, r);
    }
    for (size_t i = 0; i < v->n_vendor_severity; i++) {
        json_t *r = json_object();
        bsn_rpt_set(r, "source", source(v->vendor_severity[i].source));
        bsn_rpt_set(r, "severity",
                    json_string(bsn_rpt_sev_lower(v->vendor_severity[i].severity)));
        bsn_rpt_push(ratings, r);
    }
    if (!json_array_size(ratings)) {
        json_t *r = json_object();
        bsn_rpt_set(r, "source", source(v->severity_source ? v->severity_source : "bosun"));
        bsn_rpt_set(r, "severity", json_string(bsn_rpt_sev_lower(v->severity)));
        bsn_rpt_push(ratings, r);
    }
    bsn_rpt_set(o, "ratings", ratings);
    if (v->description || v->title)
        bsn_rpt_set(o, "description", bsn_rpt_jstr(v->description ? v->description : v->title));
    if (v->fixed_version) {
        char rec[512];
        snprintf(rec, sizeof(rec), "Upgrade %s to version %s", v->pkg && v->pkg->name
                                                                   ? v->pkg->name : "the package",
                 v->fixed_version);
        bsn_rpt_set(o, "recommendation", bsn_rpt_jstr(rec));
    }
    if (v->n_references) {
        json_t *adv = json_array();
        for (size_t i = 0; i < v->n_references; i++) {
            json_t *a = json_object();
            bsn_rpt_set(a, "url", bsn_rpt_jstr(v->references[i]));
            bsn_rpt_push(adv, a);
        }
        bsn_rpt_set(o, "advisories", adv);
    }
    /* CycloneDX wants date-time: RFC 3339 with a time part */
    if (v->published && strlen(v->published) >= 20 && v->published[10] == 'T')
        bsn_rpt_set(o, "published", bsn_rpt_jstr(v->published));
    json_t *aff = json_object();
    bsn_rpt_set(aff, "ref", json_string(ref));
    json_t *vers = json_array();
    json_t *ver = json_object();
    bsn_rpt_set(ver, "version", bsn_rpt_jstr(v->installed_version
                                                 ? v->installed_version
                                                 : (v->pkg && v->pkg->version ? v->pkg->version
                                                                              : "unknown")));
    bsn_rpt_set(ver, "status", json_string("affected"));
    bsn_rpt_push(vers, ver);
    bsn_rpt_set(aff, "versions", vers);
    json_t *affects = json_array();
    bsn_rpt_push(affects, aff);
    bsn_rpt_set(o, "affects", affects);

    json_t *an = json_object();
    bsn_rpt_set(an, "state", json_string("exploitable"));
    json_t *resp = json_array();
    if (v->fixed_version)
        bsn_rpt_push(resp, json_string("update"));
    else if (v->status == BSN_STATUS_WILL_NOT_FIX)
        bsn_rpt_push(resp, json_string("will_not_fix"));
    else if (v->status == BSN_STATUS_END_OF_LIFE)
        bsn_rpt_push(resp, json_string("can_not_fix"));
    if (json_array_size(resp))
        bsn_rpt_set(an, "response", resp);
    else
        json_decref(resp);
    char detail[128];
    snprintf(detail, sizeof(detail), "status: %s", bsn_rpt_status(v->status));
    bsn_rpt_set(an, "detail", json_string(detail));
    bsn_rpt_set(o, "analysis", an);
    return o;
}

static bsn_code
cdx_write(const struct bsn_result *r, const struct bsn_report_opts *o, struct bsn_buf *out,
          struct bsn_err *err)
{
    char uuid[40];
    bsn_rpt_uuid(r, "cyclonedx", uuid);
    json_t *doc = json_object();
    bsn_rpt_set(doc, "$schema", json_string("http://cyclonedx.org/schema/bom-1.6.schema.json"));
    bsn_rpt_set(doc, "bomFormat", json_string("CycloneDX"));
    bsn_rpt_set(doc, "specVersion", json_string("1.6"));
    char serial[64];
    snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
    bsn_rpt_set(doc, "serialNumber", json_string(serial));
    bsn_rpt_set(doc, "version", json_integer(1));

    json_t *meta = json_object();
    if (r->created_at)
        bsn_rpt_set(meta, "timestamp", bsn_rpt_jstr(r->created_at));
    json_t *tools = json_object(), *tcomps = json_array(), *tool = json_object();
    bsn_rpt_set(tool, "type", json_string("application"));
    bsn_rpt_set(tool, "name", json_string(o->tool_name ? o->tool_name : "bosun"));
    bsn_rpt_set(tool, "version", json_string(o->tool_version ? o->tool_version : BSN_VERSION));
    bsn_rpt_push(tcomps, tool);
    bsn_rpt_set(tools, "components", tcomps);
    bsn_rpt_set(meta, "tools", tools);
    json_t *root = json_object();
    const char *root_ref = "bosun-artifact";
    bsn_rpt_set(root, "bom-ref", json_string(root_ref));
    bsn_rpt_set(root, "type", json_string(r->artifact_type == BSN_ARTIFACT_IMAGE ? "container"
                                                                                 : "application"));
    bsn_rpt_set(root, "name", bsn_rpt_jstr(r->target ? r->target : "unknown"));
    if (r->has_image && r->image.id) {
        bsn_rpt_set(root, "version", bsn_rpt_jstr(r->image.id));
        json_t *rp = json_array();
        bsn_rpt_push(rp, prop("bosun:image_id", r->image.id));
        for (size_t i = 0; i < r->image.n_repo_tags; i++)
            bsn_rpt_push(rp, prop("bosun:repo_tag", r->image.repo_tags[i]));
        for (size_t i = 0; i < r->image.n_repo_digests; i++)
            bsn_rpt_push(rp, prop("bosun:repo_digest", r->image.repo_digests[i]));
        if (r->image.os && r->image.architecture) {
            char pl[128];
            snprintf(pl, sizeof(pl), "%s/%s", r->image.os, r->image.architecture);
            bsn_rpt_push(rp, prop("bosun:platform", pl));
        }
        bsn_rpt_set(root, "properties", rp);
    }
    bsn_rpt_set(meta, "component", root);
    bsn_rpt_set(doc, "metadata", meta);

    const struct bsn_package **pkgs = bsn_rpt_sorted_pkgs(r);
    char *store = NULL;
    const char **refs = make_refs(pkgs, r->n_packages, &store);
    json_t *comps = json_array();
    json_t *depends = json_array();
    if (r->has_os) {
        json_t *os = json_object();
        bsn_rpt_set(os, "bom-ref", json_string("bosun-os"));
        bsn_rpt_set(os, "type", json_string("operating-system"));
        bsn_rpt_set(os, "name", bsn_rpt_jstr(r->os.family ? r->os.family : "unknown"));
        if (r->os.version)
            bsn_rpt_set(os, "version", bsn_rpt_jstr(r->os.version));
        bsn_rpt_push(comps, os);
        bsn_rpt_push(depends, json_string("bosun-os"));
    }
    for (size_t i = 0; i < r->n_packages; i++) {
        bsn_rpt_push(comps, component(pkgs[i], refs[i]));
        bsn_rpt_push(depends, json_string(refs[i]));
    }
    bsn_rpt_set(doc, "components", comps);
    json_t *deps = json_array(), *dep = json_object();
    bsn_rpt_set(dep, "ref", json_string(root_ref));
    bsn_rpt_set(dep, "dependsOn", depends);
    bsn_rpt_push(deps, dep);
    bsn_rpt_set(doc, "dependencies", deps);

    const struct bsn_vuln **vulns = bsn_rpt_sorted_vulns(r);
    json_t *va = json_array();
    for (size_t i = 0; i < r->n_vulns; i++) {
        const char *ref = NULL;
        for (size_t j = 0; j < r->n_packages && !ref; j++)
            if (pkgs[j] == vulns[i]->pkg)
                ref = refs[j];
        /* --platform all: the merged findings point at the platforms' package records */
        for (size_t j = 0; j < r->n_packages && !ref && vulns[i]->pkg; j++)
            if (same_package(pkgs[j], vulns[i]->pkg))
                ref = refs[j];
        if (!ref || !vulns[i]->id)
            continue;
        bsn_rpt_push(va, vulnerability(vulns[i], ref));
    }
    bsn_rpt_set(doc, "vulnerabilities", va);
    free(vulns);
    free(refs);
    free(store);
    free(pkgs);

    bsn_code rc = bsn_rpt_dump(doc, out, "cyclonedx", err);
    json_decref(doc);
    return rc;
}

const struct bsn_report_writer bsn_writer_cyclonedx = {
    .name = "cyclonedx",
    .mime = "application/vnd.cyclonedx+json",
    .write = cdx_write,
};
