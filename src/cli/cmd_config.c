/*
 * 'bosun config [flags] PATH': the misconfiguration checks on a Dockerfile, or on every
 * Dockerfile (Dockerfile, Containerfile, *.Dockerfile) under a directory, with line numbers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "bosun.h"
#include "cli/cli.h"
#include "report/report.h"

static void
help(void)
{
    printf("usage: bosun config [flags] PATH\n\n"
           "Checks a Dockerfile, or every Dockerfile and Containerfile under a directory, for\n"
           "risky configuration (root user, secrets in ENV/ARG, ADD of URLs, unpinned base\n"
           "images, no HEALTHCHECK, sudo, curl | sh). docs/misconfig.md lists the checks.\n\n"
           "flags:\n"
           "  -f, --format FMT     table (default), json, sarif\n"
           "  -o, --output FILE    write the report to FILE (atomically)\n"
           "      --exit-code N    exit with N when a check fails\n"
           "  -q, --quiet          no log lines\n"
           "  -h, --help           this help\n");
}

int
bsn_cmd_config(int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "exit-code", required_argument, NULL, 'e' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *format = "table", *output = NULL;
    long exit_code = -1;
    bool quiet = false;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "f:o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'e': {
            char *end;
            exit_code = strtol(optarg, &end, 10);
            if (*end || exit_code < 0 || exit_code > 255)
                return bsn_cli_usage("config", "invalid --exit-code '%s' (0-255)", optarg);
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            return bsn_cli_usage("config", "unknown or incomplete flag '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bsn_cli_usage("config", optind >= argc ? "missing PATH" : "expected one PATH");
    const char *path = argv[optind];
    const struct bsn_report_writer *w = bsn_report_find(format);
    if (!w)
        return bsn_cli_usage("config", "unknown --format '%s' (table, json, sarif)", format);

    struct bsn_scan_opts o;
    bsn_scan_opts_init(&o);
    o.scanners = BSN_SCAN_MISCONFIG;
    struct bsn_err err;
    bsn_err_clear(&err);
    struct bsn_result *r = NULL;
    struct stat st;
    bsn_code rc;
    if (stat(path, &st) != 0) {
        bsn_cli_error("cannot open '%s': No such file or directory", path);
        return BSN_EXIT_TARGET;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = bsn_scan(path, BSN_ARTIFACT_FS, &o, &r, &err);
    } else {
        /* A single file is checked whatever its name. */
        const char *image_path = "Dockerfile";
        rc = bsn_scan_files(1, &image_path, &path, &o, &r, &err);
        if (rc == BSN_OK) {
            r->target = path;
            for (size_t i = 0; i < r->n_misconfigs; i++)
                r->misconfigs[i].path = path;
        }
    }
    if (rc != BSN_OK)
        return bsn_cli_fail(&err);
    if (!quiet)
        for (size_t i = 0; i < r->n_diags; i++)
            fprintf(stderr, "bosun: warning: %s\n", r->diags[i].message);
    struct bsn_report_opts ro;
    bsn_report_opts_init(&ro);
    ro.color = strcmp(w->name, "table") == 0 && !output && isatty(STDOUT_FILENO);
    struct bsn_buf out;
    bsn_buf_init(&out, (size_t)1 << 30);
    int status = 0;
    rc = w->write(r, &ro, &out, &err);
    if (rc == BSN_OK)
        rc = bsn_cli_write_atomic(output, out.ptr, out.len, &err);
    if (rc != BSN_OK)
        status = bsn_cli_fail(&err);
    else if (exit_code >= 0 && r->n_misconfigs)
        status = (int)exit_code;
    bsn_buf_release(&out);
    bsn_result_free(r);
    return status;
}
