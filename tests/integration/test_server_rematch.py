#!/usr/bin/env python3
"""'bosun server' re-matching: new advisories reach images already scanned without pulling them.

A real registry (Debian's docker-registry on a free loopback port, htpasswd auth, access log
on) holds the Alpine 3.4.6 test image, pushed with skopeo. The server scans it through the
Harbor API (registry URL + Basic authorization of a robot account + digest, as Harbor sends
them; a wrong password first, which fails the scan with Harbor's error type); the findings are the three
of the hand-written secdb (test_server_harbor_flow.py). Then the database file is replaced by one
with one more advisory, musl 1.1.14-r16 fixing CVE-2017-15650 (musl and musl-utils 1.1.14-r14,
both of origin musl, are installed per lib/apk/db/installed), and POST /api/v1/rematch triggers the update:

- the webhook receives exactly that advisory's new findings (musl, musl-utils) and nothing resolved, signed with
  X-Bosun-Signature = sha256=HMAC-SHA256(secret, body) (checked here with hmac);
- the receiver fails the first delivery (500): the server retries with backoff and the second
  attempt carries the same body;
- the registry's access log shows no request at all after the first scan (no blob GET);
- a second trigger with the same database sends nothing;
- /metrics counts the re-match, the changed image and the delivered webhook;
- the schedule (--db-update-interval 1s --db-update-url LISTING, i.e. 'db update --url')
  installs a third database with one more zlib advisory once its listing appears, and the
  webhook receives exactly that finding, again without a registry request.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server_harbor_flow as h  # noqa: E402

check = h.check
SECRET = "webhook-secret-42"


class Receiver(http.server.BaseHTTPRequestHandler):
    posts = []
    fail_first = True

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.posts.append((dict(self.headers), body))
        if Receiver.fail_first and len(Receiver.posts) == 1:
            self.send_response(500)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def registry_requests(path):
    with open(path) as fh:
        return [l for l in fh if '"GET /v2/' in l or '"HEAD /v2/' in l]


def main():
    tmp = tempfile.mkdtemp(prefix="bsn-server-rematch-")
    reg = None
    srv = None
    recv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=recv.serve_forever, daemon=True).start()
    try:
        db1 = h.build_db(tmp, "db1")
        db2 = h.build_db(tmp, "db2", h.SECDB_MUSL)
        live = os.path.join(tmp, "live.db")
        shutil.copy(db1, live)
        img, _ = h.build_image(tmp)
        reg, reg_log, port, reg_log_path = h.start_registry(tmp)
        creds = "%s:%s" % (h.USER, h.PASSWORD)
        h.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds,
               "oci:" + img + ":alp:1", "docker://127.0.0.1:%d/library/alp:1" % port])
        p = h.run(["skopeo", "inspect", "--tls-verify=false", "--creds", creds,
                   "docker://127.0.0.1:%d/library/alp:1" % port])
        digest = json.loads(p.stdout)["Digest"]
        with open(os.path.join(tmp, "secret"), "w") as fh:
            fh.write(SECRET + "\n")
        hook = "http://127.0.0.1:%d/hook" % recv.server_address[1]
        listing = os.path.join(tmp, "listing3.json")  # written later: updates fail until then
        srv = h.Server(tmp, "rematch", live, args=["--webhook", hook, "--webhook-secret-file",
                                                   os.path.join(tmp, "secret"),
                                                   "--db-update-interval", "1s",
                                                   "--db-update-url", listing])
        def request(password):
            basic = base64.b64encode(("%s:%s" % (h.USER, password)).encode()).decode()
            return {"registry": {"url": "http://127.0.0.1:%d" % port,
                                 "authorization": "Basic " + basic},
                    "artifact": {"repository": "library/alp", "digest": digest, "tag": "1",
                                 "mime_type": "application/vnd.oci.image.manifest.v1+json"}}

        # a wrong robot password: the scan fails and the report says so in the error type
        st, _, doc = h.http_json(srv.port, "POST", "/api/v1/scan", body=request("wrong"))
        check(st == 202, "scan with a wrong password accepted (got %d)" % st)
        st, hd, data, _ = h.wait_report(srv.port, doc["id"], timeout=60)
        check(st == 500 and hd.get("content-type") == h.MIME_ERROR,
              "wrong registry password -> 500 with the error mime type (got %d %s)" % (st, data[:200]))
        if st == 500:
            h.Spec("1.2").validate("ErrorResponse", json.loads(data), "scan failure body")
        req = request(h.PASSWORD)
        h.Spec("1.2").validate("ScanRequest", req, "scan request")
        st, _, doc = h.http_json(srv.port, "POST", "/api/v1/scan", body=req)
        check(st == 202, "scan from the registry accepted (got %d %s)" % (st, doc))
        st, _, data, _ = h.wait_report(srv.port, doc["id"], timeout=60)
        check(st == 200, "registry scan finished (got %d %s)" % (st, data[:300]))
        rep = json.loads(data) if st == 200 else {"vulnerabilities": []}
        got = {(v["id"], v["package"], v["version"], v.get("fix_version")) for v in rep["vulnerabilities"]}
        check(got == h.EXPECTED, "registry scan findings %s" % sorted(got))
        before = registry_requests(reg_log_path)
        check(any("/blobs/" in l for l in before), "the scan pulled blobs from the registry")

        shutil.copy(db2, live + ".new")
        os.replace(live + ".new", live)
        st, _, _ = h.http(srv.port, "POST", "/api/v1/rematch", body="")
        check(st == 202, "re-match trigger -> 202 (got %d)" % st)
        deadline = time.time() + 20
        while time.time() < deadline and len(Receiver.posts) < 2:
            time.sleep(0.1)
        check(len(Receiver.posts) == 2, "webhook: one failed delivery and one retry (%d posts)" % len(Receiver.posts))
        if Receiver.posts:
            hdrs, body = Receiver.posts[-1]
            ev = json.loads(body)
            new = [(f["id"], f["package"], f["version"], f["fixed_version"]) for f in ev["new"]]
            # musl and musl-utils are both built from origin musl 1.1.14-r14 (o:musl)
            check(sorted(new) == [("CVE-2017-15650", "musl", "1.1.14-r14", "1.1.14-r16"),
                                  ("CVE-2017-15650", "musl-utils", "1.1.14-r14", "1.1.14-r16")],
                  "webhook: exactly the new finding (%s)" % new)
            check(ev["resolved"] == [], "webhook: nothing resolved (%s)" % ev["resolved"])
            check(ev["digest"] == digest and ev["repository"] == "library/alp",
                  "webhook names the image")
            want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            sig = {k.lower(): v for k, v in hdrs.items()}.get("x-bosun-signature")
            check(sig == want, "webhook signature %s, expected %s" % (sig, want))
            check(Receiver.posts[0][1] == body, "the retry carries the same body")
        after = registry_requests(reg_log_path)
        check(after == before, "no registry request during the re-match (%s)" % after[len(before):])

        # the same database again: nothing changed, nothing sent
        n_runs = sum(1 for l in srv.log_lines() if l.get("msg", "").startswith("re-match: 1 images"))
        h.http(srv.port, "POST", "/api/v1/rematch", body="")
        deadline = time.time() + 10
        while time.time() < deadline and sum(1 for l in srv.log_lines()
                                             if l.get("msg", "").startswith("re-match: 1 images")) <= n_runs:
            time.sleep(0.1)
        time.sleep(0.3)
        check(len(Receiver.posts) == 2, "second trigger sends no webhook (%d posts)" % len(Receiver.posts))
        st, _, data = h.http(srv.port, "GET", "/metrics", token=None)
        text = data.decode()
        for line in ("bosun_rematch_runs_total 2\n", "bosun_rematch_changed_total 1\n",
                     'bosun_webhooks_total{result="ok"} 1\n', "bosun_cache_hits_total 2\n"):
            check(line in text, "metrics: %s" % line.strip())

        # the schedule: 'db update --url LISTING' every second installs a database with one
        # more zlib advisory (CVE-2016-9841, fixed in 1.2.11-r0; zlib 1.2.8-r2 is installed)
        feed3 = os.path.join(tmp, "feed-db3", "v3.4")
        os.makedirs(feed3)
        with open(os.path.join(feed3, "main.yaml"), "w") as fh:
            fh.write(h.SECDB_HEAD + h.SECDB_MUSL + "  - pkg:\n      name: zlib\n      secfixes:\n"
                     "        1.2.11-r0:\n          - CVE-2016-9841\n")
        h.run([h.BOSUN, "db", "build", "-q", "--out", os.path.join(tmp, "db3.db"),
               "--listing", listing, os.path.dirname(feed3)])
        deadline = time.time() + 20
        while time.time() < deadline and len(Receiver.posts) < 3:
            time.sleep(0.1)
        check(len(Receiver.posts) == 3, "scheduled update: one more webhook (%d posts)" % len(Receiver.posts))
        if len(Receiver.posts) == 3:
            ev = json.loads(Receiver.posts[2][1])
            new = [(f["id"], f["package"], f["version"], f["fixed_version"]) for f in ev["new"]]
            check(new == [("CVE-2016-9841", "zlib", "1.2.8-r2", "1.2.11-r0")],
                  "scheduled update: exactly the new zlib finding (%s)" % new)
            check(ev["resolved"] == [], "scheduled update: nothing resolved")
        check(registry_requests(reg_log_path) == before,
              "no registry request during the scheduled re-match")
    finally:
        if srv:
            srv.stop()
        if reg:
            reg.terminate()
            reg.wait()
        recv.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    h.finish("test_server_rematch")


if __name__ == "__main__":
    main()
