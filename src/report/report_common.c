/*
 * Helpers shared by the report writers: names, the orderings CONTRACT.md fixes for packages
 * ("sorted by type, name, version, path") and findings ("by severity, CRITICAL first, then id,
 * then package"), and JSON serialisation into a bounded buffer.
 */
#include "report/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "base/xalloc.h"

const char *
bsn_rpt_sev(enum bsn_severity s)
{
    static const char *const names[BSN_SEV_COUNT] = {
        [BSN_SEV_UNKNOWN] = "UNKNOWN", [BSN_SEV_LOW] = "LOW",   [BSN_SEV_MEDIUM] = "MEDIUM",
        [BSN_SEV_HIGH] = "HIGH",       [BSN_SEV_CRITICAL] = "CRITICAL",
    };
    if ((unsigned)s < BSN_SEV_COUNT)
        return names[s];
    return "UNKNOWN";
}

const char *
bsn_rpt_status(enum bsn_vuln_status s)
{
    switch (s) {
    case BSN_STATUS_AFFECTED: return "affected";
    case BSN_STATUS_FIXED: return "fixed";
    case BSN_STATUS_NOT_FIXED: return "not_fixed";
    case BSN_STATUS_WILL_NOT_FIX: return "will_not_fix";
    case BSN_STATUS_FIX_DEFERRED: return "fix_deferred";
    case BSN_STATUS_END_OF_LIFE: return "end_of_life";
    }
    return "affected";
}

/* strcmp with NULL sorting first. */
static int
cmp_str(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int
cmp_pkg(const struct bsn_package *x, const struct bsn_package *y)
{
    int c;
    if (x == y)
        return 0;
    if (!x || !y)
        return (x != NULL) - (y != NULL);
    if ((c = cmp_str(x->type, y->type)) || (c = cmp_str(x->name, y->name)) ||
        (c = cmp_str(x->version, y->version)) || (c = cmp_str(x->path, y->path)))
        return c;
    return 0;
}

static int
cmp_pkg_ptr(const void *a, const void *b)
{
    const struct bsn_package *const *x = a, *const *y = b;
    return cmp_pkg(*x, *y);
}

static int
cmp_vuln_ptr(const void *a, const void *b)
{
    const struct bsn_vuln *x = *(const struct bsn_vuln *const *)a;
    const struct bsn_vuln *y = *(const struct bsn_vuln *const *)b;
    int c;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    if ((c = cmp_str(x->id, y->id)) || (c = cmp_pkg(x->pkg, y->pkg)))
        return c;
    return cmp_str(x->installed_version, y->installed_version);
}

const struct bsn_package **
bsn_rpt_sorted_pkgs(const struct bsn_result *r)
{
    const struct bsn_package **v = bsn_xcalloc(r->n_packages + 1, sizeof(*v));
    for (size_t i = 0; i < r->n_packages; i++)
        v[i] = &r->packages[i];
    if (r->n_packages > 1)
        qsort(v, r->n_packages, sizeof(*v), cmp_pkg_ptr);
    return v;
}

const struct bsn_vuln **
bsn_rpt_sorted_vulns(const struct bsn_result *r)
{
    const struct bsn_vuln **v = bsn_xcalloc(r->n_vulns + 1, sizeof(*v));
    for (size_t i = 0; i < r->n_vulns; i++)
        v[i] = &r->vulns[i];
    if (r->n_vulns > 1)
        qsort(v, r->n_vulns, sizeof(*v), cmp_vuln_ptr);
    return v;
}

void
bsn_rpt_count(const struct bsn_result *r, size_t counts[BSN_SEV_COUNT])
{
    memset(counts, 0, sizeof(size_t) * BSN_SEV_COUNT);
    for (size_t i = 0; i < r->n_vulns; i++) {
        unsigned s = (unsigned)r->vulns[i].severity;
        counts[s < BSN_SEV_COUNT ? s : BSN_SEV_UNKNOWN]++;
    }
}

json_t *
bsn_rpt_jstr(const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    /* json_string refuses invalid UTF-8 (seen in old dpkg Maintainer fields): keep the report
     * valid with the non-ASCII bytes replaced rather than fail it. */
    size_t n = strlen(s);
    char *t = bsn_xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        t[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    v = json_string(t);
    free(t);
    return v;
}

void
bsn_rpt_set(json_t *obj, const char *key, json_t *val)
{
    json_object_set_new(obj, key, val ? val : json_null());
}

void
bsn_rpt_push(json_t *arr, json_t *v)
{
    json_array_append_new(arr, v ? v : json_null());
}

struct dump_ctx {
    struct bsn_buf *out;
    bool full;
};

static int
dump_cb(const char *p, size_t n, void *arg)
{
    struct dump_ctx *c = arg;
    if (bsn_buf_add(c->out, p, n) != BSN_OK) {
        c->full = true;
        return -1;
    }
    return 0;
}

bsn_code
bsn_rpt_dump(json_t *doc, struct bsn_buf *out, const char *format, struct bsn_err *err)
{
    struct dump_ctx c = { out, false };
    if (json_dump_callback(doc, dump_cb, &c, JSON_INDENT(2)) != 0 ||
        bsn_buf_addc(out, '\n') != BSN_OK) {
        if (c.full || out->len + 1 >= out->max)
            return bsn_err_set(err, BSN_ELIMIT, "%s report exceeds %zu bytes", format,
                               out->max);
        return bsn_err_set(err, BSN_EINVAL, "cannot serialise the %s report", format);
    }
    return BSN_OK;
}

void
bsn_rpt_uuid(const struct bsn_result *r, const char *salt, char out[40])
{
    struct bsn_sha256 h;
    char d[BSN_DIGEST_MAX];
    const char *parts[] = { salt, r->target, r->has_image ? r->image.id : NULL, r->created_at };
    bsn_sha256_init(&h);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i])
            bsn_sha256_update(&h, parts[i], strlen(parts[i]));
        bsn_sha256_update(&h, "\x1f", 1);
    }
    bsn_sha256_final(&h, d);
    const char *x = d + 7; /* past "sha256:" */
    static const char variant[] = "89ab";
    snprintf(out, 40, "%.8s-%.4s-5%.3s-%c%.3s-%.12s", x, x + 8, x + 13,
             variant[(x[16] >= 'a' ? x[16] - 'a' + 10 : x[16] - '0') & 3], x + 17, x + 20);
}

double
bsn_rpt_max_score(const struct bsn_vuln *v)
{
    double best = -1;
    for (size_t i = 0; i < v->n_cvss; i++)
        if (v->cvss[i].score > best)
            best = v->cvss[i].score;
    return best;
}

const char *
bsn_rpt_sev_lower(enum bsn_severity s)
{
    switch (s) {
    case BSN_SEV_CRITICAL: return "critical";
    case BSN_SEV_HIGH: return "high";
    case BSN_SEV_MEDIUM: return "medium";
    case BSN_SEV_LOW: return "low";
    case BSN_SEV_UNKNOWN: return "unknown";
    }
    return "unknown";
}
