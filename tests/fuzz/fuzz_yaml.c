/*
 * libFuzzer target for the YAML reader, with a small node cap so alias bombs are caught fast;
 * both the first-document and all-documents modes, with and without number typing.
 */
#include <stddef.h>
#include <stdint.h>

#include "textfmt/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = NULL;
    struct bsn_err err = { 0 };
    struct bsn_yaml_opts o = { .flags = 0, .max_nodes = 100000, .max_depth = 64 };
    if (bsn_yaml_parse_opts((const char *)data, size, &o, &out, &err) == BSN_OK)
        json_decref(out);
    o.flags = BSN_YAML_ALL_DOCS | BSN_YAML_NUMBERS;
    if (bsn_yaml_parse_opts((const char *)data, size, &o, &out, &err) == BSN_OK)
        json_decref(out);
    return 0;
}
