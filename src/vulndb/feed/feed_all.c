/* The feed-importer table: feeds.def expanded into declarations and a NULL-terminated list. */
#include <string.h>

#include "vulndb/vulndb.h"

#define BSN_FEED(n) extern const struct bsn_feed bsn_feed_##n;
#include "vulndb/feed/feeds.def"
#undef BSN_FEED

const struct bsn_feed *const bsn_feeds[] = {
#define BSN_FEED(n) &bsn_feed_##n,
#include "vulndb/feed/feeds.def"
#undef BSN_FEED
    NULL,
};

const struct bsn_feed *
bsn_feed_find(const char *name)
{
    for (size_t i = 0; bsn_feeds[i]; i++)
        if (strcmp(bsn_feeds[i]->name, name) == 0)
            return bsn_feeds[i];
    return NULL;
}
