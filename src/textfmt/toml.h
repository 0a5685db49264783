/*
 * TOML 1.0.0 (https://toml.io/en/v1.0.0) into a jansson tree: the one TOML reader of the
 * project (Cargo.lock, poetry.lock, uv.lock, pylock.toml, RustSec front matter).
 *
 * Tables -> objects, arrays (and arrays of tables) -> arrays, strings -> strings, integers ->
 * json_integer (TOML integers are 64-bit), floats -> json_real, booleans -> true/false,
 * offset/local date-times, local dates and local times -> strings in their TOML lexical form
 * as written ("1979-05-27T07:32:00Z", "1979-05-27 07:32:00", "07:32:00"). JSON has no
 * infinities or NaN: those floats become the strings "inf", "-inf" and "nan".
 *
 * BSN_TOML_TAGGED instead gives every scalar in toml-test's tagged form
 * {"type": "string"|"integer"|"float"|"bool"|"datetime"|"datetime-local"|"date-local"|
 *  "time-local", "value": TEXT}: TEXT is the decoded string, the integer in decimal, the
 * float as "%.17g" (or "inf", "-inf", "nan"), "true"/"false", or the date-time as written.
 *
 * The whole of TOML 1.0.0 is checked: UTF-8, control characters, every string form and
 * escape, number syntax (underscores, leading zeros, 64-bit range), date validity, and the
 * table rules (no key defined twice, no table header defined twice, dotted-key tables not
 * reopened by headers, inline tables and static arrays sealed, [[array]] only on arrays of
 * tables). Errors are BSN_EFORMAT "line L, column C: what" (column in bytes, both from 1).
 * Arrays and inline tables nest at most BSN_TOML_MAX_DEPTH deep (BSN_ELIMIT beyond).
 */
#ifndef BSN_TEXTFMT_TOML_H
#define BSN_TEXTFMT_TOML_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

#define BSN_TOML_TAGGED 0x1u
#define BSN_TOML_MAX_DEPTH 128

/*
 * Parses data[0..len) (need not be NUL-terminated) into a new object (caller json_decref()s
 * it). *out is written only on success.
 */
BSN_MUST_USE bsn_code bsn_toml_parse(const char *data, size_t len, json_t **out,
                                     struct bsn_err *err);
/* Same with BSN_TOML_* flags. */
BSN_MUST_USE bsn_code bsn_toml_parse_ex(const char *data, size_t len, unsigned flags,
                                        json_t **out, struct bsn_err *err);

#endif
