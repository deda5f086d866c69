#!/usr/bin/env python3
"""Sweep benchmark: `ruru scan` beside `rg -F -c -f`, `grep -F -c -f` and a memchr line count
on the same corpus, with the generator's ground truth checked.

The corpus comes from ../shared/bench/gen_corpus.py (default --mb 1024; cached under
bench/out/scan-MB/). For each IOC list size N it imports iocs-N.csv into a fresh store
(timed: that is the index's source), sweeps logs/ once to build and cache the match index
(timed: "compile"), then sweeps with 1 and 2 threads in turn from the cached index (the best
of --reps rounds), and runs rg and grep on the same files with iocs-N.txt. Each run prints wall seconds, MB/s and peak RSS; the
ratios are ruru's throughput over rg's and grep's.

Ground truth: every sighting must be on a planted line (truth-N.jsonl) and follow the
matching semantics for the observed value (an address inside the indicator's range, a host
equal to or under the indicator domain, the same URL/hash); every planted hit must be found;
no decoy line may be reported. The generator writes some access.log "domain" hits whose value
it then leaves out of the line (the referrer is "-" half of the time): those are listed as
absent and not counted as misses.

Compressed inputs (`--only compressed` runs this part alone): gzip -6 and zstd -3 copies of
the corpus logs (cached in bench/out/scan-MB/gz/ and zst/ of this tree), swept as directories
with -j 1 and -j 2 beside the plain logs, with the middle list and ruru's own rules, in the
same run; each inflater alone on the same gzip files (bench/zinflate: zlib, ISA-L, libdeflate
when built with it). The ratios: the gzip sweep over zlib alone, ISA-L over zlib, and the
compressed sweeps over the plain one at the same number of threads (per core). The sightings
must be the plain sweep's, but for the file names, and the same with 1 and 2 threads.
"""
import argparse, ipaddress, json, os, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, timeout=None, stdout=subprocess.DEVNULL, env=None):
    """Wall seconds and peak RSS (MB) of one command, via /usr/bin/time; env: variables added."""
    t0 = time.monotonic()
    full = ["/usr/bin/time", "-f", "%M"] + cmd
    try:
        p = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout,
                           env=dict(os.environ, **env) if env else None)
    except subprocess.TimeoutExpired:
        return None, None, None
    dt = time.monotonic() - t0
    rss = int(p.stderr.decode().strip().splitlines()[-1]) / 1024.0
    return dt, rss, p.returncode


def has_avx512():
    """Does this processor have what the sweep's AVX-512 cut needs (AVX-512 F and BW, BMI1 and
    BMI2: ruru_simd_avx512)?"""
    need = (" avx512f ", " avx512bw ", " bmi1 ", " bmi2 ")
    try:
        with open("/proc/cpuinfo") as f:
            return any(l.startswith("flags") and all(n in l + " " for n in need) for l in f)
    except OSError:
        return False


def holds(ind, obs):
    """Does indicator value `ind` match observed value `obs` under DESIGN.md §4?"""
    try:
        if "/" in ind and ":" not in ind.split("/")[0] or ind.count(":") >= 2:
            net = ipaddress.ip_network(ind, strict=False)
            return ipaddress.ip_address(obs) in net
    except ValueError:
        pass
    if "://" in ind:
        return obs.rstrip("/") == ind.rstrip("/") or obs.split("://", 1)[-1] == ind.split("://", 1)[-1]
    o, i = obs.lower().rstrip("."), ind.lower()
    return o == i or o.endswith("." + i)


def check_truth(corpus, n, sightings_path):
    truth = [json.loads(l) for l in open(os.path.join(corpus, "truth-%d.jsonl" % n))]
    decoys = {(d["file"], d["line"]) for d in map(json.loads, open(os.path.join(corpus, "decoys-%d.jsonl" % n)))}
    lines = {}
    for t in truth:
        lines.setdefault(t["file"], set()).add(t["line"])
    text = {}
    for f, want in lines.items():
        with open(os.path.join(corpus, f), "rb") as fh:
            for i, l in enumerate(fh, 1):
                if i in want:
                    text[(f, i)] = l.decode("utf-8", "replace")
    present = [t for t in truth if t["observed"] in text.get((t["file"], t["line"]), "")]
    absent = len(truth) - len(present)
    got, wrong, on_decoy = set(), 0, 0
    planted = {(t["file"], t["line"]) for t in truth}
    for l in open(sightings_path):
        s = json.loads(l)
        if "indicator" not in s["ruru"]:
            continue  # a detection rule's sighting (ruru's built-in rules): not the list's
        key = (s["log"]["file"]["path"].split(corpus + "/", 1)[-1], s["ruru"]["line"])
        ind = s["ruru"]["indicator"]["value"]
        got.add(key + (ind,))
        if key in decoys:
            on_decoy += 1
        if key not in planted or not holds(ind, s["ruru"]["observed"]):
            wrong += 1
    found = sum(1 for t in present if (t["file"], t["line"], t["indicator"]) in got)
    return len(present), found, absent, wrong, on_decoy, len(got)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ruru", default=os.path.join(ROOT, "build", "ruru"))
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--sizes", default="1000,100000,1000000")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--timeout", type=int, default=900, help="seconds before rg/grep are cut off")
    ap.add_argument("--no-grep", action="store_true", help="skip rg and grep")
    ap.add_argument("--reps", type=int, default=3, help="sweeps per setting (the best is kept)")
    ap.add_argument("--no-portable", action="store_true",
                    help="skip the sweep with the portable code (RURU_NO_SIMD=1) that must give "
                         "the same sightings and summary")
    ap.add_argument("--no-scaling", action="store_true",
                    help="skip 1 -> 2 threads on one large file and on many small files")
    ap.add_argument("--only", choices=("all", "compressed"), default="all",
                    help="'compressed': only the compressed inputs (gzip, zstd) and the "
                         "inflaters alone")
    ap.add_argument("--zinflate", default=os.path.join(ROOT, "build", "release", "zinflate"),
                    help="the inflaters alone (bench/zinflate.c, built with the release build)")
    ap.add_argument("--whole", type=int, default=200,
                    help="also sweep the middle list plus this many each of user agents, file "
                         "names, uri paths and strings (values matched whole, none in the "
                         "corpus): the cost of such intel; 0 skips it")
    a = ap.parse_args()
    corpus = os.path.join(a.out, "scan-%d" % a.mb)
    gen = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
    if not os.path.exists(os.path.join(corpus, "truth-%s.jsonl" % a.sizes.split(",")[-1])):
        subprocess.run([sys.executable, gen, "--out", corpus, "--mb", str(a.mb), "--iocs", a.sizes], check=True)
    logs = os.path.join(corpus, "logs")
    files = sorted(os.path.join(logs, f) for f in os.listdir(logs))
    mb = sum(os.path.getsize(f) for f in files) / 1048576.0
    avx512 = has_avx512()
    print("corpus: %s, %.0f MiB in %d files, %d cores%s"
          % (corpus, mb, len(files), os.cpu_count(), ", AVX-512 BW" if avx512 else ""), flush=True)
    if a.only == "compressed":
        compressed(a, corpus, files, mb)
        return 0
    wc = None
    for _ in range(a.reps):
        dt, rss, _ = run(["wc", "-l"] + files)
        wc = dt if wc is None or dt < wc else wc
    print("%-28s %8.2f s %8.0f MB/s %8.0f MB RSS" % ("wc -l (memchr)", wc, mb / wc, rss))
    for n in [int(x) for x in a.sizes.split(",")]:
        print("\n== %d indicators" % n)
        home = tempfile.mkdtemp(prefix="ruru-bench-")
        dt, rss, rc = run([a.ruru, "--home", home, "intel", "import", "--format", "json",
                           os.path.join(corpus, "iocs-%d.csv" % n)])
        print("%-28s %8.2f s %17s %8.0f MB RSS" % ("import", dt, "", rss), flush=True)
        out = os.path.join(home, "sightings.jsonl")
        results = {}
        # The index alone: a sweep of an empty input compiles it (first) or loads the cached
        # file (second); the RSS of the second is what the loaded index costs.
        empty = os.path.join(home, "empty.log")
        open(empty, "w").close()
        dt, rss, rc = run([a.ruru, "--home", home, "scan", "-q", empty])
        print("%-28s %8.2f s %17s %8.0f MB RSS" % ("index compile (empty sweep)", dt, "", rss))
        best = None
        for _ in range(a.reps):
            dt, rss, rc = run([a.ruru, "--home", home, "scan", "-q", empty])
            best = (dt, rss) if best is None or dt < best[0] else best
        print("%-28s %8.3f s %17s %8.0f MB RSS  (%.0f bytes per indicator)"
              % ("index load (empty sweep)", best[0], "", best[1], best[1] * 1048576 / n), flush=True)
        # The first sweep compiles and caches the index; the others load it. Timings on a shared
        # virtual machine wander: the sweeps are repeated, -j1 and -j2 in turn in each round (a
        # slow spell then falls on both), and the best of each is kept.
        # On a processor with AVX-512 BW the sweep's cut uses it; the same sweep kept to AVX2
        # (RURU_NO_AVX512) runs in the same rounds, for the ratio of the two.
        settings = [("scan (index build) -j2", ["-j", "2"], 1, None),
                    ("scan -j1", ["-j", "1"], a.reps, None), ("scan -j2", ["-j", "2"], a.reps, None)]
        if avx512:
            settings.append(("scan -j2, AVX2 only", ["-j", "2"], a.reps, {"RURU_NO_AVX512": "1"}))
        best = {}
        for round_ in range(max(r for _, _, r, _ in settings)):
            for label, extra, reps, env in settings:
                if round_ >= reps:
                    continue
                o = out + ".avx2" if env else out
                dt, rss, rc = run([a.ruru, "--home", home, "scan", "-q", "-o", o] + extra + files,
                                  env=env)
                if label not in best or dt < best[label][0]:
                    best[label] = (dt, rss, rc)
            if round_ == 0:
                dt, rss, rc = best["scan (index build) -j2"]
                print("%-28s %8.2f s %8.0f MB/s %8.0f MB RSS  (exit %d)"
                      % ("scan (index build) -j2", dt, mb / dt, rss, rc), flush=True)
        for label, extra, reps, env in settings[1:]:
            dt, rss, rc = best[label]
            results[label] = dt
            print("%-28s %8.2f s %8.0f MB/s %8.0f MB RSS  (exit %d)" % (label, dt, mb / dt, rss, rc),
                  flush=True)
        print("%-28s %8.2fx" % ("scaling 1 -> 2 threads", results["scan -j1"] / results["scan -j2"]))
        if avx512:
            same = open(out, "rb").read() == open(out + ".avx2", "rb").read()
            print("%-28s %8.2fx  (sightings %s)" % (
                "AVX-512 over AVX2 only", results["scan -j2, AVX2 only"] / results["scan -j2"],
                "the same byte for byte" if same else "DIFFERENT"))
        print("%-28s %7.1f %%  (-j1: %.1f %%)" % ("throughput / wc -l", 100 * wc / results["scan -j2"],
                                                 100 * wc / results["scan -j1"]))
        if not a.no_portable:
            portable(a, home, files, mb, out)
        present, found, absent, wrong, on_decoy, total = check_truth(corpus, n, out)
        print("truth: %d/%d planted hits found (%d listed but absent from their line), "
              "%d sightings, %d not justified, %d on decoy lines"
              % (found, present, absent, total, wrong, on_decoy))
        if not a.no_grep:
            txt = os.path.join(corpus, "iocs-%d.txt" % n)
            for label, cmd in (("rg -F -c -f", ["rg", "-F", "-c", "-f", txt] + files),
                               ("grep -F -c -f", ["env", "LC_ALL=C", "grep", "-F", "-c", "-f", txt] + files)):
                # Output to a pipe: GNU grep stops at the first match when it sees /dev/null.
                dt, rss, rc = run(cmd, timeout=a.timeout, stdout=subprocess.PIPE)
                if dt is None:
                    print("%-28s > %6d s (cut off)   ratio ruru -j2 > %.0fx" % (label, a.timeout, a.timeout / results["scan -j2"]))
                    continue
                print("%-28s %8.2f s %8.0f MB/s %8.0f MB RSS  ratio ruru -j2: %.1fx, -j1: %.1fx (exit %d)"
                      % (label, dt, mb / dt, rss, dt / results["scan -j2"], dt / results["scan -j1"], rc))
        middle = n == int(a.sizes.split(",")[len(a.sizes.split(",")) // 2])
        if a.whole > 0 and middle:
            whole_values(a, corpus, n, files, mb, results, out)
        if not a.no_scaling and middle:
            scaling(a, home, corpus, files)
        shutil.rmtree(home)
    compressed(a, corpus, files, mb)
    return 0


def compressed_copies(files, d, ext, cmd):
    """A compressed copy of each log in d (made once: cmd writes to standard output)."""
    os.makedirs(d, exist_ok=True)
    for f in files:
        dst = os.path.join(d, os.path.basename(f) + ext)
        if not os.path.exists(dst):
            with open(dst + ".tmp", "wb") as out:
                subprocess.run(cmd + [f], stdout=out, check=True)
            os.rename(dst + ".tmp", dst)
    return d


def same_sightings(a_path, b_path):
    """Do two sightings files hold the same sightings, but for the file names (logs/x.log,
    gz/x.log.gz and zst/x.log.zst are one log)?"""
    def norm(p):
        out = []
        for l in open(p, "rb"):
            s = json.loads(l)
            f = s["log"]["file"]
            base = os.path.basename(f["path"])
            f["path"] = base[:-3] if base.endswith(".gz") else base[:-4] if base.endswith(".zst") else base
            out.append(json.dumps(s, sort_keys=True))
        return out
    return norm(a_path) == norm(b_path)


def compressed(a, corpus, files, mb):
    """gzip and zstd inputs beside the plain logs, and the inflaters alone, in one run."""
    zroot = os.path.join(ROOT, "bench", "out", os.path.basename(corpus))
    print("\n== compressed inputs (gzip -6 and zstd -3 copies in %s/gz, zst)" % zroot, flush=True)
    gz = compressed_copies(files, os.path.join(zroot, "gz"), ".gz", ["gzip", "-6", "-n", "-c"])
    zst = compressed_copies(files, os.path.join(zroot, "zst"), ".zst", ["zstd", "-3", "-q", "-c"])
    gz_files = sorted(os.path.join(gz, f) for f in os.listdir(gz) if f.endswith(".gz"))
    sizes = a.sizes.split(",")
    n = int(sizes[len(sizes) // 2])
    print("%-28s %8.0f MiB gzip (%.1fx), %.0f MiB zstd (%.1fx); %d indicators, ruru's own rules"
          % ("compressed", sum(map(os.path.getsize, gz_files)) / 1048576.0,
             mb * 1048576.0 / sum(map(os.path.getsize, gz_files)),
             sum(os.path.getsize(os.path.join(zst, f)) for f in os.listdir(zst)) / 1048576.0,
             mb * 1048576.0 / sum(os.path.getsize(os.path.join(zst, f)) for f in os.listdir(zst)),
             n), flush=True)
    home = tempfile.mkdtemp(prefix="ruru-bench-")
    run([a.ruru, "--home", home, "intel", "import", "--format", "json",
         os.path.join(corpus, "iocs-%d.csv" % n)])
    empty = os.path.join(home, "empty.log")
    open(empty, "w").close()
    run([a.ruru, "--home", home, "scan", "-q", empty])  # builds and caches the index
    inflaters = ["zlib", "isal"]
    if subprocess.run([a.zinflate, "libdeflate", empty], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 2:
        inflaters.append("libdeflate")
    # Every setting once per round, the best of the rounds kept: the VM's noise falls on all.
    settings = [("inflate alone, " + z, [a.zinflate, z] + gz_files, None) for z in inflaters]
    for kind, inputs in (("plain", files), ("gzip", [gz]), ("zstd", [zst])):
        for j in ("1", "2"):
            out = os.path.join(home, "%s-j%s.jsonl" % (kind, j))
            settings.append(("scan -j%s %s" % (j, kind),
                             [a.ruru, "--home", home, "scan", "-q", "-o", out, "-j", j] + inputs, out))
    best = {}
    for _ in range(a.reps):
        for label, cmd, out in settings:
            if out is None:
                p = subprocess.run(cmd, stdout=subprocess.PIPE, check=True)
                nbytes, dt = p.stdout.split()
                dt = float(dt)
                if int(nbytes) != int(mb * 1048576 + 0.5):
                    print("%s: %s bytes, not the corpus's" % (label, nbytes))
            else:
                dt, rss, rc = run(cmd)
            if label not in best or dt < best[label]:
                best[label] = dt
    for label, cmd, out in settings:
        print("%-28s %8.2f s %8.0f MB/s" % (label.replace("isal", "ISA-L"), best[label],
                                             mb / best[label]), flush=True)
    zlib, isal = best["inflate alone, zlib"], best["inflate alone, isal"]
    t = lambda k, j: best["scan -j%s %s" % (j, k)]
    print("ratios: ISA-L alone / zlib alone %.2fx; sweep gzip / zlib alone: -j2 %.2fx, -j1 %.2fx"
          % (zlib / isal, zlib / t("gzip", 2), zlib / t("gzip", 1)))
    print("        per core, compressed / plain: gzip -j1 %.0f %%, -j2 %.0f %%; zstd -j1 %.0f %%, "
          "-j2 %.0f %%" % (100 * t("plain", 1) / t("gzip", 1), 100 * t("plain", 2) / t("gzip", 2),
                           100 * t("plain", 1) / t("zstd", 1), 100 * t("plain", 2) / t("zstd", 2)))
    print("        1 -> 2 threads: plain %.2fx, gzip %.2fx, zstd %.2fx"
          % (t("plain", 1) / t("plain", 2), t("gzip", 1) / t("gzip", 2), t("zstd", 1) / t("zstd", 2)))
    out = lambda k, j: os.path.join(home, "%s-j%s.jsonl" % (k, j))
    same = all(same_sightings(out("plain", "1"), out(k, j)) for k in ("gzip", "zstd") for j in "12")
    same_j = all(open(out(k, "1"), "rb").read() == open(out(k, "2"), "rb").read()
                 for k in ("plain", "gzip", "zstd"))
    print("sightings: gzip and zstd the plain logs' (but for the names): %s; -j1 and -j2 byte for "
          "byte: %s" % ("yes" if same else "NO", "yes" if same_j else "NO"), flush=True)
    shutil.rmtree(home)


def portable(a, home, files, mb, out):
    """The same sweep with the portable code instead of the vector code: the sightings and
    the summary (coverage counts, first and last times) must be the same, byte for byte."""
    sums = []
    for env, o in ((None, out), (dict(os.environ, RURU_NO_SIMD="1"), out + ".portable")):
        summary = os.path.join(home, "summary%d.json" % len(sums))
        t0 = time.monotonic()
        subprocess.run([a.ruru, "--home", home, "scan", "-q", "-j", "2", "-o", o, "--summary", summary]
                       + files, env=env, stdout=subprocess.DEVNULL)
        dt = time.monotonic() - t0  # the portable sweep's, the last
        sums.append(open(summary, "rb").read())
    same = open(out, "rb").read() == open(out + ".portable", "rb").read() and sums[0] == sums[1]
    print("%-28s %8.2f s %8.0f MB/s  same sightings and summary as the vector code: %s"
          % ("scan -j2, portable code", dt, mb / dt, "yes" if same else "NO"), flush=True)
    os.unlink(out + ".portable")


def split_logs(corpus, files, piece):
    """The corpus cut into files of about `piece` bytes at line ends, each with its log's header
    lines (Zeek and W3C need them), cached in corpus/small-N/."""
    d = os.path.join(corpus, "small-%d" % piece)
    if os.path.isdir(d) and os.listdir(d):
        return sorted(os.path.join(d, f) for f in os.listdir(d))
    os.makedirs(d, exist_ok=True)
    for f in files:
        name = os.path.basename(f)
        stem, ext = os.path.splitext(name)
        with open(f, "rb") as src:
            head, body, k = [], [], 0
            line = src.readline()
            while line.startswith(b"#"):
                head.append(line)
                line = src.readline()
            size = 0
            while line:
                body.append(line)
                size += len(line)
                line = src.readline()
                if size >= piece or not line:
                    with open(os.path.join(d, "%s-%04d%s" % (stem, k, ext)), "wb") as out:
                        out.writelines(head + body)
                    body, size, k = [], 0, k + 1
    return sorted(os.path.join(d, f) for f in os.listdir(d))


def scaling(a, home, corpus, files):
    """1 -> 2 threads on the largest log alone and on the corpus cut into 1 MiB files."""
    big = max(files, key=os.path.getsize)
    small = split_logs(corpus, files, 1 << 20)
    for label, inputs in (("one file (%s)" % os.path.basename(big), [big]),
                          ("%d files of 1 MiB" % len(small), small)):
        mb = sum(os.path.getsize(f) for f in inputs) / 1048576.0
        t = {}
        for _ in range(a.reps):
            for j in ("1", "2"):  # in turn, as above
                dt, rss, rc = run([a.ruru, "--home", home, "scan", "-q", "-o", os.devnull, "-j", j] + inputs)
                t[j] = dt if j not in t or dt < t[j] else t[j]
        print("%-28s -j1 %6.2f s  -j2 %6.2f s (%4.0f MB/s)  1 -> 2 threads %.2fx"
              % (label[:28], t["1"], t["2"], mb / t["2"], t["1"] / t["2"]), flush=True)


def whole_values(a, corpus, n, files, mb, results, base_out):
    """The same list plus values matched whole (user agents, file names, uri paths, strings)
    that occur nowhere in the corpus: the sightings must be the same, the time shows what
    asking every line's user agent, path and fields about them costs."""
    home = tempfile.mkdtemp(prefix="ruru-bench-")
    csv = os.path.join(home, "whole.csv")
    with open(csv, "w") as f, open(os.path.join(corpus, "iocs-%d.csv" % n)) as src:
        f.write(src.read())
        for i in range(a.whole):
            f.write("user-agent,EvilAgent/%d.0 (compatible; x%d)\n" % (i, i))
            f.write("filename,payload%d.aspx\n" % i)
            f.write("uri,/owa/auth/shell%d.aspx\n" % i)
            f.write("string,MalwareString%d\n" % i)
    run([a.ruru, "--home", home, "intel", "import", "--format", "json", csv])
    out = os.path.join(home, "sightings.jsonl")
    empty = os.path.join(home, "empty.log")
    open(empty, "w").close()
    run([a.ruru, "--home", home, "scan", "-q", empty])  # builds and caches the index
    best = None
    for _ in range(a.reps):
        dt, rss, rc = run([a.ruru, "--home", home, "scan", "-q", "-o", out, "-j", "2"] + files)
        best = (dt, rss) if best is None or dt < best[0] else best
    same = open(out).read().count("\n") == open(base_out).read().count("\n") if os.path.exists(base_out) else None
    print("%-28s %8.2f s %8.0f MB/s %8.0f MB RSS  (+%d whole values of each kind: %.2fx the time; "
          "same sightings: %s)" % ("scan -j2, whole values", best[0], mb / best[0], best[1],
                                   a.whole, best[0] / results["scan -j2"], same))
    shutil.rmtree(home)


if __name__ == "__main__":
    sys.exit(main())
