#!/usr/bin/env python3
"""Report formats against their official schemas: an image (Debian 11.5 package database and
an npm lockfile in a directory whose name needs percent-encoding) is scanned with every
scanner, written as SARIF 2.1.0, CycloneDX 1.6 and SPDX 2.3 JSON, and each document is
validated with python3-jsonschema against the schema files in tests/data/schemas (sources in
tests/data/schemas/PROVENANCE.md), with $refs resolved locally. Each document is also checked
against the JSON report of the same scan: one SARIF rule per vulnerability id and one result
per finding at the package's path, CycloneDX components with the packages' purls and
vulnerabilities pointing at existing bom-refs, SPDX packages with the purls and a CONTAINS
relationship each.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from jsonschema import validators
from referencing import Registry, Resource

BOSUN = os.environ["BOSUN"]
SRC = os.environ.get("BSN_SRC", ".")
DATA = pathlib.Path(os.environ.get("BSN_TEST_DATA", os.path.join(SRC, "tests", "data")))
SCHEMAS = DATA / "schemas"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(args, ok=(0,)):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in ok:
        print(p.stderr[-4000:], file=sys.stderr)
        raise SystemExit("command failed (%d): %s" % (p.returncode, " ".join(args)))
    return p


def validator(folder, name):
    reg = Registry()
    for p in (SCHEMAS / folder).glob("*.json"):
        s = json.loads(p.read_text())
        res = Resource.from_contents(s)
        reg = reg.with_resource(p.name, res)
        if "$id" in s:
            reg = reg.with_resource(s["$id"], res)
    schema = json.loads((SCHEMAS / folder / name).read_text())
    return validators.validator_for(schema)(schema, registry=reg)


def validate(fmt, doc, folder, name):
    errs = list(validator(folder, name).iter_errors(doc))
    for e in errs[:10]:
        fail("%s: %s: %s" % (fmt, "/".join(map(str, e.absolute_path)), e.message[:300]))
    if not errs:
        print("%s: valid against %s/%s" % (fmt, folder, name))


def main():
    tmp = tempfile.mkdtemp(prefix="bsn_schemas_")
    try:
        feeds = DATA / "feeds"
        db = os.path.join(tmp, "bosun.db")
        run([BOSUN, "db", "build", "-q", "--out", db,
             str(feeds / "debian/debian-security-tracker-2023-04.tar.xz"),
             str(feeds / "debian/debian-osv-dsa-dla-2025-02.tar.xz"),
             str(feeds / "ghsa/github-advisory-database-npm-maven-subset.tar.xz"),
             str(feeds / "cve-nvd/cve5-nvd2-subset.tar.xz")])
        bull = DATA / "real-images/debian-bullseye-real/rootfs"
        lock = json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3,
                           "packages": {"": {"name": "app", "version": "1.0.0"},
                                        "node_modules/lodash": {"version": "4.17.11"},
                                        "node_modules/@babel/core": {"version": "7.0.0"},
                                        "node_modules/minimist": {"version": "1.2.5"}}})
        spec = {"format": "docker-archive", "tags": ["app:1"],
                "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
                "layers": [
                    {"entries": [{"path": p, "file": str(bull / p)} for p in
                                 ["etc/os-release", "etc/debian_version",
                                  "var/lib/dpkg/status"]]},
                    {"created_by": "COPY app /srv/app", "entries": [
                        {"path": "srv/app dir/package-lock.json", "content": lock}]}]}
        image = os.path.join(tmp, "app.tar")
        p = subprocess.run([sys.executable, os.path.join(SRC, "tests/tools/mkimage.py"), "-o",
                            image, "--spec", "-"], input=json.dumps(spec), text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode:
            raise SystemExit("mkimage: " + p.stderr)
        out = {}
        for fmt in ["json", "sarif", "cyclonedx", "spdx-json"]:
            path = os.path.join(tmp, "report." + fmt)
            run([BOSUN, "image", "--db", db, "--offline", "-q", "--scanners",
                 "vuln,secret,misconfig", "-f", fmt, "-o", path, image])
            out[fmt] = json.load(open(path))
        rep = out["json"]
        vulns, pkgs = rep["vulnerabilities"], rep["packages"]
        if len(vulns) < 20:
            fail("json: expected a vulnerable image, got %d findings" % len(vulns))

        # ---- SARIF ----
        sarif = out["sarif"]
        validate("sarif", sarif, "sarif", "sarif-schema-2.1.0.json")
        run0 = sarif["runs"][0]
        rules = run0["tool"]["driver"]["rules"]
        ids = [r["id"] for r in rules]
        if len(ids) != len(set(ids)):
            fail("sarif: duplicate rule ids")
        want = {v["id"] for v in vulns} | {s["rule_id"] for s in rep["secrets"]} | \
               {m["id"] for m in rep["misconfigurations"]}
        if set(ids) != want:
            fail("sarif: rules %d, want one per id (%d)" % (len(ids), len(want)))
        results = run0["results"]
        nwant = len(vulns) + len(rep["secrets"]) + len(rep["misconfigurations"])
        if len(results) != nwant:
            fail("sarif: %d results, want %d" % (len(results), nwant))
        for res in results:
            if rules[res["ruleIndex"]]["id"] != res["ruleId"]:
                fail("sarif: ruleIndex of %s points elsewhere" % res["ruleId"])
                break
        dpkg = [r for r in results if r["ruleId"] == vulns[0]["id"]]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in dpkg}
        if not uris <= {v["path"].replace(" ", "%20") for v in vulns}:
            fail("sarif: result locations %r are not package paths" % uris)
        if not any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
                   "srv/app%20dir/package-lock.json" for r in results):
            fail("sarif: no result located at the (percent-encoded) lockfile path")
        for r in rules:
            sev = r["properties"].get("security-severity")
            if sev is None or not 0.0 <= float(sev) <= 10.0:
                fail("sarif: rule %s security-severity %r" % (r["id"], sev))
                break

        # ---- CycloneDX ----
        cdx = out["cyclonedx"]
        validate("cyclonedx", cdx, "cyclonedx", "bom-1.6.schema.json")
        refs = {c["bom-ref"] for c in cdx["components"]}
        purls = sorted(c["purl"] for c in cdx["components"] if "purl" in c)
        if purls != sorted(p["purl"] for p in pkgs if p["purl"]):
            fail("cyclonedx: component purls differ from the report's packages")
        if len(cdx["vulnerabilities"]) != len(vulns):
            fail("cyclonedx: %d vulnerabilities, want %d" % (len(cdx["vulnerabilities"]),
                                                              len(vulns)))
        for v in cdx["vulnerabilities"]:
            if any(a["ref"] not in refs for a in v["affects"]):
                fail("cyclonedx: %s affects an unknown bom-ref" % v["id"])
                break
            if not v.get("ratings") or "analysis" not in v:
                fail("cyclonedx: %s lacks ratings or analysis" % v["id"])
                break

        # ---- SPDX ----
        spdx = out["spdx-json"]
        validate("spdx-json", spdx, "spdx", "spdx-schema.json")
        spurls = sorted(r["referenceLocator"] for p in spdx["packages"]
                        for r in p.get("externalRefs", []) if r["referenceType"] == "purl")
        if spurls != sorted(p["purl"] for p in pkgs if p["purl"]):
            fail("spdx: package purls differ from the report's packages")
        contained = {r["relatedSpdxElement"] for r in spdx["relationships"]
                     if r["relationshipType"] == "CONTAINS"}
        for p in spdx["packages"]:
            if p["SPDXID"] not in contained and p["SPDXID"] != "SPDXRef-Artifact":
                fail("spdx: %s is in no relationship" % p["SPDXID"])
                break
        if not spdx["documentNamespace"].startswith("https://"):
            fail("spdx: documentNamespace %r" % spdx["documentNamespace"])

        # --platform all: per-platform sub-reports in JSON; the SBOMs and SARIF cover all
        lock = lambda v: json.dumps({"name": "a", "lockfileVersion": 3, "packages": {
            "": {"name": "a"}, "node_modules/lodash": {"version": v}}})
        spec = {"format": "oci-archive", "images": [{"ref": "multi", "platforms": [
            {"platform": "linux/amd64", "layers": [{"entries": [
                {"path": "app/package-lock.json", "content": lock("4.17.11")}]}]},
            {"platform": "linux/arm64", "layers": [{"entries": [
                {"path": "app/package-lock.json", "content": lock("4.17.20")}]}]}]}]}
        multi = os.path.join(tmp, "multi.tar")
        p = subprocess.run([sys.executable, os.path.join(SRC, "tests/tools/mkimage.py"), "-o",
                            multi, "--spec", "-"], input=json.dumps(spec), text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode:
            raise SystemExit("mkimage: " + p.stderr)
        m = {}
        for fmt in ["json", "sarif", "cyclonedx", "spdx-json"]:
            m[fmt] = json.loads(run([BOSUN, "image", "--db", db, "--offline", "-q",
                                     "--platform", "all", "-f", fmt, multi]).stdout)
        # GHSA-jf85-cpcp-j695 (<4.17.12) and GHSA-35jh-r3h4-6jhm (<4.17.21) on amd64's
        # 4.17.11, only the latter on arm64's 4.17.20
        plat = {p["platform"]: sorted(v["id"] for v in p["vulnerabilities"])
                for p in m["json"].get("platforms", [])}
        if plat != {"linux/amd64": ["CVE-2019-10744", "CVE-2021-23337"],
                    "linux/arm64": ["CVE-2021-23337"]}:
            fail("platforms: %r" % plat)
        validate("sarif (platforms)", m["sarif"], "sarif", "sarif-schema-2.1.0.json")
        if len(m["sarif"]["runs"][0]["results"]) != 3:
            fail("sarif (platforms): %d results, want 3" % len(m["sarif"]["runs"][0]["results"]))
        validate("cyclonedx (platforms)", m["cyclonedx"], "cyclonedx", "bom-1.6.schema.json")
        if len(m["cyclonedx"]["vulnerabilities"]) != 3:
            fail("cyclonedx (platforms): %d vulnerabilities, want 3"
                 % len(m["cyclonedx"]["vulnerabilities"]))
        validate("spdx-json (platforms)", m["spdx-json"], "spdx", "spdx-schema.json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
