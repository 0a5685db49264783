/* The analyzer table: analyzers.def expanded into declarations and a NULL-terminated list. */
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/map.h"

#define BSN_ANALYZER(n) extern const struct bsn_analyzer bsn_analyzer_##n;
#include "analyzer/analyzers.def"
#undef BSN_ANALYZER

const struct bsn_analyzer *const bsn_analyzers[] = {
#define BSN_ANALYZER(n) &bsn_analyzer_##n,
#include "analyzer/analyzers.def"
#undef BSN_ANALYZER
    NULL,
};

const char *const bsn_declared_all[] = { "*", NULL };

const struct bsn_analyzer *
bsn_analyzer_find(const char *name)
{
    for (size_t i = 0; bsn_analyzers[i]; i++)
        if (strcmp(bsn_analyzers[i]->name, name) == 0)
            return bsn_analyzers[i];
    return NULL;
}

uint64_t
bsn_analyzers_version(void)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; bsn_analyzers[i]; i++) {
        h ^= bsn_hash(bsn_analyzers[i]->name, strlen(bsn_analyzers[i]->name));
        h *= 1099511628211ull;
        h ^= bsn_analyzers[i]->version;
        h *= 1099511628211ull;
    }
    return h;
}
