/*
 * Secret scanning over every regular file's bytes (text and binary), in one pass.
 *
 * All rules (secret_rules.c, plus user rules from --secret-config) are compiled once per
 * process into one vectorscan (Hyperscan API) STREAMING database: each file is one stream
 * fed chunk by chunk as the layer streams by, so every byte is examined once whatever the
 * number of rules, and no file is ever held whole. Streaming mode reports where a match ends;
 * to recover its start (for the line number and the redacted value) the analyzer keeps the
 * last WINDOW bytes of the stream and finds the first offset from which the rule, anchored at
 * both ends, matches up to the reported end. Every rule is bounded well below WINDOW.
 *
 * Findings pass through allow rules: vendors' documented example keys
 * (AKIAIOSFODNN7EXAMPLE …), an entropy test where the rule asks for one, placeholder values,
 * lockfiles (integrity hashes are not secrets), test-fixture directories, and the user's allow
 * rules. A finding carries the rule, line, and a redacted match: never the whole secret.
 *
 * --secret-config FILE (YAML):
 *   rules:        [{id, title, severity, regex, caseless: bool, entropy: number}]
 *   allow-rules:  [{id, path: REGEX, match: REGEX}]     (POSIX extended regexes)
 *   disable-rules: [ID, ...]
 */
#include <ctype.h>
#include <hs/hs.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analyzer/analyzer.h"
#include "analyzer/secret_rules.h"
#include "base/xalloc.h"
#include "textfmt/yaml.h"

#define WINDOW 2048u            /* bytes kept to re-find a match's start */
#define MAX_FINDINGS 64u        /* per file: a file full of tokens is reported, bounded */
#define MAX_CONFIG_BYTES (1u << 20)

struct allow {
    bool has_path, has_match;
    regex_t path, match;
};

struct worker {
    hs_scratch_t *scratch;       /* for the stream */
    hs_scratch_t *block_scratch; /* for the re-scan inside the stream's callback: a scratch
                                    cannot be used re-entrantly */
    hs_stream_t *stream;
    struct worker *next;
};

struct ruleset {
    struct bsn_secret_rule *rules;
    size_t n;
    hs_database_t *stream_db;
    hs_database_t **anchored; /* per rule "\\A(?:re)\\z", compiled on a rule's first match */
    unsigned *min_width, *max_width; /* per rule, from hs_expression_info, with anchored */
    struct allow *allows;
    size_t n_allows;
    pthread_mutex_t lock;
    struct worker *free_workers;
    char *error;          /* compile or config error, reported once as a warning */
    _Atomic bool error_reported;
};

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct ruleset builtin;
static pthread_mutex_t configs_lock = PTHREAD_MUTEX_INITIALIZER;
struct config_entry {
    char *path;
    struct ruleset rs;
    struct config_entry *next;
};
static struct config_entry *configs;

/* ---- compiling -------------------------------------------------------------------------- */

/*
 * Finding where a match starts: streaming mode only reports ends, and compiling every rule
 * for leftmost start-of-match costs seconds and ~100 MiB at start-up. Instead each rule gets,
 * on its first match, a small block-mode database of the rule anchored at both ends; the start
 * is the first window offset from which the anchored rule matches up to the end.
 */
static hs_database_t *
anchored_db(struct ruleset *rs, unsigned id, unsigned *min_w, unsigned *max_w)
{
    pthread_mutex_lock(&rs->lock);
    if (!rs->min_width) {
        rs->min_width = bsn_xcalloc(rs->n ? rs->n : 1, sizeof(*rs->min_width));
        rs->max_width = bsn_xcalloc(rs->n ? rs->n : 1, sizeof(*rs->max_width));
    }
    hs_database_t *db = rs->anchored[id];
    if (!db) {
        const struct bsn_secret_rule *r = &rs->rules[id];
        /* Match widths bound where a match can start: only those offsets are tried. */
        hs_expr_info_t *info = NULL;
        hs_compile_error_t *ierr = NULL;
        rs->min_width[id] = 0;
        rs->max_width[id] = WINDOW;
        if (hs_expression_info(r->regex, bsn_secret_rule_flags(r), &info, &ierr) ==
            HS_SUCCESS) {
            rs->min_width[id] = info->min_width;
            if (info->max_width != UINT_MAX && info->max_width < WINDOW)
                rs->max_width[id] = info->max_width;
            free(info);
        } else {
            hs_free_compile_error(ierr);
        }
        size_t n = strlen(r->regex) + 16;
        char *re = bsn_xmalloc(n);
        snprintf(re, n, "\\A(?:%s)\\z", r->regex);
        hs_compile_error_t *cerr = NULL;
        if (hs_compile(re, HS_FLAG_MULTILINE | (r->caseless ? HS_FLAG_CASELESS : 0),
                       HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
            hs_free_compile_error(cerr);
            db = NULL;
        }
        free(re);
        rs->anchored[id] = db;
    }
    *min_w = rs->min_width[id];
    *max_w = rs->max_width[id];
    pthread_mutex_unlock(&rs->lock);
    return db;
}

static void
compile(struct ruleset *rs)
{
    const char **exprs = bsn_xcalloc(rs->n ? rs->n : 1, sizeof(*exprs));
    unsigned *flags = bsn_xcalloc(rs->n ? rs->n : 1, sizeof(*flags));
    unsigned *ids = bsn_xcalloc(rs->n ? rs->n : 1, sizeof(*ids));
    hs_compile_error_t *cerr = NULL;
    char msg[512];

    pthread_mutex_init(&rs->lock, NULL);
    for (size_t i = 0; i < rs->n; i++) {
        exprs[i] = rs->rules[i].regex;
        flags[i] = bsn_secret_rule_flags(&rs->rules[i]);
        ids[i] = (unsigned)i;
    }
    if (hs_compile_multi(exprs, flags, ids, (unsigned)rs->n, HS_MODE_STREAM, NULL,
                         &rs->stream_db, &cerr) != HS_SUCCESS) {
        snprintf(msg, sizeof(msg), "secret rule '%s': %s",
                 cerr && cerr->expression >= 0 ? rs->rules[cerr->expression].id : "?",
                 cerr ? cerr->message : "cannot compile");
        rs->error = bsn_xstrdup(msg);
        hs_free_compile_error(cerr);
        rs->stream_db = NULL;
    }
    rs->anchored = bsn_xcalloc(rs->n ? rs->n : 1, sizeof(*rs->anchored));
    free(exprs);
    free(flags);
    free(ids);
}

static void
init_builtin(void)
{
    builtin.n = bsn_secret_rule_count;
    builtin.rules = bsn_xcalloc(builtin.n, sizeof(*builtin.rules));
    memcpy(builtin.rules, bsn_secret_rules, builtin.n * sizeof(*builtin.rules));
    /* The database compiled at build time, unless this CPU cannot run it. */
    if (bsn_secret_db_len &&
        hs_deserialize_database((const char *)bsn_secret_db, bsn_secret_db_len,
                                &builtin.stream_db) == HS_SUCCESS) {
        pthread_mutex_init(&builtin.lock, NULL);
        builtin.anchored = bsn_xcalloc(builtin.n, sizeof(*builtin.anchored));
        return;
    }
    builtin.stream_db = NULL;
    compile(&builtin);
}

static const char *
jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool
load_config(struct ruleset *rs, const char *path, char *msg, size_t msgsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msgsz, "cannot open secret config '%s'", path);
        return false;
    }
    char *data = bsn_xmalloc(MAX_CONFIG_BYTES + 1);
    size_t n = fread(data, 1, MAX_CONFIG_BYTES + 1, f);
    fclose(f);
    if (n > MAX_CONFIG_BYTES) {
        free(data);
        snprintf(msg, msgsz, "secret config '%s' is over 1 MiB", path);
        return false;
    }
    data[n] = '\0';
    json_t *doc = NULL;
    struct bsn_err err;
    bsn_err_clear(&err);
    if (bsn_yaml_parse(data, n, &doc, &err) != BSN_OK) {
        free(data);
        snprintf(msg, msgsz, "secret config '%s': %s", path, err.msg);
        return false;
    }
    free(data);
    json_t *rules = json_object_get(doc, "rules");
    json_t *allows = json_object_get(doc, "allow-rules");
    json_t *disabled = json_object_get(doc, "disable-rules");
    size_t nu = json_is_array(rules) ? json_array_size(rules) : 0;
    rs->rules = bsn_xcalloc(bsn_secret_rule_count + nu + 1, sizeof(*rs->rules));
    for (size_t i = 0; i < bsn_secret_rule_count; i++) {
        bool off = false;
        size_t k;
        json_t *d;
        json_array_foreach(disabled, k, d) {
            if (json_is_string(d) && strcmp(json_string_value(d), bsn_secret_rules[i].id) == 0)
                off = true;
        }
        if (!off)
            rs->rules[rs->n++] = bsn_secret_rules[i];
    }
    for (size_t i = 0; i < nu; i++) {
        json_t *r = json_array_get(rules, i);
        const char *id = jstr(r, "id"), *re = jstr(r, "regex");
        if (!id || !re) {
            json_decref(doc);
            snprintf(msg, msgsz, "secret config '%s': rule %zu needs 'id' and 'regex'", path, i + 1);
            return false;
        }
        struct bsn_secret_rule *u = &rs->rules[rs->n++];
        u->id = bsn_xstrdup(id);
        u->regex = bsn_xstrdup(re);
        const char *t = jstr(r, "title");
        u->title = bsn_xstrdup(t ? t : id);
        const char *sev = jstr(r, "severity");
        enum bsn_severity s = BSN_SEV_HIGH;
        if (sev && !bsn_severity_parse(sev, strlen(sev), &s)) {
            json_decref(doc);
            snprintf(msg, msgsz, "secret config '%s': rule '%s': unknown severity '%s'", path,
                     id, sev);
            return false;
        }
        u->severity = s;
        u->caseless = json_is_true(json_object_get(r, "caseless"));
        json_t *e = json_object_get(r, "entropy");
        u->min_entropy = json_is_number(e) ? json_number_value(e)
                         : json_is_string(e) ? strtod(json_string_value(e), NULL) : 0;
        u->value = BSN_SECRET_WHOLE;
    }
    size_t na = json_is_array(allows) ? json_array_size(allows) : 0;
    rs->allows = bsn_xcalloc(na ? na : 1, sizeof(*rs->allows));
    for (size_t i = 0; i < na; i++) {
        json_t *a = json_array_get(allows, i);
        const char *p = jstr(a, "path"), *m = jstr(a, "match");
        if (!m)
            m = jstr(a, "regex");
        struct allow *al = &rs->allows[rs->n_allows];
        if (p && regcomp(&al->path, p, REG_EXTENDED | REG_NOSUB) == 0)
            al->has_path = true;
        if (m && regcomp(&al->match, m, REG_EXTENDED | REG_NOSUB) == 0)
            al->has_match = true;
        if (!al->has_path && !al->has_match) {
            json_decref(doc);
            snprintf(msg, msgsz, "secret config '%s': allow rule %zu has no valid 'path' or "
                     "'match' regex", path, i + 1);
            return false;
        }
        rs->n_allows++;
    }
    json_decref(doc);
    return true;
}

/* The rule set for these options: the built-in one, or one compiled per config file. */
static struct ruleset *
ruleset_for(const struct bsn_scan_opts *opts)
{
    pthread_once(&builtin_once, init_builtin);
    if (!opts || !opts->secret_config)
        return &builtin;
    pthread_mutex_lock(&configs_lock);
    struct config_entry *c;
    for (c = configs; c; c = c->next)
        if (strcmp(c->path, opts->secret_config) == 0)
            break;
    if (!c) {
        c = bsn_xcalloc(1, sizeof(*c));
        c->path = bsn_xstrdup(opts->secret_config);
        char msg[512];
        if (load_config(&c->rs, c->path, msg, sizeof(msg))) {
            compile(&c->rs);
        } else {
            pthread_mutex_init(&c->rs.lock, NULL);
            c->rs.error = bsn_xstrdup(msg);
        }
        c->next = configs;
        configs = c;
    }
    pthread_mutex_unlock(&configs_lock);
    return &c->rs;
}

static struct worker *
worker_get(struct ruleset *rs)
{
    pthread_mutex_lock(&rs->lock);
    struct worker *w = rs->free_workers;
    if (w)
        rs->free_workers = w->next;
    pthread_mutex_unlock(&rs->lock);
    if (w)
        return w;
    w = bsn_xcalloc(1, sizeof(*w));
    if (hs_alloc_scratch(rs->stream_db, &w->scratch) != HS_SUCCESS ||
        hs_open_stream(rs->stream_db, 0, &w->stream) != HS_SUCCESS) {
        if (w->scratch)
            hs_free_scratch(w->scratch);
        if (w->block_scratch)
            hs_free_scratch(w->block_scratch);
        free(w);
        return NULL;
    }
    return w;
}

static void
worker_put(struct ruleset *rs, struct worker *w)
{
    pthread_mutex_lock(&rs->lock);
    w->next = rs->free_workers;
    rs->free_workers = w;
    pthread_mutex_unlock(&rs->lock);
}

/* ---- scanning ------------------------------------------------------------------------------ */

struct finding {
    unsigned rule;
    uint64_t from, to; /* absolute offsets in the file */
    uint64_t line;
    char *text;        /* the matched text (malloc'd) */
};

struct state {
    struct ruleset *rs;
    struct worker *w;
    struct bsn_actx *ctx;
    const struct bsn_path *path;
    uint64_t off;        /* bytes before the current chunk */
    uint64_t lines;      /* newlines before the current chunk */
    unsigned char tail[WINDOW];
    size_t tail_len;
    const unsigned char *chunk;
    size_t chunk_len;
    struct finding found[MAX_FINDINGS];
    size_t n_found;
    bool binary;         /* a NUL byte in the first 8 KiB */
    /* anchored re-scan result */
    unsigned long long want_to, best_from;
    bool have_from;
};

static int
on_block(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
         void *arg)
{
    (void)id;
    (void)from;
    (void)flags;
    struct state *s = arg;
    if (to == s->want_to) {
        s->have_from = true;
        return 1; /* found: stop scanning */
    }
    return 0;
}

static uint64_t
count_nl(const unsigned char *p, size_t n)
{
    uint64_t c = 0;
    const unsigned char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
        c++;
        p++;
    }
    return c;
}

static bool contextual(const struct bsn_secret_rule *r);

static int
on_stream(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
          void *arg)
{
    (void)from;
    (void)flags;
    struct state *s = arg;
    /* Dropped later anyway (see allowed()): skip the work of finding where it starts. */
    if (s->binary && contextual(&s->rs->rules[id]))
        return 0;
    if (to < s->off || to > s->off + s->chunk_len)
        return 0; /* end of stream reports carry no new bytes: not expected, ignore */
    size_t k = (size_t)(to - s->off);
    /* The window: the tail before this chunk, then the chunk up to the match end. */
    unsigned char win[WINDOW];
    size_t from_chunk = k < WINDOW ? k : WINDOW;
    size_t from_tail = WINDOW - from_chunk;
    if (from_tail > s->tail_len)
        from_tail = s->tail_len;
    memcpy(win, s->tail + s->tail_len - from_tail, from_tail);
    memcpy(win + from_tail, s->chunk + k - from_chunk, from_chunk);
    size_t wlen = from_tail + from_chunk;

    unsigned min_w = 0, max_w = WINDOW;
    hs_database_t *adb = anchored_db(s->rs, id, &min_w, &max_w);
    if (!adb || hs_alloc_scratch(adb, &s->w->block_scratch) != HS_SUCCESS)
        return 0;
    s->have_from = false;
    size_t first = wlen > max_w ? wlen - max_w : 0;
    size_t last = wlen >= min_w ? wlen - min_w : 0;
    for (size_t i = first; i <= last && i < wlen && !s->have_from; i++) {
        s->want_to = wlen - i;
        hs_scan(adb, (const char *)win + i, (unsigned)(wlen - i), 0, s->w->block_scratch,
                on_block, s);
        if (s->have_from)
            s->best_from = i;
    }
    if (!s->have_from)
        return 0;
    uint64_t abs_from = to - (wlen - s->best_from);

    /* A longer match with the same start replaces the shorter one (repetitions report every
     * end they reach). */
    for (size_t i = 0; i < s->n_found; i++) {
        struct finding *f = &s->found[i];
        if (f->rule == id && f->from == abs_from) {
            free(f->text);
            f->to = to;
            f->text = bsn_xstrndup((const char *)win + s->best_from, wlen - s->best_from);
            return 0;
        }
    }
    if (s->n_found == MAX_FINDINGS)
        return 0;
    struct finding *f = &s->found[s->n_found++];
    f->rule = id;
    f->from = abs_from;
    f->to = to;
    f->text = bsn_xstrndup((const char *)win + s->best_from, wlen - s->best_from);
    /* line of the match start */
    if (abs_from >= s->off) {
        f->line = s->lines + count_nl(s->chunk, (size_t)(abs_from - s->off)) + 1;
    } else {
        size_t back = (size_t)(s->off - abs_from); /* bytes of the tail after the start */
        if (back > s->tail_len)
            back = s->tail_len;
        uint64_t after = count_nl(s->tail + s->tail_len - back, back);
        f->line = s->lines - after + 1;
    }
    return 0;
}

static double
entropy(const char *p, size_t n)
{
    unsigned counts[256] = { 0 };
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        counts[(unsigned char)p[i]]++;
    double h = 0;
    for (unsigned i = 0; i < 256; i++) {
        if (!counts[i])
            continue;
        double q = (double)counts[i] / (double)n;
        h -= q * log2(q);
    }
    return h;
}

/* The secret value inside a match: the whole match, or what follows "key =" / "key:". */
static void
value_of(const struct bsn_secret_rule *r, const char *text, const char **v, size_t *n)
{
    *v = text;
    *n = strlen(text);
    if (r->value != BSN_SECRET_AFTER_SEP)
        return;
    const char *sep = strpbrk(text, ":=");
    if (!sep)
        return;
    const char *p = sep + 1;
    while (*p == ' ' || *p == '\t' || *p == '"' || *p == '\'')
        p++;
    size_t len = strlen(p);
    while (len && (p[len - 1] == '"' || p[len - 1] == '\''))
        len--;
    if (len) {
        *v = p;
        *n = len;
    }
}

static bool
placeholder(const char *v, size_t n)
{
    static const char *const words[] = { "example", "changeme", "change_me", "placeholder",
                                         "dummy", "sample", "your_", "your-", "xxxxxxxx",
                                         "********", "redacted", "<", "${", "{{", "%(", NULL };
    char low[160];
    size_t m = n < sizeof(low) - 1 ? n : sizeof(low) - 1;
    for (size_t i = 0; i < m; i++)
        low[i] = (char)tolower((unsigned char)v[i]);
    low[m] = '\0';
    for (size_t i = 0; words[i]; i++)
        if (strstr(low, words[i]))
            return true;
    return false;
}

/* Rules that judge context ("password = …") rather than a provider's token format: in
 * binaries they match symbol tables and string pools, not secrets. */
static bool
contextual(const struct bsn_secret_rule *r)
{
    static const char *const ids[] = { "generic-password", "generic-secret", "kubernetes-token",
                                       "basic-auth-header", "bearer-token-header",
                                       "url-basic-auth", NULL };
    for (size_t i = 0; ids[i]; i++)
        if (strcmp(r->id, ids[i]) == 0)
            return true;
    return false;
}

/* A generic assignment's value that is code, not a secret: "self.token", "_messages.X",
 * "os.environ", or a value without both letters and digits. */
static bool
looks_like_code(const char *v, size_t n)
{
    bool digit = false, alpha = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '.' && i + 1 < n && (isalpha((unsigned char)v[i + 1]) || v[i + 1] == '_'))
            return true;
        digit |= isdigit(c) != 0;
        alpha |= isalpha(c) != 0;
    }
    return !(digit && alpha);
}

static bool
allowed(const struct state *s, const struct bsn_secret_rule *r, const char *text)
{
    const char *v;
    size_t n;
    value_of(r, text, &v, &n);
    if (contextual(r) && s->binary)
        return true;
    if (strncmp(r->id, "generic-", 8) == 0 && looks_like_code(v, n))
        return true;
    /* Bootstrap tokens are random [a-z0-9]: 22 of them without a digit are words. */
    if (strcmp(r->id, "kubernetes-token") == 0 && !strpbrk(v, "0123456789"))
        return true;
    for (size_t i = 0; bsn_secret_examples[i]; i++)
        if (strlen(bsn_secret_examples[i]) == n && memcmp(v, bsn_secret_examples[i], n) == 0)
            return true;
    if (placeholder(v, n))
        return true;
    if (r->min_entropy > 0 && entropy(v, n) < r->min_entropy)
        return true;
    for (size_t i = 0; i < s->rs->n_allows; i++) {
        const struct allow *a = &s->rs->allows[i];
        bool path_ok = !a->has_path || regexec(&a->path, s->path->path, 0, NULL, 0) == 0;
        bool match_ok = !a->has_match || regexec(&a->match, text, 0, NULL, 0) == 0;
        if (path_ok && match_ok)
            return true;
    }
    return false;
}

/* "AKIA************MPLE": the first and last four characters of long secrets, stars between;
 * short ones fully starred. Key names before the value are kept. */
static char *
redact(struct bsn_arena *a, const struct bsn_secret_rule *r, const char *text)
{
    const char *v;
    size_t n;
    value_of(r, text, &v, &n);
    size_t prefix = (size_t)(v - text);
    size_t shown = n >= 16 ? 4 : 0;
    size_t len = prefix + n;
    char *out = bsn_arena_alloc(a, len + 1);
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        bool in_value = i >= prefix;
        size_t j = i - prefix;
        if (in_value && !(j < shown || j >= n - shown))
            c = '*';
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        out[i] = c;
    }
    out[len] = '\0';
    return out;
}

static bool
path_skipped(const struct bsn_path *p)
{
    /* Lockfiles hold integrity hashes, never credentials; fixtures hold fake ones on purpose. */
    static const char *const lockfiles[] = { "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
                                             "npm-shrinkwrap.json", "go.sum", "Cargo.lock",
                                             "poetry.lock", "Pipfile.lock", "composer.lock",
                                             "Gemfile.lock", "uv.lock", "packages.lock.json",
                                             "bun.lock", NULL };
    for (size_t i = 0; lockfiles[i]; i++)
        if (strlen(lockfiles[i]) == p->base_len && memcmp(p->base, lockfiles[i], p->base_len) == 0)
            return true;
    struct bsn_str s = bsn_str_make(p->path, p->len);
    static const char *const dirs[] = { "/testdata/", "/fixtures/", "/__fixtures__/",
                                        "/tests/", "/test/", "usr/share/doc/", NULL };
    for (size_t i = 0; dirs[i]; i++) {
        if (bsn_str_starts(s, dirs[i] + (dirs[i][0] == '/' ? 1 : 0)))
            return true;
        if (memmem(p->path, p->len, dirs[i], strlen(dirs[i])))
            return true;
    }
    return false;
}

static bool
wants(const struct bsn_path *p)
{
    return p->size > 0 && !path_skipped(p);
}

static bsn_code
stream_begin(struct bsn_actx *ctx, const struct bsn_path *p, void **state, struct bsn_err *err)
{
    struct ruleset *rs = ruleset_for(bsn_actx_opts(ctx));
    if (rs->error || !rs->stream_db) {
        /* Once, not once per file: every file would fail the same way. */
        if (atomic_exchange(&rs->error_reported, true))
            return BSN_ECANCELED;
        return bsn_err_set(err, BSN_EINVAL, "%s", rs->error ? rs->error : "no secret rules");
    }
    struct worker *w = worker_get(rs);
    if (!w)
        return bsn_err_set(err, BSN_EIO, "cannot allocate secret scanning scratch");
    struct state *s = bsn_xcalloc(1, sizeof(*s));
    s->rs = rs;
    s->w = w;
    s->ctx = ctx;
    s->path = p;
    *state = s;
    return BSN_OK;
}

static bsn_code
stream_data(struct bsn_actx *ctx, void *state, const void *buf, size_t len, struct bsn_err *err)
{
    (void)ctx;
    struct state *s = state;
    if (s->off < 8192)
        s->binary |= memchr(buf, 0, len < 8192 - s->off ? len : 8192 - s->off) != NULL;
    s->chunk = buf;
    s->chunk_len = len;
    if (hs_scan_stream(s->w->stream, buf, (unsigned)len, 0, s->w->scratch, on_stream, s) !=
        HS_SUCCESS)
        return bsn_err_set(err, BSN_EIO, "secret scan failed");
    s->off += len;
    s->lines += count_nl(buf, len);
    /* keep the last WINDOW bytes of tail + chunk */
    if (len >= WINDOW) {
        memcpy(s->tail, (const unsigned char *)buf + len - WINDOW, WINDOW);
        s->tail_len = WINDOW;
    } else {
        size_t keep = WINDOW - len;
        if (keep > s->tail_len)
            keep = s->tail_len;
        memmove(s->tail, s->tail + s->tail_len - keep, keep);
        memcpy(s->tail + keep, buf, len);
        s->tail_len = keep + len;
    }
    s->chunk = NULL;
    s->chunk_len = 0;
    return BSN_OK;
}

static bsn_code
stream_end(struct bsn_actx *ctx, void *state, struct bsn_err *err)
{
    (void)err;
    struct state *s = state;
    /* Ends the stream (end-anchored patterns report here) and readies it for the next file. */
    hs_reset_stream(s->w->stream, 0, s->w->scratch, on_stream, s);
    worker_put(s->rs, s->w);
    for (size_t i = 0; i < s->n_found; i++) {
        struct finding *f = &s->found[i];
        const struct bsn_secret_rule *r = &s->rs->rules[f->rule];
        if (!allowed(s, r, f->text)) {
            struct bsn_secret sec = { 0 };
            sec.rule_id = r->id;
            sec.severity = r->severity;
            sec.title = r->title;
            sec.line = f->line;
            sec.match = redact(bsn_actx_arena(ctx), r, f->text);
            bsn_actx_add_secret(ctx, &sec);
        }
        free(f->text);
    }
    free(s);
    return BSN_OK;
}

const struct bsn_analyzer bsn_analyzer_secret = {
    .name = "secret",
    .version = 1,
    .wants = wants,
    .stream_begin = stream_begin,
    .stream_data = stream_data,
    .stream_end = stream_end,
    .scanner = BSN_SCAN_SECRET,
};
