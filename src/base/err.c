/* Error context: formatting, prefixing and the programmer-error abort. */
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bsn_code
bsn_err_vset(struct bsn_err *err, bsn_code code, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    err->sys = 0;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

bsn_code
bsn_err_set(struct bsn_err *err, bsn_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bsn_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

bsn_code
bsn_err_sys(struct bsn_err *err, bsn_code code, int sys, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return code;
    va_start(ap, fmt);
    bsn_err_vset(err, code, fmt, ap);
    va_end(ap);
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(sys));
    err->sys = sys;
    return code;
}

bsn_code
bsn_err_prefix(struct bsn_err *err, const char *fmt, ...)
{
    char pre[256];
    char old[sizeof(err->msg)];
    va_list ap;

    if (!err)
        return BSN_OK;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    /* Truncation keeps the context and the start of the message: that is what matters. */
    size_t n = strnlen(pre, sizeof(pre));
    if (n > sizeof(err->msg) - 3)
        n = sizeof(err->msg) - 3;
    memcpy(err->msg, pre, n);
    err->msg[n] = ':';
    err->msg[n + 1] = ' ';
    size_t room = sizeof(err->msg) - n - 2;
    size_t m = strnlen(old, sizeof(old));
    if (m > room - 1)
        m = room - 1;
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
    return err->code;
}

void
bsn_err_clear(struct bsn_err *err)
{
    if (!err)
        return;
    err->code = BSN_OK;
    err->sys = 0;
    err->msg[0] = '\0';
}

const char *
bsn_code_name(bsn_code code)
{
    static const char *const names[] = {
        [BSN_OK] = "ok",
        [BSN_EINVAL] = "invalid argument",
        [BSN_EIO] = "i/o error",
        [BSN_EFORMAT] = "malformed input",
        [BSN_EUNSUPPORTED] = "unsupported",
        [BSN_ELIMIT] = "limit exceeded",
        [BSN_ENOTFOUND] = "not found",
        [BSN_EDB] = "database error",
        [BSN_ENET] = "network error",
        [BSN_EAUTH] = "authentication failed",
        [BSN_ECANCELED] = "canceled",
    };
    if ((unsigned)code < sizeof(names) / sizeof(names[0]) && names[code])
        return names[code];
    return "unknown error";
}

void
bsn_bug_at(const char *file, int line, const char *msg)
{
    fprintf(stderr, "BUG: %s:%d: %s\n", file, line, msg);
    abort();
}
