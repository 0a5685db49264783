#!/usr/bin/env bash
# Language binaries and archives end to end through 'bosun rootfs', checked against
# independent oracles:
#   - Go: a module built here with Debian's Go (a directory replacement, a -X main.version
#     ldflag) and every Go binary the machine ships (umoci, skopeo, kubectl … when present):
#     bosun's golang packages must equal what `go version -m` prints (mod, dep/=> lines, go
#     version);
#   - Rust: a binary built here with cargo, given a cargo-auditable ".dep-v0" section by
#     objcopy (Debian 12 has no cargo-auditable): the crates of that JSON, runtime only;
#   - Java: Debian's commons-lang3 jar, loose and inside a war, against its pom.properties
#     read with Python's zipfile;
#   - the Go and Rust binaries and the jars as docker-archive layers: packages attributed to
#     the layer that added them, a jar deleted by a whiteout gone, the war's jar kept;
#   - ownership: the same jar in a rootfs whose dpkg database owns it is not a maven package;
#   - hostile files (a truncated Go binary, a zip bomb, a jar that is no zip) give
#     diagnostics and exit status 0.
# Needs golang-go, cargo, binutils, libcommons-lang3-java (scripts/install-deps).
set -euo pipefail

: "${BOSUN:?}" "${BSN_BUILD:?}"
export PATH="$PATH:$HOME/.cargo/bin"
for tool in go cargo objcopy python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/install-deps)"; exit 1; }
done
JAR=/usr/share/java/commons-lang3-3.12.0.jar
[ -f "$JAR" ] ||
  JAR=$(ls /usr/share/java/commons-lang3-*.jar 2>/dev/null | grep -v 'lang3.jar' | head -1)
[ -n "$JAR" ] && [ -f "$JAR" ] || { echo "FAIL: libcommons-lang3-java missing"; exit 1; }

W=$(mktemp -d /tmp/bsn-langbin-XXXXXX)
trap 'rm -rf "$W"' EXIT
ROOT=$W/root
mkdir -p "$ROOT/usr/local/bin" "$ROOT/usr/bin" "$ROOT/opt/app/lib" "$ROOT/srv"

# ---- Go: a module with a directory replacement and a version ldflag ----------------------
mkdir -p "$W/go/greet" "$W/go/hello"
printf 'module example.com/greet\n\ngo 1.19\n' > "$W/go/greet/go.mod"
printf 'package greet\n\nfunc Hello() string { return "hi" }\n' > "$W/go/greet/greet.go"
cat > "$W/go/hello/go.mod" <<'EOF'
module example.com/hello

go 1.19

require example.com/greet v1.0.0

replace example.com/greet => ../greet
EOF
cat > "$W/go/hello/main.go" <<'EOF'
package main

import (
	"fmt"

	"example.com/greet"
)

var version = "dev"

func main() { fmt.Println(greet.Hello(), version) }
EOF
(cd "$W/go/hello" && GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local \
   GOCACHE="$BSN_BUILD/langbin-gocache" GOPATH="$W/gopath" \
   go build -ldflags "-X main.version=1.4.2" -o "$ROOT/usr/local/bin/hello" .)
GOBINS=("$ROOT/usr/local/bin/hello")
for b in /usr/bin/umoci /usr/bin/skopeo /usr/bin/kubectl; do
  if [ -f "$b" ] && go version -m "$b" >/dev/null 2>&1; then
    cp "$b" "$ROOT/usr/bin/"
    GOBINS+=("$ROOT/usr/bin/$(basename "$b")")
  fi
done
for b in "${GOBINS[@]}"; do
  go version -m "$b" > "$b.gover" 2>/dev/null || true
done

# ---- Rust: cargo build, then a .dep-v0 section by hand -------------------------------------
(cd "$W" && cargo new --quiet --vcs none --name hello-rs rs >/dev/null 2>&1)
(cd "$W/rs" && CARGO_TARGET_DIR="$W/rs/target" cargo build --quiet --release --offline)
python3 - "$W/dep-v0.json" "$W/dep-v0.bin" <<'EOF'
import json, sys, zlib
doc = {"packages": [
    {"name": "hello-rs", "version": "0.1.0", "source": "local", "dependencies": [1, 2],
     "root": True},
    {"name": "itoa", "version": "1.0.10", "source": "crates.io"},
    {"name": "serde", "version": "1.0.195", "source": "crates.io", "dependencies": [3]},
    {"name": "serde_derive", "version": "1.0.195", "source": "crates.io"},
    {"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"}]}
text = json.dumps(doc, separators=(",", ":")).encode()
open(sys.argv[1], "wb").write(text)
open(sys.argv[2], "wb").write(zlib.compress(text, 7))
EOF
objcopy --add-section .dep-v0="$W/dep-v0.bin" "$W/rs/target/release/hello-rs" \
  "$ROOT/usr/local/bin/hello-rs"
readelf -S "$ROOT/usr/local/bin/hello-rs" | grep -q '\.dep-v0' || { echo "FAIL: objcopy"; exit 1; }

# ---- Java: the Debian jar, loose and in a war --------------------------------------------------
cp "$JAR" "$ROOT/opt/app/lib/"
python3 - "$JAR" "$ROOT/srv/app.war" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("WEB-INF/web.xml", "<web-app/>")
    z.write(sys.argv[1], "WEB-INF/lib/" + sys.argv[1].rsplit("/", 1)[1])
EOF

# ---- hostile files ---------------------------------------------------------------------------
head -c 300000 "$ROOT/usr/local/bin/hello" > "$ROOT/usr/bin/truncated"
chmod 755 "$ROOT/usr/bin/truncated"
printf 'not a zip at all\n' > "$ROOT/opt/app/lib/broken.jar"
python3 - "$ROOT/opt/app/lib/bomb.jar" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("lib/inner.jar", "w", force_zip64=True) as f:
        block = bytes(1 << 20)
        for _ in range(100):
            f.write(block)
EOF

START=$(date +%s%N)
"$BOSUN" rootfs --scanners none -f json -o "$W/out.json" "$ROOT"
END=$(date +%s%N)
echo "rootfs scan: $(( (END - START) / 1000000 )) ms for $(du -sm "$ROOT" | cut -f1) MiB"

python3 - "$W/out.json" "$ROOT" "$JAR" "$W/dep-v0.json" "${GOBINS[@]}" <<'EOF'
import json, os, sys, zipfile
out, root, jar, depjson = sys.argv[1:5]
gobins = sys.argv[5:]
doc = json.load(open(out))
pkgs = doc["packages"]
fails = []

def have(typ, path):
    return {(p["name"], p["version"]) for p in pkgs if p["type"] == typ and p["path"] == path}

# Go: the oracle is `go version -m`
for b in gobins:
    rel = os.path.relpath(b, root)
    want = set()
    lines = [l.split("\t") for l in open(b + ".gover").read().splitlines()]
    gover = lines[0][0].split(": ", 1)[1].strip() if lines and ": " in lines[0][0] else ""
    ldver = ""
    dep = None
    main = None
    for f in lines[1:]:
        f = f[1:] if f and f[0] == "" else f
        if not f:
            continue
        if f[0] == "mod":
            main = (f[1], f[2])
        elif f[0] == "dep":
            if dep:
                want.add(dep)
            dep = (f[1], f[2] if len(f) > 2 else "")
        elif f[0] == "=>" and len(f) > 2 and f[2] and f[2] != "(devel)":
            dep = (f[1], f[2])
        elif f[0] == "build" and f[1].startswith("-ldflags="):
            for tok in f[1][len("-ldflags="):].strip('"').split():
                if tok.startswith("main.version="):
                    ldver = tok.split("=", 1)[1]
    if dep:
        want.add(dep)
    if main:
        want.add((main[0], ldver if main[1] == "(devel)" else main[1]))
    want.add(("stdlib", "v" + gover[2:].split(" ")[0]))
    got = have("golang", rel)
    if got != want:
        fails.append(f"{rel}: golang packages differ from go version -m:\n"
                     f"  missing {sorted(want - got)[:10]}\n  extra {sorted(got - want)[:10]}")
    print(f"{rel}: {len(got)} golang packages (go version -m: {len(want)})")

hello = have("golang", "usr/local/bin/hello")
for need in [("example.com/hello", "1.4.2"), ("example.com/greet", "v1.0.0")]:
    if need not in hello:
        fails.append(f"hello: missing {need}")

# Rust: runtime crates of the .dep-v0 JSON
j = json.load(open(depjson))
want = {(p["name"], p["version"]) for p in j["packages"] if p.get("kind", "runtime") == "runtime"}
got = have("cargo", "usr/local/bin/hello-rs")
if got != want:
    fails.append(f"hello-rs: cargo packages {sorted(got)} != {sorted(want)}")
if any(p["type"] == "golang" and p["path"] == "usr/local/bin/hello-rs" for p in pkgs):
    fails.append("hello-rs reported as a Go binary")

# Java: pom.properties read with zipfile
z = zipfile.ZipFile(jar)
props = [n for n in z.namelist() if n.endswith("/pom.properties")]
kv = dict(l.split("=", 1) for l in z.read(props[0]).decode().splitlines()
          if "=" in l and not l.startswith("#"))
coord = (kv["groupId"].strip() + ":" + kv["artifactId"].strip(), kv["version"].strip())
base = os.path.basename(jar)
for path in ["opt/app/lib/" + base, "srv/app.war!/WEB-INF/lib/" + base]:
    if coord not in have("maven", path):
        fails.append(f"{path}: missing {coord}, got {sorted(have('maven', path))}")
    purl = [p["purl"] for p in pkgs if p["path"] == path and p["type"] == "maven"]
    g, a = coord[0].split(":")
    if purl and purl[0] != f"pkg:maven/{g}/{a}@{coord[1]}":
        fails.append(f"{path}: purl {purl[0]}")

# hostile files: diagnostics, nothing invented
diags = "\n".join(d if isinstance(d, str) else json.dumps(d) for d in doc.get("diagnostics", []))
for needle in ["broken.jar", "inner.jar"]:
    if needle not in diags:
        fails.append(f"no diagnostic naming {needle}")
if have("golang", "usr/bin/truncated"):
    fails.append("truncated Go binary reported packages")
if have("maven", "opt/app/lib/bomb.jar") or have("maven", "opt/app/lib/broken.jar"):
    fails.append("hostile jars reported packages")

if fails:
    print("FAIL:\n" + "\n".join(fails))
    sys.exit(1)
print("ok: go, rust, java packages match their oracles")
EOF

# ---- the same files as image layers: tar streams, exec bits, whiteouts, layer attribution ----
python3 - "$ROOT" "$W/image.tar" "$JAR" "$BOSUN" <<'EOF'
import hashlib, io, json, os, subprocess, sys, tarfile
root, image, jar, bosun = sys.argv[1:5]
base = os.path.basename(jar)

def layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, src in sorted(files.items()):
            data = open(src, "rb").read() if src else b""
            if src is None:
                d, b = os.path.split(path)
                path = os.path.join(d, ".wh." + b)
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o755 if src and os.access(src, os.X_OK) else 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()

layers = [
    {"usr/local/bin/hello": root + "/usr/local/bin/hello",
     "opt/app/lib/" + base: root + "/opt/app/lib/" + base},
    {"usr/local/bin/hello-rs": root + "/usr/local/bin/hello-rs",
     "srv/app.war": root + "/srv/app.war",
     "opt/app/lib/" + base: None},
]
diff_ids, names = [], []
with tarfile.open(image, "w") as out:
    for files in layers:
        blob = layer(files)
        digest = hashlib.sha256(blob).hexdigest()
        diff_ids.append("sha256:" + digest)
        names.append(digest + "/layer.tar")
        info = tarfile.TarInfo(names[-1])
        info.size = len(blob)
        out.addfile(info, io.BytesIO(blob))
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cfg = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": cfg, "RepoTags": ["langbin:test"],
                            "Layers": names}]).encode()
    for n, data in ((cfg, config), ("manifest.json", manifest)):
        info = tarfile.TarInfo(n)
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
p = subprocess.run([bosun, "image", "--scanners", "none", "-f", "json",
                    "docker-archive:" + image], capture_output=True, text=True)
if p.returncode != 0:
    sys.exit("FAIL: bosun image (%d): %s" % (p.returncode, p.stderr))
pkgs = json.loads(p.stdout)["packages"]

def at(path):
    return {(x["type"], x["name"], x["version"], x["layer"]) for x in pkgs if x["path"] == path}

fails = []
if ("golang", "example.com/greet", "v1.0.0", diff_ids[0]) not in at("usr/local/bin/hello"):
    fails.append("hello's modules not attributed to layer 1: %s" % at("usr/local/bin/hello"))
if ("cargo", "serde", "1.0.195", diff_ids[1]) not in at("usr/local/bin/hello-rs"):
    fails.append("hello-rs's crates not in layer 2: %s" % at("usr/local/bin/hello-rs"))
if at("opt/app/lib/" + base):
    fails.append("a jar deleted by layer 2 is still listed")
war = at("srv/app.war!/WEB-INF/lib/" + base)
if len(war) != 1 or next(iter(war))[3] != diff_ids[1]:
    fails.append("war's nested jar: %s" % war)
if fails:
    sys.exit("FAIL:\n" + "\n".join(fails))
print("ok: image layers: %d packages, attribution and whiteouts as expected" % len(pkgs))
EOF

# ---- ownership: a jar that dpkg installed is not a language package ----------------------------
OWN=$W/owned
mkdir -p "$OWN/var/lib/dpkg/info" "$OWN/usr/share/java"
cp "$JAR" "$OWN/usr/share/java/"
PKG=$(dpkg -S "$JAR" 2>/dev/null | cut -d: -f1 | head -1)
if [ -z "$PKG" ]; then echo "FAIL: $JAR is not owned by a Debian package here"; exit 1; fi
dpkg-query -s "$PKG" > "$OWN/var/lib/dpkg/status"
dpkg-query -L "$PKG" > "$OWN/var/lib/dpkg/info/$PKG.list"
"$BOSUN" rootfs --scanners none -f json -o "$W/owned.json" "$OWN"
python3 - "$W/owned.json" "$PKG" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
types = {(p["type"], p["name"]) for p in doc["packages"]}
if ("deb", sys.argv[2]) not in types:
    print(f"FAIL: deb {sys.argv[2]} missing: {types}"); sys.exit(1)
if any(t == "maven" for t, _ in types):
    print(f"FAIL: a dpkg-owned jar is listed as a maven package: {types}"); sys.exit(1)
print("ok: dpkg-owned jar not listed as a language package")
EOF
