/*
 * libFuzzer target for the distribution importers that parse their own formats: the Debian
 * DSA/DLA/CVE lists and tracker JSON, Alpine secdb (JSON and YAML) and Wolfi (advisories YAML
 * and secdb JSON). The first input byte picks the importer and path, the rest is the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct bsn_feed bsn_feed_debian_dsa;
extern const struct bsn_feed bsn_feed_debian_tracker;
extern const struct bsn_feed bsn_feed_alpine_secdb;
extern const struct bsn_feed bsn_feed_wolfi;

static const struct {
    const struct bsn_feed *feed;
    const char *path;
} targets[] = {
    { &bsn_feed_debian_dsa, "data/DSA/list" },
    { &bsn_feed_debian_dsa, "data/CVE/list" },
    { &bsn_feed_debian_tracker, "tracker/data/json" },
    { &bsn_feed_alpine_secdb, "v3.19/main.json" },
    { &bsn_feed_alpine_secdb, "v3.9/main.yaml" },
    { &bsn_feed_wolfi, "fd.advisories.yaml" },
    { &bsn_feed_wolfi, "os/security.json" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t which = data[0] % (sizeof(targets) / sizeof(targets[0]));
    unsigned char *buf = malloc(size);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    struct bsn_vdb_import *im = bsn_vdb_import_new(NULL, NULL);
    struct bsn_err err = { 0 };
    unsigned rc;
    (void)targets[which].feed->detect(targets[which].path, buf, size - 1);
    rc = bsn_vdb_import_file(im, targets[which].feed, targets[which].path, buf, size - 1,
                              &err);
    (void)rc; /* malformed input is an error code or a warning, never a crash */
    bsn_vdb_import_free(im);
    free(buf);
    return 0;
}
