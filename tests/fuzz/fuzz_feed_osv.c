/*
 * libFuzzer target for the OSV importer: each input is imported as a JSON record and as a
 * YAML record (PyPA's form), then the import is written to an in-memory-sized temp database,
 * so the merge and writer paths see whatever the importer emitted.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct bsn_feed bsn_feed_osv;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* importers get NUL-terminated data */
    unsigned char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    struct bsn_vdb_import *im = bsn_vdb_import_new(NULL, NULL);
    struct bsn_err err = { 0 };
    unsigned rc;
    rc = bsn_vdb_import_file(im, &bsn_feed_osv, "vulns/x/OSV-1.json", buf, size, &err);
    rc |= bsn_vdb_import_file(im, &bsn_feed_osv, "vulns/x/OSV-1.yaml", buf, size, &err);
    (void)bsn_feed_osv.detect("a.json", buf, size);
    (void)bsn_feed_osv.detect("a.yaml", buf, size);
    char path[] = "/tmp/bsn-fuzz-osv-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        close(fd);
        rc |= bsn_vdb_import_write(im, path, 0, &err);
        unlink(path);
    }
    (void)rc; /* malformed input is an error code or a warning, never a crash */
    bsn_vdb_import_free(im);
    free(buf);
    return 0;
}
