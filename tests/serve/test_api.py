# SPDX-License-Identifier: Apache-2.0
"""`ruru serve` end to end: every endpoint, every role, the isolation of two organisations
in both directions, TLP, the limits and bad input, TLS, reload under load and the graceful
stop. Usage: test_api.py RURU"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_lib import (DATA, Home, Server, check, check_eq, finish, gz, read)  # noqa: E402

A, B, CERT = "Ministry-A", "Hospital-B", "CERT-Example"
A_MARKS = ["a-red-only-path", "a-beacon", "a-strict-path", A]
B_MARKS = ["b-private-beacon", "b-private-path", B, "10.9.0.7"]


def q(path, **args):
    return path + ("?" + urllib.parse.urlencode(args) if args else "")


def setup(ruru):
    home = Home(ruru)
    home.token("admin", CERT, "admin")
    for org, p in ((A, "a"), (B, "b")):
        home.token(p + "_read", org, "read")
        home.token(p + "_submit", org, "submit")
    home.token("a_revoked", A, "read")
    home.run("tokens", "revoke", home.token_id("a_revoked"), ok=(0,))
    # the CERT's own sweep of Ministry-A's log
    home.run("scan", "--record", "--org", A, "--no-default-rules",
             os.path.join(DATA, "ministry-a.log"))
    return home


def test_auth(srv, home):
    t = home.tokens
    bodies = set()
    for name, hdr in (("no token", None), ("a bad token", "Bearer ruru_0000000000000000_" + "0" * 64),
                      ("a revoked token", "Bearer " + t["a_revoked"]),
                      ("a token cut short", "Bearer " + t["a_read"][:-1]),
                      ("Basic auth", "Basic " + t["a_read"]), ("an empty bearer", "Bearer ")):
        status, hdrs, body = srv.request("GET", q("/v1/lookup", value="green-c2.example"),
                                         headers={"Authorization": hdr} if hdr else {})
        check_eq(status, 401, "%s: 401" % name)
        check_eq(hdrs.get("content-type"), "application/json", "%s: a JSON error" % name)
        bodies.add(body)
    check_eq(len(bodies), 1, "every refusal says the same (no hint which)")
    status, doc, _ = srv.json("GET", "/healthz")
    check_eq(status, 200, "healthz needs no token")
    check_eq(doc["status"], "ok", "healthz status")
    for name in ("a_read", "b_read"):
        check_eq(srv.json("GET", "/metrics", t[name])[0], 403, "metrics: %s refused" % name)
        check_eq(srv.json("POST", "/v1/logs", t[name], b"x")[0], 403,
                 "logs: the read role may not submit (%s)" % name)
        check_eq(srv.json("POST", "/v1/sightings", t[name], b"{}",
                          {"Content-Type": "application/json"})[0], 403,
                 "sightings: the read role may not submit (%s)" % name)


def test_lookup(srv, home):
    t = home.tokens
    seen = {}
    for who in ("admin", "a_read", "b_read"):
        found = set()
        for v in ("198.51.100.66", "green-c2.example", "203.0.113.99", "203.0.113.45",
                  "203.0.113.46", "clear-c2.example"):
            status, doc, _ = srv.json("GET", q("/v1/lookup", value=v), t[who])
            check_eq(status, 200, "lookup %s as %s" % (v, who))
            if doc["matches"]:
                found.add(v)
                check_eq(len(doc["indicators"]), 1, "%s: one group for %s" % (who, v))
            else:
                check_eq(doc["indicators"], [], "%s: no group without a match (%s)" % (who, v))
        seen[who] = found
    check_eq(seen["admin"], {"198.51.100.66", "green-c2.example", "203.0.113.99", "203.0.113.45",
                             "203.0.113.46", "clear-c2.example"}, "the admin sees every TLP")
    # amber: listed, amber_to partner: [Ministry-A]
    check_eq(seen["a_read"], {"green-c2.example", "203.0.113.45", "clear-c2.example"},
             "Ministry-A: CLEAR, GREEN and the AMBER its source shares with it")
    check_eq(seen["b_read"], {"green-c2.example", "clear-c2.example"},
             "Hospital-B: CLEAR and GREEN only")
    status, doc, body = srv.json("GET", q("/v1/lookup", value="203.0.113.45"), t["b_read"])
    check(b"partner-amber-note" not in body, "Hospital-B: nothing of the AMBER indicator")
    # the same answer as `ruru intel search` (for the admin, who sees all)
    cli = json.loads(home.run("intel", "search", "--format", "json", "green-c2.example").stdout)
    status, doc, _ = srv.json("GET", q("/v1/lookup", value="green-c2.example"), t["admin"])
    cli.pop("at"), doc.pop("at")
    check_eq(doc, cli, "lookup = intel search")
    # a defanged value, as analysts paste them
    status, doc, _ = srv.json("GET", q("/v1/lookup", value="green-c2[.]example"), t["b_read"])
    check_eq(len(doc["matches"]), 1, "a defanged value is looked up refanged")
    # batch: JSON and text
    vals = ["green-c2.example", "203.0.113.45", "nothing.example", "198.51.100.66"]
    status, doc, _ = srv.json("POST", "/v1/lookup", t["a_read"], json.dumps({"values": vals}),
                              {"Content-Type": "application/json"})
    check_eq(status, 200, "batch lookup")
    check_eq([r["query"] for r in doc["results"]], vals, "batch answers in order")
    check_eq(doc["found"], 2, "batch: found counts the visible hits")
    status, doc2, _ = srv.json("POST", "/v1/lookup", t["a_read"], "\r\n".join(vals) + "\n",
                               {"Content-Type": "text/plain"})
    check_eq([r["query"] for r in doc2["results"]], vals, "batch as text lines")
    check_eq(doc2["found"], 2, "text batch found")


def ids_of(doc):
    return sorted(i["id"] for i in doc.get("incidents", []))


def test_submit_and_isolation(srv, home):
    t = home.tokens
    log_b = read("hospital-b.log")
    status, doc, _ = srv.json("POST", q("/v1/logs", format="apache"), t["b_submit"], gz(log_b),
                              {"Content-Type": "application/gzip", "Content-Encoding": "gzip"})
    check_eq(status, 200, "logs: Hospital-B submits its log (gzip)")
    if status != 200:
        return
    check_eq(doc["org"], B, "logs: recorded for the caller's organisation")
    check_eq(doc["sightings_total"], 2, "logs: two sightings")
    check_eq(doc["recorded"]["new"], 1, "logs: one new incident")
    check_eq(doc["submission"]["bytes"], len(gz(log_b)), "logs: the bytes received")
    # the spool keeps the evidence: the sightings verify against it
    rep = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(doc["sightings"], rep)
    rep.close()
    v = json.loads(home.run("verify", "--format", "json", rep.name, ok=(0,)).stdout)
    check_eq((v["items"], v["verified"]), (2, 2), "logs: the cited bytes verify in the spool")
    os.unlink(rep.name)
    path = doc["sightings"][0]["log"]["file"]["path"]
    check(path.startswith(os.path.join(home.dir, "submissions", B)),
          "logs: kept under submissions/ORG (%s)" % path)

    # sightings a constituent's own tools found: as `ruru scan --format jsonl` writes them
    jl = home.run("scan", "--format", "jsonl", "--no-default-rules",
                  os.path.join(DATA, "ministry-a.log")).stdout
    status, doc, body = srv.json("POST", "/v1/sightings", t["a_submit"], jl,
                                 {"Content-Type": "application/x-ndjson"})
    check_eq(status, 200, "sightings: Ministry-A submits what it found")
    if status == 200:
        check_eq(doc["report"]["received"], 3, "sightings: three received")
        check_eq(doc["org"], A, "sightings: for Ministry-A")

    a_inc = srv.json("GET", "/v1/incidents", t["a_read"])
    b_inc = srv.json("GET", "/v1/incidents", t["b_read"])
    all_inc = srv.json("GET", "/v1/incidents", t["admin"])
    check_eq((a_inc[0], b_inc[0], all_inc[0]), (200, 200, 200), "incidents: 200 for each")
    a_ids, b_ids = ids_of(a_inc[1]), ids_of(b_inc[1])
    check(a_ids and b_ids, "incidents: each organisation has some")
    check(not set(a_ids) & set(b_ids), "incidents: none shared")
    check_eq(sorted(set(ids_of(all_inc[1]))), sorted(set(a_ids + b_ids)),
             "incidents: the admin sees both organisations'")
    for i in a_inc[1]["incidents"]:
        check_eq(i.get("org"), A, "incidents: Ministry-A's are its own")
    # isolation, both directions, every endpoint that names incidents
    for me, other_marks, other_ids, other in (("a_read", B_MARKS, b_ids, B),
                                              ("b_read", A_MARKS, a_ids, A)):
        bodies = []
        bodies.append(srv.request("GET", "/v1/incidents", t[me])[2])
        for fmt in ("stix", "misp", "html", "json"):
            status, _, body = srv.request("GET", q("/v1/export", format=fmt), t[me])
            check_eq(status, 200, "export %s as %s" % (fmt, me))
            bodies.append(body)
        bodies.append(srv.request("GET", q("/v1/stats", by="sector"), t[me])[2])
        bodies.append(srv.request("GET", q("/v1/stats", scope="own", by="asset"), t[me])[2])
        bodies.append(srv.request("GET", q("/v1/lookup", value="green-c2.example"), t[me])[2])
        for body in bodies:
            for m in other_marks:
                check(m.encode() not in body, "%s: %r of the other organisation leaks" % (me, m))
            for i in other_ids:  # not even as a campaign shared with one of its own
                check(i.encode() not in body, "%s: the other's incident id %s leaks" % (me, i))
        for i in other_ids:
            status, doc, body = srv.json("GET", "/v1/incidents/" + i, t[me])
            check_eq(status, 404, "%s: the other's incident %s is 404" % (me, i))
            check(not any(m.encode() in body for m in other_marks), "%s: 404 says nothing" % me)
        status, _, _ = srv.json("GET", q("/v1/incidents", org=other), t[me])
        check_eq(status, 403, "%s: ?org= of another organisation is 403" % me)
        status, _, _ = srv.json("GET", q("/v1/export", format="stix", org=other), t[me])
        check_eq(status, 403, "%s: export of another organisation is 403" % me)
        for by in ("org", "asset"):
            status, _, _ = srv.json("GET", q("/v1/stats", by=by), t[me])
            check_eq(status, 403, "%s: national stats by %s are the admin's" % (me, by))
        status, _, _ = srv.json("POST", q("/v1/logs", org=other), t[me.replace("read", "submit")],
                                b"x")
        check_eq(status, 403, "%s: may not submit for another organisation" % me)
    # own incident by id, with the judgement and the evidence
    status, doc, body = srv.json("GET", "/v1/incidents/" + b_ids[0], t["b_read"])
    check_eq(status, 200, "incident by id, own")
    inc = doc["incidents"][0]
    check("judgement" in inc or "attribution" in inc, "incident: a judgement")
    check(b"b-private-beacon" in body, "incident: the evidence's cited line")
    # TLP of one's own incidents: up to AMBER+STRICT about itself, never RED
    _, _, a_body = srv.request("GET", "/v1/incidents", t["a_read"])
    check(b"a-strict-path" in a_body, "Ministry-A sees the AMBER+STRICT evidence about itself")
    check(b"a-red-only-path" not in a_body and b"secret-red-source" not in a_body,
          "Ministry-A never sees RED")
    _, _, adm = srv.request("GET", "/v1/incidents", t["admin"])
    check(b"a-red-only-path" in adm, "the admin sees RED")
    # national stats: the same numbers for everyone, the admin may break them down by org
    s_a = srv.json("GET", q("/v1/stats", by="sector"), t["a_read"])[1]
    s_adm = srv.json("GET", q("/v1/stats", by="sector"), t["admin"])[1]
    check_eq(s_a, s_adm, "national stats are the same for a constituent and the admin")
    check_eq(srv.json("GET", q("/v1/stats", by="org"), t["admin"])[0], 200, "admin: by=org")
    cli = json.loads(home.run("stats", "--format", "json", "--by", "sector").stdout)
    check_eq(s_adm, cli, "stats = ruru stats")
    # a log streamed in chunks (no Content-Length), as a collector pipes it
    def chunks():
        for line in read("hospital-b.log").splitlines(keepends=True):
            yield line
    c = srv.conn()
    c.request("POST", "/v1/logs?format=apache", body=chunks(), encode_chunked=True,
              headers={"Authorization": "Bearer " + t["b_submit"],
                       "Content-Type": "text/plain", "Transfer-Encoding": "chunked"})
    r = c.getresponse()
    doc = json.loads(r.read())
    c.close()
    check_eq(r.status, 200, "logs: a chunked body")
    check_eq(doc.get("sightings_total"), 2, "logs: a chunked body is swept whole")
    # the admin submits for an organisation
    status, doc, _ = srv.json("POST", q("/v1/logs", org=B), t["admin"], gz(log_b),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    check_eq(status, 200, "admin: logs for Hospital-B")
    if status == 200:
        check_eq((doc["recorded"]["new"], doc["recorded"]["updated"]), (0, 0),
                 "admin: the same log again (a retry) makes nothing new")


def test_actors_export_metrics(srv, home):
    t = home.tokens
    status, doc, _ = srv.json("GET", "/v1/actors/Leviathan", t["b_read"])
    check_eq(status, 200, "actors/Leviathan")
    check_eq(doc and doc["actors"][0]["name"], "APT40", "an actor by an alias")
    status, doc, _ = srv.json("GET", "/v1/actors/No%20Such%20Actor", t["b_read"])
    check_eq(status, 404, "an unknown actor is 404")
    check(doc and "error" in doc, "404 has a JSON error")
    check_eq(srv.json("GET", "/v1/actors", t["b_read"])[0], 200, "actors")
    status, hdrs, body = srv.request("GET", q("/v1/export", format="stix"), t["b_read"])
    check_eq(hdrs.get("content-type"), "application/stix+json;version=2.1", "stix type")
    check_eq(json.loads(body)["type"], "bundle", "a STIX bundle")
    status, hdrs, body = srv.request("GET", q("/v1/export", format="html"), t["b_read"])
    check(hdrs.get("content-type", "").startswith("text/html"), "html type")
    check_eq(srv.json("GET", q("/v1/export", format="pdf"), t["b_read"])[0], 400, "bad format")
    # the status files of `ruru stream` workers in HOME/stream/: their counters, labelled; a
    # file being replaced (.tmp), a broken one and a label that needs escaping
    sdir = os.path.join(home.dir, "stream")
    os.makedirs(sdir, exist_ok=True)
    with open(os.path.join(sdir, "sweepers-w1.json"), "w") as f:
        json.dump({"group": "sweepers", "client_id": 'w"1\n', "updated": "2024-07-12T01:15:00Z",
                   "uptime_seconds": 11.4, "assigned_partitions": 2, "messages": 4000,
                   "lines": 4000, "bytes": 696837, "sightings": 29, "produced": 29,
                   "recorded": 29, "batches": 8, "retries": 0, "reloads": 1, "errors": 0,
                   "bad_records": 0, "lag": None, "rate": 549.5}, f)
    with open(os.path.join(sdir, "sweepers-w2.json.tmp"), "w") as f:
        f.write('{"group": "x", "client_id": "tmp", "messages": 1}')
    with open(os.path.join(sdir, "broken.json"), "w") as f:
        f.write('{"group": ')
    status, hdrs, body = srv.request("GET", "/metrics", t["admin"])
    check_eq(status, 200, "metrics for the admin")
    text = body.decode()
    w1 = '{group="sweepers",client_id="w\\"1\\n"}'
    for line in ("ruru_stream_messages_total" + w1 + " 4000",
                 "ruru_stream_bytes_total" + w1 + " 696837",
                 "ruru_stream_reloads_total" + w1 + " 1",
                 "ruru_stream_rate" + w1 + " 549.500000",
                 "ruru_stream_assigned_partitions" + w1 + " 2",
                 "# TYPE ruru_stream_lag gauge"):
        check((line in text) == (not line.startswith("# TYPE ruru_stream_lag")),
              "metrics: %s" % line)
    check('client_id="tmp"' not in text, "metrics: a status file being replaced is left out")
    age = [ln for ln in text.splitlines()
           if ln.startswith("ruru_stream_status_age_seconds" + w1)]
    check(len(age) == 1 and int(age[0].split()[-1]) > 3600 * 24 * 365,
          "metrics: the status's age (%s)" % age)
    for name in ("ruru_requests_total{endpoint=\"lookup\",code=\"2xx\"}",
                 "ruru_request_duration_seconds_bucket{le=\"+Inf\"}", "ruru_lookups_total",
                 "ruru_sightings_total", "ruru_incidents_total", "ruru_index_age_seconds"):
        check(name in text, "metrics: %s" % name)


def test_bad_input(srv, home):
    t = home.tokens
    tok = t["a_submit"]
    cases = [
        ("GET", "/v1/nothing", None, {}, 404),
        ("DELETE", "/v1/incidents", None, {}, 405),
        ("POST", "/v1/incidents", b"{}", {"Content-Type": "application/json"}, 405),
        ("GET", "/v1/lookup", None, {}, 400),
        ("GET", "/v1/lookup?value=", None, {}, 400),
        ("GET", "/v1/lookup?value=a%00b", None, {}, 400),
        ("GET", "/v1/lookup?value=%FF%FE", None, {}, 400),
        ("GET", "/v1/incidents?org=%FF", None, {}, 400),
        ("POST", "/v1/lookup", b"{\"values\": [1, 2]}", {"Content-Type": "application/json"}, 400),
        ("POST", "/v1/lookup", b"{\"values\": [", {"Content-Type": "application/json"}, 400),
        ("POST", "/v1/lookup", b"<xml/>", {"Content-Type": "application/xml"}, 415),
        ("POST", "/v1/lookup", json.dumps(["v%d.example" % i for i in range(101)]),
         {"Content-Type": "application/json"}, 413),
        ("POST", "/v1/logs", b"x" * 5000, {"Content-Type": "text/plain"}, 413),
        ("POST", "/v1/logs", b"", {"Content-Type": "text/plain"}, 400),
        ("POST", "/v1/logs", b"--x\r\n\r\na\r\n--x--\r\n",
         {"Content-Type": "multipart/form-data; boundary=x"}, 415),
        ("POST", "/v1/logs", b"x", {"Content-Encoding": "br"}, 415),
        ("POST", "/v1/logs?format=nosuch", b"x\n", {"Content-Type": "text/plain"}, 400),
        ("POST", "/v1/sightings", b"not json at all", {"Content-Type": "application/json"}, 400),
        ("POST", "/v1/sightings", b"{}", {"Content-Type": "text/html"}, 415),
        ("GET", "/v1/incidents?since=yesterday", None, {}, 400),
        ("GET", "/v1/stats?by=colour", None, {}, 400),
        ("GET", "/v1/stats?scope=everyone", None, {}, 400),
        ("GET", "/v1/incidents/" + "x" * 300, None, {}, 404),
    ]
    for method, path, body, hdrs, want in cases:
        status, doc, raw = srv.json(method, path, tok, body, hdrs)
        check_eq(status, want, "%s %s" % (method, path[:60]))
        check(isinstance(doc, dict) and isinstance(doc.get("error"), dict) and
              doc["error"].get("status") == want, "%s %s: a JSON error body" % (method, path[:40]))
    # a body larger than the limit, announced: refused before it is read
    c = srv.conn()
    c.putrequest("POST", "/v1/logs")
    c.putheader("Authorization", "Bearer " + tok)
    c.putheader("Content-Length", str(10 << 30))
    c.endheaders()
    r = c.getresponse()
    check_eq(r.status, 413, "a 10 GiB Content-Length is refused at once")
    c.close()
    # the console's forms, open to anyone before signing in, are small
    for hdrs in ({"Content-Length": str(1 << 20)}, {"Transfer-Encoding": "chunked"}):
        c = srv.conn()
        c.putrequest("POST", "/console/login")
        c.putheader("Content-Type", "application/x-www-form-urlencoded")
        for k, v in hdrs.items():
            c.putheader(k, v)
        c.endheaders()
        try:
            if "Transfer-Encoding" in hdrs:
                for _ in range(3):
                    c.send(b"2000\r\n" + b"a" * 0x2000 + b"\r\n")
                c.send(b"0\r\n\r\n")
            status = c.getresponse().status
        except OSError:
            status = "cut"
        c.close()
        check(status in (413, "cut"), "console: a form body of over 16 KiB is refused (%r, %s)"
              % (status, list(hdrs)[0]))
    # a client that stops sending is cut after --timeout
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"POST /v1/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok.encode() +
              b"\r\nContent-Length: 100\r\n\r\nabc")
    s.settimeout(20)
    t0 = time.time()
    try:
        data = s.recv(4096)
        while data:
            data = s.recv(4096)
    except OSError:
        pass
    check(time.time() - t0 < 15, "a silent client is cut (took %.1fs)" % (time.time() - t0))
    s.close()
    # connections per client: the extra ones are closed, the service still answers
    socks = []
    for _ in range(24):
        try:
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
        except OSError:
            pass
    time.sleep(0.5)
    refused = 0
    for s in socks:
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(5)
            if not s.recv(100):
                refused += 1
        except OSError:
            refused += 1
    for s in socks:
        s.close()
    check(refused >= 8, "connections beyond --max-per-client 16 are refused (%d of 24)" % refused)
    time.sleep(0.5)
    check_eq(srv.json("GET", "/healthz")[0], 200, "the service answers after all that")


def test_reload_under_load(srv, home):
    t = home.tokens
    errors, counts = [], [0]
    stop = threading.Event()

    def hammer():
        c = srv.conn()
        while not stop.is_set():
            try:
                status, _, _ = srv.request("GET", q("/v1/lookup", value="green-c2.example"),
                                           t["a_read"], conn=c)
                if status != 200:
                    errors.append(status)
                counts[0] += 1
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
                c.close()
                c = srv.conn()
        c.close()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for th in threads:
        th.start()
    time.sleep(0.5)
    status, doc, _ = srv.json("GET", q("/v1/lookup", value="192.0.2.77"), t["a_read"])
    check_eq(doc["matches"], [], "before: the late intel is unknown")
    home.run("intel", "import", "--source", "late", os.path.join(DATA, "late.csv"))
    found = False
    for _ in range(40):  # the store's change is seen within a second or two, without a signal
        time.sleep(0.25)
        status, doc, _ = srv.json("GET", q("/v1/lookup", value="192.0.2.77"), t["a_read"])
        if status == 200 and doc["matches"]:
            found = True
            break
    check(found, "the new intel is served without a restart")
    for _ in range(5):
        srv.signal(signal.SIGHUP)
        time.sleep(0.2)
    time.sleep(0.5)
    stop.set()
    for th in threads:
        th.join()
    check_eq(errors, [], "no request failed during the reloads (%d served)" % counts[0])
    check(counts[0] > 50, "the load ran (%d requests)" % counts[0])
    # a token added now works at once, one revoked stops at once
    home.token("a_late", A, "read")
    check_eq(srv.json("GET", "/v1/actors", t["a_late"])[0], 200, "a new token works at once")
    home.run("tokens", "revoke", home.token_id("a_late"), ok=(0,))
    time.sleep(0.06)
    check_eq(srv.json("GET", "/v1/actors", t["a_late"])[0], 401,
             "a revoked token stops within 50 ms")


def test_graceful_stop(home):
    srv = Server(home, "--max-per-client", "64")
    t = home.tokens
    c = srv.conn()
    log = read("hospital-b.log")
    c.putrequest("POST", "/v1/logs")
    c.putheader("Authorization", "Bearer " + t["b_submit"])
    c.putheader("Content-Length", str(len(log)))
    c.putheader("Content-Type", "text/plain")
    c.endheaders()
    c.send(log[:50])
    time.sleep(0.5)
    srv.signal(signal.SIGTERM)
    time.sleep(0.5)
    try:
        other = srv.request("GET", "/healthz")[0]
    except OSError:
        other = "refused"
    check(other in ("refused", 503), "after SIGTERM no new request is served (%r)" % (other,))
    c.send(log[50:])
    r = c.getresponse()
    doc = json.loads(r.read())
    check_eq(r.status, 200, "the submission in flight at SIGTERM finishes")
    check_eq(doc.get("sightings_total"), 2, "and is recorded")
    check_eq(srv.stop(), 0, "SIGTERM: exit 0")
    check("SIGTERM" in srv.stderr(), "the stop is logged")


def test_tls(home):
    srv = Server(home, tls=True)
    status, doc, _ = srv.json("GET", q("/v1/lookup", value="green-c2.example"),
                              home.tokens["b_read"])
    check_eq(status, 200, "TLS: a lookup over HTTPS")
    # the console's cookies are Secure under TLS
    status, hdrs, body = srv.request("GET", "/console/login")
    login = hdrs.get("set-cookie", "")
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', body.decode())
    check("; Secure" in login and m is not None, "TLS: the login cookie is Secure")
    if m:
        form = urllib.parse.urlencode({"csrf": m.group(1), "token": home.tokens["b_read"]})
        status, hdrs, _ = srv.request(
            "POST", "/console/login", body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": login.split(";")[0]})
        sess = hdrs.get("set-cookie", "")
        check_eq(status, 303, "TLS: signed in")
        check(sess.startswith("ruru_session=") and "; Secure" in sess and "HttpOnly" in sess
              and "SameSite=Strict" in sess, "TLS: the session cookie is Secure (%s)" % sess)
    plain = Server.__new__(Server)
    plain.tls, plain.port = False, srv.port
    try:
        st = plain.request("GET", "/healthz")[0]
    except Exception:  # noqa: BLE001
        st = "refused"
    check(st != 200, "TLS: plain HTTP is not answered")
    check_eq(srv.stop(), 0, "TLS server stops")
    srv = Server(home, "--listen", "0.0.0.0:0")
    time.sleep(0.2)
    check_eq(srv.stop(), 0, "beyond loopback: stops")
    check("without TLS" in srv.stderr(), "beyond loopback without TLS: a warning")


def main():
    ruru = sys.argv[1]
    home = setup(ruru)
    try:
        srv = Server(home, "--max-body", "4096", "--max-batch", "100", "--timeout", "3",
                     "--max-per-client", "16")
        try:
            test_auth(srv, home)
            test_lookup(srv, home)
            test_submit_and_isolation(srv, home)
            test_actors_export_metrics(srv, home)
            test_bad_input(srv, home)
            test_reload_under_load(srv, home)
        finally:
            check_eq(srv.stop(), 0, "the service stops with exit 0")
            err = srv.stderr()
            check("AddressSanitizer" not in err and "runtime error" not in err,
                  "no sanitizer report:\n" + err[-3000:])
        test_graceful_stop(home)
        test_tls(home)
    finally:
        home.remove()
    finish("serve.api")


if __name__ == "__main__":
    main()
