/*
 * 'bosun db': build, update, inspect and search the vulnerability database.
 *
 *   bosun db build [--out FILE] [--listing FILE] SOURCE...
 *   bosun db update [--db FILE] [--feeds-base URL | --feeds FILE] [--url LISTING] [--offline]
 *   bosun db info [--db FILE] [-f table|json]
 *   bosun db search [--db FILE] --pkg NAME [--ecosystem E] | --vuln ID
 *
 * The database path is --db (--out for build), else $BOSUN_DB, else
 * $XDG_CACHE_HOME/bosun/db/bosun.db, else ~/.cache/bosun/db/bosun.db (CONTRACT.md). The build
 * time recorded is $SOURCE_DATE_EPOCH when set (reproducible builds), else now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "bosun.h"
#include "cli/cli.h"

#define MAX_WARNINGS_SHOWN 50

static const char usage_text[] =
    "usage: bosun db COMMAND [flags]\n"
    "\n"
    "commands:\n"
    "  build [--out FILE] [--listing FILE] SOURCE...\n"
    "                      build the database from feeds; SOURCE is [KIND:]PATH, a file,\n"
    "                      directory, .zip or .tar.*; KIND one of osv, debian-tracker,\n"
    "                      debian-dsa, alpine-secdb, wolfi, rustsec, rubysec, nodejs-wg, nvd,\n"
    "                      cve5 (detected from content when omitted)\n"
    "  update [--feeds-base URL | --feeds FILE | --url LISTING] [--offline]\n"
    "                      refresh from the upstream feeds, or install a prebuilt database\n"
    "  info [-f table|json]   schema version, build time, sources and record counts\n"
    "  search --pkg NAME [--ecosystem E] | --vuln ID\n"
    "                      what the database knows, as JSON lines\n"
    "\n"
    "Run 'bosun db COMMAND --help' for the flags of each.\n";

static const char build_help[] =
    "usage: bosun db build [--out FILE] [--listing FILE] SOURCE...\n"
    "\n"
    "Builds the vulnerability database from feeds in their native formats. Each SOURCE is a\n"
    "file, a directory, a .zip or a .tar.* archive, optionally prefixed with its kind:\n"
    "osv: (OSV JSON or YAML, any ecosystem, all.zip), debian-tracker: (tracker JSON),\n"
    "debian-dsa: (the tracker's DSA/DLA list), alpine-secdb:, wolfi: (secdb JSON, advisories\n"
    "YAML), rustsec:, rubysec:, nodejs-wg:, nvd: (CVE API 2.0), cve5: (CVE JSON 5).\n"
    "Malformed records are skipped with a warning; a source of the wrong kind fails (exit 3).\n"
    "\n"
    "  --out FILE       database to write (default: the --db default path)\n"
    "  --listing FILE   also write a listing JSON (file, sha256, schema_version, built_at)\n"
    "                   for 'bosun db update --url'\n"
    "  -q, --quiet      do not print skipped-record warnings\n"
    "\n"
    "The build time recorded is $SOURCE_DATE_EPOCH when set; the same feeds then give the\n"
    "same database content.\n";

static const char update_help[] =
    "usage: bosun db update [--db FILE] [--feeds-base URL | --feeds FILE] [--offline]\n"
    "       bosun db update [--db FILE] --url LISTING\n"
    "\n"
    "Downloads the upstream feeds (OSV all.zip exports, the Debian tracker JSON, Alpine and\n"
    "Wolfi secdb) in parallel with conditional requests, verifies them, rebuilds the database\n"
    "into a temp file and installs it atomically. The old database stays on any failure.\n"
    "With --url, installs the prebuilt database a listing JSON describes instead.\n"
    "\n"
    "  --db FILE          database path (default $BOSUN_DB, else\n"
    "                     $XDG_CACHE_HOME/bosun/db/bosun.db)\n"
    "  --feeds-base URL   a mirror: every feed URL's scheme and host are replaced by URL\n"
    "  --feeds FILE       feed list JSON replacing the built-in list (also $BOSUN_FEEDS)\n"
    "  --url LISTING      install the database described by this listing (URL or file)\n"
    "  --offline          never touch the network (the command then refuses)\n"
    "  -j, --jobs N       parallel downloads (default 4)\n"
    "  -q, --quiet        no progress lines\n";

static const char info_help[] =
    "usage: bosun db info [--db FILE] [-f table|json]\n"
    "\n"
    "Prints the schema version, build time and each source with its record count, newest\n"
    "record date and skipped records.\n";

static const char search_help[] =
    "usage: bosun db search [--db FILE] --pkg NAME [--ecosystem E]\n"
    "       bosun db search [--db FILE] --vuln ID\n"
    "\n"
    "Prints what the database knows as JSON lines, one per advisory and affected package:\n"
    "by package name (in every namespace, or the one named by --ecosystem: npm, pypi,\n"
    "debian:12, alpine:3.19, or an OSV ecosystem name such as PyPI or Debian:12), or by\n"
    "advisory id or alias.\n";

/* Default database path per CONTRACT.md; returns a malloc'd string or NULL. */
static char *
default_db_path(void)
{
    const char *env = getenv("BOSUN_DB");
    if (env && *env)
        return strdup(env);
    struct bsn_buf b;
    bsn_buf_init(&b, 8192);
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    bsn_code rc;
    if (xdg && *xdg)
        rc = bsn_buf_addf(&b, "%s/bosun/db/bosun.db", xdg);
    else if (home && *home)
        rc = bsn_buf_addf(&b, "%s/.cache/bosun/db/bosun.db", home);
    else
        rc = BSN_EINVAL;
    if (rc != BSN_OK) {
        bsn_buf_release(&b);
        return NULL;
    }
    return bsn_buf_detach(&b, NULL);
}

/* mkdir -p of path's directory. */
static int
make_parent_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    char *slash = strrchr(p, '/');
    if (!slash || slash == p) {
        free(p);
        return 0;
    }
    *slash = '\0';
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *q = '/';
    }
    int r = mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return r;
}

static int64_t
build_time(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!errno && *end == '\0' && v >= 0)
            return v;
    }
    return (int64_t)time(NULL);
}

struct warn_state {
    bool quiet;
    size_t n;
};

static void
print_warning(void *arg, const char *msg)
{
    struct warn_state *w = arg;
    w->n++;
    if (!w->quiet && w->n <= MAX_WARNINGS_SHOWN)
        fprintf(stderr, "bosun: warning: skipped %s\n", msg);
}

static void
print_line(void *arg, const char *msg)
{
    (void)arg;
    fputs(msg, stdout);
    fputc('\n', stdout);
}

static void
print_log(void *arg, const char *msg)
{
    bool quiet = *(bool *)arg;
    if (!quiet)
        fprintf(stderr, "bosun: %s\n", msg);
}

/* "--flag VALUE" or "--flag=VALUE" at argv[*i]; advances *i past a separate value. */
static bool
flag_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *out = NULL;
        return true;
    }
    *out = argv[++*i];
    return true;
}

static int
cmd_build(int argc, char **argv)
{
    if (bsn_cli_wants_help(argc, argv)) {
        fputs(build_help, stdout);
        return BSN_EXIT_OK;
    }
    const char *out = NULL, *listing = NULL;
    struct warn_state ws = { 0 };
    const char **sources = calloc((size_t)argc, sizeof(*sources));
    size_t n = 0;
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!only_args && strcmp(argv[i], "--") == 0) {
            only_args = true;
        } else if (!only_args && flag_value(argc, argv, &i, "--out", &v)) {
            if (!v) {
                free(sources);
                return bsn_cli_usage("db build", "--out needs a file");
            }
            out = v;
        } else if (!only_args && flag_value(argc, argv, &i, "--db", &v)) {
            if (!v) {
                free(sources);
                return bsn_cli_usage("db build", "--db needs a file");
            }
            out = v;
        } else if (!only_args && flag_value(argc, argv, &i, "--listing", &v)) {
            if (!v) {
                free(sources);
                return bsn_cli_usage("db build", "--listing needs a file");
            }
            listing = v;
        } else if (!only_args && (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)) {
            ws.quiet = true;
        } else if (!only_args && argv[i][0] == '-' && argv[i][1]) {
            free(sources);
            return bsn_cli_usage("db build", "unknown flag '%s'", argv[i]);
        } else {
            sources[n++] = argv[i];
        }
    }
    if (!n) {
        free(sources);
        return bsn_cli_usage("db build", "no SOURCE given");
    }
    char *def = out ? NULL : default_db_path();
    if (!out && !def) {
        free(sources);
        return bsn_cli_usage("db build", "no --out given and no default database path");
    }
    const char *path = out ? out : def;
    if (make_parent_dirs(path) != 0) {
        bsn_cli_error("cannot create the directory of '%s': %s", path, strerror(errno));
        free(sources);
        free(def);
        return BSN_EXIT_TARGET;
    }
    struct bsn_db_build_opts o = {
        .out = path,
        .sources = sources,
        .n_sources = n,
        .built_at = build_time(),
        .listing = listing,
        .warn = print_warning,
        .warn_arg = &ws,
    };
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_db_build(&o, &err);
    free(sources);
    if (rc != BSN_OK) {
        free(def);
        return bsn_cli_fail(&err);
    }
    if (ws.n > MAX_WARNINGS_SHOWN && !ws.quiet)
        fprintf(stderr, "bosun: warning: %zu more records skipped\n", ws.n - MAX_WARNINGS_SHOWN);
    fprintf(stderr, "bosun: wrote vulnerability database '%s'%s\n", path,
            ws.n ? " (some records skipped; see 'bosun db info')" : "");
    free(def);
    return BSN_EXIT_OK;
}

/* s as a JSON string (null for NULL); bytes >= 0x80 pass through (UTF-8 from the database). */
static void
print_json_str(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static int
cmd_info(int argc, char **argv)
{
    if (bsn_cli_wants_help(argc, argv)) {
        fputs(info_help, stdout);
        return BSN_EXIT_OK;
    }
    const char *db = NULL, *format = "table";
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (flag_value(argc, argv, &i, "--db", &v)) {
            if (!v)
                return bsn_cli_usage("db info", "--db needs a file");
            db = v;
        } else if (flag_value(argc, argv, &i, "-f", &v) ||
                   flag_value(argc, argv, &i, "--format", &v)) {
            if (!v || (strcmp(v, "json") != 0 && strcmp(v, "table") != 0))
                return bsn_cli_usage("db info", "-f takes 'table' or 'json'");
            format = v;
        } else {
            return bsn_cli_usage("db info", "unexpected argument '%s'", argv[i]);
        }
    }
    char *def = db ? NULL : default_db_path();
    const char *path = db ? db : def;
    if (!path)
        return bsn_cli_usage("db info", "no --db given and no default database path");
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_db_info info;
    struct bsn_err err = { 0 };
    if (bsn_db_info(path, a, &info, &err) != BSN_OK) {
        bsn_arena_free(a);
        free(def);
        return bsn_cli_fail(&err);
    }
    if (strcmp(format, "json") == 0) {
        printf("{\n  \"path\": ");
        print_json_str(path);
        printf(",\n  \"schema_version\": %d,\n  \"built_at\": ", info.schema_version);
        print_json_str(info.built_at_text);
        printf(",\n  \"advisories\": %llu,\n  \"affected\": %llu,\n  \"sources\": [",
               (unsigned long long)info.advisories, (unsigned long long)info.affected);
        for (size_t i = 0; i < info.n_sources; i++) {
            const struct bsn_db_source *s = &info.sources[i];
            printf("%s\n    {\"name\": ", i ? "," : "");
            print_json_str(s->name);
            printf(", \"data_source\": ");
            print_json_str(s->data_source);
            printf(", \"records\": %llu, \"newest\": ", (unsigned long long)s->records);
            print_json_str(s->newest);
            printf(", \"skipped\": %llu}", (unsigned long long)s->skipped);
        }
        printf("%s]\n}\n", info.n_sources ? "\n  " : "");
    } else {
        printf("Database:        %s\nSchema version:  %d\nBuilt at:        %s\n"
               "Advisories:      %llu\nAffected rows:   %llu\n\n",
               path, info.schema_version, info.built_at_text ? info.built_at_text : "?",
               (unsigned long long)info.advisories, (unsigned long long)info.affected);
        printf("%-16s %-10s %9s %8s  %s\n", "SOURCE", "DATA", "RECORDS", "SKIPPED", "NEWEST");
        for (size_t i = 0; i < info.n_sources; i++) {
            const struct bsn_db_source *s = &info.sources[i];
            printf("%-16s %-10s %9llu %8llu  %s\n", s->name, s->data_source,
                   (unsigned long long)s->records, (unsigned long long)s->skipped,
                   s->newest ? s->newest : "-");
        }
    }
    bsn_arena_free(a);
    free(def);
    return BSN_EXIT_OK;
}

static int
cmd_search(int argc, char **argv)
{
    if (bsn_cli_wants_help(argc, argv)) {
        fputs(search_help, stdout);
        return BSN_EXIT_OK;
    }
    const char *db = NULL, *pkg = NULL, *eco = NULL, *vuln = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        const char **slot = NULL;
        if (flag_value(argc, argv, &i, "--db", &v))
            slot = &db;
        else if (flag_value(argc, argv, &i, "--pkg", &v))
            slot = &pkg;
        else if (flag_value(argc, argv, &i, "--ecosystem", &v))
            slot = &eco;
        else if (flag_value(argc, argv, &i, "--vuln", &v))
            slot = &vuln;
        else
            return bsn_cli_usage("db search", "unexpected argument '%s'", argv[i]);
        if (!v || !*v)
            return bsn_cli_usage("db search", "'%s' needs a value", argv[i]);
        *slot = v;
    }
    if ((pkg == NULL) == (vuln == NULL))
        return bsn_cli_usage("db search", "give --pkg NAME or --vuln ID");
    if (eco && !pkg)
        return bsn_cli_usage("db search", "--ecosystem goes with --pkg");
    char *def = db ? NULL : default_db_path();
    const char *path = db ? db : def;
    if (!path)
        return bsn_cli_usage("db search", "no --db given and no default database path");
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_db_search(path, pkg, eco, vuln, print_line, NULL, &err);
    free(def);
    fflush(stdout);
    return rc == BSN_OK ? BSN_EXIT_OK : bsn_cli_fail(&err);
}

static int
cmd_update(int argc, char **argv)
{
    if (bsn_cli_wants_help(argc, argv)) {
        fputs(update_help, stdout);
        return BSN_EXIT_OK;
    }
    struct bsn_db_update_opts o = { 0 };
    bool quiet = false;
    const char *db = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (flag_value(argc, argv, &i, "--db", &v)) {
            if (!v)
                return bsn_cli_usage("db update", "--db needs a file");
            db = v;
        } else if (flag_value(argc, argv, &i, "--feeds-base", &v)) {
            if (!v)
                return bsn_cli_usage("db update", "--feeds-base needs a URL");
            o.feeds_base = v;
        } else if (flag_value(argc, argv, &i, "--feeds", &v)) {
            if (!v)
                return bsn_cli_usage("db update", "--feeds needs a file");
            o.feeds_file = v;
        } else if (flag_value(argc, argv, &i, "--url", &v)) {
            if (!v)
                return bsn_cli_usage("db update", "--url needs a listing URL");
            o.listing_url = v;
        } else if (flag_value(argc, argv, &i, "-j", &v) ||
                   flag_value(argc, argv, &i, "--jobs", &v)) {
            char *end;
            long j = v ? strtol(v, &end, 10) : 0;
            if (!v || *end || j < 1 || j > 64)
                return bsn_cli_usage("db update", "-j takes a number from 1 to 64");
            o.jobs = (unsigned)j;
        } else if (strcmp(argv[i], "--offline") == 0) {
            o.offline = true;
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0 ||
                   strcmp(argv[i], "--no-progress") == 0) {
            quiet = true;
        } else {
            return bsn_cli_usage("db update", "unexpected argument '%s'", argv[i]);
        }
    }
    if (o.listing_url && (o.feeds_base || o.feeds_file))
        return bsn_cli_usage("db update", "--url cannot be combined with --feeds-base/--feeds");
    if (!o.feeds_file) {
        const char *env = getenv("BOSUN_FEEDS");
        if (env && *env)
            o.feeds_file = env;
    }
    char *def = db ? NULL : default_db_path();
    o.db_path = db ? db : def;
    if (!o.db_path)
        return bsn_cli_usage("db update", "no --db given and no default database path");
    if (o.offline) {
        bsn_cli_error("'db update' needs the network and --offline was given; the database "
                      "'%s' is unchanged", o.db_path);
        free(def);
        return BSN_EXIT_NET;
    }
    if (make_parent_dirs(o.db_path) != 0) {
        bsn_cli_error("cannot create the directory of '%s': %s", o.db_path, strerror(errno));
        free(def);
        return BSN_EXIT_TARGET;
    }
    o.built_at = build_time();
    o.log = print_log;
    o.log_arg = &quiet;
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_db_update(&o, &err);
    int status = rc == BSN_OK ? BSN_EXIT_OK : bsn_cli_fail(&err);
    free(def);
    return status;
}

int
bsn_cmd_db(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return BSN_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage_text, stdout);
        return BSN_EXIT_OK;
    }
    if (strcmp(sub, "build") == 0)
        return cmd_build(argc - 1, argv + 1);
    if (strcmp(sub, "info") == 0)
        return cmd_info(argc - 1, argv + 1);
    if (strcmp(sub, "search") == 0)
        return cmd_search(argc - 1, argv + 1);
    if (strcmp(sub, "update") == 0)
        return cmd_update(argc - 1, argv + 1);
    return bsn_cli_usage("db", "unknown command '%s'", sub);
}
