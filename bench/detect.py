#!/usr/bin/env python3
"""Detection benchmark: what rules and STIX patterns cost a sweep.

On the sweep benchmark's corpus (bench/out/scan-MB/, made by ../shared/bench/gen_corpus.py as
bench/scan.py makes it) with its 1,000-indicator list, the same logs are swept with:

  indicators        the list alone, --no-default-rules (the base)
  + built-in rules  ruru's own Exchange rules (rules/, the default)
  + SigmaHQ         every rule of ../shared/data/sigma/rules* (--rules, three trees) instead
  + built-in + SigmaHQ both
  + patterns, rare  20 STIX patterns of the kind intel carries (named hosts, hashes, addresses,
                    in AND / OR / FOLLOWEDBY / WITHIN), none of whose literals the logs hold
  + patterns, common 3 patterns whose literals a tenth of the web lines hold (Exchange paths,
                    a port, a regular expression): most of those lines are made objects
  + pattern, no needle one pattern with nothing literal to look for (an order and a CIDR):
                    every record that can show its types is made objects and asked

Each setting is swept with -j 2 (the whole corpus) and -j 1 (per log), best of --reps, the
settings taking turns in each round (the VM's speed drifts); the ratio is the setting's time
over the base's. Sightings are counted to show the work done.
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGMA = os.path.join(ROOT, "..", "shared", "data", "sigma")


def indicator(i, pattern):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--%08d-0000-4000-8000-000000000000" % i,
            "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
            "valid_from": "2000-01-01T00:00:00Z", "pattern_type": "stix", "pattern": pattern}


def rare_patterns():
    out = []
    for i in range(5):
        out.append("[domain-name:value = 'c2-%d.bench-evil.example' AND domain-name:value != 'x']" % i)
        out.append("[network-traffic:dst_ref.value = '198.18.%d.77' AND network-traffic:dst_port = 8443]" % i)
        out.append("[file:hashes.'SHA-256' = '%064x'] OR [file:name = 'benchshell%d.aspx']" % (i + 1, i))
        out.append("[url:value LIKE 'http://%%.bench-evil.example/gate%d.php%%'] FOLLOWEDBY "
                   "[domain-name:value = 'exfil-%d.bench-evil.example'] WITHIN 600 SECONDS" % (i, i))
    return out


COMMON = [
    "[network-traffic:extensions.'http-request-ext'.request_method = 'POST' AND "
    "network-traffic:extensions.'http-request-ext'.request_value LIKE '/owa/auth/%.aspx'] FOLLOWEDBY "
    "[network-traffic:extensions.'http-request-ext'.request_value LIKE '/ecp/%'] WITHIN 3600 SECONDS",
    "[network-traffic:dst_port = 4444 AND network-traffic:dst_ref.value ISSUBSET '10.0.0.0/8']",
    "[domain-name:value MATCHES '^[a-z0-9]{30,}\\\\.example$']",
]

NO_NEEDLE = ["[network-traffic:dst_port > 60000 AND network-traffic:src_ref.value ISSUBSET '10.0.0.0/8']"]


def timed(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return time.monotonic() - t0, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ruru", default=os.path.join(ROOT, "build", "ruru"))
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-per-log", action="store_true", help="skip the -j 1 sweeps of each log")
    a = ap.parse_args()
    corpus = os.path.join(a.out, "scan-%d" % a.mb)
    if not os.path.exists(os.path.join(corpus, "iocs-1000.csv")):
        gen = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
        subprocess.run([sys.executable, gen, "--out", corpus, "--mb", str(a.mb), "--iocs", "1000"], check=True)
    logs = os.path.join(corpus, "logs")
    files = sorted(os.path.join(logs, f) for f in os.listdir(logs))
    sigma = [d for d in ("rules", "rules-emerging-threats", "rules-threat-hunting")
             if os.path.isdir(os.path.join(SIGMA, d))]
    print("corpus: %s, %.0f MiB in %d files; SigmaHQ trees: %s"
          % (corpus, sum(os.path.getsize(f) for f in files) / 1048576.0, len(files), ", ".join(sigma)))

    def store(patterns):
        home = tempfile.mkdtemp(prefix="ruru-detect-")
        subprocess.run([a.ruru, "--home", home, "intel", "import", os.path.join(corpus, "iocs-1000.csv")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if patterns:
            path = os.path.join(home, "patterns.json")
            with open(path, "w") as f:
                json.dump({"type": "bundle", "id": "bundle--bench",
                           "objects": [indicator(i, p) for i, p in enumerate(patterns)]}, f)
            subprocess.run([a.ruru, "--home", home, "intel", "import", path], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return home

    sigma_args = []
    for d in sigma:
        sigma_args += ["--rules", os.path.join(SIGMA, d)]
    base_home = store(None)
    settings = [
        ("indicators", base_home, ["--no-default-rules"]),
        ("+ built-in rules", base_home, []),
        ("+ SigmaHQ", base_home, ["--no-default-rules"] + sigma_args),
        ("+ built-in + SigmaHQ", base_home, sigma_args),
        ("+ 20 patterns, rare", store(rare_patterns()), ["--no-default-rules"]),
        ("+ 3 patterns, common", store(COMMON), ["--no-default-rules"]),
        ("+ 1 pattern, no needle", store(NO_NEEDLE), ["--no-default-rules"]),
    ]
    # The VM's timings drift by tens of percent within minutes: the settings are run in turn,
    # round after round, and each keeps its best, so that a ratio compares runs made together.
    for label, home, extra in settings:
        subprocess.run([a.ruru, "--home", home, "scan", "-q"] + extra + [files[0]],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # caches the index
    best = [None] * len(settings)
    for _ in range(a.reps):
        for k, (label, home, extra) in enumerate(settings):
            dt, _ = timed([a.ruru, "--home", home, "scan", "-q", "-j", "2", "--summary",
                           os.path.join(home, "summary-%d.json" % k)] + extra + files)
            best[k] = dt if best[k] is None or dt < best[k] else best[k]
    print("\n%-24s %9s %7s %11s %11s %11s" % ("-j 2, whole corpus", "seconds", "ratio", "sightings",
                                              "from rules", "from patt."))
    for k, (label, home, extra) in enumerate(settings):
        with open(os.path.join(home, "summary-%d.json" % k)) as f:
            sc = json.load(f)["scan"]
        print("%-24s %8.2fs %6.2fx %11d %11d %11d" % (label, best[k], best[k] / best[0],
                                                      sc.get("sightings", 0),
                                                      sc.get("rule_sightings", 0),
                                                      sc.get("pattern_sightings", 0)), flush=True)
    if a.no_per_log:
        return
    print("\n-j 1, per log (seconds, ratio to the base)")
    print("%-24s" % "" + "".join("%18s" % os.path.basename(f) for f in files))
    cells = [[None] * len(files) for _ in settings]
    for i, f in enumerate(files):
        for _ in range(a.reps):
            for k, (label, home, extra) in enumerate(settings):
                dt, _ = timed([a.ruru, "--home", home, "scan", "-q", "-j", "1"] + extra + [f])
                cells[k][i] = dt if cells[k][i] is None or dt < cells[k][i] else cells[k][i]
    for k, (label, home, extra) in enumerate(settings):
        print("%-24s" % label + "".join("%10.2fs %5.2fx" % (cells[k][i], cells[k][i] / cells[0][i])
                                        for i in range(len(files))), flush=True)


if __name__ == "__main__":
    main()
