/*
 * Non-owning string slices and cursor parsing (after curl's strparse).
 *
 * struct bsn_str is the slice every parser works in; bounds come from len, never from a NUL.
 * Print with "%.*s", BSN_STR_ARG(s). Cursor functions take a `struct bsn_str *cur`, and advance
 * it only on success, so alternatives can be tried in sequence:
 *     if (bsn_sp_word(&cur, &key, 64) || bsn_sp_char(&cur, ':')) return bad line;
 * (cursor functions return 0 on success, non-zero on failure, as in curl).
 */
#ifndef BSN_BASE_STR_H
#define BSN_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bsn_str {
    const char *ptr;
    size_t len;
};

#define BSN_STR_ARG(s) (int)(s).len, (s).ptr
#define BSN_STR_LIT(lit) ((struct bsn_str){ (lit), sizeof(lit) - 1 })

struct bsn_str bsn_str_make(const char *p, size_t n);
struct bsn_str bsn_str_cstr(const char *s); /* s may be NULL: empty slice */
bool bsn_str_eq(struct bsn_str a, struct bsn_str b);
bool bsn_str_eq_cstr(struct bsn_str a, const char *s);
bool bsn_str_ieq_cstr(struct bsn_str a, const char *s);
bool bsn_str_starts(struct bsn_str a, const char *prefix);
bool bsn_str_ends(struct bsn_str a, const char *suffix);
/* The same for C strings (s non-NULL). */
bool bsn_cstr_ends(const char *s, const char *suffix);
struct bsn_str bsn_str_trim(struct bsn_str a); /* ASCII whitespace both ends */
/* Index of the first c in a, or -1. */
ptrdiff_t bsn_str_chr(struct bsn_str a, char c);
/* Splits a at the first c: *head before it, *tail after it. False (outputs untouched) if absent. */
bool bsn_str_split(struct bsn_str a, char c, struct bsn_str *head, struct bsn_str *tail);

/* Cursor parsing: 0 on success (cursor advanced), non-zero on failure (cursor unchanged). */
int bsn_sp_char(struct bsn_str *cur, char c);
int bsn_sp_lit(struct bsn_str *cur, const char *lit);
/* A run of 1..max characters that are not space, tab, CR or LF. */
int bsn_sp_word(struct bsn_str *cur, struct bsn_str *out, size_t max);
/* Everything up to (not including) c; c is consumed. Fails if c is absent. */
int bsn_sp_until(struct bsn_str *cur, char c, struct bsn_str *out);
/* One line without its LF (and without a CR before it); fails only at end of input. */
int bsn_sp_line(struct bsn_str *cur, struct bsn_str *out);
/* Skips spaces and tabs; never fails. */
int bsn_sp_blanks(struct bsn_str *cur);
/* Decimal digits into *out, no sign, no overflow (fails on overflow). */
int bsn_sp_u64(struct bsn_str *cur, uint64_t *out);

#endif
