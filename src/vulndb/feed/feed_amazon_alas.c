/*
 * Amazon Linux security advisories (ALAS) from yum's updateinfo.xml, plain or gzip-compressed
 * as the repositories serve it (https://cdn.amazonlinux.com/2/core/latest/x86_64/mirror.list,
 * then repodata/repomd.xml names updateinfo.xml.gz; AL2023 under /al2023/core/mirrors/).
 *
 *   <updates><update type="security"><id>ALAS2-2018-939</id><title>…</title>
 *     <issued date="2018-01-11 21:05"/><updated date="…"/><severity>critical</severity>
 *     <description>…</description>
 *     <references><reference type="cve" id="CVE-2017-5754" href="…"/></references>
 *     <pkglist><collection short="amazon-linux-2"><package name="kernel" epoch="0"
 *       version="4.9.76" release="38.79.amzn2" arch="x86_64"/>…</collection></pkglist>
 *   </update>…</updates>
 *
 * - The id prefix gives the release: "ALAS-" Amazon Linux 1 (amazon:1), "ALAS2-" AL2
 *   (amazon:2), "ALAS2022-" the AL2022 preview (amazon:2022), "ALAS2023-" and its topics
 *   ("ALAS2023LIVEPATCH-", "ALAS2023NVIDIA-", distinct package names) amazon:2023.
 * - AL2 Extras topics ("ALAS2KERNEL-5.15-…", "ALAS2GOLANG1.19-…") fix packages that share
 *   their names with core ones (kernel 5.15 vs the core 4.14 kernel): they go to namespace
 *   "amazon:2:<topic>" ("amazon:2:kernel-5.15") so a core package is not held against them.
 * - Each package is one fixed row "E:V-R" (epoch 0 when absent), arches merged. Dates
 *   "YYYY-MM-DD HH:MM[:SS]" become RFC 3339 UTC.
 * - updateinfo files of other distributions (AlmaLinux, Rocky ids) in the same trees are
 *   ignored; an ALAS update without packages or with a package lacking version is skipped
 *   with a warning naming it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include "base/buf.h"
#include "base/map.h"
#include "vulndb/feed/feed_xml.h"
#include "base/str.h"
#include "vulndb/vulndb_int.h"

#define MAX_XML (512u * 1024u * 1024u)

static bool
alas_detect(const char *path, const unsigned char *head, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strstr(base, "updateinfo"))
        return false;
    if (bsn_cstr_ends(base, ".xml.gz"))
        return true;
    return bsn_cstr_ends(base, ".xml") && memmem(head, n, "<updates", 8) != NULL;
}

/* Inflates a gzip member into out (bounded); false when it is not valid gzip. */
static bool
gunzip(const unsigned char *data, size_t len, struct bsn_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, MAX_WBITS + 16) != Z_OK)
        return false;
    z.next_in = (unsigned char *)(uintptr_t)data;
    z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
    unsigned char chunk[65536];
    int rc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
        if (bsn_buf_add(out, chunk, sizeof(chunk) - z.avail_out) != BSN_OK) {
            rc = Z_MEM_ERROR;
            break;
        }
    } while (rc != Z_STREAM_END && (z.avail_in > 0 || z.avail_out == 0));
    inflateEnd(&z);
    return rc == Z_STREAM_END;
}




/* "2018-01-11 21:05" / "2023-02-17 20:41:00" -> "2018-01-11T21:05:00Z"; else as given. */
static const char *
rfc3339(struct bsn_arena *a, const char *d)
{
    if (!d)
        return NULL;
    size_t n = strlen(d);
    if ((n == 16 || n == 19) && d[10] == ' ' && d[13] == ':')
        return bsn_arena_printf(a, "%.10sT%.5s:%sZ", d, d + 11, n == 19 ? d + 17 : "00");
    return d;
}

/* Namespace of an ALAS id, NULL for ids of other vendors. */
static const char *
alas_namespace(struct bsn_arena *a, const char *id)
{
    if (strncmp(id, "ALAS-", 5) == 0)
        return "amazon:1";
    if (strncmp(id, "ALAS2023", 8) == 0)
        return "amazon:2023";
    if (strncmp(id, "ALAS2022", 8) == 0)
        return "amazon:2022";
    if (strncmp(id, "ALAS2-", 6) == 0)
        return "amazon:2";
    if (strncmp(id, "ALAS2", 5) == 0) {
        /* "ALAS2KERNEL-5.15-2022-001" -> "amazon:2:kernel-5.15" */
        const char *t = id + 5, *end = strstr(t, "-20");
        if (!end || end == t || end - t > 40)
            return NULL;
        char *ns = bsn_arena_printf(a, "amazon:2:%.*s", (int)(end - t), t);
        for (char *p = ns; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        return ns;
    }
    return NULL;
}

static void
add_aff(struct bsn_arena *a, struct bsn_adv_affected **v, size_t *n, size_t *cap,
        const struct bsn_adv_affected *f)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].package, f->package) == 0 && strcmp((*v)[i].fixed, f->fixed) == 0)
            return;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct bsn_adv_affected *nv = bsn_arena_alloc_array(a, ncap, sizeof(*nv));
        if (*n)
            memcpy(nv, *v, *n * sizeof(*nv));
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = *f;
}

static void
import_update(struct bsn_vdb_import *im, const char *path, const xmlNode *u)
{
    struct bsn_arena *a = bsn_vdb_scratch(im);
    struct bsn_adv adv = { 0 };
    const xmlNode *refs = NULL, *pkglist = NULL;
    for (const xmlNode *c = u->children; c; c = c->next) {
        if (bsn_xml_is(c, "id"))
            adv.id = bsn_xml_text(a, c);
        else if (bsn_xml_is(c, "title"))
            adv.summary = bsn_xml_text(a, c);
        else if (bsn_xml_is(c, "description"))
            adv.description = bsn_xml_text(a, c);
        else if (bsn_xml_is(c, "severity"))
            adv.severity = bsn_xml_text(a, c);
        else if (bsn_xml_is(c, "issued"))
            adv.published = rfc3339(a, bsn_xml_attr(a, c, "date"));
        else if (bsn_xml_is(c, "updated"))
            adv.modified = rfc3339(a, bsn_xml_attr(a, c, "date"));
        else if (bsn_xml_is(c, "references"))
            refs = c;
        else if (bsn_xml_is(c, "pkglist"))
            pkglist = c;
    }
    if (!adv.id) {
        bsn_vdb_warn(im, path, "update", "no <id>");
        return;
    }
    const char *ns = alas_namespace(a, adv.id);
    if (!ns)
        return; /* AlmaLinux, Rocky … updateinfo: their OSV feeds cover them */
    const char *sev = adv.severity;
    adv.severity = sev ? bsn_vdb_severity_word(sev, strlen(sev)) : NULL;

    size_t n_al = 0, n_refs = 0, cap = 0;
    for (const xmlNode *r = refs ? refs->children : NULL; r; r = r->next)
        cap += bsn_xml_is(r, "reference");
    const char **al = bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*al));
    const char **rl = bsn_arena_alloc_array(a, cap ? cap : 1, sizeof(*rl));
    for (const xmlNode *r = refs ? refs->children : NULL; r; r = r->next) {
        if (!bsn_xml_is(r, "reference"))
            continue;
        const char *type = bsn_xml_attr(a, r, "type"), *rid = bsn_xml_attr(a, r, "id");
        const char *href = bsn_xml_attr(a, r, "href");
        if (type && strcmp(type, "cve") == 0 && rid && strncmp(rid, "CVE-", 4) == 0)
            al[n_al++] = rid;
        if (href)
            rl[n_refs++] = href;
    }
    adv.aliases = al;
    adv.n_aliases = n_al;
    adv.references = rl;
    adv.n_references = n_refs;

    struct bsn_adv_affected *aff = NULL;
    size_t n_aff = 0, cap_aff = 0;
    for (const xmlNode *col = pkglist ? pkglist->children : NULL; col; col = col->next) {
        if (!bsn_xml_is(col, "collection"))
            continue;
        for (const xmlNode *p = col->children; p; p = p->next) {
            if (!bsn_xml_is(p, "package"))
                continue;
            const char *name = bsn_xml_attr(a, p, "name"), *ver = bsn_xml_attr(a, p, "version");
            const char *rel = bsn_xml_attr(a, p, "release"), *ep = bsn_xml_attr(a, p, "epoch");
            if (!name || !ver || !rel) {
                bsn_vdb_warn(im, path, adv.id, "package '%s' without version or release: "
                             "advisory skipped", name ? name : "?");
                return;
            }
            struct bsn_adv_affected f = { .namespace = ns, .package = name, .scheme = "rpm",
                                          .status = BSN_STATUS_FIXED, .severity = adv.severity };
            f.fixed = bsn_arena_printf(a, "%s:%s-%s", ep ? ep : "0", ver, rel);
            add_aff(a, &aff, &n_aff, &cap_aff, &f);
        }
    }
    if (!n_aff) {
        bsn_vdb_warn(im, path, adv.id, "no packages: advisory skipped");
        return;
    }
    adv.affected = aff;
    adv.n_affected = n_aff;
    bsn_vdb_emit(im, &adv);
}

static bsn_code
alas_import(struct bsn_vdb_import *im, const char *path, const unsigned char *data, size_t len,
            struct bsn_err *err)
{
    (void)err;
    struct bsn_buf plain;
    bsn_buf_init(&plain, MAX_XML);
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        if (!gunzip(data, len, &plain)) {
            bsn_vdb_warn(im, path, "file", "not a valid gzip stream (or over %u MiB)",
                         MAX_XML >> 20);
            bsn_buf_release(&plain);
            return BSN_OK;
        }
        data = (const unsigned char *)plain.ptr;
        len = plain.len;
    }
    if (len > INT32_MAX) {
        bsn_vdb_warn(im, path, "file", "too large");
        bsn_buf_release(&plain);
        return BSN_OK;
    }
    xmlDoc *doc = xmlReadMemory((const char *)data, (int)len, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    bsn_buf_release(&plain);
    if (doc && (doc->intSubset || doc->extSubset)) {
        /* the feeds have no DOCTYPE; entities could expand without bound in the tree */
        bsn_vdb_warn(im, path, "file", "a DOCTYPE is not allowed in this feed");
        xmlFreeDoc(doc);
        return BSN_OK;
    }
    const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !bsn_xml_is(root, "updates")) {
        bsn_vdb_warn(im, path, "file", doc ? "no <updates> root element" : "malformed XML");
        xmlFreeDoc(doc);
        return BSN_OK;
    }
    for (const xmlNode *u = root->children; u; u = u->next)
        if (bsn_xml_is(u, "update"))
            import_update(im, path, u);
    xmlFreeDoc(doc);
    return BSN_OK;
}

const struct bsn_feed bsn_feed_amazon_alas = {
    .name = "amazon-alas",
    .data_source = "amazon",
    .detect = alas_detect,
    .import_file = alas_import,
};
