#!/bin/sh
# Runs a command beside a throwaway PostgreSQL cluster (tests/pg/, docs/register.md):
#
#   with_pg.sh COMMAND [ARGS...]
#
# initdb makes a cluster in a temporary folder (trust authentication, user ruru, no TCP: a
# Unix socket in that folder), pg_ctl starts it, and COMMAND runs with RURU_TEST_REGISTER set
# to the URL of its maintenance database (postgresql://ruru@/postgres?host=SOCKET-DIR). The
# cluster is stopped and removed at the end, whatever happens. initdb refuses root: as root,
# the cluster belongs to the postgres user (runuser) and its folder is handed to it.
#
# Exits 77 (skipped, by name under CTest) when PostgreSQL's server is not installed; under
# CI=true, where scripts/install-deps installs it, that is a failure instead.
set -u

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && bindir=$d
    done
fi
if [ -z "$bindir" ]; then
    echo "skipped: PostgreSQL's server is not installed (no initdb: apt-get install postgresql)"
    [ "${CI:-}" = true ] && exit 1
    exit 77
fi

tmp=$(mktemp -d /tmp/ruru-pg.XXXXXX) || exit 2
as=""
if [ "$(id -u)" -eq 0 ]; then
    as="runuser -u postgres --"
    chown postgres "$tmp"
fi
chmod 755 "$tmp"

stop() {
    $as "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 2' INT TERM HUP

if ! $as "$bindir/initdb" -D "$tmp/data" -A trust -U ruru -E UTF8 --no-sync \
        >"$tmp/initdb.log" 2>&1; then
    cat "$tmp/initdb.log" >&2
    exit 2
fi
# fsync off: a test's cluster is thrown away; the measurements of docs/register.md keep it on
if ! $as "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
        -o "-k $tmp -c listen_addresses='' -c fsync=${RURU_PG_FSYNC:-off} -c max_connections=200" \
        start >/dev/null 2>&1; then
    cat "$tmp/server.log" >&2
    exit 2
fi
RURU_TEST_REGISTER="postgresql://ruru@/postgres?host=$(printf %s "$tmp" | sed 's|/|%2F|g')"
export RURU_TEST_REGISTER
"$@"
