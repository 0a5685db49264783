/*
 * Error codes and error context.
 *
 * A function that can fail returns a bsn_code and, where it fails, fills a struct bsn_err with
 * a message naming the file, layer, record or URL at fault. Callers add context on the way up
 * with bsn_err_prefix(), so the user reads
 *     layer 3 (sha256:1a2b…): var/lib/dpkg/status:1432: invalid Version field 'x:1'
 * Messages start lowercase, carry no trailing period, and quote the subject.
 * Only cli/ and server/ turn codes into exit or HTTP statuses.
 */
#ifndef BSN_BASE_ERR_H
#define BSN_BASE_ERR_H

#include <stdarg.h>

typedef enum bsn_code {
    BSN_OK = 0,
    BSN_EINVAL,      /* bad arguments or usage */
    BSN_EIO,         /* a file cannot be read or written */
    BSN_EFORMAT,     /* input is malformed (includes digest mismatches) */
    BSN_EUNSUPPORTED,/* well-formed input we do not handle */
    BSN_ELIMIT,      /* input exceeds a configured bound */
    BSN_ENOTFOUND,   /* the named thing does not exist */
    BSN_EDB,         /* vulnerability database missing, corrupt or of the wrong schema */
    BSN_ENET,        /* network or registry error */
    BSN_EAUTH,       /* authentication refused */
    BSN_ECANCELED,   /* stopped on request */
} bsn_code;

struct bsn_err {
    bsn_code code;
    int sys;        /* errno where one applies, else 0 */
    char msg[512];
};

#if defined(__GNUC__)
#define BSN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define BSN_MUST_USE __attribute__((warn_unused_result))
#define BSN_NORETURN __attribute__((noreturn))
#else
#define BSN_PRINTF(f, a)
#define BSN_MUST_USE
#define BSN_NORETURN
#endif

/* Sets err (may be NULL) and returns code, so that `return bsn_err_set(err, …);` reads well. */
bsn_code bsn_err_set(struct bsn_err *err, bsn_code code, const char *fmt, ...) BSN_PRINTF(3, 4);
bsn_code bsn_err_vset(struct bsn_err *err, bsn_code code, const char *fmt, va_list ap)
    BSN_PRINTF(3, 0);
/* Like bsn_err_set, and appends ": strerror(sys)". */
bsn_code bsn_err_sys(struct bsn_err *err, bsn_code code, int sys, const char *fmt, ...)
    BSN_PRINTF(4, 5);
/* Prepends "context: " to the message; keeps the code. Returns err->code. */
bsn_code bsn_err_prefix(struct bsn_err *err, const char *fmt, ...) BSN_PRINTF(2, 3);
void bsn_err_clear(struct bsn_err *err);
const char *bsn_code_name(bsn_code code);

BSN_NORETURN void bsn_bug_at(const char *file, int line, const char *msg);
#define BSN_BUG(msg) bsn_bug_at(__FILE__, __LINE__, (msg))

#define BSN_TRY(x)                 \
    do {                           \
        bsn_code rc_ = (x);        \
        if (rc_ != BSN_OK)         \
            return rc_;            \
    } while (0)

#endif
