/* libFuzzer target for OS detection: the first byte picks which release file the rest is. */
#include "ospkg_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {
        "etc/os-release",     "etc/debian_version", "etc/alpine-release",
        "etc/redhat-release", "etc/system-release", "etc/system-release-cpe",
        "etc/lsb-release",    "etc/photon-release", "bin/busybox",
    };
    ospkg_fuzz_run("os_release", paths, sizeof(paths) / sizeof(paths[0]), data, size);
    return 0;
}
