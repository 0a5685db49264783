/* Open-addressing string map with linear probing and tombstones. */
#include "base/map.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static const char tombstone[1];

uint64_t
bsn_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return h;
}

void
bsn_map_init(struct bsn_map *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->len = 0;
}

void
bsn_map_release(struct bsn_map *m)
{
    free(m->slots);
    bsn_map_init(m);
}

static struct bsn_map_slot *
find(const struct bsn_map *m, const char *key, size_t klen, uint64_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct bsn_map_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != tombstone && s->hash == h && s->klen == klen &&
            memcmp(s->key, key, klen) == 0)
            return s;
    }
}

static void
rehash(struct bsn_map *m, size_t cap)
{
    struct bsn_map_slot *old = m->slots;
    size_t oldcap = m->cap;
    m->slots = bsn_xcalloc(cap, sizeof(*m->slots));
    m->cap = cap;
    m->len = 0;
    for (size_t i = 0; i < oldcap; i++) {
        struct bsn_map_slot *s = &old[i];
        if (!s->key || s->key == tombstone)
            continue;
        size_t mask = cap - 1;
        size_t j = (size_t)s->hash & mask;
        while (m->slots[j].key)
            j = (j + 1) & mask;
        m->slots[j] = *s;
        m->len++;
    }
    free(old);
}

void *
bsn_map_get(const struct bsn_map *m, const char *key, size_t klen)
{
    struct bsn_map_slot *s = find(m, key, klen, bsn_hash(key, klen));
    return s ? s->val : NULL;
}

void *
bsn_map_put(struct bsn_map *m, const char *key, size_t klen, void *val)
{
    uint64_t h = bsn_hash(key, klen);
    struct bsn_map_slot *s = find(m, key, klen, h);
    if (s) {
        void *old = s->val;
        s->val = val;
        return old;
    }
    /* len counts tombstones too, so probing always finds an empty slot. */
    if ((m->len + 1) * 4 >= m->cap * 3)
        rehash(m, m->cap ? m->cap * 2 : 16);
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    while (m->slots[i].key)
        i = (i + 1) & mask;
    m->slots[i].key = key;
    m->slots[i].klen = klen;
    m->slots[i].hash = h;
    m->slots[i].val = val;
    m->len++;
    return NULL;
}

void *
bsn_map_del(struct bsn_map *m, const char *key, size_t klen)
{
    struct bsn_map_slot *s = find(m, key, klen, bsn_hash(key, klen));
    if (!s)
        return NULL;
    void *old = s->val;
    s->key = tombstone;
    s->klen = 0;
    s->val = NULL;
    return old;
}

struct bsn_map_slot *
bsn_map_next(const struct bsn_map *m, size_t *iter)
{
    while (*iter < m->cap) {
        struct bsn_map_slot *s = &m->slots[(*iter)++];
        if (s->key && s->key != tombstone)
            return s;
    }
    return NULL;
}
