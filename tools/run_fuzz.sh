#!/bin/bash
# Runs libFuzzer targets of BUILD_DIR, each on a scratch copy of its corpus; crashes are written
# to build/fuzz-artifacts/ and a summary line per target (runs, seconds, new corpus inputs) to
# build/fuzz-artifacts/summary.txt (started afresh by each run; FUZZ_SUMMARY=FILE names another).
#
# Usage: run_fuzz.sh BUILD_DIR SECONDS [TARGET[=SECONDS]...]
#   With no TARGET, every fuzz_* of BUILD_DIR runs for SECONDS; TARGET=S gives one target its
#   own time.
#   FUZZ_JOBS=N   runs N targets at once (default 1; one per core is the most that helps).
#   FUZZ_KEEP=1   merges the inputs that reached new code into tests/fuzz/corpus/TARGET
#                 (libFuzzer -merge=1: only what adds coverage is kept).
set -eu
build="$1"
secs="${2:-30}"
shift 2 || shift $#
root="$(cd "$(dirname "$0")/.." && pwd)"
art="$root/build/fuzz-artifacts"
jobs="${FUZZ_JOBS:-1}"
keep="${FUZZ_KEEP:-0}"
mkdir -p "$art"
summary="${FUZZ_SUMMARY:-$art/summary.txt}"
: >"$summary"

if [ $# -eq 0 ]; then
    for bin in "$build"/fuzz_*; do
        [ -x "$bin" ] && set -- "$@" "$(basename "$bin" | sed 's/^fuzz_//')"
    done
fi

# One target: NAME SECONDS. Exit status 1 when the fuzzer found something.
one() {
    name="$1"
    t="$2"
    bin="$build/fuzz_$name"
    corpus="$root/tests/fuzz/corpus/$name"
    [ -x "$bin" ] || { echo "fuzz_$name: no such target in $build" >&2; return 1; }
    mkdir -p "$corpus"
    work=$(mktemp -d)
    log="$art/$name.log"
    dict=""
    [ -f "$root/tests/fuzz/$name.dict" ] && dict="-dict=$root/tests/fuzz/$name.dict"
    echo "== fuzz_$name for ${t}s"
    rc=0
    "$bin" -max_total_time="$t" -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$art/$name-" $dict "$work" "$corpus" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    added=0
    if [ "$rc" -eq 0 ] && [ "$keep" = 1 ]; then
        before=$(ls "$corpus" | wc -l)
        "$bin" -merge=1 -rss_limit_mb=4096 "$corpus" "$work" >>"$log" 2>&1 || true
        added=$(($(ls "$corpus" | wc -l) - before))
    fi
    rm -rf "$work"
    if [ "$rc" -ne 0 ]; then
        echo "fuzz_$name FAILED after ${runs:-?} runs: see $log" >&2
        echo "fuzz_$name ${t}s runs=${runs:-?} FAILED" >>"$summary"
        return 1
    fi
    echo "fuzz_$name ${t}s runs=${runs:-?} kept=$added" >>"$summary"
    return 0
}

status=0
running=0
for spec in "$@"; do
    case "$spec" in
    *=*) name="${spec%%=*}"; t="${spec#*=}" ;;
    *) name="$spec"; t="$secs" ;;
    esac
    if [ "$jobs" -le 1 ]; then
        one "$name" "$t" || status=1
        continue
    fi
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    ( one "$name" "$t" ) &
    running=$((running + 1))
done
wait
if grep -q FAILED "$summary"; then
    status=1
fi
exit $status
