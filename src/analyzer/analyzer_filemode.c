/*
 * File-mode misconfigurations, decided from the tar header alone (no content is read):
 * world-writable files in PATH directories (BSN-IMG-009), and setuid/setgid files
 * (BSN-IMG-010). Setuid programs that an OS package installs (su, passwd, mount …) are the
 * distribution's, not the image's: the merge drops BSN-IMG-010 for files an OS package owns,
 * so what remains was added by the image's own layers.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/analyzer.h"
#include "analyzer/misconfig_checks.h"

static const char *const path_dirs[] = { "usr/local/sbin/", "usr/local/bin/", "usr/sbin/",
                                         "usr/bin/", "sbin/", "bin/", NULL };

static bool
in_path_dir(const struct bsn_path *p)
{
    struct bsn_str s = bsn_str_make(p->path, p->len);
    for (size_t i = 0; path_dirs[i]; i++) {
        size_t n = strlen(path_dirs[i]);
        /* directly inside the directory, not in a subdirectory of it */
        if (bsn_str_starts(s, path_dirs[i]) && !memchr(p->path + n, '/', p->len - n))
            return true;
    }
    return false;
}

static bool
wants(const struct bsn_path *p)
{
    if (!S_ISREG(p->mode))
        return false;
    return (p->mode & (S_ISUID | S_ISGID)) || ((p->mode & S_IWOTH) && in_path_dir(p));
}

static bsn_code
stream_begin(struct bsn_actx *ctx, const struct bsn_path *p, void **state, struct bsn_err *err)
{
    (void)state;
    (void)err;
    struct bsn_misconfig m = { 0 };
    char msg[300];
    m.source = "file";
    if ((p->mode & S_IWOTH) && in_path_dir(p)) {
        bsn_check_fill(&m, BSN_CHECK_WORLD_WRITABLE);
        snprintf(msg, sizeof(msg), "'/%s' is writable by every user (mode %04o)", p->path,
                 (unsigned)(p->mode & 07777));
        m.message = msg;
        bsn_actx_add_misconfig(ctx, &m);
    }
    if (p->mode & (S_ISUID | S_ISGID)) {
        bsn_check_fill(&m, BSN_CHECK_SETUID);
        snprintf(msg, sizeof(msg), "'/%s' is %s (mode %04o)", p->path,
                 (p->mode & S_ISUID) ? "setuid" : "setgid", (unsigned)(p->mode & 07777));
        m.message = msg;
        bsn_actx_add_misconfig(ctx, &m);
    }
    return BSN_ECANCELED; /* decided from the header: no bytes needed */
}

static bsn_code
stream_data(struct bsn_actx *ctx, void *state, const void *buf, size_t len, struct bsn_err *err)
{
    (void)ctx;
    (void)state;
    (void)buf;
    (void)len;
    (void)err;
    return BSN_ECANCELED;
}

static bsn_code
stream_end(struct bsn_actx *ctx, void *state, struct bsn_err *err)
{
    (void)ctx;
    (void)state;
    (void)err;
    return BSN_OK;
}

const struct bsn_analyzer bsn_analyzer_filemode = {
    .name = "filemode",
    .version = 1,
    .wants = wants,
    .stream_begin = stream_begin,
    .stream_data = stream_data,
    .stream_end = stream_end,
    .scanner = BSN_SCAN_MISCONFIG,
};
