#!/usr/bin/env python3
"""flaky_proxy.py: an HTTP reverse proxy for bosun's registry tests (python3 stdlib).

Forwards every request to --upstream (host:port, plain HTTP) and logs one line per request:
"METHOD PATH STATUS". Faults, for testing the client's retries and checks:
  --fail N             the first N requests get --fail-status (default 503) without reaching
                       the upstream; the first of them carries "Retry-After: --retry-after"
  --corrupt DIGEST     a GET of /v2/.../blobs/DIGEST gets its body with one byte flipped
  --redirect-blobs     blob GETs are answered 307 to the same path on --redirect-to (another
                       host:port), as registries that keep blobs in object storage do; the log
                       records whether the request carried an Authorization header
  --cut-after N        the first blob GET whose body is longer than N bytes gets its headers
                       (full Content-Length) and N bytes, then the connection is closed
  --ignore-range       Range request headers are not forwarded (the upstream answers 200 with
                       the whole blob); the log line ends in "range" when one was dropped
  --delay-ms N         blob GETs wait N ms before they are forwarded (tokens outlive nothing)
  --manifest FILE:TYPE every manifest GET is answered with FILE's bytes as Content-Type TYPE
                       (a schema 1 manifest, which docker-registry no longer accepts)
The chosen port (127.0.0.1) is written to --port-file once listening.
"""

import argparse
import http.client
import http.server
import os
import sys
import threading
import time

HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
       "trailers", "transfer-encoding", "upgrade"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--fail-status", type=int, default=503)
    ap.add_argument("--retry-after", default="1")
    ap.add_argument("--corrupt")
    ap.add_argument("--redirect-to")
    ap.add_argument("--cut-after", type=int)
    ap.add_argument("--ignore-range", action="store_true")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--manifest")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    lock = threading.Lock()
    state = {"failed": 0, "cut": False}

    def log(line):
        with lock, open(a.log, "a") as f:
            f.write(line + "\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, headers, body):
            self.send_response(status)
            for k, v in headers:
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            with lock:
                fail = state["failed"] < a.fail
                first = state["failed"] == 0
                if fail:
                    state["failed"] += 1
            auth = "auth" if self.headers.get("Authorization") else "noauth"
            if fail:
                log(f"{self.command} {self.path} {a.fail_status}")
                hdrs = [("Retry-After", a.retry_after)] if first else []
                self.reply(a.fail_status, hdrs, b"try again later\n")
                return
            if a.redirect_to and "/blobs/" in self.path and self.command == "GET":
                log(f"{self.command} {self.path} 307 {auth}")
                self.reply(307, [("Location", f"http://{a.redirect_to}{self.path}")], b"")
                return
            if a.manifest and "/manifests/" in self.path:
                path, _, ctype = a.manifest.partition(":")
                with open(path, "rb") as f:
                    data = f.read()
                log(f"{self.command} {self.path} 200 {auth}")
                self.reply(200, [("Content-Type", ctype)], data)
                return
            if a.delay_ms and "/blobs/" in self.path and self.command == "GET":
                time.sleep(a.delay_ms / 1000)
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            conn = http.client.HTTPConnection(a.upstream, timeout=60)
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() not in HOP and k.lower() != "host"}
            if self.headers.get("Range"):
                auth += " range"
                if a.ignore_range:
                    hdrs = {k: v for k, v in hdrs.items() if k.lower() != "range"}
            conn.request(self.command, self.path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            conn.close()
            if (a.corrupt and self.command == "GET" and self.path.endswith("/blobs/" + a.corrupt)
                    and data):
                b = bytearray(data)
                b[len(b) // 2] ^= 0x01
                data = bytes(b)
            if (a.cut_after is not None and "/blobs/" in self.path and self.command == "GET"
                    and len(data) > a.cut_after):
                with lock:
                    cut = not state["cut"]
                    state["cut"] = True
                if cut:
                    log(f"{self.command} {self.path} {r.status} {auth} cut")
                    self.send_response(r.status)
                    for k, v in r.getheaders():
                        if k.lower() not in HOP and k.lower() != "content-length":
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[:a.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
            log(f"{self.command} {self.path} {r.status} {auth}")
            self.reply(r.status, r.getheaders(), data)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
