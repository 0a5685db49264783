#!/usr/bin/env python3
"""Language lockfile/metadata analyzers end to end through 'bosun rootfs' and 'bosun fs',
checked against independent oracles:
  - node_modules: the npm that ships with the machine's Node.js (/usr/lib/node_modules/npm,
    ~140 packages, nested node_modules, scoped packages, package.json files inside packages
    that are not packages) copied under srv/app/node_modules: bosun's npm packages must equal
    what `npm ls --all --json` lists, plus npm itself;
  - Python: the metadata of the running python3's site-packages copied into the rootfs:
    bosun's pypi packages must equal `pip list --path`;
  - ownership: Debian's dist-packages metadata with the host's dpkg status and the .list
    files that own it: none of it is a pypi package (the merge's rule, as trivy);
  - a project tree with every lockfile kind of tests/data and one broken lockfile through
    'bosun fs': each lockfile's packages are there, the broken one is a diagnostic, status 0.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

BOSUN = os.environ["BOSUN"]
DATA = os.environ["BSN_TEST_DATA"]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def bosun(cmd, target):
    p = subprocess.run([BOSUN, cmd, "--scanners", "none", "-f", "json", "-q", target],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        fail(f"bosun {cmd} {target}: status {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


def npm_oracle(pkgdir):
    out = subprocess.run(["npm", "ls", "--all", "--json", "--offline"], cwd=pkgdir,
                         capture_output=True, text=True, timeout=120).stdout
    tree = json.loads(out)
    acc = {(tree["name"], tree["version"])}

    def walk(d):
        for name, v in (d.get("dependencies") or {}).items():
            if v.get("version"):
                acc.add((name, v["version"]))
            walk(v)
    walk(tree)
    return acc


def main():
    w = tempfile.mkdtemp(prefix="bsn-langtext-")
    try:
        root = os.path.join(w, "root")
        # ---- node_modules ------------------------------------------------------------
        npm_src = "/usr/lib/node_modules/npm"
        if not os.path.isdir(npm_src):
            fail("no /usr/lib/node_modules/npm (Node.js with npm is required)")
        app_nm = os.path.join(root, "srv/app/node_modules")
        os.makedirs(app_nm)
        shutil.copytree(npm_src, os.path.join(app_nm, "npm"), symlinks=True)
        want_npm = npm_oracle(os.path.join(app_nm, "npm"))
        if len(want_npm) < 50:
            fail(f"npm oracle lists only {len(want_npm)} packages")

        # ---- Python site-packages ----------------------------------------------------
        sp = subprocess.run([sys.executable, "-c",
                             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True).stdout.strip()
        pip = subprocess.run([sys.executable, "-m", "pip", "list", "--format", "json",
                              "--path", sp], capture_output=True, text=True)
        if pip.returncode != 0:
            fail("pip list failed: " + pip.stderr)
        want_py = {(p["name"].lower().replace("_", "-"), p["version"])
                   for p in json.loads(pip.stdout)}
        dst_sp = os.path.join(root, "usr/local/lib/python3/site-packages")
        os.makedirs(dst_sp)
        for d in glob.glob(os.path.join(sp, "*.dist-info")) + \
                glob.glob(os.path.join(sp, "*.egg-info")):
            base = os.path.basename(d)
            if os.path.isdir(d):
                os.makedirs(os.path.join(dst_sp, base))
                for f in ("METADATA", "PKG-INFO"):
                    if os.path.exists(os.path.join(d, f)):
                        shutil.copy(os.path.join(d, f), os.path.join(dst_sp, base, f))
            else:
                shutil.copy(d, dst_sp)

        # ---- Debian's dist-packages, owned by dpkg -------------------------------------
        owned = 0
        dist = "/usr/lib/python3/dist-packages"
        lists = []
        for lst in glob.glob("/var/lib/dpkg/info/*.list"):
            with open(lst, errors="replace") as f:
                body = f.read()
            if dist + "/" in body and ("-info\n" in body or ".egg-info/" in body):
                lists.append(lst)
        if lists and os.path.exists("/var/lib/dpkg/status"):
            os.makedirs(os.path.join(root, "var/lib/dpkg/info"))
            shutil.copy("/var/lib/dpkg/status", os.path.join(root, "var/lib/dpkg/status"))
            for lst in lists:
                shutil.copy(lst, os.path.join(root, "var/lib/dpkg/info"))
            for d in glob.glob(dist + "/*.dist-info") + glob.glob(dist + "/*.egg-info"):
                rel = os.path.relpath(d, "/")
                if os.path.isdir(d):
                    for f in ("METADATA", "PKG-INFO"):
                        if os.path.exists(os.path.join(d, f)):
                            os.makedirs(os.path.join(root, rel), exist_ok=True)
                            shutil.copy(os.path.join(d, f), os.path.join(root, rel, f))
                            owned += 1
                else:
                    os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
                    shutil.copy(d, os.path.join(root, rel))
                    owned += 1

        r = bosun("rootfs", root)
        got_npm = {(p["name"], p["version"]) for p in r["packages"] if p["type"] == "npm"}
        if got_npm != want_npm:
            fail(f"npm: missing {sorted(want_npm - got_npm)[:10]}, "
                 f"extra {sorted(got_npm - want_npm)[:10]}")
        for p in r["packages"]:
            if p["type"] == "npm" and not p["path"].startswith("srv/app/node_modules/"):
                fail(f"npm package from {p['path']}")
        got_py = {(p["name"].lower().replace("_", "-"), p["version"])
                  for p in r["packages"] if p["type"] == "pypi"}
        if got_py != want_py:
            fail(f"pypi: missing {sorted(want_py - got_py)[:10]}, "
                 f"extra {sorted(got_py - want_py)[:10]}")
        leaked = [p["path"] for p in r["packages"]
                  if p["type"] == "pypi" and p["path"].startswith("usr/lib/python3/")]
        if leaked:
            fail(f"dpkg-owned Python metadata reported: {leaked[:5]}")
        print(f"ok: {len(got_npm)} npm = npm ls, {len(got_py)} pypi = pip list, "
              f"{owned} dpkg-owned metadata files not reported")

        # ---- a project tree with every lockfile kind ---------------------------------
        proj = os.path.join(w, "proj")
        picks = {
            "javascript/package-lock-trivy-lock-version-v2": ("package-lock.json", "web/"),
            "javascript/yarn-lock-trivy-happy": ("yarn.lock", "web2/"),
            "javascript/pnpm-lock-trivy-v9": ("pnpm-lock.yaml", "web3/"),
            "python/poetry-lock-trivy-flask-poetry-v2": ("poetry.lock", "py/"),
            "python/uv-lock-trivy-normal": ("uv.lock", "py2/"),
            "ruby/gemfile-lock-trivy-bundler2": ("Gemfile.lock", "rb/"),
            "php/composer-lock-trivy-happy-path": ("composer.lock", "php/"),
            "dotnet/packages-lock-trivy-packages-lock-simple": ("packages.lock.json", "cs/"),
        }
        want_counts = {}
        for case, (fname, sub) in picks.items():
            os.makedirs(os.path.join(proj, sub), exist_ok=True)
            shutil.copy(os.path.join(DATA, case, fname), os.path.join(proj, sub, fname))
            with open(os.path.join(DATA, case, "expected.json")) as f:
                exp = json.load(f)
            want_counts[sub + fname] = len(exp["packages"])
        want_counts["web3/pnpm-lock.yaml"] = 22
        os.makedirs(os.path.join(proj, "bad"))
        with open(os.path.join(proj, "bad/package-lock.json"), "w") as f:
            f.write('{"lockfileVersion": 3, "packages": {')
        r = bosun("fs", proj)
        counts = {}
        for p in r["packages"]:
            counts[p["path"]] = counts.get(p["path"], 0) + 1
        for path, n in want_counts.items():
            if counts.get(path) != n:
                fail(f"fs: {path}: {counts.get(path)} packages, expected {n}")
        if not any("bad/package-lock.json" in d["message"] for d in r["diagnostics"]):
            fail(f"fs: no diagnostic for the broken lockfile: {r['diagnostics']}")
        print(f"ok: fs project tree, {sum(counts.values())} packages from "
              f"{len(want_counts)} lockfiles, broken lockfile reported")
    finally:
        shutil.rmtree(w, ignore_errors=True)


if __name__ == "__main__":
    main()
