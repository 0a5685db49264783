/*
 * The command-line front end: one file per command (cmd_image.c, cmd_db.c, …), each exporting
 * one `int bsn_cmd_NAME(int argc, char **argv)` listed in main.c's table. argv[0] is the
 * command name. Commands print, read the environment and choose exit statuses; the library
 * does none of these.
 */
#ifndef BSN_CLI_H
#define BSN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

/* Exit statuses of CONTRACT.md. */
enum {
    BSN_EXIT_OK = 0,
    BSN_EXIT_USAGE = 2,
    BSN_EXIT_TARGET = 3,
    BSN_EXIT_DB = 4,
    BSN_EXIT_NET = 5,
};

/* The one table from error codes to exit statuses. */
int bsn_cli_exit_for(bsn_code code);
/* "bosun: MESSAGE" on stderr, one line. */
void bsn_cli_error(const char *fmt, ...) BSN_PRINTF(1, 2);
/* Prints err's message and returns the exit status for its code. */
int bsn_cli_fail(const struct bsn_err *err);
/* Prints a usage error ("bosun CMD: …; see 'bosun CMD --help'") and returns 2. */
int bsn_cli_usage(const char *cmd, const char *fmt, ...) BSN_PRINTF(2, 3);
/* True if argv holds -h or --help before any "--". */
bool bsn_cli_wants_help(int argc, char **argv);

/* Writes data to path atomically (temp file in the same directory, fsync, rename); path "-"
 * or NULL writes to stdout. */
bsn_code bsn_cli_write_atomic(const char *path, const char *data, size_t len,
                              struct bsn_err *err);

int bsn_cmd_image(int argc, char **argv);
int bsn_cmd_rootfs(int argc, char **argv);
int bsn_cmd_fs(int argc, char **argv);
int bsn_cmd_sbom(int argc, char **argv);
int bsn_cmd_config(int argc, char **argv);
int bsn_cmd_db(int argc, char **argv);
int bsn_cmd_vercmp(int argc, char **argv);
int bsn_cmd_cache(int argc, char **argv);
int bsn_cmd_server(int argc, char **argv);

#endif
