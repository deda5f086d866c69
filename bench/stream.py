#!/usr/bin/env python3
"""Stream benchmark: `ruru stream` on librdkafka's mock cluster (kmock) beside `ruru scan` on
the same lines from a file.

The corpus comes from ../shared/bench/gen_corpus.py (default --mb 64; cached under
bench/out/scan-MB/, as bench/scan.py does): Apache lines (logs/access.log) and ECS JSON lines
(logs/events.jsonl), swept with iocs-1000.csv. For each format, the lines are produced with
kcat to a topic of P partitions (one kcat per partition), as messages of one line each, then
as messages of --multi lines each (shippers batch); one worker (`-j 1`, the default) then
sweeps the topic. Its rate is lines per second, timed by its status file
($RURU_HOME/stream/GROUP-CLIENTID.json, written every --stats-ms) from the first status that
says it holds partitions to the first that counts every line: loading the engine and joining
the group are not counted. `ruru scan -j 1` sweeps the same lines
from a file; its rate leaves out the engine's loading (the time of a sweep of an empty file).

The Kafka side alone: bench/kconsume.c, a group member with the worker's consumer settings
that only counts what it reads, on the same topic (timed from its first message to its last).
What it reaches is the most a worker can on these brokers and cores; stream/Kafka alone is
what the sweep costs beside the fetching.

Two workers in one group are timed the same way on the one-line messages, from the first
status where both hold partitions.

Latency: one worker on a topic fed at --latency-rate lines/s (default: half the one-line ECS
rate measured), then at a quarter of that, for --latency-seconds each; every 100th line
carries an indicator. A planted
line's produce time is its message's timestamp (kcat's CreateTime), its sighting's is the
timestamp of the sighting's message on the sightings topic (the worker's CreateTime); the
difference, per planted line, gives p50 and p99.

kmock keeps about 5 MB per partition (older messages are dropped), so what is produced before
a worker starts is kept under 4 MB a partition: --partitions (default 48) sets how many lines
a run has (1.2 million Apache lines, 336,000 ECS lines).
"""
import argparse, json, math, os, resource, shutil, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "stream"))
import kafkatest as kt  # noqa: E402

PER_PARTITION = 4 << 20  # bytes produced to a partition before a worker starts


def lines_of(path, max_bytes, multiple):
    """The file's lines, again from the start when it ends, up to max_bytes; as many as a
    multiple of `multiple` (so that every batch of a worker is full and none waits for more)."""
    with open(path) as f:
        src = [l.rstrip("\n") for l in f]
    out, n = [], 0
    while n + len(src[len(out) % len(src)]) + 1 <= max_bytes:
        l = src[len(out) % len(src)]
        out.append(l)
        n += len(l) + 1
    return out[:len(out) - len(out) % multiple]


def produce(bootstraps, topic, partitions, messages, delim="\n"):
    """Messages spread over the partitions in turn, one kcat per partition, in parallel."""
    procs = []
    for p in range(partitions):
        part = messages[p::partitions]
        cmd = ["kcat", "-P", "-b", bootstraps, "-t", topic, "-p", str(p), "-X", "linger.ms=20",
               "-X", "batch.num.messages=10000", "-X", "queue.buffering.max.messages=1000000",
               "-X", "message.max.bytes=10000000"]
        if delim != "\n":
            cmd += ["-D", delim]
        pr = subprocess.Popen(cmd, stdin=subprocess.PIPE, text=True)
        procs.append((pr, "".join(m + delim for m in part)))
    threads = [threading.Thread(target=lambda pr, d: pr.communicate(d), args=x) for x in procs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for pr, _ in procs:
        if pr.returncode != 0:
            raise RuntimeError("kcat -P failed")


def read_status(home, group, client):
    try:
        with open(os.path.join(home, "stream", "%s-%s.json" % (group, client))) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cpu_of(pid):
    """CPU seconds a process has used (its threads summed), and its main thread's seconds on a
    CPU and waiting for one (schedstat: the worker's main thread is its sweeping thread)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/stat" % (pid, t)) as f:
                st = f.read().rsplit(")", 1)[1].split()
            total += (int(st[11]) + int(st[12])) / tick
        with open("/proc/%d/schedstat" % pid) as f:
            on, waiting = (int(x) / 1e9 for x in f.read().split()[:2])
    except OSError:
        return None
    return total, on, waiting


def cpu_snap(workers, kmock_pid):
    return [cpu_of(w.p.pid) for w in workers], cpu_of(kmock_pid) if kmock_pid else None


def cores(a, b, dt):
    """Cores used between two cpu_snap()s, dt seconds apart: the workers' processes, their
    sweeping threads on a CPU and waiting for one, and kmock's."""
    if any(x is None for x in a[0] + b[0]) or a[1] is None or b[1] is None:
        return None
    d = [[(y - x) / dt for x, y in zip(p, q)] for p, q in zip(a[0], b[0])]
    return {"workers": sum(x[0] for x in d), "sweep": sum(x[1] for x in d),
            "runq": sum(x[2] for x in d), "kmock": (b[1][0] - a[1][0]) / dt}


def time_workers(a, home, bootstraps, topic, fmt, n_lines, n_workers, tag, batch, sightings):
    """The best of --reps runs (a new group each, reading the topic from its start): timings
    on a shared VM wander. (lines/s, the cores that run used)"""
    return max((time_run(a, home, bootstraps, topic, fmt, n_lines, n_workers, "%s-%d" % (tag, k),
                         batch, sightings) for k in range(a.reps)), key=lambda r: r[0])


def time_run(a, home, bootstraps, topic, fmt, n_lines, n_workers, tag, batch, sightings):
    """Starts n_workers on topic; lines/s from the first status where every one of them has
    swept a batch to the one where all lines are swept (the first batches left out: they wait
    for the first fetches), and the cores used meanwhile (cores())."""
    group = "g-" + tag
    workers = []
    for w in range(n_workers):
        args = ["--brokers", bootstraps, "--group", group, "--topic", "%s=%s" % (topic, fmt),
                "--client-id", "w%d" % w, "--stats-ms", str(a.stats_ms), "--batch", str(batch),
                "--sightings-topic", sightings, "-q"]
        workers.append(kt.Worker(a.ruru, home, args, os.path.join(home, "%s-w%d.log" % (tag, w))))
    start = end = None
    deadline = time.monotonic() + a.timeout
    try:
        while time.monotonic() < deadline:
            st = [read_status(home, group, "w%d" % w) for w in range(n_workers)]
            now = time.monotonic()
            if all(s is not None for s in st):
                lines = sum(s["lines"] for s in st)
                if start is None and all(s["lines"] > 0 for s in st):
                    start = (now, lines, cpu_snap(workers, a.kmock_pid))
                if lines >= n_lines:
                    end = (now, lines, cpu_snap(workers, a.kmock_pid))
                    break
            time.sleep(a.stats_ms / 4000.0)
    finally:
        for w in workers:
            w.stop()
    if start is None or end is None or end[0] <= start[0]:
        raise RuntimeError("%s: the workers did not sweep the %d lines (see %s)"
                           % (tag, n_lines, workers[0].log_path))
    return (end[1] - start[1]) / (end[0] - start[0]), cores(start[2], end[2], end[0] - start[0])


def kafka_rate(a, bootstraps, topic, n_messages, tag):
    """The Kafka side alone (bench/kconsume.c: a member configured as a worker's consumer that
    only counts), lines/s from its first message to its last, the best of --reps; and the CPU
    seconds kconsume and kmock spent on that run, per message."""
    best, cpu = 0.0, None
    for k in range(a.reps):
        r0, k0 = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_of(a.kmock_pid)
        r = subprocess.run([a.kconsume, bootstraps, "k-%s-%d" % (tag, k), topic, str(n_messages)],
                           capture_output=True, text=True, timeout=a.timeout + 30)
        if r.returncode != 0:
            raise RuntimeError("kconsume %s: %s" % (topic, r.stderr.strip() or r.stdout))
        r1, k1 = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_of(a.kmock_pid)
        got, lines, secs = r.stdout.split()
        if int(lines) / float(secs) > best:
            best = int(lines) / float(secs)
            cpu = ((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / n_messages,
                   (k1[0] - k0[0]) / n_messages if k0 and k1 else 0.0)
    return best, cpu


def scan_rate(a, home, lines):
    """`ruru scan -j 1` of the lines from a file, the engine's loading left out."""
    path = os.path.join(home, "lines.log")
    with open(path, "w") as f:
        f.write("".join(l + "\n" for l in lines))
    empty = os.path.join(home, "empty.log")
    open(empty, "w").close()
    best = None
    for _ in range(a.reps):
        t = time.monotonic()
        subprocess.run([a.ruru, "--home", home, "scan", "-q", "-j", "1", empty],
                       stdout=subprocess.DEVNULL, check=False)
        t0 = time.monotonic() - t
        t = time.monotonic()
        subprocess.run([a.ruru, "--home", home, "scan", "-q", "-j", "1", path],
                       stdout=subprocess.DEVNULL, check=False)
        dt = time.monotonic() - t - t0
        best = dt if best is None or dt < best else best
    return len(lines) / best


def latency(a, home, cluster, rate, planted_ip, ecs, tag):
    """Lines at `rate` per second to a topic one worker sweeps; p50 and p99 in seconds from
    produce to sighting, over the planted lines."""
    topic, sightings = "lat-" + tag, "lat-sightings-" + tag
    cluster.command("topic %s %d" % (topic, 2))
    cluster.command("topic %s 1" % sightings)
    group = "g-lat-" + tag
    w = kt.Worker(a.ruru, home, ["--brokers", cluster.bootstraps, "--group", group, "--topic",
                                 topic + "=jsonl", "--sightings-topic", sightings,
                                 "--client-id", "w0", "--stats-ms", str(a.stats_ms), "-q"],
                  os.path.join(home, "lat-%s-w0.log" % tag))
    kt.wait_for(lambda: (read_status(home, group, "w0") or {}).get("assigned_partitions"), 60, 0.05)
    kc = subprocess.Popen(["kcat", "-P", "-b", cluster.bootstraps, "-t", topic, "-X",
                           "linger.ms=5"], stdin=subprocess.PIPE, text=True)
    n = int(rate * a.latency_seconds)
    step = 0.01  # a burst every 10 ms
    per = max(1, int(rate * step))
    t0 = time.monotonic()
    i = 0
    planted = 0
    while i < n:
        burst = []
        for _ in range(per):
            l = ecs[i % len(ecs)]
            if i % 100 == 0:
                d = json.loads(l)
                d.setdefault("source", {})["ip"] = planted_ip
                l = json.dumps(d, separators=(",", ":"))
                planted += 1
            burst.append(l + "\n")
            i += 1
        kc.stdin.write("".join(burst))
        kc.stdin.flush()
        wait = t0 + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    kc.stdin.close()
    kc.wait(timeout=60)
    produced_s = time.monotonic() - t0
    kt.wait_for(lambda: (read_status(home, group, "w0") or {}).get("lines", 0) >= n, 60, 0.05)
    time.sleep(1)
    w.stop()
    # produce times of the planted lines' messages, by partition and offset
    r = subprocess.run(["kcat", "-C", "-b", cluster.bootstraps, "-t", topic, "-e", "-q", "-f",
                        "%p %o %T %s\n"], capture_output=True, text=True, timeout=300)
    sent = {}
    for l in r.stdout.splitlines():
        p, o, ts, body = l.split(" ", 3)
        if planted_ip in body:
            sent["kafka:%s/%s/%s" % (topic, p, o)] = int(ts)
    r = subprocess.run(["kcat", "-C", "-b", cluster.bootstraps, "-t", sightings, "-e", "-q", "-f",
                        "%T %s\n"], capture_output=True, text=True, timeout=300)
    got = {}
    for l in r.stdout.splitlines():
        ts, body = l.split(" ", 1)
        doc = json.loads(body)
        path = doc["log"]["file"]["path"]
        if path in sent and (doc.get("ruru", {}).get("observed") == planted_ip):
            got[path] = min(got.get(path, 1 << 62), int(ts))
    lat = sorted((got[k] - sent[k]) / 1000.0 for k in got)
    if not lat:
        raise RuntimeError("latency: no sighting of a planted line")
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    return pct(0.5), pct(0.99), len(lat), len(sent), n / produced_s


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ruru", default=os.path.join(ROOT, "build", "release", "ruru"))
    ap.add_argument("--kmock", default=os.path.join(ROOT, "build", "release", "kmock"))
    ap.add_argument("--kconsume", default=os.path.join(ROOT, "build", "release", "kconsume"))
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--partitions", type=int, default=48)
    ap.add_argument("--multi", type=int, default=1000, help="lines a message, the batched case")
    ap.add_argument("--multi-batch", type=int, default=4,
                    help="messages a worker's batch, the batched case (--batch)")
    ap.add_argument("--reps", type=int, default=3,
                    help="runs of each setting, scan and stream (the best is kept)")
    ap.add_argument("--stats-ms", type=int, default=20)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--latency-rate", type=float, default=0, help="lines/s (0: half the one-line "
                    "ECS rate of one worker)")
    ap.add_argument("--latency-seconds", type=float, default=10)
    a = ap.parse_args()
    corpus = os.path.join(a.out, "scan-%d" % a.mb)
    if not os.path.exists(os.path.join(corpus, "iocs-1000.csv")):
        gen = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
        subprocess.run([sys.executable, gen, "--out", corpus, "--mb", str(a.mb), "--iocs",
                        "1000"], check=True)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print("corpus %s, %d partitions, %d cores, load %s" % (corpus, a.partitions, os.cpu_count(),
                                                          " ".join(load)), flush=True)
    home = tempfile.mkdtemp(prefix="ruru-bench-stream-")
    subprocess.run([a.ruru, "--home", home, "intel", "import", "--format", "json",
                    os.path.join(corpus, "iocs-1000.csv")], stdout=subprocess.DEVNULL, check=True)
    planted_ip = next(l.split(",", 1)[1].strip() for l in open(os.path.join(corpus, "iocs-1000.csv"))
                      if l.startswith("ipv4,"))
    budget = PER_PARTITION * a.partitions
    # one-line messages: batches of 1,000 (the default) over 1 or 2 workers; many-line ones:
    # batches of --multi-batch messages
    unit = math.lcm(1000 * a.partitions, a.multi * a.multi_batch)
    kinds = (("apache", "apache", lines_of(os.path.join(corpus, "logs", "access.log"), budget,
                                           unit)),
             ("ecs", "jsonl", lines_of(os.path.join(corpus, "logs", "events.jsonl"), budget, unit)))
    cluster = kt.Cluster(a.kmock, ["sightings:%d" % a.partitions])
    a.kmock_pid = cluster.p.pid
    rows, one_rate = [], {}
    try:
        for name, fmt, lines in kinds:
            scan = scan_rate(a, home, lines)
            for per in (1, a.multi):
                topic = "%s-%d" % (name, per)
                cluster.command("topic %s %d" % (topic, a.partitions))
                msgs = ["\n".join(lines[i:i + per]) for i in range(0, len(lines), per)]
                produce(cluster.bootstraps, topic, a.partitions, msgs,
                        "\n" if per == 1 else "\x01")
                batch = 1000 if per == 1 else a.multi_batch
                one, one_cpu = time_workers(a, home, cluster.bootstraps, topic, fmt, len(lines),
                                            1, topic + "-1", batch, "sightings")
                row = {"case": "%s, %d line%s a message" % (name, per, "" if per == 1 else "s"),
                       "lines": len(lines), "stream": one, "scan": scan, "cpu": one_cpu,
                       "kafka": kafka_rate(a, cluster.bootstraps, topic, len(msgs), topic)}
                row["kafka"], row["kafka_cpu"] = row["kafka"]
                row["per"] = per
                if per == 1:
                    one_rate[name] = one
                    topic2 = topic + "-two"
                    cluster.command("topic %s %d" % (topic2, a.partitions))
                    produce(cluster.bootstraps, topic2, a.partitions, msgs)
                    row["two"], row["two_cpu"] = time_workers(a, home, cluster.bootstraps, topic2,
                                                              fmt, len(lines), 2, topic2, batch,
                                                              "sightings")
                rows.append(row)
                print("%-32s %7d lines  1 worker %9.0f lines/s  scan -j1 %9.0f lines/s  %.2fx  "
                      "Kafka alone %9.0f lines/s  %.2fx%s"
                      % (row["case"], row["lines"], one, scan, one / scan, row["kafka"],
                         one / row["kafka"],
                         "  2 workers %9.0f lines/s  %.2fx" % (row["two"], row["two"] / one)
                         if "two" in row else ""), flush=True)
        rate = a.latency_rate or one_rate["ecs"] / 2
        lats = []
        for k, r in enumerate((rate, rate / 4)):
            lats.append((r,) + latency(a, home, cluster, r, planted_ip, kinds[1][2], str(k)))
    finally:
        cluster.close()
    print("\n| case | lines | 1 worker (lines/s) | ruru scan -j 1 (lines/s) | stream/scan | "
          "Kafka alone (lines/s) | stream/Kafka alone | 2 workers (lines/s) | 2/1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %d | %.0f | %.0f | %.2f× | %.0f | %.2f× | %s | %s |"
              % (r["case"], r["lines"], r["stream"], r["scan"], r["stream"] / r["scan"],
                 r["kafka"], r["stream"] / r["kafka"],
                 "%.0f" % r["two"] if "two" in r else "", "%.2f×" % (r["two"] / r["stream"])
                 if "two" in r else ""))
    print()
    print("\nCores used while timed (of %d): the workers' processes, their sweeping threads on a "
          "CPU and waiting for one, kmock's brokers\n" % os.cpu_count())
    print("| case | workers | all | worker processes | sweeping threads on a CPU | waiting for "
          "a CPU | kmock |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        for n, c in ((1, r.get("cpu")), (2, r.get("two_cpu"))):
            if c is not None:
                print("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |"
                      % (r["case"], n, c["workers"] + c["kmock"], c["workers"], c["sweep"],
                         c["runq"], c["kmock"]))
    print("\nWhat a line costs, in µs of CPU: fetching it (Kafka alone: kconsume and kmock, "
          "over the lines of its run) and sweeping it (`ruru scan -j 1`, one thread); with both "
          "on %d cores, no worker could pass the bound\n" % os.cpu_count())
    print("| case | fetching (kconsume + kmock) | sweeping | bound on %d cores | bound/scan |"
          % os.cpu_count())
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        if r.get("kafka_cpu"):
            fetch = (r["kafka_cpu"][0] + r["kafka_cpu"][1]) / r["per"] * 1e6
            sweep = 1e6 / r["scan"]
            bound = os.cpu_count() / (fetch + sweep) * 1e6
            print("| %s | %.2f | %.2f | %.0f lines/s | %.2f× |"
                  % (r["case"], fetch, sweep, bound, bound / r["scan"]))
    print()
    for r, p50, p99, n_got, n_sent, achieved in lats:
        print("latency, ECS one-line messages at %.0f lines/s (asked %.0f) for %.0f s: "
              "p50 %.3f s, p99 %.3f s (%d of %d planted lines seen)"
              % (achieved, r, a.latency_seconds, p50, p99, n_got, n_sent))
    shutil.rmtree(home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
