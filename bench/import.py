#!/usr/bin/env python3
"""Bulk-import benchmark: time and peak memory of `ruru intel import` on the shared corpus.

Generates (once, cached under bench/out/) the IOC lists of ../shared/bench/gen_corpus.py and
imports each list into a fresh store, reporting wall time, indicators per second and the
peak resident memory of the ruru process. Targets (issue 2): 1,000,000 indicators in <= 10 s
and <= 1 GB.
"""
import argparse, os, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ruru", default=os.path.join(ROOT, "build", "ruru"))
    ap.add_argument("--sizes", default="1000,100000,1000000")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    a = ap.parse_args()
    gen = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
    sizes = [int(s) for s in a.sizes.split(",")]
    if not all(os.path.exists(os.path.join(a.out, "iocs-%d.csv" % n)) for n in sizes):
        # The logs are not needed here: the smallest corpus that still writes every list.
        subprocess.run([sys.executable, gen, "--out", a.out, "--mb", "4", "--iocs", a.sizes],
                       check=True)
    print("%-12s %10s %10s %14s %10s" % ("indicators", "seconds", "MB RSS", "indicators/s",
                                         "store MB"))
    for n in sizes:
        path = os.path.join(a.out, "iocs-%d.csv" % n)
        home = tempfile.mkdtemp(prefix="ruru-bench-")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.monotonic()
        p = subprocess.run([a.ruru, "--home", home, "intel", "import", "--format", "json", path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.monotonic() - t0
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if p.returncode != 0:
            print(p.stderr.decode(), file=sys.stderr)
            return 1
        size = sum(os.path.getsize(os.path.join(home, f)) for f in os.listdir(home))
        # ru_maxrss of children is the largest child so far: meaningful because sizes grow.
        print("%-12d %10.2f %10.1f %14.0f %10.1f" % (n, dt, max(rss, before) / 1024.0, n / dt,
                                                     size / 1048576.0))
        shutil.rmtree(home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
