/*
 * Private declarations of the vulndb subsystem: the import (writer) side that the build driver
 * and the tests use, the schema text, and small helpers shared by the importers. Never
 * included from another subsystem.
 */
#ifndef BSN_VULNDB_INT_H
#define BSN_VULNDB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/map.h"
#include "vulndb/vulndb.h"

/* Largest single feed file read into memory (the full Debian tracker JSON is ~80 MiB). */
#define BSN_VDB_MAX_FILE (512u * 1024u * 1024u)

/* The schema of schema.sql, kept byte-identical to it (a unit test checks). */
extern const char bsn_vdb_schema_sql[];

typedef void bsn_vdb_warn_fn(void *arg, const char *msg);

/* One merged advisory of an import (vulndb_import.c); arrays are malloc'd, strings in the
 * import's arena. adv.affected/aliases are set from aff/aliases when written. */
struct imp_adv {
    struct bsn_adv adv;
    const char *source;          /* feed name */
    struct bsn_adv_affected *aff;
    size_t n_aff, cap_aff;
    const char **aliases;
    size_t n_aliases, cap_aliases;
};

struct imp_source {
    const char *name;            /* feed name, static */
    const char *data_source;
    const char *newest;          /* newest modified/published date seen */
    size_t records, skipped;
};

struct bsn_vdb_import {
    struct bsn_arena *arena;     /* merged advisories */
    struct bsn_arena *scratch;   /* rewound after each file */
    struct bsn_map by_key;       /* "feed\x1fid" -> struct imp_adv */
    struct imp_adv **advs;
    size_t n_advs, cap_advs;
    struct imp_source *sources;
    size_t n_sources, cap_sources;
    const struct bsn_feed *feed; /* feed of the file being imported */
    struct imp_source *cur_source;
    size_t n_warnings;
    bsn_vdb_warn_fn *warn;
    void *warn_arg;
};

/* An import: advisories accumulate in memory (merged by source and id) and are written out
 * sorted, so the database does not depend on file or archive order. */
struct bsn_vdb_import *bsn_vdb_import_new(bsn_vdb_warn_fn *warn, void *warn_arg);
void bsn_vdb_import_free(struct bsn_vdb_import *im);
/* Runs feed->import_file on one file with a fresh scratch arena; records the feed as a
 * source even when the file emits nothing. */
BSN_MUST_USE bsn_code bsn_vdb_import_file(struct bsn_vdb_import *im, const struct bsn_feed *feed,
                                          const char *path, const unsigned char *data,
                                          size_t len, struct bsn_err *err);
/* Marks feed as a source of this build (so it is listed even with 0 records). */
void bsn_vdb_import_use_feed(struct bsn_vdb_import *im, const struct bsn_feed *feed);
/* Number of advisories emitted so far by feed (after merging), and skipped records. */
size_t bsn_vdb_import_records(const struct bsn_vdb_import *im, const char *feed_name);
size_t bsn_vdb_import_skipped(const struct bsn_vdb_import *im, const char *feed_name);
/* Writes the SQLite database to path (which must not exist: callers pass a temp name). */
BSN_MUST_USE bsn_code bsn_vdb_import_write(struct bsn_vdb_import *im, const char *path,
                                           int64_t built_at, struct bsn_err *err);

/* Builds "[kind:]PATH" sources into a temp file beside out, fsyncs it and renames it over
 * out (vulndb_build.c); the old file stays on any failure. */
BSN_MUST_USE bsn_code bsn_vdb_build_into(const char *out, const char *const *sources, size_t n,
                                         int64_t built_at, bsn_msg_fn *warn, void *warn_arg,
                                         struct bsn_err *err);
/* fsync tmp, rename it onto dest, fsync dest's directory. */
BSN_MUST_USE bsn_code bsn_vdb_install_file(const char *tmp, const char *dest,
                                           struct bsn_err *err);
/* "sha256:<hex>" of a file's content and its size. */
BSN_MUST_USE bsn_code bsn_vdb_file_sha256(const char *path, char out[80], uint64_t *size,
                                          struct bsn_err *err);

/* The advisory id of one source (feed name), with its affected rows; *out NULL if absent. */
BSN_MUST_USE bsn_code bsn_vdb_advisory_from(struct bsn_vdb *v, const char *id,
                                            const char *source, struct bsn_arena *arena,
                                            const struct bsn_adv **out,
                                            const char **data_source, struct bsn_err *err);

/* Imports a parsed secdb document (Alpine or Wolfi, vulndb_secdb.c) into namespace ns. */
struct json_t;
void bsn_vdb_secdb_import(struct bsn_vdb_import *im, const char *path, struct json_t *root,
                          const char *ns);

/* Status names stored in the database ("fixed", "not_fixed", …). */
const char *bsn_vdb_status_name(enum bsn_vuln_status s);
bool bsn_vdb_status_parse(const char *s, enum bsn_vuln_status *out);

/* Maps a vendor severity word (Debian urgency, GHSA "MODERATE", "important") to a bosun
 * severity name ("LOW" … "CRITICAL"), or NULL when it names none. */
const char *bsn_vdb_severity_word(const char *word, size_t n);

/* Debian release codename ("bookworm") to its version ("12"); "sid" gives "unstable". NULL
 * for an unknown codename. */
const char *bsn_vdb_debian_release(const char *codename, size_t n);

/* An OSV ecosystem name ("PyPI", "Debian:12", "Ubuntu:Pro:18.04:LTS", "Rocky Linux:9") to a
 * namespace ("pypi", "debian:12", "ubuntu:18.04:esm", "rocky:9") and version scheme, in
 * arena. Unknown ecosystems map to their lowercased name with scheme "generic". Also accepts a
 * namespace itself ("npm", "debian:12"). False for an empty name. */
bool bsn_vdb_osv_ecosystem(const char *eco, struct bsn_arena *arena, const char **namespace,
                           const char **scheme);
/* True for the version schemes of OS packages (deb, apk, rpm): no fix means "not_fixed". */
bool bsn_vdb_is_distro_scheme(const char *scheme);
/* CVSS base score of a v2 or v3.x vector ("CVSS:3.1/AV:N/…", "AV:N/AC:L/Au:N/…"); 0 when the
 * vector is malformed or of another version (v4 scores need the spec's tables). */
double bsn_vdb_cvss_score(const char *vector);
/* PEP 503 normalised name in arena: lowercase, runs of '-', '_', '.' become one '-'. */
char *bsn_vdb_pypi_name(struct bsn_arena *arena, const char *name);

#endif
