/* Helpers shared by the XML feed importers (feed_xml.h). */
#include "vulndb/feed/feed_xml.h"

#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include <archive.h>
#include <archive_entry.h>

bool
bsn_feed_decompress(const unsigned char *data, size_t len, struct bsn_buf *out)
{
    struct archive *ar = archive_read_new();
    archive_read_support_filter_all(ar);
    archive_read_support_format_raw(ar);
    struct archive_entry *e;
    bool ok = archive_read_open_memory(ar, data, len) == ARCHIVE_OK &&
              archive_read_next_header(ar, &e) == ARCHIVE_OK &&
              archive_filter_count(ar) > 1;
    char chunk[65536];
    la_ssize_t n;
    while (ok && (n = archive_read_data(ar, chunk, sizeof(chunk))) > 0)
        ok = bsn_buf_add(out, chunk, (size_t)n) == BSN_OK;
    if (ok && n < 0)
        ok = false;
    archive_read_free(ar);
    return ok;
}

bool
bsn_xml_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

const char *
bsn_xml_attr(struct bsn_arena *a, const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = *v ? bsn_arena_strdup(a, (const char *)v) : NULL;
    xmlFree(v);
    return s;
}

const char *
bsn_xml_text(struct bsn_arena *a, const xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    if (!v)
        return NULL;
    const char *s = (const char *)v;
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' ||
                   s[len - 1] == '\r'))
        len--;
    char *r = len ? bsn_arena_strndup(a, s, len) : NULL;
    xmlFree(v);
    return r;
}

void
bsn_feed_oval_definitions(struct bsn_vdb_import *im, const char *path,
                          const unsigned char *data, size_t len, bool compressed,
                          void (*def)(struct bsn_vdb_import *im, const char *path,
                                      const xmlNode *d))
{
    struct bsn_buf plain;
    bsn_buf_init(&plain, BSN_FEED_MAX_XML);
    if (compressed) {
        if (!bsn_feed_decompress(data, len, &plain)) {
            bsn_vdb_warn(im, path, "file", "not a valid compressed stream (or over %u MiB)",
                         BSN_FEED_MAX_XML >> 20);
            bsn_buf_release(&plain);
            return;
        }
        data = (const unsigned char *)plain.ptr;
        len = plain.len;
    }
    if (len > INT32_MAX) {
        bsn_vdb_warn(im, path, "file", "too large");
        bsn_buf_release(&plain);
        return;
    }
    xmlDoc *doc = xmlReadMemory((const char *)data, (int)len, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    bsn_buf_release(&plain);
    if (doc && (doc->intSubset || doc->extSubset)) {
        /* the feeds have no DOCTYPE; entities could expand without bound in the tree */
        bsn_vdb_warn(im, path, "file", "a DOCTYPE is not allowed in this feed");
        xmlFreeDoc(doc);
        return;
    }
    const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !bsn_xml_is(root, "oval_definitions")) {
        bsn_vdb_warn(im, path, "file", doc ? "no <oval_definitions> root" : "malformed XML");
        xmlFreeDoc(doc);
        return;
    }
    for (const xmlNode *s = root->children; s; s = s->next) {
        if (!bsn_xml_is(s, "definitions"))
            continue;
        for (const xmlNode *d = s->children; d; d = d->next)
            if (bsn_xml_is(d, "definition"))
                def(im, path, d);
    }
    xmlFreeDoc(doc);
}

bool
bsn_feed_xml_compressed(const char *path)
{
    return bsn_cstr_ends(path, ".xml.bz2") || bsn_cstr_ends(path, ".xml.gz") ||
           bsn_cstr_ends(path, ".xml.xz");
}

const char *
bsn_oval_platform_ns(struct bsn_arena *a, const char *comment, const char *prefix,
                     const char *family)
{
    size_t k = strlen(prefix);
    if (strncmp(comment, prefix, k) != 0)
        return NULL;
    const char *v = comment + k;
    size_t d = strspn(v, "0123456789");
    if (!d || d > 3 || strcmp(v + d, " is installed") != 0)
        return NULL;
    return bsn_arena_printf(a, "%s:%.*s", family, (int)d, v);
}
