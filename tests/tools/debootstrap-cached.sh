#!/usr/bin/env bash
# Prints the path of a Debian bookworm minbase root filesystem made with debootstrap, building
# it once per checkout (under build/cache/, shared by the dev and ASan test runs and the
# benchmark; BSN_DEBOOTSTRAP_CACHE overrides) and reusing it afterwards. Concurrent callers
# wait on a lock instead of bootstrapping twice. Exit 77 (and a SKIP line on stderr) when
# debootstrap cannot run here (not root, no debootstrap, Debian's mirror unreachable), so
# callers can skip cleanly.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BSN_DEBOOTSTRAP_CACHE:-$here/build/cache}
mkdir -p "$cache"
root="$cache/bookworm-minbase"
exec 9>"$cache/.debootstrap.lock"
flock 9
if [ ! -f "$root.complete" ]; then
  if ! command -v debootstrap >/dev/null || [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: debootstrap needs root and the debootstrap package" >&2
    exit 77
  fi
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
  # No apt lists or logs: they only make the tree bigger.
  rm -rf "$root.tmp/var/lib/apt/lists/"* "$root.tmp/var/cache/apt/"*.bin "$root.tmp/var/log/"*
  mv "$root.tmp" "$root"
  touch "$root.complete"
fi
echo "$root"
