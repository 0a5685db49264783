/*
 * The registry source ("registry:REF", "docker://REF", bare references): pulls an image over
 * the OCI Distribution API v2 with libcurl.
 * Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md (GET
 * /v2/<name>/manifests/<reference>, GET /v2/<name>/blobs/<digest>), token auth:
 * https://distribution.github.io/distribution/spec/auth/token/.
 *
 * Flow: the reference's manifest is fetched with an Accept header naming the OCI manifest and
 * index and Docker's schema 2 manifest and manifest list; its sha256 is checked against the
 * reference's digest, else against Docker-Content-Digest. Schema 1 manifests are refused. The
 * rest (index -> platform -> manifest -> config) is image_oci.c's resolver reading through a
 * blob store whose manifests come from the manifests endpoint and configs from the blobs one.
 * Layers are opened per scan thread: each is one HTTP response pulled into a bounded buffer on
 * its own curl multi handle (perform until data is buffered, pause the transfer when the buffer
 * is full), so nothing touches disk and several layers download at once.
 *
 * Transport: HTTPS (HTTP/2 where the server offers it); plain HTTP for loopback hosts
 * (127.0.0.0/8, ::1, localhost) and, with --insecure, after HTTPS fails to connect; --insecure
 * also turns off certificate checks. Redirects (blob storage, CDNs) are followed by curl, which
 * never sends a custom Authorization header to another host (CURLOPT_UNRESTRICTED_AUTH off).
 * Retries: connection errors, 429 and 5xx get up to 5 attempts with exponential backoff from
 * 250 ms, honouring a Retry-After in seconds (each wait at most 30 s, all of them at most 120 s);
 * a body cut off mid-way is resumed with a Range request (a 200 answer instead of 206 has the
 * bytes already delivered dropped), so the digest check above sees one continuous stream.
 * Auth: a 401 answer's WWW-Authenticate selects Basic (credentials required) or Bearer (token
 * from the realm with service and scope=repository:NAME:pull, credentials sent as Basic when
 * known); the token is shared by all threads and refreshed on expiry or on a later 401.
 * Credentials: opts->username/password, else docker's config.json (opts->docker_config, else
 * $DOCKER_CONFIG/config.json, else ~/.docker/config.json). No message carries a secret.
 *
 * Ownership: one state per pull, shared by the root image and its --platform all siblings;
 * only the root image may be passed to bsn_image_free (siblings live in the root's arena).
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/buf.h"
#include "base/sha256.h"
#include "base/xalloc.h"
#include "image/image_common_int.h"
#include "image/image_registry_int.h"

#define MAX_ATTEMPTS 5
#define BACKOFF_FIRST_MS 250
#define RETRY_WAIT_MAX_MS 30000
#define RETRY_TOTAL_MAX_MS 120000
#define STREAM_BUF (1u << 20)
#define STREAM_BUF_MAX (16u << 20)
#define ERRBODY_MAX 512
#define TOKEN_MAX (256u * 1024u)
#define MAX_CACHED_MANIFESTS 256
#define URL_MAX 4096
#define SMALL_TIMEOUT_S 300L

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define ACCEPT_MANIFESTS                                                                      \
    "Accept: " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_LIST

struct cached_manifest {
    char digest[BSN_DIGEST_MAX];
    char *p; /* NULL: known to be a manifest, not fetched yet */
    size_t n;
};

struct reg_state {
    struct bsn_registry_ref ref;
    char name[600];      /* "alpine", "127.0.0.1:5000/team/app" */
    char display[1200];  /* the reference as given, for messages */
    char base[BSN_REF_HOST_MAX + 16];
    bool insecure, loopback, base_fixed;
    const char *user, *password;
    bsn_progress_fn *progress;
    void *progress_arg;
    pthread_mutex_t progress_mu;
    /* auth, shared by the layer threads */
    pthread_mutex_t mu;
    bool mu_init;
    struct bsn_auth_challenge chal;
    char *auth_header; /* malloc'd "Authorization: …", or NULL */
    int64_t token_expiry_ms;
    unsigned auth_gen;
    bool preset_auth;  /* auth_header was handed over (opts->registry_authorization) */
    /* manifests seen while resolving (single-threaded: during open only) */
    struct bsn_arena *arena;
    struct cached_manifest *manifests;
    size_t n_manifests;
    struct bsn_blob_store bs;
};

struct reg_stream {
    struct bsn_reader base;
    struct reg_state *st;
    char url[URL_MAX];
    const char *accept;       /* a full "Accept: …" header line, or NULL */
    const char *fixed_auth;   /* token endpoint: the Basic header to send, or NULL */
    const char *post_fields;  /* token endpoint, OAuth2: the form to POST, or NULL (GET) */
    bool registry_auth;       /* send and refresh the registry's Authorization */
    long timeout_s;           /* whole-transfer bound for small documents; 0 for layers */
    CURL *easy;
    CURLM *multi;
    struct curl_slist *hdrs;
    unsigned char *buf;
    size_t cap, start, end;
    bool paused, done, headers_done, attached;
    CURLcode result;
    long status;
    bool had_location;
    char content_type[160];
    char docker_digest[BSN_DIGEST_MAX];
    long retry_after_s;
    char www_auth[2048];
    char errbody[ERRBODY_MAX];
    size_t errbody_n;
    /* progress */
    char what[96];
    uint64_t delivered, total;
    unsigned last_pct;
    /* resuming a broken download: Range from this offset; bytes to drop if the server
     * answers 200 with the whole blob instead of 206 */
    uint64_t range_from, skip;
    unsigned resumes;
    bool failed;
    struct bsn_err ferr;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int64_t ms)
{
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- one HTTP response as a pull stream ------------------------------------------------------ */

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct reg_stream *s = arg;
    size_t n = size * nmemb;
    struct bsn_str line = bsn_str_trim(bsn_str_make(p, n));
    if (bsn_str_starts(line, "HTTP/")) {
        /* a new response (after a redirect): forget the previous one's headers */
        s->content_type[0] = s->docker_digest[0] = s->www_auth[0] = '\0';
        s->retry_after_s = -1;
        s->had_location = false;
        s->status = 0;
        struct bsn_str rest = line, ver;
        if (bsn_sp_word(&rest, &ver, 16) == 0 && bsn_sp_blanks(&rest) == 0) {
            uint64_t code = 0;
            if (bsn_sp_u64(&rest, &code) == 0 && code < 1000)
                s->status = (long)code;
        }
        return n;
    }
    if (line.len == 0) {
        if (!(s->status >= 300 && s->status < 400 && s->had_location) && s->status >= 200) {
            s->headers_done = true;
            /* a resume answered with the whole blob: drop what was delivered already */
            s->skip = s->range_from && s->status == 200 ? s->range_from : 0;
        }
        return n;
    }
    struct bsn_str key, val;
    if (!bsn_str_split(line, ':', &key, &val))
        return n;
    key = bsn_str_trim(key);
    val = bsn_str_trim(val);
    if (bsn_str_ieq_cstr(key, "content-type")) {
        snprintf(s->content_type, sizeof(s->content_type), "%.*s", BSN_STR_ARG(val));
        char *semi = strchr(s->content_type, ';');
        if (semi)
            *semi = '\0';
    } else if (bsn_str_ieq_cstr(key, "docker-content-digest")) {
        if (val.len < sizeof(s->docker_digest))
            snprintf(s->docker_digest, sizeof(s->docker_digest), "%.*s", BSN_STR_ARG(val));
    } else if (bsn_str_ieq_cstr(key, "retry-after")) {
        uint64_t v;
        struct bsn_str c = val;
        if (bsn_sp_u64(&c, &v) == 0 && c.len == 0)
            s->retry_after_s = v > 3600 ? 3600 : (long)v;
    } else if (bsn_str_ieq_cstr(key, "www-authenticate")) {
        /* keep the first Bearer challenge, else the first one */
        bool bearer = val.len >= 6 && strncasecmp(val.ptr, "bearer", 6) == 0;
        bool have_bearer = strncasecmp(s->www_auth, "bearer", 6) == 0;
        if ((!s->www_auth[0] || (bearer && !have_bearer)) && val.len < sizeof(s->www_auth))
            snprintf(s->www_auth, sizeof(s->www_auth), "%.*s", BSN_STR_ARG(val));
    } else if (bsn_str_ieq_cstr(key, "location")) {
        s->had_location = true;
    }
    return n;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct reg_stream *s = arg;
    size_t n = size * nmemb;
    if (s->status < 200 || s->status >= 300) {
        size_t k = sizeof(s->errbody) - 1 - s->errbody_n;
        if (k > n)
            k = n;
        memcpy(s->errbody + s->errbody_n, p, k);
        s->errbody_n += k;
        s->errbody[s->errbody_n] = '\0';
        return n;
    }
    /* after a resume answered 200: drop the bytes already delivered (committed only when the
     * chunk is taken, since a paused chunk is delivered again whole) */
    size_t drop = s->skip < n ? (size_t)s->skip : n;
    p += drop;
    n -= drop;
    size_t held = s->end - s->start;
    if (s->cap - s->end < n && s->start > 0) {
        memmove(s->buf, s->buf + s->start, held);
        s->start = 0;
        s->end = held;
    }
    if (s->cap - s->end < n) {
        if (held > 0) {
            s->paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        if (n > STREAM_BUF_MAX)
            return 0; /* curl fails the transfer with a write error */
        s->buf = bsn_xrealloc(s->buf, n);
        s->cap = n;
    }
    s->skip -= drop;
    memcpy(s->buf + s->end, p, n);
    s->end += n;
    return size * nmemb;
}

static void
stream_detach(struct reg_stream *s)
{
    if (s->attached) {
        curl_multi_remove_handle(s->multi, s->easy);
        s->attached = false;
    }
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
}

/* Sets up and starts one attempt; auth is the Authorization line to send or NULL. */
static void
stream_attempt(struct reg_stream *s, const char *auth)
{
    struct reg_state *st = s->st;
    stream_detach(s);
    curl_easy_reset(s->easy);
    s->start = s->end = 0;
    s->paused = s->done = s->headers_done = s->had_location = false;
    s->result = CURLE_OK;
    s->status = 0;
    s->content_type[0] = s->docker_digest[0] = s->www_auth[0] = '\0';
    s->retry_after_s = -1;
    s->errbody_n = 0;
    s->errbody[0] = '\0';
    CURL *e = s->easy;
    curl_easy_setopt(e, CURLOPT_URL, s->url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "bosun/" BSN_VERSION);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    bool plain_ok = st->insecure || st->loopback;
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, plain_ok ? "http,https" : "https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
    /* a server trickling bytes must not hold a scan forever: layers need 1 KiB/s over any
     * minute, manifests, configs and tokens arrive within SMALL_TIMEOUT_S */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
    if (s->timeout_s)
        curl_easy_setopt(e, CURLOPT_TIMEOUT, s->timeout_s);
    if (st->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    if (s->post_fields)
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, s->post_fields); /* form-urlencoded */
    if (s->accept)
        s->hdrs = curl_slist_append(s->hdrs, s->accept);
    if (auth)
        s->hdrs = curl_slist_append(s->hdrs, auth);
    s->skip = 0;
    if (s->range_from) {
        char range[64];
        snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)s->range_from);
        s->hdrs = curl_slist_append(s->hdrs, range);
    }
    if (s->hdrs)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
    curl_multi_add_handle(s->multi, e);
    s->attached = true;
}

/* Drives the transfer until data is buffered (want_data), the headers are in, or it is done. */
static void
stream_pump(struct reg_stream *s, bool want_data)
{
    for (;;) {
        int running = 0;
        curl_multi_perform(s->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(s->multi, &left)))
            if (m->msg == CURLMSG_DONE && m->easy_handle == s->easy) {
                s->done = true;
                s->result = m->data.result;
            }
        if (s->done)
            return;
        if (want_data ? s->end > s->start : s->headers_done)
            return;
        if (s->paused)
            return; /* buffer full: the reader drains it first */
        curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
    }
}

/* Copies the current Authorization line (refreshing an expired token first). */
static bsn_code acquire_auth(struct reg_state *st, char **out, unsigned *gen,
                             struct bsn_err *err);
static bsn_code handle_challenge(struct reg_state *st, const char *www_auth, unsigned gen,
                                 struct bsn_err *err);

static bool
transient_status(long status)
{
    return status == 429 || (status >= 500 && status <= 599);
}

/* A URL without its query, for messages (token endpoint queries name no secrets, but are long). */
static void
url_for_msg(const char *url, char *out, size_t cap)
{
    size_t n = strcspn(url, "?");
    snprintf(out, cap, "%.*s", (int)(n > 400 ? 400 : n), url);
}

/*
 * Starts the request with retries and auth; on BSN_OK the response is 2xx and its body can be
 * read. A 404 is BSN_ENOTFOUND (the caller names the thing), 401/403 after auth BSN_EAUTH.
 */
static bsn_code
stream_start(struct reg_stream *s, struct bsn_err *err)
{
    struct reg_state *st = s->st;
    int64_t begin = mono_ms();
    unsigned attempts = 0, auth_rounds = 0;
    char url_msg[URL_MAX];
    for (;;) {
        char *auth = NULL;
        unsigned gen = 0;
        if (s->registry_auth)
            BSN_TRY(acquire_auth(st, &auth, &gen, err));
        stream_attempt(s, s->registry_auth ? auth : s->fixed_auth);
        free(auth);
        stream_pump(s, false);
        url_for_msg(s->url, url_msg, sizeof(url_msg));
        /* a 2xx whose body then broke off: the reader resumes it from what arrived */
        if (s->headers_done && s->status >= 200 && s->status < 300)
            return BSN_OK;
        /* not a success: read the (small) error body to its end */
        while (!s->done)
            stream_pump(s, false);
        long status = s->status;
        bool conn_error = s->result != CURLE_OK && (status == 0 || !s->headers_done);
        /* a name that does not resolve will not resolve a second later either */
        bool retryable = conn_error && s->result != CURLE_COULDNT_RESOLVE_HOST &&
                         s->result != CURLE_COULDNT_RESOLVE_PROXY;
        if (conn_error && !st->base_fixed && st->insecure && !st->loopback &&
            strncmp(s->url, "https://", 8) == 0) {
            /* --insecure: a registry serving plain HTTP, as docker and skopeo allow */
            memmove(s->url + 4, s->url + 5, strlen(s->url + 5) + 1); /* https -> http */
            snprintf(st->base, sizeof(st->base), "http://%s", st->ref.host);
            st->base_fixed = true;
            continue;
        }
        if (!conn_error)
            st->base_fixed = true;
        if (status == 401 && s->registry_auth && auth_rounds < 2) {
            auth_rounds++;
            BSN_TRY(handle_challenge(st, s->www_auth, gen, err));
            continue;
        }
        if (status == 401 || status == 403)
            return bsn_err_set(err, BSN_EAUTH, "authentication to %s failed (HTTP %ld from %s)",
                               st->ref.domain, status, url_msg);
        if (status == 404)
            return bsn_err_set(err, BSN_ENOTFOUND, "%s: not found (HTTP 404)", url_msg);
        if ((retryable || transient_status(status)) && attempts + 1 < MAX_ATTEMPTS) {
            int64_t wait = (int64_t)BACKOFF_FIRST_MS << attempts;
            if (s->retry_after_s >= 0)
                wait = (int64_t)s->retry_after_s * 1000;
            if (wait > RETRY_WAIT_MAX_MS)
                wait = RETRY_WAIT_MAX_MS;
            if (mono_ms() + wait - begin <= RETRY_TOTAL_MAX_MS) {
                attempts++;
                sleep_ms(wait);
                continue;
            }
        }
        if (conn_error)
            return bsn_err_set(err, BSN_ENET, "cannot fetch %s: %s", url_msg,
                               curl_easy_strerror(s->result));
        return bsn_err_set(err, BSN_ENET, "cannot fetch %s: HTTP %ld%s", url_msg, status,
                           attempts ? " (after retries)" : "");
    }
}

static void
stream_progress(struct reg_stream *s, bool end)
{
    struct reg_state *st = s->st;
    if (!st->progress || !s->what[0])
        return;
    unsigned pct = s->total ? (unsigned)(s->delivered * 100 / s->total) : 0;
    if (!end && pct == s->last_pct)
        return;
    s->last_pct = pct;
    pthread_mutex_lock(&st->progress_mu);
    st->progress(st->progress_arg, s->what, s->delivered, end ? s->delivered : s->total);
    pthread_mutex_unlock(&st->progress_mu);
}

static bsn_code
stream_read(struct bsn_reader *r, void *out, size_t cap, size_t *got, struct bsn_err *err)
{
    struct reg_stream *s = (struct reg_stream *)r;
    if (s->failed) {
        if (err)
            *err = s->ferr;
        return s->ferr.code;
    }
    while (s->end == s->start) {
        if (s->done) {
            if (s->result != CURLE_OK && s->status >= 200 && s->status < 300 &&
                s->resumes + 1 < MAX_ATTEMPTS) {
                /* the connection broke mid-body: continue from where it stopped */
                sleep_ms((int64_t)BACKOFF_FIRST_MS << s->resumes);
                s->resumes++;
                s->range_from = s->delivered;
                struct bsn_err rerr;
                if (stream_start(s, &rerr) == BSN_OK)
                    continue;
                s->failed = true;
                s->ferr = rerr;
                if (err)
                    *err = s->ferr;
                return s->ferr.code;
            }
            if (s->result != CURLE_OK) {
                char url_msg[URL_MAX];
                url_for_msg(s->url, url_msg, sizeof(url_msg));
                /* NEEDSWORK: resume with a Range request instead of failing */
                s->failed = true;
                bsn_err_set(&s->ferr, BSN_ENET, "download of %s failed after %llu bytes: %s",
                            url_msg, (unsigned long long)s->delivered,
                            curl_easy_strerror(s->result));
                if (err)
                    *err = s->ferr;
                return s->ferr.code;
            }
            *got = 0;
            stream_progress(s, true);
            return BSN_OK;
        }
        if (s->paused) {
            s->paused = false;
            curl_easy_pause(s->easy, CURLPAUSE_CONT);
            if (s->end > s->start)
                break;
        }
        stream_pump(s, true);
    }
    size_t k = s->end - s->start;
    if (k > cap)
        k = cap;
    memcpy(out, s->buf + s->start, k);
    s->start += k;
    s->delivered += k;
    *got = k;
    stream_progress(s, false);
    return BSN_OK;
}

static void
stream_close(struct bsn_reader *r)
{
    struct reg_stream *s = (struct reg_stream *)r;
    stream_detach(s);
    if (s->easy)
        curl_easy_cleanup(s->easy);
    if (s->multi)
        curl_multi_cleanup(s->multi);
    free(s->buf);
    free(s);
}

static struct reg_stream *
stream_new(struct reg_state *st, const char *url)
{
    pthread_once(&curl_once, curl_init_once);
    struct reg_stream *s = bsn_xcalloc(1, sizeof(*s));
    s->base.read = stream_read;
    s->base.close = stream_close;
    s->st = st;
    snprintf(s->url, sizeof(s->url), "%s", url);
    s->easy = curl_easy_init();
    s->multi = curl_multi_init();
    if (!s->easy || !s->multi)
        BSN_BUG("curl handle allocation failed");
    s->cap = STREAM_BUF;
    s->buf = bsn_xmalloc(s->cap);
    s->registry_auth = true;
    return s;
}

/* ---- authentication ------------------------------------------------------------------------- */

static bsn_code fetch_token(struct reg_state *st, struct bsn_err *err);

static bsn_code
acquire_auth(struct reg_state *st, char **out, unsigned *gen, struct bsn_err *err)
{
    bsn_code rc = BSN_OK;
    pthread_mutex_lock(&st->mu);
    if (st->chal.scheme == BSN_AUTH_BEARER && st->auth_header && mono_ms() >= st->token_expiry_ms)
        rc = fetch_token(st, err);
    *out = st->auth_header ? bsn_xstrdup(st->auth_header) : NULL;
    *gen = st->auth_gen;
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static void
set_auth_header(struct reg_state *st, const char *scheme, const char *value)
{
    size_t n = strlen("Authorization: ") + strlen(scheme) + 1 + strlen(value) + 1;
    char *h = bsn_xmalloc(n);
    snprintf(h, n, "Authorization: %s %s", scheme, value);
    if (st->auth_header) {
        memset(st->auth_header, 0, strlen(st->auth_header));
        free(st->auth_header);
    }
    st->auth_header = h;
    st->auth_gen++;
}

static bool
basic_value(const struct reg_state *st, char *out, size_t cap)
{
    char pair[2048];
    int k = snprintf(pair, sizeof(pair), "%s:%s", st->user, st->password);
    bool ok = k > 0 && (size_t)k < sizeof(pair) && bsn_base64_encode(pair, (size_t)k, out, cap);
    memset(pair, 0, sizeof(pair));
    return ok;
}

static bool
identity_token(const struct reg_state *st)
{
    return st->user && st->password && strcmp(st->user, BSN_IDENTITY_TOKEN_USER) == 0;
}

/*
 * Called with st->mu held. Username/password or anonymous: GET realm?service=&scope= with
 * Basic credentials (the token spec). An identity token: the OAuth2 refresh-token grant,
 * POST realm with grant_type=refresh_token&refresh_token=…&service=&scope=&client_id=bosun
 * (https://distribution.github.io/distribution/spec/auth/oauth/), answered with an
 * access_token.
 */
static bsn_code
fetch_token(struct reg_state *st, struct bsn_err *err)
{
    CURL *esc = curl_easy_init();
    if (!esc)
        BSN_BUG("curl handle allocation failed");
    bool oauth = identity_token(st);
    char scope[600];
    snprintf(scope, sizeof(scope), "repository:%s:pull", st->ref.repo);
    char *e_service = curl_easy_escape(esc, st->chal.service, 0);
    char *e_scope = curl_easy_escape(esc, scope, 0);
    char *e_refresh = oauth ? curl_easy_escape(esc, st->password, 0) : NULL;
    char url[URL_MAX];
    char *form = NULL;
    int k;
    if (oauth) {
        k = snprintf(url, sizeof(url), "%s", st->chal.realm);
        size_t fn = strlen(e_refresh) + strlen(e_service) + strlen(e_scope) + 128;
        form = bsn_xmalloc(fn);
        snprintf(form, fn, "grant_type=refresh_token&refresh_token=%s&service=%s&scope=%s"
                 "&client_id=bosun", e_refresh, e_service, e_scope);
        memset(e_refresh, 0, strlen(e_refresh));
    } else if (st->chal.service[0]) {
        k = snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", st->chal.realm,
                     strchr(st->chal.realm, '?') ? "&" : "?", e_service, e_scope);
    } else {
        k = snprintf(url, sizeof(url), "%s%sscope=%s", st->chal.realm,
                     strchr(st->chal.realm, '?') ? "&" : "?", e_scope);
    }
    curl_free(e_refresh);
    curl_free(e_service);
    curl_free(e_scope);
    curl_easy_cleanup(esc);
    bsn_code rc = BSN_OK;
    if (k < 0 || (size_t)k >= sizeof(url))
        rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed: token realm too long",
                         st->ref.domain);
    else if (strncmp(url, "https://", 8) != 0 &&
             !(strncmp(url, "http://", 7) == 0 &&
               (st->insecure || bsn_registry_host_loopback(url + 7))))
        rc = bsn_err_set(err, BSN_EAUTH,
                         "authentication to %s failed: token realm '%.200s' is not HTTPS",
                         st->ref.domain, st->chal.realm);
    if (rc != BSN_OK) {
        if (form) {
            memset(form, 0, strlen(form));
            free(form);
        }
        return rc;
    }
    struct reg_stream *s = stream_new(st, url);
    s->registry_auth = false;
    s->timeout_s = SMALL_TIMEOUT_S;
    s->post_fields = form;
    char basic[1500] = "", hdr[1600] = "";
    if (!oauth && st->user && st->password && basic_value(st, basic, sizeof(basic))) {
        snprintf(hdr, sizeof(hdr), "Authorization: Basic %s", basic);
        s->fixed_auth = hdr;
    }
    rc = stream_start(s, err);
    if (rc == BSN_EAUTH || rc == BSN_ENOTFOUND)
        rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed (token endpoint refused "
                         "the %s)", st->ref.domain,
                         oauth ? "identity token" : st->user ? "credentials" : "anonymous pull");
    struct bsn_arena *a = NULL;
    if (rc == BSN_OK) {
        a = bsn_arena_new();
        char *text;
        size_t n;
        const char *token;
        long exp;
        rc = bsn_image_slurp(&s->base, a, TOKEN_MAX, "token endpoint answer", &text, &n, err);
        if (rc == BSN_OK)
            rc = bsn_registry_token_parse(text, n, a, &token, &exp, err);
        if (rc == BSN_OK) {
            set_auth_header(st, "Bearer", token);
            /* refresh a little before the token runs out */
            int64_t life_ms = (int64_t)exp * 1000;
            st->token_expiry_ms = mono_ms() + (life_ms > 20000 ? life_ms - 10000 : life_ms / 2);
        }
        memset(text, 0, n);
    }
    memset(basic, 0, sizeof(basic));
    memset(hdr, 0, sizeof(hdr));
    stream_close(&s->base);
    if (form) {
        memset(form, 0, strlen(form));
        free(form);
    }
    bsn_arena_free(a);
    return rc;
}

static bsn_code
handle_challenge(struct reg_state *st, const char *www_auth, unsigned gen, struct bsn_err *err)
{
    bsn_code rc = BSN_OK;
    pthread_mutex_lock(&st->mu);
    if (gen != st->auth_gen) {
        /* another thread already refreshed the credentials: just retry */
        pthread_mutex_unlock(&st->mu);
        return BSN_OK;
    }
    struct bsn_auth_challenge c;
    struct bsn_err perr;
    if (st->preset_auth && (!st->user || !st->password)) {
        pthread_mutex_unlock(&st->mu);
        return bsn_err_set(err, BSN_EAUTH, "authentication to %s failed (the registry refused "
                           "the authorization it was given)", st->ref.domain);
    }
    st->preset_auth = false;
    if (!www_auth[0] ||
        bsn_www_authenticate_parse(www_auth, strlen(www_auth), &c, &perr) != BSN_OK) {
        rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed (no usable "
                         "WWW-Authenticate challenge)", st->ref.domain);
    } else if (c.scheme == BSN_AUTH_BASIC) {
        char basic[1500];
        if (st->chal.scheme == BSN_AUTH_BASIC && st->auth_header)
            rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed", st->ref.domain);
        else if (!st->user || !st->password)
            rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed: credentials required "
                             "(--username/--password or docker login)", st->ref.domain);
        else if (identity_token(st))
            rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed: it asks for Basic "
                             "credentials and docker login stored an identity token",
                             st->ref.domain);
        else if (!basic_value(st, basic, sizeof(basic)))
            rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed: credentials too long",
                             st->ref.domain);
        else {
            st->chal = c;
            set_auth_header(st, "Basic", basic);
        }
        memset(basic, 0, sizeof(basic));
    } else if (c.scheme == BSN_AUTH_BEARER) {
        st->chal = c;
        rc = fetch_token(st, err);
    } else {
        rc = bsn_err_set(err, BSN_EAUTH, "authentication to %s failed (unsupported "
                         "authentication scheme)", st->ref.domain);
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* ---- manifests and blobs -------------------------------------------------------------------- */

static struct cached_manifest *
cache_find(struct reg_state *st, const char *digest)
{
    for (size_t i = 0; i < st->n_manifests; i++)
        if (strcmp(st->manifests[i].digest, digest) == 0)
            return &st->manifests[i];
    return NULL;
}

static struct cached_manifest *
cache_add(struct reg_state *st, const char *digest)
{
    struct cached_manifest *c = cache_find(st, digest);
    if (c)
        return c;
    if (st->n_manifests >= MAX_CACHED_MANIFESTS)
        return NULL;
    if (!st->manifests)
        st->manifests = bsn_arena_alloc_array(st->arena, MAX_CACHED_MANIFESTS,
                                              sizeof(*st->manifests));
    c = &st->manifests[st->n_manifests++];
    snprintf(c->digest, sizeof(c->digest), "%s", digest);
    return c;
}

/* An index names further manifests: remember them, so they are fetched from /manifests/. */
static void
note_children(struct reg_state *st, const char *text, size_t n)
{
    json_t *j = json_loadb(text, n, 0, NULL);
    json_t *m = json_object_get(j, "manifests");
    for (size_t i = 0; i < json_array_size(m); i++) {
        const char *d = json_string_value(json_object_get(json_array_get(m, i), "digest"));
        if (d && bsn_digest_valid(d, strlen(d)))
            (void)cache_add(st, d);
    }
    json_decref(j);
}

static bool
is_schema1(const char *ct, const char *text, size_t n)
{
    if (strcmp(ct, "application/vnd.docker.distribution.manifest.v1+json") == 0 ||
        strcmp(ct, "application/vnd.docker.distribution.manifest.v1+prettyjws") == 0)
        return true;
    json_t *j = json_loadb(text, n, 0, NULL);
    json_t *v = json_object_get(j, "schemaVersion");
    bool one = json_is_integer(v) && json_integer_value(v) == 1;
    json_decref(j);
    return one;
}

/*
 * GET /v2/NAME/manifests/REFERENCE into the arena: the bytes, their digest, the content type.
 * want_digest (may be "") is checked; else Docker-Content-Digest when the registry sends one.
 */
static bsn_code
fetch_manifest(struct reg_state *st, const char *reference, const char *want_digest,
               char **text, size_t *n, char digest[BSN_DIGEST_MAX], const char **ctype,
               struct bsn_err *err)
{
    char url[URL_MAX];
    snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", st->base, st->ref.repo, reference);
    struct reg_stream *s = stream_new(st, url);
    s->accept = ACCEPT_MANIFESTS;
    s->timeout_s = SMALL_TIMEOUT_S;
    bsn_code rc = stream_start(s, err);
    if (rc == BSN_ENOTFOUND)
        rc = bsn_err_set(err, BSN_ENOTFOUND, "manifest unknown: '%s%s%s' (%s/%s)", st->name,
                         reference[0] == 's' && strchr(reference, ':') ? "@" : ":", reference,
                         st->ref.domain, st->ref.repo);
    char what[200];
    snprintf(what, sizeof(what), "manifest of '%.150s'", st->display);
    if (rc == BSN_OK)
        rc = bsn_image_slurp(&s->base, st->arena, BSN_MANIFEST_MAX, what, text, n, err);
    if (rc == BSN_OK) {
        bsn_sha256_digest(*text, *n, digest);
        const char *check = want_digest[0] ? want_digest : s->docker_digest;
        if (check[0] && strncmp(check, "sha256:", 7) == 0 && strcmp(check, digest) != 0)
            rc = bsn_err_set(err, BSN_EFORMAT, "manifest %s of '%s' has digest %s", check,
                             st->display, digest);
        *ctype = bsn_arena_strdup(st->arena, s->content_type);
    }
    if (rc == BSN_OK && is_schema1(*ctype, *text, *n))
        rc = bsn_err_set(err, BSN_EUNSUPPORTED, "'%s': schema 1 manifests are not supported",
                         st->display);
    stream_close(&s->base);
    return rc;
}

static bsn_code
open_blob_stream(struct reg_state *st, const char *digest, uint64_t size, const char *what,
                 struct bsn_reader **out, struct bsn_err *err)
{
    char url[URL_MAX];
    snprintf(url, sizeof(url), "%s/v2/%s/blobs/%s", st->base, st->ref.repo, digest);
    struct reg_stream *s = stream_new(st, url);
    if (what)
        snprintf(s->what, sizeof(s->what), "%s", what);
    else
        s->timeout_s = SMALL_TIMEOUT_S; /* a config, read whole */
    s->total = size;
    bsn_code rc = stream_start(s, err);
    if (rc != BSN_OK) {
        stream_close(&s->base);
        if (rc == BSN_ENOTFOUND)
            return bsn_err_set(err, BSN_ENOTFOUND, "blob %s not found in '%s'", digest,
                               st->name);
        return bsn_err_prefix(err, "blob %s", digest);
    }
    *out = &s->base;
    return BSN_OK;
}

/* The blob store bsn_oci_resolve reads manifests and configs through. */
static bsn_code
reg_store_open(void *ctx, const char *digest, struct bsn_reader **out, struct bsn_err *err)
{
    struct reg_state *st = ctx;
    struct cached_manifest *c = cache_find(st, digest);
    if (c && !c->p) {
        char *text;
        size_t n;
        char got[BSN_DIGEST_MAX];
        const char *ct;
        BSN_TRY(fetch_manifest(st, digest, digest, &text, &n, got, &ct, err));
        c->p = text;
        c->n = n;
        note_children(st, text, n);
    }
    if (c) {
        *out = bsn_reader_mem(c->p, c->n);
        return BSN_OK;
    }
    return open_blob_stream(st, digest, 0, NULL, out, err);
}

/* ---- the source ----------------------------------------------------------------------------- */

static const char *
docker_config_path(const struct bsn_scan_opts *opts, struct bsn_arena *a)
{
    if (opts && opts->docker_config)
        return opts->docker_config;
    /* NEEDSWORK: the CLI should pass this in opts->docker_config (library code reads no
     * environment); until it does, docker's own lookup is followed here. */
    const char *dc = getenv("DOCKER_CONFIG");
    if (dc && *dc)
        return bsn_arena_printf(a, "%s/config.json", dc);
    const char *home = getenv("HOME");
    if (home && *home)
        return bsn_arena_printf(a, "%s/.docker/config.json", home);
    return NULL;
}

static void
set_names(struct bsn_image *img, const struct reg_state *st, const char *digest)
{
    struct bsn_arena *a = img->arena;
    if (st->ref.tag[0]) {
        const char **t = bsn_arena_alloc(a, sizeof(*t));
        t[0] = bsn_arena_printf(a, "%s:%s", st->name, st->ref.tag);
        img->info.repo_tags = t;
        img->info.n_repo_tags = 1;
    }
    const char **d = bsn_arena_alloc(a, sizeof(*d));
    d[0] = bsn_arena_printf(a, "%s@%s", st->name, digest);
    img->info.repo_digests = d;
    img->info.n_repo_digests = 1;
}

static bsn_code
registry_open(struct bsn_image *img, const char *text, const struct bsn_scan_opts *opts,
              struct bsn_err *err)
{
    struct reg_state *st = bsn_arena_alloc(img->arena, sizeof(*st));
    BSN_TRY(bsn_registry_ref_parse(text, &st->ref, err));
    if (opts && opts->offline)
        return bsn_err_set(err, BSN_ENET, "cannot pull '%s' in offline mode", text);
    pthread_mutex_init(&st->mu, NULL);
    pthread_mutex_init(&st->progress_mu, NULL);
    st->mu_init = true;
    img->source_state = st;
    st->arena = img->arena;
    snprintf(st->display, sizeof(st->display), "%s", text);
    bsn_registry_ref_name(&st->ref, st->name, sizeof(st->name));
    st->insecure = opts && opts->insecure;
    st->loopback = bsn_registry_host_loopback(st->ref.host);
    snprintf(st->base, sizeof(st->base), "%s://%s", st->loopback ? "http" : "https",
             st->ref.host);
    st->base_fixed = st->loopback;
    if (opts) {
        st->progress = opts->progress;
        st->progress_arg = opts->progress_arg;
    }
    if (opts && opts->username && *opts->username) {
        if (!opts->password)
            return bsn_err_set(err, BSN_EINVAL, "a registry username needs a password");
        st->user = bsn_arena_strdup(img->arena, opts->username);
        st->password = bsn_arena_strdup(img->arena, opts->password);
    } else {
        const char *cfg = docker_config_path(opts, img->arena);
        if (cfg) {
            struct bsn_err cerr;
            bsn_code rc = bsn_registry_creds(cfg, st->ref.domain, img->arena, &st->user,
                                             &st->password, &cerr);
            if (rc != BSN_OK && rc != BSN_ENOTFOUND) {
                *err = cerr;
                return rc;
            }
            if (rc != BSN_OK)
                st->user = st->password = NULL;
        }
    }
    /* A ready-made Authorization (Harbor hands its scanner a short-lived "Bearer …" or
     * "Basic …" for the pull) is sent as is; a 401 then means it was refused. */
    if (opts && opts->registry_authorization && *opts->registry_authorization) {
        size_t n = strlen(opts->registry_authorization) + 16;
        char *h = bsn_xmalloc(n);
        snprintf(h, n, "Authorization: %s", opts->registry_authorization);
        st->auth_header = h;
        st->preset_auth = true;
    }
    st->bs.ctx = st;
    st->bs.where = st->display;
    st->bs.open = reg_store_open;

    const char *reference = st->ref.digest[0] ? st->ref.digest : st->ref.tag;
    char *mtext;
    size_t mn;
    char digest[BSN_DIGEST_MAX];
    const char *ct;
    BSN_TRY(fetch_manifest(st, reference, st->ref.digest, &mtext, &mn, digest, &ct, err));
    struct cached_manifest *c = cache_add(st, digest);
    c->p = mtext;
    c->n = mn;
    note_children(st, mtext, mn);
    /* The pulled manifest becomes the one entry of an index, which image_oci.c resolves. */
    const char *mt = ct;
    if (strcmp(mt, MT_OCI_INDEX) != 0 && strcmp(mt, MT_DOCKER_LIST) != 0 &&
        strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_MANIFEST) != 0) {
        /* servers that send application/json: the document's own mediaType tells */
        json_t *j = json_loadb(mtext, mn, 0, NULL);
        const char *own = json_string_value(json_object_get(j, "mediaType"));
        mt = own ? bsn_arena_strdup(img->arena, own) : NULL;
        json_decref(j);
    }
    json_t *desc = json_object();
    if (mt)
        json_object_set_new(desc, "mediaType", json_string(mt));
    json_object_set_new(desc, "digest", json_string(digest));
    json_object_set_new(desc, "size", json_integer((json_int_t)mn));
    json_t *ix = json_object();
    json_object_set_new(ix, "schemaVersion", json_integer(2));
    json_object_set_new(ix, "manifests", json_pack("[o]", desc));
    char *ixtext = json_dumps(ix, JSON_COMPACT);
    json_decref(ix);
    if (!ixtext)
        BSN_BUG("json_dumps failed");
    bsn_code rc = bsn_oci_resolve(img, &st->bs, ixtext, strlen(ixtext), NULL, opts, err);
    free(ixtext);
    if (rc != BSN_OK) {
        if (rc == BSN_ENOTFOUND || rc == BSN_EFORMAT || rc == BSN_EUNSUPPORTED)
            bsn_err_prefix(err, "'%s'", st->display);
        return rc;
    }
    set_names(img, st, digest);
    for (size_t i = 0; i < img->n_siblings; i++)
        set_names(img->siblings[i], st, digest);
    return BSN_OK;
}

static bsn_code
registry_open_blob(struct bsn_image *img, size_t i, struct bsn_reader **out,
                   struct bsn_err *err)
{
    struct reg_state *st = img->source_state;
    const struct bsn_layer_info *l = &img->info.layers[i];
    BSN_TRY(bsn_image_check_digest(l->digest, err));
    char what[96];
    snprintf(what, sizeof(what), "%.19s layer %zu/%zu", l->digest, i + 1, img->info.n_layers);
    return open_blob_stream(st, l->digest, l->size, what, out, err);
}

static void
registry_close(struct bsn_image *img)
{
    struct reg_state *st = img->source_state;
    if (!st || !st->mu_init)
        return;
    if (st->auth_header) {
        memset(st->auth_header, 0, strlen(st->auth_header));
        free(st->auth_header);
        st->auth_header = NULL;
    }
    pthread_mutex_destroy(&st->mu);
    pthread_mutex_destroy(&st->progress_mu);
    st->mu_init = false;
    img->source_state = NULL;
}

const struct bsn_image_source bsn_source_registry = {
    .name = "registry",
    .open = registry_open,
    .open_blob = registry_open_blob,
    .close = registry_close,
};
