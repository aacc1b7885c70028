"""test_metrics.py: GET /metrics (all workers together, valid Prometheus text, exact counts) and /healthz."""
import collections
import os
import re
import shutil
import subprocess
import time
import uuid

import pytest
import requests

from accounts_support import Browser
from stack_control import redis_pidfile, start_redis

LINE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, ((label, value), ...)): value} of every sample."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE_RE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = tuple(LABEL_RE.findall(m.group(3) or ""))
        key = (m.group(1), labels)
        assert key not in samples, f"duplicate series {key}"
        samples[key] = float(m.group(4))
    return samples


def scrape(site):
    r = requests.get(site + "/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse(r.text)


def changes(before, after, name):
    """{labels: increase} of one metric's series that moved between two scrapes."""
    out = {}
    for (n, labels), v in after.items():
        if n == name and v != before.get((n, labels), 0):
            out[labels] = v - before.get((n, labels), 0)
    return out


def value(samples, name, **labels):
    return samples.get((name, tuple(labels.items())), 0)


def workers():
    master = open(os.path.join(os.environ["STATE_DIR"], "run", "fcgi.pid")).read().strip()
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", master], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def request_all(site, calls):
    """Makes the requests; returns {(route, status): count} as the site should count them."""
    made = collections.Counter()
    for method, path, route in calls:
        r = requests.request(method, site + path, allow_redirects=False, timeout=30)
        made[(route, str(r.status_code))] += 1
    return made


CALLS = [("GET", "/", "/")] * 3 + [("GET", "/movie/550", "/movie/{id}")] * 2 + \
    [("GET", "/no-such-page", "unmatched")] * 2 + [("POST", "/login", "/login")] + \
    [("GET", "/favorites", "/favorites"), ("GET", "/api/v1/health-check/", "/api/v1/health-check/"),
     ("HEAD", "/healthz", "/healthz")]


def assert_counted(before, after, made):
    """The request counters moved by exactly what was made, plus the first scrape itself."""
    expected = dict(made)
    expected[("/metrics", "200")] = expected.get(("/metrics", "200"), 0) + 1
    moved = {(dict(k)["route"], dict(k)["status"]): v
             for k, v in changes(before, after, "movies_http_requests_total").items()}
    assert moved == expected
    per_route = collections.Counter()
    for (route, _), n in expected.items():
        per_route[route] += n
    timed = {dict(k)["route"]: v
             for k, v in changes(before, after, "movies_http_request_duration_seconds_count").items()}
    assert timed == dict(per_route)
    # Only the worker answering this scrape is busy.
    assert value(after, "movies_http_requests_in_flight") == 1


def test_scrape_is_valid_prometheus_text(site):
    promtool = shutil.which("promtool")
    assert promtool, "promtool (Debian's prometheus package) is not installed: make deps"
    requests.get(site + "/movie/550", timeout=30)
    text = requests.get(site + "/metrics", timeout=10).text
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    families = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    for name in ("movies_http_requests_total", "movies_http_request_duration_seconds",
                 "movies_http_requests_in_flight", "movies_cache_lookups_total",
                 "movies_tmdb_requests_total", "movies_tmdb_errors_total",
                 "movies_tmdb_request_duration_seconds", "movies_tmdb_rate_limit_waits_total",
                 "movies_tmdb_last_success_timestamp_seconds", "movies_postgres_errors_total",
                 "movies_postgres_statements_total",
                 "movies_postgres_reconnects_total", "movies_redis_errors_total",
                 "movies_redis_reconnects_total", "movies_logins_total", "movies_worker_starts_total",
                 "movies_worker_exits_total", "movies_worker_crashes_total", "movies_build_info"):
        assert name in families
    build = [k for k in parse(text) if k[0] == "movies_build_info"]
    assert len(build) == 1 and re.fullmatch(r"[0-9a-f]{12}(-dirty)?|unknown", dict(build[0][1])["commit"])


def test_counters_move_by_exactly_the_requests_made(site):
    before = scrape(site)
    made = request_all(site, CALLS)
    after = scrape(site)
    assert_counted(before, after, made)
    # The scrapes land on any worker: several workers answered, and every one counted.
    assert len(workers()) > 1


def test_counters_survive_a_worker_kill(site):
    before = scrape(site)
    made = request_all(site, CALLS)
    old = workers()
    os.kill(old[0], 9)
    for _ in range(100):
        now = workers()
        if len(now) == len(old) and old[0] not in now:
            break
        time.sleep(0.1)
    assert len(now) == len(old) and old[0] not in now
    made.update(request_all(site, CALLS))
    after = scrape(site)
    assert_counted(before, after, made)
    assert value(after, "movies_worker_starts_total") - value(before, "movies_worker_starts_total") == 1
    assert value(after, "movies_worker_crashes_total") - value(before, "movies_worker_crashes_total") == 1
    assert value(after, "movies_worker_exits_total") == value(before, "movies_worker_exits_total")


@pytest.fixture
def standin(standin_url):
    requests.delete(standin_url + "/__standin/faults", timeout=5).raise_for_status()
    yield standin_url
    requests.delete(standin_url + "/__standin/faults", timeout=5).raise_for_status()


def standin_calls(standin_url):
    return requests.get(standin_url + "/__standin/stats", timeout=5).json()["total"]


def tmdb_moves(before, after):
    return {k: changes(before, after, k) for k in ("movies_tmdb_requests_total", "movies_tmdb_errors_total",
                                                   "movies_cache_lookups_total")}


def search(site):
    """A search nobody made before: a sure cache miss."""
    q = "metrics " + uuid.uuid4().hex
    r = requests.get(site + "/search", params={"q": q}, timeout=60)
    return q, r


def test_tmdb_and_cache_counters_match_what_tmdb_saw(site, standin):
    search_kind = (("kind", "search"),)
    search(site)  # the search page's other lookups (genres, configuration) are cached from now on
    calls, before = standin_calls(standin), scrape(site)
    q, r = search(site)
    assert r.status_code == 200
    after = scrape(site)
    moves = tmdb_moves(before, after)
    assert moves["movies_tmdb_requests_total"] == {search_kind: 1}
    assert moves["movies_tmdb_errors_total"] == {}
    assert moves["movies_cache_lookups_total"] == {(("kind", "search"), ("result", "miss")): 1}
    assert standin_calls(standin) - calls == 1
    assert value(after, "movies_tmdb_last_success_timestamp_seconds") >= int(time.time()) - 60

    # The same search again: a hit, no TMDb call.
    requests.get(site + "/search", params={"q": q}, timeout=60)
    again = scrape(site)
    moves = tmdb_moves(after, again)
    assert moves["movies_tmdb_requests_total"] == {}
    assert moves["movies_cache_lookups_total"] == {(("kind", "search"), ("result", "hit")): 1}

    # TMDb failing: two attempts (one retry), both counted as errors; /healthz says so.
    requests.post(standin + "/__standin/faults", json={"status": 500, "count": 2,
                                                        "path_prefix": "/3/search"}, timeout=5)
    calls = standin_calls(standin)
    search(site)
    failed = scrape(site)
    moves = tmdb_moves(again, failed)
    assert moves["movies_tmdb_requests_total"] == {search_kind: 2}
    assert moves["movies_tmdb_errors_total"] == {(("kind", "search"), ("reason", "unavailable")): 2}
    assert standin_calls(standin) - calls == 2
    health = requests.get(site + "/healthz", timeout=10).json()
    assert health["tmdb"]["state"] == "failing"
    assert health["status"] == "degraded"

    # A 429: one counted wait before the retry.
    requests.post(standin + "/__standin/faults", json={"status": 429, "retry_after": 1, "count": 1,
                                                        "path_prefix": "/3/search"}, timeout=5)
    q, r = search(site)
    assert r.status_code == 200
    limited = scrape(site)
    moves = tmdb_moves(failed, limited)
    assert moves["movies_tmdb_requests_total"] == {search_kind: 2}
    assert moves["movies_tmdb_errors_total"] == {(("kind", "search"), ("reason", "rate_limited")): 1}
    assert value(limited, "movies_tmdb_rate_limit_waits_total") - \
        value(failed, "movies_tmdb_rate_limit_waits_total") == 1
    health = requests.get(site + "/healthz", timeout=10).json()
    assert health["tmdb"]["state"] == "ok"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", health["tmdb"]["last_success"])


def test_logins_counted_by_result(site):
    username, password = "m" + uuid.uuid4().hex[:12], "Pw-" + uuid.uuid4().hex
    api = site + "/api/v1/auth"
    r = requests.post(api + "/register/", json={"username": username, "password": password,
                                                "password2": password, "email": f"{username}@example.com"},
                      timeout=30)
    assert r.status_code == 201
    before = scrape(site)
    assert requests.post(api + "/login/", json={"username": username, "password": "wrong"},
                         timeout=30).status_code == 401
    assert requests.post(api + "/login/", json={"username": username, "password": password},
                         timeout=30).status_code == 200
    assert Browser(site).login(username, password).status_code == 303
    after = scrape(site)
    assert changes(before, after, "movies_logins_total") == {(("result", "failed"),): 1,
                                                             (("result", "ok"),): 2}


def test_health_names_each_dependency_and_calls_no_tmdb(site, standin):
    before, calls = scrape(site), standin_calls(standin)
    for _ in range(10):
        r = requests.get(site + "/healthz", timeout=10)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert set(body) == {"status", "database", "redis", "tmdb"}
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert body["tmdb"]["state"] in ("ok", "unknown", "failing")
    after = scrape(site)
    assert standin_calls(standin) == calls
    assert changes(before, after, "movies_tmdb_requests_total") == {}
    assert changes(before, after, "movies_http_requests_total") == {
        (("route", "/metrics"), ("status", "200")): 1, (("route", "/healthz"), ("status", "200")): 10}


def test_probes_answer_loopback_only(site):
    """nginx allows /metrics and /healthz from 127.0.0.1 only; 127.0.0.2 is another client."""
    for path, status in (("/metrics", 403), ("/healthz", 403), ("/", 200)):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", "127.0.0.2",
                              site + path], capture_output=True, text=True, timeout=30)
        assert out.stdout == str(status), (path, out.stdout, out.stderr)
    assert requests.get(site + "/metrics", timeout=10).status_code == 200


def test_health_while_redis_is_down(site):
    """Redis down: still 200 (pages work without the cache), named unavailable; counted; then back."""
    before = scrape(site)
    pid = int(open(redis_pidfile()).read().strip())
    os.kill(pid, 15)
    for _ in range(100):
        if not os.path.exists(f"/proc/{pid}"):
            break
        time.sleep(0.1)
    try:
        r = requests.get(site + "/healthz", timeout=10)
        assert r.status_code == 200
        assert r.json()["redis"] == "unavailable" and r.json()["database"] == "ok"
        assert r.json()["status"] == "degraded"
        down = scrape(site)
        assert sum(changes(before, down, "movies_redis_errors_total").values()) >= 1
    finally:
        start_redis()
    # Each worker notices and reconnects on its own (after its retry interval), and the probe lands
    # on any of them: wait for a run of answers that all say ok.
    in_a_row = 0
    for _ in range(150):
        in_a_row = in_a_row + 1 if requests.get(site + "/healthz", timeout=10).json()["redis"] == "ok" else 0
        if in_a_row == 12:
            break
        time.sleep(0.1)
    assert in_a_row == 12
    assert value(scrape(site), "movies_redis_reconnects_total") > value(before, "movies_redis_reconnects_total")
