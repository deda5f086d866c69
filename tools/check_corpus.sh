#!/bin/sh
# Convention test: unit tests reach the public corpora only through tests/unit/shared_data.h
# (shared_data(), shared_path()) and in a test that calls SHARED_OR_SKIP() first, so that a
# clone without them reports those tests skipped by name instead of failing.
# Usage: check_corpus.sh SOURCE_DIR
set -u
cd "${1:-.}" || exit 2
bad=0
for f in tests/unit/*.c tests/unit/*.h; do
    [ "$f" = tests/unit/shared_data.h ] && continue
    if grep -n 'RURU_SHARED_DATA' "$f"; then
        echo "$f: build corpus paths with shared_data() or shared_path(), not RURU_SHARED_DATA" >&2
        bad=1
    fi
    case "$f" in
    *.c)
        if grep -qE 'shared_(data|path)\(' "$f" && ! grep -q 'SHARED_OR_SKIP()' "$f"; then
            echo "$f: reads the public corpora but never calls SHARED_OR_SKIP()" >&2
            bad=1
        fi
        ;;
    esac
done
exit $bad
