/*
 * libFuzzer target for the semver version scheme (SemVer 2.0 and node-semver strict ranges).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("semver", data, size);
    return 0;
}
