/*
 * The HTTP side of 'bosun server' (libmicrohttpd): a thread pool, limits on header memory and
 * body size, bearer-token auth on /api/, routing, one structured access-log line per request
 * on stderr, and bsn_server_run, which ties the store, the workers, the lease keeper and the
 * re-matcher together.
 *
 * Routes:
 *   GET  /healthz                       the process answers
 *   GET  /readyz                        the database is loaded and the store reachable (503 else)
 *   GET  /metrics                       Prometheus text (server_metrics.c)
 *   GET  /api/v1/metadata               Harbor scanner adapter (server_harbor.c)
 *   POST /api/v1/scan
 *   GET  /api/v1/scan/{id}/report
 *   POST /api/v1/rematch                bosun: re-match every stored inventory now (202)
 * Errors under /api/ use Harbor's error mime type: 400 bad JSON, 401 no or wrong token, 404
 * unknown route or scan id, 405, 413 body too large, 429 + Retry-After when the queue is full.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/banned.h"
#include "base/xalloc.h"
#include "server/server_int.h"

#define BODY_DEFAULT_MAX (1u << 20)
#define HEADER_DEFAULT_MAX (32u << 10)

/* Per-request state, kept in MHD's con_cls from the first callback to the completion one. */
struct req {
    int64_t start_ms;
    struct bsn_buf body;
    bool too_big;
    bool done;
    unsigned status;
    size_t bytes;
    char method[16];
    char path[200];
    char remote[64];
};

/* ---- helpers ---------------------------------------------------------------------------- */

int64_t
bsn_server_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
time_text(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t t = ts.tv_sec;
    if (!gmtime_r(&t, &tm) || !strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm)) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    size_t n = strlen(out);
    snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Appends s as a JSON string body (without quotes): control characters escaped. */
static void
json_escape(struct bsn_buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        bsn_code rc;
        if (c == '"' || c == '\\')
            rc = bsn_buf_addf(b, "\\%c", c);
        else if (c < 0x20)
            rc = bsn_buf_addf(b, "\\u%04x", c);
        else
            rc = bsn_buf_addc(b, (char)c);
        if (rc != BSN_OK)
            return;
    }
}

void
bsn_server_log(const char *level, const char *fmt, ...)
{
    char msg[1024], when[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    time_text(when);
    struct bsn_buf b;
    bsn_buf_init(&b, 4096);
    if (bsn_buf_addf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", when, level) == BSN_OK) {
        json_escape(&b, msg);
        if (bsn_buf_adds(&b, "\"}\n") == BSN_OK)
            fputs(b.ptr, stderr);
    }
    bsn_buf_release(&b);
}

void
bsn_http_resp_header(struct bsn_http_resp *r, const char *name, const char *fmt, ...)
{
    if (r->n_hdr >= 3)
        BSN_BUG("too many response headers");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->hdr_store[r->n_hdr], sizeof(r->hdr_store[0]), fmt, ap);
    va_end(ap);
    r->hdr_name[r->n_hdr] = name;
    r->hdr_value[r->n_hdr] = r->hdr_store[r->n_hdr];
    r->n_hdr++;
}

void
bsn_http_resp_text(struct bsn_http_resp *r, unsigned status, const char *ctype, const char *text,
                   size_t len)
{
    r->status = status;
    r->ctype = ctype;
    bsn_buf_reset(&r->body);
    if (bsn_buf_add(&r->body, text, len) != BSN_OK) {
        bsn_buf_reset(&r->body);
        r->status = 500;
        r->ctype = "text/plain";
    }
}

void
bsn_http_resp_error(struct bsn_http_resp *r, unsigned status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->status = status;
    r->ctype = BSN_MIME_ERROR;
    bsn_buf_reset(&r->body);
    if (bsn_buf_adds(&r->body, "{\"error\":{\"message\":\"") == BSN_OK) {
        json_escape(&r->body, msg);
        if (bsn_buf_adds(&r->body, "\"}}") != BSN_OK)
            bsn_buf_reset(&r->body);
    }
}

void
bsn_server_wake(struct bsn_server *s)
{
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
}

void
bsn_server_refresh_db(struct bsn_server *s)
{
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_db_info info;
    struct bsn_err err;
    if (s->cfg->db_path && bsn_db_info(s->cfg->db_path, a, &info, &err) == BSN_OK) {
        atomic_store(&s->db_built_at, info.built_at);
        atomic_store(&s->db_ok, true);
    } else {
        atomic_store(&s->db_ok, false);
    }
    bsn_arena_free(a);
}

/* ---- auth --------------------------------------------------------------------------------- */

static bool
authorized(struct bsn_server *s, struct MHD_Connection *c)
{
    if (!s->cfg->token || !*s->cfg->token)
        return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    const char *got = h + 7;
    size_t n = strlen(got), want = strlen(s->cfg->token);
    /* constant-time over the token's length */
    return n == want && CRYPTO_memcmp(got, s->cfg->token, n) == 0;
}

/* ---- routing ------------------------------------------------------------------------------ */

static void
healthz(struct bsn_http_resp *r)
{
    bsn_http_resp_text(r, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

static void
readyz(struct bsn_server *s, struct bsn_http_resp *r)
{
    struct bsn_err err;
    bsn_server_refresh_db(s);
    if (!atomic_load(&s->db_ok)) {
        bsn_http_resp_text(r, 503, "text/plain; charset=utf-8",
                           "vulnerability database not loaded\n", 34);
        return;
    }
    if (bsn_store_ping(s->store, &err) != BSN_OK) {
        r->status = 503;
        r->ctype = "text/plain; charset=utf-8";
        bsn_buf_reset(&r->body);
        if (bsn_buf_addf(&r->body, "store unreachable: %s\n", err.msg) != BSN_OK)
            bsn_buf_reset(&r->body);
        return;
    }
    bsn_http_resp_text(r, 200, "text/plain; charset=utf-8", "ready\n", 6);
}

/* Matches "/api/v1/scan/{id}/report": id is 1..100 characters of [A-Za-z0-9-]. */
static bool
report_route(const char *url, char id[128])
{
    static const char pre[] = "/api/v1/scan/", post[] = "/report";
    if (strncmp(url, pre, sizeof(pre) - 1) != 0)
        return false;
    const char *p = url + sizeof(pre) - 1, *slash = strchr(p, '/');
    if (!slash || strcmp(slash, post) != 0)
        return false;
    size_t n = (size_t)(slash - p);
    if (n == 0 || n > 100)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    memcpy(id, p, n);
    id[n] = '\0';
    return true;
}

static void
route(struct bsn_server *s, struct MHD_Connection *c, const char *url, struct req *q,
      struct bsn_http_resp *r)
{
    bool get = !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD");
    bool post = !strcmp(q->method, "POST");
    char id[128];
    if (!strcmp(url, "/healthz")) {
        if (get)
            healthz(r);
        else
            bsn_http_resp_text(r, 405, "text/plain", "method not allowed\n", 19);
        return;
    }
    if (!strcmp(url, "/readyz")) {
        if (get)
            readyz(s, r);
        else
            bsn_http_resp_text(r, 405, "text/plain", "method not allowed\n", 19);
        return;
    }
    if (!strcmp(url, "/metrics")) {
        if (get)
            bsn_metrics_render(s, r);
        else
            bsn_http_resp_text(r, 405, "text/plain", "method not allowed\n", 19);
        return;
    }
    if (strncmp(url, "/api/", 5) != 0) {
        bsn_http_resp_text(r, 404, "text/plain", "not found\n", 10);
        return;
    }
    if (!authorized(s, c)) {
        bsn_http_resp_error(r, 401, "missing or invalid bearer token");
        bsn_http_resp_header(r, "WWW-Authenticate", "Bearer realm=\"bosun\"");
        return;
    }
    if (q->too_big) {
        bsn_http_resp_error(r, 413, "request body larger than %zu bytes", q->body.max);
        return;
    }
    if (!strcmp(url, "/api/v1/metadata")) {
        if (get)
            bsn_harbor_metadata(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"),
                                r);
        else
            bsn_http_resp_error(r, 405, "use GET on '%s'", url);
        return;
    }
    if (!strcmp(url, "/api/v1/scan")) {
        if (post)
            bsn_harbor_scan(s, q->body.ptr, q->body.len, r);
        else
            bsn_http_resp_error(r, 405, "use POST on '%s'", url);
        return;
    }
    if (!strcmp(url, "/api/v1/rematch")) {
        if (post) {
            bsn_rematch_request(s);
            bsn_http_resp_text(r, 202, "application/json", "{\"status\":\"accepted\"}", 21);
        } else {
            bsn_http_resp_error(r, 405, "use POST on '%s'", url);
        }
        return;
    }
    if (report_route(url, id)) {
        if (get)
            bsn_harbor_report(s, id,
                              MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"),
                              MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
                                                          "sbom_media_type"),
                              r);
        else
            bsn_http_resp_error(r, 405, "use GET on '%s'", url);
        return;
    }
    bsn_http_resp_error(r, 404, "no route '%s'", url);
}

static void
copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct bsn_server *s = cls;
    (void)version;
    struct req *q = *con_cls;
    if (!q) {
        q = bsn_xcalloc(1, sizeof(*q));
        q->start_ms = bsn_server_now_ms();
        uint64_t max = s->cfg->max_body_bytes ? s->cfg->max_body_bytes : BODY_DEFAULT_MAX;
        bsn_buf_init(&q->body, (size_t)max);
        copy_field(q->method, sizeof(q->method), method);
        copy_field(q->path, sizeof(q->path), url);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
            const struct sockaddr_in *in = (const void *)ci->client_addr;
            inet_ntop(AF_INET, &in->sin_addr, q->remote, sizeof(q->remote));
        } else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const void *)ci->client_addr;
            inet_ntop(AF_INET6, &in6->sin6_addr, q->remote, sizeof(q->remote));
        }
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_big && bsn_buf_add(&q->body, upload, *upload_size) != BSN_OK)
            q->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->done)
        return MHD_YES;
    q->done = true;
    atomic_fetch_add(&s->m.http_requests, 1);

    struct bsn_http_resp r;
    memset(&r, 0, sizeof(r));
    bsn_buf_init(&r.body, 256u << 20);
    route(s, c, url, q, &r);
    size_t len = 0;
    char *data = bsn_buf_detach(&r.body, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    if (r.ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.ctype);
    for (size_t i = 0; i < r.n_hdr; i++)
        MHD_add_response_header(resp, r.hdr_name[i], r.hdr_value[i]);
    q->status = r.status;
    q->bytes = len;
    enum MHD_Result ret = MHD_queue_response(c, r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode tc)
{
    (void)cls;
    (void)c;
    struct req *q = *con_cls;
    if (!q)
        return;
    char when[32];
    time_text(when);
    struct bsn_buf b;
    bsn_buf_init(&b, 2048);
    bsn_code rc = bsn_buf_addf(&b, "{\"time\":\"%s\",\"level\":\"info\",\"msg\":\"request\","
                                   "\"remote\":\"%s\",\"method\":\"",
                               when, q->remote);
    json_escape(&b, q->method);
    if (rc == BSN_OK)
        rc = bsn_buf_adds(&b, "\",\"path\":\"");
    json_escape(&b, q->path);
    if (rc == BSN_OK)
        rc = bsn_buf_addf(&b, "\",\"status\":%u,\"bytes\":%zu,\"duration_ms\":%lld%s}\n",
                          q->status, q->bytes, (long long)(bsn_server_now_ms() - q->start_ms),
                          tc == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
    if (rc == BSN_OK)
        fputs(b.ptr, stderr);
    bsn_buf_release(&b);
    bsn_buf_release(&q->body);
    free(q);
    *con_cls = NULL;
}

/* ---- the server ----------------------------------------------------------------------------- */

void
bsn_server_config_init(struct bsn_server_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = "127.0.0.1:8080";
}

/*
 * HOST:PORT with HOST an IPv4 address, "localhost", "*" or empty (every IPv4 address), or
 * [IPv6]:PORT ("[::]" listens on every address, IPv4 too where the system maps it; "[::1]"
 * the IPv6 loopback). *dual is set for "[::]".
 */
static bsn_code
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, bool *dual,
             struct bsn_err *err)
{
    memset(ss, 0, sizeof(*ss));
    *dual = false;
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return bsn_err_set(err, BSN_EINVAL, "listen address '%s' is not HOST:PORT", listen);
    char host[64];
    const char *h = listen;
    size_t hn = (size_t)(colon - listen);
    bool v6 = hn >= 2 && listen[0] == '[' && listen[hn - 1] == ']';
    if (v6) {
        h++;
        hn -= 2;
    } else if (memchr(listen, ':', hn)) {
        return bsn_err_set(err, BSN_EINVAL,
                           "listen address '%s': an IPv6 address goes in brackets ([::1]:8080)",
                           listen);
    }
    if (hn >= sizeof(host))
        return bsn_err_set(err, BSN_EINVAL, "listen address '%s': host too long", listen);
    memcpy(host, h, hn);
    host[hn] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || !end || *end || end == colon + 1 || port > 65535)
        return bsn_err_set(err, BSN_EINVAL, "listen address '%s': bad port", listen);
    if (v6) {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &sa->sin6_addr) != 1)
            return bsn_err_set(err, BSN_EINVAL,
                               "listen address '%s': host is not an IPv6 address", listen);
        *dual = IN6_IS_ADDR_UNSPECIFIED(&sa->sin6_addr);
        *len = sizeof(*sa);
        return BSN_OK;
    }
    struct sockaddr_in *sa = (struct sockaddr_in *)ss;
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    *len = sizeof(*sa);
    if (hn == 0 || !strcmp(host, "0.0.0.0") || !strcmp(host, "*"))
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (!strcmp(host, "localhost"))
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return bsn_err_set(err, BSN_EINVAL, "listen address '%s': host is not an IPv4 address",
                           listen);
    return BSN_OK;
}

static void
make_owner(struct bsn_server *s)
{
    char host[64] = "host";
    unsigned char rnd[4] = { 0 };
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        memset(rnd, 0, sizeof(rnd));
    snprintf(s->owner, sizeof(s->owner), "%s:%ld:%02x%02x%02x%02x", host, (long)getpid(), rnd[0],
             rnd[1], rnd[2], rnd[3]);
}

bsn_code
bsn_server_run(const struct bsn_server_config *c, atomic_int *stop,
               struct bsn_err *err)
{
    struct sockaddr_storage sa;
    socklen_t sa_len = 0;
    bool dual = false;
    BSN_TRY(parse_listen(c->listen, &sa, &sa_len, &dual, err));
    (void)sa_len;
    struct bsn_server *s = bsn_xcalloc(1, sizeof(*s));
    s->cfg = c;
    s->stop = stop;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    make_owner(s);

    /* a store connection per worker, HTTP thread, the lease keeper and the re-matcher */
    size_t conns = (c->workers ? c->workers : 2) + (c->http_threads ? c->http_threads : 4) + 2;
    bsn_code rc = bsn_store_open(c->store_url, conns, &s->store, err);
    if (rc != BSN_OK)
        goto out;
    bsn_server_refresh_db(s);
    if (!atomic_load(&s->db_ok))
        bsn_server_log("warn", "vulnerability database '%s' cannot be read: /readyz answers 503",
                       c->db_path ? c->db_path : "(none)");

    rc = bsn_workers_start(s, err);
    if (rc != BSN_OK)
        goto out;
    rc = bsn_rematch_start(s, err);
    if (rc != BSN_OK) {
        *s->stop = 1;
        bsn_server_wake(s);
        bsn_workers_join(s);
        goto out;
    }

    unsigned threads = c->http_threads ? c->http_threads : 4;
    size_t header_max = c->max_header_bytes ? (size_t)c->max_header_bytes : HEADER_DEFAULT_MAX;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (sa.ss_family == AF_INET6)
        flags |= dual ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL,
        handler, s, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT, header_max,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
    if (!d) {
        rc = bsn_err_set(err, BSN_EIO, "cannot listen on '%s'", c->listen);
        *s->stop = 1;
        bsn_server_wake(s);
        bsn_workers_join(s);
        bsn_rematch_join(s);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char ip[INET6_ADDRSTRLEN] = "", addr[INET6_ADDRSTRLEN + 2] = "";
    if (sa.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, ip, sizeof(ip));
        snprintf(addr, sizeof(addr), "[%s]", ip);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, addr, sizeof(addr));
    }
    bsn_server_log("info", "listening on %s:%u, store %s (schema %lld), %u workers, owner %s",
                   addr, di ? (unsigned)di->port : 0,
                   bsn_store_is_postgres(s->store) ? "postgresql" : "sqlite",
                   (long long)bsn_store_schema_version(s->store), c->workers ? c->workers : 2,
                   s->owner);

    /* The lease keeper: renew the leases of the jobs this process runs at a third of their
     * length, so a live worker never loses its job and a dead one loses it within a lease. */
    int64_t lease_ms = (int64_t)(c->lease_s ? c->lease_s : 60) * 1000;
    int64_t next_renew = bsn_server_now_ms() + lease_ms / 3;
    while (!*stop) {
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        int64_t now = bsn_server_now_ms();
        if (now >= next_renew) {
            struct bsn_err e2;
            if (bsn_store_lease_renew(s->store, s->owner, now + lease_ms, &e2) != BSN_OK)
                bsn_server_log("warn", "renewing leases: %s", e2.msg);
            next_renew = now + lease_ms / 3;
        }
    }
    bsn_server_log("info", "shutting down");
    MHD_stop_daemon(d);
    bsn_server_wake(s);
    bsn_workers_join(s);
    bsn_rematch_join(s);
    rc = BSN_OK;
out:
    bsn_store_close(s->store);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return rc;
}
