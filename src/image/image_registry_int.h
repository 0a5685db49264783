/*
 * Private to the registry source (image_registry*.c) and its tests: image references,
 * WWW-Authenticate challenges and registry credentials (docker config.json, credential
 * helpers). Everything here is pure parsing except bsn_registry_creds, which may run a
 * docker-credential-NAME helper.
 */
#ifndef BSN_IMAGE_REGISTRY_INT_H
#define BSN_IMAGE_REGISTRY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/sha256.h"

#define BSN_REF_HOST_MAX 256
#define BSN_REF_REPO_MAX 256
#define BSN_REF_TAG_MAX 128

/*
 * A parsed reference "[domain[:port]/]path[:tag][@sha256:hex]" (distribution/reference's
 * grammar). Docker Hub defaults: no domain -> docker.io, a single path component gets
 * "library/", docker.io and index.docker.io are pulled from registry-1.docker.io; no tag and no
 * digest -> tag "latest".
 */
struct bsn_registry_ref {
    char domain[BSN_REF_HOST_MAX]; /* as named (normalised): "docker.io", "127.0.0.1:5000" */
    char host[BSN_REF_HOST_MAX];   /* where to connect: "registry-1.docker.io", "127.0.0.1:5000" */
    char repo[BSN_REF_REPO_MAX];   /* "library/alpine", "team/app" */
    char tag[BSN_REF_TAG_MAX + 1]; /* "" when only a digest was given */
    char digest[BSN_DIGEST_MAX];   /* "" when absent */
};

/* Parses text; errors are BSN_EINVAL naming the reference and what is wrong with it
 * (a digest of another algorithm is BSN_EUNSUPPORTED). */
BSN_MUST_USE bsn_code bsn_registry_ref_parse(const char *text, struct bsn_registry_ref *out,
                                             struct bsn_err *err);
/* The short name docker prints: "alpine", "user/app", "127.0.0.1:5000/team/app". */
void bsn_registry_ref_name(const struct bsn_registry_ref *r, char *out, size_t cap);
/* Whether host (with an optional port) is loopback: localhost, 127.0.0.0/8, ::1. */
bool bsn_registry_host_loopback(const char *host);

enum bsn_auth_scheme {
    BSN_AUTH_NONE = 0,
    BSN_AUTH_BASIC,
    BSN_AUTH_BEARER,
};

struct bsn_auth_challenge {
    enum bsn_auth_scheme scheme;
    char realm[1024];
    char service[256];
    char scope[512];
};

/*
 * Parses a WWW-Authenticate header value (RFC 7235: scheme, then auth-params with token or
 * quoted-string values). Several challenges in one value: Bearer is preferred over Basic.
 * Unknown schemes give scheme NONE and BSN_OK; malformed text is BSN_EFORMAT. Values longer
 * than the fields are BSN_ELIMIT.
 */
BSN_MUST_USE bsn_code bsn_www_authenticate_parse(const char *s, size_t n,
                                                 struct bsn_auth_challenge *out,
                                                 struct bsn_err *err);

/* Decodes standard base64 (padding optional, no whitespace) into out (NUL-terminated);
 * false on invalid input or when out is too small. */
bool bsn_base64_decode(const char *s, size_t n, char *out, size_t cap, size_t *out_len);
/* Encodes into out (NUL-terminated); false when out is too small. */
bool bsn_base64_encode(const void *p, size_t n, char *out, size_t cap);

/*
 * Credentials for a registry domain ("docker.io", "host:5000") from a docker config.json:
 * auths (base64 "user:password", or username/password fields), credHelpers[domain], else
 * credsStore, run as `docker-credential-NAME get` (found on PATH). A missing file, no entry or a
 * helper that knows nothing is BSN_ENOTFOUND (not an error for the caller); a malformed file is
 * BSN_EFORMAT naming it. Strings live in a. Messages never contain the secrets. An identity
 * token (OAuth2 refresh token) comes back as *user == BSN_IDENTITY_TOKEN_USER with the token
 * in *password.
 */
#define BSN_IDENTITY_TOKEN_USER "<token>"
BSN_MUST_USE bsn_code bsn_registry_creds(const char *config_path, const char *domain,
                                         struct bsn_arena *a, const char **user,
                                         const char **password, struct bsn_err *err);

/* Token endpoint answer ({"token"|"access_token", "expires_in"}): the token lives in a. */
BSN_MUST_USE bsn_code bsn_registry_token_parse(const char *json, size_t n, struct bsn_arena *a,
                                               const char **token, long *expires_s,
                                               struct bsn_err *err);

#endif
