# SPDX-License-Identifier: Apache-2.0
"""What the PostgreSQL tests share (run by tests/pg/with_pg.sh, which sets RURU_TEST_REGISTER to
the throwaway cluster's maintenance database): a fresh database, and the checks' tally."""
import os
import subprocess


def base_url():
    """The maintenance database's URL, or None outside with_pg.sh (the test is skipped)."""
    base = os.environ.get("RURU_TEST_REGISTER")
    if not base:
        print("skipped: no RURU_TEST_REGISTER (run under tests/pg/with_pg.sh)")
    return base or None


def fresh_db(base, name):
    """An empty database `name` (dropped first when it is there); its URL."""
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    for sql in ("DROP DATABASE IF EXISTS %s" % name, "CREATE DATABASE %s" % name):
        subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", base, "-c", sql],
                       check=True, stdout=subprocess.DEVNULL, env=env, timeout=120)
    return base + ("&" if "?" in base else "?") + "dbname=" + name


class Checks:
    """ok/FAIL lines, and the exit status they make."""

    def __init__(self):
        self.passed, self.failed = [], []

    def __call__(self, ok, what):
        (self.passed if ok else self.failed).append(what)
        print("%s %s" % ("ok  " if ok else "FAIL", what))
        return ok

    def status(self):
        print("%d passed, %d failed" % (len(self.passed), len(self.failed)))
        return 1 if self.failed else 0
