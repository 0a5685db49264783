/*
 * Shared driver for the version-scheme fuzz targets (fuzz_version_<scheme>): the input is
 * "A\nB\nRANGE" (any part may be missing or hold any bytes). It checks the order laws the
 * matcher relies on (compare(a, a) == 0, compare(b, a) == -compare(a, b)) and that validation,
 * satisfies() and range evaluation never crash, hang or allocate without bound.
 * Header-only: each harness includes it once and names its scheme.
 */
#ifndef BSN_TEST_VERSION_FUZZ_H
#define BSN_TEST_VERSION_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
version_fuzz_sign(int c)
{
    return (c > 0) - (c < 0);
}

static void
version_fuzz_run(const char *scheme, const uint8_t *data, size_t size)
{
    const struct bsn_scheme *s = bsn_scheme_find(scheme);
    struct bsn_str part[3] = { { "", 0 }, { "", 0 }, { "", 0 } };
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < 3 && p <= end; i++) {
        const char *nl = i < 2 ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        part[i] = bsn_str_make(p, (size_t)((nl ? nl : end) - p));
        if (!nl)
            break;
        p = nl + 1;
    }
    struct bsn_str a = part[0], b = part[1], range = part[2];
    if (!s)
        __builtin_trap();
    (void)s->valid(a);
    (void)s->valid(b);
    if (s->compare(a, a) != 0 || s->compare(b, b) != 0)
        __builtin_trap();
    if (version_fuzz_sign(s->compare(a, b)) != -version_fuzz_sign(s->compare(b, a)))
        __builtin_trap();
    struct bsn_err err;
    bool in = false;
    bsn_code rc = BSN_OK;
    if (s->satisfies)
        rc = s->satisfies(a, range, &in, &err);
    if (rc == BSN_OK)
        rc = bsn_range_contains(s, range, a, &in, &err);
    (void)rc; /* any answer will do: crashes, hangs and leaks are what is looked for */
}

#endif
