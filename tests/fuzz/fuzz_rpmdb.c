/*
 * libFuzzer target for the rpm databases and header blobs: the first byte picks Berkeley DB
 * (Packages), NDB (Packages.db), SQLite (rpmdb.sqlite) or the Azure Linux manifest.
 */
#include "ospkg_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const rpm[] = { "var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages.db",
                                       "var/lib/rpm/rpmdb.sqlite" };
    static const char *const manifest[] = { "var/lib/rpmmanifest/container-manifest-2" };
    if (size && data[0] == 3)
        ospkg_fuzz_run("rpm_manifest", manifest, 1, data, size);
    else
        ospkg_fuzz_run("rpm", rpm, 3, data, size);
    return 0;
}
