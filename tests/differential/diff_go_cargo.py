"""Differential test of the golang and cargo schemes against the real implementations, built
offline from Debian packages: golang.org/x/mod/semver (golang-golang-x-mod-dev, go/main.go)
and the semver crate Cargo uses (librust-semver-dev, cargo/src/main.rs), for orderings,
validity and Cargo requirements.

usage: diff_go_cargo.py WORKDIR
Skips a toolchain (a SKIP line) only when go or cargo, or the Debian source package, is not
installed. Seeded; exit 1 on any disagreement. Intended difference kept out of the
generator: the semver crate orders build metadata ("1.0.0+a" < "1.0.0+b"), bosun ignores it
(version_cargo.c)."""
import os
import random
import shutil
import subprocess
import sys

import gen_common as g

HERE = os.path.dirname(os.path.abspath(__file__))
GOPATH = "/usr/share/gocode"
CRATES = "/usr/share/cargo/registry"


def run_ref(binary, pairs, args=()):
    data = "".join(f"{a}\t{b}\n" for a, b in pairs).encode()
    out = subprocess.run([binary, *args], input=data, capture_output=True, check=True).stdout
    return out.decode().split("\n")[: len(pairs)]


def build_go(work):
    if not shutil.which("go") or not os.path.isdir(f"{GOPATH}/src/golang.org/x/mod/semver"):
        return None
    out = os.path.join(work, "goref")
    env = dict(os.environ, GO111MODULE="off", GOPATH=GOPATH, GOFLAGS="",
               GOCACHE=os.path.join(work, "gocache"))
    subprocess.run(["go", "build", "-o", out, os.path.join(HERE, "go", "main.go")], env=env,
                   check=True, cwd=work)
    return out


def build_cargo(work):
    cargo = shutil.which("cargo") or os.path.expanduser("~/.cargo/bin/cargo")
    if not os.path.exists(cargo) or not any(d.startswith("semver-") for d in os.listdir(CRATES)
                                            if os.path.isdir(CRATES)):
        return None
    proj = os.path.join(work, "cargo")
    shutil.copytree(os.path.join(HERE, "cargo"), proj)
    os.makedirs(os.path.join(proj, ".cargo"))
    with open(os.path.join(proj, ".cargo", "config.toml"), "w") as f:
        f.write('[source.crates-io]\nreplace-with = "debian"\n'
                f'[source.debian]\ndirectory = "{CRATES}"\n[net]\noffline = true\n')
    env = dict(os.environ, CARGO_HOME=os.path.join(work, "cargo-home"),
               CARGO_TARGET_DIR=os.path.join(work, "cargo-target"))
    subprocess.run([cargo, "build", "--release", "-q"], cwd=proj, env=env, check=True)
    return os.path.join(work, "cargo-target", "release", "bsn-semver-ref")


NUMS = ["0", "1", "2", "3", "10", "123", "01", "00", "99999999999999999999"]
PRE = ["alpha", "beta", "rc", "0", "1", "2", "10", "01", "x-y", "-", "a1", "1a", "RC",
       "0.20191109021931-daa7c04131f5", "20191109021931-daa7c04131f5"]


def num(rng):
    return rng.choice(NUMS[:6]) if rng.random() < 0.9 else rng.choice(NUMS)


def go_make(rng):
    parts = rng.choice([1, 2, 3, 3, 3, 3])
    v = ".".join(num(rng) for _ in range(parts))
    if parts == 3 or rng.random() < 0.1:
        if rng.random() < 0.4:
            v += "-" + ".".join(rng.choice(PRE) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.15:
            v += "+" + rng.choice(["incompatible", "meta", "b.1", "01"])
    if rng.random() < 0.85:
        v = "v" + v
    if rng.random() < 0.03:
        v = rng.choice(["", "v", "v1.2.3.4", "go1.21", "v1..2", "v1.2.3-", "v1.2.3+", "V1.2.3"])
    return v


def cargo_make(rng):
    v = ".".join(num(rng) for _ in range(3))
    if rng.random() < 0.4:
        v += "-" + ".".join(rng.choice(PRE) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.03:
        v = rng.choice(["1.2", "v1.2.3", "1.2.3.4", "1.2.3-", " 1.2.3", "x"])
    return v


def mutate(rng, v):
    k = rng.random()
    if k < 0.3 and len(v) > 1:
        i = rng.randrange(len(v))
        return v[:i] + rng.choice("019.-+ax") + v[i + 1:]
    if k < 0.5:
        return v + rng.choice([".0", "-1", "-alpha", ".1", "0"])
    if k < 0.7:
        return v.replace("1", "01", 1)
    return v[:-1] or v


def req_make(rng):
    def partial():
        n = rng.randint(1, 3)
        v = ".".join(rng.choice(["0", "1", "2", "3"]) for _ in range(n))
        if n == 3 and rng.random() < 0.2:
            v += "-" + rng.choice(["alpha", "beta.1", "0", "rc.2"])
        if rng.random() < 0.1:
            v = ".".join(v.split(".")[: rng.randint(1, 2)]) + ".*"
        return v
    comps = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["", "", "=", ">", ">=", "<", "<=", "~", "^", "^"])
        comps.append(op + rng.choice(["", "", " "]) * bool(op) + partial())
    if rng.random() < 0.03:
        comps = ["*"]
    return ", ".join(comps)


def req_version(rng):
    v = ".".join(rng.choice(["0", "1", "2", "3", "4"]) for _ in range(3))
    if rng.random() < 0.3:
        v += "-" + rng.choice(["alpha", "beta.1", "0", "rc.2", "alpha.0"])
    return v


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    os.makedirs(work, exist_ok=True)
    ok = True
    go = build_go(work)
    if go:
        rng = random.Random(1019)
        pairs = g.pairs_from_pool(rng, go_make, mutate, g.N_PAIRS)
        ok = g.report("golang (golang.org/x/mod/semver)", pairs, g.run_batch("golang", pairs),
                      run_ref(go, pairs)) and ok
    else:
        print("SKIP: golang differential: go or golang-golang-x-mod-dev not installed")
    cargo = build_cargo(work)
    if cargo:
        rng = random.Random(2015)
        pairs = g.pairs_from_pool(rng, cargo_make, mutate, g.N_PAIRS)
        ok = g.report("cargo (semver crate Version)", pairs, g.run_batch("cargo", pairs),
                      run_ref(cargo, pairs)) and ok
        reqs = [(req_version(rng), req_make(rng)) for _ in range(g.N_PAIRS)]
        ok = g.report("cargo requirements (semver crate VersionReq)", reqs,
                      g.run_batch("cargo", reqs, in_mode=True),
                      run_ref(cargo, reqs, ["req"])) and ok
    else:
        print("SKIP: cargo differential: cargo or librust-semver-dev not installed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
