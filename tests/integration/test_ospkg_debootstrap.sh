#!/bin/bash
# dpkg inventory end to end on a real Debian: `debootstrap --variant=minbase bookworm DIR`
# (from Debian's mirror), then `bosun rootfs DIR --scanners none -f json` must list exactly
# what `dpkg-query --admindir=DIR/var/lib/dpkg -W -f '${Package} ${Version}\n'` prints, with
# the OS identified as debian 12.x.
#
# The rootfs takes a minute or two to make: it is cached under ${BSN_BUILD}/cache/ (a
# tarball, reused while it exists). Needs root (or fakeroot) for debootstrap; skips with a
# clear message only when debootstrap is missing or the mirror is unreachable.
set -euo pipefail

: "${BOSUN:?BOSUN must name the bosun binary}"
: "${BSN_BUILD:?BSN_BUILD must name the build directory}"
MIRROR=${BSN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache="$BSN_BUILD/cache"
tarball="$cache/debootstrap-bookworm-minbase.tar"

work=$(mktemp -d /tmp/bsn-ospkg-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$cache" "$root"

if [ ! -s "$tarball" ]; then
    if ! command -v debootstrap >/dev/null; then
        echo "SKIP: debootstrap is not installed"
        exit 0
    fi
    if ! curl -fsS -o /dev/null --max-time 20 "$MIRROR/dists/bookworm/Release"; then
        echo "SKIP: Debian mirror $MIRROR is unreachable"
        exit 0
    fi
    wrap=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v fakeroot >/dev/null || ! command -v fakechroot >/dev/null; then
            echo "SKIP: debootstrap needs root, or fakeroot and fakechroot"
            exit 0
        fi
        wrap=(fakechroot fakeroot)
    fi
    variant=minbase
    [ ${#wrap[@]} -eq 0 ] || variant=fakechroot
    "${wrap[@]}" debootstrap --variant="$variant" bookworm "$work/boot" "$MIRROR" \
        >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
    # Device nodes and the like are not needed: keep regular files, links and directories.
    tar -C "$work/boot" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
        --exclude='./var/cache/apt/archives/*.deb' \
        -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$work/boot"
fi
tar -C "$root" -xf "$tarball" 2>/dev/null || tar -C "$root" -xf "$tarball" --no-same-owner

dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Package} ${Version}\n' | sort >"$work/want"
test "$(wc -l <"$work/want")" -gt 50

"$BOSUN" rootfs --scanners none -f json "$root" >"$work/report.json"

python3 - "$work/report.json" "$work/want" <<'EOF'
import json, sys, urllib.parse
report = json.load(open(sys.argv[1]))
want = sorted(tuple(l.split()) for l in open(sys.argv[2]) if l.strip())
got = sorted((p["name"], p["version"]) for p in report["packages"] if p["type"] == "deb")
if got != want:
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    sys.exit("deb packages differ: missing %s, extra %s" % (missing[:20], extra[:20]))
os_ = report.get("os") or {}
if os_.get("family") != "debian" or not str(os_.get("version", "")).startswith("12"):
    sys.exit("os is %s, expected debian 12.x" % os_)
for p in report["packages"]:
    if p["type"] == "deb":
        purl = p.get("purl") or ""
        name = urllib.parse.quote(p["name"], safe="")
        if not purl.startswith("pkg:deb/debian/%s@" % name) or \
                "distro=debian-" + os_["version"] not in purl:
            sys.exit("%s: purl %s" % (p["name"], purl))
        if not p.get("source_name"):
            sys.exit("%s: no source_name" % p["name"])
licensed = sum(1 for p in report["packages"] if p.get("licenses"))
if licensed < len(got) // 2:
    sys.exit("only %d of %d packages have licenses from their copyright files"
             % (licensed, len(got)))
print("ok: %d deb packages match dpkg-query, %d with licenses" % (len(got), licensed))
EOF
