"""Differential test of the maven scheme against Maven's own ComparableVersion, from the
maven-artifact jar Debian ships with maven (/usr/share/maven/lib/maven-artifact-3.x.jar),
driven by MavenCompare.java (compiled into a temp dir with javac).

That jar is Maven 3.8; bosun follows Maven 4's ComparableVersion (the shared vectors come from
it). The two differ where Maven 4 changed the rules, so the generator stays inside the grammar
both agree on, the shape real artifacts use: dotted numbers, then '-'-separated qualifiers
with optional dotted numbers ("1.2.0-beta.2-SNAPSHOT"). Outside it Maven 4 reads ".X" like
"-X", "X1" and "X-1" as one combined item, and keeps "ga"/"final"/"release" as items that
compare like the release instead of erasing them; those rules are checked by the vectors and
by test_version_maven instead.

usage: diff_maven.py WORKDIR   (skips cleanly, exit 0 with a SKIP line, without java/javac or
the jar). Seeded; exit 1 on any disagreement."""
import glob
import os
import random
import shutil
import subprocess
import sys

import gen_common as g

HERE = os.path.dirname(os.path.abspath(__file__))


def make(rng):
    """NUM(.NUM)* then qualifiers after '-' with optional dotted numbers: "1.2.0-beta.2-SNAPSHOT"."""
    num = lambda: rng.choice(["0", "1", "2", "10", "01", "00", "123", "1234567890",
                              "99999999999999999999"])
    v = ".".join(num() for _ in range(rng.randint(1, 4)))
    for _ in range(rng.randint(0, 2)):
        v += "-" + rng.choice(["alpha", "beta", "milestone", "rc", "cr", "snapshot", "sp", "foo",
                               "SNAPSHOT", "RC", "Beta", "xyz", "a", "b", "m"])
        for _ in range(rng.randint(0, 2)):
            v += "." + num()
    return v


def mutate(rng, v):
    k = rng.random()
    if k < 0.3:
        return v + rng.choice([".0", ".1", "-alpha", "-SNAPSHOT", "-sp", "-0", ".0.0"])
    if k < 0.5:
        return v.upper()
    if k < 0.7:
        return v.rsplit(".", 1)[0] if "." in v else v + ".0"
    if k < 0.85:
        return v.replace("1", "01", 1)
    return v.replace("-", ".", 1) if "-" in v and v.split("-", 1)[1][:1].isdigit() else v


def risky(v):
    """Forms where Maven 3.8 and 4 disagree (see the module comment)."""
    low = v.lower()
    for q in ("ga", "final", "release"):
        i = low.find(q)
        while i >= 0:
            j = i + len(q)
            if j < len(low) and low[j].isdigit():
                return True
            i = low.find(q, i + 1)
    # "X-1" and "-0-"-style single-list nesting
    for i in range(1, len(low) - 1):
        if low[i] == "-" and low[i - 1].isalpha() and low[i + 1].isdigit():
            return True
    return "-0-" in low or low.startswith("0-") or "-0." in low or ".-" in low


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    jars = glob.glob("/usr/share/maven/lib/maven-artifact-*.jar")
    if not jars or not shutil.which("javac") or not shutil.which("java"):
        print("SKIP: maven differential: java, javac or maven-artifact jar not installed")
        return 0
    classes = os.path.join(work, "mvn-classes")
    os.makedirs(classes, exist_ok=True)
    subprocess.run(["javac", "-d", classes, "-cp", jars[0],
                    os.path.join(HERE, "MavenCompare.java")], check=True)
    rng = random.Random(1968)
    pairs = [p for p in g.pairs_from_pool(rng, make, mutate, g.N_PAIRS)
             if not risky(p[0]) and not risky(p[1])]
    data = "".join(f"{a}\t{b}\n" for a, b in pairs).encode()
    ref = subprocess.run(["java", "-cp", classes + os.pathsep + jars[0], "MavenCompare"],
                         input=data, capture_output=True, check=True).stdout.decode().split("\n")
    ok = g.report(f"maven ({os.path.basename(os.path.realpath(jars[0]))} ComparableVersion)",
                  pairs, g.run_batch("maven", pairs), ref[: len(pairs)])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
