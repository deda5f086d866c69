#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`ruru serve` under load (bench/README.md, "The service"), with wrk on loopback:

  1. single lookups (GET /v1/lookup?value=V, V cycling over 500 hits and 500 misses, which
     the service's cache then answers; and over 60,000 values asked once each, every one a
     search): requests/s, p50/p99 latency, errors;
  2. batch lookups (POST /v1/lookup, 10,000 values a request): values/s;
  3. POST /v1/logs of the corpus's access.log against `ruru scan --record` of the same file
     (each on a fresh register with the same intel): the ratio of the times;
  4. memory: the server's RSS before and after 1,000,000 requests.

The store holds the generator's iocs-N.csv (default N = 100,000). Release build; corpora from
../shared/bench/gen_corpus.py, cached in bench/out/."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
RURU = os.path.join(ROOT, "build", "ruru")


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, **kw)


def corpus(mb, n):
    d = os.path.join(OUT, "serve-%dmb" % mb)
    if not os.path.exists(os.path.join(d, "iocs-%d.csv" % n)):
        sh(sys.executable, os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py"), "--out",
           d, "--mb", str(mb), "--iocs", str(n))
    return d


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, token, seconds, conns, threads=2, script=None):
    args = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency",
            "--timeout", "30s", "-H", "Authorization: Bearer " + token]
    if script:
        args += ["-s", script]
    p = subprocess.run(args + [url], capture_output=True, text=True, check=True)
    out = p.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def lat(pct):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % pct, out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(x) for x in m.groups()) if m else 0
    return {"rps": rps, "requests": total, "p50_ms": lat(50), "p99_ms": lat(99),
            "errors": errors}


def lua_values(path, values):
    """A wrk script cycling GET over values."""
    with open(path, "w") as f:
        f.write("local v = {%s}\nlocal i = 0\nrequest = function()\n  i = i %% #v + 1\n"
                "  return wrk.format('GET', '/v1/lookup?value=' .. v[i])\nend\n"
                % ",".join(json.dumps(x) for x in values))


def lua_batch(path, values):
    body = json.dumps({"values": values})
    with open(path, "w") as f:
        f.write("wrk.method = 'POST'\nwrk.headers['Content-Type'] = 'application/json'\n"
                "wrk.body = %s\n" % json.dumps(body))


def start(home, *extra):
    p = subprocess.Popen([RURU, "--home", home, "serve", "--quiet", "--listen", "127.0.0.1:0",
                          "--max-connections", "2048", "--max-per-client", "2048"] + list(extra),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    port = int(p.stdout.readline())
    return p, port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--iocs", type=int, default=100000)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--million", type=int, default=1000000, help="requests for the RSS check")
    a = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/serve.py: wrk is needed (sh scripts/install-deps bench)")
    d = corpus(a.mb, a.iocs)
    iocs = os.path.join(d, "iocs-%d.csv" % a.iocs)
    tmp = tempfile.mkdtemp(prefix="ruru-bench-serve-")
    home = os.path.join(tmp, "home")
    sh(RURU, "--home", home, "intel", "import", "--source", "bench", iocs)
    token = sh(RURU, "--home", home, "tokens", "add", "Bench-Org", "--role", "submit"
               ).stdout.decode().strip()
    with open(os.path.join(d, "iocs-%d.txt" % a.iocs)) as f:
        values = [v.strip() for v in f if v.strip()]
    hits = [v for v in values[:500] if "/" not in v and ":" not in v]
    misses = ["miss-%d.example" % i for i in range(len(hits))]
    mixed = [x for pair in zip(hits, misses) for x in pair]
    res = {"iocs": a.iocs, "mb": a.mb}

    srv, port = start(home)
    base = "http://127.0.0.1:%d" % port
    try:
        lua = os.path.join(tmp, "get.lua")
        lua_values(lua, [urllib.request.quote(v) for v in mixed])
        wrk(base + "/", token, 3, 64, script=lua)  # warm the handles
        for conns in (4, 16, 64):
            res["single_c%d" % conns] = wrk(base + "/", token, a.seconds, conns, script=lua)
        # values asked once each: every answer a search (the cache keeps 16,384)
        many = [v for v in values if "/" not in v and ":" not in v][:60000]
        lua2 = os.path.join(tmp, "many.lua")
        lua_values(lua2, [urllib.request.quote(v) for v in many])
        res["single_uncached_c16"] = wrk(base + "/", token, a.seconds, 16, script=lua2)
        batch = os.path.join(tmp, "batch.lua")
        lua_batch(batch, (mixed * (10000 // len(mixed) + 1))[:10000])
        b = wrk(base + "/v1/lookup", token, a.seconds, 4, script=batch)
        b["values_per_s"] = b["rps"] * 10000
        res["batch"] = b
        before = rss_kb(srv.pid)
        n, t0 = 0, time.time()
        while n < a.million:
            r = wrk(base + "/", token, 20, 64, script=lua)
            n += r["requests"]
        res["memory"] = {"requests": n, "rss_before_kb": before, "rss_after_kb": rss_kb(srv.pid),
                         "seconds": round(time.time() - t0, 1)}
        # one more million: flat means no growth between the two
        n2 = 0
        while n2 < a.million:
            n2 += wrk(base + "/", token, 20, 64, script=lua)["requests"]
        res["memory"]["rss_after_2x_kb"] = rss_kb(srv.pid)
        res["memory"]["requests_2x"] = n + n2
    finally:
        srv.terminate()
        srv.wait()

    # POST /v1/logs against ruru scan --record, each on a fresh copy of the home
    log = os.path.join(d, "logs", "access.log")
    size = os.path.getsize(log)
    times = {"cli": [], "api": []}
    for rep in range(2):
        h1 = os.path.join(tmp, "cli-%d" % rep)
        shutil.copytree(home, h1)
        t0 = time.time()
        subprocess.run([RURU, "--home", h1, "scan", "--record", "--org", "Bench-Org", "-q",
                        "--format", "json", log], stdout=subprocess.DEVNULL, check=False)
        times["cli"].append(time.time() - t0)
        h2 = os.path.join(tmp, "api-%d" % rep)
        shutil.copytree(home, h2)
        srv, port = start(h2)
        try:
            t0 = time.time()
            subprocess.run(["curl", "-sS", "-f", "-o", "/dev/null", "-H", "Authorization: Bearer " + token,
                            "--data-binary", "@" + log,
                            "http://127.0.0.1:%d/v1/logs?format=apache" % port], check=True)
            times["api"].append(time.time() - t0)
        finally:
            srv.terminate()
            srv.wait()
    cli, api = min(times["cli"]), min(times["api"])
    res["logs"] = {"bytes": size, "cli_s": round(cli, 2), "api_s": round(api, 2),
                   "ratio": round(api / cli, 2)}
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
