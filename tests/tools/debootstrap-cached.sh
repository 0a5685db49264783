#!/usr/bin/env bash
# Prints the path of a Debian bookworm minbase root filesystem made with debootstrap, building it
# once per build tree (under $BSN_BUILD/cache, or $1) and reusing it afterwards. Concurrent
# callers wait on a lock instead of bootstrapping twice. Exit 77 (and a SKIP line on stderr)
# when Debian's mirror cannot be reached, so callers can skip cleanly.
set -euo pipefail
cache=${1:-${BSN_BUILD:-/tmp}/cache}
mkdir -p "$cache"
root="$cache/bookworm-minbase"
exec 9>"$cache/.debootstrap.lock"
flock 9
if [ ! -f "$root.complete" ]; then
  rm -rf "$root" "$root.tmp" "$root.complete"
  mirror=${BSN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  if ! debootstrap --variant=minbase bookworm "$root.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    if grep -qiE 'resolve|connect|download|release file' "$cache/debootstrap.log"; then
      echo "SKIP: Debian mirror unreachable for debootstrap" >&2
      exit 77
    fi
    tail -20 "$cache/debootstrap.log" >&2
    exit 1
  fi
  # Make the tree deterministic enough for comparisons: no apt lists or logs.
  rm -rf "$root.tmp/var/lib/apt/lists/"* "$root.tmp/var/cache/apt/"*.bin "$root.tmp/var/log/"*
  mv "$root.tmp" "$root"
  touch "$root.complete"
fi
echo "$root"
