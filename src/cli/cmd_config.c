/* 'bosun config': not built yet (issue 9). */
#include <stdio.h>

#include "cli/cli.h"

int
bsn_cmd_config(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    bsn_cli_error("'config' is not implemented yet");
    return BSN_EXIT_USAGE;
}
