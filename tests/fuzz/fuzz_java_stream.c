/*
 * Fuzz target for the streaming Java archive reader (analyzer java_stream: archives over
 * 16 MiB read with libarchive's streamable zip reader on a helper thread), driven through the
 * real dispatch as a layer entry. The declared size is forced over the threshold so the
 * streaming path is taken whatever the input's length; byte 0 picks the chunk size the bytes
 * arrive in (1..255 bytes, or 256 KiB), the rest is the archive.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bosun.h"
#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
    const uint8_t *p;
    size_t n, off, chunk;
};

static bsn_code
mem_read(void *arg, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    (void)err;
    struct mem *m = arg;
    size_t k = m->n - m->off;
    if (k > cap)
        k = cap;
    if (k > m->chunk)
        k = m->chunk;
    memcpy(buf, m->p + m->off, k);
    m->off += k;
    *got = k;
    return BSN_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct mem m = { data + 1, size - 1, 0, data[0] ? data[0] : 256u * 1024u };
    struct bsn_scan_opts opts;
    bsn_scan_opts_init(&opts);
    opts.scanners = 0;
    struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
    struct bsn_job j;
    bsn_job_init(&j, lr, &opts);
    static const char path[] = "opt/app/fat.jar";
    struct bsn_path p;
    bsn_make_path(&p, path, sizeof(path) - 1, 17u << 20, 0100644);
    struct bsn_err err;
    bsn_err_clear(&err);
    if (bsn_job_file(&j, &p, mem_read, &m, &err) != BSN_OK)
        __builtin_trap(); /* a memory source never fails */
    bsn_job_release(&j);
    struct bsn_result *r = bsn_result_new("fuzz", BSN_ARTIFACT_FS);
    if (bsn_merge(&lr, 1, r, &err) != BSN_OK)
        __builtin_trap();
    bsn_result_free(r);
    return 0;
}
