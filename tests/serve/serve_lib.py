# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the service tests: a home with intel, organisations, tokens and incidents,
a `ruru serve` started on a free loopback port and stopped again, and a small HTTP client.
Only the standard library: the tests run wherever `make test` does."""

import gzip
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "serve")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def check_eq(got, want, what):
    return check(got == want, "%s: got %r, want %r" % (what, got, want))


def finish(name):
    if failures:
        print("%s: %d checks failed" % (name, len(failures)), file=sys.stderr)
        sys.exit(1)
    print("%s: all checks passed" % name)


class Home:
    """A scratch home: intel from tests/data/serve, the two organisations and their tokens."""

    def __init__(self, ruru):
        self.ruru = ruru
        self.dir = tempfile.mkdtemp(prefix="ruru-serve-")
        shutil.copy(os.path.join(DATA, "ruru.yaml"), os.path.join(self.dir, "ruru.yaml"))
        self.run("intel", "import", "--source", "partner", os.path.join(DATA, "partner.csv"))
        self.run("intel", "import", "--source", "vendor", os.path.join(DATA, "vendor.csv"))
        self.run("intel", "import", "--source", "actors", os.path.join(DATA, "actors.stix.json"))
        self.tokens = {}

    def run(self, *args, ok=(0, 1), stdin=None, cwd=None):
        """ruru with this home; cwd, when given, is where relative paths are read from (an
        input's path is its asset's name, and so goes into its incident's id)."""
        p = subprocess.run([self.ruru, "--home", self.dir] + list(args), capture_output=True,
                           input=stdin, timeout=300, cwd=cwd)
        if p.returncode not in ok:
            raise RuntimeError("ruru %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                         p.stderr.decode(errors="replace")))
        return p

    def token(self, name, org, role):
        p = self.run("tokens", "add", org, "--role", role, "--label", name, ok=(0,))
        tok = p.stdout.decode().strip()
        self.tokens[name] = tok
        return tok

    def token_id(self, name):
        return self.tokens[name].split("_")[1]

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """`ruru serve` on 127.0.0.1 and a free port; its standard error kept for checks."""

    def __init__(self, home, *extra, tls=False):
        self.home = home
        self.tls = tls
        args = [home.ruru, "--home", home.dir, "serve", "--listen", "127.0.0.1:0"]
        if tls:
            args += ["--tls-cert", os.path.join(DATA, "test-cert.pem"),
                     "--tls-key", os.path.join(DATA, "test-key.pem")]
        args += list(extra)
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err,
                                     stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.proc.wait(10)
            raise RuntimeError("ruru serve did not start: " + self.stderr())
        self.port = int(line)

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def conn(self, timeout=60):
        if self.tls:
            ctx = ssl.create_default_context(cafile=os.path.join(DATA, "test-cert.pem"))
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, token=None, body=None, headers=None, conn=None):
        """(status, headers, body bytes)."""
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        c = conn or self.conn()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            if conn is None:
                c.close()

    def json(self, method, path, token=None, body=None, headers=None):
        status, hdrs, data = self.request(method, path, token, body, headers)
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return status, doc, data

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def gz(data):
    return gzip.compress(data, mtime=0)


def read(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()
