# SPDX-License-Identifier: Apache-2.0
"""Pieces of the stream tests: the mock cluster (kmock), kcat to feed and read topics, and
`ruru stream` workers as processes."""
import json
import os
import signal
import subprocess
import time


class Cluster:
    """kmock: librdkafka's mock cluster of 3 brokers, with the topics given."""

    def __init__(self, kmock, topics):
        self.p = subprocess.Popen([kmock] + topics, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        first = self.p.stdout.readline().split()
        if len(first) != 2 or first[0] != "bootstraps":
            raise RuntimeError("kmock did not start: %r" % first)
        self.bootstraps = first[1]

    def command(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        answer = self.p.stdout.readline().strip()
        if answer != "ok":
            raise RuntimeError("kmock %s: %s" % (line, answer))

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def produce(bootstraps, topic, lines, partition=None):
    """Each line one message, through kcat (an independent client). The producer compresses
    its batches (zstd): kmock keeps about 5 MB of batches a partition and drops older ones, so
    compressed, a partition holds some 100,000 log lines."""
    cmd = ["kcat", "-P", "-b", bootstraps, "-t", topic, "-X", "linger.ms=50", "-z", "zstd"]
    if partition is not None:
        cmd += ["-p", str(partition)]
    subprocess.run(cmd, input="".join(l + "\n" for l in lines), text=True, check=True,
                   timeout=120)


def produce_raw(bootstraps, topic, payload, partition=0):
    """One message of any bytes (a compressed one)."""
    subprocess.run(["kcat", "-P", "-b", bootstraps, "-t", topic, "-p", str(partition), "-D",
                    "\x01"], input=payload, check=True, timeout=60)


def consume(bootstraps, topic):
    """Every message of the topic now, as text (one a line: the sightings hold no newline)."""
    r = subprocess.run(["kcat", "-C", "-b", bootstraps, "-t", topic, "-e", "-q", "-f", "%s\n"],
                       capture_output=True, text=True, timeout=120)
    return [l for l in r.stdout.split("\n") if l]


def consume_placed(bootstraps, topic):
    """Every message of the topic now, as {"kafka:TOPIC/PARTITION/OFFSET": text}."""
    r = subprocess.run(["kcat", "-C", "-b", bootstraps, "-t", topic, "-e", "-q", "-f",
                        "%p %o %s\n"], capture_output=True, text=True, timeout=120)
    out = {}
    for l in r.stdout.split("\n"):
        if l:
            p, o, text = l.split(" ", 2)
            out["kafka:%s/%s/%s" % (topic, p, o)] = text
    return out


class Worker:
    """A `ruru stream` process; its standard error goes to a file."""

    def __init__(self, ruru, home, args, log, env=None):
        self.log_path = log
        self.log = open(log, "w")
        self.p = subprocess.Popen([ruru, "--home", home, "stream"] + args, stdout=self.log,
                                  stderr=subprocess.STDOUT, env=env)

    def signal(self, sig):
        if self.p.poll() is None:
            os.kill(self.p.pid, sig)

    def stop(self, timeout=60):
        self.signal(signal.SIGTERM)
        rc = self.p.wait(timeout=timeout)
        self.log.close()
        return rc

    def kill(self):
        self.signal(signal.SIGKILL)
        self.p.wait(timeout=30)
        self.log.close()

    def output(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


def status(home, group, clients=None):
    """The counters of the group's workers (or of those `clients`) from their status files,
    summed."""
    total = {}
    d = os.path.join(home, "stream")
    for name in os.listdir(d) if os.path.isdir(d) else []:
        if clients is not None and name[len(group) + 1:-5] not in clients:
            continue
        if name.startswith(group + "-") and name.endswith(".json"):
            try:
                with open(os.path.join(d, name)) as f:
                    doc = json.load(f)
            except (OSError, ValueError):
                continue
            for k, v in doc.items():
                if isinstance(v, int):
                    total[k] = total.get(k, 0) + v
    return total


def wait_for(what, timeout, step=1.0):
    end = time.time() + timeout
    while time.time() < end:
        v = what()
        if v:
            return v
        time.sleep(step)
    return what()


def identity(doc):
    """What makes a sighting itself: where (path, offset), what (hash, indicator or rule)."""
    ru = doc.get("ruru", {})
    ind = ru.get("indicator") or {}
    rule = ru.get("rule") or {}
    return (doc.get("log", {}).get("file", {}).get("path"), doc.get("log", {}).get("offset"),
            ru.get("sha256"), ind.get("id"), ind.get("file"), rule.get("id"),
            ru.get("observed"), json.dumps(ru.get("field"), sort_keys=True))


def without_place(doc):
    """A sighting without where it was read (path, offset, line): the same line read from a
    file or from a Kafka message compares equal."""
    d = json.loads(json.dumps(doc))
    d.get("log", {}).pop("file", None)
    d.get("log", {}).pop("offset", None)
    d.get("ruru", {}).pop("line", None)
    return json.dumps(d, sort_keys=True)


def incidents(ruru, home):
    """The register's incidents, without the places their evidence was read from."""
    r = subprocess.run([ruru, "--home", home, "report", "--format", "json"], capture_output=True,
                       text=True, timeout=300)
    if r.returncode not in (0, 1):
        raise RuntimeError("report: " + r.stderr)
    out = []
    for inc in json.loads(r.stdout)["incidents"]:
        ev = []
        for e in inc.get("evidence", []):
            cites = sorted((c.get("sha256"), c.get("length")) for c in e.get("cites", []))
            ev.append(json.dumps({k: v for k, v in e.items() if k != "cites"}, sort_keys=True) +
                      json.dumps(cites))
        out.append(json.dumps({"asset": inc.get("asset"), "org": inc.get("org"),
                               "first": inc.get("first"), "last": inc.get("last"),
                               "severity": inc.get("severity"), "serious": inc.get("serious"),
                               "sightings": inc.get("sightings"),
                               "judgement": inc.get("judgement"), "evidence": sorted(ev)},
                              sort_keys=True))
    return sorted(out)
