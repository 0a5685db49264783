/*
 * libFuzzer target for the deb version scheme (Debian versions (deb-version(7))).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("deb", data, size);
    return 0;
}
