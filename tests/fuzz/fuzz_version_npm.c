/*
 * libFuzzer target for the npm version scheme (npm (node-semver loose) versions and ranges).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("npm", data, size);
    return 0;
}
