/*
 * Golden-case checker for the language lockfile/metadata analyzers (npm, yarn, pnpm, bun,
 * Python, Ruby, PHP, .NET): runs one tests/data/KIND/CASE through bsn_scan_files (the case's
 * expected.json "inputs" maps its files to image paths, or the test gives the image path when
 * the peer parsed the file directly and bosun's analyzer keys on where the file lives) and
 * checks every expected package exactly: name, version, type, purl (the peer's, else built
 * here independently of src/), path, analyzer, relationship, dev flag and licenses, plus the
 * package count. Where bosun decides differently from a peer, the test says so through the
 * knobs of struct lt_case, each documented at its use. Header-only: include once per test.
 */
#ifndef BSN_TEST_LANGTEXT_GOLDEN_H
#define BSN_TEST_LANGTEXT_GOLDEN_H

#include <ctype.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "bosun.h"

struct lt_case {
    const char *kind;          /* tests/data folder: "javascript" */
    const char *name;          /* case folder */
    const char *analyzer;      /* bosun analyzer expected to report the packages */
    const char *type;          /* purl type */
    const char *image_path;    /* NULL: from expected.json inputs (single input cases) */
    bool dev_not_asserted;     /* the peer has no dev notion (syft) */
    size_t extra_dev;          /* packages bosun reports beyond the peer's list, all dev */
    bool warn_ok;              /* a diagnostic is expected beside the packages */
    bool expect_none;          /* bosun reports nothing here although the peer does (why: at
                                * the call site) */
};

static inline json_t *
lt_expected(const char *kind, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s/expected.json", BSN_TEST_DATA, kind, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

/* Scans one file (disk path under the case folder) as image path img. */
static inline struct bsn_result *
lt_scan(const char *kind, const char *name, const char *file, const char *img)
{
    char disk[1024];
    snprintf(disk, sizeof(disk), "%s/%s/%s/%s", BSN_TEST_DATA, kind, name, file);
    const char *imgs[1] = { img };
    const char *disks[1] = { disk };
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    struct bsn_result *r = NULL;
    if (bsn_scan_files(1, imgs, disks, &o, &r, &err) != BSN_OK)
        fail_msg("%s/%s: scan failed: %s", kind, name, err.msg);
    return r;
}

/* Scans a case file as img together with a second file written here (text) as img2: a
 * project manifest beside a lockfile. */
static inline struct bsn_result *
lt_scan_with(const char *kind, const char *name, const char *file, const char *img,
             const char *img2, const char *text)
{
    char disk[1024], tmp[] = "/tmp/bsn-lt-XXXXXX";
    snprintf(disk, sizeof(disk), "%s/%s/%s/%s", BSN_TEST_DATA, kind, name, file);
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    const char *imgs[2] = { img, img2 };
    const char *disks[2] = { disk, tmp };
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    struct bsn_result *r = NULL;
    bsn_code rc = bsn_scan_files(2, imgs, disks, &o, &r, &err);
    unlink(tmp);
    if (rc != BSN_OK)
        fail_msg("%s/%s: scan failed: %s", kind, name, err.msg);
    return r;
}

/* Checks that exactly the named packages (of type) are direct and all others indirect. */
static inline void
lt_expect_direct(const struct bsn_result *r, const char *type, const char *const *direct,
                 size_t n_direct)
{
    for (size_t i = 0; i < r->n_packages; i++) {
        const struct bsn_package *p = &r->packages[i];
        if (strcmp(p->type, type) != 0)
            continue;
        bool want = false;
        for (size_t k = 0; k < n_direct; k++)
            want = want || strcmp(p->name, direct[k]) == 0;
        if ((int)p->dep != (int)(want ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT))
            fail_msg("%s@%s: dep %d, expected %s", p->name, p->version, (int)p->dep,
                     want ? "direct" : "indirect");
    }
}

/* The purl as the purl spec builds it for these types, written out independently of src/. */
static inline void
lt_purl(char *out, size_t cap, const char *type, const char *name, const char *version)
{
    char n[512];
    size_t j = 0;
    if (strcmp(type, "pypi") == 0) {
        bool sep = false;
        for (const char *c = name; *c && j + 2 < sizeof(n); c++) {
            if (*c == '-' || *c == '_' || *c == '.') {
                sep = true;
                continue;
            }
            if (sep && j)
                n[j++] = '-';
            sep = false;
            n[j++] = (char)tolower((unsigned char)*c);
        }
    } else {
        for (const char *c = name; *c && j + 4 < sizeof(n); c++) {
            if (*c == '@') {
                memcpy(n + j, "%40", 3);
                j += 3;
            } else {
                n[j++] = *c;
            }
        }
    }
    n[j] = '\0';
    if (version && *version)
        snprintf(out, cap, "pkg:%s/%s@%s", type, n, version);
    else
        snprintf(out, cap, "pkg:%s/%s", type, n);
}

static inline enum bsn_dep_kind
lt_dep(const char *rel)
{
    if (strcmp(rel, "direct") == 0)
        return BSN_DEP_DIRECT;
    if (strcmp(rel, "indirect") == 0)
        return BSN_DEP_INDIRECT;
    if (strcmp(rel, "root") == 0)
        return BSN_DEP_ROOT;
    if (strcmp(rel, "workspace") == 0)
        return BSN_DEP_WORKSPACE;
    return BSN_DEP_UNKNOWN;
}

static inline const struct bsn_package *
lt_find(const struct bsn_result *r, const char *type, const char *name, const char *version)
{
    for (size_t i = 0; i < r->n_packages; i++) {
        const struct bsn_package *p = &r->packages[i];
        if (strcmp(p->type, type) == 0 && strcmp(p->name, name) == 0 &&
            strcmp(p->version ? p->version : "", version) == 0)
            return p;
    }
    return NULL;
}

static inline size_t
lt_count(const struct bsn_result *r, const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_packages; i++)
        n += strcmp(r->packages[i].type, type) == 0;
    return n;
}

static inline void
lt_dump(const struct bsn_result *r)
{
    for (size_t i = 0; i < r->n_packages; i++)
        print_message("  got %s %s@%s dep=%d dev=%d %s\n", r->packages[i].type,
                      r->packages[i].name, r->packages[i].version, (int)r->packages[i].dep,
                      (int)r->packages[i].dev, r->packages[i].path);
    for (size_t i = 0; i < r->n_diags; i++)
        print_message("  diag %s\n", r->diags[i].message);
}

/* Checks one expected package entry against the result. */
static inline void
lt_check_pkg(const struct lt_case *c, const struct bsn_result *r, const char *img, json_t *e)
{
    const char *name = json_string_value(json_object_get(e, "name"));
    const char *version = json_string_value(json_object_get(e, "version"));
    if (!version)
        version = "";
    const struct bsn_package *p = lt_find(r, c->type, name, version);
    if (!p) {
        lt_dump(r);
        fail_msg("%s: missing %s@%s", c->name, name, version);
    }
    assert_string_equal(p->analyzer, c->analyzer);
    assert_string_equal(p->path, img);
    char purl[1024];
    const char *want_purl = json_string_value(json_object_get(e, "purl"));
    if (!want_purl) {
        lt_purl(purl, sizeof(purl), c->type, name, version);
        want_purl = purl;
    }
    assert_string_equal(p->purl, want_purl);
    const char *rel = json_string_value(json_object_get(e, "relationship"));
    if (rel && (int)p->dep != (int)lt_dep(rel))
        fail_msg("%s: %s@%s relationship %d, expected %s", c->name, name, version,
                 (int)p->dep, rel);
    if (!c->dev_not_asserted && p->dev != json_is_true(json_object_get(e, "dev")))
        fail_msg("%s: %s@%s dev %d", c->name, name, version, (int)p->dev);
    json_t *lic = json_object_get(e, "licenses");
    if (p->n_licenses != json_array_size(lic))
        fail_msg("%s: %s@%s has %zu licenses, expected %zu", c->name, name, version,
                 p->n_licenses, json_array_size(lic));
    for (size_t k = 0; k < p->n_licenses; k++)
        assert_string_equal(p->licenses[k], json_string_value(json_array_get(lic, k)));
}

/* Runs one case and checks it completely. */
static inline void
lt_check(const struct lt_case *c)
{
    json_t *exp = lt_expected(c->kind, c->name);
    json_t *inputs = json_object_get(exp, "inputs");
    if (json_object_size(inputs) != 1)
        fail_msg("%s: one input expected", c->name);
    const char *file = json_object_iter_key(json_object_iter(inputs));
    const char *img = c->image_path ? c->image_path
                                    : json_string_value(json_object_iter_value(
                                          json_object_iter(inputs)));
    struct bsn_result *r = lt_scan(c->kind, c->name, file, img);
    json_t *pkgs = json_object_get(exp, "packages");
    if (json_is_true(json_object_get(exp, "expect_error"))) {
        /* the peer rejects the file: bosun reports a diagnostic naming it and no package */
        if (r->n_diags == 0 || !strstr(r->diags[0].message, img)) {
            lt_dump(r);
            fail_msg("%s: expected a diagnostic naming '%s'", c->name, img);
        }
        assert_int_equal(lt_count(r, c->type), 0);
    } else if (c->expect_none) {
        assert_int_equal(lt_count(r, c->type), 0);
        assert_int_equal(r->n_diags, 0);
    } else {
        if (!c->warn_ok && r->n_diags != 0) {
            lt_dump(r);
            fail_msg("%s: unexpected diagnostic", c->name);
        }
        if (c->warn_ok && r->n_diags == 0)
            fail_msg("%s: expected a diagnostic", c->name);
        size_t want = json_array_size(pkgs) + c->extra_dev;
        if (lt_count(r, c->type) != want) {
            lt_dump(r);
            fail_msg("%s: %zu packages, expected %zu", c->name, lt_count(r, c->type), want);
        }
        size_t i;
        json_t *e;
        json_array_foreach(pkgs, i, e) lt_check_pkg(c, r, img, e);
        if (c->extra_dev) {
            /* the extras are exactly the packages not in the peer's list, and all dev */
            size_t extras = 0;
            for (size_t k = 0; k < r->n_packages; k++) {
                const struct bsn_package *p = &r->packages[k];
                bool listed = false;
                json_array_foreach(pkgs, i, e) {
                    const char *v = json_string_value(json_object_get(e, "version"));
                    if (strcmp(p->name, json_string_value(json_object_get(e, "name"))) == 0 &&
                        strcmp(p->version, v ? v : "") == 0)
                        listed = true;
                }
                if (listed)
                    continue;
                extras++;
                if (!p->dev)
                    fail_msg("%s: extra %s@%s is not dev", c->name, p->name, p->version);
            }
            assert_int_equal(extras, c->extra_dev);
        }
    }
    bsn_result_free(r);
    json_decref(exp);
}

/* Number of case folders of kind whose name starts with prefix (to prove none is forgotten). */
static inline size_t
lt_cases(const char *kind, const char *prefix)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", BSN_TEST_DATA, kind);
    DIR *d = opendir(path);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

#endif
