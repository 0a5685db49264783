#!/usr/bin/env bash
# Vulnerability database benchmark: build throughput (records/s), size (bytes per record) and
# the time of 10,000 bsn_vdb_lookup calls, on the feed snapshots of tests/data/feeds.
#   usage: bench/bench_db.sh [BUILD_DIR]   (default build/dev; a Release build gives the
#          numbers that matter, Debug ones are 2-3x slower)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/dev}
BOSUN=$BUILD/bosun
F=tests/data/feeds
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SOURCES=(osv:$F/pypi/pypa-advisory-database.tar.xz osv:$F/go/golang-vulndb-osv.tar.xz
         osv:$F/ghsa/github-advisory-database-npm-maven-subset.tar.xz
         osv:$F/almalinux/almalinux-osv-database-el9.tar.xz osv:$F/rocky/rocky-osv-updateinfo.tar.xz
         osv:$F/debian/debian-osv-dsa-dla-2025-02.tar.xz osv:$F/ubuntu/ubuntu-osv-subset.tar.xz
         $F/debian/debian-security-tracker-2023-04.tar.xz $F/alpine/alpine-secdb-json-v3.2-v3.21-2025-01.tar.xz
         $F/alpine/alpine-secdb-v3.3-v3.11.tar.xz $F/wolfi/wolfi-advisories-apache2-snapshot.tar.xz)
for extra in rustsec/rustsec-advisory-db.tar.xz rubysec/rubysec-ruby-advisory-db.tar.xz \
             npm-nodejs-security-wg/nodejs-security-wg-vuln.tar.xz cve-nvd/cve5-nvd2-subset.tar.xz; do
  SOURCES+=("$F/$extra")
done
best=
cpu=
for i in 1 2 3; do
  if ! /usr/bin/time -f "%e %U %S" -o "$TMP/time" "$BOSUN" db build -q --out "$TMP/bench.db" \
       "${SOURCES[@]}" 2>"$TMP/err"; then
    # an importer of these extra feeds may be missing in this build: drop them
    SOURCES=("${SOURCES[@]:0:11}")
    /usr/bin/time -f "%e %U %S" -o "$TMP/time" "$BOSUN" db build -q --out "$TMP/bench.db" \
      "${SOURCES[@]}"
  fi
  read -r t u s < "$TMP/time"
  c=$(echo "$u + $s" | bc)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  if [ -z "$cpu" ] || [ "$(echo "$c < $cpu" | bc)" = 1 ]; then cpu=$c; fi
done
records=$("$BOSUN" db info --db "$TMP/bench.db" -f json | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["advisories"])')
rows=$("$BOSUN" db info --db "$TMP/bench.db" -f json | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["affected"])')
size=$(stat -c %s "$TMP/bench.db")
echo "build: $records advisories, $rows affected rows in ${best}s wall, ${cpu}s CPU (best of" \
     "3): $(echo "$records / $best" | bc) records/s wall, $(echo "$records / $cpu" | bc)/s CPU"
echo "size: $size bytes, $(echo "$size / $records" | bc) bytes per advisory," \
     "$(echo "$size / $rows" | bc) bytes per affected row"
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc bench/bench_db.c "$BUILD/libbosun.a" \
   $(pkg-config --libs sqlite3 jansson yaml-0.1 libcrypto libarchive libcurl) -lm -lpthread \
   -o "$TMP/bench_db"
"$TMP/bench_db" "$TMP/bench.db" 10000
