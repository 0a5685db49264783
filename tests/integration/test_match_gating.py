#!/usr/bin/env python3
"""CI gating through the CLI: --exit-code, --severity, --ignore-unfixed, the ignore file with
expiry, OpenVEX and CycloneDX VEX suppression, and --baseline (only new findings gate, the
table marks them NEW). The image holds an npm lockfile and a Gradle lockfile; the database is
the GHSA slice of tests/data/feeds, whose advisories give (checked by hand in the GHSA files):
  lodash 4.17.11   GHSA-jf85-cpcp-j695 / CVE-2019-10744  CRITICAL, fixed 4.17.12
                   GHSA-35jh-r3h4-6jhm / CVE-2021-23337  HIGH,     fixed 4.17.21
  cookie 0.6.0     GHSA-pxg6-pf52-xh8x / CVE-2024-47764  LOW,      fixed 0.7.0
  log4j 1.2.17     GHSA-fp5r-v3w9-4333 / CVE-2021-4104   HIGH,     no fix
  minimist 1.2.5   GHSA-xvch-5gv4-984h / CVE-2021-44906  CRITICAL, fixed 1.2.6 (second image)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

BOSUN = os.environ["BOSUN"]
SRC = os.environ.get("BSN_SRC", ".")
DATA = os.environ.get("BSN_TEST_DATA", os.path.join(SRC, "tests", "data"))
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def mkimage(out, npm, extra_layers=()):
    lock = {"name": "app", "version": "1.0.0", "lockfileVersion": 3,
            "packages": {"": {"name": "app", "version": "1.0.0"}}}
    for name, ver in npm.items():
        lock["packages"]["node_modules/" + name] = {"version": ver}
    spec = {"format": "docker-archive", "layers": [{"entries": [
        {"path": "app/package-lock.json", "content": json.dumps(lock)},
        {"path": "app/gradle.lockfile", "content": "log4j:log4j:1.2.17=runtimeClasspath\n"}]}]}
    p = subprocess.run([sys.executable, os.path.join(SRC, "tests/tools/mkimage.py"), "-o", out,
                        "--spec", "-"], input=json.dumps(spec), text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode:
        raise SystemExit("mkimage: " + p.stderr)


def scan(db, image, *flags, fmt="json"):
    p = subprocess.run([BOSUN, "image", "--db", db, "--offline", "-q", "-f", fmt] +
                       list(flags) + [image], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode not in (0, 7, 9):
        print(p.stderr, file=sys.stderr)
        raise SystemExit("bosun failed with %d" % p.returncode)
    return p.returncode, (json.loads(p.stdout) if fmt == "json" else p.stdout)


def ids(rep):
    return sorted(v["id"] for v in rep["vulnerabilities"])


def check(name, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (name, got, want))


def main():
    tmp = tempfile.mkdtemp(prefix="bsn_gating_")
    try:
        db = os.path.join(tmp, "bosun.db")
        subprocess.run([BOSUN, "db", "build", "-q", "--out", db, os.path.join(
            DATA, "feeds/ghsa/github-advisory-database-npm-maven-subset.tar.xz")], check=True)
        img = os.path.join(tmp, "a.tar")
        mkimage(img, {"lodash": "4.17.11", "cookie": "0.6.0"})
        img2 = os.path.join(tmp, "b.tar")
        mkimage(img2, {"lodash": "4.17.11", "cookie": "0.6.0", "minimist": "1.2.5"})
        all4 = ["CVE-2019-10744", "CVE-2021-23337", "CVE-2021-4104", "CVE-2024-47764"]

        # --exit-code: findings remain -> N; none -> 0
        rc, rep = scan(db, img, "--exit-code", "7")
        check("exit-code with findings", (rc, ids(rep)), (7, all4))
        rc, rep = scan(db, img, "--exit-code", "7", "--severity", "MEDIUM")
        check("no MEDIUM findings -> exit 0", (rc, ids(rep)), (0, []))

        # --severity keeps only the listed severities
        rc, rep = scan(db, img, "--severity", "CRITICAL,LOW")
        check("severity CRITICAL,LOW", ids(rep), ["CVE-2019-10744", "CVE-2024-47764"])
        # --ignore-unfixed drops log4j's unfixed CVE-2021-4104
        rc, rep = scan(db, img, "--ignore-unfixed")
        check("ignore-unfixed", ids(rep), ["CVE-2019-10744", "CVE-2021-23337",
                                           "CVE-2024-47764"])

        # the ignore file: ids or aliases, comments, expiry
        ign = os.path.join(tmp, "ignore")
        with open(ign, "w") as fh:
            fh.write("# accepted\nGHSA-35jh-r3h4-6jhm   # by its GHSA alias\n"
                     "CVE-2024-47764 exp:2999-12-31\nCVE-2019-10744 exp:2001-01-01\n")
        rc, rep = scan(db, img, "--ignorefile", ign, "--exit-code", "7")
        check("ignorefile", (rc, ids(rep)), (7, ["CVE-2019-10744", "CVE-2021-4104"]))
        check("ignorefile suppressed", sorted((s["id"], s["reason"]) for s in rep["suppressed"]),
              [("CVE-2021-23337", "ignorefile"), ("CVE-2024-47764", "ignorefile")])
        if not any("expired on 2001-01-01" in d["message"] for d in rep["diagnostics"]):
            fail("ignorefile: the lapsed entry is not reported")

        # OpenVEX: not_affected for lodash's CVE-2019-10744; fixed for log4j by alias
        vex = os.path.join(tmp, "vex.json")
        with open(vex, "w") as fh:
            json.dump({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://x/vex-1",
                       "author": "ci", "timestamp": "2026-01-01T00:00:00Z", "version": 1,
                       "statements": [
                           {"vulnerability": {"name": "CVE-2019-10744"},
                            "products": [{"@id": "pkg:npm/lodash@4.17.11"}],
                            "status": "not_affected",
                            "justification": "vulnerable_code_not_in_execute_path"},
                           {"vulnerability": {"name": "GHSA-fp5r-v3w9-4333"},
                            "products": [{"@id": "pkg:maven/log4j/log4j"}],
                            "status": "fixed"},
                           {"vulnerability": {"name": "CVE-2024-47764"},
                            "products": [{"@id": "pkg:npm/cookie@9.9.9"}],
                            "status": "not_affected"}]}, fh)
        rc, rep = scan(db, img, "--vex", vex)
        check("openvex", ids(rep), ["CVE-2021-23337", "CVE-2024-47764"])
        check("openvex suppressed", sorted((s["id"], s["reason"]) for s in rep["suppressed"]),
              [("CVE-2019-10744", "vex:not_affected"), ("CVE-2021-4104", "vex:fixed")])
        rc, text = scan(db, img, "--vex", vex, fmt="table")
        if "Suppressed: 2" not in text or "vex:not_affected" not in text:
            fail("table: suppressed findings and their reasons are not shown")

        # CycloneDX VEX through a bom-ref
        cvex = os.path.join(tmp, "cdx-vex.json")
        with open(cvex, "w") as fh:
            json.dump({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                       "components": [{"bom-ref": "c1", "type": "library", "name": "cookie",
                                       "purl": "pkg:npm/cookie@0.6.0"}],
                       "vulnerabilities": [{"id": "CVE-2024-47764",
                                            "analysis": {"state": "false_positive"},
                                            "affects": [{"ref": "c1"}]}]}, fh)
        rc, rep = scan(db, img, "--vex", cvex, "--exit-code", "7")
        check("cyclonedx vex", (rc, ids(rep)), (7, ["CVE-2019-10744", "CVE-2021-23337",
                                                    "CVE-2021-4104"]))

        # baseline: the second image adds minimist; only its finding is new and gates
        base = os.path.join(tmp, "base.json")
        rc, rep = scan(db, img)
        with open(base, "w") as fh:
            json.dump(rep, fh)
        rc, rep = scan(db, img, "--baseline", base, "--exit-code", "9")
        check("baseline, nothing new", rc, 0)
        rc, rep = scan(db, img2, "--baseline", base, "--exit-code", "9")
        check("baseline, new finding", (rc, sorted(v["id"] for v in rep["vulnerabilities"]
                                                   if v["is_new"])), (9, ["CVE-2021-44906"]))
        rc, text = scan(db, img2, "--baseline", base, fmt="table")
        lines = [l for l in text.splitlines() if "CVE-" in l]
        new = [l for l in lines if l.rstrip().endswith("NEW")]
        if len(new) != 1 or "CVE-2021-44906" not in new[0]:
            fail("table: NEW marks %r" % new)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
