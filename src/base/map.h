/*
 * String-keyed hash map (open addressing, FNV-1a). Keys are borrowed: they must outlive the map
 * (in practice they live in the same arena). Not thread-safe; read-only use from many threads
 * after construction is fine.
 */
#ifndef BSN_BASE_MAP_H
#define BSN_BASE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct bsn_map_slot {
    const char *key;
    size_t klen;
    uint64_t hash;
    void *val;
};

struct bsn_map {
    struct bsn_map_slot *slots;
    size_t cap, len;
};

void bsn_map_init(struct bsn_map *m);
void bsn_map_release(struct bsn_map *m);
uint64_t bsn_hash(const void *p, size_t n);
/* Returns the value, or NULL. */
void *bsn_map_get(const struct bsn_map *m, const char *key, size_t klen);
/* Sets key to val; returns the previous value or NULL. */
void *bsn_map_put(struct bsn_map *m, const char *key, size_t klen, void *val);
/* Removes key; returns its value or NULL. */
void *bsn_map_del(struct bsn_map *m, const char *key, size_t klen);
/* Iteration: for (size_t i = 0; (s = bsn_map_next(m, &i));) … */
struct bsn_map_slot *bsn_map_next(const struct bsn_map *m, size_t *iter);

#endif
