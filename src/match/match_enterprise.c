/*
 * rpm modularity streams in matching (RHEL 8+, AlmaLinux, Rocky, Oracle). An rpm built in a
 * module carries the label "name:stream:version:context" in its header (MODULARITYLABEL,
 * bsn_package.module); only advisories for the same "name:stream" apply to it, and advisories
 * for the non-modular build do not:
 *
 *   - Red Hat CSAF rows name their stream (bsn_adv_affected.module "nodejs:18"): compared
 *     with the label's first two fields.
 *   - AlmaLinux and Rocky OSV records name no stream field. Their module fixes are recognised
 *     by the module build tag in the fixed version ("1:18.20.2-1.module_el8.9.0+3828+…",
 *     "…module+el8.3.0+53+ea062990"), and the stream by the advisory title ("Important:
 *     nodejs:18 security update"): a title naming another stream of the same module
 *     ("nodejs:20") does not apply. Without a module tag the row is the non-modular package's.
 *   - A non-modular rpm never matches a row that names a stream or carries a module tag.
 */
#include <string.h>

#include "match/match_enterprise.h"

static bool
module_build(const char *evr)
{
    return evr && (strstr(evr, ".module+") || strstr(evr, ".module_") ||
                   strstr(evr, ".module."));
}

/* Length of "name:stream" at the start of a modularity label. */
static size_t
stream_len(const char *label)
{
    const char *c1 = strchr(label, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    return c2 ? (size_t)(c2 - label) : strlen(label);
}

static bool
stream_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-' || c == '+';
}

/* Does title name module "name:" with a stream other than the label's? */
static bool
title_names_other_stream(const char *title, const char *label)
{
    size_t sl = stream_len(label);
    const char *colon = memchr(label, ':', sl);
    if (!title || !colon)
        return false;
    size_t nl = (size_t)(colon - label);
    bool other = false;
    for (const char *t = title; *t; t++) {
        if (strncmp(t, label, nl + 1) != 0 || (t > title && stream_char(t[-1])))
            continue;
        const char *s = t + nl + 1;
        size_t n = 0;
        while (stream_char(s[n]) && !(s[n] == '.' && !stream_char(s[n + 1])))
            n++;
        if (!n)
            continue;
        if (n == sl - nl - 1 && strncmp(s, colon + 1, n) == 0)
            return false; /* our stream is named */
        other = true;
    }
    return other;
}

bool
bsn_match_rpm_module_ok(const struct bsn_package *p, const struct bsn_adv *adv,
                        const struct bsn_adv_affected *aff)
{
    const char *label = p->module && *p->module ? p->module : NULL;
    const char *am = aff->module && *aff->module ? aff->module : NULL;
    if (am) {
        size_t n = label ? stream_len(label) : 0;
        return label && strlen(am) == n && strncmp(label, am, n) == 0;
    }
    const char *fixed = aff->fixed;
    if (!label)
        return !module_build(fixed);
    if (!module_build(fixed))
        return false;
    return !title_names_other_stream(adv ? adv->summary : NULL, label);
}
