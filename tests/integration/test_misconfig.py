#!/usr/bin/env python3
"""Misconfiguration checks (issue 9): images built here with each bad practice (root user,
secrets in ENV and build args, ADD of a URL, unpinned base label, no HEALTHCHECK, sudo,
curl | sh, a world-writable file in PATH, a setuid binary the image added) report exactly the
expected check ids; a clean image reports none; a setuid binary that a dpkg package owns is
the distribution's and is not reported; `bosun config` checks Dockerfiles with line numbers
and exit codes."""

import json
import os
import subprocess
import sys
import tempfile

BOSUN = os.environ.get("BOSUN", "build/dev/bosun")
SRC = os.environ.get("BSN_SRC", ".")
MKIMAGE = os.path.join(SRC, "tests/tools/mkimage.py")
FAILS, PASSES = [], 0


def check(cond, what):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILS.append(what)
        print("FAIL:", what)


def mkimage(path, spec):
    p = subprocess.run([sys.executable, MKIMAGE, "-o", path, "--spec", "-"],
                       input=json.dumps(spec), capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("mkimage: " + p.stderr)


def scan(target):
    p = subprocess.run([BOSUN, "image", "--scanners", "misconfig", "--no-cache", "-q", "-f",
                        "json", target], capture_output=True, text=True)
    check(p.returncode == 0, f"scan {target}: {p.returncode} {p.stderr.strip()}")
    return json.loads(p.stdout)["misconfigurations"] if p.returncode == 0 else []


STATUS = ("Package: login\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:4.13\n"
          "Description: x\n")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.tar")
        mkimage(bad, {"format": "docker-archive", "images": [{
            "config": {"Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2hunter2",
                               "TOKEN_FILE=/run/secrets/token"],
                       "Labels": {"org.opencontainers.image.base.name": "docker.io/debian:latest"}},
            "history_extra": [],
            "layers": [
                {"created_by": "ADD https://example.com/tool.tgz /opt/ # buildkit",
                 "entries": [{"path": "opt/tool", "content": "x"}]},
                {"created_by": "RUN |1 GITHUB_TOKEN=ghp_abc123abc123 /bin/sh -c curl -fsSL "
                               "https://get.example.com | sh",
                 "entries": [{"path": "usr/bin/helper", "content": "#!/bin/sh\n", "mode": 0o4755},
                             {"path": "usr/local/bin/open", "content": "x", "mode": 0o777},
                             {"path": "bin/su", "content": "x", "mode": 0o4755},
                             {"path": "var/lib/dpkg/status", "content": STATUS},
                             {"path": "var/lib/dpkg/info/login.list",
                              "content": "/bin/su\n/etc/login.defs\n"}]},
                {"created_by": "RUN /bin/sh -c sudo apt-get update",
                 "entries": [{"path": "tmp/x", "content": "x"}]},
            ]}]})
        got = scan(bad)
        ids = sorted(m["id"] for m in got)
        want = sorted(["BSN-IMG-001", "BSN-IMG-002", "BSN-IMG-003", "BSN-IMG-004", "BSN-IMG-005",
                       "BSN-IMG-006", "BSN-IMG-007", "BSN-IMG-008", "BSN-IMG-009",
                       "BSN-IMG-010"])
        check(ids == want, f"bad image checks: {ids}")
        setuid = [m for m in got if m["id"] == "BSN-IMG-010"]
        check(len(setuid) == 1 and setuid[0]["path"] == "usr/bin/helper",
              f"only the image's own setuid binary (not dpkg-owned /bin/su): {setuid}")
        ww = [m for m in got if m["id"] == "BSN-IMG-009"]
        check(len(ww) == 1 and ww[0]["path"] == "usr/local/bin/open", f"world-writable: {ww}")
        env = [m for m in got if m["id"] == "BSN-IMG-002"]
        check(len(env) == 1 and "DB_PASSWORD" in env[0]["message"] and
              "hunter2" not in json.dumps(got), f"ENV secret named, value not echoed: {env}")

        clean = os.path.join(tmp, "clean.tar")
        mkimage(clean, {"format": "oci-archive", "images": [{
            "config": {"User": "10001", "Env": ["PATH=/usr/bin", "PASSWORD_FILE=/run/pw"],
                       "Healthcheck": {"Test": ["CMD", "/app", "health"]},
                       "Labels": {"org.opencontainers.image.base.name": "debian:12.7"}},
            "layers": [{"created_by": "RUN /bin/sh -c apt-get install -y curl",
                        "entries": [{"path": "app", "content": "x", "mode": 0o755}]}]}]})
        got = scan(clean)
        check(got == [], f"clean image: no findings, got {[m['id'] for m in got]}")

        # Dockerfiles
        df = os.path.join(tmp, "proj", "Dockerfile")
        os.makedirs(os.path.dirname(df))
        with open(df, "w") as f:
            f.write("# escape=\\\n"                              # 1
                    "FROM golang:1.22 AS build\n"                 # 2
                    "RUN go build -o /out .\n"                    # 3
                    "\n"                                          # 4
                    "FROM alpine\n"                               # 5
                    "ARG NPM_TOKEN\n"                             # 6
                    "ENV API_KEY=abcd1234efgh5678 \\\n"           # 7
                    "    MODE=prod\n"                             # 8
                    "# a comment\n"                               # 9
                    "ADD https://example.com/x.tgz /x\n"          # 10
                    "RUN apk add curl && \\\n"                    # 11
                    "    # inside\n"                              # 12
                    "    wget -qO- https://x.sh | sh\n"           # 13
                    "COPY --from=build /out /out\n")              # 14
        good = os.path.join(tmp, "proj", "svc", "Containerfile")
        os.makedirs(os.path.dirname(good))
        with open(good, "w") as f:
            f.write("FROM debian:12.7@sha256:" + "a" * 64 + "\nUSER 10001\n"
                    "HEALTHCHECK CMD [\"/app\", \"health\"]\nENV PASSWORD_FILE=/run/pw\n")
        p = subprocess.run([BOSUN, "config", "-f", "json", os.path.join(tmp, "proj")],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"bosun config: {p.returncode} {p.stderr}")
        found = sorted((m["id"], m["line"], m["path"]) for m in
                       json.loads(p.stdout)["misconfigurations"]) if p.returncode == 0 else []
        want = sorted([("BSN-IMG-005", 5, "Dockerfile"), ("BSN-IMG-003", 6, "Dockerfile"),
                       ("BSN-IMG-002", 7, "Dockerfile"), ("BSN-IMG-004", 10, "Dockerfile"),
                       ("BSN-IMG-008", 11, "Dockerfile"), ("BSN-IMG-001", 5, "Dockerfile"),
                       ("BSN-IMG-006", 5, "Dockerfile")])
        check(found == want, f"Dockerfile findings with lines: {found}")
        p = subprocess.run([BOSUN, "config", "--exit-code", "7", "-q", df], capture_output=True,
                           text=True)
        check(p.returncode == 7, f"--exit-code when checks fail: {p.returncode}")
        p = subprocess.run([BOSUN, "config", "--exit-code", "7", "-q", good],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"clean Containerfile passes: {p.returncode} {p.stdout}")
        p = subprocess.run([BOSUN, "config", os.path.join(tmp, "missing")], capture_output=True,
                           text=True)
        check(p.returncode == 3, f"missing path -> 3: {p.returncode}")

    print(f"{PASSES} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
