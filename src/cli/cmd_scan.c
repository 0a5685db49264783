/* 'bosun image|rootfs|fs|sbom': placeholder until the scan pipeline lands. */
#include "cli/cli.h"

int
bsn_cmd_image(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    bsn_cli_error("'image' is not implemented yet");
    return BSN_EXIT_USAGE;
}

int
bsn_cmd_rootfs(int argc, char **argv)
{
    return bsn_cmd_image(argc, argv);
}

int
bsn_cmd_fs(int argc, char **argv)
{
    return bsn_cmd_image(argc, argv);
}

int
bsn_cmd_sbom(int argc, char **argv)
{
    return bsn_cmd_image(argc, argv);
}
