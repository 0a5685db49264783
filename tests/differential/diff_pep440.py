"""Differential test of the pep440 scheme against Python's "packaging" (Debian's
python3-packaging): Version ordering and validity, and SpecifierSet.contains(v,
prereleases=True) for specifiers.

Runs under Debian's /usr/bin/python3. Seeded: the same pairs on every run. Exit 1 on any
disagreement."""
import random
import sys

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

import gen_common as g

SEP = ["", "", ".", "-", "_"]


def pep_make(rng):
    v = ""
    if rng.random() < 0.1:
        v += rng.choice(["1", "2", "0"]) + "!"
    v += ".".join(rng.choice(["0", "1", "2", "10", "00", "01", "3"])
                  for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.3:
        v += rng.choice(SEP) + rng.choice(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview",
                                           "RC", "A"])
        if rng.random() < 0.8:
            v += rng.choice(SEP) + rng.choice(["0", "1", "2", "10", "01"])
    if rng.random() < 0.2:
        if rng.random() < 0.3:
            v += "-" + rng.choice(["1", "2", "0"])
        else:
            v += rng.choice(SEP) + rng.choice(["post", "rev", "r", "POST"])
            if rng.random() < 0.8:
                v += rng.choice(SEP) + rng.choice(["0", "1", "2"])
    if rng.random() < 0.2:
        v += rng.choice(SEP) + rng.choice(["dev", "DEV"])
        if rng.random() < 0.8:
            v += rng.choice(SEP) + rng.choice(["0", "1", "5"])
    if rng.random() < 0.15:
        v += "+" + rng.choice([".", "-", "_"]).join(
            rng.choice(["abc", "1", "2", "01", "ubuntu", "x1", "ABC"]) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.05:
        v = rng.choice(["v", "V"]) + v
    if rng.random() < 0.05:
        v = rng.choice([" ", "  "]) + v + rng.choice([" ", ""])
    if rng.random() < 0.03:
        v = rng.choice(["1.0+", "a1", "1.0.", "1..0", "1.0-", "1.0+a..b", "1.0foo", "", "1.0a.b",
                        "1!", "!1", "1.0+-a", "1.0++a"])
    return v


def pep_mutate(rng, v):
    k = rng.random()
    if k < 0.3 and len(v) > 1:
        i = rng.randrange(len(v))
        return v[:i] + rng.choice(["0", "1", ".", "a", "b", "-", "_", "+"]) + v[i + 1:]
    if k < 0.5:
        return v + rng.choice([".0", "0", "a", ".post", ".dev", "+1", "-1", ".1", "rc"])
    if k < 0.7:
        return v.replace("0", "00", 1)
    if k < 0.85:
        return v[:-1]
    return v.upper()


def cmp_ref(a, b):
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        return "invalid"
    return "<" if va < vb else ">" if va > vb else "="


def spec_version(rng, allow_suffix=True):
    v = ".".join(rng.choice(["0", "1", "2", "3"]) for _ in range(rng.randint(1, 3)))
    if allow_suffix and rng.random() < 0.25:
        v += rng.choice(["a1", "rc1", ".post1", ".dev0", "b2", ".post1.dev1"])
    return v


def spec_make(rng):
    """At most one "===" clause: SpecifierSet drops clauses equal after normalisation, so
    "===3, ===3.0" keeps only "===3" there (an intended difference, see version_pep440.c)."""
    clauses = []
    arbitrary = False
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["==", "!=", "<=", ">=", "<", ">", "~=", "==", "!="] +
                        ([] if arbitrary else ["==="]))
        arbitrary = arbitrary or op == "==="
        if op in ("==", "!=") and rng.random() < 0.35:
            v = spec_version(rng, False) + ".*"
        elif op == "~=":
            v = spec_version(rng, False) + "." + rng.choice(["0", "1"]) + \
                (rng.choice(["", "", "a1", ".post1"]))
        elif op in ("==", "!=") and rng.random() < 0.1:
            v = spec_version(rng) + "+" + rng.choice(["local", "1"])
        else:
            v = spec_version(rng)
        clauses.append(op + rng.choice(["", "", " "]) + v)
    return rng.choice([",", ", "]).join(clauses)


def version_make(rng):
    v = ".".join(rng.choice(["0", "1", "2", "3"]) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.25:
        v += rng.choice(["a1", "b2", "rc1", "rc2"])
    if rng.random() < 0.15:
        v += rng.choice([".post1", ".post2"])
    if rng.random() < 0.15:
        v += rng.choice([".dev0", ".dev1"])
    if rng.random() < 0.1:
        v += rng.choice(["+local", "+1"])
    return v


def in_ref(v, spec):
    try:
        s = SpecifierSet(spec)
    except InvalidSpecifier:
        return "invalid"
    return "true" if s.contains(Version(v), prereleases=True) else "false"


def main():
    rng = random.Random(440)
    pairs = g.pairs_from_pool(rng, pep_make, pep_mutate, g.N_PAIRS)
    ok = g.report("pep440 (packaging.version)", pairs, g.run_batch("pep440", pairs),
                  [cmp_ref(a, b) for a, b in pairs])
    specs = [(version_make(rng), spec_make(rng)) for _ in range(g.N_PAIRS)]
    ok = g.report("pep440 specifiers (packaging.specifiers, prereleases=True)", specs,
                  g.run_batch("pep440", specs, in_mode=True),
                  [in_ref(v, s) for v, s in specs]) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
