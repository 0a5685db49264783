/*
 * Fuzz target for Python core metadata, requirements*.txt, Pipfile.lock, poetry.lock and
 * uv.lock: the first input byte picks the analyzer and image path below, the second is the
 * driver's chunk size (unused by these buffered analyzers), the rest is the file. The driver
 * (langbin_fuzz.h) runs parse, the merge and finish as a scan does. Seeds in corpus/python/ are
 * the golden cases of tests/data behind their two selector bytes.
 */
#include "langbin_fuzz.h"

static const struct langbin_target targets[] = {
    { "python_pkg", "usr/lib/python3/site-packages/x-1.0.dist-info/METADATA" },
    { "pip", "app/requirements.txt" },
    { "pipenv", "app/Pipfile.lock" },
    { "poetry", "app/poetry.lock" },
    { "uv", "app/uv.lock" },
    { "python_egg", "usr/lib/python3/site-packages/x-1.0-py3.11.egg" },
    { "poetry", "app/pyproject.toml" },
    { "pipenv", "app/Pipfile" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    langbin_fuzz_run(targets, sizeof(targets) / sizeof(targets[0]), data, size);
    return 0;
}
