/*
 * Shared by the feed tests that build a database from a whole feed archive and read it back
 * (test_feed_{nvd,cve5,nodejs_wg,rubysec,rustsec}.c): collected build warnings, a one-source
 * build through the public API, a source's row of `db info`, and the cmocka group fixture that
 * builds the feed's database in a temp dir and opens it (vdb, db_path). Header-only: each test
 * includes it once, after cmocka.
 */
#ifndef BSN_TEST_FEED_DB_FIXTURE_H
#define BSN_TEST_FEED_DB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bosun.h"
#include "vulndb/vulndb.h"

struct warns {
    char msg[16][700];
    size_t n;
};

static void
on_warn(void *arg, const char *msg)
{
    struct warns *w = arg;
    if (w->n < 16)
        snprintf(w->msg[w->n++], sizeof(w->msg[0]), "%s", msg);
}

static void
build(const char *source, const char *out, struct warns *w)
{
    const char *sources[] = { source };
    struct bsn_db_build_opts o = { .out = out, .sources = sources, .n_sources = 1,
                                   .built_at = 1700000000, .warn = on_warn, .warn_arg = w };
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_db_build(&o, &err);
    if (rc != BSN_OK)
        fprintf(stderr, "build: %s\n", err.msg);
    assert_int_equal(rc, BSN_OK);
}

static const struct bsn_db_source *
source_of(const char *path, const char *name, struct bsn_arena *a)
{
    struct bsn_db_info info;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_db_info(path, a, &info, &err), BSN_OK);
    for (size_t i = 0; i < info.n_sources; i++)
        if (strcmp(info.sources[i].name, name) == 0)
            return &info.sources[i];
    fail_msg("no source '%s' in %s", name, path);
    return NULL;
}

static char dir[256], db_path[300];
static struct bsn_vdb *vdb;

/* Builds the database of one feed archive ("KIND:ARCHIVE") in a fresh temp dir and opens it. */
static int
feed_db_open(const char *kind, const char *archive)
{
    snprintf(dir, sizeof(dir), "/tmp/bsn-test-%s-XXXXXX", kind);
    if (!mkdtemp(dir))
        return -1;
    snprintf(db_path, sizeof(db_path), "%s/%s.db", dir, kind);
    char source[1024];
    snprintf(source, sizeof(source), "%s:%s", kind, archive);
    struct warns w = { .n = 0 };
    build(source, db_path, &w);
    struct bsn_err err = { 0 };
    return bsn_vdb_open(db_path, &vdb, &err) == BSN_OK ? 0 : -1;
}

static int
feed_db_close(void)
{
    bsn_vdb_close(vdb);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
