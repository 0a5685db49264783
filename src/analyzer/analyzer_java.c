/*
 * Java archives: .jar .war .ear .par (and Jenkins' .jpi/.hpi), read from memory as zip with
 * libarchive (seekable: the central directory, so entries we skip are never inflated); archives
 * over 16 MiB instead while they stream, by a second descriptor, java_stream (at the end).
 *
 * What identifies an archive, in the order Trivy's jar parser (pkg/dependency/parser/java/jar)
 * uses it:
 *   - every pom.properties, in any directory (Java properties: groupId, artifactId, version)
 *     is a package; a shaded jar carries several (hadoop-shaded-guava holds guava,
 *     failureaccess, …). Its licenses come from the pom.xml beside it
 *     (<licenses><license><name>).
 *     Seen outside META-INF/maven/ too (META-INF/nested/pom.properties in trivy's nested.jar).
 *   - if none of them is the archive itself (artifactId and version of the file name
 *     "name-1.2.3.jar"; or one with the manifest's version), META-INF/MANIFEST.MF: groupId
 *     from Implementation-Vendor-Id, else Bundle-SymbolicName without its last segment, else
 *     Implementation-Vendor, else Specification-Vendor; artifactId from Implementation-Title,
 *     Specification-Title, Bundle-Name (not a display name with blanks); version from
 *     Implementation-Version, Specification-Version, Bundle-Version.
 *     Licenses from Jenkins' Plugin-License-Name[-N] and Bundle-License.
 *     (Trivy then asks Maven Central; bosun never does, as Trivy's offline mode.)
 *   - last resort, the file name "name-1.2.3.jar" (split at the last "-DIGIT"), with a group
 *     from Implementation-Vendor-Id, Bundle-SymbolicName or Automatic-Module-Name; without a
 *     group nothing is reported (a bare artifact name would match the wrong projects).
 *   - nested archives (jars in WEB-INF/lib/, BOOT-INF/lib/, META-INF/jars/ …) recursively:
 *     their packages carry the path "app.war!/WEB-INF/lib/x.jar" (CONTRACT.md).
 *
 * Manifest syntax (JAR File Specification): "Key: value" lines, continuation lines start with
 * one space, sections separated by blank lines; real manifests contain junk lines without a
 * colon and stray blank lines (syft's testdata), which are skipped.
 *
 * Limits (zip bombs, hostile nesting): nesting depth 8, at most 4096 archives opened per
 * top-level file, 64 MiB per inflated entry we read, and in total per top-level file 64 MiB
 * plus 50 times its size, at most 512 MiB; 1 MiB per metadata file. Beyond them a warning,
 * and what was found so far stays. Only entries that matter are inflated at all.
 */
#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "textfmt/purl.h"

#define JAVA_MAX_DEPTH 8
#define JAVA_MAX_ARCHIVES 4096
#define JAVA_MAX_NESTED (64u * 1024 * 1024)
#define JAVA_MAX_TOTAL (512ull * 1024 * 1024)
#define JAVA_MAX_RATIO 50 /* inflated bytes per archive byte beyond the first 64 MiB */
#define JAVA_MAX_META (1024u * 1024)
#define JAVA_MAX_LICENSES 16
#define JAVA_MAX_WARNINGS 16
#define JAVA_STREAM_MIN (16ull * 1024 * 1024) /* bigger archives are read as they stream */
#define JAVA_MAX_PREFIX (1024u * 1024) /* a launch script before a streamed zip */

/* One walk over a top-level archive and everything nested in it. */
struct walk {
    struct bsn_actx *ctx;
    struct bsn_arena *scratch;
    uint64_t inflated;     /* bytes read out of entries so far */
    uint64_t max_inflated; /* the walk's budget: bounded by JAVA_MAX_TOTAL and the file size */
    const char *why;       /* libarchive's complaint about the top-level archive */
    unsigned archives;     /* archives opened so far */
    bool warned_limit;
    unsigned warnings;     /* issued so far; more than JAVA_MAX_WARNINGS are only counted */
};

struct props {
    const char *group, *artifact, *version;
    const char *dir;       /* directory of the pom.properties, for its pom.xml */
    struct props *next;
};

struct pomxml {
    const char *dir;
    const char **licenses;
    size_t n_licenses;
    struct pomxml *next;
};

struct mf_entry {
    unsigned section;
    const char *key;
    char *value;
};

struct manifest {
    struct mf_entry *e;
    size_t n, cap;
};

/* ---- small text helpers ------------------------------------------------------------------ */

static bool
is_archive_name(const char *name, size_t len)
{
    static const char *const exts[] = { ".jar", ".war", ".ear", ".par", ".jpi", ".hpi" };
    if (len < 5)
        return false;
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (bsn_str_ieq_cstr(bsn_str_make(name + len - 4, 4), exts[i]))
            return true;
    return false;
}

static const char *
basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* ---- pom.properties ---------------------------------------------------------------------- */

/*
 * Java properties, the subset Maven writes: "key=value", "key:value" or "key value"; the key
 * ends at the first unescaped '=', ':' or blank; '#' and '!' start comments. Line
 * continuations (a trailing backslash) are joined.
 */
static void
props_parse(struct bsn_arena *a, const char *data, size_t len, struct props *out)
{
    struct bsn_str cur = bsn_str_make(data, len), line;
    while (bsn_sp_line(&cur, &line) == 0) {
        line = bsn_str_trim(line);
        if (line.len == 0 || line.ptr[0] == '#' || line.ptr[0] == '!')
            continue;
        size_t k = 0;
        while (k < line.len && line.ptr[k] != '=' && line.ptr[k] != ':' && line.ptr[k] != ' ' &&
               line.ptr[k] != '\t') {
            if (line.ptr[k] == '\\')
                k++;
            k++;
        }
        if (k > line.len)
            k = line.len;
        struct bsn_str key = bsn_str_make(line.ptr, k);
        struct bsn_str val = bsn_str_make(line.ptr + k, line.len - k);
        val = bsn_str_trim(val);
        if (val.len && (val.ptr[0] == '=' || val.ptr[0] == ':'))
            val = bsn_str_trim(bsn_str_make(val.ptr + 1, val.len - 1));
        const char **slot = NULL;
        if (bsn_str_eq_cstr(key, "groupId"))
            slot = &out->group;
        else if (bsn_str_eq_cstr(key, "artifactId"))
            slot = &out->artifact;
        else if (bsn_str_eq_cstr(key, "version"))
            slot = &out->version;
        if (!slot)
            continue;
        /* A value continued on the next lines (rare in pom.properties, legal in Java). */
        struct bsn_buf b;
        bsn_buf_init(&b, JAVA_MAX_META);
        bool ok = true;
        while (ok && val.len && val.ptr[val.len - 1] == '\\') {
            ok = bsn_buf_add(&b, val.ptr, val.len - 1) == BSN_OK;
            struct bsn_str next;
            if (bsn_sp_line(&cur, &next) != 0)
                break;
            val = bsn_str_trim(next);
        }
        if (ok && bsn_buf_add(&b, val.ptr, val.len) == BSN_OK)
            *slot = bsn_arena_strndup(a, b.ptr, b.len);
        bsn_buf_release(&b);
    }
}

/* ---- pom.xml licenses -------------------------------------------------------------------- */

static const char *
find_in(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || (size_t)(end - p) < n)
        return NULL;
    const void *r = memmem(p, (size_t)(end - p), needle, n);
    return r;
}

/* XML text to a plain string: the five predefined entities decoded, blanks trimmed. */
static const char *
xml_text(struct bsn_arena *a, const char *p, size_t n)
{
    struct bsn_str t = bsn_str_trim(bsn_str_make(p, n));
    char *out = bsn_arena_alloc(a, t.len + 1);
    size_t o = 0;
    static const struct {
        const char *ent;
        char c;
    } ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
                 { "&apos;", '\'' } };
    for (size_t i = 0; i < t.len;) {
        bool done = false;
        if (t.ptr[i] == '&') {
            for (size_t e = 0; e < sizeof(ents) / sizeof(ents[0]) && !done; e++) {
                size_t el = strlen(ents[e].ent);
                if (t.len - i >= el && memcmp(t.ptr + i, ents[e].ent, el) == 0) {
                    out[o++] = ents[e].c;
                    i += el;
                    done = true;
                }
            }
        }
        if (!done)
            out[o++] = t.ptr[i++];
    }
    out[o] = 0;
    return out;
}

/* The <name> of every <license> inside <licenses>, at most JAVA_MAX_LICENSES. */
static void
pomxml_licenses(struct bsn_arena *a, const char *data, size_t len, struct pomxml *out)
{
    const char *end = data + len;
    const char *ls = find_in(data, end, "<licenses>");
    if (!ls)
        return;
    const char *le = find_in(ls, end, "</licenses>");
    if (!le)
        return;
    out->licenses = bsn_arena_alloc_array(a, JAVA_MAX_LICENSES, sizeof(*out->licenses));
    const char *p = ls;
    while (out->n_licenses < JAVA_MAX_LICENSES) {
        const char *l = find_in(p, le, "<license>");
        if (!l)
            break;
        const char *lend = find_in(l, le, "</license>");
        if (!lend)
            break;
        const char *nm = find_in(l, lend, "<name>");
        if (nm) {
            nm += 6;
            const char *nmend = find_in(nm, lend, "</name>");
            if (nmend && nmend > nm) {
                const char *t = xml_text(a, nm, (size_t)(nmend - nm));
                if (*t)
                    out->licenses[out->n_licenses++] = t;
            }
        }
        p = lend + 10;
    }
}

/* ---- MANIFEST.MF --------------------------------------------------------------------------- */

static void
mf_add(struct bsn_arena *a, struct manifest *m, unsigned section, struct bsn_str key,
       struct bsn_str val)
{
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 16;
        struct mf_entry *ne = bsn_arena_alloc_array(a, ncap, sizeof(*ne));
        if (m->n)
            memcpy(ne, m->e, m->n * sizeof(*ne));
        m->e = ne;
        m->cap = ncap;
    }
    m->e[m->n].section = section;
    m->e[m->n].key = bsn_arena_strslice(a, key);
    m->e[m->n].value = bsn_arena_strslice(a, val);
    m->n++;
}

/* Parses a manifest into sections (0 = main). Never fails: junk lines are skipped. */
static void
manifest_parse(struct bsn_arena *a, const char *data, size_t len, struct manifest *m)
{
    struct bsn_str cur = bsn_str_make(data, len), line;
    bool in_section = false;     /* a key was seen since the last blank line */
    unsigned section = 0;
    bool any = false;            /* any section started yet */
    while (bsn_sp_line(&cur, &line) == 0) {
        if (line.len == 0) {
            in_section = false;
            continue;
        }
        if (line.ptr[0] == ' ') {
            if (!in_section || m->n == 0)
                continue; /* a continuation without a key to continue */
            struct mf_entry *e = &m->e[m->n - 1];
            e->value = bsn_arena_printf(a, "%s%.*s", e->value, (int)(line.len - 1), line.ptr + 1);
            continue;
        }
        struct bsn_str key, val;
        if (!bsn_str_split(line, ':', &key, &val))
            continue;
        key = bsn_str_trim(key);
        val = bsn_str_trim(val);
        if (key.len == 0)
            continue;
        if (!in_section) {
            if (any)
                section++;
            any = true;
            in_section = true;
        }
        mf_add(a, m, section, key, val);
    }
}

static const char *
mf_get(const struct manifest *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].section == 0 && strcmp(m->e[i].key, key) == 0)
            return m->e[i].value[0] ? m->e[i].value : NULL;
    return NULL;
}

/*
 * For unit tests: the manifest's entries as "SECTION\tKEY\tVALUE\n" lines, in file order
 * (an arena string). Declared here and in the test only: no other code needs it.
 */
char *bsn_java_manifest_dump(struct bsn_arena *a, const char *data, size_t len);

char *
bsn_java_manifest_dump(struct bsn_arena *a, const char *data, size_t len)
{
    struct manifest m = { 0 };
    manifest_parse(a, data, len, &m);
    char *out = bsn_arena_strdup(a, "");
    for (size_t i = 0; i < m.n; i++)
        out = bsn_arena_printf(a, "%s%u\t%s\t%s\n", out, m.e[i].section, m.e[i].key,
                               m.e[i].value);
    return out;
}

/* ---- emitting ------------------------------------------------------------------------------ */

static void
emit(struct walk *w, const char *vpath, const char *group, const char *artifact,
     const char *version, const char *const *licenses, size_t n_licenses)
{
    struct bsn_arena *a = bsn_actx_arena(w->ctx);
    struct bsn_package *p = bsn_actx_add_package(w->ctx);
    p->type = "maven";
    p->name = bsn_arena_printf(a, "%s:%s", group, artifact);
    p->version = bsn_arena_strdup(a, version);
    struct bsn_purl purl = { .type = "maven", .namespace = group, .name = artifact,
                             .version = version };
    p->purl = bsn_purl_format(a, &purl);
    if (vpath)
        p->path = bsn_arena_strdup(a, vpath);
    if (n_licenses) {
        const char **l = bsn_arena_alloc_array(a, n_licenses, sizeof(*l));
        for (size_t i = 0; i < n_licenses; i++)
            l[i] = bsn_arena_strdup(a, licenses[i]);
        p->licenses = l;
        p->n_licenses = n_licenses;
    }
}

/*
 * "commons-lang3-3.12.0.jar" -> ("commons-lang3", "3.12.0"): the split is at the last '-'
 * followed by a digit (Trivy's jarFileRegEx, whose first group is greedy).
 */
static bool
split_file_name(struct bsn_arena *a, const char *name, const char **artifact,
                const char **version)
{
    size_t len = strlen(name);
    if (!is_archive_name(name, len))
        return false;
    len -= 4;
    for (size_t i = len; i-- > 1;) {
        if (name[i] == '-' && i + 1 < len && name[i + 1] >= '0' && name[i + 1] <= '9') {
            if (name[i - 1] == '-' || name[i - 1] == '*')
                continue;
            for (size_t k = i + 1; k < len; k++)
                if (name[k] == ' ' || name[k] == '\t')
                    return false;
            *artifact = bsn_arena_strndup(a, name, i);
            *version = bsn_arena_strndup(a, name + i + 1, len - i - 1);
            return true;
        }
    }
    return false;
}

static const char *
manifest_group(struct bsn_arena *a, const struct manifest *m)
{
    const char *g = mf_get(m, "Implementation-Vendor-Id");
    if (g)
        return g;
    const char *bsn = mf_get(m, "Bundle-SymbolicName");
    if (bsn) {
        /* "com.fasterxml.jackson.core.jackson-databind;singleton:=true" */
        size_t n = strcspn(bsn, ";");
        const char *dot = memrchr(bsn, '.', n);
        if (dot && dot > bsn)
            n = (size_t)(dot - bsn);
        return bsn_arena_strndup(a, bsn, n);
    }
    if ((g = mf_get(m, "Implementation-Vendor")))
        return g;
    return mf_get(m, "Specification-Vendor");
}

/* A group for the file-name fallback: Implementation-Vendor-Id, Bundle-SymbolicName or
 * Automatic-Module-Name without its last segment; never a vendor's display name. */
static const char *
fallback_group(struct bsn_arena *a, const struct manifest *m)
{
    const char *g = mf_get(m, "Implementation-Vendor-Id");
    if (!g) {
        g = mf_get(m, "Bundle-SymbolicName");
        if (!g)
            g = mf_get(m, "Automatic-Module-Name");
        if (!g)
            return NULL;
        size_t n = strcspn(g, ";");
        const char *dot = memrchr(g, '.', n);
        if (!dot || dot == g)
            return NULL;
        g = bsn_arena_strndup(a, g, (size_t)(dot - g));
    }
    return strpbrk(g, " \t") ? NULL : g;
}

static const char *
first_of(const struct manifest *m, const char *k1, const char *k2, const char *k3)
{
    const char *v = mf_get(m, k1);
    if (!v)
        v = mf_get(m, k2);
    if (!v)
        v = mf_get(m, k3);
    return v;
}

static size_t
manifest_licenses(const struct manifest *m, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n && n < JAVA_MAX_LICENSES; i++) {
        const struct mf_entry *e = &m->e[i];
        if (e->section != 0 || !e->value[0])
            continue;
        if (strcmp(e->key, "Plugin-License-Name") == 0 ||
            strncmp(e->key, "Plugin-License-Name-", 20) == 0 ||
            strcmp(e->key, "Bundle-License") == 0)
            out[n++] = e->value;
    }
    return n;
}

/* A warning about the walk, at most JAVA_MAX_WARNINGS per top-level file. */
static void java_warn(struct walk *w, const char *fmt, ...) BSN_PRINTF(2, 3);

static void
java_warn(struct walk *w, const char *fmt, ...)
{
    if (w->warnings++ >= JAVA_MAX_WARNINGS)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    bsn_actx_warn(w->ctx, "%s", msg);
}

/* ---- the archive walk -------------------------------------------------------------------- */

static bsn_code walk_archive(struct walk *w, const unsigned char *data, size_t len,
                             const char *vpath, const char *fname, unsigned depth);

enum read_res { READ_OK, READ_TOO_BIG, READ_CORRUPT };

/* Reads the current entry (at most max bytes, and within the walk's total) into b. */
static enum read_res
read_entry(struct walk *w, struct archive *ar, struct bsn_buf *b, size_t max)
{
    char tmp[64 * 1024];
    bsn_buf_init(b, max);
    for (;;) {
        la_ssize_t n = archive_read_data(ar, tmp, sizeof(tmp));
        if (n == 0)
            return READ_OK;
        if (n < 0)
            return READ_CORRUPT;
        w->inflated += (uint64_t)n;
        if (w->inflated > w->max_inflated || bsn_buf_add(b, tmp, (size_t)n) != BSN_OK)
            return READ_TOO_BIG;
    }
}

static void
limit_warn(struct walk *w, const char *vpath, const char *what)
{
    if (w->warned_limit)
        return;
    w->warned_limit = true;
    java_warn(w, "'%s': %s, the rest is not analysed", vpath, what);
}

/* An archive that would not open: a warning when nested, the file's error at the top. */
static bsn_code
walk_open_failed(struct walk *w, struct archive *ar, const char *vpath, unsigned depth)
{
    const char *why = archive_error_string(ar) ? archive_error_string(ar) : "unreadable";
    if (depth)
        java_warn(w, "'%s': not a zip archive: %s", vpath, why);
    else
        w->why = bsn_arena_strdup(w->scratch, why);
    archive_read_free(ar);
    return depth ? BSN_OK : BSN_EFORMAT;
}

static bsn_code walk_entries(struct walk *w, struct archive *ar, const char *vpath,
                             const char *fname, unsigned depth);

static bsn_code
walk_archive(struct walk *w, const unsigned char *data, size_t len, const char *vpath,
             const char *fname, unsigned depth)
{
    if (++w->archives > JAVA_MAX_ARCHIVES) {
        limit_warn(w, vpath, "more than 4096 nested archives");
        return BSN_OK;
    }
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip(ar);
    if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK)
        return walk_open_failed(w, ar, vpath, depth);
    return walk_entries(w, ar, vpath, fname, depth);
}

/*
 * The entries of an open archive, in the reader's order (the central directory's when
 * seekable, the local headers' when streaming); emits the packages and frees ar.
 */
static bsn_code
walk_entries(struct walk *w, struct archive *ar, const char *vpath, const char *fname,
             unsigned depth)
{
    struct bsn_arena *s = w->scratch;
    struct props *props = NULL, **props_tail = &props;
    struct pomxml *poms = NULL;
    struct manifest mf = { 0 };
    bool have_mf = false;
    bsn_code rc = BSN_OK;
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK ||
           r == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
        if (!name || archive_entry_filetype(e) == AE_IFDIR)
            continue;
        size_t nlen = strlen(name);
        const char *base = basename_of(name);
        enum { NONE, PROPS, POMXML, MANIFEST, NESTED } kind = NONE;
        if (strcmp(base, "pom.properties") == 0)
            kind = PROPS;
        else if (strcmp(base, "pom.xml") == 0 && strncmp(name, "META-INF/", 9) == 0)
            kind = POMXML;
        else if (strcmp(name, "META-INF/MANIFEST.MF") == 0)
            kind = MANIFEST;
        else if (is_archive_name(name, nlen))
            kind = NESTED;
        if (kind == NONE)
            continue;
        struct bsn_buf b;
        size_t max = kind == NESTED ? JAVA_MAX_NESTED : JAVA_MAX_META;
        enum read_res rr = read_entry(w, ar, &b, max);
        if (rr != READ_OK) {
            bsn_buf_release(&b);
            if (w->inflated > w->max_inflated) {
                limit_warn(w, vpath, "inflated data over the walk's budget (zip bomb?)");
                break;
            }
            if (rr == READ_TOO_BIG)
                java_warn(w, "'%s!/%s': inflates past %zu MiB (zip bomb?), not "
                              "analysed", vpath, name, max >> 20);
            else
                java_warn(w, "'%s!/%s': corrupt entry: %s", vpath, name,
                              archive_error_string(ar) ? archive_error_string(ar)
                                                       : "unknown error");
            continue;
        }
        const char *dir = bsn_arena_strndup(s, name, (size_t)(base - name));
        switch (kind) {
        case PROPS: {
            struct props *p = bsn_arena_alloc(s, sizeof(*p));
            props_parse(s, b.ptr, b.len, p);
            p->dir = dir;
            *props_tail = p;
            props_tail = &p->next;
            break;
        }
        case POMXML: {
            struct pomxml *x = bsn_arena_alloc(s, sizeof(*x));
            x->dir = dir;
            pomxml_licenses(s, b.ptr, b.len, x);
            x->next = poms;
            poms = x;
            break;
        }
        case MANIFEST:
            manifest_parse(s, b.ptr, b.len, &mf);
            have_mf = true;
            break;
        case NESTED:
            if (depth + 1 >= JAVA_MAX_DEPTH) {
                java_warn(w, "'%s!/%s': archives nested deeper than %d levels are "
                              "not analysed", vpath, name, JAVA_MAX_DEPTH);
            } else {
                const char *inner = bsn_arena_printf(s, "%s!/%s", vpath, name);
                (void)walk_archive(w, (const unsigned char *)b.ptr, b.len, inner, base,
                                   depth + 1);
            }
            break;
        case NONE:
            break;
        }
        bsn_buf_release(&b);
        if (w->archives > JAVA_MAX_ARCHIVES || w->inflated > w->max_inflated)
            break;
    }
    if (r == ARCHIVE_FATAL) {
        const char *why = archive_error_string(ar) ? archive_error_string(ar) : "unknown error";
        if (depth == 0 && !props && !have_mf) {
            w->why = bsn_arena_strdup(s, why);
            rc = BSN_EFORMAT;
        } else {
            java_warn(w, "'%s': corrupt zip archive: %s", vpath, why);
        }
    }
    archive_read_free(ar);

    /* Packages: every complete pom.properties, then the archive itself if none was it. */
    const char *f_artifact = NULL, *f_version = NULL;
    bool have_fname = split_file_name(s, fname, &f_artifact, &f_version);
    bool found_self = false;
    const char *self_vpath = depth == 0 ? NULL : vpath;
    for (struct props *p = props; p; p = p->next) {
        if (!p->group || !p->artifact || !p->version || !*p->group || !*p->artifact ||
            !*p->version)
            continue;
        const char *const *lic = NULL;
        size_t nlic = 0;
        for (struct pomxml *x = poms; x; x = x->next)
            if (strcmp(x->dir, p->dir) == 0) {
                lic = x->licenses;
                nlic = x->n_licenses;
            }
        /* The same artifact twice in one archive (a copy in two directories) counts once. */
        bool dup = false;
        for (struct props *q = props; q != p && !dup; q = q->next)
            dup = q->group && q->artifact && q->version && strcmp(q->group, p->group) == 0 &&
                  strcmp(q->artifact, p->artifact) == 0 && strcmp(q->version, p->version) == 0;
        if (dup)
            continue;
        emit(w, self_vpath, p->group, p->artifact, p->version, lic, nlic);
        if (have_fname && strcmp(p->artifact, f_artifact) == 0 &&
            strcmp(p->version, f_version) == 0)
            found_self = true;
    }
    if (found_self || !have_mf)
        return rc;
    const char *group = manifest_group(s, &mf);
    const char *artifact = first_of(&mf, "Implementation-Title", "Specification-Title",
                                    "Bundle-Name");
    const char *version = first_of(&mf, "Implementation-Version", "Specification-Version",
                                   "Bundle-Version");
    /*
     * A manifest with the version of a pom.properties found here describes that artifact:
     * Debian's unversioned commons-lang3.jar would otherwise be listed twice, the second time
     * as "org.apache.commons:Apache Commons Lang" (Trivy's offline result). A display name
     * with blanks is no artifactId either.
     */
    for (struct props *p = props; version && p; p = p->next)
        if (p->group && p->artifact && p->version && strcmp(p->version, version) == 0)
            return rc;
    if (artifact && strpbrk(artifact, " \t"))
        artifact = NULL;
    if (!group || !artifact || !version) {
        /*
         * Last resort (syft's, and Trivy's when Maven Central answers): the file name gives
         * artifact and version, when the manifest names a group without spaces (a package
         * name, not a vendor).
         */
        const char *g = fallback_group(s, &mf);
        if (!have_fname || !g)
            return rc;
        group = g;
        artifact = f_artifact;
        version = f_version;
    }
    for (struct props *p = props; p; p = p->next)
        if (p->group && p->artifact && p->version && strcmp(p->group, group) == 0 &&
            strcmp(p->artifact, artifact) == 0 && strcmp(p->version, version) == 0)
            return rc;
    const char *lic[JAVA_MAX_LICENSES];
    size_t nlic = manifest_licenses(&mf, lic);
    emit(w, self_vpath, group, artifact, version, lic, nlic);
    return rc;
}

/* ---- entry points -------------------------------------------------------------------------- */

static bool
is_regular(const struct bsn_path *p)
{
    return (p->mode & 0170000) == 0100000 || p->mode == 0;
}

/* Buffered up to JAVA_STREAM_MIN bytes: bigger archives go to the streaming descriptor. */
static bool
java_wants(const struct bsn_path *p)
{
    return is_regular(p) && p->size <= JAVA_STREAM_MIN;
}

/* A deflate bomb expands a thousandfold; real archives (classes, stored jars) about tenfold at
 * most: the walk's budget follows the file's size. */
static uint64_t
walk_budget(uint64_t size)
{
    uint64_t max = JAVA_MAX_NESTED + JAVA_MAX_RATIO * size;
    return max > JAVA_MAX_TOTAL ? JAVA_MAX_TOTAL : max;
}

static void
walk_warn_rest(struct walk *w)
{
    if (w->warnings > JAVA_MAX_WARNINGS)
        bsn_actx_warn(w->ctx, "%u more warnings about nested archives not shown",
                      w->warnings - JAVA_MAX_WARNINGS);
}

static bsn_code
java_parse(struct bsn_actx *ctx, const struct bsn_input *in, struct bsn_err *err)
{
    struct walk w = { .ctx = ctx, .scratch = bsn_actx_scratch(ctx) };
    w.max_inflated = walk_budget(in->len);
    const struct bsn_path *p = in->path;
    char *vpath = bsn_arena_strndup(w.scratch, p->path, p->len);
    char *fname = bsn_arena_strndup(w.scratch, p->base, p->base_len);
    bsn_code rc = walk_archive(&w, in->data, in->len, vpath, fname, 0);
    walk_warn_rest(&w);
    if (rc != BSN_OK)
        return bsn_err_set(err, rc, "'%s' is not a readable java archive: %s", vpath,
                           w.why ? w.why : "unknown error");
    return BSN_OK;
}

static const char *const java_exts[] = { ".jar", ".war", ".ear", ".par", ".jpi", ".hpi", NULL };

const struct bsn_analyzer bsn_analyzer_java = {
    .name = "java",
    .scheme = "maven",
    .version = 1,
    .max_input = 256ull * 1024 * 1024,
    .exts = java_exts,
    .wants = java_wants,
    .parse = java_parse,
};

/* ---- streaming big archives ------------------------------------------------------------------ */

/*
 * Archives over JAVA_STREAM_MIN bytes are read from their local headers while the file
 * streams (libarchive's streamable zip reader), so a 70 MB fat jar costs the scan no more than
 * the nested archives and metadata files it reads (their caps above), not its size.
 *
 * libarchive pulls its input through a read callback, the pipeline pushes chunks: a helper
 * thread runs the walk, and the two threads take turns (a coroutine, never running at once).
 * stream_data lends the helper the caller's chunk and waits until the helper asks for the next
 * one (libarchive is done with a block when it asks for the next) or has finished; so the
 * helper touches the analysis context only while the pipeline is blocked inside this analyzer,
 * and no byte of the file is copied or queued here.
 *
 * A prefix before the first local header (a launch script: Spring Boot's "fully executable"
 * jars) is skipped, up to 1 MiB. What the streaming reader cannot see: entries after a local
 * header it cannot follow (stored entries with a data descriptor whose size libarchive cannot
 * find) are a warning, and what was found so far stays. Entries the central directory
 * no longer lists (an archive updated in place) are read too; real jars have none.
 */
struct jstream {
    struct walk w;
    struct bsn_arena *arena;     /* the walk's scratch: freed at stream_end */
    const char *vpath, *fname;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool helper_turn;            /* the helper runs; the caller waits */
    bool finished;               /* the walk has returned */
    bool eof;                    /* no more bytes will come */
    const void *chunk;           /* lent by stream_data, not yet handed to libarchive */
    size_t chunk_len;
    bsn_code rc;
    bool reported;               /* rc was returned by stream_data already */
    bool synced;                 /* the first local header was found */
    uint64_t skipped;            /* bytes dropped before it */
    unsigned char pending[4];    /* a signature's start held back from the previous chunk */
    size_t n_held;
};

/* The helper hands the turn to the caller and waits for it to come back. Holds s->mu. */
static void
helper_yield(struct jstream *s)
{
    s->helper_turn = false;
    pthread_cond_broadcast(&s->cv);
    while (!s->helper_turn)
        pthread_cond_wait(&s->cv, &s->mu);
}

/* The caller hands the turn to the helper and waits until it yields or finishes. */
static void
caller_run_helper(struct jstream *s)
{
    pthread_mutex_lock(&s->mu);
    if (!s->finished) {
        s->helper_turn = true;
        pthread_cond_broadcast(&s->cv);
        while (s->helper_turn)
            pthread_cond_wait(&s->cv, &s->mu);
    }
    pthread_mutex_unlock(&s->mu);
}

static const unsigned char zip_local_sig[4] = { 'P', 'K', 3, 4 };

/* The length of the longest suffix of p[0..n) that is a proper prefix of the signature. */
static size_t
sig_partial(const unsigned char *p, size_t n)
{
    for (size_t k = n < 3 ? n : 3; k > 0; k--)
        if (memcmp(p + n - k, zip_local_sig, k) == 0)
            return k;
    return 0;
}

/*
 * Until the first local header, bytes are dropped (the seekable reader of the buffered path
 * finds the central directory past a prefix; the streaming one would not even recognise the
 * zip). The signature may straddle two chunks: the part at the end of one is held back and
 * handed to libarchive before the next chunk if that one completes it. Sets *buf and *n to what
 * libarchive gets now (possibly nothing); the chunk may be put back for the next call.
 */
static void
stream_sync(struct jstream *s, const unsigned char *c, size_t len, const void **buf, size_t *n)
{
    *n = 0;
    if (s->n_held) {
        size_t need = 4 - s->n_held;
        size_t m = len < need ? len : need;
        if (memcmp(c, zip_local_sig + s->n_held, m) == 0 && m < need) {
            s->n_held += m; /* a tiny chunk continuing the signature */
            s->skipped += len;
            return;
        }
        if (memcmp(c, zip_local_sig + s->n_held, m) == 0) {
            memcpy(s->pending, zip_local_sig, s->n_held);
            *buf = s->pending;
            *n = s->n_held;
            s->n_held = 0;
            s->synced = true;
            s->chunk = c; /* the whole chunk follows the held bytes */
            s->chunk_len = len;
            return;
        }
        s->n_held = 0;
    }
    const unsigned char *at = memmem(c, len, zip_local_sig, sizeof(zip_local_sig));
    if (at) {
        s->synced = true;
        *buf = at;
        *n = len - (size_t)(at - c);
        return;
    }
    s->skipped += len;
    if (s->skipped > JAVA_MAX_PREFIX) {
        s->synced = true; /* no zip: let libarchive say so */
        *buf = c;
        *n = len;
        return;
    }
    s->n_held = sig_partial(c, len);
}

/* libarchive's read callback: the lent chunk, or the turn back to the caller for another. */
static la_ssize_t
stream_read(struct archive *ar, void *arg, const void **buf)
{
    (void)ar;
    struct jstream *s = arg;
    size_t n = 0;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->chunk && !s->eof)
            helper_yield(s);
        if (!s->chunk)
            break;
        const unsigned char *c = s->chunk;
        size_t len = s->chunk_len;
        s->chunk = NULL;
        if (s->synced) {
            *buf = c;
            n = len;
            break;
        }
        stream_sync(s, c, len, buf, &n);
        if (n)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    return (la_ssize_t)n;
}

static void *
stream_main(void *arg)
{
    struct jstream *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->helper_turn)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);

    struct walk *w = &s->w;
    w->archives++;
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip_streamable(ar);
    if (archive_read_open(ar, s, NULL, stream_read, NULL) != ARCHIVE_OK)
        s->rc = walk_open_failed(w, ar, s->vpath, 0);
    else
        s->rc = walk_entries(w, ar, s->vpath, s->fname, 0);

    pthread_mutex_lock(&s->mu);
    s->finished = true;
    s->helper_turn = false;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static bsn_code
stream_fail(struct jstream *s, struct bsn_err *err)
{
    return bsn_err_set(err, s->rc, "'%s' is not a readable java archive: %s", s->vpath,
                       s->w.why ? s->w.why : "unknown error");
}

static bool
java_stream_wants(const struct bsn_path *p)
{
    return is_regular(p) && p->size > JAVA_STREAM_MIN;
}

static bsn_code
java_stream_begin(struct bsn_actx *ctx, const struct bsn_path *p, void **state,
                  struct bsn_err *err)
{
    struct jstream *s = bsn_xcalloc(1, sizeof(*s));
    s->arena = bsn_arena_new();
    s->w.ctx = ctx;
    s->w.scratch = s->arena;
    s->w.max_inflated = walk_budget(p->size);
    s->vpath = bsn_arena_strndup(s->arena, p->path, p->len);
    s->fname = bsn_arena_strndup(s->arena, p->base, p->base_len);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    /* Deep enough for the nesting (a 64 KiB read buffer per level), small beside 8 MiB. */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 2u * 1024 * 1024);
    int e = pthread_create(&s->thread, &attr, stream_main, s);
    pthread_attr_destroy(&attr);
    if (e != 0) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        bsn_arena_free(s->arena);
        free(s);
        return bsn_err_sys(err, BSN_EIO, e, "'%.*s': cannot start the java reader thread",
                           (int)p->len, p->path);
    }
    *state = s;
    return BSN_OK;
}

static bsn_code
java_stream_data(struct bsn_actx *ctx, void *state, const void *buf, size_t len,
                 struct bsn_err *err)
{
    struct jstream *s = state;
    if (len == 0)
        return BSN_OK;
    s->w.ctx = ctx;
    pthread_mutex_lock(&s->mu);
    s->chunk = buf;
    s->chunk_len = len;
    pthread_mutex_unlock(&s->mu);
    caller_run_helper(s);
    pthread_mutex_lock(&s->mu);
    bool done = s->finished;
    s->chunk = NULL; /* the caller's buffer is not lent past this call */
    pthread_mutex_unlock(&s->mu);
    if (!done)
        return BSN_OK;
    /* Finished early: the pipeline reports an error returned here, not one from the
     * stream_end that follows. */
    if (s->rc != BSN_OK) {
        s->reported = true;
        return stream_fail(s, err);
    }
    return BSN_ECANCELED;
}

static bsn_code
java_stream_end(struct bsn_actx *ctx, void *state, struct bsn_err *err)
{
    struct jstream *s = state;
    s->w.ctx = ctx;
    pthread_mutex_lock(&s->mu);
    s->eof = true;
    pthread_mutex_unlock(&s->mu);
    caller_run_helper(s); /* with eof the helper never yields again: it finishes */
    pthread_join(s->thread, NULL);
    walk_warn_rest(&s->w);
    bsn_code rc = s->reported ? BSN_OK : s->rc;
    if (rc != BSN_OK)
        stream_fail(s, err);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    bsn_arena_free(s->arena);
    free(s);
    return rc;
}

const struct bsn_analyzer bsn_analyzer_java_stream = {
    .name = "java_stream",
    .scheme = "maven",
    .version = 1,
    .exts = java_exts,
    .wants = java_stream_wants,
    .stream_begin = java_stream_begin,
    .stream_data = java_stream_data,
    .stream_end = java_stream_end,
};
