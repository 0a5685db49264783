/*
 * TOML 1.0.0 reader (contract in toml.h): one pass of recursive descent over the bytes,
 * building the jansson tree directly. Table bookkeeping (how each table came to be: header,
 * implied by a header path, dotted key, inline table; arrays of tables versus static arrays)
 * lives in a side map keyed by the jansson node's address, so the output tree stays plain.
 *
 * Spec: https://toml.io/en/v1.0.0 and its ABNF; conformance: toml-test's TOML 1.0.0 list
 * (tests/data/toml). Quirks of real files: Cargo.lock v1 has a [metadata] table with keys like
 * "checksum serde 1.0.0 (registry+…)"; poetry.lock uses multi-line inline arrays; RustSec
 * advisories are front matter only (the importer cuts the ```toml block out first).
 */
#include "textfmt/toml.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/map.h"

/* How a table or array came to be. */
enum {
    T_DEFINED = 0x1,  /* [header], or an element of an array of tables */
    T_IMPLICIT = 0x2, /* implied by a header path ([a.b] implies a) */
    T_DOTTED = 0x4,   /* created by a dotted key */
    T_SEALED = 0x8,   /* inline table or static array: never extended */
    T_AOT = 0x10,     /* array of tables ([[x]]) */
};

struct meta {
    json_t *node;
    unsigned flags;
};

struct key {
    char *ptr;
    size_t len;
    const char *at; /* position in the input, for messages */
};

struct tp {
    const char *start, *p, *end;
    unsigned flags;
    int depth;
    struct bsn_arena *arena;
    struct bsn_map meta;
    struct bsn_buf sb;
    struct bsn_err *err;
};

#define MAX_KEY_PARTS 256
#define LOCAL_KEY_PARTS 8

static bsn_code
vfail(struct tp *t, bsn_code code, const char *at, const char *fmt, va_list ap) BSN_PRINTF(4, 0);

static bsn_code
vfail(struct tp *t, bsn_code code, const char *at, const char *fmt, va_list ap)
{
    char msg[400];
    size_t line = 1;
    const char *ls = t->start;
    if (at > t->end)
        at = t->end;
    for (const char *q = t->start; q < at; q++)
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    vsnprintf(msg, sizeof(msg), fmt, ap);
    return bsn_err_set(t->err, code, "line %zu, column %zu: %s", line, (size_t)(at - ls) + 1,
                       msg);
}

static bsn_code BSN_PRINTF(3, 4)
fail(struct tp *t, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bsn_code rc = vfail(t, BSN_EFORMAT, at, fmt, ap);
    va_end(ap);
    return rc;
}

static bsn_code BSN_PRINTF(3, 4)
fail_limit(struct tp *t, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bsn_code rc = vfail(t, BSN_ELIMIT, at, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- table bookkeeping -------------------------------------------------------------------- */

static unsigned
get_flags(const struct tp *t, const json_t *node)
{
    const struct meta *m = bsn_map_get(&t->meta, (const char *)&node, sizeof(node));
    return m ? m->flags : 0;
}

static void
set_flags(struct tp *t, json_t *node, unsigned flags)
{
    struct meta *m = bsn_map_get(&t->meta, (const char *)&node, sizeof(node));
    if (!m) {
        m = bsn_arena_alloc(t->arena, sizeof(*m));
        m->node = node;
        bsn_map_put(&t->meta, (const char *)&m->node, sizeof(m->node), m);
    }
    m->flags = flags;
}

/* ---- lexical helpers ---------------------------------------------------------------------- */

static bool
at_end(const struct tp *t)
{
    return t->p >= t->end;
}

static int
peek(const struct tp *t, size_t off)
{
    return t->p + off < t->end ? (unsigned char)t->p[off] : -1;
}

static void
skip_ws(struct tp *t)
{
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
        t->p++;
}

static bool
is_newline(const struct tp *t)
{
    return peek(t, 0) == '\n' || (peek(t, 0) == '\r' && peek(t, 1) == '\n');
}

static void
eat_newline(struct tp *t)
{
    t->p += peek(t, 0) == '\r' ? 2 : 1;
}

/* A comment from '#' to the end of the line (not consumed); control characters are invalid. */
static bsn_code
skip_comment(struct tp *t)
{
    if (peek(t, 0) != '#')
        return BSN_OK;
    t->p++;
    while (!at_end(t) && *t->p != '\n') {
        unsigned char c = (unsigned char)*t->p;
        if (c == '\r' && peek(t, 1) == '\n')
            break;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(t, t->p, "control character 0x%02x in comment", c);
        t->p++;
    }
    return BSN_OK;
}

/* Whitespace, newlines and comments (inside arrays). */
static bsn_code
skip_ws_nl(struct tp *t)
{
    for (;;) {
        skip_ws(t);
        BSN_TRY(skip_comment(t));
        if (is_newline(t))
            eat_newline(t);
        else
            return BSN_OK;
    }
}

/* After a key/value pair or header: blanks, an optional comment, then a newline or the end. */
static bsn_code
end_of_line(struct tp *t)
{
    skip_ws(t);
    BSN_TRY(skip_comment(t));
    if (at_end(t))
        return BSN_OK;
    if (!is_newline(t))
        return fail(t, t->p, "expected a newline, found '%c'", *t->p);
    eat_newline(t);
    return BSN_OK;
}

/* Checks the whole input is UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bsn_code
check_utf8(struct tp *t)
{
    const unsigned char *s = (const unsigned char *)t->start;
    size_t n = (size_t)(t->end - t->start);
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return fail(t, t->start + i, "invalid UTF-8 byte 0x%02x", c);
        }
        if (n - i <= k)
            return fail(t, t->start + i, "truncated UTF-8 sequence");
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return fail(t, t->start + i, "invalid UTF-8 sequence");
            cp = (cp << 6) | (s[i + j] & 0x3fu);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return fail(t, t->start + i, "invalid UTF-8 sequence");
        i += k + 1;
    }
    return BSN_OK;
}

static bsn_code
put_utf8(struct tp *t, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (bsn_buf_add(&t->sb, b, n) != BSN_OK)
        return bsn_err_set(t->err, BSN_ELIMIT, "string too long");
    return BSN_OK;
}

static bsn_code
put_byte(struct tp *t, char c)
{
    if (bsn_buf_addc(&t->sb, c) != BSN_OK)
        return bsn_err_set(t->err, BSN_ELIMIT, "string too long");
    return BSN_OK;
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One escape after the backslash (t->p at the character after '\'). */
static bsn_code
escape(struct tp *t)
{
    const char *at = t->p - 1;
    int c = peek(t, 0);
    size_t digits = 0;
    switch (c) {
    case 'b': t->p++; return put_byte(t, '\b');
    case 't': t->p++; return put_byte(t, '\t');
    case 'n': t->p++; return put_byte(t, '\n');
    case 'f': t->p++; return put_byte(t, '\f');
    case 'r': t->p++; return put_byte(t, '\r');
    case '"': t->p++; return put_byte(t, '"');
    case '\\': t->p++; return put_byte(t, '\\');
    case 'u': digits = 4; break;
    case 'U': digits = 8; break;
    default:
        if (c < 0x20 || c >= 0x7f)
            return fail(t, at, "invalid escape sequence");
        return fail(t, at, "invalid escape sequence '\\%c'", c);
    }
    t->p++;
    uint32_t cp = 0;
    for (size_t i = 0; i < digits; i++) {
        int h = hexval(peek(t, i));
        if (h < 0)
            return fail(t, at, "invalid unicode escape");
        cp = (cp << 4) | (uint32_t)h;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return fail(t, at, "unicode escape is not a scalar value");
    t->p += digits;
    return put_utf8(t, cp);
}

static bool
bad_ctl(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* A string of any of the four kinds (multi-line ones only if allow_multi); text in t->sb. */
static bsn_code
parse_string(struct tp *t, bool allow_multi)
{
    char q = *t->p;
    bool literal = q == '\'';
    const char *open = t->p;
    bsn_buf_reset(&t->sb);

    if (peek(t, 1) == q && peek(t, 2) == q) {
        if (!allow_multi)
            return fail(t, open, "multi-line string not allowed here");
        t->p += 3;
        if (is_newline(t))
            eat_newline(t);
        for (;;) {
            if (at_end(t))
                return fail(t, open, "unterminated multi-line string");
            unsigned char c = (unsigned char)*t->p;
            if (c == (unsigned char)q && peek(t, 1) == q && peek(t, 2) == q) {
                size_t n = 3;
                while (peek(t, n) == q)
                    n++;
                if (n > 5)
                    return fail(t, t->p, "too many quotes closing a multi-line string");
                for (size_t i = 3; i < n; i++)
                    BSN_TRY(put_byte(t, q));
                t->p += n;
                return BSN_OK;
            }
            if (!literal && c == '\\') {
                t->p++;
                const char *save = t->p;
                skip_ws(t);
                if (is_newline(t)) {
                    /* line-ending backslash: drop all whitespace and newlines that follow */
                    for (;;) {
                        skip_ws(t);
                        if (is_newline(t))
                            eat_newline(t);
                        else
                            break;
                    }
                    continue;
                }
                t->p = save;
                BSN_TRY(escape(t));
                continue;
            }
            if (c == '\r' && peek(t, 1) == '\n') {
                BSN_TRY(put_byte(t, '\r'));
                BSN_TRY(put_byte(t, '\n'));
                t->p += 2;
                continue;
            }
            if (c == '\n') {
                BSN_TRY(put_byte(t, '\n'));
                t->p++;
                continue;
            }
            if (bad_ctl(c))
                return fail(t, t->p, "control character 0x%02x in string", c);
            BSN_TRY(put_byte(t, (char)c));
            t->p++;
        }
    }
    t->p++;
    for (;;) {
        if (at_end(t) || *t->p == '\n' || *t->p == '\r')
            return fail(t, open, "unterminated string");
        unsigned char c = (unsigned char)*t->p;
        if (c == (unsigned char)q) {
            t->p++;
            return BSN_OK;
        }
        if (!literal && c == '\\') {
            t->p++;
            BSN_TRY(escape(t));
            continue;
        }
        if (bad_ctl(c))
            return fail(t, t->p, "control character 0x%02x in string", c);
        BSN_TRY(put_byte(t, (char)c));
        t->p++;
    }
}

static bool
is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/*
 * A dotted key into *parts (at most MAX_KEY_PARTS), text in the arena. *parts starts as the
 * caller's LOCAL_KEY_PARTS-element array and moves to the arena for longer keys, so nested
 * inline tables cost little stack.
 */
static bsn_code
parse_key(struct tp *t, struct key **parts, size_t *n)
{
    *n = 0;
    for (;;) {
        skip_ws(t);
        if (*n == MAX_KEY_PARTS)
            return fail_limit(t, t->p, "key has more than %d parts", MAX_KEY_PARTS);
        if (*n == LOCAL_KEY_PARTS) {
            struct key *big = bsn_arena_alloc_array(t->arena, MAX_KEY_PARTS, sizeof(*big));
            memcpy(big, *parts, *n * sizeof(*big));
            *parts = big;
        }
        struct key *k = &(*parts)[(*n)++];
        k->at = t->p;
        int c = peek(t, 0);
        if (c == '"' || c == '\'') {
            BSN_TRY(parse_string(t, false));
            k->ptr = bsn_arena_strndup(t->arena, t->sb.ptr, t->sb.len);
            k->len = t->sb.len;
        } else if (is_bare(c)) {
            const char *s = t->p;
            while (is_bare(peek(t, 0)))
                t->p++;
            k->len = (size_t)(t->p - s);
            k->ptr = bsn_arena_strndup(t->arena, s, k->len);
        } else {
            if (c < 0)
                return fail(t, t->p, "expected a key, found the end of input");
            if (c == '\n' || c == '\r')
                return fail(t, t->p, "expected a key, found a newline");
            return fail(t, t->p, "expected a key, found '%c'", c);
        }
        skip_ws(t);
        if (peek(t, 0) != '.')
            return BSN_OK;
        t->p++;
    }
}

/* A toml-test tagged scalar; sealed so table rules never take it for a table. */
static json_t *
tagged(struct tp *t, const char *type, const char *s, size_t n)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "value", json_stringn(s, n));
    set_flags(t, o, T_SEALED);
    return o;
}

/* ---- numbers and dates -------------------------------------------------------------------- */

static bool
isdig(int c)
{
    return c >= '0' && c <= '9';
}

/* digits with single underscores between digits; appends the digits to out (cap outcap) */
static bool
digit_run(const char *s, size_t n, size_t *i, int (*ok)(int), char *out, size_t *on,
          size_t outcap)
{
    size_t start = *i;
    bool last_digit = false;
    while (*i < n) {
        int c = (unsigned char)s[*i];
        if (ok(c)) {
            if (*on + 1 >= outcap)
                return false;
            out[(*on)++] = (char)c;
            last_digit = true;
        } else if (c == '_') {
            if (!last_digit || *i + 1 >= n || !ok((unsigned char)s[*i + 1]))
                return false;
            last_digit = false;
        } else {
            break;
        }
        (*i)++;
    }
    return *i > start && last_digit;
}

static int
ok_dec(int c)
{
    return isdig(c);
}
static int
ok_hex(int c)
{
    return hexval(c) >= 0;
}
static int
ok_oct(int c)
{
    return c >= '0' && c <= '7';
}
static int
ok_bin(int c)
{
    return c == '0' || c == '1';
}

static bool
num2(const char *s, int *v)
{
    if (!isdig(s[0]) || !isdig(s[1]))
        return false;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

static int
days_in(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* HH:MM:SS(.frac)? at s[*i..n); true when valid. */
static bool
parse_time(const char *s, size_t n, size_t *i)
{
    int hh, mm, ss;
    if (n - *i < 8 || !num2(s + *i, &hh) || s[*i + 2] != ':' || !num2(s + *i + 3, &mm) ||
        s[*i + 5] != ':' || !num2(s + *i + 6, &ss))
        return false;
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    *i += 8;
    if (*i < n && s[*i] == '.') {
        (*i)++;
        size_t f = *i;
        while (*i < n && isdig(s[*i]))
            (*i)++;
        if (*i == f)
            return false;
    }
    return true;
}

/* Classifies a date/time token; returns its toml-test type name or NULL when invalid. */
static const char *
datetime_type(const char *s, size_t n)
{
    size_t i = 0;
    int y = 0, mo, d;
    if (n >= 3 && s[2] == ':')
        return parse_time(s, n, &i) && i == n ? "time-local" : NULL;
    if (n < 10 || !isdig(s[0]) || !isdig(s[1]) || !isdig(s[2]) || !isdig(s[3]) ||
        s[4] != '-' || !num2(s + 5, &mo) || s[7] != '-' || !num2(s + 8, &d))
        return NULL;
    for (int k = 0; k < 4; k++)
        y = y * 10 + (s[k] - '0');
    if (mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo))
        return NULL;
    if (n == 10)
        return "date-local";
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return NULL;
    i = 11;
    if (!parse_time(s, n, &i))
        return NULL;
    if (i == n)
        return "datetime-local";
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
        return "datetime";
    if ((s[i] == '+' || s[i] == '-') && n - i == 6) {
        int oh, om;
        if (num2(s + i + 1, &oh) && s[i + 3] == ':' && num2(s + i + 4, &om) && oh <= 23 &&
            om <= 59)
            return "datetime";
    }
    return NULL;
}

static bool
tok_char(int c)
{
    return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* A number, boolean-free bare value or date-time at t->p. */
static bsn_code
parse_atom(struct tp *t, json_t **out)
{
    const char *s = t->p;
    bool tag = (t->flags & BSN_TOML_TAGGED) != 0;
    while (tok_char(peek(t, 0)))
        t->p++;
    /* "1979-05-27 07:32:00": a space may separate date and time */
    if (t->p - s == 10 && s[4] == '-' && s[7] == '-' && peek(t, 0) == ' ' &&
        isdig(peek(t, 1)) && isdig(peek(t, 2)) && peek(t, 3) == ':') {
        t->p++;
        while (tok_char(peek(t, 0)))
            t->p++;
    }
    size_t n = (size_t)(t->p - s);
    if (n == 0) {
        int c = peek(t, 0);
        if (c < 0)
            return fail(t, s, "expected a value, found the end of input");
        if (c == '\n' || c == '\r')
            return fail(t, s, "expected a value, found a newline");
        return fail(t, s, "expected a value, found '%c'", c);
    }

    /* date-times: ddd…-  or  dd: */
    if ((n >= 5 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) && isdig(s[3]) && s[4] == '-') ||
        (n >= 3 && isdig(s[0]) && isdig(s[1]) && s[2] == ':')) {
        const char *type = datetime_type(s, n);
        if (!type)
            return fail(t, s, "invalid date-time '%.*s'", (int)n, s);
        *out = tag ? tagged(t, type, s, n) : json_stringn(s, n);
        return BSN_OK;
    }

    /* inf and nan */
    size_t sign = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (n - sign == 3 && (memcmp(s + sign, "inf", 3) == 0 || memcmp(s + sign, "nan", 3) == 0)) {
        bool nan = s[sign] == 'n';
        const char *txt = nan ? "nan" : (s[0] == '-' ? "-inf" : "inf");
        if (tag)
            *out = tagged(t, "float", txt, strlen(txt));
        else
            *out = json_string(txt);
        return BSN_OK;
    }

    char buf[128];
    size_t bn = 0, i = 0;
    if (n >= sizeof(buf) - 8)
        return fail(t, s, "number too long");

    /* prefixed integers: no sign allowed */
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
        int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
        int (*ok)(int) = base == 16 ? ok_hex : base == 8 ? ok_oct : ok_bin;
        i = 2;
        if (!digit_run(s, n, &i, ok, buf, &bn, sizeof(buf)) || i != n)
            return fail(t, s, "invalid integer '%.*s'", (int)n, s);
        buf[bn] = '\0';
        errno = 0;
        unsigned long long v = strtoull(buf, NULL, base);
        if (errno || v > INT64_MAX)
            return fail(t, s, "integer '%.*s' out of range", (int)n, s);
        if (tag) {
            char d[32];
            int dn = snprintf(d, sizeof(d), "%llu", v);
            *out = tagged(t, "integer", d, (size_t)dn);
        } else {
            *out = json_integer((json_int_t)v);
        }
        return BSN_OK;
    }

    /* decimal integer or float */
    bool is_float = false;
    if (sign)
        buf[bn++] = s[i++];
    size_t int_start = i;
    if (!digit_run(s, n, &i, ok_dec, buf, &bn, sizeof(buf)))
        return fail(t, s, "invalid number '%.*s'", (int)n, s);
    if (s[int_start] == '0' && i - int_start > 1)
        return fail(t, s, "leading zero in '%.*s'", (int)n, s);
    if (i < n && s[i] == '.') {
        is_float = true;
        buf[bn++] = s[i++];
        if (!digit_run(s, n, &i, ok_dec, buf, &bn, sizeof(buf)))
            return fail(t, s, "invalid float '%.*s'", (int)n, s);
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        is_float = true;
        buf[bn++] = s[i++];
        if (i < n && (s[i] == '+' || s[i] == '-'))
            buf[bn++] = s[i++];
        if (!digit_run(s, n, &i, ok_dec, buf, &bn, sizeof(buf)))
            return fail(t, s, "invalid float '%.*s'", (int)n, s);
    }
    if (i != n)
        return fail(t, s, "invalid value '%.*s'", (int)n, s);
    buf[bn] = '\0';
    if (is_float) {
        double v = strtod(buf, NULL);
        if (tag) {
            char d[40];
            int dn = snprintf(d, sizeof(d), "%.17g", v);
            *out = isinf(v) ? tagged(t, "float", v < 0 ? "-inf" : "inf", v < 0 ? 4 : 3)
                            : tagged(t, "float", d, (size_t)dn);
        } else {
            *out = isinf(v) ? json_string(v < 0 ? "-inf" : "inf") : json_real(v);
        }
        return BSN_OK;
    }
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno)
        return fail(t, s, "integer '%.*s' out of range", (int)n, s);
    if (tag) {
        char d[32];
        int dn = snprintf(d, sizeof(d), "%lld", v);
        *out = tagged(t, "integer", d, (size_t)dn);
    } else {
        *out = json_integer((json_int_t)v);
    }
    return BSN_OK;
}

/* ---- values ------------------------------------------------------------------------------- */

static bsn_code parse_value(struct tp *t, json_t **out);
static bsn_code parse_keyval(struct tp *t, json_t *table);

static bsn_code
parse_array(struct tp *t, json_t **out)
{
    json_t *arr = json_array();
    bsn_code rc;
    t->p++; /* '[' */
    for (;;) {
        if ((rc = skip_ws_nl(t)) != BSN_OK)
            goto bad;
        if (peek(t, 0) == ']') {
            t->p++;
            break;
        }
        json_t *v;
        if ((rc = parse_value(t, &v)) != BSN_OK)
            goto bad;
        json_array_append_new(arr, v);
        if ((rc = skip_ws_nl(t)) != BSN_OK)
            goto bad;
        if (peek(t, 0) == ',') {
            t->p++;
            continue;
        }
        if (peek(t, 0) == ']') {
            t->p++;
            break;
        }
        rc = at_end(t) ? fail(t, t->p, "unterminated array")
                       : fail(t, t->p, "expected ',' or ']' in array, found '%c'", *t->p);
        goto bad;
    }
    set_flags(t, arr, T_SEALED);
    *out = arr;
    return BSN_OK;
bad:
    json_decref(arr);
    return rc;
}

static bsn_code
parse_inline_table(struct tp *t, json_t **out)
{
    json_t *tab = json_object();
    bsn_code rc;
    const char *open = t->p;
    t->p++; /* '{' */
    skip_ws(t);
    if (peek(t, 0) == '}') {
        t->p++;
        goto done;
    }
    for (;;) {
        if ((rc = parse_keyval(t, tab)) != BSN_OK)
            goto bad;
        skip_ws(t);
        if (peek(t, 0) == ',') {
            t->p++;
            skip_ws(t);
            if (peek(t, 0) == '}') {
                rc = fail(t, t->p, "trailing comma in inline table");
                goto bad;
            }
            continue;
        }
        if (peek(t, 0) == '}') {
            t->p++;
            break;
        }
        rc = at_end(t) || is_newline(t) || peek(t, 0) == '\r'
                 ? fail(t, open, "unterminated inline table")
                 : fail(t, t->p, "expected ',' or '}' in inline table, found '%c'", *t->p);
        goto bad;
    }
done:
    set_flags(t, tab, T_SEALED);
    *out = tab;
    return BSN_OK;
bad:
    json_decref(tab);
    return rc;
}

static bsn_code
parse_value(struct tp *t, json_t **out)
{
    int c = peek(t, 0);
    bool tag = (t->flags & BSN_TOML_TAGGED) != 0;
    bsn_code rc;
    if (c == '"' || c == '\'') {
        BSN_TRY(parse_string(t, true));
        *out = tag ? tagged(t, "string", t->sb.ptr, t->sb.len) : json_stringn(t->sb.ptr, t->sb.len);
        return BSN_OK;
    }
    if (c == '[' || c == '{') {
        if (t->depth >= BSN_TOML_MAX_DEPTH)
            return fail_limit(t, t->p, "nesting deeper than %d", BSN_TOML_MAX_DEPTH);
        t->depth++;
        rc = c == '[' ? parse_array(t, out) : parse_inline_table(t, out);
        t->depth--;
        return rc;
    }
    if (c == 't' && t->end - t->p >= 4 && memcmp(t->p, "true", 4) == 0 && !tok_char(peek(t, 4))) {
        t->p += 4;
        *out = tag ? tagged(t, "bool", "true", 4) : json_true();
        return BSN_OK;
    }
    if (c == 'f' && t->end - t->p >= 5 && memcmp(t->p, "false", 5) == 0 &&
        !tok_char(peek(t, 5))) {
        t->p += 5;
        *out = tag ? tagged(t, "bool", "false", 5) : json_false();
        return BSN_OK;
    }
    return parse_atom(t, out);
}

/* key = value into table (dotted keys create tables marked T_DOTTED). */
static bsn_code
parse_keyval(struct tp *t, json_t *table)
{
    struct key local[LOCAL_KEY_PARTS], *parts = local;
    size_t n;
    BSN_TRY(parse_key(t, &parts, &n));
    if (peek(t, 0) != '=') {
        if (at_end(t) || is_newline(t))
            return fail(t, t->p, "expected '=' after key '%s'", parts[n - 1].ptr);
        return fail(t, t->p, "expected '=' after key '%s', found '%c'", parts[n - 1].ptr,
                    *t->p);
    }
    t->p++;
    skip_ws(t);

    json_t *cur = table;
    for (size_t i = 0; i + 1 < n; i++) {
        json_t *v = json_object_getn(cur, parts[i].ptr, parts[i].len);
        if (!v) {
            v = json_object();
            json_object_setn_new(cur, parts[i].ptr, parts[i].len, v);
            set_flags(t, v, T_DOTTED);
        } else if (!json_is_object(v) || !(get_flags(t, v) & T_DOTTED) ||
                   (get_flags(t, v) & T_SEALED)) {
            return fail(t, parts[i].at, "key '%s' is already defined and cannot be extended",
                        parts[i].ptr);
        }
        cur = v;
    }
    const struct key *last = &parts[n - 1];
    if (json_object_getn(cur, last->ptr, last->len))
        return fail(t, last->at, "duplicate key '%s'", last->ptr);
    json_t *val;
    BSN_TRY(parse_value(t, &val));
    json_object_setn_new(cur, last->ptr, last->len, val);
    return BSN_OK;
}

/* [a.b.c] or [[a.b.c]]: returns the table that key/values go to next. */
static bsn_code
parse_header(struct tp *t, json_t *root, json_t **cur)
{
    struct key local[LOCAL_KEY_PARTS], *parts = local;
    size_t n;
    bool aot = peek(t, 1) == '[';
    t->p += aot ? 2 : 1;
    BSN_TRY(parse_key(t, &parts, &n));
    if (peek(t, 0) != ']' || (aot && peek(t, 1) != ']'))
        return fail(t, t->p, aot ? "expected ']]' after table name" :
                                   "expected ']' after table name");
    t->p += aot ? 2 : 1;

    json_t *tab = root;
    for (size_t i = 0; i + 1 < n; i++) {
        json_t *v = json_object_getn(tab, parts[i].ptr, parts[i].len);
        if (!v) {
            v = json_object();
            json_object_setn_new(tab, parts[i].ptr, parts[i].len, v);
            set_flags(t, v, T_IMPLICIT);
        } else if (json_is_array(v)) {
            if (!(get_flags(t, v) & T_AOT) || json_array_size(v) == 0)
                return fail(t, parts[i].at, "'%s' is a static array, not a table",
                            parts[i].ptr);
            v = json_array_get(v, json_array_size(v) - 1);
        } else if (!json_is_object(v) || (get_flags(t, v) & T_SEALED)) {
            return fail(t, parts[i].at, "key '%s' is already defined and is no table",
                        parts[i].ptr);
        }
        tab = v;
    }
    const struct key *last = &parts[n - 1];
    json_t *v = json_object_getn(tab, last->ptr, last->len);
    if (aot) {
        if (!v) {
            v = json_array();
            json_object_setn_new(tab, last->ptr, last->len, v);
            set_flags(t, v, T_AOT);
        } else if (!json_is_array(v) || !(get_flags(t, v) & T_AOT)) {
            return fail(t, last->at, "'%s' is already defined and is no array of tables",
                        last->ptr);
        }
        json_t *elem = json_object();
        json_array_append_new(v, elem);
        set_flags(t, elem, T_DEFINED);
        *cur = elem;
        return end_of_line(t);
    }
    if (!v) {
        v = json_object();
        json_object_setn_new(tab, last->ptr, last->len, v);
        set_flags(t, v, T_DEFINED);
    } else {
        unsigned f = get_flags(t, v);
        if (!json_is_object(v) || !(f & T_IMPLICIT) || (f & (T_DEFINED | T_DOTTED | T_SEALED)))
            return fail(t, last->at, "table '%s' is already defined", last->ptr);
        set_flags(t, v, (f & ~(unsigned)T_IMPLICIT) | T_DEFINED);
    }
    *cur = v;
    return end_of_line(t);
}

bsn_code
bsn_toml_parse_ex(const char *data, size_t len, unsigned flags, json_t **out,
                  struct bsn_err *err)
{
    struct tp t;
    bsn_code rc = BSN_OK;
    memset(&t, 0, sizeof(t));
    t.start = t.p = data;
    t.end = data + len;
    t.flags = flags;
    t.err = err;

    BSN_TRY(check_utf8(&t));
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        t.p += 3;
    t.arena = bsn_arena_new();
    bsn_map_init(&t.meta);
    bsn_buf_init(&t.sb, len + 16);

    json_t *root = json_object();
    json_t *cur = root;
    while (rc == BSN_OK) {
        skip_ws(&t);
        if (at_end(&t))
            break;
        int c = peek(&t, 0);
        if (c == '#') {
            rc = end_of_line(&t);
        } else if (is_newline(&t)) {
            eat_newline(&t);
        } else if (c == '[') {
            rc = parse_header(&t, root, &cur);
        } else {
            rc = parse_keyval(&t, cur);
            if (rc == BSN_OK)
                rc = end_of_line(&t);
        }
    }
    bsn_buf_release(&t.sb);
    bsn_map_release(&t.meta);
    bsn_arena_free(t.arena);
    if (rc != BSN_OK) {
        json_decref(root);
        return rc;
    }
    *out = root;
    return BSN_OK;
}

bsn_code
bsn_toml_parse(const char *data, size_t len, json_t **out, struct bsn_err *err)
{
    return bsn_toml_parse_ex(data, len, 0, out, err);
}
