/*
 * The version part of the public API (bosun.h): scheme lookup by name with validation, for
 * 'bosun vercmp' and the server. Thin wrappers over version.h.
 */
#include <string.h>

#include "bosun.h"
#include "version/version.h"

const char *
bsn_version_scheme_name(size_t i)
{
    for (size_t k = 0; bsn_schemes[k]; k++)
        if (k == i)
            return bsn_schemes[k]->name;
    return NULL;
}

static bsn_code
lookup(const char *scheme, const struct bsn_scheme **out, struct bsn_err *err)
{
    *out = bsn_scheme_find(scheme);
    if (!*out)
        return bsn_err_set(err, BSN_ENOTFOUND, "unknown version scheme '%s'", scheme);
    return BSN_OK;
}

static bsn_code
check(const struct bsn_scheme *s, const char *v, struct bsn_err *err)
{
    if (!s->valid(bsn_str_cstr(v)))
        return bsn_err_set(err, BSN_EFORMAT, "invalid %s version '%s'", s->name, v);
    return BSN_OK;
}

bsn_code
bsn_version_compare(const char *scheme, const char *a, const char *b, int *out,
                    struct bsn_err *err)
{
    const struct bsn_scheme *s;
    BSN_TRY(lookup(scheme, &s, err));
    BSN_TRY(check(s, a, err));
    BSN_TRY(check(s, b, err));
    int c = s->compare(bsn_str_cstr(a), bsn_str_cstr(b));
    *out = (c > 0) - (c < 0);
    return BSN_OK;
}

bsn_code
bsn_version_in_range(const char *scheme, const char *v, const char *range, bool *out,
                     struct bsn_err *err)
{
    const struct bsn_scheme *s;
    BSN_TRY(lookup(scheme, &s, err));
    BSN_TRY(check(s, v, err));
    bool in = false;
    bsn_code rc = bsn_range_contains(s, bsn_str_cstr(range), bsn_str_cstr(v), &in, err);
    if (rc != BSN_OK)
        return rc;
    *out = in;
    return BSN_OK;
}
