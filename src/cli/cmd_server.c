/*
 * 'bosun server': the HTTP API for registries (CONTRACT.md "Server", docs/server.md).
 * Reads its flags, the token and webhook secret files and the environment (BOSUN_DB,
 * XDG_CACHE_HOME), then runs src/server until SIGINT or SIGTERM.
 *
 * Test hooks (environment, not flags: they are not for production): BSN_SERVER_LOCAL_TARGETS=1
 * lets a ScanRequest's registry.url name a local "oci:DIR" or "docker-archive:PATH" target;
 * BSN_SERVER_SCAN_DELAY_MS sleeps before each scan so durability tests can kill a server
 * mid-scan.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "server/server.h"

static atomic_int stop_flag; /* lock-free, so async-signal-safe */

static void
on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void
help(void)
{
    printf(
        "usage: bosun server [flags]\n\n"
        "Serves Harbor's pluggable scanner adapter API (v1.1/v1.2), /healthz, /readyz and\n"
        "/metrics, scans queued images with N workers and re-matches stored inventories when\n"
        "the vulnerability database changes.\n\n"
        "  --listen ADDR              HOST:PORT or [IPv6]:PORT to listen on (default 127.0.0.1:8080)\n"
        "  --store URL                postgres://USER@HOST:PORT/DB (shared by many servers) or\n"
        "                             sqlite:PATH (default: CACHE_DIR/server.db)\n"
        "  --workers N                scan worker threads (default 2)\n"
        "  --token-file F             require 'Authorization: Bearer TOKEN' on /api/ (first line)\n"
        "  --db FILE                  vulnerability database (default $BOSUN_DB, else\n"
        "                             $XDG_CACHE_HOME/bosun/db/bosun.db)\n"
        "  --cache-dir DIR            per-layer analysis cache (default $XDG_CACHE_HOME/bosun)\n"
        "  --webhook URL              POST new and resolved findings per image after a re-match\n"
        "  --webhook-secret-file F    HMAC-SHA256 key: X-Bosun-Signature: sha256=HEX\n"
        "  --db-update-interval DUR   'db update' and re-match every DUR (30m, 6h, 1d; 0 = off)\n"
        "  --db-update-url LISTING    update from a prebuilt database listing ('db update --url')\n"
        "  --max-queue N              queued jobs before POST /scan answers 429 (default 1000)\n"
        "  --lease DUR                job lease, renewed while a scan runs (default 60s)\n"
        "  --scan-attempts N          tries of a scan failing on the network or registry, 5 s\n"
        "                             then 20 s, 80 s... apart (default 3; 1 = no retry)\n"
        "  --http-threads N           HTTP thread pool (default 4)\n"
        "  --max-body-bytes N         request body limit (default 1048576)\n"
        "  --insecure                 allow plain-HTTP registries and unverified TLS\n");
}

/* "90", "90s", "30m", "6h", "1d" -> seconds. */
static bool
parse_duration(const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    uint64_t mul = 1;
    if (!strcmp(end, "") || !strcmp(end, "s"))
        mul = 1;
    else if (!strcmp(end, "m"))
        mul = 60;
    else if (!strcmp(end, "h"))
        mul = 3600;
    else if (!strcmp(end, "d"))
        mul = 86400;
    else
        return false;
    if (v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static bool
parse_count(const char *s, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* First line of a small file (a token or secret), without surrounding whitespace. */
static char *
read_secret(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[4096];
    char *got = fgets(line, sizeof(line), f);
    fclose(f);
    if (!got)
        return NULL;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = '\0';
    if (!n)
        return NULL;
    return strdup(line);
}

/* mkdir -p: true when dir exists afterwards. */
static bool
mkdir_p(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path))
        return false;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return false;
        path[i] = saved;
    }
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

int
bsn_cmd_server(int argc, char **argv)
{
    enum {
        O_LISTEN = 256, O_STORE, O_WORKERS, O_TOKEN, O_DB, O_CACHE, O_WEBHOOK, O_SECRET,
        O_INTERVAL, O_UPDATE_URL, O_MAXQ, O_LEASE, O_HTTP, O_BODY, O_INSECURE, O_ATTEMPTS,
    };
    static const struct option opts[] = {
        { "listen", required_argument, NULL, O_LISTEN },
        { "store", required_argument, NULL, O_STORE },
        { "workers", required_argument, NULL, O_WORKERS },
        { "token-file", required_argument, NULL, O_TOKEN },
        { "db", required_argument, NULL, O_DB },
        { "cache-dir", required_argument, NULL, O_CACHE },
        { "webhook", required_argument, NULL, O_WEBHOOK },
        { "webhook-secret-file", required_argument, NULL, O_SECRET },
        { "db-update-interval", required_argument, NULL, O_INTERVAL },
        { "db-update-url", required_argument, NULL, O_UPDATE_URL },
        { "max-queue", required_argument, NULL, O_MAXQ },
        { "lease", required_argument, NULL, O_LEASE },
        { "scan-attempts", required_argument, NULL, O_ATTEMPTS },
        { "http-threads", required_argument, NULL, O_HTTP },
        { "max-body-bytes", required_argument, NULL, O_BODY },
        { "insecure", no_argument, NULL, O_INSECURE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct bsn_server_config c;
    bsn_server_config_init(&c);
    const char *token_file = NULL, *secret_file = NULL;
    uint64_t v = 0;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h': help(); return 0;
        case O_LISTEN: c.listen = optarg; break;
        case O_STORE: c.store_url = optarg; break;
        case O_WORKERS:
            if (!parse_count(optarg, 64, &v) || v == 0)
                return bsn_cli_usage("server", "--workers wants 1..64, not '%s'", optarg);
            c.workers = (unsigned)v;
            break;
        case O_HTTP:
            if (!parse_count(optarg, 256, &v) || v == 0)
                return bsn_cli_usage("server", "--http-threads wants 1..256, not '%s'", optarg);
            c.http_threads = (unsigned)v;
            break;
        case O_TOKEN: token_file = optarg; break;
        case O_DB: c.db_path = optarg; break;
        case O_CACHE: c.cache_dir = optarg; break;
        case O_WEBHOOK: c.webhook_url = optarg; break;
        case O_SECRET: secret_file = optarg; break;
        case O_INTERVAL:
            if (!parse_duration(optarg, &c.db_update_interval_s))
                return bsn_cli_usage("server", "--db-update-interval: bad duration '%s'", optarg);
            break;
        case O_UPDATE_URL: c.db_update_listing = optarg; break;
        case O_LEASE:
            if (!parse_duration(optarg, &c.lease_s) || c.lease_s == 0)
                return bsn_cli_usage("server", "--lease: bad duration '%s'", optarg);
            break;
        case O_ATTEMPTS:
            if (!parse_count(optarg, 10, &c.scan_attempts) || c.scan_attempts == 0)
                return bsn_cli_usage("server", "--scan-attempts wants 1..10, not '%s'", optarg);
            break;
        case O_MAXQ:
            if (!parse_count(optarg, UINT32_MAX, &c.max_queue) || c.max_queue == 0)
                return bsn_cli_usage("server", "--max-queue wants a positive count, not '%s'",
                                     optarg);
            break;
        case O_BODY:
            if (!parse_count(optarg, 1u << 30, &c.max_body_bytes) || c.max_body_bytes == 0)
                return bsn_cli_usage("server", "--max-body-bytes: bad size '%s'", optarg);
            break;
        case O_INSECURE: c.insecure = true; break;
        default:
            return bsn_cli_usage("server", "unknown or incomplete flag '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return bsn_cli_usage("server", "unexpected argument '%s'", argv[optind]);

    struct bsn_buf db_buf, cache_buf, store_buf;
    bsn_buf_init(&db_buf, 8192);
    bsn_buf_init(&cache_buf, 8192);
    bsn_buf_init(&store_buf, 8192);
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    bsn_code rc = BSN_OK;
    if (!c.cache_dir) {
        rc = xdg && *xdg ? bsn_buf_addf(&cache_buf, "%s/bosun", xdg)
                         : bsn_buf_addf(&cache_buf, "%s/.cache/bosun", home ? home : "/tmp");
        c.cache_dir = cache_buf.ptr;
    }
    if (!c.db_path) {
        const char *env = getenv("BOSUN_DB");
        if (env && *env) {
            c.db_path = env;
        } else {
            if (rc == BSN_OK)
                rc = bsn_buf_addf(&db_buf, "%s/db/bosun.db", c.cache_dir);
            c.db_path = db_buf.ptr;
        }
    }
    if (!c.store_url) {
        if (rc == BSN_OK)
            rc = bsn_buf_addf(&store_buf, "%s/server.db", c.cache_dir);
        c.store_url = store_buf.ptr;
    }
    int status = 0;
    char *token = NULL, *secret = NULL;
    if (rc != BSN_OK) {
        status = bsn_cli_usage("server", "path too long");
        goto out;
    }
    if (!mkdir_p(c.cache_dir)) {
        bsn_cli_error("cannot create cache directory '%s': %s", c.cache_dir, strerror(errno));
        status = BSN_EXIT_TARGET;
        goto out;
    }
    if (token_file) {
        token = read_secret(token_file);
        if (!token) {
            status = bsn_cli_usage("server", "cannot read a token from '%s'", token_file);
            goto out;
        }
        c.token = token;
    }
    if (secret_file) {
        secret = read_secret(secret_file);
        if (!secret) {
            status = bsn_cli_usage("server", "cannot read a secret from '%s'", secret_file);
            goto out;
        }
        c.webhook_secret = secret;
    }
    const char *local = getenv("BSN_SERVER_LOCAL_TARGETS");
    c.allow_local_targets = local && !strcmp(local, "1");
    const char *delay = getenv("BSN_SERVER_SCAN_DELAY_MS");
    if (delay && !parse_count(delay, 3600000, &c.test_scan_delay_ms))
        c.test_scan_delay_ms = 0;
    const char *retry = getenv("BSN_SERVER_RETRY_MS");
    if (retry && !parse_count(retry, 3600000, &c.retry_base_ms))
        c.retry_base_ms = 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct bsn_err err;
    bsn_err_clear(&err);
    if (bsn_server_run(&c, &stop_flag, &err) != BSN_OK)
        status = bsn_cli_fail(&err);
out:
    free(token);
    free(secret);
    bsn_buf_release(&db_buf);
    bsn_buf_release(&cache_buf);
    bsn_buf_release(&store_buf);
    return status;
}
