#!/usr/bin/env python3
"""Load test of 'bosun server' with wrk (Debian's wrk 4.1) on loopback, bounded in time.

  bench/bench_server.py [--bosun build/release/bosun] [--seconds 5] [--window 10]

Sets up, in a temp dir: the Alpine 3.4.6 test image as an OCI layout and a small Alpine
secdb database (the fixtures of tests/integration/test_server_harbor_flow.py), a PostgreSQL 15
cluster on a free port (as the 'postgres' user when run as root), and servers started with
the test hook BSN_SERVER_LOCAL_TARGETS=1 so scans read the local image (the registry is not
what is measured). Then:

  1. report GETs: wrk against GET /api/v1/scan/{id}/report of a stored result (Harbor report
     type, bearer token), --latency: p50, p99, requests/s
  2. scan POSTs: wrk against POST /api/v1/scan (one server): p50, p99, accepted/s — the
     cost of queueing a job in PostgreSQL
  3. scans/s: a queue refilled with 20,000 jobs before each --window drained by one server
     (1 worker), then by two servers (1 worker each) on the same PostgreSQL, alternated for
     --rounds rounds and averaged; every scan after the first hits the per-layer analysis
     cache ("cached layers"). Completed jobs are counted in the store.

Prints a Markdown table (the bench/RESULTS.md section) and the raw numbers as JSON.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("BSN_SRC", os.path.join(HERE, ".."))
os.environ.setdefault("BSN_TEST_DATA", os.path.join(HERE, "..", "tests", "data"))


def wrk(url, seconds, script, conns=16, threads=2):
    p = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
                        "--latency", "-s", script, url],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True)
    out = p.stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def pct(name):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % name, out, re.M)
        return float(m.group(1)) * unit[m.group(2)] if m else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"p50_ms": pct("50"), "p99_ms": pct("99"), "rps": float(rps.group(1)) if rps else None,
            "requests": int(total.group(1)) if total else None,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "raw": out}


def done_count(pg):
    return int(pg.sql("SELECT COUNT(*) FROM jobs WHERE state = 'done'")[0][0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bosun", default=os.environ.get("BOSUN", os.path.join(HERE, "..", "build", "dev", "bosun")))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    os.environ["BOSUN"] = os.path.abspath(args.bosun)
    import test_server_harbor_flow as h

    tmp = tempfile.mkdtemp(prefix="bsn-bench-server-")
    servers = []
    pg = None
    res = {}
    try:
        db = h.build_db(tmp, "db1")
        img, digest = h.build_image(tmp)
        pg = h.Postgres(tmp)
        a = h.Server(tmp, "bench-a", db, store=pg.url,
                     args=["--workers", "1", "--max-queue", "1000000", "--http-threads", "2"])
        servers.append(a)
        st, _, doc = h.http_json(a.port, "POST", "/api/v1/scan",
                                 body=h.scan_request("oci:" + img, digest))
        job = doc["id"]
        st, _, _, _ = h.wait_report(a.port, job)
        assert st == 200, st

        get_lua = os.path.join(tmp, "get.lua")
        with open(get_lua, "w") as fh:
            fh.write('wrk.method = "GET"\nwrk.headers["Authorization"] = "Bearer %s"\n'
                     'wrk.headers["Accept"] = "%s"\n' % (h.TOKEN, h.MIME_VULN))
        post_lua = os.path.join(tmp, "post.lua")
        with open(post_lua, "w") as fh:
            fh.write('wrk.method = "POST"\nwrk.headers["Authorization"] = "Bearer %s"\n'
                     'wrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n'
                     % (h.TOKEN, json.dumps(json.dumps(h.scan_request("oci:" + img, digest)))))
        base = "http://127.0.0.1:%d" % a.port
        res["report_get"] = wrk(base + "/api/v1/scan/%s/report" % job, args.seconds, get_lua)
        # stop the worker from competing with the POST measurement: it keeps running; the
        # enqueue rate is what PostgreSQL and the HTTP layer allow with one scan in flight
        res["scan_post"] = wrk(base + "/api/v1/scan", args.seconds, post_lua)
        queued = int(pg.sql("SELECT COUNT(*) FROM jobs WHERE state = 'queued'")[0][0])
        res["queued_after_post"] = queued

        # refill the queue before each window so it never runs dry, and alternate one and
        # two servers (the VM is shared: alternation spreads the noise over both)
        req = json.dumps(h.scan_request("oci:" + img, digest)).replace("'", "''")
        one, two = [], []
        for rnd in range(args.rounds):
            for n_servers in (1, 2):
                pg.sql("DELETE FROM jobs WHERE state = 'queued'")
                pg.sql("INSERT INTO jobs (id, state, request, digest, created_at, updated_at)"
                       " SELECT 'bench-%d-%d-' || g, 'queued', '%s', '%s', g, g"
                       " FROM generate_series(1, 20000) g" % (rnd, n_servers, req, digest))
                b = None
                if n_servers == 2:
                    b = h.Server(tmp, "bench-b%d" % rnd, db, store=pg.url,
                                 args=["--workers", "1", "--http-threads", "2"])
                time.sleep(1)
                n0 = done_count(pg)
                time.sleep(args.window)
                n1 = done_count(pg)
                left = int(pg.sql("SELECT COUNT(*) FROM jobs WHERE state = 'queued'")[0][0])
                assert left > 0, "the queue ran dry: raise the refill"
                (one if n_servers == 1 else two).append((n1 - n0) / args.window)
                if b:
                    b.stop()
        res["one_server_scans_per_s"] = sum(one) / len(one)
        res["two_servers_scans_per_s"] = sum(two) / len(two)
        res["rounds"] = {"one": one, "two": two}
        dup = pg.sql("SELECT COUNT(*) - COUNT(DISTINCT job_id) FROM results")
        res["duplicate_results"] = int(dup[0][0])
    finally:
        for s in servers:
            s.stop()
        if pg:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    cpus = os.cpu_count()
    print("| measurement | p50 | p99 | throughput |")
    print("| --- | --- | --- | --- |")
    g, p = res["report_get"], res["scan_post"]
    print("| GET report (stored result, %d s, 16 conns) | %.2f ms | %.2f ms | %.0f req/s |"
          % (args.seconds, g["p50_ms"], g["p99_ms"], g["rps"]))
    print("| POST scan (queue in PostgreSQL, %d s, 16 conns) | %.2f ms | %.2f ms | %.0f req/s |"
          % (args.seconds, p["p50_ms"], p["p99_ms"], p["rps"]))
    print("| scans completed, 1 server x 1 worker (%d x %d s) | | | %.1f scans/s |"
          % (args.rounds, args.window, res["one_server_scans_per_s"]))
    print("| scans completed, 2 servers x 1 worker, one PostgreSQL | | | %.1f scans/s |"
          % res["two_servers_scans_per_s"])
    print("\n%d CPUs; %d jobs queued by the POST run; duplicate results: %d; non-2xx: GET %d, POST %d"
          % (cpus, res["queued_after_post"], res["duplicate_results"], g["non_2xx"], p["non_2xx"]))
    for k in ("report_get", "scan_post"):
        res[k].pop("raw")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
