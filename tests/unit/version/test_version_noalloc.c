/*
 * "No scheme allocates per comparison": this executable interposes malloc, calloc, realloc and
 * free (forwarding to glibc's __libc_* entry points) and counts the calls made while every
 * scheme compares, validates and evaluates ranges over a batch of versions. The count must be
 * zero. Under AddressSanitizer, which owns the allocator, the test only runs the workload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "version/version.h"

#if defined(__SANITIZE_ADDRESS__)
#define BSN_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BSN_COUNT_ALLOCS 0
#endif
#endif
#ifndef BSN_COUNT_ALLOCS
#define BSN_COUNT_ALLOCS 1
#endif

static volatile int counting;
static volatile long allocations;

#if BSN_COUNT_ALLOCS
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);

void *
malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}

void
free(void *p)
{
    if (counting && p)
        allocations++;
    __libc_free(p);
}
#endif

struct sample {
    const char *scheme;
    const char *versions[6];
    const char *range;
};

static const struct sample samples[] = {
    { "deb", { "1:2.30-4ubuntu1~22.04.1", "2.30-4", "1.0~rc1", "3.0.14-1~deb12u2", "1.0", "0" },
      "osv:introduced=0;fixed=2.30-5" },
    { "rpm", { "1:3.0.7-24.el9", "3.0.7-16.el9", "1.0^git1", "1.0~rc1-1", "2", "1.0-1" },
      "cmp:< 1:3.0.7-25.el9" },
    { "apk", { "1.2.3-r0", "1.2.3_rc1-r0", "1.2.3_p1", "0.1_pre2~1234abcd", "1.0a", "2" },
      "osv:introduced=0;fixed=1.2.3-r1" },
    { "semver", { "1.2.3", "1.2.3-beta.1", "v2.0.0+build", "0.0.1", "10.0.0-rc.1", "1.0.0" },
      "semver:>=1.2.0 <1.2.5 || ^2.0.0" },
    { "npm", { "1.2.3", "=1.2.3-beta", "v2.0.0", "1.3.11.10", "01.2.3", "2.0.0-0" },
      "npm:~1.2 || 1.3.0 - 2.x" },
    { "pep440", { "1.0", "1.0a1", "1!2.0.post1.dev3+local.1", "1.0.dev0", "2.0rc1", "v1.0" },
      "pep440:>=1.0,!=1.3.*,<2,~=1.0" },
    { "maven", { "1.0-SNAPSHOT", "1.0", "2.0.0.RELEASE", "1.0-alpha-1", "1.0.1-sp1", "1-ga" },
      "maven:[1.0,2.0),[3.0,)" },
    { "gem", { "1.0.a", "1.0", "2.3.5", "1.0-beta.2", "3", "0.9.9.9" },
      "gem:~> 2.3, >= 2.3.1" },
    { "golang", { "v1.2.3", "v0.0.0-20191109021931-daa7c04131f5", "v2.0.0+incompatible", "1.20",
                  "v1", "1.21.0-rc.1" },
      "go:>= 1.2.0, < 1.3.0 || >= 2.0.0" },
    { "cargo", { "1.2.3", "1.2.3-alpha", "0.3.1", "1.0.0+b", "2.0.0", "0.0.1" },
      "cargo:>= 1.2, < 1.4" },
    { "nuget", { "1.0", "1.0.0-beta.2", "1.0.0.1", "2.1.0+meta", "1.01", "3.0.0-Alpha" },
      "nuget:[1.0,2.0)" },
    { "composer", { "1.0.0", "v1.0.0-beta2", "1.0.0-patch1", "dev-main", "2.x-dev", "1.2" },
      "cmp:>= 1.0, < 2.0" },
    { "generic", { "1.0", "1.0rc1", "10", "2023.01.05", "7.88.1", "1.0.1" },
      "cmp:>= 1.0 < 2.0" },
};

static void
test_no_allocation(void **state)
{
    (void)state;
    long work = 0;
#if BSN_COUNT_ALLOCS
    /* the counter works: one malloc and one free */
    counting = 1;
    void *volatile probe = malloc(16);
    free(probe);
    counting = 0;
    assert_int_equal(allocations, 2);
    allocations = 0;
#endif
    counting = 1;
    for (int round = 0; round < 200; round++) {
        for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
            const struct sample *sm = &samples[k];
            const struct bsn_scheme *s = bsn_scheme_find(sm->scheme);
            for (int i = 0; i < 6; i++) {
                struct bsn_str a = bsn_str_cstr(sm->versions[i]);
                work += s->valid(a);
                for (int j = 0; j < 6; j++)
                    work += s->compare(a, bsn_str_cstr(sm->versions[j])) > 0;
                struct bsn_err err;
                bool in = false;
                if (bsn_range_contains(s, bsn_str_cstr(sm->range), a, &in, &err) == BSN_OK)
                    work += in;
            }
        }
    }
    counting = 0;
    print_message("comparisons and range checks: %ld positive answers, %ld allocations\n",
                  work, (long)allocations);
    assert_true(work > 0);
    assert_int_equal(allocations, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
