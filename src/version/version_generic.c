/*
 * Generic versions, for packages of no known ecosystem (binaries identified by name and
 * version, NVD CPE ranges): a "natural" order that needs no grammar.
 *
 * The version is read as runs of digits and runs of letters; everything else separates.
 * Runs compare pairwise: numbers as unbounded integers, letters case-insensitively; a
 * number beats letters. A version that runs out is padded with zeros, so "1.0" == "1",
 * "1.0.1" > "1.0", and a trailing letter run marks a pre-release: "1.0rc1" < "1.0" <
 * "1.0.1". The order is total (lexicographic over zero-padded run sequences).
 *
 * Valid: 1..256 bytes, no whitespace or control characters, at least one digit.
 */
#include "version/version_int.h"

struct run {
    const char *p;
    size_t len;
    bool num;
};

static bool
next_run(struct bsn_str *cur, struct run *r)
{
    while (cur->len && !bsn_v_isalnum((unsigned char)cur->ptr[0])) {
        cur->ptr++;
        cur->len--;
    }
    if (cur->len == 0)
        return false;
    r->p = cur->ptr;
    r->num = bsn_v_isdigit((unsigned char)cur->ptr[0]);
    size_t n = 0;
    while (n < cur->len && (r->num ? bsn_v_isdigit((unsigned char)cur->ptr[n])
                                   : bsn_v_isalpha((unsigned char)cur->ptr[n])))
        n++;
    r->len = n;
    cur->ptr += n;
    cur->len -= n;
    return true;
}

static int
generic_compare(struct bsn_str a, struct bsn_str b)
{
    struct bsn_str ca = a, cb = b;
    for (;;) {
        struct run ra = { "", 0, true }, rb = { "", 0, true };
        bool ha = next_run(&ca, &ra), hb = next_run(&cb, &rb);
        if (!ha && !hb)
            return 0;
        int c;
        if (ra.num && rb.num)
            c = bsn_v_cmp_digits(ra.p, ra.len, rb.p, rb.len);
        else if (ra.num != rb.num)
            c = ra.num ? 1 : -1;
        else
            c = bsn_v_cmp_icase(ra.p, ra.len, rb.p, rb.len);
        if (c)
            return c;
    }
}

static bool
generic_valid(struct bsn_str v)
{
    bool digit = false;
    if (v.len == 0 || v.len > 256)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if (c <= ' ' || c == 0x7f)
            return false;
        digit = digit || bsn_v_isdigit(c);
    }
    return digit;
}

const struct bsn_scheme bsn_scheme_generic = {
    .name = "generic",
    .valid = generic_valid,
    .compare = generic_compare,
    .satisfies = NULL,
};
