#!/usr/bin/env bash
# The benchmark in its reduced CI form (issue 10): bench/bench.py --quick (the debootstrap
# minbase image, one gzip layer) measures the parallel igzip floor, bosun's inventory and
# vulnerability scans cold and warm, and Trivy when it is already unpacked under
# build/bench/trivy (no download here; BSN_BENCH_TRIVY_DOWNLOAD=1 allows one), three rounds,
# then checks the ratios against bench/baseline-quick.json: it fails only when a ratio is 50%
# worse than its (generous) baseline, so noise does not fail builds. The baseline section
# follows the build: "release" for an optimised build, "debug" for -O0; a sanitizer build is
# skipped (its timings say nothing). Skipped where debootstrap cannot run (not root, no mirror).
set -euo pipefail
src=${BSN_SRC:-.}
build=${BSN_BUILD:-$src/build/dev}
bosun=${BOSUN:-$build/bosun}

cache_var() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" 2>/dev/null | head -1; }
if [ "$(cache_var BSN_SANITIZE)" = "ON" ] || [ "$(cache_var BSN_FUZZ)" = "ON" ]; then
  echo "SKIP: sanitizer/fuzz build: timings are not comparable"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
for tool in igzip umoci; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not installed"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
  fi
done
case "$(cache_var CMAKE_BUILD_TYPE)" in
  Release|RelWithDebInfo) profile=release ;;
  *) profile=debug ;;
esac
trivy_args=(--trivy-dir "$src/build/bench/trivy")
[ "${BSN_BENCH_TRIVY_DOWNLOAD:-0}" = 1 ] || trivy_args+=(--no-trivy-download)

# The images are kept in the build tree between runs (like the debootstrap cache); the
# measurements' caches and outputs go to a temp dir.
work="$build/bench-quick"
mkdir -p "$work"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set +e
python3 "$src/bench/bench.py" --quick --runs 3 --work "$work" --bosun "$bosun" \
  "${trivy_args[@]}" --json "$tmp/quick.json" --check "$src/bench/baseline-quick.json" \
  --profile "$profile" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
cat "$tmp/out"
if [ "$rc" = 77 ]; then
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
if [ "$rc" != 0 ] && ! grep -q "regressed by more than 50%" "$tmp/out"; then
  cat "$tmp/err"
  echo "FAIL: bench.py exited $rc"
  exit 1
fi

# The run measured what it says: every row has 3 runs and a positive time, the floor and
# bosun's cold scan did real work, and the warm scan is faster than the cold one.
python3 - "$tmp/quick.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["small"]
m = r["measure"]
fails = []
if r["layers"] != 1 or not 50 < r["uncompressed_mib"] < 1024:
    fails.append(f"unexpected image: {r['layers']} layers, {r['uncompressed_mib']:.0f} MiB")
for k in ("floor", "inv-cold", "inv-warm", "vuln-cold", "vuln-warm"):
    if k not in m or m[k]["runs"] != 3 or m[k]["median_s"] <= 0:
        fails.append(f"row {k} missing or empty: {m.get(k)}")
if not fails and m["inv-warm"]["median_s"] >= m["inv-cold"]["median_s"]:
    fails.append("the warm scan is not faster than the cold one")
if not fails and m["inv-cold"]["peak_rss_mib"] >= 64:
    fails.append(f"cold scan peak RSS {m['inv-cold']['peak_rss_mib']:.1f} MiB >= 64 MiB")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
checked=$(grep -c '^check ' "$tmp/out" || true)
if [ "$rc" != 0 ]; then
  echo "FAIL: a ratio regressed by more than 50% against bench/baseline-quick.json"
  echo "$((checked - 1)) passed, 1 failed"
  exit 1
fi
echo "$((checked + 1)) passed, 0 failed"
