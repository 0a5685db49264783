"""Shared helpers for the Python differential drivers: a seeded pair generator and a batch
runner for 'bosun vercmp SCHEME --batch'."""
import os
import random
import subprocess
import sys

N_PAIRS = int(os.environ.get("BSN_DIFF_PAIRS", "60000"))


def bosun():
    b = os.environ.get("BOSUN")
    if not b:
        build = os.environ.get("BSN_BUILD", "build/dev")
        b = os.path.join(build, "bosun")
    return b


def run_batch(scheme, pairs, in_mode=False):
    """Runs bosun once over all pairs; returns its output lines."""
    data = "".join(f"{a}\t{b}\n" for a, b in pairs).encode()
    args = [bosun(), "vercmp", scheme, "--batch"] + (["--in"] if in_mode else [])
    p = subprocess.run(args, input=data, capture_output=True, check=False)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} exited {p.returncode}: {p.stderr.decode()}")
    out = p.stdout.decode().split("\n")[: len(pairs)]
    if len(out) != len(pairs):
        sys.exit(f"FAIL: {scheme}: {len(out)} results for {len(pairs)} pairs")
    return out


def pairs_from_pool(rng, make, mutate, n):
    """n pairs: a third random pool pairs, a third (a, mutate(a)), a third (a, a-ish)."""
    pool = [make(rng) for _ in range(max(200, n // 20))]
    out = []
    while len(out) < n:
        k = rng.random()
        a = rng.choice(pool)
        if k < 0.4:
            out.append((a, rng.choice(pool)))
        elif k < 0.9:
            out.append((a, mutate(rng, a)))
        else:
            out.append((a, a))
    return out


def sign(c):
    return "<" if c < 0 else ">" if c > 0 else "="


def report(scheme, pairs, got, want):
    bad = [(p, g, w) for p, g, w in zip(pairs, got, want) if g != w]
    kinds = {}
    for w in want:
        kinds[w] = kinds.get(w, 0) + 1
    print(f"{scheme}: {len(pairs)} pairs ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}),"
          f" {len(bad)} disagreements")
    for (a, b), g, w in bad[:15]:
        print(f"  {a!r} vs {b!r}: bosun {g}, reference {w}")
    return len(bad) == 0
