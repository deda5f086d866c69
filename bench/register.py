#!/usr/bin/env python3
"""Recording benchmark: what `ruru scan --record` costs as the register grows, on SQLite and
on PostgreSQL (a throwaway cluster through tests/pg/with_pg.sh, fsync on), in one run.

A register is filled with --sightings sightings on --assets assets (ECS JSON lines naming an
address of examples/intel; each line is one sighting per intel file that lists it). Then, on
that register, a recording of a few new lines on a few assets is timed two ways:

  touched   as a recording works now: only the incidents of the assets it touches are made
            again (and the campaigns they are linked into);
  all       the same recording after ruru.yaml's incident settings changed, which makes every
            incident again from every sighting: what each recording cost before.

Each figure is the median of --repeat runs of the whole `ruru scan --record` process (start,
intel, sweep, recording). The ratio all/touched is the gain.

Usage: bench/register.py [--ruru build/ruru] [--sightings 20000] [--assets 2000]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDRESS = "203.0.113.45"  # in examples/intel: three files list it


def lines(start, n, assets):
    out = []
    for i in range(start, start + n):
        out.append(json.dumps({"@timestamp": "2024-07-%02dT%02d:%02d:%02dZ"
                               % (1 + i // 86400 % 28, i // 3600 % 24, i // 60 % 60, i % 60),
                               "host": {"name": "asset-%d" % (i % assets)},
                               "source": {"ip": ADDRESS}, "event": {"sequence": i}},
                              separators=(",", ":")))
    return "".join(l + "\n" for l in out)


def record(ruru, home, register, path, config=None):
    cmd = [ruru, "--home", home]
    if register:
        cmd += ["--register", register]
    cmd += ["scan", "--record", "-q", "-o", "/dev/null", "--log-format", "jsonl"]
    if config:
        cmd += ["--config", config]
    t0 = time.monotonic()
    p = subprocess.run(cmd + [path], capture_output=True, text=True, timeout=3600)
    dt = time.monotonic() - t0
    if p.returncode not in (0, 1):
        raise RuntimeError("scan --record: %s" % p.stderr)
    return dt


def bench(ruru, tmp, register, label, a):
    home = os.path.join(tmp, "home-" + label)
    subprocess.run([ruru, "--home", home, "intel", "import", os.path.join(ROOT, "examples",
                                                                            "intel")],
                   check=True, capture_output=True)
    n_lines = a.sightings // 3
    big = os.path.join(tmp, "big.jsonl")
    with open(big, "w") as f:
        f.write(lines(0, n_lines, a.assets))
    fill = record(ruru, home, register, big)
    # the settings alternate between the default gap (24 h) and 23 h: a recording under other
    # settings than the last makes every incident again; under the same, only its own
    gaps = ["24h", "23h"]

    def config(k):
        path = os.path.join(tmp, "ruru-%s-%d.yaml" % (label, k))
        with open(path, "w") as f:
            f.write("incidents:\n  gap: %s\n" % gaps[k % 2])
        return path

    touched, everything = [], []
    for k in range(a.repeat):
        small = os.path.join(tmp, "small-%s-%d.jsonl" % (label, k))
        with open(small, "w") as f:
            f.write(lines(10 ** 7 + 10 * k, 5, a.assets))
        touched.append(record(ruru, home, register, small, config(k)))
        small = os.path.join(tmp, "small-%s-%d-all.jsonl" % (label, k))
        with open(small, "w") as f:
            f.write(lines(2 * 10 ** 7 + 10 * k, 5, a.assets))
        everything.append(record(ruru, home, register, small, config(k + 1)))
    t, e = statistics.median(touched), statistics.median(everything)
    return {"register": label, "fill_s": fill, "touched_s": t, "all_s": e, "gain": e / t}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ruru", default=os.path.join(ROOT, "build", "ruru"))
    ap.add_argument("--sightings", type=int, default=20000)
    ap.add_argument("--assets", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg-url", help=argparse.SUPPRESS)
    a = ap.parse_args()
    ruru = os.path.abspath(a.ruru)
    if a.pg_url is None and os.environ.get("RURU_TEST_REGISTER") is None:
        # run again beside a throwaway PostgreSQL cluster, fsync on, when there is one
        env = dict(os.environ, RURU_PG_FSYNC="on")
        r = subprocess.run(["sh", os.path.join(ROOT, "tests", "pg", "with_pg.sh"), sys.executable]
                           + sys.argv, env=env)
        if r.returncode != 77:
            return r.returncode
    rows = []
    with tempfile.TemporaryDirectory(prefix="ruru-bench-register-") as tmp:
        rows.append(bench(ruru, tmp, None, "sqlite", a))
        base = os.environ.get("RURU_TEST_REGISTER")
        if base:
            sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
            import pglib
            rows.append(bench(ruru, tmp, pglib.fresh_db(base, "ruru_bench"), "postgresql", a))
    print("register: %d sightings on %d assets; a recording of 5 lines (15 sightings) on 5 "
          "assets, median of %d" % (a.sightings, a.assets, a.repeat))
    print("%-11s %10s %12s %12s %8s" % ("register", "fill s", "touched s", "all s", "all/t"))
    for r in rows:
        print("%-11s %10.2f %12.3f %12.3f %7.1fx" % (r["register"], r["fill_s"], r["touched_s"],
                                                    r["all_s"], r["gain"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
