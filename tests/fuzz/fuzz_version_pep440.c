/*
 * libFuzzer target for the pep440 version scheme (PEP 440 versions and specifiers).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("pep440", data, size);
    return 0;
}
