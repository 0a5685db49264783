/* 'bosun db': not built yet (issue 5). */
#include <stdio.h>

#include "cli/cli.h"

int
bsn_cmd_db(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    bsn_cli_error("'db' is not implemented yet");
    return BSN_EXIT_USAGE;
}
