/*
 * Every shared version vector (tests/data/version/CASE/vectors*.tsv: "a<TAB>op<TAB>b", op one
 * of <, =, >) through its scheme's compare(), plus the order laws on each file's versions:
 * reflexivity (a = a), antisymmetry (compare(b, a) is the opposite of compare(a, b)) and
 * transitivity (after sorting the distinct versions with compare(), every earlier one is <=
 * every later one; an intransitive relation cannot pass that for all pairs). apk's
 * validity.tsv checks valid().
 *
 * Extra schemes run the semver vectors where every version is valid for them (cargo and
 * golang are SemVer with their own syntax rules).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "version/version.h"

#define MAX_ROWS 1024

struct row {
    char a[256], b[256];
    char op;
};

static struct row rows[MAX_ROWS];
static size_t nrows;

static void
load(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, BSN_TEST_DATA "/version/%s", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[1024];
    nrows = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (n == 0)
            continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2 || t2 != t1 + 2 || nrows == MAX_ROWS)
            fail_msg("%s: bad line '%s'", path, line);
        struct row *r = &rows[nrows++];
        *t1 = 0;
        if (strlen(line) >= sizeof r->a || strlen(t2 + 1) >= sizeof r->b)
            fail_msg("%s: version too long in '%s'", path, line);
        memcpy(r->a, line, strlen(line) + 1);
        r->op = t1[1];
        memcpy(r->b, t2 + 1, strlen(t2 + 1) + 1);
    }
    fclose(f);
    assert_true(nrows > 0);
}

static int
sgn(int c)
{
    return (c > 0) - (c < 0);
}

static const struct bsn_scheme *sort_scheme;

static int
qcmp(const void *x, const void *y)
{
    const char *const *a = x, *const *b = y;
    return sort_scheme->compare(bsn_str_cstr(*a), bsn_str_cstr(*b));
}

/* Runs the loaded rows through scheme; only_valid skips rows with a version it rejects. */
static size_t
run(const char *scheme_name, const char *file, bool only_valid)
{
    const struct bsn_scheme *s = bsn_scheme_find(scheme_name);
    assert_non_null(s);
    static const char *distinct[2 * MAX_ROWS];
    size_t nd = 0, checked = 0;
    for (size_t i = 0; i < nrows; i++) {
        struct bsn_str a = bsn_str_cstr(rows[i].a), b = bsn_str_cstr(rows[i].b);
        if (only_valid && (!s->valid(a) || !s->valid(b)))
            continue;
        int want = rows[i].op == '<' ? -1 : rows[i].op == '>' ? 1 : 0;
        int got = sgn(s->compare(a, b));
        if (got != want)
            fail_msg("%s %s: '%s' %c '%s' but compare() says %d", scheme_name, file, rows[i].a,
                     rows[i].op, rows[i].b, got);
        if (sgn(s->compare(b, a)) != -want)
            fail_msg("%s: antisymmetry fails for '%s', '%s'", scheme_name, rows[i].a, rows[i].b);
        if (s->compare(a, a) != 0 || s->compare(b, b) != 0)
            fail_msg("%s: reflexivity fails for '%s' or '%s'", scheme_name, rows[i].a, rows[i].b);
        const char *both[2] = { rows[i].a, rows[i].b };
        for (int k = 0; k < 2; k++) {
            bool dup = false;
            for (size_t d = 0; d < nd && !dup; d++)
                dup = strcmp(distinct[d], both[k]) == 0;
            if (!dup)
                distinct[nd++] = both[k];
        }
        checked++;
    }
    /* transitivity: a sorted list must be ordered pairwise */
    sort_scheme = s;
    qsort(distinct, nd, sizeof distinct[0], qcmp);
    for (size_t i = 0; i < nd; i++)
        for (size_t j = i + 1; j < nd; j++)
            if (s->compare(bsn_str_cstr(distinct[i]), bsn_str_cstr(distinct[j])) > 0)
                fail_msg("%s %s: order not transitive: '%s' sorted before '%s' yet compares >",
                         scheme_name, file, distinct[i], distinct[j]);
    print_message("%s %s: %zu vectors, %zu distinct versions\n", scheme_name, file, checked, nd);
    return checked;
}

static void
test_apk(void **state)
{
    (void)state;
    load("apk/vectors.tsv");
    assert_int_equal(run("apk", "vectors.tsv", false), 492);
    /* validity.tsv: version<TAB>valid|invalid */
    FILE *f = fopen(BSN_TEST_DATA "/version/apk/validity.tsv", "rb");
    assert_non_null(f);
    char line[512];
    int n = 0;
    const struct bsn_scheme *s = bsn_scheme_find("apk");
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        bool want = strncmp(tab + 1, "valid", 5) == 0;
        if (s->valid(bsn_str_cstr(line)) != want)
            fail_msg("apk: valid('%s') should be %d", line, want);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 21);
}

static void
test_dpkg(void **state)
{
    (void)state;
    load("dpkg/vectors.tsv");
    assert_int_equal(run("deb", "vectors.tsv", false), 39);
}

static void
test_rpm(void **state)
{
    (void)state;
    load("rpm/vectors.tsv");
    assert_int_equal(run("rpm", "vectors.tsv", false), 61);
}

static void
test_maven(void **state)
{
    (void)state;
    load("maven/vectors.tsv");
    assert_int_equal(run("maven", "vectors.tsv", false), 113);
}

static void
test_pep440(void **state)
{
    (void)state;
    load("pep440/vectors.tsv");
    assert_int_equal(run("pep440", "vectors.tsv", false), 128);
}

static void
test_rubygems(void **state)
{
    (void)state;
    load("rubygems/vectors.tsv");
    assert_int_equal(run("gem", "vectors.tsv", false), 16);
}

static void
test_semver(void **state)
{
    (void)state;
    load("semver/vectors.tsv");
    assert_int_equal(run("semver", "vectors.tsv", false), 15);
    assert_int_equal(run("npm", "vectors.tsv", false), 15);
    assert_true(run("cargo", "vectors.tsv", true) >= 10);
    assert_true(run("golang", "vectors.tsv", true) >= 10);
    load("semver/vectors-loose.tsv");
    assert_int_equal(run("npm", "vectors-loose.tsv", false), 31);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apk),    cmocka_unit_test(test_dpkg),
        cmocka_unit_test(test_rpm),    cmocka_unit_test(test_maven),
        cmocka_unit_test(test_pep440), cmocka_unit_test(test_rubygems),
        cmocka_unit_test(test_semver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
