/*
 * 'bosun vercmp': compare two versions of a scheme, or test one against a range.
 *
 *   bosun vercmp SCHEME A B              prints <, = or >
 *   bosun vercmp SCHEME V --in RANGE     prints true or false
 *
 * An unknown scheme, an invalid version or a malformed range exits 2 with one line on stderr.
 * Hidden, for the differential tests: "--batch" reads "A<TAB>B" lines from stdin and prints
 * one result per line ("<", "=", ">", or "invalid" when either side is not a valid version);
 * "--batch --in" reads "V<TAB>RANGE" lines and prints "true", "false" or "invalid".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bosun.h"
#include "cli/cli.h"

static void
help(void)
{
    printf("usage: bosun vercmp SCHEME A B\n"
           "       bosun vercmp SCHEME VERSION --in RANGE\n\n"
           "Compares two versions the way SCHEME orders them and prints <, = or >, or tells\n"
           "whether VERSION lies inside RANGE and prints true or false. Exits 2 on an\n"
           "unknown scheme, an invalid version or a malformed range.\n\n"
           "Schemes:");
    for (size_t i = 0; bsn_version_scheme_name(i); i++)
        printf(" %s", bsn_version_scheme_name(i));
    printf("\n\n"
           "RANGE is an OSV event list or a constraint in a feed's own syntax:\n"
           "  osv:introduced=1.0;fixed=1.4.2         affected from 1.0, fixed in 1.4.2\n"
           "  osv:introduced=0;last_affected=2.1     everything up to and including 2.1\n"
           "  npm:>=1.2.0 <1.2.5 || ^2.0.0            node-semver range\n"
           "  pep440:>=1.0,!=1.3.*,<2                 PEP 440 specifiers\n"
           "  maven:[1.0,2.0)                         Maven version range\n"
           "  gem:~> 2.3, >= 2.3.1                    RubyGems requirement\n"
           "  go:>= 1.2.0, < 1.3.0   cargo:>= 1.2, < 1.4\n"
           "  cmp:>= 1.2, < 1.3                       comparators for any scheme\n"
           "A RANGE without a prefix is read in SCHEME's own syntax.\n\n"
           "Examples:\n"
           "  bosun vercmp deb 1:2.0-1 2.5-1          >\n"
           "  bosun vercmp npm 1.2.4 --in '^1.2.0'    true\n");
}

static const char *
sign_text(int c)
{
    return c < 0 ? "<" : c > 0 ? ">" : "=";
}

static int
batch(const char *scheme, bool in_mode)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    struct bsn_err err;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        char *tab = strchr(line, '\t');
        if (!tab) {
            free(line);
            bsn_cli_error("vercmp --batch: expected two tab-separated fields per line");
            return BSN_EXIT_USAGE;
        }
        *tab = 0;
        bsn_err_clear(&err);
        if (in_mode) {
            bool in = false;
            if (bsn_version_in_range(scheme, line, tab + 1, &in, &err) == BSN_OK)
                puts(in ? "true" : "false");
            else if (err.code == BSN_ENOTFOUND)
                goto unknown;
            else
                puts("invalid");
        } else {
            int c = 0;
            if (bsn_version_compare(scheme, line, tab + 1, &c, &err) == BSN_OK)
                puts(sign_text(c));
            else if (err.code == BSN_ENOTFOUND)
                goto unknown;
            else
                puts("invalid");
        }
    }
    free(line);
    return fflush(stdout) == 0 ? BSN_EXIT_OK : 1;
unknown:
    free(line);
    bsn_cli_error("%s", err.msg);
    return BSN_EXIT_USAGE;
}

int
bsn_cmd_vercmp(int argc, char **argv)
{
    const char *pos[3] = { NULL, NULL, NULL };
    const char *range = NULL;
    bool batch_mode = false, in_flag = false;
    int npos = 0;
    if (bsn_cli_wants_help(argc, argv)) {
        help();
        return BSN_EXIT_OK;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--in") == 0) {
            in_flag = true;
            if (!batch_mode && i + 1 < argc && strcmp(argv[i + 1], "--batch") != 0)
                range = argv[++i];
        } else if (strncmp(argv[i], "--in=", 5) == 0) {
            in_flag = true;
            range = argv[i] + 5;
        } else if (strcmp(argv[i], "--batch") == 0) {
            batch_mode = true;
        } else if (strcmp(argv[i], "--") == 0) {
            for (i++; i < argc; i++) {
                if (npos == 3)
                    return bsn_cli_usage("vercmp", "too many arguments");
                pos[npos++] = argv[i];
            }
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return bsn_cli_usage("vercmp", "unknown flag '%s'", argv[i]);
        } else {
            if (npos == 3)
                return bsn_cli_usage("vercmp", "too many arguments");
            pos[npos++] = argv[i];
        }
    }
    if (batch_mode) {
        if (npos != 1 || range)
            return bsn_cli_usage("vercmp", "--batch takes only SCHEME (and --in)");
        return batch(pos[0], in_flag);
    }
    struct bsn_err err;
    bsn_err_clear(&err);
    if (in_flag) {
        if (!range)
            return bsn_cli_usage("vercmp", "--in needs a RANGE");
        if (npos != 2)
            return bsn_cli_usage("vercmp", "expected SCHEME VERSION --in RANGE");
        bool in = false;
        if (bsn_version_in_range(pos[0], pos[1], range, &in, &err) != BSN_OK) {
            bsn_cli_error("%s", err.msg);
            return BSN_EXIT_USAGE;
        }
        puts(in ? "true" : "false");
        return BSN_EXIT_OK;
    }
    if (npos != 3)
        return bsn_cli_usage("vercmp", "expected SCHEME A B");
    int c = 0;
    if (bsn_version_compare(pos[0], pos[1], pos[2], &c, &err) != BSN_OK) {
        bsn_cli_error("%s", err.msg);
        return BSN_EXIT_USAGE;
    }
    puts(sign_text(c));
    return BSN_EXIT_OK;
}
