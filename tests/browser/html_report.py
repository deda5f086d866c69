#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The HTML report in a real browser (headless Chromium, Debian's `chromium`).

For each export model given, render_model writes the report; Chromium loads it and dumps the
DOM it built, and the test checks that DOM: every incident's section and id, each judgement
in words, every piece of evidence with the SHA-256 and the text of each record it cites, the
TLP at the top and the bottom, the chart; no <script> element and no element from the data
(the models' strings hold markup); and that Chromium reported no breach of the page's
Content-Security-Policy (its style sheet is allowed by hash: a wrong hash, or anything that
tried to load, shows as a console message). The first model's page is also kept, with a
screenshot (A4 width at 150 dpi) and a PDF as printed, in --out, for a person to look at.

Exit 0 when every check holds, 1 when one does not, 77 (skipped by name in CTest) when
chromium is not installed, unless CI=true, where it must be and its absence fails.
"""
import argparse
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
# The elements the writer writes: any other in the DOM came from the data.
OURS = {"html", "head", "meta", "title", "style", "body", "header", "footer", "main", "section",
        "h1", "h2", "h3", "h4", "p", "b", "em", "span", "div", "table", "thead", "tbody", "tr",
        "th", "td", "code", "pre", "a", "br", "ul", "li", "svg", "line", "rect", "text"}
# HTML's void elements: they have no end tag (SVG elements always get one in a DOM dump).
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# One Chromium run takes a few seconds; a minute means it hangs.
TIMEOUT_S = 120
# How the writer shows control characters in the page's body: C0 (but TAB) and DEL by their
# ASCII names, C1 and the controls that reorder text as "U+XXXX", each in a marked token.
C0 = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN "
      "ETB CAN EM SUB ESC FS GS RS US").split()


class Dom(html.parser.HTMLParser):
    """The elements of a page (tag, attributes, text inside) and its whole text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs dict)
        self.stack = []  # open elements: [tag, attrs, text parts]
        self.texts = {}  # id -> text of the element with that id
        self.by_tag = {}  # tag -> list of texts
        self.all_text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append([tag, dict(attrs), []])

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            t, attrs, parts = self.stack.pop()
            text = "".join(parts)
            if "id" in attrs:
                self.texts[attrs["id"]] = text
            self.by_tag.setdefault(t, []).append(text)
            if self.stack:
                self.stack[-1][2].append(text)
            if t == tag:
                break

    def handle_data(self, data):
        self.all_text.append(data)
        if self.stack:
            self.stack[-1][2].append(data)


def shown(s):
    """A string from the model as the page's body shows it (the text of its DOM)."""
    out = []
    for ch in s:
        c = ord(ch)
        if c < 0x20 and c != 0x09:
            out.append(C0[c])
        elif c == 0x7F:
            out.append("DEL")
        elif 0x80 <= c <= 0x9F or c in (0x061C, 0x200E, 0x200F) or 0x202A <= c <= 0x202E \
                or 0x2066 <= c <= 0x2069:
            out.append("U+%04X" % c)
        else:
            out.append(ch)
    return "".join(out)


class Checks:
    def __init__(self, name):
        self.name = name
        self.failed = 0
        self.passed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s" % (self.name, what))


def chromium_run(chromium, profile, args):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
           # nothing may be fetched; this makes sure nothing could be, policy or not
           "--host-resolver-rules=MAP * ~NOTFOUND"] + args
    return subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, text=True,
                          errors="replace")


def check_model(c, dom, model):
    text = "".join(dom.all_text)
    tags = [t for t, _ in dom.tags]
    c.check("script" not in tags, "a <script> element in the DOM")
    c.check(set(tags) <= OURS, "elements the writer does not write: %s" % sorted(set(tags) - OURS))
    svgs = [a for t, a in dom.tags if t == "svg"]
    c.check(all(set(a) <= {"xmlns", "viewbox", "role", "font-family", "font-size"} for a in svgs),
            "an <svg> with attributes from the data")
    c.check(any("on" == k[:2] for _, a in dom.tags for k in a) is False,
            "an event-handler attribute in the DOM")
    rank = ["clear", "green", "amber", "amber+strict", "red"]
    label = "TLP:" + model["tlp"].upper()
    for inc in model["incidents"]:
        for s in inc.get("sightings", []):
            if rank.index(s.get("tlp", "clear")) > rank.index(model["tlp"]):
                label = "TLP:" + s["tlp"].upper()
    c.check(dom.by_tag.get("header", [""])[0].startswith(label), "%s not at the top" % label)
    c.check(dom.by_tag.get("footer", [""])[-1].startswith(label), "%s not at the bottom" % label)
    c.check(label in dom.by_tag.get("title", [""])[0], "%s not in the title" % label)
    incidents = model["incidents"]
    c.check(len(dom.by_tag.get("section", [])) == len(incidents) + 1,
            "not one section per incident and the overview")
    if incidents:
        c.check("svg" in tags and "rect" in tags, "no chart")
    for i, inc in enumerate(incidents, 1):
        sec = dom.texts.get("incident-%d" % i)
        c.check(sec is not None, "no section incident-%d" % i)
        if sec is None:
            continue
        c.check(shown(inc["id"]) in sec, "incident %d: its id" % i)
        j = inc.get("judgement")
        if j:
            c.check(j["words"] in sec and j["confidence"] in sec,
                    "incident %d: the judgement's words or confidence" % i)
            if j.get("actor"):
                c.check(shown(j["actor"]) in sec, "incident %d: the judged actor" % i)
        else:
            c.check("has not been judged" in sec, "incident %d: not said unjudged" % i)
        for k, ev in enumerate(inc.get("evidence", []), 1):
            e = dom.texts.get("incident-%d-e%d" % (i, k))
            c.check(e is not None, "incident %d: no evidence E%d" % (i, k))
            if e is None:
                continue
            c.check(shown(ev["value"]) in e, "incident %d E%d: its value" % (i, k))
            for cite in ev.get("cites", []):
                c.check(shown(cite["sha256"]) in e and shown(cite["path"]) in e,
                        "incident %d E%d: a cite's SHA-256 or input" % (i, k))
        for s in inc.get("sightings", []):
            orig = s.get("event", {}).get("original")
            if orig is not None:
                c.check(shown(orig) in sec, "incident %d: a record's text" % i)
    c.check(shown(model["cert"]["name"]) in text, "the CERT's name")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--render", required=True, help="the render_model program")
    ap.add_argument("--model", action="append", required=True, help="an export model (JSON)")
    ap.add_argument("--out", required=True, help="where the artefacts go")
    a = ap.parse_args()

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            print("FAIL browser: chromium is not installed, and CI=true "
                  "(scripts/install-deps installs it)")
            return 1
        print("SKIP browser: chromium is not installed (scripts/install-deps installs it)")
        return SKIP
    os.makedirs(a.out, exist_ok=True)
    failed = passed = 0
    with tempfile.TemporaryDirectory(prefix="ruru-browser-") as tmp:
        for n, path in enumerate(a.model):
            name = os.path.basename(path)
            c = Checks(name)
            with open(path, encoding="utf-8") as f:
                model = json.load(f)
            page = os.path.join(a.out if n == 0 else tmp, "report.html" if n == 0 else name + ".html")
            r = subprocess.run([a.render, path, page], capture_output=True, text=True)
            c.check(r.returncode == 0, "render_model: %s" % r.stderr.strip())
            if r.returncode != 0:
                failed += c.failed
                continue
            url = "file://" + os.path.abspath(page)
            r = chromium_run(chromium, os.path.join(tmp, "profile"), ["--dump-dom", url])
            c.check(r.returncode == 0 and r.stdout.startswith("<!DOCTYPE html>"),
                    "chromium --dump-dom: exit %d: %s" % (r.returncode, r.stderr[-500:]))
            policy = [ln for ln in r.stderr.splitlines()
                      if "CONSOLE" in ln or "Content Security Policy" in ln]
            c.check(not policy, "chromium reported: %s" % " | ".join(policy)[:1000])
            dom = Dom()
            dom.feed(r.stdout)
            dom.close()
            check_model(c, dom, model)
            if n == 0:
                png = os.path.join(a.out, "report.png")
                pdf = os.path.join(a.out, "report.pdf")
                for f in (png, pdf):
                    if os.path.exists(f):
                        os.remove(f)
                r = chromium_run(chromium, os.path.join(tmp, "profile"),
                                 ["--screenshot=" + png, "--window-size=1240,1754",
                                  "--hide-scrollbars", url])
                with open(png, "rb") if os.path.exists(png) else open(os.devnull, "rb") as f:
                    head = f.read(8)
                c.check(head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) > 20000,
                        "no screenshot: %s" % r.stderr[-300:])
                r = chromium_run(chromium, os.path.join(tmp, "profile"),
                                 ["--print-to-pdf=" + pdf, "--no-pdf-header-footer", url])
                with open(pdf, "rb") if os.path.exists(pdf) else open(os.devnull, "rb") as f:
                    head = f.read(5)
                c.check(head == b"%PDF-", "no PDF: %s" % r.stderr[-300:])
            print("%s: %d checks passed, %d failed" % (name, c.passed, c.failed))
            failed += c.failed
            passed += c.passed
    if failed == 0:
        print("artefacts: %s" % ", ".join(os.path.join(a.out, f) for f in
                                          ("report.html", "report.png", "report.pdf")))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
