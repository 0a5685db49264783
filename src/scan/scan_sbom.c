/*
 * SBOM input for 'bosun sbom FILE': a CycloneDX JSON (1.2-1.6) or SPDX 2.2/2.3 JSON document
 * becomes the package inventory of a result, to be matched like an image's.
 *
 * Only standard fields are read, never a tool's private properties, so SBOMs of Syft, cdxgen,
 * Trivy and bosun read alike:
 *   CycloneDX  components[] (nested components too) with a "purl"; an "operating-system"
 *              component names the OS when no purl carries a distro qualifier
 *   SPDX       packages[].externalRefs[] of referenceType "purl" (category PACKAGE-MANAGER or
 *              PACKAGE_MANAGER); a package of primaryPackagePurpose OPERATING_SYSTEM likewise
 * Each purl gives the package (purl spec, https://github.com/package-url/purl-spec):
 *   type and version as written; names as the analyzers write them: maven "group:artifact",
 *   npm "@scope/name", golang and composer "namespace/name"; qualifiers arch, epoch (rpm;
 *   deb epochs live in the version), upstream ("src" or "src@version", Syft's source package),
 *   distro ("debian-12.7" -> OS debian 12.7; the most frequent one wins).
 * Licenses: CycloneDX license id/name/expression, SPDX licenseDeclared.
 *
 * Limits: the document is read whole up to 256 MiB; nesting deeper than 64 components is not
 * followed; a purl that does not parse is skipped with a diagnostic (the first few named).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/map.h"
#include "base/xalloc.h"
#include "match/match.h"
#include "match/match_int.h"
#include "textfmt/purl.h"

#define MAX_SBOM (256u << 20)
#define MAX_DEPTH 64
#define MAX_BAD_PURL_DIAGS 5

struct sbom {
    struct bsn_result *r;
    const char *path;
    struct bsn_package *pkgs;
    size_t n, cap;
    struct bsn_map distros; /* "debian-12.7" -> count */
    size_t bad_purls;
    const char *os_name, *os_version; /* from an operating-system component or package */
};

static void
add_diag(struct bsn_result *r, const char *msg)
{
    struct bsn_diag *d = bsn_arena_alloc_array(r->arena, r->n_diags + 1, sizeof(*d));
    if (r->n_diags)
        memcpy(d, r->diags, r->n_diags * sizeof(*d));
    d[r->n_diags].message = msg;
    r->diags = d;
    r->n_diags++;
}

static const char *
join(struct bsn_arena *a, const char *ns, char sep, const char *name)
{
    if (!ns || !*ns)
        return name;
    return bsn_arena_printf(a, "%s%c%s", ns, sep, name);
}

static void
add_purl(struct sbom *s, const char *purl, const char *const *lic, size_t n_lic)
{
    struct bsn_arena *a = s->r->arena;
    struct bsn_purl p;
    struct bsn_err e = { 0 };
    if (!purl || strncmp(purl, "pkg:", 4) != 0 || bsn_purl_parse(a, purl, &p, &e) != BSN_OK ||
        !p.type || !p.name) {
        if (s->bad_purls++ < MAX_BAD_PURL_DIAGS)
            add_diag(s->r, bsn_arena_printf(a, "%s: skipped component with invalid purl '%.200s'",
                                            s->path, purl ? purl : ""));
        return;
    }
    s->pkgs = bsn_xgrow(s->pkgs, &s->cap, s->n + 1, sizeof(*s->pkgs));
    struct bsn_package *k = &s->pkgs[s->n++];
    memset(k, 0, sizeof(*k));
    k->epoch = -1;
    k->type = p.type;
    if (strcmp(p.type, "maven") == 0)
        k->name = join(a, p.namespace, ':', p.name);
    else if (strcmp(p.type, "npm") == 0 || strcmp(p.type, "golang") == 0 ||
             strcmp(p.type, "composer") == 0 || strcmp(p.type, "swift") == 0)
        k->name = join(a, p.namespace, '/', p.name);
    else
        k->name = p.name;
    k->version = p.version ? p.version : "";
    k->arch = bsn_purl_qualifier(&p, "arch");
    const char *epoch = bsn_purl_qualifier(&p, "epoch");
    if (epoch && *epoch) {
        long ep = strtol(epoch, NULL, 10);
        if (ep > 0 && ep < 1000000) {
            if (strcmp(p.type, "rpm") == 0)
                k->epoch = (int)ep;
            else if (strcmp(p.type, "deb") == 0 && !strchr(k->version, ':'))
                k->version = bsn_arena_printf(a, "%ld:%s", ep, k->version);
        } else if (ep == 0 && strcmp(p.type, "rpm") == 0) {
            k->epoch = 0;
        }
    }
    const char *up = bsn_purl_qualifier(&p, "upstream");
    if (up && *up && strcmp(p.type, "rpm") != 0) {
        const char *at = strchr(up, '@');
        k->source_name = at ? bsn_arena_strndup(a, up, (size_t)(at - up)) : up;
        k->source_version = at && at[1] ? at + 1 : NULL;
    }
    k->purl = bsn_arena_strdup(a, purl);
    if (n_lic) {
        const char **l = bsn_arena_alloc_array(a, n_lic, sizeof(*l));
        for (size_t i = 0; i < n_lic; i++)
            l[i] = bsn_arena_strdup(a, lic[i]);
        k->licenses = l;
        k->n_licenses = n_lic;
    }
    k->analyzer = "sbom";
    const char *distro = bsn_purl_qualifier(&p, "distro");
    if (distro && *distro) {
        uintptr_t c = (uintptr_t)bsn_map_get(&s->distros, distro, strlen(distro));
        bsn_map_put(&s->distros, distro, strlen(distro), (void *)(c + 1));
    }
}

/* ---- CycloneDX ---------------------------------------------------------------------------- */

static void
cdx_components(struct sbom *s, json_t *comps, int depth)
{
    size_t i;
    json_t *c;
    if (depth > MAX_DEPTH)
        return;
    json_array_foreach(comps, i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));
        const char *purl = json_string_value(json_object_get(c, "purl"));
        if (type && strcmp(type, "operating-system") == 0 && !purl) {
            if (!s->os_name) {
                s->os_name = json_string_value(json_object_get(c, "name"));
                s->os_version = json_string_value(json_object_get(c, "version"));
            }
        } else if (purl) {
            const char *lic[16];
            size_t nl = 0, j;
            json_t *l;
            json_array_foreach(json_object_get(c, "licenses"), j, l)
            {
                json_t *li = json_object_get(l, "license");
                const char *t = json_string_value(json_object_get(li, "id"));
                if (!t)
                    t = json_string_value(json_object_get(li, "name"));
                if (!t)
                    t = json_string_value(json_object_get(l, "expression"));
                if (t && nl < 16)
                    lic[nl++] = t;
            }
            add_purl(s, purl, lic, nl);
        }
        cdx_components(s, json_object_get(c, "components"), depth + 1);
    }
}

/* ---- SPDX --------------------------------------------------------------------------------- */

static void
spdx_packages(struct sbom *s, json_t *pkgs)
{
    size_t i;
    json_t *p;
    json_array_foreach(pkgs, i, p)
    {
        const char *purpose = json_string_value(json_object_get(p, "primaryPackagePurpose"));
        const char *purl = NULL;
        size_t j;
        json_t *ref;
        json_array_foreach(json_object_get(p, "externalRefs"), j, ref)
        {
            const char *t = json_string_value(json_object_get(ref, "referenceType"));
            if (t && strcmp(t, "purl") == 0) {
                purl = json_string_value(json_object_get(ref, "referenceLocator"));
                break;
            }
        }
        if (!purl) {
            if (purpose && (strcmp(purpose, "OPERATING_SYSTEM") == 0 ||
                            strcmp(purpose, "OPERATING-SYSTEM") == 0) && !s->os_name) {
                s->os_name = json_string_value(json_object_get(p, "name"));
                s->os_version = json_string_value(json_object_get(p, "versionInfo"));
            }
            continue;
        }
        const char *lic = json_string_value(json_object_get(p, "licenseDeclared"));
        bool have = lic && *lic && strcmp(lic, "NOASSERTION") != 0 && strcmp(lic, "NONE") != 0;
        add_purl(s, purl, &lic, have ? 1 : 0);
    }
}

/* ---- the OS -------------------------------------------------------------------------------- */

static const char *
lower_dup(struct bsn_arena *a, const char *s, size_t n)
{
    char *o = bsn_arena_strndup(a, s, n);
    for (char *f = o; *f; f++)
        if (*f >= 'A' && *f <= 'Z')
            *f = (char)(*f + 32);
    return o;
}

/* "debian-12.7" -> debian 12.7; "opensuse-leap-15.5" -> opensuse-leap 15.5; "debian-bookworm"
 * -> debian with codename bookworm. */
static void
set_os(struct bsn_result *r, const char *distro)
{
    struct bsn_arena *a = r->arena;
    const char *cut = NULL;
    for (const char *p = distro; *p; p++)
        if (*p == '-' && p[1] >= '0' && p[1] <= '9')
            cut = p;
    r->has_os = true;
    if (cut) {
        r->os.family = lower_dup(a, distro, (size_t)(cut - distro));
        r->os.version = bsn_arena_strdup(a, cut + 1);
    } else {
        const char *dash = strchr(distro, '-');
        r->os.family = lower_dup(a, distro, dash ? (size_t)(dash - distro) : strlen(distro));
        r->os.codename = dash ? bsn_arena_strdup(a, dash + 1) : NULL;
    }
    r->os.name = r->os.family;
}

bsn_code
bsn_sbom_read(const char *path, struct bsn_result *r, struct bsn_err *err)
{
    struct bsn_buf b;
    BSN_TRY(bsn_match_read_file(path, MAX_SBOM, &b, NULL, err));
    bsn_code rc = bsn_sbom_parse(path, b.ptr, b.len, r, err);
    bsn_buf_release(&b);
    return rc;
}

bsn_code
bsn_sbom_parse(const char *path, const char *data, size_t len, struct bsn_result *r,
               struct bsn_err *err)
{
    json_error_t je;
    json_t *doc = json_loadb(data, len, 0, &je);
    if (!doc)
        return bsn_err_set(err, BSN_EFORMAT, "SBOM '%s': line %d: %s", path, je.line, je.text);

    struct sbom s = { .r = r, .path = bsn_arena_strdup(r->arena, path) };
    bsn_map_init(&s.distros);
    bsn_code rc = BSN_OK;
    const char *fmt = json_string_value(json_object_get(doc, "bomFormat"));
    const char *spdx = json_string_value(json_object_get(doc, "spdxVersion"));
    if (fmt && strcmp(fmt, "CycloneDX") == 0) {
        json_t *mc = json_object_get(json_object_get(doc, "metadata"), "component");
        if (json_is_object(mc)) {
            /* the described artifact may itself be a package (a jar, an npm project) */
            const char *t = json_string_value(json_object_get(mc, "type"));
            if (t && strcmp(t, "library") == 0 && json_object_get(mc, "purl")) {
                json_t *one = json_array();
                json_array_append(one, mc);
                cdx_components(&s, one, 0);
                json_decref(one);
            }
        }
        cdx_components(&s, json_object_get(doc, "components"), 0);
    } else if (spdx && strncmp(spdx, "SPDX-", 5) == 0) {
        spdx_packages(&s, json_object_get(doc, "packages"));
    } else {
        rc = bsn_err_set(err, BSN_EFORMAT,
                         "SBOM '%s': neither CycloneDX JSON (bomFormat) nor SPDX JSON "
                         "(spdxVersion)", path);
    }
    if (rc == BSN_OK) {
        /* the most frequent distro qualifier; ties by name for a stable result */
        const char *best = NULL;
        uintptr_t best_n = 0;
        size_t it = 0;
        struct bsn_map_slot *sl;
        while ((sl = bsn_map_next(&s.distros, &it))) {
            uintptr_t c = (uintptr_t)sl->val;
            if (c > best_n || (c == best_n && best && strcmp(sl->key, best) < 0)) {
                best = sl->key;
                best_n = c;
            }
        }
        if (best)
            set_os(r, best);
        else if (s.os_name) {
            r->has_os = true;
            r->os.family = lower_dup(r->arena, s.os_name, strlen(s.os_name));
            r->os.name = r->os.family;
            r->os.version = bsn_arena_strdup(r->arena, s.os_version);
        }
        if (s.bad_purls > MAX_BAD_PURL_DIAGS)
            add_diag(r, bsn_arena_printf(r->arena, "%s: %zu more components with invalid purls "
                                         "skipped", s.path, s.bad_purls - MAX_BAD_PURL_DIAGS));
        if (s.n) {
            struct bsn_package *p = bsn_arena_alloc_array(r->arena, r->n_packages + s.n,
                                                          sizeof(*p));
            if (r->n_packages)
                memcpy(p, r->packages, r->n_packages * sizeof(*p));
            memcpy(p + r->n_packages, s.pkgs, s.n * sizeof(*p));
            r->packages = p;
            r->n_packages += s.n;
        }
    }
    free(s.pkgs);
    bsn_map_release(&s.distros);
    json_decref(doc);
    return rc;
}
