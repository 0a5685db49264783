/*
 * Package URLs (https://github.com/package-url/purl-spec): building them with the spec's
 * percent-encoding and per-type normalisation, and parsing them (for SBOM input and VEX).
 *
 *   pkg:deb/debian/openssl@3.0.14-1~deb12u2?arch=amd64&distro=debian-12.7
 *   pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&epoch=1&distro=rhel-9.3
 *   pkg:npm/%40babel/core@7.0.0     pkg:maven/org.apache/commons@1.0   pkg:pypi/django@4.2
 */
#ifndef BSN_TEXTFMT_PURL_H
#define BSN_TEXTFMT_PURL_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

struct bsn_purl_qualifier {
    const char *key;   /* lowercase */
    const char *value; /* NULL or "" = omitted */
};

struct bsn_purl {
    const char *type;
    const char *namespace; /* may be NULL; '/'-separated segments */
    const char *name;
    const char *version;   /* may be NULL */
    struct bsn_purl_qualifier *qualifiers; /* sorted by key when built */
    size_t n_qualifiers;
    const char *subpath;   /* may be NULL */
};

/* Renders p (qualifiers are sorted by key, empty ones dropped) into a new arena string. */
char *bsn_purl_format(struct bsn_arena *a, const struct bsn_purl *p);
/* Parses s into *out (strings decoded, in arena). BSN_EFORMAT naming s if it is no purl. */
BSN_MUST_USE bsn_code bsn_purl_parse(struct bsn_arena *a, const char *s, struct bsn_purl *out,
                                     struct bsn_err *err);
/* Value of qualifier key, or NULL. */
const char *bsn_purl_qualifier(const struct bsn_purl *p, const char *key);

#endif
