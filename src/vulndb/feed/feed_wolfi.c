/*
 * Wolfi / Chainguard importer, two formats:
 *
 * 1. The secdb JSON (https://packages.wolfi.dev/os/security.json; Chainguard's
 *    https://packages.cgr.dev/chainguard/security.json): the Alpine secdb format without a
 *    distroversion (vulndb_secdb.c). Namespace "wolfi", or "chainguard" when the urlprefix
 *    names packages.cgr.dev / chainguard.
 *
 * 2. wolfi-dev/advisories YAML, one file per package (schema-version 2.0.x):
 *      package: {name: fd}
 *      advisories:
 *        - id: CGA-xfq7-jmxq-8333
 *          aliases: [GHSA-pg9f-39pc-qf8g]
 *          events:
 *            - {timestamp: …, type: detection, data: {…}}
 *            - {timestamp: …, type: fixed, data: {fixed-version: 10.2.0-r2}}
 *    One advisory per CGA id (aliases kept). The latest event decides (events are kept in
 *    time order by upstream tooling; the last one wins):
 *      fixed                              -> fixed, "osv:introduced=0;fixed=V"
 *      false-positive-determination, not-affected -> not affected: no affected row
 *      fix-not-planned                    -> will_not_fix
 *      pending-upstream-fix, detection, true-positive-determination, analysis-not-planned
 *                                         -> not_fixed
 *    Older files (schema 1) use "vulnerability id" keys; advisories without an id are skipped
 *    with a warning naming the package and index.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "textfmt/yaml.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

static bool
wolfi_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *h = (const char *)head;
    if (bsn_cstr_ends(path, ".json"))
        return memmem(h, n, "\"packages\"", 10) && memmem(h, n, "\"apkurl\"", 8) &&
               (memmem(h, n, "wolfi.dev", 9) || memmem(h, n, "cgr.dev", 7) ||
                memmem(h, n, "chainguard", 10));
    if (bsn_cstr_ends(path, ".advisories.yaml"))
        return true;
    if (bsn_cstr_ends(path, ".yaml") || bsn_cstr_ends(path, ".yml"))
        return memmem(h, n, "schema-version:", 15) && memmem(h, n, "\nadvisories:", 12) &&
               memmem(h, n, "\npackage:", 9);
    return false;
}

static const char *
jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

static void
import_advisories(struct bsn_vdb_import *im, const char *path, json_t *root)
{
    struct bsn_arena *a = bsn_vdb_scratch(im);
    const char *pkg = jstr(json_object_get(root, "package"), "name");
    if (!pkg || strlen(pkg) > 256) {
        bsn_vdb_warn(im, path, "package", "no package name");
        return;
    }
    json_t *advs = json_object_get(root, "advisories");
    if (!advs || json_is_null(advs))
        return;
    if (!json_is_array(advs)) {
        bsn_vdb_warn(im, path, pkg, "\"advisories\" is not a list");
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(advs, i, e) {
        const char *id = jstr(e, "id");
        char rec[320];
        snprintf(rec, sizeof(rec), "%s advisories[%zu]", pkg, i);
        if (!id || strlen(id) > 128) {
            bsn_vdb_warn(im, path, rec, "advisory without an id");
            continue;
        }
        json_t *events = json_object_get(e, "events");
        if (events && !json_is_array(events)) {
            bsn_vdb_warn(im, path, id, "\"events\" is not a list");
            continue;
        }
        const json_t *last = NULL;
        size_t k;
        json_t *ev;
        json_array_foreach(events, k, ev) {
            if (jstr(ev, "type"))
                last = ev;
        }
        size_t n_al = 0;
        json_t *al = json_object_get(e, "aliases");
        const char **aliases = bsn_arena_alloc_array(a, json_array_size(al) + 1, sizeof(*aliases));
        json_t *x;
        json_array_foreach(al, k, x) {
            const char *s = json_string_value(x);
            if (s && *s)
                aliases[n_al++] = s;
        }
        struct bsn_adv_affected f = { .namespace = "wolfi", .package = pkg, .scheme = "apk" };
        bool store = true;
        const char *type = last ? jstr(last, "type") : "detection";
        if (strcmp(type, "fixed") == 0) {
            const char *v = jstr(json_object_get(last, "data"), "fixed-version");
            if (!v || strchr(v, ';')) {
                bsn_vdb_warn(im, path, id, "fixed event without a fixed-version");
                continue;
            }
            f.status = BSN_STATUS_FIXED;
            f.fixed = v;
            f.range = bsn_arena_printf(a, "osv:introduced=0;fixed=%s", v);
        } else if (strcmp(type, "false-positive-determination") == 0 ||
                   strcmp(type, "not-affected") == 0) {
            store = false;
        } else if (strcmp(type, "fix-not-planned") == 0) {
            f.status = BSN_STATUS_WILL_NOT_FIX;
            f.range = "osv:introduced=0";
        } else {
            f.status = BSN_STATUS_NOT_FIXED;
            f.range = "osv:introduced=0";
        }
        const char *ts = last ? jstr(last, "timestamp") : NULL;
        struct bsn_adv adv = {
            .id = id,
            .aliases = aliases,
            .n_aliases = n_al,
            .modified = ts,
            .affected = store ? &f : NULL,
            .n_affected = store ? 1 : 0,
        };
        bsn_vdb_emit(im, &adv);
    }
}

static bsn_code
wolfi_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
             struct bsn_err *err)
{
    (void)err;
    json_t *root = NULL;
    if (bsn_cstr_ends(path, ".json")) {
        json_error_t je;
        root = json_loadb((const char *)data, len, 0, &je);
        if (!root) {
            bsn_vdb_warn(im, path, "file", "invalid JSON at line %d: %s", je.line, je.text);
            return BSN_OK;
        }
        const char *prefix = jstr(root, "urlprefix");
        const char *ns = prefix && (strstr(prefix, "cgr.dev") || strstr(prefix, "chainguard"))
                             ? "chainguard" : "wolfi";
        bsn_vdb_secdb_import(im, path, root, ns);
    } else {
        struct bsn_err yerr = { 0 };
        if (bsn_yaml_parse((const char *)data, len, &root, &yerr) != BSN_OK) {
            bsn_vdb_warn(im, path, "file", "invalid YAML: %s", yerr.msg);
            return BSN_OK;
        }
        if (!json_is_object(root))
            bsn_vdb_warn(im, path, "file", "not a Wolfi advisories document");
        else
            import_advisories(im, path, root);
    }
    json_decref(root);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_wolfi = {
    .name = "wolfi",
    .data_source = "wolfi",
    .detect = wolfi_detect,
    .import_file = wolfi_import,
};
