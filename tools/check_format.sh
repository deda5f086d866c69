#!/bin/sh
# Convention test: every C file is formatted by clang-format 14 with the repository's
# .clang-format (STYLE.md "Formatting"). Fix with `make format`.
set -u
cd "${1:-.}" || exit 2
cf=$(command -v clang-format-14 || command -v clang-format) || { echo "clang-format not found" >&2; exit 2; }
files=$(find include src cli tests -name '*.[ch]' -o -name '*.inc' | sort)
"$cf" --dry-run -Werror $files
