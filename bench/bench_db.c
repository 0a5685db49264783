/*
 * Lookup benchmark for the vulnerability database read API (bsn_vdb_lookup): picks N
 * (namespace, package) pairs from the database itself, half of them known packages and half
 * unknown names in the same namespaces (a scan asks about many packages with no advisory),
 * then times N lookups on one handle. Built and run by bench/bench_db.sh.
 *   usage: bench_db DB [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "vulndb/vulndb.h"

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_db DB [N]\n");
        return 2;
    }
    size_t n = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 10000;
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return 1;
    char (*ns)[64] = calloc(n, 64), (*pkg)[128] = calloc(n, 128);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT DISTINCT namespace, package FROM affected ORDER BY "
                           "(rowid * 7919) % 1000003 LIMIT ?1", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(n / 2));
    size_t k = 0;
    while (k < n / 2 && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(ns[k], 64, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(pkg[k], 128, "%s", (const char *)sqlite3_column_text(st, 1));
        k++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    size_t known = k;
    for (size_t i = 0; k < n; i++, k++) {
        snprintf(ns[k], 64, "%s", known ? ns[i % known] : "npm");
        snprintf(pkg[k], 128, "no-such-package-%zu", i);
    }
    struct bsn_vdb *v;
    struct bsn_err err = { 0 };
    if (bsn_vdb_open(argv[1], &v, &err) != BSN_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    struct bsn_arena *a = bsn_arena_new();
    size_t hits = 0;
    double t0 = now_s();
    clock_t c0 = clock();
    for (size_t i = 0; i < n; i++) {
        struct bsn_vdb_hit *h;
        size_t nh;
        struct bsn_arena_mark m = bsn_arena_mark(a);
        if (bsn_vdb_lookup(v, ns[i], pkg[i], a, &h, &nh, &err) != BSN_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        hits += nh;
        bsn_arena_rewind(a, m);
    }
    double dt = now_s() - t0;
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    printf("lookups %zu (%zu known packages) hits %zu wall_s %.3f cpu_s %.3f "
           "per_lookup_us %.1f\n", n, known, hits, dt, cpu, cpu * 1e6 / (double)n);
    bsn_arena_free(a);
    bsn_vdb_close(v);
    free(ns);
    free(pkg);
    return 0;
}
