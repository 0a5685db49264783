/*
 * Package URL formatting and parsing, per the purl spec: type lowercase; namespace segments,
 * name and version percent-encoded (':' kept in versions and namespaces as the spec allows
 * unencoded); qualifiers sorted by key with encoded values; subpath after '#'.
 */
#include "textfmt/purl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static bool
unreserved(unsigned char c, const char *keep)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    if (c == '-' || c == '.' || c == '_' || c == '~')
        return true;
    return keep && c && strchr(keep, c) != NULL;
}

static void
put_encoded(struct bsn_buf *b, const char *s, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bsn_code rc;
        if (unreserved(c, keep)) {
            rc = bsn_buf_addc(b, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            rc = bsn_buf_add(b, e, 3);
        }
        if (rc != BSN_OK)
            return; /* the buffer's cap is generous; a purl over it is truncated */
    }
}

/* A purl longer than the buffer's cap (64 KiB) is truncated: no real one comes close. */
static void
addc(struct bsn_buf *b, char c)
{
    if (bsn_buf_addc(b, c) != BSN_OK)
        return;
}

static void
adds(struct bsn_buf *b, const char *s)
{
    if (bsn_buf_adds(b, s) != BSN_OK)
        return;
}

static int
cmp_qual(const void *a, const void *b)
{
    const struct bsn_purl_qualifier *x = a, *y = b;
    return strcmp(x->key, y->key);
}

char *
bsn_purl_format(struct bsn_arena *a, const struct bsn_purl *p)
{
    struct bsn_buf b;
    bsn_buf_init(&b, 64 * 1024);
    adds(&b, "pkg:");
    put_encoded(&b, p->type, NULL);
    addc(&b, '/');
    if (p->namespace && *p->namespace) {
        put_encoded(&b, p->namespace, "/:");
        addc(&b, '/');
    }
    put_encoded(&b, p->name, ":");
    if (p->version && *p->version) {
        addc(&b, '@');
        put_encoded(&b, p->version, ":+");
    }
    if (p->n_qualifiers) {
        struct bsn_purl_qualifier *q = bsn_arena_memdup(a, p->qualifiers,
                                                        p->n_qualifiers * sizeof(*q));
        qsort(q, p->n_qualifiers, sizeof(*q), cmp_qual);
        char sep = '?';
        for (size_t i = 0; i < p->n_qualifiers; i++) {
            if (!q[i].value || !*q[i].value)
                continue;
            addc(&b, sep);
            sep = '&';
            adds(&b, q[i].key);
            addc(&b, '=');
            put_encoded(&b, q[i].value, ":/+");
        }
    }
    if (p->subpath && *p->subpath) {
        addc(&b, '#');
        put_encoded(&b, p->subpath, "/");
    }
    char *s = bsn_arena_strndup(a, b.ptr, b.len);
    bsn_buf_release(&b);
    return s;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *
decode(struct bsn_arena *a, const char *s, size_t n)
{
    char *out = bsn_arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

bsn_code
bsn_purl_parse(struct bsn_arena *a, const char *s, struct bsn_purl *out, struct bsn_err *err)
{
    struct bsn_purl p;
    memset(&p, 0, sizeof(p));
    if (strncmp(s, "pkg:", 4) != 0)
        return bsn_err_set(err, BSN_EFORMAT, "not a package URL: '%.200s'", s);
    const char *cur = s + 4;
    while (*cur == '/')
        cur++;
    const char *end = cur + strlen(cur);
    const char *hash = strchr(cur, '#');
    if (hash) {
        const char *sp = hash + 1;
        while (*sp == '/')
            sp++;
        p.subpath = decode(a, sp, strlen(sp));
        end = hash;
    }
    const char *q = memchr(cur, '?', (size_t)(end - cur));
    if (q) {
        const char *qs = q + 1;
        size_t count = 1;
        for (const char *t = qs; t < end; t++)
            count += *t == '&';
        p.qualifiers = bsn_arena_alloc_array(a, count, sizeof(*p.qualifiers));
        while (qs < end) {
            const char *amp = memchr(qs, '&', (size_t)(end - qs));
            const char *e = amp ? amp : end;
            const char *eq = memchr(qs, '=', (size_t)(e - qs));
            if (eq && eq > qs) {
                char *k = bsn_arena_strndup(a, qs, (size_t)(eq - qs));
                for (char *c = k; *c; c++)
                    if (*c >= 'A' && *c <= 'Z')
                        *c = (char)(*c + 32);
                p.qualifiers[p.n_qualifiers].key = k;
                p.qualifiers[p.n_qualifiers].value = decode(a, eq + 1, (size_t)(e - eq - 1));
                p.n_qualifiers++;
            }
            qs = amp ? amp + 1 : end;
        }
        end = q;
    }
    const char *slash = memchr(cur, '/', (size_t)(end - cur));
    if (!slash || slash == cur)
        return bsn_err_set(err, BSN_EFORMAT, "package URL without a type: '%.200s'", s);
    char *type = bsn_arena_strndup(a, cur, (size_t)(slash - cur));
    for (char *c = type; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    p.type = type;
    cur = slash + 1;
    /* version: after the last '@' of the remainder (names never contain a raw '@'). */
    const char *at = NULL;
    for (const char *t = cur; t < end; t++)
        if (*t == '@')
            at = t;
    const char *name_end = at ? at : end;
    if (at)
        p.version = decode(a, at + 1, (size_t)(end - at - 1));
    while (name_end > cur && name_end[-1] == '/')
        name_end--;
    const char *last = NULL;
    for (const char *t = cur; t < name_end; t++)
        if (*t == '/')
            last = t;
    if (last) {
        p.namespace = decode(a, cur, (size_t)(last - cur));
        p.name = decode(a, last + 1, (size_t)(name_end - last - 1));
    } else {
        p.name = decode(a, cur, (size_t)(name_end - cur));
    }
    if (!*p.name)
        return bsn_err_set(err, BSN_EFORMAT, "package URL without a name: '%.200s'", s);
    *out = p;
    return BSN_OK;
}

const char *
bsn_purl_qualifier(const struct bsn_purl *p, const char *key)
{
    for (size_t i = 0; i < p->n_qualifiers; i++)
        if (strcmp(p->qualifiers[i].key, key) == 0)
            return p->qualifiers[i].value;
    return NULL;
}
