/* Shared front-end helpers: error printing, the code-to-exit-status table, atomic output. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/cli.h"

int
bsn_cli_exit_for(bsn_code code)
{
    switch (code) {
    case BSN_OK:
        return BSN_EXIT_OK;
    case BSN_EINVAL:
        return BSN_EXIT_USAGE;
    case BSN_EIO:
    case BSN_EFORMAT:
    case BSN_EUNSUPPORTED:
    case BSN_ELIMIT:
    case BSN_ENOTFOUND:
        return BSN_EXIT_TARGET;
    case BSN_EDB:
        return BSN_EXIT_DB;
    case BSN_ENET:
    case BSN_EAUTH:
        return BSN_EXIT_NET;
    case BSN_ECANCELED:
        return 130;
    }
    return 1;
}

void
bsn_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("bosun: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int
bsn_cli_fail(const struct bsn_err *err)
{
    bsn_cli_error("%s", err->msg[0] ? err->msg : bsn_code_name(err->code));
    return bsn_cli_exit_for(err->code);
}

int
bsn_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bosun %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; see 'bosun %s --help'\n", cmd);
    return BSN_EXIT_USAGE;
}

bool
bsn_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

bsn_code
bsn_cli_write_atomic(const char *path, const char *data, size_t len, struct bsn_err *err)
{
    if (!path || strcmp(path, "-") == 0) {
        if (len && fwrite(data, 1, len, stdout) != len)
            return bsn_err_sys(err, BSN_EIO, errno, "cannot write the report to stdout");
        fflush(stdout);
        return BSN_OK;
    }
    /* Only a regular file is replaced atomically; a device or pipe (-o /dev/stdout,
     * /dev/null, a FIFO) is written in place, never renamed over. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        FILE *f = fopen(path, "w");
        if (!f)
            return bsn_err_sys(err, BSN_EIO, errno, "cannot open '%s'", path);
        size_t wrote = len ? fwrite(data, 1, len, f) : 0;
        if (fclose(f) != 0 || wrote != len)
            return bsn_err_sys(err, BSN_EIO, errno, "cannot write '%s'", path);
        return BSN_OK;
    }
    struct bsn_buf tmp;
    bsn_buf_init(&tmp, 8192);
    if (bsn_buf_addf(&tmp, "%s.tmp.XXXXXX", path) != BSN_OK)
        return bsn_err_set(err, BSN_EINVAL, "output path too long: '%s'", path);
    int fd = mkstemp(tmp.ptr);
    if (fd < 0) {
        bsn_code rc = bsn_err_sys(err, BSN_EIO, errno, "cannot create '%s'", tmp.ptr);
        bsn_buf_release(&tmp);
        return rc;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            bsn_code rc = bsn_err_sys(err, BSN_EIO, errno, "cannot write '%s'", path);
            close(fd);
            unlink(tmp.ptr);
            bsn_buf_release(&tmp);
            return rc;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0) {
        bsn_code rc = bsn_err_sys(err, BSN_EIO, errno, "cannot write '%s'", path);
        unlink(tmp.ptr);
        bsn_buf_release(&tmp);
        return rc;
    }
    if (rename(tmp.ptr, path) != 0) {
        bsn_code rc = bsn_err_sys(err, BSN_EIO, errno, "cannot rename onto '%s'", path);
        unlink(tmp.ptr);
        bsn_buf_release(&tmp);
        return rc;
    }
    bsn_buf_release(&tmp);
    return BSN_OK;
}
