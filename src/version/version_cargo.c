/*
 * Rust crate versions (Cargo, the semver crate: https://docs.rs/semver): strict SemVer 2.0,
 * MAJOR.MINOR.PATCH[-PRE][+BUILD], no "v" prefix, no spaces, no leading zeros, numbers up
 * to 2^64-1.
 *
 * Requirements as in Cargo.toml and RustSec's "patched"/"unaffected" lists: comparators
 * separated by ',' (all must hold): "1.2.3" and "^1.2.3" (caret), "~1.2", "=1.2" (any 1.2.x),
 * ">= 1.2, < 1.4", "1.*", "*". A version with a prerelease matches only a requirement with a
 * prerelease comparator on the same MAJOR.MINOR.PATCH, as in the semver crate.
 *
 * Intended difference: the semver crate breaks ties on build metadata ("1.0.0+a" <
 * "1.0.0+b"); bosun ignores build metadata as SemVer precedence says, because crates.io
 * refuses two versions that differ only in it, so no advisory can depend on it
 * (test_version_cargo checks this).
 */
#include "version/version_int.h"

static bool
cargo_valid(struct bsn_str v)
{
    struct bsn_semver s;
    return bsn_semver_parse_cargo(v, &s);
}

/* Total order: invalid versions before valid ones, byte-wise among themselves. */
static int
cargo_compare(struct bsn_str a, struct bsn_str b)
{
    struct bsn_semver x, y;
    bool okx = bsn_semver_parse_cargo(a, &x), oky = bsn_semver_parse_cargo(b, &y);
    if (okx && oky)
        return bsn_semver_cmp(&x, &y);
    if (okx != oky)
        return okx ? 1 : -1;
    return bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
}

static bsn_code
cargo_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    return bsn_semver_satisfies(v, expr, BSN_SEMVER_CARGO, out, err);
}

const struct bsn_scheme bsn_scheme_cargo = {
    .name = "cargo",
    .valid = cargo_valid,
    .compare = cargo_compare,
    .satisfies = cargo_satisfies,
};
