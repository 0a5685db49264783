/*
 * 'bosun image|rootfs|fs|sbom': the scanning commands. Parses the flags of CONTRACT.md
 * ("Flags common to scanning commands"), runs bsn_scan, renders the report with the chosen
 * writer, writes it atomically, prints diagnostics once on stderr, and picks the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "bosun.h"
#include "cli/cli.h"
#include "report/report.h"

struct scan_cmd {
    const char *name;
    enum bsn_artifact_type kind;
    const char *arg;     /* "TARGET", "DIR", "FILE" */
    const char *summary;
};

static const struct scan_cmd scan_cmds[] = {
    { "image", BSN_ARTIFACT_IMAGE, "TARGET", "scan a container image" },
    { "rootfs", BSN_ARTIFACT_ROOTFS, "DIR", "scan an unpacked root filesystem" },
    { "fs", BSN_ARTIFACT_FS, "DIR", "scan a project tree (lockfiles, manifests, binaries)" },
    { "sbom", BSN_ARTIFACT_SBOM, "FILE", "scan a CycloneDX or SPDX JSON SBOM" },
};

static void
help(const struct scan_cmd *c)
{
    printf("usage: bosun %s [flags] %s\n\n%s.\n\n", c->name, c->arg, c->summary);
    if (c->kind == BSN_ARTIFACT_IMAGE)
        printf("TARGET: docker-archive:PATH, oci-archive:PATH, oci:DIR[:REF], dir:DIR,\n"
               "registry:REF or docker://REF, a bare path (auto-detected) or a bare image\n"
               "reference (alpine:3.19, ghcr.io/o/r@sha256:...).\n\n");
    printf(
        "flags:\n"
        "  -f, --format FMT        table (default), json, sarif, cyclonedx, spdx-json\n"
        "  -o, --output FILE       write the report to FILE (atomically)\n"
        "      --scanners LIST     vuln,secret,misconfig or none (default vuln,secret)\n"
        "      --severity LIST     keep only UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL\n"
        "      --exit-code N       exit with N when findings remain after filtering\n"
        "      --baseline FILE     an earlier JSON report: only new findings trigger --exit-code\n"
        "      --ignore-unfixed    drop vulnerabilities without a fixed version\n"
        "      --ignorefile FILE   IDs to ignore (default .bosunignore)\n"
        "      --vex FILE          OpenVEX or CycloneDX VEX document (repeatable)\n"
        "      --db FILE           vulnerability database (default $BOSUN_DB, else\n"
        "                          $XDG_CACHE_HOME/bosun/db/bosun.db)\n"
        "      --cache-dir DIR     per-layer analysis cache (default $XDG_CACHE_HOME/bosun)\n"
        "      --no-cache          do not read or write the layer cache\n"
        "      --offline           never touch the network\n"
        "      --platform P        OS/ARCH[/VARIANT] of a multi-platform image, or all\n"
        "      --username U        registry user (also $BOSUN_USERNAME)\n"
        "      --password P        registry password (also $BOSUN_PASSWORD)\n"
        "      --insecure          allow plain HTTP and unverified TLS\n"
        "      --secret-config F   YAML file of extra secret rules and allow rules\n"
        "  -j, --jobs N            worker threads (default: number of CPUs)\n"
        "  -q, --quiet             no log lines\n"
        "      --no-progress       no progress bar\n"
        "  -h, --help              this help\n\n"
        "exit status: 0 ok; N from --exit-code when findings remain; 2 usage error;\n"
        "3 target unreadable or malformed; 4 database problem; 5 network or registry error\n");
}

enum {
    OPT_SCANNERS = 256, OPT_SEVERITY, OPT_EXIT_CODE, OPT_BASELINE, OPT_IGNORE_UNFIXED,
    OPT_IGNOREFILE, OPT_VEX, OPT_DB, OPT_CACHE_DIR, OPT_NO_CACHE, OPT_OFFLINE, OPT_PLATFORM,
    OPT_USERNAME, OPT_PASSWORD, OPT_INSECURE, OPT_NO_PROGRESS, OPT_SECRET_CONFIG,
};

static const struct option long_opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "scanners", required_argument, NULL, OPT_SCANNERS },
    { "severity", required_argument, NULL, OPT_SEVERITY },
    { "exit-code", required_argument, NULL, OPT_EXIT_CODE },
    { "baseline", required_argument, NULL, OPT_BASELINE },
    { "ignore-unfixed", no_argument, NULL, OPT_IGNORE_UNFIXED },
    { "ignorefile", required_argument, NULL, OPT_IGNOREFILE },
    { "vex", required_argument, NULL, OPT_VEX },
    { "db", required_argument, NULL, OPT_DB },
    { "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
    { "no-cache", no_argument, NULL, OPT_NO_CACHE },
    { "offline", no_argument, NULL, OPT_OFFLINE },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { "username", required_argument, NULL, OPT_USERNAME },
    { "password", required_argument, NULL, OPT_PASSWORD },
    { "insecure", no_argument, NULL, OPT_INSECURE },
    { "secret-config", required_argument, NULL, OPT_SECRET_CONFIG },
    { "jobs", required_argument, NULL, 'j' },
    { "quiet", no_argument, NULL, 'q' },
    { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool
parse_scanners(const char *s, unsigned *out)
{
    unsigned v = 0;
    struct bsn_str cur = bsn_str_cstr(s), item;
    if (strcmp(s, "none") == 0) {
        *out = 0;
        return true;
    }
    while (cur.len) {
        if (!bsn_str_split(cur, ',', &item, &cur)) {
            item = cur;
            cur.len = 0;
        }
        item = bsn_str_trim(item);
        if (bsn_str_eq_cstr(item, "vuln"))
            v |= BSN_SCAN_VULN;
        else if (bsn_str_eq_cstr(item, "secret"))
            v |= BSN_SCAN_SECRET;
        else if (bsn_str_eq_cstr(item, "misconfig") || bsn_str_eq_cstr(item, "config"))
            v |= BSN_SCAN_MISCONFIG;
        else if (item.len)
            return false;
    }
    *out = v;
    return true;
}

static bool
parse_severities(const char *s, unsigned *out)
{
    unsigned v = 0;
    struct bsn_str cur = bsn_str_cstr(s), item;
    while (cur.len) {
        if (!bsn_str_split(cur, ',', &item, &cur)) {
            item = cur;
            cur.len = 0;
        }
        item = bsn_str_trim(item);
        enum bsn_severity sev;
        if (!item.len)
            continue;
        if (!bsn_severity_parse(item.ptr, item.len, &sev))
            return false;
        v |= 1u << sev;
    }
    *out = v;
    return v != 0;
}

/* $XDG_CACHE_HOME/bosun[/suffix], else ~/.cache/bosun[/suffix]. */
static char *
cache_path(const char *suffix)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    struct bsn_buf b;
    bsn_buf_init(&b, 4096);
    bsn_code rc;
    if (xdg && *xdg)
        rc = bsn_buf_addf(&b, "%s/bosun%s", xdg, suffix);
    else
        rc = bsn_buf_addf(&b, "%s/.cache/bosun%s", home && *home ? home : "/tmp", suffix);
    if (rc != BSN_OK) {
        bsn_buf_release(&b);
        return NULL;
    }
    return bsn_buf_detach(&b, NULL);
}

static void
progress_cb(void *arg, const char *what, uint64_t done, uint64_t total)
{
    (void)arg;
    if (total)
        fprintf(stderr, "\r\033[K%s %3u%%", what, (unsigned)(done * 100 / total));
    else
        fprintf(stderr, "\r\033[K%s", what);
    if (done >= total)
        fputc('\r', stderr);
}

/* Counts findings that gate --exit-code: with a baseline only new vulnerabilities count. */
static size_t
gating_findings(const struct bsn_result *r, bool baseline)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_vulns; i++)
        if (!baseline || r->vulns[i].is_new)
            n++;
    n += r->n_secrets + r->n_misconfigs;
    for (size_t i = 0; i < r->n_platforms; i++)
        n += gating_findings(r->platforms[i], baseline);
    return n;
}

static int
run_scan(const struct scan_cmd *c, int argc, char **argv)
{
    struct bsn_scan_opts o;
    const char *format = NULL, *output = NULL;
    const char **vex = NULL;
    size_t n_vex = 0;
    long exit_code = -1;
    bool quiet = false, no_progress = false, no_cache = false;
    char *db_default = NULL, *cache_default = NULL, *docker_default = NULL;
    unsigned long v;

    bsn_scan_opts_init(&o);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "f:o:j:qh", long_opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_SCANNERS:
            if (!parse_scanners(optarg, &o.scanners))
                return bsn_cli_usage(c->name, "invalid --scanners '%s' (use vuln,secret,"
                                              "misconfig or none)", optarg);
            break;
        case OPT_SEVERITY:
            if (!parse_severities(optarg, &o.severities))
                return bsn_cli_usage(c->name, "invalid --severity '%s' (use UNKNOWN,LOW,"
                                              "MEDIUM,HIGH,CRITICAL)", optarg);
            break;
        case OPT_EXIT_CODE:
            if (!parse_uint(optarg, 255, &v))
                return bsn_cli_usage(c->name, "invalid --exit-code '%s' (0-255)", optarg);
            exit_code = (long)v;
            break;
        case OPT_BASELINE:
            o.baseline = optarg;
            break;
        case OPT_IGNORE_UNFIXED:
            o.ignore_unfixed = true;
            break;
        case OPT_IGNOREFILE:
            o.ignorefile = optarg;
            break;
        case OPT_VEX:
            vex = realloc(vex, (n_vex + 1) * sizeof(*vex));
            if (!vex)
                return bsn_cli_usage(c->name, "out of memory");
            vex[n_vex++] = optarg;
            break;
        case OPT_DB:
            o.db_path = optarg;
            break;
        case OPT_CACHE_DIR:
            o.cache_dir = optarg;
            break;
        case OPT_NO_CACHE:
            no_cache = true;
            break;
        case OPT_OFFLINE:
            o.offline = true;
            break;
        case OPT_PLATFORM:
            o.platform = optarg;
            break;
        case OPT_USERNAME:
            o.username = optarg;
            break;
        case OPT_PASSWORD:
            o.password = optarg;
            break;
        case OPT_INSECURE:
            o.insecure = true;
            break;
        case OPT_SECRET_CONFIG:
            o.secret_config = optarg;
            break;
        case 'j':
            if (!parse_uint(optarg, 1024, &v) || v == 0)
                return bsn_cli_usage(c->name, "invalid --jobs '%s' (1-1024)", optarg);
            o.jobs = (unsigned)v;
            break;
        case 'q':
            quiet = true;
            break;
        case OPT_NO_PROGRESS:
            no_progress = true;
            break;
        case 'h':
            help(c);
            free(vex);
            return 0;
        default:
            free(vex);
            if (optopt && optopt < 256)
                return bsn_cli_usage(c->name, "unknown or incomplete flag '-%c'", optopt);
            return bsn_cli_usage(c->name, "unknown or incomplete flag '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        free(vex);
        return bsn_cli_usage(c->name, optind >= argc ? "missing %s" : "expected one %s",
                             c->arg);
    }
    const char *target = argv[optind];
    if (!format)
        format = "table";
    const struct bsn_report_writer *w = bsn_report_find(format);
    if (!w) {
        free(vex);
        return bsn_cli_usage(c->name, "unknown --format '%s' (table, json, sarif, cyclonedx, "
                                      "spdx-json)", format);
    }

    /* Environment and defaults: the library reads none of these. */
    if (!o.db_path)
        o.db_path = getenv("BOSUN_DB");
    if (!o.db_path || !*o.db_path)
        o.db_path = db_default = cache_path("/db/bosun.db");
    if (no_cache)
        o.cache_dir = NULL;
    else if (!o.cache_dir)
        o.cache_dir = cache_default = cache_path("");
    /* Registry credentials: Docker's config ($DOCKER_CONFIG/config.json, else
     * ~/.docker/config.json), read by the library only where the front end points it. */
    const char *dcfg = getenv("DOCKER_CONFIG");
    const char *home = getenv("HOME");
    struct bsn_buf dpath;
    bsn_buf_init(&dpath, 4096);
    if ((dcfg && *dcfg && bsn_buf_addf(&dpath, "%s/config.json", dcfg) == BSN_OK) ||
        (home && *home && bsn_buf_addf(&dpath, "%s/.docker/config.json", home) == BSN_OK))
        docker_default = bsn_buf_detach(&dpath, NULL);
    bsn_buf_release(&dpath);
    o.docker_config = docker_default;
    if (!o.username)
        o.username = getenv("BOSUN_USERNAME");
    if (!o.password)
        o.password = getenv("BOSUN_PASSWORD");
    /* A database older than two weeks is stale (BOSUN_DB_MAX_AGE_DAYS changes it, 0 = never
     * warn): advisories appear daily. */
    const char *age = getenv("BOSUN_DB_MAX_AGE_DAYS");
    o.db_max_age_s = 14u * 86400u;
    if (age && parse_uint(age, 36500, &v))
        o.db_max_age_s = (uint64_t)v * 86400u;
    if (!o.ignorefile && access(".bosunignore", R_OK) == 0)
        o.ignorefile = ".bosunignore";
    o.vex_files = vex;
    o.n_vex_files = n_vex;
    if (!quiet && !no_progress && isatty(STDERR_FILENO)) {
        o.progress = progress_cb;
        o.progress_arg = NULL;
    }

    struct bsn_err err;
    struct bsn_result *r = NULL;
    bsn_err_clear(&err);
    int status = 0;
    bsn_code rc = bsn_scan(target, c->kind, &o, &r, &err);
    if (rc != BSN_OK) {
        status = bsn_cli_fail(&err);
        goto out;
    }
    if (!quiet)
        for (size_t i = 0; i < r->n_diags; i++)
            fprintf(stderr, "bosun: warning: %s\n", r->diags[i].message);

    if (!quiet && strcmp(w->name, "cyclonedx") == 0 && (r->n_secrets || r->n_misconfigs))
        fprintf(stderr, "bosun: note: CycloneDX has no place for secrets and "
                        "misconfigurations: %zu secret(s) and %zu misconfiguration(s) are not in "
                        "this report (use -f json or sarif)\n",
                r->n_secrets, r->n_misconfigs);
    struct bsn_report_opts ro;
    bsn_report_opts_init(&ro);
    ro.color = strcmp(w->name, "table") == 0 && !output && isatty(STDOUT_FILENO) &&
               !getenv("NO_COLOR");
    ro.baseline = o.baseline != NULL;
    struct bsn_buf out;
    bsn_buf_init(&out, (size_t)1 << 31);
    rc = w->write(r, &ro, &out, &err);
    if (rc == BSN_OK)
        rc = bsn_cli_write_atomic(output, out.ptr, out.len, &err);
    bsn_buf_release(&out);
    if (rc != BSN_OK) {
        status = bsn_cli_fail(&err);
        goto out;
    }
    if (exit_code >= 0 && gating_findings(r, o.baseline != NULL) > 0)
        status = (int)exit_code;
out:
    bsn_result_free(r);
    free(db_default);
    free(cache_default);
    free(docker_default);
    free(vex);
    return status;
}

static int
dispatch(const char *name, int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(scan_cmds) / sizeof(scan_cmds[0]); i++)
        if (strcmp(scan_cmds[i].name, name) == 0)
            return run_scan(&scan_cmds[i], argc, argv);
    BSN_BUG("unknown scan command");
}

int
bsn_cmd_image(int argc, char **argv)
{
    return dispatch("image", argc, argv);
}

int
bsn_cmd_rootfs(int argc, char **argv)
{
    return dispatch("rootfs", argc, argv);
}

int
bsn_cmd_fs(int argc, char **argv)
{
    return dispatch("fs", argc, argv);
}

int
bsn_cmd_sbom(int argc, char **argv)
{
    return dispatch("sbom", argc, argv);
}
