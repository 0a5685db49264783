/*
 * Alpine secdb importer: https://secdb.alpinelinux.org/vX.Y/{main,community}.json (what
 * scanners fetch; edge/ too) and the YAML files of the retired alpinelinux/alpine-secdb
 * repository (vX.Y/main.yaml). The document format and the "0" convention are in
 * vulndb_secdb.c. The release comes from "distroversion" ("v3.19" -> namespace alpine:3.19,
 * "edge" -> alpine:edge), else from a "vX.Y" or "X.Y" directory in the path (the JSON mirror
 * in tests/data/feeds lays files out as 3.19/main.json).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "textfmt/yaml.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

static bool
alpine_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *h = (const char *)head;
    bool json = bsn_cstr_ends(path, ".json");
    bool yaml = bsn_cstr_ends(path, ".yaml") || bsn_cstr_ends(path, ".yml");
    if (!json && !yaml)
        return false;
    if (memmem(h, n, "wolfi.dev", 9) || memmem(h, n, "chainguard", 10))
        return false;
    return (memmem(h, n, "distroversion", 13) != NULL) &&
           (memmem(h, n, "packages", 8) != NULL || memmem(h, n, "apkurl", 6) != NULL);
}

/* "v3.19" / "3.19" / "edge" from a path component. */
static const char *
release_from_path(struct bsn_arena *a, const char *path)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = path; *p; p++) {
        if (p != path && p[-1] != '/')
            continue;
        const char *q = p[0] == 'v' ? p + 1 : p;
        size_t n = 0, dots = 0;
        while ((q[n] >= '0' && q[n] <= '9') || q[n] == '.')
            dots += q[n++] == '.';
        if (n && dots == 1 && q[n] == '/') {
            best = q;
            best_len = n;
        } else if (strncmp(p, "edge/", 5) == 0) {
            best = "edge";
            best_len = 4;
        }
    }
    return best ? bsn_arena_strndup(a, best, best_len) : NULL;
}

static bsn_code
alpine_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data,
              size_t len, struct bsn_err *err)
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
    } else {
        struct bsn_err yerr = { 0 };
        if (bsn_yaml_parse((const char *)data, len, &root, &yerr) != BSN_OK) {
            bsn_vdb_warn(im, path, "file", "invalid YAML: %s", yerr.msg);
            return BSN_OK;
        }
    }
    struct bsn_arena *a = bsn_vdb_scratch(im);
    const char *dv = json_string_value(json_object_get(root, "distroversion"));
    const char *rel = NULL;
    if (dv && *dv)
        rel = dv[0] == 'v' ? dv + 1 : dv;
    else
        rel = release_from_path(a, path);
    if (!rel || !*rel || strlen(rel) > 32 || strchr(rel, ':')) {
        bsn_vdb_warn(im, path, "distroversion", "no Alpine release in the file or its path");
        json_decref(root);
        return BSN_OK;
    }
    const char *ns = bsn_arena_printf(a, "alpine:%s", rel);
    bsn_vdb_secdb_import(im, path, root, ns);
    json_decref(root);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_alpine_secdb = {
    .name = "alpine-secdb",
    .data_source = "alpine",
    .detect = alpine_detect,
    .import_file = alpine_import,
};
