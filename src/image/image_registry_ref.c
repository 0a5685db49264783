/*
 * Image references for the registry source, after distribution/reference's grammar
 * (https://github.com/distribution/reference/blob/main/regexp.go):
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component { "/" path-component }
 *   domain    := host [ ":" port ]   (host: DNS labels, or an IPv6 literal in brackets)
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 * The first component is a domain when it contains '.' or ':', is "localhost", or has an
 * upper-case letter (as docker decides). Docker Hub: "alpine" is docker.io/library/alpine:latest
 * and is pulled from registry-1.docker.io; index.docker.io is an alias of docker.io.
 * Names are at most 255 characters, as in the reference implementation.
 */
#include <stdio.h>
#include <string.h>

#include "image/image_registry_int.h"

static bool
is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* One path component; returns false with *why set. */
static bool
path_component_ok(const char *s, size_t n, const char **why)
{
    if (n == 0) {
        *why = "empty path component";
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') {
            *why = "repository names must be lowercase";
            return false;
        }
    if (!is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1])) {
        *why = "a path component must start and end with a lowercase letter or digit";
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_lower_alnum(c))
            continue;
        if (c == '-')
            continue; /* runs of '-' are allowed */
        if (c == '.' || c == '_') {
            /* one '.', one '_' or "__", each between alphanumerics */
            if (c == '_' && i + 1 < n && s[i + 1] == '_') {
                if (!is_lower_alnum(s[i - 1]) || i + 2 >= n || !is_lower_alnum(s[i + 2])) {
                    *why = "misplaced separator in a path component";
                    return false;
                }
                i++;
                continue;
            }
            if (!is_lower_alnum(s[i - 1]) || !is_lower_alnum(s[i + 1])) {
                *why = "misplaced separator in a path component";
                return false;
            }
            continue;
        }
        *why = (c >= 'A' && c <= 'Z') ? "repository names must be lowercase"
                                      : "invalid character in the repository name";
        return false;
    }
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '-' && (s[i + 1] == '.' || s[i + 1] == '_')) {
            *why = "misplaced separator in a path component";
            return false;
        }
    return true;
}

static bool
domain_ok(const char *s, size_t n, const char **why)
{
    size_t host_n = n;
    const char *port = NULL;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close) {
            *why = "unterminated IPv6 address";
            return false;
        }
        for (const char *p = s + 1; p < close; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                  (*p >= 'A' && *p <= 'F') || *p == ':')) {
                *why = "invalid IPv6 address";
                return false;
            }
        host_n = (size_t)(close - s) + 1;
        if (host_n < n) {
            if (s[host_n] != ':') {
                *why = "invalid registry host";
                return false;
            }
            port = s + host_n + 1;
        }
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon) {
            host_n = (size_t)(colon - s);
            port = colon + 1;
        }
        if (host_n == 0) {
            *why = "empty registry host";
            return false;
        }
        for (size_t i = 0; i < host_n; i++) {
            char c = s[i];
            if (is_alnum(c) || c == '.' || c == '-')
                continue;
            *why = "invalid character in the registry host";
            return false;
        }
        bool empty_label = false;
        for (size_t i = 0; i + 1 < host_n; i++)
            if (s[i] == '.' && (s[i + 1] == '.' || s[i + 1] == '-' || (i && s[i - 1] == '-')))
                empty_label = true;
        if (empty_label || s[0] == '.' || s[0] == '-' || s[host_n - 1] == '.' ||
            s[host_n - 1] == '-') {
            *why = "invalid registry host";
            return false;
        }
    }
    if (port) {
        size_t pn = (size_t)(s + n - port);
        unsigned long v = 0;
        if (pn == 0 || pn > 5) {
            *why = "invalid registry port";
            return false;
        }
        for (size_t i = 0; i < pn; i++) {
            if (port[i] < '0' || port[i] > '9') {
                *why = "invalid registry port";
                return false;
            }
            v = v * 10 + (unsigned long)(port[i] - '0');
        }
        if (v == 0 || v > 65535) {
            *why = "invalid registry port";
            return false;
        }
    }
    return true;
}

static bool
tag_ok(const char *s, size_t n)
{
    if (n == 0 || n > BSN_REF_TAG_MAX || !(is_alnum(s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return false;
    return true;
}

static bool
copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return false;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

bsn_code
bsn_registry_ref_parse(const char *text, struct bsn_registry_ref *out, struct bsn_err *err)
{
    struct bsn_registry_ref r;
    memset(&r, 0, sizeof(r));
    size_t len = strlen(text);
    const char *why = NULL;
    if (len == 0)
        return bsn_err_set(err, BSN_EINVAL, "empty image reference");
    if (len > 1024)
        return bsn_err_set(err, BSN_EINVAL, "image reference '%.60s…' is too long", text);

    /* digest */
    const char *at = memchr(text, '@', len);
    size_t rest = len;
    if (at) {
        const char *d = at + 1;
        size_t dn = len - (size_t)(at - text) - 1;
        if (!bsn_digest_valid(d, dn)) {
            const char *colon = memchr(d, ':', dn);
            if (colon && colon != d && strncmp(d, "sha256:", 7) != 0)
                return bsn_err_set(err, BSN_EUNSUPPORTED,
                                   "image reference '%.300s': unsupported digest algorithm",
                                   text);
            return bsn_err_set(err, BSN_EINVAL,
                               "image reference '%.300s': invalid digest (want sha256:<64 hex>)",
                               text);
        }
        memcpy(r.digest, d, dn);
        r.digest[dn] = '\0';
        rest = (size_t)(at - text);
    }

    /* domain: the first component when it looks like a host */
    const char *name = text;
    size_t name_n = rest;
    const char *slash = memchr(text, '/', rest);
    bool has_domain = false;
    if (slash) {
        size_t fn = (size_t)(slash - text);
        bool upper = false;
        for (size_t i = 0; i < fn; i++)
            if (text[i] >= 'A' && text[i] <= 'Z')
                upper = true;
        if (memchr(text, '.', fn) || memchr(text, ':', fn) || upper ||
            (fn == 9 && memcmp(text, "localhost", 9) == 0) || (fn && text[0] == '['))
            has_domain = true;
        if (has_domain) {
            if (!domain_ok(text, fn, &why))
                return bsn_err_set(err, BSN_EINVAL, "image reference '%.300s': %s", text, why);
            if (!copy_field(r.domain, sizeof(r.domain), text, fn))
                return bsn_err_set(err, BSN_EINVAL, "image reference '%.300s': host too long",
                                   text);
            for (char *p = r.domain; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            name = slash + 1;
            name_n = rest - fn - 1;
        }
    }
    if (!has_domain)
        memcpy(r.domain, "docker.io", sizeof("docker.io"));
    if (strcmp(r.domain, "index.docker.io") == 0)
        memcpy(r.domain, "docker.io", sizeof("docker.io"));

    /* tag: after a ':' in the last path component */
    const char *last_slash = NULL;
    for (size_t i = 0; i < name_n; i++)
        if (name[i] == '/')
            last_slash = name + i;
    const char *last = last_slash ? last_slash + 1 : name;
    const char *colon = memchr(last, ':', (size_t)(name + name_n - last));
    size_t path_n = name_n;
    if (colon) {
        size_t tn = (size_t)(name + name_n - colon - 1);
        if (!tag_ok(colon + 1, tn))
            return bsn_err_set(err, BSN_EINVAL, "image reference '%.300s': invalid tag", text);
        memcpy(r.tag, colon + 1, tn);
        r.tag[tn] = '\0';
        path_n = (size_t)(colon - name);
    }
    if (path_n == 0)
        return bsn_err_set(err, BSN_EINVAL, "image reference '%.300s': no repository name",
                           text);

    /* path components */
    size_t start = 0;
    for (size_t i = 0; i <= path_n; i++) {
        if (i < path_n && name[i] != '/')
            continue;
        if (!path_component_ok(name + start, i - start, &why))
            return bsn_err_set(err, BSN_EINVAL, "image reference '%.300s': %s", text, why);
        start = i + 1;
    }
    bool hub = strcmp(r.domain, "docker.io") == 0;
    bool library = hub && !memchr(name, '/', path_n);
    size_t full = (library ? 8 : 0) + path_n;
    if (full + (has_domain ? strlen(r.domain) + 1 : 0) > 255 || full >= sizeof(r.repo))
        return bsn_err_set(err, BSN_EINVAL, "image reference '%.300s': name longer than 255",
                           text);
    if (library)
        memcpy(r.repo, "library/", 8);
    memcpy(r.repo + (library ? 8 : 0), name, path_n);
    r.repo[full] = '\0';
    if (!r.tag[0] && !r.digest[0])
        memcpy(r.tag, "latest", sizeof("latest"));
    if (hub)
        memcpy(r.host, "registry-1.docker.io", sizeof("registry-1.docker.io"));
    else
        memcpy(r.host, r.domain, strlen(r.domain) + 1);
    *out = r;
    return BSN_OK;
}

void
bsn_registry_ref_name(const struct bsn_registry_ref *r, char *out, size_t cap)
{
    if (strcmp(r->domain, "docker.io") == 0) {
        const char *repo = r->repo;
        if (strncmp(repo, "library/", 8) == 0)
            repo += 8;
        snprintf(out, cap, "%s", repo);
        return;
    }
    snprintf(out, cap, "%s/%s", r->domain, r->repo);
}

bool
bsn_registry_host_loopback(const char *host)
{
    size_t n = strlen(host);
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        return close && (size_t)(close - host) == 4 && memcmp(host, "[::1]", 5) == 0;
    }
    const char *colon = strchr(host, ':');
    if (colon)
        n = (size_t)(colon - host);
    if (n == 9 && strncmp(host, "localhost", 9) == 0)
        return true;
    if (n == 3 && strncmp(host, "::1", 3) == 0)
        return true;
    /* 127.0.0.0/8 as a dotted quad */
    if (n < 9 || strncmp(host, "127.", 4) != 0)
        return false;
    unsigned parts = 2, digits = 0, val = 0; /* "127." is the first */
    for (size_t i = 4; i < n; i++) {
        char c = host[i];
        if (c == '.') {
            if (!digits)
                return false;
            parts++;
            digits = 0;
            val = 0;
            continue;
        }
        if (c < '0' || c > '9' || ++digits > 3)
            return false;
        val = val * 10 + (unsigned)(c - '0');
        if (val > 255)
            return false;
    }
    return parts == 4 && digits > 0;
}
