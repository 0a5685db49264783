/*
 * Fuzz target: arbitrary bytes as a WWW-Authenticate header value
 * (bsn_www_authenticate_parse), and as base64 (bsn_base64_decode), both parsed from hostile
 * registries' answers. A Bearer result must carry a realm; every field stays NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_registry_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bsn_auth_challenge c;
    struct bsn_err err;
    if (bsn_www_authenticate_parse((const char *)data, size, &c, &err) == BSN_OK) {
        if (c.scheme == BSN_AUTH_BEARER && !c.realm[0])
            abort();
        if (strlen(c.realm) >= sizeof(c.realm) || strlen(c.service) >= sizeof(c.service) ||
            strlen(c.scope) >= sizeof(c.scope))
            abort();
    }
    char out[256];
    size_t n = 0;
    if (bsn_base64_decode((const char *)data, size, out, sizeof(out), &n) && n >= sizeof(out))
        abort();
    char enc[512];
    if (size <= 180 && !bsn_base64_encode(data, size, enc, sizeof(enc)))
        abort();
    return 0;
}
