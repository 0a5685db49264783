/*
 * YAML reader: scalar typing (strings by default, core-schema null/bool, numbers only on
 * request, version-like text kept), anchors/aliases and merge keys, multi-document streams,
 * the alias-bomb node cap, depth cap, error positions, a real rubysec advisory from the
 * tests/data/feeds samples, and pnpm lockfiles (5.4 kept as text, pnpm 11's two documents).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "textfmt/yaml.h"

static json_t *
parse(const char *s, unsigned flags)
{
    struct bsn_yaml_opts o = { .flags = flags };
    json_t *out = NULL;
    struct bsn_err err = { 0 };
    bsn_code rc = bsn_yaml_parse_opts(s, strlen(s), &o, &out, &err);
    if (rc != BSN_OK)
        fprintf(stderr, "unexpected error: %s\n", err.msg);
    assert_int_equal(rc, BSN_OK);
    return out;
}

static const char *
str_at(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void
test_scalars_default(void **state)
{
    (void)state;
    json_t *o = parse("a: 1.10\nb: 0x1F\nc: true\nd: no\ne: ~\nf:\ng: \"true\"\n"
                      "h: 'x: y'\ni: |\n  line1\n  line2\nj: >-\n  folded\n  text\n"
                      "1.10: key\nk: !!str 2.0\nl: 2026-08-20\n",
                      0);
    assert_string_equal(str_at(o, "a"), "1.10");
    assert_string_equal(str_at(o, "b"), "0x1F");
    assert_true(json_is_true(json_object_get(o, "c")));
    assert_string_equal(str_at(o, "d"), "no");
    assert_true(json_is_null(json_object_get(o, "e")));
    assert_true(json_is_null(json_object_get(o, "f")));
    assert_string_equal(str_at(o, "g"), "true");
    assert_string_equal(str_at(o, "h"), "x: y");
    assert_string_equal(str_at(o, "i"), "line1\nline2\n");
    assert_string_equal(str_at(o, "j"), "folded text");
    assert_string_equal(str_at(o, "1.10"), "key");
    assert_string_equal(str_at(o, "k"), "2.0");
    assert_string_equal(str_at(o, "l"), "2026-08-20");
    json_decref(o);
}

static void
test_scalars_numbers(void **state)
{
    (void)state;
    json_t *o = parse("a: 1.10\nb: 0x1F\nc: -42\nd: 0o17\ne: .inf\nf: '3'\ng: 1e3\n"
                      "h: 99999999999999999999\ni: !!int \"7\"\nj: 1.2.3\n",
                      BSN_YAML_NUMBERS);
    assert_true(json_real_value(json_object_get(o, "a")) == 1.1);
    assert_int_equal(json_integer_value(json_object_get(o, "b")), 31);
    assert_int_equal(json_integer_value(json_object_get(o, "c")), -42);
    assert_int_equal(json_integer_value(json_object_get(o, "d")), 15);
    assert_string_equal(str_at(o, "e"), ".inf");
    assert_string_equal(str_at(o, "f"), "3");
    assert_true(json_real_value(json_object_get(o, "g")) == 1000.0);
    /* too big for int64: a float */
    assert_true(json_is_real(json_object_get(o, "h")));
    assert_int_equal(json_integer_value(json_object_get(o, "i")), 7);
    assert_string_equal(str_at(o, "j"), "1.2.3");
    json_decref(o);
}

static void
test_anchors_merge(void **state)
{
    (void)state;
    json_t *o = parse("base: &b {x: 1, y: 2}\nother: &o {z: 3}\n"
                      "c: {<<: *b, y: 9}\nd:\n  <<: [*b, *o]\ne: [*b, *b]\n",
                      0);
    json_t *c = json_object_get(o, "c");
    assert_string_equal(str_at(c, "x"), "1");
    assert_string_equal(str_at(c, "y"), "9");
    assert_int_equal(json_object_size(c), 2);
    json_t *d = json_object_get(o, "d");
    assert_int_equal(json_object_size(d), 3);
    assert_string_equal(str_at(d, "z"), "3");
    json_t *e = json_object_get(o, "e");
    assert_ptr_equal(json_array_get(e, 0), json_object_get(o, "base"));
    json_decref(o);
    /* "<<" with a scalar is an ordinary key */
    o = parse("m:\n  <<: text\n  k: v\n", 0);
    assert_string_equal(str_at(json_object_get(o, "m"), "<<"), "text");
    json_decref(o);
}

static void
test_multi_document(void **state)
{
    (void)state;
    json_t *first = parse("--- {a: 1}\n--- {a: 2}\n---\n", 0);
    assert_string_equal(str_at(first, "a"), "1");
    json_decref(first);
    json_t *all = parse("--- {a: 1}\n--- {a: 2}\n---\n", BSN_YAML_ALL_DOCS);
    assert_int_equal(json_array_size(all), 3);
    assert_string_equal(str_at(json_array_get(all, 1), "a"), "2");
    assert_true(json_is_null(json_array_get(all, 2)));
    json_decref(all);
    json_t *none = parse("", 0);
    assert_true(json_is_null(none));
    json_decref(none);
    json_t *none_all = parse("# only a comment\n", BSN_YAML_ALL_DOCS);
    assert_int_equal(json_array_size(none_all), 0);
    json_decref(none_all);
}

static void
check_error(const char *s, const struct bsn_yaml_opts *o, bsn_code code, const char *msg)
{
    json_t *out = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_yaml_parse_opts(s, strlen(s), o, &out, &err), code);
    assert_null(out);
    if (!strstr(err.msg, msg))
        fprintf(stderr, "message: %s\n", err.msg);
    assert_non_null(strstr(err.msg, msg));
}

static void
test_limits_and_errors(void **state)
{
    (void)state;
    /* billion laughs: 9^9 strings if expanded */
    static const char bomb[] =
        "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    check_error(bomb, NULL, BSN_ELIMIT, "line 7, column");
    struct bsn_yaml_opts small = { .max_nodes = 10 };
    check_error("[1,2,3,4,5,6,7,8,9,10,11]", &small, BSN_ELIMIT, "exceeds 10 nodes");
    struct bsn_yaml_opts shallow = { .max_depth = 3 };
    check_error("[[[[1]]]]", &shallow, BSN_ELIMIT, "line 1, column 4: nesting too deep");
    check_error("a: [b\n", NULL, BSN_EFORMAT, "line 2, column 1:");
    check_error("a: *nope\n", NULL, BSN_EFORMAT, "line 1, column 4: unknown or unfinished");
    check_error("&a [*a]\n", NULL, BSN_EFORMAT, "unknown or unfinished anchor 'a'");
    check_error("? [a]\n: b\n", NULL, BSN_EUNSUPPORTED, "complex mapping key");
    check_error("a: 1\n b: 2\n", NULL, BSN_EFORMAT, "line 2");
    /* input need not be NUL-terminated */
    json_t *out = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_yaml_parse("a: 12345", 5, &out, &err), BSN_OK);
    assert_string_equal(str_at(out, "a"), "12");
    json_decref(out);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void
test_real_rubysec(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp(BSN_TEST_DATA "/feeds/rubysec/sample/rubysec-ruby-advisory-db/gems/"
                                     "actionpack/CVE-2026-33167.yml",
                       &len);
    json_t *out = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_yaml_parse(data, len, &out, &err), BSN_OK);
    assert_string_equal(str_at(out, "gem"), "actionpack");
    assert_string_equal(str_at(out, "cve"), "2026-33167");
    assert_string_equal(str_at(out, "ghsa"), "pgm4-439c-5jp6");
    assert_string_equal(str_at(out, "cvss_v4"), "1.3");
    assert_string_equal(str_at(out, "date"), "2026-03-23");
    assert_non_null(strstr(str_at(out, "description"), "### Impact\nThe debug exceptions"));
    json_t *pv = json_object_get(out, "patched_versions");
    assert_int_equal(json_array_size(pv), 1);
    assert_string_equal(json_string_value(json_array_get(pv, 0)), ">= 8.1.2.1");
    json_t *uv = json_object_get(out, "unaffected_versions");
    assert_string_equal(json_string_value(json_array_get(uv, 0)), "< 8.1.0");
    json_t *urls = json_object_get(json_object_get(out, "related"), "url");
    assert_int_equal(json_array_size(urls), 4);
    json_decref(out);
    free(data);
}

static void
test_real_pnpm_locks(void **state)
{
    (void)state;
    size_t len;
    json_t *out = NULL;
    struct bsn_err err = { 0 };
    /* lockfileVersion: 5.4 (plain) stays the text "5.4" */
    char *data = slurp(BSN_TEST_DATA "/javascript/pnpm-lock-trivy-with-dev-deps/pnpm-lock.yaml",
                       &len);
    assert_int_equal(bsn_yaml_parse(data, len, &out, &err), BSN_OK);
    assert_string_equal(str_at(out, "lockfileVersion"), "5.4");
    json_decref(out);
    free(data);
    /* v9: 22 packages and 22 snapshots (counted with PyYAML) */
    data = slurp(BSN_TEST_DATA "/javascript/pnpm-lock-trivy-v9/pnpm-lock.yaml", &len);
    assert_int_equal(bsn_yaml_parse(data, len, &out, &err), BSN_OK);
    assert_string_equal(str_at(out, "lockfileVersion"), "9.0");
    assert_int_equal(json_object_size(json_object_get(out, "packages")), 22);
    assert_int_equal(json_object_size(json_object_get(out, "snapshots")), 22);
    json_decref(out);
    free(data);
    /* pnpm 11 writes two documents: the first is the env lockfile */
    data = slurp(BSN_TEST_DATA "/javascript/pnpm-lock-trivy-v9-with-multiple-documents/"
                               "pnpm-lock.yaml",
                 &len);
    struct bsn_yaml_opts all = { .flags = BSN_YAML_ALL_DOCS };
    assert_int_equal(bsn_yaml_parse_opts(data, len, &all, &out, &err), BSN_OK);
    assert_int_equal(json_array_size(out), 2);
    assert_non_null(json_object_get(json_array_get(out, 0), "importers"));
    assert_null(json_object_get(json_array_get(out, 0), "settings"));
    assert_non_null(json_object_get(json_array_get(out, 1), "settings"));
    json_decref(out);
    assert_int_equal(bsn_yaml_parse(data, len, &out, &err), BSN_OK);
    assert_null(json_object_get(out, "settings"));
    json_decref(out);
    free(data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_default),
        cmocka_unit_test(test_scalars_numbers),
        cmocka_unit_test(test_anchors_merge),
        cmocka_unit_test(test_multi_document),
        cmocka_unit_test(test_limits_and_errors),
        cmocka_unit_test(test_real_rubysec),
        cmocka_unit_test(test_real_pnpm_locks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
