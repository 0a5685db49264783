/*
 * Debian security tracker JSON (https://security-tracker.debian.org/tracker/data/json):
 *
 *   { "SOURCE-PACKAGE": { "CVE-2022-0456": { "description": …, "scope": …, "debianbug": N,
 *       "releases": { "bookworm": { "status": "resolved", "fixed_version": "98.0-1",
 *                                   "repositories": {…}, "urgency": "low**",
 *                                   "nodsa": "…", "nodsa_reason": "postponed" } } } } }
 *
 * One advisory per CVE (or TEMP-…) id, merged over the source packages it names. Each release
 * is one affected row in namespace debian:<version> (codename mapped by bsn_vdb_debian_release;
 * sid is debian:unstable), scheme deb:
 *   resolved + fixed_version "0"  -> not affected, not stored
 *   resolved + fixed_version V    -> fixed, "osv:introduced=0;fixed=V"
 *   open, urgency "end-of-life"   -> end_of_life
 *   open + nodsa_reason postponed -> fix_deferred; other nodsa (no-dsa, ignored) -> will_not_fix
 *   open                          -> not_fixed, "osv:introduced=0"
 *   undetermined                  -> affected
 * The urgency ("unimportant", "low**", "not yet assigned") becomes the row's vendor severity.
 * Quirks: "releases" is [] rather than {} when empty (seen in anchore/vunnel's excerpt); the
 * trailing '*' marks an urgency taken from elsewhere. Unknown codenames are skipped with a
 * warning naming package and CVE.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/str.h"
#include "vulndb/vulndb_int.h"

static bool
tracker_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *h = (const char *)head;
    size_t i = 0;
    while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        i++;
    if (i >= n || h[i] != '{' || !(bsn_cstr_ends(path, ".json") || bsn_cstr_ends(path, "/json")))
        return false;
    return memmem(h, n, "\"releases\"", 10) && memmem(h, n, "\"status\"", 8) &&
           (memmem(h, n, "\"CVE-", 5) || memmem(h, n, "\"TEMP-", 6)) &&
           !memmem(h, n, "\"modified\"", 10);
}

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

/* One source package's {CVE: {...}} object. */
static void
import_package(struct bsn_vdb_import *im, const char *path, const char *pkg, json_t *cves)
{
    struct bsn_arena *a = bsn_vdb_scratch(im);
    struct bsn_arena_mark mark = bsn_arena_mark(a);
    if (!json_is_object(cves)) {
        bsn_vdb_warn(im, path, pkg, "package entry is not an object");
        return;
    }
    const char *id;
    json_t *cve;
    json_object_foreach(cves, id, cve) {
        bsn_arena_rewind(a, mark);
        char rec[512];
        snprintf(rec, sizeof(rec), "%s/%s", pkg, id);
        if (!json_is_object(cve) || !*id || strlen(id) > 64) {
            bsn_vdb_warn(im, path, rec, "malformed CVE entry");
            continue;
        }
        json_t *rels = json_object_get(cve, "releases");
        if (rels && !json_is_object(rels) && !(json_is_array(rels) && !json_array_size(rels))) {
            bsn_vdb_warn(im, path, rec, "\"releases\" is not an object");
            continue;
        }
        size_t cap = json_object_size(rels), n = 0;
        struct bsn_adv_affected *aff =
            bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*aff));
        const char *codename;
        json_t *r;
        json_object_foreach(rels, codename, r) {
            const char *ver = bsn_vdb_debian_release(codename, strlen(codename));
            if (!ver) {
                /* "trixie-backports" style keys do not occur; an unknown name does. */
                bsn_vdb_warn(im, path, rec, "unknown Debian release '%s'", codename);
                continue;
            }
            const char *status = jstr(r, "status"), *fixed = jstr(r, "fixed_version");
            const char *urgency = jstr(r, "urgency");
            const char *nodsa_reason = jstr(r, "nodsa_reason");
            bool nodsa = json_object_get(r, "nodsa") != NULL;
            struct bsn_adv_affected f = { .scheme = "deb", .package = pkg };
            f.namespace = bsn_arena_printf(a, "debian:%s", ver);
            f.severity = urgency ? bsn_vdb_severity_word(urgency, strlen(urgency)) : NULL;
            if (!status) {
                bsn_vdb_warn(im, path, rec, "release '%s' has no status", codename);
                continue;
            }
            if (strcmp(status, "resolved") == 0) {
                if (!fixed || strcmp(fixed, "0") == 0)
                    continue;
                if (strchr(fixed, ';')) {
                    bsn_vdb_warn(im, path, rec, "malformed fixed_version '%s'", fixed);
                    continue;
                }
                f.status = BSN_STATUS_FIXED;
                f.fixed = fixed;
                f.range = bsn_arena_printf(a, "osv:introduced=0;fixed=%s", fixed);
            } else if (strcmp(status, "open") == 0) {
                f.range = "osv:introduced=0";
                if (urgency && strcmp(urgency, "end-of-life") == 0)
                    f.status = BSN_STATUS_END_OF_LIFE;
                else if (nodsa_reason && strcmp(nodsa_reason, "postponed") == 0)
                    f.status = BSN_STATUS_FIX_DEFERRED;
                else if (nodsa || nodsa_reason)
                    f.status = BSN_STATUS_WILL_NOT_FIX;
                else
                    f.status = BSN_STATUS_NOT_FIXED;
            } else if (strcmp(status, "undetermined") == 0) {
                f.range = "osv:introduced=0";
                f.status = BSN_STATUS_AFFECTED;
            } else {
                bsn_vdb_warn(im, path, rec, "unknown status '%s'", status);
                continue;
            }
            aff[n++] = f;
        }
        struct bsn_adv adv = {
            .id = id,
            .description = jstr(cve, "description"),
            .affected = aff,
            .n_affected = n,
        };
        bsn_vdb_emit(im, &adv);
    }
}

static size_t
skip_ws(const char *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
        i++;
    return i;
}

/* End (one past) of the JSON value starting at p[i], found by counting brackets outside
 * strings; 0 when it does not end before n. Validation is left to jansson. */
static size_t
value_end(const char *p, size_t n, size_t i)
{
    size_t depth = 0;
    bool in_str = false;
    for (; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"' && (in_str = false, depth == 0))
                return i + 1;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i; /* a scalar ended by the enclosing object's '}' */
            if (--depth == 0)
                return i + 1;
        } else if (c == ',' && depth == 0) {
            return i;
        }
    }
    return 0;
}

/*
 * The whole tracker JSON is ~70 MB; as one jansson tree it would take several times that in
 * memory. The top level is an object of source packages, so it is split here into one
 * "package": {...} member at a time, each parsed and imported on its own.
 */
static bsn_code
tracker_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data,
               size_t len, struct bsn_err *err)
{
    (void)err;
    const char *p = (const char *)data;
    size_t i = skip_ws(p, len, 0);
    if (i >= len || p[i] != '{') {
        bsn_vdb_warn(im, path, "file", "tracker JSON is not an object");
        return BSN_OK;
    }
    i++;
    for (;;) {
        i = skip_ws(p, len, i);
        if (i < len && p[i] == '}')
            return BSN_OK;
        size_t kend = i < len && p[i] == '"' ? value_end(p, len, i) : 0;
        json_error_t je;
        json_t *key = kend ? json_loadb(p + i, kend - i, JSON_DECODE_ANY, &je) : NULL;
        size_t v = kend ? skip_ws(p, len, kend) : 0;
        if (!json_is_string(key) || v >= len || p[v] != ':') {
            json_decref(key);
            bsn_vdb_warn(im, path, "file", "malformed tracker JSON at byte %zu", i);
            return BSN_OK;
        }
        v = skip_ws(p, len, v + 1);
        size_t vend = v < len ? value_end(p, len, v) : 0;
        json_t *val = vend ? json_loadb(p + v, vend - v, JSON_DECODE_ANY, &je) : NULL;
        if (!val) {
            bsn_vdb_warn(im, path, json_string_value(key),
                         "malformed tracker JSON at byte %zu: %s", v,
                         vend ? je.text : "unterminated");
            json_decref(key);
            return BSN_OK;
        }
        import_package(im, path, json_string_value(key), val);
        json_decref(val);
        json_decref(key);
        i = skip_ws(p, len, vend);
        if (i < len && p[i] == ',')
            i++;
        else if (i >= len || p[i] != '}') {
            bsn_vdb_warn(im, path, "file", "malformed tracker JSON at byte %zu", i);
            return BSN_OK;
        }
    }
}

const struct bsn_feed bsn_feed_debian_tracker = {
    .name = "debian-tracker",
    .data_source = "debian",
    .detect = tracker_detect,
    .import_file = tracker_import,
};
