/* libFuzzer target for the apk analyzer (lib/apk/db/installed); the first byte is ignored. */
#include "ospkg_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = { "lib/apk/db/installed" };
    ospkg_fuzz_run("apk", paths, 1, data, size);
    return 0;
}
