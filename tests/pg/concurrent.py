#!/usr/bin/env python3
"""Many writers on one PostgreSQL register (run by tests/pg/with_pg.sh; docs/register.md).

Rounds of WRITERS `ruru scan --record` processes at once, each sweeping its own log line of
the same asset (access.log, read from its own folder) within one time window, so that every
recording adds evidence to one incident. Afterwards: every sighting is in the register, one
incident holds all the evidence, its judgement history is numbered 1..n without a gap, and
the same lines recorded one after another into a SQLite register give the same incident
(`ruru report --format json`, the history and the recording times left out).

Usage: concurrent.py RURU   (with RURU_TEST_REGISTER set by with_pg.sh)
"""
import json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pglib  # noqa: E402

WRITERS, ROUNDS = 6, 3
INTEL = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "intel")


def line(k):
    return ('203.0.113.45 - - [12/Jul/2024:09:%02d:13 +1200] "GET /w%d HTTP/1.1" 404 512 "-" '
            '"python-requests/2.31.0"\n' % (k % 60, k))


def scan(ruru, home, register, folder):
    return subprocess.Popen([ruru, "--home", home, "--register", register, "scan", "-q",
                             "--record", "-o", "/dev/null", "access.log"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def report(ruru, home, register):
    p = subprocess.run([ruru, "--home", home, "--register", register, "report", "--format",
                        "json"], stdout=subprocess.PIPE, check=True, timeout=300)
    return json.loads(p.stdout)


def info(ruru, home, register):
    p = subprocess.run([ruru, "--home", home, "--register", register, "register", "info",
                        "--format", "json"], stdout=subprocess.PIPE, check=True, timeout=300)
    return json.loads(p.stdout)["tables"]


def main():
    ruru = os.path.realpath(sys.argv[1])
    base = pglib.base_url()
    if base is None:
        return 77
    check = pglib.Checks()

    with tempfile.TemporaryDirectory(prefix="ruru-pg-conc-") as tmp:
        home = os.path.join(tmp, "home")
        subprocess.run([ruru, "--home", home, "intel", "import", INTEL], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pg = pglib.fresh_db(base, "ruru_concurrent")
        folders = []
        for r in range(ROUNDS):
            procs = []
            for w in range(WRITERS):
                k = r * WRITERS + w
                folder = os.path.join(tmp, "w%d" % k)
                os.makedirs(folder)
                with open(os.path.join(folder, "access.log"), "w") as f:
                    f.write(line(k))
                folders.append(folder)
                procs.append(scan(ruru, home, pg, folder))
            for p in procs:
                err = p.communicate(timeout=600)[1].decode("utf-8", "replace")
                check(p.returncode == 1, "round %d: a writer recorded (exit %d%s)"
                      % (r + 1, p.returncode, (": " + err.strip()) if p.returncode != 1 else ""))
        lite = "sqlite:" + os.path.join(tmp, "sequential.db")
        for folder in folders:
            p = scan(ruru, home, lite, folder)
            p.communicate(timeout=600)
        got, want = report(ruru, home, pg), report(ruru, home, lite)
        tables_pg, tables_lite = info(ruru, home, pg), info(ruru, home, lite)
        n = WRITERS * ROUNDS
        check(tables_pg["sighting"] == tables_lite["sighting"] and tables_pg["sighting"] >= n,
              "every sighting is in the register (%d; one after another: %d)"
              % (tables_pg["sighting"], tables_lite["sighting"]))
        check(len(got["incidents"]) == len(want["incidents"]) == 1,
              "one incident holds all the evidence (%d; one after another: %d)"
              % (len(got["incidents"]), len(want["incidents"])))
        for inc in got["incidents"]:
            seqs = [h["seq"] for h in inc["history"]]
            check(seqs == list(range(1, len(seqs) + 1)),
                  "%s: judgement history numbered 1..%d without a gap" % (inc["id"], len(seqs)))
            check(inc["sightings"] == tables_pg["sighting"],
                  "%s: all %d sightings are its evidence" % (inc["id"], inc["sightings"]))
        # An incident keeps the id it was first recorded under: which writer of the first
        # round recorded first depends on who took the lock first, so the id is left out.
        for doc in (got, want):
            for inc in doc["incidents"]:
                inc.pop("history", None)
                inc.pop("id", None)
        if got != want:
            for a, b in zip(got["incidents"], want["incidents"]):
                for k in sorted(set(a) | set(b)):
                    if a.get(k) != b.get(k):
                        print("differs at %s: %s / %s" % (k, json.dumps(a.get(k))[:300],
                                                          json.dumps(b.get(k))[:300]))
        check(got == want, "the same incident as one recording after another into SQLite")
    return check.status()


if __name__ == "__main__":
    sys.exit(main())
