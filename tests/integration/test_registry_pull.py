#!/usr/bin/env python3
"""Pulling from registries (issue 8), end to end against Debian's docker-registry on loopback.

Everything runs on 127.0.0.1 with free ports in a temp dir: a plain registry, one with
htpasswd Basic auth, one with token auth (auth.token) in front of which the tests run their own
token server (tests/tools/registry_token_server.py, JWTs signed with an openssl key whose
self-signed certificate is the registry's rootcertbundle), and flaky proxies
(tests/tools/flaky_proxy.py). Images are made by tests/tools/mkimage.py (and from the
debootstrap rootfs, packed into an OCI layout here, when Debian's mirror is reachable) and
pushed by skopeo, which also writes the pushed manifest's digest (--digestfile):
repo_digests are checked against it.

Checks: the registry scan's JSON equals the archive's apart from target and repo_digests;
by-digest pulls; manifest unknown -> exit 3 naming the reference; a multi-platform index with
--platform, with no match (exit 3 listing the platforms) and with all; Basic auth from flags,
from ~/.docker/config.json and from a credential helper; wrong or missing credentials -> exit 5
with "authentication to HOST failed" and the password nowhere in the output; the Bearer flow
(token requested once with the right scope and reused for every blob); two 503s (the first
with Retry-After: 1) then success; a blob redirect to another host followed without the
Authorization header; a connection cut mid-blob resumed by a Range request; Bearer tokens
refreshed on expiry; schema 1 manifests and a manifest not matching its digest -> exit 3; a
corrupted blob -> exit 3 naming it; a warm rescan with --cache-dir makes no layer blob GET
(the manifest and config are still fetched: the config gives the diff_ids the cache is keyed
by); progress lines only on a terminal.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BOSUN = os.environ.get("BOSUN", "build/dev/bosun")
SRC = os.environ.get("BSN_SRC", ".")
BUILD = os.environ.get("BSN_BUILD", "build/dev")
MKIMAGE = os.path.join(SRC, "tests/tools/mkimage.py")
TOKEN_SERVER = os.path.join(SRC, "tests/tools/registry_token_server.py")
PROXY = os.path.join(SRC, "tests/tools/flaky_proxy.py")

FAILS, PASSES = [], 0
PROCS = []
PASSWORD = "pw-Zq9x-secret"
WRONG = "wrong-Kx7-guess"
REFRESH = "rt-identity-Pq3-token"


def check(cond, what):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILS.append(what)
        print("FAIL:", what)


def run(*cmd, env=None, timeout=300):
    return subprocess.run(list(cmd), capture_output=True, text=True, env=env, timeout=timeout)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, what):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start on port {port}")


def wait_file(path, what):
    for _ in range(200):
        if os.path.exists(path):
            with open(path) as f:
                return int(f.read())
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


def start(cmd, log):
    p = subprocess.Popen(cmd, stdout=open(log, "a"), stderr=subprocess.STDOUT,
                         start_new_session=True)
    PROCS.append(p)
    return p


def stop_all():
    for p in PROCS:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in PROCS:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def registry(tmp, name, auth_yaml=""):
    port = free_port()
    d = os.path.join(tmp, name)
    os.makedirs(d)
    cfg = os.path.join(d, "config.yml")
    with open(cfg, "w") as f:
        f.write(f"""version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: {d}/data
http:
  addr: 127.0.0.1:{port}
{auth_yaml}""")
    start(["docker-registry", "serve", cfg], os.path.join(d, "log"))
    wait_port(port, name)
    return port


def proxy(tmp, name, upstream, *extra):
    pf = os.path.join(tmp, name + ".port")
    log = os.path.join(tmp, name + ".log")
    open(log, "w").close()
    start([sys.executable, PROXY, "--upstream", f"127.0.0.1:{upstream}", "--port-file", pf,
           "--log", log, *extra], os.path.join(tmp, name + ".out"))
    return wait_file(pf, name), log


def push(src, dest, tmp, *extra):
    df = os.path.join(tmp, "digest")
    p = run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--digestfile", df, *extra,
            src, "docker://" + dest)
    if p.returncode != 0:
        raise RuntimeError(f"skopeo copy {src} {dest}: {p.stderr}")
    with open(df) as f:
        return f.read().strip()


def scan(target, *flags, env=None):
    return run(BOSUN, "image", "--scanners", "none", "-q", "-f", "json", *flags, target,
               env=env)


def report(p, what):
    if p.returncode != 0:
        check(False, f"{what}: exit {p.returncode}: {p.stderr.strip()}")
        return None
    return json.loads(p.stdout)


def strip(rep):
    rep = json.loads(json.dumps(rep))
    rep.pop("created_at", None)
    rep["artifact"].pop("target")
    rep["artifact"]["image"].pop("repo_digests")
    return rep


def no_secret(p, what, secrets=(PASSWORD, WRONG)):
    text = p.stdout + p.stderr
    for s in secrets:
        check(s not in text, f"{what}: secret not echoed")
    check(base64.b64encode(f"u:{PASSWORD}".encode()).decode() not in text,
          f"{what}: no base64 credentials echoed")


OS_RELEASE = ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
              'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n')
STATUS = ("Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n"
          "Version: 2.36-9+deb12u4\nDescription: libc\n\n"
          "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\n"
          "Version: 1:1.2.13.dfsg-1\nSource: zlib\nDescription: zlib\n")


RANDOM_FILE = None  # 2 MiB of incompressible bytes: a layer blob big enough to cut mid-way


def app_spec(tag, fmt="oci-archive", second="zstd"):
    # skopeo compresses plain tar layers when pushing: the blobs stay the same only for
    # compressed layers
    return {"format": fmt, "images": [{
        "tags": [tag],
        "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
        "layers": [
            {"compression": "gzip", "created_by": "ADD rootfs /", "entries": [
                {"path": "etc/os-release", "content": OS_RELEASE},
                {"path": "var/lib/dpkg/status", "content": STATUS},
                {"path": "big.bin", "size": 3 << 20, "byte": "q"},
                {"path": "data/random.bin", "file": RANDOM_FILE}]},
            {"compression": second, "created_by": "COPY app /app", "entries": [
                {"path": "app/node_modules/lodash/package.json",
                 "content": json.dumps({"name": "lodash", "version": "4.17.20"})}]},
            {"compression": "gzip-multi", "created_by": "RUN rm big", "entries": [
                {"path": "big.bin", "type": "whiteout"}]},
        ]}]}


def multi_spec():
    def plat(p, ver):
        return {"platform": p, "layers": [{"compression": "gzip", "entries": [
            {"path": "etc/os-release", "content": f"ID=alpine\nVERSION_ID={ver}\n"}]}]}
    return {"format": "oci", "images": [{"ref": "multi", "platforms": [
        plat("linux/amd64", "3.19.1"), plat("linux/arm64/v8", "3.19.2")]}]}


def mkimage(spec, out):
    p = subprocess.run([sys.executable, MKIMAGE, "-o", out, "--spec", "-"],
                       input=json.dumps(spec), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("mkimage: " + p.stderr)
    return json.loads(p.stdout)


def debian_layout(rootfs, lay):
    """An OCI layout holding rootfs as one gzip layer (tar | gzip, hashed on the way)."""
    import hashlib
    os.makedirs(os.path.join(lay, "blobs", "sha256"))

    def put(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(lay, "blobs", "sha256", d), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + d, "size": len(data)}

    blob = os.path.join(lay, "layer.tmp")
    tar = subprocess.Popen(["tar", "-C", rootfs, "--numeric-owner", "-cf", "-", "."],
                           stdout=subprocess.PIPE)
    with open(blob, "wb") as out:
        gz = subprocess.Popen(["gzip", "-1", "-n"], stdin=subprocess.PIPE, stdout=out)
        h = hashlib.sha256()
        for chunk in iter(lambda: tar.stdout.read(1 << 20), b""):
            h.update(chunk)
            gz.stdin.write(chunk)
        gz.stdin.close()
        gz.wait()
    tar.wait()
    g = hashlib.sha256()
    with open(blob, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            g.update(chunk)
    layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
             "digest": "sha256:" + g.hexdigest(), "size": os.path.getsize(blob)}
    os.rename(blob, os.path.join(lay, "blobs", "sha256", g.hexdigest()))
    config = {"architecture": "amd64", "os": "linux",
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]},
              "history": [{"created_by": "debootstrap --variant=minbase bookworm"}]}
    cdesc = dict(put(json.dumps(config).encode()),
                 mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": [layer]}
    mdesc = dict(put(json.dumps(manifest).encode()),
                 mediaType="application/vnd.oci.image.manifest.v1+json",
                 annotations={"org.opencontainers.image.ref.name": "bookworm"})
    with open(os.path.join(lay, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [mdesc]}, f)
    with open(os.path.join(lay, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


def pkgs(rep):
    return sorted((p["type"], p["name"], p["version"]) for p in rep["packages"])


def main():
    if not shutil.which("docker-registry") or not shutil.which("skopeo"):
        print("SKIP: docker-registry or skopeo not installed")
        return 0
    tmp = tempfile.mkdtemp(prefix="bsn-registry-")
    try:
        return tests(tmp)
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


def tests(tmp):
    global RANDOM_FILE
    import random
    RANDOM_FILE = os.path.join(tmp, "random.bin")
    with open(RANDOM_FILE, "wb") as f:
        f.write(random.Random(8).randbytes(2 << 20))
    env = dict(os.environ, HOME=os.path.join(tmp, "home"))
    env.pop("DOCKER_CONFIG", None)
    os.makedirs(env["HOME"])

    # ---- plain registry -------------------------------------------------------------------
    plain = registry(tmp, "plain")
    name = f"127.0.0.1:{plain}/team/app"
    archive = os.path.join(tmp, "app.tar")
    mkimage(app_spec(name + ":1"), archive)
    digest = push("oci-archive:" + archive, name + ":1", tmp)
    local = report(scan("oci-archive:" + archive, "--no-cache", env=env), "archive scan")
    remote = report(scan("registry:" + name + ":1", "--no-cache", env=env), "registry scan")
    if local and remote:
        check(strip(local) == strip(remote), "registry JSON equals the archive's apart from "
                                             "target and repo_digests")
        check(remote["artifact"]["image"]["repo_digests"] == [f"{name}@{digest}"],
              f"repo_digests {remote['artifact']['image']['repo_digests']} == {name}@{digest}")
        check(remote["artifact"]["image"]["repo_tags"] == [name + ":1"], "repo_tags")
        check(pkgs(remote) == [("deb", "libc6", "2.36-9+deb12u4"), ("deb", "zlib1g",
                               "1:1.2.13.dfsg-1"), ("npm", "lodash", "4.17.20")],
              f"packages from three layers: {pkgs(remote)}")
        check(len(remote["artifact"]["image"]["layers"]) == 3, "three layers")
    # progress: drawn on a terminal only (script(1) gives the run a pty)
    if shutil.which("script"):
        q = run("script", "-qec", f"{BOSUN} image --scanners none --no-cache -f json -o "
                f"{tmp}/p.json registry:{name}:1", "/dev/null", env=env)
        text = q.stdout.replace("\r", "\n")
        l1 = [l for l in text.splitlines() if "layer 1/3" in l]
        check(q.returncode == 0 and any(l.endswith("100%") for l in l1) and
              len({l for l in l1}) >= 2,
              f"progress lines for layer 1 on a terminal, up to 100%: {l1[:5]}")
        p = run(BOSUN, "image", "--scanners", "none", "--no-cache", "-f", "json",
                "registry:" + name + ":1", env=env)
        check(p.returncode == 0 and "layer 1/3" not in p.stderr, "no progress off a terminal")
    # docker:// and by digest, and the same image pushed as Docker schema 2
    r = report(scan(f"docker://{name}@{digest}", "--no-cache", env=env), "by digest")
    check(r is not None and r["artifact"]["image"]["repo_tags"] == [] and
          r["artifact"]["image"]["repo_digests"] == [f"{name}@{digest}"], "pull by digest")
    archive2 = os.path.join(tmp, "app2.tar")
    mkimage(app_spec("docker:2", second="gzip"), archive2)
    d2 = push("oci-archive:" + archive2, f"127.0.0.1:{plain}/team/docker:2", tmp, "--format",
              "v2s2")
    r = report(scan(f"127.0.0.1:{plain}/team/docker:2", "--no-cache", env=env), "docker v2s2")
    check(r is not None and pkgs(r) == pkgs(local) and
          r["artifact"]["image"]["repo_digests"] == [f"127.0.0.1:{plain}/team/docker@{d2}"],
          "Docker schema 2 manifest (bare reference)")

    # manifest unknown, unknown digest, unknown repository
    p = scan(f"registry:{name}:nope", "--no-cache", env=env)
    check(p.returncode == 3, f"unknown tag exits 3 (got {p.returncode})")
    check(f"{name}:nope" in p.stderr and p.stderr.count("\n") == 1,
          f"one line naming the reference: {p.stderr.strip()}")
    bogus = "sha256:" + "0" * 64
    p = scan(f"registry:{name}@{bogus}", "--no-cache", env=env)
    check(p.returncode == 3 and f"{name}@{bogus}" in p.stderr,
          f"unknown digest exits 3 naming it: {p.returncode} {p.stderr.strip()}")
    p = scan(f"registry:127.0.0.1:{plain}/no/such:1", "--no-cache", env=env)
    check(p.returncode == 3 and "manifest unknown" in p.stderr, "unknown repository exits 3")
    p = scan("registry:Bad/Name", "--no-cache", env=env)
    check(p.returncode in (2, 3) and "lowercase" in p.stderr, f"invalid reference: {p.stderr}")
    # nothing listening -> network error
    p = scan(f"registry:127.0.0.1:{free_port()}/x:1", "--no-cache", env=env)
    check(p.returncode == 5 and "http://127.0.0.1:" in p.stderr,
          f"connection refused exits 5 naming the URL: {p.returncode} {p.stderr.strip()}")

    # ---- multi-platform index -------------------------------------------------------------
    layout = os.path.join(tmp, "multi")
    mkimage(multi_spec(), layout)
    mname = f"127.0.0.1:{plain}/team/multi"
    idx = push(f"oci:{layout}:multi", mname + ":m", tmp, "--all")
    r = report(scan(mname + ":m", "--no-cache", "--platform", "linux/arm64", env=env), "arm64")
    check(r is not None and r["artifact"]["image"]["architecture"] == "arm64" and
          r["os"]["version"] == "3.19.2", "--platform linux/arm64 picks the arm64 image")
    check(r is not None and r["artifact"]["image"]["repo_digests"] == [f"{mname}@{idx}"],
          "repo_digests name the index pulled")
    r = report(scan(mname + ":m", "--no-cache", "--platform", "linux/amd64", env=env), "amd64")
    check(r is not None and r["os"]["version"] == "3.19.1", "--platform linux/amd64")
    p = scan(mname + ":m", "--no-cache", "--platform", "linux/s390x", env=env)
    check(p.returncode == 3, f"no matching platform exits 3 (got {p.returncode})")
    check("linux/amd64" in p.stderr and "linux/arm64/v8" in p.stderr and "s390x" in p.stderr,
          f"lists the available platforms: {p.stderr.strip()}")
    r = report(scan(mname + ":m", "--no-cache", "--platform", "all", env=env), "all")
    if r is not None:
        plats = sorted(x.get("platform") for x in r.get("platforms", []))
        check(plats == ["linux/amd64", "linux/arm64/v8"], f"--platform all: {plats}")
        vers = sorted(x["os"]["version"] for x in r.get("platforms", []))
        check(vers == ["3.19.1", "3.19.2"], f"each platform scanned: {vers}")

    # ---- flaky proxy: two 503s, then success ----------------------------------------------
    fport, flog = proxy(tmp, "flaky", plain, "--fail", "2", "--retry-after", "1")
    t0 = time.monotonic()
    r = report(scan(f"127.0.0.1:{fport}/team/app:1", "--no-cache", env=env), "through 503s")
    elapsed = time.monotonic() - t0
    lines = open(flog).read().splitlines()
    check(r is not None and pkgs(r) == pkgs(local), "scan succeeds after two 503s")
    check(len(lines) >= 3 and lines[0].endswith(" 503") and lines[1].endswith(" 503") and
          " 200 " in lines[2] + " ", f"two 503s then 200: {lines[:3]}")
    check(elapsed >= 1.0, f"Retry-After: 1 honoured ({elapsed:.2f}s)")
    # persistent 503: gives up with exit 5 naming the URL
    bport, _ = proxy(tmp, "broken", plain, "--fail", "1000", "--retry-after", "0")
    p = scan(f"127.0.0.1:{bport}/team/app:1", "--no-cache", env=env)
    check(p.returncode == 5 and "HTTP 503" in p.stderr and f"127.0.0.1:{bport}/v2/" in p.stderr,
          f"persistent 503 exits 5: {p.returncode} {p.stderr.strip()}")

    # ---- a connection cut mid-blob: resumed with a Range request (206, or 200 and skip) ----
    for extra, what in ((), "206"), (("--ignore-range",), "200"):
        kport, klog = proxy(tmp, "cut" + what, plain, "--cut-after", str(1 << 20), *extra)
        r = report(scan(f"127.0.0.1:{kport}/team/app:1", "--no-cache", env=env), "cut " + what)
        lines = open(klog).read().splitlines()
        check(r is not None and pkgs(r) == pkgs(local) and r["artifact"]["image"]["layers"] ==
              local["artifact"]["image"]["layers"],
              f"download cut after 1 MiB resumes (answer {what}): same packages and layers")
        cut = [l for l in lines if l.endswith(" cut")]
        resumed = [l for l in lines if " range" in l]
        check(len(cut) == 1 and len(resumed) == 1 and resumed[0].split()[1] == cut[0].split()[1],
              f"one cut, one Range request for the same blob: {lines}")

    # ---- schema 1 manifests are refused ----
    s1 = os.path.join(tmp, "schema1.json")
    with open(s1, "w") as f:
        json.dump({"schemaVersion": 1, "name": "team/app", "tag": "1", "architecture": "amd64",
                   "fsLayers": [{"blobSum": "sha256:" + "a" * 64}],
                   "history": [{"v1Compatibility": "{}"}]}, f)
    for ctype in ("application/vnd.docker.distribution.manifest.v1+prettyjws",
                  "application/json"):
        s1port, _ = proxy(tmp, "schema1-" + ctype.split("/")[1][:12], plain, "--manifest",
                          f"{s1}:{ctype}")
        p = scan(f"127.0.0.1:{s1port}/team/app:1", "--no-cache", env=env)
        check(p.returncode == 3 and "schema 1 manifests are not supported" in p.stderr,
              f"schema 1 ({ctype}) exits 3: {p.returncode} {p.stderr.strip()}")
    # a manifest whose bytes do not hash to the digest asked for
    p = scan(f"127.0.0.1:{s1port}/team/app@{digest}", "--no-cache", env=env)
    check(p.returncode == 3 and f"manifest {digest}" in p.stderr and "has digest" in p.stderr,
          f"manifest digest mismatch exits 3: {p.returncode} {p.stderr.strip()}")

    # ---- layers download at once: 3 layers behind 1.5 s of latency each ----
    dport, dlog = proxy(tmp, "delay", plain, "--delay-ms", "1500")
    t0 = time.monotonic()
    r = report(scan(f"127.0.0.1:{dport}/team/app:1", "--no-cache", "-j", "4", env=env),
               "parallel layers")
    elapsed = time.monotonic() - t0
    # config (1.5 s) then the three layers together (1.5 s); one after another would be 6 s
    check(r is not None and 3.0 <= elapsed < 5.0,
          f"layers are downloaded in parallel: {elapsed:.2f}s for 4 blobs of 1.5 s")

    # ---- corrupted blob -------------------------------------------------------------------
    layer0 = local["artifact"]["image"]["layers"][0]["digest"] if local else "x"
    cport, _ = proxy(tmp, "corrupt", plain, "--corrupt", layer0)
    p = scan(f"127.0.0.1:{cport}/team/app:1", "--no-cache", env=env)
    check(p.returncode == 3, f"corrupted blob exits 3 (got {p.returncode})")
    check(layer0 in p.stderr, f"error names the blob: {p.stderr.strip()}")

    # ---- warm rescan with --cache-dir: no layer GET ---------------------------------------
    wport, wlog = proxy(tmp, "warm", plain)
    cache = os.path.join(tmp, "cache")
    r1 = report(scan(f"127.0.0.1:{wport}/team/app:1", "--cache-dir", cache, env=env), "cold")
    cold = open(wlog).read()
    open(wlog, "w").close()
    r2 = report(scan(f"127.0.0.1:{wport}/team/app:1", "--cache-dir", cache, env=env), "warm")
    warm = open(wlog).read()
    layers = [l["digest"] for l in local["artifact"]["image"]["layers"]] if local else []
    check(all(f"GET /v2/team/app/blobs/{d} 200" in cold for d in layers),
          "cold scan downloads every layer")
    check(not any(d in warm for d in layers), f"warm scan downloads no layer: {warm}")
    check(r1 is not None and r2 is not None and strip(r1) == strip(r2), "warm == cold report")

    # ---- Basic auth (htpasswd) ------------------------------------------------------------
    htp = os.path.join(tmp, "htpasswd")
    q = run("htpasswd", "-Bbn", "u", PASSWORD)
    with open(htp, "w") as f:
        f.write(q.stdout)
    basic = registry(tmp, "basic", f"auth:\n  htpasswd:\n    realm: bosun-test\n"
                                   f"    path: {htp}\n")
    bname = f"127.0.0.1:{basic}/team/app"
    push("oci-archive:" + archive, bname + ":1", tmp, "--dest-creds", f"u:{PASSWORD}")
    r = report(scan(bname + ":1", "--no-cache", "--username", "u", "--password", PASSWORD,
                    env=env), "basic auth")
    check(r is not None and pkgs(r) == pkgs(local), "Basic auth with --username/--password")
    p = scan(bname + ":1", "--no-cache", "--username", "u", "--password", WRONG, env=env)
    check(p.returncode == 5, f"wrong password exits 5 (got {p.returncode})")
    check(f"authentication to 127.0.0.1:{basic} failed" in p.stderr,
          f"message names the registry: {p.stderr.strip()}")
    no_secret(p, "wrong Basic password")
    p = scan(bname + ":1", "--no-cache", env=env)
    check(p.returncode == 5 and "credentials required" in p.stderr,
          f"no credentials exits 5: {p.stderr.strip()}")
    benv = dict(env, BOSUN_USERNAME="u", BOSUN_PASSWORD=PASSWORD)
    r = report(scan(bname + ":1", "--no-cache", env=benv), "env credentials")
    check(r is not None, "credentials from BOSUN_USERNAME/BOSUN_PASSWORD")
    # ~/.docker/config.json auths
    os.makedirs(os.path.join(env["HOME"], ".docker"))
    cfg = os.path.join(env["HOME"], ".docker", "config.json")
    with open(cfg, "w") as f:
        json.dump({"auths": {f"127.0.0.1:{basic}": {
            "auth": base64.b64encode(f"u:{PASSWORD}".encode()).decode()}}}, f)
    r = report(scan(bname + ":1", "--no-cache", env=env), "docker config auths")
    check(r is not None and pkgs(r) == pkgs(local), "credentials from ~/.docker/config.json")
    with open(cfg, "w") as f:
        json.dump({"auths": {f"127.0.0.1:{basic}": {
            "auth": base64.b64encode(f"u:{WRONG}".encode()).decode()}}}, f)
    p = scan(bname + ":1", "--no-cache", env=env)
    check(p.returncode == 5, "wrong config.json password exits 5")
    no_secret(p, "wrong config.json password")
    # credsStore helper
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir)
    helper = os.path.join(bindir, "docker-credential-bsntest")
    with open(helper, "w") as f:
        f.write("#!/bin/sh\nread s\n[ \"$1\" = get ] || exit 1\n"
                f"[ \"$s\" = 127.0.0.1:{basic} ] || exit 1\n"
                f"echo '{{\"ServerURL\":\"'$s'\",\"Username\":\"u\",\"Secret\":\"{PASSWORD}\"}}'\n")
    os.chmod(helper, 0o755)
    with open(cfg, "w") as f:
        json.dump({"auths": {}, "credsStore": "bsntest"}, f)
    henv = dict(env, PATH=bindir + ":" + env.get("PATH", "/usr/bin:/bin"))
    r = report(scan(bname + ":1", "--no-cache", env=henv), "credsStore")
    check(r is not None and pkgs(r) == pkgs(local), "credentials from a credsStore helper")
    os.remove(cfg)

    # ---- redirect of blobs to another host: no Authorization there ------------------------
    # the "storage" is the plain registry (same blobs), reached as localhost: another host
    sport, slog = proxy(tmp, "storage", plain)
    rport, rlog = proxy(tmp, "redirect", basic, "--redirect-to", f"localhost:{sport}")
    r = report(scan(f"127.0.0.1:{rport}/team/app:1", "--no-cache", "--username", "u",
                    "--password", PASSWORD, env=env), "redirected blobs")
    check(r is not None and pkgs(r) == pkgs(local), "blobs followed through a redirect")
    slines = open(slog).read().splitlines()
    check(slines and all(l.endswith(" noauth") for l in slines),
          f"no Authorization sent to the other host: {slines}")
    rl = open(rlog).read()
    check(" 307 auth" in rl, "the registry itself got the Authorization header")

    # ---- Bearer token flow ----------------------------------------------------------------
    key, cert = os.path.join(tmp, "tok.key"), os.path.join(tmp, "tok.crt")
    q = run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
            cert, "-days", "2", "-subj", "/CN=bosun-test-token")
    check(q.returncode == 0, "openssl key and certificate")
    tpf, tlog = os.path.join(tmp, "token.port"), os.path.join(tmp, "token.log")
    open(tlog, "w").close()
    start([sys.executable, TOKEN_SERVER, "--key", key, "--cert", cert, "--issuer", "bsn-issuer",
           "--service", "bsn-registry", "--user", "u", "--password", PASSWORD,
           "--refresh-token", REFRESH, "--port-file", tpf, "--log", tlog],
          os.path.join(tmp, "token.out"))
    tport = wait_file(tpf, "token server")
    bearer = registry(tmp, "bearer", f"""auth:
  token:
    realm: http://127.0.0.1:{tport}/token
    service: bsn-registry
    issuer: bsn-issuer
    rootcertbundle: {cert}
""")
    tname = f"127.0.0.1:{bearer}/team/app"
    push("oci-archive:" + archive, tname + ":1", tmp, "--dest-creds", f"u:{PASSWORD}")
    open(tlog, "w").close()
    r = report(scan(tname + ":1", "--no-cache", "--username", "u", "--password", PASSWORD,
                    env=env), "bearer")
    check(r is not None and pkgs(r) == pkgs(local), "Bearer flow pulls the image")
    toks = open(tlog).read().splitlines()
    check(toks == ["token user=u service=bsn-registry scope=repository:team/app:pull"],
          f"one token, scoped to pull, reused for every blob: {toks}")
    p = scan(tname + ":1", "--no-cache", "--username", "u", "--password", WRONG, env=env)
    check(p.returncode == 5 and f"authentication to 127.0.0.1:{bearer} failed" in p.stderr,
          f"wrong Bearer credentials exit 5: {p.returncode} {p.stderr.strip()}")
    no_secret(p, "wrong Bearer password")
    p = scan(tname + ":1", "--no-cache", env=env)
    check(p.returncode == 5 and "authentication to" in p.stderr,
          "anonymous pull refused by the token server exits 5")
    # an identity token from `docker login` (auths[].identitytoken, or a credential helper
    # answering Username "<token>"): the OAuth2 refresh-token grant, POSTed to the realm
    for how in ("config", "helper"):
        dc = os.path.join(tmp, "dc-" + how)
        os.makedirs(dc)
        conf = {"auths": {f"127.0.0.1:{bearer}": {
            "auth": base64.b64encode(b"00000000-0000-0000-0000-000000000000:").decode(),
            "identitytoken": REFRESH}}} if how == "config" else \
            {"credHelpers": {f"127.0.0.1:{bearer}": "bsntest"}}
        with open(os.path.join(dc, "config.json"), "w") as f:
            json.dump(conf, f)
        ienv = dict(env, DOCKER_CONFIG=dc)
        if how == "helper":
            bindir = os.path.join(tmp, "helper-bin")
            os.makedirs(bindir)
            hp = os.path.join(bindir, "docker-credential-bsntest")
            with open(hp, "w") as f:
                f.write("#!/bin/sh\ncat >/dev/null\n"
                        f"echo '{{\"ServerURL\":\"x\",\"Username\":\"<token>\","
                        f"\"Secret\":\"{REFRESH}\"}}'\n")
            os.chmod(hp, 0o755)
            ienv["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        open(tlog, "w").close()
        p = scan(tname + ":1", "--no-cache", env=ienv)
        r = report(p, "identity token (" + how + ")")
        check(r is not None and pkgs(r) == pkgs(local), f"identity token ({how}) pulls the image")
        toks = open(tlog).read().splitlines()
        check(toks == ["token grant=refresh_token client_id=bosun service=bsn-registry "
                       "scope=repository:team/app:pull"],
              f"identity token ({how}): one refresh-token grant, scoped to pull: {toks}")
        no_secret(p, f"identity token ({how})", (REFRESH,))
    with open(os.path.join(tmp, "dc-config", "config.json"), "w") as f:
        json.dump({"auths": {f"127.0.0.1:{bearer}": {"identitytoken": WRONG}}}, f)
    p = scan(tname + ":1", "--no-cache", env=dict(env, DOCKER_CONFIG=os.path.join(tmp, "dc-config")))
    check(p.returncode == 5 and "token endpoint refused the identity token" in p.stderr,
          f"a wrong identity token exits 5: {p.returncode} {p.stderr.strip()}")
    no_secret(p, "wrong identity token", (WRONG, REFRESH))
    # short-lived tokens (expires_in 1 s) and slow blobs: the token is refreshed on expiry
    tpf2, tlog2 = os.path.join(tmp, "token2.port"), os.path.join(tmp, "token2.log")
    open(tlog2, "w").close()
    start([sys.executable, TOKEN_SERVER, "--key", key, "--cert", cert, "--issuer", "bsn-issuer",
           "--service", "bsn-registry", "--user", "u", "--password", PASSWORD,
           "--expires-in", "1", "--port-file", tpf2, "--log", tlog2],
          os.path.join(tmp, "token2.out"))
    tport2 = wait_file(tpf2, "token server 2")
    bearer2 = registry(tmp, "bearer2", f"""auth:
  token:
    realm: http://127.0.0.1:{tport2}/token
    service: bsn-registry
    issuer: bsn-issuer
    rootcertbundle: {cert}
""")
    push("oci-archive:" + archive, f"127.0.0.1:{bearer2}/team/app:1", tmp, "--dest-creds",
         f"u:{PASSWORD}")
    open(tlog2, "w").close()
    sport2, _ = proxy(tmp, "slow", bearer2, "--delay-ms", "700")
    r = report(scan(f"127.0.0.1:{sport2}/team/app:1", "--no-cache", "-j", "1", "--username",
                    "u", "--password", PASSWORD, env=env), "token refresh")
    toks = open(tlog2).read().splitlines()
    check(r is not None and pkgs(r) == pkgs(local), "pull with 1-second tokens succeeds")
    check(len(toks) >= 2 and all(t == toks[0] for t in toks),
          f"expired token refreshed (same scope each time): {toks}")

    # ---- a real Debian image (debootstrap, packed here), when the mirror is reachable -----
    q = run("bash", os.path.join(SRC, "tests/tools/debootstrap-cached.sh"),
            os.path.join(BUILD, "cache"), timeout=1200)
    if q.returncode == 0:
        lay = os.path.join(tmp, "deb")
        debian_layout(q.stdout.strip(), lay)
        dname = f"127.0.0.1:{plain}/debian"
        push(f"oci:{lay}:bookworm", dname + ":bookworm", tmp)
        a = report(scan(f"oci:{lay}:bookworm", "--no-cache", env=env), "debian layout")
        b = report(scan(f"registry:{dname}:bookworm", "--no-cache", env=env), "debian registry")
        if a and b:
            a["artifact"]["image"]["repo_tags"] = b["artifact"]["image"]["repo_tags"] = []
            check(strip(a) == strip(b), "debootstrap image: registry JSON equals the layout's")
            check(len(b["packages"]) > 50, f"debian packages listed: {len(b['packages'])}")
    else:
        print("SKIP: debootstrap image (Debian mirror unreachable)")

    print(f"{PASSES} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
