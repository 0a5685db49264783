#!/usr/bin/env python3
"""'bosun server' fleets share one per-layer analysis cache through PostgreSQL.

Two servers on one PostgreSQL store (a cluster this script creates, as in
test_server_harbor_flow), each with its own --cache-dir, and Debian's docker-registry
(htpasswd auth) holding the shared Alpine 3.4 fixture pushed with skopeo:

  - server A scans the image: its layers are analysed (layer cache misses in the store) and
    their entries land in the store's layer_cache table, one row per layer;
  - server B, whose cache directory is empty, scans it again: the same hand-checked findings
    (test_server_harbor_flow.EXPECTED), and the registry's access log shows no GET of any layer
    blob since A finished (manifest and config only); B counts store hits, and copies the
    entries into its own directory, so its next scan does not ask the store again;
  - a damaged shared entry (its bytes changed in the table) is not believed: server C, with
    an empty directory, pulls the layer again, reports the same findings and writes the entry
    back as it was.
"""
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server_harbor_flow as h  # noqa: E402


def scan_ok(srv, req, label):
    st, _, doc = h.http_json(srv.port, "POST", "/api/v1/scan", body=req)
    h.check(st == 202, "%s: scan accepted (got %d %s)" % (label, st, doc))
    if st != 202:
        return None
    st, _, data, _ = h.wait_report(srv.port, doc["id"])
    h.check(st == 200, "%s: report 200 (got %d %s)" % (label, st, data[:300]))
    if st != 200:
        return None
    got = {(v["id"], v["package"], v["version"], v.get("fix_version"))
           for v in json.loads(data)["vulnerabilities"]}
    h.check(got == h.EXPECTED, "%s: findings %s" % (label, sorted(got)))
    return got


def store_counts(srv):
    st, _, data = h.http(srv.port, "GET", "/metrics", token=None)
    text = data.decode() if isinstance(data, bytes) else data
    out = {}
    for res in ("hit", "miss"):
        m = re.search(r'^bosun_layer_store_total\{result="%s"\} (\d+)$' % res, text, re.M)
        out[res] = int(m.group(1)) if m else None
    return out


def blob_gets(log_path, since, digests):
    with open(log_path) as fh:
        fh.seek(since)
        text = fh.read()
    return [d for d in digests if re.search(r'"GET /v2/library/alp/blobs/%s ' % re.escape(d), text)]


def main():
    if not h.have_postgres():
        h.check(False, "PostgreSQL 15 binaries missing (%s): install postgresql" % h.PG_BIN)
        h.finish("test_server_shared_cache")
    tmp = tempfile.mkdtemp(prefix="bsn-shared-")
    reg = pg = None
    servers = []
    try:
        db = h.build_db(tmp, "db")
        img, _ = h.build_image(tmp)
        reg, _, port, reg_log = h.start_registry(tmp)
        digest = h.push_image(img, port)
        req = h.registry_request(port, digest)
        raw = h.run(["skopeo", "inspect", "--raw", "--tls-verify=false", "--creds",
                     "%s:%s" % (h.USER, h.PASSWORD),
                     "docker://127.0.0.1:%d/library/alp@%s" % (port, digest)]).stdout
        layers = [l["digest"] for l in json.loads(raw)["layers"]]
        h.check(len(layers) >= 1, "the pushed image has layers: %s" % layers)
        pg = h.Postgres(tmp)

        a = h.Server(tmp, "a", db, store=pg.url, args=["--workers", "1"])
        servers.append(a)
        scan_ok(a, req, "server A")
        ca = store_counts(a)
        h.check(ca == {"hit": 0, "miss": len(layers)},
                "server A: every layer a store miss: %s" % ca)
        rows = pg.sql("SELECT key, length(data) FROM layer_cache ORDER BY key")
        h.check(len(rows) == len(layers) and all(int(n) > 0 for _, n in rows),
                "one layer_cache row per layer: %s" % rows)
        good = dict(pg.sql("SELECT key, data FROM layer_cache"))

        since = os.path.getsize(reg_log)
        b = h.Server(tmp, "b", db, store=pg.url, args=["--workers", "1"])
        servers.append(b)
        scan_ok(b, req, "server B")
        h.check(blob_gets(reg_log, since, layers) == [],
                "server B pulled no layer blob: %s" % blob_gets(reg_log, since, layers))
        with open(reg_log) as fh:
            fh.seek(since)
            later = fh.read()
        h.check("/manifests/" in later, "server B did fetch the manifest (the log is live)")
        cb = store_counts(b)
        h.check(cb == {"hit": len(layers), "miss": 0}, "server B: every layer a store hit: %s" % cb)
        scan_ok(b, req, "server B again")
        h.check(store_counts(b) == cb, "server B's second scan reads its own directory: %s" %
                store_counts(b))

        key = sorted(good)[0]
        pg.sql("UPDATE layer_cache SET data = '00' || substr(data, 3) WHERE key = '%s'" % key)
        since = os.path.getsize(reg_log)
        c = h.Server(tmp, "c", db, store=pg.url, args=["--workers", "1"])
        servers.append(c)
        scan_ok(c, req, "server C over a damaged entry")
        pulled = blob_gets(reg_log, since, layers)
        h.check(len(pulled) == 1, "server C pulled exactly the damaged layer again: %s" % pulled)
        now = dict(pg.sql("SELECT key, data FROM layer_cache"))
        h.check(now == good, "the damaged entry was written back as it was")
        for s in servers:
            s.stop()
        servers = []
    finally:
        for s in servers:
            s.stop()
        if reg:
            reg.terminate()
            reg.wait()
        if pg:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    h.finish("test_server_shared_cache")


if __name__ == "__main__":
    main()
