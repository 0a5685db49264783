/*
 * libFuzzer target for the gem version scheme (RubyGems versions and requirements).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("gem", data, size);
    return 0;
}
