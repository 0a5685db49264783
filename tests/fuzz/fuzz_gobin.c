/*
 * libFuzzer target for the Go and cargo-auditable binary analyzers (streamed in chunks of
 * 1..4096 bytes set by byte 1, so ELF headers, the build-info blob and zlib headers split at
 * every offset) and the go.mod/go.sum parser: byte 0 picks which, the rest is the file.
 */
#include "langbin_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct langbin_target t[] = {
        { "gobin", "usr/bin/app" },
        { "rust_audit", "usr/bin/app" },
        { "gomod", "src/go.mod" },
        { "gomod", "src/go.sum" },
    };
    langbin_fuzz_run(t, sizeof(t) / sizeof(t[0]), data, size);
    return 0;
}
