/*
 * Harbor's pluggable scanner adapter API, v1.1 and v1.2
 * (tests/data/schemas/harbor/scanner-adapter-openapi-v1.{1,2}.yaml,
 * https://github.com/goharbor/pluggable-scanner-spec):
 *
 *   GET  /api/v1/metadata             ScannerAdapterMetadata: a "vulnerability" capability and
 *                                     an "sbom" one (SPDX and CycloneDX)
 *   POST /api/v1/scan                 ScanRequest {registry: {url, authorization}, artifact:
 *                                     {repository, digest, tag, mime_type}} -> 202 {id}; the
 *                                     job is queued in the store; 400 for bad JSON, 422 for a
 *                                     missing or invalid field, 429 + Retry-After when full
 *   GET  /api/v1/scan/{id}/report     by Accept: the Harbor vulnerability report (version=1.1
 *                                     and the older harbor+json 1.0), the SBOM report
 *                                     (?sbom_media_type=application/spdx+json or
 *                                     application/vnd.cyclonedx+json), bosun's JSON report
 *                                     (application/json, or the adapter's ".raw" type);
 *                                     302 + Refresh-After while queued or running, 404 unknown id,
 *                                     500 with the error mime type when the scan failed
 *
 * Harbor sends the registry's base URL and a short-lived Authorization value ("Basic base64"
 * of a robot account, or "Bearer JWT"); the artifact is pulled by digest as
 * registry:HOST/REPOSITORY@DIGEST. Severity names map UNKNOWN/LOW/MEDIUM/HIGH/CRITICAL to
 * Unknown/Low/Medium/High/Critical; a report without findings says "Unknown" (the schema's
 * enum has no "None").
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/banned.h"
#include "server/server_int.h"

#define MIME_VULN_11 "application/vnd.security.vulnerability.report; version=1.1"
#define MIME_VULN_10 "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
#define MIME_RAW "application/vnd.scanner.adapter.vuln.report.raw"
#define MIME_SBOM "application/vnd.security.sbom.report+json; version=1.0"
#define MIME_METADATA "application/vnd.scanner.adapter.metadata+json; version=1.1"
#define MIME_METADATA_10 "application/vnd.scanner.adapter.metadata+json; version=1.0"
#define MIME_SCAN_RESP "application/vnd.scanner.adapter.scan.response+json; version=1.0"
#define MIME_SPDX "application/spdx+json"
#define MIME_CDX "application/vnd.cyclonedx+json"
#define MIME_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MIME_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

static const char *
harbor_severity(enum bsn_severity s)
{
    switch (s) {
    case BSN_SEV_LOW: return "Low";
    case BSN_SEV_MEDIUM: return "Medium";
    case BSN_SEV_HIGH: return "High";
    case BSN_SEV_CRITICAL: return "Critical";
    case BSN_SEV_UNKNOWN: break;
    }
    return "Unknown";
}

static json_t *
scanner_json(void)
{
    return json_pack("{s:s, s:s, s:s}", "name", "bosun", "vendor", "bosun", "version",
                     BSN_VERSION);
}

static void
set_json(struct bsn_http_resp *r, unsigned status, const char *ctype, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text) {
        bsn_http_resp_error(r, 500, "cannot render the response");
        return;
    }
    bsn_http_resp_text(r, status, ctype, text, strlen(text));
    free(text);
}

static void
time_rfc3339(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static bool accepts(const char *accept, const char *mime);

void
bsn_harbor_metadata(struct bsn_server *s, const char *accept, struct bsn_http_resp *r)
{
    char updated[32];
    time_rfc3339(atomic_load(&s->db_built_at), updated);
    json_t *consumes = json_pack("[s, s]", MIME_OCI_MANIFEST, MIME_DOCKER_MANIFEST);
    json_t *doc = json_pack(
        "{s:o, s:[{s:s, s:O, s:[s, s, s]}, {s:s, s:O, s:[s], s:{s:[s, s]}}], s:{s:s, s:s, s:s}}",
        "scanner", scanner_json(), "capabilities", "type", "vulnerability",
        "consumes_mime_types", consumes, "produces_mime_types", MIME_VULN_11, MIME_VULN_10,
        MIME_RAW, "type", "sbom", "consumes_mime_types", consumes, "produces_mime_types",
        MIME_SBOM, "additional_attributes", "sbom_media_types", MIME_SPDX, MIME_CDX,
        "properties", "harbor.scanner-adapter/scanner-type", "os-package-vulnerability",
        "harbor.scanner-adapter/vulnerability-database-updated-at", updated,
        "env.BOSUN_STORE", bsn_store_is_postgres(s->store) ? "postgresql" : "sqlite");
    json_decref(consumes);
    if (!doc) {
        bsn_http_resp_error(r, 500, "cannot render the metadata");
        return;
    }
    /* Harbor before 2.9 (adapter API 1.1) asks for version 1.0; the body is the same */
    bool v10 = accept && accepts(accept, MIME_METADATA_10) && !accepts(accept, MIME_METADATA);
    set_json(r, 200, v10 ? MIME_METADATA_10 : MIME_METADATA, doc);
}

/* ---- scan requests -------------------------------------------------------------------------- */

static bool
valid_digest(const char *d)
{
    if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
        return false;
    for (const char *p = d + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static bool
valid_repository(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 255 || r[0] == '/' || r[n - 1] == '/')
        return false;
    for (const char *p = r; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-' || *p == '/'))
            return false;
    return true;
}

/* Checks a ScanRequest: the message names the field at fault. */
static bool
check_request(json_t *doc, char *why, size_t cap)
{
    json_t *reg = json_object_get(doc, "registry"), *art = json_object_get(doc, "artifact");
    if (!json_is_object(doc)) {
        snprintf(why, cap, "the scan request is not a JSON object");
        return false;
    }
    if (!json_is_object(reg) || !json_is_string(json_object_get(reg, "url"))) {
        snprintf(why, cap, "missing field 'registry.url'");
        return false;
    }
    json_t *auth = json_object_get(reg, "authorization");
    if (auth && !json_is_string(auth)) {
        snprintf(why, cap, "field 'registry.authorization' is not a string");
        return false;
    }
    if (!json_is_object(art)) {
        snprintf(why, cap, "missing field 'artifact'");
        return false;
    }
    const char *repo = json_string_value(json_object_get(art, "repository"));
    const char *digest = json_string_value(json_object_get(art, "digest"));
    if (!repo || !valid_repository(repo)) {
        snprintf(why, cap, "field 'artifact.repository' is missing or not a repository name");
        return false;
    }
    if (!digest || !valid_digest(digest)) {
        snprintf(why, cap, "field 'artifact.digest' is missing or not a sha256 digest");
        return false;
    }
    return true;
}

static void
new_uuid(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        BSN_BUG("no random bytes");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

void
bsn_harbor_scan(struct bsn_server *s, const char *body, size_t len, struct bsn_http_resp *r)
{
    json_error_t jerr;
    json_t *doc = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        bsn_http_resp_error(r, 400, "invalid JSON in the scan request: %s (line %d)", jerr.text,
                            jerr.line);
        return;
    }
    char why[200];
    if (!check_request(doc, why, sizeof(why))) {
        json_decref(doc);
        bsn_http_resp_error(r, 422, "%s", why);
        return;
    }
    struct bsn_err err;
    uint64_t depth = 0, max = s->cfg->max_queue ? s->cfg->max_queue : 1000;
    if (bsn_store_queue_depth(s->store, &depth, &err) != BSN_OK) {
        json_decref(doc);
        bsn_http_resp_error(r, 503, "store unavailable: %s", err.msg);
        bsn_http_resp_header(r, "Retry-After", "5");
        return;
    }
    if (depth >= max) {
        json_decref(doc);
        atomic_fetch_add(&s->m.rejected_full, 1);
        bsn_http_resp_error(r, 429, "the scan queue is full (%llu jobs)",
                            (unsigned long long)depth);
        bsn_http_resp_header(r, "Retry-After", "%d", 10);
        return;
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    const char *digest = json_string_value(json_object_get(json_object_get(doc, "artifact"),
                                                           "digest"));
    char id[37];
    new_uuid(id);
    bsn_code rc = text ? bsn_store_job_add(s->store, id, text, digest, bsn_server_now_ms(), &err)
                       : bsn_err_set(&err, BSN_EINVAL, "cannot serialise the request");
    free(text);
    json_decref(doc);
    if (rc != BSN_OK) {
        bsn_http_resp_error(r, 503, "cannot queue the scan: %s", err.msg);
        bsn_http_resp_header(r, "Retry-After", "5");
        return;
    }
    bsn_server_wake(s);
    set_json(r, 202, MIME_SCAN_RESP, json_pack("{s:s}", "id", id));
}

/* ---- targets -------------------------------------------------------------------------------- */

bsn_code
bsn_harbor_target(const struct bsn_server_config *c, const char *request, struct bsn_arena *a,
                  struct bsn_harbor_target *t, struct bsn_err *err)
{
    memset(t, 0, sizeof(*t));
    json_error_t jerr;
    json_t *doc = json_loads(request, 0, &jerr);
    if (!doc)
        return bsn_err_set(err, BSN_EFORMAT, "stored scan request: %s", jerr.text);
    char why[200];
    if (!check_request(doc, why, sizeof(why))) {
        json_decref(doc);
        return bsn_err_set(err, BSN_EFORMAT, "stored scan request: %s", why);
    }
    json_t *reg = json_object_get(doc, "registry"), *art = json_object_get(doc, "artifact");
    const char *url = json_string_value(json_object_get(reg, "url"));
    const char *auth = json_string_value(json_object_get(reg, "authorization"));
    t->repository = bsn_arena_strdup(a, json_string_value(json_object_get(art, "repository")));
    t->digest = bsn_arena_strdup(a, json_string_value(json_object_get(art, "digest")));
    bsn_code rc = BSN_OK;
    if (c->allow_local_targets &&
        (!strncmp(url, "oci:", 4) || !strncmp(url, "docker-archive:", 15) ||
         !strncmp(url, "oci-archive:", 12))) {
        t->target = bsn_arena_strdup(a, url);
    } else {
        const char *host = url;
        t->insecure = c->insecure;
        if (!strncmp(host, "https://", 8)) {
            host += 8;
        } else if (!strncmp(host, "http://", 7)) {
            host += 7;
            t->insecure = true;
        }
        size_t hn = strcspn(host, "/");
        if (hn == 0 || hn > 253)
            rc = bsn_err_set(err, BSN_EINVAL, "registry url '%s' has no host", url);
        else
            t->target = bsn_arena_printf(a, "registry:%.*s/%s@%s", (int)hn, host, t->repository,
                                         t->digest);
    }
    if (rc == BSN_OK && auth && *auth) {
        if (!strncasecmp(auth, "Basic ", 6)) {
            const char *b64 = auth + 6;
            size_t n = strlen(b64);
            if (n > 4096 || n % 4 != 0) {
                rc = bsn_err_set(err, BSN_EAUTH, "registry authorization is not valid base64");
            } else {
                unsigned char *dec = bsn_arena_alloc(a, n + 1);
                int dn = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)n);
                /* EVP_DecodeBlock counts '=' padding as zero bytes: drop them */
                while (dn > 0 && n && b64[n - 1] == '=') {
                    dn--;
                    n--;
                }
                char *colon = dn > 0 ? memchr(dec, ':', (size_t)dn) : NULL;
                if (!colon) {
                    rc = bsn_err_set(err, BSN_EAUTH, "registry authorization has no user:password");
                } else {
                    dec[dn] = '\0';
                    *colon = '\0';
                    t->username = (const char *)dec;
                    t->password = colon + 1;
                }
            }
        } else {
            t->authorization = bsn_arena_strdup(a, auth);
        }
    }
    json_decref(doc);
    return rc;
}

/* ---- reports -------------------------------------------------------------------------------- */

static json_t *
artifact_json(const char *request)
{
    json_t *doc = request ? json_loads(request, 0, NULL) : NULL;
    json_t *art = json_object_get(doc, "artifact");
    json_t *out = json_is_object(art) ? json_deep_copy(art) : json_object();
    json_decref(doc);
    return out;
}

bsn_code
bsn_harbor_render(const struct bsn_result *res, const char *request, struct bsn_buf *out,
                  struct bsn_err *err)
{
    json_t *vulns = json_array();
    enum bsn_severity top = BSN_SEV_UNKNOWN;
    for (size_t i = 0; i < res->n_vulns; i++) {
        const struct bsn_vuln *v = &res->vulns[i];
        if (v->severity > top)
            top = v->severity;
        json_t *item = json_pack("{s:s, s:s, s:s, s:s}", "id", v->id, "package",
                                 v->pkg && v->pkg->name ? v->pkg->name : "",
                                 "version", v->installed_version ? v->installed_version : "",
                                 "severity", harbor_severity(v->severity));
        if (!item)
            continue;
        if (v->fixed_version)
            json_object_set_new(item, "fix_version", json_string(v->fixed_version));
        const char *desc = v->description ? v->description : v->title;
        if (desc)
            json_object_set_new(item, "description", json_string(desc));
        json_t *links = json_array();
        for (size_t k = 0; k < v->n_references; k++)
            json_array_append_new(links, json_string(v->references[k]));
        json_object_set_new(item, "links", links);
        json_t *cvss = json_object(), *vendor_cvss = json_object();
        for (size_t k = 0; k < v->n_cvss; k++) {
            const struct bsn_cvss *c = &v->cvss[k];
            bool v3 = c->version && c->version[0] == '3';
            bool v2 = c->version && c->version[0] == '2';
            if ((v3 || v2) && !json_object_get(cvss, v3 ? "score_v3" : "score_v2")) {
                json_object_set_new(cvss, v3 ? "score_v3" : "score_v2", json_real(c->score));
                if (c->vector)
                    json_object_set_new(cvss, v3 ? "vector_v3" : "vector_v2",
                                        json_string(c->vector));
            }
            if (c->source && c->vector)
                json_object_set_new(vendor_cvss, c->source,
                                    json_pack("{s:s, s:f}", v3 ? "V3Vector" : "V2Vector",
                                              c->vector, v3 ? "V3Score" : "V2Score", c->score));
        }
        json_object_set_new(item, "preferred_cvss", cvss);
        json_object_set_new(item, "cwe_ids", json_array());
        json_t *attrs = json_pack("{s:o, s:s, s:s}", "CVSS", vendor_cvss, "status",
                                  bsn_status_name(v->status), "data_source",
                                  v->data_source ? v->data_source : "");
        if (v->pkg && v->pkg->purl && attrs)
            json_object_set_new(attrs, "purl", json_string(v->pkg->purl));
        if (attrs)
            json_object_set_new(item, "vendor_attributes", attrs);
        json_array_append_new(vulns, item);
    }
    json_t *doc = json_pack("{s:s, s:o, s:o, s:s, s:o}", "generated_at",
                            res->created_at ? res->created_at : "1970-01-01T00:00:00Z",
                            "artifact", artifact_json(request), "scanner", scanner_json(),
                            "severity", harbor_severity(top), "vulnerabilities", vulns);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return bsn_err_set(err, BSN_EINVAL, "cannot render the Harbor report");
    bsn_code rc = bsn_buf_adds(out, text);
    free(text);
    if (rc != BSN_OK)
        return bsn_err_set(err, rc, "Harbor report larger than %zu bytes", out->max);
    return BSN_OK;
}

/* Does the Accept header name media type mime (parameters compared without spaces)? */
static bool
accepts(const char *accept, const char *mime)
{
    char a[512], m[128];
    size_t an = 0, mn = 0;
    for (const char *p = accept; *p && an + 1 < sizeof(a); p++)
        if (*p != ' ' && *p != '\t')
            a[an++] = *p;
    a[an] = '\0';
    for (const char *p = mime; *p && mn + 1 < sizeof(m); p++)
        if (*p != ' ')
            m[mn++] = *p;
    m[mn] = '\0';
    /* each comma-separated entry, ignoring a trailing ";q=…" */
    for (char *e = a; e && *e;) {
        char *next = strchr(e, ',');
        if (next)
            *next++ = '\0';
        char *q = strstr(e, ";q=");
        if (q)
            *q = '\0';
        if (!strcmp(e, m))
            return true;
        e = next;
    }
    return false;
}

enum report_kind { KIND_HARBOR, KIND_JSON, KIND_SBOM };

void
bsn_harbor_report(struct bsn_server *s, const char *id, const char *accept,
                  const char *query_sbom, struct bsn_http_resp *r)
{
    enum report_kind kind;
    const char *mime;
    const char *column = "harbor";
    if (!accept || !*accept || accepts(accept, "*/*") || accepts(accept, MIME_VULN_11)) {
        kind = KIND_HARBOR;
        mime = MIME_VULN_11;
    } else if (accepts(accept, MIME_VULN_10)) {
        kind = KIND_HARBOR;
        mime = MIME_VULN_10;
    } else if (accepts(accept, MIME_SBOM)) {
        kind = KIND_SBOM;
        mime = MIME_SBOM;
        if (!query_sbom) {
            bsn_http_resp_error(r, 400, "an SBOM report needs the query parameter "
                                        "'sbom_media_type'");
            return;
        }
        /* a '+' not percent-encoded arrives as a space */
        char q[64];
        size_t qn = strlen(query_sbom);
        if (qn >= sizeof(q))
            qn = sizeof(q) - 1;
        for (size_t i = 0; i < qn; i++)
            q[i] = query_sbom[i] == ' ' ? '+' : query_sbom[i];
        q[qn] = '\0';
        query_sbom = !strcmp(q, MIME_SPDX) ? MIME_SPDX : !strcmp(q, MIME_CDX) ? MIME_CDX : q;
        if (!strcmp(query_sbom, MIME_SPDX)) {
            column = "spdx";
        } else if (!strcmp(query_sbom, MIME_CDX)) {
            column = "cyclonedx";
        } else {
            bsn_http_resp_error(r, 400, "unsupported sbom_media_type '%.100s'", query_sbom);
            return;
        }
    } else if (accepts(accept, "application/json")) {
        kind = KIND_JSON;
        mime = "application/json";
        column = "json";
    } else if (accepts(accept, MIME_RAW)) {
        kind = KIND_JSON;
        mime = MIME_RAW;
        column = "json";
    } else {
        bsn_http_resp_error(r, 501, "no report of media type '%.200s'", accept);
        return;
    }

    struct bsn_store_job job;
    bool found = false;
    struct bsn_err err;
    if (bsn_store_job_get(s->store, id, &job, &found, &err) != BSN_OK) {
        bsn_http_resp_error(r, 503, "store unavailable: %s", err.msg);
        bsn_http_resp_header(r, "Retry-After", "5");
        return;
    }
    if (!found) {
        bsn_http_resp_error(r, 404, "no scan request '%s'", id);
        return;
    }
    if (job.state == BSN_JOB_QUEUED || job.state == BSN_JOB_RUNNING) {
        r->status = 302;
        r->ctype = NULL;
        bsn_http_resp_header(r, "Refresh-After", "%d", 1);
        bsn_store_job_release(&job);
        return;
    }
    if (job.state == BSN_JOB_FAILED) {
        bsn_http_resp_error(r, 500, "scan failed: %s", job.error ? job.error : "unknown error");
        bsn_store_job_release(&job);
        return;
    }
    char *text = NULL;
    if (bsn_store_result_get(s->store, id, column, &text, &found, &err) != BSN_OK) {
        bsn_store_job_release(&job);
        bsn_http_resp_error(r, 503, "store unavailable: %s", err.msg);
        bsn_http_resp_header(r, "Retry-After", "5");
        return;
    }
    if (!found) {
        bsn_store_job_release(&job);
        bsn_http_resp_error(r, 500, "scan '%s' is done but its %s report is missing", id, column);
        return;
    }
    if (kind == KIND_SBOM) {
        json_t *sbom = json_loads(text, 0, NULL);
        char now[32];
        time_rfc3339((int64_t)time(NULL), now);
        json_t *doc = sbom ? json_pack("{s:s, s:o, s:o, s:s, s:o}", "generated_at", now,
                                       "artifact", artifact_json(job.request), "scanner",
                                       scanner_json(), "media_type", query_sbom, "sbom", sbom)
                           : NULL;
        if (!doc)
            bsn_http_resp_error(r, 500, "stored SBOM of '%s' is not JSON", id);
        else
            set_json(r, 200, mime, doc);
    } else {
        bsn_http_resp_text(r, 200, mime, text, strlen(text));
    }
    free(text);
    bsn_store_job_release(&job);
}
