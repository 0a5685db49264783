/*
 * RPM package versions: [epoch:]version[-release], as rpm's parseEVR() splits them (the
 * epoch is the leading digits before ':', the release follows the last '-').
 *
 * Epochs compare as numbers (absent: 0), then versions, then releases with rpmvercmp():
 * separators (anything not alphanumeric, '~' or '^') are skipped; '~' sorts before anything,
 * even the end ("1.0~rc1" < "1.0"); '^' sorts after the end but before anything else
 * ("1.0^git1" > "1.0", < "1.0.1"); then alternating digit and letter segments, a digit
 * segment beating a letter one, digits compared as unbounded numbers, letters byte-wise.
 * A version without release sorts before the same version with one, as rpm.labelCompare()
 * does with release None. Only ASCII letters and digits count (rpm's risalpha()).
 *
 * Validity: non-empty, no whitespace or control characters, epoch digits, version and
 * release non-empty and made of alnum and "._+~^".
 */
#include "version/version_int.h"

struct rpm_evr {
    struct bsn_str epoch, version, release;
    bool has_release;
};

static void
rpm_split(struct bsn_str v, struct rpm_evr *p)
{
    size_t i = 0;
    while (i < v.len && bsn_v_isdigit((unsigned char)v.ptr[i]))
        i++;
    p->epoch = bsn_str_make(v.ptr, 0);
    if (i < v.len && v.ptr[i] == ':') {
        p->epoch = bsn_str_make(v.ptr, i);
        v.ptr += i + 1;
        v.len -= i + 1;
    }
    p->version = v;
    p->release = bsn_str_make(v.ptr + v.len, 0);
    p->has_release = false;
    for (size_t k = v.len; k > 0; k--) {
        if (v.ptr[k - 1] == '-') {
            p->version = bsn_str_make(v.ptr, k - 1);
            p->release = bsn_str_make(v.ptr + k, v.len - k);
            p->has_release = true;
            break;
        }
    }
}

/* rpmvercmp() over slices: the end of a slice (or an embedded NUL) reads as the end. */
static int
rpm_vercmp(struct bsn_str a, struct bsn_str b)
{
    /* rpm stops at the first NUL, as C strings do */
    for (size_t k = 0; k < a.len; k++)
        if (a.ptr[k] == 0) {
            a.len = k;
            break;
        }
    for (size_t k = 0; k < b.len; k++)
        if (b.ptr[k] == 0) {
            b.len = k;
            break;
        }
    if (bsn_str_eq(a, b))
        return 0;
    size_t i = 0, j = 0;
#define AT(s, k) ((k) < (s).len ? (unsigned char)(s).ptr[k] : 0)
#define SEP(c) ((c) && !bsn_v_isalnum(c) && (c) != '~' && (c) != '^')
    while (i < a.len || j < b.len) {
        while (SEP(AT(a, i)))
            i++;
        while (SEP(AT(b, j)))
            j++;
        int ca = AT(a, i), cb = AT(b, j);
        if (ca == '~' || cb == '~') {
            if (ca != '~')
                return 1;
            if (cb != '~')
                return -1;
            i++;
            j++;
            continue;
        }
        if (ca == '^' || cb == '^') {
            if (!ca)
                return -1;
            if (!cb)
                return 1;
            if (ca != '^')
                return 1;
            if (cb != '^')
                return -1;
            i++;
            j++;
            continue;
        }
        if (!ca || !cb)
            break;
        size_t si = i, sj = j;
        bool num = bsn_v_isdigit(ca);
        if (num) {
            while (bsn_v_isdigit(AT(a, i)))
                i++;
            while (bsn_v_isdigit(AT(b, j)))
                j++;
        } else {
            while (bsn_v_isalpha(AT(a, i)))
                i++;
            while (bsn_v_isalpha(AT(b, j)))
                j++;
        }
        if (j == sj)
            return num ? 1 : -1; /* segments of different kinds: digits win */
        int c = num ? bsn_v_cmp_digits(a.ptr + si, i - si, b.ptr + sj, j - sj)
                    : bsn_v_cmp_bytes(a.ptr + si, i - si, b.ptr + sj, j - sj);
        if (c)
            return c;
    }
    int ea = AT(a, i), eb = AT(b, j);
#undef SEP
#undef AT
    if (!ea && !eb)
        return 0;
    return ea ? 1 : -1;
}

static int
rpm_compare(struct bsn_str a, struct bsn_str b)
{
    struct rpm_evr pa, pb;
    rpm_split(a, &pa);
    rpm_split(b, &pb);
    int c = bsn_v_cmp_digits(pa.epoch.ptr, pa.epoch.len, pb.epoch.ptr, pb.epoch.len);
    if (c)
        return c;
    c = rpm_vercmp(pa.version, pb.version);
    if (c)
        return c;
    if (pa.has_release != pb.has_release)
        return pa.has_release ? 1 : -1;
    return rpm_vercmp(pa.release, pb.release);
}

static bool
rpm_part_ok(struct bsn_str s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        int c = (unsigned char)s.ptr[i];
        if (!bsn_v_isalnum(c) && !bsn_v_in(c, "._+~^"))
            return false;
    }
    return true;
}

static bool
rpm_valid(struct bsn_str v)
{
    struct rpm_evr p;
    if (v.len == 0)
        return false;
    rpm_split(v, &p);
    if (p.epoch.len == 0 && v.len && v.ptr[0] == ':')
        return false;
    return rpm_part_ok(p.version) && (!p.has_release || rpm_part_ok(p.release));
}

const struct bsn_scheme bsn_scheme_rpm = {
    .name = "rpm",
    .valid = rpm_valid,
    .compare = rpm_compare,
    .satisfies = NULL,
};
