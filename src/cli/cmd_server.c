/* 'bosun server': not built yet (issue 11). */
#include <stdio.h>

#include "cli/cli.h"

int
bsn_cmd_server(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    bsn_cli_error("'server' is not implemented yet");
    return BSN_EXIT_USAGE;
}
