#!/usr/bin/env python3
"""`ruru register migrate` between SQLite and PostgreSQL (run by tests/pg/with_pg.sh).

A SQLite register built from the examples (a recording for the CERT and one for an
organisation, an organisation with a sector, tokens, one revoked) is migrated to PostgreSQL
and back to a new SQLite file: each migration reports the same on both sides, and report,
stats, orgs, tokens and the exports read the same from all three. A target that holds rows
is refused; a judgement changed by hand on the target makes `register check` fail, naming
the incident.

Usage: migrate.py RURU   (with RURU_TEST_REGISTER set by with_pg.sh)
"""
import json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pglib  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def main():
    ruru = os.path.realpath(sys.argv[1])
    base = pglib.base_url()
    if base is None:
        return 77
    check = pglib.Checks()

    with tempfile.TemporaryDirectory(prefix="ruru-pg-migrate-") as tmp:
        home = os.path.join(tmp, "home")

        def run(*args, register=None, ok=(0,)):
            cmd = [ruru, "--home", home] + (["--register", register] if register else [])
            p = subprocess.run(cmd + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=600, cwd=ROOT)
            if p.returncode not in ok:
                print("! %s: exit %d: %s" % (" ".join(args), p.returncode,
                                            p.stderr.decode("utf-8", "replace")))
            return p

        run("intel", "import", "examples/intel")
        lite = "sqlite:" + os.path.join(tmp, "first.db")
        run("orgs", "add", "Ministry-A", "--sector", "government", register=lite)
        run("scan", "-q", "--record", "-o", "/dev/null", "examples/logs", register=lite, ok=(1,))
        run("scan", "-q", "--record", "--org", "Ministry-A", "-o", "/dev/null", "examples/logs",
            register=lite, ok=(1,))
        for org, role in (("Ministry-A", "read"), ("CERT", "admin")):
            run("tokens", "add", org, "--role", role, register=lite)
        tok = json.loads(run("tokens", "list", "--format", "json", register=lite).stdout)
        run("tokens", "revoke", tok["tokens"][0]["id"], register=lite)

        pg = pglib.fresh_db(base, "ruru_migrate")
        back = "sqlite:" + os.path.join(tmp, "back.db")
        for a, b, name in ((lite, pg, "SQLite to PostgreSQL"), (pg, back, "PostgreSQL to SQLite")):
            p = run("register", "migrate", "--from", a, "--to", b, "--format", "json")
            doc = json.loads(p.stdout or b"{}")
            check(p.returncode == 0 and doc.get("same") is True and doc.get("copied") is True
                  and doc.get("incidents", 0) > 0 and all(t["from"] == t["to"] and t["from"] > 0
                                                          for t in doc["tables"]
                                                          if t["table"] != "merged"),
                  "%s: copied, %s incidents the same by digest" % (name, doc.get("incidents")))
        views = [("report", "--format", "json"), ("stats", "--format", "json", "--by", "org"),
                 ("orgs", "--format", "json"), ("tokens", "list", "--format", "json"),
                 ("export", "--format", "stix", "--tlp-max", "red"),
                 ("export", "--format", "misp", "--tlp-max", "red")]
        for v in views:
            outs = [run(*v, register=r).stdout for r in (lite, pg, back)]
            check(outs[0] == outs[1] == outs[2] and len(outs[0]) > 0,
                  "%s: the same from all three" % " ".join(v))
        p = run("register", "migrate", "--from", lite, "--to", pg, ok=(2,))
        check(p.returncode == 2 and b"holds" in p.stderr, "a target that holds rows is refused")
        p = run("register", "check", "--from", lite, "--to", back, "--format", "json")
        check(p.returncode == 0, "check: the SQLite copy is the same")
        env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
        inc = json.loads(run("report", "--format", "json", register=pg).stdout)["incidents"][0]
        subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", pg, "-c",
                        "UPDATE judgement SET words = 'tampered' WHERE incident = '%s'"
                        % inc["id"]], check=True, env=env, stdout=subprocess.DEVNULL)
        p = run("register", "check", "--from", lite, "--to", pg, "--format", "json", ok=(1,))
        doc = json.loads(p.stdout or b"{}")
        check(p.returncode == 1 and doc.get("same") is False
              and doc.get("differences") == [{"incident": inc["id"], "what": "differs"}],
              "a judgement changed on the target: the check fails naming %s" % inc["id"])
        p = run("register", "check", "--from", lite, "--to", pg, "--format", "table", ok=(1,))
        check(inc["id"].encode() in p.stdout and b"the registers differ" in p.stdout,
              "the table names it too")
        # a hostile source: wrong types, NULLs where values belong, a huge document, bytes
        # that are no UTF-8; the migration refuses or copies, and never crashes
        import sqlite3
        path = os.path.join(tmp, "hostile.db")
        run("register", "info", register="sqlite:" + path)
        db = sqlite3.connect(path)
        db.executescript("""
            INSERT INTO incident VALUES ('x', 1, 2, 3, 'high', 'yes', NULL, 'not json', 'a', 'b',
                                         NULL);
            INSERT INTO incident VALUES (NULL, NULL, NULL, NULL, 'low', 0, NULL, '{}', 1, 1, NULL);
            INSERT INTO org VALUES (NULL, 3.5, 'when');
            INSERT INTO judgement VALUES ('x', 'one', 'then', NULL, 'p', 'w', 'c', 'y');
            INSERT INTO incident_actor VALUES ('x', X'ff00fe', NULL);
            INSERT INTO sighting VALUES ('k', NULL, 'far', -1, '""" + "[" * 100000 + """', 7,
                                         X'00');
            INSERT INTO incident_key VALUES (X'ff', 5, X'ff');
            INSERT INTO judged VALUES ('config', 7);
        """)
        db.execute("INSERT INTO sighting VALUES ('big', NULL, 0, 0, ?, NULL, NULL)", ("x" * 20000000,))
        db.commit()
        db.close()
        for target in (pglib.fresh_db(base, "ruru_hostile"),
                       "sqlite:" + os.path.join(tmp, "hostile-copy.db")):
            p = run("register", "migrate", "--from", "sqlite:" + path, "--to", target,
                    ok=(0, 1, 2))
            check(p.returncode in (0, 1, 2) and b"AddressSanitizer" not in p.stderr
                  and b"runtime error" not in p.stderr,
                  "a hostile source to %s: exit %d, no crash (%s)"
                  % (target.split(":")[0], p.returncode,
                     p.stderr.decode("utf-8", "replace").strip()[:100]))
    return check.status()


if __name__ == "__main__":
    sys.exit(main())
