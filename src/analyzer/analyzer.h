/*
 * The analyzer contract: one file per format, one const descriptor each, listed once in
 * analyzers.def (the registry expands it into a table, as libarchive's _all.c does).
 *
 * A layer is streamed once. For every tar entry the registry finds the analyzers that want the
 * path, at the cost of one hash probe on the basename and one per distinct suffix length
 * (names[] / exts[] below); only then is the optional wants() filter called, and only then are
 * the entry's bytes read. A buffered analyzer receives the whole file (up to max_input bytes;
 * larger files become a diagnostic); a streaming analyzer receives the bytes in chunks and
 * never holds a whole file.
 *
 * What an analyzer emits goes to struct bsn_actx, and is recorded against the path being
 * parsed. After all layers are analysed, the merge keeps, for every path, the records of the
 * topmost layer that has the path (whiteouts and opaque directories applied), so a file
 * rewritten by a later layer is reported once, and a deleted one not at all. Then each
 * analyzer's finish() runs once over the merged records of that analyzer (to join files that
 * belong together, such as dpkg's status with info/NAME.list and doc/NAME/copyright).
 *
 * Analyzers include only this header, textfmt/ and base/. They must be thread-safe: layers are
 * analysed in parallel, each with its own struct bsn_actx; an analyzer keeps no global state.
 *
 * Adding a format: docs/adding-an-analyzer.md.
 */
#ifndef BSN_ANALYZER_H
#define BSN_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "bosun.h"

/* An entry's path as the analyzers see it. */
struct bsn_path {
    const char *path;   /* relative to the root, no leading '/', NUL-terminated: "etc/os-release" */
    size_t len;
    const char *base;   /* the basename inside path: "os-release" */
    size_t base_len;
    uint64_t size;      /* bytes of a regular file */
    uint32_t mode;      /* permission and type bits (S_IFREG|0755 …) */
};

/* A buffered file's content. */
struct bsn_input {
    const struct bsn_path *path;
    const unsigned char *data; /* the whole file, with data[len] == 0 for convenience */
    size_t len;
};

struct bsn_actx;  /* per-layer (or per-scan for fs/rootfs) analysis context, see below */
struct bsn_fctx;  /* the merged view handed to finish() */

/* What a record is, for finish() and the cache. */
enum bsn_rec_kind {
    BSN_REC_PACKAGE = 1,
    BSN_REC_OS,
    BSN_REC_OWNED,   /* a file path owned by an OS package: language analyzers skip such files */
    BSN_REC_AUX,     /* analyzer-private key/value joined in finish() (dpkg copyright licenses …) */
    BSN_REC_SECRET,
    BSN_REC_MISCONFIG,
};

struct bsn_analyzer {
    const char *name;         /* "dpkg": unique, equals the file suffix analyzer_dpkg.c */
    const char *scheme;       /* version scheme of the packages it emits ("deb"), or NULL */
    unsigned version;         /* bump when output changes: part of the layer-cache key */
    uint64_t max_input;       /* buffered analyzers: larger files become a diagnostic */
    /*
     * Cheap path filters used to build the dispatch index. An entry is offered to the analyzer
     * when its basename is in names[] or it ends with one of exts[] (both NULL-terminated, may
     * be NULL). With both NULL every regular file is offered (streaming analyzers). Then, if
     * set, wants() decides on the path (and size/mode) alone, without I/O.
     */
    const char *const *names;
    const char *const *exts;
    bool (*wants)(const struct bsn_path *p);
    /* Buffered: parse one whole file. A malformed file returns an error (the registry turns
     * it into a diagnostic naming file and layer) or emits warnings and partial records. */
    bsn_code (*parse)(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err);
    /* Streaming (parse == NULL): begin/data/end over every wanted file's bytes, in order.
     * stream_data may return BSN_ECANCELED to say it needs no more of this file (not an
     * error: the rest is not fed to it, stream_end still runs). */
    bsn_code (*stream_begin)(struct bsn_actx *ctx, const struct bsn_path *p, void **state,
                             struct bsn_err *err);
    bsn_code (*stream_data)(struct bsn_actx *ctx, void *state, const void *buf, size_t len,
                            struct bsn_err *err);
    bsn_code (*stream_end)(struct bsn_actx *ctx, void *state, struct bsn_err *err);
    /* Optional, after the merge: join this analyzer's surviving records. */
    bsn_code (*finish)(struct bsn_fctx *ctx, struct bsn_err *err);
    /* The scanner this analyzer serves (BSN_SCAN_SECRET, BSN_SCAN_MISCONFIG), or 0 for the
     * inventory: it is dispatched only when that scanner is enabled. */
    unsigned scanner;
    /*
     * Which of its inputs declare packages (lockfiles and manifests: what a project asks for)
     * rather than record an installation: basenames, NULL-terminated; bsn_declared_all for
     * every input; NULL for none. A declared package that installed metadata also lists
     * (same package URL) is listed once, from where it is installed (the merge).
     */
    const char *const *declared;
};

/* For bsn_analyzer.declared: every input of the analyzer is a lockfile or manifest. */
extern const char *const bsn_declared_all[];

/* ---- emitting records (during parse / stream) ------------------------------------------- */

/* The arena that records live in (strings for records must be copied here). */
struct bsn_arena *bsn_actx_arena(struct bsn_actx *ctx);
/* A per-file scratch arena, rewound after each file: for temporary parse state. */
struct bsn_arena *bsn_actx_scratch(struct bsn_actx *ctx);
/* The scan's options (read-only), e.g. secret_config. */
const struct bsn_scan_opts *bsn_actx_opts(struct bsn_actx *ctx);
/* The path currently being parsed. Records are attributed to it. */
const struct bsn_path *bsn_actx_path(struct bsn_actx *ctx);

/* A new zeroed package attributed to the current path; fill it with strings from the arena.
 * type, name and version are required; path defaults to the current path; epoch to -1. */
struct bsn_package *bsn_actx_add_package(struct bsn_actx *ctx);
/* The OS this file identifies; priority orders competing files (os-release beats
 * debian_version): the highest priority surviving the merge wins. */
void bsn_actx_set_os(struct bsn_actx *ctx, const struct bsn_os *os, int priority);
/* Marks a path (relative, no leading '/') as owned by an OS package. */
void bsn_actx_add_owned(struct bsn_actx *ctx, const char *path, size_t len);
/* An analyzer-private fact for finish(): key and value are copied. */
void bsn_actx_add_aux(struct bsn_actx *ctx, const char *key, const char *value);
void bsn_actx_add_secret(struct bsn_actx *ctx, const struct bsn_secret *s);
void bsn_actx_add_misconfig(struct bsn_actx *ctx, const struct bsn_misconfig *m);
/* A non-fatal problem; the registry prefixes layer and path. */
void bsn_actx_warn(struct bsn_actx *ctx, const char *fmt, ...) BSN_PRINTF(2, 3);

/*
 * Analyzers that parse nested content (jars in wars, wheels) may run the other analyzers'
 * tests on a virtual path: records then carry that path ("app.war!/WEB-INF/lib/x.jar").
 * Returns the analyzer by name, or NULL.
 */
const struct bsn_analyzer *bsn_analyzer_find(const char *name);

/* ---- finish: after the merge ------------------------------------------------------------- */

/* The merged OS, or NULL. */
const struct bsn_os *bsn_fctx_os(struct bsn_fctx *ctx);
struct bsn_arena *bsn_fctx_arena(struct bsn_fctx *ctx);
/* This analyzer's surviving packages (mutable: finish may fill licenses, purls …). */
size_t bsn_fctx_packages(struct bsn_fctx *ctx, struct bsn_package ***out);
/* Looks up a surviving aux value of this analyzer by key, or NULL. */
const char *bsn_fctx_aux(struct bsn_fctx *ctx, const char *key);
/* True if the path is owned by an OS package (merged view). */
bool bsn_fctx_owned(struct bsn_fctx *ctx, const char *path);
/* Removes a package from the result (e.g. a package without a version after joining). */
void bsn_fctx_drop_package(struct bsn_fctx *ctx, struct bsn_package *pkg);
void bsn_fctx_warn(struct bsn_fctx *ctx, const char *fmt, ...) BSN_PRINTF(2, 3);

/* ---- the registry ------------------------------------------------------------------------ */

/* All analyzers in registration order, NULL-terminated. */
extern const struct bsn_analyzer *const bsn_analyzers[];
/* Hash of every analyzer's name and version, for the layer-cache key. */
uint64_t bsn_analyzers_version(void);

#endif
