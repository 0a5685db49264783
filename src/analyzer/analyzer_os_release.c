/*
 * OS identification: which distribution and release an image is.
 *
 * Sources, each a set_os record with a priority (the highest surviving the merge wins):
 *   etc/os-release (100), usr/lib/os-release (99)      freedesktop os-release(5): KEY=VALUE,
 *       values optionally quoted ("…" with \" \\ \$ \` escapes, or '…'), '#' comments
 *       https://www.freedesktop.org/software/systemd/man/os-release.html
 *   etc/debian_version                                  "12.7" (110: the point release beats
 *       os-release's VERSION_ID "12", as trivy and syft report it), "bookworm/sid" (10: on
 *       testing, sid and Ubuntu it only says "some Debian")
 *   etc/alpine-release (95)                             "3.19.1"
 *   etc/{centos,rocky,almalinux,oracle,fedora}-release (60), etc/redhat-release (55),
 *   etc/system-release, usr/lib/system-release (50)     "NAME release VERSION (CODENAME)"
 *   etc/photon-release (60)                             "VMware Photon OS 4.0"
 *   etc/lsb-release (40)                                DISTRIB_ID / DISTRIB_RELEASE
 *   etc/system-release-cpe (30)                         "cpe:/o:centos:linux:6:GA"
 *   bin/busybox (5)                                     "BusyBox v1.31.1" inside the binary
 * Distroless images without os-release (only var/lib/dpkg/status.d) are recognised as debian
 * by the dpkg analyzer, with priority 1.
 *
 * Families (struct bsn_os.family) are bosun's names: alpine debian ubuntu rhel centos rocky
 * alma fedora amazon oracle opensuse-leap opensuse-tumbleweed sles slem photon wolfi chainguard
 * cbl-mariner azurelinux; any other os-release ID is reported as written (lowercase), so
 * "arch" or "bottlerocket" images show their OS even though no feed covers them. Peers differ
 * (trivy "redhat", syft "ol"/"amzn"): docs/analyzers.md lists the mapping.
 *
 * Quirks kept on purpose (they match the peers and real images):
 *   - os-release without VERSION_ID names no release (trivy), except rolling distributions
 *     (BUILD_ID=rolling, ID=arch/gentoo), which have none; ID "unknown" is no OS at all.
 *   - RHEL-like release files always carry major.minor ("CentOS release 5.7 (Final)"); a bare
 *     major is not a genuine file (syft); Fedora's has a bare major.
 *   - Amazon Linux 2 and 2023 system-release always end with a codename in parentheses; without
 *     it the file is not Amazon's (trivy).
 */
#include <stdbool.h>
#include <string.h>

#include "analyzer/analyzer.h"

enum {
    PRIO_DISTROLESS = 1,
    PRIO_BUSYBOX = 5,
    PRIO_DEBIAN_CODENAME = 10,
    PRIO_CPE = 30,
    PRIO_LSB = 40,
    PRIO_SYSTEM_RELEASE = 50,
    PRIO_REDHAT_RELEASE = 55,
    PRIO_VENDOR_RELEASE = 60,
    PRIO_ALPINE_RELEASE = 95,
    PRIO_USR_OS_RELEASE = 99,
    PRIO_OS_RELEASE = 100,
    PRIO_DEBIAN_POINT = 110,
};

/* The os-release keys bosun uses. */
struct osr_fields {
    struct bsn_str id, version_id, name, pretty_name, version, codename, ubuntu_codename,
        build_id, id_like;
};

static bool
path_is(const struct bsn_path *p, const char *s)
{
    return strlen(s) == p->len && memcmp(p->path, s, p->len) == 0;
}

static char *
dup_lower(struct bsn_arena *a, struct bsn_str s)
{
    char *out = bsn_arena_strslice(a, s);
    for (char *c = out; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    return out;
}

static char *
dup_or_null(struct bsn_arena *a, struct bsn_str s)
{
    return s.len ? bsn_arena_strslice(a, s) : NULL;
}

static bool
all_digits_dots(struct bsn_str s)
{
    if (!s.len || s.ptr[0] < '0' || s.ptr[0] > '9')
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!((s.ptr[i] >= '0' && s.ptr[i] <= '9') || s.ptr[i] == '.'))
            return false;
    return true;
}

/* os-release ID -> bosun family; NULL when the ID is not a known one. */
static const char *
family_of_id(struct bsn_str id)
{
    static const struct {
        const char *id, *family;
    } map[] = {
        { "alpine", "alpine" },
        { "debian", "debian" },
        { "ubuntu", "ubuntu" },
        { "rhel", "rhel" },
        { "centos", "centos" },
        { "rocky", "rocky" },
        { "almalinux", "alma" },
        { "fedora", "fedora" },
        { "amzn", "amazon" },
        { "ol", "oracle" },
        { "opensuse-leap", "opensuse-leap" },
        { "opensuse", "opensuse-leap" }, /* Leap 42.x */
        { "opensuse-tumbleweed", "opensuse-tumbleweed" },
        { "sles", "sles" },
        { "sled", "sles" },
        { "sles_sap", "sles" },
        { "sle-micro", "slem" },
        { "sle-micro-rancher", "slem" },
        { "sl-micro", "slem" },
        { "photon", "photon" },
        { "wolfi", "wolfi" },
        { "chainguard", "chainguard" },
        { "mariner", "cbl-mariner" },
        { "azurelinux", "azurelinux" },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (bsn_str_ieq_cstr(id, map[i].id))
            return map[i].family;
    return NULL;
}

static void
set_os(struct bsn_actx *ctx, const char *family, const char *name, const char *version,
       const char *codename, int priority)
{
    struct bsn_os *os = bsn_arena_alloc(bsn_actx_arena(ctx), sizeof(*os));
    os->family = family;
    os->name = name;
    os->version = version;
    os->codename = codename;
    bsn_actx_set_os(ctx, os, priority);
}

/*
 * One os-release value: unquoted (ends at whitespace or '#'), "double" (backslash escapes
 * \" \\ \$ \` per the spec) or 'single' quoted. Unescaped into the scratch arena.
 */
static struct bsn_str
osr_value(struct bsn_arena *scratch, struct bsn_str v)
{
    v = bsn_str_trim(v);
    if (!v.len)
        return v;
    char q = v.ptr[0];
    if (q != '"' && q != '\'') {
        /* Unquoted: up to whitespace; a trailing comment is not part of it. */
        size_t n = 0;
        while (n < v.len && v.ptr[n] != ' ' && v.ptr[n] != '\t' && v.ptr[n] != '#')
            n++;
        return bsn_str_make(v.ptr, n);
    }
    char *out = bsn_arena_alloc(scratch, v.len);
    size_t j = 0;
    for (size_t i = 1; i < v.len; i++) {
        char c = v.ptr[i];
        if (c == q)
            break;
        if (q == '"' && c == '\\' && i + 1 < v.len) {
            char e = v.ptr[i + 1];
            if (e == '"' || e == '\\' || e == '$' || e == '`') {
                out[j++] = e;
                i++;
                continue;
            }
        }
        out[j++] = c;
    }
    return bsn_str_make(out, j);
}

static void
parse_kv(struct bsn_arena *scratch, const struct bsn_input *in, struct osr_fields *f,
         bool lsb)
{
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    memset(f, 0, sizeof(*f));
    while (bsn_sp_line(&cur, &line) == 0) {
        line = bsn_str_trim(line);
        struct bsn_str key, val;
        if (!line.len || line.ptr[0] == '#' || !bsn_str_split(line, '=', &key, &val))
            continue;
        key = bsn_str_trim(key);
        val = osr_value(scratch, val);
        struct bsn_str *slot = NULL;
        if (lsb) {
            if (bsn_str_eq_cstr(key, "DISTRIB_ID"))
                slot = &f->id;
            else if (bsn_str_eq_cstr(key, "DISTRIB_RELEASE"))
                slot = &f->version_id;
            else if (bsn_str_eq_cstr(key, "DISTRIB_CODENAME"))
                slot = &f->codename;
            else if (bsn_str_eq_cstr(key, "DISTRIB_DESCRIPTION"))
                slot = &f->pretty_name;
        } else if (bsn_str_eq_cstr(key, "ID")) {
            slot = &f->id;
        } else if (bsn_str_eq_cstr(key, "VERSION_ID")) {
            slot = &f->version_id;
        } else if (bsn_str_eq_cstr(key, "NAME")) {
            slot = &f->name;
        } else if (bsn_str_eq_cstr(key, "PRETTY_NAME")) {
            slot = &f->pretty_name;
        } else if (bsn_str_eq_cstr(key, "VERSION")) {
            slot = &f->version;
        } else if (bsn_str_eq_cstr(key, "VERSION_CODENAME")) {
            slot = &f->codename;
        } else if (bsn_str_eq_cstr(key, "UBUNTU_CODENAME")) {
            slot = &f->ubuntu_codename;
        } else if (bsn_str_eq_cstr(key, "BUILD_ID")) {
            slot = &f->build_id;
        } else if (bsn_str_eq_cstr(key, "ID_LIKE")) {
            slot = &f->id_like;
        }
        if (slot)
            *slot = val;
    }
}

/* "11 (bullseye)" -> "bullseye" */
static struct bsn_str
codename_from_version(struct bsn_str v)
{
    ptrdiff_t open = bsn_str_chr(v, '(');
    if (open < 0)
        return bsn_str_make(NULL, 0);
    struct bsn_str rest = bsn_str_make(v.ptr + open + 1, v.len - (size_t)open - 1);
    ptrdiff_t close = bsn_str_chr(rest, ')');
    if (close <= 0)
        return bsn_str_make(NULL, 0);
    struct bsn_str c = bsn_str_trim(bsn_str_make(rest.ptr, (size_t)close));
    /* "22.04 LTS (Jammy Jellyfish)": a display name, not a codename. */
    if (bsn_str_chr(c, ' ') >= 0)
        return bsn_str_make(NULL, 0);
    return c;
}

static void
parse_os_release(struct bsn_actx *ctx, const struct bsn_input *in, int priority)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct osr_fields f;
    parse_kv(bsn_actx_scratch(ctx), in, &f, false);
    if (!f.id.len || bsn_str_ieq_cstr(f.id, "unknown"))
        return;
    bool rolling = bsn_str_eq_cstr(f.build_id, "rolling") || bsn_str_ieq_cstr(f.id, "arch") ||
                   bsn_str_ieq_cstr(f.id, "gentoo");
    if (!f.version_id.len && !rolling)
        return;
    const char *family = family_of_id(f.id);
    if (!family)
        family = dup_lower(a, f.id);
    struct bsn_str codename = f.codename.len ? f.codename : f.ubuntu_codename;
    if (!codename.len)
        codename = codename_from_version(f.version);
    struct bsn_str name = f.name.len ? f.name : f.pretty_name;
    set_os(ctx, family, dup_or_null(a, name), dup_or_null(a, f.version_id),
           dup_or_null(a, codename), priority);
}

static void
parse_lsb_release(struct bsn_actx *ctx, const struct bsn_input *in)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct osr_fields f;
    parse_kv(bsn_actx_scratch(ctx), in, &f, true);
    if (!f.id.len || !f.version_id.len)
        return;
    const char *family = family_of_id(f.id);
    if (!family)
        family = dup_lower(a, f.id);
    const char *name = bsn_str_ieq_cstr(f.id, "ubuntu") ? "Ubuntu" : bsn_arena_strslice(a, f.id);
    set_os(ctx, family, name, bsn_arena_strslice(a, f.version_id), dup_or_null(a, f.codename),
           PRIO_LSB);
}

static struct bsn_str
first_line(const struct bsn_input *in)
{
    struct bsn_str cur = bsn_str_make((const char *)in->data, in->len), line;
    if (bsn_sp_line(&cur, &line) != 0)
        return bsn_str_make("", 0);
    return bsn_str_trim(line);
}

static void
parse_debian_version(struct bsn_actx *ctx, const struct bsn_input *in)
{
    struct bsn_str v = first_line(in);
    if (!v.len || bsn_str_chr(v, ' ') >= 0)
        return;
    bool point = all_digits_dots(v);
    set_os(ctx, "debian", "Debian GNU/Linux", bsn_arena_strslice(bsn_actx_arena(ctx), v), NULL,
           point ? PRIO_DEBIAN_POINT : PRIO_DEBIAN_CODENAME);
}

static void
parse_alpine_release(struct bsn_actx *ctx, const struct bsn_input *in)
{
    struct bsn_str v = first_line(in);
    if (!v.len || v.ptr[0] < '0' || v.ptr[0] > '9' || bsn_str_chr(v, ' ') >= 0)
        return;
    set_os(ctx, "alpine", "Alpine Linux", bsn_arena_strslice(bsn_actx_arena(ctx), v), NULL,
           PRIO_ALPINE_RELEASE);
}

static bool
starts_ci(struct bsn_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && bsn_str_ieq_cstr(bsn_str_make(s.ptr, n), prefix);
}

/* Finds " release " in a release-file line. */
static bool
split_release(struct bsn_str line, struct bsn_str *name, struct bsn_str *rest)
{
    static const char needle[] = " release ";
    size_t n = sizeof(needle) - 1;
    for (size_t i = 0; i + n <= line.len; i++) {
        if (memcmp(line.ptr + i, needle, n) == 0) {
            *name = bsn_str_make(line.ptr, i);
            *rest = bsn_str_make(line.ptr + i + n, line.len - i - n);
            return true;
        }
    }
    return false;
}

/* "NAME release VERSION (CODENAME)" as in redhat-release and its relatives. */
static void
parse_redhat_like(struct bsn_actx *ctx, const struct bsn_input *in, int priority)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_str line = first_line(in), name, rest;
    if (!split_release(line, &name, &rest))
        return;
    struct bsn_str ver = rest;
    size_t vn = 0;
    while (vn < ver.len && ver.ptr[vn] != ' ')
        vn++;
    ver.len = vn;
    bool has_codename = bsn_str_chr(rest, '(') >= 0;
    struct bsn_str codename = codename_from_version(rest);
    if (!all_digits_dots(ver))
        return;
    bool dotted = bsn_str_chr(ver, '.') >= 0;
    const char *family = NULL;
    if (starts_ci(name, "Amazon Linux")) {
        family = "amazon";
        /* AMI (Amazon Linux 1) has no codename; 2 and 2023 always do. */
        if (!starts_ci(name, "Amazon Linux AMI") && !has_codename)
            return;
        codename = bsn_str_make(NULL, 0);
    } else if (starts_ci(name, "Fedora")) {
        family = "fedora";
    } else {
        if (starts_ci(name, "CentOS"))
            family = "centos";
        else if (starts_ci(name, "Red Hat"))
            family = "rhel";
        else if (starts_ci(name, "Rocky"))
            family = "rocky";
        else if (starts_ci(name, "AlmaLinux"))
            family = "alma";
        else if (starts_ci(name, "Oracle Linux") || starts_ci(name, "Enterprise Linux"))
            family = "oracle";
        else if (starts_ci(name, "Scientific Linux"))
            family = "scientific";
        if (!family || !dotted)
            return;
    }
    set_os(ctx, family, bsn_arena_strslice(a, bsn_str_trim(name)), bsn_arena_strslice(a, ver),
           dup_or_null(a, codename), priority);
}

/* "VMware Photon OS 4.0" (then PHOTON_BUILD_NUMBER=…) */
static void
parse_photon_release(struct bsn_actx *ctx, const struct bsn_input *in)
{
    struct bsn_str line = first_line(in);
    static const char marker[] = "Photon OS ";
    size_t n = sizeof(marker) - 1;
    for (size_t i = 0; i + n <= line.len; i++) {
        if (memcmp(line.ptr + i, marker, n) != 0)
            continue;
        struct bsn_str v = bsn_str_trim(bsn_str_make(line.ptr + i + n, line.len - i - n));
        if (!all_digits_dots(v))
            return;
        set_os(ctx, "photon", "VMware Photon OS", bsn_arena_strslice(bsn_actx_arena(ctx), v),
               NULL, PRIO_VENDOR_RELEASE);
        return;
    }
}

/* "cpe:/o:centos:linux:6:GA" or "cpe:2.3:o:amazon:amazon_linux:2" */
static void
parse_cpe(struct bsn_actx *ctx, const struct bsn_input *in)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_str cur = first_line(in), part[5];
    if (bsn_sp_lit(&cur, "cpe:/") == 0) {
        /* part[0] is "o" */
    } else if (bsn_sp_lit(&cur, "cpe:2.3:") != 0) {
        return;
    }
    size_t np = 0;
    while (np < 5) {
        struct bsn_str head, tail;
        if (bsn_str_split(cur, ':', &head, &tail)) {
            part[np++] = head;
            cur = tail;
        } else {
            part[np++] = cur;
            break;
        }
    }
    if (np < 4 || !bsn_str_eq_cstr(part[0], "o") || !all_digits_dots(part[3]))
        return;
    struct bsn_str vendor = part[1];
    const char *family;
    if (bsn_str_eq_cstr(vendor, "redhat"))
        family = "rhel";
    else if (bsn_str_eq_cstr(vendor, "fedoraproject"))
        family = "fedora";
    else if (bsn_str_eq_cstr(vendor, "almalinux"))
        family = "alma";
    else if (bsn_str_eq_cstr(vendor, "rocky"))
        family = "rocky";
    else if (bsn_str_eq_cstr(vendor, "oracle"))
        family = "oracle";
    else if (bsn_str_eq_cstr(vendor, "amazon"))
        family = "amazon";
    else
        family = dup_lower(a, vendor);
    set_os(ctx, family, family, bsn_arena_strslice(a, part[3]), NULL, PRIO_CPE);
}

/* "BusyBox v1.31.1 (2019-…)" somewhere inside the binary. */
static void
parse_busybox(struct bsn_actx *ctx, const struct bsn_input *in)
{
    static const char marker[] = "BusyBox v";
    size_t n = sizeof(marker) - 1;
    const char *d = (const char *)in->data;
    for (size_t i = 0; i + n < in->len; i++) {
        if (d[i] != 'B' || memcmp(d + i, marker, n) != 0)
            continue;
        size_t s = i + n, e = s;
        while (e < in->len && ((d[e] >= '0' && d[e] <= '9') || d[e] == '.'))
            e++;
        struct bsn_str v = bsn_str_make(d + s, e - s);
        if (!all_digits_dots(v) || bsn_str_chr(v, '.') < 0)
            continue;
        set_os(ctx, "busybox", "busybox", bsn_arena_strslice(bsn_actx_arena(ctx), v), NULL,
               PRIO_BUSYBOX);
        return;
    }
}

static bool
os_release_wants(const struct bsn_path *p)
{
    static const char *const paths[] = {
        "etc/os-release",         "usr/lib/os-release",     "etc/debian_version",
        "etc/alpine-release",     "etc/redhat-release",     "etc/centos-release",
        "etc/rocky-release",      "etc/almalinux-release",  "etc/oracle-release",
        "etc/fedora-release",     "etc/system-release",     "usr/lib/system-release",
        "etc/system-release-cpe", "etc/lsb-release",        "etc/photon-release",
        "bin/busybox",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (path_is(p, paths[i]))
            return true;
    return false;
}

static bsn_code
os_release_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    (void)err;
    const struct bsn_path *p = in->path;
    if (path_is(p, "etc/os-release"))
        parse_os_release(ctx, in, PRIO_OS_RELEASE);
    else if (path_is(p, "usr/lib/os-release"))
        parse_os_release(ctx, in, PRIO_USR_OS_RELEASE);
    else if (path_is(p, "etc/debian_version"))
        parse_debian_version(ctx, in);
    else if (path_is(p, "etc/alpine-release"))
        parse_alpine_release(ctx, in);
    else if (path_is(p, "etc/redhat-release"))
        parse_redhat_like(ctx, in, PRIO_REDHAT_RELEASE);
    else if (path_is(p, "etc/system-release") || path_is(p, "usr/lib/system-release"))
        parse_redhat_like(ctx, in, PRIO_SYSTEM_RELEASE);
    else if (path_is(p, "etc/system-release-cpe"))
        parse_cpe(ctx, in);
    else if (path_is(p, "etc/lsb-release"))
        parse_lsb_release(ctx, in);
    else if (path_is(p, "etc/photon-release"))
        parse_photon_release(ctx, in);
    else if (path_is(p, "bin/busybox"))
        parse_busybox(ctx, in);
    else
        parse_redhat_like(ctx, in, PRIO_VENDOR_RELEASE);
    return BSN_OK;
}

static const char *const os_release_names[] = {
    "os-release",         "debian_version",   "alpine-release",    "redhat-release",
    "centos-release",     "rocky-release",    "almalinux-release", "oracle-release",
    "fedora-release",     "system-release",   "system-release-cpe", "lsb-release",
    "photon-release",     "busybox",          NULL,
};

const struct bsn_analyzer bsn_analyzer_os_release = {
    .name = "os_release",
    .scheme = NULL,
    .version = 1,
    .max_input = 8u << 20, /* busybox is the largest file wanted, ~1-2 MiB */
    .names = os_release_names,
    .wants = os_release_wants,
    .parse = os_release_parse,
};
