/*
 * libFuzzer target for the maven version scheme (Maven ComparableVersion and version ranges).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("maven", data, size);
    return 0;
}
