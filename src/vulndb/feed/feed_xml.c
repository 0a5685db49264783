/* Helpers shared by the XML feed importers (feed_xml.h). */
#include "vulndb/feed/feed_xml.h"

#include <string.h>

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
