#!/bin/bash
# Shrinks fuzz corpora to the smallest set of their inputs that reaches the same code
# (libFuzzer -merge=1 into an empty folder, which prefers small inputs). Inputs written by
# hand (named, not a 40-digit hash) are kept whatever they add.
# Usage: min_corpus.sh BUILD_DIR TARGET...
set -eu
build="$1"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
for name in "$@"; do
    bin="$build/fuzz_$name"
    corpus="$root/tests/fuzz/corpus/$name"
    [ -x "$bin" ] && [ -d "$corpus" ] || { echo "min_corpus: no fuzz_$name or corpus" >&2; exit 1; }
    min=$(mktemp -d)
    before=$(ls "$corpus" | wc -l)
    if "$bin" -merge=1 -rss_limit_mb=4096 "$min" "$corpus" >/dev/null 2>&1; then
        find "$corpus" -maxdepth 1 -type f -regextype posix-extended \
            -regex '.*/[0-9a-f]{40}' -delete
        cp -n "$min"/* "$corpus"/ 2>/dev/null || true
        # the merge keeps the named inputs too, as copies named by their SHA-1: drop those
        find "$corpus" -maxdepth 1 -type f -regextype posix-extended \
            ! -regex '.*/[0-9a-f]{40}' -exec sha1sum {} + | while read -r sum _; do
            rm -f "$corpus/$sum"
        done
    fi
    rm -rf "$min"
    echo "fuzz_$name: $before inputs -> $(ls "$corpus" | wc -l), $(du -sh "$corpus" | cut -f1)"
done
