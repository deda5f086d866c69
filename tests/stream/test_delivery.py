# SPDX-License-Identifier: Apache-2.0
"""`ruru stream` when the sightings topic refuses what it is sent, on librdkafka's mock cluster
(kmock), fed and read with kcat.

1. The brokers refuse the next produce requests with an error no retry cures (the record is
   too large): the deliveries of a batch fail, the batch is not committed but read again, and
   every sighting `ruru scan` finds in the lines arrives in the end.
2. The brokers answer a produce request with an out-of-order sequence: the idempotent producer
   can send nothing more (a fatal error); the worker makes a new one and every sighting still
   arrives.
In both, the worker says that the batch went again, and every offset is committed in the end:
a new member of the group finds nothing left to read.

Usage: test_delivery.py --ruru RURU --kmock KMOCK --source REPO"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkatest as kt  # noqa: E402

SKIP = 77
PRODUCE = 0  # the Produce API key
MSG_SIZE_TOO_LARGE = 10
OUT_OF_ORDER_SEQUENCE_NUMBER = 45
FAILED = []


def check(ok, what):
    if not ok:
        FAILED.append(what)
    print(("ok: " if ok else "FAILED: ") + what, flush=True)
    return ok


def line(i):
    """An ECS JSON line; every tenth carries an indicator of examples/intel."""
    doc = {"@timestamp": "2024-07-12T01:%02d:%02dZ" % (i // 60 % 60, i % 60),
           "host": {"name": "ws-%d" % (i % 7)},
           "source": {"ip": "203.0.113.45" if i % 10 == 3 else "10.20.0.%d" % (i % 250)},
           "event": {"sequence": i}}
    return json.dumps(doc, separators=(",", ":"))


def run_case(ruru, kmock, home, tmp, name, command, lines, expected):
    cl = kt.Cluster(kmock, ["logs:2", "sightings:2"])
    bs = cl.bootstraps
    w = None
    try:
        kt.produce(bs, "logs", lines)
        cl.command(command)
        w = kt.Worker(ruru, home, ["--brokers", bs, "--group", "g-" + name, "--client-id",
                                   name, "--topic", "logs=jsonl", "--sightings-topic",
                                   "sightings", "--batch", "50", "--batch-ms", "200",
                                   "--kafka-config", os.path.join(tmp, "kafka.conf")],
                      os.path.join(tmp, name + ".log"))

        def arrived():
            got = {}
            for x in kt.consume(bs, "sightings"):
                doc = json.loads(x)
                got[json.dumps(kt.identity(doc))] = kt.without_place(doc)
            return got if len(got) >= len(expected) else None

        got = kt.wait_for(arrived, 120) or {}
        done = kt.wait_for(lambda: kt.status(home, "g-" + name).get("messages", 0) >= len(lines),
                           60)
        rc = w.stop()
        out = w.output()
        check(rc == 0, "%s: the worker stops with SIGTERM, exit 0 (%d)" % (name, rc))
        check(bool(done), "%s: every message was swept" % name)
        check(sorted(got.values()) == sorted(kt.without_place(json.loads(x)) for x in expected),
              "%s: every sighting ruru scan finds arrived, once or more (%d distinct of %d)"
              % (name, len(got), len(expected)))
        check("will be read again" in out,
              "%s: the batch whose deliveries failed was read again" % name)
        # every offset was committed: a new member of the group finds nothing left to read
        w2 = kt.Worker(ruru, home, ["--brokers", bs, "--group", "g-" + name, "--client-id",
                                    name + "-after", "--topic", "logs=jsonl",
                                    "--sightings-topic", "sightings"],
                       os.path.join(tmp, name + "-after.log"))
        kt.wait_for(lambda: "assigned" in w2.output(), 30)
        time.sleep(3)
        w2.stop()
        with open(os.path.join(home, "stream", "g-%s-%s-after.json" % (name, name))) as f:
            left = json.load(f)["messages"]
        check(left == 0, "%s: every offset was committed (%d messages left)" % (name, left))
        return out
    finally:
        if w is not None and w.p.poll() is None:
            w.kill()
        cl.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ruru", required=True)
    ap.add_argument("--kmock", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    if shutil.which("kcat") is None or not os.access(a.kmock, os.X_OK):
        print("skipped: stream.delivery needs kcat and kmock (librdkafka's mock cluster)")
        return 1 if os.environ.get("CI") == "true" else SKIP
    ruru = os.path.abspath(a.ruru)
    tmp = tempfile.mkdtemp(prefix="ruru-delivery-")
    try:
        home = os.path.join(tmp, "home")
        subprocess.run([ruru, "--home", home, "intel", "import",
                        os.path.join(a.source, "examples", "intel")], check=True,
                       capture_output=True, timeout=120)
        lines = [line(i) for i in range(400)]
        with open(os.path.join(tmp, "all.jsonl"), "w") as f:
            f.write("".join(x + "\n" for x in lines))
        r = subprocess.run([ruru, "--home", home, "scan", "--format", "jsonl", "-q",
                            "--log-format", "jsonl", os.path.join(tmp, "all.jsonl")],
                           capture_output=True, text=True, timeout=300)
        expected = r.stdout.splitlines()
        # 40 planted lines, each found by the 3 intel files that list the address
        check(len(expected) == 120, "ruru scan finds %d sightings in the lines" % len(expected))
        # deliveries fail fast rather than after a minute
        with open(os.path.join(tmp, "kafka.conf"), "w") as f:
            f.write("message.timeout.ms=5000\nretry.backoff.ms=50\n")
        run_case(ruru, a.kmock, home, tmp, "refused",
                 "cerrors %d %d 3" % (PRODUCE, MSG_SIZE_TOO_LARGE), lines, expected)
        out = run_case(ruru, a.kmock, home, tmp, "fatal",
                       "cerrors %d %d 1" % (PRODUCE, OUT_OF_ORDER_SEQUENCE_NUMBER), lines,
                       expected)
        check("a new one is made" in out, "fatal: the producer was made anew")
    finally:
        if not os.environ.get("RURU_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
    print("stream.delivery: %d failed" % len(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
