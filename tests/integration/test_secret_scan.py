#!/usr/bin/env python3
"""Secret scanning end to end (issue 9): one real-format, fake-valued secret per rule family
planted in files of an image built here, each found with the right rule and line number and a
redacted match; a secret in a file deleted by a later layer still reported, marked deleted;
none in a corpus of look-alikes (vendors' example keys, lockfile hashes, base64 blobs, UUIDs,
placeholders); user rules and allow rules from --secret-config; bounded memory on a 200 MiB
layer. The values below are made up: random characters in each provider's published format.
"""

import json
import os
import random
import string
import subprocess
import sys
import tempfile

BOSUN = os.environ.get("BOSUN", "build/dev/bosun")
SRC = os.environ.get("BSN_SRC", ".")
MKIMAGE = os.path.join(SRC, "tests/tools/mkimage.py")
FAILS, PASSES = [], 0
rng = random.Random(1234)


def check(cond, what):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILS.append(what)
        print("FAIL:", what)


def rnd(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


U, L, D = string.ascii_uppercase, string.ascii_lowercase, string.digits
B62 = U + L + D
HEX = "0123456789abcdef"

# rule id -> a line holding a fake secret of that format
PLANTS = {
    "aws-access-key-id": "aws_access_key_id = AKIA" + rnd(U + D, 16),
    "aws-secret-access-key": "aws_secret_access_key = " + rnd(B62 + "/+", 40),
    "gcp-service-account": '{"type": "service_account", "project_id": "demo-proj"}',
    "gcp-api-key": "maps_key: AIza" + rnd(B62 + "_-", 35),
    "azure-storage-account-key": "DefaultEndpointsProtocol=https;AccountName=x;AccountKey="
                                 + rnd(B62 + "+/", 86) + "==",
    "digitalocean-token": "DO_TOKEN=dop_v1_" + rnd(HEX, 64),
    "github-pat": "token ghp_" + rnd(B62, 36),
    "github-fine-grained-pat": "GH=github_pat_" + rnd(B62 + "_", 82),
    "gitlab-pat": "GITLAB=glpat-" + rnd(B62 + "_-", 20),
    "slack-bot-token": "slack: xoxb-" + rnd(D, 12) + "-" + rnd(D, 12) + "-" + rnd(B62, 24),
    "slack-webhook": "hook https://hooks.slack.com/services/T" + rnd(U + D, 8) + "/B"
                     + rnd(U + D, 10) + "/" + rnd(B62, 24),
    "stripe-secret-key": "STRIPE=sk_live_" + rnd(B62, 32),
    "twilio-api-key": "TWILIO_KEY=SK" + rnd(HEX, 32),
    "sendgrid-api-key": "SENDGRID=SG." + rnd(B62 + "_-", 22) + "." + rnd(B62 + "_-", 43),
    "npm-access-token": "//registry.npmjs.org/:_authToken=npm_" + rnd(B62, 36),
    "pypi-upload-token": "password = pypi-AgEIcHlwaS5vcmc" + rnd(B62 + "_-", 60),
    "dockerhub-pat": "DOCKER=dckr_pat_" + rnd(B62 + "_-", 27),
    "openai-api-key": "OPENAI=sk-" + rnd(B62, 20) + "T3BlbkFJ" + rnd(B62, 20),
    "private-key": "-----BEGIN RSA PRIVATE KEY-----\n" + rnd(B62 + "+/", 64) + "\n-----END RSA PRIVATE KEY-----",
    "openssh-private-key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE" + rnd(B62 + "+/", 50),
    "jwt": "auth=eyJ" + rnd(B62, 30) + ".eyJ" + rnd(B62, 40) + "." + rnd(B62 + "_-", 43),
    "database-url-password": "DATABASE_URL=postgres://app:" + rnd(B62, 14) + "@db.internal:5432/app",
    "generic-password": "db_password = '" + rnd(B62 + "!#%", 18) + "'",
    "hashicorp-vault-token": "VAULT_TOKEN=hvs." + rnd(B62 + "_-", 95),
    "age-secret-key": "AGE-SECRET-KEY-1" + rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
}

LOOKALIKES = """\
# vendors' documented example keys
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
# placeholders
password = changeme
password = ${DB_PASSWORD}
api_key = <your-api-key-here>
token: xxxxxxxxxxxxxxxxxxxxxxxx
# hashes and ids that are not secrets
commit 3f786850e387550fdab836ed7e6dc881de23001b
sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
uuid = 123e4567-e89b-12d3-a456-426614174000
password_min_length = 12
tokenizer = wordpiece
"""

LOCKFILE = json.dumps({"name": "x", "lockfileVersion": 3, "packages": {
    "node_modules/a": {"version": "1.0.0", "integrity":
                       "sha512-" + rnd(B62 + "+/", 86) + "==",
                       "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz"}}})


def mkimage(path, spec):
    p = subprocess.run([sys.executable, MKIMAGE, "-o", path, "--spec", "-"],
                       input=json.dumps(spec), capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("mkimage: " + p.stderr)
    return json.loads(p.stdout)


def scan(target, *extra):
    p = subprocess.run([BOSUN, "image", "--scanners", "secret", "--no-cache", "-q", "-f", "json",
                        *extra, target], capture_output=True, text=True)
    check(p.returncode == 0, f"scan exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout) if p.returncode == 0 else {"secrets": []}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        # one file per rule; the secret sits on a known line after some filler
        entries, where = [], {}
        for i, (rule, line) in enumerate(sorted(PLANTS.items())):
            filler = "".join(f"# filler line {k}\n" for k in range(i % 5))
            path = f"app/conf/{rule}.conf"
            entries.append({"path": path, "content": filler + line + "\nend = 1\n"})
            where[path] = (rule, (i % 5) + 1)
        entries.append({"path": "app/lookalike.env", "content": LOOKALIKES})
        entries.append({"path": "app/package-lock.json", "content": LOCKFILE})
        entries.append({"path": "app/blob.b64", "content": "\n".join(
            rnd(B62 + "+/", 76) for _ in range(200)) + "\n"})
        entries.append({"path": "app/secret-later-deleted.txt",
                        "content": "x\nGITLAB=glpat-" + rnd(B62, 20) + "\n"})
        img = os.path.join(tmp, "secrets.tar")
        mkimage(img, {"format": "oci-archive", "layers": [
            {"compression": "gzip", "entries": entries},
            {"compression": "gzip", "entries": [
                {"path": "app/secret-later-deleted.txt", "type": "whiteout"}]}]})
        rep = scan(img)
        got = {}
        for s in rep["secrets"]:
            got.setdefault(s["path"], []).append(s)
        for path, (rule, line) in where.items():
            found = [s for s in got.get(path, []) if s["rule_id"] == rule]
            check(len(found) >= 1, f"{rule}: found in {path} (got {got.get(path)})")
            if found:
                check(found[0]["line"] == line, f"{rule}: line {found[0]['line']} != {line}")
                secret = PLANTS[rule].split("=")[-1].strip().strip("'")
                check(secret[6:-6] not in found[0]["match"] or len(secret) < 16,
                      f"{rule}: match is redacted ({found[0]['match']})")
        for path in ("app/lookalike.env", "app/package-lock.json", "app/blob.b64"):
            check(path not in got, f"no finding in look-alikes {path}: {got.get(path)}")
        dele = got.get("app/secret-later-deleted.txt", [])
        check(len(dele) == 1 and dele[0].get("deleted") is True and dele[0]["line"] == 2,
              f"secret in a deleted file reported as deleted: {dele}")
        check(len(PLANTS) >= 25, "at least 25 rule families planted")

        # --secret-config: a user rule, an allow rule, a disabled rule
        cfg = os.path.join(tmp, "secrets.yaml")
        with open(cfg, "w") as f:
            f.write("rules:\n  - id: acme-token\n    title: ACME internal token\n"
                    "    severity: LOW\n    regex: 'acme_[a-z0-9]{24}'\n"
                    "allow-rules:\n  - id: allow-github-in-conf\n    path: 'github-pat\\.conf$'\n"
                    "disable-rules: [jwt]\n")
        img2 = os.path.join(tmp, "user.tar")
        mkimage(img2, {"format": "docker-archive", "layers": [{"entries": [
            {"path": "etc/acme", "content": "line1\nTOKEN acme_" + rnd(L + D, 24) + "\n"}]}]})
        rep2 = scan(img2, "--secret-config", cfg)
        check([(s["rule_id"], s["line"], s["severity"]) for s in rep2["secrets"]] ==
              [("acme-token", 2, "LOW")], f"user rule: {rep2['secrets']}")
        rep3 = scan(img, "--secret-config", cfg)
        ids = {s["rule_id"] for s in rep3["secrets"]}
        check("github-pat" not in ids and "jwt" not in ids and "aws-access-key-id" in ids,
              f"allow rule and disabled rule honoured: {sorted(ids)}")

        # bounded memory: a 200 MiB layer of text is scanned under 64 MiB peak RSS
        big = os.path.join(tmp, "big.tar")
        mkimage(big, {"format": "oci-archive", "layers": [{"compression": "gzip", "entries": [
            {"path": f"data/f{i}.txt", "size": 50 * 1024 * 1024, "byte": "a"} for i in range(4)
        ] + [{"path": "data/key.txt", "content": "k=ghp_" + rnd(B62, 36) + "\n"}]}]})
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.execv(BOSUN, [BOSUN, "image", "--scanners", "secret", "--no-cache", "-q", "-f",
                             "json", big])
        _, st, ru = os.wait4(pid, 0)
        print(f"peak RSS for a 200 MiB layer with secret scanning: {ru.ru_maxrss} KiB")
        check(os.waitstatus_to_exitcode(st) == 0 and ru.ru_maxrss < 64 * 1024,
              f"peak RSS {ru.ru_maxrss} KiB < 64 MiB")

    print(f"{PASSES} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
