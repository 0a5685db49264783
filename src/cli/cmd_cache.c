/* 'bosun cache clean': empties the per-layer analysis cache. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "bosun.h"
#include "cli/cli.h"

static void
help(void)
{
    printf("usage: bosun cache clean [--cache-dir DIR]\n\n"
           "Empties the per-layer analysis cache (default $XDG_CACHE_HOME/bosun, else\n"
           "~/.cache/bosun). The vulnerability database is not touched.\n");
}

int
bsn_cmd_cache(int argc, char **argv)
{
    static const struct option opts[] = {
        { "cache-dir", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (ch == 'h') {
            help();
            return 0;
        }
        if (ch == 'c') {
            dir = optarg;
            continue;
        }
        return bsn_cli_usage("cache", "unknown or incomplete flag '%s'", argv[optind - 1]);
    }
    if (optind >= argc || strcmp(argv[optind], "clean") != 0 || optind + 1 != argc)
        return bsn_cli_usage("cache", "expected 'clean'");
    struct bsn_buf b;
    bsn_buf_init(&b, 8192);
    if (!dir) {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        bsn_code rc = xdg && *xdg ? bsn_buf_addf(&b, "%s/bosun", xdg)
                                  : bsn_buf_addf(&b, "%s/.cache/bosun", home ? home : "/tmp");
        if (rc != BSN_OK)
            return bsn_cli_usage("cache", "cache path too long");
        dir = b.ptr;
    }
    struct bsn_err err;
    bsn_err_clear(&err);
    int status = 0;
    if (bsn_cache_clean(dir, &err) != BSN_OK)
        status = bsn_cli_fail(&err);
    bsn_buf_release(&b);
    return status;
}
