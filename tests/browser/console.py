#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The analysts' console of `ruru serve` in a real browser (headless Chromium through Selenium).

A home with intel (tests/data/serve/), Ministry-A's log and Hospital-B's hostile log recorded
(tests/data/serve/hostile.log: a line holding a <script>, an <img onerror> and a javascript:
URL, matched by the intel), an admin token and a Hospital-B read token; `ruru serve` on a free
loopback port. Two browsers, one per session, check: the redirect to the login page, a bad
token refused with no cookie, the incidents (exact ids from `ruru report`), the severity and
organisation filters, an incident's judgement, hypotheses and evidence (the hostile strings
shown as text, no alert, no <img>, no script), the intel search (and an AMBER value Hospital-B
may not see), the statistic (its chart and the numbers of `ruru stats`), the actors, the
isolation of Hospital-B from Ministry-A's incidents (ids absent everywhere, 404 by id, no
campaign naming one), the session cookie's flags, the CSP header, a logout without its CSRF
field refused, and the logout form ending the session. Screenshots go to --out.

Usage: console.py RURU --out DIR. Run by /usr/bin/python3 (Debian's python3-selenium). Exit 0
when every check holds, 1 when one does not, 77 (skipped by name in CTest) when selenium,
chromium or chromedriver is missing, unless CI=true, where they must be there.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "serve"))
from serve_lib import DATA, Home, Server, check, check_eq, failures  # noqa: E402

SKIP = 77
CHROMEDRIVER = "/usr/bin/chromedriver"
A, B, CERT = "Ministry-A", "Hospital-B", "CERT-Example"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "javascript:alert(3)"]
RANK = ["informational", "low", "medium", "high", "critical"]


def missing():
    """What is missing to run the test, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium for /usr/bin/python3 (the package python3-selenium)"
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        return "chromium"
    if not os.access(CHROMEDRIVER, os.X_OK):
        return CHROMEDRIVER + " (the package chromium-driver)"
    return None


def setup(ruru):
    """The home: intel, Ministry-A's and Hospital-B's logs recorded, two tokens. The logs are
    named relative to tests/ so that the incidents' ids are the same in every checkout; with
    these names Ministry-A's id is the smaller of the two incidents sharing green-c2.example,
    the register's campaign of Hospital-B's incident."""
    home = Home(ruru)
    home.run("intel", "import", "--source", "console", os.path.join(DATA, "console.csv"), ok=(0,))
    home.run("scan", "--record", "--org", A, "--no-default-rules", "data/serve/ministry-a.log",
             cwd=TESTS)
    home.run("scan", "--record", "--org", B, "--no-default-rules", "data/serve/hostile.log",
             cwd=TESTS)
    home.token("admin", CERT, "admin")
    home.token("b_read", B, "read")
    return home


class Browser:
    """One headless Chromium: one browser's cookies, so one session."""

    def __init__(self, base, profile):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        opts = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--window-size=1280,1000", "--hide-scrollbars", "--user-data-dir=" + profile,
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
            opts.add_argument(a)
        self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.d.set_page_load_timeout(60)
        self.base = base

    def go(self, path):
        self.d.get(self.base + path)

    def path(self):
        return self.d.current_url[len(self.base):]

    def main_text(self):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.TAG_NAME, "main").text

    def all(self, css):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def one(self, css):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.CSS_SELECTOR, css)

    def incident_ids(self):
        return [e.text for e in self.all("main table tbody tr td:first-child code")]

    def shot(self, out, name):
        png = os.path.join(out, "console-%s.png" % name)
        if os.path.exists(png):
            os.remove(png)
        self.d.save_screenshot(png)
        with open(png, "rb") if os.path.exists(png) else open(os.devnull, "rb") as f:
            head = f.read(8)
        check(head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) > 10000,
              "a screenshot of the %s page in %s" % (name, png))
        return png

    def no_alert(self, what):
        from selenium.common.exceptions import NoAlertPresentException
        try:
            self.d.switch_to.alert.accept()
            check(False, "%s: an alert fired" % what)
        except NoAlertPresentException:
            pass

    def no_active_content(self, what):
        check_eq(len(self.all("script")), 0, "%s: <script> elements" % what)
        check_eq(len(self.all("img")), 0, "%s: <img> elements" % what)
        check_eq(len(self.all("[onerror], [onload], [onclick]")), 0,
                 "%s: elements with event handlers" % what)
        check_eq(len(self.all("a[href^='javascript'], a[href^='JAVASCRIPT']")), 0,
                 "%s: javascript: links" % what)
        check(all((a.get_attribute("href") or "").startswith(self.base + "/console/")
                  for a in self.all("a[href]")), "%s: links only under /console/" % what)
        self.no_alert(what)

    def follow(self, el):
        """Clicks a link or a form's button and waits for the page it brings (the old one's
        elements gone): a click returns before the navigation ends."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait
        html = self.one("html")
        el.click()

        def gone(_):
            # chromedriver answers a node of a page being left with either "stale element"
            # or "node does not belong to the document": both mean the old page is gone
            try:
                html.is_enabled()
                return False
            except WebDriverException:
                return True
        WebDriverWait(self.d, 30).until(gone)

    def login(self, token):
        self.go("/console/login")
        field = self.one("form.login input[name=token]")
        field.send_keys(token)
        self.follow(self.one("form.login button[type=submit]"))

    def quit(self):
        self.d.quit()


def test_login(adm, bb, home, out):
    adm.go("/console/")
    check_eq(adm.path(), "/console/login", "/console/ without a session: the login page")
    check(adm.one("form.login input[name=csrf]").get_attribute("value") != "",
          "the login form carries its CSRF value")
    adm.shot(out, "login")
    adm.login("ruru_0123456789abcdef_" + "0" * 64)
    check("That token is not valid." in adm.main_text(), "a bad token: the error shown")
    check(adm.d.get_cookie("ruru_session") is None, "a bad token: no session cookie")
    adm.go("/console/")
    check_eq(adm.path(), "/console/login", "a bad token: still no session")
    adm.login(home.tokens["admin"])
    check_eq(adm.path(), "/console/", "the admin signed in: the incidents")
    check(adm.d.get_cookie("ruru_session") is not None, "the admin's session cookie")
    bb.login(home.tokens["b_read"])
    check_eq(bb.path(), "/console/", "Hospital-B signed in: the incidents")
    bar = bb.one("header").text
    check(B in bar and "read" in bar, "Hospital-B's bar says who is signed in: %r" % bar)


def test_incidents(adm, report, out):
    from selenium.webdriver.support.ui import Select
    incs = report["incidents"]
    adm.go("/console/")
    check_eq(sorted(adm.incident_ids()), sorted(i["id"] for i in incs), "admin: every incident")
    check("%d of %d incidents shown." % (len(incs), len(incs)) in adm.main_text(),
          "admin: the count under the table")
    adm.shot(out, "incidents")
    # the severity filter, through the form
    Select(adm.one("select[name=severity]")).select_by_value("high")
    adm.follow(adm.one("form.filters button[type=submit]"))
    check("severity=high" in adm.path(), "the severity filter is a GET: %s" % adm.path())
    want = sorted(i["id"] for i in incs if RANK.index(i["severity"]) >= RANK.index("high"))
    check(want != [] and len(want) < len(incs), "the fixture has incidents on both sides of high")
    check_eq(sorted(adm.incident_ids()), want, "severity high or above")
    check_eq(Select(adm.one("select[name=severity]")).first_selected_option.get_attribute("value"),
             "high", "the severity filter shown back")
    # the organisation filter
    adm.go("/console/")
    adm.one("form.filters input[name=org]").send_keys(A)
    adm.follow(adm.one("form.filters button[type=submit]"))
    check_eq(sorted(adm.incident_ids()), sorted(i["id"] for i in incs if i["org"] == A),
             "the organisation filter: Ministry-A's")
    check_eq(adm.one("form.filters input[name=org]").get_attribute("value"), A,
             "the organisation filter shown back")


def test_incident(adm, report, out):
    inc = [i for i in report["incidents"] if i["org"] == B][0]
    adm.go("/console/")
    link = [a for a in adm.all("main table tbody a") if a.text == inc["id"]]
    check_eq(len(link), 1, "the incident's link in the list")
    if not link:
        return
    adm.follow(link[0])
    check_eq(adm.path(), "/console/incidents/" + inc["id"], "the link opens the incident")
    text = adm.main_text()
    j = inc["judgement"]
    judged = adm.one("p.judgement").text
    check(j["words"] in judged and j["confidence"] in judged,
          "the judgement in words (%s, confidence %s): %r" % (j["words"], j["confidence"], judged))
    # the competing hypotheses: a column per hypothesis, a row per piece of evidence
    tables = adm.d.find_elements("xpath", "//h3[.='Competing hypotheses']/following-sibling::table[1]")
    check_eq(len(tables), 1, "the hypotheses table")
    if tables:
        heads = [th.text for th in tables[0].find_elements("css selector", "thead th")]
        names = [h["actor"] if h["actor"] is not None else "Another actor" for h in j["hypotheses"]]
        check_eq([h.split("\n")[0] for h in heads[2:]], names, "the hypotheses, most probable first")
        rows = [tr.text for tr in tables[0].find_elements("css selector", "tbody tr")]
        check_eq(len(rows), len(inc["evidence"]), "a row per piece of evidence")
        for e in inc["evidence"]:
            check(any(e["value"] in r for r in rows), "the hypotheses: a row for %s" % e["value"])
    # the evidence: the hostile line as text
    records = [p.text for p in adm.all("pre.record")]
    for s in HOSTILE:
        check(any(s in r for r in records), "the record shows %r as text" % s)
    check(inc["id"] in text and "TLP:" in adm.one("main .banner").text,
          "the incident's id and its TLP banner")
    adm.no_active_content("incident")
    adm.shot(out, "incident")


def test_search(adm, bb, out):
    adm.go("/console/search")
    adm.one("form input[name=q]").send_keys("green-c2.example")
    adm.follow(adm.one("main form button[type=submit]"))
    check("q=green-c2.example" in adm.path(), "the search is a GET: %s" % adm.path())
    rows = [tr.text for tr in adm.all("main table tbody tr")]
    check_eq(len(rows), 1, "green-c2.example: one record")
    check(rows and "green-c2.example" in rows[0] and "partner.csv" in rows[0]
          and "APT40" in rows[0] and "TLP:GREEN" in rows[0], "green-c2.example: its record %r" % rows)
    check("1 record of intel" in adm.main_text(), "green-c2.example: the count")
    adm.shot(out, "search")
    # the AMBER value: the admin sees it, Hospital-B (not in the source's amber_to) does not
    adm.go("/console/search?q=203.0.113.45")
    check_eq(len(adm.all("main table tbody tr")), 1, "203.0.113.45: the admin sees its record")
    bb.go("/console/search")
    bb.one("form input[name=q]").send_keys("203.0.113.45")
    bb.follow(bb.one("main form button[type=submit]"))
    check_eq(len(bb.all("main table tbody tr")), 0, "203.0.113.45: no record for Hospital-B")
    check("partner-amber-note" not in bb.d.page_source and "APT40" not in bb.main_text(),
          "203.0.113.45: nothing of the AMBER record for Hospital-B")
    check(bb.one("form input[name=q]").get_attribute("value") == "203.0.113.45",
          "the searched value shown back")


def test_stats_actors(adm, home, stats, out):
    adm.go("/console/")
    adm.follow(adm.one("header a[href='/console/stats']"))
    check_eq(adm.path(), "/console/stats", "the bar's link to the statistic")
    check(len(adm.all("main svg")) >= 1 and len(adm.all("main svg rect")) >= 1,
          "the statistic: a chart")
    figs = [f.text.split("\n")[0] for f in adm.all("main .figure b")]
    want = [str(stats["incidents"]), str(stats["serious"]), str(stats["state_sponsored"]),
            "%d %%" % round(stats["share"] * 100)]
    check_eq(figs, want, "the statistic's figures = ruru stats")
    check(stats["serious"] >= 1, "the fixture has a serious incident (for the chart)")
    adm.no_active_content("stats")
    adm.shot(out, "stats")
    adm.go("/console/actors")
    names = [a.text for a in adm.all("main table tbody td:first-child a")]
    check("APT40" in names, "the actors list APT40: %r" % names)
    actor = json.loads(home.run("actors", "--format", "json", "APT40", ok=(0,)).stdout)
    aliases = actor.get("aliases") or actor.get("actors", [{}])[0].get("aliases", [])
    aliases = [a if isinstance(a, str) else a.get("name") for a in aliases]
    check(len(aliases) >= 2, "ruru actors gives APT40's aliases: %r" % aliases)
    link = [a for a in adm.all("main table tbody td:first-child a") if a.text == "APT40"]
    if link:
        adm.follow(link[0])
        check_eq(adm.path(), "/console/actors/APT40", "the actor's link")
        text = adm.main_text()
        for a in aliases:
            check(a in text, "the actor page: the alias %s" % a)


def test_isolation(bb, report, srv):
    a_ids = [i["id"] for i in report["incidents"] if i["org"] == A]
    b_ids = [i["id"] for i in report["incidents"] if i["org"] == B]
    bb.go("/console/")
    check_eq(sorted(bb.incident_ids()), sorted(b_ids), "Hospital-B: its own incidents only")
    pages = ["/console/", "/console/stats", "/console/actors", "/console/search?q=green-c2.example"]
    pages += ["/console/incidents/" + i for i in b_ids]
    pages += ["/console/?org=" + A]
    for p in pages:
        bb.go(p)
        src = bb.d.page_source
        for i in a_ids:
            check(i not in src, "Hospital-B's %s names Ministry-A's incident %s" % (p, i))
        check(A not in src, "Hospital-B's %s names Ministry-A" % p)
    # the register's campaign of Hospital-B's incident is Ministry-A's: never shown to it
    check(all(i["campaign"] in a_ids for i in report["incidents"] if i["org"] == B),
          "the fixture: Hospital-B's incident is in a campaign named by Ministry-A's")
    for i in a_ids:
        bb.go("/console/incidents/" + i)
        check("404" in bb.main_text() and "No such incident." in bb.main_text(),
              "Hospital-B: Ministry-A's incident by id is the 404 page")
        check(i not in bb.main_text(), "the 404 page does not repeat the id")
        status, _, _ = srv.request("GET", "/console/incidents/" + i, headers={
            "Cookie": "ruru_session=" + bb.d.get_cookie("ruru_session")["value"]})
        check_eq(status, 404, "Hospital-B: Ministry-A's incident by id: the status")
        status, _, _ = srv.request("GET", "/console/incidents/ruru-incident--0000000000000000",
                                   headers={"Cookie": "ruru_session="
                                            + bb.d.get_cookie("ruru_session")["value"]})
        check_eq(status, 404, "an incident that does not exist: the same 404")


def test_cookie_csp_logout(adm, bb, srv):
    for who, br in (("admin", adm), ("Hospital-B", bb)):
        c = br.d.get_cookie("ruru_session")
        check(c is not None and c.get("httpOnly") is True, "%s: the cookie is HttpOnly" % who)
        check(c is not None and c.get("sameSite") == "Strict",
              "%s: the cookie is SameSite=Strict (%r)" % (who, c and c.get("sameSite")))
        check(c is not None and c.get("path") == "/console", "%s: the cookie's path" % who)
    check(adm.d.get_cookie("ruru_session")["value"] != bb.d.get_cookie("ruru_session")["value"],
          "two sessions")
    sid = adm.d.get_cookie("ruru_session")["value"]
    cookie = {"Cookie": "ruru_session=" + sid}
    for path, hdrs in (("/console/login", {}), ("/console/", cookie), ("/console/stats", cookie),
                       ("/console/incidents/nothing", cookie)):
        status, h, _ = srv.request("GET", path, headers=hdrs)
        check_eq(h.get("content-security-policy"), CSP, "the CSP header on %s (%d)" % (path, status))
        check_eq(h.get("x-frame-options"), "DENY", "X-Frame-Options on %s" % path)
    # a logout without the CSRF field is refused, and leaves the session as it was
    status, _, body = srv.request("POST", "/console/logout", body=b"",
                                  headers=dict(cookie, **{"Content-Type":
                                                          "application/x-www-form-urlencoded"}))
    check_eq(status, 403, "a logout without the csrf field")
    status, _, body = srv.request("POST", "/console/logout", body=b"csrf=" + b"0" * 64,
                                  headers=dict(cookie, **{"Content-Type":
                                                          "application/x-www-form-urlencoded"}))
    check_eq(status, 403, "a logout with a wrong csrf field")
    adm.go("/console/")
    check_eq(adm.path(), "/console/", "the session outlived the refused logouts")
    # the form's logout
    adm.follow(adm.one("header form[action='/console/logout'] button[type=submit]"))
    check_eq(adm.path(), "/console/login", "the logout form: the login page")
    check(adm.d.get_cookie("ruru_session") is None, "the logout: the cookie is gone")
    adm.go("/console/")
    check_eq(adm.path(), "/console/login", "after the logout, /console/ is the login page again")
    status, h, _ = srv.request("GET", "/console/", headers=cookie)
    check_eq((status, h.get("location")), (303, "/console/login"),
             "the old session id is no session")
    # Hospital-B's session is another: still there
    bb.go("/console/")
    check_eq(bb.path(), "/console/", "Hospital-B's session outlived the admin's logout")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ruru")
    ap.add_argument("--out", required=True, help="where the screenshots go")
    a = ap.parse_args()
    why = missing()
    if why is not None:
        if os.environ.get("CI") == "true":
            print("FAIL browser.console: %s is missing, and CI=true "
                  "(scripts/install-deps installs it)" % why)
            return 1
        print("SKIP browser.console: %s is missing (scripts/install-deps installs it)" % why)
        return SKIP
    os.makedirs(a.out, exist_ok=True)
    start = time.monotonic()
    home = setup(os.path.abspath(a.ruru))
    report = json.loads(home.run("report", "--format", "json", ok=(0,)).stdout)
    stats = json.loads(home.run("stats", "--format", "json", ok=(0,)).stdout)
    tmp = tempfile.mkdtemp(prefix="ruru-console-")
    browsers = []
    try:
        srv = Server(home)
        try:
            base = "http://127.0.0.1:%d" % srv.port
            adm = Browser(base, os.path.join(tmp, "admin"))
            browsers.append(adm)
            bb = Browser(base, os.path.join(tmp, "b"))
            browsers.append(bb)
            test_login(adm, bb, home, a.out)
            test_incidents(adm, report, a.out)
            test_incident(adm, report, a.out)
            test_search(adm, bb, a.out)
            test_stats_actors(adm, home, stats, a.out)
            test_isolation(bb, report, srv)
            test_cookie_csp_logout(adm, bb, srv)
        finally:
            for br in browsers:
                br.quit()
            check_eq(srv.stop(), 0, "the service stops with exit 0")
            err = srv.stderr()
            check("AddressSanitizer" not in err and "runtime error" not in err
                  and "LeakSanitizer" not in err, "no sanitizer report:\n" + err[-3000:])
    finally:
        home.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    print("browser.console: %.1f s; screenshots in %s" % (time.monotonic() - start, a.out))
    if failures:
        print("browser.console: %d checks failed" % len(failures))
        return 1
    print("browser.console: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
