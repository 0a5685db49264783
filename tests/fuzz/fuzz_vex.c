/*
 * Fuzz target: VEX documents (OpenVEX, CycloneDX VEX) through bsn_vex_parse, then a verdict
 * for a finding with aliases and a purl, so statement and purl matching run on what parsed;
 * the indexed verdict must equal the linear one.
 */
#include <stdint.h>
#include <string.h>

#include "match/match_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const aliases[] = { "GHSA-35jh-r3h4-6jhm" };
    static const struct bsn_package pkg = {
        .type = "deb", .name = "openssl", .version = "3.0.11-1", .epoch = -1,
        .purl = "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12.7",
    };
    struct bsn_vuln v;
    memset(&v, 0, sizeof(v));
    v.id = "CVE-2021-23337";
    v.aliases = aliases;
    v.n_aliases = 1;
    v.pkg = &pkg;

    struct bsn_arena *a = bsn_arena_new();
    struct bsn_vex_set set = { 0 };
    struct bsn_err err;
    if (bsn_vex_parse(a, "fuzz", (const char *)data, size, &set, &err) == BSN_OK) {
        const char *linear = bsn_vex_verdict(&set, a, &v);
        if (linear && strcmp(linear, "vex:not_affected") != 0 && strcmp(linear, "vex:fixed") != 0)
            __builtin_trap();
        /* the index must give the same verdict as the scan over all statements */
        bsn_vex_index(&set, a);
        if (bsn_vex_verdict(&set, a, &v) != linear)
            __builtin_trap();
    }
    bsn_vex_set_release(&set);
    bsn_arena_free(a);
    return 0;
}
