#!/usr/bin/env python3
"""What secret scanning costs: a ~2 GiB image of mixed binaries and text (this machine's own
/usr/lib, /usr/share, /usr/bin … packed as gzip layers, never modified) scanned with
`--scanners none` and with `--scanners secret`, alternating, repeated; medians, peak RSS, and
the added time as a fraction of the inventory scan.

usage: bench/bench_secrets.py [--gib 2] [--runs 3] [--work DIR] [--bosun PATH] [--results FILE]
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["/usr/lib", "/usr/share", "/usr/bin", "/usr/libexec", "/usr/include", "/etc"]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def build(work, gib):
    out = os.path.join(work, f"mixed-{gib}g.tar")
    if os.path.exists(out):
        return out
    layout = os.path.join(work, f"mixed-{gib}g-layout")
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    budget = int(gib * (1 << 30))
    # Pick top-level entries of the source dirs until the budget is filled, in ~5 layers.
    picks, total = [], 0
    for src in SOURCES:
        for name in sorted(os.listdir(src)):
            p = os.path.join(src, name)
            try:
                sz = int(subprocess.run(["du", "-sb", p], capture_output=True, text=True)
                         .stdout.split()[0])
            except (ValueError, IndexError):
                continue
            if total >= budget:
                break
            picks.append(p)
            total += sz
    per = max(1, len(picks) // 5)
    layers = [picks[i:i + per] for i in range(0, len(picks), per)]
    descs, diff_ids = [], []
    for i, group in enumerate(layers):
        tmp = os.path.join(layout, f"layer{i}.tar.gz")
        tarp = subprocess.Popen(["tar", "-C", "/", "-cf", "-", "--ignore-failed-read"] +
                                [g.lstrip("/") for g in group], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        diff = hashlib.sha256()
        gz = subprocess.Popen(["igzip", "-1", "-c"], stdin=subprocess.PIPE,
                              stdout=open(tmp, "wb"))
        while True:
            b = tarp.stdout.read(1 << 20)
            if not b:
                break
            diff.update(b)
            gz.stdin.write(b)
        gz.stdin.close()
        gz.wait()
        tarp.wait()
        d = sha256_file(tmp)
        os.rename(tmp, os.path.join(blobs, d))
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": "sha256:" + d, "size": os.path.getsize(os.path.join(blobs, d))})
        diff_ids.append("sha256:" + diff.hexdigest())
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": diff_ids},
                      "config": {}}).encode()
    cd = hashlib.sha256(cfg).hexdigest()
    open(os.path.join(blobs, cd), "wb").write(cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": "sha256:" + cd, "size": len(cfg)},
                      "layers": descs}).encode()
    md = hashlib.sha256(man).hexdigest()
    open(os.path.join(blobs, md), "wb").write(man)
    json.dump({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + md,
         "size": len(man)}]}, open(os.path.join(layout, "index.json"), "w"))
    json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(layout, "oci-layout"), "w"))
    subprocess.run(["tar", "-C", layout, "-cf", out, "oci-layout", "index.json", "blobs"],
                   check=True)
    subprocess.run(["rm", "-rf", layout], check=True)
    return out


def measure(cmd):
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(cmd[0], cmd)
    _, st, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(st) != 0:
        raise SystemExit(f"{cmd} failed")
    return time.monotonic() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=2.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(ROOT, "build/bench"))
    ap.add_argument("--bosun", default=os.path.join(ROOT, "build/release/bosun"))
    ap.add_argument("--results")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    img = build(a.work, a.gib)
    size = os.path.getsize(img) / 2**20
    res = {"none": [], "secret": []}
    for rnd in range(a.runs):
        for sc in (("none", "secret") if rnd % 2 == 0 else ("secret", "none")):
            res[sc].append(measure([a.bosun, "image", "--scanners", sc, "--no-cache", "-q",
                                    "-f", "json", img]))
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v),
               max(x[2] for x in v)) for k, v in res.items()}
    added_wall = med["secret"][0] / med["none"][0] - 1
    added_cpu = med["secret"][1] / med["none"][1] - 1
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    md = (f"## Secret scanning cost — {now}, {platform.node()}, {os.cpu_count()} cores\n\n"
          f"Image: {size:.0f} MiB of gzip layers (binaries and text from this machine's /usr), "
          f"{a.runs} alternating rounds, medians.\n\n"
          "| scan | wall (s) | CPU (s) | peak RSS (MiB) |\n| --- | ---: | ---: | ---: |\n"
          f"| --scanners none | {med['none'][0]:.2f} | {med['none'][1]:.2f} | {med['none'][2]:.1f} |\n"
          f"| --scanners secret | {med['secret'][0]:.2f} | {med['secret'][1]:.2f} | {med['secret'][2]:.1f} |\n\n"
          f"Added by secret scanning: {added_wall * 100:.1f}% wall, {added_cpu * 100:.1f}% CPU "
          f"(target: under 30%); peak RSS {med['secret'][2]:.1f} MiB (target: under 64 MiB).\n")
    print(md)
    if a.results:
        with open(a.results, "a") as f:
            f.write("\n" + md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
