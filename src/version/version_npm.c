/*
 * npm package versions and ranges: node-semver (https://github.com/npm/node-semver) in loose
 * mode, as npm itself reads package-lock.json versions: "v1.2.3", "=1.2.3", "01.2.3" and
 * "1.2.3beta" are accepted. Ranges ("^1.2.3 || >=2.0.0 <2.1.0") are node-semver's; the
 * engine and its documented differences live in version_semver.c.
 */
#include "version/version_int.h"

/* npm: node-semver in loose mode, as package-lock.json versions and advisories use it. */
static bool
npm_valid(struct bsn_str v)
{
    struct bsn_semver s;
    return bsn_semver_parse(v, true, &s);
}

static int
npm_compare(struct bsn_str a, struct bsn_str b)
{
    return bsn_semver_compare_str(a, b, true);
}

static bsn_code
npm_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    return bsn_semver_satisfies(v, expr, BSN_SEMVER_NODE_LOOSE, out, err);
}

const struct bsn_scheme bsn_scheme_npm = {
    .name = "npm",
    .valid = npm_valid,
    .compare = npm_compare,
    .satisfies = npm_satisfies,
};
