/*
 * Analysing one file: the dispatch index picks the analyzers that want the path; the file is
 * read once, in 256 KiB chunks, fed to the streaming analyzers as it arrives and buffered (up
 * to max_input) only when a buffered analyzer wants the whole file. Analyzer failures become
 * diagnostics naming the file; read failures (truncation, digest mismatch) fail the layer.
 * Also bsn_analyze_files: a set of files on disk analysed as one layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "scan/scan_int.h"

#define CHUNK_BYTES (256u * 1024u)
#define DEFAULT_MAX_INPUT (64ull * 1024 * 1024)


void
bsn_job_init(struct bsn_job *j, struct bsn_layer_result *lr, const struct bsn_scan_opts *opts)
{
    j->lr = lr;
    j->opts = opts;
    j->scratch = bsn_arena_new();
    bsn_buf_init(&j->buf, 0);
    j->chunk = bsn_xmalloc(CHUNK_BYTES);
}

void
bsn_job_release(struct bsn_job *j)
{
    bsn_arena_free(j->scratch);
    bsn_buf_release(&j->buf);
    free(j->chunk);
}

void
bsn_job_push_path(struct bsn_layer_result *lr, const char ***arr, size_t *n, size_t *cap,
          const char *p, size_t len)
{
    *arr = bsn_xgrow(*arr, cap, *n + 1, sizeof(**arr));
    (*arr)[(*n)++] = bsn_arena_strndup(lr->arena, p, len);
}

void
bsn_job_mark_present(struct bsn_job *j, const struct bsn_path *p)
{
    if (bsn_map_get(&j->lr->files, p->path, p->len))
        return;
    struct bsn_file_recs *f = bsn_arena_alloc(j->lr->arena, sizeof(*f));
    f->path = bsn_arena_strndup(j->lr->arena, p->path, p->len);
    f->len = p->len;
    bsn_map_put(&j->lr->files, f->path, f->len, f);
}

void
bsn_make_path(struct bsn_path *p, const char *path, size_t len, uint64_t size, uint32_t mode)
{
    p->path = path;
    p->len = len;
    const char *slash = memrchr(path, '/', len);
    p->base = slash ? slash + 1 : path;
    p->base_len = len - (size_t)(p->base - path);
    p->size = size;
    p->mode = mode;
}

bsn_code
bsn_job_file(struct bsn_job *j, const struct bsn_path *p, bsn_read_fn *rd, void *rdarg,
             struct bsn_err *err)
{
    bool want[BSN_MAX_ANALYZERS];
    size_t nwant = bsn_dispatch(p, j->opts->scanners, want);
    if (!nwant)
        return BSN_OK;
    size_t count = bsn_analyzer_count();
    struct bsn_actx ctx = { .lr = j->lr, .scratch = j->scratch, .opts = j->opts, .path = p };
    void *state[BSN_MAX_ANALYZERS];
    bool streaming[BSN_MAX_ANALYZERS] = { false };
    bool buffered = false;
    uint64_t max_buf = 0;
    bool identity = false;

    for (size_t i = 0; i < count; i++) {
        if (!want[i])
            continue;
        const struct bsn_analyzer *a = bsn_analyzers[i];
        if (!bsn_analyzer_all_files(i))
            identity = true;
        if (a->parse) {
            uint64_t max = a->max_input ? a->max_input : DEFAULT_MAX_INPUT;
            if (p->size > max) {
                bsn_layer_result_diag(j->lr, "%s: %s: file of %llu bytes is over the %llu-byte "
                                      "limit, not parsed", p->path, a->name,
                                      (unsigned long long)p->size, (unsigned long long)max);
                want[i] = false;
                continue;
            }
            buffered = true;
            if (max > max_buf)
                max_buf = max;
        } else if (a->stream_begin) {
            struct bsn_err aerr;
            bsn_err_clear(&aerr);
            ctx.analyzer = (unsigned)i;
            state[i] = NULL;
            if (a->stream_begin(&ctx, p, &state[i], &aerr) == BSN_OK)
                streaming[i] = true;
            else if (aerr.msg[0])
                bsn_layer_result_diag(j->lr, "%s: %s: %s", p->path, a->name, aerr.msg);
        }
    }
    if (identity)
        bsn_job_mark_present(j, p);

    bsn_buf_reset(&j->buf);
    j->buf.max = (size_t)max_buf;
    bool any_stream = false;
    for (size_t i = 0; i < count; i++)
        any_stream |= streaming[i];
    bsn_code rc = BSN_OK;
    if (buffered || any_stream) {
        for (;;) {
            size_t got = 0;
            rc = rd(rdarg, j->chunk, CHUNK_BYTES, &got, err);
            if (rc != BSN_OK || got == 0)
                break;
            j->lr->bytes_read += got;
            bool still = false;
            for (size_t i = 0; i < count; i++) {
                if (!streaming[i])
                    continue;
                struct bsn_err aerr;
                bsn_err_clear(&aerr);
                ctx.analyzer = (unsigned)i;
                bsn_code src = bsn_analyzers[i]->stream_data(&ctx, state[i], j->chunk, got,
                                                             &aerr);
                if (src != BSN_OK) {
                    if (src != BSN_ECANCELED)
                        bsn_layer_result_diag(j->lr, "%s: %s: %s", p->path,
                                              bsn_analyzers[i]->name, aerr.msg);
                    struct bsn_err eerr;
                    bsn_analyzers[i]->stream_end(&ctx, state[i], &eerr);
                    streaming[i] = false;
                    continue;
                }
                still = true;
            }
            if (buffered) {
                if (bsn_buf_add(&j->buf, j->chunk, got) != BSN_OK) {
                    /* The entry is bigger than its header said and than any limit. */
                    bsn_layer_result_diag(j->lr, "%s: file exceeds the parse limit, not parsed",
                                          p->path);
                    buffered = false;
                }
            } else if (!still) {
                break; /* nobody wants the rest: the walk skips it */
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (!streaming[i])
            continue;
        struct bsn_err aerr;
        bsn_err_clear(&aerr);
        ctx.analyzer = (unsigned)i;
        if (bsn_analyzers[i]->stream_end(&ctx, state[i], &aerr) != BSN_OK && aerr.msg[0])
            bsn_layer_result_diag(j->lr, "%s: %s: %s", p->path, bsn_analyzers[i]->name,
                                  aerr.msg);
    }
    if (rc != BSN_OK)
        return rc;
    if (buffered) {
        struct bsn_input in = { .path = p, .data = (const unsigned char *)j->buf.ptr,
                                .len = j->buf.len };
        for (size_t i = 0; i < count; i++) {
            if (!want[i] || !bsn_analyzers[i]->parse)
                continue;
            struct bsn_err aerr;
            bsn_err_clear(&aerr);
            ctx.analyzer = (unsigned)i;
            struct bsn_arena_mark m = bsn_arena_mark(j->scratch);
            if (bsn_analyzers[i]->parse(&ctx, &in, &aerr) != BSN_OK)
                bsn_layer_result_diag(j->lr, "%s: %s: %s", p->path, bsn_analyzers[i]->name,
                                      aerr.msg[0] ? aerr.msg : bsn_code_name(aerr.code));
            bsn_arena_rewind(j->scratch, m);
        }
    }
    return BSN_OK;
}

struct fd_reader {
    int fd;
    const char *path;
};

static bsn_code
fd_read(void *arg, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    struct fd_reader *f = arg;
    for (;;) {
        ssize_t n = read(f->fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bsn_err_sys(err, BSN_EIO, errno, "cannot read '%s'", f->path);
        *got = (size_t)n;
        return BSN_OK;
    }
}

bsn_code
bsn_analyze_files(size_t n, const char *const *image_paths, const char *const *disk_paths,
                  struct bsn_layer_result *lr, const struct bsn_scan_opts *opts,
                  struct bsn_err *err)
{
    struct bsn_job j;
    bsn_code rc = BSN_OK;
    bsn_job_init(&j, lr, opts);
    for (size_t i = 0; i < n && rc == BSN_OK; i++) {
        struct fd_reader f = { open(disk_paths[i], O_RDONLY | O_CLOEXEC), disk_paths[i] };
        struct stat st;
        if (f.fd < 0 || fstat(f.fd, &st) != 0) {
            rc = bsn_err_sys(err, BSN_ENOTFOUND, errno, "cannot open '%s'", disk_paths[i]);
            if (f.fd >= 0)
                close(f.fd);
            break;
        }
        const char *ip = image_paths[i];
        while (*ip == '/')
            ip++;
        struct bsn_path p;
        bsn_make_path(&p, ip, strlen(ip), (uint64_t)st.st_size, (uint32_t)st.st_mode);
        lr->entries++;
        rc = bsn_job_file(&j, &p, fd_read, &f, err);
        close(f.fd);
    }
    bsn_job_release(&j);
    return rc;
}
