/*
 * The misconfiguration checks shared by the image-config checker (src/scan/scan_misconfig.c)
 * and the Dockerfile analyzer: one table of ids, titles, severities and fixes (docs/misconfig.md
 * has a row per check), and the predicates both apply to instructions.
 */
#ifndef BSN_ANALYZER_MISCONFIG_CHECKS_H
#define BSN_ANALYZER_MISCONFIG_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"
#include "bosun.h"

enum bsn_check {
    BSN_CHECK_ROOT_USER = 0,   /* BSN-IMG-001 */
    BSN_CHECK_SECRET_ENV,      /* BSN-IMG-002 */
    BSN_CHECK_SECRET_ARG,      /* BSN-IMG-003 */
    BSN_CHECK_ADD_REMOTE,      /* BSN-IMG-004 */
    BSN_CHECK_LATEST_BASE,     /* BSN-IMG-005 */
    BSN_CHECK_NO_HEALTHCHECK,  /* BSN-IMG-006 */
    BSN_CHECK_SUDO,            /* BSN-IMG-007 */
    BSN_CHECK_CURL_PIPE_SH,    /* BSN-IMG-008 */
    BSN_CHECK_WORLD_WRITABLE,  /* BSN-IMG-009 */
    BSN_CHECK_SETUID,          /* BSN-IMG-010 */
    BSN_CHECK_COUNT,
};

struct bsn_check_info {
    const char *id;
    const char *title;
    enum bsn_severity severity;
    const char *resolution;
};

extern const struct bsn_check_info bsn_checks[BSN_CHECK_COUNT];

/* Fills m from the check's table row; message and the rest are the caller's. */
void bsn_check_fill(struct bsn_misconfig *m, enum bsn_check c);
/* A variable name that holds a credential: PASSWORD, DB_PASS, API_KEY, GITHUB_TOKEN, … */
bool bsn_check_secret_name(struct bsn_str name);
/* A value that is a real value, not empty and not a reference ("$X", "${X}"). */
bool bsn_check_literal_value(struct bsn_str value);
/* A shell command line that pipes a download into a shell: curl … | sh, wget -O- … | bash. */
bool bsn_check_curl_pipe_sh(struct bsn_str cmd);
/* A shell command line that runs sudo. */
bool bsn_check_sudo(struct bsn_str cmd);
/* An image reference without a tag or digest, or tagged latest (not "scratch"). */
bool bsn_check_latest_ref(struct bsn_str ref);
/* An ADD source that is a remote URL. */
bool bsn_check_remote_url(struct bsn_str src);

#endif
