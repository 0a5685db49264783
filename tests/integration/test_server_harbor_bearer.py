#!/usr/bin/env python3
"""'bosun server' pulling with the Bearer token Harbor hands its scanner.

Harbor's scan request carries `registry.authorization`: for a Harbor registry a short-lived
"Bearer <JWT>" issued by Harbor's token service for the artifact's repository. The scanner must
send it to the registry as it is, without a token exchange of its own (it has no credentials to
exchange). Here Debian's docker-registry runs with token auth (auth.token) behind the test token
server (tests/tools/registry_token_server.py, JWTs signed with an openssl key whose certificate
the registry trusts); the test asks that server for a pull token the way Harbor's core would,
and puts it in the scan request.

Checks: the scan with the token succeeds with exactly the findings of the shared Alpine 3.4
fixture (test_server_harbor_flow.EXPECTED, checked by hand there); the token server saw no
request from bosun (the token was used as handed over); the registry's access log shows the
manifest and blob pulls authorised; a token for another repository and a garbage token both end
the scan as failed (500 with the error mime type, naming the authentication failure) without
the token in the message or the server log.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server_harbor_flow as h  # noqa: E402

TOKEN_SERVER = os.path.join(h.SRC, "tests", "tools", "registry_token_server.py")
USER, PASSWORD = "harbor-core", "c0re-pass"
SERVICE, ISSUER = "harbor-registry", "harbor-token-issuer"


def wait_file(path, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and open(path).read().strip():
            return int(open(path).read().strip())
        time.sleep(0.05)
    raise SystemExit("%s did not start" % what)


def start_token_registry(tmp, procs):
    key, cert = os.path.join(tmp, "tok.key"), os.path.join(tmp, "tok.crt")
    h.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
           cert, "-days", "2", "-subj", "/CN=bosun-test-token"])
    tpf, tlog = os.path.join(tmp, "token.port"), os.path.join(tmp, "token.log")
    open(tlog, "w").close()
    out = open(os.path.join(tmp, "token.out"), "w")
    procs.append(subprocess.Popen(
        [sys.executable, TOKEN_SERVER, "--key", key, "--cert", cert, "--issuer", ISSUER,
         "--service", SERVICE, "--user", USER, "--password", PASSWORD, "--port-file", tpf,
         "--log", tlog], stdout=out, stderr=out))
    tport = wait_file(tpf, "token server")

    proc, _, port, rlog = h.start_registry(tmp, auth=(
        "  token:\n    realm: http://127.0.0.1:%d/token\n    service: %s\n    issuer: %s\n"
        "    rootcertbundle: %s\n" % (tport, SERVICE, ISSUER, cert)))
    procs.append(proc)
    return port, tport, tlog, rlog


def harbor_token(tport, repo):
    """A pull token for repo, asked for as Harbor's core asks its token service."""
    url = "http://127.0.0.1:%d/token?service=%s&scope=repository:%s:pull" % (tport, SERVICE, repo)
    req = urllib.request.Request(url, headers={
        "Authorization": "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["token"]


def scan(srv, port, digest, authorization):
    req = {"registry": {"url": "http://127.0.0.1:%d" % port, "authorization": authorization},
           "artifact": {"repository": "library/alp", "digest": digest, "tag": "1",
                        "mime_type": "application/vnd.oci.image.manifest.v1+json"}}
    st, _, doc = h.http_json(srv.port, "POST", "/api/v1/scan", body=req)
    h.check(st == 202, "scan request accepted (got %d %s)" % (st, doc))
    if st != 202:
        return None, None, None
    return h.wait_report(srv.port, doc["id"])[:3]


def main():
    tmp = tempfile.mkdtemp(prefix="bsn-bearer-")
    procs = []
    srv = None
    try:
        db = h.build_db(tmp, "db")
        img, _ = h.build_image(tmp)
        port, tport, tlog, rlog = start_token_registry(tmp, procs)
        h.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds",
               "%s:%s" % (USER, PASSWORD), "oci:" + img + ":alp:1",
               "docker://127.0.0.1:%d/library/alp:1" % port])
        p = h.run(["skopeo", "inspect", "--tls-verify=false", "--creds",
                   "%s:%s" % (USER, PASSWORD), "docker://127.0.0.1:%d/library/alp:1" % port])
        digest = json.loads(p.stdout)["Digest"]

        token = harbor_token(tport, "library/alp")
        open(tlog, "w").close()
        srv = h.Server(tmp, "bearer", db, args=["--workers", "1"])
        st, hd, data = scan(srv, port, digest, "Bearer " + token)
        h.check(st == 200, "scan with Harbor's Bearer token -> 200 (got %s %s)" %
                (st, (data or "")[:300]))
        if st == 200:
            rep = json.loads(data)
            got = {(v["id"], v["package"], v["version"], v.get("fix_version"))
                   for v in rep["vulnerabilities"]}
            h.check(got == h.EXPECTED, "findings %s, expected %s" %
                    (sorted(got), sorted(h.EXPECTED)))
        toks = open(tlog).read().splitlines()
        h.check(toks == [], "bosun asked the token server for nothing: %s" % toks)
        pulls = [l for l in open(rlog) if "GET /v2/library/alp/" in l and '" 200 ' in l]
        h.check(any("/manifests/" in l for l in pulls) and any("/blobs/" in l for l in pulls),
                "the registry served the manifest and the blobs (%d authorised GETs)" % len(pulls))

        other = harbor_token(tport, "library/other")
        for label, auth in (("a token for another repository", "Bearer " + other),
                            ("a garbage token", "Bearer not.a.jwt")):
            st, hd, data = scan(srv, port, digest, auth)
            doc = json.loads(data) if data else {}
            msg = json.dumps(doc)
            h.check(st == 500 and (hd or {}).get("content-type") == h.MIME_ERROR,
                    "%s: the scan fails, 500 with the error type (got %s %s)" %
                    (label, st, msg[:300]))
            h.check("authentication to 127.0.0.1:%d failed" % port in msg and "refused" in msg,
                    "%s: the error says the registry refused it: %s" % (label, msg[:300]))
            h.check(auth.split()[1] not in msg, "%s: the token is not in the error" % label)
        srv.stop()
        h.check(other not in srv.logs() and token not in srv.logs(),
                "no token in the server log")
        srv = None
    finally:
        if srv:
            srv.stop()
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    h.finish("test_server_harbor_bearer")


if __name__ == "__main__":
    main()
