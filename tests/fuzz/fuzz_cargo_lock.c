/* libFuzzer target for the Cargo.lock analyzer (bytes 0 and 1 are ignored). */
#include "langbin_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct langbin_target t[] = { { "cargo_lock", "src/Cargo.lock" } };
    langbin_fuzz_run(t, 1, data, size);
    return 0;
}
