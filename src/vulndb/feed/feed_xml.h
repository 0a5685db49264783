/*
 * Helpers shared by the XML feed importers (Red Hat OVAL, Oracle ELSA OVAL, Amazon
 * updateinfo.xml): libxml2 element tests, attribute and text copies into an arena, and
 * transparent decompression (bzip2, gzip, xz) of a feed file. Private to src/vulndb/feed/.
 */
#ifndef BSN_VULNDB_FEED_XML_H
#define BSN_VULNDB_FEED_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "base/arena.h"
#include "base/buf.h"
#include "vulndb/vulndb.h"

#define BSN_FEED_MAX_XML (512u * 1024u * 1024u)

/* Calls def for every <definition> of an OVAL document (decompressing it first when
 * compressed), after refusing DOCTYPEs (entity expansion) and documents over
 * BSN_FEED_MAX_XML; problems are warnings on the file, counted as skipped. */
void bsn_feed_oval_definitions(struct bsn_vdb_import *im, const char *path,
                               const unsigned char *data, size_t len, bool compressed,
                               void (*def)(struct bsn_vdb_import *im, const char *path,
                                           const xmlNode *d));

/* Decompresses a bz2/gzip/xz stream into out (bounded by out's cap); false if it is none of
 * them or is corrupt. */
bool bsn_feed_decompress(const unsigned char *data, size_t len, struct bsn_buf *out);
/* path names a compressed XML feed file (.xml.bz2, .xml.gz, .xml.xz). */
bool bsn_feed_xml_compressed(const char *path);
/* An OVAL platform criterion "<prefix>N is installed" (prefix "Oracle Linux ", "Red Hat
 * Enterprise Linux ") -> "<family>:N" in a, else NULL. */
const char *bsn_oval_platform_ns(struct bsn_arena *a, const char *comment, const char *prefix,
                                 const char *family);
/* n is an element named name. */
bool bsn_xml_is(const xmlNode *n, const char *name);
/* The attribute's value copied into a, or NULL when absent or empty. */
const char *bsn_xml_attr(struct bsn_arena *a, const xmlNode *n, const char *name);
/* The element's text, trimmed, copied into a, or NULL when empty. */
const char *bsn_xml_text(struct bsn_arena *a, const xmlNode *n);

#endif
