/*
 * The human report (format "table", the default on a terminal), after Trivy's:
 *
 *   app.tar (debian 12.7)
 *   =====================
 *   Total: 2 (UNKNOWN: 0, LOW: 1, MEDIUM: 0, HIGH: 1, CRITICAL: 0)
 *
 *   LIBRARY  VULNERABILITY  SEVERITY     STATUS  INSTALLED  FIXED  TITLE
 *   -------  -------------  -----------  ------  ---------  -----  -----
 *   openssl  CVE-2024-0727  HIGH (nvd)   fixed   3.0.11-1   3.0.13 …
 *
 * Findings are grouped per target: OS packages under the scan target and its distribution,
 * language packages under the file they were found in (lockfile, jar, binary). The severity
 * column names the source the severity was taken from; with a baseline a NEW column marks
 * findings not in it. Without a vulnerability scan an inventory summary (OS, package counts
 * per type) takes the findings' place. Secrets, misconfigurations, suppressed findings and
 * diagnostics follow, and a last line totals the findings by severity.
 *
 * Colour (ANSI SGR) only when opts->color. Every string from the image passes through
 * put_text, which replaces control characters: a hostile title cannot drive the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define NCOLS 8
#define MAX_CELL 60 /* characters; longer cells (titles) are cut with "..." */

struct row {
    const char *cell[NCOLS];
    int sev; /* column 3 is coloured by this severity; -1 = none */
};

struct table {
    const char *head[NCOLS];
    size_t ncols;
    int sev_col;
    struct row *rows;
    size_t n, cap;
};

struct tw {
    struct bsn_buf *out;
    const struct bsn_report_opts *o;
    bsn_code rc;
};

static const char *
sev_color(enum bsn_severity s)
{
    switch (s) {
    case BSN_SEV_CRITICAL: return "\x1b[1;31m";
    case BSN_SEV_HIGH: return "\x1b[31m";
    case BSN_SEV_MEDIUM: return "\x1b[33m";
    case BSN_SEV_LOW: return "\x1b[34m";
    case BSN_SEV_UNKNOWN: return "";
    }
    return "";
}

static void
add(struct tw *t, const char *p, size_t n)
{
    if (t->rc == BSN_OK)
        t->rc = bsn_buf_add(t->out, p, n);
}

static void
adds(struct tw *t, const char *s)
{
    add(t, s, strlen(s));
}

static void
pad(struct tw *t, size_t n)
{
    static const char spaces[] = "                                ";
    while (n) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        add(t, spaces, k);
        n -= k;
    }
}

/* Display width in code points of at most max characters of s (UTF-8 continuation bytes
 * do not count). */
static size_t
text_width(const char *s, size_t max)
{
    size_t w = 0;
    if (!s)
        return 1;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w > max ? max : w;
}

/* Writes s (NULL as "-", "" as nothing) cut to max characters, control characters as '?'.
 * Returns the width written. */
static size_t
put_text(struct tw *t, const char *s, size_t max)
{
    size_t w = 0;
    if (!s) {
        adds(t, "-");
        return 1;
    }
    size_t full = text_width(s, (size_t)-1);
    size_t limit = full > max ? max - 3 : full;
    const char *p = s;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80) {
            if (w == limit)
                break;
            w++;
        }
        char ch = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        add(t, &ch, 1);
        p++;
    }
    if (full > max) {
        adds(t, "...");
        w += 3;
    }
    return w;
}

static void
table_init(struct table *tb, const char *const *head, size_t ncols, int sev_col)
{
    memset(tb, 0, sizeof(*tb));
    for (size_t i = 0; i < ncols; i++)
        tb->head[i] = head[i];
    tb->ncols = ncols;
    tb->sev_col = sev_col;
}

static struct row *
table_row(struct table *tb)
{
    if (tb->n == tb->cap) {
        tb->cap = tb->cap ? tb->cap * 2 : 16;
        struct row *nr = realloc(tb->rows, tb->cap * sizeof(*nr));
        if (!nr)
            abort();
        tb->rows = nr;
    }
    struct row *r = &tb->rows[tb->n++];
    memset(r, 0, sizeof(*r));
    r->sev = -1;
    return r;
}

static void
table_print(struct tw *t, struct table *tb)
{
    size_t width[NCOLS];
    for (size_t c = 0; c < tb->ncols; c++) {
        width[c] = text_width(tb->head[c], MAX_CELL);
        for (size_t i = 0; i < tb->n; i++) {
            const char *s = tb->rows[i].cell[c];
            size_t w = text_width(s, (size_t)-1);
            if (w > MAX_CELL)
                w = MAX_CELL;
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t c = 0; c < tb->ncols; c++) {
        size_t w = put_text(t, tb->head[c], MAX_CELL);
        if (c + 1 < tb->ncols)
            pad(t, width[c] - w + 2);
    }
    adds(t, "\n");
    for (size_t c = 0; c < tb->ncols; c++) {
        for (size_t k = 0; k < width[c]; k++)
            adds(t, "-");
        if (c + 1 < tb->ncols)
            pad(t, 2);
    }
    adds(t, "\n");
    for (size_t i = 0; i < tb->n; i++) {
        const struct row *r = &tb->rows[i];
        for (size_t c = 0; c < tb->ncols; c++) {
            bool colored = t->o->color && (int)c == tb->sev_col && r->sev >= 0 &&
                           *sev_color((enum bsn_severity)r->sev);
            if (colored)
                adds(t, sev_color((enum bsn_severity)r->sev));
            size_t w = put_text(t, r->cell[c], MAX_CELL);
            if (colored)
                adds(t, "\x1b[0m");
            /* The last column is not padded: no trailing blanks. */
            if (c + 1 < tb->ncols)
                pad(t, width[c] - w + 2);
        }
        adds(t, "\n");
    }
    free(tb->rows);
    tb->rows = NULL;
    tb->n = tb->cap = 0;
}

static void
heading(struct tw *t, const char *title)
{
    size_t w = put_text(t, title, 200);
    adds(t, "\n");
    for (size_t i = 0; i < w; i++)
        adds(t, "=");
    adds(t, "\n");
}

static void
totals(struct tw *t, const char *label, const size_t counts[BSN_SEV_COUNT])
{
    size_t total = 0;
    for (int s = 0; s < BSN_SEV_COUNT; s++)
        total += counts[s];
    char line[256];
    snprintf(line, sizeof(line), "%s: %zu (", label, total);
    adds(t, line);
    for (int s = BSN_SEV_UNKNOWN; s <= BSN_SEV_CRITICAL; s++) {
        bool colored = t->o->color && counts[s] && *sev_color((enum bsn_severity)s);
        if (colored)
            adds(t, sev_color((enum bsn_severity)s));
        snprintf(line, sizeof(line), "%s: %zu", bsn_rpt_sev((enum bsn_severity)s), counts[s]);
        adds(t, line);
        if (colored)
            adds(t, "\x1b[0m");
        if (s != BSN_SEV_CRITICAL)
            adds(t, ", ");
    }
    adds(t, ")\n");
}

static bool
is_os_type(const char *type)
{
    return type && (strcmp(type, "deb") == 0 || strcmp(type, "apk") == 0 ||
                    strcmp(type, "rpm") == 0);
}

/* The group title a finding is listed under. */
static void
group_title(const struct bsn_result *r, const struct bsn_package *p, char *dst, size_t n)
{
    const char *target = r->target ? r->target : "target";
    if (!p || is_os_type(p->type)) {
        if (r->has_os)
            snprintf(dst, n, "%s (%s %s)", target, r->os.family ? r->os.family : "unknown",
                     r->os.version ? r->os.version : "");
        else
            snprintf(dst, n, "%s (os packages)", target);
        return;
    }
    snprintf(dst, n, "%s (%s)", p->path && *p->path ? p->path : target,
             p->type ? p->type : "packages");
}

static int
cmp_group(const void *a, const void *b)
{
    const struct bsn_vuln *x = *(const struct bsn_vuln *const *)a;
    const struct bsn_vuln *y = *(const struct bsn_vuln *const *)b;
    /* OS packages first, then by file; inside a group the contract's finding order. */
    bool xo = !x->pkg || is_os_type(x->pkg->type), yo = !y->pkg || is_os_type(y->pkg->type);
    if (xo != yo)
        return xo ? -1 : 1;
    if (!xo) {
        const char *xp = x->pkg->path ? x->pkg->path : "", *yp = y->pkg->path ? y->pkg->path : "";
        int c = strcmp(xp, yp);
        if (c)
            return c;
        c = strcmp(x->pkg->type ? x->pkg->type : "", y->pkg->type ? y->pkg->type : "");
        if (c)
            return c;
    }
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    int c = strcmp(x->id ? x->id : "", y->id ? y->id : "");
    if (c)
        return c;
    c = strcmp(x->pkg && x->pkg->name ? x->pkg->name : "",
               y->pkg && y->pkg->name ? y->pkg->name : "");
    if (c)
        return c;
    return (x > y) - (x < y);
}

static void
vuln_section(struct tw *t, const struct bsn_result *r)
{
    const struct bsn_vuln **v = bsn_rpt_sorted_vulns(r);
    if (r->n_vulns > 1)
        qsort(v, r->n_vulns, sizeof(*v), cmp_group);
    char title[1024], prev[1024] = "";
    size_t i = 0;
    if (r->n_vulns == 0) {
        group_title(r, NULL, title, sizeof(title));
        heading(t, title);
        size_t zero[BSN_SEV_COUNT] = { 0 };
        totals(t, "Total", zero);
        adds(t, "\nNo vulnerabilities found.\n");
    }
    while (i < r->n_vulns) {
        group_title(r, v[i]->pkg, title, sizeof(title));
        memcpy(prev, title, sizeof(prev));
        size_t j = i, counts[BSN_SEV_COUNT] = { 0 };
        for (; j < r->n_vulns; j++) {
            char t2[1024];
            group_title(r, v[j]->pkg, t2, sizeof(t2));
            if (strcmp(t2, prev) != 0)
                break;
            unsigned s = (unsigned)v[j]->severity;
            counts[s < BSN_SEV_COUNT ? s : 0]++;
        }
        if (i > 0)
            adds(t, "\n");
        heading(t, title);
        totals(t, "Total", counts);
        adds(t, "\n");

        static const char *const head[] = { "LIBRARY", "VULNERABILITY", "SEVERITY", "STATUS",
                                            "INSTALLED", "FIXED", "TITLE", "NEW" };
        struct table tb;
        table_init(&tb, head, t->o->baseline ? 8 : 7, 2);
        /* Severity cells are built in a scratch block freed after printing. */
        char *sevtext = calloc(j - i, 64);
        if (!sevtext)
            abort();
        for (size_t k = i; k < j; k++) {
            const struct bsn_vuln *x = v[k];
            struct row *row = table_row(&tb);
            char *sv = sevtext + (k - i) * 64;
            if (x->severity_source)
                snprintf(sv, 64, "%s (%s)", bsn_rpt_sev(x->severity), x->severity_source);
            else
                snprintf(sv, 64, "%s", bsn_rpt_sev(x->severity));
            row->cell[0] = x->pkg ? x->pkg->name : NULL;
            row->cell[1] = x->id;
            row->cell[2] = sv;
            row->cell[3] = bsn_rpt_status(x->status);
            row->cell[4] = x->installed_version ? x->installed_version
                                                : (x->pkg ? x->pkg->version : NULL);
            row->cell[5] = x->fixed_version;
            row->cell[6] = x->title;
            row->cell[7] = x->is_new ? "NEW" : "";
            row->sev = (int)x->severity;
        }
        table_print(t, &tb);
        free(sevtext);
        i = j;
    }
    free(v);
}

static void
inventory_section(struct tw *t, const struct bsn_result *r)
{
    char title[1024];
    snprintf(title, sizeof(title), "%s (inventory)", r->target ? r->target : "target");
    heading(t, title);
    adds(t, "OS: ");
    if (r->has_os) {
        put_text(t, r->os.name ? r->os.name : r->os.family, 100);
        adds(t, " ");
        put_text(t, r->os.version, 40);
        if (r->os.eosl)
            adds(t, " (end of life)");
    } else {
        adds(t, "not detected");
    }
    char line[128];
    snprintf(line, sizeof(line), "\nPackages: %zu\n", r->n_packages);
    adds(t, line);
    const struct bsn_package **p = bsn_rpt_sorted_pkgs(r);
    for (size_t i = 0; i < r->n_packages;) {
        size_t j = i;
        while (j < r->n_packages && strcmp(p[j]->type ? p[j]->type : "",
                                           p[i]->type ? p[i]->type : "") == 0)
            j++;
        adds(t, "  ");
        put_text(t, p[i]->type, 20);
        snprintf(line, sizeof(line), ": %zu\n", j - i);
        adds(t, line);
        i = j;
    }
    free(p);
}

static void
secret_section(struct tw *t, const struct bsn_result *r)
{
    static const char *const head[] = { "SEVERITY", "RULE", "PATH", "LINE", "MATCH" };
    struct table tb;
    table_init(&tb, head, 5, 0);
    char *lines = calloc(r->n_secrets + 1, 24);
    if (!lines)
        abort();
    size_t counts[BSN_SEV_COUNT] = { 0 };
    for (size_t i = 0; i < r->n_secrets; i++) {
        const struct bsn_secret *s = &r->secrets[i];
        struct row *row = table_row(&tb);
        snprintf(lines + i * 24, 24, "%llu", (unsigned long long)s->line);
        row->cell[0] = bsn_rpt_sev(s->severity);
        row->cell[1] = s->rule_id;
        row->cell[2] = s->path;
        row->cell[3] = lines + i * 24;
        row->cell[4] = s->match;
        row->sev = (int)s->severity;
        counts[(unsigned)s->severity < BSN_SEV_COUNT ? s->severity : 0]++;
    }
    adds(t, "\n");
    heading(t, "Secrets");
    totals(t, "Total", counts);
    adds(t, "\n");
    table_print(t, &tb);
    free(lines);
}

static void
misconfig_section(struct tw *t, const struct bsn_result *r)
{
    static const char *const head[] = { "SEVERITY", "ID", "WHERE", "TITLE", "MESSAGE" };
    struct table tb;
    table_init(&tb, head, 5, 0);
    char *where = calloc(r->n_misconfigs + 1, 256);
    if (!where)
        abort();
    size_t counts[BSN_SEV_COUNT] = { 0 };
    for (size_t i = 0; i < r->n_misconfigs; i++) {
        const struct bsn_misconfig *m = &r->misconfigs[i];
        struct row *row = table_row(&tb);
        char *w = where + i * 256;
        if (m->path && m->line)
            snprintf(w, 256, "%s:%llu", m->path, (unsigned long long)m->line);
        else
            snprintf(w, 256, "%s", m->path ? m->path : (m->source ? m->source : "-"));
        row->cell[0] = bsn_rpt_sev(m->severity);
        row->cell[1] = m->id;
        row->cell[2] = w;
        row->cell[3] = m->title;
        row->cell[4] = m->message;
        row->sev = (int)m->severity;
        counts[(unsigned)m->severity < BSN_SEV_COUNT ? m->severity : 0]++;
    }
    adds(t, "\n");
    heading(t, "Misconfigurations");
    totals(t, "Total", counts);
    adds(t, "\n");
    table_print(t, &tb);
    free(where);
}

static void
suppressed_section(struct tw *t, const struct bsn_result *r)
{
    char line[128];
    snprintf(line, sizeof(line), "\nSuppressed: %zu\n", r->n_suppressed);
    adds(t, line);
    for (size_t i = 0; i < r->n_suppressed; i++) {
        adds(t, "  ");
        put_text(t, r->suppressed[i].id, 80);
        adds(t, " (");
        put_text(t, r->suppressed[i].package, 80);
        adds(t, "): ");
        put_text(t, r->suppressed[i].reason, 80);
        adds(t, "\n");
    }
}

static void
diag_section(struct tw *t, const struct bsn_result *r)
{
    adds(t, "\nWarnings:\n");
    for (size_t i = 0; i < r->n_diags; i++) {
        adds(t, "  - ");
        put_text(t, r->diags[i].message, 400);
        adds(t, "\n");
    }
}

static void
body(struct tw *t, const struct bsn_result *r)
{
    if (r->scanned_vuln)
        vuln_section(t, r);
    else
        inventory_section(t, r);
    if (r->n_secrets)
        secret_section(t, r);
    if (r->n_misconfigs)
        misconfig_section(t, r);
    if (r->n_suppressed)
        suppressed_section(t, r);
    if (r->n_diags)
        diag_section(t, r);
}

static bsn_code
table_write(const struct bsn_result *r, const struct bsn_report_opts *o, struct bsn_buf *out,
            struct bsn_err *err)
{
    struct tw t = { out, o, BSN_OK };
    size_t counts[BSN_SEV_COUNT] = { 0 };
    if (r->n_platforms) {
        for (size_t i = 0; i < r->n_platforms; i++) {
            const struct bsn_result *p = r->platforms[i];
            if (!p)
                continue;
            adds(&t, i ? "\n\n" : "");
            adds(&t, "Platform: ");
            put_text(&t, p->platform, 100);
            adds(&t, "\n\n");
            body(&t, p);
            size_t c[BSN_SEV_COUNT];
            bsn_rpt_count(p, c);
            for (int s = 0; s < BSN_SEV_COUNT; s++)
                counts[s] += c[s];
        }
        if (r->n_diags)
            diag_section(&t, r);
    } else {
        body(&t, r);
        bsn_rpt_count(r, counts);
    }
    if (r->scanned_vuln || r->n_platforms) {
        adds(&t, "\n");
        totals(&t, "Vulnerabilities", counts);
    }
    if (t.rc != BSN_OK)
        return bsn_err_set(err, BSN_ELIMIT, "table report exceeds %zu bytes", out->max);
    return BSN_OK;
}

const struct bsn_report_writer bsn_writer_table = {
    .name = "table",
    .mime = "text/plain",
    .write = table_write,
};
