/*
 * OSV 1.x importer (https://ossf.github.io/osv-schema/): one advisory per file, JSON (osv.dev
 * exports, all.zip members, GHSA, Go vulndb, AlmaLinux, Rocky, Debian, Ubuntu) or YAML (PyPA's
 * advisory-database, vulns/<package>/PYSEC-*.yaml).
 *
 * - withdrawn records are dropped (not counted, not warned about).
 * - affected[].package.ecosystem gives the namespace and version scheme
 *   (bsn_vdb_osv_ecosystem: "Debian:12" -> debian:12/deb, "Ubuntu:Pro:18.04:LTS" ->
 *   ubuntu:18.04:esm, "Alpine:v3.19" -> alpine:3.19/apk, "Rocky Linux:9" -> rocky:9/rpm);
 *   PyPI names are PEP 503-normalised, Maven names stay "group:artifact".
 * - Each SEMVER/ECOSYSTEM range becomes one affected row with range "osv:e1=v1;e2=v2…" (events
 *   in order); GIT ranges cannot be matched against package versions and are dropped. An entry
 *   with only a "versions" list becomes "osv:version=a;version=b…".
 * - Severity: severity[] CVSS vectors (top level and per affected), database_specific.severity
 *   (GHSA "MODERATE"), ecosystem_specific.severity/urgency and Ubuntu's "Ubuntu" severity type
 *   and ubuntu_priority, as the advisory severity or the affected row's vendor severity.
 * - Distro advisories (DSA, DLA, USN, ALSA, RLSA) list their CVEs under "related": those are
 *   kept as aliases so a CVE query finds them.
 * - Quirks seen: Go vulndb's repository copy has "0001-01-01T00:00:00Z" dates (kept as given);
 *   Rocky/Alma fixed versions carry an epoch ("0:2.7.6-4.module+el8.3.0+53+ea062990").
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "textfmt/yaml.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_EVENTS_TEXT 65536
#define MAX_CVSS 32 /* vectors kept per record (real ones have 1-3) */

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

/* Keys an OSV record has near its top; "id" alone is too weak (Node WG, errata JSON). Large
 * "details" or "affected" values can push "modified" past the head (AlmaLinux, PyPA). */
static const char *const osv_keys[] = { "modified", "affected", "schema_version", "aliases",
                                        "related", "details", "withdrawn" };

static bool
first_key_ok(const char *k, size_t n)
{
    static const char *const keys[] = { "id", "schema_version", "modified", "published",
                                         "summary", "details", "aliases", "withdrawn",
                                         "related", "affected", "severity", "references",
                                         "database_specific", "credits", "upstream" };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0)
            return true;
    return false;
}

/* Does the head of a JSON object have key at its top level (depth 1)? Keys past the head are
 * not seen; "id" comes first or second in every OSV producer's output. */
static bool
top_level_key(const char *h, size_t n, const char *key)
{
    size_t depth = 0, kl = strlen(key);
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '"') {
            size_t start = ++i;
            while (i < n && h[i] != '"')
                i += h[i] == '\\' ? 2 : 1;
            if (i >= n)
                return false;
            size_t j = i + 1;
            while (j < n && (h[j] == ' ' || h[j] == '\t' || h[j] == '\r' || h[j] == '\n'))
                j++;
            if (depth == 1 && j < n && h[j] == ':' && i - start == kl &&
                memcmp(h + start, key, kl) == 0)
                return true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth)
                depth--;
        }
    }
    return false;
}

static bool
osv_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *h = (const char *)head;
    if (bsn_cstr_ends(path, ".json")) {
        size_t i = 0;
        while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
            i++;
        if (i >= n || h[i] != '{' || !memmem(h, n, "\"id\"", 4))
            return false;
        /* The first key must be an OSV one (errata.full.json starts with "data"). */
        i++;
        while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
            i++;
        const char *k0 = i < n && h[i] == '"' ? h + i + 1 : NULL;
        const char *k1 = k0 ? memchr(k0, '"', n - i - 1) : NULL;
        if (!k1 || !first_key_ok(k0, (size_t)(k1 - k0)) || !top_level_key(h, n, "id"))
            return false;
        if (memmem(h, n, "\"dataType\"", 10) || memmem(h, n, "\"cveMetadata\"", 13) ||
            memmem(h, n, "\"module_name\"", 13) || memmem(h, n, "\"vulnerable_versions\"", 21))
            return false;
        for (size_t k = 0; k < sizeof(osv_keys) / sizeof(osv_keys[0]); k++) {
            char key[32];
            int kl = snprintf(key, sizeof(key), "\"%s\"", osv_keys[k]);
            if (kl > 0 && memmem(h, n, key, (size_t)kl))
                return true;
        }
        return false;
    }
    if (bsn_cstr_ends(path, ".yaml") || bsn_cstr_ends(path, ".yml")) {
        /* Top-level "id:" and one more OSV key at column 0. */
        bool id = false, other = false;
        for (size_t i = 0; i < n; i++) {
            if (i && h[i - 1] != '\n')
                continue;
            if (n - i >= 3 && memcmp(h + i, "id:", 3) == 0)
                id = true;
            for (size_t k = 0; k < sizeof(osv_keys) / sizeof(osv_keys[0]); k++) {
                size_t kl = strlen(osv_keys[k]);
                if (n - i > kl && memcmp(h + i, osv_keys[k], kl) == 0 && h[i + kl] == ':')
                    other = true;
            }
        }
        return id && other;
    }
    return false;
}

static const char *
cvss_version(const char *type, const char *vector)
{
    if (strncmp(vector, "CVSS:", 5) == 0) {
        size_t n = strcspn(vector + 5, "/");
        if (n == 3 && (strncmp(vector + 5, "3.0", 3) == 0 || strncmp(vector + 5, "3.1", 3) == 0 ||
                       strncmp(vector + 5, "4.0", 3) == 0)) {
            static const char *const v[] = { "3.0", "3.1", "4.0" };
            for (size_t i = 0; i < 3; i++)
                if (strncmp(vector + 5, v[i], 3) == 0)
                    return v[i];
        }
    }
    if (type && strcmp(type, "CVSS_V2") == 0)
        return "2.0";
    if (type && strcmp(type, "CVSS_V4") == 0)
        return "4.0";
    if (type && strcmp(type, "CVSS_V3") == 0)
        return "3.1";
    return NULL;
}

struct osv_ctx {
    struct bsn_vdb_import *im;
    struct bsn_arena *a;
    const char *path, *id, *source_name;
    struct bsn_cvss *cvss;
    size_t n_cvss, cap_cvss;
    const char *word_severity; /* from a non-CVSS severity entry */
};

static void
add_cvss(struct osv_ctx *c, const json_t *sevs)
{
    size_t i;
    json_t *s;
    json_array_foreach(sevs, i, s) {
        const char *type = jstr(s, "type"), *score = jstr(s, "score");
        if (!type || !score)
            continue;
        if (strncmp(type, "CVSS_", 5) != 0) {
            /* "Ubuntu": {"score": "medium"} */
            if (!c->word_severity)
                c->word_severity = bsn_vdb_severity_word(score, strlen(score));
            continue;
        }
        const char *ver = cvss_version(type, score);
        if (!ver || c->n_cvss >= MAX_CVSS)
            continue;
        bool dup = false;
        for (size_t k = 0; k < c->n_cvss && !dup; k++)
            dup = strcmp(c->cvss[k].vector, score) == 0;
        if (dup)
            continue;
        if (c->n_cvss == c->cap_cvss) {
            size_t ncap = c->cap_cvss ? c->cap_cvss * 2 : 4;
            struct bsn_cvss *n = bsn_arena_alloc_array(c->a, ncap, sizeof(*n));
            if (c->n_cvss)
                memcpy(n, c->cvss, c->n_cvss * sizeof(*n));
            c->cvss = n;
            c->cap_cvss = ncap;
        }
        c->cvss[c->n_cvss].source = c->source_name;
        c->cvss[c->n_cvss].version = ver;
        c->cvss[c->n_cvss].vector = score;
        c->cvss[c->n_cvss].score = bsn_vdb_cvss_score(score);
        c->n_cvss++;
    }
}

static const char **
str_array(struct bsn_arena *a, const json_t *arr, size_t *n, const char *field)
{
    *n = 0;
    if (!json_is_array(arr))
        return NULL;
    size_t len = json_array_size(arr), i;
    const char **v = bsn_arena_alloc_array(a, len ? len : 1, sizeof(*v));
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *s = field ? jstr(e, field) : json_string_value(e);
        if (s && *s)
            v[(*n)++] = s;
    }
    return v;
}

/* Appends "name=value" events of one range to b; false when unusable. */
static bool
range_text(struct bsn_buf *b, const json_t *events, const char **fixed)
{
    size_t i;
    json_t *ev;
    bool any = false;
    *fixed = NULL;
    if (bsn_buf_adds(b, "osv:") != BSN_OK)
        return false;
    json_array_foreach(events, i, ev) {
        const char *key;
        json_t *val;
        json_object_foreach(ev, key, val) {
            const char *v = json_string_value(val);
            if (!v || !*v || strchr(v, ';'))
                return false;
            if (strcmp(key, "introduced") && strcmp(key, "fixed") &&
                strcmp(key, "last_affected") && strcmp(key, "limit"))
                continue;
            if (!*fixed && strcmp(key, "fixed") == 0)
                *fixed = v;
            if (bsn_buf_addf(b, "%s%s=%s", any ? ";" : "", key, v) != BSN_OK)
                return false;
            any = true;
        }
    }
    return any;
}

static const char *
entry_severity(const json_t *aff)
{
    const json_t *es = json_object_get(aff, "ecosystem_specific");
    const json_t *ds = json_object_get(aff, "database_specific");
    const char *keys[] = { "severity", "urgency", "ubuntu_priority" };
    for (size_t k = 0; k < 3; k++) {
        const char *w = jstr(es, keys[k]);
        if (!w)
            w = jstr(ds, keys[k]);
        if (w) {
            const char *s = bsn_vdb_severity_word(w, strlen(w));
            if (s)
                return s;
        }
    }
    return NULL;
}

static void
add_aff(struct bsn_adv_affected **v, size_t *n, size_t *cap, struct bsn_arena *a,
        const struct bsn_adv_affected *f)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct bsn_adv_affected *nv = bsn_arena_alloc_array(a, ncap, sizeof(*nv));
        if (*n)
            memcpy(nv, *v, *n * sizeof(*nv));
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = *f;
}

static void
import_record(struct osv_ctx *c, const json_t *j)
{
    struct bsn_arena *a = c->a;
    struct bsn_adv adv = { 0 };
    adv.id = c->id;
    adv.summary = jstr(j, "summary");
    adv.description = jstr(j, "details");
    adv.published = jstr(j, "published");
    adv.modified = jstr(j, "modified");

    add_cvss(c, json_object_get(j, "severity"));
    const json_t *ds = json_object_get(j, "database_specific");
    const char *w = jstr(ds, "severity");
    adv.severity = w ? bsn_vdb_severity_word(w, strlen(w)) : NULL;
    adv.cwes = str_array(a, json_object_get(ds, "cwe_ids"), &adv.n_cwes, NULL);
    adv.references = str_array(a, json_object_get(j, "references"), &adv.n_references, "url");

    size_t n_al = 0, n_rel = 0;
    const char **al = str_array(a, json_object_get(j, "aliases"), &n_al, NULL);
    const char **rel = str_array(a, json_object_get(j, "related"), &n_rel, NULL);

    const json_t *affs = json_object_get(j, "affected");
    struct bsn_adv_affected *out = NULL;
    size_t n_out = 0, cap_out = 0;
    bool distro = false;
    struct bsn_buf b;
    bsn_buf_init(&b, MAX_EVENTS_TEXT);
    size_t i;
    json_t *aff;
    json_array_foreach(affs, i, aff) {
        const json_t *pkg = json_object_get(aff, "package");
        const char *eco = jstr(pkg, "ecosystem"), *name = jstr(pkg, "name");
        const char *ns, *scheme;
        if (!name || !bsn_vdb_osv_ecosystem(eco, a, &ns, &scheme))
            continue;
        if (strcmp(ns, "pypi") == 0)
            name = bsn_vdb_pypi_name(a, name);
        bool is_distro = bsn_vdb_is_distro_scheme(scheme);
        distro = distro || is_distro;
        add_cvss(c, json_object_get(aff, "severity"));
        struct bsn_adv_affected f = { .namespace = ns, .package = name, .scheme = scheme };
        f.severity = entry_severity(aff);
        size_t before = n_out, k;
        json_t *r;
        json_array_foreach(json_object_get(aff, "ranges"), k, r) {
            const char *type = jstr(r, "type");
            if (!type || strcmp(type, "GIT") == 0)
                continue;
            bsn_buf_reset(&b);
            const char *fixed;
            if (!range_text(&b, json_object_get(r, "events"), &fixed))
                continue;
            f.range = bsn_arena_strndup(a, b.ptr, b.len);
            f.fixed = fixed;
            f.status = fixed ? BSN_STATUS_FIXED
                             : is_distro ? BSN_STATUS_NOT_FIXED : BSN_STATUS_AFFECTED;
            add_aff(&out, &n_out, &cap_out, a, &f);
        }
        const json_t *vers = json_object_get(aff, "versions");
        if (n_out == before && json_array_size(vers) > 0) {
            bsn_buf_reset(&b);
            bool ok = bsn_buf_adds(&b, "osv:") == BSN_OK;
            json_t *v;
            size_t m = 0;
            json_array_foreach(vers, k, v) {
                const char *s = json_string_value(v);
                if (!s || !*s || strchr(s, ';'))
                    continue;
                ok = ok && bsn_buf_addf(&b, "%sversion=%s", m++ ? ";" : "", s) == BSN_OK;
            }
            if (ok && m) {
                f.range = bsn_arena_strndup(a, b.ptr, b.len);
                f.fixed = NULL;
                f.status = is_distro ? BSN_STATUS_NOT_FIXED : BSN_STATUS_AFFECTED;
                add_aff(&out, &n_out, &cap_out, a, &f);
            }
        }
    }
    bsn_buf_release(&b);
    if (!adv.severity)
        adv.severity = c->word_severity;
    adv.affected = out;
    adv.n_affected = n_out;
    adv.cvss = c->cvss;
    adv.n_cvss = c->n_cvss;
    if (distro && n_rel) {
        const char **all = bsn_arena_alloc_array(a, n_al + n_rel, sizeof(*all));
        if (n_al)
            memcpy(all, al, n_al * sizeof(*all));
        memcpy(all + n_al, rel, n_rel * sizeof(*all));
        al = all;
        n_al += n_rel;
    }
    adv.aliases = al;
    adv.n_aliases = n_al;
    bsn_vdb_emit(c->im, &adv);
}

static bsn_code
osv_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
           struct bsn_err *err)
{
    (void)err;
    json_t *j = NULL;
    bool yaml = bsn_cstr_ends(path, ".yaml") || bsn_cstr_ends(path, ".yml");
    if (yaml) {
        struct bsn_err yerr = { 0 };
        if (bsn_yaml_parse((const char *)data, len, &j, &yerr) != BSN_OK) {
            bsn_vdb_warn(im, path, "record", "invalid YAML: %s", yerr.msg);
            return BSN_OK;
        }
    } else {
        json_error_t je;
        j = json_loadb((const char *)data, len, JSON_ALLOW_NUL, &je);
        if (!j) {
            bsn_vdb_warn(im, path, "record", "invalid JSON at line %d: %s", je.line, je.text);
            return BSN_OK;
        }
    }
    const char *id = jstr(j, "id");
    if (!json_is_object(j) || !id) {
        bsn_vdb_warn(im, path, "record", "not an OSV record: no \"id\"");
        json_decref(j);
        return BSN_OK;
    }
    if (strlen(id) > 256 || strchr(id, '\n')) {
        bsn_vdb_warn(im, path, "record", "malformed \"id\"");
        json_decref(j);
        return BSN_OK;
    }
    const json_t *wd = json_object_get(j, "withdrawn");
    if (wd && !json_is_null(wd)) {
        json_decref(j);
        return BSN_OK;
    }
    const json_t *affs = json_object_get(j, "affected");
    if (affs && !json_is_array(affs)) {
        bsn_vdb_warn(im, path, id, "\"affected\" is not a list");
        json_decref(j);
        return BSN_OK;
    }
    struct osv_ctx c = { .im = im, .a = bsn_vdb_scratch(im), .path = path, .id = id };
    /* CVSS source: the publisher as the id prefix names it (GHSA, RLSA …), else "osv". */
    c.source_name = strncmp(id, "GHSA-", 5) == 0 ? "ghsa" : "osv";
    import_record(&c, j);
    json_decref(j);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_osv = {
    .name = "osv",
    .data_source = "osv",
    .detect = osv_detect,
    .import_file = osv_import,
};
