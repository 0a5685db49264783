/*
 * Private declarations of the matcher (src/match/ only): the per-family rules that turn a
 * package into a database key, OS namespaces and end-of-life dates, severity words, dates.
 */
#ifndef BSN_MATCH_INT_H
#define BSN_MATCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "bosun.h"

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

#endif
