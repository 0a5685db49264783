/*
 * Tests for the registry source's parsers (src/image/image_registry_ref.c,
 * image_registry_auth.c): references with Docker Hub defaults and invalid ones (expectations
 * from distribution/reference's documented grammar and docker's behaviour), loopback hosts,
 * WWW-Authenticate challenges as real registries send them (Docker Hub, GHCR, distribution's
 * htpasswd realm), base64, docker config.json credentials (auths, credHelpers and credsStore
 * through a fake docker-credential helper on PATH), token answers — and that no error message
 * carries a password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/image_registry_int.h"

static char tmp[64];

static int
setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/bsn-registry-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *name, const char *text, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void
test_ref_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *in, *domain, *host, *repo, *tag, *digest, *name;
    } cases[] = {
        { "alpine", "docker.io", "registry-1.docker.io", "library/alpine", "latest", "",
          "alpine" },
        { "alpine:3.19", "docker.io", "registry-1.docker.io", "library/alpine", "3.19", "",
          "alpine" },
        { "bitnami/redis:7.2", "docker.io", "registry-1.docker.io", "bitnami/redis", "7.2", "",
          "bitnami/redis" },
        { "docker.io/library/debian:12", "docker.io", "registry-1.docker.io", "library/debian",
          "12", "", "debian" },
        { "index.docker.io/foo", "docker.io", "registry-1.docker.io", "library/foo", "latest",
          "", "foo" },
        { "127.0.0.1:5000/team/app:v1.2-rc_3", "127.0.0.1:5000", "127.0.0.1:5000", "team/app",
          "v1.2-rc_3", "", "127.0.0.1:5000/team/app" },
        { "localhost/x", "localhost", "localhost", "x", "latest", "", "localhost/x" },
        { "GHCR.io/o/r:Tag", "ghcr.io", "ghcr.io", "o/r", "Tag", "", "ghcr.io/o/r" },
        { "ghcr.io/o/r@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "ghcr.io", "ghcr.io", "o/r", "",
          "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "ghcr.io/o/r" },
        { "host:5000/a/b:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "host:5000", "host:5000", "a/b", "t",
          "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "host:5000/a/b" },
        { "[::1]:5000/x", "[::1]:5000", "[::1]:5000", "x", "latest", "", "[::1]:5000/x" },
        { "quay.io/a__b/c-d/e.f--g", "quay.io", "quay.io", "a__b/c-d/e.f--g", "latest", "",
          "quay.io/a__b/c-d/e.f--g" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bsn_registry_ref r;
        struct bsn_err err = { 0 };
        bsn_code rc = bsn_registry_ref_parse(cases[i].in, &r, &err);
        if (rc != BSN_OK)
            fail_msg("%s: %s", cases[i].in, err.msg);
        assert_string_equal(r.domain, cases[i].domain);
        assert_string_equal(r.host, cases[i].host);
        assert_string_equal(r.repo, cases[i].repo);
        assert_string_equal(r.tag, cases[i].tag);
        assert_string_equal(r.digest, cases[i].digest);
        char name[600];
        bsn_registry_ref_name(&r, name, sizeof(name));
        assert_string_equal(name, cases[i].name);
    }
}

static void
test_ref_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bsn_code code;
        const char *msg;
    } cases[] = {
        { "", BSN_EINVAL, "empty image reference" },
        { "Alpine", BSN_EINVAL, "image reference 'Alpine': repository names must be lowercase" },
        { "a/B", BSN_EINVAL, "image reference 'a/B': repository names must be lowercase" },
        { "alpine:", BSN_EINVAL, "image reference 'alpine:': invalid tag" },
        { "alpine:-x", BSN_EINVAL, "image reference 'alpine:-x': invalid tag" },
        { "alpine@sha256:abc", BSN_EINVAL,
          "image reference 'alpine@sha256:abc': invalid digest (want sha256:<64 hex>)" },
        { "alpine@sha512:abc", BSN_EUNSUPPORTED,
          "image reference 'alpine@sha512:abc': unsupported digest algorithm" },
        { "host:99999/x", BSN_EINVAL, "image reference 'host:99999/x': invalid registry port" },
        { "host:/x", BSN_EINVAL, "image reference 'host:/x': invalid registry port" },
        { "a..b/x", BSN_EINVAL, "image reference 'a..b/x': invalid registry host" },
        { "ho_st.io/x", BSN_EINVAL,
          "image reference 'ho_st.io/x': invalid character in the registry host" },
        { "x//y", BSN_EINVAL, "image reference 'x//y': empty path component" },
        { "x/", BSN_EINVAL, "image reference 'x/': empty path component" },
        { "-x", BSN_EINVAL,
          "image reference '-x': a path component must start and end with a lowercase letter "
          "or digit" },
        { "a..b", BSN_EINVAL, "image reference 'a..b': misplaced separator in a path component" },
        { "a___b", BSN_EINVAL,
          "image reference 'a___b': misplaced separator in a path component" },
        { "a-.b", BSN_EINVAL, "image reference 'a-.b': misplaced separator in a path component" },
        { "host.io/", BSN_EINVAL, "image reference 'host.io/': no repository name" },
        { "[::1/x", BSN_EINVAL, "image reference '[::1/x': unterminated IPv6 address" },
        { "a b", BSN_EINVAL, "image reference 'a b': invalid character in the repository name" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bsn_registry_ref r;
        struct bsn_err err = { 0 };
        bsn_code rc = bsn_registry_ref_parse(cases[i].in, &r, &err);
        if (rc != cases[i].code)
            fail_msg("%s: code %d, want %d (%s)", cases[i].in, rc, cases[i].code, err.msg);
        assert_string_equal(err.msg, cases[i].msg);
    }
    /* 255 characters is the longest name */
    char longname[400];
    memset(longname, 'a', 300);
    longname[300] = '\0';
    struct bsn_registry_ref r;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_registry_ref_parse(longname, &r, &err), BSN_EINVAL);
    assert_non_null(strstr(err.msg, "name longer than 255"));
    memcpy(longname, "x.io/", 5);
    longname[255] = '\0';
    assert_int_equal(bsn_registry_ref_parse(longname, &r, &err), BSN_OK);
    assert_int_equal(strlen(r.repo), 250);
}

static void
test_loopback(void **state)
{
    (void)state;
    const char *yes[] = { "127.0.0.1", "127.0.0.1:5000", "127.1.2.3:80", "localhost",
                          "localhost:5000", "[::1]", "[::1]:5000", "127.255.255.255" };
    const char *no[] = { "128.0.0.1", "127.0.0.1.evil.com", "127.0.0", "localhost.evil.com",
                         "localhostx", "10.0.0.1:5000", "127.0.0.256", "[::2]:5000", "",
                         "127..0.1", "registry-1.docker.io" };
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!bsn_registry_host_loopback(yes[i]))
            fail_msg("%s should be loopback", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (bsn_registry_host_loopback(no[i]))
            fail_msg("%s should not be loopback", no[i]);
}

static void
test_www_authenticate(void **state)
{
    (void)state;
    struct bsn_auth_challenge c;
    struct bsn_err err = { 0 };
    /* Docker Hub's answer to an anonymous manifest GET */
    const char *hub = "Bearer realm=\"https://auth.docker.io/token\","
                      "service=\"registry.docker.io\","
                      "scope=\"repository:library/alpine:pull\"";
    assert_int_equal(bsn_www_authenticate_parse(hub, strlen(hub), &c, &err), BSN_OK);
    assert_int_equal(c.scheme, BSN_AUTH_BEARER);
    assert_string_equal(c.realm, "https://auth.docker.io/token");
    assert_string_equal(c.service, "registry.docker.io");
    assert_string_equal(c.scope, "repository:library/alpine:pull");
    /* distribution's htpasswd auth */
    const char *basic = "Basic realm=\"Registry Realm\"";
    assert_int_equal(bsn_www_authenticate_parse(basic, strlen(basic), &c, &err), BSN_OK);
    assert_int_equal(c.scheme, BSN_AUTH_BASIC);
    assert_string_equal(c.realm, "Registry Realm");
    /* case, spaces, unquoted tokens, escapes; Bearer preferred over Basic */
    const char *mixed = "basic realm=x , BEARER Realm = \"https://a/t?x=\\\"1\\\"\" ,"
                        " Service=svc";
    assert_int_equal(bsn_www_authenticate_parse(mixed, strlen(mixed), &c, &err), BSN_OK);
    assert_int_equal(c.scheme, BSN_AUTH_BEARER);
    assert_string_equal(c.realm, "https://a/t?x=\"1\"");
    assert_string_equal(c.service, "svc");
    assert_string_equal(c.scope, "");
    /* unknown schemes only: NONE */
    const char *neg = "Negotiate abc==";
    assert_int_equal(bsn_www_authenticate_parse(neg, strlen(neg), &c, &err), BSN_OK);
    assert_int_equal(c.scheme, BSN_AUTH_NONE);
    /* malformed */
    const char *bad[] = { "Bearer realm=\"unterminated", "Bearer realm=\"x\\", "=x",
                          "Bearer realm=\"a\" junk", "Bearer service=\"s\"" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (bsn_www_authenticate_parse(bad[i], strlen(bad[i]), &c, &err) != BSN_EFORMAT)
            fail_msg("'%s' should be malformed", bad[i]);
    /* too long a realm */
    char lng[3000] = "Bearer realm=\"";
    memset(lng + 14, 'a', 2000);
    memcpy(lng + 2014, "\"", 2);
    assert_int_equal(bsn_www_authenticate_parse(lng, strlen(lng), &c, &err), BSN_ELIMIT);
}

static void
test_base64(void **state)
{
    (void)state;
    char out[64];
    size_t n;
    assert_true(bsn_base64_decode("dXNlcjpwYXNz", 12, out, sizeof(out), &n));
    assert_string_equal(out, "user:pass");
    assert_int_equal(n, 9);
    assert_true(bsn_base64_decode("YQ==", 4, out, sizeof(out), &n));
    assert_string_equal(out, "a");
    assert_true(bsn_base64_decode("YWI", 3, out, sizeof(out), &n));
    assert_string_equal(out, "ab");
    assert_false(bsn_base64_decode("Y", 1, out, sizeof(out), &n));
    assert_false(bsn_base64_decode("Y!==", 4, out, sizeof(out), &n));
    assert_false(bsn_base64_decode("dXNlcjpwYXNz", 12, out, 9, &n)); /* no room for NUL */
    assert_true(bsn_base64_encode("user:pass", 9, out, sizeof(out)));
    assert_string_equal(out, "dXNlcjpwYXNz");
    assert_true(bsn_base64_encode("ab", 2, out, sizeof(out)));
    assert_string_equal(out, "YWI=");
    assert_false(bsn_base64_encode("ab", 2, out, 4));
}

static bsn_code
creds(const char *cfg_name, const char *domain, const char **u, const char **p,
      struct bsn_arena *a, struct bsn_err *err)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmp, cfg_name);
    return bsn_registry_creds(path, domain, a, u, p, err);
}

static void
test_docker_config(void **state)
{
    (void)state;
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_err err = { 0 };
    const char *u = NULL, *p = NULL;
    /* base64 "alice:s3cret:with:colons", username/password fields, Docker Hub's v1 key */
    write_file("config.json",
               "{\"auths\": {\"https://127.0.0.1:5000/v2/\": {\"auth\": "
               "\"YWxpY2U6czNjcmV0OndpdGg6Y29sb25z\"},\n"
               " \"other.io\": {\"username\": \"bob\", \"password\": \"pw-bob\"},\n"
               " \"https://index.docker.io/v1/\": {\"auth\": \"aHViOmh1Yi1wdw==\"},\n"
               " \"broken.io\": {\"auth\": \"!!!notbase64-hunter2\"}},\n"
               " \"credHelpers\": {\"helped.io\": \"fake\"},\n"
               " \"credsStore\": \"store\"}\n",
               0600);
    assert_int_equal(creds("config.json", "127.0.0.1:5000", &u, &p, a, &err), BSN_OK);
    assert_string_equal(u, "alice");
    assert_string_equal(p, "s3cret:with:colons");
    assert_int_equal(creds("config.json", "other.io", &u, &p, a, &err), BSN_OK);
    assert_string_equal(u, "bob");
    assert_string_equal(p, "pw-bob");
    assert_int_equal(creds("config.json", "docker.io", &u, &p, a, &err), BSN_OK);
    assert_string_equal(u, "hub");
    assert_string_equal(p, "hub-pw");
    assert_int_equal(creds("config.json", "broken.io", &u, &p, a, &err), BSN_EFORMAT);
    assert_null(strstr(err.msg, "hunter2"));
    assert_non_null(strstr(err.msg, "broken.io"));
    /* an identity token (az acr login) beats the auth beside it: user "<token>" */
    write_file("idt.json",
               "{\"auths\": {\"acr.example.io\": {\"auth\": "
               "\"MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==\", "
               "\"identitytoken\": \"rt-abc\"}}}",
               0600);
    assert_int_equal(creds("idt.json", "acr.example.io", &u, &p, a, &err), BSN_OK);
    assert_string_equal(u, "<token>");
    assert_string_equal(p, "rt-abc");

    /* credential helpers: a fake one answering for helped.io, a store knowing nothing */
    char helper[1024];
    snprintf(helper, sizeof(helper),
             "#!/bin/sh\nread server\necho \"$server\" > '%s/asked'\n"
             "if [ \"$1\" = get ] && [ \"$server\" = helped.io ]; then\n"
             "  echo '{\"ServerURL\":\"helped.io\",\"Username\":\"carol\",\"Secret\":\"pw-c\"}'\n"
             "  exit 0\nfi\n"
             "if [ \"$1\" = get ] && [ \"$server\" = tok.io ]; then\n"
             "  echo '{\"ServerURL\":\"tok.io\",\"Username\":\"<token>\",\"Secret\":\"rt-h\"}'\n"
             "  exit 0\nfi\necho 'credentials not found in native keychain'\nexit 1\n",
             tmp);
    write_file("docker-credential-fake", helper, 0755);
    write_file("docker-credential-store", helper, 0755);
    const char *old_path = getenv("PATH");
    char newpath[4096];
    snprintf(newpath, sizeof(newpath), "%s:%s", tmp, old_path ? old_path : "/usr/bin:/bin");
    setenv("PATH", newpath, 1);
    assert_int_equal(creds("config.json", "helped.io", &u, &p, a, &err), BSN_OK);
    assert_string_equal(u, "carol");
    assert_string_equal(p, "pw-c");
    /* a helper holding an identity token passes it on as docker's helpers do */
    assert_int_equal(creds("config.json", "tok.io", &u, &p, a, &err), BSN_OK);
    assert_string_equal(u, "<token>");
    assert_string_equal(p, "rt-h");
    /* not in auths, no credHelpers entry: credsStore is asked and knows nothing */
    assert_int_equal(creds("config.json", "nowhere.io", &u, &p, a, &err), BSN_ENOTFOUND);
    char asked[256];
    snprintf(asked, sizeof(asked), "%s/asked", tmp);
    FILE *f = fopen(asked, "r");
    assert_non_null(f);
    char line[64] = "";
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    assert_string_equal(line, "nowhere.io\n");
    /* a helper that is not installed */
    write_file("missing.json", "{\"credsStore\": \"nosuchhelper-xyz\"}", 0600);
    assert_int_equal(creds("missing.json", "x.io", &u, &p, a, &err), BSN_EAUTH);
    assert_non_null(strstr(err.msg, "docker-credential-nosuchhelper-xyz"));
    /* a helper name that could be a path */
    write_file("evil.json", "{\"credsStore\": \"../../bin/sh\"}", 0600);
    assert_int_equal(creds("evil.json", "x.io", &u, &p, a, &err), BSN_EFORMAT);
    if (old_path)
        setenv("PATH", old_path, 1);

    /* no file; malformed file (the message must not quote its bytes) */
    assert_int_equal(creds("none.json", "x.io", &u, &p, a, &err), BSN_ENOTFOUND);
    write_file("bad.json", "{\"auths\": {\"x.io\": {\"password\": \"hunter2\" ", 0600);
    assert_int_equal(creds("bad.json", "x.io", &u, &p, a, &err), BSN_EFORMAT);
    assert_null(strstr(err.msg, "hunter2"));
    /* no entry and no store */
    write_file("empty.json", "{\"auths\": {}}", 0600);
    assert_int_equal(creds("empty.json", "x.io", &u, &p, a, &err), BSN_ENOTFOUND);
    bsn_arena_free(a);
}

static void
test_token(void **state)
{
    (void)state;
    struct bsn_arena *a = bsn_arena_new();
    struct bsn_err err = { 0 };
    const char *t;
    long exp;
    const char *hub = "{\"token\":\"abc.def\",\"access_token\":\"abc.def\",\"expires_in\":300,"
                      "\"issued_at\":\"2026-11-28T17:00:00Z\"}";
    assert_int_equal(bsn_registry_token_parse(hub, strlen(hub), a, &t, &exp, &err), BSN_OK);
    assert_string_equal(t, "abc.def");
    assert_int_equal(exp, 300);
    const char *oauth = "{\"access_token\":\"zz\"}";
    assert_int_equal(bsn_registry_token_parse(oauth, strlen(oauth), a, &t, &exp, &err), BSN_OK);
    assert_string_equal(t, "zz");
    assert_int_equal(exp, 60);
    const char *none = "{\"expires_in\":5}";
    assert_int_equal(bsn_registry_token_parse(none, strlen(none), a, &t, &exp, &err), BSN_EAUTH);
    const char *crlf = "{\"token\":\"a\\r\\nX-Evil: 1\"}";
    assert_int_equal(bsn_registry_token_parse(crlf, strlen(crlf), a, &t, &exp, &err), BSN_EAUTH);
    assert_int_equal(bsn_registry_token_parse("nope", 4, a, &t, &exp, &err), BSN_EAUTH);
    bsn_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_defaults),
        cmocka_unit_test(test_ref_invalid),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_www_authenticate),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_docker_config),
        cmocka_unit_test(test_token),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
