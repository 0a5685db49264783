#!/usr/bin/env python3
"""A feed mirror for the 'db update' tests: serves DIR on 127.0.0.1 (port 0 = any; the port is
printed on the first stdout line) with ETag/Last-Modified and 304s like the upstream hosts,
and OSV's "x-goog-hash: md5=" header on .zip files. Fault injection: the first line of
DIR/.mode selects how feed files are served:
  normal    as above
  badmd5    x-goog-hash does not match the body
  truncate  Content-Length of the whole file, connection closed after half of it
  error500  HTTP 500
  stall     headers and half the body, then a long sleep (for kill -9 tests)
Each request is appended to DIR/.log as "METHOD PATH STATUS".
"""
import base64
import hashlib
import http.server
import os
import socketserver
import sys
import time

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        with open(os.path.join(ROOT, ".log"), "a") as f:
            f.write(f"{self.command} {self.path} {status}\n")

    def do_GET(self):
        try:
            mode = open(os.path.join(ROOT, ".mode")).read().split()[0]
        except (OSError, IndexError):
            mode = "normal"
        rel = self.path.split("?")[0].lstrip("/")
        path = os.path.realpath(os.path.join(ROOT, rel))
        if not path.startswith(os.path.realpath(ROOT)) or not os.path.isfile(path) or \
                os.path.basename(path).startswith("."):
            self.note(404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(path, "rb").read()
        is_listing = rel.endswith("listing.json") or rel.endswith(".db")
        if mode == "error500" and not is_listing:
            self.note(500)
            body = b"internal error"
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        lm = self.date_time_string(int(os.stat(path).st_mtime))
        if self.headers.get("If-None-Match") == etag:
            self.note(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.note(200)
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", lm)
        self.send_header("Content-Length", str(len(data)))
        if rel.endswith(".zip"):
            md5 = hashlib.md5(data if mode != "badmd5" else data + b"x").digest()
            self.send_header("x-goog-hash", "crc32c=AAAAAA==")
            self.send_header("x-goog-hash", "md5=" + base64.b64encode(md5).decode())
        self.end_headers()
        if mode in ("truncate", "stall") and not is_listing:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            if mode == "stall":
                time.sleep(120)
            self.close_connection = True
            return
        self.wfile.write(data)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that give up mid-transfer (the point of several tests)


srv = Server(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
