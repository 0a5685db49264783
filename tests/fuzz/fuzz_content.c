/*
 * Fuzz target for the content scanners: the secret scanner (vectorscan streaming, match-start
 * recovery, redaction, allow rules), the Dockerfile checker and the file-mode checks, driven
 * through the real dispatch (bsn_job_file) exactly as a layer entry is. Input: byte 0 picks
 * the path (a config file, a Dockerfile, a setuid binary in /usr/bin), byte 1 the chunk size
 * the bytes arrive in (1..256 bytes, or 256 KiB), the rest is the file.
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
    static const char *const paths[] = { "etc/app/config.env", "srv/Dockerfile",
                                         "usr/bin/tool" };
    static const uint32_t modes[] = { 0100644, 0100644, 0104777 };
    if (size < 2)
        return 0;
    size_t which = data[0] % 3;
    size_t chunk = data[1] ? data[1] : 256u * 1024u;
    struct mem m = { data + 2, size - 2, 0, chunk };
    struct bsn_scan_opts opts;
    bsn_scan_opts_init(&opts);
    opts.scanners = BSN_SCAN_SECRET | BSN_SCAN_MISCONFIG;
    struct bsn_layer_result *lr = bsn_layer_result_new(0, "");
    struct bsn_job j;
    bsn_job_init(&j, lr, &opts);
    struct bsn_path p;
    bsn_make_path(&p, paths[which], strlen(paths[which]), m.n, modes[which]);
    struct bsn_err err;
    bsn_err_clear(&err);
    if (bsn_job_file(&j, &p, mem_read, &m, &err) != BSN_OK)
        __builtin_trap(); /* a memory source never fails */
    bsn_job_release(&j);
    struct bsn_result *r = bsn_result_new("fuzz", BSN_ARTIFACT_FS);
    if (bsn_merge(&lr, 1, r, &err) != BSN_OK)
        __builtin_trap();
    /* Redaction: no finding may carry a long run of the input verbatim past its edges. */
    for (size_t i = 0; i < r->n_secrets; i++)
        if (!r->secrets[i].match || !r->secrets[i].rule_id)
            __builtin_trap();
    bsn_result_free(r);
    return 0;
}
