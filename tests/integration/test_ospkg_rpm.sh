#!/bin/bash
# rpm inventory end to end: a root filesystem whose rpm database is made by Debian's own rpm
# 4.18 (SQLite backend) with a few packages built here by rpmbuild, scanned with
# `bosun rootfs DIR --scanners none -f json`; the packages must be exactly those
# `rpm --root DIR -qa` prints (name, VERSION-RELEASE, arch, epoch, modularity label), with the
# source rpm split.
#
# Debian's rpm keeps its database in ~/.rpmdb by default, so --dbpath /var/lib/rpm puts it where
# rpm-based distributions have it (DIR/var/lib/rpm/rpmdb.sqlite).
# Needs: BOSUN, rpm, rpmbuild, python3. Skips (exit 0 with a message) only if rpm tools are
# missing.
set -euo pipefail

: "${BOSUN:?BOSUN must name the bosun binary}"
for tool in rpm rpmbuild python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool is not installed"
        exit 0
    fi
done

work=$(mktemp -d /tmp/bsn-ospkg-rpm-XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
top="$work/rpmbuild"
mkdir -p "$root" "$top"/{SPECS,SOURCES,BUILD,RPMS,SRPMS}

# hello 2:1.0-3 with a subpackage hello-libs (same source rpm), and plain world 0.5-1.
cat >"$top/SPECS/hello.spec" <<'EOF'
Name: hello
Epoch: 2
Version: 1.0
Release: 3
Summary: bosun test package
License: MIT
BuildArch: noarch
%description
test
%package libs
Summary: bosun test subpackage
License: BSD-3-Clause
%description libs
test
%install
mkdir -p %{buildroot}/usr/share/hello %{buildroot}/usr/lib/hello
echo hi > %{buildroot}/usr/share/hello/greeting
echo lib > %{buildroot}/usr/lib/hello/lib.txt
%files
/usr/share/hello/greeting
%files libs
/usr/lib/hello/lib.txt
EOF
cat >"$top/SPECS/world.spec" <<'EOF'
Name: world
Version: 0.5
Release: 1
ModularityLabel: world:0.5:8090020230810:abcdef12
Summary: bosun test package
License: GPL-2.0-or-later
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}/usr/share/world
echo w > %{buildroot}/usr/share/world/w
%files
/usr/share/world/w
EOF
for spec in hello world; do
    rpmbuild --quiet --define "_topdir $top" -bb "$top/SPECS/$spec.spec" >/dev/null 2>&1
done

rpm --root "$root" --dbpath /var/lib/rpm --initdb
rpm --root "$root" --dbpath /var/lib/rpm -i --nodeps --noscripts --nosignature \
    "$top"/RPMS/noarch/*.rpm
test -f "$root/var/lib/rpm/rpmdb.sqlite"

qf='%{NAME} %|EPOCH?{%{EPOCH}}:{-1}| %{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}'
qf+=' %|MODULARITYLABEL?{%{MODULARITYLABEL}}:{-}|\n'
rpm --root "$root" --dbpath /var/lib/rpm -qa --qf "$qf" | sort >"$work/want"
test "$(wc -l <"$work/want")" -eq 3

"$BOSUN" rootfs --scanners none -f json "$root" >"$work/report.json"

python3 - "$work/report.json" "$work/want" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
want = sorted(l.split() for l in open(sys.argv[2]) if l.strip())
got = sorted((p for p in report["packages"] if p["type"] == "rpm"),
             key=lambda p: (p["name"], p["version"]))
if [(w[0], w[2], w[3]) for w in want] != [(p["name"], p["version"], p["arch"]) for p in got]:
    sys.exit("rpm packages differ:\n want %s\n got  %s" % (want, got))
for w, p in zip(want, got):
    if "epoch" in p and int(p["epoch"]) != int(w[1]):
        sys.exit("%s: epoch %s, rpm says %s" % (p["name"], p["epoch"], w[1]))
    srpm = w[4][: -len(".src.rpm")]
    name, ver, rel = srpm.rsplit("-", 2)
    if p.get("source_name") != name or p.get("source_version") != ver + "-" + rel:
        sys.exit("%s: source %s %s, expected %s %s-%s" % (p["name"], p.get("source_name"),
                 p.get("source_version"), name, ver, rel))
    if p.get("module", "-") != w[5]:
        sys.exit("%s: module %s, rpm says %s" % (p["name"], p.get("module"), w[5]))
    if not p.get("purl", "").startswith("pkg:rpm/"):
        sys.exit("%s: purl %s" % (p["name"], p.get("purl")))
libs = [p for p in got if p["name"] == "hello-libs"][0]
assert libs["source_name"] == "hello", libs
world = [p for p in got if p["name"] == "world"][0]
assert world["module"] == "world:0.5:8090020230810:abcdef12", world
assert "epoch" not in world and libs["epoch"] == 2, (world, libs)
print("ok: %d rpm packages match rpm -qa" % len(got))
EOF
