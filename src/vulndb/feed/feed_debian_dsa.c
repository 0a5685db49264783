/*
 * Debian security tracker text lists (https://salsa.debian.org/security-tracker-team/
 * security-tracker, data/DSA/list, data/DLA/list, data/DTSA/list, and data/CVE/list):
 *
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   	{CVE-2023-1393}
 *   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *   	[buster] - foo <not-affected> (Vulnerable code not present)
 *   	NOTE: …
 *
 *   CVE-2021-36367 (PuTTY through 0.75 proceeds with …)
 *   	- putty 0.75-3 (low; bug #990901)
 *   	[bullseye] - putty <no-dsa> (Minor issue)
 *
 * One advisory per header (DSA/DLA/DTSA id with its CVEs as aliases, or a CVE id). Each
 * "[release] - package STATE" line is one affected row in namespace debian:<version> (the
 * codename mapped by bsn_vdb_debian_release; a line without [release] is unstable), scheme deb:
 *   VERSION          -> fixed, "osv:introduced=0;fixed=VERSION"
 *   <unfixed>        -> not_fixed, "osv:introduced=0"
 *   <no-dsa>, <ignored> -> will_not_fix;  <postponed> -> fix_deferred;
 *   <end-of-life>    -> end_of_life;      <undetermined> -> affected
 *   <not-affected>, <removed>, fixed version "0" -> not stored
 * An urgency in the trailing note ("(low; bug #990901)") becomes the row's vendor severity.
 * CVE/list entries with placeholder ids ("CVE-2023-XXXX") or without package lines are not
 * advisories and are passed over. Headers that do not parse are skipped with a warning naming
 * the line.
 */
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_AFFECTED 4096
#define MAX_ALIASES 4096

static bool
dsa_detect(const char *path, const unsigned char *head, size_t n)
{
    if (bsn_cstr_ends(path, "DSA/list") || bsn_cstr_ends(path, "DLA/list") ||
        bsn_cstr_ends(path, "DTSA/list") || bsn_cstr_ends(path, "CVE/list"))
        return true;
    /* "[01 Apr 2023] DLA-" at the very start */
    const char *h = (const char *)head;
    const char *close = n > 1 && h[0] == '[' ? memchr(h, ']', n < 40 ? n : 40) : NULL;
    if (!close || (size_t)(close - h) + 7 > n)
        return false;
    return memcmp(close, "] DSA-", 6) == 0 || memcmp(close, "] DLA-", 6) == 0 ||
           memcmp(close, "] DTSA-", 7) == 0;
}

struct rec {
    const char *id;
    const char *published;
    const char *summary;
    const char *aliases[MAX_ALIASES];
    size_t n_aliases;
    struct bsn_adv_affected aff[MAX_AFFECTED];
    size_t n_aff;
    bool is_cve;
    bool active;
};

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static bool
all_digits(struct bsn_str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

/* "29 Mar 2023" (DSA, DLA) or "August 26th, 2005" (DTSA) -> "2023-03-29", or NULL. */
static const char *
parse_date(struct bsn_arena *a, struct bsn_str s)
{
    struct bsn_str t1, t2, year, day, mon;
    struct bsn_str cur = s;
    if (bsn_sp_word(&cur, &t1, 16) || bsn_sp_blanks(&cur) || bsn_sp_word(&cur, &t2, 16) ||
        bsn_sp_blanks(&cur) || bsn_sp_word(&cur, &year, 4) || cur.len)
        return NULL;
    if (all_digits(t1)) {
        day = t1;
        mon = t2;
    } else {
        mon = t1;
        day = t2;
        if (day.len && day.ptr[day.len - 1] == ',')
            day.len--;
        if (day.len > 2 && !(day.ptr[day.len - 1] >= '0' && day.ptr[day.len - 1] <= '9'))
            day.len -= 2; /* "26th" */
    }
    int m = -1;
    for (int i = 0; i < 12 && mon.len >= 3; i++)
        if (strncmp(mon.ptr, months[i], 3) == 0)
            m = i + 1;
    if (m < 0 || year.len != 4 || !all_digits(year) || !all_digits(day) || day.len > 2)
        return NULL;
    return bsn_arena_printf(a, "%.4s-%02d-%s%.*s", year.ptr, m, day.len == 1 ? "0" : "",
                            BSN_STR_ARG(day));
}

static bool
valid_id(struct bsn_str id)
{
    if (id.len < 5 || id.len > 64)
        return false;
    for (size_t i = 0; i < id.len; i++) {
        char c = id.ptr[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static void
flush(struct bsn_vdb_import *im, struct rec *r)
{
    if (!r->active)
        return;
    r->active = false;
    if (r->is_cve && (!r->n_aff || strstr(r->id, "XXXX")))
        return;
    struct bsn_adv adv = {
        .id = r->id,
        .summary = r->summary,
        .published = r->published,
        .aliases = r->aliases,
        .n_aliases = r->n_aliases,
        .affected = r->aff,
        .n_affected = r->n_aff,
    };
    bsn_vdb_emit(im, &adv);
}

/* "[release] - pkg STATE (note)" or "- pkg STATE (note)". */
static void
package_line(struct bsn_vdb_import *im, const char *path, size_t lineno, struct rec *r,
             struct bsn_str line)
{
    struct bsn_arena *a = bsn_vdb_scratch(im);
    struct bsn_str cur = line, rel = BSN_STR_LIT("sid"), pkg, state;
    if (!bsn_sp_char(&cur, '[')) {
        if (bsn_sp_until(&cur, ']', &rel)) {
            bsn_vdb_warn(im, path, r->id, "line %zu: unterminated release", lineno);
            return;
        }
        bsn_sp_blanks(&cur);
    }
    if (bsn_sp_char(&cur, '-') || bsn_sp_blanks(&cur) || bsn_sp_word(&cur, &pkg, 256)) {
        bsn_vdb_warn(im, path, r->id, "line %zu: malformed package line", lineno);
        return;
    }
    bsn_sp_blanks(&cur);
    if (bsn_sp_word(&cur, &state, 512)) {
        /* "- pkg" alone: the tracker's shorthand for "not yet looked at"; affected. */
        state = BSN_STR_LIT("<undetermined>");
    }
    bsn_sp_blanks(&cur);
    const char *severity = NULL;
    if (cur.len && cur.ptr[0] == '(') {
        struct bsn_str note = bsn_str_make(cur.ptr + 1, cur.len - 1), word;
        size_t n = 0;
        while (n < note.len && note.ptr[n] != ';' && note.ptr[n] != ')')
            n++;
        word = bsn_str_trim(bsn_str_make(note.ptr, n));
        severity = bsn_vdb_severity_word(word.ptr, word.len);
    }
    const char *ver = bsn_vdb_debian_release(rel.ptr, rel.len);
    if (!ver) {
        bsn_vdb_warn(im, path, r->id, "line %zu: unknown Debian release '%.*s'", lineno,
                     BSN_STR_ARG(rel));
        return;
    }
    struct bsn_adv_affected f = { .scheme = "deb", .severity = severity };
    if (bsn_str_eq_cstr(state, "<not-affected>") || bsn_str_eq_cstr(state, "<removed>") ||
        bsn_str_eq_cstr(state, "0"))
        return;
    if (bsn_str_eq_cstr(state, "<unfixed>")) {
        f.status = BSN_STATUS_NOT_FIXED;
    } else if (bsn_str_eq_cstr(state, "<no-dsa>") || bsn_str_eq_cstr(state, "<ignored>")) {
        f.status = BSN_STATUS_WILL_NOT_FIX;
    } else if (bsn_str_eq_cstr(state, "<postponed>")) {
        f.status = BSN_STATUS_FIX_DEFERRED;
    } else if (bsn_str_eq_cstr(state, "<end-of-life>")) {
        f.status = BSN_STATUS_END_OF_LIFE;
    } else if (bsn_str_eq_cstr(state, "<undetermined>") || bsn_str_eq_cstr(state, "<itp>")) {
        f.status = BSN_STATUS_AFFECTED;
    } else if (state.ptr[0] == '<') {
        bsn_vdb_warn(im, path, r->id, "line %zu: unknown state '%.*s'", lineno,
                     BSN_STR_ARG(state));
        return;
    } else {
        if (memchr(state.ptr, ';', state.len)) {
            bsn_vdb_warn(im, path, r->id, "line %zu: malformed version '%.*s'", lineno,
                         BSN_STR_ARG(state));
            return;
        }
        f.status = BSN_STATUS_FIXED;
        f.fixed = bsn_arena_strslice(a, state);
    }
    if (r->n_aff >= MAX_AFFECTED) {
        bsn_vdb_warn(im, path, r->id, "line %zu: more than %d packages", lineno, MAX_AFFECTED);
        return;
    }
    f.namespace = bsn_arena_printf(a, "debian:%s", ver);
    f.package = bsn_arena_strslice(a, pkg);
    f.range = f.fixed ? bsn_arena_printf(a, "osv:introduced=0;fixed=%s", f.fixed)
                      : "osv:introduced=0";
    r->aff[r->n_aff++] = f;
}

static bsn_code
dsa_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
           struct bsn_err *err)
{
    (void)err;
    struct bsn_arena *a = bsn_vdb_scratch(im);
    struct rec *r = bsn_arena_alloc(a, sizeof(*r));
    struct bsn_str cur = bsn_str_make((const char *)data, len), line;
    size_t lineno = 0;
    bool skipping = false; /* inside a record whose header was malformed */
    while (!bsn_sp_line(&cur, &line)) {
        lineno++;
        if (!line.len)
            continue;
        bool indented = line.ptr[0] == ' ' || line.ptr[0] == '\t';
        if (!indented) {
            flush(im, r);
            skipping = false;
            /* not memset: the arrays are 300 KiB and a list has thousands of headers */
            r->id = r->published = r->summary = NULL;
            r->n_aliases = r->n_aff = 0;
            r->is_cve = r->active = false;
            struct bsn_str h = line, date, id, rest;
            char lbuf[32];
            snprintf(lbuf, sizeof(lbuf), "line %zu", lineno);
            if (!bsn_sp_char(&h, '[')) {
                const char *pub;
                if (bsn_sp_until(&h, ']', &date) || !(pub = parse_date(a, date)) ||
                    bsn_sp_blanks(&h) || bsn_sp_word(&h, &id, 64) || !valid_id(id)) {
                    bsn_vdb_warn(im, path, lbuf, "malformed advisory header '%.*s'",
                                 (int)(line.len > 80 ? 80 : line.len), line.ptr);
                    skipping = true;
                    continue;
                }
                r->id = bsn_arena_strslice(a, id);
                r->published = pub;
                bsn_sp_blanks(&h);
                rest = bsn_str_trim(h);
                r->summary = rest.len ? bsn_arena_strslice(a, rest) : NULL;
                r->active = true;
            } else if (bsn_str_starts(line, "CVE-")) {
                if (bsn_sp_word(&h, &id, 64) || !valid_id(id)) {
                    bsn_vdb_warn(im, path, lbuf, "malformed CVE header '%.*s'",
                                 (int)(line.len > 80 ? 80 : line.len), line.ptr);
                    skipping = true;
                    continue;
                }
                r->id = bsn_arena_strslice(a, id);
                r->is_cve = true;
                r->active = true;
                bsn_sp_blanks(&h);
                if (h.len > 2 && (h.ptr[0] == '(' || h.ptr[0] == '['))
                    r->summary = bsn_arena_strndup(a, h.ptr + 1, h.len - 2);
            } else {
                bsn_vdb_warn(im, path, lbuf, "unexpected line '%.*s'",
                             (int)(line.len > 80 ? 80 : line.len), line.ptr);
                skipping = true;
            }
            continue;
        }
        if (skipping || !r->active)
            continue;
        struct bsn_str body = bsn_str_trim(line);
        if (!body.len)
            continue;
        if (body.ptr[0] == '{') {
            struct bsn_str inner = bsn_str_make(body.ptr + 1, body.len - 1), w;
            if (inner.len && inner.ptr[inner.len - 1] == '}')
                inner.len--;
            while (!bsn_sp_blanks(&inner) && !bsn_sp_word(&inner, &w, 64))
                if (r->n_aliases < MAX_ALIASES)
                    r->aliases[r->n_aliases++] = bsn_arena_strslice(a, w);
        } else if (body.ptr[0] == '[' || (body.ptr[0] == '-' && body.len > 1 &&
                                          (body.ptr[1] == ' ' || body.ptr[1] == '\t'))) {
            package_line(im, path, lineno, r, body);
        }
        /* NOTE:, TODO:, NOT-FOR-US:, RESERVED, REJECTED: nothing to store */
    }
    flush(im, r);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_debian_dsa = {
    .name = "debian-dsa",
    .data_source = "debian",
    .detect = dsa_detect,
    .import_file = dsa_import,
};
