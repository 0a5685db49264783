/*
 * 'bosun db update': refresh the database from the upstream feeds themselves, or install a
 * prebuilt database from a listing.
 *
 * Feeds: a list of {name, kind, url[, sha256][, size]} (the built-in list below, or a JSON file
 * {"feeds": [...]} given by --feeds). --feeds-base BASE mirrors every feed at
 * BASE/HOST/PATH ("https://secdb.alpinelinux.org/v3.19/main.json" with base
 * http://127.0.0.1:8080 becomes http://127.0.0.1:8080/secdb.alpinelinux.org/v3.19/main.json).
 *
 * One run:
 *   1. takes an exclusive lock (DB.lock) and removes what a killed run left behind
 *      (DB.feeds/.staging-*, DB.tmp.*);
 *   2. downloads every feed in parallel (curl multi, `jobs` at a time) into a fresh staging
 *      directory, with If-None-Match / If-Modified-Since from the state file DB.state.json
 *      when the cached copy exists, so an unchanged feed costs one round trip (304);
 *   3. verifies each download: curl fails a body shorter than its Content-Length; an
 *      "x-goog-hash: md5=…" header (OSV's bucket publishes it) and a sha256/size given in the
 *      feed list must match;
 *   4. if anything changed (or the database is missing), rebuilds the database from the cached
 *      and staged files into a temp file and renames it over the old one (vulndb_build.c);
 *   5. only then moves the staged files into DB.feeds/ and rewrites the state file atomically.
 * Any failure before step 5 leaves the old database, cache and state as they were, and returns
 * BSN_ENET (download), BSN_EFORMAT (verification) or the build's code.
 *
 * --url LISTING: the listing JSON ({file, sha256, size, schema_version, built_at}, written by
 * 'bosun db build --listing') is fetched, "file" resolved relative to the listing URL, the
 * database downloaded to a temp file, its size and SHA-256 checked, opened as a database, and
 * renamed into place. A bare path is read as a file:// URL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "vulndb/vulndb_int.h"

#define MAX_FEEDS 256
#define MAX_DOWNLOAD (4LL * 1024 * 1024 * 1024)
#define MAX_LISTING (1024 * 1024)

struct feed_def {
    const char *name, *kind, *url;
};

#define OSV "https://osv-vulnerabilities.storage.googleapis.com/"
#define SECDB "https://secdb.alpinelinux.org/"
#define ALPINE(v)                                                         \
    { "alpine-" v "-main", "alpine-secdb", SECDB v "/main.json" },        \
    { "alpine-" v "-community", "alpine-secdb", SECDB v "/community.json" }

static const struct feed_def builtin_feeds[] = {
    { "osv-npm", "osv", OSV "npm/all.zip" },
    { "osv-pypi", "osv", OSV "PyPI/all.zip" },
    { "osv-maven", "osv", OSV "Maven/all.zip" },
    { "osv-go", "osv", OSV "Go/all.zip" },
    { "osv-crates.io", "osv", OSV "crates.io/all.zip" },
    { "osv-rubygems", "osv", OSV "RubyGems/all.zip" },
    { "osv-packagist", "osv", OSV "Packagist/all.zip" },
    { "osv-nuget", "osv", OSV "NuGet/all.zip" },
    { "osv-hex", "osv", OSV "Hex/all.zip" },
    { "osv-pub", "osv", OSV "Pub/all.zip" },
    { "osv-debian", "osv", OSV "Debian/all.zip" },
    { "osv-ubuntu", "osv", OSV "Ubuntu/all.zip" },
    { "osv-alpine", "osv", OSV "Alpine/all.zip" },
    { "osv-rocky", "osv", OSV "Rocky%20Linux/all.zip" },
    { "osv-alma", "osv", OSV "AlmaLinux/all.zip" },
    { "debian-tracker", "debian-tracker", "https://security-tracker.debian.org/tracker/data/json" },
    ALPINE("v3.17"), ALPINE("v3.18"), ALPINE("v3.19"), ALPINE("v3.20"), ALPINE("v3.21"),
    ALPINE("edge"),
    { "wolfi", "wolfi", "https://packages.wolfi.dev/os/security.json" },
};

struct feed {
    char *name, *kind, *url;
    char *want_sha256; /* hex, from the feed list, or NULL */
    long long want_size;  /* -1 = unknown */
    /* state from the last successful run */
    char *etag, *last_modified, *cached; /* cached: file name in the cache dir */
    /* this run */
    CURL *h;
    FILE *out;
    char *staged;        /* path in the staging dir */
    char *new_etag, *new_lm, *goog_md5;
    EVP_MD_CTX *md5, *sha;
    long long got;
    long status;
    bool unchanged, done, failed;
    char errbuf[CURL_ERROR_SIZE];
};

struct update {
    const struct bsn_db_update_opts *o;
    struct feed *feeds;
    size_t n;
    char *cache_dir, *state_path, *staging;
};

static void
logf_(const struct bsn_db_update_opts *o, const char *fmt, ...) BSN_PRINTF(2, 3);

static void
logf_(const struct bsn_db_update_opts *o, const char *fmt, ...)
{
    if (!o->log)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o->log(o->log_arg, msg);
}

static char *
xprintf(const char *fmt, ...) BSN_PRINTF(1, 2);

static char *
xprintf(const char *fmt, ...)
{
    struct bsn_buf b;
    bsn_buf_init(&b, 1u << 20);
    va_list ap;
    va_start(ap, fmt);
    char tmp[8192];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp) || bsn_buf_add(&b, tmp, (size_t)n) != BSN_OK) {
        bsn_buf_release(&b);
        return bsn_xstrdup("");
    }
    return bsn_buf_detach(&b, NULL);
}

/* "https://host/path" with base -> "BASE/host/path". */
static char *
mirror_url(const char *base, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    return xprintf("%.*s/%s", (int)bl, base, p);
}

static bool
name_ok(const char *s)
{
    if (!*s || strlen(s) > 128 || s[0] == '.')
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

static void
add_feed(struct update *u, const char *name, const char *kind, const char *url,
         const char *sha256, long long size)
{
    struct feed *f = &u->feeds[u->n++];
    memset(f, 0, sizeof(*f));
    f->name = bsn_xstrdup(name);
    f->kind = bsn_xstrdup(kind);
    f->url = u->o->feeds_base ? mirror_url(u->o->feeds_base, url) : bsn_xstrdup(url);
    f->want_sha256 = sha256 ? bsn_xstrdup(sha256) : NULL;
    f->want_size = size;
}

static bsn_code
load_feeds(struct update *u, struct bsn_err *err)
{
    u->feeds = bsn_xcalloc(MAX_FEEDS, sizeof(*u->feeds));
    if (!u->o->feeds_file) {
        for (size_t i = 0; i < sizeof(builtin_feeds) / sizeof(builtin_feeds[0]); i++)
            add_feed(u, builtin_feeds[i].name, builtin_feeds[i].kind, builtin_feeds[i].url,
                     NULL, -1);
        return BSN_OK;
    }
    json_error_t je;
    json_t *j = json_load_file(u->o->feeds_file, 0, &je);
    if (!j)
        return bsn_err_set(err, BSN_EINVAL, "feed list '%s': line %d: %s", u->o->feeds_file,
                           je.line, je.text);
    json_t *arr = json_object_get(j, "feeds");
    bsn_code rc = BSN_OK;
    if (!json_is_array(arr) || !json_array_size(arr)) {
        rc = bsn_err_set(err, BSN_EINVAL, "feed list '%s': no \"feeds\" list", u->o->feeds_file);
    }
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        if (rc != BSN_OK)
            break;
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *url = json_string_value(json_object_get(e, "url"));
        const char *sha = json_string_value(json_object_get(e, "sha256"));
        json_t *size = json_object_get(e, "size");
        if (!name || !kind || !url || !name_ok(name) || !bsn_feed_find(kind) ||
            u->n >= MAX_FEEDS) {
            rc = bsn_err_set(err, BSN_EINVAL, "feed list '%s': entry %zu needs a name "
                             "([A-Za-z0-9._-]), a known kind and a url", u->o->feeds_file, i);
            break;
        }
        add_feed(u, name, kind, url, sha, json_is_integer(size) ? json_integer_value(size) : -1);
    }
    json_decref(j);
    return rc;
}

static void
load_state(struct update *u)
{
    json_t *j = json_load_file(u->state_path, 0, NULL);
    json_t *feeds = json_object_get(j, "feeds");
    for (size_t i = 0; i < u->n; i++) {
        struct feed *f = &u->feeds[i];
        json_t *s = json_object_get(feeds, f->name);
        const char *url = json_string_value(json_object_get(s, "url"));
        const char *file = json_string_value(json_object_get(s, "file"));
        if (!url || strcmp(url, f->url) != 0 || !file || !name_ok(file))
            continue; /* the feed moved: fetch it unconditionally */
        char *path = xprintf("%s/%s", u->cache_dir, file);
        struct stat sb;
        bool have = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
        free(path);
        if (!have)
            continue;
        f->cached = bsn_xstrdup(file);
        const char *etag = json_string_value(json_object_get(s, "etag"));
        const char *lm = json_string_value(json_object_get(s, "last_modified"));
        f->etag = etag ? bsn_xstrdup(etag) : NULL;
        f->last_modified = lm ? bsn_xstrdup(lm) : NULL;
    }
    json_decref(j);
}

static void
free_feeds(struct update *u)
{
    for (size_t i = 0; i < u->n; i++) {
        struct feed *f = &u->feeds[i];
        if (f->h)
            curl_easy_cleanup(f->h);
        if (f->out)
            fclose(f->out);
        EVP_MD_CTX_free(f->md5);
        EVP_MD_CTX_free(f->sha);
        free(f->name);
        free(f->kind);
        free(f->url);
        free(f->want_sha256);
        free(f->etag);
        free(f->last_modified);
        free(f->cached);
        free(f->staged);
        free(f->new_etag);
        free(f->new_lm);
        free(f->goog_md5);
    }
    free(u->feeds);
}

/* File extension the importers and the build driver need to see (detection by name). */
static const char *
url_ext(const char *url)
{
    const char *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url);
    static const char *const exts[] = { ".zip", ".json", ".yaml", ".yml", ".tar.gz",
                                        ".tar.xz", ".tar.zst", ".tar" };
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t el = strlen(exts[i]);
        if (n >= el && strncmp(url + n - el, exts[i], el) == 0)
            return exts[i];
    }
    return ".json"; /* the Debian tracker's .../tracker/data/json */
}

static size_t
on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    struct feed *f = arg;
    size_t n = size * nmemb;
    if (f->status == 0)
        curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &f->status);
    if (f->status == 304 || f->status >= 400)
        return n; /* body of an error page or of a 304: not the feed */
    if (fwrite(p, 1, n, f->out) != n)
        return 0;
    EVP_DigestUpdate(f->md5, p, n);
    EVP_DigestUpdate(f->sha, p, n);
    f->got += (long long)n;
    return n;
}

static char *
header_value(const char *line, size_t n, const char *name)
{
    size_t nl = strlen(name);
    if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return NULL;
    const char *v = line + nl + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    return bsn_xstrndup(v, (size_t)(end - v));
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct feed *f = arg;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new response (redirect): forget the previous one's headers */
        free(f->new_etag);
        free(f->new_lm);
        free(f->goog_md5);
        f->new_etag = f->new_lm = f->goog_md5 = NULL;
        f->status = 0;
        return n;
    }
    char *v;
    if ((v = header_value(p, n, "ETag"))) {
        free(f->new_etag);
        f->new_etag = v;
    } else if ((v = header_value(p, n, "Last-Modified"))) {
        free(f->new_lm);
        f->new_lm = v;
    } else if ((v = header_value(p, n, "x-goog-hash"))) {
        /* "crc32c=…" and "md5=…" come as separate headers or comma-separated */
        char *m = strstr(v, "md5=");
        if (m) {
            size_t ml = strcspn(m + 4, ", ");
            free(f->goog_md5);
            f->goog_md5 = bsn_xstrndup(m + 4, ml);
        }
        free(v);
    }
    return n;
}

static bsn_code
start_feed(struct update *u, struct feed *f, struct curl_slist **hdrs, struct bsn_err *err)
{
    f->staged = xprintf("%s/%s%s", u->staging, f->name, url_ext(f->url));
    f->out = fopen(f->staged, "wbx");
    if (!f->out)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot create '%s'", f->staged);
    f->md5 = EVP_MD_CTX_new();
    f->sha = EVP_MD_CTX_new();
    EVP_DigestInit_ex(f->md5, EVP_md5(), NULL);
    EVP_DigestInit_ex(f->sha, EVP_sha256(), NULL);
    f->h = curl_easy_init();
    if (!f->h)
        return bsn_err_set(err, BSN_ENET, "cannot start a transfer for '%s'", f->url);
    curl_easy_setopt(f->h, CURLOPT_URL, f->url);
    curl_easy_setopt(f->h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(f->h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(f->h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f->h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(f->h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(f->h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(f->h, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(f->h, CURLOPT_ERRORBUFFER, f->errbuf);
    curl_easy_setopt(f->h, CURLOPT_USERAGENT, "bosun/" BSN_VERSION);
    curl_easy_setopt(f->h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(f->h, CURLOPT_LOW_SPEED_LIMIT, 512L);
    curl_easy_setopt(f->h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(f->h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_DOWNLOAD);
    curl_easy_setopt(f->h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(f->h, CURLOPT_NOSIGNAL, 1L);
    if (u->o->timeout_s > 0)
        curl_easy_setopt(f->h, CURLOPT_TIMEOUT, u->o->timeout_s);
    struct curl_slist *l = NULL;
    if (f->cached && f->etag) {
        char *h = xprintf("If-None-Match: %s", f->etag);
        l = curl_slist_append(l, h);
        free(h);
    }
    if (f->cached && f->last_modified) {
        char *h = xprintf("If-Modified-Since: %s", f->last_modified);
        l = curl_slist_append(l, h);
        free(h);
    }
    *hdrs = l;
    if (l)
        curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, l);
    return BSN_OK;
}

static void
hexify(const unsigned char *d, unsigned n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Checks a finished transfer; sets f->unchanged for a 304. */
static bsn_code
finish_feed(struct feed *f, CURLcode cc, struct bsn_err *err)
{
    if (fclose(f->out) != 0 && cc == CURLE_OK)
        cc = CURLE_WRITE_ERROR;
    f->out = NULL;
    curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &f->status);
    if (cc != CURLE_OK)
        return bsn_err_set(err, BSN_ENET, "feed '%s': cannot download '%s': %s", f->name,
                           f->url, f->errbuf[0] ? f->errbuf : curl_easy_strerror(cc));
    if (f->status == 304) {
        if (!f->cached)
            return bsn_err_set(err, BSN_ENET, "feed '%s': '%s' answered 304 to an "
                               "unconditional request", f->name, f->url);
        f->unchanged = true;
        return BSN_OK;
    }
    if (f->status >= 400 || (f->status != 0 && f->status != 200))
        return bsn_err_set(err, BSN_ENET, "feed '%s': HTTP %ld from '%s'", f->name, f->status,
                           f->url);
    if (f->want_size >= 0 && f->got != f->want_size)
        return bsn_err_set(err, BSN_EFORMAT, "feed '%s': '%s' is %lld bytes, the feed list "
                           "says %lld", f->name, f->url, f->got, f->want_size);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdn = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    EVP_DigestFinal_ex(f->sha, md, &mdn);
    hexify(md, mdn, hex);
    if (f->want_sha256 && strcasecmp(hex, f->want_sha256) != 0)
        return bsn_err_set(err, BSN_EFORMAT, "feed '%s': checksum mismatch for '%s': sha256 "
                           "%s, the feed list says %s", f->name, f->url, hex, f->want_sha256);
    EVP_DigestFinal_ex(f->md5, md, &mdn);
    if (f->goog_md5) {
        unsigned char want[64];
        int wn = EVP_DecodeBlock(want, (const unsigned char *)f->goog_md5,
                                 (int)strlen(f->goog_md5));
        /* EVP_DecodeBlock counts base64 padding as zero bytes: 16-byte MD5 gives 18 */
        if (wn < 16 || memcmp(want, md, 16) != 0)
            return bsn_err_set(err, BSN_EFORMAT, "feed '%s': checksum mismatch for '%s' "
                               "(x-goog-hash md5 %s); the download is corrupt or truncated",
                               f->name, f->url, f->goog_md5);
    }
    return BSN_OK;
}

static bsn_code
download_all(struct update *u, size_t *changed, struct bsn_err *err)
{
    CURLM *m = curl_multi_init();
    if (!m)
        return bsn_err_set(err, BSN_ENET, "cannot start downloads");
    unsigned jobs = u->o->jobs ? u->o->jobs : 4;
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)jobs);
    struct curl_slist **hdrs = bsn_xcalloc(u->n, sizeof(*hdrs));
    bsn_code rc = BSN_OK;
    size_t next = 0, active = 0;
    *changed = 0;
    while (rc == BSN_OK && (next < u->n || active)) {
        while (rc == BSN_OK && next < u->n && active < jobs) {
            struct feed *f = &u->feeds[next];
            rc = start_feed(u, f, &hdrs[next], err);
            next++;
            if (rc == BSN_OK) {
                logf_(u->o, "downloading %s (%s)", f->name, f->url);
                curl_multi_add_handle(m, f->h);
                active++;
            }
        }
        if (rc != BSN_OK)
            break;
        int running = 0;
        if (curl_multi_perform(m, &running) != CURLM_OK) {
            rc = bsn_err_set(err, BSN_ENET, "download loop failed");
            break;
        }
        int left;
        CURLMsg *msg;
        while (rc == BSN_OK && (msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct feed *f = NULL;
            for (size_t i = 0; i < u->n; i++)
                if (u->feeds[i].h == msg->easy_handle)
                    f = &u->feeds[i];
            CURLcode cc = msg->data.result;
            curl_multi_remove_handle(m, msg->easy_handle);
            active--;
            if (!f)
                continue;
            f->done = true;
            rc = finish_feed(f, cc, err);
            if (rc == BSN_OK) {
                if (f->unchanged) {
                    logf_(u->o, "%s: not modified", f->name);
                } else {
                    (*changed)++;
                    logf_(u->o, "%s: %lld bytes", f->name, f->got);
                }
            }
        }
        if (rc == BSN_OK && active)
            curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
    for (size_t i = 0; i < u->n; i++) {
        if (u->feeds[i].h)
            curl_multi_remove_handle(m, u->feeds[i].h);
        curl_slist_free_all(hdrs[i]);
    }
    free(hdrs);
    curl_multi_cleanup(m);
    return rc;
}

static void
remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *p = xprintf("%s/%s", dir, de->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Removes the files "PATH<suffix>*" beside path (temp files of an interrupted write). */
static void
remove_prefixed(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? bsn_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : bsn_xstrdup(".");
    char *prefix = xprintf("%s%s", slash ? slash + 1 : path, suffix);
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
                char *p = xprintf("%s/%s", dir, de->d_name);
                unlink(p);
                free(p);
            }
        }
        closedir(d);
    }
    free(prefix);
    free(dir);
}

/* Leftovers of a killed run: staging dirs in the cache, temp files beside db and state. */
static void
clean_stale(const struct update *u)
{
    DIR *d = opendir(u->cache_dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (strncmp(de->d_name, ".staging-", 9) == 0) {
                char *p = xprintf("%s/%s", u->cache_dir, de->d_name);
                remove_tree(p);
                free(p);
            }
        }
        closedir(d);
    }
    remove_prefixed(u->o->db_path, ".tmp.");
    remove_prefixed(u->state_path, ".tmp.");
}

static bsn_code
write_state(const struct update *u, struct bsn_err *err)
{
    json_t *feeds = json_object();
    for (size_t i = 0; i < u->n; i++) {
        const struct feed *f = &u->feeds[i];
        const char *file = f->cached;
        char *fn = NULL;
        if (!f->unchanged) {
            const char *slash = strrchr(f->staged, '/');
            fn = bsn_xstrdup(slash ? slash + 1 : f->staged);
            file = fn;
        }
        const char *etag = f->unchanged ? f->etag : f->new_etag;
        const char *lm = f->unchanged ? f->last_modified : f->new_lm;
        json_t *s = json_pack("{s:s, s:s}", "url", f->url, "file", file ? file : "");
        if (etag)
            json_object_set_new(s, "etag", json_string(etag));
        if (lm)
            json_object_set_new(s, "last_modified", json_string(lm));
        json_object_set_new(feeds, f->name, s);
        free(fn);
    }
    json_t *root = json_pack("{s:i, s:o}", "version", 1, "feeds", feeds);
    char *tmp = xprintf("%s.tmp.XXXXXX", u->state_path);
    int fd = mkstemp(tmp);
    bsn_code rc = BSN_OK;
    if (fd < 0) {
        rc = bsn_err_sys(err, BSN_EIO, errno, "cannot create '%s'", tmp);
    } else {
        close(fd);
        if (json_dump_file(root, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
            rc = bsn_err_set(err, BSN_EIO, "cannot write '%s'", tmp);
        if (rc == BSN_OK)
            rc = bsn_vdb_install_file(tmp, u->state_path, err);
        if (rc != BSN_OK)
            unlink(tmp);
    }
    free(tmp);
    json_decref(root);
    return rc;
}

static bsn_code
lock_db(const char *db, int *fd_out, struct bsn_err *err)
{
    char *p = xprintf("%s.lock", db);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        bsn_code rc = bsn_err_sys(err, BSN_EIO, errno, "cannot open lock file '%s'", p);
        free(p);
        return rc;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        bsn_code rc = bsn_err_set(err, BSN_EIO, "another 'bosun db update' holds '%s'", p);
        close(fd);
        free(p);
        return rc;
    }
    free(p);
    *fd_out = fd;
    return BSN_OK;
}

static bsn_code
update_feeds(const struct bsn_db_update_opts *o, struct bsn_err *err)
{
    struct update u = { .o = o };
    u.cache_dir = o->cache_dir ? bsn_xstrdup(o->cache_dir) : xprintf("%s.feeds", o->db_path);
    u.state_path = o->state_path ? bsn_xstrdup(o->state_path)
                                 : xprintf("%s.state.json", o->db_path);
    bsn_code rc = load_feeds(&u, err);
    if (rc == BSN_OK && mkdir(u.cache_dir, 0755) != 0 && errno != EEXIST)
        rc = bsn_err_sys(err, BSN_EIO, errno, "cannot create '%s'", u.cache_dir);
    if (rc == BSN_OK) {
        clean_stale(&u);
        load_state(&u);
        u.staging = xprintf("%s/.staging-XXXXXX", u.cache_dir);
        if (!mkdtemp(u.staging))
            rc = bsn_err_sys(err, BSN_EIO, errno, "cannot create a staging directory in '%s'",
                             u.cache_dir);
    }
    size_t changed = 0;
    if (rc == BSN_OK)
        rc = download_all(&u, &changed, err);
    struct stat sb;
    bool have_db = stat(o->db_path, &sb) == 0;
    if (rc == BSN_OK && !changed && have_db) {
        logf_(o, "all %zu feeds unchanged; '%s' is up to date", u.n, o->db_path);
    } else if (rc == BSN_OK) {
        const char **srcs = bsn_xcalloc(u.n, sizeof(*srcs));
        for (size_t i = 0; i < u.n; i++) {
            struct feed *f = &u.feeds[i];
            srcs[i] = f->unchanged ? xprintf("%s:%s/%s", f->kind, u.cache_dir, f->cached)
                                   : xprintf("%s:%s", f->kind, f->staged);
        }
        logf_(o, "building '%s' from %zu feeds (%zu changed)", o->db_path, u.n, changed);
        rc = bsn_vdb_build_into(o->db_path, srcs, u.n, o->built_at, o->log, o->log_arg, err);
        for (size_t i = 0; i < u.n; i++)
            free((void *)(uintptr_t)srcs[i]);
        free(srcs);
        /* Commit the downloads to the cache, then the state that points at them. */
        for (size_t i = 0; rc == BSN_OK && i < u.n; i++) {
            struct feed *f = &u.feeds[i];
            if (f->unchanged)
                continue;
            const char *slash = strrchr(f->staged, '/');
            char *dest = xprintf("%s/%s", u.cache_dir, slash + 1);
            if (rename(f->staged, dest) != 0)
                rc = bsn_err_sys(err, BSN_EIO, errno, "cannot move '%s' to '%s'", f->staged,
                                 dest);
            if (f->cached && strcmp(f->cached, slash + 1) != 0) {
                char *old = xprintf("%s/%s", u.cache_dir, f->cached);
                unlink(old);
                free(old);
            }
            free(dest);
        }
        if (rc == BSN_OK)
            rc = write_state(&u, err);
        if (rc == BSN_OK)
            logf_(o, "installed '%s'", o->db_path);
    }
    if (u.staging)
        remove_tree(u.staging);
    free_feeds(&u);
    free(u.staging);
    free(u.cache_dir);
    free(u.state_path);
    return rc;
}

/* ---- --url LISTING ---------------------------------------------------------------------- */

struct mem {
    struct bsn_buf b;
    FILE *f;
    EVP_MD_CTX *sha;
    long long got;
};

static size_t
on_mem(char *p, size_t size, size_t nmemb, void *arg)
{
    struct mem *m = arg;
    size_t n = size * nmemb;
    if (m->f) {
        if (fwrite(p, 1, n, m->f) != n)
            return 0;
        EVP_DigestUpdate(m->sha, p, n);
    } else if (bsn_buf_add(&m->b, p, n) != BSN_OK) {
        return 0;
    }
    m->got += (long long)n;
    return n;
}

static bsn_code
fetch(const char *url, struct mem *m, struct bsn_err *err)
{
    CURL *h = curl_easy_init();
    if (!h)
        return bsn_err_set(err, BSN_ENET, "cannot start a transfer for '%s'", url);
    char eb[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_mem);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, m);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, eb);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bosun/" BSN_VERSION);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 512L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_DOWNLOAD);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK)
        return bsn_err_set(err, BSN_ENET, "cannot download '%s': %s", url,
                           eb[0] ? eb : curl_easy_strerror(cc));
    return BSN_OK;
}

static bsn_code
install_listing(const struct bsn_db_update_opts *o, struct bsn_err *err)
{
    char *lurl;
    if (strstr(o->listing_url, "://")) {
        lurl = bsn_xstrdup(o->listing_url);
    } else {
        char abs[PATH_MAX];
        if (!realpath(o->listing_url, abs))
            return bsn_err_sys(err, BSN_EIO, errno, "cannot read listing '%s'", o->listing_url);
        lurl = xprintf("file://%s", abs);
    }
    struct mem m = { 0 };
    bsn_buf_init(&m.b, MAX_LISTING);
    bsn_code rc = fetch(lurl, &m, err);
    json_t *j = NULL;
    if (rc == BSN_OK) {
        json_error_t je;
        j = json_loadb(m.b.ptr, m.b.len, 0, &je);
        if (!json_is_object(j))
            rc = bsn_err_set(err, BSN_EFORMAT, "listing '%s' is not JSON: %s", lurl, je.text);
    }
    bsn_buf_release(&m.b);
    const char *file = json_string_value(json_object_get(j, "file"));
    const char *sha = json_string_value(json_object_get(j, "sha256"));
    json_t *ver = json_object_get(j, "schema_version");
    json_t *size = json_object_get(j, "size");
    if (rc == BSN_OK && (!file || !sha || strlen(sha) != 64))
        rc = bsn_err_set(err, BSN_EFORMAT, "listing '%s' lacks \"file\" or \"sha256\"", lurl);
    if (rc == BSN_OK && json_integer_value(ver) != BSN_VDB_SCHEMA_VERSION)
        rc = bsn_err_set(err, BSN_EDB, "listing '%s' offers schema version %lld, this bosun "
                         "reads version %d", lurl, (long long)json_integer_value(ver),
                         BSN_VDB_SCHEMA_VERSION);
    char *durl = NULL;
    if (rc == BSN_OK) {
        CURLU *cu = curl_url();
        char *out = NULL;
        if (!cu || curl_url_set(cu, CURLUPART_URL, lurl, 0) != CURLUE_OK ||
            curl_url_set(cu, CURLUPART_URL, file, 0) != CURLUE_OK ||
            curl_url_get(cu, CURLUPART_URL, &out, 0) != CURLUE_OK)
            rc = bsn_err_set(err, BSN_EFORMAT, "listing '%s': bad file URL '%s'", lurl, file);
        else
            durl = bsn_xstrdup(out);
        curl_free(out);
        curl_url_cleanup(cu);
    }
    char *tmp = xprintf("%s.tmp.XXXXXX", o->db_path);
    int fd = -1;
    if (rc == BSN_OK) {
        fd = mkstemp(tmp);
        if (fd < 0)
            rc = bsn_err_sys(err, BSN_EIO, errno, "cannot create '%s'", tmp);
    }
    if (rc == BSN_OK) {
        struct mem d = { .f = fdopen(fd, "wb"), .sha = EVP_MD_CTX_new() };
        fd = -1;
        EVP_DigestInit_ex(d.sha, EVP_sha256(), NULL);
        logf_(o, "downloading %s", durl);
        rc = d.f ? fetch(durl, &d, err) : bsn_err_sys(err, BSN_EIO, errno, "'%s'", tmp);
        if (d.f && fclose(d.f) != 0 && rc == BSN_OK)
            rc = bsn_err_sys(err, BSN_EIO, errno, "cannot write '%s'", tmp);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned mdn = 0;
        char hex[2 * EVP_MAX_MD_SIZE + 1];
        EVP_DigestFinal_ex(d.sha, md, &mdn);
        EVP_MD_CTX_free(d.sha);
        hexify(md, mdn, hex);
        if (rc == BSN_OK && json_is_integer(size) && d.got != json_integer_value(size))
            rc = bsn_err_set(err, BSN_EFORMAT, "'%s' is %lld bytes, the listing says %lld",
                             durl, d.got, (long long)json_integer_value(size));
        if (rc == BSN_OK && strcasecmp(hex, sha) != 0)
            rc = bsn_err_set(err, BSN_EFORMAT, "checksum mismatch for '%s': sha256 %s, the "
                             "listing says %s", durl, hex, sha);
    }
    if (fd >= 0)
        close(fd);
    if (rc == BSN_OK) {
        struct bsn_vdb *v;
        rc = bsn_vdb_open(tmp, &v, err);
        if (rc == BSN_OK)
            bsn_vdb_close(v);
        else
            bsn_err_prefix(err, "downloaded database from '%s'", durl);
    }
    if (rc == BSN_OK && chmod(tmp, 0644) != 0)
        rc = bsn_err_sys(err, BSN_EIO, errno, "cannot chmod '%s'", tmp);
    if (rc == BSN_OK)
        rc = bsn_vdb_install_file(tmp, o->db_path, err);
    if (rc == BSN_OK)
        logf_(o, "installed '%s'", o->db_path);
    else
        unlink(tmp);
    free(tmp);
    free(durl);
    free(lurl);
    json_decref(j);
    return rc;
}

bsn_code
bsn_db_update(const struct bsn_db_update_opts *o, struct bsn_err *err)
{
    if (o->offline)
        return bsn_err_set(err, BSN_ENET, "'db update' needs the network and offline mode is on");
    if (!o->db_path || !*o->db_path)
        return bsn_err_set(err, BSN_EINVAL, "no database path");
    static bool curl_ready;
    if (!curl_ready) {
        /* NEEDSWORK: not thread-safe on first use; the CLI calls this once. */
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    int lock = -1;
    BSN_TRY(lock_db(o->db_path, &lock, err));
    bsn_code rc = o->listing_url ? install_listing(o, err) : update_feeds(o, err);
    close(lock);
    return rc;
}
