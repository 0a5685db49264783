/*
 * Fuzz target: arbitrary bytes as an image reference (bsn_registry_ref_parse), the short name
 * derived from it, and the loopback test on its host. A parsed reference must satisfy the
 * grammar's invariants: a lowercase repository, a tag or a digest, NUL-terminated fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_registry_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct bsn_registry_ref r;
    struct bsn_err err;
    if (bsn_registry_ref_parse(s, &r, &err) == BSN_OK) {
        char name[600];
        bsn_registry_ref_name(&r, name, sizeof(name));
        if (!r.repo[0] || (!r.tag[0] && !r.digest[0]) || !r.host[0])
            abort();
        for (const char *p = r.repo; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                abort();
        if (bsn_registry_host_loopback(r.host) && strchr(r.host, '/'))
            abort();
    }
    (void)bsn_registry_host_loopback(s);
    free(s);
    return 0;
}
