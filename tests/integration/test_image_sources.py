#!/usr/bin/env python3
"""End-to-end checks of image reading (issue 2): every local transport, gzip/zstd/plain layers,
whiteouts and opaque directories, a rewritten file seen once, layer attribution, OCI tag and
digest selection, and the failure modes (tampered layer, truncated archive, missing target):
exit 3, one clear stderr line, no partial output file.

Images are built on the fly by tests/tools/mkimage.py; expected results are written here by
hand from the spec below, not taken from bosun's output.
"""

import json
import os
import subprocess
import sys
import tempfile

BOSUN = os.environ.get("BOSUN", "build/dev/bosun")
SRC = os.environ.get("BSN_SRC", ".")
MKIMAGE = os.path.join(SRC, "tests/tools/mkimage.py")

FAILS = []
PASSES = 0


def check(cond, what):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILS.append(what)
        print("FAIL:", what)


def status(pkgs):
    """A dpkg status file listing name/version pairs."""
    out = []
    for name, ver in pkgs:
        out.append(f"Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n"
                   f"Version: {ver}\nDescription: test package {name}\n")
    return "\n".join(out)


def node_pkg(name, ver):
    return json.dumps({"name": name, "version": ver})


OS_RELEASE = ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
              'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n')


def spec(fmt, comp=("gzip", "zstd", "none")):
    return {
        "format": fmt,
        "images": [{
            "tags": ["demo:1"],
            "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
            "layers": [
                {"compression": comp[0], "created_by": "ADD rootfs /",
                 "entries": [
                     {"path": "etc/os-release", "content": OS_RELEASE},
                     {"path": "var/lib/dpkg/status",
                      "content": status([("base-files", "12.4"), ("libfoo", "1.0-1"),
                                         ("removed-later", "2.0-1")])},
                     {"path": "app/node_modules/left-pad/package.json",
                      "content": node_pkg("left-pad", "1.3.0")},
                     {"path": "app/node_modules/gone/package.json",
                      "content": node_pkg("gone", "1.0.0")},
                     {"path": "opt/lib/node_modules/hidden/package.json",
                      "content": node_pkg("hidden", "0.1.0")},
                 ]},
                {"compression": comp[1], "created_by": "RUN apt-get upgrade libfoo",
                 "entries": [
                     # rewritten: libfoo upgraded, removed-later dropped
                     {"path": "var/lib/dpkg/status",
                      "content": status([("base-files", "12.4"), ("libfoo", "1.1-1")])},
                     {"path": "app/node_modules/gone", "type": "whiteout"},
                     {"path": "opt/lib/node_modules", "type": "opaque"},
                     {"path": "opt/lib/node_modules/fresh/package.json",
                      "content": node_pkg("fresh", "2.0.0")},
                 ]},
                {"compression": comp[2], "created_by": "RUN touch x",
                 "entries": [{"path": "x", "content": "x"}]},
            ],
        }],
    }


EXPECTED = {  # name -> (version, layer index that introduced it at that version)
    "base-files": ("12.4", 0),
    "libfoo": ("1.1-1", 1),
    "left-pad": ("1.3.0", 0),
    "fresh": ("2.0.0", 1),
}


def mkimage(tmp, name, sp):
    out = os.path.join(tmp, name)
    p = subprocess.run([sys.executable, MKIMAGE, "-o", out, "--spec", "-"],
                       input=json.dumps(sp), capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("mkimage failed: " + p.stderr)
    return out, json.loads(p.stdout)


def bosun(*args, out=None):
    cmd = [BOSUN, *args]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p


def scan_json(target):
    p = bosun("image", "--scanners", "none", "--no-cache", "-q", "-f", "json", target)
    if p.returncode != 0:
        FAILS.append(f"scan {target}: exit {p.returncode}: {p.stderr.strip()}")
        print("FAIL:", FAILS[-1])
        return None
    return json.loads(p.stdout)


def comparable(rep):
    rep = dict(rep)
    rep.pop("created_at", None)
    art = dict(rep["artifact"])
    art.pop("target", None)
    rep["artifact"] = art
    return rep


def test_transports(tmp):
    reports = {}
    summaries = {}
    for fmt, name in [("docker-archive", "img.tar"), ("docker-archive-oci", "img-oci.tar"),
                      ("oci-archive", "img.oci.tar"), ("oci", "layout")]:
        path, summ = mkimage(tmp, name, spec(fmt))
        summaries[fmt] = summ
        prefix = {"docker-archive": "docker-archive:", "docker-archive-oci": "docker-archive:",
                  "oci-archive": "oci-archive:", "oci": "oci:"}[fmt]
        for target in (prefix + path, path):  # explicit transport and auto-detection
            rep = scan_json(target)
            if rep is None:
                continue
            reports[(fmt, target)] = rep
            pk = {p["name"]: p for p in rep["packages"]}
            check(set(pk) == set(EXPECTED), f"{target}: packages {sorted(pk)}")
            layers = [l["diff_id"] for l in summ["images"][0]["layers"]]
            img = rep["artifact"]["image"]
            check([l["diff_id"] for l in img["layers"]] == layers, f"{target}: diff_ids")
            if fmt != "docker-archive":  # legacy docker-archive stores uncompressed layers
                check([l["digest"] for l in img["layers"]] ==
                      [l["digest"] for l in summ["images"][0]["layers"]], f"{target}: digests")
            check([l["created_by"] for l in img["layers"]] ==
                  ["ADD rootfs /", "RUN apt-get upgrade libfoo", "RUN touch x"],
                  f"{target}: created_by")
            check(img["id"] == summ["images"][0]["config_digest"], f"{target}: image id")
            check(rep["os"] and rep["os"]["family"] == "debian" and
                  rep["os"]["version"].startswith("12"), f"{target}: os")
            for name, (ver, li) in EXPECTED.items():
                p = pk.get(name)
                check(p is not None and p["version"] == ver, f"{target}: {name} version")
                check(p is not None and p["layer"] == layers[li],
                      f"{target}: {name} attributed to layer {li}")
            # the rewritten status file yields each package once
            names = [p["name"] for p in rep["packages"]]
            check(len(names) == len(set(names)), f"{target}: duplicates {names}")
    # identical apart from target (legacy docker-archive: layer digests are of the plain tars
    # it stores, so it is compared with the others on everything but digest and size)
    oci_like = [comparable(r) for (f, t), r in reports.items() if f != "docker-archive"]
    check(all(r == oci_like[0] for r in oci_like), "OCI-style transports give identical JSON")
    legacy = [comparable(r) for (f, t), r in reports.items() if f == "docker-archive"]
    for r in legacy:
        for l in r["artifact"]["image"]["layers"]:
            l.pop("digest"), l.pop("size")
        o = json.loads(json.dumps(oci_like[0]))
        for l in o["artifact"]["image"]["layers"]:
            l.pop("digest"), l.pop("size")
        check(r == o, "legacy docker-archive matches the OCI-style reports")


def test_oci_selection(tmp):
    sp = spec("oci")
    second = json.loads(json.dumps(sp["images"][0]))
    second["tags"] = ["other:2"]
    second["ref"] = "v2"
    second["layers"] = [second["layers"][0]]
    sp["images"][0]["ref"] = "v1"
    sp["images"].append(second)
    path, summ = mkimage(tmp, "multi", sp)
    r1 = scan_json(f"oci:{path}:v1")
    r2 = scan_json(f"oci:{path}:v2")
    check(r1 and len(r1["artifact"]["image"]["layers"]) == 3, "tag v1 selects the 3-layer image")
    check(r2 and len(r2["artifact"]["image"]["layers"]) == 1, "tag v2 selects the 1-layer image")
    dig = summ["images"][1]["manifest_digest"]
    r3 = scan_json(f"oci:{path}:{dig}")
    check(r3 and r3["artifact"]["image"]["id"] == summ["images"][1]["config_digest"],
          "digest selects the second manifest")
    p = bosun("image", "--scanners", "none", "--no-cache", "-f", "json", f"oci:{path}")
    check(p.returncode != 0 and "v1" in p.stderr and "v2" in p.stderr,
          f"ambiguous layout lists the refs (exit {p.returncode}): {p.stderr.strip()}")
    p = bosun("image", "--scanners", "none", "--no-cache", "-f", "json", f"oci:{path}:nope")
    check(p.returncode == 3 and "nope" in p.stderr, f"unknown tag -> exit 3: {p.stderr.strip()}")


def test_platforms(tmp):
    amd = {"platform": "linux/amd64", "layers": [{"compression": "gzip", "entries": [
        {"path": "etc/os-release", "content": OS_RELEASE},
        {"path": "var/lib/dpkg/status", "content": status([("only-amd64", "1.0")])}]}]}
    arm = {"platform": "linux/arm64/v8", "layers": [{"compression": "zstd", "entries": [
        {"path": "etc/os-release", "content": OS_RELEASE},
        {"path": "var/lib/dpkg/status", "content": status([("only-arm64", "2.0")])}]}]}
    path, _ = mkimage(tmp, "multiarch", {"format": "oci", "images": [
        {"ref": "multi", "platforms": [amd, arm]}]})
    for plat, want in (("linux/amd64", "only-amd64"), ("linux/arm64/v8", "only-arm64"),
                       ("linux/arm64", "only-arm64")):
        p = bosun("image", "--scanners", "none", "--no-cache", "-q", "-f", "json",
                  "--platform", plat, f"oci:{path}:multi")
        names = [x["name"] for x in json.loads(p.stdout)["packages"]] if p.returncode == 0 else []
        check(names == [want], f"--platform {plat} selects {want}: {names} {p.stderr.strip()}")
    p = bosun("image", "--scanners", "none", "--no-cache", "-q", "-f", "json",
              "--platform", "all", f"oci:{path}:multi")
    check(p.returncode == 0, f"--platform all: exit {p.returncode} {p.stderr.strip()}")
    if p.returncode == 0:
        rep = json.loads(p.stdout)
        plats = sorted(x.get("platform") or x["artifact"].get("platform", "")
                       for x in rep.get("platforms", []))
        check(len(plats) == 2 and plats[0].startswith("linux/amd64") and
              plats[1].startswith("linux/arm64"), f"--platform all sections: {plats}")
        check(sorted(x["name"] for x in rep["packages"]) == ["only-amd64", "only-arm64"],
              "--platform all: merged inventory holds both platforms")
        check(rep["summary"]["packages"] == 2, "--platform all: merged summary")
    p = bosun("image", "--scanners", "none", "--no-cache", "-f", "json",
              "--platform", "linux/s390x", f"oci:{path}:multi")
    check(p.returncode == 3 and "linux/amd64" in p.stderr and "arm64" in p.stderr,
          f"no matching platform lists the available ones: {p.returncode} {p.stderr.strip()}")


def one_line(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    return len(lines) == 1


def test_failures(tmp):
    sp = spec("oci-archive")
    sp["tamper"] = {"image": 0, "layer": 1}
    path, summ = mkimage(tmp, "tampered.tar", sp)
    out = os.path.join(tmp, "report.json")
    p = bosun("image", "--scanners", "none", "--no-cache", "-f", "json", "-o", out, path)
    blob = summ["images"][0]["layers"][1]["digest"]
    check(p.returncode == 3, f"tampered layer -> exit 3 (got {p.returncode})")
    check(one_line(p.stderr) and blob in p.stderr,
          f"tampered layer: one line naming {blob}: {p.stderr!r}")
    check(not os.path.exists(out) and not [f for f in os.listdir(tmp) if f.startswith("report")],
          "no partial output file after a failure")

    sp = spec("docker-archive")
    whole, _ = mkimage(tmp, "whole.tar", sp)
    # Cut inside a layer member (tar records are padded, so cutting a few bytes off the end
    # may only remove padding and leave a valid archive).
    sp["truncate"] = os.path.getsize(whole) * 6 // 10
    path, _ = mkimage(tmp, "truncated.tar", sp)
    p = bosun("image", "--scanners", "none", "--no-cache", "-f", "json", "-o", out, path)
    check(p.returncode == 3, f"truncated archive -> exit 3 (got {p.returncode})")
    check(one_line(p.stderr), f"truncated archive: one stderr line: {p.stderr!r}")
    check(not os.path.exists(out), "no output file after truncation")

    missing = os.path.join(tmp, "does-not-exist.tar")
    p = bosun("image", "--scanners", "none", "-f", "json", "-o", out, missing)
    check(p.returncode == 3 and one_line(p.stderr) and missing in p.stderr,
          f"missing target -> exit 3 naming it: {p.returncode} {p.stderr!r}")

    p = bosun("image", "--format", "nope", missing)
    check(p.returncode == 2, f"bad --format -> exit 2 (got {p.returncode})")


def test_rootfs(tmp):
    # dir: and rootfs give the same inventory as the flattened image (no layers)
    root = os.path.join(tmp, "rootfs")
    files = {
        "etc/os-release": OS_RELEASE,
        "var/lib/dpkg/status": status([("base-files", "12.4"), ("libfoo", "1.1-1")]),
        "app/node_modules/left-pad/package.json": node_pkg("left-pad", "1.3.0"),
        "opt/lib/node_modules/fresh/package.json": node_pkg("fresh", "2.0.0"),
    }
    for rel, content in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w") as f:
            f.write(content)
    for args in (["image", f"dir:{root}"], ["rootfs", root], ["image", root]):
        p = bosun(args[0], "--scanners", "none", "-q", "-f", "json", args[1])
        check(p.returncode == 0, f"{args}: exit {p.returncode} {p.stderr.strip()}")
        if p.returncode:
            continue
        rep = json.loads(p.stdout)
        got = {(x["name"], x["version"]) for x in rep["packages"]}
        check(got == {(n, v) for n, (v, _) in EXPECTED.items()}, f"{args}: {sorted(got)}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_transports(tmp)
        test_oci_selection(tmp)
        test_platforms(tmp)
        test_failures(tmp)
        test_rootfs(tmp)
    print(f"{PASSES} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
