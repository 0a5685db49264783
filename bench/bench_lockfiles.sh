#!/usr/bin/env bash
# Lockfile analyzers at scale: generates synthetic lockfiles far beyond real ones (a
# package-lock.json v3 with 240,000 entries, a yarn.lock v1 with 200,000 entries plus its
# package.json, a pnpm-lock.yaml 9.0 with 50,000 packages in one dependency chain, a
# .deps.json with 20,001 libraries) and times `bosun fs --scanners none` over each, best of
# 3, reporting CPU (user+sys) and wall seconds and peak RSS. Linear behaviour shows as CPU
# time proportional to size. Usage: bench/bench_lockfiles.sh [BOSUN]
set -euo pipefail
BOSUN=${1:-build/dev/bosun}
W=$(mktemp -d /tmp/bsn-bench-lock-XXXXXX)
trap 'rm -rf "$W"' EXIT
python3 - "$W" <<'PY'
import json, os, sys
w = sys.argv[1]
N = 200000
pk = {"": {"name": "big", "version": "1.0.0",
           "dependencies": {f"p{i}": "1.0.0" for i in range(0, N, 100)}}}
for i in range(N):
    pk[f"node_modules/p{i}"] = {"version": "1.0.0", "license": "MIT", "dev": i % 3 == 0}
    if i % 5 == 0:
        pk[f"node_modules/p{i}/node_modules/p{i+1}"] = {"version": "1.0.0"}
os.makedirs(f"{w}/npm")
json.dump({"lockfileVersion": 3, "packages": pk}, open(f"{w}/npm/package-lock.json", "w"),
          indent=2)
os.makedirs(f"{w}/yarn")
with open(f"{w}/yarn/yarn.lock", "w") as f:
    f.write("# yarn lockfile v1\n\n")
    for i in range(N):
        f.write(f'p{i}@^1.0.0, p{i}@~1.0:\n  version "1.0.{i % 7}"\n'
                f'  resolved "https://x/p{i}.tgz"\n  dependencies:\n    p{i+1} "^1.0.0"\n\n')
json.dump({"dependencies": {f"p{i}": "^1.0.0" for i in range(0, N, 1000)}},
          open(f"{w}/yarn/package.json", "w"))
M = 50000
os.makedirs(f"{w}/pnpm")
with open(f"{w}/pnpm/pnpm-lock.yaml", "w") as f:
    f.write("lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      p0:\n"
            "        specifier: 1.0.0\n        version: 1.0.0\n\npackages:\n\n")
    for i in range(M):
        f.write(f"  p{i}@1.0.0:\n    resolution: {{integrity: sha512-x}}\n\n")
    f.write("snapshots:\n\n")
    for i in range(M):
        f.write(f"  p{i}@1.0.0:\n    dependencies:\n      p{i+1}: 1.0.0\n\n" if i + 1 < M
                else f"  p{i}@1.0.0: {{}}\n")
K = 20000
libs = {"App/1.0.0": {"type": "project"}}
tgt = {"App/1.0.0": {"dependencies": {f"L{i}": "1.0.0" for i in range(0, K, 10)}}}
for i in range(K):
    libs[f"L{i}/1.0.0"] = {"type": "package"}
    tgt[f"L{i}/1.0.0"] = {"dependencies": {f"L{i+1}": "1.0.0"}}
os.makedirs(f"{w}/dotnet")
json.dump({"runtimeTarget": {"name": "t"}, "targets": {"t": tgt}, "libraries": libs},
          open(f"{w}/dotnet/app.deps.json", "w"))
PY
printf '| input | size | packages | CPU s | wall s | peak RSS MiB |\n| --- | --- | --- | --- | --- | --- |\n'
for d in npm yarn pnpm dotnet; do
  size=$(du -b "$W/$d" | cut -f1)
  best=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%U %S %e %M' -o "$W/t" "$BOSUN" fs --scanners none -f json -q "$W/$d" \
      > "$W/out.json"
    read -r u s e m < "$W/t"
    cpu=$(python3 -c "print(f'{$u + $s:.2f}')")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $cpu < $best else 1)"; then
      best=$cpu; wall=$e; rss=$((m / 1024))
    fi
  done
  n=$(python3 -c "import json; print(len(json.load(open('$W/out.json'))['packages']))")
  printf '| %s | %s MB | %s | %s | %s | %s |\n' "$d" "$((size / 1000000))" "$n" "$best" "$wall" "$rss"
done
