/*
 * rpm's SQLite database (rpmdb.sqlite, rpm >= 4.16: Fedora 33+, RHEL 9, CBL-Mariner 2, Azure
 * Linux): table Packages(hnum INTEGER PRIMARY KEY, blob BLOB), one header blob per package
 * (rpm lib/backend/sqlite.c).
 *
 * The file is opened from memory with sqlite3_deserialize (no temporary file). rpm leaves its
 * databases in WAL mode (header bytes 18/19 = 2), which an in-memory database cannot use:
 * such a file is copied and marked as a rollback-journal database first; an uncheckpointed
 * -wal file beside it is not read (rpm checkpoints on close). SQLite itself is hardened
 * against corrupt files (https://www.sqlite.org/security.html): defensive mode is on and
 * a corrupt file ends in an error, not a crash.
 */
#include <sqlite3.h>
#include <string.h>

#include "analyzer/rpmdb_int.h"

bsn_code
bsn_rpmdb_sqlite_each(const unsigned char *data, size_t len, bsn_rpmdb_blob_fn *fn, void *arg,
                      struct bsn_err *err)
{
    static const char magic[] = "SQLite format 3";
    if (len < 100 || memcmp(data, magic, sizeof(magic)) != 0)
        return bsn_err_set(err, BSN_EFORMAT, "not an SQLite database");
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return bsn_err_set(err, BSN_EIO, "cannot open an in-memory SQLite database");
    }
    unsigned char *buf;
    unsigned flags;
    if (data[18] == 2 || data[19] == 2) {
        buf = sqlite3_malloc64(len);
        if (!buf) {
            sqlite3_close(db);
            return bsn_err_set(err, BSN_ELIMIT, "no memory for an SQLite database of %zu bytes",
                               len);
        }
        memcpy(buf, data, len);
        buf[18] = 1;
        buf[19] = 1;
        flags = SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY;
    } else {
        /* Read-only: SQLite never writes through the pointer. */
        memcpy(&buf, &data, sizeof(buf));
        flags = SQLITE_DESERIALIZE_READONLY;
    }
    bsn_code rc = BSN_OK;
    sqlite3_stmt *st = NULL;
    if (sqlite3_deserialize(db, "main", buf, (sqlite3_int64)len, (sqlite3_int64)len, flags) !=
        SQLITE_OK) {
        rc = bsn_err_set(err, BSN_EFORMAT, "cannot load the SQLite database: %s",
                         sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    if (sqlite3_prepare_v2(db, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = bsn_err_set(err, BSN_EFORMAT, "not an rpm database: %s", sqlite3_errmsg(db));
        goto out;
    }
    for (;;) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = bsn_err_set(err, BSN_EFORMAT, "reading Packages: %s", sqlite3_errmsg(db));
            break;
        }
        const void *blob = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (!blob || n <= 0)
            continue;
        rc = fn(arg, blob, (size_t)n, err);
        if (rc != BSN_OK)
            break;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
