/*
 * Walking one layer's tar stream (libarchive, never extracted to disk) and turning it into an
 * immutable layer result: the analyzers' records per path, the whiteouts, and the paths the
 * layer holds, so the merge can apply overrides.
 *
 * Tar semantics handled here: OCI/AUFS whiteouts (".wh.NAME" deletes NAME from lower layers,
 * ".wh..wh..opq" hides the whole lower directory), path normalisation ("./a//b/../c" -> "a/c";
 * entries escaping the root are dropped with a diagnostic), hardlinks (a hardlink to a wanted
 * file is offered with the target's content when the target was seen earlier in the layer),
 * symlinks recorded, not followed.
 */
#ifndef BSN_LAYER_H
#define BSN_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/reader.h"

enum bsn_entry_type {
    BSN_ENTRY_REG = 1,
    BSN_ENTRY_DIR,
    BSN_ENTRY_SYMLINK,
    BSN_ENTRY_HARDLINK,
    BSN_ENTRY_OTHER,     /* devices, fifos */
    BSN_ENTRY_WHITEOUT,  /* path is the deleted name (".wh." stripped) */
    BSN_ENTRY_OPAQUE,    /* path is the directory made opaque */
};

struct bsn_entry {
    enum bsn_entry_type type;
    const char *path;    /* normalised, relative, NUL-terminated */
    size_t len;
    uint64_t size;
    uint32_t mode;
    const char *link;    /* symlink/hardlink target (normalised for hardlinks), else NULL */
};

struct bsn_walk;  /* the walk in progress, for reading the current entry's data */

/*
 * Callback per entry. For regular files, bsn_walk_read(w, …) pulls the content (optional:
 * unread content is skipped). Return non-OK to stop the walk with that error.
 */
typedef bsn_code bsn_entry_fn(void *arg, struct bsn_walk *w, const struct bsn_entry *e,
                              struct bsn_err *err);

/* Reads up to cap bytes of the current entry; *got == 0 at its end. */
BSN_MUST_USE bsn_code bsn_walk_read(struct bsn_walk *w, void *buf, size_t cap, size_t *got,
                                    struct bsn_err *err);

/*
 * Walks a plain tar stream (tar bytes, already decompressed), calling fn for every entry. Errors from the stream (truncation, bad headers, digest
 * mismatch reported at end of stream) are returned with err set.
 */
BSN_MUST_USE bsn_code bsn_layer_walk(struct bsn_reader *tar, bsn_entry_fn *fn, void *arg,
                                     struct bsn_err *err);

/* Walks a directory tree (a rootfs or project) with the same callback, symlinks not followed. */
BSN_MUST_USE bsn_code bsn_dir_walk(const char *root, bsn_entry_fn *fn, void *arg,
                                   struct bsn_err *err);

/* Normalises a tar path in place: strips "./" and leading "/", folds "//" and ".", resolves
 * "..". Returns false if the path escapes the root or is empty. */
bool bsn_path_normalize(char *p, size_t *len);

#endif
