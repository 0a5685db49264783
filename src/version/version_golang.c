/*
 * Go module versions (golang.org/x/mod/semver, https://go.dev/ref/mod#versions):
 * vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]], where "v1" and "v1.2" are shorthands for
 * "v1.0.0" and "v1.2.0" (only without prerelease or build). Pseudo-versions
 * ("v0.0.0-20191109021931-daa7c04131f5", "v1.2.4-0.20191109021931-daa7c04131f5") are
 * prereleases and order by their timestamp like any prerelease; "+incompatible" is build
 * metadata and ignored. Numbers have no leading zeros and any length.
 *
 * The "v" is optional here: the Go vulnerability database and other OSV feeds write Go
 * versions without it ("1.20.3"), Go binaries' build info with it. Invalid versions sort
 * before valid ones (as x/mod/semver.Compare does), byte-wise among themselves.
 *
 * Constraints ("go:" in version.h): comparator lists ">= 1.2.0, < 1.3.0", "||" for OR.
 */
#include <string.h>

#include "version/version_int.h"

struct go_ver {
    struct bsn_str major, minor, patch, pre;
};

static bool
go_num(struct bsn_str *cur, struct bsn_str *out)
{
    size_t n = 0;
    while (n < cur->len && bsn_v_isdigit((unsigned char)cur->ptr[n]))
        n++;
    if (n == 0 || (n > 1 && cur->ptr[0] == '0'))
        return false;
    *out = bsn_str_make(cur->ptr, n);
    cur->ptr += n;
    cur->len -= n;
    return true;
}

/* Dot-separated [0-9A-Za-z-]+ identifiers; numeric ones without leading zeros if pre. */
static bool
go_idents(struct bsn_str *cur, bool pre, struct bsn_str *out)
{
    size_t i = 0;
    for (;;) {
        size_t s = i;
        bool digits = true;
        while (i < cur->len &&
               (bsn_v_isalnum((unsigned char)cur->ptr[i]) || cur->ptr[i] == '-')) {
            digits = digits && bsn_v_isdigit((unsigned char)cur->ptr[i]);
            i++;
        }
        if (i == s || (pre && digits && i - s > 1 && cur->ptr[s] == '0'))
            return false;
        if (i < cur->len && cur->ptr[i] == '.') {
            i++;
            continue;
        }
        break;
    }
    *out = bsn_str_make(cur->ptr, i);
    cur->ptr += i;
    cur->len -= i;
    return true;
}

static bool
go_parse(struct bsn_str v, struct go_ver *out)
{
    static const char zero[] = "0";
    struct bsn_str cur = v;
    memset(out, 0, sizeof *out);
    if (cur.len > 1024)
        return false;
    if (cur.len && cur.ptr[0] == 'v') {
        cur.ptr++;
        cur.len--;
    }
    out->minor = out->patch = bsn_str_make(zero, 1);
    if (!go_num(&cur, &out->major))
        return false;
    if (cur.len == 0)
        return true;
    if (bsn_sp_char(&cur, '.') || !go_num(&cur, &out->minor))
        return false;
    if (cur.len == 0)
        return true;
    if (bsn_sp_char(&cur, '.') || !go_num(&cur, &out->patch))
        return false;
    if (bsn_sp_char(&cur, '-') == 0 && !go_idents(&cur, true, &out->pre))
        return false;
    struct bsn_str build;
    if (bsn_sp_char(&cur, '+') == 0 && !go_idents(&cur, false, &build))
        return false;
    return cur.len == 0;
}

static bool
golang_valid(struct bsn_str v)
{
    struct go_ver g;
    return go_parse(v, &g);
}

static int
golang_compare(struct bsn_str a, struct bsn_str b)
{
    struct go_ver x, y;
    bool okx = go_parse(a, &x), oky = go_parse(b, &y);
    if (!okx || !oky) {
        if (okx != oky)
            return okx ? 1 : -1;
        return bsn_v_cmp_bytes(a.ptr, a.len, b.ptr, b.len);
    }
    int c = bsn_v_cmp_digits(x.major.ptr, x.major.len, y.major.ptr, y.major.len);
    if (!c)
        c = bsn_v_cmp_digits(x.minor.ptr, x.minor.len, y.minor.ptr, y.minor.len);
    if (!c)
        c = bsn_v_cmp_digits(x.patch.ptr, x.patch.len, y.patch.ptr, y.patch.len);
    if (!c)
        c = bsn_semver_cmp_pre(x.pre, y.pre);
    return c;
}

static bsn_code
golang_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err);

const struct bsn_scheme bsn_scheme_golang = {
    .name = "golang",
    .valid = golang_valid,
    .compare = golang_compare,
    .satisfies = golang_satisfies,
};

static bsn_code
golang_satisfies(struct bsn_str v, struct bsn_str expr, bool *out, struct bsn_err *err)
{
    return bsn_v_cmp_list(&bsn_scheme_golang, v, expr, out, err);
}
