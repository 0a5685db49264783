/*
 * libFuzzer target for the Java analyzers: byte 0 picks a jar (the archive walk: zip,
 * pom.properties, pom.xml licenses, MANIFEST.MF, nesting), a war, a pom.xml or a Gradle
 * lockfile; byte 1 is the streaming chunk size (unused here); the rest is the file.
 */
#include "langbin_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct langbin_target t[] = {
        { "java", "app/lib/x-1.0.jar" },
        { "java", "srv/app.war" },
        { "pom", "src/pom.xml" },
        { "gradle_lock", "src/gradle.lockfile" },
    };
    langbin_fuzz_run(t, sizeof(t) / sizeof(t[0]), data, size);
    return 0;
}
