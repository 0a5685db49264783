/*
 * Re-matching: every scan stores its inventory (the OS and the packages, JSON below) per
 * manifest digest. When the vulnerability database changes — 'bosun db update' run by the
 * server every --db-update-interval (from the feeds, or the listing of --db-update-url) that
 * installed a new file, or a trigger (POST /api/v1/rematch) after the file was replaced —
 * each stored inventory is matched again with bsn_match + bsn_filter, the steps a scan runs
 * after its inventory, without pulling a single layer. Images whose findings changed
 * produce one webhook POST each (--webhook URL):
 *
 *   {"event": "findings_changed", "digest": "sha256:…", "repository": "library/app",
 *    "db_built_at": "2026-…Z", "new": [FINDING…], "resolved": [FINDING…]}
 *   FINDING = {"id", "package", "type", "version", "fixed_version", "severity", "purl"}
 *
 * signed with X-Bosun-Signature: sha256=HEX(HMAC-SHA256(--webhook-secret-file, body)), as
 * GitHub signs its webhooks, and retried with exponential backoff (0.5 s, 1 s, 2 s …). The new
 * finding set is stored only once the webhook accepted it (2xx), so a receiver that was down
 * is notified by the next re-match instead of never; after one delivery failed every retry,
 * the run stops calling the webhook (the other changes wait for the next run) instead of
 * spending the backoff on every image.
 *
 * Inventory JSON: {"os": null | {"family","name","version","codename"},
 *                  "packages": [{"type","name","version","epoch","arch","source_name",
 *                  "source_version","module","purl","layer","path","analyzer","dep","dev"}]}
 */
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/banned.h"
#include "match/match.h"
#include "server/server_int.h"
#include "vulndb/vulndb.h"

#define MAX_INVENTORY_PACKAGES 1000000

/* ---- inventory and finding keys ------------------------------------------------------------ */

static void
set_str(json_t *o, const char *k, const char *v)
{
    if (v)
        json_object_set_new(o, k, json_string(v));
}

static json_t *
finding_json(const struct bsn_vuln *v)
{
    json_t *f = json_object();
    set_str(f, "id", v->id);
    set_str(f, "package", v->pkg ? v->pkg->name : NULL);
    set_str(f, "type", v->pkg ? v->pkg->type : NULL);
    set_str(f, "version", v->installed_version);
    json_object_set_new(f, "fixed_version",
                        v->fixed_version ? json_string(v->fixed_version) : json_null());
    set_str(f, "severity", bsn_severity_name(v->severity));
    set_str(f, "purl", v->pkg ? v->pkg->purl : NULL);
    return f;
}

static bsn_code
dump(json_t *doc, struct bsn_buf *out, const char *what, struct bsn_err *err)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    if (!text)
        return bsn_err_set(err, BSN_EINVAL, "cannot serialise the %s", what);
    bsn_code rc = bsn_buf_adds(out, text);
    free(text);
    if (rc != BSN_OK)
        return bsn_err_set(err, rc, "%s larger than %zu bytes", what, out->max);
    return BSN_OK;
}

static bsn_code
findings_dump(const struct bsn_result *r, struct bsn_buf *out, struct bsn_err *err)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n_vulns; i++)
        json_array_append_new(arr, finding_json(&r->vulns[i]));
    return dump(arr, out, "finding list", err);
}

bsn_code
bsn_inventory_dump(const struct bsn_result *r, struct bsn_buf *inventory, struct bsn_buf *findings,
                   struct bsn_err *err)
{
    json_t *doc = json_object();
    if (r->has_os) {
        json_t *os = json_object();
        set_str(os, "family", r->os.family);
        set_str(os, "name", r->os.name);
        set_str(os, "version", r->os.version);
        set_str(os, "codename", r->os.codename);
        json_object_set_new(doc, "os", os);
    } else {
        json_object_set_new(doc, "os", json_null());
    }
    json_t *pkgs = json_array();
    for (size_t i = 0; i < r->n_packages; i++) {
        const struct bsn_package *p = &r->packages[i];
        json_t *o = json_object();
        set_str(o, "type", p->type);
        set_str(o, "name", p->name);
        set_str(o, "version", p->version);
        json_object_set_new(o, "epoch", json_integer(p->epoch));
        set_str(o, "arch", p->arch);
        set_str(o, "source_name", p->source_name);
        set_str(o, "source_version", p->source_version);
        set_str(o, "module", p->module);
        set_str(o, "purl", p->purl);
        set_str(o, "layer", p->layer);
        set_str(o, "path", p->path);
        set_str(o, "analyzer", p->analyzer);
        json_object_set_new(o, "dep", json_integer((json_int_t)p->dep));
        json_object_set_new(o, "dev", json_boolean(p->dev));
        json_array_append_new(pkgs, o);
    }
    json_object_set_new(doc, "packages", pkgs);
    BSN_TRY(dump(doc, inventory, "inventory", err));
    return findings_dump(r, findings, err);
}

static const char *
get_str(struct bsn_arena *a, json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? bsn_arena_strdup(a, v) : NULL;
}

/* Rebuilds a result holding the stored inventory (no findings yet). */
static bsn_code
inventory_load(const char *digest, const char *text, struct bsn_result **out,
               struct bsn_err *err)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    json_t *pkgs = json_object_get(doc, "packages");
    if (!json_is_object(doc) || !json_is_array(pkgs) ||
        json_array_size(pkgs) > MAX_INVENTORY_PACKAGES) {
        json_decref(doc);
        return bsn_err_set(err, BSN_EFORMAT, "stored inventory of '%s' is malformed", digest);
    }
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_result *r = bsn_arena_alloc(a, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->arena = a;
    r->target = bsn_arena_strdup(a, digest);
    r->artifact_type = BSN_ARTIFACT_IMAGE;
    r->scanned_vuln = true;
    json_t *os = json_object_get(doc, "os");
    if (json_is_object(os)) {
        r->has_os = true;
        r->os.family = get_str(a, os, "family");
        r->os.name = get_str(a, os, "name");
        r->os.version = get_str(a, os, "version");
        r->os.codename = get_str(a, os, "codename");
    }
    size_t n = json_array_size(pkgs);
    r->packages = bsn_arena_alloc_array(a, n ? n : 1, sizeof(*r->packages));
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(pkgs, i);
        struct bsn_package *p = &r->packages[r->n_packages];
        memset(p, 0, sizeof(*p));
        p->type = get_str(a, o, "type");
        p->name = get_str(a, o, "name");
        p->version = get_str(a, o, "version");
        if (!p->type || !p->name || !p->version)
            continue;
        json_int_t epoch = json_integer_value(json_object_get(o, "epoch"));
        p->epoch = epoch >= -1 && epoch < 1000000 ? (int)epoch : -1;
        p->arch = get_str(a, o, "arch");
        p->source_name = get_str(a, o, "source_name");
        p->source_version = get_str(a, o, "source_version");
        p->module = get_str(a, o, "module");
        p->purl = get_str(a, o, "purl");
        p->layer = get_str(a, o, "layer");
        p->path = get_str(a, o, "path");
        p->analyzer = get_str(a, o, "analyzer");
        json_int_t dep = json_integer_value(json_object_get(o, "dep"));
        p->dep = dep >= 0 && dep <= BSN_DEP_WORKSPACE ? (enum bsn_dep_kind)dep : BSN_DEP_UNKNOWN;
        p->dev = json_is_true(json_object_get(o, "dev"));
        r->n_packages++;
    }
    json_decref(doc);
    *out = r;
    return BSN_OK;
}

/* The identity of a finding, for set differences. */
static char *
finding_key(json_t *f)
{
    const char *parts[] = { "id", "type", "package", "version", "purl" };
    size_t n = 0;
    char *key = NULL;
    for (size_t i = 0; i < 5; i++) {
        const char *v = json_string_value(json_object_get(f, parts[i]));
        size_t vn = v ? strlen(v) : 0;
        key = realloc(key, n + vn + 2);
        if (!key)
            BSN_BUG("out of memory");
        if (vn)
            memcpy(key + n, v, vn);
        n += vn;
        key[n++] = '\x1f';
        key[n] = '\0';
    }
    return key;
}

/* Elements of a not in b (by key), as a new array. */
static json_t *
minus(json_t *a, json_t *b)
{
    json_t *keys = json_object(), *out = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(b, i, f) {
        char *k = finding_key(f);
        json_object_set_new(keys, k, json_true());
        free(k);
    }
    json_array_foreach(a, i, f) {
        char *k = finding_key(f);
        if (!json_object_get(keys, k))
            json_array_append(out, f);
        free(k);
    }
    json_decref(keys);
    return out;
}

/* ---- webhooks ------------------------------------------------------------------------------ */

void
bsn_webhook_sign(const char *key, const char *body, size_t len, char out[80])
{
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body, len, mac, &mac_len);
    int n = snprintf(out, 80, "sha256=");
    for (unsigned i = 0; i < mac_len && i < 32; i++)
        n += snprintf(out + n, (size_t)(80 - n), "%02x", mac[i]);
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static bool
webhook_post(struct bsn_server *s, const char *body)
{
    const struct bsn_server_config *c = s->cfg;
    uint64_t tries = c->webhook_max_tries ? c->webhook_max_tries : 5;
    long backoff_ms = 500;
    char sig[80], sig_hdr[120];
    bsn_webhook_sign(c->webhook_secret ? c->webhook_secret : "", body, strlen(body), sig);
    snprintf(sig_hdr, sizeof(sig_hdr), "X-Bosun-Signature: %s", sig);
    for (uint64_t attempt = 1; attempt <= tries && !*s->stop; attempt++) {
        CURL *h = curl_easy_init();
        if (!h)
            return false;
        struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
        hdrs = curl_slist_append(hdrs, "X-Bosun-Event: findings_changed");
        if (c->webhook_secret)
            hdrs = curl_slist_append(hdrs, sig_hdr);
        curl_easy_setopt(h, CURLOPT_URL, c->webhook_url);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "bosun/" BSN_VERSION);
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(h);
        if (cc == CURLE_OK && status >= 200 && status < 300) {
            atomic_fetch_add(&s->m.webhooks_ok, 1);
            return true;
        }
        bsn_server_log("warn", "webhook '%s' attempt %llu: %s %ld", c->webhook_url,
                       (unsigned long long)attempt, curl_easy_strerror(cc), status);
        if (attempt < tries) {
            struct timespec ts = { backoff_ms / 1000, (backoff_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
            backoff_ms *= 2;
        }
    }
    atomic_fetch_add(&s->m.webhooks_failed, 1);
    return false;
}

/* ---- re-matching --------------------------------------------------------------------------- */

struct rematch_ctx {
    struct bsn_server *s;
    struct bsn_vdb *db;
    int64_t built_at;
    size_t images, changed;
    bool webhook_down;   /* a delivery failed every retry: defer the rest to the next run */
};

static bsn_code
rematch_one(void *arg, const char *digest, const char *repository, const char *inventory,
            const char *findings, struct bsn_err *err)
{
    struct rematch_ctx *x = arg;
    struct bsn_server *s = x->s;
    struct bsn_result *r = NULL;
    struct bsn_err e2;
    if (inventory_load(digest, inventory, &r, &e2) != BSN_OK) {
        bsn_server_log("warn", "re-match: %s", e2.msg);
        return BSN_OK;
    }
    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = BSN_SCAN_VULN;
    o.db_path = s->cfg->db_path;
    bsn_code rc = bsn_match(x->db, r, &o, err);
    if (rc == BSN_OK)
        rc = bsn_filter(r, &o, err);
    if (rc != BSN_OK) {
        bsn_result_free(r);
        return bsn_err_prefix(err, "re-matching '%s'", digest);
    }
    x->images++;
    atomic_fetch_add(&s->m.rematch_images, 1);
    atomic_fetch_add(&s->m.layers_reused, 1);
    struct bsn_buf now;
    bsn_buf_init(&now, 256u << 20);
    rc = findings_dump(r, &now, err);
    bsn_result_free(r);
    if (rc != BSN_OK) {
        bsn_buf_release(&now);
        return rc;
    }
    json_t *old = json_loads(findings, 0, NULL), *cur = json_loads(now.ptr, 0, NULL);
    if (!json_is_array(old)) {
        json_decref(old);
        old = json_array();
    }
    json_t *added = minus(cur, old), *resolved = minus(old, cur);
    bool changed = json_array_size(added) || json_array_size(resolved);
    bool delivered = true;
    if (changed) {
        x->changed++;
        atomic_fetch_add(&s->m.rematch_changed, 1);
        char built[32];
        time_t bt = (time_t)x->built_at;
        struct tm tm;
        if (!gmtime_r(&bt, &tm) || !strftime(built, sizeof(built), "%Y-%m-%dT%H:%M:%SZ", &tm))
            snprintf(built, sizeof(built), "unknown");
        bsn_server_log("info", "re-match: %s: %zu new, %zu resolved findings", digest,
                       json_array_size(added), json_array_size(resolved));
        if (s->cfg->webhook_url && x->webhook_down) {
            delivered = false;
        } else if (s->cfg->webhook_url) {
            json_t *ev = json_pack("{s:s, s:s, s:s?, s:s, s:O, s:O}", "event",
                                   "findings_changed", "digest", digest, "repository",
                                   repository, "db_built_at", built, "new", added, "resolved",
                                   resolved);
            char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
            json_decref(ev);
            delivered = body && webhook_post(s, body);
            free(body);
            if (!delivered)
                x->webhook_down = true;
        }
    }
    json_decref(added);
    json_decref(resolved);
    json_decref(old);
    json_decref(cur);
    if (delivered &&
        bsn_store_inventory_set_findings(s->store, digest, now.ptr, x->built_at,
                                         bsn_server_now_ms(), &e2) != BSN_OK)
        bsn_server_log("warn", "re-match: storing findings of %s: %s", digest, e2.msg);
    bsn_buf_release(&now);
    return BSN_OK;
}

bsn_code
bsn_rematch_all(struct bsn_server *s, struct bsn_err *err)
{
    struct rematch_ctx x = { .s = s };
    if (!s->cfg->db_path)
        return bsn_err_set(err, BSN_EDB, "no vulnerability database to re-match against");
    BSN_TRY(bsn_vdb_open(s->cfg->db_path, &x.db, err));
    x.built_at = bsn_vdb_built_at(x.db);
    bsn_server_refresh_db(s);
    int64_t t0 = bsn_server_now_ms();
    bsn_code rc = bsn_store_inventory_each(s->store, rematch_one, &x, err);
    bsn_vdb_close(x.db);
    atomic_fetch_add(&s->m.rematch_runs, 1);
    if (rc == BSN_OK)
        bsn_server_log("info", "re-match: %zu images in %lld ms, %zu changed", x.images,
                       (long long)(bsn_server_now_ms() - t0), x.changed);
    return rc;
}

void
bsn_rematch_request(struct bsn_server *s)
{
    pthread_mutex_lock(&s->mu);
    s->rematch_requested = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
}

static void
log_line(void *arg, const char *msg)
{
    (void)arg;
    bsn_server_log("info", "db update: %s", msg);
}

static void *
rematch_main(void *arg)
{
    struct bsn_server *s = arg;
    int64_t interval_ms = (int64_t)s->cfg->db_update_interval_s * 1000;
    int64_t next_update = interval_ms ? bsn_server_now_ms() + interval_ms : 0;
    while (!*s->stop) {
        bool run = false;
        pthread_mutex_lock(&s->mu);
        if (!s->rematch_requested && !*s->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&s->wake, &s->mu, &ts);
        }
        run = s->rematch_requested;
        s->rematch_requested = false;
        pthread_mutex_unlock(&s->mu);
        if (*s->stop)
            break;
        struct bsn_err err;
        if (next_update && bsn_server_now_ms() >= next_update) {
            next_update = bsn_server_now_ms() + interval_ms;
            struct stat before, after;
            bool had = stat(s->cfg->db_path, &before) == 0;
            struct bsn_db_update_opts uo;
            memset(&uo, 0, sizeof(uo));
            uo.db_path = s->cfg->db_path;
            uo.listing_url = s->cfg->db_update_listing;
            uo.built_at = (int64_t)time(NULL);
            uo.log = log_line;
            if (bsn_db_update(&uo, &err) != BSN_OK) {
                bsn_server_log("warn", "db update: %s", err.msg);
            } else {
                bsn_server_refresh_db(s);
                /* installs rename a new file into place: a new inode, or at least a new
                 * modification time, means a new database */
                if (stat(s->cfg->db_path, &after) == 0 &&
                    (!had || after.st_ino != before.st_ino ||
                     after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
                     after.st_mtim.tv_nsec != before.st_mtim.tv_nsec ||
                     after.st_size != before.st_size))
                    run = true;
            }
        }
        if (run && bsn_rematch_all(s, &err) != BSN_OK)
            bsn_server_log("warn", "re-match: %s", err.msg);
    }
    return NULL;
}

bsn_code
bsn_rematch_start(struct bsn_server *s, struct bsn_err *err)
{
    if (pthread_create(&s->rematch_thread, NULL, rematch_main, s) != 0)
        return bsn_err_set(err, BSN_EIO, "cannot start the re-match thread");
    s->rematch_started = true;
    return BSN_OK;
}

void
bsn_rematch_join(struct bsn_server *s)
{
    if (!s->rematch_started)
        return;
    bsn_server_wake(s);
    pthread_join(s->rematch_thread, NULL);
    s->rematch_started = false;
}
