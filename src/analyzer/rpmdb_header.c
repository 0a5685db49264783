/*
 * rpm header blobs as stored in the rpm databases (no lead, no header magic): big-endian
 *   int32 il; int32 dl; entry index[il] { int32 tag, type, offset, count }; char store[dl]
 * (https://rpm-software-management.github.io/rpm/manual/format_header.html, lib/header.c
 * headerImport). The first entry is usually a region tag (62/63) whose data is a trailer at
 * the end of the store; it is not needed to read values and is skipped like any unknown tag.
 *
 * Every lookup is bounds-checked against dl: offsets, counts and NUL terminators of strings.
 * Limits as rpm's own: il <= 0xffff entries, dl <= 256 MiB (HEADER_TAGS_MAX, HEADER_DATA_MAX).
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/rpmdb_int.h"
#include "base/xalloc.h"

#define RPM_TYPE_INT32 4
#define RPM_TYPE_STRING 6
#define RPM_TYPE_STRING_ARRAY 8
#define RPM_TYPE_I18NSTRING 9
#define HEADER_TAGS_MAX 0xffffu
#define HEADER_DATA_MAX 0x0fffffffu

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

bsn_code
bsn_rpm_header_init(struct bsn_rpm_header *h, const unsigned char *blob, size_t len,
                    struct bsn_err *err)
{
    if (len < 8)
        return bsn_err_set(err, BSN_EFORMAT, "rpm header of %zu bytes is truncated", len);
    uint32_t il = be32(blob), dl = be32(blob + 4);
    if (il == 0 || il > HEADER_TAGS_MAX || dl > HEADER_DATA_MAX)
        return bsn_err_set(err, BSN_EFORMAT, "rpm header has an invalid size (%u tags, %u bytes)",
                           il, dl);
    size_t need = 8 + (size_t)il * 16 + dl;
    if (need > len)
        return bsn_err_set(err, BSN_EFORMAT, "rpm header needs %zu bytes, blob has %zu", need,
                           len);
    h->il = il;
    h->dl = dl;
    h->index = blob + 8;
    h->store = blob + 8 + (size_t)il * 16;
    return BSN_OK;
}

/* Finds tag; fills type, offset (checked < dl) and count. */
static bool
find(const struct bsn_rpm_header *h, uint32_t tag, uint32_t *type, uint32_t *off,
     uint32_t *count)
{
    for (uint32_t i = 0; i < h->il; i++) {
        const unsigned char *e = h->index + (size_t)i * 16;
        if (be32(e) != tag)
            continue;
        *type = be32(e + 4);
        *off = be32(e + 8);
        *count = be32(e + 12);
        return *off < h->dl;
    }
    return false;
}

/* The NUL-terminated string at off, inside the store. */
static bool
string_at(const struct bsn_rpm_header *h, uint32_t off, struct bsn_str *out)
{
    if (off >= h->dl)
        return false;
    const unsigned char *s = h->store + off;
    const unsigned char *nul = memchr(s, 0, h->dl - off);
    if (!nul)
        return false;
    *out = bsn_str_make((const char *)s, (size_t)(nul - s));
    return true;
}

bool
bsn_rpm_header_string(const struct bsn_rpm_header *h, uint32_t tag, struct bsn_str *out)
{
    uint32_t type, off, count;
    if (!find(h, tag, &type, &off, &count))
        return false;
    if (type != RPM_TYPE_STRING && type != RPM_TYPE_I18NSTRING &&
        type != RPM_TYPE_STRING_ARRAY)
        return false;
    return string_at(h, off, out);
}

bool
bsn_rpm_header_int32(const struct bsn_rpm_header *h, uint32_t tag, uint32_t *out)
{
    uint32_t type, off, count;
    if (!find(h, tag, &type, &off, &count))
        return false;
    if (type != RPM_TYPE_INT32 || count < 1 || (off & 3) != 0 || (size_t)off + 4 > h->dl)
        return false;
    *out = be32(h->store + off);
    return true;
}

/* Steps over count strings starting at off; calls back for each (dirs may be NULL). */
static bool
string_array(const struct bsn_rpm_header *h, uint32_t tag, uint32_t *count_out, uint32_t *off)
{
    uint32_t type, count;
    if (!find(h, tag, &type, off, &count) || type != RPM_TYPE_STRING_ARRAY)
        return false;
    /* Each string takes at least one byte: a count above the store is a lie. */
    if (count > h->dl - *off)
        return false;
    *count_out = count;
    return true;
}

void
bsn_rpm_header_files(const struct bsn_rpm_header *h, bsn_rpm_file_fn *fn, void *arg)
{
    uint32_t nbase, base_off, ndir, dir_off, itype, ioff, icount;
    if (!string_array(h, BSN_RPMTAG_BASENAMES, &nbase, &base_off)) {
        uint32_t nold, old_off;
        if (!string_array(h, BSN_RPMTAG_OLDFILENAMES, &nold, &old_off))
            return;
        for (uint32_t i = 0; i < nold; i++) {
            struct bsn_str s;
            if (!string_at(h, old_off, &s))
                return;
            old_off += (uint32_t)s.len + 1;
            fn(arg, bsn_str_make("", 0), s);
        }
        return;
    }
    if (!string_array(h, BSN_RPMTAG_DIRNAMES, &ndir, &dir_off))
        return;
    if (!find(h, BSN_RPMTAG_DIRINDEXES, &itype, &ioff, &icount) || itype != RPM_TYPE_INT32 ||
        icount != nbase || (ioff & 3) != 0 || (size_t)ioff + (size_t)icount * 4 > h->dl)
        return;
    /* Directory offsets, so that each file's directory is found in O(1); ndir <= dl, so
     * the table is at most four times the blob. */
    uint32_t *dirs = bsn_xmalloc((size_t)(ndir ? ndir : 1) * sizeof(*dirs));
    uint32_t o = dir_off;
    for (uint32_t d = 0; d < ndir; d++) {
        struct bsn_str s;
        if (!string_at(h, o, &s))
            goto out;
        dirs[d] = o;
        o += (uint32_t)s.len + 1;
    }
    for (uint32_t i = 0; i < nbase; i++) {
        struct bsn_str base, dir;
        if (!string_at(h, base_off, &base))
            goto out;
        base_off += (uint32_t)base.len + 1;
        uint32_t di = be32(h->store + ioff + (size_t)i * 4);
        if (di >= ndir || !string_at(h, dirs[di], &dir))
            goto out;
        fn(arg, dir, base);
    }
out:
    free(dirs);
}
