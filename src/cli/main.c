/* bosun's entry point: dispatches to one command file per command. */
#include <stdio.h>
#include <string.h>

#include "bosun.h"
#include "cli/cli.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "image", bsn_cmd_image, "scan a container image" },
    { "rootfs", bsn_cmd_rootfs, "scan an unpacked root filesystem" },
    { "fs", bsn_cmd_fs, "scan a project tree (lockfiles, manifests, binaries)" },
    { "sbom", bsn_cmd_sbom, "scan a CycloneDX or SPDX JSON SBOM" },
    { "config", bsn_cmd_config, "check Dockerfiles for risky configuration" },
    { "db", bsn_cmd_db, "build, update, inspect and search the vulnerability database" },
    { "vercmp", bsn_cmd_vercmp, "compare versions or test one against a range" },
    { "cache", bsn_cmd_cache, "manage the layer cache ('bosun cache clean')" },
    { "server", bsn_cmd_server, "run the HTTP API (Harbor scanner adapter)" },
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: bosun COMMAND [flags] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-8s %s\n  %-8s %s\n", "version", "print the version", "help",
            "show this help, or 'bosun help COMMAND'");
    fprintf(f, "\nRun 'bosun COMMAND --help' for a command's flags; 'man bosun' for all.\n"
               "Exit status: 0 ok, N from --exit-code when findings remain, 2 usage error,\n"
               "3 target unreadable or malformed, 4 database problem, 5 network or registry "
               "error.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return BSN_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("bosun %s\n", BSN_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                if (strcmp(commands[i].name, argv[2]) == 0) {
                    char help[] = "--help";
                    char *av[] = { argv[2], help, NULL };
                    return commands[i].fn(2, av);
                }
            }
            bsn_cli_error("unknown command '%s'", argv[2]);
            return BSN_EXIT_USAGE;
        }
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, cmd) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    bsn_cli_error("unknown command '%s'; see 'bosun help'", cmd);
    return BSN_EXIT_USAGE;
}
