/*
 * Golden-case helpers for the Java, Go and Rust analyzer tests: run one tests/data/KIND/CASE
 * through bsn_scan_files (its expected.json "inputs" maps case files to image paths) and look
 * packages up in the result. Header-only: each test executable includes it once.
 */
#ifndef BSN_TEST_LANGBIN_GOLDEN_H
#define BSN_TEST_LANGBIN_GOLDEN_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "bosun.h"

static inline json_t *
golden_expected(const char *kind, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s/expected.json", BSN_TEST_DATA, kind, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

/* Scans the case's inputs as one layer; returns the scan's code, *out set on success. */
static inline bsn_code
golden_scan(const char *kind, const char *name, json_t *exp, struct bsn_result **out)
{
    json_t *inputs = json_object_get(exp, "inputs");
    assert_true(json_is_object(inputs));
    size_t n = json_object_size(inputs), i = 0;
    const char **img = calloc(n, sizeof(*img));
    char **disk = calloc(n, sizeof(*disk));
    const char *key;
    json_t *val;
    json_object_foreach(inputs, key, val) {
        disk[i] = malloc(1024);
        snprintf(disk[i], 1024, "%s/%s/%s/%s", BSN_TEST_DATA, kind, name, key);
        img[i] = json_string_value(val);
        i++;
    }
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_scan_files(n, img, (const char *const *)disk, &o, out, &err);
    for (i = 0; i < n; i++)
        free(disk[i]);
    free(disk);
    free(img);
    return rc;
}

/* Scans files given directly (image path, disk path pairs). */
static inline struct bsn_result *
golden_scan_paths(size_t n, const char *const *img, const char *const *disk)
{
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    struct bsn_result *r = NULL;
    if (bsn_scan_files(n, img, disk, &o, &r, &err) != BSN_OK)
        fail_msg("scan failed: %s", err.msg);
    return r;
}

static inline const struct bsn_package *
golden_find(const struct bsn_result *r, const char *type, const char *name, const char *version)
{
    for (size_t i = 0; i < r->n_packages; i++) {
        const struct bsn_package *p = &r->packages[i];
        if (strcmp(p->type, type) == 0 && strcmp(p->name, name) == 0 &&
            (!version || strcmp(p->version, version) == 0))
            return p;
    }
    return NULL;
}

static inline size_t
golden_count_type(const struct bsn_result *r, const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_packages; i++)
        n += strcmp(r->packages[i].type, type) == 0;
    return n;
}

static inline bool
golden_has_diag(const struct bsn_result *r, const char *needle)
{
    for (size_t i = 0; i < r->n_diags; i++)
        if (strstr(r->diags[i].message, needle))
            return true;
    return false;
}

/* Calls fn for every case directory of kind whose name starts with prefix; returns the count. */
static inline size_t
golden_each(const char *kind, const char *prefix, void (*fn)(const char *kind, const char *name))
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", BSN_TEST_DATA, kind);
    DIR *d = opendir(path);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            names[n++] = strdup(de->d_name);
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        fn(kind, names[i]);
        free(names[i]);
    }
    return n;
}

#endif
