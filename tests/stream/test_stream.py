# SPDX-License-Identifier: Apache-2.0
"""`ruru stream` end to end on librdkafka's mock cluster (kmock), fed and read with kcat.

One group of sweep workers reads 100,000 log messages (--messages N) with planted lines from 3
partitions (--partitions N) while one is kill -9'd and restarted, a broker fails requests, a broker goes down and up
(long enough for deliveries to time out: batches are read again), a worker joins and one
leaves with SIGTERM. Every sighting `ruru scan` finds in the same lines must arrive on the
sightings topic, and the register must hold exactly the incidents and evidence of a `ruru
scan --record` of the lines. A recording worker reads the sightings topic (with a bad record
in it) into another register, which must hold the same. Then: --kafka-config errors, and the
intel changed while a worker runs.

Usage: test_stream.py --ruru RURU --kmock KMOCK --source REPO"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkatest as kt  # noqa: E402

SKIP = 77
RESULTS = {"passed": 0, "failed": 0}
T0 = [time.time()]

# indicator values of examples/intel, planted in the lines
PLANTED = [("source", "ip", "203.0.113.45"), ("destination", "ip", "198.51.100.23"),
           ("dns", "question", "mail.examplebank-update.example"),
           ("url", "domain", "owa-login.example")]


def check(ok, what):
    RESULTS["passed" if ok else "failed"] += 1
    print(("ok: " if ok else "FAILED: ") + what + " [%.0f s]" % (time.time() - T0[0]), flush=True)
    return ok


def line(i, planted=None):
    """An ECS JSON line of host ws-N; a planted one carries an indicator."""
    doc = {"@timestamp": "2024-07-12T%02d:%02d:%02dZ" % (1 + i // 3600 % 20, i // 60 % 60,
                                                        i % 60),
           "host": {"name": "ws-%d" % (i % 37)},
           "source": {"ip": "10.20.%d.%d" % (i // 250 % 250, i % 250)},
           "destination": {"ip": "10.30.0.%d" % (i % 200)},
           "event": {"action": "connection", "sequence": i}}
    if planted is not None:
        a, b, v = planted
        doc.setdefault(a, {})[b] = v
    return json.dumps(doc, separators=(",", ":"))


def corpus(n, every):
    lines = []
    for i in range(n):
        lines.append(line(i, PLANTED[(i // every) % len(PLANTED)] if i % every == 7 else None))
    return lines


def ruru_run(ruru, home, *args, ok=(0, 1), stdin=None):
    r = subprocess.run([ruru, "--home", home] + list(args), capture_output=True, text=True,
                       input=stdin, timeout=600)
    if r.returncode not in ok:
        raise RuntimeError("ruru %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ruru", required=True)
    ap.add_argument("--kmock", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--partitions", type=int, default=3)
    a = ap.parse_args()
    if shutil.which("kcat") is None or not os.access(a.kmock, os.X_OK):
        print("skipped: stream.kafka needs kcat and kmock (librdkafka's mock cluster)")
        if os.environ.get("CI") == "true":
            return 1
        return SKIP
    ruru = os.path.abspath(a.ruru)
    intel = os.path.join(a.source, "examples", "intel")
    tmp = tempfile.mkdtemp(prefix="ruru-stream-")
    keep = os.environ.get("RURU_KEEP_TMP")
    t0 = time.time()
    try:
        return run(ruru, a.kmock, intel, tmp, a.messages, t0, a.partitions)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)


def run(ruru, kmock, intel, tmp, n_messages, t0, partitions=3):
    homes = {k: os.path.join(tmp, k) for k in ("sweep", "scan", "rec", "late")}
    for h in ("sweep", "scan", "rec", "late"):
        ruru_run(ruru, homes[h], "intel", "import", intel, ok=(0,))
    lines = corpus(n_messages, 311)
    planted = [l for l in lines if any(p[2] in l for p in PLANTED)]
    with open(os.path.join(tmp, "all.jsonl"), "w") as f:
        f.write("".join(l + "\n" for l in lines))
    # what `ruru scan` finds in the same lines, and records
    r = ruru_run(ruru, homes["scan"], "scan", "--format", "jsonl", "--record", "-q",
                 "--log-format", "jsonl", os.path.join(tmp, "all.jsonl"))
    expected = sorted(kt.without_place(json.loads(x)) for x in r.stdout.splitlines())
    check(len(expected) >= len(planted) > n_messages // 400,
          "ruru scan finds %d sightings in the %d planted lines" % (len(expected), len(planted)))

    cl = kt.Cluster(kmock, ["logs:%d" % partitions, "sightings:3", "late:1", "late-sightings:1"])
    bs = cl.bootstraps
    workers = []
    try:
        kt.produce(bs, "logs", lines)
        # a bad record on the sightings topic: the recording worker says it and goes on
        kt.produce(bs, "sightings", ["this is no sighting"], partition=1)
        common = ["--brokers", bs, "--group", "sweepers", "--topic", "logs=jsonl",
                  "--sightings-topic", "sightings", "--record", "--batch", "500",
                  "--batch-ms", "200", "-q"]
        # A member kill -9'd stays in the group until its session times out (45 s by
        # default), and the group's next rebalance waits for it: the test's members time out
        # in 6 s. (librdkafka 2.0.2 aborts when a cooperative-sticky consumer is closed after
        # joining and before its first assignment: a worker stopped while such a rebalance
        # waits would exit 134; docs/stream.md.)
        session = "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n"
        # The mock cluster does not check an idempotent producer's sequence numbers (only a
        # transactional one's): a produce request it refuses (the errors pushed below) ahead of
        # one it accepts loses the first one's sightings there, which librdkafka, having had
        # the later one acknowledged, reports delivered (IMPLICITACK in its eos log), as it
        # rightly may with Kafka, which would refuse the later one as out of order. One request
        # at a time keeps the mock honest (docs/stream.md).
        session += "max.in.flight.requests.per.connection=1\n"
        base = os.path.join(tmp, "base.conf")
        with open(base, "w") as f:
            f.write(session)
        kconf = os.path.join(tmp, "short.conf")
        with open(kconf, "w") as f:
            f.write("# deliveries time out soon, so a broker down fails some\n"
                    "message.timeout.ms = 3000\n\nsocket.connection.setup.timeout.ms=1000\n"
                    + session)

        def worker(name, extra=()):
            extra = list(extra) or ["--kafka-config", base]
            w = kt.Worker(ruru, homes["sweep"], common + ["--client-id", name] + extra,
                          os.path.join(tmp, name + ".log"))
            workers.append(w)
            return w

        w1 = worker("w1")
        w2 = worker("w2", ["--kafka-config", kconf])
        rec = kt.Worker(ruru, homes["rec"], ["--brokers", bs, "--group", "recorders",
                                             "--sightings-topic", "sightings", "--record",
                                             "--client-id", "r1", "--batch-ms", "200"],
                        os.path.join(tmp, "r1.log"))
        workers.append(rec)
        # kill -9 mid-batch once the group is busy, and start it again
        kt.wait_for(lambda: kt.status(homes["sweep"], "sweepers").get("messages", 0) > 8000, 90,
                    0.2)
        w1.kill()
        w1b = worker("w1b")
        # a broker fails requests (fetches and produces), then one goes down and up
        cl.command("cerrors 1 7 5")  # Fetch: REQUEST_TIMED_OUT
        cl.command("cerrors 0 6 5")  # Produce: NOT_LEADER_OR_FOLLOWER
        cl.command("errors 2 8 15 3")  # OffsetCommit: COORDINATOR_NOT_AVAILABLE
        time.sleep(2)
        cl.command("down 2")
        time.sleep(5)
        cl.command("up 2")
        # a rebalance: one joins, one leaves
        w3 = worker("w3")
        time.sleep(3)
        rc2 = w2.stop()
        check(rc2 == 0, "a worker stopped with SIGTERM in a rebalance exits 0 (%d)" % rc2)

        def arrived():
            docs = {}
            for text in kt.consume(bs, "sightings"):
                try:
                    d = json.loads(text)
                except ValueError:
                    continue
                docs[kt.identity(d)] = d
            got = sorted(kt.without_place(d) for d in docs.values())
            last[0] = got
            return got if got == expected else None

        last = [[]]
        got = kt.wait_for(arrived, 150, 2) or last[0]
        if got != expected:
            print("missing:", sorted(set(expected) - set(got))[:2])
            print("unexpected:", sorted(set(got) - set(expected))[:2])
        check(got == expected,
              "every sighting ruru scan finds arrives on the sightings topic (%d expected, %d "
              "distinct arrived)" % (len(expected), len(got)))
        # each names its message (a partition's one-line messages are swept joined): the
        # message at that place is the line, at line 1, offset 0
        placed = kt.consume_placed(bs, "logs")
        wrong = [t for t in kt.consume(bs, "sightings") if t.startswith("{")
                 and (placed.get(json.loads(t)["log"]["file"]["path"])
                      != json.loads(t)["event"]["original"] or json.loads(t)["ruru"]["line"] != 1
                      or json.loads(t)["log"]["offset"] != 0)]
        check(not wrong, "every sighting names the message of its line: kafka:logs/P/O, line 1, "
              "offset 0 (%d wrong)" % len(wrong))
        caught_up = kt.wait_for(lambda: kt.status(homes["sweep"], "sweepers", ("w1b", "w3"))
                                .get("lag", 1) == 0, 30)
        check(caught_up, "the live workers' status files say the group's lag is 0")
        for w in (w1b, w3):
            rc = w.stop()
            check(rc == 0, "%s exits 0 after SIGTERM (%d)" % (os.path.basename(w.log_path), rc))
        log2 = open(os.path.join(tmp, "w2.log")).read()
        check("read again" in log2 or "not committed" in log2 or "not delivered" in log2
              or "kafka:" in log2, "the worker whose broker went down said what failed")
        # the register: no sighting lost, no incident duplicated
        scan_inc = kt.incidents(ruru, homes["scan"])
        sweep_inc = kt.incidents(ruru, homes["sweep"])
        if sweep_inc != scan_inc:
            print("scan:", sorted(set(scan_inc) - set(sweep_inc))[:1])
            print("stream:", sorted(set(sweep_inc) - set(scan_inc))[:1])
        check(len(scan_inc) > 10 and sweep_inc == scan_inc,
              "the workers' register holds exactly the incidents and evidence of ruru scan "
              "--record (%d and %d incidents)" % (len(sweep_inc), len(scan_inc)))
        # the recording worker: the same from the sightings topic, the bad record skipped
        ok = kt.wait_for(lambda: kt.incidents(ruru, homes["rec"]) == scan_inc, 60, 3)
        check(bool(ok), "the recording worker's register holds the same incidents")
        rrc = rec.stop()
        out = rec.output()
        check(rrc == 0 and "sightings/1/0: skipped: not JSON" in out,
              "the recording worker said the bad record (sightings/1/0) and exits 0 (%d)" % rrc)
        kafka_config_errors(ruru, homes["late"], bs, tmp)
        reload_intel(ruru, homes["late"], bs, tmp, workers)
    finally:
        for w in workers:
            if w.p.poll() is None:
                w.kill()
        cl.close()
    print("stream.kafka: %.0f s" % (time.time() - t0))
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 0 if RESULTS["failed"] == 0 else 1


def kafka_config_errors(ruru, home, bs, tmp):
    base = ["stream", "--brokers", bs, "--group", "g", "--topic", "late",
            "--sightings-topic", "late-sightings"]
    cases = [("unknown", "# SASL over TLS\nsecurity.protocol=SASL_SSL\nsasl.password=Hunter2Secret"
              "\nno.such.property=1\n", ":4: unknown librdkafka property \"no.such.property\""),
             ("noequals", "\nsasl.mechanism SCRAM-SHA-512\n", ":2: expected property=value"),
             ("badvalue", "sasl.password=Hunter2Secret\nacks=sometimes\n", ":2: acks:")]
    for name, text, want in cases:
        p = os.path.join(tmp, name + ".conf")
        with open(p, "w") as f:
            f.write(text)
        r = subprocess.run([ruru, "--home", home] + base + ["--kafka-config", p],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 2 and (p + want) in r.stderr and "Hunter2Secret" not in r.stderr,
              "--kafka-config %s: exit 2, %r said, no password (%r)" % (name, want,
                                                                       r.stderr.strip()))


def reload_intel(ruru, home, bs, tmp, workers):
    w = kt.Worker(ruru, home, ["--brokers", bs, "--group", "late", "--topic", "late",
                               "--sightings-topic", "late-sightings", "--batch-ms", "100",
                               "--client-id", "late"], os.path.join(tmp, "late.log"))
    workers.append(w)
    kt.produce(bs, "late", [line(1)])
    kt.wait_for(lambda: kt.status(home, "late").get("messages", 0) >= 1, 60, 0.5)
    with open(os.path.join(tmp, "new-intel.csv"), "w") as f:
        f.write("type,value,actor,confidence,first_seen,description\n"
                "ip,192.0.2.201,Leviathan,90,2024-07-01,a server named after the sweep began\n")
    ruru_run(ruru, home, "intel", "import", os.path.join(tmp, "new-intel.csv"), ok=(0,))
    kt.produce(bs, "late", [line(2, ("source", "ip", "192.0.2.201"))])
    found = kt.wait_for(lambda: [s for s in kt.consume(bs, "late-sightings")
                                 if "192.0.2.201" in s], 60, 1)
    rc = w.stop()
    check(bool(found) and "the index was reloaded" in w.output() and rc == 0,
          "intel imported while the worker runs: reloaded, a later line is found (%d)" %
          len(found or []))
    check(bool(found) and json.loads(found[0])["log"]["file"]["path"] == "kafka:late/0/1" and
          json.loads(found[0])["log"]["offset"] == 0 and json.loads(found[0])["ruru"]["line"] == 1,
          "the sighting names its message: kafka:late/0/1, offset 0, line 1")


if __name__ == "__main__":
    sys.exit(main())
