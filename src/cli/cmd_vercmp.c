/* 'bosun vercmp': not built yet (issue 4). */
#include <stdio.h>

#include "cli/cli.h"

int
bsn_cmd_vercmp(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    bsn_cli_error("'vercmp' is not implemented yet");
    return BSN_EXIT_USAGE;
}
