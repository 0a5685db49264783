#!/usr/bin/env python3
"""End-to-end findings: images built with tests/tools/mkimage.py from real package databases
(tests/data/real-images: Debian 11.5 postgres, Debian 10.7 drupal, Alpine 3.4.6) and lockfiles,
scanned with 'bosun image' against a database built by 'bosun db build' from the feed slices in
tests/data/feeds.

Every expected (package, version, advisory) triple below was checked by hand against the feed
files themselves (not bosun's output), e.g. the Debian tracker's DSA/list ("[bullseye] -
openssl 1.1.1n-0+deb11u4" under DSA-5343-1), Debian's OSV records, Alpine secdb v3.4/main.yaml
secfixes, the GHSA OSV files, PyPA YAML, golang/vulndb OSV, RustSec TOML and rubysec YAML; the
reference is noted beside each. Negative triples (a package at the fixed version, a fix older
than the installed version) must not be reported.

Beyond the real databases the Debian 11 image's dpkg status gets one extra stanza, putty
0.74-2, so the tracker's "[bullseye] - putty <no-dsa>" entry (data/CVE/list excerpt) has a
package to apply to, and the Debian 10 image's gets chromium 90.0.4430.212-1~deb10u1 (the
version buster-security shipped last) for the tracker JSON's "buster: open, end-of-life"
CVE-2022-0456.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BOSUN = os.environ["BOSUN"]
SRC = os.environ.get("BSN_SRC", ".")
DATA = os.environ.get("BSN_TEST_DATA", os.path.join(SRC, "tests", "data"))
FEEDS = os.path.join(DATA, "feeds")
REAL = os.path.join(DATA, "real-images")
MKIMAGE = os.path.join(SRC, "tests", "tools", "mkimage.py")

failures = []
checked = 0


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(args, ok=(0,)):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in ok:
        print(p.stdout[-2000:], p.stderr[-4000:], file=sys.stderr)
        raise SystemExit("command failed (%d): %s" % (p.returncode, " ".join(args)))
    return p


def build_db(tmp):
    """The feed archives as they are: 'bosun db build' reads .tar.xz and detects each file's
    kind (DSA/DLA/CVE lists, tracker JSON, Debian OSV, secdb, GHSA, Go, PyPA, RustSec,
    rubysec, NVD and CVE 5 records)."""
    db = os.path.join(tmp, "bosun.db")
    run([BOSUN, "db", "build", "-q", "--out", db] +
        [os.path.join(FEEDS, a) for a in [
            "debian/debian-security-tracker-2023-04.tar.xz",
            "debian/debian-osv-dsa-dla-2025-02.tar.xz",
            "ubuntu/ubuntu-osv-subset.tar.xz",
            "alpine/alpine-secdb-v3.3-v3.11.tar.xz",
            "ghsa/github-advisory-database-npm-maven-subset.tar.xz",
            "go/golang-vulndb-osv.tar.xz",
            "pypi/pypa-advisory-database.tar.xz",
            "rustsec/rustsec-advisory-db.tar.xz",
            "rubysec/rubysec-ruby-advisory-db.tar.xz",
            "cve-nvd/cve5-nvd2-subset.tar.xz"]])
    return db


PUTTY = """
Package: putty
Status: install ok installed
Priority: optional
Section: net
Installed-Size: 1400
Maintainer: Colin Watson <cjwatson@debian.org>
Architecture: amd64
Version: 0.74-2
Depends: putty-tools (= 0.74-2), libc6 (>= 2.14)
Description: Telnet/SSH client for X
"""


CHROMIUM = """
Package: chromium
Status: install ok installed
Priority: optional
Section: web
Installed-Size: 200000
Maintainer: Debian Chromium Team <chromium@packages.debian.org>
Architecture: amd64
Version: 90.0.4430.212-1~deb10u1
Depends: libc6 (>= 2.28)
Description: web browser
"""


# Ubuntu 22.04: no real Ubuntu package database is in tests/data, so three stanzas written
# after the real jammy packages (libssl3 from source openssl, at an older security update;
# openssl at the update that fixes CVE-2024-0727; nodejs, whose jammy entry has no fix).
UBUNTU_RELEASE = ('PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\n'
                  'VERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\n'
                  'ID_LIKE=debian\n')
UBUNTU_STATUS = """Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.2-0ubuntu1.10
Description: Secure Sockets Layer toolkit - shared libraries

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.2-0ubuntu1.14
Description: Secure Sockets Layer toolkit - cryptographic utility

Package: nodejs
Status: install ok installed
Architecture: amd64
Version: 12.22.9~dfsg-1ubuntu3.4
Description: evented I/O for V8 javascript - runtime executable
"""


def mkimage(out, spec):
    p = subprocess.run([sys.executable, MKIMAGE, "-o", out, "--spec", "-"],
                       input=json.dumps(spec), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise SystemExit("mkimage failed: " + p.stderr[-2000:])
    return json.loads(p.stdout)


def files_of(root, paths):
    return [{"path": p, "file": os.path.join(root, p)} for p in paths]


def build_images(tmp):
    imgs = {}
    # Debian 11.5: release files in one layer, the package database (plus putty) in the next
    bull = os.path.join(REAL, "debian-bullseye-real", "rootfs")
    status = open(os.path.join(bull, "var/lib/dpkg/status")).read().rstrip("\n") + "\n" + PUTTY
    status_path = os.path.join(tmp, "bullseye-status")
    with open(status_path, "w") as fh:
        fh.write(status)
    imgs["debian11"] = os.path.join(tmp, "debian11.tar")
    mkimage(imgs["debian11"], {"format": "docker-archive", "tags": ["pg:15"], "layers": [
        {"created_by": "ADD rootfs", "entries": files_of(bull, ["etc/os-release",
                                                               "etc/debian_version"])},
        {"compression": "gzip", "created_by": "RUN apt-get install putty",
         "entries": [{"path": "var/lib/dpkg/status", "file": status_path}]}]})
    # the same files as a directory, for 'bosun rootfs'
    rootfs = os.path.join(tmp, "debian11-rootfs")
    for p in ["etc/os-release", "etc/debian_version"]:
        os.makedirs(os.path.dirname(os.path.join(rootfs, p)), exist_ok=True)
        shutil.copy(os.path.join(bull, p), os.path.join(rootfs, p))
    os.makedirs(os.path.join(rootfs, "var/lib/dpkg"))
    shutil.copy(status_path, os.path.join(rootfs, "var/lib/dpkg/status"))
    imgs["debian11-rootfs"] = rootfs

    buster = os.path.join(REAL, "debian-buster", "rootfs")
    status = open(os.path.join(buster, "var/lib/dpkg/status")).read().rstrip("\n") + "\n" + \
        CHROMIUM
    buster_status = os.path.join(tmp, "buster-status")
    with open(buster_status, "w") as fh:
        fh.write(status)
    imgs["debian10"] = os.path.join(tmp, "debian10.tar")
    mkimage(imgs["debian10"], {"format": "oci-archive", "layers": [
        {"compression": "zstd", "entries": files_of(buster, ["etc/os-release",
                                                            "etc/debian_version"]) +
         [{"path": "var/lib/dpkg/status", "file": buster_status}]}]})

    imgs["ubuntu22"] = os.path.join(tmp, "ubuntu22.tar")
    mkimage(imgs["ubuntu22"], {"format": "docker-archive", "layers": [
        {"entries": [{"path": "etc/os-release", "content": UBUNTU_RELEASE},
                     {"path": "var/lib/dpkg/status", "content": UBUNTU_STATUS}]}]})

    alp = os.path.join(REAL, "alpine-3.4", "rootfs")
    imgs["alpine34"] = os.path.join(tmp, "alpine34.tar")
    mkimage(imgs["alpine34"], {"format": "docker-archive", "layers": [
        {"entries": files_of(alp, ["etc/os-release", "etc/alpine-release",
                                   "lib/apk/db/installed"])}]})

    lang = {
        "app/package-lock.json": json.dumps({
            "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
            "packages": {
                "": {"name": "app", "version": "1.0.0"},
                "node_modules/lodash": {"version": "4.17.11"},
                "node_modules/minimist": {"version": "1.2.5"},
                "node_modules/qs": {"version": "6.5.2"},
                "node_modules/semver": {"version": "7.5.1"},
                "node_modules/ws": {"version": "7.4.0"},
                "node_modules/express": {"version": "4.19.2"},
                "node_modules/cookie": {"version": "0.6.0"},
                "node_modules/braces": {"version": "3.0.2"}}}),
        "srv/package-lock.json": json.dumps({
            "name": "srv", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
            "packages": {"": {"name": "srv", "version": "1.0.0"},
                         "node_modules/lodash": {"version": "4.17.21"},
                         "node_modules/minimist": {"version": "1.2.6"}}}),
        "app/gradle.lockfile": "\n".join([
            "# This is a Gradle generated file for dependency locking.",
            "org.apache.logging.log4j:log4j-core:2.14.1=compileClasspath,runtimeClasspath",
            "com.fasterxml.jackson.core:jackson-databind:2.13.2=runtimeClasspath",
            "org.apache.commons:commons-text:1.9=runtimeClasspath",
            "org.postgresql:postgresql:42.5.0=runtimeClasspath",
            "org.yaml:snakeyaml:1.33=runtimeClasspath",
            "com.google.guava:guava:32.0.0-jre=runtimeClasspath",
            "log4j:log4j:1.2.17=runtimeClasspath",
            "empty=", ""]),
        "app/requirements.txt": "PyYAML==5.3.1\nJinja2==2.10\nurllib3==1.26.5\n",
        "app/go.mod": "module example.com/app\n\ngo 1.20\n\nrequire (\n"
                      "\tgithub.com/dgrijalva/jwt-go v3.2.0+incompatible\n"
                      "\tgolang.org/x/text v0.3.7\n\tgopkg.in/yaml.v2 v2.2.2\n)\n",
        "app/Cargo.lock": "version = 3\n\n"
                          "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\n"
                          "[[package]]\nname = \"regex\"\nversion = \"1.5.4\"\n"
                          "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
                          "[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\n"
                          "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
                          "[[package]]\nname = \"smallvec\"\nversion = \"0.6.14\"\n"
                          "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        "app/Gemfile.lock": "GEM\n  remote: https://rubygems.org/\n  specs:\n"
                            "    rack (2.0.7)\n    nokogiri (1.13.9)\n\nPLATFORMS\n  ruby\n\n"
                            "DEPENDENCIES\n  rack\n  nokogiri\n",
    }
    imgs["lang"] = os.path.join(tmp, "lang.tar")
    mkimage(imgs["lang"], {"format": "docker-archive", "layers": [
        {"entries": [{"path": p, "content": c} for p, c in lang.items()]}]})
    return imgs


def scan(db, kind, target, fmt="json", extra=()):
    p = run([BOSUN, kind, "--db", db, "--offline", "--no-progress", "-q", "-f", fmt]
            + list(extra) + [target])
    return json.loads(p.stdout) if fmt == "json" else p.stdout


def index(report):
    out = {}
    for v in report["vulnerabilities"]:
        out.setdefault((v["package_type"], v["package_name"], v["installed_version"], v["id"]),
                       []).append(v)
    return out


def expect(report, name, ptype, pkg, version, vid, fixed=None, status="fixed",
           severity=None, aliases=()):
    """A finding must exist once, with these fields."""
    global checked
    checked += 1
    found = index(report).get((ptype, pkg, version, vid), [])
    if len(found) != 1:
        fail("%s: %s %s %s: want 1 finding of %s, got %d" % (name, ptype, pkg, version, vid,
                                                             len(found)))
        return
    v = found[0]
    if v["fixed_version"] != fixed:
        fail("%s: %s %s: fixed %r, want %r" % (name, pkg, vid, v["fixed_version"], fixed))
    if v["status"] != status:
        fail("%s: %s %s: status %r, want %r" % (name, pkg, vid, v["status"], status))
    if severity and v["severity"] != severity:
        fail("%s: %s %s: severity %r, want %r" % (name, pkg, vid, v["severity"], severity))
    for a in aliases:
        if a not in v["aliases"]:
            fail("%s: %s %s: alias %s missing from %r" % (name, pkg, vid, a, v["aliases"]))
        # an alias is never a finding of its own for the same package
        if index(report).get((ptype, pkg, version, a)):
            fail("%s: %s %s reported twice (also as %s)" % (name, pkg, vid, a))


def absent(report, name, ptype, pkg, version, vid):
    global checked
    checked += 1
    for (t, n, ver, i), vs in index(report).items():
        if t == ptype and n == pkg and ver == version and (i == vid or any(
                vid in v["aliases"] for v in vs)):
            fail("%s: %s %s %s must not have %s" % (name, ptype, pkg, version, vid))


def main():
    tmp = tempfile.mkdtemp(prefix="bsn_e2e_")
    try:
        db = build_db(tmp)
        imgs = build_images(tmp)

        # ---- Debian 11.5 (postgres:15 database) ----
        r = scan(db, "image", imgs["debian11"])
        n = "debian11"
        if (r["os"] or {}).get("version") != "11.5":
            fail("debian11: os %r" % r["os"])
        # DSA/list: DSA-5343-1 openssl, [bullseye] 1.1.1n-0+deb11u4; binary libssl1.1
        expect(r, n, "deb", "libssl1.1", "1.1.1n-0+deb11u3", "CVE-2023-0286",
               "1.1.1n-0+deb11u4", aliases=["DSA-5343-1"])
        expect(r, n, "deb", "libssl1.1", "1.1.1n-0+deb11u3", "CVE-2022-2097",
               "1.1.1n-0+deb11u4")
        # Debian OSV DSA-5514-1: glibc Debian:11 fixed 2.31-13+deb11u7
        expect(r, n, "deb", "libc6", "2.31-13+deb11u5", "CVE-2023-4911", "2.31-13+deb11u7")
        # DSA/list DSA-5349-1: gnutls28 [bullseye] 3.7.1-5+deb11u3
        expect(r, n, "deb", "libgnutls30", "3.7.1-5+deb11u2", "CVE-2023-0361",
               "3.7.1-5+deb11u3")
        # Debian OSV DLA-3907-1: sqlite3 Debian:11 fixed 3.34.1-3+deb11u1
        expect(r, n, "deb", "libsqlite3-0", "3.34.1-3", "CVE-2021-36690", "3.34.1-3+deb11u1")
        # epoch: bsdutils 1:2.36.1-8+deb11u1 from util-linux 2.36.1-8+deb11u1; DSA-5650-1
        # fixed 2.36.1-8+deb11u2 (the binary's epoch must not hide it)
        expect(r, n, "deb", "bsdutils", "1:2.36.1-8+deb11u1", "CVE-2024-28085",
               "2.36.1-8+deb11u2")
        # ... and DSA-5055-1's fix 2.36.1-8+deb11u1 is the installed version: not affected
        absent(r, n, "deb", "bsdutils", "1:2.36.1-8+deb11u1", "CVE-2021-3995")
        absent(r, n, "deb", "libssl1.1", "1.1.1n-0+deb11u3", "CVE-2022-1292")
        # CVE/list: "[bullseye] - putty <no-dsa> (Minor issue)"
        expect(r, n, "deb", "putty", "0.74-2", "CVE-2021-36367", None, status="will_not_fix")
        if not r["os"]["eosl"] or not any("end of life" in d["message"]
                                          for d in r["diagnostics"]):
            fail("debian11: Debian 11 (EOL 2026-08-31) must be flagged end of life")

        # rootfs and dir: targets give the same findings as the image
        keys = lambda rep: sorted((v["id"], v["package_name"], v["installed_version"],
                                   v["fixed_version"] or "") for v in rep["vulnerabilities"])
        rr = scan(db, "rootfs", imgs["debian11-rootfs"])
        if keys(rr) != keys(r):
            fail("debian11: rootfs findings differ from the image's (%d vs %d)"
                 % (len(rr["vulnerabilities"]), len(r["vulnerabilities"])))
        rd = scan(db, "image", "dir:" + imgs["debian11-rootfs"])
        if keys(rd) != keys(r):
            fail("debian11: dir: findings differ from the image's")

        # ---- Debian 10.7 (drupal database) ----
        r = scan(db, "image", "oci-archive:" + imgs["debian10"])
        n = "debian10"
        # binNMU: less 487-0.1+b1 is built from source less 487-0.1; Debian OSV DLA-3823-1
        # less Debian:10 fixed 487-0.1+deb10u1
        expect(r, n, "deb", "less", "487-0.1+b1", "CVE-2022-48624", "487-0.1+deb10u1")
        expect(r, n, "deb", "less", "487-0.1+b1", "CVE-2024-32487", "487-0.1+deb10u1")
        # tracker JSON excerpt: chromium CVE-2022-0456 buster {"status": "open",
        # "urgency": "end-of-life"}: buster's chromium is out of security support
        expect(r, n, "deb", "chromium", "90.0.4430.212-1~deb10u1", "CVE-2022-0456", None,
               status="end_of_life")
        # DSA/list DSA-4855-1: openssl [buster] 1.1.1d-0+deb10u5
        expect(r, n, "deb", "libssl1.1", "1.1.1d-0+deb10u4", "CVE-2021-23840",
               "1.1.1d-0+deb10u5")
        # epoch on both sides: git 1:2.20.1-2+deb10u3; DLA/list DLA-3239-1 git [buster]
        # 1:2.20.1-2+deb10u5
        expect(r, n, "deb", "git", "1:2.20.1-2+deb10u3", "CVE-2022-24765", "1:2.20.1-2+deb10u5")

        # ---- Ubuntu 22.04 ----
        r = scan(db, "image", imgs["ubuntu22"])
        n = "ubuntu22"
        # Ubuntu OSV CVE-2024-0727: Ubuntu:22.04:LTS openssl fixed 3.0.2-0ubuntu1.14,
        # ubuntu_priority "low" (the distro's severity wins over the CVSS 5.5 MEDIUM)
        expect(r, n, "deb", "libssl3", "3.0.2-0ubuntu1.10", "CVE-2024-0727",
               "3.0.2-0ubuntu1.14", severity="LOW")
        v = index(r).get(("deb", "libssl3", "3.0.2-0ubuntu1.10", "CVE-2024-0727"), [{}])[0]
        if v.get("severity_source") != "ubuntu":
            fail("ubuntu22: severity source %r, want ubuntu" % v.get("severity_source"))
        absent(r, n, "deb", "openssl", "3.0.2-0ubuntu1.14", "CVE-2024-0727")
        # nodejs: introduced 0, no fix, no priority: unfixed, severity from CVSS 5.5
        expect(r, n, "deb", "nodejs", "12.22.9~dfsg-1ubuntu3.4", "CVE-2024-0727", None,
               status="not_fixed", severity="MEDIUM")

        # ---- Alpine 3.4.6 ----
        r = scan(db, "image", imgs["alpine34"])
        n = "alpine34"
        # secdb v3.4/main.yaml openssl secfixes 1.0.2k-r0: CVE-2016-7055 CVE-2017-3731 …;
        # libcrypto1.0 has origin openssl
        expect(r, n, "apk", "libcrypto1.0", "1.0.2j-r0", "CVE-2017-3731", "1.0.2k-r0")
        # CVE-2017-3738 is listed under 1.0.2n-r0 and 1.0.2o-r0: the first fix counts
        expect(r, n, "apk", "libssl1.0", "1.0.2j-r0", "CVE-2017-3738", "1.0.2n-r0")
        # 1.0.2j-r0 fixed CVE-2016-7052: installed is the fixed version
        absent(r, n, "apk", "libcrypto1.0", "1.0.2j-r0", "CVE-2016-7052")
        # zlib 1.2.11-r0: CVE-2016-9840..9843
        expect(r, n, "apk", "zlib", "1.2.8-r2", "CVE-2016-9840", "1.2.11-r0")
        # musl 1.1.14-r16: CVE-2017-15650; 1.1.14-r13 (older than installed r14): CVE-2016-8859
        expect(r, n, "apk", "musl", "1.1.14-r14", "CVE-2017-15650", "1.1.14-r16")
        absent(r, n, "apk", "musl", "1.1.14-r14", "CVE-2016-8859")
        # busybox 1.24.2-r13: CVE-2017-16544; 1.24.2-r12 (= installed): CVE-2016-6301
        expect(r, n, "apk", "busybox", "1.24.2-r12", "CVE-2017-16544", "1.24.2-r13")
        absent(r, n, "apk", "busybox", "1.24.2-r12", "CVE-2016-6301")

        # ---- language packages ----
        r = scan(db, "image", imgs["lang"])
        n = "lang"
        # GHSA-jf85-cpcp-j695 (CVE-2019-10744) lodash <4.17.12, CRITICAL
        expect(r, n, "npm", "lodash", "4.17.11", "CVE-2019-10744", "4.17.12",
               severity="CRITICAL", aliases=["GHSA-jf85-cpcp-j695"])
        # GHSA-35jh-r3h4-6jhm (CVE-2021-23337) lodash <4.17.21, HIGH: one finding, not two
        expect(r, n, "npm", "lodash", "4.17.11", "CVE-2021-23337", "4.17.21", severity="HIGH",
               aliases=["GHSA-35jh-r3h4-6jhm"])
        absent(r, n, "npm", "lodash", "4.17.21", "CVE-2021-23337")
        # GHSA-xvch-5gv4-984h minimist >=1.0.0 <1.2.6
        expect(r, n, "npm", "minimist", "1.2.5", "CVE-2021-44906", "1.2.6")
        absent(r, n, "npm", "minimist", "1.2.6", "CVE-2021-44906")
        # GHSA-hrpp-h998-j3pp qs: the 6.5 branch is fixed in 6.5.3
        expect(r, n, "npm", "qs", "6.5.2", "CVE-2022-24999", "6.5.3")
        # GHSA-c2qf-rxjj-qqgw semver >=7.0.0 <7.5.2, MODERATE
        expect(r, n, "npm", "semver", "7.5.1", "CVE-2022-25883", "7.5.2", severity="MEDIUM")
        # GHSA-3h5v-q93c-6h6q ws >=7.0.0 <7.5.10
        expect(r, n, "npm", "ws", "7.4.0", "CVE-2024-37890", "7.5.10")
        # GHSA-rv95-896h-c2vc express <4.19.2: installed is the fix
        absent(r, n, "npm", "express", "4.19.2", "CVE-2024-29041")
        # GHSA-pxg6-pf52-xh8x cookie <0.7.0, LOW
        expect(r, n, "npm", "cookie", "0.6.0", "CVE-2024-47764", "0.7.0", severity="LOW")
        # GHSA-grv7-fg5c-xmjg braces <3.0.3
        expect(r, n, "npm", "braces", "3.0.2", "CVE-2024-4068", "3.0.3")
        # GHSA-jfh8-c2jp-5v3q log4j-core >=2.13.0 <2.15.0
        expect(r, n, "maven", "org.apache.logging.log4j:log4j-core", "2.14.1",
               "CVE-2021-44228", "2.15.0", severity="CRITICAL")
        # GHSA-jjjh-jjxp-wpff jackson-databind >=2.13.0 <2.13.4.1
        expect(r, n, "maven", "com.fasterxml.jackson.core:jackson-databind", "2.13.2",
               "CVE-2022-42003", "2.13.4.1")
        # GHSA-599f-7c49-w659 commons-text >=1.5 <1.10.0
        expect(r, n, "maven", "org.apache.commons:commons-text", "1.9", "CVE-2022-42889",
               "1.10.0")
        # GHSA-24rp-q3w6-vc56 postgresql 42.5 branch fixed in 42.5.5
        expect(r, n, "maven", "org.postgresql:postgresql", "42.5.0", "CVE-2024-1597", "42.5.5")
        # GHSA-mjmj-j48q-9wg2 snakeyaml <2.0
        expect(r, n, "maven", "org.yaml:snakeyaml", "1.33", "CVE-2022-1471", "2.0")
        # GHSA-7g45-4rm6-3mm3 guava <32.0.0: 32.0.0-jre is the fix
        absent(r, n, "maven", "com.google.guava:guava", "32.0.0-jre", "CVE-2023-2976")
        # GHSA-fp5r-v3w9-4333 log4j:log4j >=1.2.0 with no fix: unfixed
        expect(r, n, "maven", "log4j:log4j", "1.2.17", "CVE-2021-4104", None,
               status="affected")
        # PYSEC-2021-142 pyyaml <5.4 (aliases CVE-2020-14343, GHSA-8q59-q68h-6hv4)
        expect(r, n, "pypi", "PyYAML", "5.3.1", "CVE-2020-14343", "5.4",
               aliases=["PYSEC-2021-142", "GHSA-8q59-q68h-6hv4"])
        # PYSEC-2019-217 jinja2 <2.10.1
        expect(r, n, "pypi", "Jinja2", "2.10", "CVE-2019-10906", "2.10.1")
        # PYSEC-2023-192 urllib3 <1.26.17 (and 2.0.0 <2.0.6)
        expect(r, n, "pypi", "urllib3", "1.26.5", "CVE-2023-43804", "1.26.17")
        # GO-2022-0956 gopkg.in/yaml.v2 <2.2.4; GO-2020-0036 <2.2.8; GO-2021-0061 <2.2.3
        expect(r, n, "golang", "gopkg.in/yaml.v2", "v2.2.2", "CVE-2022-3064", "2.2.4",
               aliases=["GO-2022-0956"])
        expect(r, n, "golang", "gopkg.in/yaml.v2", "v2.2.2", "CVE-2019-11254", "2.2.8")
        expect(r, n, "golang", "gopkg.in/yaml.v2", "v2.2.2", "CVE-2021-4235", "2.2.3")
        # GO-2022-1059 golang.org/x/text <0.3.8; GO-2021-0113 <0.3.7 (the installed version)
        expect(r, n, "golang", "golang.org/x/text", "v0.3.7", "CVE-2022-32149", "0.3.8")
        absent(r, n, "golang", "golang.org/x/text", "v0.3.7", "CVE-2021-38561")
        # GO-2020-0017 jwt-go: introduced only, never fixed
        expect(r, n, "golang", "github.com/dgrijalva/jwt-go", "v3.2.0+incompatible",
               "CVE-2020-26160", None, status="affected")
        # RUSTSEC-2022-0013 regex patched >= 1.5.5, CVSS 7.5
        expect(r, n, "cargo", "regex", "1.5.4", "CVE-2022-24713", "1.5.5", severity="HIGH",
               aliases=["RUSTSEC-2022-0013"])
        # RUSTSEC-2021-0003 smallvec patched >=0.6.14,<1.0.0 and >=1.6.1
        expect(r, n, "cargo", "smallvec", "1.6.0", "CVE-2021-25900", "1.6.1")
        absent(r, n, "cargo", "smallvec", "0.6.14", "CVE-2021-25900")
        # rubysec rack CVE-2019-16782 patched ~>1.6.12, >=2.0.8
        expect(r, n, "gem", "rack", "2.0.7", "CVE-2019-16782", "2.0.8",
               aliases=["GHSA-hrqr-hxpp-chr3"])
        # rubysec rack CVE-2020-8161 patched ~>2.1.3, >=2.2.0
        expect(r, n, "gem", "rack", "2.0.7", "CVE-2020-8161", "2.1.3")
        # rubysec nokogiri CVE-2022-23476 patched >=1.13.10
        expect(r, n, "gem", "nokogiri", "1.13.9", "CVE-2022-23476", "1.13.10")

        # the same inventory through CycloneDX and 'bosun sbom' gives the same findings
        cdx = os.path.join(tmp, "lang.cdx.json")
        run([BOSUN, "image", "--db", db, "--offline", "-q", "-f", "cyclonedx", "-o", cdx,
             imgs["lang"]])
        p = run([BOSUN, "sbom", "--db", db, "--offline", "-q", "-f", "json", cdx], ok=(0, 2, 3))
        rs = json.loads(p.stdout) if p.returncode == 0 else {"vulnerabilities": []}
        if p.returncode != 0:
            fail("sbom: 'bosun sbom' failed: " + p.stderr.strip())
        # purls carry PyPI names normalised (purl spec: lowercase, '_' as '-'): compare so
        norm = lambda t, n: re.sub(r"[-_.]+", "-", n).lower() if t == "pypi" else n
        key2 = lambda rep: sorted((v["id"], v["package_type"],
                                   norm(v["package_type"], v["package_name"]),
                                   v["installed_version"]) for v in rep["vulnerabilities"])
        if key2(rs) != key2(r):
            fail("sbom: findings from the CycloneDX SBOM differ from the image's (%d vs %d)"
                 % (len(rs["vulnerabilities"]), len(r["vulnerabilities"])))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("%d triples checked, %d failures" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
