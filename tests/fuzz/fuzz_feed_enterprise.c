/*
 * libFuzzer target for the enterprise-distribution importers (Red Hat CSAF VEX and RHSA
 * documents, JSON and JSON-lines; Amazon updateinfo XML, plain or gzip;
 * Photon cve_data JSON; Oracle ELSA and Red Hat
 * OVAL XML, plain or compressed): each input is imported by each of them under a path its
 * detect() accepts, then the import is written to a temp database so the merge and writer
 * paths see whatever the importers emitted.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct bsn_feed bsn_feed_redhat_csaf;
extern const struct bsn_feed bsn_feed_amazon_alas;
extern const struct bsn_feed bsn_feed_photon;
extern const struct bsn_feed bsn_feed_oracle_elsa;
extern const struct bsn_feed bsn_feed_redhat_oval;

static const struct {
    const struct bsn_feed *feed;
    const char *path;
} targets[] = {
    { &bsn_feed_redhat_csaf, "csaf/v2/vex/2024/cve-2024-0727.json" },
    { &bsn_feed_redhat_csaf, "jsonl-compacted/cve-2024-7348.jsonl" },
    { &bsn_feed_amazon_alas, "repodata/updateinfo.xml" },
    { &bsn_feed_photon, "photon_cve_metadata/cve_data_photon3.0.json" },
    { &bsn_feed_oracle_elsa, "oracle/com.oracle.elsa-2024.xml" },
    { &bsn_feed_oracle_elsa, "oracle/com.oracle.elsa-all.xml.bz2" },
    { &bsn_feed_redhat_oval, "oval/v2/RHEL9/rhel-9.oval.xml" },
};

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
    unsigned rc = 0;
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        (void)targets[i].feed->detect(targets[i].path, buf, size);
        rc |= bsn_vdb_import_file(im, targets[i].feed, targets[i].path, buf, size, &err);
    }
    char path[] = "/tmp/bsn-fuzz-enterprise-XXXXXX";
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
