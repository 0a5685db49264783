/*
 * Helpers for the importer unit tests: run one feed over inline bytes and look at the merged
 * advisories the import holds (struct bsn_vdb_import from vulndb_int.h), before any SQL.
 */
#ifndef BSN_FEED_TEST_UTIL_H
#define BSN_FEED_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vulndb/vulndb_int.h"

struct ft_warns {
    char msg[16][700];
    size_t n;
};

static inline void
ft_on_warn(void *arg, const char *msg)
{
    struct ft_warns *w = arg;
    if (w->n < 16)
        snprintf(w->msg[w->n++], sizeof(w->msg[0]), "%s", msg);
}

/* Imports text as file path with feed (after checking feed->detect agrees). */
static inline void
ft_import(struct bsn_vdb_import *im, const struct bsn_feed *feed, const char *path,
          const char *text)
{
    size_t n = strlen(text);
    assert_true(feed->detect(path, (const unsigned char *)text, n < 4096 ? n : 4096));
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_vdb_import_file(im, feed, path, (const unsigned char *)text, n, &err),
                     BSN_OK);
}

static inline const struct imp_adv *
ft_adv(const struct bsn_vdb_import *im, const char *id)
{
    for (size_t i = 0; i < im->n_advs; i++)
        if (strcmp(im->advs[i]->adv.id, id) == 0)
            return im->advs[i];
    return NULL;
}

/* The affected row of adv for (namespace, package, range) or NULL (range NULL: any). */
static inline const struct bsn_adv_affected *
ft_aff(const struct imp_adv *a, const char *ns, const char *pkg, const char *range)
{
    for (size_t i = 0; a && i < a->n_aff; i++) {
        const struct bsn_adv_affected *f = &a->aff[i];
        if (strcmp(f->namespace, ns) == 0 && strcmp(f->package, pkg) == 0 &&
            (!range || (f->range && strcmp(f->range, range) == 0)))
            return f;
    }
    return NULL;
}

static inline bool
ft_has_alias(const struct imp_adv *a, const char *alias)
{
    for (size_t i = 0; a && i < a->n_aliases; i++)
        if (strcmp(a->aliases[i], alias) == 0)
            return true;
    return false;
}

#endif
