#!/bin/sh
# Convention test: every header compiles on its own (STYLE.md "Header discipline").
# Usage: check_headers.sh SOURCE_DIR CC
set -u
src="${1:-.}"
cc="${2:-cc}"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
bad=0
# the include directories of the libraries whose headers ours include (libpq's is its own)
extra=$(pkg-config --cflags libpq 2>/dev/null)
for h in $(cd "$src" && find include src -name '*.h' | sort); do
    printf '#include "%s"\n' "$h" > "$tmp/t.c"
    if ! "$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
            -I"$src/include" -I"$src/src" -I"$src" $extra -fsyntax-only "$tmp/t.c"; then
        echo "header does not compile alone: $h" >&2
        bad=1
    fi
done
exit $bad
