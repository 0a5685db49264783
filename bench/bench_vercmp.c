/*
 * Version comparison benchmark: 1,000,000 compare() calls per scheme over a pool of realistic
 * versions (pairs drawn with a fixed LCG), then 1,000,000 range evaluations per scheme
 * (bsn_range_contains on an OSV range or a native constraint). Prints one line per scheme:
 * comparisons per second (CPU time), range checks per second.
 * Built and run by bench/bench_vercmp.sh (-O2, straight from src/version and src/base).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "version/version.h"

#define N 1000000

struct pool {
    const char *scheme;
    const char *range;
    const char *v[16];
};

static const struct pool pools[] = {
    { "deb", "osv:introduced=0;fixed=3.0.14-1~deb12u2",
      { "3.0.14-1~deb12u2", "3.0.11-1~deb12u2", "1:2.30-4ubuntu1~22.04.1", "2.36-9+deb12u7",
        "1.2.13.dfsg-1", "252.30-1~deb12u2", "7.88.1-10+deb12u8", "1:9.2p1-2+deb12u3",
        "3.0.14-1", "2.36-9+deb12u4", "1.0~rc1-1", "5.2.15-2+b7", "12.2.0-14", "2.38.1-5+deb12u2",
        "1:1.2.13.dfsg-1", "0.23.22-1" } },
    { "rpm", "osv:introduced=0;fixed=1:3.0.7-25.el9_3",
      { "1:3.0.7-24.el9", "1:3.0.7-25.el9_3", "2.34-83.el9_3.7", "4.16.1.3-25.el9", "1.1.1k-12.el8",
        "2.28-225.el8_8.6", "3.6.8-51.el8_8.2", "0.9.21-2.el9", "5.1.8-6.el9", "1.0^git1-1",
        "1.0~rc1-1", "252-18.el9", "8.5.0-20.el9", "1:1.1.1k-12.el8", "2.9.13-6.el9",
        "3.0.7-16.el9" } },
    { "apk", "osv:introduced=0;fixed=3.1.4-r1",
      { "3.1.4-r0", "3.1.4-r1", "1.36.1-r15", "2.4.0_rc1-r0", "8.5.0-r0", "1.2.13-r1",
        "3.0.12-r4", "1.1.1w-r1", "2.40-r0", "0.1_pre2~1234abcd-r1", "6.4_p20231125-r1",
        "1.6.0-r1", "4.4.36-r0", "3.45.1-r0", "1.11.0-r2", "9.4-r0" } },
    { "semver", "semver:>=1.2.0 <1.2.5 || ^2.0.0",
      { "1.2.3", "1.2.4", "2.0.0", "2.0.0-rc.1", "4.17.21", "4.17.12", "0.0.1", "10.1.0",
        "1.0.0-alpha.1", "1.0.0-beta.11", "3.3.6", "5.0.0-beta.3", "7.5.4", "0.26.1", "2.1.3",
        "1.10.0" } },
    { "npm", "npm:~4.17.0 || >=5.0.0-alpha.1 <5.0.0-beta.3",
      { "4.17.21", "4.17.12", "v5.0.0-beta.1", "4.18.2", "1.3.11.10", "=2.0.0", "0.0.1", "10.1.0",
        "1.0.0-alpha.1", "1.0.0-beta.11", "3.3.6", "5.0.0-beta.3", "7.5.4", "0.26.1", "2.1.3",
        "1.10.0" } },
    { "pep440", "pep440:>=1.0,!=1.3.*,<2",
      { "1.26.18", "2.31.0", "1.0a1", "1.0.dev0", "2.0rc1", "1!2.0.post1", "3.2.1+local.1",
        "42.0.5", "0.10.1", "23.1.2", "1.24.4", "2.0.0", "1.3.4", "68.2.2", "6.0.1", "0.4.0" } },
    { "maven", "maven:[2.13.0,2.15.0),[2.4,2.12.2)",
      { "2.14.1", "2.15.0", "2.12.7.1", "1.0-SNAPSHOT", "5.3.27", "2.0.0.RELEASE",
      "9.4.51.v20230217",
        "2.4.0-rc1", "31.1-jre", "1.2.11", "3.12.0", "2.17.1", "1.0-alpha-1", "6.0.11", "2.13.4.2",
        "4.1.94.Final" } },
    { "gem", "gem:~> 2.3, >= 2.3.1",
      { "2.3.5", "7.0.8", "1.15.4", "2.2.23", "3.1.21", "1.0.a", "6.1.7.6", "0.9.9.9", "2.8.5",
        "1.0-beta.2", "3.2.6", "13.0.6", "1.16.2", "4.0.0.rc1", "5.2.4.2", "2.0" } },
    { "golang", "osv:introduced=0;fixed=1.21.8;introduced=1.22.0-0;fixed=1.22.1",
      { "v1.21.7", "1.22.0", "v0.0.0-20220906165146-f3363e06e74c", "v2.0.0+incompatible", "v1.2",
        "v0.17.0", "v1.9.1", "v0.0.0-20191109021931-daa7c04131f5", "v1.60.1", "v0.14.0",
        "v1.21.8", "1.20.3", "v4.5.0", "v0.1.0", "v1.31.0", "v3.0.1" } },
    { "cargo", "cargo:>= 1.18.4, < 1.19.0",
      { "1.18.3", "1.18.4", "0.3.1", "1.0.193", "0.4.20", "2.0.0-alpha.1", "1.35.1", "0.11.22",
        "1.0.0", "0.2.150", "1.5.0", "0.9.8", "1.23.1", "3.4.0", "0.1.0", "1.0.75" } },
    { "nuget", "nuget:[13.0.1,13.0.3)",
      { "13.0.1", "13.0.3", "6.0.0-preview.1", "4.3.0", "1.0.0.1", "7.0.0", "2.1.0+meta",
        "13.0.2", "3.1.32", "8.0.0-rc.2.23479.6", "5.0.0", "1.01", "2.2.0", "12.0.1", "4.7.1",
        "6.0.25" } },
    { "composer", "cmp:>= 5.4.0, < 5.4.31",
      { "5.4.30", "v6.3.12", "1.0.0-beta2", "2.x-dev", "dev-main", "7.4.0", "3.3.3", "1.0.0-patch1",
        "5.4.31", "2.0.0-RC1", "6.0.0", "1.2.3", "4.4.49", "10.2.5", "0.9.1", "9.52.16" } },
    { "generic", "cmp:>= 1.0 < 2.0",
      { "1.0", "1.0rc1", "10", "2023.01.05", "7.88.1", "1.0.1", "3.0.14", "2.4.57", "9.2p1",
        "1.36.1", "5.15.0-91", "0.9.8zh", "8.0.35", "1.1.1w", "2.40", "4.19.0" } },
};

static double
cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(void)
{
    volatile long sink = 0;
    printf("%-9s %14s %9s %14s\n", "scheme", "compares/s", "ns/cmp", "range checks/s");
    for (size_t k = 0; k < sizeof pools / sizeof pools[0]; k++) {
        const struct pool *p = &pools[k];
        const struct bsn_scheme *s = bsn_scheme_find(p->scheme);
        struct bsn_str v[16];
        for (int i = 0; i < 16; i++)
            v[i] = bsn_str_cstr(p->v[i]);
        unsigned x = 12345;
        long acc = 0;
        double t0 = cpu_now();
        for (long i = 0; i < N; i++) {
            x = x * 1103515245u + 12345u;
            acc += s->compare(v[(x >> 8) & 15], v[(x >> 16) & 15]);
        }
        double t1 = cpu_now();
        struct bsn_str range = bsn_str_cstr(p->range);
        for (long i = 0; i < N; i++) {
            bool in = false;
            struct bsn_err err;
            if (bsn_range_contains(s, range, v[i & 15], &in, &err) != BSN_OK)
                return 1;
            acc += in;
        }
        double t2 = cpu_now();
        sink += acc;
        printf("%-9s %14.0f %9.1f %14.0f\n", p->scheme, N / (t1 - t0), (t1 - t0) * 1e9 / N,
               N / (t2 - t1));
    }
    return sink == 42 ? 2 : 0;
}
