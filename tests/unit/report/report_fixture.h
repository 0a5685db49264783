/*
 * A small hand-built scan result shared by the report-writer tests: a Debian 12.7 image with
 * two deb packages and one npm package, three findings of different severities, a secret, a
 * misconfiguration, a diagnostic and a suppressed finding.
 */
#ifndef BSN_TEST_REPORT_FIXTURE_H
#define BSN_TEST_REPORT_FIXTURE_H

#include <string.h>

#include "bosun.h"

static const char *const fx_tags[] = { "app:1" };
static const struct bsn_layer_info fx_layers[] = {
    { "sha256:aaaa", "sha256:d1", 1234, "application/vnd.oci.image.layer.v1.tar+gzip",
      "/bin/sh -c #(nop) ADD file:x in /" },
    { "sha256:bbbb", "sha256:d2", 99, "application/vnd.oci.image.layer.v1.tar+gzip", NULL },
};
static const char *const fx_lic[] = { "OpenSSL" };

static struct bsn_package fx_pkgs[] = {
    /* deliberately unsorted: writers sort */
    { .type = "npm", .name = "lodash", .version = "4.17.20", .epoch = -1,
      .purl = "pkg:npm/lodash@4.17.20", .layer = "sha256:d2",
      .path = "app/node_modules/lodash/package.json" },
    { .type = "deb", .name = "zlib1g", .version = "1:1.2.13.dfsg-1", .epoch = -1,
      .arch = "amd64", .source_name = "zlib", .source_version = "1:1.2.13.dfsg-1",
      .purl = "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12.7",
      .layer = "sha256:d1", .path = "var/lib/dpkg/status" },
    { .type = "deb", .name = "openssl", .version = "3.0.11-1~deb12u2", .epoch = -1,
      .arch = "amd64", .source_name = "openssl", .source_version = "3.0.11-1~deb12u2",
      .purl = "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.7",
      .licenses = fx_lic, .n_licenses = 1, .layer = "sha256:d1",
      .path = "var/lib/dpkg/status" },
};

static const struct bsn_vendor_severity fx_vs1[] = {
    { "debian", BSN_SEV_LOW }, { "nvd", BSN_SEV_MEDIUM },
};
static const struct bsn_cvss fx_cvss1[] = {
    { "nvd", "3.1", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", 5.5 },
};
static const char *const fx_refs1[] = {
    "https://security-tracker.debian.org/tracker/CVE-2024-0727",
};
static const char *const fx_alias3[] = { "CVE-2021-23337" };
static const struct bsn_vendor_severity fx_vs3[] = { { "ghsa", BSN_SEV_HIGH } };

static struct bsn_vuln fx_vulns[3];
static struct bsn_secret fx_secrets[1];
static struct bsn_misconfig fx_mis[1];
static struct bsn_diag fx_diags[1];
static struct bsn_suppressed fx_sup[1];

static void
fx_build(struct bsn_result *r)
{
    memset(r, 0, sizeof(*r));
    memset(fx_vulns, 0, sizeof(fx_vulns));
    r->target = "docker-archive:app.tar";
    r->artifact_type = BSN_ARTIFACT_IMAGE;
    r->has_image = true;
    r->image.id = "sha256:cfg";
    r->image.repo_tags = fx_tags;
    r->image.n_repo_tags = 1;
    r->image.os = "linux";
    r->image.architecture = "amd64";
    r->image.layers = fx_layers;
    r->image.n_layers = 2;
    r->has_os = true;
    r->os.family = "debian";
    r->os.name = "Debian GNU/Linux";
    r->os.version = "12.7";
    r->packages = fx_pkgs;
    r->n_packages = 3;
    r->created_at = "2026-11-28T17:00:00Z";
    r->scanned_vuln = r->scanned_secret = true;

    fx_vulns[0] = (struct bsn_vuln){
        .id = "CVE-2024-0727", .pkg = &fx_pkgs[2], .installed_version = "3.0.11-1~deb12u2",
        .fixed_version = "3.0.13-1~deb12u1", .status = BSN_STATUS_FIXED,
        .severity = BSN_SEV_LOW, .severity_source = "debian", .vendor_severity = fx_vs1,
        .n_vendor_severity = 2, .cvss = fx_cvss1, .n_cvss = 1,
        .title = "openssl: denial of service via null dereference", .data_source = "debian",
        .references = fx_refs1, .n_references = 1, .published = "2024-01-26T09:15:00Z",
    };
    fx_vulns[1] = (struct bsn_vuln){
        .id = "CVE-2023-45853", .pkg = &fx_pkgs[1], .installed_version = "1:1.2.13.dfsg-1",
        .status = BSN_STATUS_WILL_NOT_FIX, .severity = BSN_SEV_CRITICAL,
        .severity_source = "nvd", .title = "zlib: integer overflow in MiniZip",
        .data_source = "debian",
    };
    fx_vulns[2] = (struct bsn_vuln){
        .id = "GHSA-35jh-r3h4-6jhm", .aliases = fx_alias3, .n_aliases = 1, .pkg = &fx_pkgs[0],
        .installed_version = "4.17.20", .fixed_version = "4.17.21", .status = BSN_STATUS_FIXED,
        .severity = BSN_SEV_HIGH, .severity_source = "ghsa", .vendor_severity = fx_vs3,
        .n_vendor_severity = 1, .title = "Command Injection in lodash", .data_source = "osv",
        .is_new = true,
    };
    r->vulns = fx_vulns;
    r->n_vulns = 3;
    fx_secrets[0] = (struct bsn_secret){ "aws-access-key-id", BSN_SEV_CRITICAL, "AWS Access Key",
                                         "etc/app.conf", 3, "AKIA************MPLE", "sha256:d2",
                                         false };
    r->secrets = fx_secrets;
    r->n_secrets = 1;
    fx_mis[0] = (struct bsn_misconfig){ .id = "BSN-IMG-001", .title = "Image runs as root",
                                        .severity = BSN_SEV_HIGH,
                                        .message = "no USER in the image config",
                                        .source = "image-config" };
    r->misconfigs = fx_mis;
    r->n_misconfigs = 1;
    fx_diags[0].message = "layer 2 (sha256:d2): app/package-lock.json: invalid JSON";
    r->diags = fx_diags;
    r->n_diags = 1;
    fx_sup[0] = (struct bsn_suppressed){ "CVE-2022-1234", "zlib1g", "ignorefile" };
    r->suppressed = fx_sup;
    r->n_suppressed = 1;
}

#endif
