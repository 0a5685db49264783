/*
 * Bundler's Gemfile.lock (https://bundler.io/man/gemfile.5.html): sections GEM, GIT and PATH
 * hold "  specs:" followed by the resolved gems at four spaces of indentation,
 *     rake (13.0.3)          nokogiri (1.13.6-x86_64-linux)
 * with their own requirements at six spaces; DEPENDENCIES lists what the Gemfile asked for
 * at two spaces ("  pry (~> 0.14.1)", "  rails!" for a git/path source). Gems named in
 * DEPENDENCIES are direct, the other resolved gems indirect. A platform suffix after the
 * version ("-x86_64-linux", "-java") is dropped: the advisory databases key on the version.
 * Anything else (PLATFORMS, RUBY VERSION, BUNDLED WITH, garbage) is ignored, so a malformed
 * file yields no packages (trivy's "malformed" fixture) rather than an error. Limit: 16 MiB.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/langpkg.h"
#include "base/map.h"

struct gem_spec {
    struct bsn_str name, version;
};

static size_t
indent(struct bsn_str line)
{
    size_t i = 0;
    while (i < line.len && line.ptr[i] == ' ')
        i++;
    return i;
}

/* A Gem::Platform string after "version-": CPU or OS first ("x86_64-linux", "java",
 * "arm64-darwin", "universal-darwin-22"). A prerelease written with '-' is kept. */
static bool
is_platform(struct bsn_str s)
{
    static const char *const starts[] = {
        "x86", "x64", "i386", "i486", "i586", "i686", "arm", "aarch64", "java", "jruby",
        "universal", "mingw", "mswin", "darwin", "linux", "ppc", "powerpc", "s390", "sparc",
        "riscv", "mips", "loongarch", "wasm", "freebsd", "openbsd", "netbsd", "solaris",
        "cygwin", "dalvik", "dotnet", "mswin64", "x64-mingw",
    };
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
        if (bsn_str_starts(s, starts[i]))
            return true;
    return false;
}

/* "name (version)" -> name, version (platform suffix dropped). */
static bool
parse_spec(struct bsn_str t, struct bsn_str *name, struct bsn_str *version)
{
    struct bsn_str n, rest;
    if (!bsn_str_split(t, ' ', &n, &rest))
        return false;
    rest = bsn_str_trim(rest);
    if (rest.len < 3 || rest.ptr[0] != '(' || rest.ptr[rest.len - 1] != ')')
        return false;
    struct bsn_str v = bsn_str_make(rest.ptr + 1, rest.len - 2);
    ptrdiff_t dash = bsn_str_chr(v, '-');
    if (dash > 0 && is_platform(bsn_str_make(v.ptr + dash + 1, v.len - (size_t)dash - 1)))
        v.len = (size_t)dash;
    if (n.len == 0 || v.len == 0)
        return false;
    *name = n;
    *version = v;
    return true;
}

static bsn_code
gemfile_lock_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *scratch = bsn_actx_scratch(ctx);
    size_t cap = 1024, n = 0;
    struct gem_spec *specs = bsn_arena_alloc_array(scratch, cap, sizeof(*specs));
    struct bsn_map direct;
    bsn_map_init(&direct);
    enum { NONE, SPECS, DEPS } state = NONE;
    bool in_source = false;
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    while (bsn_sp_line(&cur, &line) == 0) {
        size_t ind = indent(line);
        struct bsn_str t = bsn_str_trim(line);
        if (t.len == 0)
            continue;
        if (ind == 0) {
            in_source = bsn_str_eq_cstr(t, "GEM") || bsn_str_eq_cstr(t, "GIT") ||
                        bsn_str_eq_cstr(t, "PATH");
            state = bsn_str_eq_cstr(t, "DEPENDENCIES") ? DEPS : NONE;
            continue;
        }
        if (in_source && ind == 2) {
            state = bsn_str_eq_cstr(t, "specs:") ? SPECS : NONE;
            continue;
        }
        if (state == SPECS && ind == 4) {
            struct gem_spec s;
            if (!parse_spec(t, &s.name, &s.version))
                continue;
            if (n == cap) {
                struct gem_spec *ns = bsn_arena_alloc_array(scratch, cap * 2, sizeof(*ns));
                memcpy(ns, specs, n * sizeof(*ns));
                specs = ns;
                cap *= 2;
            }
            specs[n++] = s;
        } else if (state == DEPS && ind == 2) {
            struct bsn_str name = t, rest;
            if (bsn_str_split(t, ' ', &name, &rest))
                (void)rest;
            if (name.len && name.ptr[name.len - 1] == '!')
                name.len--;
            if (name.len)
                bsn_map_put(&direct, name.ptr, name.len, &direct);
        }
    }
    struct bsn_langset set;
    bsn_langset_init(&set, ctx, "gem");
    for (size_t i = 0; i < n; i++) {
        bool d = bsn_map_get(&direct, specs[i].name.ptr, specs[i].name.len) != NULL;
        (void)bsn_langset_add(&set, specs[i].name, specs[i].version,
                              d ? BSN_DEP_DIRECT : BSN_DEP_INDIRECT, false);
    }
    bsn_langset_release(&set);
    bsn_map_release(&direct);
    return BSN_OK;
}

/* Installed gems ship their own Gemfile.lock (…/gems/rake-13.0.3/Gemfile.lock): not the app's. */
static bool
gemfile_lock_wants(const struct bsn_path *p)
{
    return !bsn_lang_in_dir(p, "gems");
}

static const char *const gemfile_lock_names[] = { "Gemfile.lock", "gems.locked", NULL };

const struct bsn_analyzer bsn_analyzer_gemfile_lock = {
    .name = "gemfile_lock",
    .scheme = "gem",
    .version = 1,
    .max_input = 16u << 20,
    .names = gemfile_lock_names,
    .wants = gemfile_lock_wants,
    .parse = gemfile_lock_parse,
    .declared = bsn_declared_all,
};
