/*
 * OS rules of the matcher: which database namespace an OS release reads (os-release ID and
 * VERSION_ID as the os_release analyzer reports them), its end of support, and how deb, apk
 * and rpm packages are keyed.
 *
 *   debian 12.7 -> debian:12 (codename when VERSION_ID is absent: testing images)
 *   ubuntu 22.04 -> ubuntu:22.04      alpine 3.19.1 -> alpine:3.19 (edge: "3.20_alpha…")
 *   rhel/centos 9.3 -> rhel:9         rocky 9.3 -> rocky:9   alma 9.3 -> alma:9
 *   amazon 2 -> amazon:2, 2023.x -> amazon:2023, 2018.03 -> amazon:1
 *   sles/opensuse-leap 15.5 -> *:15.5  photon 5.0 -> photon:5   wolfi, chainguard: no version
 *
 * Debian and Ubuntu advisories are keyed by source package and compare the source version: a
 * binNMU (binary-only rebuild, "1.2-3+b1") shares its source's version "1.2-3". Alpine secdb
 * is keyed by origin. Red Hat family advisories by binary rpm name, compared as "E:V-R" with a
 * missing epoch read as 0.
 *
 * End-of-life dates: Debian security support (https://wiki.debian.org/DebianReleases),
 * Ubuntu standard support (https://wiki.ubuntu.com/Releases), Alpine
 * (https://alpinelinux.org/releases/), RHEL full/maintenance support, Amazon Linux FAQs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match_int.h"

int64_t
bsn_match_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

static bool
digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool
bsn_match_parse_date(const char *s, size_t n, int64_t *out)
{
    int y, m, d;
    if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *out = bsn_match_civil(y, m, d);
    return true;
}

/* The first n dot-separated numeric components of v ("12.7" n=1 -> "12"); NULL if v does not
 * start with a digit. */
static char *
components(struct bsn_arena *a, const char *v, int n)
{
    if (!v || v[0] < '0' || v[0] > '9')
        return NULL;
    size_t i = 0;
    int seen = 0;
    for (;;) {
        while (v[i] >= '0' && v[i] <= '9')
            i++;
        if (++seen == n || v[i] != '.' || v[i + 1] < '0' || v[i + 1] > '9')
            break;
        i++;
    }
    return bsn_arena_strndup(a, v, i);
}

static const struct {
    const char *codename, *version;
} debian_codenames[] = {
    { "wheezy", "7" },  { "jessie", "8" },   { "stretch", "9" }, { "buster", "10" },
    { "bullseye", "11" }, { "bookworm", "12" }, { "trixie", "13" }, { "forky", "14" },
};

static bool
family_is(const char *f, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(f, *names) == 0)
            return true;
    return false;
}

const char *
bsn_match_os_namespace(struct bsn_arena *a, const struct bsn_os *os)
{
    static const char *const rhel[] = { "rhel", "redhat", "centos", NULL };
    static const char *const rocky[] = { "rocky", "rockylinux", NULL };
    static const char *const alma[] = { "alma", "almalinux", NULL };
    static const char *const oracle[] = { "oracle", "ol", "oraclelinux", NULL };
    static const char *const amazon[] = { "amazon", "amzn", NULL };
    static const char *const sles[] = { "sles", "suse", "sle", NULL };
    static const char *const leap[] = { "opensuse-leap", "opensuse", NULL };
    static const char *const azure[] = { "azurelinux", NULL };
    static const char *const mariner[] = { "mariner", "cbl-mariner", NULL };
    const char *f = os->family, *v = os->version;
    char *ver;

    if (!f)
        return NULL;
    if (strcmp(f, "wolfi") == 0 || strcmp(f, "chainguard") == 0)
        return f;
    if (strcmp(f, "debian") == 0) {
        ver = components(a, v, 1);
        if (!ver && os->codename)
            for (size_t i = 0; i < sizeof(debian_codenames) / sizeof(debian_codenames[0]); i++)
                if (strcmp(os->codename, debian_codenames[i].codename) == 0)
                    ver = bsn_arena_strdup(a, debian_codenames[i].version);
        /* "bookworm/sid" in /etc/debian_version of testing images */
        if (!ver && v)
            for (size_t i = 0; i < sizeof(debian_codenames) / sizeof(debian_codenames[0]); i++)
                if (strncmp(v, debian_codenames[i].codename,
                            strlen(debian_codenames[i].codename)) == 0)
                    ver = bsn_arena_strdup(a, debian_codenames[i].version);
        return ver ? bsn_arena_printf(a, "debian:%s", ver) : NULL;
    }
    if (strcmp(f, "ubuntu") == 0)
        return (ver = components(a, v, 2)) ? bsn_arena_printf(a, "ubuntu:%s", ver) : NULL;
    if (strcmp(f, "alpine") == 0)
        return (ver = components(a, v, 2)) ? bsn_arena_printf(a, "alpine:%s", ver) : NULL;
    if (family_is(f, rhel))
        return (ver = components(a, v, 1)) ? bsn_arena_printf(a, "rhel:%s", ver) : NULL;
    if (family_is(f, rocky))
        return (ver = components(a, v, 1)) ? bsn_arena_printf(a, "rocky:%s", ver) : NULL;
    if (family_is(f, alma))
        return (ver = components(a, v, 1)) ? bsn_arena_printf(a, "alma:%s", ver) : NULL;
    if (family_is(f, oracle))
        return (ver = components(a, v, 1)) ? bsn_arena_printf(a, "oracle:%s", ver) : NULL;
    if (family_is(f, amazon)) {
        if (!(ver = components(a, v, 1)))
            return NULL;
        /* Amazon Linux 1 reports VERSION_ID "2018.03" */
        if (strlen(ver) == 4 && strcmp(ver, "2022") < 0)
            return "amazon:1";
        return bsn_arena_printf(a, "amazon:%s", ver);
    }
    if (family_is(f, sles))
        return (ver = components(a, v, 2)) ? bsn_arena_printf(a, "sles:%s", ver) : NULL;
    if (family_is(f, leap))
        return (ver = components(a, v, 2)) ? bsn_arena_printf(a, "opensuse-leap:%s", ver)
                                           : NULL;
    if (strcmp(f, "photon") == 0)
        return (ver = components(a, v, 1)) ? bsn_arena_printf(a, "photon:%s", ver) : NULL;
    if (family_is(f, azure))
        return (ver = components(a, v, 2)) ? bsn_arena_printf(a, "azurelinux:%s", ver) : NULL;
    if (family_is(f, mariner))
        return (ver = components(a, v, 2)) ? bsn_arena_printf(a, "mariner:%s", ver) : NULL;
    return NULL;
}

static const struct {
    const char *family, *release;
    int y, m, d;
} eol_table[] = {
    { "debian", "7", 2018, 5, 31 },      { "debian", "8", 2020, 6, 30 },
    { "debian", "9", 2022, 6, 30 },      { "debian", "10", 2024, 6, 30 },
    { "debian", "11", 2026, 8, 31 },     { "debian", "12", 2028, 6, 30 },
    { "ubuntu", "12.04", 2017, 4, 28 },  { "ubuntu", "14.04", 2019, 4, 30 },
    { "ubuntu", "16.04", 2021, 4, 30 },  { "ubuntu", "18.04", 2023, 5, 31 },
    { "ubuntu", "19.10", 2020, 7, 17 },  { "ubuntu", "20.04", 2025, 5, 29 },
    { "ubuntu", "20.10", 2021, 7, 22 },  { "ubuntu", "21.04", 2022, 1, 20 },
    { "ubuntu", "21.10", 2022, 7, 14 },  { "ubuntu", "22.04", 2027, 6, 1 },
    { "ubuntu", "22.10", 2023, 7, 20 },  { "ubuntu", "23.04", 2024, 1, 25 },
    { "ubuntu", "23.10", 2024, 7, 11 },  { "ubuntu", "24.04", 2029, 5, 31 },
    { "ubuntu", "24.10", 2025, 7, 10 },  { "alpine", "3.2", 2017, 5, 1 },
    { "alpine", "3.3", 2017, 11, 1 },    { "alpine", "3.4", 2018, 5, 1 },
    { "alpine", "3.5", 2018, 11, 1 },    { "alpine", "3.6", 2019, 5, 1 },
    { "alpine", "3.7", 2019, 11, 1 },    { "alpine", "3.8", 2020, 5, 1 },
    { "alpine", "3.9", 2020, 11, 1 },    { "alpine", "3.10", 2021, 5, 1 },
    { "alpine", "3.11", 2021, 11, 1 },   { "alpine", "3.12", 2022, 5, 1 },
    { "alpine", "3.13", 2022, 11, 1 },   { "alpine", "3.14", 2023, 5, 1 },
    { "alpine", "3.15", 2023, 11, 1 },   { "alpine", "3.16", 2024, 5, 23 },
    { "alpine", "3.17", 2024, 11, 22 },  { "alpine", "3.18", 2025, 5, 9 },
    { "alpine", "3.19", 2025, 11, 1 },   { "alpine", "3.20", 2026, 4, 1 },
    { "alpine", "3.21", 2026, 11, 1 },   { "alpine", "3.22", 2027, 5, 1 },
    { "rhel", "6", 2020, 11, 30 },       { "rhel", "7", 2024, 6, 30 },
    { "rhel", "8", 2029, 5, 31 },        { "rhel", "9", 2032, 5, 31 },
    { "amazon", "1", 2023, 12, 31 },     { "amazon", "2", 2026, 6, 30 },
    { "amazon", "2023", 2029, 6, 30 },
};

int64_t
bsn_match_os_eol(const struct bsn_os *os)
{
    struct bsn_arena *a = bsn_arena_new();
    int64_t eol = 0;
    const char *ns = bsn_match_os_namespace(a, os);
    if (ns) {
        const char *colon = strchr(ns, ':');
        size_t flen = colon ? (size_t)(colon - ns) : strlen(ns);
        const char *rel = colon ? colon + 1 : "";
        /* CentOS, Rocky, Alma and Oracle follow their RHEL release; CentOS 8 ended early. */
        char fam[32];
        snprintf(fam, sizeof(fam), "%.*s", (int)flen, ns);
        if (strcmp(os->family, "centos") == 0 && strcmp(rel, "8") == 0) {
            eol = bsn_match_civil(2021, 12, 31);
        } else {
            if (strcmp(fam, "rocky") == 0 || strcmp(fam, "alma") == 0 ||
                strcmp(fam, "oracle") == 0)
                snprintf(fam, sizeof(fam), "rhel");
            for (size_t i = 0; i < sizeof(eol_table) / sizeof(eol_table[0]); i++)
                if (strcmp(eol_table[i].family, fam) == 0 &&
                    strcmp(eol_table[i].release, rel) == 0)
                    eol = bsn_match_civil(eol_table[i].y, eol_table[i].m, eol_table[i].d);
        }
    }
    bsn_arena_free(a);
    return eol;
}

bool
bsn_match_is_os_type(const char *type)
{
    return type && (strcmp(type, "deb") == 0 || strcmp(type, "apk") == 0 ||
                    strcmp(type, "rpm") == 0);
}

char *
bsn_match_strip_binnmu(struct bsn_arena *a, const char *version)
{
    const char *b = strrchr(version, '+');
    if (b && b[1] == 'b' && b[2]) {
        const char *p = b + 2;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == '\0')
            return bsn_arena_strndup(a, version, (size_t)(b - version));
    }
    return bsn_arena_strdup(a, version);
}

static bool
ns_family(const char *ns, const char *family)
{
    size_t n = strlen(family);
    return strncmp(ns, family, n) == 0 && (ns[n] == ':' || ns[n] == '\0');
}

bool
bsn_match_os_key(struct bsn_arena *a, const struct bsn_package *p, const char *os_ns,
                 struct bsn_match_key *k)
{
    if (!os_ns || !p->name || !p->version || !p->type)
        return false;
    memset(k, 0, sizeof(*k));
    k->namespace = os_ns;
    k->os = true;
    if (strcmp(p->type, "deb") == 0) {
        if (!ns_family(os_ns, "debian") && !ns_family(os_ns, "ubuntu"))
            return false;
        k->name = p->source_name && *p->source_name ? p->source_name : p->name;
        k->version = bsn_match_strip_binnmu(
            a, p->source_version && *p->source_version ? p->source_version : p->version);
        k->scheme = "deb";
        return true;
    }
    if (strcmp(p->type, "apk") == 0) {
        if (!ns_family(os_ns, "alpine") && !ns_family(os_ns, "wolfi") &&
            !ns_family(os_ns, "chainguard"))
            return false;
        k->name = p->source_name && *p->source_name ? p->source_name : p->name;
        k->version = p->version;
        k->scheme = "apk";
        return true;
    }
    if (strcmp(p->type, "rpm") == 0) {
        if (ns_family(os_ns, "debian") || ns_family(os_ns, "ubuntu") ||
            ns_family(os_ns, "alpine") || ns_family(os_ns, "wolfi"))
            return false;
        k->name = p->name;
        /* The version may already carry "E:" (some analyzers fold it in). */
        if (strchr(p->version, ':'))
            k->version = p->version;
        else
            k->version = bsn_arena_printf(a, "%d:%s", p->epoch > 0 ? p->epoch : 0, p->version);
        k->scheme = "rpm";
        return true;
    }
    return false;
}
