#!/usr/bin/env python3
"""'bosun server': a scan that fails on the network is tried again; other failures are final.

Debian's docker-registry (htpasswd auth, the shared Alpine 3.4 fixture pushed with skopeo) is
stopped and started under the server, which runs with BSN_SERVER_RETRY_MS=1500 (the first
wait; x4 after each further try) and the default of three tries, with each store (SQLite,
then a PostgreSQL cluster as in test_server_harbor_flow):

  - registry down when the scan starts, back up before the second try: the report answers 302
    meanwhile, then 200 with exactly the three hand-checked findings
    (test_server_harbor_flow.EXPECTED); the log says attempt 1 of 3 failed and when the next
    comes; bosun_scans_retried_total counts it;
  - wrong credentials (the registry answers 401): failed at the first try, no retry;
  - registry down for good: three tries (1.5 s, then 6 s apart), then 500 with the error mime
    type and the connection error; retried_total has grown by two.
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server_harbor_flow as h  # noqa: E402


def post(srv, req):
    st, _, doc = h.http_json(srv.port, "POST", "/api/v1/scan", body=req)
    h.check(st == 202, "scan accepted (got %d %s)" % (st, doc))
    return doc["id"] if st == 202 else None


def retried_total(srv):
    st, _, data = h.http(srv.port, "GET", "/metrics", token=None)
    text = data.decode() if isinstance(data, bytes) else (data or "")
    m = re.search(r"^bosun_scans_retried_total (\d+)$", text, re.M)
    return int(m.group(1)) if st == 200 and m else None


def report(srv, job, timeout=60):
    st, hd, data, _ = h.wait_report(srv.port, job, timeout=timeout)
    return st, hd, data.decode("utf-8", "replace")


def job_lines(srv, job):
    return [l.get("msg", "") for l in srv.log_lines() if job in l.get("msg", "")]


def scenario(tmp, label, db, img, store=None):
    reg = srv = None
    try:
        reg, reg_log, port, _ = h.start_registry(tmp)
        digest = h.push_image(img, port)
        req = h.registry_request(port, digest)
        reg.terminate()
        reg.wait()
        reg = None
        srv = h.Server(tmp, "retry-" + label, db, store=store, args=["--workers", "1"],
                       env={"BSN_SERVER_RETRY_MS": "1500"})

        # down at the first try, up for the second
        job = post(srv, req)
        deadline = time.time() + 20
        while time.time() < deadline and not any("trying again" in m for m in job_lines(srv, job)):
            time.sleep(0.1)
        msgs = job_lines(srv, job)
        h.check(any("attempt 1 of 3" in m and "trying again in 1500 ms" in m for m in msgs),
                "%s: the first failure is logged with the next try: %s" % (label, msgs))
        st, _, _ = h.http(srv.port, "GET", "/api/v1/scan/%s/report" % job,
                          headers={"Accept": h.MIME_VULN})
        h.check(st == 302, "%s: between tries the report answers 302 (got %d)" % (label, st))
        reg, reg_log, _, _ = h.start_registry(tmp, port)
        st, hd, data = report(srv, job)
        h.check(st == 200, "%s: second try succeeds (got %d %s)" % (label, st, data[:300]))
        if st == 200:
            rep = json.loads(data)
            got = {(v["id"], v["package"], v["version"], v.get("fix_version"))
                   for v in rep["vulnerabilities"]}
            h.check(got == h.EXPECTED, "%s: findings %s" % (label, sorted(got)))
        h.check(any("(attempt 2)" in m for m in job_lines(srv, job)),
                "%s: the log shows the second attempt: %s" % (label, job_lines(srv, job)))
        h.check(retried_total(srv) == 1, "%s: retried_total 1 (got %s)" %
                (label, retried_total(srv)))

        # refused credentials: final at once
        job = post(srv, h.registry_request(port, digest, password="wrong"))
        st, hd, data = report(srv, job)
        h.check(st == 500 and hd.get("content-type") == h.MIME_ERROR,
                "%s: wrong credentials: 500 (got %d %s)" % (label, st, data[:200]))
        msgs = job_lines(srv, job)
        h.check(not any("trying again" in m for m in msgs) and
                not any("(attempt 2)" in m for m in msgs),
                "%s: wrong credentials are not retried: %s" % (label, msgs))
        h.check(retried_total(srv) == 1, "%s: retried_total still 1" % label)

        # down for good: three tries, then failed
        reg.terminate()
        reg.wait()
        reg = None
        t0 = time.time()
        job = post(srv, req)
        st, hd, data = report(srv, job)
        took = time.time() - t0
        h.check(st == 500 and hd.get("content-type") == h.MIME_ERROR and
                "connect" in data.lower(),
                "%s: registry gone: 500 naming the connection error (got %d %s)" %
                (label, st, data[:300]))
        h.check(took >= 7.0, "%s: the three tries were 1.5 s and 6 s apart (took %.1f s)" %
                (label, took))
        msgs = job_lines(srv, job)
        h.check(any("attempt 1 of 3" in m for m in msgs) and
                any("attempt 2 of 3" in m and "trying again in 6000 ms" in m for m in msgs) and
                any("(attempt 3)" in m for m in msgs),
                "%s: tries 1 and 2 put back, try 3 final: %s" % (label, msgs))
        h.check(retried_total(srv) == 3, "%s: retried_total 3 (got %s)" %
                (label, retried_total(srv)))
        srv.stop()
        srv = None
    finally:
        if srv:
            srv.stop()
        if reg:
            reg.terminate()
            reg.wait()


def main():
    tmp = tempfile.mkdtemp(prefix="bsn-retry-")
    try:
        db = h.build_db(tmp, "db")
        img, _ = h.build_image(tmp)
        scenario(tmp, "sqlite", db, img)
        if h.have_postgres():
            pg = h.Postgres(tmp)
            try:
                scenario(tmp, "postgres", db, img, store=pg.url)
            finally:
                pg.stop()
        else:
            h.check(False, "PostgreSQL 15 binaries missing (%s): install postgresql" % h.PG_BIN)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    h.finish("test_server_retry")


if __name__ == "__main__":
    main()
