/*
 * Version schemes and affected-range evaluation.
 *
 * One file per scheme (version_deb.c, version_rpm.c, …), each exporting one const
 * struct bsn_scheme listed in schemes.def. Comparison never allocates: schemes compare the two
 * strings in place, so matching a million pairs costs no malloc.
 *
 * Ranges are stored in the vulnerability database as text in one canonical grammar, evaluated
 * here (version_range.c):
 *
 *   range     := osv-range | native
 *   osv-range := "osv:" event (";" event)*        OSV "ranges" events in order, and explicit
 *   event     := ("introduced"|"fixed"|"last_affected"|"limit"|"version") "=" VERSION
 *                "introduced=0" is the OSV "0" (affected from the beginning); "version=V"
 *                entries list explicitly affected versions (OSV "versions").
 *   native    := SYNTAX ":" EXPR                  a constraint in a feed's own syntax:
 *                npm:   ">=1.2.0 <1.2.5 || ^2.0.0"         (node-semver ranges)
 *                pep440:">=1.0,!=1.3.*,<2"                  (PEP 440 specifiers)
 *                maven: "[1.0,2.0),[3.0,3.1)"              (Maven version ranges)
 *                gem:   "~> 2.3, >= 2.3.1"                  (RubyGems requirements, AND)
 *                go:    ">= 1.2.0, < 1.3.0"                 (comparators, AND; "||" for OR)
 *                cargo: ">= 1.2, < 1.4"                     (Cargo requirements)
 *                cmp:   ">= 1.2, < 1.3"                     (generic comparators, any scheme)
 *
 * Versions in the grammar never contain ';' (no scheme allows it).
 *
 * Extensions (additive, issue 4):
 *   - more native syntaxes: "semver:" (node-semver ranges, strict versions), "golang:" (same
 *     as "go:"), "nuget:" (NuGet intervals "[1.0,2.0)" or comparators; a bare version is a
 *     minimum), "composer:" (comparators).
 *   - a range without a known "SYNTAX:" prefix is a native expression of the scheme it is
 *     evaluated with (its satisfies(), else a "cmp:" list), so "^1.2.0" with the npm scheme
 *     means "npm:^1.2.0" ('bosun vercmp npm 1.2.4 --in "^1.2.0"').
 *   - "cmp:" lists: "," or blanks between complete terms are AND, "||" is OR; operators
 *     < <= > >= = == != (none means =).
 *   - "osv:" events may come in any order (evaluation does not depend on it); "limit=*" is
 *     no limit; on equal versions "fixed"/"last_affected" win over "introduced".
 *   - npm: ranges are node-semver's loose mode (comparators node cannot read are dropped as
 *     node drops them); "semver:" refuses them.
 */
#ifndef BSN_VERSION_H
#define BSN_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

struct bsn_scheme {
    const char *name; /* "deb": unique, the file suffix */
    /* True if v is a valid version of this scheme. */
    bool (*valid)(struct bsn_str v);
    /* <0, 0, >0 like strcmp. Both must be valid; invalid input still returns a total order. */
    int (*compare)(struct bsn_str a, struct bsn_str b);
    /* Optional: does v satisfy the native constraint expr of this scheme's syntax (npm range,
     * PEP 440 specifier set, Maven range, gem requirement …)? Returns BSN_EFORMAT for a
     * malformed expression. NULL: the scheme has no native syntax, only "cmp:". */
    bsn_code (*satisfies)(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err);
};

/* Scheme by name ("deb"), or NULL. */
const struct bsn_scheme *bsn_scheme_find(const char *name);
/* All schemes, NULL-terminated, registration order. */
extern const struct bsn_scheme *const bsn_schemes[];

/*
 * Is version v (of scheme s) inside range (canonical grammar above)? BSN_EFORMAT for a
 * malformed range, with err naming it. Never allocates.
 */
BSN_MUST_USE bsn_code bsn_range_contains(const struct bsn_scheme *s, struct bsn_str range,
                                         struct bsn_str v, bool *out, struct bsn_err *err);

#endif
