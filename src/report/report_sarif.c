/*
 * SARIF 2.1.0 report ("sarif"), for code-scanning UIs (GitHub, GitLab, Azure DevOps).
 * Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html; validated in the
 * tests against the OASIS schema (tests/data/schemas/sarif).
 *
 * One run; tool.driver.rules holds one rule per vulnerability id (and per secret rule and
 * misconfiguration id) with its title, description, help text (markdown too) and the
 * properties GitHub reads: "security-severity" (the highest CVSS score, else a value inside
 * the severity's band) and tags. Each finding is a result at the file the package was found in
 * (artifactLocation.uri relative to the image root, uriBaseId "ROOTPATH"), secrets at their
 * line. Levels: CRITICAL/HIGH error, MEDIUM warning, LOW/UNKNOWN note.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/map.h"
#include "report/report_int.h"

static const char *
level(enum bsn_severity s)
{
    switch (s) {
    case BSN_SEV_CRITICAL:
    case BSN_SEV_HIGH: return "error";
    case BSN_SEV_MEDIUM: return "warning";
    case BSN_SEV_LOW:
    case BSN_SEV_UNKNOWN: return "note";
    }
    return "note";
}

static double
band_score(enum bsn_severity s)
{
    switch (s) {
    case BSN_SEV_CRITICAL: return 9.5;
    case BSN_SEV_HIGH: return 8.0;
    case BSN_SEV_MEDIUM: return 5.5;
    case BSN_SEV_LOW: return 2.0;
    case BSN_SEV_UNKNOWN: return 0.0;
    }
    return 0.0;
}

/* A URI reference for an image path: RFC 3986 unreserved, sub-delims, ':', '@' and '/' kept,
 * everything else percent-encoded. */
static json_t *
uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    struct bsn_buf b;
    bsn_buf_init(&b, 1 << 16);
    for (const unsigned char *p = (const unsigned char *)(path ? path : ""); *p; p++) {
        bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~!$&'()*+,;=:@/", *p);
        char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
        if ((keep ? bsn_buf_addc(&b, (char)*p) : bsn_buf_add(&b, e, 3)) != BSN_OK)
            break;
    }
    json_t *v = json_string(b.len ? b.ptr : ".");
    bsn_buf_release(&b);
    return v;
}

static json_t *
text(const char *s)
{
    json_t *o = json_object();
    bsn_rpt_set(o, "text", bsn_rpt_jstr(s && *s ? s : "-"));
    return o;
}

static json_t *
location(const char *path, uint64_t line, const char *msg)
{
    json_t *loc = json_object();
    json_t *phys = json_object();
    json_t *art = json_object();
    bsn_rpt_set(art, "uri", uri(path));
    bsn_rpt_set(art, "uriBaseId", json_string("ROOTPATH"));
    bsn_rpt_set(phys, "artifactLocation", art);
    json_t *region = json_object();
    bsn_rpt_set(region, "startLine", json_integer((json_int_t)(line ? line : 1)));
    bsn_rpt_set(phys, "region", region);
    bsn_rpt_set(loc, "physicalLocation", phys);
    if (msg)
        bsn_rpt_set(loc, "message", text(msg));
    return loc;
}

struct rules {
    json_t *arr;
    struct bsn_map index; /* id -> index + 1 */
};

/* The index of rule id, adding it with make() on first use. */
static size_t
rule_index(struct rules *rs, const char *id, json_t *(*make)(const void *), const void *arg)
{
    void *v = bsn_map_get(&rs->index, id, strlen(id));
    if (v)
        return (size_t)(uintptr_t)v - 1;
    size_t i = json_array_size(rs->arr);
    bsn_rpt_push(rs->arr, make(arg));
    bsn_map_put(&rs->index, id, strlen(id), (void *)(uintptr_t)(i + 1));
    return i;
}

static json_t *
props(const char *kind, enum bsn_severity sev, double score)
{
    char s[16];
    snprintf(s, sizeof(s), "%.1f", score);
    json_t *p = json_object();
    bsn_rpt_set(p, "precision", json_string("very-high"));
    bsn_rpt_set(p, "security-severity", json_string(s));
    json_t *tags = json_array();
    bsn_rpt_push(tags, json_string(kind));
    bsn_rpt_push(tags, json_string("security"));
    bsn_rpt_push(tags, json_string(bsn_rpt_sev(sev)));
    bsn_rpt_set(p, "tags", tags);
    return p;
}

static json_t *
vuln_rule(const void *arg)
{
    const struct bsn_vuln *v = arg;
    double score = bsn_rpt_max_score(v);
    if (score < 0)
        score = band_score(v->severity);
    json_t *r = json_object();
    bsn_rpt_set(r, "id", bsn_rpt_jstr(v->id));
    bsn_rpt_set(r, "name", json_string(v->pkg && v->pkg->type &&
                                               (strcmp(v->pkg->type, "deb") == 0 ||
                                                strcmp(v->pkg->type, "apk") == 0 ||
                                                strcmp(v->pkg->type, "rpm") == 0)
                                           ? "OsPackageVulnerability"
                                           : "LanguageSpecificPackageVulnerability"));
    bsn_rpt_set(r, "shortDescription", text(v->title ? v->title : v->id));
    bsn_rpt_set(r, "fullDescription", text(v->description ? v->description : v->title));
    json_t *cfg = json_object();
    bsn_rpt_set(cfg, "level", json_string(level(v->severity)));
    bsn_rpt_set(r, "defaultConfiguration", cfg);
    if (v->n_references)
        bsn_rpt_set(r, "helpUri", bsn_rpt_jstr(v->references[0]));
    char *t = NULL, *md = NULL;
    size_t tn = 0, mn = 0;
    FILE *ft = open_memstream(&t, &tn), *fm = open_memstream(&md, &mn);
    if (ft && fm) {
        fprintf(ft, "Vulnerability %s\nSeverity: %s\nPackage: %s\nFixed Version: %s\n%s", v->id,
                bsn_rpt_sev(v->severity), v->pkg && v->pkg->name ? v->pkg->name : "-",
                v->fixed_version ? v->fixed_version : "none",
                v->n_references ? v->references[0] : "");
        fprintf(fm, "**Vulnerability %s**\n| Severity | Package | Fixed Version | Link |\n"
                    "| --- | --- | --- | --- |\n| %s | %s | %s | [%s](%s) |\n\n%s",
                v->id, bsn_rpt_sev(v->severity), v->pkg && v->pkg->name ? v->pkg->name : "-",
                v->fixed_version ? v->fixed_version : "none", v->id,
                v->n_references ? v->references[0] : "", v->description ? v->description : "");
    }
    if (ft)
        fclose(ft);
    if (fm)
        fclose(fm);
    json_t *help = json_object();
    bsn_rpt_set(help, "text", bsn_rpt_jstr(t ? t : v->id));
    bsn_rpt_set(help, "markdown", bsn_rpt_jstr(md ? md : v->id));
    free(t);
    free(md);
    bsn_rpt_set(r, "help", help);
    bsn_rpt_set(r, "properties", props("vulnerability", v->severity, score));
    return r;
}

static json_t *
secret_rule(const void *arg)
{
    const struct bsn_secret *s = arg;
    json_t *r = json_object();
    bsn_rpt_set(r, "id", bsn_rpt_jstr(s->rule_id));
    bsn_rpt_set(r, "name", json_string("Secret"));
    bsn_rpt_set(r, "shortDescription", text(s->title ? s->title : s->rule_id));
    bsn_rpt_set(r, "fullDescription", text(s->title ? s->title : s->rule_id));
    json_t *cfg = json_object();
    bsn_rpt_set(cfg, "level", json_string(level(s->severity)));
    bsn_rpt_set(r, "defaultConfiguration", cfg);
    json_t *help = json_object();
    bsn_rpt_set(help, "text", json_string("Remove the secret from the image and rotate it."));
    bsn_rpt_set(r, "help", help);
    bsn_rpt_set(r, "properties", props("secret", s->severity, band_score(s->severity)));
    return r;
}

static json_t *
misconfig_rule(const void *arg)
{
    const struct bsn_misconfig *m = arg;
    json_t *r = json_object();
    bsn_rpt_set(r, "id", bsn_rpt_jstr(m->id));
    bsn_rpt_set(r, "name", json_string("Misconfiguration"));
    bsn_rpt_set(r, "shortDescription", text(m->title ? m->title : m->id));
    bsn_rpt_set(r, "fullDescription", text(m->message ? m->message : m->title));
    json_t *cfg = json_object();
    bsn_rpt_set(cfg, "level", json_string(level(m->severity)));
    bsn_rpt_set(r, "defaultConfiguration", cfg);
    json_t *help = json_object();
    bsn_rpt_set(help, "text", bsn_rpt_jstr(m->resolution ? m->resolution : m->title));
    bsn_rpt_set(r, "help", help);
    bsn_rpt_set(r, "properties", props("misconfiguration", m->severity, band_score(m->severity)));
    return r;
}

static json_t *
result(const char *id, size_t idx, enum bsn_severity sev, const char *msg, json_t *loc)
{
    json_t *o = json_object();
    bsn_rpt_set(o, "ruleId", bsn_rpt_jstr(id));
    bsn_rpt_set(o, "ruleIndex", json_integer((json_int_t)idx));
    bsn_rpt_set(o, "level", json_string(level(sev)));
    bsn_rpt_set(o, "message", text(msg));
    json_t *locs = json_array();
    bsn_rpt_push(locs, loc);
    bsn_rpt_set(o, "locations", locs);
    return o;
}

static void
add_findings(const struct bsn_result *r, struct rules *rs, json_t *results)
{
    char msg[2048];
    const struct bsn_vuln **v = bsn_rpt_sorted_vulns(r);
    for (size_t i = 0; i < r->n_vulns; i++) {
        const struct bsn_vuln *x = v[i];
        if (!x->id)
            continue;
        size_t idx = rule_index(rs, x->id, vuln_rule, x);
        const struct bsn_package *p = x->pkg;
        snprintf(msg, sizeof(msg),
                 "Package: %s\nInstalled Version: %s\nVulnerability: %s\nSeverity: %s\n"
                 "Fixed Version: %s%s",
                 p && p->name ? p->name : "-",
                 x->installed_version ? x->installed_version : (p && p->version ? p->version : "-"),
                 x->id, bsn_rpt_sev(x->severity), x->fixed_version ? x->fixed_version : "none",
                 x->is_new ? "\nNew since the baseline" : "");
        char where[1024];
        snprintf(where, sizeof(where), "%s: %s@%s", r->target ? r->target : "target",
                 p && p->name ? p->name : "-", p && p->version ? p->version : "-");
        bsn_rpt_push(results, result(x->id, idx, x->severity, msg,
                                     location(p && p->path ? p->path : r->target, 1, where)));
    }
    free(v);
    for (size_t i = 0; i < r->n_secrets; i++) {
        const struct bsn_secret *s = &r->secrets[i];
        if (!s->rule_id)
            continue;
        size_t idx = rule_index(rs, s->rule_id, secret_rule, s);
        snprintf(msg, sizeof(msg), "Secret %s: %s", s->title ? s->title : s->rule_id,
                 s->match ? s->match : "");
        bsn_rpt_push(results, result(s->rule_id, idx, s->severity, msg,
                                     location(s->path, s->line, NULL)));
    }
    for (size_t i = 0; i < r->n_misconfigs; i++) {
        const struct bsn_misconfig *m = &r->misconfigs[i];
        if (!m->id)
            continue;
        size_t idx = rule_index(rs, m->id, misconfig_rule, m);
        snprintf(msg, sizeof(msg), "%s", m->message ? m->message : (m->title ? m->title : m->id));
        /* image-config findings have no file: they sit on the image itself */
        bsn_rpt_push(results, result(m->id, idx, m->severity, msg,
                                     location(m->path ? m->path : "image-config", m->line,
                                              NULL)));
    }
}

static bsn_code
sarif_write(const struct bsn_result *r, const struct bsn_report_opts *o, struct bsn_buf *out,
            struct bsn_err *err)
{
    struct rules rs = { json_array(), { 0 } };
    bsn_map_init(&rs.index);
    json_t *results = json_array();
    if (r->n_platforms) {
        for (size_t i = 0; i < r->n_platforms; i++)
            if (r->platforms[i])
                add_findings(r->platforms[i], &rs, results);
    } else {
        add_findings(r, &rs, results);
    }
    bsn_map_release(&rs.index);

    json_t *doc = json_object();
    bsn_rpt_set(doc, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    bsn_rpt_set(doc, "version", json_string("2.1.0"));
    json_t *run = json_object();
    json_t *tool = json_object();
    json_t *driver = json_object();
    bsn_rpt_set(driver, "name", json_string(o->tool_name ? o->tool_name : "bosun"));
    bsn_rpt_set(driver, "fullName", json_string("bosun container image vulnerability scanner"));
    bsn_rpt_set(driver, "version", json_string(o->tool_version ? o->tool_version : BSN_VERSION));
    bsn_rpt_set(driver, "rules", rs.arr);
    bsn_rpt_set(tool, "driver", driver);
    bsn_rpt_set(run, "tool", tool);
    bsn_rpt_set(run, "results", results);
    bsn_rpt_set(run, "columnKind", json_string("utf16CodeUnits"));
    json_t *base = json_object();
    json_t *root = json_object();
    bsn_rpt_set(root, "uri", json_string("file:///"));
    bsn_rpt_set(base, "ROOTPATH", root);
    bsn_rpt_set(run, "originalUriBaseIds", base);
    if (r->n_diags) {
        /* diagnostics as tool execution notifications */
        json_t *inv = json_object();
        bsn_rpt_set(inv, "executionSuccessful", json_true());
        json_t *notes = json_array();
        for (size_t i = 0; i < r->n_diags; i++) {
            json_t *n = json_object();
            bsn_rpt_set(n, "level", json_string("warning"));
            bsn_rpt_set(n, "message", text(r->diags[i].message));
            bsn_rpt_push(notes, n);
        }
        bsn_rpt_set(inv, "toolExecutionNotifications", notes);
        json_t *invs = json_array();
        bsn_rpt_push(invs, inv);
        bsn_rpt_set(run, "invocations", invs);
    }
    json_t *props_o = json_object();
    bsn_rpt_set(props_o, "target", bsn_rpt_jstr(r->target));
    if (r->has_image)
        bsn_rpt_set(props_o, "imageID", bsn_rpt_jstr(r->image.id));
    if (r->has_os) {
        bsn_rpt_set(props_o, "osFamily", bsn_rpt_jstr(r->os.family));
        bsn_rpt_set(props_o, "osVersion", bsn_rpt_jstr(r->os.version));
    }
    bsn_rpt_set(run, "properties", props_o);
    json_t *runs = json_array();
    bsn_rpt_push(runs, run);
    bsn_rpt_set(doc, "runs", runs);
    bsn_code rc = bsn_rpt_dump(doc, out, "sarif", err);
    json_decref(doc);
    return rc;
}

const struct bsn_report_writer bsn_writer_sarif = {
    .name = "sarif",
    .mime = "application/sarif+json",
    .write = sarif_write,
};
