/*
 * Small tables shared by the database code and the importers: status names as stored, vendor
 * severity words, Debian release codenames.
 */
#include <string.h>
#include <strings.h>

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
        if (strlen(severity_words[i].word) == n && strncasecmp(severity_words[i].word, word, n) == 0)
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
