/*
 * Hand-checked cases for every scheme: the registry, validity, orderings from each
 * ecosystem's documentation, and the intended differences each scheme file documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "version/version.h"

static int
cmp(const char *scheme, const char *a, const char *b)
{
    const struct bsn_scheme *s = bsn_scheme_find(scheme);
    assert_non_null(s);
    int c = s->compare(bsn_str_cstr(a), bsn_str_cstr(b));
    int r = s->compare(bsn_str_cstr(b), bsn_str_cstr(a));
    c = (c > 0) - (c < 0);
    if (((r > 0) - (r < 0)) != -c)
        fail_msg("%s: compare('%s', '%s') is not antisymmetric", scheme, a, b);
    return c;
}

static bool
valid(const char *scheme, const char *v)
{
    return bsn_scheme_find(scheme)->valid(bsn_str_cstr(v));
}

#define LT(s, a, b) assert_int_equal(cmp((s), (a), (b)), -1)
#define EQ(s, a, b) assert_int_equal(cmp((s), (a), (b)), 0)
#define GT(s, a, b) assert_int_equal(cmp((s), (a), (b)), 1)
#define VALID(s, v) assert_true(valid((s), (v)))
#define INVALID(s, v) assert_false(valid((s), (v)))

static void
test_registry(void **state)
{
    (void)state;
    static const char *names[] = { "deb",    "rpm", "apk",   "semver", "npm",   "pep440",  "maven",
                                   "gem",    "golang", "cargo", "nuget", "composer", "generic" };
    size_t n = 0;
    while (bsn_schemes[n])
        n++;
    assert_int_equal(n, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < n; i++) {
        const struct bsn_scheme *s = bsn_scheme_find(names[i]);
        assert_non_null(s);
        assert_string_equal(s->name, names[i]);
        assert_non_null(s->valid);
        assert_non_null(s->compare);
    }
    assert_null(bsn_scheme_find("debian"));
    assert_null(bsn_scheme_find(""));
}

static void
test_deb(void **state)
{
    (void)state;
    LT("deb", "1.0~rc1-1", "1.0-1");
    LT("deb", "1.0~~", "1.0~");
    GT("deb", "1:0.9-1", "2.0-1");
    EQ("deb", "0:1.0-1", "1.0-1");
    EQ("deb", "1.0-1", "1.0-01");
    EQ("deb", "1.0", "1.0-0"); /* no revision sorts like "0" */
    LT("deb", "1.0", "1.0-1");
    LT("deb", "1.0a", "1.0+");   /* letters before other characters */
    LT("deb", "1.0-1ubuntu1", "1.0-1ubuntu1.1");
    LT("deb", "3.0.14-1~deb12u1", "3.0.14-1~deb12u2");
    LT("deb", "3.0.14-1~deb12u2", "3.0.14-1");
    /* numbers compare exactly beyond any machine integer */
    LT("deb", "1.123456789012345678901234567890", "1.123456789012345678901234567891");
    GT("deb", "100000000000000000000000:1", "99999999999999999999999:1");
    VALID("deb", "1:2.30-4ubuntu1~22.04.1");
    VALID("deb", "2:1.0:1-1"); /* ':' in the upstream part needs an epoch */
    VALID("deb", "1.0-1-1");   /* '-' in the upstream part needs a revision */
    INVALID("deb", "");
    INVALID("deb", ":1.0");
    INVALID("deb", "1:");
    INVALID("deb", "a1.0");
    INVALID("deb", "1.0-");
    INVALID("deb", "1.0 1");
    INVALID("deb", "x:1.0");
    INVALID("deb", "99999999999:1.0"); /* epoch beyond INT_MAX */
    INVALID("deb", "1.0-a_b");
}

static void
test_rpm(void **state)
{
    (void)state;
    GT("rpm", "1:1.0-1", "2.0-1");
    EQ("rpm", "0:1.0-1", "1.0-1");
    LT("rpm", "1.0", "1.0-1"); /* no release before any release */
    LT("rpm", "1.0~rc1-1", "1.0-1");
    GT("rpm", "1.0^git1-1", "1.0-1");
    LT("rpm", "1.0^git1-1", "1.0.1-1");
    LT("rpm", "1.0-1.el9", "1.0-1.el9_2");
    LT("rpm", "3.0.7-24.el9", "1:3.0.7-16.el9");
    GT("rpm", "1.10", "1.9");
    LT("rpm", "1.a", "1.1");   /* digits beat letters */
    EQ("rpm", "1.01", "1.1");
    EQ("rpm", "1_0", "1.0");   /* separators are all alike */
    VALID("rpm", "1:3.0.7-24.el9_3");
    VALID("rpm", "1.0^20230101git");
    INVALID("rpm", "");
    INVALID("rpm", "1.0-1-1");
    INVALID("rpm", "1.0-");
    INVALID("rpm", "1.0 -1");
    INVALID("rpm", ":1.0");
}

static void
test_apk(void **state)
{
    (void)state;
    LT("apk", "1.0_rc1", "1.0");
    LT("apk", "1.0", "1.0-r1");
    LT("apk", "1.0-r1", "1.0_p1"); /* a suffix outranks a revision */
    LT("apk", "1.0_alpha", "1.0_beta");
    LT("apk", "1.0_pre2", "1.0_rc1");
    LT("apk", "1.0_cvs", "1.0_git");
    LT("apk", "1.0a", "1.0b");
    LT("apk", "1.0", "1.0a");
    LT("apk", "1.01", "1.1"); /* leading zero: string comparison */
    LT("apk", "1.2.3-r9", "1.2.3-r10");
    LT("apk", "1.2.3_git20230101-r0", "1.2.4-r0");
    VALID("apk", "3.4.1-r3");
    VALID("apk", "0.1_pre2~1234abcd-r1");
    INVALID("apk", "");
    INVALID("apk", "1.0-r");
    INVALID("apk", "1.0_foo");
    INVALID("apk", "v1.0");
}

static void
test_semver(void **state)
{
    (void)state;
    LT("semver", "1.0.0-alpha", "1.0.0-alpha.1");
    LT("semver", "1.0.0-alpha.1", "1.0.0-alpha.beta");
    LT("semver", "1.0.0-beta.2", "1.0.0-beta.11");
    LT("semver", "1.0.0-rc.1", "1.0.0");
    EQ("semver", "1.0.0+build.1", "1.0.0+build.2");
    EQ("semver", "v1.0.0", "1.0.0");
    /* intended difference: node-semver rounds these through JavaScript numbers */
    GT("semver", "1.0.0-9007199254740993", "1.0.0-9007199254740992");
    VALID("semver", " 1.2.3 ");
    VALID("semver", "9007199254740991.0.0");
    INVALID("semver", "9007199254740992.0.0");
    INVALID("semver", "01.2.3");
    INVALID("semver", "1.2.3-01");
    INVALID("semver", "1.2");
    INVALID("semver", "=1.2.3");
    INVALID("semver", "1.2.3beta");
    /* invalid strings still order: before every valid version */
    LT("semver", "not-a-version", "0.0.0-0");
    /* npm: node-semver loose */
    VALID("npm", "=1.2.3");
    VALID("npm", "v 1.2.3");
    VALID("npm", "01.02.03");
    VALID("npm", "1.2.3-");     /* "-" is an identifier */
    EQ("npm", "1.2.3beta", "1.2.3-beta");
    EQ("npm", "1.3.11.10", "1.3.1-1.10"); /* node backtracks into the patch number */
    EQ("npm", "01.2.3", "1.2.3");
    INVALID("npm", "1.2");
}

static void
test_cargo_golang(void **state)
{
    (void)state;
    /* cargo: intended difference, build metadata ignored (the semver crate orders it) */
    EQ("cargo", "1.0.0+a", "1.0.0+b");
    LT("cargo", "1.0.0-alpha.1", "1.0.0");
    INVALID("cargo", "v1.0.0");
    INVALID("cargo", " 1.0.0");
    INVALID("cargo", "1.0");
    VALID("cargo", "18446744073709551615.0.0"); /* the semver crate's u64 */
    INVALID("cargo", "18446744073709551616.0.0");
    GT("cargo", "9007199254740993.0.0", "9007199254740992.0.0");
    /* golang */
    EQ("golang", "v1.2", "v1.2.0");
    EQ("golang", "v1", "1.0.0");
    EQ("golang", "v2.0.0+incompatible", "v2.0.0");
    LT("golang", "v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa");
    LT("golang", "v0.0.0-20200101000000-aaaaaaaaaaaa", "v0.1.0");
    GT("golang", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3");
    LT("golang", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4");
    LT("golang", "1.21.0-rc.1", "1.21.0");
    GT("golang", "v1.100000000000000000000.0", "v1.99999999999999999999.0");
    INVALID("golang", "v1.2-pre");
    INVALID("golang", "v01.2.3");
    INVALID("golang", "v1.2.3-01");
    INVALID("golang", "");
    LT("golang", "garbage", "v0.0.0");
}

static void
test_pep440(void **state)
{
    (void)state;
    LT("pep440", "1.0.dev1", "1.0a1");
    LT("pep440", "1.0a1", "1.0a2.dev1");
    LT("pep440", "1.0a2.dev1", "1.0a2");
    LT("pep440", "1.0a2", "1.0b1");
    LT("pep440", "1.0rc1", "1.0");
    LT("pep440", "1.0", "1.0.post1.dev1");
    LT("pep440", "1.0.post1.dev1", "1.0.post1");
    LT("pep440", "1.0", "1.0+abc");
    LT("pep440", "1.0+abc", "1.0+1");     /* a number beats a string */
    LT("pep440", "1.0+abc.1", "1.0+abc.2");
    GT("pep440", "1!0.1", "2.0");
    EQ("pep440", "1.0", "1.0.0");
    EQ("pep440", "1.0alpha1", "1.0a1");
    EQ("pep440", "1.0-1", "1.0.post1");
    EQ("pep440", "1.0.C1", "1.0rc1");
    EQ("pep440", "v1.0", "1.0");
    EQ("pep440", " 1.0 ", "1.0");  /* intended difference from the renovatebot port */
    EQ("pep440", "1.0a", "1.0a0");
    LT("pep440", "1.123456789012345678901234567890", "1.123456789012345678901234567891");
    INVALID("pep440", "1.0+");
    INVALID("pep440", "1.0-");
    INVALID("pep440", "a1");
    INVALID("pep440", "1..0");
    INVALID("pep440", "");
}

static void
test_maven(void **state)
{
    (void)state;
    LT("maven", "1.0-SNAPSHOT", "1.0");
    LT("maven", "1.0-alpha-1", "1.0-beta-1");
    LT("maven", "1.0-rc1", "1.0");
    EQ("maven", "1.0.0", "1");
    EQ("maven", "1-ga", "1");
    EQ("maven", "1.0.FINAL", "1.0");
    EQ("maven", "2.0.0.RELEASE", "2.0.0");
    EQ("maven", "1.0-cr1", "1.0-rc1");
    EQ("maven", "1.0a1", "1.0-alpha-1");
    GT("maven", "1.0-sp1", "1.0");
    GT("maven", "1.0-foo", "1.0-sp");    /* unknown qualifiers after known ones */
    LT("maven", "1.0-abc", "1.0-abd");
    GT("maven", "1.0.1", "1.0-1");
    LT("maven", "2.12.7", "2.12.7.1");
    GT("maven", "123456789012345678901234567890", "12345678901234567890123456789");
    EQ("maven", "1.É", "1.é");
    GT("maven", "ζέβρα", "zebra");
    /* intended difference: only ASCII digits are digits (Java would read "a-٨" as "alpha-8") */
    assert_int_not_equal(cmp("maven", "1-a-\xd9\xa8", "1-a-8"), 0);
    /* over Maven's 256-character cap: invalid, yet still totally ordered */
    char a[300], b[300];
    memset(a, '1', 299);
    a[299] = 0;
    memcpy(b, a, 300);
    b[298] = '2';
    INVALID("maven", a);
    LT("maven", a, b);
    EQ("maven", a, a);
    INVALID("maven", "");
    INVALID("maven", "1.0 beta");
    INVALID("maven", "[1.0]");
}

static void
test_gem(void **state)
{
    (void)state;
    LT("gem", "1.0.a", "1.0");
    LT("gem", "1.0.0.rc1", "1.0.0");
    LT("gem", "1.0.0.rc2", "1.0.0.rc10");
    EQ("gem", "1.0.0", "1");
    EQ("gem", "1.0-beta", "1.0.pre.beta");
    LT("gem", "1.0-beta", "1.0");
    EQ("gem", "1.0.a.0", "1.0.a");
    EQ("gem", "1.0.0.a", "1.a");
    /* Ruby compares strings byte-wise: an intended difference from ruby-semver */
    LT("gem", "1.1Z", "1.1pre");
    VALID("gem", "");           /* Gem::Version.new("") is "0" */
    EQ("gem", "", "0");
    VALID("gem", " 1.2.3 ");
    INVALID("gem", "a");
    INVALID("gem", "1.");
    INVALID("gem", "1.0-");
    INVALID("gem", "1 2");
}

static void
test_nuget(void **state)
{
    (void)state;
    EQ("nuget", "1.0", "1.0.0.0");
    EQ("nuget", "1.01", "1.1");
    LT("nuget", "1.0.0-beta", "1.0.0");
    EQ("nuget", "1.0.0-Beta", "1.0.0-beta");
    LT("nuget", "1.0.0-beta.2", "1.0.0-beta.10");
    LT("nuget", "1.0.0-2", "1.0.0-alpha");
    LT("nuget", "1.0.0-alpha", "1.0.0-alpha.1");
    EQ("nuget", "1.0.0+meta", "1.0.0");
    GT("nuget", "1.0.0.1", "1.0.0");
    INVALID("nuget", "1");
    INVALID("nuget", "1.0.0.0.0");
    INVALID("nuget", "1.0-");
    INVALID("nuget", "3000000000.0");
}

static void
test_composer(void **state)
{
    (void)state;
    EQ("composer", "1.0.0", "1.0");
    EQ("composer", "v1.0.0", "1.0.0.0");
    EQ("composer", "1.0.0+build", "1.0.0");
    LT("composer", "1.0.0-dev", "1.0.0-alpha1");
    LT("composer", "1.0.0-alpha1", "1.0.0-beta2");
    LT("composer", "1.0.0-beta2", "1.0.0-RC1");
    EQ("composer", "1.0.0-rc1", "1.0.0-RC1");
    LT("composer", "1.0.0-RC1", "1.0.0");
    LT("composer", "1.0.0", "1.0.0-patch1");
    EQ("composer", "1.0.0-pl1", "1.0.0-patch1");
    EQ("composer", "1.0.0-stable", "1.0.0");
    LT("composer", "1.0.0-beta2", "1.0.0-beta10");
    GT("composer", "2.x-dev", "2.99");
    LT("composer", "dev-main", "0.0.1");
    LT("composer", "dev-feature", "dev-main");
    INVALID("composer", "foo");
    INVALID("composer", "");
    VALID("composer", "dev-main");
    VALID("composer", "1.2.3.4");
}

static void
test_generic(void **state)
{
    (void)state;
    EQ("generic", "1.0", "1");
    LT("generic", "1.0rc1", "1.0");
    LT("generic", "1.0", "1.0.1");
    GT("generic", "10", "9");
    EQ("generic", "1.0-Final", "1.0.final");
    LT("generic", "2023.01.05", "2023.1.6");
    VALID("generic", "7.88.1");
    INVALID("generic", "");
    INVALID("generic", "abc");
    INVALID("generic", "1 2");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry), cmocka_unit_test(test_deb),
        cmocka_unit_test(test_rpm),      cmocka_unit_test(test_apk),
        cmocka_unit_test(test_semver),   cmocka_unit_test(test_cargo_golang),
        cmocka_unit_test(test_pep440),   cmocka_unit_test(test_maven),
        cmocka_unit_test(test_gem),      cmocka_unit_test(test_nuget),
        cmocka_unit_test(test_composer), cmocka_unit_test(test_generic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
