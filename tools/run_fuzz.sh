#!/bin/sh
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, on a scratch copy of its corpus
# (new inputs stay out of the repository; crashes are written to build/fuzz-artifacts/).
# Usage: run_fuzz.sh BUILD_DIR SECONDS
set -eu
build="$1"
secs="${2:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
art="$root/build/fuzz-artifacts"
mkdir -p "$art"
status=0
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin" | sed 's/^fuzz_//')
    work=$(mktemp -d)
    dict=""
    [ -f "$root/tests/fuzz/$name.dict" ] && dict="-dict=$root/tests/fuzz/$name.dict"
    echo "== fuzz_$name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -artifact_prefix="$art/$name-" $dict \
            "$work" "$root/tests/fuzz/corpus/$name"; then
        echo "fuzz_$name FAILED: see $art" >&2
        status=1
    fi
    rm -rf "$work"
done
exit $status
