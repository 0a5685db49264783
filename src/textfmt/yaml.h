/*
 * YAML (1.1/1.2, via libyaml) into a jansson tree, for feeds (OSV YAML, rubysec, Alpine secdb,
 * Wolfi advisories) and lockfiles (pnpm-lock.yaml).
 *
 * Mapping -> object, sequence -> array, scalar -> string. Scalar typing (the choice, and why):
 *   - Quoted, literal and folded scalars, and scalars with an explicit non-core tag, are always
 *     strings with the exact decoded text.
 *   - Plain scalars that are YAML 1.2 core-schema null ("~", "null", "Null", "NULL", empty)
 *     become JSON null; core-schema booleans ("true", "True", "TRUE", "false", …) become JSON
 *     booleans. YAML 1.1's yes/no/on/off stay strings (the "Norway problem").
 *   - Plain numbers stay strings with their source text by default, so version-like values
 *     such as `1.10` (a float to YAML) reach the caller as "1.10", never as 1.1. With
 *     BSN_YAML_NUMBERS, core-schema ints become json_integer (when they fit in 64 bits) and
 *     floats json_real; .inf/.nan stay strings either way (JSON has no such numbers).
 *   - Explicit core tags are honoured: `!!str 1.0` is a string, `!!int "3"` an integer when
 *     BSN_YAML_NUMBERS is set.
 * Mapping keys are always the key's text (a plain `1.10:` key is "1.10"); complex keys (a
 * mapping or sequence as key) are BSN_EUNSUPPORTED. Duplicate keys: the last one wins.
 * Merge keys (`<<: *base` or `<<: [*a, *b]`) copy the keys the mapping does not set itself;
 * a plain `<<` whose value is not a mapping (or list of mappings) is an ordinary key.
 *
 * Aliases share the anchored jansson node (json_incref), so the tree is a DAG, never cyclic
 * (an alias to an anchor whose node is still open is an error). Every node counts toward the
 * node cap including each alias expansion (an alias to a 1,000-node subtree costs 1,000), so
 * "billion laughs" inputs fail with BSN_ELIMIT before a consumer walks an exponential tree.
 * Nesting deeper than max_depth is BSN_ELIMIT too.
 *
 * Errors are BSN_EFORMAT with "line L, column C: problem (context)" from libyaml's marks.
 */
#ifndef BSN_TEXTFMT_YAML_H
#define BSN_TEXTFMT_YAML_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

/*
 * *out is an array of every document of the stream (empty stream: empty array). Without it,
 * *out is the first document (empty stream: JSON null) and later documents are not built.
 */
#define BSN_YAML_ALL_DOCS 0x1u
/* Plain core-schema ints and floats become JSON numbers (see above). */
#define BSN_YAML_NUMBERS 0x2u

/*
 * Default caps: nodes = 1,000,000 + input length (real nodes are bounded by the input; the
 * constant bounds what aliases may add), depth 512.
 */
#define BSN_YAML_BASE_NODES 1000000u
#define BSN_YAML_MAX_DEPTH 512u

struct bsn_yaml_opts {
    unsigned flags;      /* BSN_YAML_* */
    size_t max_nodes;    /* 0 = default */
    size_t max_depth;    /* 0 = default */
};

/*
 * The first document of data[0..len) as a new jansson tree (caller json_decref()s it), with
 * the default options. *out is written only on success.
 */
BSN_MUST_USE bsn_code bsn_yaml_parse(const char *data, size_t len, json_t **out,
                                     struct bsn_err *err);
/* Same with options (opts may be NULL). */
BSN_MUST_USE bsn_code bsn_yaml_parse_opts(const char *data, size_t len,
                                          const struct bsn_yaml_opts *opts, json_t **out,
                                          struct bsn_err *err);

#endif
