#!/bin/bash
# dpkg inventory end to end on a real Debian: `debootstrap --variant=minbase bookworm DIR`
# (from Debian's mirror), then `bosun rootfs DIR --scanners none -f json` must list exactly
# what `dpkg-query --admindir=DIR/var/lib/dpkg -W -f '${Package} ${Version}\n'` prints, with
# the OS identified as debian 12.x.
#
# The rootfs takes a minute or two to make: tests/tools/debootstrap-cached.sh makes it once
# per checkout and every test reuses it; skips with a clear message only when debootstrap
# cannot run here or the mirror is unreachable.
set -euo pipefail

: "${BOSUN:?BOSUN must name the bosun binary}"
: "${BSN_BUILD:?BSN_BUILD must name the build directory}"
work=$(mktemp -d /tmp/bsn-ospkg-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
# One debootstrap per checkout, shared with the other tests (tests/tools/debootstrap-cached.sh).
set +e
root=$(bash "${BSN_SRC:-.}/tests/tools/debootstrap-cached.sh")
rc=$?
set -e
if [ $rc -eq 77 ]; then
    echo "SKIP: debootstrap unavailable here"
    exit 0
fi
[ $rc -eq 0 ]

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
