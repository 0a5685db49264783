/*
 * Fuzz target for composer.lock and vendor/composer/installed.json: the first input byte picks
 * the analyzer and image path below, the second is the driver's chunk size (unused by these
 * buffered analyzers), the rest is the file. The driver (langbin_fuzz.h) runs parse, the merge
 * and finish as a scan does. Seeds in corpus/composer/ are the golden cases of tests/data behind
 * their two selector bytes.
 */
#include "langbin_fuzz.h"

static const struct langbin_target targets[] = {
    { "composer", "app/composer.lock" },
    { "composer", "app/vendor/composer/installed.json" },
    { "composer", "app/composer.json" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    langbin_fuzz_run(targets, sizeof(targets) / sizeof(targets[0]), data, size);
    return 0;
}
