/*
 * Zipped Python eggs, <site-packages>/<name>-<version>-py3.X.egg (setuptools' easy_install
 * format, https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html): a zip whose
 * EGG-INFO/PKG-INFO holds the core metadata, parsed as python_pkg does. Unpacked .egg
 * folders are python_pkg's (EGG-INFO/PKG-INFO as a file).
 *
 * The zip is read from memory with libarchive; only the PKG-INFO entry is inflated, at most
 * 1 MiB of it (a larger or bomb-like entry is an error), and at most 100,000 entries are
 * walked. A file that is not a zip or has no EGG-INFO/PKG-INFO is an error naming it.
 * Limit: 64 MiB per egg.
 */
#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"

#define EGG_PKG_INFO_MAX (1u << 20)
#define EGG_MAX_ENTRIES 100000

static bsn_code
python_egg_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    bsn_code rc = BSN_OK;
    if (archive_read_open_memory(a, in->data, in->len) != ARCHIVE_OK) {
        rc = bsn_err_set(err, BSN_EFORMAT, "not a zip archive: %s", archive_error_string(a));
        goto out;
    }
    struct archive_entry *e;
    int r;
    size_t entries = 0;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        if (++entries > EGG_MAX_ENTRIES) {
            rc = bsn_err_set(err, BSN_ELIMIT, "more than %d zip entries", EGG_MAX_ENTRIES);
            goto out;
        }
        const char *name = archive_entry_pathname(e);
        if (!name || strcmp(name, "EGG-INFO/PKG-INFO") != 0)
            continue;
        char *buf = bsn_arena_alloc(bsn_actx_scratch(ctx), EGG_PKG_INFO_MAX + 1);
        size_t len = 0;
        for (;;) {
            la_ssize_t n = archive_read_data(a, buf + len, EGG_PKG_INFO_MAX + 1 - len);
            if (n < 0) {
                rc = bsn_err_set(err, BSN_EFORMAT, "EGG-INFO/PKG-INFO: %s",
                                 archive_error_string(a));
                goto out;
            }
            if (n == 0)
                break;
            len += (size_t)n;
            if (len > EGG_PKG_INFO_MAX) {
                rc = bsn_err_set(err, BSN_ELIMIT, "EGG-INFO/PKG-INFO larger than %u bytes",
                                 EGG_PKG_INFO_MAX);
                goto out;
            }
        }
        rc = bsn_python_metadata(ctx, bsn_str_make(buf, len), err);
        goto out;
    }
    if (r == ARCHIVE_EOF)
        rc = bsn_err_set(err, BSN_EFORMAT, "no EGG-INFO/PKG-INFO in the egg");
    else
        rc = bsn_err_set(err, BSN_EFORMAT, "corrupt zip: %s", archive_error_string(a));
out:
    archive_read_free(a);
    return rc;
}

static const char *const python_egg_exts[] = { ".egg", NULL };

const struct bsn_analyzer bsn_analyzer_python_egg = {
    .name = "python_egg",
    .scheme = "pep440",
    .version = 1,
    .max_input = 64u << 20,
    .exts = python_egg_exts,
    .parse = python_egg_parse,
};
