/*
 * Fuzz target: SBOM documents (CycloneDX JSON, SPDX JSON) through bsn_sbom_parse. Every
 * package read must carry a type, a name and a version (possibly empty).
 */
#include <stdint.h>
#include <string.h>

#include "match/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bsn_result r;
    struct bsn_err err;
    memset(&r, 0, sizeof(r));
    r.arena = bsn_arena_new();
    if (bsn_sbom_parse("fuzz", (const char *)data, size, &r, &err) == BSN_OK) {
        for (size_t i = 0; i < r.n_packages; i++)
            if (!r.packages[i].type || !r.packages[i].name || !r.packages[i].version)
                __builtin_trap();
        if (r.has_os && !r.os.family)
            __builtin_trap();
    }
    bsn_arena_free(r.arena);
    return 0;
}
