#!/usr/bin/env python3
"""Golden (end-to-end) test runner for ruru.

A case is a folder tests/golden/NNN-name/ holding:
  cmd       one ruru invocation per line (arguments, shell-quoted; '#' lines are comments);
            commands run in the case folder; {case} is replaced by "." and {shared} by the
            path of the shared data (see below) relative to the case folder
  expected  what the run must print: for each command, "$ ruru ARGS", its stdout, its stderr
            lines prefixed "! ", and "[exit N]"
  anything else the commands read (feeds/, logs/, rules/ ...)

Every case runs with a fresh, empty store (--home in a temporary folder) and with the case
folder and shared folder written as {case} and {shared} in the output, so expected files hold
no absolute paths and do not depend on where the repository is checked out; time stamps
that fall within the run itself are written {now}. `--update` rewrites expected from the current
output.

`--register-base URL` (a PostgreSQL maintenance database's URL, as tests/pg/with_pg.sh gives)
runs each case with RURU_REGISTER naming a fresh database made for it there, so that the same
expected output checks the register on PostgreSQL.

The shared folder (the public corpora) is $RURU_TEST_DATA when that names a folder, else
--shared. A case whose cmd names {shared} when there is neither exits 77, which CTest reports as
skipped by name; under CI=true (where the corpora must be) it fails instead.
"""
import argparse, calendar, contextlib, difflib, json, os, re, shlex, subprocess, sys, tempfile, time

EPOCH = re.compile(r"\b(1\d{9})\b")
STAMP = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z")


def mask_now(text, t0, t1):
    """Time stamps that fall within the run (when ruru recorded something: an import's time,
    a judgement's) become {now}, so that expected output does not depend on when it ran;
    times from the data (2024-...) stay."""
    def sub(m):
        t = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
        return "{now}" if t0 - 1 <= t <= t1 + 1 else m.group(0)
    text = STAMP.sub(sub, text)
    # unix seconds within the run (MISP's timestamps), quoted or not
    return EPOCH.sub(lambda m: "{now}" if t0 - 1 <= int(m.group(1)) <= t1 + 1 else m.group(0),
                     text)

SKIP = 77
NO_SHARED = ("skipped: no public corpora (set RURU_TEST_DATA or put the shared data at "
             "../shared/data)")


def shared_folder(arg):
    """$RURU_TEST_DATA if it is a folder, else `arg` if it is one, else None."""
    for p in (os.environ.get("RURU_TEST_DATA"), arg):
        if p and os.path.isdir(p):
            return os.path.realpath(p)
    return None


# {shared} as the commands see it when the data is beside the repository (../shared/data).
USUAL = os.path.join("..", "..", "..", "..", "shared", "data")


def shared_arg(shared, case, stack):
    """{shared} for the commands of `case`: the relative path, or, for data elsewhere
    ($RURU_TEST_DATA), a symlink whose absolute path is as long as the usual relative one, so
    that tables (their columns as wide as the paths) come out as in expected."""
    if shared is None:
        return "{shared}"
    rel = os.path.relpath(shared, case)
    if rel == USUAL:
        return rel
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="rs", dir="/tmp"))
    pad = len(USUAL) - len(tmp) - 1
    if pad < 1:
        return rel
    link = os.path.join(tmp, "s" * pad)
    os.symlink(shared, link)
    return link


def uses_shared(case):
    with open(os.path.join(case, "cmd"), encoding="utf-8") as f:
        return any("{shared}" in l for l in f.read().splitlines()
                   if l.strip() and not l.lstrip().startswith("#"))


def stix_case(ruru, shared, case):
    """Runs a case's commands, then exports its register as STIX 2.1 and validates every object
    against the OASIS schemas of the shared data. True when valid, or when the case records no
    incident (nothing to export)."""
    cmds = [l for l in open(os.path.join(case, "cmd"), encoding="utf-8").read().splitlines()
            if l.strip() and not l.lstrip().startswith("#")]
    with contextlib.ExitStack() as stack:
        rel_shared = shared_arg(shared, case, stack)
        home = stack.enter_context(tempfile.TemporaryDirectory(prefix="ruru-golden-"))
        for line in cmds:
            args = [a.replace("{case}", ".").replace("{shared}", rel_shared)
                    for a in shlex.split(line)]
            subprocess.run([ruru, "--home", home] + args, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600,
                           cwd=case)
        bundle = os.path.join(home, "export.stix.json")
        p = subprocess.run([ruru, "--home", home, "export", "--format", "stix", "--tlp-max",
                            "red", "-o", bundle], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, cwd=case)
        if p.returncode != 0:
            print(p.stderr.decode("utf-8", "replace"))
            return False
        with open(bundle, encoding="utf-8") as f:
            if not any(o.get("type") == "incident" for o in json.load(f)["objects"]):
                return None
        v = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "tests",
                                                         "share", "stix_validate.py"),
                            os.path.join(shared, "stix", "schemas"), bundle],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        out = v.stdout.decode("utf-8", "replace")
        print(out.rstrip("\n").splitlines()[-1] if v.returncode == 0 else out)
        return v.returncode == 0


def fresh_register(base, case):
    """A new PostgreSQL database for `case` beside `base` (its maintenance database's URL); the
    URL of the new one."""
    name = "ruru_golden_%d_%s" % (os.getpid(), re.sub(r"[^a-z0-9]", "_",
                                                      os.path.basename(case).lower()))
    for sql in ("DROP DATABASE IF EXISTS %s" % name, "CREATE DATABASE %s" % name):
        subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", base, "-c", sql],
                       check=True, stdout=subprocess.DEVNULL, timeout=120,
                       env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))
    return base + ("&" if "?" in base else "?") + "dbname=" + name


def run_case(ruru, shared, case, update, register_base=None):
    env = dict(os.environ)
    if register_base:
        env["RURU_REGISTER"] = fresh_register(register_base, case)
    cmds = [l for l in open(os.path.join(case, "cmd"), encoding="utf-8").read().splitlines()
            if l.strip() and not l.lstrip().startswith("#")]
    out = []
    t0 = time.time()
    with contextlib.ExitStack() as stack:
        rel_shared = shared_arg(shared, case, stack)
        home = stack.enter_context(tempfile.TemporaryDirectory(prefix="ruru-golden-"))
        for line in cmds:
            args = [a.replace("{case}", ".").replace("{shared}", rel_shared)
                    for a in shlex.split(line)]
            p = subprocess.run([ruru, "--home", home] + args, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600,
                               cwd=case, env=env)
            text = p.stdout.decode("utf-8", "replace")
            err = p.stderr.decode("utf-8", "replace")
            out.append("$ ruru " + line)
            if text:
                out.append(text.rstrip("\n"))
            for e in err.splitlines():
                out.append("! " + e)
            out.append("[exit %d]" % p.returncode)
    got = "\n".join(out) + "\n"
    got = got.replace(rel_shared, "{shared}").replace(home, "{home}")
    got = mask_now(got, t0, time.time())
    exp_path = os.path.join(case, "expected")
    if update:
        with open(exp_path, "w", encoding="utf-8") as f:
            f.write(got)
        return True
    want = open(exp_path, encoding="utf-8").read() if os.path.exists(exp_path) else ""
    if got == want:
        return True
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                               "expected", "got"))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ruru", required=True)
    ap.add_argument("--shared", help="the shared data folder (default: $RURU_TEST_DATA)")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--stix", action="store_true",
                    help="instead of comparing output, export each case's register as STIX 2.1 "
                         "and validate it against the OASIS schemas of the shared data")
    ap.add_argument("--register-base", metavar="URL",
                    help="run each case on a fresh PostgreSQL database made beside URL (a "
                         "maintenance database's URL); default: $RURU_TEST_REGISTER when "
                         "--pg is given")
    ap.add_argument("--pg", action="store_true",
                    help="run on PostgreSQL, the maintenance database $RURU_TEST_REGISTER")
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()
    shared = shared_folder(a.shared)
    failed = skipped = 0
    if a.pg and not a.register_base:
        a.register_base = os.environ.get("RURU_TEST_REGISTER")
        if not a.register_base:
            print("--pg needs RURU_TEST_REGISTER (tests/pg/with_pg.sh sets it)")
            return 2
    for c in a.cases:
        if a.stix:
            name = os.path.basename(c.rstrip("/"))
            if shared is None:
                if os.environ.get("CI") == "true":
                    print("FAIL %s: no public corpora (the STIX schemas), and CI=true requires "
                          "them" % name)
                    failed += 1
                else:
                    print("skip %s: %s" % (name, NO_SHARED))
                    skipped += 1
                continue
            ok = stix_case(os.path.realpath(a.ruru), shared, os.path.realpath(c))
            print("%s %s" % ("ok  " if ok else "none" if ok is None else "FAIL", name))
            failed += ok is False
            continue
        if shared is None and uses_shared(c):
            name = os.path.basename(c.rstrip("/"))
            if os.environ.get("CI") == "true":
                print("FAIL %s: no public corpora (RURU_TEST_DATA=%s, --shared %s), and CI=true "
                      "requires them" % (name, os.environ.get("RURU_TEST_DATA", "(unset)"),
                                         a.shared))
                failed += 1
            else:
                print("skip %s: %s" % (name, NO_SHARED))
                skipped += 1
            continue
        ok = run_case(os.path.realpath(a.ruru), shared, os.path.realpath(c), a.update,
                      a.register_base)
        print("%s %s" % ("ok  " if ok else "FAIL", os.path.basename(c.rstrip("/"))))
        failed += not ok
    print("%d passed, %d failed" % (len(a.cases) - failed - skipped, failed)
          + (", %d skipped" % skipped if skipped else ""))
    if failed:
        return 1
    return SKIP if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
