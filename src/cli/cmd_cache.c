/* 'bosun cache': not built yet (issue 10). */
#include <stdio.h>

#include "cli/cli.h"

int
bsn_cmd_cache(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    bsn_cli_error("'cache' is not implemented yet");
    return BSN_EXIT_USAGE;
}
