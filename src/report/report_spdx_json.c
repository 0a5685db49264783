/*
 * SPDX 2.3 JSON report ("spdx-json"): an SBOM of the scanned artifact.
 * Spec: https://spdx.github.io/spdx-spec/v2.3/; validated in the tests against the SPDX 2.3
 * JSON schema (tests/data/schemas/spdx).
 *
 *   SPDXRef-DOCUMENT DESCRIBES SPDXRef-Artifact (the image, type CONTAINER; or the directory)
 *   SPDXRef-Artifact CONTAINS SPDXRef-OperatingSystem and every SPDXRef-Package-N
 *   packages carry their purl as an externalRef (PACKAGE-MANAGER / purl), the file they were
 *   found in as sourceInfo, licenseDeclared when every license is a plain SPDX identifier
 *   (else NOASSERTION: free-text licenses are no valid SPDX expression)
 *
 * documentNamespace is https://bosun.invalid/spdx/<target>-<uuid> with a name-based UUID of the
 * scan, so the same scan gives the same document; SPDX ids number packages in the
 * contract's package order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

static json_t *
relationship(const char *a, const char *type, const char *b)
{
    json_t *r = json_object();
    bsn_rpt_set(r, "spdxElementId", json_string(a));
    bsn_rpt_set(r, "relationshipType", json_string(type));
    bsn_rpt_set(r, "relatedSpdxElement", json_string(b));
    return r;
}

static bool
spdx_id_like(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '+'))
            return false;
    return true;
}

static json_t *
declared(const struct bsn_package *p)
{
    if (!p->n_licenses)
        return json_string("NOASSERTION");
    size_t n = 0;
    for (size_t i = 0; i < p->n_licenses; i++) {
        if (!spdx_id_like(p->licenses[i]))
            return json_string("NOASSERTION");
        n += strlen(p->licenses[i]) + 5;
    }
    char *s = malloc(n + 1);
    if (!s)
        abort();
    size_t off = 0;
    for (size_t i = 0; i < p->n_licenses; i++)
        off += (size_t)snprintf(s + off, n + 1 - off, "%s%s", i ? " AND " : "", p->licenses[i]);
    json_t *v = json_string(s);
    free(s);
    return v;
}

static json_t *
base_package(const char *id, const char *name, const char *version, const char *purpose)
{
    json_t *p = json_object();
    bsn_rpt_set(p, "name", bsn_rpt_jstr(name && *name ? name : "unknown"));
    bsn_rpt_set(p, "SPDXID", json_string(id));
    if (version && *version)
        bsn_rpt_set(p, "versionInfo", bsn_rpt_jstr(version));
    bsn_rpt_set(p, "downloadLocation", json_string("NOASSERTION"));
    bsn_rpt_set(p, "filesAnalyzed", json_false());
    bsn_rpt_set(p, "licenseConcluded", json_string("NOASSERTION"));
    bsn_rpt_set(p, "copyrightText", json_string("NOASSERTION"));
    bsn_rpt_set(p, "primaryPackagePurpose", json_string(purpose));
    return p;
}

static bsn_code
spdx_write(const struct bsn_result *r, const struct bsn_report_opts *o, struct bsn_buf *out,
           struct bsn_err *err)
{
    char uuid[40], ns[1024], creator[128];
    bsn_rpt_uuid(r, "spdx", uuid);
    /* the namespace is a URI: keep the target's URI-safe characters only */
    char tgt[200];
    size_t j = 0;
    for (const char *s = r->target ? r->target : "scan"; *s && j + 1 < sizeof(tgt); s++)
        tgt[j++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_')
                       ? *s
                       : '-';
    tgt[j] = '\0';
    snprintf(ns, sizeof(ns), "https://bosun.invalid/spdx/%s-%s", tgt, uuid);
    snprintf(creator, sizeof(creator), "Tool: %s-%s", o->tool_name ? o->tool_name : "bosun",
             o->tool_version ? o->tool_version : BSN_VERSION);

    json_t *doc = json_object();
    bsn_rpt_set(doc, "spdxVersion", json_string("SPDX-2.3"));
    bsn_rpt_set(doc, "dataLicense", json_string("CC0-1.0"));
    bsn_rpt_set(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
    bsn_rpt_set(doc, "name", bsn_rpt_jstr(r->target ? r->target : "scan"));
    bsn_rpt_set(doc, "documentNamespace", json_string(ns));
    json_t *ci = json_object();
    json_t *creators = json_array();
    bsn_rpt_push(creators, json_string(creator));
    bsn_rpt_push(creators, json_string("Organization: bosun"));
    bsn_rpt_set(ci, "creators", creators);
    bsn_rpt_set(ci, "created", bsn_rpt_jstr(r->created_at ? r->created_at
                                                          : "1970-01-01T00:00:00Z"));
    bsn_rpt_set(doc, "creationInfo", ci);

    json_t *pkgs_a = json_array();
    json_t *rels = json_array();
    json_t *art = base_package("SPDXRef-Artifact", r->target,
                               r->has_image ? r->image.id : NULL,
                               r->artifact_type == BSN_ARTIFACT_IMAGE ? "CONTAINER" : "OTHER");
    bsn_rpt_push(pkgs_a, art);
    bsn_rpt_push(rels, relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Artifact"));
    if (r->has_os) {
        json_t *os = base_package("SPDXRef-OperatingSystem", r->os.family, r->os.version,
                                  "OPERATING_SYSTEM");
        bsn_rpt_push(pkgs_a, os);
        bsn_rpt_push(rels, relationship("SPDXRef-Artifact", "CONTAINS",
                                        "SPDXRef-OperatingSystem"));
    }
    const struct bsn_package **pkgs = bsn_rpt_sorted_pkgs(r);
    for (size_t i = 0; i < r->n_packages; i++) {
        const struct bsn_package *p = pkgs[i];
        char id[64];
        snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i + 1);
        json_t *x = base_package(id, p->name, p->version,
                                 p->type && (strcmp(p->type, "deb") == 0 ||
                                             strcmp(p->type, "apk") == 0 ||
                                             strcmp(p->type, "rpm") == 0)
                                     ? "INSTALL"
                                     : "LIBRARY");
        bsn_rpt_set(x, "licenseDeclared", declared(p));
        if (p->path) {
            char si[1200];
            snprintf(si, sizeof(si), "%s package found in: %s", p->type ? p->type : "",
                     p->path);
            bsn_rpt_set(x, "sourceInfo", bsn_rpt_jstr(si));
        }
        if (p->purl && *p->purl) {
            json_t *refs = json_array(), *ref = json_object();
            bsn_rpt_set(ref, "referenceCategory", json_string("PACKAGE-MANAGER"));
            bsn_rpt_set(ref, "referenceType", json_string("purl"));
            bsn_rpt_set(ref, "referenceLocator", bsn_rpt_jstr(p->purl));
            bsn_rpt_push(refs, ref);
            bsn_rpt_set(x, "externalRefs", refs);
        }
        bsn_rpt_push(pkgs_a, x);
        bsn_rpt_push(rels, relationship("SPDXRef-Artifact", "CONTAINS", id));
    }
    free(pkgs);
    bsn_rpt_set(doc, "packages", pkgs_a);
    bsn_rpt_set(doc, "relationships", rels);
    bsn_code rc = bsn_rpt_dump(doc, out, "spdx-json", err);
    json_decref(doc);
    return rc;
}

const struct bsn_report_writer bsn_writer_spdx_json = {
    .name = "spdx-json",
    .mime = "application/spdx+json",
    .write = spdx_write,
};
