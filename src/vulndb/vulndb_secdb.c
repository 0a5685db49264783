/*
 * The secdb format shared by Alpine (https://secdb.alpinelinux.org/v3.19/main.json, and the
 * YAML of the retired alpine-secdb repository) and Wolfi/Chainguard
 * (https://packages.wolfi.dev/os/security.json):
 *
 *   { "distroversion": "v3.19", "reponame": "main", "archs": [...], "urlprefix": …,
 *     "packages": [ { "pkg": { "name": "openssl",            <- origin (source) package
 *                              "secfixes": { "3.1.4-r1": ["CVE-2023-5678"], "0": [...] } } } ] }
 *
 * One advisory per vulnerability id; each (origin, fixed version) is one affected row with
 * scheme apk and range "osv:introduced=0;fixed=V". Alpine's convention for a version of "0"
 * is "this package was never affected": the advisory is kept (so counts match the feed) but
 * gets no affected row. Entries may carry extra words ("CVE-2021-1234 GHSA-…", and the typo
 * "CVE 2018-16859" seen in v3.9/main.yaml): the first id is the advisory, the rest aliases.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "vulndb/vulndb_int.h"

#define MAX_WORDS 16

static void
emit_entry(struct bsn_vdb_import *im, const char *path, const char *ns, const char *pkg,
           const char *ver, const char *entry)
{
    struct bsn_arena *a = bsn_vdb_scratch(im);
    const char *words[MAX_WORDS];
    size_t n = 0;
    char *copy = bsn_arena_strdup(a, entry);
    /* "CVE 2018-16859" -> "CVE-2018-16859" */
    if (strncmp(copy, "CVE ", 4) == 0 && copy[4] >= '0' && copy[4] <= '9')
        copy[3] = '-';
    for (char *p = copy; *p && n < MAX_WORDS;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            *p++ = '\0';
        if (!*p)
            break;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',')
            p++;
    }
    if (!n || strlen(words[0]) > 128) {
        char rec[512];
        snprintf(rec, sizeof(rec), "%s %s", pkg, ver);
        bsn_vdb_warn(im, path, rec, "malformed secfixes entry '%.80s'", entry);
        return;
    }
    struct bsn_adv_affected f = {
        .namespace = ns,
        .package = pkg,
        .scheme = "apk",
        .fixed = ver,
        .status = BSN_STATUS_FIXED,
    };
    bool never = strcmp(ver, "0") == 0;
    if (!never)
        f.range = bsn_arena_printf(a, "osv:introduced=0;fixed=%s", ver);
    struct bsn_adv adv = {
        .id = words[0],
        .aliases = n > 1 ? words + 1 : NULL,
        .n_aliases = n - 1,
        .affected = never ? NULL : &f,
        .n_affected = never ? 0 : 1,
    };
    bsn_vdb_emit(im, &adv);
}

void
bsn_vdb_secdb_import(struct bsn_vdb_import *im, const char *path, json_t *root, const char *ns)
{
    json_t *pkgs = json_object_get(root, "packages");
    if (json_is_null(pkgs) && json_object_get(root, "distroversion"))
        return; /* "packages:" with nothing under it: an empty repository (v3.3 community) */
    if (!json_is_array(pkgs)) {
        bsn_vdb_warn(im, path, "packages", "no \"packages\" list");
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(pkgs, i, e) {
        json_t *pkg = json_object_get(e, "pkg");
        const char *name = json_string_value(json_object_get(pkg, "name"));
        char rec[64];
        snprintf(rec, sizeof(rec), "packages[%zu]", i);
        if (!name || !*name || strlen(name) > 256) {
            bsn_vdb_warn(im, path, rec, "package without a name");
            continue;
        }
        json_t *fixes = json_object_get(pkg, "secfixes");
        if (!fixes || json_is_null(fixes))
            continue;
        if (!json_is_object(fixes)) {
            bsn_vdb_warn(im, path, name, "\"secfixes\" is not a mapping");
            continue;
        }
        const char *ver;
        json_t *ids;
        json_object_foreach(fixes, ver, ids) {
            if (!*ver || strchr(ver, ';') || strchr(ver, ' ')) {
                bsn_vdb_warn(im, path, name, "malformed fixed version '%.80s'", ver);
                continue;
            }
            if (json_is_null(ids))
                continue;
            if (!json_is_array(ids)) {
                char r2[512];
                snprintf(r2, sizeof(r2), "%s %s", name, ver);
                bsn_vdb_warn(im, path, r2, "fix list is not a list");
                continue;
            }
            size_t k;
            json_t *id;
            json_array_foreach(ids, k, id) {
                const char *s = json_string_value(id);
                if (s && *s)
                    emit_entry(im, path, ns, name, ver, s);
            }
        }
    }
}
