/*
 * .NET analyzer through bsn_scan_files: every tests/data/dotnet case (*.deps.json with root,
 * workspace projects, ambiguous root, missing target, truncated JSON; packages.lock.json)
 * checked completely against expected.json.
 */
#include "langtext_golden.h"

static void
test_deps_json_golden(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "deps-json-trivy-ambiguous-root",
        "deps-json-trivy-happy-path",
        "deps-json-trivy-multi-project-solution",
        "deps-json-trivy-sad-path",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lt_case c = { .kind = "dotnet", .name = cases[i], .analyzer = "dotnet",
                             .type = "nuget" };
        lt_check(&c);
    }
    /* the runtime target named by runtimeTarget is absent: packages reported, relationships
     * unknown, and bosun says why in a diagnostic */
    struct lt_case c = { .kind = "dotnet", .name = "deps-json-trivy-target-libs-not-found",
                         .analyzer = "dotnet", .type = "nuget", .warn_ok = true };
    lt_check(&c);
    assert_int_equal(lt_cases("dotnet", "deps-json-"), sizeof(cases) / sizeof(cases[0]) + 1);
}

static void
test_packages_lock_golden(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "packages-lock-trivy-packages-lock-legacy",
        "packages-lock-trivy-packages-lock-simple",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lt_case c = { .kind = "dotnet", .name = cases[i], .analyzer = "dotnet",
                             .type = "nuget" };
        lt_check(&c);
    }
    /*
     * packages_lock_multi.json: the harvested expected.json lists no packages, yet the file
     * locks 40 distinct packages over four frameworks (checked by hand), and the harvest's
     * legacy case carries exactly these 40 ids in its "dependencies" list: trivy's test table
     * was shifted when harvested. bosun's result is checked against those ids; type "Direct"
     * gives direct (5 of them), "Transitive" indirect.
     */
    json_t *legacy = lt_expected("dotnet", "packages-lock-trivy-packages-lock-legacy");
    json_t *ids = json_object_get(legacy, "dependencies");
    struct bsn_result *r = lt_scan("dotnet", "packages-lock-trivy-packages-lock-multi",
                                   "packages.lock.json", "src/App/packages.lock.json");
    assert_int_equal(lt_count(r, "nuget"), json_array_size(ids));
    assert_int_equal(json_array_size(ids), 40);
    size_t i, direct = 0;
    json_t *e;
    json_array_foreach(ids, i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        const char *at = strrchr(id, '@');
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)(at - id), id);
        const struct bsn_package *p = lt_find(r, "nuget", name, at + 1);
        if (!p)
            fail_msg("missing %s", id);
        char purl[512];
        lt_purl(purl, sizeof(purl), "nuget", name, at + 1);
        assert_string_equal(p->purl, purl);
        direct += p->dep == BSN_DEP_DIRECT;
        assert_true(p->dep == BSN_DEP_DIRECT || p->dep == BSN_DEP_INDIRECT);
    }
    assert_int_equal(direct, 5);
    assert_int_equal(lt_find(r, "nuget", "AWSSDK.Core", "3.5.1.30")->dep, BSN_DEP_DIRECT);
    assert_int_equal(lt_find(r, "nuget", "System.Runtime", "4.3.0")->dep, BSN_DEP_INDIRECT);
    bsn_result_free(r);
    /* NuGet's package cache is not the application */
    r = lt_scan("dotnet", "packages-lock-trivy-packages-lock-simple", "packages.lock.json",
                "root/.nuget/packages/foo/1.0.0/packages.lock.json");
    assert_int_equal(r->n_packages, 0);
    bsn_result_free(r);
    json_decref(legacy);
    assert_int_equal(lt_cases("dotnet", "packages-lock-"), 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deps_json_golden),
        cmocka_unit_test(test_packages_lock_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
