"""OS packages across image layers, end to end with `bosun image docker-archive:…`.

A two-layer docker-archive is built here (Python tarfile, no docker):
  layer 1: etc/os-release (Debian 12), var/lib/dpkg/status with keep 1.0, upgraded 1.0 and
           removed 1.0, info/removed.list
  layer 2: var/lib/dpkg/status rewritten as `apt-get remove removed; apt-get install
           upgraded=2.0` leaves it, and a whiteout for info/removed.list
Expected (issue 3): removed is not listed; keep is attributed to layer 1's diff_id; upgraded
2.0 to layer 2's (the first layer, bottom-up, holding that name at that version).
Then an Alpine pair of layers: `apk del curl` in layer 2.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

BOSUN = os.environ["BOSUN"]


def stanza(name, version, status="install ok installed"):
    return ("Package: %s\nStatus: %s\nVersion: %s\nArchitecture: amd64\n"
            "Maintainer: Test <t@example.org>\n\n" % (name, status, version))


def layer_tar(files):
    """files: {path: bytes or None (whiteout)} -> tar bytes"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, data in sorted(files.items()):
            if data is None:
                d, b = os.path.split(path)
                path, data = os.path.join(d, ".wh." + b), b""
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def docker_archive(path, layers):
    diff_ids, names = [], []
    with tarfile.open(path, "w") as out:
        for i, files in enumerate(layers):
            blob = layer_tar(files)
            digest = hashlib.sha256(blob).hexdigest()
            diff_ids.append("sha256:" + digest)
            name = "%s/layer.tar" % digest
            names.append(name)
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            out.addfile(info, io.BytesIO(blob))
        config = json.dumps({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created_by": "layer %d" % i} for i in range(len(layers))],
        }).encode()
        cfg_name = hashlib.sha256(config).hexdigest() + ".json"
        manifest = json.dumps([{"Config": cfg_name, "RepoTags": ["ospkg:test"],
                                "Layers": names}]).encode()
        for n, data in ((cfg_name, config), ("manifest.json", manifest)):
            info = tarfile.TarInfo(n)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return diff_ids


def scan(path):
    p = subprocess.run([BOSUN, "image", "--scanners", "none", "-f", "json",
                        "docker-archive:" + path], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("bosun failed (%d): %s" % (p.returncode, p.stderr))
    return json.loads(p.stdout)


def check(report, ptype, want):
    got = {(p["name"], p["version"]): p["layer"] for p in report["packages"]
           if p["type"] == ptype}
    if got != want:
        sys.exit("%s packages: got %s, want %s" % (ptype, got, want))


def main():
    with tempfile.TemporaryDirectory(prefix="bsn-ospkg-layers-") as tmp:
        osr = b'ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"\n'
        l1 = {
            "etc/os-release": osr,
            "var/lib/dpkg/status": (stanza("keep", "1.0") + stanza("upgraded", "1.0") +
                                    stanza("removed", "1.0")).encode(),
            "var/lib/dpkg/info/removed.list": b"/usr/bin/removed\n",
            "usr/bin/removed": b"x",
        }
        l2 = {
            "var/lib/dpkg/status": (stanza("keep", "1.0") + stanza("upgraded", "2.0") +
                                    stanza("removed", "1.0", "deinstall ok config-files")
                                    ).encode(),
            "var/lib/dpkg/info/removed.list": None,
            "usr/bin/removed": None,
        }
        path = os.path.join(tmp, "deb.tar")
        d1, d2 = docker_archive(path, [l1, l2])
        report = scan(path)
        check(report, "deb", {("keep", "1.0"): d1, ("upgraded", "2.0"): d2})
        if (report.get("os") or {}).get("family") != "debian":
            sys.exit("os: %s" % report.get("os"))

        apk1 = b"P:musl\nV:1.2.4-r2\nA:x86_64\n\nP:curl\nV:8.5.0-r0\nA:x86_64\n\n"
        apk2 = b"P:musl\nV:1.2.4-r2\nA:x86_64\n\n"
        path = os.path.join(tmp, "apk.tar")
        a1, _ = docker_archive(path, [
            {"etc/alpine-release": b"3.19.1\n", "lib/apk/db/installed": apk1},
            {"lib/apk/db/installed": apk2}])
        report = scan(path)
        check(report, "apk", {("musl", "1.2.4-r2"): a1})
        if (report.get("os") or {}).get("version") != "3.19.1":
            sys.exit("os: %s" % report.get("os"))
    print("ok: removal and layer attribution across layers")


main()
