/*
 * The vulnerability database: importers turn native feeds into advisories, the writer stores
 * them in one SQLite file (schema.sql, documented in docs/database.md), scans read it.
 *
 * Importers are one file each under vulndb/feed/ (feed_osv.c, feed_debian.c, …), each
 * exporting one const struct bsn_feed listed in feeds.def. An importer reads its source (a
 * file, a directory, an archive member stream) and calls bsn_vdb_emit() once per advisory; it
 * never touches SQL. A malformed record is a warning (bsn_vdb_warn) naming file and record,
 * counted as skipped, and the import goes on.
 *
 * Namespaces (the "where" of an affected package):
 *   OS:        "debian:12", "ubuntu:22.04", "ubuntu:22.04:esm", "alpine:3.19", "wolfi",
 *              "chainguard", "rhel:9", "alma:9", "rocky:9", "amazon:2", "amazon:2023",
 *              "sles:15.5", "opensuse-leap:15.5", "oracle:9", "photon:5", "azurelinux:3.0"
 *   language:  "npm", "pypi", "maven", "go", "crates.io", "rubygems", "packagist", "nuget",
 *              "hex", "pub"
 * Package names are stored as the ecosystem spells them for matching: Debian/Ubuntu source
 * package names, Alpine origins, rpm binary names, PEP 503-normalised PyPI names, Maven
 * "group:artifact", Go module paths.
 */
#ifndef BSN_VULNDB_H
#define BSN_VULNDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/reader.h"
#include "bosun.h"

#define BSN_VDB_SCHEMA_VERSION 1

/* One affected (namespace, package) of an advisory, with one range. An advisory affecting a
 * package through several disjoint ranges carries one entry per range. */
struct bsn_adv_affected {
    const char *namespace;   /* "debian:12", "npm" … */
    const char *package;     /* name as matched, see above */
    const char *scheme;      /* version scheme to evaluate range with: "deb", "npm", … */
    const char *range;       /* canonical range text (version/version.h); NULL = all versions */
    const char *fixed;       /* first fixed version for the report, NULL if none */
    enum bsn_vuln_status status; /* fixed, not_fixed, will_not_fix, fix_deferred, end_of_life,
                                    affected */
    const char *severity;    /* the vendor's severity for this package/release, e.g. "LOW",
                                "important" mapped to bsn severity names; NULL if none */
    const char *module;      /* rpm modularity stream "nodejs:18", NULL if not modular */
    const char *arch;        /* NULL = all */
};

struct bsn_adv {
    const char *id;          /* "CVE-2024-0727", "GHSA-…", "DSA-5678-1", "RUSTSEC-…" */
    const char *const *aliases;
    size_t n_aliases;
    const char *summary;
    const char *description;
    const char *published;   /* RFC 3339 or NULL */
    const char *modified;
    const char *severity;    /* the source's overall severity name ("HIGH"), or NULL */
    const struct bsn_cvss *cvss;
    size_t n_cvss;
    const char *const *cwes;
    size_t n_cwes;
    const char *const *references;
    size_t n_references;
    const struct bsn_adv_affected *affected;
    size_t n_affected;
};

struct bsn_vdb_import;  /* an import in progress (the writer side) */

struct bsn_feed {
    const char *name;        /* "osv", "debian-tracker", "alpine-secdb" … = the SOURCE prefix */
    const char *data_source; /* what findings name as data_source: "osv", "debian", "nvd" … */
    /* True if the content looks like this feed (first bytes of a file, or the file's path
     * inside a directory/archive). Used for detection when no prefix is given. */
    bool (*detect)(const char *path, const unsigned char *head, size_t n);
    /* Imports one file (path is for messages and for layout-derived facts such as the
     * release in "v3.19/main.json"). data is the whole file, NUL-terminated. */
    bsn_code (*import_file)(struct bsn_vdb_import *im, const char *path,
                            const unsigned char *data, size_t len, struct bsn_err *err);
};

/* Importer side: record one advisory (copied). Advisories with the same id from the same
 * source are merged (affected entries appended). */
void bsn_vdb_emit(struct bsn_vdb_import *im, const struct bsn_adv *adv);
/* A skipped record: counted, and reported as "path: record: message". */
void bsn_vdb_warn(struct bsn_vdb_import *im, const char *path, const char *record,
                  const char *fmt, ...) BSN_PRINTF(4, 5);
/* Scratch arena for building advisories; rewound after each import_file call. */
struct bsn_arena *bsn_vdb_scratch(struct bsn_vdb_import *im);

extern const struct bsn_feed *const bsn_feeds[];
const struct bsn_feed *bsn_feed_find(const char *name);

/* ---- reading (scans) ---------------------------------------------------------------------- */

struct bsn_vdb;  /* a read-only handle; one per thread (SQLite connection inside) */

/* Opens read-only; BSN_EDB with a message saying how to get a database when missing,
 * corrupt or of another schema version. */
BSN_MUST_USE bsn_code bsn_vdb_open(const char *path, struct bsn_vdb **out, struct bsn_err *err);
void bsn_vdb_close(struct bsn_vdb *db);

/* One affected row joined with its advisory, as the matcher needs it. */
struct bsn_vdb_hit {
    const struct bsn_adv *adv;        /* advisory (id, aliases, severity, cvss, refs …) */
    const struct bsn_adv_affected *aff;
    const char *data_source;          /* feed's data_source */
    const char *source;               /* feed (importer) name: "osv", "debian-tracker" … */
};

/* All affected rows for (namespace, package); results live in arena. */
BSN_MUST_USE bsn_code bsn_vdb_lookup(struct bsn_vdb *db, const char *namespace,
                                     const char *package, struct bsn_arena *arena,
                                     struct bsn_vdb_hit **out, size_t *n, struct bsn_err *err);
/* An advisory by id or alias (NVD severities for a CVE …), or *out = NULL. */
BSN_MUST_USE bsn_code bsn_vdb_advisory(struct bsn_vdb *db, const char *id,
                                       struct bsn_arena *arena, const struct bsn_adv **out,
                                       const char **data_source, struct bsn_err *err);
/* Build time (seconds since the epoch) and whether namespace is known to the database. */
int64_t bsn_vdb_built_at(struct bsn_vdb *db);
bool bsn_vdb_has_namespace(struct bsn_vdb *db, const char *namespace);

#endif
