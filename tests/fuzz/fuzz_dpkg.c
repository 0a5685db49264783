/*
 * libFuzzer target for the dpkg analyzer: status, distroless status.d entries and md5sums,
 * info/NAME.list, DEP-5 copyright files and opkg status (the first byte picks the path).
 */
#include "ospkg_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {
        "var/lib/dpkg/status",           "var/lib/dpkg/status.d/base",
        "var/lib/dpkg/status.d/base.md5sums", "var/lib/dpkg/info/libc6:amd64.list",
        "usr/share/doc/base/copyright",  "usr/lib/opkg/status",
    };
    ospkg_fuzz_run("dpkg", paths, sizeof(paths) / sizeof(paths[0]), data, size);
    return 0;
}
