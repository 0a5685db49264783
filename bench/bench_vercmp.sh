#!/usr/bin/env bash
# Version comparison benchmark: a million compare() calls and a million range checks per
# scheme, -O2, built straight from src/version and src/base (no database, no I/O).
#   usage: bench/bench_vercmp.sh [CC]   (default cc)
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${1:-cc}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$CC" -std=c17 -O2 -D_GNU_SOURCE -Isrc -o "$TMP/bench_vercmp" bench/bench_vercmp.c \
    src/version/*.c src/base/str.c src/base/err.c
"$TMP/bench_vercmp"
