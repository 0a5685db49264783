#!/usr/bin/env python3
"""registry_token_server.py: a minimal Docker Registry v2 token server for bosun's tests
(python3 stdlib + the openssl CLI for RS256 signatures).

Implements https://distribution.github.io/distribution/spec/auth/token/ as far as Debian's
docker-registry (distribution 2.8) checks it: GET /token?service=S&scope=repository:NAME:pull
with optional Basic credentials answers {"token", "access_token", "expires_in", "issued_at"};
the token is a JWT (RS256) whose header carries the signing certificate in "x5c", so the
registry verifies it against its auth.token.rootcertbundle (the same self-signed certificate).

With --refresh-token RT it also implements the OAuth2 form of the same endpoint
(https://distribution.github.io/distribution/spec/auth/oauth/), as registries that hand out
identity tokens (Azure's "az acr login", `docker login` against an OAuth2 token server) do:
POST /token, application/x-www-form-urlencoded, grant_type=refresh_token, refresh_token,
service, scope, client_id; answered {"access_token", "expires_in", "scope"}.

Usage:
  registry_token_server.py --key KEY.pem --cert CERT.pem --issuer ISS --service SVC
                           [--user U --password P] [--refresh-token RT] [--expires-in N]
                           --port-file F --log F
The chosen port (bound on 127.0.0.1) is written to --port-file once listening. Each request is
logged as one line: "token user=<name|anonymous|rejected> service=S scope=SCOPE" for GET,
"token grant=<refresh_token|rejected> client_id=C service=S scope=SCOPE" for POST; secrets are
never logged. Wrong credentials get 401; anonymous requests are allowed only without --user.
"""

import argparse
import base64
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--refresh-token")
    ap.add_argument("--expires-in", type=int, default=300)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()

    der = subprocess.run(["openssl", "x509", "-in", a.cert, "-outform", "DER"],
                         capture_output=True, check=True).stdout
    x5c = base64.b64encode(der).decode()
    lock = threading.Lock()

    def sign(payload):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(payload).encode())).encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key], input=signing_input,
                             capture_output=True, check=True).stdout
        return signing_input.decode() + "." + b64url(sig)

    def log(line):
        with lock, open(a.log, "a") as f:
            f.write(line + "\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query)
            service = q.get("service", [""])[0]
            scopes = q.get("scope", [])
            user = "anonymous"
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                except Exception:
                    user, pw = "", ""
                if a.user is not None and (user != a.user or pw != a.password):
                    user = "rejected"
            elif a.user is not None:
                user = "rejected"
            log(f"token user={user} service={service} scope={' '.join(scopes)}")
            if u.path != "/token" or user == "rejected":
                body = json.dumps({"errors": [{"code": "UNAUTHORIZED"}]}).encode()
                self.send_response(401 if user == "rejected" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.issue(user, service, scopes, {"token": None})

        def issue(self, sub, service, scopes, shape):
            access = []
            for s in scopes:
                parts = s.split(":")
                if len(parts) >= 3 and parts[0] == "repository":
                    access.append({"type": "repository", "name": ":".join(parts[1:-1]),
                                   "actions": parts[-1].split(",")})
            now = int(time.time())
            payload = {"iss": a.issuer, "sub": sub, "aud": service, "exp": now + a.expires_in,
                       "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(),
                       "access": access}
            tok = sign(payload)
            doc = {"access_token": tok, "expires_in": a.expires_in}
            if "token" in shape:
                doc["token"] = tok
                doc["issued_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
            else:
                doc["scope"] = " ".join(scopes)
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
            get = lambda k: form.get(k, [""])[0]
            ok = (urllib.parse.urlsplit(self.path).path == "/token" and a.refresh_token and
                  self.headers.get("Content-Type", "").startswith(
                      "application/x-www-form-urlencoded") and
                  get("grant_type") == "refresh_token" and
                  get("refresh_token") == a.refresh_token)
            scopes = get("scope").split() if get("scope") else []
            log(f"token grant={'refresh_token' if ok else 'rejected'} "
                f"client_id={get('client_id')} service={get('service')} scope={' '.join(scopes)}")
            if not ok:
                body = json.dumps({"error": "invalid_grant"}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.issue("refresh", get("service"), scopes, {})

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
