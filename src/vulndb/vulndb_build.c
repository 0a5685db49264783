/*
 * 'bosun db build': feeds in, one SQLite file out.
 *
 * Each SOURCE is "[kind:]PATH" where kind is a feed name of feeds.def ("osv", "debian-tracker",
 * …). PATH is a file, a directory (walked recursively in name order, hidden entries and
 * symbolic links to directories skipped),
 * or an archive (.zip, .tar, .tar.gz/.tgz, .tar.xz/.txz, .tar.zst, .tar.bz2; read with
 * libarchive, one level: archives inside archives are not opened). A directory may hold
 * archives (as tests/data/feeds does). Every file is offered to the named feed, or without a
 * kind to each feed's detect() in feeds.def order; files no feed wants (README, LICENSE,
 * index.json) are ignored. A source in which no file is accepted is the wrong kind: BSN_EFORMAT.
 *
 * Paths handed to importers are the source path joined with the member path
 * ("feeds/go.tar.xz!/golang-vulndb/data/osv/GO-2022-0001.json"), so layout-derived facts
 * (Alpine's "v3.19/main.json") survive and warnings name the file.
 *
 * The database is written to a temp file beside the target, fsynced and renamed over it; the
 * old database stays in place on any failure.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/sha256.h"
#include "base/xalloc.h"
#include "vulndb/vulndb_int.h"

#define HEAD_BYTES 4096
#define MAX_DEPTH 32

struct build {
    struct bsn_vdb_import *im;
    const struct bsn_feed *kind; /* forced by a prefix, or NULL: detect */
    size_t accepted;             /* files of this source some feed took */
    size_t seen;
};

static bool
is_archive_name(const char *p)
{
    static const char *const sfx[] = { ".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz",
                                       ".tar.zst", ".tar.bz2", ".tbz2" };
    for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
        if (bsn_cstr_ends(p, sfx[i]))
            return true;
    return false;
}

static const struct bsn_feed *
pick_feed(struct build *b, const char *path, const unsigned char *data, size_t len)
{
    size_t n = len < HEAD_BYTES ? len : HEAD_BYTES;
    if (b->kind)
        return b->kind->detect(path, data, n) ? b->kind : NULL;
    for (size_t i = 0; bsn_feeds[i]; i++)
        if (bsn_feeds[i]->detect(path, data, n))
            return bsn_feeds[i];
    return NULL;
}

/* One file's bytes (NUL-terminated) to the feed that wants it. */
static void
offer(struct build *b, const char *path, const unsigned char *data, size_t len)
{
    b->seen++;
    const struct bsn_feed *f = pick_feed(b, path, data, len);
    if (!f)
        return;
    b->accepted++;
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_vdb_import_file(b->im, f, path, data, len, &err);
    if (rc != BSN_OK) {
        /* A file the importer could not read at all is one skipped record. */
        struct bsn_vdb_import *im = b->im;
        im->cur_source = NULL;
        for (size_t i = 0; i < im->n_sources; i++)
            if (strcmp(im->sources[i].name, f->name) == 0)
                im->cur_source = &im->sources[i];
        bsn_vdb_warn(im, path, "file", "%s", err.msg[0] ? err.msg : bsn_code_name(rc));
        im->cur_source = NULL;
    }
}

static bsn_code
read_fd(int fd, const char *path, struct bsn_buf *buf, struct bsn_err *err)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bsn_err_sys(err, BSN_EIO, errno, "cannot read '%s'", path);
        if (n == 0)
            return BSN_OK;
        if (bsn_buf_add(buf, chunk, (size_t)n) != BSN_OK)
            return bsn_err_set(err, BSN_ELIMIT, "'%s' is larger than %u bytes", path,
                               BSN_VDB_MAX_FILE);
    }
}

static bsn_code walk_archive(struct build *b, const char *path, struct bsn_err *err);

static bsn_code
walk_file(struct build *b, const char *path, struct bsn_err *err)
{
    if (is_archive_name(path))
        return walk_archive(b, path, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot open feed file '%s'", path);
    struct bsn_buf buf;
    bsn_buf_init(&buf, BSN_VDB_MAX_FILE);
    bsn_code rc = read_fd(fd, path, &buf, err);
    close(fd);
    if (rc == BSN_OK)
        offer(b, path, (const unsigned char *)buf.ptr, buf.len);
    bsn_buf_release(&buf);
    return rc;
}

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bsn_code
walk_dir(struct build *b, const char *path, unsigned depth, struct bsn_err *err)
{
    if (depth > MAX_DEPTH)
        return bsn_err_set(err, BSN_ELIMIT, "'%s': directories nested too deep", path);
    DIR *d = opendir(path);
    if (!d)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot read directory '%s'", path);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        names = bsn_xgrow(names, &cap, n + 1, sizeof(*names));
        names[n++] = bsn_xstrdup(de->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_name);
    bsn_code rc = BSN_OK;
    for (size_t i = 0; i < n; i++) {
        if (rc == BSN_OK) {
            struct bsn_buf p;
            bsn_buf_init(&p, 8192);
            struct stat sb;
            if (bsn_buf_addf(&p, "%s%s%s", path, bsn_cstr_ends(path, "/") ? "" : "/", names[i]) !=
                BSN_OK)
                rc = bsn_err_set(err, BSN_ELIMIT, "path too long under '%s'", path);
            else if (lstat(p.ptr, &sb) != 0)
                rc = bsn_err_sys(err, BSN_EIO, errno, "cannot stat '%s'", p.ptr);
            else if (S_ISDIR(sb.st_mode))
                rc = walk_dir(b, p.ptr, depth + 1, err);
            else if (S_ISREG(sb.st_mode) ||
                     (S_ISLNK(sb.st_mode) && stat(p.ptr, &sb) == 0 && S_ISREG(sb.st_mode)))
                rc = walk_file(b, p.ptr, err); /* links to files yes, to directories no:
                                                  no loops */
            bsn_buf_release(&p);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static bsn_code
walk_archive(struct build *b, const char *path, struct bsn_err *err)
{
    struct archive *ar = archive_read_new();
    archive_read_support_filter_all(ar);
    archive_read_support_format_tar(ar);
    archive_read_support_format_zip(ar);
    archive_read_support_format_gnutar(ar);
    if (archive_read_open_filename(ar, path, 65536) != ARCHIVE_OK) {
        bsn_code rc = bsn_err_set(err, BSN_EFORMAT, "cannot open feed archive '%s': %s", path,
                                  archive_error_string(ar));
        archive_read_free(ar);
        return rc;
    }
    struct bsn_buf data, name;
    bsn_buf_init(&data, BSN_VDB_MAX_FILE);
    bsn_buf_init(&name, 8192);
    struct archive_entry *e;
    bsn_code rc = BSN_OK;
    int r;
    while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        const char *member = archive_entry_pathname(e);
        if (!member)
            continue;
        if (is_archive_name(member))
            continue; /* one level only */
        bsn_buf_reset(&data);
        bsn_buf_reset(&name);
        if (bsn_buf_addf(&name, "%s!/%s", path, member) != BSN_OK)
            continue;
        char chunk[65536];
        la_ssize_t n;
        while ((n = archive_read_data(ar, chunk, sizeof(chunk))) > 0) {
            if (bsn_buf_add(&data, chunk, (size_t)n) != BSN_OK) {
                rc = bsn_err_set(err, BSN_ELIMIT, "'%s' is larger than %u bytes", name.ptr,
                                 BSN_VDB_MAX_FILE);
                break;
            }
        }
        if (rc != BSN_OK)
            break;
        if (n < 0) {
            rc = bsn_err_set(err, BSN_EFORMAT, "cannot read '%s': %s", name.ptr,
                             archive_error_string(ar));
            break;
        }
        offer(b, name.ptr, (const unsigned char *)data.ptr, data.len);
    }
    if (rc == BSN_OK && r != ARCHIVE_EOF)
        rc = bsn_err_set(err, BSN_EFORMAT, "cannot read feed archive '%s': %s", path,
                         archive_error_string(ar));
    bsn_buf_release(&data);
    bsn_buf_release(&name);
    archive_read_free(ar);
    return rc;
}

/* Adds one "[kind:]PATH" source to the import. */
static bsn_code
add_source(struct bsn_vdb_import *im, const char *spec, struct bsn_err *err)
{
    struct build b = { .im = im };
    const char *path = spec;
    const char *colon = strchr(spec, ':');
    if (colon) {
        char kind[64];
        size_t kl = (size_t)(colon - spec);
        if (kl < sizeof(kind)) {
            memcpy(kind, spec, kl);
            kind[kl] = '\0';
            b.kind = bsn_feed_find(kind);
            if (b.kind)
                path = colon + 1;
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot read feed source '%s'", path);
    if (b.kind)
        bsn_vdb_import_use_feed(im, b.kind);
    bsn_code rc;
    if (S_ISDIR(sb.st_mode))
        rc = walk_dir(&b, path, 0, err);
    else
        rc = walk_file(&b, path, err);
    if (rc != BSN_OK)
        return rc;
    if (!b.accepted) {
        if (b.kind)
            return bsn_err_set(err, BSN_EFORMAT, "'%s' holds no %s feed records (%zu files "
                               "looked at); is it another kind of feed?", path, b.kind->name,
                               b.seen);
        return bsn_err_set(err, BSN_EFORMAT, "'%s': no known feed format recognised (%zu files "
                           "looked at); name its kind as KIND:PATH", path, b.seen);
    }
    return BSN_OK;
}

static bsn_code
fsync_path(const char *path, bool dir, struct bsn_err *err)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot open '%s'", path);
    int r = fsync(fd);
    int e = errno;
    close(fd);
    if (r != 0 && !dir)
        return bsn_err_sys(err, BSN_EIO, e, "cannot fsync '%s'", path);
    return BSN_OK;
}

static void
dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

bsn_code
bsn_vdb_install_file(const char *tmp, const char *dest, struct bsn_err *err)
{
    BSN_TRY(fsync_path(tmp, false, err));
    if (rename(tmp, dest) != 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot rename '%s' onto '%s'", tmp, dest);
    char dir[4096];
    dir_of(dest, dir, sizeof(dir));
    return fsync_path(dir, true, err);
}

bsn_code
bsn_vdb_file_sha256(const char *path, char out[BSN_DIGEST_MAX], uint64_t *size, struct bsn_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot open '%s'", path);
    struct bsn_sha256 h;
    bsn_sha256_init(&h);
    char chunk[65536];
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            bsn_sha256_release(&h);
            return bsn_err_sys(err, BSN_EIO, e, "cannot read '%s'", path);
        }
        if (n == 0)
            break;
        bsn_sha256_update(&h, chunk, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    bsn_sha256_final(&h, out);
    *size = total;
    return BSN_OK;
}

static bsn_code
write_listing(const char *listing, const char *db, int64_t built_at, struct bsn_err *err)
{
    char digest[BSN_DIGEST_MAX];
    uint64_t size;
    BSN_TRY(bsn_vdb_file_sha256(db, digest, &size, err));
    char ldir[4096], ddir[4096];
    dir_of(listing, ldir, sizeof(ldir));
    dir_of(db, ddir, sizeof(ddir));
    const char *slash = strrchr(db, '/');
    const char *file = strcmp(ldir, ddir) == 0 ? (slash ? slash + 1 : db) : db;
    char when[32];
    struct tm tm;
    time_t tt = (time_t)built_at;
    if (!gmtime_r(&tt, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(when, sizeof(when), "1970-01-01T00:00:00Z");
    json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:I}", "schema_version", BSN_VDB_SCHEMA_VERSION,
                          "built_at", when, "file", file, "sha256", digest + 7,
                          "size", (json_int_t)size);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (!text)
        return bsn_err_set(err, BSN_EINVAL, "cannot encode listing for '%s'", db);
    struct bsn_buf tmp;
    bsn_buf_init(&tmp, 8192);
    bsn_code rc = bsn_buf_addf(&tmp, "%s.tmp.XXXXXX", listing);
    int fd = rc == BSN_OK ? mkstemp(tmp.ptr) : -1;
    if (fd < 0) {
        rc = bsn_err_sys(err, BSN_EIO, errno, "cannot create listing '%s'", listing);
    } else {
        size_t len = strlen(text);
        ssize_t w = write(fd, text, len);
        if (w < 0 || (size_t)w != len || write(fd, "\n", 1) != 1 || fchmod(fd, 0644) != 0)
            rc = bsn_err_sys(err, BSN_EIO, errno, "cannot write listing '%s'", listing);
        close(fd);
        if (rc == BSN_OK)
            rc = bsn_vdb_install_file(tmp.ptr, listing, err);
        if (rc != BSN_OK)
            unlink(tmp.ptr);
    }
    free(text);
    bsn_buf_release(&tmp);
    return rc;
}

bsn_code
bsn_vdb_build_into(const char *out, const char *const *sources, size_t n, int64_t built_at,
                   bsn_msg_fn *warn, void *warn_arg, struct bsn_err *err)
{
    if (!out || !*out)
        return bsn_err_set(err, BSN_EINVAL, "no output path for the database");
    if (!n)
        return bsn_err_set(err, BSN_EINVAL, "no feed sources given");
    struct bsn_vdb_import *im = bsn_vdb_import_new(warn, warn_arg);
    bsn_code rc = BSN_OK;
    for (size_t i = 0; i < n && rc == BSN_OK; i++)
        rc = add_source(im, sources[i], err);
    if (rc != BSN_OK) {
        bsn_vdb_import_free(im);
        return rc;
    }
    struct bsn_buf tmp;
    bsn_buf_init(&tmp, 8192);
    if (bsn_buf_addf(&tmp, "%s.tmp.XXXXXX", out) != BSN_OK) {
        bsn_vdb_import_free(im);
        bsn_buf_release(&tmp);
        return bsn_err_set(err, BSN_EINVAL, "output path too long: '%s'", out);
    }
    int fd = mkstemp(tmp.ptr);
    if (fd < 0) {
        rc = bsn_err_sys(err, BSN_EIO, errno, "cannot create a temp file beside '%s'", out);
        bsn_vdb_import_free(im);
        bsn_buf_release(&tmp);
        return rc;
    }
    if (fchmod(fd, 0644) != 0) {
        /* Not fatal: the file keeps mkstemp's 0600. */
    }
    close(fd);
    rc = bsn_vdb_import_write(im, tmp.ptr, built_at, err);
    bsn_vdb_import_free(im);
    if (rc == BSN_OK)
        rc = bsn_vdb_install_file(tmp.ptr, out, err);
    if (rc != BSN_OK)
        unlink(tmp.ptr);
    bsn_buf_release(&tmp);
    return rc;
}

bsn_code
bsn_db_build(const struct bsn_db_build_opts *o, struct bsn_err *err)
{
    BSN_TRY(bsn_vdb_build_into(o->out, o->sources, o->n_sources, o->built_at, o->warn,
                               o->warn_arg, err));
    if (o->listing)
        BSN_TRY(write_listing(o->listing, o->out, o->built_at, err));
    return BSN_OK;
}
