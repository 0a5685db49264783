/*
 * libFuzzer target for the golang version scheme (Go module versions).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("golang", data, size);
    return 0;
}
