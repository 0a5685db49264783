/*
 * bosun's public library API: open a target, scan it, read the result, free it.
 *
 * The CLI (src/cli/) and the server (src/server/) use only this header and the report API
 * (src/report/report.h). Library code never prints, exits or reads the environment: every
 * input arrives in struct bsn_scan_opts. The library is thread-safe for concurrent scans: each
 * scan owns its arena, its threads and its database connections.
 *
 * Ownership: a struct bsn_result and everything reachable from it live in the result's arena
 * and are freed at once by bsn_result_free(). Strings in it are NUL-terminated UTF-8; optional
 * strings are NULL when absent.
 */
#ifndef BSN_BOSUN_H
#define BSN_BOSUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

#define BSN_VERSION "0.1.0"
#define BSN_REPORT_SCHEMA_VERSION 1

/* ---- inventory ---------------------------------------------------------------------------- */

enum bsn_severity {
    BSN_SEV_UNKNOWN = 0,
    BSN_SEV_LOW,
    BSN_SEV_MEDIUM,
    BSN_SEV_HIGH,
    BSN_SEV_CRITICAL,
};
#define BSN_SEV_COUNT 5
const char *bsn_severity_name(enum bsn_severity s);          /* "HIGH" */
bool bsn_severity_parse(const char *s, size_t n, enum bsn_severity *out); /* case-insensitive */

struct bsn_os {
    const char *family;  /* "debian", "ubuntu", "alpine", "rhel", "rocky", "alma", "amazon", … */
    const char *name;    /* os-release NAME or PRETTY_NAME-derived, "Debian GNU/Linux" */
    const char *version; /* "12.7", "3.19.1", "9.3", "2", "2023" */
    const char *codename;/* "bookworm" where known */
    bool eosl;           /* past end of life per the database */
};

enum bsn_dep_kind {
    BSN_DEP_UNKNOWN = 0,
    BSN_DEP_DIRECT,
    BSN_DEP_INDIRECT,
    BSN_DEP_ROOT,       /* the project the lockfile describes (uv, .deps.json root) */
    BSN_DEP_WORKSPACE,  /* a workspace member of the project (npm, bun, .NET solutions) */
};

struct bsn_package {
    const char *type;           /* purl type: deb apk rpm npm pypi gem maven golang cargo composer nuget */
    const char *name;           /* maven: "group:artifact"; pypi: as written (matching normalises) */
    const char *version;        /* deb: with epoch "1:2.3-4"; rpm: "V-R" (epoch separate) */
    int epoch;                  /* rpm epoch; -1 when the header has none (compare as 0) */
    const char *arch;
    const char *source_name;    /* deb Source:, apk origin, rpm source rpm name */
    const char *source_version; /* deb source version, rpm source "V-R" */
    const char *module;         /* rpm modularity label "nodejs:18:8090020230810:…" */
    const char *purl;
    const char *const *licenses;
    size_t n_licenses;
    const char *maintainer;
    const char *vendor;
    const char *layer;          /* diff_id of the layer that introduced this name@version */
    const char *path;           /* file it was found in, relative to root; "a.war!/WEB-INF/lib/b.jar" */
    const char *analyzer;       /* analyzer that reported it */
    enum bsn_dep_kind dep;      /* direct/indirect where the format records it */
    bool dev;                   /* a development-only dependency */
};

struct bsn_layer_info {
    const char *digest;     /* blob digest as stored (compressed) */
    const char *diff_id;    /* digest of the uncompressed tar */
    uint64_t size;          /* blob size in bytes */
    const char *media_type;
    const char *created_by; /* from the config history, NULL if absent */
};

struct bsn_image_info {
    const char *id;          /* config digest */
    const char *const *repo_tags;
    size_t n_repo_tags;
    const char *const *repo_digests;
    size_t n_repo_digests;
    const char *os, *architecture, *variant;
    const struct bsn_layer_info *layers;
    size_t n_layers;
    const char *config_json; /* the raw image config, for the misconfiguration checks */
};

/* ---- findings ----------------------------------------------------------------------------- */

enum bsn_vuln_status {
    BSN_STATUS_AFFECTED = 0,
    BSN_STATUS_FIXED,
    BSN_STATUS_NOT_FIXED,
    BSN_STATUS_WILL_NOT_FIX,
    BSN_STATUS_FIX_DEFERRED,
    BSN_STATUS_END_OF_LIFE,
};
const char *bsn_status_name(enum bsn_vuln_status s); /* "fixed", "not_fixed", … */
bool bsn_status_parse(const char *s, enum bsn_vuln_status *out);

struct bsn_cvss {
    const char *source;  /* "nvd", "ghsa", "redhat" */
    const char *version; /* "3.1" */
    const char *vector;
    double score;
};

struct bsn_vendor_severity {
    const char *source;  /* "debian", "ghsa", "nvd" */
    enum bsn_severity severity;
};

struct bsn_vuln {
    const char *id;
    const char *const *aliases;
    size_t n_aliases;
    const struct bsn_package *pkg;
    const char *installed_version;
    const char *fixed_version;   /* NULL when no fix */
    enum bsn_vuln_status status;
    enum bsn_severity severity;
    const char *severity_source; /* which source severity was chosen from */
    const struct bsn_vendor_severity *vendor_severity;
    size_t n_vendor_severity;
    const struct bsn_cvss *cvss;
    size_t n_cvss;
    const char *title;
    const char *description;
    const char *data_source;     /* "debian", "osv", "ghsa", "alpine" … */
    const char *const *references;
    size_t n_references;
    const char *published;       /* RFC 3339 or NULL */
    bool is_new;                 /* not in the baseline (set when a baseline is given) */
};

struct bsn_secret {
    const char *rule_id;
    enum bsn_severity severity;
    const char *title;
    const char *path;
    uint64_t line;
    const char *match;   /* redacted: never the whole secret */
    const char *layer;   /* diff_id */
    bool deleted;        /* the file is removed by a later layer: still in the image */
};

struct bsn_misconfig {
    const char *id;      /* "BSN-IMG-001" */
    const char *title;
    enum bsn_severity severity;
    const char *message;
    const char *source;  /* "image-config", "dockerfile", "layer" */
    const char *path;    /* NULL for image-config */
    uint64_t line;       /* 0 when not applicable */
    const char *resolution;
};

/* A problem that did not stop the scan: a corrupt lockfile, an unknown OS, a stale database. */
struct bsn_diag {
    const char *message; /* "layer 2 (sha256:…): var/lib/dpkg/status:12: …" */
};

struct bsn_suppressed {
    const char *id;
    const char *package;
    const char *reason;  /* "ignorefile", "vex:not_affected", "vex:fixed" */
};

/* ---- a scan's result ---------------------------------------------------------------------- */

enum bsn_artifact_type {
    BSN_ARTIFACT_IMAGE = 0,
    BSN_ARTIFACT_ROOTFS,
    BSN_ARTIFACT_FS,
    BSN_ARTIFACT_SBOM,
};

struct bsn_result {
    struct bsn_arena *arena;
    const char *target;
    enum bsn_artifact_type artifact_type;
    bool has_image;
    struct bsn_image_info image;
    bool has_os;
    struct bsn_os os;
    struct bsn_package *packages;
    size_t n_packages;
    struct bsn_vuln *vulns;
    size_t n_vulns;
    struct bsn_secret *secrets;
    size_t n_secrets;
    struct bsn_misconfig *misconfigs;
    size_t n_misconfigs;
    struct bsn_diag *diags;
    size_t n_diags;
    struct bsn_suppressed *suppressed;
    size_t n_suppressed;
    const char *created_at;   /* RFC 3339 UTC */
    const char *platform;     /* "linux/amd64" for multi-platform runs, else NULL */
    bool scanned_vuln, scanned_secret, scanned_misconfig;
    /* --platform all: one sub-result per platform; the top level holds the merged summary. */
    struct bsn_result **platforms;
    size_t n_platforms;
};

void bsn_result_free(struct bsn_result *r);

/* ---- scanning ----------------------------------------------------------------------------- */

enum bsn_scanner {
    BSN_SCAN_VULN = 1u << 0,
    BSN_SCAN_SECRET = 1u << 1,
    BSN_SCAN_MISCONFIG = 1u << 2,
};

/* Progress callback: called from scan threads (serialised by the library). */
typedef void bsn_progress_fn(void *arg, const char *what, uint64_t done, uint64_t total);

/*
 * A layer cache shared beyond this machine (the server's PostgreSQL store): asked when
 * cache_dir has no entry for a layer, given every entry written. Entries are opaque bytes
 * (checksummed by the scanner) under the same keys as cache_dir's files. Called from the
 * scan's layer threads at once: the functions must be thread-safe.
 */
struct bsn_layer_store {
    void *ctx;
    /* The entry under key as a malloc'd buffer (*len bytes), or NULL. */
    unsigned char *(*get)(void *ctx, const char *key, size_t *len);
    void (*put)(void *ctx, const char *key, const unsigned char *data, size_t len);
};

struct bsn_scan_opts {
    unsigned scanners;          /* BSN_SCAN_* bits; 0 = inventory only */
    unsigned jobs;              /* worker threads, 0 = number of CPUs */
    const char *db_path;        /* vulnerability database; required when BSN_SCAN_VULN */
    const char *cache_dir;      /* per-layer analysis cache; NULL = no cache */
    bool offline;
    const char *platform;       /* "linux/amd64", "all", NULL = host's */
    const char *username, *password;
    const char *docker_config;  /* path of config.json for registry credentials, or NULL */
    bool insecure;
    const char *secret_config;  /* YAML rules file for the secret scanner, or NULL */
    uint64_t db_max_age_s;      /* warn when the database is older; 0 = never */
    int64_t now;                /* scan time (seconds since the epoch); 0 = time(NULL) */
    bsn_progress_fn *progress;
    void *progress_arg;
    /* Filters, applied after matching (the result lists what they suppressed). */
    unsigned severities;        /* bit (1u << enum bsn_severity) per kept severity; 0 = all */
    bool ignore_unfixed;        /* drop vulnerabilities whose status is not "fixed" */
    const char *ignorefile;     /* .bosunignore path, or NULL */
    const char *const *vex_files; /* OpenVEX / CycloneDX VEX documents */
    size_t n_vex_files;
    const char *baseline;       /* an earlier JSON report: marks bsn_vuln.is_new */
    /* A ready-made HTTP Authorization value for the registry ("Bearer TOKEN", "Basic …"), as
     * Harbor hands its scanners; used instead of username/password when set. */
    const char *registry_authorization;
    const struct bsn_layer_store *layer_store; /* second-level layer cache, or NULL */
};

void bsn_scan_opts_init(struct bsn_scan_opts *o);

/*
 * Scans a target. kind selects what target means: an image reference or path (CONTRACT.md
 * "Image targets"), a root filesystem directory, a project tree, or an SBOM file.
 * On success *out is a new result (bsn_result_free it). On failure err names what failed and
 * the code grades it (EFORMAT/EIO/ENOTFOUND -> target unreadable, EDB, ENET/EAUTH, EINVAL).
 */
BSN_MUST_USE bsn_code bsn_scan(const char *target, enum bsn_artifact_type kind,
                               const struct bsn_scan_opts *opts, struct bsn_result **out,
                               struct bsn_err *err);

/* Empties the per-layer analysis cache under dir (entries only; the directory stays). */
BSN_MUST_USE bsn_code bsn_cache_clean(const char *dir, struct bsn_err *err);

/*
 * Analyses a set of files as one layer, through the same registry, merge and finish steps as
 * an image scan: image_paths[i] is the path the file has in the image (relative, no leading
 * '/'), disk_paths[i] where its bytes are. Used by tests (every analyzer's golden cases) and
 * by 'bosun fs' on single files. Matching runs when opts->scanners has BSN_SCAN_VULN.
 */
BSN_MUST_USE bsn_code bsn_scan_files(size_t n, const char *const *image_paths,
                                     const char *const *disk_paths,
                                     const struct bsn_scan_opts *opts, struct bsn_result **out,
                                     struct bsn_err *err);

/* ---- the vulnerability database: 'bosun db' (implemented in vulndb/) ----------------------- */

/* One message line (a skipped record, a download step); arg is the caller's. */
typedef void bsn_msg_fn(void *arg, const char *msg);

struct bsn_db_build_opts {
    const char *out;               /* database file; written to a temp file, fsynced, renamed */
    const char *const *sources;    /* "[kind:]PATH": file, directory, .zip or .tar.* */
    size_t n_sources;
    int64_t built_at;              /* build time recorded (seconds since the epoch) */
    const char *listing;           /* also write a listing JSON for 'db update --url', or NULL */
    bsn_msg_fn *warn;              /* skipped records, "file: record: problem"; may be NULL */
    void *warn_arg;
};

/* Builds a database from feeds. A source whose kind is wrong or unrecognisable is
 * BSN_EFORMAT naming it; malformed records are warnings, counted per source. */
BSN_MUST_USE bsn_code bsn_db_build(const struct bsn_db_build_opts *o, struct bsn_err *err);

struct bsn_db_source {
    const char *name;              /* "osv", "debian-tracker", … */
    const char *data_source;
    const char *newest;            /* newest record date, or NULL */
    uint64_t records, skipped;
};

struct bsn_db_info {
    int schema_version;
    int64_t built_at;              /* seconds since the epoch */
    const char *built_at_text;     /* RFC 3339 UTC */
    const struct bsn_db_source *sources;
    size_t n_sources;
    uint64_t advisories, affected; /* row counts */
};

/* Reads the metadata of the database at path; strings live in arena. BSN_EDB when missing,
 * corrupt or of another schema. */
BSN_MUST_USE bsn_code bsn_db_info(const char *path, struct bsn_arena *arena,
                                  struct bsn_db_info *out, struct bsn_err *err);

/* What the database knows, as JSON lines passed to out (one per advisory and affected
 * package): by package name (ecosystem: a namespace such as "npm" or "debian:12", or an OSV
 * ecosystem name such as "PyPI" or "Debian:12"; NULL = all), or by advisory id or alias. */
BSN_MUST_USE bsn_code bsn_db_search(const char *path, const char *pkg, const char *ecosystem,
                                    const char *vuln, bsn_msg_fn *out, void *arg,
                                    struct bsn_err *err);

struct bsn_db_update_opts {
    const char *db_path;           /* database to replace */
    const char *feeds_base;        /* mirror: replaces the scheme and host of every feed URL */
    const char *feeds_file;        /* feed list JSON overriding the built-in list, or NULL */
    const char *listing_url;       /* install the prebuilt database this listing describes */
    const char *state_path;        /* ETag/Last-Modified state; NULL = db_path + ".state.json" */
    const char *cache_dir;         /* downloaded feeds; NULL = db_path + ".feeds" */
    bool offline;                  /* refuse: never touch the network */
    unsigned jobs;                 /* parallel downloads, 0 = 4 */
    long timeout_s;                /* per transfer, 0 = 600 */
    int64_t built_at;              /* build time recorded when rebuilding */
    bsn_msg_fn *log;               /* progress and skipped-record lines; may be NULL */
    void *log_arg;
};

/* Refreshes the database from the upstream feeds (conditional requests, verification, rebuild
 * into a temp file, atomic install), or from a listing. On any failure the old database is
 * left in place and the code says why (BSN_ENET, BSN_EFORMAT for a checksum mismatch …). */
BSN_MUST_USE bsn_code bsn_db_update(const struct bsn_db_update_opts *o, struct bsn_err *err);

/* ---- version schemes (src/version) ------------------------------------------------------- */

/* Name of the i-th version scheme ("deb", "rpm", … "generic"), NULL past the last. */
const char *bsn_version_scheme_name(size_t i);

/* Compares versions a and b of scheme: *out is -1, 0 or 1. BSN_ENOTFOUND for an unknown
 * scheme, BSN_EFORMAT (naming the version) if a or b is not a valid version of it. */
BSN_MUST_USE bsn_code bsn_version_compare(const char *scheme, const char *a, const char *b,
                                          int *out, struct bsn_err *err);

/* Is v (a valid version of scheme) inside range? range is version.h's canonical grammar
 * ("osv:introduced=0;fixed=1.2", "npm:^1.2.3", "cmp:< 1.2") or a bare constraint in the
 * scheme's own syntax. BSN_ENOTFOUND, BSN_EFORMAT as above, or for a malformed range. */
BSN_MUST_USE bsn_code bsn_version_in_range(const char *scheme, const char *v, const char *range,
                                           bool *out, struct bsn_err *err);

#endif
