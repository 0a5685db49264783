/*
 * Java archive analyzer: the golden jars of tests/data/java (trivy's jar parser cases: shaded,
 * nested, manifest-only Jenkins plugin, packed licenses), syft's MANIFEST.MF and pom.properties
 * cases (manifests through the parser's test hook, pom.properties packed into a jar here), and
 * hostile archives built here: not a zip, truncated, a 100 MiB inflating entry, jars nested
 * 100 deep.
 */
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include "base/arena.h"
#include "langbin_golden.h"

char *bsn_java_manifest_dump(struct bsn_arena *a, const char *data, size_t len);

static char tmpdir[256];

/* trivy's "testdata/a.jar/META-INF/jars/b.jar" as CONTRACT.md's "a.jar!/META-INF/jars/b.jar". */
static char *
contract_path(const char *trivy)
{
    const char *p = trivy;
    if (strncmp(p, "testdata/", 9) == 0)
        p += 9;
    char *out = calloc(1, strlen(p) * 2 + 1);
    size_t o = 0;
    for (size_t i = 0; p[i]; i++) {
        out[o++] = p[i];
        if (p[i] == '/' && i >= 4 && strncmp(p + i - 4, ".jar", 4) == 0) {
            out[o - 1] = '!';
            out[o++] = '/';
        }
    }
    return out;
}

static void
check_jar_case(const char *kind, const char *name)
{
    json_t *exp = golden_expected(kind, name);
    struct bsn_result *r = NULL;
    assert_int_equal(golden_scan(kind, name, exp, &r), BSN_OK);
    json_t *pkgs = json_object_get(exp, "packages");
    if (golden_count_type(r, "maven") != json_array_size(pkgs)) {
        for (size_t i = 0; i < r->n_packages; i++)
            print_message("got %s %s@%s %s\n", r->packages[i].type, r->packages[i].name,
                          r->packages[i].version, r->packages[i].path);
        fail_msg("%s: %zu packages, expected %zu", name, golden_count_type(r, "maven"),
                 json_array_size(pkgs));
    }
    size_t i;
    json_t *e;
    json_array_foreach(pkgs, i, e) {
        const char *pname = json_string_value(json_object_get(e, "name"));
        const char *ver = json_string_value(json_object_get(e, "version"));
        const struct bsn_package *p = golden_find(r, "maven", pname, ver);
        if (!p)
            fail_msg("%s: missing %s@%s", name, pname, ver);
        char *want_path = contract_path(json_string_value(json_object_get(e, "file_path")));
        assert_string_equal(p->path, want_path);
        free(want_path);
        /* purl pkg:maven/group/artifact@version */
        char purl[512];
        const char *colon = strchr(pname, ':');
        snprintf(purl, sizeof(purl), "pkg:maven/%.*s/%s@%s", (int)(colon - pname), pname,
                 colon + 1, ver);
        assert_string_equal(p->purl, purl);
        json_t *lic = json_object_get(e, "licenses");
        assert_int_equal(p->n_licenses, json_array_size(lic));
        for (size_t k = 0; k < p->n_licenses; k++)
            assert_string_equal(p->licenses[k], json_string_value(json_array_get(lic, k)));
    }
    assert_int_equal(r->n_diags, 0);
    bsn_result_free(r);
    json_decref(exp);
}

static void
test_golden_jars(void **state)
{
    (void)state;
    assert_int_equal(golden_each("java", "jar-", check_jar_case), 4);
}

static void
check_manifest_case(const char *kind, const char *name)
{
    json_t *exp = golden_expected(kind, name);
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s/MANIFEST.MF", BSN_TEST_DATA, kind, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char data[8192];
    size_t n = fread(data, 1, sizeof(data), f);
    fclose(f);
    struct bsn_arena *a = bsn_arena_new();
    char *got = bsn_java_manifest_dump(a, data, n);
    /* The same dump built from expected.json: main section 0, then 1, 2, … */
    char *want = bsn_arena_strdup(a, "");
    size_t i, k;
    json_t *kv, *sec;
    json_array_foreach(json_object_get(exp, "manifest_main"), i, kv)
        want = bsn_arena_printf(a, "%s0\t%s\t%s\n", want, json_string_value(json_array_get(kv, 0)),
                                json_string_value(json_array_get(kv, 1)));
    json_array_foreach(json_object_get(exp, "manifest_sections"), k, sec)
        json_array_foreach(sec, i, kv)
            want = bsn_arena_printf(a, "%s%zu\t%s\t%s\n", want, k + 1,
                                    json_string_value(json_array_get(kv, 0)),
                                    json_string_value(json_array_get(kv, 1)));
    assert_string_equal(got, want);
    bsn_arena_free(a);
    json_decref(exp);
}

static void
test_golden_manifests(void **state)
{
    (void)state;
    assert_int_equal(golden_each("java", "manifest-", check_manifest_case), 4);
}

/* ---- building archives ---------------------------------------------------------------------- */

struct member {
    const char *name;
    const void *data;
    size_t len;
};

/* Writes a zip of the members to path (or, with path NULL, to *mem of *mem_len bytes). */
static void
write_zip(const char *path, const struct member *m, size_t n, void *mem, size_t cap,
          size_t *mem_len)
{
    struct archive *a = archive_write_new();
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    if (path)
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    else
        assert_int_equal(archive_write_open_memory(a, mem, cap, mem_len), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)m[i].len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        const char *p = m[i].data;
        size_t left = m[i].len;
        while (left) {
            size_t chunk = left > (1u << 20) ? (1u << 20) : left;
            assert_true(archive_write_data(a, p ? p : (const char *)mem, chunk) ==
                        (la_ssize_t)chunk);
            if (p)
                p += chunk;
            left -= chunk;
        }
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static struct bsn_result *
scan_one(const char *img, const char *disk)
{
    const char *i[1] = { img }, *d[1] = { disk };
    return golden_scan_paths(1, i, d);
}

static void
check_props_case(const char *kind, const char *name)
{
    json_t *exp = golden_expected(kind, name);
    char path[1024], jar[1024];
    snprintf(path, sizeof(path), "%s/%s/%s/pom.properties", BSN_TEST_DATA, kind, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char data[4096];
    size_t n = fread(data, 1, sizeof(data), f);
    fclose(f);
    /* pom.properties only has meaning inside an archive: pack it as Maven does. */
    struct member m = { "META-INF/maven/g/a/pom.properties", data, n };
    snprintf(jar, sizeof(jar), "%s/%s.jar", tmpdir, name);
    write_zip(jar, &m, 1, NULL, 0, NULL);
    struct bsn_result *r = scan_one("app/lib/app.jar", jar);
    json_t *e = json_array_get(json_object_get(exp, "packages"), 0);
    char full[512];
    snprintf(full, sizeof(full), "%s:%s", json_string_value(json_object_get(e, "group")),
             json_string_value(json_object_get(e, "name")));
    assert_int_equal(golden_count_type(r, "maven"), 1);
    const struct bsn_package *p = golden_find(r, "maven", full,
                                              json_string_value(json_object_get(e, "version")));
    assert_non_null(p);
    assert_string_equal(p->path, "app/lib/app.jar");
    bsn_result_free(r);
    unlink(jar);
    json_decref(exp);
}

static void
test_golden_pom_properties(void **state)
{
    (void)state;
    assert_int_equal(golden_each("java", "pom-properties-", check_props_case), 3);
}

static void
test_manifest_fallback_and_filename(void **state)
{
    (void)state;
    /* Bundle-SymbolicName without its last segment is the group; a war nests a jar. */
    static const char mf[] = "Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson"
                             ".core.jackson-databind;singleton:=true\r\nBundle-Name: jackson-da"
                             "tabind\r\nBundle-Version: 2.9.8\r\nBundle-License: Apache-2.0\r\n";
    static const char props[] = "groupId=org.example\nartifactId=inner\nversion=1.0\n";
    struct member im = { "META-INF/maven/org.example/inner/pom.properties", props,
                         sizeof(props) - 1 };
    static char inner[4096];
    size_t inner_len = 0;
    write_zip(NULL, &im, 1, inner, sizeof(inner), &inner_len);
    struct member m[2] = { { "META-INF/MANIFEST.MF", mf, sizeof(mf) - 1 },
                           { "WEB-INF/lib/inner-1.0.jar", inner, inner_len } };
    char war[512];
    snprintf(war, sizeof(war), "%s/app.war", tmpdir);
    write_zip(war, m, 2, NULL, 0, NULL);
    struct bsn_result *r = scan_one("srv/app.war", war);
    assert_int_equal(golden_count_type(r, "maven"), 2);
    const struct bsn_package *p =
        golden_find(r, "maven", "com.fasterxml.jackson.core:jackson-databind", "2.9.8");
    assert_non_null(p);
    assert_string_equal(p->path, "srv/app.war");
    assert_int_equal(p->n_licenses, 1);
    assert_string_equal(p->licenses[0], "Apache-2.0");
    p = golden_find(r, "maven", "org.example:inner", "1.0");
    assert_non_null(p);
    assert_string_equal(p->path, "srv/app.war!/WEB-INF/lib/inner-1.0.jar");
    assert_string_equal(p->purl, "pkg:maven/org.example/inner@1.0");
    bsn_result_free(r);
    unlink(war);
}

static void
test_file_name_fallback(void **state)
{
    (void)state;
    /* no pom.properties, a manifest without version fields: group from the module name,
     * artifact and version from the file name */
    static const char mf[] = "Manifest-Version: 1.0\nAutomatic-Module-Name: org.example.foo.lib\n"
                             "Implementation-Vendor: Example Corp\n";
    struct member m = { "META-INF/MANIFEST.MF", mf, sizeof(mf) - 1 };
    char jar[512];
    snprintf(jar, sizeof(jar), "%s/x.jar", tmpdir);
    write_zip(jar, &m, 1, NULL, 0, NULL);
    struct bsn_result *r = scan_one("lib/foo-lib-2.3.1-beta.jar", jar);
    assert_int_equal(golden_count_type(r, "maven"), 1);
    assert_non_null(golden_find(r, "maven", "org.example.foo:foo-lib", "2.3.1-beta"));
    bsn_result_free(r);
    /* only a vendor's display name: no group, nothing reported */
    static const char mf2[] = "Manifest-Version: 1.0\nImplementation-Vendor: Example Corp\n";
    m.data = mf2;
    m.len = sizeof(mf2) - 1;
    write_zip(jar, &m, 1, NULL, 0, NULL);
    r = scan_one("lib/foo-lib-2.3.1.jar", jar);
    assert_int_equal(golden_count_type(r, "maven"), 0);
    bsn_result_free(r);
    unlink(jar);
}

static void
test_unversioned_jar_name(void **state)
{
    (void)state;
    /* Debian's commons-lang3.jar: pom.properties and a manifest of the same version, one
     * package (not a second "org.apache.commons:Apache Commons Lang") */
    static const char props[] = "artifactId=commons-lang3\ngroupId=org.apache.commons\n"
                                "version=3.12.0\n";
    static const char mf[] = "Manifest-Version: 1.0\nImplementation-Title: Apache Commons Lang\n"
                             "Implementation-Vendor-Id: org.apache.commons\n"
                             "Implementation-Version: 3.12.0\n";
    struct member m[2] = { { "META-INF/MANIFEST.MF", mf, sizeof(mf) - 1 },
                           { "META-INF/maven/org.apache.commons/commons-lang3/pom.properties",
                             props, sizeof(props) - 1 } };
    char jar[512];
    snprintf(jar, sizeof(jar), "%s/u.jar", tmpdir);
    write_zip(jar, m, 2, NULL, 0, NULL);
    struct bsn_result *r = scan_one("usr/share/java/commons-lang3.jar", jar);
    assert_int_equal(golden_count_type(r, "maven"), 1);
    assert_non_null(golden_find(r, "maven", "org.apache.commons:commons-lang3", "3.12.0"));
    bsn_result_free(r);

    /* guice.jar: a shaded cglib's pom.properties, guice itself only in the manifest */
    static const char cglib[] = "groupId=cglib\nartifactId=cglib\nversion=3.2.12\n";
    static const char gmf[] = "Manifest-Version: 1.0\nImplementation-Vendor-Id: com.google.inject"
                              "\nImplementation-Title: guice\nImplementation-Version: 4.2.3\n";
    struct member g[2] = { { "META-INF/MANIFEST.MF", gmf, sizeof(gmf) - 1 },
                           { "META-INF/maven/cglib/cglib/pom.properties", cglib,
                             sizeof(cglib) - 1 } };
    write_zip(jar, g, 2, NULL, 0, NULL);
    r = scan_one("usr/share/java/guice.jar", jar);
    assert_int_equal(golden_count_type(r, "maven"), 2);
    assert_non_null(golden_find(r, "maven", "cglib:cglib", "3.2.12"));
    assert_non_null(golden_find(r, "maven", "com.google.inject:guice", "4.2.3"));
    bsn_result_free(r);
    unlink(jar);
}

static void
test_not_a_zip(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/bad.jar", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("this is not a zip archive at all, just text\n", f);
    fclose(f);
    struct bsn_result *r = scan_one("opt/bad.jar", path);
    assert_int_equal(golden_count_type(r, "maven"), 0);
    assert_true(golden_has_diag(r, "opt/bad.jar"));
    bsn_result_free(r);

    /* A real jar cut in half: no crash, a diagnostic, nothing invented. */
    char src[1024];
    snprintf(src, sizeof(src), "%s/java/jar-trivy-multi-license-jar/multi-license-1.0.0.jar",
             BSN_TEST_DATA);
    f = fopen(src, "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    f = fopen(path, "wb");
    fwrite(buf, 1, n / 2, f);
    fclose(f);
    r = scan_one("opt/cut.jar", path);
    assert_true(r->n_diags >= 1);
    assert_true(golden_count_type(r, "maven") <= 1);
    bsn_result_free(r);
    unlink(path);
}

static void
test_warnings_capped(void **state)
{
    (void)state;
    /* 30 nested "jars" that are no zips: 16 warnings, then one line counting the rest */
    struct member m[30];
    char names[30][32];
    for (int i = 0; i < 30; i++) {
        snprintf(names[i], sizeof(names[i]), "lib/bad%02d.jar", i);
        m[i].name = names[i];
        m[i].data = "not a zip";
        m[i].len = 9;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/many.jar", tmpdir);
    write_zip(path, m, 30, NULL, 0, NULL);
    struct bsn_result *r = scan_one("many.jar", path);
    size_t n = 0;
    for (size_t i = 0; i < r->n_diags; i++)
        n += strstr(r->diags[i].message, "not a zip archive") != NULL;
    assert_int_equal(n, 16);
    assert_true(golden_has_diag(r, "14 more warnings"));
    bsn_result_free(r);
    unlink(path);
}

static void
test_zip_bomb_entry(void **state)
{
    (void)state;
    /* An inner "jar" inflating to 100 MiB of zeros (about 100 KiB compressed): over the 64 MiB
     * per-entry cap, so it is not read; the outer archive's own package stays. */
    static const char props[] = "groupId=g\nartifactId=outer\nversion=2\n";
    char *zeros = calloc(1, 1u << 20);
    struct member m[2] = { { "META-INF/maven/g/outer/pom.properties", props, sizeof(props) - 1 },
                           { "lib/bomb.jar", NULL, 100u << 20 } };
    char path[512];
    snprintf(path, sizeof(path), "%s/bomb.jar", tmpdir);
    write_zip(path, m, 2, zeros, 1u << 20, NULL);
    free(zeros);
    struct bsn_result *r = scan_one("bomb.jar", path);
    assert_int_equal(golden_count_type(r, "maven"), 1);
    assert_non_null(golden_find(r, "maven", "g:outer", "2"));
    assert_true(golden_has_diag(r, "lib/bomb.jar"));
    bsn_result_free(r);
    unlink(path);
}

static void
test_nested_100_deep(void **state)
{
    (void)state;
    /* Level k holds pom.properties for "deep:lK" and level k+1 as META-INF/lib/lK+1.jar. */
    size_t cap = 1u << 20;
    char *cur = malloc(cap), *next = malloc(cap);
    size_t cur_len = 0;
    for (int level = 99; level >= 0; level--) {
        char props[128], nested[64];
        int pn = snprintf(props, sizeof(props), "groupId=deep\nartifactId=l%d\nversion=1\n",
                          level);
        snprintf(nested, sizeof(nested), "META-INF/lib/l%d.jar", level + 1);
        struct member m[2] = { { "META-INF/maven/deep/x/pom.properties", props, (size_t)pn },
                               { nested, cur, cur_len } };
        size_t next_len = 0;
        write_zip(NULL, m, level == 99 ? 1 : 2, next, cap, &next_len);
        char *t = cur;
        cur = next;
        next = t;
        cur_len = next_len;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/deep.jar", tmpdir);
    FILE *f = fopen(path, "wb");
    fwrite(cur, 1, cur_len, f);
    fclose(f);
    free(cur);
    free(next);
    struct bsn_result *r = scan_one("deep.jar", path);
    /* Depths 0..7 are read, the eighth nested archive is refused with a warning. */
    assert_int_equal(golden_count_type(r, "maven"), 8);
    assert_non_null(golden_find(r, "maven", "deep:l0", "1"));
    const struct bsn_package *p = golden_find(r, "maven", "deep:l7", "1");
    assert_non_null(p);
    assert_string_equal(p->path, "deep.jar!/META-INF/lib/l1.jar!/META-INF/lib/l2.jar!/META-INF/"
                                 "lib/l3.jar!/META-INF/lib/l4.jar!/META-INF/lib/l5.jar!/META-INF/"
                                 "lib/l6.jar!/META-INF/lib/l7.jar");
    assert_null(golden_find(r, "maven", "deep:l8", "1"));
    assert_true(golden_has_diag(r, "nested deeper"));
    bsn_result_free(r);
    unlink(path);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn-java-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    rmdir(tmpdir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_jars),
        cmocka_unit_test(test_golden_manifests),
        cmocka_unit_test(test_golden_pom_properties),
        cmocka_unit_test(test_manifest_fallback_and_filename),
        cmocka_unit_test(test_file_name_fallback),
        cmocka_unit_test(test_unversioned_jar_name),
        cmocka_unit_test(test_not_a_zip),
        cmocka_unit_test(test_warnings_capped),
        cmocka_unit_test(test_zip_bomb_entry),
        cmocka_unit_test(test_nested_100_deep),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
