/*
 * rpm database readers (private to the rpm analyzer): three storage formats that all hold
 * the same thing, one rpm header blob per installed package.
 *
 *   rpmdb_bdb.c     var/lib/rpm/Packages        Berkeley DB hash (rpm < 4.16, RHEL <= 8)
 *   rpmdb_ndb.c     usr/lib/sysimage/rpm/Packages.db   rpm's own NDB (SUSE)
 *   rpmdb_sqlite.c  rpmdb.sqlite                SQLite "Packages(hnum, blob)" (rpm >= 4.16)
 *   rpmdb_header.c  the header blob itself (tags, types, bounds-checked lookups)
 *
 * Every reader works on the whole file in memory, checks every offset against the buffer, and
 * calls fn once per header blob in database order. fn may stop the walk by returning an
 * error. A record that cannot be read is reported as fn(arg, NULL, 0, err) with err saying why,
 * and the walk goes on with the next one. Readers bound their work by the input size (no
 * cycles, no unbounded allocation).
 */
#ifndef BSN_ANALYZER_RPMDB_INT_H
#define BSN_ANALYZER_RPMDB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

typedef bsn_code bsn_rpmdb_blob_fn(void *arg, const unsigned char *blob, size_t len,
                                   struct bsn_err *err);

BSN_MUST_USE bsn_code bsn_rpmdb_bdb_each(const unsigned char *data, size_t len,
                                         bsn_rpmdb_blob_fn *fn, void *arg, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_rpmdb_ndb_each(const unsigned char *data, size_t len,
                                         bsn_rpmdb_blob_fn *fn, void *arg, struct bsn_err *err);
BSN_MUST_USE bsn_code bsn_rpmdb_sqlite_each(const unsigned char *data, size_t len,
                                            bsn_rpmdb_blob_fn *fn, void *arg,
                                            struct bsn_err *err);

/* rpm tag numbers (rpmtag.h) used by bosun. */
enum {
    BSN_RPMTAG_NAME = 1000,
    BSN_RPMTAG_VERSION = 1001,
    BSN_RPMTAG_RELEASE = 1002,
    BSN_RPMTAG_EPOCH = 1003,
    BSN_RPMTAG_SUMMARY = 1004,
    BSN_RPMTAG_SIZE = 1009,
    BSN_RPMTAG_VENDOR = 1011,
    BSN_RPMTAG_LICENSE = 1014,
    BSN_RPMTAG_ARCH = 1022,
    BSN_RPMTAG_OLDFILENAMES = 1027,
    BSN_RPMTAG_SOURCERPM = 1044,
    BSN_RPMTAG_DIRINDEXES = 1116,
    BSN_RPMTAG_BASENAMES = 1117,
    BSN_RPMTAG_DIRNAMES = 1118,
    BSN_RPMTAG_MODULARITYLABEL = 5096,
};

/* A parsed (validated) header blob: lookups never read outside it. */
struct bsn_rpm_header {
    const unsigned char *index; /* il entries of 16 bytes */
    uint32_t il;
    const unsigned char *store; /* dl bytes of data */
    uint32_t dl;
};

/* Validates the blob's layout: "il dl index[il] store[dl]", big-endian. */
BSN_MUST_USE bsn_code bsn_rpm_header_init(struct bsn_rpm_header *h, const unsigned char *blob,
                                          size_t len, struct bsn_err *err);
/* A STRING / I18NSTRING tag (first string of an array): false if absent or malformed. */
bool bsn_rpm_header_string(const struct bsn_rpm_header *h, uint32_t tag, struct bsn_str *out);
/* The first value of an INT32 tag: false if absent or malformed. */
bool bsn_rpm_header_int32(const struct bsn_rpm_header *h, uint32_t tag, uint32_t *out);

/* Calls fn(arg, dir, base) for every installed file (DIRNAMES/BASENAMES/DIRINDEXES, or the
 * legacy OLDFILENAMES with an empty dir). Malformed file tags end the walk quietly. */
typedef void bsn_rpm_file_fn(void *arg, struct bsn_str dir, struct bsn_str base);
void bsn_rpm_header_files(const struct bsn_rpm_header *h, bsn_rpm_file_fn *fn, void *arg);

/* Shared by the rpm analyzers (analyzer_rpm.c): records p's source rpm (split into
 * source_name / source_version), and builds the purls of the surviving packages in finish. */
struct bsn_actx;
struct bsn_fctx;
struct bsn_package;
void bsn_rpm_set_source(struct bsn_actx *ctx, struct bsn_package *p, const char *srpm);
void bsn_rpm_set_purls(struct bsn_fctx *ctx);

#endif
