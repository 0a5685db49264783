/*
 * libFuzzer target for the TOML reader: both the plain and the tagged tree must be built or
 * the input rejected, never a crash, hang or unbounded allocation. Seeds: Cargo.lock,
 * poetry.lock and RustSec front matter shapes, and toml-test edge cases.
 */
#include <stddef.h>
#include <stdint.h>

#include "textfmt/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = NULL;
    struct bsn_err err = { 0 };
    if (bsn_toml_parse((const char *)data, size, &out, &err) == BSN_OK)
        json_decref(out);
    if (bsn_toml_parse_ex((const char *)data, size, BSN_TOML_TAGGED, &out, &err) == BSN_OK)
        json_decref(out);
    return 0;
}
