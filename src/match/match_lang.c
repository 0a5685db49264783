/*
 * Language-ecosystem rules of the matcher: package-url type -> database namespace (the OSV
 * ecosystem names, lowercased as vulndb.h lists them) and the name as the database spells it.
 *
 *   npm -> npm (scoped names "@scope/name" as written)
 *   pypi -> pypi, PEP 503-normalised (https://peps.python.org/pep-0503/#normalized-names):
 *           "Django_Rest.Framework" -> "django-rest-framework"
 *   maven -> maven, "group:artifact"      golang -> go, module path ("stdlib" for Go itself)
 *   cargo -> crates.io                    gem -> rubygems
 *   composer -> packagist "vendor/name" (lowercase, as Packagist requires)
 *   nuget -> nuget, as written
 *   hex -> hex, pub -> pub
 */
#include <string.h>

#include "match/match_int.h"

char *
bsn_match_pep503(struct bsn_arena *a, const char *name)
{
    size_t n = strlen(name);
    char *out = bsn_arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            if (j == 0 || out[j - 1] != '-')
                out[j++] = '-';
            continue;
        }
        out[j++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[j] = '\0';
    return out;
}

static char *
lower(struct bsn_arena *a, const char *s)
{
    char *o = bsn_arena_strdup(a, s);
    for (char *p = o; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return o;
}

static const struct {
    const char *type, *namespace, *scheme;
} ecosystems[] = {
    { "npm", "npm", "npm" },          { "pypi", "pypi", "pep440" },
    { "maven", "maven", "maven" },    { "golang", "go", "golang" },
    { "cargo", "crates.io", "cargo" }, { "gem", "rubygems", "gem" },
    { "composer", "packagist", "composer" }, { "nuget", "nuget", "nuget" },
    { "hex", "hex", "semver" },       { "pub", "pub", "semver" },
};

bool
bsn_match_lang_key(struct bsn_arena *a, const struct bsn_package *p, struct bsn_match_key *k)
{
    if (!p->type || !p->name || !*p->name || !p->version || !*p->version)
        return false;
    for (size_t i = 0; i < sizeof(ecosystems) / sizeof(ecosystems[0]); i++) {
        if (strcmp(p->type, ecosystems[i].type) != 0)
            continue;
        memset(k, 0, sizeof(*k));
        k->namespace = ecosystems[i].namespace;
        k->scheme = ecosystems[i].scheme;
        k->version = p->version;
        if (strcmp(p->type, "pypi") == 0)
            k->name = bsn_match_pep503(a, p->name);
        else if (strcmp(p->type, "composer") == 0)
            k->name = lower(a, p->name);
        else
            k->name = p->name;
        /* Go versions in OSV have no "v"; the golang scheme accepts both. Go itself appears
         * as "stdlib" with a "go1.22.1" version in binaries. */
        if (strcmp(p->type, "golang") == 0 && strncmp(p->version, "go1", 3) == 0)
            k->version = p->version + 2;
        return true;
    }
    return false;
}
