/* String slices and cursor parsing. */
#include "base/str.h"

#include <string.h>

struct bsn_str
bsn_str_make(const char *p, size_t n)
{
    struct bsn_str s = { p, n };
    return s;
}

struct bsn_str
bsn_str_cstr(const char *s)
{
    struct bsn_str r = { s ? s : "", s ? strlen(s) : 0 };
    return r;
}

bool
bsn_str_eq(struct bsn_str a, struct bsn_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool
bsn_str_eq_cstr(struct bsn_str a, const char *s)
{
    return bsn_str_eq(a, bsn_str_cstr(s));
}

static int
lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool
bsn_str_ieq_cstr(struct bsn_str a, const char *s)
{
    size_t n = strlen(s);
    if (n != a.len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)s[i]))
            return false;
    return true;
}

bool
bsn_str_starts(struct bsn_str a, const char *prefix)
{
    size_t n = strlen(prefix);
    return a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}

bool
bsn_str_ends(struct bsn_str a, const char *suffix)
{
    size_t n = strlen(suffix);
    return a.len >= n && memcmp(a.ptr + a.len - n, suffix, n) == 0;
}

bool
bsn_cstr_ends(const char *s, const char *suffix)
{
    return bsn_str_ends(bsn_str_cstr(s), suffix);
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

struct bsn_str
bsn_str_trim(struct bsn_str a)
{
    while (a.len && is_space(a.ptr[0])) {
        a.ptr++;
        a.len--;
    }
    while (a.len && is_space(a.ptr[a.len - 1]))
        a.len--;
    return a;
}

ptrdiff_t
bsn_str_chr(struct bsn_str a, char c)
{
    const char *p = a.len ? memchr(a.ptr, c, a.len) : NULL;
    return p ? p - a.ptr : -1;
}

bool
bsn_str_split(struct bsn_str a, char c, struct bsn_str *head, struct bsn_str *tail)
{
    ptrdiff_t i = bsn_str_chr(a, c);
    if (i < 0)
        return false;
    *head = bsn_str_make(a.ptr, (size_t)i);
    *tail = bsn_str_make(a.ptr + i + 1, a.len - (size_t)i - 1);
    return true;
}

int
bsn_sp_char(struct bsn_str *cur, char c)
{
    if (!cur->len || cur->ptr[0] != c)
        return 1;
    cur->ptr++;
    cur->len--;
    return 0;
}

int
bsn_sp_lit(struct bsn_str *cur, const char *lit)
{
    size_t n = strlen(lit);
    if (cur->len < n || memcmp(cur->ptr, lit, n) != 0)
        return 1;
    cur->ptr += n;
    cur->len -= n;
    return 0;
}

int
bsn_sp_word(struct bsn_str *cur, struct bsn_str *out, size_t max)
{
    size_t n = 0;
    while (n < cur->len && !is_space(cur->ptr[n]))
        n++;
    if (n == 0 || n > max)
        return 1;
    *out = bsn_str_make(cur->ptr, n);
    cur->ptr += n;
    cur->len -= n;
    return 0;
}

int
bsn_sp_until(struct bsn_str *cur, char c, struct bsn_str *out)
{
    ptrdiff_t i = bsn_str_chr(*cur, c);
    if (i < 0)
        return 1;
    *out = bsn_str_make(cur->ptr, (size_t)i);
    cur->ptr += i + 1;
    cur->len -= (size_t)i + 1;
    return 0;
}

int
bsn_sp_line(struct bsn_str *cur, struct bsn_str *out)
{
    if (!cur->len)
        return 1;
    ptrdiff_t i = bsn_str_chr(*cur, '\n');
    size_t n = i < 0 ? cur->len : (size_t)i;
    size_t adv = i < 0 ? n : n + 1;
    *out = bsn_str_make(cur->ptr, n);
    if (out->len && out->ptr[out->len - 1] == '\r')
        out->len--;
    cur->ptr += adv;
    cur->len -= adv;
    return 0;
}

int
bsn_sp_blanks(struct bsn_str *cur)
{
    while (cur->len && (cur->ptr[0] == ' ' || cur->ptr[0] == '\t')) {
        cur->ptr++;
        cur->len--;
    }
    return 0;
}

int
bsn_sp_u64(struct bsn_str *cur, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    while (n < cur->len && cur->ptr[n] >= '0' && cur->ptr[n] <= '9') {
        uint64_t d = (uint64_t)(cur->ptr[n] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 1;
        v = v * 10 + d;
        n++;
    }
    if (!n)
        return 1;
    *out = v;
    cur->ptr += n;
    cur->len -= n;
    return 0;
}
