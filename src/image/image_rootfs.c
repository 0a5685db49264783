/*
 * The "dir:DIR" source: an unpacked root filesystem (same as `bosun rootfs DIR`). It has no
 * layers and no config: it sets img->root_dir and the scan walks the directory as one layer
 * (bsn_dir_walk).
 */
#include <errno.h>
#include <sys/stat.h>

#include "image/image_common_int.h"

static bsn_code
rootfs_open(struct bsn_image *img, const char *dir, const struct bsn_scan_opts *opts,
            struct bsn_err *err)
{
    (void)opts;
    struct stat st;
    if (stat(dir, &st) != 0)
        return bsn_err_sys(err, errno == ENOENT ? BSN_ENOTFOUND : BSN_EIO, errno,
                           "cannot open '%s'", dir);
    if (!S_ISDIR(st.st_mode))
        return bsn_err_set(err, BSN_EINVAL, "'%s' is not a directory", dir);
    img->root_dir = bsn_arena_strdup(img->arena, dir);
    return BSN_OK;
}

static bsn_code
rootfs_open_blob(struct bsn_image *img, size_t i, struct bsn_reader **out, struct bsn_err *err)
{
    (void)out;
    return bsn_err_set(err, BSN_EINVAL, "'%s' is a directory: it has no layer %zu",
                       img->root_dir, i);
}

static void
rootfs_close(struct bsn_image *img)
{
    (void)img;
}

const struct bsn_image_source bsn_source_rootfs = {
    .name = "dir",
    .open = rootfs_open,
    .open_blob = rootfs_open_blob,
    .close = rootfs_close,
};
