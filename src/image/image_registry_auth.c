/*
 * Registry authentication pieces that need no network: WWW-Authenticate challenges, docker's
 * config.json credentials and credential helpers, and the token endpoint's answer.
 *
 * Challenges (RFC 7235 section 4.1, Distribution token spec
 * https://distribution.github.io/distribution/spec/auth/token/):
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
 *          scope="repository:library/alpine:pull"
 *   Basic realm="Registry Realm"
 * Quirks seen: parameter names in any case, spaces around '=', a challenge list
 * "Basic realm=x, Bearer realm=y" (Bearer wins), unquoted token values.
 *
 * config.json (https://docs.docker.com/reference/cli/docker/login/): "auths" keyed by
 * "host[:port]", "https://host/v1/" or "https://index.docker.io/v1/" for Docker Hub, each with
 * "auth": base64("user:password") or "username"/"password"; "credHelpers": {host: NAME} and
 * "credsStore": NAME run `docker-credential-NAME get` with the server URL on stdin, answering
 * {"ServerURL","Username","Secret"} (exit status non-zero: no credentials). An identity token
 * (an auths entry's "identitytoken", or a helper answering Username "<token>") is an OAuth2
 * refresh token: it comes back as user "<token>" with the token as password, as docker's
 * helpers pass it, and the registry client trades it for access tokens with the OAuth2
 * refresh-token grant (https://distribution.github.io/distribution/spec/auth/oauth/).
 * Secrets never reach an error message: messages name the file, the key or the helper only.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "image/image_common_int.h"
#include "image/image_registry_int.h"

extern char **environ;

#define HELPER_OUT_MAX (64u * 1024u)
#define HELPER_TIMEOUT_MS 30000
#define CONFIG_MAX (4u << 20)

/* ---- WWW-Authenticate ----------------------------------------------------------------------- */

static bool
is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~/", c) != NULL);
}

static void
skip_ows(const char *s, size_t n, size_t *i)
{
    while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
        (*i)++;
}

static bool
set_field(char *dst, size_t cap, const char *v, size_t vn)
{
    if (vn >= cap)
        return false;
    memcpy(dst, v, vn);
    dst[vn] = '\0';
    return true;
}

bsn_code
bsn_www_authenticate_parse(const char *s, size_t n, struct bsn_auth_challenge *out,
                           struct bsn_err *err)
{
    struct bsn_auth_challenge best, cur;
    memset(&best, 0, sizeof(best));
    memset(&cur, 0, sizeof(cur));
    bool have_cur = false;
    char val[1024];
    size_t i = 0;
    while (i < n) {
        skip_ows(s, n, &i);
        if (i < n && s[i] == ',') {
            i++;
            continue;
        }
        if (i >= n)
            break;
        size_t t0 = i;
        while (i < n && is_tchar(s[i]))
            i++;
        size_t tn = i - t0;
        if (tn == 0)
            return bsn_err_set(err, BSN_EFORMAT, "malformed WWW-Authenticate header at byte %zu",
                               i);
        size_t j = i;
        skip_ows(s, n, &j);
        if (j < n && s[j] == '=' && have_cur) {
            /* an auth-param of the current challenge */
            j++;
            skip_ows(s, n, &j);
            size_t vn = 0;
            if (j < n && s[j] == '"') {
                j++;
                for (;;) {
                    if (j >= n)
                        return bsn_err_set(err, BSN_EFORMAT,
                                           "unterminated quoted string in WWW-Authenticate");
                    char c = s[j++];
                    if (c == '"')
                        break;
                    if (c == '\\') {
                        if (j >= n)
                            return bsn_err_set(err, BSN_EFORMAT,
                                               "unterminated quoted string in WWW-Authenticate");
                        c = s[j++];
                    }
                    if (vn + 1 >= sizeof(val))
                        return bsn_err_set(err, BSN_ELIMIT,
                                           "WWW-Authenticate parameter value too long");
                    val[vn++] = c;
                }
            } else {
                size_t v0 = j;
                while (j < n && is_tchar(s[j]))
                    j++;
                /* token68-like values may end in '=' padding */
                while (j < n && s[j] == '=')
                    j++;
                vn = j - v0;
                if (vn + 1 >= sizeof(val))
                    return bsn_err_set(err, BSN_ELIMIT,
                                       "WWW-Authenticate parameter value too long");
                memcpy(val, s + v0, vn);
            }
            val[vn] = '\0';
            bool ok = true;
            if (tn == 5 && strncasecmp(s + t0, "realm", 5) == 0)
                ok = set_field(cur.realm, sizeof(cur.realm), val, vn);
            else if (tn == 7 && strncasecmp(s + t0, "service", 7) == 0)
                ok = set_field(cur.service, sizeof(cur.service), val, vn);
            else if (tn == 5 && strncasecmp(s + t0, "scope", 5) == 0)
                ok = set_field(cur.scope, sizeof(cur.scope), val, vn);
            if (!ok)
                return bsn_err_set(err, BSN_ELIMIT, "WWW-Authenticate parameter '%.*s' too long",
                                   (int)tn, s + t0);
            i = j;
            skip_ows(s, n, &i);
            if (i < n && s[i] != ',')
                return bsn_err_set(err, BSN_EFORMAT,
                                   "malformed WWW-Authenticate header at byte %zu", i);
            continue;
        }
        /* a new challenge: keep the previous one if it is the best so far */
        if (have_cur && (cur.scheme == BSN_AUTH_BEARER ||
                         (cur.scheme == BSN_AUTH_BASIC && best.scheme == BSN_AUTH_NONE)))
            best = cur;
        memset(&cur, 0, sizeof(cur));
        have_cur = true;
        if (tn == 6 && strncasecmp(s + t0, "bearer", 6) == 0)
            cur.scheme = BSN_AUTH_BEARER;
        else if (tn == 5 && strncasecmp(s + t0, "basic", 5) == 0)
            cur.scheme = BSN_AUTH_BASIC;
        else
            cur.scheme = BSN_AUTH_NONE;
        /* a token68 credential after the scheme ("Negotiate abc==") is skipped */
        i = j;
        if (j < n && s[j] != ',' && is_tchar(s[j])) {
            size_t k = j;
            while (k < n && is_tchar(s[k]))
                k++;
            size_t k2 = k;
            skip_ows(s, n, &k2);
            if (k2 >= n || s[k2] == ',' || s[k2] == '=') {
                if (k2 < n && s[k2] == '=') {
                    while (k2 < n && s[k2] == '=')
                        k2++;
                    skip_ows(s, n, &k2);
                    if (k2 < n && s[k2] != ',')
                        continue; /* "name = value": a parameter, parsed next round */
                }
                i = k2;
            }
        }
    }
    if (have_cur && (cur.scheme == BSN_AUTH_BEARER ||
                     (cur.scheme == BSN_AUTH_BASIC && best.scheme == BSN_AUTH_NONE)))
        best = cur;
    if (best.scheme == BSN_AUTH_BEARER && !best.realm[0])
        return bsn_err_set(err, BSN_EFORMAT, "Bearer challenge without a realm");
    *out = best;
    return BSN_OK;
}

/* ---- base64 --------------------------------------------------------------------------------- */

static int
b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

bool
bsn_base64_decode(const char *s, size_t n, char *out, size_t cap, size_t *out_len)
{
    while (n && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return false;
    size_t k = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_val(s[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (k + 1 >= cap)
                return false;
            out[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    if (cap == 0)
        return false;
    out[k] = '\0';
    *out_len = k;
    return true;
}

bool
bsn_base64_encode(const void *p, size_t n, char *out, size_t cap)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *b = p;
    size_t need = (n + 2) / 3 * 4 + 1;
    if (need > cap)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)b[i + 1] << 8;
        if (i + 2 < n)
            v |= b[i + 2];
        out[k++] = tab[(v >> 18) & 63];
        out[k++] = tab[(v >> 12) & 63];
        out[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[k] = '\0';
    return true;
}

/* ---- docker config.json --------------------------------------------------------------------- */

/* "https://host:5000/v1/" -> "host:5000"; Docker Hub's aliases -> "docker.io". */
static void
normalise_server(const char *s, char *out, size_t cap)
{
    if (strncmp(s, "https://", 8) == 0)
        s += 8;
    else if (strncmp(s, "http://", 7) == 0)
        s += 7;
    size_t n = strcspn(s, "/");
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    out[n] = '\0';
    if (strcmp(out, "index.docker.io") == 0 || strcmp(out, "registry-1.docker.io") == 0 ||
        strcmp(out, "registry.hub.docker.com") == 0)
        snprintf(out, cap, "docker.io");
}

/* The object value of key in obj whose normalised name is domain, or NULL. */
static json_t *
find_server(json_t *obj, const char *domain, const char **key_out)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        char norm[BSN_REF_HOST_MAX];
        normalise_server(key, norm, sizeof(norm));
        if (strcmp(norm, domain) == 0) {
            if (key_out)
                *key_out = key;
            return v;
        }
    }
    return NULL;
}

static bool
helper_name_ok(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs `docker-credential-NAME get` with server on stdin; its stdout into out. */
static bsn_code
run_helper(const char *name, const char *server, struct bsn_buf *out, int *status,
           struct bsn_err *err)
{
    char prog[96];
    snprintf(prog, sizeof(prog), "docker-credential-%s", name);
    int in_p[2], out_p[2];
    if (pipe2(in_p, O_CLOEXEC) != 0)
        return bsn_err_sys(err, BSN_EIO, errno, "credential helper '%s'", prog);
    if (pipe2(out_p, O_CLOEXEC) != 0) {
        int e = errno;
        close(in_p[0]);
        close(in_p[1]);
        return bsn_err_sys(err, BSN_EIO, e, "credential helper '%s'", prog);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_p[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out_p[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char arg_get[] = "get";
    char *argv[] = { prog, arg_get, NULL };
    pid_t pid;
    int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in_p[0]);
    close(out_p[1]);
    if (rc != 0) {
        close(in_p[1]);
        close(out_p[0]);
        return bsn_err_sys(err, BSN_EAUTH, rc, "cannot run credential helper '%s'", prog);
    }
    /* The server URL is short: one write fits the pipe buffer. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    size_t sn = strlen(server);
    ssize_t w = write(in_p[1], server, sn);
    (void)w;
    close(in_p[1]);
    bsn_code res = BSN_OK;
    int64_t deadline = now_ms() + HELPER_TIMEOUT_MS;
    char chunk[4096];
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            res = bsn_err_set(err, BSN_EAUTH, "credential helper '%s' timed out", prog);
            break;
        }
        struct pollfd pfd = { .fd = out_p[0], .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        ssize_t r = read(out_p[0], chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (bsn_buf_add(out, chunk, (size_t)r) != BSN_OK) {
            kill(pid, SIGKILL);
            res = bsn_err_set(err, BSN_ELIMIT, "credential helper '%s' printed too much", prog);
            break;
        }
    }
    close(out_p[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    *status = st;
    return res;
}

static bsn_code
helper_creds(const char *name, const char *domain, struct bsn_arena *a, const char **user,
             const char **password, struct bsn_err *err)
{
    if (!helper_name_ok(name))
        return bsn_err_set(err, BSN_EFORMAT, "invalid credential helper name '%.64s'", name);
    const char *server = strcmp(domain, "docker.io") == 0 ? "https://index.docker.io/v1/"
                                                           : domain;
    struct bsn_buf out;
    bsn_buf_init(&out, HELPER_OUT_MAX);
    int status = 0;
    bsn_code rc = run_helper(name, server, &out, &status, err);
    if (rc == BSN_OK && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        rc = bsn_err_set(err, BSN_ENOTFOUND, "credential helper '%s' has no credentials for "
                         "'%s'", name, domain);
    if (rc == BSN_OK) {
        json_t *j = json_loadb(out.ptr, out.len, 0, NULL);
        const char *u = json_string_value(json_object_get(j, "Username"));
        const char *p = json_string_value(json_object_get(j, "Secret"));
        if (!j || !u || !p)
            rc = bsn_err_set(err, BSN_EAUTH,
                             "credential helper '%s' answered without Username and Secret", name);
        else if (!*p)
            rc = bsn_err_set(err, BSN_ENOTFOUND,
                             "credential helper '%s' has an empty secret for '%s'", name,
                             domain);
        else {
            *user = bsn_arena_strdup(a, u);
            *password = bsn_arena_strdup(a, p);
        }
        json_decref(j);
    }
    /* the helper's output held the secret */
    memset(out.ptr, 0, out.cap ? out.cap : out.len);
    bsn_buf_release(&out);
    return rc;
}

bsn_code
bsn_registry_creds(const char *config_path, const char *domain, struct bsn_arena *a,
                   const char **user, const char **password, struct bsn_err *err)
{
    struct bsn_reader *r;
    bsn_code rc = bsn_reader_file(config_path, 0, UINT64_MAX, &r, err);
    if (rc == BSN_ENOTFOUND)
        return bsn_err_set(err, BSN_ENOTFOUND, "no docker config '%s'", config_path);
    BSN_TRY(rc);
    char *text;
    size_t n;
    struct bsn_arena *tmp = bsn_arena_new();
    rc = bsn_image_slurp(r, tmp, CONFIG_MAX, config_path, &text, &n, err);
    bsn_reader_close(r);
    if (rc != BSN_OK) {
        bsn_arena_free(tmp);
        return rc;
    }
    json_error_t je;
    json_t *j = json_loadb(text, n, 0, &je);
    memset(text, 0, n);
    bsn_arena_free(tmp);
    if (!j || !json_is_object(j)) {
        /* je.text may quote the file's bytes (a password): only the line is reported */
        rc = bsn_err_set(err, BSN_EFORMAT, "docker config '%s': invalid JSON at line %d",
                         config_path, j ? 1 : je.line);
        json_decref(j);
        return rc;
    }
    rc = bsn_err_set(err, BSN_ENOTFOUND, "no credentials for '%s' in '%s'", domain,
                     config_path);
    json_t *auths = json_object_get(j, "auths");
    json_t *entry = json_is_object(auths) ? find_server(auths, domain, NULL) : NULL;
    if (json_is_object(entry)) {
        const char *idt = json_string_value(json_object_get(entry, "identitytoken"));
        if (idt && *idt) {
            /* `docker login` against an OAuth2 token server (Azure's "az acr login"): the
             * identity token supersedes the auth field beside it */
            *user = bsn_arena_strdup(a, BSN_IDENTITY_TOKEN_USER);
            *password = bsn_arena_strdup(a, idt);
            rc = BSN_OK;
            goto out;
        }
        const char *b64 = json_string_value(json_object_get(entry, "auth"));
        const char *u = json_string_value(json_object_get(entry, "username"));
        const char *p = json_string_value(json_object_get(entry, "password"));
        if (b64 && *b64) {
            char dec[2048];
            size_t dn;
            const char *colon;
            if (!bsn_base64_decode(b64, strlen(b64), dec, sizeof(dec), &dn) ||
                !(colon = memchr(dec, ':', dn))) {
                rc = bsn_err_set(err, BSN_EFORMAT,
                                 "docker config '%s': auths entry for '%s' has an invalid auth "
                                 "field", config_path, domain);
            } else {
                *user = bsn_arena_strndup(a, dec, (size_t)(colon - dec));
                *password = bsn_arena_strdup(a, colon + 1);
                rc = BSN_OK;
            }
            memset(dec, 0, sizeof(dec));
            goto out;
        }
        if (u && p && *u) {
            *user = bsn_arena_strdup(a, u);
            *password = bsn_arena_strdup(a, p);
            rc = BSN_OK;
            goto out;
        }
    }
    json_t *helpers = json_object_get(j, "credHelpers");
    json_t *h = json_is_object(helpers) ? find_server(helpers, domain, NULL) : NULL;
    const char *helper = json_string_value(h);
    if (!helper)
        helper = json_string_value(json_object_get(j, "credsStore"));
    if (helper && *helper)
        rc = helper_creds(helper, domain, a, user, password, err);
out:
    json_decref(j);
    return rc;
}

/* ---- token endpoint ------------------------------------------------------------------------- */

bsn_code
bsn_registry_token_parse(const char *text, size_t n, struct bsn_arena *a, const char **token,
                         long *expires_s, struct bsn_err *err)
{
    json_t *j = json_loadb(text, n, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return bsn_err_set(err, BSN_EAUTH, "token endpoint answered with invalid JSON");
    }
    const char *t = json_string_value(json_object_get(j, "token"));
    if (!t || !*t)
        t = json_string_value(json_object_get(j, "access_token"));
    if (!t || !*t) {
        json_decref(j);
        return bsn_err_set(err, BSN_EAUTH, "token endpoint answered without a token");
    }
    bool ok = true;
    for (const char *p = t; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            ok = false; /* it goes into a header line */
    if (!ok || strlen(t) > 64 * 1024) {
        json_decref(j);
        return bsn_err_set(err, BSN_EAUTH, "token endpoint answered with an unusable token");
    }
    json_t *e = json_object_get(j, "expires_in");
    long exp = 60; /* the token spec's default */
    if (json_is_integer(e) && json_integer_value(e) > 0 && json_integer_value(e) < 86400 * 366)
        exp = (long)json_integer_value(e);
    *token = bsn_arena_strdup(a, t);
    *expires_s = exp;
    json_decref(j);
    return BSN_OK;
}
