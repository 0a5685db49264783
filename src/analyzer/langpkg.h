/*
 * Helpers shared by the language-package analyzers (npm, yarn, pnpm, bun, node_modules,
 * Python, Ruby, PHP, .NET): one package set per parsed file that merges repeated name@version
 * entries (lockfiles list a package once per place it is installed), package URLs per type,
 * and small jansson accessors.
 *
 * Merging follows trivy: a package is a dev dependency only if every occurrence is; it is
 * direct if any occurrence is (root > workspace > direct > indirect > unknown).
 *
 * Private to src/analyzer/ (analyzer files include it beside analyzer.h).
 */
#ifndef BSN_ANALYZER_LANGPKG_H
#define BSN_ANALYZER_LANGPKG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "base/map.h"

struct bsn_langset {
    struct bsn_actx *ctx;
    const char *type;       /* purl type: "npm", "pypi", "gem", "composer", "nuget" */
    struct bsn_map seen;    /* "name@version" (in the scratch arena) -> struct bsn_package * */
    size_t count;
};

void bsn_langset_init(struct bsn_langset *s, struct bsn_actx *ctx, const char *type);
void bsn_langset_release(struct bsn_langset *s);
/*
 * Adds name@version (copied to the record arena, purl built) or merges it into the package
 * already added from this file. Returns the package, which the caller may extend (licenses).
 * An empty version is kept as "" (workspace members without a version); the purl then has
 * no version.
 */
struct bsn_package *bsn_langset_add(struct bsn_langset *s, struct bsn_str name,
                                    struct bsn_str version, enum bsn_dep_kind dep, bool dev);
/* Appends a license (copied; empty and repeated values are skipped). */
void bsn_langset_license(struct bsn_langset *s, struct bsn_package *p, struct bsn_str lic);

/* Appends each license of a lax list ("MIT or BSD-2-Clause", "MIT, Apache-2.0", "A and B"):
 * split on commas and on the words "or"/"and" (any case), as trivy's LaxSplitLicenses. */
void bsn_langset_license_split(struct bsn_langset *s, struct bsn_package *p,
                               struct bsn_str list);

/* True if path has a directory segment equal to seg ("gems" in "usr/local/bundle/gems/x/…").
 * Lockfiles that installed packages ship inside such folders describe the package's own
 * development, not what is installed. */
bool bsn_lang_in_dir(const struct bsn_path *p, const char *seg);

/* The package URL of a language package, in arena a. npm "@scope/x" and composer "v/x"
 * become namespace and name; pypi names are normalised per PEP 503. */
char *bsn_lang_purl(struct bsn_arena *a, const char *type, const char *name,
                    const char *version);
/* PEP 503 normalisation (lowercase, runs of '-', '_', '.' as one '-'), in arena a. */
char *bsn_lang_pep503(struct bsn_arena *a, struct bsn_str name);

/*
 * Direct dependencies from a project manifest beside a lockfile (composer.json, Pipfile,
 * pyproject.toml), as trivy joins them. The manifest's parse calls bsn_lang_direct_add for
 * each declared name and bsn_lang_direct_done once: that leaves an aux record keyed by the
 * manifest's folder. The analyzer's finish calls bsn_lang_join_direct: every package read
 * from <folder><lockfile> becomes direct when its name is declared, else indirect; without a
 * manifest the relationship stays as the lockfile gave it. Names compare after PEP 503
 * normalisation when pep503, else case-insensitively.
 */
struct bsn_lang_direct {
    struct bsn_buf *names;
    bool failed;
};
void bsn_lang_direct_init(struct bsn_lang_direct *d, struct bsn_buf *b, size_t max);
void bsn_lang_direct_add(struct bsn_lang_direct *d, struct bsn_str name);
void bsn_lang_direct_done(struct bsn_actx *ctx, struct bsn_lang_direct *d);
void bsn_lang_join_direct(struct bsn_fctx *ctx, const char *lockfile, bool pep503);

/* Python core metadata (METADATA / PKG-INFO text) into one pypi package; BSN_EFORMAT without
 * Name or Version. Shared by python_pkg and python_egg (analyzer_python_pkg.c). */
BSN_MUST_USE bsn_code bsn_python_metadata(struct bsn_actx *ctx, struct bsn_str text,
                                          struct bsn_err *err);

/* Parses a whole buffered file as JSON. BSN_EFORMAT "invalid JSON at line L: …" on failure. */
BSN_MUST_USE bsn_code bsn_lang_json(const struct bsn_input *in, json_t **out,
                                    struct bsn_err *err);
/* The string value of key in obj as a slice; empty when absent or not a string. */
struct bsn_str bsn_lang_jstr(const json_t *obj, const char *key);
/* The string j as a slice; empty when j is not a string. */
struct bsn_str bsn_lang_jval(const json_t *j);

#endif
