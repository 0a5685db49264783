#!/usr/bin/env python3
"""'bosun server --listen': IPv4 and IPv6 addresses.

Checks: "[::1]:PORT" answers over IPv6 loopback and not over 127.0.0.1, logs "listening on
[::1]:PORT" and the client as "::1" in its request log; "[::]:PORT" answers over both ::1 and
127.0.0.1 where the system maps IPv4 into IPv6 sockets (net.ipv6.bindv6only = 0, Linux's
default; otherwise over ::1 only); "127.0.0.1:PORT" answers over IPv4 and not over ::1; an
unbracketed IPv6 address, a bad IPv6 address and a bad port exit 2 with one line naming the
address. Skipped where the machine has no IPv6 loopback.
"""
import http.client as httpc
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server_harbor_flow as h  # noqa: E402


def free_port6():
    with socket.socket(socket.AF_INET6) as s:
        s.bind(("::1", 0))
        return s.getsockname()[1]


def get(host, port, path="/healthz"):
    """Status of GET path, or None when the connection is refused."""
    try:
        c = httpc.HTTPConnection(host, port, timeout=3)
        c.request("GET", path)
        st = c.getresponse().status
        c.close()
        return st
    except OSError:
        return None


def serve(tmp, name, listen, port, probe_host):
    log = os.path.join(tmp, name + ".log")
    with open(os.path.join(tmp, "token"), "w") as fh:
        fh.write(h.TOKEN + "\n")
    out = open(log, "w")
    p = subprocess.Popen([h.BOSUN, "server", "--listen", listen, "--db", os.path.join(tmp, "none.db"),
                          "--cache-dir", os.path.join(tmp, "cache-" + name), "--token-file",
                          os.path.join(tmp, "token")], stdout=out, stderr=out)
    deadline = time.time() + 20
    while time.time() < deadline and get(probe_host, port) is None:
        if p.poll() is not None:
            raise SystemExit("server exited: " + open(log).read()[-2000:])
        time.sleep(0.05)
    return p, out, log


def stop(p, out):
    p.terminate()
    p.wait(20)
    out.close()
    h.check(p.returncode == 0, "server exits 0 on SIGTERM (got %s)" % p.returncode)


def lines(log):
    out = []
    for l in open(log):
        try:
            out.append(json.loads(l))
        except ValueError:
            pass
    return out


def main():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        print("SKIP: no IPv6 loopback")
        print("test_server_listen: 0 checks passed")
        return
    tmp = tempfile.mkdtemp(prefix="bsn-listen-")
    try:
        port = free_port6()
        p, out, log = serve(tmp, "v6", "[::1]:%d" % port, port, "::1")
        h.check(get("::1", port) == 200, "[::1]: /healthz over ::1")
        h.check(get("127.0.0.1", port) is None, "[::1]: nothing on 127.0.0.1")
        stop(p, out)
        msgs = [l.get("msg", "") for l in lines(log)]
        h.check("listening on [::1]:%d" % port in " ".join(msgs), "[::1]: logged %s" % msgs[:2])
        reqs = [l for l in lines(log) if l.get("msg") == "request"]
        h.check(reqs and all(r.get("remote") == "::1" for r in reqs),
                "[::1]: requests logged from ::1: %s" % [r.get("remote") for r in reqs])

        port = free_port6()
        p, out, log = serve(tmp, "any", "[::]:%d" % port, port, "::1")
        h.check(get("::1", port) == 200, "[::]: /healthz over ::1")
        mapped = open("/proc/sys/net/ipv6/bindv6only").read().strip() == "0"
        if mapped:
            h.check(get("127.0.0.1", port) == 200, "[::]: /healthz over 127.0.0.1 too")
        stop(p, out)

        port = h.free_port()
        p, out, log = serve(tmp, "v4", "127.0.0.1:%d" % port, port, "127.0.0.1")
        h.check(get("127.0.0.1", port) == 200, "127.0.0.1: /healthz over IPv4")
        h.check(get("::1", port) is None, "127.0.0.1: nothing on ::1")
        stop(p, out)
        reqs = [l for l in lines(log) if l.get("msg") == "request"]
        h.check(reqs and all(r.get("remote") == "127.0.0.1" for r in reqs),
                "127.0.0.1: requests logged from 127.0.0.1")

        for bad, why in (("::1:8080", "goes in brackets"), ("[fe80::zz]:8080", "not an IPv6"),
                         ("[::1]:99999", "bad port"), ("localhost", "not HOST:PORT")):
            r = subprocess.run([h.BOSUN, "server", "--listen", bad, "--db", "x", "--cache-dir",
                                os.path.join(tmp, "c"), "--token-file",
                                os.path.join(tmp, "token")], capture_output=True, text=True,
                               timeout=20)
            err = r.stderr.strip()
            h.check(r.returncode == 2 and why in err and bad in err and len(err.splitlines()) == 1,
                    "--listen %s: exit 2 with one line (%d: %s)" % (bad, r.returncode, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    h.finish("test_server_listen")


if __name__ == "__main__":
    main()
