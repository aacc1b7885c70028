"""test_worker_valgrind.py: one worker under valgrind serves a few thousand mixed requests (pages,
forms with CSRF, a session, the API with a token, hostile input) and reports no invalid access
and no leak.

The program (master and one worker) runs under valgrind on a private socket beside the stack,
sharing its PostgreSQL, Redis and TMDb stand-in; tests/integration/fcgi_client.py speaks
FastCGI to it as nginx would. Leaks count when definite or indirect: what a worker keeps for its
whole life (templates, connections) is still reachable at exit and is not a leak.
VALGRIND_REQUESTS (default 2000) sets the number of requests.
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import time
import uuid

import pytest

import fcgi_client
from conftest import env
from support import csrf_from

REQUESTS = int(os.environ.get("VALGRIND_REQUESTS", "2000"))
MOVIE = 550


class Visitor:
    """A cookie jar and the requests one visitor makes, through the valgrind worker."""

    def __init__(self, sock):
        self.sock = sock
        self.cookies = {}
        self.count = 0
        self.statuses = {}

    def call(self, uri, method="GET", body=b"", headers=None, jar=True):
        h = dict(headers or {})
        if jar and self.cookies:
            h["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        r = fcgi_client.request(self.sock, method, uri, body, h)
        if jar:
            for k, v in r.cookies().items():
                if v in ("", '""'):
                    self.cookies.pop(k, None)
                else:
                    self.cookies[k] = v
        self.count += 1
        self.statuses[r.status] = self.statuses.get(r.status, 0) + 1
        assert r.status < 500 or r.status == 503, (uri, r.status, r.body[:300])
        return r

    def form(self, uri, fields, token):
        body = "&".join(f"{k}={v}" for k, v in dict(fields, csrfmiddlewaretoken=token).items()).encode()
        return self.call(uri, "POST", body, {"CONTENT_TYPE": "application/x-www-form-urlencoded",
                                             "HTTP_ORIGIN": "http://127.0.0.1:8080"})

    def api(self, uri, method="GET", data=None, token=None):
        h = {"HTTP_ACCEPT": "application/json"}
        body = b""
        if data is not None:
            body = data if isinstance(data, bytes) else json.dumps(data).encode()
            h["CONTENT_TYPE"] = "application/json"
        if token:
            h["HTTP_AUTHORIZATION"] = "Bearer " + token
        return self.call("/api/v1" + uri, method, body, h, jar=False)


def one_round(v, i, access, csrf):
    """About twenty requests of every kind; returns the latest CSRF token."""
    movie = 1000000 + 990000 + i % 50
    v.call("/")
    v.call(f"/movie/{MOVIE}")
    v.call("/search?q=fight+club&page=1")
    v.call(f"/genre/18?page={1 + i % 3}")
    v.call("/favorites")
    r = v.call("/for-you")
    r = v.form(f"/favorites/{movie}", {"next": "/favorites"}, csrf)
    assert r.status == 303, r.status
    r = v.form(f"/favorites/{movie}/delete", {}, csrf)
    assert r.status == 303, r.status
    # The watchlist: its page, an add, "watched" into favorites, the API's whole list (no page).
    v.call("/watchlist")
    r = v.form(f"/watchlist/{movie}", {"next": "/watchlist"}, csrf)
    assert r.status == 303, r.status
    r = v.form(f"/watchlist/{movie}/watched", {"then": "favorite"}, csrf)
    assert r.status == 303, r.status
    v.form(f"/favorites/{movie}/delete", {}, csrf)
    v.api("/auth/watchlist/", "POST", {"movie_id": movie}, access)
    v.api("/auth/watchlist/", token=access)
    v.api(f"/auth/watchlist/{movie}/", "DELETE", token=access)
    v.call("/movie/abc")
    v.call("/nowhere/%ff%fe")
    v.call("/search?q=%ff")
    v.call("/login?next=//evil.example/")
    v.api("/movies/trending/?page=1")
    v.api(f"/movies/{MOVIE}/")
    v.api(f"/movies/{MOVIE}/recommendations/")
    r = v.api("/auth/favorites/", "POST", {"movie_id": movie}, access)
    assert r.status in (201, 400), (r.status, r.body)
    v.api("/auth/favorites/?page=1", token=access)
    v.api(f"/auth/favorites/{movie}/", "DELETE", token=access)
    v.api("/auth/favorites/", "POST", b"{not json", access)
    v.api("/auth/favorites/", token="a.b.c")
    v.api("/auth/token/refresh/", "POST", {"refresh": "x" * (i % 300)})
    v.call("/healthz")
    if i % 10 == 0:  # the slower paths, now and then
        v.call("/login", "POST", b"x" * 70000, {"CONTENT_TYPE": "application/x-www-form-urlencoded"})
        v.call("/login", "POST", b"username=%ZZ", {"CONTENT_TYPE": "application/x-www-form-urlencoded"})
        v.call("/", headers={"HTTP_COOKIE": "sessionid=" + "z" * 40 + "; csrftoken=bad"}, jar=False)
        r = v.call("/favorites")
        csrf = csrf_from(r.body.decode())
    return csrf


@pytest.fixture
def valgrind_worker(tmp_path):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    state = env("STATE_DIR")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.environ.get("BUILD_DIR", os.path.join(root, "build"))
    # valgrind cannot run an AddressSanitizer build (make test's workers): use the plain one.
    if os.path.basename(os.path.normpath(build)) == "asan":
        build = os.path.join(root, "build")
    if not os.access(os.path.join(build, "movies-fcgi"), os.X_OK):
        pytest.skip(f"{build}/movies-fcgi is not built")
    vdir = os.path.join(state, "valgrind")
    shutil.rmtree(vdir, ignore_errors=True)
    os.makedirs(vdir)
    path = os.path.join(vdir, "fcgi.sock")
    listener = fcgi_client.listen(path)
    program_env = fcgi_client.worker_env(root)
    log = open(os.path.join(vdir, "program.log"), "w")
    # As spawn-fcgi does: the listening socket is the program's standard input.
    proc = subprocess.Popen(["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                             "--errors-for-leak-kinds=definite,indirect", "--num-callers=30",
                             "--log-file=" + os.path.join(vdir, "valgrind.%p.log"),
                             os.path.join(build, "movies-fcgi")],
                            stdin=listener.fileno(), stdout=log, stderr=log, env=program_env)
    listener.close()
    try:
        yield path, proc, vdir
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_worker_under_valgrind_has_no_leak_or_invalid_access(valgrind_worker, database_url):
    path, proc, vdir = valgrind_worker
    v = Visitor(path)
    for _ in range(600):  # valgrind starts slowly
        try:
            if v.call("/healthz", jar=False).status == 200:
                break
        except (ConnectionError, OSError):
            time.sleep(0.2)
    else:
        pytest.fail("the worker under valgrind did not answer")
    # A user of its own, hashed by this worker (cheap iterations), with a session and a token.
    name, password = f"vg_{uuid.uuid4().hex[:10]}", "Pw-" + uuid.uuid4().hex
    r = v.api("/auth/register/", "POST", {"username": name, "password": password, "password2": password,
                                          "email": f"{name}@example.com"})
    assert r.status == 201, r.body
    access = json.loads(v.api("/auth/login/", "POST", {"username": name, "password": password}).body)["access"]
    token = csrf_from(v.call("/login").body.decode())
    r = v.form("/login", {"username": name, "password": password}, token)
    assert r.status == 303 and "sessionid" in v.cookies, (r.status, r.body[:300])
    csrf = csrf_from(v.call("/favorites").body.decode())
    started = time.monotonic()
    i = 0
    while v.count < REQUESTS:
        csrf = one_round(v, i, access, csrf)
        i += 1
    elapsed = time.monotonic() - started
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 0
    logs = sorted(glob.glob(os.path.join(vdir, "valgrind.*.log")))
    assert len(logs) >= 2, logs  # the master and its worker
    print(f"\nvalgrind worker: {v.count} requests in {elapsed:.0f}s ({v.count / elapsed:.1f}/s), "
          f"statuses {dict(sorted(v.statuses.items()))}")
    problems = []
    for f in logs:
        text = open(f).read()
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        lost = {k: int(n.replace(",", "")) for k, n in
                re.findall(r"(definitely|indirectly) lost: ([\d,]+) bytes", text)}
        print(f"  {os.path.basename(f)}: {summary.group(0) if summary else 'no summary'}, "
              f"definitely lost {lost.get('definitely', 0)} bytes, indirectly {lost.get('indirectly', 0)}")
        if summary is None or summary.group(1) != "0" or any(lost.values()):
            problems.append(text[-6000:])
    assert not problems, "\n\n".join(problems)
