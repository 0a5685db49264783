/* The version-scheme table: schemes.def expanded into declarations and a NULL-terminated list. */
#include <string.h>

#include "version/version.h"

#define BSN_SCHEME(n) extern const struct bsn_scheme bsn_scheme_##n;
#include "version/schemes.def"
#undef BSN_SCHEME

const struct bsn_scheme *const bsn_schemes[] = {
#define BSN_SCHEME(n) &bsn_scheme_##n,
#include "version/schemes.def"
#undef BSN_SCHEME
    NULL,
};

const struct bsn_scheme *
bsn_scheme_find(const char *name)
{
    for (size_t i = 0; bsn_schemes[i]; i++)
        if (strcmp(bsn_schemes[i]->name, name) == 0)
            return bsn_schemes[i];
    return NULL;
}
