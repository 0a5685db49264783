/*
 * rpm's NDB database (Packages.db: SUSE, openSUSE; rpm lib/backend/ndb/rpmpkg.c), read-only.
 * All integers little-endian.
 *
 *   offset 0:  header  magic "RpmP", version 0, generation, slot_npages, 4 reserved words
 *   offset 32: slots   (slot_npages * 4096 - 32) / 16 entries of
 *                      { magic "Slot", pkgidx, blkoff, blkcnt }; pkgidx 0 = free slot
 *   blkoff*16: blob    { magic "BlbS", pkgidx, checksum, len } then len bytes: the header blob
 *
 * Packages are listed in slot order (as rpm and go-rpmdb do). Every slot and blob is checked
 * against the buffer; a slot with a bad blob is reported and skipped; blobs together may not
 * hold more bytes than the file (overlapping blobs are corrupt, and would cost quadratic time).
 */
#include <string.h>

#include "analyzer/rpmdb_int.h"

#define NDB_HEADER_MAGIC 0x506d7052u /* "RpmP" */
#define NDB_SLOT_MAGIC 0x746f6c53u   /* "Slot" */
#define NDB_BLOB_MAGIC 0x53626c42u   /* "BlbS" */
#define NDB_PAGE 4096u
#define NDB_BLK 16u

static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

bsn_code
bsn_rpmdb_ndb_each(const unsigned char *data, size_t len, bsn_rpmdb_blob_fn *fn, void *arg,
                   struct bsn_err *err)
{
    if (len < 32 || le32(data) != NDB_HEADER_MAGIC)
        return bsn_err_set(err, BSN_EFORMAT, "not an rpm NDB database");
    if (le32(data + 4) != 0)
        return bsn_err_set(err, BSN_EUNSUPPORTED, "rpm NDB version %u is not supported",
                           le32(data + 4));
    uint32_t npages = le32(data + 12);
    size_t slots_end = (size_t)npages * NDB_PAGE;
    if (npages == 0 || slots_end > len)
        return bsn_err_set(err, BSN_EFORMAT, "rpm NDB slot area of %u pages exceeds the file",
                           npages);
    bsn_code rc = BSN_OK;
    size_t budget = len - slots_end;
    for (size_t off = 32; off + 16 <= slots_end && rc == BSN_OK; off += 16) {
        const unsigned char *slot = data + off;
        if (le32(slot) != NDB_SLOT_MAGIC)
            return bsn_err_set(err, BSN_EFORMAT, "rpm NDB slot at offset %zu is corrupt", off);
        uint32_t pkgidx = le32(slot + 4), blkoff = le32(slot + 8), blkcnt = le32(slot + 12);
        if (pkgidx == 0)
            continue;
        size_t boff = (size_t)blkoff * NDB_BLK, bmax = (size_t)blkcnt * NDB_BLK;
        if (boff < slots_end || boff + 16 > len || bmax < 16 || boff + bmax > len) {
            bsn_err_set(err, BSN_EFORMAT, "rpm NDB package %u points outside the file", pkgidx);
            rc = fn(arg, NULL, 0, err);
            continue;
        }
        const unsigned char *blob = data + boff;
        uint32_t blen = le32(blob + 12);
        if (le32(blob) != NDB_BLOB_MAGIC || le32(blob + 4) != pkgidx || blen > bmax - 16) {
            bsn_err_set(err, BSN_EFORMAT, "rpm NDB package %u has a corrupt blob", pkgidx);
            rc = fn(arg, NULL, 0, err);
            continue;
        }
        /* Blobs never share bytes: slots pointing at the same blob would make the work
         * quadratic in the file size. */
        if (blen > budget) {
            return bsn_err_set(err, BSN_EFORMAT, "rpm NDB blobs overlap (package %u)",
                               pkgidx);
        }
        budget -= blen;
        rc = fn(arg, blob + 16, blen, err);
    }
    return rc;
}
