/*
 * Dockerfile misconfiguration checks (the same checks as the image-config checker, with line
 * numbers): Dockerfile, Containerfile, *.Dockerfile, Dockerfile.* in a project tree or image.
 *
 * Format: https://docs.docker.com/reference/dockerfile/ — instructions are case-insensitive,
 * a trailing escape character (default '\', or the "# escape=`" parser directive) continues
 * a line, comment lines inside continuations are dropped, exec form is a JSON array.
 * Multi-stage builds: only the final stage becomes the image, so USER and HEALTHCHECK are
 * judged there; FROM of an earlier stage's name is not an unpinned base.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/misconfig_checks.h"
#include "base/buf.h"

#define MAX_STAGES 64

#define REPORT(d, c, line, ...)                          \
    do {                                                 \
        char msg_[300];                                  \
        snprintf(msg_, sizeof(msg_), __VA_ARGS__);       \
        report_msg((d), (c), (line), msg_);              \
    } while (0)

struct df {
    struct bsn_actx *ctx;
    struct bsn_str stages[MAX_STAGES];
    size_t n_stages;
    uint64_t last_from_line;
    bool user_set;        /* in the final stage */
    bool user_root;
    uint64_t user_line;
    bool healthcheck;     /* in the final stage */
};

static void
report_msg(struct df *d, enum bsn_check c, uint64_t line, const char *msg)
{
    struct bsn_misconfig m = { 0 };
    bsn_check_fill(&m, c);
    m.message = msg;
    m.source = "dockerfile";
    m.line = line;
    bsn_actx_add_misconfig(d->ctx, &m);
}

/* Skips "--flag=value" options at the start of args. */
static struct bsn_str
skip_flags(struct bsn_str a)
{
    for (;;) {
        a = bsn_str_trim(a);
        if (!bsn_str_starts(a, "--"))
            return a;
        while (a.len && !isspace((unsigned char)a.ptr[0])) {
            a.ptr++;
            a.len--;
        }
    }
}

static struct bsn_str
first_word(struct bsn_str a, struct bsn_str *rest)
{
    a = bsn_str_trim(a);
    size_t n = 0;
    while (n < a.len && !isspace((unsigned char)a.ptr[n]))
        n++;
    *rest = bsn_str_make(a.ptr + n, a.len - n);
    return bsn_str_make(a.ptr, n);
}

static void
check_from(struct df *d, struct bsn_str args, uint64_t line)
{
    struct bsn_str rest;
    struct bsn_str ref = first_word(skip_flags(args), &rest);
    bool is_stage = false;
    for (size_t i = 0; i < d->n_stages; i++)
        if (bsn_str_eq(d->stages[i], ref))
            is_stage = true;
    if (!is_stage && bsn_check_latest_ref(ref))
        REPORT(d, BSN_CHECK_LATEST_BASE, line, "base image '%.*s' is not pinned to a version",
               BSN_STR_ARG(ref));
    struct bsn_str as = first_word(rest, &rest);
    if (bsn_str_ieq_cstr(as, "as") && d->n_stages < MAX_STAGES)
        d->stages[d->n_stages++] = first_word(rest, &rest);
    d->last_from_line = line;
    d->user_set = false;
    d->user_root = false;
    d->healthcheck = false;
}

/* ENV K=V K2="v 2" | ENV K V ; ARG K[=V] */
static void
check_assignments(struct df *d, struct bsn_str args, uint64_t line, bool is_arg)
{
    args = bsn_str_trim(args);
    ptrdiff_t eq = bsn_str_chr(args, '=');
    ptrdiff_t sp = -1;
    for (size_t i = 0; i < args.len; i++)
        if (isspace((unsigned char)args.ptr[i])) {
            sp = (ptrdiff_t)i;
            break;
        }
    if (!is_arg && (eq < 0 || (sp >= 0 && sp < eq))) {
        /* legacy "ENV KEY value" */
        struct bsn_str rest, key = first_word(args, &rest);
        if (bsn_check_secret_name(key) && bsn_check_literal_value(rest))
            REPORT(d, BSN_CHECK_SECRET_ENV, line, "ENV sets '%.*s' to a literal value",
                   BSN_STR_ARG(key));
        return;
    }
    struct bsn_str cur = args;
    while (cur.len) {
        cur = bsn_str_trim(cur);
        size_t n = 0;
        while (n < cur.len && cur.ptr[n] != '=' && !isspace((unsigned char)cur.ptr[n]))
            n++;
        struct bsn_str key = bsn_str_make(cur.ptr, n);
        struct bsn_str val = bsn_str_make(cur.ptr + n, 0);
        cur.ptr += n;
        cur.len -= n;
        bool has_value = cur.len && cur.ptr[0] == '=';
        if (has_value) {
            cur.ptr++;
            cur.len--;
            size_t k = 0;
            char q = cur.len && (cur.ptr[0] == '"' || cur.ptr[0] == '\'') ? cur.ptr[0] : 0;
            if (q) {
                k = 1;
                while (k < cur.len && cur.ptr[k] != q)
                    k += (cur.ptr[k] == '\\' && k + 1 < cur.len) ? 2 : 1;
                if (k < cur.len)
                    k++;
            } else {
                while (k < cur.len && !isspace((unsigned char)cur.ptr[k]))
                    k++;
            }
            val = bsn_str_make(cur.ptr, k);
            cur.ptr += k;
            cur.len -= k;
        }
        if (!key.len)
            break;
        if (!bsn_check_secret_name(key))
            continue;
        if (is_arg)
            REPORT(d, BSN_CHECK_SECRET_ARG, line,
                   "build argument '%.*s' holds a secret; its value is kept in the image history",
                   BSN_STR_ARG(key));
        else if (has_value && bsn_check_literal_value(val))
            REPORT(d, BSN_CHECK_SECRET_ENV, line, "ENV sets '%.*s' to a literal value",
                   BSN_STR_ARG(key));
    }
}

static void
check_instruction(struct df *d, struct bsn_str kw, struct bsn_str args, uint64_t line)
{
    if (bsn_str_ieq_cstr(kw, "FROM")) {
        check_from(d, args, line);
    } else if (bsn_str_ieq_cstr(kw, "USER")) {
        struct bsn_str rest, u = first_word(args, &rest);
        d->user_set = true;
        d->user_line = line;
        d->user_root = bsn_str_eq_cstr(u, "root") || bsn_str_eq_cstr(u, "0") ||
                       bsn_str_starts(u, "root:") || bsn_str_starts(u, "0:");
    } else if (bsn_str_ieq_cstr(kw, "ENV")) {
        check_assignments(d, args, line, false);
    } else if (bsn_str_ieq_cstr(kw, "ARG")) {
        check_assignments(d, args, line, true);
    } else if (bsn_str_ieq_cstr(kw, "ADD")) {
        struct bsn_str cur = skip_flags(args), rest, w;
        while ((w = first_word(cur, &rest)).len) {
            if (bsn_check_remote_url(w)) {
                REPORT(d, BSN_CHECK_ADD_REMOTE, line, "ADD fetches '%.*s'", BSN_STR_ARG(w));
                break;
            }
            cur = rest;
        }
    } else if (bsn_str_ieq_cstr(kw, "RUN")) {
        struct bsn_str cmd = skip_flags(args);
        if (bsn_check_curl_pipe_sh(cmd))
            REPORT(d, BSN_CHECK_CURL_PIPE_SH, line, "RUN pipes a download into a shell: %.*s",
                   BSN_STR_ARG(cmd));
        if (bsn_check_sudo(cmd))
            REPORT(d, BSN_CHECK_SUDO, line, "RUN uses sudo: %.*s", BSN_STR_ARG(cmd));
    } else if (bsn_str_ieq_cstr(kw, "HEALTHCHECK")) {
        struct bsn_str rest, w = first_word(skip_flags(args), &rest);
        d->healthcheck = !bsn_str_ieq_cstr(w, "NONE");
    }
}

static bsn_code
parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct df d;
    memset(&d, 0, sizeof(d));
    d.ctx = ctx;
    char escape = '\\';
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    struct bsn_buf logical;
    bsn_buf_init(&logical, 1u << 20);
    uint64_t lineno = 0, start = 0;
    bool in_directives = true, have_from = false;

    while (bsn_sp_line(&cur, &line) == 0) {
        lineno++;
        struct bsn_str t = bsn_str_trim(line);
        if (in_directives && bsn_str_starts(t, "#")) {
            struct bsn_str dir = bsn_str_trim(bsn_str_make(t.ptr + 1, t.len - 1));
            if (bsn_str_starts(dir, "escape=") && dir.len == 8)
                escape = dir.ptr[7];
            continue;
        }
        in_directives = false;
        if (!logical.len && (!t.len || t.ptr[0] == '#'))
            continue;
        if (logical.len && t.len && t.ptr[0] == '#')
            continue; /* comments inside a continuation are dropped */
        if (!logical.len)
            start = lineno;
        bool cont = t.len && t.ptr[t.len - 1] == escape;
        struct bsn_str part = cont ? bsn_str_make(t.ptr, t.len - 1) : t;
        if (bsn_buf_add(&logical, part.ptr, part.len) != BSN_OK ||
            bsn_buf_addc(&logical, ' ') != BSN_OK) {
            bsn_buf_release(&logical);
            return bsn_err_set(err, BSN_ELIMIT, "line %llu: instruction over 1 MiB",
                               (unsigned long long)start);
        }
        if (cont)
            continue;
        struct bsn_str rest, kw = first_word(bsn_buf_str(&logical), &rest);
        if (bsn_str_ieq_cstr(kw, "FROM"))
            have_from = true;
        check_instruction(&d, kw, rest, start);
        bsn_buf_reset(&logical);
    }
    if (logical.len) {
        struct bsn_str rest, kw = first_word(bsn_buf_str(&logical), &rest);
        check_instruction(&d, kw, rest, start);
    }
    bsn_buf_release(&logical);
    if (!have_from) {
        bsn_actx_warn(ctx, "no FROM instruction: not a Dockerfile, not checked");
        return BSN_OK;
    }
    if (!d.user_set || d.user_root)
        REPORT(&d, BSN_CHECK_ROOT_USER, d.user_set ? d.user_line : d.last_from_line, "%s",
               d.user_set ? "the final stage sets USER to root"
                          : "the final stage sets no USER: it runs as root");
    if (!d.healthcheck)
        REPORT(&d, BSN_CHECK_NO_HEALTHCHECK, d.last_from_line, "%s",
               "the final stage has no HEALTHCHECK");
    return BSN_OK;
}

static bool
wants(const struct bsn_path *p)
{
    struct bsn_str b = bsn_str_make(p->base, p->base_len);
    return bsn_str_eq_cstr(b, "Dockerfile") || bsn_str_eq_cstr(b, "Containerfile") ||
           bsn_str_starts(b, "Dockerfile.") || bsn_str_ends(b, ".Dockerfile") ||
           bsn_str_ends(b, ".dockerfile");
}

static const char *const names[] = { "Dockerfile", "Containerfile", NULL };
static const char *const exts[] = { ".Dockerfile", ".dockerfile", NULL };

const struct bsn_analyzer bsn_analyzer_dockerfile = {
    .name = "dockerfile",
    .version = 1,
    .max_input = 4u << 20,
    .names = names,
    .exts = exts,
    .wants = wants,
    .parse = parse,
    .scanner = BSN_SCAN_MISCONFIG,
};
