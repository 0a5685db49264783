#!/usr/bin/env python3
"""'bosun server': Harbor's pluggable scanner adapter API end to end, in both store modes
(SQLite beside the cache, and PostgreSQL: a cluster this script creates with Debian's
postgresql 15 binaries on a free loopback port).

The image is built with tests/tools/mkimage.py from the real Alpine 3.4.6 package database in
tests/data/real-images/alpine-3.4 and pushed with skopeo to Debian's docker-registry on a free
loopback port (htpasswd auth); scans pull it by digest with the Basic authorization of the
request, as Harbor sends it (the full-queue check scans the local copy through a test hook); the vulnerability database from a hand-written Alpine
secdb (v3.4/main) listing zlib 1.2.11-r0 (CVE-2016-9840) and busybox 1.24.2-r13
(CVE-2017-16544). The installed database has zlib 1.2.8-r2 and busybox, busybox-suid
1.24.2-r12 (origin busybox), so exactly those three findings are expected — checked by hand
against lib/apk/db/installed, not taken from bosun's output.

Checks, per store: metadata (401 without or with a wrong token, 200 with it), scan (bad JSON
-> 400, a missing field -> 422, both with the error mime type), 202 with an id, 302 with
Refresh-After while the scan runs (a test hook delays it), then 200 with the Harbor report,
the SBOM report in CycloneDX and SPDX (400 without sbom_media_type), bosun's JSON report for
Accept: application/json, unknown id -> 404, an oversized body -> 413, oversized headers ->
431, a full queue -> 429 with Retry-After, /healthz, /readyz, /metrics. Every Harbor response is validated against the
OpenAPI v1.2 schemas (tests/data/schemas/harbor, $refs resolved inside the spec).

The other server tests import this file's helpers (test_server_durability.py,
test_server_rematch.py).
"""
import base64
import http.client as httpc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.error
import urllib.request

import jsonschema
import yaml

BOSUN = os.environ.get("BOSUN", "build/dev/bosun")
SRC = os.environ.get("BSN_SRC", ".")
DATA = os.environ.get("BSN_TEST_DATA", os.path.join(SRC, "tests", "data"))
MKIMAGE = os.path.join(SRC, "tests", "tools", "mkimage.py")
ALPINE = os.path.join(DATA, "real-images", "alpine-3.4", "rootfs")
PG_BIN = "/usr/lib/postgresql/15/bin"
TOKEN = "s3cret-token"

MIME_VULN = "application/vnd.security.vulnerability.report; version=1.1"
MIME_SBOM = "application/vnd.security.sbom.report+json; version=1.0"
MIME_ERROR = "application/vnd.scanner.adapter.error+json; version=1.0"

failures = []
checked = [0]


def check(cond, msg):
    checked[0] += 1
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, flush=True)


def finish(name):
    if failures:
        print("%s: %d of %d checks failed" % (name, len(failures), checked[0]))
        sys.exit(1)
    print("%s: %d checks passed" % (name, checked[0]))


def run(args, ok=(0,), **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode not in ok:
        print(p.stdout[-2000:], p.stderr[-4000:], file=sys.stderr)
        raise SystemExit("command failed (%d): %s" % (p.returncode, " ".join(args)))
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- fixtures ------------------------------------------------------------------------------

SECDB_HEAD = """---
distroversion: v3.4
reponame: main
archs:
  - x86_64
urlprefix: http://dl-cdn.alpinelinux.org/alpine
apkurl: "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk"
packages:
  - pkg:
      name: zlib
      secfixes:
        1.2.11-r0:
          - CVE-2016-9840
  - pkg:
      name: busybox
      secfixes:
        1.24.2-r13:
          - CVE-2017-16544
"""
# One more advisory, for the re-match test: musl 1.1.14-r14 is installed.
SECDB_MUSL = """  - pkg:
      name: musl
      secfixes:
        1.1.14-r16:
          - CVE-2017-15650
"""

EXPECTED = {("CVE-2016-9840", "zlib", "1.2.8-r2", "1.2.11-r0"),
            ("CVE-2017-16544", "busybox", "1.24.2-r12", "1.24.2-r13"),
            ("CVE-2017-16544", "busybox-suid", "1.24.2-r12", "1.24.2-r13")}


def build_db(tmp, name, extra=""):
    feed = os.path.join(tmp, "feed-" + name, "v3.4")
    os.makedirs(feed)
    with open(os.path.join(feed, "main.yaml"), "w") as fh:
        fh.write(SECDB_HEAD + extra)
    out = os.path.join(tmp, name + ".db")
    run([BOSUN, "db", "build", "-q", "--out", out, os.path.dirname(feed)])
    return out


def build_image(tmp, name="img"):
    """An OCI layout with the Alpine 3.4.6 release files and package database; returns
    (path, manifest digest)."""
    out = os.path.join(tmp, name)
    files = ["etc/os-release", "etc/alpine-release", "lib/apk/db/installed"]
    layer = ";".join("%s=@%s" % (f, os.path.join(ALPINE, f)) for f in files)
    p = run([sys.executable, MKIMAGE, "-o", out, "--format", "oci", "--tag", "alp:1",
             "--layer", layer])
    return out, json.loads(p.stdout)["images"][0]["manifest_digest"]


def installed_packages():
    """Package names of the Alpine database, read here (P: lines)."""
    with open(os.path.join(ALPINE, "lib/apk/db/installed")) as fh:
        return [l[2:].strip() for l in fh if l.startswith("P:")]


# ---- schemas -------------------------------------------------------------------------------

class Spec:
    def __init__(self, version="1.2"):
        path = os.path.join(DATA, "schemas", "harbor", "scanner-adapter-openapi-v%s.yaml" % version)
        with open(path) as fh:
            self.doc = yaml.safe_load(fh)

    def validate(self, name, instance, what):
        schema = {"$ref": "#/components/schemas/" + name, "components": self.doc["components"]}
        try:
            jsonschema.Draft7Validator(schema).validate(instance)
            check(True, what)
        except jsonschema.ValidationError as e:
            check(False, "%s: not a valid %s: %s" % (what, name, e.message))


# ---- HTTP ----------------------------------------------------------------------------------

def http(port, method, path, body=None, headers=None, token=TOKEN, timeout=10):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        h.setdefault("Content-Type",
                     "application/vnd.scanner.adapter.scan.request+json; version=1.1")
    c = httpc.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


def http_json(port, method, path, **kw):
    st, hd, data = http(port, method, path, **kw)
    try:
        doc = json.loads(data) if data else None
    except ValueError:
        doc = None
    return st, hd, doc


def scan_request(url, digest, repo="library/alp"):
    return {"registry": {"url": url}, "artifact": {"repository": repo, "digest": digest,
                                                   "tag": "1",
                                                   "mime_type": "application/vnd.oci.image.manifest.v1+json"}}


def wait_report(port, job, timeout=60, accept=MIME_VULN):
    """Polls like Harbor does; returns (status, headers, body, number of 302s)."""
    deadline = time.time() + timeout
    n302 = 0
    while True:
        st, hd, data = http(port, "GET", "/api/v1/scan/%s/report" % job, headers={"Accept": accept})
        if st != 302 or time.time() > deadline:
            return st, hd, data, n302
        n302 += 1
        time.sleep(0.2)


# ---- processes -----------------------------------------------------------------------------

class Server:
    def __init__(self, tmp, name, db, store=None, args=(), env=None, port=None):
        self.port = port or free_port()
        self.log_path = os.path.join(tmp, name + ".log")
        self.cache = os.path.join(tmp, "cache-" + name)
        cmd = [BOSUN, "server", "--listen", "127.0.0.1:%d" % self.port, "--db", db,
               "--cache-dir", self.cache, "--token-file", os.path.join(tmp, "token")]
        if store:
            cmd += ["--store", store]
        cmd += list(args)
        with open(os.path.join(tmp, "token"), "w") as fh:
            fh.write(TOKEN + "\n")
        e = dict(os.environ, BSN_SERVER_LOCAL_TARGETS="1")
        e.update(env or {})
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log, env=e)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("server exited (%d): %s" % (self.proc.returncode, self.logs()[-2000:]))
            try:
                if http(self.port, "GET", "/healthz", token=None, timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("server did not start: " + self.logs()[-2000:])

    def logs(self):
        with open(self.log_path) as fh:
            return fh.read()

    def log_lines(self):
        out = []
        for line in self.logs().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        text = self.logs()
        bad = [l for l in text.splitlines() if "AddressSanitizer" in l or "runtime error:" in l
               or "LeakSanitizer" in l or "ThreadSanitizer" in l]
        check(not bad, "server %s: sanitizer report: %s" % (self.log_path, bad[:3]))
        check(self.proc.returncode == 0,
              "server %s exits 0 on SIGTERM (got %s)" % (self.log_path, self.proc.returncode))
        return self.proc.returncode

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()


class Postgres:
    """A throwaway cluster owned by the 'postgres' user (root cannot run postgres)."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pg")
        self.port = free_port()
        os.makedirs(self.dir)
        self.root = os.geteuid() == 0
        if self.root:
            os.chmod(tmp, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")
        self.as_user([os.path.join(PG_BIN, "initdb"), "-D", os.path.join(self.dir, "data"),
                      "-A", "trust", "-U", "bosun", "--no-sync"])
        self.start()
        self.url = "postgres://bosun@127.0.0.1:%d/postgres" % self.port

    def as_user(self, args):
        if self.root:
            args = ["runuser", "-u", "postgres", "--"] + args
        return run(args)

    def start(self):
        self.as_user([os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"),
                      "-l", os.path.join(self.dir, "log"), "-w", "-o",
                      "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off" %
                      (self.port, self.dir), "start"])

    def stop(self):
        self.as_user([os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"),
                      "-m", "fast", "-w", "stop"])

    def sql(self, query):
        p = self.as_user([os.path.join(PG_BIN, "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "bosun", "-d", "postgres", "-At", "-c", query])
        return [l.split("|") for l in p.stdout.splitlines() if l]


def have_postgres():
    return os.path.exists(os.path.join(PG_BIN, "initdb"))


# ---- registry ------------------------------------------------------------------------------

USER, PASSWORD = "robot$scan", "pw-123"


def start_registry(tmp, port=None, auth=None):
    """docker-registry with htpasswd (bcrypt) auth, as Harbor's robot accounts use, or with
    the given auth: section (YAML lines below "auth:"); started again on the same port it
    serves what it stored before."""
    port = port or free_port()
    d = os.path.join(tmp, "registry")
    os.makedirs(d, exist_ok=True)
    if auth is None:
        htp = run(["htpasswd", "-Bbn", USER, PASSWORD]).stdout.strip()
        with open(os.path.join(d, "htpasswd"), "w") as fh:
            fh.write(htp + "\n")
        auth = "  htpasswd:\n    realm: bosun-test\n    path: %s/htpasswd\n" % d
    cfg = os.path.join(d, "config.yml")
    with open(cfg, "w") as fh:
        fh.write("version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n"
                 "storage:\n  filesystem:\n    rootdirectory: %s/data\n"
                 "auth:\n%shttp:\n  addr: 127.0.0.1:%d\n" % (d, auth, port))
    log = open(os.path.join(d, "log"), "a")
    proc = subprocess.Popen(["docker-registry", "serve", cfg], stdout=log, stderr=log)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/v2/" % port, timeout=1)
            break
        except urllib.error.HTTPError:
            break  # 401: up, and asking for credentials
        except OSError:
            time.sleep(0.1)
    return proc, log, port, os.path.join(d, "log")


def push_image(img, port):
    """skopeo copy of the OCI layout into the registry; returns the manifest digest there."""
    creds = "%s:%s" % (USER, PASSWORD)
    run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds,
         "oci:" + img + ":alp:1", "docker://127.0.0.1:%d/library/alp:1" % port])
    p = run(["skopeo", "inspect", "--tls-verify=false", "--creds", creds,
             "docker://127.0.0.1:%d/library/alp:1" % port])
    return json.loads(p.stdout)["Digest"]


def registry_request(port, digest, password=None):
    basic = base64.b64encode(("%s:%s" % (USER, password or PASSWORD)).encode()).decode()
    return {"registry": {"url": "http://127.0.0.1:%d" % port, "authorization": "Basic " + basic},
            "artifact": {"repository": "library/alp", "digest": digest, "tag": "1",
                         "mime_type": "application/vnd.oci.image.manifest.v1+json"}}


# ---- the API flow --------------------------------------------------------------------------

def api_flow(tmp, label, db, img, digest, req, store=None):
    spec = Spec("1.2")
    spec11 = Spec("1.1")
    # a 1.5 s scan delay: long enough to see 302 before 200
    srv = Server(tmp, "api-" + label, db, store=store, args=["--workers", "2"],
                 env={"BSN_SERVER_SCAN_DELAY_MS": "1500"})
    try:
        st, hd, doc = http_json(srv.port, "GET", "/api/v1/metadata", token=None)
        check(st == 401, "%s: metadata without token -> 401 (got %d)" % (label, st))
        check(hd.get("content-type") == MIME_ERROR, "%s: 401 has the error mime type" % label)
        spec.validate("ErrorResponse", doc, "%s: 401 body" % label)
        st, _, _ = http_json(srv.port, "GET", "/api/v1/metadata", token="wrong")
        check(st == 401, "%s: metadata with a wrong token -> 401 (got %d)" % (label, st))
        st, hd, doc = http_json(srv.port, "GET", "/api/v1/metadata")
        check(st == 200, "%s: metadata -> 200 (got %d)" % (label, st))
        check(hd.get("content-type", "").startswith("application/vnd.scanner.adapter.metadata+json"),
              "%s: metadata mime type" % label)
        check(hd.get("content-type", "").endswith("version=1.1"), "%s: metadata 1.1 by default" % label)
        spec.validate("ScannerAdapterMetadata", doc, "%s: metadata" % label)
        st, hd, _ = http_json(srv.port, "GET", "/api/v1/metadata", headers={
            "Accept": "application/vnd.scanner.adapter.metadata+json; version=1.0"})
        check(st == 200 and hd.get("content-type") ==
              "application/vnd.scanner.adapter.metadata+json; version=1.0",
              "%s: metadata 1.0 when asked (%s)" % (label, hd.get("content-type")))
        spec11.validate("ScannerAdapterMetadata", doc, "%s: metadata (v1.1)" % label)
        caps = {c.get("type"): c for c in (doc or {}).get("capabilities", [])}
        check(MIME_VULN in caps.get("vulnerability", {}).get("produces_mime_types", []),
              "%s: vulnerability capability produces %s" % (label, MIME_VULN))
        check(MIME_SBOM in caps.get("sbom", {}).get("produces_mime_types", []),
              "%s: sbom capability" % label)

        st, hd, doc = http_json(srv.port, "POST", "/api/v1/scan", body='{"registry": {',
                                headers={"Content-Type": "application/json"})
        check(st == 400, "%s: bad JSON -> 400 (got %d)" % (label, st))
        check(hd.get("content-type") == MIME_ERROR, "%s: 400 has the error mime type" % label)
        spec.validate("ErrorResponse", doc, "%s: 400 body" % label)
        check(bool(doc and doc["error"]["message"]), "%s: 400 says why" % label)
        st, hd, doc = http_json(srv.port, "POST", "/api/v1/scan",
                                body={"registry": {"url": "oci:" + img}, "artifact": {}})
        check(st == 422 and "artifact.repository" in json.dumps(doc),
              "%s: missing repository -> 422 naming the field (got %d %s)" % (label, st, doc))

        spec.validate("ScanRequest", req, "%s: our scan request" % label)
        st, hd, doc = http_json(srv.port, "POST", "/api/v1/scan", body=req)
        check(st == 202, "%s: scan -> 202 (got %d %s)" % (label, st, doc))
        spec.validate("ScanResponse", doc, "%s: scan response" % label)
        job = doc["id"]
        st, hd, data = http(srv.port, "GET", "/api/v1/scan/%s/report" % job,
                            headers={"Accept": MIME_VULN})
        check(st == 302, "%s: report while scanning -> 302 (got %d)" % (label, st))
        check(hd.get("refresh-after", "").isdigit(),
              "%s: 302 has an integer Refresh-After (%r)" % (label, hd.get("refresh-after")))
        st, hd, data, n302 = wait_report(srv.port, job)
        check(st == 200, "%s: report -> 200 after %d 302s (got %d %s)" % (label, n302, st, data[:300]))
        check(hd.get("content-type") == MIME_VULN, "%s: report mime type %r" % (label, hd.get("content-type")))
        rep = json.loads(data)
        spec.validate("HarborVulnerabilityReport", rep, "%s: Harbor report" % label)
        got = {(v["id"], v["package"], v["version"], v.get("fix_version")) for v in rep["vulnerabilities"]}
        check(got == EXPECTED, "%s: findings %s, expected %s" % (label, sorted(got), sorted(EXPECTED)))
        check(rep["artifact"]["digest"] == req["artifact"]["digest"] and
              rep["artifact"]["repository"] == "library/alp",
              "%s: report names the artifact" % label)
        # the older Harbor report type
        st, hd, doc = http_json(srv.port, "GET", "/api/v1/scan/%s/report" % job,
                                headers={"Accept": "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"})
        check(st == 200 and len(doc["vulnerabilities"]) == 3, "%s: harbor+json 1.0 report" % label)

        # SBOM reports
        st, hd, doc = http_json(srv.port, "GET", "/api/v1/scan/%s/report" % job,
                                headers={"Accept": MIME_SBOM})
        check(st == 400 and hd.get("content-type") == MIME_ERROR,
              "%s: SBOM without sbom_media_type -> 400 (got %d)" % (label, st))
        names = set(installed_packages())
        for mt in ("application/vnd.cyclonedx+json", "application/spdx+json"):
            st, hd, doc = http_json(srv.port, "GET", "/api/v1/scan/%s/report?sbom_media_type=%s" % (job, urllib.parse.quote(mt, safe="")),
                                    headers={"Accept": MIME_SBOM})
            check(st == 200 and hd.get("content-type") == MIME_SBOM,
                  "%s: SBOM %s -> 200 (got %d)" % (label, mt, st))
            if st != 200:
                continue
            spec.validate("HarborSbomReport", doc, "%s: SBOM report %s" % (label, mt))
            check(doc["media_type"] == mt, "%s: SBOM media_type" % label)
            sbom = doc["sbom"]
            if mt.endswith("cyclonedx+json"):
                comp = {c["name"] for c in sbom.get("components", []) if c.get("type") == "library"}
                check(sbom.get("bomFormat") == "CycloneDX", "%s: CycloneDX document" % label)
            else:
                comp = {p["name"] for p in sbom.get("packages", [])}
                check(str(sbom.get("spdxVersion", "")).startswith("SPDX-"), "%s: SPDX document" % label)
            check(names <= comp, "%s: %s lists every installed package (missing %s)" %
                  (label, mt, sorted(names - comp)))

        # bosun's own JSON report
        st, hd, doc = http_json(srv.port, "GET", "/api/v1/scan/%s/report" % job,
                                headers={"Accept": "application/json"})
        check(st == 200 and hd.get("content-type") == "application/json",
              "%s: Accept application/json -> 200 JSON" % label)
        check(doc and doc.get("schema_version") == 1 and
              sorted(p["name"] for p in doc["packages"]) == sorted(names),
              "%s: JSON report has the %d installed packages" % (label, len(names)))
        check(doc and doc["os"]["family"] == "alpine" and doc["os"]["version"] == "3.4.6",
              "%s: JSON report OS" % label)

        st, hd, doc = http_json(srv.port, "GET", "/api/v1/scan/%s/report" % "0000-unknown")
        check(st == 404 and hd.get("content-type") == MIME_ERROR,
              "%s: unknown id -> 404 with the error mime type (got %d)" % (label, st))
        spec.validate("ErrorResponse", doc, "%s: 404 body" % label)
        st, _, _ = http(srv.port, "POST", "/api/v1/scan", body="x" * (2 << 20))
        check(st == 413, "%s: 2 MiB body -> 413 (got %d)" % (label, st))
        st, _, _ = http(srv.port, "GET", "/api/v1/metadata", headers={"X-Big": "a" * 40000})
        check(st == 431, "%s: 40 kB of headers -> 431 (got %d)" % (label, st))

        st, _, data = http(srv.port, "GET", "/healthz", token=None)
        check(st == 200, "%s: /healthz" % label)
        st, _, data = http(srv.port, "GET", "/readyz", token=None)
        check(st == 200, "%s: /readyz (%s)" % (label, data))
        st, hd, data = http(srv.port, "GET", "/metrics", token=None)
        text = data.decode()
        check(st == 200 and hd.get("content-type", "").startswith("text/plain; version=0.0.4"),
              "%s: /metrics Prometheus text" % label)
        check('bosun_scans{state="done"} 1\n' in text, "%s: metrics count the done scan" % label)
        check("bosun_scan_duration_seconds_count 1\n" in text, "%s: metrics duration" % label)
        check("bosun_db_age_seconds " in text and "bosun_queue_depth 0\n" in text,
              "%s: metrics DB age and queue depth" % label)
        lines = [l for l in srv.log_lines() if l.get("msg") == "request"]
        check(any(l["path"] == "/api/v1/scan" and l["status"] == 202 for l in lines),
              "%s: access log records the scan POST as JSON" % label)
    finally:
        srv.stop()

    # a full queue: one worker held by the delay, one queued job, then 429
    srv = Server(tmp, "full-" + label, db, store=store, args=["--workers", "1", "--max-queue", "1"],
                 env={"BSN_SERVER_SCAN_DELAY_MS": "3000"})
    try:
        codes = []
        retry = None
        for i in range(4):
            st, hd, _ = http(srv.port, "POST", "/api/v1/scan", body=scan_request("oci:" + img, digest))
            codes.append(st)
            if st == 429:
                retry = hd.get("retry-after")
            time.sleep(0.3)
        check(codes[0] == 202 and 429 in codes, "%s: full queue -> 429 (%s)" % (label, codes))
        check(retry is not None and retry.isdigit(), "%s: 429 has Retry-After" % label)
    finally:
        srv.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="bsn-server-")
    reg = None
    try:
        db = build_db(tmp, "db1")
        img, digest = build_image(tmp)
        reg, reg_log, port, _ = start_registry(tmp)
        req = registry_request(port, push_image(img, port))
        api_flow(tmp, "sqlite", db, img, digest, req)
        if have_postgres():
            pg = Postgres(tmp)
            try:
                api_flow(tmp, "postgres", db, img, digest, req, store=pg.url)
                rows = pg.sql("SELECT version FROM bosun_schema ORDER BY version")
                check(rows == [["1"], ["2"]], "postgres: migrations recorded once each (%s)" % rows)
            finally:
                pg.stop()
        else:
            check(False, "PostgreSQL 15 binaries missing (%s): install postgresql" % PG_BIN)
    finally:
        if reg:
            reg.terminate()
            reg.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    finish("test_server_harbor_flow")


if __name__ == "__main__":
    main()
