/*
 * Fuzz target: a Harbor ScanRequest as the server stores and reads it back
 * (bsn_harbor_target: JSON, field checks, registry URL, Basic base64 credentials). Checks the
 * invariants a worker relies on: on success there is a target naming the digest, and
 * credentials come in pairs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    for (int local = 0; local < 2; local++) {
        struct bsn_server_config c;
        bsn_server_config_init(&c);
        c.allow_local_targets = local != 0;
        struct bsn_arena *a = bsn_arena_new();
        struct bsn_harbor_target t;
        struct bsn_err err = { 0 };
        if (bsn_harbor_target(&c, text, a, &t, &err) == BSN_OK) {
            if (!t.target || !t.digest || !t.repository)
                abort();
            if (strncmp(t.target, "registry:", 9) == 0 && !strstr(t.target, t.digest))
                abort();
            if (!local && strncmp(t.target, "registry:", 9) != 0)
                abort();
            if ((t.username == NULL) != (t.password == NULL))
                abort();
        } else if (!err.msg[0]) {
            abort();
        }
        bsn_arena_free(a);
    }
    free(text);
    return 0;
}
