/*
 * dpkg analyzer: every case of tests/data/dpkg through bsn_scan_files.
 *
 * For cases with a "packages" list, the result holds exactly those packages (by name and
 * version) and every field the peer asserts that bosun reports: arch, maintainer, source_name
 * and source_version (trivy's convention: both default to the binary's when the stanza has no
 * Source), licenses, purl. expect_error cases give a diagnostic naming the file, and no package.
 * Choices asserted here:
 *   - opkg status files (usr/lib/opkg/status, var/lib/opkg/status) are inventoried as type
 *     "opkg" with purl pkg:opkg/openwrt/…, the raw License field as the one license;
 *   - vcpkg's status file is not a dpkg database (an error, no packages);
 *   - the giant texlive status gives one package per installed stanza, counted here
 *     independently of bosun.
 */
#include <stdbool.h>

#include "ospkg_golden.h"

static size_t cases_checked;

static void
check_case(const char *kind, const char *name)
{
    json_t *exp = ospkg_expected(kind, name);
    struct bsn_result *r = ospkg_scan(kind, name, exp);
    bool opkg = strstr(jstr(exp, "format") ? jstr(exp, "format") : "", "opkg") != NULL;
    const char *type = opkg ? "opkg" : "deb";
    size_t got = ospkg_count(r, type);

    if (json_is_true(json_object_get(exp, "expect_error"))) {
        if (got != 0)
            fail_msg("%s: %zu packages from an invalid file", name, got);
        json_t *inputs = json_object_get(exp, "inputs");
        const char *k;
        json_t *v;
        bool diag = false;
        json_object_foreach(inputs, k, v) {
            char p[512];
            snprintf(p, sizeof(p), "%.*s", (int)strcspn(json_string_value(v), " "),
                     json_string_value(v));
            diag = diag || ospkg_has_diag(r, p);
        }
        if (!diag)
            fail_msg("%s: no diagnostic naming the file", name);
    } else if (strcmp(name, "claircore-giant-texlive") == 0) {
        /* Independent oracle: stanzas whose Status ends in " installed". */
        char path[1024];
        snprintf(path, sizeof(path), "%s/dpkg/%s/status.tar.xz", BSN_TEST_DATA, name);
        char *status = ospkg_unpack(path, "status", "oracle");
        FILE *f = fopen(status, "r");
        assert_non_null(f);
        char line[4096];
        size_t installed = 0, stanzas = 0;
        bool in = false;
        while (fgets(line, sizeof(line), f)) {
            if (line[0] == '\n') {
                in = false;
                continue;
            }
            if (!in) {
                in = true;
                stanzas++;
            }
            size_t n = strlen(line);
            if (strncmp(line, "Status: ", 8) == 0 && n > 11 &&
                strcmp(line + n - 11, " installed\n") == 0)
                installed++;
        }
        fclose(f);
        free(status);
        assert_int_equal(stanzas, json_integer_value(json_object_get(exp, "stanza_count")));
        assert_int_equal(got, installed);
        assert_true(got > 300);
    } else {
        json_t *pkgs = json_object_get(exp, "packages");
        assert_true(json_is_array(pkgs));
        if (got != json_array_size(pkgs))
            fail_msg("%s: %zu packages, expected %zu", name, got, json_array_size(pkgs));
        size_t i;
        json_t *e;
        json_array_foreach(pkgs, i, e) {
            const char *pname = jstr(e, "name");
            const struct bsn_package *p = ospkg_find(r, type, pname, jstr(e, "version"));
            if (!p)
                fail_msg("%s: package %s %s missing", name, pname, jstr(e, "version"));
            ospkg_assert_str("arch", pname, p->arch, jstr(e, "arch"));
            const char *maint = jstr(e, "maintainer");
            if (maint && *maint)
                ospkg_assert_str("maintainer", pname, p->maintainer, maint);
            ospkg_assert_str("source_name", pname, p->source_name,
                             jstr(e, "source_name") ? jstr(e, "source_name") : pname);
            ospkg_assert_str("source_version", pname, p->source_version,
                             jstr(e, "source_version") ? jstr(e, "source_version")
                                                       : jstr(e, "version"));
            ospkg_assert_licenses(p, json_object_get(e, "licenses"));
            if (jstr(e, "license_field")) {
                assert_int_equal(p->n_licenses, 1);
                ospkg_assert_str("license", pname, p->licenses[0], jstr(e, "license_field"));
            }
            ospkg_assert_str("purl", pname, p->purl, jstr(e, "purl"));
            ospkg_assert_str("type", pname, p->type, type);
            assert_non_null(p->purl);
            if (opkg)
                assert_non_null(strstr(p->purl, "pkg:opkg/openwrt/"));
            else
                assert_non_null(strstr(p->purl, "pkg:deb/"));
        }
        if (json_integer_value(json_object_get(exp, "peer_expects_warnings")) > 0 &&
            r->n_diags == 0)
            fail_msg("%s: expected a warning", name);
    }
    cases_checked++;
    bsn_result_free(r);
    json_decref(exp);
}

static void
test_golden_cases(void **state)
{
    (void)state;
    size_t n = ospkg_each("dpkg", check_case);
    assert_true(n >= 19);
    assert_int_equal(cases_checked, n);
    ospkg_cleanup();
}

/* Distroless: status.d without os-release is debian; os-release wins when present; purls
 * carry the distro and the upstream source with its version when it differs. */
static void
test_distroless_os_and_purl(void **state)
{
    (void)state;
    char *st = ospkg_write_tmp("libc6", "Package: libc6\nVersion: 2.36-9+deb12u7\n"
                                        "Architecture: amd64\nSource: glibc (2.36-9+deb12u7)\n"
                                        "Maintainer: GNU Libc Maintainers "
                                        "<debian-glibc@lists.debian.org>\n");
    char *md5 = ospkg_write_tmp("libc6.md5sums",
                                "0123456789abcdef0123456789abcdef  lib/x.so\n");
    const char *img[] = { "var/lib/dpkg/status.d/libc6", "var/lib/dpkg/status.d/libc6.md5sums" };
    const char *disk[] = { st, md5 };
    struct bsn_result *r = ospkg_scan_paths(2, img, disk);
    assert_true(r->has_os);
    assert_string_equal(r->os.family, "debian");
    assert_int_equal(ospkg_count(r, "deb"), 1);
    const struct bsn_package *p = ospkg_find(r, "deb", "libc6", "2.36-9+deb12u7");
    assert_non_null(p);
    assert_string_equal(p->source_name, "glibc");
    assert_string_equal(p->purl,
                        "pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&upstream=glibc");
    bsn_result_free(r);

    char *osr = ospkg_write_tmp("os-release", "ID=debian\nVERSION_ID=\"12\"\n"
                                              "NAME=\"Debian GNU/Linux\"\n"
                                              "VERSION_CODENAME=bookworm\n");
    char *dv = ospkg_write_tmp("debian_version", "12.7\n");
    char *bin = ospkg_write_tmp("util", "Package: util-linux-extra\nVersion: 2.38.1-5+b1\n"
                                  "Architecture: amd64\nSource: util-linux (2.38.1-5)\n");
    const char *img2[] = { "var/lib/dpkg/status.d/util", "etc/os-release", "etc/debian_version" };
    const char *disk2[] = { bin, osr, dv };
    r = ospkg_scan_paths(3, img2, disk2);
    assert_true(r->has_os);
    assert_string_equal(r->os.family, "debian");
    assert_string_equal(r->os.version, "12.7");
    p = ospkg_find(r, "deb", "util-linux-extra", NULL);
    assert_non_null(p);
    assert_string_equal(p->source_version, "2.38.1-5");
    assert_string_equal(p->purl, "pkg:deb/debian/util-linux-extra@2.38.1-5+b1?arch=amd64"
                                 "&distro=debian-12.7&upstream=util-linux%402.38.1-5");
    bsn_result_free(r);

    /* Ubuntu: the namespace is ubuntu; its debian_version ("bookworm/sid") does not matter. */
    char *uosr = ospkg_write_tmp("u-os-release", "ID=ubuntu\nVERSION_ID=\"24.04\"\n");
    char *udv = ospkg_write_tmp("u-debian_version", "trixie/sid\n");
    char *ust = ospkg_write_tmp("u-status", "Package: bash\nStatus: install ok installed\n"
                                            "Version: 5.2.21-2ubuntu4\nArchitecture: amd64\n");
    const char *img3[] = { "var/lib/dpkg/status", "usr/lib/os-release", "etc/debian_version" };
    const char *disk3[] = { ust, uosr, udv };
    r = ospkg_scan_paths(3, img3, disk3);
    p = ospkg_find(r, "deb", "bash", NULL);
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:deb/ubuntu/bash@5.2.21-2ubuntu4?arch=amd64"
                                 "&distro=ubuntu-24.04");
    bsn_result_free(r);
    free(uosr);
    free(udv);
    free(ust);
    free(st);
    free(md5);
    free(osr);
    free(dv);
    free(bin);
    ospkg_cleanup();
}

/* Hostile and odd inputs: truncated stanza, no trailing newline, CRLF line ends, a continuation
 * line first, huge field: no crash, sensible results. */
static void
test_malformed(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "Package: a\nStatus: install ok installed\nVersion: 1",
        "Package: a\nStatus: install ok installed\nVersion: 1\n\n\n\nPackage: b\n",
        " leading continuation\nPackage: a\n",
        "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n",
        ":\n:\n",
        "Status: install ok\nPackage: x\nVersion: 1\n",
    };
    static const size_t want[] = { 1, 1, 0, 1, 0, 0 };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char *f = ospkg_write_tmp("status", bodies[i]);
        const char *img[] = { "var/lib/dpkg/status" };
        const char *disk[] = { f };
        struct bsn_result *r = ospkg_scan_paths(1, img, disk);
        if (ospkg_count(r, "deb") != want[i])
            fail_msg("body %zu: %zu packages, expected %zu", i, ospkg_count(r, "deb"), want[i]);
        bsn_result_free(r);
        free(f);
    }
    ospkg_cleanup();
}

/* Files listed in info/NAME.list (and distroless md5sums) are owned: a Python package that
 * dpkg installed is reported once, as the deb, not again as pypi. An unowned one still is. */
static void
test_owned_files(void **state)
{
    (void)state;
    char *st = ospkg_write_tmp("status", "Package: python3-six\nStatus: install ok installed\n"
                                         "Version: 1.16.0-4\nArchitecture: all\n\n");
    char *list = ospkg_write_tmp("list", "/.\n/usr\n/usr/lib/python3/dist-packages/"
                                         "six-1.16.0.dist-info/METADATA\n");
    char *meta = ospkg_write_tmp("METADATA", "Metadata-Version: 2.1\nName: six\n"
                                             "Version: 1.16.0\n");
    const char *img[] = {
        "var/lib/dpkg/status",
        "var/lib/dpkg/info/python3-six.list",
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
        "usr/local/lib/python3.11/dist-packages/six-1.16.0.dist-info/METADATA",
    };
    const char *disk[] = { st, list, meta, meta };
    struct bsn_result *r = ospkg_scan_paths(4, img, disk);
    assert_non_null(ospkg_find(r, "deb", "python3-six", "1.16.0-4"));
    assert_int_equal(ospkg_count(r, "pypi"), 1);
    const struct bsn_package *p = ospkg_find(r, "pypi", "six", NULL);
    assert_non_null(p);
    assert_string_equal(p->path,
                        "usr/local/lib/python3.11/dist-packages/six-1.16.0.dist-info/METADATA");
    bsn_result_free(r);

    /* distroless: status.d/NAME.md5sums paths are relative */
    char *sd = ospkg_write_tmp("six", "Package: python3-six\nVersion: 1.16.0-4\n");
    char *md5 = ospkg_write_tmp("six.md5sums", "0123456789abcdef0123456789abcdef  usr/lib/"
                                               "python3/dist-packages/six-1.16.0.dist-info/"
                                               "METADATA\n");
    const char *img2[] = {
        "var/lib/dpkg/status.d/six",
        "var/lib/dpkg/status.d/six.md5sums",
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
    };
    const char *disk2[] = { sd, md5, meta };
    r = ospkg_scan_paths(3, img2, disk2);
    assert_int_equal(ospkg_count(r, "deb"), 1);
    assert_int_equal(ospkg_count(r, "pypi"), 0);
    bsn_result_free(r);
    free(st);
    free(list);
    free(meta);
    free(sd);
    free(md5);
    ospkg_cleanup();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_cases),
        cmocka_unit_test(test_distroless_os_and_purl),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_owned_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
