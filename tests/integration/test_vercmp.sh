#!/usr/bin/env bash
# 'bosun vercmp' end to end: outputs, exit statuses, help, the hidden --batch mode.
# Expected answers are hand-checked (deb-version(7), rpmvercmp, node-semver, PEP 440 docs).
set -euo pipefail
BOSUN=${BOSUN:?BOSUN must point at the built binary}
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# expect STATUS STDOUT -- ARGS...
expect() {
    local want_status=$1 want_out=$2
    shift 3
    local out status=0
    out=$("$BOSUN" "$@" 2>"$tmp/err") || status=$?
    if [ "$status" != "$want_status" ] || [ "$out" != "$want_out" ]; then
        echo "FAIL: bosun $* -> status $status, output '$out' (want $want_status, '$want_out')"
        sed 's/^/  stderr: /' "$tmp/err"
        fails=$((fails + 1))
    fi
}

expect 0 ">" -- vercmp deb 1:2.0-1 2.5-1
expect 0 "<" -- vercmp deb 1.0~rc1-1 1.0-1
expect 0 "=" -- vercmp deb 1.0 1.0-0
expect 0 "<" -- vercmp rpm 1.0~rc1 1.0
expect 0 ">" -- vercmp rpm 1:1.0-1.el9 2.0-1.el9
expect 0 "<" -- vercmp apk 1.2.3_rc1-r0 1.2.3-r0
expect 0 "<" -- vercmp semver 1.0.0-rc.1 1.0.0
expect 0 "=" -- vercmp npm v1.2.3 =1.2.3
expect 0 "<" -- vercmp pep440 1.0.dev1 1.0a1
expect 0 "<" -- vercmp maven 1.0-SNAPSHOT 1.0
expect 0 "<" -- vercmp gem 1.0.a 1.0
expect 0 "=" -- vercmp golang v1.2 1.2.0
expect 0 "<" -- vercmp cargo 1.2.3-alpha 1.2.3
expect 0 "=" -- vercmp nuget 1.0 1.0.0.0
expect 0 "<" -- vercmp composer 1.0.0-RC1 1.0.0
expect 0 "<" -- vercmp generic 1.0rc1 1.0

expect 0 "true" -- vercmp npm 1.2.4 --in '^1.2.0'
expect 0 "false" -- vercmp npm 2.0.0 --in '^1.2.0'
expect 0 "true" -- vercmp npm 1.2.4 --in 'npm:>=1.2.0 <1.2.5 || ^2.0.0'
expect 0 "true" -- vercmp deb 2.30-4 --in 'osv:introduced=0;fixed=2.30-5'
expect 0 "false" -- vercmp deb 2.30-5 --in 'osv:introduced=0;fixed=2.30-5'
expect 0 "true" -- vercmp pep440 1.2 --in '>=1.0,!=1.3.*,<2'
expect 0 "false" -- vercmp pep440 1.3.1 --in 'pep440:>=1.0,!=1.3.*,<2'
expect 0 "true" -- vercmp maven 1.5 --in '[1.0,2.0)'
expect 0 "true" -- vercmp gem 2.3.5 --in '~> 2.3, >= 2.3.1'
expect 0 "false" -- vercmp golang v1.3.0 --in 'go:>= 1.2.0, < 1.3.0'
expect 0 "true" -- vercmp rpm 1:3.0.7-16.el9 --in 'cmp:< 1:3.0.7-24.el9'
expect 0 "true" -- vercmp apk 1.0-r0 --in='< 1.0-r1'

# errors: exit 2 with one line naming the culprit
expect 2 "" -- vercmp deb a1.0 1.0
grep -q "invalid deb version 'a1.0'" "$tmp/err" || bad "message: $(cat "$tmp/err")"
expect 2 "" -- vercmp nosuch 1 2
grep -q "unknown version scheme 'nosuch'" "$tmp/err" || bad "message: $(cat "$tmp/err")"
expect 2 "" -- vercmp maven 1.0 --in '[1.0,2.0'
grep -q "invalid Maven version range" "$tmp/err" || bad "message: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" = 1 ] || bad "error is not one line"
expect 2 "" -- vercmp semver 1.0.0
expect 2 "" -- vercmp semver 1.0.0 2.0.0 3.0.0
expect 2 "" -- vercmp semver 1.0.0 --in
expect 2 "" -- vercmp semver 1.0.0 2.0.0 --bogus

# help lists every scheme and both forms
"$BOSUN" vercmp --help > "$tmp/help"
for w in deb rpm apk semver npm pep440 maven gem golang cargo nuget composer generic '--in RANGE' \
    'osv:introduced'; do
    grep -q -- "$w" "$tmp/help" || bad "--help lacks '$w'"
done
"$BOSUN" help 2>&1 | grep -q vercmp || bad "'bosun help' lacks vercmp"

# --batch: one answer per line, invalid pairs marked
printf '1.0\t2.0\n2.0\t1.0\n1.0\t1.0\nx\t1.0\n' | "$BOSUN" vercmp deb --batch > "$tmp/out"
[ "$(tr '\n' ' ' < "$tmp/out")" = "< > = invalid " ] || bad "batch: $(cat "$tmp/out")"
printf '1.2.4\t^1.2.0\n2.0.0\t^1.2.0\n1.0.0\t>=\n' | "$BOSUN" vercmp npm --batch --in > "$tmp/out"
[ "$(tr '\n' ' ' < "$tmp/out")" = "true false invalid " ] || bad "batch --in: $(cat "$tmp/out")"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "vercmp: all checks passed"
