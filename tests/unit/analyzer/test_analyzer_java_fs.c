/*
 * Java project files for 'bosun fs': Gradle lockfiles (both layouts, test-only
 * configurations, "empty=", malformed lines) and pom.xml (root project with inherited group
 * and version, properties, dependencyManagement, test scope, comments/CDATA/namespaces,
 * unresolvable versions, malformed markup). Expected values are written out by hand from
 * the inputs below.
 */
#include <unistd.h>

#include "langbin_golden.h"

static char tmpdir[256];

static struct bsn_result *
scan_text(const char *img, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/in", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    const char *i[1] = { img }, *d[1] = { path };
    struct bsn_result *r = golden_scan_paths(1, i, d);
    unlink(path);
    return r;
}

static void
test_gradle_lockfile(void **state)
{
    (void)state;
    static const char lock[] =
        "# This is a Gradle generated file for dependency locking.\n"
        "# Manual edits can break the build and are not advised.\n"
        "# This file is expected to be part of source control.\n"
        "com.google.code.gson:gson:2.8.9=compileClasspath,runtimeClasspath\n"
        "junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath\n"
        "org.hamcrest:hamcrest-core:1.3=testRuntimeClasspath\n"
        "org.hamcrest:hamcrest-core:1.3=runtimeClasspath\n"
        "not-a-coordinate=compileClasspath\n"
        "empty=annotationProcessor\n";
    struct bsn_result *r = scan_text("app/gradle.lockfile", lock);
    assert_int_equal(golden_count_type(r, "maven"), 3);
    const struct bsn_package *p = golden_find(r, "maven", "com.google.code.gson:gson", "2.8.9");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:maven/com.google.code.gson/gson@2.8.9");
    assert_false(p->dev);
    assert_true(golden_find(r, "maven", "junit:junit", "4.13.2")->dev);
    /* test-only in one line, runtime in another: not development-only */
    assert_false(golden_find(r, "maven", "org.hamcrest:hamcrest-core", "1.3")->dev);
    assert_true(golden_has_diag(r, "1 malformed lockfile lines skipped (first at line 8)"));
    bsn_result_free(r);

    /* the older per-configuration layout */
    r = scan_text("app/gradle/dependency-locks/compileClasspath.lockfile",
                  "org.slf4j:slf4j-api:1.7.36\n");
    assert_int_equal(golden_count_type(r, "maven"), 1);
    assert_non_null(golden_find(r, "maven", "org.slf4j:slf4j-api", "1.7.36"));
    bsn_result_free(r);

    /* another tool's .lockfile is not Gradle's */
    r = scan_text("app/other.lockfile", "org.slf4j:slf4j-api:1.7.36\n");
    assert_int_equal(golden_count_type(r, "maven"), 0);
    bsn_result_free(r);
}

static const char pom[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- a comment with <dependency> inside -->\n"
    "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
    "  <modelVersion>4.0.0</modelVersion>\n"
    "  <parent>\n"
    "    <groupId>com.example</groupId>\n"
    "    <artifactId>parent</artifactId>\n"
    "    <version>2.1.0</version>\n"
    "  </parent>\n"
    "  <artifactId>app</artifactId>\n"
    "  <properties>\n"
    "    <jackson.version>2.15.2</jackson.version>\n"
    "    <lib.version>${jackson.version}</lib.version>\n"
    "  </properties>\n"
    "  <dependencyManagement><dependencies><dependency>\n"
    "    <groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId>\n"
    "    <version>2.0.9</version>\n"
    "  </dependency></dependencies></dependencyManagement>\n"
    "  <dependencies>\n"
    "    <dependency>\n"
    "      <groupId>com.fasterxml.jackson.core</groupId>\n"
    "      <artifactId>jackson-databind</artifactId>\n"
    "      <version>${lib.version}</version>\n"
    "    </dependency>\n"
    "    <dependency>\n"
    "      <groupId>org.slf4j</groupId>\n"
    "      <artifactId>slf4j-api</artifactId>\n"
    "    </dependency>\n"
    "    <dependency>\n"
    "      <groupId>${project.groupId}</groupId>\n"
    "      <artifactId>app-core</artifactId>\n"
    "      <version>${project.version}</version>\n"
    "    </dependency>\n"
    "    <dependency>\n"
    "      <groupId>junit</groupId><artifactId>junit</artifactId>\n"
    "      <version><![CDATA[4.13.2]]></version><scope>test</scope>\n"
    "    </dependency>\n"
    "    <dependency>\n"
    "      <groupId>org.unknown</groupId><artifactId>from-bom</artifactId>\n"
    "    </dependency>\n"
    "  </dependencies>\n"
    "  <build><plugins><plugin><dependencies><dependency>\n"
    "    <groupId>plugin</groupId><artifactId>dep</artifactId><version>1</version>\n"
    "  </dependency></dependencies></plugin></plugins></build>\n"
    "</project>\n";

static void
test_pom(void **state)
{
    (void)state;
    struct bsn_result *r = scan_text("src/app/pom.xml", pom);
    assert_int_equal(golden_count_type(r, "maven"), 5);
    const struct bsn_package *p = golden_find(r, "maven", "com.example:app", "2.1.0");
    assert_non_null(p);
    assert_int_equal(p->dep, BSN_DEP_ROOT);
    p = golden_find(r, "maven", "com.fasterxml.jackson.core:jackson-databind", "2.15.2");
    assert_non_null(p);
    assert_int_equal(p->dep, BSN_DEP_DIRECT);
    assert_string_equal(p->purl, "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2");
    assert_non_null(golden_find(r, "maven", "org.slf4j:slf4j-api", "2.0.9"));
    assert_non_null(golden_find(r, "maven", "com.example:app-core", "2.1.0"));
    p = golden_find(r, "maven", "junit:junit", "4.13.2");
    assert_non_null(p);
    assert_true(p->dev);
    assert_null(golden_find(r, "maven", "plugin:dep", NULL));
    assert_true(golden_has_diag(r, "1 dependencies without a version"));
    bsn_result_free(r);
}

static void
test_pom_malformed(void **state)
{
    (void)state;
    struct bsn_result *r = scan_text("pom.xml", "<project><groupId>a</artifactId></project>");
    assert_int_equal(golden_count_type(r, "maven"), 0);
    assert_true(golden_has_diag(r, "mismatched end tag"));
    bsn_result_free(r);
    r = scan_text("pom.xml", "<project><dependencies><dependency>");
    assert_int_equal(golden_count_type(r, "maven"), 0);
    assert_true(golden_has_diag(r, "document ends inside"));
    bsn_result_free(r);
    /* 100 levels of nesting */
    char deep[2048] = "";
    for (int i = 0; i < 100; i++)
        memcpy(deep + 3 * i, "<a>", 3);
    r = scan_text("pom.xml", deep);
    assert_true(golden_has_diag(r, "nested deeper"));
    bsn_result_free(r);
    /* self-referencing properties end */
    r = scan_text("pom.xml", "<project><groupId>g</groupId><artifactId>a</artifactId>"
                             "<version>${v}</version><properties><v>${w}</v><w>${v}</w>"
                             "</properties></project>");
    assert_int_equal(golden_count_type(r, "maven"), 0);
    bsn_result_free(r);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/bsn-javafs-XXXXXX");
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
        cmocka_unit_test(test_gradle_lockfile),
        cmocka_unit_test(test_pom),
        cmocka_unit_test(test_pom_malformed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
