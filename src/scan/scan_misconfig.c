/*
 * Image-configuration checks (the misconfig scanner on an image): the config's User, Env,
 * Healthcheck and Labels, and the history's created_by lines (RUN with build arguments
 * "|N KEY=value", ADD of URLs, sudo, curl | sh). The same checks run on Dockerfiles
 * (analyzer_dockerfile.c); the check table is analyzer/misconfig_checks.c.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "analyzer/misconfig_checks.h"
#include "scan/scan_int.h"

struct mc_list {
    struct bsn_result *r;
    struct bsn_misconfig *v;
    size_t n, cap;
};

static void
add(struct mc_list *l, enum bsn_check c, const char *msg)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct bsn_misconfig *v = bsn_arena_alloc_array(l->r->arena, cap, sizeof(*v));
        if (l->n)
            memcpy(v, l->v, l->n * sizeof(*v));
        l->v = v;
        l->cap = cap;
    }
    struct bsn_misconfig *m = &l->v[l->n++];
    memset(m, 0, sizeof(*m));
    bsn_check_fill(m, c);
    m->message = bsn_arena_strdup(l->r->arena, msg);
    m->source = "image-config";
}

/* "RUN |2 TOKEN=abc X=1 /bin/sh -c …": build arguments BuildKit records in the history. */
static void
check_build_args(struct mc_list *l, struct bsn_str line)
{
    ptrdiff_t bar = bsn_str_chr(line, '|');
    if (bar < 0)
        return;
    struct bsn_str cur = bsn_str_make(line.ptr + bar + 1, line.len - (size_t)bar - 1);
    uint64_t n = 0;
    if (bsn_sp_u64(&cur, &n) || n > 64)
        return;
    for (uint64_t i = 0; i < n; i++) {
        bsn_sp_blanks(&cur);
        struct bsn_str word;
        if (bsn_sp_word(&cur, &word, 4096))
            return;
        struct bsn_str key, val;
        if (!bsn_str_split(word, '=', &key, &val))
            continue;
        if (bsn_check_secret_name(key) && bsn_check_literal_value(val)) {
            char msg[300];
            snprintf(msg, sizeof(msg), "build argument '%.*s' is recorded in the image history",
                     BSN_STR_ARG(key));
            add(l, BSN_CHECK_SECRET_ARG, msg);
        }
    }
}

void
bsn_scan_misconfig_image(struct bsn_result *r)
{
    if (!r->has_image || !r->image.config_json)
        return;
    json_error_t jerr;
    json_t *root = json_loads(r->image.config_json, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    struct mc_list l = { .r = r, .v = r->misconfigs, .n = r->n_misconfigs,
                         .cap = r->n_misconfigs };
    json_t *cfg = json_object_get(root, "config");
    char msg[300];

    const char *user = json_string_value(json_object_get(cfg, "User"));
    if (!user || !*user || strcmp(user, "root") == 0 || strcmp(user, "0") == 0 ||
        strncmp(user, "0:", 2) == 0 || strncmp(user, "root:", 5) == 0)
        add(&l, BSN_CHECK_ROOT_USER, user && *user ? "the image's USER is root"
                                                   : "the image sets no USER: it runs as root");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(cfg, "Env"), i, e) {
        struct bsn_str kv = bsn_str_cstr(json_string_value(e)), k, v;
        if (bsn_str_split(kv, '=', &k, &v) && bsn_check_secret_name(k) &&
            bsn_check_literal_value(v)) {
            snprintf(msg, sizeof(msg), "environment variable '%.*s' holds a literal value",
                     BSN_STR_ARG(k));
            add(&l, BSN_CHECK_SECRET_ENV, msg);
        }
    }
    json_t *hc = json_object_get(cfg, "Healthcheck");
    json_t *test = json_object_get(hc, "Test");
    const char *t0 = json_string_value(json_array_get(test, 0));
    if (!hc || !json_array_size(test) || (t0 && strcmp(t0, "NONE") == 0))
        add(&l, BSN_CHECK_NO_HEALTHCHECK, "the image defines no HEALTHCHECK");
    json_t *labels = json_object_get(cfg, "Labels");
    const char *base = json_string_value(json_object_get(labels,
                                                         "org.opencontainers.image.base.name"));
    if (base && bsn_check_latest_ref(bsn_str_cstr(base))) {
        snprintf(msg, sizeof(msg), "base image '%s' is not pinned to a version", base);
        add(&l, BSN_CHECK_LATEST_BASE, msg);
    }
    json_array_foreach(json_object_get(root, "history"), i, e) {
        const char *cb = json_string_value(json_object_get(e, "created_by"));
        if (!cb)
            continue;
        struct bsn_str line = bsn_str_cstr(cb);
        /* "/bin/sh -c #(nop) ADD …" (classic builder) or "ADD … # buildkit" */
        const char *add_at = strstr(cb, "ADD ");
        if (add_at && (strstr(add_at, "http://") || strstr(add_at, "https://"))) {
            snprintf(msg, sizeof(msg), "history step %zu adds a remote URL: %.200s", i + 1, cb);
            add(&l, BSN_CHECK_ADD_REMOTE, msg);
        }
        if (strstr(cb, "#(nop)"))
            continue; /* metadata steps run nothing */
        check_build_args(&l, line);
        if (bsn_check_curl_pipe_sh(line)) {
            snprintf(msg, sizeof(msg), "history step %zu pipes a download into a shell: %.200s",
                     i + 1, cb);
            add(&l, BSN_CHECK_CURL_PIPE_SH, msg);
        }
        if (bsn_check_sudo(line)) {
            snprintf(msg, sizeof(msg), "history step %zu uses sudo: %.200s", i + 1, cb);
            add(&l, BSN_CHECK_SUDO, msg);
        }
    }
    json_decref(root);
    r->misconfigs = l.v;
    r->n_misconfigs = l.n;
}
