/*
 * libFuzzer target for the apk version scheme (Alpine apk-tools versions).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("apk", data, size);
    return 0;
}
