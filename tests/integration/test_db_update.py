#!/usr/bin/env python3
"""'bosun db update' against a local mirror (feed_server.py on 127.0.0.1) laid out like the
upstream URLs (--feeds-base BASE maps https://HOST/PATH to BASE/HOST/PATH), with slices of
the real feeds from tests/data/feeds: an OSV all.zip (GHSA npm records), an Alpine secdb JSON,
Wolfi's security.json and the Debian tracker JSON excerpt.

Cases: success; a second run answered with 304s; checksum mismatch (x-goog-hash md5);
truncated download; HTTP 500; kill -9 during a download; a prebuilt database installed from a
listing (and a listing with the wrong sha256); --offline. After every failure the previous
database must still be there, intact, and usable ('db search' finds a known record).
"""
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

BOSUN = os.environ["BOSUN"]
DATA = os.environ["BSN_TEST_DATA"]
SRC = os.environ.get("BSN_SRC", os.getcwd())
FEEDS = os.path.join(DATA, "feeds")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def run(*args, ok=True, timeout=120):
    p = subprocess.run([BOSUN, *args], capture_output=True, text=True, timeout=timeout)
    if ok and p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        raise SystemExit(f"bosun {' '.join(args)} exited {p.returncode}")
    return p


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def tar_members(archive, pred):
    with tarfile.open(os.path.join(FEEDS, archive)) as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile() and
                pred(m.name)}


tmp = tempfile.mkdtemp(prefix="bsn-db-update-")
server = None
try:
    mirror = os.path.join(tmp, "mirror")
    osv_dir = os.path.join(mirror, "osv-vulnerabilities.storage.googleapis.com", "npm")
    os.makedirs(osv_dir)
    ghsa = tar_members("ghsa/github-advisory-database-npm-maven-subset.tar.xz",
                       lambda n: n.endswith(".json") and "/GHSA-" in n)
    npm = {}
    for name, data in sorted(ghsa.items()):
        j = json.loads(data)
        if any(a["package"]["ecosystem"] == "npm" for a in j["affected"]):
            npm[j["id"]] = data

    def write_zip(records):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for rid, data in sorted(records.items()):
                z.writestr(rid + ".json", data)
        with open(os.path.join(osv_dir, "all.zip"), "wb") as f:
            f.write(buf.getvalue())

    write_zip(npm)
    alp = tar_members("alpine/alpine-secdb-json-v3.2-v3.21-2025-01.tar.xz",
                      lambda n: n.endswith("/3.19/main.json"))
    os.makedirs(os.path.join(mirror, "secdb.alpinelinux.org", "v3.19"))
    with open(os.path.join(mirror, "secdb.alpinelinux.org", "v3.19", "main.json"), "wb") as f:
        f.write(list(alp.values())[0])
    wolfi = tar_members("wolfi/wolfi-advisories-apache2-snapshot.tar.xz",
                        lambda n: n.endswith("security.json"))
    os.makedirs(os.path.join(mirror, "packages.wolfi.dev", "os"))
    with open(os.path.join(mirror, "packages.wolfi.dev", "os", "security.json"), "wb") as f:
        f.write(list(wolfi.values())[0])
    trk = tar_members("debian/debian-security-tracker-2023-04.tar.xz",
                      lambda n: n.endswith("tracker-data-json-excerpt.json"))
    os.makedirs(os.path.join(mirror, "security-tracker.debian.org", "tracker", "data"))
    with open(os.path.join(mirror, "security-tracker.debian.org", "tracker", "data", "json"),
              "wb") as f:
        f.write(list(trk.values())[0])

    feeds = os.path.join(tmp, "feeds.json")
    with open(feeds, "w") as f:
        json.dump({"feeds": [
            {"name": "osv-npm", "kind": "osv",
             "url": "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"},
            {"name": "alpine-v3.19-main", "kind": "alpine-secdb",
             "url": "https://secdb.alpinelinux.org/v3.19/main.json"},
            {"name": "wolfi", "kind": "wolfi",
             "url": "https://packages.wolfi.dev/os/security.json"},
            {"name": "debian-tracker", "kind": "debian-tracker",
             "url": "https://security-tracker.debian.org/tracker/data/json"},
        ]}, f)

    server = subprocess.Popen([sys.executable,
                               os.path.join(SRC, "tests/integration/feed_server.py"), mirror],
                              stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    base = f"http://127.0.0.1:{port}"
    db = os.path.join(tmp, "cache", "bosun", "db", "bosun.db")
    upd = ["db", "update", "--db", db, "--feeds", feeds, "--feeds-base", base]

    def mode(m):
        with open(os.path.join(mirror, ".mode"), "w") as f:
            f.write(m + "\n")
        open(os.path.join(mirror, ".log"), "w").close()

    def log():
        return open(os.path.join(mirror, ".log")).read().split("\n")

    def usable(what):
        hits = json.loads(run("db", "search", "--db", db, "--vuln", "GHSA-jf85-cpcp-j695")
                          .stdout.splitlines()[0])
        check(hits["fixed"] == "4.17.12", f"{what}: database not usable")

    # 1. success
    mode("normal")
    run(*upd)
    info = json.loads(run("db", "info", "--db", db, "-f", "json").stdout)
    got = {s["name"]: s["records"] for s in info["sources"]}
    check(got.get("osv") == len(npm), f"osv records {got.get('osv')} != {len(npm)}")
    check(got.get("alpine-secdb", 0) > 1000 and got.get("wolfi") == 59 and
          got.get("debian-tracker") == 7, f"sources after update: {got}")
    usable("first update")
    alp = [json.loads(l) for l in run("db", "search", "--db", db, "--vuln", "CVE-2017-13086")
           .stdout.splitlines()]
    check(any(h["namespace"] == "alpine:3.19" and h["package"] == "wpa_supplicant" and
              h["fixed"] == "2.6-r7" for h in alp), f"alpine row: {alp}")
    state = json.load(open(db + ".state.json"))
    check(all(f.get("etag") for f in state["feeds"].values()), "state keeps ETags")
    good = sha(db)

    # 2. second run: every feed answers 304, the database is not rebuilt
    mode("normal")
    p = run(*upd)
    statuses = [l.split()[-1] for l in log() if l]
    check(statuses == ["304"] * 4, f"second run statuses {statuses}")
    check(sha(db) == good and "up to date" in p.stderr, "304 run keeps the database")

    # a changed feed: one record fewer in the zip
    del npm["GHSA-jf85-cpcp-j695"]
    write_zip(npm)

    # 3. checksum mismatch
    mode("badmd5")
    p = run(*upd, ok=False)
    check(p.returncode != 0 and "checksum mismatch" in p.stderr, f"badmd5: {p.stderr}")
    check(sha(db) == good, "checksum mismatch keeps the old database")
    usable("after checksum mismatch")

    # 4. truncated download
    mode("truncate")
    p = run(*upd, ok=False)
    check(p.returncode == 5, f"truncated: exit {p.returncode} {p.stderr}")
    check(sha(db) == good, "truncated download keeps the old database")
    usable("after truncation")

    # 5. server error
    mode("error500")
    p = run(*upd, ok=False)
    check(p.returncode == 5 and "HTTP 500" in p.stderr, f"500: {p.returncode} {p.stderr}")
    check(sha(db) == good, "HTTP 500 keeps the old database")
    usable("after HTTP 500")

    # 6. kill -9 during a download
    mode("stall")
    proc = subprocess.Popen([BOSUN, *upd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and not any(" 200" in l and "all.zip" in l for l in log()):
        time.sleep(0.1)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    check(sha(db) == good, "kill -9 keeps the old database")
    usable("after kill -9")
    leftovers = [n for n in os.listdir(db + ".feeds") if n.startswith(".staging")]
    check(leftovers, "the killed run should have left a staging directory behind")

    # recovery: the next normal run picks up the change and cleans up
    mode("normal")
    run(*upd)
    check(sha(db) != good, "changed feed rebuilds the database")
    out = run("db", "search", "--db", db, "--vuln", "GHSA-jf85-cpcp-j695").stdout
    check(out.strip() == "", "removed record is gone after the update")
    check(not [n for n in os.listdir(db + ".feeds") if n.startswith(".staging")],
          "stale staging directories are removed")
    check(not [n for n in os.listdir(os.path.dirname(db)) if ".tmp." in n], "no temp files")

    # 7. prebuilt database from a listing
    pre = os.path.join(mirror, "prebuilt")
    os.makedirs(pre)
    run("db", "build", "-q", "--out", os.path.join(pre, "bosun.db"), "--listing",
        os.path.join(pre, "listing.json"),
        "osv:" + os.path.join(FEEDS, "ghsa/github-advisory-database-npm-maven-subset.tar.xz"))
    db2 = os.path.join(tmp, "other", "bosun.db")
    run("db", "update", "--db", db2, "--url", base + "/prebuilt/listing.json")
    check(sha(db2) == sha(os.path.join(pre, "bosun.db")), "listing install is byte-identical")
    usable_db2 = run("db", "search", "--db", db2, "--vuln", "CVE-2021-44228").stdout
    check("log4j-core" in usable_db2, "listing database usable")
    L = json.load(open(os.path.join(pre, "listing.json")))
    L["sha256"] = "0" * 64
    with open(os.path.join(pre, "bad.json"), "w") as f:
        json.dump(L, f)
    before = sha(db2)
    p = run("db", "update", "--db", db2, "--url", base + "/prebuilt/bad.json", ok=False)
    check(p.returncode != 0 and "checksum mismatch" in p.stderr, f"bad listing: {p.stderr}")
    check(sha(db2) == before, "bad listing keeps the old database")
    L["sha256"] = sha(os.path.join(pre, "bosun.db"))
    L["schema_version"] = 99
    with open(os.path.join(pre, "future.json"), "w") as f:
        json.dump(L, f)
    p = run("db", "update", "--db", db2, "--url", base + "/prebuilt/future.json", ok=False)
    check(p.returncode == 4 and "schema version 99" in p.stderr, f"future schema: {p.stderr}")

    # 8. --offline refuses without touching the network
    mode("normal")
    p = run(*upd, "--offline", ok=False)
    check(p.returncode == 5 and "offline" in p.stderr, f"offline: {p.returncode}")
    check([l for l in log() if l] == [], "offline run made requests")
finally:
    if server:
        server.kill()
        server.wait()
    shutil.rmtree(tmp, ignore_errors=True)

if failures:
    print(f"{len(failures)} checks failed", file=sys.stderr)
    sys.exit(1)
print("ok")
