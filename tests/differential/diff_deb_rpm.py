"""Differential test of the deb and rpm schemes against the real implementations:
python3-apt's apt_pkg.version_compare (deb; a sample also through `dpkg --compare-versions`)
and python3-rpm's rpm.labelCompare, i.e. librpm's rpmvercmp (rpm).

Runs under Debian's /usr/bin/python3 (where apt_pkg and rpm live). Seeded: the same pairs on
every run. Exit 1 on any disagreement."""
import random
import subprocess
import sys

import apt_pkg
import rpm

import gen_common as g

apt_pkg.init_system()

DEB_UP = ["0", "1", "2", "9", "10", "01", "00", "123", "a", "b", "z", "A", "Z", ".", "+", "~",
          "~~", ".", "."]
DEB_REV = ["0", "1", "2", "10", "01", "a", "b", "Z", ".", "+", "~", "deb12u1", "ubuntu1"]


def deb_make(rng):
    up = rng.choice(["0", "1", "2", "9", "10", "01", "00"])
    for _ in range(rng.randint(0, 6)):
        up += rng.choice(DEB_UP)
    v = up
    if rng.random() < 0.6:
        rev = rng.choice(DEB_REV)
        for _ in range(rng.randint(0, 3)):
            rev += rng.choice(DEB_REV)
        if rng.random() < 0.2:
            v += "-" + rng.choice(["1", "a", "0"])  # a '-' inside upstream
        v += "-" + rev
    if rng.random() < 0.25:
        v = rng.choice(["0", "1", "2", "00", "10"]) + ":" + v
    return v


def deb_mutate(rng, v):
    k = rng.random()
    if k < 0.2:
        return v + rng.choice(["~", "~1", "+1", ".0", "a", "0", "-1"])
    if k < 0.4 and len(v) > 1:
        i = rng.randrange(1, len(v))
        c = rng.choice("0123456789ab~+.")
        w = v[:i] + c + v[i + 1:]
    elif k < 0.6:
        w = v.replace("1", "01", 1)
    elif k < 0.8:
        w = "0:" + v if ":" not in v else v.split(":", 1)[1]
    else:
        w = v[:-1] if len(v) > 1 else v
    return w if deb_valid_shape(w) else v


def deb_valid_shape(v):
    """The shape deb_make produces: what dpkg accepts without complaint."""
    ep, _, rest = v.rpartition(":") if ":" in v else ("", "", v)
    if ep and not ep.isdigit():
        return False
    up, _, rev = rest.rpartition("-") if "-" in rest else (rest, "", "")
    if "-" in rest and not rev:
        return False
    if not up or not up[0].isdigit():
        return False
    if any(not (c.isalnum() or c in ".+~-:") for c in up):
        return False
    if ":" in up and not ep:
        return False
    return all(c.isalnum() or c in ".+~" for c in rev)


def check_deb(rng):
    pairs = g.pairs_from_pool(rng, deb_make, deb_mutate, g.N_PAIRS)
    want = [g.sign(apt_pkg.version_compare(a, b)) for a, b in pairs]
    got = g.run_batch("deb", pairs)
    ok = g.report("deb (apt_pkg.version_compare)", pairs, got, want)
    # a sample through dpkg itself, one process per pair
    sample = pairs[:: max(1, len(pairs) // 300)][:300]
    want2 = []
    for a, b in sample:
        lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
        eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b]).returncode == 0
        want2.append("<" if lt else "=" if eq else ">")
    got2 = g.run_batch("deb", sample)
    return g.report("deb (dpkg --compare-versions)", sample, got2, want2) and ok


RPM_TOK = ["0", "1", "2", "9", "10", "01", "001", "123", "a", "b", "z", "A", "Z", "rc", "beta",
           ".", ".", "_", "+", "~", "^", "~~", "^^", "el8", "fc39"]


def rpm_part(rng):
    s = rng.choice(["0", "1", "2", "10", "a", "1.0"])
    for _ in range(rng.randint(0, 6)):
        s += rng.choice(RPM_TOK)
    return s


def rpm_make(rng):
    v = rpm_part(rng)
    if rng.random() < 0.5:
        v += "-" + rpm_part(rng)
    if rng.random() < 0.2:
        v = rng.choice(["0", "1", "2", "10"]) + ":" + v
    return v


def rpm_mutate(rng, v):
    k = rng.random()
    if k < 0.3:
        return v + rng.choice(["~", "~1", "^", "^1", ".0", "a", "0", "_1", "+", "-1"])
    if k < 0.6 and len(v) > 1:
        i = rng.randrange(1, len(v))
        return v[:i] + rng.choice("0123456789ab~^._+") + v[i + 1:]
    if k < 0.8:
        return v.replace("1", "01", 1)
    return v[:-1] if len(v) > 1 and v[-2] not in "-:" else v


def rpm_evr(v):
    """rpm's parseEVR()."""
    i = 0
    while i < len(v) and v[i].isdigit():
        i += 1
    e = None
    rest = v
    if i < len(v) and v[i] == ":":
        e = v[:i] or "0"
        rest = v[i + 1:]
    r = None
    if "-" in rest:
        rest, r = rest.rsplit("-", 1)
    return (e, rest, r)


def rpm_valid_shape(evr):
    """rpm's tag rules: Version and Release non-empty, no '-' or ':' in them."""
    e, v, r = evr
    ok = lambda s: s and all(c.isascii() and (c.isalnum() or c in "._+~^") for c in s)
    return (e is None or e.isdigit()) and ok(v) and (r is None or ok(r))


def check_rpm(rng):
    pairs = g.pairs_from_pool(rng, rpm_make, rpm_mutate, g.N_PAIRS)
    want = []
    for a, b in pairs:
        ea, eb = rpm_evr(a), rpm_evr(b)
        if not rpm_valid_shape(ea) or not rpm_valid_shape(eb):
            want.append("invalid")  # rpmbuild refuses such a Version/Release
            continue
        want.append(g.sign(rpm.labelCompare(ea, eb)))
    got = g.run_batch("rpm", pairs)
    return g.report("rpm (rpm.labelCompare / rpmvercmp)", pairs, got, want)


def main():
    rng = random.Random(20261128)
    ok = check_deb(rng)
    ok = check_rpm(rng) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
