#!/bin/sh
# Convention test: functions and printf modifiers the project does not use (STYLE.md "Tests").
# Usage: check_banned.sh SOURCE_DIR
set -u
cd "${1:-.}" || exit 2
files=$(find src cli include -name '*.[ch]' 2>/dev/null)
[ -n "$files" ] || exit 0
bad=0
for fn in strcpy strcat sprintf vsprintf gets strtok atoi atol atof sscanf strncpy alloca; do
    if grep -nE "(^|[^_a-zA-Z0-9.>])$fn[[:space:]]*\(" $files; then
        echo "banned function: $fn" >&2
        bad=1
    fi
done
# %ld / %lu / %lld: use the <inttypes.h> PRI macros with fixed-width types.
if grep -nE '"[^"]*%l{1,2}[dux][^"]*"' $files; then
    echo "banned printf modifier: use PRId64/PRIu64" >&2
    bad=1
fi
# Library code never prints or exits (only cli/ may).
if grep -nE '(^|[^_a-zA-Z0-9])(printf|puts|exit|abort)[[:space:]]*\(|\b(stdout|stderr)\b' \
        $(find src -name '*.[ch]'); then
    echo "library code must not print, exit or abort" >&2
    bad=1
fi
exit $bad
