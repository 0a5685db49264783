#!/usr/bin/env python3
"""A package a lockfile declares and installed metadata also lists is reported once.

The image (tests/tools/mkimage.py) holds, hand-written here:
  - app/package-lock.json (v3) declaring lodash 4.17.15 (dev), express 4.16.0 (direct) and
    left-pad 1.3.0, and app/node_modules with lodash 4.17.15 and express 4.16.1 installed;
  - srv/requirements.txt pinning Django==3.2.0 and requests==2.19.0, and a Django 3.2.0
    dist-info under /usr/local/lib/python3.11/site-packages;
  - php/composer.lock and php/vendor/composer/installed.json both with monolog/monolog 2.9.1.

Expected, by the rule (bosun lists a declared package once, from where it is installed, and
keeps what only a lockfile declares): lodash once, from node_modules, marked dev and indirect as
the lockfile says; express twice (4.16.0 declared, 4.16.1 installed: different versions);
left-pad and requests from their lockfiles; Django once, from the dist-info; monolog once, from
installed.json. A vulnerability database with one advisory for lodash < 4.17.21 then reports
one finding for it, not two.
"""
import json
import os
import subprocess
import sys
import tempfile

BOSUN = os.environ.get("BOSUN", "build/dev/bosun")
SRC = os.environ.get("BSN_SRC", ".")
MKIMAGE = os.path.join(SRC, "tests/tools/mkimage.py")
FAILS, PASSES = [], 0


def check(cond, what):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILS.append(what)
        print("FAIL:", what)


LOCK = {
    "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "app", "version": "1.0.0", "dependencies": {"express": "4.16.0",
                                                                  "left-pad": "1.3.0"},
             "devDependencies": {"lodash": "4.17.15"}},
        "node_modules/express": {"version": "4.16.0"},
        "node_modules/left-pad": {"version": "1.3.0"},
        "node_modules/lodash": {"version": "4.17.15", "dev": True},
    },
}
METADATA = "Metadata-Version: 2.1\nName: Django\nVersion: 3.2.0\nLicense: BSD-3-Clause\n"
COMPOSER_LOCK = {"packages": [{"name": "monolog/monolog", "version": "2.9.1"}],
                 "packages-dev": []}
INSTALLED = {"packages": [{"name": "monolog/monolog", "version": "2.9.1",
                           "version_normalized": "2.9.1.0"}], "dev": False}
OSV = {"schema_version": "1.4.0", "id": "GHSA-test-lodash", "modified": "2024-01-01T00:00:00Z",
       "aliases": ["CVE-2020-8203"], "summary": "Prototype pollution in lodash",
       "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
                     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"},
                                                             {"fixed": "4.17.21"}]}]}],
       "database_specific": {"severity": "HIGH"}}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        site = "usr/local/lib/python3.11/site-packages"
        spec = {"format": "oci", "layers": [{"compression": "gzip", "entries": [
            {"path": "etc/os-release", "content": "ID=debian\nVERSION_ID=12\n"},
            {"path": "app/package.json", "content": json.dumps({"name": "app", "version": "1.0.0"})},
            {"path": "app/package-lock.json", "content": json.dumps(LOCK)},
            {"path": "app/node_modules/lodash/package.json",
             "content": json.dumps({"name": "lodash", "version": "4.17.15"})},
            {"path": "app/node_modules/express/package.json",
             "content": json.dumps({"name": "express", "version": "4.16.1"})},
            {"path": "srv/requirements.txt", "content": "Django==3.2.0\nrequests==2.19.0\n"},
            {"path": f"{site}/Django-3.2.0.dist-info/METADATA", "content": METADATA},
            {"path": "php/composer.lock", "content": json.dumps(COMPOSER_LOCK)},
            {"path": "php/vendor/composer/installed.json", "content": json.dumps(INSTALLED)},
        ]}]}
        img = os.path.join(tmp, "img")
        p = subprocess.run([sys.executable, MKIMAGE, "-o", img, "--spec", "-"],
                           input=json.dumps(spec), capture_output=True, text=True)
        check(p.returncode == 0, "image built: " + p.stderr[-300:])
        p = subprocess.run([BOSUN, "image", "--scanners", "none", "--no-cache", "-q", "-f",
                            "json", "oci:" + img], capture_output=True, text=True)
        check(p.returncode == 0, "inventory scan: %d %s" % (p.returncode, p.stderr.strip()))
        rep = json.loads(p.stdout) if p.returncode == 0 else {"packages": []}
        got = {}
        for x in rep["packages"]:
            got.setdefault((x["name"], x["version"]), []).append(x)
        paths = lambda n, v: sorted(x["path"] for x in got.get((n, v), []))
        check(paths("lodash", "4.17.15") == ["app/node_modules/lodash/package.json"],
              "lodash once, from node_modules: %s" % paths("lodash", "4.17.15"))
        lod = got.get(("lodash", "4.17.15"), [{}])[0]
        check(lod.get("dev") is True, "lodash keeps the lockfile's dev mark: %s" % lod)
        check(paths("express", "4.16.0") == ["app/package-lock.json"] and
              paths("express", "4.16.1") == ["app/node_modules/express/package.json"],
              "express at two versions stays twice: %s %s" %
              (paths("express", "4.16.0"), paths("express", "4.16.1")))
        check(paths("left-pad", "1.3.0") == ["app/package-lock.json"],
              "a package only the lockfile declares stays: %s" % paths("left-pad", "1.3.0"))
        dj = [k for k in got if k[0].lower() == "django"]
        check(len(dj) == 1 and [x["path"] for x in got[dj[0]]] ==
              [f"{site}/Django-3.2.0.dist-info/METADATA"],
              "Django once, from the dist-info: %s" % {k: paths(*k) for k in dj})
        check(paths("requests", "2.19.0") == ["srv/requirements.txt"],
              "requests only pinned: kept: %s" % paths("requests", "2.19.0"))
        check(paths("monolog/monolog", "2.9.1") == ["php/vendor/composer/installed.json"],
              "monolog once, from installed.json: %s" % paths("monolog/monolog", "2.9.1"))

        feed = os.path.join(tmp, "osv")
        os.makedirs(feed)
        with open(os.path.join(feed, "GHSA-test-lodash.json"), "w") as f:
            json.dump(OSV, f)
        db = os.path.join(tmp, "v.db")
        p = subprocess.run([BOSUN, "db", "build", "-q", "--out", db, feed], capture_output=True,
                           text=True)
        check(p.returncode == 0, "db build: " + p.stderr.strip())
        p = subprocess.run([BOSUN, "image", "--scanners", "vuln", "--db", db, "--no-cache", "-q",
                            "-f", "json", "oci:" + img], capture_output=True, text=True)
        vulns = json.loads(p.stdout)["vulnerabilities"] if p.stdout.strip() else []
        lv = [v for v in vulns if v.get("package_name") == "lodash"]
        check(len(lv) == 1 and lv[0]["installed_version"] == "4.17.15" and
              lv[0]["fixed_version"] == "4.17.21",
              "one lodash finding, not one per file: %s" % lv)
    print(f"{PASSES} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
