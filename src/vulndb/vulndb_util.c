/*
 * Small tables shared by the database code and the importers: status names as stored, vendor
 * severity words, Debian release codenames.
 */
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "vulndb/vulndb_int.h"

static const char *const status_names[] = {
    [BSN_STATUS_AFFECTED] = "affected",
    [BSN_STATUS_FIXED] = "fixed",
    [BSN_STATUS_NOT_FIXED] = "not_fixed",
    [BSN_STATUS_WILL_NOT_FIX] = "will_not_fix",
    [BSN_STATUS_FIX_DEFERRED] = "fix_deferred",
    [BSN_STATUS_END_OF_LIFE] = "end_of_life",
};

const char *
bsn_vdb_status_name(enum bsn_vuln_status s)
{
    if ((size_t)s < sizeof(status_names) / sizeof(status_names[0]))
        return status_names[s];
    return "affected";
}

bool
bsn_vdb_status_parse(const char *s, enum bsn_vuln_status *out)
{
    for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
        if (strcmp(status_names[i], s) == 0) {
            *out = (enum bsn_vuln_status)i;
            return true;
        }
    }
    return false;
}

/* Words seen in the feeds: Debian urgencies ("low**", "unimportant", "not yet assigned"),
 * GHSA ("MODERATE"), Red Hat ("important"), Ubuntu priorities ("negligible"), CVSS names. */
static const struct {
    const char *word;
    const char *sev;
} severity_words[] = {
    { "unimportant", "LOW" }, { "negligible", "LOW" }, { "low", "LOW" },
    { "medium", "MEDIUM" }, { "moderate", "MEDIUM" }, { "high", "HIGH" },
    { "important", "HIGH" }, { "critical", "CRITICAL" }, { "unknown", "UNKNOWN" },
    { "not yet assigned", "UNKNOWN" }, { "none", "UNKNOWN" },
};

const char *
bsn_vdb_severity_word(const char *word, size_t n)
{
    /* Debian marks urgencies guessed from other sources with trailing '*' ("high**"). */
    while (n && (word[n - 1] == '*' || word[n - 1] == ' '))
        n--;
    for (size_t i = 0; i < sizeof(severity_words) / sizeof(severity_words[0]); i++) {
        if (strlen(severity_words[i].word) == n &&
            strncasecmp(severity_words[i].word, word, n) == 0)
            return severity_words[i].sev;
    }
    return NULL;
}

static const struct {
    const char *codename;
    const char *version;
} debian_releases[] = {
    { "buzz", "1.1" }, { "rex", "1.2" }, { "bo", "1.3" }, { "hamm", "2.0" },
    { "slink", "2.1" }, { "potato", "2.2" }, { "woody", "3.0" }, { "sarge", "3.1" },
    { "etch", "4" }, { "lenny", "5" }, { "squeeze", "6" }, { "wheezy", "7" },
    { "jessie", "8" }, { "stretch", "9" }, { "buster", "10" }, { "bullseye", "11" },
    { "bookworm", "12" }, { "trixie", "13" }, { "forky", "14" }, { "duke", "15" },
    { "sid", "unstable" },
};

const char *
bsn_vdb_debian_release(const char *codename, size_t n)
{
    for (size_t i = 0; i < sizeof(debian_releases) / sizeof(debian_releases[0]); i++) {
        if (strlen(debian_releases[i].codename) == n &&
            strncmp(debian_releases[i].codename, codename, n) == 0)
            return debian_releases[i].version;
    }
    return NULL;
}

static const struct {
    const char *eco;
    const char *ns;
    const char *scheme;
} language_ecosystems[] = {
    { "npm", "npm", "npm" },           { "PyPI", "pypi", "pep440" },
    { "Maven", "maven", "maven" },     { "Go", "go", "golang" },
    { "crates.io", "crates.io", "cargo" }, { "RubyGems", "rubygems", "gem" },
    { "Packagist", "packagist", "composer" }, { "NuGet", "nuget", "nuget" },
    { "Hex", "hex", "semver" },        { "Pub", "pub", "semver" },
    { "SwiftURL", "swift", "semver" }, { "Wolfi", "wolfi", "apk" },
    { "Chainguard", "chainguard", "apk" }, { "GitHub Actions", "github-actions", "semver" },
};

/* Distribution ecosystems "Name:release": namespace prefix and scheme. */
static const struct {
    const char *eco;
    const char *ns;
    const char *scheme;
} distro_ecosystems[] = {
    { "Debian", "debian", "deb" },        { "Ubuntu", "ubuntu", "deb" },
    { "Alpine", "alpine", "apk" },        { "Rocky Linux", "rocky", "rpm" },
    { "AlmaLinux", "alma", "rpm" },       { "Red Hat", "rhel", "rpm" },
    { "Mageia", "mageia", "rpm" },        { "openEuler", "openeuler", "rpm" },
    { "Photon OS", "photon", "rpm" },     { "Azure Linux", "azurelinux", "rpm" },
    { "SUSE", "sles", "rpm" },            { "openSUSE", "opensuse-leap", "rpm" },
};

bool
bsn_vdb_is_distro_scheme(const char *scheme)
{
    return scheme && (strcmp(scheme, "deb") == 0 || strcmp(scheme, "apk") == 0 ||
                      strcmp(scheme, "rpm") == 0);
}

static char *
lower_dashed(struct bsn_arena *a, const char *s, size_t n)
{
    char *d = bsn_arena_strndup(a, s, n);
    for (char *p = d; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (*p == ' ')
            *p = '-';
    }
    return d;
}

/* "15 SP6" / "Linux Enterprise Server 15 SP6" / "Leap 15.5" -> "15.6" / "15.5". */
static const char *
suse_release(struct bsn_arena *a, const char *rel)
{
    const char *p = rel;
    while (*p && !(*p >= '0' && *p <= '9'))
        p++;
    if (!*p)
        return lower_dashed(a, rel, strlen(rel));
    size_t n = 0;
    while ((p[n] >= '0' && p[n] <= '9') || p[n] == '.')
        n++;
    const char *sp = strstr(p + n, "SP");
    if (sp && sp[2] >= '0' && sp[2] <= '9') {
        size_t m = 0;
        while (sp[2 + m] >= '0' && sp[2 + m] <= '9')
            m++;
        return bsn_arena_printf(a, "%.*s.%.*s", (int)n, p, (int)m, sp + 2);
    }
    return bsn_arena_strndup(a, p, n);
}

bool
bsn_vdb_osv_ecosystem(const char *eco, struct bsn_arena *a, const char **ns,
                      const char **scheme)
{
    if (!eco || !*eco)
        return false;
    for (size_t i = 0; i < sizeof(language_ecosystems) / sizeof(language_ecosystems[0]); i++) {
        if (strcasecmp(eco, language_ecosystems[i].eco) == 0 ||
            strcmp(eco, language_ecosystems[i].ns) == 0) {
            *ns = language_ecosystems[i].ns;
            *scheme = language_ecosystems[i].scheme;
            return true;
        }
    }
    const char *colon = strchr(eco, ':');
    size_t nl = colon ? (size_t)(colon - eco) : strlen(eco);
    for (size_t i = 0; i < sizeof(distro_ecosystems) / sizeof(distro_ecosystems[0]); i++) {
        const char *name = distro_ecosystems[i].eco, *pre = distro_ecosystems[i].ns;
        bool by_name = strlen(name) == nl && strncasecmp(eco, name, nl) == 0;
        bool by_ns = strlen(pre) == nl && strncmp(eco, pre, nl) == 0;
        if (!by_name && !by_ns)
            continue;
        *scheme = distro_ecosystems[i].scheme;
        if (!colon || !colon[1]) {
            *ns = pre;
            return true;
        }
        const char *rel = colon + 1;
        if (by_ns) {
            *ns = bsn_arena_strdup(a, eco); /* already a namespace: "debian:12" */
            return true;
        }
        if (strcmp(pre, "ubuntu") == 0) {
            /* "22.04:LTS", "Pro:18.04:LTS", "24.10" */
            bool pro = strncmp(rel, "Pro:", 4) == 0;
            if (pro)
                rel += 4;
            size_t vl = strcspn(rel, ":");
            *ns = bsn_arena_printf(a, "ubuntu:%.*s%s", (int)vl, rel, pro ? ":esm" : "");
        } else if (strcmp(pre, "alpine") == 0) {
            *ns = bsn_arena_printf(a, "alpine:%s", rel[0] == 'v' ? rel + 1 : rel);
        } else if (strcmp(pre, "debian") == 0) {
            /* "Debian:6.0" is squeeze, "debian:6" as the tracker names it (3.0/3.1 stay). */
            size_t rl = strlen(rel);
            if (rl >= 3 && strcmp(rel + rl - 2, ".0") == 0 && !(rel[0] == '3' && rl == 3))
                rl -= 2;
            *ns = bsn_arena_printf(a, "debian:%.*s", (int)rl, rel);
        } else if (strcmp(pre, "sles") == 0 || strcmp(pre, "opensuse-leap") == 0) {
            if (strcmp(pre, "opensuse-leap") == 0 && strncmp(rel, "Leap", 4) != 0)
                *ns = bsn_arena_printf(a, "opensuse:%s", lower_dashed(a, rel, strlen(rel)));
            else
                *ns = bsn_arena_printf(a, "%s:%s", pre, suse_release(a, rel));
        } else if (strcmp(pre, "photon") == 0) {
            size_t rl = strlen(rel);
            if (rl >= 3 && strcmp(rel + rl - 2, ".0") == 0)
                rl -= 2;
            *ns = bsn_arena_printf(a, "photon:%.*s", (int)rl, rel);
        } else {
            *ns = bsn_arena_printf(a, "%s:%s", pre, lower_dashed(a, rel, strlen(rel)));
        }
        return true;
    }
    *ns = lower_dashed(a, eco, strlen(eco));
    *scheme = "generic";
    return true;
}

char *
bsn_vdb_pypi_name(struct bsn_arena *a, const char *name)
{
    size_t n = strlen(name);
    char *d = bsn_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            if (k && d[k - 1] == '-')
                continue;
            c = '-';
        } else if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        d[k++] = c;
    }
    d[k] = '\0';
    return d;
}
