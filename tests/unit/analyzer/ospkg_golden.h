/*
 * Golden-case helpers for the OS package analyzer tests (dpkg, apk, rpm, os_release): run one
 * tests/data/KIND/CASE through bsn_scan_files and compare with its expected.json.
 *
 * "inputs" maps each case file to its image path, either as a string ("var/lib/dpkg/status",
 * possibly followed by a note in parentheses) or as an object {"image_path", "archive_member"}
 * for .tar.xz files holding one member, which is unpacked (libarchive) into a temp dir first.
 * Header-only: each test executable includes it once.
 */
#ifndef BSN_TEST_OSPKG_GOLDEN_H
#define BSN_TEST_OSPKG_GOLDEN_H

#include <archive.h>
#include <archive_entry.h>
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

static char ospkg_tmpdir[256];

static inline json_t *
ospkg_expected(const char *kind, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s/expected.json", BSN_TEST_DATA, kind, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

/* Unpacks member of the .tar.xz at src into the temp dir; returns the new file's path. */
static inline char *
ospkg_unpack(const char *src, const char *member, const char *tag)
{
    if (!ospkg_tmpdir[0]) {
        snprintf(ospkg_tmpdir, sizeof(ospkg_tmpdir), "/tmp/bsn-ospkg-XXXXXX");
        assert_non_null(mkdtemp(ospkg_tmpdir));
    }
    char *out = malloc(1024);
    snprintf(out, 1024, "%s/%s-%s", ospkg_tmpdir, tag, member);
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, src, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    bool found = false;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (strcmp(archive_entry_pathname(e), member) != 0)
            continue;
        FILE *f = fopen(out, "wb");
        assert_non_null(f);
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
            assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        found = true;
        break;
    }
    archive_read_free(a);
    if (!found)
        fail_msg("%s: no member '%s'", src, member);
    return out;
}

static inline void
ospkg_cleanup(void)
{
    if (!ospkg_tmpdir[0])
        return;
    DIR *d = opendir(ospkg_tmpdir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s", ospkg_tmpdir, de->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(ospkg_tmpdir);
    ospkg_tmpdir[0] = 0;
}

/* Scans the case's inputs as one layer. Fails the test if the scan itself fails. */
static inline struct bsn_result *
ospkg_scan(const char *kind, const char *name, json_t *exp)
{
    json_t *inputs = json_object_get(exp, "inputs");
    assert_true(json_is_object(inputs));
    size_t n = json_object_size(inputs), i = 0;
    char **img = calloc(n, sizeof(*img));
    char **disk = calloc(n, sizeof(*disk));
    const char *key;
    json_t *val;
    json_object_foreach(inputs, key, val) {
        char src[1024];
        snprintf(src, sizeof(src), "%s/%s/%s/%s", BSN_TEST_DATA, kind, name, key);
        if (json_is_object(val)) {
            img[i] = strdup(json_string_value(json_object_get(val, "image_path")));
            const char *member = json_string_value(json_object_get(val, "archive_member"));
            disk[i] = member ? ospkg_unpack(src, member, name) : strdup(src);
        } else {
            /* "var/lib/dpkg/status (peer reads it as a status file)": the path is the first
             * word */
            const char *s = json_string_value(val);
            img[i] = strndup(s, strcspn(s, " "));
            disk[i] = strdup(src);
        }
        i++;
    }
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = 0;
    o.jobs = 1;
    struct bsn_err err = { 0 };
    struct bsn_result *r = NULL;
    bsn_code rc = bsn_scan_files(n, (const char *const *)img, (const char *const *)disk, &o,
                                 &r, &err);
    for (i = 0; i < n; i++) {
        free(img[i]);
        free(disk[i]);
    }
    free(img);
    free(disk);
    if (rc != BSN_OK)
        fail_msg("%s/%s: scan failed: %s", kind, name, err.msg);
    return r;
}

/* Scans (image path, disk path) pairs. */
static inline struct bsn_result *
ospkg_scan_paths(size_t n, const char *const *img, const char *const *disk)
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
ospkg_find(const struct bsn_result *r, const char *type, const char *name, const char *version)
{
    for (size_t i = 0; i < r->n_packages; i++) {
        const struct bsn_package *p = &r->packages[i];
        if ((!type || strcmp(p->type, type) == 0) && strcmp(p->name, name) == 0 &&
            (!version || strcmp(p->version, version) == 0))
            return p;
    }
    return NULL;
}

static inline size_t
ospkg_count(const struct bsn_result *r, const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_packages; i++)
        n += !type || strcmp(r->packages[i].type, type) == 0;
    return n;
}

static inline bool
ospkg_has_diag(const struct bsn_result *r, const char *needle)
{
    for (size_t i = 0; i < r->n_diags; i++)
        if (strstr(r->diags[i].message, needle))
            return true;
    return false;
}

/* Asserts a string field: exp may be NULL (not asserted). */
static inline void
ospkg_assert_str(const char *what, const char *name, const char *got, const char *exp)
{
    if (!exp)
        return;
    if (!got || strcmp(got, exp) != 0)
        fail_msg("%s: %s is '%s', expected '%s'", name, what, got ? got : "(null)", exp);
}

/* Asserts that p's licenses are exactly the JSON array exp (order-insensitive). */
static inline void
ospkg_assert_licenses(const struct bsn_package *p, json_t *exp)
{
    if (!json_is_array(exp))
        return;
    if (p->n_licenses != json_array_size(exp))
        fail_msg("%s: %zu licenses, expected %zu", p->name, p->n_licenses,
                 json_array_size(exp));
    size_t i;
    json_t *v;
    json_array_foreach(exp, i, v) {
        bool found = false;
        for (size_t k = 0; k < p->n_licenses && !found; k++)
            found = strcmp(p->licenses[k], json_string_value(v)) == 0;
        if (!found)
            fail_msg("%s: license '%s' missing", p->name, json_string_value(v));
    }
}

/* Calls fn for every case directory of kind; returns the count. */
static inline size_t
ospkg_each(const char *kind, void (*fn)(const char *kind, const char *name))
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", BSN_TEST_DATA, kind);
    DIR *d = opendir(path);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        fn(kind, names[i]);
        free(names[i]);
    }
    return n;
}

/* Writes a file in the temp dir; returns its path (free it). */
static inline char *
ospkg_write_tmp(const char *name, const char *content)
{
    if (!ospkg_tmpdir[0]) {
        snprintf(ospkg_tmpdir, sizeof(ospkg_tmpdir), "/tmp/bsn-ospkg-XXXXXX");
        assert_non_null(mkdtemp(ospkg_tmpdir));
    }
    char *p = malloc(1024);
    snprintf(p, 1024, "%s/%s", ospkg_tmpdir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return p;
}

static inline const char *
jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

#endif
