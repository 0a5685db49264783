/* The misconfiguration check table and the predicates over instructions (misconfig_checks.h). */
#include "analyzer/misconfig_checks.h"

#include <ctype.h>
#include <string.h>

const struct bsn_check_info bsn_checks[BSN_CHECK_COUNT] = {
    [BSN_CHECK_ROOT_USER] = { "BSN-IMG-001", "image runs as root", BSN_SEV_HIGH,
        "add a USER instruction with a non-root user (and numeric UID) after installing "
        "packages" },
    [BSN_CHECK_SECRET_ENV] = { "BSN-IMG-002", "secret in an environment variable",
        BSN_SEV_CRITICAL,
        "pass secrets at run time (mounted files, a secrets manager), never with ENV: every "
        "layer and 'docker inspect' shows them" },
    [BSN_CHECK_SECRET_ARG] = { "BSN-IMG-003", "secret in a build argument", BSN_SEV_HIGH,
        "use BuildKit secret mounts (RUN --mount=type=secret) instead of ARG: build arguments "
        "are kept in the image history" },
    [BSN_CHECK_ADD_REMOTE] = { "BSN-IMG-004", "ADD of a remote URL", BSN_SEV_MEDIUM,
        "download with curl or wget in a RUN step and verify a checksum, or COPY a vendored "
        "file" },
    [BSN_CHECK_LATEST_BASE] = { "BSN-IMG-005", "base image not pinned (latest)", BSN_SEV_LOW,
        "pin the base image to a version tag, better to a digest (image@sha256:…)" },
    [BSN_CHECK_NO_HEALTHCHECK] = { "BSN-IMG-006", "no HEALTHCHECK", BSN_SEV_LOW,
        "add a HEALTHCHECK instruction so orchestrators can tell a hung container" },
    [BSN_CHECK_SUDO] = { "BSN-IMG-007", "sudo in a RUN instruction", BSN_SEV_MEDIUM,
        "build steps already run as root: drop sudo, and do not ship it in the image" },
    [BSN_CHECK_CURL_PIPE_SH] = { "BSN-IMG-008", "downloaded script piped into a shell",
        BSN_SEV_HIGH,
        "download to a file, verify its checksum or signature, then run it" },
    [BSN_CHECK_WORLD_WRITABLE] = { "BSN-IMG-009", "world-writable file in a PATH directory",
        BSN_SEV_HIGH, "remove the write bit for others (chmod o-w) on files in PATH" },
    [BSN_CHECK_SETUID] = { "BSN-IMG-010", "setuid or setgid binary added by the image",
        BSN_SEV_MEDIUM,
        "remove the setuid/setgid bit (chmod u-s,g-s) unless the program needs it" },
};

void
bsn_check_fill(struct bsn_misconfig *m, enum bsn_check c)
{
    m->id = bsn_checks[c].id;
    m->title = bsn_checks[c].title;
    m->severity = bsn_checks[c].severity;
    m->resolution = bsn_checks[c].resolution;
}

static bool
icontains(struct bsn_str s, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= s.len; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)s.ptr[i + k]) == needle[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

bool
bsn_check_secret_name(struct bsn_str name)
{
    static const char *const words[] = { "password", "passwd", "secret", "token", "api_key",
                                         "apikey", "access_key", "private_key", "credential",
                                         "auth_key", NULL };
    /* names that mention a secret but hold none */
    static const char *const benign[] = { "_file", "_path", "_dir", "_url", "_length", "_min",
                                          "_max", "_type", "_name", "_id", NULL };
    bool hit = false;
    for (size_t i = 0; words[i] && !hit; i++)
        hit = icontains(name, words[i]);
    if (!hit && name.len >= 5) {
        struct bsn_str tail = bsn_str_make(name.ptr + name.len - 5, 5);
        hit = bsn_str_ieq_cstr(tail, "_PASS");
    }
    if (!hit)
        return false;
    for (size_t i = 0; benign[i]; i++) {
        size_t n = strlen(benign[i]);
        if (name.len >= n && bsn_str_ieq_cstr(bsn_str_make(name.ptr + name.len - n, n),
                                              benign[i]))
            return false;
    }
    return true;
}

bool
bsn_check_literal_value(struct bsn_str v)
{
    v = bsn_str_trim(v);
    if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0]) {
        v.ptr++;
        v.len -= 2;
    }
    return v.len > 0 && v.ptr[0] != '$';
}

/* The words of a shell line, split at blanks and shell operators, lowercased, one at a time. */
static bool
next_word(struct bsn_str *cur, char *out, size_t cap, bool *pipe_before)
{
    *pipe_before = false;
    while (cur->len && (isspace((unsigned char)cur->ptr[0]) || cur->ptr[0] == ';' ||
                        cur->ptr[0] == '&' || cur->ptr[0] == '|' || cur->ptr[0] == '(' ||
                        cur->ptr[0] == ')')) {
        if (cur->ptr[0] == '|' && !(cur->len > 1 && cur->ptr[1] == '|'))
            *pipe_before = true;
        if (cur->ptr[0] == '|' && cur->len > 1 && cur->ptr[1] == '|') {
            cur->ptr++;
            cur->len--;
        }
        cur->ptr++;
        cur->len--;
    }
    if (!cur->len)
        return false;
    size_t n = 0;
    while (cur->len && !isspace((unsigned char)cur->ptr[0]) && cur->ptr[0] != ';' &&
           cur->ptr[0] != '&' && cur->ptr[0] != '|' && cur->ptr[0] != '(' &&
           cur->ptr[0] != ')') {
        if (n + 1 < cap)
            out[n++] = (char)tolower((unsigned char)cur->ptr[0]);
        cur->ptr++;
        cur->len--;
    }
    out[n] = '\0';
    return true;
}

static const char *
base_name(const char *w)
{
    const char *s = strrchr(w, '/');
    return s ? s + 1 : w;
}

bool
bsn_check_curl_pipe_sh(struct bsn_str cmd)
{
    char w[256];
    bool pipe, fetched = false;
    struct bsn_str cur = cmd;
    while (next_word(&cur, w, sizeof(w), &pipe)) {
        const char *b = base_name(w);
        if (strcmp(b, "curl") == 0 || strcmp(b, "wget") == 0) {
            fetched = true;
            continue;
        }
        if (pipe && fetched) {
            if (strcmp(b, "sudo") == 0 || strcmp(b, "env") == 0) {
                /* "| sudo bash": look at the next word */
                bool p2;
                if (!next_word(&cur, w, sizeof(w), &p2))
                    return false;
                b = base_name(w);
            }
            if (strcmp(b, "sh") == 0 || strcmp(b, "bash") == 0 || strcmp(b, "zsh") == 0 ||
                strcmp(b, "dash") == 0 || strcmp(b, "ash") == 0 || strcmp(b, "python") == 0 ||
                strcmp(b, "python3") == 0 || strcmp(b, "perl") == 0)
                return true;
            fetched = false;
        }
    }
    return false;
}

bool
bsn_check_sudo(struct bsn_str cmd)
{
    char w[256];
    bool pipe;
    struct bsn_str cur = cmd;
    while (next_word(&cur, w, sizeof(w), &pipe))
        if (strcmp(base_name(w), "sudo") == 0)
            return true;
    return false;
}

bool
bsn_check_latest_ref(struct bsn_str ref)
{
    ref = bsn_str_trim(ref);
    if (!ref.len || bsn_str_eq_cstr(ref, "scratch") || bsn_str_chr(ref, '$') >= 0)
        return false;
    if (bsn_str_chr(ref, '@') >= 0)
        return false; /* pinned by digest */
    /* the tag is after the last ':' that follows the last '/' (a registry port comes before) */
    ptrdiff_t slash = -1, colon = -1;
    for (size_t i = 0; i < ref.len; i++) {
        if (ref.ptr[i] == '/')
            slash = (ptrdiff_t)i;
        else if (ref.ptr[i] == ':')
            colon = (ptrdiff_t)i;
    }
    if (colon < 0 || colon < slash)
        return true;
    struct bsn_str tag = bsn_str_make(ref.ptr + colon + 1, ref.len - (size_t)colon - 1);
    return bsn_str_eq_cstr(tag, "latest");
}

bool
bsn_check_remote_url(struct bsn_str src)
{
    src = bsn_str_trim(src);
    return bsn_str_starts(src, "http://") || bsn_str_starts(src, "https://") ||
           bsn_str_starts(src, "ftp://");
}
