/*
 * Berkeley DB hash databases, read-only, just enough for rpm's var/lib/rpm/Packages
 * (RHEL/CentOS <= 8, Amazon Linux 2, old SUSE). Layout from Berkeley DB's dbinc/db_page.h:
 *
 *   page 0: metadata. lsn[8] pgno[4] magic[4] version[4] pagesize[4] encrypt_alg type
 *           metaflags unused free[4] last_pgno[4] … (magic 0x061561 = hash)
 *   pages:  header of 26 bytes: lsn[8] pgno[4] prev_pgno[4] next_pgno[4] entries[2]
 *           hf_offset[2] level type; then entries[] 2-byte item offsets.
 *   hash pages (type 2 unsorted, 13 sorted): items in key/data pairs; an item starts with its
 *           type byte: 1 H_KEYDATA (the bytes follow inline; the length is the distance to
 *           the previous item, or to the page end for the first), 3 H_OFFPAGE (unused[3]
 *           pgno[4] tlen[4]: the value lives in a chain of overflow pages).
 *   overflow pages (type 7): hf_offset is the number of data bytes after the 26-byte header,
 *           next_pgno the next page of the chain.
 * Integers are in the byte order of the machine that wrote the file: the metadata magic
 * tells which. The keys of Packages are header numbers; record 0 is rpm's bookkeeping.
 *
 * Hostile files: every offset is checked against the page and the file, page numbers against
 * last_pgno, and an overflow chain may visit at most as many pages as the file has (cyclic
 * chains end there), collecting at most tlen bytes; all values together may not exceed the
 * file's size (chains shared by many keys would cost quadratic time).
 * Same approach as knqyf263/go-rpmdb (pkg/bdb), which trivy and syft use.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/rpmdb_int.h"
#include "base/buf.h"

#define HASH_MAGIC 0x061561u
#define PAGE_HDR 26
#define P_HASH_UNSORTED 2
#define P_OVERFLOW 7
#define P_HASH 13
#define H_KEYDATA 1
#define H_OFFPAGE 3
#define MAX_VALUE (256u << 20)

struct bdb {
    const unsigned char *data;
    size_t len;
    bool swap;          /* file written big-endian */
    uint32_t pagesize;
    uint32_t npages;    /* pages present in the buffer (bounded by last_pgno + 1) */
};

static uint32_t
u32(const struct bdb *db, const unsigned char *p)
{
    if (db->swap)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t
u16(const struct bdb *db, const unsigned char *p)
{
    if (db->swap)
        return (uint16_t)(p[0] << 8 | p[1]);
    return (uint16_t)(p[1] << 8 | p[0]);
}

static const unsigned char *
page(const struct bdb *db, uint32_t pgno)
{
    if (pgno >= db->npages)
        return NULL;
    return db->data + (size_t)pgno * db->pagesize;
}

/* Collects an overflow chain into b (at most tlen bytes, at most npages pages). */
static bsn_code
read_overflow(const struct bdb *db, uint32_t pgno, uint32_t tlen, struct bsn_buf *b,
              struct bsn_err *err)
{
    bsn_buf_reset(b);
    for (uint32_t visited = 0; pgno != 0; visited++) {
        const unsigned char *pg = page(db, pgno);
        if (!pg || visited >= db->npages)
            return bsn_err_set(err, BSN_EFORMAT, "Berkeley DB overflow chain is broken at "
                               "page %u", pgno);
        if (pg[25] != P_OVERFLOW)
            return bsn_err_set(err, BSN_EFORMAT, "Berkeley DB page %u is not an overflow "
                               "page", pgno);
        uint32_t n = u16(db, pg + 22);
        if (n > db->pagesize - PAGE_HDR || b->len + n > tlen)
            return bsn_err_set(err, BSN_EFORMAT, "Berkeley DB overflow page %u has a bad "
                               "length", pgno);
        if (bsn_buf_add(b, pg + PAGE_HDR, n) != BSN_OK)
            return bsn_err_set(err, BSN_ELIMIT, "Berkeley DB value over the limit");
        pgno = u32(db, pg + 16);
    }
    if (b->len != tlen)
        return bsn_err_set(err, BSN_EFORMAT, "Berkeley DB overflow value is %zu bytes, "
                           "expected %u", b->len, tlen);
    return BSN_OK;
}

bsn_code
bsn_rpmdb_bdb_each(const unsigned char *data, size_t len, bsn_rpmdb_blob_fn *fn, void *arg,
                   struct bsn_err *err)
{
    struct bdb db = { .data = data, .len = len };
    if (len < 512)
        return bsn_err_set(err, BSN_EFORMAT, "not a Berkeley DB file (%zu bytes)", len);
    db.swap = false;
    if (u32(&db, data + 12) != HASH_MAGIC) {
        db.swap = true;
        if (u32(&db, data + 12) != HASH_MAGIC)
            return bsn_err_set(err, BSN_EFORMAT, "not a Berkeley DB hash database");
    }
    db.pagesize = u32(&db, data + 20);
    if (db.pagesize < 512 || db.pagesize > 65536 || (db.pagesize & (db.pagesize - 1)))
        return bsn_err_set(err, BSN_EFORMAT, "Berkeley DB page size %u is invalid",
                           db.pagesize);
    uint32_t last = u32(&db, data + 32);
    size_t have = len / db.pagesize;
    if (have < (size_t)last + 1)
        return bsn_err_set(err, BSN_EFORMAT, "Berkeley DB file is truncated (%zu of %llu "
                           "pages)", have, (unsigned long long)last + 1);
    db.npages = last + 1;

    struct bsn_buf value;
    bsn_buf_init(&value, MAX_VALUE);
    bsn_code rc = BSN_OK;
    size_t budget = len;
    for (uint32_t pgno = 1; pgno < db.npages && rc == BSN_OK; pgno++) {
        const unsigned char *pg = page(&db, pgno);
        if (pg[25] != P_HASH && pg[25] != P_HASH_UNSORTED)
            continue;
        uint32_t entries = u16(&db, pg + 20);
        if ((size_t)PAGE_HDR + (size_t)entries * 2 > db.pagesize)
            continue;
        /* Values are the odd items of key/data pairs. */
        for (uint32_t i = 1; i < entries && rc == BSN_OK; i += 2) {
            uint32_t off = u16(&db, pg + PAGE_HDR + i * 2);
            uint32_t end = u16(&db, pg + PAGE_HDR + (i - 1) * 2); /* the key item follows */
            if (off < PAGE_HDR + entries * 2 || off >= db.pagesize)
                continue;
            const unsigned char *item = pg + off;
            if (item[0] == H_OFFPAGE) {
                if ((size_t)off + 12 > db.pagesize)
                    continue;
                uint32_t opg = u32(&db, item + 4), tlen = u32(&db, item + 8);
                if (tlen > MAX_VALUE)
                    continue;
                /* Chains never share pages: values together cannot exceed the file. */
                if (tlen > budget) {
                    rc = bsn_err_set(err, BSN_EFORMAT, "Berkeley DB values overlap");
                    break;
                }
                budget -= tlen;
                if (read_overflow(&db, opg, tlen, &value, err) == BSN_OK)
                    rc = fn(arg, (const unsigned char *)value.ptr, value.len, err);
                else
                    rc = fn(arg, NULL, 0, err); /* reported, the walk goes on */
            } else if (item[0] == H_KEYDATA) {
                /* Inline: the item ends where the previous item (its key) begins. */
                if (end <= off || end > db.pagesize)
                    continue;
                size_t n = end - off - 1;
                if (n >= 16)
                    rc = fn(arg, item + 1, n, err);
            }
        }
    }
    bsn_buf_release(&value);
    return rc;
}
