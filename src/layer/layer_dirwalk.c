/*
 * Walking a directory tree (an unpacked root filesystem or a project) with the same callback
 * as a layer's tar: entries in sorted order (byte order per directory, a directory before its
 * contents) so results are deterministic; symlinks are reported, never followed (every open is
 * relative to the parent's fd with O_NOFOLLOW, so a symlink swapped in mid-walk cannot lead
 * outside the tree). A rootfs is already merged, so ".wh." names are ordinary files here.
 * Directories the user may not read (a rootfs unpacked by root, scanned by a user) are
 * skipped; files are opened only when the callback reads them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "layer/layer.h"
#include "layer/layer_walk_int.h"

#define MAX_DEPTH 256
#define MAX_DIR_ENTRIES (1u << 20)
#define PATH_MAX_BYTES (64u * 1024u)

struct dir_walk {
    struct bsn_walk base;
    bsn_entry_fn *fn;
    void *arg;
    const char *root;
    struct bsn_buf path;
    int cur_dir;          /* parent fd of the current regular file */
    const char *cur_name; /* NULL when the current entry is not a regular file */
    int cur_fd;           /* opened on the first read */
};

static bsn_code
dir_data_read(struct bsn_walk *base, void *buf, size_t cap, size_t *got, struct bsn_err *err)
{
    struct dir_walk *w = (struct dir_walk *)base;
    *got = 0;
    if (!w->cur_name || cap == 0)
        return BSN_OK;
    if (w->cur_fd < 0) {
        /* O_NONBLOCK: a file swapped for a FIFO since the stat must not hang the walk. */
        w->cur_fd = openat(w->cur_dir, w->cur_name,
                           O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (w->cur_fd < 0)
            return bsn_err_sys(err, BSN_EIO, errno, "cannot open '%s/%s'", w->root,
                               w->path.ptr);
        struct stat st;
        if (fstat(w->cur_fd, &st) != 0 || !S_ISREG(st.st_mode))
            return bsn_err_set(err, BSN_EIO, "'%s/%s' changed while being read", w->root,
                               w->path.ptr);
    }
    ssize_t n;
    do {
        n = read(w->cur_fd, buf, cap);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return bsn_err_sys(err, BSN_EIO, errno, "cannot read '%s/%s'", w->root, w->path.ptr);
    *got = (size_t)n;
    return BSN_OK;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The sorted names in a directory (without "." and ".."). */
static bsn_code
list_dir(struct dir_walk *w, int dfd, char ***out, size_t *n_out, struct bsn_err *err)
{
    int fd = dup(dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return bsn_err_sys(err, BSN_EIO, errno, "cannot list '%s/%s'", w->root, w->path.ptr);
    }
    rewinddir(d);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == MAX_DIR_ENTRIES) {
            closedir(d);
            free_names(names, n);
            return bsn_err_set(err, BSN_ELIMIT, "'%s/%s' has more than %u entries", w->root,
                               w->path.ptr, MAX_DIR_ENTRIES);
        }
        names = bsn_xgrow(names, &cap, n + 1, sizeof(*names));
        names[n++] = bsn_xstrdup(e->d_name);
    }
    int saved = errno;
    closedir(d);
    if (saved) {
        free_names(names, n);
        return bsn_err_sys(err, BSN_EIO, saved, "cannot list '%s/%s'", w->root, w->path.ptr);
    }
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    *out = names;
    *n_out = n;
    return BSN_OK;
}

static bsn_code walk_dir(struct dir_walk *w, int dfd, unsigned depth, struct bsn_err *err);

static bsn_code
walk_one(struct dir_walk *w, int dfd, const char *name, unsigned depth, struct bsn_err *err)
{
    size_t plen = w->path.len;
    if ((plen && bsn_buf_addc(&w->path, '/') != BSN_OK) ||
        bsn_buf_adds(&w->path, name) != BSN_OK) {
        w->path.len = plen; /* too long a path to name anything of interest: skipped */
        w->path.ptr[plen] = '\0';
        return BSN_OK;
    }
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        bsn_code rc = errno == ENOENT ? BSN_OK /* removed while walking */
                                      : bsn_err_sys(err, BSN_EIO, errno, "cannot stat '%s/%s'",
                                                    w->root, w->path.ptr);
        w->path.len = plen;
        w->path.ptr[plen] = '\0';
        return rc;
    }
    struct bsn_entry ent;
    memset(&ent, 0, sizeof(ent));
    ent.path = w->path.ptr;
    ent.len = w->path.len;
    ent.mode = (uint32_t)st.st_mode;
    char target[4096];
    bsn_code rc = BSN_OK;
    if (S_ISREG(st.st_mode)) {
        ent.type = BSN_ENTRY_REG;
        ent.size = (uint64_t)st.st_size;
        w->cur_dir = dfd;
        w->cur_name = name;
        w->cur_fd = -1;
    } else if (S_ISDIR(st.st_mode)) {
        ent.type = BSN_ENTRY_DIR;
    } else if (S_ISLNK(st.st_mode)) {
        ssize_t k = readlinkat(dfd, name, target, sizeof(target) - 1);
        target[k < 0 ? 0 : k] = '\0';
        ent.type = BSN_ENTRY_SYMLINK;
        ent.link = target;
    } else {
        ent.type = BSN_ENTRY_OTHER;
    }
    rc = w->fn(w->arg, &w->base, &ent, err);
    if (w->cur_name && w->cur_fd >= 0)
        close(w->cur_fd);
    w->cur_name = NULL;
    w->cur_fd = -1;
    if (rc == BSN_OK && ent.type == BSN_ENTRY_DIR && depth < MAX_DEPTH) {
        int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            rc = walk_dir(w, sub, depth + 1, err);
            close(sub);
        } else if (errno != EACCES && errno != ENOENT) {
            rc = bsn_err_sys(err, BSN_EIO, errno, "cannot open '%s/%s'", w->root, w->path.ptr);
        }
    }
    w->path.len = plen;
    w->path.ptr[plen] = '\0';
    return rc;
}

static bsn_code
walk_dir(struct dir_walk *w, int dfd, unsigned depth, struct bsn_err *err)
{
    char **names;
    size_t n;
    BSN_TRY(list_dir(w, dfd, &names, &n, err));
    bsn_code rc = BSN_OK;
    for (size_t i = 0; i < n && rc == BSN_OK; i++)
        rc = walk_one(w, dfd, names[i], depth, err);
    free_names(names, n);
    return rc;
}

bsn_code
bsn_dir_walk(const char *root, bsn_entry_fn *fn, void *arg, struct bsn_err *err)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bsn_err_sys(err, errno == ENOENT ? BSN_ENOTFOUND : BSN_EIO, errno,
                           "cannot open '%s'", root);
    struct dir_walk w;
    memset(&w, 0, sizeof(w));
    w.base.read = dir_data_read;
    w.fn = fn;
    w.arg = arg;
    w.root = root;
    w.cur_fd = -1;
    bsn_buf_init(&w.path, PATH_MAX_BYTES);
    bsn_code rc = walk_dir(&w, fd, 0, err);
    bsn_buf_release(&w.path);
    close(fd);
    return rc;
}
