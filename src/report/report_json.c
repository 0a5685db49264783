/*
 * The JSON report (CONTRACT.md "JSON report"): keys in the contract's order, indent 2.
 *
 * Beyond the contract's keys (allowed: "new keys may be added"): "description" and, with a
 * baseline, "is_new" on findings; "epoch", "module" on packages where set; "deleted" on
 * secrets in files removed by a later layer; "resolution" on misconfigurations;
 * "diagnostics" (problems that did not stop the scan), "suppressed" (findings dropped by the
 * ignore file or VEX, with the reason) and, for --platform all, "platforms": one sub-report per
 * platform with the same keys as the top level from "artifact" on.
 */
#include <stdlib.h>

#include "report/report_int.h"

static const char *
artifact_type(enum bsn_artifact_type t)
{
    switch (t) {
    case BSN_ARTIFACT_IMAGE: return "container_image";
    case BSN_ARTIFACT_ROOTFS: return "rootfs";
    case BSN_ARTIFACT_FS: return "filesystem";
    case BSN_ARTIFACT_SBOM: return "sbom";
    }
    return "container_image";
}

static json_t *
str_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        if (v[i])
            bsn_rpt_push(a, bsn_rpt_jstr(v[i]));
    return a;
}

static json_t *
image_json(const struct bsn_image_info *im)
{
    json_t *o = json_object();
    bsn_rpt_set(o, "id", bsn_rpt_jstr(im->id));
    bsn_rpt_set(o, "repo_tags", str_array(im->repo_tags, im->n_repo_tags));
    bsn_rpt_set(o, "repo_digests", str_array(im->repo_digests, im->n_repo_digests));
    bsn_rpt_set(o, "os", bsn_rpt_jstr(im->os));
    bsn_rpt_set(o, "architecture", bsn_rpt_jstr(im->architecture));
    if (im->variant)
        bsn_rpt_set(o, "variant", bsn_rpt_jstr(im->variant));
    json_t *layers = json_array();
    for (size_t i = 0; i < im->n_layers; i++) {
        const struct bsn_layer_info *l = &im->layers[i];
        json_t *lo = json_object();
        bsn_rpt_set(lo, "digest", bsn_rpt_jstr(l->digest));
        bsn_rpt_set(lo, "diff_id", bsn_rpt_jstr(l->diff_id));
        bsn_rpt_set(lo, "size", json_integer((json_int_t)l->size));
        bsn_rpt_set(lo, "created_by", bsn_rpt_jstr(l->created_by));
        bsn_rpt_push(layers, lo);
    }
    bsn_rpt_set(o, "layers", layers);
    return o;
}

static json_t *
os_json(const struct bsn_result *r)
{
    if (!r->has_os)
        return json_null();
    json_t *o = json_object();
    bsn_rpt_set(o, "family", bsn_rpt_jstr(r->os.family));
    bsn_rpt_set(o, "name", bsn_rpt_jstr(r->os.name));
    bsn_rpt_set(o, "version", bsn_rpt_jstr(r->os.version));
    bsn_rpt_set(o, "eosl", json_boolean(r->os.eosl));
    if (r->os.codename)
        bsn_rpt_set(o, "codename", bsn_rpt_jstr(r->os.codename));
    return o;
}

static json_t *
package_json(const struct bsn_package *p)
{
    json_t *o = json_object();
    bsn_rpt_set(o, "name", bsn_rpt_jstr(p->name));
    bsn_rpt_set(o, "version", bsn_rpt_jstr(p->version));
    bsn_rpt_set(o, "type", bsn_rpt_jstr(p->type));
    bsn_rpt_set(o, "arch", bsn_rpt_jstr(p->arch));
    bsn_rpt_set(o, "source_name", bsn_rpt_jstr(p->source_name));
    bsn_rpt_set(o, "source_version", bsn_rpt_jstr(p->source_version));
    bsn_rpt_set(o, "purl", bsn_rpt_jstr(p->purl));
    bsn_rpt_set(o, "licenses", str_array(p->licenses, p->n_licenses));
    bsn_rpt_set(o, "layer", bsn_rpt_jstr(p->layer));
    bsn_rpt_set(o, "path", bsn_rpt_jstr(p->path));
    if (p->epoch >= 0 && p->type && p->type[0] == 'r')
        bsn_rpt_set(o, "epoch", json_integer(p->epoch));
    if (p->module)
        bsn_rpt_set(o, "module", bsn_rpt_jstr(p->module));
    if (p->dev)
        bsn_rpt_set(o, "dev", json_true());
    return o;
}

static json_t *
vuln_json(const struct bsn_vuln *v, const struct bsn_report_opts *ro)
{
    static const struct bsn_package none = { .epoch = -1 };
    const struct bsn_package *p = v->pkg ? v->pkg : &none;
    json_t *o = json_object();
    bsn_rpt_set(o, "id", bsn_rpt_jstr(v->id));
    bsn_rpt_set(o, "aliases", str_array(v->aliases, v->n_aliases));
    bsn_rpt_set(o, "package_name", bsn_rpt_jstr(p->name));
    bsn_rpt_set(o, "package_type", bsn_rpt_jstr(p->type));
    bsn_rpt_set(o, "purl", bsn_rpt_jstr(p->purl));
    bsn_rpt_set(o, "installed_version",
                bsn_rpt_jstr(v->installed_version ? v->installed_version : p->version));
    bsn_rpt_set(o, "fixed_version", bsn_rpt_jstr(v->fixed_version));
    bsn_rpt_set(o, "status", json_string(bsn_rpt_status(v->status)));
    bsn_rpt_set(o, "severity", json_string(bsn_rpt_sev(v->severity)));
    bsn_rpt_set(o, "severity_source", bsn_rpt_jstr(v->severity_source));
    json_t *vs = json_object();
    for (size_t i = 0; i < v->n_vendor_severity; i++)
        if (v->vendor_severity[i].source)
            bsn_rpt_set(vs, v->vendor_severity[i].source,
                        json_string(bsn_rpt_sev(v->vendor_severity[i].severity)));
    bsn_rpt_set(o, "vendor_severity", vs);
    json_t *cv = json_array();
    for (size_t i = 0; i < v->n_cvss; i++) {
        const struct bsn_cvss *c = &v->cvss[i];
        json_t *co = json_object();
        bsn_rpt_set(co, "source", bsn_rpt_jstr(c->source));
        bsn_rpt_set(co, "version", bsn_rpt_jstr(c->version));
        bsn_rpt_set(co, "vector", bsn_rpt_jstr(c->vector));
        bsn_rpt_set(co, "score", json_real(c->score));
        bsn_rpt_push(cv, co);
    }
    bsn_rpt_set(o, "cvss", cv);
    bsn_rpt_set(o, "title", bsn_rpt_jstr(v->title));
    bsn_rpt_set(o, "data_source", bsn_rpt_jstr(v->data_source));
    bsn_rpt_set(o, "references", str_array(v->references, v->n_references));
    bsn_rpt_set(o, "published", bsn_rpt_jstr(v->published));
    bsn_rpt_set(o, "layer", bsn_rpt_jstr(p->layer));
    bsn_rpt_set(o, "path", bsn_rpt_jstr(p->path));
    if (v->description)
        bsn_rpt_set(o, "description", bsn_rpt_jstr(v->description));
    if (ro->baseline)
        bsn_rpt_set(o, "is_new", json_boolean(v->is_new));
    return o;
}

static json_t *
secret_json(const struct bsn_secret *s)
{
    json_t *o = json_object();
    bsn_rpt_set(o, "rule_id", bsn_rpt_jstr(s->rule_id));
    bsn_rpt_set(o, "severity", json_string(bsn_rpt_sev(s->severity)));
    bsn_rpt_set(o, "title", bsn_rpt_jstr(s->title));
    bsn_rpt_set(o, "path", bsn_rpt_jstr(s->path));
    bsn_rpt_set(o, "line", json_integer((json_int_t)s->line));
    bsn_rpt_set(o, "match", bsn_rpt_jstr(s->match));
    bsn_rpt_set(o, "layer", bsn_rpt_jstr(s->layer));
    if (s->deleted)
        bsn_rpt_set(o, "deleted", json_true());
    return o;
}

static json_t *
misconfig_json(const struct bsn_misconfig *m)
{
    json_t *o = json_object();
    bsn_rpt_set(o, "id", bsn_rpt_jstr(m->id));
    bsn_rpt_set(o, "title", bsn_rpt_jstr(m->title));
    bsn_rpt_set(o, "severity", json_string(bsn_rpt_sev(m->severity)));
    bsn_rpt_set(o, "message", bsn_rpt_jstr(m->message));
    bsn_rpt_set(o, "source", bsn_rpt_jstr(m->source));
    bsn_rpt_set(o, "path", bsn_rpt_jstr(m->path));
    bsn_rpt_set(o, "line", m->line ? json_integer((json_int_t)m->line) : json_null());
    if (m->resolution)
        bsn_rpt_set(o, "resolution", bsn_rpt_jstr(m->resolution));
    return o;
}

static json_t *
summary_json(const struct bsn_result *r)
{
    size_t counts[BSN_SEV_COUNT];
    bsn_rpt_count(r, counts);
    json_t *o = json_object();
    bsn_rpt_set(o, "packages", json_integer((json_int_t)r->n_packages));
    json_t *v = json_object();
    for (int s = BSN_SEV_CRITICAL; s >= BSN_SEV_UNKNOWN; s--)
        bsn_rpt_set(v, bsn_rpt_sev((enum bsn_severity)s), json_integer((json_int_t)counts[s]));
    bsn_rpt_set(o, "vulnerabilities", v);
    bsn_rpt_set(o, "secrets", json_integer((json_int_t)r->n_secrets));
    bsn_rpt_set(o, "misconfigurations", json_integer((json_int_t)r->n_misconfigs));
    bsn_rpt_set(o, "suppressed", json_integer((json_int_t)r->n_suppressed));
    return o;
}

/* Everything from "artifact" on, for the top level and for each platform. */
static void
body_json(json_t *o, const struct bsn_result *r, const struct bsn_report_opts *ro)
{
    json_t *art = json_object();
    bsn_rpt_set(art, "target", bsn_rpt_jstr(r->target));
    bsn_rpt_set(art, "type", json_string(artifact_type(r->artifact_type)));
    if (r->has_image)
        bsn_rpt_set(art, "image", image_json(&r->image));
    if (r->platform)
        bsn_rpt_set(art, "platform", bsn_rpt_jstr(r->platform));
    bsn_rpt_set(o, "artifact", art);
    bsn_rpt_set(o, "os", os_json(r));

    const struct bsn_package **pkgs = bsn_rpt_sorted_pkgs(r);
    json_t *pa = json_array();
    for (size_t i = 0; i < r->n_packages; i++)
        bsn_rpt_push(pa, package_json(pkgs[i]));
    free(pkgs);
    bsn_rpt_set(o, "packages", pa);

    const struct bsn_vuln **vulns = bsn_rpt_sorted_vulns(r);
    json_t *va = json_array();
    for (size_t i = 0; i < r->n_vulns; i++)
        bsn_rpt_push(va, vuln_json(vulns[i], ro));
    free(vulns);
    bsn_rpt_set(o, "vulnerabilities", va);

    json_t *sa = json_array();
    for (size_t i = 0; i < r->n_secrets; i++)
        bsn_rpt_push(sa, secret_json(&r->secrets[i]));
    bsn_rpt_set(o, "secrets", sa);

    json_t *ma = json_array();
    for (size_t i = 0; i < r->n_misconfigs; i++)
        bsn_rpt_push(ma, misconfig_json(&r->misconfigs[i]));
    bsn_rpt_set(o, "misconfigurations", ma);

    bsn_rpt_set(o, "summary", summary_json(r));

    json_t *da = json_array();
    for (size_t i = 0; i < r->n_diags; i++) {
        json_t *d = json_object();
        bsn_rpt_set(d, "message", bsn_rpt_jstr(r->diags[i].message));
        bsn_rpt_push(da, d);
    }
    bsn_rpt_set(o, "diagnostics", da);

    json_t *xa = json_array();
    for (size_t i = 0; i < r->n_suppressed; i++) {
        json_t *x = json_object();
        bsn_rpt_set(x, "id", bsn_rpt_jstr(r->suppressed[i].id));
        bsn_rpt_set(x, "package", bsn_rpt_jstr(r->suppressed[i].package));
        bsn_rpt_set(x, "reason", bsn_rpt_jstr(r->suppressed[i].reason));
        bsn_rpt_push(xa, x);
    }
    bsn_rpt_set(o, "suppressed", xa);
}

static bsn_code
json_write(const struct bsn_result *r, const struct bsn_report_opts *ro, struct bsn_buf *out,
           struct bsn_err *err)
{
    json_t *doc = json_object();
    bsn_rpt_set(doc, "schema_version", json_integer(BSN_REPORT_SCHEMA_VERSION));
    json_t *tool = json_object();
    bsn_rpt_set(tool, "name", json_string(ro->tool_name ? ro->tool_name : "bosun"));
    bsn_rpt_set(tool, "version", json_string(ro->tool_version ? ro->tool_version : BSN_VERSION));
    bsn_rpt_set(doc, "tool", tool);
    bsn_rpt_set(doc, "created_at", bsn_rpt_jstr(r->created_at));
    body_json(doc, r, ro);
    if (r->n_platforms) {
        json_t *pl = json_array();
        for (size_t i = 0; i < r->n_platforms; i++) {
            if (!r->platforms[i])
                continue;
            json_t *p = json_object();
            bsn_rpt_set(p, "platform", bsn_rpt_jstr(r->platforms[i]->platform));
            body_json(p, r->platforms[i], ro);
            bsn_rpt_push(pl, p);
        }
        bsn_rpt_set(doc, "platforms", pl);
    }
    bsn_code rc = bsn_rpt_dump(doc, out, "json", err);
    json_decref(doc);
    return rc;
}

const struct bsn_report_writer bsn_writer_json = {
    .name = "json",
    .mime = "application/json",
    .write = json_write,
};
