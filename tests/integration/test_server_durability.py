#!/usr/bin/env python3
"""'bosun server' durability: the job queue survives a worker's death and a store restart.

SQLite: server A (one worker, a 2 s lease, scans held 4 s by a test hook) accepts three scans;
kill -9 while it scans the first. Server B, started on the same store file, finishes all three:
the first after its lease expired (attempts = 2), every accepted id answers 200, and the
results table has exactly one row per job.

PostgreSQL: the same with server B started beside A on one PostgreSQL (two servers sharing the
queue), then the store restarted under B while B scans: /readyz answers 503 while PostgreSQL is
down and POST /scan 503 with Retry-After; B keeps retrying, stores the result once PostgreSQL is
back, and accepts new scans again.
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server_harbor_flow as h  # noqa: E402

check = h.check


def wait_log(srv, pred, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for l in srv.log_lines():
            if pred(l):
                return l
        time.sleep(0.05)
    return None


def post_jobs(srv, img, digest, n):
    ids = []
    for _ in range(n):
        st, _, doc = h.http_json(srv.port, "POST", "/api/v1/scan",
                                 body=h.scan_request("oci:" + img, digest))
        check(st == 202, "scan accepted (got %d)" % st)
        ids.append(doc["id"])
    return ids


def all_reports(srv, ids, label, timeout=40):
    for i in ids:
        st, _, data, _ = h.wait_report(srv.port, i, timeout=timeout)
        check(st == 200, "%s: job %s finished after the crash (got %d %s)" % (label, i, st, data[:200]))


def crash_then_finish(tmp, label, db, img, digest, store, second_beside=False):
    a = h.Server(tmp, "a-" + label, db, store=store, args=["--workers", "1", "--lease", "2s"],
                 env={"BSN_SERVER_SCAN_DELAY_MS": "4000"})
    ids = post_jobs(a, img, digest, 3)
    line = wait_log(a, lambda l: l.get("msg", "").startswith("job %s: scanning" % ids[0]))
    check(line is not None, "%s: server A started scanning the first job" % label)
    b = None
    if second_beside:
        # B polls the shared queue while A still holds the first job's lease
        b = h.Server(tmp, "b-" + label, db, store=store, args=["--workers", "1", "--lease", "2s"])
    a.kill9()
    if not b:
        b = h.Server(tmp, "b-" + label, db, store=store, args=["--workers", "1", "--lease", "2s"])
    all_reports(b, ids, label)
    return a, b, ids


def sqlite_case(tmp, db, img, digest):
    store = os.path.join(tmp, "queue.db")
    a, b, ids = crash_then_finish(tmp, "sqlite", db, img, digest, "sqlite:" + store)
    b.stop()
    con = sqlite3.connect(store)
    rows = dict(con.execute("SELECT job_id, COUNT(*) FROM results GROUP BY job_id").fetchall())
    check(rows == {i: 1 for i in ids}, "sqlite: one result per accepted job (%s)" % rows)
    st = dict(con.execute("SELECT id, state FROM jobs").fetchall())
    check(st == {i: "done" for i in ids}, "sqlite: every job done, none lost (%s)" % st)
    att = con.execute("SELECT attempts FROM jobs WHERE id = ?", (ids[0],)).fetchone()[0]
    check(att == 2, "sqlite: the crashed job was claimed again once (attempts %d)" % att)
    con.close()


def postgres_case(tmp, db, img, digest):
    pg = h.Postgres(tmp)
    try:
        a, b, ids = crash_then_finish(tmp, "postgres", db, img, digest, pg.url, second_beside=True)
        rows = {r[0]: int(r[1]) for r in pg.sql("SELECT job_id, COUNT(*) FROM results GROUP BY job_id")}
        check(rows == {i: 1 for i in ids}, "postgres: one result per accepted job (%s)" % rows)
        st = {r[0]: r[1] for r in pg.sql("SELECT id, state FROM jobs")}
        check(st == {i: "done" for i in ids}, "postgres: every job done, none lost (%s)" % st)
        att = pg.sql("SELECT attempts FROM jobs WHERE id = '%s'" % ids[0])
        check(att == [["2"]], "postgres: the crashed job was claimed again once (%s)" % att)
        b.stop()

        # PostgreSQL restarts under a server that is scanning
        c = h.Server(tmp, "c-postgres", db, store=pg.url, args=["--workers", "1"],
                     env={"BSN_SERVER_SCAN_DELAY_MS": "1500"})
        try:
            [job] = post_jobs(c, img, digest, 1)
            check(wait_log(c, lambda l: l.get("msg", "").startswith("job %s: scanning" % job)) is not None,
                  "postgres: server C scanning before the restart")
            pg.stop()
            st, _, _ = h.http(c.port, "GET", "/readyz", token=None)
            check(st == 503, "postgres down: /readyz -> 503 (got %d)" % st)
            st, hd, _ = h.http(c.port, "POST", "/api/v1/scan", body=h.scan_request("oci:" + img, digest))
            check(st == 503 and hd.get("retry-after"),
                  "postgres down: POST /scan -> 503 with Retry-After (got %d)" % st)
            check(wait_log(c, lambda l: "storing the result" in l.get("msg", "")) is not None,
                  "postgres down: the worker retries storing its result")
            pg.start()
            deadline = time.time() + 20
            while time.time() < deadline and h.http(c.port, "GET", "/readyz", token=None)[0] != 200:
                time.sleep(0.2)
            check(h.http(c.port, "GET", "/readyz", token=None)[0] == 200,
                  "postgres back: /readyz -> 200")
            st, _, data, _ = h.wait_report(c.port, job, timeout=30)
            check(st == 200, "postgres back: the scan running across the restart is stored (%d)" % st)
            [job2] = post_jobs(c, img, digest, 1)
            st, _, data, _ = h.wait_report(c.port, job2, timeout=30)
            check(st == 200, "postgres back: new scans are accepted and finished (%d)" % st)
            n = pg.sql("SELECT COUNT(*) FROM results WHERE job_id IN ('%s', '%s')" % (job, job2))
            check(n == [["2"]], "postgres back: one result each (%s)" % n)
        finally:
            c.stop()
    finally:
        pg.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="bsn-server-dur-")
    try:
        db = h.build_db(tmp, "db1")
        img, digest = h.build_image(tmp)
        sqlite_case(tmp, db, img, digest)
        if h.have_postgres():
            postgres_case(tmp, db, img, digest)
        else:
            check(False, "PostgreSQL 15 binaries missing (%s)" % h.PG_BIN)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    h.finish("test_server_durability")


if __name__ == "__main__":
    main()
