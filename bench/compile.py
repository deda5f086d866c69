#!/usr/bin/env python3
"""Rule-compile benchmark: what loading and compiling a rule file costs, on files written to be
hard (rule files are attacker-controlled) and on SigmaHQ's trees.

Each file is written under bench/out/compile/ and loaded with `ruru rules lint
--no-default-rules FILE` (which loads and compiles as a sweep does), once per binary given,
the binaries taking turns; the wall time and the peak resident memory of each run are shown,
and a run past --timeout seconds is stopped and shown as such. With --base, an older build is
run beside --ruru: the side-by-side ratio is the claim.

  windash-long   a 208-byte value with five dashes under windash (3,125 spellings), startswith
  list-30k       one item of 30,000 random 12-byte values
  list-60k       one item of 60,000 random 12-byte values
  or-20k         20,000 searches of one value each under "1 of s*"
  runs-10        ten rules of 3,125 values that share long runs (permutations of 5 separators)
  runs-64x64     64 rules of 64 values of ~190 bytes that share long runs
  sigmahq        ../shared/data/sigma/rules* (three trees), when present
"""
import argparse, itertools, os, random, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAD = "title: t%d\nlogsource: {product: linux}\ndetection:\n"


def rule(f, k, values, mods="contains"):
    f.write((HEAD % k) + "  s:\n    ne|%s:\n" % mods)
    for v in values:
        f.write("      - '%s'\n" % v)
    f.write("  condition: s\n")


def write(out):
    rnd = random.Random(1)
    word = lambda n: "".join(rnd.choice("abcdefghijklmnop") for _ in range(n))
    files = {}
    path = os.path.join(out, "windash-long.yml")
    with open(path, "w") as f:
        rule(f, 0, [" ".join("-" + c * 40 for c in "abcde")], "windash|startswith")
    files["windash-long"] = [path]
    for n in (30000, 60000):
        path = os.path.join(out, "list-%dk.yml" % (n // 1000))
        with open(path, "w") as f:
            rule(f, 0, [word(12) for _ in range(n)])
        files["list-%dk" % (n // 1000)] = [path]
    path = os.path.join(out, "or-20k.yml")
    with open(path, "w") as f:
        f.write(HEAD % 0)
        for i in range(20000):
            f.write("  s%d:\n    m|contains: '%s'\n" % (i, word(12)))
        f.write("  condition: 1 of s*\n")
    files["or-20k"] = [path]
    seps = ["-", "/", "=", "!", "."]
    path = os.path.join(out, "runs-10.yml")
    with open(path, "w") as f:
        for k, ch in enumerate("abcdefghij"):
            f.write("---\n" if k else "")
            rule(f, k, ["x".join(d + ch * 3 for d in c) for c in itertools.product(seps, repeat=5)])
    files["runs-10"] = [path]
    path = os.path.join(out, "runs-64x64.yml")
    with open(path, "w") as f:
        for k in range(64):
            f.write("---\n" if k else "")
            rule(f, k, ["r%d" % k + "x".join(d + "a" * 30 for d in c)
                        for c in itertools.product(["-", "/"], repeat=6)])
    files["runs-64x64"] = [path]
    sigma = os.path.join(ROOT, "..", "shared", "data", "sigma")
    trees = [os.path.join(sigma, d) for d in sorted(os.listdir(sigma))
             if d.startswith("rules")] if os.path.isdir(sigma) else []
    if trees:
        files["sigmahq"] = trees
    return files


def run(binary, paths, timeout):
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "rules", "lint", "--no-default-rules"] + paths,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t0 + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid != 0:
            return time.monotonic() - t0, ru.ru_maxrss / 1024.0
        if time.monotonic() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            return None, None
        time.sleep(0.005)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ruru", default=os.path.join(ROOT, "build", "ruru"))
    ap.add_argument("--base", help="an older build to run beside --ruru")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "compile"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    files = write(a.out)
    bins = [("ruru", a.ruru)] + ([("base", a.base)] if a.base else [])
    print("%-14s %10s" % ("file", "KB") +
          "".join(" %12s %10s" % (name + " s", "MB RSS") for name, _ in bins) +
          ("  base / ruru" if a.base else ""))
    for name, paths in files.items():
        size = sum(os.path.getsize(p) for p in paths if os.path.isfile(p)) / 1024.0
        best = {}
        for _ in range(a.reps):
            for label, binary in bins:
                if label in best and best[label][0] is None:
                    continue  # past the timeout once: not again
                t, rss = run(binary, paths, a.timeout)
                if label not in best or t is None or t < best[label][0]:
                    best[label] = (t, rss)
        row = "%-14s %10.1f" % (name, size) if size else "%-14s %10s" % (name, "-")
        for label, _ in bins:
            t, rss = best[label]
            row += " %12s %10s" % (("%.2f" % t) if t is not None else "> %.0f" % a.timeout,
                                   ("%.0f" % rss) if rss is not None else "-")
        if a.base:
            t, tb = best["ruru"][0], best["base"][0]
            row += "  " + ("%.1fx" % (tb / t) if t and tb else "> %.0fx" % (a.timeout / t)
                           if t and tb is None else "-")
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
