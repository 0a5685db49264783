/*
 * libFuzzer target for the rpm version scheme (RPM versions (rpmvercmp, epoch:version-release)).
 * The driver (order laws, validation, ranges) is tests/fuzz/version_fuzz.h.
 */
#include "version_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    version_fuzz_run("rpm", data, size);
    return 0;
}
