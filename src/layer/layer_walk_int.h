/*
 * Private to layer_walk.c and layer_dirwalk.c: a walk in progress, as bsn_walk_read sees it.
 * Each walker embeds this as the first member of its own state.
 */
#ifndef BSN_LAYER_WALK_INT_H
#define BSN_LAYER_WALK_INT_H

#include "layer/layer.h"

struct bsn_walk {
    bsn_code (*read)(struct bsn_walk *w, void *buf, size_t cap, size_t *got,
                     struct bsn_err *err);
};

#endif
