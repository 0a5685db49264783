/*
 * The per-layer analysis cache: a layer result serialised under
 *     CACHE_DIR/layers/v2/XX/KEY.bin
 * where KEY = sha256("bosun-layer\0" diff_id "\0" blob digest "\0" compression "\0"
 * analyzer-set version ":" scanners mask "\0" secret-config bytes). Two images sharing a base
 * layer share its entry; a rescan of a seen image reads no layer bytes at all.
 *
 * The blob digest is in the key because a warm scan reads nothing: what the image claims about
 * a layer is all there is to go on, and only the blob digest is verified by the manifest
 * chain (the cold scan hashed those very bytes, and a later image naming the same digest has
 * the same bytes). A diff_id is a claim of the config: keyed on it alone, an image could name
 * a clean base layer's diff_id beside a blob of its own and be reported as that clean layer
 * without a byte of it being read. With the blob digest in the key, an entry only ever
 * answers for the bytes it was computed from. The price: a layer stored compressed in one
 * image and plain in another (docker save's tars) has two entries.
 *
 * A second level, opts->layer_store (the server's PostgreSQL store, shared by a fleet), is
 * asked when the directory has no entry and is given every entry written: the same bytes,
 * checked the same way, so a bad shared entry is ignored and replaced like a bad file.
 *
 * Safe for many processes at once without a lock: entries are content-addressed and written
 * to a temporary file in the same directory, fsynced, then renamed into place (rename is
 * atomic; two writers of one key write identical bytes). A reader validates magic, bounds
 * and a trailing sha256 of the payload: a corrupt or truncated entry is removed and the layer
 * is analysed again.
 *
 * Format (little endian): "BSNLC1\n\0", payload, "sha256:<64 hex>" of the payload.
 * Strings are u32 length + bytes (0xffffffff = NULL).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/xalloc.h"
#include "scan/scan_int.h"

/* The directory of the key scheme: v1 keyed on the diff_id alone (never read since keys
 * name the blob digest too, and removed by the first write of a v2 entry). */
#define CACHE_FORMAT "v2"
#define MAGIC "BSNLC1\n"
#define MAGIC_LEN 8
#define NULL_LEN 0xffffffffu
#define MAX_ENTRY_BYTES ((size_t)1 << 30)

/* ---- writing -------------------------------------------------------------------------------- */

struct wr {
    struct bsn_buf b;
    bool bad;
};

static void
put(struct wr *w, const void *p, size_t n)
{
    if (!w->bad && bsn_buf_add(&w->b, p, n) != BSN_OK)
        w->bad = true;
}

static void
put_u32(struct wr *w, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24) };
    put(w, b, 4);
}

static void
put_u64(struct wr *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

static void
put_str(struct wr *w, const char *s)
{
    if (!s) {
        put_u32(w, NULL_LEN);
        return;
    }
    size_t n = strlen(s);
    if (n >= NULL_LEN) {
        w->bad = true;
        return;
    }
    put_u32(w, (uint32_t)n);
    put(w, s, n);
}

static void
put_pkg(struct wr *w, const struct bsn_package *p)
{
    put_str(w, p->type);
    put_str(w, p->name);
    put_str(w, p->version);
    put_u32(w, (uint32_t)p->epoch);
    put_str(w, p->arch);
    put_str(w, p->source_name);
    put_str(w, p->source_version);
    put_str(w, p->module);
    put_str(w, p->purl);
    put_u32(w, (uint32_t)p->n_licenses);
    for (size_t i = 0; i < p->n_licenses; i++)
        put_str(w, p->licenses[i]);
    put_str(w, p->maintainer);
    put_str(w, p->vendor);
    put_str(w, p->path);
    put_u32(w, (uint32_t)p->dep);
    put_u32(w, p->dev ? 1u : 0u);
}

static void
put_rec(struct wr *w, const struct bsn_rec *r)
{
    put_u32(w, (uint32_t)r->kind);
    put_str(w, bsn_analyzers[r->analyzer]->name);
    switch (r->kind) {
    case BSN_REC_PACKAGE:
        put_pkg(w, r->u.pkg);
        break;
    case BSN_REC_OS:
        put_str(w, r->u.os.os.family);
        put_str(w, r->u.os.os.name);
        put_str(w, r->u.os.os.version);
        put_str(w, r->u.os.os.codename);
        put_u32(w, r->u.os.os.eosl ? 1u : 0u);
        put_u32(w, (uint32_t)r->u.os.priority);
        break;
    case BSN_REC_OWNED:
        put_str(w, r->u.owned);
        break;
    case BSN_REC_AUX:
        put_str(w, r->u.aux.key);
        put_str(w, r->u.aux.value);
        break;
    case BSN_REC_MISCONFIG: {
        const struct bsn_misconfig *m = r->u.misconfig;
        put_str(w, m->id);
        put_str(w, m->title);
        put_u32(w, (uint32_t)m->severity);
        put_str(w, m->message);
        put_str(w, m->source);
        put_str(w, m->path);
        put_u64(w, m->line);
        put_str(w, m->resolution);
        break;
    }
    case BSN_REC_SECRET:
        break;
    }
}

static void
serialise(struct wr *w, const struct bsn_layer_result *lr)
{
    put(w, MAGIC, MAGIC_LEN);
    put_u64(w, lr->entries);
    put_u64(w, lr->bytes_read);
    put_u32(w, (uint32_t)lr->n_whiteouts);
    for (size_t i = 0; i < lr->n_whiteouts; i++)
        put_str(w, lr->whiteouts[i]);
    put_u32(w, (uint32_t)lr->n_opaques);
    for (size_t i = 0; i < lr->n_opaques; i++)
        put_str(w, lr->opaques[i]);
    put_u32(w, (uint32_t)lr->n_diags);
    for (size_t i = 0; i < lr->n_diags; i++)
        put_str(w, lr->diags[i]);
    uint32_t n_sec = 0;
    for (const struct bsn_secret_rec *s = lr->secrets; s; s = s->next)
        n_sec++;
    put_u32(w, n_sec);
    for (const struct bsn_secret_rec *s = lr->secrets; s; s = s->next) {
        put_str(w, s->s.rule_id);
        put_u32(w, (uint32_t)s->s.severity);
        put_str(w, s->s.title);
        put_str(w, s->s.path);
        put_u64(w, s->s.line);
        put_str(w, s->s.match);
    }
    put_u32(w, (uint32_t)lr->files.len);
    struct bsn_map_slot *slot;
    size_t n_files = 0;
    for (size_t it = 0; (slot = bsn_map_next(&lr->files, &it));)
        n_files++;
    /* lr->files.len counts tombstones too; write the real count over it. */
    size_t at = w->b.len - 4;
    if (!w->bad) {
        w->b.ptr[at] = (char)(n_files & 0xff);
        w->b.ptr[at + 1] = (char)((n_files >> 8) & 0xff);
        w->b.ptr[at + 2] = (char)((n_files >> 16) & 0xff);
        w->b.ptr[at + 3] = (char)((n_files >> 24) & 0xff);
    }
    for (size_t it = 0; (slot = bsn_map_next(&lr->files, &it));) {
        const struct bsn_file_recs *f = slot->val;
        put_str(w, f->path);
        uint32_t n = 0;
        for (const struct bsn_rec *r = f->head; r; r = r->next)
            n++;
        put_u32(w, n);
        for (const struct bsn_rec *r = f->head; r; r = r->next)
            put_rec(w, r);
    }
    char digest[BSN_DIGEST_MAX];
    bsn_sha256_digest(w->b.ptr, w->b.len, digest);
    put(w, digest, 7 + 64);
}

/* ---- reading -------------------------------------------------------------------------------- */

struct rd {
    const unsigned char *p;
    size_t n;
    bool bad;
    struct bsn_arena *a;
};

static uint32_t
get_u32(struct rd *r)
{
    if (r->bad || r->n < 4) {
        r->bad = true;
        return 0;
    }
    uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
                 (uint32_t)r->p[3] << 24;
    r->p += 4;
    r->n -= 4;
    return v;
}

static uint64_t
get_u64(struct rd *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

static const char *
get_str(struct rd *r)
{
    uint32_t n = get_u32(r);
    if (r->bad || n == NULL_LEN)
        return NULL;
    if (n > r->n) {
        r->bad = true;
        return NULL;
    }
    const char *s = bsn_arena_strndup(r->a, (const char *)r->p, n);
    r->p += n;
    r->n -= n;
    return s;
}

/* A count that cannot exceed what is left (each item takes at least 4 bytes). */
static uint32_t
get_count(struct rd *r)
{
    uint32_t n = get_u32(r);
    if (n > r->n / 4)
        r->bad = true;
    return r->bad ? 0 : n;
}

static const char **
get_strs(struct rd *r, size_t *n, size_t *cap)
{
    uint32_t c = get_count(r);
    const char **v = c ? bsn_xcalloc(c, sizeof(*v)) : NULL;
    for (uint32_t i = 0; i < c; i++)
        v[i] = get_str(r);
    *n = c;
    *cap = c;
    return v;
}

static int
analyzer_index(const char *name)
{
    for (size_t i = 0; name && bsn_analyzers[i]; i++)
        if (strcmp(bsn_analyzers[i]->name, name) == 0)
            return (int)i;
    return -1;
}

static bool
deserialise(struct rd *r, struct bsn_layer_result *lr)
{
    if (r->n < MAGIC_LEN || memcmp(r->p, MAGIC, MAGIC_LEN) != 0)
        return false;
    r->p += MAGIC_LEN;
    r->n -= MAGIC_LEN;
    lr->entries = get_u64(r);
    lr->bytes_read = get_u64(r);
    lr->whiteouts = get_strs(r, &lr->n_whiteouts, &lr->cap_whiteouts);
    lr->opaques = get_strs(r, &lr->n_opaques, &lr->cap_opaques);
    lr->diags = get_strs(r, &lr->n_diags, &lr->cap_diags);
    uint32_t n_sec = get_count(r);
    for (uint32_t i = 0; i < n_sec && !r->bad; i++) {
        struct bsn_secret_rec *s = bsn_arena_alloc(lr->arena, sizeof(*s));
        s->s.rule_id = get_str(r);
        s->s.severity = (enum bsn_severity)(get_u32(r) % BSN_SEV_COUNT);
        s->s.title = get_str(r);
        s->s.path = get_str(r);
        s->s.line = get_u64(r);
        s->s.match = get_str(r);
        s->s.layer = lr->diff_id;
        if (!s->s.path)
            r->bad = true;
        s->next = lr->secrets;
        lr->secrets = s;
    }
    uint32_t n_files = get_count(r);
    for (uint32_t i = 0; i < n_files && !r->bad; i++) {
        struct bsn_file_recs *f = bsn_arena_alloc(lr->arena, sizeof(*f));
        f->path = get_str(r);
        if (!f->path) {
            r->bad = true;
            break;
        }
        f->len = strlen(f->path);
        bsn_map_put(&lr->files, f->path, f->len, f);
        uint32_t n = get_count(r);
        for (uint32_t k = 0; k < n && !r->bad; k++) {
            struct bsn_rec *rec = bsn_arena_alloc(lr->arena, sizeof(*rec));
            rec->kind = (enum bsn_rec_kind)get_u32(r);
            int an = analyzer_index(get_str(r));
            if (an < 0) {
                r->bad = true;
                break;
            }
            rec->analyzer = (unsigned)an;
            switch (rec->kind) {
            case BSN_REC_PACKAGE: {
                struct bsn_package *p = bsn_arena_alloc(lr->arena, sizeof(*p));
                p->type = get_str(r);
                p->name = get_str(r);
                p->version = get_str(r);
                p->epoch = (int)get_u32(r);
                p->arch = get_str(r);
                p->source_name = get_str(r);
                p->source_version = get_str(r);
                p->module = get_str(r);
                p->purl = get_str(r);
                uint32_t nl = get_count(r);
                const char **lic = nl ? bsn_arena_alloc_array(lr->arena, nl, sizeof(*lic))
                                      : NULL;
                for (uint32_t l = 0; l < nl; l++)
                    lic[l] = get_str(r);
                p->licenses = lic;
                p->n_licenses = nl;
                p->maintainer = get_str(r);
                p->vendor = get_str(r);
                p->path = get_str(r);
                p->dep = (enum bsn_dep_kind)get_u32(r);
                p->dev = get_u32(r) != 0;
                p->analyzer = bsn_analyzers[an]->name;
                p->layer = lr->diff_id;
                rec->u.pkg = p;
                break;
            }
            case BSN_REC_OS:
                rec->u.os.os.family = get_str(r);
                rec->u.os.os.name = get_str(r);
                rec->u.os.os.version = get_str(r);
                rec->u.os.os.codename = get_str(r);
                rec->u.os.os.eosl = get_u32(r) != 0;
                rec->u.os.priority = (int)get_u32(r);
                break;
            case BSN_REC_OWNED:
                rec->u.owned = get_str(r);
                if (!rec->u.owned)
                    r->bad = true;
                break;
            case BSN_REC_AUX:
                rec->u.aux.key = get_str(r);
                rec->u.aux.value = get_str(r);
                if (!rec->u.aux.key || !rec->u.aux.value)
                    r->bad = true;
                break;
            case BSN_REC_MISCONFIG: {
                struct bsn_misconfig *m = bsn_arena_alloc(lr->arena, sizeof(*m));
                m->id = get_str(r);
                m->title = get_str(r);
                m->severity = (enum bsn_severity)(get_u32(r) % BSN_SEV_COUNT);
                m->message = get_str(r);
                m->source = get_str(r);
                m->path = get_str(r);
                m->line = get_u64(r);
                m->resolution = get_str(r);
                rec->u.misconfig = m;
                break;
            }
            case BSN_REC_SECRET:
            default:
                r->bad = true;
                break;
            }
            if (f->tail)
                f->tail->next = rec;
            else
                f->head = rec;
            f->tail = rec;
        }
    }
    return !r->bad && r->n == 0;
}

/* ---- the cache -------------------------------------------------------------------------- */

void
bsn_cache_key(const char *diff_id, const char *blob, int compression,
              const struct bsn_scan_opts *opts, char out[BSN_DIGEST_MAX])
{
    struct bsn_sha256 h;
    char tail[64];
    bsn_sha256_init(&h);
    bsn_sha256_update(&h, "bosun-layer", 12);
    bsn_sha256_update(&h, diff_id, strlen(diff_id) + 1);
    bsn_sha256_update(&h, blob, strlen(blob) + 1);
    snprintf(tail, sizeof(tail), "%d", compression);
    bsn_sha256_update(&h, tail, strlen(tail) + 1);
    snprintf(tail, sizeof(tail), "%016llx:%x", (unsigned long long)bsn_analyzers_version(),
             opts->scanners & (BSN_SCAN_SECRET | BSN_SCAN_MISCONFIG));
    bsn_sha256_update(&h, tail, strlen(tail) + 1);
    if (opts->secret_config && (opts->scanners & BSN_SCAN_SECRET)) {
        /* The rules change what the layer yields: key on the file's bytes. */
        FILE *f = fopen(opts->secret_config, "rb");
        char buf[8192];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
            bsn_sha256_update(&h, buf, n);
        if (f)
            fclose(f);
    }
    bsn_sha256_final(&h, out);
}

static bool
entry_path(struct bsn_buf *b, const char *dir, const char *key, bool mkdirs)
{
    const char *hex = key + 7;
    if (bsn_buf_addf(b, "%s/layers", dir) != BSN_OK)
        return false;
    if (mkdirs && mkdir(dir, 0755) != 0 && errno != EEXIST)
        return false;
    if (mkdirs && mkdir(b->ptr, 0755) != 0 && errno != EEXIST)
        return false;
    if (bsn_buf_addf(b, "/" CACHE_FORMAT) != BSN_OK)
        return false;
    if (mkdirs && mkdir(b->ptr, 0755) != 0 && errno != EEXIST)
        return false;
    if (bsn_buf_addf(b, "/%.2s", hex) != BSN_OK)
        return false;
    if (mkdirs && mkdir(b->ptr, 0755) != 0 && errno != EEXIST)
        return false;
    return bsn_buf_addf(b, "/%s.bin", hex) == BSN_OK;
}

/* An entry's bytes -> a layer result, or NULL when they are not a valid entry. */
static struct bsn_layer_result *
decode(const unsigned char *data, size_t size, size_t index, const char *diff_id)
{
    if (size > MAX_ENTRY_BYTES || size < MAGIC_LEN + 71)
        return NULL;
    char digest[BSN_DIGEST_MAX];
    bsn_sha256_digest(data, size - 71, digest);
    if (memcmp(digest, data + size - 71, 71) != 0)
        return NULL;
    struct bsn_layer_result *lr = bsn_layer_result_new(index, diff_id);
    struct rd r = { data, size - 71, false, lr->arena };
    if (!deserialise(&r, lr)) {
        bsn_layer_result_free(lr);
        return NULL;
    }
    return lr;
}

/* The bytes of the entry file of key in dir (malloc'd), or NULL. */
static unsigned char *
file_read(const char *dir, const char *key, size_t *size, struct bsn_buf *path)
{
    if (!entry_path(path, dir, key, false))
        return NULL;
    int fd = open(path->ptr, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size > MAX_ENTRY_BYTES ||
        st.st_size < MAGIC_LEN + 71) {
        if (fd >= 0) {
            close(fd);
            unlink(path->ptr); /* too small or too big to be an entry */
        }
        return NULL;
    }
    *size = (size_t)st.st_size;
    unsigned char *data = bsn_xmalloc(*size);
    size_t off = 0;
    while (off < *size) {
        ssize_t n = read(fd, data + off, *size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(fd);
    if (off != *size) {
        free(data);
        unlink(path->ptr);
        return NULL;
    }
    return data;
}

static bsn_code rm_tree(const char *path, struct bsn_err *err);

/* Entries of an older key scheme can never be read again: the first write of a process
 * removes them (an old bosun writing there at the same time only loses its writes). */
static void
drop_stale_formats(const char *dir)
{
    static atomic_flag done = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&done))
        return;
    struct bsn_buf p;
    struct bsn_err ignored;
    bsn_buf_init(&p, 8192);
    if (bsn_buf_addf(&p, "%s/layers/v1", dir) == BSN_OK)
        (void)rm_tree(p.ptr, &ignored);
    bsn_buf_release(&p);
}

/* Writes an entry file atomically: a temporary file in the same directory, fsync, rename. */
static void
file_write(const char *dir, const char *key, const void *data, size_t len)
{
    drop_stale_formats(dir);
    struct bsn_buf path, tmp;
    bsn_buf_init(&path, 8192);
    bsn_buf_init(&tmp, 8192);
    if (!entry_path(&path, dir, key, true) ||
        bsn_buf_addf(&tmp, "%s.tmp.XXXXXX", path.ptr) != BSN_OK)
        goto out;
    int fd = mkstemp(tmp.ptr);
    if (fd < 0)
        goto out;
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, (const char *)data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    bool ok = off == len && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = false;
    if (!ok || rename(tmp.ptr, path.ptr) != 0)
        unlink(tmp.ptr);
out:
    bsn_buf_release(&path);
    bsn_buf_release(&tmp);
}

struct bsn_layer_result *
bsn_cache_get(const struct bsn_scan_opts *o, const char *key, size_t index, const char *diff_id)
{
    struct bsn_layer_result *lr = NULL;
    if (o->cache_dir) {
        struct bsn_buf path;
        bsn_buf_init(&path, 8192);
        size_t size = 0;
        unsigned char *data = file_read(o->cache_dir, key, &size, &path);
        if (data) {
            lr = decode(data, size, index, diff_id);
            if (!lr)
                unlink(path.ptr); /* corrupt: drop it, the layer is analysed again */
        }
        free(data);
        bsn_buf_release(&path);
    }
    if (!lr && o->layer_store) {
        size_t size = 0;
        unsigned char *data = o->layer_store->get(o->layer_store->ctx, key, &size);
        if (data) {
            lr = decode(data, size, index, diff_id);
            /* a corrupt shared entry is replaced when this scan stores the layer */
            if (lr && o->cache_dir)
                file_write(o->cache_dir, key, data, size);
        }
        free(data);
    }
    return lr;
}

void
bsn_cache_put(const struct bsn_scan_opts *o, const char *key, const struct bsn_layer_result *lr)
{
    struct wr w;
    bsn_buf_init(&w.b, MAX_ENTRY_BYTES);
    w.bad = false;
    serialise(&w, lr);
    if (!w.bad) {
        if (o->cache_dir)
            file_write(o->cache_dir, key, w.b.ptr, w.b.len);
        if (o->layer_store)
            o->layer_store->put(o->layer_store->ctx, key, (const unsigned char *)w.b.ptr,
                                w.b.len);
    }
    bsn_buf_release(&w.b);
}

static bsn_code
rm_tree(const char *path, struct bsn_err *err)
{
    DIR *d = opendir(path);
    if (!d) {
        if (errno == ENOENT)
            return BSN_OK;
        if (errno == ENOTDIR)
            return unlink(path) == 0 ? BSN_OK
                                     : bsn_err_sys(err, BSN_EIO, errno, "cannot remove '%s'",
                                                   path);
        return bsn_err_sys(err, BSN_EIO, errno, "cannot open '%s'", path);
    }
    struct dirent *e;
    bsn_code rc = BSN_OK;
    while (rc == BSN_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct bsn_buf p;
        bsn_buf_init(&p, 8192);
        if (bsn_buf_addf(&p, "%s/%s", path, e->d_name) != BSN_OK) {
            bsn_buf_release(&p);
            continue;
        }
        struct stat st;
        if (lstat(p.ptr, &st) == 0 && S_ISDIR(st.st_mode))
            rc = rm_tree(p.ptr, err);
        else if (unlink(p.ptr) != 0 && errno != ENOENT)
            rc = bsn_err_sys(err, BSN_EIO, errno, "cannot remove '%s'", p.ptr);
        bsn_buf_release(&p);
    }
    closedir(d);
    if (rc == BSN_OK && rmdir(path) != 0 && errno != ENOENT)
        rc = bsn_err_sys(err, BSN_EIO, errno, "cannot remove '%s'", path);
    return rc;
}

bsn_code
bsn_cache_clean(const char *dir, struct bsn_err *err)
{
    struct bsn_buf p;
    bsn_buf_init(&p, 8192);
    if (bsn_buf_addf(&p, "%s/layers", dir) != BSN_OK) {
        bsn_buf_release(&p);
        return bsn_err_set(err, BSN_EINVAL, "cache directory path too long");
    }
    bsn_code rc = rm_tree(p.ptr, err);
    bsn_buf_release(&p);
    return rc;
}
