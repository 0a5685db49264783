/*
 * Gradle dependency lockfiles (https://docs.gradle.org/current/userguide/dependency_locking.html),
 * for project scans:
 *   gradle.lockfile (Gradle >= 6.8, one per project; also "buildscript-gradle.lockfile")
 *   gradle/dependency-locks/CONFIGURATION.lockfile (the older one-file-per-configuration form)
 * Lines "group:artifact:version=config1,config2"; "#" comments; "empty=configs" lists
 * configurations without dependencies. Older per-configuration files have no "=configs".
 *
 * As Trivy's gradle parser: each group:artifact:version once, maven purls. A configuration
 * list made only of test classpaths (testCompileClasspath, testRuntimeClasspath, …) marks the
 * dependency as development-only. Lockfiles do not record which dependencies are direct.
 * Malformed lines are counted and reported in one warning; the rest of the file stays.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/map.h"
#include "textfmt/purl.h"

#define GRADLE_MAX_INPUT (16u * 1024 * 1024)

/* True if every configuration in the comma-separated list is a test one. */
static bool
test_only(struct bsn_str configs)
{
    if (!configs.len)
        return false;
    struct bsn_str head, rest = configs;
    for (;;) {
        bool more = bsn_str_split(rest, ',', &head, &rest);
        if (!more)
            head = rest;
        head = bsn_str_trim(head);
        if (!bsn_str_starts(head, "test") && !bsn_str_starts(head, "androidTest"))
            return false;
        if (!more)
            return true;
    }
}

static bsn_code
gradle_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    struct bsn_map seen;
    bsn_map_init(&seen);
    size_t bad = 0, lineno = 0, first_bad = 0;
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    while (bsn_sp_line(&cur, &line) == 0) {
        lineno++;
        line = bsn_str_trim(line);
        if (!line.len || line.ptr[0] == '#')
            continue;
        struct bsn_str coord = line, configs = { "", 0 };
        if (bsn_str_chr(line, '=') >= 0)
            (void)bsn_str_split(line, '=', &coord, &configs);
        if (bsn_str_eq_cstr(coord, "empty"))
            continue;
        struct bsn_str group, rest, artifact, version;
        if (!bsn_str_split(coord, ':', &group, &rest) ||
            !bsn_str_split(rest, ':', &artifact, &version) || !group.len || !artifact.len ||
            !version.len || bsn_str_chr(version, ':') >= 0) {
            if (!bad++)
                first_bad = lineno;
            continue;
        }
        char *key = bsn_arena_printf(s, "%.*s", BSN_STR_ARG(coord));
        struct bsn_package *prev = bsn_map_get(&seen, key, strlen(key));
        bool dev = test_only(configs);
        if (prev) {
            prev->dev = prev->dev && dev;
            continue;
        }
        struct bsn_package *p = bsn_actx_add_package(ctx);
        p->type = "maven";
        p->name = bsn_arena_printf(a, "%.*s:%.*s", BSN_STR_ARG(group), BSN_STR_ARG(artifact));
        p->version = bsn_arena_strslice(a, version);
        struct bsn_purl purl = { .type = "maven", .namespace = bsn_arena_strslice(s, group),
                                 .name = bsn_arena_strslice(s, artifact),
                                 .version = p->version };
        p->purl = bsn_purl_format(a, &purl);
        p->dev = dev;
        bsn_map_put(&seen, key, strlen(key), p);
    }
    bsn_map_release(&seen);
    if (bad)
        bsn_actx_warn(ctx, "%zu malformed lockfile lines skipped (first at line %zu)", bad,
                      first_bad);
    return BSN_OK;
}

static bool
gradle_wants(const struct bsn_path *p)
{
    struct bsn_str base = bsn_str_make(p->base, p->base_len);
    if (bsn_str_ends(base, "gradle.lockfile"))
        return true;
    /* the older per-configuration files under gradle/dependency-locks/ */
    struct bsn_str path = bsn_str_make(p->path, p->len - p->base_len);
    return bsn_str_ends(path, "gradle/dependency-locks/");
}

static const char *const gradle_exts[] = { ".lockfile", NULL };

const struct bsn_analyzer bsn_analyzer_gradle_lock = {
    .name = "gradle_lock",
    .scheme = "maven",
    .version = 1,
    .max_input = GRADLE_MAX_INPUT,
    .exts = gradle_exts,
    .wants = gradle_wants,
    .parse = gradle_parse,
    .declared = bsn_declared_all,
};
