/*
 * The registry source ("registry:REF", "docker://REF", bare references): a placeholder until
 * the Distribution API v2 client lands; opening fails with BSN_EUNSUPPORTED naming the
 * reference.
 */
#include "image/image_common_int.h"

static bsn_code
registry_open(struct bsn_image *img, const char *ref, const struct bsn_scan_opts *opts,
              struct bsn_err *err)
{
    (void)img;
    (void)opts;
    return bsn_err_set(err, BSN_EUNSUPPORTED, "registry targets are not supported yet: '%s'",
                       ref);
}

static bsn_code
registry_open_blob(struct bsn_image *img, size_t i, struct bsn_reader **out,
                   struct bsn_err *err)
{
    (void)img;
    (void)out;
    return bsn_err_set(err, BSN_EUNSUPPORTED, "registry layer %zu cannot be opened", i);
}

static void
registry_close(struct bsn_image *img)
{
    (void)img;
}

const struct bsn_image_source bsn_source_registry = {
    .name = "registry",
    .open = registry_open,
    .open_blob = registry_open_blob,
    .close = registry_close,
};
