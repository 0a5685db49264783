/*
 * Private declarations of the matcher (src/match/ only): the per-family rules that turn a
 * package into a database key, OS namespaces and end-of-life dates, severity words, dates.
 */
#ifndef BSN_MATCH_INT_H
#define BSN_MATCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/map.h"
#include "bosun.h"
#include "textfmt/purl.h"

/* What a package is looked up and compared as. */
struct bsn_match_key {
    const char *namespace; /* "debian:12", "npm" … */
    const char *name;      /* source name, origin, PEP 503 name, "group:artifact" … */
    const char *version;   /* the version ranges are evaluated against */
    const char *scheme;    /* scheme to use when an affected row names none */
    bool os;               /* an OS package: the distro's severity wins */
};

/* "debian:12" for Debian 12.7, "alpine:3.19" for 3.19.1, "ubuntu:22.04", "rhel:9" …, or NULL
 * when the family is not one the database knows. */
const char *bsn_match_os_namespace(struct bsn_arena *a, const struct bsn_os *os);
/* End of (standard) support of the OS release as seconds since the epoch, 0 if unknown. */
int64_t bsn_match_os_eol(const struct bsn_os *os);
/* True for the package types an OS package database yields (deb, apk, rpm). */
bool bsn_match_is_os_type(const char *type);
/* The key of an OS package (os_ns from bsn_match_os_namespace). False: not matchable. */
bool bsn_match_os_key(struct bsn_arena *a, const struct bsn_package *p, const char *os_ns,
                      struct bsn_match_key *k);
/* The key of a language package. False: an ecosystem the database does not cover. */
bool bsn_match_lang_key(struct bsn_arena *a, const struct bsn_package *p,
                        struct bsn_match_key *k);
/* PEP 503 normalised name: lowercase, runs of '-', '_', '.' as one '-'. */
char *bsn_match_pep503(struct bsn_arena *a, const char *name);
/* Drops a Debian binNMU suffix "+bN" (the source version of a binNMU'd binary). */
char *bsn_match_strip_binnmu(struct bsn_arena *a, const char *version);

/* A severity name or vendor word ("HIGH", "moderate", "important", "unimportant" …). False
 * for NULL, empty or unknown words ("not yet assigned"). */
bool bsn_match_sev_word(const char *s, enum bsn_severity *out);
/* CVSS v3 base score bands: 0.1-3.9 LOW, 4-6.9 MEDIUM, 7-8.9 HIGH, 9-10 CRITICAL. */
enum bsn_severity bsn_match_cvss_band(double score);

/* Seconds since the epoch at 00:00 UTC of y-m-d (proleptic Gregorian). */
int64_t bsn_match_civil(int y, int m, int d);
/* Parses "YYYY-MM-DD" (the first 10 bytes of s); false if malformed. */
bool bsn_match_parse_date(const char *s, size_t n, int64_t *out);

/* ---- filters (match_filter.c, match_vex.c) ------------------------------------------------- */

/* Reads the whole file at path (at most max_bytes) into out. *missing (may be NULL) is set when
 * the file does not exist, and BSN_ENOTFOUND returned. */
BSN_MUST_USE bsn_code bsn_match_read_file(const char *path, size_t max_bytes,
                                          struct bsn_buf *out, bool *missing,
                                          struct bsn_err *err);

/* One VEX statement: the vulnerability's ids, the products (package purls, parsed) it speaks
 * for (none: every product), and what it says. */
struct bsn_vex_stmt {
    const char **ids;
    size_t n_ids;
    struct bsn_purl *products;
    size_t n_products;
    const char *reason; /* "vex:not_affected", "vex:fixed", or NULL: affected / in triage */
};

struct bsn_vex_set {
    struct bsn_vex_stmt *stmts;
    size_t n, cap;      /* stmts is malloc'd: bsn_vex_set_release */
    bool indexed;
    struct bsn_map by_id; /* id -> struct bsn_vex_idx (after bsn_vex_index) */
    /* The scanned image, for statements whose product is the image itself (a pkg:oci purl
     * without subcomponents): they speak for every package in it. NULL: no image. */
    const struct bsn_image_info *artifact;
};

/* The statements naming one id, in document order. */
struct bsn_vex_idx {
    size_t *stmt;
    size_t n;
};

void bsn_vex_set_release(struct bsn_vex_set *s);
/* Indexes the statements by vulnerability id (in a), so verdicts cost the statements naming
 * the finding's ids, not all of them. Call once all documents are parsed. */
void bsn_vex_index(struct bsn_vex_set *s, struct bsn_arena *a);
/* Parses an OpenVEX or CycloneDX VEX document (JSON) named name, appending its statements
 * (strings in a). BSN_EFORMAT naming the document when it is neither. */
BSN_MUST_USE bsn_code bsn_vex_parse(struct bsn_arena *a, const char *name, const char *data,
                                    size_t len, struct bsn_vex_set *set, struct bsn_err *err);
/* The reason the statements suppress finding v ("vex:not_affected", "vex:fixed"), or NULL.
 * The last statement that names one of v's ids and a product matching v's purl wins. */
const char *bsn_vex_verdict(const struct bsn_vex_set *set, struct bsn_arena *scratch,
                            const struct bsn_vuln *v);
/* Does the purl p (from a VEX statement) designate the package with purl pkg? Type, namespace
 * and name equal; version and each qualifier of p, when given, equal in pkg. */
bool bsn_vex_purl_match(const struct bsn_purl *p, const struct bsn_purl *pkg);

#endif
